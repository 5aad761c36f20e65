/*
 * fuzz_tokenise.c: libFuzzer target for the tokeniser (issue 6, FAULTS.md
 * test method 5).
 *
 * Arbitrary bytes go through what input.c does before tokenising: UTF-8
 * validation with ig_utf8_check (invalid input is rejected there, so only
 * valid text reaches the tokeniser in the pipeline), then tok_next over the
 * whole text, once in strict mode and once with truncate_long and allow_nul.
 * Invalid text is also fed to the tokeniser directly, since the header
 * promises a located IG_EDATA for it, never undefined behaviour.
 *
 * Invariants asserted per token: positions never decrease, a TOK_JOINED
 * token is followed by exactly span+1 TOK_PART tokens at consecutive
 * positions, byte ranges lie inside the text and start no earlier than the
 * previous token's start, the normalised form is 1..IG_MAX_TOKEN_BYTES
 * bytes, and the stream's position count covers every position returned.
 * Built by `make fuzz` (clang, -fsanitize=fuzzer) and by the replay driver
 * (tests/fuzz/replay.c) for `make test`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "input.h"
#include "limits.h"
#include "tokenise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ASSERT(c)                                                        \
    do {                                                                    \
        if (!(c)) {                                                         \
            fprintf(stderr, "fuzz_tokenise: invariant failed: %s (line %d)\n", \
                    #c, __LINE__);                                          \
            abort();                                                        \
        }                                                                   \
    } while (0)

static void run(const char *text, size_t len, int truncate, int can_pass)
{
    tok_opts o = {0};
    o.truncate_long = truncate;
    o.allow_nul = truncate;
    ig_err e;
    ig_err_clear(&e);
    tok_stream *t = NULL;
    if (tok_open(&t, &o, &e) != 0)
        return; /* only IG_ENOMEM is possible with the default pattern */
    tok_reset(t, text, len, "fuzz.txt");
    const tok_token *k;
    int rc;
    uint64_t prev_start = 0;
    uint32_t prev_pos = 0, parts_left = 0, next_part_pos = 0;
    int any = 0;
    uint64_t ntok = 0;
    while ((rc = tok_next(t, &k, &e)) == 1) {
        ntok++;
        FZ_ASSERT(k->norm_len >= 1 && k->norm_len <= IG_MAX_TOKEN_BYTES);
        FZ_ASSERT(k->start < k->end && k->end <= len);
        FZ_ASSERT(k->kind <= TOK_JOINED);
        FZ_ASSERT(k->line >= 1 && k->sentence >= 1 && k->paragraph >= 1);
        if (any) {
            FZ_ASSERT(k->pos >= prev_pos);
            FZ_ASSERT(k->start >= prev_start);
        }
        if (parts_left) {
            /* the parts of the compound announced by the joined token */
            FZ_ASSERT(k->kind == TOK_PART && k->pos == next_part_pos);
            parts_left--;
            next_part_pos++;
        } else if (k->kind == TOK_JOINED) {
            FZ_ASSERT(k->span >= 1);
            parts_left = k->span + 1;
            next_part_pos = k->pos;
        } else {
            FZ_ASSERT(k->kind == TOK_WORD && k->span == 0);
        }
        /* positions are consecutive: a word or a joined token takes the
         * next one, and a joined token's first part shares its position */
        if (any && k->kind != TOK_PART)
            FZ_ASSERT(k->pos == prev_pos + 1);
        if (!any)
            FZ_ASSERT(k->pos == 0);
        if (k->kind != TOK_JOINED)
            FZ_ASSERT(k->span == 0);
        if (!truncate)
            FZ_ASSERT(!k->truncated);
        prev_pos = k->pos;
        prev_start = k->start;
        any = 1;
    }
    if (rc == 0) {
        /* a finished text: every announced part arrived, and the count of
         * positions is one past the last one used */
        FZ_ASSERT(parts_left == 0);
        if (any)
            FZ_ASSERT(tok_positions(t) == prev_pos + 1);
        else
            FZ_ASSERT(tok_positions(t) == 0);
        FZ_ASSERT(can_pass); /* bad UTF-8 (and NUL in strict mode) is an error */
    } else {
        FZ_ASSERT(rc < 0 && e.code == rc && e.msg[0] != '\0');
        FZ_ASSERT(e.byte == IG_ERR_NOPOS || e.byte <= len);
        /* errors are sticky until tok_reset */
        FZ_ASSERT(tok_next(t, &k, &e) == rc);
    }
    if (!truncate)
        FZ_ASSERT(tok_truncated(t) == 0);
    tok_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy exactly `size` long, so ASan sees any read past the end. */
    char *text = calloc(1, size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    ig_utf8_bad bad;
    int valid = ig_utf8_check(text, size, &bad);
    if (!valid) {
        FZ_ASSERT(bad.byte < size || size == 0);
        FZ_ASSERT(bad.line >= 1 && bad.col >= 1 && bad.reason[0]);
    }
    int has_nul = memchr(text, 0, size) != NULL;
    run(text, size, 0, valid && !has_nul);
    run(text, size, 1, valid);
    free(text);
    return 0;
}

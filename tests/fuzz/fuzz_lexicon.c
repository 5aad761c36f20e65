/*
 * fuzz_lexicon.c: libFuzzer target for the lexicon parser and the pattern
 * compiler (issue 6; FAULTS.md lexicon rows, P4 regex limits).
 *
 * Each input is compiled as one pattern by pat_compile (and, when it
 * compiles, described with pat_describe), then written to a scratch file
 * and loaded by lex_load as a lexicon of any kind, so the header, the
 * columns and every pattern cell are parsed from fuzzed bytes.  A failure
 * must be a clean, located error: a code, a message, a NULL result and,
 * for a rejected lexicon, at least one listed problem.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "lexicon.h"
#include "pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) FZ_CHECK("fuzz_lexicon", c)

static void one_pattern(const char *s, size_t n)
{
    pat_pattern *p = NULL;
    ig_err e;
    ig_err_clear(&e);
    pat_loc loc = {"lint", "fuzz.tsv", 3, 7};
    int rc = pat_compile(&p, s, n, &loc, &e);
    if (rc == 0) {
        CHECK(p != NULL);
        size_t len = 0;
        const char *t = pat_text(p, &len);
        CHECK(t && len == n && memcmp(t, s, n) == 0);
        (void)pat_atom_count(p);
        ig_buf d = {0};
        int drc = pat_describe(p, &d);
        CHECK(drc == 0 || drc == IG_ENOMEM);
        ig_buf_free(&d);
        pat_free(p);
    } else {
        CHECK(p == NULL && rc < 0 && e.code == rc && e.msg[0]);
    }
}

static void one_lexicon(const char *s, size_t n)
{
    char path[600];
    fz_put(path, sizeof path, "lexicon.tsv", s, n);
    lex_file *f = NULL;
    ig_msgs probs = {0};
    ig_err e;
    ig_err_clear(&e);
    int rc = lex_load(&f, path, LEX_ANY, "lint", &probs, &e);
    if (rc == 0) {
        CHECK(f != NULL);
        int kind = lex_file_kind(f);
        CHECK(kind >= LEX_POSITIONS && kind <= LEX_GAPS);
        CHECK(strlen(lex_file_sha256(f)) == 64);
        for (size_t i = 0; i < lex_count(f); i++) {
            CHECK(lex_entry_pattern(f, i) != NULL);
            CHECK(lex_entry_line(f, i) >= 2);
            CHECK(lex_entry_text(f, i) != NULL);
        }
        for (size_t k = 0; k < lex_key_count(f); k++)
            CHECK(lex_key_name(f, k) != NULL);
        lex_free(f);
    } else {
        CHECK(f == NULL && rc < 0 && e.code == rc && e.msg[0]);
        CHECK(rc != IG_EDATA || ig_msgs_count(&probs) >= 1 || e.path[0]);
    }
    ig_msgs_free(&probs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = calloc(1, size ? size : 1);
    if (!s)
        return 0;
    if (size)
        memcpy(s, data, size);
    one_pattern(s, size);
    one_lexicon(s, size);
    free(s);
    return 0;
}

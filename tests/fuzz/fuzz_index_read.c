/*
 * fuzz_index_read.c: libFuzzer target for the index reader (issue 6;
 * FAULTS.md P5, test method 4 done by a fuzzer).
 *
 * Each input is written to a scratch file and opened with idx_open; when it
 * opens, everything a command can reach is walked: idx_info, idx_check, the
 * metadata and statistics of every document, its layout and its text, and
 * the postings of every term (documents and positions).  The reader must
 * never trust a byte: every outcome is either data or a clean error with a
 * message, and ASan/UBSan must see no bad access.  The seeds are a real
 * index built from tests/fixtures/query, so mutations start from a valid
 * file.  Most random changes would only ever meet a CRC mismatch, so each
 * input is also opened a second time after idx_fix_crcs() has recomputed every
 * checksum the format has (header, footer, directory, sections, per
 * document layout and text, per term postings; layout as specified at the
 * top of stages/index.c), which lets mutations reach the parsers behind
 * the CRCs: a CRC is an accident detector, not a guarantee of sanity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "index.h"
#include "index_fmt.h"
#include "../unit/idx_fix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) FZ_CHECK("fuzz_index_read", c)

/* Bounds on the walk, so a huge claimed count cannot make one input slow. */
#define MAX_DOCS 256u
#define MAX_TERMS 4096u
#define MAX_STEPS 100000u

static void walk(idx_reader *r)
{
    ig_err e;
    ig_buf b = {0};
    (void)idx_info(r, &b);
    ig_buf_free(&b);

    ig_err_clear(&e);
    int crc = idx_check(r, &e);
    CHECK(crc == 0 || (crc < 0 && e.code == crc && e.msg[0]));
    /* Content invariants hold for a file idx_check accepted; a damaged one
     * need only be memory-safe and fail cleanly where it is read. */
    int ok = crc == 0;

    uint32_t nd = idx_doc_count(r);
    size_t nc = idx_col_count(r);
    for (size_t c = 0; c < nc; c++)
        CHECK(idx_col_name(r, c) != NULL);
    idx_layout l = {0}, ls = {0};
    for (uint32_t d = 0; d < nd && d < MAX_DOCS; d++) {
        for (size_t c = 0; c < nc; c++)
            CHECK(idx_doc_meta(r, d, c) != NULL);
        CHECK(idx_doc_id(r, d) != NULL);
        idx_doc_stats st;
        (void)idx_doc_stats_get(r, d, &st);
        ig_err_clear(&e);
        int rc = idx_layout_get(r, d, &l, &e);
        if (rc == 0) {
            /* A layout that decodes stays within its text, CRCs or not. */
            for (uint32_t i = 0; i < l.n; i++)
                CHECK(l.end[i] <= st.bytes && (!ok || l.start[i] <= l.end[i]));
        } else {
            CHECK(rc < 0 && e.code == rc && e.msg[0]);
        }
        /* The sentence numbers alone: the same, wherever both decode. */
        ig_err_clear(&e);
        int rs = idx_layout_sentences(r, d, &ls, &e);
        CHECK(rs == 0 || (rs < 0 && e.code == rs && e.msg[0]));
        if (rc == 0 && rs == 0)
            CHECK(ls.n == l.n &&
                  (l.n == 0 || memcmp(ls.sentence, l.sentence, l.n * sizeof *l.sentence) == 0));
        ig_err_clear(&e);
        rc = idx_doc_text(r, d, &b, &e);
        CHECK(rc == 0 || (rc < 0 && e.code == rc && e.msg[0]));
    }
    idx_layout_free(&l);
    idx_layout_free(&ls);
    ig_buf_free(&b);

    uint32_t nt = idx_term_count(r);
    uint64_t steps = 0;
    for (uint32_t t = 0; t < nt && t < MAX_TERMS; t++) {
        size_t n = 0, sn = 0;
        const char *s = idx_term(r, t, &n);
        CHECK(s != NULL && (!ok || strlen(s) == n));
        CHECK(idx_term_stem(r, t, &sn) != NULL);
        CHECK(idx_term_lang(r, t) != NULL);
        (void)idx_term_find(r, s, n, idx_term_lang(r, t));
        idx_postings it;
        ig_err_clear(&e);
        int rc = idx_postings_open(r, t, &it, &e);
        if (rc < 0) {
            CHECK(e.code == rc && e.msg[0]);
            continue;
        }
        int first = 1;
        uint32_t last_doc = 0;
        while (steps++ < MAX_STEPS && (rc = idx_postings_next_doc(&it, &e)) == 1) {
            CHECK(!ok || it.doc < nd);
            CHECK(!ok || first || it.doc > last_doc);
            first = 0;
            last_doc = it.doc;
            uint32_t pos, span;
            while (steps++ < MAX_STEPS && (rc = idx_postings_next_pos(&it, &pos, &span, &e)) == 1)
                ;
            if (rc < 0)
                break;
        }
        if (rc < 0)
            CHECK(e.code == rc && e.msg[0]);
    }
}

static void open_and_walk(const void *data, size_t size)
{
    char path[600];
    fz_put(path, sizeof path, "index.igx", data, size);
    idx_reader *r = NULL;
    ig_err e;
    ig_err_clear(&e);
    int rc = idx_open(&r, path, &e);
    if (rc == 0) {
        CHECK(r != NULL);
        walk(r);
        idx_close(r);
    } else {
        CHECK(r == NULL && rc < 0 && e.code == rc && e.msg[0]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    open_and_walk(data, size);
    unsigned char *fixed = calloc(1, size ? size : 1);
    if (!fixed)
        return 0;
    if (size)
        memcpy(fixed, data, size);
    idx_fix_crcs(fixed, size);
    if (size && memcmp(fixed, data, size) != 0)
        open_and_walk(fixed, size);
    free(fixed);
    return 0;
}

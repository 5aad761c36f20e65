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
 * input is also opened a second time after fix_crcs() has recomputed every
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
    idx_layout l = {0};
    for (uint32_t d = 0; d < nd && d < MAX_DOCS; d++) {
        for (size_t c = 0; c < nc; c++)
            CHECK(idx_doc_meta(r, d, c) != NULL);
        CHECK(idx_doc_id(r, d) != NULL);
        idx_doc_stats st;
        (void)idx_doc_stats_get(r, d, &st);
        ig_err_clear(&e);
        int rc = idx_layout_get(r, d, &l, &e);
        if (rc == 0) {
            for (uint32_t i = 0; i < l.n; i++)
                CHECK(!ok || l.start[i] <= l.end[i]);
        } else {
            CHECK(rc < 0 && e.code == rc && e.msg[0]);
        }
        ig_err_clear(&e);
        rc = idx_doc_text(r, d, &b, &e);
        CHECK(rc == 0 || (rc < 0 && e.code == rc && e.msg[0]));
    }
    idx_layout_free(&l);
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

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* [off, off+len) inside [0, size)? */
static int inside(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* Recompute every CRC of b[0..n) where the offsets it needs are in range;
 * whatever is out of range is left for the reader to reject. */
static void fix_crcs(unsigned char *b, size_t n)
{
    if (n < 32 + 40)
        return;
    put32(b + 28, idx_crc32(0, b, 28));
    unsigned char *f = b + n - 40;
    uint64_t doff = get64(f), dn = get32(f + 8);
    if (dn > 64 || !inside(doff, dn * IDX_DIRENT_SIZE, n))
        goto footer;
    unsigned char *dir = b + doff;
    uint64_t soff[IDX_NSECTIONS + 1] = {0}, slen[IDX_NSECTIONS + 1] = {0};
    for (uint64_t i = 0; i < dn; i++) {
        const unsigned char *de = dir + i * IDX_DIRENT_SIZE;
        uint32_t id = get32(de);
        if (id >= 1 && id <= IDX_NSECTIONS && inside(get64(de + 8), get64(de + 16), n)) {
            soff[id] = get64(de + 8);
            slen[id] = get64(de + 16);
        }
    }
    /* per-document layout and text CRCs */
    if (slen[IDX_SEC_DOCUMENTS] >= 8) {
        unsigned char *d = b + soff[IDX_SEC_DOCUMENTS];
        uint64_t nd = get32(d);
        for (uint64_t i = 0; i < nd && 8 + (i + 1) * IDX_DOC_REC <= slen[IDX_SEC_DOCUMENTS]; i++) {
            unsigned char *rec = d + 8 + i * IDX_DOC_REC;
            uint64_t lo = get64(rec + 40), ll = get64(rec + 48);
            uint64_t to = get64(rec + 56), tl = get64(rec + 64);
            if (inside(lo, ll, slen[IDX_SEC_DOCDATA]))
                put32(rec + DR_LAYOUT_CRC, idx_crc32(0, b + soff[IDX_SEC_DOCDATA] + lo, ll));
            if (inside(to, tl, slen[IDX_SEC_DOCDATA]))
                put32(rec + DR_TEXT_CRC, idx_crc32(0, b + soff[IDX_SEC_DOCDATA] + to, tl));
        }
    }
    /* per-term postings CRCs */
    if (slen[IDX_SEC_VOCABULARY] >= 8) {
        unsigned char *v = b + soff[IDX_SEC_VOCABULARY];
        uint64_t nt = get32(v);
        for (uint64_t i = 0; i < nt && 8 + (i + 1) * IDX_TERM_REC <= slen[IDX_SEC_VOCABULARY]; i++) {
            unsigned char *rec = v + 8 + i * IDX_TERM_REC;
            uint64_t po = get64(rec), pl = get64(rec + 8);
            if (inside(po, pl, slen[IDX_SEC_POSTINGS]))
                put32(rec + TR_POST_CRC, idx_crc32(0, b + soff[IDX_SEC_POSTINGS] + po, pl));
        }
    }
    /* then the sections (which contain the records above), the directory */
    for (uint64_t i = 0; i < dn; i++) {
        unsigned char *de = dir + i * IDX_DIRENT_SIZE;
        if (inside(get64(de + 8), get64(de + 16), n))
            put32(de + 4, idx_crc32(0, b + get64(de + 8), get64(de + 16)));
    }
    put32(f + 12, idx_crc32(0, dir, dn * IDX_DIRENT_SIZE));
footer:
    put32(f + 28, idx_crc32(0, f, 28));
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
    fix_crcs(fixed, size);
    if (size && memcmp(fixed, data, size) != 0)
        open_and_walk(fixed, size);
    free(fixed);
    return 0;
}

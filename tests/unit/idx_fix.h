/*
 * idx_fix.h: recompute every checksum of an index file in memory, so that a
 * test or fuzz target can change bytes behind the CRCs and reach the
 * parsers there (a CRC is an accident detector, not a guarantee of
 * sanity).  The offsets are the format's, specified at the top of
 * stages/index.c (index_fmt.h).  Shared by tests/unit/test_index.c and
 * tests/fuzz/fuzz_index_read.c; static functions, one copy per program.
 */
#ifndef IG_TEST_IDX_FIX_H
#define IG_TEST_IDX_FIX_H

#include <stddef.h>
#include <stdint.h>

#include "index.h"
#include "index_fmt.h"

static uint64_t fx_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t fx_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fx_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* [off, off+len) inside [0, size)? */
static int fx_inside(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* Recompute every CRC of b[0..n) where the offsets it needs are in range;
 * whatever is out of range is left for the reader to reject. */
static void idx_fix_crcs(unsigned char *b, size_t n)
{
    if (n < 32 + 40)
        return;
    fx_put32(b + 28, idx_crc32(0, b, 28));
    unsigned char *f = b + n - 40;
    uint64_t doff = fx_get64(f), dn = fx_get32(f + 8);
    if (dn > 64 || !fx_inside(doff, dn * IDX_DIRENT_SIZE, n))
        goto footer;
    unsigned char *dir = b + doff;
    uint64_t soff[IDX_NSECTIONS + 1] = {0}, slen[IDX_NSECTIONS + 1] = {0};
    for (uint64_t i = 0; i < dn; i++) {
        const unsigned char *de = dir + i * IDX_DIRENT_SIZE;
        uint32_t id = fx_get32(de);
        if (id >= 1 && id <= IDX_NSECTIONS && fx_inside(fx_get64(de + 8), fx_get64(de + 16), n)) {
            soff[id] = fx_get64(de + 8);
            slen[id] = fx_get64(de + 16);
        }
    }
    /* per-document layout and text CRCs */
    if (slen[IDX_SEC_DOCUMENTS] >= 8) {
        unsigned char *d = b + soff[IDX_SEC_DOCUMENTS];
        uint64_t nd = fx_get32(d);
        for (uint64_t i = 0; i < nd && 8 + (i + 1) * IDX_DOC_REC <= slen[IDX_SEC_DOCUMENTS]; i++) {
            unsigned char *rec = d + 8 + i * IDX_DOC_REC;
            uint64_t lo = fx_get64(rec + 40), ll = fx_get64(rec + 48);
            uint64_t to = fx_get64(rec + 56), tl = fx_get64(rec + 64);
            if (fx_inside(lo, ll, slen[IDX_SEC_DOCDATA]))
                fx_put32(rec + DR_LAYOUT_CRC, idx_crc32(0, b + soff[IDX_SEC_DOCDATA] + lo, ll));
            if (fx_inside(to, tl, slen[IDX_SEC_DOCDATA]))
                fx_put32(rec + DR_TEXT_CRC, idx_crc32(0, b + soff[IDX_SEC_DOCDATA] + to, tl));
        }
    }
    /* per-term postings CRCs */
    if (slen[IDX_SEC_VOCABULARY] >= 8) {
        unsigned char *v = b + soff[IDX_SEC_VOCABULARY];
        uint64_t nt = fx_get32(v);
        for (uint64_t i = 0; i < nt && 8 + (i + 1) * IDX_TERM_REC <= slen[IDX_SEC_VOCABULARY]; i++) {
            unsigned char *rec = v + 8 + i * IDX_TERM_REC;
            uint64_t po = fx_get64(rec), pl = fx_get64(rec + 8);
            if (fx_inside(po, pl, slen[IDX_SEC_POSTINGS]))
                fx_put32(rec + TR_POST_CRC, idx_crc32(0, b + soff[IDX_SEC_POSTINGS] + po, pl));
        }
    }
    /* then the sections (which contain the records above), the directory */
    for (uint64_t i = 0; i < dn; i++) {
        unsigned char *de = dir + i * IDX_DIRENT_SIZE;
        if (fx_inside(fx_get64(de + 8), fx_get64(de + 16), n))
            fx_put32(de + 4, idx_crc32(0, b + fx_get64(de + 8), fx_get64(de + 16)));
    }
    fx_put32(f + 12, idx_crc32(0, dir, dn * IDX_DIRENT_SIZE));
footer:
    fx_put32(f + 28, idx_crc32(0, f, 28));
}

#endif

/*
 * index_doc.h: a prepared document (idx_docbuf), filled by idx_prep_doc
 * (index_prep.c, on any thread) and added by idx_writer_add
 * (index_write.c, in document order), and the small helpers both use.
 * Private to the index module: no other module includes it.
 */
#ifndef IG_INDEX_DOC_H
#define IG_INDEX_DOC_H

#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "index.h"

#define IDX_ENC_SLACK 16

/* A distinct term of a prepared document. */
struct dterm {
    uint32_t tid;           /* its thread term (index_prep.c) */
    uint32_t fresh;         /* 1 if the preparer met it first in this
                               document: then hash and surface are set */
    uint64_t hash;          /* of the surface */
    uint32_t surf_off, surf_len;
    uint32_t freq;
    uint32_t enc_len;
    uint64_t enc_off;       /* its encoded positions in enc */
};

struct idx_docbuf {
    struct dterm *t;        /* in order of first occurrence */
    size_t nt, ct;
    ig_buf surf;            /* surfaces of the fresh terms, back to back */
    ig_buf enc;             /* encoded positions, back to back; at least
                               IDX_ENC_SLACK bytes past the last list can be
                               read (the writer copies short lists in words) */
    ig_buf layout;          /* the layout blob */
    ig_buf text;            /* the zlib text blob */
    uint64_t bytes, truncated;
    uint32_t positions, sentences, paragraphs, sections;
    uint32_t layout_crc, text_crc;
    uint32_t blob_crc;      /* of layout then text: for the section CRC */
    unsigned char sha[32];
    idx_doc_src src;        /* path not kept */
    /* Who prepared it: the writer follows each preparer's thread terms
     * (index_write.c, "thread term maps"). */
    uint64_t owner;         /* the preparer's serial number */
    uint32_t epoch, seq;    /* its epoch, and the document's number in it */
    const char *lang;       /* language the terms were keyed by (borrowed) */
};

/* Unaligned loads in host byte order (hashes and comparisons in memory
 * only: nothing of them reaches the file). */
static inline uint64_t w_load64(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

static inline uint64_t w_load32(const char *s)
{
    uint32_t v;
    memcpy(&v, s, 4);
    return v;
}

/* s[0..n) == t[0..n), for short strings without a call: most terms are
 * a few bytes long and this runs once per distinct term of every
 * document. */
static inline int w_same(const char *s, const char *t, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (w_load64(s + i) != w_load64(t + i))
                return 0;
        return w_load64(s + n - 8) == w_load64(t + n - 8);
    }
    if (n >= 4)
        return w_load32(s) == w_load32(t) && w_load32(s + n - 4) == w_load32(t + n - 4);
    for (size_t i = 0; i < n; i++)
        if (s[i] != t[i])
            return 0;
    return 1;
}

/* Grow an array of elem-sized items to hold at least need. */
static inline int w_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return IG_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = ig_reallocarray(*p, c, elem);
    if (n == NULL)
        return IG_ENOMEM;
    *p = n;
    *cap = c;
    return IG_OK;
}

#endif

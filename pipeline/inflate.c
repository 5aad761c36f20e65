/*
 * inflate.c: the fast zlib-stream decoder of inflate.h (RFC 1950, 1951).
 *
 * Pipeline place: under idx_doc_text (stages/index.c), which falls back to
 * zlib's inflate whenever this returns -1.  Written from the RFCs.
 *
 * Shape.  Bits are read least significant first from a 64-bit buffer,
 * refilled a word at a time while 8 input bytes remain (then a byte at a
 * time, with every read checked against the bits really held).  Huffman
 * codes are decoded by table: a primary table indexed by the next LBITS
 * (DBITS for distances) bits, and for longer codes one subtable per
 * primary slot, indexed by the bits after it.  For literal/length codes a
 * second primary table holds, wherever two literal codes fit in LBITS bits,
 * both literals (for the checked step), and a third table, indexed by
 * FBITS bits, up to three (for the fast path): prose coded with Huffman
 * codes of about 4 to 6 bits per byte then decodes two or three bytes per
 * look-up.  While input and output are far from their ends, the fast path
 * takes four such look-ups per refill and leaves everything else (longer
 * codes, lengths, the end of a block) to a step that checks every case.
 *
 * Two streams.  Each look-up needs the bits the one before it left, so one
 * stream's decoding is a chain of dependent loads; ig_inflate_zlibn runs
 * the fast paths of two streams in one loop, whose two chains the
 * processor overlaps, while both streams' current blocks use the same
 * codes (the tables are shared); as a stream ends, the next one of the
 * batch takes its place.  Every stream goes through the same checked steps
 * as alone, so each outcome is the one-stream outcome.
 *
 * Strictness.  The decoder accepts only what zlib accepts, and declines
 * (-1) at the first doubt, so the caller's zlib run reports the damage:
 * code lengths are checked as zlib's inflate_table checks them
 * (over-subscribed sets always, incomplete sets unless the longest code has
 * one bit; code length codes must be complete), the end-of-block code must
 * exist, symbols 286, 287 and distances 30, 31 are invalid, a distance may
 * not reach before the start of the output, a block type 3 is invalid,
 * stored lengths must match their complements, the output must be exactly
 * the expected length and the Adler-32 trailer must match, and the stream
 * must end exactly at the end of its input.
 */
#include "inflate.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "rfc1951.h"

#define LBITS 11           /* primary literal/length table: 2^LBITS slots */
#define DBITS 8            /* primary distance table */
#define CBITS 7            /* code length codes: at most 7 bits, no subtables */
#define MAXBITS 15         /* longest code of RFC 1951 */
#define FBITS 12           /* the fast path's literal table (tables.multi) */

/* A table entry: val << 16 | kind << 8 | bits.  bits is the code length
 * (for a subtable entry: the bits after the primary LBITS or DBITS; for a
 * K_SUB slot: the subtable's index width); val is the literal (K_LIT2: two,
 * the first in the low byte), the length or distance symbol's number, or a
 * K_SUB slot's subtable offset. */
enum { K_LIT1, K_LIT2, K_LEN, K_EOB, K_DIST, K_SUB, K_BAD };
#define ENT(val, kind, bits) ((uint32_t)(val) << 16 | (uint32_t)(kind) << 8 | (uint32_t)(bits))
#define E_BITS(e) ((unsigned)(e) & 0xFFu)
#define E_KIND(e) ((unsigned)(e) >> 8 & 0xFFu)
#define E_VAL(e) ((unsigned)(e) >> 16)

/* What a table decodes. */
enum { T_LITLEN, T_DIST, T_CODES };

typedef struct tables {
    uint32_t lit[(1u << LBITS) + 288u * (1u << (MAXBITS - LBITS))];
    uint32_t pair[1u << LBITS];  /* lit's primary part, with literal pairs */
    uint32_t multi[1u << FBITS]; /* the fast path's: up to three literals */
    uint32_t dist[(1u << DBITS) + 32u * (1u << (MAXBITS - DBITS))];
    /* The code lengths the tables were built from, when valid: a dynamic
     * block with the same lengths reuses them.  Texts of ordinary prose
     * all carry the same codes (deflate.c, "the prose codes"), so nearly
     * every document skips building them. */
    int valid;
    unsigned nlen, ndist;
    unsigned char lens[286 + 30];
} tables;

static uint32_t entry_for(unsigned sym, int what, unsigned bits)
{
    if (what == T_CODES)
        return ENT(sym, K_LIT1, bits);
    if (what == T_DIST)
        return sym < 30 ? ENT(sym, K_DIST, bits) : ENT(0, K_BAD, bits);
    if (sym < 256)
        return ENT(sym, K_LIT1, bits);
    if (sym == 256)
        return ENT(0, K_EOB, bits);
    return sym < 286 ? ENT(sym - 257, K_LEN, bits) : ENT(0, K_BAD, bits);
}

/* The decoding table of the code lengths lens[0..n) into t, primary width
 * tb.  Returns 0, or -1 where zlib would reject the lengths (or accept a
 * set with no codes where the stream cannot use one: code length codes). */
static int build(uint32_t *t, unsigned tb, const unsigned char *lens, unsigned n, int what)
{
    unsigned count[MAXBITS + 1] = { 0 };
    for (unsigned s = 0; s < n; s++)
        count[lens[s]]++;
    count[0] = 0;
    unsigned max = MAXBITS;
    while (max >= 1 && count[max] == 0)
        max--;
    size_t psize = (size_t)1 << tb;
    int left = 1;
    for (unsigned len = 1; len <= MAXBITS; len++) {
        left <<= 1;
        left -= (int)count[len];
        if (left < 0)
            return -1; /* over-subscribed */
    }
    if (max == 0 && what == T_CODES)
        return -1;
    if (left > 0 && max != 0 && (what == T_CODES || max != 1))
        return -1;     /* incomplete */
    /* A complete code fills every primary slot; otherwise the slots no
     * code reaches must fail (with no code at all, every look-up). */
    if (left > 0)
        for (size_t k = 0; k < psize; k++)
            t[k] = ENT(0, K_BAD, 0);
    if (max == 0)
        return 0;
    unsigned next[MAXBITS + 1];
    next[1] = 0;
    for (unsigned len = 1; len < MAXBITS; len++)
        next[len + 1] = (next[len] + count[len]) << 1;
    unsigned sub = max > tb ? max - tb : 0;  /* every subtable's width */
    size_t used = psize;
    if (sub > 0 && left == 0) {
        /* The slots that will lead to subtables may hold a K_SUB of an
         * earlier table: clear them first. */
        unsigned nx[MAXBITS + 1];
        memcpy(nx, next, sizeof nx);
        for (unsigned s = 0; s < n; s++) {
            unsigned len = lens[s];
            if (len <= tb)
                continue;
            unsigned code = nx[len]++, rev = 0;
            for (unsigned b = 0; b < len; b++)
                rev |= (code >> b & 1u) << (len - 1 - b);
            t[rev & (psize - 1)] = ENT(0, K_BAD, 0);
        }
    }
    for (unsigned s = 0; s < n; s++) {
        unsigned len = lens[s];
        if (len == 0)
            continue;
        unsigned code = next[len]++, rev = 0;
        for (unsigned b = 0; b < len; b++)
            rev |= (code >> b & 1u) << (len - 1 - b);
        if (len <= tb) {
            uint32_t e = entry_for(s, what, len);
            for (size_t k = rev; k < psize; k += (size_t)1 << len)
                t[k] = e;
            continue;
        }
        size_t pre = rev & (psize - 1);
        if (E_KIND(t[pre]) != K_SUB) {
            t[pre] = ENT(used, K_SUB, sub);
            for (size_t k = 0; k < ((size_t)1 << sub); k++)
                t[used + k] = ENT(0, K_BAD, 0);
            used += (size_t)1 << sub;
        }
        size_t base = E_VAL(t[pre]);
        unsigned l2 = len - tb;
        uint32_t e = entry_for(s, what, l2);
        for (size_t k = rev >> tb; k < ((size_t)1 << sub); k += (size_t)1 << l2)
            t[base + k] = e;
    }
    return 0;
}

/* The literal pairs: where a literal's code leaves room in LBITS bits for
 * a whole second literal code, one look-up yields both. */
static void build_pairs(tables *T)
{
    for (size_t k = 0; k < ((size_t)1 << LBITS); k++) {
        uint32_t e = T->lit[k];
        T->pair[k] = e;
        if (E_KIND(e) != K_LIT1 || E_BITS(e) >= LBITS)
            continue;
        unsigned l1 = E_BITS(e);
        uint32_t e2 = T->lit[k >> l1];
        if (E_KIND(e2) == K_LIT1 && E_BITS(e2) <= LBITS - l1)
            T->pair[k] = ENT(E_VAL(e) | E_VAL(e2) << 8, K_LIT2, l1 + E_BITS(e2));
    }
}

/* The fast path's table: for every FBITS bits, the literals whose whole
 * codes they hold, up to three (prose codes of about 4 to 6 bits give
 * three in 12 bits about half the time, where the pairs give two):
 *   bits 0-23   the literals, the first in the low byte;
 *   bits 24-27  the bits their codes take (1 to FBITS);
 *   bits 28-29  how many (1 to 3);
 *   bit 31      set when the bits start with anything but a literal of
 *               at most FBITS bits (FAST_LIT then takes the primary
 *               table's entry, FAST_LONG).
 * The first literal may have a code of LBITS + 1 .. FBITS bits (its
 * subtable slot then depends on one bit past LBITS alone); the others fit
 * in the primary table. */
#define M_SPECIAL 0x80000000u
#define M_BITS(e) ((unsigned)(e) >> 24 & 15u)
#define M_COUNT(e) ((unsigned)(e) >> 28 & 3u)
static void build_multi(tables *T)
{
    for (uint32_t k = 0; k < (1u << FBITS); k++) {
        uint32_t e = T->lit[k & ((1u << LBITS) - 1)], lits = 0;
        unsigned used = 0, n = 0;
        if (E_KIND(e) == K_SUB && E_BITS(e) >= FBITS - LBITS) {
            uint32_t e2 = T->lit[E_VAL(e) + (k >> LBITS)];
            if (E_KIND(e2) == K_LIT1 && LBITS + E_BITS(e2) <= FBITS)
                e = ENT(E_VAL(e2), K_LIT1, LBITS + E_BITS(e2));
        }
        while (n < 3 && E_KIND(e) == K_LIT1 && E_BITS(e) >= 1 && used + E_BITS(e) <= FBITS) {
            lits |= E_VAL(e) << (8 * n++);
            used += E_BITS(e);
            e = T->lit[(k >> used) & ((1u << LBITS) - 1)];
        }
        T->multi[k] = n == 0 ? M_SPECIAL : lits | used << 24 | n << 28;
    }
}

/* Write the three literal bytes of a multi entry (only the first
 * M_COUNT are kept: the caller advances by that). */
static inline void put_multi(unsigned char *out, uint32_t fe)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, &fe, 4); /* the fourth byte is written over later */
#else
    out[0] = (unsigned char)fe;
    out[1] = (unsigned char)(fe >> 8);
    out[2] = (unsigned char)(fe >> 16);
#endif
}

static uint64_t load64le(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Bit buffer: bb holds bl valid bits (bits above may hold the next input
 * bits, never anything else).  REFILL brings bl to 56..63 while input
 * lasts; NEED declines a stream that ends inside a code. */
#define REFILL()                                                      \
    do {                                                              \
        if (in_end - in >= 8) {                                       \
            bb |= load64le(in) << bl;                                 \
            in += (63 - bl) >> 3;                                     \
            bl |= 56;                                                 \
        } else {                                                      \
            while (bl < 56 && in < in_end) {                            \
                bb |= (uint64_t)*in++ << bl;                          \
                bl += 8;                                              \
            }                                                         \
        }                                                             \
    } while (0)
#define NEED(k)                                                       \
    do {                                                              \
        if (bl < (unsigned)(k))                                       \
            return -1;                                                \
    } while (0)
#define DROP(k)                                                       \
    do {                                                              \
        bb >>= (k);                                                   \
        bl -= (unsigned)(k);                                          \
    } while (0)
#define BITS(k) ((unsigned)(bb & (((uint64_t)1 << (k)) - 1)))

/* The next literal/length entry (e), its bits (nb) and kind. */
#define LOOKUP(e, nb, kind)                                           \
    do {                                                              \
        e = T->pair[BITS(LBITS)];                                     \
        nb = E_BITS(e);                                               \
        if (E_KIND(e) == K_SUB) {                                     \
            e = T->lit[E_VAL(e) + (BITS(LBITS + nb) >> LBITS)];       \
            nb = LBITS + E_BITS(e);                                   \
        }                                                             \
        kind = E_KIND(e);                                             \
    } while (0)
/* Write a K_LIT1 or K_LIT2 entry's bytes: two written, 1 + kind kept. */
#define PUT(e, kind)                                                  \
    do {                                                              \
        out[0] = (unsigned char)E_VAL(e);                             \
        out[1] = (unsigned char)(E_VAL(e) >> 8);                      \
        out += 1 + (kind);                                            \
    } while (0)

/* Adler-32 (RFC 1950), zlib's adler32() to the bit: with SSE2, 16 bytes a
 * step (the byte sum by _mm_sad_epu8, the weighted sum by _mm_madd_epi16),
 * folded modulo 65521 every ADLER_NMAX bytes as zlib does; the rest byte by
 * byte.  zlib's scalar loop was about a sixth of decoding's time. */
#define ADLER_BASE 65521u
#define ADLER_NMAX 5552u   /* most bytes before the sums must be folded */

uint32_t ig_adler32(uint32_t adler, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    uint64_t a = adler & 0xFFFFu, b = adler >> 16;
    while (n > 0) {
        size_t k = n < ADLER_NMAX ? n : ADLER_NMAX;
        n -= k;
#if defined(__SSE2__)
        size_t chunks = k / 16;
        if (chunks > 0) {
            const __m128i zero = _mm_setzero_si128();
            const __m128i wlo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
            const __m128i whi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
            __m128i vs1 = zero, vps = zero, vs2 = zero;
            for (size_t c = 0; c < chunks; c++) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * c));
                vps = _mm_add_epi32(vps, vs1);
                vs1 = _mm_add_epi32(vs1, _mm_sad_epu8(x, zero));
                vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_unpacklo_epi8(x, zero), wlo));
                vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_unpackhi_epi8(x, zero), whi));
            }
            uint32_t l1[4], lp[4], l2[4];
            _mm_storeu_si128((__m128i *)(void *)l1, vs1);
            _mm_storeu_si128((__m128i *)(void *)lp, vps);
            _mm_storeu_si128((__m128i *)(void *)l2, vs2);
            uint64_t s1 = (uint64_t)l1[0] + l1[2], ps = (uint64_t)lp[0] + lp[2];
            uint64_t s2 = (uint64_t)l2[0] + l2[1] + l2[2] + l2[3];
            b += 16 * chunks * a + 16 * ps + s2;
            a += s1;
            p += 16 * chunks;
            k -= 16 * chunks;
        }
#endif
        while (k--) {
            a += *p++;
            b += a;
        }
        a %= ADLER_BASE;
        b %= ADLER_BASE;
    }
    return (uint32_t)(b << 16 | a);
}

/* One stream being decoded: its input left, its output, its bits. */
typedef struct zs {
    const unsigned char *in, *in_end;
    unsigned char *dst, *out, *out_end; /* output start, next byte, end */
    uint64_t bb;                        /* bit buffer (REFILL) */
    unsigned bl;                        /* valid bits in bb */
    unsigned final;                     /* the current block is the last */
} zs;

/* The macros above work on locals: take a stream's state, give it back. */
#define ZS_GET(s)                                                     \
    do {                                                              \
        in = (s)->in;                                                 \
        in_end = (s)->in_end;                                         \
        out = (s)->out;                                               \
        out_end = (s)->out_end;                                       \
        bb = (s)->bb;                                                 \
        bl = (s)->bl;                                                 \
    } while (0)
#define ZS_PUT(s)                                                     \
    do {                                                              \
        (s)->in = in;                                                 \
        (s)->out = out;                                               \
        (s)->bb = bb;                                                 \
        (s)->bl = bl;                                                 \
    } while (0)
#define ZS_LOCALS                                                     \
    const unsigned char *in, *in_end;                                 \
    unsigned char *out, *out_end;                                     \
    uint64_t bb;                                                      \
    unsigned bl

/* Start s on the zlib stream src[0..n) for dst[0..want): 0, or -1 to leave
 * the stream to zlib (header 78 xx: deflate with a 32 KiB window, the
 * check, no dictionary; anything else, an empty text too, goes to zlib). */
static int zs_init(zs *s, const void *src, size_t n, void *dst, size_t want)
{
    const unsigned char *in = src;
    if (n < 7 || want == 0 || in[0] != 0x78 || (in[1] & 0x20) != 0 ||
        ((unsigned)in[0] << 8 | in[1]) % 31 != 0)
        return -1;
    s->in = in + 2;
    s->in_end = in + n;
    s->dst = s->out = dst;
    s->out_end = s->dst + want;
    s->bb = 0;
    s->bl = 0;
    s->final = 0;
    return 0;
}

/* The next block's header.  Returns 0 when its symbols follow (T holds its
 * codes), 1 when it was a stored block (copied whole), 2 when its codes
 * are not T's and may_build is 0 (T untouched; s must be restored by the
 * caller, having been read from), -1 on any doubt. */
static int block_begin(zs *s, tables *T, int may_build)
{
    ZS_LOCALS;
    ZS_GET(s);
    REFILL();
    NEED(3);
    s->final = BITS(1);
    unsigned type = BITS(3) >> 1;
    DROP(3);
    if (type == 0) {
        /* Stored: to the byte boundary, give back the whole bytes held. */
        DROP(bl & 7);
        in -= bl >> 3;
        bb = 0;
        bl = 0;
        if (in_end - in < 4)
            return -1;
        size_t len = (size_t)in[0] | (size_t)in[1] << 8;
        size_t nlen = (size_t)in[2] | (size_t)in[3] << 8;
        if (len != (~nlen & 0xFFFFu))
            return -1;
        in += 4;
        if ((size_t)(in_end - in) < len || (size_t)(out_end - out) < len)
            return -1;
        memcpy(out, in, len);
        in += len;
        out += len;
        ZS_PUT(s);
        return 1;
    }
    if (type == 1) {
        if (!may_build)
            return 2;
        unsigned char lens[288 + 32];
        memset(lens, 8, 144);
        memset(lens + 144, 9, 112);
        memset(lens + 256, 7, 24);
        memset(lens + 280, 8, 8);
        memset(lens + 288, 5, 32);
        T->valid = 0;
        if (build(T->lit, LBITS, lens, 288, T_LITLEN) ||
            build(T->dist, DBITS, lens + 288, 32, T_DIST))
            return -1;
        build_pairs(T);
        build_multi(T);
        ZS_PUT(s);
        return 0;
    }
    if (type != 2)
        return -1;
    REFILL();
    NEED(14);
    unsigned nlen = BITS(5) + 257, ndist = (BITS(10) >> 5) + 1, ncode = (BITS(14) >> 10) + 4;
    DROP(14);
    if (nlen > 286 || ndist > 30)
        return -1;
    unsigned char cl[19] = { 0 }, lens[286 + 30];
    for (unsigned i = 0; i < ncode; i++) {
        REFILL();
        NEED(3);
        cl[cl_order[i]] = (unsigned char)BITS(3);
        DROP(3);
    }
    uint32_t clt[1u << CBITS];
    if (build(clt, CBITS, cl, 19, T_CODES))
        return -1;
    unsigned i = 0;
    while (i < nlen + ndist) {
        REFILL();
        uint32_t e = clt[BITS(CBITS)];
        unsigned nb = E_BITS(e);
        if (E_KIND(e) != K_LIT1 || nb > bl)
            return -1;
        DROP(nb);
        unsigned sym = E_VAL(e), rep, v = 0;
        if (sym < 16) {
            lens[i++] = (unsigned char)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return -1;
            v = lens[i - 1];
            NEED(2);
            rep = 3 + BITS(2);
            DROP(2);
        } else if (sym == 17) {
            NEED(3);
            rep = 3 + BITS(3);
            DROP(3);
        } else {
            NEED(7);
            rep = 11 + BITS(7);
            DROP(7);
        }
        if (i + rep > nlen + ndist)
            return -1;
        while (rep--)
            lens[i++] = (unsigned char)v;
    }
    if (lens[256] == 0)
        return -1;
    if (!T->valid || nlen != T->nlen || ndist != T->ndist ||
        memcmp(lens, T->lens, nlen + ndist) != 0) {
        if (!may_build)
            return 2;
        T->valid = 0;
        if (build(T->lit, LBITS, lens, nlen, T_LITLEN) ||
            build(T->dist, DBITS, lens + nlen, ndist, T_DIST))
            return -1;
        build_pairs(T);
        build_multi(T);
        memcpy(T->lens, lens, nlen + ndist);
        T->nlen = nlen;
        T->ndist = ndist;
        T->valid = 1;
    }
    ZS_PUT(s);
    return 0;
}

/* One symbol of the current block, every case checked: 0 when decoded, 1
 * at the end of the block, -1 on any doubt. */
static int block_step(zs *s, const tables *T)
{
    ZS_LOCALS;
    ZS_GET(s);
    uint32_t e;
    unsigned nb, kind;
    REFILL();
    LOOKUP(e, nb, kind);
    if (nb > bl)
        return -1;
    if (kind == K_LIT2) {
        if (out_end - out < 2)
            return -1;
        PUT(e, kind);
        DROP(nb);
        ZS_PUT(s);
        return 0;
    }
    if (kind == K_LIT1) {
        if (out == out_end)
            return -1;
        *out++ = (unsigned char)E_VAL(e);
        DROP(nb);
        ZS_PUT(s);
        return 0;
    }
    if (kind == K_EOB) {
        DROP(nb);
        ZS_PUT(s);
        return 1;
    }
    if (kind != K_LEN)
        return -1;
    DROP(nb);
    unsigned sym = E_VAL(e), x = len_extra[sym];
    NEED(x);
    size_t len = len_base[sym] + BITS(x);
    DROP(x);
    e = T->dist[BITS(DBITS)];
    nb = E_BITS(e);
    if (E_KIND(e) == K_SUB) {
        e = T->dist[E_VAL(e) + (BITS(DBITS + nb) >> DBITS)];
        nb = DBITS + E_BITS(e);
    }
    if (E_KIND(e) != K_DIST || nb > bl)
        return -1;
    DROP(nb);
    sym = E_VAL(e);
    x = dist_extra[sym];
    NEED(x);
    size_t dist = dist_base[sym] + BITS(x);
    DROP(x);
    if (dist > (size_t)(out - s->dst) || len > (size_t)(out_end - out))
        return -1;
    const unsigned char *from = out - dist;
    if (dist >= len) {
        memcpy(out, from, len);
    } else {
        for (size_t k = 0; k < len; k++)
            out[k] = from[k];
    }
    out += len;
    ZS_PUT(s);
    return 0;
}

/* The literal fast path.  While 8 input bytes and 16 output bytes remain,
 * a refill holds at least 56 bits, enough for FAST_ROUNDS look-ups of the
 * multi table (at most FBITS bits each); each writes three bytes and keeps
 * one to three.  Any other entry (a longer code, a length, the end of the
 * block) goes to FAST_LONG, and from there to label slow, the stream's
 * state intact, for block_step. */
#define FAST_ROUNDS 4
_Static_assert(FAST_ROUNDS * FBITS <= 56, "a refill must cover the fast path's look-ups");
#define FAST_ROOM(in, in_end, out, out_end) ((in_end) - (in) >= 8 && (out_end) - (out) >= 16)
#define FAST_REFILL(in, bb, bl)                                       \
    do {                                                              \
        bb |= load64le(in) << bl;                                     \
        in += (63 - bl) >> 3;                                         \
        bl |= 56;                                                     \
    } while (0)
#define FAST_LIT(bb, bl, out, slow, next)                             \
    do {                                                              \
        uint32_t fe = T->multi[(unsigned)(bb & ((1u << FBITS) - 1))]; \
        if (fe & M_SPECIAL) {                                         \
            fe = T->lit[(unsigned)(bb & ((1u << LBITS) - 1))];        \
            FAST_LONG(fe, bb, bl, out, slow);                         \
            goto next;                                                \
        }                                                             \
        put_multi(out, fe);                                           \
        out += M_COUNT(fe);                                           \
        bb >>= M_BITS(fe);                                            \
        bl -= M_BITS(fe);                                             \
    } while (0)
/* A literal whose code is longer than LBITS (fe is its K_SUB slot):
 * decoded here from its subtable when the bits are held, else (and for
 * every other entry) to label slow.  The prose codes give digits and rare
 * letters codes of 12 to 15 bits: about one byte in a hundred of the bench
 * corpus, which each left the fast path for block_step.  The caller then
 * refills (label next): the look-ups after it were budgeted at LBITS bits. */
#define FAST_LONG(fe, bb, bl, out, slow)                                                     \
    do {                                                                                     \
        if (E_KIND(fe) != K_SUB)                                                             \
            goto slow;                                                                       \
        uint32_t le = T->lit[E_VAL(fe) + (unsigned)((bb >> LBITS) &                          \
                                                    ((1u << E_BITS(fe)) - 1))];             \
        unsigned ln = LBITS + E_BITS(le);                                                    \
        if (E_KIND(le) != K_LIT1 || ln > bl)                                                 \
            goto slow;                                                                       \
        *out++ = (unsigned char)E_VAL(le);                                                   \
        bb >>= ln;                                                                           \
        bl -= ln;                                                                            \
    } while (0)

/* The rest of the current block's symbols: 1 at its end, -1 on doubt. */
static int block_symbols(zs *s, const tables *T)
{
    ZS_LOCALS;
    for (;;) {
        ZS_GET(s);
        while (FAST_ROOM(in, in_end, out, out_end)) {
            FAST_REFILL(in, bb, bl);
            for (int k = 0; k < FAST_ROUNDS; k++)
                FAST_LIT(bb, bl, out, slow, next);
        next:;
        }
    slow:
        ZS_PUT(s);
        int rc = block_step(s, T);
        if (rc != 0)
            return rc;
    }
}

/* Two streams' current blocks, both coded with T, decoded side by side:
 * one stream's look-ups wait on each other (each needs the bits the last
 * one left), two streams' do not, so the processor overlaps them.  A
 * stream without room for the fast path takes checked steps meanwhile.
 * Stops as soon as one block ends or fails; *ra and *rb get 0 (block not
 * finished), 1 (finished) or -1 (failed). */
static void pair_symbols(zs *a, zs *b, const tables *T, int *ra, int *rb)
{
    const unsigned char *ia = a->in, *ea = a->in_end, *ib = b->in, *eb = b->in_end;
    unsigned char *oa = a->out, *za = a->out_end, *ob = b->out, *zb = b->out_end;
    uint64_t ba = a->bb, bbb = b->bb;
    unsigned la = a->bl, lb = b->bl;
    *ra = *rb = 0;
    for (;;) {
        while (FAST_ROOM(ia, ea, oa, za) && FAST_ROOM(ib, eb, ob, zb)) {
            FAST_REFILL(ia, ba, la);
            FAST_REFILL(ib, bbb, lb);
            for (int k = 0; k < FAST_ROUNDS; k++) {
                FAST_LIT(ba, la, oa, slow_a, next);
                FAST_LIT(bbb, lb, ob, slow_b, next);
            }
        next:;
        }
        if (!FAST_ROOM(ia, ea, oa, za))
            goto slow_a;
        goto slow_b;
    slow_a:
        a->in = ia, a->out = oa, a->bb = ba, a->bl = la;
        *ra = block_step(a, T);
        ia = a->in, oa = a->out, ba = a->bb, la = a->bl;
        if (*ra != 0)
            break;
        continue;
    slow_b:
        b->in = ib, b->out = ob, b->bb = bbb, b->bl = lb;
        *rb = block_step(b, T);
        ib = b->in, ob = b->out, bbb = b->bb, lb = b->bl;
        if (*rb != 0)
            break;
    }
    a->in = ia, a->out = oa, a->bb = ba, a->bl = la;
    b->in = ib, b->out = ob, b->bb = bbb, b->bl = lb;
}

/* The trailer: on the next byte boundary, the last 4 bytes of input. */
static int zs_finish(zs *s)
{
    ZS_LOCALS;
    ZS_GET(s);
    DROP(bl & 7);
    in -= bl >> 3;
    if (out != out_end || in_end - in != 4)
        return -1;
    uint32_t sum = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
    return ig_adler32(1, s->dst, (size_t)(out_end - s->dst)) == sum ? 0 : -1;
}

/* From a block boundary to the end of the stream: 0, or -1 on doubt. */
static int zs_run(zs *s, tables *T)
{
    while (!s->final) {
        int rc = block_begin(s, T, 1);
        if (rc == 0)
            rc = block_symbols(s, T);
        if (rc < 0)
            return -1;
    }
    return zs_finish(s);
}

/* One set of tables per thread, kept between calls (see tables.valid). */
static _Thread_local tables thread_tables;

int ig_inflate_zlib(const void *src, size_t n, void *dst, size_t want)
{
    zs s;
    if (zs_init(&s, src, n, dst, want))
        return -1;
    return zs_run(&s, &thread_tables);
}

/* A lane of ig_inflate_zlibn: its job, and where its stream stands. */
enum { LANE_FREE, LANE_EDGE, LANE_BLOCK, LANE_WAIT };
typedef struct lane {
    zs s;
    size_t job;
    int state;      /* FREE: no job; EDGE: at a block boundary; BLOCK: in a
                       block coded with T; WAIT: its next block needs other
                       codes while the other lane is inside a block */
} lane;

/* Bring lane l into a block (LANE_BLOCK), taking jobs from *next on as
 * its streams end, or leave it LANE_WAIT or LANE_FREE (no job left).  T
 * may be rebuilt only while the other lane o is not inside a block. */
static void lane_advance(lane *l, const lane *o, ig_inflate_job *job, size_t n, size_t *next,
                         tables *T)
{
    for (;;) {
        if (l->state == LANE_FREE) {
            if (*next == n)
                return;
            l->job = (*next)++;
            ig_inflate_job *j = &job[l->job];
            if (zs_init(&l->s, j->src, j->n, j->dst, j->want)) {
                j->rc = -1;
                continue;
            }
            l->state = LANE_EDGE;
        }
        if (l->state == LANE_BLOCK)
            return;
        if (l->s.final) {
            job[l->job].rc = zs_finish(&l->s);
            l->state = LANE_FREE;
            continue;
        }
        zs edge = l->s;
        int rc = block_begin(&l->s, T, o->state != LANE_BLOCK);
        if (rc == 0) {
            l->state = LANE_BLOCK;
            return;
        }
        if (rc == 2) {
            l->s = edge;
            l->state = LANE_WAIT;
            return;
        }
        l->state = rc == 1 ? LANE_EDGE : LANE_FREE;
        if (rc < 0)
            job[l->job].rc = -1;
    }
}

/* Lane l's block gave rc (block_symbols, pair_symbols). */
static void lane_after(lane *l, int rc, ig_inflate_job *job)
{
    if (rc == 1) {
        l->state = LANE_EDGE;
    } else if (rc < 0) {
        job[l->job].rc = -1;
        l->state = LANE_FREE;
    }
}

void ig_inflate_zlibn(ig_inflate_job *job, size_t n)
{
    tables *T = &thread_tables;
    lane L[2];
    L[0].state = L[1].state = LANE_FREE;
    size_t next = 0;
    for (;;) {
        lane_advance(&L[0], &L[1], job, n, &next, T);
        lane_advance(&L[1], &L[0], job, n, &next, T);
        int a = L[0].state == LANE_BLOCK, b = L[1].state == LANE_BLOCK;
        if (a && b) {
            int ra, rb;
            pair_symbols(&L[0].s, &L[1].s, T, &ra, &rb);
            lane_after(&L[0], ra, job);
            lane_after(&L[1], rb, job);
        } else if (a || b) {
            lane *l = &L[a ? 0 : 1];
            lane_after(l, block_symbols(&l->s, T), job);
        } else if (L[0].state == LANE_FREE && L[1].state == LANE_FREE) {
            return;
        }
        /* else a lane waits with the other one outside any block: its
         * next advance may build the tables */
    }
}

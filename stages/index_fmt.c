/*
 * index_fmt.c: the helpers of the index format that the reader (index.c)
 * and the writer (index_write.c, index_prep.c) share, declared in
 * index_fmt.h: section names, the CRC-32 that guards every section, list
 * and blob (zlib's, or carry-less multiplication where the CPU has it),
 * and the base of the fingerprint.  The format itself is specified at the
 * top of index.c.
 */
#include "index_fmt.h"

#include <pthread.h>
#include <stdio.h>
#include <utf8proc.h>
#include <zlib.h>

#include "stem.h"
#include "tokenise.h"

const char *idx_section_name(uint32_t id)
{
    static const char *const names[] = {
        "unknown", "docdata", "postings", "fingerprint", "languages", "columns",
        "documents", "metadata", "vocabulary", "strings", "stems"
    };
    return id <= IDX_NSECTIONS ? names[id] : names[0];
}

#if defined(__x86_64__) && defined(__GNUC__)
#define IDX_CLMUL 1
#include <immintrin.h>

/* CRC-32 of n >= 64 bytes (continuing crc, zlib's convention) by
 * carry-less multiplication, several times faster than zlib's tables: the
 * bytes are folded 64 at a time into four 128-bit lanes (each lane times
 * x^(512+32) and x^(512-32) mod P, in the bit-reflected form of this CRC),
 * the lanes into one (x^(128+-32)), then every further 16 bytes; the last
 * 16-byte lane and the tail go through zlib, which also takes care of the
 * pre- and post-inversion.  (The lane, read as a message of its own, has
 * the same CRC as all the bytes folded into it, CRC being linear.)  The
 * constants are x^n mod P bit-reflected and shifted left by one, for
 * P = 0x104C11DB7; tests/unit/test_index.c checks the result against zlib
 * at every length and alignment. */
__attribute__((target("pclmul,sse2")))
static uint32_t crc32_clmul(uint32_t crc, const unsigned char *p, size_t n)
{
    const __m128i k12 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);  /* x^(512-32), x^(512+32) */
    const __m128i k34 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);  /* x^(128-32), x^(128+32) */
    __m128i x[4];
    for (int i = 0; i < 4; i++)
        x[i] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
    x[0] = _mm_xor_si128(x[0], _mm_cvtsi32_si128((int)~crc));
    p += 64;
    n -= 64;
    for (; n >= 64; p += 64, n -= 64)
        for (int i = 0; i < 4; i++)
            x[i] = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x[i], k12, 0x00),
                                               _mm_clmulepi64_si128(x[i], k12, 0x11)),
                                 _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)));
    for (int i = 1; i < 4; i++)
        x[0] = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x[0], k34, 0x00),
                                           _mm_clmulepi64_si128(x[0], k34, 0x11)), x[i]);
    for (; n >= 16; p += 16, n -= 16)
        x[0] = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x[0], k34, 0x00),
                                           _mm_clmulepi64_si128(x[0], k34, 0x11)),
                             _mm_loadu_si128((const __m128i *)(const void *)p));
    unsigned char lane[16];
    _mm_storeu_si128((__m128i *)(void *)lane, x[0]);
    uLong c = crc32(0xffffffffUL, lane, 16);
    return (uint32_t)crc32(c, p, (uInt)n);
}
#endif

uint32_t idx_crc32(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    uLong c = crc;
#if IDX_CLMUL
    if (n >= 64 && __builtin_cpu_supports("pclmul"))
        return crc32_clmul(crc, s, n);
#endif
    while (n > 0) {
        uInt k = n > 0x40000000u ? 0x40000000u : (uInt)n;
        c = crc32(c, s, k);
        s += k;
        n -= k;
    }
    return (uint32_t)c;
}

/* ---- combining CRCs -------------------------------------------------------
 * crc(A then B) = crc(A) x^(8 |B|) + crc(B) mod P, with polynomials written
 * bit-reflected (bit 31 is x^0).  zlib's crc32_combine64 builds x^(8 |B|)
 * from the bits of |B|, a multiplication mod P each (about 430 ns for a
 * document-sized B); here it is built from the bytes of |B|, whose powers
 * are tabled once: at most four multiplications, usually two (a CRC is
 * combined per document and per long postings list). */
#define CRC_POLY 0xedb88320u

/* a b mod P: b times x at each of a's 32 bits, from x^0 up, added where
 * the bit is set.  Without branches: the bits of a are as good as random,
 * and zlib's loop, which branches on each, mispredicts half of them. */
static uint32_t crc_mult(uint32_t a, uint32_t b)
{
    uint32_t p = 0;
    for (int i = 31; i >= 0; i--) {
        p ^= b & (0u - ((a >> i) & 1));
        b = (b >> 1) ^ (CRC_POLY & (0u - (b & 1)));
    }
    return p;
}

/* crc_pow[j][v] = x^(8 v 256^j) mod P. */
static uint32_t crc_pow[4][256];
static pthread_once_t crc_pow_once = PTHREAD_ONCE_INIT;

static void crc_pow_init(void)
{
    uint32_t step = (uint32_t)1 << 23; /* x^8 */
    for (int j = 0; j < 4; j++) {
        crc_pow[j][0] = (uint32_t)1 << 31; /* x^0 */
        for (int v = 1; v < 256; v++)
            crc_pow[j][v] = crc_mult(crc_pow[j][v - 1], step);
        step = crc_mult(crc_pow[j][255], step); /* x^(8 256^(j+1)) */
    }
}

uint32_t idx_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2)
{
    if (len2 >> 32)
        return (uint32_t)crc32_combine64(crc1, crc2, (z_off64_t)len2);
    pthread_once(&crc_pow_once, crc_pow_init);
    uint32_t op = 0;
    for (int j = 0; j < 4; j++, len2 >>= 8)
        if (len2 & 0xff)
            op = op ? crc_mult(op, crc_pow[j][len2 & 0xff]) : crc_pow[j][len2 & 0xff];
    return (op ? crc_mult(op, crc1) : crc1) ^ crc2;
}

const char *idx_fingerprint_base(void)
{
    static char fp[512];
    static volatile int done;
    /* Computed once; the values are constants of the build, so a racing
     * second computation writes the same bytes. */
    if (!done) {
        snprintf(fp, sizeof fp,
                 "tokeniser_rules=%d\nnormalisation=%s\nutf8proc=%s\nstemmer=%s\n",
                 TOK_RULES_VERSION, IDX_NORMALISATION, utf8proc_version(),
                 stem_library_version());
        done = 1;
    }
    return fp;
}

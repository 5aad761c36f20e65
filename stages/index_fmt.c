/*
 * index_fmt.c: the helpers of the index format that the reader (index.c)
 * and the writer (index_write.c, index_prep.c) share, declared in
 * index_fmt.h: section names, the CRC-32 that guards every section, list
 * and blob (zlib's, or carry-less multiplication where the CPU has it),
 * and the base of the fingerprint.  The format itself is specified at the
 * top of index.c.
 */
#include "index_fmt.h"

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

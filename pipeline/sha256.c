/*
 * sha256.c: SHA-256 as specified in FIPS 180-4 (see sha256.h).
 *
 * Pipeline place: every document's bytes pass through here once, for the
 * SHA-256 column of documents.csv, so speed matters nearly as much as in the
 * UTF-8 validator.  Two block functions compute the same thing: a portable
 * one written straight from section 6.2.2, and, on x86-64 processors that
 * have the SHA extensions (checked once at run time with CPUID), one built on
 * the SHA256RNDS2/SHA256MSG1/SHA256MSG2 instructions, which perform the same
 * rounds and message schedule in hardware (several times faster).
 * tests/unit/test_sha256.c checks both against the FIPS vectors and against
 * each other.
 */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#endif

/* Section 4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes (the unit test recomputes them). */
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Section 5.3.3: the first 32 bits of the fractional parts of the square
 * roots of the first 8 primes. */
static const uint32_t sha256_h0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* Section 4.1.2 functions; ROTR^n(x) is a right rotation of a 32-bit word. */
static inline uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }
static inline uint32_t ch(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (~x & z); }
static inline uint32_t maj(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (x & z) ^ (y & z); }
static inline uint32_t big_sigma0(uint32_t x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static inline uint32_t big_sigma1(uint32_t x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static inline uint32_t small_sigma0(uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static inline uint32_t small_sigma1(uint32_t x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

static inline uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Section 6.2.2 over nblocks consecutive 64-byte blocks. */
static void sha256_blocks_portable(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    uint32_t w[64];
    for (; nblocks > 0; nblocks--, p += 64) {
        /* 1. The message schedule. */
        for (int t = 0; t < 16; t++)
            w[t] = load_be32(p + 4 * t);
        for (int t = 16; t < 64; t++)
            w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
        /* 2. The working variables start as the previous hash value. */
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
        /* 3. The 64 rounds. */
        for (int t = 0; t < 64; t++) {
            uint32_t t1 = hh + big_sigma1(e) + ch(e, f, g) + sha256_k[t] + w[t];
            uint32_t t2 = big_sigma0(a) + maj(a, b, c);
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        /* 4. The next intermediate hash value. */
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }
}

#ifdef SHA256_X86
/*
 * The same computation with the SHA extensions.  SHA256RNDS2 does two rounds
 * on the working variables packed as {A,B,E,F} and {C,D,G,H} (A and C in the
 * top lanes) with W[t]+K[t] for the two rounds in the low lanes of its third
 * operand; after two rounds the old {A,B,E,F} is the new {C,D,G,H}, so the
 * two registers swap roles on every call.  SHA256MSG1 adds sigma0 terms and
 * SHA256MSG2 the sigma1 terms of the schedule recurrence; the W[t-7] term is
 * added in between with a byte shift across two schedule registers.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_shani(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    /* Byte order within each 32-bit lane: message words are big-endian. */
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    /* Lane comments list 32-bit lanes from high to low. */
    __m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)h);       /* D C B A */
    __m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)(h + 4)); /* H G F E */
    abcd = _mm_shuffle_epi32(abcd, 0xB1);                /* C D A B */
    efgh = _mm_shuffle_epi32(efgh, 0x1B);                /* E F G H */
    __m128i abef = _mm_alignr_epi8(abcd, efgh, 8);       /* A B E F */
    __m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);    /* C D G H */

    for (; nblocks > 0; nblocks--, p += 64) {
        __m128i save_abef = abef, save_cdgh = cdgh;
        __m128i m[4];
        /* Unrolled, m[] lives in registers, and the schedule of later
         * groups overlaps the rounds of earlier ones. */
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            __m128i wg;
            if (g < 4) {
                wg = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)), bswap);
            } else {
                /* W[4g..4g+3] from the four previous groups. */
                __m128i x = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
                x = _mm_add_epi32(x, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
                wg = _mm_sha256msg2_epu32(x, m[(g + 3) & 3]);
            }
            m[g & 3] = wg;
            __m128i wk = _mm_add_epi32(wg, _mm_loadu_si128((const __m128i *)(const void *)(sha256_k + 4 * g)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, save_abef);
        cdgh = _mm_add_epi32(cdgh, save_cdgh);
    }

    /* Back to A..H order in memory. */
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);         /* F E B A */
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);         /* D C H G */
    abcd = _mm_blend_epi16(feba, dchg, 0xF0);             /* D C B A */
    efgh = _mm_alignr_epi8(dchg, feba, 8);                /* H G F E */
    _mm_storeu_si128((__m128i *)(void *)h, abcd);
    _mm_storeu_si128((__m128i *)(void *)(h + 4), efgh);
}

/* 0 not yet known, 1 portable, 2 SHA extensions.  Atomic so concurrent
 * first calls from indexing threads are well defined. */
static _Atomic int sha256_impl;

static int sha256_pick(void)
{
    int impl = atomic_load_explicit(&sha256_impl, memory_order_relaxed);
    if (impl != 0)
        return impl;
    unsigned a, b, c, d;
    int sha = 0, sse41 = 0, ssse3 = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        sse41 = (c >> 19) & 1;
        ssse3 = (c >> 9) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
        sha = (b >> 29) & 1;
    impl = sha && sse41 && ssse3 ? 2 : 1;
    atomic_store_explicit(&sha256_impl, impl, memory_order_relaxed);
    return impl;
}
#endif

/* For the unit test: force the portable path (1), the SHA-extension path
 * (2, ignored where unavailable) or automatic choice (0).  Not in the
 * header on purpose; test_sha256.c declares it. */
int ig_sha256_force_impl(int impl);
int ig_sha256_force_impl(int impl)
{
#ifdef SHA256_X86
    atomic_store_explicit(&sha256_impl, 0, memory_order_relaxed);
    int best = sha256_pick();
    if (impl == 1 || (impl == 2 && best == 2))
        atomic_store_explicit(&sha256_impl, impl, memory_order_relaxed);
    return atomic_load_explicit(&sha256_impl, memory_order_relaxed);
#else
    (void)impl;
    return 1;
#endif
}

static void sha256_blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
#ifdef SHA256_X86
    if (sha256_pick() == 2) {
        sha256_blocks_shani(h, p, nblocks);
        return;
    }
#endif
    sha256_blocks_portable(h, p, nblocks);
}

void ig_sha256_init(ig_sha256 *c)
{
    memcpy(c->h, sha256_h0, sizeof c->h);
    c->nbytes = 0;
    c->used = 0;
}

void ig_sha256_update(ig_sha256 *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (n == 0)
        return;
    c->nbytes += n;
    if (c->used > 0) {
        size_t take = 64 - c->used < n ? 64 - c->used : n;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used < 64)
            return;
        sha256_blocks(c->h, c->block, 1);
        c->used = 0;
    }
    if (n >= 64) {
        sha256_blocks(c->h, p, n / 64);
        p += n & ~(size_t)63;
        n &= 63;
    }
    if (n > 0) {
        memcpy(c->block, p, n);
        c->used = n;
    }
}

void ig_sha256_final(ig_sha256 *c, unsigned char digest[32])
{
    /* Section 5.1.1: a 1 bit, zeros to 448 mod 512 bits, then the message
     * length in bits as a 64-bit big-endian integer. */
    uint64_t bits = c->nbytes * 8;
    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        sha256_blocks(c->h, c->block, 1);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (int i = 0; i < 8; i++)
        c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_blocks(c->h, c->block, 1);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (unsigned char)(c->h[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        digest[4 * i + 3] = (unsigned char)c->h[i];
    }
    c->used = 0;
}

void ig_sha256_hex(const unsigned char digest[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

void ig_sha256_buf(const void *p, size_t n, unsigned char digest[32])
{
    ig_sha256 c;
    ig_sha256_init(&c);
    ig_sha256_update(&c, p, n);
    ig_sha256_final(&c, digest);
}

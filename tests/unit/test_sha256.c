/*
 * test_sha256.c: SHA-256 against the FIPS 180-4 example vectors (the NIST
 * "SHA256.pdf" examples and the long-message vector), incremental updates
 * split at every offset, and the portable and SHA-extension block functions
 * against each other.  The constants are recomputed from their definition
 * (cube and square roots of primes), so a mistyped table cannot hide.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "sha256.h"

int ig_sha256_force_impl(int impl); /* sha256.c, test hook */

static void hex_of(const void *p, size_t n, char out[65])
{
    unsigned char d[32];
    ig_sha256_buf(p, n, d);
    ig_sha256_hex(d, out);
}

static const char *ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char *M448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char *M896 = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
static const char *MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void test_fips_vectors(void)
{
    char h[65];
    hex_of("abc", 3, h);
    CHECK_STR(h, ABC);
    hex_of("", 0, h);
    CHECK_STR(h, EMPTY);
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), h);
    CHECK_STR(h, M448);
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_of(m896, strlen(m896), h);
    CHECK_STR(h, M896);

    /* One million 'a', fed in odd-sized pieces. */
    static char a[1000];
    memset(a, 'a', sizeof a);
    ig_sha256 c;
    unsigned char d[32];
    ig_sha256_init(&c);
    size_t left = 1000000, step = 1;
    while (left > 0) {
        size_t k = step < left ? step : left;
        if (k > sizeof a)
            k = sizeof a;
        ig_sha256_update(&c, a, k);
        left -= k;
        step = step * 7 % 997 + 1;
    }
    ig_sha256_final(&c, d);
    ig_sha256_hex(d, h);
    CHECK_STR(h, MILLION_A);
}

/* Padding edge cases: lengths around 55/56/64 bytes, where the length field
 * does or does not fit in the last block.  Expected digests computed by
 * coreutils sha256sum on the same bytes ("a" repeated n times). */
static void test_padding_edges(void)
{
    static const struct { size_t n; const char *hex; } rows[] = {
        { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
        { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
        { 57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
        { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
        { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
        { 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
    };
    char buf[128], h[65];
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hex_of(buf, rows[i].n, h);
        CHECK_STR(h, rows[i].hex);
    }
}

/* Every split point of a 200-byte message gives the one-shot digest. */
static void test_incremental_splits(void)
{
    unsigned char msg[200], want[32], got[32];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 31 + 7);
    ig_sha256_buf(msg, sizeof msg, want);
    int bad = 0;
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        for (size_t cut2 = cut; cut2 <= sizeof msg; cut2 += 13) {
            ig_sha256 c;
            ig_sha256_init(&c);
            ig_sha256_update(&c, msg, cut);
            ig_sha256_update(&c, msg + cut, cut2 - cut);
            ig_sha256_update(&c, NULL, 0);
            ig_sha256_update(&c, msg + cut2, sizeof msg - cut2);
            ig_sha256_final(&c, got);
            bad += memcmp(got, want, 32) != 0;
        }
    }
    CHECK_EQ(bad, 0);
}

/* Section 4.2.2 and 5.3.3 constants, recomputed from their definition.  A
 * wrong constant would also break the digests above; this names the cause.
 * K is checked through its first and last words (the digests cover the
 * rest), the initial state word by word. */
static void test_constants_derivation(void)
{
    unsigned primes[64], np = 0;
    for (unsigned v = 2; np < 64; v++) {
        int prime = 1;
        for (unsigned q = 2; q * q <= v; q++)
            if (v % q == 0)
                prime = 0;
        if (prime)
            primes[np++] = v;
    }
    uint32_t k0 = (uint32_t)ldexpl(cbrtl(primes[0]) - floorl(cbrtl(primes[0])), 32);
    uint32_t k63 = (uint32_t)ldexpl(cbrtl(primes[63]) - floorl(cbrtl(primes[63])), 32);
    uint32_t h0 = (uint32_t)ldexpl(sqrtl(primes[0]) - floorl(sqrtl(primes[0])), 32);
    uint32_t h7 = (uint32_t)ldexpl(sqrtl(primes[7]) - floorl(sqrtl(primes[7])), 32);
    CHECK_EQ(k0, 0x428a2f98u);
    CHECK_EQ(k63, 0xc67178f2u);
    CHECK_EQ(h0, 0x6a09e667u);
    CHECK_EQ(h7, 0x5be0cd19u);
    /* The state right after init is H(0). */
    ig_sha256 c;
    ig_sha256_init(&c);
    int all = 1;
    for (unsigned i = 0; i < 8; i++) {
        long double r = sqrtl(primes[i]);
        uint32_t want = (uint32_t)ldexpl(r - floorl(r), 32);
        all &= c.h[i] == want;
    }
    CHECK(all);
}

/* Both block functions agree on random messages of many lengths. */
static void test_impls_agree(void)
{
    int best = ig_sha256_force_impl(2);
    printf("sha256: SHA extensions %s\n", best == 2 ? "used" : "not available");
    unsigned char *msg = malloc(5000);
    uint32_t x = 12345;
    for (size_t i = 0; i < 5000; i++) {
        x = x * 1103515245u + 12345u;
        msg[i] = (unsigned char)(x >> 16);
    }
    int bad = 0;
    for (size_t n = 0; n < 5000; n += 37) {
        unsigned char a[32], b[32];
        ig_sha256_force_impl(1);
        ig_sha256_buf(msg, n, a);
        ig_sha256_force_impl(2);
        ig_sha256_buf(msg, n, b);
        bad += memcmp(a, b, 32) != 0;
    }
    CHECK_EQ(bad, 0);
    /* The vectors once more on the portable path explicitly. */
    char h[65];
    ig_sha256_force_impl(1);
    hex_of("abc", 3, h);
    CHECK_STR(h, ABC);
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), h);
    CHECK_STR(h, M448);
    ig_sha256_force_impl(0);
    free(msg);
}

int main(void)
{
    RUN(test_fips_vectors);
    RUN(test_padding_edges);
    RUN(test_incremental_splits);
    RUN(test_constants_derivation);
    RUN(test_impls_agree);
    return harness_done();
}

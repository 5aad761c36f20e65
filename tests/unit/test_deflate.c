/*
 * test_deflate.c: the deflate encoder (pipeline/deflate.h) against zlib's
 * inflate, the decoder every reader of the index uses.  Every output is
 * inflated (raw and zlib-wrapped) and must give Z_STREAM_END with exactly
 * the input bytes, stay within ig_deflate_bound() (a canary past the bound
 * must survive), and be the same bytes whatever the encoder compressed
 * before.  Inputs: empty, one byte, every byte value, runs (matches of the
 * maximum length), a repeat at exactly the maximum distance and one just
 * beyond it, random binary (stored blocks), repetitive and text-like data,
 * sizes around the block boundaries of both levels, the chunk boundary and
 * the renumbering of positions (through the test hook), the files of
 * corpora/sample, and a few thousand seeded random inputs.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "deflate.h"
#include "harness.h"
#include "inflate.h"
#include "sha256.h"

#define CANARY 0xA5

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void)
{
    /* xorshift64*: reproducible everywhere */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

/* Run zlib's inflate once over src[0..n) (raw when raw, else zlib) into
 * buf[0..cap): its return code (Z_MEM_ERROR when it cannot start), the
 * bytes out and the input left.  msg gets zlib's message, or "-". */
static int zlib_run(const unsigned char *src, size_t n, int raw, int flush, unsigned char *buf,
                    size_t cap, uLong *out, uInt *left, char *msg, size_t msgn)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if ((raw ? inflateInit2(&z, -15) : inflateInit(&z)) != Z_OK)
        return Z_MEM_ERROR;
    z.next_in = (unsigned char *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, flush);
    *out = z.total_out;
    *left = z.avail_in;
    snprintf(msg, msgn, "%s", z.msg ? z.msg : "-");
    inflateEnd(&z);
    return rc;
}

/* Inflate src[0..n) (raw when raw, else zlib) and compare with want. */
static int inflates_to(const unsigned char *src, size_t n, int raw, const unsigned char *want,
                       size_t wn)
{
    unsigned char *out = malloc(wn + 64);
    if (out == NULL)
        return 0;
    uLong total;
    uInt left;
    char msg[128];
    int rc = zlib_run(src, n, raw, Z_FINISH, out, wn + 64, &total, &left, msg, sizeof msg);
    int ok = rc == Z_STREAM_END && total == wn && left == 0 &&
             (wn == 0 || memcmp(out, want, wn) == 0);
    if (!ok)
        fprintf(stderr, "  inflate: rc %d (%s), %lu of %zu bytes, %u input left\n", rc, msg,
                total, wn, left);
    /* The index reader's fast decoder (inflate.h) must take every zlib
     * stream of this encoder (all start 78 01), to the same bytes. */
    if (ok && !raw && wn > 0) {
        memset(out, 0, wn);
        int fast = ig_inflate_zlib(src, n, out, wn);
        if (fast != 0 || memcmp(out, want, wn) != 0) {
            fprintf(stderr, "  ig_inflate_zlib: %d on a valid stream of %zu bytes\n", fast, wn);
            ok = 0;
        }
    }
    free(out);
    return ok;
}

static ig_deflate *enc, *enc2;

/* Compress in at both levels, raw and zlib, check everything; returns the
 * FAST zlib size (or SIZE_MAX on failure). */
static size_t round_trip(const unsigned char *in, size_t n)
{
    size_t bound = ig_deflate_bound(n), fast = SIZE_MAX;
    unsigned char *a = malloc(bound + 16), *b = malloc(bound + 16);
    if (a == NULL || b == NULL) {
        CHECK(!"out of memory");
        free(a);
        free(b);
        return SIZE_MAX;
    }
    for (int level = IG_DEFLATE_HUFFMAN; level <= IG_DEFLATE_FAST; level++) {
        for (int raw = 0; raw <= 1; raw++) {
            memset(a, CANARY, bound + 16);
            size_t k = raw ? ig_deflate_raw(enc, level, in, n, a) : ig_deflate_zlib(enc, level, in, n, a);
            CHECK(k <= bound);
            int canary = 1;
            for (size_t i = bound; i < bound + 16; i++)
                canary &= a[i] == CANARY;
            CHECK(canary);
            int ok = inflates_to(a, k, raw, in, n);
            CHECK(ok);
            if (!ok)
                fprintf(stderr, "  (n %zu, level %d, raw %d)\n", n, level, raw);
            /* Deterministic: another encoder, with another history. */
            size_t k2 = raw ? ig_deflate_raw(enc2, level, in, n, b) : ig_deflate_zlib(enc2, level, in, n, b);
            CHECK(k2 == k && memcmp(a, b, k) == 0);
            if (level == IG_DEFLATE_FAST && !raw)
                fast = k;
        }
    }
    free(a);
    free(b);
    return fast;
}

static void test_small(void)
{
    CHECK_EQ(round_trip(NULL, 0) <= 8, 1);
    unsigned char one[1];
    for (int c = 0; c < 256; c++) {
        one[0] = (unsigned char)c;
        round_trip(one, 1);
    }
    /* Every byte value, once and repeated (fixed and dynamic codes, the
     * 9-bit fixed literal codes 144-255). */
    unsigned char all[256 * 8];
    for (int i = 0; i < 256 * 8; i++)
        all[i] = (unsigned char)(i % 256);
    round_trip(all, 256);
    round_trip(all, sizeof all);
    const char *words[] = { "a", "ab", "abcd", "hello", "héllo wörld", "\xff\xfe\x90\x80",
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abcabcabcabcabcabcabc" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        round_trip((const unsigned char *)words[i], strlen(words[i]));
}

static void test_runs_and_distances(void)
{
    size_t n = 1 << 20;
    unsigned char *buf = malloc(n);
    if (buf == NULL) {
        CHECK(!"out of memory");
        return;
    }
    /* One long run: matches of 258 at distance 1. */
    memset(buf, 'a', n);
    size_t k = round_trip(buf, n);
    CHECK(k < n / 200);
    /* A 300-byte random block, zeros, and the block again at exactly the
     * largest distance (32768): the repeat must be found (tiny output). */
    for (size_t i = 0; i < 300; i++)
        buf[i] = (unsigned char)next_rand();
    memset(buf + 300, 0, 32768 - 300);
    memcpy(buf + 32768, buf, 300);
    size_t at_max = round_trip(buf, 32768 + 300);
    CHECK(at_max < 600);
    /* One byte further: out of reach, so the block is stored twice. */
    memmove(buf + 32769, buf + 32768, 300);
    buf[32768] = 0;
    size_t beyond = round_trip(buf, 32769 + 300);
    CHECK(beyond > at_max + 200);
    free(buf);
}

static void test_random_binary(void)
{
    size_t sizes[] = { 7, 8, 9, 100, 16383, 16384, 16385, 32768, 65534, 65535, 65536, 65537,
                       200000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        unsigned char *buf = malloc(n);
        if (buf == NULL) {
            CHECK(!"out of memory");
            return;
        }
        for (size_t j = 0; j < n; j++)
            buf[j] = (unsigned char)next_rand();
        size_t k = round_trip(buf, n);
        /* Incompressible: stored blocks, a few bytes per block. */
        CHECK(k <= n + 6 + 5 * (n / 16384 + 2));
        free(buf);
    }
}

/* Text-like data: words from a small vocabulary, spaces and punctuation. */
static size_t make_text(unsigned char *buf, size_t n, unsigned vocab)
{
    static const char *const w[] = { "the", "internet", "governance", "multistakeholder",
                                     "states", "cooperation", "of", "and", "enhanced",
                                     "sovereignty", "policy", "public", "in", "a", "forum",
                                     "equal", "footing", "Tunis", "Agenda", "ICANN's" };
    size_t at = 0;
    while (at < n) {
        const char *s = w[next_rand() % vocab];
        size_t l = strlen(s);
        for (size_t i = 0; i < l && at < n; i++)
            buf[at++] = (unsigned char)s[i];
        if (at < n)
            buf[at++] = next_rand() % 11 == 0 ? (next_rand() % 2 ? '.' : ',') : ' ';
        if (at < n && next_rand() % 40 == 0)
            buf[at++] = '\n';
    }
    return n;
}

static void test_text_and_block_sizes(void)
{
    size_t cap = 300000;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) {
        CHECK(!"out of memory");
        return;
    }
    size_t sizes[] = { 1, 2, 4, 5, 6, 7, 8, 9, 15, 16, 17, 100, 1000, 16383, 16384, 16385,
                       40000, 65535, 65536, 65537, 131072, 131073, 300000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = make_text(buf, sizes[i], 20);
        size_t k = round_trip(buf, n);
        if (n >= 10000)
            CHECK(k < n / 2);
    }
    /* Highly repetitive: one word over and over, and two alternating. */
    for (size_t j = 0; j < cap; j++)
        buf[j] = (unsigned char)"governance "[j % 11];
    CHECK(round_trip(buf, cap) < cap / 100);
    make_text(buf, cap, 2);
    CHECK(round_trip(buf, cap) < cap / 8);
    free(buf);
}

/* Symbol blocks end after IG_DEFLATE_BLOCK_SYMS symbols: inputs of only
 * literals (all distinct 5-byte sequences) cross that at exact sizes, and
 * literals mixed with matches cross it at many others. */
static void test_symbol_blocks(void)
{
    size_t n = 3 * IG_DEFLATE_BLOCK_SYMS + 10;
    unsigned char *buf = malloc(n);
    if (buf == NULL) {
        CHECK(!"out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)next_rand();
    for (size_t d = 0; d < 4; d++) {
        round_trip(buf, IG_DEFLATE_BLOCK_SYMS - 2 + d);
        round_trip(buf, 2 * IG_DEFLATE_BLOCK_SYMS - 2 + d);
    }
    /* Short repeats every few bytes: many matches per block. */
    for (size_t i = 0; i < n; i++)
        buf[i] = i % 7 == 0 ? (unsigned char)(next_rand() % 4) : (unsigned char)"abcdefg"[i % 7];
    for (size_t d = 0; d < 3; d++)
        round_trip(buf, n - d);
    free(buf);
}

/* Small chunks (test hook) put chunk boundaries everywhere, and a base near
 * 2^32 makes the encoder renumber positions and clear its table. */
static void test_chunks_and_renumbering(void)
{
    size_t n = 100000;
    unsigned char *buf = malloc(n);
    unsigned char *out = malloc(ig_deflate_bound(n));
    if (buf == NULL || out == NULL) {
        CHECK(!"out of memory");
        free(buf);
        free(out);
        return;
    }
    make_text(buf, n, 20);
    size_t chunks[] = { 1, 2, 7, 100, 4096, 65536 };
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        ig_deflate *d;
        CHECK_EQ(ig_deflate_new(&d), 0);
        if (d == NULL)
            break;
        ig_deflate_test_limits(d, chunks[i], 0);
        for (int raw = 0; raw <= 1; raw++) {
            size_t k = raw ? ig_deflate_raw(d, IG_DEFLATE_FAST, buf, n, out)
                           : ig_deflate_zlib(d, IG_DEFLATE_FAST, buf, n, out);
            CHECK(k <= ig_deflate_bound(n));
            CHECK(inflates_to(out, k, raw, buf, n));
        }
        ig_deflate_free(d);
    }
    /* Bases just below and past the renumbering limit, several calls in a
     * row (the stale-entry rule must hold across the reset). */
    uint32_t bases[] = { UINT32_MAX - (1u << 30) - 70000, UINT32_MAX - (1u << 30) - 100,
                         UINT32_MAX - 1000 };
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        ig_deflate *d;
        CHECK_EQ(ig_deflate_new(&d), 0);
        if (d == NULL)
            break;
        ig_deflate_test_limits(d, 0, bases[i]);
        for (int r = 0; r < 4; r++) {
            size_t m = n - (size_t)r * 1000;
            size_t k = ig_deflate_zlib(d, IG_DEFLATE_FAST, buf + r, m, out);
            CHECK(inflates_to(out, k, 0, buf + r, m));
        }
        ig_deflate_free(d);
    }
    free(buf);
    free(out);
}

/* The Adler-32 trailer is summed 16 bytes at a time and reduced every
 * 5552 bytes: all-0xFF input (the largest sums) of lengths around
 * multiples of both, at every alignment of 0 to 15, each checked by
 * zlib's inflate against its own Adler-32. */
static void test_adler_sums(void)
{
    enum { MAX = 3 * 5552 + 40 };
    unsigned char *buf = malloc(MAX + 16);
    if (buf == NULL) {
        CHECK(!"out of memory");
        return;
    }
    memset(buf, 0xFF, MAX + 16);
    static const size_t lens[] = { 15, 16, 17, 5551, 5552, 5553, 5568, 2 * 5552 + 1, MAX };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        for (size_t off = 0; off < 16; off += 5)
            round_trip(buf + off, lens[i]);
    free(buf);
}

static void test_seeded_random(void)
{
    unsigned char *buf = malloc(70000);
    if (buf == NULL) {
        CHECK(!"out of memory");
        return;
    }
    unsigned fails = 0, runs = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(next_rand() % (iter < 2500 ? 600 : 70000));
        unsigned kind = (unsigned)(next_rand() % 4);
        unsigned alpha = 1 + (unsigned)(next_rand() % 255);
        if (kind == 0) { /* uniform over an alphabet */
            for (size_t i = 0; i < n; i++)
                buf[i] = (unsigned char)(next_rand() % alpha);
        } else if (kind == 1) { /* copies of earlier stretches */
            for (size_t i = 0; i < n;) {
                if (i > 8 && next_rand() % 2) {
                    size_t dist = 1 + (size_t)(next_rand() % i), len = 1 + next_rand() % 300;
                    for (size_t j = 0; j < len && i < n; j++, i++)
                        buf[i] = buf[i - dist];
                } else {
                    buf[i++] = (unsigned char)(next_rand() % alpha);
                }
            }
        } else if (kind == 2) {
            make_text(buf, n, 1 + (unsigned)(next_rand() % 20));
        } else { /* skewed: mostly one byte */
            for (size_t i = 0; i < n; i++)
                buf[i] = next_rand() % 16 ? 'x' : (unsigned char)next_rand();
        }
        unsigned before = harness_fail;
        round_trip(buf, n);
        runs++;
        if (harness_fail != before && ++fails <= 3)
            fprintf(stderr, "  random input %d (kind %u, %zu bytes) failed\n", iter, kind, n);
    }
    CHECK_EQ(fails, 0);
    CHECK_EQ(runs, 3000);
    free(buf);
}

/* Every file of corpora/sample (one directory level down), raw bytes. */
static void test_sample_corpus(void)
{
    const char *root = "corpora/sample";
    DIR *top = opendir(root);
    if (top == NULL) {
        CHECK(!"corpora/sample not found (run from the repository root)");
        return;
    }
    struct dirent *de;
    unsigned files = 0;
    size_t in = 0, outb = 0;
    while ((de = readdir(top)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", root, de->d_name);
        DIR *sub = opendir(dir);
        if (sub == NULL)
            continue;
        struct dirent *fe;
        while ((fe = readdir(sub)) != NULL) {
            if (fe->d_name[0] == '.')
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, fe->d_name);
            FILE *f = fopen(path, "rb");
            if (f == NULL)
                continue;
            unsigned char *buf = NULL;
            size_t n = 0, cap = 0, k;
            unsigned char chunk[65536];
            while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
                if (n + k > cap) {
                    cap = (n + k) * 2;
                    unsigned char *nb = realloc(buf, cap);
                    if (nb == NULL)
                        break;
                    buf = nb;
                }
                memcpy(buf + n, chunk, k);
                n += k;
            }
            fclose(f);
            size_t z = round_trip(buf, n);
            if (z != SIZE_MAX) {
                in += n;
                outb += z;
            }
            files++;
            free(buf);
        }
        closedir(sub);
    }
    closedir(top);
    CHECK(files >= 20);
    /* Text compresses (gzip members are stored nearly as they are). */
    CHECK(outb < in * 7 / 10);
}

/* Blocks of ordinary prose take the prose codes; anything else, and short
 * texts, their own; both read back exactly. */
static void test_prose_codes(void)
{
    static const char para[] =
        "The Working Group considered whether governments alone should decide on public "
        "policy issues pertaining to the Internet, or whether all stakeholders, in their "
        "respective roles, should shape them together on an equal footing.\n";
    size_t n = 200000;
    unsigned char *en = malloc(n), *ru = malloc(n), *mix = malloc(2 * 70000);
    if (!en || !ru || !mix) {
        CHECK(!"out of memory");
        free(en);
        free(ru);
        free(mix);
        return;
    }
    for (size_t i = 0; i < n; i++)
        en[i] = (unsigned char)para[i % (sizeof para - 1)];
    /* "говорит" repeated: two bytes of UTF-8 a letter */
    static const char word[] = "\xD0\xB3\xD0\xBE\xD0\xB2\xD0\xBE\xD1\x80\xD0\xB8\xD1\x82 ";
    for (size_t i = 0; i < n; i++)
        ru[i] = (unsigned char)word[i % (sizeof word - 1)];
    memcpy(mix, en, 70000);
    memcpy(mix + 70000, ru, 70000);
    unsigned char *z = malloc(ig_deflate_bound(2 * n));
    if (z == NULL) {
        CHECK(!"out of memory");
        goto out;
    }
    struct {
        const unsigned char *p;
        size_t n;
        uint64_t prose; /* blocks expected to take the prose codes */
    } c[] = {
        { en, 4000, 1 },    /* one block */
        { en, n, 4 },       /* 65535 + 65535 + 65535 + 3395 */
        { en, 1000, 0 },    /* under PROSE_MIN */
        { ru, 8000, 0 },    /* not English */
        { mix, 140000, 1 }, /* English, then a block mostly Cyrillic, then Cyrillic */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint64_t before = ig_deflate_prose_blocks(enc);
        size_t k = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, c[i].p, c[i].n, z);
        CHECK_EQ(ig_deflate_prose_blocks(enc) - before, c[i].prose);
        CHECK(inflates_to(z, k, 0, c[i].p, c[i].n));
        if (c[i].prose && c[i].p == en)
            CHECK(k < c[i].n * 6 / 10); /* English: well under 5 bits a byte */
    }
    free(z);
out:
    free(en);
    free(ru);
    free(mix);
}

/* The prose codes go two bytes at a time, and a pair of rare bytes (whose
 * two codes together are too long for the pair table) one at a time:
 * English with accented letters and curly quotes, at odd and even
 * offsets and in runs of two, three and four rare bytes, takes the prose
 * codes and reads back exactly, in blocks of every length from 1024 to
 * 1100 (the 64-byte steps and the tail end anywhere). */
static void test_prose_pairs(void)
{
    static const char para[] =
        "Enhanced cooperation should enable governments, on an equal footing, to carry out "
        "their roles and responsibilities in international public policy issues.\n";
    static const char *const rare[] = { "\xC3\xA9", "\xE2\x80\x99", "\xC3\xA9\xC3\xA8" };
    enum { N = 20000 };
    unsigned char *buf = malloc(N), *z = malloc(ig_deflate_bound(N));
    if (buf == NULL || z == NULL) {
        CHECK(!"out of memory");
        goto out;
    }
    size_t n = 0;
    for (unsigned k = 0; n + 8 < N; k++) {
        buf[n] = (unsigned char)para[k % (sizeof para - 1)];
        n++;
        if (k % 151 == 150) {
            const char *r = rare[(k / 151) % 3];
            size_t rl = strlen(r);
            memcpy(buf + n, r, rl);
            n += rl;
        }
    }
    uint64_t before = ig_deflate_prose_blocks(enc);
    size_t k = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, buf, n, z);
    CHECK_EQ(ig_deflate_prose_blocks(enc) - before, 1);
    CHECK(inflates_to(z, k, 0, buf, n));
    for (size_t len = 1024; len <= 1100; len++) {
        for (size_t off = 0; off < 2; off++) {
            before = ig_deflate_prose_blocks(enc);
            k = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, buf + off, len, z);
            CHECK_EQ(ig_deflate_prose_blocks(enc) - before, 1);
            CHECK(inflates_to(z, k, 0, buf + off, len));
        }
    }
out:
    free(buf);
    free(z);
}

/* Hashing while coding: the same stream as ig_deflate_zlib and the same
 * digest as hashing alone, whatever mix of blocks the text makes (prose,
 * prose undone, the block's own codes, LZ77), at every length around the
 * 64-byte steps and block ends, into a fresh message or after bytes
 * already hashed (a partial block waiting). */
static void test_deflate_sha(void)
{
    static const char para[] =
        "The Forum should remain open to all stakeholders, with its mandate renewed and "
        "its intersessional work strengthened, as many submissions argue.\n";
    enum { N = 140000 };
    unsigned char *src = malloc(N), *z1 = malloc(ig_deflate_bound(N)),
                  *z2 = malloc(ig_deflate_bound(N));
    if (src == NULL || z1 == NULL || z2 == NULL) {
        CHECK(!"out of memory");
        goto out;
    }
    uint64_t r = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < N; i++)
        src[i] = (unsigned char)para[i % (sizeof para - 1)];
    /* A stretch of noise that the prose codes reject, after the first
     * prose block and in the middle of the second. */
    for (size_t i = 65535 + 30000; i < 65535 + 34000; i++)
        src[i] = (unsigned char)harness_rand(&r);
    static const size_t lens[] = { 0, 1, 63, 64, 65, 1023, 1024, 1087, 1088, 1089, 4000,
                                   65535, 65536, 65599, 97000, 131070, 131135, N };
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        for (int level = 0; level <= 1; level++) {
            for (int pre = 0; pre < 2; pre++) {
                size_t n = lens[li];
                ig_sha256 a, b;
                ig_sha256_init(&a);
                ig_sha256_init(&b);
                if (pre) { /* 5 bytes hashed before: a partial block waits */
                    ig_sha256_update(&a, "front", 5);
                    ig_sha256_update(&b, "front", 5);
                }
                size_t k1 = ig_deflate_zlib(enc, level, src, n, z1);
                ig_sha256_update(&a, src, n);
                size_t k2 = ig_deflate_zlib_sha(enc, level, src, n, z2, &b);
                unsigned char da[32], db[32];
                ig_sha256_final(&a, da);
                ig_sha256_final(&b, db);
                CHECK_EQ(k1, k2);
                CHECK(k1 == k2 && memcmp(z1, z2, k1) == 0);
                CHECK(memcmp(da, db, 32) == 0);
            }
        }
    }
out:
    free(src);
    free(z1);
    free(z2);
}

/* Huffman-only size of n copies of byte c, and whether it took the prose
 * codes. */
static size_t prose_try(unsigned char c, size_t n, int *prose, unsigned char *buf,
                        unsigned char *z)
{
    memset(buf, c, n);
    uint64_t before = ig_deflate_prose_blocks(enc);
    size_t k = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, buf, n, z);
    *prose = ig_deflate_prose_blocks(enc) - before == 1;
    CHECK(inflates_to(z, k, 0, buf, n));
    return k;
}

/* The prose codes are tried and undone when they cost more than 5 bits a
 * byte: a block at exactly 5 takes them, one a bit over does not, even
 * when the only dearer byte is the last (seen at the final check, after
 * every other literal was written), and either way the block reads back. */
static void test_prose_limit(void)
{
    enum { N = 4096 };
    unsigned char *buf = malloc(2 * N), *z = malloc(ig_deflate_bound(2 * N));
    if (buf == NULL || z == NULL) {
        CHECK(!"out of memory");
        goto out;
    }
    /* A byte whose prose code is 5 bits, and one over 5 (not taken alone):
     * a code's length is the growth of the output per added byte. */
    int l5 = -1, over = -1;
    for (int c = 'a'; c <= 'z' && (l5 < 0 || over < 0); c++) {
        int p1, p2;
        size_t a = prose_try((unsigned char)c, N, &p1, buf, z);
        size_t b = prose_try((unsigned char)c, 2 * N, &p2, buf, z);
        CHECK_EQ(p1, p2);
        if (!p1 && over < 0)
            over = c;
        else if (p1 && (b - a) * 8 >= 5 * N - 8 && (b - a) * 8 <= 5 * N + 8 && l5 < 0)
            l5 = c;
    }
    CHECK(l5 >= 0 && over >= 0);
    if (l5 < 0 || over < 0)
        goto out;
    int prose;
    prose_try((unsigned char)l5, N, &prose, buf, z);
    CHECK(prose); /* exactly 5 bits a byte */
    for (size_t at = 0; at < N; at += N / 8 - 1) {
        /* one dearer byte anywhere, the last included */
        size_t pos = at + 1 < N ? at : N - 1;
        memset(buf, l5, N);
        buf[pos] = (unsigned char)over;
        uint64_t before = ig_deflate_prose_blocks(enc);
        size_t k = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, buf, N, z);
        CHECK_EQ(ig_deflate_prose_blocks(enc) - before, 0);
        CHECK(inflates_to(z, k, 0, buf, N));
        CHECK(k <= N + 16); /* its own codes, under the stored size */
    }
    memset(buf, l5, N);
    buf[N - 1] = (unsigned char)over;
    uint64_t before = ig_deflate_prose_blocks(enc);
    size_t k = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, buf, N, z);
    CHECK_EQ(ig_deflate_prose_blocks(enc) - before, 0);
    CHECK(inflates_to(z, k, 0, buf, N));
out:
    free(buf);
    free(z);
}

/* zlib's verdict on src[0..n) as idx_doc_text asks for it: exactly wn
 * bytes, equal to out[0..wn), the whole input used. */
static int zlib_agrees(const unsigned char *src, size_t n, const unsigned char *out, size_t wn)
{
    unsigned char *buf = malloc(wn + 1);
    if (buf == NULL)
        return 0;
    uLong total;
    uInt left;
    char msg[128];
    int rc = zlib_run(src, n, 0, Z_NO_FLUSH, buf, wn + 1, &total, &left, msg, sizeof msg);
    int ok = rc == Z_STREAM_END && total == wn && left == 0 && memcmp(buf, out, wn) == 0;
    free(buf);
    return ok;
}

/* The fast decoder against zlib: every stream zlib's own encoder makes
 * (each level and strategy: stored, fixed and dynamic blocks, matches of
 * every kind) decodes to the input; a header with a smaller window is left
 * to zlib; and on damaged streams (bits flipped, cut short, a byte added,
 * the wrong length asked) it never accepts what zlib rejects, nor differs
 * from zlib where both accept. */
static void test_fast_inflate(void)
{
    enum { MAXN = 40000 };
    unsigned char *in = malloc(MAXN), *z = malloc(compressBound(MAXN) + 16),
                  *out = malloc(MAXN + 2), *bad = malloc(compressBound(MAXN) + 16);
    if (in == NULL || z == NULL || out == NULL || bad == NULL) {
        CHECK(!"out of memory");
        goto out;
    }
    static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
                                      Z_FIXED };
    unsigned declined = 0, wrong = 0, streams = 0;
    for (int iter = 0; iter < 400; iter++) {
        size_t n = 1 + (size_t)(next_rand() % (iter < 300 ? 2000 : MAXN));
        if (iter % 3 == 0)
            make_text(in, n, 1 + (unsigned)(next_rand() % 20));
        else
            for (size_t i = 0; i < n; i++)
                in[i] = (unsigned char)(next_rand() % (1 + (unsigned)(iter % 7) * 40));
        int level = (int)(next_rand() % 10), strat = strategies[next_rand() % 5];
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, level, Z_DEFLATED, 15, 8, strat) != Z_OK) {
            CHECK(!"deflateInit2");
            break;
        }
        zs.next_in = in;
        zs.avail_in = (uInt)n;
        zs.next_out = z;
        zs.avail_out = (uInt)(compressBound(MAXN) + 16);
        int rc = deflate(&zs, Z_FINISH);
        size_t zn = zs.total_out;
        deflateEnd(&zs);
        CHECK(rc == Z_STREAM_END);
        streams++;
        if (ig_inflate_zlib(z, zn, out, n) != 0 || memcmp(out, in, n) != 0) {
            if (++wrong <= 3)
                fprintf(stderr, "  zlib level %d strategy %d, %zu bytes: not decoded\n", level,
                        strat, n);
        }
        /* Damage: the fast decoder may decline anything, accept only what
         * zlib accepts, with zlib's bytes. */
        for (int m = 0; m < 20; m++) {
            size_t bn = zn, want = n;
            memcpy(bad, z, zn);
            unsigned what = (unsigned)(next_rand() % 4);
            if (what == 0) {
                unsigned flips = 1 + (unsigned)(next_rand() % 3);
                for (unsigned f = 0; f < flips; f++) {
                    size_t at = (size_t)(next_rand() % zn);
                    bad[at] ^= (unsigned char)(1u << (next_rand() % 8));
                }
            } else if (what == 1) {
                bn = (size_t)(next_rand() % zn);
            } else if (what == 2) {
                bad[bn++] = (unsigned char)next_rand();
            } else {
                want = next_rand() % 2 ? n + 1 : n - 1;
            }
            if (want == 0)
                continue;
            if (ig_inflate_zlib(bad, bn, out, want) == 0) {
                if (!zlib_agrees(bad, bn, out, want) && ++wrong <= 3)
                    fprintf(stderr, "  damaged stream accepted (kind %u, %zu bytes)\n", what,
                            n);
            } else {
                declined++;
            }
        }
    }
    CHECK_EQ(wrong, 0);
    CHECK_EQ(streams, 400);
    CHECK(declined > 4000); /* most damage is caught here already */
    /* A smaller window in the header (78 is 32 KiB; 28 is 1 KiB): valid
     * for zlib, left to it here. */
    {
        size_t n = 500;
        make_text(in, n, 5);
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        CHECK(deflateInit2(&zs, 6, Z_DEFLATED, 10, 8, Z_DEFAULT_STRATEGY) == Z_OK);
        zs.next_in = in;
        zs.avail_in = (uInt)n;
        zs.next_out = z;
        zs.avail_out = (uInt)(compressBound(MAXN) + 16);
        CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
        size_t zn = zs.total_out;
        deflateEnd(&zs);
        CHECK(z[0] != 0x78);
        CHECK(ig_inflate_zlib(z, zn, out, n) == -1);
        CHECK(zlib_agrees(z, zn, in, n));
    }
out:
    free(in);
    free(z);
    free(out);
    free(bad);
}

/* A bit writer for hand-made streams: bits least significant first,
 * Huffman codes most significant bit first (RFC 1951, 3.1.1). */
typedef struct bitw {
    unsigned char b[1024];
    size_t n;
    unsigned bit;
} bitw;

static void bw_bits(bitw *w, unsigned v, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        if (w->bit == 0)
            w->b[w->n++] = 0;
        w->b[w->n - 1] |= (unsigned char)((v >> i & 1u) << w->bit);
        w->bit = (w->bit + 1) & 7;
    }
}

static void bw_code(bitw *w, unsigned code, unsigned len)
{
    for (unsigned i = len; i-- > 0;)
        bw_bits(w, code >> i & 1u, 1);
}

/* Start w afresh with a zlib header and a final dynamic block of 257
 * literal/length codes and 1 distance code, announcing ncl code length
 * code lengths (4..19), which the caller writes next. */
static void bw_dynamic(bitw *w, unsigned ncl)
{
    memset(w, 0, sizeof *w);
    bw_bits(w, 0x78, 8);
    bw_bits(w, 0x01, 8);
    bw_bits(w, 1, 1);           /* BFINAL */
    bw_bits(w, 2, 2);           /* dynamic */
    bw_bits(w, 0, 5);           /* 257 literal/length codes */
    bw_bits(w, 0, 5);           /* 1 distance code */
    bw_bits(w, ncl - 4, 4);
}

/* Close the stream: byte boundary, then the Adler-32 of text. */
static void bw_trailer(bitw *w, const unsigned char *text, size_t n)
{
    w->bit = 0;
    uLong a = adler32(1, text, (uInt)n);
    for (int i = 3; i >= 0; i--)
        w->b[w->n++] = (unsigned char)(a >> (8 * i));
}

/* Hand-made streams at the edges of the rules: a dynamic block whose code
 * length code is incomplete (zlib: "invalid code lengths set") beside the
 * same block made complete, and a fixed block whose match reaches before
 * the output (zlib: "invalid distance too far back") beside a valid one. */
static void test_fast_inflate_edges(void)
{
    static const unsigned char five[] = "aaaaa", four[] = "aaaa";
    unsigned char out[16];
    for (int complete = 0; complete <= 1; complete++) {
        bitw w;
        bw_dynamic(&w, 18);
        /* order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1: symbol 0 is
         * the 4th, symbol 1 the 18th.  Complete: both 1 bit (0 -> "0",
         * 1 -> "1"); incomplete: symbol 1 "0", symbol 0 "10". */
        for (unsigned i = 0; i < 18; i++)
            bw_bits(&w, i == 3 ? (complete ? 1u : 2u) : i == 17 ? 1u : 0u, 3);
        unsigned c0 = complete ? 0u : 2u, l0 = complete ? 1u : 2u, c1 = complete ? 1u : 0u;
        for (unsigned sym = 0; sym < 258; sym++) {
            /* 'a' and end-of-block 1 bit each; one 1-bit distance code */
            if (sym == 'a' || sym == 256 || sym == 257)
                bw_code(&w, c1, 1);
            else
                bw_code(&w, c0, l0);
        }
        for (int i = 0; i < 5; i++)
            bw_code(&w, 0, 1);          /* 'a' */
        bw_code(&w, 1, 1);              /* end of block */
        bw_trailer(&w, five, 5);
        int fast = ig_inflate_zlib(w.b, w.n, out, 5);
        CHECK_EQ(fast, complete ? 0 : -1);
        CHECK_EQ(zlib_agrees(w.b, w.n, five, 5), complete);
    }
    for (unsigned dist = 1; dist <= 2; dist++) {
        bitw w;
        memset(&w, 0, sizeof w);
        bw_bits(&w, 0x78, 8);
        bw_bits(&w, 0x01, 8);
        bw_bits(&w, 1, 1);
        bw_bits(&w, 1, 2);              /* fixed codes */
        bw_code(&w, 0x30 + 'a', 8);     /* literal 'a' */
        bw_code(&w, 1, 7);              /* length 3 (symbol 257) */
        bw_code(&w, dist - 1, 5);       /* distance 1 or 2 */
        bw_code(&w, 0, 7);              /* end of block */
        bw_trailer(&w, four, 4);
        CHECK_EQ(ig_inflate_zlib(w.b, w.n, out, 4), dist == 1 ? 0 : -1);
        CHECK_EQ(zlib_agrees(w.b, w.n, four, 4), dist == 1);
    }
}

/* The decoder's Adler-32 against zlib's: every length to 600 and random
 * ones past several fold points, random starting values, bytes of every
 * value (0xFF runs give the largest sums between folds). */
static void test_adler_fast(void)
{
    enum { MAXN = 40000 };
    unsigned char *buf = malloc(MAXN + 16);
    if (buf == NULL) {
        CHECK(!"out of memory");
        return;
    }
    unsigned bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = iter < 600 ? (size_t)iter : (size_t)(next_rand() % MAXN);
        size_t off = (size_t)(next_rand() % 16);
        int ff = iter % 5 == 0;
        for (size_t i = 0; i < n; i++)
            buf[off + i] = ff ? 0xFF : (unsigned char)next_rand();
        uint32_t start = iter % 3 ? 1u : (uint32_t)(next_rand() % 65521) << 16 |
                                             (uint32_t)(next_rand() % 65521);
        uLong want = adler32_z(start, buf + off, n);
        if (ig_adler32(start, buf + off, n) != (uint32_t)want && ++bad <= 3)
            fprintf(stderr, "  adler of %zu bytes (offset %zu) differs\n", n, off);
    }
    CHECK_EQ(bad, 0);
    free(buf);
}

/* The decoder keeps its tables from one stream to the next and reuses them
 * when the codes are the same (ordinary prose: the prose codes).  Whether
 * it reused them this test cannot see; what it checks is that streams with
 * the same codes, other codes, fixed codes and damage, in turns, all
 * decode exactly or are declined as zlib judges them (it fails when the
 * reuse test in inflate.c is weakened). */
static void test_inflate_table_reuse(void)
{
    static const char para[] =
        "Enhanced cooperation would enable governments, on an equal footing, to carry out "
        "their roles and responsibilities in international public policy issues.\n";
    enum { N = 6000 };
    unsigned char a[N], b[N], c[N], out[N + 2];
    for (size_t i = 0; i < N; i++) {
        a[i] = (unsigned char)para[i % (sizeof para - 1)];
        b[i] = (unsigned char)para[(i * 7) % (sizeof para - 1)];
        c[i] = (unsigned char)('a' + next_rand() % 3);
    }
    size_t bound = ig_deflate_bound(N);
    unsigned char *za = malloc(bound), *zb = malloc(bound), *zf = malloc(compressBound(N)),
                  *zd = malloc(bound);
    if (!za || !zb || !zf || !zd) {
        CHECK(!"out of memory");
        goto out;
    }
    uint64_t before = ig_deflate_prose_blocks(enc);
    size_t na = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, a, N, za);
    size_t nb = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, b, N, zb);
    CHECK_EQ(ig_deflate_prose_blocks(enc) - before, 2); /* both with the same codes */
    uLongf nf = compressBound(N);
    CHECK_EQ(compress2(zf, &nf, c, N, 1), Z_OK);        /* zlib's, other codes */
    memcpy(zd, za, na);
    zd[na / 2] ^= 0x10;                                   /* damaged, same header */
    struct {
        const unsigned char *z;
        size_t n;
        const unsigned char *want;
    } seq[] = { { za, na, a }, { zb, nb, b }, { zf, nf, c }, { zb, nb, b }, { zd, na, NULL },
                { za, na, a }, { zf, nf, c }, { zf, nf, c }, { za, na, a } };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        int rc = ig_inflate_zlib(seq[i].z, seq[i].n, out, N);
        if (seq[i].want) {
            CHECK_EQ(rc, 0);
            CHECK(memcmp(out, seq[i].want, N) == 0);
        } else {
            /* accepted only if zlib finds exactly the same text */
            CHECK(rc != 0 || zlib_agrees(seq[i].z, seq[i].n, out, N));
        }
    }
out:
    free(za);
    free(zb);
    free(zf);
    free(zd);
}

/* Streams decoded in a batch (ig_inflate_zlibn, two side by side) give
 * each stream what ig_inflate_zlib gives it, whatever the others are:
 * prose of every length with the same codes (decoded together, one ending
 * first, texts shorter than the fast path's margins, several blocks),
 * zlib's streams with their own codes (stored, fixed and dynamic blocks,
 * matches), damaged streams and the wrong length asked, in every order. */
static void test_fast_inflate_pairs(void)
{
    static const char para[] =
        "The Working Group considered whether governments alone should decide on public "
        "policy issues pertaining to the Internet, or whether all stakeholders, in their "
        "respective roles, should shape them together on an equal footing.\n";
    enum { NS = 24, MAXN = 150000 };
    static const size_t len[NS] = { 1,    3,    9,     17,    40,    1024,  1100,  2000,
                                    5000, 9000, 14000, 20000, 65535, 65536, 70000, 140000,
                                    3000, 3000, 800,   40000, 6000,  6000,  6000,  12000 };
    unsigned char *text[NS] = { 0 }, *z[NS] = { 0 }, *o1 = malloc(MAXN + 1), *dst[8] = { 0 };
    size_t zn[NS], want[NS];
    int nomem = o1 == NULL;
    for (int k = 0; k < 8; k++)
        nomem |= (dst[k] = malloc(MAXN + 1)) == NULL;
    if (nomem) {
        CHECK(!"out of memory");
        goto out;
    }
    for (int i = 0; i < NS; i++) {
        text[i] = malloc(len[i]);
        z[i] = malloc(ig_deflate_bound(len[i]) + compressBound((uLong)len[i]));
        if (text[i] == NULL || z[i] == NULL) {
            CHECK(!"out of memory");
            goto out;
        }
        size_t off = (size_t)(next_rand() % (sizeof para - 1));
        for (size_t k = 0; k < len[i]; k++)
            text[i][k] = (unsigned char)para[(off + k) % (sizeof para - 1)];
        want[i] = len[i];
        if (i < 16) {           /* ours: the prose codes from 1024 bytes on */
            zn[i] = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, text[i], len[i], z[i]);
        } else if (i < 20) {    /* zlib's: its own codes, matches, stored */
            uLongf n = compressBound((uLong)len[i]);
            if (i == 18)
                make_text(text[i], len[i], 3);
            CHECK_EQ(compress2(z[i], &n, text[i], (uLong)len[i], i == 17 ? 0 : 9), Z_OK);
            zn[i] = n;
        } else {                /* ours, then damaged or asked wrongly */
            zn[i] = ig_deflate_zlib(enc, IG_DEFLATE_HUFFMAN, text[i], len[i], z[i]);
            if (i == 20)
                z[i][zn[i] / 2] ^= 0x08;
            else if (i == 21)
                zn[i] -= 1;
            else if (i == 22)
                want[i] = len[i] + 1;
            else
                z[i][zn[i] - 1] ^= 0x01;        /* the Adler-32 */
        }
    }
    unsigned paired_ok = 0, wrong = 0;
    /* every ordered pair, then batches of 1 to 8 drawn from all */
    for (int round = 0; round < NS * NS + 300; round++) {
        int pick[8], n = 2;
        if (round < NS * NS) {
            pick[0] = round / NS;
            pick[1] = round % NS;
            if (pick[0] == pick[1])
                continue;
        } else {
            n = 1 + (int)(next_rand() % 8);
            for (int k = 0; k < n; k++)
                pick[k] = (int)(next_rand() % NS);
        }
        ig_inflate_job job[8];
        for (int k = 0; k < n; k++) {
            int i = pick[k];
            job[k] = (ig_inflate_job){ z[i], zn[i], dst[k], want[i], 7 };
        }
        ig_inflate_zlibn(job, (size_t)n);
        int all_ok = 1;
        for (int k = 0; k < n; k++) {
            int i = pick[k];
            int r1 = ig_inflate_zlib(z[i], zn[i], o1, want[i]);
            wrong += job[k].rc != r1 || (r1 == 0 && memcmp(dst[k], o1, want[i]) != 0);
            all_ok &= r1 == 0 && i < 16;
        }
        paired_ok += all_ok && n == 2;
    }
    CHECK_EQ(wrong, 0);
    CHECK(paired_ok > 100);
    for (int i = 0; i < 16; i++) /* and each of ours is sound */
        CHECK_EQ(ig_inflate_zlib(z[i], zn[i], o1, want[i]), 0);
    for (int i = 20; i < NS; i++) /* the damage is seen */
        CHECK_EQ(ig_inflate_zlib(z[i], zn[i], o1, want[i]), -1);
out:
    for (int i = 0; i < NS; i++) {
        free(text[i]);
        free(z[i]);
    }
    free(o1);
    for (int k = 0; k < 8; k++)
        free(dst[k]);
}

/* Literals with codes longer than the fast path's primary table (12 to
 * 15 bits, decoded from a subtable without leaving the fast path) at every
 * point of a refill: a hand-made dynamic block in which 'a' has an 11-bit
 * code, so that four of them use 44 of the 56 bits a refill can leave, and
 * a 15-bit code after them does not fit in the bits counted.  Random mixes
 * of 'a' and the long ones, each decoded with its two-stream partner too,
 * must come out as zlib reads them. */
static void test_fast_inflate_long_codes(void)
{
    /* Code lengths (complete: 1/2 + 1/4 + ... + 2/2^15 = 1): end of block
     * 1 bit, 'b'..'j' 2..10, 'a' 11, 'k' 12, 'l' 13, 'm' 14, 'y' and 'z' 15. */
    uint8_t len[258];
    memset(len, 0, sizeof len);
    len[256] = 1;
    for (unsigned i = 0; i < 9; i++)
        len['b' + i] = (uint8_t)(2 + i);
    len['a'] = 11;
    len['k'] = 12;
    len['l'] = 13;
    len['m'] = 14;
    len['y'] = len['z'] = 15;
    len[257] = 1; /* the one distance code (incomplete, allowed at 1 bit) */
    unsigned code[257], count[16] = { 0 }, next[16] = { 0 };
    for (unsigned i = 0; i < 257; i++)
        count[len[i]]++;
    count[0] = 0;
    for (unsigned b = 1, c = 0; b < 16; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (unsigned i = 0; i < 257; i++)
        if (len[i])
            code[i] = next[len[i]]++;
    static const char longs[] = "klmyz";
    unsigned wrong = 0, streams = 0;
    for (int r = 0; r < 200; r++) {
        unsigned char text[320], out[2][320];
        size_t n = 40 + (size_t)(next_rand() % 280);
        for (size_t i = 0; i < n; i++)
            text[i] = next_rand() % 10 < 7 ? 'a' : (unsigned char)longs[next_rand() % 5];
        bitw w;
        bw_dynamic(&w, 19);
        /* Code length symbols 0..15 all 4 bits (code = the symbol), the
         * repeat symbols 16, 17, 18 unused: order 16 17 18 0 8 7 ... 15. */
        for (unsigned i = 0; i < 19; i++)
            bw_bits(&w, i < 3 ? 0u : 4u, 3);
        for (unsigned sym = 0; sym < 258; sym++)
            bw_code(&w, len[sym], 4);
        for (size_t i = 0; i < n; i++)
            bw_code(&w, code[text[i]], len[text[i]]);
        bw_code(&w, code[256], 1);
        bw_trailer(&w, text, n);
        wrong += w.n >= sizeof w.b;
        streams++;
        /* alone, and as the second of two streams beside a copy */
        ig_inflate_job job[2] = { { w.b, w.n, out[0], n, 0 }, { w.b, w.n, out[1], n, 0 } };
        ig_inflate_zlibn(job, 2);
        if (job[0].rc != 0 || ig_inflate_zlib(w.b, w.n, out[0], n) != 0 ||
            memcmp(out[0], text, n) != 0 ||
            job[1].rc != 0 || memcmp(out[1], text, n) != 0 || !zlib_agrees(w.b, w.n, text, n))
            wrong++;
    }
    CHECK_EQ(wrong, 0);
    CHECK_EQ(streams, 200);
}

int main(void)
{
    if (ig_deflate_new(&enc) != 0 || ig_deflate_new(&enc2) != 0) {
        CHECK(!"ig_deflate_new failed");
        return harness_done();
    }
    /* enc2 gets a different history: its outputs must not depend on it. */
    unsigned char warm[5000];
    make_text(warm, sizeof warm, 20);
    unsigned char *tmp = malloc(ig_deflate_bound(sizeof warm));
    if (tmp) {
        ig_deflate_zlib(enc2, IG_DEFLATE_FAST, warm, sizeof warm, tmp);
        free(tmp);
    }
    CHECK(ig_deflate_bound(0) > 0 && ig_deflate_bound(SIZE_MAX) == SIZE_MAX);
    RUN(test_small);
    RUN(test_runs_and_distances);
    RUN(test_random_binary);
    RUN(test_text_and_block_sizes);
    RUN(test_symbol_blocks);
    RUN(test_chunks_and_renumbering);
    RUN(test_adler_sums);
    RUN(test_seeded_random);
    RUN(test_sample_corpus);
    RUN(test_prose_codes);
    RUN(test_prose_limit);
    RUN(test_prose_pairs);
    RUN(test_deflate_sha);
    RUN(test_fast_inflate);
    RUN(test_fast_inflate_edges);
    RUN(test_adler_fast);
    RUN(test_inflate_table_reuse);
    RUN(test_fast_inflate_pairs);
    RUN(test_fast_inflate_long_codes);
    ig_deflate_free(enc);
    ig_deflate_free(enc2);
    ig_deflate_free(NULL);
    return harness_done();
}

/*
 * test_input.c: ig_input_read on real files written into a temporary
 * directory at run time: gzip made with zlib's deflate (good, two members,
 * empty text, truncated at every length, bit flips in the body, CRC and
 * length, trailing garbage, a plain text named .gz, a zlib stream named .gz,
 * an empty file, a bomb against a lowered max_bytes), non-regular files (a
 * FIFO, a directory, a socket, /dev/zero), a missing file, a file changing
 * while read, NUL and UTF-16 text, and the exact messages (FAULTS.md F07-F10,
 * F19-F26).  Every gzip case is read with chunks of 1, 7, 4096 and 65536
 * bytes and must give the same result each time.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "harness.h"
#include "input.h"

static char tmpdir[64];
static const size_t sizes[] = { 1, 7, 4096, 65536 };
#define NSIZES (sizeof sizes / sizeof sizes[0])

static const char *tpath(const char *name)
{
    static char path[4][160];
    static int k;
    k = (k + 1) & 3;
    snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
    return path[k];
}

static const char *write_file(const char *name, const void *p, size_t n)
{
    const char *path = tpath(name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
    return path;
}

/* Append one gzip member holding p[0..n) to out (zlib deflate, gzip wrapper). */
static void gz_member(ig_buf *out, const void *p, size_t n, int level)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        exit(2);
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)n;
    int rc;
    do {
        unsigned char chunk[16384];
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        rc = deflate(&zs, Z_FINISH);
        ig_buf_add(out, chunk, sizeof chunk - zs.avail_out);
    } while (rc == Z_OK);
    if (rc != Z_STREAM_END)
        exit(2);
    deflateEnd(&zs);
}

/* Some text that compresses to a few kB: words from a small generator. */
static void make_text(ig_buf *t, size_t n)
{
    static const char *w[] = { "multistakeholder ", "governance ", "Internet ", "equal footing ",
                               "caf\xC3\xA9 ", "\xE2\x80\x93 ", "states\n", "respective roles, " };
    uint32_t x = 99;
    ig_buf_reset(t);
    while (t->len < n) {
        x = x * 1664525u + 1013904223u;
        ig_buf_adds(t, w[(x >> 20) % 8]);
        if ((x >> 8) % 5 == 0)
            ig_buf_addf(t, "%u ", x % 100000);
    }
}

/* Read path with chunk size bs; returns rc and the formatted message. */
static int read_msg(const char *path, size_t bs, size_t max, ig_buf *b, ig_input_info *info,
                    char *msg, size_t msgn)
{
    ig_input_opts o;
    memset(&o, 0, sizeof o);
    o.read_bufsz = bs;
    o.max_bytes = max;
    ig_err e;
    ig_err_clear(&e);
    int rc = ig_input_read(path, &o, b, info, &e);
    msg[0] = '\0';
    if (rc != IG_OK)
        ig_err_format(&e, msg, msgn);
    return rc;
}

/* Expect the same rc and message for every chunk size; returns the message
 * of the first for further checks. */
static void expect_all_sizes(const char *path, int want_rc, const char *want_msg, char *got,
                             size_t gotn)
{
    ig_buf b = IG_BUF_INIT;
    char msg[2400];
    for (size_t k = 0; k < NSIZES; k++) {
        ig_input_info info;
        int rc = read_msg(path, sizes[k], 0, &b, &info, msg, sizeof msg);
        CHECK_EQ(rc, want_rc);
        if (want_msg != NULL)
            CHECK_STR(msg, want_msg);
        if (k == 0 && got != NULL)
            snprintf(got, gotn, "%s", msg);
        else if (got != NULL)
            CHECK_STR(msg, got);
        if (rc != IG_OK)
            CHECK_EQ(b.len, 0);
    }
    ig_buf_free(&b);
}

static void test_gzip_good(void)
{
    ig_buf text = IG_BUF_INIT, gz = IG_BUF_INIT, b = IG_BUF_INIT;
    make_text(&text, 200000);
    gz_member(&gz, text.data, text.len, 6);
    const char *p = write_file("good.txt.gz", gz.data, gz.len);
    for (size_t k = 0; k < NSIZES; k++) {
        ig_input_info info;
        char msg[2400];
        CHECK_EQ(read_msg(p, sizes[k], 0, &b, &info, msg, sizeof msg), IG_OK);
        CHECK(b.len == text.len && memcmp(b.data, text.data, text.len) == 0);
        CHECK_EQ(info.gzip, 1);
        CHECK_EQ(info.file_bytes, gz.len);
        CHECK_EQ(info.bytes, text.len);
        CHECK_EQ(info.replaced, 0);
        CHECK(info.mtime_ns > 0);
    }
    /* Two concatenated members (F22): both read, in order. */
    ig_buf two = IG_BUF_INIT, want = IG_BUF_INIT;
    gz_member(&two, "first member\n", 13, 9);
    gz_member(&two, text.data, 5000, 1);
    gz_member(&two, "", 0, 6);           /* an empty member in between */
    gz_member(&two, "third\n", 6, 0);    /* stored block */
    ig_buf_adds(&want, "first member\n");
    ig_buf_add(&want, text.data, 5000);
    ig_buf_adds(&want, "third\n");
    p = write_file("two.gz", two.data, two.len);
    for (size_t k = 0; k < NSIZES; k++) {
        ig_input_info info;
        char msg[2400];
        CHECK_EQ(read_msg(p, sizes[k], 0, &b, &info, msg, sizeof msg), IG_OK);
        CHECK(b.len == want.len && memcmp(b.data, want.data, want.len) == 0);
    }
    /* A gzip of an empty text is an empty document, not an error. */
    ig_buf_reset(&gz);
    gz_member(&gz, "", 0, 6);
    p = write_file("empty-text.gz", gz.data, gz.len);
    expect_all_sizes(p, IG_OK, "", NULL, 0);
    ig_buf_free(&text);
    ig_buf_free(&gz);
    ig_buf_free(&b);
    ig_buf_free(&two);
    ig_buf_free(&want);
}

static void test_gzip_truncated(void)
{
    ig_buf text = IG_BUF_INIT, gz = IG_BUF_INIT;
    char want[512];
    make_text(&text, 20000);
    gz_member(&gz, text.data, text.len, 6);
    CHECK(gz.len > 200);
    /* F19 as FAULTS.md makes it: head -c -100. */
    const char *p = write_file("cut.gz", gz.data, gz.len - 100);
    snprintf(want, sizeof want,
             "igmap: input: %s: truncated gzip stream (unexpected end after %zu compressed bytes)",
             p, gz.len - 100);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* Every shorter prefix of a small member is truncated, never accepted
     * and never anything else (header, body, CRC and length all cut). */
    ig_buf small = IG_BUF_INIT, b = IG_BUF_INIT;
    gz_member(&small, "a short document\n", 17, 6);
    int wrong = 0;
    for (size_t cut = 0; cut < small.len; cut++) {
        p = write_file("prefix.gz", small.data, cut);
        snprintf(want, sizeof want,
                 "igmap: input: %s: truncated gzip stream (unexpected end after %zu compressed bytes)",
                 p, cut);
        for (size_t k = 0; k < NSIZES; k++) {
            char msg[2400];
            ig_input_info info;
            int rc = read_msg(p, sizes[k], 0, &b, &info, msg, sizeof msg);
            if (rc != IG_EDATA || strcmp(msg, want) != 0) {
                if (wrong++ < 3)
                    fprintf(stderr, "cut %zu bs %zu: %s\n", cut, sizes[k], msg);
            }
        }
    }
    CHECK_EQ(wrong, 0);
    /* The same cut in the second of two members. */
    ig_buf two = IG_BUF_INIT;
    gz_member(&two, "one\n", 4, 6);
    size_t first = two.len;
    gz_member(&two, text.data, text.len, 6);
    p = write_file("cut2.gz", two.data, first + 30);
    snprintf(want, sizeof want,
             "igmap: input: %s: truncated gzip stream (unexpected end after %zu compressed bytes)",
             p, first + 30);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* Just the magic of a second member. */
    ig_buf_reset(&two);
    gz_member(&two, "one\n", 4, 6);
    ig_buf_add(&two, "\x1F\x8B", 2);
    p = write_file("cut3.gz", two.data, two.len);
    snprintf(want, sizeof want,
             "igmap: input: %s: truncated gzip stream (unexpected end after %zu compressed bytes)",
             p, two.len);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    ig_buf_free(&text);
    ig_buf_free(&gz);
    ig_buf_free(&small);
    ig_buf_free(&b);
    ig_buf_free(&two);
}

static void test_gzip_corrupt(void)
{
    ig_buf text = IG_BUF_INIT, gz = IG_BUF_INIT;
    char want[512], got[2400];
    make_text(&text, 50000);
    gz_member(&gz, text.data, text.len, 6);

    /* F20: flip a byte in the middle of the body. */
    gz.data[gz.len / 2] ^= 0x55;
    const char *p = write_file("flip.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: corrupt gzip data (", p);
    expect_all_sizes(p, IG_EDATA, NULL, got, sizeof got);
    CHECK(strncmp(got, want, strlen(want)) == 0);
    CHECK(strstr(got, ") (byte ") != NULL);
    gz.data[gz.len / 2] ^= 0x55;

    /* F20: flip a byte of the CRC-32 (8 bytes from the end). */
    gz.data[gz.len - 8] ^= 0x01;
    p = write_file("crc.gz", gz.data, gz.len);
    snprintf(want, sizeof want,
             "igmap: input: %s: corrupt gzip data (incorrect data check) (byte %zu)", p, gz.len - 4);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    gz.data[gz.len - 8] ^= 0x01;

    /* ... and of the length (ISIZE, the last 4 bytes). */
    gz.data[gz.len - 2] ^= 0x10;
    p = write_file("len.gz", gz.data, gz.len);
    snprintf(want, sizeof want,
             "igmap: input: %s: corrupt gzip data (incorrect length check) (byte %zu)", p, gz.len);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    gz.data[gz.len - 2] ^= 0x10;

    /* A bad compression method in the header.  The offset is where inflate
     * stopped: it reads the method and flag bytes together. */
    gz.data[2] = 7;
    p = write_file("method.gz", gz.data, gz.len);
    snprintf(want, sizeof want,
             "igmap: input: %s: corrupt gzip data (unknown compression method) (byte 4)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    gz.data[2] = 8;

    /* Flips at a spread of offsets: always an error, never a crash, never
     * accepted (the header's MTIME/XFL/OS bytes 4..9 are not checked by
     * gzip, so the sweep starts after them). */
    ig_buf b = IG_BUF_INIT;
    int accepted = 0;
    for (size_t off = 10; off < gz.len; off += gz.len / 97 + 1) {
        gz.data[off] ^= 0x20;
        p = write_file("sweep.gz", gz.data, gz.len);
        char msg[2400];
        ig_input_info info;
        if (read_msg(p, 4096, 0, &b, &info, msg, sizeof msg) == IG_OK)
            accepted++;
        gz.data[off] ^= 0x20;
    }
    CHECK_EQ(accepted, 0);
    ig_buf_free(&b);
    ig_buf_free(&text);
    ig_buf_free(&gz);
}

static void test_gzip_garbage(void)
{
    ig_buf gz = IG_BUF_INIT;
    char want[512];
    gz_member(&gz, "document text\n", 14, 6);
    size_t good = gz.len;

    /* F22: `cat a.gz junk`. */
    ig_buf_adds(&gz, "junk after the member\n");
    const char *p = write_file("junk.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: trailing garbage after gzip data (byte %zu)", p, good);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);

    /* A single stray byte, a newline added by an editor. */
    gz.len = good;
    ig_buf_addc(&gz, '\n');
    p = write_file("nl.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: trailing garbage after gzip data (byte %zu)", p, good);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);

    /* Zero padding (tape blocks) is garbage too, located at its start. */
    gz.len = good;
    for (int i = 0; i < 512; i++)
        ig_buf_addc(&gz, '\0');
    p = write_file("zeros.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: trailing garbage after gzip data (byte %zu)", p, good);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);

    /* A lone 0x1F (half a magic) at the very end. */
    gz.len = good;
    ig_buf_addc(&gz, '\x1F');
    p = write_file("half.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: trailing garbage after gzip data (byte %zu)", p, good);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);

    /* Garbage after the second of two members is located after both. */
    gz.len = good;
    gz_member(&gz, "second\n", 7, 6);
    size_t both = gz.len;
    ig_buf_adds(&gz, "xyz");
    p = write_file("junk2.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: trailing garbage after gzip data (byte %zu)", p, both);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    ig_buf_free(&gz);
}

static void test_not_gzip(void)
{
    char want[512];
    /* F23: `cp doc.txt fake.gz`. */
    const char *p = write_file("fake.gz", "plain text, not compressed\n", 27);
    snprintf(want, sizeof want, "igmap: input: %s: not gzip data", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* A zlib stream is not gzip either. */
    unsigned char z[64];
    uLongf zn = sizeof z;
    CHECK_EQ(compress(z, &zn, (const Bytef *)"hello", 5), Z_OK);
    p = write_file("zlib.gz", z, zn);
    snprintf(want, sizeof want, "igmap: input: %s: not gzip data", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* 1F then something else. */
    p = write_file("almost.gz", "\x1F\x8C", 2);
    snprintf(want, sizeof want, "igmap: input: %s: not gzip data", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* An empty file named .gz has no gzip stream at all. */
    p = write_file("empty.gz", "", 0);
    snprintf(want, sizeof want,
             "igmap: input: %s: truncated gzip stream (unexpected end after 0 compressed bytes)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
}

static void test_bomb(void)
{
    /* F21 in miniature: limit+1 zeros against a 1 MiB limit; ratio about
     * 1000:1, like the real thing.  Exactly limit bytes pass. */
    const size_t limit = (size_t)1 << 20;
    unsigned char *zeros = calloc(limit + 1, 1);
    ig_buf gz = IG_BUF_INIT, b = IG_BUF_INIT;
    char want[512], msg[2400];
    ig_input_info info;
    memset(zeros, ' ', limit + 1);
    gz_member(&gz, zeros, limit + 1, 9);
    const char *p = write_file("bomb.gz", gz.data, gz.len);
    snprintf(want, sizeof want,
             "igmap: input: %s: decompressed size exceeds limit (more than %zu bytes)", p, limit);
    for (size_t k = 2; k < NSIZES; k++) {
        CHECK_EQ(read_msg(p, sizes[k], limit, &b, &info, msg, sizeof msg), IG_ELIMIT);
        CHECK_STR(msg, want);
        /* Memory stays bounded by the limit (buffer growth doubles). */
        CHECK(b.cap <= 2 * (limit + 1) + 64);
    }
    ig_buf_reset(&gz);
    gz_member(&gz, zeros, limit, 9);
    p = write_file("atlimit.gz", gz.data, gz.len);
    CHECK_EQ(read_msg(p, 65536, limit, &b, &info, msg, sizeof msg), IG_OK);
    CHECK_EQ(b.len, limit);
    /* The same limit applies to plain files. */
    p = write_file("big.txt", zeros, limit + 1);
    snprintf(want, sizeof want, "igmap: input: %s: document exceeds limit (more than %zu bytes)",
             p, limit);
    CHECK_EQ(read_msg(p, 65536, limit, &b, &info, msg, sizeof msg), IG_ELIMIT);
    CHECK_STR(msg, want);
    p = write_file("limit.txt", zeros, limit);
    CHECK_EQ(read_msg(p, 65536, limit, &b, &info, msg, sizeof msg), IG_OK);
    free(zeros);
    ig_buf_free(&gz);
    ig_buf_free(&b);
}

static void test_gzip_content_errors(void)
{
    /* Decompressed bytes are validated like plain ones, located in the
     * decompressed text; and chunk size does not matter (F05 through gzip). */
    ig_buf gz = IG_BUF_INIT, b = IG_BUF_INIT;
    char want[512], msg[2400];
    gz_member(&gz, "line one\nab\x80" "cd\n", 15, 6);
    const char *p = write_file("bad.txt.gz", gz.data, gz.len);
    snprintf(want, sizeof want,
             "igmap: input: %s:2:3: invalid UTF-8 (unexpected continuation byte 0x80) (byte 11)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* Multibyte characters at every position relative to tiny chunks. */
    ig_buf text = IG_BUF_INIT;
    for (int i = 0; i < 3000; i++)
        ig_buf_adds(&text, i % 3 ? "\xE2\x82\xAC" : "\xF0\x9F\x98\x80" "a");
    ig_buf_reset(&gz);
    gz_member(&gz, text.data, text.len, 6);
    p = write_file("euro.gz", gz.data, gz.len);
    for (size_t k = 0; k < NSIZES; k++) {
        ig_input_info info;
        CHECK_EQ(read_msg(p, sizes[k], 0, &b, &info, msg, sizeof msg), IG_OK);
        CHECK(b.len == text.len && memcmp(b.data, text.data, text.len) == 0);
    }
    /* A container fault outranks an encoding fault found before it. */
    ig_buf_reset(&gz);
    gz_member(&gz, "ab\x80" "cd", 5, 6);
    ig_buf_adds(&gz, "junk");
    p = write_file("both.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: trailing garbage after gzip data (byte %zu)",
             p, gz.len - 4);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    ig_buf_free(&gz);
    ig_buf_free(&b);
    ig_buf_free(&text);
}

static void test_plain(void)
{
    ig_buf b = IG_BUF_INIT;
    char msg[2400];
    ig_input_info info;
    /* F12: an empty file is a valid, empty document. */
    const char *p = write_file("empty.txt", "", 0);
    CHECK_EQ(read_msg(p, 0, 0, &b, &info, msg, sizeof msg), IG_OK);
    CHECK_EQ(b.len, 0);
    CHECK_EQ(info.bytes, 0);
    CHECK_EQ(info.file_bytes, 0);
    CHECK_EQ(info.gzip, 0);
    /* F10: a UTF-8 BOM is reported and kept. */
    p = write_file("bom.txt", "\xEF\xBB\xBFword\n", 8);
    CHECK_EQ(read_msg(p, 0, 0, &b, &info, msg, sizeof msg), IG_OK);
    CHECK_EQ(info.bom_bytes, 3);
    CHECK_EQ(b.len, 8);
    CHECK_MEM(b.data, b.len, "\xEF\xBB\xBFword\n");
    CHECK_EQ(b.data[b.len], '\0');
    /* Ordinary text: bytes unchanged, CRLF untouched. */
    p = write_file("crlf.txt", "a\r\nb\rc\n", 7);
    CHECK_EQ(read_msg(p, 3, 0, &b, &info, msg, sizeof msg), IG_OK);
    CHECK_MEM(b.data, b.len, "a\r\nb\rc\n");
    CHECK_EQ(info.bom_bytes, 0);
    /* The buffer is reset, not appended to, on each call. */
    CHECK_EQ(read_msg(p, 3, 0, &b, &info, msg, sizeof msg), IG_OK);
    CHECK_EQ(b.len, 7);
    ig_buf_free(&b);
}

static void test_nul_and_utf16(void)
{
    char want[512];
    /* F07: the FAULTS.md example; a lone NUL is not UTF-16. */
    const char *p = write_file("nul.txt", "a\0b", 3);
    snprintf(want, sizeof want, "igmap: input: %s:1:2: binary data (NUL) (byte 1)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* Located on a later line. */
    p = write_file("nul2.txt", "text\nmore\0", 10);
    snprintf(want, sizeof want, "igmap: input: %s:2:5: binary data (NUL) (byte 9)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* F09: UTF-16LE and BE without BOM: NULs alternate with ASCII. */
    p = write_file("le.txt", "h\0e\0l\0l\0o\0", 10);
    snprintf(want, sizeof want,
             "igmap: input: %s:1:2: binary data (NUL); looks like UTF-16; convert to UTF-8 (byte 1)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    p = write_file("be.txt", "\0h\0e\0l\0l\0o", 10);
    snprintf(want, sizeof want,
             "igmap: input: %s:1:1: binary data (NUL); looks like UTF-16; convert to UTF-8 (byte 0)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* F08: UTF-16 with BOM is refused by name (we do not transcode). */
    p = write_file("bomle.txt", "\xFF\xFEh\0i\0", 6);
    snprintf(want, sizeof want, "igmap: input: %s: UTF-16LE BOM detected; convert to UTF-8", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    p = write_file("bombe.txt", "\xFE\xFF\0h\0i", 6);
    snprintf(want, sizeof want, "igmap: input: %s: UTF-16BE BOM detected; convert to UTF-8", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* The same inside gzip. */
    ig_buf gz = IG_BUF_INIT;
    gz_member(&gz, "\xFF\xFEh\0i\0", 6, 6);
    p = write_file("bomle.txt.gz", gz.data, gz.len);
    snprintf(want, sizeof want, "igmap: input: %s: UTF-16LE BOM detected; convert to UTF-8", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    ig_buf_free(&gz);
    /* An invalid sequence before the first NUL is reported first. */
    p = write_file("badnul.txt", "x\xFFy\0", 4);
    snprintf(want, sizeof want, "igmap: input: %s:1:2: invalid UTF-8 (invalid lead byte 0xFF) (byte 1)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    /* allow_nul keeps NULs. */
    ig_input_opts o;
    memset(&o, 0, sizeof o);
    o.allow_nul = 1;
    ig_buf b = IG_BUF_INIT;
    ig_err e;
    ig_err_clear(&e);
    p = tpath("nul.txt");
    CHECK_EQ(ig_input_read(p, &o, &b, NULL, &e), IG_OK);
    CHECK_EQ(b.len, 3);
    CHECK(memcmp(b.data, "a\0b", 3) == 0);
    /* With allow_nul, a NUL inside a long ASCII run does not hide a bad
     * byte after it. */
    p = write_file("nulbad.txt", "0123456789abcdef\0" "0123456789abcdef\x80", 34);
    ig_err_clear(&e);
    CHECK_EQ(ig_input_read(p, &o, &b, NULL, &e), IG_EDATA);
    CHECK_EQ(e.byte, 33);
    ig_buf_free(&b);
}

static void test_not_regular(void)
{
    char want[512];
    ig_buf b = IG_BUF_INIT;
    /* F24: a FIFO with no writer must not hang (alarm as a backstop). */
    const char *p = tpath("fifo");
    CHECK_EQ(mkfifo(p, 0600), 0);
    alarm(20);
    snprintf(want, sizeof want, "igmap: input: %s: not a regular file (FIFO)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    alarm(0);
    unlink(p);
    /* A directory. */
    p = tpath("adir");
    CHECK_EQ(mkdir(p, 0700), 0);
    snprintf(want, sizeof want, "igmap: input: %s: not a regular file (directory)", p);
    expect_all_sizes(p, IG_EDATA, want, NULL, 0);
    rmdir(p);
    /* /dev/zero is not read forever. */
    snprintf(want, sizeof want, "igmap: input: /dev/zero: not a regular file (character device)");
    expect_all_sizes("/dev/zero", IG_EDATA, want, NULL, 0);
    /* A UNIX socket (open fails with ENXIO). */
    p = tpath("sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p);
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0) {
        snprintf(want, sizeof want, "igmap: input: %s: not a regular file (socket)", p);
        expect_all_sizes(p, IG_EDATA, want, NULL, 0);
        unlink(p);
    }
    if (s >= 0)
        close(s);
    /* A missing file is an OS error with strerror (exit 3). */
    p = tpath("missing.txt");
    snprintf(want, sizeof want, "igmap: input: %s: cannot open: No such file or directory", p);
    expect_all_sizes(p, IG_ESYS, want, NULL, 0);
    /* A symlink to a regular file is read through. */
    const char *target = write_file("target.txt", "via link\n", 9);
    p = tpath("link.txt");
    CHECK_EQ(symlink(target, p), 0);
    expect_all_sizes(p, IG_OK, "", NULL, 0);
    unlink(p);
    /* Unreadable (F25), unless we are root. */
    if (geteuid() != 0) {
        p = write_file("secret.txt", "x", 1);
        chmod(p, 0);
        snprintf(want, sizeof want, "igmap: input: %s: cannot open: Permission denied", p);
        expect_all_sizes(p, IG_ESYS, want, NULL, 0);
    }
    ig_buf_free(&b);
}

/* F26: another process appends to (or rewrites in place) the file while we
 * read it one byte per read() call.  The writer runs for the whole read, so
 * at least one change lands between our two fstat calls. */
static void test_changed_while_read(void)
{
    for (int mode = 0; mode < 2; mode++) {
        size_t n = 300000;
        char *text = malloc(n);
        memset(text, 'x', n);
        const char *p = write_file(mode ? "rewrite.txt" : "grow.txt", text, n);
        free(text);
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open(p, O_WRONLY | (mode ? 0 : O_APPEND));
            for (int i = 0; i < 20000 && fd >= 0; i++) {
                if (mode)
                    (void)!pwrite(fd, "x", 1, 0); /* same size, new mtime */
                else
                    (void)!write(fd, "y", 1);
                usleep(200);
            }
            _exit(0);
        }
        usleep(20000); /* let the writer start */
        ig_input_opts o;
        memset(&o, 0, sizeof o);
        o.read_bufsz = 1;
        ig_buf b = IG_BUF_INIT;
        ig_err e;
        ig_err_clear(&e);
        int rc = ig_input_read(p, &o, &b, NULL, &e);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        CHECK_EQ(rc, IG_EDATA);
        CHECK_STR(e.msg, "input changed while being read");
        CHECK_STR(e.path, p);
        CHECK_EQ(b.len, 0);
        ig_buf_free(&b);
    }
}

/* The first error wins in the caller's context. */
static void test_first_error_wins(void)
{
    ig_err e;
    ig_err_clear(&e);
    ig_err_data(&e, "earlier", NULL, "an earlier problem");
    ig_buf b = IG_BUF_INIT;
    const char *p = write_file("fake2.gz", "nope", 4);
    CHECK_EQ(ig_input_read(p, NULL, &b, NULL, &e), IG_EDATA);
    CHECK_STR(e.msg, "an earlier problem");
    /* NULL opts and info are accepted: defaults. */
    p = write_file("ok.txt", "fine\n", 5);
    ig_err_clear(&e);
    CHECK_EQ(ig_input_read(p, NULL, &b, NULL, &e), IG_OK);
    CHECK_EQ(b.len, 5);
    ig_buf_free(&b);
}

/* OOM count-down (FAULTS.md test method 1): fail the k-th allocation, once
 * and forever, for k = 1, 2, ... until the read succeeds untouched.  Every
 * failure must be a clean IG_ENOMEM naming the file, with nothing left in
 * the buffer (and
 * LeakSanitizer checks nothing leaked, zlib's state included). */
static void test_oom_sweep(void)
{
    ig_buf text = IG_BUF_INIT, gz = IG_BUF_INIT;
    make_text(&text, 30000);
    gz_member(&gz, text.data, text.len, 6);
    const char *pg = write_file("oom.txt.gz", gz.data, gz.len);
    const char *pr = write_file("oomrep.txt", "ab\x80" "cd\xFF", 6);
    for (int which = 0; which < 2; which++) {
        for (int forever = 0; forever < 2; forever++) {
            int bad = 0, ok = 0, nomem = 0;
            for (uint64_t k = 1; k < 200 && !ok; k++) {
                ig_input_opts o;
                memset(&o, 0, sizeof o);
                o.read_bufsz = 4096;
                o.on_invalid_replace = which;
                ig_buf b = IG_BUF_INIT;
                ig_err e;
                ig_err_clear(&e);
                ig_alloc_fail_at(k, forever);
                int rc = ig_input_read(which ? pr : pg, &o, &b, NULL, &e);
                ig_alloc_fail_at(0, 0);
                if (rc == IG_OK)
                    ok = which ? (b.len == 10) : (b.len == text.len);
                else if (rc != IG_ENOMEM || b.len != 0 ||
                         strncmp(e.msg, "out of memory", 13) != 0 ||
                         strcmp(e.path, which ? pr : pg) != 0) /* located (F13) */
                    bad++;
                else
                    nomem++;
                ig_buf_free(&b);
            }
            CHECK_EQ(bad, 0);
            CHECK(ok);
            CHECK(nomem >= 2); /* the sweep really failed some allocations */
        }
    }
    ig_buf_free(&text);
    ig_buf_free(&gz);
}

static void cleanup(void)
{
    char cmd[128];
    /* Only our own mkdtemp directory. */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (strncmp(tmpdir, "/tmp/igtest-input.", 18) == 0)
        (void)!system(cmd);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igtest-input.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_gzip_good);
    RUN(test_gzip_truncated);
    RUN(test_gzip_corrupt);
    RUN(test_gzip_garbage);
    RUN(test_not_gzip);
    RUN(test_bomb);
    RUN(test_gzip_content_errors);
    RUN(test_plain);
    RUN(test_nul_and_utf16);
    RUN(test_not_regular);
    RUN(test_changed_while_read);
    RUN(test_first_error_wins);
    RUN(test_oom_sweep);
    cleanup();
    return harness_done();
}

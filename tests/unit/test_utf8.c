/*
 * test_utf8.c: UTF-8 validation (pipeline/input.h), one table row per class
 * of FAULTS.md F01-F06 and F10, with the exact offset, line, column and
 * reason expected; ig_utf8_seqlen; replace mode (maximal subparts, counted)
 * through ig_input_read; and read-buffer-size invariance (F05): the same
 * file read with chunks of 1, 7, 4096 and 65536 bytes gives the same bytes,
 * the same counts and the same error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "harness.h"
#include "input.h"

/* A byte string with its length (may hold NUL), and what validating it must
 * give: valid, or the first bad sequence's byte, line, col and reason. */
struct u8case {
    const char *what;
    const char *s;
    size_t n;
    int valid;
    uint64_t byte, line, col;
    const char *reason;
};

#define S(lit) lit, sizeof(lit) - 1
#define OK(what, lit) { what, S(lit), 1, 0, 0, 0, NULL }
#define BAD(what, lit, byte, line, col, reason) { what, S(lit), 0, byte, line, col, reason }

static const struct u8case cases[] = {
    /* Well-formed, including every boundary of Unicode Table 3-7. */
    OK("empty", ""),
    OK("ascii", "hello, world\n"),
    OK("NUL is valid UTF-8 (the NUL rule is input's, not UTF-8's)", "a\0b"),
    OK("U+0080 first 2-byte", "\xC2\x80"),
    OK("U+07FF last 2-byte", "\xDF\xBF"),
    OK("U+0800 first 3-byte", "\xE0\xA0\x80"),
    OK("U+D7FF before surrogates", "\xED\x9F\xBF"),
    OK("U+E000 after surrogates", "\xEE\x80\x80"),
    OK("euro sign", "\xE2\x82\xAC"),
    OK("U+10000 first 4-byte", "\xF0\x90\x80\x80"),
    OK("U+10FFFF last code point", "\xF4\x8F\xBF\xBF"),
    OK("emoji in text", "ok \xF0\x9F\x98\x80 ok"),
    /* F06: noncharacters and unassigned code points are valid. */
    OK("F06 U+FFFE", "\xEF\xBF\xBE"),
    OK("F06 U+FFFF", "\xEF\xBF\xBF"),
    OK("F06 U+FDD0", "\xEF\xB7\x90"),
    OK("F06 U+10FFFE", "\xF4\x8F\xBF\xBE"),
    OK("F06 unassigned U+E0080", "\xF3\xA0\x82\x80"),
    /* F10: BOM at start and U+FEFF in the middle are valid. */
    OK("F10 leading BOM", "\xEF\xBB\xBFword"),
    OK("F10 mid-text U+FEFF", "a\xEF\xBB\xBF" "b"),

    /* F01: lone continuation bytes. */
    BAD("F01 FAULTS example", "ab\x80" "cd", 2, 1, 3, "unexpected continuation byte 0x80"),
    BAD("F01 at start", "\xBF", 0, 1, 1, "unexpected continuation byte 0xBF"),
    BAD("F01 after a 2-byte char", "\xC3\xA9\xA9", 2, 1, 2, "unexpected continuation byte 0xA9"),
    BAD("F01 after a 4-byte char", "\xF0\x9F\x98\x80\x80", 4, 1, 2, "unexpected continuation byte 0x80"),
    /* F02: overlongs, reported at the lead byte, never decoded. */
    BAD("F02 C0 AE ('.')", "\xC0\xAE", 0, 1, 1, "overlong encoding"),
    BAD("F02 C1 BF", "x\xC1\xBF", 1, 1, 2, "overlong encoding"),
    BAD("F02 E0 80 AF ('/')", "a\xE0\x80\xAF", 1, 1, 2, "overlong encoding"),
    BAD("F02 E0 9F BF (U+07FF in 3)", "\xE0\x9F\xBF", 0, 1, 1, "overlong encoding"),
    BAD("F02 F0 80 80 AF", "\xF0\x80\x80\xAF", 0, 1, 1, "overlong encoding"),
    BAD("F02 F0 8F BF BF (U+FFFF in 4)", "\xF0\x8F\xBF\xBF", 0, 1, 1, "overlong encoding"),
    /* F03: surrogates, alone and as CESU-8 pairs. */
    BAD("F03 ED A0 80 (U+D800)", "\xED\xA0\x80", 0, 1, 1, "UTF-16 surrogate"),
    BAD("F03 ED BF BF (U+DFFF)", "ab\xED\xBF\xBF", 2, 1, 3, "UTF-16 surrogate"),
    BAD("F03 CESU-8 pair", "\xED\xA0\xBD\xED\xB8\x80", 0, 1, 1, "UTF-16 surrogate"),
    /* F04: beyond U+10FFFF, bytes that never occur, 5- and 6-byte forms. */
    BAD("F04 F4 90 80 80 (U+110000)", "\xF4\x90\x80\x80", 0, 1, 1, "code point above U+10FFFF"),
    BAD("F04 F5 lead", "\xF5\x80\x80\x80", 0, 1, 1, "code point above U+10FFFF"),
    BAD("F04 F7 lead", "z\xF7\xBF\xBF\xBF", 1, 1, 2, "code point above U+10FFFF"),
    BAD("F04 5-byte form", "\xF8\x88\x80\x80\x80", 0, 1, 1, "invalid lead byte 0xF8"),
    BAD("F04 6-byte form", "\xFC\x84\x80\x80\x80\x80", 0, 1, 1, "invalid lead byte 0xFC"),
    BAD("F04 FE", "\xFE", 0, 1, 1, "invalid lead byte 0xFE"),
    BAD("F04 FF", "ok\xFF", 2, 1, 3, "invalid lead byte 0xFF"),
    /* F05 (i): truncated sequences, at EOF and before another character. */
    BAD("F05 E2 82 at EOF", "abc\xE2\x82", 3, 1, 4, "truncated sequence"),
    BAD("F05 C3 at EOF", "\xC3", 0, 1, 1, "truncated sequence"),
    BAD("F05 F0 9F 98 at EOF", "\xF0\x9F\x98", 0, 1, 1, "truncated sequence"),
    BAD("F05 E2 82 then ASCII", "\xE2\x82x", 0, 1, 1, "truncated sequence"),
    BAD("F05 C3 then newline", "\xC3\n", 0, 1, 1, "truncated sequence"),
    BAD("F05 lead then lead", "\xE2\xE2\x82\xAC", 0, 1, 1, "truncated sequence"),
    /* F10: the BOM does not count toward columns; byte offsets count it. */
    BAD("F10 bad right after BOM", "\xEF\xBB\xBF\x80", 3, 1, 1, "unexpected continuation byte 0x80"),
    BAD("F10 bad after BOM and text", "\xEF\xBB\xBF" "ab\x80", 5, 1, 3, "unexpected continuation byte 0x80"),
    BAD("F10 mid-text U+FEFF is a character", "a\xEF\xBB\xBF\x80", 4, 1, 3, "unexpected continuation byte 0x80"),
    BAD("F10 BOM only skipped on line 1", "\xEF\xBB\xBF\n\xEF\xBB\xBF\x80", 7, 2, 2, "unexpected continuation byte 0x80"),
    /* Lines (LF, CRLF, lone CR) and columns in characters. */
    BAD("line 3 after LFs", "line1\nline2\n\x80", 12, 3, 1, "unexpected continuation byte 0x80"),
    BAD("CRLF is one break", "a\r\nb\r\nc\x80", 7, 3, 2, "unexpected continuation byte 0x80"),
    BAD("lone CR is a break", "a\rb\x80", 3, 2, 2, "unexpected continuation byte 0x80"),
    BAD("mixed endings", "a\r\n\rb\n\x80", 6, 4, 1, "unexpected continuation byte 0x80"),
    BAD("columns count characters", "\xC3\xA9\xC3\xA9\x80", 4, 1, 3, "unexpected continuation byte 0x80"),
    BAD("columns count 3- and 4-byte", "\xE2\x82\xAC\xF0\x9F\x98\x80x\xFF", 8, 1, 4, "invalid lead byte 0xFF"),
    BAD("first of several", "ok\x80\xFF\xC0", 2, 1, 3, "unexpected continuation byte 0x80"),
    BAD("after a long ASCII run", "0123456789abcdef0123456789abcdef0123456789\xC0\x80", 42, 1, 43, "overlong encoding"),
};

static void test_check_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct u8case *c = &cases[i];
        ig_utf8_bad bad;
        memset(&bad, 0xAB, sizeof bad);
        bad.reason[0] = '\0';
        int v = ig_utf8_check(c->s, c->n, &bad);
        harness_test = c->what;
        CHECK_EQ(v, c->valid);
        if (!c->valid && !v) {
            CHECK_EQ(bad.byte, c->byte);
            CHECK_EQ(bad.line, c->line);
            CHECK_EQ(bad.col, c->col);
            CHECK_STR(bad.reason, c->reason);
        }
        /* A NULL report pointer is allowed. */
        CHECK_EQ(ig_utf8_check(c->s, c->n, NULL), c->valid);
    }
}

/* The same table, each string placed after 1..40 bytes of ASCII so the bad
 * sequence lands at every alignment of the 8- and 16-byte fast paths. */
static void test_check_alignment(void)
{
    char buf[128];
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct u8case *c = &cases[i];
        /* Prefixing shifts columns only on line 1 without a BOM. */
        if (c->n >= 3 && memcmp(c->s, "\xEF\xBB\xBF", 3) == 0)
            continue;
        for (size_t pad = 1; pad <= 40; pad++) {
            memset(buf, 'x', pad);
            memcpy(buf + pad, c->s, c->n);
            ig_utf8_bad bad;
            int v = ig_utf8_check(buf, pad + c->n, &bad);
            if (v != c->valid) {
                wrong++;
                continue;
            }
            if (!v && (bad.byte != c->byte + pad || bad.line != c->line ||
                       bad.col != (c->line == 1 ? c->col + pad : c->col) ||
                       strcmp(bad.reason, c->reason) != 0))
                wrong++;
        }
    }
    CHECK_EQ(wrong, 0);
}

static void test_seqlen(void)
{
    const unsigned char *u;
#define SL(lit, n) (u = (const unsigned char *)(lit), ig_utf8_seqlen(u, (n)))
    CHECK_EQ(SL("a", 1), 1);
    CHECK_EQ(SL("\0", 1), 1);
    CHECK_EQ(SL("\xC3\xA9", 2), 2);
    CHECK_EQ(SL("\xE2\x82\xAC", 3), 3);
    CHECK_EQ(SL("\xF0\x9F\x98\x80", 4), 4);
    CHECK_EQ(SL("\xF4\x8F\xBF\xBF", 4), 4);
    CHECK_EQ(SL("\xE2\x82\xACzzz", 6), 3);
    CHECK_EQ(SL("a", 0), 0);
    CHECK_EQ(SL("\xC3\xA9", 1), 0);         /* truncated at n */
    CHECK_EQ(SL("\xE2\x82", 2), 0);
    CHECK_EQ(SL("\x80", 1), 0);
    CHECK_EQ(SL("\xC0\xAE", 2), 0);
    CHECK_EQ(SL("\xE0\x80\xAF", 3), 0);
    CHECK_EQ(SL("\xED\xA0\x80", 3), 0);
    CHECK_EQ(SL("\xF4\x90\x80\x80", 4), 0);
    CHECK_EQ(SL("\xF5\x80\x80\x80", 4), 0);
    CHECK_EQ(SL("\xFF", 1), 0);
    CHECK_EQ(SL("\xE2\x82x", 3), 0);
#undef SL
}

/* ---- through ig_input_read ------------------------------------------------ */

static char tmpdir[64];

static const char *tmp_write(const char *name, const void *p, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    return path;
}

struct repcase {
    const char *what;
    const char *in;
    size_t n;
    const char *out;  /* expected bytes after replacement */
    uint64_t replaced;
};

#define R(what, in, out, k) { what, S(in), out, k }
#define FFFD "\xEF\xBF\xBD"

static const struct repcase reps[] = {
    R("valid text untouched", "caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC", 0),
    R("F01 lone continuation", "ab\x80" "cd", "ab" FFFD "cd", 1),
    R("F02 C0 AE: two subparts", "\xC0\xAE", FFFD FFFD, 2),
    R("F02 E0 80 AF: three", "\xE0\x80\xAF", FFFD FFFD FFFD, 3),
    R("F03 surrogate: three", "\xED\xA0\x80", FFFD FFFD FFFD, 3),
    R("F04 above: four", "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4),
    R("F04 5-byte form: five", "\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD, 5),
    R("F05 truncated before ASCII: one", "\xE2\x82x", FFFD "x", 1),
    R("F05 truncated at EOF: one", "ok\xF0\x9F\x98", "ok" FFFD, 1),
    /* Unicode 15, Table 3-8 (maximal subparts). */
    R("Unicode Table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
      "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d", 6),
    R("BOM kept", "\xEF\xBB\xBFx\xFF", "\xEF\xBB\xBFx" FFFD, 1),
};

static void test_replace_mode(void)
{
    ig_input_opts o;
    memset(&o, 0, sizeof o);
    o.on_invalid_replace = 1;
    ig_buf b = IG_BUF_INIT;
    for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++) {
        harness_test = reps[i].what;
        const char *p = tmp_write("rep.txt", reps[i].in, reps[i].n);
        ig_input_info info;
        ig_err e;
        ig_err_clear(&e);
        int rc = ig_input_read(p, &o, &b, &info, &e);
        CHECK_EQ(rc, IG_OK);
        CHECK_MEM(b.data, b.len, reps[i].out);
        CHECK_EQ(info.replaced, reps[i].replaced);
        CHECK_EQ(info.bytes, strlen(reps[i].out));
        CHECK_EQ(info.file_bytes, reps[i].n);
        /* The repaired text is valid. */
        CHECK(ig_utf8_check(b.data, b.len, NULL));
    }
    /* Strict mode rejects what replace mode repaired. */
    harness_test = "strict rejects";
    o.on_invalid_replace = 0;
    const char *p = tmp_write("rep.txt", "ab\x80" "cd", 5);
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(ig_input_read(p, &o, &b, NULL, &e), IG_EDATA);
    char msg[2400];
    ig_err_format(&e, msg, sizeof msg);
    char want[256];
    snprintf(want, sizeof want,
             "igmap: input: %s:1:3: invalid UTF-8 (unexpected continuation byte 0x80) (byte 2)", p);
    CHECK_STR(msg, want);
    CHECK_EQ(b.len, 0);
    /* In replace mode a NUL is still an error, located in the original
     * bytes, with the replaced subpart counted as one column. */
    harness_test = "replace then NUL";
    o.on_invalid_replace = 1;
    p = tmp_write("rep.txt", "\x80\x80z\0", 4);
    ig_err_clear(&e);
    CHECK_EQ(ig_input_read(p, &o, &b, NULL, &e), IG_EDATA);
    CHECK_EQ(e.byte, 3);
    CHECK_EQ(e.line, 1);
    CHECK_EQ(e.col, 4);
    CHECK_STR(e.msg, "binary data (NUL)");
    ig_buf_free(&b);
}

/*
 * F05 (ii): a text of random ASCII, CRLFs and 2-, 3- and 4-byte characters,
 * with pieces placed exactly across the chunk boundaries used (4096, a
 * multiple of 7, 65536, 131072), read with chunks of 1, 7, 4096 and 65536
 * bytes.  With errors, the bad pieces straddle boundaries too.
 */
#define ERRPIECE "\xE2\x82" "x\xC0\xAE\xED\xA0\x80" /* 6 maximal subparts */
#define ERRPIECE_SUBPARTS 6

struct place { size_t at; const char *piece; };

static void fill_to(ig_buf *t, size_t target, uint32_t *x)
{
    static const char *pieces[] = { "\xE2\x82\xAC", "\xC3\xA9", "\xF0\x9F\x98\x80", "\xE2\x80\x93" };
    while (t->len + 5 < target) {
        *x = *x * 1103515245u + 12345u;
        unsigned r = (*x >> 16) % 23;
        if (r < 4)
            ig_buf_adds(t, pieces[r]);
        else if (r == 4)
            ig_buf_adds(t, "\r\n");
        else
            ig_buf_addc(t, (char)('a' + r));
    }
    while (t->len < target)
        ig_buf_addc(t, 'a');
}

static void build_text(ig_buf *t, int with_errors)
{
    static const struct place good[] = {
        { 4095, "\xF0\x9F\x98\x80" }, { 7005, "\xE2\x82\xAC" },
        { 65534, "\xE2\x82\xAC" }, { 131070, "\xF0\x9F\x98\x80" },
    };
    static const struct place bad[] = {
        { 4000, ERRPIECE }, { 4095, ERRPIECE }, { 7005, "\xE2\x82\xAC" },
        { 65535, ERRPIECE }, { 100001, ERRPIECE }, { 131070, "\xF0\x9F\x98\x80" },
    };
    const struct place *pl = with_errors ? bad : good;
    size_t np = with_errors ? sizeof bad / sizeof bad[0] : sizeof good / sizeof good[0];
    uint32_t x = 7;
    ig_buf_reset(t);
    for (size_t i = 0; i < np; i++) {
        fill_to(t, pl[i].at, &x);
        ig_buf_adds(t, pl[i].piece);
    }
    fill_to(t, 140000, &x);
}

static void test_bufsize_invariance(void)
{
    static const size_t sizes[] = { 1, 7, 4096, 65536 };
    ig_buf t = IG_BUF_INIT, first = IG_BUF_INIT, b = IG_BUF_INIT;
    for (int with_errors = 0; with_errors <= 1; with_errors++) {
        build_text(&t, with_errors);
        CHECK_EQ(ig_utf8_check(t.data, t.len, NULL), !with_errors);
        const char *p = tmp_write("inv.txt", t.data, t.len);
        for (int replace = 0; replace <= 1; replace++) {
            uint64_t first_replaced = 0;
            char first_msg[2400] = "";
            int first_rc = 0;
            for (size_t k = 0; k < 4; k++) {
                harness_test = k == 0 ? "bufsize: expected outcome" : "bufsize invariance";
                ig_input_opts o;
                memset(&o, 0, sizeof o);
                o.read_bufsz = sizes[k];
                o.on_invalid_replace = replace;
                ig_input_info info;
                ig_err e;
                ig_err_clear(&e);
                int rc = ig_input_read(p, &o, &b, &info, &e);
                char msg[2400] = "";
                if (rc)
                    ig_err_format(&e, msg, sizeof msg);
                if (k == 0) {
                    first_rc = rc;
                    snprintf(first_msg, sizeof first_msg, "%s", msg);
                    first_replaced = info.replaced;
                    ig_buf_reset(&first);
                    ig_buf_add(&first, b.data ? b.data : "", b.len);
                    /* Expected outcomes. */
                    if (!with_errors) {
                        CHECK_EQ(rc, IG_OK);
                        CHECK(b.len == t.len && memcmp(b.data, t.data, t.len) == 0);
                    } else if (!replace) {
                        CHECK_EQ(rc, IG_EDATA);
                        CHECK(strstr(msg, "invalid UTF-8 (truncated sequence)") != NULL);
                    } else {
                        CHECK_EQ(rc, IG_OK);
                        CHECK_EQ(info.replaced, 4 * ERRPIECE_SUBPARTS);
                        CHECK(ig_utf8_check(b.data, b.len, NULL));
                    }
                    continue;
                }
                CHECK_EQ(rc, first_rc);
                CHECK_STR(msg, first_msg);
                CHECK_EQ(info.replaced, first_replaced);
                CHECK(b.len == first.len && memcmp(b.data ? b.data : "", first.data, b.len) == 0);
            }
        }
    }
    /* The strict error is the first bad sequence, at byte 4000. */
    build_text(&t, 1);
    ig_utf8_bad bad;
    CHECK_EQ(ig_utf8_check(t.data, t.len, &bad), 0);
    CHECK_EQ(bad.byte, 4000);
    CHECK_STR(bad.reason, "truncated sequence");
    ig_buf_free(&t);
    ig_buf_free(&first);
    ig_buf_free(&b);
}

/* A multibyte character cut exactly at EOF after a chunk boundary is still
 * truncated whatever the chunk size; and a valid one is not. */
static void test_eof_boundary(void)
{
    char buf[4100];
    memset(buf, 'a', sizeof buf);
    memcpy(buf + 4094, "\xE2\x82", 2); /* ends at 4096 */
    const char *p = tmp_write("eof.txt", buf, 4096);
    static const size_t sizes[] = { 1, 7, 4096, 65536 };
    ig_buf b = IG_BUF_INIT;
    for (size_t k = 0; k < 4; k++) {
        ig_input_opts o;
        memset(&o, 0, sizeof o);
        o.read_bufsz = sizes[k];
        ig_err e;
        ig_err_clear(&e);
        CHECK_EQ(ig_input_read(p, &o, &b, NULL, &e), IG_EDATA);
        CHECK_EQ(e.byte, 4094);
        CHECK_EQ(e.col, 4095);
        CHECK_STR(e.msg, "invalid UTF-8 (truncated sequence)");
    }
    memcpy(buf + 4094, "\xC3\xA9", 2);
    p = tmp_write("eof.txt", buf, 4096);
    for (size_t k = 0; k < 4; k++) {
        ig_input_opts o;
        memset(&o, 0, sizeof o);
        o.read_bufsz = sizes[k];
        ig_err e;
        ig_err_clear(&e);
        CHECK_EQ(ig_input_read(p, &o, &b, NULL, &e), IG_OK);
        CHECK_EQ(b.len, 4096);
    }
    ig_buf_free(&b);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igtest-utf8.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_check_table);
    RUN(test_check_alignment);
    RUN(test_seqlen);
    RUN(test_replace_mode);
    RUN(test_bufsize_invariance);
    RUN(test_eof_boundary);
    char path[128];
    const char *names[] = { "rep.txt", "inv.txt", "eof.txt" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
    return harness_done();
}

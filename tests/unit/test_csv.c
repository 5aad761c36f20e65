/*
 * test_csv.c: pipeline/csv.c, the strict RFC 4180 reader and the
 * formula-safe writer (FAULTS.md F31, F38, F51-F53, F56).
 *
 * Reader: records, quoting, CRLF, BOM, final blank line, embedded newlines
 * and the line numbers after them, and each error with its line:col.
 * Writer: quoting, formula neutralisation (= + - @ TAB CR LF) on OWASP's
 * examples, numbers from typed values, and a round trip through the reader.
 * Numbers: ig_fmt_double and ig_parse_double in the C locale whatever
 * setlocale says (checked under de_DE.UTF-8 when that locale exists).
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "alloc.h"
#include "csv.h"
#include "err.h"
#include "harness.h"
#include "out.h"

/* ---- reader ---------------------------------------------------------------- */

/* Read all of data; the records are rendered as "f1|f2|...\n" with each
 * record prefixed by its start line ("3:"), so one string shows everything.
 * Returns the final rc (0 at clean end) and, on error, e. */
static int read_all(const char *data, size_t len, ig_buf *shown, ig_err *e)
{
    ig_csv_reader r;
    ig_csv_reader_init(&r, data, len, "m.csv", "manifest");
    ig_buf_reset(shown);
    ig_err_clear(e);
    int rc;
    for (;;) {
        const char **f;
        const size_t *l;
        size_t n;
        rc = ig_csv_next(&r, &f, &l, &n, e);
        if (rc <= 0)
            break;
        ig_buf_addf(shown, "%llu:", (unsigned long long)r.rec_line);
        for (size_t i = 0; i < n; i++) {
            if (i)
                ig_buf_addc(shown, '|');
            /* Fields are NUL-terminated copies of l[i] bytes. */
            if (f[i][l[i]] != '\0')
                ig_buf_adds(shown, "<unterminated>");
            ig_buf_add(shown, f[i], l[i]);
        }
        ig_buf_addc(shown, '\n');
    }
    ig_csv_reader_free(&r);
    return rc;
}

struct rcase {
    const char *what;
    const char *in;
    const char *shown;  /* expected rendering, when valid */
    const char *err;    /* expected formatted error, when not */
};

static const struct rcase rcases[] = {
    { "simple", "id,path\na,b\n", "1:id|path\n2:a|b\n", NULL },
    { "no final newline", "id,path\na,b", "1:id|path\n2:a|b\n", NULL },
    { "CRLF", "id,path\r\na,b\r\n", "1:id|path\n2:a|b\n", NULL },
    { "BOM skipped", "\xEF\xBB\xBFid,path\n", "1:id|path\n", NULL },
    { "final blank line accepted", "id\nx\n\n", "1:id\n2:x\n", NULL },
    { "final blank CRLF line accepted", "id\r\nx\r\n\r\n", "1:id\n2:x\n", NULL },
    { "blank line inside is a record", "id\n\nx\n", "1:id\n2:\n3:x\n", NULL },
    { "empty fields", ",,\n", "1:||\n", NULL },
    { "empty input", "", "", NULL },
    { "BOM only", "\xEF\xBB\xBF", "", NULL },
    { "quoted comma and quotes", "\"a,b\",\"say \"\"hi\"\"\"\n", "1:a,b|say \"hi\"\n", NULL },
    { "quoted empty", "\"\",x\n", "1:|x\n", NULL },
    { "embedded newline, line numbers after it",
      "id,text\n1,\"two\nlines\"\n2,\"three\r\nlines\nhere\"\n3,x\n",
      "1:id|text\n2:1|two\nlines\n4:2|three\r\nlines\nhere\n7:3|x\n", NULL },
    { "UTF-8 passes through", "caf\xC3\xA9,\xE2\x82\xAC\n", "1:caf\xC3\xA9|\xE2\x82\xAC\n", NULL },
    /* F31 errors, located. */
    { "unterminated quote", "id,text\n1,\"abc\n", NULL,
      "igmap: manifest: m.csv:2:3: unterminated quoted field" },
    { "unterminated quote after newlines inside", "id\n\"a\nb\nc", NULL,
      "igmap: manifest: m.csv:2:1: unterminated quoted field" },
    { "quote in unquoted field", "id,text\n1,ab\"c\"\n", NULL,
      "igmap: manifest: m.csv:2:5: quote inside an unquoted field" },
    { "text after closing quote", "\"ab\"c,d\n", NULL,
      "igmap: manifest: m.csv:1:5: unexpected text after closing quote" },
    { "error line after embedded newline", "a\n\"x\ny\",\"z\"q\n", NULL,
      "igmap: manifest: m.csv:3:7: unexpected text after closing quote" },
    { "bare CR", "a\rb\n", NULL,
      "igmap: manifest: m.csv:1:2: bare carriage return in an unquoted field" },
    { "NUL", "ab\0c\n", NULL, "igmap: manifest: m.csv:1:3: NUL byte in CSV (byte 2)" },
    { "NUL in quotes", "\"a\0\"\n", NULL, "igmap: manifest: m.csv:1:3: NUL byte in CSV (byte 2)" },
    { "BOM: columns count after it", "\xEF\xBB\xBF" "a\"b\n", NULL,
      "igmap: manifest: m.csv:1:2: quote inside an unquoted field" },
};

static void test_reader(void)
{
    ig_buf shown = IG_BUF_INIT;
    for (size_t i = 0; i < sizeof rcases / sizeof rcases[0]; i++) {
        const struct rcase *c = &rcases[i];
        harness_test = c->what;
        /* Inputs with NUL need their true length. */
        size_t len = strlen(c->in);
        if (strcmp(c->what, "NUL") == 0)
            len = 5;
        else if (strcmp(c->what, "NUL in quotes") == 0)
            len = 5;
        ig_err e;
        int rc = read_all(c->in, len, &shown, &e);
        if (c->err == NULL) {
            CHECK_EQ(rc, 0);
            CHECK_MEM(shown.data ? shown.data : "", shown.len, c->shown);
        } else {
            CHECK_EQ(rc, IG_EDATA);
            char msg[2400];
            ig_err_format(&e, msg, sizeof msg);
            CHECK_STR(msg, c->err);
        }
    }
    ig_buf_free(&shown);
}

/* The reader's field arrays survive many records and long fields. */
static void test_reader_many(void)
{
    ig_buf in = IG_BUF_INIT;
    for (int i = 0; i < 500; i++) {
        for (int j = 0; j < 40; j++)
            ig_buf_addf(&in, "%s\"f%d,%d\"", j ? "," : "", i, j);
        ig_buf_addc(&in, '\n');
    }
    ig_csv_reader r;
    ig_csv_reader_init(&r, in.data, in.len, "big.csv", NULL);
    ig_err e;
    ig_err_clear(&e);
    int recs = 0, wrong = 0, rc;
    const char **f;
    const size_t *l;
    size_t n;
    while ((rc = ig_csv_next(&r, &f, &l, &n, &e)) == 1) {
        char want[32];
        snprintf(want, sizeof want, "f%d,39", recs);
        if (n != 40 || strcmp(f[39], want) != 0 || r.rec_line != (uint64_t)recs + 1)
            wrong++;
        recs++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(recs, 500);
    CHECK_EQ(wrong, 0);
    ig_csv_reader_free(&r);
    ig_buf_free(&in);
}

/* ---- writer ---------------------------------------------------------------- */

static char tmpdir[64];

/* Run fn writing a table into a temp file; return its bytes in got. */
static void write_table(void (*fn)(ig_csv_writer *), int excel, ig_buf *got)
{
    char path[128];
    snprintf(path, sizeof path, "%s/t.csv", tmpdir);
    ig_out *o;
    ig_err e;
    ig_err_clear(&e);
    ig_buf_reset(got);
    if (ig_out_open(&o, path, "test", &e) != IG_OK) {
        CHECK(0);
        return;
    }
    ig_csv_writer w;
    ig_csv_writer_init(&w, o, excel);
    fn(&w);
    CHECK_EQ(ig_out_commit(o, &e), IG_OK);
    FILE *f = fopen(path, "rb");
    char buf[4096];
    size_t k;
    while (f && (k = fread(buf, 1, sizeof buf, f)) > 0)
        ig_buf_add(got, buf, k);
    if (f)
        fclose(f);
    unlink(path);
}

/* Cells that must be neutralised, and OWASP's examples (F52, F53). */
static const char *const hostile[] = {
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "=HYPERLINK(\"x\")",
    "+1+2",
    "-cmd",
    "@SUM(1)",
    "\tTAB",
    "\rCR",
    "\nLF",
    "=1+2\";=1+2",          /* OWASP example 1 */
    "=1+2'\" ;,=1+2",       /* OWASP example 2 */
    "a\";=1+2",             /* quote and separator inside */
    "a;=1+2",               /* a ';' separator (German Excel) inside */
    "a\t=1+2",              /* a TAB separator inside */
    NULL,
};

static void w_hostile(ig_csv_writer *w)
{
    for (size_t i = 0; hostile[i]; i++) {
        ig_csv_str(w, hostile[i]);
        ig_csv_endrow(w);
    }
}

static void test_writer_neutralise(void)
{
    ig_buf got = IG_BUF_INIT;
    write_table(w_hostile, 0, &got);
    const char *want =
        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n"
        "\"'=HYPERLINK(\"\"x\"\")\"\n"
        "\"'+1+2\"\n"
        "\"'-cmd\"\n"
        "\"'@SUM(1)\"\n"
        "\"'\tTAB\"\n"
        "\"'\rCR\"\n"
        "\"'\nLF\"\n"
        "\"'=1+2\"\";=1+2\"\n"
        "\"'=1+2'\"\" ;,=1+2\"\n"
        "\"a\"\";=1+2\"\n"
        "\"a;=1+2\"\n"
        "\"a\t=1+2\"\n";
    CHECK_MEM(got.data, got.len, want);
    /* Round trip: the strict reader gives back each cell, with the "'"
     * prefix on exactly the neutralised ones, one field per row. */
    ig_csv_reader r;
    ig_csv_reader_init(&r, got.data, got.len, "t.csv", NULL);
    ig_err e;
    ig_err_clear(&e);
    const char **f;
    const size_t *l;
    size_t n;
    int wrong = 0;
    for (size_t i = 0; hostile[i]; i++) {
        if (ig_csv_next(&r, &f, &l, &n, &e) != 1 || n != 1) {
            wrong++;
            continue;
        }
        const char *h = hostile[i];
        int neutral = strchr("=+-@\t\r\n", h[0]) != NULL;
        if (neutral ? (f[0][0] != '\'' || strcmp(f[0] + 1, h) != 0) : strcmp(f[0], h) != 0)
            wrong++;
    }
    CHECK_EQ(ig_csv_next(&r, &f, &l, &n, &e), 0);
    CHECK_EQ(wrong, 0);
    ig_csv_reader_free(&r);
    ig_buf_free(&got);
}

static void w_plain(ig_csv_writer *w)
{
    static const char *const header[] = { "id", "text", "n", "score", NULL };
    ig_csv_header(w, header);
    ig_csv_str(w, "doc1");
    ig_csv_str(w, "plain words");
    ig_csv_u64(w, 18446744073709551615ull);
    ig_csv_double(w, -0.25, 2);
    ig_csv_endrow(w);
    ig_csv_str(w, "doc,2");
    ig_csv_str(w, "line\nbreak and \"quotes\"");
    ig_csv_i64(w, -42);
    ig_csv_double(w, NAN, 3);
    ig_csv_endrow(w);
    ig_csv_str(w, NULL);
    ig_csv_empty(w);
    ig_csv_text(w, "a\0b", 3);
    ig_csv_double(w, 1.0 / 0.0, 1);
    ig_csv_endrow(w);
}

static void w_ints(ig_csv_writer *w)
{
    static const int64_t iv[] = { 0, -1, 1, 9, -10, INT64_MAX, INT64_MIN, -9223372036854775807 };
    for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++)
        ig_csv_i64(w, iv[i]);
    ig_csv_endrow(w);
    static const uint64_t uv[] = { 0, 7, 10, 99, 100, 4294967296ull, UINT64_MAX };
    for (size_t i = 0; i < sizeof uv / sizeof uv[0]; i++)
        ig_csv_u64(w, uv[i]);
    ig_csv_endrow(w);
}

/* The digit formatters alone: exactly the digits (no byte past them, a
 * 20-byte buffer under ASan), and printf's digits around every power of
 * ten and of two, forward and backward. */
static void test_fmt_u64(void)
{
    /* numbers: the digits, and no more than 20 bytes written */
    static const struct {
        uint64_t v;
        const char *s;
    } num[] = { { 0, "0" }, { 7, "7" }, { 10, "10" }, { 1234567, "1234567" },
                { UINT64_MAX, "18446744073709551615" } };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
        char *b = malloc(20);
        if (b == NULL)
            break;
        size_t k = ig_fmt_u64(b, num[i].v);
        CHECK(k == strlen(num[i].s) && memcmp(b, num[i].s, k) == 0);
        free(b);
    }
    /* the digit count around every power of ten (and of two), against
     * printf */
    int allnum = 1;
    for (int d = 0; d < 64; d++) {
        uint64_t p10 = 1;
        for (int i = 0; i < d % 20; i++)
            p10 *= 10;
        uint64_t base = d < 20 ? p10 : (uint64_t)1 << d;
        for (int delta = -1; delta <= 1; delta++) {
            uint64_t v = base + (uint64_t)(int64_t)delta;
            char b[24], want[24];
            size_t k = ig_fmt_u64(b, v);
            snprintf(want, sizeof want, "%llu", (unsigned long long)v);
            allnum &= k == strlen(want) && memcmp(b, want, k) == 0;
            /* and backwards, ending where asked */
            char *q = ig_fmt_u64_end(b + sizeof b, v);
            allnum &= (size_t)(b + sizeof b - q) == k && memcmp(q, want, k) == 0;
        }
    }
    CHECK(allnum);
}

/* Integers written by hand: printf's bytes at the edges. */
static void test_writer_ints(void)
{
    ig_buf got = IG_BUF_INIT;
    write_table(w_ints, 0, &got);
    char want[512];
    snprintf(want, sizeof want, "0,-1,1,9,-10,%lld,%lld,%lld\n0,7,10,99,100,4294967296,%llu\n",
             (long long)INT64_MAX, (long long)INT64_MIN, -9223372036854775807LL,
             (unsigned long long)UINT64_MAX);
    CHECK(got.len == strlen(want) && memcmp(got.data, want, got.len) == 0);
    ig_buf_free(&got);
}

static void test_writer_plain(void)
{
    ig_buf got = IG_BUF_INIT;
    write_table(w_plain, 0, &got);
    /* Negative numbers are typed, so never neutralised; NaN and infinity
     * become empty cells; text with separators, quotes or newlines is
     * quoted; LF line endings. */
    const char want[] =
        "id,text,n,score\n"
        "doc1,plain words,18446744073709551615,-0.25\n"
        "\"doc,2\",\"line\nbreak and \"\"quotes\"\"\",-42,\n"
        ",,a\0b,\n";
    CHECK(got.len == sizeof want - 1 && memcmp(got.data, want, got.len) == 0);
    write_table(w_plain, 1, &got);
    CHECK(got.len == sizeof want - 1 + 3 && memcmp(got.data, "\xEF\xBB\xBF", 3) == 0 &&
          memcmp(got.data + 3, want, got.len - 3) == 0);
    ig_buf_free(&got);
}

/* ---- numbers ---------------------------------------------------------------- */

static void check_fmt(double v, int prec, const char *want)
{
    char buf[64];
    ig_fmt_double(buf, sizeof buf, v, prec);
    CHECK_STR(buf, want);
}

/* The rule of ig_fmt_double written with printf alone (how csv.c printed
 * every number before it wrote the digits itself). */
static void fmt_by_printf(char *buf, size_t n, double v, int prec)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", "");
        return;
    }
    if (prec < 0)
        prec = 0;
    if (prec > 15)
        prec = 15;
    unsigned long long scale = 1;
    for (int i = 0; i < prec; i++)
        scale *= 10;
    double a = fabs(v), ip = floor(a);
    unsigned long long fp = (unsigned long long)llround((a - ip) * (double)scale);
    if (fp >= scale) {
        ip += 1;
        fp -= scale;
    }
    int neg = v < 0 && (ip != 0 || fp != 0);
    if (prec == 0)
        snprintf(buf, n, "%s%.0f", neg ? "-" : "", ip);
    else
        snprintf(buf, n, "%s%.0f.%0*llu", neg ? "-" : "", ip, prec, fp);
}

/* Digits written by hand: the same bytes as printf's, at every magnitude
 * (around 2^64, where the hand path stops, too), precision and buffer
 * size (truncated as snprintf truncates). */
static void test_fmt_double_digits(void)
{
    uint64_t x = 88172645463325252ull;
    unsigned bad = 0;
    static const double edges[] = { 18446744073709551616.0, 18446744073709549568.0,
                                    18446744073709551616.0 * 2, 9007199254740993.0,
                                    0.9999999999999999, 1e-300, 4294967296.5, NAN,
                                    INFINITY };
    const int nedges = (int)(sizeof edges / sizeof edges[0]);
    for (int i = 0; i < 200000; i++) {
        harness_rand(&x);
        double v;
        if (i < nedges * 16) {
            v = edges[i % nedges] * ((i / nedges) % 2 ? -1 : 1);
        } else {
            double m = (double)(x >> 11) / 9007199254740992.0;
            int ex = (int)(x % 90) - 30;
            v = m * pow(10, ex) * ((x >> 7) & 1 ? -1 : 1);
        }
        int prec = (int)((x >> 20) % 17) - 1;
        size_t n = (x >> 30) % 8 ? 64 : 1 + (x >> 33) % 30;
        char a[64], b[64];
        memset(a, 'x', sizeof a);
        memset(b, 'x', sizeof b);
        ig_fmt_double(a, n, v, prec);
        fmt_by_printf(b, n, v, prec);
        if (memcmp(a, b, sizeof a) != 0 && ++bad <= 3)
            fprintf(stderr, "  %.17g prec %d size %zu: \"%s\" against \"%s\"\n", v, prec, n,
                    a, b);
    }
    CHECK_EQ(bad, 0);
}

static void test_fmt_double(void)
{
    check_fmt(0.5, 1, "0.5");
    check_fmt(-0.25, 2, "-0.25");
    check_fmt(-0.0001, 2, "0.00");      /* no "-0.00" */
    check_fmt(2, 0, "2");
    check_fmt(1234567.125, 3, "1234567.125");
    check_fmt(0.1, 6, "0.100000");
    check_fmt(NAN, 2, "");
    check_fmt(-INFINITY, 2, "");
    /* Large values keep their requested decimals (the fixed precision of
     * "%.*f" does not silently drop to an integer). */
    check_fmt(1e13 + 0.75, 6, "10000000000000.750000");
    check_fmt(-2.5e13, 6, "-25000000000000.000000");
    check_fmt(1e20, 2, "100000000000000000000.00");
    check_fmt(123.456, 15, "123.456000000000003");
    check_fmt(0.125, 2, "0.13");        /* exact halves away from zero (csv.h) */
    check_fmt(-2.5, 0, "-3");
    check_fmt(0.9999996, 6, "1.000000"); /* carry into the integer part */
    check_fmt(-0.9999996, 6, "-1.000000");
    check_fmt(1.5, -3, "2");            /* prec clamped to 0 */
    /* Same as printf's %.Nf on values exactly representable. */
    char want[64];
    static const double vals[] = { 0, 1, 0.5, 3.25, -7.125, 1e6, 1234.5678, 42.0625 };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        for (int p = 0; p <= 6; p++) {
            snprintf(want, sizeof want, "%.*f", p, vals[i]);
            if (strcmp(want, "-0") == 0 || strncmp(want, "-0.0", 4) == 0)
                continue;
            /* printf rounds exact halves to even; skip those. */
            double sc = vals[i] * pow(10, p);
            if (sc - floor(sc) == 0.5)
                continue;
            check_fmt(vals[i], p, want);
        }
    }
}

static int parse(const char *s, double *v)
{
    return ig_parse_double(s, strlen(s), v);
}

static void test_parse_double(void)
{
    double v = -99;
    CHECK_EQ(parse("0.5", &v), 0);
    CHECK(v == 0.5);
    CHECK_EQ(parse("2", &v), 0);
    CHECK(v == 2);
    CHECK_EQ(parse("-1.25", &v), 0);
    CHECK(v == -1.25);
    CHECK_EQ(parse("1e3", &v), 0);
    CHECK(v == 1000);
    CHECK_EQ(parse("+3", &v), 0);
    CHECK(v == 3);
    CHECK_EQ(parse("1E-2", &v), 0);
    CHECK(v == 0.01);
    CHECK_EQ(parse(".5", &v), 0);
    CHECK(v == 0.5);
    CHECK_EQ(parse("5.", &v), 0);
    CHECK(v == 5);
    CHECK_EQ(parse("-0", &v), 0);
    CHECK(v == 0);
    CHECK_EQ(parse("1e-310", &v), 0); /* subnormal, still nonzero */
    CHECK(v > 0 && v < 1e-300);
    /* Correctly rounded in the common case: the same double strtod gives
     * in the C locale (1.1e1 is 11, not 11.000000000000002). */
    static const char *const exact[] = { "1.1e1", "0.1", "0.3", "1.5e-5", "123.456", "2.675",
                                         "0.000001", "9007199254740993", "1e22", "4.35", "0.7e-3",
                                         "12345.6789e-2", "1e-7", NULL };
    for (size_t i = 0; exact[i]; i++) {
        harness_test = exact[i];
        CHECK_EQ(parse(exact[i], &v), 0);
        CHECK(v == strtod(exact[i], NULL));
    }
    harness_test = "test_parse_double";
    /* F38: locale commas, words, partial numbers, empty. */
    static const char *const bad[] = { "0,5", "nan", "NaN", "inf", "-inf", "infinity", "1e", "1e+",
                                       "", "-", "+", ".", "e3", "0x10", " 1", "1 ", "1.2.3", "--1",
                                       "1e400", "1e-400", "1,000", NULL };
    for (size_t i = 0; bad[i]; i++) {
        v = -99;
        harness_test = bad[i];
        CHECK_EQ(parse(bad[i], &v), -1);
        CHECK(v == -99); /* untouched on failure */
    }
    harness_test = "test_parse_double";
    /* Only n bytes are looked at. */
    CHECK_EQ(ig_parse_double("0.5xyz", 3, &v), 0);
    CHECK(v == 0.5);
}

/* F56: a German locale changes printf's radix character but not ours. */
static void test_locale(void)
{
    static const char *const names[] = { "de_DE.UTF-8", "de_DE.utf8", "de_DE", NULL };
    const char *got = NULL;
    for (size_t i = 0; names[i] && got == NULL; i++)
        got = setlocale(LC_ALL, names[i]);
    if (got == NULL) {
        printf("test_csv: no German locale installed; locale checks skipped\n");
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    CHECK_STR(buf, "0,5"); /* the locale is really in force */
    check_fmt(0.5, 1, "0.5");
    check_fmt(-1234.5, 2, "-1234.50");
    check_fmt(1e13 + 0.75, 2, "10000000000000.75");
    double v;
    CHECK_EQ(parse("0,5", &v), -1);
    CHECK_EQ(parse("0.5", &v), 0);
    CHECK(v == 0.5);
    ig_buf out = IG_BUF_INIT;
    write_table(w_plain, 0, &out);
    CHECK(strstr(out.data ? out.data : "", "-0.25") != NULL);
    ig_buf_free(&out);
    setlocale(LC_ALL, "C");
}

/* 3000 cells of every kind, of 0 to 40 bytes, in rows of 1 to 12: text
 * plain, quoted and neutralised, numbers, NaN, empty cells. */
static void w_random(ig_csv_writer *w)
{
    static const char pool[] = "abc de,f\"g;h\ti=+-@jk lmno\npqrst\ruvw.xyz0123456789";
    uint64_t x = 42;
    int col = 0;
    for (int i = 0; i < 3000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t r = (uint32_t)(x >> 33), kind = r % 6, len = (r >> 3) % 41;
        char text[48];
        for (uint32_t k = 0; k < len; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            /* mostly letters: plain cells, the fast path, are the usual */
            uint32_t c = (uint32_t)(x >> 33);
            text[k] = c % 8 ? (char)('a' + c % 26) : pool[(c >> 8) % (sizeof pool - 1)];
        }
        switch (kind) {
        case 0: case 1: ig_csv_text(w, text, len); break;
        case 2: ig_csv_u64(w, x >> (r % 64)); break;
        case 3: ig_csv_i64(w, (int64_t)(x >> (r % 64)) - (int64_t)(x >> 40)); break;
        case 4: ig_csv_double(w, r % 17 ? (double)(int32_t)r / 977.0 : NAN, (int)(r % 9)); break;
        default: ig_csv_empty(w); break;
        }
        if (++col == 1 + (int)(r % 12)) {
            ig_csv_endrow(w);
            col = 0;
        }
    }
    ig_csv_endrow(w);
}

/* Rows into memory (ig_csv_writer_init_buf) are the bytes the same
 * rows make in a file, and an append that cannot allocate is reported by
 * that cell and every later one. */
static void test_writer_buf(void)
{
    void (*fns[])(ig_csv_writer *) = { w_hostile, w_plain, w_ints, w_random };
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        ig_buf file = IG_BUF_INIT;
        write_table(fns[k], 0, &file);
        /* memory that starts with every room from none to 70 bytes: cells
         * land on every boundary of the buffer's growth (csv.c appends a
         * cell in one step only when it fits) */
        for (size_t room = 0; room <= 70; room++) {
            ig_buf mem = IG_BUF_INIT;
            if (room)
                CHECK_EQ(ig_buf_reserve(&mem, room), IG_OK);
            ig_csv_writer w;
            ig_csv_writer_init_buf(&w, &mem);
            fns[k](&w);
            CHECK(file.len > 0 && mem.len == file.len &&
                  memcmp(mem.data, file.data, file.len) == 0);
            CHECK(mem.data != NULL && mem.data[mem.len] == '\0');
            ig_buf_free(&mem);
        }
        ig_buf_free(&file);
    }
    ig_buf mem = IG_BUF_INIT;
    ig_csv_writer w;
    ig_csv_writer_init_buf(&w, &mem);
    ig_alloc_fail_at(1, 0);
    CHECK_EQ(ig_csv_str(&w, "first"), IG_ENOMEM);
    ig_alloc_fail_at(0, 0);
    CHECK_EQ(ig_csv_u64(&w, 7), IG_ENOMEM);
    CHECK_EQ(ig_csv_endrow(&w), IG_ENOMEM);
    ig_buf_free(&mem);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igtest-csv.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_reader);
    RUN(test_reader_many);
    RUN(test_writer_neutralise);
    RUN(test_writer_plain);
    RUN(test_fmt_double);
    RUN(test_writer_ints);
    RUN(test_fmt_u64);
    RUN(test_writer_buf);
    RUN(test_fmt_double_digits);
    RUN(test_parse_double);
    RUN(test_locale);
    rmdir(tmpdir);
    return harness_done();
}

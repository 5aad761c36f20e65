/*
 * test_pattern.c: the query pattern language (stages/pattern.h).
 *
 * Part 1 is table-driven parser tests: each valid pattern with the tree it
 * parses to (pat_describe), each invalid one with the exact column and
 * message of its error.  Part 2 builds a small index in a temporary
 * directory with the real writer and checks what each kind of pattern
 * matches there, position by position (stems, exact forms, prefixes,
 * regexes, phrases over hyphenated compounds, NEAR inside and across
 * sentences, NEAR chains), plus the regex limits (catastrophic
 * backtracking stops fast with a located error), and that scans on a
 * shared postings cache (pat_cache) match exactly like scans of their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "harness.h"
#include "index.h"
#include "limits.h"
#include "pattern.h"
#include "pattern_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- part 1: parsing --------------------------------------------------- */

struct parse_case {
    const char *pattern;
    const char *tree;   /* pat_describe output, or NULL when an error is expected */
    unsigned col;       /* expected error column */
    const char *msg;    /* expected error text after "COL: " (prefix match) */
};

static const struct parse_case parse_cases[] = {
    /* valid */
    { "cooperation", "(word \"cooperation\")", 0, NULL },
    { "  Cooperation \t", "(word \"cooperation\")", 0, NULL },
    { "=States", "(exact \"states\")", 0, NULL },
    { "sovereign*", "(prefix \"sovereign\")", 0, NULL },
    { "Sovereign*", "(prefix \"sovereign\")", 0, NULL },
    { "/^inter-?govern/", "(regex \"^inter-?govern\")", 0, NULL },
    { "/a\\/b/", "(regex \"a\\/b\")", 0, NULL },
    { "\"equal footing\"", "(phrase (word \"equal\") (word \"footing\"))", 0, NULL },
    { "\" equal   footing \"", "(phrase (word \"equal\") (word \"footing\"))", 0, NULL },
    { "\"a\"", "(phrase (word \"a\"))", 0, NULL },
    { "\"=states sovereign* /^equal$/ footing\"",
      "(phrase (exact \"states\") (prefix \"sovereign\") (regex \"^equal$\") (word \"footing\"))",
      0, NULL },
    { "\"/x y/ z\"", "(phrase (regex \"x y\") (word \"z\"))", 0, NULL },
    { "\"all stakeholders\" NEAR/5 \"equal footing\"",
      "(near 5 (phrase (word \"all\") (word \"stakeholders\")) "
      "(phrase (word \"equal\") (word \"footing\")))", 0, NULL },
    { "a NEAR/1 b NEAR/2 c",
      "(near 2 (near 1 (word \"a\") (word \"b\")) (word \"c\"))", 0, NULL },
    { "x NEAR/0 =y", "(near 0 (word \"x\") (exact \"y\"))", 0, NULL },
    { "a NEAR/007 b", "(near 7 (word \"a\") (word \"b\"))", 0, NULL },
    { "near", "(word \"near\")", 0, NULL },
    { "multi-stakeholder", "(word \"multistakeholder\")", 0, NULL },
    { "=Multi-Stakeholder", "(exact \"multistakeholder\")", 0, NULL },
    { "\"multi stakeholder\"", "(phrase (word \"multi\") (word \"stakeholder\"))", 0, NULL },
    /* a word the tokeniser splits is a phrase of its units */
    { "U.S.", "(phrase (word \"u\") (word \"s\"))", 0, NULL },
    { "=U.S.", "(phrase (exact \"u\") (exact \"s\"))", 0, NULL },
    { "U.S.*", "(phrase (exact \"u\") (prefix \"s\"))", 0, NULL },
    { "\"the U.S. government\"",
      "(phrase (word \"the\") (word \"u\") (word \"s\") (word \"government\"))", 0, NULL },
    { "foo/bar NEAR/2 x", "(near 2 (phrase (word \"foo\") (word \"bar\")) (word \"x\"))", 0, NULL },
    /* Unicode goes through the tokeniser's normalisation: U+2011 is a
     * hyphen, case folding applies beyond ASCII. */
    { "Multi\xE2\x80\x91Stakeholder", "(word \"multistakeholder\")", 0, NULL },
    { "\xC3\x89GAL", "(word \"\xC3\xA9gal\")", 0, NULL },

    /* invalid: exact column and message */
    { "", NULL, 1, "empty pattern" },
    { "   ", NULL, 1, "empty pattern" },
    { "\"equal footing", NULL, 1, "unterminated phrase" },
    { "x NEAR/3 \"a b", NULL, 10, "unterminated phrase" },
    { "\"\"", NULL, 1, "empty phrase" },
    { "\"   \"", NULL, 1, "empty phrase" },
    { "/(foo/", NULL, 6, "regex error: missing closing parenthesis" },
    { "\"x /(a/\"", NULL, 7, "regex error: missing closing parenthesis" },
    { "/\xC3\xA9(/", NULL, 4, "regex error: missing closing parenthesis" },
    { "/abc", NULL, 1, "unterminated regex" },
    { "/abc\\/", NULL, 1, "unterminated regex" },
    { "//", NULL, 1, "empty regex" },
    { "/a/b", NULL, 4, "unexpected character after regex" },
    { "/a\\Cb/", NULL, 0, "regex error: " },
    { "\"a b\"c", NULL, 6, "unexpected character after phrase" },
    { "a*b", NULL, 2, "'*' is allowed only at the end of a word" },
    { "=a*", NULL, 1, "'=' and '*' cannot be combined" },
    { "=", NULL, 1, "empty word after '='" },
    { "*", NULL, 1, "empty prefix before '*'" },
    { "foo\"bar", NULL, 4, "unexpected '\"' inside a word" },
    { "a b", NULL, 3,
      "two patterns side by side: quote them for a phrase or join them with NEAR/n" },
    { "\xC3\xA9gal b", NULL, 6, "two patterns side by side" },
    { "\"a\" \"b\"", NULL, 5, "two patterns side by side" },
    { "a NEAR b", NULL, 3, "NEAR needs a distance, as in NEAR/5" },
    { "a NEAR/ b", NULL, 3, "NEAR needs a distance, as in NEAR/5" },
    { "a NEAR/x b", NULL, 3, "bad NEAR distance \"x\"" },
    { "a NEAR/-1 b", NULL, 3, "bad NEAR distance \"-1\"" },
    { "a NEAR/99999999999 b", NULL, 3, "NEAR distance larger than 2147483647" },
    { "a near/5 b", NULL, 3, "NEAR must be upper case" },
    { "NEAR/5 b", NULL, 1, "missing pattern before NEAR/5" },
    { "a NEAR/5", NULL, 3, "missing pattern after NEAR/5" },
    { "a NEAR/5   ", NULL, 3, "missing pattern after NEAR/5" },
    { "a NEAR/5 NEAR/2 b", NULL, 3, "missing pattern after NEAR/5" },
    { "\"a NEAR/2 b\"", NULL, 4, "NEAR cannot be used inside a phrase" },
    { "---", NULL, 1, "\"---\" is not a word (nothing left after normalisation)" },
    { "\"a --- b\"", NULL, 4, "\"---\" is not a word" },
    { "a\xFF", NULL, 2, "invalid UTF-8" },
    { "a\x01" "b", NULL, 2, "control character 0x01 in pattern" },
};

/* Compile pattern; on success return its tree in out, on failure
 * "COL: message" (the column from e.col, the text after "pattern:COL: "). */
static int try_parse(const char *pattern, size_t len, char *out, size_t n, int *code)
{
    pat_pattern *p = NULL;
    ig_err e;
    ig_err_clear(&e);
    int rc = pat_compile(&p, pattern, len, NULL, &e);
    *code = rc;
    if (rc == IG_OK) {
        ig_buf b = IG_BUF_INIT;
        CHECK(pat_describe(p, &b) == IG_OK);
        snprintf(out, n, "%s", b.data ? b.data : "");
        ig_buf_free(&b);
        pat_free(p);
        return 1;
    }
    CHECK(p == NULL);
    /* msg is "<shown pattern>:COL: <what>"; find the ":COL: " that matches
     * e.col to separate the two (the pattern may contain colons). */
    char key[32];
    snprintf(key, sizeof key, ":%llu: ", (unsigned long long)e.col);
    const char *k = strstr(e.msg, key);
    snprintf(out, n, "%llu: %s", (unsigned long long)e.col, k ? k + strlen(key) : e.msg);
    return 0;
}

static void test_parse_table(void)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const struct parse_case *c = &parse_cases[i];
        char got[1024];
        int code;
        int ok = try_parse(c->pattern, strlen(c->pattern), got, sizeof got, &code);
        if (c->tree) {
            if (!ok)
                fprintf(stderr, "  pattern [%s]: unexpected error %s\n", c->pattern, got);
            CHECK(ok);
            if (ok)
                CHECK_STR(got, c->tree);
            continue;
        }
        CHECK(!ok);
        CHECK_EQ(code, IG_EDATA);
        char want[1024];
        if (c->col)
            snprintf(want, sizeof want, "%u: %s", c->col, c->msg);
        else /* column not pinned (library-dependent text): any column */
            snprintf(want, sizeof want, "%s", c->msg);
        const char *cmp = c->col ? got : strchr(got, ' ') + 1;
        if (strncmp(cmp, want, strlen(want)) != 0)
            fprintf(stderr, "  pattern [%s]: got \"%s\", want \"%s...\"\n", c->pattern, got, want);
        CHECK(strncmp(cmp, want, strlen(want)) == 0);
    }
}

/* A NUL inside a lexicon line is a control character, not the end. */
static void test_parse_nul(void)
{
    char got[256];
    int code;
    CHECK(!try_parse("ab\0c", 4, got, sizeof got, &code));
    CHECK_STR(got, "3: control character 0x00 in pattern");
}

/* Limits of the structure: phrase length and NEAR chain length. */
static void test_parse_limits(void)
{
    ig_buf b = IG_BUF_INIT;
    char got[512], want[128];
    int code;
    /* IG_MAX_PATTERN_DEPTH words: fine; one more: error at that word. */
    ig_buf_addc(&b, '"');
    for (int i = 0; i < IG_MAX_PATTERN_DEPTH; i++)
        ig_buf_adds(&b, "w ");
    CHECK(!try_parse(b.data, b.len, got, sizeof got, &code));
    CHECK_STR(got, "1: unterminated phrase");
    ig_buf_addc(&b, '"');
    CHECK(try_parse(b.data, b.len, got, sizeof got, &code));
    b.len--;
    ig_buf_adds(&b, "x\"");
    CHECK(!try_parse(b.data, b.len, got, sizeof got, &code));
    snprintf(want, sizeof want, "%d: phrase longer than %d words", 2 + 2 * IG_MAX_PATTERN_DEPTH,
             IG_MAX_PATTERN_DEPTH);
    CHECK_STR(got, want);

    /* IG_MAX_PATTERN_DEPTH NEARs fine, one more rejected at that NEAR. */
    ig_buf_reset(&b);
    ig_buf_adds(&b, "w");
    for (int i = 0; i < IG_MAX_PATTERN_DEPTH; i++)
        ig_buf_adds(&b, " NEAR/1 w");
    CHECK(try_parse(b.data, b.len, got, sizeof got, &code));
    size_t col = b.len + 2;
    ig_buf_adds(&b, " NEAR/1 w");
    CHECK(!try_parse(b.data, b.len, got, sizeof got, &code));
    snprintf(want, sizeof want, "%zu: more than %d NEAR operators", col, IG_MAX_PATTERN_DEPTH);
    CHECK_STR(got, want);

    /* A regex nested 1000 deep is refused at compile time (F35), at the
     * parenthesis past PCRE2's nesting limit. */
    ig_buf_reset(&b);
    ig_buf_addc(&b, '/');
    for (int i = 0; i < 1000; i++)
        ig_buf_addc(&b, '(');
    ig_buf_addc(&b, 'a');
    for (int i = 0; i < 1000; i++)
        ig_buf_addc(&b, ')');
    ig_buf_addc(&b, '/');
    CHECK(!try_parse(b.data, b.len, got, sizeof got, &code));
    CHECK(strstr(got, "regex error: parentheses are too deeply nested") != NULL);
    CHECK(atoi(got) > 2 && atoi(got) <= 2 + (int)IG_REGEX_NEST_LIMIT + 1);

    /* A regex longer than IG_REGEX_MAX_PATTERN is refused. */
    ig_buf_reset(&b);
    ig_buf_addc(&b, '/');
    for (unsigned i = 0; i <= IG_REGEX_MAX_PATTERN; i++)
        ig_buf_addc(&b, 'a');
    ig_buf_addc(&b, '/');
    CHECK(!try_parse(b.data, b.len, got, sizeof got, &code));
    CHECK(strstr(got, "regex error: ") != NULL && strstr(got, "limit") != NULL);
    ig_buf_free(&b);
}

/* The message as the driver prints it, with and without a lexicon location. */
static void test_error_format(void)
{
    pat_pattern *p = (pat_pattern *)1;
    ig_err e;
    char line[1200];
    ig_err_clear(&e);
    CHECK_EQ(pat_compile(&p, "\"equal footing", 14, NULL, &e), IG_EDATA);
    CHECK(p == NULL);
    ig_err_format(&e, line, sizeof line);
    CHECK_STR(line, "igmap: pattern: \"equal footing:1: unterminated phrase");
    CHECK_EQ(ig_err_exit_status(&e), 1);

    ig_err_clear(&e);
    const char *re = "/(foo/";
    CHECK_EQ(pat_compile(&p, re, strlen(re), NULL, &e), IG_EDATA);
    ig_err_format(&e, line, sizeof line);
    CHECK_STR(line, "igmap: pattern: /(foo/:6: regex error: missing closing parenthesis");

    /* Control bytes are escaped in the echo, long patterns cut. */
    ig_err_clear(&e);
    CHECK_EQ(pat_compile(&p, "a\tb c", 5, NULL, &e), IG_EDATA);
    ig_err_format(&e, line, sizeof line);
    CHECK_STR(line, "igmap: pattern: a\\x09b c:3: two patterns side by side: quote them "
                    "for a phrase or join them with NEAR/n");

    pat_loc loc = { "classify", "lexicons/positions.tsv", 12, 25 };
    ig_err_clear(&e);
    CHECK_EQ(pat_compile(&p, "x NEAR/3 \"a b", 13, &loc, &e), IG_EDATA);
    ig_err_format(&e, line, sizeof line);
    CHECK_STR(line, "igmap: classify: lexicons/positions.tsv:12:34: unterminated phrase");
}

/* ---- part 2: matching on a real index ----------------------------------- */

static char tmpdir[256];
static char idxpath[300];
static idx_reader *rd;

/* A term on which (a+)+$ backtracks catastrophically (2^33 paths). */
#define LONG_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"

static const char *const cols[] = { "id", "group" };
static const char *const docs[][3] = {
    /* id, group, text */
    { "A", "civil", "The multi-stakeholder model works. Multistakeholder approaches matter." },
    { "B", "gov",
      "Equal footing for all stakeholders. States act on an equal footing with others." },
    { "C", "gov", "Stakeholders met. Then the equal footing question." },
    { "D", "", LONG_A " intergovernmental inter-governmental" },
    { "E", "civil", "a a a" },
    { "F", "tech", "alpha x beta y beta z z gamma." },
    { "G", "gov", "The U.S. government spoke." },
    { "H", "", NULL }, /* 3000 times "w", then "end." (built in build_index) */
};
#define NDOCS (sizeof docs / sizeof docs[0])

static int build_index(void)
{
    ig_err e;
    ig_err_clear(&e);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igmap-test-pattern-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(idxpath, sizeof idxpath, "%s/t.igx", tmpdir);
    idx_writer *w = NULL;
    int rc = idx_writer_open(&w, idxpath, cols, 2, NULL, &e);
    ig_buf many = IG_BUF_INIT;
    for (int i = 0; i < 3000; i++)
        ig_buf_adds(&many, "w ");
    ig_buf_adds(&many, "end.");
    for (size_t i = 0; rc == IG_OK && i < NDOCS; i++) {
        const char *vals[2] = { docs[i][0], docs[i][1] };
        const char *text = docs[i][2] ? docs[i][2] : many.data;
        rc = idx_writer_add_text(w, vals, "en", text, strlen(text), NULL, &e);
    }
    ig_buf_free(&many);
    if (rc == IG_OK)
        rc = idx_writer_finish(w, &e);
    if (rc == IG_OK) {
        rc = idx_writer_commit(w, &e);
        w = NULL;
    }
    if (rc == IG_OK)
        rc = idx_open(&rd, idxpath, &e);
    if (rc) {
        char line[1200];
        ig_err_format(&e, line, sizeof line);
        fprintf(stderr, "building the test index: %s\n", line);
        idx_writer_abort(w);
    }
    return rc;
}

/* All matches of pattern as "DOC:first-last" separated by spaces (with
 * ":sSENTENCE" when layout), or "ERR <code> <message>". */
static void run(const char *pattern, unsigned flags, char *out, size_t n)
{
    pat_pattern *p = NULL;
    pat_resolver *rs = NULL;
    pat_scan *s = NULL;
    ig_err e;
    ig_err_clear(&e);
    size_t o = 0;
    out[0] = '\0';
    int rc = pat_compile(&p, pattern, strlen(pattern), NULL, &e);
    if (rc == IG_OK)
        rc = pat_resolver_open(&rs, rd, &e);
    if (rc == IG_OK)
        rc = pat_resolve(p, rs, &e);
    if (rc == IG_OK)
        rc = pat_scan_open(&s, p, flags, &e);
    pat_match m;
    while (rc == IG_OK && (rc = pat_scan_next(s, &m, &e)) == 1) {
        if (flags & PAT_SCAN_LAYOUT)
            o += (size_t)snprintf(out + o, n - o, "%s%s:%u-%u:s%u", o ? " " : "",
                                  idx_doc_id(rd, m.doc), m.first, m.last, m.sentence);
        else
            o += (size_t)snprintf(out + o, n - o, "%s%s:%u-%u", o ? " " : "",
                                  idx_doc_id(rd, m.doc), m.first, m.last);
        if (o >= n)
            break;
        rc = IG_OK;
    }
    if (rc < 0) {
        char line[1200];
        ig_err_format(&e, line, sizeof line);
        snprintf(out, n, "ERR %d %s", rc, line);
    }
    pat_scan_close(s);
    pat_resolver_close(rs);
    pat_free(p);
}

struct match_case {
    const char *pattern;
    const char *want;
};

/* Positions, from the tokeniser's rules: A = the0 multi1 stakeholder2
 * (joined multistakeholder at 1, span 1) model3 works4 | multistakeholder5
 * approaches6 matter7; B = equal0 footing1 for2 all3 stakeholders4 |
 * states5 act6 on7 an8 equal9 footing10 with11 others12; C = stakeholders0
 * met1 | then2 the3 equal4 footing5 question6; D = aaa..b0
 * intergovernmental1 inter2 governmental3 (joined at 2); E = a0 a1 a2;
 * F = alpha0 x1 beta2 y3 beta4 z5 z6 gamma7; G below. */
static const struct match_case match_cases[] = {
    /* compounds, every spelling (the issue's list) */
    { "multistakeholder", "A:1-2 A:5-5" },
    { "multi-stakeholder", "A:1-2 A:5-5" },
    { "Multi-Stakeholder", "A:1-2 A:5-5" },
    { "=multistakeholder", "A:1-2 A:5-5" },
    { "\"multi stakeholder\"", "A:1-2" },
    { "\"multistakeholder model\"", "A:1-3" },
    { "\"multi-stakeholder model\"", "A:1-3" },
    { "\"multi stakeholder model\"", "A:1-3" },
    { "\"the multistakeholder model\"", "A:0-3" },
    { "\"the multi stakeholder model works\"", "A:0-4" },
    /* stems, exact forms, prefixes */
    { "stakeholder", "A:2-2 B:4-4 C:0-0" },
    { "Stakeholders", "A:2-2 B:4-4 C:0-0" },
    { "=stakeholder", "A:2-2" },
    { "=stakeholders", "B:4-4 C:0-0" },
    { "stakeholder*", "A:2-2 B:4-4 C:0-0" },
    /* a part and a joined form start at 1: reported once, the shorter */
    { "multi*", "A:1-1 A:5-5" },
    { "zzz", "" },
    { "zzz*", "" },
    /* regexes over surface forms, caseless */
    { "/^multi/", "A:1-1 A:5-5" },
    { "/^MULTI/", "A:1-1 A:5-5" },
    { "/^inter-?govern/", "D:1-1 D:2-3" },
    { "/^equal$/", "B:0-0 B:9-9 C:4-4" },
    { "/^q/", "C:6-6" },
    /* phrases */
    { "\"equal footing\"", "B:0-1 B:9-10 C:4-5" },
    { "\"equal /^foot/\"", "B:0-1 B:9-10 C:4-5" },
    { "\"footing equal\"", "" },
    { "\"a a\"", "E:0-1 E:1-2" },
    { "\"a a a\"", "E:0-2" },
    { "\"a a a a\"", "" },
    /* NEAR: same sentence, gap <= n, either order, no overlap */
    { "stakeholders NEAR/5 equal", "B:0-4" },
    { "equal NEAR/5 stakeholders", "B:0-4" },
    { "stakeholders NEAR/3 equal", "B:0-4" },
    { "stakeholders NEAR/2 equal", "" },
    { "stakeholders NEAR/100 question", "" },
    { "met NEAR/0 then", "" },
    { "\"all stakeholders\" NEAR/5 \"equal footing\"", "B:0-4" },
    { "equal NEAR/0 footing", "B:0-1 B:9-10 C:4-5" },
    { "multistakeholder NEAR/0 model", "A:1-3" },
    { "multi NEAR/0 stakeholder", "A:1-2" },
    { "multistakeholder NEAR/3 stakeholder", "" },
    { "a NEAR/0 a", "E:0-1 E:1-2" },
    { "a NEAR/5 a", "E:0-1 E:1-2" },
    /* chains group to the left; the inner NEAR keeps every span, so the
     * farther beta still counts for gamma */
    { "equal NEAR/0 footing NEAR/2 stakeholders", "B:0-4" },
    { "alpha NEAR/5 beta NEAR/2 gamma", "F:0-7" },
    { "alpha NEAR/1 beta NEAR/2 gamma", "" },
    { "gamma NEAR/2 beta NEAR/5 alpha", "F:0-7" },
    /* words the tokeniser splits: G = the0 u1 s2 government3 spoke4 */
    { "U.S.", "G:1-2" },
    { "\"U.S. government\"", "G:1-3" },
    { "U.S. NEAR/0 government", "G:1-3" },
};

static void test_match_table(void)
{
    for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
        char got[2048];
        run(match_cases[i].pattern, 0, got, sizeof got);
        if (strcmp(got, match_cases[i].want) != 0)
            fprintf(stderr, "  pattern [%s]\n", match_cases[i].pattern);
        CHECK_STR(got, match_cases[i].want);
    }
}

static void test_sentences(void)
{
    char got[2048];
    run("\"equal footing\"", PAT_SCAN_LAYOUT, got, sizeof got);
    CHECK_STR(got, "B:0-1:s1 B:9-10:s2 C:4-5:s2");
    run("multistakeholder", PAT_SCAN_LAYOUT, got, sizeof got);
    CHECK_STR(got, "A:1-2:s1 A:5-5:s2");
}

static int open_scan(const char *pattern, pat_pattern **p, pat_scan **s, unsigned flags)
{
    pat_resolver *rs = NULL;
    ig_err e;
    ig_err_clear(&e);
    int rc = pat_compile(p, pattern, strlen(pattern), NULL, &e);
    if (rc == IG_OK)
        rc = pat_resolver_open(&rs, rd, &e);
    if (rc == IG_OK)
        rc = pat_resolve(*p, rs, &e);
    pat_resolver_close(rs);
    if (rc == IG_OK)
        rc = pat_scan_open(s, *p, flags, &e);
    return rc;
}

/* Document-at-a-time use: counts, seek semantics, layout access. */
static void test_scan_api(void)
{
    pat_pattern *p = NULL;
    pat_scan *s = NULL;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(open_scan("\"equal footing\"", &p, &s, PAT_SCAN_LAYOUT), IG_OK);
    if (s == NULL)
        return;
    uint32_t n = 0;
    CHECK_EQ(pat_scan_seek(s, 1, &e), 1);
    CHECK_EQ(pat_scan_doc(s), 1);
    CHECK_EQ(pat_scan_doc_count(s, &n, &e), IG_OK);
    CHECK_EQ(n, 2);
    const pat_match *m;
    size_t nm;
    CHECK_EQ(pat_scan_doc_matches(s, &m, &nm, &e), IG_OK);
    CHECK_EQ(nm, 2);
    CHECK_EQ(m[1].first, 9);
    CHECK_EQ(m[1].last, 10);
    const idx_layout *l = pat_scan_layout(s);
    CHECK(l != NULL);
    if (l) {
        CHECK_EQ(l->n, 13);
        /* "footing" in "Equal footing for all ..." starts at byte 6 */
        CHECK_EQ(l->start[m[0].last], 6);
        CHECK_EQ(l->end[m[0].last], 13);
    }
    /* seek never goes back; seeking the current document stays */
    CHECK_EQ(pat_scan_seek(s, 1, &e), 1);
    CHECK_EQ(pat_scan_doc(s), 1);
    CHECK_EQ(pat_scan_seek(s, 0, &e), 1);
    CHECK_EQ(pat_scan_doc(s), 1);
    CHECK_EQ(pat_scan_next_doc(s, &e), 1);
    CHECK_EQ(pat_scan_doc(s), 2);
    CHECK_EQ(pat_scan_doc_count(s, &n, &e), IG_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(pat_scan_next_doc(s, &e), 0);
    CHECK_EQ(pat_scan_next_doc(s, &e), 0);
    pat_scan_close(s);
    pat_free(p);

    /* seek past documents without matches */
    CHECK_EQ(open_scan("stakeholder", &p, &s, 0), IG_OK);
    CHECK_EQ(pat_scan_seek(s, 2, &e), 1);
    CHECK_EQ(pat_scan_doc(s), 2);
    CHECK(pat_scan_layout(s) == NULL);
    CHECK_EQ(pat_scan_seek(s, 3, &e), 0);
    pat_scan_close(s);
    pat_free(p);

    /* counting over the index, per document too */
    CHECK_EQ(open_scan("\"equal footing\"", &p, &s, 0), IG_OK);
    pat_scan_close(s);
    uint64_t total = 0;
    uint32_t ndocs = 0, per[NDOCS] = { 0 };
    CHECK_EQ(pat_count(p, &total, &ndocs, per, &e), IG_OK);
    CHECK_EQ(total, 3);
    CHECK_EQ(ndocs, 2);
    CHECK_EQ(per[0], 0);
    CHECK_EQ(per[1], 2);
    CHECK_EQ(per[2], 1);
    CHECK(pat_term_count(p) >= 2);
    pat_free(p);

    /* scanning an unresolved pattern is a usage error */
    ig_err_clear(&e);
    CHECK_EQ(pat_compile(&p, "x", 1, NULL, &e), IG_OK);
    CHECK_EQ(pat_scan_open(&s, p, 0, &e), IG_EUSAGE);
    pat_free(p);
}

/* pat_cache: every pattern of the match table scanned together on one
 * cache, range by range (ranges of 1, 2, 3 and all documents, and ranges
 * that leave documents out), gives the same matches, with the same
 * sentences, as each pattern's own scan; misuse is IG_EUSAGE. */
static void test_cache(void)
{
    /* the match table, and "spoke", whose term no case uses: never added */
    enum { NP = sizeof match_cases / sizeof match_cases[0] + 1 };
    pat_pattern *p[NP];
    pat_scan *sc[NP];
    pat_resolver *rs = NULL;
    pat_cache *c = NULL;
    ig_err e;
    ig_err_clear(&e);
    memset(p, 0, sizeof p);
    memset(sc, 0, sizeof sc);
    CHECK_EQ(pat_resolver_open(&rs, rd, &e), IG_OK);
    CHECK_EQ(pat_cache_open(&c, rd, &e), IG_OK);
    if (rs == NULL || c == NULL)
        goto out;
    for (size_t i = 0; i < NP; i++) {
        const char *t = i + 1 < NP ? match_cases[i].pattern : "spoke";
        CHECK_EQ(pat_compile(&p[i], t, strlen(t), NULL, &e), IG_OK);
        if (p[i] == NULL)
            goto out;
        /* unresolved: refused */
        if (i == 0) {
            CHECK_EQ(pat_cache_add(c, p[i], &e), IG_EUSAGE);
            ig_err_clear(&e);
        }
        CHECK_EQ(pat_resolve(p[i], rs, &e), IG_OK);
        if (i + 1 < NP) /* the last one is never added */
            CHECK_EQ(pat_cache_add(c, p[i], &e), IG_OK);
    }
    for (size_t i = 0; i + 1 < NP; i++)
        CHECK_EQ(pat_scan_open_cached(&sc[i], p[i], c, i % 2 ? PAT_SCAN_LAYOUT : 0, &e), IG_OK);
    CHECK(pat_cache_term_count(c) > 10);
    /* frozen: no more patterns; one whose terms it lacks cannot be scanned
     * on it */
    CHECK_EQ(pat_cache_add(c, p[NP - 1], &e), IG_EUSAGE);
    ig_err_clear(&e);
    CHECK_EQ(pat_scan_open_cached(&sc[NP - 1], p[NP - 1], c, 0, &e), IG_EUSAGE);
    ig_err_clear(&e);
    static const uint32_t plans[][8] = {
        /* range boundaries, ended by a repeat (d0 == d1 ends the plan) */
        { 0, 1, 2, 3, 4, 5, 6, 7 },
        { 0, 2, 4, 6, 8, 8 },
        { 0, 3, 6, 8, 8 },
        { 0, 8, 8 },
        { 1, 3, 5, 8, 8 },  /* document 0 left out */
    };
    char got[NP][1024], want[2048];
    for (size_t pl = 0; pl < sizeof plans / sizeof plans[0]; pl++) {
        pat_cache_close(c);
        c = NULL;
        for (size_t i = 0; i + 1 < NP; i++) {
            pat_scan_close(sc[i]);
            sc[i] = NULL;
        }
        CHECK_EQ(pat_cache_open(&c, rd, &e), IG_OK);
        for (size_t i = 0; c && i + 1 < NP; i++) {
            CHECK_EQ(pat_cache_add(c, p[i], &e), IG_OK);
        }
        for (size_t i = 0; c && i + 1 < NP; i++)
            CHECK_EQ(pat_scan_open_cached(&sc[i], p[i], c, i % 2 ? PAT_SCAN_LAYOUT : 0, &e),
                     IG_OK);
        if (c == NULL)
            goto out;
        memset(got, 0, sizeof got);
        const uint32_t *b = plans[pl];
        uint32_t first = b[0];
        for (size_t r = 0; r + 1 < 8 && b[r] < b[r + 1]; r++) {
            CHECK_EQ(pat_cache_range(c, b[r], b[r + 1], &e), IG_OK);
            for (size_t t = 0; t < pat_cache_term_count(c); t++)
                CHECK_EQ(pat_cache_load(c, t, &e), IG_OK);
            for (size_t i = 0; i + 1 < NP; i++) {
                int rc = pat_scan_seek(sc[i], b[r], &e);
                while (rc == 1) {
                    const pat_match *m;
                    size_t n;
                    CHECK_EQ(pat_scan_doc_matches(sc[i], &m, &n, &e), IG_OK);
                    CHECK(pat_scan_doc(sc[i]) >= b[r] && pat_scan_doc(sc[i]) < b[r + 1]);
                    for (size_t k = 0; k < n; k++) {
                        size_t o = strlen(got[i]);
                        if (i % 2)
                            snprintf(got[i] + o, sizeof got[i] - o, "%s%s:%u-%u:s%u",
                                     o ? " " : "", idx_doc_id(rd, m[k].doc), m[k].first,
                                     m[k].last, m[k].sentence);
                        else
                            snprintf(got[i] + o, sizeof got[i] - o, "%s%s:%u-%u",
                                     o ? " " : "", idx_doc_id(rd, m[k].doc), m[k].first,
                                     m[k].last);
                    }
                    rc = pat_scan_next_doc(sc[i], &e);
                }
                CHECK_EQ(rc, 0);
            }
        }
        /* a range may not go back */
        CHECK_EQ(pat_cache_range(c, 0, 1, &e), IG_EUSAGE);
        ig_err_clear(&e);
        for (size_t i = 0; i + 1 < NP; i++) {
            run(match_cases[i].pattern, i % 2 ? PAT_SCAN_LAYOUT : 0, want, sizeof want);
            /* drop the documents the plan leaves out (ids are letters) */
            char kept[2048] = "";
            char *save = NULL;
            for (char *tok = strtok_r(want, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                if ((uint32_t)(tok[0] - 'A') >= first)
                    snprintf(kept + strlen(kept), sizeof kept - strlen(kept), "%s%s",
                             kept[0] ? " " : "", tok);
            if (strcmp(got[i], kept) != 0)
                fprintf(stderr, "  plan %zu, pattern [%s]\n", pl, match_cases[i].pattern);
            CHECK_STR(got[i], kept);
        }
    }
out:
    for (size_t i = 0; i < NP; i++) {
        pat_scan_close(sc[i]);
        pat_free(p[i]);
    }
    pat_cache_close(c);
    pat_resolver_close(rs);
}

/* All matches of resolved p, by a scan of its own, as " doc:first-last". */
static void matches_of(const pat_pattern *p, ig_buf *out)
{
    ig_err e;
    ig_err_clear(&e);
    ig_buf_reset(out);
    pat_scan *sc = NULL;
    CHECK_EQ(pat_scan_open(&sc, p, 0, &e), IG_OK);
    int rc = sc ? pat_scan_next_doc(sc, &e) : 0;
    while (rc == 1) {
        const pat_match *m;
        size_t n;
        CHECK_EQ(pat_scan_doc_matches(sc, &m, &n, &e), IG_OK);
        for (size_t k = 0; k < n; k++)
            ig_buf_addf(out, " %u:%u-%u", m[k].doc, m[k].first, m[k].last);
        rc = pat_scan_next_doc(sc, &e);
    }
    CHECK_EQ(rc, 0);
    pat_scan_close(sc);
}

/* Finish and commit w (its documents added, rc the last add's result)
 * and open the index at path: the reader, or NULL (a failed check; w
 * aborted, the file removed). */
static idx_reader *finish_open(idx_writer *w, int rc, const char *path)
{
    ig_err e;
    ig_err_clear(&e);
    idx_reader *r = NULL;
    if (rc == IG_OK)
        rc = idx_writer_finish(w, &e);
    if (rc == IG_OK) {
        rc = idx_writer_commit(w, &e);
        w = NULL;
    }
    if (rc == IG_OK)
        rc = idx_open(&r, path, &e);
    CHECK_EQ(rc, IG_OK);
    if (rc) {
        idx_writer_abort(w);
        unlink(path);
        return NULL;
    }
    return r;
}

/* Every pattern p[0..np) scanned on one cache over r's nd documents, in
 * ranges of step documents, must find want[i], the matches of its own scan
 * (matches_of); got[] is scratch.  A NULL pattern is left out. */
static void check_cache_ranges(const idx_reader *r, uint32_t nd, pat_pattern *const *p,
                               const char *const *pats, size_t np, uint32_t step,
                               const ig_buf *want, ig_buf *got)
{
    ig_err e;
    ig_err_clear(&e);
    pat_cache *c = NULL;
    pat_scan **sc = ig_calloc(np, sizeof *sc);
    CHECK(sc != NULL);
    if (sc == NULL)
        return;
    CHECK_EQ(pat_cache_open(&c, r, &e), IG_OK);
    for (size_t i = 0; c && i < np; i++)
        if (p[i])
            CHECK_EQ(pat_cache_add(c, p[i], &e), IG_OK);
    for (size_t i = 0; c && i < np; i++) {
        if (p[i])
            CHECK_EQ(pat_scan_open_cached(&sc[i], p[i], c, 0, &e), IG_OK);
        ig_buf_reset(&got[i]);
    }
    for (uint32_t d0 = 0; c && d0 < nd; d0 += step) {
        uint32_t d1 = d0 + step < nd ? d0 + step : nd;
        CHECK_EQ(pat_cache_range(c, d0, d1, &e), IG_OK);
        for (size_t t = 0; t < pat_cache_term_count(c); t++)
            CHECK_EQ(pat_cache_load(c, t, &e), IG_OK);
        for (size_t i = 0; i < np; i++) {
            int rc = sc[i] ? pat_scan_seek(sc[i], d0, &e) : 0;
            while (rc == 1) {
                const pat_match *m;
                size_t n;
                CHECK_EQ(pat_scan_doc_matches(sc[i], &m, &n, &e), IG_OK);
                for (size_t k = 0; k < n; k++)
                    ig_buf_addf(&got[i], " %u:%u-%u", m[k].doc, m[k].first, m[k].last);
                rc = pat_scan_next_doc(sc[i], &e);
            }
            CHECK_EQ(rc, 0);
        }
    }
    for (size_t i = 0; i < np; i++) {
        int same = got[i].len == want[i].len &&
                   (got[i].len == 0 || memcmp(got[i].data, want[i].data, got[i].len) == 0);
        if (!same)
            fprintf(stderr, "  ranges of %u, pattern [%s]\n", step, pats[i]);
        CHECK(same);
        pat_scan_close(sc[i]);
    }
    pat_cache_close(c);
    ig_free(sc);
}

/* The cache over many documents, where cursors gallop: a term in every
 * document beside terms in every 5th, 7th and 64th, ranges of 1 to all
 * documents. */
static void test_cache_many(void)
{
    enum { ND = 300, NP = 10 };
    /* the q words: forms of 2 to 5 terms, several of them in a document,
     * their runs merged by the cached scans (pattern_scan.c, atom_list) */
    static const char *const pats[NP] = { "rare", "\"common rare\"", "\"rare thing\"",
                                          "common NEAR/3 thing", "rare*", "\"word rare\"",
                                          "q*", "/^q[ab]$/", "/^q[abc]$/", "\"q* q*\"" };
    static const char *const qs[5] = { " qa", " qb", " qc", " qd", " qe" };
    char path[320];
    snprintf(path, sizeof path, "%s/many.igx", tmpdir);
    ig_err e;
    ig_err_clear(&e);
    idx_writer *w = NULL;
    idx_reader *r = NULL;
    int rc = idx_writer_open(&w, path, cols, 2, NULL, &e);
    for (uint32_t i = 0; rc == IG_OK && i < ND; i++) {
        char id[16], text[200];
        snprintf(id, sizeof id, "d%u", i);
        int at = snprintf(text, sizeof text, "common word%s%s%s", i % 7 == 0 ? " rare thing" : "",
                          i % 5 == 0 ? " common rare" : "", i % 64 == 3 ? " word rarely" : "");
        /* q words in an order and number that vary with the document */
        for (uint32_t k = 0; k < i % 9 && at > 0 && (size_t)at + 8 < sizeof text; k++)
            at += snprintf(text + at, sizeof text - (size_t)at, "%s", qs[(i * 7 + k * 3) % 5]);
        if (at > 0 && (size_t)at + 2 < sizeof text)
            snprintf(text + at, sizeof text - (size_t)at, ".");
        const char *vals[2] = { id, "" };
        rc = idx_writer_add_text(w, vals, "en", text, strlen(text), NULL, &e);
    }
    r = finish_open(w, rc, path);
    if (r == NULL)
        return;
    pat_resolver *rs = NULL;
    pat_pattern *p[NP] = { NULL };
    CHECK_EQ(pat_resolver_open(&rs, r, &e), IG_OK);
    for (size_t i = 0; rs && i < NP; i++) {
        CHECK_EQ(pat_compile(&p[i], pats[i], strlen(pats[i]), NULL, &e), IG_OK);
        if (p[i])
            CHECK_EQ(pat_resolve(p[i], rs, &e), IG_OK);
    }
    ig_buf want[NP], got[NP];
    for (size_t i = 0; i < NP; i++) {
        want[i] = (ig_buf)IG_BUF_INIT;
        got[i] = (ig_buf)IG_BUF_INIT;
        if (p[i])
            matches_of(p[i], &want[i]);
    }
    CHECK(want[0].len > 100 && want[3].len > 100);
    static const uint32_t steps[] = { 1, 2, 7, 64, 150, ND };
    for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++)
        check_cache_ranges(r, ND, p, pats, NP, steps[si], want, got);
    for (size_t i = 0; i < NP; i++) {
        ig_buf_free(&want[i]);
        ig_buf_free(&got[i]);
        pat_free(p[i]);
    }
    pat_resolver_close(rs);
    idx_close(r);
    unlink(path);
}

/* Phrases on the cache chain from their rarest element (pattern_scan.c,
 * phrase_list), which may be any of them, and look spans up to their left
 * with a width bound from the cache: random texts over a small vocabulary
 * with joined compounds (spans wider than one position) and words whose
 * frequency swings from document to document, random phrases of one to
 * five words, prefixes and exact forms; every cached scan, over ranges of
 * 1, 3 and all documents, must find what the pattern's own scan (chaining
 * from the first element) finds. */
static void test_cache_phrases_random(void)
{
    enum { ND = 120, NP = 160 };
    static const char *const vocab[] = { "the", "and", "of", "states", "state",
                                         "multi-stakeholder", "multi", "stakeholder", "model",
                                         "e-mail", "mail", "civil", "society", "x", "y" };
    static const char *const forms[] = { "the", "and", "of", "states", "=state", "state*",
                                         "multi", "stakeholder", "multistakeholder",
                                         "multi-stakeholder", "model", "mail", "email",
                                         "e-mail", "civil", "society", "x", "y", "stake*",
                                         "m*" };
    enum { NV = sizeof vocab / sizeof vocab[0], NF = sizeof forms / sizeof forms[0] };
    char path[320];
    snprintf(path, sizeof path, "%s/phrases.igx", tmpdir);
    ig_err e;
    ig_err_clear(&e);
    idx_writer *w = NULL;
    idx_reader *r = NULL;
    uint64_t x = 0x9e3779b97f4a7c15ull;
#define NEXT_RAND() (x = x * 6364136223846793005ull + 1442695040888963407ull, (uint32_t)(x >> 33))
    ig_buf text = IG_BUF_INIT;
    int rc = idx_writer_open(&w, path, cols, 2, NULL, &e);
    for (uint32_t i = 0; rc == IG_OK && i < ND; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%u", i);
        ig_buf_reset(&text);
        /* each document favours a few words, so the rarest element of a
         * phrase changes from document to document and range to range */
        uint32_t fav = NEXT_RAND(), words = 1 + NEXT_RAND() % 120;
        for (uint32_t k = 0; k < words; k++) {
            uint32_t v = NEXT_RAND() % NV;
            if (NEXT_RAND() % 3 && !(fav >> v & 1))
                v = (fav >> 16) % NV;
            ig_buf_addf(&text, "%s%s", k ? " " : "", vocab[v]);
            if (NEXT_RAND() % 23 == 0)
                ig_buf_adds(&text, ".");
        }
        const char *vals[2] = { id, "" };
        rc = idx_writer_add_text(w, vals, "en", text.data, text.len, NULL, &e);
    }
    ig_buf_free(&text);
    r = finish_open(w, rc, path);
    if (r == NULL)
        return;
    pat_resolver *rs = NULL;
    pat_pattern *p[NP] = { NULL };
    char pats[NP][160];
    ig_buf want[NP], got[NP];
    CHECK_EQ(pat_resolver_open(&rs, r, &e), IG_OK);
    size_t nonempty = 0;
    for (size_t i = 0; i < NP; i++) {
        size_t o = 0, nw = 1 + NEXT_RAND() % 5;
        o += (size_t)snprintf(pats[i] + o, sizeof pats[i] - o, "\"");
        for (size_t k = 0; k < nw; k++)
            o += (size_t)snprintf(pats[i] + o, sizeof pats[i] - o, "%s%s", k ? " " : "",
                                  forms[NEXT_RAND() % NF]);
        snprintf(pats[i] + o, sizeof pats[i] - o, "\"");
        want[i] = (ig_buf)IG_BUF_INIT;
        got[i] = (ig_buf)IG_BUF_INIT;
        if (rs)
            CHECK_EQ(pat_compile(&p[i], pats[i], strlen(pats[i]), NULL, &e), IG_OK);
        if (p[i])
            CHECK_EQ(pat_resolve(p[i], rs, &e), IG_OK);
        if (p[i])
            matches_of(p[i], &want[i]);
        nonempty += want[i].len > 0;
    }
#undef NEXT_RAND
    CHECK(nonempty > NP / 4); /* the phrases do match, often */
    static const uint32_t steps[] = { 1, 3, ND };
    const char *shown[NP];
    for (size_t i = 0; i < NP; i++)
        shown[i] = pats[i];
    for (size_t si = 0; rs && si < sizeof steps / sizeof steps[0]; si++)
        check_cache_ranges(r, ND, p, shown, NP, steps[si], want, got);
    for (size_t i = 0; i < NP; i++) {
        ig_buf_free(&want[i]);
        ig_buf_free(&got[i]);
        pat_free(p[i]);
    }
    pat_resolver_close(rs);
    idx_close(r);
    unlink(path);
}

/* Resolving each regex of res[] over the vocabulary of text gives the
 * same terms as trying every term, counted here by brute force with the
 * same compile options; returns how many of them match some term. */
static unsigned check_regex_brute(const char *text, const char *const *res)
{
    char path[320];
    snprintf(path, sizeof path, "%s/re.igx", tmpdir);
    ig_err e0;
    ig_err_clear(&e0);
    idx_writer *w = NULL;
    idx_reader *r = NULL;
    const char *vals[2] = { "R", "" };
    int rc = idx_writer_open(&w, path, cols, 2, NULL, &e0);
    if (rc == IG_OK)
        rc = idx_writer_add_text(w, vals, "en", text, strlen(text), NULL, &e0);
    if (rc == IG_OK)
        rc = idx_writer_finish(w, &e0);
    if (rc == IG_OK) {
        rc = idx_writer_commit(w, &e0);
        w = NULL;
    }
    if (rc == IG_OK)
        rc = idx_open(&r, path, &e0);
    CHECK_EQ(rc, IG_OK);
    if (rc) {
        idx_writer_abort(w);
        return 0;
    }
    unsigned nonzero = 0;
    for (size_t i = 0; res[i]; i++) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)res[i], PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C |
                                           PCRE2_CASELESS,
                                       &err, &off, NULL);
        CHECK(re != NULL);
        if (re == NULL)
            continue;
        pcre2_match_data *md = pcre2_match_data_create(1, NULL);
        size_t want = 0;
        for (uint32_t t = 0; t < idx_term_count(r); t++) {
            size_t len;
            const char *surf = idx_term(r, t, &len);
            want += pcre2_match(re, (PCRE2_SPTR)surf, len, 0, 0, md, NULL) >= 0;
        }
        pcre2_match_data_free(md);
        pcre2_code_free(re);
        char pat[64];
        snprintf(pat, sizeof pat, "/%s/", res[i]);
        pat_pattern *p = NULL;
        pat_resolver *rs = NULL;
        ig_err e;
        ig_err_clear(&e);
        CHECK_EQ(pat_compile(&p, pat, strlen(pat), NULL, &e), IG_OK);
        CHECK_EQ(pat_resolver_open(&rs, r, &e), IG_OK);
        if (p && rs) {
            CHECK_EQ(pat_resolve(p, rs, &e), IG_OK);
            nonzero += want > 0;
            if (pat_term_count(p) != want)
                fprintf(stderr, "  regex %s: %zu terms, brute force %zu\n", pat,
                        pat_term_count(p), want);
            CHECK_EQ(pat_term_count(p), want);
        }
        pat_resolver_close(rs);
        pat_free(p);
    }
    idx_close(r);
    unlink(path);
    return nonzero;
}

/* Anchored regexes are matched only against the terms their first byte
 * allows (pattern.c, regex_first_bytes). */
static void test_regex_first_bytes(void)
{
    static const char *const res[] = {
        "^(governments?|states)$", "^inter-?govern", "^multi", "^s", "^S", "^k", "^K",
        "^\\x{212A}", "^\xC3\xA9", "^(a|\xC3\xA9)", "^[a-c]", "^\\d", "^.", "^", "^a?b",
        "^(?i)W$", "stakeholder", "(?m)^w", "^(alpha|beta|gamma)$", "^(?:end|w)$", NULL };
    /* A vocabulary with non-ASCII first bytes (U+017F and U+212A are
     * normalised to s and k by the tokeniser). */
    static const char text[] = "Stakeholders \xC3\xA9" "quipe \xC5\xBF" "tate \xE2\x84\xAA" "elvin "
                               "alpha beta gamma 42 _under \xE2\x82\xAC" "uro \xC3\x84" "rger "
                               "\xC3\xA9" "t\xC3\xA9" " w end.";
    CHECK(check_regex_brute(text, res) >= 10); /* most cases match some terms */
}

/* Within a first byte shared by many terms, pairs of first bytes the
 * regex cannot start with are skipped unmatched (pattern.c, resolve_regex
 * and regex_plain): still the brute-force terms, for plain regexes (which
 * take the pairs) and others (which do not), with one-byte terms and
 * non-ASCII second bytes among them. */
static void test_regex_second_bytes(void)
{
    static const char *const res[] = {
        "^(governments?|states)$", "^s", "^st", "^s.x$", "^(sa|ge)", "^[s-t][a-c]",
        "^s(\xC3\xA9|a)", "^.a", "^s$", "^(s|g)$", "^s?a", "^sa*x", "^(?=.*ing)s",
        "^s\\w", "^(a|s)(b|\xC3\xA9)x", "^gax|^sbx", "^[^a]b", "^t[0-9]", "^x*sa",
        "^(sing|sings)$", "^g(a|o)(b|v)", "^(?i)SQ", "^s(*ACCEPT)z", "^sq.", "^s{2}",
        "^(s|sa)(s|x)$", "^ta+(x|s)?$", NULL };
    ig_buf text = IG_BUF_INIT;
    static const char first[] = "sgt";
    static const char *const second[] = { "a", "b", "c", "d", "e", "g", "o", "q", "s", "t",
                                          "u", "z", "0", "7", "\xC3\xA9", "\xC3\xA0" };
    static const char *const end[] = { "x", "ing", "s", "" };
    for (size_t f = 0; f < sizeof first - 1; f++) {
        ig_buf_addf(&text, "%c ", first[f]);
        for (size_t k = 0; k < sizeof second / sizeof second[0]; k++)
            for (size_t x = 0; x < sizeof end / sizeof end[0]; x++)
                ig_buf_addf(&text, "%c%s%s ", first[f], second[k], end[x]);
    }
    ig_buf_adds(&text, "states governments government stakeholders sovereignty end.");
    CHECK(check_regex_brute(text.data, res) >= 20);
    ig_buf_free(&text);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* F34: catastrophic backtracking on the 33-character term aaa...b ends at
 * the match limit, promptly, with the pattern located; an in-pattern
 * (*LIMIT_MATCH=) cannot raise the limit but can lower it. */
static void test_regex_limits(void)
{
    static const struct { const char *pattern; const char *want; } cases[] = {
        { "/(a+)+$/", "igmap: pattern: /(a+)+$/:1: regex match limit exceeded on term "
                      "\"" LONG_A "\"" },
        { "/(*LIMIT_MATCH=4000000000)(a+)+$/", "regex match limit exceeded on term \"aaaa" },
        { "\"x /(a+)+$/\"", "igmap: pattern: \"x /(a+)+$/\":4: regex match limit exceeded" },
        /* fine under the default limit (below), not under a lowered one */
        { "/(*LIMIT_MATCH=100)^(a?){25}a{25}/", "regex match limit exceeded on term \"" LONG_A },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[2048];
        double t0 = now();
        run(cases[i].pattern, 0, got, sizeof got);
        double dt = now() - t0;
        char want[600];
        snprintf(want, sizeof want, "ERR %d ", IG_ELIMIT);
        CHECK(strncmp(got, want, strlen(want)) == 0);
        if (strstr(got, cases[i].want) == NULL)
            fprintf(stderr, "  pattern [%s]: got %s\n", cases[i].pattern, got);
        CHECK(strstr(got, cases[i].want) != NULL);
        CHECK(dt < 5.0);
    }
    /* the same regex without the pathological shape works */
    char got[256];
    run("/^a+b$/", 0, got, sizeof got);
    CHECK_STR(got, "D:0-0");
    run("/^(a?){25}a{25}/", 0, got, sizeof got);
    CHECK_STR(got, "D:0-0");
}

/* OOM sweep (FAULTS.md method 1): fail the k-th allocation of compile +
 * resolve + scan, once and forever, for every k until the operation runs
 * without reaching k.  Each run ends either with the right matches or with
 * IG_ENOMEM; ASan's leak check at exit covers the error paths. */
static void test_oom(void)
{
    static const struct match_case cases[] = {
        { "\"all stakeholders\" NEAR/5 \"equal footing\"", "B:0-4" },
        { "alpha NEAR/5 beta NEAR/2 gamma", "F:0-7" },
        { "/^multi/", "A:1-1 A:5-5" },
        { "\"multistakeholder model\"", "A:1-3" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int forever = 0; forever <= 1; forever++) {
            unsigned bad = 0, k;
            for (k = 1; k < 100000; k++) {
                char got[2048];
                uint64_t before = ig_alloc_count();
                ig_alloc_fail_at(k, forever);
                run(cases[c].pattern, PAT_SCAN_LAYOUT, got, sizeof got);
                ig_alloc_fail_at(0, 0);
                int reached = ig_alloc_count() - before >= k;
                char nomem[64];
                snprintf(nomem, sizeof nomem, "ERR %d ", IG_ENOMEM);
                /* with layout the matches carry sentences: compare the
                 * positions only */
                char plain[2048];
                size_t o = 0;
                for (const char *s = got; *s && o + 1 < sizeof plain; s++) {
                    if (s[0] == ':' && s[1] == 's') {
                        while (*s && *s != ' ')
                            s++;
                        if (!*s)
                            break;
                    }
                    plain[o++] = *s;
                }
                plain[o] = '\0';
                if (strcmp(plain, cases[c].want) != 0 && strncmp(got, nomem, strlen(nomem)) != 0) {
                    bad++;
                    fprintf(stderr, "  [%s] k=%u forever=%d: %s\n", cases[c].pattern, k,
                            forever, got);
                }
                if (!reached)
                    break;
            }
            CHECK_EQ(bad, 0);
            if (getenv("IG_TEST_VERBOSE"))
                fprintf(stderr, "  oom [%s] forever=%d: %u allocations\n", cases[c].pattern,
                        forever, k);
            CHECK(k > 1 && k < 100000);
        }
    }
}

/* An inner NEAR keeps every candidate span: 3000 "w" in one sentence with
 * NEAR/3000 make millions, stopped at IG_MAX_NEAR_SPANS with a located
 * error; the same NEAR alone keeps one span per start and just works. */
static void test_near_spans_limit(void)
{
    char got[2048], want[256];
    run("w NEAR/3000 w NEAR/1 end", 0, got, sizeof got);
    snprintf(want, sizeof want, "ERR %d igmap: pattern: w NEAR/3000 w NEAR/1 end:3: "
             "NEAR/3000: more than %u candidate spans in document \"H\"; narrow the pattern",
             IG_ELIMIT,
             (unsigned)IG_MAX_NEAR_SPANS);
    CHECK_STR(got, want);
    pat_pattern *p = NULL;
    pat_scan *s = NULL;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(open_scan("w NEAR/3000 w", &p, &s, 0), IG_OK);
    pat_scan_close(s);
    uint64_t total = 0;
    uint32_t ndocs = 0;
    CHECK_EQ(pat_count(p, &total, &ndocs, NULL, &e), IG_OK);
    CHECK_EQ(total, 2999);
    CHECK_EQ(ndocs, 1);
    pat_free(p);
    run("w NEAR/1 end", 0, got, sizeof got);
    CHECK_STR(got, "H:2998-3000 H:2999-3000");
}

/* ---- phrase steps: both walks against the definition --------------------- */

#define T_SPAN(f, l) ((uint64_t)(f) << 32 | (uint64_t)(l))

/* The definition of a phrase step, by brute force over all pairs, sorted
 * and unique: what pat_chain must return whichever list it walks. */
static size_t chain_plain(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                          uint64_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if ((uint64_t)(uint32_t)a[i] + 1 == b[j] >> 32)
                out[n++] = T_SPAN(a[i] >> 32, (uint32_t)b[j]);
    for (size_t i = 1; i < n; i++) /* insertion sort: the lists are small */
        for (size_t k = i; k > 0 && out[k - 1] > out[k]; k--) {
            uint64_t t = out[k];
            out[k] = out[k - 1];
            out[k - 1] = t;
        }
    size_t o = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        if (out[i] != out[o - 1])
            out[o++] = out[i];
    return o;
}

/* Every walk of pat_chain gives the definition's spans on a, b; returns how
 * many spans that is. */
static size_t chain_check(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    static uint64_t want[65536];
    if (na * nb > sizeof want / sizeof want[0]) {
        CHECK(!"chain_check inputs small enough");
        return 0;
    }
    size_t nwant = chain_plain(a, na, b, nb, want);
    static const int hows[] = { PAT_CHAIN_AUTO, PAT_CHAIN_BY_A, PAT_CHAIN_BY_B };
    for (size_t h = 0; h < 3; h++) {
        uint64_t *out = NULL;
        size_t n = 99, cap = 0;
        CHECK_EQ(pat_chain(a, na, b, nb, hows[h], &out, &n, &cap), IG_OK);
        CHECK_EQ(n, nwant);
        if (n == nwant && nwant)
            CHECK(memcmp(out, want, n * sizeof *out) == 0);
        ig_free(out);
    }
    return nwant;
}

/* One term's spans in one document of the test index, as a form's list:
 * sorted, unique. */
static size_t term_spans(uint32_t t, uint32_t doc, uint64_t *v, size_t cap)
{
    ig_err e;
    ig_err_clear(&e);
    idx_postings it;
    size_t n = 0;
    if (idx_postings_open(rd, t, &it, &e) != IG_OK)
        return 0;
    while (idx_postings_next_doc(&it, &e) == 1 && it.doc <= doc) {
        if (it.doc < doc)
            continue;
        uint32_t pos, span;
        while (n < cap && idx_postings_next_pos(&it, &pos, &span, &e) == 1)
            v[n++] = T_SPAN(pos, pos + span);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && v[k - 1] > v[k]; k--) {
            uint64_t x = v[k];
            v[k] = v[k - 1];
            v[k - 1] = x;
        }
    return n;
}

static void test_chain(void)
{
    /* Real lists: every ordered pair of terms in every short document of
     * the test index (joined compounds such as multi-stakeholder give
     * spans wider than one position), then each non-empty result chained
     * once more, as a phrase of three words is. */
    size_t found = 0, wide = 0;
    uint32_t nt = idx_term_count(rd);
    for (uint32_t d = 0; d < idx_doc_count(rd); d++) {
        if (strcmp(idx_doc_id(rd, d), "H") == 0)
            continue; /* 3000 positions of one word: brute force too slow */
        for (uint32_t t1 = 0; t1 < nt; t1++) {
            uint64_t a[16];
            size_t na = term_spans(t1, d, a, 16);
            if (na == 0)
                continue;
            for (size_t i = 0; i < na; i++)
                wide += (uint32_t)a[i] != a[i] >> 32;
            for (uint32_t t2 = 0; t2 < nt; t2++) {
                uint64_t b[16];
                size_t nb = term_spans(t2, d, b, 16);
                if (nb == 0)
                    continue;
                size_t got = chain_check(a, na, b, nb);
                found += got;
                if (got == 0)
                    continue;
                uint64_t ab[16], *out = NULL;
                size_t nab = 0, cap = 0;
                if (pat_chain(a, na, b, nb, PAT_CHAIN_BY_A, &out, &nab, &cap) == IG_OK &&
                    nab <= 16)
                    memcpy(ab, out, nab * sizeof *ab);
                ig_free(out);
                for (uint32_t t3 = 0; t3 < nt && nab <= 16; t3++) {
                    uint64_t c[16];
                    size_t nc = term_spans(t3, d, c, 16);
                    if (nc)
                        found += chain_check(ab, nab, c, nc);
                }
            }
        }
    }
    CHECK(found > 20);
    CHECK(wide > 0);
    /* The walk over b where a is long: a compound ending where b starts
     * among many plain spans, spans at the ends of the position range, and
     * b starting at 0 (nothing ends before it). */
    uint64_t a[41], b[3];
    size_t na = 0;
    for (uint32_t p = 0; p < 36; p++)
        a[na++] = T_SPAN(p, p);
    a[na++] = T_SPAN(36, 36);
    a[na++] = T_SPAN(36, 39);  /* a compound over 36..39 */
    a[na++] = T_SPAN(UINT32_MAX - 1, UINT32_MAX - 1);
    a[na++] = T_SPAN(UINT32_MAX - 1, UINT32_MAX);
    b[0] = T_SPAN(0, 0);
    b[1] = T_SPAN(40, 41);
    b[2] = T_SPAN(UINT32_MAX, UINT32_MAX);
    CHECK_EQ(chain_check(a, na, b, 3), 2);
    b[1] = T_SPAN(37, 37);
    CHECK_EQ(chain_check(a, na, b, 3), 2);
    CHECK_EQ(chain_check(b, 3, a, na), 1);
    CHECK_EQ(chain_check(a, 0, b, 3), 0);
    CHECK_EQ(chain_check(a, na, b, 0), 0);
    /* One list over 256 times longer than the other, so that a step
     * walking the short list gallops in the long one instead of walking
     * it (pattern_scan.c, SPAN_WALK_MAX): a compound in the middle and
     * plain spans on both sides of the ones sought, each order. */
    static uint64_t l[1200];
    size_t nl = 0;
    for (uint32_t p = 0; p < 1100; p++) {
        l[nl++] = T_SPAN(p, p);
        if (p == 600)
            l[nl++] = T_SPAN(600, 602);
    }
    uint64_t s[3] = { T_SPAN(3, 3), T_SPAN(601, 601), T_SPAN(603, 604) };
    CHECK_EQ(chain_check(s, 1, l, nl), 1);       /* 3 4 */
    CHECK_EQ(chain_check(s + 1, 2, l, nl), 2);   /* 601 602, 603 605 */
    CHECK_EQ(chain_check(l, nl, s, 3), 4);       /* 2 3, 600 601, 600 604, 602 604 */
    CHECK_EQ(chain_check(l, nl, s + 2, 1), 2);
    /* Spans close enough to walk the long list, eight spans a step, with
     * gaps of every size from 1 to 46 between them (so the spans sought
     * fall at every offset within a step), a compound among them. */
    uint64_t m[48];
    size_t nm = 0;
    for (uint32_t k = 0, p = 0; p < 1100; p += ++k)
        m[nm++] = p == 595 ? T_SPAN(595, 599) : T_SPAN(p, p);
    CHECK_EQ(chain_check(m, nm, l, nl), nm + 1);
}

int main(void)
{
    RUN(test_parse_table);
    RUN(test_parse_nul);
    RUN(test_parse_limits);
    RUN(test_error_format);
    if (build_index() == IG_OK) {
        RUN(test_match_table);
        RUN(test_sentences);
        RUN(test_scan_api);
        RUN(test_cache);
        RUN(test_cache_many);
        RUN(test_cache_phrases_random);
        RUN(test_chain);
        RUN(test_regex_first_bytes);
        RUN(test_regex_second_bytes);
        RUN(test_regex_limits);
        RUN(test_near_spans_limit);
        RUN(test_oom);
        idx_close(rd);
    } else {
        CHECK(!"test index built");
    }
    if (idxpath[0])
        unlink(idxpath);
    if (tmpdir[0])
        rmdir(tmpdir);
    return harness_done();
}

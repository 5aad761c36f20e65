/*
 * test_report.c: the report stage's pieces that a browser cannot check:
 * HTML escaping of hostile text, the strict JSON reader (a table of valid
 * and invalid documents with their located errors), the sorted-key
 * writer, and rep_open's located errors on small hand-made tables.  The
 * whole page on a real corpus is checked by tests/scenarios/t080x.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "out.h"
#include "report.h"
#include "report_int.h"

#include "harness.h"

static char *escaped(const char *s, size_t n)
{
    ig_buf b = IG_BUF_INIT;
    if (rep_html_escape(&b, s, n) != 0)
        return NULL;
    if (b.data == NULL)
        return ig_strdup("");
    return ig_buf_detach(&b, NULL);
}

static void test_html_escape(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "plain text", "plain text" },
        { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "\"&'", "&quot;&amp;&#39;" },
        { "a\tb\nc", "a\tb\nc" },                 /* tab and LF kept */
        { "a\rb\x01" "c\x7f", "abc" },            /* other controls dropped */
        { "caf\xc3\xa9 \xe2\x80\x91", "caf\xc3\xa9 \xe2\x80\x91" }, /* valid UTF-8 kept */
        { "bad\xff" "byte", "bad\xef\xbf\xbd" "byte" },            /* invalid -> U+FFFD */
        { "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },                /* overlong '/' */
        { "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* surrogate */
        { "cut\xe2\x80", "cut\xef\xbf\xbd\xef\xbf\xbd" },           /* truncated sequence */
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = escaped(cases[i].in, strlen(cases[i].in));
        CHECK_STR(got, cases[i].out);
        ig_free(got);
    }
    /* an embedded NUL is a control character: dropped, the rest kept */
    char *got = escaped("a\0b", 3);
    CHECK_STR(got, "ab");
    ig_free(got);
}

static void test_utf8_len(void)
{
    CHECK_EQ(rep_utf8_len((const unsigned char *)"a", 1), 1);
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\xe2\x80\x91", 3), 3);
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\xe0\x80\xaf", 3), 0);     /* overlong */
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\x80", 1), 0);
    CHECK_EQ(rep_utf8_len((const unsigned char *)"\xc3", 1), 0);
}

/* Parse s; on success write it back (sorted, one line) into out. */
static int roundtrip(const char *s, char *out, size_t n, ig_err *e)
{
    rep_json *v = NULL;
    ig_err_clear(e);
    int rc = rep_json_parse(&v, s, strlen(s), "t.json", "test", e);
    if (rc == 0) {
        ig_buf b = IG_BUF_INIT;
        rep_json_write(&b, v, 0);
        snprintf(out, n, "%s", b.data ? b.data : "");
        ig_buf_free(&b);
    }
    rep_json_free(v);
    return rc;
}

static void test_json_valid(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "{}", "{}" },
        { " [ ] ", "[]" },
        { "{\"b\": 1, \"a\": [true, false, null]}", "{\"a\": [true, false, null], \"b\": 1}" },
        { "{\"z\":{\"y\":2,\"x\":1},\"a\":0}", "{\"a\": 0, \"z\": {\"x\": 1, \"y\": 2}}" },
        { "[-0, 1.5e+10, 2E-3, 0.25, -12]", "[-0, 1.5e+10, 2E-3, 0.25, -12]" },
        { "\"a\\\"b\\\\c\\/d\\n\\t\"", "\"a\\\"b\\\\c/d\\n\\t\"" },
        { "\"\\u00e9\\u2011\"", "\"\xc3\xa9\xe2\x80\x91\"" },
        { "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },                /* surrogate pair */
        { "\"\\u0001x\"", "\"\\u0001x\"" },
        { "\"caf\xc3\xa9\"", "\"caf\xc3\xa9\"" },
        { "\xef\xbb\xbf{\"a\":1}", "{\"a\": 1}" },                        /* BOM tolerated */
        { "{\"ab\":1,\"a\":2,\"b\":3}", "{\"a\": 2, \"ab\": 1, \"b\": 3}" }, /* bytewise order */
    };
    char out[512];
    ig_err e;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = roundtrip(cases[i].in, out, sizeof out, &e);
        CHECK_EQ(rc, 0);
        if (rc == 0)
            CHECK_STR(out, cases[i].out);
        else
            fprintf(stderr, "  case %zu: %s\n", i, e.msg);
    }
}

static void test_json_invalid(void)
{
    static const struct { const char *in; int code; uint64_t line, col; const char *msg; } cases[] = {
        { "", IG_EDATA, 1, 1, "expected a value, found the end" },
        { "{", IG_EDATA, 1, 2, "unterminated object" },
        { "{\"a\":1,}", IG_EDATA, 1, 8, "trailing comma" },
        { "[1,]", IG_EDATA, 1, 4, "trailing comma" },
        { "{\"a\":1,\"a\":2}", IG_EDATA, 1, 8, "duplicate member name" },
        { "{a:1}", IG_EDATA, 1, 2, "expected a member name" },
        { "[01]", IG_EDATA, 1, 3, "expected ',' or ']'" },
        { "[1.]", IG_EDATA, 1, 2, "malformed number" },
        { "[.5]", IG_EDATA, 1, 2, "expected a value" },
        { "[+1]", IG_EDATA, 1, 2, "expected a value" },
        { "[NaN]", IG_EDATA, 1, 2, "expected a value" },
        { "\"abc", IG_EDATA, 1, 1, "unterminated string" },
        { "\"a\nb\"", IG_EDATA, 1, 3, "control character in string (escape it)" },
        { "\"\\x\"", IG_EDATA, 1, 2, "bad escape in string" },
        { "\"\\u12\"", IG_EDATA, 1, 2, "bad \\u escape (four hex digits needed)" },
        { "\"\\ud800\"", IG_EDATA, 1, 2, "lone high surrogate in \\u escape" },
        { "\"\\udc00\"", IG_EDATA, 1, 2, "lone low surrogate in \\u escape" },
        { "\"\xff\"", IG_EDATA, 1, 2, "invalid UTF-8 in string" },
        { "{\"a\":1}\n{", IG_EDATA, 2, 1, "text after the value" },
        { "[1]\n\n  x", IG_EDATA, 3, 3, "text after the value" },
        { "// c\n{}", IG_EDATA, 1, 1, "expected a value" },
        { "[tru]", IG_EDATA, 1, 2, "expected a value" },
    };
    char out[512];
    ig_err e;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = roundtrip(cases[i].in, out, sizeof out, &e);
        CHECK_EQ(rc, cases[i].code);
        CHECK_EQ(e.line, cases[i].line);
        CHECK_EQ(e.col, cases[i].col);
        CHECK_STR(e.msg, cases[i].msg);
        CHECK_STR(e.path, "t.json");
    }
    /* nesting: 64 levels are fine, 65 are a limit error */
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = '\0';
    CHECK_EQ(roundtrip(deep, out, sizeof out, &e), 0);
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    CHECK_EQ(roundtrip(deep, out, sizeof out, &e), IG_ELIMIT);
}

static void test_json_access_and_builder(void)
{
    rep_json *v = NULL;
    ig_err e;
    ig_err_clear(&e);
    const char *s = "{\"n\": 12, \"s\": \"x\\u0000y\", \"a\": [1, {\"k\": null}]}";
    CHECK_EQ(rep_json_parse(&v, s, strlen(s), "t", "test", &e), 0);
    CHECK_EQ(rep_json_type(v), REP_JSON_OBJECT);
    CHECK_EQ(rep_json_size(v), 3);
    size_t n = 0;
    CHECK_STR(rep_json_text(rep_json_get(v, "n"), NULL), "12");
    const char *t = rep_json_text(rep_json_get(v, "s"), &n);
    CHECK_EQ(n, 3); /* the NUL is kept inside the string */
    CHECK(t && t[0] == 'x' && t[1] == '\0' && t[2] == 'y');
    const rep_json *a = rep_json_get(v, "a");
    CHECK_EQ(rep_json_size(a), 2);
    CHECK_EQ(rep_json_type(rep_json_get(rep_json_at(a, 1), "k")), REP_JSON_NULL);
    CHECK(rep_json_get(v, "missing") == NULL);
    CHECK(rep_json_at(a, 2) == NULL);
    CHECK_STR(rep_json_key(v, 0), "n"); /* members keep file order; only writing sorts */

    /* builder: unique keys in any order come out sorted; strings escaped */
    rep_json *root = rep_jb_new(REP_JSON_OBJECT);
    rep_jb_str(root, "zeta", "quote \" backslash \\ tab \t bad \xff end");
    rep_jb_u64(root, "count", 42);
    rep_jb_dbl(root, "lean", 0.2, 6);
    rep_jb_dbl(root, "whole", 3.0, 6);
    rep_jb_dbl(root, "neg0", -0.0000001, 6);
    rep_jb_bool(root, "flag", 1);
    rep_json *arr = rep_jb_add(root, "list", REP_JSON_ARRAY);
    rep_jb_str(arr, NULL, "b");
    rep_jb_str(arr, NULL, NULL);
    rep_jb_copy(root, "copy", a);
    CHECK(!rep_jb_failed(root));
    ig_buf b = IG_BUF_INIT;
    CHECK_EQ(rep_json_write(&b, root, 0), 0);
    CHECK_STR(b.data, "{\"copy\": [1, {\"k\": null}], \"count\": 42, \"flag\": true, "
                      "\"lean\": 0.2, \"list\": [\"b\", null], \"neg0\": 0, \"whole\": 3, "
                      "\"zeta\": \"quote \\\" backslash \\\\ tab \\t bad \xef\xbf\xbd end\"}");
    /* indented output parses back to the same one-line form */
    ig_buf b2 = IG_BUF_INIT;
    CHECK_EQ(rep_json_write(&b2, root, 2), 0);
    CHECK(b2.len > 0 && b2.data[b2.len - 1] == '\n');
    rep_json *back = NULL;
    CHECK_EQ(rep_json_parse(&back, b2.data, b2.len, "t", "test", &e), 0);
    ig_buf b3 = IG_BUF_INIT;
    rep_json_write(&b3, back, 0);
    CHECK_STR(b3.data, b.data);
    ig_buf_free(&b);
    ig_buf_free(&b2);
    ig_buf_free(&b3);
    rep_json_free(back);
    rep_json_free(root);
    rep_json_free(v);
    /* a builder call on a NULL parent is harmless */
    CHECK(rep_jb_str(NULL, "k", "v") == NULL);
    CHECK(rep_jb_failed(NULL));
}

/* ---- rep_open on small tables -------------------------------------------------- */

static char dir[256];

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static const char gaps_hdr[] =
    "issue,cluster,documents,submitters,groups,mentions,gap_claims,gap_claim_documents,"
    "linked_multilateral,linked_multistakeholder,linked_technical,linked_regional,"
    "multilateral_mechanisms,multistakeholder_mechanisms,technical_mechanisms,"
    "regional_mechanisms,positioned,position_mean,position_sd,lean_multilateral,"
    "lean_multistakeholder,gap_type,gap_reason\n";

static void good_tables(void)
{
    char gaps[2048];
    snprintf(gaps, sizeof gaps, "%s"
             "spam,security,2,2,1,3,1,1,0,0,0,0,,,,,,,,,,no_home,\"raised by 2 documents; "
             "linked to no mechanism\"\n"
             "dns,infrastructure,1,1,1,2,0,0,1,1,0,0,itu,icann,,,,,,,,covered,both ends linked\n"
             "blockchain,emerging,0,0,0,0,0,0,0,0,0,0,,,,,,,,,,not_raised,no document raises it\n",
             gaps_hdr);
    put("gaps.csv", gaps);
    put("issues_by_process.csv", "issue,cluster,igf,wsis,total\nblockchain,emerging,0,0,0\n"
                                 "dns,infrastructure,1,0,1\nspam,security,1,1,2\n");
    put("issues_by_group.csv", "issue,cluster,civil_society,total\nblockchain,emerging,0,0\n"
                               "dns,infrastructure,1,1\nspam,security,2,2\n");
    put("issue_mechanisms.csv", "issue,cluster,mechanism,mechanism_type,unit,cooccurrences,"
                                "documents,linked\ndns,infrastructure,icann,multistakeholder,"
                                "sentence,2,1,1\ndns,infrastructure,itu,multilateral,sentence,"
                                "2,1,1\nspam,security,oecd,multilateral,sentence,1,1,0\n");
    put("map_evidence.csv",
        "doc_id,process,stakeholder_group,submitter,sentence,paragraph,section,start,end,kind,"
        "issue,mechanism,mechanism_type,raised,link,lexicon,line,match\n"
        "d1,igf,civil_society,'=SUM(1+1),1,1,0,0,4,issue_mention,spam,,,1,,l,1,Spam\n"
        "d1,igf,civil_society,'=SUM(1+1),1,1,0,5,9,issue_mention,spam,,,1,,l,1,spam\n"
        "d1,igf,civil_society,'=SUM(1+1),2,1,0,20,28,gap_claim,spam,,,1,same_sentence,l,2,"
        "no forum\n"
        "d2,wsis,civil_society,<b>,1,1,0,0,4,issue_mention,spam,,,1,,l,1,<script>\n"
        "d2,wsis,civil_society,<b>,1,1,0,0,3,issue_mention,dns,,,1,,l,1,DNS\n"
        "d3,wsis,civil_society,x,1,1,0,0,3,issue_mention,dns,,,0,,l,1,DNS\n");
}

static int open_dir(rep_doc **d, ig_err *e)
{
    rep_opts o;
    rep_opts_default(&o);
    ig_err_clear(e);
    return rep_open(d, dir, &o, e);
}

static void test_open_good(void)
{
    good_tables();
    rep_doc *d = NULL;
    ig_err e;
    int rc = open_dir(&d, &e);
    CHECK_EQ(rc, 0);
    if (rc) {
        fprintf(stderr, "  %s\n", e.msg);
        return;
    }
    CHECK_EQ(rep_issue_count(d), 3);
    CHECK_EQ(rep_dot_count(d), 0);
    /* spam: the first mention of d1 and of d2, and the claim; dns: d2 (d3
     * does not raise it) */
    CHECK_EQ(rep_evidence_count(d), 4);
    char path[512];
    snprintf(path, sizeof path, "%s/report.html", dir);
    ig_out *o = NULL;
    CHECK_EQ(ig_out_open(&o, path, "test", &e), 0);
    CHECK_EQ(rep_write(d, o, &e), 0);
    CHECK_EQ(ig_out_commit(o, &e), 0);
    rep_close(d);
    ig_buf html = IG_BUF_INIT;
    FILE *f = fopen(path, "r");
    char blk[4096];
    size_t got;
    while (f && (got = fread(blk, 1, sizeof blk, f)) > 0)
        ig_buf_add(&html, blk, got);
    if (f)
        fclose(f);
    const char *h = html.data ? html.data : "";
    CHECK(strstr(h, "<script") == NULL);
    CHECK(strstr(h, "&lt;script&gt;") != NULL);
    CHECK(strstr(h, "&lt;b&gt;") != NULL);
    CHECK(strstr(h, "=SUM(1+1)") != NULL);   /* the "'" neutraliser is not shown */
    CHECK(strstr(h, "'=SUM") == NULL);
    CHECK(strstr(h, "id=\"no-positions\"") != NULL);
    CHECK(strstr(h, "id=\"no-provenance\"") != NULL);
    CHECK(strstr(h, "<tr id=\"gap-spam\">") != NULL);
    CHECK(strstr(h, "href=\"#ev-blockchain\"") != NULL);
    CHECK(strstr(h, "id=\"ev-blockchain\"") != NULL);
    CHECK(strstr(h, "<title>dns, igf: 1</title>") != NULL);
    CHECK(strstr(h, "<title>spam, total: 2</title>") != NULL);
    /* three svg charts (bars and two heatmaps) and one strand per issue */
    size_t charts = 0, strands = 0;
    for (const char *p = h; (p = strstr(p, "<svg class=\"chart")) != NULL; p++)
        charts++;
    for (const char *p = h; (p = strstr(p, "<svg class=\"strand\"")) != NULL; p++)
        strands++;
    CHECK_EQ(charts, 3);
    CHECK_EQ(strands, 3);
    ig_buf_free(&html);
}

/* rep_open fails with code, the message containing want (path:line form). */
static void expect_fail(const char *what, int code, const char *want_path, uint64_t line,
                        const char *want_msg)
{
    rep_doc *d = NULL;
    ig_err e;
    int rc = open_dir(&d, &e);
    CHECK_EQ(rc, code);
    CHECK(d == NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, want_path);
    CHECK_STR(e.path, path);
    CHECK_EQ(e.line, line);
    if (strstr(e.msg, want_msg) == NULL) {
        CHECK(0);
        fprintf(stderr, "  %s: message \"%s\" lacks \"%s\"\n", what, e.msg, want_msg);
    }
    rep_close(d);
}

static void test_open_errors(void)
{
    char p[512];
    good_tables();
    snprintf(p, sizeof p, "%s/gaps.csv", dir);
    unlink(p);
    expect_fail("no gaps", IG_EDATA, "gaps.csv", IG_ERR_NOPOS, "missing: run igmap map first");

    good_tables();
    put("issues_by_group.csv", "issue,cluster,civil_society,total\nblockchain,emerging,0,0\n"
                               "dns,infrastructure,x1,1\n");
    expect_fail("bad count", IG_EDATA, "issues_by_group.csv", 3,
                "column \"civil_society\": \"x1\" is not a whole number");

    good_tables();
    put("issues_by_process.csv", "issue,cluster,igf,wsis,total\nblockchain,emerging,0,0\n");
    expect_fail("field count", IG_EDATA, "issues_by_process.csv", 2, "expected 5 fields, got 4");

    good_tables();
    put("issue_mechanisms.csv", "issue,mechanism,mechanism_type,cooccurrences,documents\n");
    expect_fail("missing column", IG_EDATA, "issue_mechanisms.csv", 1,
                "missing column \"linked\"");

    good_tables();
    put("issue_mechanisms.csv", "issue,cluster,mechanism,mechanism_type,unit,cooccurrences,"
                                "documents,linked\nphishing,security,icann,multistakeholder,"
                                "sentence,2,1,1\n");
    expect_fail("unknown issue", IG_EDATA, "issue_mechanisms.csv", 2,
                "issue \"phishing\" is not in gaps.csv");

    good_tables();
    put("map_evidence.csv", "doc_id,process,stakeholder_group,submitter,sentence,start,end,"
                            "kind,issue,raised,link,match\n"
                            "d1,igf,cs,s,1,0,4,issue_mention,spam,1,,\"Spam\n");
    expect_fail("unterminated quote", IG_EDATA, "map_evidence.csv", 2, "unterminated");

    good_tables();
    put("map_evidence.csv", "doc_id,process,stakeholder_group,submitter,sentence,start,end,"
                            "kind,issue,raised,link,match\n"
                            "d1,igf,cs,s,1,9,4,issue_mention,spam,1,,Spam\n");
    expect_fail("end before start", IG_EDATA, "map_evidence.csv", 2, "at or after start");

    good_tables();
    char gaps[1024];
    snprintf(gaps, sizeof gaps, "%sspam,security,2,2,1,3,1,1,0,0,0,0,,,,,,,,,,no_home,x\n"
             "spam,security,2,2,1,3,1,1,0,0,0,0,,,,,,,,,,no_home,x\n", gaps_hdr);
    put("gaps.csv", gaps);
    expect_fail("duplicate issue", IG_EDATA, "gaps.csv", 3, "issue \"spam\" appears twice");

    good_tables();
    put("positions.csv", "id,section,label,score\nd1,0,multilateral,-1.5\n");
    expect_fail("score out of range", IG_EDATA, "positions.csv", 2, "a score in [-1, 1]");

    good_tables();
    put("positions.csv", "doc,score\nd1,0.5\n");
    expect_fail("no id column", IG_EDATA, "positions.csv", 1, "missing column \"id\"");

    good_tables();
    put("positions.csv", "id,section,label,score\nd1,0,multilateral,-0.5\nd1,1,none,\n");
    put("provenance.json", "{\"a\": 1,}\n");
    expect_fail("bad provenance", IG_EDATA, "provenance.json", 1, "trailing comma");
    snprintf(p, sizeof p, "%s/provenance.json", dir);
    unlink(p);

    /* positions: section rows and label none are not drawn */
    rep_doc *d = NULL;
    ig_err e;
    CHECK_EQ(open_dir(&d, &e), 0);
    CHECK_EQ(d ? rep_dot_count(d) : 99, 1);
    rep_close(d);
    snprintf(p, sizeof p, "%s/positions.csv", dir);
    unlink(p);
}

/* Every allocation of rep_open and rep_write, failed in turn, gives
 * IG_ENOMEM (never a crash, a leak under ASan, or a silent success). */
static void test_oom(void)
{
    good_tables();
    put("positions.csv", "id,section,process,stakeholder_group,label,score,score_lo,score_hi\n"
                         "d1,0,igf,civil_society,multilateral,-0.5,-0.8,-0.1\n"
                         "d2,0,wsis,civil_society,multistakeholder,0.6,0.2,0.9\n"
                         "d3,0,wsis,government,none,0,,\n");
    put("position_groups.csv", "grouping,value,documents,n,mean,sd,lo,hi\n"
                               "stakeholder_group,civil_society,2,2,0.05,0.7,-0.5,0.6\n");
    put("provenance.json", "{\"corpus\": {\"path\": \"c\", \"n\": [1, 2]}, \"lexicons\": "
                           "[{\"path\": \"l\", \"bytes\": 3, \"sha256\": \"ab\"}]}\n");
    char path[512];
    snprintf(path, sizeof path, "%s/report.html", dir);
    ig_err e;
    uint64_t before = ig_alloc_count();
    rep_doc *d = NULL;
    int rc = open_dir(&d, &e);
    ig_out *o = NULL;
    if (rc == 0)
        rc = ig_out_open(&o, path, "test", &e);
    if (rc == 0)
        rc = rep_write(d, o, &e);
    ig_out_abort(o);
    rep_close(d);
    CHECK_EQ(rc, 0);
    uint64_t n = ig_alloc_count() - before;
    CHECK(n > 50);
    uint64_t bad = 0;
    for (uint64_t k = 1; k <= n; k++) {
        ig_alloc_fail_at(k, 0);
        d = NULL;
        o = NULL;
        rc = open_dir(&d, &e);
        if (rc == 0)
            rc = ig_out_open(&o, path, "test", &e);
        if (rc == 0)
            rc = rep_write(d, o, &e);
        ig_out_abort(o);
        rep_close(d);
        ig_alloc_fail_at(0, 0);
        if (rc != IG_ENOMEM) {
            if (bad++ < 5)
                fprintf(stderr, "  allocation %llu of %llu failed: rc %d\n",
                        (unsigned long long)k, (unsigned long long)n, rc);
        }
    }
    CHECK_EQ(bad, 0);
    char p[512];
    snprintf(p, sizeof p, "%s/position_groups.csv", dir);
    unlink(p);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/igmap-test-report.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_html_escape);
    RUN(test_utf8_len);
    RUN(test_json_valid);
    RUN(test_json_invalid);
    RUN(test_json_access_and_builder);
    RUN(test_open_good);
    RUN(test_open_errors);
    RUN(test_oom);
    static const char *const files[] = {
        "gaps.csv", "issues_by_process.csv", "issues_by_group.csv", "issue_mechanisms.csv",
        "map_evidence.csv", "positions.csv", "position_groups.csv", "provenance.json",
        "report.html",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return harness_done();
}

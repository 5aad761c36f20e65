/*
 * test_lexicon.c: loading and validating lexicon files (stages/lexicon.h;
 * FAULTS.md F33, F36, F38).  A table of small lexicon texts, each written to
 * a temp file and loaded, with the exact list of problems expected (line and
 * column counted by hand from the text); then good files whose entries are
 * checked field by field, and an allocation-failure sweep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "harness.h"
#include "lexicon.h"
#include "limits.h"
#include "sha256.h"

static char tmpdir[256];
static char path[320];

static void put(const char *text, size_t len)
{
    snprintf(path, sizeof path, "%s/lex.tsv", tmpdir);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return;
    }
    fwrite(text, 1, len, f);
    fclose(f);
}

/* Load text as a lexicon; the problems come back one per line, the temp
 * path replaced by "L". */
static char *load_msgs(const char *text, size_t len, int kind, int *rc, lex_file **out)
{
    static char buf[16384];
    put(text, len);
    ig_msgs m = { 0 };
    m.cap = 1000;
    ig_err e;
    ig_err_clear(&e);
    lex_file *f = NULL;
    *rc = lex_load(&f, path, kind, "lint", &m, &e);
    buf[0] = '\0';
    for (size_t i = 0; i < m.n; i++) {
        const char *s = m.items[i], *at = strstr(s, path);
        if (at) {
            strncat(buf, s, (size_t)(at - s));
            strcat(buf, "L");
            strcat(buf, at + strlen(path));
        } else {
            strcat(buf, s);
        }
        strcat(buf, "\n");
    }
    if (*rc == IG_EDATA) {
        /* The summary names the file and counts the problems. */
        char want[400];
        snprintf(want, sizeof want, "%zu problem", m.n);
        CHECK(strstr(e.msg, want) == e.msg);
        CHECK_STR(e.path, path);
        CHECK(f == NULL);
    }
    ig_msgs_free(&m);
    if (out)
        *out = f;
    else
        lex_free(f);
    return buf;
}

#define P_HDR "pole\tdimension\tweight\tpattern\tnote\n"
#define N_HDR "pattern\tscope\tnote\n"
#define I_HDR "cluster\tissue\tpattern\tnote\n"
#define M_HDR "mechanism\ttype\tpattern\tnote\n"
#define G_HDR "pattern\tnote\n"

static const struct bad_case {
    const char *name;
    const char *text;
    size_t len;       /* 0: strlen(text) */
    int kind;
    const char *want; /* problems, one per line, in order */
} bad_cases[] = {
    { "positions fields",
      P_HDR
      "multilateral\tgeneral\t0,5\tsovereignty\n"              /* 2 */
      "multilateral\tgeneral\t0\tsovereign*\n"                 /* 3 */
      "multilateral\tgeneral\tnan\tstate\n"                    /* 4 */
      "multilateral\tgeneral\t-1\tstates\n"                    /* 5 */
      "multilateral\tgeneral\t1e999\tgovernments\n"            /* 6 */
      "bilateral\tgeneral\t1\tfoo\n"                           /* 7 */
      "multilateral\tethics\t1\tbar\n"                         /* 8 */
      "multilateral\tgeneral\t1\n"                             /* 9 */
      "multilateral\tgeneral\t1\tbaz\tnote\textra\n"           /* 10 */
      "multilateral\tgeneral\t1\t\"equal footing\n"            /* 11 */
      "multilateral\tgeneral\t1\t/(foo/\n"                     /* 12 */
      "multilateral\t\t1\tqux\n"                               /* 13 */
      "multilateral\tgeneral\t1\t   \tnote\n"                  /* 14 */
      "multilateral\tgeneral\t1\t  \"abc\n"                    /* 15 */
      "multilateral\tgeneral\t\tquux\n",                       /* 16 */
      0, LEX_POSITIONS,
      "igmap: lint: L:2:22: invalid weight \"0,5\"\n"
      "igmap: lint: L:3:22: invalid weight \"0\" (must be greater than 0)\n"
      "igmap: lint: L:4:22: invalid weight \"nan\"\n"
      "igmap: lint: L:5:22: invalid weight \"-1\" (must be greater than 0)\n"
      "igmap: lint: L:6:22: invalid weight \"1e999\"\n"
      "igmap: lint: L:7:1: unknown pole \"bilateral\" (expected multilateral or multistakeholder)\n"
      "igmap: lint: L:8:14: unknown dimension \"ethics\" (expected actors, structure, "
      "codification, mission, policy_development, decision_making, representation, "
      "participation, negotiations, result or general)\n"
      "igmap: lint: L:9:23: expected 4 or 5 TAB-separated fields (pole, dimension, weight, "
      "pattern, note), got 3\n"
      "igmap: lint: L:10:33: expected 4 or 5 TAB-separated fields (pole, dimension, weight, "
      "pattern, note), got 6\n"
      "igmap: lint: L:11:24: unterminated phrase\n"
      "igmap: lint: L:12:29: regex error: missing closing parenthesis\n"
      "igmap: lint: L:13:14: empty dimension\n"
      "igmap: lint: L:14:24: empty pattern\n"
      "igmap: lint: L:15:26: unterminated phrase\n"
      "igmap: lint: L:16:22: empty weight\n" },

    { "positions CRLF and lone CR give the same lines",
      P_HDR "multistakeholder\tgeneral\t1\tmultistakeholder\r\n"
      "multilateral\tgeneral\t0,5\tsovereignty\r\n"
      "multilateral\tgeneral\t1\t\"a b\r"
      "multilateral\tgeneral\t1\tc\r\n",
      0, LEX_POSITIONS,
      "igmap: lint: L:3:22: invalid weight \"0,5\"\n"
      "igmap: lint: L:4:24: unterminated phrase\n" },

    { "negators",
      N_HDR
      "=not\t6\tplain\n"       /* 2 */
      "never\t0\n"             /* 3 */
      "no\t51\n"               /* 4 */
      "nor\tfive\n"            /* 5 */
      "against\t50\n"          /* 6 */
      "=not\t3\n"              /* 7 */
      "not\t8\tstem\n"         /* 8 */
      "neither\t5.0\n",        /* 9 */
      0, LEX_NEGATORS,
      "igmap: lint: L:2:1: shadowed entry: line 8 (not) already matches everything this "
      "pattern matches\n"
      "igmap: lint: L:3:7: invalid scope \"0\" (expected an integer from 1 to 50)\n"
      "igmap: lint: L:4:4: invalid scope \"51\" (expected an integer from 1 to 50)\n"
      "igmap: lint: L:5:5: invalid scope \"five\" (expected an integer from 1 to 50)\n"
      "igmap: lint: L:7:1: duplicate entry: same pattern as line 2\n"
      "igmap: lint: L:9:9: invalid scope \"5.0\" (expected an integer from 1 to 50)\n" },

    { "negators: a narrower cue with a longer scope is not shadowed",
      N_HDR "not\t4\n=not\t6\n", 0, LEX_NEGATORS, "" },

    { "issues",
      "# issues\n" I_HDR
      "security\tcybercrime\tcybercrime\tname\n"                  /* 3 */
      "security\tcybercrime\t=cybercrimes\texact form\n"          /* 4 */
      "legal\tcybercrime\t\"budapest convention\"\n"             /* 5 */
      "securty\tspam\tspam\n"                                     /* 6 */
      "security\tSpam-Mail\tspam\n"                               /* 7 */
      "security\tcybercrime\t cybercrime \tdup\n"                 /* 8 */
      "security\tcybercrime\t=cybercrime\n"                       /* 9 */
      "infrastructure\tdns_root_zone\tdns*\n"                     /* 10 */
      "infrastructure\tdns_root_zone\t=dnssec\n"                  /* 11 */
      "infrastructure\tdns_root_zone\tdnsse*\n"                   /* 12 */
      "infrastructure\tdns_root_zone\tDNS*\n"                     /* 13 */
      "infrastructure\tip_addressing_ipv6\t=dnssec\n"             /* 14 */
      "infrastructure\tdns_root_zone\t\"=root zone\"\n"           /* 15 */
      "infrastructure\tdns_root_zone\t\"root zone\"\n"            /* 16 */
      "infrastructure\tdns_root_zone\t/^dns/\n"                   /* 17 */
      "infrastructure\tdns_root_zone\t\"dns\"\n"                  /* 18 */
      "infrastructure\tdns_root_zone\tdns\n",                     /* 19 */
      0, LEX_ISSUES,
      "igmap: lint: L:5:1: issue \"cybercrime\" has cluster \"legal\" here but \"security\" at "
      "line 3\n"
      "igmap: lint: L:6:1: unknown cluster \"securty\" (expected infrastructure, security, "
      "human_rights, legal, economic, development, sociocultural, emerging or process)\n"
      "igmap: lint: L:7:10: invalid issue id \"Spam-Mail\" (use only a-z, 0-9 and _)\n"
      "igmap: lint: L:8:22: duplicate entry: same issue and pattern as line 3\n"
      "igmap: lint: L:9:21: shadowed entry: line 3 (cybercrime) already matches everything "
      "this pattern matches\n"
      "igmap: lint: L:11:30: shadowed entry: line 10 (dns*) already matches everything this "
      "pattern matches\n"
      "igmap: lint: L:12:30: shadowed entry: line 10 (dns*) already matches everything this "
      "pattern matches\n"
      "igmap: lint: L:13:30: shadowed entry: the same pattern as line 10 (dns*) after "
      "normalisation\n"
      "igmap: lint: L:15:30: shadowed entry: line 16 (\"root zone\") already matches "
      "everything this pattern matches\n"
      "igmap: lint: L:19:30: shadowed entry: the same pattern as line 18 (\"dns\") after "
      "normalisation\n" },

    { "mechanisms",
      M_HDR
      "itu\tmultilateral\t=itu\n"                                     /* 2 */
      "itu\tmultilateral\t\"international telecommunication union\"\n" /* 3 */
      "itu\ttechnical\titu-t\n"                                       /* 4 */
      "igf\tmultistakeholder\t=igf\n"                                 /* 5 */
      "igf\tregional\t\"kenya igf\"\n"                                /* 6 */
      "IGF\tmultistakeholder\tx\n"                                    /* 7 */
      "ietf\tstandards\tietf\n"                                       /* 8 */
      "ietf\ttechnical\t=ietf\n"                                      /* 9 */
      "icann\ttechnical\t=ietf\n",                                    /* 10: other key */
      0, LEX_MECHANISMS,
      "igmap: lint: L:4:5: mechanism \"itu\" has type \"technical\" here but \"multilateral\" at "
      "line 2\n"
      "igmap: lint: L:6:5: mechanism \"igf\" has type \"regional\" here but \"multistakeholder\" "
      "at line 5\n"
      "igmap: lint: L:7:1: invalid mechanism id \"IGF\" (use only a-z, 0-9 and _)\n"
      "igmap: lint: L:8:6: unknown type \"standards\" (expected multilateral, multistakeholder, "
      "technical or regional)\n" },

    { "positions: normalisation, weights, conflicts, NEAR",
      P_HDR
      "multistakeholder\tgeneral\t1\tmultistakeholder\n"                       /* 2 */
      "multistakeholder\tgeneral\t1\tMulti-Stakeholder\n"                      /* 3 */
      "multistakeholder\tgeneral\t2\t=multistakeholder\n"                      /* 4 */
      "multistakeholder\tparticipation\t0.5\t=multi-stakeholder\n"             /* 5 */
      "multilateral\tgeneral\t1\tmultistakeholder\n"                           /* 6 */
      "multilateral\tgeneral\t1\t\"equal footing\" NEAR/5 governments\n"       /* 7 */
      "multilateral\tgeneral\t1\t\"Equal  footing\"  NEAR/5 Governments\n"     /* 8 */
      "multilateral\tgeneral\t1\t\"equal footing\" NEAR/6 governments\n",      /* 9 */
      0, LEX_POSITIONS,
      "igmap: lint: L:3:28: shadowed entry: the same pattern as line 2 (multistakeholder) "
      "after normalisation\n"
      "igmap: lint: L:5:36: shadowed entry: the same pattern as line 4 (=multistakeholder) "
      "after normalisation\n"
      "igmap: lint: L:6:24: conflicting entry: the same pattern is a multistakeholder cue at "
      "line 2\n"
      "igmap: lint: L:8:24: shadowed entry: the same pattern as line 7 (\"equal footing\" "
      "NEAR/5 governments) after normalisation\n" },

    { "unknown header", "pole\tdimension\tweight\nmultilateral\tgeneral\t1\n", 0, LEX_ANY,
      "igmap: lint: L:1:1: unknown lexicon header \"pole\\x09dimension\\x09weight\"; expected "
      "TAB-separated columns pole,dimension,weight,pattern (positions), pattern,scope "
      "(negators), cluster,issue,pattern (issues), mechanism,type,pattern (mechanisms) or "
      "pattern (gaps), each optionally followed by note\n" },

    { "header names are exact", "# c\n\nPattern\tnote\nx\n", 0, LEX_ANY,
      "igmap: lint: L:3:1: unknown lexicon header \"Pattern\\x09note\"; expected "
      "TAB-separated columns pole,dimension,weight,pattern (positions), pattern,scope "
      "(negators), cluster,issue,pattern (issues), mechanism,type,pattern (mechanisms) or "
      "pattern (gaps), each optionally followed by note\n" },

    { "header of another kind", N_HDR "not\t5\n", 0, LEX_POSITIONS,
      "igmap: lint: L:1:1: this is a negators lexicon (by its header), expected positions\n" },

    { "empty file", "", 0, LEX_ANY,
      "igmap: lint: L: no header line (the file is empty or holds only comments)\n" },

    { "only comments", "# a\n# b\n\n  \t\n", 0, LEX_GAPS,
      "igmap: lint: L: no header line (the file is empty or holds only comments)\n" },

    { "invalid UTF-8 in a row and in a comment",
      G_HDR "\"no natural home\"\tok\n\"no \xff home\"\tbad\n# comment \xc3\n\"lacks a forum\"\n",
      0, LEX_GAPS,
      "igmap: lint: L:3:5: invalid UTF-8 (invalid lead byte 0xFF) (byte 38)\n"
      "igmap: lint: L:4:11: invalid UTF-8 (truncated sequence) (byte 60)\n" },

    { "invalid UTF-8 before the header stops the check",
      "\xef\xbb\xbfpattern\tnote\xff\nx\ty\tz\n", 0, LEX_ANY,
      "igmap: lint: L:1:13: invalid UTF-8 (invalid lead byte 0xFF) (byte 15)\n" },

    { "NUL byte", "pattern\na\0b\nc\n", 14, LEX_GAPS,
      "igmap: lint: L:2:2: NUL byte in a lexicon (byte 9)\n" },

    { "no note column: extra field", "pattern\nx\ty\n", 0, LEX_GAPS,
      "igmap: lint: L:2:3: expected 1 TAB-separated field (pattern), got 2\n" },

    { "BOM, columns counted after it; pattern errors at their column",
      "\xef\xbb\xbf" G_HDR "bad\"word\tx\nNEAR/3 x\n\"a\" near/3 \"b\"\n=x*\n", 0, LEX_GAPS,
      "igmap: lint: L:2:4: unexpected '\"' inside a word\n"
      "igmap: lint: L:3:1: missing pattern before NEAR/3\n"
      "igmap: lint: L:4:5: NEAR must be upper case\n"
      "igmap: lint: L:5:1: '=' and '*' cannot be combined\n" },

    { "columns count characters, not bytes",
      G_HDR "\"caf\xc3\xa9\" x\tnote\nx\tnot\xc3\xa9\textra\n", 0, LEX_GAPS,
      "igmap: lint: L:2:8: two patterns side by side: quote them for a phrase or join them "
      "with NEAR/n\n"
      "igmap: lint: L:3:8: expected 1 or 2 TAB-separated fields (pattern, note), got 3\n" },

    { "of two equal patterns the stronger stays, even when it comes later",
      P_HDR "multistakeholder\tgeneral\t1\tmultistakeholder\n"
      "multistakeholder\tgeneral\t2\tMultistakeholder\n", 0, LEX_POSITIONS,
      "igmap: lint: L:2:28: shadowed entry: the same pattern as line 3 (Multistakeholder) "
      "after normalisation\n" },

    { "gaps duplicates across spellings",
      G_HDR "\"no natural home\"\n\"No Natural Home\"\tcase\n\"no natural home\"\tagain\n",
      0, LEX_GAPS,
      "igmap: lint: L:3:1: shadowed entry: the same pattern as line 2 (\"no natural "
      "home\") after normalisation\n"
      "igmap: lint: L:4:1: duplicate entry: same pattern as line 2\n" },
};

static void test_bad_cases(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        harness_test = c->name;
        int rc;
        size_t len = c->len ? c->len : strlen(c->text);
        const char *got = load_msgs(c->text, len, c->kind, &rc, NULL);
        CHECK_STR(got, c->want);
        CHECK_EQ(rc, c->want[0] ? IG_EDATA : IG_OK);
    }
}

static void test_long_line(void)
{
    size_t n = IG_MAX_LINE_BYTES + 10;
    char *t = malloc(n + 64);
    strcpy(t, G_HDR "x\n");
    size_t o = strlen(t);
    memset(t + o, 'a', IG_MAX_LINE_BYTES + 1);
    o += IG_MAX_LINE_BYTES + 1;
    memcpy(t + o, "\ny\n", 3);
    o += 3;
    int rc;
    char want[200];
    snprintf(want, sizeof want, "igmap: lint: L:3:1: line longer than %zu bytes (byte 15)\n",
             (size_t)IG_MAX_LINE_BYTES);
    CHECK_STR(load_msgs(t, o, LEX_GAPS, &rc, NULL), want);
    CHECK_EQ(rc, IG_EDATA);
    free(t);
}

static void test_missing_file(void)
{
    ig_msgs m = { 0 };
    ig_err e;
    ig_err_clear(&e);
    lex_file *f = NULL;
    int rc = lex_load(&f, "/nonexistent/lexicon.tsv", LEX_ANY, "classify", &m, &e);
    CHECK_EQ(rc, IG_ESYS);
    CHECK(f == NULL);
    CHECK_EQ(m.n, 0);
    CHECK_STR(e.stage, "classify");
    CHECK_STR(e.path, "/nonexistent/lexicon.tsv");
    ig_msgs_free(&m);
}

static void test_good_issues(void)
{
    static const char text[] =
        "# c\n" I_HDR
        "security\tspam\tspam\tjunk mail\n"
        "infrastructure\tdns_root_zone\t=dns\n"
        "infrastructure\tdns_root_zone\t \"root zone\" \tthe file\n"
        "security\tspam\t\"unsolicited email\"\n";
    int rc;
    lex_file *f;
    CHECK_STR(load_msgs(text, strlen(text), LEX_ANY, &rc, &f), "");
    CHECK_EQ(rc, IG_OK);
    if (f == NULL)
        return;
    CHECK_EQ(lex_file_kind(f), LEX_ISSUES);
    CHECK_STR(lex_file_path(f), path);
    CHECK_EQ(lex_file_has_note(f), 1);
    CHECK_EQ(lex_count(f), 4);
    CHECK_EQ(lex_key_count(f), 2);
    CHECK_STR(lex_key_name(f, 0), "dns_root_zone");
    CHECK_STR(lex_key_name(f, 1), "spam");
    CHECK_EQ(lex_key_group(f, 0), LEX_CL_INFRASTRUCTURE);
    CHECK_EQ(lex_key_group(f, 1), LEX_CL_SECURITY);
    CHECK_EQ(lex_key_entries(f, 0), 2);
    CHECK_EQ(lex_key_line(f, 0), 4);
    CHECK_EQ(lex_key_line(f, 1), 3);
    CHECK_EQ(lex_entry_line(f, 0), 3);
    CHECK_EQ(lex_entry_col(f, 0), 15);
    CHECK_EQ(lex_entry_key(f, 0), 1);
    CHECK_EQ(lex_entry_key(f, 2), 0);
    CHECK_EQ(lex_entry_cluster(f, 0), LEX_CL_SECURITY);
    CHECK_EQ(lex_entry_type(f, 0), -1);
    CHECK_EQ(lex_entry_pole(f, 0), -1);
    CHECK_STR(lex_entry_note(f, 0), "junk mail");
    CHECK_STR(lex_entry_note(f, 1), "");
    CHECK_STR(lex_entry_text(f, 2), "\"root zone\"");
    CHECK_EQ(lex_entry_col(f, 2), 31);
    CHECK_STR(lex_entry_note(f, 2), "the file");
    CHECK(lex_entry_pattern(f, 3) != NULL);
    CHECK_STR(pat_text(lex_entry_pattern(f, 3), NULL), "\"unsolicited email\"");
    CHECK_EQ(pat_atom_count(lex_entry_pattern(f, 3)), 2);
    unsigned char d[32];
    char hex[65];
    ig_sha256_buf(text, strlen(text), d);
    ig_sha256_hex(d, hex);
    CHECK_STR(lex_file_sha256(f), hex);
    lex_free(f);
}

static void test_good_positions_negators(void)
{
    static const char pos[] =
        P_HDR "multilateral\tgeneral\t0.5\t=multilateral\tshared word\n"
        "multistakeholder\tparticipation\t 2 \t\"all stakeholders\"\n"
        "multistakeholder\tdecision_making\t1.25\t\"equal footing\" NEAR/5 stakeholders\n";
    int rc;
    lex_file *f;
    CHECK_STR(load_msgs(pos, strlen(pos), LEX_POSITIONS, &rc, &f), "");
    if (f) {
        CHECK_EQ(lex_count(f), 3);
        CHECK_EQ(lex_entry_pole(f, 0), LEX_MULTILATERAL);
        CHECK_EQ(lex_entry_dimension(f, 0), LEX_DIM_GENERAL);
        CHECK(lex_entry_weight(f, 0) == 0.5);
        CHECK_EQ(lex_entry_col(f, 0), 26);
        CHECK_EQ(lex_entry_pole(f, 1), LEX_MULTISTAKEHOLDER);
        CHECK_EQ(lex_entry_dimension(f, 1), LEX_DIM_PARTICIPATION);
        CHECK(lex_entry_weight(f, 1) == 2.0);
        CHECK_EQ(lex_entry_dimension(f, 2), LEX_DIM_DECISION_MAKING);
        CHECK(lex_entry_weight(f, 2) == 1.25);
        CHECK_EQ(lex_entry_scope(f, 0), 0);
        CHECK_EQ(lex_key_count(f), 0);
        CHECK_EQ(lex_entry_key(f, 0), (long long)(size_t)-1);
        lex_free(f);
    }
    static const char neg[] = "pattern\tscope\n=not\t6\n\"rather than\"\t50\n";
    CHECK_STR(load_msgs(neg, strlen(neg), LEX_NEGATORS, &rc, &f), "");
    if (f) {
        CHECK_EQ(lex_file_has_note(f), 0);
        CHECK_EQ(lex_count(f), 2);
        CHECK_EQ(lex_entry_scope(f, 0), 6);
        CHECK_EQ(lex_entry_scope(f, 1), 50);
        CHECK(lex_entry_weight(f, 1) == 0);
        CHECK_STR(lex_entry_note(f, 1), "");
        lex_free(f);
    }
    /* A header-only lexicon loads, with no entries. */
    CHECK_STR(load_msgs(G_HDR, strlen(G_HDR), LEX_GAPS, &rc, &f), "");
    CHECK_EQ(rc, IG_OK);
    if (f) {
        CHECK_EQ(lex_count(f), 0);
        lex_free(f);
    }
}

static void test_names(void)
{
    CHECK_STR(lex_kind_name(LEX_MECHANISMS), "mechanisms");
    CHECK(lex_kind_name(LEX_ANY) == NULL);
    CHECK(lex_kind_name(6) == NULL);
    CHECK_STR(lex_pole_name(LEX_MULTISTAKEHOLDER), "multistakeholder");
    CHECK_STR(lex_dimension_name(LEX_DIM_POLICY_DEVELOPMENT), "policy_development");
    CHECK_STR(lex_dimension_name(LEX_DIM_GENERAL), "general");
    CHECK(lex_dimension_name(LEX_NDIMENSIONS) == NULL);
    CHECK_STR(lex_cluster_name(LEX_CL_PROCESS), "process");
    CHECK_STR(lex_mtype_name(LEX_MT_REGIONAL), "regional");
    CHECK(lex_mtype_name(-1) == NULL);
}

/* Every allocation of a load, failed in turn: IG_ENOMEM or success, never a
 * crash or a leak (LeakSanitizer checks at exit).  Once with a good file,
 * once with one full of problems. */
static void test_oom_sweep(void)
{
    static const char *const texts[] = {
        I_HDR "security\tspam\tspam\tx\nsecurity\tspam\t\"junk mail\"\n"
        "infrastructure\tdns_root_zone\t/^dns/\n",
        I_HDR "security\tspam\tspam\tx\nsecurity\tspam\tspam\n"
        "legal\tspam\t=spam\nfoo\tBar\t\"x\n",
    };
    for (size_t t = 0; t < 2; t++) {
        put(texts[t], strlen(texts[t]));
        int done = 0, bad = 0;
        for (uint64_t k = 1; k < 5000 && !done; k++) {
            ig_msgs m = { 0 };
            ig_err e;
            ig_err_clear(&e);
            lex_file *f = NULL;
            ig_alloc_fail_at(k, 0);
            int rc = lex_load(&f, path, LEX_ANY, "lint", &m, &e);
            ig_alloc_fail_at(0, 0);
            if (rc == IG_ENOMEM) {
                bad += f != NULL;
            } else {
                done = 1;
                bad += rc != (t == 0 ? IG_OK : IG_EDATA);
            }
            lex_free(f);
            ig_msgs_free(&m);
        }
        CHECK(done);
        CHECK_EQ(bad, 0);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igmap-test-lexicon.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_bad_cases);
    RUN(test_long_line);
    RUN(test_missing_file);
    RUN(test_good_issues);
    RUN(test_good_positions_negators);
    RUN(test_names);
    RUN(test_oom_sweep);
    unlink(path);
    rmdir(tmpdir);
    return harness_done();
}

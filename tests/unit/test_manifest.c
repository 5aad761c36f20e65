/*
 * test_manifest.c: corpus loading and manifest validation (F28, F30-F32).
 * Each case writes a small corpus into a fresh temp directory, loads it, and
 * checks the documents or the exact list of problems.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "harness.h"
#include "manifest.h"

static char tmpdir[256];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    for (char *s = p + strlen(tmpdir) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0777);
            *s = '/';
        }
    FILE *f = fopen(p, "wb");
    fputs(text, f);
    fclose(f);
}

static void fresh(void)
{
    if (tmpdir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "cleanup failed\n");
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igmap-test-manifest.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        perror("mkdtemp");
}

static int lang_en_fr(const char *code)
{
    return strcmp(code, "en") == 0 || strcmp(code, "fr") == 0;
}

/* Load the temp corpus; return the problems as one newline-joined string
 * with the temp dir prefix replaced by "C". */
static char *load(ig_corpus **c, int *rc)
{
    ig_msgs m = { 0 };
    ig_err e;
    ig_err_clear(&e);
    *rc = ig_corpus_load(c, tmpdir, lang_en_fr, &m, &e);
    static char out[8192];
    out[0] = '\0';
    for (size_t i = 0; i < m.n; i++) {
        const char *s = m.items[i];
        const char *at = strstr(s, tmpdir);
        if (at) {
            strncat(out, s, (size_t)(at - s));
            strcat(out, "C");
            strcat(out, at + strlen(tmpdir));
        } else {
            strcat(out, s);
        }
        strcat(out, "\n");
    }
    ig_msgs_free(&m);
    return out;
}

static void test_good_manifest(void)
{
    fresh();
    put("manifest.csv",
        "id,path,process,stakeholder_group,language,ref_position,extra\r\n"
        "b,docs/b.txt,wsis,government,,-1,\"x, y\"\r\n"
        "a,a.txt.gz,wgec1,civil_society,fr,,\r\n");
    put("docs/b.txt", "text");
    put("a.txt.gz", "not really gzip, but the manifest does not care");
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_OK);
    CHECK_STR(p, "");
    if (rc != IG_OK)
        return;
    CHECK_EQ(c->ndocs, 2);
    CHECK_EQ(c->ncols, 7);
    CHECK_STR(c->docs[0].id, "b"); /* manifest order, not sorted */
    CHECK_STR(c->docs[0].lang, "en");
    CHECK_STR(c->docs[1].lang, "fr");
    CHECK_EQ(c->docs[1].line, 3);
    CHECK_STR(c->docs[0].vals[ig_corpus_col(c, "extra")], "x, y");
    CHECK_EQ(ig_corpus_col(c, "nope"), -1);
    ig_corpus_free(c);
}

static void test_all_problems_listed(void)
{
    fresh();
    put("manifest.csv",
        "id,path,language,ref_position\n"
        "d1,one.txt,en,\n"
        "d2,missing.txt,en,\n"            /* line 3: missing file */
        "d1,one.txt,en,\n"                /* line 4: duplicate id */
        "D2,one.txt,en,\n"                /* line 5: case-only duplicate */
        "d5,one.txt,xx,\n"                /* line 6: unknown language */
        "d6,one.txt,en,0,5\n"             /* line 7: 5 fields */
        "d7,one.txt,en,left\n"            /* line 8: bad ref_position */
        "d8,../outside.txt,en,\n"         /* line 9: escapes */
        ",one.txt,en,\n");                /* line 10: empty id */
    put("one.txt", "x");
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(p, "manifest.csv:7: expected 4 fields, got 5") != NULL);
    CHECK(strstr(p, "manifest.csv:6: unknown or unsupported language \"xx\"") != NULL);
    CHECK(strstr(p, "manifest.csv:8: ref_position \"left\" is not a number") != NULL);
    CHECK(strstr(p, "manifest.csv:10: empty id") != NULL);
    /* Id and file problems are listed in the same run as row problems. */
    CHECK(strstr(p, "manifest.csv:4: duplicate doc id \"d1\" (first at line 2)") != NULL);
    CHECK(strstr(p, "manifest.csv:3: missing file \"missing.txt\"") != NULL);
    CHECK(strstr(p, "manifest.csv:9: missing file \"../outside.txt\"") != NULL);
    /* The same problems without the row ones. */
    put("manifest.csv",
        "id,path\n"
        "d1,one.txt\n"
        "d2,missing.txt\n"
        "d1,one.txt\n"
        "D2,one.txt\n"
        "d8,../outside.txt\n");
    put("../outside.txt", "x");
    p = load(&c, &rc);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(p, "manifest.csv:4: duplicate doc id \"d1\" (first at line 2)") != NULL);
    CHECK(strstr(p, "manifest.csv:5: doc id \"D2\" differs only in case from \"d2\" (line 3)") != NULL ||
          strstr(p, "manifest.csv:3: doc id \"d2\" differs only in case from \"D2\" (line 5)") != NULL);
    CHECK(strstr(p, "manifest.csv:3: missing file \"missing.txt\"") != NULL);
    CHECK(strstr(p, "manifest.csv:6: path \"../outside.txt\" leads outside the corpus") != NULL);
    remove("/tmp/outside.txt");
}

/* Files checked through their directories' listings: documents in two
 * directories taken in turn, one missing, a directory and a symbolic link
 * named like documents, a link that leaves the corpus.  The listing only
 * vouches for regular files; the rest must come out as with lstat. */
static void test_listed_dirs(void)
{
    fresh();
    char buf[8192] = "id,path\n";
    for (int i = 0; i < 40; i++) {
        char rel[64], row[96];
        snprintf(rel, sizeof rel, "%s/%02d.txt", i % 2 ? "b" : "a", i);
        if (i != 17)
            put(rel, "x");
        snprintf(row, sizeof row, "d%02d,%s\n", i, rel);
        strcat(buf, row);
    }
    strcat(buf, "dir,a/sub.txt\nlink,b/link.txt\nout,b/out.txt\n");
    put("manifest.csv", buf);
    char path[600], target[600];
    snprintf(path, sizeof path, "%s/a/sub.txt", tmpdir);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/b/link.txt", tmpdir);
    CHECK(symlink("../a/00.txt", path) == 0); /* inside: a document */
    put("../igmap-test-manifest-out.txt", "x");
    snprintf(path, sizeof path, "%s/b/out.txt", tmpdir);
    snprintf(target, sizeof target, "%s/../igmap-test-manifest-out.txt", tmpdir);
    CHECK(symlink(target, path) == 0);
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(p, "manifest.csv:19: missing file \"b/17.txt\"") != NULL);
    CHECK(strstr(p, "manifest.csv:42: \"a/sub.txt\" is not a regular file") != NULL);
    CHECK(strstr(p, "manifest.csv:44: path \"b/out.txt\" leads outside the corpus") != NULL);
    CHECK(strstr(p, "link.txt") == NULL);
    /* three problems, nothing else */
    size_t lines = 0;
    for (const char *q = p; *q; q++)
        lines += *q == '\n';
    CHECK_EQ(lines, 3);
    remove("/tmp/igmap-test-manifest-out.txt");
}

static void test_header_problems(void)
{
    fresh();
    put("manifest.csv", "id,file\nd1,one.txt\n");
    put("one.txt", "x");
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(p, "manifest.csv:1: missing required column \"path\"") != NULL);
    put("manifest.csv", "id,path,id\nd1,one.txt,x\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "manifest.csv:1: duplicate column \"id\"") != NULL);
    put("manifest.csv", "id,path,Region\nd1,one.txt,x\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "bad column name \"Region\"") != NULL);
    put("manifest.csv", "");
    p = load(&c, &rc);
    CHECK(strstr(p, "manifest.csv:1: empty manifest") != NULL);
}

static void test_unterminated_quote(void)
{
    fresh();
    put("manifest.csv", "id,path,submitter\nd1,one.txt,\"Government of\n");
    put("one.txt", "x");
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(p, "manifest.csv:2:12: unterminated quoted field") != NULL);
}

static void test_bom_and_blank_last_line(void)
{
    fresh();
    put("manifest.csv", "\xEF\xBB\xBFid,path\nd1,one.txt\n\n");
    put("one.txt", "x");
    ig_corpus *c;
    int rc;
    load(&c, &rc);
    CHECK_EQ(rc, IG_OK);
    if (rc == IG_OK) {
        CHECK_EQ(c->ndocs, 1);
        CHECK_STR(c->cols[0], "id");
        ig_corpus_free(c);
    }
}

static void test_walk_sorted(void)
{
    fresh();
    /* Created out of order; ids must come out bytewise sorted (F28). */
    put("z.txt", "z");
    put("B/b.txt.gz", "b");
    put("a.txt", "a");
    put("B/a.txt", "a");
    put("notes.md", "ignored");
    put(".hidden.txt", "ignored");
    ig_corpus *c;
    int rc;
    load(&c, &rc);
    CHECK_EQ(rc, IG_OK);
    if (rc != IG_OK)
        return;
    CHECK_EQ(c->ndocs, 4);
    CHECK_STR(c->docs[0].id, "B/a.txt");
    CHECK_STR(c->docs[1].id, "B/b.txt.gz");
    CHECK_STR(c->docs[2].id, "a.txt");
    CHECK_STR(c->docs[3].id, "z.txt");
    CHECK_STR(c->docs[3].lang, "en");
    ig_corpus_free(c);
}

static void test_empty_corpus(void)
{
    fresh();
    put("readme.md", "nothing here");
    ig_corpus *c;
    int rc;
    ig_err e;
    ig_err_clear(&e);
    rc = ig_corpus_load(&c, tmpdir, NULL, NULL, &e);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(e.msg, "no documents") != NULL);
    ig_err_clear(&e);
    rc = ig_corpus_load(&c, "/nonexistent/corpus", NULL, NULL, &e);
    CHECK_EQ(rc, IG_ESYS);
}

static void test_questionnaire_export(void)
{
    fresh();
    put("manifest.csv",
        "id,path,process,submitter,format\n"
        "intro,intro.txt,wgec1,Secretariat,\n"
        "replies,replies.csv,wgec1,,questionnaire\n"
        "outro,outro.txt,wgec1,Secretariat,text\n");
    put("intro.txt", "x");
    put("outro.txt", "y");
    put("replies.csv",
        "id,submitter,q2,q1\n"
        "r1,Government of A,\"second\n\nparagraph\",first\n"
        "r2,,,only one\n");
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_OK);
    CHECK_STR(p, "");
    if (rc != IG_OK)
        return;
    CHECK_EQ(c->ndocs, 4);
    CHECK_STR(c->docs[0].id, "intro");
    CHECK_STR(c->docs[1].id, "r1");
    CHECK_STR(c->docs[2].id, "r2");
    CHECK_STR(c->docs[3].id, "outro");
    CHECK_STR(c->docs[1].path, "replies.csv#r1");
    /* Metadata: the respondent's own value, else the manifest row's. */
    CHECK_STR(c->docs[1].vals[ig_corpus_col(c, "submitter")], "Government of A");
    CHECK_STR(c->docs[2].vals[ig_corpus_col(c, "submitter")], "");
    CHECK_STR(c->docs[2].vals[ig_corpus_col(c, "process")], "wgec1");
    /* Answers in column order, each under its question's heading. */
    CHECK_STR(c->docs[1].text, "Question 2\n\nsecond\n\nparagraph\n\nQuestion 1\n\nfirst\n\n");
    CHECK_STR(c->docs[2].text, "Question 1\n\nonly one\n\n");
    CHECK(c->docs[0].text == NULL);
    ig_corpus_free(c);
}

static void test_questionnaire_problems(void)
{
    fresh();
    put("manifest.csv", "id,path,format\nreplies,replies.csv,questionnaire\nx,x.txt,poem\n");
    put("x.txt", "x");
    put("replies.csv", "id,q1\nr1,a\n");
    ig_corpus *c;
    int rc;
    char *p = load(&c, &rc);
    CHECK_EQ(rc, IG_EDATA);
    CHECK(strstr(p, "manifest.csv:3: unknown format \"poem\" (use text or questionnaire)") != NULL);
    put("manifest.csv", "id,path,format\nreplies,replies.csv,questionnaire\nr2,x.txt,\n");
    put("replies.csv", "id,q1,colour,Q2\nr1,a,red\n,b,blue,c\nr2,b,,\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "replies.csv:1: column \"colour\" is neither id, a question") != NULL);
    CHECK(strstr(p, "replies.csv:1: column \"Q2\" is neither id") != NULL);
    put("replies.csv", "id,q1\nr1,a,extra\n,b\nr2,b\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "replies.csv:2: expected 2 fields, got 3") != NULL);
    CHECK(strstr(p, "replies.csv:3: empty id") != NULL);
    /* A respondent id that clashes with a manifest id. */
    CHECK(strstr(p, "duplicate doc id \"r2\"") != NULL);
    put("replies.csv", "id,submitter\nr1,a\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "replies.csv:1: no question columns (q1, q2, ...)") != NULL);
    put("replies.csv", "q1\na\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "replies.csv:1: missing required column \"id\"") != NULL);
    put("replies.csv", "id,q1\nr1,caf\xC3\n");
    p = load(&c, &rc);
    CHECK(strstr(p, "replies.csv:2:7: invalid UTF-8") != NULL);
}

int main(void)
{
    RUN(test_good_manifest);
    RUN(test_all_problems_listed);
    RUN(test_listed_dirs);
    RUN(test_header_problems);
    RUN(test_unterminated_quote);
    RUN(test_bom_and_blank_last_line);
    RUN(test_walk_sorted);
    RUN(test_empty_corpus);
    RUN(test_questionnaire_export);
    RUN(test_questionnaire_problems);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return harness_done();
}

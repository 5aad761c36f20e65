/*
 * test_map.c: the issue map (stages/map.h).
 *
 * Part 1: pure functions: the gap-type rules on synthetic facts (one row
 * per rule and per boundary of each threshold), unit parsing, option
 * checks.  Part 2: a four-document index built with the real writer and
 * three small lexicons written to a temporary directory; the map is run
 * with several options and its evidence and tables are read back to check
 * the overlap rules (within an issue, longest mechanism wins, NEAR-only
 * mentions, equal lengths), co-occurrence per unit, gap claims (same
 * sentence, carried back within a paragraph, not across one), the
 * min-mentions rule, positions.csv handling, and that every count in every
 * table equals a sum over the evidence rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "err.h"
#include "fsutil.h"
#include "harness.h"
#include "index.h"
#include "lexicon.h"
#include "map.h"
#include "out.h"

/* ---- part 1: gap rules -------------------------------------------------- */

struct gap_case {
    uint32_t docs, ml, ms, tech, reg, n, lean_ml, lean_ms;
    const char *want;
};

static const struct gap_case gap_cases[] = {
    /* docs ml ms tech reg | n lml lms */
    { 0, 0, 0, 0, 0, 0, 0, 0, "not_raised" },
    { 0, 3, 3, 0, 0, 0, 0, 0, "not_raised" },    /* links without a raising document */
    { 1, 0, 0, 0, 0, 0, 0, 0, "no_home" },
    { 5, 0, 0, 0, 2, 0, 0, 0, "no_home" },       /* regional bodies are no global home */
    { 5, 0, 0, 0, 0, 9, 4, 4, "no_home" },       /* split camps do not hide a missing home */
    { 5, 2, 0, 0, 0, 0, 0, 0, "multilateral_only" },
    { 5, 2, 0, 0, 1, 9, 4, 4, "multilateral_only" },
    { 5, 0, 1, 0, 0, 0, 0, 0, "multistakeholder_only" },
    { 5, 0, 0, 1, 0, 0, 0, 0, "multistakeholder_only" }, /* technical holds that end */
    { 5, 1, 1, 0, 0, 0, 0, 0, "covered" },
    { 5, 1, 0, 1, 0, 0, 0, 0, "covered" },
    /* contested: n >= 4, each camp >= 25% of n (defaults) */
    { 9, 1, 1, 0, 0, 4, 1, 1, "contested" },     /* 1 of 4 is exactly 25% */
    { 9, 1, 1, 0, 0, 5, 1, 1, "covered" },       /* 1 of 5 is 20% */
    { 9, 1, 1, 0, 0, 3, 1, 1, "covered" },       /* too few positioned */
    { 9, 1, 1, 0, 0, 8, 0, 8, "covered" },       /* one camp only */
    { 9, 1, 1, 0, 0, 8, 2, 6, "contested" },
    { 9, 1, 1, 0, 0, 8, 6, 2, "contested" },
};

static void test_gap_rules(void)
{
    map_opts o;
    map_opts_default(&o);
    for (size_t i = 0; i < sizeof gap_cases / sizeof gap_cases[0]; i++) {
        const struct gap_case *c = &gap_cases[i];
        map_gap_facts f;
        memset(&f, 0, sizeof f);
        f.documents = c->docs;
        f.linked[LEX_MT_MULTILATERAL] = c->ml;
        f.linked[LEX_MT_MULTISTAKEHOLDER] = c->ms;
        f.linked[LEX_MT_TECHNICAL] = c->tech;
        f.linked[LEX_MT_REGIONAL] = c->reg;
        f.positioned = c->n;
        f.lean_multilateral = c->lean_ml;
        f.lean_multistakeholder = c->lean_ms;
        const char *got = map_gap_type_name(map_gap_classify(&f, &o));
        if (!got || strcmp(got, c->want) != 0)
            fprintf(stderr, "gap case %zu\n", i);
        CHECK_STR(got, c->want);
        char reason[512];
        map_gap_reason(&f, &o, reason, sizeof reason);
        CHECK(reason[0] != '\0');
    }
    /* Thresholds are options: a higher share or n turns contested off. */
    map_gap_facts f;
    memset(&f, 0, sizeof f);
    f.documents = 9;
    f.linked[LEX_MT_MULTILATERAL] = f.linked[LEX_MT_MULTISTAKEHOLDER] = 1;
    f.positioned = 8;
    f.lean_multilateral = 2;
    f.lean_multistakeholder = 6;
    o.contested_share = 0.3;
    CHECK_STR(map_gap_type_name(map_gap_classify(&f, &o)), "covered");
    o.contested_share = 0.25;
    o.contested_min_n = 9;
    CHECK_STR(map_gap_type_name(map_gap_classify(&f, &o)), "covered");
    char reason[512];
    f.documents = 3;
    f.linked[LEX_MT_MULTILATERAL] = f.linked[LEX_MT_MULTISTAKEHOLDER] = 0;
    f.linked[LEX_MT_REGIONAL] = 1;
    CHECK_STR(map_gap_reason(&f, &o, reason, sizeof reason),
              "raised by 3 documents; linked to no multilateral, multistakeholder or "
              "technical mechanism, only to 1 regional one");
    CHECK(map_gap_type_name(-1) == NULL);
    CHECK(map_gap_type_name(MAP_NGAP_TYPES) == NULL);
}

static void test_units_and_opts(void)
{
    map_opts o;
    map_opts_default(&o);
    char buf[32];
    CHECK_STR(map_unit_name(&o, buf, sizeof buf), "sentence");
    CHECK_EQ(map_unit_parse("paragraph", &o), 0);
    CHECK_STR(map_unit_name(&o, buf, sizeof buf), "paragraph");
    CHECK_EQ(map_unit_parse("window:8", &o), 0);
    CHECK_STR(map_unit_name(&o, buf, sizeof buf), "window:8");
    CHECK_EQ(map_unit_parse("window:1000", &o), 0);
    static const char *const bad[] = { "window:0", "window:1001", "window:", "window:x",
                                       "window:8x", "Sentence", "", "window:-1", "words" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(map_unit_parse(bad[i], &o), -1);
        CHECK_STR(map_unit_name(&o, buf, sizeof buf), "window:1000"); /* untouched */
    }
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(map_opts_check(&o, &e), IG_OK);
    o.min_mentions = 0;
    CHECK_EQ(map_opts_check(&o, &e), IG_EUSAGE);
    CHECK(strstr(e.msg, "--min-mentions") != NULL);
    map_opts_default(&o);
    o.lean = 0;
    ig_err_clear(&e);
    CHECK_EQ(map_opts_check(&o, &e), IG_EUSAGE);
    map_opts_default(&o);
    o.contested_share = 0.6;
    ig_err_clear(&e);
    CHECK_EQ(map_opts_check(&o, &e), IG_EUSAGE);
}

/* ---- part 2: a real index ------------------------------------------------ */

static char dir[256];
static char idxpath[300], lexi[300], lexm[300], lexg[300], outdir[300];
static idx_reader *rd;
static lex_file *LI, *LM, *LG;

static const char *const cols[] = { "id", "process", "stakeholder_group", "submitter" };
/* Sentence numbers are noted as sN, paragraphs (blank lines) as pN. */
static const char *const docs[][5] = {
    { "D1", "wsis", "government", "Gov A",
      /* p1: s1 s2 s3 s4 | p2: s5 s6 */
      "Spam is a plague. No forum deals with spam. The ITU works on spam and cyber-security. "
      "The Kenya IGF met.\n\nCybercrime crosses borders. It falls between the cracks." },
    { "D2", "igf", "civil_society", "NGO B",
      /* p1: s1 s2 | p2: s3 | p3: s4 */
      "The IGF discussed spam with the IETF. The Council of the ITU on Internet matters met."
      "\n\nJurisdiction is hard.\n\nIt falls between the cracks." },
    { "D3", "igf", "civil_society", "NGO B", "Spam again. Spam and the IGF." },
    { "D4", "oewg", "", "", "Cybersecurity. The OECD met." },
    /* Two documents alike: the window unit's per-document bookkeeping must
     * start afresh in the second. */
    { "D5", "igf", "technical", "Org E", "Jurisdiction at the IGF." },
    { "D6", "igf", "technical", "Org F", "Jurisdiction at the IGF." },
};
#define NDOCS (sizeof docs / sizeof docs[0])

static const char issues_tsv[] =
    "cluster\tissue\tpattern\tnote\n"
    "security\tspam\tspam\tx\n"
    "security\tcybersecurity\tcybersecurity\tx\n"
    "security\tcybersecurity\t\"cyber security\"\tx\n"
    "security\tcybercrime\tcybercrim*\tx\n"
    "legal\tjurisdiction\tjurisdiction\tx\n"
    "economic\ttaxation\ttaxation\tnever in the corpus\n";
static const char mechs_tsv[] =
    "mechanism\ttype\tpattern\tnote\n"
    "itu\tmultilateral\t=itu\tx\n"
    "igf\tmultistakeholder\t=igf\tx\n"
    "national_igfs\tmultistakeholder\t\"=kenya igf\"\tx\n"
    "cwg\tmultilateral\tcouncil NEAR/4 internet\tx\n"
    "ietf\ttechnical\t=ietf\tx\n"
    "oecd\tmultilateral\t=oecd\tx\n"
    "oecd_twin\tregional\t=oecd\tsame words, equal length: both count\n";
static const char gaps_tsv[] =
    "pattern\tnote\n"
    "\"no forum\"\tx\n"
    "\"between the cracks\"\tx\n";

static int put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static void print_err(const char *what, const ig_err *e)
{
    char line[2400];
    ig_err_format(e, line, sizeof line);
    fprintf(stderr, "%s: %s\n", what, line);
}

static int setup(void)
{
    ig_err e;
    ig_err_clear(&e);
    snprintf(dir, sizeof dir, "/tmp/igmap-test-map-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(idxpath, sizeof idxpath, "%s/t.igx", dir);
    snprintf(lexi, sizeof lexi, "%s/issues.tsv", dir);
    snprintf(lexm, sizeof lexm, "%s/mechanisms.tsv", dir);
    snprintf(lexg, sizeof lexg, "%s/gaps.tsv", dir);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    if (put_file(lexi, issues_tsv) || put_file(lexm, mechs_tsv) || put_file(lexg, gaps_tsv))
        return -1;
    idx_writer *w = NULL;
    int rc = idx_writer_open(&w, idxpath, cols, 4, NULL, &e);
    for (size_t i = 0; rc == IG_OK && i < NDOCS; i++) {
        const char *vals[4] = { docs[i][0], docs[i][1], docs[i][2], docs[i][3] };
        rc = idx_writer_add_text(w, vals, "en", docs[i][4], strlen(docs[i][4]), NULL, &e);
    }
    if (rc == IG_OK)
        rc = idx_writer_finish(w, &e);
    if (rc == IG_OK) {
        rc = idx_writer_commit(w, &e);
        w = NULL;
    }
    idx_writer_abort(w);
    if (rc == IG_OK)
        rc = idx_open(&rd, idxpath, &e);
    ig_msgs probs = { 0 };
    if (rc == IG_OK)
        rc = lex_load(&LI, lexi, LEX_ISSUES, "map", &probs, &e);
    if (rc == IG_OK)
        rc = lex_load(&LM, lexm, LEX_MECHANISMS, "map", &probs, &e);
    if (rc == IG_OK)
        rc = lex_load(&LG, lexg, LEX_GAPS, "map", &probs, &e);
    for (size_t i = 0; i < probs.n; i++)
        fprintf(stderr, "%s\n", probs.items[i]);
    ig_msgs_free(&probs);
    if (rc)
        print_err("setup", &e);
    return rc;
}

/* A CSV file read back whole: cells[row][col], row 0 the header. */
struct table {
    size_t nrows, ncols;
    char ***cells;
};

static void table_free(struct table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            ig_free(t->cells[r][c]);
        ig_free(t->cells[r]);
    }
    ig_free(t->cells);
    memset(t, 0, sizeof *t);
}

static int table_load(struct table *t, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    memset(t, 0, sizeof *t);
    ig_buf data = IG_BUF_INIT;
    ig_err e;
    ig_err_clear(&e);
    if (ig_read_file(path, 1 << 24, &data, "test", &e) != IG_OK)
        return -1;
    ig_csv_reader r;
    ig_csv_reader_init(&r, data.data ? data.data : "", data.len, path, "test");
    const char **f;
    const size_t *len;
    size_t n;
    int rc;
    while ((rc = ig_csv_next(&r, &f, &len, &n, &e)) == 1) {
        if (t->nrows == 0)
            t->ncols = n;
        if (n != t->ncols) {
            rc = -1;
            break;
        }
        t->cells = ig_reallocarray(t->cells, t->nrows + 1, sizeof *t->cells);
        t->cells[t->nrows] = ig_calloc(n, sizeof **t->cells);
        for (size_t i = 0; i < n; i++)
            t->cells[t->nrows][i] = ig_strdup(f[i]);
        t->nrows++;
    }
    ig_csv_reader_free(&r);
    ig_buf_free(&data);
    return rc;
}

static long col_of(const struct table *t, const char *name)
{
    for (size_t c = 0; t->nrows && c < t->ncols; c++)
        if (strcmp(t->cells[0][c], name) == 0)
            return (long)c;
    fprintf(stderr, "no column %s\n", name);
    return -1;
}

static const char *cell(const struct table *t, size_t row, const char *name)
{
    long c = col_of(t, name);
    return c < 0 ? "" : t->cells[row][c];
}

/* Run the map with opts (positions may be NULL) into outdir; 0 or the code. */
static int run_map(const map_opts *o, const char *positions, ig_err *e)
{
    static const char *const names[6] = { "map_evidence.csv", "issues.csv",
                                          "issues_by_process.csv", "issues_by_group.csv",
                                          "issue_mechanisms.csv", "gaps.csv" };
    ig_out *out[6] = { NULL };
    ig_csv_writer w[6];
    map_run *m = NULL;
    ig_err_clear(e);
    int rc = ig_mkdirs(outdir, "test", e);
    for (int i = 0; i < 6 && rc == IG_OK; i++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", outdir, names[i]);
        rc = ig_out_open(&out[i], path, "test", e);
        if (rc == IG_OK)
            rc = ig_csv_writer_init(&w[i], out[i], 0);
    }
    if (rc == IG_OK)
        rc = map_open(&m, rd, LI, LM, LG, o, e);
    if (rc == IG_OK && positions)
        rc = map_positions_load(m, positions, e);
    if (rc == IG_OK)
        rc = map_scan(m, &w[0], e);
    if (rc == IG_OK)
        rc = map_write_issues(m, &w[1], e);
    if (rc == IG_OK)
        rc = map_write_wide(m, &w[2], "process", e);
    if (rc == IG_OK)
        rc = map_write_wide(m, &w[3], "stakeholder_group", e);
    if (rc == IG_OK)
        rc = map_write_issue_mechanisms(m, &w[4], e);
    if (rc == IG_OK)
        rc = map_write_gaps(m, &w[5], e);
    for (int i = 0; i < 6; i++) {
        if (rc == IG_OK)
            rc = ig_out_commit(out[i], e);
        else
            ig_out_abort(out[i]);
    }
    map_close(m);
    return rc;
}

/* Evidence rows as "doc kind issue mechanism link line match" strings. */
static int has_row(const struct table *ev, const char *doc, const char *kind, const char *issue,
                   const char *mech, const char *extra_col, const char *extra)
{
    int n = 0;
    for (size_t r = 1; r < ev->nrows; r++) {
        if (strcmp(cell(ev, r, "doc_id"), doc) || strcmp(cell(ev, r, "kind"), kind) ||
            strcmp(cell(ev, r, "issue"), issue) || strcmp(cell(ev, r, "mechanism"), mech))
            continue;
        if (extra_col && strcmp(cell(ev, r, extra_col), extra) != 0)
            continue;
        n++;
    }
    return n;
}

/* Every count in every table, recomputed from the evidence rows with
 * raised = 1, must equal the table's.  Counting is done here by brute force
 * over the rows, independently of map_tables.c. */
static size_t distinct_count(const struct table *ev, const char *kind, const char *issue,
                             const char *mech, const char *proc, const char *grp,
                             const char *distinct_col, int rows_only)
{
    const char *seen[4096];
    size_t nseen = 0, rows = 0;
    for (size_t r = 1; r < ev->nrows; r++) {
        if (strcmp(cell(ev, r, "kind"), kind) || strcmp(cell(ev, r, "raised"), "1") ||
            strcmp(cell(ev, r, "issue"), issue))
            continue;
        if (mech && strcmp(cell(ev, r, "mechanism"), mech))
            continue;
        if (proc && strcmp(cell(ev, r, "process"), proc))
            continue;
        if (grp && strcmp(cell(ev, r, "stakeholder_group"), grp))
            continue;
        rows++;
        if (rows_only)
            continue;
        const char *v = cell(ev, r, distinct_col);
        if (strcmp(distinct_col, "stakeholder_group") == 0 && *v == '\0')
            continue;
        size_t i = 0;
        while (i < nseen && strcmp(seen[i], v) != 0)
            i++;
        if (i == nseen && nseen < 4096)
            seen[nseen++] = v;
    }
    return rows_only ? rows : nseen;
}

static size_t num(const char *s)
{
    return (size_t)strtoull(s, NULL, 10);
}

static void check_sums(void)
{
    struct table ev, is, im, gp, bp;
    CHECK_EQ(table_load(&ev, "map_evidence.csv"), 0);
    CHECK_EQ(table_load(&is, "issues.csv"), 0);
    CHECK_EQ(table_load(&im, "issue_mechanisms.csv"), 0);
    CHECK_EQ(table_load(&gp, "gaps.csv"), 0);
    CHECK_EQ(table_load(&bp, "issues_by_process.csv"), 0);
    size_t total_mentions = 0;
    for (size_t r = 1; r < is.nrows; r++) {
        const char *i = cell(&is, r, "issue"), *p = cell(&is, r, "process"),
                   *g = cell(&is, r, "stakeholder_group");
        CHECK_EQ(num(cell(&is, r, "documents")),
                 distinct_count(&ev, "issue_mention", i, NULL, p, g, "doc_id", 0));
        CHECK_EQ(num(cell(&is, r, "submitters")),
                 distinct_count(&ev, "issue_mention", i, NULL, p, g, "submitter", 0));
        CHECK_EQ(num(cell(&is, r, "mentions")),
                 distinct_count(&ev, "issue_mention", i, NULL, p, g, NULL, 1));
        total_mentions += num(cell(&is, r, "mentions"));
    }
    /* issues.csv leaves out no counted mention */
    size_t counted = 0;
    for (size_t r = 1; r < ev.nrows; r++)
        counted += strcmp(cell(&ev, r, "kind"), "issue_mention") == 0 &&
                   strcmp(cell(&ev, r, "raised"), "1") == 0;
    CHECK_EQ(total_mentions, counted);
    for (size_t r = 1; r < im.nrows; r++) {
        const char *i = cell(&im, r, "issue"), *m = cell(&im, r, "mechanism");
        CHECK_EQ(num(cell(&im, r, "cooccurrences")),
                 distinct_count(&ev, "cooccurrence", i, m, NULL, NULL, NULL, 1));
        CHECK_EQ(num(cell(&im, r, "documents")),
                 distinct_count(&ev, "cooccurrence", i, m, NULL, NULL, "doc_id", 0));
    }
    for (size_t r = 1; r < gp.nrows; r++) {
        const char *i = cell(&gp, r, "issue");
        CHECK_EQ(num(cell(&gp, r, "documents")),
                 distinct_count(&ev, "issue_mention", i, NULL, NULL, NULL, "doc_id", 0));
        CHECK_EQ(num(cell(&gp, r, "submitters")),
                 distinct_count(&ev, "issue_mention", i, NULL, NULL, NULL, "submitter", 0));
        CHECK_EQ(num(cell(&gp, r, "groups")),
                 distinct_count(&ev, "issue_mention", i, NULL, NULL, NULL,
                                "stakeholder_group", 0));
        CHECK_EQ(num(cell(&gp, r, "mentions")),
                 distinct_count(&ev, "issue_mention", i, NULL, NULL, NULL, NULL, 1));
        CHECK_EQ(num(cell(&gp, r, "gap_claims")),
                 distinct_count(&ev, "gap_claim", i, NULL, NULL, NULL, NULL, 1));
        CHECK_EQ(num(cell(&gp, r, "gap_claim_documents")),
                 distinct_count(&ev, "gap_claim", i, NULL, NULL, NULL, "doc_id", 0));
        /* linked counts per type equal the linked rows of issue_mechanisms */
        static const char *const types[] = { "multilateral", "multistakeholder", "technical",
                                             "regional" };
        for (int t = 0; t < 4; t++) {
            size_t n = 0;
            for (size_t x = 1; x < im.nrows; x++)
                n += strcmp(cell(&im, x, "issue"), i) == 0 &&
                     strcmp(cell(&im, x, "mechanism_type"), types[t]) == 0 &&
                     strcmp(cell(&im, x, "linked"), "1") == 0;
            char colname[64];
            snprintf(colname, sizeof colname, "linked_%s", types[t]);
            CHECK_EQ(num(cell(&gp, r, colname)), n);
        }
        /* the wide table's total is the documents column */
        for (size_t x = 1; x < bp.nrows; x++)
            if (strcmp(cell(&bp, x, "issue"), i) == 0)
                CHECK_STR(cell(&bp, x, "total"), cell(&gp, r, "documents"));
    }
    table_free(&ev);
    table_free(&is);
    table_free(&im);
    table_free(&gp);
    table_free(&bp);
}

static void test_default_run(void)
{
    map_opts o;
    map_opts_default(&o);
    ig_err e;
    int rc = run_map(&o, NULL, &e);
    if (rc)
        print_err("run_map", &e);
    CHECK_EQ(rc, IG_OK);
    struct table ev;
    CHECK_EQ(table_load(&ev, "map_evidence.csv"), 0);
    /* Overlap within one issue: "cyber-security" is matched by both rows
     * (joined token and the phrase of its parts): one mention, citing the
     * earlier row (line 3) on the tie in length. */
    CHECK_EQ(has_row(&ev, "D1", "issue_mention", "cybersecurity", "", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D1", "issue_mention", "cybersecurity", "", "line", "3"), 1);
    CHECK_EQ(has_row(&ev, "D1", "issue_mention", "cybersecurity", "", "match", "cyber-security"),
             1);
    CHECK_EQ(has_row(&ev, "D1", "issue_mention", "spam", "", NULL, NULL), 3);
    /* Longest mechanism wins: "Kenya IGF" is national_igfs, not igf. */
    CHECK_EQ(has_row(&ev, "D1", "mechanism_mention", "", "national_igfs", "match", "Kenya IGF"),
             1);
    CHECK_EQ(has_row(&ev, "D1", "mechanism_mention", "", "igf", NULL, NULL), 0);
    /* A NEAR-only mention neither drops nor is dropped: ITU inside the
     * council ... internet span still counts. */
    CHECK_EQ(has_row(&ev, "D2", "mechanism_mention", "", "cwg", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D2", "mechanism_mention", "", "itu", "match", "ITU"), 1);
    /* Equal lengths keep both. */
    CHECK_EQ(has_row(&ev, "D4", "mechanism_mention", "", "oecd", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D4", "mechanism_mention", "", "oecd_twin", NULL, NULL), 1);
    /* Co-occurrence per sentence: spam and cybersecurity meet the ITU in
     * D1 s3; the Kenya IGF sentence names no issue. */
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "spam", "itu", "sentence", "3"), 1);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "cybersecurity", "itu", "link", "sentence"), 1);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "spam", "national_igfs", NULL, NULL), 0);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "spam", "itu", "match",
                     "ITU \xE2\x80\xA6 spam"), 1);
    CHECK_EQ(has_row(&ev, "D2", "cooccurrence", "spam", "igf", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D2", "cooccurrence", "spam", "ietf", NULL, NULL), 1);
    /* Gap claims: same sentence; carried back to the previous sentence of
     * the paragraph; never across a paragraph break. */
    CHECK_EQ(has_row(&ev, "D1", "gap_claim", "spam", "", "link", "same_sentence"), 1);
    CHECK_EQ(has_row(&ev, "D1", "gap_claim", "spam", "", "match", "No forum"), 1);
    CHECK_EQ(has_row(&ev, "D1", "gap_claim", "cybercrime", "", "link", "previous_sentence"), 1);
    CHECK_EQ(has_row(&ev, "D1", "gap_claim", "cybercrime", "", "sentence", "6"), 1);
    CHECK_EQ(has_row(&ev, "D2", "gap_claim", "jurisdiction", "", NULL, NULL), 0);
    /* Every row of this run is raised (min 1); metadata is carried, the
     * document id standing in for an empty submitter. */
    CHECK_EQ(has_row(&ev, "D4", "issue_mention", "cybersecurity", "", "submitter", "D4"), 1);
    CHECK_EQ(has_row(&ev, "D4", "issue_mention", "cybersecurity", "", "raised", "1"), 1);
    table_free(&ev);

    struct table gp, is;
    CHECK_EQ(table_load(&gp, "gaps.csv"), 0);
    CHECK_EQ(table_load(&is, "issues.csv"), 0);
    /* spam: D1, D2, D3 (D2 and D3 by one submitter), 2 groups; linked to
     * itu (1 co-occurrence: below the default 2), igf (2, in D2 and D3)
     * and ietf (1): multistakeholder only. */
    CHECK_STR(cell(&gp, 3, "issue"), "jurisdiction"); /* rows in id order */
    size_t spam = 0;
    for (size_t r = 1; r < gp.nrows; r++)
        if (strcmp(cell(&gp, r, "issue"), "spam") == 0)
            spam = r;
    CHECK(spam > 0);
    CHECK_STR(cell(&gp, spam, "documents"), "3");
    CHECK_STR(cell(&gp, spam, "submitters"), "2");
    CHECK_STR(cell(&gp, spam, "groups"), "2");
    CHECK_STR(cell(&gp, spam, "mentions"), "6");
    CHECK_STR(cell(&gp, spam, "gap_claims"), "1");
    CHECK_STR(cell(&gp, spam, "multistakeholder_mechanisms"), "igf");
    CHECK_STR(cell(&gp, spam, "linked_multilateral"), "0");
    CHECK_STR(cell(&gp, spam, "gap_type"), "multistakeholder_only");
    CHECK_STR(cell(&gp, spam, "positioned"), ""); /* no positions given */
    CHECK_STR(cell(&gp, gp.nrows - 1, "issue"), "taxation");
    CHECK_STR(cell(&gp, gp.nrows - 1, "gap_type"), "not_raised");
    CHECK_STR(cell(&gp, 1, "issue"), "cybercrime");
    CHECK_STR(cell(&gp, 1, "gap_type"), "no_home");
    /* issues.csv: spam in (igf, civil_society) is D2 and D3, one submitter */
    int found = 0;
    for (size_t r = 1; r < is.nrows; r++)
        if (strcmp(cell(&is, r, "issue"), "spam") == 0 &&
            strcmp(cell(&is, r, "process"), "igf") == 0) {
            found++;
            CHECK_STR(cell(&is, r, "documents"), "2");
            CHECK_STR(cell(&is, r, "submitters"), "1");
            CHECK_STR(cell(&is, r, "mentions"), "3");
        }
    CHECK_EQ(found, 1);
    table_free(&gp);
    table_free(&is);
    check_sums();
}

static void test_units(void)
{
    map_opts o;
    map_opts_default(&o);
    ig_err e;
    struct table ev, im;
    /* paragraph: D1's first paragraph joins spam and cybersecurity with
     * both the ITU and the Kenya IGF. */
    CHECK_EQ(map_unit_parse("paragraph", &o), 0);
    CHECK_EQ(run_map(&o, NULL, &e), IG_OK);
    CHECK_EQ(table_load(&ev, "map_evidence.csv"), 0);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "spam", "national_igfs", "link", "paragraph"), 1);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "cybersecurity", "national_igfs", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "spam", "itu", NULL, NULL), 1);
    table_free(&ev);
    CHECK_EQ(table_load(&im, "issue_mechanisms.csv"), 0);
    CHECK_STR(cell(&im, 1, "unit"), "paragraph");
    table_free(&im);
    check_sums();
    /* window:1: "The IGF discussed spam with the IETF": igf is 1 token from
     * spam, ietf 2. */
    CHECK_EQ(map_unit_parse("window:1", &o), 0);
    CHECK_EQ(run_map(&o, NULL, &e), IG_OK);
    CHECK_EQ(table_load(&ev, "map_evidence.csv"), 0);
    CHECK_EQ(has_row(&ev, "D2", "cooccurrence", "spam", "igf", "link", "window:1"), 1);
    CHECK_EQ(has_row(&ev, "D2", "cooccurrence", "spam", "ietf", NULL, NULL), 0);
    table_free(&ev);
    check_sums();
    CHECK_EQ(map_unit_parse("window:2", &o), 0);
    CHECK_EQ(run_map(&o, NULL, &e), IG_OK);
    CHECK_EQ(table_load(&ev, "map_evidence.csv"), 0);
    CHECK_EQ(has_row(&ev, "D2", "cooccurrence", "spam", "ietf", NULL, NULL), 1);
    /* one row per issue mention: "Spam and the IGF" (D3) is one, the IGF
     * two tokens after "Spam" */
    CHECK_EQ(has_row(&ev, "D3", "cooccurrence", "spam", "igf", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D5", "cooccurrence", "jurisdiction", "igf", NULL, NULL), 1);
    CHECK_EQ(has_row(&ev, "D6", "cooccurrence", "jurisdiction", "igf", NULL, NULL), 1);
    table_free(&ev);
    check_sums();
}

static void test_min_mentions_and_carry_back(void)
{
    map_opts o;
    map_opts_default(&o);
    o.min_mentions = 2;
    o.carry_back = 0;
    ig_err e;
    CHECK_EQ(run_map(&o, NULL, &e), IG_OK);
    struct table ev, gp;
    CHECK_EQ(table_load(&ev, "map_evidence.csv"), 0);
    /* D1 names cybersecurity once: its rows stay, marked raised = 0. */
    CHECK_EQ(has_row(&ev, "D1", "issue_mention", "cybersecurity", "", "raised", "0"), 1);
    CHECK_EQ(has_row(&ev, "D1", "cooccurrence", "cybersecurity", "itu", "raised", "0"), 1);
    CHECK_EQ(has_row(&ev, "D1", "issue_mention", "spam", "", "raised", "1"), 3);
    /* without carry-back the "It falls between the cracks" claim is gone */
    CHECK_EQ(has_row(&ev, "D1", "gap_claim", "cybercrime", "", NULL, NULL), 0);
    table_free(&ev);
    CHECK_EQ(table_load(&gp, "gaps.csv"), 0);
    for (size_t r = 1; r < gp.nrows; r++) {
        if (strcmp(cell(&gp, r, "issue"), "cybersecurity") == 0)
            CHECK_STR(cell(&gp, r, "documents"), "0");
        if (strcmp(cell(&gp, r, "issue"), "spam") == 0)
            CHECK_STR(cell(&gp, r, "documents"), "2"); /* D1 (3), D3 (2); not D2 (1) */
    }
    table_free(&gp);
    check_sums();
}

static void test_positions(void)
{
    map_opts o;
    map_opts_default(&o);
    o.contested_min_n = 2;
    o.contested_share = 0.5;
    ig_err e;
    char pos[400];
    snprintf(pos, sizeof pos, "%s/positions.csv", dir);
    /* classify's shape: id, section, metadata, label, score, more. */
    put_file(pos, "id,section,process,label,score,other\n"
                  "D1,0,wsis,multilateral,-0.5,x\n"
                  "D1,1,wsis,multistakeholder,0.9,x\n"
                  "D2,0,igf,multistakeholder,0.6,x\n"
                  "D3,0,igf,mixed,0.1,\n"
                  "D4,0,oewg,none,0.9,\n");
    CHECK_EQ(run_map(&o, pos, &e), IG_OK);
    struct table gp;
    CHECK_EQ(table_load(&gp, "gaps.csv"), 0);
    for (size_t r = 1; r < gp.nrows; r++) {
        const char *i = cell(&gp, r, "issue");
        if (strcmp(i, "spam") == 0) {
            /* D1 -0.5, D2 0.6, D3 0.1 (the section row of D1 is not read) */
            CHECK_STR(cell(&gp, r, "positioned"), "3");
            CHECK_STR(cell(&gp, r, "position_mean"), "0.067");
            CHECK_STR(cell(&gp, r, "position_sd"), "0.551");
            CHECK_STR(cell(&gp, r, "lean_multilateral"), "1");
            CHECK_STR(cell(&gp, r, "lean_multistakeholder"), "1");
        }
        if (strcmp(i, "cybersecurity") == 0) {
            /* D1 only: D4's label none is no position */
            CHECK_STR(cell(&gp, r, "positioned"), "1");
            CHECK_STR(cell(&gp, r, "position_mean"), "-0.500");
            CHECK_STR(cell(&gp, r, "position_sd"), "");
        }
        if (strcmp(i, "taxation") == 0) {
            CHECK_STR(cell(&gp, r, "positioned"), "0");
            CHECK_STR(cell(&gp, r, "position_mean"), "");
        }
    }
    table_free(&gp);

    /* Bad files: a located error, nothing read. */
    static const struct { const char *text; const char *msg; } bad[] = {
        { "id,score\nD9,0.5\n", ":2: unknown document id \"D9\"" },
        { "id,score\nD1,0.5\nD1,0.2\n", ":3: document id \"D1\" appears twice" },
        { "id,score\nD1,1.5\n", ":2: score \"1.5\" is not a number from -1 to 1" },
        { "id,score\nD1,0,5\n", ":2: expected 2 fields, got 3" },
        { "id,points\nD1,0.5\n", ":1: header lacks a score column" },
        { "name,score\n", ":1: header lacks a doc_id (or id) column" },
        { "", ":1: empty file" },
        { "id,score\n\"D1,0.5\n", "unterminated" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_file(pos, bad[i].text);
        int rc = run_map(&o, pos, &e);
        CHECK_EQ(rc, IG_EDATA);
        char line[2400];
        ig_err_format(&e, line, sizeof line);
        if (strstr(line, bad[i].msg) == NULL)
            fprintf(stderr, "positions case %zu: %s\n", i, line);
        CHECK(strstr(line, bad[i].msg) != NULL);
        CHECK(strstr(line, "positions.csv") != NULL);
    }
}

/* The same bytes twice, and under the fault injector every allocation
 * failure is a clean IG_ENOMEM (ASan finds leaks). */
static void test_deterministic_and_oom(void)
{
    map_opts o;
    map_opts_default(&o);
    ig_err e;
    ig_buf a = IG_BUF_INIT, b = IG_BUF_INIT;
    char path[400];
    snprintf(path, sizeof path, "%s/map_evidence.csv", outdir);
    CHECK_EQ(run_map(&o, NULL, &e), IG_OK);
    CHECK_EQ(ig_read_file(path, 1 << 24, &a, "test", &e), IG_OK);
    CHECK_EQ(run_map(&o, NULL, &e), IG_OK);
    CHECK_EQ(ig_read_file(path, 1 << 24, &b, "test", &e), IG_OK);
    CHECK(a.len == b.len && a.len > 0 && memcmp(a.data, b.data, a.len) == 0);
    ig_buf_free(&a);
    ig_buf_free(&b);
    int bad = 0, n;
    for (n = 1; n < 100000; n++) {
        ig_alloc_fail_at((uint64_t)n, 0);
        int rc = run_map(&o, NULL, &e);
        ig_alloc_fail_at(0, 0);
        if (rc == IG_OK)
            break;
        if (rc != IG_ENOMEM) {
            char line[2400];
            ig_err_format(&e, line, sizeof line);
            fprintf(stderr, "allocation %d: %s\n", n, line);
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(n > 10 && n < 100000);
}

int main(void)
{
    RUN(test_gap_rules);
    RUN(test_units_and_opts);
    if (setup() != IG_OK) {
        CHECK(!"setup failed");
        return harness_done();
    }
    RUN(test_default_run);
    RUN(test_units);
    RUN(test_min_mentions_and_carry_back);
    RUN(test_positions);
    RUN(test_deterministic_and_oom);
    lex_free(LI);
    lex_free(LM);
    lex_free(LG);
    idx_close(rd);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return harness_done();
}

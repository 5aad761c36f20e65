/*
 * test_classify.c: the classify stage (stages/classify.h) on small indexes
 * built here: the scoring rules on sentence pairs (negation and its scope,
 * the sentence boundary, focus particles, privative words, quotes, overlap
 * at the highest weight, the opposite-pole rule, labels), every positions
 * row equal to the sum of its evidence rows (read back from evidence.csv),
 * sections, the bootstrap (exact cases, same bits for the same seed and any
 * thread count, bit for bit the plainly written method of classify.h
 * "Interval" on random inputs on both draw paths, the paths equal on real
 * rows and through redraws, and the moments of the replicates those of
 * plain resampling), Wordscores through the index and a bad ref_position, and
 * an allocation-failure sweep.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "classify.h"
#include "classify_int.h"
#include "csv.h"
#include "fsutil.h"
#include "harness.h"
#include "index.h"
#include "lexicon.h"
#include "out.h"

static char tmpdir[256];

static const char *positions_tsv =
    "pole\tdimension\tweight\tpattern\tnote\n"
    "multilateral\tstructure\t1\t\"intergovernmental body\"\tx\n"
    "multistakeholder\tgeneral\t1\tmultistakeholder\tx\n"
    "multistakeholder\tgeneral\t2\t\"multistakeholder model\"\tx\n"
    "multistakeholder\tmission\t1.5\t\"technical management\"\tx\n"
    "multilateral\tparticipation\t1\t\"only governments\"\tx\n"
    "multilateral\trepresentation\t1.5\t\"equal footing\" NEAR/6 /^(governments?|states)$/\tx\n"
    "multistakeholder\trepresentation\t2\t\"equal footing\" NEAR/6 /stakeholder/\tx\n"
    "multistakeholder\tactors\t0.5\t\"civil society\"\tx\n"
    "multilateral\tactors\t0.5\t\"member =states\"\tx\n"
    "multistakeholder\tparticipation\t1\t\"open consultation\"\tx\n";

/* A lexicon where the shorter match carries the higher weight. */
static const char *positions2_tsv =
    "pole\tdimension\tweight\tpattern\tnote\n"
    "multistakeholder\tgeneral\t2\tmultistakeholder\tx\n"
    "multistakeholder\tgeneral\t1\t\"multistakeholder model\"\tx\n";

static const char *negators_tsv =
    "pattern\tscope\tnote\n"
    "\"do not support\"\t8\tx\n"
    "=not\t6\tx\n";

struct doc {
    const char *id, *group, *ref, *text;
};

/* One sentence pair or case per document (see each test). */
static const struct doc docs[] = {
    { "neg0", "gov", "-1", "We support a new intergovernmental body." },
    { "neg1", "gov", "", "We do not support a new intergovernmental body." },
    { "far", "gov", "",
      "We do not support the plan that was written by a committee last year for an "
      "intergovernmental body." },
    { "sent", "gov", "", "We do not support this. An intergovernmental body is needed." },
    { "focus1", "civil", "", "The plan covers not only technical management but also policy." },
    { "focus2", "civil", "", "Decisions must involve not only governments." },
    { "priv", "gov", "", "This does not undermine the intergovernmental body." },
    { "quote", "gov", "", "They speak of \xE2\x80\x9C" "equal footing\xE2\x80\x9D among states." },
    /* marks between the cue's words, past its first eight bytes; then
     * bytes above 127 that are no mark (the apostrophe U+2019) */
    { "quote2", "gov", "", "They speak of equal footing among \"sovereign\" states." },
    { "quote3", "gov", "",
      "They speak of equal footing among the \xE2\x80\x9C" "sovereign\xE2\x80\x9D states." },
    { "quote4", "gov", "", "Equal footing for the caf\xC3\xA9\xE2\x80\x99s governments." },
    /* one opening mark, past the cue's first 16 bytes and before its last
     * 16: found only by the look at 16 bytes a step (quote_lead_in) */
    { "quote5", "gov", "", "They speak of equal footing among the \xE2\x80\x9C" "sovereign states." },
    { "quote6", "gov", "", "They speak of equal footing among all \"sovereign states." },
    { "quote7", "gov", "", "They speak of equal footing among the \xC2\xAB" "sovereign states." },
    /* spans 0-5, 1-2 and 4-10 of test_overlap_order */
    { "chain", "tech", "", "Alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo." },
    { "model", "civil", "1", "The multistakeholder model works." },
    { "cross", "civil", "", "Governments meeting on an equal footing with stakeholders agree." },
    { "actors", "civil", "", "Civil society and Member States met." },
    { "mixed", "gov", "",
      "The multistakeholder model works. We support a new intergovernmental body." },
    { "weak", "tech", "", "An open consultation was held." },
    { "sections", "gov", "",
      "Preamble with an open consultation.\n\nQuestion 1\n\nThe multistakeholder model works.\n\n"
      "Question 2\n\nWe support a new intergovernmental body.\n" },
    { "same", "tech", "", "Multistakeholder. Multistakeholder. Multistakeholder. Multistakeholder." },
    { "boot", "civil", "", NULL }, /* built in build_index */
};
#define NDOCS (sizeof docs / sizeof docs[0])

static char *path_in(const char *name)
{
    static char p[8][400];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

static int write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_in(name), "wb");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Index docs[] (with the ref_position column) into NAME.igx and open it. */
static idx_reader *build_index(const char *name, const char *bad_ref)
{
    static const char *const cols[] = { "id", "stakeholder_group", "ref_position" };
    ig_err e;
    ig_err_clear(&e);
    char idx[400];
    snprintf(idx, sizeof idx, "%s", path_in(name));
    idx_writer *w = NULL;
    int rc = idx_writer_open(&w, idx, cols, 3, NULL, &e);
    ig_buf boot = IG_BUF_INIT;
    for (int i = 0; i < 30; i++)
        ig_buf_adds(&boot, i % 3 == 0   ? "The multistakeholder model works. "
                           : i % 3 == 1 ? "We support a new intergovernmental body. "
                                        : "Nothing was said. ");
    for (size_t i = 0; rc == IG_OK && i < NDOCS; i++) {
        const char *ref = docs[i].ref;
        if (bad_ref && strcmp(docs[i].id, "model") == 0)
            ref = bad_ref;
        const char *vals[3] = { docs[i].id, docs[i].group, ref };
        const char *text = docs[i].text ? docs[i].text : boot.data;
        rc = idx_writer_add_text(w, vals, "en", text, strlen(text), NULL, &e);
    }
    ig_buf_free(&boot);
    if (rc == IG_OK)
        rc = idx_writer_finish(w, &e);
    if (rc == IG_OK) {
        rc = idx_writer_commit(w, &e);
        w = NULL;
    }
    idx_reader *r = NULL;
    if (rc == IG_OK)
        rc = idx_open(&r, idx, &e);
    if (rc) {
        char line[1200];
        ig_err_format(&e, line, sizeof line);
        fprintf(stderr, "building the test index: %s\n", line);
        idx_writer_abort(w);
        return NULL;
    }
    return r;
}

static lex_file *load_lex(const char *name, const char *text, int kind)
{
    if (write_file(name, text) != 0)
        return NULL;
    ig_err e;
    ig_err_clear(&e);
    ig_msgs m = { 0 };
    lex_file *f = NULL;
    if (lex_load(&f, path_in(name), kind, "classify", &m, &e) != IG_OK) {
        for (size_t i = 0; i < m.n; i++)
            fprintf(stderr, "%s\n", m.items[i]);
        fprintf(stderr, "%s\n", e.msg);
    }
    ig_msgs_free(&m);
    return f;
}

static idx_reader *rd;
static lex_file *lpos, *lneg;

/* The whole file NAME of the temp directory into b (0 on success). */
static int read_all(const char *name, ig_buf *b)
{
    ig_err e;
    ig_err_clear(&e);
    return ig_read_file(path_in(name), (size_t)1 << 26, b, "test", &e);
}

/* Classify with o; evidence goes to EVNAME (when not NULL).  Returns the
 * run (NULL on failure, with the message printed). */
static cls_run *classify(const cls_opts *o, lex_file *pos, const char *evname)
{
    ig_err e;
    ig_err_clear(&e);
    cls_run *run = NULL;
    ig_out *ev = NULL;
    int rc = cls_open(&run, rd, pos, lneg, o, &e);
    if (rc == IG_OK && evname)
        rc = ig_out_open(&ev, path_in(evname), "test", &e);
    if (rc == IG_OK)
        rc = cls_score(run, ev, &e);
    if (rc == IG_OK && ev) {
        rc = ig_out_commit(ev, &e);
        ev = NULL;
    }
    if (rc == IG_OK)
        rc = cls_scale(run, &e);
    ig_out_abort(ev);
    if (rc) {
        char line[1200];
        ig_err_format(&e, line, sizeof line);
        fprintf(stderr, "classify: %s\n", line);
        cls_free(run);
        return NULL;
    }
    return run;
}

static const cls_row *row_of(const cls_run *run, const char *id, uint32_t section)
{
    for (size_t i = 0; i < cls_row_count(run); i++) {
        const cls_row *r = cls_row_get(run, i);
        if (r->section == section && strcmp(idx_doc_id(rd, r->doc), id) == 0)
            return r;
    }
    return NULL;
}

static cls_opts base_opts(void)
{
    cls_opts o;
    cls_opts_default(&o);
    o.bootstrap = 0;
    o.wordfish = 0;
    o.context = 3;
    return o;
}

#define ML(r) ((r)->weight[LEX_MULTILATERAL])
#define MS(r) ((r)->weight[LEX_MULTISTAKEHOLDER])

static void test_score_formula(void)
{
    CHECK(cls_score_of(0, 0, 3) == 0);
    CHECK(cls_score_of(0, 0, 0) == 0);
    CHECK(cls_score_of(0, 1, 3) == 0.25);
    CHECK(cls_score_of(1, 0, 3) == -0.25);
    CHECK(cls_score_of(1, 2, 1) == 0.25);
    /* tanh of half the smoothed log ratio is the same number */
    double ml = 2.5, ms = 7, k = 3;
    CHECK(fabs(tanh(0.5 * log((ms + k / 2) / (ml + k / 2))) - cls_score_of(ml, ms, k)) < 1e-15);
    CHECK_STR(cls_label_name(CLS_MIXED), "mixed");
    CHECK(cls_label_name(7) == NULL);
}

static void test_negation_pairs(void)
{
    cls_opts o = base_opts();
    cls_run *run = classify(&o, lpos, NULL);
    CHECK(run != NULL);
    if (run == NULL)
        return;
    const cls_row *a = row_of(run, "neg0", 0), *b = row_of(run, "neg1", 0);
    /* "We support" vs "We do not support" a new intergovernmental body. */
    CHECK(ML(a) == 1 && MS(a) == 0 && a->negated == 0);
    CHECK(ML(b) == 0 && MS(b) == 1 && b->negated == 1);
    CHECK(a->score < 0 && b->score > 0);
    /* Out of the negator's scope (13 tokens after "do not support"). */
    const cls_row *f = row_of(run, "far", 0);
    CHECK(ML(f) == 1 && f->negated == 0);
    /* A negator in the previous sentence does not reach. */
    const cls_row *s = row_of(run, "sent", 0);
    CHECK(ML(s) == 1 && s->negated == 0);
    /* "not only technical management but also": affirmed. */
    const cls_row *f1 = row_of(run, "focus1", 0);
    CHECK(MS(f1) == 1.5 && f1->negated == 0);
    /* "not only governments": the cue starts with "only", so negated. */
    const cls_row *f2 = row_of(run, "focus2", 0);
    CHECK(MS(f2) == 1 && ML(f2) == 0 && f2->negated == 1);
    /* "does not undermine the intergovernmental body": affirmed. */
    const cls_row *p = row_of(run, "priv", 0);
    CHECK(ML(p) == 1 && p->negated == 0);
    cls_free(run);

    /* The rules switched off: both cues negated. */
    o.focus_pattern = "";
    o.privative_pattern = "";
    run = classify(&o, lpos, NULL);
    CHECK(run != NULL);
    if (run) {
        f1 = row_of(run, "focus1", 0);
        CHECK(ML(f1) == 1.5 && MS(f1) == 0 && f1->negated == 1);
        p = row_of(run, "priv", 0);
        CHECK(MS(p) == 1 && ML(p) == 0 && p->negated == 1);
        cls_free(run);
    }

    /* Discount at 0 drops a negated cue; ignore counts it as written;
     * flip at 0.5 moves half of it. */
    o = base_opts();
    o.negation = CLS_NEG_DISCOUNT;
    o.negation_factor = 0;
    run = classify(&o, lpos, NULL);
    if (run) {
        b = row_of(run, "neg1", 0);
        CHECK(ML(b) == 0 && MS(b) == 0 && b->cues == 1 && b->negated == 1);
        cls_free(run);
    }
    o.negation = CLS_NEG_IGNORE;
    run = classify(&o, lpos, NULL);
    if (run) {
        b = row_of(run, "neg1", 0);
        CHECK(ML(b) == 1 && MS(b) == 0 && b->negated == 0);
        cls_free(run);
    }
    o.negation = CLS_NEG_FLIP;
    o.negation_factor = 0.5;
    run = classify(&o, lpos, NULL);
    if (run) {
        b = row_of(run, "neg1", 0);
        CHECK(ML(b) == 0 && MS(b) == 0.5);
        cls_free(run);
    }
}

static void test_overlap_quotes_cross(void)
{
    cls_opts o = base_opts();
    cls_run *run = classify(&o, lpos, "ev_overlap.csv");
    CHECK(run != NULL);
    if (run == NULL)
        return;
    /* "multistakeholder model" (2) and "multistakeholder" (1): one cue of 2. */
    const cls_row *m = row_of(run, "model", 0);
    CHECK(MS(m) == 2 && m->cues == 1);
    /* A quoted "equal footing ... states" is mentioned, not used. */
    const cls_row *q = row_of(run, "quote", 0);
    CHECK(q->cues == 0 && ML(q) == 0);
    CHECK(row_of(run, "quote2", 0)->cues == 0 && row_of(run, "quote3", 0)->cues == 0);
    CHECK(row_of(run, "quote4", 0)->cues == 1 && ML(row_of(run, "quote4", 0)) == 1.5);
    CHECK(row_of(run, "quote5", 0)->cues == 0);
    CHECK(row_of(run, "quote6", 0)->cues == 0);
    CHECK(row_of(run, "quote7", 0)->cues == 0);
    /* Opposite poles on the same words: both count by default. */
    const cls_row *c = row_of(run, "cross", 0);
    CHECK(ML(c) == 1.5 && MS(c) == 2 && c->cues == 2);
    CHECK(cls_entry_matches(run, 2) == 13); /* "multistakeholder model": 1 + 1 + 1 + 10 */
    cls_free(run);

    /* The merged shorter match has the higher weight: it is the weight. */
    lex_file *p2 = load_lex("pos2.tsv", positions2_tsv, LEX_POSITIONS);
    CHECK(p2 != NULL);
    if (p2) {
        run = classify(&o, p2, "ev_weight.csv");
        if (run) {
            m = row_of(run, "model", 0);
            CHECK(MS(m) == 2 && m->cues == 1);
            cls_free(run);
        }
        /* evidence: line 3 ("multistakeholder model") counted, weight_line 2 */
        ig_buf b = IG_BUF_INIT;
        CHECK(read_all("ev_weight.csv", &b) == IG_OK);
        if (b.data) {
            CHECK(strstr(b.data, "model,0,1,4,26,multistakeholder,general,2.000000,0,") != NULL);
            /* cue_weight is the merged maximum, weight_line says whose */
            CHECK(strstr(b.data, ",3,\"\"\"multistakeholder model\"\"\",multistakeholder,"
                                 "2.000000,1,2,,,The,multistakeholder model,works") != NULL);
        }
        ig_buf_free(&b);
        lex_free(p2);
    }

    /* Quotes counted when asked; the opposite-pole rule "nearest" keeps
     * the closer reading (stakeholders, 3 positions away, over governments,
     * 5 away). */
    o.quotes = CLS_QUOTES_USE;
    o.cross = CLS_CROSS_NEAREST;
    run = classify(&o, lpos, NULL);
    if (run) {
        q = row_of(run, "quote", 0);
        CHECK(ML(q) == 1.5 && q->cues == 1);
        c = row_of(run, "cross", 0);
        CHECK(ML(c) == 0 && MS(c) == 2 && c->cues == 1);
        cls_free(run);
    }
}

static void test_labels(void)
{
    cls_opts o = base_opts();
    cls_run *run = classify(&o, lpos, NULL);
    if (run == NULL)
        return;
    /* Naming actors only takes no position. */
    const cls_row *a = row_of(run, "actors", 0);
    CHECK(a->cues == 2 && a->label == CLS_NONE);
    /* Both poles near 0: mixed.  (2 - 1) / (3 + 3) = 1/6. */
    const cls_row *m = row_of(run, "mixed", 0);
    CHECK(fabs(m->score - 1.0 / 6) < 1e-15 && m->label == CLS_MIXED);
    /* One weight-1 cue: 0.25, above the 0.2 threshold. */
    const cls_row *w = row_of(run, "weak", 0);
    CHECK(w->score == 0.25 && w->label == CLS_MULTISTAKEHOLDER);
    CHECK(row_of(run, "neg0", 0)->label == CLS_MULTILATERAL);
    cls_free(run);
    /* One-sided evidence under the threshold is none, not mixed. */
    o.threshold = 0.3;
    o.min_stance_cues = 0;
    run = classify(&o, lpos, NULL);
    if (run) {
        CHECK(row_of(run, "weak", 0)->label == CLS_NONE);
        CHECK(row_of(run, "actors", 0)->label == CLS_MIXED); /* 0.5 each side */
        cls_free(run);
    }
    o = base_opts();
    o.min_cues = 2;
    run = classify(&o, lpos, NULL);
    if (run) {
        CHECK(row_of(run, "weak", 0)->label == CLS_NONE);
        CHECK(row_of(run, "mixed", 0)->label == CLS_MIXED);
        cls_free(run);
    }
}

static void test_sections(void)
{
    cls_opts o = base_opts();
    cls_run *run = classify(&o, lpos, NULL);
    if (run == NULL)
        return;
    const cls_row *s0 = row_of(run, "sections", 0), *s1 = row_of(run, "sections", 1),
                  *s2 = row_of(run, "sections", 2);
    CHECK(s0 && s1 && s2);
    if (s0 && s1 && s2) {
        /* the preamble's open consultation counts for the document only */
        CHECK(MS(s0) == 3 && ML(s0) == 1 && s0->cues == 3);
        CHECK(MS(s1) == 2 && ML(s1) == 0 && s1->cues == 1);
        CHECK(MS(s2) == 0 && ML(s2) == 1 && s2->cues == 1);
        CHECK(s1->sentences >= 1 && s2->sentences >= 1);
    }
    CHECK(row_of(run, "sections", 3) == NULL);
    CHECK(row_of(run, "neg0", 1) == NULL);
    cls_free(run);
    o.sections = 0;
    run = classify(&o, lpos, NULL);
    if (run) {
        CHECK(row_of(run, "sections", 1) == NULL);
        CHECK(row_of(run, "sections", 0) != NULL);
        cls_free(run);
    }
}

/* Every row's weights are the sums of its evidence rows (read back). */
static void test_evidence_sums(void)
{
    cls_opts o = base_opts();
    o.bootstrap = 100;
    cls_run *run = classify(&o, lpos, "ev_sums.csv");
    if (run == NULL)
        return;
    ig_buf b = IG_BUF_INIT;
    ig_err e;
    ig_err_clear(&e);
    CHECK(read_all("ev_sums.csv", &b) == IG_OK);
    if (b.data == NULL) {
        cls_free(run);
        return;
    }
    const char *data = b.data;
    size_t len = b.len;
    size_t nrows = cls_row_count(run);
    double *sum = ig_calloc(2 * nrows, sizeof *sum);
    uint32_t *cnt = ig_calloc(nrows, sizeof *cnt);
    ig_csv_reader cr;
    ig_csv_reader_init(&cr, data, len, "ev_sums.csv", "t");
    const char **f;
    const size_t *fl;
    size_t n, rows = 0;
    int rc, header = 1;
    while ((rc = ig_csv_next(&cr, &f, &fl, &n, &e)) == 1) {
        if (header) {
            CHECK(n == 21 && strcmp(f[0], "id") == 0 && strcmp(f[20], "right") == 0);
            header = 0;
            continue;
        }
        rows++;
        uint32_t sec = (uint32_t)strtoul(f[1], NULL, 10);
        int pole = strcmp(f[5], "multistakeholder") == 0;
        double w = strtod(f[7], NULL);
        for (size_t i = 0; i < nrows; i++) {
            const cls_row *r = cls_row_get(run, i);
            if (strcmp(idx_doc_id(rd, r->doc), f[0]) != 0)
                continue;
            if (r->section == 0 || r->section == sec) {
                sum[2 * i + pole] += w;
                cnt[i]++;
            }
        }
    }
    CHECK(rc == 0);
    CHECK(rows == cls_evidence_count(run));
    int all = 1;
    for (size_t i = 0; i < nrows; i++) {
        const cls_row *r = cls_row_get(run, i);
        if (sum[2 * i] != ML(r) || sum[2 * i + 1] != MS(r) || cnt[i] != r->cues) {
            all = 0;
            fprintf(stderr, "row %s/%u: evidence %g %g (%u) vs row %g %g (%u)\n",
                    idx_doc_id(rd, r->doc), r->section, sum[2 * i], sum[2 * i + 1], cnt[i],
                    ML(r), MS(r), r->cues);
        }
        if (r->score != cls_score_of(ML(r), MS(r), o.smoothing))
            all = 0;
    }
    CHECK(all);
    ig_csv_reader_free(&cr);
    ig_free(sum);
    ig_free(cnt);
    ig_buf_free(&b);
    cls_free(run);
}

/* Which same-pole cue is taken, and the order of evidence rows, on one
 * token matched by four entries: the heaviest of equal length (then the
 * earliest line) is taken, the others merged; at one position the
 * multilateral row comes first. */
static const char *positions3_tsv =
    "pole\tdimension\tweight\tpattern\tnote\n"
    "multistakeholder\tgeneral\t1\tmultistakeholder\tx\n"
    "multistakeholder\tgeneral\t2\tmultistake*\tx\n"
    "multistakeholder\tgeneral\t2\t/stakeholder/\tx\n"
    "multilateral\tstructure\t1\t=multistakeholder\tx\n";

/* Three cues of one pole in a chain of overlaps: 0-5 overlaps 1-2 and
 * 4-10, which do not overlap each other.  Longest first over the whole
 * group: 4-10 is taken and 0-5 merged into it, which frees 1-2. */
static const char *positions4_tsv =
    "pole\tdimension\tweight\tpattern\tnote\n"
    "multilateral\tgeneral\t1\t\"alpha bravo charlie delta echo foxtrot\"\tx\n"
    "multilateral\tgeneral\t1\t\"bravo charlie\"\tx\n"
    "multilateral\tgeneral\t1\t\"echo foxtrot golf hotel india juliet kilo\"\tx\n";

static void test_overlap_order(void)
{
    lex_file *p3 = load_lex("pos3.tsv", positions3_tsv, LEX_POSITIONS);
    CHECK(p3 != NULL);
    if (p3 == NULL)
        return;
    cls_opts o = base_opts();
    cls_run *run = classify(&o, p3, "ev_order.csv");
    CHECK(run != NULL);
    ig_buf b = IG_BUF_INIT;
    ig_err e;
    ig_err_clear(&e);
    if (run && read_all("ev_order.csv", &b) == IG_OK) {
        ig_csv_reader cr;
        ig_csv_reader_init(&cr, b.data, b.len, "ev_order.csv", "t");
        const char **f;
        const size_t *fl;
        size_t n, k = 0;
        int ok = 1;
        while (ig_csv_next(&cr, &f, &fl, &n, &e) == 1) {
            if (n != 21 || strcmp(f[0], "same") != 0)
                continue;
            /* pole, line, merged, weight_line */
            const char *want = k % 2 == 0 ? "multilateral 5 0 5" : "multistakeholder 3 2 3";
            char got[200];
            snprintf(got, sizeof got, "%s %s %s %s", f[5], f[10], f[14], f[15]);
            ok &= strcmp(got, want) == 0;
            k++;
        }
        CHECK(ok && k == 8);
        ig_csv_reader_free(&cr);
    }
    ig_buf_free(&b);
    cls_free(run);
    lex_free(p3);

    lex_file *p4 = load_lex("pos4.tsv", positions4_tsv, LEX_POSITIONS);
    CHECK(p4 != NULL);
    run = p4 ? classify(&o, p4, "ev_chain.csv") : NULL;
    CHECK(run != NULL);
    if (run && read_all("ev_chain.csv", &b) == IG_OK) {
        ig_csv_reader cr;
        ig_csv_reader_init(&cr, b.data, b.len, "ev_chain.csv", "t");
        const char **f;
        const size_t *fl;
        size_t n;
        char got[200] = "";
        while (ig_csv_next(&cr, &f, &fl, &n, &e) == 1)
            if (n == 21 && strcmp(f[0], "chain") == 0) /* line, merged */
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s:%s ", f[10], f[14]);
        CHECK_STR(got, "3:0 4:1 ");
        ig_csv_reader_free(&cr);
    }
    ig_buf_free(&b);
    cls_free(run);
    lex_free(p4);
}

/* Each evidence row's entry columns agree with its lexicon entries: rows
 * are assembled from pieces encoded once per entry (classify_ev.c), a
 * whole middle for a cue counted as itself and single pieces otherwise
 * (negated, flipped, merged); both kinds must say the same as the
 * lexicons. */
/* A text cell read back is the text, after the apostrophe that csv.h puts
 * before a leading = + - @ or control (formula neutralisation). */
static int same_cell(const char *got, const char *text)
{
    if (text[0] && strchr("=+-@\t\r\n", text[0]))
        return got[0] == '\'' && strcmp(got + 1, text) == 0;
    return strcmp(got, text) == 0;
}

static void check_ev_columns(const char *evname, lex_file *pos, const cls_opts *o, int *kinds)
{
    ig_buf b = IG_BUF_INIT;
    ig_err e;
    ig_err_clear(&e);
    CHECK(read_all(evname, &b) == IG_OK);
    if (b.data == NULL)
        return;
    ig_csv_reader cr;
    ig_csv_reader_init(&cr, b.data, b.len, evname, "t");
    const char **f;
    const size_t *fl;
    size_t n;
    int rc, header = 1, all = 1;
    while ((rc = ig_csv_next(&cr, &f, &fl, &n, &e)) == 1) {
        if (header) {
            header = 0;
            continue;
        }
        CHECK(n == 21);
        if (n != 21)
            break;
        uint64_t line = strtoull(f[10], NULL, 10), wline = strtoull(f[15], NULL, 10);
        size_t j = SIZE_MAX, wj = SIZE_MAX, nj = SIZE_MAX;
        for (size_t i = 0; i < lex_count(pos); i++) {
            j = lex_entry_line(pos, i) == line ? i : j;
            wj = lex_entry_line(pos, i) == wline ? i : wj;
        }
        int negated = fl[16] > 0;
        for (size_t i = 0; negated && i < lex_count(lneg); i++)
            if (lex_entry_line(lneg, i) == strtoull(f[16], NULL, 10))
                nj = i;
        if (j == SIZE_MAX || wj == SIZE_MAX || (negated && nj == SIZE_MAX)) {
            all = 0;
            continue;
        }
        int pole = lex_entry_pole(pos, j);
        if (negated && o->negation == CLS_NEG_FLIP)
            pole = 1 - pole;
        char w[64], cw[64];
        double wt = lex_entry_weight(pos, wj);
        ig_fmt_double(w, sizeof w, negated ? wt * o->negation_factor : wt, 6);
        ig_fmt_double(cw, sizeof cw, wt, 6);
        uint64_t merged = strtoull(f[14], NULL, 10);
        int ok = strcmp(f[5], lex_pole_name(pole)) == 0 &&
                 strcmp(f[6], lex_dimension_name(lex_entry_dimension(pos, j))) == 0 &&
                 strcmp(f[7], w) == 0 && strcmp(f[8], negated ? "1" : "0") == 0 &&
                 strcmp(f[9], lex_file_path(pos)) == 0 &&
                 same_cell(f[11], lex_entry_text(pos, j)) &&
                 strcmp(f[12], lex_pole_name(lex_entry_pole(pos, j))) == 0 &&
                 strcmp(f[13], cw) == 0 && (wj == j || merged > 0) &&
                 same_cell(f[17], negated ? lex_entry_text(lneg, nj) : "");
        if (!ok) {
            all = 0;
            fprintf(stderr, "%s: row %s %s: entry columns disagree with the lexicon\n", evname,
                    f[0], f[3]);
        }
        kinds[negated ? 1 : merged > 0 ? 2 : 0]++;
    }
    CHECK(rc == 0 && !header);
    CHECK(all);
    ig_csv_reader_free(&cr);
    ig_buf_free(&b);
}

static void test_evidence_columns(void)
{
    lex_file *p2 = load_lex("pos2c.tsv", positions2_tsv, LEX_POSITIONS);
    CHECK(p2 != NULL);
    int kinds[3] = { 0, 0, 0 }; /* rows: plain, negated, merged */
    for (int k = 0; k < 4; k++) {
        cls_opts o = base_opts();
        o.negation = k & 1 ? CLS_NEG_DISCOUNT : CLS_NEG_FLIP;
        o.negation_factor = k & 1 ? 0.25 : 1;
        lex_file *pos = k < 2 ? lpos : p2;
        if (pos == NULL)
            continue;
        cls_run *run = classify(&o, pos, "ev_cols.csv");
        CHECK(run != NULL);
        if (run == NULL)
            continue;
        check_ev_columns("ev_cols.csv", pos, &o, kinds);
        cls_free(run);
    }
    /* every way of assembling a row was taken */
    CHECK(kinds[0] > 0 && kinds[1] > 0 && kinds[2] > 0);
    lex_free(p2);
}

/* ---- the interval, written plainly (classify.h "Interval") ------------------
 * The reference for cls_bootstrap, which batches the counts, sums exact
 * weights as integers, walks a guide table, runs eight lanes in AVX-512
 * registers and takes quantiles with small heaps: it must give the same
 * bits on either path. */
typedef struct ref_rng {
    uint64_t s[4];
} ref_rng;

static uint64_t ref_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t ref_next(ref_rng *g)
{
    uint64_t *s = g->s, res = ref_rotl(s[0] + s[3], 23) + s[0], t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return res;
}

static unsigned long ref_rejections; /* redraws, to see that tests reach them */

/* Lemire's bounded draw of the 32-bit v, a rejected value replaced by the
 * high half of the lane's next output. */
static uint32_t ref_below(ref_rng *g, uint32_t v, uint32_t n)
{
    uint64_t m = (uint64_t)v * n;
    uint32_t fl = (uint32_t)(0u - n) % n;
    while ((uint32_t)m < fl) {
        ref_rejections++;
        m = (ref_next(g) >> 32) * n;
    }
    return (uint32_t)(m >> 32);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double ref_q7(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n || h == (double)i)
        return sorted[i];
    return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

static void ref_bootstrap(const double *sml, const double *sms, uint32_t m, uint32_t S,
                          const cls_opts *o, const char *id, uint32_t section, double *lo,
                          double *hi)
{
    uint32_t B = o->bootstrap;
    double *rep = malloc(B * sizeof *rep), *cdf = malloc((S + 1) * sizeof *cdf);
    uint64_t *C = malloc((S + 1) * sizeof *C);
    uint32_t *T = malloc(B * sizeof *T);
    double p = (double)m / S, lr = log(p) - log1p(-p), lp = (double)S * log1p(-p), acc = 0;
    for (uint32_t k = 0; k <= S && m < S; k++) {
        acc += exp(lp);
        cdf[k] = acc;
        if (k < S)
            lp += log((double)(S - k)) - log((double)k + 1) + lr;
    }
    for (uint32_t k = 0; k < S && m < S; k++)
        C[k] = (uint64_t)(cdf[k] / cdf[S] * 0x1.0p53);
    C[S] = (uint64_t)1 << 53;
    /* Eight lanes seeded from consecutive splitmix64 outputs. */
    ref_rng g[8];
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *c = id; *c; c++) {
        h ^= (unsigned char)*c;
        h *= 0x100000001b3ull;
    }
    uint64_t x = o->seed ^ ref_rotl(h, 17) ^ ((uint64_t)section * 0xd1342543de82ef95ull);
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < 4; i++)
            g[l].s[i] = ref_splitmix(&x);
    for (uint32_t l = 0; l < 8; l++) {
        /* Lane l: the counts of its replicates l, l + 8, ..., then their draws. */
        for (uint32_t b = l; b < B; b += 8) {
            T[b] = S;
            if (m < S) { /* bisection for the first k with U < C[k] */
                uint64_t U = ref_next(&g[l]) >> 11;
                uint32_t a = 0, z = S;
                while (a < z) {
                    uint32_t mid = a + (z - a) / 2;
                    if (U < C[mid])
                        z = mid;
                    else
                        a = mid + 1;
                }
                T[b] = a;
            }
        }
        for (uint32_t b = l; b < B; b += 8) {
            double ml = 0, ms = 0;
            for (uint32_t t = 0; t < T[b]; t += 2) {
                uint64_t v = ref_next(&g[l]);
                uint32_t i = ref_below(&g[l], (uint32_t)(v >> 32), m);
                ml += sml[i];
                ms += sms[i];
                if (t + 1 < T[b]) {
                    i = ref_below(&g[l], (uint32_t)v, m);
                    ml += sml[i];
                    ms += sms[i];
                }
            }
            rep[b] = cls_score_of(ml, ms, o->smoothing);
        }
    }
    qsort(rep, B, sizeof *rep, cmp_double);
    *lo = ref_q7(rep, B, 0.025);
    *hi = ref_q7(rep, B, 0.975);
    free(rep);
    free(cdf);
    free(C);
    free(T);
}

/* cls_bootstrap on path (enum cls_boot_path) against the reference. */
static int boot_same(cls_boot *w, const double *sml, const double *sms, uint32_t m,
                     uint32_t S, cls_opts o, int path, uint32_t section)
{
    double lo, hi, rlo, rhi;
    o.boot_path = path;
    if (cls_bootstrap(w, sml, sms, m, S, &o, "doc-x", section, &lo, &hi) != IG_OK)
        return 0;
    ref_bootstrap(sml, sms, m, S, &o, "doc-x", section, &rlo, &rhi);
    if (memcmp(&lo, &rlo, sizeof lo) == 0 && memcmp(&hi, &rhi, sizeof hi) == 0)
        return 1;
    fprintf(stderr, "bootstrap path %d m=%u S=%u B=%u: %.17g %.17g, reference %.17g %.17g\n",
            path, m, S, o.bootstrap, lo, hi, rlo, rhi);
    return 0;
}

/* Every path against the reference: sizes on either side of the register
 * tables (8, 16, 32 sentences) and of the quantile shortcut (128 and about
 * 1300 replicates), replicate counts that are not a multiple of the eight
 * lanes, exact and inexact weights, S = m and S > m. */
static void test_bootstrap_reference(void)
{
    static const double exact_w[] = { 0, 0.5, 1, 1.5, 2, 3.5, 0.25, 1024 };
    static const double other_w[] = { 0, 0.3, 1, 0.15, 0.7, 2 };
    static const uint32_t ms_[] = { 1, 2, 3, 5, 8, 9, 16, 17, 32, 33, 60 };
    static const unsigned Bs[] = { 1, 2, 7, 40, 127, 128, 1000, 1003, 1400 };
    cls_boot w;
    memset(&w, 0, sizeof w);
    uint64_t x = 12345;
    unsigned same = 0, cases = 0;
    for (size_t mi = 0; mi < sizeof ms_ / sizeof ms_[0]; mi++) {
        for (int sk = 0; sk < 4; sk++) {
            for (int exact = 0; exact < 2; exact++) {
                uint32_t m = ms_[mi];
                uint32_t S = sk == 0 ? m : sk == 1 ? m + 1 : sk == 2 ? 3 * m : 400;
                double sml[60], sms[60];
                for (uint32_t i = 0; i < m; i++) {
                    uint64_t r = ref_splitmix(&x);
                    const double *wt = exact ? exact_w : other_w;
                    size_t nw = exact ? sizeof exact_w / sizeof exact_w[0]
                                      : sizeof other_w / sizeof other_w[0];
                    sml[i] = wt[r % nw];
                    sms[i] = wt[(r >> 8) % nw];
                    if (sml[i] == 0 && sms[i] == 0)
                        sms[i] = 1;
                }
                cls_opts o = base_opts();
                o.bootstrap = Bs[(mi * 2 + (size_t)sk + (size_t)exact) % (sizeof Bs / sizeof Bs[0])];
                o.seed = ref_splitmix(&x) % 1000;
                o.smoothing = exact ? 3 : 1;
                same += boot_same(&w, sml, sms, m, S, o, CLS_BOOT_SCALAR, (uint32_t)sk);
                same += boot_same(&w, sml, sms, m, S, o, CLS_BOOT_AVX512, (uint32_t)sk);
                same += boot_same(&w, sml, sms, m, S, o, CLS_BOOT_AVX2, (uint32_t)sk);
                cases += 3;
            }
        }
    }
    CHECK_EQ(same, cases);
    CHECK(cases == 264);
    cls_boot_free(&w);
}

/* The vector path equals the plain one bit for bit where a draw is
 * rejected and drawn again: m = 171730 sentences, where 2^32 mod m leaves
 * 4e-5 of the 32-bit values rejected, so eight replicates of about m draws
 * each redraw dozens of times, in both halves of the outputs; and m =
 * 65026 (1.5e-5 rejected: a few redraws in eight replicates), whose
 * weights in units of 2^-1 times ceil(S / 2) stay below 2^16, so the
 * vector path sums them packed in 16 bits and draws each lane as one
 * stream (classify_int.h cls_boot_row.pk32, v_stream; the AVX2 path, finding
 * a rejected draw in its stream, draws the row plainly).  The comparisons
 * are real only on a CPU with AVX-512 and AVX2 (else those runs are plain;
 * the reference still checks the redraw rule). */
static void test_bootstrap_redraw(void)
{
    static const uint32_t ms_[] = { 171730, 65026 };
    unsigned same = 0;
    for (size_t mi = 0; mi < 2; mi++) {
        const uint32_t m = ms_[mi];
        double *sml = malloc(m * sizeof *sml), *sms = malloc(m * sizeof *sms);
        CHECK(sml && sms);
        if (sml == NULL || sms == NULL) {
            free(sml);
            free(sms);
            return;
        }
        for (uint32_t i = 0; i < m; i++) {
            sml[i] = (i % 7 == 0) ? 1 : 0;
            sms[i] = (i % 5 == 0) ? 0.5 : 0;
        }
        cls_boot w;
        memset(&w, 0, sizeof w);
        for (uint32_t sk = 0; sk < 2; sk++) {
            cls_opts o = base_opts();
            o.bootstrap = 8;
            uint32_t S = sk == 0 ? m : mi == 0 ? m + m / 3 : m + 100;
            ref_rejections = 0;
            same += boot_same(&w, sml, sms, m, S, o, CLS_BOOT_SCALAR, sk);
            same += boot_same(&w, sml, sms, m, S, o, CLS_BOOT_AVX512, sk);
            same += boot_same(&w, sml, sms, m, S, o, CLS_BOOT_AVX2, sk);
            /* Each boot_same ran the reference once. */
            CHECK(ref_rejections > (mi == 0 ? 30u : 3u));
        }
        cls_boot_free(&w);
        free(sml);
        free(sms);
    }
    CHECK_EQ(same, 12);
}

/* The vector paths against the plain one on many rows, replicate by
 * replicate (cls_boot.rep: all B scores, not only the interval) and the
 * interval: m on either side of the register tables (8, 16, 32 and 64
 * sentences), B on either side of every multiple of four and eight lanes
 * and of the quantile shortcut (128), S = m, S + 1, about 32 (the counts'
 * small rule) and large, exact weights (packed in 16 bits, or too heavy for
 * that) and inexact ones; one scratch for all rows, as a worker has.  Real
 * only where the CPU has the path (main says when it does not). */
static void test_bootstrap_vector_rows(void)
{
    static const uint32_t ms_[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64,
                                    65, 200 };
    static const unsigned Bs[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 127, 128, 129, 1000,
                                   1001, 1004 };
    static const double exact_w[] = { 0, 0.5, 1, 1.5, 2 };
    static const double heavy_w[] = { 0, 1, 300, 2047.5 };
    static const double other_w[] = { 0, 0.3, 1, 0.15, 0.7 };
    const size_t nm = sizeof ms_ / sizeof ms_[0], nb = sizeof Bs / sizeof Bs[0];
    cls_boot w;
    memset(&w, 0, sizeof w);
    double *plain = malloc(1004 * sizeof *plain), sml[200], sms[200];
    CHECK(plain != NULL);
    if (plain == NULL)
        return;
    uint64_t x = 4242;
    unsigned rows = 0, same[2] = { 0, 0 };
    for (size_t mi = 0; mi < nm; mi++) {
        for (size_t bi = 0; bi < nb; bi++) {
            uint32_t m = ms_[mi], sk = (uint32_t)((mi * 5 + bi) % 6);
            uint32_t S = sk == 0 ? m : sk == 1 ? m + 1 : sk == 2 ? 31 : sk == 3 ? 32
                       : sk == 4 ? 3 * m + 40 : 20000;
            if (S < m)
                S = m;
            int kind = (int)((mi + bi) % 3); /* exact, heavy, inexact */
            const double *wt = kind == 0 ? exact_w : kind == 1 ? heavy_w : other_w;
            size_t nw = kind == 1 ? 4 : 5;
            for (uint32_t i = 0; i < m; i++) {
                uint64_t rr = ref_splitmix(&x);
                sml[i] = wt[rr % nw];
                sms[i] = wt[(rr >> 8) % nw];
                if (sml[i] == 0 && sms[i] == 0)
                    sms[i] = 1;
            }
            cls_opts o = base_opts();
            o.bootstrap = Bs[bi];
            o.seed = ref_splitmix(&x) % 100000;
            o.smoothing = kind == 2 ? 1 : 3;
            double lo, hi, vlo, vhi;
            o.boot_path = CLS_BOOT_SCALAR;
            if (cls_bootstrap(&w, sml, sms, m, S, &o, "row", sk, &lo, &hi) != IG_OK)
                break;
            memcpy(plain, w.rep, o.bootstrap * sizeof *plain);
            rows++;
            for (int v = 0; v < 2; v++) {
                o.boot_path = v == 0 ? CLS_BOOT_AVX2 : CLS_BOOT_AVX512;
                memset(w.rep, 0xff, o.bootstrap * sizeof *w.rep); /* no stale scores */
                if (cls_bootstrap(&w, sml, sms, m, S, &o, "row", sk, &vlo, &vhi) != IG_OK)
                    continue;
                if (memcmp(plain, w.rep, o.bootstrap * sizeof *plain) == 0 &&
                    memcmp(&lo, &vlo, sizeof lo) == 0 && memcmp(&hi, &vhi, sizeof hi) == 0)
                    same[v]++;
                else
                    fprintf(stderr, "path %d differs: m=%u S=%u B=%u kind %d\n", o.boot_path, m,
                            S, o.bootstrap, kind);
            }
        }
    }
    CHECK_EQ(rows, (unsigned)(nm * nb));
    CHECK_EQ(same[0], rows);
    CHECK_EQ(same[1], rows);
    free(plain);
    cls_boot_free(&w);
}

/* The draws are the plain resampling: over many replicates, the mean and
 * variance of a replicate's MS (read back from its score: ML = 0, so score
 * = MS / (MS + k)) match those of S sentences drawn uniformly with
 * replacement from the S (the m with cues and S - m weighing 0): mean
 * S E[w], variance S Var(w).  Tolerances: 6 standard errors of the mean
 * (sqrt(Var / B)) and of the variance (Var sqrt(2 / (B - 1)), the sum of S
 * draws being close to normal).  Fixed seeds, so the outcome is fixed; a
 * wrong count distribution, a biased index or a lost draw moves the mean or
 * the variance by far more.  Every path. */
static void test_bootstrap_moments(void)
{
    static const struct {
        uint32_t m, S;
        int one;  /* weight on sentence 0 only (else 1 + i mod 4) */
    } cs[] = { { 20, 50, 0 }, { 20, 20, 0 }, { 7, 300, 0 }, { 40, 41, 1 }, { 100, 400, 0 } };
    const uint32_t B = 40000;
    cls_boot w;
    memset(&w, 0, sizeof w);
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        uint32_t m = cs[c].m, S = cs[c].S;
        double sml[100], sms[100], sw = 0, sw2 = 0;
        for (uint32_t i = 0; i < m; i++) {
            sml[i] = 0;
            sms[i] = cs[c].one ? (i == 0) : 1 + (double)(i % 4);
            sw += sms[i];
            sw2 += sms[i] * sms[i];
        }
        double ew = sw / S, vw = sw2 / S - ew * ew;
        double mean_want = S * ew, var_want = S * vw;
        for (int path = CLS_BOOT_SCALAR; path <= CLS_BOOT_AVX2; path++) {
            cls_opts o = base_opts();
            o.bootstrap = B;
            o.seed = 77 + c;
            o.boot_path = path;
            double lo, hi;
            CHECK(cls_bootstrap(&w, sml, sms, m, S, &o, "moments", 0, &lo, &hi) == IG_OK);
            double s1 = 0, s2 = 0;
            for (uint32_t b = 0; b < B; b++) {
                double sc = w.rep[b], v = o.smoothing * sc / (1 - sc);
                s1 += v;
                s2 += v * v;
            }
            double mean = s1 / B, var = (s2 - B * mean * mean) / (B - 1);
            double se_mean = sqrt(var_want / B), se_var = var_want * sqrt(2.0 / (B - 1));
            int ok = fabs(mean - mean_want) < 6 * se_mean && fabs(var - var_want) < 6 * se_var;
            if (!ok)
                fprintf(stderr, "moments m=%u S=%u path %d: mean %g (want %g, se %g), "
                                "var %g (want %g, se %g)\n",
                        m, S, path, mean, mean_want, se_mean, var, var_want, se_var);
            CHECK(ok);
        }
    }
    cls_boot_free(&w);
}

/* Evidence cells are encoded on the worker threads (classify_ev.c): the
 * same bytes as csv.h's writer, and the context white-space rule. */
static void test_evidence_cells(void)
{
    static const char *const cells[] = { "plain", "", "a,b", "say \"hi\"", "=1+2", "-5",
                                         "+x", "@home", "\tx", "\rx", "\nx", "a;b", "a\tb",
                                         "x\ny", "\"", "=\"q\"", "caf\xC3\xA9", NULL };
    const char *path = path_in("cells.csv");
    ig_out *o = NULL;
    ig_err e;
    ig_err_clear(&e);
    CHECK(ig_out_open(&o, path, "test", &e) == IG_OK);
    ig_buf mine = IG_BUF_INIT;
    if (o) {
        ig_csv_writer cw;
        ig_csv_writer_init(&cw, o, 0);
        for (size_t i = 0; cells[i]; i++) {
            char buf[64];
            size_t n = strlen(cells[i]);
            size_t k = cls_cell_put(buf, cells[i], n);
            CHECK(k <= CLS_CELL_MAX(n));
            ig_buf_add(&mine, buf, k);
            ig_buf_addc(&mine, '\n');
            ig_csv_text(&cw, cells[i], n);
            ig_csv_endrow(&cw);
        }
        CHECK(ig_out_commit(o, &e) == IG_OK);
        ig_buf theirs = IG_BUF_INIT;
        CHECK(read_all("cells.csv", &theirs) == IG_OK);
        CHECK(theirs.len == mine.len && memcmp(theirs.data, mine.data, mine.len) == 0);
        ig_buf_free(&theirs);
    }
    ig_buf_free(&mine);
    static const struct {
        const char *in;
        int ts, te;
        const char *out;
    } ctx[] = {
        { "a  b", 0, 0, "a  b" },
        { "a \n b", 0, 0, "a b" },
        { "a\t\tb", 0, 0, "a b" },
        { "  x,y ", 1, 1, "\"x,y\"" },
        { "  x,y ", 0, 0, "\"  x,y \"" },
        { "=1+2", 0, 0, "\"'=1+2\"" },
        { "\t=x", 1, 0, "\"'=x\"" },
        { "\t=x", 0, 0, " =x" },
        { "say \"hi\"\r\n", 0, 1, "\"say \"\"hi\"\"\"" },
        { "@\"", 0, 0, "\"'@\"\"\"" },
        { "a;b\fc", 0, 0, "\"a;b c\"" },
        { " \n ", 1, 1, "" },
        { "", 0, 0, "" },
    };
    for (size_t i = 0; i < sizeof ctx / sizeof ctx[0]; i++) {
        char buf[64];
        size_t n = strlen(ctx[i].in);
        size_t k = cls_ctx_cell(buf, ctx[i].in, n, ctx[i].ts, ctx[i].te);
        CHECK(k <= CLS_CELL_MAX(n));
        buf[k] = '\0';
        CHECK_STR(buf, ctx[i].out);
    }
    /* Longer contexts take the word-at-a-time scans: random strings over
     * the bytes that matter, every length to 120, against the rule written
     * out plainly. */
    static const char alpha[] = "ab ,;\"=+-@\t\n\r\v\f\x01\xC3";
    /* every third string without the bytes of the general rule, so that
     * long ones also take the plain copy (quoted or not) */
    static const char tame[] = "ab ,;=+-@\xC3";
    uint64_t seed = 12345;
    for (int iter = 0; iter < 8000; iter++) {
        char in[128], want[300];
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = (size_t)(seed >> 33) % (iter < 2000 ? 41 : 121);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            /* mostly letters, so that both paths run */
            unsigned r = (unsigned)(seed >> 40);
            in[i] = r % 4         ? (char)('a' + r % 26)
                    : iter % 3 == 2 ? tame[(r >> 8) % (sizeof tame - 1)]
                                    : alpha[(r >> 8) % (sizeof alpha - 1)];
        }
        int ts = iter & 1, te = (iter >> 1) & 1;
        /* the rule: trim, clean the white-space runs, then csv.h's quoting */
        size_t a = 0, z = n;
        while (ts && a < z && strchr(" \t\n\v\f\r", in[a]) && in[a])
            a++;
        while (te && z > a && strchr(" \t\n\v\f\r", in[z - 1]) && in[z - 1])
            z--;
        char clean[128];
        size_t m = 0;
        for (size_t i = a; i < z;) {
            if (!strchr(" \t\n\v\f\r", in[i]) || !in[i]) {
                clean[m++] = in[i++];
                continue;
            }
            size_t j = i;
            int plain = 1;
            while (j < z && in[j] && strchr(" \t\n\v\f\r", in[j]))
                plain &= in[j++] == ' ';
            if (plain)
                while (i < j)
                    clean[m++] = in[i++];
            else
                clean[m++] = ' ';
            i = j;
        }
        int neutral = m > 0 && strchr("=+-@", clean[0]) && clean[0];
        int quote = neutral || memchr(clean, ',', m) || memchr(clean, ';', m) ||
                    memchr(clean, '"', m);
        size_t w = 0;
        if (quote)
            want[w++] = '"';
        if (neutral)
            want[w++] = '\'';
        for (size_t i = 0; i < m; i++) {
            if (clean[i] == '"')
                want[w++] = '"';
            want[w++] = clean[i];
        }
        if (quote)
            want[w++] = '"';
        /* on buffers of exactly the sizes allowed, for ASan to see */
        char *hin = malloc(n ? n : 1), *hout = malloc(CLS_CELL_MAX(n));
        if (hin == NULL || hout == NULL) {
            CHECK(!"out of memory");
            free(hin);
            free(hout);
            break;
        }
        memcpy(hin, in, n);
        size_t k = cls_ctx_cell(hout, hin, n, ts, te);
        CHECK(k <= CLS_CELL_MAX(n));
        CHECK(k == w && memcmp(hout, want, w) == 0);
        free(hin);
        free(hout);
    }
}

static void test_bootstrap(void)
{
    cls_opts o = base_opts();
    o.bootstrap = 1000;
    cls_run *r1 = classify(&o, lpos, "ev_t1.csv");
    o.threads = 3;
    cls_run *r3 = classify(&o, lpos, "ev_t3.csv");
    o.threads = 1;
    o.seed = 2;
    cls_run *r2 = classify(&o, lpos, NULL);
    CHECK(r1 && r2 && r3);
    if (r1 && r2 && r3) {
        /* Same seed, any thread count and any block size (one document
         * per block moves the postings cache through every range): the
         * same bits, rows and evidence. */
        CHECK(cls_row_count(r1) == cls_row_count(r3));
        CHECK(memcmp(cls_row_get(r1, 0), cls_row_get(r3, 0),
                     cls_row_count(r1) * sizeof(cls_row)) == 0);
        ig_buf a = IG_BUF_INIT, b = IG_BUF_INIT;
        CHECK(read_all("ev_t1.csv", &a) == IG_OK && read_all("ev_t3.csv", &b) == IG_OK);
        CHECK(a.len > 100 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        ig_buf_free(&a);
        ig_buf_free(&b);
        /* Every sentence holds the same cue: every replicate is the score. */
        const cls_row *s = row_of(r1, "same", 0);
        CHECK(s->cues == 4 && s->lo == s->score && s->hi == s->score);
        /* A row without cues has no interval. */
        CHECK(isnan(row_of(r1, "actors", 0)->lo) == 0);
        const cls_row *z = row_of(r1, "sections", 1);
        CHECK(z && !isnan(z->lo));
        /* 30 sentences, a third each pole, a third empty. */
        const cls_row *x1 = row_of(r1, "boot", 0), *x2 = row_of(r2, "boot", 0);
        CHECK(x1->cues == 20 && x1->sentences == 30);
        CHECK(x1->lo < x1->score && x1->score < x1->hi);
        CHECK(x1->lo > -1 && x1->hi < 1);
        /* Another seed, another sample. */
        CHECK(x1->lo != x2->lo || x1->hi != x2->hi);
        CHECK(x1->score == x2->score);
    }
    for (unsigned bd = 1; bd <= 3 && r1; bd++) {
        cls_opts ob = base_opts();
        ob.bootstrap = 1000;
        ob.block_docs = bd;
        ob.threads = bd;
        cls_run *rb = classify(&ob, lpos, "ev_blocks.csv");
        CHECK(rb != NULL);
        if (rb == NULL)
            continue;
        CHECK(cls_row_count(r1) == cls_row_count(rb));
        CHECK(cls_row_count(r1) == cls_row_count(rb) &&
              memcmp(cls_row_get(r1, 0), cls_row_get(rb, 0),
                     cls_row_count(r1) * sizeof(cls_row)) == 0);
        CHECK(cls_evidence_count(r1) == cls_evidence_count(rb));
        for (size_t i = 0; i < lex_count(lpos) + lex_count(lneg); i++)
            CHECK(cls_entry_matches(r1, i) == cls_entry_matches(rb, i));
        ig_buf a = IG_BUF_INIT, b = IG_BUF_INIT;
        CHECK(read_all("ev_t1.csv", &a) == IG_OK && read_all("ev_blocks.csv", &b) == IG_OK);
        CHECK(a.len > 100 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        ig_buf_free(&a);
        ig_buf_free(&b);
        cls_free(rb);
    }
    cls_free(r1);
    cls_free(r2);
    cls_free(r3);
    o = base_opts();
    o.bootstrap = 0;
    cls_run *r0 = classify(&o, lpos, NULL);
    if (r0) {
        CHECK(isnan(row_of(r0, "boot", 0)->lo));
        cls_free(r0);
    }
}

/* Real rows: the test corpus classified on each draw path gives the same
 * rows, bit for bit (tests/scenarios/t0508 does the same for the sample
 * corpus through the binary). */
static void test_bootstrap_paths(void)
{
    cls_opts o = base_opts();
    o.bootstrap = 1000;
    o.boot_path = CLS_BOOT_SCALAR;
    cls_run *a = classify(&o, lpos, NULL);
    o.boot_path = CLS_BOOT_AVX512;
    o.threads = 2;
    cls_run *b = classify(&o, lpos, NULL);
    o.boot_path = CLS_BOOT_AVX2;
    cls_run *c = classify(&o, lpos, NULL);
    CHECK(a && b && c);
    if (a && b && c) {
        size_t n = cls_row_count(a), with = 0;
        CHECK(n == cls_row_count(b) && n == cls_row_count(c));
        CHECK(n == cls_row_count(b) &&
              memcmp(cls_row_get(a, 0), cls_row_get(b, 0), n * sizeof(cls_row)) == 0);
        CHECK(n == cls_row_count(c) &&
              memcmp(cls_row_get(a, 0), cls_row_get(c, 0), n * sizeof(cls_row)) == 0);
        for (size_t i = 0; i < n; i++)
            with += !isnan(cls_row_get(a, i)->lo) && cls_row_get(a, i)->lo < cls_row_get(a, i)->hi;
        CHECK(with >= 3);
    }
    cls_free(a);
    cls_free(b);
    cls_free(c);
}

static void test_wordscores(void)
{
    cls_opts o = base_opts();
    o.scale_min_docs = 1;
    cls_run *run = classify(&o, lpos, NULL);
    if (run == NULL)
        return;
    const cls_row *lo = row_of(run, "neg0", 0), *hi = row_of(run, "model", 0),
                  *v = row_of(run, "mixed", 0);
    CHECK(isfinite(lo->ws_raw) && isfinite(hi->ws_raw) && isfinite(v->ws_raw));
    CHECK(lo->ws_raw < v->ws_raw && v->ws_raw < hi->ws_raw);
    /* MV puts the two references at their own scores. */
    CHECK(fabs(lo->ws_mv + 1) < 1e-12 && fabs(hi->ws_mv - 1) < 1e-12);
    CHECK(isnan(row_of(run, "sections", 1)->ws_raw));
    cls_free(run);

    /* A ref_position that is not a number is a located data error. */
    idx_reader *good = rd;
    rd = build_index("badref.igx", "left");
    CHECK(rd != NULL);
    if (rd) {
        ig_err e;
        ig_err_clear(&e);
        cls_run *r2 = NULL;
        int rc = cls_open(&r2, rd, lpos, lneg, &o, &e);
        rc = rc ? rc : cls_score(r2, NULL, &e);
        rc = rc ? rc : cls_scale(r2, &e);
        CHECK_EQ(rc, IG_EDATA);
        CHECK(strstr(e.msg, "document \"model\": ref_position \"left\" is not a number") !=
              NULL);
        cls_free(r2);
        idx_close(rd);
    }
    rd = good;
}

static void test_open_errors(void)
{
    cls_opts o = base_opts();
    ig_err e;
    cls_run *run = NULL;
    /* Lexicons of the wrong kind. */
    ig_err_clear(&e);
    CHECK_EQ(cls_open(&run, rd, lneg, lneg, &o, &e), IG_EUSAGE);
    CHECK(strstr(e.msg, "not a positions lexicon") != NULL);
    CHECK(run == NULL);
    /* Options out of range. */
    o.threshold = 1.5;
    ig_err_clear(&e);
    CHECK_EQ(cls_open(&run, rd, lpos, lneg, &o, &e), IG_EUSAGE);
    o = base_opts();
    o.wordfish_dir[0] = "nosuch";
    o.wordfish_dir[1] = "neg0";
    ig_err_clear(&e);
    CHECK_EQ(cls_open(&run, rd, lpos, lneg, &o, &e), IG_EUSAGE);
    CHECK(strstr(e.msg, "nosuch") != NULL);
    o = base_opts();
    o.focus_pattern = "\"unterminated";
    ig_err_clear(&e);
    CHECK_EQ(cls_open(&run, rd, lpos, lneg, &o, &e), IG_EDATA);
}

/* Every allocation failure is a clean IG_ENOMEM (and ASan sees no leak). */
static void test_alloc_failures(void)
{
    cls_opts o = base_opts();
    o.bootstrap = 20;
    unsigned ok = 0, nomem = 0, other = 0;
    for (uint64_t n = 1; n < 2000; n += (n < 400 ? 1 : 37)) {
        ig_err e;
        ig_err_clear(&e);
        cls_run *run = NULL;
        ig_out *ev = NULL;
        ig_alloc_fail_at(n, 0);
        int rc = cls_open(&run, rd, lpos, lneg, &o, &e);
        if (rc == IG_OK)
            rc = ig_out_open(&ev, path_in("ev_oom.csv"), "test", &e);
        if (rc == IG_OK)
            rc = cls_score(run, ev, &e);
        if (rc == IG_OK)
            rc = cls_scale(run, &e);
        ig_alloc_fail_at(0, 0);
        ig_out_abort(ev);
        cls_free(run);
        if (rc == IG_OK)
            ok++;
        else if (rc == IG_ENOMEM)
            nomem++;
        else
            other++;
    }
    CHECK(nomem > 50);
    CHECK(ok > 0);
    CHECK_EQ(other, 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igmap-test-classify-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    /* Without AVX-512 or AVX2 the comparisons of that path below run the
     * plain path twice and prove nothing: say so rather than pass in
     * silence. */
    if (cls_boot_path(CLS_BOOT_AVX512) != CLS_BOOT_AVX512)
        fprintf(stderr, "note: this CPU has no AVX-512: the bootstrap's AVX-512 path is not "
                        "compared here\n");
    if (cls_boot_path(CLS_BOOT_AVX2) != CLS_BOOT_AVX2)
        fprintf(stderr, "note: this CPU has no AVX2: the bootstrap's AVX2 path is not "
                        "compared here\n");
    rd = build_index("t.igx", NULL);
    lpos = load_lex("pos.tsv", positions_tsv, LEX_POSITIONS);
    lneg = load_lex("neg.tsv", negators_tsv, LEX_NEGATORS);
    RUN(test_score_formula);
    if (rd && lpos && lneg) {
        RUN(test_negation_pairs);
        RUN(test_overlap_quotes_cross);
        RUN(test_labels);
        RUN(test_sections);
        RUN(test_evidence_sums);
        RUN(test_evidence_columns);
        RUN(test_overlap_order);
        RUN(test_bootstrap);
        RUN(test_bootstrap_reference);
        RUN(test_bootstrap_redraw);
        RUN(test_bootstrap_vector_rows);
        RUN(test_bootstrap_moments);
        RUN(test_bootstrap_paths);
        RUN(test_evidence_cells);
        RUN(test_wordscores);
        RUN(test_open_errors);
        RUN(test_alloc_failures);
    } else {
        CHECK(!"test index and lexicons built");
    }
    idx_close(rd);
    lex_free(lpos);
    lex_free(lneg);
    static const char *const files[] = { "t.igx", "badref.igx", "pos.tsv", "pos2.tsv",
                                         "neg.tsv", "ev_overlap.csv", "ev_weight.csv",
                                         "ev_sums.csv", "ev_t1.csv", "ev_t3.csv", "ev_oom.csv",
                                         "cells.csv", "ev_blocks.csv", NULL };
    for (size_t i = 0; files[i]; i++)
        unlink(path_in(files[i]));
    rmdir(tmpdir);
    return harness_done();
}

/*
 * report.c: the model behind out/NAME/report.html.  rep_open() reads every
 * table of the output directory by column name (report.h "Inputs"), checks
 * it, selects the evidence rows to quote and cuts their sentences out of
 * the index, so that everything that can fail on input fails before a byte
 * is written; report_page.c then lays the page out from the rep_doc built
 * here (report_int.h), with the charts of report_svg.c.
 *
 * Pipeline place: the last stage, after map (required tables), classify
 * and provenance (optional ones).  Only the evidence rows quoted are kept
 * from map_evidence.csv, so memory holds the small tables, the selected
 * rows and one document's text at a time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "csv.h"
#include "fsutil.h"
#include "index.h"
#include "report.h"
#include "report_int.h"

#define STAGE "report"


/* A text cell as written by csv.h, without the "'" that neutralised a
 * leading formula character. */
const char *rep_cell_text(const char *s)
{
    if (s[0] == '\'' && s[1] && strchr("=+-@\t\r\n", s[1]))
        return s + 1;
    return s;
}

/* ======================================================================
 * Tables
 * ====================================================================== */

/* A CSV file being read: its bytes, the reader and the header. */
typedef struct csv_src {
    char path[4096];
    ig_buf data;
    ig_csv_reader r;
    int open;
    size_t ncols;
    char **cols;
} csv_src;

static void src_close(csv_src *s)
{
    if (s->open)
        ig_csv_reader_free(&s->r);
    for (size_t i = 0; i < s->ncols; i++)
        ig_free(s->cols[i]);
    ig_free(s->cols);
    ig_buf_free(&s->data);
    memset(s, 0, sizeof *s);
}

/* Open DIR/name and read its header.  *present is 0 (and IG_OK returned)
 * when an optional file does not exist. */
static int src_open(csv_src *s, const char *dir, const char *name, int required, int *present,
                    ig_err *e)
{
    memset(s, 0, sizeof *s);
    if (present)
        *present = 0;
    if (ig_path_join(s->path, sizeof s->path, dir, name) != 0)
        return ig_err_data(e, STAGE, dir, "path too long");
    struct stat st;
    if (stat(s->path, &st) != 0) {
        if (!required)
            return IG_OK;
        return ig_err_data(e, STAGE, s->path, "missing: run igmap %s first",
                           strcmp(name, "documents.csv") == 0 ? "index" : "map");
    }
    int rc = ig_read_file(s->path, REP_MAX_FILE, &s->data, STAGE, e);
    if (rc)
        return rc;
    ig_csv_reader_init(&s->r, s->data.data ? s->data.data : "", s->data.len, s->path, STAGE);
    s->open = 1;
    const char **f;
    const size_t *fl;
    size_t nf;
    int got = ig_csv_next(&s->r, &f, &fl, &nf, e);
    if (got < 0)
        return got;
    if (got == 0)
        return ig_err_set(e, IG_EDATA, STAGE, s->path, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "empty file: no header row");
    s->cols = ig_calloc(nf, sizeof *s->cols);
    if (s->cols == NULL)
        return ig_err_nomem(e, STAGE);
    for (size_t i = 0; i < nf; i++) {
        s->cols[i] = ig_strdup(f[i]);
        if (s->cols[i] == NULL)
            return ig_err_nomem(e, STAGE);
        s->ncols = i + 1;
    }
    if (present)
        *present = 1;
    return IG_OK;
}

/* Column number of name, or -1; required columns that are absent are an
 * error located at the header. */
static long src_col(csv_src *s, const char *name, int required, ig_err *e)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i], name) == 0)
            return (long)i;
    if (required)
        ig_err_set(e, IG_EDATA, STAGE, s->path, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                   "missing column \"%s\"", name);
    return -1;
}

/* Next record: 1 with its fields, 0 at the end, <0 on error (a wrong field
 * count included). */
static int src_next(csv_src *s, const char ***f, ig_err *e)
{
    const size_t *fl;
    size_t nf;
    int got = ig_csv_next(&s->r, f, &fl, &nf, e);
    if (got <= 0)
        return got;
    if (nf == 1 && fl[0] == 0 && s->ncols > 1)
        return ig_err_set(e, IG_EDATA, STAGE, s->path, s->r.rec_line, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "blank line inside the table");
    if (nf != s->ncols)
        return ig_err_set(e, IG_EDATA, STAGE, s->path, s->r.rec_line, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "expected %zu fields, got %zu", s->ncols, nf);
    return 1;
}

static int bad_cell(csv_src *s, long col, const char *v, const char *what, ig_err *e)
{
    char q[128];
    return ig_err_set(e, IG_EDATA, STAGE, s->path, s->r.rec_line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      "column \"%s\": \"%s\" is not %s", s->cols[col],
                      ig_quote(q, sizeof q, v, strlen(v)), what);
}

int rep_parse_u64(const char *v, uint64_t *out)
{
    if (*v == '\0')
        return -1;
    uint64_t r = 0;
    for (const char *c = v; *c; c++) {
        if (*c < '0' || *c > '9' || r > (UINT64_MAX - 9) / 10)
            return -1;
        r = r * 10 + (uint64_t)(*c - '0');
    }
    *out = r;
    return 0;
}

/* A count cell: a whole number. */
static int cell_u64(csv_src *s, const char **f, long col, uint64_t *out, ig_err *e)
{
    if (rep_parse_u64(f[col], out) != 0)
        return bad_cell(s, col, f[col], "a whole number", e);
    return IG_OK;
}

/* A number cell; empty gives NaN when empty_ok. */
static int cell_num(csv_src *s, const char **f, long col, int empty_ok, double *out, ig_err *e)
{
    if (f[col][0] == '\0' && empty_ok) {
        *out = NAN;
        return IG_OK;
    }
    if (ig_parse_double(f[col], strlen(f[col]), out) != 0)
        return bad_cell(s, col, f[col], "a number", e);
    return IG_OK;
}

static void rep_table_free(rep_table *t)
{
    for (size_t i = 0; t->cols && i < t->ncols; i++)
        ig_free(t->cols[i]);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        ig_free(t->cells[i]);
    ig_free(t->cols);
    ig_free(t->cells);
    ig_free(t->lines);
    memset(t, 0, sizeof *t);
}

const char *rep_cell(const rep_table *t, size_t row, long col)
{
    return col < 0 ? "" : t->cells[row * t->ncols + (size_t)col];
}

long rep_col(const rep_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return (long)i;
    return -1;
}

/* Load DIR/name whole, requiring the columns in need (NULL-terminated);
 * *present as src_open.  On error t is left empty. */
static int rep_table_load(rep_table *t, const char *dir, const char *name, int required,
                       const char *const *need, int *present, ig_err *e)
{
    memset(t, 0, sizeof *t);
    csv_src s;
    int here = 0;
    int rc = src_open(&s, dir, name, required, &here, e);
    if (present)
        *present = here;
    snprintf(t->path, sizeof t->path, "%s", s.path);
    for (size_t i = 0; rc == IG_OK && here && need && need[i]; i++)
        if (src_col(&s, need[i], 1, e) < 0)
            rc = e->code;
    t->ncols = s.ncols;
    size_t cap = 0;
    const char **f;
    int got = 0;
    while (rc == IG_OK && here && (got = src_next(&s, &f, e)) == 1) {
        if (t->nrows == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **cells = ig_reallocarray(t->cells, nc * s.ncols, sizeof *cells);
            if (cells)
                t->cells = cells;
            uint64_t *lines = cells ? ig_reallocarray(t->lines, nc, sizeof *lines) : NULL;
            if (lines == NULL) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            t->lines = lines;
            cap = nc;
        }
        char **row = t->cells + t->nrows * s.ncols;
        for (size_t c = 0; rc == IG_OK && c < s.ncols; c++)
            if ((row[c] = ig_strdup(f[c])) == NULL) {
                for (size_t k = 0; k < c; k++)
                    ig_free(row[k]);
                rc = ig_err_nomem(e, STAGE);
            }
        if (rc == IG_OK)
            t->lines[t->nrows++] = s.r.rec_line;
    }
    if (got < 0 && rc == IG_OK)
        rc = got;
    if (rc == IG_OK) {
        t->cols = s.cols; /* the header, taken over */
        s.cols = NULL;
        s.ncols = 0;
    } else {
        rep_table_free(t);
    }
    src_close(&s);
    return rc;
}

/* A located error about row `row` of t. */
static int rt_err(const rep_table *t, size_t row, ig_err *e, const char *fmt, const char *a)
{
    char q[128];
    return ig_err_set(e, IG_EDATA, STAGE, t->path, t->lines[row], IG_ERR_NOPOS, IG_ERR_NOPOS,
                      fmt, ig_quote(q, sizeof q, a, strlen(a)));
}

/* Check that column `name` of every row holds a whole number. */
static int rt_check_counts(const rep_table *t, const char *name, ig_err *e)
{
    long c = rep_col(t, name);
    if (c < 0)
        return ig_err_set(e, IG_EDATA, STAGE, t->path, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "missing column \"%s\"", name);
    char what[160];
    snprintf(what, sizeof what, "column \"%s\": \"%%s\" is not a whole number", name);
    for (size_t r = 0; r < t->nrows; r++) {
        uint64_t v;
        if (rep_parse_u64(rep_cell(t, r, c), &v) != 0)
            return rt_err(t, r, e, what, rep_cell(t, r, c));
    }
    return IG_OK;
}

static int rt_check_numbers(const rep_table *t, const char *name, ig_err *e)
{
    long c = rep_col(t, name);
    if (c < 0)
        return IG_OK;
    char what[160];
    snprintf(what, sizeof what, "column \"%s\": \"%%s\" is not a number", name);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *v = rep_cell(t, r, c);
        double d;
        if (*v && ig_parse_double(v, strlen(v), &d) != 0)
            return rt_err(t, r, e, what, v);
    }
    return IG_OK;
}

/* ======================================================================
 * The document model
 * ====================================================================== */

void rep_opts_default(rep_opts *o)
{
    o->mentions = 3;
    o->claims = 25;
    o->title = NULL;
    o->use_index = 1;
}

static int ix_cmp(const void *a, const void *b)
{
    return strcmp(((const rep_issue_ix *)a)->id, ((const rep_issue_ix *)b)->id);
}

/* Row of gaps.csv for issue id, or SIZE_MAX. */
static size_t issue_find(const rep_doc *d, const char *id)
{
    rep_issue_ix key = { id, 0 };
    const rep_issue_ix *h = d->gaps.nrows ? bsearch(&key, d->ix, d->gaps.nrows, sizeof *d->ix,
                                                ix_cmp)
                                      : NULL;
    return h ? h->row : SIZE_MAX;
}

size_t rep_issue_count(const rep_doc *d)
{
    return d->gaps.nrows;
}

size_t rep_dot_count(const rep_doc *d)
{
    return d->ndots;
}

size_t rep_evidence_count(const rep_doc *d)
{
    return d->nev;
}

static int load_gaps(rep_doc *d, ig_err *e)
{
    static const char *const need[] = {
        "issue", "cluster", "documents", "submitters", "groups", "mentions", "gap_claims",
        "gap_claim_documents", "linked_multilateral", "linked_multistakeholder",
        "linked_technical", "linked_regional", "multilateral_mechanisms",
        "multistakeholder_mechanisms", "technical_mechanisms", "regional_mechanisms",
        "positioned", "position_mean", "position_sd", "gap_type", "gap_reason", NULL
    };
    int rc = rep_table_load(&d->gaps, d->dir, "gaps.csv", 1, need, NULL, e);
    static const char *const counts[] = {
        "documents", "submitters", "groups", "mentions", "gap_claims", "gap_claim_documents",
        "linked_multilateral", "linked_multistakeholder", "linked_technical",
        "linked_regional", NULL
    };
    for (size_t i = 0; rc == IG_OK && counts[i]; i++)
        rc = rt_check_counts(&d->gaps, counts[i], e);
    if (rc == IG_OK)
        rc = rt_check_numbers(&d->gaps, "position_mean", e);
    if (rc == IG_OK)
        rc = rt_check_numbers(&d->gaps, "position_sd", e);
    if (rc)
        return rc;
    size_t n = d->gaps.nrows;
    d->ix = ig_calloc(n ? n : 1, sizeof *d->ix);
    d->claims_shown = ig_calloc(n ? n : 1, sizeof *d->claims_shown);
    d->mention_docs = ig_calloc(n ? n : 1, sizeof *d->mention_docs);
    if (d->ix == NULL || d->claims_shown == NULL || d->mention_docs == NULL)
        return ig_err_nomem(e, STAGE);
    long ci = rep_col(&d->gaps, "issue");
    for (size_t r = 0; r < n; r++)
        d->ix[r] = (rep_issue_ix){ rep_cell(&d->gaps, r, ci), r };
    qsort(d->ix, n, sizeof *d->ix, ix_cmp);
    for (size_t k = 1; k < n; k++)
        if (strcmp(d->ix[k].id, d->ix[k - 1].id) == 0) {
            size_t r = d->ix[k].row > d->ix[k - 1].row ? d->ix[k].row : d->ix[k - 1].row;
            return rt_err(&d->gaps, r, e, "issue \"%s\" appears twice", d->ix[k].id);
        }
    return IG_OK;
}

/* A wide table: issue, cluster, one column per value, total; every issue
 * must be in gaps.csv. */
static int load_wide(rep_doc *d, rep_table *t, const char *name, ig_err *e)
{
    static const char *const need[] = { "issue", "total", NULL };
    int rc = rep_table_load(t, d->dir, name, 1, need, NULL, e);
    for (size_t c = 0; rc == IG_OK && c < t->ncols; c++)
        if (strcmp(t->cols[c], "issue") != 0 && strcmp(t->cols[c], "cluster") != 0)
            rc = rt_check_counts(t, t->cols[c], e);
    long ci = rep_col(t, "issue");
    for (size_t r = 0; rc == IG_OK && r < t->nrows; r++)
        if (issue_find(d, rep_cell(t, r, ci)) == SIZE_MAX)
            rc = rt_err(t, r, e, "issue \"%s\" is not in gaps.csv (tables from different "
                        "runs? rerun igmap map)", rep_cell(t, r, ci));
    return rc;
}

static int load_mechs(rep_doc *d, ig_err *e)
{
    static const char *const need[] = { "issue", "mechanism", "mechanism_type",
                                        "cooccurrences", "documents", "linked", NULL };
    rep_table *t = &d->mechs;
    int rc = rep_table_load(t, d->dir, "issue_mechanisms.csv", 1, need, NULL, e);
    if (rc == IG_OK)
        rc = rt_check_counts(t, "cooccurrences", e);
    if (rc == IG_OK)
        rc = rt_check_counts(t, "documents", e);
    if (rc == IG_OK)
        rc = rt_check_counts(t, "linked", e);
    if (rc)
        return rc;
    d->mech_issue = ig_calloc(t->nrows ? t->nrows : 1, sizeof *d->mech_issue);
    if (d->mech_issue == NULL)
        return ig_err_nomem(e, STAGE);
    long ci = rep_col(t, "issue");
    for (size_t r = 0; r < t->nrows; r++) {
        d->mech_issue[r] = issue_find(d, rep_cell(t, r, ci));
        if (d->mech_issue[r] == SIZE_MAX)
            return rt_err(t, r, e, "issue \"%s\" is not in gaps.csv (tables from different "
                          "runs? rerun igmap map)", rep_cell(t, r, ci));
    }
    return IG_OK;
}

static void ev_free(rep_ev *v)
{
    ig_free(v->doc);
    ig_free(v->process);
    ig_free(v->group);
    ig_free(v->submitter);
    ig_free(v->link);
    ig_free(v->match);
    ig_free(v->text);
}

/* Stream map_evidence.csv and keep the rows to quote (report.h). */
static int load_evidence(rep_doc *d, ig_err *e)
{
    csv_src s;
    int rc = src_open(&s, d->dir, "map_evidence.csv", 1, NULL, e);
    static const char *const names[] = { "doc_id", "process", "stakeholder_group", "submitter",
                                         "sentence", "start", "end", "kind", "issue",
                                         "raised", "link", "match" };
    enum { C_DOC, C_PROC, C_GROUP, C_SUBM, C_SENT, C_START, C_END, C_KIND, C_ISSUE, C_RAISED,
           C_LINK, C_MATCH, NC };
    long col[NC];
    for (int i = 0; rc == IG_OK && i < NC; i++)
        if ((col[i] = src_col(&s, names[i], 1, e)) < 0)
            rc = e->code;
    /* the document whose first mention was last taken, per issue */
    char **last_doc = rc == IG_OK ? ig_calloc(d->gaps.nrows + 1, sizeof *last_doc) : NULL;
    if (rc == IG_OK && last_doc == NULL)
        rc = ig_err_nomem(e, STAGE);
    size_t cap = 0;
    const char **f;
    int got = 0;
    while (rc == IG_OK && (got = src_next(&s, &f, e)) == 1) {
        int claim = strcmp(f[col[C_KIND]], "gap_claim") == 0;
        if (!claim && strcmp(f[col[C_KIND]], "issue_mention") != 0)
            continue;
        if (strcmp(f[col[C_RAISED]], "1") != 0)
            continue;
        size_t is = issue_find(d, f[col[C_ISSUE]]);
        if (is == SIZE_MAX) {
            char q[128];
            rc = ig_err_set(e, IG_EDATA, STAGE, s.path, s.r.rec_line, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "issue \"%s\" is not in gaps.csv (tables from "
                            "different runs? rerun igmap map)",
                            ig_quote(q, sizeof q, f[col[C_ISSUE]], strlen(f[col[C_ISSUE]])));
            break;
        }
        if (claim) {
            if (d->claims_shown[is] >= d->o.claims)
                continue;
        } else {
            if (d->mention_docs[is] >= d->o.mentions ||
                (last_doc[is] && strcmp(last_doc[is], f[col[C_DOC]]) == 0))
                continue;
        }
        if (d->nev == cap) {
            size_t nc = cap ? cap * 2 : 64;
            rep_ev *ev = ig_reallocarray(d->ev, nc, sizeof *ev);
            if (ev == NULL) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            d->ev = ev;
            cap = nc;
        }
        rep_ev *v = &d->ev[d->nev];
        memset(v, 0, sizeof *v);
        v->issue = is;
        v->claim = claim;
        v->line = s.r.rec_line;
        rc = cell_u64(&s, f, col[C_SENT], &v->sentence, e);
        if (rc == IG_OK)
            rc = cell_u64(&s, f, col[C_START], &v->start, e);
        if (rc == IG_OK)
            rc = cell_u64(&s, f, col[C_END], &v->end, e);
        if (rc == IG_OK && v->end < v->start)
            rc = bad_cell(&s, col[C_END], f[col[C_END]], "at or after start", e);
        if (rc)
            break;
        v->doc = ig_strdup(f[col[C_DOC]]);
        v->process = ig_strdup(f[col[C_PROC]]);
        v->group = ig_strdup(f[col[C_GROUP]]);
        v->submitter = ig_strdup(f[col[C_SUBM]]);
        v->link = ig_strdup(f[col[C_LINK]]);
        v->match = ig_strdup(f[col[C_MATCH]]);
        d->nev++;
        if (!v->doc || !v->process || !v->group || !v->submitter || !v->link || !v->match) {
            rc = ig_err_nomem(e, STAGE);
            break;
        }
        if (claim) {
            d->claims_shown[is]++;
        } else {
            d->mention_docs[is]++;
            last_doc[is] = v->doc;
        }
    }
    if (got < 0 && rc == IG_OK)
        rc = got;
    ig_free(last_doc);
    src_close(&s);
    return rc;
}

static int label_of(const char *s)
{
    if (strcmp(s, "multilateral") == 0)
        return REP_L_ML;
    if (strcmp(s, "multistakeholder") == 0)
        return REP_L_MS;
    if (strcmp(s, "mixed") == 0)
        return REP_L_MIXED;
    return REP_L_NONE;
}

/* positions.csv: the section-0 rows with a position (report.h). */
static int load_positions(rep_doc *d, ig_err *e)
{
    csv_src s;
    int here = 0;
    int rc = src_open(&s, d->dir, "positions.csv", 0, &here, e);
    if (rc || !here) {
        if (rc == IG_OK)
            snprintf(d->positions_note, sizeof d->positions_note,
                     "%s has no positions.csv: igmap classify has not run, so there are "
                     "no positions to draw.", d->name);
        src_close(&s);
        return rc;
    }
    d->have_positions = 1;
    long cid = src_col(&s, "id", 0, e);
    if (cid < 0)
        cid = src_col(&s, "doc_id", 0, e);
    if (cid < 0)
        rc = ig_err_set(e, IG_EDATA, STAGE, s.path, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "missing column \"id\" (or \"doc_id\")");
    long cscore = rc == IG_OK ? src_col(&s, "score", 1, e) : -1;
    if (rc == IG_OK && cscore < 0)
        rc = e->code;
    long csec = src_col(&s, "section", 0, e), clabel = src_col(&s, "label", 0, e);
    long clo = src_col(&s, "score_lo", 0, e), chi = src_col(&s, "score_hi", 0, e);
    long cgrp = src_col(&s, "stakeholder_group", 0, e), cproc = src_col(&s, "process", 0, e);
    d->have_group_col = cgrp >= 0;
    d->have_process_col = cproc >= 0;
    size_t cap = 0;
    const char **f;
    int got = 0;
    while (rc == IG_OK && (got = src_next(&s, &f, e)) == 1) {
        if (csec >= 0 && f[csec][0] && strcmp(f[csec], "0") != 0)
            continue;
        rep_dot dot = { NULL, 0, NAN, NAN, REP_L_NONE };
        rc = cell_num(&s, f, cscore, 1, &dot.score, e);
        if (rc == IG_OK && clo >= 0)
            rc = cell_num(&s, f, clo, 1, &dot.lo, e);
        if (rc == IG_OK && chi >= 0)
            rc = cell_num(&s, f, chi, 1, &dot.hi, e);
        if (rc)
            break;
        if (isfinite(dot.score) && (dot.score < -1 || dot.score > 1)) {
            rc = bad_cell(&s, cscore, f[cscore], "a score in [-1, 1]", e);
            break;
        }
        dot.label = clabel >= 0 ? label_of(f[clabel]) : dot.score <= -0.2 ? REP_L_ML
                                : dot.score >= 0.2 ? REP_L_MS : REP_L_MIXED;
        if (isnan(dot.score) || dot.label == REP_L_NONE) {
            d->unplaced++;
            continue;
        }
        if (d->ndots == cap) {
            size_t nc = cap ? cap * 2 : 64;
            rep_dot *nd = ig_reallocarray(d->dots, nc, sizeof *nd);
            if (nd)
                d->dots = nd;
            char **g = nd ? ig_reallocarray(d->dot_group, nc, sizeof *g) : NULL;
            if (g)
                d->dot_group = g;
            char **pr = g ? ig_reallocarray(d->dot_process, nc, sizeof *pr) : NULL;
            if (pr == NULL) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            d->dot_process = pr;
            cap = nc;
        }
        char *id = ig_strdup(f[cid]);
        char *g = ig_strdup(cgrp >= 0 ? f[cgrp] : "");
        char *pr = ig_strdup(cproc >= 0 ? f[cproc] : "");
        if (!id || !g || !pr) {
            ig_free(id);
            ig_free(g);
            ig_free(pr);
            rc = ig_err_nomem(e, STAGE);
            break;
        }
        dot.id = id;
        d->dot_group[d->ndots] = g;
        d->dot_process[d->ndots] = pr;
        d->dots[d->ndots++] = dot;
    }
    if (got < 0 && rc == IG_OK)
        rc = got;
    src_close(&s);
    if (rc)
        return rc;
    static const char *const need[] = { "grouping", "value", "n", "mean", NULL };
    rc = rep_table_load(&d->groups, d->dir, "position_groups.csv", 0, need, &d->have_groups, e);
    if (rc == IG_OK && d->have_groups)
        rc = rt_check_counts(&d->groups, "n", e);
    static const char *const nums[] = { "mean", "lo", "hi", NULL };
    for (size_t i = 0; rc == IG_OK && d->have_groups && nums[i]; i++)
        rc = rt_check_numbers(&d->groups, nums[i], e);
    return rc;
}

static int load_documents(rep_doc *d, ig_err *e)
{
    csv_src s;
    int rc = src_open(&s, d->dir, "documents.csv", 0, &d->have_documents, e);
    const char **f;
    int got = 0;
    while (rc == IG_OK && d->have_documents && (got = src_next(&s, &f, e)) == 1)
        d->documents++;
    if (got < 0 && rc == IG_OK)
        rc = got;
    src_close(&s);
    return rc;
}

static int load_provenance(rep_doc *d, ig_err *e)
{
    char path[4096];
    if (ig_path_join(path, sizeof path, d->dir, "provenance.json") != 0)
        return ig_err_data(e, STAGE, d->dir, "path too long");
    struct stat st;
    if (stat(path, &st) != 0)
        return IG_OK;
    ig_buf data = IG_BUF_INIT;
    int rc = ig_read_file(path, REP_MAX_FILE, &data, STAGE, e);
    if (rc == IG_OK)
        rc = rep_json_parse(&d->prov, data.data ? data.data : "", data.len, path, STAGE, e);
    if (rc == IG_OK && rep_json_type(d->prov) != REP_JSON_OBJECT)
        rc = ig_err_set(e, IG_EDATA, STAGE, path, 1, 1, 0, "not a JSON object");
    ig_buf_free(&data);
    return rc;
}

/* ---- sentences from the index ---------------------------------------------------- */

typedef struct doc_ix {
    const char *id;
    uint32_t doc;
} doc_ix;

static int doc_ix_cmp(const void *a, const void *b)
{
    return strcmp(((const doc_ix *)a)->id, ((const doc_ix *)b)->id);
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Cut the excerpt of v out of text (report.h "evidence"). */
static int excerpt(rep_ev *v, const char *text, size_t tlen, const idx_layout *l)
{
    uint64_t first_sent = v->sentence, last_sent = v->sentence;
    if (v->claim && strcmp(v->link, "previous_sentence") == 0 && first_sent > 1)
        first_sent--;
    size_t from = SIZE_MAX, to = 0;
    uint32_t p0 = UINT32_MAX, p1 = UINT32_MAX;
    for (uint32_t p = 0; p < l->n; p++) {
        if (l->sentence[p] < first_sent || l->sentence[p] > last_sent)
            continue;
        if (p0 == UINT32_MAX)
            p0 = p;
        p1 = p;
    }
    if (p0 == UINT32_MAX || l->start[p0] > tlen) {
        from = (size_t)v->start;
        to = (size_t)v->end;
    } else {
        /* opening quotes or brackets glued to the first word, back to the
         * previous token's end */
        from = (size_t)l->start[p0];
        size_t prev_end = p0 > 0 && l->end[p0 - 1] <= from ? (size_t)l->end[p0 - 1] : 0;
        while (from > prev_end && !is_space((unsigned char)text[from - 1]))
            from--;
        to = p1 + 1 < l->n ? (size_t)l->start[p1 + 1] : tlen;
        while (to > from && is_space((unsigned char)text[to - 1]))
            to--;
    }
    if (from > (size_t)v->start)
        from = (size_t)v->start;
    if (to < (size_t)v->end)
        to = (size_t)v->end;
    if (to > tlen)
        to = tlen;
    /* long sentences: a window around the match, on character boundaries */
    if (to - from > REP_MAX_SENTENCE) {
        size_t mlen = (size_t)(v->end - v->start);
        size_t room = mlen >= REP_MAX_SENTENCE ? 0 : (REP_MAX_SENTENCE - mlen) / 2;
        if ((size_t)v->start - from > room) {
            from = (size_t)v->start - room;
            while (from < (size_t)v->start && ((unsigned char)text[from] & 0xC0) == 0x80)
                from++;
            v->cut_left = 1;
        }
        if (to - (size_t)v->end > room) {
            to = (size_t)v->end + room;
            while (to > (size_t)v->end && ((unsigned char)text[to] & 0xC0) == 0x80)
                to--;
            v->cut_right = 1;
        }
    }
    v->text = ig_strndup(text + from, to - from);
    if (v->text == NULL)
        return IG_ENOMEM;
    v->mark_from = (size_t)v->start - from;
    v->mark_to = (size_t)v->end - from;
    return IG_OK;
}

static int load_sentences(rep_doc *d, ig_err *e)
{
    char path[4096];
    if (ig_path_join(path, sizeof path, d->dir, "index.igx") != 0)
        return ig_err_data(e, STAGE, d->dir, "path too long");
    struct stat st;
    if (!d->o.use_index || stat(path, &st) != 0)
        return IG_OK;
    idx_reader *r = NULL;
    doc_ix *ids = NULL;
    ig_buf text = IG_BUF_INIT;
    idx_layout l = { 0 };
    int rc = idx_open(&r, path, e);
    if (rc)
        return rc;
    d->have_index = 1;
    uint32_t nd = idx_doc_count(r);
    ids = ig_calloc(nd ? nd : 1, sizeof *ids);
    if (ids == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    for (uint32_t k = 0; k < nd; k++)
        ids[k] = (doc_ix){ idx_doc_id(r, k), k };
    qsort(ids, nd, sizeof *ids, doc_ix_cmp);
    char evpath[4096];
    snprintf(evpath, sizeof evpath, "%s/map_evidence.csv", d->dir);
    uint32_t cur = UINT32_MAX;
    for (size_t i = 0; rc == IG_OK && i < d->nev; i++) {
        rep_ev *v = &d->ev[i];
        doc_ix key = { v->doc, 0 };
        const doc_ix *h = nd ? bsearch(&key, ids, nd, sizeof *ids, doc_ix_cmp) : NULL;
        char q[128];
        if (h == NULL) {
            rc = ig_err_set(e, IG_EDATA, STAGE, evpath, v->line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "document \"%s\" is not in %s (tables from different runs? rerun "
                            "make)", ig_quote(q, sizeof q, v->doc, strlen(v->doc)), path);
            break;
        }
        if (h->doc != cur) {
            rc = idx_doc_text(r, h->doc, &text, e);
            if (rc == IG_OK)
                rc = idx_layout_get(r, h->doc, &l, e);
            if (rc)
                break;
            cur = h->doc;
        }
        if (v->end > text.len) {
            rc = ig_err_set(e, IG_EDATA, STAGE, evpath, v->line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "byte range %llu-%llu is past the end of document \"%s\" (%zu "
                            "bytes; tables from different runs? rerun make)",
                            (unsigned long long)v->start, (unsigned long long)v->end,
                            ig_quote(q, sizeof q, v->doc, strlen(v->doc)), text.len);
            break;
        }
        if (excerpt(v, text.data ? text.data : "", text.len, &l) != IG_OK)
            rc = ig_err_nomem(e, STAGE);
    }
out:
    idx_layout_free(&l);
    ig_buf_free(&text);
    ig_free(ids);
    idx_close(r);
    return rc;
}

int rep_open(rep_doc **dp, const char *dir, const rep_opts *o, ig_err *e)
{
    *dp = NULL;
    rep_doc *d = ig_calloc(1, sizeof *d);
    if (d == NULL)
        return ig_err_nomem(e, STAGE);
    rep_opts_default(&d->o);
    if (o)
        d->o = *o;
    d->o.title = NULL; /* copied below */
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    d->dir = ig_strndup(dir, dl);
    const char *base = d->dir ? strrchr(d->dir, '/') : NULL;
    d->name = d->dir ? ig_strdup(base ? base + 1 : d->dir) : NULL;
    char *title = o && o->title ? ig_strdup(o->title) : NULL;
    int rc = IG_OK;
    if (d->dir == NULL || d->name == NULL || (o && o->title && title == NULL))
        rc = ig_err_nomem(e, STAGE);
    d->o.title = title;
    if (rc == IG_OK)
        rc = load_gaps(d, e);
    if (rc == IG_OK)
        rc = load_wide(d, &d->byproc, "issues_by_process.csv", e);
    if (rc == IG_OK)
        rc = load_wide(d, &d->bygroup, "issues_by_group.csv", e);
    if (rc == IG_OK)
        rc = load_mechs(d, e);
    if (rc == IG_OK)
        rc = load_evidence(d, e);
    if (rc == IG_OK)
        rc = load_positions(d, e);
    if (rc == IG_OK)
        rc = load_documents(d, e);
    if (rc == IG_OK)
        rc = load_provenance(d, e);
    if (rc == IG_OK)
        rc = load_sentences(d, e);
    if (rc) {
        rep_close(d);
        return rc;
    }
    *dp = d;
    return IG_OK;
}

void rep_close(rep_doc *d)
{
    if (d == NULL)
        return;
    rep_table_free(&d->gaps);
    rep_table_free(&d->byproc);
    rep_table_free(&d->bygroup);
    rep_table_free(&d->mechs);
    rep_table_free(&d->groups);
    for (size_t i = 0; i < d->nev; i++)
        ev_free(&d->ev[i]);
    ig_free(d->ev);
    for (size_t i = 0; i < d->ndots; i++) {
        ig_free((char *)d->dots[i].id);
        ig_free(d->dot_group[i]);
        ig_free(d->dot_process[i]);
    }
    ig_free(d->dots);
    ig_free(d->dot_group);
    ig_free(d->dot_process);
    ig_free(d->ix);
    ig_free(d->mech_issue);
    ig_free(d->claims_shown);
    ig_free(d->mention_docs);
    rep_json_free(d->prov);
    ig_free((char *)d->o.title);
    ig_free(d->name);
    ig_free(d->dir);
    ig_free(d);
}


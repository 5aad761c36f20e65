/*
 * classify_out.c: the second half of the classify stage: the scaling models
 * on a count matrix built from the index (Wordscores and Wordfish, scale.h)
 * and the tables positions.csv, position_groups.csv, lexicon_coverage.csv,
 * positions_summary.txt and positions_provenance.json (classify.h documents
 * every column and rule).
 *
 * Pipeline place: after cls_score (classify.c) has filled the rows and the
 * coverage counters; `igmap classify` then commits every file together.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "classify.h"
#include "classify_int.h"
#include "csv.h"
#include "scale.h"
#include "sha256.h"

/* ---- the count matrix -------------------------------------------------------- */

typedef struct fcand {
    uint32_t term, df;
    uint64_t cf;
} fcand;

static int cmp_fcand(const void *a, const void *b)
{
    const fcand *p = a, *q = b;
    if (p->df != q->df)
        return p->df > q->df ? -1 : 1;
    if (p->cf != q->cf)
        return p->cf > q->cf ? -1 : 1;
    return p->term < q->term ? -1 : p->term > q->term;
}

static int cmp_u32_asc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct triple {
    uint32_t doc, feat;
    double n;
} triple;

/* A compressed-row matrix and its storage. */
typedef struct matrix {
    scl_counts m;
    uint64_t *row;
    uint32_t *col;
    double *val;
} matrix;

static void matrix_free(matrix *x)
{
    ig_free(x->row);
    ig_free(x->col);
    ig_free(x->val);
    memset(x, 0, sizeof *x);
}

/* Counts of the selected features (terms[0..nf)) in every document, one per
 * token position (span 0), as a matrix over all documents. */
static int build_counts(const cls_run *run, const uint32_t *terms, uint32_t nf, matrix *x,
                        ig_err *e)
{
    const idx_reader *r = run->r;
    uint32_t nd = idx_doc_count(r);
    triple *t = NULL;
    size_t nt = 0, cap = 0;
    int rc = IG_OK;
    memset(x, 0, sizeof *x);
    for (uint32_t f = 0; f < nf; f++) {
        idx_postings it;
        rc = idx_postings_open(r, terms[f], &it, e);
        if (rc)
            goto out;
        while ((rc = idx_postings_next_doc(&it, e)) == 1) {
            uint32_t pos, span, n = 0;
            while ((rc = idx_postings_next_pos(&it, &pos, &span, e)) == 1)
                n += span == 0;
            if (rc < 0)
                goto out;
            if (n == 0)
                continue;
            if (nt == cap) {
                size_t c = cap ? cap * 2 : 4096;
                triple *nt2 = ig_reallocarray(t, c, sizeof *nt2);
                if (nt2 == NULL) {
                    rc = ig_err_nomem(e, CLS_STAGE);
                    goto out;
                }
                t = nt2;
                cap = c;
            }
            t[nt].doc = it.doc;
            t[nt].feat = f;
            t[nt].n = n;
            nt++;
        }
        if (rc < 0)
            goto out;
        if (run->o.interrupted && *run->o.interrupted) {
            rc = ig_err_set(e, IG_EINTR, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "interrupted");
            e->signo = *run->o.interrupted;
            goto out;
        }
    }
    rc = IG_OK;
    x->row = ig_calloc((size_t)nd + 1, sizeof *x->row);
    x->col = ig_reallocarray(NULL, nt ? nt : 1, sizeof *x->col);
    x->val = ig_reallocarray(NULL, nt ? nt : 1, sizeof *x->val);
    if (!x->row || !x->col || !x->val) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    /* Counting sort by document; features stay increasing within a row
     * because they were read in feature order. */
    for (size_t i = 0; i < nt; i++)
        x->row[t[i].doc + 1]++;
    for (uint32_t d = 0; d < nd; d++)
        x->row[d + 1] += x->row[d];
    uint64_t *fill = ig_reallocarray(NULL, (size_t)nd + 1, sizeof *fill);
    if (fill == NULL) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    memcpy(fill, x->row, ((size_t)nd + 1) * sizeof *fill);
    for (size_t i = 0; i < nt; i++) {
        uint64_t k = fill[t[i].doc]++;
        x->col[k] = t[i].feat;
        x->val[k] = t[i].n;
    }
    ig_free(fill);
    x->m.ndocs = nd;
    x->m.nfeat = nf;
    x->m.row = x->row;
    x->m.col = x->col;
    x->m.val = x->val;
out:
    ig_free(t);
    if (rc)
        matrix_free(x);
    return rc;
}

/* The sub-matrix of documents docs[0..n) and of the features with a count
 * among them (renumbered in order). */
static int sub_matrix(const matrix *x, const uint32_t *docs, uint32_t n, matrix *s, ig_err *e)
{
    memset(s, 0, sizeof *s);
    uint32_t nf = x->m.nfeat;
    uint32_t *map = ig_reallocarray(NULL, nf ? nf : 1, sizeof *map);
    uint64_t nz = 0;
    int rc = IG_OK;
    if (map == NULL)
        return ig_err_nomem(e, CLS_STAGE);
    for (uint32_t f = 0; f < nf; f++)
        map[f] = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++)
        for (uint64_t k = x->row[docs[i]]; k < x->row[docs[i] + 1]; k++) {
            map[x->col[k]] = 0;
            nz++;
        }
    uint32_t kept = 0;
    for (uint32_t f = 0; f < nf; f++)
        if (map[f] == 0)
            map[f] = kept++;
    s->row = ig_calloc((size_t)n + 1, sizeof *s->row);
    s->col = ig_reallocarray(NULL, nz ? nz : 1, sizeof *s->col);
    s->val = ig_reallocarray(NULL, nz ? nz : 1, sizeof *s->val);
    if (!s->row || !s->col || !s->val) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    uint64_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        for (uint64_t k = x->row[docs[i]]; k < x->row[docs[i] + 1]; k++) {
            s->col[o] = map[x->col[k]];
            s->val[o] = x->val[k];
            o++;
        }
        s->row[i + 1] = o;
    }
    s->m.ndocs = n;
    s->m.nfeat = kept;
    s->m.row = s->row;
    s->m.col = s->col;
    s->m.val = s->val;
out:
    ig_free(map);
    if (rc)
        matrix_free(s);
    return rc;
}

/* ---- running the models ---------------------------------------------------- */

/* Row index of each document's section-0 row. */
static size_t *doc_rows(const cls_run *run)
{
    uint32_t nd = idx_doc_count(run->r);
    size_t *at = ig_reallocarray(NULL, nd ? nd : 1, sizeof *at);
    if (at == NULL)
        return NULL;
    for (uint32_t d = 0; d < nd; d++)
        at[d] = SIZE_MAX;
    for (size_t i = 0; i < run->nrows; i++)
        if (run->rows[i].section == 0)
            at[run->rows[i].doc] = i;
    return at;
}

/* Reference scores from the manifest's ref_position column (NaN where
 * empty).  A value that is not a number is IG_EDATA naming the document. */
static int read_refs(const cls_run *run, double *ref, uint32_t *nref, int *distinct,
                     ig_err *e)
{
    uint32_t nd = idx_doc_count(run->r);
    double first = NAN;
    *nref = 0;
    *distinct = 0;
    for (uint32_t d = 0; d < nd; d++) {
        ref[d] = NAN;
        if (run->col_ref < 0)
            continue;
        const char *v = idx_doc_meta(run->r, d, (size_t)run->col_ref);
        if (v[0] == '\0')
            continue;
        if (ig_parse_double(v, strlen(v), &ref[d]) != 0 || !isfinite(ref[d]))
            return ig_err_set(e, IG_EDATA, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS,
                              "document \"%s\": ref_position \"%s\" is not a number",
                              idx_doc_id(run->r, d), v);
        if (*nref == 0)
            first = ref[d];
        else if (ref[d] != first)
            *distinct = 1;
        (*nref)++;
    }
    return IG_OK;
}

/* The Wordfish direction: explicit ids, else the extreme references, else
 * the extreme labelled dictionary scores, else the first two documents. */
static void wf_direction(cls_run *run, const uint32_t *docs, uint32_t n, const double *ref,
                         const size_t *at, uint32_t *lo, uint32_t *hi, const char **how)
{
    *lo = 0;
    *hi = 1;
    *how = "the first two documents";
    if (run->o.wordfish_dir[0] && run->o.wordfish_dir[1]) {
        int found = 0;
        for (uint32_t i = 0; i < n; i++) {
            const char *id = idx_doc_id(run->r, docs[i]);
            if (strcmp(id, run->o.wordfish_dir[0]) == 0) {
                *lo = i;
                found |= 1;
            }
            if (strcmp(id, run->o.wordfish_dir[1]) == 0) {
                *hi = i;
                found |= 2;
            }
        }
        if (found == 3) {
            *how = "--wordfish-dir";
            return;
        }
        *lo = 0;
        *hi = 1;
    }
    uint32_t a = UINT32_MAX, b = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        double v = ref[docs[i]];
        if (!isfinite(v))
            continue;
        if (a == UINT32_MAX || v < ref[docs[a]])
            a = i;
        if (b == UINT32_MAX || v > ref[docs[b]])
            b = i;
    }
    if (a != UINT32_MAX && a != b && ref[docs[a]] < ref[docs[b]]) {
        *lo = a;
        *hi = b;
        *how = "the lowest and highest ref_position";
        return;
    }
    a = b = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const cls_row *row = &run->rows[at[docs[i]]];
        if (row->label == CLS_NONE)
            continue;
        if (a == UINT32_MAX || row->score < run->rows[at[docs[a]]].score)
            a = i;
        if (b == UINT32_MAX || row->score > run->rows[at[docs[b]]].score)
            b = i;
    }
    if (a != UINT32_MAX && a != b &&
        run->rows[at[docs[a]]].score < run->rows[at[docs[b]]].score) {
        *lo = a;
        *hi = b;
        *how = "the lowest and highest dictionary score";
    }
}

int cls_scale(cls_run *run, ig_err *e)
{
    const idx_reader *r = run->r;
    uint32_t nd = idx_doc_count(r);
    double *ref = ig_reallocarray(NULL, nd ? nd : 1, sizeof *ref);
    size_t *at = doc_rows(run);
    fcand *fc = NULL;
    uint32_t *terms = NULL, *docs = NULL;
    matrix x = { 0 }, sub = { 0 };
    scl_ws ws = { 0 };
    scl_wf wf = { 0 };
    int rc = IG_OK;
    run->ws_note[0] = run->wf_note[0] = '\0';
    if (!run->scored) {
        rc = ig_err_set(e, IG_EUSAGE, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        IG_ERR_NOPOS, "cls_scale before cls_score");
        goto out;
    }
    if (ref == NULL || at == NULL) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    uint32_t nref;
    int distinct;
    rc = read_refs(run, ref, &nref, &distinct, e);
    if (rc)
        goto out;
    run->ws_nref = nref;
    int do_ws = run->o.wordscores, do_wf = run->o.wordfish;
    if (!do_ws)
        snprintf(run->ws_note, sizeof run->ws_note, "not run (--no-wordscores)");
    else if (nref < 2 || !distinct) {
        snprintf(run->ws_note, sizeof run->ws_note,
                 "not run: needs at least two documents with different ref_position "
                 "values in the manifest (found %u)", nref);
        do_ws = 0;
    }
    if (!do_wf)
        snprintf(run->wf_note, sizeof run->wf_note, "not run (--no-wordfish)");
    if (do_wf) {
        /* Documents with any text bound those Wordfish would take: decide
         * before the count matrix is built, the costly part. */
        uint32_t ntext = 0;
        for (uint32_t d = 0; d < nd; d++) {
            idx_doc_stats st;
            if (idx_doc_stats_get(r, d, &st) == 0 && st.positions > 0)
                ntext++;
        }
        if (ntext > run->o.wordfish_max_docs) {
            run->wf_ndocs = ntext;
            snprintf(run->wf_note, sizeof run->wf_note,
                     "not run: %u documents, more than --wordfish-max-docs %u", ntext,
                     run->o.wordfish_max_docs);
            do_wf = 0;
        }
    }
    if (!do_ws && !do_wf)
        goto out;

    /* Features: the most widespread terms. */
    uint32_t nterms = idx_term_count(r), ncand = 0;
    fc = ig_reallocarray(NULL, nterms ? nterms : 1, sizeof *fc);
    if (fc == NULL) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    for (uint32_t t = 0; t < nterms; t++) {
        uint32_t df = idx_term_df(r, t);
        if (df < run->o.scale_min_docs || df == 0)
            continue;
        fc[ncand].term = t;
        fc[ncand].df = df;
        fc[ncand].cf = idx_term_cf(r, t);
        ncand++;
    }
    qsort(fc, ncand, sizeof *fc, cmp_fcand);
    uint32_t nf = ncand < run->o.scale_features ? ncand : run->o.scale_features;
    terms = ig_reallocarray(NULL, nf ? nf : 1, sizeof *terms);
    if (terms == NULL) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    for (uint32_t f = 0; f < nf; f++)
        terms[f] = fc[f].term;
    /* Feature numbers in term order, so the matrix reads postings front to
     * back and a row lists its features in increasing order. */
    qsort(terms, nf, sizeof *terms, cmp_u32_asc);
    run->scale_nfeat = nf;
    rc = build_counts(run, terms, nf, &x, e);
    if (rc)
        goto out;

    if (do_ws) {
        ig_err we;
        ig_err_clear(&we);
        int wrc = scl_wordscores(&x.m, ref, &ws, &we);
        if (wrc == IG_ENOMEM) {
            rc = ig_err_nomem(e, CLS_STAGE);
            goto out;
        }
        if (wrc) {
            snprintf(run->ws_note, sizeof run->ws_note, "not run: %s", we.msg);
        } else {
            run->ws_ran = 1;
            for (uint32_t d = 0; d < nd; d++) {
                cls_row *row = &run->rows[at[d]];
                row->ws_raw = ws.raw[d];
                row->ws_se = ws.se[d];
                row->ws_lbg = ws.lbg[d];
                row->ws_lbg_se = ws.lbg_se[d];
                row->ws_mv = ws.mv[d];
                row->ws_mv_se = ws.mv_se[d];
                row->ws_words = ws.scored[d];
            }
        }
    }

    if (do_wf) {
        docs = ig_reallocarray(NULL, nd ? nd : 1, sizeof *docs);
        if (docs == NULL) {
            rc = ig_err_nomem(e, CLS_STAGE);
            goto out;
        }
        uint32_t n = 0;
        for (uint32_t d = 0; d < nd; d++)
            if (x.row[d + 1] > x.row[d])
                docs[n++] = d;
        run->wf_ndocs = n;
        if (n > run->o.wordfish_max_docs) {
            snprintf(run->wf_note, sizeof run->wf_note,
                     "not run: %u documents, more than --wordfish-max-docs %u", n,
                     run->o.wordfish_max_docs);
            goto out;
        }
        if (n < 2) {
            snprintf(run->wf_note, sizeof run->wf_note,
                     "not run: fewer than two documents with counted features");
            goto out;
        }
        rc = sub_matrix(&x, docs, n, &sub, e);
        if (rc)
            goto out;
        const char *how;
        scl_wf_opts wo = run->o.wf;
        wf_direction(run, docs, n, ref, at, &wo.dir_lo, &wo.dir_hi, &how);
        run->wf_dir[0] = docs[wo.dir_lo];
        run->wf_dir[1] = docs[wo.dir_hi];
        ig_err we;
        ig_err_clear(&we);
        int wrc = scl_wordfish(&sub.m, &wo, run->o.interrupted, &wf, &we);
        if (wrc == IG_ENOMEM || wrc == IG_EINTR) {
            *e = we;
            rc = wrc;
            goto out;
        }
        if (wrc) {
            snprintf(run->wf_note, sizeof run->wf_note, "not run: %s", we.msg);
            goto out;
        }
        run->wf_ran = 1;
        run->wf_iter = wf.iterations;
        run->wf_converged = wf.converged;
        run->wf_lp = wf.lp;
        snprintf(run->wf_note, sizeof run->wf_note, "direction from %s", how);
        for (uint32_t i = 0; i < n; i++) {
            cls_row *row = &run->rows[at[docs[i]]];
            row->wf_theta = wf.theta[i];
            row->wf_se = wf.theta_se[i];
        }
    }
out:
    scl_ws_free(&ws);
    scl_wf_free(&wf);
    matrix_free(&x);
    matrix_free(&sub);
    ig_free(ref);
    ig_free(at);
    ig_free(fc);
    ig_free(terms);
    ig_free(docs);
    return rc;
}

/* ---- positions.csv ----------------------------------------------------------- */

/* A metadata column shown in positions.csv (all but id and path). */
static int shown_col(const idx_reader *r, size_t c)
{
    const char *n = idx_col_name(r, c);
    return strcmp(n, "id") != 0 && strcmp(n, "path") != 0;
}

/* value, se, and the +-1.96 se interval; four empty cells when missing. */
static int put_estimate(ig_csv_writer *w, double v, double se, int prec)
{
    int rc = ig_csv_double(w, v, prec);
    rc = rc ? rc : ig_csv_double(w, se, prec);
    rc = rc ? rc : ig_csv_double(w, v - SCL_Z95 * se, prec);
    rc = rc ? rc : ig_csv_double(w, v + SCL_Z95 * se, prec);
    return rc;
}

/* Bytes of rows made in memory before they go to the file (when rows
 * go to one): cells are appended fastest to memory (csv.h). */
#define POS_FLUSH ((size_t)1 << 20)

/* Rows from..to of positions.csv into w, a writer to memory; with o, the
 * memory is emptied into o every POS_FLUSH bytes and at the end.  A
 * document's rows are consecutive: its metadata is looked up once; which
 * columns are shown, once for all rows. */
static int positions_rows(const cls_run *run, ig_csv_writer *w, size_t from, size_t to,
                          ig_out *o)
{
    const idx_reader *r = run->r;
    size_t ncols = idx_col_count(r);
    const char **vals = ig_reallocarray(NULL, ncols ? ncols : 1, sizeof *vals);
    unsigned char *shown = ig_malloc(ncols ? ncols : 1);
    if (vals == NULL || shown == NULL) {
        ig_free(vals);
        ig_free(shown);
        return IG_ENOMEM;
    }
    for (size_t c = 0; c < ncols; c++)
        shown[c] = (unsigned char)shown_col(r, c);
    const char *id = "";
    uint32_t vals_doc = UINT32_MAX;
    int rc = IG_OK;
    for (size_t i = from; i < to && rc == IG_OK; i++) {
        const cls_row *row = &run->rows[i];
        if (row->doc != vals_doc) {
            idx_doc_meta_all(r, row->doc, vals, ncols);
            id = idx_doc_id(r, row->doc);
            vals_doc = row->doc;
        }
        rc = ig_csv_str(w, id);
        rc = rc ? rc : ig_csv_u64(w, row->section);
        for (size_t c = 0; c < ncols && rc == IG_OK; c++)
            if (shown[c])
                rc = ig_csv_str(w, vals[c]);
        rc = rc ? rc : ig_csv_str(w, cls_label_name(row->label));
        rc = rc ? rc : ig_csv_double(w, row->score, 6);
        rc = rc ? rc : ig_csv_double(w, row->lo, 6);
        rc = rc ? rc : ig_csv_double(w, row->hi, 6);
        rc = rc ? rc : ig_csv_u64(w, row->cues);
        rc = rc ? rc : ig_csv_u64(w, row->negated);
        rc = rc ? rc : ig_csv_double(w, row->weight[LEX_MULTILATERAL], 6);
        rc = rc ? rc : ig_csv_double(w, row->weight[LEX_MULTISTAKEHOLDER], 6);
        rc = rc ? rc : ig_csv_u64(w, row->sentences);
        for (int d = 0; d < LEX_NDIMENSIONS && rc == IG_OK; d++)
            rc = row->dim_cues[d]
                     ? ig_csv_double(w, cls_score_of(row->dim[d][0], row->dim[d][1],
                                                     run->o.smoothing), 6)
                     : ig_csv_empty(w);
        rc = rc ? rc : put_estimate(w, row->ws_raw, row->ws_se, 8);
        rc = rc ? rc : put_estimate(w, row->ws_lbg, row->ws_lbg_se, 8);
        rc = rc ? rc : put_estimate(w, row->ws_mv, row->ws_mv_se, 8);
        rc = rc ? rc : ig_csv_double(w, row->ws_words, 0);
        rc = rc ? rc : put_estimate(w, row->wf_theta, row->wf_se, 8);
        rc = rc ? rc : ig_csv_endrow(w);
        if (rc == IG_OK && o != NULL && (w->buf->len >= POS_FLUSH || i + 1 == to)) {
            rc = ig_out_write(o, w->buf->data, w->buf->len);
            ig_buf_reset(w->buf);
        }
    }
    ig_free(vals);
    ig_free(shown);
    return rc;
}

/* The second half of the rows, made in memory on another thread. */
struct posjob {
    const cls_run *run;
    size_t from, to;
    ig_buf buf;
    int rc;
};

static void *positions_part(void *arg)
{
    struct posjob *j = arg;
    ig_csv_writer w;
    ig_csv_writer_init_buf(&w, &j->buf);
    j->rc = positions_rows(j->run, &w, j->from, j->to, NULL);
    return NULL;
}

/* Rows from which positions.csv is made on two threads (on a 1 GB index
 * its 226,000 rows take a serial quarter second to format). */
#define POS_SPLIT_MIN 8192

/* Every row into w (writing to the output): with two threads, the second
 * half is formatted meanwhile into memory, then written after the first. */
static int positions_split(const cls_run *run, ig_csv_writer *w, ig_err *e)
{
    size_t n = run->nrows;
    struct posjob j = { run, n / 2, n, IG_BUF_INIT, IG_OK };
    pthread_t th;
    int two = run->o.threads > 1 && n >= POS_SPLIT_MIN &&
              pthread_create(&th, NULL, positions_part, &j) == 0;
    ig_buf mine = IG_BUF_INIT;
    ig_csv_writer mw;
    ig_csv_writer_init_buf(&mw, &mine);
    int rc = positions_rows(run, &mw, 0, two ? j.from : n, w->out);
    ig_buf_free(&mine);
    if (two) {
        pthread_join(th, NULL);
        if (rc == IG_OK && j.rc == IG_OK)
            rc = ig_out_write(w->out, j.buf.data, j.buf.len);
        else if (rc == IG_OK)
            rc = j.rc;
    }
    ig_buf_free(&j.buf);
    if (rc == IG_ENOMEM)
        return ig_err_nomem(e, CLS_STAGE);
    return rc;
}

int cls_write_positions(const cls_run *run, ig_out *o, ig_err *e)
{
    const idx_reader *r = run->r;
    ig_csv_writer w;
    int rc = ig_csv_writer_init(&w, o, run->o.excel);
    rc = rc ? rc : ig_csv_str(&w, "id");
    rc = rc ? rc : ig_csv_str(&w, "section");
    for (size_t c = 0; c < idx_col_count(r) && rc == IG_OK; c++)
        if (shown_col(r, c))
            rc = ig_csv_str(&w, idx_col_name(r, c));
    static const char *const fixed[] = { "label", "score", "score_lo", "score_hi", "cues",
                                         "negated", "ml_weight", "ms_weight", "sentences",
                                         NULL };
    for (size_t i = 0; fixed[i] && rc == IG_OK; i++)
        rc = ig_csv_str(&w, fixed[i]);
    for (int d = 0; d < LEX_NDIMENSIONS && rc == IG_OK; d++) {
        char name[48];
        snprintf(name, sizeof name, "dim_%s", lex_dimension_name(d));
        rc = ig_csv_str(&w, name);
    }
    static const char *const scale[] = {
        "ws_raw", "ws_raw_se", "ws_raw_lo", "ws_raw_hi", "ws_lbg", "ws_lbg_se", "ws_lbg_lo",
        "ws_lbg_hi", "ws_mv", "ws_mv_se", "ws_mv_lo", "ws_mv_hi", "ws_words", "wf_theta",
        "wf_se", "wf_lo", "wf_hi", NULL
    };
    for (size_t i = 0; scale[i] && rc == IG_OK; i++)
        rc = ig_csv_str(&w, scale[i]);
    rc = rc ? rc : ig_csv_endrow(&w);
    rc = rc ? rc : positions_split(run, &w, e);
    return rc;
}

/* ---- position_groups.csv ------------------------------------------------------ */

typedef struct gitem {
    const char *value;
    size_t row;
} gitem;

static int cmp_gitem(const void *a, const void *b)
{
    const gitem *p = a, *q = b;
    int c = strcmp(p->value, q->value);
    if (c)
        return c;
    return p->row < q->row ? -1 : p->row > q->row;
}

static const char *const groupings[] = { "stakeholder_group", "country", "region", "process",
                                         NULL };

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* it[0..n) (values of rows in increasing row order) put in order of value,
 * then row, as sorting them with cmp_gitem would: the few distinct values
 * are found by hashing and sorted alone, then the rows are placed by
 * counting (70,000 documents took a tenth of a second of string compares
 * in qsort).  tmp has room for n.  IG_OK or IG_ENOMEM. */
static int group_order(gitem *it, size_t n, gitem *tmp)
{
    size_t cap = 64, nd = 0;
    while (cap < 2 * n)
        cap *= 2;
    uint32_t *slot = ig_malloc(cap * sizeof *slot), *gid = ig_malloc((n ? n : 1) * sizeof *gid);
    gitem *dv = ig_malloc((n ? n : 1) * sizeof *dv); /* distinct values, first row each */
    size_t *start = ig_malloc((n + 1) * sizeof *start);
    uint32_t *rank = ig_malloc((n ? n : 1) * sizeof *rank);
    int rc = IG_ENOMEM;
    if (slot == NULL || gid == NULL || dv == NULL || start == NULL || rank == NULL)
        goto out;
    memset(slot, 0xFF, cap * sizeof *slot);
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)str_hash(it[i].value) & (cap - 1);
        while (slot[h] != UINT32_MAX && strcmp(dv[slot[h]].value, it[i].value) != 0)
            h = (h + 1) & (cap - 1);
        if (slot[h] == UINT32_MAX) {
            slot[h] = (uint32_t)nd;
            dv[nd].value = it[i].value;
            dv[nd].row = nd; /* the value's number, kept through the sort */
            nd++;
        }
        gid[i] = slot[h];
    }
    qsort(dv, nd, sizeof *dv, cmp_gitem);
    for (size_t k = 0; k < nd; k++)
        rank[dv[k].row] = (uint32_t)k;
    memset(start, 0, (nd + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[rank[gid[i]] + 1]++;
    for (size_t k = 0; k < nd; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < n; i++)
        tmp[start[rank[gid[i]]]++] = it[i];
    memcpy(it, tmp, n * sizeof *it);
    rc = IG_OK;
out:
    ig_free(slot);
    ig_free(gid);
    ig_free(dv);
    ig_free(start);
    ig_free(rank);
    return rc;
}

int cls_write_groups(const cls_run *run, ig_out *o, ig_err *e)
{
    const idx_reader *r = run->r;
    ig_csv_writer w;
    static const char *const head[] = { "grouping", "value", "documents", "n", "mean", "sd",
                                        "lo", "hi", "multilateral", "multistakeholder",
                                        "mixed", "none", NULL };
    int rc = ig_csv_writer_init(&w, o, run->o.excel);
    rc = rc ? rc : ig_csv_header(&w, head);
    gitem *it = ig_reallocarray(NULL, run->nrows ? run->nrows : 1, sizeof *it);
    gitem *tmp = ig_reallocarray(NULL, run->nrows ? run->nrows : 1, sizeof *tmp);
    if (it == NULL || tmp == NULL) {
        ig_free(it);
        ig_free(tmp);
        return ig_err_nomem(e, CLS_STAGE);
    }
    for (size_t g = 0; groupings[g] && rc == IG_OK; g++) {
        long col = idx_col_find(r, groupings[g]);
        if (col < 0)
            continue;
        size_t n = 0;
        for (size_t i = 0; i < run->nrows; i++)
            if (run->rows[i].section == 0) {
                it[n].value = idx_doc_meta(r, run->rows[i].doc, (size_t)col);
                it[n].row = i;
                n++;
            }
        if (group_order(it, n, tmp)) {
            rc = ig_err_nomem(e, CLS_STAGE);
            break;
        }
        for (size_t a = 0; a < n && rc == IG_OK;) {
            size_t z = a;
            while (z < n && strcmp(it[z].value, it[a].value) == 0)
                z++;
            uint64_t count[4] = { 0, 0, 0, 0 };
            double sum = 0, sq = 0;
            size_t k = 0;
            for (size_t i = a; i < z; i++) {
                const cls_row *row = &run->rows[it[i].row];
                count[row->label]++;
                if (row->label != CLS_NONE) {
                    sum += row->score;
                    k++;
                }
            }
            double mean = k ? sum / (double)k : NAN;
            for (size_t i = a; i < z; i++) {
                const cls_row *row = &run->rows[it[i].row];
                if (row->label != CLS_NONE)
                    sq += (row->score - mean) * (row->score - mean);
            }
            double sd = k > 1 ? sqrt(sq / (double)(k - 1)) : NAN;
            double half = k > 1 ? scl_t_quantile(0.975, (double)(k - 1)) * sd / sqrt((double)k)
                                : NAN;
            rc = ig_csv_str(&w, groupings[g]);
            rc = rc ? rc : ig_csv_str(&w, it[a].value);
            rc = rc ? rc : ig_csv_u64(&w, z - a);
            rc = rc ? rc : ig_csv_u64(&w, k);
            rc = rc ? rc : ig_csv_double(&w, mean, 6);
            rc = rc ? rc : ig_csv_double(&w, sd, 6);
            rc = rc ? rc : ig_csv_double(&w, mean - half, 6);
            rc = rc ? rc : ig_csv_double(&w, mean + half, 6);
            rc = rc ? rc : ig_csv_u64(&w, count[CLS_MULTILATERAL]);
            rc = rc ? rc : ig_csv_u64(&w, count[CLS_MULTISTAKEHOLDER]);
            rc = rc ? rc : ig_csv_u64(&w, count[CLS_MIXED]);
            rc = rc ? rc : ig_csv_u64(&w, count[CLS_NONE]);
            rc = rc ? rc : ig_csv_endrow(&w);
            a = z;
        }
    }
    ig_free(it);
    ig_free(tmp);
    return rc;
}

/* ---- lexicon_coverage.csv ------------------------------------------------------ */

static int cmp_rank(const void *a, const void *b, const cls_run *run)
{
    const cls_entry *p = &run->ent[*(const size_t *)a], *q = &run->ent[*(const size_t *)b];
    if (p->weight_total != q->weight_total)
        return p->weight_total > q->weight_total ? -1 : 1;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* qsort without a context argument: ranks are computed by insertion into a
 * sorted array (entries are few: a lexicon has thousands, not millions). */
static void rank_entries(const cls_run *run, size_t *idx, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && cmp_rank(&v, &idx[j - 1], run) < 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

int cls_write_coverage(const cls_run *run, ig_out *o, ig_err *e)
{
    size_t np = run->npos;
    size_t *idx = ig_reallocarray(NULL, np ? np : 1, sizeof *idx);
    uint64_t *rank = ig_reallocarray(NULL, np ? np : 1, sizeof *rank);
    double *cum = ig_reallocarray(NULL, np ? np : 1, sizeof *cum);
    if (!idx || !rank || !cum) {
        ig_free(idx);
        ig_free(rank);
        ig_free(cum);
        return ig_err_nomem(e, CLS_STAGE);
    }
    double total = 0;
    for (size_t i = 0; i < np; i++) {
        idx[i] = i;
        total += run->ent[i].weight_total;
    }
    rank_entries(run, idx, np);
    double acc = 0;
    for (size_t k = 0; k < np; k++) {
        acc += run->ent[idx[k]].weight_total;
        rank[idx[k]] = k + 1;
        cum[idx[k]] = total > 0 ? acc / total : NAN;
    }
    ig_csv_writer w;
    static const char *const head[] = { "lexicon", "line", "kind", "dimension", "weight",
                                        "pattern", "matches", "counted", "docs", "absorbed",
                                        "quoted", "negated", "weight_total", "weight_share", "rank",
                                        "cumulative_share", NULL };
    int rc = ig_csv_writer_init(&w, o, run->o.excel);
    rc = rc ? rc : ig_csv_header(&w, head);
    for (size_t i = 0; i < run->nlex && rc == IG_OK; i++) {
        const cls_entry *en = &run->ent[i];
        int cue = en->kind == CLS_CUE;
        rc = ig_csv_str(&w, lex_file_path(cue ? run->lpos : run->lneg));
        rc = rc ? rc : ig_csv_u64(&w, en->line);
        rc = rc ? rc : ig_csv_str(&w, cue ? lex_pole_name(en->pole) : "negator");
        rc = rc ? rc : (cue ? ig_csv_str(&w, lex_dimension_name(en->dim)) : ig_csv_empty(&w));
        rc = rc ? rc : (cue ? ig_csv_double(&w, en->weight, 6) : ig_csv_u64(&w, en->scope));
        rc = rc ? rc : ig_csv_str(&w, en->text);
        rc = rc ? rc : ig_csv_u64(&w, en->matches);
        rc = rc ? rc : ig_csv_u64(&w, en->counted);
        rc = rc ? rc : ig_csv_u64(&w, en->docs);
        if (cue) {
            rc = rc ? rc : ig_csv_u64(&w, en->absorbed);
            rc = rc ? rc : ig_csv_u64(&w, en->quoted);
            rc = rc ? rc : ig_csv_u64(&w, en->negated);
            rc = rc ? rc : ig_csv_double(&w, en->weight_total, 6);
            rc = rc ? rc : ig_csv_double(&w, total > 0 ? en->weight_total / total : NAN, 6);
            rc = rc ? rc : ig_csv_u64(&w, rank[i]);
            rc = rc ? rc : ig_csv_double(&w, cum[i], 6);
        } else {
            for (int k = 0; k < 7 && rc == IG_OK; k++)
                rc = ig_csv_empty(&w);
        }
        rc = rc ? rc : ig_csv_endrow(&w);
    }
    ig_free(idx);
    ig_free(rank);
    ig_free(cum);
    return rc;
}

/* ---- summary ------------------------------------------------------------------- */

static const char *neg_name(int n)
{
    return n == CLS_NEG_FLIP ? "flip" : n == CLS_NEG_DISCOUNT ? "discount" : "ignore";
}

static void fmt_num(char *buf, size_t n, double v, int prec)
{
    if (isfinite(v))
        ig_fmt_double(buf, n, v, prec);
    else
        snprintf(buf, n, "n/a");
}

int cls_write_summary(const cls_run *run, ig_out *o, ig_err *e)
{
    const cls_opts *op = &run->o;
    uint64_t docs = 0, count[4] = { 0, 0, 0, 0 }, secrows = 0;
    size_t nd = 0;
    for (size_t i = 0; i < run->nrows; i++) {
        if (run->rows[i].section == 0) {
            docs++;
            count[run->rows[i].label]++;
        } else {
            secrows++;
        }
    }
    double *v[3];
    for (int k = 0; k < 3; k++) {
        v[k] = ig_reallocarray(NULL, docs ? docs : 1, sizeof *v[k]);
        if (v[k] == NULL) {
            for (int j = 0; j < k; j++)
                ig_free(v[j]);
            return ig_err_nomem(e, CLS_STAGE);
        }
    }
    for (size_t i = 0; i < run->nrows; i++)
        if (run->rows[i].section == 0) {
            v[0][nd] = run->rows[i].score;
            v[1][nd] = run->rows[i].ws_raw;
            v[2][nd] = run->rows[i].wf_theta;
            nd++;
        }
    char a[64], b[64], c[64];
    ig_fmt_double(a, sizeof a, op->negation_factor, 3);
    ig_fmt_double(b, sizeof b, op->smoothing, 3);
    ig_fmt_double(c, sizeof c, op->threshold, 3);
    ig_out_printf(o, "igmap classify: %llu documents, %llu section rows, %llu cues counted\n",
                  (unsigned long long)docs, (unsigned long long)secrows,
                  (unsigned long long)run->nevidence);
    ig_out_printf(o, "labels: multilateral %llu, multistakeholder %llu, mixed %llu, none %llu\n",
                  (unsigned long long)count[CLS_MULTILATERAL],
                  (unsigned long long)count[CLS_MULTISTAKEHOLDER],
                  (unsigned long long)count[CLS_MIXED], (unsigned long long)count[CLS_NONE]);
    ig_out_printf(o, "rules: negation %s x %s, cross-overlap %s, quotes %s, score (MS - ML) / "
                     "(MS + ML + %s), threshold %s, min cues %u (%u beyond actors)\n",
                  neg_name(op->negation), a, op->cross == CLS_CROSS_BOTH ? "both" : "nearest",
                  op->quotes == CLS_QUOTES_USE ? "use" : "mention", b, c, op->min_cues,
                  op->min_stance_cues);
    ig_out_printf(o, "interval: bootstrap over sentences, %u replicates, seed %llu\n",
                  op->bootstrap, (unsigned long long)op->seed);
    if (run->ws_ran)
        ig_out_printf(o, "wordscores: %u reference documents, %u features\n", run->ws_nref,
                      run->scale_nfeat);
    else
        ig_out_printf(o, "wordscores: %s\n", run->ws_note);
    if (run->wf_ran)
        ig_out_printf(o, "wordfish: %u documents, %u features, %u iterations (%s), dir %s < %s, "
                         "%s\n",
                      run->wf_ndocs, run->scale_nfeat, run->wf_iter,
                      run->wf_converged ? "converged" : "iteration cap reached",
                      idx_doc_id(run->r, run->wf_dir[0]), idx_doc_id(run->r, run->wf_dir[1]),
                      run->wf_note);
    else
        ig_out_printf(o, "wordfish: %s\n", run->wf_note);
    static const char *const names[3] = { "score", "ws_raw", "wf_theta" };
    ig_out_printf(o, "correlations across documents (pearson / spearman, n):\n");
    ig_out_printf(o, "  %-10s %-24s %-24s\n", "", names[1], names[2]);
    int rc = IG_OK;
    for (int i = 0; i < 2; i++) {
        char cell[2][96];
        for (int j = 1; j < 3; j++) {
            char p[32], s[32];
            size_t n1, n2;
            int src;
            if (j <= i) {
                snprintf(cell[j - 1], sizeof cell[0], "%s", "");
                continue;
            }
            fmt_num(p, sizeof p, scl_pearson(v[i], v[j], nd, &n1), 3);
            fmt_num(s, sizeof s, scl_spearman(v[i], v[j], nd, &n2, &src), 3);
            if (src)
                rc = IG_ENOMEM;
            snprintf(cell[j - 1], sizeof cell[0], "%s / %s, %zu", p, s, n1);
        }
        ig_out_printf(o, "  %-10s %-24s %-24s\n", names[i], cell[0], cell[1]);
    }
    for (int k = 0; k < 3; k++)
        ig_free(v[k]);
    if (rc)
        return ig_err_nomem(e, CLS_STAGE);
    return IG_OK;
}

/* ---- provenance ---------------------------------------------------------------- */

static void json_str(ig_out *o, const char *s)
{
    ig_out_write(o, "\"", 1);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            ig_out_printf(o, "\\%c", ch);
        else if (ch < 0x20)
            ig_out_printf(o, "\\u%04x", ch);
        else
            ig_out_write(o, s, 1);
    }
    ig_out_write(o, "\"", 1);
}

static void json_num(ig_out *o, double v, int prec)
{
    char buf[64];
    if (isfinite(v))
        ig_out_puts(o, ig_fmt_double(buf, sizeof buf, v, prec));
    else
        ig_out_puts(o, "null");
}

int cls_write_provenance(const cls_run *run, ig_out *o, ig_err *e)
{
    const idx_reader *r = run->r;
    const cls_opts *op = &run->o;
    ig_sha256 c;
    ig_sha256_init(&c);
    uint32_t nd = idx_doc_count(r);
    for (uint32_t d = 0; d < nd; d++) {
        idx_doc_stats st;
        if (idx_doc_stats_get(r, d, &st) == 0)
            ig_sha256_update(&c, st.sha256, sizeof st.sha256);
    }
    unsigned char dig[32];
    char hex[65];
    ig_sha256_final(&c, dig);
    ig_sha256_hex(dig, hex);
    ig_buf info = IG_BUF_INIT;
    if (idx_info(r, &info)) {
        /* idx_info may have grown the buffer before failing (t0903). */
        ig_buf_free(&info);
        return ig_err_nomem(e, CLS_STAGE);
    }
    ig_out_puts(o, "{\n  \"tool\": ");
    json_str(o, "igmap classify");
    ig_out_puts(o, ",\n  \"version\": ");
    json_str(o, op->version ? op->version : "");
    ig_out_puts(o, ",\n  \"index\": {\"path\": ");
    json_str(o, op->index_path ? op->index_path : "");
    ig_out_printf(o, ", \"documents\": %u, \"documents_sha256\": ", nd);
    json_str(o, hex);
    ig_out_puts(o, ", \"fingerprint\": {");
    /* the "fingerprint.key: value" lines of idx_info */
    int firstfp = 1;
    for (char *line = info.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "fingerprint.", 12) == 0) {
            char *colon = strstr(line, ": ");
            if (colon) {
                *colon = '\0';
                ig_out_puts(o, firstfp ? "\n    " : ",\n    ");
                json_str(o, line + 12);
                ig_out_puts(o, ": ");
                json_str(o, colon + 2);
                firstfp = 0;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    ig_out_puts(o, "}},\n  \"lexicons\": [\n    {\"path\": ");
    json_str(o, lex_file_path(run->lpos));
    ig_out_printf(o, ", \"entries\": %zu, \"sha256\": ", run->npos);
    json_str(o, lex_file_sha256(run->lpos));
    ig_out_puts(o, "},\n    {\"path\": ");
    json_str(o, lex_file_path(run->lneg));
    ig_out_printf(o, ", \"entries\": %zu, \"sha256\": ", run->nlex - run->npos);
    json_str(o, lex_file_sha256(run->lneg));
    ig_out_puts(o, "}\n  ],\n  \"options\": {\"negation\": ");
    json_str(o, neg_name(op->negation));
    ig_out_puts(o, ", \"negation_factor\": ");
    json_num(o, op->negation_factor, 6);
    ig_out_puts(o, ", \"cross_overlap\": ");
    json_str(o, op->cross == CLS_CROSS_BOTH ? "both" : "nearest");
    ig_out_puts(o, ", \"quotes\": ");
    json_str(o, op->quotes == CLS_QUOTES_USE ? "use" : "mention");
    ig_out_puts(o, ", \"focus_pattern\": ");
    json_str(o, op->focus_pattern);
    ig_out_puts(o, ", \"privative_pattern\": ");
    json_str(o, op->privative_pattern);
    ig_out_puts(o, ",\n    \"smoothing\": ");
    json_num(o, op->smoothing, 6);
    ig_out_puts(o, ", \"threshold\": ");
    json_num(o, op->threshold, 6);
    ig_out_printf(o, ", \"min_stance_cues\": %u", op->min_stance_cues);
    ig_out_printf(o, ", \"min_cues\": %u, \"bootstrap\": %u, \"seed\": %llu, \"sections\": %s, "
                     "\"context\": %u,\n    \"scale_min_docs\": %u, \"scale_features\": %u, "
                     "\"wordfish_max_docs\": %u, \"wordfish_priors_sd\": [",
                  op->min_cues, op->bootstrap, (unsigned long long)op->seed,
                  op->sections ? "true" : "false", op->context, op->scale_min_docs,
                  op->scale_features, op->wordfish_max_docs);
    for (int k = 0; k < 4; k++) {
        if (k)
            ig_out_puts(o, ", ");
        if (isinf(op->wf.prior_sd[k]))
            json_str(o, "inf");
        else
            json_num(o, op->wf.prior_sd[k], 6);
    }
    ig_out_puts(o, "], \"wordfish_tol\": [");
    char t1[64], t2[64];
    snprintf(t1, sizeof t1, "%.3g", op->wf.tol_lp);
    snprintf(t2, sizeof t2, "%.3g", op->wf.tol_par);
    ig_out_printf(o, "%s, %s], \"wordfish_max_iter\": %u},\n", t1, t2, op->wf.max_iter);
    ig_out_printf(o, "  \"wordscores\": {\"ran\": %s, \"references\": %u, \"features\": %u, "
                     "\"note\": ",
                  run->ws_ran ? "true" : "false", run->ws_nref, run->scale_nfeat);
    json_str(o, run->ws_note);
    ig_out_printf(o, "},\n  \"wordfish\": {\"ran\": %s, \"documents\": %u, \"iterations\": %u, "
                     "\"converged\": %s, \"dir\": [",
                  run->wf_ran ? "true" : "false", run->wf_ndocs, run->wf_iter,
                  run->wf_converged ? "true" : "false");
    if (run->wf_ran) {
        json_str(o, idx_doc_id(r, run->wf_dir[0]));
        ig_out_puts(o, ", ");
        json_str(o, idx_doc_id(r, run->wf_dir[1]));
    }
    ig_out_puts(o, "], \"note\": ");
    json_str(o, run->wf_note);
    ig_out_printf(o, "},\n  \"rows\": %zu, \"evidence_rows\": %llu\n}\n", run->nrows,
                  (unsigned long long)run->nevidence);
    ig_buf_free(&info);
    return IG_OK;
}

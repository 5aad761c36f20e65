/*
 * scale.c: Wordscores and Wordfish on a sparse count matrix (see scale.h,
 * which states every formula, default and published check).
 *
 * Pipeline place: called by classify.c after the dictionary scoring, with a
 * matrix built from the index; the unit test drives it directly with the
 * LBG (2003) Table 1 counts.  Pure computation: no I/O, no globals.
 *
 * Numbers: sums run in index order (documents, then features) so results
 * are bit-identical run to run.  Wordfish works on a dense copy because the
 * Poisson likelihood has a term for every cell, zero counts included.
 */
#include "scale.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define STAGE "scale"

int scl_counts_check(const scl_counts *m, ig_err *e)
{
    if (m->row == NULL || (m->row[m->ndocs] > 0 && (m->col == NULL || m->val == NULL)))
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "count matrix without arrays");
    for (uint32_t d = 0; d < m->ndocs; d++) {
        if (m->row[d] > m->row[d + 1])
            return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS, "count matrix row %u: offsets decrease", d);
        for (uint64_t k = m->row[d]; k < m->row[d + 1]; k++) {
            if (m->col[k] >= m->nfeat || (k > m->row[d] && m->col[k] <= m->col[k - 1]))
                return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                  IG_ERR_NOPOS,
                                  "count matrix row %u: feature %u out of order or range", d,
                                  m->col[k]);
            if (!isfinite(m->val[k]) || m->val[k] <= 0)
                return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                  IG_ERR_NOPOS, "count matrix row %u: bad count", d);
        }
    }
    return IG_OK;
}

/* ---- Wordscores -------------------------------------------------------- */

void scl_ws_free(scl_ws *w)
{
    ig_free(w->word_score);
    ig_free(w->raw);
    ig_free(w->se);
    ig_free(w->lbg);
    ig_free(w->lbg_se);
    ig_free(w->mv);
    ig_free(w->mv_se);
    ig_free(w->scored);
    memset(w, 0, sizeof *w);
}

static double *nan_array(size_t n)
{
    double *v = ig_reallocarray(NULL, n ? n : 1, sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++)
            v[i] = NAN;
    return v;
}

/* Sample standard deviation of the finite values of v. */
static double sample_sd(const double *v, size_t n, double *mean, size_t *count)
{
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            s += v[i];
            k++;
        }
    *count = k;
    *mean = k ? s / (double)k : NAN;
    if (k < 2)
        return NAN;
    double q = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            q += (v[i] - *mean) * (v[i] - *mean);
    return sqrt(q / (double)(k - 1));
}

int scl_wordscores(const scl_counts *m, const double *ref, scl_ws *out, ig_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = scl_counts_check(m, e);
    if (rc)
        return rc;
    scl_ws w = { 0 };
    w.ndocs = m->ndocs;
    w.nfeat = m->nfeat;
    double *sum_f = ig_calloc(m->nfeat ? m->nfeat : 1, sizeof *sum_f);
    double *sum_fa = ig_calloc(m->nfeat ? m->nfeat : 1, sizeof *sum_fa);
    w.word_score = nan_array(m->nfeat);
    w.raw = nan_array(m->ndocs);
    w.se = nan_array(m->ndocs);
    w.lbg = nan_array(m->ndocs);
    w.lbg_se = nan_array(m->ndocs);
    w.mv = nan_array(m->ndocs);
    w.mv_se = nan_array(m->ndocs);
    w.scored = ig_calloc(m->ndocs ? m->ndocs : 1, sizeof *w.scored);
    if (!sum_f || !sum_fa || !w.word_score || !w.raw || !w.se || !w.lbg || !w.lbg_se ||
        !w.mv || !w.mv_se || !w.scored) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    /* Word scores from the references' relative frequencies. */
    double lo = INFINITY, hi = -INFINITY;
    for (uint32_t d = 0; d < m->ndocs; d++) {
        if (!isfinite(ref[d]))
            continue;
        double tot = 0;
        for (uint64_t k = m->row[d]; k < m->row[d + 1]; k++)
            tot += m->val[k];
        if (tot <= 0) {
            rc = ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "reference document %u has no counted words", d);
            goto out;
        }
        for (uint64_t k = m->row[d]; k < m->row[d + 1]; k++) {
            double f = m->val[k] / tot;
            sum_f[m->col[k]] += f;
            sum_fa[m->col[k]] += f * ref[d];
        }
        w.nref++;
        lo = ref[d] < lo ? ref[d] : lo;
        hi = ref[d] > hi ? ref[d] : hi;
    }
    if (w.nref < 2 || !(hi > lo)) {
        rc = ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "Wordscores needs at least two reference documents with different "
                        "scores (found %u)", w.nref);
        goto out;
    }
    w.ref_lo = lo;
    w.ref_hi = hi;
    for (uint32_t f = 0; f < m->nfeat; f++)
        if (sum_f[f] > 0)
            w.word_score[f] = sum_fa[f] / sum_f[f];
    /* Text scores on the scorable words. */
    for (uint32_t d = 0; d < m->ndocs; d++) {
        double n = 0, s = 0;
        for (uint64_t k = m->row[d]; k < m->row[d + 1]; k++)
            if (isfinite(w.word_score[m->col[k]])) {
                n += m->val[k];
                s += m->val[k] * w.word_score[m->col[k]];
            }
        w.scored[d] = n;
        if (n <= 0)
            continue;
        double raw = s / n, v = 0;
        for (uint64_t k = m->row[d]; k < m->row[d + 1]; k++) {
            double sw = w.word_score[m->col[k]];
            if (isfinite(sw))
                v += m->val[k] / n * (sw - raw) * (sw - raw);
        }
        w.raw[d] = raw;
        w.se[d] = sqrt(v / n);
    }
    /* LBG: pooled over every scored document. */
    double mean_raw, mean_ref;
    size_t nraw, nref;
    double sd_raw = sample_sd(w.raw, m->ndocs, &mean_raw, &nraw);
    double *refs = nan_array(m->ndocs);
    if (refs == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    for (uint32_t d = 0; d < m->ndocs; d++)
        if (isfinite(ref[d]))
            refs[d] = ref[d];
    double sd_ref = sample_sd(refs, m->ndocs, &mean_ref, &nref);
    ig_free(refs);
    if (isfinite(sd_raw) && sd_raw > 0 && isfinite(sd_ref)) {
        double mult = sd_ref / sd_raw;
        for (uint32_t d = 0; d < m->ndocs; d++)
            if (isfinite(w.raw[d])) {
                w.lbg[d] = (w.raw[d] - mean_raw) * mult + mean_raw;
                w.lbg_se[d] = w.se[d] * mult;
            }
    }
    /* MV: anchored on the mean raw score of the extreme references. */
    double rlo = 0, rhi = 0;
    size_t nlo = 0, nhi = 0;
    for (uint32_t d = 0; d < m->ndocs; d++) {
        if (!isfinite(ref[d]) || !isfinite(w.raw[d]))
            continue;
        if (ref[d] == lo) {
            rlo += w.raw[d];
            nlo++;
        }
        if (ref[d] == hi) {
            rhi += w.raw[d];
            nhi++;
        }
    }
    if (nlo && nhi) {
        rlo /= (double)nlo;
        rhi /= (double)nhi;
        if (rhi != rlo) {
            double mult = (hi - lo) / (rhi - rlo);
            for (uint32_t d = 0; d < m->ndocs; d++)
                if (isfinite(w.raw[d])) {
                    w.mv[d] = (w.raw[d] - rlo) * mult + lo;
                    w.mv_se[d] = w.se[d] * fabs(mult);
                }
        }
    }
    *out = w;
    memset(&w, 0, sizeof w);
out:
    scl_ws_free(&w);
    ig_free(sum_f);
    ig_free(sum_fa);
    return rc;
}

/* ---- Wordfish ---------------------------------------------------------- */

void scl_wf_opts_default(scl_wf_opts *o)
{
    o->prior_sd[0] = INFINITY;
    o->prior_sd[1] = INFINITY;
    o->prior_sd[2] = 3.0;
    o->prior_sd[3] = 1.0;
    o->tol_lp = 1e-6;
    o->tol_par = 1e-8;
    o->max_iter = 100;
    o->max_inner = 10;
    o->dir_lo = 0;
    o->dir_hi = 1;
}

void scl_wf_free(scl_wf *w)
{
    ig_free(w->theta);
    ig_free(w->theta_se);
    ig_free(w->alpha);
    ig_free(w->beta);
    ig_free(w->psi);
    memset(w, 0, sizeof *w);
}

/* The state of one fit. */
struct wf {
    uint32_t n, k;             /* documents, features */
    const double *y;           /* dense n x k counts, row-major */
    double *alpha, *theta, *psi, *beta;
    double *rsum, *csum;
    double prec[4];            /* prior precisions: alpha, psi, beta, theta */
};

static double prec_of(double sd)
{
    return isinf(sd) ? 0.0 : 1.0 / (sd * sd);
}

/* Mean 0, sample sd 1; returns 0 when the sd is not positive. */
static int standardise(double *v, uint32_t n)
{
    double s = 0, q = 0;
    for (uint32_t i = 0; i < n; i++)
        s += v[i];
    double mean = s / n;
    for (uint32_t i = 0; i < n; i++)
        q += (v[i] - mean) * (v[i] - mean);
    double sd = sqrt(q / (n - 1));
    if (!(sd > 0) || !isfinite(sd))
        return 0;
    for (uint32_t i = 0; i < n; i++)
        v[i] = (v[i] - mean) / sd;
    return 1;
}

static double log_posterior(const struct wf *f)
{
    double p = 0;
    for (uint32_t i = 0; i < f->n; i++)
        p += 0.5 * f->alpha[i] * f->alpha[i] * f->prec[0];
    for (uint32_t j = 0; j < f->k; j++)
        p += 0.5 * f->psi[j] * f->psi[j] * f->prec[1];
    for (uint32_t j = 0; j < f->k; j++)
        p += 0.5 * f->beta[j] * f->beta[j] * f->prec[2];
    for (uint32_t i = 0; i < f->n; i++)
        p += 0.5 * f->theta[i] * f->theta[i] * f->prec[3];
    double lp = -p;
    for (uint32_t i = 0; i < f->n; i++) {
        const double *yi = f->y + (size_t)i * f->k;
        for (uint32_t j = 0; j < f->k; j++) {
            double eta = f->alpha[i] + f->psi[j] + f->beta[j] * f->theta[i];
            lp += eta * yi[j] - exp(eta);
        }
    }
    return lp;
}

/* Starting theta: first left singular vector of the standardised residual
 * matrix, by power iteration on C C^T without forming it. */
static int start_theta(struct wf *f, double total)
{
    uint32_t n = f->n, k = f->k;
    double *u = ig_reallocarray(NULL, n, sizeof *u);
    double *v = ig_reallocarray(NULL, k, sizeof *v);
    double *nu = ig_reallocarray(NULL, n, sizeof *nu);
    if (!u || !v || !nu) {
        ig_free(u);
        ig_free(v);
        ig_free(nu);
        return IG_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        u[i] = 1.0 + 0.1 * i;
    for (unsigned step = 0; step < 10000; step++) {
        for (uint32_t j = 0; j < k; j++)
            v[j] = 0;
        for (uint32_t i = 0; i < n; i++) {
            const double *yi = f->y + (size_t)i * k;
            for (uint32_t j = 0; j < k; j++) {
                double ex = f->rsum[i] * f->csum[j] / total;
                v[j] += u[i] * (yi[j] - ex) / sqrt(ex);
            }
        }
        double norm = 0;
        for (uint32_t i = 0; i < n; i++) {
            const double *yi = f->y + (size_t)i * k;
            double s = 0;
            for (uint32_t j = 0; j < k; j++) {
                double ex = f->rsum[i] * f->csum[j] / total;
                s += v[j] * (yi[j] - ex) / sqrt(ex);
            }
            nu[i] = s;
            norm += s * s;
        }
        norm = sqrt(norm);
        if (!(norm > 0) || !isfinite(norm))
            break; /* no residual structure: keep the current vector */
        double moved = 0;
        for (uint32_t i = 0; i < n; i++) {
            nu[i] /= norm;
            moved = fmax(moved, fabs(nu[i] - u[i]));
            u[i] = nu[i];
        }
        if (moved < 1e-15)
            break;
    }
    for (uint32_t i = 0; i < n; i++)
        f->theta[i] = u[i] / sqrt(f->rsum[i] / total);
    ig_free(u);
    ig_free(v);
    ig_free(nu);
    return IG_OK;
}

/* The conditional log posterior of one (fixed effect x, slope b) block. */
static double block_obj(double x, double b, const double *fixed, const double *other,
                        const double *ys, size_t stride, uint32_t len, double px, double pb)
{
    double f = -0.5 * px * x * x - 0.5 * pb * b * b;
    for (uint32_t t = 0; t < len; t++) {
        double eta = fixed[t] + x + b * other[t];
        f += ys[(size_t)t * stride] * eta - exp(eta);
    }
    return f;
}

/* Newton steps on one (fixed effect, slope) pair: x is the fixed effect
 * (psi_j or alpha_i), b the slope (beta_j or theta_i), px and pb their prior
 * precisions.  For a feature, other[] is theta over documents and fixed[]
 * alpha; for a document, other[] is beta over features and fixed[] psi.
 * ys are the counts along the block, with stride.
 * A step that would lower the block's log posterior (by more than a
 * relative 1e-9, which is rounding) or leave the finite numbers is halved
 * until it does not, at most 60 times: plain Newton
 * overshoots badly on rare features far from their optimum (a count seen in
 * two documents, a start at beta = -0.5), and exp() then overflows.  Near
 * the optimum full steps always improve, so well-behaved fits (the LBG
 * example) take exactly the unguarded path. */
static void newton_block(double *x, double *b, const double *fixed, const double *other,
                         const double *ys, size_t stride, uint32_t len, double px, double pb,
                         double step, const scl_wf_opts *o)
{
    double cc = 1;
    unsigned inner = 0;
    while (cc > o->tol_par && inner < o->max_inner) {
        inner++;
        double g0 = 0, g1 = 0, h00 = 0, h10 = 0, h11 = 0, f0 = 0;
        for (uint32_t t = 0; t < len; t++) {
            double eta = fixed[t] + *x + *b * other[t];
            double lam = exp(eta);
            double y = ys[(size_t)t * stride];
            double r = y - lam;
            f0 += y * eta - lam;
            g0 += r;
            g1 += other[t] * r;
            h00 -= lam;
            h10 -= other[t] * lam;
            h11 -= other[t] * other[t] * lam;
        }
        f0 += -0.5 * px * *x * *x - 0.5 * pb * *b * *b;
        g0 -= *x * px;
        g1 -= *b * pb;
        h00 -= px;
        h11 -= pb;
        double det = h00 * h11 - h10 * h10;
        double dx = (h11 * g0 - h10 * g1) / det;
        double db = (h00 * g1 - h10 * g0) / det;
        double nx = *x - step * dx, nb = *b - step * db;
        for (int halve = 0; halve < 60; halve++) {
            double f1 = block_obj(nx, nb, fixed, other, ys, stride, len, px, pb);
            if (isfinite(f1) && f1 >= f0 - 1e-9 * (1 + fabs(f0)))
                break;
            step *= 0.5;
            nx = *x - step * dx;
            nb = *b - step * db;
        }
        cc = fmax(fabs(nx - *x), fabs(nb - *b));
        *x = nx;
        *b = nb;
        step = 1.0;
        if (!isfinite(cc))
            break; /* the caller notices the non-finite parameter */
    }
}

static int all_finite(const double *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

int scl_wordfish(const scl_counts *m, const scl_wf_opts *opts, volatile int *interrupted,
                 scl_wf *out, ig_err *e)
{
    memset(out, 0, sizeof *out);
    scl_wf_opts o;
    if (opts)
        o = *opts;
    else
        scl_wf_opts_default(&o);
    int rc = scl_counts_check(m, e);
    if (rc)
        return rc;
    uint32_t n = m->ndocs, k = m->nfeat;
    if (n < 2 || k < 2)
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "Wordfish needs at least 2 documents and 2 features (have %u, %u)",
                          n, k);
    if (o.dir_lo >= n || o.dir_hi >= n || o.dir_lo == o.dir_hi)
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "Wordfish direction needs two different documents (%u, %u)",
                          o.dir_lo, o.dir_hi);
    for (int p = 0; p < 4; p++)
        if (!(o.prior_sd[p] > 0))
            return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS, "Wordfish prior standard deviations must be > 0");
    if ((uint64_t)n * k > SCL_MAX_DENSE)
        return ig_err_set(e, IG_ELIMIT, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "Wordfish on %u documents x %u features exceeds %llu cells; "
                          "select fewer features", n, k, (unsigned long long)SCL_MAX_DENSE);

    struct wf f = { 0 };
    f.n = n;
    f.k = k;
    double *y = ig_calloc((size_t)n * k, sizeof *y);
    f.alpha = ig_calloc(n, sizeof *f.alpha);
    f.theta = ig_calloc(n, sizeof *f.theta);
    f.psi = ig_calloc(k, sizeof *f.psi);
    f.beta = ig_calloc(k, sizeof *f.beta);
    f.rsum = ig_calloc(n, sizeof *f.rsum);
    f.csum = ig_calloc(k, sizeof *f.csum);
    double *se = ig_calloc(n, sizeof *se);
    if (!y || !f.alpha || !f.theta || !f.psi || !f.beta || !f.rsum || !f.csum || !se) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    f.y = y;
    for (uint32_t i = 0; i < n; i++)
        for (uint64_t t = m->row[i]; t < m->row[i + 1]; t++)
            y[(size_t)i * k + m->col[t]] = m->val[t];
    double total = 0;
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < k; j++) {
            f.rsum[i] += y[(size_t)i * k + j];
            f.csum[j] += y[(size_t)i * k + j];
        }
        total += f.rsum[i];
    }
    for (uint32_t i = 0; i < n; i++)
        if (!(f.rsum[i] > 0)) {
            rc = ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "Wordfish: document %u has no counts", i);
            goto out;
        }
    for (uint32_t j = 0; j < k; j++)
        if (!(f.csum[j] > 0)) {
            rc = ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "Wordfish: feature %u has no counts", j);
            goto out;
        }
    f.prec[0] = prec_of(o.prior_sd[0]);
    f.prec[1] = prec_of(o.prior_sd[1]);
    f.prec[2] = prec_of(o.prior_sd[2]);
    f.prec[3] = prec_of(o.prior_sd[3]);

    /* Starting values. */
    rc = start_theta(&f, total);
    if (rc) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    double mean_r = total / n;
    for (uint32_t i = 0; i < n; i++)
        f.alpha[i] = log(f.rsum[i]) - log(mean_r);
    for (uint32_t j = 0; j < k; j++) {
        f.psi[j] = log(f.csum[j] / n);
        f.beta[j] = -0.5;
    }
    if (!standardise(f.theta, n)) {
        rc = ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "Wordfish: the documents do not differ (no starting direction)");
        goto out;
    }

    double lp = log_posterior(&f), last = -2e12;
    unsigned iter = 0;
    int converged = 0;
    while (iter < o.max_iter) {
        if (lp - last <= o.tol_lp) {
            converged = 1;
            break;
        }
        if (interrupted && *interrupted) {
            rc = ig_err_set(e, IG_EINTR, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "interrupted");
            e->signo = *interrupted;
            goto out;
        }
        iter++;
        double first = iter == 1 ? 0.5 : 1.0;
        for (uint32_t j = 0; j < k; j++)
            newton_block(&f.psi[j], &f.beta[j], f.alpha, f.theta, y + j, k, n, f.prec[1],
                         f.prec[2], first, &o);
        for (uint32_t i = 0; i < n; i++)
            newton_block(&f.alpha[i], &f.theta[i], f.psi, f.beta, y + (size_t)i * k, 1, k,
                         f.prec[0], f.prec[3], first, &o);
        if (!all_finite(f.psi, k) || !all_finite(f.beta, k) || !all_finite(f.alpha, n) ||
            !all_finite(f.theta, n)) {
            rc = ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "Wordfish did not converge (parameters left the finite range "
                            "in iteration %u)", iter);
            goto out;
        }
        double ma = 0;
        for (uint32_t i = 0; i < n; i++)
            ma += f.alpha[i];
        ma /= n;
        for (uint32_t i = 0; i < n; i++)
            f.alpha[i] -= ma;
        if (!standardise(f.theta, n)) {
            rc = ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "Wordfish did not converge (all positions collapsed in "
                            "iteration %u)", iter);
            goto out;
        }
        last = lp;
        lp = log_posterior(&f);
    }
    if (!converged && lp - last <= o.tol_lp)
        converged = 1;
    if (f.theta[o.dir_lo] > f.theta[o.dir_hi]) {
        for (uint32_t i = 0; i < n; i++)
            f.theta[i] = -f.theta[i];
        for (uint32_t j = 0; j < k; j++)
            f.beta[j] = -f.beta[j];
    }
    for (uint32_t i = 0; i < n; i++) {
        double h00 = 0, h10 = 0, h11 = 0;
        for (uint32_t j = 0; j < k; j++) {
            double lam = exp(f.alpha[i] + f.psi[j] + f.beta[j] * f.theta[i]);
            h00 -= lam;
            h10 -= f.beta[j] * lam;
            h11 -= f.beta[j] * f.beta[j] * lam;
        }
        h00 -= f.prec[0];
        h11 -= f.prec[3];
        double det = h00 * h11 - h10 * h10;
        se[i] = sqrt(-h00 / det);
    }
    if (!all_finite(se, n) || !isfinite(lp)) {
        rc = ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "Wordfish did not converge (singular Hessian at the estimate)");
        goto out;
    }
    out->ndocs = n;
    out->nfeat = k;
    out->theta = f.theta;
    out->theta_se = se;
    out->alpha = f.alpha;
    out->beta = f.beta;
    out->psi = f.psi;
    out->lp = lp;
    out->iterations = iter;
    out->converged = converged;
    f.theta = f.alpha = f.beta = f.psi = NULL;
    se = NULL;
out:
    ig_free(y);
    ig_free(f.alpha);
    ig_free(f.theta);
    ig_free(f.psi);
    ig_free(f.beta);
    ig_free(f.rsum);
    ig_free(f.csum);
    ig_free(se);
    return rc;
}

/* ---- statistics -------------------------------------------------------- */

double scl_pearson(const double *x, const double *y, size_t len, size_t *n)
{
    double sx = 0, sy = 0;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            sx += x[i];
            sy += y[i];
            k++;
        }
    *n = k;
    if (k < 3)
        return NAN;
    double mx = sx / (double)k, my = sy / (double)k, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < len; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    return sxy / sqrt(sxx * syy);
}

struct rank_item {
    double v;
    size_t i;
};

static int cmp_rank_item(const void *a, const void *b)
{
    const struct rank_item *p = a, *q = b;
    if (p->v != q->v)
        return p->v < q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

/* Mean ranks (1-based) of v[0..n) into r. */
static int mean_ranks(const double *v, size_t n, double *r)
{
    struct rank_item *it = ig_reallocarray(NULL, n ? n : 1, sizeof *it);
    if (it == NULL)
        return IG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        it[i].v = v[i];
        it[i].i = i;
    }
    qsort(it, n, sizeof *it, cmp_rank_item);
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b + 1 < n && it[b + 1].v == it[a].v)
            b++;
        double mean = ((double)a + (double)b) / 2.0 + 1.0;
        for (size_t t = a; t <= b; t++)
            r[it[t].i] = mean;
        a = b + 1;
    }
    ig_free(it);
    return IG_OK;
}

double scl_spearman(const double *x, const double *y, size_t len, size_t *n, int *rc)
{
    *rc = IG_OK;
    *n = 0;
    double *px = ig_reallocarray(NULL, len ? len : 1, sizeof *px);
    double *py = ig_reallocarray(NULL, len ? len : 1, sizeof *py);
    double *rx = ig_reallocarray(NULL, len ? len : 1, sizeof *rx);
    double *ry = ig_reallocarray(NULL, len ? len : 1, sizeof *ry);
    double res = NAN;
    if (!px || !py || !rx || !ry) {
        *rc = IG_ENOMEM;
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            px[k] = x[i];
            py[k] = y[i];
            k++;
        }
    if (mean_ranks(px, k, rx) || mean_ranks(py, k, ry)) {
        *rc = IG_ENOMEM;
        goto out;
    }
    res = scl_pearson(rx, ry, k, n);
out:
    ig_free(px);
    ig_free(py);
    ig_free(rx);
    ig_free(ry);
    return res;
}

/* Regularised incomplete beta I_x(a, b) by its continued fraction (modified
 * Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where it converges
 * faster. */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            break;
    }
    return h;
}

static double incbeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double bt = exp(lbt);
    if (x < (a + 1) / (a + b + 2))
        return bt * betacf(a, b, x) / a;
    return 1 - bt * betacf(b, a, 1 - x) / b;
}

/* P(T <= t) for Student's t with df degrees of freedom. */
static double t_cdf(double t, double df)
{
    double x = df / (df + t * t);
    double tail = 0.5 * incbeta(df / 2, 0.5, x);
    return t > 0 ? 1 - tail : tail;
}

double scl_t_quantile(double q, double df)
{
    if (!(q > 0 && q < 1) || !(df > 0))
        return NAN;
    if (q == 0.5)
        return 0;
    double lo = -1, hi = 1;
    while (t_cdf(lo, df) > q)
        lo *= 2;
    while (t_cdf(hi, df) < q)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * fmax(1.0, fabs(hi)); i++) {
        double mid = 0.5 * (lo + hi);
        if (t_cdf(mid, df) < q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

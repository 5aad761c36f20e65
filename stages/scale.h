/*
 * scale.h: the two word-count scaling models researchers already trust,
 * Wordscores (Laver, Benoit and Garry 2003) and Wordfish (Slapin and
 * Proksch 2008), on a document-by-feature count matrix.
 *
 * Pipeline place: part of the classify stage (classify.h builds the count
 * matrix from the index and puts both models' estimates beside the
 * dictionary score in positions.csv), and usable on its own: the unit test
 * feeds it the LBG (2003) Table 1 example (tests/fixtures/lbg/) and checks
 * the published numbers.  Nothing here reads files or the index.
 *
 * ---- Input ----------------------------------------------------------------
 *
 * scl_counts is a sparse matrix in compressed rows: document d's nonzero
 * counts are val[row[d] .. row[d+1]) at features col[...] (strictly
 * increasing within a row, each < nfeat, each count finite and > 0).  Counts
 * are doubles so that weighted counts are possible; classify passes whole
 * numbers.  scl_counts_check() verifies all of this; both models call it.
 *
 * ---- Wordscores (scl_wordscores) --------------------------------------------
 *
 * Reference documents are those with a finite ref[d]; the others are virgin.
 * Following LBG (2003), with F_wr the relative frequency of word w in
 * reference r (its count over r's total count of all features):
 *     P_wr = F_wr / sum_r F_wr          (only words seen in some reference)
 *     S_w  = sum_r P_wr * A_r           (the word score; A_r = ref[r])
 * Every document d, references included, is then scored on its scorable
 * words (those with an S_w), with F_wd their relative frequency among the
 * scorable words of d and N_d the number of scorable words in d:
 *     raw_d = sum_w F_wd * S_w
 *     se_d  = sqrt( sum_w F_wd * (S_w - raw_d)^2 / N_d )
 * A document without scorable words gets NaN everywhere.  No smoothing of
 * counts (LBG's and quanteda's default).
 *
 * Rescalings, both linear maps of raw, so they never change a rank:
 *   - LBG (2003): lbg_d = (raw_d - m) * (sd_ref / sd_raw) + m, where m and
 *     sd_raw are the mean and sample standard deviation (n - 1) of raw over
 *     ALL scored documents (references and virgins pooled, as quanteda's
 *     predict() does on the whole matrix; LBG's paper pools the virgin texts
 *     only, which is undefined for a single virgin text such as the LBG
 *     example), and sd_ref the sample standard deviation of the reference
 *     scores.  lbg_se_d = se_d * sd_ref / sd_raw (quanteda instead puts the
 *     standard error itself through the position map, which shifts it by m;
 *     we scale it only).  With fewer than two scored documents or sd_raw = 0
 *     the LBG columns are NaN.
 *   - MV (Martin and Vanberg 2008): with A_lo and A_hi the smallest and
 *     largest reference scores and R_lo, R_hi the mean raw score of the
 *     reference documents that hold them (several references may share an
 *     extreme; quanteda takes the first with a warning, we average them),
 *         mv_d = (raw_d - R_lo) * (A_hi - A_lo) / (R_hi - R_lo) + A_lo
 *         mv_se_d = se_d * |A_hi - A_lo| / |R_hi - R_lo|
 *     NaN when A_lo == A_hi or R_lo == R_hi.
 * Intervals are raw_d +- 1.959964 * se_d and the same map applied to both
 * ends (the caller does that; this module returns the standard errors).
 *
 * Published check (LBG Table 1; quanteda.textmodels, austin): V1 raw
 * -0.4480591 (se 0.0119), MV -0.5099572 (se 0.013541297), LBG over all six
 * documents -0.52967149; S_H = -1.4519231.
 *
 * ---- Wordfish (scl_wordfish) ------------------------------------------------
 *
 * Poisson scaling: y_dw ~ Poisson(exp(alpha_d + psi_w + beta_w * theta_d)),
 * with normal priors of standard deviation prior_sd = {alpha, psi, beta,
 * theta}; the default {inf, inf, 3, 1} (flat priors on the fixed effects, a
 * regularising N(0, 3^2) on beta as in Slapin and Proksch's own code, and
 * N(0, 1) on theta) is quanteda's textmodel_wordfish default (it is given
 * there as standard deviations and turned into precisions 1 / sd^2, as
 * here).  Estimation is the standard alternating conditional maximum
 * (quanteda's dense algorithm, reimplemented):
 *   start   theta from the first left singular vector u of the standardised
 *           residuals (y_dw - r_d c_w / T) / sqrt(r_d c_w / T) as
 *           theta_d = u_d / sqrt(r_d / T), then standardised (mean 0, sample
 *           sd 1); beta_w = -0.5; alpha_d = log(r_d / mean r);
 *           psi_w = log(c_w / ndocs) (r, c: row and column totals, T the
 *           grand total).  The singular vector comes from power iteration on
 *           the ndocs x ndocs matrix C C^T from a fixed start vector (1,
 *           1.1, 1.2, ...), at most 10000 steps or until it moves less than
 *           1e-15; its sign does not matter (the fit is the same either way
 *           on the LBG data, and the direction is fixed at the end).
 *   repeat  (1) for every feature w, Newton steps on (psi_w, beta_w) given
 *           alpha and theta; (2) for every document d, Newton steps on
 *           (alpha_d, theta_d) given psi and beta.  Each block takes at most
 *           max_inner steps (default 10), stopping when no parameter moves
 *           more than tol_par (default 1e-8); the very first step of each
 *           block in the first iteration is halved.  Then alpha is centred
 *           (mean 0) and theta standardised (mean 0, sample sd 1), and the
 *           log posterior lp = sum_dw [y_dw eta_dw - exp(eta_dw)] - sum of
 *           the prior terms p x^2 / 2 is computed (no log y! term).
 *   until   lp grew by no more than tol_lp (default 1e-6) in an iteration,
 *           or max_iter iterations (default 100) were run; converged is 1
 *           in the first case.
 *   then    if theta[dir_lo] > theta[dir_hi], theta and beta change sign,
 *           so that dir_lo lies below dir_hi.
 * Standard errors of theta_d come from the 2x2 Hessian of the log posterior
 * in (alpha_d, theta_d) at the estimate: se = sqrt(-H_aa / det H).
 *
 * Published check (quanteda.textmodels textmodel_wordfish on the LBG data,
 * dir = c(1, 5)): theta R1..R5 -1.29056981, -0.61643907, 0.03350982,
 * 0.70961244, 1.52333687, V1 -0.35945025, se of V1 0.01070073.
 *
 * Every document and every feature must have a nonzero total (quanteda drops
 * the others; the caller selects them); fewer than two of either, or
 * dir_lo == dir_hi, is IG_EUSAGE.  A fit that leaves the finite numbers
 * (a Newton step on a singular Hessian, overflow of exp) is IG_EDATA "did
 * not converge"; results are then not filled in.
 *
 * Cost: O(ndocs * nfeat) per pass, about 2 * max_inner passes per
 * iteration, on a dense copy of the matrix (ndocs * nfeat doubles); at most
 * SCL_MAX_DENSE cells are accepted (IG_ELIMIT beyond, so callers select
 * features first).
 *
 * Determinism: every sum runs in a fixed order (documents, then features,
 * in index order), so the same input gives the same bits.
 *
 * Ownership: results are caller-owned structs whose arrays this module
 * allocates (ig_malloc); free them with scl_ws_free / scl_wf_free (which
 * accept a zeroed struct).  Inputs are borrowed and never kept.
 */
#ifndef IG_SCALE_H
#define IG_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Largest dense matrix Wordfish works on: 2^25 cells, 256 MB of doubles. */
#if !defined(SCL_MAX_DENSE)
#define SCL_MAX_DENSE ((uint64_t)1 << 25)
#endif

/* z for a two-sided 95% normal interval. */
#define SCL_Z95 1.959963984540054

typedef struct scl_counts {
    uint32_t ndocs;        /* rows */
    uint32_t nfeat;        /* columns */
    const uint64_t *row;   /* ndocs + 1 offsets into col and val */
    const uint32_t *col;   /* feature of each nonzero, increasing within a row */
    const double *val;     /* its count, finite and > 0 */
} scl_counts;

/* Check the structure described above.  Returns 0 or IG_EUSAGE with a
 * message naming the first bad row or entry (stage "scale"). */
int scl_counts_check(const scl_counts *m, ig_err *e);

/* ---- Wordscores ---- */

typedef struct scl_ws {
    uint32_t ndocs, nfeat;
    uint32_t nref;         /* reference documents used */
    double *word_score;    /* nfeat: S_w, NaN for words in no reference */
    double *raw, *se;      /* ndocs: raw score and its standard error */
    double *lbg, *lbg_se;  /* ndocs: LBG rescaled (pooled over all scored docs) */
    double *mv, *mv_se;    /* ndocs: Martin-Vanberg rescaled */
    double *scored;        /* ndocs: N_d, the scorable words (0 = not scored) */
    double ref_lo, ref_hi; /* A_lo, A_hi */
} scl_ws;

/* Fit Wordscores on the references (ref[d] finite) of m and score every
 * document.  ref has m->ndocs entries (NaN for virgin documents).  Fewer
 * than two references, or all references with the same score, is
 * IG_EUSAGE; a reference without any count is IG_EDATA naming its row.
 * Errors leave *out zeroed. */
int scl_wordscores(const scl_counts *m, const double *ref, scl_ws *out, ig_err *e);
void scl_ws_free(scl_ws *w);

/* ---- Wordfish ---- */

typedef struct scl_wf_opts {
    double prior_sd[4];    /* alpha, psi, beta, theta; INFINITY = flat */
    double tol_lp;         /* stop when lp grows by no more than this */
    double tol_par;        /* Newton block tolerance on parameter change */
    unsigned max_iter;     /* outer iterations */
    unsigned max_inner;    /* Newton steps per block */
    uint32_t dir_lo;       /* theta[dir_lo] < theta[dir_hi] after the fit */
    uint32_t dir_hi;
} scl_wf_opts;

/* quanteda's defaults: priors {inf, inf, 3, 1}, tol 1e-6 / 1e-8, 100
 * iterations of at most 10 Newton steps, direction (0, 1). */
void scl_wf_opts_default(scl_wf_opts *o);

typedef struct scl_wf {
    uint32_t ndocs, nfeat;
    double *theta, *theta_se, *alpha;  /* ndocs */
    double *beta, *psi;                /* nfeat */
    double lp;                         /* log posterior at the end */
    unsigned iterations;               /* outer iterations run */
    int converged;                     /* 1: stopped by tol_lp */
} scl_wf;

/* Fit Wordfish to m with options o (NULL = defaults).  Errors: IG_EUSAGE
 * (bad matrix, an empty row or column, fewer than 2 documents or features,
 * bad direction or options), IG_ELIMIT (more than SCL_MAX_DENSE cells),
 * IG_EDATA (numbers left the finite range: "did not converge"), IG_ENOMEM.
 * interrupted, if not NULL, is polled once per iteration: nonzero stops with
 * IG_EINTR.  Errors leave *out zeroed. */
int scl_wordfish(const scl_counts *m, const scl_wf_opts *o, volatile int *interrupted,
                 scl_wf *out, ig_err *e);
void scl_wf_free(scl_wf *w);

/* ---- small statistics shared with classify ---- */

/* Pearson correlation of the pairs (x[i], y[i]) where both are finite;
 * *n gets the number of such pairs.  NaN when n < 3 or a variance is 0. */
double scl_pearson(const double *x, const double *y, size_t len, size_t *n);
/* Spearman rank correlation (Pearson on ranks, ties given their mean rank)
 * over the same pairs; NaN as above.  Returns IG_ENOMEM through *rc when
 * scratch memory is missing (then NaN), else sets *rc = 0. */
double scl_spearman(const double *x, const double *y, size_t len, size_t *n, int *rc);
/* Quantile q (0..1) of the Student t distribution with df > 0 degrees of
 * freedom (inverse of the regularised incomplete beta, bisection to 1e-12). */
double scl_t_quantile(double q, double df);

#endif

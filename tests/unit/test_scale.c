/*
 * test_scale.c: Wordscores and Wordfish (stages/scale.h) against the
 * published LBG (2003) Table 1 numbers, on the count table in
 * tests/fixtures/lbg/lbg2003.csv (source named in its README.md):
 *   Wordscores (LBG 2003; quanteda.textmodels; austin): S_H -1.4519231,
 *     V1 raw -0.4480591 (se 0.0119), MV -0.5099572 (se 0.013541297),
 *     LBG over all six documents -0.52967149;
 *   Wordfish (quanteda.textmodels textmodel_wordfish(data_dfm_lbgexample,
 *     dir = c(1, 5))): theta -1.29056981 -0.61643907 0.03350982 0.70961244
 *     1.52333687 -0.35945025, se 0.01448422 0.01059613 0.01085375
 *     0.01214106 0.01744178 0.01070073.
 * Each number is checked to half a unit of its last printed digit.  Then
 * errors, determinism and the small statistics helpers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"
#include "fsutil.h"
#include "harness.h"
#include "scale.h"

#define FIXTURE "tests/fixtures/lbg/lbg2003.csv"

static uint32_t ndocs, nfeat;
static uint64_t row[8];
static uint32_t col[6 * 37];
static double val[6 * 37];
static double ref[6];
static char docname[6][8];
static char featname[37][4];

/* Half a unit of the last printed digit of the published value. */
static int near(double got, double want, int decimals)
{
    return fabs(got - want) <= 0.5 * pow(10, -decimals) + 1e-12;
}

#define CHECK_NEAR(got, want, dec) \
    do { \
        double g_ = (got); \
        if (near(g_, (want), (dec))) harness_pass++; \
        else { \
            harness_fail++; \
            fprintf(stderr, "FAIL %s:%d: [%s] %s = %.10f, published %.*f\n", __FILE__, \
                    __LINE__, harness_test, #got, g_, (dec), (double)(want)); \
        } \
    } while (0)

static int load_fixture(void)
{
    char *data = NULL;
    size_t len = 0;
    ig_err e;
    ig_err_clear(&e);
    FILE *f = fopen(FIXTURE, "rb");
    if (f == NULL) {
        perror(FIXTURE);
        return -1;
    }
    data = ig_malloc(65536);
    len = fread(data, 1, 65536, f);
    fclose(f);
    ig_csv_reader rd;
    ig_csv_reader_init(&rd, data, len, FIXTURE, "test");
    const char **fl;
    const size_t *ln;
    size_t n;
    int rc = ig_csv_next(&rd, &fl, &ln, &n, &e);
    if (rc != 1 || n != 39)
        goto bad;
    for (size_t j = 2; j < n; j++)
        snprintf(featname[j - 2], sizeof featname[0], "%s", fl[j]);
    nfeat = 37;
    uint64_t nz = 0;
    while ((rc = ig_csv_next(&rd, &fl, &ln, &n, &e)) == 1) {
        if (n != 39 || ndocs >= 6)
            goto bad;
        snprintf(docname[ndocs], sizeof docname[0], "%s", fl[0]);
        ref[ndocs] = ln[1] ? strtod(fl[1], NULL) : NAN;
        row[ndocs] = nz;
        for (uint32_t j = 0; j < 37; j++) {
            double c = strtod(fl[j + 2], NULL);
            if (c > 0) {
                col[nz] = j;
                val[nz] = c;
                nz++;
            }
        }
        ndocs++;
    }
    row[ndocs] = nz;
    ig_csv_reader_free(&rd);
    ig_free(data);
    return rc == 0 && ndocs == 6 ? 0 : -1;
bad:
    ig_csv_reader_free(&rd);
    ig_free(data);
    return -1;
}

static scl_counts matrix(void)
{
    scl_counts m = { ndocs, nfeat, row, col, val };
    return m;
}

static void test_fixture(void)
{
    CHECK_EQ(ndocs, 6);
    CHECK_EQ(nfeat, 37);
    CHECK_STR(featname[7], "H");
    CHECK_STR(featname[36], "ZK");
    CHECK_STR(docname[5], "V1");
    CHECK(isnan(ref[5]));
    for (uint32_t d = 0; d < ndocs; d++) {
        double tot = 0;
        for (uint64_t k = row[d]; k < row[d + 1]; k++)
            tot += val[k];
        CHECK(tot == 1000);
    }
}

static void test_wordscores_lbg(void)
{
    scl_counts m = matrix();
    scl_ws w;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(scl_wordscores(&m, ref, &w, &e), IG_OK);
    if (w.raw == NULL)
        return;
    CHECK_EQ(w.nref, 5);
    CHECK_NEAR(w.word_score[7], -1.4519231, 7);   /* H */
    CHECK_NEAR(w.word_score[0], -1.5, 7);         /* A: only in R1 */
    CHECK_NEAR(w.word_score[18], 0.0, 7);         /* S */
    CHECK_NEAR(w.word_score[29], 1.4519231, 7);   /* ZD, the mirror of H */
    CHECK_NEAR(w.raw[5], -0.4480591, 7);
    CHECK_NEAR(w.se[5], 0.0119, 4);
    CHECK_NEAR(w.mv[5], -0.5099572, 7);
    CHECK_NEAR(w.mv_se[5], 0.013541297, 9);
    CHECK_NEAR(w.lbg[5], -0.52967149, 8);
    CHECK(w.scored[5] == 1000);
    /* The references anchor MV exactly at their own scores. */
    CHECK_NEAR(w.mv[0], -1.5, 12);
    CHECK_NEAR(w.mv[4], 1.5, 12);
    /* Rescalings are linear: they keep the order of raw. */
    for (int d = 0; d + 1 < 5; d++)
        CHECK(w.raw[d] < w.raw[d + 1] && w.lbg[d] < w.lbg[d + 1] && w.mv[d] < w.mv[d + 1]);
    scl_ws_free(&w);
}

static void test_wordfish_lbg(void)
{
    static const double theta[6] = { -1.29056981, -0.61643907, 0.03350982,
                                     0.70961244, 1.52333687, -0.35945025 };
    static const double se[6] = { 0.01448422, 0.01059613, 0.01085375,
                                  0.01214106, 0.01744178, 0.01070073 };
    scl_counts m = matrix();
    scl_wf_opts o;
    scl_wf_opts_default(&o);
    o.dir_lo = 0; /* dir = c(1, 5) in R's 1-based numbering */
    o.dir_hi = 4;
    scl_wf w;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(scl_wordfish(&m, &o, NULL, &w, &e), IG_OK);
    if (w.theta == NULL)
        return;
    for (int d = 0; d < 6; d++) {
        CHECK_NEAR(w.theta[d], theta[d], 8);
        CHECK_NEAR(w.theta_se[d], se[d], 8);
    }
    /* Other published coefficients: alpha of R1 and V1, beta and psi of A. */
    CHECK_NEAR(w.alpha[0], -4.558205, 6);
    CHECK_NEAR(w.alpha[5], 2.529567, 6);
    CHECK_NEAR(w.beta[0], -8.4452617, 7);
    CHECK_NEAR(w.psi[0], -6.6414630, 7);
    CHECK_NEAR(w.beta[36], 7.3723185, 7);
    CHECK(w.converged);
    CHECK(w.iterations > 2 && w.iterations < 100);

    /* The other direction mirrors theta exactly. */
    o.dir_lo = 4;
    o.dir_hi = 0;
    scl_wf w2;
    CHECK_EQ(scl_wordfish(&m, &o, NULL, &w2, &e), IG_OK);
    if (w2.theta) {
        for (int d = 0; d < 6; d++)
            CHECK(w2.theta[d] == -w.theta[d]);
        scl_wf_free(&w2);
    }
    /* Same input, same bits. */
    o.dir_lo = 0;
    o.dir_hi = 4;
    CHECK_EQ(scl_wordfish(&m, &o, NULL, &w2, &e), IG_OK);
    if (w2.theta) {
        CHECK(memcmp(w2.theta, w.theta, 6 * sizeof(double)) == 0);
        CHECK(memcmp(w2.theta_se, w.theta_se, 6 * sizeof(double)) == 0);
        scl_wf_free(&w2);
    }
    scl_wf_free(&w);
}

static void test_errors(void)
{
    scl_counts m = matrix();
    ig_err e;
    scl_ws w;
    /* One reference only. */
    double one[6] = { -1, NAN, NAN, NAN, NAN, NAN };
    ig_err_clear(&e);
    CHECK_EQ(scl_wordscores(&m, one, &w, &e), IG_EUSAGE);
    CHECK(strstr(e.msg, "at least two reference") != NULL);
    CHECK(w.raw == NULL);
    /* Two references with the same score. */
    double same[6] = { 1, 1, NAN, NAN, NAN, NAN };
    ig_err_clear(&e);
    CHECK_EQ(scl_wordscores(&m, same, &w, &e), IG_EUSAGE);

    /* Wordfish: an empty document, a bad direction, a bad matrix. */
    uint64_t r2[7];
    memcpy(r2, row, sizeof r2);
    r2[6] = r2[5]; /* V1 emptied */
    scl_counts m2 = { 6, 37, r2, col, val };
    scl_wf f;
    ig_err_clear(&e);
    CHECK_EQ(scl_wordfish(&m2, NULL, NULL, &f, &e), IG_EUSAGE);
    CHECK(strstr(e.msg, "document 5 has no counts") != NULL);
    scl_wf_opts o;
    scl_wf_opts_default(&o);
    o.dir_hi = 0;
    ig_err_clear(&e);
    CHECK_EQ(scl_wordfish(&m, &o, NULL, &f, &e), IG_EUSAGE);
    uint32_t badcol[6 * 37];
    memcpy(badcol, col, sizeof badcol);
    badcol[1] = 0; /* features no longer increasing in row 0 */
    scl_counts m3 = { 6, 37, row, badcol, val };
    ig_err_clear(&e);
    CHECK_EQ(scl_counts_check(&m3, &e), IG_EUSAGE);
    /* Interrupted. */
    volatile int intr = 2;
    ig_err_clear(&e);
    CHECK_EQ(scl_wordfish(&m, NULL, &intr, &f, &e), IG_EINTR);
    CHECK_EQ(e.signo, 2);
    CHECK(f.theta == NULL);
}

static void test_alloc_failures(void)
{
    scl_counts m = matrix();
    for (uint64_t n = 1; n < 40; n++) {
        ig_err e;
        ig_err_clear(&e);
        scl_wf f;
        scl_ws w;
        ig_alloc_fail_at(n, 0);
        int rc = scl_wordfish(&m, NULL, NULL, &f, &e);
        ig_alloc_fail_at(0, 0);
        CHECK(rc == IG_OK || rc == IG_ENOMEM);
        if (rc == IG_OK)
            scl_wf_free(&f);
        ig_err_clear(&e);
        ig_alloc_fail_at(n, 0);
        rc = scl_wordscores(&m, ref, &w, &e);
        ig_alloc_fail_at(0, 0);
        CHECK(rc == IG_OK || rc == IG_ENOMEM);
        if (rc == IG_OK)
            scl_ws_free(&w);
    }
}

static void test_statistics(void)
{
    double x[6] = { 1, 2, 3, 4, 5, NAN };
    double y[6] = { 2, 4, 6, 8, 10, 1 };
    double z[6] = { 5, 4, 3, 2, 1, 0 };
    size_t n;
    int rc;
    CHECK(fabs(scl_pearson(x, y, 6, &n) - 1) < 1e-15);
    CHECK_EQ(n, 5);
    CHECK(fabs(scl_pearson(x, z, 6, &n) + 1) < 1e-15);
    double sq[5] = { 1, 4, 9, 16, 25 };
    CHECK(fabs(scl_spearman(x, sq, 5, &n, &rc) - 1) < 1e-15);
    CHECK_EQ(rc, 0);
    /* Ties take their mean rank: ranks (1.5 1.5 3 4) vs (1 2 3 4). */
    double t1[4] = { 7, 7, 8, 9 }, t2[4] = { 1, 2, 3, 4 };
    double want = 4.5 / sqrt(4.5 * 5.0);
    CHECK(fabs(scl_spearman(t1, t2, 4, &n, &rc) - want) < 1e-12);
    /* Fewer than three pairs: undefined. */
    CHECK(isnan(scl_pearson(x, y, 2, &n)));
    /* Student t quantiles (tables: 12.7062047, 4.3026527, 2.2281389,
     * 1.9839715 for 1, 2, 10, 100 degrees of freedom). */
    CHECK(fabs(scl_t_quantile(0.975, 1) - 12.7062047) < 1e-6);
    CHECK(fabs(scl_t_quantile(0.975, 2) - 4.3026527) < 1e-6);
    CHECK(fabs(scl_t_quantile(0.975, 10) - 2.2281389) < 1e-6);
    CHECK(fabs(scl_t_quantile(0.975, 100) - 1.9839715) < 1e-6);
    CHECK(fabs(scl_t_quantile(0.025, 10) + 2.2281389) < 1e-6);
}

int main(void)
{
    if (load_fixture() != 0) {
        fprintf(stderr, "cannot read %s\n", FIXTURE);
        harness_fail++;
        return harness_done();
    }
    RUN(test_fixture);
    RUN(test_wordscores_lbg);
    RUN(test_wordfish_lbg);
    RUN(test_errors);
    RUN(test_alloc_failures);
    RUN(test_statistics);
    return harness_done();
}

/*
 * classify_boot.c: the interval of the classify stage: a percentile
 * bootstrap over sentences with our own seeded generator (classify.h,
 * "Interval", states the method; this file implements it).
 *
 * Pipeline place: called by classify.c for every positions row, from the
 * worker thread that scores the document; each call seeds its generator
 * from (seed, document id, section) alone, so the result never depends on
 * the thread or on other rows.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "classify.h"
#include "classify_int.h"

/* ---- the generator (xoshiro256**, seeded with splitmix64) ----------------- */

typedef struct rng {
    uint64_t s[4];
    uint64_t half;        /* the unused low half of the last 64-bit draw */
    int have_half;
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *g)
{
    uint64_t *s = g->s;
    uint64_t res = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return res;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_unit(rng *g)
{
    return (double)(rng_next(g) >> 11) * 0x1.0p-53;
}

/* 32 random bits: both halves of each 64-bit output are used, since the
 * bootstrap draws about one per cue sentence per replicate. */
static uint32_t rng_u32(rng *g)
{
    if (g->have_half) {
        g->have_half = 0;
        return (uint32_t)g->half;
    }
    g->half = rng_next(g);
    g->have_half = 1;
    return (uint32_t)(g->half >> 32);
}

/* Uniform in [0, n), n >= 1, without bias (Lemire's multiply and reject). */
static uint32_t rng_below(rng *g, uint32_t n)
{
    uint64_t m = (uint64_t)rng_u32(g) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t floor_ = (uint32_t)(0u - n) % n;
        while (low < floor_) {
            m = (uint64_t)rng_u32(g) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static void rng_seed(rng *g, uint64_t seed, const char *id, uint32_t section)
{
    uint64_t x = seed ^ rotl64(fnv1a64(id), 17) ^ ((uint64_t)section * 0xd1342543de82ef95ull);
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&x);
    g->half = 0;
    g->have_half = 0;
}

/* Grow *p (*cap elements of size sz) to hold n. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return IG_OK;
    size_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    void *q = ig_reallocarray(*p, c, sz);
    if (q == NULL)
        return IG_ENOMEM;
    *p = q;
    *cap = c;
    return IG_OK;
}

void cls_boot_free(cls_boot *b)
{
    ig_free(b->rep);
    ig_free(b->cdf);
    memset(b, 0, sizeof *b);
}

/* ---- quantiles --------------------------------------------------------- */

/* k-th smallest of a[0..n) (reorders a); Hoare partition around a median
 * of three, deterministic. */
static double select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double x = a[lo], y = a[mid], z = a[hi];
        double piv = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = lo, j = hi;
        for (;;) {
            while (a[i] < piv)
                i++;
            while (a[j] > piv)
                j--;
            if (i >= j)
                break;
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* now a[lo..j] <= piv <= a[j+1..hi] (j may equal i - 1) */
        if (k <= j)
            hi = j;
        else
            lo = j + 1;
    }
    return a[k];
}

/* Quantile q (R type 7) of a[0..n), n >= 1; reorders a. */
static double quantile7(double *a, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    double lo = select_kth(a, n, i);
    if (i + 1 >= n || h == (double)i)
        return lo;
    /* after the selection, a[i+1..n) holds the larger values */
    double hi = a[i + 1];
    for (size_t t = i + 2; t < n; t++)
        if (a[t] < hi)
            hi = a[t];
    return lo + (h - (double)i) * (hi - lo);
}

int cls_bootstrap(cls_boot *w, const double *sml, const double *sms, uint32_t m, uint32_t S,
                  const cls_opts *o, const char *id, uint32_t section, double *lo, double *hi)
{
    uint32_t B = o->bootstrap;
    *lo = *hi = NAN;
    if (B == 0 || m == 0)
        return IG_OK;
    if (S < m)
        S = m; /* a sound layout never has this; keeps the draw defined */
    if (grow((void **)&w->rep, &w->caprep, B, sizeof *w->rep))
        return IG_ENOMEM;
    /* Binomial(S, m/S): how many of the S draws land on a cue sentence. */
    int all = m == S;
    if (!all) {
        if (grow((void **)&w->cdf, &w->capcdf, (size_t)S + 1, sizeof *w->cdf))
            return IG_ENOMEM;
        double p = (double)m / S, lr = log(p) - log1p(-p);
        double lp = (double)S * log1p(-p), acc = 0;
        for (uint32_t k = 0; k <= S; k++) {
            acc += exp(lp);
            w->cdf[k] = acc;
            if (k < S)
                lp += log((double)(S - k)) - log((double)k + 1) + lr;
        }
    }
    rng g;
    rng_seed(&g, o->seed, id, section);
    for (uint32_t b = 0; b < B; b++) {
        uint32_t T = S;
        if (!all) {
            double u = rng_unit(&g) * w->cdf[S];
            uint32_t a = 0, z = S;
            while (a < z) {
                uint32_t mid = a + (z - a) / 2;
                if (w->cdf[mid] > u)
                    z = mid;
                else
                    a = mid + 1;
            }
            T = a;
        }
        double ml = 0, ms = 0;
        for (uint32_t t = 0; t < T; t++) {
            uint32_t i = rng_below(&g, m);
            ml += sml[i];
            ms += sms[i];
        }
        w->rep[b] = cls_score_of(ml, ms, o->smoothing);
    }
    *lo = quantile7(w->rep, B, 0.025);
    *hi = quantile7(w->rep, B, 0.975);
    return IG_OK;
}


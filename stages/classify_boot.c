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
    ig_free(b->heap);
    ig_free(b->logk);
    ig_free(b->pk);
    ig_free(b->guide);
    memset(b, 0, sizeof *b);
}

/* ---- quantiles --------------------------------------------------------- */

/* Heaps for the order statistics of the quantiles: a max-heap holding the
 * smallest values seen (its top the largest of them) or a min-heap holding
 * the largest (its top the smallest of them).  Each value is compared with
 * the tops only, and enters a heap rarely: far fewer mispredicted branches
 * than selection by partitioning, and the same values. */
static void heap_sift(double *h, size_t n, size_t i, int largest)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && (largest ? h[c + 1] < h[c] : h[c + 1] > h[c]))
            c++;
        if (largest ? !(h[c] < h[i]) : !(h[c] > h[i]))
            return;
        double t = h[c];
        h[c] = h[i];
        h[i] = t;
        i = c;
    }
}

static void heap_make(double *h, size_t m, const double *a, int largest)
{
    memcpy(h, a, m * sizeof *h);
    for (size_t i = m / 2; i-- > 0;)
        heap_sift(h, m, i, largest);
}

/* The top two of a heap of m >= 2: the (m)-th and (m-1)-th from its end. */
static void heap_top2(const double *h, size_t m, int largest, double *x_m, double *x_m1)
{
    *x_m = h[0];
    double best = h[1];
    if (m > 2 && (largest ? h[2] < best : h[2] > best))
        best = h[2];
    *x_m1 = best;
}

/* The quantile's order statistics: position h = (n - 1) q lies between the
 * i-th and (i+1)-th smallest (0-based); R type 7 interpolates linearly. */
typedef struct qpos {
    double h;
    size_t i;
} qpos;

static qpos qpos_of(size_t n, double q)
{
    qpos p;
    p.h = (double)(n - 1) * q;
    p.i = (size_t)floor(p.h);
    return p;
}

static double q7_value(qpos p, double lo, double hi)
{
    if (p.h == (double)p.i)
        return lo;
    return lo + (p.h - (double)p.i) * (hi - lo);
}

/* The 2.5% and 97.5% quantiles (R type 7) of a[0..n), n >= 1, in one pass:
 * the smallest i_lo + 2 values in one heap and the largest n - i_hi in the
 * other (26 each for 1000 replicates).  h is scratch of n + 4. */
static void quantiles(const double *a, size_t n, double *qlo, double *qhi, double *h)
{
    qpos pl = qpos_of(n, 0.025), ph = qpos_of(n, 0.975);
    size_t ml = pl.i + 2, mh = n - ph.i; /* heap sizes */
    if (ml > n || mh < 2) {
        /* Few replicates: sort a copy (the same order statistics). */
        memcpy(h, a, n * sizeof *h);
        for (size_t i = 1; i < n; i++) {
            double x = h[i];
            size_t j = i;
            while (j > 0 && h[j - 1] > x) {
                h[j] = h[j - 1];
                j--;
            }
            h[j] = x;
        }
        *qlo = q7_value(pl, h[pl.i], pl.i + 1 < n ? h[pl.i + 1] : h[pl.i]);
        *qhi = q7_value(ph, h[ph.i], ph.i + 1 < n ? h[ph.i + 1] : h[ph.i]);
        return;
    }
    /* Each heap starts with the first values and is offered every later
     * one, so it ends with exactly the ml smallest (mh largest). */
    double *lo = h, *hi = h + ml;
    heap_make(lo, ml, a, 0);
    heap_make(hi, mh, a, 1);
    size_t start = ml > mh ? ml : mh;
    for (size_t i = ml; i < start; i++)
        if (a[i] < lo[0]) {
            lo[0] = a[i];
            heap_sift(lo, ml, 0, 0);
        }
    for (size_t i = mh; i < start; i++)
        if (a[i] > hi[0]) {
            hi[0] = a[i];
            heap_sift(hi, mh, 0, 1);
        }
    for (size_t i = start; i < n; i++) {
        double x = a[i];
        if (x < lo[0]) {
            lo[0] = x;
            heap_sift(lo, ml, 0, 0);
        }
        if (x > hi[0]) {
            hi[0] = x;
            heap_sift(hi, mh, 0, 1);
        }
    }
    double l1, l0, h1, h0;
    heap_top2(lo, ml, 0, &l1, &l0);   /* (i+1)-th and i-th smallest */
    heap_top2(hi, mh, 1, &h1, &h0);   /* i-th and (i+1)-th smallest, from the top */
    *qlo = q7_value(pl, l0, l1);
    *qhi = q7_value(ph, h1, h0);
}

/* ---- drawing ------------------------------------------------------------ */

/* The number T of the S draws that land on one of the m cue sentences: the
 * first k with cdf[k] > u (k <= S).  A guide table (Chen and Asau) gives a
 * start: guide[j] is the first k with cdf[k] > j * cdf[S] / G; the walk
 * from it, down then up, ends on that same k from any start, so the hint's
 * rounding never matters. */
static uint32_t binom_pick(const double *cdf, const uint32_t *guide, uint32_t G, double inv,
                           uint32_t S, double u)
{
    double jf = u * inv;
    uint32_t j = jf < (double)G ? (uint32_t)jf : G - 1;
    uint32_t k = guide[j];
    while (k > 0 && cdf[k - 1] > u)
        k--;
    while (k < S && !(cdf[k] > u))
        k++;
    return k;
}

/* rng_below, for the rejection case: redraw until low >= (2^32 - n) mod n. */
static uint64_t below_reject(rng *g, uint32_t n, uint64_t mm)
{
    uint32_t floor_ = (uint32_t)(0u - n) % n;
    while ((uint32_t)mm < floor_)
        mm = (uint64_t)rng_u32(g) * n;
    return mm;
}

/* One draw of rng_below(g, m) added to acc, exactly as rng_below. */
static uint64_t draw_one(rng *g, uint32_t m, const uint64_t *pk, uint64_t acc)
{
    uint64_t mm = (uint64_t)rng_u32(g) * m;
    if ((uint32_t)mm < m)
        mm = below_reject(g, m, mm);
    return acc + pk[mm >> 32];
}

/* Sum of pk[i] over T draws i = rng_below(g, m): the same draws, in the same
 * order and consuming the same generator output, as T calls to rng_below,
 * but two per 64-bit output with the generator in registers.  A pair where
 * rejection is possible (probability about 2m / 2^32) goes through the
 * exact path. */
static uint64_t draw_sum(rng *g, uint32_t m, uint32_t T, const uint64_t *pk)
{
    uint64_t acc = 0;
    uint32_t t = 0;
    if (m == 1) {
        /* Every draw is 0 (no rejection: the threshold (2^32 - 1) mod 1 is
         * 0); only the generator moves, one 32-bit half per draw. */
        if (T > 0 && g->have_half) {
            g->have_half = 0;
            t++;
        }
        for (; t + 2 <= T; t += 2)
            (void)rng_next(g);
        if (t < T) {
            g->half = rng_next(g);
            g->have_half = 1;
        }
        return (uint64_t)T * pk[0];
    }
    while (t < T) {
        if (g->have_half || T - t < 2) {
            acc = draw_one(g, m, pk, acc);
            t++;
            continue;
        }
        uint64_t s0 = g->s[0], s1 = g->s[1], s2 = g->s[2], s3 = g->s[3];
        uint32_t pairs = (T - t) / 2, i;
        uint64_t x = 0;
        for (i = 0; i < pairs; i++) {
            x = rotl64(s1 * 5, 7) * 9;
            uint64_t u = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= u;
            s3 = rotl64(s3, 45);
            uint64_t a = (x >> 32) * m, b = (x & 0xffffffffu) * m;
            if ((uint32_t)a < m || (uint32_t)b < m)
                break;
            acc += pk[a >> 32] + pk[b >> 32];
        }
        g->s[0] = s0;
        g->s[1] = s1;
        g->s[2] = s2;
        g->s[3] = s3;
        t += 2 * i;
        if (i < pairs) {
            /* x is drawn: its high half is this draw, its low half kept
             * for the next, as rng_u32 does. */
            g->half = x;
            g->have_half = 1;
            uint64_t mm = (x >> 32) * m;
            if ((uint32_t)mm < m)
                mm = below_reject(g, m, mm);
            acc += pk[mm >> 32];
            t++;
        }
    }
    return acc;
}

/* The exact integer form of the sentence sums, when there is one: every
 * sml[i] and sms[i] is a whole multiple of 2^-q (q <= 8) below 2^31 * 2^-q
 * and S of them stay below 2^31 units.  Then every partial sum of a
 * replicate is a multiple of 2^-q below 2^(31-q), exactly representable, so
 * the double sum in draw order and the integer sum are the same number:
 * the draws can be summed as integers, ML in the high 32 bits of pk[i] and
 * MS in the low 32 (no carry: S draws stay below 2^31).  Returns q, or -1
 * (the double path then sums as before).  Shipped lexicon weights (0.5, 1,
 * 1.5, 2) with the default negation factor 1 give q = 1. */
static int exact_units(const double *sml, const double *sms, uint32_t m, uint32_t S)
{
    for (int q = 0; q <= 8; q++) {
        double sc = ldexp(1.0, q), mx = 0;
        uint32_t i;
        for (i = 0; i < m; i++) {
            double a = sml[i] * sc, b = sms[i] * sc;
            if (!(a >= 0 && b >= 0 && a < 2147483648.0 && b < 2147483648.0) ||
                a != floor(a) || b != floor(b))
                break;
            if (a > mx)
                mx = a;
            if (b > mx)
                mx = b;
        }
        if (i == m)
            return mx * (double)S < 2147483648.0 ? q : -1;
    }
    return -1;
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
    if (grow((void **)&w->rep, &w->caprep, B, sizeof *w->rep) ||
        grow((void **)&w->heap, &w->capheap, (size_t)B + 4, sizeof *w->heap))
        return IG_ENOMEM;
    /* Binomial(S, m/S): how many of the S draws land on a cue sentence. */
    int all = m == S;
    if (!all) {
        if (grow((void **)&w->cdf, &w->capcdf, (size_t)S + 1, sizeof *w->cdf))
            return IG_ENOMEM;
        /* log(k) for k <= S, kept across rows: the same values as calling
         * log each time, computed once. */
        if (w->nlogk <= S) {
            if (grow((void **)&w->logk, &w->caplogk, (size_t)S + 1, sizeof *w->logk))
                return IG_ENOMEM;
            for (size_t k = w->nlogk; k <= S; k++)
                w->logk[k] = log((double)k);
            w->nlogk = (size_t)S + 1;
        }
        double p = (double)m / S, lr = log(p) - log1p(-p);
        double lp = (double)S * log1p(-p), acc = 0;
        for (uint32_t k = 0; k <= S; k++) {
            acc += exp(lp);
            w->cdf[k] = acc;
            if (k < S)
                lp += w->logk[S - k] - w->logk[k + 1] + lr;
        }
    }
    uint32_t G = S + 1;
    double inv = 0;
    if (!all) {
        if (grow((void **)&w->guide, &w->capguide, G, sizeof *w->guide))
            return IG_ENOMEM;
        double step = w->cdf[S] / G;
        inv = G / w->cdf[S];
        uint32_t k = 0;
        for (uint32_t j = 0; j < G; j++) {
            double thr = (double)j * step;
            while (k < S && !(w->cdf[k] > thr))
                k++;
            w->guide[j] = k;
        }
    }
    int q = exact_units(sml, sms, m, S);
    if (q >= 0) {
        if (grow((void **)&w->pk, &w->cappk, m, sizeof *w->pk))
            return IG_ENOMEM;
        double sc = ldexp(1.0, q);
        for (uint32_t i = 0; i < m; i++)
            w->pk[i] = (uint64_t)(sml[i] * sc) << 32 | (uint64_t)(sms[i] * sc);
    }
    double unit = ldexp(1.0, -q);
    rng g;
    rng_seed(&g, o->seed, id, section);
    for (uint32_t b = 0; b < B; b++) {
        uint32_t T = S;
        if (!all)
            T = binom_pick(w->cdf, w->guide, G, inv, S, rng_unit(&g) * w->cdf[S]);
        double ml = 0, ms = 0;
        if (q >= 0) {
            uint64_t acc = draw_sum(&g, m, T, w->pk);
            ml = (double)(acc >> 32) * unit;
            ms = (double)(acc & 0xffffffffu) * unit;
        } else {
            for (uint32_t t = 0; t < T; t++) {
                uint32_t i = rng_below(&g, m);
                ml += sml[i];
                ms += sms[i];
            }
        }
        w->rep[b] = cls_score_formula(ml, ms, o->smoothing);
    }
    quantiles(w->rep, B, lo, hi, w->heap);
    return IG_OK;
}

/*
 * classify_boot.c: the interval of the classify stage: a percentile
 * bootstrap over sentences with our own seeded generators (classify.h,
 * "Interval", states the method; this file implements it).
 *
 * Pipeline place: called by classify.c for every positions row, from the
 * worker thread that scores the document; each call seeds its generators
 * from (seed, document id, section) alone, so the result never depends on
 * the thread or on other rows.
 *
 * The replicates are spread over BOOT_LANES independent generator lanes
 * (replicate b on lane b mod BOOT_LANES, each lane's replicates drawn one
 * after another from its own stream).  Three paths compute the same lanes:
 * the plain one, lane after lane, which runs on any CPU; one that runs the
 * eight lanes side by side in AVX-512 registers; and one that runs them in
 * AVX2 registers, four lanes to a register (most x86 CPUs without AVX-512
 * have it), chosen at run time in that order of preference
 * (cls_boot_path).  Every step is integer arithmetic or one correctly
 * rounded IEEE operation done in the same order, so all give the same bits
 * (tests/unit/test_classify.c compares them).
 *
 * The AVX-512 path draws in one of two ways.  When the exact weights of a
 * replicate fit 16 bits each (the shipped lexicons always), v_stream lets
 * each lane run through the outputs of all its replicates without waiting
 * for the others, summing both draws of an output in one 16-lane vector,
 * and reads each replicate's sum back as the difference of two running
 * sums; otherwise v_groups takes eight replicates at a time, each lane
 * stepping while its replicate has draws left.  Integer sums are the same
 * in any grouping, so both ways give the plain path's numbers.  The AVX2
 * path has v_stream's way only (w_stream): a row that would take v_groups,
 * or with a draw its stream finds rejected (rare), is drawn on the plain
 * path.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define BOOT_HAVE_AVX512 1
#define BOOT_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))
#define BOOT_HAVE_AVX2 1
#define BOOT_AVX2 __attribute__((target("avx2")))
#else
#define BOOT_HAVE_AVX512 0
#define BOOT_HAVE_AVX2 0
#endif

#include "alloc.h"
#include "classify.h"
#include "classify_int.h"

/* Generator lanes per row: one AVX-512 register of 64-bit words. */
#define BOOT_LANES 8

/* ---- the generator (xoshiro256++, seeded with splitmix64) ----------------- */

typedef struct rng {
    uint64_t s[4];
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
    uint64_t res = rotl64(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return res;
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

/* The lanes of one row: 4 x BOOT_LANES consecutive splitmix64 outputs from
 * a start that mixes the seed, the id's hash and the section. */
static void lanes_seed(rng *g, uint64_t seed, const char *id, uint32_t section)
{
    uint64_t x = seed ^ rotl64(fnv1a64(id), 17) ^ ((uint64_t)section * 0xd1342543de82ef95ull);
    for (int l = 0; l < BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            g[l].s[i] = splitmix64(&x);
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
    ig_free(b->pk32);
    ig_free(b->sbuf);
    ig_free(b->guide);
    ig_free(b->cnt);
    ig_free(b->C);
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

/* The m-th and (m-1)-th smallest (largest = 0) or largest (1) of
 * c[0..cn), cn >= m >= 2, with h as the heap: the top two of a heap of the
 * m smallest, or of the cn - m + 2 largest when that is the smaller heap
 * (at most min(m, cn - m + 2) entries). */
static void heap_select(const double *c, size_t cn, size_t m, int largest, double *h,
                        double *x_m, double *x_m1)
{
    if (cn - m + 2 < m) {
        heap_select(c, cn, cn - m + 2, !largest, h, x_m1, x_m);
        return;
    }
    heap_make(h, m, c, largest);
    for (size_t i = m; i < cn; i++)
        if (largest ? c[i] > h[0] : c[i] < h[0]) {
            h[0] = c[i];
            heap_sift(h, m, 0, largest);
        }
    heap_top2(h, m, largest, x_m, x_m1);
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

/* The m-th and (m-1)-th smallest (largest = 0) or largest (1) of the
 * values, m >= 2, given t, a value with at least m values at or beyond
 * it, and c[0..cn), those strictly beyond it: a rank below cn lies in c,
 * any other is t.  Returns the m-th, the (m-1)-th in *x_m1; h is heap
 * scratch of m. */
static double rank_pair(const double *c, size_t cn, size_t m, int largest, double t, double *h,
                        double *x_m1)
{
    double x_m = t;
    *x_m1 = t;
    if (cn >= m) {
        heap_select(c, cn, m, largest, h, &x_m, x_m1);
    } else if (cn == m - 1) {
        /* The (m-1)-th is the last of c, its largest (smallest). */
        double e = c[0];
        for (size_t i = 1; i < cn; i++)
            if (largest ? c[i] < e : c[i] > e)
                e = c[i];
        *x_m1 = e;
    }
    return x_m;
}

/* ---- drawing ------------------------------------------------------------ */

/* The number T of the S draws that land on one of the m cue sentences,
 * from U, the top 53 bits of one output: the first k with U < C[k] (C[S] =
 * 2^53 > U, so k <= S).  The guide (Chen and Asau) gives a start: guide[j]
 * is that k for the smallest U of bucket j = U >> shift, so the walk only
 * goes up, rarely more than one step. */
static uint32_t binom_pick(const uint64_t *C, const uint32_t *guide, int shift, uint64_t U)
{
    uint32_t k = guide[U >> shift];
    while (U >= C[k])
        k++;
    return k;
}

/* The exact integer form of the sentence sums, when there is one: every
 * sml[i] and sms[i] is a whole multiple of 2^-q (q <= 8) below 2^31 * 2^-q
 * and S of them stay below 2^31 units.  Then every partial sum of a
 * replicate is a multiple of 2^-q below 2^(31-q), exactly representable, so
 * the double sum in draw order and the integer sum are the same number:
 * the draws can be summed as integers, ML in the high 32 bits of pk[i] and
 * MS in the low 32 (no carry: S draws stay below 2^31).  Returns q, or -1
 * (the draws are then summed as doubles, in draw order).  Shipped lexicon
 * weights (0.5, 1, 1.5, 2) with the default negation factor 1 give q = 1. */
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

/* What every path reads of one row. */
typedef struct boot_row {
    uint32_t B, S, m;
    int all;               /* m == S: every draw lands on a cue sentence */
    const uint64_t *C;     /* Binomial(S, m/S) thresholds (not all) */
    const uint32_t *guide; /* their guide, 2^(53 - shift) entries */
    int shift;
    uint32_t reject;       /* Lemire: a product whose low half is below
                              (2^32 - m) mod m is drawn again */
    int q;                 /* exact_units, or -1 */
    const uint64_t *pk;    /* q >= 0: ML << 32 | MS in units of 2^-q */
    const uint32_t *pk32;  /* ML << 16 | MS, when every weight in units
                              times ceil(S / 2) stays below 2^16: the sums
                              of ceil(S / 2) draws fit 16 bits; else NULL */
    double unit;           /* 2^-q */
    const double *sml, *sms; /* q < 0: the sums as doubles */
    double k;              /* smoothing */
} boot_row;

/* The sentence index of one 32-bit value v, given mm = v * m: Lemire's
 * bounded draw, a rejected value replaced by the high half of the lane's
 * next output (again while rejected). */
static uint32_t lane_index(rng *g, const boot_row *r, uint64_t mm)
{
    while ((uint32_t)mm < r->reject)
        mm = (rng_next(g) >> 32) * r->m;
    return (uint32_t)(mm >> 32);
}

/* The plain path, which defines the draws: each lane in turn, with its
 * replicates b = l, l + BOOT_LANES, ... < B.  First the count T of every
 * one of them, in that order, from one output each (its top 53 bits to
 * binom_pick; T = S when m = S, no output); then, replicate after
 * replicate, its T sentence draws: ceil(T / 2) outputs, each giving two
 * from its high and then its low 32 bits (the low half of the last is
 * unused when T is odd).  cnt is scratch of B. */
static void boot_scalar(const rng *lanes, const boot_row *r, uint32_t *cnt, double *rep)
{
    for (uint32_t l = 0; l < BOOT_LANES; l++) {
        rng g = lanes[l];
        for (uint32_t b = l; b < r->B; b += BOOT_LANES) {
            cnt[b] = r->S;
            if (!r->all)
                cnt[b] = binom_pick(r->C, r->guide, r->shift, rng_next(&g) >> 11);
        }
        for (uint32_t b = l; b < r->B; b += BOOT_LANES) {
            uint32_t T = cnt[b];
            double ml = 0, ms = 0;
            if (r->q >= 0) {
                uint64_t acc = 0;
                for (uint32_t t = 0; t < T; t += 2) {
                    uint64_t x = rng_next(&g);
                    acc += r->pk[lane_index(&g, r, (x >> 32) * r->m)];
                    if (t + 1 < T)
                        acc += r->pk[lane_index(&g, r, (x & 0xffffffffu) * r->m)];
                }
                ml = (double)(acc >> 32) * r->unit;
                ms = (double)(acc & 0xffffffffu) * r->unit;
            } else {
                for (uint32_t t = 0; t < T; t += 2) {
                    uint64_t x = rng_next(&g);
                    uint32_t i = lane_index(&g, r, (x >> 32) * r->m);
                    ml += r->sml[i];
                    ms += r->sms[i];
                    if (t + 1 < T) {
                        i = lane_index(&g, r, (x & 0xffffffffu) * r->m);
                        ml += r->sml[i];
                        ms += r->sms[i];
                    }
                }
            }
            rep[b] = cls_score_formula(ml, ms, r->k);
        }
    }
}

/* ---- the eight lanes side by side (AVX-512) ------------------------------ */

#if BOOT_HAVE_AVX512

/* The packed sums of one replicate per lane, read from the running sums of
 * a packed stream (v_stream, w_stream): H and L the rows of the lanes'
 * last outputs of this replicate (high and low draws), Lu the low draws'
 * row to use (the row before when T is odd), *Hp and *Lp those of the
 * replicate before, updated.  Each sum stays below 2^16 in each half, so
 * the differences mod 2^32 are exact.  Both vector paths use it. */
BOOT_AVX2 static inline void stream_sums(__m256i H, __m256i L, __m256i Lu, __m256i *Hp,
                                         __m256i *Lp, __m256i *ML, __m256i *MS)
{
    const __m256i low16 = _mm256_set1_epi32(0xffff);
    __m256i hs = _mm256_sub_epi32(H, *Hp), ls = _mm256_sub_epi32(Lu, *Lp);
    *Hp = H;
    *Lp = L;
    *ML = _mm256_add_epi32(_mm256_srli_epi32(hs, 16), _mm256_srli_epi32(ls, 16));
    *MS = _mm256_add_epi32(_mm256_and_si256(hs, low16), _mm256_and_si256(ls, low16));
}

/* The mask of the first n lanes (all for n >= 8). */
static inline __mmask8 v_first(size_t n)
{
    return (__mmask8)(n >= BOOT_LANES ? 0xffu : (1u << n) - 1);
}

/* One output of every lane; the lanes in k advance, the others keep their
 * state (their output is then unused).  The state's six exclusive ors as
 * three-way ones: the same numbers in fewer instructions (the draw loop is
 * bound by the vector ALU ports; the ++ scrambler, three instructions
 * against the ** one's five, was chosen for the same reason). */
BOOT_AVX512 static inline __m512i v_next(__m512i *s0, __m512i *s1, __m512i *s2, __m512i *s3,
                                         __mmask8 k)
{
    __m512i a = *s0, b = *s1, c = *s2, d = *s3;
    __m512i r = _mm512_add_epi64(_mm512_rol_epi64(_mm512_add_epi64(a, d), 23), a);
    __m512i t = _mm512_slli_epi64(b, 17);
    __m512i d1 = _mm512_xor_si512(d, b);
    /* rng_next: c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 45). */
    *s0 = _mm512_mask_ternarylogic_epi64(a, k, d, b, 0x96); /* a ^ d ^ b */
    *s1 = _mm512_mask_ternarylogic_epi64(b, k, c, a, 0x96); /* b ^ c ^ a */
    *s2 = _mm512_mask_ternarylogic_epi64(c, k, a, t, 0x96); /* c ^ a ^ t */
    *s3 = _mm512_mask_rol_epi64(d, k, d1, 45);
    return r;
}

/* binom_pick in every lane of k (the others give 0) for U the top 53
 * bits of x: the same start and the same walk, lane by lane.  The first
 * step is taken whatever the lanes need, so the branch is rarely taken. */
BOOT_AVX512 static __m512i v_pick(const boot_row *r, __m512i x, __mmask8 k)
{
    const __m512i one = _mm512_set1_epi64(1), zero = _mm512_setzero_si512();
    __m512i U = _mm512_srli_epi64(x, 11);
    __m512i j = _mm512_srlv_epi64(U, _mm512_set1_epi64(r->shift));
    __m512i t = _mm512_cvtepu32_epi64(
        _mm512_mask_i64gather_epi32(_mm256_setzero_si256(), k, j, r->guide, 4));
    __m512i c = _mm512_mask_i64gather_epi64(zero, k, t, r->C, 8);
    __mmask8 up = _mm512_mask_cmpge_epu64_mask(k, U, c);
    t = _mm512_mask_add_epi64(t, up, t, one);
    c = _mm512_mask_i64gather_epi64(zero, up, t, r->C, 8);
    up = _mm512_mask_cmpge_epu64_mask(up, U, c);
    while (up != 0) {
        t = _mm512_mask_add_epi64(t, up, t, one);
        c = _mm512_mask_i64gather_epi64(zero, up, t, r->C, 8);
        up = _mm512_mask_cmpge_epu64_mask(up, U, c);
    }
    return _mm512_maskz_mov_epi64(k, t);
}

/* How v_groups looks up a drawn sentence's sums: gathering from pk (or,
 * q < 0, from sml and sms); v_stream's packed ways are below. */
enum { V_GATHER = 0, V_DOUBLE = 1 };

/* binom_pick for S < 32 in every lane of k (the others give 0): T, the
 * first k with U < C[k], is the number of k < S with C[k] <= U (C rises
 * and C[S] exceeds every U), counted without table look-ups. */
BOOT_AVX512 static __m512i v_pick_small(const boot_row *r, __m512i x, __mmask8 k)
{
    const __m512i one = _mm512_set1_epi64(1);
    __m512i U = _mm512_srli_epi64(x, 11), t = _mm512_setzero_si512();
    for (uint32_t i = 0; i < r->S; i++) {
        __mmask8 le = _mm512_cmpge_epu64_mask(U, _mm512_set1_epi64((long long)r->C[i]));
        t = _mm512_mask_add_epi64(t, le, t, one);
    }
    return _mm512_maskz_mov_epi64(k, t);
}

/* A rejected draw in some lane (rare: probability below m / 2^32 each):
 * redraw it exactly as lane_index does, lane by lane, the high half's draw
 * before the low half's.  v holds the state s0..s3, then v * m of the high
 * and of the low draws; kh and kl the lanes whose high and low draws
 * count.  On return v[4] and v[5] hold index << 32. */
BOOT_AVX512 __attribute__((noinline)) static void v_redraw(const boot_row *r, __m512i *v,
                                                          __mmask8 kh, __mmask8 kl)
{
    uint64_t st[4][BOOT_LANES], h[BOOT_LANES], w[BOOT_LANES];
    for (int i = 0; i < 4; i++)
        _mm512_storeu_si512(st[i], v[i]);
    _mm512_storeu_si512(h, v[4]);
    _mm512_storeu_si512(w, v[5]);
    for (int l = 0; l < BOOT_LANES; l++) {
        rng g = { { st[0][l], st[1][l], st[2][l], st[3][l] } };
        if (kh >> l & 1)
            h[l] = (uint64_t)lane_index(&g, r, h[l]) << 32;
        if (kl >> l & 1)
            w[l] = (uint64_t)lane_index(&g, r, w[l]) << 32;
        for (int i = 0; i < 4; i++)
            st[i][l] = g.s[i];
    }
    for (int i = 0; i < 4; i++)
        v[i] = _mm512_loadu_si512(st[i]);
    v[4] = _mm512_loadu_si512(h);
    v[5] = _mm512_loadu_si512(w);
}

/* How v_stream sums a drawn sentence's weights, packed (boot_row.pk32):
 * both draws of a step in one vector of sixteen 32-bit lanes, looked up
 * from a table of up to 16 or 32 entries held in registers, or gathered
 * (tables of 64 and 128 entries measured no faster than the gather). */
enum { V_P16 = 2, V_P32 = 3, V_PGATHER = 4 };

/* tab[t][i] = pk32[16 t + i], i below m <= 32. */
BOOT_AVX512 static inline __attribute__((always_inline)) __m512i v_tab32(const __m512i *tab,
                                                                         __m512i i, int how)
{
    if (how == V_P16)
        return _mm512_permutexvar_epi32(i, tab[0]);
    return _mm512_permutex2var_epi32(tab[0], i, tab[1]);
}

/* The lanes whose low draw of output o (0-based, the lane's outputs
 * after its counts) counts, for v_stream's redraws: o lies within the
 * lane's draws and is not the last output of a replicate with odd T. */
static __mmask8 stream_kl(const uint32_t *cnt, uint32_t B, uint64_t o)
{
    __mmask8 kl = 0;
    for (uint32_t l = 0; l < BOOT_LANES; l++) {
        uint64_t end = 0;
        for (uint32_t b = l; b < B; b += BOOT_LANES) {
            end += (cnt[b] + 1u) / 2;
            if (o < end) {
                if (!(cnt[b] & 1u) || o + 1 != end)
                    kl |= (__mmask8)(1u << l);
                break;
            }
        }
    }
    return kl;
}

/* One step of v_groups (how V_GATHER or V_DOUBLE): an output of the lanes
 * in kh, their high draws added to the sums, and the low draws of the
 * lanes in kl (a subset).  Packed (v_stream), every lane steps, both its
 * draws go to acc unmasked, and scnt and o tell a redraw which low draws
 * count (stream_kl). */
BOOT_AVX512 static inline __attribute__((always_inline)) void
v_step(const boot_row *r, __m512i mv, __m512i rejv, __m512i *s0, __m512i *s1, __m512i *s2,
       __m512i *s3, __mmask8 kh, __mmask8 kl, const __m512i *tab, int how, __m512i *acc,
       __m512d *ml, __m512d *ms, const uint32_t *scnt, uint64_t o, __m512i *lows)
{
    const __m512d zd = _mm512_setzero_pd();
    __m512i x = v_next(s0, s1, s2, s3, kh);
    __m512i hi = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), mv);
    __m512i lo = _mm512_mul_epu32(x, mv);
    /* Any low half below the threshold, counted or not (v_redraw looks at
     * the counted ones only; an alarm is rare).  With lows, the check
     * waits: the smallest halves are kept for the caller. */
    __mmask16 rj = 0;
    if (lows != NULL)
        *lows = _mm512_min_epu32(*lows, _mm512_min_epu32(hi, lo));
    else
        rj = _mm512_cmplt_epu32_mask(_mm512_min_epu32(hi, lo), rejv) & 0x5555;
    if (rj != 0) {
        if (how >= V_P16)
            kl = stream_kl(scnt, r->B, o);
        /* A copy, so the state's address never escapes the loop. */
        __m512i v[6] = { *s0, *s1, *s2, *s3, hi, lo };
        v_redraw(r, v, kh, kl);
        *s0 = v[0];
        *s1 = v[1];
        *s2 = v[2];
        *s3 = v[3];
        hi = v[4];
        lo = v[5];
    }
    if (how >= V_P16) {
        /* The sixteen indices, the high halves of the products: the high
         * draw's to even 32-bit lanes, the low draw's staying odd. */
        __m512i i = _mm512_mask_shuffle_epi32(lo, 0x5555, hi, _MM_PERM_CDAB);
        __m512i w = how == V_PGATHER ? _mm512_i32gather_epi32(i, r->pk32, 4)
                                     : v_tab32(tab, i, how);
        *acc = _mm512_add_epi32(*acc, w);
        return;
    }
    hi = _mm512_srli_epi64(hi, 32);
    lo = _mm512_srli_epi64(lo, 32);
    if (how == V_GATHER) {
        /* Unmasked gathers: every index is below m. */
        *acc = _mm512_mask_add_epi64(*acc, kh, *acc, _mm512_i64gather_epi64(hi, r->pk, 8));
        *acc = _mm512_mask_add_epi64(*acc, kl, *acc, _mm512_i64gather_epi64(lo, r->pk, 8));
    } else {
        *ml = _mm512_mask_add_pd(*ml, kh, *ml, _mm512_mask_i64gather_pd(zd, kh, hi, r->sml, 8));
        *ms = _mm512_mask_add_pd(*ms, kh, *ms, _mm512_mask_i64gather_pd(zd, kh, hi, r->sms, 8));
        *ml = _mm512_mask_add_pd(*ml, kl, *ml, _mm512_mask_i64gather_pd(zd, kl, lo, r->sml, 8));
        *ms = _mm512_mask_add_pd(*ms, kl, *ms, _mm512_mask_i64gather_pd(zd, kl, lo, r->sms, 8));
    }
}

/* cls_score_formula, (ms - ml) / (ms + ml + k) or 0 unless the
 * denominator is above 0, stored to the lanes of kb. */
BOOT_AVX512 static inline void v_score(const boot_row *r, __m512d ml, __m512d ms, double *out,
                                       __mmask8 kb)
{
    __m512d den = _mm512_add_pd(_mm512_add_pd(ms, ml), _mm512_set1_pd(r->k));
    __mmask8 pos = _mm512_cmp_pd_mask(den, _mm512_setzero_pd(), _CMP_GT_OQ);
    _mm512_mask_storeu_pd(out, kb, _mm512_maskz_div_pd(pos, _mm512_sub_pd(ms, ml), den));
}

/* The sentence draws of every replicate and its score, eight replicates
 * (one per lane) at a time, each lane stepping while it has draws left (a
 * finished lane's generator waits), so every lane consumes its outputs in
 * boot_scalar's order.  s holds the lanes' state; cnt the counts unless
 * r->all. */
BOOT_AVX512 static inline __attribute__((always_inline)) void
v_groups(const boot_row *r, __m512i *s, const uint32_t *cnt, double *rep, int how)
{
    __m512i s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1);
    const __m512i two = _mm512_set1_epi64(2), low = _mm512_set1_epi64(0xffffffff);
    const __m512d zd = _mm512_setzero_pd(), unit = _mm512_set1_pd(r->unit);
    const __m512i mv = _mm512_set1_epi64(r->m), rejv = _mm512_set1_epi32((int)r->reject);
    for (uint32_t b0 = 0; b0 < r->B; b0 += BOOT_LANES) {
        uint32_t left = r->B - b0;
        __mmask8 kb = v_first(left);
        __m512i T = _mm512_maskz_mov_epi64(kb, _mm512_set1_epi64(r->S));
        if (!r->all)
            T = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(kb, cnt + b0));
        uint64_t nsteps = (_mm512_reduce_max_epu64(T) + 1) / 2, st = 0;
        __m512i acc = zero;
        __m512d ml = zd, ms = zd;
        /* While every lane has two draws left, no masks to compute. */
        if (kb == 0xff)
            for (uint64_t full = _mm512_reduce_min_epu64(T) / 2; st < full; st++)
                v_step(r, mv, rejv, &s0, &s1, &s2, &s3, 0xff, 0xff, NULL, how, &acc, &ml, &ms,
                       NULL, 0, NULL);
        /* D, the draws left: the step's high draw counts if D > 0, its low
         * draw if D > 1. */
        __m512i D = _mm512_sub_epi64(T, _mm512_set1_epi64((long long)(2 * st)));
        for (; st < nsteps; st++) {
            __mmask8 kh = _mm512_cmpgt_epi64_mask(D, zero);
            __mmask8 kl = _mm512_cmpgt_epi64_mask(D, one);
            D = _mm512_sub_epi64(D, two);
            v_step(r, mv, rejv, &s0, &s1, &s2, &s3, kh, kl, NULL, how, &acc, &ml, &ms, NULL, 0,
                   NULL);
        }
        if (how != V_DOUBLE) {
            ml = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(acc, 32)), unit);
            ms = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_and_si512(acc, low)), unit);
        }
        v_score(r, ml, ms, rep + b0, kb);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
}

/* Most prefix rows v_stream keeps (64 bytes each); a row needing more
 * takes v_groups. */
#define STREAM_ROWS ((uint64_t)1 << 15)

/* v_stream's outputs and running sums, from the lanes' state s: checked,
 * with the rejection check (and redraws) at every step; else with it
 * deferred, returning whether a low half anywhere fell below the
 * threshold (then the pass must be made checked). */
BOOT_AVX512 static inline __attribute__((always_inline)) int
v_stream_pass(const boot_row *r, __m512i mv, __m512i rejv, const __m512i *s, const uint32_t *cnt,
              uint64_t n, uint32_t *buf, const __m512i *tab, int how, int checked)
{
    __m512i s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], R = _mm512_setzero_si512();
    __m512i lows = _mm512_set1_epi32(-1);
    __m512d unused = _mm512_setzero_pd();
    for (uint64_t o = 0; o < n; o++) {
        v_step(r, mv, rejv, &s0, &s1, &s2, &s3, 0xff, 0, tab, how, &R, &unused, &unused, cnt, o,
               checked ? NULL : &lows);
        _mm512_storeu_si512(buf + 16 * (o + 1), R);
    }
    return (_mm512_cmplt_epu32_mask(lows, rejv) & 0x5555) != 0;
}

/* The packed draws without waiting: each lane takes its outputs one after
 * another across all its replicates (exactly its order in boot_scalar:
 * the replicates' draws follow each other in the lane's stream), every
 * lane stepping n times (a lane past its last draw makes outputs nobody
 * reads), with no per-replicate masks and no lane idle while another
 * finishes a long replicate.  buf row o + 1 holds the running sums, mod
 * 2^32, of the packed weights of each lane's first o + 1 outputs (high
 * draw in 32-bit lane 2 l, low draw in 2 l + 1); row 0 is zero.  A
 * replicate's sum is the difference of two rows, exact since it stays
 * below 2^16 in each half (boot_row.pk32), less the low draw of its last
 * output when T is odd (taken from the row before).  cnt holds every
 * replicate's T. */
BOOT_AVX512 static inline __attribute__((always_inline)) void
v_stream(const boot_row *r, __m512i *s, const uint32_t *cnt, uint64_t n, uint32_t *buf, int how,
         double *rep)
{
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1);
    __m512i tab[2] = { zero, zero };
    if (how < V_PGATHER)
        for (uint32_t t = 0; t < 2 && 16 * t < r->m; t++)
            tab[t] = _mm512_maskz_loadu_epi32((__mmask16)(r->m - 16 * t >= 16
                                                              ? 0xffffu
                                                              : (1u << (r->m - 16 * t)) - 1),
                                              r->pk32 + 16 * t);
    const __m512i mv = _mm512_set1_epi64(r->m), rejv = _mm512_set1_epi32((int)r->reject);
    _mm512_storeu_si512(buf, zero);
    /* First with the rejection check deferred to the end; in the rare row
     * where a low half fell below the threshold (counted or not), again
     * from the start with the check at every step. */
    if (v_stream_pass(r, mv, rejv, s, cnt, n, buf, tab, how, 0))
        v_stream_pass(r, mv, rejv, s, cnt, n, buf, tab, how, 1);
    /* The replicates, eight at a time: E, each lane's outputs so far. */
    const __m512i lane = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512d unit = _mm512_set1_pd(r->unit);
    __m512i E = zero;
    __m256i Hp = _mm256_setzero_si256(), Lp = _mm256_setzero_si256();
    for (uint32_t b0 = 0; b0 < r->B; b0 += BOOT_LANES) {
        __mmask8 kb = v_first(r->B - b0);
        __m512i T = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(kb, cnt + b0));
        E = _mm512_add_epi64(E, _mm512_srli_epi64(_mm512_add_epi64(T, one), 1));
        __m512i ix = _mm512_add_epi64(_mm512_slli_epi64(E, 4), lane);
        __m256i H = _mm512_i64gather_epi32(ix, buf, 4);
        __m256i L = _mm512_i64gather_epi32(_mm512_add_epi64(ix, one), buf, 4);
        __m256i Lu = _mm512_mask_i64gather_epi32(L, _mm512_test_epi64_mask(T, one),
                                                 _mm512_sub_epi64(ix, _mm512_set1_epi64(15)),
                                                 buf, 4);
        __m256i ML, MS;
        stream_sums(H, L, Lu, &Hp, &Lp, &ML, &MS);
        v_score(r, _mm512_mul_pd(_mm512_cvtepu32_pd(ML), unit),
                _mm512_mul_pd(_mm512_cvtepu32_pd(MS), unit), rep + b0, kb);
    }
}

/* boot_scalar's lanes, eight at once: the counts, then the draws. */
BOOT_AVX512 static int boot_avx512(const rng *lanes, const boot_row *r, cls_boot *w)
{
    uint32_t *cnt = w->cnt;
    double *rep = w->rep;
    uint64_t st[4][BOOT_LANES];
    for (int l = 0; l < BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            st[i][l] = lanes[l].s[i];
    __m512i s[4];
    for (int i = 0; i < 4; i++)
        s[i] = _mm512_loadu_si512(st[i]);
    /* The counts, eight at a time: independent of one another, so the
     * look-ups of one group overlap the next. */
    if (!r->all) {
        __m512i s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        for (uint32_t b0 = 0; b0 < r->B; b0 += BOOT_LANES) {
            __mmask8 kb = v_first(r->B - b0);
            __m512i x = v_next(&s0, &s1, &s2, &s3, kb);
            __m512i T = r->S < 32 ? v_pick_small(r, x, kb) : v_pick(r, x, kb);
            _mm256_mask_storeu_epi32(cnt + b0, kb, _mm512_cvtepi64_epi32(T));
        }
        s[0] = s0;
        s[1] = s1;
        s[2] = s2;
        s[3] = s3;
    }
    if (r->pk32 != NULL) {
        /* n, the most outputs a lane takes. */
        if (r->all)
            for (uint32_t b = 0; b < r->B; b++)
                cnt[b] = r->S;
        __m512i N = _mm512_setzero_si512();
        const __m512i one = _mm512_set1_epi64(1);
        for (uint32_t b0 = 0; b0 < r->B; b0 += BOOT_LANES) {
            __mmask8 kb = v_first(r->B - b0);
            __m512i T = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(kb, cnt + b0));
            N = _mm512_add_epi64(N, _mm512_srli_epi64(_mm512_add_epi64(T, one), 1));
        }
        uint64_t n = _mm512_reduce_max_epu64(N);
        if (n < STREAM_ROWS) {
            if (grow((void **)&w->sbuf, &w->capsbuf, 16 * (size_t)(n + 1), sizeof *w->sbuf))
                return IG_ENOMEM;
            if (r->m <= 16)
                v_stream(r, s, cnt, n, w->sbuf, V_P16, rep);
            else if (r->m <= 32)
                v_stream(r, s, cnt, n, w->sbuf, V_P32, rep);
            else
                v_stream(r, s, cnt, n, w->sbuf, V_PGATHER, rep);
            return IG_OK;
        }
    }
    if (r->q < 0)
        v_groups(r, s, cnt, rep, V_DOUBLE);
    else
        v_groups(r, s, cnt, rep, V_GATHER);
    return IG_OK;
}

/* heap_select for cn <= 32 values, without branches on the data: for
 * every value x, how many values are below it (lt) and at or below it
 * (le), counted against each value in turn; the value of 0-based rank r is
 * an x with lt <= r < le (several when tied, all equal). */
BOOT_AVX512 static void v_select(const double *c, size_t cn, size_t m, int largest,
                                 double *x_m, double *x_m1)
{
    __m512d v[4];
    __m512i lt[4], le[4];
    __mmask8 ok[4];
    const __m512i one = _mm512_set1_epi64(1);
    for (int t = 0; t < 4; t++) {
        ok[t] = v_first(cn > 8u * t ? cn - 8u * t : 0);
        v[t] = _mm512_maskz_loadu_pd(ok[t], c + 8 * t);
        lt[t] = le[t] = _mm512_setzero_si512();
    }
    for (size_t i = 0; i < cn; i++) {
        __m512d b = _mm512_set1_pd(c[i]);
        for (int t = 0; t < 4; t++) {
            lt[t] = _mm512_mask_add_epi64(lt[t], _mm512_cmp_pd_mask(b, v[t], _CMP_LT_OQ), lt[t],
                                          one);
            le[t] = _mm512_mask_add_epi64(le[t], _mm512_cmp_pd_mask(b, v[t], _CMP_LE_OQ), le[t],
                                          one);
        }
    }
    /* m-th smallest: rank m - 1; m-th largest: rank cn - m. */
    long long r0 = largest ? (long long)(cn - m) : (long long)m - 1;
    long long r1 = largest ? r0 + 1 : r0 - 1;
    double out[2] = { 0, 0 }; /* always set: some value has each rank */
    for (int w = 0; w < 2; w++) {
        __m512i r = _mm512_set1_epi64(w == 0 ? r0 : r1);
        for (int t = 0; t < 4; t++) {
            __mmask8 hit = _mm512_mask_cmple_epi64_mask(ok[t], lt[t], r) &
                           _mm512_cmpgt_epi64_mask(le[t], r);
            if (hit) {
                out[w] = _mm512_cvtsd_f64(_mm512_maskz_compress_pd(hit, v[t]));
                break;
            }
        }
    }
    *x_m = out[0];
    *x_m1 = out[1];
}

/* rank_pair, with v_select for up to 32 values beyond t. */
BOOT_AVX512 static double v_rank_pair(const double *c, size_t cn, size_t m, int largest,
                                      double t, double *h, double *x_m1)
{
    if (cn >= m && cn <= 4 * BOOT_LANES) {
        double x_m;
        v_select(c, cn, m, largest, &x_m, x_m1);
        return x_m;
    }
    return rank_pair(c, cn, m, largest, t, h, x_m1);
}

/* Four registers into o[0..32). */
BOOT_AVX512 static inline void v_store4(double *o, __m512d a, __m512d b, __m512d c, __m512d d)
{
    _mm512_storeu_pd(o, a);
    _mm512_storeu_pd(o + 8, b);
    _mm512_storeu_pd(o + 16, c);
    _mm512_storeu_pd(o + 24, d);
}

/* quantiles(), the same values found another way: each lane keeps the
 * four smallest and four largest values it sees (a[j] in lane j mod 8).
 * When those 32 cover the heaps (i_lo + 2 and n - i_hi values: up to about
 * 1300 replicates), tlo, the (i_lo + 2)-th smallest of the 32 smallest
 * kept, has at least i_lo + 2 values at or below it: the order statistics
 * sought are tlo or among the values below it, gathered with compress and
 * selected (v_rank_pair; the same for thi and the largest).  Falls back to
 * quantiles() for few replicates, many, or a NaN.  h is scratch of
 * 2 n + 16. */
BOOT_AVX512 static void v_quantiles(const double *a, size_t n, double *qlo, double *qhi,
                                    double *h)
{
    qpos pl = qpos_of(n, 0.025), ph = qpos_of(n, 0.975);
    size_t ml = pl.i + 2, mh = n - ph.i;
    if (n < 16 * BOOT_LANES || ml > 4 * BOOT_LANES || mh > 4 * BOOT_LANES || mh < 2) {
        quantiles(a, n, qlo, qhi, h);
        return;
    }
    const __m512d pinf = _mm512_set1_pd(INFINITY), ninf = _mm512_set1_pd(-INFINITY);
    __m512d l0 = pinf, l1 = pinf, l2 = pinf, l3 = pinf;
    __m512d h0 = ninf, h1 = ninf, h2 = ninf, h3 = ninf;
    __mmask8 nan = 0;
    size_t i;
    for (i = 0; i < n; i += BOOT_LANES) {
        __mmask8 k = v_first(n - i);
        __m512d x = _mm512_mask_loadu_pd(pinf, k, a + i), y;
        nan |= _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
        y = _mm512_min_pd(l0, x), x = _mm512_max_pd(l0, x), l0 = y;
        y = _mm512_min_pd(l1, x), x = _mm512_max_pd(l1, x), l1 = y;
        y = _mm512_min_pd(l2, x), x = _mm512_max_pd(l2, x), l2 = y;
        l3 = _mm512_min_pd(l3, x);
        x = _mm512_mask_loadu_pd(ninf, k, a + i);
        y = _mm512_max_pd(h0, x), x = _mm512_min_pd(h0, x), h0 = y;
        y = _mm512_max_pd(h1, x), x = _mm512_min_pd(h1, x), h1 = y;
        y = _mm512_max_pd(h2, x), x = _mm512_min_pd(h2, x), h2 = y;
        h3 = _mm512_max_pd(h3, x);
    }
    if (nan) {
        quantiles(a, n, qlo, qhi, h);
        return;
    }
    double kept[4 * BOOT_LANES], heap[4 * BOOT_LANES], x1, x0;
    v_store4(kept, l0, l1, l2, l3);
    v_select(kept, 4 * BOOT_LANES, ml, 0, &x1, &x0);
    double vlo = x1;
    __m512d tlo = _mm512_set1_pd(vlo);
    v_store4(kept, h0, h1, h2, h3);
    v_select(kept, 4 * BOOT_LANES, mh, 1, &x1, &x0);
    double vhi = x1;
    __m512d thi = _mm512_set1_pd(vhi);
    /* Only the values strictly beyond tlo (thi) are gathered: ties with
     * it, many when the row has few cue sentences and the replicates few
     * distinct scores, need no selection. */
    double *cl = h, *ch = h + n + BOOT_LANES;
    size_t nl = 0, nh = 0;
    for (i = 0; i < n; i += BOOT_LANES) {
        __mmask8 k = v_first(n - i);
        __m512d x = _mm512_maskz_loadu_pd(k, a + i);
        __mmask8 kl = _mm512_mask_cmp_pd_mask(k, x, tlo, _CMP_LT_OQ);
        __mmask8 kh = _mm512_mask_cmp_pd_mask(k, x, thi, _CMP_GT_OQ);
        _mm512_storeu_pd(cl + nl, _mm512_maskz_compress_pd(kl, x));
        _mm512_storeu_pd(ch + nh, _mm512_maskz_compress_pd(kh, x));
        nl += (size_t)__builtin_popcount(kl);
        nh += (size_t)__builtin_popcount(kh);
    }
    x1 = v_rank_pair(cl, nl, ml, 0, vlo, heap, &x0);   /* (i+1)-th and i-th smallest */
    *qlo = q7_value(pl, x0, x1);
    x1 = v_rank_pair(ch, nh, mh, 1, vhi, heap, &x0);   /* i-th and (i+1)-th smallest */
    *qhi = q7_value(ph, x1, x0);
}

#endif

/* ---- the eight lanes in AVX2 registers ------------------------------------ */

#if BOOT_HAVE_AVX2

/* AVX2 has four 64-bit lanes a register: the eight generator lanes are two
 * halves, lanes 0-3 and 4-7, each a state of four registers.  Its draws
 * take the packed stream of v_stream (the shipped lexicons' rows); a row
 * that v_stream would not take, or with a rejected draw anywhere in its
 * stream (rare), is drawn by boot_scalar: the same bits either way. */
typedef struct w_lanes {
    __m256i s[2][4];       /* [half][state word] */
} w_lanes;

BOOT_AVX2 static inline void w_load(w_lanes *v, const rng *lanes)
{
    uint64_t st[4][BOOT_LANES];
    for (int l = 0; l < BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            st[i][l] = lanes[l].s[i];
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++)
            v->s[h][i] = _mm256_loadu_si256((const __m256i *)(st[i] + 4 * h));
}

BOOT_AVX2 static inline void w_save(const w_lanes *v, rng *lanes)
{
    uint64_t st[4][BOOT_LANES];
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++)
            _mm256_storeu_si256((__m256i *)(st[i] + 4 * h), v->s[h][i]);
    for (int l = 0; l < BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            lanes[l].s[i] = st[i][l];
}

/* rng_next in four lanes (no 64-bit rotate in AVX2: two shifts and an or). */
BOOT_AVX2 static inline __m256i w_next(__m256i *s)
{
    __m256i a = s[0], b = s[1], c = s[2], d = s[3];
    __m256i ad = _mm256_add_epi64(a, d);
    __m256i r = _mm256_add_epi64(
        _mm256_or_si256(_mm256_slli_epi64(ad, 23), _mm256_srli_epi64(ad, 41)), a);
    __m256i t = _mm256_slli_epi64(b, 17);
    __m256i c1 = _mm256_xor_si256(c, a); /* c ^= a */
    __m256i d1 = _mm256_xor_si256(d, b); /* d ^= b */
    s[1] = _mm256_xor_si256(b, c1);      /* b ^= c */
    s[0] = _mm256_xor_si256(a, d1);      /* a ^= d */
    s[2] = _mm256_xor_si256(c1, t);      /* c ^= t */
    s[3] = _mm256_or_si256(_mm256_slli_epi64(d1, 45), _mm256_srli_epi64(d1, 19));
    return r;
}

/* binom_pick in four lanes for U the top 53 bits of x: the same start
 * and walk.  U and C stay below 2^63, so the signed compare is exact. */
BOOT_AVX2 static inline __m256i w_pick(const boot_row *r, __m256i x)
{
    __m256i U = _mm256_srli_epi64(x, 11);
    __m256i j = _mm256_srl_epi64(U, _mm_cvtsi32_si128(r->shift));
    __m256i t = _mm256_cvtepu32_epi64(_mm256_i64gather_epi32((const int *)r->guide, j, 4));
    const long long *C = (const long long *)r->C;
    __m256i up = _mm256_set1_epi64x(-1), c = _mm256_setzero_si256();
    for (;;) {
        c = _mm256_mask_i64gather_epi64(c, C, t, up, 8);
        up = _mm256_andnot_si256(_mm256_cmpgt_epi64(c, U), up); /* U >= C[t] */
        if (_mm256_testz_si256(up, up))
            return t;
        t = _mm256_sub_epi64(t, up);
    }
}

/* binom_pick for S < 32 without look-ups (v_pick_small), in eight lanes:
 * t[h] for the outputs x[h] of both halves, S less the number of k < S
 * with C[k] > U (each C[k] read once for the eight). */
BOOT_AVX2 static inline void w_pick_small(const boot_row *r, const __m256i *x, __m256i *t)
{
    __m256i U0 = _mm256_srli_epi64(x[0], 11), U1 = _mm256_srli_epi64(x[1], 11);
    __m256i t0 = _mm256_set1_epi64x(r->S), t1 = t0;
    for (uint32_t i = 0; i < r->S; i++) {
        __m256i c = _mm256_set1_epi64x((long long)r->C[i]);
        t0 = _mm256_add_epi64(t0, _mm256_cmpgt_epi64(c, U0));
        t1 = _mm256_add_epi64(t1, _mm256_cmpgt_epi64(c, U1));
    }
    t[0] = t0;
    t[1] = t1;
}

/* The counts of boot_scalar into cnt: eight replicates a step; the last
 * B mod 8, whose lanes must not all advance, one lane at a time. */
BOOT_AVX2 static void w_counts(const boot_row *r, w_lanes *v, uint32_t *cnt)
{
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    uint32_t full = r->B - r->B % BOOT_LANES;
    for (uint32_t b0 = 0; b0 < full; b0 += BOOT_LANES) {
        __m256i x[2] = { w_next(v->s[0]), w_next(v->s[1]) }, T[2];
        if (r->S < 32) {
            w_pick_small(r, x, T);
        } else {
            T[0] = w_pick(r, x[0]);
            T[1] = w_pick(r, x[1]);
        }
        for (int h = 0; h < 2; h++)
            _mm_storeu_si128((__m128i *)(cnt + b0 + 4 * h),
                             _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(T[h], even)));
    }
    if (full < r->B) {
        rng g[BOOT_LANES];
        w_save(v, g);
        for (uint32_t l = 0; full + l < r->B; l++)
            cnt[full + l] = binom_pick(r->C, r->guide, r->shift, rng_next(&g[l]) >> 11);
        w_load(v, g);
    }
}

/* The first n of the eight lanes of a group of replicates b0.. < B (all
 * for n >= 8), as a mask of 32-bit lanes. */
BOOT_AVX2 static inline __m256i w_first(uint32_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < BOOT_LANES ? n : BOOT_LANES)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The most outputs a lane takes for the draws: its replicates' ceil(T / 2)
 * summed (in 64 bits: a lane's sum may pass 2^32). */
BOOT_AVX2 static uint64_t w_outputs(const boot_row *r, const uint32_t *cnt)
{
    const __m256i one = _mm256_set1_epi64x(1);
    __m256i N0 = _mm256_setzero_si256(), N1 = N0;
    for (uint32_t b0 = 0; b0 < r->B; b0 += BOOT_LANES) {
        __m256i T = _mm256_maskload_epi32((const int *)(cnt + b0), w_first(r->B - b0));
        __m256i T0 = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(T));
        __m256i T1 = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(T, 1));
        N0 = _mm256_add_epi64(N0, _mm256_srli_epi64(_mm256_add_epi64(T0, one), 1));
        N1 = _mm256_add_epi64(N1, _mm256_srli_epi64(_mm256_add_epi64(T1, one), 1));
    }
    uint64_t e[BOOT_LANES], n = 0;
    _mm256_storeu_si256((__m256i *)e, N0);
    _mm256_storeu_si256((__m256i *)(e + 4), N1);
    for (int l = 0; l < BOOT_LANES; l++)
        n = e[l] > n ? e[l] : n;
    return n;
}

/* How w_stream looks up a drawn sentence's packed weights: from tables of
 * up to 8, 16 or 32 entries in registers, or gathered. */
enum { W_P8 = 0, W_P16 = 1, W_P32 = 2, W_PGATHER = 3 };

/* tab[t][i] = pk32[8 t + i], i below m <= 32: permutes chosen by the
 * index's bits 3 and 4. */
BOOT_AVX2 static inline __attribute__((always_inline)) __m256i w_tab(const __m256i *tab, __m256i i,
                                                                     int how)
{
#define W_PICK(a, b, bit)                                                                      \
    _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b),       \
                                         _mm256_castsi256_ps(_mm256_slli_epi32(i, 31 - (bit)))))
    __m256i w = _mm256_permutevar8x32_epi32(tab[0], i);
    if (how == W_P8)
        return w;
    w = W_PICK(w, _mm256_permutevar8x32_epi32(tab[1], i), 3);
    if (how == W_P16)
        return w;
    __m256i u = W_PICK(_mm256_permutevar8x32_epi32(tab[2], i),
                       _mm256_permutevar8x32_epi32(tab[3], i), 3);
    return W_PICK(w, u, 4);
#undef W_PICK
}

/* One output of four lanes (state s): its two draws' sentence indices,
 * the high draw's in the even 32-bit lanes and the low draw's in the odd,
 * and the products' low halves folded into *lows for the deferred
 * rejection check. */
BOOT_AVX2 static inline __attribute__((always_inline)) __m256i w_index(__m256i *s, __m256i mv,
                                                                       __m256i *lows)
{
    __m256i x = w_next(s);
    __m256i hi = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), mv);
    __m256i lo = _mm256_mul_epu32(x, mv);
    *lows = _mm256_min_epu32(*lows, _mm256_min_epu32(hi, lo));
    return _mm256_blend_epi32(_mm256_shuffle_epi32(hi, 0xb1), lo, 0xaa);
}

/* v_stream_pass's outputs and running sums in buf (the same layout: row
 * o + 1 holds, for lane l, its high draws' sums in 32-bit lane 2 l and its
 * low draws' in 2 l + 1), with the rejection check deferred.  Returns
 * whether every low half was at or above the threshold (else the row must
 * be drawn with redraws). */
BOOT_AVX2 static inline __attribute__((always_inline)) int
w_stream(const boot_row *r, const w_lanes *v, uint64_t n, uint32_t *buf, int how)
{
    __m256i tab[4];
    if (how != W_PGATHER) {
        uint32_t t32[32] = { 0 };
        memcpy(t32, r->pk32, (r->m < 32 ? r->m : 32) * sizeof *t32);
        for (int t = 0; t < 4; t++)
            tab[t] = _mm256_loadu_si256((const __m256i *)(t32 + 8 * t));
    }
    __m256i a0 = v->s[0][0], a1 = v->s[0][1], a2 = v->s[0][2], a3 = v->s[0][3];
    __m256i b0 = v->s[1][0], b1 = v->s[1][1], b2 = v->s[1][2], b3 = v->s[1][3];
    const __m256i mv = _mm256_set1_epi64x(r->m), zero = _mm256_setzero_si256();
    const int *pk = (const int *)r->pk32;
    __m256i R0 = zero, R1 = zero, lows = _mm256_set1_epi32(-1);
    _mm256_storeu_si256((__m256i *)buf, zero);
    _mm256_storeu_si256((__m256i *)(buf + 8), zero);
    for (uint64_t o = 0; o < n; o++) {
        __m256i sa[4] = { a0, a1, a2, a3 }, sb[4] = { b0, b1, b2, b3 };
        __m256i i0 = w_index(sa, mv, &lows), i1 = w_index(sb, mv, &lows);
        a0 = sa[0], a1 = sa[1], a2 = sa[2], a3 = sa[3];
        b0 = sb[0], b1 = sb[1], b2 = sb[2], b3 = sb[3];
        if (how == W_PGATHER) {
            R0 = _mm256_add_epi32(R0, _mm256_i32gather_epi32(pk, i0, 4));
            R1 = _mm256_add_epi32(R1, _mm256_i32gather_epi32(pk, i1, 4));
        } else {
            R0 = _mm256_add_epi32(R0, w_tab(tab, i0, how));
            R1 = _mm256_add_epi32(R1, w_tab(tab, i1, how));
        }
        _mm256_storeu_si256((__m256i *)(buf + 16 * (o + 1)), R0);
        _mm256_storeu_si256((__m256i *)(buf + 16 * (o + 1) + 8), R1);
    }
    /* lows < reject in an even 32-bit lane (the products' low halves). */
    __m256i rj = _mm256_set1_epi32((int)r->reject);
    __m256i ok = _mm256_cmpeq_epi32(_mm256_max_epu32(lows, rj), lows);
    return (~_mm256_movemask_ps(_mm256_castsi256_ps(ok)) & 0x55) == 0;
}

/* cls_score_formula in four lanes: 0 where the denominator is not above 0. */
BOOT_AVX2 static inline __m256d w_score(__m256d ml, __m256d ms, __m256d k)
{
    __m256d den = _mm256_add_pd(_mm256_add_pd(ms, ml), k);
    __m256d pos = _mm256_cmp_pd(den, _mm256_setzero_pd(), _CMP_GT_OQ);
    return _mm256_and_pd(pos, _mm256_div_pd(_mm256_sub_pd(ms, ml), den));
}

/* The replicates' scores from w_stream's running sums, eight at a time, as
 * v_stream reads them: E, each lane's outputs so far, in 32-bit lanes. */
BOOT_AVX2 static void w_sums(const boot_row *r, const uint32_t *cnt, const uint32_t *buf,
                             double *rep)
{
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i lane = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m256d unit = _mm256_set1_pd(r->unit), k = _mm256_set1_pd(r->k);
    const int *b32 = (const int *)buf;
    __m256i E = _mm256_setzero_si256(), Hp = E, Lp = E;
    for (uint32_t b0 = 0; b0 < r->B; b0 += BOOT_LANES) {
        __m256i kb = w_first(r->B - b0);
        __m256i T = _mm256_maskload_epi32((const int *)(cnt + b0), kb);
        E = _mm256_add_epi32(E, _mm256_srli_epi32(_mm256_add_epi32(T, one), 1));
        __m256i ix = _mm256_add_epi32(_mm256_slli_epi32(E, 4), lane);
        __m256i H = _mm256_i32gather_epi32(b32, ix, 4);
        __m256i L = _mm256_i32gather_epi32(b32, _mm256_add_epi32(ix, one), 4);
        __m256i odd = _mm256_cmpeq_epi32(_mm256_and_si256(T, one), one);
        __m256i Lu = _mm256_mask_i32gather_epi32(L, b32, _mm256_sub_epi32(ix, _mm256_set1_epi32(15)),
                                                  odd, 4);
        __m256i ML, MS;
        stream_sums(H, L, Lu, &Hp, &Lp, &ML, &MS);
        for (int h = 0; h < 2; h++) {
            __m128i mlh = h ? _mm256_extracti128_si256(ML, 1) : _mm256_castsi256_si128(ML);
            __m128i msh = h ? _mm256_extracti128_si256(MS, 1) : _mm256_castsi256_si128(MS);
            __m128i kh = h ? _mm256_extracti128_si256(kb, 1) : _mm256_castsi256_si128(kb);
            __m256d s = w_score(_mm256_mul_pd(_mm256_cvtepi32_pd(mlh), unit),
                                _mm256_mul_pd(_mm256_cvtepi32_pd(msh), unit), k);
            _mm256_maskstore_pd(rep + b0 + 4 * h, _mm256_cvtepi32_epi64(kh), s);
        }
    }
}

/* boot_scalar's lanes in AVX2 registers: the counts, then, when the row's
 * weights pack in 16 bits and its stream is not too long, the packed
 * stream; any other row, and one with a rejected draw, by boot_scalar. */
BOOT_AVX2 static int boot_avx2(const rng *lanes, const boot_row *r, cls_boot *w)
{
    uint32_t *cnt = w->cnt;
    w_lanes v;
    w_load(&v, lanes);
    if (r->pk32 == NULL) {
        boot_scalar(lanes, r, cnt, w->rep);
        return IG_OK;
    }
    if (r->all)
        for (uint32_t b = 0; b < r->B; b++)
            cnt[b] = r->S;
    else
        w_counts(r, &v, cnt);
    uint64_t n = w_outputs(r, cnt);
    int ok = 0;
    if (n < STREAM_ROWS) {
        if (grow((void **)&w->sbuf, &w->capsbuf, 16 * (size_t)(n + 1), sizeof *w->sbuf))
            return IG_ENOMEM;
        if (r->m <= 8)
            ok = w_stream(r, &v, n, w->sbuf, W_P8);
        else if (r->m <= 16)
            ok = w_stream(r, &v, n, w->sbuf, W_P16);
        else if (r->m <= 32)
            ok = w_stream(r, &v, n, w->sbuf, W_P32);
        else
            ok = w_stream(r, &v, n, w->sbuf, W_PGATHER);
    }
    if (ok)
        w_sums(r, cnt, w->sbuf, w->rep);
    else
        boot_scalar(lanes, r, cnt, w->rep);
    return IG_OK;
}

/* w_keep: the four smallest (largest = 0) or largest values each of the
 * eight lanes sees (a[j] in lane j mod 8) into kept[0..32); returns
 * whether a value is a NaN. */
BOOT_AVX2 static inline __attribute__((always_inline)) int w_keep(const double *a, size_t n,
                                                                  int largest, double *kept)
{
    const double fill = largest ? -INFINITY : INFINITY;
    __m256d k[4][2], bad = _mm256_setzero_pd();
    for (int t = 0; t < 4; t++)
        k[t][0] = k[t][1] = _mm256_set1_pd(fill);
    double tail[BOOT_LANES];
    for (size_t i = 0; i < n; i += BOOT_LANES) {
        const double *p = a + i;
        if (n - i < BOOT_LANES) {
            for (size_t j = 0; j < BOOT_LANES; j++)
                tail[j] = i + j < n ? a[i + j] : fill;
            p = tail;
        }
        for (int h = 0; h < 2; h++) {
            __m256d x = _mm256_loadu_pd(p + 4 * h), y;
            bad = _mm256_or_pd(bad, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
            for (int t = 0; t < 3; t++) {
                y = largest ? _mm256_max_pd(k[t][h], x) : _mm256_min_pd(k[t][h], x);
                x = largest ? _mm256_min_pd(k[t][h], x) : _mm256_max_pd(k[t][h], x);
                k[t][h] = y;
            }
            k[3][h] = largest ? _mm256_max_pd(k[3][h], x) : _mm256_min_pd(k[3][h], x);
        }
    }
    for (int t = 0; t < 4; t++)
        for (int h = 0; h < 2; h++)
            _mm256_storeu_pd(kept + 8 * t + 4 * h, k[t][h]);
    return _mm256_movemask_pd(bad) != 0;
}

/* v_quantiles with AVX2: the same shortcut (the same values), the kept
 * values and those beyond the thresholds selected with heaps. */
BOOT_AVX2 static void w_quantiles(const double *a, size_t n, double *qlo, double *qhi, double *h)
{
    qpos pl = qpos_of(n, 0.025), ph = qpos_of(n, 0.975);
    size_t ml = pl.i + 2, mh = n - ph.i;
    double kept[4 * BOOT_LANES], heap[4 * BOOT_LANES], vlo, vhi, x1, x0;
    if (n < 16 * BOOT_LANES || ml > 4 * BOOT_LANES || mh > 4 * BOOT_LANES || mh < 2 ||
        w_keep(a, n, 0, kept)) {
        quantiles(a, n, qlo, qhi, h);
        return;
    }
    heap_select(kept, 4 * BOOT_LANES, ml, 0, heap, &vlo, &x0);
    w_keep(a, n, 1, kept);
    heap_select(kept, 4 * BOOT_LANES, mh, 1, heap, &vhi, &x0);
    /* The values strictly beyond vlo (vhi): few, so gathered one by one
     * from the groups of four that hold one. */
    double *cl = h, *ch = h + n + BOOT_LANES;
    size_t nl = 0, nh = 0, i;
    const __m256d tlo = _mm256_set1_pd(vlo), thi = _mm256_set1_pd(vhi);
    for (i = 0; i + 4 <= n; i += 4) {
        __m256d x = _mm256_loadu_pd(a + i);
        unsigned kl = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, tlo, _CMP_LT_OQ));
        unsigned kh = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, thi, _CMP_GT_OQ));
        if ((kl | kh) != 0)
            for (unsigned j = 0; j < 4; j++) {
                cl[nl] = ch[nh] = a[i + j];
                nl += kl >> j & 1;
                nh += kh >> j & 1;
            }
    }
    for (; i < n; i++) {
        cl[nl] = ch[nh] = a[i];
        nl += a[i] < vlo;
        nh += a[i] > vhi;
    }
    x1 = rank_pair(cl, nl, ml, 0, vlo, heap, &x0);   /* (i+1)-th and i-th smallest */
    *qlo = q7_value(pl, x0, x1);
    x1 = rank_pair(ch, nh, mh, 1, vhi, heap, &x0);   /* i-th and (i+1)-th smallest */
    *qhi = q7_value(ph, x1, x0);
}

#endif

#if BOOT_HAVE_AVX512
/* Whether the CPU has what boot_avx512 and boot_avx2 use: asked once, not
 * per row. */
static int boot_has_avx512, boot_has_avx2;
static pthread_once_t boot_cpu_once = PTHREAD_ONCE_INIT;

static void boot_cpu_check(void)
{
    __builtin_cpu_init();
    boot_has_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl");
    boot_has_avx2 = __builtin_cpu_supports("avx2");
}
#endif

int cls_boot_path(int want)
{
    if (want == CLS_BOOT_SCALAR)
        return CLS_BOOT_SCALAR;
#if BOOT_HAVE_AVX512
    pthread_once(&boot_cpu_once, boot_cpu_check);
    if (boot_has_avx512 && want != CLS_BOOT_AVX2)
        return CLS_BOOT_AVX512;
    if (boot_has_avx2 && want != CLS_BOOT_AVX512)
        return CLS_BOOT_AVX2;
#endif
    return CLS_BOOT_SCALAR;
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
        grow((void **)&w->cnt, &w->capcnt, B, sizeof *w->cnt) ||
        grow((void **)&w->heap, &w->capheap, 2 * (size_t)B + 16, sizeof *w->heap))
        return IG_ENOMEM;
    boot_row r;
    memset(&r, 0, sizeof r);
    r.B = B;
    r.S = S;
    r.m = m;
    r.all = m == S;
    r.reject = (uint32_t)(0u - m) % m;
    r.k = o->smoothing;
    r.sml = sml;
    r.sms = sms;
    /* Binomial(S, m/S): how many of the S draws land on a cue sentence. */
    if (!r.all) {
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
        /* The thresholds C[k] = floor(2^53 F(k)), F the distribution
         * function cdf / cdf[S], and a guide of at least S + 1 buckets
         * (the walk only matters where T is likely, where one step of
         * T's probability spans several buckets). */
        if (grow((void **)&w->C, &w->capC, (size_t)S + 1, sizeof *w->C))
            return IG_ENOMEM;
        double tot = w->cdf[S];
        for (uint32_t k = 0; k < S; k++)
            w->C[k] = (uint64_t)(w->cdf[k] / tot * 0x1.0p53);
        w->C[S] = (uint64_t)1 << 53;
        int bits = 1;
        while (((size_t)1 << bits) < (size_t)S + 1)
            bits++;
        size_t G = (size_t)1 << bits;
        r.shift = 53 - bits;
        if (grow((void **)&w->guide, &w->capguide, G, sizeof *w->guide))
            return IG_ENOMEM;
        /* guide[j] = k for the buckets whose first U lies in
         * [C[k - 1], C[k]): j from ceil(C[k - 1] / 2^shift) on. */
        size_t j = 0;
        uint64_t round = ((uint64_t)1 << r.shift) - 1;
        for (uint32_t k = 0; k <= S; k++) {
            size_t end = (size_t)((w->C[k] + round) >> r.shift);
            while (j < end)
                w->guide[j++] = k;
        }
        r.C = w->C;
        r.guide = w->guide;
    }
    r.q = exact_units(sml, sms, m, S);
    if (r.q >= 0) {
        if (grow((void **)&w->pk, &w->cappk, m, sizeof *w->pk))
            return IG_ENOMEM;
        double sc = ldexp(1.0, r.q);
        for (uint32_t i = 0; i < m; i++)
            w->pk[i] = (uint64_t)(sml[i] * sc) << 32 | (uint64_t)(sms[i] * sc);
        r.pk = w->pk;
        r.unit = ldexp(1.0, -r.q);
        uint64_t mx = 0;
        for (uint32_t i = 0; i < m; i++)
            mx |= w->pk[i];
        /* mx bounds both halves' weights from above (their OR). */
        uint64_t lim = ((mx >> 32) > (mx & 0xffffffffu) ? mx >> 32 : mx & 0xffffffffu);
        if (lim * (((uint64_t)S + 1) / 2) < 65536) {
            if (grow((void **)&w->pk32, &w->cappk32, m, sizeof *w->pk32))
                return IG_ENOMEM;
            for (uint32_t i = 0; i < m; i++)
                w->pk32[i] = (uint32_t)((w->pk[i] >> 32) << 16 | (w->pk[i] & 0xffffu));
            r.pk32 = w->pk32;
        }
    }
    rng lanes[BOOT_LANES];
    lanes_seed(lanes, o->seed, id, section);
#if BOOT_HAVE_AVX512
    int path = cls_boot_path(o->boot_path);
    if (path == CLS_BOOT_AVX512) {
        if (boot_avx512(lanes, &r, w) != IG_OK)
            return IG_ENOMEM;
        v_quantiles(w->rep, B, lo, hi, w->heap);
        return IG_OK;
    }
    if (path == CLS_BOOT_AVX2) {
        if (boot_avx2(lanes, &r, w) != IG_OK)
            return IG_ENOMEM;
        w_quantiles(w->rep, B, lo, hi, w->heap);
        return IG_OK;
    }
#endif
    boot_scalar(lanes, &r, w->cnt, w->rep);
    quantiles(w->rep, B, lo, hi, w->heap);
    return IG_OK;
}

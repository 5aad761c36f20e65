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
 * The replicates are spread over CLS_BOOT_LANES independent generator lanes
 * (replicate b on lane b mod CLS_BOOT_LANES, each lane's replicates drawn one
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

#include "alloc.h"
#include "classify.h"
#include "classify_int.h"

#if CLS_BOOT_X86
#define BOOT_HAVE_AVX512 1
#define BOOT_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))
#else
#define BOOT_HAVE_AVX512 0
#endif

/* ---- the generator (xoshiro256++, seeded with splitmix64) ----------------- */

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

uint64_t cls_rng_next(cls_rng *g)
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

/* The lanes of one row: 4 x CLS_BOOT_LANES consecutive splitmix64 outputs from
 * a start that mixes the seed, the id's hash and the section. */
static void lanes_seed(cls_rng *g, uint64_t seed, const char *id, uint32_t section)
{
    uint64_t x = seed ^ rotl64(fnv1a64(id), 17) ^ ((uint64_t)section * 0xd1342543de82ef95ull);
    for (int l = 0; l < CLS_BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            g[l].s[i] = splitmix64(&x);
}

/* Grow *p (*cap elements of size sz) to hold n. */
int cls_boot_grow(void **p, size_t *cap, size_t n, size_t sz)
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
void cls_heap_select(const double *c, size_t cn, size_t m, int largest, double *h,
                     double *x_m, double *x_m1)
{
    if (cn - m + 2 < m) {
        cls_heap_select(c, cn, cn - m + 2, !largest, h, x_m1, x_m);
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

/* The 2.5% and 97.5% quantiles (R type 7) of a[0..n), n >= 1, in one pass:
 * the smallest i_lo + 2 values in one heap and the largest n - i_hi in the
 * other (26 each for 1000 replicates).  h is scratch of n + 4. */
void cls_quantiles(const double *a, size_t n, double *qlo, double *qhi, double *h)
{
    cls_qpos pl = cls_qpos_of(n, 0.025), ph = cls_qpos_of(n, 0.975);
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
        *qlo = cls_q7_value(pl, h[pl.i], pl.i + 1 < n ? h[pl.i + 1] : h[pl.i]);
        *qhi = cls_q7_value(ph, h[ph.i], ph.i + 1 < n ? h[ph.i + 1] : h[ph.i]);
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
    *qlo = cls_q7_value(pl, l0, l1);
    *qhi = cls_q7_value(ph, h1, h0);
}

/* The m-th and (m-1)-th smallest (largest = 0) or largest (1) of the
 * values, m >= 2, given t, a value with at least m values at or beyond
 * it, and c[0..cn), those strictly beyond it: a rank below cn lies in c,
 * any other is t.  Returns the m-th, the (m-1)-th in *x_m1; h is heap
 * scratch of m. */
double cls_rank_pair(const double *c, size_t cn, size_t m, int largest, double t, double *h,
                     double *x_m1)
{
    double x_m = t;
    *x_m1 = t;
    if (cn >= m) {
        cls_heap_select(c, cn, m, largest, h, &x_m, x_m1);
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
uint32_t cls_binom_pick(const uint64_t *C, const uint32_t *guide, int shift, uint64_t U)
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

/* The sentence index of one 32-bit value v, given mm = v * m: Lemire's
 * bounded draw, a rejected value replaced by the high half of the lane's
 * next output (again while rejected). */
static uint32_t lane_index(cls_rng *g, const cls_boot_row *r, uint64_t mm)
{
    while ((uint32_t)mm < r->reject)
        mm = (cls_rng_next(g) >> 32) * r->m;
    return (uint32_t)(mm >> 32);
}

/* The plain path, which defines the draws: each lane in turn, with its
 * replicates b = l, l + CLS_BOOT_LANES, ... < B.  First the count T of every
 * one of them, in that order, from one output each (its top 53 bits to
 * cls_binom_pick; T = S when m = S, no output); then, replicate after
 * replicate, its T sentence draws: ceil(T / 2) outputs, each giving two
 * from its high and then its low 32 bits (the low half of the last is
 * unused when T is odd).  cnt is scratch of B. */
void cls_boot_scalar(const cls_rng *lanes, const cls_boot_row *r, uint32_t *cnt, double *rep)
{
    for (uint32_t l = 0; l < CLS_BOOT_LANES; l++) {
        cls_rng g = lanes[l];
        for (uint32_t b = l; b < r->B; b += CLS_BOOT_LANES) {
            cnt[b] = r->S;
            if (!r->all)
                cnt[b] = cls_binom_pick(r->C, r->guide, r->shift, cls_rng_next(&g) >> 11);
        }
        for (uint32_t b = l; b < r->B; b += CLS_BOOT_LANES) {
            uint32_t T = cnt[b];
            double ml = 0, ms = 0;
            if (r->q >= 0) {
                uint64_t acc = 0;
                for (uint32_t t = 0; t < T; t += 2) {
                    uint64_t x = cls_rng_next(&g);
                    acc += r->pk[lane_index(&g, r, (x >> 32) * r->m)];
                    if (t + 1 < T)
                        acc += r->pk[lane_index(&g, r, (x & 0xffffffffu) * r->m)];
                }
                ml = (double)(acc >> 32) * r->unit;
                ms = (double)(acc & 0xffffffffu) * r->unit;
            } else {
                for (uint32_t t = 0; t < T; t += 2) {
                    uint64_t x = cls_rng_next(&g);
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

/* The mask of the first n lanes (all for n >= 8). */
static inline __mmask8 v_first(size_t n)
{
    return (__mmask8)(n >= CLS_BOOT_LANES ? 0xffu : (1u << n) - 1);
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
    /* cls_rng_next: c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 45). */
    *s0 = _mm512_mask_ternarylogic_epi64(a, k, d, b, 0x96); /* a ^ d ^ b */
    *s1 = _mm512_mask_ternarylogic_epi64(b, k, c, a, 0x96); /* b ^ c ^ a */
    *s2 = _mm512_mask_ternarylogic_epi64(c, k, a, t, 0x96); /* c ^ a ^ t */
    *s3 = _mm512_mask_rol_epi64(d, k, d1, 45);
    return r;
}

/* cls_binom_pick in every lane of k (the others give 0) for U the top 53
 * bits of x: the same start and the same walk, lane by lane.  The first
 * step is taken whatever the lanes need, so the branch is rarely taken. */
BOOT_AVX512 static __m512i v_pick(const cls_boot_row *r, __m512i x, __mmask8 k)
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

/* cls_binom_pick for S < 32 in every lane of k (the others give 0): T, the
 * first k with U < C[k], is the number of k < S with C[k] <= U (C rises
 * and C[S] exceeds every U), counted without table look-ups. */
BOOT_AVX512 static __m512i v_pick_small(const cls_boot_row *r, __m512i x, __mmask8 k)
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
BOOT_AVX512 __attribute__((noinline)) static void v_redraw(const cls_boot_row *r, __m512i *v,
                                                           __mmask8 kh, __mmask8 kl)
{
    uint64_t st[4][CLS_BOOT_LANES], h[CLS_BOOT_LANES], w[CLS_BOOT_LANES];
    for (int i = 0; i < 4; i++)
        _mm512_storeu_si512(st[i], v[i]);
    _mm512_storeu_si512(h, v[4]);
    _mm512_storeu_si512(w, v[5]);
    for (int l = 0; l < CLS_BOOT_LANES; l++) {
        cls_rng g = { { st[0][l], st[1][l], st[2][l], st[3][l] } };
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

/* How v_stream sums a drawn sentence's weights, packed (cls_boot_row.pk32):
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
    for (uint32_t l = 0; l < CLS_BOOT_LANES; l++) {
        uint64_t end = 0;
        for (uint32_t b = l; b < B; b += CLS_BOOT_LANES) {
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
v_step(const cls_boot_row *r, __m512i mv, __m512i rejv, __m512i *s0, __m512i *s1, __m512i *s2,
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
BOOT_AVX512 static inline void v_score(const cls_boot_row *r, __m512d ml, __m512d ms,
                                       double *out, __mmask8 kb)
{
    __m512d den = _mm512_add_pd(_mm512_add_pd(ms, ml), _mm512_set1_pd(r->k));
    __mmask8 pos = _mm512_cmp_pd_mask(den, _mm512_setzero_pd(), _CMP_GT_OQ);
    _mm512_mask_storeu_pd(out, kb, _mm512_maskz_div_pd(pos, _mm512_sub_pd(ms, ml), den));
}

/* The sentence draws of every replicate and its score, eight replicates
 * (one per lane) at a time, each lane stepping while it has draws left (a
 * finished lane's generator waits), so every lane consumes its outputs in
 * cls_boot_scalar's order.  s holds the lanes' state; cnt the counts unless
 * r->all. */
BOOT_AVX512 static inline __attribute__((always_inline)) void
v_groups(const cls_boot_row *r, __m512i *s, const uint32_t *cnt, double *rep, int how)
{
    __m512i s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1);
    const __m512i two = _mm512_set1_epi64(2), low = _mm512_set1_epi64(0xffffffff);
    const __m512d zd = _mm512_setzero_pd(), unit = _mm512_set1_pd(r->unit);
    const __m512i mv = _mm512_set1_epi64(r->m), rejv = _mm512_set1_epi32((int)r->reject);
    for (uint32_t b0 = 0; b0 < r->B; b0 += CLS_BOOT_LANES) {
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

/* v_stream's outputs and running sums, from the lanes' state s: checked,
 * with the rejection check (and redraws) at every step; else with it
 * deferred, returning whether a low half anywhere fell below the
 * threshold (then the pass must be made checked). */
BOOT_AVX512 static inline __attribute__((always_inline)) int
v_stream_pass(const cls_boot_row *r, __m512i mv, __m512i rejv, const __m512i *s,
              const uint32_t *cnt, uint64_t n, uint32_t *buf, const __m512i *tab, int how,
              int checked)
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
 * another across all its replicates (exactly its order in cls_boot_scalar:
 * the replicates' draws follow each other in the lane's stream), every
 * lane stepping n times (a lane past its last draw makes outputs nobody
 * reads), with no per-replicate masks and no lane idle while another
 * finishes a long replicate.  buf row o + 1 holds the running sums, mod
 * 2^32, of the packed weights of each lane's first o + 1 outputs (high
 * draw in 32-bit lane 2 l, low draw in 2 l + 1); row 0 is zero.  A
 * replicate's sum is the difference of two rows, exact since it stays
 * below 2^16 in each half (cls_boot_row.pk32), less the low draw of its last
 * output when T is odd (taken from the row before).  cnt holds every
 * replicate's T. */
BOOT_AVX512 static inline __attribute__((always_inline)) void
v_stream(const cls_boot_row *r, __m512i *s, const uint32_t *cnt, uint64_t n, uint32_t *buf,
         int how, double *rep)
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
    for (uint32_t b0 = 0; b0 < r->B; b0 += CLS_BOOT_LANES) {
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
        cls_stream_sums(H, L, Lu, &Hp, &Lp, &ML, &MS);
        v_score(r, _mm512_mul_pd(_mm512_cvtepu32_pd(ML), unit),
                _mm512_mul_pd(_mm512_cvtepu32_pd(MS), unit), rep + b0, kb);
    }
}

/* cls_boot_scalar's lanes, eight at once: the counts, then the draws. */
BOOT_AVX512 static int boot_avx512(const cls_rng *lanes, const cls_boot_row *r, cls_boot *w)
{
    uint32_t *cnt = w->cnt;
    double *rep = w->rep;
    uint64_t st[4][CLS_BOOT_LANES];
    for (int l = 0; l < CLS_BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            st[i][l] = lanes[l].s[i];
    __m512i s[4];
    for (int i = 0; i < 4; i++)
        s[i] = _mm512_loadu_si512(st[i]);
    /* The counts, eight at a time: independent of one another, so the
     * look-ups of one group overlap the next. */
    if (!r->all) {
        __m512i s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        for (uint32_t b0 = 0; b0 < r->B; b0 += CLS_BOOT_LANES) {
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
        for (uint32_t b0 = 0; b0 < r->B; b0 += CLS_BOOT_LANES) {
            __mmask8 kb = v_first(r->B - b0);
            __m512i T = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(kb, cnt + b0));
            N = _mm512_add_epi64(N, _mm512_srli_epi64(_mm512_add_epi64(T, one), 1));
        }
        uint64_t n = _mm512_reduce_max_epu64(N);
        if (n < CLS_BOOT_STREAM_ROWS) {
            if (cls_boot_grow((void **)&w->sbuf, &w->capsbuf, 16 * (size_t)(n + 1),
                              sizeof *w->sbuf))
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

/* cls_heap_select for cn <= 32 values, without branches on the data: for
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

/* cls_rank_pair, with v_select for up to 32 values beyond t. */
BOOT_AVX512 static double v_rank_pair(const double *c, size_t cn, size_t m, int largest,
                                      double t, double *h, double *x_m1)
{
    if (cn >= m && cn <= 4 * CLS_BOOT_LANES) {
        double x_m;
        v_select(c, cn, m, largest, &x_m, x_m1);
        return x_m;
    }
    return cls_rank_pair(c, cn, m, largest, t, h, x_m1);
}

/* Four registers into o[0..32). */
BOOT_AVX512 static inline void v_store4(double *o, __m512d a, __m512d b, __m512d c, __m512d d)
{
    _mm512_storeu_pd(o, a);
    _mm512_storeu_pd(o + 8, b);
    _mm512_storeu_pd(o + 16, c);
    _mm512_storeu_pd(o + 24, d);
}

/* cls_quantiles(), the same values found another way: each lane keeps the
 * four smallest and four largest values it sees (a[j] in lane j mod 8).
 * When those 32 cover the heaps (i_lo + 2 and n - i_hi values: up to about
 * 1300 replicates), tlo, the (i_lo + 2)-th smallest of the 32 smallest
 * kept, has at least i_lo + 2 values at or below it: the order statistics
 * sought are tlo or among the values below it, gathered with compress and
 * selected (v_rank_pair; the same for thi and the largest).  Falls back to
 * cls_quantiles() for few replicates, many, or a NaN.  h is scratch of
 * 2 n + 16. */
BOOT_AVX512 static void v_quantiles(const double *a, size_t n, double *qlo, double *qhi,
                                    double *h)
{
    cls_qpos pl = cls_qpos_of(n, 0.025), ph = cls_qpos_of(n, 0.975);
    size_t ml = pl.i + 2, mh = n - ph.i;
    if (n < 16 * CLS_BOOT_LANES || ml > 4 * CLS_BOOT_LANES || mh > 4 * CLS_BOOT_LANES || mh < 2) {
        cls_quantiles(a, n, qlo, qhi, h);
        return;
    }
    const __m512d pinf = _mm512_set1_pd(INFINITY), ninf = _mm512_set1_pd(-INFINITY);
    __m512d l0 = pinf, l1 = pinf, l2 = pinf, l3 = pinf;
    __m512d h0 = ninf, h1 = ninf, h2 = ninf, h3 = ninf;
    __mmask8 nan = 0;
    size_t i;
    for (i = 0; i < n; i += CLS_BOOT_LANES) {
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
        cls_quantiles(a, n, qlo, qhi, h);
        return;
    }
    double kept[4 * CLS_BOOT_LANES], heap[4 * CLS_BOOT_LANES], x1, x0;
    v_store4(kept, l0, l1, l2, l3);
    v_select(kept, 4 * CLS_BOOT_LANES, ml, 0, &x1, &x0);
    double vlo = x1;
    __m512d tlo = _mm512_set1_pd(vlo);
    v_store4(kept, h0, h1, h2, h3);
    v_select(kept, 4 * CLS_BOOT_LANES, mh, 1, &x1, &x0);
    double vhi = x1;
    __m512d thi = _mm512_set1_pd(vhi);
    /* Only the values strictly beyond tlo (thi) are gathered: ties with
     * it, many when the row has few cue sentences and the replicates few
     * distinct scores, need no selection. */
    double *cl = h, *ch = h + n + CLS_BOOT_LANES;
    size_t nl = 0, nh = 0;
    for (i = 0; i < n; i += CLS_BOOT_LANES) {
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
    *qlo = cls_q7_value(pl, x0, x1);
    x1 = v_rank_pair(ch, nh, mh, 1, vhi, heap, &x0);   /* i-th and (i+1)-th smallest */
    *qhi = cls_q7_value(ph, x1, x0);
}

#endif

#if BOOT_HAVE_AVX512
/* Whether the CPU has what boot_avx512 and cls_boot_avx2 use: asked once, not
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
    if (cls_boot_grow((void **)&w->rep, &w->caprep, B, sizeof *w->rep) ||
        cls_boot_grow((void **)&w->cnt, &w->capcnt, B, sizeof *w->cnt) ||
        cls_boot_grow((void **)&w->heap, &w->capheap, 2 * (size_t)B + 16, sizeof *w->heap))
        return IG_ENOMEM;
    cls_boot_row r;
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
        if (cls_boot_grow((void **)&w->cdf, &w->capcdf, (size_t)S + 1, sizeof *w->cdf))
            return IG_ENOMEM;
        /* log(k) for k <= S, kept across rows: the same values as calling
         * log each time, computed once. */
        if (w->nlogk <= S) {
            if (cls_boot_grow((void **)&w->logk, &w->caplogk, (size_t)S + 1, sizeof *w->logk))
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
        if (cls_boot_grow((void **)&w->C, &w->capC, (size_t)S + 1, sizeof *w->C))
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
        if (cls_boot_grow((void **)&w->guide, &w->capguide, G, sizeof *w->guide))
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
        if (cls_boot_grow((void **)&w->pk, &w->cappk, m, sizeof *w->pk))
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
            if (cls_boot_grow((void **)&w->pk32, &w->cappk32, m, sizeof *w->pk32))
                return IG_ENOMEM;
            for (uint32_t i = 0; i < m; i++)
                w->pk32[i] = (uint32_t)((w->pk[i] >> 32) << 16 | (w->pk[i] & 0xffffu));
            r.pk32 = w->pk32;
        }
    }
    cls_rng lanes[CLS_BOOT_LANES];
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
        if (cls_boot_avx2(lanes, &r, w) != IG_OK)
            return IG_ENOMEM;
        cls_quantiles_avx2(w->rep, B, lo, hi, w->heap);
        return IG_OK;
    }
#endif
    cls_boot_scalar(lanes, &r, w->cnt, w->rep);
    cls_quantiles(w->rep, B, lo, hi, w->heap);
    return IG_OK;
}

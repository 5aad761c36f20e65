/*
 * classify_boot_avx2.c: the bootstrap's draw path for x86 CPUs with AVX2
 * but no AVX-512 (AMD Zen 2 and 3, Intel client CPUs since Alder Lake):
 * the eight generator lanes of classify.h "Interval" in AVX2 registers,
 * giving the plain path's bits (classify_boot.c states the lanes and
 * defines the plain and AVX-512 paths; classify_int.h holds what they
 * share).
 *
 * Pipeline place: cls_bootstrap (classify_boot.c) calls cls_boot_avx2 and
 * cls_quantiles_avx2 for every positions row when cls_boot_path chooses
 * this path, from the worker thread that scores the document.  Only
 * integer operations and the score's correctly rounded IEEE operations,
 * in the plain path's order, so the bits are the same
 * (tests/unit/test_classify.c compares every replicate).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "classify.h"
#include "classify_int.h"

#if CLS_BOOT_X86

/* AVX2 has four 64-bit lanes a register: the eight generator lanes are two
 * halves, lanes 0-3 and 4-7, each a state of four registers.  Its draws
 * take the packed stream of v_stream (the shipped lexicons' rows); a row
 * that v_stream would not take, or with a rejected draw anywhere in its
 * stream (rare), is drawn by cls_boot_scalar: the same bits either way. */
typedef struct w_lanes {
    __m256i s[2][4];       /* [half][state word] */
} w_lanes;

CLS_TARGET_AVX2 static inline void w_load(w_lanes *v, const cls_rng *lanes)
{
    uint64_t st[4][CLS_BOOT_LANES];
    for (int l = 0; l < CLS_BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            st[i][l] = lanes[l].s[i];
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++)
            v->s[h][i] = _mm256_loadu_si256((const __m256i *)(st[i] + 4 * h));
}

CLS_TARGET_AVX2 static inline void w_save(const w_lanes *v, cls_rng *lanes)
{
    uint64_t st[4][CLS_BOOT_LANES];
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++)
            _mm256_storeu_si256((__m256i *)(st[i] + 4 * h), v->s[h][i]);
    for (int l = 0; l < CLS_BOOT_LANES; l++)
        for (int i = 0; i < 4; i++)
            lanes[l].s[i] = st[i][l];
}

/* cls_rng_next in four lanes (no 64-bit rotate in AVX2: two shifts and an or). */
CLS_TARGET_AVX2 static inline __m256i w_next(__m256i *s)
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

/* cls_binom_pick in four lanes for U the top 53 bits of x: the same start
 * and walk.  U and C stay below 2^63, so the signed compare is exact. */
CLS_TARGET_AVX2 static inline __m256i w_pick(const cls_boot_row *r, __m256i x)
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

/* cls_binom_pick for S < 32 without look-ups (v_pick_small), in eight lanes:
 * t[h] for the outputs x[h] of both halves, S less the number of k < S
 * with C[k] > U (each C[k] read once for the eight). */
CLS_TARGET_AVX2 static inline void w_pick_small(const cls_boot_row *r, const __m256i *x, __m256i *t)
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

/* The counts of cls_boot_scalar into cnt: eight replicates a step; the last
 * B mod 8, whose lanes must not all advance, one lane at a time. */
CLS_TARGET_AVX2 static void w_counts(const cls_boot_row *r, w_lanes *v, uint32_t *cnt)
{
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    uint32_t full = r->B - r->B % CLS_BOOT_LANES;
    for (uint32_t b0 = 0; b0 < full; b0 += CLS_BOOT_LANES) {
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
        cls_rng g[CLS_BOOT_LANES];
        w_save(v, g);
        for (uint32_t l = 0; full + l < r->B; l++)
            cnt[full + l] = cls_binom_pick(r->C, r->guide, r->shift, cls_rng_next(&g[l]) >> 11);
        w_load(v, g);
    }
}

/* The first n of the eight lanes of a group of replicates b0.. < B (all
 * for n >= 8), as a mask of 32-bit lanes. */
CLS_TARGET_AVX2 static inline __m256i w_first(uint32_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < CLS_BOOT_LANES ? n : CLS_BOOT_LANES)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The most outputs a lane takes for the draws: its replicates' ceil(T / 2)
 * summed (in 64 bits: a lane's sum may pass 2^32). */
CLS_TARGET_AVX2 static uint64_t w_outputs(const cls_boot_row *r, const uint32_t *cnt)
{
    const __m256i one = _mm256_set1_epi64x(1);
    __m256i N0 = _mm256_setzero_si256(), N1 = N0;
    for (uint32_t b0 = 0; b0 < r->B; b0 += CLS_BOOT_LANES) {
        __m256i T = _mm256_maskload_epi32((const int *)(cnt + b0), w_first(r->B - b0));
        __m256i T0 = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(T));
        __m256i T1 = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(T, 1));
        N0 = _mm256_add_epi64(N0, _mm256_srli_epi64(_mm256_add_epi64(T0, one), 1));
        N1 = _mm256_add_epi64(N1, _mm256_srli_epi64(_mm256_add_epi64(T1, one), 1));
    }
    uint64_t e[CLS_BOOT_LANES], n = 0;
    _mm256_storeu_si256((__m256i *)e, N0);
    _mm256_storeu_si256((__m256i *)(e + 4), N1);
    for (int l = 0; l < CLS_BOOT_LANES; l++)
        n = e[l] > n ? e[l] : n;
    return n;
}

/* How w_stream looks up a drawn sentence's packed weights: from tables of
 * up to 8, 16 or 32 entries in registers, or gathered. */
enum { W_P8 = 0, W_P16 = 1, W_P32 = 2, W_PGATHER = 3 };

/* tab[t][i] = pk32[8 t + i], i below m <= 32: permutes chosen by the
 * index's bits 3 and 4. */
CLS_TARGET_AVX2 static inline __attribute__((always_inline)) __m256i
w_tab(const __m256i *tab, __m256i i, int how)
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
CLS_TARGET_AVX2 static inline __attribute__((always_inline)) __m256i
w_index(__m256i *s, __m256i mv, __m256i *lows)
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
CLS_TARGET_AVX2 static inline __attribute__((always_inline)) int
w_stream(const cls_boot_row *r, const w_lanes *v, uint64_t n, uint32_t *buf, int how)
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
CLS_TARGET_AVX2 static inline __m256d w_score(__m256d ml, __m256d ms, __m256d k)
{
    __m256d den = _mm256_add_pd(_mm256_add_pd(ms, ml), k);
    __m256d pos = _mm256_cmp_pd(den, _mm256_setzero_pd(), _CMP_GT_OQ);
    return _mm256_and_pd(pos, _mm256_div_pd(_mm256_sub_pd(ms, ml), den));
}

/* The replicates' scores from w_stream's running sums, eight at a time, as
 * v_stream reads them: E, each lane's outputs so far, in 32-bit lanes. */
CLS_TARGET_AVX2 static void w_sums(const cls_boot_row *r, const uint32_t *cnt,
                                   const uint32_t *buf, double *rep)
{
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i lane = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m256d unit = _mm256_set1_pd(r->unit), k = _mm256_set1_pd(r->k);
    const int *b32 = (const int *)buf;
    __m256i E = _mm256_setzero_si256(), Hp = E, Lp = E;
    for (uint32_t b0 = 0; b0 < r->B; b0 += CLS_BOOT_LANES) {
        __m256i kb = w_first(r->B - b0);
        __m256i T = _mm256_maskload_epi32((const int *)(cnt + b0), kb);
        E = _mm256_add_epi32(E, _mm256_srli_epi32(_mm256_add_epi32(T, one), 1));
        __m256i ix = _mm256_add_epi32(_mm256_slli_epi32(E, 4), lane);
        __m256i H = _mm256_i32gather_epi32(b32, ix, 4);
        __m256i L = _mm256_i32gather_epi32(b32, _mm256_add_epi32(ix, one), 4);
        __m256i odd = _mm256_cmpeq_epi32(_mm256_and_si256(T, one), one);
        __m256i prev = _mm256_sub_epi32(ix, _mm256_set1_epi32(15));
        __m256i Lu = _mm256_mask_i32gather_epi32(L, b32, prev, odd, 4);
        __m256i ML, MS;
        cls_stream_sums(H, L, Lu, &Hp, &Lp, &ML, &MS);
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

/* cls_boot_scalar's lanes in AVX2 registers: the counts, then, when the row's
 * weights pack in 16 bits and its stream is not too long, the packed
 * stream; any other row, and one with a rejected draw, by cls_boot_scalar. */
CLS_TARGET_AVX2 int cls_boot_avx2(const cls_rng *lanes, const cls_boot_row *r, cls_boot *w)
{
    uint32_t *cnt = w->cnt;
    w_lanes v;
    w_load(&v, lanes);
    if (r->pk32 == NULL) {
        cls_boot_scalar(lanes, r, cnt, w->rep);
        return IG_OK;
    }
    if (r->all)
        for (uint32_t b = 0; b < r->B; b++)
            cnt[b] = r->S;
    else
        w_counts(r, &v, cnt);
    uint64_t n = w_outputs(r, cnt);
    int ok = 0;
    if (n < CLS_BOOT_STREAM_ROWS) {
        if (cls_boot_grow((void **)&w->sbuf, &w->capsbuf, 16 * (size_t)(n + 1), sizeof *w->sbuf))
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
        cls_boot_scalar(lanes, r, cnt, w->rep);
    return IG_OK;
}

/* w_keep: the four smallest (largest = 0) or largest values each of the
 * eight lanes sees (a[j] in lane j mod 8) into kept[0..32); returns
 * whether a value is a NaN. */
CLS_TARGET_AVX2 static inline __attribute__((always_inline)) int
w_keep(const double *a, size_t n, int largest, double *kept)
{
    const double fill = largest ? -INFINITY : INFINITY;
    __m256d k[4][2], bad = _mm256_setzero_pd();
    for (int t = 0; t < 4; t++)
        k[t][0] = k[t][1] = _mm256_set1_pd(fill);
    double tail[CLS_BOOT_LANES];
    for (size_t i = 0; i < n; i += CLS_BOOT_LANES) {
        const double *p = a + i;
        if (n - i < CLS_BOOT_LANES) {
            for (size_t j = 0; j < CLS_BOOT_LANES; j++)
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
CLS_TARGET_AVX2 void cls_quantiles_avx2(const double *a, size_t n, double *qlo, double *qhi,
                                        double *h)
{
    cls_qpos pl = cls_qpos_of(n, 0.025), ph = cls_qpos_of(n, 0.975);
    size_t ml = pl.i + 2, mh = n - ph.i;
    double kept[4 * CLS_BOOT_LANES], heap[4 * CLS_BOOT_LANES], vlo, vhi, x1, x0;
    if (n < 16 * CLS_BOOT_LANES || ml > 4 * CLS_BOOT_LANES || mh > 4 * CLS_BOOT_LANES || mh < 2 ||
        w_keep(a, n, 0, kept)) {
        cls_quantiles(a, n, qlo, qhi, h);
        return;
    }
    cls_heap_select(kept, 4 * CLS_BOOT_LANES, ml, 0, heap, &vlo, &x0);
    w_keep(a, n, 1, kept);
    cls_heap_select(kept, 4 * CLS_BOOT_LANES, mh, 1, heap, &vhi, &x0);
    /* The values strictly beyond vlo (vhi): few, so gathered one by one
     * from the groups of four that hold one. */
    double *cl = h, *ch = h + n + CLS_BOOT_LANES;
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
    x1 = cls_rank_pair(cl, nl, ml, 0, vlo, heap, &x0);   /* (i+1)-th and i-th smallest */
    *qlo = cls_q7_value(pl, x0, x1);
    x1 = cls_rank_pair(ch, nh, mh, 1, vhi, heap, &x0);   /* i-th and (i+1)-th smallest */
    *qhi = cls_q7_value(ph, x1, x0);
}

#endif


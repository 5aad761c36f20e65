/*
 * index_layout.c: decoding the per-document layouts of the index (byte
 * range, sentence, paragraph and section of every position; the format is
 * at the top of index.c, "docdata"), for idx_layout_get and
 * idx_layout_sentences there, which find a layout's bytes, check its CRC
 * and locate any error.  Private to the index module (index_fmt.h).
 *
 * Why it is not a plain loop: classify decodes every layout of the corpus
 * (155 million positions on the 1 GB bench index), so ordinary prose takes
 * a path of its own, sixteen one-byte entries at a time, and run lists are
 * filled eight entries a step into arrays with room to spare.
 */
#include "index_fmt.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "alloc.h"
#include "err.h"

/* Entries past cap in the sentence, paragraph and section arrays, for
 * fill_run's last step. */
#define LAY_PAD 8

static int grow_all(idx_layout *l, uint32_t n)
{
    if (n <= l->cap && l->start != NULL)
        return IG_OK;
    size_t c = n ? n : 1;
    uint64_t *s = ig_reallocarray(l->start, c, sizeof *s);
    if (s) l->start = s;
    uint64_t *en = ig_reallocarray(l->end, c, sizeof *en);
    if (en) l->end = en;
    uint32_t *se = ig_reallocarray(l->sentence, c + LAY_PAD, sizeof *se);
    if (se) l->sentence = se;
    uint32_t *pa = ig_reallocarray(l->paragraph, c + LAY_PAD, sizeof *pa);
    if (pa) l->paragraph = pa;
    uint32_t *sc = ig_reallocarray(l->section, c + LAY_PAD, sizeof *sc);
    if (sc) l->section = sc;
    if (!s || !en || !se || !pa || !sc) {
        /* The arrays now differ in size (some grown, or shrunk from a
         * sentence array alone, some not): start over next time. */
        idx_layout_free(l);
        return IG_ENOMEM;
    }
    l->cap = (uint32_t)c;
    return IG_OK;
}

/* a[from..to) = v, for a run list: eight entries a step, the last step
 * running up to seven entries past to, into the next run (which starts at
 * to and writes over them) or, after the last run, into the array's
 * padding (LAY_PAD).  A loop of single stores took a third of the
 * layout's decoding. */
static inline void fill_run(uint32_t *a, uint64_t from, uint64_t to, uint32_t v)
{
#if defined(__SSE2__)
    __m128i x = _mm_set1_epi32((int)v);
    for (uint64_t i = from; i < to; i += 8) {
        _mm_storeu_si128((__m128i *)(void *)(a + i), x);
        _mm_storeu_si128((__m128i *)(void *)(a + i + 4), x);
    }
#else
    for (uint64_t i = from; i < to; i++)
        a[i] = v;
#endif
}

#if defined(__SSE2__)
/* Prefix sums of eight 16-bit lanes. */
static inline __m128i lay_scan8(__m128i x)
{
    x = _mm_add_epi16(x, _mm_slli_si128(x, 2));
    x = _mm_add_epi16(x, _mm_slli_si128(x, 4));
    return _mm_add_epi16(x, _mm_slli_si128(x, 8));
}

/* base + each of eight 16-bit lanes, as eight 64-bit values to dst. */
static inline void lay_put8(uint64_t *dst, uint64_t base, __m128i x)
{
    const __m128i z = _mm_setzero_si128(), b = _mm_set1_epi64x((long long)base);
    __m128i lo = _mm_unpacklo_epi16(x, z), hi = _mm_unpackhi_epi16(x, z);
    _mm_storeu_si128((__m128i *)(void *)dst, _mm_add_epi64(b, _mm_unpacklo_epi32(lo, z)));
    _mm_storeu_si128((__m128i *)(void *)(dst + 2), _mm_add_epi64(b, _mm_unpackhi_epi32(lo, z)));
    _mm_storeu_si128((__m128i *)(void *)(dst + 4), _mm_add_epi64(b, _mm_unpacklo_epi32(hi, z)));
    _mm_storeu_si128((__m128i *)(void *)(dst + 6), _mm_add_epi64(b, _mm_unpackhi_epi32(hi, z)));
}

/* Whether the sixteen entries at p are all of one byte (no byte with its
 * low six bits clear: that is the escape); *x gets them. */
static inline int lay_short16(const unsigned char *p, __m128i *x)
{
    *x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i wb = _mm_and_si128(*x, _mm_set1_epi8(63));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(wb, _mm_setzero_si128())) == 0;
}

/* Sixteen one-byte entries x (lay_short16), gap (1 to 4) in the top two
 * bits plus one, width (1 to 63) in the low six: start[k] = prev + the
 * gaps and widths before k + gap k, end[k] = start[k] + width k.  -1 when
 * the last end would pass the text's bytes (nothing stored then). */
static inline int lay_run16(uint64_t *start, uint64_t *end, uint64_t prev, __m128i x,
                            uint64_t bytes, uint64_t *last)
{
    const __m128i z = _mm_setzero_si128();
    __m128i wb = _mm_and_si128(x, _mm_set1_epi8(63));
    __m128i db = _mm_add_epi8(_mm_and_si128(_mm_srli_epi16(x, 6), _mm_set1_epi8(3)),
                              _mm_set1_epi8(1));
    __m128i step = _mm_add_epi8(db, wb); /* at most 4 + 63 */
    __m128i e0 = lay_scan8(_mm_unpacklo_epi8(step, z)), e1 = lay_scan8(_mm_unpackhi_epi8(step, z));
    unsigned half = (unsigned)_mm_extract_epi16(e0, 7);
    uint64_t total = half + (unsigned)_mm_extract_epi16(e1, 7);
    if (total > bytes - prev)
        return -1;
    __m128i s0 = _mm_sub_epi16(e0, _mm_unpacklo_epi8(wb, z));
    __m128i s1 = _mm_sub_epi16(e1, _mm_unpackhi_epi8(wb, z));
    lay_put8(start, prev, s0);
    lay_put8(start + 8, prev + half, s1);
    lay_put8(end, prev, e0);
    lay_put8(end + 8, prev + half, e1);
    *last = prev + total;
    return 0;
}
#endif

/* Grow the sentence array alone for n positions.  start stays NULL (so
 * that grow_all later grows every array) unless the layout is already full,
 * in which case all of them grow together: an array of a layout whose
 * start is set always has room for cap entries. */
static int grow_sentences(idx_layout *l, uint32_t n)
{
    if (l->start != NULL)
        return grow_all(l, n);
    if (n <= l->cap && l->sentence != NULL)
        return IG_OK;
    size_t c = n ? n : 1;
    uint32_t *se = ig_reallocarray(l->sentence, c + LAY_PAD, sizeof *se);
    if (se == NULL)
        return IG_ENOMEM;
    l->sentence = se;
    l->cap = (uint32_t)c;
    return IG_OK;
}

int idx_layout_grow(idx_layout *l, uint32_t n, int full)
{
    return full ? grow_all(l, n) : grow_sentences(l, n);
}

int idx_layout_decode(const unsigned char **pp, const unsigned char *end, uint32_t n,
                      uint64_t bytes, int full, idx_layout *l)
{
    const unsigned char *p = *pp;
    l->n = 0;
    uint64_t prev_end = 0, v, w;
    for (uint32_t i = 0; i < n; i++) {
#if defined(__SSE2__)
        /* Sixteen one-byte positions at once (ordinary prose: gaps of 1 to
         * 4 bytes, tokens under 64), with the checks of the loop below:
         * every step moves forward, so the last end within the text bounds
         * them all. */
        __m128i x;
        while (n - i >= 16 && end - p >= 16 && lay_short16(p, &x)) {
            /* Past the text: the loop below finds the entry, for the
             * error's offset. */
            if (full && lay_run16(l->start + i, l->end + i, prev_end, x, bytes, &prev_end) != 0)
                break;
            p += 16;
            i += 16;
        }
        if (i == n)
            break;
#endif
        if (p >= end)
            goto bad;
        unsigned b = *p++;
        int64_t d;
        if (b & 63) {
            d = (int64_t)(b >> 6) + 1;
            w = b & 63;
        } else {
            if (b != 0 || ig_varint_get(&p, end, &v) != 0 || ig_varint_get(&p, end, &w) != 0)
                goto bad;
            d = idx_unzz(v);
        }
        if (!full)
            continue; /* stepped over: the values are checked in full */
        if ((d < 0 && (uint64_t)-d > prev_end) || (d > 0 && (uint64_t)d > bytes - prev_end))
            goto bad;
        uint64_t s = prev_end + (uint64_t)d;
        if (w > bytes - s)
            goto bad;
        l->start[i] = s;
        l->end[i] = prev_end = s + w;
    }
    uint32_t *arr[3] = { l->sentence, full ? l->paragraph : NULL, full ? l->section : NULL };
    for (int k = 0; k < 3; k++) {
        uint64_t runs;
        if (ig_varint_get(&p, end, &runs) != 0 || runs > n || (runs == 0) != (n == 0))
            goto bad;
        uint64_t at = 0;
        int64_t val = 0;
        for (uint64_t j = 0; j < runs; j++) {
            uint64_t gap, dz;
            if (ig_varint_get(&p, end, &gap) != 0 || ig_varint_get(&p, end, &dz) != 0)
                goto bad;
            if ((j == 0) != (gap == 0) || gap >= (uint64_t)n - at)
                goto bad;
            /* The previous run ends where this one starts. */
            if (arr[k] != NULL)
                fill_run(arr[k], at, at + gap, (uint32_t)val);
            at += gap;
            int64_t dv = idx_unzz(dz);
            if ((dv < 0 && -dv > val) || (dv > 0 && dv > (int64_t)UINT32_MAX - val))
                goto bad;
            val += dv;
        }
        if (arr[k] != NULL)
            fill_run(arr[k], at, n, (uint32_t)val);
    }
    if (p != end)
        goto bad;
    l->n = n;
    *pp = p;
    return 0;
bad:
    *pp = p;
    return -1;
}

void idx_layout_free(idx_layout *l)
{
    if (l == NULL)
        return;
    ig_free(l->start);
    ig_free(l->end);
    ig_free(l->sentence);
    ig_free(l->paragraph);
    ig_free(l->section);
    memset(l, 0, sizeof *l);
}

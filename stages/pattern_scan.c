/*
 * pattern_scan.c: matching a resolved pattern by walking postings (see
 * pattern.h, the module's manual, and the scanning model at the top of
 * pattern.c); the parser and resolver are in pattern.c, the postings cache
 * the scans share in pattern_cache.c.
 */
#include "pattern.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pattern_int.h"

/* ======================================================================
 * Scanning
 * ====================================================================== */

enum { SN_FRESH, SN_ON, SN_END };

/* A postings cursor of a form: its own idx_postings, or one term of a
 * pat_cache. */
typedef struct tcur {
    idx_postings it;        /* own cursor (no cache) */
    const pc_term *ct;      /* cached term, or NULL */
    size_t k;               /* cached: index in ct->docs */
    uint32_t doc;           /* current document */
} tcur;

typedef struct snode {
    const pnode *pn;
    uint8_t state;          /* SN_FRESH, SN_ON (on doc), SN_END */
    uint8_t listed;         /* list holds doc's spans */
    uint8_t min_end;        /* root NEAR: shortest span per first only */
    uint32_t doc;           /* current document when SN_ON */
    uint32_t wmax;          /* forms, when listed: a bound on the widest span */
    uint32_t anchor;        /* phrases: the element to chain from */
    span_list list;         /* spans in doc, sorted, unique (forms: a view of
                               buf, or of one cached term's run; read only) */
    span_list buf;          /* forms: storage for list */
    tcur *its;              /* forms: one cursor per term */
    uint32_t nits;
    uint32_t *heap;         /* forms: cursors not on doc, min-heap by doc */
    uint32_t nheap;
    uint32_t *act;          /* forms: cursors on doc */
    uint32_t nact;
    size_t *runs;           /* forms: where each cursor's spans start in list */
} snode;

struct pat_scan {
    const pat_pattern *p;
    const idx_reader *r;
    const pat_cache *cache; /* shared postings, or NULL (own cursors) */
    uint64_t gen;           /* cache range the scan is in */
    unsigned flags;
    snode *nodes;           /* parallel to p->nodes */
    snode *root;
    int state;              /* SN_FRESH, SN_ON, SN_END */
    int err;                /* sticky error code after a failure */
    uint32_t doc;           /* current document when SN_ON */
    idx_layout layout;      /* own copy, when no layout source is set */
    const idx_layout *lay;  /* the layout of layout_doc (own copy or lent) */
    uint32_t layout_doc;
    int layout_ok;          /* lay holds layout_doc */
    pat_layout_fn lay_fn;   /* layout source (pat_scan_layout_source), or NULL */
    void *lay_ctx;
    pat_match *m;           /* current document's matches */
    size_t nm, capm;
    int matched;            /* m holds the current document */
    size_t next_i;          /* pat_scan_next: next match to hand out */
    span_list tmp;          /* phrase scratch */
};

static int span_push(span_list *l, uint64_t x)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 64;
        uint64_t *nv = ig_reallocarray(l->v, c, sizeof *nv);
        if (nv == NULL)
            return IG_ENOMEM;
        l->v = nv;
        l->cap = c;
    }
    l->v[l->n++] = x;
    return IG_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort (only when needed: lists usually arrive sorted) and drop repeats. */
void pat_span_sort_unique(span_list *l)
{
    for (size_t i = 1; i < l->n; i++) {
        if (l->v[i - 1] > l->v[i]) {
            qsort(l->v, l->n, sizeof *l->v, cmp_u64);
            break;
        }
    }
    size_t o = l->n ? 1 : 0;
    for (size_t i = 1; i < l->n; i++)
        if (l->v[i] != l->v[o - 1])
            l->v[o++] = l->v[i];
    l->n = o;
}

/* First index i in [lo, hi) of sorted v with v[i] >= key (hi if none),
 * by halving without a branch on the comparison: the searches of a
 * phrase's lookups land anywhere, so a branch there mispredicts half the
 * time.  The number of steps depends on hi - lo alone.  One body for span
 * keys and for document numbers. */
#define LOWER_BOUND(name, T)                                                    \
    static inline size_t name(const T *v, size_t lo, size_t hi, T key)          \
    {                                                                           \
        if (lo >= hi)                                                           \
            return lo;                                                          \
        size_t b = lo, n = hi - lo;                                             \
        while (n > 1) {                                                         \
            size_t half = n / 2;                                                \
            b += half & ((size_t)0 - (size_t)(v[b + half - 1] < key));          \
            n -= half;                                                          \
        }                                                                       \
        return b + (v[b] < key);                                                \
    }
LOWER_BOUND(lower_u64, uint64_t)
LOWER_BOUND(lower_u32, uint32_t)

/* First index in l with first position >= f. */
static size_t span_lower(const span_list *l, uint64_t f)
{
    return lower_u64(l->v, 0, l->n, f << 32);
}

/* First index i >= from in l with first position >= f, for a caller whose
 * f mostly grows (spans come in order of first position, and so, nearly,
 * of last): galloping from the previous answer, or bisecting from the start
 * when f went backwards (prev is the previous f).  The same index as
 * span_lower(l, f) whenever l[from - 1] (if any) starts below f. */
static size_t span_next(const span_list *l, size_t from, uint64_t f, uint64_t prev)
{
    if (f < prev || from > l->n)
        return span_lower(l, f);
    uint64_t key = f << 32;
    size_t lo = from, hi = from, step = 1;
    while (hi < l->n && l->v[hi] < key) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > l->n)
        hi = l->n;
    return lower_u64(l->v, lo, hi, key);
}

/* span_next by a forward walk, eight spans a step and then one: for a
 * caller whose f moves up to a few hundred spans at a time (a phrase step
 * walking a short list and looking up a long one).  Cheaper than galloping
 * there: galloping's branches go either way at random and its jumps defeat
 * the prefetcher, while a walk reads the list in order (classify with the
 * 10,000-entry bench lexicon spent 7% less in matching walking up to 256
 * spans per lookup than galloping beyond 4).  The same answer as
 * span_next. */
#define SPAN_WALK_MAX 256 /* walk when the lookups are this far apart or less */
static size_t span_walk(const span_list *l, size_t from, uint64_t f, uint64_t prev)
{
    if (f < prev || from > l->n)
        return span_lower(l, f);
    uint64_t key = f << 32;
    while (from + 8 <= l->n && l->v[from + 7] < key)
        from += 8;
    if (from + 8 <= l->n) {
        /* The answer is in these eight: count the spans below it without
         * a branch (where a walk would stop is unpredictable). */
        size_t below = 0;
        for (size_t i = 0; i < 8; i++)
            below += l->v[from + i] < key;
        return from + below;
    }
    while (from < l->n && l->v[from] < key)
        from++;
    return from;
}

int pat_damaged(ig_err *e, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ig_err_data(e, "pattern", NULL, "damaged index: %s (run igmap check)", msg);
}

/* ---- forms: a heap of postings cursors ------------------------------- */

static void heap_push(snode *n, uint32_t k)
{
    uint32_t i = n->nheap++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (n->its[n->heap[parent]].doc <= n->its[k].doc)
            break;
        n->heap[i] = n->heap[parent];
        i = parent;
    }
    n->heap[i] = k;
}

static uint32_t heap_pop(snode *n)
{
    uint32_t top = n->heap[0], last = n->heap[--n->nheap], i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n->nheap)
            break;
        if (c + 1 < n->nheap && n->its[n->heap[c + 1]].doc < n->its[n->heap[c]].doc)
            c++;
        if (n->its[last].doc <= n->its[n->heap[c]].doc)
            break;
        n->heap[i] = n->heap[c];
        i = c;
    }
    if (n->nheap)
        n->heap[i] = last;
    return top;
}

/* Move a cursor to a document >= target: 1, 0 at its end (of the postings,
 * or of the cache's range), <0 error. */
static int cursor_advance(tcur *c, uint32_t target, ig_err *e)
{
    if (c->ct) {
        const pc_term *t = c->ct;
        if (c->doc >= target)
            return 1;
        /* Galloping search: a frequent term is passed over in a few steps
         * where a rare one decides the documents.  Every docs[< lo] is
         * below target; docs[hi] (hi < n) is not. */
        size_t n = t->ndocs, lo = c->k + 1, hi = lo, step = 1;
        while (hi < n && t->docs[hi] < target) {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        if (hi > n)
            hi = n;
        lo = lower_u32(t->docs, lo, hi, target);
        if (lo >= t->ndocs)
            return 0;
        c->k = lo;
        c->doc = t->docs[lo];
        return 1;
    }
    while (c->it.doc < target) {
        int rc = idx_postings_next_doc(&c->it, e);
        if (rc <= 0)
            return rc;
    }
    c->doc = c->it.doc;
    return 1;
}

static int atom_seek(snode *n, uint32_t target, ig_err *e)
{
    if (n->nits == 1) {
        /* One term (most forms): its cursor is on the heap or on the
         * document, or gone at its end; no heap to keep. */
        if (n->nact + n->nheap == 0) {
            n->state = SN_END;
            return 0;
        }
        int rc = cursor_advance(&n->its[0], target, e);
        if (rc <= 0) {
            n->nact = n->nheap = 0;
            if (rc == 0)
                n->state = SN_END;
            return rc;
        }
        n->nheap = 0;
        n->act[0] = 0;
        n->nact = 1;
        n->doc = n->its[0].doc;
        n->state = SN_ON;
        n->listed = 0;
        return 1;
    }
    for (uint32_t k = 0; k < n->nact; k++) {
        int rc = cursor_advance(&n->its[n->act[k]], target, e);
        if (rc < 0)
            return rc;
        if (rc == 1)
            heap_push(n, n->act[k]);
    }
    n->nact = 0;
    while (n->nheap && n->its[n->heap[0]].doc < target) {
        uint32_t k = heap_pop(n);
        int rc = cursor_advance(&n->its[k], target, e);
        if (rc < 0)
            return rc;
        if (rc == 1)
            heap_push(n, k);
    }
    if (n->nheap == 0) {
        n->state = SN_END;
        return 0;
    }
    n->doc = n->its[n->heap[0]].doc;
    while (n->nheap && n->its[n->heap[0]].doc == n->doc)
        n->act[n->nact++] = heap_pop(n);
    n->state = SN_ON;
    n->listed = 0;
    return 1;
}

/* Merge sorted x and y into o (room for nx + ny); returns nx + ny.
 * Without a branch on the comparison: the runs of a form's terms interleave
 * unpredictably, and mispredictions were most of a merge's time. */
size_t pat_merge2(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny, uint64_t *o)
{
    size_t i = 0, j = 0, k = 0;
    while (i < nx && j < ny) {
        uint64_t a = x[i], b = y[j];
        size_t take = a <= b;
        o[k++] = take ? a : b;
        i += take;
        j += 1 - take;
    }
    if (i < nx)
        memcpy(o + k, x + i, (nx - i) * sizeof *o);
    k += nx - i;
    if (j < ny)
        memcpy(o + k, y + j, (ny - j) * sizeof *o);
    return k + ny - j;
}

/* Merge the sorted runs of l (run r is [b[r], b[r+1])) pairwise, through
 * tmp, until one is left: O(n log runs) for a prefix with many terms. */
int pat_merge_runs(span_list *l, size_t *b, size_t nruns, span_list *tmp)
{
    if (tmp->cap < l->n) {
        uint64_t *nv = ig_reallocarray(tmp->v, l->n, sizeof *nv);
        if (nv == NULL)
            return IG_ENOMEM;
        tmp->v = nv;
        tmp->cap = l->n;
    }
    while (nruns > 1) {
        size_t o = 0, nr = 0;
        for (size_t r = 0; r < nruns; r += 2) {
            size_t i = b[r], ie = b[r + 1];
            size_t j = r + 1 < nruns ? b[r + 1] : ie, je = r + 1 < nruns ? b[r + 2] : ie;
            b[nr++] = o;
            o += pat_merge2(l->v + i, ie - i, l->v + j, je - j, tmp->v + o);
        }
        b[nr] = o;
        nruns = nr;
        uint64_t *t = l->v;
        size_t tc = l->cap;
        l->v = tmp->v;
        l->cap = tmp->cap;
        tmp->v = t;
        tmp->cap = tc;
    }
    return IG_OK;
}

/* Read the positions of every cursor on the current document: one sorted
 * run per term, merged.  A single cached term's run is used in place. */
static int atom_list(pat_scan *s, snode *n, ig_err *e)
{
    if (n->listed)
        return IG_OK;
    if (n->nact == 1 && n->its[n->act[0]].ct) {
        /* Sorted and unique already (pat_cache_load); never written
         * through list (only forms' own buffers are). */
        const tcur *c = &n->its[n->act[0]];
        const pc_term *t = c->ct;
        size_t a = t->off[c->k], z = t->off[c->k + 1];
        n->list.v = (uint64_t *)(uintptr_t)(t->v + a);
        n->list.n = z - a;
        n->list.cap = 0;
        n->wmax = t->wmax;
        n->listed = 1;
        return IG_OK;
    }
    span_list *l = &n->buf;
    l->n = 0;
    if (n->its[n->act[0]].ct) {
        /* A form of a cached scan: every cursor is on the cache.  Merge
         * the runs in place of copying them first: the first round reads
         * the cache, later ones (three runs or more) merge_runs. */
        size_t total = 0;
        n->wmax = 0;
        for (uint32_t k = 0; k < n->nact; k++) {
            const tcur *c = &n->its[n->act[k]];
            total += c->ct->off[c->k + 1] - c->ct->off[c->k];
            n->wmax = c->ct->wmax > n->wmax ? c->ct->wmax : n->wmax;
        }
        if (l->cap < total) {
            uint64_t *nv = ig_reallocarray(l->v, total, sizeof *nv);
            if (nv == NULL)
                return ig_err_nomem(e, "pattern");
            l->v = nv;
            l->cap = total;
        }
        size_t nruns = 0;
        for (uint32_t k = 0; k < n->nact; k += 2) {
            const tcur *c = &n->its[n->act[k]];
            const uint64_t *x = c->ct->v + c->ct->off[c->k];
            size_t nx = c->ct->off[c->k + 1] - c->ct->off[c->k];
            n->runs[nruns++] = l->n;
            if (k + 1 == n->nact) {
                if (nx)
                    memcpy(l->v + l->n, x, nx * sizeof *x);
                l->n += nx;
                continue;
            }
            const tcur *d = &n->its[n->act[k + 1]];
            const uint64_t *y = d->ct->v + d->ct->off[d->k];
            size_t ny = d->ct->off[d->k + 1] - d->ct->off[d->k];
            l->n += pat_merge2(x, nx, y, ny, l->v + l->n);
        }
        n->runs[nruns] = l->n;
        if (nruns > 1 && pat_merge_runs(l, n->runs, nruns, &s->tmp))
            return ig_err_nomem(e, "pattern");
        pat_span_sort_unique(l);
        n->list = *l;
        n->listed = 1;
        return IG_OK;
    }
    int sorted = 1;
    n->wmax = 0;
    for (uint32_t k = 0; k < n->nact; k++) {
        tcur *c = &n->its[n->act[k]];
        n->runs[k] = l->n;
        if (c->ct) {
            n->wmax = c->ct->wmax > n->wmax ? c->ct->wmax : n->wmax;
            /* Cached runs are sorted and unique already. */
            const pc_term *t = c->ct;
            size_t a = t->off[c->k], z = t->off[c->k + 1];
            if (l->cap - l->n < z - a) {
                size_t cap = l->cap ? l->cap : 64;
                while (cap - l->n < z - a)
                    cap *= 2;
                uint64_t *nv = ig_reallocarray(l->v, cap, sizeof *nv);
                if (nv == NULL)
                    return ig_err_nomem(e, "pattern");
                l->v = nv;
                l->cap = cap;
            }
            memcpy(l->v + l->n, t->v + a, (z - a) * sizeof *t->v);
            l->n += z - a;
            continue;
        }
        idx_postings *it = &c->it;
        uint32_t pos, span;
        int rc;
        while ((rc = idx_postings_pos(it, &pos, &span, e)) == 1) {
            if ((uint64_t)pos + span > UINT32_MAX)
                return pat_damaged(e, "position %u with span %u in document %u", pos, span, n->doc);
            n->wmax = span > n->wmax ? span : n->wmax;
            uint64_t x = SPAN(pos, pos + span);
            /* Positions never decrease within a term, but two spans at one
             * position could come in either order. */
            if (l->n > n->runs[k] && l->v[l->n - 1] > x)
                sorted = 0;
            if (span_push(l, x))
                return ig_err_nomem(e, "pattern");
        }
        if (rc < 0)
            return rc;
    }
    n->runs[n->nact] = l->n;
    if (sorted && n->nact > 1 && pat_merge_runs(l, n->runs, n->nact, &s->tmp))
        return ig_err_nomem(e, "pattern");
    pat_span_sort_unique(l);
    n->list = *l;
    n->listed = 1;
    return IG_OK;
}

/* ---- phrases and NEAR -------------------------------------------------- */

/* One step of a phrase, walking a and looking up b: for each span of a,
 * the spans of b starting right after it. */
static int chain_by_a(const span_list *a, const span_list *b, span_list *out)
{
    size_t at = 0;
    uint64_t prev = 0;
    int walk = b->n / SPAN_WALK_MAX <= a->n;
    for (size_t i = 0; i < a->n; i++) {
        uint64_t want = (uint64_t)SPAN_L(a->v[i]) + 1;
        if (want > UINT32_MAX)
            continue;
        at = walk ? span_walk(b, at, want, prev) : span_next(b, at, want, prev);
        prev = want;
        for (size_t j = at; j < b->n && SPAN_F(b->v[j]) == want; j++)
            if (span_push(out, SPAN(SPAN_F(a->v[i]), SPAN_L(b->v[j]))))
                return IG_ENOMEM;
    }
    return IG_OK;
}

/* The same pairs walking b and looking up a: for each span of b, the spans
 * of a ending right before it.  a is sorted by first position, so those
 * start at most w (a's widest span, measured by a pass over a unless the
 * caller knows a bound) before the end sought: a gallop per span of b
 * (walking a instead was slower in classify: a is the long list here).
 * Cheaper than chain_by_a when a is much longer ("the" before a rare
 * word). */
static int chain_by_b(const span_list *a, uint32_t w, const span_list *b, span_list *out)
{
    if (w == PAT_WIDTH_UNKNOWN) {
        w = 0;
        for (size_t i = 0; i < a->n; i++) {
            uint32_t d = SPAN_L(a->v[i]) - SPAN_F(a->v[i]);
            w = d > w ? d : w;
        }
    }
    size_t at = 0;
    uint64_t prev = 0;
    for (size_t j = 0; j < b->n; j++) {
        uint32_t f = SPAN_F(b->v[j]);
        if (f == 0)
            continue; /* nothing ends before position 0 */
        uint32_t end = f - 1, lo = end >= w ? end - w : 0;
        at = span_next(a, at, lo, prev);
        prev = lo;
        for (size_t i = at; i < a->n && SPAN_F(a->v[i]) <= end; i++)
            if (SPAN_L(a->v[i]) == end &&
                span_push(out, SPAN(SPAN_F(a->v[i]), SPAN_L(b->v[j]))))
                return IG_ENOMEM;
    }
    return IG_OK;
}

/* pat_chain for lists whose spans are each of one width (so a's last
 * positions and b's first positions both strictly increase): a merge of
 * the two, stepping past the smaller key or both, that writes a span at
 * every step and keeps it when the keys meet.  o has room for min(na, nb)
 * + 1.  Returns the spans kept, sorted and unique. */
static size_t chain_merge(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *o)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        uint64_t x = (uint64_t)SPAN_L(a[i]) + 1, y = SPAN_F(b[j]);
        o[k] = SPAN(SPAN_F(a[i]), SPAN_L(b[j]));
        k += x == y;
        i += x <= y;
        j += y <= x;
    }
    return k;
}

/* Merge rather than look up when neither list is more than this many
 * times the other's length (the walk's eight-span steps win beyond). */
#define CHAIN_MERGE_RATIO 8

int pat_chain(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, int how,
              uint64_t **out, size_t *nout, size_t *cap)
{
    return pat_chain_w(a, na, PAT_WIDTH_UNKNOWN, b, nb, how, out, nout, cap);
}

int pat_chain_w(const uint64_t *a, size_t na, uint32_t aw, const uint64_t *b, size_t nb,
                int how, uint64_t **out, size_t *nout, size_t *cap)
{
    const span_list la = { (uint64_t *)(uintptr_t)a, na, na };
    const span_list lb = { (uint64_t *)(uintptr_t)b, nb, nb };
    span_list o = { *out, 0, *cap };
    if (how == (PAT_CHAIN_AUTO | PAT_CHAIN_UNIFORM) && na > 0 && nb > 0 &&
        na / CHAIN_MERGE_RATIO <= nb && nb / CHAIN_MERGE_RATIO <= na) {
        size_t room = (na < nb ? na : nb) + 1;
        if (o.cap < room) {
            uint64_t *nv = ig_reallocarray(o.v, room, sizeof *nv);
            if (nv == NULL)
                return IG_ENOMEM;
            o.v = nv;
            o.cap = room;
        }
        *out = o.v;
        *nout = chain_merge(a, na, b, nb, o.v);
        *cap = o.cap;
        return IG_OK;
    }
    how &= ~PAT_CHAIN_UNIFORM;
    if (how == PAT_CHAIN_AUTO)
        how = nb < na / 2 ? PAT_CHAIN_BY_B : PAT_CHAIN_BY_A;
    int rc = how == PAT_CHAIN_BY_B ? chain_by_b(&la, aw, &lb, &o) : chain_by_a(&la, &lb, &o);
    if (rc == IG_OK)
        pat_span_sort_unique(&o);
    *out = o.v;
    *nout = o.n;
    *cap = o.cap;
    return rc;
}

static int node_seek(pat_scan *s, snode *n, uint32_t target, ig_err *e);

static int ensure_list(pat_scan *s, snode *n, ig_err *e)
{
    return is_atom(n->pn) ? atom_list(s, n, e) : IG_OK;
}

/* Spans of the phrase on doc: from its anchor element (scan_restart: the
 * rarest in the block), chain each element to its right onto the spans so
 * far, then each to its left in front of them.  The result is the same set
 * of (first, last) spans as chaining from the first element on, but the
 * work follows the rarest word: in "government and likely" the few spans
 * of "likely" are looked up among the hundreds of "and" of a document,
 * where chaining from the left walked every "and" after a "government". */
static int phrase_list(pat_scan *s, snode *n, ig_err *e)
{
    const pnode *pn = n->pn;
    snode *kids = s->nodes + pn->a;
    size_t nk = pn->b, anchor = n->anchor < nk ? n->anchor : 0;
    int rc = ensure_list(s, &kids[anchor], e);
    if (rc)
        return rc;
    n->list.n = 0;
    if (nk == 1) {
        for (size_t i = 0; i < kids[0].list.n; i++)
            if (span_push(&n->list, kids[0].list.v[i]))
                return ig_err_nomem(e, "pattern");
        return IG_OK;
    }
    /* Chain element k onto the spans so far (the anchor's own list to
     * begin with), into tmp, which then becomes the phrase's list.  An
     * element's list is read only when the chain is still alive: once no
     * span is left, the other elements (a stem's or prefix's runs to merge)
     * cost nothing. */
    const span_list *cur = &kids[anchor].list;
    /* Spans of one width so far: every element chained is a form with no
     * span wider than its position (a phrase of such forms has spans of
     * one width too). */
    int uniform = is_atom(kids[anchor].pn) && kids[anchor].wmax == 0;
    for (size_t step = 1; step < nk && cur->n; step++) {
        /* Right of the anchor first, then leftwards from it. */
        size_t k = anchor + step < nk ? anchor + step : nk - 1 - step;
        rc = ensure_list(s, &kids[k], e);
        if (rc)
            return rc;
        const span_list *el = &kids[k].list;
        uniform &= is_atom(kids[k].pn) && kids[k].wmax == 0;
        int how = PAT_CHAIN_AUTO | (uniform ? PAT_CHAIN_UNIFORM : 0);
        if (k > anchor)
            rc = pat_chain(cur->v, cur->n, el->v, el->n, how, &s->tmp.v, &s->tmp.n, &s->tmp.cap);
        else
            rc = pat_chain_w(el->v, el->n, is_atom(kids[k].pn) ? kids[k].wmax : PAT_WIDTH_UNKNOWN,
                             cur->v, cur->n, how, &s->tmp.v, &s->tmp.n, &s->tmp.cap);
        if (rc)
            return ig_err_nomem(e, "pattern");
        span_list t = n->list;
        n->list = s->tmp;
        s->tmp = t;
        cur = &n->list;
    }
    if (cur != &n->list)
        n->list.n = 0; /* the anchor had no spans */
    return IG_OK;
}

static int scan_layout(pat_scan *s, uint32_t doc, ig_err *e)
{
    if (s->layout_ok && s->layout_doc == doc)
        return IG_OK;
    s->layout_ok = 0;
    int rc;
    if (s->lay_fn) {
        rc = s->lay_fn(s->lay_ctx, doc, &s->lay, e);
    } else {
        rc = idx_layout_get(s->r, doc, &s->layout, e);
        s->lay = &s->layout;
    }
    if (rc)
        return rc;
    s->layout_doc = doc;
    s->layout_ok = 1;
    return IG_OK;
}

/* NEAR candidates with u from U first and v from V after it. */
static int near_pairs(pat_scan *s, snode *n, const span_list *U, const span_list *V,
                      ig_err *e)
{
    const uint32_t *sent = s->lay->sentence;
    uint32_t npos = s->lay->n;
    uint64_t dist = n->pn->dist, prev = 0;
    size_t at = 0;
    for (size_t i = 0; i < U->n; i++) {
        uint32_t uf = SPAN_F(U->v[i]), ul = SPAN_L(U->v[i]);
        if (ul >= npos)
            return pat_damaged(e, "position %u beyond the %u positions of document %u", ul,
                           npos, n->doc);
        uint32_t snum = sent[uf];
        if (sent[ul] != snum)
            continue; /* u itself crosses a sentence end */
        uint64_t lo = (uint64_t)ul + 1, hi = lo + dist, best = UINT64_MAX;
        if (lo > UINT32_MAX)
            continue;
        at = span_next(V, at, lo, prev);
        prev = lo;
        for (size_t j = at; j < V->n; j++) {
            uint32_t vf = SPAN_F(V->v[j]), vl = SPAN_L(V->v[j]);
            if (vf > hi || (n->min_end && vf > best))
                break;
            if (vl >= npos)
                return pat_damaged(e, "position %u beyond the %u positions of document %u", vl,
                               npos, n->doc);
            if (sent[vf] != snum)
                break;
            if (sent[vl] != snum)
                continue;
            if (n->min_end) {
                if (vl < best)
                    best = vl;
                continue;
            }
            if (n->list.n >= IG_MAX_NEAR_SPANS)
                return pat_err(s->p, e, IG_ELIMIT, n->pn->col,
                               "NEAR/%u: more than %u candidate spans in document \"%s\"; "
                               "narrow the pattern",
                               n->pn->dist, (unsigned)IG_MAX_NEAR_SPANS,
                               idx_doc_id(s->r, n->doc));
            if (span_push(&n->list, SPAN(uf, vl)))
                return ig_err_nomem(e, "pattern");
        }
        if (best != UINT64_MAX && span_push(&n->list, SPAN(uf, best)))
            return ig_err_nomem(e, "pattern");
    }
    return IG_OK;
}

/* Does some v in V start within dist positions after some u in U ends? */
static int near_close(const span_list *U, const span_list *V, uint64_t dist)
{
    size_t j = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < U->n; i++) {
        uint64_t lo = (uint64_t)SPAN_L(U->v[i]) + 1;
        if (lo > UINT32_MAX)
            break;
        j = span_next(V, j, lo, prev);
        prev = lo;
        if (j < V->n && SPAN_F(V->v[j]) <= lo + dist)
            return 1;
    }
    return 0;
}

static int near_list(pat_scan *s, snode *n, uint32_t doc, ig_err *e)
{
    snode *x = s->nodes + n->pn->a, *y = s->nodes + n->pn->b;
    int rc = ensure_list(s, x, e);
    if (rc == IG_OK)
        rc = ensure_list(s, y, e);
    if (rc)
        return rc;
    n->list.n = 0;
    /* Sentences need the document's layout, the costly part: decode it only
     * when some pair is close enough in positions. */
    if (!near_close(&x->list, &y->list, n->pn->dist) &&
        !near_close(&y->list, &x->list, n->pn->dist))
        return IG_OK;
    rc = scan_layout(s, doc, e);
    if (rc)
        return rc;
    n->doc = doc; /* for messages */
    rc = near_pairs(s, n, &x->list, &y->list, e);
    if (rc == IG_OK)
        rc = near_pairs(s, n, &y->list, &x->list, e);
    if (rc)
        return rc;
    pat_span_sort_unique(&n->list);
    return IG_OK;
}

/* Phrase or NEAR: leapfrog the children onto one document, then compute
 * the spans there; a document where they meet without matching is passed. */
static int multi_seek(pat_scan *s, snode *n, uint32_t target, ig_err *e)
{
    const pnode *pn = n->pn;
    size_t nk = pn->kind == PN_PHRASE ? pn->b : 2;
    uint32_t t = target;
    for (;;) {
        size_t k = 0;
        while (k < nk) {
            snode *c = pn->kind == PN_PHRASE ? s->nodes + pn->a + k
                                             : s->nodes + (k == 0 ? pn->a : pn->b);
            int rc = node_seek(s, c, t, e);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                n->state = SN_END;
                return 0;
            }
            if (c->doc > t) {
                t = c->doc;
                k = 0;
                continue;
            }
            k++;
        }
        int rc = pn->kind == PN_PHRASE ? phrase_list(s, n, e) : near_list(s, n, t, e);
        if (rc)
            return rc;
        if (n->list.n) {
            n->doc = t;
            n->state = SN_ON;
            n->listed = 1;
            return 1;
        }
        if (t == UINT32_MAX) {
            n->state = SN_END;
            return 0;
        }
        t++;
    }
}

/* Put n on its first matching document >= target (staying if already
 * there): 1, 0 when it has no more, <0 on error. */
static int node_seek(pat_scan *s, snode *n, uint32_t target, ig_err *e)
{
    if (n->state == SN_END)
        return 0;
    if (n->state == SN_ON && n->doc >= target)
        return 1;
    if (is_atom(n->pn))
        return atom_seek(n, target, e);
    return multi_seek(s, n, target, e);
}

/* ---- the scan handle --------------------------------------------------- */

void pat_scan_close(pat_scan *s)
{
    if (s == NULL)
        return;
    if (s->nodes) {
        for (size_t i = 0; i < s->p->nnodes; i++) {
            snode *n = &s->nodes[i];
            /* a form's list is a view; its storage is buf */
            ig_free(n->buf.v);
            if (n->pn == NULL || !is_atom(n->pn))
                ig_free(n->list.v);
            ig_free(n->its);
            ig_free(n->heap);
            ig_free(n->act);
            ig_free(n->runs);
        }
        ig_free(s->nodes);
    }
    idx_layout_free(&s->layout);
    ig_free(s->m);
    ig_free(s->tmp.v);
    ig_free(s);
}

static int scan_open(pat_scan **out, const pat_pattern *p, const pat_cache *cache,
                     unsigned flags, ig_err *e)
{
    int rc = IG_OK;
    *out = NULL;
    if (p->r == NULL)
        return ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "pattern %s scanned before pat_resolve", p->shown);
    pat_scan *s = ig_calloc(1, sizeof *s);
    if (s == NULL)
        return ig_err_nomem(e, "pattern");
    s->p = p;
    s->r = p->r;
    s->cache = cache;
    s->gen = cache ? cache->gen - 1 : 0; /* a cached scan starts at its first seek */
    s->flags = flags;
    s->nodes = ig_calloc(p->nnodes, sizeof *s->nodes);
    if (s->nodes == NULL) {
        rc = ig_err_nomem(e, "pattern");
        goto out;
    }
    for (size_t i = 0; i < p->nnodes; i++) {
        snode *n = &s->nodes[i];
        const pnode *pn = &p->nodes[i];
        n->pn = pn;
        if (!is_atom(pn))
            continue;
        if (pn->nterms > UINT32_MAX) {
            rc = ig_err_nomem(e, "pattern");
            goto out;
        }
        size_t k = pn->nterms ? pn->nterms : 1;
        n->its = ig_calloc(k, sizeof *n->its);
        n->heap = ig_calloc(k, sizeof *n->heap);
        n->act = ig_calloc(k, sizeof *n->act);
        n->runs = ig_calloc(k + 1, sizeof *n->runs);
        if (n->its == NULL || n->heap == NULL || n->act == NULL || n->runs == NULL) {
            rc = ig_err_nomem(e, "pattern");
            goto out;
        }
        if (cache) {
            /* Cursors on the cache's terms; placed on the documents of
             * each range by scan_restart. */
            int set = pat_cache_is_set(pn);
            for (size_t t = 0; t < (set ? 1 : pn->nterms); t++) {
                const pc_term *ct = set ? pat_cache_find(cache, 0, (uint32_t)pn->nterms, pn->terms)
                                        : pat_cache_find(cache, pn->terms[t], 0, NULL);
                if (ct == NULL) {
                    rc = ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "pattern %s scanned on a cache it was "
                                    "not added to", p->shown);
                    goto out;
                }
                n->its[n->nits++].ct = ct;
            }
            continue;
        }
        for (size_t t = 0; t < pn->nterms; t++) {
            tcur *c = &n->its[n->nits];
            rc = idx_postings_open(p->r, pn->terms[t], &c->it, e);
            if (rc)
                goto out;
            int nr = idx_postings_next_doc(&c->it, e);
            if (nr < 0) {
                rc = nr;
                goto out;
            }
            if (nr == 1) {
                c->doc = c->it.doc;
                heap_push(n, n->nits);
                n->nits++;
            }
        }
    }
    s->root = &s->nodes[p->root];
    s->root->min_end = p->nodes[p->root].kind == PN_NEAR;
out:
    if (rc) {
        pat_scan_close(s);
        return rc;
    }
    *out = s;
    return IG_OK;
}

int pat_scan_open(pat_scan **out, const pat_pattern *p, unsigned flags, ig_err *e)
{
    return scan_open(out, p, NULL, flags, e);
}

int pat_scan_open_cached(pat_scan **out, const pat_pattern *p, pat_cache *c, unsigned flags,
                         ig_err *e)
{
    *out = NULL;
    if (c->r != p->r)
        return ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "pattern %s resolved against another index than "
                          "its cache", p->shown);
    pat_cache_freeze(c);
    return scan_open(out, p, c, flags, e);
}

static int scan_fail(pat_scan *s, int rc)
{
    s->state = SN_END;
    s->err = rc;
    return rc;
}

/* A cached scan whose cache moved to another range starts over there:
 * every form's cursors on their terms' first documents in the range,
 * every node fresh. */
static int scan_restart(pat_scan *s, ig_err *e)
{
    for (size_t i = 0; i < s->p->nnodes; i++) {
        snode *n = &s->nodes[i];
        n->state = SN_FRESH;
        n->listed = 0;
        n->list.n = 0;
        n->doc = 0;
        n->nheap = n->nact = 0;
        for (uint32_t k = 0; k < n->nits; k++) {
            tcur *c = &n->its[k];
            c->k = 0;
            /* The cache is the caller's to change (pat_scan_open_cached
             * took it writable); a scan sees it read-only but for this. */
            if (c->ct->nset && pat_cache_set_ready(s->cache, (pc_term *)(uintptr_t)c->ct))
                return scan_fail(s, ig_err_nomem(e, "pattern"));
            if (c->ct->ndocs) {
                c->doc = c->ct->docs[0];
                heap_push(n, k);
            }
        }
    }
    /* A phrase chains from its element with the fewest spans in the range
     * (phrase_list), first of equals. */
    for (size_t i = 0; i < s->p->nnodes; i++) {
        snode *n = &s->nodes[i];
        if (n->pn->kind != PN_PHRASE)
            continue;
        size_t best = SIZE_MAX;
        n->anchor = 0;
        for (size_t k = 0; k < n->pn->b; k++) {
            const snode *c = &s->nodes[n->pn->a + k];
            if (!is_atom(c->pn))
                break;
            size_t z = 0;
            for (uint32_t j = 0; j < c->nits; j++)
                z += c->its[j].ct->nv;
            if (z < best) {
                best = z;
                n->anchor = (uint32_t)k;
            }
        }
    }
    s->state = SN_FRESH;
    s->matched = 0;
    s->nm = 0;
    s->next_i = 0;
    s->layout_ok = 0;
    s->gen = s->cache->gen;
    return IG_OK;
}


int pat_scan_seek(pat_scan *s, uint32_t doc, ig_err *e)
{
    if (s->err)
        return s->err;
    if (s->cache) {
        if (s->gen != s->cache->gen && scan_restart(s, e))
            return s->err;
        if (doc < s->cache->d0)
            doc = s->cache->d0;
        if (doc >= s->cache->d1)
            s->state = SN_END;
    }
    if (s->state == SN_END)
        return 0;
    int rc = node_seek(s, s->root, doc, e);
    if (rc < 0)
        return scan_fail(s, rc);
    if (rc == 0) {
        s->state = SN_END;
        return 0;
    }
    if (s->root->doc >= idx_doc_count(s->r))
        return scan_fail(s, pat_damaged(e, "postings name document %u of %u", s->root->doc,
                                    idx_doc_count(s->r)));
    if (s->state != SN_ON || s->doc != s->root->doc) {
        s->doc = s->root->doc;
        s->matched = 0;
        s->nm = 0;
        s->next_i = 0;
    }
    s->state = SN_ON;
    return 1;
}

int pat_scan_next_doc(pat_scan *s, ig_err *e)
{
    if (s->cache && s->gen != s->cache->gen && s->err == 0 && scan_restart(s, e))
        return s->err;
    if (s->state == SN_ON) {
        if (s->doc == UINT32_MAX) {
            s->state = SN_END;
            return 0;
        }
        return pat_scan_seek(s, s->doc + 1, e);
    }
    return pat_scan_seek(s, 0, e);
}

uint32_t pat_scan_doc(const pat_scan *s)
{
    return s->doc;
}

static int build_matches(pat_scan *s, ig_err *e)
{
    if (s->matched)
        return IG_OK;
    snode *root = s->root;
    int rc = ensure_list(s, root, e);
    if (rc == IG_OK && (s->flags & PAT_SCAN_LAYOUT))
        rc = scan_layout(s, s->doc, e);
    if (rc)
        return scan_fail(s, rc);
    s->nm = 0;
    for (size_t i = 0; i < root->list.n; i++) {
        uint32_t f = SPAN_F(root->list.v[i]), l = SPAN_L(root->list.v[i]);
        if (s->nm && s->m[s->nm - 1].first == f)
            continue; /* same start: the first span listed is the shortest */
        if (s->nm == s->capm) {
            size_t c = s->capm ? s->capm * 2 : 64;
            pat_match *nm = ig_reallocarray(s->m, c, sizeof *nm);
            if (nm == NULL)
                return scan_fail(s, ig_err_nomem(e, "pattern"));
            s->m = nm;
            s->capm = c;
        }
        pat_match *m = &s->m[s->nm++];
        m->doc = s->doc;
        m->first = f;
        m->last = l;
        m->sentence = 0;
        if (s->flags & PAT_SCAN_LAYOUT) {
            if (l >= s->lay->n)
                return scan_fail(s, pat_damaged(e, "position %u beyond the %u positions of "
                                               "document %u", l, s->lay->n, s->doc));
            m->sentence = s->lay->sentence[f];
        }
    }
    s->matched = 1;
    return IG_OK;
}

int pat_scan_doc_count(pat_scan *s, uint32_t *n, ig_err *e)
{
    if (s->err)
        return s->err;
    /* Even for one term the positions are read: the format allows a term
     * twice at one position (with different spans), which counts once, and
     * skipping them would decode the same varints anyway. */
    int rc = build_matches(s, e);
    if (rc)
        return rc;
    *n = (uint32_t)s->nm;
    return IG_OK;
}

int pat_scan_doc_matches(pat_scan *s, const pat_match **m, size_t *n, ig_err *e)
{
    if (s->err)
        return s->err;
    int rc = build_matches(s, e);
    if (rc)
        return rc;
    *m = s->m;
    *n = s->nm;
    return IG_OK;
}

const idx_layout *pat_scan_layout(const pat_scan *s)
{
    if (!(s->flags & PAT_SCAN_LAYOUT) || !s->layout_ok || s->layout_doc != s->doc)
        return NULL;
    return s->lay;
}

void pat_scan_layout_source(pat_scan *s, pat_layout_fn fn, void *ctx)
{
    s->lay_fn = fn;
    s->lay_ctx = ctx;
    s->layout_ok = 0;
}

int pat_scan_next(pat_scan *s, pat_match *m, ig_err *e)
{
    for (;;) {
        if (s->err)
            return s->err;
        if (s->state == SN_ON && s->matched && s->next_i < s->nm) {
            *m = s->m[s->next_i++];
            return 1;
        }
        int rc = pat_scan_next_doc(s, e);
        if (rc <= 0)
            return rc;
        rc = build_matches(s, e);
        if (rc)
            return rc;
        s->next_i = 0;
    }
}

int pat_count(const pat_pattern *p, uint64_t *matches, uint32_t *docs, uint32_t *per_doc,
              ig_err *e)
{
    pat_scan *s;
    uint64_t total = 0;
    uint32_t nd = 0;
    int rc = pat_scan_open(&s, p, 0, e);
    if (rc)
        return rc;
    while ((rc = pat_scan_next_doc(s, e)) == 1) {
        uint32_t n;
        rc = pat_scan_doc_count(s, &n, e);
        if (rc)
            break;
        total += n;
        nd++;
        if (per_doc)
            per_doc[pat_scan_doc(s)] += n;
    }
    pat_scan_close(s);
    if (rc < 0)
        return rc;
    *matches = total;
    *docs = nd;
    return IG_OK;
}

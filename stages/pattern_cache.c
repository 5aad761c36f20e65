/*
 * pattern_cache.c: the postings cache that scans share (pattern.h,
 * pat_cache): every term the patterns of a run use, decoded once per
 * range of documents, and the small forms' terms merged once into sets;
 * the scans (pattern_scan.c) read it through pattern_int.h.
 *
 * Pipeline place: under classify's block driver, which adds its patterns,
 * sets a range, has the workers load the terms, then runs the scans.
 */
#include "pattern.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pattern_int.h"

/* Single terms first, by term id; then sets, by size and members. */
static int pc_key_cmp(uint32_t term, uint32_t nset, const uint32_t *set, const pc_term *y)
{
    if (nset != y->nset)
        return nset < y->nset ? -1 : 1;
    if (nset == 0)
        return term < y->term ? -1 : term > y->term;
    for (uint32_t i = 0; i < nset; i++)
        if (set[i] != y->set[i])
            return set[i] < y->set[i] ? -1 : 1;
    return 0;
}

static int cmp_pc_term(const void *a, const void *b)
{
    const pc_term *x = a;
    return pc_key_cmp(x->term, x->nset, x->set, b);
}

static void pc_term_free(pc_term *t)
{
    ig_free(t->docs);
    ig_free(t->off);
    ig_free(t->v);
    ig_free(t->set);
    ig_free(t->mem);
    ig_free(t->scratch);
}

void pat_cache_freeze(pat_cache *c)
{
    if (c->frozen)
        return;
    qsort(c->t, c->n, sizeof *c->t, cmp_pc_term);
    size_t o = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (o == 0 || cmp_pc_term(&c->t[i], &c->t[o - 1]) != 0)
            c->t[o++] = c->t[i];
        else
            pc_term_free(&c->t[i]);
    }
    c->n = o;
    c->frozen = 1;
    for (size_t i = 0; i < c->n; i++) {
        pc_term *t = &c->t[i];
        if (t->nset == 0)
            continue;
        /* every member was added as a single term too (pat_cache_add) */
        for (uint32_t m = 0; m < t->nset; m++)
            t->mem[m] = pat_cache_find(c, t->set[m], 0, NULL);
        pthread_mutex_init(&t->lock, NULL);
    }
}

const pc_term *pat_cache_find(const pat_cache *c, uint32_t term, uint32_t nset,
                              const uint32_t *set)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pc_key_cmp(term, nset, set, &c->t[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && pc_key_cmp(term, nset, set, &c->t[lo]) == 0 ? &c->t[lo] : NULL;
}

int pat_cache_is_set(const pnode *pn)
{
    return pn->nterms >= 2 && pn->nterms <= PC_SET_MAX;
}

int pat_cache_open(pat_cache **out, const idx_reader *r, ig_err *e)
{
    pat_cache *c = ig_calloc(1, sizeof *c);
    *out = NULL;
    if (c == NULL)
        return ig_err_nomem(e, "pattern");
    c->r = r;
    *out = c;
    return IG_OK;
}

void pat_cache_close(pat_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        if (c->frozen && c->t[i].nset)
            pthread_mutex_destroy(&c->t[i].lock);
        pc_term_free(&c->t[i]);
    }
    ig_free(c->t);
    ig_free(c);
}

int pat_cache_add(pat_cache *c, const pat_pattern *p, ig_err *e)
{
    if (p->r == NULL || p->r != c->r)
        return ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "pattern %s added to a cache before pat_resolve or "
                          "from another index", p->shown);
    if (c->frozen)
        return ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "pattern %s added to a cache already in use",
                          p->shown);
    for (size_t i = 0; i < p->nnodes; i++) {
        const pnode *pn = &p->nodes[i];
        if (!is_atom(pn))
            continue;
        int set = pat_cache_is_set(pn);
        for (size_t t = 0; t <= pn->nterms; t++) {
            if (t == pn->nterms && !set)
                break;
            if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 64;
                pc_term *nt = ig_reallocarray(c->t, cap, sizeof *nt);
                if (nt == NULL)
                    return ig_err_nomem(e, "pattern");
                c->t = nt;
                c->cap = cap;
            }
            pc_term *ct = &c->t[c->n];
            memset(ct, 0, sizeof *ct);
            if (t < pn->nterms) {
                ct->term = pn->terms[t];
            } else {
                /* the set after its members */
                ct->set = ig_malloc(pn->nterms * sizeof *ct->set);
                ct->mem = ig_calloc(pn->nterms, sizeof *ct->mem);
                if (ct->set == NULL || ct->mem == NULL) {
                    pc_term_free(ct);
                    return ig_err_nomem(e, "pattern");
                }
                memcpy(ct->set, pn->terms, pn->nterms * sizeof *ct->set);
                ct->nset = (uint32_t)pn->nterms;
            }
            c->n++;
        }
    }
    return IG_OK;
}

size_t pat_cache_term_count(pat_cache *c)
{
    pat_cache_freeze(c);
    return c->n;
}

int pat_cache_range(pat_cache *c, uint32_t d0, uint32_t d1, ig_err *e)
{
    pat_cache_freeze(c);
    if (d1 < d0 || (c->gen > 0 && d0 < c->d1))
        return ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "cache range [%u, %u) does not follow [%u, %u)", d0,
                          d1, c->d0, c->d1);
    c->d0 = d0;
    c->d1 = d1;
    c->gen++;
    for (size_t i = 0; i < c->n; i++) {
        c->t[i].ndocs = c->t[i].nv = 0;
        c->t[i].wmax = 0;
    }
    return IG_OK;
}

/* Room for one more document in t (docs and off). */
static int pc_grow_doc(pc_term *t)
{
    if (t->ndocs + 2 > t->capoff || t->ndocs + 1 > t->capdocs) {
        size_t cap = t->capdocs ? t->capdocs * 2 : 16;
        uint32_t *d = ig_reallocarray(t->docs, cap, sizeof *d);
        if (d == NULL)
            return IG_ENOMEM;
        t->docs = d;
        t->capdocs = cap;
        size_t *o = ig_reallocarray(t->off, cap + 1, sizeof *o);
        if (o == NULL)
            return IG_ENOMEM;
        t->off = o;
        t->capoff = cap + 1;
    }
    return IG_OK;
}

/* Append the spans of it's current document to *v (*n used, *cap room);
 * *sorted drops to 0 when a span is not above the one before it within
 * v[run..); *wmax rises to the widest span. */
static inline int pc_read_doc(idx_postings *it, uint64_t **v, size_t *n, size_t *cap, size_t run,
                       int *sorted, uint32_t *wmax, ig_err *e)
{
    uint32_t pos, span, w = *wmax;
    int rc;
    while ((rc = idx_postings_pos(it, &pos, &span, e)) == 1) {
        w = span > w ? span : w;
        if ((uint64_t)pos + span > UINT32_MAX)
            return pat_damaged(e, "position %u with span %u in document %u", pos, span, it->doc);
        uint64_t x = SPAN(pos, pos + span);
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            uint64_t *nv = ig_reallocarray(*v, nc, sizeof *nv);
            if (nv == NULL)
                return ig_err_nomem(e, "pattern");
            *v = nv;
            *cap = nc;
        }
        /* Positions never decrease within a term, but two spans at one
         * position could come in either order. */
        if (*n > run && (*v)[*n - 1] >= x)
            *sorted = 0;
        (*v)[(*n)++] = x;
    }
    *wmax = w;
    return rc < 0 ? rc : IG_OK;
}

/* Load a single term: its documents in the range, each run sorted and
 * unique. */
static int pc_load_term(pat_cache *c, pc_term *t, ig_err *e)
{
    int rc;
    if (!t->opened) {
        rc = idx_postings_open(c->r, t->term, &t->it, e);
        if (rc)
            return rc;
        rc = idx_postings_next_doc(&t->it, e);
        if (rc < 0)
            return rc;
        t->opened = 1;
        t->ended = rc == 0;
    }
    while (!t->ended && t->it.doc < c->d1) {
        if (t->it.doc >= c->d0) {
            if (pc_grow_doc(t))
                return ig_err_nomem(e, "pattern");
            t->docs[t->ndocs] = t->it.doc;
            t->off[t->ndocs] = t->nv;
            size_t run = t->nv;
            int sorted = 1;
            rc = pc_read_doc(&t->it, &t->v, &t->nv, &t->capv, run, &sorted, &t->wmax, e);
            if (rc)
                return rc;
            if (!sorted) {
                span_list l = { t->v + run, t->nv - run, t->nv - run };
                pat_span_sort_unique(&l);
                t->nv = run + l.n;
            }
            t->ndocs++;
            t->off[t->ndocs] = t->nv;
        }
        rc = idx_postings_next_doc(&t->it, e);
        if (rc < 0)
            return rc;
        t->ended = rc == 0;
    }
    return IG_OK;
}

/* Build a set from its members' postings, loaded for the current range:
 * for each document where some member occurs, the members' runs there
 * merged (as atom_list would merge them), sorted and unique.  IG_OK or
 * IG_ENOMEM. */
static int pc_build_set(pc_term *t)
{
    size_t k[PC_SET_MAX], b[PC_SET_MAX + 1];
    span_list l = { t->scratch, 0, t->capscratch };
    span_list tmp = { NULL, 0, 0 };
    int rc = IG_OK;
    t->ndocs = t->nv = 0;
    t->wmax = 0;
    for (uint32_t m = 0; m < t->nset; m++)
        t->wmax = t->mem[m]->wmax > t->wmax ? t->mem[m]->wmax : t->wmax;
    memset(k, 0, sizeof k);
    for (;;) {
        uint32_t d = 0;
        int any = 0;
        size_t len = 0;
        for (uint32_t m = 0; m < t->nset; m++) {
            const pc_term *x = t->mem[m];
            if (k[m] < x->ndocs && (!any || x->docs[k[m]] < d)) {
                d = x->docs[k[m]];
                any = 1;
            }
        }
        if (!any)
            break;
        size_t nruns = 0;
        for (uint32_t m = 0; m < t->nset; m++) {
            const pc_term *x = t->mem[m];
            if (k[m] < x->ndocs && x->docs[k[m]] == d)
                len += x->off[k[m] + 1] - x->off[k[m]];
        }
        if (pc_grow_doc(t)) {
            rc = IG_ENOMEM;
            break;
        }
        if (t->capv - t->nv < len) {
            size_t cap = t->capv ? t->capv : 64;
            while (cap - t->nv < len)
                cap *= 2;
            uint64_t *nv = ig_reallocarray(t->v, cap, sizeof *nv);
            if (nv == NULL) {
                rc = IG_ENOMEM;
                break;
            }
            t->v = nv;
            t->capv = cap;
        }
        size_t run = t->nv;
        uint32_t in[PC_SET_MAX], nin = 0;
        for (uint32_t m = 0; m < t->nset; m++)
            if (k[m] < t->mem[m]->ndocs && t->mem[m]->docs[k[m]] == d)
                in[nin++] = m;
        if (nin == 2) {
            /* Two members here (the usual case of a stem's forms): merged
             * straight from their runs, not copied and merged back. */
            const pc_term *x = t->mem[in[0]], *y = t->mem[in[1]];
            size_t xa = x->off[k[in[0]]], xz = x->off[k[in[0]] + 1];
            size_t ya = y->off[k[in[1]]], yz = y->off[k[in[1]] + 1];
            t->nv += pat_merge2(x->v + xa, xz - xa, y->v + ya, yz - ya, t->v + run);
            k[in[0]]++;
            k[in[1]]++;
            span_list seg = { t->v + run, t->nv - run, t->nv - run };
            pat_span_sort_unique(&seg);
            t->nv = run + seg.n;
        } else {
            for (uint32_t i = 0; i < nin; i++) {
                uint32_t m = in[i];
                const pc_term *x = t->mem[m];
                size_t a = x->off[k[m]], z = x->off[k[m] + 1];
                b[nruns++] = t->nv - run;
                memcpy(t->v + t->nv, x->v + a, (z - a) * sizeof *x->v);
                t->nv += z - a;
                k[m]++;
            }
        }
        b[nruns] = t->nv - run;
        if (nruns > 1) {
            /* each run is sorted and unique (pc_load_term): merge them */
            if (l.cap < len) {
                uint64_t *nv = ig_reallocarray(l.v, len, sizeof *nv);
                if (nv == NULL) {
                    rc = IG_ENOMEM;
                    break;
                }
                l.v = nv;
                l.cap = len;
            }
            memcpy(l.v, t->v + run, len * sizeof *l.v);
            l.n = len;
            if (pat_merge_runs(&l, b, nruns, &tmp)) {
                rc = IG_ENOMEM;
                break;
            }
            pat_span_sort_unique(&l);
            memcpy(t->v + run, l.v, l.n * sizeof *l.v);
            t->nv = run + l.n;
        }
        t->docs[t->ndocs] = d;
        t->off[t->ndocs] = run;
        t->ndocs++;
        t->off[t->ndocs] = t->nv;
    }
    if (t->ndocs == 0 && t->capoff > 0)
        t->off[0] = 0;
    /* merge_runs may have left either buffer in l: keep it, drop the other */
    t->scratch = l.v;
    t->capscratch = l.cap;
    ig_free(tmp.v);
    return rc;
}

int pat_cache_set_ready(const pat_cache *c, pc_term *t)
{
    if (__atomic_load_n(&t->built, __ATOMIC_ACQUIRE) == c->gen)
        return IG_OK;
    int rc = IG_OK;
    pthread_mutex_lock(&t->lock);
    if (__atomic_load_n(&t->built, __ATOMIC_RELAXED) != c->gen) {
        rc = pc_build_set(t);
        if (rc == IG_OK)
            __atomic_store_n(&t->built, c->gen, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int pat_cache_load(pat_cache *c, size_t i, ig_err *e)
{
    if (i >= c->n || c->gen == 0)
        return ig_err_set(e, IG_EUSAGE, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "cache term %zu loaded out of range or before a range",
                          i);
    pc_term *t = &c->t[i];
    if (t->nset)
        return IG_OK; /* built from its members when a scan first needs it */
    t->ndocs = t->nv = 0;
    t->wmax = 0;
    int rc = pc_load_term(c, t, e);
    if (rc)
        return rc;
    if (t->ndocs == 0 && t->capoff > 0)
        t->off[0] = 0;
    return IG_OK;
}

/*
 * classify.c: the dictionary half of the classify stage: resolve the cue
 * and negator patterns, walk their postings block by block, turn matches
 * into counted cues (overlap, negation), score every document and section,
 * bootstrap the intervals and stream evidence.csv (classify.h states every
 * rule; classify_open.c sets a run up and resolves the patterns,
 * classify_out.c holds the scaling models and the other tables).
 *
 * Pipeline place: between the index and the tables of `igmap classify`.
 *
 * Work is cut into blocks of documents (about CLS_BLOCK_POSITIONS token
 * positions or CLS_BLOCK_DOCS documents).  Per block:
 *   0. workers decode the block's postings of every term the lexicons use,
 *      once per term however many entries share it (pattern.h, pat_cache;
 *      each term's cursor moves front to back once over the whole run),
 *      and the sentence numbers of the block's documents (the scans'
 *      part of their layouts);
 *   A. matching: every pattern's scan (one per lexicon entry, on the cache)
 *      collects its matches in the block; workers take patterns from a
 *      shared counter, the costliest of the last block first;
 *   B. the matches are regrouped by document, then workers take documents
 *      CLS_TEXT_GROUP at a time (their texts decoded together, score_task;
 *      each document's whole layout decoded as it is scored):
 *      overlap, negation, sums, bootstrap (classify_boot.c), and the
 *      document's evidence.csv rows, contexts included, encoded as bytes
 *      (classify_ev.c);
 *   C. the calling thread counts coverage and keeps the positions rows,
 *      in document order, and hands the block's evidence bytes to the
 *      file from the documents' buffers (out.h, ig_out_writev), while the
 *      other workers start on the next block's phases 0 and A (which do
 *      not touch the scoring results).
 * Results are stored by pattern and document number, so the thread count
 * changes nothing in the output.
 */
#include "classify.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "alloc.h"
#include "buf.h"
#include "classify_int.h"
#include "csv.h"
#include "limits.h"

/* Block size: bounds the memory held for one block's matches and results. */
#define CLS_BLOCK_POSITIONS ((uint64_t)1 << 21)
#define CLS_BLOCK_DOCS 4096u
/* Documents a scoring task: their texts are decoded together (score_task);
 * enough that most of the decoding runs two streams side by side, few
 * enough that the threads finish a block together. */
#define CLS_TEXT_GROUP 8u
/* Positions of the largest layout a worker keeps from one document to the
 * next (28 bytes a position). */
#define CLS_LAYOUT_KEEP (1u << 20)

/* ---- small things ------------------------------------------------------- */

static const char *const label_names[] = { "none", "multilateral", "multistakeholder",
                                           "mixed" };

const char *cls_label_name(int label)
{
    return label >= 0 && label < 4 ? label_names[label] : NULL;
}

double cls_score_of(double ml, double ms, double k)
{
    return cls_score_formula(ml, ms, k);
}

void cls_opts_default(cls_opts *o)
{
    memset(o, 0, sizeof *o);
    o->negation = CLS_NEG_FLIP;
    o->negation_factor = 1.0;
    o->cross = CLS_CROSS_BOTH;
    o->quotes = CLS_QUOTES_MENTION;
    o->smoothing = 3.0;
    o->threshold = 0.2;
    o->min_cues = 1;
    o->min_stance_cues = 1;
    o->bootstrap = 1000;
    o->seed = 1;
    o->threads = 1;
    o->sections = 1;
    o->context = 8;
    o->wordscores = 1;
    o->wordfish = 1;
    o->scale_min_docs = 2;
    o->scale_features = 2000;
    o->wordfish_max_docs = 2000;
    scl_wf_opts_default(&o->wf);
}

int cls_rows_push(cls_run *run, const cls_row *row)
{
    if (run->nrows == run->caprows) {
        size_t c = run->caprows ? run->caprows * 2 : 256;
        cls_row *n = ig_reallocarray(run->rows, c, sizeof *n);
        if (n == NULL)
            return IG_ENOMEM;
        run->rows = n;
        run->caprows = c;
    }
    run->rows[run->nrows++] = *row;
    return IG_OK;
}

size_t cls_row_count(const cls_run *run)
{
    return run->nrows;
}

const cls_row *cls_row_get(const cls_run *run, size_t i)
{
    return i < run->nrows ? &run->rows[i] : NULL;
}

uint64_t cls_evidence_count(const cls_run *run)
{
    return run->nevidence;
}

uint64_t cls_entry_matches(const cls_run *run, size_t entry)
{
    return entry < run->nent ? run->ent[entry].matches : 0;
}

/* ---- per-document scoring ----------------------------------------------- */

/* A match of one entry in the current document. */
typedef struct dmatch {
    uint32_t entry, first, last;
} dmatch;

/* A candidate cue. */
typedef struct cand {
    uint32_t entry, first, last;
    uint32_t owner;       /* the accepted cue it merged into (itself if taken) */
    uint32_t wentry;      /* taken cues: entry whose weight counts */
    uint32_t merged;      /* taken cues: matches merged into it */
    double gw;            /* taken cues: highest weight merged */
    int dropped;          /* lost an opposite-pole overlap */
} cand;

/* A negator match. */
typedef struct negm {
    uint32_t first, last, entry;
} negm;

/* What scoring one document produced. */
typedef struct docres {
    cls_row *rows;
    size_t nrows, caprows;
    cls_evid *ev;
    size_t nev, capev;
    uint32_t *absorbed;   /* entries of matches merged away or dropped */
    size_t nabs, capabs;
    uint32_t *quoted;     /* entries of cues dropped as quoted */
    size_t nquo, capquo;
    ig_buf csv;           /* its evidence.csv rows, encoded */
} docres;

/* Sort keys. */
typedef struct okey {     /* same-pole overlap: longest first */
    uint32_t len, idx, first;
    double w;
    uint64_t line;
} okey;

typedef struct ekey {     /* evidence order */
    uint32_t first, pole, idx;
    uint64_t line;
} ekey;

/* Scratch of one worker, reused across documents. */
typedef struct worker {
    ig_buf text;
    cand *c;
    size_t capc;
    okey *ok;
    size_t capok;
    ekey *ek;
    size_t capek;
    negm *neg;
    size_t capn;
    uint32_t *own;        /* 2 x positions: accepted cue per pole and position */
    size_t capown;
    uint32_t *secs;       /* section numbers present */
    size_t capsec;
    unsigned char *focus; /* per position: a focus particle starts here */
    size_t capfocus;
    uint32_t *priv;       /* priv[p]: privative words starting before p */
    size_t cappriv;
    uint32_t text_doc;    /* document whose text is in text, or UINT32_MAX */
    idx_layout lay;       /* the whole layout of the document being scored */
    ig_buf more[CLS_TEXT_GROUP]; /* texts decoded with it (score_task) */
    uint32_t more_doc[CLS_TEXT_GROUP]; /* their documents, or UINT32_MAX */
    cls_boot boot;        /* bootstrap scratch */
    double *sml, *sms;    /* per cue sentence sums */
    size_t capsml, capsms;
    unsigned char *sortbuf; /* merge sort scratch */
    size_t capsort;
    ig_err e;
} worker;

static void worker_free(worker *w)
{
    ig_buf_free(&w->text);
    idx_layout_free(&w->lay);
    for (size_t i = 0; i < CLS_TEXT_GROUP; i++)
        ig_buf_free(&w->more[i]);
    ig_free(w->c);
    ig_free(w->ok);
    ig_free(w->ek);
    ig_free(w->neg);
    ig_free(w->own);
    ig_free(w->secs);
    ig_free(w->focus);
    ig_free(w->priv);
    cls_boot_free(&w->boot);
    ig_free(w->sml);
    ig_free(w->sms);
    ig_free(w->sortbuf);
    memset(w, 0, sizeof *w);
}

static void docres_free(docres *d)
{
    ig_free(d->rows);
    ig_free(d->ev);
    ig_free(d->absorbed);
    ig_free(d->quoted);
    ig_buf_free(&d->csv);
    memset(d, 0, sizeof *d);
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

#define GROW(arr, cap, n) grow((void **)&(arr), &(cap), (n), sizeof *(arr))

static inline int cmp_okey(const void *a, const void *b)
{
    const okey *p = a, *q = b;
    if (p->len != q->len)
        return p->len > q->len ? -1 : 1;
    if (p->w != q->w)
        return p->w > q->w ? -1 : 1;
    if (p->line != q->line)
        return p->line < q->line ? -1 : 1;
    if (p->first != q->first)
        return p->first < q->first ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

static inline int cmp_ekey(const void *a, const void *b)
{
    const ekey *p = a, *q = b;
    if (p->first != q->first)
        return p->first < q->first ? -1 : 1;
    if (p->pole != q->pole)
        return p->pole < q->pole ? -1 : 1;
    if (p->line != q->line)
        return p->line < q->line ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

static inline int cmp_negm(const void *a, const void *b)
{
    const negm *p = a, *q = b;
    if (p->last != q->last)
        return p->last < q->last ? -1 : 1;
    /* Same end: the earlier lexicon entry sorts last, so the backward walk
     * in find_negator meets it first. */
    if (p->entry != q->entry)
        return p->entry > q->entry ? -1 : 1;
    return p->first < q->first ? -1 : p->first > q->first;
}

/* Sorts of one document's keys, in place, with w->sortbuf as scratch: a
 * merge sort (insertion sort on runs of 16, then merges) whose comparisons
 * inline, where qsort called through a pointer for each.  Every key ends
 * in a unique index, so the order is total and the result is the one
 * qsort gave.  Returns 0 or IG_ENOMEM. */
#define CLS_SORT(name, T, cmp)                                                      \
    static int name(worker *w, T *a, size_t n)                                     \
    {                                                                              \
        if (n < 2)                                                                 \
            return IG_OK;                                                          \
        if (grow((void **)&w->sortbuf, &w->capsort, n * sizeof(T), 1))             \
            return IG_ENOMEM;                                                      \
        for (size_t s0 = 0; s0 < n; s0 += 16) {                                    \
            size_t s1 = n - s0 < 16 ? n : s0 + 16;                                 \
            for (size_t i = s0 + 1; i < s1; i++) {                                 \
                T v = a[i];                                                        \
                size_t j = i;                                                      \
                for (; j > s0 && cmp(&v, &a[j - 1]) < 0; j--)                      \
                    a[j] = a[j - 1];                                               \
                a[j] = v;                                                          \
            }                                                                      \
        }                                                                          \
        T *src = a, *dst = (T *)(void *)w->sortbuf;                                \
        for (size_t run = 16; run < n; run *= 2) {                                 \
            for (size_t lo = 0; lo < n; lo += 2 * run) {                           \
                size_t mid = n - lo < run ? n : lo + run;                          \
                size_t hi = n - lo < 2 * run ? n : lo + 2 * run;                   \
                size_t i = lo, j = mid, k = lo;                                    \
                while (i < mid && j < hi)                                          \
                    dst[k++] = cmp(&src[j], &src[i]) < 0 ? src[j++] : src[i++];    \
                while (i < mid)                                                    \
                    dst[k++] = src[i++];                                           \
                while (j < hi)                                                     \
                    dst[k++] = src[j++];                                           \
            }                                                                      \
            T *t = src;                                                            \
            src = dst;                                                             \
            dst = t;                                                               \
        }                                                                          \
        if (src != a)                                                              \
            memcpy(a, src, n * sizeof(T));                                         \
        return IG_OK;                                                              \
    }
CLS_SORT(sort_okey, okey, cmp_okey)
CLS_SORT(sort_ekey, ekey, cmp_ekey)
CLS_SORT(sort_negm, negm, cmp_negm)

static int label_of(const cls_opts *o, const cls_row *row)
{
    if (row->cues < o->min_cues ||
        row->cues - row->dim_cues[LEX_DIM_ACTORS] < o->min_stance_cues)
        return CLS_NONE;
    if (row->score >= o->threshold)
        return CLS_MULTISTAKEHOLDER;
    if (row->score <= -o->threshold)
        return CLS_MULTILATERAL;
    /* Near 0 with cues of one pole only is weak evidence, not a mixture. */
    if (row->weight[LEX_MULTILATERAL] > 0 && row->weight[LEX_MULTISTAKEHOLDER] > 0)
        return CLS_MIXED;
    return CLS_NONE;
}

static void row_init(cls_row *row, uint32_t doc, uint32_t section)
{
    memset(row, 0, sizeof *row);
    row->doc = doc;
    row->section = section;
    row->lo = row->hi = NAN;
    row->ws_raw = row->ws_se = row->ws_lbg = row->ws_lbg_se = NAN;
    row->ws_mv = row->ws_mv_se = row->ws_words = NAN;
    row->wf_theta = row->wf_se = NAN;
}

static int damaged(ig_err *e, const idx_reader *r, uint32_t doc, const char *what)
{
    return ig_err_set(e, IG_EDATA, CLS_STAGE, idx_doc_id(r, doc), IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "damaged index: %s (run igmap check)", what);
}

/* The negator that reaches the cue starting at f, or UINT32_MAX: the nearest
 * negator ending before f in f's sentence whose scope covers f, unless a
 * focus particle follows it right away (and the cue starts after the
 * particle) or a privative word lies between them (classify.h). */
static uint32_t find_negator(const cls_run *run, const worker *w, size_t nn,
                             const idx_layout *L, uint32_t f)
{
    size_t a = 0, z = nn;
    while (a < z) { /* first negator with last >= f */
        size_t mid = a + (z - a) / 2;
        if (w->neg[mid].last < f)
            a = mid + 1;
        else
            z = mid;
    }
    while (a > 0) {
        const negm *g = &w->neg[--a];
        if (f - g->last > LEX_MAX_SCOPE)
            break;
        if (f - g->last > run->ent[g->entry].scope || L->sentence[g->last] != L->sentence[f])
            continue;
        uint32_t next = g->last + 1;
        if (run->focus != SIZE_MAX && next < f && w->focus[next])
            continue; /* "not only X but also Y" affirms X */
        if (run->privative != SIZE_MAX && w->priv[f] != w->priv[next])
            continue; /* "does not undermine X" affirms X */
        return g->entry;
    }
    return UINT32_MAX;
}

/* Quotation marks of the quote rule (UTF-8): ASCII '"', and the opening
 * U+201C, U+201E, U+2018, U+00AB and closing U+201D, U+00BB.  The closing
 * single quote U+2019 is left out: it is also the apostrophe ("States'"). */
static int quote_open_before(const unsigned char *t, uint64_t s)
{
    if (s >= 1 && t[s - 1] == '"')
        return 1;
    if (s >= 3 && t[s - 3] == 0xE2 && t[s - 2] == 0x80 &&
        (t[s - 1] == 0x9C || t[s - 1] == 0x9E || t[s - 1] == 0x98))
        return 1;
    return s >= 2 && t[s - 2] == 0xC2 && t[s - 1] == 0xAB;
}

static int quote_close_after(const unsigned char *t, size_t n, uint64_t e)
{
    if (e < n && t[e] == '"')
        return 1;
    if (e + 3 <= n && t[e] == 0xE2 && t[e + 1] == 0x80 && t[e + 2] == 0x9D)
        return 1;
    return e + 2 <= n && t[e] == 0xC2 && t[e + 1] == 0xBB;
}

/* Whether t[s..e) holds a byte that starts a quotation mark ('"', or the
 * lead byte 0xE2 or 0xC2 of the others): most cues hold none, and this
 * looks at 16 bytes a step where the byte loop below looks at one. */
static int quote_lead_in(const unsigned char *t, uint64_t s, uint64_t e)
{
#if defined(__SSE2__)
    const __m128i dq = _mm_set1_epi8('"'), e2 = _mm_set1_epi8((char)0xE2),
                  c2 = _mm_set1_epi8((char)0xC2);
    for (; e - s >= 16; s += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + s));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, dq),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, e2), _mm_cmpeq_epi8(x, c2)));
        if (_mm_movemask_epi8(hit))
            return 1;
    }
#endif
    for (; s < e; s++)
        if (t[s] == '"' || t[s] == 0xE2 || t[s] == 0xC2)
            return 1;
    return 0;
}

/* The cue at bytes [s, e) of the text is quoted: a quotation mark right
 * before it, right after it, or between its words. */
static int is_quoted(const ig_buf *text, uint64_t s, uint64_t e)
{
    const unsigned char *t = (const unsigned char *)text->data;
    size_t n = text->len;
    if (s > e || e > n)
        return 0;
    if (quote_open_before(t, s) || quote_close_after(t, n, e))
        return 1;
    if (!quote_lead_in(t, s, e))
        return 0;
    for (uint64_t i = s; i < e; i++) {
        if (t[i] == '"')
            return 1;
        if (i + 3 <= e && t[i] == 0xE2 && t[i + 1] == 0x80 &&
            (t[i + 2] == 0x9C || t[i + 2] == 0x9D || t[i + 2] == 0x9E || t[i + 2] == 0x98))
            return 1;
        if (i + 2 <= e && t[i] == 0xC2 && (t[i + 1] == 0xAB || t[i + 1] == 0xBB))
            return 1;
    }
    return 0;
}

/* The document's text in w->text (inflated once per document, perhaps
 * beside another one: score_task). */
static int load_text(const cls_run *run, worker *w, uint32_t doc)
{
    if (w->text_doc == doc)
        return IG_OK;
    for (size_t i = 0; i < CLS_TEXT_GROUP; i++)
        if (w->more_doc[i] == doc) {
            ig_buf t = w->text;
            w->text = w->more[i];
            w->more[i] = t;
            w->more_doc[i] = w->text_doc;
            w->text_doc = doc;
            return IG_OK;
        }
    w->text_doc = UINT32_MAX;
    int rc = idx_doc_text(run->r, doc, &w->text, &w->e);
    if (rc == IG_OK)
        w->text_doc = doc;
    return rc;
}

/* Index of section s in the sorted w->secs[0..nsec), or -1. */
static long sec_index(const worker *w, size_t nsec, uint32_t s)
{
    size_t a = 0, z = nsec;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (w->secs[mid] < s)
            a = mid + 1;
        else
            z = mid;
    }
    return a < nsec && w->secs[a] == s ? (long)a : -1;
}

/* Same-pole overlap (classify.h): candidates longest first; a candidate
 * touching a taken one merges into it. */
static int resolve_same_pole(const cls_run *run, worker *w, size_t nc, uint32_t npos,
                             docres *res)
{
    if (GROW(w->ok, w->capok, nc + 1) || GROW(w->own, w->capown, 2 * (size_t)npos + 2))
        return IG_ENOMEM;
    for (size_t i = 0; i < nc; i++) {
        const cls_entry *en = &run->ent[w->c[i].entry];
        w->ok[i].len = w->c[i].last - w->c[i].first;
        w->ok[i].idx = (uint32_t)i;
        w->ok[i].first = w->c[i].first;
        w->ok[i].w = en->weight;
        w->ok[i].line = en->line;
    }
    if (sort_okey(w, w->ok, nc))
        return IG_ENOMEM;
    for (size_t p = 0; p < 2 * (size_t)npos; p++)
        w->own[p] = UINT32_MAX;
    for (size_t k = 0; k < nc; k++) {
        uint32_t ci = w->ok[k].idx;
        cand *c = &w->c[ci];
        const cls_entry *en = &run->ent[c->entry];
        uint32_t *own = w->own + (size_t)en->pole * npos;
        uint32_t hit = UINT32_MAX;
        for (uint32_t p = c->first; p <= c->last; p++)
            if (own[p] != UINT32_MAX) {
                hit = own[p];
                break;
            }
        if (hit == UINT32_MAX) {
            c->owner = ci;
            for (uint32_t p = c->first; p <= c->last; p++)
                own[p] = ci;
            continue;
        }
        cand *t = &w->c[hit];
        c->owner = hit;
        t->merged++;
        if (en->weight > t->gw) {
            t->gw = en->weight;
            t->wentry = c->entry;
        }
        if (GROW(res->absorbed, res->capabs, res->nabs + 1))
            return IG_ENOMEM;
        res->absorbed[res->nabs++] = c->entry;
    }
    return IG_OK;
}

/* Opposite-pole overlap, rule "nearest" (classify.h). */
static int resolve_cross_pole(const cls_run *run, worker *w, size_t nc, uint32_t npos,
                              docres *res)
{
    const uint32_t *own_ms = w->own + (size_t)LEX_MULTISTAKEHOLDER * npos;
    for (size_t i = 0; i < nc; i++) {
        cand *a = &w->c[i];
        if (a->owner != i || run->ent[a->entry].pole != LEX_MULTILATERAL)
            continue;
        uint32_t prev = UINT32_MAX;
        for (uint32_t p = a->first; p <= a->last; p++) {
            uint32_t j = own_ms[p];
            if (j == UINT32_MAX || j == prev)
                continue;
            prev = j;
            cand *b = &w->c[j];
            uint32_t la = a->last - a->first, lb = b->last - b->first;
            if (la == lb)
                continue;
            int near = run->ent[a->entry].is_near && run->ent[b->entry].is_near;
            cand *loser = near ? (la > lb ? a : b) : (la < lb ? a : b);
            loser->dropped = 1;
        }
    }
    for (size_t i = 0; i < nc; i++)
        if (w->c[i].owner == i && w->c[i].dropped) {
            if (GROW(res->absorbed, res->capabs, res->nabs + 1))
                return IG_ENOMEM;
            res->absorbed[res->nabs++] = w->c[i].entry;
        }
    return IG_OK;
}

/* The context of every evidence row of res: --context tokens either side,
 * as a byte range of the document's text (loaded into w->text). */
static int context_ranges(const cls_run *run, worker *w, uint32_t doc, const idx_layout *L,
                          docres *res)
{
    int rc = load_text(run, w, doc);
    if (rc)
        return rc;
    uint32_t win = run->o.context;
    for (size_t i = 0; i < res->nev; i++) {
        cls_evid *v = &res->ev[i];
        uint32_t p = v->first >= win ? v->first - win : 0;
        uint32_t q = (uint64_t)v->last + win < L->n ? v->last + win : L->n - 1;
        uint64_t lf = L->start[p], rt = L->end[q];
        if (v->start > v->end || v->end > w->text.len || lf > v->start || rt < v->end ||
            rt > w->text.len)
            return damaged(&w->e, run->r, doc, "byte range beyond the text");
        v->ctx0 = lf;
        v->ctx1 = rt;
    }
    return IG_OK;
}

/* Score, label and bootstrap every row of res from its evidence. */
static int finish_rows(const cls_run *run, worker *w, uint32_t doc, docres *res)
{
    const cls_opts *o = &run->o;
    const char *id = idx_doc_id(run->r, doc);
    for (size_t ri = 0; ri < res->nrows; ri++) {
        cls_row *row = &res->rows[ri];
        uint32_t m = 0, last_sent = UINT32_MAX;
        for (size_t i = 0; i < res->nev; i++) {
            const cls_evid *v = &res->ev[i];
            if (row->section != 0 && v->section != row->section)
                continue;
            row->cues++;
            row->negated += v->negator != UINT32_MAX;
            row->weight[v->pole] += v->weight;
            row->dim[run->ent[v->entry].dim][v->pole] += v->weight;
            row->dim_cues[run->ent[v->entry].dim]++;
            if (v->sentence != last_sent) {
                if (GROW(w->sml, w->capsml, (size_t)m + 1) ||
                    GROW(w->sms, w->capsms, (size_t)m + 1))
                    return ig_err_nomem(&w->e, CLS_STAGE);
                w->sml[m] = w->sms[m] = 0;
                m++;
                last_sent = v->sentence;
            }
            if (v->pole == LEX_MULTILATERAL)
                w->sml[m - 1] += v->weight;
            else
                w->sms[m - 1] += v->weight;
        }
        row->score = cls_score_of(row->weight[0], row->weight[1], o->smoothing);
        row->label = label_of(o, row);
        if (cls_bootstrap(&w->boot, w->sml, w->sms, m, row->sentences, o, id, row->section,
                          &row->lo, &row->hi))
            return ig_err_nomem(&w->e, CLS_STAGE);
    }
    return IG_OK;
}

/* Score document doc from its matches m[0..nm) (by entry, then position)
 * into res (reset first). */
static int score_doc(const cls_run *run, worker *w, uint32_t doc, const idx_layout *L,
                     const dmatch *m, size_t nm, int want_evidence, docres *res)
{
    const cls_opts *o = &run->o;
    const idx_reader *r = run->r;
    ig_err *e = &w->e;
    res->nrows = res->nev = res->nabs = res->nquo = 0;
    ig_buf_reset(&res->csv);
    idx_doc_stats st;
    if (idx_doc_stats_get(r, doc, &st) != 0)
        return damaged(e, r, doc, "no document statistics");
    int want_sections = o->sections && st.sections > 0;
    if (GROW(res->rows, res->caprows, 1))
        return ig_err_nomem(e, CLS_STAGE);
    row_init(&res->rows[0], doc, 0);
    res->rows[0].sentences = st.sentences;
    res->nrows = 1;
    if (nm == 0 && !want_sections)
        return finish_rows(run, w, doc, res);
    int rc;
    uint32_t npos = L->n;

    /* Sections present, each with its sentence count. */
    size_t nsec = 0;
    if (want_sections) {
        uint32_t prev = UINT32_MAX;
        for (uint32_t p = 0; p < npos; p++) {
            uint32_t s = L->section[p];
            if (s == 0 || s == prev)
                continue;
            prev = s;
            if (sec_index(w, nsec, s) >= 0)
                continue;
            if (GROW(w->secs, w->capsec, nsec + 1))
                return ig_err_nomem(e, CLS_STAGE);
            w->secs[nsec++] = s;
            for (size_t k = nsec - 1; k > 0 && w->secs[k - 1] > w->secs[k]; k--) {
                uint32_t t = w->secs[k];
                w->secs[k] = w->secs[k - 1];
                w->secs[k - 1] = t;
            }
        }
        if (GROW(res->rows, res->caprows, nsec + 1))
            return ig_err_nomem(e, CLS_STAGE);
        for (size_t k = 0; k < nsec; k++)
            row_init(&res->rows[k + 1], doc, w->secs[k]);
        res->nrows = nsec + 1;
        uint32_t ps = UINT32_MAX, pq = UINT32_MAX;
        for (uint32_t p = 0; p < npos; p++) {
            uint32_t s = L->section[p], q = L->sentence[p];
            if (s == ps && q == pq)
                continue;
            ps = s;
            pq = q;
            long k = s ? sec_index(w, nsec, s) : -1;
            if (k >= 0)
                res->rows[k + 1].sentences++;
        }
    }

    /* Candidates, negators, focus particles and privative words. */
    size_t nc = 0, nn = 0;
    for (size_t i = 0; i < nm; i++) {
        if (m[i].last >= npos || m[i].first > m[i].last)
            return damaged(e, r, doc, "match beyond the document's positions");
        if (m[i].entry < run->npos) {
            nc++;
            continue;
        }
        if (m[i].entry < run->nlex)
            nn++;
    }
    if (GROW(w->c, w->capc, nc + 1) || GROW(w->neg, w->capn, nn + 1) ||
        GROW(w->focus, w->capfocus, (size_t)npos + 1) ||
        GROW(w->priv, w->cappriv, (size_t)npos + 2))
        return ig_err_nomem(e, CLS_STAGE);
    memset(w->focus, 0, (size_t)npos + 1);
    memset(w->priv, 0, ((size_t)npos + 2) * sizeof *w->priv);
    nc = nn = 0;
    for (size_t i = 0; i < nm; i++) {
        if (m[i].entry >= run->nlex) {
            if (m[i].entry == run->focus)
                w->focus[m[i].first] = 1;
            else
                w->priv[m[i].first + 1]++;
            continue;
        }
        if (m[i].entry < run->npos) {
            cand *c = &w->c[nc++];
            c->entry = c->wentry = m[i].entry;
            c->first = m[i].first;
            c->last = m[i].last;
            c->owner = UINT32_MAX;
            c->merged = 0;
            c->gw = run->ent[m[i].entry].weight;
            c->dropped = 0;
        } else {
            negm *g = &w->neg[nn++];
            g->first = m[i].first;
            g->last = m[i].last;
            g->entry = m[i].entry;
        }
    }
    for (uint32_t p = 0; p <= npos; p++) /* prefix counts */
        w->priv[p + 1] += w->priv[p];
    if (sort_negm(w, w->neg, nn))
        return ig_err_nomem(e, CLS_STAGE);
    if (resolve_same_pole(run, w, nc, npos, res) ||
        (o->cross == CLS_CROSS_NEAREST && resolve_cross_pole(run, w, nc, npos, res)))
        return ig_err_nomem(e, CLS_STAGE);

    /* Quoted cues are mentioned, not used. */
    if (o->quotes == CLS_QUOTES_MENTION && nc > 0) {
        rc = load_text(run, w, doc);
        if (rc)
            return rc;
        for (size_t i = 0; i < nc; i++) {
            cand *c = &w->c[i];
            if (c->owner != i || c->dropped)
                continue;
            if (!is_quoted(&w->text, L->start[c->first], L->end[c->last]))
                continue;
            c->dropped = 1;
            if (GROW(res->quoted, res->capquo, res->nquo + 1))
                return ig_err_nomem(e, CLS_STAGE);
            res->quoted[res->nquo++] = c->entry;
        }
    }

    /* Counted cues in position order, then pole, then line. */
    size_t nk = 0;
    if (GROW(w->ek, w->capek, nc + 1))
        return ig_err_nomem(e, CLS_STAGE);
    for (size_t i = 0; i < nc; i++) {
        const cand *c = &w->c[i];
        if (c->owner != i || c->dropped)
            continue;
        w->ek[nk].first = c->first;
        w->ek[nk].pole = (uint32_t)run->ent[c->entry].pole;
        w->ek[nk].line = run->ent[c->entry].line;
        w->ek[nk].idx = (uint32_t)i;
        nk++;
    }
    if (sort_ekey(w, w->ek, nk))
        return ig_err_nomem(e, CLS_STAGE);
    if (GROW(res->ev, res->capev, nk + 1))
        return ig_err_nomem(e, CLS_STAGE);
    for (size_t k = 0; k < nk; k++) {
        const cand *c = &w->c[w->ek[k].idx];
        const cls_entry *en = &run->ent[c->entry];
        cls_evid *v = &res->ev[res->nev++];
        memset(v, 0, sizeof *v);
        v->entry = c->entry;
        v->wentry = c->wentry;
        v->merged = c->merged;
        v->first = c->first;
        v->last = c->last;
        v->sentence = L->sentence[c->first];
        v->section = L->section[c->first];
        v->start = L->start[c->first];
        v->end = L->end[c->last];
        v->pole = en->pole;
        v->weight = c->gw;
        v->negator = o->negation == CLS_NEG_IGNORE
                         ? UINT32_MAX
                         : find_negator(run, w, nn, L, c->first);
        if (v->negator != UINT32_MAX) {
            v->weight = c->gw * o->negation_factor;
            if (o->negation == CLS_NEG_FLIP)
                v->pole = 1 - en->pole;
        }
    }
    rc = finish_rows(run, w, doc, res);
    if (rc || !want_evidence || res->nev == 0)
        return rc;
    if (o->context > 0) {
        rc = context_ranges(run, w, doc, L, res);
        if (rc)
            return rc;
    }
    if (cls_ev_rows(run, w->text.data, doc, res->ev, res->nev, &res->csv) != IG_OK)
        return ig_err_nomem(&w->e, CLS_STAGE);
    return IG_OK;
}

/* ---- blocks, threads and evidence ------------------------------------------ */

/* One pattern's scan and its matches in the current block. */
struct block;

typedef struct pstate {
    pat_scan *s;            /* on the block's postings cache */
    dmatch *m;              /* matches in the block (entry field: document) */
    size_t nm, capm;
    struct block *bk;       /* for the layout source */
    double cost;            /* seconds its last block took (scheduling only) */
} pstate;

/* Patterns by decreasing cost, for scheduling. */
typedef struct pcost {
    double cost;
    size_t p;
} pcost;

static int cmp_pcost(const void *a, const void *b)
{
    const pcost *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The phases of a block, as the file's header names them: 0, A and B (C
 * is the calling thread's, outside run_phase). */
enum cls_phase { PH_PREP, PH_MATCH, PH_SCORE };

typedef struct block {
    cls_run *run;
    pstate *ps;
    uint32_t b0, b1;        /* documents [b0, b1) */
    size_t *off;            /* per document of the block: start in dm */
    dmatch *dm;             /* matches regrouped by document */
    size_t capdm, capoff;
    docres *res;            /* per document of the block */
    size_t capres;
    worker *wk;             /* per thread */
    unsigned nthreads;
    /* work distribution */
    size_t next;            /* shared counter (atomic) */
    size_t ntasks;
    int phase;              /* enum cls_phase */
    pat_cache *cache;       /* every entry's terms, decoded per block */
    size_t nterms;          /* terms in the cache */
    size_t *order;          /* matching: patterns, the costliest first */
    pcost *costs;
    idx_layout *lays;       /* per document of the block: its layout */
    size_t caplays;
    int failed;             /* atomic: some worker failed */
    size_t err_task;        /* lowest failed task */
    ig_err err;
    pthread_mutex_t lock;
    /* Phase C of the previous block, done by the calling thread while the
     * other workers start on the next block's phases 0 and A, which do not
     * touch res (collect_pending). */
    ig_out *evidence;       /* evidence.csv, or NULL */
    ig_piece *pieces;       /* the pending block's evidence, for the writev */
    size_t cappieces;
    uint32_t pend_b0;       /* first document of the pending block */
    size_t pend_n;          /* its documents (0: nothing pending) */
    size_t pend_done;       /* those collected */
    int pend_rc;            /* collect's first failure */
} block;

static void collect_pending(block *bk, size_t ntasks);

/* Phase A for one pattern: its matches in [b0, b1), from the block's
 * postings cache. */
static int match_pattern(block *bk, size_t p, ig_err *e)
{
    pstate *ps = &bk->ps[p];
    ps->nm = 0;
    int rc = pat_scan_seek(ps->s, bk->b0, e);
    while (rc == 1) {
        uint32_t doc = pat_scan_doc(ps->s);
        const pat_match *m;
        size_t n;
        rc = pat_scan_doc_matches(ps->s, &m, &n, e);
        if (rc)
            return rc;
        if (GROW(ps->m, ps->capm, ps->nm + n))
            return ig_err_nomem(e, CLS_STAGE);
        for (size_t i = 0; i < n; i++) {
            dmatch *d = &ps->m[ps->nm++];
            d->entry = doc;
            d->first = m[i].first;
            d->last = m[i].last;
        }
        rc = pat_scan_next_doc(ps->s, e);
    }
    if (rc < 0)
        return rc;
    bk->run->ent[p].matches += ps->nm;
    return IG_OK;
}

/* Phase B for documents [CLS_TEXT_GROUP t, CLS_TEXT_GROUP (t + 1)) of the
 * block.  The texts score_doc will read (documents with matches, when the
 * quote rule or the evidence contexts read texts) are decoded together
 * (index.h, idx_doc_texts: two side by side); should that decline,
 * load_text decodes each alone and reports any damage: same outcome. */
static int score_task(block *bk, size_t t, worker *w)
{
    const cls_opts *o = &bk->run->o;
    int texts = o->quotes == CLS_QUOTES_MENTION || (bk->evidence != NULL && o->context > 0);
    size_t nd = bk->b1 - bk->b0, k0 = CLS_TEXT_GROUP * t;
    size_t k1 = nd - k0 > CLS_TEXT_GROUP ? k0 + CLS_TEXT_GROUP : nd;
    uint32_t docs[CLS_TEXT_GROUP];
    size_t n = 0;
    for (size_t k = k0; k < k1; k++)
        if (texts && bk->off[k + 1] > bk->off[k])
            docs[n++] = bk->b0 + (uint32_t)k;
    if (n > 1) {
        int ok = idx_doc_texts(bk->run->r, docs, n, w->more) == IG_OK;
        for (size_t i = 0; i < CLS_TEXT_GROUP; i++)
            w->more_doc[i] = ok && i < n ? docs[i] : UINT32_MAX;
    }
    for (size_t k = k0; k < k1; k++) {
        size_t a = bk->off[k], z = bk->off[k + 1];
        uint32_t doc = bk->b0 + (uint32_t)k;
        /* The whole layout, decoded as the document is scored: still in
         * the cache when read, unlike one decoded with the block's. */
        const idx_layout *L = &bk->lays[k];
        if (z > a || o->sections) {
            int rc = idx_layout_get(bk->run->r, doc, &w->lay, &w->e);
            if (rc)
                return rc;
            L = &w->lay;
        }
        int rc = score_doc(bk->run, w, doc, L, bk->dm + a, z - a, bk->evidence != NULL,
                           &bk->res[k]);
        /* A huge document's layout is not kept for the rest of the run. */
        if (w->lay.cap > CLS_LAYOUT_KEEP)
            idx_layout_free(&w->lay);
        if (rc)
            return rc;
    }
    return IG_OK;
}

/* Phase 2: decode the postings of every term of the lexicons (pattern.h,
 * pat_cache: once per term, not once per pattern using it) and the
 * sentence numbers of each document of the block, all the scans read of a
 * layout (index.h, idx_layout_sentences: 4 bytes a position, where the
 * whole layout takes 28).  The postings come first: "the" inside a phrase
 * is the longest task, and the many small layouts even out the end. */
static int prep_task(block *bk, size_t t, ig_err *e)
{
    if (t < bk->nterms)
        return pat_cache_load(bk->cache, t, e);
    t -= bk->nterms;
    return idx_layout_sentences(bk->run->r, bk->b0 + (uint32_t)t, &bk->lays[t], e);
}

/* The scans' layout source (pattern.h): the block's decoded layout (a scan
 * on the cache never leaves the block). */
static int lend_layout(void *ctx, uint32_t doc, const idx_layout **l, ig_err *e)
{
    pstate *ps = ctx;
    block *bk = ps->bk;
    if (doc < bk->b0 || doc >= bk->b1)
        return ig_err_set(e, IG_EUSAGE, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "layout of document %u asked outside the block", doc);
    *l = &bk->lays[doc - bk->b0];
    return IG_OK;
}

static void task_failed(block *bk, size_t task, const ig_err *e)
{
    pthread_mutex_lock(&bk->lock);
    if (!bk->failed || task < bk->err_task) {
        bk->err = *e;
        bk->err_task = task;
    }
    __atomic_store_n(&bk->failed, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&bk->lock);
}

typedef struct thread_arg {
    block *bk;
    worker *w;
} thread_arg;

static void *work(void *arg)
{
    thread_arg *ta = arg;
    block *bk = ta->bk;
    worker *w = ta->w;
    for (;;) {
        if (__atomic_load_n(&bk->failed, __ATOMIC_RELAXED))
            break;
        size_t t = __atomic_fetch_add(&bk->next, 1, __ATOMIC_RELAXED);
        if (t >= bk->ntasks)
            break;
        ig_err_clear(&w->e);
        int rc;
        if (bk->phase == PH_MATCH) {
            /* The costliest patterns of the last block go first, so the
             * threads finish together (results do not depend on it). */
            t = bk->order[t];
            double t0 = seconds_now();
            rc = match_pattern(bk, t, &w->e);
            bk->ps[t].cost = seconds_now() - t0;
        } else {
            rc = bk->phase == PH_SCORE ? score_task(bk, t, w) : prep_task(bk, t, &w->e);
        }
        if (rc) {
            if (w->e.code == IG_OK)
                ig_err_set(&w->e, rc, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                           IG_ERR_NOPOS, "failed");
            task_failed(bk, t, &w->e);
            break;
        }
    }
    return NULL;
}

/* Run the current phase's ntasks over the workers.  Returns 0 or the error
 * of the lowest failed task (copied to e). */
static int run_phase(block *bk, size_t ntasks, ig_err *e)
{
    bk->next = 0;
    bk->ntasks = ntasks;
    bk->failed = 0;
    unsigned nt = bk->nthreads;
    if ((size_t)nt > ntasks)
        nt = ntasks ? (unsigned)ntasks : 1;
    thread_arg ta[CLS_MAX_THREADS];
    pthread_t th[CLS_MAX_THREADS];
    unsigned started = 0;
    for (unsigned i = 0; i < nt; i++) {
        ta[i].bk = bk;
        ta[i].w = &bk->wk[i];
    }
    /* Threads 1..nt-1 run beside the calling thread, which is worker 0.  A
     * thread that cannot be started just leaves its share to the others. */
    for (unsigned i = 1; i < nt; i++) {
        if (pthread_create(&th[i], NULL, work, &ta[i]) != 0)
            break;
        started = i;
    }
    if (bk->phase != PH_SCORE)
        collect_pending(bk, ntasks);
    work(&ta[0]);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
    if (bk->failed) {
        *e = bk->err;
        return e->code ? e->code : IG_EDATA;
    }
    return IG_OK;
}

/* Regroup the block's matches by document (entry order kept within a
 * document, positions increasing within an entry). */
static int regroup(block *bk)
{
    size_t nd = bk->b1 - bk->b0, total = 0;
    if (GROW(bk->off, bk->capoff, nd + 1))
        return IG_ENOMEM;
    memset(bk->off, 0, (nd + 1) * sizeof *bk->off);
    for (size_t p = 0; p < bk->run->nent; p++) {
        const pstate *ps = &bk->ps[p];
        for (size_t i = 0; i < ps->nm; i++)
            bk->off[ps->m[i].entry - bk->b0 + 1]++;
        total += ps->nm;
    }
    for (size_t d = 0; d < nd; d++)
        bk->off[d + 1] += bk->off[d];
    if (GROW(bk->dm, bk->capdm, total + 1))
        return IG_ENOMEM;
    size_t *fill = ig_reallocarray(NULL, nd + 1, sizeof *fill);
    if (fill == NULL)
        return IG_ENOMEM;
    memcpy(fill, bk->off, (nd + 1) * sizeof *fill);
    for (size_t p = 0; p < bk->run->nent; p++) {
        const pstate *ps = &bk->ps[p];
        for (size_t i = 0; i < ps->nm; i++) {
            size_t d = ps->m[i].entry - bk->b0;
            dmatch *x = &bk->dm[fill[d]++];
            x->entry = (uint32_t)p;
            x->first = ps->m[i].first;
            x->last = ps->m[i].last;
        }
    }
    ig_free(fill);
    return IG_OK;
}

/* Phase C: coverage and positions rows of one document (its evidence
 * rows go out with the block's, collect_pending). */
static int collect(cls_run *run, uint32_t doc, const docres *res)
{
    for (size_t i = 0; i < res->nabs; i++)
        run->ent[res->absorbed[i]].absorbed++;
    for (size_t i = 0; i < res->nquo; i++)
        run->ent[res->quoted[i]].quoted++;
    for (size_t i = 0; i < res->nev; i++) {
        const cls_evid *v = &res->ev[i];
        cls_entry *en = &run->ent[v->entry];
        en->counted++;
        en->weight_total += v->weight;
        if (en->last_doc != doc) {
            en->last_doc = doc;
            en->docs++;
        }
        if (v->negator != UINT32_MAX) {
            cls_entry *ng = &run->ent[v->negator];
            en->negated++;
            ng->counted++;
            if (ng->last_doc != doc) {
                ng->last_doc = doc;
                ng->docs++;
            }
        }
    }
    run->nevidence += res->nev;
    for (size_t i = 0; i < res->nrows; i++)
        if (cls_rows_push(run, &res->rows[i]))
            return IG_ENOMEM;
    return IG_OK;
}

/* Collect the pending block's documents in order: all of them when ntasks
 * is 0, else until the current phase's ntasks are all taken (the calling
 * thread then joins the workers).  When all are collected, the block's
 * evidence rows go to the file straight from the documents' buffers, in
 * document order (writev, where copying them into the file's buffer cost
 * a read of every byte from memory), and on to disk
 * (ig_out_writeback), so that the commit's fsync has little left to wait
 * for (out.h). */
static void collect_pending(block *bk, size_t ntasks)
{
    while (bk->pend_done < bk->pend_n && bk->pend_rc == IG_OK) {
        if (ntasks && __atomic_load_n(&bk->next, __ATOMIC_RELAXED) >= ntasks)
            return;
        size_t t = bk->pend_done++;
        bk->pend_rc = collect(bk->run, bk->pend_b0 + (uint32_t)t, &bk->res[t]);
    }
    if (bk->pend_n > 0 && bk->pend_done == bk->pend_n) {
        if (bk->evidence && bk->pend_rc == IG_OK) {
            if (GROW(bk->pieces, bk->cappieces, bk->pend_n)) {
                bk->pend_rc = IG_ENOMEM;
            } else {
                size_t np = 0;
                for (size_t t = 0; t < bk->pend_n; t++)
                    if (bk->res[t].csv.len) {
                        bk->pieces[np].p = bk->res[t].csv.data;
                        bk->pieces[np++].n = bk->res[t].csv.len;
                    }
                bk->pend_rc = ig_out_writev(bk->evidence, bk->pieces, np);
            }
            if (bk->pend_rc == IG_OK)
                ig_out_writeback(bk->evidence);
        }
        bk->pend_n = bk->pend_done = 0;
    }
}

static int interrupted(const cls_run *run, ig_err *e)
{
    volatile int *f = run->o.interrupted;
    if (f == NULL || *f == 0)
        return IG_OK;
    int rc = ig_err_set(e, IG_EINTR, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        IG_ERR_NOPOS, "interrupted");
    e->signo = *f;
    return rc;
}

int cls_score(cls_run *run, ig_out *evidence, ig_err *e)
{
    if (run->scored)
        return ig_err_set(e, IG_EUSAGE, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "cls_score called twice");
    const idx_reader *r = run->r;
    uint32_t ndocs = idx_doc_count(r);
    block bk;
    memset(&bk, 0, sizeof bk);
    bk.run = run;
    bk.nthreads = run->o.threads > 1 ? run->o.threads : 1;
    bk.evidence = evidence;
    pthread_mutex_init(&bk.lock, NULL);
    ig_csv_writer cw;
    int rc = IG_OK;
    bk.ps = ig_calloc(run->nent ? run->nent : 1, sizeof *bk.ps);
    bk.wk = ig_calloc(bk.nthreads, sizeof *bk.wk);
    bk.order = ig_calloc(run->nent ? run->nent : 1, sizeof *bk.order);
    bk.costs = ig_calloc(run->nent ? run->nent : 1, sizeof *bk.costs);
    if (bk.ps == NULL || bk.wk == NULL || bk.order == NULL || bk.costs == NULL) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    for (unsigned i = 0; i < bk.nthreads; i++) {
        bk.wk[i].text_doc = UINT32_MAX;
        memset(bk.wk[i].more_doc, 0xFF, sizeof bk.wk[i].more_doc); /* UINT32_MAX */
    }
    for (size_t p = 0; p < run->nent; p++)
        bk.order[p] = p;
    if ((rc = cls_ev_cells(run)) != IG_OK) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    rc = pat_cache_open(&bk.cache, r, e);
    for (size_t p = 0; p < run->nent && rc == IG_OK; p++)
        rc = pat_cache_add(bk.cache, run->ent[p].pat, e);
    if (rc)
        goto out;
    for (size_t p = 0; p < run->nent; p++) {
        rc = pat_scan_open_cached(&bk.ps[p].s, run->ent[p].pat, bk.cache, 0, e);
        if (rc)
            goto out;
        bk.ps[p].bk = &bk;
        pat_scan_layout_source(bk.ps[p].s, lend_layout, &bk.ps[p]);
    }
    bk.nterms = pat_cache_term_count(bk.cache);
    if (evidence) {
        rc = ig_csv_writer_init(&cw, evidence, run->o.excel);
        rc = rc ? rc : ig_csv_header(&cw, cls_ev_header);
        if (rc)
            goto out_write;
    }
    for (uint32_t b0 = 0; b0 < ndocs;) {
        rc = interrupted(run, e);
        if (rc)
            goto out;
        /* The block: documents until enough positions. */
        uint32_t b1 = b0;
        uint64_t pos = 0;
        uint32_t maxdocs = run->o.block_docs ? run->o.block_docs : CLS_BLOCK_DOCS;
        while (b1 < ndocs && b1 - b0 < maxdocs && pos < CLS_BLOCK_POSITIONS) {
            idx_doc_stats st;
            if (idx_doc_stats_get(r, b1, &st) == 0)
                pos += st.positions;
            b1++;
        }
        bk.b0 = b0;
        bk.b1 = b1;
        size_t nd = b1 - b0;
        if (nd > bk.capres) {
            collect_pending(&bk, 0); /* res is about to move */
            if (bk.pend_rc)
                goto out_pending;
            docres *nr = ig_reallocarray(bk.res, nd, sizeof *nr);
            if (nr == NULL) {
                rc = ig_err_nomem(e, CLS_STAGE);
                goto out;
            }
            memset(nr + bk.capres, 0, (nd - bk.capres) * sizeof *nr);
            bk.res = nr;
            bk.capres = nd;
        }
        if (nd > bk.caplays) {
            idx_layout *nl = ig_reallocarray(bk.lays, nd, sizeof *nl);
            if (nl == NULL) {
                rc = ig_err_nomem(e, CLS_STAGE);
                goto out;
            }
            memset(nl + bk.caplays, 0, (nd - bk.caplays) * sizeof *nl);
            bk.lays = nl;
            bk.caplays = nd;
        }
        rc = pat_cache_range(bk.cache, b0, b1, e);
        if (rc)
            goto out;
        bk.phase = PH_PREP;
        rc = run_phase(&bk, bk.nterms + nd, e);
        if (rc)
            goto out;
        bk.phase = PH_MATCH;
        rc = run_phase(&bk, run->nent, e);
        if (rc)
            goto out;
        collect_pending(&bk, 0);
        if (bk.pend_rc)
            goto out_pending;
        if (bk.nthreads > 1) {
            for (size_t p = 0; p < run->nent; p++) {
                bk.costs[p].cost = bk.ps[p].cost;
                bk.costs[p].p = p;
            }
            qsort(bk.costs, run->nent, sizeof *bk.costs, cmp_pcost);
            for (size_t p = 0; p < run->nent; p++)
                bk.order[p] = bk.costs[p].p;
        }
        if (regroup(&bk)) {
            rc = ig_err_nomem(e, CLS_STAGE);
            goto out;
        }
        bk.phase = PH_SCORE;
        rc = run_phase(&bk, (nd + CLS_TEXT_GROUP - 1) / CLS_TEXT_GROUP, e);
        if (rc)
            goto out;
        /* Phase C comes with the next block's first phases (or below). */
        bk.pend_b0 = b0;
        bk.pend_n = nd;
        bk.pend_done = 0;
        /* Layouts are not kept across blocks: a slot that once held a huge
         * document would otherwise hold its memory for the whole run. */
        for (size_t t = 0; t < nd; t++)
            idx_layout_free(&bk.lays[t]);
        b0 = b1;
    }
    collect_pending(&bk, 0);
    if (bk.pend_rc)
        goto out_pending;
    run->scored = 1;
    goto out;
out_pending:
    if (bk.pend_rc == IG_ENOMEM) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
out_write:
    /* The output handle keeps the failure (errno and all); its commit
     * reports it (classify.h). */
    rc = IG_ESYS;
out:
    if (bk.ps)
        for (size_t p = 0; p < run->nent; p++) {
            pat_scan_close(bk.ps[p].s);
            ig_free(bk.ps[p].m);
        }
    pat_cache_close(bk.cache);
    if (bk.wk)
        for (unsigned i = 0; i < bk.nthreads; i++)
            worker_free(&bk.wk[i]);
    for (size_t t = 0; t < bk.capres; t++)
        docres_free(&bk.res[t]);
    for (size_t t = 0; t < bk.caplays; t++)
        idx_layout_free(&bk.lays[t]);
    ig_free(bk.lays);
    ig_free(bk.pieces);
    ig_free(bk.res);
    ig_free(bk.ps);
    ig_free(bk.order);
    ig_free(bk.costs);
    ig_free(bk.wk);
    ig_free(bk.off);
    ig_free(bk.dm);
    pthread_mutex_destroy(&bk.lock);
    return rc;
}

/*
 * index_finish.c: the finish step of building an index file (idx_writer_finish
 * and the commit; format: top of index.c, writer state: index_write_int.h).
 *
 * Pipeline place: the end of `igmap index`, after the last document was
 * added (index_write.c).  The terms are sorted into vocabulary order; the
 * postings lists are written in that order, merged with any spilled
 * segments; then the fingerprint, languages, columns, documents, metadata,
 * vocabulary, strings and stems sections, the directory and the footer.
 * Two other threads help: one sorts and numbers the stems, and (with two
 * threads and nothing spilled) one writes the second half of the postings
 * section beside the first.
 */
#include "index.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "index_doc.h"
#include "index_fmt.h"
#include "index_write_int.h"
#include "limits.h"
#include "out.h"
#include "pool.h"
#include "stem.h"

#define STAGE "index"

/* ---- finishing ------------------------------------------------------------ */

/* A reading cursor over one spilled segment. */
struct mcur {
    uint64_t pos, end;      /* in the spill file */
    unsigned char *buf;
    size_t bpos, blen;
    uint32_t term;          /* term of the current record, UINT32_MAX at end */
    uint64_t left;          /* its bytes not yet copied */
};

static int mcur_fill(idx_writer *w, struct mcur *c, ig_err *e)
{
    if (c->bpos < c->blen)
        return IG_OK;
    uint64_t want = c->end - c->pos;
    size_t n = want < MERGE_BUFSZ ? (size_t)want : MERGE_BUFSZ;
    for (;;) {
        ssize_t k = pread(w->spill_fd, c->buf, n, (off_t)c->pos);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return ig_err_sys(e, STAGE, w->spill_path, "read error in spill file");
        }
        c->pos += (uint64_t)k;
        c->bpos = 0;
        c->blen = (size_t)k;
        return IG_OK;
    }
}

static int mcur_read(idx_writer *w, struct mcur *c, void *dst, size_t n, ig_err *e)
{
    unsigned char *d = dst;
    while (n > 0) {
        int rc = mcur_fill(w, c, e);
        if (rc != IG_OK)
            return rc;
        size_t k = c->blen - c->bpos < n ? c->blen - c->bpos : n;
        memcpy(d, c->buf + c->bpos, k);
        c->bpos += k;
        d += k;
        n -= k;
    }
    return IG_OK;
}

/* Move to the next record header. */
static int mcur_next(idx_writer *w, struct mcur *c, ig_err *e)
{
    if (c->pos == c->end && c->bpos == c->blen) {
        c->term = UINT32_MAX;
        return IG_OK;
    }
    unsigned char h[12];
    int rc = mcur_read(w, c, h, sizeof h, e);
    if (rc != IG_OK)
        return rc;
    c->term = ig_get_u32le(h);
    c->left = ig_get_u64le(h + 4);
    if (c->term >= w->nterms)
        return ig_err_set(e, IG_ESYS, STAGE, w->spill_path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "spill file damaged (bad term id)");
    return IG_OK;
}

/* Copy the current record's bytes to the output. */
static int mcur_copy(idx_writer *w, struct mcur *c, ig_err *e, uint32_t *crc)
{
    while (c->left > 0) {
        int rc = mcur_fill(w, c, e);
        if (rc != IG_OK)
            return rc;
        size_t k = c->blen - c->bpos;
        if (k > c->left)
            k = (size_t)c->left;
        *crc = idx_crc32(*crc, c->buf + c->bpos, k);
        if ((rc = idxw_emit(w, c->buf + c->bpos, k, e)) != IG_OK)
            return rc;
        c->bpos += k;
        c->left -= k;
    }
    return mcur_next(w, c, e);
}

struct stement {
    uint64_t off;           /* stem bytes in the stem pool */
    uint32_t len;
    uint32_t term;          /* final term id */
    uint16_t lang;          /* final language id */
};

/* What the VOCABULARY section needs of a term, gathered in final order. */
struct vinfo {
    uint64_t post_off, post_len, cf;
    uint32_t post_crc, surf_len, df;
    uint16_t lang;          /* final language id */
};

struct stemsort_ctx {
    const char *pool;
    char **langs;           /* final order */
};

static int stem_cmp(const void *a, const void *b, void *ctx)
{
    const struct stemsort_ctx *k = ctx;
    const struct stement *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(k->pool + x->off, k->pool + y->off, n);
    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    if (x->lang != y->lang)   /* final ids are in code order */
        return x->lang < y->lang ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

static int lang_cmp(const void *a, const void *b, void *ctx)
{
    char **langs = ctx;
    return strcmp(langs[*(const uint16_t *)a], langs[*(const uint16_t *)b]);
}

static int w_interrupted(idx_writer *w, ig_err *e)
{
    if (w->opts.interrupted && *w->opts.interrupted) {
        ig_err_set(e, IG_EINTR, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                   "interrupted");
        e->signo = *w->opts.interrupted;
        return IG_EINTR;
    }
    return IG_OK;
}

static int w_emit_u32(idx_writer *w, uint32_t v, ig_err *e)
{
    unsigned char b[4];
    idx_put_u32(b, v);
    return idxw_emit(w, b, 4, e);
}

/* Sort se[0..n) by stem_cmp: a radix sort on the stems' first 8 bytes,
 * then a comparison sort of each run of equal prefixes (as for terms). */
static int w_sort_stems(struct stement *se, size_t n, const char *pool, ig_err *e)
{
    struct keyed *a = ig_reallocarray(NULL, n ? n : 1, sizeof *a);
    struct keyed *b = ig_reallocarray(NULL, n ? n : 1, sizeof *b);
    struct stement *tmp = ig_reallocarray(NULL, n ? n : 1, sizeof *tmp);
    if (a == NULL || b == NULL || tmp == NULL) {
        ig_free(a);
        ig_free(b);
        ig_free(tmp);
        return ig_err_nomem(e, STAGE);
    }
    for (size_t i = 0; i < n; i++) {
        a[i].key = idxw_prefix_key(pool + se[i].off, se[i].len);
        a[i].id = (uint32_t)i;
    }
    idxw_radix(a, b, n);
    for (size_t i = 0; i < n; i++)
        tmp[i] = se[a[i].id];
    memcpy(se, tmp, n * sizeof *se);
    struct stemsort_ctx sctx = { pool, NULL };
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && a[j].key == a[i].key)
            j++;
        if (j - i > 1)
            qsort_r(se + i, j - i, sizeof *se, stem_cmp, &sctx);
        i = j;
    }
    ig_free(a);
    ig_free(b);
    ig_free(tmp);
    return IG_OK;
}

/* The stems part of the finish step, run on a second thread while the
 * calling thread writes the postings (both read the terms, each its own
 * fields): sort (stem, language, term), number the distinct stems, and
 * build their records, their strings (which STRINGS holds after the
 * surfaces, at str_base) and each term's stem number. */
struct stemjob {
    const idx_writer *w;
    const uint32_t *order;      /* final term id -> term */
    const uint16_t *lfinal;     /* language -> final language id */
    struct stement *se;         /* nt + 1 */
    uint32_t *stem_of;          /* final term id -> stem number */
    size_t nt;
    uint64_t str_base;
    ig_buf strs, recs, list;
    uint32_t nstems;
    int rc;
    ig_err err;
};

static void *w_stems(void *arg)
{
    struct stemjob *j = arg;
    const idx_writer *w = j->w;
    struct stement *se = j->se;
    size_t nt = j->nt;
    for (size_t i = 0; i < nt; i++) {
        const struct wterm *t = &w->terms[j->order[i]];
        se[i].off = w->stemref[j->order[i]].off;
        se[i].len = w->stemref[j->order[i]].len;
        se[i].term = (uint32_t)i;
        se[i].lang = j->lfinal[t->lang];
    }
    if ((j->rc = w_sort_stems(se, nt, w->stems.data, &j->err)) != IG_OK)
        return NULL;
    /* Room for all at once (no more than every stem distinct): grown by
     * doubling, each buffer was copied into fresh pages several times, in
     * the finish step's serial tail. */
    if (ig_buf_reserve(&j->strs, w->stems.len + nt) != IG_OK ||
        ig_buf_reserve(&j->recs, nt * IDX_STEM_REC) != IG_OK ||
        ig_buf_reserve(&j->list, 4 * nt) != IG_OK) {
        j->rc = ig_err_nomem(&j->err, STAGE);
        return NULL;
    }
    for (size_t i = 0; i < nt;) {
        size_t k = i + 1;
        while (k < nt && se[k].len == se[i].len && se[k].lang == se[i].lang &&
               memcmp(w->stems.data + se[k].off, w->stems.data + se[i].off, se[i].len) == 0)
            k++;
        unsigned char rec[IDX_STEM_REC];
        memset(rec, 0, sizeof rec);
        idx_put_u64(rec + SR_STR_OFF, j->str_base + j->strs.len);
        idx_put_u32(rec + SR_STR_LEN, se[i].len);
        idx_put_u32(rec + SR_LIST_OFF, (uint32_t)i);
        idx_put_u32(rec + SR_LIST_N, (uint32_t)(k - i));
        idx_put_u16(rec + SR_LANG, se[i].lang);
        if (ig_buf_add(&j->strs, w->stems.data + se[i].off, se[i].len) != IG_OK ||
            ig_buf_addc(&j->strs, '\0') != IG_OK || ig_buf_add(&j->recs, rec, sizeof rec) != IG_OK ||
            ig_buf_reserve(&j->list, 4 * (k - i)) != IG_OK) {
            j->rc = ig_err_nomem(&j->err, STAGE);
            return NULL;
        }
        for (size_t m = i; m < k; m++) {
            idx_put_u32((unsigned char *)j->list.data + j->list.len, se[m].term);
            j->list.len += 4;
            j->stem_of[se[m].term] = j->nstems;
        }
        j->nstems++;
        i = k;
    }
    return NULL;
}

/* The second half of the POSTINGS section (terms from..to of the final
 * order), written on another thread while the finish step writes the
 * first: the pass over the terms reads them in no order in memory, and two
 * threads wait on memory side by side.  Only without spill segments, so
 * that every list is in memory and the lists' total (post_bytes) places
 * the half: its length is summed first, and it ends where the section
 * does.  Fills vi[] for its terms; the section's CRC over its bytes, and
 * its surfaces, go to the finish step, which skips the handle past it. */
#define POST_SPLIT_MIN 4096
#define POST_BUFSZ ((size_t)256 << 10)
struct postjob {
    const idx_writer *w;
    const uint32_t *order;
    const uint16_t *lfinal;
    struct vinfo *vi;
    size_t from, to;
    int fd;                     /* ig_out_dup of the index file */
    uint64_t sec_off;           /* the section's file offset */
    uint64_t len;               /* out: bytes of the half */
    uint32_t crc;               /* out: their CRC-32 */
    ig_buf strings;             /* out: the half's surfaces, each with its NUL */
    int rc, err;                /* IG_ENOMEM, or IG_ESYS with errno err */
};

static void *w_post_half(void *arg)
{
    struct postjob *j = arg;
    const idx_writer *w = j->w;
    uint64_t len = 0;
    for (size_t i = j->from; i < j->to; i++) {
        if (i + 16 < j->to)
            __builtin_prefetch(&w->terms[j->order[i + 16]]);
        len += w->terms[j->order[i]].len;
    }
    j->len = len;
    uint64_t at = w->post_bytes - len; /* in the section */
    uint64_t flushed = at, wb_at = at;
    unsigned char *buf = ig_malloc(POST_BUFSZ);
    size_t used = 0;
    if (buf == NULL || ig_buf_reserve(&j->strings, w->surfaces.len) != IG_OK) {
        j->rc = IG_ENOMEM;
        ig_free(buf);
        return NULL;
    }
    for (size_t i = j->from; i < j->to && j->rc == IG_OK; i++) {
        if (i + 16 < j->to)
            __builtin_prefetch(&w->terms[j->order[i + 16]]);
        if (i + 8 < j->to) {
            const struct wterm *ahead = &w->terms[j->order[i + 8]];
            __builtin_prefetch(w->surfaces.data + ahead->surf_off);
            if (ahead->p)
                __builtin_prefetch(ahead->p);
        }
        const struct wterm *t = &w->terms[j->order[i]];
        struct vinfo *v = &j->vi[i];
        v->post_off = at;
        v->post_len = t->len;
        v->post_crc = t->len ? idx_crc32(0, t->p, t->len) : 0;
        v->cf = t->cf;
        v->df = t->df;
        v->surf_len = t->surf_len;
        v->lang = j->lfinal[t->lang];
        at += t->len;
        if (ig_buf_add(&j->strings, w->surfaces.data + t->surf_off, (size_t)t->surf_len + 1) !=
            IG_OK) {
            j->rc = IG_ENOMEM;
            break;
        }
        /* Short lists gather in buf; a long one goes out by itself. */
        int big = t->len > POST_BUFSZ / 2;
        if (used > 0 && (big || used + t->len > POST_BUFSZ)) {
            j->crc = idx_crc32(j->crc, buf, used);
            j->rc = ig_out_pwrite(j->fd, j->sec_off + flushed, buf, used, &j->err);
            flushed += used;
            used = 0;
        }
        if (big) {
            j->crc = idx_crc32(j->crc, t->p, t->len);
            if (j->rc == IG_OK)
                j->rc = ig_out_pwrite(j->fd, j->sec_off + flushed, t->p, t->len, &j->err);
            flushed += t->len;
        } else if (t->len > 0) {
            memcpy(buf + used, t->p, t->len);
            used += t->len;
        }
        /* Its bytes start for the disk as they go, as the other half's do
         * (idxw_writeback): the commit's fsync then has less to wait for. */
        if (flushed - wb_at >= WRITEBACK_BYTES) {
            ig_out_writeback_range(j->fd, j->sec_off + wb_at, flushed - wb_at);
            wb_at = flushed;
        }
    }
    if (j->rc == IG_OK && used > 0) {
        j->crc = idx_crc32(j->crc, buf, used);
        j->rc = ig_out_pwrite(j->fd, j->sec_off + flushed, buf, used, &j->err);
    }
    ig_free(buf);
    return NULL;
}

/* After a half written on another thread (w_post_half, w_vocab_half) with
 * result hrc (errno herr), len bytes with CRC crc: the handle moves past
 * them and the section's CRC takes them in.  The half's failure is the
 * handle's, reported as a failed write is. */
static int w_take_half(idx_writer *w, int hrc, int herr, uint64_t len, uint32_t crc, ig_err *e)
{
    if (hrc == IG_ENOMEM)
        return ig_err_nomem(e, STAGE);
    if (hrc != IG_OK)
        ig_out_failed_with(w->out, herr);
    if (hrc != IG_OK || ig_out_skip(w->out, len) != IG_OK) {
        int rc = idxw_emit_raw(w, NULL, 0, e);
        return rc != IG_OK ? rc : IG_ESYS;
    }
    w->sec_crc = idx_crc32_combine(w->sec_crc, crc, len);
    return IG_OK;
}

/* VOCABULARY records go out this many at a time: one CRC and one copy per
 * batch rather than per record. */
#define VOCAB_BATCH 1024

/* VOCABULARY records from..to (final order) into rec; *soff is the first
 * one's surface offset in STRINGS, and is moved past the last. */
static void vocab_records(unsigned char *rec, const struct vinfo *vi, const uint32_t *stem_of,
                          size_t from, size_t to, uint64_t *soff)
{
    for (size_t i = from; i < to; i++, rec += IDX_TERM_REC) {
        const struct vinfo *v = &vi[i];
        memset(rec, 0, IDX_TERM_REC);
        idx_put_u64(rec + TR_POST_OFF, v->post_off);
        idx_put_u64(rec + TR_POST_LEN, v->post_len);
        idx_put_u64(rec + TR_CF, v->cf);
        idx_put_u64(rec + TR_SURF_OFF, *soff);
        idx_put_u32(rec + TR_SURF_LEN, v->surf_len);
        idx_put_u32(rec + TR_STEM, stem_of[i]);
        idx_put_u32(rec + TR_DF, v->df);
        idx_put_u32(rec + TR_POST_CRC, v->post_crc);
        idx_put_u16(rec + TR_LANG, v->lang);
        *soff += (uint64_t)v->surf_len + 1;
    }
}

/* The second half of the VOCABULARY records (from..to), built and
 * written (at off, on a descriptor of its own) on another thread while the
 * finish step writes the first, as the POSTINGS halves are: about 9 ms on
 * one thread for the 160,000 terms of the 100 MB bench corpus, half of it
 * the kernel's copy.  Its CRC goes to the finish step, which skips the
 * handle past it. */
struct vocabjob {
    const struct vinfo *vi;
    const uint32_t *stem_of;
    size_t from, to;
    uint64_t soff;          /* surface offset of record from */
    int fd;                 /* ig_out_dup of the index file */
    uint64_t off;           /* file offset of record from */
    uint32_t crc;           /* out: CRC-32 of the records */
    int rc, err;            /* IG_ENOMEM, or IG_ESYS with errno err */
};

static void *w_vocab_half(void *arg)
{
    struct vocabjob *j = arg;
    /* A batch at a time, as the first half goes: a buffer for the whole
     * half would be fresh memory, a page fault every 4 KiB. */
    unsigned char *batch = ig_malloc(IDX_TERM_REC * VOCAB_BATCH);
    if (batch == NULL) {
        j->rc = IG_ENOMEM;
        return NULL;
    }
    uint64_t off = j->off;
    for (size_t i = j->from; i < j->to && j->rc == IG_OK; i += VOCAB_BATCH) {
        size_t k = j->to - i < VOCAB_BATCH ? j->to - i : VOCAB_BATCH;
        vocab_records(batch, j->vi, j->stem_of, i, i + k, &j->soff);
        j->crc = idx_crc32(j->crc, batch, k * IDX_TERM_REC);
        j->rc = ig_out_pwrite(j->fd, off, batch, k * IDX_TERM_REC, &j->err);
        off += k * IDX_TERM_REC;
    }
    ig_free(batch);
    return NULL;
}

int idx_writer_finish(idx_writer *w, ig_err *e)
{
    if (w->failed)
        return ig_err_set(e, w->failed, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "writer already failed");
    int rc = IG_OK;
    uint32_t *order = NULL, *final = NULL, *stem_of = NULL;
    struct vinfo *vi = NULL;
    uint16_t *lorder = NULL, *lfinal = NULL;
    struct mcur *cur = NULL;
    struct stement *se = NULL;
    ig_buf strings = IG_BUF_INIT;
    struct stemjob job;
    memset(&job, 0, sizeof job);
    struct postjob pj;
    memset(&pj, 0, sizeof pj);
    pj.fd = -1;
    pthread_t post_th;
    int post_started = 0;
    ig_err_clear(&job.err);
    pthread_t stem_th;
    int stem_started = 0;
    struct vocabjob vj;
    memset(&vj, 0, sizeof vj);
    vj.fd = -1;
    pthread_t vocab_th;
    int vocab_started = 0;
    size_t nt = w->nterms, nl = w->nlangs;
    idxw_sec_end(w, IDX_SEC_DOCDATA);
    /* No more terms come: the lookup table is no longer needed. */
    ig_free(w->slots);
    w->slots = NULL;
    w->nslots = 0;

    /* Final language ids: bytewise order of code. */
    lorder = ig_calloc(nl + 1, sizeof *lorder);
    lfinal = ig_calloc(nl + 1, sizeof *lfinal);
    order = ig_calloc(nt + 1, sizeof *order);
    final = ig_calloc(nt + 1, sizeof *final);
    vi = ig_calloc(nt + 1, sizeof *vi);
    stem_of = ig_calloc(nt + 1, sizeof *stem_of);
    se = ig_calloc(nt + 1, sizeof *se);
    cur = ig_calloc(w->nsegs + 1, sizeof *cur);
    if (!lorder || !lfinal || !order || !final || !vi || !stem_of || !se || !cur ||
        ig_buf_reserve(&strings, w->surfaces.len) != IG_OK) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    for (size_t i = 0; i < nl; i++)
        lorder[i] = (uint16_t)i;
    qsort_r(lorder, nl, sizeof *lorder, lang_cmp, w->langs);
    for (size_t i = 0; i < nl; i++)
        lfinal[lorder[i]] = (uint16_t)i;

    /* Final term ids: vocabulary order. */
    for (size_t i = 0; i < nt; i++)
        order[i] = (uint32_t)i;
    if ((rc = idxw_sort_terms(w, order, nt, e)) != IG_OK)
        goto out;
    for (size_t i = 0; i < nt; i++)
        final[order[i]] = (uint32_t)i;
    /* The stems on another thread (or here, if none can start). */
    job.w = w;
    job.order = order;
    job.lfinal = lfinal;
    job.se = se;
    job.stem_of = stem_of;
    job.nt = nt;
    job.str_base = w->surfaces.len; /* every surface with its NUL, once */
    if (pthread_create(&stem_th, NULL, w_stems, &job) == 0)
        stem_started = 1;
    else
        w_stems(&job);

    /* POSTINGS: per term, its segments in order, then what is in memory. */
    if (w->nsegs > 0 && (rc = idxw_spill_flush(w, e)) != IG_OK)
        goto out;
    for (size_t s = 0; s < w->nsegs; s++) {
        cur[s].pos = w->segs[s].off;
        cur[s].end = w->segs[s].off + w->segs[s].len;
        if ((cur[s].buf = ig_malloc(MERGE_BUFSZ)) == NULL) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        if ((rc = mcur_next(w, &cur[s], e)) != IG_OK)
            goto out;
    }
    /* The one pass over the terms in vocabulary order, which is random
     * order in memory: it gathers everything the later sections need
     * (vi[], se[], the surfaces) so that they read arrays in order, and
     * fetches terms, postings and surfaces some iterations ahead. */
    idxw_sec_begin(w, IDX_SEC_POSTINGS);
    size_t mine = nt; /* terms this thread writes */
    if (w->nsegs == 0 && w->opts.threads > 1 && nt >= POST_SPLIT_MIN && !ig_out_fail_armed() &&
        (pj.fd = ig_out_dup(w->out)) >= 0) {
        pj.w = w;
        pj.order = order;
        pj.lfinal = lfinal;
        pj.vi = vi;
        pj.from = mine = nt / 2;
        pj.to = nt;
        pj.sec_off = w->sec[IDX_SEC_POSTINGS].off;
        if (pthread_create(&post_th, NULL, w_post_half, &pj) == 0)
            post_started = 1;
        else
            mine = nt;
    }
    for (size_t i = 0; i < mine; i++) {
        uint32_t id = order[i];
        struct wterm *t = &w->terms[id];
        uint32_t crc = 0;
        if (i + 16 < nt)
            __builtin_prefetch(&w->terms[order[i + 16]]);
        if (i + 8 < nt) {
            const struct wterm *ahead = &w->terms[order[i + 8]];
            __builtin_prefetch(w->surfaces.data + ahead->surf_off);
            if (ahead->p)
                __builtin_prefetch(ahead->p);
        }
        vi[i].post_off = ig_out_tell(w->out) - w->sec[IDX_SEC_POSTINGS].off;
        int spilled = 0;
        for (size_t s = 0; s < w->nsegs; s++)
            if (cur[s].term == id) {
                spilled = 1;
                if ((rc = mcur_copy(w, &cur[s], e, &crc)) != IG_OK)
                    goto out;
            }
        if (t->len > 0) {
            uint32_t tc = idx_crc32(0, t->p, t->len);
            crc = spilled ? idx_crc32_combine(crc, tc, t->len) : tc;
            /* A long list's bytes are not run through the CRC a second
             * time for the section's: combining costs less. */
            if (t->len >= COMBINE_MIN) {
                w->sec_crc = idx_crc32_combine(w->sec_crc, tc, t->len);
                rc = idxw_emit_raw(w, t->p, t->len, e);
            } else {
                rc = idxw_emit(w, t->p, t->len, e);
            }
            if (rc != IG_OK)
                goto out;
        }
        t->p = NULL;
        t->len = t->cap = 0;
        vi[i].post_len = ig_out_tell(w->out) - w->sec[IDX_SEC_POSTINGS].off - vi[i].post_off;
        vi[i].post_crc = crc;
        vi[i].cf = t->cf;
        vi[i].df = t->df;
        vi[i].surf_len = t->surf_len;
        vi[i].lang = lfinal[t->lang];
        /* STRINGS starts with the surfaces in term order (reserved above,
         * so this does not allocate; checked all the same). */
        if (ig_buf_add(&strings, w->surfaces.data + t->surf_off, (size_t)t->surf_len + 1) !=
            IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        if ((i & 4095) == 0) {
            if ((rc = w_interrupted(w, e)) != IG_OK)
                goto out;
            idxw_writeback(w);
        }
    }
    if (post_started) {
        pthread_join(post_th, NULL);
        post_started = 0;
        if ((rc = w_take_half(w, pj.rc, pj.err, pj.len, pj.crc, e)) != IG_OK)
            goto out;
        if (ig_buf_add(&strings, pj.strings.data, pj.strings.len) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
    }
    for (size_t s = 0; s < w->nsegs; s++)
        if (cur[s].term != UINT32_MAX) {
            rc = ig_err_set(e, IG_ESYS, STAGE, w->spill_path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "spill file damaged (records left over)");
            goto out;
        }
    idxw_sec_end(w, IDX_SEC_POSTINGS);
    /* Every list is written: their memory goes back in one piece, before
     * the sections to come allocate. */
    ig_pool_free(&w->post);
    /* STRINGS: after the surfaces, the distinct stems (from the job). */
    if (stem_started) {
        pthread_join(stem_th, NULL);
        stem_started = 0;
    }
    if (job.rc != IG_OK) {
        *e = job.err;
        rc = job.rc;
        goto out;
    }
    if (strings.len != job.str_base || ig_buf_add(&strings, job.strs.data, job.strs.len) != IG_OK) {
        rc = strings.len != job.str_base
                 ? ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS, "surfaces out of step (internal error)")
                 : ig_err_nomem(e, STAGE);
        goto out;
    }
    uint32_t nstems = job.nstems;

    /* FINGERPRINT */
    idxw_sec_begin(w, IDX_SEC_FINGERPRINT);
    const char *fb = idx_fingerprint_base();
    if ((rc = idxw_emit(w, fb, strlen(fb), e)) != IG_OK ||
        (rc = idxw_emit(w, "section_pattern=", 16, e)) != IG_OK ||
        (rc = idxw_emit(w, w->section_pattern, strlen(w->section_pattern), e)) != IG_OK ||
        (rc = idxw_emit(w, "\n", 1, e)) != IG_OK)
        goto out;
    idxw_sec_end(w, IDX_SEC_FINGERPRINT);
    /* LANGUAGES */
    idxw_sec_begin(w, IDX_SEC_LANGUAGES);
    if ((rc = w_emit_u32(w, (uint32_t)nl, e)) != IG_OK)
        goto out;
    for (size_t i = 0; i < nl; i++) {
        const char *code = w->langs[lorder[i]], *alg = stem_algorithm(code);
        if (alg == NULL)
            alg = "";
        if ((rc = idxw_emit(w, code, strlen(code) + 1, e)) != IG_OK ||
            (rc = idxw_emit(w, alg, strlen(alg) + 1, e)) != IG_OK)
            goto out;
    }
    idxw_sec_end(w, IDX_SEC_LANGUAGES);
    /* COLUMNS */
    idxw_sec_begin(w, IDX_SEC_COLUMNS);
    if ((rc = w_emit_u32(w, (uint32_t)w->ncols, e)) != IG_OK)
        goto out;
    for (size_t i = 0; i < w->ncols; i++)
        if ((rc = idxw_emit(w, w->cols[i], strlen(w->cols[i]) + 1, e)) != IG_OK)
            goto out;
    idxw_sec_end(w, IDX_SEC_COLUMNS);
    /* DOCUMENTS */
    idxw_sec_begin(w, IDX_SEC_DOCUMENTS);
    if ((rc = w_emit_u32(w, (uint32_t)w->ndocs, e)) != IG_OK || (rc = w_emit_u32(w, 0, e)) != IG_OK)
        goto out;
    /* Records go out a batch at a time, as the vocabulary's do. */
    unsigned char dbatch[IDX_DOC_REC * 256];
    size_t dn = 0;
    for (size_t i = 0; i < w->ndocs; i++) {
        const struct wdoc *d = &w->docs[i];
        unsigned char *rec = dbatch + dn;
        memset(rec, 0, IDX_DOC_REC);
        idx_put_u64(rec + DR_META_OFF, d->meta_off);
        idx_put_u64(rec + DR_BYTES, d->bytes);
        idx_put_u64(rec + DR_FILE_BYTES, d->file_bytes);
        idx_put_u64(rec + DR_REPLACED, d->replaced);
        idx_put_u64(rec + DR_TRUNCATED, d->truncated);
        idx_put_u64(rec + DR_LAYOUT_OFF, d->layout_off);
        idx_put_u64(rec + DR_LAYOUT_LEN, d->layout_len);
        idx_put_u64(rec + DR_TEXT_OFF, d->text_off);
        idx_put_u64(rec + DR_TEXT_LEN, d->text_len);
        idx_put_u32(rec + DR_LAYOUT_CRC, d->layout_crc);
        idx_put_u32(rec + DR_TEXT_CRC, d->text_crc);
        idx_put_u32(rec + DR_POSITIONS, d->positions);
        idx_put_u32(rec + DR_SENTENCES, d->sentences);
        idx_put_u32(rec + DR_PARAGRAPHS, d->paragraphs);
        idx_put_u32(rec + DR_SECTIONS, d->sections);
        idx_put_u16(rec + DR_LANG, lfinal[d->lang]);
        idx_put_u16(rec + DR_FLAGS, d->flags);
        memcpy(rec + DR_SHA256, d->sha, 32);
        dn += IDX_DOC_REC;
        if ((dn == sizeof dbatch || i + 1 == w->ndocs) && (rc = idxw_emit(w, dbatch, dn, e)) != IG_OK)
            goto out;
        if (dn == sizeof dbatch)
            dn = 0;
    }
    idxw_sec_end(w, IDX_SEC_DOCUMENTS);
    /* METADATA */
    idxw_sec_begin(w, IDX_SEC_METADATA);
    if ((rc = idxw_emit(w, w->meta.data, w->meta.len, e)) != IG_OK)
        goto out;
    idxw_sec_end(w, IDX_SEC_METADATA);
    /* VOCABULARY: the second half's records are built and written on
     * another thread while this one writes the first (w_vocab_half); with
     * one thread, all of them here. */
    idxw_sec_begin(w, IDX_SEC_VOCABULARY);
    if ((rc = w_emit_u32(w, (uint32_t)nt, e)) != IG_OK || (rc = w_emit_u32(w, 0, e)) != IG_OK)
        goto out;
    vj.vi = vi;
    vj.stem_of = stem_of;
    vj.from = vj.to = nt;
    if (w->opts.threads > 1 && nt >= POST_SPLIT_MIN && !ig_out_fail_armed() &&
        (vj.fd = ig_out_dup(w->out)) >= 0) {
        vj.from = nt / 2;
        vj.off = ig_out_tell(w->out) + (uint64_t)vj.from * IDX_TERM_REC;
        for (size_t i = 0; i < vj.from; i++)
            vj.soff += (uint64_t)vi[i].surf_len + 1;
        if (pthread_create(&vocab_th, NULL, w_vocab_half, &vj) == 0)
            vocab_started = 1;
        else
            vj.from = nt;
    }
    uint64_t soff = 0;
    unsigned char batch[IDX_TERM_REC * VOCAB_BATCH];
    for (size_t i = 0; i < vj.from; i += VOCAB_BATCH) {
        size_t k = vj.from - i < VOCAB_BATCH ? vj.from - i : VOCAB_BATCH;
        vocab_records(batch, vi, stem_of, i, i + k, &soff);
        if ((rc = idxw_emit(w, batch, k * IDX_TERM_REC, e)) != IG_OK)
            goto out;
    }
    if (vocab_started) {
        pthread_join(vocab_th, NULL);
        vocab_started = 0;
        rc = w_take_half(w, vj.rc, vj.err, (vj.to - vj.from) * IDX_TERM_REC, vj.crc, e);
        if (rc != IG_OK)
            goto out;
    }
    idxw_sec_end(w, IDX_SEC_VOCABULARY);
    idxw_writeback(w);
    /* STRINGS */
    idxw_sec_begin(w, IDX_SEC_STRINGS);
    if ((rc = idxw_emit(w, strings.data, strings.len, e)) != IG_OK)
        goto out;
    idxw_sec_end(w, IDX_SEC_STRINGS);
    /* STEMS */
    idxw_sec_begin(w, IDX_SEC_STEMS);
    if ((rc = w_emit_u32(w, nstems, e)) != IG_OK || (rc = w_emit_u32(w, (uint32_t)nt, e)) != IG_OK ||
        (rc = idxw_emit(w, job.recs.data, job.recs.len, e)) != IG_OK ||
        (rc = idxw_emit(w, job.list.data, job.list.len, e)) != IG_OK)
        goto out;
    idxw_sec_end(w, IDX_SEC_STEMS);

    /* Directory and footer. */
    uint64_t doff = ig_out_tell(w->out);
    unsigned char dir[IDX_NSECTIONS * IDX_DIRENT_SIZE];
    for (uint32_t id = 1; id <= IDX_NSECTIONS; id++) {
        unsigned char *de = dir + (size_t)(id - 1) * IDX_DIRENT_SIZE;
        idx_put_u32(de, id);
        idx_put_u32(de + 4, w->sec[id].crc);
        idx_put_u64(de + 8, w->sec[id].off);
        idx_put_u64(de + 16, w->sec[id].len);
    }
    unsigned char foot[IDX_FOOTER_SIZE];
    idx_put_u64(foot, doff);
    idx_put_u32(foot + 8, IDX_NSECTIONS);
    idx_put_u32(foot + 12, idx_crc32(0, dir, sizeof dir));
    idx_put_u64(foot + 16, doff + sizeof dir + sizeof foot);
    idx_put_u32(foot + 24, IDX_FORMAT_VERSION);
    idx_put_u32(foot + 28, idx_crc32(0, foot, 28));
    memcpy(foot + 32, IDX_END_MAGIC, 8);
    if ((rc = idxw_emit(w, dir, sizeof dir, e)) != IG_OK || (rc = idxw_emit(w, foot, sizeof foot, e)) != IG_OK)
        goto out;
    ig_out_writeback(w->out);
    w->finished = 1;
out:
    if (post_started)
        pthread_join(post_th, NULL);
    if (pj.fd >= 0)
        close(pj.fd);
    ig_buf_free(&pj.strings);
    if (stem_started)
        pthread_join(stem_th, NULL);
    if (vocab_started)
        pthread_join(vocab_th, NULL);
    if (vj.fd >= 0)
        close(vj.fd);
    if (cur)
        for (size_t s = 0; s < w->nsegs; s++)
            ig_free(cur[s].buf);
    ig_free(cur);
    ig_free(se);
    ig_free(stem_of);
    ig_free(vi);
    ig_free(final);
    ig_free(order);
    ig_free(lfinal);
    ig_free(lorder);
    ig_buf_free(&strings);
    ig_buf_free(&job.strs);
    ig_buf_free(&job.recs);
    ig_buf_free(&job.list);
    if (rc != IG_OK)
        idxw_fail(w, rc);
    return rc;
}

int idx_writer_commit_with(idx_writer *w, ig_out *extra, ig_err *e)
{
    int rc;
    if (!w->finished) {
        rc = w->failed ? w->failed : IG_EUSAGE;
        ig_err_set(e, rc, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                   "index not finished");
        ig_out_abort(extra);
        idx_writer_abort(w);
        return rc;
    }
    ig_out *o[2] = { w->out, extra };
    w->out = NULL;
    rc = ig_out_commit_all(o, extra ? 2 : 1, e);
    idx_writer_abort(w);
    return rc;
}

int idx_writer_commit(idx_writer *w, ig_err *e)
{
    return idx_writer_commit_with(w, NULL, e);
}

/*
 * index_build.c: idx_build, the threaded driver of index building (see
 * index.h, "building", layer 3).
 *
 * Pipeline place: between the corpus (read through the caller's callback,
 * in `igmap index` that is input.c) and the index writer.  Worker threads
 * read and prepare documents (tokenise, group, encode, compress, hash: the
 * expensive part) into a ring of slots; the calling thread adds them to the
 * writer strictly in document order, so the file is the same whatever the
 * thread count.  The calling thread counts as one of the opts.threads: when
 * the next document to add is not ready, it prepares the next unclaimed one
 * itself instead of sleeping, so that with two cores two threads keep both
 * busy (a third, sleeping and waking per document, cost more than it
 * gave).  Document d always uses slot d % nslots, which bounds the
 * documents held in memory to nslots.  The ring is deep (SLOTS_PER_THREAD
 * per worker) so that a slow document or a descheduled thread does not
 * stall the others at once; past MIN_AHEAD documents ahead of the writer,
 * workers take a new document only while the prepared texts waiting for
 * the writer hold less than HOLD_BYTES, so large documents do not fill
 * every slot.
 *
 * A slot borrows its buffers (the text read, the prepared document) when
 * its document is claimed and gives them back when the writer is done,
 * last in, first out.  Far fewer documents are in flight than the ring
 * holds (on the 100 MB bench corpus the most at once were 10 by the 71st
 * document and 30 by the 5,110th), so a few sets go round, still in the
 * cache and already faulted in.  Tied to the slots, every set would go
 * round the whole ring, cold by the time it came back and grown to the
 * largest document it had met.
 */
#include "index.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "alloc.h"

#define STAGE "index"
#define SLOTS_PER_THREAD 32
#define MIN_AHEAD_PER_THREAD 4
#define HOLD_BYTES ((size_t)16 << 20)
/* A slot whose text buffer grew past this is shrunk after use, so one
 * huge document does not pin its size in every slot. */
#define SLOT_KEEP_BYTES ((size_t)16 << 20)

enum { SLOT_FREE, SLOT_BUSY, SLOT_READY };

/* The buffers of a document in flight. */
struct bufs {
    ig_buf text;            /* the document as read */
    idx_docbuf *db;         /* as prepared for the writer */
};

struct slot {
    int state;
    uint32_t doc;
    int rc;                 /* result of reading and preparing */
    ig_err err;             /* its error */
    idx_doc_src src;
    struct bufs *bf;        /* borrowed while BUSY or READY, else NULL */
};

struct build {
    idx_writer *w;
    const idx_source *src;
    const idx_build_opts *opts;
    pthread_mutex_t mu;
    pthread_cond_t to_workers, to_writer;
    struct slot *slots;
    unsigned nslots;
    struct bufs *bufs;      /* nslots sets, enough for every slot at once */
    struct bufs **spare;    /* the sets not lent, the last given back on top */
    unsigned nspare;
    uint32_t next;          /* next document to claim */
    uint32_t added;         /* documents the writer has taken */
    unsigned min_ahead;     /* documents ahead of it always allowed */
    size_t held;            /* text bytes of ready documents */
    uint32_t writer_waits;  /* document the writer sleeps on, UINT32_MAX if none */
    unsigned idle_workers;  /* workers sleeping on a busy slot */
    int stop;
};

struct worker {
    struct build *b;
    idx_prep *prep;
    pthread_t th;
    int started;
};

/* Claim the next document into its slot, with a set of buffers (lock
 * held); returns the slot. */
static struct slot *slot_claim(struct build *b)
{
    uint32_t doc = b->next++;
    struct slot *s = &b->slots[doc % b->nslots];
    s->state = SLOT_BUSY;
    s->doc = doc;
    s->bf = b->spare[--b->nspare]; /* one is spare: a set per slot */
    return s;
}

/* The writer is done with s (lock held): its buffers go back on top. */
static void slot_release(struct build *b, struct slot *s)
{
    b->spare[b->nspare++] = s->bf;
    s->bf = NULL;
    s->state = SLOT_FREE;
}

/* Read and prepare doc into s (no lock held). */
static int build_one(struct build *b, idx_prep *prep, struct slot *s, uint32_t doc)
{
    ig_buf *text = &s->bf->text;
    ig_err_clear(&s->err);
    memset(&s->src, 0, sizeof s->src);
    ig_buf_reset(text);
    int rc = b->src->read(b->src->ctx, doc, text, &s->src, &s->err);
    if (rc == IG_OK)
        rc = idx_prep_doc(prep, s->bf->db, text->data ? text->data : "", text->len, &s->src,
                          &s->err);
    if (rc != IG_OK && s->err.code == IG_OK)
        ig_err_set(&s->err, rc, STAGE, s->src.path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                   "cannot read document %u", doc);
    /* Memory runs out in proportion to a document's size (F13): say which. */
    ig_err_locate(&s->err, s->src.path);
    return rc;
}

/* 1 if the next document may be claimed now (lock held): its slot is
 * free, and it is near enough to the writer or the ready texts are few. */
static int build_claim(const struct build *b)
{
    uint32_t doc = b->next;
    return doc < b->src->ndocs && b->slots[doc % b->nslots].state == SLOT_FREE &&
           (doc - b->added < b->min_ahead || b->held < HOLD_BYTES);
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct build *b = wk->b;
    pthread_mutex_lock(&b->mu);
    while (!b->stop && b->next < b->src->ndocs) {
        if (!build_claim(b)) {
            b->idle_workers++;
            pthread_cond_wait(&b->to_workers, &b->mu);
            b->idle_workers--;
            continue;
        }
        struct slot *s = slot_claim(b);
        uint32_t doc = s->doc;
        pthread_mutex_unlock(&b->mu);
        int rc = build_one(b, wk->prep, s, doc);
        pthread_mutex_lock(&b->mu);
        s->rc = rc;
        s->state = SLOT_READY;
        b->held += s->bf->text.len;
        /* Wake the writer only for the document it waits on: a wakeup per
         * document costs more than the work of adding one. */
        if (b->writer_waits == doc)
            pthread_cond_signal(&b->to_writer);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static double build_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Add a prepared slot's document to the writer. */
static int build_add(struct build *b, struct slot *s, ig_err *e)
{
    if (s->rc != IG_OK) {
        *e = s->err;
        return s->rc;
    }
    const char *lang = "en";
    const char *const *vals = b->src->meta(b->src->ctx, s->doc, &lang);
    int rc = idx_writer_add(b->w, vals, lang, s->bf->db, e);
    if (s->bf->text.cap > SLOT_KEEP_BYTES)
        ig_buf_free(&s->bf->text);
    return rc;
}

int idx_build(idx_writer *w, const idx_source *src, ig_err *e)
{
    const idx_build_opts *opts = idx_writer_opts(w);
    unsigned nthreads = opts->threads > 1 ? opts->threads : 0;
    if (nthreads > 64)
        nthreads = 64;
    struct build b;
    memset(&b, 0, sizeof b);
    b.w = w;
    b.src = src;
    b.opts = opts;
    b.nslots = nthreads ? nthreads * SLOTS_PER_THREAD : 1;
    b.min_ahead = nthreads * MIN_AHEAD_PER_THREAD;
    b.writer_waits = UINT32_MAX;
    struct worker *wk = NULL;
    int rc = IG_OK, sync_ready = 0;
    uint64_t bytes_done = 0;
    double last = build_now();
    b.slots = ig_calloc(b.nslots, sizeof *b.slots);
    b.bufs = ig_calloc(b.nslots, sizeof *b.bufs);
    b.spare = ig_calloc(b.nslots, sizeof *b.spare);
    wk = ig_calloc(nthreads ? nthreads : 1, sizeof *wk);
    if (b.slots == NULL || b.bufs == NULL || b.spare == NULL || wk == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    /* Spares stacked so that the first set is lent first. */
    for (unsigned i = b.nslots; i-- > 0;) {
        if (idx_docbuf_new(&b.bufs[i].db) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        b.spare[b.nspare++] = &b.bufs[i];
    }
    for (unsigned i = 0; i < (nthreads ? nthreads : 1); i++) {
        wk[i].b = &b;
        if ((rc = idx_prep_new(&wk[i].prep, opts, e)) != IG_OK)
            goto out;
    }
    if (pthread_mutex_init(&b.mu, NULL) != 0) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    if (pthread_cond_init(&b.to_workers, NULL) != 0) {
        pthread_mutex_destroy(&b.mu);
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    if (pthread_cond_init(&b.to_writer, NULL) != 0) {
        pthread_cond_destroy(&b.to_workers);
        pthread_mutex_destroy(&b.mu);
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    sync_ready = 1;
    /* The calling thread is one of the nthreads: it prepares documents
     * too whenever the next one to add is not ready. */
    for (unsigned i = 1; i < nthreads; i++) {
        int err = pthread_create(&wk[i].th, NULL, worker_main, &wk[i]);
        if (err != 0) {
            rc = ig_err_set(e, IG_ESYS, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "cannot start worker thread: %s", strerror(err));
            goto out;
        }
        wk[i].started = 1;
    }
    for (uint32_t doc = 0; doc < src->ndocs; doc++) {
        struct slot *s = &b.slots[doc % b.nslots];
        if (nthreads == 0) {
            slot_claim(&b);
            s->rc = build_one(&b, wk[0].prep, s, doc);
        } else {
            pthread_mutex_lock(&b.mu);
            while (!(s->state == SLOT_READY && s->doc == doc)) {
                /* Rather than sleep until a worker has it ready, prepare
                 * the next unclaimed document here. */
                if (build_claim(&b)) {
                    struct slot *s2 = slot_claim(&b);
                    pthread_mutex_unlock(&b.mu);
                    int rc2 = build_one(&b, wk[0].prep, s2, s2->doc);
                    pthread_mutex_lock(&b.mu);
                    s2->rc = rc2;
                    s2->state = SLOT_READY;
                    b.held += s2->bf->text.len;
                    continue;
                }
                b.writer_waits = doc;
                pthread_cond_wait(&b.to_writer, &b.mu);
            }
            b.writer_waits = UINT32_MAX;
            pthread_mutex_unlock(&b.mu);
        }
        size_t held = s->bf->text.len; /* build_add may free the text */
        rc = build_add(&b, s, e);
        bytes_done += s->src.file_bytes;
        if (nthreads == 0) {
            slot_release(&b, s);
        } else {
            pthread_mutex_lock(&b.mu);
            slot_release(&b, s);
            b.held -= held;
            b.added = doc + 1;
            if (b.idle_workers > 0)
                pthread_cond_broadcast(&b.to_workers);
            pthread_mutex_unlock(&b.mu);
        }
        if (rc != IG_OK)
            goto out;
        if (opts->interrupted && *opts->interrupted) {
            rc = ig_err_set(e, IG_EINTR, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "interrupted");
            e->signo = *opts->interrupted;
            goto out;
        }
        if (opts->progress) {
            double now = build_now();
            if (now - last >= 0.2) {
                last = now;
                opts->progress(opts->progress_ctx, doc + 1, src->ndocs, bytes_done);
            }
        }
    }
    if (opts->progress)
        opts->progress(opts->progress_ctx, src->ndocs, src->ndocs, bytes_done);
out:
    if (sync_ready) {
        pthread_mutex_lock(&b.mu);
        b.stop = 1;
        pthread_cond_broadcast(&b.to_workers);
        pthread_mutex_unlock(&b.mu);
        for (unsigned i = 0; i < nthreads; i++)
            if (wk[i].started)
                pthread_join(wk[i].th, NULL);
        pthread_cond_destroy(&b.to_writer);
        pthread_cond_destroy(&b.to_workers);
        pthread_mutex_destroy(&b.mu);
    }
    if (wk)
        for (unsigned i = 0; i < (nthreads ? nthreads : 1); i++)
            idx_prep_free(wk[i].prep);
    ig_free(wk);
    if (b.bufs)
        for (unsigned i = 0; i < b.nslots; i++) {
            idx_docbuf_free(b.bufs[i].db);
            ig_buf_free(&b.bufs[i].text);
        }
    ig_free(b.bufs);
    ig_free(b.spare);
    ig_free(b.slots);
    return rc;
}

/*
 * index_write.c: building an index file (format: top of index.c).
 *
 * Pipeline place: the end of `igmap index`.  Documents arrive prepared
 * (idx_prep_doc, index_prep.c, any thread: tokenised, grouped by term,
 * encoded, compressed) and are added here in document order
 * (idx_writer_add, one thread), which appends the document's layout and
 * text to the output at once and its postings to in-memory lists.  When the
 * lists pass the memory budget they are spilled as a sorted segment; the
 * finish step (index_finish.c) merges the segments into the postings
 * section.  The state both files share is in index_write_int.h.  Each
 * distinct term is stemmed once, when first met (w_term), and looked up by
 * its surface once per preparer (struct wmap).
 *
 * Determinism: postings are encoded relative to the previous document of
 * the same term in the whole corpus (not the segment), so segments
 * concatenate byte for byte; the file therefore does not depend on where
 * spills happened, nor on threads (which only prepare documents).
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
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
#include "tokenise.h"

#define STAGE "index"
#define SPILL_BUFSZ ((size_t)1 << 20)
#define MAX_LANGS 0xffff

/* ---- the writer --------------------------------------------------------- */

int idxw_fail(idx_writer *w, int rc)
{
    if (w->failed == IG_OK)
        w->failed = rc;
    return rc;
}

/* Write bytes to the output, inside the current section. */
int idxw_emit(idx_writer *w, const void *p, size_t n, ig_err *e)
{
    w->sec_crc = idx_crc32(w->sec_crc, p, n);
    return idxw_emit_raw(w, p, n, e);
}

int idxw_emit_raw(idx_writer *w, const void *p, size_t n, ig_err *e)
{
    if (w->out == NULL)
        return w->failed ? w->failed : IG_ESYS;
    if (ig_out_write(w->out, p, n) != IG_OK) {
        /* The out handle holds the errno and what failed: committing a
         * failed handle reports exactly that and removes the temp file. */
        ig_out *o = w->out;
        w->out = NULL;
        int rc = ig_out_commit(o, e);
        return idxw_fail(w, rc != IG_OK ? rc : IG_ESYS);
    }
    return IG_OK;
}

void idxw_writeback(idx_writer *w)
{
    if (w->out && ig_out_tell(w->out) - w->wb_at >= WRITEBACK_BYTES) {
        ig_out_writeback(w->out);
        w->wb_at = ig_out_tell(w->out);
    }
}

void idxw_sec_begin(idx_writer *w, uint32_t id)
{
    w->sec[id].off = ig_out_tell(w->out);
    w->sec_crc = 0;
}

void idxw_sec_end(idx_writer *w, uint32_t id)
{
    w->sec[id].len = ig_out_tell(w->out) - w->sec[id].off;
    w->sec[id].crc = w->sec_crc;
}

static struct wslot *w_slots_new(size_t n);

int idx_writer_open(idx_writer **wp, const char *path, const char *const *cols, size_t ncols,
                    const idx_build_opts *opts, ig_err *e)
{
    *wp = NULL;
    int rc = IG_OK;
    idx_writer *w = ig_calloc(1, sizeof *w);
    if (w == NULL)
        return ig_err_nomem(e, STAGE);
    w->spill_fd = -1;
    snprintf(w->path, sizeof w->path, "%s", path);
    if (opts)
        w->opts = *opts;
    if (w->opts.mem_budget == 0)
        w->opts.mem_budget = IDX_DEFAULT_MEM_BUDGET;
    const char *pat = w->opts.section_pattern ? w->opts.section_pattern
                                              : TOK_DEFAULT_SECTION_PATTERN;
    w->section_pattern = ig_strdup(pat);
    w->opts.section_pattern = w->section_pattern;
    int has_id = 0;
    w->cols = ig_calloc(ncols ? ncols : 1, sizeof *w->cols);
    if (w->section_pattern == NULL || w->cols == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    w->ncols = ncols;
    for (size_t i = 0; i < ncols; i++) {
        if ((w->cols[i] = ig_strdup(cols[i])) == NULL) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        has_id |= strcmp(cols[i], "id") == 0;
    }
    if (!has_id) {
        rc = ig_err_set(e, IG_EUSAGE, STAGE, path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "the metadata columns lack \"id\"");
        goto out;
    }
    w->nslots = 4096;
    w->slots = w_slots_new(w->nslots);
    w->sbuf = ig_malloc(SPILL_BUFSZ);
    if (w->slots == NULL || w->sbuf == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    /* The section pattern is compiled by the tokeniser: a bad one fails
     * here, before any output exists. */
    if ((rc = idx_prep_new(&w->prep, &w->opts, e)) != IG_OK ||
        (rc = idx_docbuf_new(&w->db)) != IG_OK) {
        if (rc == IG_ENOMEM)
            ig_err_nomem(e, STAGE);
        goto out;
    }
    if ((rc = ig_out_open(&w->out, path, STAGE, e)) != IG_OK)
        goto out;
    /* The spill file lives beside the output (same file system, and the
     * user chose that place for big files) and is unlinked at once: it
     * vanishes with the process however the process ends. */
    snprintf(w->spill_path, sizeof w->spill_path, "%s.tmp.%ld.spill.XXXXXX", path,
             (long)getpid());
    w->spill_fd = mkstemp(w->spill_path);
    if (w->spill_fd < 0) {
        rc = ig_err_sys(e, STAGE, w->spill_path, "cannot create spill file");
        goto out;
    }
    unlink(w->spill_path);
    unsigned char h[IDX_HEADER_SIZE];
    memset(h, 0, sizeof h);
    memcpy(h, IDX_MAGIC, 8);
    idx_put_u32(h + 8, IDX_FORMAT_VERSION);
    idx_put_u32(h + 28, idx_crc32(0, h, 28));
    if ((rc = idxw_emit(w, h, sizeof h, e)) != IG_OK)
        goto out;
    idxw_sec_begin(w, IDX_SEC_DOCDATA);
    w->docdata_off = w->sec[IDX_SEC_DOCDATA].off;
out:
    if (rc != IG_OK)
        idx_writer_abort(w);
    else
        *wp = w;
    return rc;
}

void idx_writer_abort(idx_writer *w)
{
    if (w == NULL)
        return;
    ig_out_abort(w->out);
    if (w->spill_fd >= 0)
        close(w->spill_fd);
    for (size_t i = 0; i < w->ncols; i++)
        ig_free(w->cols[i]);
    ig_free(w->cols);
    for (size_t i = 0; i < w->nlangs; i++) {
        ig_free(w->langs[i]);
        stem_close(w->stemmers[i]);
    }
    ig_free(w->langs);
    ig_free(w->stemmers);
    ig_free(w->docs);
    ig_buf_free(&w->meta);
    ig_pool_free(&w->post);
    ig_free(w->terms_mem);
    ig_free(w->stemref);
    ig_buf_free(&w->surfaces);
    ig_buf_free(&w->stems);
    ig_free(w->slots);
    for (size_t i = 0; i < w->nmaps; i++)
        ig_free(w->maps[i].corpus);
    ig_free(w->maps);
    ig_free(w->ids);
    ig_free(w->segs);
    ig_free(w->sbuf);
    idx_prep_free(w->prep);
    idx_docbuf_free(w->db);
    ig_free(w->section_pattern);
    ig_free(w);
}

uint32_t idx_writer_doc_count(const idx_writer *w)
{
    return (uint32_t)w->ndocs;
}

const idx_build_opts *idx_writer_opts(const idx_writer *w)
{
    return &w->opts;
}

/* ---- spilling ----------------------------------------------------------- */

int idxw_spill_flush(idx_writer *w, ig_err *e)
{
    size_t off = 0;
    while (off < w->sused) {
        ssize_t k = pwrite(w->spill_fd, w->sbuf + off, w->sused - off,
                           (off_t)(w->spill_len + off));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return ig_err_sys(e, STAGE, w->spill_path, "write error in spill file");
        }
        off += (size_t)k;
    }
    w->spill_len += w->sused;
    w->sused = 0;
    return IG_OK;
}

static int spill_write(idx_writer *w, const void *p, size_t n, ig_err *e)
{
    const unsigned char *s = p;
    while (n > 0) {
        size_t room = SPILL_BUFSZ - w->sused, c = n < room ? n : room;
        memcpy(w->sbuf + w->sused, s, c);
        w->sused += c;
        s += c;
        n -= c;
        if (w->sused == SPILL_BUFSZ && idxw_spill_flush(w, e) != IG_OK)
            return IG_ESYS;
    }
    return IG_OK;
}

/* Bytewise order of (surface, language code): the vocabulary's order. */
static int w_term_cmp(const void *a, const void *b, void *ctx)
{
    const idx_writer *w = ctx;
    const struct wterm *x = &w->terms[*(const uint32_t *)a];
    const struct wterm *y = &w->terms[*(const uint32_t *)b];
    size_t n = x->surf_len < y->surf_len ? x->surf_len : y->surf_len;
    int c = memcmp(w->surfaces.data + x->surf_off, w->surfaces.data + y->surf_off, n);
    if (c != 0)
        return c;
    if (x->surf_len != y->surf_len)
        return x->surf_len < y->surf_len ? -1 : 1;
    return strcmp(w->langs[x->lang], w->langs[y->lang]);
}

/* The first 8 bytes of s[0..n) as a big-endian number, zero-padded: keys
 * order strings as memcmp-then-length does, except that some distinct
 * strings share a key (a common 8-byte prefix), which the callers then
 * order by a full comparison. */
uint64_t idxw_prefix_key(const char *s, uint32_t n)
{
    uint64_t k = 0;
    for (uint32_t i = 0; i < 8; i++)
        k = k << 8 | (i < n ? (unsigned char)s[i] : 0u);
    return k;
}

/* Sort a[0..n) by key, stably (LSD radix, 8 bits a pass; a pass whose
 * byte is the same in every key is skipped), using b as scratch.  The
 * result is in a. */
void idxw_radix(struct keyed *a, struct keyed *b, size_t n)
{
    struct keyed *src = a, *dst = b;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t cnt[256];
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(src[i].key >> shift) & 255]++;
        if (n == 0 || cnt[(src[0].key >> shift) & 255] == n)
            continue;
        size_t sum = 0;
        for (unsigned k = 0; k < 256; k++) {
            size_t c = cnt[k];
            cnt[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[(src[i].key >> shift) & 255]++] = src[i];
        struct keyed *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* Part of idxw_sort_terms: a[0..n) by key (b the scratch), the run of each
 * key by the strings, the result in ids[0..n). */
struct sortpart {
    const idx_writer *w;
    struct keyed *a, *b;
    uint32_t *ids;
    size_t n;
};

static void *w_sort_part(void *arg)
{
    const struct sortpart *s = arg;
    size_t n = s->n;
    idxw_radix(s->a, s->b, n);
    for (size_t i = 0; i < n; i++)
        s->ids[i] = s->a[i].id;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && s->a[j].key == s->a[i].key)
            j++;
        if (j - i > 1)
            qsort_r(s->ids + i, j - i, sizeof *s->ids, w_term_cmp, (void *)s->w);
        i = j;
    }
    return NULL;
}

/* Terms from which idxw_sort_terms splits its work over two threads (when
 * the writer may use more than one). */
#define SORT_SPLIT_MIN 32768

/* Sort ids[0..n) (term ids) into vocabulary order (w_term_cmp): a radix
 * sort of their prefix keys (stable), then a comparison sort of each run
 * of equal keys, which is much faster than comparing every pair through
 * the strings.  A large sort (the finish step's is serial time) is first
 * split by the keys' top byte into two parts of about half each, every key
 * of the first below every key of the second, and the parts are sorted at
 * once on two threads. */
int idxw_sort_terms(idx_writer *w, uint32_t *ids, size_t n, ig_err *e)
{
    struct keyed *a = ig_reallocarray(NULL, n ? n : 1, sizeof *a);
    struct keyed *b = ig_reallocarray(NULL, n ? n : 1, sizeof *b);
    if (a == NULL || b == NULL) {
        ig_free(a);
        ig_free(b);
        return ig_err_nomem(e, STAGE);
    }
    size_t at[257];
    memset(at, 0, sizeof at);
    for (size_t i = 0; i < n; i++) {
        const struct wterm *t = &w->terms[ids[i]];
        a[i].key = idxw_prefix_key(w->surfaces.data + t->surf_off, t->surf_len);
        a[i].id = ids[i];
        at[(a[i].key >> 56) + 1]++;
    }
    size_t cut = 0; /* the parts: a[0..cut) and a[cut..n) */
    if (n >= SORT_SPLIT_MIN) {
        for (unsigned k = 1; k <= 256; k++)
            at[k] += at[k - 1];
        unsigned top = 0;
        while (at[top + 1] < n / 2)
            top++;
        cut = at[top + 1];
        /* Keys with top byte <= top first (placed by top byte, stably). */
        for (size_t i = 0; i < n; i++)
            b[at[a[i].key >> 56]++] = a[i];
        memcpy(a, b, n * sizeof *a);
    }
    struct sortpart lo = { w, a, b, ids, cut }, hi = { w, a + cut, b + cut, ids + cut, n - cut };
    pthread_t th;
    int started = cut > 0 && w->opts.threads > 1 &&
                  pthread_create(&th, NULL, w_sort_part, &lo) == 0;
    if (!started)
        w_sort_part(&lo);
    w_sort_part(&hi);
    if (started)
        pthread_join(th, NULL);
    ig_free(a);
    ig_free(b);
    return IG_OK;
}

/* Write every in-memory postings list as one segment sorted in vocabulary
 * order: records of u32 term id, u64 length, bytes. */
static int w_spill(idx_writer *w, ig_err *e)
{
    uint32_t *ids = NULL;
    size_t n = 0;
    int rc = IG_OK;
    ids = ig_reallocarray(NULL, w->nterms ? w->nterms : 1, sizeof *ids);
    if (ids == NULL || w_grow((void **)&w->segs, &w->csegs, w->nsegs + 1, sizeof *w->segs)) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    for (size_t i = 0; i < w->nterms; i++)
        if (w->terms[i].len > 0)
            ids[n++] = (uint32_t)i;
    if ((rc = idxw_sort_terms(w, ids, n, e)) != IG_OK)
        goto out;
    uint64_t start = w->spill_len + w->sused;
    for (size_t i = 0; i < n; i++) {
        struct wterm *t = &w->terms[ids[i]];
        unsigned char h[12];
        idx_put_u32(h, ids[i]);
        idx_put_u64(h + 4, t->len);
        if ((rc = spill_write(w, h, sizeof h, e)) != IG_OK ||
            (rc = spill_write(w, t->p, t->len, e)) != IG_OK)
            goto out;
        t->p = NULL;
        t->len = t->cap = 0;
    }
    ig_pool_reset(&w->post);
    w->post_bytes = 0;
    if ((rc = idxw_spill_flush(w, e)) != IG_OK)
        goto out;
    w->segs[w->nsegs].off = start;
    w->segs[w->nsegs].len = w->spill_len - start;
    w->nsegs++;
out:
    ig_free(ids);
    return rc;
}

/* ---- adding documents ---------------------------------------------------- */

static int w_lang_id(idx_writer *w, const char *lang, uint16_t *id, ig_err *e)
{
    for (size_t i = 0; i < w->nlangs; i++)
        if (strcmp(w->langs[i], lang) == 0) {
            *id = (uint16_t)i;
            return IG_OK;
        }
    if (!stem_lang_supported(lang)) {
        char q[100];
        ig_quote(q, sizeof q, lang, strlen(lang));
        return ig_err_set(e, IG_EDATA, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "unsupported language \"%s\" (supported: %s)", q,
                          stem_languages());
    }
    if (w->nlangs >= MAX_LANGS)
        return ig_err_set(e, IG_ELIMIT, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "too many languages");
    char **l = ig_reallocarray(w->langs, w->nlangs + 1, sizeof *l);
    if (l == NULL)
        return ig_err_nomem(e, STAGE);
    w->langs = l;
    stem_cache **sc = ig_reallocarray(w->stemmers, w->nlangs + 1, sizeof *sc);
    if (sc == NULL)
        return ig_err_nomem(e, STAGE);
    w->stemmers = sc;
    sc[w->nlangs] = NULL;
    int rc = stem_open(&sc[w->nlangs], lang, e);
    if (rc != IG_OK)
        return rc;
    if ((l[w->nlangs] = ig_strdup(lang)) == NULL) {
        stem_close(sc[w->nlangs]);
        return ig_err_nomem(e, STAGE);
    }
    *id = (uint16_t)w->nlangs++;
    return IG_OK;
}

/* A zeroed slot table of n entries.  Zeroed by writing, not by calloc:
 * a large calloc maps the shared zero page, the probes read it, and the
 * first store to each page then faults again and flushes the other CPUs'
 * TLBs (an interrupt per page, with worker threads running). */
static struct wslot *w_slots_new(size_t n)
{
    struct wslot *s = ig_reallocarray(NULL, n, sizeof *s);
    if (s != NULL)
        memset(s, 0, n * sizeof *s);
    return s;
}

static int w_rehash(idx_writer *w)
{
    size_t n = w->nslots * 2;
    struct wslot *s = w_slots_new(n);
    if (s == NULL)
        return IG_ENOMEM;
    for (size_t i = 0; i < w->nterms; i++) {
        size_t h = (size_t)w->terms[i].hash & (n - 1);
        while (s[h].idx)
            h = (h + 1) & (n - 1);
        s[h].tag = (uint32_t)(w->terms[i].hash >> 32);
        s[h].idx = (uint32_t)i + 1;
    }
    ig_free(w->slots);
    w->slots = s;
    w->nslots = n;
    return IG_OK;
}

/* The hash of a document's term in language lang. */
static inline uint64_t w_term_hash(const struct dterm *dt, uint16_t lang)
{
    return dt->hash ^ ((uint64_t)lang + 1) * 0x9E3779B97F4A7C15ull;
}

/* Room for one more term in w->terms, kept aligned to WTERM_ALIGN (ig_realloc
 * would not keep it so): a larger block, the terms copied over. */
static int w_terms_grow(idx_writer *w)
{
    if (w->nterms < w->cterms)
        return IG_OK;
    size_t c = w->cterms ? 2 * w->cterms : 1024;
    if (c > (SIZE_MAX - WTERM_ALIGN) / sizeof(struct wterm))
        return IG_ENOMEM;
    void *mem = ig_malloc(c * sizeof(struct wterm) + WTERM_ALIGN);
    if (mem == NULL)
        return IG_ENOMEM;
    struct wterm *t = (struct wterm *)(((uintptr_t)mem + WTERM_ALIGN - 1) &
                                       ~(uintptr_t)(WTERM_ALIGN - 1));
    if (w->nterms > 0)
        memcpy(t, w->terms, w->nterms * sizeof *t);
    ig_free(w->terms_mem);
    w->terms_mem = mem;
    w->terms = t;
    w->cterms = c;
    return IG_OK;
}

/* The corpus term for a document's term (hash h), created if new. */
static int w_term(idx_writer *w, const idx_docbuf *d, const struct dterm *dt, uint64_t h,
                  uint16_t lang, struct wterm **out)
{
    const char *s = d->surf.data + dt->surf_off;
    uint32_t tag = (uint32_t)(h >> 32);
    size_t mask = w->nslots - 1, i = (size_t)h & mask;
    for (;;) {
        const struct wslot *sl = &w->slots[i];
        if (sl->idx == 0)
            break;
        if (sl->tag == tag) {
            struct wterm *t = &w->terms[sl->idx - 1];
            if (t->surf_len == dt->surf_len && t->lang == lang &&
                w_same(w->surfaces.data + t->surf_off, s, dt->surf_len)) {
                *out = t;
                return IG_OK;
            }
        }
        i = (i + 1) & mask;
    }
    if (w->nterms >= UINT32_MAX - 1 || w_terms_grow(w) != IG_OK ||
        w_grow((void **)&w->stemref, &w->cstemref, w->nterms + 1, sizeof *w->stemref) != IG_OK ||
        ig_buf_reserve(&w->surfaces, (size_t)dt->surf_len + 1) != IG_OK)
        return IG_ENOMEM;
    struct wterm *t = &w->terms[w->nterms];
    memset(t, 0, sizeof *t);
    t->hash = h;
    t->surf_off = w->surfaces.len;
    t->surf_len = dt->surf_len;
    t->lang = lang;
    ig_buf_add(&w->surfaces, s, dt->surf_len);
    ig_buf_addc(&w->surfaces, '\0');
    /* Its stem now rather than in idx_writer_finish: here the work overlaps
     * the worker threads' preparing, there it was the serial tail. */
    const char *st;
    size_t sl;
    if (stem_word_once(w->stemmers[lang], s, dt->surf_len, &st, &sl) != IG_OK ||
        ig_buf_add(&w->stems, st, sl) != IG_OK)
        return IG_ENOMEM; /* the term is not counted or in the table yet */
    w->stemref[w->nterms].off = w->stems.len - sl;
    w->stemref[w->nterms].len = (uint32_t)sl;
    w->slots[i].tag = tag;
    w->slots[i].idx = (uint32_t)++w->nterms;
    *out = t;
    if (w->nterms * 2 > w->nslots && w_rehash(w) != IG_OK)
        return IG_ENOMEM;
    /* the rehash moved slots, not terms: t stays valid */
    return IG_OK;
}

/* The map of the preparer of d, checked against the rule of index.h
 * (each preparer's documents arrive in the order prepared, none missing). */
static int w_map_of(idx_writer *w, const idx_docbuf *d, struct wmap **out, ig_err *e)
{
    struct wmap *m = NULL;
    for (size_t i = 0; i < w->nmaps; i++)
        if (w->maps[i].owner == d->owner)
            m = &w->maps[i];
    if (m == NULL) {
        if (w_grow((void **)&w->maps, &w->cmaps, w->nmaps + 1, sizeof *w->maps) != IG_OK)
            return ig_err_nomem(e, STAGE);
        m = &w->maps[w->nmaps++];
        memset(m, 0, sizeof *m);
        m->owner = d->owner;
        m->epoch = d->epoch;
    }
    if (d->epoch != m->epoch) {
        m->epoch = d->epoch;
        m->next_seq = 0;
        m->n = 0;
    }
    if (d->owner == 0 || d->seq != m->next_seq)
        return ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "document %zu: prepared documents added out of order (internal error)",
                          w->ndocs);
    m->next_seq++;
    *out = m;
    return IG_OK;
}

/* The corpus term of each of d's terms into w->ids: a fresh one looked up
 * (or created) by its surface and remembered in m, any other read from m.
 * The lookups are few (a term per preparer, once). */
static int w_resolve(idx_writer *w, struct wmap *m, const idx_docbuf *d, uint16_t lang, ig_err *e)
{
    if (w_grow((void **)&w->ids, &w->cids, d->nt, sizeof *w->ids) != IG_OK)
        return ig_err_nomem(e, STAGE);
    /* What each term reads is fetched ahead: a fresh term's slot 2 * AHEAD
     * terms before and the term in it AHEAD before, any other's map entry.
     * Both tables are far larger than the caches, and the terms of a
     * document are in no order in either. */
    enum { AHEAD = 16 };
    for (size_t i = 0; i < d->nt; i++) {
        if (i + 2 * AHEAD < d->nt) {
            const struct dterm *da = &d->t[i + 2 * AHEAD];
            if (da->fresh)
                __builtin_prefetch(&w->slots[w_term_hash(da, lang) & (w->nslots - 1)]);
            else
                __builtin_prefetch(&m->corpus[da->tid]);
        }
        if (i + AHEAD < d->nt && d->t[i + AHEAD].fresh) {
            const struct wslot *sa =
                &w->slots[w_term_hash(&d->t[i + AHEAD], lang) & (w->nslots - 1)];
            if (sa->idx)
                __builtin_prefetch(&w->terms[sa->idx - 1]);
        }
        const struct dterm *dt = &d->t[i];
        uint32_t id;
        /* A fresh term is the next the preparer numbered; any other, one
         * it numbered before. */
        if (dt->fresh ? dt->tid != m->n : dt->tid >= m->n)
            return ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS, "thread term %u out of sequence (internal error)",
                              dt->tid);
        if (dt->fresh) {
            struct wterm *t;
            if (w_grow((void **)&m->corpus, &m->cap, m->n + 1, sizeof *m->corpus) != IG_OK ||
                w_term(w, d, dt, w_term_hash(dt, lang), lang, &t) != IG_OK)
                return ig_err_nomem(e, STAGE);
            id = (uint32_t)(t - w->terms);
            m->corpus[m->n++] = id;
        } else {
            id = m->corpus[dt->tid];
        }
        w->ids[i] = id;
    }
    return IG_OK;
}

int idx_writer_add(idx_writer *w, const char *const *vals, const char *lang,
                   const idx_docbuf *d, ig_err *e)
{
    if (w->failed)
        return ig_err_set(e, w->failed, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "writer already failed");
    if (w->slots == NULL) /* idx_writer_finish has run */
        return idxw_fail(w, ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "document added after the index was finished"));
    if (w->ndocs >= IG_MAX_DOCS)
        return idxw_fail(w, ig_err_set(e, IG_ELIMIT, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "more than IG_MAX_DOCS (%u) documents",
                                    (unsigned)IG_MAX_DOCS));
    uint16_t lid = 0;
    int rc = w_lang_id(w, lang, &lid, e);
    if (rc != IG_OK)
        return idxw_fail(w, rc);
    if (w_grow((void **)&w->docs, &w->cdocs, w->ndocs + 1, sizeof *w->docs) != IG_OK)
        return idxw_fail(w, ig_err_nomem(e, STAGE));
    uint32_t doc = (uint32_t)w->ndocs;
    struct wdoc *wd = &w->docs[doc];
    memset(wd, 0, sizeof *wd);
    wd->meta_off = w->meta.len;
    for (size_t c = 0; c < w->ncols; c++)
        if (ig_buf_add(&w->meta, vals[c], strlen(vals[c]) + 1) != IG_OK)
            return idxw_fail(w, ig_err_nomem(e, STAGE));
    wd->bytes = d->bytes;
    wd->file_bytes = d->src.file_bytes;
    wd->replaced = d->src.replaced;
    wd->truncated = d->truncated;
    wd->positions = d->positions;
    wd->sentences = d->sentences;
    wd->paragraphs = d->paragraphs;
    wd->sections = d->sections;
    wd->lang = lid;
    wd->flags = d->src.gzip ? 1 : 0;
    memcpy(wd->sha, d->sha, 32);
    uint64_t here = ig_out_tell(w->out) - w->docdata_off;
    wd->layout_off = here;
    wd->layout_len = d->layout.len;
    wd->layout_crc = d->layout_crc;
    wd->text_off = here + d->layout.len;
    wd->text_len = d->text.len;
    wd->text_crc = d->text_crc;
    /* The worker computed the CRC of layout and text: the section's CRC
     * is extended by combining, not by reading the bytes again here. */
    w->sec_crc = idx_crc32_combine(w->sec_crc, d->blob_crc, d->layout.len + d->text.len);
    if ((rc = idxw_emit_raw(w, d->layout.data, d->layout.len, e)) != IG_OK ||
        (rc = idxw_emit_raw(w, d->text.data, d->text.len, e)) != IG_OK)
        return idxw_fail(w, rc);
    idxw_writeback(w);
    if (d->lang != NULL && strcmp(d->lang, lang) != 0)
        return idxw_fail(w, ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "document prepared as \"%s\", added as \"%s\" "
                                    "(internal error)", d->lang, lang));
    struct wmap *m = NULL;
    if ((rc = w_map_of(w, d, &m, e)) != IG_OK || (rc = w_resolve(w, m, d, lid, e)) != IG_OK)
        return idxw_fail(w, rc);
    const unsigned char *enc = (const unsigned char *)d->enc.data;
    /* Each term is fetched 4 * AHEAD terms before its use and the tail of
     * its postings AHEAD before (which reads the term): far enough for
     * memory to answer, near enough that what was fetched is still in the
     * cache.  (With the term 2 * AHEAD ahead, the read of it for the tail
     * still waited: 5% more of the writer's samples in three pairs of runs
     * at 100 MB.) */
    enum { AHEAD = 8 };
    for (size_t i = 0; i < d->nt && i < 4 * AHEAD; i++)
        __builtin_prefetch(&w->terms[w->ids[i]]);
    for (size_t i = 0; i < d->nt; i++) {
        if (i + 4 * AHEAD < d->nt)
            __builtin_prefetch(&w->terms[w->ids[i + 4 * AHEAD]]);
        if (i + AHEAD < d->nt) {
            const struct wterm *ta = &w->terms[w->ids[i + AHEAD]];
            if (ta->p)
                __builtin_prefetch(ta->p + ta->len);
        }
        const struct dterm *dt = &d->t[i];
        struct wterm *t = &w->terms[w->ids[i]];
        size_t need = t->len + 20 + dt->enc_len;
        if (need > t->cap && ig_pool_grow(&w->post, &t->p, &t->cap, t->len, need) != IG_OK)
            return idxw_fail(w, ig_err_nomem(e, STAGE));
        unsigned char *q = t->p + t->len;
        q = idx_put_varint(q, (uint64_t)doc + 1 - t->last1);
        q = idx_put_varint(q, dt->freq);
        /* Most lists of a document are a few bytes: two word copies (enc
         * has the room past its end, index_doc.h) rather than a call. */
        const unsigned char *from = enc + dt->enc_off;
        if (dt->enc_len <= 16 && (size_t)(t->p + t->cap - q) >= 16) {
            uint64_t x, y;
            memcpy(&x, from, 8);
            memcpy(&y, from + 8, 8);
            memcpy(q, &x, 8);
            memcpy(q + 8, &y, 8);
        } else {
            memcpy(q, from, dt->enc_len);
        }
        size_t len = (size_t)(q - t->p) + dt->enc_len;
        w->post_bytes += len - t->len;
        t->len = len;
        t->last1 = doc + 1;
        t->df++;
        t->cf += dt->freq;
    }
    w->ndocs++;
    if (ig_pool_footprint(&w->post) > w->opts.mem_budget && (rc = w_spill(w, e)) != IG_OK)
        return idxw_fail(w, rc);
    return IG_OK;
}

int idx_writer_add_text(idx_writer *w, const char *const *vals, const char *lang,
                        const char *text, size_t len, const idx_doc_src *src, ig_err *e)
{
    idx_doc_src s;
    memset(&s, 0, sizeof s);
    if (src)
        s = *src;
    else
        s.file_bytes = len;
    s.lang = lang;
    int rc = idx_prep_doc(w->prep, w->db, text, len, &s, e);
    if (rc != IG_OK)
        return idxw_fail(w, rc);
    return idx_writer_add(w, vals, lang, w->db, e);
}

int idx_writer_doc_stats(const idx_writer *w, uint32_t doc, idx_doc_stats *st)
{
    memset(st, 0, sizeof *st);
    if (doc >= w->ndocs)
        return IG_EUSAGE;
    const struct wdoc *d = &w->docs[doc];
    st->bytes = d->bytes;
    st->file_bytes = d->file_bytes;
    st->replaced = d->replaced;
    st->truncated = d->truncated;
    st->positions = d->positions;
    st->sentences = d->sentences;
    st->paragraphs = d->paragraphs;
    st->sections = d->sections;
    st->lang = w->langs[d->lang];
    st->gzip = d->flags & 1;
    memcpy(st->sha256, d->sha, 32);
    return IG_OK;
}


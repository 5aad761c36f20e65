/*
 * index_write.c: building an index file (format: top of index.c).
 *
 * Pipeline place: the end of `igmap index`.  Documents arrive prepared
 * (idx_prep_doc, index_prep.c, any thread: tokenised, grouped by term,
 * encoded, compressed) and are added here in document order
 * (idx_writer_add, one thread), which appends the document's layout and
 * text to the output at once and its postings to in-memory lists.  When the
 * lists pass the memory budget they are spilled as a sorted segment; the
 * finish step merges the segments into the postings section.  Each
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
#include "limits.h"
#include "out.h"
#include "pool.h"
#include "stem.h"
#include "tokenise.h"

#define STAGE "index"
#define SPILL_BUFSZ ((size_t)1 << 20)
#define MERGE_BUFSZ ((size_t)1 << 16)
/* From this many bytes on, combining two CRCs (a few hundred cycles) is
 * cheaper than computing one over the bytes. */
#define COMBINE_MIN 4096
#define MAX_LANGS 0xffff

/* ---- the writer --------------------------------------------------------- */

/* A term of the whole corpus. */
struct wterm {
    uint64_t hash;          /* of surface and language */
    uint64_t surf_off;      /* in w->surfaces (NUL-terminated there) */
    uint64_t cf;
    unsigned char *p;       /* postings since the last spill */
    size_t len, cap;
    uint64_t stem_off;      /* in w->stems */
    uint32_t surf_len;
    uint32_t stem_len;
    uint32_t last1;         /* last document + 1, 0 before the first */
    uint32_t df;
    uint16_t lang;          /* provisional language (order first seen) */
};

/* A slot of the corpus term table: the high half of the term's hash, so
 * that a probe rarely has to look at the term itself, and its index + 1
 * (0 = empty). */
struct wslot {
    uint32_t tag;
    uint32_t idx;
};

struct wdoc {
    uint64_t meta_off, bytes, file_bytes, replaced, truncated;
    uint64_t layout_off, layout_len, text_off, text_len;
    uint32_t layout_crc, text_crc, positions, sentences, paragraphs, sections;
    uint16_t lang, flags;
    unsigned char sha[32];
};

struct wseg {
    uint64_t off, len;      /* in the spill file */
};

/* Thread term maps.  A preparer (index_prep.c) numbers the terms it meets
 * and sends a term's surface only with the first document it occurs in
 * (dterm.fresh); the writer, seeing that preparer's documents in the order
 * they were prepared, looks such a term up once by its surface and records
 * its corpus term here, so every later occurrence is an array read. */
struct wmap {
    uint64_t owner;         /* the preparer's serial */
    uint32_t epoch;         /* its epoch this map is for */
    uint32_t next_seq;      /* the document number expected next */
    uint32_t *corpus;       /* thread term -> corpus term */
    size_t n, cap;          /* thread terms mapped so far */
};

struct idx_writer {
    ig_out *out;
    char path[1024];
    idx_build_opts opts;
    char *section_pattern;      /* copy of opts.section_pattern */
    size_t ncols;
    char **cols;
    char **langs;               /* provisional order */
    stem_cache **stemmers;      /* per provisional language */
    size_t nlangs;
    struct wdoc *docs;
    size_t ndocs, cdocs;
    ig_buf meta;                /* METADATA section, built as documents come */
    uint64_t docdata_off;       /* file offset of DOCDATA */
    uint32_t sec_crc;           /* CRC of the section being written */
    struct wterm *terms;
    size_t nterms, cterms;
    ig_buf surfaces;
    ig_buf stems;               /* each term's stem, stemmed when first met */
    struct wslot *slots;        /* open addressing, linear probing */
    size_t nslots;              /* power of two, at least twice nterms */
    ig_pool post;               /* every term's postings buffer (p, cap) */
    int spill_fd;
    char spill_path[1100];
    uint64_t spill_len;
    struct wseg *segs;
    size_t nsegs, csegs;
    unsigned char *sbuf;        /* spill write buffer */
    size_t sused;
    struct wmap *maps;          /* one per preparer seen */
    size_t nmaps, cmaps;
    uint32_t *ids;              /* scratch: corpus term of each dterm */
    size_t cids;
    idx_prep *prep;             /* for idx_writer_add_text */
    idx_docbuf *db;
    struct {
        uint64_t off, len;
        uint32_t crc;
    } sec[IDX_NSECTIONS + 1];
    uint64_t wb_at;             /* output offset of the last writeback request */
    int failed;                 /* sticky error code */
    int finished;
};

static int w_fail(idx_writer *w, int rc)
{
    if (w->failed == IG_OK)
        w->failed = rc;
    return rc;
}

/* Write bytes to the output, inside the current section, without
 * extending the section's CRC (the caller does). */
static int w_emit_raw(idx_writer *w, const void *p, size_t n, ig_err *e);

/* Write bytes to the output, inside the current section. */
static int w_emit(idx_writer *w, const void *p, size_t n, ig_err *e)
{
    w->sec_crc = idx_crc32(w->sec_crc, p, n);
    return w_emit_raw(w, p, n, e);
}

static int w_emit_raw(idx_writer *w, const void *p, size_t n, ig_err *e)
{
    if (w->out == NULL)
        return w->failed ? w->failed : IG_ESYS;
    if (ig_out_write(w->out, p, n) != IG_OK) {
        /* The out handle holds the errno and what failed: committing a
         * failed handle reports exactly that and removes the temp file. */
        ig_out *o = w->out;
        w->out = NULL;
        int rc = ig_out_commit(o, e);
        return w_fail(w, rc != IG_OK ? rc : IG_ESYS);
    }
    return IG_OK;
}

/* Every WRITEBACK_BYTES of output, ask for it to go to disk now: the
 * commit's fsync then has little left to write (on a 1 GB corpus it
 * otherwise waits most of a second for the disk).  The finish step asks
 * once more for everything it wrote, so the disk works while documents.csv
 * is written. */
#define WRITEBACK_BYTES ((uint64_t)8 << 20)
static void w_writeback(idx_writer *w)
{
    if (w->out && ig_out_tell(w->out) - w->wb_at >= WRITEBACK_BYTES) {
        ig_out_writeback(w->out);
        w->wb_at = ig_out_tell(w->out);
    }
}

static void w_sec_begin(idx_writer *w, uint32_t id)
{
    w->sec[id].off = ig_out_tell(w->out);
    w->sec_crc = 0;
}

static void w_sec_end(idx_writer *w, uint32_t id)
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
    if ((rc = w_emit(w, h, sizeof h, e)) != IG_OK)
        goto out;
    w_sec_begin(w, IDX_SEC_DOCDATA);
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
    ig_free(w->terms);
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

static int spill_flush(idx_writer *w, ig_err *e)
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
        if (w->sused == SPILL_BUFSZ && spill_flush(w, e) != IG_OK)
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
static uint64_t w_prefix_key(const char *s, uint32_t n)
{
    uint64_t k = 0;
    for (uint32_t i = 0; i < 8; i++)
        k = k << 8 | (i < n ? (unsigned char)s[i] : 0u);
    return k;
}

struct keyed {
    uint64_t key;
    uint32_t id;
};

/* Sort a[0..n) by key, stably (LSD radix, 8 bits a pass; a pass whose
 * byte is the same in every key is skipped), using b as scratch.  The
 * result is in a. */
static void w_radix(struct keyed *a, struct keyed *b, size_t n)
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

/* Part of w_sort_terms: a[0..n) by key (b the scratch), the run of each
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
    w_radix(s->a, s->b, n);
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

/* Terms from which w_sort_terms splits its work over two threads (when
 * the writer may use more than one). */
#define SORT_SPLIT_MIN 32768

/* Sort ids[0..n) (term ids) into vocabulary order (w_term_cmp): a radix
 * sort of their prefix keys (stable), then a comparison sort of each run
 * of equal keys, which is much faster than comparing every pair through
 * the strings.  A large sort (the finish step's is serial time) is first
 * split by the keys' top byte into two parts of about half each, every key
 * of the first below every key of the second, and the parts are sorted at
 * once on two threads. */
static int w_sort_terms(idx_writer *w, uint32_t *ids, size_t n, ig_err *e)
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
        a[i].key = w_prefix_key(w->surfaces.data + t->surf_off, t->surf_len);
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
    if ((rc = w_sort_terms(w, ids, n, e)) != IG_OK)
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
    if ((rc = spill_flush(w, e)) != IG_OK)
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
    if (w->nterms >= UINT32_MAX - 1 ||
        w_grow((void **)&w->terms, &w->cterms, w->nterms + 1, sizeof *w->terms) != IG_OK ||
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
    t->stem_off = w->stems.len - sl;
    t->stem_len = (uint32_t)sl;
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
        return w_fail(w, ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "document added after the index was finished"));
    if (w->ndocs >= IG_MAX_DOCS)
        return w_fail(w, ig_err_set(e, IG_ELIMIT, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "more than IG_MAX_DOCS (%u) documents",
                                    (unsigned)IG_MAX_DOCS));
    uint16_t lid = 0;
    int rc = w_lang_id(w, lang, &lid, e);
    if (rc != IG_OK)
        return w_fail(w, rc);
    if (w_grow((void **)&w->docs, &w->cdocs, w->ndocs + 1, sizeof *w->docs) != IG_OK)
        return w_fail(w, ig_err_nomem(e, STAGE));
    uint32_t doc = (uint32_t)w->ndocs;
    struct wdoc *wd = &w->docs[doc];
    memset(wd, 0, sizeof *wd);
    wd->meta_off = w->meta.len;
    for (size_t c = 0; c < w->ncols; c++)
        if (ig_buf_add(&w->meta, vals[c], strlen(vals[c]) + 1) != IG_OK)
            return w_fail(w, ig_err_nomem(e, STAGE));
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
    w->sec_crc = (uint32_t)crc32_combine64(w->sec_crc, d->blob_crc,
                                           (z_off64_t)(d->layout.len + d->text.len));
    if ((rc = w_emit_raw(w, d->layout.data, d->layout.len, e)) != IG_OK ||
        (rc = w_emit_raw(w, d->text.data, d->text.len, e)) != IG_OK)
        return w_fail(w, rc);
    w_writeback(w);
    if (d->lang != NULL && strcmp(d->lang, lang) != 0)
        return w_fail(w, ig_err_set(e, IG_EUSAGE, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                    IG_ERR_NOPOS, "document prepared as \"%s\", added as \"%s\" "
                                    "(internal error)", d->lang, lang));
    struct wmap *m = NULL;
    if ((rc = w_map_of(w, d, &m, e)) != IG_OK || (rc = w_resolve(w, m, d, lid, e)) != IG_OK)
        return w_fail(w, rc);
    const unsigned char *enc = (const unsigned char *)d->enc.data;
    /* Each term is fetched 2 * AHEAD terms before its use and the tail of
     * its postings AHEAD before: far enough for memory to answer, near
     * enough that what was fetched is still in the cache. */
    enum { AHEAD = 8 };
    for (size_t i = 0; i < d->nt && i < 2 * AHEAD; i++)
        __builtin_prefetch(&w->terms[w->ids[i]]);
    for (size_t i = 0; i < d->nt; i++) {
        if (i + 2 * AHEAD < d->nt)
            __builtin_prefetch(&w->terms[w->ids[i + 2 * AHEAD]]);
        if (i + AHEAD < d->nt) {
            const struct wterm *ta = &w->terms[w->ids[i + AHEAD]];
            if (ta->p)
                __builtin_prefetch(ta->p + ta->len);
        }
        const struct dterm *dt = &d->t[i];
        struct wterm *t = &w->terms[w->ids[i]];
        size_t need = t->len + 20 + dt->enc_len;
        if (need > t->cap && ig_pool_grow(&w->post, &t->p, &t->cap, t->len, need) != IG_OK)
            return w_fail(w, ig_err_nomem(e, STAGE));
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
        t->len = (size_t)(q - t->p) + dt->enc_len;
        t->last1 = doc + 1;
        t->df++;
        t->cf += dt->freq;
    }
    w->ndocs++;
    if (ig_pool_footprint(&w->post) > w->opts.mem_budget && (rc = w_spill(w, e)) != IG_OK)
        return w_fail(w, rc);
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
        return w_fail(w, rc);
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
        if ((rc = w_emit(w, c->buf + c->bpos, k, e)) != IG_OK)
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
    return w_emit(w, b, 4, e);
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
        a[i].key = w_prefix_key(pool + se[i].off, se[i].len);
        a[i].id = (uint32_t)i;
    }
    w_radix(a, b, n);
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
        se[i].off = t->stem_off;
        se[i].len = t->stem_len;
        se[i].term = (uint32_t)i;
        se[i].lang = j->lfinal[t->lang];
    }
    if ((j->rc = w_sort_stems(se, nt, w->stems.data, &j->err)) != IG_OK)
        return NULL;
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
    ig_err_clear(&job.err);
    pthread_t stem_th;
    int stem_started = 0;
    size_t nt = w->nterms, nl = w->nlangs;
    w_sec_end(w, IDX_SEC_DOCDATA);
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
    if ((rc = w_sort_terms(w, order, nt, e)) != IG_OK)
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
    if (w->nsegs > 0 && (rc = spill_flush(w, e)) != IG_OK)
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
    w_sec_begin(w, IDX_SEC_POSTINGS);
    for (size_t i = 0; i < nt; i++) {
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
            crc = spilled ? (uint32_t)crc32_combine64(crc, tc, (z_off64_t)t->len) : tc;
            /* A long list's bytes are not run through the CRC a second
             * time for the section's: combining costs less. */
            if (t->len >= COMBINE_MIN) {
                w->sec_crc = (uint32_t)crc32_combine64(w->sec_crc, tc, (z_off64_t)t->len);
                rc = w_emit_raw(w, t->p, t->len, e);
            } else {
                rc = w_emit(w, t->p, t->len, e);
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
            w_writeback(w);
        }
    }
    for (size_t s = 0; s < w->nsegs; s++)
        if (cur[s].term != UINT32_MAX) {
            rc = ig_err_set(e, IG_ESYS, STAGE, w->spill_path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "spill file damaged (records left over)");
            goto out;
        }
    w_sec_end(w, IDX_SEC_POSTINGS);
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
    w_sec_begin(w, IDX_SEC_FINGERPRINT);
    const char *fb = idx_fingerprint_base();
    if ((rc = w_emit(w, fb, strlen(fb), e)) != IG_OK ||
        (rc = w_emit(w, "section_pattern=", 16, e)) != IG_OK ||
        (rc = w_emit(w, w->section_pattern, strlen(w->section_pattern), e)) != IG_OK ||
        (rc = w_emit(w, "\n", 1, e)) != IG_OK)
        goto out;
    w_sec_end(w, IDX_SEC_FINGERPRINT);
    /* LANGUAGES */
    w_sec_begin(w, IDX_SEC_LANGUAGES);
    if ((rc = w_emit_u32(w, (uint32_t)nl, e)) != IG_OK)
        goto out;
    for (size_t i = 0; i < nl; i++) {
        const char *code = w->langs[lorder[i]], *alg = stem_algorithm(code);
        if (alg == NULL)
            alg = "";
        if ((rc = w_emit(w, code, strlen(code) + 1, e)) != IG_OK ||
            (rc = w_emit(w, alg, strlen(alg) + 1, e)) != IG_OK)
            goto out;
    }
    w_sec_end(w, IDX_SEC_LANGUAGES);
    /* COLUMNS */
    w_sec_begin(w, IDX_SEC_COLUMNS);
    if ((rc = w_emit_u32(w, (uint32_t)w->ncols, e)) != IG_OK)
        goto out;
    for (size_t i = 0; i < w->ncols; i++)
        if ((rc = w_emit(w, w->cols[i], strlen(w->cols[i]) + 1, e)) != IG_OK)
            goto out;
    w_sec_end(w, IDX_SEC_COLUMNS);
    /* DOCUMENTS */
    w_sec_begin(w, IDX_SEC_DOCUMENTS);
    if ((rc = w_emit_u32(w, (uint32_t)w->ndocs, e)) != IG_OK || (rc = w_emit_u32(w, 0, e)) != IG_OK)
        goto out;
    for (size_t i = 0; i < w->ndocs; i++) {
        const struct wdoc *d = &w->docs[i];
        unsigned char rec[IDX_DOC_REC];
        memset(rec, 0, sizeof rec);
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
        if ((rc = w_emit(w, rec, sizeof rec, e)) != IG_OK)
            goto out;
    }
    w_sec_end(w, IDX_SEC_DOCUMENTS);
    /* METADATA */
    w_sec_begin(w, IDX_SEC_METADATA);
    if ((rc = w_emit(w, w->meta.data, w->meta.len, e)) != IG_OK)
        goto out;
    w_sec_end(w, IDX_SEC_METADATA);
    /* VOCABULARY */
    w_sec_begin(w, IDX_SEC_VOCABULARY);
    if ((rc = w_emit_u32(w, (uint32_t)nt, e)) != IG_OK || (rc = w_emit_u32(w, 0, e)) != IG_OK)
        goto out;
    uint64_t soff = 0;
    unsigned char batch[IDX_TERM_REC * 1024];
    size_t nb = 0;
    for (size_t i = 0; i < nt; i++) {
        const struct vinfo *v = &vi[i];
        unsigned char *rec = batch + nb;
        memset(rec, 0, IDX_TERM_REC);
        idx_put_u64(rec + TR_POST_OFF, v->post_off);
        idx_put_u64(rec + TR_POST_LEN, v->post_len);
        idx_put_u64(rec + TR_CF, v->cf);
        idx_put_u64(rec + TR_SURF_OFF, soff);
        idx_put_u32(rec + TR_SURF_LEN, v->surf_len);
        idx_put_u32(rec + TR_STEM, stem_of[i]);
        idx_put_u32(rec + TR_DF, v->df);
        idx_put_u32(rec + TR_POST_CRC, v->post_crc);
        idx_put_u16(rec + TR_LANG, v->lang);
        soff += (uint64_t)v->surf_len + 1;
        nb += IDX_TERM_REC;
        /* Records go out a batch at a time: one CRC and one copy per
         * batch rather than per record. */
        if ((nb == sizeof batch || i + 1 == nt) && (rc = w_emit(w, batch, nb, e)) != IG_OK)
            goto out;
        if (nb == sizeof batch)
            nb = 0;
    }
    w_sec_end(w, IDX_SEC_VOCABULARY);
    /* STRINGS */
    w_sec_begin(w, IDX_SEC_STRINGS);
    if ((rc = w_emit(w, strings.data, strings.len, e)) != IG_OK)
        goto out;
    w_sec_end(w, IDX_SEC_STRINGS);
    /* STEMS */
    w_sec_begin(w, IDX_SEC_STEMS);
    if ((rc = w_emit_u32(w, nstems, e)) != IG_OK || (rc = w_emit_u32(w, (uint32_t)nt, e)) != IG_OK ||
        (rc = w_emit(w, job.recs.data, job.recs.len, e)) != IG_OK ||
        (rc = w_emit(w, job.list.data, job.list.len, e)) != IG_OK)
        goto out;
    w_sec_end(w, IDX_SEC_STEMS);

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
    if ((rc = w_emit(w, dir, sizeof dir, e)) != IG_OK || (rc = w_emit(w, foot, sizeof foot, e)) != IG_OK)
        goto out;
    ig_out_writeback(w->out);
    w->finished = 1;
out:
    if (stem_started)
        pthread_join(stem_th, NULL);
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
        w_fail(w, rc);
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

/*
 * index_write.c: building an index file (format: top of index.c).
 *
 * Pipeline place: the end of `igmap index`.  Documents arrive already read
 * (input.c); here they are tokenised (tokenise.c), grouped by term, encoded
 * and compressed (idx_prep_doc, any thread), then added in document order
 * (idx_writer_add, one thread), which appends the document's layout and
 * text to the output at once and its postings to in-memory lists.  When the
 * lists pass the memory budget they are spilled as a sorted segment; the
 * finish step stems each distinct term once and merges the segments into
 * the postings section.
 *
 * Determinism: postings are encoded relative to the previous document of
 * the same term in the whole corpus (not the segment), so segments
 * concatenate byte for byte; the file therefore does not depend on where
 * spills happened, nor on threads (which only prepare documents).
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "index_fmt.h"
#include "limits.h"
#include "out.h"
#include "sha256.h"
#include "stem.h"
#include "tokenise.h"

#define STAGE "index"
#define SPILL_BUFSZ ((size_t)1 << 20)
#define MERGE_BUFSZ ((size_t)1 << 16)
#define MAX_LANGS 0xffff

/* ---- preparing one document ------------------------------------------ */

/* A distinct term of the document being prepared. */
struct lterm {
    uint64_t hash;          /* of the surface */
    uint32_t surf_off;      /* in the docbuf's surf */
    uint32_t surf_len;
    uint32_t count;         /* occurrences */
    uint32_t slot;          /* its hash slot, to clear it after the document */
};

struct occ {
    uint32_t lid;           /* local term */
    uint32_t pos, span;
};

struct idx_prep {
    tok_stream *tok;
    uint32_t *slots;        /* lterm index + 1, 0 = empty */
    size_t nslots;          /* power of two */
    struct lterm *lt;
    size_t nlt, clt;
    struct occ *occ;
    size_t nocc, cocc;
    uint32_t *cur;          /* per lterm: scatter cursor */
    size_t ccur;
    struct occ *sorted;     /* occurrences grouped by lterm */
    size_t csorted;
    ig_buf runs[3];         /* sentence, paragraph, section run lists */
    z_stream z;
    int z_ready;
};

/* A distinct term of a prepared document. */
struct dterm {
    uint64_t hash;
    uint32_t surf_off, surf_len;
    uint32_t freq;
    uint32_t enc_len;
    uint64_t enc_off;       /* its encoded positions in enc */
};

struct idx_docbuf {
    struct dterm *t;        /* in order of first occurrence */
    size_t nt, ct;
    ig_buf surf;            /* surfaces, back to back */
    ig_buf enc;             /* encoded positions, back to back */
    ig_buf layout;          /* the layout blob */
    ig_buf text;            /* the zlib text blob */
    uint64_t bytes, truncated;
    uint32_t positions, sentences, paragraphs, sections;
    uint32_t layout_crc, text_crc;
    unsigned char sha[32];
    idx_doc_src src;        /* path not kept */
};

static inline uint64_t w_load64(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

static inline uint64_t w_load32(const char *s)
{
    uint32_t v;
    memcpy(&v, s, 4);
    return v;
}

/* A 64-bit hash of s[0..n) (in-memory use only: its value never reaches
 * the file, so host byte order does not matter).  The tail is read with
 * overlapping whole-word loads, not byte by byte, which keeps the
 * per-token cost low: this runs once per token of the corpus. */
static uint64_t w_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    uint64_t v;
    if (n >= 8) {
        const char *last = s + n - 8;
        while (s < last) {
            h = (h ^ w_load64(s)) * 0xbf58476d1ce4e5b9ull;
            h ^= h >> 29;
            s += 8;
        }
        v = w_load64(last);
    } else if (n >= 4) {
        v = w_load32(s) | w_load32(s + n - 4) << 32;
    } else if (n > 0) {
        v = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
            (uint64_t)(unsigned char)s[n - 1] << 16;
    } else {
        v = 0;
    }
    h = (h ^ v) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

/* Grow an array of elem-sized items to hold at least need. */
static int w_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return IG_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = ig_reallocarray(*p, c, elem);
    if (n == NULL)
        return IG_ENOMEM;
    *p = n;
    *cap = c;
    return IG_OK;
}

int idx_prep_new(idx_prep **pp, const idx_build_opts *opts, ig_err *e)
{
    *pp = NULL;
    idx_prep *p = ig_calloc(1, sizeof *p);
    if (p == NULL)
        return ig_err_nomem(e, STAGE);
    tok_opts to;
    memset(&to, 0, sizeof to);
    if (opts) {
        to.section_pattern = opts->section_pattern;
        to.truncate_long = opts->truncate_long;
        to.allow_nul = opts->allow_nul;
    }
    int rc = tok_open(&p->tok, &to, e);
    if (rc != IG_OK) {
        ig_free(p);
        return rc;
    }
    p->nslots = 1024;
    p->slots = ig_calloc(p->nslots, sizeof *p->slots);
    if (p->slots == NULL || deflateInit2(&p->z, IDX_TEXT_ZLIB_LEVEL, Z_DEFLATED, 15, 8,
                                         Z_DEFAULT_STRATEGY) != Z_OK) {
        idx_prep_free(p);
        return ig_err_nomem(e, STAGE);
    }
    p->z_ready = 1;
    *pp = p;
    return IG_OK;
}

void idx_prep_free(idx_prep *p)
{
    if (p == NULL)
        return;
    tok_close(p->tok);
    if (p->z_ready)
        deflateEnd(&p->z);
    ig_free(p->slots);
    ig_free(p->lt);
    ig_free(p->occ);
    ig_free(p->cur);
    ig_free(p->sorted);
    for (int k = 0; k < 3; k++)
        ig_buf_free(&p->runs[k]);
    ig_free(p);
}

int idx_docbuf_new(idx_docbuf **d)
{
    *d = ig_calloc(1, sizeof **d);
    return *d ? IG_OK : IG_ENOMEM;
}

void idx_docbuf_free(idx_docbuf *d)
{
    if (d == NULL)
        return;
    ig_free(d->t);
    ig_buf_free(&d->surf);
    ig_buf_free(&d->enc);
    ig_buf_free(&d->layout);
    ig_buf_free(&d->text);
    ig_free(d);
}

/* Double the local hash table and reinsert. */
static int prep_rehash(idx_prep *p)
{
    size_t n = p->nslots * 2;
    uint32_t *s = ig_calloc(n, sizeof *s);
    if (s == NULL)
        return IG_ENOMEM;
    for (size_t i = 0; i < p->nlt; i++) {
        size_t h = (size_t)p->lt[i].hash & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)i + 1;
        p->lt[i].slot = (uint32_t)h;
    }
    ig_free(p->slots);
    p->slots = s;
    p->nslots = n;
    return IG_OK;
}

/* Local term id of norm[0..n), added (surface copied into d) if new. */
static int prep_lookup(idx_prep *p, idx_docbuf *d, const char *norm, size_t n, uint32_t *lid)
{
    uint64_t h = w_hash(norm, n);
    size_t mask = p->nslots - 1, i = (size_t)h & mask;
    for (;;) {
        uint32_t s = p->slots[i];
        if (s == 0)
            break;
        struct lterm *t = &p->lt[s - 1];
        if (t->hash == h && t->surf_len == n && memcmp(d->surf.data + t->surf_off, norm, n) == 0) {
            t->count++;
            *lid = s - 1;
            return IG_OK;
        }
        i = (i + 1) & mask;
    }
    if (p->nlt >= UINT32_MAX - 1 || d->surf.len + n > UINT32_MAX ||
        w_grow((void **)&p->lt, &p->clt, p->nlt + 1, sizeof *p->lt) != IG_OK ||
        ig_buf_add(&d->surf, norm, n) != IG_OK)
        return IG_ENOMEM;
    struct lterm *t = &p->lt[p->nlt];
    t->hash = h;
    t->surf_off = (uint32_t)(d->surf.len - n);
    t->surf_len = (uint32_t)n;
    t->count = 1;
    t->slot = (uint32_t)i;
    p->slots[i] = (uint32_t)++p->nlt;
    *lid = (uint32_t)p->nlt - 1;
    if (p->nlt * 2 > p->nslots)
        return prep_rehash(p);
    return IG_OK;
}

/* Append one run (see "run lists" in the format) if v starts a new one. */
struct runstate {
    uint32_t start, val;
    uint32_t n;
};

static int prep_run(ig_buf *b, struct runstate *rs, uint32_t pos, uint32_t v)
{
    if (ig_buf_reserve(b, 20) != IG_OK)
        return IG_ENOMEM;
    unsigned char *q = (unsigned char *)b->data + b->len;
    q = idx_put_varint(q, rs->n ? pos - rs->start : 0);
    q = idx_put_varint(q, idx_zz((int64_t)v - (int64_t)(rs->n ? rs->val : 0)));
    b->len = (size_t)(q - (unsigned char *)b->data);
    rs->start = pos;
    rs->val = v;
    rs->n++;
    return IG_OK;
}

/* Compress text into d->text with the preparer's deflate stream. */
static int prep_compress(idx_prep *p, idx_docbuf *d, const char *text, size_t len)
{
    deflateReset(&p->z);
    uLong bound = deflateBound(&p->z, (uLong)len);
    ig_buf_reset(&d->text);
    if (ig_buf_reserve(&d->text, (size_t)bound) != IG_OK)
        return IG_ENOMEM;
    p->z.next_in = (unsigned char *)(uintptr_t)text;
    p->z.avail_in = (uInt)len;
    p->z.next_out = (unsigned char *)d->text.data;
    p->z.avail_out = (uInt)bound;
    if (deflate(&p->z, Z_FINISH) != Z_STREAM_END)
        return IG_ENOMEM;   /* cannot happen with deflateBound's room */
    d->text.len = (size_t)p->z.total_out;
    return IG_OK;
}

int idx_prep_doc(idx_prep *p, idx_docbuf *d, const char *text, size_t len,
                 const idx_doc_src *src, ig_err *e)
{
    const char *path = src && src->path ? src->path : "<text>";
    if (len > IG_MAX_DOC_BYTES)
        return ig_err_set(e, IG_ELIMIT, STAGE, path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "document exceeds IG_MAX_DOC_BYTES (%zu)", (size_t)IG_MAX_DOC_BYTES);
    d->nt = 0;
    ig_buf_reset(&d->surf);
    ig_buf_reset(&d->enc);
    ig_buf_reset(&d->layout);
    for (int k = 0; k < 3; k++)
        ig_buf_reset(&p->runs[k]);
    p->nlt = 0;
    p->nocc = 0;
    memset(&d->src, 0, sizeof d->src);
    if (src) {
        d->src.file_bytes = src->file_bytes;
        d->src.replaced = src->replaced;
        d->src.gzip = src->gzip;
    } else {
        d->src.file_bytes = len;
    }
    int rc = IG_OK;
    tok_reset(p->tok, text, len, path);
    const tok_token *tk;
    uint32_t npos = 0, maxsec = 0;
    uint64_t prev_end = 0;
    struct runstate rs[3];
    memset(rs, 0, sizeof rs);
    while ((rc = tok_next(p->tok, &tk, e)) == 1) {
        if (tk->pos != npos || tk->end < tk->start || tk->end > len) {
            rc = ig_err_set(e, IG_EDATA, STAGE, path, tk->line, IG_ERR_NOPOS, tk->start,
                            "tokeniser gave position %u where %u was expected (internal error)",
                            tk->pos, npos);
            goto out;
        }
        if (tk->kind != TOK_JOINED) {
            if (npos >= IG_MAX_DOC_TOKENS) {
                rc = ig_err_set(e, IG_ELIMIT, STAGE, path, tk->line, IG_ERR_NOPOS, tk->start,
                                "document exceeds IG_MAX_DOC_TOKENS (%u) positions",
                                (unsigned)IG_MAX_DOC_TOKENS);
                goto out;
            }
            if (d->layout.cap - d->layout.len < 21 &&
                ig_buf_reserve(&d->layout, 20 + len / 4) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            unsigned char *q = (unsigned char *)d->layout.data + d->layout.len;
            q = idx_put_varint(q, idx_zz((int64_t)tk->start - (int64_t)prev_end));
            q = idx_put_varint(q, tk->end - tk->start);
            d->layout.len = (size_t)(q - (unsigned char *)d->layout.data);
            prev_end = tk->end;
            /* A run starts at the first position and wherever the number
             * changes. */
            if (npos == 0 || tk->sentence != rs[0].val || tk->paragraph != rs[1].val ||
                tk->section != rs[2].val) {
                uint32_t v[3] = { tk->sentence, tk->paragraph, tk->section };
                for (int k = 0; k < 3; k++)
                    if ((npos == 0 || v[k] != rs[k].val) &&
                        prep_run(&p->runs[k], &rs[k], npos, v[k]) != IG_OK) {
                        rc = ig_err_nomem(e, STAGE);
                        goto out;
                    }
            }
            if (tk->section > maxsec)
                maxsec = tk->section;
        }
        uint32_t lid;
        if (prep_lookup(p, d, tk->norm, tk->norm_len, &lid) != IG_OK ||
            (p->nocc == p->cocc &&
             w_grow((void **)&p->occ, &p->cocc, p->nocc + 1, sizeof *p->occ) != IG_OK)) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        struct occ *o = &p->occ[p->nocc++];
        o->lid = lid;
        o->pos = tk->pos;
        o->span = tk->kind == TOK_JOINED ? tk->span : 0;
        if (tk->kind != TOK_JOINED)
            npos++;
    }
    if (rc < 0)
        goto out;
    /* The three run lists follow the byte ranges. */
    for (int k = 0; k < 3; k++) {
        if (ig_buf_reserve(&d->layout, 10 + p->runs[k].len) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        unsigned char *q = (unsigned char *)d->layout.data + d->layout.len;
        q = idx_put_varint(q, rs[k].n);
        d->layout.len = (size_t)(q - (unsigned char *)d->layout.data);
        ig_buf_add(&d->layout, p->runs[k].data, p->runs[k].len);
    }
    d->positions = npos;
    d->sentences = tok_sentences(p->tok);
    d->paragraphs = tok_paragraphs(p->tok);
    d->sections = maxsec;
    d->truncated = tok_truncated(p->tok);
    d->bytes = len;
    /* Group occurrences by local term (a counting sort, stable, so each
     * term's positions stay increasing), then encode each term's list. */
    if (w_grow((void **)&p->cur, &p->ccur, p->nlt, sizeof *p->cur) != IG_OK ||
        w_grow((void **)&p->sorted, &p->csorted, p->nocc, sizeof *p->sorted) != IG_OK ||
        w_grow((void **)&d->t, &d->ct, p->nlt, sizeof *d->t) != IG_OK ||
        ig_buf_reserve(&d->enc, p->nocc * 11) != IG_OK) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    uint32_t acc = 0;
    for (size_t i = 0; i < p->nlt; i++) {
        p->cur[i] = acc;
        acc += p->lt[i].count;
    }
    for (size_t i = 0; i < p->nocc; i++)
        p->sorted[p->cur[p->occ[i].lid]++] = p->occ[i];
    unsigned char *base = (unsigned char *)d->enc.data, *q = base;
    const struct occ *o = p->sorted;
    for (size_t i = 0; i < p->nlt; i++) {
        struct lterm *lt = &p->lt[i];
        struct dterm *dt = &d->t[i];
        dt->hash = lt->hash;
        dt->surf_off = lt->surf_off;
        dt->surf_len = lt->surf_len;
        dt->freq = lt->count;
        dt->enc_off = (uint64_t)(q - base);
        uint32_t prev = 0;
        for (uint32_t j = 0; j < lt->count; j++, o++) {
            q = idx_put_varint(q, (uint64_t)(o->pos - prev) << 1 | (o->span != 0));
            if (o->span)
                q = idx_put_varint(q, o->span);
            prev = o->pos;
        }
        dt->enc_len = (uint32_t)((uint64_t)(q - base) - dt->enc_off);
        p->slots[lt->slot] = 0;
    }
    d->enc.len = (size_t)(q - base);
    d->nt = p->nlt;
    p->nlt = 0;
    if (prep_compress(p, d, text, len) != IG_OK) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    ig_sha256_buf(text, len, d->sha);
    d->layout_crc = idx_crc32(0, d->layout.data, d->layout.len);
    d->text_crc = idx_crc32(0, d->text.data, d->text.len);
    rc = IG_OK;
out:
    if (rc != IG_OK) {
        /* Leave the table empty for the next document. */
        for (size_t i = 0; i < p->nlt; i++)
            p->slots[p->lt[i].slot] = 0;
        p->nlt = 0;
        d->nt = 0;
    }
    return rc;
}

/* ---- the writer --------------------------------------------------------- */

/* A term of the whole corpus. */
struct wterm {
    uint64_t hash;          /* of surface and language */
    uint64_t surf_off;      /* in w->surfaces (NUL-terminated there) */
    uint64_t cf;
    unsigned char *p;       /* postings since the last spill */
    size_t len, cap;
    uint32_t surf_len;
    uint32_t last1;         /* last document + 1, 0 before the first */
    uint32_t df;
    uint16_t lang;          /* provisional language (order first seen) */
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

struct idx_writer {
    ig_out *out;
    char path[1024];
    idx_build_opts opts;
    char *section_pattern;      /* copy of opts.section_pattern */
    size_t ncols;
    char **cols;
    char **langs;               /* provisional order */
    size_t nlangs;
    struct wdoc *docs;
    size_t ndocs, cdocs;
    ig_buf meta;                /* METADATA section, built as documents come */
    uint64_t docdata_off;       /* file offset of DOCDATA */
    uint32_t sec_crc;           /* CRC of the section being written */
    struct wterm *terms;
    size_t nterms, cterms;
    ig_buf surfaces;
    uint32_t *slots;            /* term index + 1 */
    size_t nslots;
    size_t mem;                 /* bytes of postings buffers */
    int spill_fd;
    char spill_path[1100];
    uint64_t spill_len;
    struct wseg *segs;
    size_t nsegs, csegs;
    unsigned char *sbuf;        /* spill write buffer */
    size_t sused;
    idx_prep *prep;             /* for idx_writer_add_text */
    idx_docbuf *db;
    struct {
        uint64_t off, len;
        uint32_t crc;
    } sec[IDX_NSECTIONS + 1];
    int failed;                 /* sticky error code */
    int finished;
};

static int w_fail(idx_writer *w, int rc)
{
    if (w->failed == IG_OK)
        w->failed = rc;
    return rc;
}

/* Write bytes to the output, inside the current section. */
static int w_emit(idx_writer *w, const void *p, size_t n, ig_err *e)
{
    w->sec_crc = idx_crc32(w->sec_crc, p, n);
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
    w->slots = ig_calloc(w->nslots, sizeof *w->slots);
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
    for (size_t i = 0; i < w->nlangs; i++)
        ig_free(w->langs[i]);
    ig_free(w->langs);
    ig_free(w->docs);
    ig_buf_free(&w->meta);
    for (size_t i = 0; i < w->nterms; i++)
        ig_free(w->terms[i].p);
    ig_free(w->terms);
    ig_buf_free(&w->surfaces);
    ig_free(w->slots);
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
    qsort_r(ids, n, sizeof *ids, w_term_cmp, w);
    uint64_t start = w->spill_len + w->sused;
    for (size_t i = 0; i < n; i++) {
        struct wterm *t = &w->terms[ids[i]];
        unsigned char h[12];
        idx_put_u32(h, ids[i]);
        idx_put_u64(h + 4, t->len);
        if ((rc = spill_write(w, h, sizeof h, e)) != IG_OK ||
            (rc = spill_write(w, t->p, t->len, e)) != IG_OK)
            goto out;
        ig_free(t->p);
        t->p = NULL;
        t->len = t->cap = 0;
    }
    if ((rc = spill_flush(w, e)) != IG_OK)
        goto out;
    w->segs[w->nsegs].off = start;
    w->segs[w->nsegs].len = w->spill_len - start;
    w->nsegs++;
    w->mem = 0;
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
    if ((l[w->nlangs] = ig_strdup(lang)) == NULL)
        return ig_err_nomem(e, STAGE);
    *id = (uint16_t)w->nlangs++;
    return IG_OK;
}

static int w_rehash(idx_writer *w)
{
    size_t n = w->nslots * 2;
    uint32_t *s = ig_calloc(n, sizeof *s);
    if (s == NULL)
        return IG_ENOMEM;
    for (size_t i = 0; i < w->nterms; i++) {
        size_t h = (size_t)w->terms[i].hash & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)i + 1;
    }
    ig_free(w->slots);
    w->slots = s;
    w->nslots = n;
    return IG_OK;
}

/* The corpus term for a document's term, created if new. */
static int w_term(idx_writer *w, const idx_docbuf *d, const struct dterm *dt, uint16_t lang,
                  struct wterm **out)
{
    uint64_t h = dt->hash ^ ((uint64_t)lang + 1) * 0x9E3779B97F4A7C15ull;
    const char *s = d->surf.data + dt->surf_off;
    size_t mask = w->nslots - 1, i = (size_t)h & mask;
    for (;;) {
        uint32_t k = w->slots[i];
        if (k == 0)
            break;
        struct wterm *t = &w->terms[k - 1];
        if (t->hash == h && t->surf_len == dt->surf_len && t->lang == lang &&
            memcmp(w->surfaces.data + t->surf_off, s, dt->surf_len) == 0) {
            *out = t;
            return IG_OK;
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
    w->slots[i] = (uint32_t)++w->nterms;
    *out = t;
    if (w->nterms * 2 > w->nslots && w_rehash(w) != IG_OK)
        return IG_ENOMEM;
    /* the rehash moved slots, not terms: t stays valid */
    return IG_OK;
}

int idx_writer_add(idx_writer *w, const char *const *vals, const char *lang,
                   const idx_docbuf *d, ig_err *e)
{
    if (w->failed)
        return ig_err_set(e, w->failed, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "writer already failed");
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
    if ((rc = w_emit(w, d->layout.data, d->layout.len, e)) != IG_OK ||
        (rc = w_emit(w, d->text.data, d->text.len, e)) != IG_OK)
        return w_fail(w, rc);
    const unsigned char *enc = (const unsigned char *)d->enc.data;
    for (size_t i = 0; i < d->nt; i++) {
        const struct dterm *dt = &d->t[i];
        struct wterm *t;
        if (w_term(w, d, dt, lid, &t) != IG_OK)
            return w_fail(w, ig_err_nomem(e, STAGE));
        size_t need = t->len + 20 + dt->enc_len;
        if (need > t->cap) {
            size_t c = t->cap ? t->cap : 16;
            while (c < need)
                c *= 2;
            unsigned char *np = ig_realloc(t->p, c);
            if (np == NULL)
                return w_fail(w, ig_err_nomem(e, STAGE));
            w->mem += c - t->cap;
            t->p = np;
            t->cap = c;
        }
        unsigned char *q = t->p + t->len;
        q = idx_put_varint(q, (uint64_t)doc + 1 - t->last1);
        q = idx_put_varint(q, dt->freq);
        memcpy(q, enc + dt->enc_off, dt->enc_len);
        t->len = (size_t)(q - t->p) + dt->enc_len;
        t->last1 = doc + 1;
        t->df++;
        t->cf += dt->freq;
    }
    w->ndocs++;
    if (w->mem > w->opts.mem_budget && (rc = w_spill(w, e)) != IG_OK)
        return w_fail(w, rc);
    return IG_OK;
}

int idx_writer_add_text(idx_writer *w, const char *const *vals, const char *lang,
                        const char *text, size_t len, const idx_doc_src *src, ig_err *e)
{
    int rc = idx_prep_doc(w->prep, w->db, text, len, src, e);
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

int idx_writer_finish(idx_writer *w, ig_err *e)
{
    if (w->failed)
        return ig_err_set(e, w->failed, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "writer already failed");
    int rc = IG_OK;
    uint32_t *order = NULL, *final = NULL, *post_crc = NULL, *stem_of = NULL;
    uint16_t *lorder = NULL, *lfinal = NULL;
    uint64_t *post_off = NULL, *post_len = NULL;
    struct mcur *cur = NULL;
    struct stement *se = NULL;
    stem_cache **caches = NULL;
    ig_buf pool = IG_BUF_INIT, strings = IG_BUF_INIT, stemrecs = IG_BUF_INIT, list = IG_BUF_INIT;
    size_t nt = w->nterms, nl = w->nlangs;
    w_sec_end(w, IDX_SEC_DOCDATA);

    /* Final language ids: bytewise order of code. */
    lorder = ig_calloc(nl + 1, sizeof *lorder);
    lfinal = ig_calloc(nl + 1, sizeof *lfinal);
    caches = ig_calloc(nl + 1, sizeof *caches);
    order = ig_calloc(nt + 1, sizeof *order);
    final = ig_calloc(nt + 1, sizeof *final);
    post_off = ig_calloc(nt + 1, sizeof *post_off);
    post_len = ig_calloc(nt + 1, sizeof *post_len);
    post_crc = ig_calloc(nt + 1, sizeof *post_crc);
    stem_of = ig_calloc(nt + 1, sizeof *stem_of);
    se = ig_calloc(nt + 1, sizeof *se);
    cur = ig_calloc(w->nsegs + 1, sizeof *cur);
    if (!lorder || !lfinal || !caches || !order || !final || !post_off || !post_len ||
        !post_crc || !stem_of || !se || !cur) {
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
    qsort_r(order, nt, sizeof *order, w_term_cmp, w);
    for (size_t i = 0; i < nt; i++)
        final[order[i]] = (uint32_t)i;

    /* Stem each distinct (surface, language) once. */
    for (size_t i = 0; i < nl; i++)
        if ((rc = stem_open(&caches[i], w->langs[i], e)) != IG_OK)
            goto out;
    for (size_t i = 0; i < nt; i++) {
        const struct wterm *t = &w->terms[order[i]];
        const char *st;
        size_t sl;
        if (stem_word(caches[t->lang], w->surfaces.data + t->surf_off, t->surf_len, &st, &sl) != IG_OK ||
            ig_buf_add(&pool, st, sl) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        se[i].off = pool.len - sl;
        se[i].len = (uint32_t)sl;
        se[i].term = (uint32_t)i;
        se[i].lang = lfinal[t->lang];
    }
    if ((rc = w_interrupted(w, e)) != IG_OK)
        goto out;

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
    w_sec_begin(w, IDX_SEC_POSTINGS);
    for (size_t i = 0; i < nt; i++) {
        uint32_t id = order[i];
        struct wterm *t = &w->terms[id];
        uint32_t crc = 0;
        post_off[i] = ig_out_tell(w->out) - w->sec[IDX_SEC_POSTINGS].off;
        for (size_t s = 0; s < w->nsegs; s++)
            if (cur[s].term == id && (rc = mcur_copy(w, &cur[s], e, &crc)) != IG_OK)
                goto out;
        if (t->len > 0) {
            crc = idx_crc32(crc, t->p, t->len);
            if ((rc = w_emit(w, t->p, t->len, e)) != IG_OK)
                goto out;
        }
        post_len[i] = ig_out_tell(w->out) - w->sec[IDX_SEC_POSTINGS].off - post_off[i];
        post_crc[i] = crc;
        if ((i & 4095) == 0 && (rc = w_interrupted(w, e)) != IG_OK)
            goto out;
    }
    for (size_t s = 0; s < w->nsegs; s++)
        if (cur[s].term != UINT32_MAX) {
            rc = ig_err_set(e, IG_ESYS, STAGE, w->spill_path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "spill file damaged (records left over)");
            goto out;
        }
    w_sec_end(w, IDX_SEC_POSTINGS);

    /* Stems: sort (stem, language, term), number the distinct ones. */
    struct stemsort_ctx sctx = { pool.data, NULL };
    qsort_r(se, nt, sizeof *se, stem_cmp, &sctx);
    /* STRINGS: surfaces in term order, then distinct stems. */
    for (size_t i = 0; i < nt; i++) {
        const struct wterm *t = &w->terms[order[i]];
        if (ig_buf_add(&strings, w->surfaces.data + t->surf_off, (size_t)t->surf_len + 1) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
    }
    uint32_t nstems = 0;
    for (size_t i = 0; i < nt; ) {
        size_t j = i + 1;
        while (j < nt && se[j].len == se[i].len && se[j].lang == se[i].lang &&
               memcmp(pool.data + se[j].off, pool.data + se[i].off, se[i].len) == 0)
            j++;
        unsigned char rec[IDX_STEM_REC];
        memset(rec, 0, sizeof rec);
        idx_put_u64(rec + SR_STR_OFF, strings.len);
        idx_put_u32(rec + SR_STR_LEN, se[i].len);
        idx_put_u32(rec + SR_LIST_OFF, (uint32_t)i);
        idx_put_u32(rec + SR_LIST_N, (uint32_t)(j - i));
        idx_put_u16(rec + SR_LANG, se[i].lang);
        if (ig_buf_add(&strings, pool.data + se[i].off, se[i].len) != IG_OK ||
            ig_buf_addc(&strings, '\0') != IG_OK || ig_buf_add(&stemrecs, rec, sizeof rec) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        for (size_t k = i; k < j; k++) {
            unsigned char b[4];
            idx_put_u32(b, se[k].term);
            if (ig_buf_add(&list, b, 4) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            stem_of[se[k].term] = nstems;
        }
        nstems++;
        i = j;
    }

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
    for (size_t i = 0; i < nt; i++) {
        const struct wterm *t = &w->terms[order[i]];
        unsigned char rec[IDX_TERM_REC];
        memset(rec, 0, sizeof rec);
        idx_put_u64(rec + TR_POST_OFF, post_off[i]);
        idx_put_u64(rec + TR_POST_LEN, post_len[i]);
        idx_put_u64(rec + TR_CF, t->cf);
        idx_put_u64(rec + TR_SURF_OFF, soff);
        idx_put_u32(rec + TR_SURF_LEN, t->surf_len);
        idx_put_u32(rec + TR_STEM, stem_of[i]);
        idx_put_u32(rec + TR_DF, t->df);
        idx_put_u32(rec + TR_POST_CRC, post_crc[i]);
        idx_put_u16(rec + TR_LANG, lfinal[t->lang]);
        soff += (uint64_t)t->surf_len + 1;
        if ((rc = w_emit(w, rec, sizeof rec, e)) != IG_OK)
            goto out;
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
        (rc = w_emit(w, stemrecs.data, stemrecs.len, e)) != IG_OK ||
        (rc = w_emit(w, list.data, list.len, e)) != IG_OK)
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
    w->finished = 1;
out:
    if (cur)
        for (size_t s = 0; s < w->nsegs; s++)
            ig_free(cur[s].buf);
    if (caches)
        for (size_t i = 0; i < nl; i++)
            stem_close(caches[i]);
    ig_free(caches);
    ig_free(cur);
    ig_free(se);
    ig_free(stem_of);
    ig_free(post_crc);
    ig_free(post_len);
    ig_free(post_off);
    ig_free(final);
    ig_free(order);
    ig_free(lfinal);
    ig_free(lorder);
    ig_buf_free(&pool);
    ig_buf_free(&strings);
    ig_buf_free(&stemrecs);
    ig_buf_free(&list);
    if (rc != IG_OK)
        w_fail(w, rc);
    return rc;
}

int idx_writer_commit(idx_writer *w, ig_err *e)
{
    int rc;
    if (!w->finished) {
        rc = w->failed ? w->failed : IG_EUSAGE;
        ig_err_set(e, rc, STAGE, w->path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                   "index not finished");
        idx_writer_abort(w);
        return rc;
    }
    ig_out *o = w->out;
    w->out = NULL;
    rc = ig_out_commit(o, e);
    idx_writer_abort(w);
    return rc;
}

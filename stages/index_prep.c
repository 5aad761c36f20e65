/*
 * index_prep.c: preparing one document for the index (idx_prep_doc, see
 * index.h, "building", layer 2; format: top of index.c).
 *
 * Pipeline place: on the worker threads of `igmap index`, between reading
 * a document (input.c) and adding it to the index in order (index_write.c).
 * The text is tokenised (tokenise.c); each token's position gets its byte
 * range and sentence, paragraph and section runs in the layout; tokens are
 * grouped by distinct term (a hash table per document) and each term's
 * positions encoded as the postings format says; the text is compressed
 * (pipeline/deflate.c) and hashed (SHA-256), and the layout and text get
 * their CRCs.  All of it is per document and independent of every other
 * document, which is what lets any number of threads do it.
 */
#include "index.h"

#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "deflate.h"
#include "index_doc.h"
#include "index_fmt.h"
#include "limits.h"
#include "sha256.h"
#include "tokenise.h"

#define STAGE "index"

/* ---- preparing one document ------------------------------------------ */

/* A distinct term of the document being prepared. */
struct lterm {
    uint64_t lo, hi;        /* the surface's first 16 bytes, zero-padded: for
                               a surface of up to 16 bytes (nearly all), with
                               surf_len the whole key */
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
    ig_deflate *z;          /* the text compressor */
};

/* A 64-bit hash of s[0..n), for surfaces longer than 16 bytes (in-memory
 * use only: its value never reaches the file, so host byte order does not
 * matter).  The tail is read with
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

/* The first n (at most 16) bytes of a 16-byte load are kept by masks
 * loaded from here at offsets 16 - n and 24 - n: byte order independent. */
_Static_assert(TOK_NORM_READ >= 16, "prep_lookup loads 16 bytes of every token's norm");
static const unsigned char w_ones[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* The hash of a surface of at most 16 bytes from its zero-padded halves
 * and length: no branch on the length, which varies from token to token
 * and so would be mispredicted. */
static inline uint64_t w_hash16(uint64_t lo, uint64_t hi, size_t n)
{
    uint64_t h = (lo ^ 0x9E3779B97F4A7C15ull ^ (uint64_t)n) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 31) ^ hi) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
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
    if (p->slots == NULL || ig_deflate_new(&p->z) != IG_OK) {
        idx_prep_free(p);
        return ig_err_nomem(e, STAGE);
    }
    *pp = p;
    return IG_OK;
}

void idx_prep_free(idx_prep *p)
{
    if (p == NULL)
        return;
    tok_close(p->tok);
    ig_deflate_free(p->z);
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

/* Local term id of norm[0..n), added (surface copied into d) if new.
 * norm is a token's: TOK_NORM_READ (16) bytes from it can be read
 * (tokenise.h), so a surface of up to 16 bytes is loaded whole and
 * compared as two words, without the branches of a byte loop. */
static int prep_lookup(idx_prep *p, idx_docbuf *d, const char *norm, size_t n, uint32_t *lid)
{
    size_t k = n < 16 ? n : 16;
    uint64_t lo = w_load64(norm) & w_load64((const char *)w_ones + 16 - k);
    uint64_t hi = w_load64(norm + 8) & w_load64((const char *)w_ones + 24 - k);
    uint64_t h = n <= 16 ? w_hash16(lo, hi, n) : w_hash(norm, n);
    size_t mask = p->nslots - 1, i = (size_t)h & mask;
    for (;;) {
        uint32_t s = p->slots[i];
        if (s == 0)
            break;
        struct lterm *t = &p->lt[s - 1];
        if (((t->lo ^ lo) | (t->hi ^ hi) | (t->surf_len ^ n)) == 0 &&
            (n <= 16 || w_same(d->surf.data + t->surf_off, norm, n))) {
            t->count++;
            *lid = s - 1;
            return IG_OK;
        }
        i = (i + 1) & mask;
    }
    if (p->nlt >= UINT32_MAX - 1 || d->surf.len + n > UINT32_MAX ||
        w_grow((void **)&p->lt, &p->clt, p->nlt + 1, sizeof *p->lt) != IG_OK ||
        (d->surf.cap - d->surf.len <= n + 16 && ig_buf_reserve(&d->surf, n + 16) != IG_OK))
        return IG_ENOMEM;
    /* A third of a document's tokens are new terms: the surface of a short
     * one is stored as the two words already loaded, not by a call. */
    char *q = d->surf.data + d->surf.len;
    if (n <= 16) {
        memcpy(q, &lo, 8);
        memcpy(q + 8, &hi, 8);
    } else {
        memcpy(q, norm, n);
    }
    d->surf.len += n;
    d->surf.data[d->surf.len] = '\0';
    struct lterm *t = &p->lt[p->nlt];
    t->lo = lo;
    t->hi = hi;
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

/* Compress text into d->text (a zlib stream, pipeline/deflate.h). */
static int prep_compress(idx_prep *p, idx_docbuf *d, const char *text, size_t len)
{
    size_t bound = ig_deflate_bound(len);
    ig_buf_reset(&d->text);
    if (bound == SIZE_MAX || ig_buf_reserve(&d->text, bound) != IG_OK)
        return IG_ENOMEM;
    d->text.len = ig_deflate_zlib(p->z, IDX_TEXT_DEFLATE_LEVEL, text, len, d->text.data);
    d->text.data[d->text.len] = '\0';
    return IG_OK;
}

/* The token loop of idx_prep_doc (the stream is reset): each position's
 * layout entry and run changes, and each token's occurrence under its local
 * term.  Returns 0 with the position count and the highest section, or the
 * first error. */
static int prep_scan(idx_prep *p, idx_docbuf *d, size_t len, const char *path,
                     struct runstate rs[3], uint32_t *npos_out, uint32_t *maxsec_out, ig_err *e)
{
    const tok_token *tk;
    uint32_t npos = 0, maxsec = 0;
    uint64_t prev_end = 0;
    int rc;
    /* The layout and occurrence write positions live in locals: stored
     * through the buffers' struct fields, every byte written would make
     * the compiler reload them (char stores may alias anything). */
    unsigned char *lq = NULL, *lend = NULL;
    struct occ *oq = p->occ, *oend = p->occ + p->cocc;
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
            if (lq == NULL || lend - lq < 21) {
                if (lq)
                    d->layout.len = (size_t)(lq - (unsigned char *)d->layout.data);
                if (ig_buf_reserve(&d->layout, 21 + len / 4) != IG_OK) {
                    rc = ig_err_nomem(e, STAGE);
                    goto out;
                }
                lq = (unsigned char *)d->layout.data + d->layout.len;
                lend = (unsigned char *)d->layout.data + d->layout.cap - 1;
            }
            lq = idx_put_layout(lq, (int64_t)tk->start - (int64_t)prev_end, tk->end - tk->start);
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
        if (prep_lookup(p, d, tk->norm, tk->norm_len, &lid) != IG_OK) {
            rc = ig_err_nomem(e, STAGE);
            goto out;
        }
        if (oq == oend) {
            size_t used = (size_t)(oq - p->occ);
            if (w_grow((void **)&p->occ, &p->cocc, used + 1, sizeof *p->occ) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            oq = p->occ + used;
            oend = p->occ + p->cocc;
        }
        oq->lid = lid;
        oq->pos = tk->pos;
        oq->span = tk->kind == TOK_JOINED ? tk->span : 0;
        oq++;
        if (tk->kind != TOK_JOINED)
            npos++;
    }
out:
    if (lq)
        d->layout.len = (size_t)(lq - (unsigned char *)d->layout.data);
    p->nocc = (size_t)(oq - p->occ);
    *npos_out = npos;
    *maxsec_out = maxsec;
    return rc < 0 ? rc : IG_OK;
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
    tok_reset(p->tok, text, len, path);
    uint32_t npos = 0, maxsec = 0;
    struct runstate rs[3];
    memset(rs, 0, sizeof rs);
    int rc = prep_scan(p, d, len, path, rs, &npos, &maxsec, e);
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
    d->blob_crc = (uint32_t)crc32_combine64(d->layout_crc, d->text_crc, (z_off64_t)d->text.len);
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


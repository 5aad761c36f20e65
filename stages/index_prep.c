/*
 * index_prep.c: preparing one document for the index (idx_prep_doc, see
 * index.h, "building", layer 2; format: top of index.c).
 *
 * Pipeline place: on the worker threads of `igmap index`, between reading
 * a document (input.c) and adding it to the index in order (index_write.c).
 * The text is tokenised (tokenise.c); each token's position gets its byte
 * range and sentence, paragraph and section runs in the layout; tokens are
 * grouped by distinct term and each term's positions encoded as the
 * postings format says; the text is compressed
 * (pipeline/deflate.c) and hashed (SHA-256), and the layout and text get
 * their CRCs.  All of it is per document and independent of every other
 * document, which is what lets any number of threads do it.
 *
 * Terms are looked up in a table that each preparer keeps from one
 * document to the next (its "thread terms"), a batch of tokens at a time
 * with their slots prefetched; a term's local number in the document comes
 * from the stamp in its slot.  Most tokens reach the batch in runs of plain
 * words (tokenise.h, tok_next_plain), the rest one at a time (tok_next).  Only the
 * surfaces of thread terms new in a document travel with it to the writer,
 * which knows the others by number (index.h states the resulting rule on
 * the order of documents; index_write.c keeps the maps).
 */
#include "index.h"

#include <stdatomic.h>
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

/* A term this preparer has met, in any of its documents (its "thread
 * term", numbered from 0 in order of first meeting).  Keeping them from
 * one document to the next is what makes both lookups cheap: here, after
 * the first documents, nearly every word is found, so the branch predicts;
 * in the writer, a thread term it has seen before maps to its corpus term
 * through an array (index_write.c, "thread term maps") instead of a hash
 * probe.  Its identity lives in its slot (struct pslot); this copy is kept
 * only for the terms new in the document being prepared, whose surfaces go
 * with it to the writer. */
struct pterm {
    uint64_t lo, hi;        /* the surface's first 16 bytes, zero-padded: for
                               a surface of up to 16 bytes (nearly all), with
                               the key the whole identity */
    uint32_t key;           /* surface length | language id << 16 */
    uint32_t aoff;          /* a longer surface: offset in p->arena */
};

/* A slot of the thread terms' hash table: the look-up needs nothing
 * else (but the arena, for the rare surface longer than 16 bytes), so a
 * token costs one fetch from memory, which the batch requests long before
 * it is read; a slot holding only the term's number cost a second,
 * dependent fetch of the term.  The key is never 0 in a used slot (a
 * surface has at least one byte), so an empty slot matches no token. */
struct pslot {
    uint64_t lo, hi;        /* as in struct pterm */
    uint32_t key;           /* as in struct pterm; 0 = empty */
    uint32_t tid;           /* the thread term */
    uint32_t stamp;         /* the last document (p->gen) it occurred in */
    uint32_t local;         /* its local number in that document */
};
_Static_assert(sizeof(struct pslot) == 32, "two slots a cache line");
_Static_assert(IG_MAX_TOKEN_BYTES < 65536, "pterm.key keeps the length in 16 bits");

/* Past this many thread terms (or arena bytes), a preparer starts afresh
 * at its next document: a corpus of endless distinct tokens must not grow
 * it without bound (the corpus table in the writer holds them anyway). */
#define PREP_TERMS_MAX ((size_t)1 << 20)
#define PREP_ARENA_MAX ((size_t)64 << 20)
#define PREP_LANGS_MAX 64
#define PREP_SLOTS_LOG2 10
#define PREP_SLOTS_MIN ((size_t)1 << PREP_SLOTS_LOG2)
/* Whether nslots slots are enough for n terms: at most three quarters
 * full.  A fuller table costs a few more probes, but at half full the
 * slots took 16 bytes of memory a term more, and the 1 GB bench corpus
 * went past its memory bound. */
#define PREP_ROOM(n, nslots) ((n) * 4 <= (nslots) * 3)

/* Serial numbers of preparers, from 1 (0 = a docbuf not prepared yet). */
static atomic_uint_fast64_t prep_serials;

struct occ {
    uint32_t lid;           /* local term */
    uint32_t pos, span;
};

struct idx_prep {
    tok_stream *tok;
    /* the thread terms */
    size_t npt;             /* how many */
    uint32_t *aoff;         /* per thread term: pterm.aoff */
    size_t caoff;
    struct pterm *fresh;    /* the thread terms new in the document, in order */
    size_t nfresh, cfresh;
    struct pslot *slots;
    size_t nslots;          /* power of two, PREP_ROOM for npt */
    unsigned shift;         /* 64 - log2(nslots): a hash's slot is its top bits */
    ig_buf arena;           /* surfaces longer than 16 bytes */
    ig_buf longs;           /* the batch's surfaces longer than 16 bytes */
    uint32_t gen;           /* this document's stamp */
    uint64_t serial;        /* tells preparers apart in the writer */
    uint32_t epoch;         /* bumped when the thread terms start afresh */
    uint32_t seq;           /* documents prepared in this epoch */
    char langs[PREP_LANGS_MAX][16];
    size_t nlangs;
    /* the document being prepared */
    uint32_t *loc_tid;      /* per local term: its thread term */
    uint32_t *loc_cnt;      /* per local term: occurrences */
    size_t nlt, clt;
    struct occ *occ;
    size_t nocc, cocc;
    uint32_t *cur;          /* per local term: scatter cursor */
    size_t ccur;
    struct occ *sorted;     /* occurrences grouped by local term */
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
 * loaded from here at offsets 16 - n and 24 - n: byte order independent.
 * prep_scan loads a token's norm whole, without a branch on its length:
 * TOK_NORM_READ bytes of it can be read (tokenise.h). */
_Static_assert(TOK_NORM_READ >= 16, "prep_scan loads 16 bytes of every token's norm");
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

/* A zeroed slot table of n slots.  From 2 MiB on, in huge pages: its
 * look-ups land anywhere in it, and with small pages most of those to
 * rare terms also missed the TLB. */
static struct pslot *slots_new(size_t n)
{
    size_t bytes = n * sizeof(struct pslot);
    /* Probes read a slot before anything is written to it: the table is
     * faulted in for writing first (ig_prefault_write), or zeroed by
     * writing, not by calloc, for the same reason. */
    if (bytes >= IG_HUGE_ALIGN) {
        struct pslot *s = ig_alloc_huge(bytes);
        if (s != NULL)
            ig_prefault_write(s, bytes);
        return s;
    }
    struct pslot *s = ig_malloc(bytes);
    if (s != NULL)
        memset(s, 0, bytes);
    return s;
}

static void slots_free(struct pslot *s, size_t n)
{
    size_t bytes = n * sizeof(struct pslot);
    if (bytes >= IG_HUGE_ALIGN)
        ig_free_huge(s, bytes);
    else
        ig_free(s);
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
    p->nslots = PREP_SLOTS_MIN;
    p->shift = 64 - PREP_SLOTS_LOG2;
    p->slots = slots_new(p->nslots);
    p->serial = atomic_fetch_add(&prep_serials, 1) + 1;
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
    slots_free(p->slots, p->nslots);
    ig_free(p->aoff);
    ig_free(p->fresh);
    ig_buf_free(&p->arena);
    ig_buf_free(&p->longs);
    ig_free(p->loc_tid);
    ig_free(p->loc_cnt);
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

/* The slot hash of a thread term: its surface (s[0..n), whose first 16
 * bytes zero-padded are lo and hi) and its key, so that the same surface
 * in two languages is two terms.  A slot is the hash's top bits (pt_slot):
 * those of a product depend on every bit of its factors, so two
 * independent multiplies suffice for the surfaces of up to 16 bytes that
 * nearly every token has, where the full mix of w_hash16 cost a quarter of
 * the token loop. */
static inline uint64_t pt_hash(const char *s, uint64_t lo, uint64_t hi, size_t n, uint32_t key)
{
    if (n <= 16)
        return ((lo ^ key) * 0x9E3779B97F4A7C15ull) ^ ((hi + key) * 0xD6E8FEB86659FD93ull);
    return w_hash(s, n) ^ (uint64_t)key * 0x9E3779B97F4A7C15ull;
}

static inline size_t pt_slot(const idx_prep *p, uint64_t h)
{
    return (size_t)(h >> p->shift);
}

/* Rebuild the slot table with twice the slots, each term keeping its
 * stamp and local number. */
static int prep_rehash(idx_prep *p)
{
    size_t n = p->nslots * 2;
    struct pslot *s = slots_new(n);
    if (s == NULL)
        return IG_ENOMEM;
    p->shift--;
    for (size_t i = 0; i < p->nslots; i++) {
        const struct pslot *o = &p->slots[i];
        if (o->key == 0)
            continue;
        size_t len = o->key & 0xFFFF;
        const char *surf = len > 16 ? p->arena.data + p->aoff[o->tid] : NULL;
        size_t h = pt_slot(p, pt_hash(surf, o->lo, o->hi, len, o->key));
        while (s[h].key != 0)
            h = (h + 1) & (n - 1);
        s[h] = *o;
    }
    slots_free(p->slots, p->nslots);
    p->slots = s;
    p->nslots = n;
    return IG_OK;
}

/* Forget every thread term (a new epoch: the writer drops its map). */
static void prep_forget(idx_prep *p)
{
    p->npt = 0;
    ig_buf_reset(&p->arena);
    if (p->nslots > PREP_SLOTS_MIN) {
        struct pslot *s = slots_new(PREP_SLOTS_MIN);
        if (s != NULL) {
            slots_free(p->slots, p->nslots);
            p->slots = s;
            p->nslots = PREP_SLOTS_MIN;
            p->shift = 64 - PREP_SLOTS_LOG2;
        }
    }
    memset(p->slots, 0, p->nslots * sizeof *p->slots);
    p->nlangs = 0;
    p->gen = 0;
    p->epoch++;
    p->seq = 0;
}

/* The language id of code in this epoch; -1 when the table is full. */
static int prep_lang(idx_prep *p, const char *code)
{
    for (size_t i = 0; i < p->nlangs; i++)
        if (strcmp(p->langs[i], code) == 0)
            return (int)i;
    if (p->nlangs == PREP_LANGS_MAX || strlen(code) >= sizeof p->langs[0])
        return -1;
    strcpy(p->langs[p->nlangs], code);
    return (int)p->nlangs++;
}

/* A token waiting in a batch (prep_scan): its key, hash and where its
 * occurrence goes.  Tokens are looked up a batch at a time so that the
 * slots and terms they need are fetched from memory together, not one
 * wait after another: a preparer's thread terms grow far beyond the
 * caches (hundreds of thousands of terms). */
struct btok {
    uint64_t lo, hi;        /* first 16 bytes of the surface, zero-padded */
    uint64_t h;             /* pt_hash */
    uint32_t key;           /* length | language << 16 */
    uint32_t loff;          /* a longer surface: its copy in p->longs */
    uint32_t pos, span;
};
/* Tokens a batch: since its look-ups run before its numbering
 * (prep_batch), more of them overlap in a longer batch (128 against 32:
 * 3% more preparing speed). */
#define PREP_BATCH 128

/* The slot of b's thread term, the term added if new.  The table must
 * have room for it (prep_batch): a slot found stays where it is for the
 * rest of the batch. */
static int prep_find(idx_prep *p, const struct btok *b, struct pslot **slot)
{
    size_t n = b->key & 0xFFFF;
    const char *norm = n > 16 ? p->longs.data + b->loff : NULL;
    size_t mask = p->nslots - 1, i = pt_slot(p, b->h);
    struct pslot *s;
    for (;; i = (i + 1) & mask) {
        s = &p->slots[i];
        if (((s->lo ^ b->lo) | (s->hi ^ b->hi) | (s->key ^ b->key)) == 0 &&
            (n <= 16 || w_same(p->arena.data + p->aoff[s->tid], norm, n))) {
            *slot = s;
            return IG_OK;
        }
        if (s->key == 0)
            break;
    }
    if (p->npt >= UINT32_MAX - 1 || (n > 16 && p->arena.len + n > UINT32_MAX) ||
        w_grow((void **)&p->aoff, &p->caoff, p->npt + 1, sizeof *p->aoff) != IG_OK ||
        w_grow((void **)&p->fresh, &p->cfresh, p->nfresh + 1, sizeof *p->fresh) != IG_OK)
        return IG_ENOMEM;
    struct pterm *t = &p->fresh[p->nfresh++];
    t->aoff = 0;
    if (n > 16) {
        t->aoff = (uint32_t)p->arena.len;
        if (ig_buf_add(&p->arena, norm, n) != IG_OK)
            return IG_ENOMEM;
    }
    p->aoff[p->npt] = t->aoff;
    t->lo = s->lo = b->lo;
    t->hi = s->hi = b->hi;
    t->key = s->key = b->key;
    s->tid = (uint32_t)p->npt++;
    s->stamp = 0;
    s->local = 0;
    *slot = s;
    return IG_OK;
}

/* Room for need local terms (both arrays). */
static int prep_grow_locals(idx_prep *p, size_t need)
{
    size_t c = p->clt ? p->clt : 1024;
    while (c < need)
        c *= 2;
    uint32_t *t = ig_reallocarray(p->loc_tid, c, sizeof *t);
    if (t == NULL)
        return IG_ENOMEM;
    p->loc_tid = t;
    uint32_t *n = ig_reallocarray(p->loc_cnt, c, sizeof *n);
    if (n == NULL)
        return IG_ENOMEM; /* clt unchanged: the larger loc_tid is harmless */
    p->loc_cnt = n;
    p->clt = c;
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

/* Compress text into d->text (a zlib stream, pipeline/deflate.h) and hash
 * it into d->sha, both at once (ig_deflate_zlib_sha). */
static int prep_compress(idx_prep *p, idx_docbuf *d, const char *text, size_t len)
{
    size_t bound = ig_deflate_bound(len);
    ig_buf_reset(&d->text);
    if (bound == SIZE_MAX || ig_buf_reserve(&d->text, bound) != IG_OK)
        return IG_ENOMEM;
    ig_sha256 sha;
    ig_sha256_init(&sha);
    d->text.len =
        ig_deflate_zlib_sha(p->z, IDX_TEXT_DEFLATE_LEVEL, text, len, d->text.data, &sha);
    ig_sha256_final(&sha, d->sha);
    d->text.data[d->text.len] = '\0';
    return IG_OK;
}

/* Look up a batch of tokens and record their occurrences: each gets its
 * thread term and its local number in the document. */
static int prep_batch(idx_prep *p, const struct btok *bt, size_t nb)
{
    if ((p->clt < p->nlt + nb && prep_grow_locals(p, p->nlt + nb) != IG_OK) ||
        w_grow((void **)&p->occ, &p->cocc, p->nocc + nb, sizeof *p->occ) != IG_OK)
        return IG_ENOMEM;
    /* Room for every token of the batch to be new, so that no slot moves
     * before the batch is done (rehashing costs the same, done here). */
    while (!PREP_ROOM(p->npt + nb, p->nslots))
        if (prep_rehash(p) != IG_OK)
            return IG_ENOMEM;
    /* All the look-ups first (their slots were requested as the tokens
     * were batched, prep_scan), then the local numbers: in one loop, each
     * token's local number waited for its term's stamp, and the next
     * token's for that one, so that no two look-ups overlapped. */
    struct pslot *sp[PREP_BATCH];
    for (size_t i = 0; i < nb; i++)
        if (prep_find(p, &bt[i], &sp[i]) != IG_OK)
            return IG_ENOMEM;
    uint32_t nlt = (uint32_t)p->nlt, gen = p->gen;
    uint32_t *loc_tid = p->loc_tid, *loc_cnt = p->loc_cnt;
    struct occ *oq = p->occ + p->nocc;
    for (size_t i = 0; i < nb; i++) {
        struct pslot *s = sp[i];
        /* Its local number: a new one if this is its first occurrence in
         * the document.  About a third of a document's tokens are, in no
         * pattern a predictor could learn: selects, not branches. */
        uint32_t first = s->stamp != gen;
        /* (masks: as `first ? nlt : s->local`, the compiler made a branch
         * around the load of s->local, mispredicted at a third of the
         * tokens) */
        uint32_t keep = first - 1u;
        uint32_t lid = (s->local & keep) | (nlt & ~keep);
        loc_tid[nlt] = s->tid;
        loc_cnt[nlt] = 0;
        loc_cnt[lid]++;
        nlt += first;
        s->local = lid;
        s->stamp = gen;
        oq->lid = lid;
        oq->pos = bt[i].pos;
        oq->span = bt[i].span;
        oq++;
    }
    p->nlt = nlt;
    p->nocc = (size_t)(oq - p->occ);
    ig_buf_reset(&p->longs);
    return IG_OK;
}

/* Room for need more layout bytes at *lq (the write position, kept in a
 * local by prep_scan, with *lend the end of the buffer's room): d->layout
 * grown when short, by at least a quarter of the text's length. */
static int layout_room(idx_docbuf *d, unsigned char **lq, unsigned char **lend, size_t need,
                       size_t len)
{
    if (*lq != NULL && (size_t)(*lend - *lq) >= need)
        return IG_OK;
    if (*lq)
        d->layout.len = (size_t)(*lq - (unsigned char *)d->layout.data);
    if (ig_buf_reserve(&d->layout, need + len / 4) != IG_OK)
        return IG_ENOMEM;
    *lq = (unsigned char *)d->layout.data + d->layout.len;
    *lend = (unsigned char *)d->layout.data + d->layout.cap - 1;
    return IG_OK;
}

/* The sentence, paragraph and section runs at position npos: a run starts
 * at the first position and wherever the number changes. */
static inline int runs_at(idx_prep *p, struct runstate rs[3], uint32_t npos, uint32_t sentence,
                          uint32_t paragraph, uint32_t section)
{
    if (npos != 0 && sentence == rs[0].val && paragraph == rs[1].val && section == rs[2].val)
        return IG_OK;
    uint32_t v[3] = { sentence, paragraph, section };
    for (int k = 0; k < 3; k++)
        if ((npos == 0 || v[k] != rs[k].val) && prep_run(&p->runs[k], &rs[k], npos, v[k]) != IG_OK)
            return IG_ENOMEM;
    return IG_OK;
}

/* The token loop of idx_prep_doc (the stream is reset): each position's
 * layout entry and run changes, and each token's occurrence under its local
 * term.  Returns 0 with the position count and the highest section, or the
 * first error. */
static int prep_scan(idx_prep *p, idx_docbuf *d, size_t len, const char *path, uint32_t lang,
                     struct runstate rs[3], uint32_t *npos_out, uint32_t *maxsec_out, ig_err *e)
{
    const tok_token *tk;
    uint32_t npos = 0, maxsec = 0;
    uint64_t prev_end = 0;
    int rc;
    /* The layout write position lives in locals: stored through the
     * buffer's struct fields, every byte written would make the compiler
     * reload them (char stores may alias anything). */
    unsigned char *lq = NULL, *lend = NULL;
    struct btok bt[PREP_BATCH];
    size_t nb = 0;
    tok_plain pw[PREP_BATCH];
    for (;;) {
        /* Runs of plain words (tokenise.h) go straight into the batch: the
         * same tokens as tok_next's, without a call and checks per word. */
        tok_plain_run run;
        size_t nw = tok_next_plain(p->tok, pw, PREP_BATCH - nb, &run);
        if (nw > 0) {
            if (run.pos != npos) {
                rc = ig_err_set(e, IG_EDATA, STAGE, path, run.line, IG_ERR_NOPOS, pw[0].start,
                                "tokeniser gave position %u where %u was expected "
                                "(internal error)", run.pos, npos);
                goto out;
            }
            if (layout_room(d, &lq, &lend, 21 * nw, len) != IG_OK ||
                runs_at(p, rs, npos, run.sentence, run.paragraph, run.section) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            if (run.section > maxsec)
                maxsec = run.section;
            for (size_t i = 0; i < nw; i++) {
                const tok_plain *q = &pw[i];
                lq = idx_put_layout(lq, (int64_t)q->start - (int64_t)prev_end, q->len);
                prev_end = (uint64_t)q->start + q->len;
                struct btok *b = &bt[nb++];
                memcpy(&b->lo, q->norm, 8);
                memcpy(&b->hi, q->norm + 8, 8);
                b->key = q->len | lang << 16;
                b->loff = 0;
                b->h = pt_hash(NULL, b->lo, b->hi, q->len, b->key);
                __builtin_prefetch(&p->slots[pt_slot(p, b->h)]);
                b->pos = npos++;
                b->span = 0;
            }
            if (nb == PREP_BATCH) {
                if (prep_batch(p, bt, nb) != IG_OK) {
                    rc = ig_err_nomem(e, STAGE);
                    goto out;
                }
                nb = 0;
            }
            continue;
        }
        if ((rc = tok_next(p->tok, &tk, e)) != 1)
            break;
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
            if (layout_room(d, &lq, &lend, 21, len) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            lq = idx_put_layout(lq, (int64_t)tk->start - (int64_t)prev_end, tk->end - tk->start);
            prev_end = tk->end;
            if (runs_at(p, rs, npos, tk->sentence, tk->paragraph, tk->section) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            if (tk->section > maxsec)
                maxsec = tk->section;
        }
        /* Into the batch: its key and hash now, and a request for its
         * slot, which the batch reads when full. */
        struct btok *b = &bt[nb++];
        size_t n = tk->norm_len, k = n < 16 ? n : 16;
        b->lo = w_load64(tk->norm) & w_load64((const char *)w_ones + 16 - k);
        b->hi = w_load64(tk->norm + 8) & w_load64((const char *)w_ones + 24 - k);
        b->key = (uint32_t)n | lang << 16;
        b->loff = 0;
        if (n > 16) {
            /* (the norm is the tokeniser's until the next token) */
            if (p->longs.len + n > UINT32_MAX || ig_buf_add(&p->longs, tk->norm, n) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            b->loff = (uint32_t)(p->longs.len - n);
        }
        b->h = pt_hash(tk->norm, b->lo, b->hi, n, b->key);
        __builtin_prefetch(&p->slots[pt_slot(p, b->h)]);
        b->pos = tk->pos;
        b->span = tk->kind == TOK_JOINED ? tk->span : 0;
        if (tk->kind != TOK_JOINED)
            npos++;
        if (nb == PREP_BATCH) {
            if (prep_batch(p, bt, nb) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
            nb = 0;
        }
    }
    if (rc == 0 && nb > 0 && prep_batch(p, bt, nb) != IG_OK)
        rc = ig_err_nomem(e, STAGE);
out:
    if (lq)
        d->layout.len = (size_t)(lq - (unsigned char *)d->layout.data);
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
    const char *lang = src && src->lang ? src->lang : "en";
    int lid = prep_lang(p, lang);
    if (lid < 0 || p->npt > PREP_TERMS_MAX || p->arena.len > PREP_ARENA_MAX ||
        p->gen == UINT32_MAX) {
        prep_forget(p);
        lid = prep_lang(p, lang);
    }
    if (lid < 0)
        return ig_err_set(e, IG_EUSAGE, STAGE, path, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "language code \"%.20s\" too long", lang);
    p->gen++;
    size_t first_new = p->npt; /* thread terms from here on are new in this document */
    p->nfresh = 0;
    d->owner = p->serial;
    d->epoch = p->epoch;
    d->seq = p->seq;
    d->lang = lang;
    tok_reset(p->tok, text, len, path);
    uint32_t npos = 0, maxsec = 0;
    struct runstate rs[3];
    memset(rs, 0, sizeof rs);
    int rc = prep_scan(p, d, len, path, (uint32_t)lid, rs, &npos, &maxsec, e);
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
        ig_buf_reserve(&d->enc, p->nocc * 11 + IDX_ENC_SLACK) != IG_OK) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    /* The surfaces of the thread terms new in this document go with it:
     * the writer has not seen them (it knows the others by number). */
    size_t surf_need = 16 * p->nfresh;
    for (size_t i = 0; i < p->nfresh; i++)
        if ((p->fresh[i].key & 0xFFFF) > 16)
            surf_need += p->fresh[i].key & 0xFFFF;
    if (ig_buf_reserve(&d->surf, surf_need) != IG_OK) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    uint32_t acc = 0;
    for (size_t i = 0; i < p->nlt; i++) {
        p->cur[i] = acc;
        acc += p->loc_cnt[i];
    }
    for (size_t i = 0; i < p->nocc; i++)
        p->sorted[p->cur[p->occ[i].lid]++] = p->occ[i];
    unsigned char *base = (unsigned char *)d->enc.data, *q = base;
    /* Every occurrence in one loop (a loop per term ended at a count that
     * varies from term to term, mispredicted at most terms): the gaps
     * start again at each term's first position, and each term's end so
     * far is noted in its record (the groups come in local term order).
     * Every local term has an occurrence (prep_batch numbers a term at its
     * first one), so every record gets its end here. */
    uint32_t prev = 0, plid = UINT32_MAX;
    for (size_t i = 0; i < p->nocc; i++) {
        const struct occ *o = &p->sorted[i];
        uint32_t same = o->lid == plid;
        prev &= 0u - same;
        q = idx_put_varint3(q, (uint64_t)(o->pos - prev) << 1 | (o->span != 0));
        if (o->span)
            q = idx_put_varint(q, o->span);
        prev = o->pos;
        plid = o->lid;
        d->t[o->lid].enc_off = (uint64_t)(q - base);
    }
    uint64_t start = 0;
    for (size_t i = 0; i < p->nlt; i++) {
        uint32_t tid = p->loc_tid[i], count = p->loc_cnt[i];
        struct dterm *dt = &d->t[i];
        dt->tid = tid;
        dt->fresh = tid >= first_new;
        dt->hash = 0;
        dt->surf_off = dt->surf_len = 0;
        if (dt->fresh) {
            const struct pterm *pt = &p->fresh[tid - first_new];
            size_t n = pt->key & 0xFFFF;
            char *sq = d->surf.data + d->surf.len;
            if (n <= 16) {
                memcpy(sq, &pt->lo, 8);
                memcpy(sq + 8, &pt->hi, 8);
                dt->hash = w_hash16(pt->lo, pt->hi, n);
            } else {
                memcpy(sq, p->arena.data + pt->aoff, n);
                dt->hash = w_hash(sq, n);
            }
            dt->surf_off = (uint32_t)d->surf.len;
            dt->surf_len = (uint32_t)n;
            d->surf.len += n;
        }
        dt->freq = count;
        uint64_t end = dt->enc_off; /* noted above */
        dt->enc_off = start;
        dt->enc_len = (uint32_t)(end - start);
        start = end;
    }
    d->surf.data[d->surf.len] = '\0';
    d->enc.len = (size_t)(q - base);
    d->nt = p->nlt;
    p->nlt = 0;
    if (prep_compress(p, d, text, len) != IG_OK) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    d->layout_crc = idx_crc32(0, d->layout.data, d->layout.len);
    d->text_crc = idx_crc32(0, d->text.data, d->text.len);
    d->blob_crc = idx_crc32_combine(d->layout_crc, d->text_crc, d->text.len);
    p->seq++;
    rc = IG_OK;
out:
    if (rc != IG_OK) {
        /* The thread terms this document added never reach the writer:
         * start afresh, so that no later document refers to them. */
        prep_forget(p);
        p->nlt = 0;
        d->nt = 0;
    }
    return rc;
}


/*
 * map.c: the issue map's scan (see map.h for the rules): options, opening
 * (every lexicon row resolved once and given its own postings scan),
 * positions.csv, and the walk over documents that turns matches into
 * mentions, co-occurrences and gap claims, writes them as evidence rows and
 * adds them to the aggregates map_tables.c draws the tables from.
 *
 * All rows of all three lexicons are walked together: each scan stands on
 * its next matching document, the smallest of those is processed with the
 * matches of every scan standing on it, and those scans move on.  So a
 * document is visited once, its layout and text decoded once, and memory
 * holds one document's matches.
 */
#include "map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fsutil.h"
#include "limits.h"
#include "map_int.h"

#define STAGE "map"

/* ======================================================================
 * Options
 * ====================================================================== */

void map_opts_default(map_opts *o)
{
    memset(o, 0, sizeof *o);
    o->unit = MAP_UNIT_SENTENCE;
    o->window = 0;
    o->min_mentions = 1;
    o->link_min_cooc = 2;
    o->link_min_docs = 1;
    o->lean = 0.2;
    o->contested_share = 0.25;
    o->contested_min_n = 4;
    o->carry_back = 1;
}

int map_unit_parse(const char *s, map_opts *o)
{
    if (strcmp(s, "sentence") == 0) {
        o->unit = MAP_UNIT_SENTENCE;
        o->window = 0;
        return 0;
    }
    if (strcmp(s, "paragraph") == 0) {
        o->unit = MAP_UNIT_PARAGRAPH;
        o->window = 0;
        return 0;
    }
    if (strncmp(s, "window:", 7) != 0)
        return -1;
    const char *p = s + 7;
    if (*p < '0' || *p > '9')
        return -1;
    unsigned long v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > MAP_MAX_WINDOW)
            return -1;
    }
    if (*p != '\0' || v < 1)
        return -1;
    o->unit = MAP_UNIT_WINDOW;
    o->window = (uint32_t)v;
    return 0;
}

char *map_unit_name(const map_opts *o, char *buf, size_t n)
{
    if (o->unit == MAP_UNIT_PARAGRAPH)
        snprintf(buf, n, "paragraph");
    else if (o->unit == MAP_UNIT_WINDOW)
        snprintf(buf, n, "window:%u", (unsigned)o->window);
    else
        snprintf(buf, n, "sentence");
    return buf;
}

int map_opts_check(const map_opts *o, ig_err *e)
{
    const char *bad = NULL;
    if (o->unit < MAP_UNIT_SENTENCE || o->unit > MAP_UNIT_WINDOW ||
        (o->unit == MAP_UNIT_WINDOW && (o->window < 1 || o->window > MAP_MAX_WINDOW)))
        bad = "--unit must be sentence, paragraph or window:N (N from 1 to 1000)";
    else if (o->min_mentions < 1)
        bad = "--min-mentions must be at least 1";
    else if (o->link_min_cooc < 1)
        bad = "--link-min-cooccurrences must be at least 1";
    else if (o->link_min_docs < 1)
        bad = "--link-min-documents must be at least 1";
    else if (!(o->lean > 0.0 && o->lean <= 1.0))
        bad = "--lean must be a number in (0, 1]";
    else if (!(o->contested_share > 0.0 && o->contested_share <= 0.5))
        bad = "--contested-share must be a number in (0, 0.5]";
    else if (o->contested_min_n < 2)
        bad = "--contested-min-n must be at least 2";
    if (bad == NULL)
        return IG_OK;
    return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      "%s (see igmap help)", bad);
}

/* ======================================================================
 * Small shared helpers
 * ====================================================================== */

const char *map_meta(const map_run *m, uint32_t doc, long col)
{
    return col < 0 ? "" : idx_doc_meta(m->r, doc, (size_t)col);
}

const char *map_submitter(const map_run *m, uint32_t doc)
{
    const char *s = map_meta(m, doc, m->col_submitter);
    return *s ? s : idx_doc_id(m->r, doc);
}

static uint64_t pair_hash(uint64_t k)
{
    /* splitmix64 finaliser: keys are small dense integers. */
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    return k ^ (k >> 31);
}

static struct map_pair *pair_slot(struct map_pair *t, size_t cap, uint64_t key)
{
    size_t i = (size_t)pair_hash(key) & (cap - 1);
    while (t[i].key != 0 && t[i].key != key)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

const struct map_pair *map_pair_find(const map_run *m, uint32_t issue, uint32_t mech)
{
    if (m->cappairs == 0)
        return NULL;
    uint64_t key = (uint64_t)issue * m->nmechs + mech + 1;
    const struct map_pair *p = pair_slot(m->pairs, m->cappairs, key);
    return p->key == key ? p : NULL;
}

struct map_pair *map_pair_get(map_run *m, uint32_t issue, uint32_t mech, int create)
{
    uint64_t key = (uint64_t)issue * m->nmechs + mech + 1;
    if (m->cappairs) {
        struct map_pair *p = pair_slot(m->pairs, m->cappairs, key);
        if (p->key == key || !create)
            return p->key == key ? p : NULL;
    } else if (!create) {
        return NULL;
    }
    /* Grow at half full, so probes stay short. */
    if ((m->npairs + 1) * 2 > m->cappairs) {
        size_t cap = m->cappairs ? m->cappairs * 2 : 256;
        struct map_pair *t = ig_calloc(cap, sizeof *t);
        if (t == NULL)
            return NULL;
        for (size_t i = 0; i < m->cappairs; i++)
            if (m->pairs[i].key)
                *pair_slot(t, cap, m->pairs[i].key) = m->pairs[i];
        ig_free(m->pairs);
        m->pairs = t;
        m->cappairs = cap;
    }
    struct map_pair *p = pair_slot(m->pairs, m->cappairs, key);
    p->key = key;
    p->lastdoc = MAP_NONE;
    m->npairs++;
    return p;
}

/* ======================================================================
 * Opening
 * ====================================================================== */

static int lexicon_kind_check(lex_file *f, int kind, ig_err *e)
{
    if (f == NULL || lex_file_kind(f) == kind)
        return IG_OK;
    return ig_err_set(e, IG_EUSAGE, STAGE, lex_file_path(f), IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "expected a %s lexicon, this is a %s lexicon",
                      lex_kind_name(kind), lex_kind_name(lex_file_kind(f)));
}

/* 1 when p's tree holds a NEAR operator (pat_describe writes "(near"). */
static int pattern_has_near(const pat_pattern *p, ig_buf *scratch, int *nomem)
{
    ig_buf_reset(scratch);
    if (pat_describe(p, scratch) != IG_OK) {
        *nomem = 1;
        return 0;
    }
    return scratch->data && strstr(scratch->data, "(near ") != NULL;
}

int map_open(map_run **mp, const idx_reader *r, lex_file *issues, lex_file *mechs,
             lex_file *gaps, const map_opts *opts, ig_err *e)
{
    *mp = NULL;
    if (issues == NULL || mechs == NULL)
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "an issues and a mechanisms lexicon are required");
    int rc = map_opts_check(opts, e);
    if (rc == IG_OK)
        rc = lexicon_kind_check(issues, LEX_ISSUES, e);
    if (rc == IG_OK)
        rc = lexicon_kind_check(mechs, LEX_MECHANISMS, e);
    if (rc == IG_OK)
        rc = lexicon_kind_check(gaps, LEX_GAPS, e);
    if (rc)
        return rc;
    if (lex_key_count(issues) >= MAP_NONE || lex_key_count(mechs) >= MAP_NONE)
        return ig_err_set(e, IG_ELIMIT, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "too many issues or mechanisms");

    map_run *m = ig_calloc(1, sizeof *m);
    pat_resolver *rs = NULL;
    ig_buf scratch = IG_BUF_INIT;
    if (m == NULL)
        return ig_err_nomem(e, STAGE);
    m->r = r;
    m->lx[MAP_LX_ISSUES] = issues;
    m->lx[MAP_LX_MECHS] = mechs;
    m->lx[MAP_LX_GAPS] = gaps;
    m->o = *opts;
    m->nissues = (uint32_t)lex_key_count(issues);
    m->nmechs = (uint32_t)lex_key_count(mechs);
    m->ndocs = idx_doc_count(r);
    m->col_process = idx_col_find(r, "process");
    m->col_group = idx_col_find(r, "stakeholder_group");
    m->col_submitter = idx_col_find(r, "submitter");

    size_t total = 0;
    for (int k = 0; k < MAP_NLX; k++)
        if (m->lx[k])
            total += lex_count(m->lx[k]);
    if (total >= MAP_NONE) {
        rc = ig_err_set(e, IG_ELIMIT, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "too many lexicon rows");
        goto out;
    }
    m->ent = ig_calloc(total ? total : 1, sizeof *m->ent);
    if (m->ent == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    if ((rc = pat_resolver_open(&rs, r, e)) != IG_OK)
        goto out;
    int nomem = 0;
    for (int k = 0; k < MAP_NLX && rc == IG_OK; k++) {
        lex_file *f = m->lx[k];
        for (size_t i = 0; f && i < lex_count(f) && rc == IG_OK; i++) {
            struct map_entry *en = &m->ent[m->nent];
            pat_pattern *p = lex_entry_pattern(f, i);
            en->lx = (unsigned char)k;
            en->row = (uint32_t)i;
            en->key = k == MAP_LX_GAPS ? 0 : (uint32_t)lex_entry_key(f, i);
            en->cur = MAP_NONE;
            en->near = (unsigned char)pattern_has_near(p, &scratch, &nomem);
            if (nomem) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            rc = pat_resolve(p, rs, e);
            if (rc == IG_OK)
                rc = pat_scan_open(&en->scan, p, 0, e);
            if (rc == IG_OK)
                m->nent++;
        }
    }
    if (rc == IG_OK && m->ndocs > 0) {
        m->score = ig_calloc(m->ndocs, sizeof *m->score);
        m->has_score = ig_calloc(m->ndocs, 1);
        if (m->score == NULL || m->has_score == NULL)
            rc = ig_err_nomem(e, STAGE);
    }
out:
    pat_resolver_close(rs);
    ig_buf_free(&scratch);
    if (rc) {
        map_close(m);
        return rc;
    }
    *mp = m;
    return IG_OK;
}

void map_close(map_run *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nent; i++)
        pat_scan_close(m->ent[i].scan);
    ig_free(m->ent);
    ig_free(m->score);
    ig_free(m->has_score);
    ig_free(m->di);
    ig_free(m->pairs);
    ig_free(m);
}

/* ======================================================================
 * Positions
 * ====================================================================== */

struct id_doc {
    const char *id;
    uint32_t doc;
};

static int cmp_id_doc(const void *a, const void *b)
{
    const struct id_doc *x = a, *y = b;
    return strcmp(x->id, y->id);
}

int map_positions_load(map_run *m, const char *path, ig_err *e)
{
    ig_buf data = IG_BUF_INIT;
    ig_csv_reader rd;
    struct id_doc *ids = NULL;
    unsigned char *seen = NULL;
    int rc = ig_read_file(path, (size_t)1 << 30, &data, STAGE, e);
    ig_csv_reader_init(&rd, data.data ? data.data : "", data.len, path, STAGE);
    if (rc)
        goto out;
    ids = ig_calloc(m->ndocs ? m->ndocs : 1, sizeof *ids);
    seen = ig_calloc(m->ndocs ? m->ndocs : 1, 1);
    if (ids == NULL || seen == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    for (uint32_t d = 0; d < m->ndocs; d++) {
        ids[d].id = idx_doc_id(m->r, d);
        ids[d].doc = d;
    }
    qsort(ids, m->ndocs, sizeof *ids, cmp_id_doc);

    const char **f;
    const size_t *len;
    size_t n, nhead = 0;
    long c_id = -1, c_score = -1, c_label = -1, c_section = -1;
    rc = ig_csv_next(&rd, &f, &len, &n, e);
    if (rc == 0) {
        rc = ig_err_set(e, IG_EDATA, STAGE, path, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "empty file: expected a header naming doc_id (or id) and score");
        goto out;
    }
    if (rc < 0)
        goto out;
    nhead = n;
    for (size_t i = 0; i < n; i++) {
        if (c_id < 0 && (strcmp(f[i], "doc_id") == 0 || strcmp(f[i], "id") == 0))
            c_id = (long)i;
        else if (c_score < 0 && strcmp(f[i], "score") == 0)
            c_score = (long)i;
        else if (c_label < 0 && strcmp(f[i], "label") == 0)
            c_label = (long)i;
        else if (c_section < 0 && strcmp(f[i], "section") == 0)
            c_section = (long)i;
    }
    if (c_id < 0 || c_score < 0) {
        rc = ig_err_set(e, IG_EDATA, STAGE, path, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "header lacks a %s column", c_id < 0 ? "doc_id (or id)" : "score");
        goto out;
    }
    while ((rc = ig_csv_next(&rd, &f, &len, &n, e)) == 1) {
        uint64_t line = rd.rec_line;
        if (n == 1 && len[0] == 0)
            continue; /* a blank line */
        if (n != nhead) {
            rc = ig_err_set(e, IG_EDATA, STAGE, path, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "expected %zu fields, got %zu", nhead, n);
            goto out;
        }
        /* classify adds one row per questionnaire section after the
         * whole-document row (section 0): only that one is a position. */
        if (c_section >= 0 && len[c_section] > 0 && strcmp(f[c_section], "0") != 0)
            continue;
        struct id_doc key = { f[c_id], 0 };
        struct id_doc *hit = bsearch(&key, ids, m->ndocs, sizeof *ids, cmp_id_doc);
        char q[IG_MAX_QUOTE_BYTES * 4 + 8];
        if (hit == NULL) {
            rc = ig_err_set(e, IG_EDATA, STAGE, path, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "unknown document id \"%s\" (not in the index: positions "
                            "from another corpus?)", ig_quote(q, sizeof q, f[c_id], len[c_id]));
            goto out;
        }
        if (seen[hit->doc]) {
            rc = ig_err_set(e, IG_EDATA, STAGE, path, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "document id \"%s\" appears twice",
                            ig_quote(q, sizeof q, f[c_id], len[c_id]));
            goto out;
        }
        seen[hit->doc] = 1;
        /* An empty score, or the label none (too few cues to place the
         * document), is no position. */
        if (len[c_score] == 0 || (c_label >= 0 && strcmp(f[c_label], "none") == 0))
            continue;
        double v;
        if (ig_parse_double(f[c_score], len[c_score], &v) != 0 || v < -1.0 || v > 1.0) {
            rc = ig_err_set(e, IG_EDATA, STAGE, path, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "score \"%s\" is not a number from -1 to 1",
                            ig_quote(q, sizeof q, f[c_score], len[c_score]));
            goto out;
        }
        m->score[hit->doc] = v;
        m->has_score[hit->doc] = 1;
    }
    if (rc == 0)
        m->have_positions = 1;
out:
    if (rc < 0 && m->has_score)
        memset(m->has_score, 0, m->ndocs);
    ig_csv_reader_free(&rd);
    ig_buf_free(&data);
    ig_free(ids);
    ig_free(seen);
    return rc < 0 ? rc : IG_OK;
}

/* ======================================================================
 * The scan: one document
 * ====================================================================== */

/* One match of one row in the current document. */
struct dmatch {
    uint32_t first, last;   /* positions covered, inclusive */
    uint32_t ent;           /* m->ent index */
    uint32_t key;           /* issue / mechanism number, 0 for gap cues */
};


/* A mention (or a gap cue): overlapping matches of one key, merged. */
struct mention {
    uint32_t key;
    uint32_t first, last;   /* union of the matches */
    uint32_t cfirst, clast; /* union of the contiguous (non-NEAR) matches */
    uint32_t clen;          /* longest contiguous match, in positions; 0 = none */
    uint32_t ent, elen;     /* cited row (longest match, earliest row on ties), its length */
    uint32_t sentence, paragraph, section;
    int dropped;            /* mechanisms: lost to a longer mechanism */
};

enum { EV_ISSUE = 0, EV_MECH = 1, EV_COOC = 2, EV_GAP = 3 };
static const char *const ev_kind_name[] = { "issue_mention", "mechanism_mention",
                                            "cooccurrence", "gap_claim" };
enum { LINK_NONE = 0, LINK_UNIT, LINK_SAME, LINK_PREVIOUS };

/* One evidence row before it is written. */
struct ev_row {
    uint64_t start, end;        /* byte range (spanning both mentions of a co-occurrence) */
    uint64_t a0, a1, b0, b1;    /* text pieces: [a0,a1) and, when b1 > b0, [b0,b1) */
    uint32_t sentence, paragraph, section;
    uint32_t issue, mech;       /* MAP_NONE when not applicable */
    uint32_t ent;               /* cited lexicon row */
    int kind, link;
};

/* Per-scan scratch, grown as needed and reused across documents. */
struct scan_ctx {
    map_run *m;
    ig_csv_writer *ev;
    idx_layout lay;
    ig_buf text, cell;
    struct dmatch *dm[MAP_NLX];       /* this document's matches, per lexicon */
    size_t ndm[MAP_NLX], capdm[MAP_NLX];
    struct mention *mn[MAP_NLX];      /* issue mentions, mechanism mentions, cues */
    size_t nmn[MAP_NLX], capmn[MAP_NLX];
    uint32_t *ord_i, *ord_m, *pmax;   /* orderings of mentions */
    size_t capord_i, capord_m, cappmax;
    struct ev_row *rows;
    size_t nrows, caprows;
    uint32_t *imention, *iclaims;     /* per issue, this document */
    uint32_t *touched;                /* issues with a mention in this document */
    size_t ntouched;
    uint32_t *mstamp, *mbest, *mdist; /* per mechanism (window unit) */
    uint32_t *mtouched;
    size_t nmtouched;
    uint32_t stamp;                   /* per issue mention, never reused (mstamp) */
    char unit[32];
};

static int grow_array(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            return -1;
        c *= 2;
    }
    void *p = ig_reallocarray(*arr, c, size);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = c;
    return 0;
}

static int cmp_dmatch(const void *a, const void *b)
{
    const struct dmatch *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->last != y->last)
        return x->last < y->last ? -1 : 1;
    return x->ent < y->ent ? -1 : x->ent > y->ent;
}

/* Merge dm[0..n) (sorted by cmp_dmatch) into mentions: matches of one key
 * that overlap, transitively, become one (map.h "overlap rules"). */
static int merge_mentions(const map_run *m, const struct dmatch *dm, size_t n,
                          struct mention **out, size_t *nout, size_t *cap)
{
    *nout = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dmatch *x = &dm[i];
        uint32_t len = x->last - x->first + 1;
        struct mention *c = *nout ? &(*out)[*nout - 1] : NULL;
        if (c && c->key == x->key && x->first <= c->last) {
            if (x->last > c->last)
                c->last = x->last;
            if (len > c->elen || (len == c->elen && x->ent < c->ent)) {
                c->ent = x->ent;
                c->elen = len;
            }
        } else {
            if (grow_array((void **)out, cap, *nout + 1, sizeof **out))
                return IG_ENOMEM;
            c = &(*out)[(*nout)++];
            memset(c, 0, sizeof *c);
            c->key = x->key;
            c->first = x->first;
            c->last = x->last;
            c->ent = x->ent;
            c->elen = len;
        }
        if (!m->ent[x->ent].near) {
            if (c->clen == 0) {
                c->cfirst = x->first;
                c->clast = x->last;
            } else {
                if (x->first < c->cfirst)
                    c->cfirst = x->first;
                if (x->last > c->clast)
                    c->clast = x->last;
            }
            if (len > c->clen)
                c->clen = len;
        }
    }
    return IG_OK;
}

/* Orderings of mentions are index arrays sorted with qsort_r (glibc; the
 * build defines _GNU_SOURCE), the mentions and the unit as its context. */
struct sort_ctx {
    const struct mention *base;
    int unit;          /* MAP_UNIT_SENTENCE or MAP_UNIT_PARAGRAPH */
};

static uint32_t unit_of(const struct mention *x, int unit)
{
    return unit == MAP_UNIT_PARAGRAPH ? x->paragraph : x->sentence;
}

static int cmp_by_cfirst(const void *a, const void *b, void *ctx)
{
    const struct sort_ctx *sc = ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    const struct mention *x = &sc->base[ia], *y = &sc->base[ib];
    if (x->cfirst != y->cfirst)
        return x->cfirst < y->cfirst ? -1 : 1;
    return ia < ib ? -1 : ia > ib;
}

static int cmp_by_unit(const void *a, const void *b, void *ctx)
{
    const struct sort_ctx *sc = ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    const struct mention *x = &sc->base[ia], *y = &sc->base[ib];
    uint32_t ux = unit_of(x, sc->unit), uy = unit_of(y, sc->unit);
    if (ux != uy)
        return ux < uy ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return ia < ib ? -1 : ia > ib;
}

static int cmp_by_first(const void *a, const void *b, void *ctx)
{
    const struct sort_ctx *sc = ctx;
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    const struct mention *x = &sc->base[ia], *y = &sc->base[ib];
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return ia < ib ? -1 : ia > ib;
}

static void sort_mentions(uint32_t *ord, size_t n, const struct mention *base, int unit,
                          int (*cmp)(const void *, const void *, void *))
{
    struct sort_ctx sc = { base, unit };
    if (n > 1) /* ord may be NULL when empty */
        qsort_r(ord, n, sizeof *ord, cmp, &sc);
}

/* Across mechanisms the longest match wins: drop every mention that a
 * strictly longer mention of another mechanism overlaps (both measured on
 * their contiguous matches; NEAR-only mentions take no part). */
static int drop_shorter(struct scan_ctx *c)
{
    struct mention *mm = c->mn[MAP_LX_MECHS];
    size_t n = c->nmn[MAP_LX_MECHS], k = 0;
    if (grow_array((void **)&c->ord_m, &c->capord_m, n, sizeof *c->ord_m) ||
        grow_array((void **)&c->pmax, &c->cappmax, n, sizeof *c->pmax))
        return IG_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (mm[i].clen > 0)
            c->ord_m[k++] = (uint32_t)i;
    sort_mentions(c->ord_m, k, mm, MAP_UNIT_SENTENCE, cmp_by_cfirst);
    /* pmax[j]: the largest clast among ord_m[0..j], so the backward walk
     * stops as soon as nothing earlier can reach the mention. */
    for (size_t j = 0; j < k; j++) {
        uint32_t cl = mm[c->ord_m[j]].clast;
        c->pmax[j] = j && c->pmax[j - 1] > cl ? c->pmax[j - 1] : cl;
    }
    for (size_t j = 0; j < k; j++) {
        struct mention *a = &mm[c->ord_m[j]];
        for (size_t t = j + 1; t < k && mm[c->ord_m[t]].cfirst <= a->clast && !a->dropped; t++) {
            const struct mention *b = &mm[c->ord_m[t]];
            if (b->key != a->key && b->clen > a->clen)
                a->dropped = 1;
        }
        for (size_t t = j; t-- > 0 && c->pmax[t] >= a->cfirst && !a->dropped;) {
            const struct mention *b = &mm[c->ord_m[t]];
            if (b->clast >= a->cfirst && b->key != a->key && b->clen > a->clen)
                a->dropped = 1;
        }
    }
    return IG_OK;
}

static struct ev_row *new_row(struct scan_ctx *c)
{
    if (grow_array((void **)&c->rows, &c->caprows, c->nrows + 1, sizeof *c->rows))
        return NULL;
    struct ev_row *r = &c->rows[c->nrows++];
    memset(r, 0, sizeof *r);
    r->issue = r->mech = MAP_NONE;
    return r;
}

/* A row for mention x alone (mention rows, and gap claims citing a cue). */
static int mention_row(struct scan_ctx *c, const struct mention *x, int kind, uint32_t issue,
                       uint32_t mech, int link)
{
    struct ev_row *r = new_row(c);
    if (r == NULL)
        return IG_ENOMEM;
    r->start = r->a0 = c->lay.start[x->first];
    r->end = r->a1 = c->lay.end[x->last];
    r->sentence = x->sentence;
    r->paragraph = x->paragraph;
    r->section = x->section;
    r->issue = issue;
    r->mech = mech;
    r->ent = x->ent;
    r->kind = kind;
    r->link = link;
    return IG_OK;
}

/* A co-occurrence row of issue mention a and mechanism mention b. */
static int cooc_row(struct scan_ctx *c, const struct mention *a, const struct mention *b)
{
    struct ev_row *r = new_row(c);
    if (r == NULL)
        return IG_ENOMEM;
    uint64_t as = c->lay.start[a->first], ae = c->lay.end[a->last];
    uint64_t bs = c->lay.start[b->first], be = c->lay.end[b->last];
    const struct mention *early = as <= bs ? a : b;
    uint64_t s0 = as <= bs ? as : bs, e0 = as <= bs ? ae : be;
    uint64_t s1 = as <= bs ? bs : as, e1 = as <= bs ? be : ae;
    r->start = s0;
    r->end = e0 > e1 ? e0 : e1;
    if (s1 < e0) { /* overlapping mentions: one piece */
        r->a0 = s0;
        r->a1 = r->end;
    } else {
        r->a0 = s0;
        r->a1 = e0;
        r->b0 = s1;
        r->b1 = e1;
    }
    r->sentence = early->sentence;
    r->paragraph = early->paragraph;
    r->section = early->section;
    r->issue = a->key;
    r->mech = b->key;
    r->ent = b->ent;
    r->kind = EV_COOC;
    r->link = LINK_UNIT;
    return IG_OK;
}

/* Co-occurrences per sentence or paragraph: one row per unit, issue and
 * mechanism, citing the first mention of each in the unit. */
static int cooc_units(struct scan_ctx *c)
{
    const struct mention *im = c->mn[MAP_LX_ISSUES], *mm = c->mn[MAP_LX_MECHS];
    size_t ni = c->nmn[MAP_LX_ISSUES], nm = 0;
    if (grow_array((void **)&c->ord_i, &c->capord_i, ni, sizeof *c->ord_i) ||
        grow_array((void **)&c->ord_m, &c->capord_m, c->nmn[MAP_LX_MECHS], sizeof *c->ord_m))
        return IG_ENOMEM;
    for (size_t i = 0; i < ni; i++)
        c->ord_i[i] = (uint32_t)i;
    for (size_t i = 0; i < c->nmn[MAP_LX_MECHS]; i++)
        if (!mm[i].dropped)
            c->ord_m[nm++] = (uint32_t)i;
    int unit = c->m->o.unit;
    sort_mentions(c->ord_i, ni, im, unit, cmp_by_unit);
    sort_mentions(c->ord_m, nm, mm, unit, cmp_by_unit);
    size_t i = 0, j = 0;
    while (i < ni && j < nm) {
        uint32_t ui = unit_of(&im[c->ord_i[i]], unit), um = unit_of(&mm[c->ord_m[j]], unit);
        if (ui < um) {
            i++;
            continue;
        }
        if (um < ui) {
            j++;
            continue;
        }
        size_t ie = i, je = j;
        while (ie < ni && unit_of(&im[c->ord_i[ie]], unit) == ui)
            ie++;
        while (je < nm && unit_of(&mm[c->ord_m[je]], unit) == ui)
            je++;
        for (size_t x = i; x < ie; x++) {
            const struct mention *a = &im[c->ord_i[x]];
            if (x > i && im[c->ord_i[x - 1]].key == a->key)
                continue; /* not the issue's first mention in the unit */
            for (size_t y = j; y < je; y++) {
                const struct mention *b = &mm[c->ord_m[y]];
                if (y > j && mm[c->ord_m[y - 1]].key == b->key)
                    continue;
                if (cooc_row(c, a, b))
                    return IG_ENOMEM;
            }
        }
        i = ie;
        j = je;
    }
    return IG_OK;
}

/* Co-occurrences in a token window: one row per issue mention and
 * mechanism with a mention within N tokens, citing the nearest one. */
static int cooc_window(struct scan_ctx *c)
{
    const struct mention *im = c->mn[MAP_LX_ISSUES], *mm = c->mn[MAP_LX_MECHS];
    size_t ni = c->nmn[MAP_LX_ISSUES], nm = 0;
    uint32_t w = c->m->o.window, maxspan = 0;
    if (grow_array((void **)&c->ord_i, &c->capord_i, ni, sizeof *c->ord_i) ||
        grow_array((void **)&c->ord_m, &c->capord_m, c->nmn[MAP_LX_MECHS], sizeof *c->ord_m))
        return IG_ENOMEM;
    for (size_t i = 0; i < ni; i++)
        c->ord_i[i] = (uint32_t)i;
    for (size_t i = 0; i < c->nmn[MAP_LX_MECHS]; i++)
        if (!mm[i].dropped) {
            c->ord_m[nm++] = (uint32_t)i;
            if (mm[i].last - mm[i].first > maxspan)
                maxspan = mm[i].last - mm[i].first;
        }
    sort_mentions(c->ord_i, ni, im, MAP_UNIT_SENTENCE, cmp_by_first);
    sort_mentions(c->ord_m, nm, mm, MAP_UNIT_SENTENCE, cmp_by_first);
    size_t lo = 0;
    for (size_t x = 0; x < ni; x++) {
        const struct mention *a = &im[c->ord_i[x]];
        /* A fresh stamp per issue mention over the whole scan, so marks
         * left by earlier documents never count; on wrap-around, clear. */
        if (++c->stamp == 0) {
            memset(c->mstamp, 0, (c->m->nmechs ? c->m->nmechs : 1) * sizeof *c->mstamp);
            c->stamp = 1;
        }
        /* Mentions starting before a.first - (maxspan + w + 1) cannot reach
         * a, and a.first only grows. */
        while (lo < nm && (uint64_t)mm[c->ord_m[lo]].first + maxspan + w + 1 < a->first)
            lo++;
        c->nmtouched = 0;
        for (size_t y = lo; y < nm; y++) {
            const struct mention *b = &mm[c->ord_m[y]];
            if ((uint64_t)b->first > (uint64_t)a->last + w + 1)
                break;
            uint32_t dist;
            if (b->first <= a->last && b->last >= a->first)
                dist = 0;
            else if (b->first > a->last)
                dist = b->first - a->last - 1;
            else
                dist = a->first - b->last - 1;
            if (dist > w)
                continue;
            uint32_t k = b->key;
            if (c->mstamp[k] != c->stamp) {
                c->mstamp[k] = c->stamp;
                c->mtouched[c->nmtouched++] = k;
                c->mbest[k] = c->ord_m[y];
                c->mdist[k] = dist;
            } else if (dist < c->mdist[k]) {
                c->mbest[k] = c->ord_m[y];
                c->mdist[k] = dist;
            }
        }
        for (size_t t = 0; t < c->nmtouched; t++)
            if (cooc_row(c, a, &mm[c->mbest[c->mtouched[t]]]))
                return IG_ENOMEM;
    }
    return IG_OK;
}

/* In ord (issue mention numbers sorted by sentence), the first with
 * sentence >= s. */
static size_t lower_sentence(const struct mention *im, const uint32_t *ord, size_t n, uint32_t s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im[ord[mid]].sentence < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Gap claims: per sentence holding a cue, one claim for each issue named in
 * it, or (carry_back) in the directly preceding sentence of the paragraph
 * when the cue's sentence names none. */
static int gap_claims(struct scan_ctx *c)
{
    const struct mention *im = c->mn[MAP_LX_ISSUES], *gm = c->mn[MAP_LX_GAPS];
    size_t ni = c->nmn[MAP_LX_ISSUES], ng = c->nmn[MAP_LX_GAPS];
    if (ng == 0 || ni == 0)
        return IG_OK;
    if (grow_array((void **)&c->ord_i, &c->capord_i, ni, sizeof *c->ord_i))
        return IG_ENOMEM;
    for (size_t i = 0; i < ni; i++)
        c->ord_i[i] = (uint32_t)i;
    sort_mentions(c->ord_i, ni, im, MAP_UNIT_SENTENCE, cmp_by_unit);
    for (size_t g = 0; g < ng; g++) {
        const struct mention *cue = &gm[g];
        if (g > 0 && gm[g - 1].sentence == cue->sentence)
            continue; /* one claim per sentence: the first cue is cited */
        uint32_t s = cue->sentence;
        int link = LINK_SAME;
        size_t a = lower_sentence(im, c->ord_i, ni, s);
        if (!(a < ni && im[c->ord_i[a]].sentence == s)) {
            if (!c->m->o.carry_back || s < 2)
                continue;
            a = lower_sentence(im, c->ord_i, ni, s - 1);
            if (!(a < ni && im[c->ord_i[a]].sentence == s - 1 &&
                  im[c->ord_i[a]].paragraph == cue->paragraph))
                continue;
            s = s - 1;
            link = LINK_PREVIOUS;
        }
        for (size_t x = a; x < ni && im[c->ord_i[x]].sentence == s; x++) {
            uint32_t k = im[c->ord_i[x]].key;
            if (x > a && im[c->ord_i[x - 1]].key == k)
                continue;
            if (mention_row(c, cue, EV_GAP, k, MAP_NONE, link))
                return IG_ENOMEM;
            c->iclaims[k]++;
        }
    }
    return IG_OK;
}

static int cmp_row(const void *a, const void *b)
{
    const struct ev_row *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->issue != y->issue)
        return x->issue < y->issue ? -1 : 1;
    if (x->mech != y->mech)
        return x->mech < y->mech ? -1 : 1;
    return x->ent < y->ent ? -1 : x->ent > y->ent;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Text of [s, e) with the kwic white-space rule: a run of white space that
 * holds anything but plain spaces becomes one space.  Appended to out. */
static int add_clean(ig_buf *out, const char *t, uint64_t s, uint64_t e)
{
    for (uint64_t i = s; i < e;) {
        char ch = t[i];
        if (ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f' || ch == ' ') {
            uint64_t j = i;
            int plain = 1;
            while (j < e && (t[j] == '\t' || t[j] == '\n' || t[j] == '\r' || t[j] == '\v' ||
                             t[j] == '\f' || t[j] == ' ')) {
                plain &= t[j] == ' ';
                j++;
            }
            if (plain ? ig_buf_add(out, t + i, (size_t)(j - i)) : ig_buf_addc(out, ' '))
                return IG_ENOMEM;
            i = j;
            continue;
        }
        uint64_t j = i;
        while (j < e && t[j] != '\t' && t[j] != '\n' && t[j] != '\r' && t[j] != '\v' &&
               t[j] != '\f' && t[j] != ' ')
            j++;
        if (ig_buf_add(out, t + i, (size_t)(j - i)))
            return IG_ENOMEM;
        i = j;
    }
    return IG_OK;
}

/* Write the document's rows (already sorted). */
static int write_rows(struct scan_ctx *c, uint32_t doc, ig_err *e)
{
    map_run *m = c->m;
    ig_csv_writer *w = c->ev;
    const char *id = idx_doc_id(m->r, doc);
    const char *proc = map_meta(m, doc, m->col_process);
    const char *grp = map_meta(m, doc, m->col_group);
    const char *sub = map_submitter(m, doc);
    int rc = IG_OK;
    for (size_t i = 0; i < c->nrows && rc == IG_OK; i++) {
        const struct ev_row *r = &c->rows[i];
        const struct map_entry *en = &m->ent[r->ent];
        const lex_file *lf = m->lx[en->lx];
        if (r->end > c->text.len || r->start > r->end)
            return ig_err_data(e, STAGE, NULL, "damaged index: byte range %llu-%llu of "
                               "document \"%s\" outside its %zu bytes (run igmap check)",
                               (unsigned long long)r->start, (unsigned long long)r->end, id,
                               c->text.len);
        ig_buf_reset(&c->cell);
        if (add_clean(&c->cell, c->text.data, r->a0, r->a1) ||
            (r->b1 > r->b0 && (ig_buf_adds(&c->cell, " \xE2\x80\xA6 ") ||
                               add_clean(&c->cell, c->text.data, r->b0, r->b1))) ||
            ig_buf_reserve(&c->cell, 0))
            return ig_err_nomem(e, STAGE);
        rc = ig_csv_str(w, id);
        rc = rc ? rc : ig_csv_str(w, proc);
        rc = rc ? rc : ig_csv_str(w, grp);
        rc = rc ? rc : ig_csv_str(w, sub);
        rc = rc ? rc : ig_csv_u64(w, r->sentence);
        rc = rc ? rc : ig_csv_u64(w, r->paragraph);
        rc = rc ? rc : ig_csv_u64(w, r->section);
        rc = rc ? rc : ig_csv_u64(w, r->start);
        rc = rc ? rc : ig_csv_u64(w, r->end);
        rc = rc ? rc : ig_csv_str(w, ev_kind_name[r->kind]);
        rc = rc ? rc : ig_csv_str(w, r->issue != MAP_NONE ?
                                  lex_key_name(m->lx[MAP_LX_ISSUES], r->issue) : NULL);
        rc = rc ? rc : ig_csv_str(w, r->mech != MAP_NONE ?
                                  lex_key_name(m->lx[MAP_LX_MECHS], r->mech) : NULL);
        rc = rc ? rc : ig_csv_str(w, r->mech != MAP_NONE ?
                                  lex_mtype_name(lex_key_group(m->lx[MAP_LX_MECHS], r->mech))
                                  : NULL);
        if (rc == IG_OK && r->issue != MAP_NONE)
            rc = ig_csv_u64(w, c->imention[r->issue] >= m->o.min_mentions);
        else if (rc == IG_OK)
            rc = ig_csv_empty(w);
        rc = rc ? rc : ig_csv_str(w, r->link == LINK_UNIT ? c->unit :
                                  r->link == LINK_SAME ? "same_sentence" :
                                  r->link == LINK_PREVIOUS ? "previous_sentence" : NULL);
        rc = rc ? rc : ig_csv_str(w, lex_file_path(lf));
        rc = rc ? rc : ig_csv_u64(w, lex_entry_line(lf, en->row));
        rc = rc ? rc : ig_csv_text(w, c->cell.data, c->cell.len);
        rc = rc ? rc : ig_csv_endrow(w);
    }
    return rc;
}

/* Everything for document doc, whose matches are in c->dm. */
static int scan_doc(struct scan_ctx *c, uint32_t doc, ig_err *e)
{
    map_run *m = c->m;
    int rc = idx_layout_get(m->r, doc, &c->lay, e);
    if (rc == IG_OK && c->ev)
        rc = idx_doc_text(m->r, doc, &c->text, e);
    if (rc)
        return rc;
    for (int k = 0; k < MAP_NLX; k++) {
        for (size_t i = 0; i < c->ndm[k]; i++)
            if (c->dm[k][i].last >= c->lay.n || c->dm[k][i].first > c->dm[k][i].last)
                return ig_err_data(e, STAGE, NULL, "damaged index: match %u-%u beyond the "
                                   "%u positions of document \"%s\" (run igmap check)",
                                   c->dm[k][i].first, c->dm[k][i].last, c->lay.n,
                                   idx_doc_id(m->r, doc));
        if (c->ndm[k] > 1) /* dm[k] may still be NULL when empty */
            qsort(c->dm[k], c->ndm[k], sizeof *c->dm[k], cmp_dmatch);
        if (merge_mentions(m, c->dm[k], c->ndm[k], &c->mn[k], &c->nmn[k], &c->capmn[k]))
            return ig_err_nomem(e, STAGE);
        for (size_t i = 0; i < c->nmn[k]; i++) {
            struct mention *x = &c->mn[k][i];
            x->sentence = c->lay.sentence[x->first];
            x->paragraph = c->lay.paragraph[x->first];
            x->section = c->lay.section[x->first];
        }
    }
    if (drop_shorter(c))
        return ig_err_nomem(e, STAGE);

    c->nrows = 0;
    c->ntouched = 0;
    for (size_t i = 0; i < c->nmn[MAP_LX_ISSUES]; i++) {
        const struct mention *x = &c->mn[MAP_LX_ISSUES][i];
        if (c->imention[x->key]++ == 0)
            c->touched[c->ntouched++] = x->key;
        if (mention_row(c, x, EV_ISSUE, x->key, MAP_NONE, LINK_NONE))
            return ig_err_nomem(e, STAGE);
    }
    for (size_t i = 0; i < c->nmn[MAP_LX_MECHS]; i++) {
        const struct mention *x = &c->mn[MAP_LX_MECHS][i];
        if (!x->dropped && mention_row(c, x, EV_MECH, MAP_NONE, x->key, LINK_NONE))
            return ig_err_nomem(e, STAGE);
    }
    size_t first_cooc = c->nrows;
    if ((m->o.unit == MAP_UNIT_WINDOW ? cooc_window(c) : cooc_units(c)) != IG_OK)
        return ig_err_nomem(e, STAGE);
    size_t end_cooc = c->nrows;
    if (gap_claims(c) != IG_OK)
        return ig_err_nomem(e, STAGE);

    /* Aggregates: only issues this document raises count. */
    qsort(c->touched, c->ntouched, sizeof *c->touched, cmp_u32);
    for (size_t t = 0; t < c->ntouched; t++) {
        uint32_t k = c->touched[t];
        if (c->imention[k] < m->o.min_mentions)
            continue;
        if (grow_array((void **)&m->di, &m->capdi, m->ndi + 1, sizeof *m->di))
            return ig_err_nomem(e, STAGE);
        struct map_docissue *d = &m->di[m->ndi++];
        d->issue = k;
        d->doc = doc;
        d->mentions = c->imention[k];
        d->claims = c->iclaims[k];
    }
    for (size_t i = first_cooc; i < end_cooc; i++) {
        const struct ev_row *r = &c->rows[i];
        if (c->imention[r->issue] < m->o.min_mentions)
            continue;
        struct map_pair *p = map_pair_get(m, r->issue, r->mech, 1);
        if (p == NULL)
            return ig_err_nomem(e, STAGE);
        p->cooc++;
        if (p->lastdoc != doc) {
            p->lastdoc = doc;
            p->docs++;
        }
    }
    if (c->ev) {
        if (c->nrows > 1)
            qsort(c->rows, c->nrows, sizeof *c->rows, cmp_row);
        rc = write_rows(c, doc, e);
    }
    for (size_t t = 0; t < c->ntouched; t++)
        c->imention[c->touched[t]] = c->iclaims[c->touched[t]] = 0;
    return rc;
}

/* ======================================================================
 * The scan: all documents
 * ====================================================================== */

static const char *const evidence_header[] = {
    "doc_id", "process", "stakeholder_group", "submitter", "sentence", "paragraph",
    "section", "start", "end", "kind", "issue", "mechanism", "mechanism_type", "raised",
    "link", "lexicon", "line", "match", NULL
};

static void scan_ctx_free(struct scan_ctx *c)
{
    idx_layout_free(&c->lay);
    ig_buf_free(&c->text);
    ig_buf_free(&c->cell);
    for (int k = 0; k < MAP_NLX; k++) {
        ig_free(c->dm[k]);
        ig_free(c->mn[k]);
    }
    ig_free(c->ord_i);
    ig_free(c->ord_m);
    ig_free(c->pmax);
    ig_free(c->rows);
    ig_free(c->imention);
    ig_free(c->iclaims);
    ig_free(c->touched);
    ig_free(c->mstamp);
    ig_free(c->mbest);
    ig_free(c->mdist);
    ig_free(c->mtouched);
}

/* Move entry en's scan to its next document. */
static int entry_advance(struct map_entry *en, ig_err *e)
{
    int rc = pat_scan_next_doc(en->scan, e);
    if (rc < 0)
        return rc;
    en->cur = rc == 1 ? pat_scan_doc(en->scan) : MAP_NONE;
    return IG_OK;
}

int map_scan(map_run *m, ig_csv_writer *ev, ig_err *e)
{
    if (m->scanned)
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "map_scan called twice");
    m->scanned = 1;
    struct scan_ctx c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.ev = ev;
    map_unit_name(&m->o, c.unit, sizeof c.unit);
    size_t ni = m->nissues ? m->nissues : 1, nm = m->nmechs ? m->nmechs : 1;
    int rc = IG_OK;
    c.imention = ig_calloc(ni, sizeof *c.imention);
    c.iclaims = ig_calloc(ni, sizeof *c.iclaims);
    c.touched = ig_calloc(ni, sizeof *c.touched);
    c.mstamp = ig_calloc(nm, sizeof *c.mstamp);
    c.mbest = ig_calloc(nm, sizeof *c.mbest);
    c.mdist = ig_calloc(nm, sizeof *c.mdist);
    c.mtouched = ig_calloc(nm, sizeof *c.mtouched);
    if (!c.imention || !c.iclaims || !c.touched || !c.mstamp || !c.mbest || !c.mdist ||
        !c.mtouched) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    if (ev && (rc = ig_csv_header(ev, evidence_header)) != IG_OK)
        goto out;
    for (size_t i = 0; i < m->nent && rc == IG_OK; i++)
        rc = entry_advance(&m->ent[i], e);
    while (rc == IG_OK) {
        uint32_t doc = MAP_NONE;
        for (size_t i = 0; i < m->nent; i++)
            if (m->ent[i].cur < doc)
                doc = m->ent[i].cur;
        if (doc == MAP_NONE)
            break;
        if (m->o.interrupted && *m->o.interrupted) {
            rc = ig_err_set(e, IG_EINTR, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "interrupted");
            e->signo = *m->o.interrupted;
            break;
        }
        for (int k = 0; k < MAP_NLX; k++)
            c.ndm[k] = 0;
        for (size_t i = 0; i < m->nent && rc == IG_OK; i++) {
            struct map_entry *en = &m->ent[i];
            if (en->cur != doc)
                continue;
            const pat_match *pm;
            size_t n;
            if ((rc = pat_scan_doc_matches(en->scan, &pm, &n, e)) != IG_OK)
                break;
            int k = en->lx;
            if (grow_array((void **)&c.dm[k], &c.capdm[k], c.ndm[k] + n, sizeof *c.dm[k])) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            for (size_t j = 0; j < n; j++) {
                struct dmatch *d = &c.dm[k][c.ndm[k]++];
                d->first = pm[j].first;
                d->last = pm[j].last;
                d->ent = (uint32_t)i;
                d->key = en->key;
            }
            rc = entry_advance(en, e);
        }
        if (rc == IG_OK)
            rc = scan_doc(&c, doc, e);
    }
out:
    scan_ctx_free(&c);
    return rc;
}

/*
 * pattern.c: the query pattern language (see pattern.h, its manual).
 *
 * Pipeline place: reads the index through stages/index.h only; serves
 * kwic/count now and classify/map later.  Three phases, each its own
 * section: a hand-written parser turns the text into a small tree of
 * nodes (forms, phrases, NEARs) kept in one array; resolving turns every
 * form into a sorted set of term ids (stemmer, prefix range, PCRE2 over the
 * vocabulary); scanning walks postings document at a time (pattern_scan.c).
 *
 * Scanning model.  Every node has a cursor: seek(target) puts it on the
 * first document >= target where it has at least one match (forms: any of
 * their terms occurs; phrases and NEARs: the children meet and the span
 * computation finds something, checked by a leapfrog over the children).
 * On that document a node's spans are a sorted, duplicate-free array of
 * (first << 32 | last) keys.  Forms keep every span (a joined compound and
 * its first part share a start but not an end, and a phrase may continue
 * from either), so do phrases and inner NEARs; only the matches reported to
 * the caller are reduced to one per start, the shortest.  A root NEAR
 * computes only that shortest span per start directly, which keeps it
 * linear in the occurrences.  NEAR needs sentence numbers, hence the
 * document's layout, the costliest read: it is decoded only when some pair
 * of occurrences is within the distance at all.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pattern.h"

#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "input.h"
#include "limits.h"
#include "stem.h"
#include "tokenise.h"
#include "pattern_int.h"

/* ======================================================================
 * Nodes and the pattern (their layout: pattern_int.h)
 * ====================================================================== */

/* Escape the pattern for messages: printable text passes, control bytes and
 * invalid UTF-8 become \xNN, more than IG_MAX_QUOTE_BYTES end in "...".
 * Unlike ig_quote, quotes and backslashes pass unchanged, so a phrase or a
 * regex reads as typed and columns stay meaningful. */
static void pat_show(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0, i = 0, lim = n > IG_MAX_QUOTE_BYTES ? IG_MAX_QUOTE_BYTES : n;
    while (i < lim && o + 8 < cap) {
        unsigned char c = (unsigned char)s[i];
        size_t u = c >= 0x80 ? ig_utf8_seqlen((const unsigned char *)s + i, n - i) : 0;
        if (u > 0 && i + u <= lim) {
            memcpy(dst + o, s + i, u);
            o += u;
            i += u;
        } else if (u == 0 && c >= 0x20 && c != 0x7F && c < 0x80) {
            dst[o++] = (char)c;
            i++;
        } else if (u > 0) {
            break; /* a character cut by the byte bound */
        } else {
            snprintf(dst + o, cap - o, "\\x%02X", c);
            o += 4;
            i++;
        }
    }
    if (i < n && o + 4 <= cap) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

/* Record a located error about pattern p at 1-based column col. */
static int pat_verr(const pat_pattern *p, ig_err *e, int code, uint32_t col,
                    const char *fmt, va_list ap)
{
    char what[640];
    vsnprintf(what, sizeof what, fmt, ap);
    if (e == NULL || e->code != IG_OK)
        return e ? e->code : code;
    if (p->path)
        return ig_err_set(e, code, p->stage ? p->stage : "pattern", p->path, p->line,
                          p->col0 + col - 1, IG_ERR_NOPOS, "%s", what);
    ig_err_set(e, code, "pattern", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
               "%s:%u: %s", p->shown, col, what);
    e->col = col;
    return code;
}

int pat_err(const pat_pattern *p, ig_err *e, int code, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pat_verr(p, e, code, col, fmt, ap);
    va_end(ap);
    return rc;
}

static void pnode_clear_terms(pnode *n)
{
    ig_free(n->terms);
    n->terms = NULL;
    n->nterms = 0;
}

void pat_free(pat_pattern *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nnodes; i++) {
        ig_free(p->nodes[i].word);
        pcre2_code_free(p->nodes[i].re);
        pnode_clear_terms(&p->nodes[i]);
    }
    ig_free(p->nodes);
    ig_free(p->text);
    ig_free(p->stage);
    ig_free(p->path);
    ig_free(p);
}

const char *pat_text(const pat_pattern *p, size_t *len)
{
    if (len)
        *len = p->len;
    return p->text;
}

size_t pat_atom_count(const pat_pattern *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nnodes; i++)
        n += is_atom(&p->nodes[i]);
    return n;
}

size_t pat_term_count(const pat_pattern *p)
{
    size_t n = 0;
    if (p->r == NULL)
        return 0;
    for (size_t i = 0; i < p->nnodes; i++)
        n += p->nodes[i].nterms;
    return n;
}

static int describe(const pat_pattern *p, size_t i, ig_buf *out)
{
    static const char *const names[] = { "word", "exact", "prefix", "regex", "phrase", "near" };
    const pnode *n = &p->nodes[i];
    int rc = ig_buf_addf(out, "(%s", names[n->kind]);
    if (is_atom(n)) {
        rc |= ig_buf_adds(out, " \"");
        rc |= ig_buf_add(out, n->word, n->wlen);
        rc |= ig_buf_adds(out, "\"");
    } else if (n->kind == PN_PHRASE) {
        for (size_t k = 0; k < n->b; k++) {
            rc |= ig_buf_addc(out, ' ');
            rc |= describe(p, n->a + k, out);
        }
    } else {
        rc |= ig_buf_addf(out, " %u ", n->dist);
        rc |= describe(p, n->a, out);
        rc |= ig_buf_addc(out, ' ');
        rc |= describe(p, n->b, out);
    }
    rc |= ig_buf_addc(out, ')');
    return rc ? IG_ENOMEM : IG_OK;
}

int pat_describe(const pat_pattern *p, ig_buf *out)
{
    return describe(p, p->root, out);
}

/* ======================================================================
 * Parsing
 * ====================================================================== */

typedef struct parser {
    pat_pattern *p;
    const char *s;          /* pattern text */
    size_t n;               /* its length */
    size_t i;               /* next byte */
    ig_err *e;
    ig_buf norm;            /* normalised word scratch */
    size_t col_byte;        /* col_at() cache: a byte offset ... */
    uint32_t col_val;       /* ... and its column */
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    int nomem;
} parser;

static void *pat_pcre_alloc(size_t n, void *ud)
{
    (void)ud;
    return ig_malloc(n);
}

static void pat_pcre_free(void *ptr, void *ud)
{
    (void)ud;
    ig_free(ptr);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* 1-based column (in characters) of byte offset off. */
static uint32_t col_at(parser *ps, size_t off)
{
    if (off < ps->col_byte) {
        ps->col_byte = 0;
        ps->col_val = 1;
    }
    for (; ps->col_byte < off && ps->col_byte < ps->n; ps->col_byte++)
        if (((unsigned char)ps->s[ps->col_byte] & 0xC0) != 0x80)
            ps->col_val++;
    return ps->col_val;
}

static int perr(parser *ps, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(parser *ps, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pat_verr(ps->p, ps->e, IG_EDATA, col_at(ps, off), fmt, ap);
    va_end(ap);
    return rc;
}

static int pnomem(parser *ps)
{
    return ig_err_nomem(ps->e, ps->p->stage ? ps->p->stage : "pattern");
}

/* Append a node; its index in *out. */
static int new_node(parser *ps, uint8_t kind, size_t off, size_t *out)
{
    pat_pattern *p = ps->p;
    if (p->nnodes == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        pnode *nn = ig_reallocarray(p->nodes, cap, sizeof *nn);
        if (nn == NULL)
            return pnomem(ps);
        p->nodes = nn;
        p->cap = cap;
    }
    pnode *n = &p->nodes[p->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->col = col_at(ps, off);
    *out = p->nnodes++;
    return IG_OK;
}

/* Is w[0..n) the NEAR operator (NEAR or NEAR/...)? */
static int is_near(const char *w, size_t n)
{
    return n >= 4 && memcmp(w, "NEAR", 4) == 0 && (n == 4 || w[4] == '/');
}

/* End of the item starting at i: the next white space. */
static size_t item_end(const parser *ps, size_t i)
{
    while (i < ps->n && !is_ws(ps->s[i]))
        i++;
    return i;
}

static int parse_regex(parser *ps, int in_phrase, size_t *out)
{
    const char *s = ps->s;
    size_t start = ps->i, j = start + 1;
    while (j < ps->n && s[j] != '/')
        j += (s[j] == '\\' && j + 1 < ps->n) ? 2 : 1;
    if (j >= ps->n)
        return perr(ps, start, "unterminated regex");
    size_t rlen = j - start - 1;
    if (rlen == 0)
        return perr(ps, start, "empty regex");
    size_t after = j + 1;
    if (after < ps->n && !is_ws(s[after]) && !(in_phrase && s[after] == '"'))
        return perr(ps, after, "unexpected character after regex");
    int ec;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(s + start + 1), rlen, PAT_OPTS, &ec,
                                   &eoff, ps->cctx);
    if (re == NULL) {
        if (ec == PCRE2_ERROR_HEAP_FAILED)
            return pnomem(ps);
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "code %d", ec);
        if (eoff > rlen)
            eoff = rlen;
        return perr(ps, start + 1 + eoff, "regex error: %s", (const char *)msg);
    }
    /* JIT when this PCRE2 has it; failure (no JIT, no executable memory)
     * just leaves the interpreter, which has the same limits. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    char *src = ig_strndup(s + start + 1, rlen);
    int rc = src ? new_node(ps, PN_REGEX, start, out) : pnomem(ps);
    if (rc) {
        ig_free(src);
        pcre2_code_free(re);
        return rc;
    }
    ps->p->nodes[*out].re = re;
    ps->p->nodes[*out].word = src;
    ps->p->nodes[*out].wlen = rlen;
    ps->i = after;
    return IG_OK;
}

/* Append one atom node for the normalised unit u[0..n). */
static int add_atom(parser *ps, uint8_t kind, size_t off, const char *u, size_t n,
                    size_t *out)
{
    char *copy = ig_strndup(u, n);
    if (copy == NULL)
        return pnomem(ps);
    int rc = new_node(ps, kind, off, out);
    if (rc) {
        ig_free(copy);
        return rc;
    }
    ps->p->nodes[*out].word = copy;
    ps->p->nodes[*out].wlen = n;
    return IG_OK;
}

/* One single-token form at ps->i: word, =exact, prefix*, /regex/.  *out is
 * its node.  A word the tokeniser splits into several units ("U.S." gives
 * "u s", "foo/bar" gives "foo bar") means those units in sequence: inside a
 * phrase they become that many phrase words (*added counts the nodes
 * appended, all atoms), elsewhere an implicit phrase node whose index is
 * *out.  Of a prefix, only the last unit is a prefix, the others exact. */
static int parse_form(parser *ps, int in_phrase, size_t *out, size_t *added)
{
    const char *s = ps->s;
    size_t start = ps->i;
    *added = 1;
    if (s[start] == '/')
        return parse_regex(ps, in_phrase, out);
    size_t j = start;
    while (j < ps->n && !is_ws(s[j]) && s[j] != '"')
        j++;
    if (j < ps->n && s[j] == '"' && !in_phrase)
        return perr(ps, j, "unexpected '\"' inside a word");
    const char *w = s + start;
    size_t wl = j - start;
    if (is_near(w, wl)) {
        if (in_phrase)
            return perr(ps, start, "NEAR cannot be used inside a phrase");
        return perr(ps, start, "missing pattern before %.*s", (int)(wl > 24 ? 24 : wl), w);
    }
    uint8_t kind = PN_WORD;
    if (w[0] == '=') {
        kind = PN_EXACT;
        w++;
        wl--;
    }
    for (size_t k = 0; k + 1 < wl; k++)
        if (w[k] == '*')
            return perr(ps, (size_t)(w - s) + k, "'*' is allowed only at the end of a word");
    if (wl > 0 && w[wl - 1] == '*') {
        if (kind == PN_EXACT)
            return perr(ps, start, "'=' and '*' cannot be combined");
        kind = PN_PREFIX;
        wl--;
        if (wl == 0)
            return perr(ps, start, "empty prefix before '*'");
    }
    if (wl == 0)
        return perr(ps, start, "empty word after '='");
    size_t units = 0;
    int rc = tok_normalise_units(w, wl, &ps->norm, &units);
    if (rc == IG_ENOMEM)
        return pnomem(ps);
    if (rc == IG_ELIMIT)
        return perr(ps, start, "word longer than %d bytes", IG_MAX_TOKEN_BYTES);
    if (rc != IG_OK)
        return perr(ps, start, "invalid UTF-8 in word");
    char q[IG_MAX_QUOTE_BYTES * 4 + 8];
    if (units == 0 || ps->norm.len == 0)
        return perr(ps, start, "\"%s\" is not a word (nothing left after normalisation)",
                    ig_quote(q, sizeof q, w, wl));
    ps->i = j;
    if (units == 1)
        return add_atom(ps, kind, start, ps->norm.data, ps->norm.len, out);
    /* Several units, separated by single spaces. */
    const char *u = ps->norm.data, *end = u + ps->norm.len;
    size_t pieces = 1;
    for (const char *c = u; c < end; c++)
        pieces += *c == ' ';
    if (pieces != units)
        return perr(ps, start, "\"%s\" normalises to words that contain spaces; write "
                    "them as a phrase", ig_quote(q, sizeof q, w, wl));
    size_t phrase = 0;
    if (!in_phrase) {
        rc = new_node(ps, PN_PHRASE, start, &phrase);
        if (rc)
            return rc;
    }
    size_t first = ps->p->nnodes;
    for (size_t k = 0; k < units; k++) {
        const char *sp = memchr(u, ' ', (size_t)(end - u));
        const char *ue = sp ? sp : end;
        uint8_t uk = kind == PN_PREFIX && k + 1 < units ? PN_EXACT : kind;
        size_t node;
        rc = add_atom(ps, uk, start, u, (size_t)(ue - u), &node);
        if (rc)
            return rc;
        u = ue + 1;
    }
    if (in_phrase) {
        *out = first;
        *added = units;
    } else {
        ps->p->nodes[phrase].a = first;
        ps->p->nodes[phrase].b = units;
        *out = phrase;
    }
    return IG_OK;
}

static void skip_ws(parser *ps)
{
    while (ps->i < ps->n && is_ws(ps->s[ps->i]))
        ps->i++;
}

static int parse_phrase(parser *ps, size_t *out)
{
    size_t q = ps->i, node, count = 0;
    int rc = new_node(ps, PN_PHRASE, q, &node);
    if (rc)
        return rc;
    ps->i++;
    for (;;) {
        skip_ws(ps);
        if (ps->i >= ps->n)
            return perr(ps, q, "unterminated phrase");
        if (ps->s[ps->i] == '"') {
            ps->i++;
            break;
        }
        size_t k, added, at = ps->i;
        rc = parse_form(ps, 1, &k, &added);
        if (rc)
            return rc;
        count += added;
        if (count > IG_MAX_PATTERN_DEPTH)
            return perr(ps, at, "phrase longer than %d words", IG_MAX_PATTERN_DEPTH);
    }
    if (count == 0)
        return perr(ps, q, "empty phrase");
    if (ps->i < ps->n && !is_ws(ps->s[ps->i]))
        return perr(ps, ps->i, "unexpected character after phrase");
    /* Elements are atoms, one node each, appended right after the phrase
     * node (a word of several units adds several). */
    ps->p->nodes[node].a = node + 1;
    ps->p->nodes[node].b = count;
    *out = node;
    return IG_OK;
}

static int parse_unit(parser *ps, size_t *out)
{
    size_t added;
    if (ps->s[ps->i] == '"')
        return parse_phrase(ps, out);
    return parse_form(ps, 0, out, &added);
}

/* NEAR/n at ps->i (is_near already true); the distance in *dist. */
static int parse_near_op(parser *ps, size_t j, uint32_t *dist)
{
    size_t t = ps->i;
    const char *s = ps->s;
    if (j - t < 6 || s[t + 4] != '/')
        return perr(ps, t, "NEAR needs a distance, as in NEAR/5");
    uint64_t v = 0;
    for (size_t k = t + 5; k < j; k++) {
        if (s[k] < '0' || s[k] > '9') {
            char q[IG_MAX_QUOTE_BYTES * 4 + 8];
            return perr(ps, t, "bad NEAR distance \"%s\"",
                        ig_quote(q, sizeof q, s + t + 5, j - t - 5));
        }
        v = v * 10 + (uint64_t)(s[k] - '0');
        if (v > IG_MAX_DOC_TOKENS)
            return perr(ps, t, "NEAR distance larger than %u", (unsigned)IG_MAX_DOC_TOKENS);
    }
    *dist = (uint32_t)v;
    return IG_OK;
}

static int parse_pattern(parser *ps)
{
    size_t left, nears = 0;
    skip_ws(ps);
    if (ps->i >= ps->n)
        return perr(ps, 0, "empty pattern");
    int rc = parse_unit(ps, &left);
    if (rc)
        return rc;
    for (;;) {
        skip_ws(ps);
        if (ps->i >= ps->n)
            break;
        size_t t = ps->i, j = item_end(ps, t);
        if (!is_near(ps->s + t, j - t)) {
            if (j - t >= 5 && strncasecmp(ps->s + t, "near/", 5) == 0)
                return perr(ps, t, "NEAR must be upper case");
            return perr(ps, t, "two patterns side by side: quote them for a phrase or "
                               "join them with NEAR/n");
        }
        uint32_t dist = 0;
        rc = parse_near_op(ps, j, &dist);
        if (rc)
            return rc;
        if (++nears > IG_MAX_PATTERN_DEPTH)
            return perr(ps, t, "more than %d NEAR operators", IG_MAX_PATTERN_DEPTH);
        ps->i = j;
        skip_ws(ps);
        if (ps->i >= ps->n || is_near(ps->s + ps->i, item_end(ps, ps->i) - ps->i))
            return perr(ps, t, "missing pattern after NEAR/%u", dist);
        size_t right, node;
        rc = parse_unit(ps, &right);
        if (rc)
            return rc;
        rc = new_node(ps, PN_NEAR, t, &node);
        if (rc)
            return rc;
        ps->p->nodes[node].a = left;
        ps->p->nodes[node].b = right;
        ps->p->nodes[node].dist = dist;
        left = node;
    }
    ps->p->root = left;
    return IG_OK;
}

int pat_compile(pat_pattern **out, const char *text, size_t len, const pat_loc *loc,
                ig_err *e)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.col_val = 1;
    ps.e = e;
    int rc = IG_OK;
    *out = NULL;
    pat_pattern *p = ig_calloc(1, sizeof *p);
    if (p == NULL)
        return ig_err_nomem(e, loc && loc->stage ? loc->stage : "pattern");
    ps.p = p;
    p->text = ig_strndup(text, len);
    if (p->text == NULL) {
        rc = pnomem(&ps);
        goto out;
    }
    p->len = len;
    pat_show(p->shown, sizeof p->shown, text, len);
    if (loc && loc->path) {
        p->stage = ig_strdup(loc->stage ? loc->stage : "pattern");
        p->path = ig_strdup(loc->path);
        if (p->stage == NULL || p->path == NULL) {
            rc = pnomem(&ps);
            goto out;
        }
        p->line = loc->line;
        p->col0 = loc->col ? loc->col : 1;
    }
    ps.s = p->text;
    ps.n = len;
    if (len > IG_MAX_LINE_BYTES) {
        rc = perr(&ps, 0, "pattern longer than %zu bytes", (size_t)IG_MAX_LINE_BYTES);
        goto out;
    }
    ig_utf8_bad bad;
    if (!ig_utf8_check(text, len, &bad)) {
        rc = pat_err(p, e, IG_EDATA, (uint32_t)bad.col, "invalid UTF-8 (%s)", bad.reason);
        goto out;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && !is_ws((char)c)) || c == 0x7F) {
            rc = perr(&ps, i, "control character 0x%02X in pattern", c);
            goto out;
        }
    }
    ps.gctx = pcre2_general_context_create(pat_pcre_alloc, pat_pcre_free, NULL);
    ps.cctx = ps.gctx ? pcre2_compile_context_create(ps.gctx) : NULL;
    if (ps.cctx == NULL) {
        rc = pnomem(&ps);
        goto out;
    }
    pcre2_set_max_pattern_length(ps.cctx, IG_REGEX_MAX_PATTERN);
    pcre2_set_parens_nest_limit(ps.cctx, IG_REGEX_NEST_LIMIT);
    rc = parse_pattern(&ps);
out:
    pcre2_compile_context_free(ps.cctx);
    pcre2_general_context_free(ps.gctx);
    ig_buf_free(&ps.norm);
    if (rc) {
        pat_free(p);
        return rc;
    }
    *out = p;
    return IG_OK;
}

/* ======================================================================
 * Resolving
 * ====================================================================== */

/* A regex already resolved by this resolver: lexicons repeat regexes
 * (/^(governments?|states)$/ beside twenty phrases), and every regex is
 * compiled with the same options, so the same source gives the same terms. */
typedef struct re_done {
    char *src;
    size_t len;
    uint32_t *terms;
    size_t nterms;
} re_done;

struct pat_resolver {
    const idx_reader *r;
    size_t nlangs;
    stem_cache **stem;              /* one per idx_lang() */
    pcre2_general_context *gctx;
    pcre2_match_context *mctx;      /* carries the limits */
    pcre2_match_data *md;
    pcre2_jit_stack *jit;           /* NULL without JIT */
    re_done *done;                  /* regexes resolved so far */
    size_t ndone, capdone;
};

void pat_resolver_close(pat_resolver *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->nlangs; i++)
        stem_close(rs->stem[i]);
    ig_free(rs->stem);
    pcre2_match_data_free(rs->md);
    pcre2_jit_stack_free(rs->jit);
    pcre2_match_context_free(rs->mctx);
    pcre2_general_context_free(rs->gctx);
    for (size_t i = 0; i < rs->ndone; i++) {
        ig_free(rs->done[i].src);
        ig_free(rs->done[i].terms);
    }
    ig_free(rs->done);
    ig_free(rs);
}

int pat_resolver_open(pat_resolver **out, const idx_reader *r, ig_err *e)
{
    int rc = IG_OK;
    *out = NULL;
    pat_resolver *rs = ig_calloc(1, sizeof *rs);
    if (rs == NULL)
        return ig_err_nomem(e, "pattern");
    rs->r = r;
    size_t nl = idx_lang_count(r);
    rs->stem = ig_calloc(nl ? nl : 1, sizeof *rs->stem);
    if (rs->stem == NULL) {
        rc = ig_err_nomem(e, "pattern");
        goto out;
    }
    for (size_t i = 0; i < nl; i++) {
        rc = stem_open(&rs->stem[i], idx_lang(r, i), e);
        if (rc)
            goto out;
        rs->nlangs = i + 1;
    }
    rs->gctx = pcre2_general_context_create(pat_pcre_alloc, pat_pcre_free, NULL);
    rs->mctx = rs->gctx ? pcre2_match_context_create(rs->gctx) : NULL;
    rs->md = rs->gctx ? pcre2_match_data_create(1, rs->gctx) : NULL;
    if (rs->mctx == NULL || rs->md == NULL) {
        rc = ig_err_nomem(e, "pattern");
        goto out;
    }
    pcre2_set_match_limit(rs->mctx, IG_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(rs->mctx, IG_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(rs->mctx, IG_REGEX_HEAP_LIMIT_KIB);
    /* NULL when this PCRE2 has no JIT (or no memory for the stack): JIT
     * code then runs on its small default stack, still bounded. */
    rs->jit = pcre2_jit_stack_create(32 * 1024, (size_t)IG_REGEX_JIT_STACK_KIB * 1024,
                                     rs->gctx);
    if (rs->jit)
        pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit);
out:
    if (rc) {
        pat_resolver_close(rs);
        return rc;
    }
    *out = rs;
    return IG_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_unique_u32(uint32_t *v, size_t *n)
{
    if (*n < 2)
        return;
    int sorted = 1;
    for (size_t i = 1; i < *n && sorted; i++)
        sorted = v[i - 1] < v[i];
    if (sorted)
        return;
    qsort(v, *n, sizeof *v, cmp_u32);
    size_t o = 1;
    for (size_t i = 1; i < *n; i++)
        if (v[i] != v[o - 1])
            v[o++] = v[i];
    *n = o;
}

/* Append term t to a growing id array. */
static int push_term(uint32_t **v, size_t *n, size_t *cap, uint32_t t)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        uint32_t *nv = ig_reallocarray(*v, c, sizeof *nv);
        if (nv == NULL)
            return IG_ENOMEM;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = t;
    return IG_OK;
}

/* The first bytes a term can have to match anchored regex re, in set[]:
 * 1, or 0 when any term may (not anchored, or nothing known).  PCRE2's
 * start bitmap is exact for this (it lists both cases, and the lead bytes
 * of other-case letters such as U+017F for s).  A known first code unit
 * is widened by hand: an ASCII letter to both cases and every non-ASCII
 * lead byte (caseless matching: k is also U+212A); anything else
 * restricts nothing. */
static int regex_first_bytes(const pcre2_code *re, unsigned char set[256])
{
    uint32_t opts = 0, type = 0;
    const uint8_t *bm = NULL;
    if (pcre2_pattern_info(re, PCRE2_INFO_ALLOPTIONS, &opts) != 0 || !(opts & PCRE2_ANCHORED))
        return 0;
    if (pcre2_pattern_info(re, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 && bm != NULL) {
        for (int c = 0; c < 256; c++)
            set[c] = (bm[c / 8] >> (c % 8)) & 1;
        return 1;
    }
    uint32_t fc = 0;
    if (pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 || type != 1 ||
        pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODEUNIT, &fc) != 0 || fc >= 0x80)
        return 0;
    memset(set, 0, 256);
    set[fc] = 1;
    if ((fc | 0x20) >= 'a' && (fc | 0x20) <= 'z') {
        set[fc | 0x20] = set[fc & ~0x20u] = 1;
        memset(set + 0x80, 1, 0x80);
    }
    return 1;
}

/* Whether regex source src[0..len) is plain enough for the second-byte
 * probe of resolve_regex: no escape (so no \b, \K or other assertion) and
 * no "(?" or "(*" (lookaround, options, backtracking verbs).  What is left
 * (literals, classes, groups, alternatives, quantifiers, ^, $, .) only
 * ever looks at the subject forward from the start, so PCRE2_PARTIAL_HARD
 * answers "no match" on a prefix exactly when no longer subject could
 * match (pcre2partial(3): reaching the end of a subject that could go on
 * is always a partial match under PARTIAL_HARD; the optimisations on the
 * last literal and the minimum length are off when matching partially). */
static int regex_plain(const char *src, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\\')
            return 0;
        if (src[i] == '(' && i + 1 < len && (src[i + 1] == '?' || src[i + 1] == '*'))
            return 0;
    }
    return 1;
}

/* The per-term step of resolve_regex: term t against the regex (a
 * surface already met in another language reuses that answer). */
struct rx_walk {
    const char *prev;
    size_t prevlen, cap;
    int prevhit;
};

static int regex_term(pat_pattern *p, pnode *n, pat_resolver *rs, uint32_t t,
                      struct rx_walk *wk, uint32_t **v, size_t *nv, ig_err *e)
{
    size_t len;
    const char *surf = idx_term(rs->r, t, &len);
    /* Terms are (surface, language) pairs sorted by surface: the same
     * surface in several languages is matched once. */
    int hit;
    if (wk->prev && len == wk->prevlen && memcmp(surf, wk->prev, len) == 0) {
        hit = wk->prevhit;
    } else {
        int mr = pcre2_match(n->re, (PCRE2_SPTR)surf, len, 0, 0, rs->md, rs->mctx);
        if (mr >= 0) {
            hit = 1;
        } else if (mr == PCRE2_ERROR_NOMATCH) {
            hit = 0;
        } else {
            char q[IG_MAX_QUOTE_BYTES * 4 + 8];
            ig_quote(q, sizeof q, surf, len);
            const char *what = mr == PCRE2_ERROR_MATCHLIMIT ? "match"
                             : mr == PCRE2_ERROR_DEPTHLIMIT ? "depth"
                             : mr == PCRE2_ERROR_HEAPLIMIT ? "heap"
                             : mr == PCRE2_ERROR_JIT_STACKLIMIT ? "JIT stack" : NULL;
            if (what)
                return pat_err(p, e, IG_ELIMIT, n->col,
                               "regex %s limit exceeded on term \"%s\"", what, q);
            if (mr == PCRE2_ERROR_NOMEMORY)
                return ig_err_nomem(e, "pattern");
            PCRE2_UCHAR msg[256];
            if (pcre2_get_error_message(mr, msg, sizeof msg) < 0)
                snprintf((char *)msg, sizeof msg, "code %d", mr);
            return pat_err(p, e, IG_EDATA, n->col,
                           "regex cannot match term %u \"%s\": %s (damaged index?)", t, q,
                           (const char *)msg);
        }
        wk->prev = surf;
        wk->prevlen = len;
        wk->prevhit = hit;
    }
    if (hit && push_term(v, nv, &wk->cap, t))
        return ig_err_nomem(e, "pattern");
    return IG_OK;
}

/* regex_term for the terms lo..hi-1. */
static int regex_range(pat_pattern *p, pnode *n, pat_resolver *rs, uint32_t lo, uint32_t hi,
                       struct rx_walk *wk, uint32_t **v, size_t *nv, ig_err *e)
{
    int rc = IG_OK;
    for (uint32_t t = lo; t < hi && rc == IG_OK; t++)
        rc = regex_term(p, n, rs, t, wk, v, nv, e);
    return rc;
}

/* From this many terms with one first byte on, resolve_regex looks at
 * their second bytes before matching them one by one. */
#define RX_PROBE_MIN 32

static int resolve_regex(pat_pattern *p, pnode *n, pat_resolver *rs, uint32_t **v,
                         size_t *nv, ig_err *e)
{
    const idx_reader *r = rs->r;
    struct rx_walk wk = { NULL, 0, 0, 0 };
    int rc = IG_OK;
    /* An anchored regex needs only the terms with a possible first byte:
     * one contiguous range of the sorted vocabulary per byte.  Skipped
     * terms cannot match (nor hit a limit: matching fails at once). */
    unsigned char first[256];
    if (!regex_first_bytes(n->re, first))
        return regex_range(p, n, rs, 0, idx_term_count(r), &wk, v, nv, e);
    /* Within a large range, the terms that share their first two ASCII
     * bytes are skipped together when the regex cannot match any
     * subject that starts with those two (a partial match of the pair
     * says "perhaps", no match says "never"; regex_plain).  The terms
     * skipped could neither match nor reach a limit: the probe fails at
     * the same steps as they would.  On the 100 MB bench index, classify
     * with the shipped lexicons matched 370,114 terms against regexes
     * instead of 1,148,939, about 160,000 of them for the one unanchored
     * regex. */
    int probe = regex_plain(n->word, n->wlen);
    for (unsigned byte = 0; byte < 256 && rc == IG_OK; byte++) {
        if (!first[byte])
            continue;
        uint32_t lo, hi;
        char b[2] = { (char)byte, 0 };
        idx_term_prefix(r, b, 1, &lo, &hi);
        if (!probe || byte >= 0x80 || hi - lo < RX_PROBE_MIN) {
            rc = regex_range(p, n, rs, lo, hi, &wk, v, nv, e);
            continue;
        }
        for (uint32_t t = lo; t < hi && rc == IG_OK;) {
            size_t len;
            const char *surf = idx_term(r, t, &len);
            uint32_t end = t + 1; /* the one-byte term, or a term out of order, alone */
            int may_skip = 0;
            if (len >= 2) {
                uint32_t plo, phi;
                b[1] = surf[1];
                idx_term_prefix(r, b, 2, &plo, &phi);
                if (plo == t && phi > t && phi <= hi) {
                    end = phi;
                    may_skip = (unsigned char)b[1] < 0x80;
                }
            }
            if (!may_skip || pcre2_match(n->re, (PCRE2_SPTR)b, 2, 0, PCRE2_PARTIAL_HARD, rs->md,
                                         rs->mctx) != PCRE2_ERROR_NOMATCH)
                rc = regex_range(p, n, rs, t, end, &wk, v, nv, e);
            t = end;
        }
    }
    return rc;
}

static int resolve_atom(pat_pattern *p, pnode *n, pat_resolver *rs, ig_err *e)
{
    const idx_reader *r = rs->r;
    uint32_t *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = IG_OK;
    switch (n->kind) {
    case PN_WORD:
        for (size_t i = 0; i < rs->nlangs && rc == IG_OK; i++) {
            const char *st;
            size_t sl;
            if (stem_word(rs->stem[i], n->word, n->wlen, &st, &sl)) {
                rc = ig_err_nomem(e, "pattern");
                break;
            }
            if (idx_term_by_stem(r, idx_lang(r, i), st, sl, &v, &nv))
                rc = ig_err_nomem(e, "pattern");
        }
        break;
    case PN_EXACT:
    case PN_PREFIX: {
        uint32_t lo, hi;
        idx_term_prefix(r, n->word, n->wlen, &lo, &hi);
        for (uint32_t t = lo; t < hi; t++) {
            if (n->kind == PN_EXACT) {
                size_t len;
                idx_term(r, t, &len);
                /* Sorted by surface: the exact form (shortest) comes first. */
                if (len != n->wlen)
                    break;
            }
            if (push_term(&v, &nv, &cap, t)) {
                rc = ig_err_nomem(e, "pattern");
                break;
            }
        }
        break;
    }
    case PN_REGEX: {
        for (size_t i = 0; i < rs->ndone; i++) {
            const re_done *d = &rs->done[i];
            if (d->len != n->wlen || memcmp(d->src, n->word, n->wlen) != 0)
                continue;
            v = ig_reallocarray(NULL, d->nterms ? d->nterms : 1, sizeof *v);
            if (v == NULL)
                return ig_err_nomem(e, "pattern");
            if (d->nterms)
                memcpy(v, d->terms, d->nterms * sizeof *v);
            n->terms = v;
            n->nterms = d->nterms;
            return IG_OK;
        }
        rc = resolve_regex(p, n, rs, &v, &nv, e);
        if (rc)
            break;
        sort_unique_u32(v, &nv);
        /* Remember it (a copy); without memory, just do not remember. */
        if (rs->ndone == rs->capdone) {
            size_t c = rs->capdone ? rs->capdone * 2 : 8;
            re_done *nd = ig_reallocarray(rs->done, c, sizeof *nd);
            if (nd == NULL)
                break;
            rs->done = nd;
            rs->capdone = c;
        }
        re_done *d = &rs->done[rs->ndone];
        d->src = ig_malloc(n->wlen + 1);
        d->terms = ig_reallocarray(NULL, nv ? nv : 1, sizeof *d->terms);
        if (d->src == NULL || d->terms == NULL) {
            ig_free(d->src);
            ig_free(d->terms);
            break;
        }
        memcpy(d->src, n->word, n->wlen);
        d->src[n->wlen] = '\0';
        d->len = n->wlen;
        if (nv)
            memcpy(d->terms, v, nv * sizeof *v);
        d->nterms = nv;
        rs->ndone++;
        break;
    }
    default:
        break;
    }
    if (rc) {
        ig_free(v);
        return rc;
    }
    sort_unique_u32(v, &nv);
    n->terms = v;
    n->nterms = nv;
    return IG_OK;
}

int pat_resolve(pat_pattern *p, pat_resolver *rs, ig_err *e)
{
    p->r = NULL;
    for (size_t i = 0; i < p->nnodes; i++)
        pnode_clear_terms(&p->nodes[i]);
    for (size_t i = 0; i < p->nnodes; i++) {
        if (!is_atom(&p->nodes[i]))
            continue;
        int rc = resolve_atom(p, &p->nodes[i], rs, e);
        if (rc) {
            for (size_t k = 0; k < p->nnodes; k++)
                pnode_clear_terms(&p->nodes[k]);
            return rc;
        }
    }
    p->r = rs->r;
    return IG_OK;
}

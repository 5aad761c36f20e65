/*
 * classify_ev.c: every byte of evidence.csv: its header, the pieces of the
 * rows that depend on their entries alone encoded once per run (each
 * entry's pole and dimension, weights, lexicon, line and pattern cells,
 * joined with their commas, and the whole middle of a row whose cue counts
 * as itself), and each document's rows, assembled from those pieces, the
 * numbers and the context cells, cut from the text and cleaned, on the
 * worker threads by the writing rules of csv.h (quoting, formula
 * neutralisation, numbers in the C locale).  classify.c only decides which
 * rows exist and copies the finished bytes out in order.
 *
 * Pipeline place: classify.c's scoring phase calls these per document
 * (classify_int.h declares them).  The rules are csv.h's, byte for byte:
 * test_classify reads evidence rows back through ig_csv_next and compares
 * cells with ig_csv_* output.
 */
#include <string.h>

#include "classify_int.h"
#include "csv.h"
#include "index.h"
#include "lexicon.h"

size_t cls_cell_put(char *o, const char *s, size_t n)
{
    /* csv.h: neutralise = + - @ TAB CR LF at the start (FAULTS.md F52);
     * quote for , " CR LF ; TAB (F53). */
    int neutral = n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                            s[0] == '\t' || s[0] == '\r' || s[0] == '\n');
    int quote = neutral;
    for (size_t i = 0; i < n && !quote; i++) {
        char c = s[i];
        quote = c == ',' || c == '"' || c == '\r' || c == '\n' || c == ';' || c == '\t';
    }
    if (!quote) {
        memcpy(o, s, n);
        return n;
    }
    char *p = o;
    *p++ = '"';
    if (neutral)
        *p++ = '\'';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    return (size_t)(p - o);
}

/* White space of the context rule (the run rule). */
enum { CT_WS = 1 };
static const unsigned char ctype[256] = {
    ['\t'] = CT_WS, ['\n'] = CT_WS, ['\v'] = CT_WS, ['\f'] = CT_WS, ['\r'] = CT_WS,
    [' '] = CT_WS,
};

/* Words of 8 bytes, for the scan below: any byte below 14 (TAB, LF, VT,
 * FF, CR and rarer controls), and any , ; or ". */
#define CT_ONES 0x0101010101010101ull
#define CT_HIGH 0x8080808080808080ull
static inline uint64_t ct_less(uint64_t x, unsigned char n)
{
    return (x - CT_ONES * n) & ~x & CT_HIGH;
}
static inline uint64_t ct_has(uint64_t x, unsigned char c)
{
    return ct_less(x ^ (CT_ONES * c), 1);
}

/* The same tests 16 bytes at a time where the CPU has SSE2 (every x86-64),
 * as vectors of 0xFF bytes: below 14 (ct_ctl16 adds "), , or ;. */
#if defined(__SSE2__)
#include <emmintrin.h>
#define CT_SSE2 1
static inline __m128i ct_below14(__m128i x)
{
    return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(13)), x);
}
static inline __m128i ct_ctl16(__m128i x)
{
    return _mm_or_si128(ct_below14(x), _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
}
static inline __m128i ct_sep16(__m128i x)
{
    return _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(',')),
                        _mm_cmpeq_epi8(x, _mm_set1_epi8(';')));
}
#else
#define CT_SSE2 0
#endif

/* Copy s[0..n) to o (not overlapping) in words, the last one overlapping
 * the one before: no call for a cell's few bytes. */
static inline void ct_copy(char *o, const char *s, size_t n)
{
    size_t k = 0;
    uint64_t x;
#if CT_SSE2
    if (n >= 16) {
        for (; k + 16 <= n; k += 16)
            _mm_storeu_si128((__m128i *)(void *)(o + k),
                             _mm_loadu_si128((const __m128i *)(const void *)(s + k)));
        if (k < n)
            _mm_storeu_si128((__m128i *)(void *)(o + n - 16),
                             _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16)));
        return;
    }
#endif
    if (n >= 8) {
        for (; k + 8 <= n; k += 8) {
            memcpy(&x, s + k, 8);
            memcpy(o + k, &x, 8);
        }
        if (k < n) {
            memcpy(&x, s + n - 8, 8);
            memcpy(o + n - 8, &x, 8);
        }
        return;
    }
    for (; k < n; k++)
        o[k] = s[k];
}

/* The general rule on s[i..n) (already trimmed): stretches without a byte
 * below 14 are copied whole; a white-space run holding a TAB, LF, VT, FF or
 * CR (the spaces before it, copied already, taken back) becomes one space.
 * Then the cleaned bytes are quoted if they need it. */
static size_t ctx_cell_slow(char *o, const char *s, size_t i, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    const size_t i0 = i;
    char *p = o;
    while (i < n) {
        size_t k = i;
#if CT_SSE2
        for (; k + 16 <= n; k += 16) {
            unsigned m = (unsigned)_mm_movemask_epi8(
                ct_below14(_mm_loadu_si128((const __m128i *)(const void *)(s + k))));
            if (m) {
                k += (size_t)__builtin_ctz(m);
                goto found;
            }
        }
#endif
        for (; k + 8 <= n; k += 8) {
            uint64_t x;
            memcpy(&x, s + k, 8);
            if (ct_less(x, 14))
                break;
        }
        while (k < n && u[k] >= 14)
            k++;
#if CT_SSE2
    found:
#endif
        ct_copy(p, s + i, k - i);
        p += k - i;
        if (k == n)
            break;
        if (!(ctype[u[k]] & CT_WS)) { /* a control byte below TAB: kept */
            *p++ = s[k];
            i = k + 1;
            continue;
        }
        size_t b = k;
        while (b > i0 && s[b - 1] == ' ')
            b--;
        p -= k - b;
        size_t j = k + 1;
        while (j < n && (ctype[u[j]] & CT_WS))
            j++;
        *p++ = ' ';
        i = j;
    }
    /* Cleaned text holds no TAB, CR or LF, so only , ; " ask for quotes. */
    size_t len = (size_t)(p - o), k = 0, ndq = 0;
    uint64_t spec = 0;
#if CT_SSE2
    __m128i vs = _mm_setzero_si128();
    for (; k + 16 <= len; k += 16) {
        __m128i y = _mm_loadu_si128((const __m128i *)(const void *)(o + k));
        vs = _mm_or_si128(vs, _mm_or_si128(ct_sep16(y), _mm_cmpeq_epi8(y, _mm_set1_epi8('"'))));
    }
    spec = (uint64_t)_mm_movemask_epi8(vs);
#endif
    for (; k + 8 <= len; k += 8) {
        uint64_t x;
        memcpy(&x, o + k, 8);
        spec |= ct_has(x, ',') | ct_has(x, ';') | ct_has(x, '"');
    }
    for (; k < len; k++)
        spec |= o[k] == ',' || o[k] == ';' || o[k] == '"';
    int neutral = len > 0 && (o[0] == '=' || o[0] == '+' || o[0] == '-' || o[0] == '@');
    if (!neutral && !spec)
        return len;
    if (spec)
        for (k = 0; k < len; k++)
            ndq += o[k] == '"';
    /* Quote in place, from the end: "'...", quotes doubled (as csv.h). */
    size_t shift = 1 + (size_t)neutral, total = len + shift + ndq + 1;
    size_t j = len + shift + ndq;
    o[j] = '"';
    if (ndq == 0) /* the common case (a comma): one move, not a byte loop */
        memmove(o + shift, o, len);
    for (size_t q = ndq ? len : 0; q-- > 0;) {
        char c = o[q];
        o[--j] = c;
        if (c == '"')
            o[--j] = '"';
    }
    o[0] = '"';
    if (neutral)
        o[1] = '\'';
    return total;
}

size_t cls_ctx_cell(char *o, const char *s, size_t n, int trim_start, int trim_end)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    if (trim_start)
        while (i < n && (ctype[u[i]] & CT_WS))
            i++;
    if (trim_end)
        while (n > i && (ctype[u[n - 1]] & CT_WS))
            n--;
    /* Most contexts are prose on one line: no byte for the white-space
     * rule and no quote to double, so the cell is the bytes themselves,
     * perhaps inside quotes.  Copy them a word at a time while scanning
     * for the bytes that need the general rule (control bytes below TAB
     * take it too: it copies them); the last word may overlap the one
     * before.  The general rule starts over from s. */
    size_t len = n - i, k = 0;
    const char *src = s + i;
    uint64_t ctl = 0, cs = 0, x;
#if CT_SSE2
    if (len >= 16) {
        __m128i vc = _mm_setzero_si128(), vs = vc, y;
        for (; k + 16 <= len; k += 16) {
            y = _mm_loadu_si128((const __m128i *)(const void *)(src + k));
            _mm_storeu_si128((__m128i *)(void *)(o + k), y);
            vc = _mm_or_si128(vc, ct_ctl16(y));
            vs = _mm_or_si128(vs, ct_sep16(y));
        }
        if (k < len) {
            y = _mm_loadu_si128((const __m128i *)(const void *)(src + len - 16));
            _mm_storeu_si128((__m128i *)(void *)(o + len - 16), y);
            vc = _mm_or_si128(vc, ct_ctl16(y));
            vs = _mm_or_si128(vs, ct_sep16(y));
        }
        ctl = (uint64_t)_mm_movemask_epi8(vc);
        cs = (uint64_t)_mm_movemask_epi8(vs);
    } else
#endif
    if (len >= 8) {
        for (; k + 8 <= len; k += 8) {
            memcpy(&x, src + k, 8);
            memcpy(o + k, &x, 8);
            ctl |= ct_less(x, 14) | ct_has(x, '"');
            cs |= ct_has(x, ',') | ct_has(x, ';');
        }
        if (k < len) {
            memcpy(&x, src + len - 8, 8);
            memcpy(o + len - 8, &x, 8);
            ctl |= ct_less(x, 14) | ct_has(x, '"');
            cs |= ct_has(x, ',') | ct_has(x, ';');
        }
    } else {
        for (; k < len; k++) {
            unsigned char c = (unsigned char)src[k];
            o[k] = (char)c;
            ctl |= c < 14 || c == '"';
            cs |= c == ',' || c == ';';
        }
    }
    if (ctl)
        return ctx_cell_slow(o, s, i, n);
    int neutral = len > 0 && (src[0] == '=' || src[0] == '+' || src[0] == '-' || src[0] == '@');
    if (!neutral && !cs)
        return len;
    size_t shift = 1 + (size_t)neutral;
    ct_copy(o + shift, src, len); /* again, after the quote */
    o[0] = '"';
    if (neutral)
        o[1] = '\'';
    o[shift + len] = '"';
    return shift + len + 1;
}

const char *const cls_ev_header[] = {
    "id", "section", "sentence", "start", "end", "pole", "dimension", "weight", "negated",
    "lexicon", "line", "pattern", "cue_pole", "cue_weight", "merged", "weight_line",
    "negator_line", "negator", "left", "match", "right", NULL
};

/* Append a piece's parts to b, each followed by a comma: s[0..n) as a
 * text cell (ev_cell), as it is (ev_raw), a count, a weight. */
static int ev_cell(ig_buf *b, const char *s, size_t n)
{
    if (ig_buf_reserve(b, CLS_CELL_MAX(n) + 1))
        return IG_ENOMEM;
    b->len += cls_cell_put(b->data + b->len, s, n);
    b->data[b->len++] = ',';
    b->data[b->len] = '\0';
    return IG_OK;
}

static int ev_raw(ig_buf *b, const char *s)
{
    return ig_buf_adds(b, s) || ig_buf_addc(b, ',') ? IG_ENOMEM : IG_OK;
}

static int ev_count(ig_buf *b, uint64_t v)
{
    char tmp[24];
    tmp[ig_fmt_u64(tmp, v)] = '\0';
    return ev_raw(b, tmp);
}

static int ev_weight(ig_buf *b, double v)
{
    char tmp[64];
    ig_fmt_double(tmp, sizeof tmp, v, 6);
    return ev_raw(b, tmp);
}

/* Append the bytes of piece k of entry en (already in b) again. */
static int ev_again(ig_buf *b, const cls_entry *en, int k)
{
    if (ig_buf_reserve(b, en->ev_len[k]))
        return IG_ENOMEM;
    memcpy(b->data + b->len, b->data + en->ev_off[k], en->ev_len[k]);
    b->len += en->ev_len[k];
    b->data[b->len] = '\0';
    return IG_OK;
}

/* Entry en's pieces (classify_int.h, CLS_EV_*) into run->cells. */
static int ev_pieces(cls_run *run, cls_entry *en)
{
    ig_buf *b = &run->cells;
    const char *path = lex_file_path(run->lpos);
    int rc = IG_OK;
    memset(en->ev_len, 0, sizeof en->ev_len);
    for (int k = 0; k < CLS_EV_NPIECES && rc == IG_OK; k++) {
        size_t off = b->len;
        if (en->kind == CLS_CUE) {
            switch (k) {
            case CLS_EV_POLE0:
            case CLS_EV_POLE1: {
                const char *pn = lex_pole_name(k == CLS_EV_POLE1), *dn = lex_dimension_name(en->dim);
                rc = ev_cell(b, pn, strlen(pn)) || ev_cell(b, dn, strlen(dn));
                break;
            }
            case CLS_EV_CUE: {
                const char *pn = lex_pole_name(en->pole);
                rc = ev_cell(b, path, strlen(path)) || ev_count(b, en->line) ||
                     ev_cell(b, en->text, strlen(en->text)) || ev_cell(b, pn, strlen(pn));
                break;
            }
            case CLS_EV_W0:
                rc = ev_weight(b, en->weight) || ev_raw(b, "0");
                break;
            case CLS_EV_W1:
                rc = ev_weight(b, en->weight * run->o.negation_factor) || ev_raw(b, "1");
                break;
            case CLS_EV_CUEW:
                rc = ev_weight(b, en->weight);
                break;
            case CLS_EV_WLINE:
                rc = ev_count(b, en->line);
                break;
            case CLS_EV_ROW:
                break; /* below, from the others */
            default:
                break;
            }
        } else if (en->kind == CLS_NEGATOR && k == CLS_EV_NEG) {
            rc = ev_count(b, en->line) || ev_cell(b, en->text, strlen(en->text));
        }
        en->ev_off[k] = off;
        en->ev_len[k] = (uint32_t)(b->len - off);
    }
    if (rc == IG_OK && en->kind == CLS_CUE) {
        /* the row of a cue that counts as itself: merged 0, no negator */
        size_t off = b->len;
        rc = ev_again(b, en, en->pole == 1 ? CLS_EV_POLE1 : CLS_EV_POLE0) ||
             ev_again(b, en, CLS_EV_W0) || ev_again(b, en, CLS_EV_CUE) ||
             ev_again(b, en, CLS_EV_CUEW) || ev_raw(b, "0") || ev_again(b, en, CLS_EV_WLINE) ||
             ev_raw(b, ",");
        en->ev_off[CLS_EV_ROW] = off;
        en->ev_len[CLS_EV_ROW] = (uint32_t)(b->len - off);
    }
    return rc ? IG_ENOMEM : IG_OK;
}

int cls_ev_cells(cls_run *run)
{
    ig_buf_reset(&run->cells);
    for (size_t p = 0; p < run->nent; p++)
        if (ev_pieces(run, &run->ent[p]))
            return IG_ENOMEM;
    /* the fixed-size copies of the rows read up to CLS_EV_PAD bytes past a
     * piece */
    if (ig_buf_reserve(&run->cells, CLS_EV_PAD))
        return IG_ENOMEM;
    memset(run->cells.data + run->cells.len, 0, CLS_EV_PAD);
    run->cells.len += CLS_EV_PAD;
    run->cells.data[run->cells.len] = '\0';
    return IG_OK;
}

/* Copy n bytes from s to o CLS_EV_PAD at a time (both have the bytes to
 * spare, classify_int.h); returns o + n. */
static inline char *ev_put(char *o, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k += CLS_EV_PAD)
        memcpy(o + k, s + k, CLS_EV_PAD);
    return o + n;
}

static inline char *ev_num(char *o, uint64_t v)
{
    o += ig_fmt_u64(o, v);
    *o++ = ',';
    return o;
}

int cls_ev_rows(const cls_run *run, const char *text, uint32_t doc, const cls_evid *ev,
                size_t nev, ig_buf *b)
{
    const char *id = idx_doc_id(run->r, doc);
    size_t idlen = strlen(id);
    /* The id cell with its comma, encoded once (on the stack when short,
     * copied from the first row otherwise). */
    char idbuf[128 + CLS_EV_PAD] = { 0 };
    int idshort = CLS_CELL_MAX(idlen) + 1 <= 128;
    size_t id_cell = 0, id_off = 0;
    if (idshort) {
        id_cell = cls_cell_put(idbuf, id, idlen);
        idbuf[id_cell++] = ',';
    }
    const char *cells = run->cells.data;
    for (size_t i = 0; i < nev; i++) {
        const cls_evid *v = &ev[i];
        const cls_entry *en = &run->ent[v->entry];
        const cls_entry *we = &run->ent[v->wentry];
        const cls_entry *ng = v->negator != UINT32_MAX ? &run->ent[v->negator] : NULL;
        size_t need = CLS_CELL_MAX(idlen) + 1 + 5 * 21 + en->ev_len[CLS_EV_POLE0] +
                      en->ev_len[CLS_EV_POLE1] + we->ev_len[CLS_EV_W0] +
                      we->ev_len[CLS_EV_W1] + en->ev_len[CLS_EV_CUE] +
                      we->ev_len[CLS_EV_CUEW] + we->ev_len[CLS_EV_WLINE] +
                      (ng ? ng->ev_len[CLS_EV_NEG] : 2) + 2 * (size_t)(v->ctx1 - v->ctx0) + 12 +
                      CLS_EV_PAD;
        if (b->cap - b->len <= need && ig_buf_reserve(b, need))
            return IG_ENOMEM;
        char *o = b->data + b->len;
        if (idshort) {
            o = ev_put(o, idbuf, id_cell);
        } else if (i == 0) {
            id_off = b->len;
            id_cell = cls_cell_put(o, id, idlen);
            o += id_cell;
            *o++ = ',';
            id_cell++;
        } else {
            memcpy(o, b->data + id_off, id_cell);
            o += id_cell;
        }
        o = ev_num(o, v->section);
        o = ev_num(o, v->sentence);
        o = ev_num(o, v->start);
        o = ev_num(o, v->end);
        if (ng == NULL && v->merged == 0 && v->wentry == v->entry && v->pole == en->pole) {
            o = ev_put(o, cells + en->ev_off[CLS_EV_ROW], en->ev_len[CLS_EV_ROW]);
        } else {
            int pk = v->pole == 1 ? CLS_EV_POLE1 : CLS_EV_POLE0, wk = ng ? CLS_EV_W1 : CLS_EV_W0;
            o = ev_put(o, cells + en->ev_off[pk], en->ev_len[pk]);
            o = ev_put(o, cells + we->ev_off[wk], we->ev_len[wk]);
            o = ev_put(o, cells + en->ev_off[CLS_EV_CUE], en->ev_len[CLS_EV_CUE]);
            o = ev_put(o, cells + we->ev_off[CLS_EV_CUEW], we->ev_len[CLS_EV_CUEW]);
            o = ev_num(o, v->merged);
            o = ev_put(o, cells + we->ev_off[CLS_EV_WLINE], we->ev_len[CLS_EV_WLINE]);
            if (ng) {
                o = ev_put(o, cells + ng->ev_off[CLS_EV_NEG], ng->ev_len[CLS_EV_NEG]);
            } else {
                *o++ = ',';
                *o++ = ',';
            }
        }
        /* left, match, right: cleaned and encoded in one go */
        if (run->o.context > 0) {
            o += cls_ctx_cell(o, text + v->ctx0, (size_t)(v->start - v->ctx0), 0, 1);
            *o++ = ',';
            o += cls_ctx_cell(o, text + v->start, (size_t)(v->end - v->start), 0, 0);
            *o++ = ',';
            o += cls_ctx_cell(o, text + v->end, (size_t)(v->ctx1 - v->end), 1, 0);
        } else {
            *o++ = ',';
            *o++ = ',';
        }
        *o++ = '\n';
        b->len = (size_t)(o - b->data);
    }
    if (b->data)
        b->data[b->len] = '\0';
    return IG_OK;
}

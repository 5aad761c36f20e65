/*
 * classify_ev.c: every byte of evidence.csv: its header, the cells every row
 * repeats encoded once per run (entry texts, the lexicon path, pole and
 * dimension names, each entry's weights), and each document's rows with
 * their context cells, cut from the text and cleaned, made on the worker
 * threads by the writing rules of csv.h (quoting, formula neutralisation,
 * numbers in the C locale).  classify.c only decides which rows exist and
 * copies the finished bytes out in order.
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

size_t cls_u64_put(char *o, uint64_t v)
{
    /* The digits end at tmp + 20; 20 bytes are copied from the first one
     * (a fixed size: no call), the ones past the digits are left over. */
    char tmp[40] = { 0 }, *p = ig_fmt_u64_end(tmp + 20, v);
    memcpy(o, p, 20);
    return (size_t)(tmp + 20 - p);
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
        for (; k + 8 <= n; k += 8) {
            uint64_t x;
            memcpy(&x, s + k, 8);
            if (ct_less(x, 14))
                break;
        }
        while (k < n && u[k] >= 14)
            k++;
        memcpy(p, s + i, k - i);
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
    for (size_t q = len; q-- > 0;) {
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
    memmove(o + shift, o, len);
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

int cls_ev_cells(cls_run *run)
{
    /* The cells every evidence row repeats, encoded once: entry texts, the
     * lexicon's path, then pole and dimension names. */
    ig_buf_reset(&run->cells);
    size_t ncells = run->nent + 1 + LEX_NPOLES + LEX_NDIMENSIONS;
    for (size_t p = 0; p < ncells; p++) {
        size_t q = p - run->nent - 1; /* pole, then dimension (p > nent) */
        const char *t = p < run->nent    ? run->ent[p].text
                        : p == run->nent ? lex_file_path(run->lpos)
                        : q < LEX_NPOLES ? lex_pole_name((int)q)
                                         : lex_dimension_name((int)(q - LEX_NPOLES));
        size_t n = strlen(t);
        if (ig_buf_reserve(&run->cells, CLS_CELL_MAX(n))) {
            return IG_ENOMEM;
        }
        size_t off = run->cells.len;
        run->cells.len += cls_cell_put(run->cells.data + off, t, n);
        uint32_t len = (uint32_t)(run->cells.len - off);
        if (p < run->nent) {
            run->ent[p].cell_off = off;
            run->ent[p].cell_len = len;
        } else if (p == run->nent) {
            run->path_off = off;
            run->path_len = len;
        } else if (q < LEX_NPOLES) {
            run->pole_off[q] = off;
            run->pole_len[q] = len;
        } else {
            run->dim_off[q - LEX_NPOLES] = off;
            run->dim_len[q - LEX_NPOLES] = len;
        }
    }
    /* Each entry's weight cells: a counted cue's weight is its weight
     * entry's, times the negation factor when negated (score_doc). */
    for (size_t p = 0; p < run->nent; p++) {
        cls_entry *en = &run->ent[p];
        for (int neg = 0; neg <= 1; neg++) {
            char tmp[64];
            ig_fmt_double(tmp, sizeof tmp, neg ? en->weight * run->o.negation_factor : en->weight,
                          6);
            size_t n = strlen(tmp);
            if (ig_buf_add(&run->cells, tmp, n)) {
                return IG_ENOMEM;
            }
            *(neg ? &en->wneg_off : &en->w_off) = run->cells.len - n;
            *(neg ? &en->wneg_len : &en->w_len) = (uint32_t)n;
        }
    }
    return IG_OK;
}

int cls_ev_rows(const cls_run *run, const char *text, uint32_t doc, const cls_evid *ev,
                size_t nev, ig_buf *b)
{
    const char *id = idx_doc_id(run->r, doc);
    size_t idlen = strlen(id);
    /* The id cell is encoded once, in the first row; later rows copy it. */
    size_t id_off = b->len, id_cell = 0;
    const char *cells = run->cells.data;
    for (size_t i = 0; i < nev; i++) {
        const cls_evid *v = &ev[i];
        const cls_entry *en = &run->ent[v->entry];
        const cls_entry *ng = v->negator != UINT32_MAX ? &run->ent[v->negator] : NULL;
        size_t need = CLS_CELL_MAX(idlen) + run->pole_len[v->pole] + run->pole_len[en->pole] +
                      run->dim_len[en->dim] + run->path_len + en->cell_len +
                      (ng ? ng->cell_len : 0) + 9 * 20 + 2 * 64 + 24;
        need += CLS_CELL_MAX(v->ctx1 - v->ctx0);
        if (ig_buf_reserve(b, need))
            return IG_ENOMEM;
        char *o = b->data + b->len;
        if (i == 0) {
            id_cell = cls_cell_put(o, id, idlen);
            o += id_cell;
        } else {
            memcpy(o, b->data + id_off, id_cell);
            o += id_cell;
        }
        *o++ = ',';
        o += cls_u64_put(o, v->section);
        *o++ = ',';
        o += cls_u64_put(o, v->sentence);
        *o++ = ',';
        o += cls_u64_put(o, v->start);
        *o++ = ',';
        o += cls_u64_put(o, v->end);
        *o++ = ',';
        memcpy(o, cells + run->pole_off[v->pole], run->pole_len[v->pole]);
        o += run->pole_len[v->pole];
        *o++ = ',';
        memcpy(o, cells + run->dim_off[en->dim], run->dim_len[en->dim]);
        o += run->dim_len[en->dim];
        *o++ = ',';
        const cls_entry *we = &run->ent[v->wentry];
        if (ng) {
            memcpy(o, cells + we->wneg_off, we->wneg_len);
            o += we->wneg_len;
        } else {
            memcpy(o, cells + we->w_off, we->w_len);
            o += we->w_len;
        }
        *o++ = ',';
        *o++ = ng ? '1' : '0';
        *o++ = ',';
        memcpy(o, run->cells.data + run->path_off, run->path_len);
        o += run->path_len;
        *o++ = ',';
        o += cls_u64_put(o, en->line);
        *o++ = ',';
        memcpy(o, run->cells.data + en->cell_off, en->cell_len);
        o += en->cell_len;
        *o++ = ',';
        memcpy(o, cells + run->pole_off[en->pole], run->pole_len[en->pole]);
        o += run->pole_len[en->pole];
        *o++ = ',';
        memcpy(o, cells + we->w_off, we->w_len);
        o += we->w_len;
        *o++ = ',';
        o += cls_u64_put(o, v->merged);
        *o++ = ',';
        o += cls_u64_put(o, run->ent[v->wentry].line);
        *o++ = ',';
        if (ng) {
            o += cls_u64_put(o, ng->line);
            *o++ = ',';
            memcpy(o, run->cells.data + ng->cell_off, ng->cell_len);
            o += ng->cell_len;
        } else {
            *o++ = ',';
        }
        /* left, match, right: cleaned and encoded in one go */
        const char *t = text;
        *o++ = ',';
        if (run->o.context > 0) {
            o += cls_ctx_cell(o, t + v->ctx0, (size_t)(v->start - v->ctx0), 0, 1);
            *o++ = ',';
            o += cls_ctx_cell(o, t + v->start, (size_t)(v->end - v->start), 0, 0);
            *o++ = ',';
            o += cls_ctx_cell(o, t + v->end, (size_t)(v->ctx1 - v->end), 1, 0);
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

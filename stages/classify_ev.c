/*
 * classify_ev.c: the bytes of evidence.csv, made on the worker threads:
 * context cells cut from a document's text and cleaned, and cells encoded by the
 * writing rules of csv.h (quoting, formula neutralisation, numbers in the C
 * locale), so that the calling thread only copies finished rows to the file.
 *
 * Pipeline place: classify.c's scoring phase calls these per document
 * (classify_int.h declares them).  The rules are csv.h's, byte for byte:
 * test_classify reads evidence rows back through ig_csv_next and compares
 * cells with ig_csv_* output.
 */
#include <string.h>

#include "classify_int.h"
#include "csv.h"

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
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        o[i] = tmp[n - 1 - i];
    return n;
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
     * perhaps inside quotes.  Scan a word at a time for the bytes that need
     * the general rule; control bytes below TAB take it too (it copies them). */
    size_t k = i;
    uint64_t ctl = 0, cs = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t x;
        memcpy(&x, s + k, 8);
        ctl |= ct_less(x, 14) | ct_has(x, '"');
        cs |= ct_has(x, ',') | ct_has(x, ';');
    }
    for (; k < n; k++) {
        unsigned char c = u[k];
        ctl |= c < 14 || c == '"';
        cs |= c == ',' || c == ';';
    }
    if (ctl)
        return ctx_cell_slow(o, s, i, n);
    size_t len = n - i;
    int neutral = len > 0 && (s[i] == '=' || s[i] == '+' || s[i] == '-' || s[i] == '@');
    if (!neutral && !cs) {
        memcpy(o, s + i, len);
        return len;
    }
    char *p = o;
    *p++ = '"';
    if (neutral)
        *p++ = '\'';
    memcpy(p, s + i, len);
    p += len;
    *p++ = '"';
    return (size_t)(p - o);
}

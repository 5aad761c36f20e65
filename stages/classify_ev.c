/*
 * classify_ev.c: the bytes of evidence.csv, made on the worker threads:
 * context strings cut from a document's text, and cells encoded by the
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

size_t cls_num_put(cls_numfmt *f, char *o, double v, int prec)
{
    /* A few distinct weights fill most cells: remember the last ones,
     * formatted by csv.h's own ig_fmt_double. */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint64_t h = (bits ^ (bits >> 29) ^ (uint64_t)prec) * 0x9e3779b97f4a7c15ull;
    cls_numslot *sl = &f->slot[h >> 60 & (CLS_NUM_SLOTS - 1)];
    if (!sl->used || sl->bits != bits || sl->prec != prec) {
        char tmp[64];
        ig_fmt_double(tmp, sizeof tmp, v, prec);
        size_t n = strlen(tmp);
        if (n >= sizeof sl->s) { /* cannot happen for weights; stay exact */
            memcpy(o, tmp, n);
            return n;
        }
        memcpy(sl->s, tmp, n);
        sl->len = (unsigned char)n;
        sl->bits = bits;
        sl->prec = prec;
        sl->used = 1;
    }
    memcpy(o, sl->s, sl->len);
    return sl->len;
}

/* The white-space rule of evidence contexts (as kwic's): a run of white
 * space holding a tab, line break, CR, VT or FF becomes one space;
 * trim_start and trim_end drop white space at the ends. */
static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int cls_ctx_clean(ig_buf *arena, const char *s, size_t n, int trim_start, int trim_end,
                  size_t *off, uint32_t *len)
{
    size_t i = 0;
    if (trim_start)
        while (i < n && is_ws(s[i]))
            i++;
    if (trim_end)
        while (n > i && is_ws(s[n - 1]))
            n--;
    *off = arena->len;
    /* The cleaned text is never longer than the original. */
    if (ig_buf_reserve(arena, n - i))
        return IG_ENOMEM;
    char *o = arena->data + arena->len;
    while (i < n) {
        if (!is_ws(s[i])) {
            *o++ = s[i++];
            continue;
        }
        size_t j = i;
        int plain = 1;
        while (j < n && is_ws(s[j])) {
            if (s[j] != ' ')
                plain = 0;
            j++;
        }
        if (plain) {
            memcpy(o, s + i, j - i);
            o += j - i;
        } else {
            *o++ = ' ';
        }
        i = j;
    }
    arena->len = (size_t)(o - arena->data);
    arena->data[arena->len] = '\0';
    *len = (uint32_t)(arena->len - *off);
    return IG_OK;
}

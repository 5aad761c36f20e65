/*
 * csv.c: strict RFC 4180 reader and formula-safe writer (see csv.h).
 */
#include "csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void ig_csv_reader_init(ig_csv_reader *r, const char *data, size_t len,
                        const char *path, const char *stage)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->path = path;
    r->stage = stage;
    r->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

void ig_csv_reader_free(ig_csv_reader *r)
{
    ig_buf_free(&r->field_data);
    ig_free(r->offs);
    ig_free(r->lens);
    ig_free(r->ptrs);
    r->offs = r->lens = NULL;
    r->ptrs = NULL;
    r->cap = r->nfields = 0;
}

static int csv_push_field(ig_csv_reader *r, size_t start)
{
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        size_t *o = ig_reallocarray(r->offs, cap, sizeof *o);
        if (o == NULL)
            return IG_ENOMEM;
        r->offs = o;
        size_t *l = ig_reallocarray(r->lens, cap, sizeof *l);
        if (l == NULL)
            return IG_ENOMEM;
        r->lens = l;
        const char **q = ig_reallocarray(r->ptrs, cap, sizeof *q);
        if (q == NULL)
            return IG_ENOMEM;
        r->ptrs = q;
        r->cap = cap;
    }
    r->offs[r->nfields] = start;
    r->lens[r->nfields] = r->field_data.len - start;
    r->nfields++;
    return ig_buf_addc(&r->field_data, '\0');
}

int ig_csv_next(ig_csv_reader *r, const char ***fields, const size_t **lens,
                size_t *n, ig_err *e)
{
    static const char *stage_default = "csv";
    const char *stage = r->stage ? r->stage : stage_default;
    const char *d = r->data;
    size_t p = r->pos;
    *n = 0;
    /* End of input, or only a trailing blank line left. */
    if (p >= r->len)
        return 0;
    if ((d[p] == '\n' && p + 1 == r->len) ||
        (d[p] == '\r' && p + 2 == r->len && d[p + 1] == '\n'))
        return 0;
    ig_buf_reset(&r->field_data);
    r->nfields = 0;
    r->rec_line = r->line;
    size_t line_start = p; /* for column numbers */
    for (;;) {
        size_t start = r->field_data.len;
        if (p < r->len && d[p] == '"') {
            uint64_t qline = r->line;
            size_t qcol = p - line_start + 1;
            p++;
            for (;;) {
                if (p >= r->len)
                    return ig_err_set(e, IG_EDATA, stage, r->path, qline, qcol,
                                      IG_ERR_NOPOS, "unterminated quoted field");
                char c = d[p];
                if (c == '\0')
                    return ig_err_set(e, IG_EDATA, stage, r->path, r->line,
                                      p - line_start + 1, p, "NUL byte in CSV");
                if (c == '"') {
                    if (p + 1 < r->len && d[p + 1] == '"') {
                        if (ig_buf_addc(&r->field_data, '"'))
                            return ig_err_nomem(e, stage);
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (c == '\n') {
                    r->line++;
                    line_start = p + 1;
                }
                /* The run of bytes up to the next one that needs a look
                 * goes in whole: a byte at a time was most of reading a
                 * large manifest. */
                size_t q = p + 1;
                while (q < r->len && d[q] != '"' && d[q] != '\n' && d[q] != '\0')
                    q++;
                if (ig_buf_add(&r->field_data, d + p, q - p))
                    return ig_err_nomem(e, stage);
                p = q;
            }
            if (p < r->len && d[p] != ',' && d[p] != '\n' &&
                !(d[p] == '\r' && p + 1 < r->len && d[p + 1] == '\n') &&
                !(d[p] == '\r' && p + 1 == r->len))
                return ig_err_set(e, IG_EDATA, stage, r->path, r->line,
                                  p - line_start + 1, IG_ERR_NOPOS,
                                  "unexpected text after closing quote");
        } else {
            size_t q = p;
            while (q < r->len && d[q] != ',' && d[q] != '\n' && d[q] != '\r') {
                if (d[q] == '"')
                    return ig_err_set(e, IG_EDATA, stage, r->path, r->line,
                                      q - line_start + 1, IG_ERR_NOPOS,
                                      "quote inside an unquoted field");
                if (d[q] == '\0')
                    return ig_err_set(e, IG_EDATA, stage, r->path, r->line,
                                      q - line_start + 1, q, "NUL byte in CSV");
                q++;
            }
            /* (the whole field in one copy) */
            if (ig_buf_add(&r->field_data, d + p, q - p))
                return ig_err_nomem(e, stage);
            p = q;
            if (p < r->len && d[p] == '\r' && !(p + 1 >= r->len || d[p + 1] == '\n'))
                return ig_err_set(e, IG_EDATA, stage, r->path, r->line,
                                  p - line_start + 1, IG_ERR_NOPOS,
                                  "bare carriage return in an unquoted field");
        }
        if (csv_push_field(r, start))
            return ig_err_nomem(e, stage);
        if (p < r->len && d[p] == ',') {
            p++;
            continue;
        }
        if (p < r->len && d[p] == '\r')
            p++;
        if (p < r->len && d[p] == '\n') {
            p++;
            r->line++;
        }
        break;
    }
    r->pos = p;
    /* Hand out pointers into field_data, now that it no longer moves. */
    for (size_t i = 0; i < r->nfields; i++)
        r->ptrs[i] = r->field_data.data + r->offs[i];
    *fields = r->ptrs;
    *lens = r->lens;
    *n = r->nfields;
    return 1;
}

int ig_csv_writer_init(ig_csv_writer *w, ig_out *o, int excel)
{
    w->out = o;
    w->buf = NULL;
    w->col = 0;
    w->failed = 0;
    return excel ? ig_out_write(o, "\xEF\xBB\xBF", 3) : IG_OK;
}

void ig_csv_writer_init_buf(ig_csv_writer *w, ig_buf *b)
{
    w->out = NULL;
    w->buf = b;
    w->col = 0;
    w->failed = 0;
}

/* Bytes to the writer's destination. */
static int csv_put(ig_csv_writer *w, const void *p, size_t n)
{
    if (w->out != NULL)
        return ig_out_write(w->out, p, n);
    if (!w->failed && ig_buf_add(w->buf, p, n) != IG_OK)
        w->failed = 1;
    return w->failed ? IG_ENOMEM : IG_OK;
}

static int csv_sep(ig_csv_writer *w)
{
    return w->col++ ? csv_put(w, ",", 1) : IG_OK;
}

/* A cell that needs no quoting: its separator and bytes.  Rows made in
 * memory take them in one step when the buffer has room (tables of a
 * million cells spent more in the two appends a cell than in formatting
 * it). */
static inline int csv_cell(ig_csv_writer *w, const char *p, size_t n)
{
    ig_buf *b = w->buf;
    if (w->out == NULL && !w->failed && b->cap - b->len > n + 1) {
        char *o = b->data + b->len;
        *o = ',';
        o += w->col++ != 0;
        memcpy(o, p, n);
        o[n] = '\0';
        b->len = (size_t)(o + n - b->data);
        return IG_OK;
    }
    int rc = csv_sep(w);
    return rc ? rc : csv_put(w, p, n);
}

int ig_csv_text(ig_csv_writer *w, const char *s, size_t n)
{
    /* FAULTS.md F52 lists LF with OWASP's = + - @ TAB CR: a cell may begin
     * with a line break inside its quotes, and some importers strip it. */
    int neutral = n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                            s[0] == '\t' || s[0] == '\r' || s[0] == '\n');
    int quote = neutral;
    /* ';' and TAB are quoted too although RFC 4180 does not need it:
     * spreadsheets in locales whose list separator is ';' (German Excel)
     * or that sniff TABs would otherwise split "a;=1+2" into a second cell
     * that starts with '=' (F53). */
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n' || s[i] == ';' ||
            s[i] == '\t')
            quote = 1;
    if (!quote)
        return csv_cell(w, s, n);
    int rc = csv_sep(w);
    if (rc)
        return rc;
    csv_put(w, neutral ? "\"'" : "\"", neutral ? 2 : 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            csv_put(w, s + run, i + 1 - run);
            csv_put(w, "\"", 1);
            run = i + 1;
        }
    }
    csv_put(w, s + run, n - run);
    return csv_put(w, "\"", 1);
}

int ig_csv_str(ig_csv_writer *w, const char *s)
{
    return ig_csv_text(w, s ? s : "", s ? strlen(s) : 0);
}

/* "00" .. "99": two digits a division. */
static const char digit_pairs[201] = "000102030405060708091011121314151617181920212223242526272829"
                                     "303132333435363738394041424344454647484950515253545556575859"
                                     "606162636465666768697071727374757677787980818283848586878889"
                                     "90919293949596979899";

size_t ig_fmt_u64(char *o, uint64_t v)
{
    static const uint64_t pow10[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
        100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
        10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
        100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull
    };
    if (v < 10) {
        *o = (char)('0' + v);
        return 1;
    }
    /* The digit count from the bit length (log10(2) ~ 1233 / 4096),
     * corrected by one comparison; then the digits from the end. */
    unsigned t = (unsigned)(64 - __builtin_clzll(v)) * 1233u >> 12;
    size_t n = t + (v >= pow10[t]);
    ig_fmt_u64_end(o + n, v);
    return n;
}

char *ig_fmt_u64_end(char *end, uint64_t v)
{
    while (v >= 100) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

int ig_csv_u64(ig_csv_writer *w, uint64_t v)
{
    char tmp[24], *p = ig_fmt_u64_end(tmp + sizeof tmp, v);
    return csv_cell(w, p, (size_t)(tmp + sizeof tmp - p));
}

int ig_csv_i64(ig_csv_writer *w, int64_t v)
{
    /* the magnitude as unsigned: -INT64_MIN does not fit int64_t */
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char tmp[24], *p = ig_fmt_u64_end(tmp + sizeof tmp, m);
    if (v < 0)
        *--p = '-';
    return csv_cell(w, p, (size_t)(tmp + sizeof tmp - p));
}

static const unsigned long long pow10_u64[16] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
    10000000000000ull, 100000000000000ull, 1000000000000000ull
};

/* The parts of finite v to prec (0..15) decimals: integer part *ip, the
 * fraction scaled to an integer *fp, the sign.  printf's radix character
 * follows LC_NUMERIC, so the number is built from these parts and no locale
 * can change a byte of it.  The fraction is split off exactly (v - floor(v)
 * is exact in binary), so the requested decimals are kept at any magnitude:
 * scaling the whole value instead overflowed 64 bits near 9e18 / 10^prec,
 * where the decimals used to be dropped. */
static int fixed_parts(double v, int prec, double *ip, unsigned long long *fp)
{
    unsigned long long scale = pow10_u64[prec];
    double a = fabs(v);
    *ip = floor(a);
    /* frac * scale < 10^15 < 2^53: exact enough to round to an integer. */
    *fp = (unsigned long long)llround((a - *ip) * (double)scale);
    if (*fp >= scale) {
        *ip += 1;
        *fp -= scale;
    }
    return v < 0 && (*ip != 0 || *fp != 0); /* no "-0.000" */
}

/* Finite v with prec (0..15) decimals, its digits ending at end; the
 * start, or NULL when the integer part does not fit 64 bits.  By hand
 * (the integer part is an integer-valued double, so the conversion is
 * exact and "%.0f" would print exactly these digits): printf was most of
 * the time of writing positions.csv. */
static char *fmt_fixed_end(char *end, double v, int prec)
{
    double ip;
    unsigned long long fp;
    int neg = fixed_parts(v, prec, &ip, &fp);
    if (!(ip < 18446744073709551616.0))
        return NULL;
    char *p = end;
    int i = prec;
    for (; i >= 2; i -= 2) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * (fp % 100), 2);
        fp /= 100;
    }
    if (i)
        *--p = (char)('0' + fp);
    if (prec > 0)
        *--p = '.';
    p = ig_fmt_u64_end(p, (unsigned long long)ip);
    if (neg)
        *--p = '-';
    return p;
}

char *ig_fmt_double(char *buf, size_t n, double v, int prec)
{
    if (!isfinite(v)) {
        if (n > 0) /* snprintf(buf, n, "%s", ""), without printf */
            buf[0] = '\0';
        return buf;
    }
    prec = prec < 0 ? 0 : prec > 15 ? 15 : prec;
    char tmp[48], *p = fmt_fixed_end(tmp + sizeof tmp, v, prec);
    size_t len = p ? (size_t)(tmp + sizeof tmp - p) : 0;
    if (p && len < n) {
        memcpy(buf, p, len);
        buf[len] = '\0';
        return buf;
    }
    /* The integer part past 64 bits, or too small a buffer: snprintf. */
    double ip;
    unsigned long long fp;
    int neg = fixed_parts(v, prec, &ip, &fp);
    if (prec == 0)
        snprintf(buf, n, "%s%.0f", neg ? "-" : "", ip);
    else
        snprintf(buf, n, "%s%.0f.%0*llu", neg ? "-" : "", ip, prec, fp);
    return buf;
}

int ig_csv_double(ig_csv_writer *w, double v, int prec)
{
    if (isfinite(v) && prec >= 0 && prec <= 15) {
        char tmp[48], *p = fmt_fixed_end(tmp + sizeof tmp, v, prec);
        if (p)
            return csv_cell(w, p, (size_t)(tmp + sizeof tmp - p));
    }
    char tmp[64];
    ig_fmt_double(tmp, sizeof tmp, v, prec);
    return csv_cell(w, tmp, strlen(tmp));
}

int ig_csv_empty(ig_csv_writer *w)
{
    return csv_cell(w, "", 0);
}

int ig_csv_endrow(ig_csv_writer *w)
{
    w->col = 0;
    return csv_put(w, "\n", 1);
}

int ig_csv_header(ig_csv_writer *w, const char *const *names)
{
    for (; *names; names++)
        ig_csv_str(w, *names);
    return ig_csv_endrow(w);
}

int ig_parse_double(const char *s, size_t n, double *out)
{
    /* Hand parser: digits, one '.', optional exponent.  strtod would follow
     * LC_NUMERIC and accept "nan", "inf" and hex floats (F38).  The digits
     * are gathered as one integer and scaled once by 10^(exponent -
     * decimals): with at most 15-16 digits and |scale| <= 22 both factors
     * are exact and the single multiplication or division is correctly
     * rounded, so the result equals strtod's (scaling twice, as an earlier
     * version did, turned "1.5e-5" into a neighbouring double). */
    size_t i = 0;
    int neg = 0, digits = 0, frac = 0;
    double mant = 0; /* all digits as an integer: exact up to 2^53 */
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        mant = mant * 10 + (s[i++] - '0');
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            mant = mant * 10 + (s[i++] - '0');
            digits++;
            frac++;
        }
    }
    if (digits == 0)
        return -1;
    int ex = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0, ed = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        while (i < n && s[i] >= '0' && s[i] <= '9' && ex < 100000) {
            ex = ex * 10 + (s[i++] - '0');
            ed++;
        }
        if (ed == 0)
            return -1;
        if (eneg)
            ex = -ex;
    }
    if (i != n)
        return -1;
    long p10 = (long)ex - frac;
    double v = mant;
    if (mant != 0 && p10 != 0) {
        if (p10 > 0) {
            v = p10 > 400 ? HUGE_VAL : mant * pow(10, (double)p10);
        } else {
            /* Divide in two steps below 1e-300 so subnormal-range values
             * are not lost to an infinite divisor. */
            long q = -p10;
            if (q > 300) {
                v /= 1e300;
                q -= 300;
            }
            v = q > 400 ? 0 : v / pow(10, (double)q);
        }
    }
    /* Out of range either way (overflow to infinity, or a nonzero number
     * underflowing to zero) is rejected, not rounded. */
    if (!isfinite(v) || (v == 0 && mant != 0))
        return -1;
    *out = neg ? -v : v;
    return 0;
}

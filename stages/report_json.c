/*
 * report_json.c: the JSON of the report stage.  A strict reader for
 * provenance.json and classify's positions_provenance.json, a writer with
 * sorted keys (so provenance.json does not depend on the order facts were
 * gathered in), and the tree builder provenance.c fills.  report.h specifies
 * the accepted language; report_int.h the builder.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"
#include "report.h"
#include "report_int.h"

struct rep_json {
    int type;             /* enum rep_json_type */
    int oom;              /* builder: an allocation below this node failed */
    char *text;           /* string value or number text (NUL-terminated) */
    size_t len;           /* its length */
    size_t n, cap;        /* items or members */
    rep_json **items;     /* values */
    char **keys;          /* member names (objects only) */
    size_t *klens;        /* their lengths */
};

/* ======================================================================
 * UTF-8
 * ====================================================================== */

size_t rep_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* ======================================================================
 * Tree
 * ====================================================================== */

void rep_json_free(rep_json *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        rep_json_free(v->items[i]);
        if (v->keys)
            ig_free(v->keys[i]);
    }
    ig_free(v->items);
    ig_free(v->keys);
    ig_free(v->klens);
    ig_free(v->text);
    ig_free(v);
}

int rep_json_type(const rep_json *v)
{
    return v ? v->type : REP_JSON_NULL;
}

const char *rep_json_text(const rep_json *v, size_t *n)
{
    if (v == NULL || (v->type != REP_JSON_STRING && v->type != REP_JSON_NUMBER))
        return NULL;
    if (n)
        *n = v->len;
    return v->text;
}

size_t rep_json_size(const rep_json *v)
{
    return v && (v->type == REP_JSON_ARRAY || v->type == REP_JSON_OBJECT) ? v->n : 0;
}

const rep_json *rep_json_at(const rep_json *v, size_t i)
{
    return i < rep_json_size(v) ? v->items[i] : NULL;
}

const char *rep_json_key(const rep_json *v, size_t i)
{
    return v && v->type == REP_JSON_OBJECT && i < v->n ? v->keys[i] : NULL;
}

const rep_json *rep_json_get(const rep_json *v, const char *key)
{
    if (v == NULL || v->type != REP_JSON_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < v->n; i++)
        if (v->klens[i] == kl && memcmp(v->keys[i], key, kl) == 0)
            return v->items[i];
    return NULL;
}

static rep_json *node_new(int type)
{
    rep_json *v = ig_calloc(1, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

/* Append child (owned from now on) under key[0..kl) (key NULL for arrays).
 * On failure the child is freed and -1 returned. */
static int node_append(rep_json *parent, const char *key, size_t kl, rep_json *child)
{
    if (parent->n == parent->cap) {
        size_t nc = parent->cap ? parent->cap * 2 : 4;
        rep_json **it = ig_reallocarray(parent->items, nc, sizeof *it);
        if (it == NULL)
            goto fail;
        parent->items = it;
        if (parent->type == REP_JSON_OBJECT) {
            char **k = ig_reallocarray(parent->keys, nc, sizeof *k);
            if (k == NULL)
                goto fail;
            parent->keys = k;
            size_t *kn = ig_reallocarray(parent->klens, nc, sizeof *kn);
            if (kn == NULL)
                goto fail;
            parent->klens = kn;
        }
        parent->cap = nc;
    }
    if (parent->type == REP_JSON_OBJECT) {
        char *k = ig_strndup(key ? key : "", key ? kl : 0);
        if (k == NULL)
            goto fail;
        parent->keys[parent->n] = k;
        parent->klens[parent->n] = key ? kl : 0;
    }
    parent->items[parent->n++] = child;
    return 0;
fail:
    rep_json_free(child);
    return -1;
}

/* ======================================================================
 * Builder
 * ====================================================================== */

static rep_json *jb_attach(rep_json *parent, const char *key, rep_json *child)
{
    if (parent == NULL) {
        rep_json_free(child);
        return NULL;
    }
    if (child == NULL) {
        parent->oom = 1;
        return NULL;
    }
    if (node_append(parent, key, key ? strlen(key) : 0, child) != 0) {
        parent->oom = 1;
        return NULL;
    }
    return child;
}

rep_json *rep_jb_new(int type)
{
    return node_new(type);
}

rep_json *rep_jb_add(rep_json *parent, const char *key, int type)
{
    if (parent == NULL)
        return NULL;
    return jb_attach(parent, key, node_new(type));
}

static rep_json *text_node(int type, const char *s, size_t n)
{
    rep_json *v = node_new(type);
    if (v == NULL)
        return NULL;
    v->text = ig_strndup(s, n);
    if (v->text == NULL) {
        ig_free(v);
        return NULL;
    }
    v->len = n;
    return v;
}

rep_json *rep_jb_strn(rep_json *parent, const char *key, const char *s, size_t n)
{
    if (parent == NULL)
        return NULL;
    return jb_attach(parent, key, text_node(REP_JSON_STRING, s, n));
}

rep_json *rep_jb_str(rep_json *parent, const char *key, const char *s)
{
    if (s == NULL)
        return rep_jb_add(parent, key, REP_JSON_NULL);
    return rep_jb_strn(parent, key, s, strlen(s));
}

rep_json *rep_jb_num(rep_json *parent, const char *key, const char *text)
{
    if (parent == NULL)
        return NULL;
    return jb_attach(parent, key, text_node(REP_JSON_NUMBER, text, strlen(text)));
}

rep_json *rep_jb_u64(rep_json *parent, const char *key, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    return rep_jb_num(parent, key, t);
}

rep_json *rep_jb_dbl(rep_json *parent, const char *key, double v, int prec)
{
    if (!isfinite(v))
        return rep_jb_add(parent, key, REP_JSON_NULL);
    char t[64];
    ig_fmt_double(t, sizeof t, v, prec);
    /* 0.200000 -> 0.2, 3.000000 -> 3 */
    char *dot = strchr(t, '.');
    if (dot) {
        size_t l = strlen(t);
        while (l > 0 && t[l - 1] == '0')
            t[--l] = '\0';
        if (l > 0 && t[l - 1] == '.')
            t[--l] = '\0';
    }
    if (strcmp(t, "-0") == 0)
        strcpy(t, "0");
    return rep_jb_num(parent, key, t);
}

rep_json *rep_jb_bool(rep_json *parent, const char *key, int v)
{
    return rep_jb_add(parent, key, v ? REP_JSON_TRUE : REP_JSON_FALSE);
}

rep_json *rep_jb_copy(rep_json *parent, const char *key, const rep_json *src)
{
    if (parent == NULL || src == NULL)
        return NULL;
    rep_json *c;
    if (src->type == REP_JSON_STRING || src->type == REP_JSON_NUMBER)
        c = jb_attach(parent, key, text_node(src->type, src->text, src->len));
    else
        c = rep_jb_add(parent, key, src->type);
    if (c == NULL)
        return NULL;
    for (size_t i = 0; i < src->n; i++)
        rep_jb_copy(c, src->type == REP_JSON_OBJECT ? src->keys[i] : NULL, src->items[i]);
    return c;
}

void rep_jb_fail(rep_json *v)
{
    if (v)
        v->oom = 1;
}

int rep_jb_failed(const rep_json *v)
{
    if (v == NULL)
        return 1;
    if (v->oom)
        return 1;
    for (size_t i = 0; i < v->n; i++)
        if (rep_jb_failed(v->items[i]))
            return 1;
    return 0;
}

/* ======================================================================
 * Reader
 * ====================================================================== */

typedef struct jparse {
    const unsigned char *s;
    size_t n, i;
    const char *path, *stage;
    ig_err *e;
    int depth;
} jparse;

/* A located error at byte offset at: line and column (characters) are
 * counted from the start. */
static int jerr(jparse *p, size_t at, int code, const char *what)
{
    uint64_t line = 1, col = 1;
    for (size_t k = 0; k < at && k < p->n; k++) {
        if (p->s[k] == '\n') {
            line++;
            col = 1;
        } else if ((p->s[k] & 0xC0) != 0x80) {
            col++;
        }
    }
    return ig_err_set(p->e, code, p->stage, p->path, line, col, at, "%s", what);
}

static void skip_ws(jparse *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                           p->s[p->i] == '\r'))
        p->i++;
}

static int hex4(jparse *p, size_t at, uint32_t *out)
{
    if (at + 4 > p->n)
        return -1;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        unsigned char c = p->s[at + k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(ig_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return ig_buf_add(b, u, n);
}

/* A string literal at p->i (the opening quote) into b (reset first). */
static int parse_string(jparse *p, ig_buf *b)
{
    ig_buf_reset(b);
    size_t start = p->i++;
    for (;;) {
        if (p->i >= p->n)
            return jerr(p, start, IG_EDATA, "unterminated string");
        unsigned char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return IG_OK;
        }
        if (c < 0x20)
            return jerr(p, p->i, IG_EDATA, "control character in string (escape it)");
        if (c == '\\') {
            if (p->i + 1 >= p->n)
                return jerr(p, start, IG_EDATA, "unterminated string");
            unsigned char x = p->s[p->i + 1];
            static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
            const char *simple = x ? strchr(esc_in, x) : NULL;
            if (simple) {
                if (ig_buf_addc(b, esc_out[simple - esc_in]))
                    return ig_err_nomem(p->e, p->stage);
                p->i += 2;
                continue;
            }
            if (x != 'u')
                return jerr(p, p->i, IG_EDATA, "bad escape in string");
            uint32_t cp;
            if (hex4(p, p->i + 2, &cp) != 0)
                return jerr(p, p->i, IG_EDATA, "bad \\u escape (four hex digits needed)");
            size_t esc = p->i;
            p->i += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return jerr(p, esc, IG_EDATA, "lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (p->i + 1 >= p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u' ||
                    hex4(p, p->i + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return jerr(p, esc, IG_EDATA, "lone high surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p->i += 6;
            }
            if (put_utf8(b, cp))
                return ig_err_nomem(p->e, p->stage);
            continue;
        }
        size_t l = rep_utf8_len(p->s + p->i, p->n - p->i);
        if (l == 0)
            return jerr(p, p->i, IG_EDATA, "invalid UTF-8 in string");
        if (ig_buf_add(b, p->s + p->i, l))
            return ig_err_nomem(p->e, p->stage);
        p->i += l;
    }
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The extent of a number at p->i, checked against RFC 8259's grammar. */
static int scan_number(jparse *p, size_t *end)
{
    size_t i = p->i;
    if (i < p->n && p->s[i] == '-')
        i++;
    if (i >= p->n || !is_digit(p->s[i]))
        return -1;
    if (p->s[i] == '0') {
        i++;
    } else {
        while (i < p->n && is_digit(p->s[i]))
            i++;
    }
    if (i < p->n && p->s[i] == '.') {
        i++;
        if (i >= p->n || !is_digit(p->s[i]))
            return -1;
        while (i < p->n && is_digit(p->s[i]))
            i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (i >= p->n || !is_digit(p->s[i]))
            return -1;
        while (i < p->n && is_digit(p->s[i]))
            i++;
    }
    *end = i;
    return 0;
}

static int parse_value(jparse *p, rep_json **out, ig_buf *tmp);

static int parse_container(jparse *p, rep_json *v, ig_buf *tmp)
{
    int obj = v->type == REP_JSON_OBJECT;
    char close = obj ? '}' : ']';
    size_t open_at = p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == (unsigned char)close) {
        p->i++;
        return IG_OK;
    }
    for (;;) {
        char *key = NULL;
        size_t kl = 0;
        if (obj) {
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != '"')
                return jerr(p, p->i, IG_EDATA, p->i >= p->n ? "unterminated object"
                                                              : "expected a member name");
            size_t kat = p->i;
            int rc = parse_string(p, tmp);
            if (rc)
                return rc;
            kl = tmp->len;
            for (size_t k = 0; k < v->n; k++)
                if (v->klens[k] == kl && memcmp(v->keys[k], tmp->data, kl) == 0)
                    return jerr(p, kat, IG_EDATA, "duplicate member name");
            key = ig_strndup(tmp->data ? tmp->data : "", kl);
            if (key == NULL)
                return ig_err_nomem(p->e, p->stage);
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                ig_free(key);
                return jerr(p, p->i, IG_EDATA, "expected ':' after the member name");
            }
            p->i++;
        }
        rep_json *child = NULL;
        int rc = parse_value(p, &child, tmp);
        if (rc) {
            ig_free(key);
            return rc;
        }
        rc = node_append(v, key, kl, child);
        ig_free(key);
        if (rc)
            return ig_err_nomem(p->e, p->stage);
        skip_ws(p);
        if (p->i >= p->n)
            return jerr(p, open_at, IG_EDATA, obj ? "unterminated object" : "unterminated array");
        if (p->s[p->i] == ',') {
            p->i++;
            skip_ws(p);
            if (p->i < p->n && p->s[p->i] == (unsigned char)close)
                return jerr(p, p->i, IG_EDATA, "trailing comma");
            continue;
        }
        if (p->s[p->i] == (unsigned char)close) {
            p->i++;
            return IG_OK;
        }
        return jerr(p, p->i, IG_EDATA, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(jparse *p, rep_json **out, ig_buf *tmp)
{
    *out = NULL;
    skip_ws(p);
    if (p->i >= p->n)
        return jerr(p, p->i, IG_EDATA, "expected a value, found the end");
    unsigned char c = p->s[p->i];
    rep_json *v = NULL;
    int rc = IG_OK;
    if (c == '{' || c == '[') {
        if (p->depth >= REP_JSON_DEPTH)
            return jerr(p, p->i, IG_ELIMIT, "nested deeper than REP_JSON_DEPTH (64)");
        v = node_new(c == '{' ? REP_JSON_OBJECT : REP_JSON_ARRAY);
        if (v == NULL)
            return ig_err_nomem(p->e, p->stage);
        p->depth++;
        rc = parse_container(p, v, tmp);
        p->depth--;
    } else if (c == '"') {
        rc = parse_string(p, tmp);
        if (rc == IG_OK) {
            v = text_node(REP_JSON_STRING, tmp->data ? tmp->data : "", tmp->len);
            if (v == NULL)
                rc = ig_err_nomem(p->e, p->stage);
        }
    } else if (c == '-' || is_digit(c)) {
        size_t end;
        if (scan_number(p, &end) != 0)
            return jerr(p, p->i, IG_EDATA, "malformed number");
        v = text_node(REP_JSON_NUMBER, (const char *)p->s + p->i, end - p->i);
        if (v == NULL)
            return ig_err_nomem(p->e, p->stage);
        p->i = end;
    } else {
        static const struct { const char *w; int t; } lit[] = {
            { "true", REP_JSON_TRUE }, { "false", REP_JSON_FALSE }, { "null", REP_JSON_NULL },
        };
        for (size_t k = 0; k < 3; k++) {
            size_t l = strlen(lit[k].w);
            if (p->n - p->i >= l && memcmp(p->s + p->i, lit[k].w, l) == 0) {
                v = node_new(lit[k].t);
                if (v == NULL)
                    return ig_err_nomem(p->e, p->stage);
                p->i += l;
                *out = v;
                return IG_OK;
            }
        }
        return jerr(p, p->i, IG_EDATA, "expected a value");
    }
    if (rc) {
        rep_json_free(v);
        return rc;
    }
    *out = v;
    return IG_OK;
}

int rep_json_parse(rep_json **v, const char *data, size_t len, const char *path,
                   const char *stage, ig_err *e)
{
    *v = NULL;
    jparse p = { (const unsigned char *)data, len, 0, path, stage, e, 0 };
    /* A UTF-8 byte-order mark is not JSON (RFC 8259 8.1), but tolerated. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p.i = 3;
    ig_buf tmp = IG_BUF_INIT;
    rep_json *root = NULL;
    int rc = parse_value(&p, &root, &tmp);
    if (rc == IG_OK) {
        skip_ws(&p);
        if (p.i < p.n)
            rc = jerr(&p, p.i, IG_EDATA, "text after the value");
    }
    ig_buf_free(&tmp);
    if (rc) {
        rep_json_free(root);
        return rc;
    }
    *v = root;
    return IG_OK;
}

/* ======================================================================
 * Writer
 * ====================================================================== */

int rep_json_quote(ig_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = ig_buf_addc(b, '"');
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (rc == IG_OK && i < n) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            rc = ig_buf_add(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
                              : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (named) {
                rc = ig_buf_adds(b, named);
            } else {
                char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                rc = ig_buf_add(b, esc, 6);
            }
            i++;
        } else {
            size_t l = rep_utf8_len(u + i, n - i);
            if (l == 0) {
                rc = ig_buf_adds(b, "\xEF\xBF\xBD"); /* U+FFFD: JSON is UTF-8 only */
                i++;
            } else {
                rc = ig_buf_add(b, u + i, l);
                i += l;
            }
        }
    }
    if (rc == IG_OK)
        rc = ig_buf_addc(b, '"');
    return rc;
}

typedef struct keyref {
    const char *k;
    size_t l;
    size_t i;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    size_t m = x->l < y->l ? x->l : y->l;
    int c = memcmp(x->k, y->k, m);
    if (c)
        return c;
    if (x->l != y->l)
        return x->l < y->l ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int indent_to(ig_buf *b, int indent, int level)
{
    if (indent <= 0)
        return IG_OK;
    int rc = ig_buf_addc(b, '\n');
    for (int k = 0; rc == IG_OK && k < indent * level; k++)
        rc = ig_buf_addc(b, ' ');
    return rc;
}

static int write_value(ig_buf *b, const rep_json *v, int indent, int level)
{
    switch (v->type) {
    case REP_JSON_NULL: return ig_buf_adds(b, "null");
    case REP_JSON_TRUE: return ig_buf_adds(b, "true");
    case REP_JSON_FALSE: return ig_buf_adds(b, "false");
    case REP_JSON_NUMBER: return ig_buf_add(b, v->text, v->len);
    case REP_JSON_STRING: return rep_json_quote(b, v->text, v->len);
    default: break;
    }
    int obj = v->type == REP_JSON_OBJECT;
    if (v->n == 0)
        return ig_buf_adds(b, obj ? "{}" : "[]");
    keyref *order = NULL;
    if (obj) {
        order = ig_reallocarray(NULL, v->n, sizeof *order);
        if (order == NULL)
            return IG_ENOMEM;
        for (size_t i = 0; i < v->n; i++)
            order[i] = (keyref){ v->keys[i], v->klens[i], i };
        qsort(order, v->n, sizeof *order, keyref_cmp);
    }
    int rc = ig_buf_addc(b, obj ? '{' : '[');
    for (size_t k = 0; rc == IG_OK && k < v->n; k++) {
        size_t i = obj ? order[k].i : k;
        if (k)
            rc = ig_buf_adds(b, indent > 0 ? "," : ", ");
        if (rc == IG_OK)
            rc = indent_to(b, indent, level + 1);
        if (rc == IG_OK && obj) {
            rc = rep_json_quote(b, v->keys[i], v->klens[i]);
            if (rc == IG_OK)
                rc = ig_buf_adds(b, ": ");
        }
        if (rc == IG_OK)
            rc = write_value(b, v->items[i], indent, level + 1);
    }
    if (rc == IG_OK)
        rc = indent_to(b, indent, level);
    if (rc == IG_OK)
        rc = ig_buf_addc(b, obj ? '}' : ']');
    ig_free(order);
    return rc;
}

int rep_json_write(ig_buf *b, const rep_json *v, int indent)
{
    int rc = write_value(b, v, indent, 0);
    if (rc == IG_OK && indent > 0)
        rc = ig_buf_addc(b, '\n');
    return rc;
}

/*
 * err.c: the error context (see err.h).  Formatting lives here so every
 * message in igmap has the same shape.
 */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "limits.h"

void ig_err_clear(ig_err *e)
{
    memset(e, 0, sizeof *e);
    e->line = e->col = e->byte = IG_ERR_NOPOS;
}

static int err_vset(ig_err *e, int code, const char *stage, const char *path,
                    uint64_t line, uint64_t col, uint64_t byte,
                    const char *fmt, va_list ap)
{
    if (e == NULL)
        return code;
    if (e->code != IG_OK)
        return e->code;
    e->code = code;
    snprintf(e->stage, sizeof e->stage, "%s", stage ? stage : "");
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    e->line = line;
    e->col = col;
    e->byte = byte;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

int ig_err_set(ig_err *e, int code, const char *stage, const char *path,
               uint64_t line, uint64_t col, uint64_t byte, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_vset(e, code, stage, path, line, col, byte, fmt, ap);
    va_end(ap);
    return rc;
}

int ig_err_data(ig_err *e, const char *stage, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_vset(e, IG_EDATA, stage, path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, fmt, ap);
    va_end(ap);
    return rc;
}

int ig_err_sys(ig_err *e, const char *stage, const char *path, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int first = e != NULL && e->code == IG_OK;
    int rc = err_vset(e, saved == ENOMEM ? IG_ENOMEM : IG_ESYS, stage, path,
                      IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS, fmt, ap);
    va_end(ap);
    if (first)
        e->sys_errno = saved;
    return rc;
}

int ig_err_nomem(ig_err *e, const char *stage)
{
    return ig_err_set(e, IG_ENOMEM, stage, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "out of memory");
}

void ig_err_locate(ig_err *e, const char *path)
{
    if (e == NULL || e->code == IG_OK || e->path[0] != '\0' || path == NULL)
        return;
    snprintf(e->path, sizeof e->path, "%s", path);
}

size_t ig_err_format(const ig_err *e, char *buf, size_t n)
{
    char tmp[2400];
    size_t len = 0;
#define PUT(...) \
    do { \
        int w_ = snprintf(tmp + len, sizeof tmp - len, __VA_ARGS__); \
        if (w_ > 0) \
            len += (size_t)w_ < sizeof tmp - len ? (size_t)w_ : sizeof tmp - len - 1; \
    } while (0)
    PUT("igmap: ");
    if (e->stage[0])
        PUT("%s: ", e->stage);
    if (e->path[0]) {
        PUT("%s", e->path);
        if (e->line != IG_ERR_NOPOS) {
            PUT(":%llu", (unsigned long long)e->line);
            if (e->col != IG_ERR_NOPOS)
                PUT(":%llu", (unsigned long long)e->col);
        }
        PUT(": ");
    }
    PUT("%s", e->msg);
    if (e->byte != IG_ERR_NOPOS)
        PUT(" (byte %llu)", (unsigned long long)e->byte);
    if (e->sys_errno)
        PUT(": %s", strerror(e->sys_errno));
#undef PUT
    if (n > 0) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return len;
}

int ig_err_exit_status(const ig_err *e)
{
    switch (e->code) {
    case IG_OK: return 0;
    case IG_EDATA: case IG_ELIMIT: return 1;
    case IG_EUSAGE: return 2;
    case IG_EINTR: return 128 + (e->signo > 0 ? e->signo : 2);
    default: return 3;
    }
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t quote_utf8_len(const unsigned char *s, size_t n)
{
    size_t need;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) need = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) need = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) need = 4;
    else return 0;
    if (need > n)
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (need == 3 && s[0] == 0xE0 && s[1] < 0xA0) return 0;
    if (need == 3 && s[0] == 0xED && s[1] >= 0xA0) return 0;
    if (need == 4 && s[0] == 0xF0 && s[1] < 0x90) return 0;
    if (need == 4 && s[0] == 0xF4 && s[1] >= 0x90) return 0;
    return need;
}

char *ig_quote(char *dst, size_t n, const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0, i = 0;
    int cut = 0;
    if (len > IG_MAX_QUOTE_BYTES) {
        len = IG_MAX_QUOTE_BYTES;
        cut = 1;
    }
    /* Reserve room for "..." and the terminator. */
    size_t room = n > 4 ? n - 4 : 0;
    while (i < len) {
        char piece[8];
        size_t plen;
        size_t u = s[i] >= 0x80 ? quote_utf8_len(s + i, len - i) : 0;
        if (u > 0) {
            memcpy(piece, s + i, u);
            plen = u;
        } else if (s[i] == '"' || s[i] == '\\') {
            piece[0] = '\\';
            piece[1] = (char)s[i];
            plen = 2;
            u = 1;
        } else if (s[i] >= 0x20 && s[i] < 0x7F) {
            piece[0] = (char)s[i];
            plen = 1;
            u = 1;
        } else {
            snprintf(piece, sizeof piece, "\\x%02X", s[i]);
            plen = 4;
            u = 1;
        }
        if (o + plen >= room) {
            cut = 1;
            break;
        }
        memcpy(dst + o, piece, plen);
        o += plen;
        i += u;
    }
    if (cut && o + 3 < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    if (n > 0)
        dst[o < n ? o : n - 1] = '\0';
    return dst;
}

int ig_msgs_add(ig_msgs *m, const ig_err *e)
{
    size_t cap = m->cap ? m->cap : IG_MAX_LISTED_PROBLEMS;
    if (m->n >= cap) {
        m->dropped++;
        return IG_OK;
    }
    char line[2400];
    ig_err_format(e, line, sizeof line);
    char *copy = ig_strdup(line);
    char **items = ig_reallocarray(m->items, m->n + 1, sizeof *items);
    if (copy == NULL || items == NULL) {
        ig_free(copy);
        if (items != NULL)
            m->items = items;
        return IG_ENOMEM;
    }
    m->items = items;
    m->items[m->n++] = copy;
    return IG_OK;
}

size_t ig_msgs_count(const ig_msgs *m)
{
    return m->n + m->dropped;
}

void ig_msgs_free(ig_msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        ig_free(m->items[i]);
    ig_free(m->items);
    m->items = NULL;
    m->n = m->dropped = 0;
}

/*
 * buf.c: growable byte buffer (see buf.h).
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "err.h"

int ig_buf_reserve(ig_buf *b, size_t extra)
{
    return ig_buf_reserve_max(b, extra, SIZE_MAX);
}

int ig_buf_reserve_max(ig_buf *b, size_t extra, size_t max_cap)
{
    size_t need = ig_size_add(ig_size_add(b->len, extra), 1);
    if (need == SIZE_MAX)
        return IG_ENOMEM;
    if (need <= b->cap)
        return IG_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > max_cap)
        cap = max_cap > need ? max_cap : need;
    char *d = ig_realloc(b->data, cap);
    if (d == NULL)
        return IG_ENOMEM;
    b->data = d;
    b->cap = cap;
    b->data[b->len] = '\0';
    return IG_OK;
}

int ig_buf_add(ig_buf *b, const void *p, size_t n)
{
    if (ig_buf_reserve(b, n) != IG_OK)
        return IG_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return IG_OK;
}

int ig_buf_addc(ig_buf *b, char c)
{
    return ig_buf_add(b, &c, 1);
}

int ig_buf_adds(ig_buf *b, const char *s)
{
    return ig_buf_add(b, s, strlen(s));
}

int ig_buf_addf(ig_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || ig_buf_reserve(b, (size_t)n) != IG_OK)
        return IG_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return IG_OK;
}

int ig_buf_add_varint(ig_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7F;
        v >>= 7;
        tmp[n++] = (unsigned char)(c | (v ? 0x80 : 0));
    } while (v);
    return ig_buf_add(b, tmp, n);
}

int ig_buf_add_u32le(ig_buf *b, uint32_t v)
{
    unsigned char t[4] = { (unsigned char)v, (unsigned char)(v >> 8),
                           (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
    return ig_buf_add(b, t, 4);
}

int ig_buf_add_u64le(ig_buf *b, uint64_t v)
{
    if (ig_buf_add_u32le(b, (uint32_t)v) != IG_OK)
        return IG_ENOMEM;
    if (ig_buf_add_u32le(b, (uint32_t)(v >> 32)) != IG_OK) {
        b->len -= 4;
        b->data[b->len] = '\0';
        return IG_ENOMEM;
    }
    return IG_OK;
}

void ig_buf_reset(ig_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void ig_buf_free(ig_buf *b)
{
    ig_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *ig_buf_detach(ig_buf *b, size_t *len)
{
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

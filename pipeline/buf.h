/*
 * buf.h: a growable byte buffer (after git's strbuf and Redis's sds).
 *
 * Ownership: an ig_buf owns its data; free with ig_buf_free().  A zeroed
 * ig_buf (IG_BUF_INIT) is a valid empty buffer.  data is kept NUL-terminated
 * whenever it is non-NULL, so it can be passed where a C string is expected
 * (the NUL is not counted in len).  Functions that grow the buffer return 0 or
 * IG_ENOMEM and leave the buffer unchanged on failure.
 */
#ifndef IG_BUF_H
#define IG_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ig_buf {
    char *data;  /* bytes, NUL-terminated when non-NULL */
    size_t len;  /* bytes in use */
    size_t cap;  /* bytes allocated (> len when data != NULL) */
} ig_buf;

#define IG_BUF_INIT { NULL, 0, 0 }

/* Make room for `extra` more bytes (plus the NUL).  The capacity doubles,
 * so appending n bytes one piece at a time costs O(n). */
int ig_buf_reserve(ig_buf *b, size_t extra);
/* The same, except that doubling stops at max_cap bytes of capacity (more
 * only when len + extra + 1 itself exceeds it): a buffer filled up to a
 * known limit (a document, IG_MAX_DOC_BYTES) then never holds twice the
 * limit's memory just because it crossed a power of two. */
int ig_buf_reserve_max(ig_buf *b, size_t extra, size_t max_cap);
int ig_buf_add(ig_buf *b, const void *p, size_t n);
int ig_buf_addc(ig_buf *b, char c);
int ig_buf_adds(ig_buf *b, const char *s);
int ig_buf_addf(ig_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append v as a LEB128-style unsigned varint (7 bits per byte, low first,
 * high bit = more); at most 10 bytes. */
int ig_buf_add_varint(ig_buf *b, uint64_t v);
/* Append v little-endian in 4 or 8 bytes. */
int ig_buf_add_u32le(ig_buf *b, uint32_t v);
int ig_buf_add_u64le(ig_buf *b, uint64_t v);
/* Empty the buffer, keeping its memory. */
void ig_buf_reset(ig_buf *b);
void ig_buf_free(ig_buf *b);
/* Hand the data to the caller (free with ig_free) and reset b to empty. */
char *ig_buf_detach(ig_buf *b, size_t *len);

/*
 * Varint decoding from untrusted bytes.  Reads one varint at *p, not past end;
 * on success stores it in *v, advances *p and returns 0.  Returns -1 when the
 * input ends mid-varint, the varint is longer than 10 bytes, or it overflows
 * 64 bits (corruption).
 */
static inline int ig_varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    const unsigned char *s = *p;
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (s >= end)
            return -1;
        unsigned char c = *s++;
        if (shift == 63 && c > 1)
            return -1;
        r |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) {
            *v = r;
            *p = s;
            return 0;
        }
    }
    return -1;
}

static inline uint32_t ig_get_u32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ig_get_u64le(const unsigned char *p)
{
    return (uint64_t)ig_get_u32le(p) | (uint64_t)ig_get_u32le(p + 4) << 32;
}

#endif

/*
 * input.c: one corpus document from disk to checked bytes in memory (see
 * input.h for the guarantees).
 *
 * Pipeline place: between the manifest (which names the files) and the
 * tokeniser (which trusts that what it gets is well-formed UTF-8 without NUL).
 *
 * How it reads: the file is opened non-blocking (so a FIFO named in a manifest
 * cannot hang us before fstat rejects it), read in read_bufsz chunks straight
 * into the caller's buffer, or, for ".gz", fed through zlib's inflate, which
 * we drive ourselves rather than through gzread: gzread passes non-gzip data
 * through, ignores trailing garbage and defers truncation to gzclose
 * (FAULTS.md "Traps").  UTF-8 is validated chunk by chunk while the bytes are
 * still in cache; a sequence cut by a chunk boundary simply pauses the
 * validator until the next chunk, so the result never depends on read_bufsz
 * (F05).  Findings are reported only after the whole file was read, in a
 * fixed order of precedence (the file changed, then container faults, then
 * encoding), so chunking cannot change which error wins either.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "fsutil.h"
#include "limits.h"

#define STAGE "input"
#define INPUT_DEFAULT_BUFSZ ((size_t)65536)
/* zlib counts in uInt; no single read or inflate call is given more. */
#define INPUT_MAX_CHUNK ((size_t)1 << 30)
/* The gzip ratio cap applies once this much has been inflated, so tiny
 * highly-compressible files (a page of spaces) are not flagged. */
#define INPUT_RATIO_GRACE ((uint64_t)1 << 20)

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Why a sequence is not well-formed (or, U8_MORE, not yet known to be). */
enum {
    U8_OK = 0,
    U8_CONT,      /* 80..BF where a character should start */
    U8_OVERLONG,  /* C0, C1; E0 80..9F; F0 80..8F */
    U8_SURROGATE, /* ED A0..BF: U+D800..U+DFFF */
    U8_ABOVE,     /* F4 90..BF; F5..F7: beyond U+10FFFF */
    U8_LEAD,      /* F8..FF: never part of UTF-8 (old 5- and 6-byte forms) */
    U8_TRUNC,     /* a lead byte not followed by enough continuation bytes */
    U8_MORE       /* a valid prefix cut by the end of the bytes at hand */
};

/*
 * Classify the sequence starting at s[0] (n >= 1 bytes available, s[0] >=
 * 0x80).  Returns U8_OK with *len its length, or a reason with *len the
 * length of its maximal subpart: the longest prefix that could start a valid
 * sequence, or 1.  That is the unit Unicode (ch. 3, "U+FFFD substitution of
 * maximal subparts") and the WHATWG decoder replace with one U+FFFD.
 */
static int utf8_classify(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    *len = 1;
    if (c < 0x80)
        return U8_OK;
    if (c < 0xC0)
        return U8_CONT;
    if (c < 0xC2)
        return U8_OVERLONG;
    if (c < 0xE0) {
        need = 2;
    } else if (c < 0xF0) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else if (c < 0xF8) {
        return U8_ABOVE;
    } else {
        return U8_LEAD;
    }
    if (n < 2)
        return U8_MORE;
    unsigned c1 = s[1];
    if (c1 < 0x80 || c1 > 0xBF)
        return U8_TRUNC;
    if (c1 < lo)
        return U8_OVERLONG;
    if (c1 > hi)
        return c == 0xED ? U8_SURROGATE : U8_ABOVE;
    for (size_t k = 2; k < need; k++) {
        if (k >= n) {
            *len = k;
            return U8_MORE;
        }
        if ((s[k] & 0xC0) != 0x80) {
            *len = k;
            return U8_TRUNC;
        }
    }
    *len = need;
    return U8_OK;
}

static void utf8_reason(int why, unsigned char b, char *buf, size_t n)
{
    switch (why) {
    case U8_CONT: snprintf(buf, n, "unexpected continuation byte 0x%02X", b); break;
    case U8_OVERLONG: snprintf(buf, n, "overlong encoding"); break;
    case U8_SURROGATE: snprintf(buf, n, "UTF-16 surrogate"); break;
    case U8_ABOVE: snprintf(buf, n, "code point above U+10FFFF"); break;
    case U8_LEAD: snprintf(buf, n, "invalid lead byte 0x%02X", b); break;
    default: snprintf(buf, n, "truncated sequence"); break;
    }
}

size_t ig_utf8_seqlen(const unsigned char *s, size_t n)
{
    size_t len;
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    return utf8_classify(s, n, &len) == U8_OK ? len : 0;
}

enum { SCAN_NONE = 0, SCAN_BAD, SCAN_NUL };

/* A resumable validator over a growing buffer.  It keeps only an offset, so
 * the buffer may move (realloc) between runs. */
typedef struct utf8_scan {
    size_t pos;         /* next byte to examine */
    int stop_nul;       /* a NUL byte is a finding */
    int replace;        /* count and skip bad sequences instead of stopping */
    int found;          /* SCAN_NONE, or what stopped the scan for good */
    size_t at;          /* offset of that finding */
    int why;            /* U8_* reason when found == SCAN_BAD */
    uint64_t replaced;  /* bad sequences skipped (replace mode) */
} utf8_scan;

#define U8_ONES 0x0101010101010101ULL
#define U8_HIGHS 0x8080808080808080ULL

/*
 * Examine s[sc->pos..n).  With final zero, n is only the end of the bytes so
 * far: a sequence cut at n pauses the scan in front of it until the next call.
 * With final set, n is the end of the text and a cut sequence is truncated.
 *
 * Fast path: 16 bytes at a time while every byte is 01..7F.  A word w has no
 * byte with the high bit set and no zero byte exactly when neither w nor
 * w - 0x0101.. has a high bit set (a zero byte borrows to FF); when NUL is
 * allowed, the subtrahend is 0 and only high bits are tested.
 */
static void utf8_scan_run(utf8_scan *sc, const unsigned char *s, size_t n, int final)
{
    if (sc->found)
        return;
    const uint64_t nulmask = sc->stop_nul ? U8_ONES : 0;
    size_t i = sc->pos;
    while (i < n) {
        while (n - i >= 16) {
            uint64_t a, b;
            memcpy(&a, s + i, 8);
            memcpy(&b, s + i + 8, 8);
            if ((a | (a - nulmask) | b | (b - nulmask)) & U8_HIGHS)
                break;
            i += 16;
        }
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* Jump straight to the first byte that needs a look: the lowest
         * flagged byte is exact, as a borrow only runs upward from a zero. */
        if (n - i >= 8) {
            uint64_t a;
            memcpy(&a, s + i, 8);
            uint64_t m = (a | (a - nulmask)) & U8_HIGHS;
            if (m == 0) {
                i += 8;
                continue;
            }
            i += (size_t)__builtin_ctzll(m) >> 3;
        }
#endif
        if (i >= n)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0 && sc->stop_nul) {
                sc->found = SCAN_NUL;
                sc->at = i;
                break;
            }
            i++;
            continue;
        }
        /* The common well-formed 2- and 3-byte shapes inline (accented
         * Latin, typographic quotes and dashes); the rest classified. */
        if (c >= 0xC2 && c <= 0xDF && n - i >= 2 && (s[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        if (c >= 0xE1 && c <= 0xEF && c != 0xED && n - i >= 3 &&
            (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        size_t len;
        int why = utf8_classify(s + i, n - i, &len);
        if (why == U8_OK) {
            i += len;
            continue;
        }
        if (why == U8_MORE) {
            if (!final)
                break;
            why = U8_TRUNC;
        }
        if (sc->replace) {
            sc->replaced++;
            i += len;
            continue;
        }
        sc->found = SCAN_BAD;
        sc->at = i;
        sc->why = why;
        break;
    }
    sc->pos = i;
}

/* Line and column (1-based; lines end at LF, CRLF or CR; columns count
 * characters, each invalid subpart as one, and not a leading BOM) of byte
 * `at`, which must be at a character boundary.  Only used to word errors. */
static void utf8_locate(const unsigned char *s, size_t at, uint64_t *line, uint64_t *col)
{
    uint64_t ln = 1;
    size_t ls = 0;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '\n') {
            if (i == 0 || s[i - 1] != '\r')
                ln++;
            ls = i + 1;
        } else if (s[i] == '\r') {
            ln++;
            ls = i + 1;
        }
    }
    if (ls == 0 && at >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        ls = 3;
    uint64_t c = 1;
    for (size_t i = ls; i < at; c++) {
        size_t len = 1;
        if (s[i] >= 0x80)
            utf8_classify(s + i, at - i, &len);
        i += len;
    }
    *line = ln;
    *col = c;
}

int ig_utf8_check(const char *s, size_t n, ig_utf8_bad *bad)
{
    utf8_scan sc;
    memset(&sc, 0, sizeof sc);
    const unsigned char *u = (const unsigned char *)s;
    utf8_scan_run(&sc, u, n, 1);
    if (sc.found == SCAN_NONE)
        return 1;
    if (bad != NULL) {
        bad->byte = sc.at;
        utf8_locate(u, sc.at, &bad->line, &bad->col);
        utf8_reason(sc.why, u[sc.at], bad->reason, sizeof bad->reason);
    }
    return 0;
}

/* Rewrite s[0..n) into dst with each maximal invalid subpart replaced by
 * U+FFFD (EF BF BD).  dst must be empty; newlen is the length that results
 * (reserved up front, so the appends below cannot fail). */
static int utf8_repair(const unsigned char *s, size_t n, size_t newlen, ig_buf *dst)
{
    if (ig_buf_reserve(dst, newlen) != IG_OK)
        return IG_ENOMEM;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t len = 1;
        if (s[i] < 0x80 || utf8_classify(s + i, n - i, &len) == U8_OK) {
            i += len;
            continue;
        }
        ig_buf_add(dst, s + run, i - run);
        ig_buf_add(dst, "\xEF\xBF\xBD", 3);
        i += len;
        run = i;
    }
    ig_buf_add(dst, s + run, n - run);
    return IG_OK;
}

/* The UTF-16 hint of F07/F09: from the code unit holding the first NUL, do
 * at least two of the next (up to 16) byte pairs, and three quarters of
 * them, pair an ASCII letter with a zero byte the same way round? */
static int input_looks_utf16(const unsigned char *s, size_t n, size_t nul)
{
    size_t start = nul & ~(size_t)1;
    unsigned pairs = 0, le = 0, be = 0;
    for (size_t i = start; i + 1 < n && pairs < 16; i += 2, pairs++) {
        if (s[i] != 0 && s[i] < 0x80 && s[i + 1] == 0)
            le++;
        else if (s[i] == 0 && s[i + 1] != 0 && s[i + 1] < 0x80)
            be++;
    }
    unsigned best = le > be ? le : be;
    return best >= 2 && best * 4 >= pairs * 3;
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct input_ctx {
    const char *path;   /* for opening and messages */
    int fd;             /* the open file */
    size_t bufsz;       /* chunk size for read() and inflate() output */
    size_t max;         /* most bytes of text accepted */
    ig_buf *out;        /* the caller's buffer, filled here */
    utf8_scan sc;       /* validator, run as chunks arrive */
    uint64_t consumed;  /* bytes read from the file so far */
    ig_err *e;          /* where read-phase errors go (ours, not the caller's) */
} input_ctx;

/* Out of memory while reading c's file: the message names the file and
 * how much of its text was held. */
static int input_nomem(input_ctx *c)
{
    return ig_err_set(c->e, IG_ENOMEM, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "out of memory (after %zu bytes of text)", c->out->len);
}

static int input_too_big(input_ctx *c)
{
    return ig_err_set(c->e, IG_ELIMIT, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "document exceeds limit (more than %zu bytes)", c->max);
}

/* read() that retries on EINTR; 0 at end of file, -1 with errno on error. */
static ssize_t input_read_some(int fd, void *p, size_t n)
{
    if (n > INPUT_MAX_CHUNK)
        n = INPUT_MAX_CHUNK;
    for (;;) {
        ssize_t r = read(fd, p, n);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

static int input_plain(input_ctx *c, uint64_t size)
{
    ig_buf *out = c->out;
    if (size > c->max)
        return input_too_big(c);
    /* One byte beyond the known size, so the read that meets EOF needs no
     * growth (and a file that grew is seen without doubling the buffer). */
    if (ig_buf_reserve(out, (size_t)size + 1) != IG_OK)
        return input_nomem(c);
    for (;;) {
        size_t room = out->cap - out->len - 1;
        if (room == 0) {
            if (ig_buf_reserve(out, c->bufsz) != IG_OK)
                return input_nomem(c);
            room = out->cap - out->len - 1;
        }
        if (room > c->bufsz)
            room = c->bufsz;
        ssize_t r = input_read_some(c->fd, out->data + out->len, room);
        if (r < 0)
            return ig_err_sys(c->e, STAGE, c->path, "read error");
        if (r == 0)
            break;
        out->len += (size_t)r;
        out->data[out->len] = '\0';
        c->consumed += (uint64_t)r;
        if (out->len > c->max)
            return input_too_big(c);
        utf8_scan_run(&c->sc, (const unsigned char *)out->data, out->len, 0);
        /* A short read that brings exactly the size fstat gave is the end:
         * no second read to see 0 (a syscall per document).  Had the file
         * grown, the read would have filled the byte past the size; had
         * it changed, the fstat after reading tells (F26). */
        if ((size_t)r < room && c->consumed == size)
            break;
    }
    return IG_OK;
}

/* zlib allocates through ours, so OOM sweeps reach inside inflate too. */
static voidpf input_zalloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return ig_reallocarray(NULL, items, size);
}

static void input_zfree(voidpf opaque, voidpf p)
{
    (void)opaque;
    ig_free(p);
}

/*
 * Inflate every gzip member of the file into c->out.  Members are recognised
 * by their magic bytes 1F 8B, which we peek at ourselves (across read
 * chunks) before inflate sees them: bytes after a complete member that do not
 * start with the magic are trailing garbage; a first member without it is not
 * gzip at all.
 */
static int input_gzip(input_ctx *c)
{
    ig_buf *out = c->out;
    unsigned char *in = NULL;
    z_stream zs;
    int zinit = 0, rc = IG_OK;
    uint64_t member_start = 0; /* file offset of the current member */
    uint64_t members = 0;      /* members completed */
    unsigned char magic[2] = { 0, 0 };
    int nmagic = 0;            /* bytes of the current member seen: 0, 1, 2 */
    int eof = 0;
    size_t inlen = c->bufsz < INPUT_MAX_CHUNK ? c->bufsz : INPUT_MAX_CHUNK;

    memset(&zs, 0, sizeof zs);
    zs.zalloc = input_zalloc;
    zs.zfree = input_zfree;
    in = ig_malloc(inlen);
    if (in == NULL) {
        rc = input_nomem(c);
        goto out;
    }
    /* 16 + MAX_WBITS: gzip wrapper only, so zlib streams and raw data are
     * never accepted in its place. */
    int zrc = inflateInit2(&zs, 16 + MAX_WBITS);
    if (zrc != Z_OK) {
        rc = zrc == Z_MEM_ERROR ? input_nomem(c)
                                : ig_err_data(c->e, STAGE, c->path, "zlib initialisation failed (%d)", zrc);
        goto out;
    }
    zinit = 1;
    for (;;) {
        if (zs.avail_in == 0 && !eof) {
            ssize_t r = input_read_some(c->fd, in, inlen);
            if (r < 0) {
                rc = ig_err_sys(c->e, STAGE, c->path, "read error");
                goto out;
            }
            if (r == 0) {
                eof = 1;
            } else {
                zs.next_in = in;
                zs.avail_in = (uInt)r;
                c->consumed += (uint64_t)r;
            }
        }
        if (zs.avail_in == 0)
            break;
        uint64_t next_off = c->consumed - zs.avail_in;
        while (nmagic < 2 && member_start + (uint64_t)nmagic < c->consumed) {
            magic[nmagic] = zs.next_in[member_start + (uint64_t)nmagic - next_off];
            nmagic++;
        }
        if (magic[0] != 0x1F || (nmagic == 2 && magic[1] != 0x8B)) {
            if (members == 0)
                rc = ig_err_data(c->e, STAGE, c->path, "not gzip data");
            else
                rc = ig_err_set(c->e, IG_EDATA, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                                member_start, "trailing garbage after gzip data");
            goto out;
        }
        /* Never let inflate produce more than one byte past the limit, so
         * a bomb costs at most max + 1 bytes of memory. */
        size_t room = c->bufsz;
        if (room > INPUT_MAX_CHUNK)
            room = INPUT_MAX_CHUNK;
        if (room > c->max + 1 - out->len)
            room = c->max + 1 - out->len;
        /* max + 2: the byte past the limit that proves it was passed,
         * and the NUL. */
        if (ig_buf_reserve_max(out, room, c->max + 2) != IG_OK) {
            rc = input_nomem(c);
            goto out;
        }
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)room;
        uInt before_in = zs.avail_in;
        zrc = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        out->data[out->len] = '\0';
        uint64_t used = c->consumed - zs.avail_in; /* compressed bytes consumed */
        if (zrc == Z_STREAM_END) {
            members++;
            member_start = used;
            nmagic = 0;
            if (inflateReset(&zs) != Z_OK) {
                rc = ig_err_data(c->e, STAGE, c->path, "zlib reset failed");
                goto out;
            }
        } else if (zrc == Z_MEM_ERROR) {
            rc = input_nomem(c);
            goto out;
        } else if (zrc == Z_DATA_ERROR ||
                   (zrc != Z_OK && zrc != Z_BUF_ERROR) ||
                   (zrc == Z_BUF_ERROR && zs.avail_in == before_in && zs.avail_out == room)) {
            /* The last case cannot happen (input and room were both given);
             * treating it as corruption rules out a silent endless loop. */
            rc = ig_err_set(c->e, IG_EDATA, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS, used,
                            "corrupt gzip data (%s)", zs.msg ? zs.msg : "inflate failed");
            goto out;
        }
        if (out->len > c->max) {
            rc = ig_err_set(c->e, IG_ELIMIT, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "decompressed size exceeds limit (more than %zu bytes)",
                            c->max);
            goto out;
        }
        if (out->len > INPUT_RATIO_GRACE && used > 0 &&
            out->len / used > (uint64_t)IG_MAX_GZIP_RATIO) {
            rc = ig_err_set(c->e, IG_ELIMIT, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS,
                            "decompressed size exceeds limit (ratio above %d:1 after %llu compressed bytes)",
                            (int)IG_MAX_GZIP_RATIO, (unsigned long long)used);
            goto out;
        }
        utf8_scan_run(&c->sc, (const unsigned char *)out->data, out->len, 0);
    }
    /* End of file: between members is the only clean place to stop.  A
     * single byte after a member cannot be a member, so it is garbage. */
    if (members > 0 && nmagic == 1)
        rc = ig_err_set(c->e, IG_EDATA, STAGE, c->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        member_start, "trailing garbage after gzip data");
    else if (nmagic > 0 || members == 0)
        rc = ig_err_data(c->e, STAGE, c->path,
                         "truncated gzip stream (unexpected end after %llu compressed bytes)",
                         (unsigned long long)c->consumed);
out:
    if (zinit)
        inflateEnd(&zs);
    ig_free(in);
    return rc;
}

static const char *input_kind(mode_t m)
{
    if (S_ISDIR(m)) return "directory";
    if (S_ISFIFO(m)) return "FIFO";
    if (S_ISCHR(m)) return "character device";
    if (S_ISBLK(m)) return "block device";
    if (S_ISSOCK(m)) return "socket";
    return "special file";
}

static uint64_t input_mtime_ns(const struct stat *st)
{
    return (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
}

/* Report the first UTF-8, NUL or BOM finding of the finished scan, or, in
 * replace mode, repair the text.  Runs only on a fully read file. */
static int input_finish(input_ctx *c, const ig_input_opts *o, ig_input_info *info)
{
    ig_buf *out = c->out;
    const unsigned char *s = (const unsigned char *)out->data;
    size_t n = out->len;
    uint64_t line, col;
    utf8_scan_run(&c->sc, s, n, 1);
    /* A UTF-16 BOM makes the whole file one long run of "invalid UTF-8" and
     * NULs; name the real problem instead (F08: we do not transcode). */
    if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
        return ig_err_data(c->e, STAGE, c->path, "UTF-16%s BOM detected; convert to UTF-8",
                           s[0] == 0xFF ? "LE" : "BE");
    if (c->sc.found == SCAN_BAD) {
        char why[96];
        utf8_reason(c->sc.why, s[c->sc.at], why, sizeof why);
        utf8_locate(s, c->sc.at, &line, &col);
        return ig_err_set(c->e, IG_EDATA, STAGE, c->path, line, col, c->sc.at,
                          "invalid UTF-8 (%s)", why);
    }
    if (c->sc.found == SCAN_NUL) {
        utf8_locate(s, c->sc.at, &line, &col);
        return ig_err_set(c->e, IG_EDATA, STAGE, c->path, line, col, c->sc.at,
                          "binary data (NUL)%s",
                          input_looks_utf16(s, n, c->sc.at) ? "; looks like UTF-16; convert to UTF-8" : "");
    }
    if (o->on_invalid_replace && c->sc.replaced > 0) {
        /* Each replaced subpart of 1..3 bytes becomes 3; the exact length
         * is known first so the limit holds and the repair never grows. */
        uint64_t grow = 0, newlen = n;
        for (size_t i = 0; i < n;) {
            size_t len = 1;
            if (s[i] >= 0x80 && utf8_classify(s + i, n - i, &len) != U8_OK)
                grow += 3 - len;
            i += len;
        }
        newlen += grow;
        if (newlen > c->max)
            return input_too_big(c);
        ig_buf fixed = IG_BUF_INIT;
        if (utf8_repair(s, n, (size_t)newlen, &fixed) != IG_OK) {
            ig_buf_free(&fixed);
            return input_nomem(c);
        }
        ig_buf_free(out);
        *out = fixed;
        info->replaced = c->sc.replaced;
    }
    if (out->len >= 3 && memcmp(out->data, "\xEF\xBB\xBF", 3) == 0)
        info->bom_bytes = 3;
    info->bytes = out->len;
    return IG_OK;
}

int ig_input_opts_from_env(ig_input_opts *o, ig_err *e)
{
    const char *v = getenv("IGMAP_READ_BUFFER");
    if (v == NULL || *v == '\0')
        return IG_OK;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n < 1 ||
        n > IG_INPUT_MAX_READ_BUFFER) {
        char q[128];
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "IGMAP_READ_BUFFER wants bytes from 1 to %zu, not \"%s\"",
                          IG_INPUT_MAX_READ_BUFFER, ig_quote(q, sizeof q, v, strlen(v)));
    }
    o->read_bufsz = (size_t)n;
    return IG_OK;
}

int ig_input_read(const char *path, const ig_input_opts *opts, ig_buf *out,
                  ig_input_info *info, ig_err *e)
{
    static const ig_input_opts defaults;
    const ig_input_opts *o = opts ? opts : &defaults;
    ig_input_info scratch;
    ig_err le; /* this call's error; copied to e at the end (first error wins there) */
    input_ctx c;
    struct stat st0, st1;
    int rc = IG_OK;

    if (info == NULL)
        info = &scratch;
    memset(info, 0, sizeof *info);
    ig_err_clear(&le);
    ig_buf_reset(out);
    memset(&c, 0, sizeof c);
    c.path = path;
    c.bufsz = o->read_bufsz ? o->read_bufsz : INPUT_DEFAULT_BUFSZ;
    c.max = o->max_bytes ? o->max_bytes : IG_MAX_DOC_BYTES;
    if (c.max > SIZE_MAX / 2) /* keeps max + 1 and the reserve sums exact */
        c.max = SIZE_MAX / 2;
    c.out = out;
    c.e = &le;
    c.sc.stop_nul = !o->allow_nul;
    c.sc.replace = o->on_invalid_replace;

    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer; it changes nothing for the regular files we accept. */
    c.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (c.fd < 0) {
        struct stat ls;
        if (errno == ENXIO && stat(path, &ls) == 0) /* a socket cannot be opened */
            rc = ig_err_data(&le, STAGE, path, "not a regular file (%s)", input_kind(ls.st_mode));
        else
            rc = ig_err_sys(&le, STAGE, path, "cannot open");
        goto out;
    }
    if (fstat(c.fd, &st0) != 0) {
        rc = ig_err_sys(&le, STAGE, path, "cannot stat");
        goto out;
    }
    if (!S_ISREG(st0.st_mode)) {
        rc = ig_err_data(&le, STAGE, path, "not a regular file (%s)", input_kind(st0.st_mode));
        goto out;
    }
    info->file_bytes = (uint64_t)st0.st_size;
    info->mtime_ns = input_mtime_ns(&st0);
    info->gzip = ig_has_suffix(path, ".gz");

    rc = info->gzip ? input_gzip(&c) : input_plain(&c, (uint64_t)st0.st_size);
    if (rc == IG_ESYS || rc == IG_ENOMEM)
        goto out;
    /* F26: a file rewritten or appended to while we read it gives bytes
     * that belong to no version of it.  This outranks whatever the reading
     * itself found, since those findings may be artefacts of the change. */
    if (fstat(c.fd, &st1) != 0) {
        ig_err_clear(&le);
        rc = ig_err_sys(&le, STAGE, path, "cannot stat");
        goto out;
    }
    if (st1.st_size != st0.st_size || input_mtime_ns(&st1) != input_mtime_ns(&st0) ||
        (rc == IG_OK && c.consumed != (uint64_t)st0.st_size)) {
        ig_err_clear(&le);
        rc = ig_err_data(&le, STAGE, path, "input changed while being read");
        goto out;
    }
    if (rc == IG_OK)
        rc = input_finish(&c, o, info);
out:
    if (c.fd >= 0)
        close(c.fd);
    if (rc != IG_OK) {
        ig_buf_reset(out);
        info->bytes = 0;
        if (e != NULL && e->code == IG_OK)
            *e = le;
    }
    return rc;
}

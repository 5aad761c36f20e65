/*
 * input.h: reading one corpus document from disk into memory, checked.
 *
 * Pipeline place: first stage; manifest.c says which files, input.c gets
 * their bytes, and the tokeniser sees only bytes that passed here.
 *
 * What it guarantees about the bytes it returns (FAULTS.md F01-F32):
 *  - the file was a regular file (no FIFO, device or directory; F24) that did
 *    not change size or mtime while it was read (F26);
 *  - a path ending in ".gz" was a complete gzip stream: all members read,
 *    truncation, corruption, trailing garbage and non-gzip data rejected with
 *    the path and compressed byte offset (F19-F23), decompressed size capped
 *    by IG_MAX_DOC_BYTES and IG_MAX_GZIP_RATIO (F21); inflate is driven
 *    directly, never gzread, because gzread hides those faults;
 *  - the text is valid UTF-8 (F01-F05), unless opts->on_invalid_replace, in
 *    which case each maximal invalid subpart became U+FFFD and was counted;
 *  - it has no NUL byte (F07) unless opts->allow_nul, with a UTF-16 hint
 *    when NULs alternate with ASCII (F08, F09);
 *  - a leading UTF-8 BOM is reported in info->bom_bytes (3) but kept in the
 *    buffer, so byte offsets count it (F10).
 * CR handling is the tokeniser's business; the bytes are not altered except
 * by replacement under on_invalid_replace.
 *
 * Errors are located: "igmap: input: doc.txt:1:3: invalid UTF-8 (unexpected
 * continuation byte 0x80) (byte 2)".  Line and column are 1-based, the
 * column counts characters after any BOM, the byte offset counts from the
 * start of the (decompressed) file.
 *
 * Ownership: the caller owns `out` (an ig_buf, appended to after a reset) and
 * `info`; nothing is retained between calls.  Thread-safe.
 */
#ifndef IG_INPUT_H
#define IG_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

typedef struct ig_input_opts {
    int on_invalid_replace; /* 0 strict (default), 1 replace with U+FFFD and count */
    int allow_nul;          /* 0 reject NUL (default), 1 keep (tokeniser treats as space) */
    size_t read_bufsz;      /* read/inflate chunk size; 0 = 65536 (tests vary it, F05;
                               IGMAP_READ_BUFFER below) */
    size_t max_bytes;       /* 0 = IG_MAX_DOC_BYTES */
} ig_input_opts;

typedef struct ig_input_info {
    uint64_t file_bytes;     /* bytes on disk */
    uint64_t bytes;          /* bytes after decompression (and repair) */
    uint64_t replaced;       /* invalid sequences replaced (replace mode) */
    int gzip;                /* 1 if the file was gzip */
    int bom_bytes;           /* 3 if the text starts with a UTF-8 BOM */
    uint64_t mtime_ns;       /* modification time seen at open */
} ig_input_info;

/* Read, decompress and validate one document.  path is used for opening and
 * in messages.  Returns 0, or IG_EDATA / IG_ELIMIT / IG_ESYS / IG_ENOMEM with
 * e set; on error `out` holds nothing usable.  opts NULL means all defaults;
 * info may be NULL.
 *
 * The messages (after "igmap: input: <path>").  Precedence: open and
 * file-type errors; then a change while reading; then the first size or
 * gzip fault met in the stream; then the UTF-16 BOM; then the first bad
 * UTF-8 sequence or NUL, whichever comes first in the text:
 *   ": cannot open: <strerror>" (IG_ESYS)
 *   ": not a regular file (directory|FIFO|socket|character device|...)"
 *   ": input changed while being read"       size or mtime moved (F26)
 *   ": document exceeds limit (more than N bytes)"                 IG_ELIMIT
 *   ": decompressed size exceeds limit (more than N bytes)"        IG_ELIMIT
 *   ": decompressed size exceeds limit (ratio above R:1 after N compressed bytes)"
 *   ": not gzip data"                         first bytes are not 1F 8B
 *   ": truncated gzip stream (unexpected end after N compressed bytes)"
 *                                             (also an empty .gz file)
 *   ": corrupt gzip data (<zlib's msg>) (byte N)"   N: compressed offset where
 *                                             inflate stopped
 *   ": trailing garbage after gzip data (byte N)"   N: first byte after the
 *                                             last complete member
 *   ": UTF-16LE BOM detected; convert to UTF-8" (or UTF-16BE)
 *   ":L:C: invalid UTF-8 (<reason>) (byte N)"  reason: unexpected
 *       continuation byte 0xNN | overlong encoding | UTF-16 surrogate | code
 *       point above U+10FFFF | invalid lead byte 0xNN | truncated sequence
 *   ":L:C: binary data (NUL) (byte N)", with "; looks like UTF-16; convert
 *       to UTF-8" before " (byte" when NULs alternate with ASCII
 * The result is the same for every read_bufsz. */
int ig_input_read(const char *path, const ig_input_opts *opts, ig_buf *out,
                  ig_input_info *info, ig_err *e);

/* The read-buffer size from the environment: IGMAP_READ_BUFFER=BYTES, a
 * decimal number from 1 to IG_INPUT_MAX_READ_BUFFER, sets o->read_bufsz
 * (the chunk each read() and inflate() call gets).  Unset or empty leaves
 * o alone.  It exists so that the promise above, the same bytes for every
 * read_bufsz, can be tested through the command line (FAULTS.md F05, P6;
 * tests/scenarios/t0700): outputs never depend on it, only speed does.
 * Anything else is IG_EUSAGE with e naming the variable.  Only the commands
 * that read documents (index, tokenise) call it; ig_input_read() itself
 * never reads the environment. */
#define IG_INPUT_MAX_READ_BUFFER ((size_t)1 << 30)
int ig_input_opts_from_env(ig_input_opts *o, ig_err *e);

/*
 * UTF-8 validation, usable on any buffer (lexicons, patterns, CSV).
 * Well-formed means exactly Unicode's definition: no overlongs, no surrogates,
 * nothing above U+10FFFF, no truncated sequences.
 */
typedef struct ig_utf8_bad {
    uint64_t byte;        /* offset of the first byte of the bad sequence */
    uint64_t line;        /* 1-based line of it (LF, CRLF or CR end lines) */
    uint64_t col;         /* 1-based column in characters */
    char reason[96];      /* e.g. "unexpected continuation byte 0x80" */
} ig_utf8_bad;

/* 1 if s[0..n) is valid UTF-8, else 0 with *bad describing the first
 * problem.  A leading BOM does not count toward column numbers. */
int ig_utf8_check(const char *s, size_t n, ig_utf8_bad *bad);

/* Number of bytes of the valid sequence starting at s (1-4), or 0 if the
 * sequence at s is invalid or truncated at n. */
size_t ig_utf8_seqlen(const unsigned char *s, size_t n);

#endif

/*
 * fsutil.h: small file-system helpers shared by the manifest, lexicon and
 * index readers.
 *
 * Ownership: results are appended to caller-owned ig_bufs or written to
 * caller buffers; nothing is retained.
 */
#ifndef IG_FSUTIL_H
#define IG_FSUTIL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Read a whole regular file (at most max bytes) into out (reset first).
 * Non-regular files, a size above max and read errors are errors in e. */
int ig_read_file(const char *path, size_t max, ig_buf *out, const char *stage, ig_err *e);

/* Join dir and rel with exactly one '/' into out (size n); -1 if too long. */
int ig_path_join(char *out, size_t n, const char *dir, const char *rel);

/* 1 if path ends with suffix. */
int ig_has_suffix(const char *path, const char *suffix);

/* The directory part of path into buf (size n): "." when path has no
 * '/', "/" for a file at the root. */
void ig_path_dirname(const char *path, char *buf, size_t n);

#endif

/*
 * err.h: error codes and the error context every module fills in.
 *
 * Ownership: an ig_err is owned by whoever declared it (usually the driver, on
 * its stack); modules only write into it.  The first error wins: once code is
 * nonzero, ig_err_set() and friends leave the context alone and just return
 * the stored code, so a chain of helpers can run and the caller checks once.
 *
 * Only the driver (pipeline/main.c and the cmd_*.c files) prints errors and
 * picks the exit status, with ig_err_exit_status().
 *
 * Message form, the one editors jump to (STYLE.md rule 7):
 *     igmap: <stage>: <path>:<line>:<col>: <what> (byte <offset>): <strerror>
 * Parts that are unknown are left out.
 */
#ifndef IG_ERR_H
#define IG_ERR_H

#include <stddef.h>
#include <stdint.h>

/* Return codes.  0 is success; errors are negative.  Exit statuses follow
 * FAULTS.md: 1 rejected input, 2 usage, 3 system or resources, 128+N signal. */
enum {
    IG_OK = 0,
    IG_EDATA = -1,   /* input data rejected: document, manifest, lexicon, index (exit 1) */
    IG_EUSAGE = -2,  /* bad command line or configuration (exit 2) */
    IG_ESYS = -3,    /* I/O or OS failure; errno saved (exit 3) */
    IG_ENOMEM = -4,  /* allocation failed (exit 3) */
    IG_ELIMIT = -5,  /* a resource limit in limits.h was hit (exit 1) */
    IG_EINTR = -6    /* interrupted by a signal (exit 128+N) */
};

#define IG_ERR_NOPOS UINT64_MAX /* "unknown" for line, col and byte */

typedef struct ig_err {
    int code;           /* IG_OK or a negative IG_E* code */
    int sys_errno;      /* errno when the OS was involved, else 0 */
    int signo;          /* signal number for IG_EINTR */
    char stage[24];     /* e.g. "index", "manifest", "tokenise" */
    char path[1024];    /* file the error is about, "" if none */
    uint64_t line;      /* 1-based, or IG_ERR_NOPOS */
    uint64_t col;       /* 1-based, in characters, or IG_ERR_NOPOS */
    uint64_t byte;      /* 0-based byte offset, or IG_ERR_NOPOS */
    char msg[768];      /* what went wrong, without location */
} ig_err;

/* Reset to "no error". */
void ig_err_clear(ig_err *e);

/* Record an error unless one is already recorded.  path may be NULL; line,
 * col and byte may be IG_ERR_NOPOS.  Returns e->code afterwards (the first
 * error's code), so `return ig_err_set(...)` propagates naturally.  e may be
 * NULL, in which case only code is returned. */
int ig_err_set(ig_err *e, int code, const char *stage, const char *path,
               uint64_t line, uint64_t col, uint64_t byte,
               const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* Shorthands: a data error with no position, an OS error capturing errno
 * (call right after the failing call), and out-of-memory. */
int ig_err_data(ig_err *e, const char *stage, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ig_err_sys(ig_err *e, const char *stage, const char *path,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ig_err_nomem(ig_err *e, const char *stage);

/* Name the file an already recorded error is about, when it was recorded
 * without one (an allocation failing deep inside a stage that never sees
 * paths): "igmap: index: out of memory" becomes "igmap: index: doc.txt:
 * out of memory".  Does nothing when no error is set or a path is known. */
void ig_err_locate(ig_err *e, const char *path);

/* Format the full message (without trailing newline) into buf; always
 * NUL-terminates when n > 0.  Returns the length it wanted. */
size_t ig_err_format(const ig_err *e, char *buf, size_t n);

/* Exit status for a code: 0, 1, 2, 3 or 128+signo. */
int ig_err_exit_status(const ig_err *e);

/* Write a bounded, escaped copy of src[0..len) to dst (size n, n >= 16),
 * for quoting offending input in messages: printable ASCII and valid UTF-8
 * pass, other bytes become \xNN, quotes and backslashes are escaped, and more
 * than IG_MAX_QUOTE_BYTES of input ends in "...".  Returns dst. */
char *ig_quote(char *dst, size_t n, const char *src, size_t len);

/*
 * ig_msgs: a list of formatted problem messages, for validators that report
 * every problem before failing (manifest, lexicons).  Owned by the caller;
 * free with ig_msgs_free().  ig_msgs_add() keeps at most `cap` messages (0 =
 * IG_MAX_LISTED_PROBLEMS) and counts the rest, so the driver can print
 * "and K more".
 */
typedef struct ig_msgs {
    char **items;      /* formatted messages, each like ig_err_format() output */
    size_t n;          /* messages kept */
    size_t dropped;    /* messages counted but not kept */
    size_t cap;        /* most kept; 0 means IG_MAX_LISTED_PROBLEMS */
} ig_msgs;

/* Format e and append it.  Returns 0 or IG_ENOMEM. */
int ig_msgs_add(ig_msgs *m, const ig_err *e);
/* Total problems seen (kept + dropped). */
size_t ig_msgs_count(const ig_msgs *m);
void ig_msgs_free(ig_msgs *m);

#endif

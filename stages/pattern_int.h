/*
 * pattern_int.h: the compiled form of a pattern, shared by the parser and
 * resolver (pattern.c) and the scanner (pattern_scan.c).  Private to the
 * pattern module; its manual is pattern.h.
 */
#ifndef IG_PATTERN_INT_H
#define IG_PATTERN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "index.h"
#include "pattern.h"
#include "limits.h"

enum pnode_kind { PN_WORD, PN_EXACT, PN_PREFIX, PN_REGEX, PN_PHRASE, PN_NEAR };

typedef struct pnode {
    uint8_t kind;          /* enum pnode_kind */
    uint32_t col;          /* 1-based column in the pattern text */
    uint32_t dist;         /* NEAR: the n of NEAR/n */
    size_t a, b;           /* PHRASE: first element, element count (elements
                              are the nodes a..a+b-1); NEAR: left, right */
    char *word;            /* normalised word / exact form / prefix; regex source */
    size_t wlen;
    pcre2_code *re;        /* REGEX: compiled (JIT-compiled when possible) */
    uint32_t *terms;       /* resolved: sorted, unique term ids */
    size_t nterms;
} pnode;

struct pat_pattern {
    char *text;            /* the pattern as given, NUL-terminated */
    size_t len;
    char shown[IG_MAX_QUOTE_BYTES * 4 + 8]; /* escaped, bounded copy for messages */
    char *stage;           /* pat_loc copy, or NULL */
    char *path;
    uint64_t line, col0;
    pnode *nodes;
    size_t nnodes, cap;
    size_t root;
    const idx_reader *r;   /* set by a successful pat_resolve */
};

#define PAT_OPTS (PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | PCRE2_CASELESS)

static inline int is_atom(const pnode *n)
{
    return n->kind <= PN_REGEX;
}

/* Record an error located at column col of p's text (pattern.h "Errors":
 * in the pattern itself, or in its lexicon when it has a pat_loc).
 * Returns code, or the error already recorded in e. */
int pat_err(const pat_pattern *p, ig_err *e, int code, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* One step of phrase matching (pattern_scan.c): the spans (first of a,
 * last of b) for every span of a followed at once by a span of b (b's first
 * is a's last + 1).  a and b are sorted, duplicate-free span keys (first <<
 * 32 | last); the result, in *out (grown as needed, *cap its room), is too.
 * how picks the walk, not the result: PAT_CHAIN_BY_A looks each span of a
 * up in b, PAT_CHAIN_BY_B each span of b up in a, PAT_CHAIN_AUTO walks the
 * shorter list.  IG_OK or IG_ENOMEM. */
enum { PAT_CHAIN_AUTO, PAT_CHAIN_BY_A, PAT_CHAIN_BY_B };
int pat_chain(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, int how,
              uint64_t **out, size_t *nout, size_t *cap);

#endif

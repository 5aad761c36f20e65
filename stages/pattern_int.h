/*
 * pattern_int.h: the compiled form of a pattern, shared by the parser and
 * resolver (pattern.c), the scanner (pattern_scan.c) and the postings
 * cache the scans share (pattern_cache.c).  Private to the
 * pattern module; its manual is pattern.h.
 */
#ifndef IG_PATTERN_INT_H
#define IG_PATTERN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
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
/* The same with aw, a bound on a's widest span (last - first; any bound at
 * least that wide gives the same spans), known to the caller: looking b's
 * spans up in a then reads only the part of a near them.  PAT_WIDTH_UNKNOWN
 * has it measured.  PAT_CHAIN_UNIFORM added to how (AUTO) tells that all
 * spans of a have one width and all spans of b one width (forms whose
 * terms are never joined compounds, and phrases of them): lists of
 * similar length are then merged without a branch on the comparison. */
#define PAT_CHAIN_UNIFORM 8
#define PAT_WIDTH_UNKNOWN UINT32_MAX
int pat_chain_w(const uint64_t *a, size_t na, uint32_t aw, const uint64_t *b, size_t nb,
                int how, uint64_t **out, size_t *nout, size_t *cap);

/* ---- spans and the shared postings cache (pattern_scan.c, pattern_cache.c) -- */

/* A span: first position in the high 32 bits, last in the low 32, so the
 * natural order of the keys is (first, last). */
#define SPAN(f, l) ((uint64_t)(f) << 32 | (uint64_t)(l))
#define SPAN_F(x) ((uint32_t)((x) >> 32))
#define SPAN_L(x) ((uint32_t)(x))

typedef struct span_list {
    uint64_t *v;
    size_t n, cap;
} span_list;

/* Sort l (only when needed: lists usually arrive sorted) and drop
 * repeats. */
void pat_span_sort_unique(span_list *l);
/* Merge sorted x and y into o (room for nx + ny); returns nx + ny. */
size_t pat_merge2(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny, uint64_t *o);
/* Merge the sorted runs of l (run r is [b[r], b[r+1])) pairwise, through
 * tmp, until one is left.  IG_OK or IG_ENOMEM. */
int pat_merge_runs(span_list *l, size_t *b, size_t nruns, span_list *tmp);
/* A damaged-index error in e ("run igmap check"); returns its code. */
int pat_damaged(ig_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A form with this many terms or fewer (a stem's surface forms, a short
 * prefix or regex) is also cached as one merged set: its terms' runs are
 * merged once per range, by the first scan that needs them, not once per
 * pattern and document that reads them ("government" is in dozens of
 * entries).  Larger forms merge per document as before: a set's build
 * looks at every member for every document. */
#define PC_SET_MAX 16

/* One term's postings in the shared cache (pat_cache), for the cache's
 * current range of documents: docs[k] holds spans v[off[k] .. off[k+1]),
 * sorted and unique.  Or a set's (nset > 0): the union of its members'
 * runs, built from their entries (pc_build_set). */
typedef struct pc_term {
    uint32_t term;
    uint32_t nset;          /* set: members (2..PC_SET_MAX); 0: one term */
    uint32_t *set;          /* set: its sorted, unique term ids */
    const struct pc_term **mem; /* set: the members' cached terms */
    pthread_mutex_t lock;   /* set: one scan builds it, the others wait */
    uint64_t built;         /* set: the cache gen it was built for (atomic) */
    uint64_t *scratch;      /* set: one document's spans before merging */
    size_t capscratch;
    idx_postings it;        /* the term's cursor, front to back over the run */
    uint8_t opened;         /* it is open (on its first document, or ended) */
    uint8_t ended;          /* it has no more documents */
    uint32_t *docs;
    size_t ndocs, capdocs;
    size_t *off;            /* ndocs + 1 entries */
    size_t capoff;
    uint64_t *v;
    size_t nv, capv;
    uint32_t wmax;          /* widest span in the range (last - first) */
} pc_term;

struct pat_cache {
    const idx_reader *r;
    pc_term *t;             /* sorted by term id, unique once frozen */
    size_t n, cap;
    int frozen;             /* terms fixed (first scan opened or range set) */
    uint32_t d0, d1;        /* the current range [d0, d1) */
    uint64_t gen;           /* bumped by every pat_cache_range */
};

/* Sort the cache's terms and drop repeats; no term is added afterwards
 * (the first scan opened or range set does it). */
void pat_cache_freeze(pat_cache *c);
/* The cached entry of one term (nset 0) or of a set of terms, or NULL. */
const pc_term *pat_cache_find(const pat_cache *c, uint32_t term, uint32_t nset,
                              const uint32_t *set);
/* A form's terms are cached as one set when there are 2..PC_SET_MAX. */
int pat_cache_is_set(const pnode *pn);
/* Make sure set t is built for c's current range: the first scan to need
 * it builds it while any other waits.  IG_OK or IG_ENOMEM. */
int pat_cache_set_ready(const pat_cache *c, pc_term *t);

#endif

/*
 * pattern.h: the query pattern language, compiled once, resolved against an
 * index's vocabulary once, then matched by walking postings.
 *
 * Pipeline place: between the index (stages/index.h) and everything that
 * asks questions of it: `igmap kwic` and `igmap count` (pipeline/cmd_query.c)
 * now, the classify and map stages (lexicon patterns) later.  Text is never
 * rescanned: a pattern becomes sets of term ids, and matching reads only the
 * postings of those terms (plus, for NEAR, the sentence numbers of the
 * documents where both sides occur).
 *
 * ---- The language (DESIGN.md "Lexicon format") -------------------------
 *
 *   word          a token whose stem equals the stem of `word` in the token's
 *                 language: the word is stemmed once per language present in
 *                 the index, with that language's stemmer (stem.h)
 *   =word         a token whose normalised surface form is exactly `word`
 *   prefix*       a token whose surface form starts with `prefix` (a
 *                 contiguous range of the vocabulary)
 *   /regex/       a token whose surface form matches the PCRE2 regex (see
 *                 "Regexes" below); `\/` writes a slash inside it
 *   "w1 w2 ..."   a phrase: each wi is one of the four forms above, and the
 *                 tokens follow each other (below)
 *   A NEAR/n B    A and B (each a form above or a phrase) both occur in one
 *                 sentence with at most n positions between them; chains
 *                 `A NEAR/n B NEAR/m C` group to the left: (A NEAR/n B) NEAR/m C
 *
 * Lexing.  Items are separated by ASCII white space; leading and trailing
 * white space is ignored.  A word runs to the next white space (or, inside a
 * phrase, to the closing '"').  `NEAR/n` is an operator only when written in
 * upper case as its own item; n is a decimal number, 0..IG_MAX_DOC_TOKENS.
 * Two items side by side without NEAR are an error (quote them to make a
 * phrase).  '*' may only end a word and cannot be combined with '='.  The
 * words of a phrase (counting the units of split words, below) number
 * 1..IG_MAX_PATTERN_DEPTH, and a NEAR chain has at most IG_MAX_PATTERN_DEPTH
 * operators.  NEAR cannot appear inside a phrase.
 * A pattern is at most IG_MAX_LINE_BYTES bytes of valid UTF-8.
 *
 * Normalisation.  Every word, exact form and prefix goes through
 * tok_normalise_units() (tokenise.h), so case, NFKC and dash/hyphen variants
 * behave exactly as in the corpus, and a hyphenated word means the joined
 * form of the compound: `multi-stakeholder`, `=multi-stakeholder` and
 * `multistakeholder` all find the joined token of "multi-stakeholder" (and
 * of "multistakeholder"), while `"multi stakeholder"` finds its parts.  A
 * word the tokeniser splits into several units (tok_normalise_units: "U.S."
 * gives u, s; "foo/bar" gives foo, bar) means those units in sequence, like
 * a phrase: `U.S.` is `"u s"`, `=U.S.` is `"=u =s"`, and `U.S.*` is
 * `"=u s*"` (only the last unit is a prefix); inside a phrase the units
 * become phrase words.  A word that normalises to nothing (punctuation
 * only) is an error.
 *
 * Regexes.  Matched against each distinct surface form of the vocabulary
 * (single terms, already NFKC-normalised and case-folded), unanchored (use ^
 * and $), compiled with PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C |
 * PCRE2_CASELESS.  Caseless because every surface form is case-folded, so a
 * capital in a regex would otherwise silently match nothing; other
 * normalisation (NFKC, joined compounds: `inter-?govern` matches the joined
 * "intergovernmental") is the author's business.  Limits from limits.h:
 * IG_REGEX_MAX_PATTERN bytes, IG_REGEX_NEST_LIMIT parentheses (compile
 * errors), IG_REGEX_MATCH_LIMIT / IG_REGEX_DEPTH_LIMIT /
 * IG_REGEX_HEAP_LIMIT_KIB per term (a hit is IG_ELIMIT naming the pattern
 * and the term; JIT, used when available, honours the match limit and runs
 * on a JIT stack of at most IG_REGEX_JIT_STACK_KIB instead of the depth
 * and heap limits).  In-pattern (*LIMIT_MATCH=..) and friends can only lower
 * these limits (PCRE2 ignores larger values).  A regex anchored with ^ is
 * tried only on the terms whose first byte it allows, and, when it has no
 * escapes, lookaround or verbs, whose first two bytes it does not rule out
 * (one partial-match probe per pair): the terms it would fail on at once,
 * so the terms found and the limits reached are the same.
 *
 * ---- What a match is ------------------------------------------------------
 *
 * Positions and spans follow tokenise.h: an ordinary token covers one
 * position; the joined form of a k-part compound covers pos..pos+k-1, its
 * parts one position each.  A match covers the inclusive position range
 * [first, last]:
 *  - a single form matches one token: [pos, pos + span];
 *  - a phrase w1..wk matches tokens t1..tk where each t(i+1) starts right
 *    after t(i) ends (t(i+1).pos == t(i).pos + t(i).span + 1); it covers
 *    [t1.first, tk.last].  Phrases ignore sentence boundaries (punctuation is
 *    not in the index), like FTS5 phrases;
 *  - A NEAR/n B matches an occurrence a of A and b of B that do not overlap,
 *    have at most n positions strictly between them (in either order), and
 *    lie in one sentence (the whole covered range does); it covers
 *    [min(a.first, b.first), max(a.last, b.last)].  An item never pairs with
 *    itself, so `x NEAR/5 x` needs two occurrences of x.
 * Overlapping matches: each distinct first position is reported once, with
 * the smallest last position among the matches starting there (so `multi*`
 * on "multi-stakeholder" reports the part "multi", not the joined token).
 * Matches that start at different positions are all reported even when
 * they overlap ("a a" in "a a a" matches twice).  `count` counts these.
 *
 * ---- Errors -------------------------------------------------------------
 *
 * Syntax errors (IG_EDATA) and limit hits (IG_ELIMIT) are located by the
 * 1-based column, in characters, within the pattern text.  Without a
 * pat_loc the message names the pattern itself:
 *     igmap: pattern: "equal footing:1: unterminated phrase
 *     igmap: pattern: /(foo/:6: regex error: missing closing parenthesis
 *     igmap: pattern: /(a+)+$/:1: regex match limit exceeded on term "aaaa...b"
 * (ig_err: stage "pattern", empty path, the whole "<pattern>:COL: <what>" in
 * msg, col also stored in e->col).  The pattern is shown as typed except
 * that control characters become \xNN and more than IG_MAX_QUOTE_BYTES are
 * cut with "...".  With a pat_loc (lexicons), the error is placed in the
 * lexicon instead: stage loc->stage, path loc->path, line loc->line, column
 * loc->col + COL - 1, msg "<what>", so it reads
 *     igmap: classify: lexicons/positions.tsv:12:31: unterminated phrase
 * Messages (the <what> part): empty pattern; unterminated phrase; empty
 * phrase; unterminated regex; empty regex; regex error: <PCRE2 message>;
 * '*' is allowed only at the end of a word; '=' and '*' cannot be combined;
 * empty word after '='; empty prefix before '*'; "<w>" is not a word
 * (nothing left after normalisation); "<w>" normalises to words that
 * contain spaces; write them as a phrase; word longer than N bytes; invalid
 * UTF-8 (<reason>); unexpected '"' inside a word; unexpected character after
 * phrase / after regex; NEAR needs a distance, as in NEAR/5; bad NEAR
 * distance "<x>"; NEAR distance larger than N; NEAR must be upper case;
 * missing pattern before NEAR/n; missing pattern after NEAR/n; NEAR cannot
 * be used inside a phrase; phrase longer than N words; more than N NEAR
 * operators; two patterns side by side: quote them for a phrase or join
 * them with NEAR/n; pattern longer than N bytes; control character 0xNN in
 * pattern.  When resolving: regex match|depth|heap|JIT stack limit
 * exceeded on term "<term>" (IG_ELIMIT, column of the regex).  When
 * scanning: NEAR/n: more than N candidate spans in document "<id>"; narrow
 * the pattern (IG_ELIMIT, column of that NEAR).
 *
 * ---- Use ------------------------------------------------------------------
 *
 *     pat_compile(&p, text, len, NULL, &e);        syntax only, no index
 *     pat_resolver_open(&rs, reader, &e);          once per index
 *     pat_resolve(p, rs, &e);                      vocabulary -> term sets
 *     pat_scan_open(&s, p, PAT_SCAN_LAYOUT, &e);   one per thread
 *     while ((rc = pat_scan_next_doc(s, &e)) == 1) {
 *         pat_scan_doc_matches(s, &m, &n, &e);     matches of pat_scan_doc(s)
 *         ...
 *     }
 *
 * Ownership: every handle (pat_pattern, pat_resolver, pat_scan) is owned by
 * its creator and freed with its _free/_close function, which accepts NULL.
 * Arguments are borrowed, never kept, except the idx_reader, which a
 * resolver and a resolved pattern keep a pointer to: it must outlive them.
 * Borrowed results (pat_scan_doc_matches, pat_scan_layout, pat_text) stay
 * valid until the next call that moves the scan to another document, or
 * until the owning handle is freed.
 *
 * Threads: a resolved pattern is read-only while scanned, so several
 * threads may each run their own pat_scan over one pattern and one reader.
 * A resolver and a scan belong to one thread at a time.
 *
 * Memory: a resolved pattern holds its term ids; a scan holds one postings
 * cursor per term and, per document, the spans of the terms that occur in it
 * (bounded by the postings read) plus, for NEAR and PAT_SCAN_LAYOUT, that
 * document's layout.  An inner NEAR of a chain keeps every candidate span;
 * more than IG_MAX_NEAR_SPANS of them in one document is IG_ELIMIT.
 */
#ifndef IG_PATTERN_H
#define IG_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "index.h"

typedef struct pat_pattern pat_pattern;
typedef struct pat_resolver pat_resolver;
typedef struct pat_scan pat_scan;

/* Where a pattern's text came from, for lexicon patterns (see "Errors"). */
typedef struct pat_loc {
    const char *stage;  /* stage named in messages, e.g. "classify" */
    const char *path;   /* lexicon file */
    uint64_t line;      /* 1-based line of the pattern in path */
    uint64_t col;       /* 1-based column where the pattern text starts */
} pat_loc;

/* ---- compiling (syntax only) ------------------------------------------ */

/* Parse text[0..len) (need not be NUL-terminated), normalise its words and
 * compile its regexes.  loc may be NULL (the pattern names itself in
 * messages).  On success *p is a new pattern; on error *p is NULL, e holds a
 * located message (IG_EDATA, or IG_ENOMEM). */
int pat_compile(pat_pattern **p, const char *text, size_t len, const pat_loc *loc,
                ig_err *e);
void pat_free(pat_pattern *p);
/* The pattern text as given (NUL-terminated copy) and its length. */
const char *pat_text(const pat_pattern *p, size_t *len);
/* Number of single-token forms (words, exact forms, prefixes, regexes) in
 * the pattern, counting each phrase word and each unit of a split word. */
size_t pat_atom_count(const pat_pattern *p);

/* ---- resolving against a vocabulary ------------------------------------ */

/* A resolver caches what resolving needs per index: one stemmer per
 * language present in r, a PCRE2 match context with the limits, match data
 * and a JIT stack.  Errors: IG_ENOMEM, or the stemmer's error (stem_open)
 * for a language this build cannot stem. */
int pat_resolver_open(pat_resolver **rs, const idx_reader *r, ig_err *e);
void pat_resolver_close(pat_resolver *rs);

/* Turn every form of p into its sorted set of term ids in rs's index
 * (replacing any earlier resolution).  Words absent from the vocabulary give
 * empty sets, which simply never match.  Errors: IG_ELIMIT when a regex hits
 * a limit on some term (located, naming the term), IG_EDATA when a term is
 * not valid UTF-8 (a damaged index), IG_ENOMEM.  On error p is left
 * unresolved. */
int pat_resolve(pat_pattern *p, pat_resolver *rs, ig_err *e);
/* Total term ids in p's resolved sets (terms shared by two forms count
 * twice); 0 before pat_resolve. */
size_t pat_term_count(const pat_pattern *p);

/* The parsed pattern as a one-line S-expression, appended to out, for
 * tests and diagnostics: (word "x") (exact "x") (prefix "x") (regex "src")
 * (phrase A B ...) (near N LEFT RIGHT), words in their normalised form.
 * Returns 0 or IG_ENOMEM. */
int pat_describe(const pat_pattern *p, ig_buf *out);

/* ---- scanning ---------------------------------------------------------- */

/* One match (see "What a match is"). */
typedef struct pat_match {
    uint32_t doc;       /* document number */
    uint32_t first;     /* first position covered */
    uint32_t last;      /* last position covered (inclusive) */
    uint32_t sentence;  /* sentence of first; 0 unless PAT_SCAN_LAYOUT */
} pat_match;

enum {
    /* Decode the layout (idx_layout_get) of every matching document: fills
     * pat_match.sentence and makes pat_scan_layout() available.  Without it
     * only NEAR patterns decode layouts (for sentence numbers). */
    PAT_SCAN_LAYOUT = 1
};

/* Start scanning resolved pattern p over its index (documents in increasing
 * order).  Opens one postings cursor per term.  Errors: IG_EUSAGE if p is
 * not resolved, the index's errors (corruption), IG_ENOMEM. */
int pat_scan_open(pat_scan **s, const pat_pattern *p, unsigned flags, ig_err *e);
void pat_scan_close(pat_scan *s);

/* Move to the next document with at least one match: 1 (see pat_scan_doc),
 * 0 when there are no more, or a negative code with e set (corrupt index,
 * IG_ELIMIT for too many NEAR spans, IG_ENOMEM).  After 0 or an error the
 * scan stays ended. */
int pat_scan_next_doc(pat_scan *s, ig_err *e);
/* Move to the first document >= doc with a match; a scan already on a
 * document >= doc stays where it is (it never moves backwards).  Same
 * returns as pat_scan_next_doc.  For callers that walk documents themselves
 * (classify): seek(d), then pat_scan_doc(s) == d says whether d matches. */
int pat_scan_seek(pat_scan *s, uint32_t doc, ig_err *e);
/* The current document (valid after pat_scan_next_doc/seek returned 1). */
uint32_t pat_scan_doc(const pat_scan *s);
/* Number of matches in the current document (distinct first positions). */
int pat_scan_doc_count(pat_scan *s, uint32_t *n, ig_err *e);
/* The current document's matches, in increasing first position, in *m
 * (borrowed, see Ownership) and their number in *n (>= 1). */
int pat_scan_doc_matches(pat_scan *s, const pat_match **m, size_t *n, ig_err *e);
/* The current document's layout when the scan has PAT_SCAN_LAYOUT (after
 * pat_scan_doc_matches), else NULL.  Borrowed. */
const idx_layout *pat_scan_layout(const pat_scan *s);

/* Where a scan gets document layouts (for NEAR and PAT_SCAN_LAYOUT).  By
 * default it decodes its own copy with idx_layout_get.  A caller that runs
 * many scans over the same documents (classify: one scan per lexicon entry)
 * can decode each layout once and lend it: fn(ctx, doc, &l, e) sets *l to
 * document doc's layout and returns 0, or returns a negative code with e
 * set (the scan then fails with it).  The lent layout must stay valid and
 * unchanged until the scan has moved past doc; fn is called from whatever
 * thread runs the scan.  Call before the first seek; fn NULL restores the
 * default. */
typedef int (*pat_layout_fn)(void *ctx, uint32_t doc, const idx_layout **l, ig_err *e);
void pat_scan_layout_source(pat_scan *s, pat_layout_fn fn, void *ctx);

/* ---- shared postings: many patterns over the same documents ------------- */

/* A caller that runs many patterns over the same documents (classify: one
 * scan per lexicon entry, hundreds to tens of thousands of them) would
 * decode a term's postings once per pattern that uses it: "the" inside
 * twenty phrases is read twenty times.  A pat_cache decodes each term of the
 * patterns added to it once, for one range of documents at a time, and
 * scans opened on the cache read the decoded postings (and pass over the
 * documents of a frequent term by binary search instead of decoding them).
 * A form of a few terms (a stem's surface forms, a short prefix or regex)
 * is also kept as one merged list, built once per range by the first scan
 * that needs it, so scans do not merge its terms' positions per document.
 *
 *     pat_cache_open(&c, reader, &e);
 *     pat_cache_add(c, p, &e);                    every resolved pattern
 *     pat_scan_open_cached(&s, p, c, flags, &e);  one scan per pattern
 *     for each range [d0, d1) of documents, in increasing order:
 *         pat_cache_range(c, d0, d1, &e);
 *         pat_cache_load(c, i, &e);               for i < pat_cache_term_count(c)
 *         for each scan: pat_scan_seek(s, d0, &e), then pat_scan_next_doc ...
 *
 * A scan on a cache sees only the documents of the cache's current range:
 * seek and next_doc return 0 at the range's end; once the cache has moved to
 * the next range, the scan starts over there (seek or next_doc).  Matches
 * are the same as those of a scan of its own (pat_scan_open): a match never
 * crosses documents.  Memory: the postings of every added term in the
 * current range (12 to 16 bytes per position; bounded by the caller's range
 * size), and again for the merged forms.  Threads: pat_cache_load of
 * different terms may run at once on different threads, and so may scans
 * (they build the merged forms under a lock); every other call on the
 * cache, and scanning, must not overlap a load or a range change.  Errors: IG_EUSAGE (pattern not
 * resolved, from another index, added after the first scan was opened or
 * range set; a range before the previous one), the index's errors when
 * loading (corruption), IG_ENOMEM. */
typedef struct pat_cache pat_cache;
int pat_cache_open(pat_cache **c, const idx_reader *r, ig_err *e);
void pat_cache_close(pat_cache *c);
/* Register the terms of resolved pattern p (before any scan is opened on c
 * or any range set; p must stay resolved and unchanged while c is used). */
int pat_cache_add(pat_cache *c, const pat_pattern *p, ig_err *e);
/* Loads to make per range: the distinct terms registered (and the merged
 * forms, whose loads do nothing: scans build them). */
size_t pat_cache_term_count(pat_cache *c);
/* Move to documents [d0, d1); d0 must not be below the previous d1.  The
 * previous range's postings are dropped; load the new ones next. */
int pat_cache_range(pat_cache *c, uint32_t d0, uint32_t d1, ig_err *e);
/* Decode term i's postings for the current range (its cursor moves front to
 * back over the index once in the whole run). */
int pat_cache_load(pat_cache *c, size_t i, ig_err *e);
/* Open a scan of resolved pattern p on c: every term of p must be in c
 * (true when p was added; IG_EUSAGE otherwise). */
int pat_scan_open_cached(pat_scan **s, const pat_pattern *p, pat_cache *c, unsigned flags,
                         ig_err *e);

/* Every match in (doc, first) order: 1 with *m set, 0 at the end, or a
 * negative code.  Built on the calls above; do not mix with them. */
int pat_scan_next(pat_scan *s, pat_match *m, ig_err *e);

/* Count p over the whole index: total matches and matching documents; with
 * per_doc non-NULL (idx_doc_count() entries, zeroed by the caller) also
 * adds each document's matches there.  Same errors as pat_scan_next_doc. */
int pat_count(const pat_pattern *p, uint64_t *matches, uint32_t *docs,
              uint32_t *per_doc, ig_err *e);

#endif

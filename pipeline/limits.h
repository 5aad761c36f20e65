/*
 * limits.h: every resource cap igmap enforces, in one place.
 *
 * Each limit names what it protects and what happens when it is hit.  Hitting
 * a limit is never a crash or a silent truncation: the code that meets it sets
 * a located error (exit 1 for data, 3 for resources) unless an explicit opt-in
 * policy (such as --on-long-token=truncate) says otherwise, and then the repair
 * is counted in documents.csv.  Builds may override any value with -D.
 */
#ifndef IG_LIMITS_H
#define IG_LIMITS_H

/* Longest token, in bytes of its normalised form.  Longer runs are base64
 * blobs or extraction garbage, never words; libstemmer takes an int size, so
 * nothing near INT_MAX may reach it.  Strict: error.  Truncate mode: cut at a
 * character boundary and counted. */
#if !defined(IG_MAX_TOKEN_BYTES)
#define IG_MAX_TOKEN_BYTES 32768
#endif

/* Largest single document after decompression.  A whole document is held in
 * memory while it is tokenised; this bounds that memory.  Error when exceeded. */
#if !defined(IG_MAX_DOC_BYTES)
#define IG_MAX_DOC_BYTES ((size_t)512 * 1024 * 1024)
#endif

/* Gzip bomb guards: stop inflating once the output exceeds IG_MAX_DOC_BYTES or
 * once output/input exceeds this ratio (deflate cannot honestly exceed about
 * 1032:1, so anything above is a bomb or a crafted stream) after the first MiB. */
#if !defined(IG_MAX_GZIP_RATIO)
#define IG_MAX_GZIP_RATIO 1100
#endif

/* Longest manifest or lexicon line in bytes; a longer one is a malformed file
 * (or a binary), reported with its line number. */
#if !defined(IG_MAX_LINE_BYTES)
#define IG_MAX_LINE_BYTES ((size_t)1 << 20)
#endif

/* Most documents in one corpus; document ids are uint32 in the index. */
#if !defined(IG_MAX_DOCS)
#define IG_MAX_DOCS 100000000u
#endif

/* Most token positions in one document (uint32 positions in the index). */
#if !defined(IG_MAX_DOC_TOKENS)
#define IG_MAX_DOC_TOKENS 0x7fffffffu
#endif

/* Missing files and other per-row manifest problems listed before giving up;
 * the rest are summarised as "and K more". */
#if !defined(IG_MAX_LISTED_PROBLEMS)
#define IG_MAX_LISTED_PROBLEMS 50
#endif

/* PCRE2 limits for lexicon and query regexes (F34, F35).  A pattern may lower
 * them with (*LIMIT_...) but never raise them.  Exceeding one is a located
 * error naming the pattern. */
#if !defined(IG_REGEX_MATCH_LIMIT)
#define IG_REGEX_MATCH_LIMIT 1000000u
#endif
#if !defined(IG_REGEX_DEPTH_LIMIT)
#define IG_REGEX_DEPTH_LIMIT 10000u
#endif
#if !defined(IG_REGEX_HEAP_LIMIT_KIB)
#define IG_REGEX_HEAP_LIMIT_KIB 20000u
#endif
/* PCRE2's JIT ignores the depth and heap limits and runs on its own stack
 * instead: this caps that stack (KiB); running out is the same located
 * limit error. */
#if !defined(IG_REGEX_JIT_STACK_KIB)
#define IG_REGEX_JIT_STACK_KIB 1024u
#endif
#if !defined(IG_REGEX_NEST_LIMIT)
#define IG_REGEX_NEST_LIMIT 250u
#endif
#if !defined(IG_REGEX_MAX_PATTERN)
#define IG_REGEX_MAX_PATTERN 4096u
#endif

/* Deepest nesting of a query pattern (NEAR chains, phrases). */
#if !defined(IG_MAX_PATTERN_DEPTH)
#define IG_MAX_PATTERN_DEPTH 64
#endif

/* Candidate spans the inner NEAR of a chain (A NEAR/n B NEAR/m C) may hold
 * for one document.  Every pair of occurrences within n positions in one
 * sentence is a candidate, so two very frequent words with a large n in a
 * long unpunctuated document grow quadratically; past this cap (32 MB of
 * spans) the query fails with IG_ELIMIT naming the pattern.  A lone NEAR
 * keeps one span per occurrence and never meets it. */
#if !defined(IG_MAX_NEAR_SPANS)
#define IG_MAX_NEAR_SPANS 4000000u
#endif

/* Longest quoted excerpt of offending input inside an error message. */
#define IG_MAX_QUOTE_BYTES 60

#endif

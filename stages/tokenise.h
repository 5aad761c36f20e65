/*
 * tokenise.h: bytes of one document -> normalised tokens with positions.
 *
 * Pipeline place: after input.c (which guarantees valid UTF-8 without NUL
 * unless allowed), before stem and index.  Also used on lexicon and query
 * patterns, so a pattern word is normalised exactly like corpus text.
 *
 * The rules (tokeniser rules version TOK_RULES_VERSION; bump it whenever a
 * rule changes, since it is part of the index fingerprint) are specified in
 * full at the top of tokenise.c and tested case by case in
 * tests/unit/test_tokenise.c.  In short: a token is a run of letters, marks
 * and digits, with apostrophes between letters ("don't") and '.' or ','
 * between digits ("3.5", "1,000") kept; its normalised form is NFKC + case
 * folding (utf8proc; ASCII words are lower-cased directly, without utf8proc);
 * apostrophe variants become U+0027; format characters (soft hyphen, zero
 * width joiners, bidi controls, a BOM) are ignored; words joined by one
 * hyphen (ASCII, U+2010, U+2011, ...) form a compound that yields its joined
 * form and its parts, while en/em dashes and "--" separate; sentences end at
 * . ! ? ... (abbreviation aware), at blank lines and at headings;
 * paragraphs are separated by blank lines; LF, CR LF and CR are line
 * breaks; sections start at lines matching the section pattern; byte ranges
 * point into the original text.
 *
 * Positions.  Each ordinary word occupies one position (0-based, consecutive
 * within a document).  A compound of k parts ("multi-stakeholder", k = 2)
 * occupies k positions, one per part (TOK_PART tokens), plus one TOK_JOINED
 * token ("multistakeholder") at the first part's position with span k-1, so a
 * phrase continues at pos + span + 1.  Ordinary words and parts have span 0.
 * Tokens come out in position order; a TOK_JOINED token comes before the
 * parts it covers.
 *
 * Ownership: a tok_stream borrows the text passed to tok_reset() (it must
 * outlive the iteration); a token returned by tok_next() and its norm bytes
 * are valid until the next tok_next() or tok_reset().  One stream per thread.
 */
#ifndef IG_TOKENISE_H
#define IG_TOKENISE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TOK_RULES_VERSION 2

/* Bytes readable from a token's norm whatever its length: a caller can
 * load a short word in whole words and mask off the tail, without a
 * branch on its length (the index's per-document term table does). */
#define TOK_NORM_READ 16

enum tok_kind {
    TOK_WORD = 0,    /* an ordinary token */
    TOK_PART = 1,    /* one part of a hyphenated compound */
    TOK_JOINED = 2   /* the joined form of a compound, covering its parts */
};

typedef struct tok_token {
    const char *norm;      /* normalised form (NFKC, case-folded), not NUL-terminated;
                              at least TOK_NORM_READ bytes from norm can be read
                              even when norm_len is shorter (the bytes past
                              norm_len are unspecified) */
    size_t norm_len;       /* its length in bytes, 1..IG_MAX_TOKEN_BYTES */
    uint64_t start, end;   /* byte range [start, end) in the original text */
    uint32_t pos;          /* position (0-based) */
    uint32_t span;         /* positions covered beyond pos (0 unless TOK_JOINED) */
    uint32_t sentence;     /* sentence number in the document, 1-based */
    uint32_t paragraph;    /* paragraph number, 1-based (blank lines separate) */
    uint32_t section;      /* section number: 0 before any heading, else the
                              heading's number ("Question 5" -> 5) or, for a
                              heading without a number, its ordinal */
    uint64_t line;         /* 1-based line of start, for messages */
    uint8_t kind;          /* enum tok_kind */
    uint8_t truncated;     /* 1 if cut to IG_MAX_TOKEN_BYTES (truncate mode) */
} tok_token;

typedef struct tok_opts {
    /* PCRE2 pattern matched, anchored, against each line after its leading
     * white space (at most the first 1024 bytes, without the line break) to
     * recognise a section heading; the ASCII digits of its first capture
     * group (1-9 of them) are the section number, else the heading's
     * ordinal.  NULL = TOK_DEFAULT_SECTION_PATTERN.  Borrowed only during
     * tok_open(). */
    const char *section_pattern;
    int truncate_long;  /* 0: over-long token is an error (default); 1: truncate and count */
    int allow_nul;      /* treat NUL as a space instead of failing */
} tok_opts;

/* A questionnaire heading at line start: "Question 5", "QUESTION 12:",
 * "Question. 3", or the short form "Q5:", "Q 5.", "Q.5)" or "Q5" alone on
 * its line; the number (1-3 digits) is capture group 1 (a branch reset, so
 * both forms use group 1).  The short form needs the ':', '.', ')' or the
 * line end so that "Q1 2020 results" (a quarter) is not a heading; "5." is
 * never one (numbered lists). */
#define TOK_DEFAULT_SECTION_PATTERN \
    "^(?|question\\s*\\.?\\s*(\\d{1,3})\\b|q\\.?\\s*(\\d{1,3})\\s*(?:[:.)]|$))"

typedef struct tok_stream tok_stream;

/* Create a stream.  opts may be NULL (defaults).  A bad section pattern is
 * IG_EUSAGE with the PCRE2 message and offset ("section pattern \"(q\":
 * missing closing parenthesis at offset 2"); the pattern is compiled with
 * PCRE2_CASELESS | PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C (not UCP: \d is
 * [0-9]) under the IG_REGEX_* limits.  IG_ENOMEM.  On error *t is NULL. */
int tok_open(tok_stream **t, const tok_opts *opts, ig_err *e);
/* Start tokenising text[0..len); path is used in messages (borrowed too).
 * The text should be valid UTF-8 (input.c checked it; a bad sequence is a
 * located IG_EDATA from tok_next, never undefined behaviour); a leading BOM
 * is skipped, but byte offsets still count it.  Resets all counters and any
 * error. */
void tok_reset(tok_stream *t, const char *text, size_t len, const char *path);
/* Next token: 1 with *tok set, 0 at end of text, or a negative code with e
 * set, located by path, line, column and byte: IG_ELIMIT "token exceeds
 * IG_MAX_TOKEN_BYTES (32768)" for an over-long token in strict mode (at the
 * token's first byte), or "document exceeds IG_MAX_DOC_TOKENS" positions;
 * IG_EDATA "invalid UTF-8" or "binary data (NUL)" (without allow_nul);
 * IG_ELIMIT when the section pattern hits a PCRE2 match limit; IG_ENOMEM.
 * After an error every call returns the same error until tok_reset().
 * Never allocates per token: buffers grow to at most about
 * 5 * IG_MAX_TOKEN_BYTES code points (for a combining-mark flood) and stay. */
int tok_next(tok_stream *t, const tok_token **tok, ig_err *e);
/* ---- plain words in bulk ------------------------------------------------
 *
 * Most tokens of English prose are plain ASCII words of under 16 bytes
 * between spaces and commas.  tok_next_plain() hands out a run of them at
 * once, for a caller (the index) whose per-token cost is mostly the call:
 * each is exactly the TOK_WORD token tok_next() would have returned next,
 * with the same byte range and position, span 0, not truncated, and the
 * sentence, paragraph, section and line of the run (none of them changes
 * within it).  The words come out while they are:
 *   - ASCII letters and digits, 1 to 15 bytes, with at least 16 bytes of
 *     text from their first byte;
 *   - followed by a byte that cannot continue them: not a hyphen, an
 *     apostrophe or a non-ASCII byte, and, after a digit, not a '.' or ','
 *     followed by a digit or a non-ASCII byte (a number, or perhaps one);
 *   - separated by ASCII spaces, tabs, DEL and the other C0 controls and by
 *     ASCII punctuation other than '.', '!' and '?' (these, line breaks,
 *     NUL and non-ASCII bytes end a run);
 * and only while no sentence or paragraph break is pending and the line's
 * heading check is done: the first word after a full stop, a line break or
 * a heading goes through tok_next().  A run stops before anything else
 * (the stream is left exactly where tok_next() continues) or after max
 * words; 0 words is an ordinary answer (call tok_next()).  Mixing the two
 * calls in any order gives the same tokens as tok_next() alone. */
typedef struct tok_plain {
    char norm[16];      /* the normalised form (the word lower-cased), then zeros */
    uint32_t start;     /* byte range [start, start + len) in the original text
                           (texts over 4 GiB get no plain runs) */
    uint32_t len;       /* bytes, 1..15 */
} tok_plain;

typedef struct tok_plain_run {
    uint32_t pos;       /* position of the run's first word (the next ones follow) */
    uint32_t sentence, paragraph, section;
    uint64_t line;
} tok_plain_run;

/* Up to max plain words into w[]; returns how many.  *run is always set
 * (from the stream's state before the call). */
size_t tok_next_plain(tok_stream *t, tok_plain *w, size_t max, tok_plain_run *run);

/* Counts for the text since the last tok_reset(), so far: positions used
 * (including all parts of a compound whose joined token was returned),
 * sentences and paragraphs that have tokens (0 for a text without tokens),
 * and tokens truncated (truncate mode). */
uint32_t tok_positions(const tok_stream *t);
uint32_t tok_sentences(const tok_stream *t);
uint32_t tok_paragraphs(const tok_stream *t);
uint64_t tok_truncated(const tok_stream *t);
void tok_close(tok_stream *t);

/* Name of a tok_kind for text output: "word", "part", "joined"; NULL for
 * anything else.  Static storage. */
const char *tok_kind_name(int kind);

/* Identity of everything that decides normalised forms, for the index
 * fingerprint: rules version, utf8proc and Unicode versions, token cap, e.g.
 * "tokenise rules 1; utf8proc 2.8.0; unicode 15.0.0; max 32768".  Static
 * storage; thread-safe. */
const char *tok_library_version(void);

/* Normalise one word the way the tokeniser would (for patterns): writes the
 * normalised form to out (reset first; NUL-terminated as ig_buf always is).
 * s[0..n) is tokenised with the default rules (NUL counts as a space) and
 * the normalised forms of its units are written in order, separated by one
 * space, where a unit is an ordinary token or a whole compound (its joined
 * form; parts are left out).  So "Multi‑Stakeholder" gives
 * "multistakeholder", "Don’t" gives "don't", "café" in NFD gives "café" in
 * NFC, "U.S." gives "u s" (two units: dots between letters separate), and
 * punctuation alone gives "" (no units).  Returns 0; IG_EDATA if s is not
 * valid UTF-8; IG_ELIMIT if a unit exceeds IG_MAX_TOKEN_BYTES; IG_ENOMEM.
 * On error out is empty.  Thread-safe (no shared state). */
struct ig_buf;
int tok_normalise_word(const char *s, size_t n, struct ig_buf *out);
/* The same, and *units (may be NULL) receives the number of units written:
 * 1 for a single word or compound, so a caller can tell a word from a
 * phrase even when a normalised form itself contains a space (rare NFKC
 * results such as U+FDFA). */
int tok_normalise_units(const char *s, size_t n, struct ig_buf *out, size_t *units);

#endif

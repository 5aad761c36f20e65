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
 * tests/unit/test_tokenise.c.  In short: NFKC + case folding via utf8proc with
 * an ASCII fast path; hyphen, dash and apostrophe variants unified; a
 * hyphenated compound yields its joined form and its parts; sentence,
 * paragraph and section numbers; byte ranges into the original text.
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

#define TOK_RULES_VERSION 1

enum tok_kind {
    TOK_WORD = 0,    /* an ordinary token */
    TOK_PART = 1,    /* one part of a hyphenated compound */
    TOK_JOINED = 2   /* the joined form of a compound, covering its parts */
};

typedef struct tok_token {
    const char *norm;      /* normalised form (NFKC, case-folded), not NUL-terminated */
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
    /* PCRE2 pattern matched against each line (after leading whitespace) to
     * recognise a section heading; its first capture group, if it matched
     * digits, is the section number.  NULL = TOK_DEFAULT_SECTION_PATTERN. */
    const char *section_pattern;
    int truncate_long;  /* 0: over-long token is an error (default); 1: truncate and count */
    int allow_nul;      /* treat NUL as a space instead of failing */
} tok_opts;

/* "Question 5", "Question 5:", "Q5:", "Q. 5" and "5." at line start are not
 * all headings; the default recognises "Question N" and "QN:" forms only. */
#define TOK_DEFAULT_SECTION_PATTERN "^(?:question|q)\\s*\\.?\\s*(\\d{1,3})\\b\\s*[:.)-]?"

typedef struct tok_stream tok_stream;

/* Create a stream.  opts may be NULL (defaults).  A bad section pattern is
 * IG_EUSAGE with the PCRE2 message and offset. */
int tok_open(tok_stream **t, const tok_opts *opts, ig_err *e);
/* Start tokenising text[0..len); path is used in messages.  The text must be
 * valid UTF-8 (input.c checked it); a leading BOM is skipped. */
void tok_reset(tok_stream *t, const char *text, size_t len, const char *path);
/* Next token: 1 with *tok set, 0 at end of text, or a negative code with e
 * set (IG_ELIMIT for an over-long token in strict mode, located by line and
 * byte; IG_ENOMEM). */
int tok_next(tok_stream *t, const tok_token **tok, ig_err *e);
/* Counts for the text since the last tok_reset(): positions used, sentences,
 * paragraphs, and tokens truncated. */
uint32_t tok_positions(const tok_stream *t);
uint32_t tok_sentences(const tok_stream *t);
uint32_t tok_paragraphs(const tok_stream *t);
uint64_t tok_truncated(const tok_stream *t);
void tok_close(tok_stream *t);

/* Normalise one word the way the tokeniser would (for patterns): writes the
 * normalised form to out (reset first).  Returns 0, or IG_EDATA if s is not
 * valid UTF-8.  A hyphenated word gives its joined form. */
struct ig_buf;
int tok_normalise_word(const char *s, size_t n, struct ig_buf *out);

#endif

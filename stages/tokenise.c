/*
 * tokenise.c: the tokeniser, bytes of one document -> normalised tokens with
 * positions, byte ranges, and sentence, paragraph and section numbers.
 *
 * Pipeline place: input.c hands over validated UTF-8; the index (and the
 * `igmap tokenise` subcommand) pulls tokens with tok_next(); the pattern
 * compiler normalises lexicon words with tok_normalise_word(), so patterns
 * and corpus text agree byte for byte.  This is the hot path of indexing:
 * ordinary ASCII words are scanned, lower-cased and returned without any call
 * into utf8proc and without allocation.
 *
 * ======================================================================
 * Tokeniser rules, version 2 (TOK_RULES_VERSION in tokenise.h).
 * Any change to what these rules produce must bump the version: it is part
 * of the index fingerprint.  tests/unit/test_tokenise.c checks every rule.
 * ======================================================================
 *
 * R1  Character classes.  Each code point of the text belongs to one class:
 *     word        general category L* (letters), M* (marks), Nd, Nl, No
 *                 (numbers), except U+02BC, which is an apostrophe;
 *     apostrophe  U+0027 ', U+2018 ', U+2019 ', U+02BC, U+FF07;
 *     hyphen      U+002D -, U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN,
 *                 U+FE63 SMALL HYPHEN-MINUS, U+FF0D FULLWIDTH HYPHEN-MINUS;
 *     transparent category Cf (format characters) except U+200B: soft
 *                 hyphen U+00AD, zero-width (non-)joiner U+200C/U+200D,
 *                 word joiner U+2060, U+FEFF (BOM / ZWNBSP), the bidi
 *                 controls U+200E/U+200F, U+202A-U+202E, U+2066-U+2069,
 *                 and the rest of Cf;
 *     space       ASCII space, tab, VT, FF, the other C0/C1 controls
 *                 (category Cc, apart from LF and CR), Zs, U+2028 LINE
 *                 SEPARATOR, U+200B ZERO WIDTH SPACE (it marks a word
 *                 break), and NUL when allow_nul is set;
 *     line break  LF, CR, and CR LF (one break), for line numbers;
 *     paragraph   U+2029 PARAGRAPH SEPARATOR;
 *     terminator  . ! ? U+2026 (…), U+037E, U+061F, U+06D4, U+0964,
 *                 U+0965, U+203C, U+2047-U+2049, U+3002, U+FF01, U+FF0E,
 *                 U+FF1F, U+FF61;
 *     closer      " ) ] } U+201D U+00BB U+203A U+300D U+300F U+3011
 *                 U+FF09 U+FF3D, plus the apostrophes (as closing quotes);
 *     other       everything else: all other punctuation and symbols,
 *                 including the dashes U+2012 FIGURE DASH, U+2013 EN DASH,
 *                 U+2014 EM DASH, U+2015 and U+2212 MINUS SIGN, the
 *                 underscore, emoji, private-use and unassigned code points.
 *
 * R2  Transparent characters act as nothing: they are skipped everywhere
 *     before any other rule looks at the text, never start, end or split a
 *     token, and never appear in a normalised form ("co\u00ADoperation" and
 *     "co\u200Doperation" give "cooperation").  A token's byte range still
 *     covers any transparent characters between its first and last
 *     significant character.  A leading BOM is one of them, so it is skipped
 *     (byte offsets still count its three bytes).
 *
 * R3  Tokens.  A part is a maximal run of word characters, extended across
 *     (a) an apostrophe whose previous significant character is a letter or
 *     mark and whose next one is a letter ("don't", "ICANN’s"; "states'"
 *     and "80's" are not extended), and (b) an ASCII '.' or ',' whose
 *     previous and next significant characters are decimal digits (Nd):
 *     "3.5", "1,000", "1,000,000.25", "v1.2" stay one token.  (c) A
 *     possessive ends a token: an apostrophe after a letter or mark,
 *     followed by "s" or "S" and then by neither a word character nor an
 *     apostrophe, is left out of the normalised form but
 *     inside the token's byte range: "ICANN’s role" gives "icann" covering
 *     "ICANN’s" ("ICANN's-led" gives "icann", "led"), so an exact pattern `=icann` finds it.  Contractions of
 *     that shape lose their "s" too ("it's" gives "it"); other
 *     contractions are kept whole ("don't").
 *
 * R4  Compounds.  Parts joined by single hyphens form a compound: a hyphen
 *     joins when the previous significant character is a word character
 *     and the next one is a word character, unless both are decimal digits
 *     (number ranges: "2015-2020" gives "2015" and "2020").  Two hyphens in
 *     a row ("--"), a hyphen at a line end, and every dash of R1's "other"
 *     class separate.  A compound of k >= 2 parts yields first one
 *     TOK_JOINED token, whose form is the parts' normalised forms
 *     concatenated, with pos = the first part's position and span = k-1,
 *     and byte range from the first part's start to the last part's end;
 *     then k TOK_PART tokens at consecutive positions, each with its own
 *     byte range.  "Multi-Stakeholder" and "Multi‑Stakeholder" (U+2011)
 *     give joined "multistakeholder" then "multi", "stakeholder".  A single
 *     part is an ordinary TOK_WORD.
 *
 * R5  Normalisation.  Each part's normalised form is its significant text
 *     (transparent characters dropped, every apostrophe written as U+0027)
 *     mapped exactly as utf8proc_map() with UTF8PROC_STABLE |
 *     UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD would map it:
 *     NFKC with Unicode case folding (utf8proc's Unicode version).  So NFC
 *     and NFD spellings give the same token, fullwidth letters give ASCII,
 *     "ﬁ" gives "fi", "Straße" gives "strasse".  The mapping is done one
 *     code point at a time with a linear-time canonical reordering, so a
 *     flood of combining marks costs linear time (utf8proc's own reordering
 *     is quadratic).  ASCII letters and digits are lower-cased directly (the
 *     same result, without utf8proc).  A normalised form may contain
 *     characters that are not word characters (NFKC of "½" is "1⁄2", of
 *     "⑴" is "(1)"); never a tab, CR or LF.
 *
 * R6  Long tokens.  A normalised form (of a word, a part or a joined
 *     compound) may hold at most IG_MAX_TOKEN_BYTES bytes.  Beyond that,
 *     strict mode (the default) stops with IG_ELIMIT "token exceeds
 *     IG_MAX_TOKEN_BYTES (32768)" located at the token's first byte;
 *     truncate mode keeps the longest prefix of whole characters that fits,
 *     sets tok_token.truncated and counts the token in tok_truncated().  A
 *     part whose decomposed form exceeds 4 * IG_MAX_TOKEN_BYTES + 4 code
 *     points is over the cap whatever composition does (a composition
 *     absorbs at most four code points), so scanning work and memory stay
 *     linear and bounded: in truncate mode the kept prefix is then the
 *     normalisation of that many code points, cut to the cap.
 *
 * R7  Lines.  LF, CR LF and a lone CR each end a line; line numbers (1-based)
 *     count them, as input.c does.  No token contains CR.
 *
 * R8  Paragraphs.  A blank line (only space and transparent characters
 *     between two line breaks) starts a new paragraph, as do U+2029 and a
 *     section heading (R10).  Paragraphs are numbered from 1 by the tokens
 *     they contain: leading or repeated blank lines create no empty
 *     paragraphs.
 *
 * R9  Sentences.  Numbered from 1, again counting only sentences that have
 *     tokens.  A sentence ends at a run of terminators, optionally followed
 *     by closers, followed by a space, a line break, U+2029 or the end of
 *     the text ("Yes.", "Really?!", "“Stop.” Then", "and so… then").  A
 *     run containing U+3002, U+FF01, U+FF1F or U+FF61 (CJK text puts no
 *     space after them) ends the sentence whatever follows.  It also ends
 *     at a paragraph break and at a section heading.  A single
 *     '.' does not end a sentence after an abbreviation.  The candidate is
 *     the run of ASCII letters and dots right before the '.', with leading
 *     dots dropped; it must start the text or follow a character that is
 *     neither an ASCII letter, digit or dot nor a non-ASCII character, and
 *     the look-back stops after 16 bytes (so longer runs are never
 *     abbreviations).  Compared case-insensitively, candidates are
 *      - always an abbreviation: e.g i.e cf vs viz al para paras art arts
 *        p pp vol vols mr mrs ms dr prof st fig figs u.s u.s.a u.k u.n e.u
 *        inc ltd co jr sr approx dept gov res doc sec ch rev ed eds, the
 *        months jan feb mar apr jun jul aug sep sept oct nov dec, and a
 *        single upper-case letter (an initial, "J. Smith");
 *      - "etc": ends the sentence unless the next token begins with a
 *        lower-case letter (Ll);
 *      - "no", "nos": end the sentence unless the next token begins with a
 *        decimal digit ("No. 5", but "The answer is no. We").
 *     The list and its look-up are in tokenise_abbr.c.
 *
 * R10 Sections.  At the start of each line, after leading space and
 *     transparent characters, the section pattern (PCRE2, caseless, UTF;
 *     tok_opts.section_pattern, default TOK_DEFAULT_SECTION_PATTERN) is
 *     matched, anchored, against at most the first 1024 bytes of the rest
 *     of the line (without its line break).  A match starts a new section
 *     (and a new paragraph and sentence) whose number is the integer in the
 *     ASCII digits of the first capture group (1 to 9 digits), or else the
 *     heading's ordinal among the headings of the document.  The heading's
 *     own words are tokens of the new section.  Text before the first
 *     heading is section 0.
 *
 * R11 Input.  The text must be UTF-8; an invalid sequence stops with
 *     IG_EDATA "invalid UTF-8" at its first byte (input.c normally rejects
 *     it first).  NUL is IG_EDATA "binary data (NUL)" unless allow_nul.
 *     Scripts written without spaces (Chinese, Japanese, Thai) are not
 *     segmented into words: a run of letters is one token.
 */
#include "tokenise.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "alloc.h"
#include "buf.h"
#include "limits.h"
#include "tokenise_abbr.h"

#define STAGE "tokenise"
#define TOK_CAP ((size_t)IG_MAX_TOKEN_BYTES)
/* Decomposed code points of one part beyond which its normalised form is
 * certainly over the cap (R6). */
#define TOK_U32_LIMIT (4 * TOK_CAP + 4)
/* Bytes of a line the section pattern sees (R10). */
#define TOK_HEADING_BYTES 1024
/* Runs of combining marks up to this length are ordered by insertion sort;
 * longer ones by a counting sort on the combining class. */
#define TOK_SHORT_RUN 32

/* Measurement switch, never set in normal builds: -DTOK_BENCH_FORCE_UTF8PROC
 * sends every code point of every word through utf8proc (no ASCII fast
 * path), so a benchmark can show what the fast path saves. */
#if defined(TOK_BENCH_FORCE_UTF8PROC)
#define TOK_FORCE_UTF8PROC 1
#else
#define TOK_FORCE_UTF8PROC 0
#endif

/* utf8proc options of R5. */
#define TOK_NFKC_CF (UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)

/* Character classes (R1). */
enum {
    CC_OTHER = 0,
    CC_L,        /* letter */
    CC_M,        /* mark */
    CC_ND,       /* decimal digit */
    CC_NO,       /* other number (Nl, No) */
    CC_APOS,     /* apostrophe variants */
    CC_HYPHEN,   /* hyphen variants */
    CC_DOT,      /* ASCII '.': decimal separator or terminator */
    CC_COMMA,    /* ASCII ',': decimal separator */
    CC_TERM,     /* other sentence terminators */
    CC_CLOSE,    /* closing quotes and brackets */
    CC_SPACE,
    CC_LF,
    CC_CR,
    CC_PARA,     /* U+2029 */
    CC_TRANSP,   /* transparent (R2) */
    CC_NUL,
    CC_INVALID   /* not valid UTF-8 */
};

#define CC_IS_WORD(c) ((c) >= CC_L && (c) <= CC_NO)

/* Pending sentence break kinds (R9), in increasing strength. */
enum { PEND_NONE = 0, PEND_LOWER, PEND_DIGIT, PEND_END };

/* Flags of fast_tab: the ASCII fast path's view of a byte. */
#define F_ALNUM 1u
#define F_UPPER 2u
#define F_DIGIT 4u
/* After an ASCII word: a byte that sends it to the general path (a
 * non-ASCII byte, hyphen or apostrophe may continue it), one that does
 * when a digit is on both sides ('.' and ','), and one that counts as
 * such a digit after it (a digit, or a non-ASCII byte: R5). */
#define F_BREAK 8u
#define F_NUMSEP 16u
#define F_NUMNEXT 32u

static unsigned char fast_tab[256];
static unsigned char ascii_cc[128];
static unsigned char ascii_lower[128];
/* What tok_next_plain does at a byte between words: the cases of tok_next's
 * loop that neither touch the line, sentence or paragraph state nor need a
 * heading check once the line has started (PA_STOP: everything else, left
 * to tok_next). */
enum { PA_STOP = 0, PA_WORD, PA_SKIP };
static unsigned char plain_act[256];

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;


/* Fill the byte tables (once per process, through tables_init()). */
static void tables_fill(void)
{
    tok_abbr_init();
    for (int c = 0; c < 128; c++) {
        unsigned char k = CC_OTHER;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            k = CC_L;
        else if (c >= '0' && c <= '9')
            k = CC_ND;
        else if (c == '\n')
            k = CC_LF;
        else if (c == '\r')
            k = CC_CR;
        else if (c == 0)
            k = CC_NUL;
        else if (c < 0x20 || c == ' ' || c == 0x7F)
            k = CC_SPACE;
        else if (c == '\'')
            k = CC_APOS;
        else if (c == '-')
            k = CC_HYPHEN;
        else if (c == '.')
            k = CC_DOT;
        else if (c == ',')
            k = CC_COMMA;
        else if (c == '!' || c == '?')
            k = CC_TERM;
        else if (c == '"' || c == ')' || c == ']' || c == '}')
            k = CC_CLOSE;
        ascii_cc[c] = k;
        ascii_lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        unsigned char f = 0;
        if (k == CC_L || k == CC_ND)
            f |= F_ALNUM;
        if (c >= 'A' && c <= 'Z')
            f |= F_UPPER;
        if (k == CC_ND)
            f |= F_DIGIT | F_NUMNEXT;
        if (k == CC_HYPHEN || k == CC_APOS)
            f |= F_BREAK;
        if (k == CC_DOT || k == CC_COMMA)
            f |= F_NUMSEP;
        fast_tab[c] = f;
    }
    for (int c = 128; c < 256; c++)
        fast_tab[c] = F_BREAK | F_NUMNEXT;
    /* tok_next: an ASCII letter or digit starts the fast path; LF, CR,
     * '.', '!' and '?' change the state, and NUL is an error or (with
     * allow_nul) a space, left to tok_next either way; a space is
     * skipped, and so is
     * any other ASCII byte (the switch's default, which also marks the line
     * as not blank: it is not blank already once its heading check is
     * done).  Non-ASCII bytes stop (plain_act is 0 there). */
    for (int c = 0; c < 128; c++) {
        unsigned k = ascii_cc[c];
        plain_act[c] = (fast_tab[c] & F_ALNUM) ? PA_WORD
                       : (k == CC_LF || k == CC_CR || k == CC_NUL || k == CC_DOT || k == CC_TERM)
                           ? PA_STOP
                           : PA_SKIP;
    }
}

#if defined(__SSE2__)
#define TOK_SSE2 1
#include <emmintrin.h>
/* The 16 bytes at s: a mask with bit i set when s[i] is not an ASCII letter
 * or digit (not F_ALNUM), and in *upper the bits of A-Z.  Byte ranges are
 * tested with signed compares after shifting the range to start at -128. */
static inline unsigned sse_nonalnum(const unsigned char *s, unsigned *upper)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i isl = _mm_cmplt_epi8(_mm_add_epi8(lo, _mm_set1_epi8((char)(128 - 'a'))),
                                 _mm_set1_epi8((char)(-128 + 26)));
    __m128i isd = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - '0'))),
                                 _mm_set1_epi8((char)(-128 + 10)));
    __m128i isu = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - 'A'))),
                                 _mm_set1_epi8((char)(-128 + 26)));
    *upper = (unsigned)_mm_movemask_epi8(isu);
    return ~(unsigned)_mm_movemask_epi8(_mm_or_si128(isl, isd)) & 0xFFFFu;
}
/* The 16 bytes at s with A-Z lower-cased. */
static inline __m128i sse_lower(const unsigned char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i isu = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - 'A'))),
                                 _mm_set1_epi8((char)(-128 + 26)));
    return _mm_or_si128(v, _mm_and_si128(isu, _mm_set1_epi8(0x20)));
}
/* The same, into out. */
static inline void sse_lower16(const unsigned char *s, char *out)
{
    _mm_storeu_si128((__m128i *)(void *)out, sse_lower(s));
}
#else
#define TOK_SSE2 0
#endif

static void tables_init(void)
{
    (void)pthread_once(&tables_once, tables_fill);
}

/* Class of a non-ASCII code point (R1). */
static int cp_class(int32_t cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x02BC: case 0xFF07:
        return CC_APOS;
    case 0x2010: case 0x2011: case 0xFE63: case 0xFF0D:
        return CC_HYPHEN;
    case 0x200B: case 0x2028:
        return CC_SPACE;
    case 0x2029:
        return CC_PARA;
    case 0x2026: case 0x037E: case 0x061F: case 0x06D4: case 0x0964: case 0x0965:
    case 0x203C: case 0x2047: case 0x2048: case 0x2049: case 0x3002: case 0xFF01:
    case 0xFF0E: case 0xFF1F: case 0xFF61:
        return CC_TERM;
    case 0x201D: case 0x00BB: case 0x203A: case 0x300D: case 0x300F: case 0x3011:
    case 0xFF09: case 0xFF3D:
        return CC_CLOSE;
    default:
        break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        return CC_L;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return CC_M;
    case UTF8PROC_CATEGORY_ND:
        return CC_ND;
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return CC_NO;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_CC:
        return CC_SPACE;
    case UTF8PROC_CATEGORY_ZP:
        return CC_PARA;
    case UTF8PROC_CATEGORY_CF:
        return CC_TRANSP;
    default:
        return CC_OTHER;
    }
}

/* Decode the sequence at s[p] (p < n): its code point and length, or -1
 * with *len = 1 for an invalid or truncated sequence (Unicode's definition:
 * no overlongs, surrogates or values above U+10FFFF). */
static inline int32_t utf8_dec(const unsigned char *s, size_t n, size_t p, size_t *len)
{
    unsigned c = s[p];
    *len = 1;
    if (c < 0x80)
        return (int32_t)c;
    if (c < 0xC2)
        return -1;
    if (c < 0xE0) {
        if (n - p < 2 || (s[p + 1] & 0xC0) != 0x80)
            return -1;
        *len = 2;
        return (int32_t)(((c & 0x1Fu) << 6) | (s[p + 1] & 0x3Fu));
    }
    if (c < 0xF0) {
        if (n - p < 3)
            return -1;
        unsigned c1 = s[p + 1], c2 = s[p + 2];
        if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c == 0xE0 && c1 < 0xA0) ||
            (c == 0xED && c1 >= 0xA0))
            return -1;
        *len = 3;
        return (int32_t)(((c & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu));
    }
    if (c < 0xF5) {
        if (n - p < 4)
            return -1;
        unsigned c1 = s[p + 1], c2 = s[p + 2], c3 = s[p + 3];
        if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c3 & 0xC0) != 0x80 ||
            (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
            return -1;
        *len = 4;
        return (int32_t)(((c & 0x07u) << 18) | ((c1 & 0x3Fu) << 12) | ((c2 & 0x3Fu) << 6) |
                         (c3 & 0x3Fu));
    }
    return -1;
}

struct tok_stream {
    /* configuration */
    int truncate_long;              /* R6 policy */
    int allow_nul;                  /* NUL is a space */
    pcre2_general_context *gctx;    /* PCRE2 memory through ig_malloc */
    pcre2_code *code;               /* section pattern, NULL = none */
    pcre2_match_data *md;
    pcre2_match_context *mctx;      /* IG_REGEX_* limits */
    int filter;                     /* 1: first_ok rules out most lines */
    unsigned char first_ok[256];    /* bytes a heading may start with */

    /* the text */
    const unsigned char *s;         /* borrowed from tok_reset() */
    size_t n;
    size_t p;                       /* scan position */
    size_t bom;                     /* 3 if the text starts with a BOM */
    const char *path;               /* for messages */

    /* line, paragraph, sentence and section state */
    uint64_t line;                  /* current line, 1-based */
    size_t line_start;              /* byte offset where it starts */
    int at_bol;                     /* heading check still due on this line */
    int line_blank;                 /* nothing but space seen on this line */
    int sent_pend;                  /* PEND_* before the next token */
    int para_pend;                  /* paragraph break before the next token */
    uint32_t sentence, paragraph, section, headings;
    uint32_t next_pos;              /* position of the next unit */
    uint64_t ntrunc;                /* tokens truncated */

    /* compound parts still to return */
    uint32_t parts_left;
    uint32_t part_pos;
    size_t part_p;                  /* where the next part starts */
    uint64_t unit_line;

    /* the token handed out, and the normalised-form buffers */
    tok_token tok;
    char *norm;                     /* TOK_CAP + TOK_NORM_READ + 8 bytes */
    size_t norm_len;
    int32_t *u32;                   /* decomposed code points of a part */
    size_t u32_len, u32_cap;
    int32_t *tmp;                   /* counting-sort scratch, u32_cap long */
    size_t part_start;              /* norm offset where the part began */
    int part_fast;                  /* part is all ASCII so far, in norm */
    int full;                       /* cap reached: ignore further input */
    int trunc;                      /* the unit was truncated */

    /* sticky error */
    int err;
    ig_err errv;
};

/* ---- errors ------------------------------------------------------------ */

/* 1-based column of byte `at` on the current line, in characters, not
 * counting a leading BOM (F10).  Only computed for messages. */
static uint64_t col_of(const tok_stream *t, size_t at)
{
    size_t from = t->line_start;
    if (from < t->bom)
        from = t->bom;
    uint64_t col = 1;
    for (size_t i = from; i < at && i < t->n; i++)
        if ((t->s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static int tok_fail(tok_stream *t, ig_err *e, int code, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Record the stream's (first) error, located at byte `at` of the current
 * line, and copy it to e.  The stream stays failed until tok_reset(). */
static int tok_fail(tok_stream *t, ig_err *e, int code, size_t at, const char *fmt, ...)
{
    if (!t->err) {
        char msg[sizeof t->errv.msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        ig_err_clear(&t->errv);
        if (code == IG_ENOMEM)
            ig_err_nomem(&t->errv, STAGE);
        else
            ig_err_set(&t->errv, code, STAGE, t->path, t->line, col_of(t, at), (uint64_t)at,
                       "%s", msg);
        t->err = code;
    }
    if (e != NULL && e->code == IG_OK)
        *e = t->errv;
    return t->err;
}

/* ---- normalisation of one part (R5, R6) --------------------------------- */

static int u32_reserve(tok_stream *t, size_t need)
{
    if (need <= t->u32_cap)
        return 0;
    size_t cap = t->u32_cap ? t->u32_cap : 256;
    while (cap < need)
        cap *= 2;
    int32_t *a = ig_reallocarray(t->u32, cap, sizeof *a);
    if (a == NULL)
        return IG_ENOMEM;
    t->u32 = a;
    int32_t *b = ig_reallocarray(t->tmp, cap, sizeof *b);
    if (b == NULL)
        return IG_ENOMEM;
    t->tmp = b;
    t->u32_cap = cap;
    return 0;
}

/* The cap is exceeded: an error in strict mode, else stop taking input. */
static int over_cap(tok_stream *t)
{
    if (!t->truncate_long)
        return IG_ELIMIT;
    t->full = 1;
    t->trunc = 1;
    return 0;
}

static void part_begin(tok_stream *t)
{
    t->part_start = t->norm_len;
    t->part_fast = 1;
    t->u32_len = 0;
}

/* Move the part's ASCII bytes so far into the code point buffer. */
static int part_to_slow(tok_stream *t)
{
    size_t k = t->norm_len - t->part_start;
    if (u32_reserve(t, k + 32))
        return IG_ENOMEM;
    for (size_t i = 0; i < k; i++)
        t->u32[i] = (unsigned char)t->norm[t->part_start + i];
    t->u32_len = k;
    t->norm_len = t->part_start;
    t->part_fast = 0;
    return 0;
}

static int push_decomposed(tok_stream *t, int32_t cp);

static inline int push_ascii(tok_stream *t, unsigned c)
{
    if (t->full)
        return 0;
    if (TOK_FORCE_UTF8PROC) {
        if (t->part_fast && part_to_slow(t))
            return IG_ENOMEM;
        return push_decomposed(t, (int32_t)c);
    }
    unsigned char l = ascii_lower[c];
    if (t->part_fast) {
        if (t->norm_len >= TOK_CAP)
            return over_cap(t);
        t->norm[t->norm_len++] = (char)l;
        return 0;
    }
    if (t->u32_len >= t->u32_cap && u32_reserve(t, t->u32_len + 1))
        return IG_ENOMEM;
    t->u32[t->u32_len++] = l;
    if (t->u32_len > TOK_U32_LIMIT)
        return over_cap(t);
    return 0;
}

static int push_cp(tok_stream *t, int32_t cp)
{
    if (cp < 0x80)
        return push_ascii(t, (unsigned)cp);
    if (t->full)
        return 0;
    if (t->part_fast && part_to_slow(t))
        return IG_ENOMEM;
    return push_decomposed(t, cp);
}

/* Append the NFKC-casefold decomposition of cp to the code point buffer. */
static int push_decomposed(tok_stream *t, int32_t cp)
{
    for (;;) {
        int bound = 0;
        size_t room = t->u32_cap - t->u32_len;
        utf8proc_ssize_t r = utf8proc_decompose_char(cp, t->u32 + t->u32_len,
                                                     (utf8proc_ssize_t)room, TOK_NFKC_CF, &bound);
        if (r < 0) /* not a code point: cannot come from utf8_dec; keep it as is */
            r = 0;
        if ((size_t)r <= room) {
            t->u32_len += (size_t)r;
            break;
        }
        if (u32_reserve(t, t->u32_len + (size_t)r))
            return IG_ENOMEM;
    }
    if (t->u32_len > TOK_U32_LIMIT)
        return over_cap(t);
    return 0;
}

static inline int ccc_of(int32_t cp)
{
    return cp < 0x300 ? 0 : utf8proc_get_property(cp)->combining_class;
}

/* Stable sort of a run of non-starters by combining class: the canonical
 * ordering utf8proc does by adjacent swaps, in linear time. */
static void sort_run(int32_t *a, size_t r, int32_t *tmp)
{
    if (r <= TOK_SHORT_RUN) {
        for (size_t i = 1; i < r; i++) {
            int32_t x = a[i];
            int cx = ccc_of(x);
            size_t j = i;
            while (j > 0 && ccc_of(a[j - 1]) > cx) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t count[257];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < r; i++)
        count[ccc_of(a[i]) + 1]++;
    for (size_t k = 1; k < 257; k++)
        count[k] += count[k - 1];
    for (size_t i = 0; i < r; i++)
        tmp[count[ccc_of(a[i])]++] = a[i];
    memcpy(a, tmp, r * sizeof *a);
}

/* End of a part: order, compose and encode the code point buffer into norm,
 * within the cap. */
static int part_finish(tok_stream *t)
{
    int rc = 0;
    if (!t->part_fast && t->u32_len > 0) {
        int32_t *b = t->u32;
        size_t n = t->u32_len;
        for (size_t i = 0; i < n;) {
            if (ccc_of(b[i]) == 0) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && ccc_of(b[j]) != 0)
                j++;
            sort_run(b + i, j - i, t->tmp);
            i = j;
        }
        utf8proc_ssize_t m = utf8proc_normalize_utf32(b, (utf8proc_ssize_t)n, TOK_NFKC_CF);
        for (utf8proc_ssize_t i = 0; i < m; i++) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t k = utf8proc_encode_char(b[i], enc);
            if (t->norm_len + (size_t)k > TOK_CAP) {
                rc = over_cap(t);
                break;
            }
            memcpy(t->norm + t->norm_len, enc, (size_t)k);
            t->norm_len += (size_t)k;
        }
    }
    part_begin(t);
    return rc;
}

/* ---- scanning ----------------------------------------------------------- */

/* Class and length of the code point at p (p < n). */
static inline int class_at(const tok_stream *t, size_t p, int32_t *cp, size_t *len)
{
    unsigned c = t->s[p];
    if (c < 0x80) {
        *len = 1;
        *cp = (int32_t)c;
        return ascii_cc[c];
    }
    int32_t u = utf8_dec(t->s, t->n, p, len);
    *cp = u;
    return u < 0 ? CC_INVALID : cp_class(u);
}

/* The next significant (non-transparent) code point at or after p: its
 * class, with *at set to its offset; CC_OTHER at the end of the text. */
static int next_significant(const tok_stream *t, size_t p, size_t *at, int32_t *cp)
{
    size_t len;
    while (p < t->n) {
        int k = class_at(t, p, cp, &len);
        if (k != CC_TRANSP) {
            *at = p;
            return k;
        }
        p += len;
    }
    *at = p;
    *cp = -1;
    return CC_OTHER;
}

struct unit {
    size_t end;        /* byte after the last significant character */
    size_t next;       /* part mode: start of the next part, 0 if none */
    uint32_t nparts;   /* parts seen (compound mode) */
};

/* Scan the word unit starting at p (a word character), appending its
 * normalised form to t->norm (emptied first).  In compound mode the unit
 * runs across joining hyphens and the form is the joined one; in part mode
 * it stops at the first joining hyphen and u->next says where the next part
 * begins.  Returns 0, IG_ELIMIT (strict, over the cap) or IG_ENOMEM. */
static int scan_unit(tok_stream *t, size_t p, int part_mode, struct unit *u)
{
    int rc = 0, prev = CC_OTHER;
    size_t last_end = p, len;
    int32_t cp;
    t->norm_len = 0;
    t->full = 0;
    t->trunc = 0;
    part_begin(t);
    u->next = 0;
    u->nparts = 1;
    while (p < t->n) {
        int k = class_at(t, p, &cp, &len);
        if (CC_IS_WORD(k)) {
            rc = push_cp(t, cp);
            if (rc)
                return rc;
            prev = k;
            p += len;
            last_end = p;
            continue;
        }
        if (k == CC_TRANSP) {
            p += len;
            continue;
        }
        if (k != CC_APOS && k != CC_HYPHEN && k != CC_DOT && k != CC_COMMA)
            break;
        size_t q;
        int32_t ncp;
        int nk = next_significant(t, p + len, &q, &ncp);
        if (k == CC_APOS) {
            /* R3(c): a possessive "'s" closes the token and stays out of
             * its form, so `=icann` finds "ICANN's" (one exact form per
             * name, as lexicon authors expect). */
            if ((prev == CC_L || prev == CC_M) && (ncp == 's' || ncp == 'S')) {
                size_t q2;
                int32_t ncp2;
                int nk2 = next_significant(t, q + 1, &q2, &ncp2);
                if (!CC_IS_WORD(nk2) && nk2 != CC_APOS) {
                    last_end = q + 1;
                    break;
                }
            }
            if ((prev == CC_L || prev == CC_M) && nk == CC_L) {
                if ((rc = push_ascii(t, '\'')) != 0)
                    return rc;
                p = q;
                continue;
            }
            break;
        }
        if (k == CC_DOT || k == CC_COMMA) {
            if (prev == CC_ND && nk == CC_ND) {
                if ((rc = push_ascii(t, (unsigned)cp)) != 0)
                    return rc;
                p = q;
                continue;
            }
            break;
        }
        /* hyphen (R4) */
        if (!CC_IS_WORD(nk) || (prev == CC_ND && nk == CC_ND))
            break;
        if (part_mode) {
            u->next = q;
            break;
        }
        if ((rc = part_finish(t)) != 0)
            return rc;
        u->nparts++;
        p = q;
    }
    rc = part_finish(t);
    u->end = last_end;
    return rc;
}

/* ---- sentence, paragraph and section state ------------------------------- */

static void pend_sentence(tok_stream *t, int kind)
{
    if (kind > t->sent_pend || (kind != PEND_END && t->sent_pend != PEND_END))
        t->sent_pend = kind;
}

static inline void new_line(tok_stream *t, size_t p)
{
    t->line++;
    t->line_start = p;
    if (t->line_blank) {
        t->para_pend = 1;
        t->sent_pend = PEND_END;
    }
    t->line_blank = 1;
    t->at_bol = 1;
}

/* A unit begins whose first code point has class k and value cp: apply the
 * pending sentence and paragraph breaks. */
static inline void unit_begin(tok_stream *t, int k, int32_t cp)
{
    int brk = t->sent_pend;
    if (brk == PEND_LOWER)
        brk = !(cp >= 'a' && cp <= 'z') &&
              !(cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_LL);
    else if (brk == PEND_DIGIT)
        brk = k != CC_ND;
    if (brk || t->sentence == 0)
        t->sentence++;
    if (t->para_pend || t->paragraph == 0)
        t->paragraph++;
    t->sent_pend = PEND_NONE;
    t->para_pend = 0;
    t->line_blank = 0;
}

/* A sentence ends at a terminator after a word of abbreviation kind a
 * (R9): note the break the kind calls for. */
static void sentence_end(tok_stream *t, int a)
{
    if (a == ABBR_NONE)
        pend_sentence(t, PEND_END);
    else if (a == ABBR_ETC)
        pend_sentence(t, PEND_LOWER);
    else if (a == ABBR_NO)
        pend_sentence(t, PEND_DIGIT);
}

/* A terminator at q: note a sentence break if the rules of R9 say so.
 * Returns the offset after the run of terminators. */
static size_t sentence_mark(tok_stream *t, size_t q)
{
    /* The common case, one ASCII terminator before a space or line break,
     * without the class look-ups of the general loops (which would find
     * the same: one terminator, then an end). */
    if (q + 1 < t->n && (t->s[q + 1] == ' ' || t->s[q + 1] == '\n') && t->s[q] < 0x80) {
        sentence_end(t, t->s[q] == '.' ? tok_abbrev_kind(t->s, q) : ABBR_NONE);
        return q + 1;
    }
    size_t r = q, len, nterm = 0;
    int32_t cp;
    int k;
    int ends = 0;
    while (r < t->n && ((k = class_at(t, r, &cp, &len)) == CC_DOT || k == CC_TERM)) {
        if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF61)
            ends = 1; /* ideographic and fullwidth: no space follows in CJK text */
        r += len;
        nterm++;
    }
    size_t after = r;
    while (r < t->n) {
        k = class_at(t, r, &cp, &len);
        if (k == CC_CLOSE || k == CC_APOS || k == CC_TRANSP) {
            r += len;
            continue;
        }
        ends |= k == CC_SPACE || k == CC_LF || k == CC_CR || k == CC_PARA ||
                (k == CC_NUL && t->allow_nul);
        break;
    }
    if (r >= t->n)
        ends = 1;
    if (ends)
        sentence_end(t, nterm == 1 && t->s[q] == '.' ? tok_abbrev_kind(t->s, q) : ABBR_NONE);
    return after;
}

/* Heading check at p, the first non-space character of a line (R10). */
static int heading_at(tok_stream *t, size_t p, ig_err *e)
{
    t->at_bol = 0;
    if (t->code == NULL || (t->filter && !t->first_ok[t->s[p]]))
        return 0;
    size_t lim = t->n - p < TOK_HEADING_BYTES ? t->n : p + TOK_HEADING_BYTES;
    size_t eol = p;
    while (eol < lim && t->s[eol] != '\n' && t->s[eol] != '\r')
        eol++;
    if (eol == lim && lim < t->n)
        while (eol > p && (t->s[eol] & 0xC0) == 0x80)
            eol--;
    int rc = pcre2_match(t->code, (PCRE2_SPTR)(t->s + p), eol - p, 0, PCRE2_ANCHORED, t->md,
                         t->mctx);
    if (rc == PCRE2_ERROR_NOMATCH || (rc < 0 && rc >= PCRE2_ERROR_UTF8_ERR21 &&
                                      rc <= PCRE2_ERROR_UTF8_ERR1))
        return 0; /* a bad sequence is reported, located, by the scanner */
    if (rc == PCRE2_ERROR_NOMEMORY)
        return tok_fail(t, e, IG_ENOMEM, p, "out of memory");
    if (rc < 0) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return tok_fail(t, e, IG_ELIMIT, p, "section pattern: %s", (const char *)msg);
    }
    uint32_t num = 0;
    int digits = 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
    if (rc >= 2 && ov[2] != PCRE2_UNSET) {
        for (PCRE2_SIZE i = ov[2]; i < ov[3]; i++) {
            unsigned c = t->s[p + i];
            if (c >= '0' && c <= '9' && digits < 10) {
                num = num * 10 + (c - '0');
                digits++;
            }
        }
    }
    t->headings++;
    t->section = digits >= 1 && digits <= 9 ? num : t->headings;
    t->para_pend = 1;
    t->sent_pend = PEND_END;
    return 0;
}

/* ---- the stream --------------------------------------------------------- */

static void *pc_malloc(PCRE2_SIZE n, void *data)
{
    (void)data;
    return ig_malloc(n);
}

static void pc_free(void *p, void *data)
{
    (void)data;
    ig_free(p);
}

/* Build the first-byte filter: a line whose first byte cannot start a match
 * is skipped without calling PCRE2. */
static void heading_filter(tok_stream *t)
{
    const uint8_t *bits = NULL;
    uint32_t type = 0, unit = 0;
    t->filter = 0;
    if (pcre2_pattern_info(t->code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1 &&
        pcre2_pattern_info(t->code, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0 && unit < 0x80) {
        memset(t->first_ok, 0, sizeof t->first_ok);
        t->first_ok[unit] = 1;
        if ((unit | 32) >= 'a' && (unit | 32) <= 'z')
            t->first_ok[unit ^ 32] = 1; /* caseless: both cases */
        t->filter = 1;
    } else if (pcre2_pattern_info(t->code, PCRE2_INFO_FIRSTBITMAP, &bits) == 0 && bits != NULL) {
        for (int c = 0; c < 256; c++)
            t->first_ok[c] = (unsigned char)((bits[c / 8] >> (c % 8)) & 1);
        t->filter = 1;
    }
}

static int section_compile(tok_stream *t, const char *pattern, ig_err *e)
{
    int rc = IG_ENOMEM;
    pcre2_compile_context *cctx = NULL;
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    t->gctx = pcre2_general_context_create(pc_malloc, pc_free, NULL);
    if (t->gctx == NULL || (cctx = pcre2_compile_context_create(t->gctx)) == NULL)
        goto out;
    pcre2_set_max_pattern_length(cctx, IG_REGEX_MAX_PATTERN);
    pcre2_set_parens_nest_limit(cctx, IG_REGEX_NEST_LIMIT);
    t->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                            PCRE2_CASELESS | PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &errcode,
                            &erroff, cctx);
    if (t->code == NULL) {
        if (errcode != PCRE2_ERROR_NOMEMORY && errcode != PCRE2_ERROR_HEAP_FAILED) {
            PCRE2_UCHAR msg[160];
            char q[96];
            pcre2_get_error_message(errcode, msg, sizeof msg);
            rc = ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "section pattern \"%s\": %s at offset %zu",
                            ig_quote(q, sizeof q, pattern, strlen(pattern)),
                            (const char *)msg, (size_t)erroff);
        }
        goto out;
    }
    (void)pcre2_jit_compile(t->code, PCRE2_JIT_COMPLETE); /* interpreter if it fails */
    t->md = pcre2_match_data_create_from_pattern(t->code, t->gctx);
    t->mctx = pcre2_match_context_create(t->gctx);
    if (t->md == NULL || t->mctx == NULL)
        goto out;
    pcre2_set_match_limit(t->mctx, IG_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(t->mctx, IG_REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(t->mctx, IG_REGEX_HEAP_LIMIT_KIB);
    heading_filter(t);
    rc = 0;
out:
    if (rc == IG_ENOMEM)
        ig_err_nomem(e, STAGE);
    pcre2_compile_context_free(cctx);
    return rc;
}

/* Set up a stream without a section pattern (also used on the stack by
 * tok_normalise_units). */
static int stream_init(tok_stream *t, int truncate_long, int allow_nul)
{
    tables_init();
    memset(t, 0, sizeof *t);
    t->truncate_long = truncate_long;
    t->allow_nul = allow_nul;
    /* zeroed so that the TOK_NORM_READ bytes past a short norm are never
     * uninitialised memory */
    t->norm = ig_calloc(1, TOK_CAP + TOK_NORM_READ + 8);
    return t->norm == NULL ? IG_ENOMEM : 0;
}

static void stream_fini(tok_stream *t)
{
    pcre2_match_data_free(t->md);
    pcre2_match_context_free(t->mctx);
    pcre2_code_free(t->code);
    pcre2_general_context_free(t->gctx);
    ig_free(t->norm);
    ig_free(t->u32);
    ig_free(t->tmp);
}

int tok_open(tok_stream **tp, const tok_opts *opts, ig_err *e)
{
    int rc;
    tok_stream *t = ig_malloc(sizeof *t);
    *tp = NULL;
    if (t == NULL)
        return ig_err_nomem(e, STAGE);
    const char *pat = opts && opts->section_pattern ? opts->section_pattern
                                                   : TOK_DEFAULT_SECTION_PATTERN;
    rc = stream_init(t, opts ? opts->truncate_long != 0 : 0, opts ? opts->allow_nul != 0 : 0);
    if (rc)
        ig_err_nomem(e, STAGE);
    else
        rc = section_compile(t, pat, e);
    if (rc) {
        stream_fini(t);
        ig_free(t);
        return rc;
    }
    tok_reset(t, "", 0, "");
    *tp = t;
    return 0;
}

void tok_reset(tok_stream *t, const char *text, size_t len, const char *path)
{
    t->s = (const unsigned char *)text;
    t->n = len;
    t->path = path ? path : "";
    t->bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    t->p = t->bom;
    t->line = 1;
    t->line_start = 0;
    t->at_bol = 1;
    t->line_blank = 1;
    t->sent_pend = PEND_NONE;
    t->para_pend = 0;
    t->sentence = t->paragraph = t->section = t->headings = 0;
    t->next_pos = 0;
    t->ntrunc = 0;
    t->parts_left = 0;
    t->err = 0;
    ig_err_clear(&t->errv);
}

static inline const tok_token *emit(tok_stream *t, int kind, const char *norm, size_t len,
                                    size_t start, size_t end, uint32_t pos, uint32_t span,
                                    uint64_t line, int trunc)
{
    tok_token *k = &t->tok;
    k->norm = norm;
    k->norm_len = len;
    k->start = start;
    k->end = end;
    k->pos = pos;
    k->span = span;
    k->sentence = t->sentence;
    k->paragraph = t->paragraph;
    k->section = t->section;
    k->line = line;
    k->kind = (uint8_t)kind;
    k->truncated = (uint8_t)(trunc != 0);
    if (trunc)
        t->ntrunc++;
    return k;
}

/* Return the next part of the compound being emitted. */
static int next_part(tok_stream *t, const tok_token **tok, ig_err *e)
{
    struct unit u;
    size_t st = t->part_p;
    int rc = scan_unit(t, st, 1, &u);
    if (rc)
        return tok_fail(t, e, rc, st, rc == IG_ENOMEM ? "out of memory"
                        : "token exceeds IG_MAX_TOKEN_BYTES (%d)", IG_MAX_TOKEN_BYTES);
    *tok = emit(t, TOK_PART, t->norm, t->norm_len, st, u.end, t->part_pos++, 0, t->unit_line,
                t->trunc);
    t->part_p = u.next;
    t->parts_left--;
    return 1;
}

/* The general path: scan the unit at st (first code point cp of class k). */
static int slow_unit(tok_stream *t, size_t st, int k, int32_t cp, const tok_token **tok, ig_err *e)
{
    struct unit u;
    unit_begin(t, k, cp);
    int rc = scan_unit(t, st, 0, &u);
    if (rc)
        return tok_fail(t, e, rc, st, rc == IG_ENOMEM ? "out of memory"
                        : "token exceeds IG_MAX_TOKEN_BYTES (%d)", IG_MAX_TOKEN_BYTES);
    if (u.nparts > IG_MAX_DOC_TOKENS - t->next_pos)
        return tok_fail(t, e, IG_ELIMIT, st, "document exceeds IG_MAX_DOC_TOKENS (%u) positions",
                        (unsigned)IG_MAX_DOC_TOKENS);
    uint32_t pos = t->next_pos;
    t->next_pos += u.nparts;
    t->p = u.end;
    if (u.nparts == 1) {
        *tok = emit(t, TOK_WORD, t->norm, t->norm_len, st, u.end, pos, 0, t->line, t->trunc);
        return 1;
    }
    *tok = emit(t, TOK_JOINED, t->norm, t->norm_len, st, u.end, pos, u.nparts - 1, t->line,
                t->trunc);
    t->parts_left = u.nparts;
    t->part_pos = pos;
    t->part_p = st;
    t->unit_line = t->line;
    return 1;
}

int tok_next(tok_stream *t, const tok_token **tok, ig_err *e)
{
    if (t->err)
        return tok_fail(t, e, t->err, 0, "%s", "");
    if (t->parts_left)
        return next_part(t, tok, e);
    const unsigned char *s = t->s;
    size_t n = t->n, p = t->p, len;
    int32_t cp;
    int rc;
    for (;;) {
        if (p >= n) {
            t->p = p;
            return 0;
        }
        unsigned c = s[p];
        if (c < 0x80) {
            unsigned f = fast_tab[c];
            if (f & F_ALNUM) {
                /* The fast path (R5's ASCII case): [A-Za-z0-9]+ ended by a
                 * byte that cannot continue the token. */
                if (t->at_bol && (rc = heading_at(t, p, e)) != 0)
                    return rc;
                if (TOK_FORCE_UTF8PROC)
                    return slow_unit(t, p, ascii_cc[c], (int32_t)c, tok, e);
                size_t st = p;
                unsigned up = 0;
                int lowered = 0;
#if TOK_SSE2
                /* Most words end within 16 bytes: find the end with one
                 * vector test instead of a loop whose exit mispredicts. */
                if (n - p >= 16) {
                    unsigned upm, m = sse_nonalnum(s + p, &upm);
                    if (m != 0) {
                        /* Lower-case all 16 bytes at once, whether or not
                         * the word has capitals (a branch on that would be
                         * mispredicted at every capitalised word); the
                         * first k are the word (norm has room). */
                        (void)upm;
                        sse_lower16(s + p, t->norm);
                        lowered = 1;
                        p += (unsigned)__builtin_ctz(m);
                        goto scanned;
                    }
                    up = upm ? F_UPPER : 0;
                    p += 16;
                    f = p < n ? fast_tab[s[p]] : 0;
                    if (!(f & F_ALNUM))
                        goto scanned;
                }
#endif
                do {
                    up |= f;
                    p++;
                } while (p < n && ((f = fast_tab[s[p]]) & F_ALNUM));
#if TOK_SSE2
            scanned:
#endif
                if (p < n) {
                    /* One rarely taken branch: a '.' or ',' after a word
                     * is common and would mispredict as a branch of its
                     * own. */
                    unsigned fd = fast_tab[s[p]];
                    unsigned fn = p + 1 < n ? fast_tab[s[p + 1]] : 0;
                    unsigned numsep = (fd & F_NUMSEP) != 0;
                    numsep &= (fast_tab[s[p - 1]] & F_DIGIT) != 0;
                    numsep &= (fn & F_NUMNEXT) != 0;
                    if ((fd & F_BREAK) | numsep)
                        return slow_unit(t, st, ascii_cc[c], (int32_t)c, tok, e);
                }
                size_t wl = p - st;
                if (wl > TOK_CAP || t->next_pos >= IG_MAX_DOC_TOKENS)
                    return slow_unit(t, st, ascii_cc[c], (int32_t)c, tok, e);
                unit_begin(t, ascii_cc[c], (int32_t)c);
                const char *norm = (const char *)s + st;
                if (lowered)
                    norm = t->norm;
                else if ((up & F_UPPER) || n - st < TOK_NORM_READ) {
                    /* (also copied when the text ends within
                     * TOK_NORM_READ bytes, see tok_token.norm) */
                    for (size_t i = 0; i < wl; i++)
                        t->norm[i] = (char)ascii_lower[s[st + i]];
                    norm = t->norm;
                }
                t->p = p;
                *tok = emit(t, TOK_WORD, norm, wl, st, p, t->next_pos++, 0, t->line, 0);
                return 1;
            }
            /* Most bytes between words are spaces: a compare and branch
             * costs less than the switch's indirect jump. */
            if (c == ' ') {
                p++;
                continue;
            }
            switch (ascii_cc[c]) {
            case CC_SPACE:
                p++;
                continue;
            case CC_LF:
                p++;
                new_line(t, p);
                continue;
            case CC_CR:
                p++;
                if (p < n && s[p] == '\n')
                    p++;
                new_line(t, p);
                continue;
            case CC_NUL:
                if (!t->allow_nul)
                    return tok_fail(t, e, IG_EDATA, p, "binary data (NUL)");
                p++;
                continue;
            case CC_DOT:
            case CC_TERM:
                t->line_blank = 0;
                if (t->at_bol && (rc = heading_at(t, p, e)) != 0)
                    return rc;
                p = sentence_mark(t, p);
                continue;
            default:
                t->line_blank = 0;
                if (t->at_bol && (rc = heading_at(t, p, e)) != 0)
                    return rc;
                p++;
                continue;
            }
        }
        int k = class_at(t, p, &cp, &len);
        switch (k) {
        case CC_INVALID:
            return tok_fail(t, e, IG_EDATA, p, "invalid UTF-8 (byte 0x%02X)", c);
        case CC_SPACE:
        case CC_TRANSP:
            p += len;
            continue;
        case CC_PARA:
            t->para_pend = 1;
            t->sent_pend = PEND_END;
            p += len;
            continue;
        case CC_TERM:
            t->line_blank = 0;
            if (t->at_bol && (rc = heading_at(t, p, e)) != 0)
                return rc;
            p = sentence_mark(t, p);
            continue;
        default:
            t->line_blank = 0;
            if (t->at_bol && (rc = heading_at(t, p, e)) != 0)
                return rc;
            if (CC_IS_WORD(k)) {
                t->p = p;
                return slow_unit(t, p, k, cp, tok, e);
            }
            p += len;
            continue;
        }
    }
}

size_t tok_next_plain(tok_stream *t, tok_plain *w, size_t max, tok_plain_run *run)
{
    run->pos = t->next_pos;
    run->sentence = t->sentence;
    run->paragraph = t->paragraph;
    run->section = t->section;
    run->line = t->line;
#if TOK_SSE2
    /* Only where tok_next's next words would take its fast path with
     * nothing pending: no sticky error, no parts to hand out, the line's
     * heading check done, no sentence or paragraph break waiting, so that
     * unit_begin would change nothing (line_blank is 0 already once the
     * heading check is done: the byte that ended it was not a space).
     * Right after tok_next has returned an ordinary word or a compound's
     * last part none of these holds (after a joined form or another part,
     * parts are waiting); they keep the promise for any order of calls. */
    if (TOK_FORCE_UTF8PROC || t->n > UINT32_MAX || t->err || t->parts_left || t->at_bol ||
        t->sent_pend != PEND_NONE || t->para_pend || t->sentence == 0 || t->paragraph == 0)
        return 0;
    static const unsigned char keep[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    };
    const unsigned char *s = t->s;
    size_t n = t->n, p = t->p, k = 0;
    uint32_t pos = t->next_pos;
    unsigned a;
    while (k < max) {
        while (p < n && (a = plain_act[s[p]]) != PA_WORD) {
            if (a == PA_STOP)
                goto done;
            p++;
        }
        /* The word: tok_next's vector case, which sees its end within 16
         * bytes; a longer word, the text's last 16 bytes and the limit on
         * positions are left to tok_next, which starts over at the word. */
        if (n - p < 16 || pos >= IG_MAX_DOC_TOKENS)
            break;
        unsigned up, m = sse_nonalnum(s + p, &up);
        if (m == 0)
            break;
        size_t end = p + (unsigned)__builtin_ctz(m);
        unsigned fd = fast_tab[s[end]], fn = end + 1 < n ? fast_tab[s[end + 1]] : 0;
        unsigned numsep = (fd & F_NUMSEP) != 0;
        numsep &= (fast_tab[s[end - 1]] & F_DIGIT) != 0;
        numsep &= (fn & F_NUMNEXT) != 0;
        if ((fd & F_BREAK) | numsep)
            break; /* a compound, an apostrophe, a number: the general path */
        size_t len = end - p;
        __m128i tail = _mm_loadu_si128((const __m128i *)(const void *)(keep + 16 - len));
        __m128i v = _mm_and_si128(sse_lower(s + p), tail);
        _mm_storeu_si128((__m128i *)(void *)w[k].norm, v);
        w[k].start = (uint32_t)p;
        w[k].len = (uint32_t)len;
        k++;
        pos++;
        p = end;
    }
done:
    t->p = p;
    t->next_pos = pos;
    return k;
#else
    (void)w;
    (void)max;
    return 0;
#endif
}

uint32_t tok_positions(const tok_stream *t)
{
    return t->next_pos;
}

uint32_t tok_sentences(const tok_stream *t)
{
    return t->sentence;
}

uint32_t tok_paragraphs(const tok_stream *t)
{
    return t->paragraph;
}

uint64_t tok_truncated(const tok_stream *t)
{
    return t->ntrunc;
}

void tok_close(tok_stream *t)
{
    if (t == NULL)
        return;
    stream_fini(t);
    ig_free(t);
}

const char *tok_kind_name(int kind)
{
    switch (kind) {
    case TOK_WORD: return "word";
    case TOK_PART: return "part";
    case TOK_JOINED: return "joined";
    default: return NULL;
    }
}

static char version_str[96];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void version_fill(void)
{
    snprintf(version_str, sizeof version_str, "tokenise rules %d; utf8proc %s; unicode %s; max %d",
             TOK_RULES_VERSION, utf8proc_version(), utf8proc_unicode_version(),
             IG_MAX_TOKEN_BYTES);
}

const char *tok_library_version(void)
{
    (void)pthread_once(&version_once, version_fill);
    return version_str;
}

int tok_normalise_units(const char *s, size_t n, ig_buf *out, size_t *units)
{
    tok_stream t;
    ig_err e;
    const tok_token *k;
    size_t count = 0;
    int rc;
    ig_buf_reset(out);
    ig_err_clear(&e);
    if (units)
        *units = 0;
    if ((rc = stream_init(&t, 0, 1)) != 0)
        goto out;
    tok_reset(&t, s, n, "");
    while ((rc = tok_next(&t, &k, &e)) == 1) {
        if (k->kind == TOK_PART)
            continue;
        if ((count && ig_buf_addc(out, ' ')) || ig_buf_add(out, k->norm, k->norm_len)) {
            rc = IG_ENOMEM;
            goto out;
        }
        count++;
    }
    if (units)
        *units = count;
out:
    stream_fini(&t);
    if (rc < 0)
        ig_buf_reset(out);
    return rc < 0 ? rc : 0;
}

int tok_normalise_word(const char *s, size_t n, ig_buf *out)
{
    return tok_normalise_units(s, n, out, NULL);
}

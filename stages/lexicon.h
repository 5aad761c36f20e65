/*
 * lexicon.h: lexicon files (the .tsv files in lexicons/) loaded into
 * memory, validated, their patterns compiled, for reuse by `igmap lint`,
 * classify and map.
 *
 * Pipeline place: beside the pattern module (pattern.h).  A lexicon is the
 * researcher-editable knowledge of igmap: position cues, negators, issues,
 * mechanisms and gap cues.  lex_load() reads one file, reports every problem
 * in it (not just the first), and hands back its entries with their
 * patterns compiled but not resolved: the caller resolves them against an
 * index with pat_resolve().
 *
 * ---- The format (this header owns it; DESIGN.md "Lexicon format") ---------
 *
 * Encoding and lines.  UTF-8, validated byte by byte; a bad sequence is
 * reported at its line and column with its byte offset, and that line is
 * skipped (before the header is found, the check stops there, since the
 * rows cannot be read without it); a NUL byte likewise.  A leading BOM is
 * skipped; columns on the first line count from after it.  Lines end with
 * LF, CRLF or a lone CR.  No line may be longer than IG_MAX_LINE_BYTES.
 *
 * Comments and blank lines.  A line whose first byte is '#' is a comment
 * (only in column 1: an indented '#' is data).  A line that is empty or
 * holds only spaces and tabs is ignored.
 *
 * Header.  The first line that is neither is the header: column names
 * separated by single TABs, exactly one of the sets below, optionally
 * followed by a `note` column.  The header decides the kind of lexicon:
 *
 *   kind         header                                   one entry is
 *   positions    pole  dimension  weight  pattern [note]  a cue for a pole
 *   negators     pattern  scope [note]                    a negation cue
 *   issues       cluster  issue  pattern [note]           a way to name an issue
 *   mechanisms   mechanism  type  pattern [note]          a way to name a mechanism
 *   gaps         pattern [note]                           a "no forum" cue
 *
 * Entries.  Every other line is an entry: fields separated by single TABs,
 * as many as the header has columns.  When the header has a note column, a
 * row may leave it out (an empty note).  Spaces around a field are
 * trimmed; a TAB is always a separator, so a note cannot contain one.
 *
 *   pole       multilateral | multistakeholder
 *   dimension  actors, structure, codification, mission, policy_development,
 *              decision_making, representation, participation, negotiations,
 *              result (the ten of DOMAIN.md) or general
 *   weight     a positive finite decimal number, C locale whatever the
 *              environment ("0.5", "2", "1e0"; not "0,5", "nan", "inf", "0")
 *   scope      an integer 1..LEX_MAX_SCOPE: how many tokens after the end of
 *              the negation cue it reaches
 *   cluster    infrastructure, security, human_rights, legal, economic,
 *              development, sociocultural, emerging or process
 *   issue      an id of [a-z0-9_]+; every row of one issue names the same
 *              cluster
 *   mechanism  an id of [a-z0-9_]+; every row of one mechanism names the
 *              same type
 *   type       multilateral | multistakeholder | technical | regional
 *   pattern    one pattern in the language of pattern.h (word, =exact,
 *              prefix*, /regex/, "phrase", A NEAR/n B), compiled here so its
 *              errors point into the file: lexicons/positions.tsv:12:31:
 *              unterminated phrase
 *   note       free text: why the entry is there
 *
 * ---- What is checked (every problem is reported) --------------------------
 *
 * UTF-8; line length; the header (unknown header, or a different kind than
 * the caller expects: the rest of the file is then not checked); field
 * counts; empty fields; unknown poles, dimensions, clusters and types;
 * weights and scopes; issue and mechanism ids; one cluster per issue and one
 * type per mechanism (the later row is reported, naming the first); every
 * pattern compiles.  Then, across entries:
 *
 *  - duplicate: the same pattern text (after trimming) twice for the same
 *    key: the same pole (positions; whatever the dimension, since the cue
 *    would count twice), the same issue, the same mechanism, or anywhere in
 *    the file (negators, gaps).  The later row is reported, naming the first;
 *  - conflicting (positions): the same pattern text as a cue of both poles;
 *  - shadowed: within one key (as above), an entry that can never add a
 *    match beyond another one.  Decided from the patterns alone, without an
 *    index, for these cases only:
 *      . both patterns are the same after normalisation (case, NFKC,
 *        hyphens: `Multi-Stakeholder` and `multistakeholder`; a one-word
 *        phrase `"dns"` and the word `dns`);
 *      . `=word` beside the stemmed `word` (the exact form always has the
 *        word's stem) or beside a prefix `p*` with word starting with p;
 *      . `p*` beside a shorter prefix `q*` with p starting with q;
 *      . a phrase beside a phrase of as many words, each word of the first
 *        covered by the word at the same place in the second by one of the
 *        rules above.
 *    NEAR patterns are compared only for sameness; regexes only as text;
 *    a stemmed word is never said to be covered by a prefix (its stem may
 *    match forms that do not start with the prefix).  Where entries carry
 *    a weight (positions) or a scope (negators), an entry is shadowed only
 *    when its weight or scope is not larger than the covering entry's: a
 *    narrower cue with a higher weight still changes a score.  Of two
 *    entries that cover each other, the one with the smaller weight or
 *    scope is reported (on a tie, the later line).
 *
 * Messages: `igmap: <stage>: <path>:<line>:<col>: <what>`, the column (1-based,
 * in characters) pointing at the offending field; UTF-8 errors also give
 * the byte offset.  They are sorted by line and column.  Examples:
 *     igmap: lint: lexicons/positions.tsv:12:31: unterminated phrase
 *     igmap: lint: lexicons/positions.tsv:40:19: invalid weight "0,5"
 *     igmap: lint: lexicons/issues.tsv:88:19: duplicate entry: same issue and
 *         pattern as line 41
 *
 * ---- Use --------------------------------------------------------------------
 *
 *     ig_msgs probs = {0};
 *     lex_file *lx;
 *     if (lex_load(&lx, "lexicons/issues.tsv", LEX_ISSUES, "map", &probs, &e))
 *         { cmd_print_msgs(&probs); ... }   every problem, then e's summary
 *     for (size_t i = 0; i < lex_count(lx); i++)
 *         pat_resolve(lex_entry_pattern(lx, i), rs, &e); ...
 *     lex_free(lx); ig_msgs_free(&probs);
 *
 * Ownership: a lex_file owns its entries, their strings and their compiled
 * patterns; everything an accessor returns is borrowed and valid until
 * lex_free().  lex_entry_pattern() returns a non-const pattern so the caller
 * can resolve it in place (pat_resolve), which is why a lex_file must not be
 * shared between threads while patterns are being resolved; resolved
 * patterns may then be scanned from several threads (pattern.h).  Accessors
 * take an entry number 0..lex_count()-1 (entries in file order) and do not
 * check it.
 */
#ifndef IG_LEXICON_H
#define IG_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pattern.h"

/* Largest negator scope: a negation does not reach further than a long
 * clause; bigger values are typos (and could never cross a sentence). */
#if !defined(LEX_MAX_SCOPE)
#define LEX_MAX_SCOPE 50
#endif

/* Largest lexicon file read.  Generated lexicons of 10^5 entries are a few
 * MB; anything near this is not a lexicon. */
#if !defined(LEX_MAX_FILE_BYTES)
#define LEX_MAX_FILE_BYTES ((size_t)256 * 1024 * 1024)
#endif

/* Kinds of lexicon (told apart by the header). */
enum lex_kind {
    LEX_ANY = 0,        /* for lex_load: accept whatever the header says */
    LEX_POSITIONS = 1,
    LEX_NEGATORS = 2,
    LEX_ISSUES = 3,
    LEX_MECHANISMS = 4,
    LEX_GAPS = 5
};

enum lex_pole { LEX_MULTILATERAL = 0, LEX_MULTISTAKEHOLDER = 1, LEX_NPOLES = 2 };

/* The ten dimensions of DOMAIN.md, then general; the values are stable
 * indexes, e.g. for per-dimension columns, in this order. */
enum lex_dimension {
    LEX_DIM_ACTORS = 0, LEX_DIM_STRUCTURE, LEX_DIM_CODIFICATION, LEX_DIM_MISSION,
    LEX_DIM_POLICY_DEVELOPMENT, LEX_DIM_DECISION_MAKING, LEX_DIM_REPRESENTATION,
    LEX_DIM_PARTICIPATION, LEX_DIM_NEGOTIATIONS, LEX_DIM_RESULT, LEX_DIM_GENERAL,
    LEX_NDIMENSIONS
};

enum lex_cluster {
    LEX_CL_INFRASTRUCTURE = 0, LEX_CL_SECURITY, LEX_CL_HUMAN_RIGHTS, LEX_CL_LEGAL,
    LEX_CL_ECONOMIC, LEX_CL_DEVELOPMENT, LEX_CL_SOCIOCULTURAL, LEX_CL_EMERGING,
    LEX_CL_PROCESS, LEX_NCLUSTERS
};

enum lex_mtype {
    LEX_MT_MULTILATERAL = 0, LEX_MT_MULTISTAKEHOLDER, LEX_MT_TECHNICAL,
    LEX_MT_REGIONAL, LEX_NMTYPES
};

/* Names as written in lexicon files ("positions", "multilateral",
 * "decision_making", "human_rights", "technical"); NULL when out of range.
 * Static storage. */
const char *lex_kind_name(int kind);
const char *lex_pole_name(int pole);
const char *lex_dimension_name(int dim);
const char *lex_cluster_name(int cluster);
const char *lex_mtype_name(int type);

typedef struct lex_file lex_file;

/* Load and validate the lexicon at path.  expected_kind is an enum lex_kind
 * (LEX_ANY accepts every kind); stage names the stage in messages ("lint",
 * "classify", "map").  Every problem found is appended to problems (if not
 * NULL; the caller owns it and sets its cap) as a formatted located message.
 *
 * Returns 0 with *out set; or IG_EDATA when the file has problems (*out
 * NULL, e holds a summary "<path>: N problems"); or, when the file could
 * not be read at all, the error of ig_read_file (IG_ESYS for a missing or
 * unreadable file, IG_EDATA for a non-regular one, IG_ELIMIT beyond
 * LEX_MAX_FILE_BYTES) with e set and nothing in problems; or IG_ENOMEM. */
int lex_load(lex_file **out, const char *path, int expected_kind, const char *stage,
             ig_msgs *problems, ig_err *e);
/* Free f and all its patterns; accepts NULL. */
void lex_free(lex_file *f);

/* The kind (enum lex_kind, never LEX_ANY), the path as given, whether the
 * header had a note column, and the SHA-256 of the file's bytes as 64
 * lower-case hex digits (for provenance records). */
int lex_file_kind(const lex_file *f);
const char *lex_file_path(const lex_file *f);
int lex_file_has_note(const lex_file *f);
const char *lex_file_sha256(const lex_file *f);

/* Number of entries. */
size_t lex_count(const lex_file *f);

/* ---- every kind ---- */
/* 1-based line of entry i in the file, and the 1-based column (characters)
 * where its pattern field starts. */
uint64_t lex_entry_line(const lex_file *f, size_t i);
uint64_t lex_entry_col(const lex_file *f, size_t i);
/* The compiled pattern (owned by f; resolve it in place). */
pat_pattern *lex_entry_pattern(const lex_file *f, size_t i);
/* The pattern text as written, trimmed; the note ("" when none). */
const char *lex_entry_text(const lex_file *f, size_t i);
const char *lex_entry_note(const lex_file *f, size_t i);

/* ---- positions ---- (other kinds: -1, -1, 0) */
int lex_entry_pole(const lex_file *f, size_t i);       /* enum lex_pole */
int lex_entry_dimension(const lex_file *f, size_t i);  /* enum lex_dimension */
double lex_entry_weight(const lex_file *f, size_t i);  /* > 0 */

/* ---- negators ---- (other kinds: 0) */
unsigned lex_entry_scope(const lex_file *f, size_t i); /* 1..LEX_MAX_SCOPE */

/* ---- issues and mechanisms ----
 * Keys are the distinct issue ids (issues) or mechanism ids (mechanisms),
 * numbered 0..lex_key_count()-1 in bytewise order of their names, so tables
 * built by key number come out sorted.  Other kinds have no keys. */
size_t lex_key_count(const lex_file *f);
const char *lex_key_name(const lex_file *f, size_t k);
/* The key's cluster (issues, enum lex_cluster) or type (mechanisms, enum
 * lex_mtype). */
int lex_key_group(const lex_file *f, size_t k);
/* Number of entries of key k, and the first line that names it. */
size_t lex_key_entries(const lex_file *f, size_t k);
uint64_t lex_key_line(const lex_file *f, size_t k);
/* The key of entry i (SIZE_MAX for kinds without keys). */
size_t lex_entry_key(const lex_file *f, size_t i);
/* Shorthands: the entry's cluster (issues) or type (mechanisms), else -1. */
int lex_entry_cluster(const lex_file *f, size_t i);
int lex_entry_type(const lex_file *f, size_t i);

#endif

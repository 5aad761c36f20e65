/*
 * map.h: the issue map.  Which Internet public policy issues each document
 * raises, which mechanisms (fora, institutions) are named beside them, where
 * documents say an issue has no forum, and per issue a gap type.
 *
 * Pipeline place: after the index (stages/index.h), beside classify; it
 * reads the corpus only through the index and the three map lexicons
 * (lexicons/issues.tsv, mechanisms.tsv, gaps.tsv, loaded by lexicon.h), plus
 * optionally the positions classify wrote (positions.csv).  `igmap map`
 * (pipeline/cmd_map.c) drives it; the report stage reads its tables.
 *
 * Method.  Every lexicon pattern is resolved against the vocabulary once and
 * matched by walking postings (pattern.h); text is never rescanned.  All the
 * patterns are walked together, one document at a time in index order, so
 * memory holds one document's matches and its layout (sentence, paragraph,
 * section and byte range of every position), plus the aggregates.  Every
 * number in every table is a count of rows of the evidence table, which is
 * written as the scan goes.
 *
 * ---- Mentions and the overlap rules ----------------------------------------
 *
 * A match of a lexicon row covers positions [first, last] (pattern.h).
 *  - Issue mention: the matches of the rows of one issue in one document
 *    are merged where they overlap (share a position), transitively; each
 *    merged group is one mention covering the union of the matches.  So
 *    `cybersecurity` and `"cyber security"` on one word, or three NEAR
 *    matches chained over one sentence, are one mention.  Different issues
 *    do not compete: the same words may name two issues (lexicons/README.md
 *    says to tie the wider row with NEAR instead).  The mention cites the
 *    row of its longest match (ties: the earliest line).
 *  - Mechanism mention: merged within one mechanism likewise.  Then, across
 *    mechanisms, the longest match wins: a mention is dropped when a mention
 *    of another mechanism overlaps it and is strictly longer (in
 *    positions), so "Kenya IGF" counts for national_igfs, not igf, and
 *    "national Internet Governance Forum" likewise.  Equal lengths keep
 *    both.  Lengths and overlaps are measured on the contiguous matches
 *    (words, =exact, prefixes, regexes, phrases) of a mention: a NEAR match
 *    also covers the unrelated words between its two sides, so a mention
 *    made only of NEAR matches neither drops nor is dropped.
 *  - Gap cue: the matches of all rows of gaps.tsv are merged where they
 *    overlap; each group is one cue.
 *
 * A document raises an issue when it has at least opts.min_mentions
 * mentions of it (default 1.  Measured on corpora/sample against
 * tests/expected/sample-issues.csv, per document-issue pair, when this was
 * written: 1 gives precision 0.894 and recall 1.000; 2 gives 0.965 and
 * 0.719; 3 gives 0.993 and 0.411.  The expected lists name each document's
 * main issues, so a second or third mention is no sign of relevance in
 * these short texts).  That one rule is used everywhere: every table
 * counts only evidence rows whose document raises their issue (evidence
 * column raised = 1); rows below it are still written, with raised = 0.
 *
 * ---- Co-occurrence (issue_mechanisms.csv) -----------------------------------
 *
 * The unit is declared with opts.unit and printed in the `unit` column of
 * issue_mechanisms.csv and the `link` column of the evidence:
 *  - sentence (default): one co-occurrence per sentence holding at least one
 *    mention of the issue and one of the mechanism;
 *  - paragraph: the same per paragraph (blank-line separated);
 *  - window:N: one co-occurrence per issue mention that has a mention of
 *    the mechanism within N tokens (at most N positions strictly between
 *    the two, or overlapping), whatever the sentence.
 * A mechanism is linked to an issue when their co-occurrences reach
 * opts.link_min_cooc in at least opts.link_min_docs documents (defaults 2
 * and 1: a single co-occurrence is often a list of fora named in passing.
 * On corpora/sample with sentence units, a threshold of 1 gives 29 covered
 * issues of 53 and 6 without a home, 2 gives 13 and 19, 3 gives 6 and 24;
 * 2 keeps the issues the corpus itself calls homeless among the no_home
 * and one-ended ones).
 *
 * ---- Gap claims ---------------------------------------------------------------
 *
 * A gap claim is a sentence holding a gap cue and a mention of the issue
 * ("no global forum deals with spam"): one claim per (sentence, issue),
 * whatever the number of cues; its evidence row cites the sentence's first
 * cue (byte range, gaps.tsv line, text).  With opts.carry_back (default on), a cue in
 * a sentence that names no issue at all is a claim about every issue named
 * in the directly preceding sentence of the same paragraph ("Cybercrime
 * crosses borders.  It falls between the cracks.").  Cues already state an
 * absence, so negators do not apply.
 *
 * ---- Gap types (gaps.csv) ------------------------------------------------------
 *
 * Per issue, first rule that holds:
 *   not_raised             no document raises it;
 *   no_home                raised, but linked to no global mechanism: none of
 *                          type multilateral, multistakeholder or technical
 *                          (regional links are listed, but a regional body
 *                          is not a global home);
 *   multilateral_only      linked multilateral, no multistakeholder or
 *                          technical mechanism (the strand's multistakeholder
 *                          end is missing);
 *   multistakeholder_only  linked multistakeholder or technical (the
 *                          technical bodies are open, bottom-up fora: the
 *                          multistakeholder end), no multilateral one;
 *   contested              both ends, and (with positions) at least
 *                          opts.contested_min_n raising documents have a
 *                          score, of which at least opts.contested_share
 *                          lean multilateral (score <= -opts.lean) and as
 *                          large a share lean multistakeholder (score >=
 *                          opts.lean);
 *   covered                both ends, not contested.
 * Explicit gap claims do not change the type; they have their own columns,
 * so a reader sees "covered, but 3 documents say it has no home".
 *
 * ---- Positions ---------------------------------------------------------------
 *
 * map_positions_load() reads classify's positions.csv, or any CSV with a
 * header naming `doc_id` (or `id`) and `score`; other columns are ignored
 * except two, when present: `section` (classify adds rows for questionnaire
 * sections; only the whole-document rows, section 0 or empty, are read) and
 * `label` (a row labelled `none` had too few cues to be placed, so it is no
 * position).  Score: a decimal in [-1, 1] (negative multilateral, positive
 * multistakeholder) or empty (no position).  Every id must be a document of
 * the index, at most once (among the rows read); documents without a row
 * have no position.
 *
 * Ownership: a map_run borrows the reader and the lexicon files given to
 * map_open (they must outlive it; their patterns are resolved in place, so
 * the lexicons must not be used by another thread meanwhile) and owns
 * everything else; free it with map_close(), which accepts NULL.  Writers
 * are borrowed for the duration of a call.
 *
 * Errors: functions return 0 or a negative code with e set (first error
 * wins, err.h): IG_EDATA for a damaged index or a bad positions file
 * (located as path:line), IG_EUSAGE for bad options, IG_ELIMIT from the
 * pattern module (regex or NEAR limits, located in the lexicon), IG_ENOMEM,
 * IG_EINTR when *opts.interrupted became nonzero.  A write failure of a CSV
 * writer is returned as its code (IG_ESYS) with e untouched: it is recorded
 * in the writer's ig_out and reported by ig_out_commit().
 */
#ifndef IG_MAP_H
#define IG_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "err.h"
#include "index.h"
#include "lexicon.h"

/* Co-occurrence units. */
enum map_unit { MAP_UNIT_SENTENCE = 0, MAP_UNIT_PARAGRAPH = 1, MAP_UNIT_WINDOW = 2 };

/* Largest window:N: a window wider than a long paragraph is no longer a
 * neighbourhood; use --unit paragraph. */
#define MAP_MAX_WINDOW 1000u

typedef struct map_opts {
    int unit;                  /* enum map_unit */
    uint32_t window;           /* N of window:N (1..MAP_MAX_WINDOW) */
    uint32_t min_mentions;     /* mentions for a document to raise an issue (>= 1) */
    uint32_t link_min_cooc;    /* co-occurrences that link a mechanism to an issue (>= 1) */
    uint32_t link_min_docs;    /* ... in at least this many documents (>= 1) */
    double lean;               /* |score| from which a document leans to a pole, (0, 1] */
    double contested_share;    /* share of positioned documents each camp needs, (0, 0.5] */
    uint32_t contested_min_n;  /* positioned documents needed to call an issue contested */
    int carry_back;            /* 1: a cue sentence naming no issue claims the previous one's */
    volatile int *interrupted; /* polled between documents; may be NULL */
} map_opts;

/* Defaults, documented here as the options' defaults:
 *   unit sentence, min_mentions 1, link_min_cooc 2, link_min_docs 1,
 *   lean 0.2, contested_share 0.25, contested_min_n 4, carry_back 1. */
void map_opts_default(map_opts *o);

/* Parse a unit: "sentence", "paragraph" or "window:N" (N decimal,
 * 1..MAP_MAX_WINDOW) into o->unit and o->window.  Returns 0, or -1 (o
 * untouched) when s is not one of them. */
int map_unit_parse(const char *s, map_opts *o);

/* The unit as written in the tables ("sentence", "paragraph", "window:8")
 * into buf (NUL-terminated); returns buf. */
char *map_unit_name(const map_opts *o, char *buf, size_t n);

/* Check o's values against the ranges above: 0, or IG_EUSAGE with a
 * message naming the option (stage "map"). */
int map_opts_check(const map_opts *o, ig_err *e);

typedef struct map_run map_run;

/* Prepare a map of index r: issues (kind LEX_ISSUES) and mechs
 * (LEX_MECHANISMS) are required, gaps (LEX_GAPS) may be NULL (then there are
 * no gap claims).  Resolves every pattern against r's vocabulary (errors:
 * IG_ELIMIT located in the lexicon, IG_ENOMEM) and opens one scan per row.
 * Errors also: IG_EUSAGE for a lexicon of the wrong kind or bad opts. */
int map_open(map_run **m, const idx_reader *r, lex_file *issues, lex_file *mechs,
             lex_file *gaps, const map_opts *opts, ig_err *e);
void map_close(map_run *m);

/* Read positions (see "Positions") from path.  Call before map_scan.
 * Errors: IG_ESYS (cannot read), IG_EDATA located as path:line (strict CSV
 * errors, no doc_id/id or score column, a wrong number of fields, an
 * unknown or repeated id, a score that is not a number in [-1, 1]). */
int map_positions_load(map_run *m, const char *path, ig_err *e);

/* Walk every document, write map_evidence.csv to ev (header first; ev may
 * be NULL to only aggregate) and gather the aggregates the tables are
 * drawn from.  Call once. */
int map_scan(map_run *m, ig_csv_writer *ev, ig_err *e);

/* The tables, each a header and its rows (call after map_scan): issues.csv,
 * issues_by_process.csv (col "process"), issues_by_group.csv (col
 * "stakeholder_group"), issue_mechanisms.csv, gaps.csv.  Columns and row
 * order are specified in map_tables.c's header comment and the README. */
int map_write_issues(const map_run *m, ig_csv_writer *w, ig_err *e);
int map_write_wide(const map_run *m, ig_csv_writer *w, const char *col, ig_err *e);
int map_write_issue_mechanisms(const map_run *m, ig_csv_writer *w, ig_err *e);
int map_write_gaps(const map_run *m, ig_csv_writer *w, ig_err *e);

/* ---- the gap-type rules, as a pure function (for tests and the report) -- */

enum map_gap_type {
    MAP_GAP_NOT_RAISED = 0, MAP_GAP_NO_HOME, MAP_GAP_MULTILATERAL_ONLY,
    MAP_GAP_MULTISTAKEHOLDER_ONLY, MAP_GAP_CONTESTED, MAP_GAP_COVERED, MAP_NGAP_TYPES
};

typedef struct map_gap_facts {
    uint32_t documents;              /* documents raising the issue */
    uint32_t linked[LEX_NMTYPES];    /* linked mechanisms per enum lex_mtype */
    uint32_t positioned;             /* raising documents with a score */
    uint32_t lean_multilateral;      /* of those, score <= -lean */
    uint32_t lean_multistakeholder;  /* of those, score >= lean */
} map_gap_facts;

/* The gap type (enum map_gap_type) of an issue with facts f under o's
 * thresholds, by the rules in "Gap types". */
int map_gap_classify(const map_gap_facts *f, const map_opts *o);
/* "not_raised", "no_home", ...; NULL when out of range.  Static storage. */
const char *map_gap_type_name(int t);
/* One sentence saying why f gives its type, into buf (NUL-terminated). */
char *map_gap_reason(const map_gap_facts *f, const map_opts *o, char *buf, size_t n);

#endif

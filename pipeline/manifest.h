/*
 * manifest.h: a corpus directory -> the validated list of its documents.
 *
 * Pipeline place: the very first step of `igmap index`; nothing is read or
 * tokenised until the whole manifest validates.
 *
 * A corpus is a directory.  With a manifest.csv in it (RFC 4180, see csv.h),
 * the header names the columns: `id` and `path` are required; `process`,
 * `date`, `submitter`, `stakeholder_group`, `country`, `region`, `language`
 * (ISO 639-1, default "en") and `ref_position` (a number, for Wordscores) are
 * known; any other column is kept as metadata and carried into the index.
 * Column names are case-sensitive, lower case, unique.  `path` is relative to
 * the corpus directory and must stay inside it (after resolving symlinks).
 *
 * Questionnaire exports.  A manifest row whose `format` column is
 * `questionnaire` (the column is optional; empty or `text` means an ordinary
 * document) points at a CSV export of questionnaire replies, as survey tools
 * and UN secretariats publish them: one row per respondent, a header with an
 * `id` column, one column per question named q1, q2, ... (any numbers, 1 to
 * 999, in any order), and any other columns, each of which must also be a
 * manifest column (submitter, stakeholder_group, country, ...).  The row
 * expands into one document per respondent, in the export's order, in place
 * of the manifest row: its metadata is the manifest row's, overridden by the
 * respondent's non-empty values; its id is the respondent's id; its path is
 * "<export path>#<id>"; its text is, for each non-empty answer in column
 * order, a heading line "Question N", a blank line, the answer and a blank
 * line, so the tokeniser's default section pattern gives every answer its
 * question number as section.  The export must be valid UTF-8; its problems
 * are reported as export.csv:LINE like the manifest's.
 *
 * Without a manifest, every regular file ending in ".txt" or ".txt.gz" below
 * the directory (hidden entries skipped) is a document, its id the relative
 * path, in bytewise order of that path; the columns are then id, path and
 * language (all "en").
 *
 * Validation reports every problem before failing (each one in `problems`,
 * located as manifest.csv:LINE or LINE:COL): malformed CSV, missing required
 * column, duplicate column, wrong field count, empty or duplicate id
 * (including ids differing only in ASCII case, naming both lines), empty path,
 * path escaping the corpus, missing or non-regular file, unsupported
 * language, non-numeric ref_position.
 *
 * Ownership: an ig_corpus owns all its strings; free with ig_corpus_free().
 */
#ifndef IG_MANIFEST_H
#define IG_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct ig_doc {
    char **vals;        /* one value per corpus column ("" when empty) */
    char *file;         /* full path for opening: corpus dir + "/" + path */
    const char *id;     /* == vals[col id] */
    const char *path;   /* == vals[col path], relative to the corpus */
    const char *lang;   /* language code (vals[col language] or "en") */
    uint64_t line;      /* manifest line of the row; 0 without a manifest */
    char *text;         /* text of a questionnaire respondent (owned), else NULL:
                           read `file` instead */
    size_t text_len;    /* its length */
} ig_doc;

typedef struct ig_corpus {
    char *dir;          /* corpus directory as given */
    char *manifest;     /* path of manifest.csv, or NULL when walked */
    size_t ncols;       /* columns */
    char **cols;        /* column names */
    size_t ndocs;       /* documents */
    ig_doc *docs;       /* in manifest order (or sorted path order) */
} ig_corpus;

/* Validator for the `language` column (stem_lang_supported); may be NULL. */
typedef int (*ig_lang_ok_fn)(const char *code);

/* Load and validate the corpus in dir.  On success *c is set.  On failure
 * every problem found is in problems (if non-NULL) and e holds a summary
 * ("manifest.csv: 3 problems"); returns IG_EDATA, or IG_ESYS/IG_ENOMEM when
 * the failure was not the data's fault. */
int ig_corpus_load(ig_corpus **c, const char *dir, ig_lang_ok_fn lang_ok,
                   ig_msgs *problems, ig_err *e);
void ig_corpus_free(ig_corpus *c);
/* Column number of name, or -1. */
long ig_corpus_col(const ig_corpus *c, const char *name);

#endif

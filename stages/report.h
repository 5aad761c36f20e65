/*
 * report.h: one self-contained HTML page a researcher can read, drawn from
 * the tables of out/NAME/, and provenance.json, the record of what produced
 * them.
 *
 * Pipeline place: last.  `igmap provenance` (pipeline/cmd_report.c) runs
 * after index, classify and map and writes out/NAME/provenance.json;
 * `igmap report` then reads the tables, provenance.json and (for the text of
 * evidence sentences) index.igx, and writes out/NAME/report.html.  Neither
 * changes any table.  Code: report.c (reading the tables), report_page.c
 * (the page), report_svg.c (the charts), report_json.c (JSON), provenance.c
 * (provenance.json); report_int.h is what they share.
 *
 * ---- The page (rep_open, rep_write) -------------------------------------------
 *
 * One HTML5 file, UTF-8, no script, no external resource (inline CSS, charts
 * as inline SVG drawn here), readable offline and printable.  Sections, in
 * order, each with an id the contents list links to:
 *   summary     documents, issues raised, a bar chart of issues per gap type
 *   positions   two dot plots, by stakeholder group and by process: one dot
 *               per positioned document (section-0 row of positions.csv with
 *               a label other than none) at its score, with its 95% interval
 *               as a line; documents in a band sorted by score; each band's
 *               mean marked with its 95% interval (position_groups.csv, or
 *               computed from the dots when that file is absent).  Without
 *               positions.csv the section says so (classify not run).  A
 *               band of more than REP_MAX_DOTS documents shows every k-th
 *               in score order, and says so.
 *   heatmaps    issue by process and issue by stakeholder group, the cells
 *               of issues_by_process.csv and issues_by_group.csv (documents
 *               raising the issue), each cell titled with its count
 *   mechanisms  per issue (gaps.csv order): a small strand drawing (left end
 *               multilateral, right end multistakeholder or technical,
 *               filled when linked), the gap type, the linked mechanisms of
 *               each type with their co-occurrences (issue_mechanisms.csv),
 *               and the mechanisms named beside it but not linked
 *   gaps        the gap table: every row of gaps.csv, counts as written
 *               there; each row (id "gap-ISSUE") links to its evidence
 *   evidence    per issue (id "ev-ISSUE", linking back): its gap claims (at
 *               most opts.claims) and issue mentions from at most
 *               opts.mentions documents (the first mention in each, in
 *               document order), all from map_evidence.csv rows with raised
 *               = 1; each shows the document, its metadata and the sentence
 *               (two, for a claim carried back from the next sentence) with
 *               the matched words marked, cut to REP_MAX_SENTENCE bytes
 *               around the match.  Without index.igx in DIR only the
 *               matched text (the match column) is shown.
 *   provenance  a footer from provenance.json: corpus, lexicons and their
 *               SHA-256, versions, index fingerprint, options and seed;
 *               without that file the footer says so.
 * Anchors are "gap-" or "ev-" followed by the issue id with every byte
 * outside [A-Za-z0-9_-] written as ".XX" (hex), so they are unique.
 *
 * Inputs in DIR, read by column NAME (other columns and their order do not
 * matter):
 *   required  gaps.csv, issues_by_process.csv, issues_by_group.csv,
 *             issue_mechanisms.csv, map_evidence.csv (igmap map)
 *   optional  positions.csv, position_groups.csv (igmap classify),
 *             documents.csv (igmap index), provenance.json, index.igx
 * A missing required table is IG_EDATA naming its path ("missing: run igmap
 * map"); a malformed one (strict CSV, a missing column, a wrong field count,
 * a count that is not a whole number, a score that is not a number, an issue
 * absent from gaps.csv, a document absent from index.igx, a byte range past
 * the document's end) is IG_EDATA located as path:line.  Cells that csv.h
 * neutralised against formula injection ("'=x") are shown without the "'".
 *
 * Text: every byte that comes from an input is HTML-escaped (& < > " '),
 * invalid UTF-8 is shown as U+FFFD and control characters other than tab
 * and line breaks are dropped, so a document containing "<script>" shows
 * that text and runs nothing.
 *
 * Determinism: no time, host or user name is written; numbers are
 * formatted in the C locale; rows keep their tables' order.  The same
 * inputs give the same bytes.
 *
 * ---- provenance.json (rep_provenance_build, rep_json_write) -----------------
 *
 * A JSON object, keys sorted bytewise at every level, two-space indent, LF,
 * no timestamps:
 *   format      "igmap-provenance 1"
 *   corpus      path; manifest {path, sha256, bytes} (null without one);
 *               files, bytes, listing_sha256 (SHA-256 of the lines
 *               "<relative path>\t<bytes>\n" of every regular file below
 *               the corpus, bytewise sorted); documents_csv {path, sha256,
 *               bytes, rows}; status {<status>: count} from documents.csv
 *               (each document's own SHA-256 is in documents.csv)
 *   lexicons    [{path, sha256, bytes}] in the order given
 *   index       path, bytes, sha256, the idx_info statistics (format_version,
 *               documents, terms, positions, ...) and fingerprint
 *               {tokeniser_rules, normalisation, utf8proc, stemmer,
 *               section_pattern}; args: the options given to igmap index
 *   versions    igmap, utf8proc, unicode, pcre2, zlib, libstemmer,
 *               tokeniser (this build's libraries, as they report
 *               themselves at run time)
 *   map         args (as given), options: the effective map options
 *               (defaults of map.h plus those in args: unit, min_mentions,
 *               link_min_cooccurrences, link_min_documents, lean,
 *               contested_share, contested_min_n, carry_back, excel,
 *               positions, issues, mechanisms, gaps), unrecognised: args
 *               words this build does not know (kept, not interpreted);
 *               null when DIR has no gaps.csv
 *   classify    args, and provenance: DIR/positions_provenance.json as
 *               classify wrote it (every option, the seed, what the
 *               scaling models did), re-serialised with sorted keys; null
 *               when absent
 *   seed        classify's seed (null when classify did not run)
 *   outputs     [{path, sha256, bytes}] of the tables present in DIR
 *               (documents.csv, the classify and map outputs), by name
 * Paths are written as given.  JSON strings escape '"', '\\' and control
 * characters; invalid UTF-8 becomes U+FFFD.
 *
 * ---- JSON (rep_json_*) ----------------------------------------------------------
 *
 * A strict RFC 8259 reader (no comments, no trailing commas, no duplicate
 * keys, no lone surrogates, valid UTF-8 only, depth at most REP_JSON_DEPTH)
 * with errors located as path:line:col, and a writer with sorted keys.
 * Numbers keep the text they were written with.
 *
 * Ownership: rep_open borrows nothing after it returns (it copies what it
 * keeps); a rep_doc is freed with rep_close, a rep_json tree with
 * rep_json_free (both accept NULL).  Values returned by rep_json_get and
 * friends are borrowed from their tree.  Errors follow err.h (first wins,
 * stage "report" or "provenance"); a write failure of the ig_out is recorded
 * there and reported by its commit.
 */
#ifndef IG_REPORT_H
#define IG_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "out.h"

/* Documents drawn per band of a position chart; a band with more draws
 * every k-th in score order (k the smallest that fits) and says so. */
#define REP_MAX_DOTS 300u
/* Longest excerpt of a sentence shown as evidence, in bytes. */
#define REP_MAX_SENTENCE 700u
/* Largest input table or JSON file read (bytes). */
#define REP_MAX_FILE ((size_t)4 << 30)
/* Deepest JSON nesting accepted. */
#define REP_JSON_DEPTH 64

typedef struct rep_opts {
    uint32_t mentions;   /* documents whose first mention is shown per issue [3] */
    uint32_t claims;     /* gap claims shown per issue [25] */
    const char *title;   /* page heading; NULL = "Issue map: <corpus name>" */
    int use_index;       /* quote sentences from DIR/index.igx when present [1] */
} rep_opts;

/* Fill o with the defaults in brackets. */
void rep_opts_default(rep_opts *o);

typedef struct rep_doc rep_doc;

/* Read and check every input of DIR (see "Inputs") and open its index when
 * present and o->use_index.  Nothing is written.  Errors: IG_EDATA (missing
 * or malformed input, located), IG_ESYS (an input that exists but cannot be
 * read), IG_ELIMIT (a file above REP_MAX_FILE), the index's errors,
 * IG_ENOMEM. */
int rep_open(rep_doc **d, const char *dir, const rep_opts *o, ig_err *e);
/* Write the page to out (the caller commits it).  Errors: IG_EDATA (an
 * evidence row that does not fit the index), the index's errors, IG_ENOMEM;
 * a write failure is recorded in out. */
int rep_write(rep_doc *d, ig_out *out, ig_err *e);
void rep_close(rep_doc *d);

/* Counts rep_open found, for tests: issues (gaps.csv rows), positioned
 * documents drawn, evidence rows selected. */
size_t rep_issue_count(const rep_doc *d);
size_t rep_dot_count(const rep_doc *d);
size_t rep_evidence_count(const rep_doc *d);

/* Append s[0..n) to b HTML-escaped (see "Text").  0 or IG_ENOMEM. */
int rep_html_escape(ig_buf *b, const char *s, size_t n);

/* ---- JSON ---------------------------------------------------------------------- */

enum rep_json_type {
    REP_JSON_NULL = 0, REP_JSON_FALSE, REP_JSON_TRUE, REP_JSON_NUMBER, REP_JSON_STRING,
    REP_JSON_ARRAY, REP_JSON_OBJECT
};

typedef struct rep_json rep_json;

/* Parse data[0..len) (one value, white space around it allowed).  path
 * names the input in messages.  Errors: IG_EDATA located as path:line:col
 * (byte), IG_ELIMIT past REP_JSON_DEPTH, IG_ENOMEM. */
int rep_json_parse(rep_json **v, const char *data, size_t len, const char *path,
                   const char *stage, ig_err *e);
void rep_json_free(rep_json *v);

int rep_json_type(const rep_json *v);
/* String value (NUL-terminated, length in *n if n) or a number's text;
 * NULL for other types. */
const char *rep_json_text(const rep_json *v, size_t *n);
/* Array items or object members (0 for scalars). */
size_t rep_json_size(const rep_json *v);
/* Item i of an array or the value of member i of an object; NULL out of
 * range. */
const rep_json *rep_json_at(const rep_json *v, size_t i);
/* Name of member i of an object (NULL otherwise). */
const char *rep_json_key(const rep_json *v, size_t i);
/* Member named key of an object, or NULL. */
const rep_json *rep_json_get(const rep_json *v, const char *key);

/* Append v to b, keys sorted bytewise, indent spaces per level (0: one
 * line), then a final LF when indent > 0.  0 or IG_ENOMEM. */
int rep_json_write(ig_buf *b, const rep_json *v, int indent);
/* Append s[0..n) as a JSON string literal.  0 or IG_ENOMEM. */
int rep_json_quote(ig_buf *b, const char *s, size_t n);

/* ---- provenance ------------------------------------------------------------------ */

typedef struct rep_prov_opts {
    const char *dir;              /* out/NAME (required) */
    const char *corpus;           /* corpus directory, or NULL */
    const char *index;            /* index path; NULL = DIR/index.igx */
    const char *const *lexicons;  /* lexicon files to hash */
    size_t nlexicons;
    const char *index_args;       /* options given to each stage, as one */
    const char *classify_args;    /* string each (NULL = not recorded) */
    const char *map_args;
    const char *version;          /* igmap version */
} rep_prov_opts;

/* Gather provenance.json's content (see above) into a new tree *doc (free
 * with rep_json_free).  Errors: IG_ESYS (an input that cannot be read),
 * IG_EDATA (a missing index or documents.csv, a malformed documents.csv
 * or positions_provenance.json, located), the index's errors, IG_ENOMEM. */
int rep_provenance_build(rep_json **doc, const rep_prov_opts *o, ig_err *e);

#endif

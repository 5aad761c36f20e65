/*
 * report_int.h: what the files of the report stage share and nobody else
 * needs (report.h is the public manual): the page buffer with its sticky
 * error, UTF-8 checks, the JSON tree builder used by provenance.c, and the
 * chart data handed from report.c to report_svg.c.
 */
#ifndef IG_REPORT_INT_H
#define IG_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "report.h"

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Length (1-4) of the valid UTF-8 sequence at s[0..n), or 0 when the bytes
 * there are not one (overlong forms, surrogates and values above U+10FFFF
 * are invalid).  n must be at least 1. */
size_t rep_utf8_len(const unsigned char *s, size_t n);

/* ---- the page ----------------------------------------------------------------- */

/* The page as it is built.  rc is sticky: after the first failure every
 * rep_put* does nothing, so a writer checks once at the end. */
typedef struct rep_page {
    ig_buf b;
    int rc;
} rep_page;

void rep_puts(rep_page *p, const char *s);
void rep_putf(rep_page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s HTML-escaped (report.h "Text"); NULL writes nothing. */
void rep_esc(rep_page *p, const char *s);
void rep_escn(rep_page *p, const char *s, size_t n);
/* A number in the C locale with prec decimals. */
void rep_putd(rep_page *p, double v, int prec);
/* The anchor form of an issue id (report.h: "[A-Za-z0-9_-]" kept, other
 * bytes ".XX"). */
void rep_anchor(rep_page *p, const char *prefix, const char *id);

/* ---- JSON builder (provenance.c) ------------------------------------------------- */
/*
 * Children are created inside their parent, which owns them.  A builder
 * call on a NULL parent does nothing and returns NULL, and an allocation
 * failure marks the parent, so a whole tree is built without checks and
 * rep_jb_failed() tells at the end whether anything was lost.  key is the
 * member name for an object parent and NULL for an array parent; keys of an
 * object must be unique (the writer sorts them).
 */
rep_json *rep_jb_new(int type);
rep_json *rep_jb_add(rep_json *parent, const char *key, int type);
/* A string member (s NULL: a null member). */
rep_json *rep_jb_str(rep_json *parent, const char *key, const char *s);
rep_json *rep_jb_strn(rep_json *parent, const char *key, const char *s, size_t n);
/* A number member from its JSON text (not checked: callers format it). */
rep_json *rep_jb_num(rep_json *parent, const char *key, const char *text);
rep_json *rep_jb_u64(rep_json *parent, const char *key, uint64_t v);
/* A double with up to prec decimals, trailing zeros removed; NaN and
 * infinities become null. */
rep_json *rep_jb_dbl(rep_json *parent, const char *key, double v, int prec);
rep_json *rep_jb_bool(rep_json *parent, const char *key, int v);
/* A deep copy of src. */
rep_json *rep_jb_copy(rep_json *parent, const char *key, const rep_json *src);
/* Mark v as having lost something (rep_jb_failed then says so). */
void rep_jb_fail(rep_json *v);
/* 1 when an allocation anywhere in the tree failed. */
int rep_jb_failed(const rep_json *v);

/* ---- charts (report_svg.c) --------------------------------------------------------- */

/* Label values of a document's position (positions.csv label column). */
enum rep_label { REP_L_NONE = 0, REP_L_ML, REP_L_MS, REP_L_MIXED };

typedef struct rep_dot {
    const char *id;      /* document id (borrowed) */
    double score;        /* -1 multilateral .. +1 multistakeholder */
    double lo, hi;       /* 95% interval, NaN when none */
    int label;           /* enum rep_label */
} rep_dot;

typedef struct rep_band {
    const char *name;    /* group or process value ("" shown as "(none)") */
    rep_dot *dots;       /* sorted by score, then id */
    size_t ndots;
    double mean, mlo, mhi; /* mean and its 95% interval (NaN when unknown) */
    uint64_t n;          /* documents the mean is over */
} rep_band;

/* A dot plot of bands (report.h "positions"); column names the grouping. */
void rep_svg_positions(rep_page *p, const char *column, const rep_band *bands, size_t nb);

typedef struct rep_heat {
    const char *column;      /* "process" or "stakeholder_group" */
    size_t nrows, ncols;
    const char *const *rows; /* issue ids */
    const char *const *cols; /* column values as headed in the CSV */
    const uint64_t *cells;   /* nrows * ncols, row-major */
    const uint64_t *totals;  /* per row */
} rep_heat;

void rep_svg_heatmap(rep_page *p, const rep_heat *h);

/* The strand of one issue: which ends are held (multilateral; multistakeholder
 * or technical) and its gap type name. */
void rep_svg_strand(rep_page *p, int ml, int ms, const char *gap_type);

/* Horizontal bars: n labels with counts; css classes "g-<label>". */
void rep_svg_bars(rep_page *p, const char *const *labels, const uint64_t *counts, size_t n);

/* ---- the model report.c reads and report_page.c lays out ------------------------ */

/* A small table held whole: the cells of every row, copied. */
typedef struct rep_table {
    char path[4096];
    size_t ncols, nrows;
    char **cols;
    char **cells;      /* nrows * ncols */
    uint64_t *lines;   /* source line of each row */
} rep_table;

/* One quoted evidence row. */
typedef struct rep_ev {
    size_t issue;          /* row of gaps.csv */
    int claim;             /* 1 gap claim, 0 issue mention */
    char *doc, *process, *group, *submitter, *link, *match;
    uint64_t sentence, start, end, line;
    char *text;            /* excerpt (NULL: show match only) */
    size_t mark_from, mark_to; /* the match inside text */
    int cut_left, cut_right;   /* excerpt cut short */
} rep_ev;

typedef struct rep_issue_ix {
    const char *id;
    size_t row;
} rep_issue_ix;

struct rep_doc {
    char *dir;
    char *name;             /* corpus name: the directory's last component */
    rep_opts o;
    rep_table gaps, byproc, bygroup, mechs, groups;
    int have_groups;
    rep_issue_ix *ix;       /* gaps rows sorted by issue id */
    size_t *mech_issue;     /* gaps row of each issue_mechanisms row */
    rep_ev *ev;
    size_t nev;
    size_t *claims_shown, *mention_docs; /* per issue */
    /* positions */
    int have_positions;
    char positions_note[256];
    rep_dot *dots;
    char **dot_group, **dot_process; /* per dot */
    size_t ndots;
    uint64_t unplaced;      /* documents with label none or no score */
    int have_group_col, have_process_col;
    /* documents.csv */
    int have_documents;
    uint64_t documents;
    rep_json *prov;         /* provenance.json or NULL */
    int have_index;
};

/* A cell as csv.h wrote it, without the "'" that neutralised a leading
 * formula character ("'=x" shows as "=x"). */
const char *rep_cell_text(const char *s);
/* Cell (row, col) of t; "" when col < 0. */
const char *rep_cell(const rep_table *t, size_t row, long col);
/* Column number of name in t, or -1. */
long rep_col(const rep_table *t, const char *name);
/* A whole decimal number (digits only, no sign, no overflow): 0, else -1. */
int rep_parse_u64(const char *v, uint64_t *out);

#endif

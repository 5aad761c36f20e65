/*
 * classify_int.h: the run state shared by the files of the classify stage:
 * classify_open.c (set-up, patterns resolved), classify.c (matching,
 * scoring), classify_boot.c (intervals), classify_ev.c (evidence rows) and
 * classify_out.c (scaling models and the tables).  Not a public interface: classify.h is
 * the manual.
 */
#ifndef IG_CLASSIFY_INT_H
#define IG_CLASSIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "classify.h"
#include "pattern.h"

/* Most worker threads (checked by cls_open, used by cls_score). */
#define CLS_MAX_THREADS 64u

#define CLS_STAGE "classify"

/* Kinds of entry: the lexicons' cues and negators, then the built-in
 * patterns of the negation rule (classify.h, "Negation"). */
enum { CLS_CUE = 0, CLS_NEGATOR = 1, CLS_FOCUS = 2, CLS_PRIVATIVE = 3 };

/* One entry: positions entries first (0..npos-1), then negators (up to
 * nlex), then the focus and privative patterns when enabled. */
typedef struct cls_entry {
    pat_pattern *pat;      /* borrowed from its lex_file, resolved */
    const char *text;      /* pattern as written (borrowed) */
    uint64_t line;         /* line in its lexicon */
    int kind;              /* CLS_CUE or CLS_NEGATOR */
    int pole;              /* enum lex_pole (cues) */
    int dim;               /* enum lex_dimension (cues) */
    int is_near;           /* the pattern's top operator is NEAR */
    double weight;         /* cue weight */
    unsigned scope;        /* negator scope */
    /* coverage, filled by cls_score */
    uint64_t matches;      /* pattern matches in the corpus */
    uint64_t counted;      /* evidence rows (negators: cues negated) */
    uint64_t docs;         /* documents with one of them */
    uint64_t absorbed;     /* matches merged or dropped */
    uint64_t negated;      /* counted rows that were negated */
    uint64_t quoted;       /* taken cues dropped as quoted (mentioned) */
    double weight_total;   /* sum of weight of its evidence rows */
    uint32_t last_doc;     /* private: for docs (UINT32_MAX = none yet) */
    size_t cell_off;       /* text as an evidence.csv cell, in run->cells */
    uint32_t cell_len;
    uint32_t w_len, wneg_len; /* weight, and weight x negation factor, as */
    size_t w_off, wneg_off;   /* evidence.csv cells in run->cells */
} cls_entry;

struct cls_run {
    const idx_reader *r;
    lex_file *lpos, *lneg;
    cls_opts o;            /* strings point into strs */
    char *strs[6];         /* owned copies: wordfish_dir[0..1], version, index_path,
                              focus_pattern, privative_pattern */
    pat_pattern *builtin[2]; /* owned: focus and privative patterns (or NULL) */
    cls_entry *ent;
    size_t nent, nlex, npos; /* all entries; lexicon entries; cue entries */
    size_t focus, privative; /* their entry numbers, or SIZE_MAX */
    ig_buf cells;          /* pre-encoded evidence.csv cells: entry texts, the
                              lexicon path, pole and dimension names, each
                              entry's weight cells (plain and negated) */
    size_t path_off;       /* the positions lexicon's path in cells */
    uint32_t path_len;
    size_t pole_off[LEX_NPOLES]; /* pole and dimension names in cells */
    uint32_t pole_len[LEX_NPOLES];
    size_t dim_off[LEX_NDIMENSIONS];
    uint32_t dim_len[LEX_NDIMENSIONS];
    cls_row *rows;         /* positions.csv rows in order */
    size_t nrows, caprows;
    uint64_t nevidence;
    int scored;            /* cls_score ran to the end */
    /* metadata columns */
    long col_ref;          /* ref_position column or -1 */
    /* scaling outcome, for the summary and provenance */
    int ws_ran, wf_ran;
    uint32_t ws_nref;
    uint32_t scale_nfeat;  /* features kept */
    uint32_t wf_ndocs;
    uint32_t wf_dir[2];    /* document numbers of the direction */
    unsigned wf_iter;
    int wf_converged;
    double wf_lp;
    char ws_note[1024];     /* why Wordscores did not run, or "" */
    char wf_note[1024];
};

/* The score formula (classify.h, cls_score_of), inline for the bootstrap's
 * replicates: the same operations, so the same bits. */
static inline double cls_score_formula(double ml, double ms, double k)
{
    double den = ms + ml + k;
    return den > 0 ? (ms - ml) / den : 0.0;
}

/* Bootstrap scratch of one worker (classify_boot.c); zeroed to start. */
typedef struct cls_boot {
    double *rep;           /* replicates */
    size_t caprep;
    double *cdf;           /* the Binomial(S, m/S) table */
    size_t capcdf;
    double *heap;          /* quantile scratch */
    size_t capheap;
    double *logk;          /* logk[k] = log(k), k < nlogk */
    size_t nlogk, caplogk;
    uint64_t *pk;          /* exact sentence sums: ML << 32 | MS, in units */
    size_t cappk;
    uint32_t *pk32;        /* the same packed in 16 bits each, when they fit */
    size_t cappk32;
    uint32_t *sbuf;        /* the packed draws' running sums, per output */
    size_t capsbuf;
    uint64_t *C;           /* its thresholds, in units of 2^-53 */
    size_t capC;
    uint32_t *guide;       /* start points in C */
    size_t capguide;
    uint32_t *cnt;         /* draws of each replicate that land on a cue
                              sentence */
    size_t capcnt;
} cls_boot;

/* The 95% percentile interval of one row (classify.h "Interval"): S
 * sentences, m of which hold cues with multilateral and multistakeholder
 * weight sums sml[i], sms[i]; replicates, seed and smoothing from o, the
 * generator seeded from (o->seed, id, section).  *lo and *hi are NaN when
 * o->bootstrap or m is 0.  After a call with an interval, b->rep[0..B)
 * holds the B replicate scores (replicate j drawn by lane j mod 8), for
 * tests.  Returns 0 or IG_ENOMEM. */
int cls_bootstrap(cls_boot *b, const double *sml, const double *sms, uint32_t m, uint32_t S,
                  const cls_opts *o, const char *id, uint32_t section, double *lo, double *hi);
void cls_boot_free(cls_boot *b);

/* ---- evidence.csv bytes (classify_ev.c) ------------------------------------ */

/* Worst-case length of a text cell of n bytes once encoded. */
#define CLS_CELL_MAX(n) (2 * (size_t)(n) + 3)
/* Encode s[0..n) as one CSV text cell into o (room for CLS_CELL_MAX(n)), by
 * csv.h's writing rules (ig_csv_text); returns the bytes written. */
size_t cls_cell_put(char *o, const char *s, size_t n);
/* v in decimal into o; returns the digits' count.  o must have room for
 * 20 bytes, and all 20 may be written (those past the digits are left
 * for the caller's next bytes to overwrite). */
size_t cls_u64_put(char *o, uint64_t v);


/* s[0..n) as an evidence context cell into o (room for CLS_CELL_MAX(n)):
 * white space cleaned (classify.h, columns left/match/right: a run of white
 * space holding a tab, line break, CR, VT or FF becomes one space;
 * trim_start, trim_end drop white space at the ends), then encoded as
 * cls_cell_put does.  Returns the bytes written. */
size_t cls_ctx_cell(char *o, const char *s, size_t n, int trim_start, int trim_end);

/* A counted cue: one evidence row. */
typedef struct cls_evid {
    uint32_t entry, wentry, negator, merged;
    uint32_t first, last, sentence, section;
    uint64_t start, end;
    double weight;
    int pole;             /* counted pole */
    uint64_t ctx0, ctx1;  /* bytes [ctx0, ctx1) of the text: left, match and
                             right context (--context > 0) */
} cls_evid;

/* evidence.csv's column names (classify.h lists them), NULL-terminated. */
extern const char *const cls_ev_header[];
/* Encode the cells every row repeats into run->cells (the offsets and
 * lengths in run and its entries); IG_ENOMEM. */
int cls_ev_cells(cls_run *run);
/* Append the evidence rows ev[0..nev) of document doc, whose text is text,
 * to out (run->cells encoded); IG_ENOMEM. */
int cls_ev_rows(const cls_run *run, const char *text, uint32_t doc, const cls_evid *ev,
                size_t nev, ig_buf *out);

/* Append a row (classify.c); IG_ENOMEM. */
int cls_rows_push(cls_run *run, const cls_row *row);

#endif

/*
 * classify_int.h: the run state shared by the files of the classify stage:
 * classify_open.c (set-up, patterns resolved), classify.c (matching,
 * scoring), classify_boot.c and classify_boot_avx2.c (intervals),
 * classify_ev.c (evidence rows) and classify_out.c (scaling models and the
 * tables).  Not a public interface: classify.h is
 * the manual.
 */
#ifndef IG_CLASSIFY_INT_H
#define IG_CLASSIFY_INT_H

#include <math.h>
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

/* The pieces of an evidence.csv row that depend on its entries alone,
 * encoded once per run (cls_ev_cells), each ending in the comma that
 * follows it.  As the row's cue entry: POLE0 and POLE1 "pole,dimension,"
 * for a counted pole of 0 or 1, CUE "lexicon,line,pattern,cue_pole,", and
 * ROW, the row's middle from pole to negator when the cue counts as
 * itself (own pole, not negated, nothing merged).  As its weight entry:
 * W0 "weight,0," and W1 "weight x negation factor,1," (weight, negated),
 * CUEW "cue_weight," and WLINE "weight_line,".  As its negator: NEG
 * "negator_line,negator,". */
enum {
    CLS_EV_POLE0, CLS_EV_POLE1, CLS_EV_CUE, CLS_EV_ROW, CLS_EV_W0, CLS_EV_W1, CLS_EV_CUEW,
    CLS_EV_WLINE, CLS_EV_NEG, CLS_EV_NPIECES
};

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
    size_t ev_off[CLS_EV_NPIECES]; /* its pieces of evidence.csv rows, in */
    uint32_t ev_len[CLS_EV_NPIECES]; /* run->cells (cls_ev_cells) */
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
    ig_buf cells;          /* the entries' evidence.csv pieces (ev_off),
                              then CLS_EV_PAD bytes of zeros */
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

/* ---- the bootstrap's paths (classify_boot.c, classify_boot_avx2.c) ---------
 * classify_boot.c defines the method, its plain path and its AVX-512 path;
 * classify_boot_avx2.c the AVX2 path, which shares these. */

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define CLS_BOOT_X86 1
#define CLS_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define CLS_BOOT_X86 0
#endif

/* Generator lanes per row: one AVX-512 register of 64-bit words. */
#define CLS_BOOT_LANES 8

/* Most prefix rows a packed stream keeps (64 bytes each: v_stream,
 * w_stream); a row needing more takes another way. */
#define CLS_BOOT_STREAM_ROWS ((uint64_t)1 << 15)

/* One lane's generator state (xoshiro256++). */
typedef struct cls_rng {
    uint64_t s[4];
} cls_rng;

/* What every path reads of one row. */
typedef struct cls_boot_row {
    uint32_t B, S, m;
    int all;               /* m == S: every draw lands on a cue sentence */
    const uint64_t *C;     /* Binomial(S, m/S) thresholds (not all) */
    const uint32_t *guide; /* their guide, 2^(53 - shift) entries */
    int shift;
    uint32_t reject;       /* Lemire: a product whose low half is below
                              (2^32 - m) mod m is drawn again */
    int q;                 /* exact_units, or -1 */
    const uint64_t *pk;    /* q >= 0: ML << 32 | MS in units of 2^-q */
    const uint32_t *pk32;  /* ML << 16 | MS, when every weight in units
                              times ceil(S / 2) stays below 2^16: the sums
                              of ceil(S / 2) draws fit 16 bits; else NULL */
    double unit;           /* 2^-q */
    const double *sml, *sms; /* q < 0: the sums as doubles */
    double k;              /* smoothing */
} cls_boot_row;

/* The lane's next output (xoshiro256++). */
uint64_t cls_rng_next(cls_rng *g);
/* Grow *p (*cap elements of size sz) to hold n; IG_OK or IG_ENOMEM. */
int cls_boot_grow(void **p, size_t *cap, size_t n, size_t sz);
/* The m-th and (m-1)-th smallest (largest = 0) or largest (1) of
 * c[0..cn), cn >= m >= 2, h heap scratch of min(m, cn - m + 2). */
void cls_heap_select(const double *c, size_t cn, size_t m, int largest, double *h, double *x_m,
                     double *x_m1);
/* The 2.5% and 97.5% quantiles (R type 7) of a[0..n), n >= 1; h is scratch
 * of n + 4. */
void cls_quantiles(const double *a, size_t n, double *qlo, double *qhi, double *h);
/* The m-th and (m-1)-th smallest (largest) of some values, m >= 2, from t,
 * a value with at least m values at or beyond it, and c[0..cn), those
 * strictly beyond it; returns the m-th, the (m-1)-th in *x_m1; h is heap
 * scratch of m. */
double cls_rank_pair(const double *c, size_t cn, size_t m, int largest, double t, double *h,
                     double *x_m1);
/* The count T of one replicate from U, the top 53 bits of an output. */
uint32_t cls_binom_pick(const uint64_t *C, const uint32_t *guide, int shift, uint64_t U);
/* The plain path, which defines the draws: rep[0..B) from the lanes'
 * start states; cnt is scratch of B. */
void cls_boot_scalar(const cls_rng *lanes, const cls_boot_row *r, uint32_t *cnt, double *rep);

/* The quantile's order statistics: position h = (n - 1) q lies between the
 * i-th and (i+1)-th smallest (0-based); R type 7 interpolates linearly. */
typedef struct cls_qpos {
    double h;
    size_t i;
} cls_qpos;

static inline cls_qpos cls_qpos_of(size_t n, double q)
{
    cls_qpos p;
    p.h = (double)(n - 1) * q;
    p.i = (size_t)floor(p.h);
    return p;
}

static inline double cls_q7_value(cls_qpos p, double lo, double hi)
{
    if (p.h == (double)p.i)
        return lo;
    return lo + (p.h - (double)p.i) * (hi - lo);
}

#if CLS_BOOT_X86
/* The packed sums of one replicate per lane, read from the running sums of
 * a packed stream (v_stream, w_stream): H and L the rows of the lanes'
 * last outputs of this replicate (high and low draws), Lu the low draws'
 * row to use (the row before when T is odd), *Hp and *Lp those of the
 * replicate before, updated.  Each sum stays below 2^16 in each half, so
 * the differences mod 2^32 are exact.  Both vector paths use it. */
CLS_TARGET_AVX2 static inline void cls_stream_sums(__m256i H, __m256i L, __m256i Lu,
                                                   __m256i *Hp, __m256i *Lp, __m256i *ML,
                                                   __m256i *MS)
{
    const __m256i low16 = _mm256_set1_epi32(0xffff);
    __m256i hs = _mm256_sub_epi32(H, *Hp), ls = _mm256_sub_epi32(Lu, *Lp);
    *Hp = H;
    *Lp = L;
    *ML = _mm256_add_epi32(_mm256_srli_epi32(hs, 16), _mm256_srli_epi32(ls, 16));
    *MS = _mm256_add_epi32(_mm256_and_si256(hs, low16), _mm256_and_si256(ls, low16));
}

/* The AVX2 path (classify_boot_avx2.c): rep[0..B) into w->rep from the
 * lanes' start states, the same bits as cls_boot_scalar; IG_ENOMEM.  Only
 * on a CPU with AVX2. */
int cls_boot_avx2(const cls_rng *lanes, const cls_boot_row *r, cls_boot *w);
/* cls_quantiles, the same values, with AVX2; h is scratch of 2 n + 16. */
void cls_quantiles_avx2(const double *a, size_t n, double *qlo, double *qhi, double *h);
#endif

/* ---- evidence.csv bytes (classify_ev.c) ------------------------------------ */

/* Worst-case length of a text cell of n bytes once encoded. */
#define CLS_CELL_MAX(n) (2 * (size_t)(n) + 3)
/* Encode s[0..n) as one CSV text cell into o (room for CLS_CELL_MAX(n)), by
 * csv.h's writing rules (ig_csv_text); returns the bytes written. */
size_t cls_cell_put(char *o, const char *s, size_t n);

/* Rows are assembled from the pieces CLS_EV_PAD bytes at a time (fixed-size
 * copies, no call): run->cells ends in that many readable bytes, and a row's
 * room has that much to spare. */
#define CLS_EV_PAD 32u


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
/* Encode every entry's pieces of evidence rows (CLS_EV_*) into run->cells,
 * their offsets and lengths in the entries; IG_ENOMEM. */
int cls_ev_cells(cls_run *run);
/* Append the evidence rows ev[0..nev) of document doc, whose text is text,
 * to out (run->cells encoded); IG_ENOMEM. */
int cls_ev_rows(const cls_run *run, const char *text, uint32_t doc, const cls_evid *ev,
                size_t nev, ig_buf *out);

/* Append a row (classify.c); IG_ENOMEM. */
int cls_rows_push(cls_run *run, const cls_row *row);

#endif

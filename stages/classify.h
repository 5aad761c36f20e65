/*
 * classify.h: where each submitter stands, multilateral or multistakeholder,
 * with its evidence, an interval, and two scaling models beside it.
 *
 * Pipeline place: after the index (index.h) and the lexicon loader
 * (lexicon.h); `igmap classify` (pipeline/cmd_classify.c) drives it and
 * `make` runs it on out/NAME/index.igx.  Cue patterns are compiled once,
 * resolved against the vocabulary once and matched by walking postings
 * (pattern.h): the text itself is read only to look at the quotation
 * marks around a cue (the quote rule) and to quote context in evidence.csv.
 *
 * ---- Scoring rules (defaults in brackets, command-line option after) --------
 *
 * Cues.  Every match of every positions.tsv entry (pattern.h, "What a match
 * is") is a candidate cue with its entry's pole, dimension and weight.
 *
 * Overlap (same pole).  Candidates of one pole that share a token position
 * count once: they are taken longest first (most positions; then the higher
 * weight, the earlier lexicon line, the earlier position), and a candidate
 * overlapping one already taken is merged into it.  The cue that counts is
 * the longest match, with the HIGHEST weight among the matches merged into
 * it (lexicons/README.md: "overlapping matches count once, at the highest
 * weight among them"; a weight is the whole value of a cue, not an extra).
 * So "multistakeholder model" (2) and "multistakeholder" (1) on the same
 * words give one cue of weight 2; `multistakeholder` and `"multi
 * stakeholder"` on "multi-stakeholder" give one cue.
 *
 * Overlap (opposite poles) [--cross-overlap both].  Cues of different poles
 * that share positions both count ("both").  Rule "nearest" keeps only one
 * reading of the shared words: when both are NEAR patterns (the "equal
 * footing" pair, NEAR governments versus NEAR stakeholders) the one whose
 * parts are closer (the shorter match) counts, otherwise the longer match;
 * a tie keeps both.  On the sample corpus "nearest" changed four cues (two
 * for the better, two for the worse) and no label, so the simpler rule is
 * the default; the quote rule below is what settles most "equal footing"
 * cases.  A dropped cue is counted in lexicon_coverage.csv (absorbed).
 *
 * Quotes [--quotes mention].  A cue in quotation marks is mentioned, not
 * used: '"On an equal footing" means...' (a questionnaire asking what the
 * Tunis phrase means), 'paragraph 69 speaks of governments "on an equal
 * footing"', 'the language of "multistakeholderism"' quote words to cite
 * or to hold them at a distance, which both camps do.  A taken cue is
 * quoted when a quotation mark (", U+201C, U+201D, U+201E, U+2018, U+00AB,
 * U+00BB; not U+2019, which is also the apostrophe) stands right before its
 * first byte, right after its last, or between its words; it is then
 * dropped (column quoted of lexicon_coverage.csv).  This reads the text of
 * documents with cues (inflated once per document); --quotes use counts
 * quoted cues like any other.
 *
 * Negation [--negation flip, --negation-factor 1].  A counted cue is negated
 * when a negator match (negators.tsv) ends before the cue's first token, in
 * the same sentence, no more than the negator's scope tokens before it
 * (scope s reaches the s positions after the negator's last token; a
 * negator inside the cue cannot reach it since it must end before the cue
 * starts).  Of several negators reaching a cue, the nearest counts (then
 * the earlier line).  Two constructions cancel a negator (the next one
 * further back may still apply):
 *   - a focus particle right after it (--focus-pattern, default
 *     CLS_DEFAULT_FOCUS: only, just, merely, simply, solely): "not only X
 *     but also Y" affirms X, so a cue starting after the particle is not
 *     negated; a cue that starts with the particle is ("not only
 *     governments" negates "only governments");
 *   - a privative word between it and the cue (--privative-pattern,
 *     default CLS_DEFAULT_PRIVATIVE: undermine, substitute, replace,
 *     exclude, outside, duplicate, supplant, prejudice, bypass): "does not
 *     undermine existing treaties", "cannot be a substitute for the
 *     intergovernmental process", "does not exist outside the sovereignty
 *     of States" affirm the cue (two negations).
 * Both patterns are in the pattern language and matched through the index
 * like lexicon entries; "" turns a rule off.  Then, by --negation:
 *   flip      the cue counts for the OTHER pole, at weight * factor: "we do
 *             not support a new intergovernmental body" is a
 *             multistakeholder statement; "this is not a government-only
 *             process" too;
 *   discount  the cue stays on its pole at weight * factor (factor 0 drops
 *             it);
 *   ignore    negators are not applied.
 * The dimension stays the cue's own.  Reported views ("some States have
 * argued that") are negators in the shipped lexicon, so flip reads the
 * reported position as the one the author argues against.  On the sample
 * corpus flip at factor 1 agrees best with the intended labels (discount
 * at 0: 3 documents fewer); known misreadings are listed in
 * lexicons/README.md.
 *
 * Score [--smoothing 3].  With ML and MS the sums of counted weights of the
 * two poles in a document (or section):
 *     score = (MS - ML) / (MS + ML + k)
 * in (-1, 1): negative = multilateral, positive = multistakeholder, 0 with
 * no cues.  It is also the smoothed log ratio mapped to [-1, 1]:
 * tanh(ln((MS + k/2) / (ML + k/2)) / 2) equals it exactly, so the two usual
 * choices coincide.  k is a symmetric prior of k/2 weight units per pole:
 * with k = 3 one normal cue (weight 1) gives 0.25 and it takes about ten
 * one-sided weight units to pass 0.75, so a score grows with the evidence
 * instead of jumping to the extremes on two cues (k = 1, the empirical
 * logit's +0.5, ranks the sample's documents less well: Spearman 0.82
 * against 0.87).  Per-dimension columns use the same formula on that
 * dimension's cues only (empty when the dimension has none).
 *
 * Label [--threshold 0.2, --min-cues 1, --min-stance-cues 1].  "none" when
 * fewer than min-cues cues counted, or fewer than min-stance-cues of them
 * lie outside the actors dimension: naming the actors (civil society, the
 * private sector, Member States) is something every text does, so a
 * document that only names them takes no position (never a guess).
 * Otherwise "multistakeholder" when score >= threshold, "multilateral" when
 * score <= -threshold, and in between "mixed" when cues of both poles
 * counted, else "none" (weak evidence of one side is not a mixture).
 *
 * Interval [--bootstrap 1000, --seed 1].  A percentile bootstrap over
 * sentences: the S sentences of the document (or section) are resampled
 * with replacement S times, the cues of each drawn sentence count as often
 * as it was drawn, and the score is recomputed; score_lo and score_hi are
 * the 2.5% and 97.5% quantiles of the B replicates (R's type 7: linear
 * interpolation between order statistics).  Drawing is exact and cheap: the
 * number T of the S draws that land on the m sentences holding cues is
 * drawn from Binomial(S, m/S), then T sentences uniformly among those m.
 * The scheme, exactly (classify_boot.c implements it, the unit tests hold
 * a plain copy):
 *   - Eight generator lanes per row, each our own xoshiro256++, whose 32
 *     state words are consecutive splitmix64 outputs started from seed XOR
 *     (FNV-1a hash of the document id, rotated left 17) XOR (section *
 *     0xd1342543de82ef95): a row's interval depends only on the seed and
 *     that row, never on the thread count, the CPU or other documents.
 *   - Replicate b belongs to lane b mod 8.  A lane first draws the count T
 *     of each of its replicates, in order, one output each: with U its top
 *     53 bits, T is the first k with U < floor(2^53 F(k)), F the binomial
 *     distribution function (its terms summed from k = 0, divided by their
 *     total).  When m = S, T = S and no output is drawn.
 *   - Then, replicate by replicate, its T sentence draws: ceil(T / 2)
 *     outputs, each giving two draws, from its high and then its low 32
 *     bits v (the low half of the last is unused when T is odd): sentence
 *     floor(v m / 2^32), unless (v m) mod 2^32 < 2^32 mod m (Lemire's
 *     unbiased bounded draw), when v is replaced by the high half of the
 *     lane's next output, again while rejected.
 *   - A replicate's weights are summed in draw order (as integers when
 *     every sentence sum is a whole multiple of a power of two: the same
 *     number).
 * The eight lanes run side by side in AVX-512 registers when the CPU has
 * AVX-512 F, DQ and VL, else in AVX2 registers (two of four lanes) when it
 * has AVX2, else one after another: the same bits on every path (boot_path
 * below and IGMAP_BOOT_PATH force a path, for tests).  Rows
 * without cues have no interval (empty cells); B = 0 turns intervals off.
 *
 * Sections.  A document whose layout has sections (questionnaire replies:
 * "Question N" headings, tokenise.h) gets, besides its whole-document row
 * (section 0), one row per section number N >= 1 present in it, scored on
 * the cues whose first token lies in that section and bootstrapped over its
 * sentences.  Text before the first heading belongs to the whole-document
 * row only.  --no-sections keeps the section-0 rows alone.
 *
 * Determinism.  Documents are processed in blocks; within a block worker
 * threads decode the postings of every term the lexicons use (once per
 * term, pattern.h pat_cache) and the documents' sentence numbers (lent to
 * every pattern's scan, pattern.h pat_scan_layout_source), take patterns
 * (matching, the costliest of the last block first) and then documents
 * (each one's whole layout, scoring, bootstrap, evidence rows encoded;
 * index.h, idx_layout_sentences, says why a layout is decoded twice), but
 * every result is stored by pattern and document number and every sum
 * runs in a fixed order (evidence rows in position order), so the bytes
 * out are the same at any --threads (default: both cores) and any block
 * size.
 *
 * Cost.  On the 1 GB bench index (70,000 documents, 155 million positions,
 * 4.35 million cues, 1.2 GB of evidence.csv) a run took 11-14.5 s of
 * user CPU, 0.4-0.8 s of system time and 6.5-7.7 s of wall time on 2
 * cores in runs of 2026-11-22, as the shared VM allowed (README:
 * measurements).
 * The bootstrap takes about 2 CPU seconds with AVX-512 (1000 replicates
 * of about as many draws as the row has cue sentences: 3.9 billion draws
 * in all, two per generator output, eight lanes a vector instruction,
 * exact weights summed as integers, packed in 16 bits each when they fit,
 * each lane drawing through all its replicates without waiting for the
 * others; about 9 on the plain path; on the 100 MB bench index, one
 * thread, the whole run takes about 2.0 CPU s on the plain path, 1.45 on
 * AVX2 and 1.35 on AVX-512).  Of the rest: matching (pattern scans,
 * postings, sentence numbers) about 4, inflating the texts of documents
 * with cues for the quote rule and the contexts about 2
 * (pipeline/inflate.h's decoder, two texts side by side), encoding the
 * evidence rows about 2 (context cells copied while scanned, repeated
 * cells encoded once).  evidence.csv and positions.csv bypass the page
 * cache (out.h, ig_out_stream: the kernel's copy of 1.2 GB into fresh
 * pages cost this VM 0.5 to 4 s of system time), which leaves about 0.4 s
 * of system time, and a copy into the writer's chunks (about 0.3 s of
 * user time) in its place.  The calling thread writes a block's evidence
 * while the other workers start on the next block; the start (resolving
 * the patterns, regex entries over the vocabulary) and the end
 * (positions.csv) run on two threads, the other tables on one core (about
 * 0.1 s).  --bootstrap 200 or 0 and --context 0 trade intervals and
 * contexts for time (README: measurements).
 *
 * Languages.  Each cue word is stemmed with the stemmer of each document's
 * language (pattern.h); the shipped lexicons are English, so a text in
 * another language gets few cues and the label none.  An index built with a
 * different tokeniser or stemmer than this build is refused by idx_open
 * ("rebuild the index"), so lexicon and index always normalise alike.
 *
 * ---- Scaling models -----------------------------------------------------------
 *
 * Features are index terms (normalised surface forms) counted once per
 * token position: the joined form of a hyphenated compound is not counted
 * beside its parts.  Terms in at least --scale-min-docs [2] documents are
 * kept, at most --scale-features [2000] of them, the most widespread first
 * (document frequency, then collection frequency, then term order).
 * Wordscores (scale.h) runs when at least two documents carry a
 * ref_position in the manifest (a number such as -1, 0.5 or +1) with two
 * different values [--no-wordscores]; Wordfish runs on every document with
 * at least one kept feature when there are at most --wordfish-max-docs
 * [2000] of them [--no-wordfish], with its direction set by two documents:
 * --wordfish-dir LOW,HIGH (ids), else the reference documents with the
 * lowest and highest ref_position, else the documents with the lowest and
 * highest dictionary score among those labelled, so that negative means
 * multilateral on every scale.  A model that is skipped or fails to
 * converge leaves its columns empty and says why in the summary.  Both
 * hold a document x feature count matrix in memory (12 bytes per nonzero
 * count, about 400 MB for 70,000 documents x 2,000 features): they are
 * meant for corpora of hundreds to a few thousand documents, and the
 * Wordfish limit is checked before the matrix is built.  Wordfish's dense
 * copy is capped at SCL_MAX_DENSE cells (scale.h).
 *
 * ---- Outputs ------------------------------------------------------------------
 *
 * CSV as csv.h writes it (LF, RFC 4180 quoting, text cells neutralised
 * against formula injection, numbers in the C locale).  Numbers: weights
 * and dictionary scores with 6 decimals, scaling estimates with 8; a
 * missing value is an empty cell.
 *
 * positions.csv: one row per document (section 0) and, for documents with
 * sections, one per section (see Sections), in document order then section
 * order.  Columns:
 *   id                 document id
 *   section            0 = the whole document, N = the part under heading N
 *   <metadata>         every manifest column except id and path, in manifest
 *                      order (process, date, submitter, stakeholder_group,
 *                      country, region, language, ref_position, ...)
 *   label              multilateral | multistakeholder | mixed | none
 *   score              (MS - ML) / (MS + ML + k)
 *   score_lo, score_hi 95% bootstrap interval (empty without cues or B = 0)
 *   cues               cues counted (evidence rows of this row)
 *   negated            how many of them were negated
 *   ml_weight          ML: sum of the weight column of this row's evidence
 *                      rows with pole multilateral
 *   ms_weight          MS: the same for pole multistakeholder
 *   sentences          sentences in the document or section (bootstrap units)
 *   dim_actors .. dim_result, dim_general
 *                      the score on each dimension's cues alone (empty when
 *                      the dimension has no cue)
 *   ws_raw, ws_raw_se, ws_raw_lo, ws_raw_hi
 *                      Wordscores raw text score, its standard error and
 *                      +-1.96 se interval (section-0 rows only)
 *   ws_lbg, ws_lbg_se, ws_lbg_lo, ws_lbg_hi    LBG-rescaled (scale.h)
 *   ws_mv, ws_mv_se, ws_mv_lo, ws_mv_hi        Martin-Vanberg rescaled
 *   ws_words           scorable words in the document
 *   wf_theta, wf_se, wf_lo, wf_hi              Wordfish position, se, interval
 * "Every score is the sum of its evidence": ml_weight and ms_weight equal
 * the sums of evidence.csv's weight over the row's rows (for section 0 all
 * rows of the document, for section N those with that section), summed in
 * evidence order; score follows from them by the formula.
 *
 * evidence.csv: one row per counted cue, in document then position order.
 *   id, section        document; section of the cue's first token (0 before
 *                      any heading or in a document without sections)
 *   sentence           sentence number (1-based) of the cue's first token
 *   start, end         byte range [start, end) in the original text
 *   pole               the pole the cue counts for (after negation)
 *   dimension          the cue entry's dimension
 *   weight             the weight counted (after overlap and negation)
 *   negated            1 if a negator reached it, else 0
 *   lexicon, line      positions lexicon file and line of the counted entry
 *   pattern            that entry's pattern
 *   cue_pole           the entry's own pole (differs from pole when flipped)
 *   cue_weight         the weight before negation: the highest weight among
 *                      the merged matches
 *   merged             other same-pole matches merged into this cue
 *   weight_line        the lexicon line whose weight counted (= line unless
 *                      a merged shorter match carries a higher weight)
 *   negator_line, negator
 *                      negators lexicon line and pattern that negated it
 *   left, match, right context in the original text, --context N [8] tokens
 *                      either side (white space runs with a line break or
 *                      tab become one space); N = 0 leaves them empty and
 *                      never inflates a text
 *
 * position_groups.csv: the document scores (section-0 rows) aggregated by
 * each of stakeholder_group, country, region and process that the corpus
 * has, one row per value (bytewise order; the empty value too):
 *   grouping, value    the column and its value
 *   documents          documents with that value
 *   n                  of them, those with a label other than none: the
 *                      documents averaged
 *   mean, sd           mean and sample sd of their scores
 *   lo, hi             95% interval of the mean: mean +- t(0.975, n-1) sd/sqrt(n)
 *                      (empty when n < 2)
 *   multilateral, multistakeholder, mixed, none
 *                      documents with each label
 *
 * lexicon_coverage.csv: one row per lexicon entry, positions file then
 * negators file, in line order:
 *   lexicon, line, kind (multilateral | multistakeholder | negator),
 *   dimension, weight (or scope for negators), pattern,
 *   matches            pattern matches in the whole corpus
 *   counted            evidence rows this entry produced (negators: cues it
 *                      negated)
 *   docs               documents with at least one of them
 *   absorbed           matches merged into or dropped for another cue
 *   quoted             taken cues dropped because they were quoted
 *   negated            of the counted, how many were negated
 *   weight_total       sum of the weight of its evidence rows
 *   weight_share       weight_total over the sum for all entries
 *   rank, cumulative_share
 *                      rank by weight_total (1 = most; ties by line) and the
 *                      share of all weight held by the entries ranked up to
 *                      it: the few entries that make most scores
 * An entry with matches 0 never matched; one with a large share and odd
 * evidence is the first to check.
 *
 * positions_summary.txt: counts per label, the options and seed, which
 * scaling models ran (or why not), and the Pearson and Spearman
 * correlations across documents of score, ws_raw (the rescalings are linear,
 * so they correlate alike) and wf_theta.
 *
 * positions_provenance.json: igmap version, index path, documents and the
 * SHA-256 of their SHA-256s, the index fingerprint lines, the lexicon paths
 * and SHA-256s, every option (seed included), and what the scaling models
 * did.  No timestamps: same input, same bytes.
 *
 * ---- Use ----------------------------------------------------------------------
 *
 *     cls_opts o; cls_opts_default(&o); ... set options ...
 *     cls_open(&run, reader, positions_lex, negators_lex, &o, &e);
 *     cls_score(run, evidence_out, &e);         matching, scoring, evidence.csv
 *     cls_scale(run, &e);                       Wordscores and Wordfish
 *     cls_write_positions(run, out, &e); ... the other tables ...
 *     cls_free(run);
 *
 * Ownership: cls_open borrows the reader and both lexicons for the life of
 * the run (it resolves the lexicons' patterns in place: do not share them
 * with another thread meanwhile) and copies the options (the strings
 * included).  Rows returned by cls_row_get are borrowed from the run.
 * Errors follow err.h: the first wins, messages name stage "classify".
 */
#ifndef IG_CLASSIFY_H
#define IG_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "index.h"
#include "lexicon.h"
#include "out.h"
#include "scale.h"

enum cls_negation { CLS_NEG_FLIP = 0, CLS_NEG_DISCOUNT = 1, CLS_NEG_IGNORE = 2 };
enum cls_cross { CLS_CROSS_NEAREST = 0, CLS_CROSS_BOTH = 1 };
enum cls_label { CLS_NONE = 0, CLS_MULTILATERAL = 1, CLS_MULTISTAKEHOLDER = 2, CLS_MIXED = 3 };
enum cls_quotes { CLS_QUOTES_MENTION = 0, CLS_QUOTES_USE = 1 };
/* The draw paths of the bootstrap ("Interval"): the fastest this CPU runs,
 * the plain lanes, or the same lanes in AVX-512 or in AVX2 registers; all
 * give the same bits. */
enum cls_boot_path {
    CLS_BOOT_AUTO = 0,
    CLS_BOOT_SCALAR = 1,
    CLS_BOOT_AVX512 = 2,
    CLS_BOOT_AVX2 = 3
};

/* The built-in patterns of the negation rule (pattern.h language, matched
 * against the index like lexicon patterns): focus particles ("not ONLY X
 * but also Y") and privative words ("does not UNDERMINE X"). */
#define CLS_DEFAULT_FOCUS "/^(only|just|merely|simply|solely)$/"
#define CLS_DEFAULT_PRIVATIVE \
    "/^(undermin|substitut|replac|exclud|outside$|duplicat|supplant|prejudic|bypass)/"

/* Most bootstrap replicates (memory: one double each per worker). */
#define CLS_MAX_BOOTSTRAP 1000000u
/* Most context tokens either side of a cue. */
#define CLS_MAX_CONTEXT 1000u

typedef struct cls_opts {
    int negation;               /* enum cls_negation [flip] */
    double negation_factor;     /* weight kept by a negated cue, 0..1 [1] */
    int cross;                  /* enum cls_cross [both] */
    int quotes;                 /* enum cls_quotes [mention] */
    const char *focus_pattern;  /* NULL = CLS_DEFAULT_FOCUS, "" = rule off */
    const char *privative_pattern; /* NULL = CLS_DEFAULT_PRIVATIVE, "" = off */
    double smoothing;           /* k >= 0 [3] */
    double threshold;           /* label threshold, 0 < t < 1 [0.2] */
    unsigned min_cues;          /* fewer cues: label none [1] */
    unsigned min_stance_cues;   /* of them, at least this many outside the
                                   actors dimension [1] */
    unsigned bootstrap;         /* replicates, 0 = no interval [1000] */
    uint64_t seed;              /* [1] */
    unsigned threads;           /* 0 or 1 = the calling thread only [1]; igmap
                                   classify defaults to both cores */
    int sections;               /* per-section rows [1] */
    unsigned context;           /* tokens of context in evidence.csv [8] */
    int wordscores;             /* run Wordscores when references exist [1] */
    int wordfish;               /* run Wordfish [1] */
    unsigned scale_min_docs;    /* feature kept in >= this many documents [2] */
    unsigned scale_features;    /* at most this many features [2000] */
    uint32_t wordfish_max_docs; /* Wordfish skipped above this [2000] */
    const char *wordfish_dir[2];/* ids of the low and high document, or NULL */
    scl_wf_opts wf;             /* priors, tolerances, iteration caps */
    int excel;                  /* start every CSV with a UTF-8 BOM [0] */
    const char *version;        /* igmap version for provenance (may be NULL) */
    const char *index_path;     /* for provenance (may be NULL) */
    volatile int *interrupted;  /* polled; nonzero stops with IG_EINTR */
    unsigned block_docs;        /* most documents per block of work, 0 = the
                                   default (classify.c); the output does not
                                   depend on it (tests use 1, 2, 3) [0] */
    int boot_path;              /* enum cls_boot_path, for tests (igmap
                                   classify reads IGMAP_BOOT_PATH=auto,
                                   scalar, avx2 or avx512, and refuses a
                                   path the CPU lacks); here a path the CPU
                                   lacks falls back to scalar (see
                                   cls_boot_path); the output does not
                                   depend on it [auto] */
} cls_opts;

/* Fill o with the defaults in brackets above. */
void cls_opts_default(cls_opts *o);

/* The draw path the bootstrap takes for a request (enum cls_boot_path):
 * CLS_BOOT_SCALAR when asked for; for CLS_BOOT_AUTO, CLS_BOOT_AVX512 when
 * this build and CPU have AVX-512 F, DQ and VL, else CLS_BOOT_AVX2 when they
 * have AVX2, else CLS_BOOT_SCALAR; CLS_BOOT_AVX512 or CLS_BOOT_AVX2 itself
 * when the CPU has it, else CLS_BOOT_SCALAR (so callers and tests can see
 * whether a forced path, or a comparison of paths, is real).  The CPU is
 * asked once per process; thread-safe. */
int cls_boot_path(int want);

/* One row of positions.csv (see there for each field). */
typedef struct cls_row {
    uint32_t doc;              /* document number */
    uint32_t section;          /* 0 = whole document */
    int label;                 /* enum cls_label */
    uint32_t cues, negated, sentences;
    double weight[LEX_NPOLES]; /* ML, MS */
    double score, lo, hi;      /* lo, hi NaN without interval */
    double dim[LEX_NDIMENSIONS][LEX_NPOLES];
    uint32_t dim_cues[LEX_NDIMENSIONS]; /* cues per dimension */
    /* Scaling (section-0 rows; NaN when not estimated). */
    double ws_raw, ws_se, ws_lbg, ws_lbg_se, ws_mv, ws_mv_se, ws_words;
    double wf_theta, wf_se;
} cls_row;

typedef struct cls_run cls_run;

/* Check the lexicon kinds (positions and negators), resolve every pattern
 * against r's vocabulary and prepare the run.  Errors: IG_EUSAGE (a lexicon
 * of the wrong kind, an option out of range, a --wordfish-dir id not in the
 * index), pattern resolution errors (IG_ELIMIT for a regex limit, located
 * in the lexicon), IG_ENOMEM. */
int cls_open(cls_run **run, const idx_reader *r, lex_file *positions, lex_file *negators,
             const cls_opts *o, ig_err *e);
void cls_free(cls_run *run);

/* Match, score and bootstrap every document; write evidence.csv (header and
 * rows) to evidence (which may be NULL: no evidence written, contexts not
 * built).  Errors: the index's (corruption, IG_EDATA), IG_ELIMIT from a NEAR
 * pattern, IG_EINTR, IG_ENOMEM, each with e set; a write error of evidence
 * returns IG_ESYS with e left clear: the ig_out handle holds the failure
 * (errno included) and its commit reports it (and replaces nothing).  Call
 * once. */
int cls_score(cls_run *run, ig_out *evidence, ig_err *e);

/* Wordscores and Wordfish as configured (after cls_score).  A model that
 * cannot run is skipped with a note, not an error; errors are IG_EDATA for
 * a ref_position that is not a number (naming the document) or a damaged
 * index, IG_EINTR and IG_ENOMEM. */
int cls_scale(cls_run *run, ig_err *e);

/* The tables (after cls_score and cls_scale); each writes one whole file to
 * o, which the caller commits. */
int cls_write_positions(const cls_run *run, ig_out *o, ig_err *e);
int cls_write_groups(const cls_run *run, ig_out *o, ig_err *e);
int cls_write_coverage(const cls_run *run, ig_out *o, ig_err *e);
int cls_write_summary(const cls_run *run, ig_out *o, ig_err *e);
int cls_write_provenance(const cls_run *run, ig_out *o, ig_err *e);

/* Rows of positions.csv, in order (valid after cls_score; the scaling
 * fields after cls_scale).  Borrowed. */
size_t cls_row_count(const cls_run *run);
const cls_row *cls_row_get(const cls_run *run, size_t i);
/* Evidence rows written, and the pattern matches per entry (positions
 * entries first, then negators; for tests). */
uint64_t cls_evidence_count(const cls_run *run);
uint64_t cls_entry_matches(const cls_run *run, size_t entry);

/* The label's name ("none", "multilateral", ...). */
const char *cls_label_name(int label);

/* The score formula, exposed for tests: (ms - ml) / (ms + ml + k), 0 when
 * the denominator is 0. */
double cls_score_of(double ml, double ms, double k);

#endif

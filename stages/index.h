/*
 * index.h: the positional index file (out/NAME/index.igx): build it, read it,
 * check it.
 *
 * Pipeline place: after tokenise and stem; everything downstream (kwic,
 * count, classify, map, report) reads the corpus only through this API.  The
 * on-disk format is specified, with its version, at the top of index.c.
 *
 * Model.  Documents are numbered 0..ndocs-1 in corpus order (manifest order,
 * or bytewise path order without a manifest).  A term is a (normalised surface
 * form, language) pair; terms are numbered 0..nterms-1 in bytewise order of
 * surface, then language code, so a prefix is a contiguous term range.  Each
 * term has a stem (computed once, with its language's stemmer).  Postings of
 * a term list, per document in increasing order, the positions where the term
 * occurs, each with its span (see tokenise.h: joined compounds cover
 * pos..pos+span).  Per document the index also keeps, for every position, the
 * byte range of its token in the original text and its sentence, paragraph
 * and section numbers, the document's metadata row, and its text compressed
 * with zlib, so context lines need no corpus.
 *
 * Trust.  The reader never trusts bytes from disk (STYLE.md rule 10): every
 * length is checked against what remains, every section carries a CRC-32,
 * and corruption is a located error (path, section, byte offset), never a
 * crash.  idx_open() verifies the header, the fingerprint and the small
 * sections; large sections are verified block by block when first read, and
 * idx_check() verifies everything.
 *
 * Ownership: an idx_reader owns the mapped file and everything borrowed from
 * it (term strings, metadata strings); those stay valid until idx_close().
 * Iterators and layouts are caller-owned structs filled by the reader; free
 * layouts with idx_layout_free().  A reader may be shared by threads for
 * reading once opened (no function mutates it), except where noted.
 */
#ifndef IG_INDEX_H
#define IG_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "limits.h"
#include "out.h"

typedef struct idx_reader idx_reader;

/* ---- opening ---------------------------------------------------------- */

/* Open and verify path.  Errors: IG_ESYS (cannot open), IG_EDATA ("not an
 * igmap index", unsupported format version, fingerprint mismatch with this
 * build's tokeniser/stemmer/normalisation: "rebuild the index", truncation,
 * checksum mismatch), IG_ENOMEM. */
int idx_open(idx_reader **r, const char *path, ig_err *e);
void idx_close(idx_reader *r);
/* Verify every byte: all checksums, every postings list decodes with
 * increasing documents and positions inside each document's length, every
 * layout decodes, every text inflates to its recorded length and SHA-256.
 * Returns 0 or the first problem in e. */
int idx_check(idx_reader *r, ig_err *e);
/* Statistics for `igmap info`, as "key: value" lines appended to out. */
int idx_info(const idx_reader *r, ig_buf *out);

/* ---- documents and metadata ------------------------------------------- */

uint32_t idx_doc_count(const idx_reader *r);
/* Metadata columns, in manifest order ("id" and "path" first). */
size_t idx_col_count(const idx_reader *r);
const char *idx_col_name(const idx_reader *r, size_t col);
/* Column number of name, or -1. */
long idx_col_find(const idx_reader *r, const char *name);
/* Metadata value of document doc in column col ("" when empty). */
const char *idx_doc_meta(const idx_reader *r, uint32_t doc, size_t col);
/* The first n values of doc's metadata row into vals[0..n): what
 * idx_doc_meta gives for columns 0..n-1, found in one walk along the row. */
void idx_doc_meta_all(const idx_reader *r, uint32_t doc, const char **vals, size_t n);
const char *idx_doc_id(const idx_reader *r, uint32_t doc);
/* Per-document counts. */
typedef struct idx_doc_stats {
    uint64_t bytes;        /* bytes of text (after decompression) */
    uint32_t positions;    /* token positions */
    uint32_t sentences;
    uint32_t paragraphs;
    uint32_t sections;     /* highest section number seen, 0 if none */
    const char *lang;      /* ISO 639-1 code */
    unsigned char sha256[32]; /* of the text (after decompression and repair) */
    uint64_t file_bytes;   /* bytes on disk (compressed size for .gz) */
    uint64_t replaced;     /* invalid UTF-8 sequences replaced (--on-invalid=replace) */
    uint64_t truncated;    /* tokens cut to IG_MAX_TOKEN_BYTES (--on-long-token=truncate) */
    int gzip;              /* 1 if the file was gzip */
} idx_doc_stats;
int idx_doc_stats_get(const idx_reader *r, uint32_t doc, idx_doc_stats *st);

/* Per-position layout of one document, decoded on demand. */
typedef struct idx_layout {
    uint32_t n;            /* positions */
    uint64_t *start;       /* byte range of the token at each position */
    uint64_t *end;
    uint32_t *sentence;    /* 1-based */
    uint32_t *paragraph;   /* 1-based */
    uint32_t *section;     /* 0 = before any heading */
    uint32_t cap;          /* private: entries allocated */
} idx_layout;
/* Decode doc's layout into l, which must start zeroed (idx_layout l = {0});
 * its arrays are reused and grown across calls.  A joined compound at pos
 * with span s covers bytes start[pos] .. end[pos + s].  Errors: IG_EDATA
 * (located corruption; the layout's CRC is checked on first use), IG_ENOMEM,
 * IG_EUSAGE (doc out of range). */
int idx_layout_get(const idx_reader *r, uint32_t doc, idx_layout *l, ig_err *e);
/* The same for n and sentence alone, for a reader that needs no more (a
 * pattern scan; classify decodes these for a block of documents at once,
 * and each document's whole layout only when it scores it, so that the
 * block's layouts take 4 bytes a position, not 28).  The other arrays are
 * left as they are (NULL in a layout that never had more); the position
 * entries are stepped over, not checked: idx_layout_get checks them.
 * l may be passed to idx_layout_get later, and the other way round. */
int idx_layout_sentences(const idx_reader *r, uint32_t doc, idx_layout *l, ig_err *e);
void idx_layout_free(idx_layout *l);
/* The document's original text (inflated) into out, reset first. */
int idx_doc_text(const idx_reader *r, uint32_t doc, ig_buf *out, ig_err *e);
/* The texts of documents doc[0..n) into out[0..n) (distinct buffers, each
 * reset first), decoded two side by side (inflate.h, ig_inflate_zlibn):
 * for ordinary prose, faster than n idx_doc_text calls.  Returns IG_OK with
 * every text exactly as idx_doc_text gives it, or -1 when n > IDX_TEXTS_MAX
 * or idx_doc_text would fail on one of them (no error said, buffers
 * unspecified): the caller then calls idx_doc_text, which reports it. */
#define IDX_TEXTS_MAX 16   /* jobs on the stack; more gain nothing */
int idx_doc_texts(const idx_reader *r, const uint32_t *doc, size_t n, ig_buf *out);

/* ---- vocabulary -------------------------------------------------------- */

uint32_t idx_term_count(const idx_reader *r);
/* Surface form of term t (NUL-terminated) and its length. */
const char *idx_term(const idx_reader *r, uint32_t t, size_t *len);
const char *idx_term_stem(const idx_reader *r, uint32_t t, size_t *len);
const char *idx_term_lang(const idx_reader *r, uint32_t t);
uint32_t idx_term_df(const idx_reader *r, uint32_t t);   /* documents */
uint64_t idx_term_cf(const idx_reader *r, uint32_t t);   /* occurrences */
/* The term with exactly this surface and language, or UINT32_MAX. */
uint32_t idx_term_find(const idx_reader *r, const char *surface, size_t n,
                       const char *lang);
/* Terms whose surface starts with prefix[0..n): the range [*lo, *hi). */
void idx_term_prefix(const idx_reader *r, const char *prefix, size_t n,
                     uint32_t *lo, uint32_t *hi);
/* Terms of language lang whose stem equals stem[0..n): appends their ids,
 * in increasing order, to *out (an array of *nout entries, grown with
 * ig_realloc; the caller frees it with ig_free).  Returns 0 (also when no
 * term matches) or IG_ENOMEM. */
int idx_term_by_stem(const idx_reader *r, const char *lang, const char *stem,
                     size_t n, uint32_t **out, size_t *nout);
/* Languages present in the corpus (ISO 639-1 codes). */
size_t idx_lang_count(const idx_reader *r);
const char *idx_lang(const idx_reader *r, size_t i);

/* ---- postings ---------------------------------------------------------- */

typedef struct idx_postings {
    const unsigned char *p, *end;  /* encoded list (private) */
    uint32_t doc;                  /* current document */
    uint32_t freq;                 /* positions in the current document */
    uint32_t left;                 /* positions not yet read in it */
    uint32_t pos;                  /* last position read */
    uint32_t docs_left;            /* documents not yet read */
    int started;                   /* private */
    const idx_reader *r;           /* private: for bounds and messages */
    uint32_t term;                 /* private: the term iterated */
} idx_postings;

/* Start iterating term t (the struct needs no initialisation).  Verifies
 * the list's CRC the first time the term is opened by this reader; a
 * mismatch is IG_EDATA located by section and byte.  Iteration checks every
 * varint against the list's end and every document against the count, so
 * damage that slipped past the CRC is an error, never an out-of-bounds
 * read; idx_check verifies positions against each document's length. */
int idx_postings_open(const idx_reader *r, uint32_t t, idx_postings *it, ig_err *e);
/* Next document: 1 with it->doc and it->freq set, 0 at end, <0 on
 * corruption (e set).  Unread positions of the previous document are skipped. */
int idx_postings_next_doc(idx_postings *it, ig_err *e);
/* Next position in the current document: 1 with *pos and *span set, 0 when
 * the document has no more, <0 on corruption. */
int idx_postings_next_pos(idx_postings *it, uint32_t *pos, uint32_t *span, ig_err *e);
/* idx_postings_next_pos with its common case inline (a position gap of one
 * or two bytes and no span, nearly every position of a list): the same
 * result, checks and errors, without a call per position for the bulk
 * readers (pattern.h's pat_cache).  Anything else goes to the function. */
static inline int idx_postings_pos(idx_postings *it, uint32_t *pos, uint32_t *span, ig_err *e)
{
    if (it->left > 0 && it->end - it->p >= 2) {
        uint32_t v = it->p[0], n = 1;
        if (v & 0x80) {
            v = (v & 0x7F) | (uint32_t)it->p[1] << 7;
            n = it->p[1] & 0x80 ? 0 : 2;
        }
        if (n && !(v & 1) && it->pos + (v >> 1) <= IG_MAX_DOC_TOKENS) {
            it->p += n;
            it->pos += v >> 1;
            it->left--;
            *pos = it->pos;
            *span = 0;
            return 1;
        }
    }
    return idx_postings_next_pos(it, pos, span, e);
}

/* ---- building ---------------------------------------------------------- */
/*
 * Three layers, from simplest to fastest; all give byte-identical files for
 * the same documents in the same order, whatever the thread count or memory
 * budget (FAULTS.md P6).
 *
 *  1. idx_writer_open / idx_writer_add_text / idx_writer_finish /
 *     idx_writer_commit: one thread, documents given as text in memory.
 *  2. idx_prep_doc (any thread, one idx_prep per thread) turns a text into
 *     an idx_docbuf: tokens grouped by term with their positions encoded,
 *     the layout encoded, the text compressed and hashed.  The writer then
 *     takes idx_docbufs strictly in document order with idx_writer_add;
 *     that part is cheap: a preparer numbers the terms it meets and
 *     remembers them from one document to the next, so the writer looks up
 *     each of its terms once and then follows the numbers.  Hence the
 *     rule: the documents one idx_prep prepared successfully reach
 *     idx_writer_add in the order it prepared them, none left out (a gap is
 *     reported as an internal error); one that failed is simply dropped.
 *  3. idx_build: layer 2 driven by N threads, the calling thread among
 *     them: all read and prepare documents, and the calling thread also
 *     adds them in order (preparing others whenever the next one to add is
 *     not ready yet).
 *
 * Memory stays bounded: each document's layout and compressed text go to
 * the output file as soon as it is added; postings collect in memory and,
 * past opts.mem_budget bytes, are written as a sorted segment to a spill
 * file in the output directory (created and unlinked at once, so nothing is
 * left behind whatever happens); idx_writer_finish merges the segments.
 * The output itself is an ig_out temporary file (out.h): the target is
 * replaced only by idx_writer_commit.
 *
 * Ownership: idx_writer, idx_prep and idx_docbuf are owned by the caller and
 * freed with idx_writer_abort (or consumed by idx_writer_commit),
 * idx_prep_free and idx_docbuf_free, which accept NULL.  String arguments
 * are copied; nothing is retained after a call returns.
 */

/* Default for idx_build_opts.mem_budget: postings held in memory before a
 * segment is spilled. */
#define IDX_DEFAULT_MEM_BUDGET ((size_t)128 * 1024 * 1024)

/* How document texts are compressed (pipeline/deflate.h's levels; any
 * level gives a valid zlib stream, so readers do not depend on it):
 *   IG_DEFLATE_HUFFMAN (0)  about 58% of the text's size, ~900 MB/s a core
 *   IG_DEFLATE_FAST (1)     LZ77 too: about 40%, ~190 MB/s a core
 * Measured in `make bench` (generated prose, 2 cores) in an earlier round,
 * before the prose codes: with HUFFMAN the whole of `igmap index` ran at
 * 92 / 105 MB/s on 100 MB / 1 GB, indexes 129 / 1208 MB; with FAST at
 * 80 / 84 MB/s, indexes 112 / 1037 MB (FTS5's: 156 / 1510 MB).  Now HUFFMAN
 * gives 108 / 125 MB/s and 130 / 1214 MB.  Speed is the goal, so
 * HUFFMAN. */
#define IDX_TEXT_DEFLATE_LEVEL 0

typedef struct idx_build_opts {
    const char *section_pattern; /* tokeniser heading pattern; NULL = default */
    int truncate_long;           /* 1: cut over-long tokens and count them */
    int allow_nul;               /* 1: NUL is a separator (input.c let it through) */
    size_t mem_budget;           /* memory held for postings (pool.h footprint)
                                    before spilling; 0 = default */
    unsigned threads;            /* idx_build threads, the calling one included;
                                    0 or 1 = calling thread only */
    volatile int *interrupted;   /* polled: nonzero stops with IG_EINTR (signo) */
    /* Called by idx_build from the calling thread every ~200 ms and once at
     * the end (done == total); may be NULL. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total, uint64_t bytes_done);
    void *progress_ctx;
} idx_build_opts;

/* What is known about a document besides its text (from input.c). */
typedef struct idx_doc_src {
    uint64_t file_bytes;     /* bytes on disk */
    uint64_t replaced;       /* invalid UTF-8 sequences replaced */
    int gzip;                /* 1 if gzip */
    const char *path;        /* for tokeniser messages (borrowed) */
    const char *lang;        /* ISO 639-1 code, the one idx_writer_add will
                                be given (borrowed; NULL = "en") */
} idx_doc_src;

typedef struct idx_writer idx_writer;
typedef struct idx_prep idx_prep;
typedef struct idx_docbuf idx_docbuf;

/* Start an index at path (written to a temporary file beside it).  cols are
 * the metadata column names (ncols of them; one must be "id"); opts may be
 * NULL for defaults (its strings are copied).  Errors: IG_EUSAGE (no "id"
 * column, bad section pattern), IG_ESYS (cannot create the temp or spill
 * file), IG_ENOMEM. */
int idx_writer_open(idx_writer **w, const char *path, const char *const *cols,
                    size_t ncols, const idx_build_opts *opts, ig_err *e);
/* Add the next document: vals are its ncols metadata values (NUL-free),
 * lang its ISO 639-1 code (must be stem_lang_supported), d a document
 * prepared by idx_prep_doc.  d is left reusable.  Errors: IG_EDATA
 * (unsupported language, NUL in a value), IG_ELIMIT (IG_MAX_DOCS), IG_ESYS
 * (write or spill failure), IG_ENOMEM; after an error the writer only
 * accepts idx_writer_abort. */
int idx_writer_add(idx_writer *w, const char *const *vals, const char *lang,
                   const idx_docbuf *d, ig_err *e);
/* Layer 1: prepare text[0..len) in the calling thread and add it. */
int idx_writer_add_text(idx_writer *w, const char *const *vals, const char *lang,
                        const char *text, size_t len, const idx_doc_src *src,
                        ig_err *e);
/* Documents added so far. */
uint32_t idx_writer_doc_count(const idx_writer *w);
/* The writer's options, defaults filled in (borrowed from w). */
const idx_build_opts *idx_writer_opts(const idx_writer *w);
/* Write every remaining section (stemming each distinct (surface, language)
 * once, merging the postings segments); the file is complete but not yet in
 * place.  After it, idx_writer_doc_stats works. */
int idx_writer_finish(idx_writer *w, ig_err *e);
/* Per-document results (as idx_doc_stats_get would read them back); lang
 * and the stats stay valid until the writer is freed.  Valid after
 * idx_writer_add of that document; may be called from another thread
 * while idx_writer_finish runs, which only reads the document table. */
int idx_writer_doc_stats(const idx_writer *w, uint32_t doc, idx_doc_stats *st);
/* Rename the finished file into place (fsync, rename, fsync dir) and free w.
 * On failure the target is unchanged and no temp file remains. */
int idx_writer_commit(idx_writer *w, ig_err *e);
/* The same, committing `extra` (another finished output, such as
 * documents.csv; may be NULL) together with the index through
 * ig_out_commit_all(): either both targets are new or neither changed.
 * Consumes extra whatever happens. */
int idx_writer_commit_with(idx_writer *w, ig_out *extra, ig_err *e);
/* Drop everything: temp and spill files removed, w freed.  NULL is fine. */
void idx_writer_abort(idx_writer *w);

/* A per-thread preparer (tokeniser, compressor, scratch tables). */
int idx_prep_new(idx_prep **p, const idx_build_opts *opts, ig_err *e);
void idx_prep_free(idx_prep *p);
int idx_docbuf_new(idx_docbuf **d);
void idx_docbuf_free(idx_docbuf *d);
/* Tokenise, group, encode, compress and hash text[0..len) into d (reset
 * first).  src may be NULL; src->lang must be the language idx_writer_add
 * will be given for d.  Errors are the tokeniser's (IG_ELIMIT for an
 * over-long token in strict mode, located by path, line and byte), IG_ELIMIT
 * when the document has more than IG_MAX_DOC_TOKENS positions, IG_ENOMEM. */
int idx_prep_doc(idx_prep *p, idx_docbuf *d, const char *text, size_t len,
                 const idx_doc_src *src, ig_err *e);

/* Layer 3: where idx_build gets its documents.  read is called from worker
 * threads concurrently (it must be thread-safe) and fills text (reset
 * first) and src; meta is called from the calling thread only, in order. */
typedef struct idx_source {
    uint32_t ndocs;
    int (*read)(void *ctx, uint32_t doc, ig_buf *text, idx_doc_src *src, ig_err *e);
    /* Metadata row of doc (ncols values) and its language in *lang. */
    const char *const *(*meta)(void *ctx, uint32_t doc, const char **lang);
    void *ctx;
} idx_source;

/* Read, prepare and add every document of src to w with opts.threads
 * threads (those of the writer's opts; the calling thread and
 * opts.threads - 1 more), in document order.  The first error
 * in document order is the one reported (so it does not depend on thread
 * timing); nothing is committed: the caller then finishes or aborts w. */
int idx_build(idx_writer *w, const idx_source *src, ig_err *e);

#endif

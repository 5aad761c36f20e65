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
const char *idx_doc_id(const idx_reader *r, uint32_t doc);
/* Per-document counts. */
typedef struct idx_doc_stats {
    uint64_t bytes;        /* bytes of text (after decompression) */
    uint32_t positions;    /* token positions */
    uint32_t sentences;
    uint32_t paragraphs;
    uint32_t sections;     /* highest section number seen, 0 if none */
    const char *lang;      /* ISO 639-1 code */
    unsigned char sha256[32];
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
} idx_layout;
/* Decode doc's layout into l (arrays reused if l already holds some). */
int idx_layout_get(const idx_reader *r, uint32_t doc, idx_layout *l, ig_err *e);
void idx_layout_free(idx_layout *l);
/* The document's original text (inflated) into out, reset first. */
int idx_doc_text(const idx_reader *r, uint32_t doc, ig_buf *out, ig_err *e);

/* ---- vocabulary -------------------------------------------------------- */

uint32_t idx_term_count(const idx_reader *r);
/* Surface form of term t (NUL-terminated) and its length. */
const char *idx_term(const idx_reader *r, uint32_t t, size_t *len);
const char *idx_term_stem(const idx_reader *r, uint32_t t, size_t *len);
const char *idx_term_lang(const idx_reader *r, uint32_t t);
uint32_t idx_term_df(const idx_reader *r, uint32_t t);   /* documents */
uint64_t idx_term_cf(const idx_reader *r, uint32_t t);   /* occurrences */
/* Terms whose surface starts with prefix[0..n): the range [*lo, *hi). */
void idx_term_prefix(const idx_reader *r, const char *prefix, size_t n,
                     uint32_t *lo, uint32_t *hi);
/* Terms of language lang whose stem equals stem[0..n): appends their ids,
 * in increasing order, to *out (an array of *nout, grown with ig_realloc). */
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
} idx_postings;

/* Start iterating term t.  Verifies the block's checksum on first use. */
int idx_postings_open(const idx_reader *r, uint32_t t, idx_postings *it, ig_err *e);
/* Next document: 1 with it->doc and it->freq set, 0 at end, <0 on
 * corruption (e set).  Unread positions of the previous document are skipped. */
int idx_postings_next_doc(idx_postings *it, ig_err *e);
/* Next position in the current document: 1 with *pos and *span set, 0 when
 * the document has no more, <0 on corruption. */
int idx_postings_next_pos(idx_postings *it, uint32_t *pos, uint32_t *span, ig_err *e);

/* ---- building ---------------------------------------------------------- */
/* (The writer API follows; see index.c for the format.) */

#endif

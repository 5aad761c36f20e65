/*
 * index_write_int.h: the index writer's state and the helpers its two
 * files share: adding documents (index_write.c) and the finish step that
 * writes the postings, vocabulary and the rest (index_finish.c).  Private
 * to the writer; its manual is index.h ("building"), the file format is at
 * the top of index.c.
 */
#ifndef IG_INDEX_WRITE_INT_H
#define IG_INDEX_WRITE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "index.h"
#include "out.h"
#include "pool.h"
#include "stem.h"

/* Bytes read from the spill file at a time, per segment, while merging. */
#define MERGE_BUFSZ ((size_t)1 << 16)
/* From this many bytes on, combining two CRCs (a few hundred cycles) is
 * cheaper than computing one over the bytes. */
#define COMBINE_MIN 4096

/* A term of the whole corpus: one cache line (w->terms is aligned to
 * them), so that adding a document's lists waits for one line a term,
 * the one its prefetch asked for; at 80 bytes most terms straddled two.
 * Its stem, needed only by the finish step, is kept apart (w->stemref). */
struct wterm {
    uint64_t hash;          /* of surface and language */
    uint64_t surf_off;      /* in w->surfaces (NUL-terminated there) */
    uint64_t cf;
    unsigned char *p;       /* postings since the last spill */
    size_t len, cap;
    uint32_t surf_len;
    uint32_t last1;         /* last document + 1, 0 before the first */
    uint32_t df;
    uint16_t lang;          /* provisional language (order first seen) */
};
#define WTERM_ALIGN 64
_Static_assert(sizeof(struct wterm) == WTERM_ALIGN, "a term is one cache line");

/* Where a term's stem is: in w->stems. */
struct wstem {
    uint64_t off;
    uint32_t len;
};

/* A slot of the corpus term table: the high half of the term's hash, so
 * that a probe rarely has to look at the term itself, and its index + 1
 * (0 = empty). */
struct wslot {
    uint32_t tag;
    uint32_t idx;
};

struct wdoc {
    uint64_t meta_off, bytes, file_bytes, replaced, truncated;
    uint64_t layout_off, layout_len, text_off, text_len;
    uint32_t layout_crc, text_crc, positions, sentences, paragraphs, sections;
    uint16_t lang, flags;
    unsigned char sha[32];
};

struct wseg {
    uint64_t off, len;      /* in the spill file */
};

/* Thread term maps.  A preparer (index_prep.c) numbers the terms it meets
 * and sends a term's surface only with the first document it occurs in
 * (dterm.fresh); the writer, seeing that preparer's documents in the order
 * they were prepared, looks such a term up once by its surface and records
 * its corpus term here, so every later occurrence is an array read. */
struct wmap {
    uint64_t owner;         /* the preparer's serial */
    uint32_t epoch;         /* its epoch this map is for */
    uint32_t next_seq;      /* the document number expected next */
    uint32_t *corpus;       /* thread term -> corpus term */
    size_t n, cap;          /* thread terms mapped so far */
};

struct idx_writer {
    ig_out *out;
    char path[1024];
    idx_build_opts opts;
    char *section_pattern;      /* copy of opts.section_pattern */
    size_t ncols;
    char **cols;
    char **langs;               /* provisional order */
    stem_cache **stemmers;      /* per provisional language */
    size_t nlangs;
    struct wdoc *docs;
    size_t ndocs, cdocs;
    ig_buf meta;                /* METADATA section, built as documents come */
    uint64_t docdata_off;       /* file offset of DOCDATA */
    uint32_t sec_crc;           /* CRC of the section being written */
    struct wterm *terms;    /* WTERM_ALIGN-aligned, inside terms_mem */
    void *terms_mem;
    size_t nterms, cterms;
    struct wstem *stemref;  /* per term */
    size_t cstemref;
    ig_buf surfaces;
    ig_buf stems;               /* each term's stem, stemmed when first met */
    struct wslot *slots;        /* open addressing, linear probing */
    size_t nslots;              /* power of two, at least twice nterms */
    ig_pool post;               /* every term's postings buffer (p, cap) */
    int spill_fd;
    char spill_path[1100];
    uint64_t spill_len;
    struct wseg *segs;
    size_t nsegs, csegs;
    unsigned char *sbuf;        /* spill write buffer */
    size_t sused;
    struct wmap *maps;          /* one per preparer seen */
    size_t nmaps, cmaps;
    uint32_t *ids;              /* scratch: corpus term of each dterm */
    size_t cids;
    idx_prep *prep;             /* for idx_writer_add_text */
    idx_docbuf *db;
    struct {
        uint64_t off, len;
        uint32_t crc;
    } sec[IDX_NSECTIONS + 1];
    uint64_t wb_at;             /* output offset of the last writeback request */
    uint64_t post_bytes;        /* bytes of the postings lists in memory */
    int failed;                 /* sticky error code */
    int finished;
};


struct keyed {
    uint64_t key;
    uint32_t id;
};

/* Record rc as the writer's failure (the first one sticks); returns rc. */
int idxw_fail(idx_writer *w, int rc);
/* Write bytes to the output, inside the current section; idxw_emit
 * extends the section's CRC over them, idxw_emit_raw leaves that to the
 * caller.  A failed write reports the output's error and fails w. */
int idxw_emit(idx_writer *w, const void *p, size_t n, ig_err *e);
int idxw_emit_raw(idx_writer *w, const void *p, size_t n, ig_err *e);
/* Every WRITEBACK_BYTES of output, ask for it to go to disk now
 * (ig_out_writeback): the commit's fsync then has little left to write (on
 * a 1 GB corpus it otherwise waits most of a second for the disk).
 * idxw_writeback asks for what the handle wrote since it last asked, once
 * that is WRITEBACK_BYTES; the finish step's second postings thread asks
 * for its own bytes, and the finish asks once more for everything at its
 * end, so the disk works while documents.csv is written. */
#define WRITEBACK_BYTES ((uint64_t)8 << 20)
void idxw_writeback(idx_writer *w);
/* A section starts or ends at the current output offset (with its CRC). */
void idxw_sec_begin(idx_writer *w, uint32_t id);
void idxw_sec_end(idx_writer *w, uint32_t id);
/* Write the spill buffer to the spill file. */
int idxw_spill_flush(idx_writer *w, ig_err *e);
/* The first 8 bytes of s[0..n) as a big-endian number, zero-padded (sort
 * keys that order strings as memcmp-then-length does, but for ties). */
uint64_t idxw_prefix_key(const char *s, uint32_t n);
/* Sort a[0..n) by key, stably (LSD radix), using b as scratch. */
void idxw_radix(struct keyed *a, struct keyed *b, size_t n);
/* Sort term ids ids[0..n) into vocabulary order (two threads for a large
 * sort when the writer may use two). */
int idxw_sort_terms(idx_writer *w, uint32_t *ids, size_t n, ig_err *e);

#endif

/*
 * index.c: the positional index file (index.igx): its format, and the
 * reader that every query, classify and map step goes through (its layout
 * decoding in index_layout.c).  The writer is in index_write.c and
 * index_finish.c (and the threaded driver in index_build.c).
 *
 * ===================================================================
 *  igmap index file format, version 2
 * ===================================================================
 *
 * Conventions.  Every fixed-width integer is little-endian, whatever the
 * machine (FAULTS.md F43).  "varint" is LEB128: 7 bits per byte, low group
 * first, high bit set on every byte but the last, at most 10 bytes
 * (pipeline/buf.h).  zz(x) is the zigzag map of a signed value
 * ((x << 1) ^ (x >> 63)), so small negative values stay short.  CRC-32 is
 * zlib's crc32() (the ISO-HDLC polynomial).  Strings are UTF-8, stored with
 * a terminating NUL that is not part of their length.  "Bytewise" order is
 * memcmp order, with a shorter string before its extensions.
 *
 * File layout:
 *
 *     header (32 bytes)
 *     section DOCDATA       written while documents stream in
 *     section POSTINGS      merged from the sorted segments
 *     section FINGERPRINT, LANGUAGES, COLUMNS, DOCUMENTS, METADATA,
 *             VOCABULARY, STRINGS, STEMS
 *     directory (24 bytes per section)
 *     footer (40 bytes)
 *
 * The directory and footer come last because the writer streams: document
 * data goes to the output file as soon as each document is done, so the
 * sizes are known only at the end.  A reader finds everything from the
 * footer; a file cut short at any length has no valid footer, and any
 * other damage fails a CRC.  The writer lays sections out in the order
 * above, each directly after the previous; readers must rely only on the
 * directory.
 *
 * Header, at offset 0:
 *     0   8  magic "IGMAPIDX"
 *     8   4  format version (2)
 *     12 16  reserved, zero
 *     28  4  CRC-32 of bytes 0..27
 *
 * Footer, the last 40 bytes:
 *     0   8  directory offset (from the start of the file)
 *     8   4  directory entries (10)
 *     12  4  CRC-32 of the directory
 *     16  8  file length, footer included
 *     24  4  format version (2)
 *     28  4  CRC-32 of footer bytes 0..27
 *     32  8  magic "IGMAPEND"
 *
 * Directory: one 24-byte entry per section, in increasing section id:
 *     0   4  section id (below)
 *     4   4  CRC-32 of the section's bytes
 *     8   8  offset of the section
 *     16  8  length of the section
 * Every id 1..10 appears exactly once; sections lie between the header and
 * the directory and do not overlap.
 *
 * Which checks run when.  Opening verifies the header, footer, directory
 * and the CRC of every section except DOCDATA and POSTINGS, which can be
 * most of the file: those are covered by the section CRC (checked by
 * `igmap check`) and, so that a query touching a few terms stays fast, by a
 * CRC per postings list (in its term record) and per document layout and
 * text (in the document record), each checked the first time it is read.
 *
 * Section FINGERPRINT (id 3): text, one "key=value\n" line per item, in
 * this order:
 *     tokeniser_rules=<TOK_RULES_VERSION>
 *     normalisation=NFKC+casefold
 *     utf8proc=<utf8proc_version()>
 *     stemmer=<stem_library_version()>
 *     section_pattern=<the heading pattern used>
 * The first four change which terms a text yields: a reader whose build
 * differs in any of them refuses the file ("rebuild the index"), as it
 * does when a language's Snowball algorithm (section LANGUAGES) differs.
 * The section pattern changes only section numbers and is informational.
 *
 * Section LANGUAGES (id 4): u32 count, then per language, in bytewise order
 * of code: code NUL, Snowball algorithm name NUL.  A language id is an
 * index into this list.
 *
 * Section COLUMNS (id 5): u32 count, then each metadata column name NUL,
 * in manifest order; one of them is "id".
 *
 * Section DOCUMENTS (id 6): u32 document count, u32 zero, then one
 * 136-byte record per document, in corpus order (document id = index):
 *     0   8  offset of its row in METADATA
 *     8   8  bytes of text (after decompression and repair)
 *     16  8  bytes of the file on disk
 *     24  8  invalid UTF-8 sequences replaced
 *     32  8  tokens truncated
 *     40  8  layout offset in DOCDATA
 *     48  8  layout length
 *     56  8  text offset in DOCDATA
 *     64  8  text length (compressed)
 *     72  4  CRC-32 of the layout
 *     76  4  CRC-32 of the compressed text
 *     80  4  positions
 *     84  4  sentences
 *     88  4  paragraphs
 *     92  4  sections (highest section number, 0 if none)
 *     96  2  language id
 *     98  2  flags: bit 0 = the file was gzip; other bits zero
 *     100 4  reserved, zero
 *     104 32 SHA-256 of the text
 *
 * Section METADATA (id 7): per document, in order, its ncols values, each
 * NUL-terminated (values contain no NUL).
 *
 * Section VOCABULARY (id 8): u32 term count, u32 zero, then one 56-byte
 * record per term, in bytewise order of surface, then of language code
 * (term id = index; no two records equal):
 *     0   8  postings offset in POSTINGS
 *     8   8  postings length
 *     16  8  collection frequency (positions)
 *     24  8  surface offset in STRINGS
 *     32  4  surface length (1..IG_MAX_TOKEN_BYTES)
 *     36  4  stem id
 *     40  4  document frequency
 *     44  4  CRC-32 of the postings list
 *     48  2  language id
 *     50  6  reserved, zero
 *
 * Section STRINGS (id 9): NUL-terminated strings referenced by VOCABULARY
 * and STEMS: every term surface, in term order, then every stem.
 *
 * Section STEMS (id 10): u32 stem count S, u32 list length L, then S
 * 24-byte records in bytewise order of stem, then of language code (stem
 * id = index; no two equal), then L u32 term ids:
 *     0   8  stem offset in STRINGS
 *     8   4  stem length
 *     12  4  first entry of its term list
 *     16  4  term list length (>= 1)
 *     20  2  language id
 *     22  2  reserved, zero
 * A stem's list holds, in increasing order, the terms of its language with
 * that stem; every term is in exactly one list (L = term count).
 *
 * Section POSTINGS (id 2): the postings lists of all terms, in term order,
 * back to back.  A term's list holds df entries, documents increasing:
 *     varint  gap    document + 1 - (previous document + 1), previous
 *                    document being -1 for the first entry; so gap >= 1
 *     varint  freq   positions of the term in that document, >= 1
 *     freq times:
 *       varint  d << 1 | s   d = position - previous position in this
 *                            document (0 before the first), positions
 *                            non-decreasing; s = 1 if a span follows
 *       varint  span         only when s = 1: span >= 1 (a joined
 *                            compound covering positions pos..pos+span)
 * Every position plus its span is below the document's position count,
 * and the freq values add up to the term's collection frequency.
 *
 * Section DOCDATA (id 1): per document, in order, its layout then its text,
 * back to back.
 *   Layout: for each of the document's n positions, the byte range of the
 *   word or compound part at that position in the original text, as the
 *   gap g = start - previous end (previous end 0 at first; g may be
 *   negative) and the length w = end - start.  When 1 <= g <= 4 and
 *   1 <= w <= 63 (in prose, 99% of positions: one space or a comma and a
 *   space before a word of up to 63 bytes) that is one byte
 *       byte    (g - 1) << 6 | w
 *   and otherwise an escape byte 0 followed by
 *       varint  zz(g)
 *       varint  w
 *   (a byte whose low six bits are zero but that is not 0 is invalid; the
 *   short form is used whenever it fits).  Then three run lists, for
 *   sentence, paragraph and section numbers:
 *       varint  runs        0 exactly when n = 0
 *       runs times: varint gap, varint zz(value - previous value)
 *   where gap is the run's first position minus the previous run's (0 for
 *   the first run, which starts at position 0; later gaps >= 1, all runs
 *   start below n) and the previous value is 0 at first.  Each position
 *   takes the value of the run it is in.  A joined compound's byte range is
 *   from the start of its first position to the end of its last.
 *   Text: a zlib stream (RFC 1950) of the document's bytes exactly as the
 *   tokeniser saw them (BOM and CRs kept, so byte ranges index it); it
 *   inflates to exactly the recorded bytes, whose SHA-256 is recorded.
 *   Any valid stream may appear (readers inflate with zlib); this writer
 *   makes them with pipeline/deflate.c (header 78 01, level
 *   IDX_TEXT_DEFLATE_LEVEL of index.h), which favours speed over size.
 *
 * Version history: 1, the first; 2, the one-byte form of layout entries
 * (version 1 wrote every entry as two varints).  Any change to this layout
 * bumps IDX_FORMAT_VERSION; any change to what the tokeniser or stemmer
 * produce changes the fingerprint instead.
 * ===================================================================
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "index_fmt.h"
#include "inflate.h"
#include "limits.h"
#include "sha256.h"
#include "stem.h"

#define STAGE "index"

struct idx_sec {
    uint64_t off, len;      /* where in the file */
    uint32_t crc;           /* CRC-32 of the bytes */
};

struct idx_reader {
    char path[1024];                 /* for messages */
    const unsigned char *map;        /* the whole file, read-only */
    size_t size;                     /* its length */
    struct idx_sec sec[IDX_NSECTIONS + 1]; /* by section id */
    const unsigned char *fp;         /* fingerprint text */
    size_t fp_len;
    size_t nlangs;
    const char **langs, **algos;     /* codes and algorithms, into the map */
    size_t ncols;
    const char **cols;               /* column names, into the map */
    long id_col;                     /* index of "id" */
    uint32_t ndocs;
    const unsigned char *docs;       /* document records */
    const char *meta;                /* METADATA */
    uint64_t meta_len;
    uint32_t nterms;
    const unsigned char *terms;      /* term records */
    const char *strings;             /* STRINGS */
    uint64_t strings_len;
    uint32_t nstems, nlist;
    const unsigned char *stems;      /* stem records */
    const unsigned char *stemlist;   /* u32 term ids */
    const unsigned char *post;       /* POSTINGS */
    uint64_t post_len;
    const unsigned char *docdata;    /* DOCDATA */
    uint64_t docdata_len;
    /* "verified" flags, set with atomic stores so that threads sharing the
     * reader may race on them harmlessly (both compute the same CRC). */
    unsigned char *term_ok;          /* per term: postings CRC checked */
    unsigned char *doc_ok;           /* per doc: bit 0 layout, bit 1 text */
};

/* ---- errors ------------------------------------------------------------ */

static int rd_corrupt(const idx_reader *r, ig_err *e, uint32_t sec, uint64_t byte,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A located corruption error: path, section, absolute byte offset. */
static int rd_corrupt(const idx_reader *r, ig_err *e, uint32_t sec, uint64_t byte,
                      const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (sec == 0)
        return ig_err_set(e, IG_EDATA, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          byte, "%s", msg);
    return ig_err_set(e, IG_EDATA, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS, byte,
                      "section %s: %s", idx_section_name(sec), msg);
}

/* File offset of a pointer into the map. */
static uint64_t rd_at(const idx_reader *r, const void *p)
{
    return (uint64_t)((const unsigned char *)p - r->map);
}

/* ---- opening ----------------------------------------------------------- */

void idx_close(idx_reader *r)
{
    if (r == NULL)
        return;
    if (r->map != NULL && r->size > 0)
        munmap((void *)r->map, r->size);
    ig_free(r->langs);
    ig_free(r->algos);
    ig_free(r->cols);
    ig_free(r->term_ok);
    ig_free(r->doc_ok);
    ig_free(r);
}

static int rd_header(idx_reader *r, ig_err *e)
{
    const unsigned char *m = r->map;
    uint32_t ver = ig_get_u32le(m + 8);
    if (ver != IDX_FORMAT_VERSION)
        return ig_err_set(e, IG_EDATA, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS, 8,
                          "format version %u not supported (expected %u)", ver,
                          IDX_FORMAT_VERSION);
    if (idx_crc32(0, m, 28) != ig_get_u32le(m + 28))
        return rd_corrupt(r, e, 0, 28, "header checksum mismatch");
    for (int i = 12; i < 28; i++)
        if (m[i] != 0)
            return rd_corrupt(r, e, 0, (uint64_t)i, "header: reserved byte not zero");
    return IG_OK;
}

static int rd_footer_and_directory(idx_reader *r, ig_err *e)
{
    const unsigned char *f = r->map + r->size - IDX_FOOTER_SIZE;
    uint64_t fo = r->size - IDX_FOOTER_SIZE;
    if (memcmp(f + 32, IDX_END_MAGIC, 8) != 0 || idx_crc32(0, f, 28) != ig_get_u32le(f + 28))
        return rd_corrupt(r, e, 0, fo,
                          "truncated or damaged: no valid footer at the end of the "
                          "%zu-byte file", r->size);
    uint64_t flen = ig_get_u64le(f + 16);
    if (flen != r->size)
        return rd_corrupt(r, e, 0, fo + 16, "truncated (expected %llu bytes, found %zu)",
                          (unsigned long long)flen, r->size);
    if (ig_get_u32le(f + 24) != IDX_FORMAT_VERSION)
        return rd_corrupt(r, e, 0, fo + 24, "footer format version %u differs from the header's",
                          ig_get_u32le(f + 24));
    uint64_t doff = ig_get_u64le(f);
    uint32_t dn = ig_get_u32le(f + 8);
    if (dn != IDX_NSECTIONS || doff < IDX_HEADER_SIZE ||
        doff + (uint64_t)dn * IDX_DIRENT_SIZE != fo)
        return rd_corrupt(r, e, 0, fo, "footer: bad directory position (offset %llu, %u entries)",
                          (unsigned long long)doff, dn);
    const unsigned char *d = r->map + doff;
    if (idx_crc32(0, d, (size_t)dn * IDX_DIRENT_SIZE) != ig_get_u32le(f + 12))
        return rd_corrupt(r, e, 0, doff, "directory checksum mismatch");
    /* Entries in increasing id; every section inside [header, directory),
     * none overlapping. */
    struct { uint64_t off, end; } span[IDX_NSECTIONS];
    for (uint32_t i = 0; i < dn; i++) {
        const unsigned char *de = d + (size_t)i * IDX_DIRENT_SIZE;
        uint32_t id = ig_get_u32le(de);
        uint64_t off = ig_get_u64le(de + 8), len = ig_get_u64le(de + 16);
        uint64_t at = doff + (uint64_t)i * IDX_DIRENT_SIZE;
        if (id != i + 1)
            return rd_corrupt(r, e, 0, at, "directory entry %u has section id %u (expected %u)",
                              i, id, i + 1);
        if (off < IDX_HEADER_SIZE || off > doff || len > doff - off)
            return rd_corrupt(r, e, id, at, "extends outside the file body (offset %llu, "
                              "length %llu)", (unsigned long long)off, (unsigned long long)len);
        r->sec[id].off = off;
        r->sec[id].len = len;
        r->sec[id].crc = ig_get_u32le(de + 4);
        span[i].off = off;
        span[i].end = off + len;
    }
    for (uint32_t i = 0; i < dn; i++)
        for (uint32_t j = i + 1; j < dn; j++)
            if (span[i].off < span[j].end && span[j].off < span[i].end &&
                span[i].off != span[i].end && span[j].off != span[j].end)
                return rd_corrupt(r, e, j + 1, span[j].off, "overlaps section %s",
                                  idx_section_name(i + 1));
    return IG_OK;
}

static int rd_verify_section(const idx_reader *r, uint32_t id, ig_err *e)
{
    const struct idx_sec *s = &r->sec[id];
    if (idx_crc32(0, r->map + s->off, (size_t)s->len) != s->crc)
        return rd_corrupt(r, e, id, s->off, "checksum mismatch (%llu bytes)",
                          (unsigned long long)s->len);
    return IG_OK;
}

/* A NUL-terminated string starting at *p, inside [*p, end): returns it and
 * moves *p past the NUL, or NULL when there is no NUL before end. */
static const char *rd_cstr(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *s = *p;
    const unsigned char *z = memchr(s, 0, (size_t)(end - s));
    if (z == NULL)
        return NULL;
    *p = z + 1;
    return (const char *)s;
}

/* Compare the stored fingerprint with this build's. */
static int rd_fingerprint(idx_reader *r, ig_err *e)
{
    static const char *const keys[] = { "tokeniser_rules", "normalisation", "utf8proc",
                                        "stemmer" };
    const char *mine = idx_fingerprint_base();
    const unsigned char *fp = r->map + r->sec[IDX_SEC_FINGERPRINT].off;
    size_t n = (size_t)r->sec[IDX_SEC_FINGERPRINT].len;
    r->fp = fp;
    r->fp_len = n;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t kl = strlen(keys[k]);
        /* theirs: find "key=" at a line start */
        const unsigned char *v = NULL, *ve = NULL;
        for (size_t i = 0; i + kl < n; ) {
            const unsigned char *nl = memchr(fp + i, '\n', n - i);
            size_t le = nl ? (size_t)(nl - fp) : n;
            if (le - i > kl && memcmp(fp + i, keys[k], kl) == 0 && fp[i + kl] == '=') {
                v = fp + i + kl + 1;
                ve = fp + le;
                break;
            }
            i = le + 1;
        }
        if (v == NULL)
            return rd_corrupt(r, e, IDX_SEC_FINGERPRINT, r->sec[IDX_SEC_FINGERPRINT].off,
                              "no \"%s\" entry", keys[k]);
        const char *m = strstr(mine, keys[k]);
        m += kl + 1;
        size_t ml = (size_t)(strchr(m, '\n') - m);
        if ((size_t)(ve - v) != ml || memcmp(v, m, ml) != 0) {
            char theirs[200];
            ig_quote(theirs, sizeof theirs, (const char *)v, (size_t)(ve - v));
            return ig_err_set(e, IG_EDATA, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS,
                              "index built with %s %s, this igmap uses %s %.*s; "
                              "rebuild the index", keys[k], theirs, keys[k], (int)ml, m);
        }
    }
    return IG_OK;
}

static int rd_languages(idx_reader *r, ig_err *e)
{
    const struct idx_sec *s = &r->sec[IDX_SEC_LANGUAGES];
    const unsigned char *p = r->map + s->off, *end = p + s->len;
    if (s->len < 4)
        return rd_corrupt(r, e, IDX_SEC_LANGUAGES, s->off, "too short");
    uint32_t n = ig_get_u32le(p);
    p += 4;
    if (n > s->len / 2 || n > 0xffff)
        return rd_corrupt(r, e, IDX_SEC_LANGUAGES, s->off, "bad language count %u", n);
    r->langs = ig_calloc(n ? n : 1, sizeof *r->langs);
    r->algos = ig_calloc(n ? n : 1, sizeof *r->algos);
    if (r->langs == NULL || r->algos == NULL)
        return ig_err_nomem(e, STAGE);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = rd_at(r, p);
        r->langs[i] = rd_cstr(&p, end);
        r->algos[i] = r->langs[i] ? rd_cstr(&p, end) : NULL;
        if (r->algos[i] == NULL)
            return rd_corrupt(r, e, IDX_SEC_LANGUAGES, at, "language %u runs past the end", i);
        if (i > 0 && strcmp(r->langs[i - 1], r->langs[i]) >= 0)
            return rd_corrupt(r, e, IDX_SEC_LANGUAGES, at, "languages out of order");
        const char *mine = stem_algorithm(r->langs[i]);
        if (mine == NULL || strcmp(mine, r->algos[i]) != 0) {
            char q[100];
            ig_quote(q, sizeof q, r->langs[i], strlen(r->langs[i]));
            return ig_err_set(e, IG_EDATA, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS,
                              "index built with stemmer %s for language %s, this igmap "
                              "uses %s; rebuild the index", r->algos[i], q,
                              mine ? mine : "none");
        }
    }
    if (p != end)
        return rd_corrupt(r, e, IDX_SEC_LANGUAGES, rd_at(r, p), "trailing bytes");
    r->nlangs = n;
    return IG_OK;
}

static int rd_columns(idx_reader *r, ig_err *e)
{
    const struct idx_sec *s = &r->sec[IDX_SEC_COLUMNS];
    const unsigned char *p = r->map + s->off, *end = p + s->len;
    if (s->len < 4)
        return rd_corrupt(r, e, IDX_SEC_COLUMNS, s->off, "too short");
    uint32_t n = ig_get_u32le(p);
    p += 4;
    if (n == 0 || n > s->len)
        return rd_corrupt(r, e, IDX_SEC_COLUMNS, s->off, "bad column count %u", n);
    r->cols = ig_calloc(n, sizeof *r->cols);
    if (r->cols == NULL)
        return ig_err_nomem(e, STAGE);
    r->id_col = -1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = rd_at(r, p);
        r->cols[i] = rd_cstr(&p, end);
        if (r->cols[i] == NULL)
            return rd_corrupt(r, e, IDX_SEC_COLUMNS, at, "column %u runs past the end", i);
        if (r->id_col < 0 && strcmp(r->cols[i], "id") == 0)
            r->id_col = (long)i;
    }
    if (p != end)
        return rd_corrupt(r, e, IDX_SEC_COLUMNS, rd_at(r, p), "trailing bytes");
    if (r->id_col < 0)
        return rd_corrupt(r, e, IDX_SEC_COLUMNS, s->off, "no \"id\" column");
    r->ncols = n;
    return IG_OK;
}

/* Check the bounds of everything a document record points at, so that the
 * accessors can trust them. */
static int rd_documents(idx_reader *r, ig_err *e)
{
    const struct idx_sec *s = &r->sec[IDX_SEC_DOCUMENTS];
    const unsigned char *p = r->map + s->off;
    if (s->len < 8)
        return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, s->off, "too short");
    uint32_t n = ig_get_u32le(p);
    if (n > IG_MAX_DOCS || (uint64_t)n * IDX_DOC_REC != s->len - 8)
        return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, s->off,
                          "%u documents do not fit the section's %llu bytes", n,
                          (unsigned long long)s->len);
    r->ndocs = n;
    r->docs = p + 8;
    r->meta = (const char *)r->map + r->sec[IDX_SEC_METADATA].off;
    r->meta_len = r->sec[IDX_SEC_METADATA].len;
    r->docdata = r->map + r->sec[IDX_SEC_DOCDATA].off;
    r->docdata_len = r->sec[IDX_SEC_DOCDATA].len;
    /* Rows are not walked here (that is idx_check's job; it would cost a
     * scan of the whole section at every open).  Instead every row starts
     * inside the section and the section ends with a NUL, so the bounded
     * walk in idx_doc_meta always stops inside it. */
    if (n > 0 && (r->meta_len == 0 || r->meta[r->meta_len - 1] != '\0'))
        return rd_corrupt(r, e, IDX_SEC_METADATA, r->sec[IDX_SEC_METADATA].off,
                          "does not end with NUL");
    for (uint32_t d = 0; d < n; d++) {
        const unsigned char *rec = r->docs + (size_t)d * IDX_DOC_REC;
        uint64_t at = rd_at(r, rec);
        if (ig_get_u64le(rec + DR_META_OFF) >= r->meta_len)
            return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at,
                              "document %u: metadata offset outside section metadata", d);
        uint64_t lo = ig_get_u64le(rec + DR_LAYOUT_OFF), ll = ig_get_u64le(rec + DR_LAYOUT_LEN);
        uint64_t to = ig_get_u64le(rec + DR_TEXT_OFF), tl = ig_get_u64le(rec + DR_TEXT_LEN);
        if (lo > r->docdata_len || ll > r->docdata_len - lo || to > r->docdata_len ||
            tl > r->docdata_len - to)
            return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at,
                              "document %u: layout or text outside section docdata", d);
        if (ig_get_u64le(rec + DR_BYTES) > IG_MAX_DOC_BYTES)
            return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at, "document %u: size over the limit", d);
        if (idx_get_u16(rec + DR_LANG) >= r->nlangs)
            return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at, "document %u: bad language id %u", d,
                              idx_get_u16(rec + DR_LANG));
        if (ig_get_u32le(rec + DR_POSITIONS) > IG_MAX_DOC_TOKENS)
            return rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at, "document %u: too many positions", d);
    }
    return IG_OK;
}

static int rd_vocabulary(idx_reader *r, ig_err *e)
{
    const struct idx_sec *s = &r->sec[IDX_SEC_VOCABULARY];
    const unsigned char *p = r->map + s->off;
    if (s->len < 8)
        return rd_corrupt(r, e, IDX_SEC_VOCABULARY, s->off, "too short");
    uint32_t n = ig_get_u32le(p);
    if ((uint64_t)n * IDX_TERM_REC != s->len - 8)
        return rd_corrupt(r, e, IDX_SEC_VOCABULARY, s->off,
                          "%u terms do not fit the section's %llu bytes", n,
                          (unsigned long long)s->len);
    r->nterms = n;
    r->terms = p + 8;
    r->strings = (const char *)r->map + r->sec[IDX_SEC_STRINGS].off;
    r->strings_len = r->sec[IDX_SEC_STRINGS].len;
    r->post = r->map + r->sec[IDX_SEC_POSTINGS].off;
    r->post_len = r->sec[IDX_SEC_POSTINGS].len;
    /* Stems are parsed first (rd_stems), so stem ids can be checked here. */
    for (uint32_t t = 0; t < n; t++) {
        const unsigned char *rec = r->terms + (size_t)t * IDX_TERM_REC;
        uint64_t at = rd_at(r, rec);
        uint64_t so = ig_get_u64le(rec + TR_SURF_OFF);
        uint32_t sl = ig_get_u32le(rec + TR_SURF_LEN);
        if (sl == 0 || sl > IG_MAX_TOKEN_BYTES || so >= r->strings_len ||
            sl >= r->strings_len - so || r->strings[so + sl] != '\0')
            return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at, "term %u: bad surface reference", t);
        uint64_t po = ig_get_u64le(rec + TR_POST_OFF), pl = ig_get_u64le(rec + TR_POST_LEN);
        if (po > r->post_len || pl > r->post_len - po || pl < 2)
            return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at, "term %u: postings outside section", t);
        if (idx_get_u16(rec + TR_LANG) >= r->nlangs)
            return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at, "term %u: bad language id", t);
        if (ig_get_u32le(rec + TR_STEM) >= r->nstems)
            return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at, "term %u: bad stem id", t);
        uint32_t df = ig_get_u32le(rec + TR_DF);
        if (df == 0 || df > r->ndocs || ig_get_u64le(rec + TR_CF) < df)
            return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at, "term %u: bad frequencies", t);
    }
    return IG_OK;
}

static int rd_stems(idx_reader *r, ig_err *e)
{
    const struct idx_sec *s = &r->sec[IDX_SEC_STEMS];
    const unsigned char *p = r->map + s->off;
    if (s->len < 8)
        return rd_corrupt(r, e, IDX_SEC_STEMS, s->off, "too short");
    uint32_t ns = ig_get_u32le(p), nl = ig_get_u32le(p + 4);
    if ((uint64_t)ns * IDX_STEM_REC + (uint64_t)nl * 4 != s->len - 8)
        return rd_corrupt(r, e, IDX_SEC_STEMS, s->off,
                          "%u stems and %u list entries do not fit the section", ns, nl);
    r->nstems = ns;
    r->nlist = nl;
    r->stems = p + 8;
    r->stemlist = r->stems + (size_t)ns * IDX_STEM_REC;
    const char *strings = (const char *)r->map + r->sec[IDX_SEC_STRINGS].off;
    uint64_t slen = r->sec[IDX_SEC_STRINGS].len;
    uint32_t nterms = ig_get_u32le(r->map + r->sec[IDX_SEC_VOCABULARY].off);
    for (uint32_t i = 0; i < ns; i++) {
        const unsigned char *rec = r->stems + (size_t)i * IDX_STEM_REC;
        uint64_t at = rd_at(r, rec);
        uint64_t so = ig_get_u64le(rec + SR_STR_OFF);
        uint32_t sl = ig_get_u32le(rec + SR_STR_LEN);
        if (so >= slen || sl >= slen - so || strings[so + sl] != '\0')
            return rd_corrupt(r, e, IDX_SEC_STEMS, at, "stem %u: bad string reference", i);
        uint32_t lo = ig_get_u32le(rec + SR_LIST_OFF), ln = ig_get_u32le(rec + SR_LIST_N);
        if (ln == 0 || lo > nl || ln > nl - lo)
            return rd_corrupt(r, e, IDX_SEC_STEMS, at, "stem %u: bad term list", i);
        if (idx_get_u16(rec + SR_LANG) >= r->nlangs)
            return rd_corrupt(r, e, IDX_SEC_STEMS, at, "stem %u: bad language id", i);
    }
    for (uint32_t i = 0; i < nl; i++)
        if (ig_get_u32le(r->stemlist + 4 * (size_t)i) >= nterms)
            return rd_corrupt(r, e, IDX_SEC_STEMS, rd_at(r, r->stemlist + 4 * (size_t)i),
                              "term list entry %u out of range", i);
    return IG_OK;
}

int idx_open(idx_reader **rp, const char *path, ig_err *e)
{
    *rp = NULL;
    int rc = IG_OK, fd = -1;
    idx_reader *r = ig_calloc(1, sizeof *r);
    if (r == NULL)
        return ig_err_nomem(e, STAGE);
    snprintf(r->path, sizeof r->path, "%s", path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = ig_err_sys(e, STAGE, path, "cannot open index");
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = ig_err_sys(e, STAGE, path, "cannot stat index");
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ig_err_data(e, STAGE, path, "not a regular file");
        goto out;
    }
    r->size = (size_t)st.st_size;
    /* Look at the magic before anything else: a file that is not ours gets
     * one clear sentence, not a list of checksum failures. */
    unsigned char head[8];
    size_t nh = r->size < 8 ? r->size : 8;
    if (nh > 0 && pread(fd, head, nh, 0) != (ssize_t)nh) {
        rc = ig_err_sys(e, STAGE, path, "cannot read index");
        goto out;
    }
    if (memcmp(head, IDX_MAGIC, nh) != 0) {
        rc = ig_err_data(e, STAGE, path, "not an igmap index");
        goto out;
    }
    if (r->size < IDX_HEADER_SIZE + IDX_FOOTER_SIZE) {
        rc = ig_err_set(e, IG_EDATA, STAGE, path, IG_ERR_NOPOS, IG_ERR_NOPOS, r->size,
                        "truncated (at least %u bytes expected, found %zu)",
                        IDX_HEADER_SIZE + IDX_FOOTER_SIZE, r->size);
        goto out;
    }
    void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        rc = ig_err_sys(e, STAGE, path, "cannot map index");
        goto out;
    }
    r->map = m;
    if ((rc = rd_header(r, e)) != IG_OK || (rc = rd_footer_and_directory(r, e)) != IG_OK)
        goto out;
    static const uint32_t small[] = { IDX_SEC_FINGERPRINT, IDX_SEC_LANGUAGES, IDX_SEC_COLUMNS,
                                      IDX_SEC_DOCUMENTS, IDX_SEC_METADATA, IDX_SEC_VOCABULARY,
                                      IDX_SEC_STRINGS, IDX_SEC_STEMS };
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        if ((rc = rd_verify_section(r, small[i], e)) != IG_OK)
            goto out;
    if ((rc = rd_fingerprint(r, e)) != IG_OK || (rc = rd_languages(r, e)) != IG_OK ||
        (rc = rd_columns(r, e)) != IG_OK || (rc = rd_documents(r, e)) != IG_OK ||
        (rc = rd_stems(r, e)) != IG_OK || (rc = rd_vocabulary(r, e)) != IG_OK)
        goto out;
    r->term_ok = ig_calloc(r->nterms ? r->nterms : 1, 1);
    r->doc_ok = ig_calloc(r->ndocs ? r->ndocs : 1, 1);
    if (r->term_ok == NULL || r->doc_ok == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
out:
    if (fd >= 0)
        close(fd);
    if (rc != IG_OK)
        idx_close(r);
    else
        *rp = r;
    return rc;
}

/* ---- documents and metadata ------------------------------------------- */

uint32_t idx_doc_count(const idx_reader *r)
{
    return r->ndocs;
}

size_t idx_col_count(const idx_reader *r)
{
    return r->ncols;
}

const char *idx_col_name(const idx_reader *r, size_t col)
{
    return col < r->ncols ? r->cols[col] : NULL;
}

long idx_col_find(const idx_reader *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i], name) == 0)
            return (long)i;
    return -1;
}

static const unsigned char *rd_doc(const idx_reader *r, uint32_t doc)
{
    return r->docs + (size_t)doc * IDX_DOC_REC;
}

const char *idx_doc_meta(const idx_reader *r, uint32_t doc, size_t col)
{
    if (doc >= r->ndocs || col >= r->ncols)
        return "";
    /* The row starts inside the section, which ends with a NUL (checked
     * at open), so strlen stops inside it; a row cut short by a damaged
     * file gives "" (idx_check reports it). */
    const char *p = r->meta + ig_get_u64le(rd_doc(r, doc) + DR_META_OFF);
    const char *end = r->meta + r->meta_len;
    for (size_t c = 0; c < col && p < end; c++)
        p += strlen(p) + 1;
    return p < end ? p : "";
}

void idx_doc_meta_all(const idx_reader *r, uint32_t doc, const char **vals, size_t n)
{
    if (doc >= r->ndocs) {
        for (size_t c = 0; c < n; c++)
            vals[c] = "";
        return;
    }
    const char *p = r->meta + ig_get_u64le(rd_doc(r, doc) + DR_META_OFF);
    const char *end = r->meta + r->meta_len;
    for (size_t c = 0; c < n; c++) {
        vals[c] = c < r->ncols && p < end ? p : "";
        if (p < end)
            p += strlen(p) + 1;
    }
}

const char *idx_doc_id(const idx_reader *r, uint32_t doc)
{
    return idx_doc_meta(r, doc, (size_t)r->id_col);
}

int idx_doc_stats_get(const idx_reader *r, uint32_t doc, idx_doc_stats *st)
{
    memset(st, 0, sizeof *st);
    if (doc >= r->ndocs)
        return IG_EUSAGE;
    const unsigned char *rec = rd_doc(r, doc);
    st->bytes = ig_get_u64le(rec + DR_BYTES);
    st->file_bytes = ig_get_u64le(rec + DR_FILE_BYTES);
    st->replaced = ig_get_u64le(rec + DR_REPLACED);
    st->truncated = ig_get_u64le(rec + DR_TRUNCATED);
    st->positions = ig_get_u32le(rec + DR_POSITIONS);
    st->sentences = ig_get_u32le(rec + DR_SENTENCES);
    st->paragraphs = ig_get_u32le(rec + DR_PARAGRAPHS);
    st->sections = ig_get_u32le(rec + DR_SECTIONS);
    st->lang = r->langs[idx_get_u16(rec + DR_LANG)];
    st->gzip = (idx_get_u16(rec + DR_FLAGS) & 1) != 0;
    memcpy(st->sha256, rec + DR_SHA256, 32);
    return IG_OK;
}

/* Verify a per-document blob's CRC the first time it is read. */
static int rd_doc_blob(const idx_reader *r, uint32_t doc, int text, const unsigned char **p,
                       size_t *n, ig_err *e)
{
    const unsigned char *rec = rd_doc(r, doc);
    uint64_t off = ig_get_u64le(rec + (text ? DR_TEXT_OFF : DR_LAYOUT_OFF));
    uint64_t len = ig_get_u64le(rec + (text ? DR_TEXT_LEN : DR_LAYOUT_LEN));
    uint32_t crc = ig_get_u32le(rec + (text ? DR_TEXT_CRC : DR_LAYOUT_CRC));
    unsigned char bit = text ? 2 : 1;
    *p = r->docdata + off;
    *n = (size_t)len;
    if (__atomic_load_n(&r->doc_ok[doc], __ATOMIC_RELAXED) & bit)
        return IG_OK;
    if (idx_crc32(0, *p, *n) != crc)
        return rd_corrupt(r, e, IDX_SEC_DOCDATA, rd_at(r, *p),
                          "checksum mismatch in the %s of document %u (%s)",
                          text ? "text" : "layout", doc, idx_doc_id(r, doc));
    __atomic_fetch_or(&r->doc_ok[doc], bit, __ATOMIC_RELAXED);
    return IG_OK;
}

/* idx_layout_get, or with full 0 idx_layout_sentences. */
static int layout_get(const idx_reader *r, uint32_t doc, idx_layout *l, int full, ig_err *e)
{
    if (doc >= r->ndocs)
        return ig_err_set(e, IG_EUSAGE, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "document %u out of range", doc);
    const unsigned char *p, *base;
    size_t len;
    int rc = rd_doc_blob(r, doc, 0, &p, &len, e);
    if (rc != IG_OK)
        return rc;
    base = p;
    const unsigned char *end = p + len, *rec = rd_doc(r, doc);
    uint32_t n = ig_get_u32le(rec + DR_POSITIONS);
    uint64_t bytes = ig_get_u64le(rec + DR_BYTES);
    /* Each position takes at least one byte: reject before allocating. */
    if ((uint64_t)n > len)
        return rd_corrupt(r, e, IDX_SEC_DOCDATA, rd_at(r, base),
                          "layout of document %u too short for %u positions", doc, n);
    if (idx_layout_grow(l, n, full) != IG_OK)
        return ig_err_nomem(e, STAGE);
    if (idx_layout_decode(&p, end, n, bytes, full, l) != 0)
        return rd_corrupt(r, e, IDX_SEC_DOCDATA, rd_at(r, p),
                          "bad layout of document %u (%s)", doc, idx_doc_id(r, doc));
    return IG_OK;
}

int idx_layout_get(const idx_reader *r, uint32_t doc, idx_layout *l, ig_err *e)
{
    return layout_get(r, doc, l, 1, e);
}

int idx_layout_sentences(const idx_reader *r, uint32_t doc, idx_layout *l, ig_err *e)
{
    return layout_get(r, doc, l, 0, e);
}

int idx_doc_text(const idx_reader *r, uint32_t doc, ig_buf *out, ig_err *e)
{
    ig_buf_reset(out);
    if (doc >= r->ndocs)
        return ig_err_set(e, IG_EUSAGE, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "document %u out of range", doc);
    const unsigned char *p;
    size_t len;
    int rc = rd_doc_blob(r, doc, 1, &p, &len, e);
    if (rc != IG_OK)
        return rc;
    uint64_t bytes = ig_get_u64le(rd_doc(r, doc) + DR_BYTES);
    if (ig_buf_reserve(out, (size_t)bytes) != IG_OK)
        return ig_err_nomem(e, STAGE);
    /* The fast decoder takes the streams it is sure of; zlib judges the
     * rest, damaged ones included, with its own message (inflate.h). */
    if (ig_inflate_zlib(p, len, out->data, (size_t)bytes) == 0) {
        out->len = (size_t)bytes;
        out->data[out->len] = '\0';
        return IG_OK;
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return ig_err_nomem(e, STAGE);
    /* Feed and drain in uInt-sized steps; one extra output byte of room
     * catches a stream longer than recorded. */
    size_t in_left = len, out_left = (size_t)bytes + 1;
    z.next_in = (unsigned char *)(uintptr_t)p;
    z.next_out = (unsigned char *)out->data;
    int zr = Z_OK;
    while (zr == Z_OK) {
        uInt ci = in_left > 0x40000000u ? 0x40000000u : (uInt)in_left;
        uInt co = out_left > 0x40000000u ? 0x40000000u : (uInt)out_left;
        z.avail_in = ci;
        z.avail_out = co;
        zr = inflate(&z, Z_NO_FLUSH);
        in_left -= ci - z.avail_in;
        out_left -= co - z.avail_out;
        if (zr == Z_OK && ci == z.avail_in && co == z.avail_out)
            zr = Z_BUF_ERROR;   /* no progress possible: input ended early */
    }
    uint64_t got = (uint64_t)bytes + 1 - out_left;
    inflateEnd(&z);
    if (zr != Z_STREAM_END || got != bytes || in_left != 0) {
        ig_buf_reset(out);
        return rd_corrupt(r, e, IDX_SEC_DOCDATA, rd_at(r, p),
                          "text of document %u (%s) does not inflate to its %llu bytes%s%s",
                          doc, idx_doc_id(r, doc), (unsigned long long)bytes,
                          z.msg ? ": " : "", z.msg ? z.msg : "");
    }
    out->len = (size_t)bytes;
    out->data[out->len] = '\0';
    return IG_OK;
}

int idx_doc_texts(const idx_reader *r, const uint32_t *doc, size_t n, ig_buf *out)
{
    if (n > IDX_TEXTS_MAX)
        return -1;
    ig_inflate_job job[IDX_TEXTS_MAX];
    ig_err e;
    ig_err_clear(&e);
    for (size_t i = 0; i < n; i++) {
        ig_buf_reset(&out[i]);
        if (doc[i] >= r->ndocs ||
            rd_doc_blob(r, doc[i], 1, (const unsigned char **)&job[i].src, &job[i].n, &e) !=
                IG_OK)
            return -1;
        job[i].want = (size_t)ig_get_u64le(rd_doc(r, doc[i]) + DR_BYTES);
        if (ig_buf_reserve(&out[i], job[i].want) != IG_OK)
            return -1;
        job[i].dst = out[i].data;
    }
    ig_inflate_zlibn(job, n);
    for (size_t i = 0; i < n; i++) {
        if (job[i].rc == 0) {
            out[i].len = job[i].want;
            out[i].data[out[i].len] = '\0';
        } else if (idx_doc_text(r, doc[i], &out[i], &e) != IG_OK) {
            return -1;  /* zlib's verdict is the caller's to report */
        }
    }
    return IG_OK;
}

/* ---- vocabulary -------------------------------------------------------- */

uint32_t idx_term_count(const idx_reader *r)
{
    return r->nterms;
}

static const unsigned char *rd_term(const idx_reader *r, uint32_t t)
{
    return r->terms + (size_t)t * IDX_TERM_REC;
}

const char *idx_term(const idx_reader *r, uint32_t t, size_t *len)
{
    if (t >= r->nterms) {
        if (len)
            *len = 0;
        return "";
    }
    const unsigned char *rec = rd_term(r, t);
    if (len)
        *len = ig_get_u32le(rec + TR_SURF_LEN);
    return r->strings + ig_get_u64le(rec + TR_SURF_OFF);
}

const char *idx_term_stem(const idx_reader *r, uint32_t t, size_t *len)
{
    if (t >= r->nterms) {
        if (len)
            *len = 0;
        return "";
    }
    const unsigned char *sr = r->stems + (size_t)ig_get_u32le(rd_term(r, t) + TR_STEM) * IDX_STEM_REC;
    if (len)
        *len = ig_get_u32le(sr + SR_STR_LEN);
    return r->strings + ig_get_u64le(sr + SR_STR_OFF);
}

const char *idx_term_lang(const idx_reader *r, uint32_t t)
{
    return t < r->nterms ? r->langs[idx_get_u16(rd_term(r, t) + TR_LANG)] : "";
}

uint32_t idx_term_df(const idx_reader *r, uint32_t t)
{
    return t < r->nterms ? ig_get_u32le(rd_term(r, t) + TR_DF) : 0;
}

uint64_t idx_term_cf(const idx_reader *r, uint32_t t)
{
    return t < r->nterms ? ig_get_u64le(rd_term(r, t) + TR_CF) : 0;
}

/* Bytewise comparison of a[0..an) with b[0..bn), shorter first on a tie. */
static int rd_bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

/* First term whose surface is >= s[0..n) (prefix 0) or whose surface does
 * not start with s and is > s (prefix 1). */
static uint32_t rd_lower(const idx_reader *r, const char *s, size_t n, int prefix)
{
    uint32_t lo = 0, hi = r->nterms;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        size_t tl;
        const char *t = idx_term(r, mid, &tl);
        int c;
        if (prefix && tl >= n && memcmp(t, s, n) == 0)
            c = -1;   /* starts with s: still below the end of the range */
        else
            c = rd_bytecmp(t, tl, s, n);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void idx_term_prefix(const idx_reader *r, const char *prefix, size_t n, uint32_t *lo,
                     uint32_t *hi)
{
    *lo = rd_lower(r, prefix, n, 0);
    *hi = rd_lower(r, prefix, n, 1);
    if (*hi < *lo)
        *hi = *lo;
}

uint32_t idx_term_find(const idx_reader *r, const char *surface, size_t n, const char *lang)
{
    for (uint32_t t = rd_lower(r, surface, n, 0); t < r->nterms; t++) {
        size_t tl;
        const char *s = idx_term(r, t, &tl);
        if (tl != n || memcmp(s, surface, n) != 0)
            break;
        if (strcmp(idx_term_lang(r, t), lang) == 0)
            return t;
    }
    return UINT32_MAX;
}

int idx_term_by_stem(const idx_reader *r, const char *lang, const char *stem, size_t n,
                     uint32_t **out, size_t *nout)
{
    /* Stems are sorted by (stem, language code): binary search the stem,
     * then scan its few languages. */
    uint32_t lo = 0, hi = r->nstems;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const unsigned char *sr = r->stems + (size_t)mid * IDX_STEM_REC;
        int c = rd_bytecmp(r->strings + ig_get_u64le(sr + SR_STR_OFF),
                           ig_get_u32le(sr + SR_STR_LEN), stem, n);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i < r->nstems; i++) {
        const unsigned char *sr = r->stems + (size_t)i * IDX_STEM_REC;
        if (rd_bytecmp(r->strings + ig_get_u64le(sr + SR_STR_OFF),
                       ig_get_u32le(sr + SR_STR_LEN), stem, n) != 0)
            break;
        if (strcmp(r->langs[idx_get_u16(sr + SR_LANG)], lang) != 0)
            continue;
        uint32_t lo2 = ig_get_u32le(sr + SR_LIST_OFF), ln = ig_get_u32le(sr + SR_LIST_N);
        uint32_t *a = ig_reallocarray(*out, *nout + ln, sizeof *a);
        if (a == NULL)
            return IG_ENOMEM;
        *out = a;
        for (uint32_t j = 0; j < ln; j++)
            a[(*nout)++] = ig_get_u32le(r->stemlist + 4 * ((size_t)lo2 + j));
        break;
    }
    return IG_OK;
}

size_t idx_lang_count(const idx_reader *r)
{
    return r->nlangs;
}

const char *idx_lang(const idx_reader *r, size_t i)
{
    return i < r->nlangs ? r->langs[i] : NULL;
}

/* ---- postings ---------------------------------------------------------- */

int idx_postings_open(const idx_reader *r, uint32_t t, idx_postings *it, ig_err *e)
{
    memset(it, 0, sizeof *it);
    it->r = r;
    it->term = t;
    if (t >= r->nterms)
        return ig_err_set(e, IG_EUSAGE, STAGE, r->path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "term %u out of range", t);
    const unsigned char *rec = rd_term(r, t);
    const unsigned char *p = r->post + ig_get_u64le(rec + TR_POST_OFF);
    size_t n = (size_t)ig_get_u64le(rec + TR_POST_LEN);
    if (!__atomic_load_n(&r->term_ok[t], __ATOMIC_RELAXED)) {
        if (idx_crc32(0, p, n) != ig_get_u32le(rec + TR_POST_CRC))
            return rd_corrupt(r, e, IDX_SEC_POSTINGS, rd_at(r, p),
                              "checksum mismatch in the postings of term %u \"%s\"", t,
                              idx_term(r, t, NULL));
        __atomic_store_n(&r->term_ok[t], 1, __ATOMIC_RELAXED);
    }
    it->p = p;
    it->end = p + n;
    it->docs_left = ig_get_u32le(rec + TR_DF);
    return IG_OK;
}

static int it_bad(idx_postings *it, ig_err *e, const char *what)
{
    const idx_reader *r = it->r;
    return rd_corrupt(r, e, IDX_SEC_POSTINGS, rd_at(r, it->p), "%s in the postings of term %u \"%s\"",
                      what, it->term, idx_term(r, it->term, NULL));
}

int idx_postings_next_pos(idx_postings *it, uint32_t *pos, uint32_t *span, ig_err *e)
{
    if (it->left == 0)
        return 0;
    uint64_t v, s = 0;
    if (ig_varint_get(&it->p, it->end, &v) != 0)
        return it_bad(it, e, "truncated position");
    if ((v & 1) && (ig_varint_get(&it->p, it->end, &s) != 0 || s == 0 || s > UINT32_MAX))
        return it_bad(it, e, "bad span");
    v >>= 1;
    if (v > (uint64_t)UINT32_MAX - it->pos || it->pos + v + s > IG_MAX_DOC_TOKENS)
        return it_bad(it, e, "position out of range");
    it->pos += (uint32_t)v;
    it->left--;
    *pos = it->pos;
    *span = (uint32_t)s;
    return 1;
}

int idx_postings_next_doc(idx_postings *it, ig_err *e)
{
    uint32_t pos, span;
    while (it->left > 0) {
        int rc = idx_postings_next_pos(it, &pos, &span, e);
        if (rc < 0)
            return rc;
    }
    if (it->docs_left == 0) {
        if (it->p != it->end)
            return it_bad(it, e, "trailing bytes");
        return 0;
    }
    uint64_t gap, freq;
    if (ig_varint_get(&it->p, it->end, &gap) != 0 || gap == 0)
        return it_bad(it, e, "bad document gap");
    uint64_t doc1 = (it->started ? (uint64_t)it->doc + 1 : 0) + gap;
    if (doc1 > it->r->ndocs)
        return it_bad(it, e, "document out of range");
    if (ig_varint_get(&it->p, it->end, &freq) != 0 || freq == 0 || freq > IG_MAX_DOC_TOKENS)
        return it_bad(it, e, "bad frequency");
    /* Each position takes at least one byte. */
    if (freq > (uint64_t)(it->end - it->p))
        return it_bad(it, e, "frequency beyond the list's end");
    it->doc = (uint32_t)(doc1 - 1);
    it->freq = it->left = (uint32_t)freq;
    it->pos = 0;
    it->docs_left--;
    it->started = 1;
    return 1;
}

/* ---- check and info ---------------------------------------------------- */

static int ck_postings(const idx_reader *r, uint32_t t, uint64_t expect_off, ig_err *e)
{
    const unsigned char *rec = rd_term(r, t);
    uint64_t at = rd_at(r, rec);
    if (ig_get_u64le(rec + TR_POST_OFF) != expect_off)
        return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at,
                          "term %u: postings not where the previous list ended", t);
    idx_postings it;
    int rc = idx_postings_open(r, t, &it, e);
    if (rc != IG_OK)
        return rc;
    uint64_t df = 0, cf = 0;
    while ((rc = idx_postings_next_doc(&it, e)) == 1) {
        df++;
        uint32_t npos = ig_get_u32le(rd_doc(r, it.doc) + DR_POSITIONS);
        uint32_t pos, span, prev = 0;
        while ((rc = idx_postings_next_pos(&it, &pos, &span, e)) == 1) {
            cf++;
            if (pos < prev || (uint64_t)pos + span >= npos)
                return it_bad(&it, e, "position outside its document");
            prev = pos;
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (df != ig_get_u32le(rec + TR_DF) || cf != ig_get_u64le(rec + TR_CF))
        return rd_corrupt(r, e, IDX_SEC_VOCABULARY, at,
                          "term %u: frequencies do not match its postings", t);
    return IG_OK;
}

static int ck_vocabulary(const idx_reader *r, ig_err *e)
{
    uint64_t off = 0;
    for (uint32_t t = 0; t < r->nterms; t++) {
        if (t > 0) {
            size_t al, bl;
            const char *a = idx_term(r, t - 1, &al), *b = idx_term(r, t, &bl);
            int c = rd_bytecmp(a, al, b, bl);
            if (c == 0)
                c = strcmp(idx_term_lang(r, t - 1), idx_term_lang(r, t));
            if (c >= 0)
                return rd_corrupt(r, e, IDX_SEC_VOCABULARY, rd_at(r, rd_term(r, t)),
                                  "term %u out of order", t);
        }
        size_t sl;
        const char *s = idx_term(r, t, &sl);
        if (memchr(s, 0, sl) != NULL)
            return rd_corrupt(r, e, IDX_SEC_VOCABULARY, rd_at(r, rd_term(r, t)),
                              "term %u contains NUL", t);
        int rc = ck_postings(r, t, off, e);
        if (rc != IG_OK)
            return rc;
        off += ig_get_u64le(rd_term(r, t) + TR_POST_LEN);
    }
    if (off != r->post_len)
        return rd_corrupt(r, e, IDX_SEC_POSTINGS, r->sec[IDX_SEC_POSTINGS].off + off,
                          "bytes not covered by any term");
    return IG_OK;
}

static int ck_stems(const idx_reader *r, ig_err *e)
{
    uint64_t covered = 0;
    for (uint32_t i = 0; i < r->nstems; i++) {
        const unsigned char *sr = r->stems + (size_t)i * IDX_STEM_REC;
        uint64_t at = rd_at(r, sr);
        if (i > 0) {
            const unsigned char *pr = sr - IDX_STEM_REC;
            int c = rd_bytecmp(r->strings + ig_get_u64le(pr + SR_STR_OFF),
                               ig_get_u32le(pr + SR_STR_LEN),
                               r->strings + ig_get_u64le(sr + SR_STR_OFF),
                               ig_get_u32le(sr + SR_STR_LEN));
            if (c == 0)
                c = strcmp(r->langs[idx_get_u16(pr + SR_LANG)], r->langs[idx_get_u16(sr + SR_LANG)]);
            if (c >= 0)
                return rd_corrupt(r, e, IDX_SEC_STEMS, at, "stem %u out of order", i);
        }
        uint32_t lo = ig_get_u32le(sr + SR_LIST_OFF), ln = ig_get_u32le(sr + SR_LIST_N);
        if (lo != covered)
            return rd_corrupt(r, e, IDX_SEC_STEMS, at, "stem %u: term list not contiguous", i);
        covered += ln;
        for (uint32_t j = 0; j < ln; j++) {
            uint32_t t = ig_get_u32le(r->stemlist + 4 * ((size_t)lo + j));
            const unsigned char *tr = rd_term(r, t);
            if ((j > 0 && t <= ig_get_u32le(r->stemlist + 4 * ((size_t)lo + j - 1))) ||
                ig_get_u32le(tr + TR_STEM) != i ||
                idx_get_u16(tr + TR_LANG) != idx_get_u16(sr + SR_LANG))
                return rd_corrupt(r, e, IDX_SEC_STEMS, at,
                                  "stem %u: term list entry %u (term %u) does not belong", i,
                                  j, t);
        }
    }
    if (covered != r->nlist || r->nlist != r->nterms)
        return rd_corrupt(r, e, IDX_SEC_STEMS, r->sec[IDX_SEC_STEMS].off,
                          "term lists cover %llu of %u terms", (unsigned long long)covered,
                          r->nterms);
    return IG_OK;
}

static int ck_documents(const idx_reader *r, ig_err *e)
{
    idx_layout l;
    ig_buf text = IG_BUF_INIT;
    memset(&l, 0, sizeof l);
    int rc = IG_OK;
    uint64_t off = 0, moff = 0;
    const unsigned char *mbase = (const unsigned char *)r->meta, *mend = mbase + r->meta_len;
    for (uint32_t d = 0; d < r->ndocs && rc == IG_OK; d++) {
        const unsigned char *rec = rd_doc(r, d);
        uint64_t at = rd_at(r, rec);
        /* Metadata rows: back to back, ncols values each. */
        if (ig_get_u64le(rec + DR_META_OFF) != moff) {
            rc = rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at,
                            "document %u: metadata row not where the previous one ended", d);
            break;
        }
        const unsigned char *mp = mbase + moff;
        for (size_t c = 0; c < r->ncols && rc == IG_OK; c++)
            if (mp >= mend || rd_cstr(&mp, mend) == NULL)
                rc = rd_corrupt(r, e, IDX_SEC_METADATA, rd_at(r, mbase + moff),
                                "document %u: row runs past the end", d);
        if (rc != IG_OK)
            break;
        moff = (uint64_t)(mp - mbase);
        if (ig_get_u64le(rec + DR_LAYOUT_OFF) != off ||
            ig_get_u64le(rec + DR_TEXT_OFF) != off + ig_get_u64le(rec + DR_LAYOUT_LEN)) {
            rc = rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at,
                            "document %u: data not where the previous document's ended", d);
            break;
        }
        off = ig_get_u64le(rec + DR_TEXT_OFF) + ig_get_u64le(rec + DR_TEXT_LEN);
        if ((idx_get_u16(rec + DR_FLAGS) & ~1u) != 0 || ig_get_u32le(rec + 100) != 0) {
            rc = rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at, "document %u: reserved bits set", d);
            break;
        }
        if ((rc = idx_layout_get(r, d, &l, e)) != IG_OK || (rc = idx_doc_text(r, d, &text, e)) != IG_OK)
            break;
        unsigned char sha[32];
        ig_sha256_buf(text.data, text.len, sha);
        if (memcmp(sha, rec + DR_SHA256, 32) != 0) {
            rc = rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at + DR_SHA256,
                            "document %u (%s): text does not match its SHA-256", d,
                            idx_doc_id(r, d));
            break;
        }
        uint32_t maxs = 0, maxp = 0, maxsec = 0;
        for (uint32_t i = 0; i < l.n; i++) {
            if (l.sentence[i] > maxs) maxs = l.sentence[i];
            if (l.paragraph[i] > maxp) maxp = l.paragraph[i];
            if (l.section[i] > maxsec) maxsec = l.section[i];
        }
        if (maxs > ig_get_u32le(rec + DR_SENTENCES) || maxp > ig_get_u32le(rec + DR_PARAGRAPHS) ||
            maxsec > ig_get_u32le(rec + DR_SECTIONS)) {
            rc = rd_corrupt(r, e, IDX_SEC_DOCUMENTS, at,
                            "document %u: layout numbers exceed the recorded counts", d);
            break;
        }
    }
    if (rc == IG_OK && off != r->docdata_len)
        rc = rd_corrupt(r, e, IDX_SEC_DOCDATA, r->sec[IDX_SEC_DOCDATA].off + off,
                        "bytes not covered by any document");
    if (rc == IG_OK && moff != r->meta_len)
        rc = rd_corrupt(r, e, IDX_SEC_METADATA, r->sec[IDX_SEC_METADATA].off + moff,
                        "bytes not covered by any document");
    idx_layout_free(&l);
    ig_buf_free(&text);
    return rc;
}

int idx_check(idx_reader *r, ig_err *e)
{
    int rc;
    for (uint32_t id = 1; id <= IDX_NSECTIONS; id++)
        if ((rc = rd_verify_section(r, id, e)) != IG_OK)
            return rc;
    /* Forget what was verified lazily, so every list and blob is re-read. */
    memset(r->term_ok, 0, r->nterms ? r->nterms : 1);
    memset(r->doc_ok, 0, r->ndocs ? r->ndocs : 1);
    if ((rc = ck_documents(r, e)) != IG_OK || (rc = ck_stems(r, e)) != IG_OK ||
        (rc = ck_vocabulary(r, e)) != IG_OK)
        return rc;
    return IG_OK;
}

int idx_info(const idx_reader *r, ig_buf *out)
{
    uint64_t bytes = 0, positions = 0, sentences = 0, cf = 0;
    for (uint32_t d = 0; d < r->ndocs; d++) {
        const unsigned char *rec = rd_doc(r, d);
        bytes += ig_get_u64le(rec + DR_BYTES);
        positions += ig_get_u32le(rec + DR_POSITIONS);
        sentences += ig_get_u32le(rec + DR_SENTENCES);
    }
    for (uint32_t t = 0; t < r->nterms; t++)
        cf += idx_term_cf(r, t);
    int rc = ig_buf_addf(out, "file: %s\nfile_bytes: %zu\nformat_version: %u\n", r->path,
                         r->size, IDX_FORMAT_VERSION);
    rc |= ig_buf_addf(out, "documents: %u\nterms: %u\nstems: %u\npositions: %llu\n"
                      "postings: %llu\nsentences: %llu\ntext_bytes: %llu\n",
                      r->ndocs, r->nterms, r->nstems, (unsigned long long)positions,
                      (unsigned long long)cf, (unsigned long long)sentences,
                      (unsigned long long)bytes);
    rc |= ig_buf_adds(out, "languages:");
    for (size_t i = 0; i < r->nlangs; i++)
        rc |= ig_buf_addf(out, " %s(%s)", r->langs[i], r->algos[i]);
    rc |= ig_buf_adds(out, "\ncolumns:");
    for (size_t i = 0; i < r->ncols; i++)
        rc |= ig_buf_addf(out, " %s", r->cols[i]);
    rc |= ig_buf_adds(out, "\n");
    for (uint32_t id = 1; id <= IDX_NSECTIONS; id++)
        rc |= ig_buf_addf(out, "section_%s: %llu bytes at %llu\n", idx_section_name(id),
                          (unsigned long long)r->sec[id].len, (unsigned long long)r->sec[id].off);
    /* The fingerprint, one "fingerprint.key: value" line per entry. */
    const unsigned char *fp = r->fp, *fe = r->fp + r->fp_len;
    while (fp < fe) {
        const unsigned char *nl = memchr(fp, '\n', (size_t)(fe - fp));
        size_t ll = nl ? (size_t)(nl - fp) : (size_t)(fe - fp);
        const unsigned char *eq = memchr(fp, '=', ll);
        if (eq != NULL) {
            rc |= ig_buf_addf(out, "fingerprint.%.*s: ", (int)(eq - fp), (const char *)fp);
            /* Control bytes escaped; the rest (a user's pattern) as given. */
            for (const unsigned char *c = eq + 1; c < fp + ll; c++)
                rc |= *c < 0x20 || *c == 0x7f ? ig_buf_addf(out, "\\x%02x", *c)
                                              : ig_buf_addc(out, (char)*c);
            rc |= ig_buf_addc(out, '\n');
        }
        fp += ll + 1;
    }
    return rc ? IG_ENOMEM : IG_OK;
}

/*
 * csv.h: RFC 4180 CSV, read strictly and written safely.
 *
 * Reading (manifests, questionnaire exports, positions.csv): the whole input
 * is in memory.  Fields are separated by ',', records by LF or CRLF; a field
 * may be enclosed in '"' with embedded '"' doubled and may then contain ',',
 * CR and LF.  Strict: an unterminated quoted field, a quote inside an unquoted
 * field, text after a closing quote, and NUL bytes are errors located as
 * path:line:col (col in bytes, 1-based).  A leading UTF-8 BOM is skipped and a
 * final line ending or blank last line is accepted.  Blank lines elsewhere
 * are records with one empty field: callers decide.
 *
 * Writing (every table igmap emits): LF line endings (documented in the
 * README), a field is quoted when it contains ',', '"', CR or LF, or ';' or
 * TAB (separators some spreadsheets use, so "a;=1+2" stays one cell), or
 * when it is neutralised; text cells that begin with '=', '+', '-', '@', TAB,
 * CR or LF are neutralised against spreadsheet formula injection by
 * prefixing "'" (OWASP, FAULTS.md F52), and quoted.  Numbers are written from
 * typed values in the C locale and are never neutralised, so -0.25 stays a
 * number.  With excel set, the file starts with a UTF-8 BOM.
 *
 * Ownership: the reader borrows the input buffer (it must outlive the
 * reader); row fields returned by ig_csv_next() are valid until the next call.
 */
#ifndef IG_CSV_H
#define IG_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "out.h"

typedef struct ig_csv_reader {
    const char *data;    /* input */
    size_t len;          /* input length */
    size_t pos;          /* next byte to read */
    uint64_t line;       /* line where the next record starts (1-based) */
    uint64_t rec_line;   /* line where the last returned record started */
    const char *path;    /* for messages (borrowed) */
    const char *stage;   /* for messages (borrowed) */
    ig_buf field_data;   /* unescaped fields of the current record, NUL-separated */
    size_t *offs;        /* start of each field in field_data */
    size_t *lens;        /* length of each field */
    const char **ptrs;   /* field pointers handed to the caller */
    size_t nfields, cap;
} ig_csv_reader;

/* Start reading data[0..len).  Skips a leading BOM. */
void ig_csv_reader_init(ig_csv_reader *r, const char *data, size_t len,
                        const char *path, const char *stage);
/* Read one record: 1 and the fields in *fields and *lens (NUL-terminated copies,
 * count in *n), 0 at end of input, or a negative code with e set (located).
 * The arrays are owned by the reader. */
int ig_csv_next(ig_csv_reader *r, const char ***fields, const size_t **lens,
                size_t *n, ig_err *e);
void ig_csv_reader_free(ig_csv_reader *r);

typedef struct ig_csv_writer {
    ig_out *out;    /* destination (borrowed), or NULL: */
    ig_buf *buf;    /* ... rows appended here (borrowed) */
    int col;        /* fields written in the current row */
    int failed;     /* buf: an append ran out of memory */
} ig_csv_writer;

/* Begin a table on o; with excel nonzero, write a BOM first. */
int ig_csv_writer_init(ig_csv_writer *w, ig_out *o, int excel);
/* Rows into memory instead, appended to b (no BOM: a part of a table, to
 * be written after the rows before it; one table's rows can so be made on
 * several threads).  Every cell function then returns IG_ENOMEM after an
 * append fails. */
void ig_csv_writer_init_buf(ig_csv_writer *w, ig_buf *b);
/* A text cell, quoted and neutralised as needed. */
int ig_csv_text(ig_csv_writer *w, const char *s, size_t n);
int ig_csv_str(ig_csv_writer *w, const char *s); /* NUL-terminated; NULL = empty */
/* Numeric cells. */
int ig_csv_u64(ig_csv_writer *w, uint64_t v);
int ig_csv_i64(ig_csv_writer *w, int64_t v);
/* Fixed precision ("%.*f", prec clamped to 0..15, halves rounded away from
 * zero); NaN or infinity become an empty cell. */
int ig_csv_double(ig_csv_writer *w, double v, int prec);
/* An empty cell. */
int ig_csv_empty(ig_csv_writer *w);
/* End the row with LF. */
int ig_csv_endrow(ig_csv_writer *w);
/* A header row from a NULL-terminated list. */
int ig_csv_header(ig_csv_writer *w, const char *const *names);

/* v's decimal digits written backwards so that they end at end (at most
 * 20 bytes before it); returns where they start.  printf's "%llu" bytes,
 * without a format to parse: for cells and lines written by the million. */
char *ig_fmt_u64_end(char *end, uint64_t v);
/* The same digits written forward at o (at most 20 bytes, nothing past
 * them); returns their count. */
size_t ig_fmt_u64(char *o, uint64_t v);

/* Format a double in the C locale whatever setlocale says (used by the
 * writer; exported for JSON and reports).  Returns buf. */
char *ig_fmt_double(char *buf, size_t n, double v, int prec);
/* Parse a decimal number in the C locale: [+-]digits[.digits][(e|E)[+-]digits]
 * (".5" and "5." too), the whole of s[0..n) consumed.  No "nan", "inf", hex,
 * spaces or locale commas.  The result is the nearest double (as strtod) for
 * up to 15 significant digits and exponents within +-22; values that
 * overflow, or underflow to zero, are rejected.  Returns 0 with *out set,
 * or -1 with *out untouched. */
int ig_parse_double(const char *s, size_t n, double *out);

#endif

/*
 * cmd_query.c: the query subcommands, `igmap kwic` and `igmap count`.
 *
 * Pipeline place: readers of a finished index (stages/index.h) through the
 * pattern module (stages/pattern.h); they never see the corpus.  Both
 * compile the pattern first (so a syntax error is reported even without an
 * index), open the index, resolve the pattern against its vocabulary once,
 * then walk the postings.  Output is CSV (pipeline/csv.h: LF line endings,
 * RFC 4180 quoting, text cells neutralised against formula injection),
 * written atomically to -o FILE or to standard output.
 *
 *   igmap kwic INDEX PATTERN [--window N] [--sentence] [-o FILE] [--excel]
 *     header doc_id,sentence,section,start,end,left,match,right; one row
 *     per match (pattern.h: each distinct first position once), in
 *     (document, position) order.  section is the questionnaire section of
 *     the match's first token (0 before any "Question N" heading).  start and end are the byte range [start, end) of the
 *     match in the document's original text (BOM and CRs included), from
 *     the start of its first token to the end of its last.  left, match and
 *     right are original text, not normalised: left runs from the start of
 *     the token N positions before the match (default N = 8; a hyphenated
 *     compound counts one position per part) to the match, right from the
 *     match to the end of the token N positions after it, both cut at the
 *     document's ends; with --sentence they run from the first token of the
 *     match's sentence to the start of the next sentence (or the end of the
 *     text), so the closing punctuation shows.  In all three cells every
 *     run of white space that holds a tab, newline, carriage return,
 *     vertical tab or form feed becomes one space, and the white space next to the match
 *     (end of left, start of right) and at the end of a --sentence right
 *     context is dropped.
 *
 *   igmap count INDEX PATTERN [--by COLUMN] [-o FILE] [--excel]
 *   igmap count INDEX --patterns FILE [--by COLUMN] [-o FILE] [--excel]
 *     without --by: header pattern,matches,documents and one row per
 *     pattern (as given: its matches, the documents with at least one);
 *     with --by: header value,matches,documents (one pattern) or
 *     pattern,value,matches,documents (--patterns), one row per distinct
 *     value of that metadata column over all documents of the index,
 *     sorted bytewise, zero rows included, the empty value as an empty cell.
 *     An unknown column is a usage error (exit 2) listing the columns.
 *     --patterns FILE: one pattern per line, in file order; blank lines and
 *     lines starting with '#' are skipped; the index is opened and its
 *     vocabulary resolved once for all of them.  Every bad pattern is
 *     listed as FILE:LINE:COL before anything is counted.
 *
 * Errors: a bad pattern is exit 1 with
 *     igmap: pattern: <pattern>:<col>: <what>
 * (pattern.h lists the messages); a damaged index exit 1; usage exit 2;
 * I/O exit 3.  --excel starts the file with a UTF-8 BOM so Excel reads it
 * as UTF-8.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "cmd.h"
#include "csv.h"
#include "err.h"
#include "fsutil.h"
#include "index.h"
#include "limits.h"
#include "out.h"
#include "pattern.h"

/* Everything a query holds, released by query_close(). */
struct query {
    pat_pattern *pat;
    idx_reader *r;
    pat_resolver *rs;
};

static void query_close(struct query *q)
{
    pat_resolver_close(q->rs);
    pat_free(q->pat);
    idx_close(q->r);
    memset(q, 0, sizeof *q);
}

/* Compile pattern, open the index; the caller checks its options against
 * the index, then calls query_resolve(). */
static int query_open(struct query *q, const char *index, const char *pattern, ig_err *e)
{
    memset(q, 0, sizeof *q);
    int rc = pat_compile(&q->pat, pattern, strlen(pattern), NULL, e);
    if (rc == IG_OK)
        rc = cmd_settle(index, "kwic", e); /* a crashed commit there, finished (out.h) */
    if (rc == IG_OK)
        rc = idx_open(&q->r, index, e);
    return rc;
}

static int query_resolve(struct query *q, ig_err *e)
{
    int rc = pat_resolver_open(&q->rs, q->r, e);
    if (rc == IG_OK)
        rc = pat_resolve(q->pat, q->rs, e);
    return rc;
}

static int interrupted(ig_err *e, const char *cmd)
{
    if (!ig_interrupted)
        return IG_OK;
    int rc = ig_err_set(e, IG_EINTR, cmd, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "interrupted");
    e->signo = ig_interrupted;
    return rc;
}

/* An unrecognised option or missing argument, as getopt_long saw it. */
static int bad_option(ig_err *e, const char *cmd, char **argv, int optc)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (optc == ':')
        return cmd_usage(e, cmd, "option %s needs a value", arg);
    return cmd_usage(e, cmd, "unknown option %s", arg);
}

/* ---- kwic ---------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Append text[0..n) to out with the kwic white-space rule: a run of white
 * space holding anything but plain spaces becomes one space; with
 * trim_start/trim_end, leading/trailing white space is dropped. */
static int clean_cell(ig_buf *out, const char *text, size_t n, int trim_start, int trim_end)
{
    ig_buf_reset(out);
    size_t i = 0;
    if (trim_start)
        while (i < n && is_space(text[i]))
            i++;
    if (trim_end)
        while (n > i && is_space(text[n - 1]))
            n--;
    while (i < n) {
        if (!is_space(text[i])) {
            size_t j = i;
            while (j < n && !is_space(text[j]))
                j++;
            if (ig_buf_add(out, text + i, j - i))
                return IG_ENOMEM;
            i = j;
            continue;
        }
        size_t j = i;
        int plain = 1;
        while (j < n && is_space(text[j])) {
            if (text[j] != ' ')
                plain = 0;
            j++;
        }
        if (plain ? ig_buf_add(out, text + i, j - i) : ig_buf_addc(out, ' '))
            return IG_ENOMEM;
        i = j;
    }
    /* Leave data non-NULL so an empty cell is still a valid pointer. */
    return ig_buf_reserve(out, 0) ? IG_ENOMEM : IG_OK;
}

struct kwic_opts {
    uint32_t window;
    int sentence;
};

/* One CSV row for match m of document doc, whose layout is l and text t. */
static int kwic_row(ig_csv_writer *w, const idx_reader *r, const idx_layout *l,
                    const ig_buf *t, const pat_match *m, const struct kwic_opts *ko,
                    ig_buf *cell, ig_err *e)
{
    uint32_t first = m->first, last = m->last;
    if (last >= l->n || first > last)
        return ig_err_data(e, "kwic", NULL, "damaged index: match %u-%u beyond the %u "
                           "positions of document %u (run igmap check)", first, last, l->n,
                           m->doc);
    uint64_t ms = l->start[first], me = l->end[last];
    uint32_t p, q;
    if (ko->sentence) {
        for (p = first; p > 0 && l->sentence[p - 1] == l->sentence[first]; p--)
            ;
        for (q = last; q + 1 < l->n && l->sentence[q + 1] == l->sentence[last]; q++)
            ;
    } else {
        p = first >= ko->window ? first - ko->window : 0;
        q = (uint64_t)last + ko->window < l->n ? last + ko->window : l->n - 1;
    }
    uint64_t lf = l->start[p], rt = l->end[q];
    /* A sentence runs to where the next one starts, so its closing
     * punctuation shows; the white space before the next is trimmed. */
    if (ko->sentence)
        rt = q + 1 < l->n ? l->start[q + 1] : t->len;
    if (!ko->sentence && ko->window == 0) {
        lf = ms;
        rt = me;
    }
    if (ms > me || me > t->len || lf > ms || rt < me || rt > t->len)
        return ig_err_data(e, "kwic", NULL, "damaged index: byte range %llu-%llu of "
                           "document %u outside its %zu bytes (run igmap check)",
                           (unsigned long long)ms, (unsigned long long)me, m->doc, t->len);
    const char *d = t->data;
    int rc = ig_csv_str(w, idx_doc_id(r, m->doc));
    rc = rc ? rc : ig_csv_u64(w, m->sentence);
    rc = rc ? rc : ig_csv_u64(w, l->section[first]);
    rc = rc ? rc : ig_csv_u64(w, ms);
    rc = rc ? rc : ig_csv_u64(w, me);
    if (rc)
        return rc;
    if (clean_cell(cell, d + lf, (size_t)(ms - lf), 0, 1))
        return ig_err_nomem(e, "kwic");
    rc = ig_csv_text(w, cell->data, cell->len);
    if (rc == IG_OK && clean_cell(cell, d + ms, (size_t)(me - ms), 0, 0))
        return ig_err_nomem(e, "kwic");
    rc = rc ? rc : ig_csv_text(w, cell->data, cell->len);
    if (rc == IG_OK && clean_cell(cell, d + me, (size_t)(rt - me), 1, ko->sentence))
        return ig_err_nomem(e, "kwic");
    rc = rc ? rc : ig_csv_text(w, cell->data, cell->len);
    return rc ? rc : ig_csv_endrow(w);
}

int cmd_kwic(int argc, char **argv, ig_err *e)
{
    static const struct option longopts[] = {
        { "window", required_argument, NULL, 'w' },
        { "sentence", no_argument, NULL, 's' },
        { "output", required_argument, NULL, 'o' },
        { "excel", no_argument, NULL, 'x' },
        { NULL, 0, NULL, 0 },
    };
    struct kwic_opts ko = { 8, 0 };
    const char *outpath = "-";
    int excel = 0, c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end || v > IG_MAX_DOC_TOKENS)
                return cmd_usage(e, "kwic", "--window needs a number of words (0 to %u), "
                                 "not \"%s\"", (unsigned)IG_MAX_DOC_TOKENS, optarg);
            ko.window = (uint32_t)v;
            break;
        }
        case 's': ko.sentence = 1; break;
        case 'o': outpath = optarg; break;
        case 'x': excel = 1; break;
        default: return bad_option(e, "kwic", argv, c);
        }
    }
    if (argc - optind != 2)
        return cmd_usage(e, "kwic", "expected INDEX PATTERN, got %d operand%s",
                         argc - optind, argc - optind == 1 ? "" : "s");

    struct query q;
    ig_out *o = NULL;
    pat_scan *s = NULL;
    ig_buf text = IG_BUF_INIT, cell = IG_BUF_INIT;
    ig_csv_writer w;
    static const char *const header[] = { "doc_id", "sentence", "section", "start", "end",
                                          "left", "match", "right", NULL };
    int rc = query_open(&q, argv[optind], argv[optind + 1], e);
    if (rc == IG_OK)
        rc = query_resolve(&q, e);
    if (rc == IG_OK)
        rc = pat_scan_open(&s, q.pat, PAT_SCAN_LAYOUT, e);
    if (rc == IG_OK)
        rc = ig_out_open(&o, outpath, "kwic", e);
    if (rc)
        goto out;
    rc = ig_csv_writer_init(&w, o, excel);
    rc = rc ? rc : ig_csv_header(&w, header);
    while (rc == IG_OK && (rc = pat_scan_next_doc(s, e)) == 1) {
        const pat_match *m;
        size_t n;
        uint32_t doc = pat_scan_doc(s);
        if ((rc = interrupted(e, "kwic")) != IG_OK ||
            (rc = pat_scan_doc_matches(s, &m, &n, e)) != IG_OK ||
            (rc = idx_doc_text(q.r, doc, &text, e)) != IG_OK)
            break;
        const idx_layout *l = pat_scan_layout(s);
        for (size_t i = 0; i < n && rc == IG_OK; i++)
            rc = kwic_row(&w, q.r, l, &text, &m[i], &ko, &cell, e);
    }
    if (rc == IG_OK) {
        rc = ig_out_commit(o, e);
        o = NULL;
    } else if (e->code == IG_OK) {
        /* a write failure recorded in the output handle: commit reports it */
        rc = ig_out_commit(o, e);
        o = NULL;
    }
out:
    ig_out_abort(o);
    ig_buf_free(&text);
    ig_buf_free(&cell);
    pat_scan_close(s);
    query_close(&q);
    return rc;
}

/* ---- count --------------------------------------------------------------- */

struct group_doc {
    const char *val;   /* metadata value (borrowed from the reader) */
    uint32_t doc;
};

static int cmp_group_doc(const void *a, const void *b)
{
    const struct group_doc *x = a, *y = b;
    int c = strcmp(x->val, y->val);
    if (c)
        return c;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* The usage error for an unknown --by column, naming every column. */
static int unknown_column(ig_err *e, const idx_reader *r, const char *col)
{
    ig_buf list = IG_BUF_INIT;
    for (size_t i = 0; i < idx_col_count(r); i++)
        ig_buf_addf(&list, "%s%s", i ? ", " : "", idx_col_name(r, i));
    char q[IG_MAX_QUOTE_BYTES * 4 + 8];
    int rc = cmd_usage(e, "count", "unknown column \"%s\" for --by; the index has: %s",
                       ig_quote(q, sizeof q, col, strlen(col)),
                       list.data ? list.data : "(none)");
    ig_buf_free(&list);
    return rc;
}

/* Rows of one pattern grouped by metadata column col: [pattern,] value,
 * matches, documents.  ptext (may be NULL) is the pattern column. */
static int count_by(ig_csv_writer *w, const idx_reader *r, size_t col, const uint32_t *per_doc,
                    const char *ptext, size_t plen)
{
    uint32_t nd = idx_doc_count(r);
    struct group_doc *g = ig_calloc(nd ? nd : 1, sizeof *g);
    if (g == NULL)
        return IG_ENOMEM;
    for (uint32_t d = 0; d < nd; d++) {
        g[d].val = idx_doc_meta(r, d, col);
        g[d].doc = d;
    }
    qsort(g, nd, sizeof *g, cmp_group_doc);
    int rc = IG_OK;
    for (uint32_t i = 0; i < nd && rc == IG_OK;) {
        uint64_t matches = 0, docs = 0;
        uint32_t j = i;
        for (; j < nd && strcmp(g[j].val, g[i].val) == 0; j++) {
            matches += per_doc[g[j].doc];
            docs += per_doc[g[j].doc] > 0;
        }
        if (ptext)
            rc = ig_csv_text(w, ptext, plen);
        rc = rc ? rc : ig_csv_str(w, g[i].val);
        rc = rc ? rc : ig_csv_u64(w, matches);
        rc = rc ? rc : ig_csv_u64(w, docs);
        rc = rc ? rc : ig_csv_endrow(w);
        i = j;
    }
    ig_free(g);
    return rc;
}

/* The patterns of a --patterns file: one per line; blank lines and lines
 * starting with '#' are skipped, a final CR is dropped.  Every bad pattern
 * is listed (FILE:LINE:COL) before failing, like a lexicon. */
struct pattern_list {
    pat_pattern **p;
    size_t n;
};

static void pattern_list_free(struct pattern_list *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        pat_free(pl->p[i]);
    ig_free(pl->p);
    memset(pl, 0, sizeof *pl);
}

static int pattern_list_load(struct pattern_list *pl, const char *file, ig_err *e)
{
    ig_buf data = IG_BUF_INIT;
    ig_msgs probs = { 0 };
    size_t nprob = 0;
    int rc = ig_read_file(file, IG_MAX_LINE_BYTES * 64, &data, "count", e);
    uint64_t line = 0;
    for (size_t p = 0; rc == IG_OK && p < data.len;) {
        const char *s = data.data + p;
        const char *nl = memchr(s, '\n', data.len - p);
        size_t len = nl ? (size_t)(nl - s) : data.len - p;
        p += len + (nl != NULL);
        line++;
        if (len > 0 && s[len - 1] == '\r')
            len--;
        size_t lead = 0;
        while (lead < len && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        if (lead == len || s[lead] == '#')
            continue;
        pat_loc loc = { "count", file, line, lead + 1 };
        pat_pattern *pat = NULL;
        ig_err pe;
        ig_err_clear(&pe);
        if (pat_compile(&pat, s + lead, len - lead, &loc, &pe) != IG_OK) {
            if (pe.code == IG_ENOMEM)
                rc = ig_err_nomem(e, "count");
            else if (ig_msgs_add(&probs, &pe) != IG_OK)
                rc = ig_err_nomem(e, "count");
            nprob++;
            continue;
        }
        pat_pattern **grown = ig_reallocarray(pl->p, pl->n + 1, sizeof *grown);
        if (grown == NULL) {
            pat_free(pat);
            rc = ig_err_nomem(e, "count");
            break;
        }
        pl->p = grown;
        pl->p[pl->n++] = pat;
    }
    if (rc == IG_OK && nprob) {
        cmd_print_msgs(&probs);
        rc = ig_err_data(e, "count", file, "%zu bad pattern%s; nothing was counted", nprob,
                         nprob == 1 ? "" : "s");
    }
    if (rc == IG_OK && pl->n == 0)
        rc = ig_err_data(e, "count", file, "no patterns (every line blank or a # comment)");
    ig_msgs_free(&probs);
    ig_buf_free(&data);
    return rc;
}

int cmd_count(int argc, char **argv, ig_err *e)
{
    static const struct option longopts[] = {
        { "by", required_argument, NULL, 'b' },
        { "output", required_argument, NULL, 'o' },
        { "excel", no_argument, NULL, 'x' },
        { "patterns", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const char *outpath = "-", *by = NULL, *pfile = NULL;
    int excel = 0, c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': by = optarg; break;
        case 'o': outpath = optarg; break;
        case 'x': excel = 1; break;
        case 'p': pfile = optarg; break;
        default: return bad_option(e, "count", argv, c);
        }
    }
    int want = pfile ? 1 : 2;
    if (argc - optind != want)
        return cmd_usage(e, "count", "expected %s, got %d operand%s",
                         pfile ? "INDEX (with --patterns FILE)" : "INDEX PATTERN",
                         argc - optind, argc - optind == 1 ? "" : "s");

    struct pattern_list pl = { 0 };
    idx_reader *r = NULL;
    pat_resolver *rs = NULL;
    ig_out *o = NULL;
    uint32_t *per_doc = NULL;
    long col = -1;
    ig_csv_writer w;
    int rc;
    /* Patterns first, so a syntax error is reported even without an index. */
    if (pfile) {
        rc = pattern_list_load(&pl, pfile, e);
    } else {
        pat_pattern *one = NULL;
        const char *text = argv[optind + 1];
        rc = pat_compile(&one, text, strlen(text), NULL, e);
        if (rc == IG_OK && (pl.p = ig_malloc(sizeof *pl.p)) == NULL) {
            pat_free(one);
            rc = ig_err_nomem(e, "count");
        } else if (rc == IG_OK) {
            pl.p[0] = one;
            pl.n = 1;
        }
    }
    if (rc == IG_OK)
        rc = cmd_settle(argv[optind], "count", e);
    if (rc == IG_OK)
        rc = idx_open(&r, argv[optind], e);
    if (rc == IG_OK && by && (col = idx_col_find(r, by)) < 0)
        rc = unknown_column(e, r, by);
    if (rc == IG_OK)
        rc = pat_resolver_open(&rs, r, e);
    uint32_t nd = r ? idx_doc_count(r) : 0;
    if (rc == IG_OK && (per_doc = ig_calloc(nd ? nd : 1, sizeof *per_doc)) == NULL)
        rc = ig_err_nomem(e, "count");
    if (rc == IG_OK)
        rc = ig_out_open(&o, outpath, "count", e);
    if (rc)
        goto out;
    rc = ig_csv_writer_init(&w, o, excel);
    if (by && !pfile) {
        static const char *const header[] = { "value", "matches", "documents", NULL };
        rc = rc ? rc : ig_csv_header(&w, header);
    } else if (by) {
        static const char *const header[] = { "pattern", "value", "matches", "documents", NULL };
        rc = rc ? rc : ig_csv_header(&w, header);
    } else {
        static const char *const header[] = { "pattern", "matches", "documents", NULL };
        rc = rc ? rc : ig_csv_header(&w, header);
    }
    for (size_t i = 0; i < pl.n && rc == IG_OK; i++) {
        uint64_t matches = 0;
        uint32_t docs = 0;
        size_t plen;
        const char *ptext = pat_text(pl.p[i], &plen);
        memset(per_doc, 0, (nd ? nd : 1) * sizeof *per_doc);
        if ((rc = interrupted(e, "count")) != IG_OK ||
            (rc = pat_resolve(pl.p[i], rs, e)) != IG_OK ||
            (rc = pat_count(pl.p[i], &matches, &docs, per_doc, e)) != IG_OK)
            break;
        if (by) {
            if (count_by(&w, r, (size_t)col, per_doc, pfile ? ptext : NULL, plen) == IG_ENOMEM)
                rc = ig_err_nomem(e, "count");
            continue;
        }
        rc = ig_csv_text(&w, ptext, plen);
        rc = rc ? rc : ig_csv_u64(&w, matches);
        rc = rc ? rc : ig_csv_u64(&w, docs);
        rc = rc ? rc : ig_csv_endrow(&w);
    }
    /* Commit also reports a write failure recorded by the writer. */
    if (rc == IG_OK || e->code == IG_OK) {
        rc = ig_out_commit(o, e);
        o = NULL;
    }
out:
    ig_out_abort(o);
    ig_free(per_doc);
    pat_resolver_close(rs);
    pattern_list_free(&pl);
    idx_close(r);
    return rc;
}

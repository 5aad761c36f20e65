/*
 * report_page.c: the page of report.html: the sections in report.h's order,
 * laid out from the model report.c read (rep_doc, report_int.h), with the
 * charts of report_svg.c, and the page primitives (escaping, the sticky
 * buffer) every writer uses.
 *
 * Pipeline place: rep_write(), after rep_open() has read and checked every
 * input, so nothing here fails on input; only memory can run out.  The page
 * is built in memory and handed to the caller's ig_out in one piece.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"
#include "report.h"
#include "report_int.h"

#define STAGE "report"

/* Mechanism types in gaps.csv column order: linked_<t>, <t>_mechanisms. */
static const char *const mtypes[4] = { "multilateral", "multistakeholder", "technical",
                                       "regional" };

/* Gap types in the order the page lists them (others found are appended). */
static const char *const gap_order[] = { "no_home", "multilateral_only",
                                         "multistakeholder_only", "contested", "covered",
                                         "not_raised" };
#define NGAP_ORDER (sizeof gap_order / sizeof gap_order[0])

/* ======================================================================
 * Page primitives (report_int.h)
 * ====================================================================== */

int rep_html_escape(ig_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes [i - run, i) pass unchanged */
    int rc = IG_OK;
    while (rc == IG_OK && i < n) {
        unsigned char c = u[i];
        const char *rep = NULL;
        size_t skip = 1;
        if (c == '&') rep = "&amp;";
        else if (c == '<') rep = "&lt;";
        else if (c == '>') rep = "&gt;";
        else if (c == '"') rep = "&quot;";
        else if (c == '\'') rep = "&#39;";
        else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) rep = "";
        else if (c >= 0x80) {
            skip = rep_utf8_len(u + i, n - i);
            if (skip == 0) {
                rep = "\xEF\xBF\xBD"; /* U+FFFD */
                skip = 1;
            }
        }
        if (rep == NULL) {
            i += skip;
            run += skip;
            continue;
        }
        if (run)
            rc = ig_buf_add(b, u + i - run, run);
        if (rc == IG_OK)
            rc = ig_buf_adds(b, rep);
        run = 0;
        i += skip;
    }
    if (rc == IG_OK && run)
        rc = ig_buf_add(b, u + i - run, run);
    return rc;
}

void rep_puts(rep_page *p, const char *s)
{
    if (p->rc == IG_OK && ig_buf_adds(&p->b, s))
        p->rc = IG_ENOMEM;
}

void rep_putf(rep_page *p, const char *fmt, ...)
{
    if (p->rc)
        return;
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        p->rc = IG_ENOMEM;
        return;
    }
    if ((size_t)n < sizeof small) {
        if (ig_buf_add(&p->b, small, (size_t)n))
            p->rc = IG_ENOMEM;
        return;
    }
    if (ig_buf_reserve(&p->b, (size_t)n + 1)) {
        p->rc = IG_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(p->b.data + p->b.len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    p->b.len += (size_t)n;
}

void rep_escn(rep_page *p, const char *s, size_t n)
{
    if (p->rc == IG_OK && s && rep_html_escape(&p->b, s, n))
        p->rc = IG_ENOMEM;
}

void rep_esc(rep_page *p, const char *s)
{
    if (s)
        rep_escn(p, s, strlen(s));
}

void rep_putd(rep_page *p, double v, int prec)
{
    char t[64];
    rep_puts(p, ig_fmt_double(t, sizeof t, v, prec));
}

void rep_anchor(rep_page *p, const char *prefix, const char *id)
{
    static const char hex[] = "0123456789ABCDEF";
    rep_puts(p, prefix);
    for (const unsigned char *s = (const unsigned char *)id; *s; s++) {
        char t[4];
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '_' || *s == '-') {
            t[0] = (char)*s;
            t[1] = '\0';
        } else {
            t[0] = '.';
            t[1] = hex[*s >> 4];
            t[2] = hex[*s & 15];
            t[3] = '\0';
        }
        rep_puts(p, t);
    }
}

/* ======================================================================
 * The page
 * ====================================================================== */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;background:#eef0f3;color:#1a202c;"
    "font:14px/1.45 'DejaVu Sans','Liberation Sans',Arial,Helvetica,sans-serif}"
    "main{max-width:1340px;margin:0 auto;padding:28px 36px 40px;background:#fff}"
    "h1{font-size:26px;margin:0 0 6px}"
    "h2{font-size:20px;margin:40px 0 10px;padding-bottom:4px;border-bottom:2px solid #e2e8f0}"
    "h3{font-size:16px;margin:26px 0 6px}"
    "h4{font-size:13px;margin:12px 0 4px;color:#4a5568;text-transform:uppercase;"
    "letter-spacing:.04em}"
    "a{color:#2b6cb0;text-decoration:none}a:hover{text-decoration:underline}"
    ".lede{color:#4a5568;margin:0 0 12px}"
    "nav.toc{font-size:13px;margin:6px 0 0}nav.toc a{margin-right:14px}"
    ".note{color:#4a5568;max-width:980px}"
    ".missing{background:#fffbea;border:1px solid #f6e05e;padding:10px 14px;max-width:980px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}"
    ".card{border:1px solid #e2e8f0;border-radius:6px;padding:8px 14px;min-width:130px}"
    ".card b{display:block;font-size:22px}"
    ".row{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}"
    "figure{margin:10px 0 18px}figcaption{font-size:12px;color:#4a5568;max-width:980px;"
    "margin-top:4px}"
    "svg{display:block;overflow:visible}svg text{font-family:inherit}"
    "table{border-collapse:collapse;font-size:12.5px;margin:8px 0}"
    "th,td{padding:3px 7px;border-bottom:1px solid #e2e8f0;text-align:left;"
    "vertical-align:top}"
    "th{background:#f7fafc;font-weight:600;white-space:nowrap}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tbody tr:nth-child(even){background:#fafbfc}"
    "table.gaps,table.mechanisms{width:100%;table-layout:fixed}"
    "table.gaps th{white-space:normal;font-size:11.5px;padding:3px 4px}"
    "table.gaps td.n{padding:3px 4px}"
    "table.gaps td.reason{color:#4a5568;font-size:12px}"
    ".badge{display:inline-block;padding:1px 8px;border-radius:9px;font-size:11.5px;"
    "color:#fff;white-space:nowrap}"
    ".g-no_home{background:#c53030}.g-multilateral_only{background:#2b6cb0}"
    ".g-multistakeholder_only{background:#c05621}.g-contested{background:#6b46c1}"
    ".g-covered{background:#2f855a}.g-not_raised{background:#a0aec0}"
    ".g-other{background:#4a5568}"
    ".mech.unlinked{color:#a0aec0}"
    "article.ev{border-top:1px solid #e2e8f0;padding-top:4px}"
    "article.ev h3 a.up{font-size:12px;font-weight:normal;margin-left:10px}"
    "ol.quotes{margin:4px 0 8px;padding-left:22px}"
    "ol.quotes li{margin:0 0 8px;max-width:1100px}"
    ".who{display:block;font-size:12px;color:#4a5568}"
    ".quote{display:block;border-left:3px solid #cbd5e0;padding-left:8px}"
    "mark{background:#fde68a;padding:0 1px}"
    ".sub{color:#4a5568;margin:0}"
    "footer{margin-top:40px;font-size:12.5px}"
    "footer table td{word-break:break-all}"
    "footer td.k{white-space:nowrap;color:#4a5568;word-break:normal}"
    "code,.hash{font-family:'DejaVu Sans Mono','Liberation Mono',monospace;font-size:11.5px}"
    "@media print{body{background:#fff}main{padding:0}}";

static void badge(rep_page *p, const char *gap_type)
{
    int known = 0;
    for (size_t k = 0; k < NGAP_ORDER; k++)
        known |= strcmp(gap_type, gap_order[k]) == 0;
    rep_puts(p, "<span class=\"badge g-");
    if (known)
        rep_esc(p, gap_type);
    else
        rep_puts(p, "other");
    rep_puts(p, "\">");
    rep_esc(p, gap_type);
    rep_puts(p, "</span>");
}

static const char *gcell(const rep_doc *d, size_t row, const char *col)
{
    return rep_cell_text(rep_cell(&d->gaps, row, rep_col(&d->gaps, col)));
}

/* An id for a table cell: escaped, with a break opportunity after each
 * '_' so long ids wrap inside fixed-width columns. */
static void esc_id(rep_page *p, const char *s)
{
    const char *u;
    while ((u = strchr(s, '_')) != NULL) {
        rep_escn(p, s, (size_t)(u - s) + 1);
        rep_puts(p, "<wbr>");
        s = u + 1;
    }
    rep_esc(p, s);
}

/* ---- summary ---------------------------------------------------------------------- */

static void write_summary(rep_page *p, const rep_doc *d)
{
    size_t n = d->gaps.nrows, raised = 0;
    /* gap types: the known ones in page order, then any others as found */
    const char *labels[64];
    uint64_t counts[64];
    size_t nl = 0;
    for (size_t k = 0; k < NGAP_ORDER; k++) {
        labels[nl] = gap_order[k];
        counts[nl++] = 0;
    }
    for (size_t r = 0; r < n; r++) {
        const char *t = gcell(d, r, "gap_type");
        if (strcmp(t, "not_raised") != 0)
            raised++;
        size_t k = 0;
        while (k < nl && strcmp(labels[k], t) != 0)
            k++;
        if (k == nl && nl < 64) {
            labels[nl] = t;
            counts[nl++] = 0;
        }
        if (k < nl)
            counts[k]++;
    }
    rep_puts(p, "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">");
    if (d->have_documents)
        rep_putf(p, "<div class=\"card\"><b id=\"n-documents\">%llu</b>documents</div>",
                 (unsigned long long)d->documents);
    rep_putf(p, "<div class=\"card\"><b id=\"n-issues\">%zu</b>issues in the lexicon</div>"
                "<div class=\"card\"><b id=\"n-raised\">%zu</b>raised</div>", n, raised);
    size_t np = 0, ng = 0;
    for (size_t c = 0; c < d->byproc.ncols; c++)
        np += strcmp(d->byproc.cols[c], "issue") && strcmp(d->byproc.cols[c], "cluster") &&
              strcmp(d->byproc.cols[c], "total");
    for (size_t c = 0; c < d->bygroup.ncols; c++)
        ng += strcmp(d->bygroup.cols[c], "issue") && strcmp(d->bygroup.cols[c], "cluster") &&
              strcmp(d->bygroup.cols[c], "total");
    rep_putf(p, "<div class=\"card\"><b>%zu</b>processes</div>"
                "<div class=\"card\"><b>%zu</b>stakeholder groups</div>", np, ng);
    if (d->have_positions)
        rep_putf(p, "<div class=\"card\"><b id=\"n-positioned\">%zu</b>documents placed</div>",
                 d->ndots);
    rep_puts(p, "</div>\n<figure>\n");
    rep_svg_bars(p, labels, counts, nl);
    rep_puts(p, "<figcaption>Issues by gap type (gaps.csv). A strand has a multilateral end "
                "and a multistakeholder end: <b>no_home</b> issues are raised but linked to no "
                "global mechanism; <b>multilateral_only</b> and "
                "<b>multistakeholder_only</b> miss one end; <b>contested</b> issues have "
                "both ends but those who raise them are split; <b>covered</b> ones have both."
                "</figcaption>\n</figure>\n</section>\n");
}

/* ---- positions -------------------------------------------------------------------- */

typedef struct dotref {
    const rep_dot *dot;
    const char *band;
} dotref;

static int dotref_cmp(const void *a, const void *b)
{
    const dotref *x = a, *y = b;
    int c = strcmp(x->band, y->band);
    if (c)
        return c;
    if (x->dot->score != y->dot->score)
        return x->dot->score < y->dot->score ? -1 : 1;
    return strcmp(x->dot->id, y->dot->id);
}

/* The bands of one grouping column, drawn. */
static int write_position_chart(rep_page *p, const rep_doc *d, const char *column,
                                char *const *values)
{
    size_t n = d->ndots;
    dotref *refs = ig_calloc(n ? n : 1, sizeof *refs);
    rep_band *bands = ig_calloc(n ? n : 1, sizeof *bands);
    rep_dot *dots = ig_calloc(n ? n : 1, sizeof *dots);
    if (refs == NULL || bands == NULL || dots == NULL) {
        ig_free(refs);
        ig_free(bands);
        ig_free(dots);
        return IG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        refs[i] = (dotref){ &d->dots[i], values[i] };
    qsort(refs, n, sizeof *refs, dotref_cmp);
    size_t nb = 0;
    long cg = rep_col(&d->groups, "grouping"), cv = rep_col(&d->groups, "value");
    long cn = rep_col(&d->groups, "n"), cm = rep_col(&d->groups, "mean");
    long clo = rep_col(&d->groups, "lo"), chi = rep_col(&d->groups, "hi");
    for (size_t i = 0; i < n; i++) {
        dots[i] = *refs[i].dot;
        if (i == 0 || strcmp(refs[i].band, refs[i - 1].band) != 0) {
            bands[nb] = (rep_band){ refs[i].band, &dots[i], 0, NAN, NAN, NAN, 0 };
            nb++;
        }
        bands[nb - 1].ndots++;
    }
    for (size_t b = 0; b < nb; b++) {
        rep_band *bd = &bands[b];
        int found = 0;
        for (size_t r = 0; d->have_groups && r < d->groups.nrows && !found; r++) {
            if (strcmp(rep_cell(&d->groups, r, cg), column) != 0 ||
                strcmp(rep_cell_text(rep_cell(&d->groups, r, cv)), bd->name) != 0)
                continue;
            found = 1;
            rep_parse_u64(rep_cell(&d->groups, r, cn), &bd->n);
            const char *m = rep_cell(&d->groups, r, cm);
            const char *lo = rep_cell(&d->groups, r, clo), *hi = rep_cell(&d->groups, r, chi);
            if (*m)
                ig_parse_double(m, strlen(m), &bd->mean);
            if (clo >= 0 && *lo)
                ig_parse_double(lo, strlen(lo), &bd->mlo);
            if (chi >= 0 && *hi)
                ig_parse_double(hi, strlen(hi), &bd->mhi);
        }
        if (!found) { /* no position_groups.csv row: the mean of the dots */
            double s = 0;
            for (size_t k = 0; k < bd->ndots; k++)
                s += bd->dots[k].score;
            bd->n = bd->ndots;
            bd->mean = bd->ndots ? s / (double)bd->ndots : NAN;
        }
    }
    rep_puts(p, "<figure>\n");
    rep_svg_positions(p, column, bands, nb);
    rep_puts(p, "<figcaption>Positions by ");
    rep_esc(p, strcmp(column, "stakeholder_group") == 0 ? "stakeholder group" : column);
    rep_putf(p, " (positions.csv, whole-document rows): one dot per document at its score, "
                "the line through it its 95%% bootstrap interval; the black bar marks the "
                "group's mean and the grey box the 95%% interval of the mean (%s).",
             d->have_groups ? "position_groups.csv" : "computed here: no position_groups.csv");
    rep_puts(p, "</figcaption>\n</figure>\n");
    ig_free(refs);
    ig_free(bands);
    ig_free(dots);
    return IG_OK;
}

static int write_positions(rep_page *p, const rep_doc *d)
{
    rep_puts(p, "<section id=\"positions\">\n<h2>Where submitters stand</h2>\n");
    if (!d->have_positions) {
        rep_puts(p, "<p class=\"missing\" id=\"no-positions\">");
        rep_esc(p, d->positions_note);
        rep_puts(p, "</p>\n</section>\n");
        return IG_OK;
    }
    rep_putf(p, "<p class=\"note\">Score from &minus;1 (multilateral: governments decide, in "
                "intergovernmental bodies) to +1 (multistakeholder: all stakeholders on an "
                "equal footing), from the positions lexicon. %zu documents are placed",
             d->ndots);
    if (d->unplaced)
        rep_putf(p, "; %llu more had too few cues to be placed (label none) and are not "
                    "drawn", (unsigned long long)d->unplaced);
    rep_puts(p, ".</p>\n");
    int rc = IG_OK;
    if (d->ndots == 0) {
        rep_puts(p, "<p class=\"missing\">No document has a position.</p>\n");
    } else {
        if (d->have_group_col)
            rc = write_position_chart(p, d, "stakeholder_group", d->dot_group);
        else
            rep_puts(p, "<p class=\"missing\">positions.csv has no stakeholder_group "
                        "column.</p>\n");
        if (rc == IG_OK && d->have_process_col)
            rc = write_position_chart(p, d, "process", d->dot_process);
        else if (rc == IG_OK)
            rep_puts(p, "<p class=\"missing\">positions.csv has no process column.</p>\n");
    }
    rep_puts(p, "</section>\n");
    return rc;
}

/* ---- heatmaps --------------------------------------------------------------------- */

static int write_heat(rep_page *p, const rep_table *t, const char *column)
{
    long ci = rep_col(t, "issue"), ct = rep_col(t, "total");
    size_t nc = 0;
    for (size_t c = 0; c < t->ncols; c++)
        nc += strcmp(t->cols[c], "issue") && strcmp(t->cols[c], "cluster") &&
              strcmp(t->cols[c], "total");
    size_t nr = t->nrows;
    const char **rows = ig_calloc(nr + 1, sizeof *rows);
    const char **cols = ig_calloc(nc + 1, sizeof *cols);
    uint64_t *cells = ig_calloc(nr * nc + 1, sizeof *cells);
    uint64_t *tot = ig_calloc(nr + 1, sizeof *tot);
    int rc = IG_OK;
    if (!rows || !cols || !cells || !tot) {
        rc = IG_ENOMEM;
        goto out;
    }
    size_t k = 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c], "issue") && strcmp(t->cols[c], "cluster") &&
            strcmp(t->cols[c], "total"))
            cols[k++] = t->cols[c];
    for (size_t r = 0; r < nr; r++) {
        rows[r] = rep_cell(t, r, ci);
        rep_parse_u64(rep_cell(t, r, ct), &tot[r]);
        k = 0;
        for (size_t c = 0; c < t->ncols; c++)
            if (strcmp(t->cols[c], "issue") && strcmp(t->cols[c], "cluster") &&
                strcmp(t->cols[c], "total"))
                rep_parse_u64(rep_cell(t, r, (long)c), &cells[r * nc + k++]);
    }
    rep_heat h = { column, nr, nc, rows, cols, cells, tot };
    rep_puts(p, "<figure>\n");
    rep_svg_heatmap(p, &h);
    rep_puts(p, "<figcaption>Documents raising each issue, by ");
    rep_esc(p, strcmp(column, "stakeholder_group") == 0 ? "stakeholder group" : column);
    rep_puts(p, " (");
    rep_esc(p, strcmp(column, "process") == 0 ? "issues_by_process.csv" : "issues_by_group.csv");
    rep_puts(p, "); the last column is the total.</figcaption>\n</figure>\n");
out:
    ig_free(rows);
    ig_free(cols);
    ig_free(cells);
    ig_free(tot);
    return rc;
}

static int write_heatmaps(rep_page *p, const rep_doc *d)
{
    rep_puts(p, "<section id=\"heatmaps\">\n<h2>Who raises which issue</h2>\n"
                "<div class=\"row\">\n");
    int rc = write_heat(p, &d->byproc, "process");
    if (rc == IG_OK)
        rc = write_heat(p, &d->bygroup, "stakeholder_group");
    rep_puts(p, "</div>\n</section>\n");
    return rc;
}

/* ---- mechanisms ------------------------------------------------------------------- */

/* Mechanisms named with the issue shown in "also named", the most
 * frequent first; the rest are counted. */
#define REP_MAX_ALSO 6

/* The mechanisms of issue, linked (of one type) or not (any type, the most
 * co-occurring first, at most REP_MAX_ALSO), as "name (co-occurrences)". */
static void write_mech_list(rep_page *p, const rep_doc *d, size_t issue, const char *type,
                            int linked)
{
    const rep_table *t = &d->mechs;
    long cm = rep_col(t, "mechanism"), ct = rep_col(t, "mechanism_type");
    long cc = rep_col(t, "cooccurrences"), cl = rep_col(t, "linked");
    size_t pick[REP_MAX_ALSO];
    uint64_t pick_n[REP_MAX_ALSO];
    size_t npick = 0, more = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (d->mech_issue[r] != issue)
            continue;
        int is_linked = strcmp(rep_cell(t, r, cl), "0") != 0;
        if (is_linked != linked || (type && strcmp(rep_cell(t, r, ct), type) != 0))
            continue;
        if (linked) {
            if (npick)
                rep_puts(p, ", ");
            npick = 1;
            rep_puts(p, "<span class=\"mech\">");
            esc_id(p, rep_cell_text(rep_cell(t, r, cm)));
            rep_puts(p, " (");
            rep_esc(p, rep_cell(t, r, cc));
            rep_puts(p, ")</span>");
            continue;
        }
        /* keep the REP_MAX_ALSO most co-occurring, earlier rows first on ties */
        uint64_t n = 0;
        rep_parse_u64(rep_cell(t, r, cc), &n);
        size_t at = npick;
        while (at > 0 && pick_n[at - 1] < n)
            at--;
        if (at >= REP_MAX_ALSO) {
            more++;
            continue;
        }
        if (npick == REP_MAX_ALSO)
            more++;
        else
            npick++;
        for (size_t k = npick - 1; k > at; k--) {
            pick[k] = pick[k - 1];
            pick_n[k] = pick_n[k - 1];
        }
        pick[at] = r;
        pick_n[at] = n;
    }
    if (linked)
        return;
    for (size_t k = 0; k < npick; k++) {
        if (k)
            rep_puts(p, ", ");
        rep_puts(p, "<span class=\"mech unlinked\">");
        esc_id(p, rep_cell_text(rep_cell(t, pick[k], cm)));
        rep_puts(p, " (");
        rep_esc(p, rep_cell(t, pick[k], cc));
        rep_puts(p, ")</span>");
    }
    if (more)
        rep_putf(p, " and %zu more", more);
}

static void write_mechanisms(rep_page *p, const rep_doc *d)
{
    rep_puts(p, "<section id=\"mechanisms\">\n<h2>Who holds each end</h2>\n"
                "<p class=\"note\">For each issue, the mechanisms linked to it "
                "(issue_mechanisms.csv, linked = 1), by type, with their co-occurrences in "
                "brackets. The drawing is the issue's strand: left end multilateral, right end "
                "multistakeholder or technical, filled when held. Mechanisms named beside the "
                "issue too rarely to count as linked are listed, greyed, in the last column."
                "</p>\n<table class=\"mechanisms\">\n<colgroup><col style=\"width:16%\">"
                "<col style=\"width:8%\"><col style=\"width:13%\"><col style=\"width:16%\">"
                "<col style=\"width:13%\"><col style=\"width:11%\"><col style=\"width:9%\">"
                "<col style=\"width:14%\"></colgroup>\n<thead><tr><th>issue</th><th>strand</th>"
                "<th>gap type</th><th>multilateral</th><th>multistakeholder</th>"
                "<th>technical</th><th>regional</th><th>also named</th></tr></thead>\n"
                "<tbody>\n");
    for (size_t r = 0; r < d->gaps.nrows; r++) {
        const char *id = gcell(d, r, "issue");
        uint64_t lml = 0, lms = 0, lt = 0;
        rep_parse_u64(gcell(d, r, "linked_multilateral"), &lml);
        rep_parse_u64(gcell(d, r, "linked_multistakeholder"), &lms);
        rep_parse_u64(gcell(d, r, "linked_technical"), &lt);
        rep_puts(p, "<tr id=\"");
        rep_anchor(p, "m-", id);
        rep_puts(p, "\"><td class=\"issue\"><a href=\"#");
        rep_anchor(p, "gap-", id);
        rep_puts(p, "\">");
        esc_id(p, id);
        rep_puts(p, "</a></td><td>");
        rep_svg_strand(p, lml > 0, lms > 0 || lt > 0, gcell(d, r, "gap_type"));
        rep_puts(p, "</td><td>");
        badge(p, gcell(d, r, "gap_type"));
        for (int k = 0; k < 4; k++) {
            rep_puts(p, "</td><td class=\"mechs\">");
            write_mech_list(p, d, r, mtypes[k], 1);
        }
        rep_puts(p, "</td><td class=\"mechs\">");
        write_mech_list(p, d, r, NULL, 0);
        rep_puts(p, "</td></tr>\n");
    }
    rep_puts(p, "</tbody>\n</table>\n</section>\n");
}

/* ---- gap table -------------------------------------------------------------------- */

static void write_gap_table(rep_page *p, const rep_doc *d)
{
    static const char *const counts[] = { "documents", "submitters", "groups", "mentions",
                                          "gap_claims", "gap_claim_documents",
                                          "linked_multilateral", "linked_multistakeholder",
                                          "linked_technical", "linked_regional", "positioned",
                                          "position_mean", "position_sd" };
    rep_puts(p, "<section id=\"gaps\">\n<h2>Gap table</h2>\n"
                "<p class=\"note\">One row per issue of the lexicon (gaps.csv). Salience: "
                "documents, distinct submitters and stakeholder groups raising it, and its "
                "mentions; claims: sentences saying it has no forum, and the documents making "
                "them; linked mechanisms by type (ML multilateral, MS multistakeholder, T "
                "technical, R regional); the positions of the documents raising it. Each issue "
                "links to its evidence below.</p>\n<table class=\"gaps\">\n<colgroup>"
                "<col style=\"width:14%\"><col style=\"width:8%\">"
                "<col span=\"11\" style=\"width:3.3%\"><col style=\"width:4.4%\">"
                "<col style=\"width:4%\"><col style=\"width:13%\">"
                "<col style=\"width:15.3%\"><col style=\"width:5%\"></colgroup>\n<thead><tr>"
                "<th>issue</th><th>cluster</th><th title=\"documents\">docs</th>"
                "<th title=\"distinct submitters\">subm.</th>"
                "<th title=\"stakeholder groups\">grps</th><th title=\"mentions\">ment.</th>"
                "<th title=\"gap claims\">claims</th><th title=\"documents making gap claims\">"
                "claim docs</th><th title=\"linked multilateral mechanisms\">ML</th>"
                "<th title=\"linked multistakeholder mechanisms\">MS</th>"
                "<th title=\"linked technical mechanisms\">T</th>"
                "<th title=\"linked regional mechanisms\">R</th>"
                "<th title=\"documents with a position\">placed</th><th>mean</th><th>sd</th>"
                "<th>gap type</th><th>why</th><th>evidence</th></tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < d->gaps.nrows; r++) {
        const char *id = gcell(d, r, "issue");
        rep_puts(p, "<tr id=\"");
        rep_anchor(p, "gap-", id);
        rep_puts(p, "\"><td class=\"issue\"><a href=\"#");
        rep_anchor(p, "ev-", id);
        rep_puts(p, "\">");
        esc_id(p, id);
        rep_puts(p, "</a></td><td>");
        esc_id(p, gcell(d, r, "cluster"));
        rep_puts(p, "</td>");
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            rep_puts(p, "<td class=\"n\">");
            rep_esc(p, gcell(d, r, counts[k]));
            rep_puts(p, "</td>");
        }
        rep_puts(p, "<td>");
        badge(p, gcell(d, r, "gap_type"));
        rep_puts(p, "</td><td class=\"reason\">");
        rep_esc(p, gcell(d, r, "gap_reason"));
        rep_puts(p, "</td><td><a href=\"#");
        rep_anchor(p, "ev-", id);
        rep_puts(p, "\">evidence&nbsp;&darr;</a></td></tr>\n");
    }
    rep_puts(p, "</tbody>\n</table>\n</section>\n");
}

/* ---- evidence --------------------------------------------------------------------- */

static void write_quote(rep_page *p, const rep_ev *v)
{
    rep_puts(p, "<li><span class=\"who\"><b>");
    rep_esc(p, rep_cell_text(v->doc));
    rep_puts(p, "</b> &middot; ");
    rep_esc(p, rep_cell_text(v->process));
    rep_puts(p, " &middot; ");
    rep_esc(p, rep_cell_text(v->group));
    rep_puts(p, " &middot; ");
    rep_esc(p, rep_cell_text(v->submitter));
    rep_putf(p, " &middot; sentence %llu", (unsigned long long)v->sentence);
    if (v->claim && strcmp(v->link, "previous_sentence") == 0)
        rep_puts(p, " (claim about the sentence before)");
    rep_puts(p, "</span><span class=\"quote\">");
    if (v->text) {
        if (v->cut_left)
            rep_puts(p, "&hellip; ");
        rep_escn(p, v->text, v->mark_from);
        rep_puts(p, "<mark>");
        rep_escn(p, v->text + v->mark_from, v->mark_to - v->mark_from);
        rep_puts(p, "</mark>");
        rep_esc(p, v->text + v->mark_to);
        if (v->cut_right)
            rep_puts(p, " &hellip;");
    } else {
        rep_puts(p, "<mark>");
        rep_esc(p, rep_cell_text(v->match));
        rep_puts(p, "</mark>");
    }
    rep_puts(p, "</span></li>\n");
}

static void write_evidence(rep_page *p, const rep_doc *d)
{
    rep_putf(p, "<section id=\"evidence\">\n<h2>Evidence</h2>\n<p class=\"note\">The sentences "
                "behind the gap table (map_evidence.csv, rows of documents that raise the "
                "issue): every gap claim (up to %u per issue) and the first mention in each of "
                "up to %u documents, matched words marked. %s</p>\n",
             d->o.claims, d->o.mentions,
             d->have_index ? "Sentences are quoted from index.igx."
                           : "No index.igx beside the tables: only the matched words are "
                             "shown.");
    for (size_t r = 0; r < d->gaps.nrows; r++) {
        const char *id = gcell(d, r, "issue");
        rep_puts(p, "<article class=\"ev\" id=\"");
        rep_anchor(p, "ev-", id);
        rep_puts(p, "\">\n<h3>");
        rep_esc(p, id);
        rep_puts(p, " ");
        badge(p, gcell(d, r, "gap_type"));
        rep_puts(p, "<a class=\"up\" href=\"#");
        rep_anchor(p, "gap-", id);
        rep_puts(p, "\">&uarr; gap table</a></h3>\n");
        const char *docs = gcell(d, r, "documents"), *claims = gcell(d, r, "gap_claims");
        if (strcmp(docs, "0") != 0) {
            rep_puts(p, "<p class=\"sub\">Raised by ");
            rep_esc(p, docs);
            rep_puts(p, strcmp(docs, "1") == 0 ? " document; " : " documents; ");
            if (strcmp(claims, "0") == 0) {
                rep_puts(p, "no gap claims.</p>\n");
            } else {
                rep_esc(p, claims);
                rep_putf(p, " gap claim%s (%zu shown).</p>\n", strcmp(claims, "1") ? "s" : "",
                         d->claims_shown[r]);
            }
        }
        if (d->claims_shown[r]) {
            rep_puts(p, "<h4>Gap claims</h4>\n<ol class=\"quotes claims\">\n");
            for (size_t i = 0; i < d->nev; i++)
                if (d->ev[i].issue == r && d->ev[i].claim)
                    write_quote(p, &d->ev[i]);
            rep_puts(p, "</ol>\n");
        }
        if (d->mention_docs[r]) {
            rep_puts(p, "<h4>Mentions</h4>\n<ol class=\"quotes mentions\">\n");
            for (size_t i = 0; i < d->nev; i++)
                if (d->ev[i].issue == r && !d->ev[i].claim)
                    write_quote(p, &d->ev[i]);
            rep_puts(p, "</ol>\n");
        } else {
            rep_puts(p, "<p class=\"sub\">No document raises this issue.</p>\n");
        }
        rep_puts(p, "</article>\n");
    }
    rep_puts(p, "</section>\n");
}

/* ---- provenance footer -------------------------------------------------------------- */

/* key | value rows of a JSON value, nested keys joined with '.'. */
static void flat_rows(rep_page *p, const rep_json *v, ig_buf *key, int depth)
{
    int t = rep_json_type(v);
    size_t n = rep_json_size(v);
    if (depth < 8 && t == REP_JSON_OBJECT && n) {
        /* members in key order, as the file has them sorted */
        for (size_t i = 0; i < n; i++) {
            size_t keep = key->len;
            if (key->len && ig_buf_addc(key, '.'))
                p->rc = IG_ENOMEM;
            if (ig_buf_adds(key, rep_json_key(v, i)))
                p->rc = IG_ENOMEM;
            flat_rows(p, rep_json_at(v, i), key, depth + 1);
            key->len = keep;
            if (key->data)
                key->data[keep] = '\0';
        }
        return;
    }
    rep_puts(p, "<tr><td class=\"k\">");
    rep_esc(p, key->data ? key->data : "");
    rep_puts(p, "</td><td>");
    if (t == REP_JSON_ARRAY) {
        for (size_t i = 0; i < n; i++) {
            const rep_json *it = rep_json_at(v, i);
            if (i)
                rep_puts(p, ", ");
            if (rep_json_type(it) == REP_JSON_STRING || rep_json_type(it) == REP_JSON_NUMBER) {
                rep_esc(p, rep_json_text(it, NULL));
            } else {
                ig_buf tmp = IG_BUF_INIT;
                if (rep_json_write(&tmp, it, 0))
                    p->rc = IG_ENOMEM;
                rep_escn(p, tmp.data, tmp.len);
                ig_buf_free(&tmp);
            }
        }
    } else if (t == REP_JSON_STRING || t == REP_JSON_NUMBER) {
        rep_esc(p, rep_json_text(v, NULL));
    } else {
        rep_puts(p, t == REP_JSON_TRUE ? "true" : t == REP_JSON_FALSE ? "false"
                  : t == REP_JSON_OBJECT ? "{}" : "&mdash;");
    }
    rep_puts(p, "</td></tr>\n");
}

static void prov_table(rep_page *p, const char *title, const rep_json *v, const char *prefix)
{
    if (v == NULL)
        return;
    rep_puts(p, "<h3>");
    rep_esc(p, title);
    rep_puts(p, "</h3>\n<table class=\"prov\">\n<tbody>\n");
    ig_buf key = IG_BUF_INIT;
    if (prefix && ig_buf_adds(&key, prefix))
        p->rc = IG_ENOMEM;
    flat_rows(p, v, &key, 0);
    ig_buf_free(&key);
    rep_puts(p, "</tbody>\n</table>\n");
}


/* A provenance list of files (path, bytes, sha256) as a table under its
 * heading; nothing when the list is empty. */
static void file_table(rep_page *p, const char *title, const rep_json *files)
{
    if (!rep_json_size(files))
        return;
    rep_puts(p, "<h3>");
    rep_esc(p, title);
    rep_puts(p, "</h3>\n<table class=\"prov\">\n<thead><tr><th>file</th>"
                "<th>bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < rep_json_size(files); i++) {
        const rep_json *f = rep_json_at(files, i);
        rep_puts(p, "<tr><td class=\"k\">");
        rep_esc(p, rep_json_text(rep_json_get(f, "path"), NULL));
        rep_puts(p, "</td><td class=\"n\">");
        rep_esc(p, rep_json_text(rep_json_get(f, "bytes"), NULL));
        rep_puts(p, "</td><td class=\"hash\">");
        rep_esc(p, rep_json_text(rep_json_get(f, "sha256"), NULL));
        rep_puts(p, "</td></tr>\n");
    }
    rep_puts(p, "</tbody>\n</table>\n");
}
static void write_footer(rep_page *p, const rep_doc *d)
{
    rep_puts(p, "<footer id=\"provenance\">\n<h2>Provenance</h2>\n");
    if (d->prov == NULL) {
        rep_puts(p, "<p class=\"missing\" id=\"no-provenance\">No provenance.json beside the "
                    "tables: run <code>igmap provenance</code> (make does) to record the "
                    "corpus, lexicon hashes, versions and options.</p>\n</footer>\n");
        return;
    }
    const rep_json *pv = d->prov;
    rep_puts(p, "<p class=\"note\">From provenance.json: what produced every number above. "
                "Each document's own SHA-256 is in documents.csv.</p>\n");
    prov_table(p, "Corpus", rep_json_get(pv, "corpus"), NULL);
    file_table(p, "Lexicons", rep_json_get(pv, "lexicons"));
    prov_table(p, "Versions", rep_json_get(pv, "versions"), NULL);
    prov_table(p, "Index", rep_json_get(pv, "index"), NULL);
    const rep_json *map = rep_json_get(pv, "map");
    if (rep_json_type(map) == REP_JSON_OBJECT)
        prov_table(p, "Map options", map, NULL);
    const rep_json *cl = rep_json_get(pv, "classify");
    if (rep_json_type(cl) == REP_JSON_OBJECT) {
        const rep_json *cp = rep_json_get(cl, "provenance");
        rep_puts(p, "<h3>Classify options</h3>\n<table class=\"prov\">\n<tbody>\n");
        ig_buf key = IG_BUF_INIT;
        if (ig_buf_adds(&key, "seed"))
            p->rc = IG_ENOMEM;
        flat_rows(p, rep_json_get(pv, "seed"), &key, 0);
        ig_buf_reset(&key);
        if (ig_buf_adds(&key, "args"))
            p->rc = IG_ENOMEM;
        flat_rows(p, rep_json_get(cl, "args"), &key, 0);
        static const char *const parts[] = { "options", "wordscores", "wordfish" };
        for (size_t i = 0; i < 3; i++) {
            const rep_json *part = rep_json_get(cp, parts[i]);
            if (part == NULL)
                continue;
            ig_buf_reset(&key);
            if (ig_buf_adds(&key, parts[i]))
                p->rc = IG_ENOMEM;
            flat_rows(p, part, &key, 0);
        }
        ig_buf_free(&key);
        rep_puts(p, "</tbody>\n</table>\n");
    }
    file_table(p, "Tables", rep_json_get(pv, "outputs"));
    rep_puts(p, "</footer>\n");
}

/* ---- all ---------------------------------------------------------------------------- */

int rep_write(rep_doc *d, ig_out *out, ig_err *e)
{
    rep_page pg = { IG_BUF_INIT, IG_OK };
    rep_page *p = &pg;
    rep_puts(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"generator\" content=\"igmap report\">\n<title>");
    if (d->o.title) {
        rep_esc(p, d->o.title);
    } else {
        rep_puts(p, "Issue map: ");
        rep_esc(p, d->name);
    }
    rep_puts(p, "</title>\n<style>");
    rep_puts(p, css);
    rep_puts(p, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>");
    if (d->o.title) {
        rep_esc(p, d->o.title);
    } else {
        rep_puts(p, "Issue map: ");
        rep_esc(p, d->name);
    }
    rep_puts(p, "</h1>\n<p class=\"lede\">Which Internet public policy issues the documents "
                "raise, who raises them, which mechanisms are named with them, where the gaps "
                "are, and where the submitters stand. Every number comes from the CSV tables "
                "beside this page and every row of the gap table links to its sentences.</p>\n"
                "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#positions\">"
                "Positions</a><a href=\"#heatmaps\">Issues by process and group</a>"
                "<a href=\"#mechanisms\">Who holds each end</a><a href=\"#gaps\">Gap table</a>"
                "<a href=\"#evidence\">Evidence</a><a href=\"#provenance\">Provenance</a>"
                "</nav>\n</header>\n");
    write_summary(p, d);
    int rc = write_positions(p, d);
    if (rc == IG_OK)
        rc = write_heatmaps(p, d);
    if (rc == IG_OK) {
        write_mechanisms(p, d);
        write_gap_table(p, d);
        write_evidence(p, d);
        write_footer(p, d);
        rep_puts(p, "</main>\n</body>\n</html>\n");
    }
    if (rc == IG_OK)
        rc = p->rc;
    if (rc == IG_OK)
        rc = ig_out_write(out, pg.b.data, pg.b.len);
    else
        rc = ig_err_nomem(e, STAGE);
    ig_buf_free(&pg.b);
    return rc;
}

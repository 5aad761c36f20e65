/*
 * report_svg.c: the charts of report.html, drawn as inline SVG (no script,
 * no library): the gap-type bars, the position dot plots, the two heatmaps
 * and the small strand drawing of each issue.
 *
 * Pipeline place: called by report.c while it writes the page; it knows
 * nothing of files, only the numbers report.c hands it (report_int.h).
 * Coordinates are written with one decimal in the C locale, so the same
 * numbers give the same bytes.  Text is sized by an estimate of the width
 * of the page font (DejaVu Sans, or a sans-serif of similar width), since
 * an SVG without script cannot measure it; labels that would not fit are
 * shortened with an ellipsis and carry their full text in a <title>.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"
#include "report.h"
#include "report_int.h"

/* Average advance of an 11px sans-serif character, in px (DejaVu Sans is
 * among the widest; narrower fonts just leave more room). */
#define CHAR_W 6.6

static const char *const C_ML = "#2b6cb0";      /* multilateral */
static const char *const C_MS = "#dd6b20";      /* multistakeholder */
static const char *const C_MIXED = "#718096";
static const char *const C_INK = "#1a202c";
static const char *const C_GRID = "#e2e8f0";

/* x with one decimal */
static void num(rep_page *p, double v)
{
    char t[64];
    if (!isfinite(v))
        v = 0;
    rep_puts(p, ig_fmt_double(t, sizeof t, v, 1));
}

/* Characters (UTF-8 sequences) in s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* s, or its first max-1 characters and an ellipsis. */
static void text_fit(rep_page *p, const char *s, size_t max)
{
    size_t n = chars(s);
    if (n <= max) {
        rep_esc(p, s);
        return;
    }
    size_t keep = max > 1 ? max - 1 : 0, bytes = 0, c = 0;
    while (s[bytes] && c < keep) {
        bytes++;
        while (((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        c++;
    }
    rep_escn(p, s, bytes);
    rep_puts(p, "&hellip;");
}

static const char *gap_colour(const char *t)
{
    static const struct { const char *t, *c; } tab[] = {
        { "no_home", "#c53030" }, { "multilateral_only", "#2b6cb0" },
        { "multistakeholder_only", "#c05621" }, { "contested", "#6b46c1" },
        { "covered", "#2f855a" }, { "not_raised", "#a0aec0" },
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(tab[i].t, t) == 0)
            return tab[i].c;
    return "#4a5568";
}

static const char *label_colour(int label)
{
    return label == REP_L_ML ? C_ML : label == REP_L_MS ? C_MS : C_MIXED;
}

static void svg_open(rep_page *p, const char *cls, double w, double h, const char *aria)
{
    rep_puts(p, "<svg class=\"chart ");
    rep_puts(p, cls);
    rep_puts(p, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    num(p, w);
    rep_puts(p, "\" height=\"");
    num(p, h);
    rep_puts(p, "\" viewBox=\"0 0 ");
    num(p, w);
    rep_puts(p, " ");
    num(p, h);
    rep_puts(p, "\" role=\"img\" aria-label=\"");
    rep_esc(p, aria);
    rep_puts(p, "\" font-size=\"11\">\n");
}

/* ======================================================================
 * Gap-type bars
 * ====================================================================== */

void rep_svg_bars(rep_page *p, const char *const *labels, const uint64_t *counts, size_t n)
{
    double lw = 170, bw = 380, rh = 22, top = 6;
    uint64_t max = 1;
    size_t maxl = 0;
    for (size_t i = 0; i < n; i++) {
        if (counts[i] > max)
            max = counts[i];
        if (chars(labels[i]) > maxl)
            maxl = chars(labels[i]);
    }
    if ((double)maxl * CHAR_W + 16 > lw)
        lw = (double)maxl * CHAR_W + 16;
    double w = lw + bw + 50, h = top * 2 + rh * (double)n;
    svg_open(p, "bars", w, h, "issues by gap type");
    for (size_t i = 0; i < n; i++) {
        double y = top + rh * (double)i;
        double len = bw * (double)counts[i] / (double)max;
        rep_puts(p, "<g><title>");
        rep_esc(p, labels[i]);
        rep_putf(p, ": %llu</title><text x=\"", (unsigned long long)counts[i]);
        num(p, lw - 8);
        rep_puts(p, "\" y=\"");
        num(p, y + rh / 2 + 4);
        rep_puts(p, "\" text-anchor=\"end\" font-size=\"12\">");
        rep_esc(p, labels[i]);
        rep_puts(p, "</text><rect x=\"");
        num(p, lw);
        rep_puts(p, "\" y=\"");
        num(p, y + 3);
        rep_puts(p, "\" width=\"");
        num(p, len);
        rep_puts(p, "\" height=\"");
        num(p, rh - 6);
        rep_putf(p, "\" rx=\"2\" fill=\"%s\"/><text x=\"", gap_colour(labels[i]));
        num(p, lw + len + 6);
        rep_puts(p, "\" y=\"");
        num(p, y + rh / 2 + 4);
        rep_putf(p, "\" font-size=\"12\" class=\"count\">%llu</text></g>\n",
                 (unsigned long long)counts[i]);
    }
    rep_puts(p, "</svg>\n");
}

/* ======================================================================
 * Position dot plots
 * ====================================================================== */

void rep_svg_positions(rep_page *p, const char *column, const rep_band *bands, size_t nb)
{
    const double left = 230, pw = 720, right = 36, top = 30, legend = 52;
    const double W = left + pw + right;
    /* band heights first */
    double h = top;
    double *steps = ig_calloc(nb ? nb : 1, sizeof *steps);
    size_t *every = ig_calloc(nb ? nb : 1, sizeof *every);
    size_t nbd = nb;
    if (steps == NULL || every == NULL) {
        ig_free(steps);
        ig_free(every);
        p->rc = IG_ENOMEM;
        return;
    }
    for (size_t b = 0; b < nbd; b++) {
        size_t n = bands[b].ndots;
        every[b] = n > REP_MAX_DOTS ? (n + REP_MAX_DOTS - 1) / REP_MAX_DOTS : 1;
        size_t shown = (n + every[b] - 1) / every[b];
        /* 7 px per document, bands of many documents at most ~230 px
         * tall: the dots then overlap into a sorted curve, which is what
         * there is to see at that size */
        double step = shown <= 32 ? 7.0 : 224.0 / (double)shown;
        steps[b] = step;
        double bh = step * (double)shown + 16;
        h += bh < 40 ? 40 : bh;
    }
    double plot_bottom = h;
    h += 30 + legend;
    char aria[160];
    snprintf(aria, sizeof aria, "positions by %s", column);
    svg_open(p, "positions", W, h, aria);
#define X(s) (left + ((s) + 1) / 2 * pw)
    /* bands' background, grid and ticks */
    double y = top;
    for (size_t b = 0; b < nbd; b++) {
        size_t shown = (bands[b].ndots + every[b] - 1) / every[b];
        double bh = steps[b] * (double)shown + 16;
        if (bh < 40)
            bh = 40;
        if (b % 2 == 1) {
            rep_puts(p, "<rect x=\"0\" y=\"");
            num(p, y);
            rep_puts(p, "\" width=\"");
            num(p, W);
            rep_puts(p, "\" height=\"");
            num(p, bh);
            rep_puts(p, "\" fill=\"#f7fafc\"/>\n");
        }
        y += bh;
    }
    static const double ticks[5] = { -1, -0.5, 0, 0.5, 1 };
    static const char *const tick_text[5] = { "&minus;1", "&minus;0.5", "0", "+0.5", "+1" };
    for (int k = 0; k < 5; k++) {
        rep_puts(p, "<line x1=\"");
        num(p, X(ticks[k]));
        rep_puts(p, "\" x2=\"");
        num(p, X(ticks[k]));
        rep_puts(p, "\" y1=\"");
        num(p, top - 4);
        rep_puts(p, "\" y2=\"");
        num(p, plot_bottom);
        rep_putf(p, "\" stroke=\"%s\"%s/>", k == 2 ? "#a0aec0" : C_GRID,
                 k == 2 ? " stroke-dasharray=\"4 3\"" : "");
        for (int side = 0; side < 2; side++) {
            rep_puts(p, "<text x=\"");
            num(p, X(ticks[k]));
            rep_puts(p, "\" y=\"");
            num(p, side ? plot_bottom + 14 : top - 8);
            rep_putf(p, "\" text-anchor=\"middle\" fill=\"#4a5568\">%s</text>", tick_text[k]);
        }
        rep_puts(p, "\n");
    }
    rep_puts(p, "<text x=\"");
    num(p, left);
    rep_puts(p, "\" y=\"");
    num(p, plot_bottom + 28);
    rep_putf(p, "\" fill=\"%s\" font-weight=\"bold\">&larr; multilateral</text>", C_ML);
    rep_puts(p, "<text x=\"");
    num(p, left + pw);
    rep_puts(p, "\" y=\"");
    num(p, plot_bottom + 28);
    rep_putf(p, "\" text-anchor=\"end\" fill=\"%s\" font-weight=\"bold\">multistakeholder "
                "&rarr;</text>\n", C_MS);
    /* bands */
    y = top;
    for (size_t b = 0; b < nbd; b++) {
        const rep_band *bd = &bands[b];
        size_t shown = (bd->ndots + every[b] - 1) / every[b];
        double bh = steps[b] * (double)shown + 16;
        if (bh < 40)
            bh = 40;
        const char *name = bd->name[0] ? bd->name : "(none)";
        rep_puts(p, "<g class=\"band\">\n<text x=\"");
        num(p, left - 12);
        rep_puts(p, "\" y=\"");
        num(p, y + bh / 2 - 2);
        rep_puts(p, "\" text-anchor=\"end\" font-size=\"12\" font-weight=\"bold\">");
        text_fit(p, name, (size_t)((left - 20) / 7.2));
        rep_puts(p, "</text><text x=\"");
        num(p, left - 12);
        rep_puts(p, "\" y=\"");
        num(p, y + bh / 2 + 12);
        rep_putf(p, "\" text-anchor=\"end\" fill=\"#4a5568\" class=\"band-n\">n = %llu",
                 (unsigned long long)bd->n);
        if (isfinite(bd->mean)) {
            rep_puts(p, ", mean ");
            if (bd->mean >= 0)
                rep_puts(p, "+");
            else
                rep_puts(p, "&minus;");
            rep_putd(p, fabs(bd->mean), 2);
        }
        rep_puts(p, "</text>\n");
        if (every[b] > 1) {
            rep_puts(p, "<text x=\"");
            num(p, left - 12);
            rep_puts(p, "\" y=\"");
            num(p, y + bh / 2 + 25);
            rep_putf(p, "\" text-anchor=\"end\" fill=\"#4a5568\">1 in %zu drawn</text>\n",
                     every[b]);
        }
        /* the mean and its interval */
        if (isfinite(bd->mean)) {
            rep_puts(p, "<g class=\"mean\"><title>");
            rep_esc(p, name);
            rep_puts(p, ": mean ");
            rep_putd(p, bd->mean, 3);
            if (isfinite(bd->mlo) && isfinite(bd->mhi)) {
                rep_puts(p, ", 95% interval ");
                rep_putd(p, bd->mlo, 3);
                rep_puts(p, " to ");
                rep_putd(p, bd->mhi, 3);
                double lo = bd->mlo < -1 ? -1 : bd->mlo, hi = bd->mhi > 1 ? 1 : bd->mhi;
                rep_puts(p, "</title><rect x=\"");
                num(p, X(lo));
                rep_puts(p, "\" y=\"");
                num(p, y + 3);
                rep_puts(p, "\" width=\"");
                num(p, X(hi) - X(lo));
                rep_puts(p, "\" height=\"");
                num(p, bh - 6);
                rep_puts(p, "\" fill=\"#1a202c\" fill-opacity=\"0.09\"/>");
            } else {
                rep_puts(p, "</title>");
            }
            rep_puts(p, "<line x1=\"");
            num(p, X(bd->mean));
            rep_puts(p, "\" x2=\"");
            num(p, X(bd->mean));
            rep_puts(p, "\" y1=\"");
            num(p, y + 2);
            rep_puts(p, "\" y2=\"");
            num(p, y + bh - 2);
            rep_putf(p, "\" stroke=\"%s\" stroke-width=\"2.5\"/></g>\n", C_INK);
        }
        /* the documents */
        double dy = y + 8 + steps[b] / 2;
        for (size_t i = 0; i < bd->ndots; i += every[b]) {
            const rep_dot *d = &bd->dots[i];
            const char *col = label_colour(d->label);
            rep_puts(p, "<g class=\"dot\"><title>");
            rep_esc(p, d->id);
            rep_puts(p, ": ");
            rep_putd(p, d->score, 3);
            if (isfinite(d->lo) && isfinite(d->hi)) {
                rep_puts(p, " [");
                rep_putd(p, d->lo, 3);
                rep_puts(p, ", ");
                rep_putd(p, d->hi, 3);
                rep_puts(p, "]");
            }
            rep_puts(p, "</title>");
            if (isfinite(d->lo) && isfinite(d->hi)) {
                double lo = d->lo < -1 ? -1 : d->lo, hi = d->hi > 1 ? 1 : d->hi;
                rep_puts(p, "<line x1=\"");
                num(p, X(lo));
                rep_puts(p, "\" x2=\"");
                num(p, X(hi));
                rep_puts(p, "\" y1=\"");
                num(p, dy);
                rep_puts(p, "\" y2=\"");
                num(p, dy);
                rep_putf(p, "\" stroke=\"%s\" stroke-opacity=\"0.45\"/>", col);
            }
            rep_puts(p, "<circle cx=\"");
            num(p, X(d->score < -1 ? -1 : d->score > 1 ? 1 : d->score));
            rep_puts(p, "\" cy=\"");
            num(p, dy);
            rep_putf(p, "\" r=\"%s\" fill=\"%s\"/></g>\n",
                     steps[b] >= 5 ? "3" : steps[b] >= 2 ? "2" : "1.5", col);
            dy += steps[b];
        }
        rep_puts(p, "</g>\n");
        y += bh;
    }
    /* legend */
    static const struct { int l; const char *t; } lg[3] = {
        { REP_L_ML, "labelled multilateral" }, { REP_L_MIXED, "mixed" },
        { REP_L_MS, "labelled multistakeholder" },
    };
    double lx = left, ly = plot_bottom + 50;
    for (int k = 0; k < 3; k++) {
        rep_puts(p, "<circle cx=\"");
        num(p, lx + 4);
        rep_puts(p, "\" cy=\"");
        num(p, ly - 4);
        rep_putf(p, "\" r=\"4\" fill=\"%s\"/><text x=\"", label_colour(lg[k].l));
        num(p, lx + 12);
        rep_puts(p, "\" y=\"");
        num(p, ly);
        rep_putf(p, "\">%s</text>", lg[k].t);
        lx += 24 + (double)strlen(lg[k].t) * CHAR_W;
    }
    rep_puts(p, "<rect x=\"");
    num(p, lx);
    rep_puts(p, "\" y=\"");
    num(p, ly - 11);
    rep_puts(p, "\" width=\"22\" height=\"14\" fill=\"#1a202c\" fill-opacity=\"0.09\"/>"
                "<line x1=\"");
    num(p, lx + 11);
    rep_puts(p, "\" x2=\"");
    num(p, lx + 11);
    rep_puts(p, "\" y1=\"");
    num(p, ly - 12);
    rep_puts(p, "\" y2=\"");
    num(p, ly + 4);
    rep_putf(p, "\" stroke=\"%s\" stroke-width=\"2.5\"/><text x=\"", C_INK);
    num(p, lx + 30);
    rep_puts(p, "\" y=\"");
    num(p, ly);
    rep_puts(p, "\">group mean and its 95% interval</text>\n</svg>\n");
    ig_free(steps);
    ig_free(every);
#undef X
}

/* ======================================================================
 * Heatmaps
 * ====================================================================== */

/* A blue ramp (ColorBrewer "Blues"-like) at t in [0, 1]. */
static void ramp(double t, char out[8])
{
    static const double st[5][3] = {
        { 222, 235, 247 }, { 158, 202, 225 }, { 107, 174, 214 }, { 49, 130, 189 },
        { 8, 69, 148 },
    };
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    double x = t * 4;
    int i = (int)x;
    if (i > 3)
        i = 3;
    double f = x - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(st[i][k] + (st[i + 1][k] - st[i][k]) * f);
    snprintf(out, 8, "#%02x%02x%02x", c[0] & 255, c[1] & 255, c[2] & 255);
}

static void heat_cell(rep_page *p, double x, double y, double w, double h, uint64_t v,
                      uint64_t max, const char *row, const char *col, int total)
{
    char fill[8] = "#f4f5f7";
    int dark = 0;
    if (v > 0) {
        double t = 0.1 + 0.9 * (double)v / (double)(max ? max : 1);
        if (total) {
            int g = (int)lround(235 - 150 * t);
            snprintf(fill, sizeof fill, "#%02x%02x%02x", g & 255, g & 255, (g + 6) & 255);
        } else {
            ramp(t, fill);
        }
        dark = t > 0.55;
    }
    rep_puts(p, "<g><title>");
    rep_esc(p, row);
    rep_puts(p, ", ");
    rep_esc(p, col);
    rep_putf(p, ": %llu</title><rect x=\"", (unsigned long long)v);
    num(p, x);
    rep_puts(p, "\" y=\"");
    num(p, y);
    rep_puts(p, "\" width=\"");
    num(p, w - 1);
    rep_puts(p, "\" height=\"");
    num(p, h - 1);
    rep_putf(p, "\" fill=\"%s\"/>", fill);
    if (v > 0) {
        rep_puts(p, "<text x=\"");
        num(p, x + (w - 1) / 2);
        rep_puts(p, "\" y=\"");
        num(p, y + h / 2 + 3.5);
        rep_putf(p, "\" text-anchor=\"middle\" fill=\"%s\">%llu</text>",
                 dark ? "#fff" : C_INK, (unsigned long long)v);
    }
    rep_puts(p, "</g>");
}

void rep_svg_heatmap(rep_page *p, const rep_heat *hm)
{
    const double cw = 36, ch = 16, gap = 10;
    size_t maxr = 0, maxc = 5; /* "total" */
    for (size_t r = 0; r < hm->nrows; r++)
        if (chars(hm->rows[r]) > maxr)
            maxr = chars(hm->rows[r]);
    for (size_t c = 0; c < hm->ncols; c++)
        if (chars(hm->cols[c]) > maxc)
            maxc = chars(hm->cols[c]);
    if (maxr > 34)
        maxr = 34;
    if (maxc > 24)
        maxc = 24;
    double left = (double)maxr * CHAR_W + 14;
    /* room for the longest head any heatmap may have (24 characters), so
     * heatmaps placed side by side start their rows at the same height */
    double top = 24 * CHAR_W * 0.71 + 16;
    double right = (double)maxc * CHAR_W * 0.71 + 4;
    double W = left + cw * (double)hm->ncols + gap + cw + right;
    double H = top + ch * (double)hm->nrows + 6;
    uint64_t max = 0;
    for (size_t i = 0; i < hm->nrows * hm->ncols; i++)
        if (hm->cells[i] > max)
            max = hm->cells[i];
    uint64_t tmax = 0;
    for (size_t r = 0; r < hm->nrows; r++)
        if (hm->totals[r] > tmax)
            tmax = hm->totals[r];
    char aria[160];
    snprintf(aria, sizeof aria, "issues by %s", hm->column);
    svg_open(p, "heatmap", W, H, aria);
    /* column heads, turned 45 degrees */
    for (size_t c = 0; c <= hm->ncols; c++) {
        double x = left + cw * (double)c + (c == hm->ncols ? gap : 0) + cw / 2;
        const char *name = c == hm->ncols ? "total" : hm->cols[c];
        rep_puts(p, "<text transform=\"translate(");
        num(p, x - 2);
        rep_puts(p, ",");
        num(p, top - 6);
        rep_puts(p, ") rotate(-45)\"");
        if (c == hm->ncols)
            rep_puts(p, " font-weight=\"bold\"");
        rep_puts(p, ">");
        text_fit(p, name, 24);
        rep_puts(p, "</text>\n");
    }
    for (size_t r = 0; r < hm->nrows; r++) {
        double y = top + ch * (double)r;
        rep_puts(p, "<g class=\"hrow\"><text x=\"");
        num(p, left - 6);
        rep_puts(p, "\" y=\"");
        num(p, y + ch / 2 + 3.5);
        rep_puts(p, "\" text-anchor=\"end\">");
        text_fit(p, hm->rows[r], 34);
        rep_puts(p, "</text>");
        for (size_t c = 0; c < hm->ncols; c++)
            heat_cell(p, left + cw * (double)c, y, cw, ch, hm->cells[r * hm->ncols + c], max,
                      hm->rows[r], hm->cols[c], 0);
        heat_cell(p, left + cw * (double)hm->ncols + gap, y, cw, ch, hm->totals[r], tmax,
                  hm->rows[r], "total", 1);
        rep_puts(p, "</g>\n");
    }
    rep_puts(p, "</svg>\n");
}

/* ======================================================================
 * Strands
 * ====================================================================== */

void rep_svg_strand(rep_page *p, int ml, int ms, const char *gap_type)
{
    rep_puts(p, "<svg class=\"strand\" xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" "
                "height=\"18\" viewBox=\"0 0 96 18\" role=\"img\" aria-label=\"strand\"><title>");
    rep_putf(p, "multilateral end %s, multistakeholder end %s (", ml ? "held" : "missing",
             ms ? "held" : "missing");
    rep_esc(p, gap_type);
    rep_puts(p, ")</title>");
    int raised = strcmp(gap_type, "not_raised") != 0;
    if (raised)
        rep_putf(p, "<line x1=\"14\" y1=\"9\" x2=\"82\" y2=\"9\" stroke=\"%s\" "
                    "stroke-width=\"%s\"%s/>",
                 ml && ms ? "#4a5568" : "#a0aec0", ml && ms ? "2" : "1.5",
                 ml && ms ? "" : " stroke-dasharray=\"3 3\"");
    rep_putf(p, "<circle cx=\"9\" cy=\"9\" r=\"5\" fill=\"%s\" stroke=\"%s\" "
                "stroke-width=\"1.5\"/>", ml ? C_ML : "#fff", raised ? C_ML : "#cbd5e0");
    rep_putf(p, "<circle cx=\"87\" cy=\"9\" r=\"5\" fill=\"%s\" stroke=\"%s\" "
                "stroke-width=\"1.5\"/>", ms ? C_MS : "#fff", raised ? C_MS : "#cbd5e0");
    rep_puts(p, "</svg>");
}

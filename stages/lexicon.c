/*
 * lexicon.c: load and validate lexicon files (see lexicon.h, which owns the
 * format and lists every check).
 *
 * Pipeline place: called by `igmap lint` and, before any scoring, by
 * classify and map, so a researcher sees every problem of a lexicon in one
 * run, each at its line and column.  Two passes: the first reads the file
 * line by line, checks each row on its own and compiles its pattern; the
 * second compares rows (key consistency, duplicates, shadowed entries) on
 * sorted copies, so no pass is quadratic in the file except the
 * shadow check among rows of one key that contain exact or prefix forms.
 * Problems are collected with their position and sorted by line and column
 * before they are handed to the caller.
 */
#include "lexicon.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "fsutil.h"
#include "input.h"
#include "limits.h"
#include "sha256.h"
#include "tokenise.h"

/* ---- names ---------------------------------------------------------------- */

static const char *const kind_names[] = { NULL, "positions", "negators", "issues",
                                          "mechanisms", "gaps" };
static const char *const pole_names[] = { "multilateral", "multistakeholder" };
static const char *const dim_names[] = {
    "actors", "structure", "codification", "mission", "policy_development",
    "decision_making", "representation", "participation", "negotiations", "result",
    "general"
};
static const char *const cluster_names[] = {
    "infrastructure", "security", "human_rights", "legal", "economic", "development",
    "sociocultural", "emerging", "process"
};
static const char *const mtype_names[] = { "multilateral", "multistakeholder", "technical",
                                           "regional" };

#define NAMEOF(tab, i) ((i) >= 0 && (size_t)(i) < sizeof tab / sizeof tab[0] ? tab[i] : NULL)

const char *lex_kind_name(int kind) { return NAMEOF(kind_names, kind); }
const char *lex_pole_name(int pole) { return NAMEOF(pole_names, pole); }
const char *lex_dimension_name(int dim) { return NAMEOF(dim_names, dim); }
const char *lex_cluster_name(int cluster) { return NAMEOF(cluster_names, cluster); }
const char *lex_mtype_name(int type) { return NAMEOF(mtype_names, type); }

/* Header columns of each kind (without the optional note) and which of them
 * holds the pattern. */
static const struct kind_cols {
    const char *cols[4];
    size_t ncols;
    size_t pattern;
} kind_cols[] = {
    { { NULL }, 0, 0 },
    { { "pole", "dimension", "weight", "pattern" }, 4, 3 },
    { { "pattern", "scope" }, 2, 0 },
    { { "cluster", "issue", "pattern" }, 3, 2 },
    { { "mechanism", "type", "pattern" }, 3, 2 },
    { { "pattern" }, 1, 0 },
};

#define NKINDS 6

/* ---- data ------------------------------------------------------------------ */

enum atom_kind { AT_WORD = 'w', AT_EXACT = 'x', AT_PREFIX = 'p', AT_REGEX = 'r' };

typedef struct atom {
    char kind;        /* enum atom_kind */
    size_t off, len;  /* normalised text (or regex source) inside entry canon */
} atom;

typedef struct entry {
    uint64_t line;         /* 1-based line */
    uint64_t col;          /* column of the (trimmed) pattern field */
    int pole, dim;         /* positions, else -1 */
    int group;             /* cluster (issues) or type (mechanisms), else -1 */
    uint64_t group_col;    /* column of the cluster/type field */
    double weight;         /* positions (0 when invalid) */
    unsigned scope;        /* negators (0 when invalid) */
    char *keyname;         /* issue or mechanism id, NULL when absent/invalid */
    size_t key;            /* key number, SIZE_MAX when none */
    char *text;            /* trimmed pattern text ("" when empty) */
    size_t text_len;
    char *note;            /* "" when none */
    pat_pattern *pat;      /* NULL when it did not compile */
    int fields_ok;         /* every field of the row was valid */
    /* validation only (freed before lex_load returns) */
    ig_buf canon;          /* canonical form of the pattern, see canon_pattern */
    atom *atoms;           /* atoms of a NEAR-free pattern, else NULL */
    size_t natoms;
    int has_narrow;        /* some atom is an exact form or a prefix */
    int reported;          /* already reported as duplicate or shadowed */
} entry;

typedef struct lkey {
    char *name;            /* borrowed from the first entry naming it */
    int group;
    size_t entries;
    uint64_t line;
} lkey;

struct lex_file {
    char *path;
    int kind;
    int has_note;
    char sha256[65];
    entry *ents;
    size_t n, cap;
    lkey *keys;
    size_t nkeys;
};

typedef struct problem {
    uint64_t line, col, byte;
    size_t seq;            /* report order, to keep sorting stable */
    char *msg;
} problem;

/* Everything the loader works with. */
typedef struct loader {
    lex_file *f;
    const char *stage;
    problem *probs;
    size_t nprobs, capprobs;
    int nomem;
    ig_buf tmp;            /* scratch for normalised words */
} loader;

/* ---- problems ---------------------------------------------------------------- */

static int lprob(loader *L, uint64_t line, uint64_t col, uint64_t byte, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Record one problem.  Sets L->nomem (and returns IG_ENOMEM) when it cannot. */
static int lprob(loader *L, uint64_t line, uint64_t col, uint64_t byte, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (L->nprobs == L->capprobs) {
        size_t cap = L->capprobs ? L->capprobs * 2 : 16;
        problem *p = ig_reallocarray(L->probs, cap, sizeof *p);
        if (p == NULL) {
            L->nomem = 1;
            return IG_ENOMEM;
        }
        L->probs = p;
        L->capprobs = cap;
    }
    char *copy = ig_strdup(msg);
    if (copy == NULL) {
        L->nomem = 1;
        return IG_ENOMEM;
    }
    problem *p = &L->probs[L->nprobs];
    p->line = line;
    p->col = col;
    p->byte = byte;
    p->seq = L->nprobs;
    p->msg = copy;
    L->nprobs++;
    return IG_OK;
}

static int cmp_problem(const void *a, const void *b)
{
    const problem *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- lines and fields -------------------------------------------------------- */

typedef struct field {
    size_t off, len;   /* trimmed, relative to the line */
    size_t raw;        /* untrimmed start, relative to the line */
} field;

/* 1-based column (characters) of byte off in line s (valid UTF-8). */
static uint64_t col_of(const char *s, size_t off)
{
    uint64_t c = 1;
    for (size_t i = 0; i < off; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Split s[0..n) at TABs into at most max fields (more are counted in *nf
 * but not stored).  With trim, spaces around each field are dropped (an
 * all-space field becomes empty at its start). */
static void split_fields(const char *s, size_t n, int trim, field *fs, size_t max, size_t *nf)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '\t')
            continue;
        if (k < max) {
            size_t a = start, b = i;
            while (trim && a < b && s[a] == ' ')
                a++;
            while (trim && b > a && s[b - 1] == ' ')
                b--;
            if (a == b)
                a = b = start;
            fs[k].raw = start;
            fs[k].off = a;
            fs[k].len = b - a;
        }
        k++;
        start = i + 1;
    }
    *nf = k;
}

static int field_is(const char *s, const field *f, const char *name)
{
    size_t n = strlen(name);
    return f->len == n && memcmp(s + f->off, name, n) == 0;
}

/* Index of the field's value in names[0..n), or -1. */
static int lookup(const char *s, const field *f, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (field_is(s, f, names[i]))
            return (int)i;
    return -1;
}

/* "a, b, c or d" into buf. */
static const char *name_list(char *buf, size_t cap, const char *const *names, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++) {
        int w = snprintf(buf + o, cap - o, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                         names[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    return buf;
}

static int is_id(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* ---- the header ---------------------------------------------------------------- */

/* Kind (1..5) of the header line s[0..n), with *note set, or 0. */
static int header_kind(const char *s, size_t n, int *note)
{
    field fs[8];
    size_t nf;
    split_fields(s, n, 0, fs, 8, &nf);
    for (int k = 1; k < NKINDS; k++) {
        const struct kind_cols *kc = &kind_cols[k];
        size_t want = kc->ncols, i;
        if (nf != want && nf != want + 1)
            continue;
        for (i = 0; i < want && field_is(s, &fs[i], kc->cols[i]); i++)
            ;
        if (i < want || (nf == want + 1 && !field_is(s, &fs[want], "note")))
            continue;
        *note = nf == want + 1;
        return k;
    }
    return 0;
}

static void header_problem(loader *L, const char *s, size_t n, uint64_t line, int found,
                           int expected)
{
    if (found) {
        lprob(L, line, 1, IG_ERR_NOPOS, "this is a %s lexicon (by its header), expected %s",
              kind_names[found], kind_names[expected]);
        return;
    }
    char q[IG_MAX_QUOTE_BYTES * 4 + 8];
    ig_quote(q, sizeof q, s, n);
    lprob(L, line, 1, IG_ERR_NOPOS,
          "unknown lexicon header \"%s\"; expected TAB-separated columns "
          "pole,dimension,weight,pattern (positions), pattern,scope (negators), "
          "cluster,issue,pattern (issues), mechanism,type,pattern (mechanisms) or "
          "pattern (gaps), each optionally followed by note", q);
}

/* ---- one entry ------------------------------------------------------------------ */

static int push_entry(lex_file *f, entry **out)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        entry *ne = ig_reallocarray(f->ents, cap, sizeof *ne);
        if (ne == NULL)
            return IG_ENOMEM;
        f->ents = ne;
        f->cap = cap;
    }
    entry *en = &f->ents[f->n++];
    memset(en, 0, sizeof *en);
    en->pole = en->dim = en->group = -1;
    en->key = SIZE_MAX;
    *out = en;
    return IG_OK;
}

/* Check a named enum field; returns its value or -1 (problem recorded). */
static int enum_field(loader *L, const char *s, const field *fd, uint64_t line,
                      const char *what, const char *const *names, size_t n)
{
    uint64_t col = col_of(s, fd->off);
    if (fd->len == 0) {
        lprob(L, line, col, IG_ERR_NOPOS, "empty %s", what);
        return -1;
    }
    int v = lookup(s, fd, names, n);
    if (v < 0) {
        char q[IG_MAX_QUOTE_BYTES * 4 + 8], list[400];
        lprob(L, line, col, IG_ERR_NOPOS, "unknown %s \"%s\" (expected %s)", what,
              ig_quote(q, sizeof q, s + fd->off, fd->len), name_list(list, sizeof list, names, n));
    }
    return v;
}

/* An issue or mechanism id; returns a copy or NULL (problem recorded, or
 * L->nomem). */
static char *id_field(loader *L, const char *s, const field *fd, uint64_t line, const char *what)
{
    uint64_t col = col_of(s, fd->off);
    if (fd->len == 0) {
        lprob(L, line, col, IG_ERR_NOPOS, "empty %s", what);
        return NULL;
    }
    if (!is_id(s + fd->off, fd->len)) {
        char q[IG_MAX_QUOTE_BYTES * 4 + 8];
        lprob(L, line, col, IG_ERR_NOPOS, "invalid %s id \"%s\" (use only a-z, 0-9 and _)", what,
              ig_quote(q, sizeof q, s + fd->off, fd->len));
        return NULL;
    }
    char *c = ig_strndup(s + fd->off, fd->len);
    if (c == NULL)
        L->nomem = 1;
    return c;
}

/* Parse the entry line s[0..n) (line number line). */
static int parse_entry(loader *L, const char *s, size_t n, uint64_t line)
{
    lex_file *f = L->f;
    const struct kind_cols *kc = &kind_cols[f->kind];
    size_t want = kc->ncols + (size_t)f->has_note;
    field fs[6];
    size_t nf;
    split_fields(s, n, 1, fs, 6, &nf);
    if (nf != want && !(f->has_note && nf == want - 1)) {
        char cols[200];
        size_t o = 0;
        for (size_t i = 0; i < want && o < sizeof cols; i++)
            o += (size_t)snprintf(cols + o, sizeof cols - o, "%s%s", i ? ", " : "",
                                  i < kc->ncols ? kc->cols[i] : "note");
        uint64_t col = nf > want ? col_of(s, fs[want].raw) : col_of(s, n);
        if (f->has_note)
            return lprob(L, line, col, IG_ERR_NOPOS,
                         "expected %zu or %zu TAB-separated fields (%s), got %zu", want - 1, want,
                         cols, nf);
        return lprob(L, line, col, IG_ERR_NOPOS, "expected %zu TAB-separated field%s (%s), got %zu",
                     want, want == 1 ? "" : "s", cols, nf);
    }
    entry *en;
    if (push_entry(f, &en) != IG_OK) {
        L->nomem = 1;
        return IG_ENOMEM;
    }
    en->line = line;
    en->fields_ok = 1;
    size_t before = L->nprobs;
    switch (f->kind) {
    case LEX_POSITIONS: {
        en->pole = enum_field(L, s, &fs[0], line, "pole", pole_names, LEX_NPOLES);
        en->dim = enum_field(L, s, &fs[1], line, "dimension", dim_names, LEX_NDIMENSIONS);
        const field *w = &fs[2];
        uint64_t col = col_of(s, w->off);
        char q[IG_MAX_QUOTE_BYTES * 4 + 8];
        double v;
        if (w->len == 0)
            lprob(L, line, col, IG_ERR_NOPOS, "empty weight");
        else if (ig_parse_double(s + w->off, w->len, &v) != 0)
            lprob(L, line, col, IG_ERR_NOPOS, "invalid weight \"%s\"",
                  ig_quote(q, sizeof q, s + w->off, w->len));
        else if (!(v > 0))
            lprob(L, line, col, IG_ERR_NOPOS, "invalid weight \"%s\" (must be greater than 0)",
                  ig_quote(q, sizeof q, s + w->off, w->len));
        else
            en->weight = v;
        break;
    }
    case LEX_NEGATORS: {
        const field *sc = &fs[1];
        uint64_t col = col_of(s, sc->off);
        unsigned v = 0;
        size_t i;
        const char *d = s + sc->off;
        /* Stop accumulating past the limit, so a long digit run cannot wrap. */
        for (i = 0; i < sc->len && d[i] >= '0' && d[i] <= '9' && v <= LEX_MAX_SCOPE; i++)
            v = v * 10 + (unsigned)(d[i] - '0');
        char q[IG_MAX_QUOTE_BYTES * 4 + 8];
        if (sc->len == 0)
            lprob(L, line, col, IG_ERR_NOPOS, "empty scope");
        else if (i < sc->len || v < 1 || v > LEX_MAX_SCOPE)
            lprob(L, line, col, IG_ERR_NOPOS,
                  "invalid scope \"%s\" (expected an integer from 1 to %d)",
                  ig_quote(q, sizeof q, d, sc->len), LEX_MAX_SCOPE);
        else
            en->scope = v;
        break;
    }
    case LEX_ISSUES:
        en->group = enum_field(L, s, &fs[0], line, "cluster", cluster_names, LEX_NCLUSTERS);
        en->group_col = col_of(s, fs[0].off);
        en->keyname = id_field(L, s, &fs[1], line, "issue");
        break;
    case LEX_MECHANISMS:
        en->keyname = id_field(L, s, &fs[0], line, "mechanism");
        en->group = enum_field(L, s, &fs[1], line, "type", mtype_names, LEX_NMTYPES);
        en->group_col = col_of(s, fs[1].off);
        break;
    default:
        break;
    }
    if (L->nomem)
        return IG_ENOMEM;
    const field *pf = &fs[kc->pattern];
    en->col = col_of(s, pf->off);
    en->text = ig_strndup(s + pf->off, pf->len);
    en->text_len = pf->len;
    en->note = f->has_note && nf == want ? ig_strndup(s + fs[want - 1].off, fs[want - 1].len)
                                         : ig_strdup("");
    if (en->text == NULL || en->note == NULL) {
        L->nomem = 1;
        return IG_ENOMEM;
    }
    if (pf->len == 0) {
        lprob(L, line, en->col, IG_ERR_NOPOS, "empty pattern");
    } else {
        pat_loc loc = { L->stage, f->path, line, en->col };
        ig_err pe;
        ig_err_clear(&pe);
        int rc = pat_compile(&en->pat, en->text, en->text_len, &loc, &pe);
        if (rc == IG_ENOMEM) {
            L->nomem = 1;
            return IG_ENOMEM;
        }
        if (rc != IG_OK)
            lprob(L, pe.line != IG_ERR_NOPOS ? pe.line : line,
                  pe.col != IG_ERR_NOPOS ? pe.col : en->col, IG_ERR_NOPOS, "%s", pe.msg);
    }
    if (L->nomem)
        return IG_ENOMEM;
    en->fields_ok = L->nprobs == before;
    return IG_OK;
}

/* ---- pass 1: the file ------------------------------------------------------------ */

static int read_lines(loader *L, const char *data, size_t len)
{
    lex_file *f = L->f;
    size_t pos = 0;
    uint64_t line = 0;
    int header = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        line++;
        size_t start = pos, end = pos;
        while (end < len && data[end] != '\n' && data[end] != '\r')
            end++;
        pos = end;
        if (pos < len)
            pos += (data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n') ? 2 : 1;
        const char *s = data + start;
        size_t n = end - start;
        if (n > IG_MAX_LINE_BYTES) {
            lprob(L, line, 1, start, "line longer than %zu bytes", (size_t)IG_MAX_LINE_BYTES);
            if (!header)
                break;
            continue;
        }
        ig_utf8_bad bad;
        if (!ig_utf8_check(s, n, &bad)) {
            lprob(L, line, bad.col, start + bad.byte, "invalid UTF-8 (%s)", bad.reason);
            if (!header && (n == 0 || s[0] != '#'))
                break; /* without the header the rest cannot be read */
            continue;
        }
        const char *nul = memchr(s, '\0', n);
        if (nul) {
            lprob(L, line, col_of(s, (size_t)(nul - s)), start + (size_t)(nul - s),
                  "NUL byte in a lexicon");
            if (!header && s[0] != '#')
                break;
            continue;
        }
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k == n || s[0] == '#')
            continue;
        if (!header) {
            int note = 0, kind = header_kind(s, n, &note);
            if (kind == 0 || (L->f->kind != LEX_ANY && kind != f->kind)) {
                header_problem(L, s, n, line, kind, f->kind);
                break; /* the rows cannot be read without knowing their columns */
            }
            f->kind = kind;
            f->has_note = note;
            header = 1;
            continue;
        }
        if (parse_entry(L, s, n, line) != IG_OK && L->nomem)
            return IG_ENOMEM;
    }
    if (L->nomem)
        return IG_ENOMEM;
    if (!header && L->nprobs == 0)
        lprob(L, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
              "no header line (the file is empty or holds only comments)");
    return L->nomem ? IG_ENOMEM : IG_OK;
}

/* ---- canonical patterns (for the shadow check) -------------------------------------
 *
 * A pattern that compiled is re-read with the lexing rules of pattern.h
 * (the compiler keeps its tree private) into a byte string that is equal
 * for two patterns exactly when they have the same structure and the same
 * normalised words: each unit is 'P', its atoms, 'E'; an atom is its kind
 * byte, the length of its text as a varint, and the text; 'N' and the
 * distance as a varint stand between units joined by NEAR.  A bare form is
 * a one-word phrase (they match the same).  The atoms of a NEAR-free
 * pattern are also listed, for the coverage rules.
 */

static int canon_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int push_atom(entry *en, char kind, const char *w, size_t wl, size_t *cap)
{
    if (ig_buf_addc(&en->canon, kind) != IG_OK || ig_buf_add_varint(&en->canon, wl) != IG_OK)
        return IG_ENOMEM;
    size_t off = en->canon.len;
    if (ig_buf_add(&en->canon, w, wl) != IG_OK)
        return IG_ENOMEM;
    if (en->natoms == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        atom *na = ig_reallocarray(en->atoms, nc, sizeof *na);
        if (na == NULL)
            return IG_ENOMEM;
        en->atoms = na;
        *cap = nc;
    }
    en->atoms[en->natoms].kind = kind;
    en->atoms[en->natoms].off = off;
    en->atoms[en->natoms].len = wl;
    en->natoms++;
    if (kind == AT_EXACT || kind == AT_PREFIX)
        en->has_narrow = 1;
    return IG_OK;
}

/* One form at s[*i..n).  Returns 0, 1 (not understood: the entry stays out
 * of the shadow check) or IG_ENOMEM. */
static int canon_form(loader *L, entry *en, const char *s, size_t n, size_t *i, int in_phrase,
                      size_t *cap)
{
    size_t st = *i;
    if (s[st] == '/') {
        size_t j = st + 1;
        while (j < n && s[j] != '/')
            j += (s[j] == '\\' && j + 1 < n) ? 2 : 1;
        if (j >= n)
            return 1;
        *i = j + 1;
        return push_atom(en, AT_REGEX, s + st + 1, j - st - 1, cap);
    }
    size_t j = st;
    while (j < n && !canon_ws(s[j]) && s[j] != '"')
        j++;
    if (j < n && s[j] == '"' && !in_phrase)
        return 1;
    const char *w = s + st;
    size_t wl = j - st;
    char kind = AT_WORD;
    if (wl > 0 && w[0] == '=') {
        kind = AT_EXACT;
        w++;
        wl--;
    } else if (wl > 0 && w[wl - 1] == '*') {
        kind = AT_PREFIX;
        wl--;
    }
    if (wl == 0)
        return 1;
    int rc = tok_normalise_word(w, wl, &L->tmp);
    if (rc == IG_ENOMEM)
        return IG_ENOMEM;
    if (rc != IG_OK || L->tmp.len == 0)
        return 1;
    *i = j;
    return push_atom(en, kind, L->tmp.data, L->tmp.len, cap);
}

/* One unit (a phrase or a single form) at s[*i..n), *i not at white space. */
static int canon_unit(loader *L, entry *en, const char *s, size_t n, size_t *i, size_t *cap)
{
    if (ig_buf_addc(&en->canon, 'P') != IG_OK)
        return IG_ENOMEM;
    int rc;
    if (s[*i] != '"') {
        rc = canon_form(L, en, s, n, i, 0, cap);
    } else {
        size_t count = 0;
        (*i)++;
        for (;;) {
            while (*i < n && canon_ws(s[*i]))
                (*i)++;
            if (*i >= n)
                return 1;
            if (s[*i] == '"') {
                (*i)++;
                break;
            }
            if ((rc = canon_form(L, en, s, n, i, 1, cap)) != 0)
                return rc;
            count++;
        }
        rc = count ? 0 : 1;
    }
    if (rc == 0 && ig_buf_addc(&en->canon, 'E') != IG_OK)
        rc = IG_ENOMEM;
    return rc;
}

/* Fill en->canon (and en->atoms when there is no NEAR); on a pattern it does
 * not understand, leaves both empty.  Returns 0 or IG_ENOMEM. */
static int canon_pattern(loader *L, entry *en)
{
    const char *s = en->text;
    size_t n = en->text_len, i = 0, cap = 0;
    int rc = 0, units = 0, nears = 0;
    for (;;) {
        while (i < n && canon_ws(s[i]))
            i++;
        if (i >= n)
            break;
        if (units) {
            size_t j = i;
            while (j < n && !canon_ws(s[j]))
                j++;
            uint64_t d = 0;
            if (j - i < 6 || memcmp(s + i, "NEAR/", 5) != 0)
                rc = 1;
            for (size_t k = i + 5; rc == 0 && k < j; k++) {
                if (s[k] < '0' || s[k] > '9' || d > UINT32_MAX)
                    rc = 1;
                else
                    d = d * 10 + (uint64_t)(s[k] - '0');
            }
            if (rc == 0 && (ig_buf_addc(&en->canon, 'N') != IG_OK ||
                            ig_buf_add_varint(&en->canon, d) != IG_OK))
                rc = IG_ENOMEM;
            for (i = j; i < n && canon_ws(s[i]); i++)
                ;
            if (rc == 0 && i >= n)
                rc = 1;
            if (rc)
                break;
            nears++;
        }
        if ((rc = canon_unit(L, en, s, n, &i, &cap)) != 0)
            break;
        units++;
    }
    if (rc != 0 || units == 0 || nears) {
        ig_free(en->atoms);
        en->atoms = NULL;
        en->natoms = 0;
        en->has_narrow = 0;
    }
    if (rc != 0 || units == 0)
        ig_buf_free(&en->canon);
    return rc == IG_ENOMEM ? IG_ENOMEM : IG_OK;
}

/* ---- pass 2: across entries -------------------------------------------------------
 *
 * Each check sorts an array of entry numbers (the entries stay in file
 * order) with qsort_r, so equal items sit side by side in line order.
 */

/* The key rows are compared within: pole (positions), key number (issues,
 * mechanisms), 0 otherwise; SIZE_MAX when the key field was invalid. */
static size_t dup_key(const lex_file *f, const entry *en)
{
    switch (f->kind) {
    case LEX_POSITIONS:
        return en->pole < 0 ? SIZE_MAX : (size_t)en->pole;
    case LEX_ISSUES:
    case LEX_MECHANISMS:
        return en->key;
    default:
        return 0;
    }
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int cmp_line(const entry *x, const entry *y)
{
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_key_line(const void *a, const void *b, void *ctx)
{
    const lex_file *f = ctx;
    const entry *x = &f->ents[*(const size_t *)a], *y = &f->ents[*(const size_t *)b];
    int c = strcmp(x->keyname, y->keyname);
    return c ? c : cmp_line(x, y);
}

static int cmp_text_line(const void *a, const void *b, void *ctx)
{
    const lex_file *f = ctx;
    const entry *x = &f->ents[*(const size_t *)a], *y = &f->ents[*(const size_t *)b];
    int c = cmp_bytes(x->text, x->text_len, y->text, y->text_len);
    return c ? c : cmp_line(x, y);
}

static int cmp_canon(const lex_file *f, const entry *x, const entry *y)
{
    size_t kx = dup_key(f, x), ky = dup_key(f, y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return cmp_bytes(x->canon.data, x->canon.len, y->canon.data, y->canon.len);
}

static int cmp_canon_line(const void *a, const void *b, void *ctx)
{
    const lex_file *f = ctx;
    const entry *x = &f->ents[*(const size_t *)a], *y = &f->ents[*(const size_t *)b];
    int c = cmp_canon(f, x, y);
    return c ? c : cmp_line(x, y);
}

static int cmp_group_atoms(const void *a, const void *b, void *ctx)
{
    const lex_file *f = ctx;
    const entry *x = &f->ents[*(const size_t *)a], *y = &f->ents[*(const size_t *)b];
    size_t kx = dup_key(f, x), ky = dup_key(f, y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (x->natoms != y->natoms)
        return x->natoms < y->natoms ? -1 : 1;
    return cmp_line(x, y);
}

/* Number the keys (issues, mechanisms) in name order and check that each
 * has one cluster or type. */
static int check_keys(loader *L, size_t *idx)
{
    lex_file *f = L->f;
    const char *what = f->kind == LEX_ISSUES ? "issue" : "mechanism";
    const char *gwhat = f->kind == LEX_ISSUES ? "cluster" : "type";
    const char *const *gnames = f->kind == LEX_ISSUES ? cluster_names : mtype_names;
    size_t m = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->ents[i].keyname)
            idx[m++] = i;
    if (m == 0)
        return IG_OK;
    if ((f->keys = ig_calloc(m, sizeof *f->keys)) == NULL)
        return IG_ENOMEM;
    qsort_r(idx, m, sizeof *idx, cmp_key_line, f);
    for (size_t a = 0, b; a < m; a = b) {
        const entry *first = &f->ents[idx[a]];
        for (b = a + 1; b < m && strcmp(f->ents[idx[b]].keyname, first->keyname) == 0; b++)
            ;
        lkey *k = &f->keys[f->nkeys];
        k->name = first->keyname;
        k->line = first->line;
        k->group = -1;
        k->entries = b - a;
        uint64_t gline = 0;
        for (size_t j = a; j < b; j++) {
            entry *en = &f->ents[idx[j]];
            en->key = f->nkeys;
            if (en->group < 0)
                continue;
            if (k->group < 0) {
                k->group = en->group;
                gline = en->line;
            } else if (en->group != k->group) {
                lprob(L, en->line, en->group_col, IG_ERR_NOPOS,
                      "%s \"%s\" has %s \"%s\" here but \"%s\" at line %llu", what, k->name,
                      gwhat, gnames[en->group], gnames[k->group], (unsigned long long)gline);
            }
        }
        f->nkeys++;
    }
    return L->nomem ? IG_ENOMEM : IG_OK;
}

/* The same pattern text twice for one key (or, positions, for both poles). */
static int check_duplicates(loader *L, size_t *idx)
{
    lex_file *f = L->f;
    const char *what = f->kind == LEX_POSITIONS    ? "pole and pattern"
                       : f->kind == LEX_ISSUES     ? "issue and pattern"
                       : f->kind == LEX_MECHANISMS ? "mechanism and pattern"
                                                   : "pattern";
    size_t m = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->ents[i].text_len > 0 && dup_key(f, &f->ents[i]) != SIZE_MAX)
            idx[m++] = i;
    qsort_r(idx, m, sizeof *idx, cmp_text_line, f);
    for (size_t a = 0, b; a < m; a = b) {
        const entry *ea = &f->ents[idx[a]];
        for (b = a + 1; b < m; b++) {
            const entry *eb = &f->ents[idx[b]];
            if (cmp_bytes(ea->text, ea->text_len, eb->text, eb->text_len) != 0)
                break;
        }
        for (size_t j = a + 1; j < b; j++) {
            entry *en = &f->ents[idx[j]];
            const entry *same = NULL, *other = NULL;
            for (size_t i = a; i < j && same == NULL; i++) {
                const entry *p = &f->ents[idx[i]];
                if (dup_key(f, p) == dup_key(f, en))
                    same = p;
                else if (other == NULL)
                    other = p;
            }
            if (same) {
                lprob(L, en->line, en->col, IG_ERR_NOPOS, "duplicate entry: same %s as line %llu",
                      what, (unsigned long long)same->line);
                en->reported = 1;
            } else if (other && f->kind == LEX_POSITIONS) {
                lprob(L, en->line, en->col, IG_ERR_NOPOS,
                      "conflicting entry: the same pattern is a %s cue at line %llu",
                      pole_names[other->pole], (unsigned long long)other->line);
                en->reported = 1;
            }
        }
    }
    return L->nomem ? IG_ENOMEM : IG_OK;
}

/* The weight or scope that decides which of two covering entries counts. */
static double strength(const lex_file *f, const entry *en)
{
    return f->kind == LEX_POSITIONS ? en->weight : f->kind == LEX_NEGATORS ? (double)en->scope : 0;
}

/* Does atom b (of entry eb) match every token atom a (of ea) matches? */
static int atom_covers(const entry *eb, const atom *b, const entry *ea, const atom *a)
{
    const char *bt = eb->canon.data + b->off, *at = ea->canon.data + a->off;
    int same = a->len == b->len && memcmp(at, bt, a->len) == 0;
    int starts = a->len >= b->len && memcmp(at, bt, b->len) == 0;
    if (a->kind == b->kind)
        return a->kind == AT_PREFIX ? starts : same;
    if (a->kind == AT_EXACT && b->kind == AT_WORD)
        return same; /* the exact form has the word's stem in every language */
    if (a->kind == AT_EXACT && b->kind == AT_PREFIX)
        return starts;
    return 0;
}

static int entry_covers(const entry *b, const entry *a)
{
    if (a->natoms != b->natoms || a->atoms == NULL || b->atoms == NULL)
        return 0;
    for (size_t k = 0; k < a->natoms; k++)
        if (!atom_covers(b, &b->atoms[k], a, &a->atoms[k]))
            return 0;
    return 1;
}

/* A pattern as written, for messages: it compiled, so it is valid UTF-8
 * without control characters and can be shown raw; cut after
 * IG_MAX_QUOTE_BYTES at a character boundary. */
static const char *show(char *buf, size_t cap, const entry *en)
{
    size_t n = en->text_len;
    if (n > IG_MAX_QUOTE_BYTES) {
        n = IG_MAX_QUOTE_BYTES;
        while (n > 0 && ((unsigned char)en->text[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(buf, cap, "%.*s%s", (int)n, en->text, n < en->text_len ? "..." : "");
    return buf;
}

static int check_shadows(loader *L, size_t *idx)
{
    lex_file *f = L->f;
    char q[IG_MAX_QUOTE_BYTES * 4 + 8];
    size_t m = 0;
    for (size_t i = 0; i < f->n; i++) {
        entry *en = &f->ents[i];
        if (en->pat == NULL || !en->fields_ok || en->reported || dup_key(f, en) == SIZE_MAX)
            continue;
        if (canon_pattern(L, en) != IG_OK)
            return IG_ENOMEM;
        if (en->canon.len)
            idx[m++] = i;
    }
    /* The same pattern after normalisation: the strongest, earliest stays. */
    qsort_r(idx, m, sizeof *idx, cmp_canon_line, f);
    for (size_t a = 0, b; a < m; a = b) {
        size_t keep = a;
        for (b = a + 1; b < m && cmp_canon(f, &f->ents[idx[a]], &f->ents[idx[b]]) == 0; b++)
            if (strength(f, &f->ents[idx[b]]) > strength(f, &f->ents[idx[keep]]))
                keep = b;
        const entry *ek = &f->ents[idx[keep]];
        for (size_t j = a; j < b; j++) {
            if (j == keep)
                continue;
            entry *en = &f->ents[idx[j]];
            lprob(L, en->line, en->col, IG_ERR_NOPOS,
                  "shadowed entry: the same pattern as line %llu (%s) after normalisation",
                  (unsigned long long)ek->line, show(q, sizeof q, ek));
            en->reported = 1;
        }
    }
    /* Coverage, among the NEAR-free patterns of one key with as many atoms;
     * only entries with an exact form or a prefix can be covered. */
    size_t k = 0;
    for (size_t j = 0; j < m; j++)
        if (!f->ents[idx[j]].reported && f->ents[idx[j]].atoms)
            idx[k++] = idx[j];
    m = k;
    qsort_r(idx, m, sizeof *idx, cmp_group_atoms, f);
    for (size_t a = 0, b; a < m; a = b) {
        const entry *ea = &f->ents[idx[a]];
        for (b = a + 1; b < m && dup_key(f, &f->ents[idx[b]]) == dup_key(f, ea) &&
                        f->ents[idx[b]].natoms == ea->natoms;
             b++)
            ;
        for (size_t j = a; j < b; j++) {
            entry *en = &f->ents[idx[j]];
            if (!en->has_narrow)
                continue;
            for (size_t i = a; i < b; i++) { /* line order: name the first coverer */
                const entry *cv = &f->ents[idx[i]];
                if (i == j || strength(f, en) > strength(f, cv) || !entry_covers(cv, en))
                    continue;
                lprob(L, en->line, en->col, IG_ERR_NOPOS,
                      "shadowed entry: line %llu (%s) already matches everything this "
                      "pattern matches", (unsigned long long)cv->line, show(q, sizeof q, cv));
                en->reported = 1;
                break;
            }
        }
    }
    return L->nomem ? IG_ENOMEM : IG_OK;
}

/* ---- loading ----------------------------------------------------------------------- */

void lex_free(lex_file *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++) {
        entry *en = &f->ents[i];
        ig_free(en->keyname);
        ig_free(en->text);
        ig_free(en->note);
        pat_free(en->pat);
        ig_buf_free(&en->canon);
        ig_free(en->atoms);
    }
    ig_free(f->ents);
    ig_free(f->keys);
    ig_free(f->path);
    ig_free(f);
}

int lex_load(lex_file **out, const char *path, int expected_kind, const char *stage,
             ig_msgs *problems, ig_err *e)
{
    *out = NULL;
    if (stage == NULL)
        stage = "lexicon";
    loader L;
    memset(&L, 0, sizeof L);
    L.stage = stage;
    ig_buf data = IG_BUF_INIT;
    size_t *idx = NULL;
    int rc = IG_OK;
    lex_file *f = ig_calloc(1, sizeof *f);
    if (f == NULL || (f->path = ig_strdup(path)) == NULL)
        goto nomem;
    f->kind = expected_kind > LEX_ANY && expected_kind < NKINDS ? expected_kind : LEX_ANY;
    L.f = f;
    if ((rc = ig_read_file(path, LEX_MAX_FILE_BYTES, &data, stage, e)) != IG_OK)
        goto out;
    unsigned char digest[32];
    ig_sha256_buf(data.data, data.len, digest);
    ig_sha256_hex(digest, f->sha256);
    if (read_lines(&L, data.data ? data.data : "", data.len) != IG_OK)
        goto nomem;
    if ((idx = ig_calloc(f->n + 1, sizeof *idx)) == NULL)
        goto nomem;
    if ((f->kind == LEX_ISSUES || f->kind == LEX_MECHANISMS) && check_keys(&L, idx) != IG_OK)
        goto nomem;
    if (check_duplicates(&L, idx) != IG_OK || check_shadows(&L, idx) != IG_OK)
        goto nomem;
    if (L.nprobs) {
        qsort(L.probs, L.nprobs, sizeof *L.probs, cmp_problem);
        for (size_t i = 0; problems && i < L.nprobs; i++) {
            ig_err pe;
            ig_err_clear(&pe);
            ig_err_set(&pe, IG_EDATA, stage, path, L.probs[i].line, L.probs[i].col,
                       L.probs[i].byte, "%s", L.probs[i].msg);
            if (ig_msgs_add(problems, &pe) != IG_OK)
                goto nomem;
        }
        rc = ig_err_data(e, stage, path, "%zu problem%s", L.nprobs, L.nprobs == 1 ? "" : "s");
        goto out;
    }
    /* Validation state is not needed by users of the file. */
    for (size_t i = 0; i < f->n; i++) {
        ig_buf_free(&f->ents[i].canon);
        ig_free(f->ents[i].atoms);
        f->ents[i].atoms = NULL;
    }
    *out = f;
    f = NULL;
    goto out;
nomem:
    rc = ig_err_nomem(e, stage);
out:
    for (size_t i = 0; i < L.nprobs; i++)
        ig_free(L.probs[i].msg);
    ig_free(L.probs);
    ig_buf_free(&L.tmp);
    ig_buf_free(&data);
    ig_free(idx);
    lex_free(f);
    return rc;
}

/* ---- accessors ---------------------------------------------------------------------- */

int lex_file_kind(const lex_file *f) { return f->kind; }
const char *lex_file_path(const lex_file *f) { return f->path; }
int lex_file_has_note(const lex_file *f) { return f->has_note; }
const char *lex_file_sha256(const lex_file *f) { return f->sha256; }
size_t lex_count(const lex_file *f) { return f->n; }
uint64_t lex_entry_line(const lex_file *f, size_t i) { return f->ents[i].line; }
uint64_t lex_entry_col(const lex_file *f, size_t i) { return f->ents[i].col; }
pat_pattern *lex_entry_pattern(const lex_file *f, size_t i) { return f->ents[i].pat; }
const char *lex_entry_text(const lex_file *f, size_t i) { return f->ents[i].text; }
const char *lex_entry_note(const lex_file *f, size_t i) { return f->ents[i].note; }
int lex_entry_pole(const lex_file *f, size_t i) { return f->ents[i].pole; }
int lex_entry_dimension(const lex_file *f, size_t i) { return f->ents[i].dim; }
double lex_entry_weight(const lex_file *f, size_t i) { return f->ents[i].weight; }
unsigned lex_entry_scope(const lex_file *f, size_t i) { return f->ents[i].scope; }
size_t lex_key_count(const lex_file *f) { return f->nkeys; }
const char *lex_key_name(const lex_file *f, size_t k) { return f->keys[k].name; }
int lex_key_group(const lex_file *f, size_t k) { return f->keys[k].group; }
size_t lex_key_entries(const lex_file *f, size_t k) { return f->keys[k].entries; }
uint64_t lex_key_line(const lex_file *f, size_t k) { return f->keys[k].line; }
size_t lex_entry_key(const lex_file *f, size_t i) { return f->ents[i].key; }

int lex_entry_cluster(const lex_file *f, size_t i)
{
    return f->kind == LEX_ISSUES ? f->ents[i].group : -1;
}

int lex_entry_type(const lex_file *f, size_t i)
{
    return f->kind == LEX_MECHANISMS ? f->ents[i].group : -1;
}

/*
 * genlex.c: deterministic generator of a large positions lexicon for
 * `make bench` (tests/bench/run.sh), which times `igmap classify` with it
 * beside the shipped lexicon.  Not part of igmap.
 *
 *   genlex CORPUS_DIR ENTRIES [SEED [SAMPLE_MB]] > lexicon.tsv
 *
 * reads the plain .txt documents of CORPUS_DIR/manifest.csv in manifest order
 * until SAMPLE_MB * 10^6 bytes (default 50; the whole corpus when smaller),
 * and writes a positions lexicon (lexicons/README.md) of ENTRIES entries to
 * standard output: 60% single words, 15% prefixes (`word*`), 18% two-word
 * and 7% three-word phrases.  A line on standard error gives the pools drawn
 * from and how often the entries occur in the sample.
 *
 * Why it looks the way it does.  A dictionary that a researcher writes is a
 * list of content words and set phrases, most of them of middle or low
 * frequency: it does not list "the" or "and", and it is not the corpus's
 * most frequent words (a bench lexicon made of the 5,000 most frequent words
 * matched a third of all tokens and wrote a 16.9 GB evidence.csv).  So the
 * candidates are the word TYPES and recurring phrases of the sample, which
 * come from the generator's whole vocabulary (tests/bench/gen.c: field
 * words and phrases, the general-English Zipf head and its generated
 * tail), and each is drawn, without replacement, with weight count^-ALPHA
 * (ALPHA = 1/2): a word 100 times as frequent as another is 10 times less
 * likely to be drawn, so there are some frequent entries, many middle ones
 * and a long tail.  Drawing uniformly over types instead (ALPHA = 0) picks
 * a third of this small synthetic vocabulary's frequent words and matches
 * a fifth of all tokens; with ALPHA = 1/2 about 4% of token positions
 * carry a cue, 1.5 times as many as with the shipped lexicon.
 *   - words: ASCII letters only, at least 3 of them, at least MIN_WORD_COUNT
 *     times in the sample; one word per Snowball English stem (igmap matches
 *     a word by its stem: "govern", "governs", "governed" would be one cue
 *     three times over), and no word whose stem is a function word's;
 *   - prefixes: a drawn word of 7 or more letters cut by 2 or 3 letters (at
 *     least 5 left), as dictionary authors write `govern*`; no prefix is a
 *     prefix of another (lint would call the longer one shadowed);
 *   - phrases: word sequences of the sample (no punctuation between the
 *     words, so igmap sees consecutive positions) seen at least
 *     MIN_GRAM_COUNT times, neither first nor last word a function word
 *     ("rule of law" yes, "of the" no).
 * Every pattern text is unique in the file (lint: no duplicates, no pattern
 * on both poles).  Pole, dimension and weight are drawn per entry, the
 * weights with the shipped lexicon's mix (0.5, 1, 1.5, 2).  The lexicon
 * depends on the sample only, so corpora of one seed that share their first
 * SAMPLE_MB share it (gen.c: a smaller corpus is a prefix of a larger one).
 *
 * Determinism: the sample is read in manifest order, counts are exact, the
 * candidates are sorted (count, then bytes) before drawing, and the draws
 * come from xoshiro256** seeded with splitmix64(SEED).  Same corpus and
 * arguments, same bytes.
 */
#include <errno.h>
#include <libstemmer.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_WORD_COUNT 2     /* occurrences in the sample for a word to be eligible */
#define MIN_GRAM_COUNT 3     /* ... for a phrase: a recurring sequence, not a chance one */
#ifndef ALPHA
#define ALPHA 0.5
#endif
#define MAX_WORD 48          /* longer letter runs are not words */

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "genlex: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        die("out of memory", NULL);
    return q;
}

/* ---- PRNG (as gen.c) ------------------------------------------------------- */

typedef struct { uint64_t s[4]; } rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return res;
}

/* Uniform in [0, n), n > 0. */
static size_t rng_below(rng *r, size_t n)
{
    return (size_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---- function words: never a word entry, never a phrase's first or last -- */

static const char *const STOP[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "down", "during",
    "each", "either", "etc", "few", "for", "from", "further", "had", "has", "have", "having",
    "he", "her", "here", "hers", "him", "his", "how", "however", "i", "if", "in", "into",
    "is", "it", "its", "itself", "may", "me", "might", "more", "most", "must", "my",
    "neither", "no", "nor", "not", "of", "off", "on", "once", "one", "only", "or", "other",
    "our", "ours", "out", "over", "own", "per", "same", "shall", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there",
    "these", "they", "this", "those", "through", "thus", "to", "too", "under", "until",
    "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where", "whether",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without",
    "would", "yet", "you", "your",
};

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- the vocabulary: word -> id, counts --------------------------------- */

typedef struct {
    char **w;              /* by id */
    uint32_t *count;       /* by id */
    unsigned char *stop;   /* by id */
    size_t n, cap;
    uint32_t *slot;        /* open addressing: id + 1, 0 empty */
    size_t nslot;
} vocab;

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void vocab_rehash(vocab *v)
{
    size_t ns = v->nslot ? v->nslot * 2 : 1u << 16;
    uint32_t *sl = calloc(ns, sizeof *sl);
    if (sl == NULL)
        die("out of memory", NULL);
    for (size_t id = 0; id < v->n; id++) {
        size_t h = (size_t)hash_bytes(v->w[id], strlen(v->w[id])) & (ns - 1);
        while (sl[h])
            h = (h + 1) & (ns - 1);
        sl[h] = (uint32_t)id + 1;
    }
    free(v->slot);
    v->slot = sl;
    v->nslot = ns;
}

static uint32_t vocab_id(vocab *v, const char *s, size_t n)
{
    if (2 * (v->n + 1) > v->nslot)
        vocab_rehash(v);
    size_t h = (size_t)hash_bytes(s, n) & (v->nslot - 1);
    while (v->slot[h]) {
        uint32_t id = v->slot[h] - 1;
        if (strlen(v->w[id]) == n && memcmp(v->w[id], s, n) == 0)
            return id;
        h = (h + 1) & (v->nslot - 1);
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4096;
        v->w = xrealloc(v->w, v->cap * sizeof *v->w);
        v->count = xrealloc(v->count, v->cap * sizeof *v->count);
        v->stop = xrealloc(v->stop, v->cap);
    }
    char *c = xrealloc(NULL, n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    const char *key = c;
    v->w[v->n] = c;
    v->count[v->n] = 0;
    v->stop[v->n] = bsearch(&key, STOP, NELEM(STOP), sizeof STOP[0], cmp_cstr) != NULL;
    v->slot[h] = (uint32_t)v->n + 1;
    return (uint32_t)v->n++;
}

/* ---- n-grams of word ids (2 or 3 words; a 2-gram has c = UINT32_MAX) ---- */

typedef struct { uint32_t a, b, c, count; } gram;

typedef struct {
    gram *g;
    size_t n, nslot;       /* g is the slot table itself */
} gramtab;

static uint64_t gram_hash(uint32_t a, uint32_t b, uint32_t c)
{
    uint64_t x = (uint64_t)a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)b * 0xc2b2ae3d27d4eb4fULL ^
                 (uint64_t)c * 0x165667b19e3779f9ULL;
    return splitmix64(&x);
}

static void gram_add(gramtab *t, uint32_t a, uint32_t b, uint32_t c)
{
    if (2 * (t->n + 1) > t->nslot) {
        size_t ns = t->nslot ? t->nslot * 2 : 1u << 18;
        gram *ng = calloc(ns, sizeof *ng);
        if (ng == NULL)
            die("out of memory", NULL);
        for (size_t i = 0; i < t->nslot; i++) {
            gram *x = &t->g[i];
            if (x->count == 0)
                continue;
            size_t h = (size_t)gram_hash(x->a, x->b, x->c) & (ns - 1);
            while (ng[h].count)
                h = (h + 1) & (ns - 1);
            ng[h] = *x;
        }
        free(t->g);
        t->g = ng;
        t->nslot = ns;
    }
    size_t h = (size_t)gram_hash(a, b, c) & (t->nslot - 1);
    while (t->g[h].count) {
        gram *x = &t->g[h];
        if (x->a == a && x->b == b && x->c == c) {
            x->count++;
            return;
        }
        h = (h + 1) & (t->nslot - 1);
    }
    t->g[h] = (gram){ a, b, c, 1 };
    t->n++;
}

/* ---- reading the sample ------------------------------------------------ */

typedef struct {
    vocab v;
    gramtab g2, g3;
    uint64_t bytes, docs, tokens;
} sample;

/* One document: letter runs are words (lower-cased); a run touching a digit,
 * a non-ASCII byte or an apostrophe is no word; white space keeps a phrase
 * going, anything else ends it. */
static void scan_text(sample *sm, const char *t, size_t n)
{
    uint32_t prev2 = UINT32_MAX, prev1 = UINT32_MAX;
    char w[MAX_WORD + 1];
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)t[i];
        if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
            size_t j = i, k = 0;
            int ok = 1;
            while (j < n) {
                unsigned char d = (unsigned char)t[j];
                if ((d | 0x20) >= 'a' && (d | 0x20) <= 'z') {
                    if (k < MAX_WORD)
                        w[k++] = (char)(d | 0x20);
                    else
                        ok = 0;
                    j++;
                } else if ((d >= '0' && d <= '9') || d >= 0x80 || d == '\'') {
                    ok = 0;
                    j++;
                } else {
                    break;
                }
            }
            i = j;
            if (!ok) {
                prev2 = prev1 = UINT32_MAX;
                continue;
            }
            uint32_t id = vocab_id(&sm->v, w, k);
            sm->v.count[id]++;
            sm->tokens++;
            if (prev1 != UINT32_MAX)
                gram_add(&sm->g2, prev1, id, UINT32_MAX);
            if (prev2 != UINT32_MAX)
                gram_add(&sm->g3, prev2, prev1, id);
            prev2 = prev1;
            prev1 = id;
            continue;
        }
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            prev2 = prev1 = UINT32_MAX;
        i++;
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die(strerror(errno), path);
    size_t cap = 1 << 16, n = 0;
    char *p = xrealloc(NULL, cap);
    size_t got;
    while ((got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            p = xrealloc(p, cap);
        }
    }
    if (ferror(f))
        die("read error", path);
    fclose(f);
    *len = n;
    return p;
}

/* The manifest's rows are "id,path,..." with plain ids and paths (gen.c
 * never quotes them). */
static void read_sample(sample *sm, const char *dir, uint64_t limit)
{
    size_t dl = strlen(dir), mlen;
    char *path = xrealloc(NULL, dl + 32);
    snprintf(path, dl + 32, "%s/manifest.csv", dir);
    char *man = read_file(path, &mlen);
    char *line = man, *end = man + mlen;
    line = memchr(line, '\n', mlen);   /* skip the header */
    while (line && ++line < end && sm->bytes < limit) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *c1 = memchr(line, ',', (size_t)((nl ? nl : end) - line));
        char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)((nl ? nl : end) - c1 - 1)) : NULL;
        if (c2 && !(c2 - c1 > 4 && memcmp(c2 - 3, ".gz", 3) == 0)) {
            size_t pl = (size_t)(c2 - c1 - 1);
            path = xrealloc(path, dl + pl + 2);
            snprintf(path, dl + pl + 2, "%s/%.*s", dir, (int)pl, c1 + 1);
            size_t n;
            char *t = read_file(path, &n);
            scan_text(sm, t, n);
            free(t);
            sm->bytes += n;
            sm->docs++;
        }
        line = nl;
    }
    free(man);
    free(path);
}

/* ---- drawing ----------------------------------------------------------- */

typedef struct {
    char *text;            /* the pattern */
    const char *kind;      /* for the note */
    uint32_t count;        /* occurrences in the sample */
} entry;

typedef struct {
    entry *e;
    size_t n, cap;
    char **seen;           /* sorted pattern texts, for uniqueness */
    size_t nseen, capseen;
} lexicon;

/* Candidates sorted by count (descending), then bytes: the order does not
 * depend on the hash tables. */
typedef struct { const char *s; uint32_t count; uint32_t id[3]; double key; } cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->s, y->s);
}

static int lex_has(const lexicon *lx, const char *s)
{
    size_t lo = 0, hi = lx->nseen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(lx->seen[mid], s);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static void lex_add(lexicon *lx, char *text, const char *kind, uint32_t count)
{
    if (lx->n == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 1024;
        lx->e = xrealloc(lx->e, lx->cap * sizeof *lx->e);
    }
    lx->e[lx->n++] = (entry){ text, kind, count };
    if (lx->nseen == lx->capseen) {
        lx->capseen = lx->capseen ? lx->capseen * 2 : 1024;
        lx->seen = xrealloc(lx->seen, lx->capseen * sizeof *lx->seen);
    }
    size_t i = lx->nseen++;
    while (i > 0 && strcmp(lx->seen[i - 1], text) > 0) {
        lx->seen[i] = lx->seen[i - 1];
        i--;
    }
    lx->seen[i] = text;
}

/* Draw up to want candidates without replacement, each with weight
 * count^-ALPHA (Efraimidis and Spirakis: key = ln(u) / weight, the largest
 * keys first); take() adds one or declines. */
static int cmp_key(const void *a, const void *b)
{
    double x = ((const cand *)a)->key, y = ((const cand *)b)->key;
    return x > y ? -1 : x < y;
}

static void draw(rng *r, cand *c, size_t n, size_t want, lexicon *lx,
                 int (*take)(const cand *, lexicon *, rng *))
{
    for (size_t i = 0; i < n; i++) {
        double u = ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
        c[i].key = log(u) * pow((double)c[i].count, ALPHA);
    }
    qsort(c, n, sizeof *c, cmp_key);   /* ties (probability ~0) keep no order */
    size_t got = 0;
    for (size_t i = 0; i < n && got < want; i++)
        got += take(&c[i], lx, r) ? 1 : 0;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n + 1);
    return d;
}

/* Stems of the word entries so far (Snowball English, as igmap stems
 * English words): one word per stem, since igmap matches a word by its
 * stem, and "govern", "governs", "governed" as three entries would be one
 * cue counted three times over (a dictionary author writes one of them). */
static struct sb_stemmer *stemmer;
static char **stems;
static size_t nstems;

static int stem_seen(const char *w)
{
    const sb_symbol *st = sb_stemmer_stem(stemmer, (const sb_symbol *)w, (int)strlen(w));
    if (st == NULL)
        die("out of memory", NULL);
    size_t n = (size_t)sb_stemmer_length(stemmer);
    size_t lo = 0, hi = nstems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t m = strlen(stems[mid]);
        int c = memcmp(stems[mid], st, m < n ? m : n);
        if (c == 0)
            c = m < n ? -1 : m > n;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    stems = xrealloc(stems, (nstems + 1) * sizeof *stems);
    memmove(stems + lo + 1, stems + lo, (nstems - lo) * sizeof *stems);
    stems[lo] = xrealloc(NULL, n + 1);
    memcpy(stems[lo], st, n);
    stems[lo][n] = '\0';
    nstems++;
    return 0;
}

static int take_word(const cand *c, lexicon *lx, rng *r)
{
    (void)r;
    if (lex_has(lx, c->s) || stem_seen(c->s))
        return 0;
    lex_add(lx, xstrdup(c->s), "word", c->count);
    return 1;
}

/* Prefixes drawn so far, so that none is a prefix of another. */
static char **prefixes;
static size_t nprefixes;

static int take_prefix(const cand *c, lexicon *lx, rng *r)
{
    size_t n = strlen(c->s);
    if (n < 7)
        return 0;
    size_t k = n - 2 - rng_below(r, 2);
    if (k < 5)
        k = 5;
    for (size_t i = 0; i < nprefixes; i++) {
        size_t m = strlen(prefixes[i]);
        size_t l = m < k ? m : k;
        if (memcmp(prefixes[i], c->s, l) == 0)
            return 0;
    }
    char *p = xrealloc(NULL, k + 2);
    memcpy(p, c->s, k);
    p[k] = '*';
    p[k + 1] = '\0';
    if (lex_has(lx, p)) {
        free(p);
        return 0;
    }
    prefixes = xrealloc(prefixes, (nprefixes + 1) * sizeof *prefixes);
    prefixes[nprefixes] = xrealloc(NULL, k + 1);
    memcpy(prefixes[nprefixes], c->s, k);
    prefixes[nprefixes][k] = '\0';
    nprefixes++;
    lex_add(lx, p, "prefix", c->count);
    return 1;
}

static int take_phrase(const cand *c, lexicon *lx, rng *r)
{
    (void)r;
    size_t n = strlen(c->s);
    char *p = xrealloc(NULL, n + 3);
    snprintf(p, n + 3, "\"%s\"", c->s);
    if (lex_has(lx, p)) {
        free(p);
        return 0;
    }
    lex_add(lx, p, "phrase", c->count);
    return 1;
}

static cand *gram_cands(const sample *sm, const gramtab *t, size_t *nc)
{
    cand *c = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < t->nslot; i++) {
        const gram *g = &t->g[i];
        if (g->count < MIN_GRAM_COUNT)
            continue;
        uint32_t last = g->c == UINT32_MAX ? g->b : g->c;
        if (sm->v.stop[g->a] || sm->v.stop[last] || strlen(sm->v.w[g->a]) < 2)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            c = xrealloc(c, cap * sizeof *c);
        }
        size_t len = strlen(sm->v.w[g->a]) + strlen(sm->v.w[g->b]) + 2 +
                     (g->c != UINT32_MAX ? strlen(sm->v.w[g->c]) + 1 : 0);
        char *s = xrealloc(NULL, len);
        if (g->c == UINT32_MAX)
            snprintf(s, len, "%s %s", sm->v.w[g->a], sm->v.w[g->b]);
        else
            snprintf(s, len, "%s %s %s", sm->v.w[g->a], sm->v.w[g->b], sm->v.w[g->c]);
        c[n++] = (cand){ s, g->count, { g->a, g->b, g->c }, 0 };
    }
    qsort(c, n, sizeof *c, cmp_cand);
    *nc = n;
    return c;
}

static const char *const DIMS[] = {
    "actors", "structure", "codification", "mission", "policy_development",
    "decision_making", "representation", "participation", "negotiations", "result", "general",
};

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: genlex CORPUS_DIR ENTRIES [SEED [SAMPLE_MB]] > lexicon.tsv\n");
        return 2;
    }
    char *endp;
    unsigned long want = strtoul(argv[2], &endp, 10);
    if (*endp || want < 10 || want > 1000000)
        die("ENTRIES must be a whole number from 10 to 1000000", argv[2]);
    uint64_t seed = 1;
    if (argc >= 4) {
        seed = strtoull(argv[3], &endp, 10);
        if (*endp || argv[3][0] == '-')
            die("SEED must be a non-negative integer", argv[3]);
    }
    double mb = 50;
    if (argc == 5) {
        mb = strtod(argv[4], &endp);
        if (*endp || !(mb > 0) || mb > 1e5)
            die("SAMPLE_MB must be a positive number", argv[4]);
    }
    stemmer = sb_stemmer_new("english", "UTF_8");
    if (stemmer == NULL)
        die("no English stemmer in libstemmer", NULL);
    /* The function words' stems count as taken: "ofs" (a generated
     * inflection) stems to "of" and would match every "of". */
    for (size_t i = 0; i < NELEM(STOP); i++)
        (void)stem_seen(STOP[i]);
    sample sm;
    memset(&sm, 0, sizeof sm);
    read_sample(&sm, argv[1], (uint64_t)(mb * 1e6));

    cand *words = NULL;
    size_t nwords = 0;
    for (size_t id = 0; id < sm.v.n; id++) {
        if (sm.v.count[id] < MIN_WORD_COUNT || sm.v.stop[id] || strlen(sm.v.w[id]) < 3)
            continue;
        words = xrealloc(words, (nwords + 1) * sizeof *words);
        words[nwords++] = (cand){ sm.v.w[id], sm.v.count[id], { (uint32_t)id, 0, 0 }, 0 };
    }
    qsort(words, nwords, sizeof *words, cmp_cand);
    size_t n2, n3;
    cand *bi = gram_cands(&sm, &sm.g2, &n2);
    cand *tri = gram_cands(&sm, &sm.g3, &n3);

    /* The mix; words fill whatever the others could not. */
    size_t w_pre = want * 15 / 100, w_bi = want * 18 / 100, w_tri = want * 7 / 100;
    lexicon lx;
    memset(&lx, 0, sizeof lx);
    rng r;
    uint64_t x = seed ^ 0x6c65786963616c73ULL;   /* its own stream: "lexicals" */
    for (int i = 0; i < 4; i++)
        r.s[i] = splitmix64(&x);
    draw(&r, tri, n3, w_tri, &lx, take_phrase);
    draw(&r, bi, n2, w_bi, &lx, take_phrase);
    cand *wcopy = xrealloc(NULL, (nwords ? nwords : 1) * sizeof *wcopy);
    memcpy(wcopy, words, nwords * sizeof *words);
    draw(&r, wcopy, nwords, w_pre, &lx, take_prefix);
    draw(&r, words, nwords, want - lx.n, &lx, take_word);
    if (lx.n < want)
        fprintf(stderr, "genlex: only %zu eligible entries in the sample (%zu wanted)\n", lx.n,
                (size_t)want);

    uint64_t hits[3] = { 0, 0, 0 };
    for (size_t i = 0; i < lx.n; i++)
        hits[lx.e[i].kind[0] == 'w' ? 0 : lx.e[i].kind[1] == 'r' ? 1 : 2] += lx.e[i].count;
    fprintf(stderr, "genlex: %zu entries from %zu words, %zu two-word and %zu three-word "
                    "phrases eligible; in the sample their words, prefix stems and phrases "
                    "occur (exact forms) %.2f%%, %.2f%%, %.2f%% of %llu words\n",
            lx.n, nwords, n2, n3, 100.0 * (double)hits[0] / (double)sm.tokens,
            100.0 * (double)hits[1] / (double)sm.tokens, 100.0 * (double)hits[2] / (double)sm.tokens,
            (unsigned long long)sm.tokens);
    /* Entries in a random order, as a lexicon grown by hand is not sorted
     * by kind. */
    for (size_t i = lx.n; i > 1; i--) {
        size_t j = rng_below(&r, i);
        entry t = lx.e[i - 1];
        lx.e[i - 1] = lx.e[j];
        lx.e[j] = t;
    }
    printf("# Generated by tests/bench/genlex.c for make bench: %zu entries drawn uniformly\n"
           "# over the eligible words and phrases of a %.1f MB sample (%llu documents, %llu\n"
           "# words, %zu word types) of %s, seed %llu.  Not a lexicon of the field.\n",
           lx.n, (double)sm.bytes / 1e6, (unsigned long long)sm.docs,
           (unsigned long long)sm.tokens, sm.v.n, argv[1], (unsigned long long)seed);
    printf("pole\tdimension\tweight\tpattern\tnote\n");
    static const char *const WEIGHT[] = { "0.5", "0.5", "1", "1", "1", "1", "1.5", "1.5",
                                          "1.5", "2" };
    for (size_t i = 0; i < lx.n; i++) {
        const entry *en = &lx.e[i];
        const char *pole = rng_below(&r, 2) ? "multistakeholder" : "multilateral";
        const char *dim = DIMS[rng_below(&r, NELEM(DIMS))];
        const char *w = WEIGHT[rng_below(&r, NELEM(WEIGHT))];
        printf("%s\t%s\t%s\t%s\tgenerated %s, %u in the sample\n", pole, dim, w, en->text,
               en->kind, en->count);
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        die("write error", NULL);
    return 0;
}

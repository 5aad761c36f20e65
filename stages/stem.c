/*
 * stem.c: normalised word -> stem with Snowball's libstemmer, one libstemmer
 * call per distinct word form.
 *
 * Pipeline place: after tokenise.  The index stems each term of its
 * vocabulary here, the pattern compiler stems pattern words here, and
 * `igmap stem` stems each token of `igmap tokenise` output.
 *
 * Languages.  A fixed table maps ISO 639-1 codes to Snowball algorithm
 * names; a code is supported when its algorithm is also in sb_stemmer_list()
 * of the libstemmer linked at run time (Debian 12's libstemmer0d 2.2.0 ships
 * all but Estonian).  Snowball's "porter" (the original English algorithm)
 * has no code of its own: "en" is Snowball's English (Porter2).
 *
 * Cache.  Open addressing with linear probing over a power-of-two table,
 * load at most 1/2; the word and stem strings live in an arena of chunks that
 * never move, so returned stems stay valid until stem_close().  When the stem
 * equals the word the two share one string.
 *
 * Library identity (stem_library_version).  libstemmer has no version call
 * and Debian ships no pkg-config file, so the identity is: the package name,
 * the version given at build time as IG_LIBSTEMMER_VERSION if any, the
 * algorithms present, and a 64-bit FNV-1a digest of the stems every present
 * algorithm gives for a fixed list of probe words in 15 languages.  Any
 * change in what the stemmers produce for those words changes the digest,
 * which is what the index fingerprint needs to notice.
 */
#include "stem.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "limits.h"

#define STAGE "stem"
#define STEM_CHUNK ((size_t)64 * 1024)

/* ISO 639-1 code -> Snowball algorithm, sorted by code (the order of
 * stem_languages()). */
static const struct {
    const char *code;
    const char *algo;
} lang_table[] = {
    {"ar", "arabic"},     {"ca", "catalan"},    {"da", "danish"},     {"de", "german"},
    {"el", "greek"},      {"en", "english"},    {"es", "spanish"},    {"et", "estonian"},
    {"eu", "basque"},     {"fi", "finnish"},    {"fr", "french"},     {"ga", "irish"},
    {"hi", "hindi"},      {"hu", "hungarian"},  {"hy", "armenian"},   {"id", "indonesian"},
    {"it", "italian"},    {"lt", "lithuanian"}, {"nb", "norwegian"},  {"ne", "nepali"},
    {"nl", "dutch"},      {"no", "norwegian"},  {"pt", "portuguese"}, {"ro", "romanian"},
    {"ru", "russian"},    {"sr", "serbian"},    {"sv", "swedish"},    {"ta", "tamil"},
    {"tr", "turkish"},    {"yi", "yiddish"},
};
#define NLANG (sizeof lang_table / sizeof lang_table[0])

/* Filled once: which table entries the linked libstemmer has. */
static unsigned char lang_present[NLANG];
static char lang_list[NLANG * 4 + 1];
static pthread_once_t lang_once = PTHREAD_ONCE_INIT;

static void lang_fill(void)
{
    const char **have = sb_stemmer_list();
    size_t o = 0;
    for (size_t i = 0; i < NLANG; i++) {
        for (const char **a = have; a && *a; a++)
            if (strcmp(*a, lang_table[i].algo) == 0)
                lang_present[i] = 1;
        if (lang_present[i]) {
            o += (size_t)snprintf(lang_list + o, sizeof lang_list - o, "%s%s", o ? ", " : "",
                                  lang_table[i].code);
        }
    }
}

static long lang_find(const char *lang)
{
    (void)pthread_once(&lang_once, lang_fill);
    if (lang == NULL)
        return -1;
    for (size_t i = 0; i < NLANG; i++)
        if (lang_present[i] && strcmp(lang_table[i].code, lang) == 0)
            return (long)i;
    return -1;
}

int stem_lang_supported(const char *lang)
{
    return lang_find(lang) >= 0;
}

const char *stem_algorithm(const char *lang)
{
    long i = lang_find(lang);
    return i < 0 ? NULL : lang_table[i].algo;
}

const char *stem_languages(void)
{
    (void)pthread_once(&lang_once, lang_fill);
    return lang_list;
}

/* ---- library identity ---------------------------------------------------- */

/* Probe words, NFKC-casefolded like tokeniser output. */
static const char *const probe_words[] = {
    "cooperation", "stakeholders", "governments", "generously", "internationalization",
    "zusammenarbeit", "regierungen", "coopération", "gouvernements", "gobiernos",
    "cooperazione", "governos", "samenwerking", "regeringar", "hallitukset", "kormányok",
    "правительства", "сотрудничество", "κυβερνήσεις", "الحكومات", "hükümetler",
    "pemerintahan", "vyriausybės", "guvernele", "gobernuak", "सरकारें", "அரசாங்கங்கள்",
    "կառավարություններ", "רעגירונגען", "vladama", "rialtais", "regjeringer",
};

static char version_str[1024];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void fnv(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= s[i];
        *h *= 1099511628211ull;
    }
}

/* 1 if an earlier table entry has the same algorithm ("nb", "no"). */
static int algo_seen_before(size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(lang_table[k].algo, lang_table[i].algo) == 0)
            return 1;
    return 0;
}

static void version_fill(void)
{
    uint64_t h = 14695981039346656037ull;
    size_t o = 0;
    int ok = 1;
    (void)pthread_once(&lang_once, lang_fill);
#if defined(IG_LIBSTEMMER_VERSION)
    o += (size_t)snprintf(version_str, sizeof version_str, "libstemmer0d %s (snowball);",
                          IG_LIBSTEMMER_VERSION);
#else
    o += (size_t)snprintf(version_str, sizeof version_str, "libstemmer0d (snowball);");
#endif
    o += (size_t)snprintf(version_str + o, sizeof version_str - o, " algorithms");
    for (size_t i = 0; i < NLANG; i++) {
        if (!lang_present[i] || algo_seen_before(i))
            continue;
        if (o < sizeof version_str)
            o += (size_t)snprintf(version_str + o, sizeof version_str - o, " %s",
                                  lang_table[i].algo);
        struct sb_stemmer *sb = sb_stemmer_new(lang_table[i].algo, "UTF_8");
        if (sb == NULL) {
            ok = 0;
            continue;
        }
        fnv(&h, lang_table[i].algo, strlen(lang_table[i].algo) + 1);
        for (size_t w = 0; w < sizeof probe_words / sizeof probe_words[0]; w++) {
            const sb_symbol *r = sb_stemmer_stem(sb, (const sb_symbol *)probe_words[w],
                                                 (int)strlen(probe_words[w]));
            if (r == NULL) {
                ok = 0;
                break;
            }
            fnv(&h, r, (size_t)sb_stemmer_length(sb) + 1);
        }
        sb_stemmer_delete(sb);
    }
    if (o < sizeof version_str) {
        if (ok)
            snprintf(version_str + o, sizeof version_str - o, "; probe %016llx",
                     (unsigned long long)h);
        else /* out of memory while probing: say so rather than lie */
            snprintf(version_str + o, sizeof version_str - o, "; probe unavailable");
    }
}

const char *stem_library_version(void)
{
    (void)pthread_once(&version_once, version_fill);
    return version_str;
}

/* ---- the cache ------------------------------------------------------------ */

struct stem_entry {
    const char *word;   /* NUL-terminated, in the arena; NULL = empty slot */
    const char *stem;   /* NUL-terminated, in the arena (may equal word) */
    size_t wlen, slen;
    uint64_t hash;
};

struct stem_chunk {
    struct stem_chunk *next;
    size_t used, cap;
    char data[];
};

struct stem_cache {
    struct sb_stemmer *sb;      /* owned */
    struct stem_entry *slots;   /* power-of-two table */
    size_t nslots, count;
    struct stem_chunk *chunks;  /* newest first */
};

int stem_open(stem_cache **sp, const char *lang, ig_err *e)
{
    stem_cache *s = NULL;
    long i = lang_find(lang);
    *sp = NULL;
    if (i < 0) {
        char q[96];
        return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "unsupported language \"%s\" (supported: %s)",
                          ig_quote(q, sizeof q, lang ? lang : "", lang ? strlen(lang) : 0),
                          stem_languages());
    }
    if ((s = ig_calloc(1, sizeof *s)) == NULL)
        goto out;
    s->nslots = 1024;
    if ((s->slots = ig_calloc(s->nslots, sizeof *s->slots)) == NULL)
        goto out;
    /* NULL here can only be memory: the algorithm is known to exist. */
    if ((s->sb = sb_stemmer_new(lang_table[i].algo, "UTF_8")) == NULL)
        goto out;
    *sp = s;
    return 0;
out:
    stem_close(s);
    return ig_err_nomem(e, STAGE);
}

void stem_close(stem_cache *s)
{
    if (s == NULL)
        return;
    if (s->sb)
        sb_stemmer_delete(s->sb);
    for (struct stem_chunk *c = s->chunks, *nx; c; c = nx) {
        nx = c->next;
        ig_free(c);
    }
    ig_free(s->slots);
    ig_free(s);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    fnv(&h, p, n);
    return h ^ (h >> 29);
}

/* n bytes of stable arena memory, or NULL. */
static char *arena_alloc(stem_cache *s, size_t n)
{
    struct stem_chunk *c = s->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > STEM_CHUNK ? n : STEM_CHUNK;
        if ((c = ig_malloc(ig_size_add(sizeof *c, cap))) == NULL)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = s->chunks;
        s->chunks = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static int table_grow(stem_cache *s)
{
    size_t n = s->nslots * 2;
    struct stem_entry *t = ig_calloc(n, sizeof *t);
    if (t == NULL)
        return IG_ENOMEM;
    for (size_t i = 0; i < s->nslots; i++) {
        if (s->slots[i].word == NULL)
            continue;
        size_t j = (size_t)s->slots[i].hash & (n - 1);
        while (t[j].word != NULL)
            j = (j + 1) & (n - 1);
        t[j] = s->slots[i];
    }
    ig_free(s->slots);
    s->slots = t;
    s->nslots = n;
    return 0;
}

int stem_word_once(stem_cache *s, const char *word, size_t n, const char **out, size_t *outlen)
{
    *out = word ? word : "";
    *outlen = n;
    if (n > IG_MAX_TOKEN_BYTES) /* its own stem, as in stem_word() */
        return 0;
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)*out, (int)n);
    if (r == NULL)
        return IG_ENOMEM;
    *out = (const char *)r;
    *outlen = (size_t)sb_stemmer_length(s->sb);
    return 0;
}

int stem_word(stem_cache *s, const char *word, size_t n, const char **out, size_t *outlen)
{
    if (word == NULL) /* only meaningful with n == 0 */
        word = "";
    uint64_t h = hash_bytes(word, n);
    size_t j = (size_t)h & (s->nslots - 1);
    for (; s->slots[j].word != NULL; j = (j + 1) & (s->nslots - 1)) {
        struct stem_entry *x = &s->slots[j];
        if (x->hash == h && x->wlen == n && memcmp(x->word, word, n) == 0) {
            *out = x->stem;
            *outlen = x->slen;
            return 0;
        }
    }
    /* A miss: grow first, so the insertion below cannot fail half-way. */
    if ((s->count + 1) * 2 > s->nslots) {
        if (table_grow(s))
            return IG_ENOMEM;
        j = (size_t)h & (s->nslots - 1);
        while (s->slots[j].word != NULL)
            j = (j + 1) & (s->nslots - 1);
    }
    const char *stem = word;
    size_t slen = n;
    if (n <= IG_MAX_TOKEN_BYTES) { /* longer words are their own stem */
        const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)n);
        if (r == NULL)
            return IG_ENOMEM;
        stem = (const char *)r;
        slen = (size_t)sb_stemmer_length(s->sb);
    }
    int same = slen == n && memcmp(stem, word, n) == 0;
    size_t need = ig_size_add(n + 1, same ? 0 : slen + 1);
    char *w = arena_alloc(s, need);
    if (w == NULL)
        return IG_ENOMEM;
    memcpy(w, word, n);
    w[n] = '\0';
    char *st = w;
    if (!same) {
        st = w + n + 1;
        memcpy(st, stem, slen);
        st[slen] = '\0';
    }
    s->slots[j].word = w;
    s->slots[j].stem = st;
    s->slots[j].wlen = n;
    s->slots[j].slen = slen;
    s->slots[j].hash = h;
    s->count++;
    *out = st;
    *outlen = slen;
    return 0;
}

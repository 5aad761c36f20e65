/*
 * test_stem.c: stages/stem.c.  Real Snowball stems for English, German and
 * French words (the values libstemmer actually gives), the language table,
 * the cache (one libstemmer call per word form: the same pointer back;
 * pointers stable while the table grows), the long-word guard, the
 * unsupported-language message, and allocation failures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "harness.h"
#include "limits.h"
#include "stem.h"

static const char *stem1(stem_cache *s, const char *w)
{
    const char *out = NULL;
    size_t n = 0;
    if (stem_word(s, w, strlen(w), &out, &n) != 0)
        return "(error)";
    if (out == NULL || strlen(out) != n)
        return "(bad length)";
    return out;
}

static const struct {
    const char *lang, *word, *stem;
} known[] = {
    {"en", "cooperation", "cooper"},
    {"en", "stakeholders", "stakehold"},
    {"en", "stakeholder", "stakehold"},
    {"en", "governments", "govern"},
    {"en", "governance", "govern"},
    {"en", "multistakeholder", "multistakehold"},
    {"en", "sovereignty", "sovereignti"},
    {"en", "internet's", "internet"},
    {"en", "running", "run"},
    {"en", "the", "the"},
    {"en", "3.5", "3.5"},
    {"de", "regierungen", "regier"},
    {"de", "zusammenarbeit", "zusammenarbeit"},
    {"de", "staaten", "staat"},
    {"fr", "gouvernements", "gouvern"},
    {"fr", "coopération", "cooper"},
    {"fr", "états", "état"},
    {"es", "gobiernos", "gobi"},
    {"ru", "правительства", "правительств"},
};

static void test_known_stems(void)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        stem_cache *s = NULL;
        ig_err e;
        ig_err_clear(&e);
        CHECK_EQ(stem_open(&s, known[i].lang, &e), 0);
        if (s == NULL)
            continue;
        CHECK_STR(stem1(s, known[i].word), known[i].stem);
        stem_close(s);
    }
}

static void test_languages(void)
{
    static const char *const want[][2] = {
        {"ar", "arabic"}, {"ca", "catalan"}, {"da", "danish"}, {"de", "german"},
        {"el", "greek"}, {"en", "english"}, {"es", "spanish"}, {"eu", "basque"},
        {"fi", "finnish"}, {"fr", "french"}, {"ga", "irish"}, {"hi", "hindi"},
        {"hu", "hungarian"}, {"hy", "armenian"}, {"id", "indonesian"}, {"it", "italian"},
        {"lt", "lithuanian"}, {"nb", "norwegian"}, {"ne", "nepali"}, {"nl", "dutch"},
        {"no", "norwegian"}, {"pt", "portuguese"}, {"ro", "romanian"}, {"ru", "russian"},
        {"sr", "serbian"}, {"sv", "swedish"}, {"ta", "tamil"}, {"tr", "turkish"},
        {"yi", "yiddish"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK(stem_lang_supported(want[i][0]));
        CHECK_STR(stem_algorithm(want[i][0]), want[i][1]);
        CHECK(strstr(stem_languages(), want[i][0]) != NULL);
        stem_cache *s = NULL;
        ig_err e;
        ig_err_clear(&e);
        CHECK_EQ(stem_open(&s, want[i][0], &e), 0);
        stem_close(s);
    }
    CHECK(strncmp(stem_languages(), "ar, ca, da, de, el, en, es, ", 28) == 0);
    static const char *const bad[] = {"xx", "EN", "en-GB", "english", "porter", "", "e"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!stem_lang_supported(bad[i]));
        CHECK(stem_algorithm(bad[i]) == NULL);
    }
    CHECK(!stem_lang_supported(NULL));
    const char *v = stem_library_version();
    CHECK(strstr(v, "libstemmer") != NULL);
    CHECK(strstr(v, " english ") != NULL);
    CHECK(strstr(v, "; probe ") != NULL);
    CHECK_STR(stem_library_version(), v); /* stable */
}

static void test_unsupported_message(void)
{
    stem_cache *s = (stem_cache *)1;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(stem_open(&s, "xx", &e), IG_EUSAGE);
    CHECK(s == NULL);
    CHECK_STR(e.stage, "stem");
    char want[600];
    snprintf(want, sizeof want, "unsupported language \"xx\" (supported: %s)", stem_languages());
    CHECK_STR(e.msg, want);
    char line[2400];
    ig_err_format(&e, line, sizeof line);
    CHECK(strncmp(line, "igmap: stem: unsupported language \"xx\" (supported: ar, ca, da, ", 63) ==
          0);
    /* hostile codes are quoted, escaped and bounded */
    ig_err_clear(&e);
    CHECK_EQ(stem_open(&s, "a\"b\n", &e), IG_EUSAGE);
    CHECK(strstr(e.msg, "\"a\\\"b\\x0A\"") != NULL);
}

static void test_cache(void)
{
    stem_cache *s = NULL;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(stem_open(&s, "en", &e), 0);
    if (s == NULL)
        return;
    const char *a, *b, *c;
    size_t na, nb, nc;
    CHECK_EQ(stem_word(s, "governments", 11, &a, &na), 0);
    CHECK_EQ(stem_word(s, "governments", 11, &b, &nb), 0);
    CHECK(a == b);
    CHECK_EQ(na, nb);
    /* a different form with the same stem is a different entry */
    CHECK_EQ(stem_word(s, "government", 10, &c, &nc), 0);
    CHECK_STR(c, "govern");
    /* not NUL-terminated input: only n bytes count */
    CHECK_EQ(stem_word(s, "governmentsXYZ", 11, &c, &nc), 0);
    CHECK(c == a);
    /* the empty word */
    CHECK_EQ(stem_word(s, "", 0, &c, &nc), 0);
    CHECK_EQ(nc, 0);
    CHECK_STR(c, "");

    /* grow the table well past its first size; early pointers stay valid */
    const char *first[50];
    char w[32];
    for (int i = 0; i < 50; i++) {
        snprintf(w, sizeof w, "nations%dx", i);
        CHECK_EQ(stem_word(s, w, strlen(w), &first[i], &na), 0);
    }
    for (int i = 0; i < 20000; i++) {
        snprintf(w, sizeof w, "word%dings", i);
        CHECK_EQ(stem_word(s, w, strlen(w), &c, &nc), 0);
    }
    int same = 1;
    for (int i = 0; i < 50; i++) {
        char want[32];
        snprintf(w, sizeof w, "nations%dx", i);
        snprintf(want, sizeof want, "nations%dx", i);
        CHECK_EQ(stem_word(s, w, strlen(w), &c, &nc), 0);
        same &= c == first[i] && strcmp(c, want) == 0;
    }
    CHECK(same);
    CHECK_STR(stem1(s, "word123ings"), "word123");
    CHECK_STR(stem1(s, "governments"), "govern");
    CHECK(a == b);
    stem_close(s);
    stem_close(NULL);
}

/* Words over IG_MAX_TOKEN_BYTES never reach libstemmer: they are their own
 * stem. */
static void test_long_word(void)
{
    stem_cache *s = NULL;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(stem_open(&s, "en", &e), 0);
    if (s == NULL)
        return;
    size_t n = IG_MAX_TOKEN_BYTES + 10;
    char *w = malloc(n);
    memset(w, 'a', n);
    memcpy(w + n - 4, "ings", 4);
    const char *out;
    size_t ol;
    CHECK_EQ(stem_word(s, w, n, &out, &ol), 0);
    CHECK_EQ(ol, n);
    CHECK(memcmp(out, w, n) == 0);
    /* at the cap it is stemmed */
    CHECK_EQ(stem_word(s, w + 10, IG_MAX_TOKEN_BYTES, &out, &ol), 0);
    CHECK_EQ(ol, IG_MAX_TOKEN_BYTES - 4); /* "...ings" -> "..." */
    free(w);
    stem_close(s);
}

static void test_oom(void)
{
    int ok = 0;
    for (uint64_t n = 1; n < 100 && !ok; n++) {
        for (int forever = 0; forever <= 1; forever++) {
            stem_cache *s = NULL;
            ig_err e;
            ig_err_clear(&e);
            ig_alloc_fail_at(n, forever);
            int rc = stem_open(&s, "fr", &e);
            int rc2 = 0;
            const char *out = NULL;
            size_t ol;
            char w[32];
            for (int i = 0; rc == 0 && rc2 == 0 && i < 3000; i++) {
                snprintf(w, sizeof w, "maison%d", i);
                rc2 = stem_word(s, w, strlen(w), &out, &ol);
            }
            if (rc == 0 && rc2 == 0) {
                rc2 = stem_word(s, "gouvernements", 13, &out, &ol);
                CHECK(rc2 != 0 || strcmp(out, "gouvern") == 0);
            }
            ig_alloc_fail_at(0, 0);
            CHECK(rc == 0 || (rc == IG_ENOMEM && e.code == IG_ENOMEM && s == NULL));
            CHECK(rc2 == 0 || rc2 == IG_ENOMEM);
            if (rc == 0 && rc2 == IG_ENOMEM) {
                /* the cache is still usable after a failed insertion */
                CHECK_EQ(stem_word(s, "gouvernements", 13, &out, &ol), 0);
                CHECK_STR(out, "gouvern");
            }
            if (rc == 0 && rc2 == 0 && !forever)
                ok = 1;
            stem_close(s);
        }
    }
    CHECK(ok);
}

int main(void)
{
    RUN(test_known_stems);
    RUN(test_languages);
    RUN(test_unsupported_message);
    RUN(test_cache);
    RUN(test_long_word);
    RUN(test_oom);
    return harness_done();
}

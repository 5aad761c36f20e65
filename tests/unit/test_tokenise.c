/*
 * test_tokenise.c: the tokeniser rules (stages/tokenise.c, R1-R11), one
 * table row per case: token sequences with kinds and positions, byte
 * ranges, sentence numbers (every abbreviation), paragraphs, sections,
 * line-ending equivalence, BOM, NFC/NFD, fullwidth forms, U+2011, soft
 * hyphens, zero-width and bidi characters, long tokens in both modes,
 * combining-mark floods, agreement with utf8proc_map, tok_normalise_word,
 * error locations and allocation failures; and the ASCII fast path's
 * 16-byte vector scan against the byte-at-a-time rule at every word length
 * and case pattern around its boundaries; tok_next_plain's runs against
 * tok_next alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "alloc.h"
#include "buf.h"
#include "harness.h"
#include "limits.h"
#include "tokenise.h"

static tok_stream *tk;

/* Tokenise s with the shared default stream and describe each token as
 * "W:norm@pos", "P:norm@pos" or "J:norm@pos+span", space-separated; an
 * error ends the text with " ERR". */
static const char *render_n(const char *s, size_t n)
{
    static char out[8192];
    size_t o = 0;
    const tok_token *k;
    ig_err e;
    int rc;
    ig_err_clear(&e);
    out[0] = '\0';
    tok_reset(tk, s, n, "t.txt");
    while ((rc = tok_next(tk, &k, &e)) == 1) {
        const char *kind = k->kind == TOK_WORD ? "W" : k->kind == TOK_PART ? "P" : "J";
        int w;
        if (k->kind == TOK_JOINED)
            w = snprintf(out + o, sizeof out - o, "%s%s:%.*s@%u+%u", o ? " " : "", kind,
                         (int)k->norm_len, k->norm, k->pos, k->span);
        else
            w = snprintf(out + o, sizeof out - o, "%s%s:%.*s@%u", o ? " " : "", kind,
                         (int)k->norm_len, k->norm, k->pos);
        if (w < 0 || (size_t)w >= sizeof out - o)
            break;
        o += (size_t)w;
    }
    if (rc < 0)
        snprintf(out + o, sizeof out - o, "%sERR", o ? " " : "");
    return out;
}

static const char *render(const char *s)
{
    return render_n(s, strlen(s));
}

/* One field of every token, space-separated: 'b' byte range "start-end",
 * 's' sentence, 'p' paragraph, 'q' section, 'l' line. */
static const char *fields(tok_stream *t, const char *s, size_t n, char what)
{
    static char out[4096];
    size_t o = 0;
    const tok_token *k;
    ig_err e;
    int rc;
    ig_err_clear(&e);
    out[0] = '\0';
    tok_reset(t, s, n, "t.txt");
    while ((rc = tok_next(t, &k, &e)) == 1) {
        int w;
        const char *sep = o ? " " : "";
        switch (what) {
        case 'b':
            w = snprintf(out + o, sizeof out - o, "%s%llu-%llu", sep,
                         (unsigned long long)k->start, (unsigned long long)k->end);
            break;
        case 's': w = snprintf(out + o, sizeof out - o, "%s%u", sep, k->sentence); break;
        case 'p': w = snprintf(out + o, sizeof out - o, "%s%u", sep, k->paragraph); break;
        case 'q': w = snprintf(out + o, sizeof out - o, "%s%u", sep, k->section); break;
        default: w = snprintf(out + o, sizeof out - o, "%s%llu", sep, (unsigned long long)k->line);
        }
        if (w < 0 || (size_t)w >= sizeof out - o)
            break;
        o += (size_t)w;
    }
    if (rc < 0)
        snprintf(out + o, sizeof out - o, "%sERR", o ? " " : "");
    return out;
}

static const char *fld(const char *s, char what)
{
    return fields(tk, s, strlen(s), what);
}

/* ---- R1-R5: token sequences ---------------------------------------------- */

static const struct {
    const char *in, *want;
} seq_cases[] = {
    /* plain ASCII, case folding, digits */
    {"Hello World", "W:hello@0 W:world@1"},
    {"abc123 456 G77", "W:abc123@0 W:456@1 W:g77@2"},
    {"", ""},
    {"   \t  ", ""},
    {"!!! ... ;;; ---", ""},
    {"a", "W:a@0"},
    /* apostrophes between letters, unified to U+0027 */
    {"don't", "W:don't@0"},
    {"Don\u2019t", "W:don't@0"},
    {"don\u02BCt", "W:don't@0"},
    {"don\u2018t", "W:don't@0"},
    {"don\xEF\xBC\x87t", "W:don't@0"},
    {"ICANN\u2019s role", "W:icann@0 W:role@1"},
    {"it's the IGF's", "W:it@0 W:the@1 W:igf@2"},
    {"don't", "W:don't@0"},
    {"ICANN's-led", "W:icann@0 W:led@1"},
    {"states' rights", "W:states@0 W:rights@1"},
    {"'quoted'", "W:quoted@0"},
    {"80's", "W:80@0 W:s@1"},
    {"rock 'n' roll", "W:rock@0 W:n@1 W:roll@2"},
    {"l''esprit", "W:l@0 W:esprit@1"},
    /* decimals: '.' and ',' between digits */
    {"3.5", "W:3.5@0"},
    {"1,000", "W:1,000@0"},
    {"1,000,000.25 USD", "W:1,000,000.25@0 W:usd@1"},
    {"v1.2", "W:v1.2@0"},
    {"3.x", "W:3@0 W:x@1"},
    {"a,b", "W:a@0 W:b@1"},
    {"3,a", "W:3@0 W:a@1"},
    {"in 2015. Then", "W:in@0 W:2015@1 W:then@2"},
    {"3..5", "W:3@0 W:5@1"},
    {"\xD9\xA3.\xD9\xA5", "W:\xD9\xA3.\xD9\xA5@0"}, /* Arabic-Indic digits are Nd */
    /* compounds (R4), every hyphen variant */
    {"multi-stakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"Multi-Stakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"Multi\u2011Stakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"multi\u2010stakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"multi\xEF\xB9\xA3stakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"multi\xEF\xBC\x8Dstakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"inter-governmental", "J:intergovernmental@0+1 P:inter@0 P:governmental@1"},
    {"Internet-related", "J:internetrelated@0+1 P:internet@0 P:related@1"},
    {"CWG-Internet", "J:cwginternet@0+1 P:cwg@0 P:internet@1"},
    {"non-state actors", "J:nonstate@0+1 P:non@0 P:state@1 W:actors@2"},
    {"state-of-the-art tools",
     "J:stateoftheart@0+3 P:state@0 P:of@1 P:the@2 P:art@3 W:tools@4"},
    {"a-b c-d", "J:ab@0+1 P:a@0 P:b@1 J:cd@2+1 P:c@2 P:d@3"},
    {"COVID-19 response", "J:covid19@0+1 P:covid@0 P:19@1 W:response@2"},
    {"CWG-Internet's", "J:cwginternet@0+1 P:cwg@0 P:internet@1"},
    {"3.5-fold", "J:3.5fold@0+1 P:3.5@0 P:fold@1"},
    {"2015-2020", "W:2015@0 W:2020@1"},
    {"pp. 12-15", "W:pp@0 W:12@1 W:15@2"},
    {"co--op", "W:co@0 W:op@1"},
    {"multi -stakeholder", "W:multi@0 W:stakeholder@1"},
    {"multi- stakeholder", "W:multi@0 W:stakeholder@1"},
    {"multi-\nstakeholder", "W:multi@0 W:stakeholder@1"},
    {"-state state-", "W:state@0 W:state@1"},
    {"multi\u2013stakeholder", "W:multi@0 W:stakeholder@1"}, /* en dash */
    {"multi\u2014stakeholder", "W:multi@0 W:stakeholder@1"}, /* em dash */
    {"multi\u2012stakeholder", "W:multi@0 W:stakeholder@1"}, /* figure dash */
    {"multi\u2212stakeholder", "W:multi@0 W:stakeholder@1"}, /* minus sign */
    {"multi\u2011\u2011stakeholder", "W:multi@0 W:stakeholder@1"},
    {"caf\u00E9-society", "J:caf\u00E9society@0+1 P:caf\u00E9@0 P:society@1"},
    /* transparent characters (R2, F18) */
    {"co\u00ADoperation", "W:cooperation@0"},
    {"multi\u00ADstakeholder", "W:multistakeholder@0"},
    {"co\u200Doperation", "W:cooperation@0"},
    {"co\u200Coperation", "W:cooperation@0"},
    {"co\uFEFFoperation", "W:cooperation@0"},
    {"co\u2060operation", "W:cooperation@0"},
    {"\u202Aabc\u202C \u2066def\u2069 \u200Eghi\u200F \u202Bj\u202Dk\u202El",
     "W:abc@0 W:def@1 W:ghi@2 W:jkl@3"},
    {"don\u200D't", "W:don't@0"},
    {"multi\u200D-\u200Dstakeholder", "J:multistakeholder@0+1 P:multi@0 P:stakeholder@1"},
    {"3\u200D.\u200D5", "W:3.5@0"},
    {"a\u200Bb", "W:a@0 W:b@1"}, /* zero width space separates */
    {"\u200D\u200D", ""},
    /* NFKC + case folding (R5, F16) */
    {"caf\u00E9 cafe\u0301 CAF\u00C9 CAFE\u0301", "W:caf\u00E9@0 W:caf\u00E9@1 W:caf\u00E9@2 W:caf\u00E9@3"},
    {"\uFF26\uFF35\uFF2C\uFF2C width", "W:full@0 W:width@1"},
    {"\uFF11\uFF12\uFF13", "W:123@0"},
    {"\uFB01nance", "W:finance@0"},
    {"Stra\u00DFe", "W:strasse@0"},
    {"\u212Bngstr\u00F6m \u212Aelvin", "W:\u00E5ngstr\u00F6m@0 W:kelvin@1"},
    {"x\u00B2", "W:x2@0"},
    {"\u00BD", "W:1\u20442@0"},
    {"\u2167", "W:viii@0"},
    {"\u03A3\u0391\u03A3", "W:\u03C3\u03B1\u03C3@0"},
    {"\u0130stanbul", "W:i\u0307stanbul@0"},
    {"\u01C5", "W:d\u017E@0"},
    {"\uD55C\uAD6D\uC5B4 \u1112\u1161\u11AB", "W:\uD55C\uAD6D\uC5B4@0 W:\uD55C@1"},
    {"\u0928\u092E\u0938\u094D\u0924\u0947", "W:\u0928\u092E\u0938\u094D\u0924\u0947@0"},
    {"\u4E2D\u6587\uFF0C\u5B57\u7B26\u3002", "W:\u4E2D\u6587@0 W:\u5B57\u7B26@1"},
    {"\u0645\u0631\u062D\u0628\u0627", "W:\u0645\u0631\u062D\u0628\u0627@0"},
    /* separators: symbols, emoji, underscore, punctuation, NBSP */
    {"a\xF0\x9F\x98\x80" "b", "W:a@0 W:b@1"},
    {"a_b a@b.org #tag a/b", "W:a@0 W:b@1 W:a@2 W:b@3 W:org@4 W:tag@5 W:a@6 W:b@7"},
    {"a\u00A0b a\u3000b", "W:a@0 W:b@1 W:a@2 W:b@3"},
    {"\xC2\x85x\u2028y", "W:x@0 W:y@1"},
    {"\u201Cequal footing\u201D", "W:equal@0 W:footing@1"},
    {"(U.S.)", "W:u@0 W:s@1"},
};

static void test_sequences(void)
{
    for (size_t i = 0; i < sizeof seq_cases / sizeof seq_cases[0]; i++) {
        const char *got = render(seq_cases[i].in);
        if (strcmp(got, seq_cases[i].want) != 0)
            fprintf(stderr, "  case %zu: input \"%s\"\n", i, seq_cases[i].in);
        CHECK_STR(got, seq_cases[i].want);
    }
}

/* ---- byte ranges ----------------------------------------------------------- */

static const struct {
    const char *in, *want;
} range_cases[] = {
    {"Hello World", "0-5 6-11"},
    {"  a  bc ", "2-3 5-7"},
    {"multi-stakeholder x", "0-17 0-5 6-17 18-19"},
    {"multi\u2011stakeholder", "0-19 0-5 8-19"},        /* U+2011 is 3 bytes */
    {"state-of-the-art", "0-16 0-5 6-8 9-12 13-16"},
    {"\xEF\xBB\xBFword", "3-7"},                        /* BOM counted */
    {"\u200Eword\u200F x", "3-7 11-12"},                  /* edges excluded */
    {"co\u00ADop", "0-6"},                                /* inside included */
    {"cafe\u0301 x", "0-6 7-8"},                          /* NFD: original bytes */
    {"caf\u00E9 x", "0-5 6-7"},
    {"a\r\nb\rc\nd", "0-1 3-4 5-6 7-8"},
    {"don\u2019t.", "0-7"},
    {"3.5%", "0-3"},
    {"multi\u200D-stakeholder", "0-20 0-5 9-20"},
    {"\uFF26\uFF35\uFF2C\uFF2C", "0-12"},
};

static void test_ranges(void)
{
    for (size_t i = 0; i < sizeof range_cases / sizeof range_cases[0]; i++) {
        const char *got = fld(range_cases[i].in, 'b');
        if (strcmp(got, range_cases[i].want) != 0)
            fprintf(stderr, "  case %zu: input \"%s\"\n", i, range_cases[i].in);
        CHECK_STR(got, range_cases[i].want);
    }
}

/* ---- sentences (R9) ------------------------------------------------------- */

static const struct {
    const char *in, *want;
} sent_cases[] = {
    {"One two. Three four.", "1 1 2 2"},
    {"One? Two! Three.", "1 2 3"},
    {"Really?! Yes", "1 2"},
    {"Wait... then", "1 2"},
    {"Wait\u2026 then", "1 2"},
    {"He said \"stop.\" Then", "1 1 1 2"},
    {"(See above.) Next", "1 1 2"},
    {"He said \u201Cstop.\u201D Then", "1 1 1 2"},
    {"It\u2019s \u2018done.\u2019 Next", "1 1 2"},
    {"end.Next", "1 1"},
    {"3.5 percent", "1 1"},
    {"In 2015. The", "1 1 2"},
    {"a.b", "1 1"},
    {"Last.", "1"},
    {"Last. ", "1"},
    {"A\n\nB", "1 2"},
    {"A\nB", "1 1"},
    {"A\r\n\r\nB", "1 2"},
    {"Yes.\nNo", "1 2"},
    {"Yes.\rNo", "1 2"},
    {"\u4E2D\u3002\u6587", "1 2"},
    {"a\uFF01b \uFF1Fc", "1 2 3"},
    {"\u4E2D\uFF61\u6587", "1 2"},
    {"a\uFF01 b\uFF1F c", "1 2 3"},
    {"Is it? \u00BFY", "1 1 2"},
    {"See e.g. the list", "1 1 1 1 1"},
    {"See E.G. The list", "1 1 1 1 1"},
    {"J. Smith wrote", "1 1 1"},
    {"plan a. Next", "1 1 2"},
    {"The answer is no. We agree", "1 1 1 1 2 2"},
    {"See No. 5 here", "1 1 1 1"},
    {"see Nos. 3 and 4", "1 1 1 1 1"},
    {"apples, pears, etc. and more", "1 1 1 1 1"},
    {"apples, pears, etc. The end", "1 1 1 2 2"},
    {"apples, pears, etc. 5 more", "1 1 1 2 2"},
    {"the U.S. policy", "1 1 1 1"},
    {"Acme Inc. is big", "1 1 1 1"},
    {"Jan.-Dec. 2020", "1 1 1"},
    {"etc..", "1"},
    {"\u00E9t\u00E9. Next", "1 2"},
    {"wrote e.g.. Next", "1 1 1 2"},
    {"x.\u200D Next", "1 2"},
    /* letters right before the '.' up to and past the look-back limit (a
     * 16-letter word overflowed the abbreviation buffer once) */
    {"abcdefghijklmno. Next", "1 2"},
    {"abcdefghijklmnop. Next", "1 2"},
    {"abcdefghijklmnopq. Next", "1 2"},
    {"a.b.c.d.e.f.g.h.i. Next", "1 1 1 1 1 1 1 1 1 2"},
    {"...e.g. next", "1 1 1"},
    {"...............e.g. next", "1 1 2"}, /* beyond the look-back: not seen */
};

static const char *const abbr_always[] = {
    "e.g", "i.e", "cf", "vs", "viz", "al", "para", "paras", "art", "arts", "p", "pp", "vol",
    "vols", "mr", "mrs", "ms", "dr", "prof", "st", "fig", "figs", "u.s", "u.s.a", "u.k",
    "u.n", "e.u", "inc", "ltd", "co", "jr", "sr", "approx", "dept", "gov", "res", "doc", "sec",
    "ch", "rev", "ed", "eds", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec",
};

/* Sentence number of the first token whose form is w, or 0. */
static uint32_t sentence_of(const char *s, const char *w)
{
    const tok_token *k;
    ig_err e;
    ig_err_clear(&e);
    tok_reset(tk, s, strlen(s), "t.txt");
    while (tok_next(tk, &k, &e) == 1)
        if (k->norm_len == strlen(w) && memcmp(k->norm, w, k->norm_len) == 0)
            return k->sentence;
    return 0;
}

static void test_sentences(void)
{
    for (size_t i = 0; i < sizeof sent_cases / sizeof sent_cases[0]; i++) {
        const char *got = fld(sent_cases[i].in, 's');
        if (strcmp(got, sent_cases[i].want) != 0)
            fprintf(stderr, "  case %zu: input \"%s\"\n", i, sent_cases[i].in);
        CHECK_STR(got, sent_cases[i].want);
    }
    /* Every always-abbreviation, in lower case, capitalised and upper case,
     * followed by a capitalised word: no break after it, a break at the
     * real end. */
    for (size_t i = 0; i < sizeof abbr_always / sizeof abbr_always[0]; i++) {
        for (int variant = 0; variant < 3; variant++) {
            char ab[16], text[96];
            snprintf(ab, sizeof ab, "%s", abbr_always[i]);
            for (char *c = ab; *c; c++)
                if (variant == 2 || (variant == 1 && c == ab))
                    *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
            snprintf(text, sizeof text, "Zulu %s. Yankee xray. Whiskey", ab);
            uint32_t y = sentence_of(text, "yankee"), w = sentence_of(text, "whiskey");
            if (y != 1 || w != 2)
                fprintf(stderr, "  abbreviation \"%s.\": yankee %u, whiskey %u\n", ab, y, w);
            CHECK_EQ(y, 1);
            CHECK_EQ(w, 2);
        }
    }
    /* The longest abbreviation right after punctuation of every kind that
     * borders the letters in ASCII ('@' and '[' before 'A'..'Z', '`' and
     * '{' beside 'a'..'z'): seven bytes before the '.', only six of them
     * letters, so a look-back that took them for letters would miss it. */
    static const char borders[] = "@[`{(/_\"";
    for (size_t i = 0; i < sizeof borders - 1; i++) {
        char text[96];
        snprintf(text, sizeof text, "Zulu x%capprox. Yankee", borders[i]);
        uint32_t y = sentence_of(text, "yankee");
        if (y != 1)
            fprintf(stderr, "  \"%c\" before approx.: yankee in sentence %u\n", borders[i], y);
        CHECK_EQ(y, 1);
    }
    /* Not abbreviations: the sentence ends. */
    static const char *const not_abbr[] = {"policy", "ab", "ex", "usa", "eg", "e.gg"};
    for (size_t i = 0; i < sizeof not_abbr / sizeof not_abbr[0]; i++) {
        char text[96];
        snprintf(text, sizeof text, "Zulu %s. Yankee", not_abbr[i]);
        CHECK_EQ(sentence_of(text, "yankee"), 2);
    }
    /* A paragraph break beats an abbreviation; so does a heading. */
    CHECK_EQ(sentence_of("See Mr.\n\nYankee", "yankee"), 2);
    CHECK_EQ(sentence_of("see etc.\nQuestion 2: yankee", "yankee"), 2);
    CHECK_EQ(sentence_of("see etc.\n\nyankee", "yankee"), 2);
    CHECK_EQ(tok_sentences(tk), 2);
}

/* ---- paragraphs (R8) ------------------------------------------------------ */

static const struct {
    const char *in, *want;
} para_cases[] = {
    {"a\n\nb", "1 2"},
    {"a\n \t\nb", "1 2"},
    {"a\nb", "1 1"},
    {"\n\n\na\n\n\n\nb\n\n", "1 2"},
    {"a\r\n\r\nb", "1 2"},
    {"a\r\rb", "1 2"},
    {"a\r\n \r\nb c\n\nd", "1 2 2 3"},
    {"a\u2029b", "1 2"},
    {"a\n\u200B\nb", "1 2"},
    {"a\n\u00A0\u200D\nb", "1 2"},
    {"a\n.\nb", "1 1"},
    {"a\nQuestion 3: b", "1 2 2 2"},
    {"", ""},
};

static void test_paragraphs(void)
{
    for (size_t i = 0; i < sizeof para_cases / sizeof para_cases[0]; i++) {
        const char *got = fld(para_cases[i].in, 'p');
        if (strcmp(got, para_cases[i].want) != 0)
            fprintf(stderr, "  case %zu: input \"%s\"\n", i, para_cases[i].in);
        CHECK_STR(got, para_cases[i].want);
    }
    fld("a\n\nb c. d\n\n\n", 'p');
    CHECK_EQ(tok_paragraphs(tk), 2);
    CHECK_EQ(tok_sentences(tk), 3);
    CHECK_EQ(tok_positions(tk), 4);
}

/* ---- sections (R10) --------------------------------------------------------- */

static const struct {
    const char *in, *want;
} sect_cases[] = {
    {"Intro\nQuestion 5: x\ny\nQ7: z", "0 5 5 5 5 7 7"},
    {"Q1 2020 results", "0 0 0"},
    {"  Question 3\nanswer", "3 3 3"},
    {"QUESTION 12. Yes", "12 12 12"},
    {"Q.5) x", "5 5 5"},
    {"Q 5. x", "5 5 5"},
    {"Q5\nanswer", "5 5"},
    {"Q5 answer", "0 0"},
    {"The question 5 is\nquestion 6 is", "0 0 0 0 6 6 6"},
    {"Questions 5 and 6", "0 0 0 0"},
    {"\xEF\xBB\xBFQuestion 9: x", "9 9 9"},
    {"\u200EQ4: x", "4 4"},
    {"a\r\nQ2: b\rQ3: c", "0 2 2 3 3"},
    {"Question 1234: x", "0 0 0"},
};

static void test_sections(void)
{
    for (size_t i = 0; i < sizeof sect_cases / sizeof sect_cases[0]; i++) {
        const char *got = fld(sect_cases[i].in, 'q');
        if (strcmp(got, sect_cases[i].want) != 0)
            fprintf(stderr, "  case %zu: input \"%s\"\n", i, sect_cases[i].in);
        CHECK_STR(got, sect_cases[i].want);
    }
    /* heading starts a new sentence and paragraph */
    CHECK_STR(fld("intro text\nQuestion 2: what", 's'), "1 1 2 2 2");
    CHECK_STR(fld("intro text\nQuestion 2: what", 'p'), "1 1 2 2 2");

    /* Custom patterns: a number from group 1, else the ordinal. */
    tok_opts o;
    memset(&o, 0, sizeof o);
    ig_err e;
    ig_err_clear(&e);
    tok_stream *t = NULL;
    o.section_pattern = "^Part ([IVX]+)";
    CHECK_EQ(tok_open(&t, &o, &e), 0);
    if (t) {
        const char *s = "pre\nPart I\nx\nPart IV\ny\nPart of it";
        CHECK_STR(fields(t, s, strlen(s), 'q'), "0 1 1 1 2 2 2 2 2 2");
        tok_close(t);
        t = NULL;
    }
    o.section_pattern = "^section\\s+(\\d+)";
    CHECK_EQ(tok_open(&t, &o, &e), 0);
    if (t) {
        const char *s = "SECTION 42 text\nsection 7";
        CHECK_STR(fields(t, s, strlen(s), 'q'), "42 42 42 7 7");
        tok_close(t);
        t = NULL;
    }
    o.section_pattern = "^(?:Art|Article)\\s+(\\d+)$"; /* $ = end of the line */
    CHECK_EQ(tok_open(&t, &o, &e), 0);
    if (t) {
        const char *s = "Article 3\nbody\nArticle 4 inline";
        CHECK_STR(fields(t, s, strlen(s), 'q'), "3 3 3 3 3 3");
        tok_close(t);
        t = NULL;
    }
    /* A bad pattern is a usage error with PCRE2's message and offset. */
    o.section_pattern = "(Question";
    ig_err_clear(&e);
    CHECK_EQ(tok_open(&t, &o, &e), IG_EUSAGE);
    CHECK(t == NULL);
    CHECK(strstr(e.msg, "section pattern \"(Question\"") != NULL);
    CHECK(strstr(e.msg, "missing closing parenthesis at offset 9") != NULL);
    o.section_pattern = "a\\Cb";
    ig_err_clear(&e);
    CHECK_EQ(tok_open(&t, &o, &e), IG_EUSAGE);
    /* A catastrophic pattern hits the match limit: located IG_ELIMIT. */
    o.section_pattern = "^(a+)+$";
    ig_err_clear(&e);
    CHECK_EQ(tok_open(&t, &o, &e), 0);
    if (t) {
        char s[200];
        memset(s, 'a', 150);
        memcpy(s + 150, "b\n", 3);
        const char *text = "x\n";
        char all[260];
        snprintf(all, sizeof all, "%s%s", text, s);
        const char *got = fields(t, all, strlen(all), 'q');
        CHECK(strstr(got, "ERR") != NULL);
        const tok_token *k;
        ig_err_clear(&e);
        tok_reset(t, all, strlen(all), "d.txt");
        while (tok_next(t, &k, &e) == 1)
            ;
        CHECK_EQ(e.code, IG_ELIMIT);
        CHECK_EQ(e.line, 2);
        CHECK_EQ(e.byte, 2);
        CHECK(strstr(e.msg, "section pattern") != NULL);
        tok_close(t);
    }
}

/* ---- line endings (R7, F11) ----------------------------------------------- */

static void test_line_endings(void)
{
    const char *lf = "Question 1: Multi-stakeholder\nmodel.\n\nSecond para, e.g. here\nQ2: end\n";
    char crlf[256], cr[256];
    size_t a = 0, b = 0;
    for (const char *p = lf; *p; p++) {
        if (*p == '\n') {
            crlf[a++] = '\r';
            crlf[a++] = '\n';
            cr[b++] = '\r';
        } else {
            crlf[a++] = *p;
            cr[b++] = *p;
        }
    }
    crlf[a] = cr[b] = '\0';
    const char what[] = "spql";
    for (size_t i = 0; i < strlen(what); i++) {
        char want[4096];
        snprintf(want, sizeof want, "%s", fld(lf, what[i]));
        CHECK_STR(fld(crlf, what[i]), want);
        CHECK_STR(fld(cr, what[i]), want);
        /* missing final newline */
        CHECK_STR(fields(tk, lf, strlen(lf) - 1, what[i]), want);
    }
    char want[8192];
    snprintf(want, sizeof want, "%s", render(lf));
    CHECK_STR(render(crlf), want);
    CHECK_STR(render(cr), want);
    CHECK_STR(fld(lf, 'l'), "1 1 1 1 1 2 4 4 4 4 4 5 5");
    /* no token holds a CR */
    tok_reset(tk, crlf, strlen(crlf), "t.txt");
    const tok_token *k;
    ig_err e;
    ig_err_clear(&e);
    while (tok_next(tk, &k, &e) == 1)
        CHECK(memchr(k->norm, '\r', k->norm_len) == NULL);
}

/* ---- BOM (F10) ---------------------------------------------------------------- */

static void test_bom(void)
{
    CHECK_STR(render("\xEF\xBB\xBFword here"), "W:word@0 W:here@1");
    CHECK_STR(fld("\xEF\xBB\xBFword", 'b'), "3-7");
    CHECK_STR(render("\xEF\xBB\xBF"), "");
    /* mid-text U+FEFF is transparent, not part of a token */
    CHECK_STR(render("a \xEF\xBB\xBFword"), "W:a@0 W:word@1");
    /* columns count from after the BOM */
    ig_err e;
    ig_err_clear(&e);
    const tok_token *k;
    const char *s = "\xEF\xBB\xBF" "ab\x80";
    tok_reset(tk, s, strlen(s), "bom.txt");
    while (tok_next(tk, &k, &e) == 1)
        ;
    CHECK_EQ(e.code, IG_EDATA);
    CHECK_EQ(e.col, 3);
    CHECK_EQ(e.byte, 5);
}

/* ---- long tokens (R6, F15, F17) ------------------------------------------------- */

static char *repeat(const char *unit, size_t times, const char *pre, const char *post)
{
    size_t u = strlen(unit), a = strlen(pre), b = strlen(post);
    char *s = malloc(a + u * times + b + 1);
    memcpy(s, pre, a);
    for (size_t i = 0; i < times; i++)
        memcpy(s + a + i * u, unit, u);
    memcpy(s + a + u * times, post, b + 1);
    return s;
}

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

/* Tokenise s; report the first token's length and truncated flag, the
 * number of tokens, and the error code. */
static int long_run(tok_stream *t, const char *s, size_t *first_len, int *first_trunc,
                    size_t *ntok, ig_err *e)
{
    const tok_token *k;
    int rc;
    *ntok = 0;
    *first_len = 0;
    *first_trunc = -1;
    ig_err_clear(e);
    tok_reset(t, s, strlen(s), "long.txt");
    while ((rc = tok_next(t, &k, e)) == 1) {
        if ((*ntok)++ == 0) {
            *first_len = k->norm_len;
            *first_trunc = k->truncated;
            /* a cut is at a character boundary: still valid UTF-8 */
            CHECK(valid_utf8(k->norm, k->norm_len));
        }
    }
    return rc;
}

static void test_long_tokens(void)
{
    ig_err e;
    size_t len, n;
    int tr;
    tok_opts o;
    memset(&o, 0, sizeof o);
    o.truncate_long = 1;
    tok_stream *tt = NULL;
    ig_err_clear(&e);
    CHECK_EQ(tok_open(&tt, &o, &e), 0);
    if (tt == NULL)
        return;

    /* exactly the cap is fine; one more byte is not */
    char *s = repeat("a", IG_MAX_TOKEN_BYTES, "", " b");
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(len, IG_MAX_TOKEN_BYTES);
    CHECK_EQ(tr, 0);
    free(s);
    s = repeat("A", IG_MAX_TOKEN_BYTES + 1, "x\n\ny ", " b");
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), IG_ELIMIT);
    CHECK_EQ(e.code, IG_ELIMIT);
    CHECK_STR(e.msg, "token exceeds IG_MAX_TOKEN_BYTES (32768)");
    CHECK_STR(e.path, "long.txt");
    CHECK_EQ(e.line, 3);
    CHECK_EQ(e.col, 3);
    CHECK_EQ(e.byte, 5);
    /* the error sticks */
    const tok_token *k;
    ig_err e2;
    ig_err_clear(&e2);
    CHECK_EQ(tok_next(tk, &k, &e2), IG_ELIMIT);
    CHECK_EQ(e2.byte, 5);
    /* truncate mode: cut, counted, scanning goes on */
    CHECK_EQ(long_run(tt, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(n, 4);
    CHECK_EQ(tok_truncated(tt), 1);
    free(s);
    s = repeat("A", IG_MAX_TOKEN_BYTES + 1, "", " b");
    CHECK_EQ(long_run(tt, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(len, IG_MAX_TOKEN_BYTES);
    CHECK_EQ(tr, 1);
    CHECK_EQ(n, 2);
    free(s);

    /* non-ASCII: 2-byte and 3-byte characters, cut on a boundary */
    s = repeat("\u00C9", 16385, "", "");
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), IG_ELIMIT);
    CHECK_EQ(long_run(tt, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(len, 32768);
    CHECK_EQ(tr, 1);
    free(s);
    s = repeat("\u4E2D", 11000, "", "");
    CHECK_EQ(long_run(tt, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(len, 32766);
    free(s);
    /* expansion: U+FDFA is 3 bytes but normalises to 33 bytes */
    s = repeat("\uFDFA", 992, "", "");
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(len, 32736);
    free(s);
    s = repeat("\uFDFA", 993, "", "");
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), IG_ELIMIT);
    free(s);
    s = repeat("\uFB03", 11000, "", ""); /* ffi ligature: 3 bytes -> 3 bytes */
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), IG_ELIMIT);
    free(s);

    /* a compound whose joined form is over the cap but whose parts are not */
    s = repeat("abcdefgh-", 5000, "", "end");
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), IG_ELIMIT);
    CHECK_EQ(e.byte, 0);
    CHECK_EQ(long_run(tt, s, &len, &tr, &n, &e), 0);
    CHECK_EQ(len, IG_MAX_TOKEN_BYTES);
    CHECK_EQ(tr, 1);
    CHECK_EQ(n, 5002); /* joined + 5001 parts */
    CHECK_EQ(tok_positions(tt), 5001);
    CHECK_EQ(tok_truncated(tt), 1);
    free(s);
    tok_close(tt);
}

/* A combining-mark flood: linear time, the cap applies after normalisation,
 * and under the cap the result is exactly utf8proc's. */
static void test_zalgo(void)
{
    ig_err e;
    size_t len, n;
    int tr;
    tok_opts o;
    memset(&o, 0, sizeof o);
    o.truncate_long = 1;
    tok_stream *tt = NULL;
    CHECK_EQ(tok_open(&tt, &o, &e), 0);
    if (tt == NULL)
        return;
    /* marks of classes 230 and 220 alternating: utf8proc's own ordering
     * would need about n^2/4 swaps */
    char *s = repeat("\u0301\u0316", 500000, "a", " tail");
    clock_t c0 = clock();
    CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), IG_ELIMIT);
    CHECK_EQ(long_run(tt, s, &len, &tr, &n, &e), 0);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CHECK(secs < 10.0);
    CHECK(len <= IG_MAX_TOKEN_BYTES && len > IG_MAX_TOKEN_BYTES - 4);
    CHECK_EQ(tr, 1);
    CHECK_EQ(n, 2);
    free(s);

    /* under the cap: identical to utf8proc_map, and quick */
    s = repeat("\u0301\u0316\u0327\u0300", 4000, "a", "");
    c0 = clock();
    for (int i = 0; i < 20; i++)
        CHECK_EQ(long_run(tk, s, &len, &tr, &n, &e), 0);
    secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CHECK(secs < 10.0);
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t ml = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s),
                                       &m, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                               UTF8PROC_CASEFOLD);
    ig_buf b = IG_BUF_INIT;
    CHECK_EQ(tok_normalise_word(s, strlen(s), &b), 0);
    CHECK(ml > 0 && (size_t)ml == b.len && memcmp(m, b.data, b.len) == 0);
    free(m);
    ig_buf_free(&b);
    free(s);
    tok_close(tt);
}

/* Random words of word-class code points normalise exactly as utf8proc_map
 * does (R5). */
static void test_utf8proc_agreement(void)
{
    static const int32_t pool[] = {
        'a', 'Z', 'e', 'E', 'o', 'u', 'i', 'I', 's', 'k', 'K', '0', '7',
        0x00C5, 0x00DF, 0x00E9, 0x00C9, 0x0130, 0x0131, 0x01C5, 0x01C4, 0x1E9E, 0x212A, 0x212B,
        0x0300, 0x0301, 0x0302, 0x0303, 0x0308, 0x0316, 0x0323, 0x0327, 0x0328, 0x0345, 0x031B,
        0x0342, 0x0313, 0x0314, 0x05B0, 0x0651, 0x064B, 0x093C, 0x094D, 0x0E31,
        0x0391, 0x03A3, 0x03C2, 0x1F80, 0x1F8F, 0x0410, 0x0439, 0x0419, 0x0418, 0x0306,
        0x1100, 0x1161, 0x11A8, 0xAC00, 0xD55C, 0x1112, 0x1175,
        0xFF21, 0xFF41, 0xFF10, 0xFB01, 0xFB03, 0x2167, 0x00BD, 0x00B2, 0x2474, 0x2488,
        0x0644, 0x0627, 0xFEFB, 0x4E2D, 0x0928, 0x0915, 0x0B47, 0x0B3E, 0x0DD9, 0x0DCF,
        0x1D400, 0x1D41A, 0x10400, 0x1E900, 0xFDFA, 0x0587, 0x1F88,
    };
    const size_t np = sizeof pool / sizeof pool[0];
    unsigned seed = 12345;
    int bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        utf8proc_uint8_t word[512];
        size_t wl = 0;
        seed = seed * 1103515245u + 12345u;
        int len = 1 + (int)((seed >> 16) % 24);
        for (int j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            int32_t cp = pool[(seed >> 16) % np];
            wl += (size_t)utf8proc_encode_char(cp, word + wl);
        }
        word[wl] = 0;
        utf8proc_uint8_t *m = NULL;
        utf8proc_ssize_t ml = utf8proc_map(word, (utf8proc_ssize_t)wl, &m,
                                           UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                               UTF8PROC_CASEFOLD);
        ig_buf b = IG_BUF_INIT;
        size_t units = 0;
        int rc = tok_normalise_units((const char *)word, wl, &b, &units);
        int ok = rc == 0 && units == 1 && ml >= 0 && (size_t)ml == b.len &&
                 memcmp(m, b.data, b.len) == 0;
        if (!ok && bad++ < 5)
            fprintf(stderr, "  mismatch for \"%s\": utf8proc \"%s\", tokeniser \"%s\" (%zu units)\n",
                    (const char *)word, m ? (const char *)m : "", b.data ? b.data : "", units);
        CHECK(ok);
        free(m);
        ig_buf_free(&b);
    }
}

/* ---- tok_normalise_word --------------------------------------------------------- */

static void test_normalise_word(void)
{
    static const struct {
        const char *in, *want;
        size_t units;
    } cases[] = {
        {"Cooperation", "cooperation", 1},
        {"multi-stakeholder", "multistakeholder", 1},
        {"Multi\u2011Stakeholder", "multistakeholder", 1},
        {"multistakeholder", "multistakeholder", 1},
        {"Don\u2019t", "don't", 1},
        {"cafe\u0301", "caf\u00E9", 1},
        {"\uFF26\uFF35\uFF2C\uFF2C", "full", 1},
        {"  word  ", "word", 1},
        {"U.S.", "u s", 2},
        {"equal footing", "equal footing", 2},
        {"!!!", "", 0},
        {"", "", 0},
        {"co\u00ADoperation", "cooperation", 1},
        {"a\0b", "a b", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ig_buf b = IG_BUF_INIT;
        size_t units = 99;
        size_t n = i == sizeof cases / sizeof cases[0] - 1 ? 3 : strlen(cases[i].in);
        CHECK_EQ(tok_normalise_units(cases[i].in, n, &b, &units), 0);
        CHECK_STR(b.data ? b.data : "", cases[i].want);
        CHECK_EQ(units, cases[i].units);
        ig_buf_reset(&b);
        CHECK_EQ(tok_normalise_word(cases[i].in, n, &b), 0);
        CHECK_STR(b.data ? b.data : "", cases[i].want);
        ig_buf_free(&b);
    }
    ig_buf b = IG_BUF_INIT;
    CHECK_EQ(tok_normalise_word("ab\xFF", 3, &b), IG_EDATA);
    CHECK_EQ(b.len, 0);
    CHECK_EQ(tok_normalise_word("\xC0\xAE", 2, &b), IG_EDATA);
    CHECK_EQ(tok_normalise_word("\xED\xA0\x80", 3, &b), IG_EDATA);
    char *s = repeat("x", IG_MAX_TOKEN_BYTES + 1, "", "");
    CHECK_EQ(tok_normalise_word(s, strlen(s), &b), IG_ELIMIT);
    free(s);
    ig_buf_free(&b);
}

/* ---- input errors (R11) --------------------------------------------------------- */

static void test_errors(void)
{
    static const struct {
        const char *in;
        size_t n;
        int code;
        uint64_t line, col, byte;
        const char *msg;
    } cases[] = {
        {"ab\x80" "cd", 5, IG_EDATA, 1, 3, 2, "invalid UTF-8"},
        {"ok\nx\xC0\xAE", 6, IG_EDATA, 2, 2, 4, "invalid UTF-8"},
        {"ok \xED\xA0\x80", 6, IG_EDATA, 1, 4, 3, "invalid UTF-8"},
        {"ok \xF4\x90\x80\x80", 7, IG_EDATA, 1, 4, 3, "invalid UTF-8"},
        {"\xE2\x82", 2, IG_EDATA, 1, 1, 0, "invalid UTF-8"},
        {"caf\xC3", 4, IG_EDATA, 1, 4, 3, "invalid UTF-8"},
        {"a\0b", 3, IG_EDATA, 1, 2, 1, "binary data (NUL)"},
        {"a\r\n\r\n\xFF", 6, IG_EDATA, 3, 1, 5, "invalid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ig_err e;
        ig_err_clear(&e);
        const tok_token *k;
        int rc;
        tok_reset(tk, cases[i].in, cases[i].n, "bad.txt");
        while ((rc = tok_next(tk, &k, &e)) == 1)
            ;
        CHECK_EQ(rc, cases[i].code);
        CHECK_EQ(e.line, cases[i].line);
        CHECK_EQ(e.col, cases[i].col);
        CHECK_EQ(e.byte, cases[i].byte);
        CHECK(strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) == 0);
        CHECK_STR(e.stage, "tokenise");
        CHECK_STR(e.path, "bad.txt");
    }
    /* allow_nul: NUL is a space */
    tok_opts o;
    memset(&o, 0, sizeof o);
    o.allow_nul = 1;
    tok_stream *t = NULL;
    ig_err e;
    ig_err_clear(&e);
    CHECK_EQ(tok_open(&t, &o, &e), 0);
    if (t) {
        CHECK_STR(fields(t, "a\0b.\0c", 6, 'b'), "0-1 2-3 5-6");
        CHECK_STR(fields(t, "a\0b.\0c", 6, 's'), "1 1 2");
        tok_close(t);
    }
    /* tok_reset clears an error */
    CHECK_STR(render("fine again"), "W:fine@0 W:again@1");
}

/* ---- counters, reuse ---------------------------------------------------------------- */

static void test_counters(void)
{
    fld("", 'p');
    CHECK_EQ(tok_positions(tk), 0);
    CHECK_EQ(tok_sentences(tk), 0);
    CHECK_EQ(tok_paragraphs(tk), 0);
    fld("One non-state actor. Two.\n\nThree", 'p');
    CHECK_EQ(tok_positions(tk), 6);
    CHECK_EQ(tok_sentences(tk), 3);
    CHECK_EQ(tok_paragraphs(tk), 2);
    CHECK_EQ(tok_truncated(tk), 0);
    CHECK_STR(tok_kind_name(TOK_WORD), "word");
    CHECK_STR(tok_kind_name(TOK_PART), "part");
    CHECK_STR(tok_kind_name(TOK_JOINED), "joined");
    CHECK(tok_kind_name(7) == NULL);
    CHECK(strstr(tok_library_version(), "utf8proc ") != NULL);
    CHECK(strstr(tok_library_version(), "tokenise rules 2") != NULL);
}

/* ---- allocation failures ---------------------------------------------------------------- */

static void test_oom(void)
{
    const char *text = "Question 1: Multi\u2011Stakeholder caf\u00E9 \u00BD \uFDFA.\n\nQ2: end";
    char want[1024];
    snprintf(want, sizeof want, "%s", render(text));
    int succeeded = 0;
    for (uint64_t n = 1; n < 200 && !succeeded; n++) {
        for (int forever = 0; forever <= 1; forever++) {
            tok_stream *t = NULL;
            ig_err e;
            ig_err_clear(&e);
            ig_alloc_fail_at(n, forever);
            int rc = tok_open(&t, NULL, &e);
            char got[1024] = "";
            if (rc == 0) {
                const tok_token *k;
                size_t o = 0;
                tok_reset(t, text, strlen(text), "oom.txt");
                while ((rc = tok_next(t, &k, &e)) == 1)
                    o += (size_t)snprintf(got + o, sizeof got - o, "%s%.*s", o ? " " : "",
                                          (int)k->norm_len, k->norm);
            }
            ig_alloc_fail_at(0, 0);
            if (rc == 0 && !forever)
                succeeded = 1;
            CHECK(rc == 0 || rc == IG_ENOMEM);
            if (rc != 0 && rc != IG_ENOMEM)
                fprintf(stderr, "  oom at %llu%s: rc %d: %s\n", (unsigned long long)n,
                        forever ? "+" : "", rc, e.msg);
            if (rc == IG_ENOMEM)
                CHECK_EQ(e.code, IG_ENOMEM);
            tok_close(t);
        }
    }
    CHECK(succeeded);
    CHECK(strlen(want) > 0);
}

/* The fast path finds the end of an ASCII word 16 bytes at a time when 16
 * bytes remain, and byte by byte near the end of the text; both must give
 * the same token.  Words of 1..40 letters and digits, upper case at several
 * places (first, middle, last, at offsets 15, 16 and 17), each followed by
 * every kind of byte that can end or continue a word, near the end of the
 * text and far from it. */
static void test_vector_scan(void)
{
    static const char *const after[] = { "", " ", ".", ",", "\n", "!", ")", "'s", "-", "\xc3\xa9",
                                         ".5", "x." };
    const char *tail = " and then some more words";
    char word[64], text[256], want[64];
    unsigned bad = 0, runs = 0;
    for (size_t len = 1; len <= 40; len++)
        for (int upc = -1; upc < 6; upc++) {
            size_t up[] = { 0, len / 2, len - 1, 15, 16, 17 };
            for (size_t i = 0; i < len; i++)
                word[i] = (char)(i % 7 == 3 ? '0' + (int)(i % 10) : 'a' + (int)(i % 26));
            word[len] = '\0';
            if (upc >= 0 && up[upc] < len && word[up[upc]] >= 'a')
                word[up[upc]] = (char)(word[up[upc]] - 32);
            for (size_t a = 0; a < sizeof after / sizeof after[0]; a++)
                for (int far = 0; far < 2; far++) {
                    int n = snprintf(text, sizeof text, "  %s%s%s", word, after[a], far ? tail : "");
                    /* The reference: the word lower-cased, at offset 2. */
                    ig_err e;
                    ig_err_clear(&e);
                    const tok_token *k;
                    tok_reset(tk, text, (size_t)n, "t.txt");
                    int rc = tok_next(tk, &k, &e);
                    for (size_t i = 0; i <= len; i++)
                        want[i] = (char)(word[i] >= 'A' && word[i] <= 'Z' ? word[i] + 32 : word[i]);
                    runs++;
                    /* A word alone or before a separator is one token of
                     * exactly its bytes; before '-', "'s", a digit's
                     * decimal point or a letter it continues, the unit is
                     * longer or compound, and the fast path is not
                     * taken: only the start is checked then. */
                    int alone = a <= 6;
                    if (rc != 1 || k->start != 2 ||
                        (alone && (k->end != 2 + len || k->norm_len != len ||
                                   memcmp(k->norm, want, len) != 0))) {
                        if (++bad <= 3)
                            fprintf(stderr, "  vector scan: \"%s\" (far %d)\n", text, far);
                    }
                }
        }
    CHECK_EQ(bad, 0);
    CHECK(runs > 6000);
}

/* TOK_NORM_READ bytes from every token's norm can be read, whatever its
 * length (the index loads short words whole): each text sits in a heap
 * block of exactly its size, so under ASan a read past it would stop the
 * test.  Words of every kind end 0 to 20 bytes before the end of the
 * text: ASCII lower and upper case, accented, compounds (joined form and
 * parts), numbers with a decimal point. */
static void test_norm_read(void)
{
    static const char *const words[] = { "a", "ab", "Ab", "word", "WORDS", "caf\xc3\xa9",
                                         "multi-stakeholder", "3.5", "don't",
                                         "abcdefghijklmnop", "abcdefghijklmnopq" };
    unsigned bad = 0, tokens = 0;
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        for (size_t pad = 0; pad <= 20; pad++) {
            size_t wl = strlen(words[w]), n = 1 + wl + pad;
            char *text = malloc(n);
            if (text == NULL) {
                CHECK(!"out of memory");
                return;
            }
            text[0] = ' ';
            memcpy(text + 1, words[w], wl);
            memset(text + 1 + wl, ' ', pad);
            ig_err e;
            ig_err_clear(&e);
            const tok_token *k;
            tok_reset(tk, text, n, "t.txt");
            int rc;
            while ((rc = tok_next(tk, &k, &e)) == 1) {
                unsigned sum = 0;
                for (size_t i = 0; i < TOK_NORM_READ; i++)
                    sum += (unsigned char)k->norm[i];
                tokens++;
                bad += sum == 0; /* a norm is never empty */
            }
            bad += rc != 0;
            free(text);
        }
    CHECK_EQ(bad, 0);
    CHECK(tokens > 200);
}

/* ---- tok_next_plain ------------------------------------------------------ */

/* Every token of s[0..n) and the stream's end, one line each, written to
 * out: through tok_next alone (step 0), or with tok_next_plain runs of at
 * most 1..step words tried before every tok_next (the run length cycling),
 * counting the words the runs gave in *plain.  A plain word must carry
 * zeros after its norm. */
static unsigned plain_bad; /* runs longer than asked, or norms with a tail */

static void plain_trace(tok_stream *ts, const char *s, size_t n, size_t step, ig_buf *out,
                        size_t *plain)
{
    ig_err e;
    ig_err_clear(&e);
    ig_buf_reset(out);
    tok_reset(ts, s, n, "t.txt");
    char line[256];
    size_t turn = 0;
    int rc;
    for (;;) {
        if (step > 0) {
            tok_plain w[8];
            tok_plain_run run;
            size_t max = 1 + turn++ % step;
            size_t nw = tok_next_plain(ts, w, max, &run);
            int bad_tail = 0;
            for (size_t i = 0; i < nw; i++) {
                for (size_t j = w[i].len; j < 16; j++)
                    bad_tail |= w[i].norm[j] != 0;
                snprintf(line, sizeof line, "W %.*s %u-%u @%u+0 s%u p%u q%u l%llu t0\n",
                         (int)w[i].len, w[i].norm, w[i].start, w[i].start + w[i].len,
                         run.pos + (uint32_t)i, run.sentence, run.paragraph, run.section,
                         (unsigned long long)run.line);
                ig_buf_adds(out, line);
            }
            plain_bad += nw > max || bad_tail;
            *plain += nw;
            if (nw > 0)
                continue;
        }
        const tok_token *k;
        if ((rc = tok_next(ts, &k, &e)) != 1)
            break;
        snprintf(line, sizeof line, "%c %.*s %llu-%llu @%u+%u s%u p%u q%u l%llu t%u\n",
                 "WPJ"[k->kind], (int)k->norm_len, k->norm, (unsigned long long)k->start,
                 (unsigned long long)k->end, k->pos, k->span, k->sentence, k->paragraph,
                 k->section, (unsigned long long)k->line, k->truncated);
        ig_buf_adds(out, line);
    }
    snprintf(line, sizeof line, "end %d | %u %u %u | ", rc, tok_positions(tk),
             tok_sentences(tk), tok_paragraphs(tk));
    ig_buf_adds(out, line);
    ig_buf_adds(out, rc < 0 ? e.msg : "");
    ig_buf_adds(out, "\n");
}

/* tok_next_plain is a shortcut, never a different tokeniser: on crafted
 * texts and on random texts built from pieces that touch every rule (words
 * of 1 to 17 letters in both cases, digits with '.' and ',', compounds,
 * apostrophes, abbreviations, terminators, line breaks, blank lines,
 * headings, tabs, quotes, non-ASCII letters, transparent and separator
 * code points, NUL, texts ending inside and just after a word), the tokens
 * and counters come out the same however the two calls are mixed, and the
 * runs do hand out most words of ordinary prose. */
static void test_plain(void)
{
    static const char *const crafted[] = {
        "the quick brown fox, jumps over the lazy dog; again and again (and again) "
        "until the end of this rather long sentence",
        "First. Second sentence here, with words. Third one? Yes! e.g. this and "
        "U.S. policy, No. 5 and p. 12 of it",
        "multi-stakeholder and inter-governmental bodies don't say so; States' "
        "views vary 3.5 and 1,000 and v1.2 times",
        "line one has words\nline two has words\n\nnew paragraph has words\r\n"
        "CRLF line\rCR line goes on and on",
        "Question 5: what do you think about it all\nQ6: nothing much at all really\n"
        "text after the heading line goes here",
        "abcdefghijklmno abcdefghijklmnop abcdefghijklmnopq ABCDEFGHIJKLMNO Mixed "
        "CaSe WoRdS here and there",
        "caf\xc3\xa9 na\xc3\xafve co\xc2\xad" "operation ICANN\xe2\x80\x99s role "
        "in the words\xe2\x80\xa8separated by\xe2\x80\x8b" "zero width space",
        "tab\tseparated\twords\tand\vother\fcontrols \x01 here \x7f too and more",
        "ends right on a word",
        "ends with a space after it ",
        "",
        "   ",
        ".",
        "a",
    };
    ig_buf a = IG_BUF_INIT, b = IG_BUF_INIT;
    size_t plain = 0, total = 0, mismatches = 0;
    for (size_t i = 0; i < sizeof crafted / sizeof crafted[0]; i++)
        for (size_t step = 1; step <= 8; step++) {
            plain_trace(tk, crafted[i], strlen(crafted[i]), 0, &a, &total);
            plain_trace(tk, crafted[i], strlen(crafted[i]), step, &b, &plain);
            if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
                if (mismatches++ == 0)
                    fprintf(stderr, "tok_next_plain differs on crafted text %zu, step %zu:\n"
                                    "%s---\n%s", i, step, a.data, b.data);
            }
        }
    CHECK_EQ(mismatches, 0);
    CHECK(plain > 100);
    static const char *const pieces[] = {
        "a", "to", "the", "word", "Words", "States", "policy", "governance", "Stakeholders",
        "abcdefghijklmn", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq",
        "INTERGOVERNMENTAL", "x9", "2005", "3.5", "1,000", "3.", "v1.2", "multi-stakeholder",
        "inter-governmental", "don't", "States'", "ICANN\xe2\x80\x99s", "e.g.", "U.S.", "No. 5",
        "etc.", "caf\xc3\xa9", "\xc3\x89tat", "co\xc2\xad" "op", " ", " ", " ", " ", "  ",
        ", ", "; ", ": ", ". ", "! ", "? ", "...", " - ", " -- ", "\"", "(", ")", "'", "\t",
        "\n", "\n\n", "\r\n", "\r", "\nQuestion 3: ", "\nQ4. ", "\xe2\x80\x94", "\xe2\x80\xa9",
        "\xe2\x80\x8b", "\xc2\xa0", "#", "_", "\x01", "\0", "\nPart 7 ", "\nsection 2. ",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    };
    size_t np = sizeof pieces / sizeof pieces[0];
    tok_opts oo;
    memset(&oo, 0, sizeof oo);
    oo.allow_nul = 1;
    oo.truncate_long = 1;
    oo.section_pattern = "^(?:part|section)\\s+(\\d+)";
    tok_stream *other = NULL;
    ig_err oe;
    ig_err_clear(&oe);
    CHECK(tok_open(&other, &oo, &oe) == 0);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char text[4096];
    for (int r = 0; r < 3000; r++) {
        size_t n = 0;
        int pieces_n = 1 + (int)(x % 200);
        for (int j = 0; j < pieces_n; j++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            /* mostly ordinary words and spaces, so that runs form */
            size_t k = (x >> 33) % 4 ? (x >> 40) % 9 + ((x >> 50) & 1 ? 0 : 33)
                                     : (x >> 40) % np;
            size_t len = pieces[k][0] == '\0' ? 1 : strlen(pieces[k]);
            if (n + len >= sizeof text)
                break;
            memcpy(text + n, pieces[k], len);
            n += len;
        }
        size_t step = 1 + (size_t)r % 8;
        /* every other text through a stream with the other options: NUL
         * as a space (the texts hold NULs), another heading pattern (they
         * hold "Part 7" and "section 2." lines), truncate mode */
        tok_stream *ts = r % 2 && other != NULL ? other : tk;
        plain_trace(ts, text, n, 0, &a, &total);
        plain_trace(ts, text, n, step, &b, &plain);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
            if (mismatches++ == 0)
                fprintf(stderr, "tok_next_plain differs on random text %d, step %zu:\n"
                                "%s---\n%s", r, step, a.data, b.data);
        }
    }
    tok_close(other);
    CHECK_EQ(mismatches, 0);
    CHECK_EQ(plain_bad, 0);
    /* ordinary prose: most words through the runs */
    const char *prose = crafted[0];
    size_t words = 0;
    plain = 0;
    plain_trace(tk, prose, strlen(prose), 8, &b, &plain);
    for (size_t i = 0; i < b.len; i++)
        words += b.data[i] == '\n';
    CHECK(plain + 3 >= words - 1);
    ig_buf_free(&a);
    ig_buf_free(&b);
}

int main(void)
{
    ig_err e;
    ig_err_clear(&e);
    if (tok_open(&tk, NULL, &e) != 0) {
        fprintf(stderr, "tok_open failed: %s\n", e.msg);
        CHECK(0);
        return harness_done();
    }
    RUN(test_sequences);
    RUN(test_ranges);
    RUN(test_sentences);
    RUN(test_paragraphs);
    RUN(test_sections);
    RUN(test_line_endings);
    RUN(test_bom);
    RUN(test_long_tokens);
    RUN(test_zalgo);
    RUN(test_utf8proc_agreement);
    RUN(test_normalise_word);
    RUN(test_errors);
    RUN(test_counters);
    RUN(test_oom);
    RUN(test_vector_scan);
    RUN(test_norm_read);
    RUN(test_plain);
    tok_close(tk);
    return harness_done();
}

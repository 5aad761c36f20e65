/*
 * tokenise_abbr.c: the abbreviations after which a full stop does not end a
 * sentence (rule R9 of tokenise.c), and their look-up (tokenise_abbr.h).
 *
 * Pipeline place: inside the tokeniser, at every '.' after a word; its
 * entries are part of the tokeniser rules, so changing one changes
 * TOK_RULES_VERSION (tokenise.h).
 */
#include "tokenise_abbr.h"

#include <stdint.h>
#include <string.h>

/* Length of the longest entry of abbrevs[] ("approx": 6), computed by
 * tok_abbr_init. */
static size_t abbr_max_len;

static const struct {
    const char *w;
    int kind;
} abbrevs[] = {
    {"e.g", ABBR_ALWAYS}, {"i.e", ABBR_ALWAYS}, {"cf", ABBR_ALWAYS}, {"vs", ABBR_ALWAYS},
    {"viz", ABBR_ALWAYS}, {"al", ABBR_ALWAYS}, {"para", ABBR_ALWAYS}, {"paras", ABBR_ALWAYS},
    {"art", ABBR_ALWAYS}, {"arts", ABBR_ALWAYS}, {"p", ABBR_ALWAYS}, {"pp", ABBR_ALWAYS},
    {"vol", ABBR_ALWAYS}, {"vols", ABBR_ALWAYS}, {"mr", ABBR_ALWAYS}, {"mrs", ABBR_ALWAYS},
    {"ms", ABBR_ALWAYS}, {"dr", ABBR_ALWAYS}, {"prof", ABBR_ALWAYS}, {"st", ABBR_ALWAYS},
    {"fig", ABBR_ALWAYS}, {"figs", ABBR_ALWAYS}, {"u.s", ABBR_ALWAYS}, {"u.s.a", ABBR_ALWAYS},
    {"u.k", ABBR_ALWAYS}, {"u.n", ABBR_ALWAYS}, {"e.u", ABBR_ALWAYS}, {"inc", ABBR_ALWAYS},
    {"ltd", ABBR_ALWAYS}, {"co", ABBR_ALWAYS}, {"jr", ABBR_ALWAYS}, {"sr", ABBR_ALWAYS},
    {"approx", ABBR_ALWAYS}, {"dept", ABBR_ALWAYS}, {"gov", ABBR_ALWAYS}, {"res", ABBR_ALWAYS},
    {"doc", ABBR_ALWAYS}, {"sec", ABBR_ALWAYS}, {"ch", ABBR_ALWAYS}, {"rev", ABBR_ALWAYS},
    {"ed", ABBR_ALWAYS}, {"eds", ABBR_ALWAYS}, {"jan", ABBR_ALWAYS}, {"feb", ABBR_ALWAYS},
    {"mar", ABBR_ALWAYS}, {"apr", ABBR_ALWAYS}, {"jun", ABBR_ALWAYS}, {"jul", ABBR_ALWAYS},
    {"aug", ABBR_ALWAYS}, {"sep", ABBR_ALWAYS}, {"sept", ABBR_ALWAYS}, {"oct", ABBR_ALWAYS},
    {"nov", ABBR_ALWAYS}, {"dec", ABBR_ALWAYS}, {"etc", ABBR_ETC}, {"no", ABBR_NO},
    {"nos", ABBR_NO},
};

#define NABBR (sizeof abbrevs / sizeof abbrevs[0])
/* Each entry's bytes packed into a word, zero-padded, with its length in
 * the top byte, in a hash table of ABBR_SLOTS (a key is never 0): the
 * look-up compares a word or two, not strings, and not every entry (it
 * runs at every full stop after a short word).  Entries have at most 7
 * bytes; test_tokenise finds every one of them. */
#define ABBR_SLOTS 128
_Static_assert(NABBR * 2 <= ABBR_SLOTS, "the abbreviation table at most half full");
static uint64_t abbr_key[ABBR_SLOTS];
static unsigned char abbr_kind_of[ABBR_SLOTS];

static size_t abbr_slot(uint64_t k)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 57);
}

static uint64_t abbr_pack(const char *w, size_t len)
{
    uint64_t k = (uint64_t)len << 56;
    for (size_t i = 0; i < len; i++)
        k |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return k;
}

void tok_abbr_init(void)
{
    for (size_t i = 0; i < NABBR; i++) {
        size_t len = strlen(abbrevs[i].w);
        if (len > abbr_max_len)
            abbr_max_len = len;
        uint64_t k = abbr_pack(abbrevs[i].w, len);
        size_t h = abbr_slot(k);
        while (abbr_key[h] != 0)
            h = (h + 1) % ABBR_SLOTS;
        abbr_key[h] = k;
        abbr_kind_of[h] = (unsigned char)abbrevs[i].kind;
    }
}

int tok_abbrev_kind(const unsigned char *s, size_t q)
{
    size_t b = q, letters = 0;
    while (b > 0 && q - b < 16) {
        unsigned c = s[b - 1];
        if (c == '.') {
            b--;
        } else if ((c | 32) >= 'a' && (c | 32) <= 'z') {
            /* More letters than any entry has: no abbreviation, whatever
             * comes before (most full stops end a longer word). */
            if (++letters > abbr_max_len)
                return ABBR_NONE;
            b--;
        } else {
            break;
        }
    }
    if (b > 0) {
        unsigned c = s[b - 1];
        if (c >= 0x80 || c == '.' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'))
            return ABBR_NONE;
    }
    while (b < q && s[b] == '.')
        b++;
    size_t len = q - b;
    char w[16];
    /* No abbreviation is longer (this runs at every full stop). */
    if (len == 0 || len > abbr_max_len)
        return ABBR_NONE;
    if (len == 1 && s[b] >= 'A' && s[b] <= 'Z')
        return ABBR_ALWAYS;
    for (size_t i = 0; i < len; i++)
        w[i] = (char)(s[b + i] >= 'A' && s[b + i] <= 'Z' ? s[b + i] + 32 : s[b + i]);
    uint64_t k = abbr_pack(w, len);
    for (size_t h = abbr_slot(k); abbr_key[h] != 0; h = (h + 1) % ABBR_SLOTS)
        if (abbr_key[h] == k)
            return abbr_kind_of[h];
    return ABBR_NONE;
}

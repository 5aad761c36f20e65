/*
 * tokenise_abbr.h: the abbreviation rule of the tokeniser (R9 in
 * tokenise.c), internal to tokenise.c: which run of letters and dots
 * before a '.' is an abbreviation, and of which kind.
 */
#ifndef IG_TOKENISE_ABBR_H
#define IG_TOKENISE_ABBR_H

#include <stddef.h>

/* Kinds: not an abbreviation (the sentence ends), always one (it does
 * not), "etc" (it ends before a word that does not start lower-case) and
 * "no"/"nos" (it ends unless a number follows). */
enum { ABBR_NONE = 0, ABBR_ALWAYS, ABBR_ETC, ABBR_NO };

/* Build the look-up table; once per process, before tok_abbrev_kind (the
 * tokeniser's pthread_once table set-up calls it). */
void tok_abbr_init(void);
/* The kind of the letters and dots right before the '.' at s[q], read
 * back at most 16 bytes from q. */
int tok_abbrev_kind(const unsigned char *s, size_t q);

#endif

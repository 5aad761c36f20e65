/*
 * stem.h: normalised word -> stem, with Snowball's libstemmer, cached.
 *
 * Pipeline place: after tokenise; the index stems each distinct word form
 * once per language (not each occurrence), and patterns are stemmed the same
 * way.  The algorithm follows the document's ISO 639-1 `language` code; the
 * supported codes are those whose Snowball algorithm Debian's libstemmer
 * ships (stem_languages()).  Input must be NFKC-normalised and case-folded
 * (the tokeniser's output): libstemmer's precondition.  Words longer than
 * IG_MAX_TOKEN_BYTES never reach libstemmer (its size is an int).
 *
 * Ownership: a stem_cache owns its libstemmer handle and every stem string it
 * returns; stems stay valid until stem_close().  Not thread-safe: one cache
 * per thread.
 */
#ifndef IG_STEM_H
#define IG_STEM_H

#include <stddef.h>

#include "err.h"

typedef struct stem_cache stem_cache;

/* Open a cache for ISO 639-1 code `lang` (e.g. "en").  An unsupported code
 * is IG_EUSAGE (IG_EDATA when the code came from a manifest: the caller
 * decides by the stage it passes) with a message listing the supported codes. */
int stem_open(stem_cache **s, const char *lang, ig_err *e);
/* Stem word[0..n).  *out points to the stem (NUL-terminated, owned by the
 * cache) and *outlen is its length.  Returns 0 or IG_ENOMEM. */
int stem_word(stem_cache *s, const char *word, size_t n, const char **out, size_t *outlen);
void stem_close(stem_cache *s);

/* 1 if lang is a supported ISO 639-1 code. */
int stem_lang_supported(const char *lang);
/* Snowball algorithm name for a supported code ("english"), else NULL. */
const char *stem_algorithm(const char *lang);
/* Comma-separated supported codes, e.g. "ar, da, de, ...", static storage. */
const char *stem_languages(void);
/* libstemmer's identity for the index fingerprint (e.g. "libstemmer 2.2.0"). */
const char *stem_library_version(void);

#endif

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
 * Codes and algorithms (each only if present in the linked libstemmer; Debian
 * 12 has all but et): ar arabic, ca catalan, da danish, de german, el greek,
 * en english (Snowball's Porter2, not the original "porter"), es spanish,
 * et estonian, eu basque, fi finnish, fr french, ga irish, hi hindi,
 * hu hungarian, hy armenian, id indonesian, it italian, lt lithuanian,
 * nb and no norwegian, ne nepali, nl dutch, pt portuguese, ro romanian,
 * ru russian, sr serbian, sv swedish, ta tamil, tr turkish, yi yiddish.
 * Codes are matched exactly (lower case, no region: "en", not "EN" or
 * "en-GB").
 *
 * Ownership: a stem_cache owns its libstemmer handle and every stem string it
 * returns; stems stay valid until stem_close().  Not thread-safe: one cache
 * per thread.  The functions without a cache argument are thread-safe.
 */
#ifndef IG_STEM_H
#define IG_STEM_H

#include <stddef.h>

#include "err.h"

typedef struct stem_cache stem_cache;

/* Open a cache for ISO 639-1 code `lang` (e.g. "en").  An unsupported code
 * is IG_EUSAGE, stage "stem", with a message listing the supported codes:
 * `unsupported language "xx" (supported: ar, ca, da, ...)`.  A caller for
 * which the code is data (a manifest row) checks stem_lang_supported() first
 * and reports IG_EDATA with its own location.  IG_ENOMEM.  On error *s is
 * NULL. */
int stem_open(stem_cache **s, const char *lang, ig_err *e);
/* Stem word[0..n).  *out points to the stem (NUL-terminated, owned by the
 * cache) and *outlen is its length.  The first call for a word form calls
 * libstemmer and remembers the result; later calls for the same bytes return
 * the very same pointer.  A word longer than IG_MAX_TOKEN_BYTES is its own
 * stem (never passed to libstemmer).  Memory grows with the number of
 * distinct words (their bytes plus about 64 bytes each) until stem_close().
 * Returns 0 or IG_ENOMEM (the cache is unchanged then). */
int stem_word(stem_cache *s, const char *word, size_t n, const char **out, size_t *outlen);
/* Stem word[0..n) without remembering it, for a caller that asks for each
 * word form once (the index writer stems every new term as it meets it,
 * where a cache would only hold a copy of the vocabulary).  *out is valid
 * until the next call on s (it may point into word itself); the same
 * length rule as stem_word().  Returns 0 or IG_ENOMEM. */
int stem_word_once(stem_cache *s, const char *word, size_t n, const char **out, size_t *outlen);
/* Free the cache and every stem it returned.  NULL is accepted. */
void stem_close(stem_cache *s);

/* 1 if lang is a supported ISO 639-1 code. */
int stem_lang_supported(const char *lang);
/* Snowball algorithm name for a supported code ("english"), else NULL. */
const char *stem_algorithm(const char *lang);
/* Comma-separated supported codes in code order, e.g. "ar, ca, da, de, ...",
 * static storage. */
const char *stem_languages(void);
/* libstemmer's identity for the index fingerprint, static storage.
 * libstemmer has no version call, so this is "libstemmer0d (snowball);
 * algorithms arabic catalan ...; probe 0123456789abcdef": the algorithms
 * present and a digest of the stems each gives for a fixed list of probe
 * words, so any change in stemming behaviour changes the string.  A build
 * may add the package version with -DIG_LIBSTEMMER_VERSION='"2.2.0-2"'. */
const char *stem_library_version(void);

#endif

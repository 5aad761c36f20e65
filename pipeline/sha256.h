/*
 * sha256.h: SHA-256 (FIPS 180-4), for the per-document fingerprints in
 * documents.csv and the input hashes in provenance.json.
 *
 * Pipeline place: fed the bytes of each document as read (input.c output),
 * and any file whose identity a table records.  Written from the FIPS 180-4
 * text (sections 4.1.2, 4.2.2, 5.1.1, 5.3.3, 6.2); tested against its
 * example vectors in tests/unit/test_sha256.c.
 *
 * Usage: ig_sha256 c; ig_sha256_init(&c); ig_sha256_update(&c, p, n)...;
 * ig_sha256_final(&c, digest).  Any number of updates of any sizes give the
 * same digest as one update of the concatenation.
 *
 * Ownership: the context is a plain struct owned by the caller (no
 * allocation, nothing to free).  Functions never fail.  Messages up to
 * 2^61 - 1 bytes (the standard's 2^64-bit limit).  A context is not shared
 * between threads; separate contexts are independent.
 */
#ifndef IG_SHA256_H
#define IG_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct ig_sha256 {
    uint32_t h[8];            /* intermediate hash value H(i) */
    uint64_t nbytes;          /* message bytes hashed so far */
    unsigned char block[64];  /* a partial 512-bit block waiting for more bytes */
    size_t used;              /* bytes in block (0..63) */
} ig_sha256;

/* Start a new message (H(0) of section 5.3.3). */
void ig_sha256_init(ig_sha256 *c);
/* Add n bytes of p to the message; n may be 0 (p may then be NULL). */
void ig_sha256_update(ig_sha256 *c, const void *p, size_t n);
/* Pad (section 5.1.1), finish, and write the 32-byte digest.  The context
 * must be re-initialised before it is used again. */
void ig_sha256_final(ig_sha256 *c, unsigned char digest[32]);
/* digest as 64 lower-case hex digits plus a NUL in out. */
void ig_sha256_hex(const unsigned char digest[32], char out[65]);
/* One-shot convenience: digest of p[0..n). */
void ig_sha256_buf(const void *p, size_t n, unsigned char digest[32]);

#endif

/*
 * deflate.h: a fast deflate encoder (RFC 1951), with the zlib wrapper of
 * RFC 1950, for the document texts stored in the index.
 *
 * Pipeline place: `igmap index` keeps every document's text compressed in
 * the index (stages/index_write.c) so that context lines work without the
 * corpus.  zlib's own encoder, even at level 1, was the largest single cost
 * of indexing (about 40% of the CPU time), so texts are encoded here and
 * decoded by zlib's inflate, which reads any valid deflate stream.  Written
 * from RFC 1951 and RFC 1950; tests/unit/test_deflate.c checks every output
 * by inflating it with zlib.
 *
 * What it does, at level IG_DEFLATE_FAST: greedy LZ77 over a 32 KiB window
 * (one hash probe of each 5-byte sequence, matches of 5..258 bytes), then
 * per block of at most IG_DEFLATE_BLOCK_SYMS symbols the smallest of a
 * dynamic Huffman block (BTYPE 2: length-limited canonical codes built from
 * that block's symbol counts), a fixed Huffman block (BTYPE 1) or stored
 * blocks (BTYPE 0).  At IG_DEFLATE_HUFFMAN: no LZ77, only the Huffman
 * coding of each block's bytes; a block of at least 1 KiB that ordinary
 * English prose codes (fixed, built once) take at most 5 bits a byte to
 * code is coded with those, without a histogram or code construction of
 * its own (a dynamic block all the same, so any inflater reads it).
 * Measured on the bench's generated policy prose, one core (documents of
 * about 14 kB): FAST about 190 MB/s storing 40% of the input, HUFFMAN about
 * 900 MB/s storing 58% (about 620 MB/s and 57% with a histogram and codes
 * per block, as before the prose codes); zlib's deflate at level 1,
 * 73 MB/s and 46%.  Incompressible input grows by at most a few
 * bytes per 16 KiB.  The output is a deterministic function of the level
 * and the input bytes alone (not of earlier calls, the thread or, on
 * little-endian hosts, the host).
 *
 * Ownership: an ig_deflate is a per-thread encoder (its hash table and
 * symbol buffer, about 200 KiB), created with ig_deflate_new() and freed
 * with ig_deflate_free() (NULL is fine); it may be reused for any number of
 * inputs.  The caller owns both buffers of a call; nothing is retained.
 * Not thread-safe: one encoder per thread.
 */
#ifndef IG_DEFLATE_H
#define IG_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* Most symbols (literals and matches) per compressed block: each block
 * carries its own Huffman codes, so blocks adapt to changing text, while
 * a block's header (about 60-90 bytes) is spread over enough symbols. */
#define IG_DEFLATE_BLOCK_SYMS 16384

typedef struct ig_deflate ig_deflate;

/* A new encoder in *d.  Returns 0 or IG_ENOMEM (*d is then NULL). */
int ig_deflate_new(ig_deflate **d);
void ig_deflate_free(ig_deflate *d);

/* Bytes of output room a call needs for n input bytes, whatever they are
 * (a little more than the stored size, plus 8 bytes of slack that the bit
 * writer may touch past the end of the stream).  SIZE_MAX when n is so
 * large that the bound overflows. */
size_t ig_deflate_bound(size_t n);

/* Levels. */
#define IG_DEFLATE_HUFFMAN 0    /* Huffman coding only: fastest */
#define IG_DEFLATE_FAST 1       /* greedy LZ77, then Huffman coding */

/* Compress src[0..n) at level (IG_DEFLATE_HUFFMAN or IG_DEFLATE_FAST; any
 * other value means FAST) into dst, which has room for ig_deflate_bound(n)
 * bytes, as one complete raw deflate stream (RFC 1951; the last block has
 * BFINAL set).  Returns the length of the stream.  Never fails; n may be 0
 * (src may then be NULL). */
size_t ig_deflate_raw(ig_deflate *d, int level, const void *src, size_t n, void *dst);

/* The same, wrapped as a zlib stream (RFC 1950): header 78 01 (deflate,
 * 32 KiB window), the raw stream, then the Adler-32 of src big-endian.
 * zlib's inflate() (inflateInit) reads it back to exactly src. */
size_t ig_deflate_zlib(ig_deflate *d, int level, const void *src, size_t n, void *dst);

/* ig_deflate_zlib, also adding src[0..n) to the SHA-256 message of sha
 * (sha256.h): the same bytes out, the same digest as ig_sha256_update(sha,
 * src, n).  Both are chains of dependent steps (a literal's bit count
 * waits on the last; a SHA round on the last), so the prose coding hashes
 * each 64 bytes it codes, and the processor runs the two chains side by
 * side. */
size_t ig_deflate_zlib_sha(ig_deflate *d, int level, const void *src, size_t n, void *dst,
                           ig_sha256 *sha);

/* Blocks this encoder has coded with the prose codes so far (tests and
 * diagnostics). */
uint64_t ig_deflate_prose_blocks(const ig_deflate *d);

/* For tests only: match inputs in chunks of chunk bytes (normally 2^30;
 * 0 leaves it) and, when base > 32769, restart the position numbering at
 * base (clearing the table), so that tests reach the chunk boundary and
 * the renumbering at 2^32 with small inputs.  Output stays valid deflate
 * whatever the values, but can differ from the normal settings'. */
void ig_deflate_test_limits(ig_deflate *d, size_t chunk, uint32_t base);

#endif

/*
 * inflate.h: a fast decoder for the zlib streams (RFC 1950 around RFC 1951)
 * that hold the document texts of the index, for the readers that inflate
 * every text (classify's contexts and quote rule).
 *
 * Pipeline place: idx_doc_text (stages/index.c) tries it first and falls
 * back to zlib's inflate whenever it declines (idx_doc_texts decodes several
 * texts at once with ig_inflate_zlibn and leaves any decline to it), so zlib stays the judge of
 * every damaged stream and of its error message.  Why it exists: on the
 * 1 GB bench index, zlib's inflate was about 30% of classify's CPU time;
 * texts are mostly Huffman-only blocks (deflate.h, IG_DEFLATE_HUFFMAN),
 * whose literals this decoder takes two at a time from one table look-up.
 * Written from RFC 1950 and RFC 1951; tests/unit/test_deflate.c checks it
 * against zlib on valid streams of both encoders and on damaged ones.
 *
 * Ownership: nothing is allocated; each thread keeps one set of decoding
 * tables (about 60 KiB, thread-local) from call to call, so that a text
 * whose codes are those of the one before (all ordinary prose: deflate.c's
 * "prose codes") skips building them.  Thread-safe.
 */
#ifndef IG_INFLATE_H
#define IG_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Decode the zlib stream src[0..n) into dst[0..want).  Returns 0 only when
 * the stream is complete and well formed exactly as zlib's inflate()
 * (inflateInit, one call) would find it: header 78 xx without a preset
 * dictionary, every block valid, output exactly want bytes, the Adler-32
 * trailer right, and the stream ending exactly at n.  dst then holds the
 * text.  Returns -1 otherwise (including streams zlib would accept but this
 * decoder does not handle, such as a header with a smaller window): the
 * caller must then decode with zlib, which gives the verdict; dst[0..want)
 * may have been written. */
int ig_inflate_zlib(const void *src, size_t n, void *dst, size_t want);

/* Several streams: job[i].rc gets what ig_inflate_zlib(job[i].src,
 * job[i].n, job[i].dst, job[i].want) would return, and dst the same bytes.
 * Faster than one call each when the texts use the same codes (ordinary
 * prose): two streams are decoded side by side, so that the two decodings
 * overlap in the processor.  The output buffers must not overlap. */
typedef struct ig_inflate_job {
    const void *src;       /* the zlib stream, n bytes */
    size_t n;
    void *dst;             /* room for want bytes */
    size_t want;
    int rc;                /* out: 0 or -1, as ig_inflate_zlib */
} ig_inflate_job;
void ig_inflate_zlibn(ig_inflate_job *job, size_t n);

/* The Adler-32 of buf[0..n), continuing from adler (1 to start): zlib's
 * adler32() values.  The encoder's trailer (deflate.c) uses it too. */
uint32_t ig_adler32(uint32_t adler, const void *buf, size_t n);

#endif

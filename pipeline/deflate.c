/*
 * deflate.c: the fast deflate encoder of deflate.h (RFC 1951 and 1950).
 *
 * Pipeline place: called by idx_prep_doc (stages/index_write.c) on every
 * document text, on the worker threads of `igmap index`; the reader inflates
 * with zlib.  Written from the RFCs; see deflate.h for what it does.
 *
 * Shape of a call at IG_DEFLATE_FAST.  The LZ77 pass walks the input once,
 * keeping in a hash table the last position of each 5-byte sequence
 * (hashed); at each position the one candidate found there is checked and,
 * if it really matches and is within 32 KiB, the match is extended (8 bytes
 * at a time) and taken at once (greedy: no lazy evaluation, which would cost
 * more time than the few percent of size it saves).  Literals and matches
 * go to a symbol buffer while their Huffman symbols are counted; when the
 * buffer is full or the input ends, the block is written in the cheapest of
 * its three forms, costed exactly in bits beforehand.  IG_DEFLATE_HUFFMAN
 * skips the LZ77 pass: a block of prose is coded with codes built once
 * from the byte frequencies of English prose ("the prose codes") when they
 * cost at most PROSE_MAX_BITS a byte (the block is coded with them and
 * undone if they cost more, which spares a pass to cost them first); any
 * other block gets a histogram of its bytes and the cheapest form.
 *
 * The hash table is never cleared between calls: it stores positions offset
 * by a base that grows by each input's length plus a window, so entries of
 * earlier inputs are more than a window away and ignored.  Output therefore
 * depends on the current input only.
 */
#include "deflate.h"

#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "inflate.h"
#include "rfc1951.h"

#define HASH_BITS 15
#define HASH_SIZE ((size_t)1 << HASH_BITS)
/* Bytes hashed, and so the shortest match: on prose, 5 finds fewer but
 * longer matches than 4, for a smaller output at the same speed. */
#define HASH_LEN 5
#define WINDOW 32768u
#define MAX_MATCH 258
/* Inputs are matched in chunks of at most this many bytes, so that
 * base + position always fits in 32 bits; a match never refers back across
 * a chunk start.  When base passes BASE_LIMIT the table is cleared. */
#define CHUNK ((size_t)1 << 30)
#define BASE_LIMIT (UINT32_MAX - (uint32_t)CHUNK - 2u * WINDOW - 2u)
/* Bytes per block at IG_DEFLATE_HUFFMAN (one stored piece at most). */
#define HUFF_BLOCK ((size_t)65535)

#define NLITLEN 286        /* literal/length symbols that may occur (0..285) */
#define NDIST 30           /* distance symbols that may occur (0..29) */
#define NCL 19             /* code length code symbols */
#define MAXBITS 15         /* longest literal/length and distance code */
#define MAXCLBITS 7        /* longest code length code */

struct ig_deflate {
    uint64_t prose_blocks;          /* blocks coded with the prose codes */
    ig_sha256 *sha;                 /* ig_deflate_zlib_sha's, else NULL */
    const unsigned char *sha_next;  /* the first byte it has not hashed */
    uint32_t *head;                 /* hash of HASH_LEN bytes -> base + position */
    uint32_t base;                  /* offset of the current chunk's positions */
    size_t chunk;                   /* CHUNK (smaller in tests) */
    uint32_t *sym;                  /* the block's symbols (see send_symbols) */
    size_t nsym;
    uint32_t lfreq[NLITLEN + 2];    /* the block's symbol counts */
    uint32_t dfreq[NDIST + 2];
    uint8_t llen[NLITLEN + 2];      /* code lengths chosen for the block */
    uint8_t dlen[NDIST + 2];
    uint16_t lcode[NLITLEN + 2];    /* canonical codes, bit-reversed */
    uint16_t dcode[NDIST + 2];
    /* Bit writer.  Codes go in LSB first; whole bytes are stored 8 at a
     * time, so the buffer must have 8 bytes of room past the stream. */
    unsigned char *out;
    uint64_t bits;
    unsigned nbits;
    int lits_only;                  /* the block is src[from..to) as literals */
};

/* ---- constant tables (RFC 1951 section 3.2.5) ---------------------------- */

/* len_base, len_extra, dist_extra, cl_order: rfc1951.h.  (Distance
 * bases need no table here: see dist_code.) */

/* Length 3..258 -> its symbol minus 257, and bytes bit-reversed.  Filled
 * once (pthread_once) from the tables above. */
static uint8_t len_sym[MAX_MATCH + 1];
static uint8_t rev8[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void prose_fill(void);

static void tables_fill(void)
{
    /* 227..257 use symbol 284; 258 has its own, 285. */
    for (unsigned s = 0; s < 29; s++) {
        unsigned hi = s + 1 < 29 ? len_base[s + 1] : MAX_MATCH + 1;
        for (unsigned l = len_base[s]; l < hi; l++)
            len_sym[l] = (uint8_t)s;
    }
    for (unsigned i = 0; i < 256; i++) {
        unsigned r = 0;
        for (unsigned b = 0; b < 8; b++)
            if (i & (1u << b))
                r |= 0x80u >> b;
        rev8[i] = (uint8_t)r;
    }
    prose_fill();
}

/* ---- life cycle ------------------------------------------------------- */

int ig_deflate_new(ig_deflate **dp)
{
    *dp = NULL;
    pthread_once(&tables_once, tables_fill);
    ig_deflate *d = ig_calloc(1, sizeof *d);
    if (d == NULL)
        return IG_ENOMEM;
    d->head = ig_calloc(HASH_SIZE, sizeof *d->head);
    d->sym = ig_malloc(IG_DEFLATE_BLOCK_SYMS * sizeof *d->sym);
    if (d->head == NULL || d->sym == NULL) {
        ig_deflate_free(d);
        return IG_ENOMEM;
    }
    /* Empty slots (0) and entries of earlier inputs then always lie
     * more than a window below the current positions (so an entry that
     * passes the window test is of the current chunk: cand >= base). */
    d->base = WINDOW + 2;
    d->chunk = CHUNK;
    *dp = d;
    return IG_OK;
}

void ig_deflate_free(ig_deflate *d)
{
    if (d == NULL)
        return;
    ig_free(d->head);
    ig_free(d->sym);
    ig_free(d);
}

size_t ig_deflate_bound(size_t n)
{
    /* Every block but the last covers at least IG_DEFLATE_BLOCK_SYMS input
     * bytes and costs at most its stored form: per stored piece of up to
     * 65535 bytes, 2 bytes of header and padding and 4 of LEN/NLEN.  Then
     * the zlib header and trailer and the bit writer's 8 bytes of slack. */
    size_t pieces = n / IG_DEFLATE_BLOCK_SYMS + n / 65535 + 2;
    if (n > SIZE_MAX / 2 || pieces > (SIZE_MAX / 2 - n) / 8)
        return SIZE_MAX;
    return n + 6 * pieces + 2 + 4 + 8 + 8;
}

/* ---- bit writer ----------------------------------------------------------- */

static inline void store64le(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
#endif
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Append n bits (n <= 56 - nbits, which holds after every flush for any
 * two codes with their extra bits: 7 + 20 + 28 = 55). */
static inline void put(ig_deflate *d, uint64_t v, unsigned n)
{
    d->bits |= v << d->nbits;
    d->nbits += n;
}

/* Move whole bytes out, leaving at most 7 bits. */
static inline void flush(ig_deflate *d)
{
    store64le(d->out, d->bits);
    unsigned k = d->nbits >> 3;
    d->out += k;
    d->bits = k == 8 ? 0 : d->bits >> (k * 8);
    d->nbits &= 7;
}

/* flush() for the hot loops, which keep the writer's state in locals out,
 * bits and nb (through the struct, every store would reload it); they
 * flush before 64 bits are pending, so the shift stays below 64. */
#define FLUSH_LOCAL()                                                                            \
    do {                                                                                         \
        store64le(out, bits);                                                                    \
        out += nb >> 3;                                                                          \
        bits >>= nb & ~7u;                                                                       \
        nb &= 7;                                                                                 \
    } while (0)

/* Pad to a byte boundary (for stored blocks and the end of the stream). */
static inline void align(ig_deflate *d)
{
    flush(d);
    if (d->nbits) {
        *d->out++ = (unsigned char)d->bits;
        d->bits = 0;
        d->nbits = 0;
    }
}

/* ---- Huffman code construction --------------------------------------- */

/* Sort n distinct keys (< 2^27) ascending: insertion sort for a few, else
 * an LSD radix sort of 9 bits a pass, with only as many passes as the
 * largest key needs (block statistics are small numbers). */
static void key_sort(uint32_t *a, uint32_t *tmp, unsigned n)
{
    if (n <= 32) {
        for (unsigned i = 1; i < n; i++) {
            uint32_t k = a[i];
            unsigned j = i;
            for (; j > 0 && a[j - 1] > k; j--)
                a[j] = a[j - 1];
            a[j] = k;
        }
        return;
    }
    uint32_t max = 0;
    for (unsigned i = 0; i < n; i++)
        max |= a[i];
    unsigned cnt[512];
    for (unsigned shift = 0; shift < 27 && (max >> shift) != 0; shift += 9) {
        memset(cnt, 0, sizeof cnt);
        for (unsigned i = 0; i < n; i++)
            cnt[(a[i] >> shift) & 511]++;
        unsigned sum = 0;
        for (unsigned i = 0; i < 512; i++) {
            unsigned c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (unsigned i = 0; i < n; i++)
            tmp[cnt[(a[i] >> shift) & 511]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Code lengths for n symbols with counts freq[] (each count below 2^18),
 * no code longer than maxbits, into len[].  The code is always complete:
 * when fewer than two symbols occur, unused ones are given codes too, so
 * that every decoder accepts the table. */
static void huff_lengths(const uint32_t *freq, unsigned n, unsigned maxbits, uint8_t *len)
{
    uint32_t key[NLITLEN + 2], tmp[NLITLEN + 2];
    uint32_t w[2 * (NLITLEN + 2)];
    uint16_t parent[2 * (NLITLEN + 2)];
    uint8_t depth[2 * (NLITLEN + 2)];
    unsigned m = 0;
    memset(len, 0, n);
    for (unsigned s = 0; s < n; s++)
        if (freq[s])
            key[m++] = freq[s] << 9 | s;
    if (m < 2) {
        /* Zero or one symbol: two one-bit codes (the used one, if any, and
         * the lowest other). */
        unsigned a = m ? (key[0] & 511) : 0, b = a == 0 ? 1 : 0;
        len[a] = len[b] = 1;
        return;
    }
    key_sort(key, tmp, m);
    /* Huffman's algorithm with two queues: leaves 0..m-1 in increasing
     * weight, internal nodes m.. created in increasing weight. */
    for (unsigned i = 0; i < m; i++)
        w[i] = key[i] >> 9;
    unsigned li = 0, ii = m, next = m;
    for (unsigned k = 0; k + 1 < m; k++) {
        unsigned pick[2];
        for (int j = 0; j < 2; j++) {
            if (li < m && (ii >= next || w[li] <= w[ii]))
                pick[j] = li++;
            else
                pick[j] = ii++;
        }
        w[next] = w[pick[0]] + w[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)next;
        next++;
    }
    unsigned root = next - 1, maxd = 0;
    depth[root] = 0;
    for (unsigned i = root; i-- > 0;) {
        depth[i] = (uint8_t)(depth[parent[i]] + 1 > 255 ? 255 : depth[parent[i]] + 1);
        if (i < m && depth[i] > maxd)
            maxd = depth[i];
    }
    if (maxd <= maxbits) {
        for (unsigned i = 0; i < m; i++)
            len[key[i] & 511] = depth[i];
        return;
    }
    /* Too deep: clamp to maxbits, then restore Kraft's equality by moving
     * leaves down from shorter lengths (each step turns one leaf at length
     * j into two at j + 1 and removes one at maxbits, lowering the Kraft
     * sum, counted in units of 2^-maxbits, by one).  Lengths are then
     * handed out again, shortest to the most frequent symbols. */
    unsigned count[MAXBITS + 1];
    memset(count, 0, sizeof count);
    for (unsigned i = 0; i < m; i++)
        count[depth[i] > maxbits ? maxbits : depth[i]]++;
    uint32_t kraft = 0;
    for (unsigned l = 1; l <= maxbits; l++)
        kraft += count[l] << (maxbits - l);
    while (kraft > (1u << maxbits)) {
        count[maxbits]--;
        for (unsigned j = maxbits - 1; j > 0; j--)
            if (count[j]) {
                count[j]--;
                count[j + 1] += 2;
                break;
            }
        kraft--;
    }
    unsigned i = m;
    for (unsigned l = 1; l <= maxbits; l++)
        for (unsigned c = count[l]; c > 0; c--)
            len[key[--i] & 511] = (uint8_t)l;
}

/* Canonical codes (section 3.2.2) for lengths len[0..n), bit-reversed so
 * that they can be sent LSB first. */
static void huff_codes(const uint8_t *len, unsigned n, uint16_t *code)
{
    unsigned count[MAXBITS + 1], next[MAXBITS + 2];
    memset(count, 0, sizeof count);
    for (unsigned s = 0; s < n; s++)
        count[len[s]]++;
    count[0] = 0;
    unsigned c = 0;
    for (unsigned l = 1; l <= MAXBITS; l++) {
        c = (c + count[l - 1]) << 1;
        next[l] = c;
    }
    for (unsigned s = 0; s < n; s++) {
        unsigned l = len[s];
        if (l == 0) {
            code[s] = 0;
            continue;
        }
        unsigned v = next[l]++;
        unsigned r = (unsigned)rev8[v & 0xff] << 8 | rev8[v >> 8];
        code[s] = (uint16_t)(r >> (16 - l));
    }
}

/* ---- blocks -------------------------------------------------------------- */

/* Fixed code lengths (section 3.2.6). */
static unsigned fixed_llen(unsigned s)
{
    return s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
}

/* The code length sequence of a dynamic header, run-length coded with
 * symbols 16, 17 and 18 (section 3.2.7): each entry is sym | extra << 8. */
static unsigned cl_encode(const uint8_t *lens, unsigned n, uint16_t *out, uint32_t *clfreq)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n;) {
        unsigned v = lens[i], r = 1;
        while (i + r < n && lens[i + r] == v)
            r++;
        i += r;
        if (v == 0) {
            while (r >= 11) {
                unsigned t = r > 138 ? 138 : r;
                out[k++] = (uint16_t)(18 | (t - 11) << 8);
                clfreq[18]++;
                r -= t;
            }
            if (r >= 3) {
                out[k++] = (uint16_t)(17 | (r - 3) << 8);
                clfreq[17]++;
                r = 0;
            }
        } else {
            out[k++] = (uint16_t)v;
            clfreq[v]++;
            r--;
            while (r >= 3) {
                unsigned t = r > 6 ? 6 : r;
                out[k++] = (uint16_t)(16 | (t - 3) << 8);
                clfreq[16]++;
                r -= t;
            }
        }
        while (r > 0) {
            out[k++] = (uint16_t)v;
            clfreq[v]++;
            r--;
        }
    }
    return k;
}

/* Send the block's symbols with the current codes, then end-of-block.
 * A symbol packs its literal/length symbol (bits 0-8), the length's extra
 * bits (9-13), its distance symbol (14-18; NDIST for a literal, whose
 * code is empty) and the distance's extra bits (19-31). */
static void send_symbols(ig_deflate *d)
{
    /* Per symbol: its code, the shift of its extra bits (the code's
     * length) and the total bits. */
    uint32_t lbits[NLITLEN + 2], dbits[NDIST + 1];
    uint8_t lsh[NLITLEN + 2], lnb[NLITLEN + 2], dsh[NDIST + 1], dnb[NDIST + 1];
    for (unsigned s = 0; s < NLITLEN; s++) {
        lbits[s] = d->lcode[s];
        lsh[s] = lnb[s] = d->llen[s];
    }
    for (unsigned s = 0; s < 29; s++)
        lnb[257 + s] = (uint8_t)(lnb[257 + s] + len_extra[s]);
    for (unsigned s = 0; s < NDIST; s++) {
        dbits[s] = d->dcode[s];
        dsh[s] = d->dlen[s];
        dnb[s] = (uint8_t)(d->dlen[s] + dist_extra[s]);
    }
    dbits[NDIST] = 0;
    dsh[NDIST] = dnb[NDIST] = 0;
    /* The bit writer's state in locals: through d, every byte stored
     * would force the compiler to reload it. */
    unsigned char *out = d->out;
    uint64_t bits = d->bits;
    unsigned nb = d->nbits;
    const uint32_t *sym = d->sym;
    for (size_t i = 0; i < d->nsym; i++) {
        uint32_t s = sym[i];
        unsigned ll = s & 511, ds = (s >> 14) & 31;
        bits |= (lbits[ll] | (uint64_t)((s >> 9) & 31) << lsh[ll]) << nb;
        nb += lnb[ll];
        bits |= (dbits[ds] | (uint64_t)(s >> 19) << dsh[ds]) << nb;
        nb += dnb[ds];
        FLUSH_LOCAL();
    }
    d->out = out;
    d->bits = bits;
    d->nbits = nb;
    put(d, d->lcode[256], d->llen[256]);
    flush(d);
}

/* Send the literals p[0..n) with the current codes, then end-of-block, and
 * return 1; or, as soon as the literals take more than max_bits (checked
 * every 63 bytes and at the end), return 0 with the block unfinished, for
 * the caller to rewind the writer.  The check lets the prose codes be tried
 * without a pass to cost them first; stopping early keeps the bytes
 * written within ig_deflate_bound. */
static int send_literals(ig_deflate *d, const unsigned char *p, size_t n, uint64_t max_bits)
{
    unsigned char *out = d->out, *out0 = d->out;
    uint64_t bits = d->bits;
    unsigned nb = d->nbits, nb0 = d->nbits;
    const uint16_t *lcode = d->lcode;
    const uint8_t *llen = d->llen;
    const unsigned char *e = p + n;
    /* At most 15 bits a literal: three fit between flushes. */
#define SEND3()                                                                                  \
    do {                                                                                         \
        bits |= (uint64_t)lcode[p[0]] << nb;                                                     \
        nb += llen[p[0]];                                                                        \
        bits |= (uint64_t)lcode[p[1]] << nb;                                                     \
        nb += llen[p[1]];                                                                        \
        bits |= (uint64_t)lcode[p[2]] << nb;                                                     \
        nb += llen[p[2]];                                                                        \
        FLUSH_LOCAL();                                                                           \
        p += 3;                                                                                  \
    } while (0)
    while (e - p >= 63) {
        for (int r = 0; r < 21; r++)
            SEND3();
        if ((uint64_t)(out - out0) * 8 + nb - nb0 > max_bits)
            return 0;
    }
    while (e - p >= 3)
        SEND3();
#undef SEND3
    d->out = out;
    d->bits = bits;
    d->nbits = nb;
    while (p < e) {
        put(d, lcode[*p], llen[*p]);
        flush(d);
        p++;
    }
    if ((uint64_t)(d->out - out0) * 8 + d->nbits - nb0 > max_bits)
        return 0;
    put(d, d->lcode[256], d->llen[256]);
    flush(d);
    return 1;
}

/* The header of a dynamic block (BTYPE 10) for given code lengths: the
 * counts, the code length code and the run-length coded lengths. */
struct dynhdr {
    unsigned hlit, hdist, hclen, ncl;
    uint8_t cllen[NCL];
    uint16_t clcode[NCL];
    uint16_t cl[NLITLEN + NDIST];
    uint64_t bits;          /* its size in bits, BFINAL and BTYPE included */
};

static void dyn_header(const uint8_t *llen, const uint8_t *dlen, struct dynhdr *h)
{
    unsigned hlit = NLITLEN, hdist = NDIST;
    while (hlit > 257 && llen[hlit - 1] == 0)
        hlit--;
    while (hdist > 1 && dlen[hdist - 1] == 0)
        hdist--;
    uint8_t all[NLITLEN + NDIST];
    memcpy(all, llen, hlit);
    memcpy(all + hlit, dlen, hdist);
    uint32_t clfreq[NCL];
    memset(clfreq, 0, sizeof clfreq);
    h->ncl = cl_encode(all, hlit + hdist, h->cl, clfreq);
    huff_lengths(clfreq, NCL, MAXCLBITS, h->cllen);
    unsigned hclen = NCL;
    while (hclen > 4 && h->cllen[cl_order[hclen - 1]] == 0)
        hclen--;
    h->hlit = hlit;
    h->hdist = hdist;
    h->hclen = hclen;
    h->bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)hclen;
    h->bits += (uint64_t)clfreq[16] * 2 + (uint64_t)clfreq[17] * 3 + (uint64_t)clfreq[18] * 7;
    for (unsigned s = 0; s < NCL; s++)
        h->bits += (uint64_t)clfreq[s] * h->cllen[s];
    huff_codes(h->cllen, NCL, h->clcode);
}

static void put_dyn_header(ig_deflate *d, const struct dynhdr *h, int final)
{
    put(d, (unsigned)final | 2u << 1, 3); /* BTYPE 10 */
    put(d, h->hlit - 257, 5);
    put(d, h->hdist - 1, 5);
    put(d, h->hclen - 4, 4);
    flush(d);
    for (unsigned i = 0; i < h->hclen; i++) {
        put(d, h->cllen[cl_order[i]], 3);
        flush(d);
    }
    for (unsigned i = 0; i < h->ncl; i++) {
        unsigned s = h->cl[i] & 31, x = h->cl[i] >> 8;
        put(d, h->clcode[s], h->cllen[s]);
        if (s == 16)
            put(d, x, 2);
        else if (s == 17)
            put(d, x, 3);
        else if (s == 18)
            put(d, x, 7);
        flush(d);
    }
}

/* ---- the prose codes -------------------------------------------------------- */

/* Byte frequencies of English policy prose, per million bytes, counted on
 * the project's own sample corpus (corpora/sample); every byte has at least
 * 1, printable ASCII, tab and CR at least 64, so that every byte has a code
 * and none of the plain ones is very long. */
static const uint32_t prose_freq[256] = {
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 64, 7770, 1, 1, 64, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    148540, 64, 64, 64, 64, 64, 64, 64,
    452, 452, 64, 64, 7877, 1297, 7448, 64,
    904, 1218, 1051, 444, 424, 370, 452, 235,
    147, 198, 477, 610, 64, 64, 64, 64,
    64, 1933, 497, 2190, 509, 944, 870, 1890,
    107, 3987, 102, 271, 175, 545, 1175, 913,
    766, 672, 503, 2071, 3051, 655, 64, 1644,
    64, 64, 64, 64, 64, 64, 64, 64,
    64, 59382, 10618, 30579, 27378, 99918, 14941, 14749,
    32427, 60252, 342, 3992, 29379, 19120, 69177, 65665,
    18617, 850, 51923, 51425, 77303, 22875, 9804, 9146,
    1382, 9801, 364, 64, 64, 64, 64, 1,
    853, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 34, 1, 274, 3, 1, 1, 1,
    1, 350, 1, 1, 96, 96, 1, 1,
    1, 1, 1, 11, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 11, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 853, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
};

/* Huffman codes built once from prose_freq, and the block header that
 * announces them.  A block of ordinary prose coded with them is within a
 * few percent of its own optimal codes, and skips what those cost per
 * block: a histogram of its bytes, the code construction and the header
 * (together about a tenth of preparing a document for the index). */
static struct {
    uint8_t llen[NLITLEN + 2];
    uint16_t lcode[NLITLEN + 2];
    struct dynhdr hdr;
    /* Per pair of bytes a (first) and b, at a | b << 8: their two codes
     * as one, code << 5 | bits, or 0 where that needs more than
     * PAIR_BITS.  Coding two bytes per look-up halves the chain of bit
     * counts that each literal waits on (send_prose). */
    uint32_t pair[1 << 16];
} prose;
#define PAIR_BITS 27

/* Blocks at least this long may use the prose codes (below, the header
 * weighs more than the codes save) ... */
#define PROSE_MIN 1024
/* ... when coding them takes at most this many bits a byte (English prose
 * takes about 4.5): always well under the stored size, so
 * ig_deflate_bound holds, and close to the block's own codes.  A trial
 * that fails stops within 64 bytes of passing the limit, so what it wrote
 * (header included) stays under the stored size of a PROSE_MIN block too. */
#define PROSE_MAX_BITS 5

static void prose_fill(void)
{
    uint32_t f[NLITLEN + 2];
    uint8_t dlen[NDIST];
    memset(f, 0, sizeof f);
    memset(dlen, 0, sizeof dlen);
    for (unsigned c = 0; c < 256; c++)
        f[c] = prose_freq[c];
    f[256] = 1;
    huff_lengths(f, NLITLEN, MAXBITS, prose.llen);
    huff_codes(prose.llen, NLITLEN, prose.lcode);
    dyn_header(prose.llen, dlen, &prose.hdr);
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            unsigned n = (unsigned)prose.llen[a] + prose.llen[b];
            uint32_t code = (uint32_t)prose.lcode[a] | (uint32_t)prose.lcode[b] << prose.llen[a];
            prose.pair[a | b << 8] = n <= PAIR_BITS ? code << 5 | n : 0;
        }
}

/* send_literals with the prose codes (d->lcode and d->llen hold them),
 * two bytes a look-up in prose.pair. */
static int send_prose(ig_deflate *d, const unsigned char *p, size_t n, uint64_t max_bits)
{
    unsigned char *out = d->out, *out0 = d->out;
    uint64_t bits = d->bits;
    unsigned nb = d->nbits, nb0 = d->nbits;
    const unsigned char *e = p + n;
    /* Two pairs of at most PAIR_BITS fit between flushes (7 + 2 * 27 bits
     * pending at most); a pair with no entry goes one byte at a time, each
     * (a rare byte, up to 15 bits) flushed at once. */
#define SEND2()                                                                                  \
    do {                                                                                         \
        uint32_t x = prose.pair[p[0] | p[1] << 8];                                               \
        if (x != 0) {                                                                            \
            bits |= (uint64_t)(x >> 5) << nb;                                                    \
            nb += x & 31;                                                                        \
        } else {                                                                                 \
            bits |= (uint64_t)prose.lcode[p[0]] << nb;                                           \
            nb += prose.llen[p[0]];                                                              \
            FLUSH_LOCAL();                                                                       \
            bits |= (uint64_t)prose.lcode[p[1]] << nb;                                           \
            nb += prose.llen[p[1]];                                                              \
            FLUSH_LOCAL();                                                                       \
        }                                                                                        \
        p += 2;                                                                                  \
    } while (0)
    while (e - p >= 64) {
        /* The 64 bytes about to be coded go to the hash too, if they are
         * next for it (ig_deflate_zlib_sha). */
        if (d->sha != NULL && p == d->sha_next) {
            ig_sha256_update(d->sha, p, 64);
            d->sha_next = p + 64;
        }
        for (int r = 0; r < 16; r++) {
            SEND2();
            SEND2();
            FLUSH_LOCAL();
        }
        if ((uint64_t)(out - out0) * 8 + nb - nb0 > max_bits)
            return 0;
    }
#undef SEND2
    d->out = out;
    d->bits = bits;
    d->nbits = nb;
    /* The rest (and the check) as send_literals does. */
    uint64_t spent = (uint64_t)(out - out0) * 8 + nb - nb0;
    return send_literals(d, p, (size_t)(e - p), max_bits >= spent ? max_bits - spent : 0);
}

/* Write the block of symbols covering src[from..to) in its cheapest form. */
static void write_block(ig_deflate *d, const unsigned char *src, size_t from, size_t to,
                        int final)
{
    uint32_t *lf = d->lfreq, *df = d->dfreq;
    lf[256] = 1;
    /* Bits that do not depend on the codes: the extra bits. */
    uint64_t extra = 0;
    for (unsigned s = 0; s < 29; s++)
        extra += (uint64_t)lf[257 + s] * len_extra[s];
    for (unsigned s = 0; s < NDIST; s++)
        extra += (uint64_t)df[s] * dist_extra[s];

    /* Fixed codes. */
    uint64_t fixed = 3 + extra;
    for (unsigned s = 0; s < NLITLEN; s++)
        fixed += (uint64_t)lf[s] * fixed_llen(s);
    for (unsigned s = 0; s < NDIST; s++)
        fixed += (uint64_t)df[s] * 5;

    /* Dynamic codes. */
    huff_lengths(lf, NLITLEN, MAXBITS, d->llen);
    huff_lengths(df, NDIST, MAXBITS, d->dlen);
    struct dynhdr h;
    dyn_header(d->llen, d->dlen, &h);
    uint64_t dyn = h.bits + extra;
    for (unsigned s = 0; s < NLITLEN; s++)
        dyn += (uint64_t)lf[s] * d->llen[s];
    for (unsigned s = 0; s < NDIST; s++)
        dyn += (uint64_t)df[s] * d->dlen[s];

    /* Stored: per piece of up to 65535 bytes, the 3 header bits, padding
     * to a byte boundary, LEN and NLEN, the bytes. */
    size_t n = to - from;
    uint64_t stored = 0;
    unsigned at = d->nbits;
    size_t left = n;
    do {
        size_t k = left > 65535 ? 65535 : left;
        stored += 3 + ((8 - (at + 3) % 8) % 8) + 32 + 8 * (uint64_t)k;
        at = 0;
        left -= k;
    } while (left > 0);

    if (stored < dyn && stored < fixed) {
        left = n;
        const unsigned char *p = src + from;
        do {
            size_t k = left > 65535 ? 65535 : left;
            left -= k;
            put(d, (final && left == 0) ? 1 : 0, 3); /* BTYPE 00 */
            align(d);
            d->out[0] = (unsigned char)k;
            d->out[1] = (unsigned char)(k >> 8);
            d->out[2] = (unsigned char)~k;
            d->out[3] = (unsigned char)(~k >> 8);
            memcpy(d->out + 4, p, k);
            d->out += 4 + k;
            p += k;
        } while (left > 0);
    } else if (fixed <= dyn) {
        put(d, (unsigned)final | 1u << 1, 3); /* BTYPE 01 */
        /* All 288 and 32 symbols of the fixed codes take part in the
         * canonical numbering, though 286, 287, 30 and 31 never occur:
         * without 286 and 287 the 9-bit codes would come out shifted. */
        for (unsigned s = 0; s < NLITLEN + 2; s++)
            d->llen[s] = (uint8_t)fixed_llen(s);
        for (unsigned s = 0; s < NDIST + 2; s++)
            d->dlen[s] = 5;
        huff_codes(d->llen, NLITLEN + 2, d->lcode);
        huff_codes(d->dlen, NDIST + 2, d->dcode);
        if (d->lits_only)
            (void)send_literals(d, src + from, to - from, UINT64_MAX);
        else
            send_symbols(d);
    } else {
        put_dyn_header(d, &h, final);
        huff_codes(d->llen, NLITLEN, d->lcode);
        huff_codes(d->dlen, NDIST, d->dcode);
        if (d->lits_only)
            (void)send_literals(d, src + from, to - from, UINT64_MAX);
        else
            send_symbols(d);
    }
    d->nsym = 0;
    memset(d->lfreq, 0, sizeof d->lfreq);
    memset(d->dfreq, 0, sizeof d->dfreq);
}

/* ---- LZ77 ------------------------------------------------------------------ */

/* Hash of the HASH_LEN bytes at p (8 readable; the load is little-endian
 * on little-endian hosts, else the hash differs but matches are checked
 * byte for byte, so only the output's size could change). */
static inline uint32_t hash_at(const unsigned char *p)
{
    return (uint32_t)(((load64(p) << (64 - 8 * HASH_LEN)) * 0x9E3779B97F4A7C15ull) >>
                      (64 - HASH_BITS));
}

/* Length of the common prefix of a and b, at most max. */
static inline size_t match_len(const unsigned char *a, const unsigned char *b, size_t max)
{
    size_t l = 0;
    while (l + 8 <= max) {
        uint64_t x = load64(a + l) ^ load64(b + l);
        if (x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return l + ((unsigned)__builtin_ctzll(x) >> 3);
#else
            break;
#endif
        }
        l += 8;
    }
    while (l < max && a[l] == b[l])
        l++;
    return l;
}

/* Distance symbol of x = distance - 1, and its extra bits' value. */
static inline unsigned dist_code(uint32_t x, uint32_t *extra)
{
    if (x < 4) {
        *extra = 0;
        return x;
    }
    unsigned nb = 31u - (unsigned)__builtin_clz(x);
    *extra = x & ((1u << (nb - 1)) - 1);
    return 2 * nb + ((x >> (nb - 1)) & 1);
}

/* A literal's symbol: the byte, with distance symbol NDIST (no code). */
#define SYM_LIT(c) ((uint32_t)(c) | (uint32_t)NDIST << 14)

static size_t compress_raw(ig_deflate *d, const unsigned char *src, size_t n, unsigned char *dst)
{
    d->out = dst;
    d->bits = 0;
    d->nbits = 0;
    memset(d->lfreq, 0, sizeof d->lfreq);
    memset(d->dfreq, 0, sizeof d->dfreq);
    uint32_t *head = d->head, *sym = d->sym;
    uint32_t *lf = d->lfreq, *df = d->dfreq;
    size_t blk = 0, i = 0, nsym = 0;
    /* Positions below safe have 8 readable bytes. */
    size_t safe = n >= 8 ? n - 7 : 0;
    while (i < n) {
        /* One chunk: positions are stored as base + (i - cstart). */
        size_t cstart = i, cend = n - i > d->chunk ? i + d->chunk : n;
        if (d->base > BASE_LIMIT) {
            memset(head, 0, HASH_SIZE * sizeof *head);
            d->base = WINDOW + 2;
        }
        uint32_t base = d->base;
        /* Position base + k (an entry of this chunk) is cs[k]. */
        const unsigned char *cs = src + cstart;
        size_t end = cend < safe ? cend : safe;
        unsigned misses = 0;
        while (i < end) {
            if (nsym == IG_DEFLATE_BLOCK_SYMS) {
                d->nsym = nsym;
                write_block(d, src, blk, i, 0);
                blk = i;
                nsym = 0;
            }
            uint32_t h = hash_at(src + i);
            uint32_t cand = head[h], here = base + (uint32_t)(i - cstart);
            head[h] = here;
            /* Stale entries (earlier inputs, chunks) lie more than WINDOW
             * below base, so one comparison rejects them and far ones. */
            if (here - cand - 1 < WINDOW && load32(cs + (cand - base)) == load32(src + i)) {
                size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
                size_t len = match_len(src + i, cs + (cand - base), max);
                if (len < HASH_LEN)
                    goto literal; /* the hash matched, the bytes not all */
                uint32_t dx, ds = dist_code(here - cand - 1, &dx);
                unsigned ls = len_sym[len];
                lf[257 + ls]++;
                df[ds]++;
                sym[nsym++] = (257 + ls) | (uint32_t)(len - len_base[ls]) << 9 | ds << 14 | dx << 19;
                /* Index the match's last position too: text repeats in
                 * runs, and the next phrase often starts right after. */
                size_t j = i + len - 1;
                if (j < end)
                    head[hash_at(src + j)] = base + (uint32_t)(j - cstart);
                i += len;
                misses = 0;
                continue;
            }
        literal:
            lf[src[i]]++;
            sym[nsym++] = SYM_LIT(src[i]);
            i++;
            /* Long stretches without a match (binary, or text unlike
             * anything before it) are skipped faster: after 64 misses in
             * a row, every further step emits two literals, and so on,
             * hashing only the first. */
            if (++misses > 64) {
                size_t skip = (misses - 64) >> 5;
                while (skip-- > 0 && i < end && nsym < IG_DEFLATE_BLOCK_SYMS) {
                    lf[src[i]]++;
                    sym[nsym++] = SYM_LIT(src[i]);
                    i++;
                }
            }
        }
        /* The tail of the chunk (or the input's last 7 bytes): literals. */
        while (i < cend) {
            if (nsym == IG_DEFLATE_BLOCK_SYMS) {
                d->nsym = nsym;
                write_block(d, src, blk, i, 0);
                blk = i;
                nsym = 0;
            }
            lf[src[i]]++;
            sym[nsym++] = SYM_LIT(src[i]);
            i++;
        }
        /* The next chunk or input starts more than a window further on. */
        d->base = base + (uint32_t)(cend - cstart) + WINDOW + 1;
    }
    d->nsym = nsym;
    write_block(d, src, blk, n, 1);
    align(d);
    return (size_t)(d->out - dst);
}

/* Huffman coding only (no matches): per block of HUFF_BLOCK bytes, a
 * histogram, then the block. */
static size_t compress_huff(ig_deflate *d, const unsigned char *src, size_t n, unsigned char *dst)
{
    d->out = dst;
    d->bits = 0;
    d->nbits = 0;
    d->lits_only = 1;
    size_t at = 0;
    do {
        size_t k = n - at > HUFF_BLOCK ? HUFF_BLOCK : n - at;
        if (k >= PROSE_MIN) {
            /* Tried, and undone if the literals cost more than
             * PROSE_MAX_BITS a byte. */
            unsigned char *out0 = d->out;
            uint64_t bits0 = d->bits;
            unsigned nbits0 = d->nbits;
            put_dyn_header(d, &prose.hdr, at + k == n);
            memcpy(d->lcode, prose.lcode, sizeof d->lcode);
            memcpy(d->llen, prose.llen, sizeof d->llen);
            if (send_prose(d, src + at, k, PROSE_MAX_BITS * (uint64_t)k)) {
                d->prose_blocks++;
                at += k;
                continue;
            }
            d->out = out0;
            d->bits = bits0;
            d->nbits = nbits0;
        }
        /* Four histograms, so that runs of one byte value do not wait on
         * their own increments. */
        uint32_t h[4][256];
        memset(h, 0, sizeof h);
        const unsigned char *p = src + at, *e = p + k;
        while (e - p >= 4) {
            h[0][p[0]]++;
            h[1][p[1]]++;
            h[2][p[2]]++;
            h[3][p[3]]++;
            p += 4;
        }
        while (p < e)
            h[0][*p++]++;
        memset(d->lfreq, 0, sizeof d->lfreq);
        memset(d->dfreq, 0, sizeof d->dfreq);
        for (unsigned c = 0; c < 256; c++)
            d->lfreq[c] = h[0][c] + h[1][c] + h[2][c] + h[3][c];
        write_block(d, src, at, at + k, at + k == n);
        at += k;
    } while (at < n);
    d->lits_only = 0;
    align(d);
    return (size_t)(d->out - dst);
}

size_t ig_deflate_raw(ig_deflate *d, int level, const void *src, size_t n, void *dst)
{
    if (level == IG_DEFLATE_HUFFMAN)
        return compress_huff(d, src, n, dst);
    return compress_raw(d, src, n, dst);
}

size_t ig_deflate_zlib(ig_deflate *d, int level, const void *src, size_t n, void *dst)
{
    unsigned char *o = dst;
    /* CMF: method 8, window 2^(7+8); FLG: level "fastest", no dictionary,
     * check bits making CMF * 256 + FLG a multiple of 31 (0x7801). */
    o[0] = 0x78;
    o[1] = 0x01;
    size_t k = ig_deflate_raw(d, level, src, n, o + 2);
    uint32_t a = ig_adler32(1, src, n); /* the trailer's (RFC 1950), inflate.h */
    o += 2 + k;
    o[0] = (unsigned char)(a >> 24);
    o[1] = (unsigned char)(a >> 16);
    o[2] = (unsigned char)(a >> 8);
    o[3] = (unsigned char)a;
    return k + 6;
}

size_t ig_deflate_zlib_sha(ig_deflate *d, int level, const void *src, size_t n, void *dst,
                           ig_sha256 *sha)
{
    d->sha = sha;
    d->sha_next = src;
    size_t k = ig_deflate_zlib(d, level, src, n, dst);
    /* What the coding did not hash, in order: the rest after its last
     * prose block, or everything. */
    const unsigned char *end = (const unsigned char *)src + n;
    if (n > 0)
        ig_sha256_update(sha, d->sha_next, (size_t)(end - d->sha_next));
    d->sha = NULL;
    return k;
}

uint64_t ig_deflate_prose_blocks(const ig_deflate *d)
{
    return d->prose_blocks;
}

void ig_deflate_test_limits(ig_deflate *d, size_t chunk, uint32_t base)
{
    if (chunk >= 1 && chunk <= CHUNK)
        d->chunk = chunk;
    if (base > WINDOW + 1) {
        /* Entries must stay more than a window below the base. */
        memset(d->head, 0, HASH_SIZE * sizeof *d->head);
        d->base = base;
    }
}

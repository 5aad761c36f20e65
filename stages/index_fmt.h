/*
 * index_fmt.h: constants and small codecs of the index file format, shared
 * by the reader (index.c, which holds the full specification) and the
 * writer (index_write.c, index_build.c); the functions are in index_fmt.c,
 * the layout decoder in index_layout.c.
 * Private to the index module: no other module includes it.
 */
#ifndef IG_INDEX_FMT_H
#define IG_INDEX_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "index.h"

#define IDX_MAGIC "IGMAPIDX"        /* 8 bytes at offset 0 */
#define IDX_END_MAGIC "IGMAPEND"    /* last 8 bytes of the file */
#define IDX_FORMAT_VERSION 2u
#define IDX_HEADER_SIZE 32u
#define IDX_FOOTER_SIZE 40u
#define IDX_DIRENT_SIZE 24u
#define IDX_DOC_REC 136u
#define IDX_TERM_REC 56u
#define IDX_STEM_REC 24u
#define IDX_NORMALISATION "NFKC+casefold"

/* Section ids, in the order the writer lays them out after the header. */
enum {
    IDX_SEC_DOCDATA = 1,     /* per document: layout then zlib text */
    IDX_SEC_POSTINGS = 2,    /* per term: positional postings */
    IDX_SEC_FINGERPRINT = 3, /* key=value lines */
    IDX_SEC_LANGUAGES = 4,   /* codes and Snowball algorithms */
    IDX_SEC_COLUMNS = 5,     /* metadata column names */
    IDX_SEC_DOCUMENTS = 6,   /* fixed document records */
    IDX_SEC_METADATA = 7,    /* per document: ncols NUL-terminated values */
    IDX_SEC_VOCABULARY = 8,  /* fixed term records */
    IDX_SEC_STRINGS = 9,     /* NUL-terminated term surfaces and stems */
    IDX_SEC_STEMS = 10,      /* stem records, then term-id lists */
    IDX_NSECTIONS = 10
};

/* Name of a section id for messages ("postings"), or "unknown". */
const char *idx_section_name(uint32_t id);

/* The fingerprint text of this build (static storage), without the
 * section_pattern line, which depends on the build options. */
const char *idx_fingerprint_base(void);

/* Byte offsets inside a document record. */
enum {
    DR_META_OFF = 0, DR_BYTES = 8, DR_FILE_BYTES = 16, DR_REPLACED = 24,
    DR_TRUNCATED = 32, DR_LAYOUT_OFF = 40, DR_LAYOUT_LEN = 48, DR_TEXT_OFF = 56,
    DR_TEXT_LEN = 64, DR_LAYOUT_CRC = 72, DR_TEXT_CRC = 76, DR_POSITIONS = 80,
    DR_SENTENCES = 84, DR_PARAGRAPHS = 88, DR_SECTIONS = 92, DR_LANG = 96,
    DR_FLAGS = 98, DR_SHA256 = 104
};
/* Byte offsets inside a term record. */
enum {
    TR_POST_OFF = 0, TR_POST_LEN = 8, TR_CF = 16, TR_SURF_OFF = 24,
    TR_SURF_LEN = 32, TR_STEM = 36, TR_DF = 40, TR_POST_CRC = 44, TR_LANG = 48
};
/* Byte offsets inside a stem record. */
enum {
    SR_STR_OFF = 0, SR_STR_LEN = 8, SR_LIST_OFF = 12, SR_LIST_N = 16, SR_LANG = 20
};

static inline uint64_t idx_zz(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t idx_unzz(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A layout entry (format: top of index.c) at p, room for 21 bytes:
 * gap g from the previous end, length w.  Returns the byte after. */
static inline unsigned char *idx_put_layout(unsigned char *p, int64_t g, uint64_t w);

/* Write v as a varint at p (room for 10 bytes); returns the byte after. */
static inline unsigned char *idx_put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* idx_put_varint(p, v), without a branch on the length below 2^21: the
 * postings' numbers (position gaps, document gaps, counts) take one byte
 * or two or three in no order a predictor could learn.  Writes three
 * bytes whatever the length: the caller has that room (and 10 for a
 * larger v). */
static inline unsigned char *idx_put_varint3(unsigned char *p, uint64_t v)
{
    if (v >= (uint64_t)1 << 21)
        return idx_put_varint(p, v);
    uint32_t two = v >= 0x80, three = v >= 0x4000;
    p[0] = (unsigned char)(v | two << 7);
    p[1] = (unsigned char)((v >> 7 & 0x7F) | three << 7);
    p[2] = (unsigned char)(v >> 14);
    return p + 1 + two + three;
}

static inline unsigned char *idx_put_layout(unsigned char *p, int64_t g, uint64_t w)
{
    if (g >= 1 && g <= 4 && w >= 1 && w <= 63) {
        *p++ = (unsigned char)((uint64_t)(g - 1) << 6 | w);
        return p;
    }
    *p++ = 0;
    p = idx_put_varint(p, idx_zz(g));
    return idx_put_varint(p, w);
}

/* Little-endian stores into a buffer with room. */
static inline void idx_put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static inline void idx_put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void idx_put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint16_t idx_get_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* CRC-32 (zlib's) of any length, in chunks that fit zlib's uInt. */
uint32_t idx_crc32(uint32_t crc, const void *p, size_t n);
/* The CRC-32 of A followed by B from crc1 = CRC of A, crc2 = CRC of B and
 * len2 = the length of B: zlib's crc32_combine64, several times faster. */
uint32_t idx_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);

/* Layouts (index_layout.c).  idx_layout_grow makes room in l for n
 * positions, every array (full) or the sentence array alone; IG_OK or
 * IG_ENOMEM (l is then emptied).  idx_layout_decode decodes the layout
 * bytes *p..end of a document of n positions and bytes bytes of text into
 * l (grown for them), every array (full) or the sentence array alone
 * (the position entries only stepped over); 0, or -1 with *p at the byte
 * where it went wrong. */
int idx_layout_grow(idx_layout *l, uint32_t n, int full);
int idx_layout_decode(const unsigned char **p, const unsigned char *end, uint32_t n,
                      uint64_t bytes, int full, idx_layout *l);

#endif

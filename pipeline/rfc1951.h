/*
 * rfc1951.h: the constant tables of the deflate format (RFC 1951, section
 * 3.2.5: lengths and distances; 3.2.7: the order of a dynamic header's code
 * length code lengths), written once for the encoder (deflate.c) and the
 * decoder (inflate.c).  Static in each file that includes it; a file that
 * does not use one of them gets no warning for it (GCC warns about unused
 * static constants of the main file only).
 */
#ifndef IG_RFC1951_H
#define IG_RFC1951_H

#include <stdint.h>

/* Length symbols 257..285: the first length of each, and its extra bits. */
static const uint16_t len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258
};
static const uint8_t len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
};
/* Distance symbols 0..29: the first distance of each, and its extra bits. */
static const uint16_t dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577
};
static const uint8_t dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13
};
/* The order in which a dynamic block's header sends the 19 code length
 * code lengths. */
static const uint8_t cl_order[19] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

#endif

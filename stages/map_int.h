/*
 * map_int.h: the inside of a map_run, shared by map.c (opening, positions,
 * the scan and the evidence) and map_tables.c (the tables and the gap
 * rules).  Not an API: include map.h instead.
 */
#ifndef IG_MAP_INT_H
#define IG_MAP_INT_H

#include <stdint.h>

#include "buf.h"
#include "index.h"
#include "map.h"
#include "pattern.h"

#define MAP_NONE UINT32_MAX

/* Which lexicon a row comes from. */
enum { MAP_LX_ISSUES = 0, MAP_LX_MECHS = 1, MAP_LX_GAPS = 2, MAP_NLX = 3 };

/* One lexicon row being scanned. */
struct map_entry {
    pat_scan *scan;    /* walks the row's pattern over the index */
    uint32_t cur;      /* document the scan stands on, MAP_NONE when done */
    uint32_t key;      /* issue or mechanism number (lex key), 0 for gaps */
    uint32_t row;      /* entry number in its lexicon */
    unsigned char lx;  /* MAP_LX_* */
    unsigned char near; /* 1 when the pattern holds a NEAR operator */
};

/* A document that raises an issue, with what it contributes. */
struct map_docissue {
    uint32_t issue;
    uint32_t doc;
    uint32_t mentions;   /* issue_mention rows */
    uint32_t claims;     /* gap_claim rows */
};

/* Counted co-occurrences of one (issue, mechanism) pair; open addressing,
 * key = issue * nmechs + mech + 1 (0 = empty slot). */
struct map_pair {
    uint64_t key;
    uint64_t cooc;       /* cooccurrence rows */
    uint32_t docs;       /* documents with at least one */
    uint32_t lastdoc;    /* last document counted in docs */
};

struct map_run {
    const idx_reader *r;
    lex_file *lx[MAP_NLX];        /* borrowed; lx[MAP_LX_GAPS] may be NULL */
    map_opts o;
    struct map_entry *ent;
    size_t nent;
    uint32_t nissues, nmechs, ndocs;
    long col_process, col_group, col_submitter; /* metadata columns or -1 */

    /* positions (map_positions_load) */
    double *score;                /* per document */
    unsigned char *has_score;     /* per document: 1 when score is set */
    int have_positions;

    /* aggregates (map_scan) */
    int scanned;
    struct map_docissue *di;      /* in (doc, issue) order as scanned */
    size_t ndi, capdi;
    struct map_pair *pairs;
    size_t npairs, cappairs;      /* cappairs a power of two */
};

/* The pair slot for (issue, mech), created (zeroed) when create is set;
 * NULL when absent (or, with create, out of memory). */
struct map_pair *map_pair_get(map_run *m, uint32_t issue, uint32_t mech, int create);
const struct map_pair *map_pair_find(const map_run *m, uint32_t issue, uint32_t mech);

/* Metadata value of doc in column col (-1 gives ""). */
const char *map_meta(const map_run *m, uint32_t doc, long col);
/* Submitter of doc: the submitter column, or the doc id when it is empty. */
const char *map_submitter(const map_run *m, uint32_t doc);

#endif

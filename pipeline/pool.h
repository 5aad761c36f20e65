/*
 * pool.h: many growing byte blocks carved from shared slabs.
 *
 * The index writer keeps one postings list per term: hundreds of thousands
 * of buffers that each grow by doubling and are all dropped together (at a
 * spill, at the end).  Through malloc every growth is a realloc and every
 * list a free at the end, with a header per block and a lock per call.
 * Here a block's size is a power of two from IG_POOL_MIN to IG_POOL_SLAB_MAX
 * bytes, cut from 2 MiB slabs (huge pages where the kernel gives them,
 * alloc.h ig_alloc_huge); a block left behind by a growth goes on its
 * size's free list for the next list that grows into that size; dropping
 * them all is one reset.  Larger blocks (the few lists of very common
 * words) are allocations of their own, still owned by the pool.
 *
 * Ownership: the pool owns every block it hands out; ig_pool_reset()
 * makes them all free at once (keeping the slabs for reuse),
 * ig_pool_free() returns everything.  A zeroed ig_pool (IG_POOL_INIT) is a
 * valid empty pool.  Not thread-safe: one pool per thread.
 */
#ifndef IG_POOL_H
#define IG_POOL_H

#include <stddef.h>

#include "alloc.h"

#define IG_POOL_MIN 16                      /* smallest block */
#define IG_POOL_CLASSES 13                  /* 16 B .. 64 KiB from slabs */
#define IG_POOL_SLAB_MAX (IG_POOL_MIN << (IG_POOL_CLASSES - 1))
#define IG_POOL_SLAB IG_HUGE_ALIGN

typedef struct ig_pool {
    unsigned char *cur, *end;               /* the slab being carved */
    void *free[IG_POOL_CLASSES];            /* free blocks, linked through their first word */
    unsigned char **slabs;                  /* every slab, in order */
    size_t nslabs, cslabs, used_slabs;      /* used_slabs: carved since the last reset */
    void **big;                             /* blocks above IG_POOL_SLAB_MAX */
    size_t nbig, cbig;
    size_t big_bytes;                       /* their sizes */
    size_t in_use;                          /* capacity of the blocks handed out */
} ig_pool;

#define IG_POOL_INIT { 0 }

/* Make the block *p (capacity *cap, 0 with *p NULL for none yet) hold at
 * least need bytes, keeping its first len bytes: a block of the smallest
 * size that fits (a power of two, at least IG_POOL_MIN), the old one given
 * back.  0, or IG_ENOMEM with *p and *cap unchanged. */
int ig_pool_grow(ig_pool *pl, unsigned char **p, size_t *cap, size_t len, size_t need);
/* Every block handed out becomes free (the caller forgets them all); the
 * slabs stay for the blocks to come, the large blocks are released. */
void ig_pool_reset(ig_pool *pl);
/* Release everything; the pool is then empty and reusable. */
void ig_pool_free(ig_pool *pl);
/* Capacity of the blocks handed out and not yet given back (the sum of
 * their *cap): what the caller holds, not what the slabs take. */
static inline size_t ig_pool_in_use(const ig_pool *pl)
{
    return pl->in_use;
}
/* Memory the pool holds for its blocks: the slabs carved since the last
 * reset (free blocks and unused ends included) and the large blocks.  What
 * a memory budget should count (at most about twice ig_pool_in_use). */
static inline size_t ig_pool_footprint(const ig_pool *pl)
{
    return pl->used_slabs * IG_POOL_SLAB + pl->big_bytes;
}

#endif

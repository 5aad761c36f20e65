/*
 * pool.c: growing byte blocks carved from shared slabs (see pool.h).
 *
 * Pipeline place: under the index writer's postings lists (stages/
 * index_write.c), which grow by doubling and are dropped all at once.
 *
 * A large block (above IG_POOL_SLAB_MAX) is an allocation with a 16-byte
 * header holding its index in pl->big, so that it can move (realloc) and
 * still be found when the pool is reset.
 */
#include "pool.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "err.h"

#define BIG_HDR 16

static unsigned size_class(size_t size)
{
    return (unsigned)__builtin_ctzll(size) - (unsigned)__builtin_ctz(IG_POOL_MIN);
}

/* Give a slab-carved block back to its size's free list. */
static void give_back(ig_pool *pl, void *b, size_t size)
{
    unsigned c = size_class(size);
    memcpy(b, &pl->free[c], sizeof(void *));
    pl->free[c] = b;
}

/* A new slab to carve: one kept from before the last reset, else a fresh
 * one.  What is left of the current slab goes to the free lists, largest
 * pieces first (every size is a multiple of IG_POOL_MIN, so nothing is
 * lost). */
static int next_slab(ig_pool *pl)
{
    if (pl->used_slabs == pl->nslabs) {
        if (pl->nslabs == pl->cslabs) {
            size_t c = pl->cslabs ? 2 * pl->cslabs : 16;
            unsigned char **s = ig_reallocarray(pl->slabs, c, sizeof *s);
            if (s == NULL)
                return IG_ENOMEM;
            pl->slabs = s;
            pl->cslabs = c;
        }
        unsigned char *slab = ig_alloc_huge(IG_POOL_SLAB);
        if (slab == NULL)
            return IG_ENOMEM;
        pl->slabs[pl->nslabs++] = slab;
    }
    for (size_t size = IG_POOL_SLAB_MAX; size >= IG_POOL_MIN; size /= 2)
        while ((size_t)(pl->end - pl->cur) >= size) {
            give_back(pl, pl->cur, size);
            pl->cur += size;
        }
    pl->cur = pl->slabs[pl->used_slabs++];
    pl->end = pl->cur + IG_POOL_SLAB;
    return IG_OK;
}

/* A slab block of size bytes (a power of two up to IG_POOL_SLAB_MAX). */
static void *slab_block(ig_pool *pl, size_t size)
{
    unsigned c = size_class(size);
    void *b = pl->free[c];
    if (b != NULL) {
        memcpy(&pl->free[c], b, sizeof(void *));
        return b;
    }
    if ((size_t)(pl->end - pl->cur) < size && next_slab(pl) != IG_OK)
        return NULL;
    b = pl->cur;
    pl->cur += size;
    return b;
}

/* A large block of size bytes: a new one, or *old (a large block's data)
 * moved and grown. */
static unsigned char *big_block(ig_pool *pl, unsigned char *old, size_t oldsize, size_t size)
{
    size_t idx;
    unsigned char *h;
    if (old != NULL) {
        memcpy(&idx, old - BIG_HDR, sizeof idx);
        h = ig_realloc(old - BIG_HDR, BIG_HDR + size);
        if (h == NULL)
            return NULL;
    } else {
        if (pl->nbig == pl->cbig) {
            size_t c = pl->cbig ? 2 * pl->cbig : 64;
            void **nb = ig_reallocarray(pl->big, c, sizeof *nb);
            if (nb == NULL)
                return NULL;
            pl->big = nb;
            pl->cbig = c;
        }
        if ((h = ig_malloc(BIG_HDR + size)) == NULL)
            return NULL;
        idx = pl->nbig++;
        memcpy(h, &idx, sizeof idx);
    }
    pl->big[idx] = h;
    pl->big_bytes += size - (old != NULL ? oldsize : 0);
    return h + BIG_HDR;
}

int ig_pool_grow(ig_pool *pl, unsigned char **p, size_t *cap, size_t len, size_t need)
{
    size_t old = *cap, size = old ? old : IG_POOL_MIN;
    if (need <= old)
        return IG_OK;
    while (size < need) {
        if (size > SIZE_MAX / 2)
            return IG_ENOMEM;
        size *= 2;
    }
    unsigned char *b;
    if (size > IG_POOL_SLAB_MAX) {
        /* A large block grows in place where the allocator can. */
        b = big_block(pl, old > IG_POOL_SLAB_MAX ? *p : NULL, old, size);
        if (b == NULL)
            return IG_ENOMEM;
        if (old > 0 && old <= IG_POOL_SLAB_MAX) {
            memcpy(b, *p, len);
            give_back(pl, *p, old);
        }
    } else {
        if ((b = slab_block(pl, size)) == NULL)
            return IG_ENOMEM;
        if (old > 0) {
            memcpy(b, *p, len);
            give_back(pl, *p, old);
        }
    }
    pl->in_use += size - old;
    *p = b;
    *cap = size;
    return IG_OK;
}

void ig_pool_reset(ig_pool *pl)
{
    for (size_t i = 0; i < pl->nbig; i++)
        ig_free(pl->big[i]);
    pl->nbig = 0;
    pl->big_bytes = 0;
    memset(pl->free, 0, sizeof pl->free);
    pl->cur = pl->end = NULL;
    pl->used_slabs = 0;
    pl->in_use = 0;
}

void ig_pool_free(ig_pool *pl)
{
    ig_pool_reset(pl);
    for (size_t i = 0; i < pl->nslabs; i++)
        ig_free_huge(pl->slabs[i], IG_POOL_SLAB);
    ig_free(pl->slabs);
    ig_free(pl->big);
    memset(pl, 0, sizeof *pl);
}

/*
 * test_pool.c: the slab pool of growing blocks (pipeline/pool.h) under a
 * random mix of growths, checked against a plain model of every block's
 * bytes: contents survive each growth, no two live blocks overlap, blocks
 * given back are reused, sizes are the promised powers of two, the
 * in-use count is the sum of capacities, a reset forgets everything and
 * the slabs serve again, and a failed allocation changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>

#include "alloc.h"
#include "harness.h"
#include "pool.h"

#define NB 600

struct blk {
    unsigned char *p;
    size_t cap, len;
    unsigned char fill;
};

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    return harness_rand(&rnd_state);
}

/* Every block holds its own fill byte over its length: a growth that lost
 * bytes, or two blocks sharing memory, shows as a wrong byte. */
static int intact(const struct blk *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < b[i].len; k++)
            if (b[i].p[k] != b[i].fill)
                return 0;
    return 1;
}

static size_t sum_caps(const struct blk *b, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += b[i].cap;
    return s;
}

/* Grow blocks at random, mostly small, a few past the slab limit; append
 * the block's fill byte up to the new length. */
static int churn(ig_pool *pl, struct blk *b, size_t n, int rounds, int *pow2)
{
    for (int r = 0; r < rounds; r++) {
        struct blk *x = &b[rnd() % n];
        size_t add = rnd() % 4 == 0 ? rnd() % 3000 : rnd() % 40;
        if (rnd() % 500 == 0)
            add = IG_POOL_SLAB_MAX + rnd() % 100000;
        if (ig_pool_grow(pl, &x->p, &x->cap, x->len, x->len + add) != 0)
            return 0;
        if ((x->cap != 0 && (x->cap < IG_POOL_MIN || (x->cap & (x->cap - 1)) != 0)) ||
            x->cap < x->len + add)
            *pow2 = 0;
        if (add > 0)
            memset(x->p + x->len, x->fill, add);
        x->len += add;
    }
    return 1;
}

static void test_growth(void)
{
    ig_pool pl = IG_POOL_INIT;
    static struct blk b[NB];
    memset(b, 0, sizeof b);
    for (size_t i = 0; i < NB; i++)
        b[i].fill = (unsigned char)(i * 7 + 1);
    int pow2 = 1;
    CHECK(churn(&pl, b, NB, 20000, &pow2));
    CHECK(pow2);
    CHECK(intact(b, NB));
    CHECK_EQ(ig_pool_in_use(&pl), sum_caps(b, NB));
    CHECK(pl.nbig > 0); /* some blocks went past the slabs */
    /* The footprint counts what is held: every carved slab and the large
     * blocks, so at least what is handed out. */
    size_t big = 0;
    for (size_t i = 0; i < NB; i++)
        if (b[i].cap > IG_POOL_SLAB_MAX)
            big += b[i].cap;
    CHECK_EQ(ig_pool_footprint(&pl), pl.used_slabs * IG_POOL_SLAB + big);
    CHECK(ig_pool_footprint(&pl) >= ig_pool_in_use(&pl));
    /* Growth gives blocks back: far fewer slabs than the sum of every
     * capacity ever handed out would need. */
    CHECK(pl.nslabs * IG_POOL_SLAB < 2 * sum_caps(b, NB) + 2 * IG_POOL_SLAB);

    /* A reset forgets every block and carves the same slabs again. */
    size_t slabs = pl.nslabs;
    ig_pool_reset(&pl);
    CHECK_EQ(ig_pool_in_use(&pl), 0);
    CHECK_EQ(ig_pool_footprint(&pl), 0);
    CHECK_EQ(pl.nbig, 0);
    memset(b, 0, sizeof b);
    for (size_t i = 0; i < NB; i++)
        b[i].fill = (unsigned char)(i * 13 + 5);
    pow2 = 1;
    rnd_state = 12345;
    CHECK(churn(&pl, b, NB, 5000, &pow2));
    CHECK(pow2);
    CHECK(intact(b, NB));
    CHECK_EQ(ig_pool_in_use(&pl), sum_caps(b, NB));
    CHECK(pl.nslabs >= slabs);
    CHECK(pl.used_slabs <= pl.nslabs);
    ig_pool_free(&pl);
    CHECK(pl.slabs == NULL && pl.nslabs == 0);
}

/* A growth within the capacity is nothing; from nothing, the smallest
 * block; a block given back is the next one of its size handed out. */
static void test_reuse(void)
{
    ig_pool pl = IG_POOL_INIT;
    unsigned char *a = NULL, *c = NULL;
    size_t acap = 0, ccap = 0;
    CHECK_EQ(ig_pool_grow(&pl, &a, &acap, 0, 1), 0);
    CHECK_EQ(acap, IG_POOL_MIN);
    unsigned char *first = a;
    CHECK_EQ(ig_pool_grow(&pl, &a, &acap, 0, IG_POOL_MIN), 0);
    CHECK(a == first);
    memcpy(a, "0123456789abcdef", 16);
    CHECK_EQ(ig_pool_grow(&pl, &a, &acap, 16, 17), 0);
    CHECK_EQ(acap, 2 * IG_POOL_MIN);
    CHECK(memcmp(a, "0123456789abcdef", 16) == 0);
    CHECK_EQ(ig_pool_grow(&pl, &c, &ccap, 0, 5), 0);
    CHECK(c == first); /* the 16-byte block a left behind */
    CHECK_EQ(ig_pool_in_use(&pl), 3 * IG_POOL_MIN);
    /* Past the slab limit and back within a large block. */
    CHECK_EQ(ig_pool_grow(&pl, &a, &acap, 16, IG_POOL_SLAB_MAX + 1), 0);
    CHECK_EQ(acap, 2 * (size_t)IG_POOL_SLAB_MAX);
    CHECK(memcmp(a, "0123456789abcdef", 16) == 0);
    CHECK_EQ(ig_pool_grow(&pl, &a, &acap, 16, 5 * (size_t)IG_POOL_SLAB_MAX), 0);
    CHECK_EQ(acap, 8 * (size_t)IG_POOL_SLAB_MAX);
    CHECK(memcmp(a, "0123456789abcdef", 16) == 0);
    CHECK_EQ(pl.nbig, 1);
    CHECK_EQ(ig_pool_in_use(&pl), 8 * (size_t)IG_POOL_SLAB_MAX + IG_POOL_MIN);
    ig_pool_free(&pl);
}

/* Every allocation the pool makes, failed in turn: the call reports it
 * and the block is as before. */
static void test_nomem(void)
{
    int all_ok = 1, failed_some = 0;
    for (uint64_t k = 1; k < 40; k++) {
        ig_pool pl = IG_POOL_INIT;
        struct blk b[8];
        memset(b, 0, sizeof b);
        ig_alloc_fail_at(k, 0);
        int ok = 1;
        for (int r = 0; r < 300 && ok; r++) {
            struct blk *x = &b[r % 8];
            size_t need = x->len + (r % 5 == 0 ? 70000 : 200);
            unsigned char *p0 = x->p;
            size_t c0 = x->cap;
            if (ig_pool_grow(&pl, &x->p, &x->cap, x->len, need) != 0) {
                failed_some = 1;
                ok = 0;
                if (x->p != p0 || x->cap != c0)
                    all_ok = 0;
            } else {
                x->fill = (unsigned char)r;
                memset(x->p, x->fill, need);
                x->len = need;
            }
        }
        ig_alloc_fail_at(0, 0);
        if (!intact(b, 8) || ig_pool_in_use(&pl) != sum_caps(b, 8))
            all_ok = 0;
        ig_pool_free(&pl);
    }
    CHECK(failed_some);
    CHECK(all_ok);
}

/* The huge-page arena the slabs come from: zeroed, aligned, and still
 * zero (and writable) after being faulted in for writing, which the
 * preparer's slot table relies on as its empty slots. */
static void test_huge(void)
{
    size_t n = 2 * IG_HUGE_ALIGN;
    unsigned char *p = ig_alloc_huge(n);
    CHECK(p != NULL);
    if (p == NULL)
        return;
    CHECK(((uintptr_t)p & (IG_HUGE_ALIGN - 1)) == 0);
    ig_prefault_write(p, n);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++)
        nonzero += p[i] != 0;
    CHECK_EQ(nonzero, 0);
    memset(p + n - 4096, 0xA5, 4096);
    CHECK(p[n - 1] == 0xA5 && p[n - 4097] == 0);
    ig_free_huge(p, n);
    CHECK(ig_alloc_huge(IG_HUGE_ALIGN + 1) == NULL); /* not a multiple */
}

int main(void)
{
    RUN(test_growth);
    RUN(test_reuse);
    RUN(test_nomem);
    RUN(test_huge);
    return harness_done();
}

/*
 * alloc.c: malloc wrappers with a countdown fault injector (see alloc.h).
 * The counter is process-wide; fault sweeps run single-threaded (the
 * commands use one thread when the injector is armed), so the n-th call is
 * the same call every time.
 */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || !defined(__linux__) || !defined(MADV_HUGEPAGE)
#define ALLOC_HUGE_MMAP 0
#else
#define ALLOC_HUGE_MMAP 1
#endif

static uint64_t alloc_calls;    /* allocations attempted so far */
static uint64_t alloc_fail_at;  /* call number that fails, 0 = never */
static int alloc_fail_forever;  /* keep failing after the first failure */

void ig_alloc_fail_at(uint64_t n, int forever)
{
    alloc_fail_at = n == 0 ? 0 : alloc_calls + n;
    alloc_fail_forever = forever;
}

uint64_t ig_alloc_count(void)
{
    return alloc_calls;
}

static int alloc_should_fail(void)
{
    /* Counted atomically (threads allocate at once; a sweep still runs
     * on one thread, so that the same call fails every time). */
    uint64_t n = __atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
    if (alloc_fail_at == 0)
        return 0;
    if (n == alloc_fail_at)
        return 1;
    return alloc_fail_forever && n > alloc_fail_at;
}

void *ig_malloc(size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *ig_calloc(size_t count, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *ig_realloc(void *p, size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void *ig_reallocarray(void *p, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return ig_realloc(p, count * size);
}

void ig_free(void *p)
{
    free(p);
}

void *ig_alloc_huge(size_t n)
{
    if (alloc_should_fail() || n == 0 || n % IG_HUGE_ALIGN != 0)
        return NULL;
#if ALLOC_HUGE_MMAP
    /* Map one alignment more than asked and unmap the ends: the kernel
     * can back only aligned 2 MiB ranges with huge pages. */
    if (n > SIZE_MAX - IG_HUGE_ALIGN)
        return NULL;
    size_t span = n + IG_HUGE_ALIGN;
    unsigned char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)m + IG_HUGE_ALIGN - 1) & ~(uintptr_t)(IG_HUGE_ALIGN - 1);
    unsigned char *p = (unsigned char *)a;
    if (p > m)
        munmap(m, (size_t)(p - m));
    if (m + span > p + n)
        munmap(p + n, (size_t)(m + span - (p + n)));
    (void)madvise(p, n, MADV_HUGEPAGE); /* advice: without it, small pages */
    return p;
#else
    void *p = aligned_alloc(IG_HUGE_ALIGN, n);
    if (p != NULL)
        memset(p, 0, n); /* zeroed, as a fresh mapping is */
    return p;
#endif
}

void ig_prefault_write(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE) && !defined(__SANITIZE_ADDRESS__)
    if (madvise(p, n, MADV_POPULATE_WRITE) == 0)
        return;
#endif
    memset(p, 0, n); /* (an older kernel, or not a mapping of its own) */
}

void ig_free_huge(void *p, size_t n)
{
    if (p == NULL)
        return;
#if ALLOC_HUGE_MMAP
    munmap(p, n);
#else
    (void)n;
    free(p);
#endif
}

char *ig_strndup(const char *s, size_t n)
{
    char *d = ig_malloc(ig_size_add(n, 1));
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ig_strdup(const char *s)
{
    return ig_strndup(s, strlen(s));
}

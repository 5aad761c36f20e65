/*
 * alloc.h: the one allocator every igmap module uses.
 *
 * Ownership: memory from these functions is freed with ig_free() (which
 * accepts NULL), except ig_alloc_huge's, freed with ig_free_huge().  On
 * failure they return NULL and set nothing else; the caller turns that
 * into IG_ENOMEM with ig_err_nomem().
 *
 * Fault injection: ig_alloc_fail_at(n, forever) makes the n-th allocation
 * after the call fail (and, with forever, every one after it), so tests can
 * sweep every allocation site of an operation (SQLite's OOM loops).  The
 * driver arms it from the IG_FAIL_ALLOC environment variable ("N" or "N+").
 * The counter costs one increment per call; it is always compiled in.
 */
#ifndef IG_ALLOC_H
#define IG_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *ig_malloc(size_t n);
void *ig_calloc(size_t count, size_t size);
void *ig_realloc(void *p, size_t n);
/* realloc of count*size bytes, NULL (p untouched) when the product overflows. */
void *ig_reallocarray(void *p, size_t count, size_t size);
void ig_free(void *p);

/* Memory for a large arena that lives long and is written all over (the
 * index writer's postings slabs): n bytes, a multiple of IG_HUGE_ALIGN,
 * aligned to it and offered to the kernel for transparent huge pages
 * (madvise), which cut the page faults and TLB misses of scattered writes
 * (about 8% less index CPU on the 100 MB bench corpus, median of eight
 * alternating runs).  Zeroed.  Counted by the fault injector like every
 * allocation; freed with ig_free_huge(p, n).  Under AddressSanitizer it is
 * plain aligned_alloc, so leaks still show. */
#define IG_HUGE_ALIGN ((size_t)2 << 20)
void *ig_alloc_huge(size_t n);
void ig_free_huge(void *p, size_t n);
/* Fault the zeroed memory p[0..n) (ig_alloc_huge's) in for writing now;
 * it stays zero.  For memory whose first access is a read (a hash
 * table's probe): untouched, that read maps the kernel's shared zero page,
 * and the write that follows copies it and flushes the old mapping from
 * every core running the process (an interrupt each); a huge zero page is
 * split into small pages on that write.  Faulted in here, the table is in
 * huge pages where ig_alloc_huge's are, and no page is faulted twice. */
void ig_prefault_write(void *p, size_t n);
char *ig_strdup(const char *s);
/* Copy of s[0..n) plus a terminating NUL. */
char *ig_strndup(const char *s, size_t n);

/* Arm the fault injector: the n-th allocation from now fails (n >= 1); with
 * forever nonzero, all later ones fail too.  n == 0 disarms it. */
void ig_alloc_fail_at(uint64_t n, int forever);
/* Allocations made since the process started (for sizing fault sweeps). */
uint64_t ig_alloc_count(void);

/* a + b, or SIZE_MAX when it would overflow: lets size sums be checked once. */
static inline size_t ig_size_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

#endif

/*
 * harness.h: the unit-test harness, in one header (after Snowball's stemtest
 * and jq's tests: a table of cases, one check per row).
 *
 *   #include "harness.h"
 *   static void test_thing(void) { CHECK(f(1) == 2); CHECK_STR(s, "abc"); }
 *   int main(void) { RUN(test_thing); return harness_done(); }
 *
 * Every CHECK counts as one test; a failing check prints file:line and the
 * expression (and both values for the _EQ/_STR forms) and the run goes on.
 * harness_done() prints "N passed, M failed" (tests/run.sh sums these lines)
 * and returns the exit status.
 */
#ifndef IG_HARNESS_H
#define IG_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned harness_pass, harness_fail;
static const char *harness_test = "";

#define CHECK(cond) \
    do { \
        if (cond) harness_pass++; \
        else { \
            harness_fail++; \
            fprintf(stderr, "FAIL %s:%d: [%s] %s\n", __FILE__, __LINE__, harness_test, #cond); \
        } \
    } while (0)

#define CHECK_EQ(a, b) \
    do { \
        long long a_ = (long long)(a), b_ = (long long)(b); \
        if (a_ == b_) harness_pass++; \
        else { \
            harness_fail++; \
            fprintf(stderr, "FAIL %s:%d: [%s] %s == %s (%lld != %lld)\n", __FILE__, \
                    __LINE__, harness_test, #a, #b, a_, b_); \
        } \
    } while (0)

#define CHECK_STR(a, b) \
    do { \
        const char *a_ = (a), *b_ = (b); \
        if (a_ && b_ && strcmp(a_, b_) == 0) harness_pass++; \
        else { \
            harness_fail++; \
            fprintf(stderr, "FAIL %s:%d: [%s] %s == %s (\"%s\" != \"%s\")\n", __FILE__, \
                    __LINE__, harness_test, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
        } \
    } while (0)

/* Compare n bytes, e.g. a non-terminated token. */
#define CHECK_MEM(p, n, s) \
    do { \
        const char *p_ = (const char *)(p), *s_ = (s); \
        size_t n_ = (size_t)(n); \
        if (n_ == strlen(s_) && memcmp(p_, s_, n_) == 0) harness_pass++; \
        else { \
            harness_fail++; \
            fprintf(stderr, "FAIL %s:%d: [%s] \"%.*s\" != \"%s\"\n", __FILE__, __LINE__, \
                    harness_test, (int)n_, p_, s_); \
        } \
    } while (0)

#define RUN(fn) do { harness_test = #fn; fn(); } while (0)

/* The next number of a xorshift64 generator for test data (*state is not
 * 0): the same sequence on every machine, so a failure replays. */
static inline uint64_t harness_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static inline int harness_done(void)
{
    printf("%u passed, %u failed\n", harness_pass, harness_fail);
    return harness_fail ? 1 : 0;
}

#endif

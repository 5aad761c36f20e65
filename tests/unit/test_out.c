/*
 * test_out.c: pipeline/out.c's ig_out_writev, the evidence writer's way of
 * handing many buffers to the file at once.
 *
 *  - content: what is buffered before, pieces of every size (empty ones,
 *    one over the buffer, more pieces than one writev takes) and what is
 *    written after come out in order, byte for byte, on both of its paths
 *    (copied into the buffer when small, written from the pieces when not);
 *  - failures: every low-level call of a run failing in turn
 *    (ig_out_fail_at) is reported by the commit and leaves no file;
 *  - short writes: to a pipe read slowly, with a timer's signal breaking
 *    the writevs off mid-piece again and again, the bytes still arrive
 *    whole and in order; a file size limit that cuts a writev and then
 *    refuses more is reported by the commit, the output left out;
 *  - streaming (ig_out_stream): files of whole 8 MB chunks, of chunks and
 *    a tail shorter than a block, of a tail of whole blocks, written in
 *    pieces of every size (one larger than a chunk), come out byte for
 *    byte, and not through the page cache where the file system takes
 *    O_DIRECT; a small file, or a request after the first bytes left the
 *    buffer, is written as ever; ig_out_skip after streaming lands the
 *    next bytes at the right offset, and ig_out_dup ends the stream so
 *    that a second descriptor can write unaligned bytes ahead; an abort mid-stream leaves nothing;
 *    a file size limit the writer thread runs into is reported by the
 *    commit, the output left out.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "harness.h"
#include "out.h"

static char tmpdir[64];

/* Deterministic bytes: piece k's byte i. */
static unsigned char byte_of(size_t k, size_t i)
{
    return (unsigned char)('a' + (k * 7 + i * 13) % 26);
}

/* The pieces of one run: sizes from a list, bytes from byte_of. */
typedef struct run {
    ig_piece *p;
    unsigned char **mem;
    size_t n;
} run;

static void run_make(run *r, const size_t *sizes, size_t n)
{
    r->n = n;
    r->p = calloc(n, sizeof *r->p);
    r->mem = calloc(n, sizeof *r->mem);
    for (size_t k = 0; k < n; k++) {
        r->mem[k] = malloc(sizes[k] + 1);
        for (size_t i = 0; i < sizes[k]; i++)
            r->mem[k][i] = byte_of(k, i);
        r->p[k].p = r->mem[k];
        r->p[k].n = sizes[k];
    }
}

static void run_free(run *r)
{
    for (size_t k = 0; k < r->n; k++)
        free(r->mem[k]);
    free(r->mem);
    free(r->p);
}

/* "head," + the pieces + ",tail", as a plain concatenation. */
static void expected(const run *r, ig_buf *want)
{
    ig_buf_reset(want);
    ig_buf_adds(want, "head,");
    for (size_t k = 0; k < r->n; k++)
        ig_buf_add(want, r->p[k].p, r->p[k].n);
    ig_buf_adds(want, ",tail");
}

/* Write the run to path: IG_OK when committed, else the commit's code. */
static int write_run(const run *r, const char *path, ig_err *e)
{
    ig_out *o;
    ig_err_clear(e);
    int rc = ig_out_open(&o, path, "test", e);
    if (rc != IG_OK)
        return rc;
    ig_out_puts(o, "head,");
    ig_out_writev(o, r->p, r->n);
    /* The handle counts what it was given, written or buffered. */
    uint64_t given = 5;
    for (size_t k = 0; k < r->n; k++)
        given += r->p[k].n;
    CHECK_EQ(ig_out_tell(o), given);
    /* After a failure, writes do nothing (out.h). */
    int failed = ig_out_puts(o, ",tail") != IG_OK;
    CHECK_EQ(ig_out_tell(o), given + (failed ? 0 : 5));
    return ig_out_commit(o, e);
}

static void read_file(const char *path, ig_buf *got)
{
    ig_buf_reset(got);
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t k;
    while (f && (k = fread(buf, 1, sizeof buf, f)) > 0)
        ig_buf_add(got, buf, k);
    if (f)
        fclose(f);
}

static int same(const ig_buf *a, const ig_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Sizes: small (the copying path); around and over the 64 KiB buffer;
 * 3000 pieces (over the 1024 a writev takes), empty ones among them. */
static void sizes_many(size_t *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        s[k] = k % 17 == 0 ? 0 : 1 + (k * 31) % 97;
}

static void test_content(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/v.csv", tmpdir);
    ig_buf want = IG_BUF_INIT, got = IG_BUF_INIT;
    ig_err e;
    static const size_t small[] = { 3, 0, 10, 1 };
    static const size_t big[] = { 0, 65535, 1, 65536, 0, 200000, 7 };
    static size_t many[3000];
    sizes_many(many, 3000);
    /* The last: no pieces at all. */
    const size_t *lists[] = { small, big, many, small };
    const size_t counts[] = { 4, 7, 3000, 0 };
    for (int t = 0; t < 4; t++) {
        run r;
        run_make(&r, lists[t], counts[t]);
        expected(&r, &want);
        CHECK_EQ(write_run(&r, path, &e), IG_OK);
        read_file(path, &got);
        CHECK(same(&got, &want));
        unlink(path);
        run_free(&r);
    }
    ig_buf_free(&want);
    ig_buf_free(&got);
}

/* Every low-level call failing in turn: the commit reports it, no file;
 * the first run that gets through writes the right bytes. */
static void test_failures(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/f.csv", tmpdir);
    static size_t many[3000];
    sizes_many(many, 3000);
    many[5] = 300000; /* one piece that is a write of its own */
    run r;
    run_make(&r, many, 3000);
    ig_buf want = IG_BUF_INIT, got = IG_BUF_INIT;
    expected(&r, &want);
    ig_err e;
    int failed = 0, ok = 0;
    for (uint64_t n = 1; n < 100 && !ok; n++) {
        ig_out_fail_at(n);
        int rc = write_run(&r, path, &e);
        ig_out_fail_at(0);
        struct stat st;
        if (rc == IG_OK) {
            ok = 1;
            read_file(path, &got);
            CHECK(same(&got, &want));
        } else {
            failed++;
            CHECK(e.msg[0] != '\0');
            CHECK(stat(path, &st) != 0);
        }
    }
    CHECK(ok);
    /* Calls before success: the writevs (64 KiB each, the large piece one
     * of its own), then the commit's flush, fsync, close and rename. */
    CHECK(failed >= 8);
    unlink(path);
    run_free(&r);
    ig_buf_free(&want);
    ig_buf_free(&got);
}

/* A file size limit in a child: the writev stops inside a piece, the next
 * one fails with EFBIG, and the commit says so and leaves no file. */
static void test_short_write(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/s.csv", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = { 100000, 100000 };
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(9);
        static const size_t sizes[] = { 40000, 50000, 30000, 20000 };
        run r;
        run_make(&r, sizes, 4);
        ig_err e;
        int rc = write_run(&r, path, &e);
        struct stat st;
        int gone = stat(path, &st) != 0;
        int named = strstr(e.msg, "write") != NULL;
        _exit(rc == IG_ESYS && gone && named && harness_fail == 0 ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void on_alarm(int sig)
{
    (void)sig;
}

/* Standard output on a pipe, the writer interrupted every 50 us (no
 * SA_RESTART: a writev the signal cuts returns what it wrote so far). */
static void test_pipe_interrupted(void)
{
    static size_t sizes[400];
    for (size_t k = 0; k < 400; k++)
        sizes[k] = k % 9 == 0 ? 70000 : 1 + (k * 37) % 5000;
    run r;
    run_make(&r, sizes, 400);
    ig_buf want = IG_BUF_INIT, got = IG_BUF_INIT;
    expected(&r, &want);
    int fd[2];
    CHECK(pipe(fd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], 1) < 0)
            _exit(9);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval it = { { 0, 50 }, { 0, 50 } };
        setitimer(ITIMER_REAL, &it, NULL);
        ig_err e;
        _exit(write_run(&r, "-", &e) == IG_OK && harness_fail == 0 ? 0 : 1);
    }
    close(fd[1]);
    char buf[4096];
    ssize_t k;
    size_t reads = 0;
    while ((k = read(fd[0], buf, sizeof buf)) > 0) {
        ig_buf_add(&got, buf, (size_t)k);
        if (++reads % 16 == 0)
            usleep(100); /* let the pipe fill: the writer blocks, and is cut */
    }
    close(fd[0]);
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(same(&got, &want));
    run_free(&r);
    ig_buf_free(&want);
    ig_buf_free(&got);
}

/* ---- streaming ---------------------------------------------------------- */

#define MB ((size_t)1 << 20)

/* Byte i of a streamed file. */
static unsigned char stream_byte(size_t i)
{
    return (unsigned char)(' ' + (i * 2654435761u >> 7) % 95);
}

/* Write total bytes to path with ig_out_stream asked for at `ask` bytes
 * (0: at once), in pieces cycling through write, writev (of three pieces)
 * and puts-sized bits; IG_OK when committed. */
static int stream_run(const char *path, size_t total, size_t ask, ig_err *e)
{
    static const size_t cut[] = { 1, 4095, 70000, 9 * MB, 333, 65536, 4096, 2 * MB + 17 };
    unsigned char *b = malloc(total + 1);
    for (size_t i = 0; i < total; i++)
        b[i] = stream_byte(i);
    ig_out *o;
    ig_err_clear(e);
    int rc = ig_out_open(&o, path, "test", e);
    if (rc != IG_OK) {
        free(b);
        return rc;
    }
    if (ask == 0)
        ig_out_stream(o);
    size_t at = 0;
    for (unsigned k = 0; at < total; k++) {
        if (ask && at >= ask) {
            ig_out_stream(o);
            ask = 0;
        }
        size_t n = cut[k % 8];
        n = n < total - at ? n : total - at;
        if (k % 3 == 1) {
            ig_piece p[3] = { { b + at, n / 3 }, { b + at + n / 3, 0 },
                              { b + at + n / 3, n - n / 3 } };
            ig_out_writev(o, p, 3);
        } else {
            ig_out_write(o, b + at, n);
        }
        at += n;
        CHECK_EQ(ig_out_tell(o), at);
    }
    free(b);
    return ig_out_commit(o, e);
}

static int stream_check(const char *path, size_t total)
{
    ig_buf got = IG_BUF_INIT;
    read_file(path, &got);
    int ok = got.len == total;
    for (size_t i = 0; ok && i < total; i++)
        ok = (unsigned char)got.data[i] == stream_byte(i);
    ig_buf_free(&got);
    return ok;
}

/* Pages of path in the page cache (mincore), or -1 if it cannot tell. */
static long cached_pages(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return -1;
    long pg = sysconf(_SC_PAGESIZE);
    size_t np = ((size_t)st.st_size + (size_t)pg - 1) / (size_t)pg;
    unsigned char *v = malloc(np);
    long n = -1;
    if (mincore(m, (size_t)st.st_size, v) == 0) {
        n = 0;
        for (size_t i = 0; i < np; i++)
            n += v[i] & 1;
    }
    free(v);
    munmap(m, (size_t)st.st_size);
    return n;
}

/* 1 if files in tmpdir can be opened with O_DIRECT. */
static int direct_ok(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/d", tmpdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_DIRECT, 0600);
    if (fd >= 0)
        close(fd);
    unlink(path);
    return fd >= 0;
}

static void test_stream(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/st.csv", tmpdir);
    ig_err e;
    int direct = direct_ok();
    /* Whole chunks; chunks and a short tail; a tail of whole blocks; a
     * file that never leaves the buffer; asked for too late. */
    static const struct {
        size_t total, ask;
        int streams;
    } t[] = {
        { 16 * MB, 0, 1 },
        { 19 * MB + 1234, 0, 1 },
        { 25 * MB + 3 * 4096, 0, 1 },
        { 60000, 0, 0 },
        { 12 * MB, 100000, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        CHECK_EQ(stream_run(path, t[i].total, t[i].ask, &e), IG_OK);
        /* Streamed, the direct chunks never entered the page cache (at
         * most the last chunk's tail did); else the whole file is there.
         * Asked before the file is read back. */
        long c = cached_pages(path);
        if (direct)
            CHECK(t[i].streams ? c >= 0 && c <= 1 : c > 1);
        CHECK(stream_check(path, t[i].total));
        unlink(path);
    }
}

/* A handle on path, streamed, with n stream bytes written (their copy in
 * *b, for the caller to free). */
static ig_out *stream_written(const char *path, size_t n, unsigned char **b)
{
    *b = malloc(n);
    for (size_t i = 0; i < n; i++)
        (*b)[i] = stream_byte(i);
    ig_out *o = NULL;
    ig_err e;
    CHECK_EQ(ig_out_open(&o, path, "test", &e), IG_OK);
    ig_out_stream(o);
    ig_out_write(o, *b, n);
    return o;
}

/* 1 if path holds b[0..n) and then tail[0..nt), exactly. */
static int holds(const char *path, const unsigned char *b, size_t n, const char *tail, size_t nt)
{
    ig_buf got = IG_BUF_INIT;
    read_file(path, &got);
    int ok = got.len == n + nt && memcmp(got.data, b, n) == 0 &&
             memcmp(got.data + n, tail, nt) == 0;
    ig_buf_free(&got);
    return ok;
}

/* Streaming ended by ig_out_skip: the hole, then the next bytes. */
static void test_stream_skip(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/sk.csv", tmpdir);
    size_t n = 9 * MB + 5;
    unsigned char *b;
    ig_out *o = stream_written(path, n, &b);
    ig_err e;
    CHECK_EQ(ig_out_skip(o, 10), IG_OK);
    ig_out_puts(o, "end");
    CHECK_EQ(ig_out_tell(o), n + 13);
    CHECK_EQ(ig_out_commit(o, &e), IG_OK);
    CHECK(holds(path, b, n, "\0\0\0\0\0\0\0\0\0\0end", 13));
    free(b);
    unlink(path);
}

/* Streaming ended by ig_out_dup: the second descriptor writes a range
 * ahead (pwrite, no O_DIRECT left on the file), the handle skips it and
 * goes on. */
static void test_stream_dup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/dup.csv", tmpdir);
    size_t n = 17 * MB + 3;
    unsigned char *b;
    ig_out *o = stream_written(path, n, &b);
    ig_err e;
    int fd = ig_out_dup(o);
    CHECK(fd >= 0);
    int err = 0;
    /* 5 odd bytes at an odd offset: refused while O_DIRECT were on */
    CHECK_EQ(ig_out_pwrite(fd, n + 3, "ahead", 5, &err), IG_OK);
    close(fd);
    ig_out_puts(o, "abc");
    CHECK_EQ(ig_out_skip(o, 5), IG_OK);
    ig_out_puts(o, "z");
    CHECK_EQ(ig_out_tell(o), n + 9);
    CHECK_EQ(ig_out_commit(o, &e), IG_OK);
    CHECK(holds(path, b, n, "abcaheadz", 9));
    free(b);
    unlink(path);
}

/* An abort mid-stream leaves neither the temporary file nor a target. */
static void test_stream_abort(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/ab.csv", tmpdir);
    unsigned char *b;
    ig_out_abort(stream_written(path, 20 * MB, &b));
    free(b);
    struct stat st;
    CHECK(stat(path, &st) != 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", tmpdir);
    CHECK(system(cmd) != 0);
}

/* The writer thread runs into a file size limit (EFBIG): the commit
 * reports it and leaves no file. */
static void test_stream_limit(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/lim.csv", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = { 10 * MB + 100, 10 * MB + 100 };
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(9);
        ig_err e;
        int rc = stream_run(path, 30 * MB + 7, 0, &e);
        struct stat st;
        int gone = stat(path, &st) != 0;
        int named = strstr(e.msg, "write") != NULL;
        _exit(rc == IG_ESYS && gone && named && harness_fail == 0 ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/igmap-test-out.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_content);
    RUN(test_failures);
    RUN(test_short_write);
    RUN(test_pipe_interrupted);
    RUN(test_stream);
    RUN(test_stream_skip);
    RUN(test_stream_dup);
    RUN(test_stream_abort);
    RUN(test_stream_limit);
    rmdir(tmpdir);
    return harness_done();
}

/*
 * out.c: atomic output files (see out.h).  The buffer is ours rather than
 * stdio's so that every failing write is seen at the call that failed (for
 * a streamed file, ig_out_stream, at the next call after the writer thread
 * met it), and so the fault injector sits under every byte that leaves the
 * process.
 *
 * ===================================================================
 *  Committing several files together: the commit journal, version 1
 * ===================================================================
 *
 * One rename is atomic; several are not.  ig_out_commit_all() makes the
 * replacement of n targets (index.igx and documents.csv; classify's six
 * files; map's six tables) all-or-nothing as far as any igmap command can
 * tell, across errors and crashes (FAULTS.md P1, F48):
 *
 *   1. Prepare.  Every temporary file is flushed, fsynced and closed.  A
 *      failure here removes the temporary files; nothing else changed.
 *   2. Backups.  Each existing target gets a hard link "<temp>.old".
 *   3. Journal.  The list of (temporary, target, backup) names is written
 *      to "<dir>/.igmap-journal", dir being the first target's directory,
 *      atomically (temporary file, fsync, rename, fsync of dir).  This is
 *      the commit point: from here on the new versions are the outcome,
 *      and whoever finds the journal finishes the job.  (A single target
 *      needs no journal: its rename is the commit point.)
 *   4. Renames, each temporary file over its target, in order.
 *   5. The journal is removed (unlink, fsync of dir), then the backups.
 *
 * A rename that fails in step 4 (an error, not a crash) rolls back: the
 * journal is first rewritten with mode "abort", then each target already
 * replaced is put back from its backup (or removed, if it did not exist
 * before), then the temporary files, backups and journal are removed.  If
 * even the abort journal cannot be written, the rollback still runs; a
 * crash inside it then completes the commit instead: all new, never a mix.
 *
 * The file, text:
 *     igmap-commit 1 forward          (or "abort")
 *     <temporary> TAB <target> TAB <backup>        one line per target
 * <backup> is empty when the target did not exist.  A name is a bare file
 * name when the file lies in the journal's directory, else an absolute
 * path.  Names holding a tab or newline cannot be journaled; such a commit
 * fails in step 3, before anything changed.
 *
 * Recovery, ig_out_recover(dir): every igmap command that writes into dir
 * runs it (holding dir's lock, lock.h) before it reads or writes there,
 * and commands that only read an index run it on the index's directory
 * when no other process holds that lock (cmd.c cmd_settle).  "forward":
 * each temporary file that still exists is renamed over its target; then
 * the backups and the journal are removed.  "abort": a temporary file that
 * still exists is removed (its target was never touched); otherwise the
 * target is put back from its backup if that still exists, or removed if
 * the record has no backup; then the backups and the journal are removed.
 * Every step can be repeated, so a crash during recovery is finished by
 * the next one.  A journal that does not parse is an error naming its
 * line, and nothing is guessed.  ig_out_sweep_stale() leaves a directory
 * with a journal alone: the temporary files it names are the new data.
 * (A target outside the journal's directory, `igmap index --documents
 * elsewhere/x.csv`, has its temporary file there, where a sweep of that
 * other directory cannot see the journal; the Makefile keeps every
 * commit inside out/NAME.)
 *
 * Past the commit point the temporary files are no longer removed by the
 * signal handler (ig_out_cleanup_all): they are the new outputs, and a
 * SIGINT between two renames leaves them to recovery like a SIGKILL.
 *
 * Test hook: ig_out_kill_after_renames(k) (IG_FAIL_KILL_RENAME=k) raises
 * SIGKILL right after the k-th rename of step 4, of a rollback, or of
 * recovery, to stand for a crash between two renames.
 * ===================================================================
 */
#include "out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "fsutil.h"

#define OUT_BUFSZ 65536
#define OUT_MAX_TEMPS 64 /* simultaneously open temp files per process */

typedef struct out_stream out_stream;

struct ig_out {
    int fd;                 /* temp file, or 1 for stdout */
    int is_stdout;          /* "-" target: no rename, no fsync */
    int failed;             /* first failure code, sticky */
    int fail_errno;         /* errno of that failure */
    const char *fail_what;  /* "write", "fsync", ... */
    uint64_t written;       /* bytes accepted so far */
    uint64_t wb_done;       /* bytes ig_out_writeback() has asked for */
    size_t used;            /* bytes in buf */
    int want_stream;        /* ig_out_stream() asked for it */
    out_stream *st;         /* streaming past the page cache, or NULL */
    int slot;               /* index in out_temps, -1 for stdout */
    char stage[24];
    char path[PATH_MAX];    /* target */
    char tmp[PATH_MAX];     /* temp file */
    unsigned char buf[OUT_BUFSZ];
};

/* Temp paths registered for signal-time cleanup.  Written only outside
 * signal handlers; the handler reads them, so each slot is filled before it
 * is marked live. */
static char out_temps[OUT_MAX_TEMPS][PATH_MAX];
static volatile sig_atomic_t out_live[OUT_MAX_TEMPS];

static uint64_t out_calls, out_fail_at;

void ig_out_fail_at(uint64_t n)
{
    out_fail_at = n == 0 ? 0 : out_calls + n;
}

int ig_out_fail_armed(void)
{
    return out_fail_at != 0;
}

/* One low-level call is about to happen: should it fail?  (Counted
 * atomically: two handles may be written from two threads.) */
static int out_inject(void)
{
    uint64_t n = __atomic_add_fetch(&out_calls, 1, __ATOMIC_RELAXED);
    return out_fail_at != 0 && n == out_fail_at;
}

static void out_fail(ig_out *o, const char *what, int err)
{
    if (o->failed)
        return;
    o->failed = IG_ESYS;
    o->fail_errno = err;
    o->fail_what = what;
}

/* Write p[0..n) to fd whole, at its file position (at == UINT64_MAX) or at
 * offset at (pwrite); IG_OK, or IG_ESYS with the errno in *err.  Every
 * call counts for ig_out_fail_at(). */
static int out_write_all(int fd, uint64_t at, const unsigned char *p, size_t n, int *err)
{
    while (n > 0) {
        ssize_t w;
        if (out_inject()) {
            errno = ENOSPC;
            w = -1;
        } else {
            w = at == UINT64_MAX ? write(fd, p, n) : pwrite(fd, p, n, (off_t)at);
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            return IG_ESYS;
        }
        p += w;
        n -= (size_t)w;
        if (at != UINT64_MAX)
            at += (uint64_t)w;
    }
    return IG_OK;
}

/* ---- streaming a large file past the page cache (ig_out_stream) ------- */

/* Why: classify's evidence.csv is larger than the index it comes from
 * (1.2 GB on the 1 GB bench corpus).  Written through the page cache, the
 * kernel first allocates and clears a page for every 4 KiB and then
 * copies the bytes in, on the cores that score: writing 1.8 GB that way
 * took 0.5 to 4.1 s of system time on the project's VM, and 0.16-0.18 s
 * with O_DIRECT (dd, 2026-11-22).  With O_DIRECT the device takes the
 * bytes from our buffers; a writer thread waits for it, so the threads
 * that make the bytes never do.
 *
 * Chunk k holds the file's bytes [k * OUT_ST_CHUNK, (k + 1) * OUT_ST_CHUNK)
 * in buffer k mod OUT_ST_NBUF (the stream starts at offset 0: it begins
 * while every byte so far is still in the handle's buffer), so every
 * direct write starts at an aligned offset, from an aligned buffer, with an
 * aligned length, except the tail of the last chunk, which goes through
 * the page cache after O_DIRECT is turned off again.  A file system that
 * takes the flag but refuses a direct write (EINVAL) gets the rest
 * through the page cache: same bytes, at the same offsets. */
#define OUT_ST_CHUNK ((size_t)8 << 20)  /* a multiple of IG_HUGE_ALIGN */
#define OUT_ST_NBUF 3
#define OUT_ST_ALIGN ((size_t)4096)     /* any device's logical block divides it */
#ifdef O_DIRECT
#define OUT_ST_OK 1
#else
#define OUT_ST_OK 0 /* no O_DIRECT here: ig_out_stream changes nothing */
#define O_DIRECT 0
#endif

struct out_stream {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* either side waiting for the other */
    unsigned char *buf[OUT_ST_NBUF];
    size_t len[OUT_ST_NBUF]; /* bytes of the queued chunk in each buffer */
    uint64_t queued;         /* chunks handed to the writer (owner writes) */
    uint64_t done;           /* chunks the writer finished (writer writes) */
    int ended;               /* no chunk will follow the queued ones */
    int abandon;             /* ig_out_abort: write nothing more */
    int err;                 /* the writer's first errno, 0 if none */
    const char *what;
    int direct;              /* O_DIRECT is on (writer's, after the start) */
    size_t fill;             /* bytes in the chunk being filled */
};

static void stream_direct_off(out_stream *s, int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_DIRECT);
    s->direct = 0;
}

/* Write chunk bytes p[0..n) at off: the aligned part directly, the rest
 * (the last chunk's tail) through the page cache.  0 or an errno. */
static int stream_chunk(out_stream *s, int fd, uint64_t off, const unsigned char *p, size_t n)
{
    int err = 0;
    size_t a = s->direct ? n & ~(OUT_ST_ALIGN - 1) : 0;
    if (a > 0 && out_write_all(fd, off, p, a, &err) != IG_OK) {
        if (err != EINVAL)
            return err;
        a = 0; /* refused: all of it again, through the page cache */
    }
    if (a < n) {
        if (s->direct)
            stream_direct_off(s, fd);
        if (out_write_all(fd, off + a, p + a, n - a, &err) != IG_OK)
            return err;
    }
    return 0;
}

static void *stream_main(void *arg)
{
    ig_out *o = arg;
    out_stream *s = o->st;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->done == s->queued) {
            if (s->ended)
                break;
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        uint64_t k = s->done;
        size_t n = s->len[k % OUT_ST_NBUF];
        int skip = s->err != 0 || s->abandon;
        pthread_mutex_unlock(&s->mu);
        int err = skip ? 0 : stream_chunk(s, o->fd, k * OUT_ST_CHUNK, s->buf[k % OUT_ST_NBUF], n);
        pthread_mutex_lock(&s->mu);
        if (err && s->err == 0) {
            s->err = err;
            s->what = "write error";
        }
        s->done++;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void stream_free(out_stream *s)
{
    for (int i = 0; i < OUT_ST_NBUF; i++)
        if (s->buf[i])
            ig_free_huge(s->buf[i], OUT_ST_CHUNK);
    ig_free(s);
}

/* Start streaming o, whose bytes so far are all in its buffer.  Nothing
 * changes when it cannot: no memory, no O_DIRECT on this file system, no
 * thread, or a fault sweep armed (the writer thread would interleave its
 * counted calls with other handles'). */
static void stream_start(ig_out *o)
{
    o->want_stream = 0;
    if (!OUT_ST_OK || ig_out_fail_armed())
        return;
    out_stream *s = ig_calloc(1, sizeof *s);
    if (s == NULL)
        return;
    for (int i = 0; i < OUT_ST_NBUF; i++)
        if ((s->buf[i] = ig_alloc_huge(OUT_ST_CHUNK)) == NULL) {
            stream_free(s);
            return;
        }
    int fl = fcntl(o->fd, F_GETFL);
    if (fl < 0 || fcntl(o->fd, F_SETFL, fl | O_DIRECT) != 0) {
        stream_free(s);
        return;
    }
    s->direct = 1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    memcpy(s->buf[0], o->buf, o->used);
    s->fill = o->used;
    o->used = 0;
    o->st = s;
    if (pthread_create(&s->th, NULL, stream_main, o) != 0) {
        o->used = s->fill;
        memcpy(o->buf, s->buf[0], o->used);
        o->st = NULL;
        stream_direct_off(s, o->fd);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        stream_free(s);
    }
}

/* Hand the filled chunk to the writer; wait until the next one's buffer
 * is free.  A failure the writer met becomes the handle's. */
static void stream_hand(ig_out *o)
{
    out_stream *s = o->st;
    pthread_mutex_lock(&s->mu);
    s->len[s->queued % OUT_ST_NBUF] = s->fill;
    s->queued++;
    pthread_cond_broadcast(&s->cv);
    while (s->queued - s->done >= OUT_ST_NBUF)
        pthread_cond_wait(&s->cv, &s->mu);
    int err = s->err;
    const char *what = s->what;
    pthread_mutex_unlock(&s->mu);
    s->fill = 0;
    if (err)
        out_fail(o, what, err);
}

static int stream_put(ig_out *o, const void *p, size_t n)
{
    out_stream *s = o->st;
    const unsigned char *b = p;
    o->written += n;
    while (n > 0 && !o->failed) {
        size_t c = OUT_ST_CHUNK - s->fill;
        c = n < c ? n : c;
        memcpy(s->buf[s->queued % OUT_ST_NBUF] + s->fill, b, c);
        s->fill += c;
        b += c;
        n -= c;
        if (s->fill == OUT_ST_CHUNK)
            stream_hand(o);
    }
    return o->failed;
}

/* End the stream: the last chunk written (unless abandon), the writer
 * joined, O_DIRECT off and the file position at the end, so the handle
 * goes on as an ordinary one. */
static void stream_end(ig_out *o, int abandon)
{
    out_stream *s = o->st;
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    if (!abandon && !o->failed && s->fill > 0) {
        s->len[s->queued % OUT_ST_NBUF] = s->fill;
        s->queued++;
    }
    s->ended = 1;
    s->abandon = abandon || o->failed;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->th, NULL);
    if (s->err)
        out_fail(o, s->what, s->err);
    if (s->direct)
        stream_direct_off(s, o->fd);
    if (!abandon && lseek(o->fd, (off_t)o->written, SEEK_SET) < 0)
        out_fail(o, "seek error", errno);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    stream_free(s);
    o->st = NULL;
}

void ig_out_stream(ig_out *o)
{
    if (!o->is_stdout && o->st == NULL && o->written == o->used)
        o->want_stream = 1;
}

/* Before n more bytes: start the stream when it is wanted and they would
 * take the first bytes out of the buffer. */
static void stream_maybe(ig_out *o, size_t n)
{
    if (o->want_stream && o->used + n > OUT_BUFSZ) {
        if (o->written == o->used)
            stream_start(o);
        else
            o->want_stream = 0;
    }
}

static void out_flush(ig_out *o)
{
    int err;
    stream_end(o, 0);
    if (o->used > 0 && !o->failed &&
        out_write_all(o->fd, UINT64_MAX, o->buf, o->used, &err) != IG_OK)
        out_fail(o, "write error", err);
    o->used = 0;
}

int ig_mkdirs(const char *path, const char *stage, ig_err *e)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp)
        return ig_err_data(e, stage, path, "bad directory path");
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        char c = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            errno = errno ? errno : EIO;
            return ig_err_sys(e, stage, tmp, "cannot create directory");
        }
        tmp[i] = c;
    }
    return IG_OK;
}

int ig_out_open(ig_out **op, const char *path, const char *stage, ig_err *e)
{
    *op = NULL;
    ig_out *o = ig_calloc(1, sizeof *o);
    if (o == NULL)
        return ig_err_nomem(e, stage);
    o->slot = -1;
    snprintf(o->stage, sizeof o->stage, "%s", stage);
    if (strcmp(path, "-") == 0) {
        o->fd = 1;
        o->is_stdout = 1;
        snprintf(o->path, sizeof o->path, "<stdout>");
        *op = o;
        return IG_OK;
    }
    if (strlen(path) + 32 >= sizeof o->tmp) {
        ig_free(o);
        return ig_err_data(e, stage, path, "output path too long");
    }
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld.XXXXXX", path, (long)getpid());
    int slot = -1;
    for (int i = 0; i < OUT_MAX_TEMPS; i++)
        if (!out_live[i]) {
            slot = i;
            break;
        }
    if (slot < 0) {
        ig_free(o);
        return ig_err_set(e, IG_ELIMIT, stage, path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "too many output files open at once");
    }
    o->fd = mkstemp(o->tmp);
    if (o->fd < 0) {
        int rc = ig_err_sys(e, stage, path, "cannot create temporary output file");
        ig_free(o);
        return rc;
    }
    /* mkstemp makes 0600; outputs are ordinary files. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(o->fd, 0666 & ~mask);
    memcpy(out_temps[slot], o->tmp, strlen(o->tmp) + 1);
    out_live[slot] = 1;
    o->slot = slot;
    *op = o;
    return IG_OK;
}

int ig_out_write(ig_out *o, const void *p, size_t n)
{
    const unsigned char *s = p;
    if (o->failed)
        return o->failed;
    stream_maybe(o, n);
    if (o->st)
        return stream_put(o, p, n);
    o->written += n;
    while (n > 0) {
        size_t room = OUT_BUFSZ - o->used;
        size_t c = n < room ? n : room;
        memcpy(o->buf + o->used, s, c);
        o->used += c;
        s += c;
        n -= c;
        if (o->used == OUT_BUFSZ)
            out_flush(o);
        if (o->failed)
            return o->failed;
    }
    return IG_OK;
}

/* Pieces a writev takes at most (POSIX guarantees 16; Linux takes
 * 1024). */
#if defined(IOV_MAX) && IOV_MAX < 1024
#define OUT_IOV IOV_MAX
#else
#define OUT_IOV 1024
#endif

/* Bytes a writev gathers before it is made (a piece is never split): one
 * writev of a whole block's evidence (16 MB) took the kernel three times
 * the system time of the same bytes in 64 KiB calls (classify on the 1 GB
 * bench index: 4.2-4.8 s against 0.9-1.4 s, copying into the page cache). */
#define OUT_WRITEV_BYTES 65536

int ig_out_writev(ig_out *o, const ig_piece *piece, size_t n)
{
    if (o->failed)
        return o->failed;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += piece[i].n;
    stream_maybe(o, total);
    if (o->st) {
        for (size_t i = 0; i < n && !o->failed; i++)
            stream_put(o, piece[i].p, piece[i].n);
        return o->failed;
    }
    if (total <= OUT_BUFSZ - o->used) {
        for (size_t i = 0; i < n; i++)
            ig_out_write(o, piece[i].p, piece[i].n);
        return o->failed;
    }
    o->written += total;
    struct iovec v[OUT_IOV];
    size_t nv = 0, next = 0;
    if (o->used > 0) {
        v[nv].iov_base = o->buf;
        v[nv++].iov_len = o->used;
    }
    o->used = 0;
    for (;;) {
        size_t bytes = 0;
        for (size_t i = 0; i < nv; i++)
            bytes += v[i].iov_len;
        while (nv < OUT_IOV && next < n && bytes < OUT_WRITEV_BYTES) {
            if (piece[next].n > 0) {
                v[nv].iov_base = (void *)(uintptr_t)piece[next].p;
                bytes += piece[next].n;
                v[nv++].iov_len = piece[next].n;
            }
            next++;
        }
        if (nv == 0)
            return IG_OK;
        ssize_t w;
        if (out_inject()) {
            errno = ENOSPC;
            w = -1;
        } else {
            w = writev(o->fd, v, (int)nv);
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            out_fail(o, "write error", errno);
            return o->failed;
        }
        /* Drop what was written, whole pieces and part of the next. */
        size_t done = (size_t)w, k = 0;
        while (k < nv && done >= v[k].iov_len)
            done -= v[k++].iov_len;
        if (k < nv) {
            v[k].iov_base = (char *)v[k].iov_base + done;
            v[k].iov_len -= done;
        }
        memmove(v, v + k, (nv - k) * sizeof *v);
        nv -= k;
    }
}

void ig_out_writeback_range(int fd, uint64_t off, uint64_t n)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    /* Errors are not ours to report here: the commit's fsync checks. */
    if (n > 0)
        (void)sync_file_range(fd, (off_t)off, (off_t)n, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    (void)off;
    (void)n;
#endif
}

void ig_out_writeback(ig_out *o)
{
    uint64_t on_file = o->written - o->used;
    if (o->is_stdout || o->st || o->failed || on_file <= o->wb_done)
        return;
    ig_out_writeback_range(o->fd, o->wb_done, on_file - o->wb_done);
    o->wb_done = on_file;
}

int ig_out_puts(ig_out *o, const char *s)
{
    return ig_out_write(o, s, strlen(s));
}

int ig_out_printf(ig_out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ig_out_write(o, "", 0);
    if ((size_t)n < sizeof small)
        return ig_out_write(o, small, (size_t)n);
    char *big = ig_malloc((size_t)n + 1);
    if (big == NULL) {
        out_fail(o, "out of memory", ENOMEM);
        return o->failed;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = ig_out_write(o, big, (size_t)n);
    ig_free(big);
    return rc;
}

uint64_t ig_out_tell(const ig_out *o)
{
    return o->written;
}

int ig_out_dup(ig_out *o)
{
    /* The copy would share O_DIRECT (a flag of the open file, not of the
     * descriptor): the stream ends first, the file position at its end. */
    if (o->st) {
        stream_end(o, 0);
        if (o->failed) {
            errno = o->fail_errno;
            return -1;
        }
    }
    if (o->is_stdout) {
        errno = EINVAL;
        return -1;
    }
    return fcntl(o->fd, F_DUPFD_CLOEXEC, 0);
}

int ig_out_pwrite(int fd, uint64_t off, const void *p, size_t n, int *err)
{
    return out_write_all(fd, off, p, n, err);
}

int ig_out_skip(ig_out *o, uint64_t n)
{
    if (o->is_stdout)
        return IG_EUSAGE;
    out_flush(o);
    if (o->failed)
        return o->failed;
    if (lseek(o->fd, (off_t)(o->written + n), SEEK_SET) < 0) {
        out_fail(o, "seek error", errno);
        return o->failed;
    }
    o->written += n;
    return IG_OK;
}

void ig_out_failed_with(ig_out *o, int err)
{
    out_fail(o, "write error", err);
}

static void out_release(ig_out *o)
{
    if (o->slot >= 0)
        out_live[o->slot] = 0;
    ig_free(o);
}

/* fsync the directory holding path so the rename itself is durable. */
static int out_sync_dir(const char *path)
{
    char dir[PATH_MAX];
    ig_path_dirname(path, dir, PATH_MAX);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    /* Some file systems refuse fsync on directories; that is not a failure
     * of ours to report. */
    if (rc != 0 && (errno == EINVAL || errno == EROFS))
        rc = 0;
    close(fd);
    return rc;
}

int ig_out_commit(ig_out *o, ig_err *e)
{
    out_flush(o);
    if (o->is_stdout) {
        int rc = IG_OK;
        if (o->failed) {
            /* A closed pipe (`igmap kwic ... | head`) is not worth a message. */
            if (o->fail_errno == EPIPE)
                rc = ig_err_set(e, IG_ESYS, o->stage, NULL, IG_ERR_NOPOS,
                                IG_ERR_NOPOS, IG_ERR_NOPOS, "broken pipe");
            else {
                errno = o->fail_errno;
                rc = ig_err_sys(e, o->stage, o->path, "%s", o->fail_what);
            }
        }
        out_release(o);
        return rc;
    }
    if (!o->failed) {
        if (out_inject()) {
            errno = EIO;
            out_fail(o, "fsync failed", errno);
        } else if (fsync(o->fd) != 0)
            out_fail(o, "fsync failed", errno);
    }
    int cerr = out_inject() ? (errno = EIO, -1) : close(o->fd);
    if (cerr != 0)
        out_fail(o, "close failed", errno);
    if (!o->failed) {
        if (out_inject()) {
            errno = EIO;
            out_fail(o, "rename failed", errno);
        } else if (rename(o->tmp, o->path) != 0)
            out_fail(o, "rename failed", errno);
    }
    if (o->failed) {
        unlink(o->tmp);
        errno = o->fail_errno;
        int rc = ig_err_sys(e, o->stage, o->path, "%s", o->fail_what);
        out_release(o);
        return rc;
    }
    int rc = IG_OK;
    if (out_sync_dir(o->path) != 0)
        rc = ig_err_sys(e, o->stage, o->path, "fsync of directory failed");
    out_release(o);
    return rc;
}

/* Flush, fsync and close o's temporary file (no rename); 0 or the first
 * failure recorded in o. */
static int out_prepare(ig_out *o)
{
    out_flush(o);
    if (o->is_stdout)
        return o->failed;
    if (!o->failed) {
        if (out_inject()) {
            errno = EIO;
            out_fail(o, "fsync failed", errno);
        } else if (fsync(o->fd) != 0)
            out_fail(o, "fsync failed", errno);
    }
    int cerr = out_inject() ? (errno = EIO, -1) : close(o->fd);
    o->fd = -1;
    if (cerr != 0)
        out_fail(o, "close failed", errno);
    return o->failed;
}

static int out_report(ig_out *o, ig_err *e, const char *what, int err)
{
    if (o->is_stdout && err == EPIPE)
        return ig_err_set(e, IG_ESYS, o->stage, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "broken pipe");
    errno = err;
    return ig_err_sys(e, o->stage, o->path, "%s", what);
}

/* ---- the commit journal (format and rules: top of this file) ---------- */

#define OUT_JOURNAL ".igmap-journal"
#define OUT_JOURNAL_MAX ((size_t)1 << 20)

static uint64_t out_renames, out_kill_after;

void ig_out_kill_after_renames(uint64_t k)
{
    out_kill_after = k == 0 ? 0 : out_renames + k;
}

/* A rename of a commit or recovery has just happened (test hook). */
static void out_renamed(void)
{
    out_renames++;
    if (out_kill_after != 0 && out_renames == out_kill_after)
        raise(SIGKILL);
}

/* The name the journal in jdir records for path: its base name when it
 * lies in jdir, else its absolute path.  -1 if that cannot be made, or
 * holds a tab or newline. */
static int out_jname(const char *path, const char *jdir, char *buf)
{
    char d[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    ig_path_dirname(path, d, PATH_MAX);
    if (strcmp(d, jdir) == 0) {
        if ((size_t)snprintf(buf, PATH_MAX, "%s", base) >= PATH_MAX)
            return -1;
    } else {
        if (realpath(d, real) == NULL)
            return -1;
        if ((size_t)snprintf(buf, PATH_MAX, "%s/%s", strcmp(real, "/") == 0 ? "" : real,
                             base) >= PATH_MAX)
            return -1;
    }
    return strpbrk(buf, "\t\n") == NULL ? 0 : -1;
}

/* Write the journal jpath (atomically, through ig_out) with mode "forward"
 * or "abort" for the targets of os[0..n) with backups bak[] (had[i] 0: no
 * backup). */
static int out_journal_write(const char *jpath, const char *jdir, const char *mode,
                             ig_out **os, size_t n, char (*bak)[PATH_MAX], const char *had,
                             const char *stage, ig_err *e)
{
    ig_out *j = NULL;
    char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
    int rc = ig_out_open(&j, jpath, stage, e);
    if (rc != IG_OK)
        return rc;
    ig_out_printf(j, "igmap-commit 1 %s\n", mode);
    for (size_t i = 0; i < n; i++) {
        ig_out *o = os[i];
        if (o == NULL || o->is_stdout)
            continue;
        c[0] = '\0';
        if (out_jname(o->tmp, jdir, a) != 0 || out_jname(o->path, jdir, b) != 0 ||
            (had[i] && out_jname(bak[i], jdir, c) != 0)) {
            ig_out_abort(j);
            return ig_err_data(e, stage, o->path,
                               "cannot record this file in the commit journal (a tab or "
                               "newline in its name, or an unresolvable directory)");
        }
        ig_out_printf(j, "%s\t%s\t%s\n", a, b, c);
    }
    return ig_out_commit(j, e);
}

/* Resolve a journal name against jdir into out (PATH_MAX); -1 if it is
 * neither a bare name nor an absolute path. */
static int out_jresolve(const char *name, const char *jdir, char *out)
{
    if (name[0] == '/')
        return (size_t)snprintf(out, PATH_MAX, "%s", name) < PATH_MAX ? 0 : -1;
    if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        return -1;
    return (size_t)snprintf(out, PATH_MAX, "%s/%s", jdir, name) < PATH_MAX ? 0 : -1;
}

static int out_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int ig_out_pending(const char *dir)
{
    char jpath[PATH_MAX];
    if ((size_t)snprintf(jpath, sizeof jpath, "%s/%s", dir, OUT_JOURNAL) >= sizeof jpath)
        return 0;
    return out_exists(jpath);
}

/* One pass of recovery over the journal's lines after the header,
 * p[0..n): check that every line parses (pass 0), apply them (pass 1), or
 * remove the backups (pass 2).  Returns IG_OK or the error, located at the
 * journal line. */
static int out_recover_pass(const char *jpath, const char *jdir, int forward, int pass,
                            char *p, size_t n, const char *stage, ig_err *e)
{
    uint64_t line = 1;
    char *end = p + n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        line++;
        if (nl == NULL)
            return ig_err_set(e, IG_EDATA, stage, jpath, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              "malformed commit journal (last line unterminated); check the "
                              "files it names, then remove it");
        *nl = '\0';
        char *t1 = strchr(p, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        char tmp[PATH_MAX], target[PATH_MAX], bak[PATH_MAX];
        if (t2 == NULL || strchr(t2 + 1, '\t') != NULL) {
            *nl = '\n';
            return ig_err_set(e, IG_EDATA, stage, jpath, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              "malformed commit journal (expected 3 tab-separated names); "
                              "check the files it names, then remove it");
        }
        *t1 = *t2 = '\0';
        int bad = out_jresolve(p, jdir, tmp) != 0 || out_jresolve(t1 + 1, jdir, target) != 0 ||
                  (t2[1] != '\0' && out_jresolve(t2 + 1, jdir, bak) != 0);
        int has_bak = t2[1] != '\0';
        *t1 = *t2 = '\t';
        *nl = '\n';
        if (bad)
            return ig_err_set(e, IG_EDATA, stage, jpath, line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              "malformed commit journal (a name is neither a file name nor an "
                              "absolute path); check the files it names, then remove it");
        if (pass == 0) {
            /* parsed: nothing to do */
        } else if (pass == 2) {
            if (has_bak)
                unlink(bak);
        } else if (forward) {
            if (out_exists(tmp)) {
                if (rename(tmp, target) != 0)
                    return ig_err_sys(e, stage, target,
                                      "cannot finish the commit recorded in %s", jpath);
                out_renamed();
            }
        } else if (out_exists(tmp)) {
            unlink(tmp);
        } else if (has_bak) {
            if (out_exists(bak)) {
                if (rename(bak, target) != 0)
                    return ig_err_sys(e, stage, target,
                                      "cannot undo the commit recorded in %s", jpath);
                out_renamed();
            }
        } else if (unlink(target) != 0 && errno != ENOENT) {
            return ig_err_sys(e, stage, target, "cannot undo the commit recorded in %s", jpath);
        }
        p = nl + 1;
    }
    return IG_OK;
}

int ig_out_recover(const char *dir, const char *stage, ig_err *e)
{
    char jpath[PATH_MAX];
    ig_buf data = IG_BUF_INIT;
    if ((size_t)snprintf(jpath, sizeof jpath, "%s/%s", dir, OUT_JOURNAL) >= sizeof jpath)
        return ig_err_data(e, stage, dir, "path too long");
    if (!out_exists(jpath))
        return IG_OK;
    int rc = ig_read_file(jpath, OUT_JOURNAL_MAX, &data, stage, e);
    if (rc != IG_OK)
        goto out;
    static const char fwd[] = "igmap-commit 1 forward\n", abt[] = "igmap-commit 1 abort\n";
    int forward;
    size_t hl;
    if (data.len >= sizeof fwd - 1 && memcmp(data.data, fwd, sizeof fwd - 1) == 0) {
        forward = 1;
        hl = sizeof fwd - 1;
    } else if (data.len >= sizeof abt - 1 && memcmp(data.data, abt, sizeof abt - 1) == 0) {
        forward = 0;
        hl = sizeof abt - 1;
    } else {
        rc = ig_err_set(e, IG_EDATA, stage, jpath, 1, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "not a commit journal igmap knows (expected \"igmap-commit 1 "
                        "forward\" or \"abort\"); check the files it names, then remove it");
        goto out;
    }
    /* Every line is checked before any is acted on. */
    char *lines = data.data + hl;
    size_t nl = data.len - hl;
    if ((rc = out_recover_pass(jpath, dir, forward, 0, lines, nl, stage, e)) != IG_OK ||
        (rc = out_recover_pass(jpath, dir, forward, 1, lines, nl, stage, e)) != IG_OK)
        goto out;
    if (out_sync_dir(jpath) != 0) {
        rc = ig_err_sys(e, stage, dir, "fsync of directory failed");
        goto out;
    }
    out_recover_pass(jpath, dir, forward, 2, lines, nl, stage, e);
    if (unlink(jpath) != 0 && errno != ENOENT) {
        rc = ig_err_sys(e, stage, jpath, "cannot remove the finished commit journal");
        goto out;
    }
    if (out_sync_dir(jpath) != 0)
        rc = ig_err_sys(e, stage, dir, "fsync of directory failed");
out:
    ig_buf_free(&data);
    return rc;
}

int ig_out_commit_all(ig_out **os, size_t n, ig_err *e)
{
    int rc = IG_OK;
    size_t renamed = 0, files = 0;
    char (*bak)[PATH_MAX] = NULL;
    char *had = NULL;
    char jdir[PATH_MAX], jpath[PATH_MAX];
    int journal = 0;         /* the journal is on disk */
    const char *stage = "output";
    jdir[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (os[i] && !os[i]->is_stdout) {
            if (files++ == 0) {
                ig_path_dirname(os[i]->path, jdir, PATH_MAX);
                stage = os[i]->stage;
            }
        }
    /* 0. A journal left by a crash is finished before a new one starts. */
    if (files > 1)
        rc = ig_out_recover(jdir, stage, e);
    /* 1. Everything that can fail with the data: flush, fsync, close. */
    for (size_t i = 0; i < n; i++)
        if (os[i] && out_prepare(os[i]) && rc == IG_OK)
            rc = out_report(os[i], e, os[i]->fail_what, os[i]->fail_errno);
    if (rc == IG_OK && n > 0) {
        bak = ig_calloc(n, sizeof *bak);
        had = ig_calloc(n, 1);
        if (bak == NULL || had == NULL)
            rc = ig_err_nomem(e, stage);
    }
    /* 2. Keep the current targets as hard links. */
    for (size_t i = 0; i < n && rc == IG_OK; i++) {
        ig_out *o = os[i];
        if (o == NULL || o->is_stdout)
            continue;
        if ((size_t)snprintf(bak[i], PATH_MAX, "%s.old", o->tmp) >= PATH_MAX) {
            rc = ig_err_data(e, o->stage, o->path, "output path too long");
            break;
        }
        if (link(o->path, bak[i]) == 0)
            had[i] = 1;
        else if (errno != ENOENT)
            rc = ig_err_sys(e, o->stage, o->path, "cannot keep the previous version");
    }
    /* 3. The commit point: the journal (several targets only). */
    if (rc == IG_OK && files > 1) {
        if ((size_t)snprintf(jpath, sizeof jpath, "%s/%s", jdir, OUT_JOURNAL) >= sizeof jpath)
            rc = ig_err_data(e, stage, jdir, "path too long");
        else
            rc = out_journal_write(jpath, jdir, "forward", os, n, bak, had, stage, e);
        journal = rc == IG_OK;
        /* Past the commit point the temporary files are the new outputs:
         * a signal must leave them for recovery, not clean them up. */
        for (size_t i = 0; i < n && journal; i++)
            if (os[i] && os[i]->slot >= 0) {
                out_live[os[i]->slot] = 0;
                os[i]->slot = -1;
            }
    }
    /* 4. Renames; a failure puts the earlier targets back. */
    for (size_t i = 0; i < n && rc == IG_OK; i++) {
        ig_out *o = os[i];
        if (o == NULL || o->is_stdout) {
            renamed = i + 1;
            continue;
        }
        int fail = out_inject() ? (errno = EIO, -1) : rename(o->tmp, o->path);
        if (fail != 0) {
            rc = ig_err_sys(e, o->stage, o->path, "rename failed");
            break;
        }
        renamed = i + 1;
        out_renamed();
    }
    if (rc != IG_OK && journal) {
        /* From here a crash must undo, not finish: say so first.  Our
         * error is already recorded; this one's would not be shown. */
        ig_err scratch;
        ig_err_clear(&scratch);
        out_journal_write(jpath, jdir, "abort", os, n, bak, had, stage, &scratch);
    }
    if (rc != IG_OK)
        for (size_t i = 0; i < renamed; i++) {
            ig_out *o = os[i];
            if (o == NULL || o->is_stdout)
                continue;
            if (had[i]) {
                if (rename(bak[i], o->path) == 0)
                    out_renamed();
            } else {
                unlink(o->path);
            }
        }
    /* 5. Clean up: temporary files, the journal, backups, handles; sync
     * directories, once for consecutive targets in the same one (nothing
     * changes in it between their syncs: a second would only wait for the
     * disk). */
    char synced[PATH_MAX] = "";
    for (size_t i = 0; i < n; i++) {
        ig_out *o = os[i];
        char dir[PATH_MAX];
        if (o == NULL || o->is_stdout)
            continue;
        if (rc != IG_OK)
            unlink(o->tmp);
        ig_path_dirname(o->path, dir, PATH_MAX);
        if (rc != IG_OK || strcmp(dir, synced) == 0)
            continue;
        if (out_sync_dir(o->path) != 0)
            rc = ig_err_sys(e, o->stage, o->path, "fsync of directory failed");
        snprintf(synced, sizeof synced, "%s", dir);
    }
    if (journal) {
        unlink(jpath);
        if (out_sync_dir(jpath) != 0 && rc == IG_OK)
            rc = ig_err_sys(e, stage, jdir, "fsync of directory failed");
    }
    for (size_t i = 0; i < n; i++) {
        if (os[i] == NULL)
            continue;
        if (had && had[i])
            unlink(bak[i]);
        out_release(os[i]);
        os[i] = NULL;
    }
    ig_free(bak);
    ig_free(had);
    return rc;
}

void ig_out_abort(ig_out *o)
{
    if (o == NULL)
        return;
    stream_end(o, 1);
    if (!o->is_stdout) {
        if (o->fd >= 0)
            close(o->fd);
        unlink(o->tmp);
    } else {
        out_flush(o);
    }
    out_release(o);
}

void ig_out_cleanup_all(void)
{
    for (int i = 0; i < OUT_MAX_TEMPS; i++)
        if (out_live[i])
            unlink(out_temps[i]);
}

void ig_out_sweep_stale(const char *dir)
{
    /* The temporary files a pending journal names are the new outputs. */
    if (ig_out_pending(dir))
        return;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *t = strstr(de->d_name, ".tmp.");
        if (t == NULL)
            continue;
        char *endp;
        long pid = strtol(t + 5, &endp, 10);
        if (endp == t + 5 || *endp != '.' || pid <= 0)
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno == EPERM)
            continue;
        char full[PATH_MAX];
        if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, de->d_name) < sizeof full)
            unlink(full);
    }
    closedir(d);
}

/*
 * out.c: atomic output files (see out.h).  The buffer is ours rather than
 * stdio's so that every failing write is seen at the call that failed, and so
 * the fault injector sits under every byte that leaves the process.
 */
#include "out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"

#define OUT_BUFSZ 65536
#define OUT_MAX_TEMPS 64 /* simultaneously open temp files per process */

struct ig_out {
    int fd;                 /* temp file, or 1 for stdout */
    int is_stdout;          /* "-" target: no rename, no fsync */
    int failed;             /* first failure code, sticky */
    int fail_errno;         /* errno of that failure */
    const char *fail_what;  /* "write", "fsync", ... */
    uint64_t written;       /* bytes accepted so far */
    uint64_t wb_done;       /* bytes ig_out_writeback() has asked for */
    size_t used;            /* bytes in buf */
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

/* One low-level call is about to happen: should it fail? */
static int out_inject(void)
{
    out_calls++;
    return out_fail_at != 0 && out_calls == out_fail_at;
}

static void out_fail(ig_out *o, const char *what, int err)
{
    if (o->failed)
        return;
    o->failed = IG_ESYS;
    o->fail_errno = err;
    o->fail_what = what;
}

static void out_flush(ig_out *o)
{
    size_t off = 0;
    while (off < o->used && !o->failed) {
        ssize_t w;
        if (out_inject()) {
            errno = ENOSPC;
            w = -1;
        } else {
            w = write(o->fd, o->buf + off, o->used - off);
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            out_fail(o, "write error", errno);
            break;
        }
        off += (size_t)w;
    }
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

void ig_out_writeback(ig_out *o)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    uint64_t on_file = o->written - o->used;
    if (o->is_stdout || o->failed || on_file <= o->wb_done)
        return;
    /* Errors are not ours to report here: the commit's fsync checks. */
    (void)sync_file_range(o->fd, (off_t)o->wb_done, (off_t)(on_file - o->wb_done),
                          SYNC_FILE_RANGE_WRITE);
    o->wb_done = on_file;
#else
    (void)o;
#endif
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
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
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

int ig_out_commit_all(ig_out **os, size_t n, ig_err *e)
{
    int rc = IG_OK;
    size_t renamed = 0;
    char (*bak)[PATH_MAX] = NULL;
    char *had = NULL;
    /* 1. Everything that can fail with the data: flush, fsync, close. */
    for (size_t i = 0; i < n; i++)
        if (os[i] && out_prepare(os[i]) && rc == IG_OK)
            rc = out_report(os[i], e, os[i]->fail_what, os[i]->fail_errno);
    if (rc == IG_OK && n > 0) {
        bak = ig_calloc(n, sizeof *bak);
        had = ig_calloc(n, 1);
        if (bak == NULL || had == NULL)
            rc = ig_err_nomem(e, os[0] ? os[0]->stage : "output");
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
    /* 3. Renames; a failure puts the earlier targets back. */
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
    }
    if (rc != IG_OK)
        for (size_t i = 0; i < renamed; i++) {
            ig_out *o = os[i];
            if (o == NULL || o->is_stdout)
                continue;
            if (had[i])
                rename(bak[i], o->path);
            else
                unlink(o->path);
        }
    /* 4. Clean up: temporary files, backups, handles; sync directories. */
    for (size_t i = 0; i < n; i++) {
        ig_out *o = os[i];
        if (o == NULL)
            continue;
        if (!o->is_stdout) {
            if (rc != IG_OK)
                unlink(o->tmp);
            if (had && had[i])
                unlink(bak[i]);
            if (rc == IG_OK && out_sync_dir(o->path) != 0)
                rc = ig_err_sys(e, o->stage, o->path, "fsync of directory failed");
        }
        out_release(o);
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

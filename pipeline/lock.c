/*
 * lock.c: the output directory lock (see lock.h): flock on D/.igmap-lock, a
 * line saying who holds it, and sharing through IGMAP_LOCK_FD.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"

#define LOCK_PATH_MAX 4096

struct ig_lock {
    int fd;                 /* D/.igmap-lock */
    int inherited;          /* shared from IGMAP_LOCK_FD: not ours to close */
};

/* The descriptor IGMAP_LOCK_FD names, if it is open on the file at path
 * (same device and inode); else -1. */
static int lock_inherited_fd(const char *path)
{
    const char *v = getenv("IGMAP_LOCK_FD");
    if (v == NULL || *v < '0' || *v > '9')
        return -1;
    char *end;
    long fd = strtol(v, &end, 10);
    if (*end != '\0' || fd < 0 || fd > 1L << 20)
        return -1;
    struct stat a, b;
    if (fstat((int)fd, &a) != 0 || stat(path, &b) != 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino)
        return -1;
    return (int)fd;
}

/* Describe the holder from the line in fd's file, into holder[0..n). */
static void lock_describe(int fd, char *holder, size_t n)
{
    char line[600];
    ssize_t r = pread(fd, line, sizeof line - 1, 0);
    line[r > 0 ? r : 0] = '\0';
    char *nl = strchr(line, '\n');
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (nl == NULL || t1 == NULL || t2 == NULL || t2 > nl) {
        snprintf(holder, n, "another process (which has not said who it is yet)");
        return;
    }
    *nl = *t1 = *t2 = '\0';
    long pid = strtol(line, NULL, 10);
    time_t started = (time_t)strtoll(t1 + 1, NULL, 10);
    char when[64];
    struct tm tm;
    if (gmtime_r(&started, &tm) == NULL ||
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(when, sizeof when, "at an unknown time");
    /* The recorded process may be gone while one it started (that
     * inherited the lock) still runs; say so rather than name a ghost. */
    int gone = pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    snprintf(holder, n, "pid %ld (started %s: %s)%s", pid, when, t2 + 1,
             gone ? "; that process has ended, but one it started still holds the lock" : "");
}

int ig_lock_try(ig_lock **lkp, const char *dir, const char *what, char *holder, size_t n,
                const char *stage, ig_err *e)
{
    char path[LOCK_PATH_MAX];
    int fd = -1, rc = IG_OK, writable = 1, taken = 0;
    ig_lock *lk = NULL;
    *lkp = NULL;
    if (n > 0)
        holder[0] = '\0';
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, IG_LOCK_FILE) >= sizeof path) {
        rc = ig_err_data(e, stage, dir, "path too long");
        goto out;
    }
    if ((lk = ig_calloc(1, sizeof *lk)) == NULL) {
        rc = ig_err_nomem(e, stage);
        goto out;
    }
    lk->fd = lock_inherited_fd(path);
    if (lk->fd >= 0 && flock(lk->fd, LOCK_EX | LOCK_NB) == 0) {
        lk->inherited = 1;
        taken = 1;
        goto out;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
        writable = 0;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    }
    if (fd < 0) {
        rc = ig_err_sys(e, stage, path, "cannot open the lock file");
        goto out;
    }
    int got;
    while ((got = flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR)
        ;
    if (got != 0) {
        if (errno == EWOULDBLOCK)
            lock_describe(fd, holder, n); /* busy: IG_OK without a lock */
        else
            rc = ig_err_sys(e, stage, path, "cannot lock");
        goto out;
    }
    /* Ours: say who we are (best effort; the lock works without it). */
    char line[600];
    int len = snprintf(line, sizeof line, "%ld\t%lld\t%s\n", (long)getpid(),
                       (long long)time(NULL), what ? what : "igmap");
    if (len > 0 && (size_t)len >= sizeof line) {
        len = (int)sizeof line - 1;
        line[len - 1] = '\n';
    }
    if (writable && ftruncate(fd, 0) == 0 && len > 0)
        (void)!pwrite(fd, line, (size_t)len, 0);
    lk->fd = fd;
    fd = -1;
    taken = 1;
out:
    if (fd >= 0)
        close(fd);
    if (!taken) {
        ig_free(lk);
        lk = NULL;
    }
    *lkp = lk;
    return rc;
}

int ig_lock_fd(const ig_lock *lk)
{
    return lk ? lk->fd : -1;
}

void ig_lock_release(ig_lock *lk)
{
    if (lk == NULL)
        return;
    if (!lk->inherited)
        close(lk->fd); /* the flock goes with the last descriptor */
    ig_free(lk);
}

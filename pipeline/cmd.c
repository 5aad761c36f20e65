/*
 * cmd.c: helpers shared by the subcommands (see cmd.h): usage errors,
 * problem lists, and claiming an output directory (its lock, then the
 * recovery of a crashed commit there) before a command writes into it.
 */
#include "cmd.h"
#include "err.h"
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "out.h"

volatile int ig_interrupted;
int ig_quiet;
char ig_cmdline[512];

/* Longest IGMAP_LOCK_WAIT: a day. */
#define CMD_LOCK_WAIT_MAX 86400

static double cmd_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cmd_claim_dir(const char *dir, const char *stage, ig_lock **lkp, ig_err *e)
{
    *lkp = NULL;
    long wait_s = 0;
    const char *w = getenv("IGMAP_LOCK_WAIT");
    if (w != NULL && *w != '\0') {
        char *end;
        errno = 0;
        wait_s = strtol(w, &end, 10);
        if (*w < '0' || *w > '9' || *end != '\0' || errno != 0 || wait_s > CMD_LOCK_WAIT_MAX)
            return ig_err_set(e, IG_EUSAGE, stage, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS, "IGMAP_LOCK_WAIT wants whole seconds from 0 to %d",
                              CMD_LOCK_WAIT_MAX);
    }
    char holder[700];
    ig_lock *lk = NULL;
    double deadline = cmd_now() + (double)wait_s;
    int told = 0;
    for (;;) {
        int rc = ig_lock_try(&lk, dir, ig_cmdline, holder, sizeof holder, stage, e);
        if (rc != IG_OK)
            return rc;
        if (lk != NULL)
            break;
        if (cmd_now() >= deadline)
            return ig_err_set(e, IG_ESYS, stage, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                              IG_ERR_NOPOS, "%s is locked by %s; wait for it to finish%s", dir,
                              holder, wait_s ? "" : ", or set IGMAP_LOCK_WAIT=SECONDS to wait");
        if (!told) {
            fprintf(stderr, "igmap: %s: waiting up to %ld s for %s, locked by %s\n", stage,
                    wait_s, dir, holder);
            told = 1;
        }
        if (ig_interrupted) {
            rc = ig_err_set(e, IG_EINTR, stage, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "interrupted");
            e->signo = ig_interrupted;
            return rc;
        }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    int rc = ig_out_recover(dir, stage, e);
    if (rc != IG_OK) {
        ig_lock_release(lk);
        return rc;
    }
    ig_out_sweep_stale(dir);
    *lkp = lk;
    return IG_OK;
}

void cmd_release_dir(ig_lock *lk, const char *dir, int made)
{
    ig_lock_release(lk);
    if (!made)
        return;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    int other = 0;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            strcmp(de->d_name, IG_LOCK_FILE) != 0)
            other = 1;
    closedir(d);
    char lockf[4200];
    if (other || (size_t)snprintf(lockf, sizeof lockf, "%s/%s", dir, IG_LOCK_FILE) >= sizeof lockf)
        return;
    unlink(lockf);
    rmdir(dir);
}

int cmd_settle(const char *path, const char *stage, ig_err *e)
{
    char dir[4096];
    ig_path_dirname(path, dir, sizeof dir);
    return cmd_settle_dir(dir, stage, e);
}

int cmd_settle_dir(const char *dir, const char *stage, ig_err *e)
{
    char holder[8];
    if (!ig_out_pending(dir))
        return IG_OK;
    ig_lock *lk = NULL;
    ig_err le;
    ig_err_clear(&le);
    if (ig_lock_try(&lk, dir, ig_cmdline, holder, sizeof holder, stage, &le) != IG_OK ||
        lk == NULL)
        return IG_OK;
    int rc = ig_out_recover(dir, stage, e);
    ig_lock_release(lk);
    return rc;
}

int cmd_usage(ig_err *e, const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ig_err_set(e, IG_EUSAGE, cmd, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "%s (see igmap help)", msg);
}

void cmd_print_msgs(const ig_msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        fprintf(stderr, "%s\n", m->items[i]);
    if (m->dropped)
        fprintf(stderr, "igmap: and %zu more\n", m->dropped);
}


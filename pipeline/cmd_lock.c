/*
 * cmd_lock.c: `igmap lock DIR -- COMMAND [ARG]...`, run COMMAND holding
 * DIR's lock (lock.h) for as long as it and what it starts run.
 *
 * Pipeline place: the Makefile runs its whole pipeline (index, classify,
 * map, provenance, report) as `igmap lock out/NAME -- make pipeline`, so a
 * second make in the same checkout stops at once with a message naming
 * the first one instead of interleaving with it (FAULTS.md F50); the igmap
 * commands inside share the lock through IGMAP_LOCK_FD.
 *
 * DIR is created if missing; a crashed multi-file commit there is finished
 * first (out.h).  IGMAP_LOCK_WAIT=SECONDS waits for a busy lock (cmd.h).
 * SIGTERM is passed on to COMMAND; SIGINT and SIGHUP are ignored here,
 * since the terminal sends them to COMMAND's process group as well, and
 * COMMAND decides.  The exit status is COMMAND's (128+N when a signal N
 * ended it), or 3 when the lock is held elsewhere, 127 when COMMAND cannot
 * be run, 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "lock.h"
#include "out.h"

static volatile sig_atomic_t lock_child;

static void lock_forward(int sig)
{
    if (lock_child > 0)
        kill((pid_t)lock_child, sig);
}

int cmd_lock(int argc, char **argv, ig_err *e)
{
    if (argc < 4 || strcmp(argv[2], "--") != 0 || argv[1][0] == '\0')
        return cmd_usage(e, "lock", "expected DIR -- COMMAND [ARG]...");
    const char *dir = argv[1];
    ig_lock *lk = NULL;
    int rc = ig_mkdirs(dir, "lock", e);
    if (rc == IG_OK)
        rc = cmd_claim_dir(dir, "lock", &lk, e);
    if (rc != IG_OK)
        return rc;
    int fd = ig_lock_fd(lk);
    char fdstr[16];
    snprintf(fdstr, sizeof fdstr, "%d", fd);
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0 ||
        setenv("IGMAP_LOCK_FD", fdstr, 1) != 0) {
        rc = ig_err_sys(e, "lock", dir, "cannot pass the lock on");
        goto out;
    }
    /* Ignored from now on in this process: SIGINT and SIGHUP (the
     * terminal sends them to the command too); SIGTERM goes on to it. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = lock_forward;
    sigaction(SIGTERM, &sa, NULL);
    fflush(NULL);
    /* SIGTERM waits until lock_child is set, so none is lost. */
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        rc = ig_err_sys(e, "lock", argv[3], "cannot start");
        goto out;
    }
    if (pid == 0) {
        /* The command gets the dispositions it would have had without us
         * (exec keeps ignored signals ignored). */
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGXFSZ, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "igmap: lock: cannot run %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    lock_child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            rc = ig_err_sys(e, "lock", argv[3], "cannot wait for");
            goto out;
        }
    }
    lock_child = 0;
    if (WIFEXITED(status))
        rc = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        rc = 128 + WTERMSIG(status);
    else
        rc = 3;
out:
    ig_lock_release(lk);
    return rc;
}

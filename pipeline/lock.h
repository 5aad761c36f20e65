/*
 * lock.h: one writer per output directory (FAULTS.md F50), and a message
 * that names it.
 *
 * Pipeline place: every command that writes into a directory (index,
 * classify, map, provenance, report, and `igmap lock`, which make uses to
 * hold one lock for a whole run) takes that directory's lock before it
 * reads or writes there; out.h's commit journal relies on it.
 *
 * The lock of directory D is flock(2) LOCK_EX on the file D/.igmap-lock
 * (IG_LOCK_FILE; a name of our own, so a foreign D/.lock is never
 * touched, whatever directory -o names).  The
 * kernel drops a flock when the last descriptor of its open file goes, so
 * a holder killed by any signal, SIGKILL included, never leaves a lock
 * behind that blocks the next run.  The holder writes one line into the
 * file, "<pid> TAB <start time, Unix seconds> TAB <command line>", only so
 * that a process that finds the lock taken can say who has it:
 *     out/sample is locked by pid 4711 (started 2025-11-21 12:00:01 UTC:
 *     igmap lock out/sample -- make pipeline)
 * The line is never trusted for anything else: a stale line left by a
 * dead process is simply overwritten by the next holder.
 *
 * Inheritance.  `igmap lock D -- COMMAND` holds D's lock while COMMAND and
 * everything it starts run, and tells them so through the environment,
 * IGMAP_LOCK_FD=<descriptor of D/.igmap-lock>, open in every child.  An igmap
 * command that finds that descriptor referring to that file (same device
 * and inode) shares the lock instead of waiting for it: it is the same
 * open file, so flock grants it.  Sharers must not commit several files
 * into D at the same time (one commit journal per directory, out.c); the
 * Makefile's rules run one after the other on their prerequisites.
 *
 * Ownership: an ig_lock is owned by its taker; ig_lock_release() frees it
 * (NULL is accepted) and releases the lock unless it was inherited.
 */
#ifndef IG_LOCK_H
#define IG_LOCK_H

#include <stddef.h>

#include "err.h"

#define IG_LOCK_FILE ".igmap-lock"

typedef struct ig_lock ig_lock;

/* Try to take dir's lock without waiting; dir must exist.  The lock file
 * is created if missing, and opened read-only when it exists but is not
 * ours to write (a shared directory): the lock works the same, only the
 * line saying who holds it is not written.  what is the
 * command line recorded for others to see.  Returns IG_OK with *lk set
 * when taken (or shared, see above); IG_OK with *lk NULL when another
 * process holds it, holder then describing it ("pid N (started ...:
 * COMMAND)", bounded, or "another process" when it has not written its
 * line yet); IG_ESYS with e set when the lock file cannot be created or
 * locked (a read-only directory, say). */
int ig_lock_try(ig_lock **lk, const char *dir, const char *what, char *holder, size_t n,
                const char *stage, ig_err *e);

/* The descriptor of a lock taken here (for `igmap lock` to pass on in
 * IGMAP_LOCK_FD; it is not closed on exec), or -1. */
int ig_lock_fd(const ig_lock *lk);

/* Release (unless inherited) and free; NULL is accepted. */
void ig_lock_release(ig_lock *lk);

#endif

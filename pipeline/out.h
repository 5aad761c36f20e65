/*
 * out.h: all-or-nothing output files (FAULTS.md P1), and stdout behind the
 * same interface.
 *
 * A file target is written to a temporary file beside it, named
 * "<path>.tmp.<pid>.XXXXXX" (mkstemp, same directory, so rename is atomic);
 * ig_out_commit() flushes, fsyncs, closes, renames it over the target and
 * fsyncs the directory (Redis rdbSave, git lockfile).  Until then the previous
 * target is untouched.  ig_out_abort() unlinks the temporary file.  Every
 * write, fsync, close and rename is checked; the first failure is recorded
 * in the handle and reported by ig_out_commit(), which then removes the
 * temporary file and leaves the target alone.
 *
 * Temporary files are registered process-wide so that ig_out_cleanup_all()
 * (called from the driver's signal handler, async-signal-safe: it only calls
 * unlink) removes them on SIGINT/SIGTERM.  Stale "*.tmp.<pid>.*" files of dead
 * processes are removed by ig_out_sweep_stale().
 *
 * Ownership: the ig_out handle is owned by the caller; commit and abort both
 * free it.  Not thread-safe: one writer per handle; handles opened on one
 * thread may be written on different threads at once (the index writes
 * documents.csv while it finishes the index file).
 *
 * Fault injection: ig_out_fail_at(n) makes the n-th low-level output call
 * (write, fsync, close or rename) from now fail with ENOSPC (write) or EIO.
 */
#ifndef IG_OUT_H
#define IG_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct ig_out ig_out;

/* Start writing `path` atomically; the stage name is used in messages.
 * "-" means standard output (commit then only flushes). */
int ig_out_open(ig_out **o, const char *path, const char *stage, ig_err *e);
/* Buffered write.  After the first failure it does nothing and returns the
 * recorded code. */
int ig_out_write(ig_out *o, const void *p, size_t n);
int ig_out_puts(ig_out *o, const char *s);
/* The pieces piece[0..n) in order, exactly as ig_out_write() of each in
 * turn, but without copying them when they are many bytes: what is
 * buffered and the pieces go to the file together (writev), and the
 * pieces need not outlive the call.  Each writev counts for
 * ig_out_fail_at(). */
typedef struct ig_piece {
    const void *p;
    size_t n;
} ig_piece;
int ig_out_writev(ig_out *o, const ig_piece *piece, size_t n);
int ig_out_printf(ig_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes written so far (the current file offset). */
uint64_t ig_out_tell(const ig_out *o);
/* Writing in two places at once.  ig_out_dup() gives a second descriptor
 * of o's temporary file (the caller closes it; -1 with errno, or for
 * stdout), on which ig_out_pwrite() writes p[0..n) at offset off, past
 * what the handle has written, unbuffered, from any thread while the
 * owner goes on with ig_out_write() (the two ranges must not meet); it
 * returns IG_OK, or IG_ESYS with the errno in *err.  When the owner's
 * writes reach the other range, ig_out_skip() moves the handle past its n
 * bytes, and ig_out_failed_with() records a failure the other writer met,
 * as if a write of the handle had failed.  ig_out_fail_at() counts these
 * writes too. */
int ig_out_dup(ig_out *o);
int ig_out_pwrite(int fd, uint64_t off, const void *p, size_t n, int *err);
int ig_out_skip(ig_out *o, uint64_t n);
void ig_out_failed_with(ig_out *o, int err);
/* Ask the kernel to start writing to disk what has reached the file so
 * far, without waiting for it (Linux sync_file_range; elsewhere, and for
 * stdout, nothing), so that a large file's fsync in ig_out_commit() has
 * little left to do.  Advisory: never fails and changes nothing written;
 * cheap to call often (it asks only for bytes not asked for before). */
void ig_out_writeback(ig_out *o);
/* Ask for o's bytes to bypass the page cache, for a file of many
 * megabytes that this process does not read back (classify's
 * evidence.csv): once the bytes outgrow the handle's 64 KiB buffer, they
 * are gathered in 8 MB chunks that a writer thread writes with O_DIRECT
 * while the caller goes on (out.c, "streaming", says why).  Advisory: it
 * takes effect only when called before the first byte left the buffer,
 * on a file system that accepts O_DIRECT, and while no fault sweep is
 * armed; the bytes on file are the same either way.  A failed chunk
 * write is reported by the next call after it, at latest by commit;
 * ig_out_write*, ig_out_tell, commit and abort work as ever;
 * ig_out_skip() and ig_out_dup() end the streaming first (a second
 * descriptor would share O_DIRECT), so a file can be streamed up to a
 * part written in two places at once. */
void ig_out_stream(ig_out *o);
/* The same for n bytes at off of a descriptor from ig_out_dup(), which the
 * handle does not track: for the thread writing there. */
void ig_out_writeback_range(int fd, uint64_t off, uint64_t n);
/* Finish: flush, fsync, close, rename, fsync dir.  Frees o.  On any failure
 * (including an earlier write failure) the temp file is removed, the target
 * is unchanged, and the error goes to e. */
int ig_out_commit(ig_out *o, ig_err *e);
/* Commit n outputs together (classify's tables, FAULTS.md P1 across
 * files): every temporary file is flushed, fsynced and closed first; only
 * when all of that worked are the targets replaced, each existing target
 * being kept as a hard link "<temp>.old" until every rename has succeeded,
 * so a failed rename puts the earlier targets back.  With two or more
 * files, a commit journal in the first target's directory makes the
 * renames one step across crashes too (the scheme heads out.c): a SIGKILL
 * between two renames leaves a journal that the next ig_out_recover()
 * there completes.  Either every target is new or none changed.  A
 * journal left there by a crash is recovered first.  Frees every handle
 * (NULL entries are skipped) whatever happens; the first failure goes to
 * e.  A backup link that cannot be made (a file system without hard links)
 * is an error before anything changes.  The caller holds the directory's
 * lock (lock.h) when other processes may write there. */
int ig_out_commit_all(ig_out **o, size_t n, ig_err *e);

/* Finish, or undo, a multi-file commit that a crashed process left in
 * dir, as its journal says (out.c); nothing to do without a journal.  Run
 * it holding dir's lock, before reading or writing outputs there.  Errors:
 * IG_EDATA for a journal that does not parse (its path and line; nothing
 * is touched), IG_ESYS when a rename fails (the journal stays, so a later
 * run can finish). */
int ig_out_recover(const char *dir, const char *stage, ig_err *e);
/* 1 if dir holds a commit journal (an unfinished commit). */
int ig_out_pending(const char *dir);
/* Give up: remove the temp file and free o.  NULL is accepted. */
void ig_out_abort(ig_out *o);

/* Remove every registered temp file; async-signal-safe. */
void ig_out_cleanup_all(void);
/* Remove "<base>.tmp.<pid>.*" files in dir whose pid is not alive.  Does
 * nothing while dir holds a commit journal (run ig_out_recover() first). */
void ig_out_sweep_stale(const char *dir);
/* Fault injection for tests; 0 disarms. */
void ig_out_fail_at(uint64_t n);
/* Nonzero while a failure is armed: a sweep counts the calls in order, so
 * a caller that would write from two threads at once should not then. */
int ig_out_fail_armed(void);
/* Crash simulation for tests (IG_FAIL_KILL_RENAME): raise SIGKILL right
 * after the k-th rename from now made by ig_out_commit_all() (its
 * renames, or a rollback's) or ig_out_recover(); 0 disarms. */
void ig_out_kill_after_renames(uint64_t k);

/* Create a directory and its parents (mkdir -p); 0 or IG_ESYS in e. */
int ig_mkdirs(const char *path, const char *stage, ig_err *e);

#endif

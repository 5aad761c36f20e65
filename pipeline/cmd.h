/*
 * cmd.h: the subcommands of the igmap driver.
 *
 * Each cmd_* function parses its own arguments (getopt_long, options may
 * follow operands), does its work through the stage modules, writes its
 * outputs atomically, and returns IG_OK or a negative code with e set.  It may
 * print problem lists itself (e.g. every manifest error) before returning;
 * main.c prints e and turns the code into the exit status.  argv[0] is the
 * subcommand name.
 */
#ifndef IG_CMD_H
#define IG_CMD_H

#include <stddef.h>

#include "err.h"

/* The igmap release, printed by `igmap version` and recorded in every
 * provenance file. */
#define IGMAP_VERSION "0.1.0"

int cmd_tokenise(int argc, char **argv, ig_err *e);  /* cmd_tokenise.c */
int cmd_stem(int argc, char **argv, ig_err *e);      /* cmd_tokenise.c */
int cmd_index(int argc, char **argv, ig_err *e);     /* cmd_index.c */
int cmd_info(int argc, char **argv, ig_err *e);      /* cmd_index.c */
int cmd_check(int argc, char **argv, ig_err *e);     /* cmd_index.c */
int cmd_kwic(int argc, char **argv, ig_err *e);      /* cmd_query.c */
int cmd_count(int argc, char **argv, ig_err *e);     /* cmd_query.c */
int cmd_lint(int argc, char **argv, ig_err *e);      /* cmd_lint.c */
int cmd_classify(int argc, char **argv, ig_err *e);  /* cmd_classify.c */
int cmd_map(int argc, char **argv, ig_err *e);       /* cmd_map.c */
int cmd_report(int argc, char **argv, ig_err *e);    /* cmd_report.c */
int cmd_provenance(int argc, char **argv, ig_err *e); /* cmd_report.c */

/* Set by the driver's signal handler; long loops poll it and stop with
 * IG_EINTR (signo in e) so outputs are aborted cleanly. */
extern volatile int ig_interrupted;

/* 1 when --quiet was given or stderr is not a terminal (no progress). */
extern int ig_quiet;

/* This run's command line ("igmap index corpora/x -o out/x/index.igx"),
 * tabs and newlines as spaces, cut at 511 bytes: what a lock's holder
 * shows to whoever finds the lock taken (lock.h).  Set by main. */
extern char ig_cmdline[512];

/* Claim directory dir (which must exist) for a command that writes there:
 * take its lock (lock.h), waiting as IGMAP_LOCK_WAIT says (whole seconds,
 * default 0: do not wait; while waiting, one line on stderr says for
 * whom), then finish or undo a multi-file commit a crashed run left there
 * (out.h ig_out_recover) and remove temporary files of dead processes.
 * A lock held elsewhere is IG_ESYS (exit 3): "igmap: STAGE: DIR is locked
 * by pid N (started ...: COMMAND); ...".  *lk is the lock to release
 * (ig_lock_release) when done, NULL on error. */
struct ig_lock;
int cmd_claim_dir(const char *dir, const char *stage, struct ig_lock **lk, ig_err *e);

/* Release lk (NULL is accepted); when the command failed in a directory it
 * created itself (made), remove that directory again if nothing but the
 * lock file is in it, so a refused run leaves no trace. */
void cmd_release_dir(struct ig_lock *lk, const char *dir, int made);

/* For a command about to read outputs in the directory of path (an index,
 * the tables of DIR when path is DIR/x) without writing there: when a
 * crashed multi-file commit is pending there and no other process holds
 * the lock, finish it first, so what is read is all old or all new.
 * Returns recovery's error; a lock held elsewhere (its holder will finish
 * its own commit) or a directory that cannot be locked is not an error. */
int cmd_settle(const char *path, const char *stage, ig_err *e);
/* The same for directory dir itself. */
int cmd_settle_dir(const char *dir, const char *stage, ig_err *e);

/* `igmap lock`: once COMMAND ran, returns its exit status (>= 0) rather
 * than an error code; main exits with it. */
int cmd_lock(int argc, char **argv, ig_err *e);       /* cmd_lock.c */

/* A usage error for subcommand cmd: returns IG_EUSAGE with e set (the
 * message should say what was wrong; main prints it). */
int cmd_usage(ig_err *e, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print every message of m to stderr, then "and K more" if some were dropped. */
struct ig_msgs;
void cmd_print_msgs(const struct ig_msgs *m);

#endif

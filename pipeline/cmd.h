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

/* A usage error for subcommand cmd: returns IG_EUSAGE with e set (the
 * message should say what was wrong; main prints it). */
int cmd_usage(ig_err *e, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print every message of m to stderr, then "and K more" if some were dropped. */
struct ig_msgs;
void cmd_print_msgs(const struct ig_msgs *m);

#endif

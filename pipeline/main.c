/*
 * main.c: the igmap driver.  Dispatches subcommands, installs signal
 * handling, arms test fault injectors, prints the one error of a failed
 * command and maps it to the exit status (FAULTS.md: 0 ok, 1 data rejected,
 * 2 usage, 3 system/resources, 128+N signal).  This file and the cmd_*.c
 * files are the only code that prints errors or chooses exit codes.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "err.h"
#include "out.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv, ig_err *e);
    const char *synopsis;
};

static const struct command commands[] = {
    { "index", cmd_index, "index CORPUS -o INDEX.igx [--documents CSV] [--threads N] [--quiet] [--timings]" },
    { "kwic", cmd_kwic, "kwic INDEX PATTERN [--window N] [--sentence] [-o FILE] [--excel]" },
    { "count", cmd_count, "count INDEX PATTERN [--by COLUMN] [-o FILE] [--excel]" },
    { "count", cmd_count, "count INDEX --patterns FILE [--by COLUMN] [-o FILE] [--excel]" },
    { "info", cmd_info, "info INDEX" },
    { "check", cmd_check, "check INDEX" },
    { "classify", cmd_classify, "classify INDEX --lexicon POSITIONS.tsv --negators NEGATORS.tsv -o DIR [options]" },
    { "lint", cmd_lint, "lint LEXICON...   (check lexicon files; every problem as file:line:col)" },
    { "map", cmd_map, "map INDEX --issues LEX --mechanisms LEX [--gaps LEX] [--positions CSV] -o DIR\n"
                      "        [--unit sentence|paragraph|window:N] [--min-mentions N] [--link-min-cooccurrences N]\n"
                      "        [--link-min-documents N] [--lean X] [--contested-share X] [--contested-min-n N]\n"
                      "        [--no-carry-back] [--excel]   (issue map: six CSV tables in DIR)" },
    { "provenance", cmd_provenance, "provenance DIR [--corpus DIR] [--lexicon FILE]... [--index-args S]\n"
                                    "        [--classify-args S] [--map-args S] [-o FILE]   (provenance.json)" },
    { "report", cmd_report, "report DIR [-o FILE] [--mentions N] [--claims N] [--title TEXT] [--no-index]\n"
                            "        (one self-contained HTML page from the tables in DIR)" },
    { "tokenise", cmd_tokenise, "tokenise FILE...   (one token per line, tab-separated)" },
    { "tokenize", cmd_tokenise, NULL },
    { "stem", cmd_stem, "stem [--language CODE] < tokenise-output" },
    { "lock", cmd_lock, "lock DIR -- COMMAND [ARG]...   (run COMMAND holding DIR's lock; make uses it)" },
};

static void usage(FILE *f)
{
    fprintf(f, "igmap %s: Internet-governance corpus pipeline\n\nusage:\n", IGMAP_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].synopsis)
            fprintf(f, "  igmap %s\n", commands[i].synopsis);
    fprintf(f, "  igmap version\n\nSee README.md for each command's outputs.\n");
}

/* ig_cmdline: argv joined by spaces, tabs and newlines as spaces, cut to
 * fit (cmd.h). */
static void set_cmdline(int argc, char **argv)
{
    size_t n = 0, cap = sizeof ig_cmdline - 1;
    const char *prog = strrchr(argv[0], '/');
    prog = prog ? prog + 1 : argv[0];
    for (int i = 0; i < argc && n < cap; i++) {
        const char *a = i == 0 ? prog : argv[i];
        if (i > 0)
            ig_cmdline[n++] = ' ';
        for (; *a && n < cap; a++)
            ig_cmdline[n++] = (*a == '\t' || *a == '\n' || *a == '\r') ? ' ' : *a;
    }
    ig_cmdline[n] = '\0';
}

static void on_signal(int sig)
{
    /* Remove temp outputs now (async-signal-safe), then die by the same
     * signal so the parent (make) sees the real cause: exit status 128+N. */
    ig_interrupted = sig;
    ig_out_cleanup_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void arm_fault_injection(void)
{
    /* IG_FAIL_ALLOC=N fails the N-th allocation, N+ every one from N on;
     * IG_FAIL_WRITE=N fails the N-th low-level output call (tests only). */
    const char *a = getenv("IG_FAIL_ALLOC");
    if (a && *a) {
        char *end;
        unsigned long long n = strtoull(a, &end, 10);
        ig_alloc_fail_at(n, *end == '+');
    }
    const char *w = getenv("IG_FAIL_WRITE");
    if (w && *w)
        ig_out_fail_at(strtoull(w, NULL, 10));
    /* IG_FAIL_KILL_RENAME=K: SIGKILL after the K-th rename of a multi-file
     * commit or its recovery (out.h), a crash between two renames. */
    const char *k = getenv("IG_FAIL_KILL_RENAME");
    if (k && *k)
        ig_out_kill_after_renames(strtoull(k, NULL, 10));
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("igmap %s\n", IGMAP_VERSION);
        return 0;
    }
    /* Writes to a closed pipe or past RLIMIT_FSIZE must fail with EPIPE or
     * EFBIG, checked like any write error, instead of killing us (F45, F49). */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    ig_quiet = !isatty(2);
    arm_fault_injection();
    set_cmdline(argc, argv);

    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, argv[1]) != 0)
            continue;
        ig_err e;
        ig_err_clear(&e);
        int rc = commands[i].fn(argc - 1, argv + 1, &e);
        if (rc == IG_OK)
            return 0;
        if (rc > 0) /* `igmap lock`: the status of the command it ran */
            return rc;
        if (e.code == IG_OK) /* a command that returned an error without detail */
            ig_err_set(&e, rc, argv[1], NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                       IG_ERR_NOPOS, "failed");
        /* A closed stdout pipe is the reader's choice, not an error worth
         * a message (F49). */
        if (!(e.code == IG_ESYS && strcmp(e.msg, "broken pipe") == 0)) {
            char line[2400];
            ig_err_format(&e, line, sizeof line);
            fprintf(stderr, "%s\n", line);
        }
        return ig_err_exit_status(&e);
    }
    fprintf(stderr, "igmap: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}

/*
 * cmd_map.c: `igmap map`, the issue map (stages/map.h) written as six CSV
 * tables into one directory, all or nothing.
 *
 *   igmap map INDEX --issues LEX --mechanisms LEX [--gaps LEX]
 *             [--positions CSV] -o DIR [--unit sentence|paragraph|window:N]
 *             [--min-mentions N] [--link-min-cooccurrences N]
 *             [--link-min-documents N] [--lean X] [--contested-share X]
 *             [--contested-min-n N] [--no-carry-back] [--excel]
 *
 * Writes DIR/issues.csv, issues_by_process.csv, issues_by_group.csv,
 * issue_mechanisms.csv, gaps.csv and map_evidence.csv (columns: map.h,
 * map_tables.c and the README).  Defaults: map_opts_default() in map.h.
 *
 * Order of work: the three lexicons are loaded and every problem in any of
 * them is listed (file:line:col) before anything else; then the index is
 * opened, every pattern resolved, positions read; only then is DIR created
 * (if missing) and the tables written.
 *
 * All or nothing (FAULTS.md P1).  The six tables are written to temporary
 * files beside their targets (out.h) and replaced together by
 * ig_out_commit_all(): every temporary file is flushed, fsynced and closed
 * before any target is touched, and a failing rename puts back the tables
 * already replaced.  Any failure (bad input, a write error, a full disk,
 * an interrupt) leaves every table in DIR as it was and no temporary file;
 * a directory created by this run is removed again when it is still empty.
 * A SIGKILL between the six renames leaves a commit journal that the next
 * igmap command there completes (out.c), and a later run's
 * ig_out_sweep_stale() removes the files a dead process left.  DIR is
 * locked while the tables are written (lock.h, cmd_claim_dir).
 *
 * Exit status: 0; 1 bad lexicon, damaged index, bad positions file; 2 usage;
 * 3 I/O or memory; 128+N on a signal.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "csv.h"
#include "err.h"
#include "index.h"
#include "lexicon.h"
#include "lock.h"
#include "map.h"
#include "out.h"

#define STAGE "map"

/* Longest output path (Linux PATH_MAX; out.c holds paths in as much). */
#define MAP_PATH_MAX 4096

enum { T_ISSUES, T_BY_PROCESS, T_BY_GROUP, T_MECHS, T_GAPS, T_EVIDENCE, NTABLES };

static const char *const table_name[NTABLES] = {
    "issues.csv", "issues_by_process.csv", "issues_by_group.csv", "issue_mechanisms.csv",
    "gaps.csv", "map_evidence.csv"
};

static int bad_option(ig_err *e, char **argv, int optc)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (optc == ':')
        return cmd_usage(e, STAGE, "option %s needs a value", arg);
    return cmd_usage(e, STAGE, "unknown option %s", arg);
}

static int parse_count(const char *s, uint32_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > UINT32_MAX - 1)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Load the three lexicons, listing every problem of all of them before
 * failing. */
static int load_lexicons(lex_file *lx[3], const char *const path[3], ig_err *e)
{
    static const int kind[3] = { LEX_ISSUES, LEX_MECHANISMS, LEX_GAPS };
    ig_msgs probs = { 0 };
    int rc = IG_OK;
    size_t bad = 0;
    for (int i = 0; i < 3; i++) {
        if (path[i] == NULL)
            continue;
        ig_err le;
        ig_err_clear(&le);
        size_t before = ig_msgs_count(&probs);
        int r = lex_load(&lx[i], path[i], kind[i], STAGE, &probs, &le);
        /* Problems inside the file were listed; an unreadable file is an
         * error of its own (lexicon.h: nothing in problems then). */
        if (r == IG_EDATA && ig_msgs_count(&probs) > before) {
            bad++;
        } else if (r != IG_OK && rc == IG_OK) {
            *e = le;
            rc = r;
        }
    }
    cmd_print_msgs(&probs);
    size_t np = ig_msgs_count(&probs);
    if (rc == IG_OK && bad)
        rc = ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "%zu problem%s in %zu lexicon%s; nothing was written", np,
                        np == 1 ? "" : "s", bad, bad == 1 ? "" : "s");
    ig_msgs_free(&probs);
    return rc;
}

/* DIR/<table> for each table into paths (each MAP_PATH_MAX bytes). */
static int set_paths(char (*paths)[MAP_PATH_MAX], const char *dir, ig_err *e)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    for (int i = 0; i < NTABLES; i++) {
        int n = snprintf(paths[i], MAP_PATH_MAX, "%.*s/%s", (int)dl, dir, table_name[i]);
        /* out.c adds ".tmp.<pid>.XXXXXX.old" to a target */
        if (n < 0 || (size_t)n + 64 >= MAP_PATH_MAX)
            return ig_err_data(e, STAGE, dir, "output path too long");
    }
    return IG_OK;
}

static int interrupted(ig_err *e)
{
    if (!ig_interrupted)
        return IG_OK;
    int rc = ig_err_set(e, IG_EINTR, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "interrupted");
    e->signo = ig_interrupted;
    return rc;
}

int cmd_map(int argc, char **argv, ig_err *e)
{
    enum { O_ISSUES = 256, O_MECHS, O_GAPS, O_POS, O_UNIT, O_MINM, O_LCOOC, O_LDOCS, O_LEAN,
           O_CSHARE, O_CMINN, O_NOCARRY, O_EXCEL };
    static const struct option longopts[] = {
        { "issues", required_argument, NULL, O_ISSUES },
        { "mechanisms", required_argument, NULL, O_MECHS },
        { "gaps", required_argument, NULL, O_GAPS },
        { "positions", required_argument, NULL, O_POS },
        { "output", required_argument, NULL, 'o' },
        { "unit", required_argument, NULL, O_UNIT },
        { "min-mentions", required_argument, NULL, O_MINM },
        { "link-min-cooccurrences", required_argument, NULL, O_LCOOC },
        { "link-min-documents", required_argument, NULL, O_LDOCS },
        { "lean", required_argument, NULL, O_LEAN },
        { "contested-share", required_argument, NULL, O_CSHARE },
        { "contested-min-n", required_argument, NULL, O_CMINN },
        { "no-carry-back", no_argument, NULL, O_NOCARRY },
        { "excel", no_argument, NULL, O_EXCEL },
        { NULL, 0, NULL, 0 },
    };
    map_opts mo;
    map_opts_default(&mo);
    const char *lexpath[3] = { NULL, NULL, NULL };
    const char *positions = NULL, *outdir = NULL;
    int excel = 0, c;
    optind = 0;
    opterr = 0;
    int li = -1;
    while ((c = getopt_long(argc, argv, ":o:", longopts, &li)) != -1) {
        uint32_t *count = NULL;
        double *num = NULL;
        switch (c) {
        case O_ISSUES: lexpath[0] = optarg; break;
        case O_MECHS: lexpath[1] = optarg; break;
        case O_GAPS: lexpath[2] = optarg; break;
        case O_POS: positions = optarg; break;
        case 'o': outdir = optarg; break;
        case O_UNIT:
            if (map_unit_parse(optarg, &mo) != 0)
                return cmd_usage(e, STAGE, "--unit must be sentence, paragraph or window:N "
                                 "(N from 1 to %u), not \"%s\"", MAP_MAX_WINDOW, optarg);
            break;
        case O_MINM: count = &mo.min_mentions; break;
        case O_LCOOC: count = &mo.link_min_cooc; break;
        case O_LDOCS: count = &mo.link_min_docs; break;
        case O_CMINN: count = &mo.contested_min_n; break;
        case O_LEAN: num = &mo.lean; break;
        case O_CSHARE: num = &mo.contested_share; break;
        case O_NOCARRY: mo.carry_back = 0; break;
        case O_EXCEL: excel = 1; break;
        default: return bad_option(e, argv, c);
        }
        /* Only long options take numbers, so li names the option. */
        if (count && parse_count(optarg, count) != 0)
            return cmd_usage(e, STAGE, "--%s needs a whole number, not \"%s\"",
                             longopts[li].name, optarg);
        if (num && ig_parse_double(optarg, strlen(optarg), num) != 0)
            return cmd_usage(e, STAGE, "--%s needs a decimal number, not \"%s\"",
                             longopts[li].name, optarg);
    }
    if (argc - optind != 1)
        return cmd_usage(e, STAGE, "expected one INDEX, got %d operand%s", argc - optind,
                         argc - optind == 1 ? "" : "s");
    if (lexpath[0] == NULL || lexpath[1] == NULL)
        return cmd_usage(e, STAGE, "--issues and --mechanisms are required");
    if (outdir == NULL || *outdir == '\0')
        return cmd_usage(e, STAGE, "-o DIR is required (the tables go there)");
    int rc = map_opts_check(&mo, e);
    if (rc)
        return rc;
    mo.interrupted = &ig_interrupted;

    lex_file *lx[3] = { NULL, NULL, NULL };
    idx_reader *r = NULL;
    map_run *m = NULL;
    char (*paths)[MAP_PATH_MAX] = ig_calloc(NTABLES, MAP_PATH_MAX);
    ig_out *out[NTABLES] = { NULL };
    ig_csv_writer w[NTABLES];
    int made_dir = 0;
    struct stat st;
    if (paths == NULL)
        return ig_err_nomem(e, STAGE);
    ig_lock *lk = NULL;
    rc = load_lexicons(lx, lexpath, e);
    /* What is read is all old or all new (out.h): a crashed commit beside
     * the index or the positions is finished first. */
    if (rc == IG_OK)
        rc = cmd_settle(argv[optind], STAGE, e);
    if (rc == IG_OK && positions)
        rc = cmd_settle(positions, STAGE, e);
    if (rc == IG_OK)
        rc = idx_open(&r, argv[optind], e);
    if (rc == IG_OK)
        rc = map_open(&m, r, lx[0], lx[1], lx[2], &mo, e);
    if (rc == IG_OK && positions)
        rc = map_positions_load(m, positions, e);
    if (rc == IG_OK)
        rc = set_paths(paths, outdir, e);
    if (rc == IG_OK && stat(outdir, &st) != 0) {
        rc = ig_mkdirs(outdir, STAGE, e);
        made_dir = rc == IG_OK;
    }
    if (rc == IG_OK)
        rc = cmd_claim_dir(outdir, STAGE, &lk, e);
    if (rc)
        goto out;
    for (int i = 0; i < NTABLES && rc == IG_OK; i++) {
        rc = ig_out_open(&out[i], paths[i], STAGE, e);
        if (rc == IG_OK)
            rc = ig_csv_writer_init(&w[i], out[i], excel);
    }
    if (rc == IG_OK)
        rc = map_scan(m, &w[T_EVIDENCE], e);
    if (rc == IG_OK)
        rc = map_write_issues(m, &w[T_ISSUES], e);
    if (rc == IG_OK)
        rc = map_write_wide(m, &w[T_BY_PROCESS], "process", e);
    if (rc == IG_OK)
        rc = map_write_wide(m, &w[T_BY_GROUP], "stakeholder_group", e);
    if (rc == IG_OK)
        rc = map_write_issue_mechanisms(m, &w[T_MECHS], e);
    if (rc == IG_OK)
        rc = map_write_gaps(m, &w[T_GAPS], e);
    if (rc == IG_OK)
        rc = interrupted(e);
    /* A write failure returns its code with e unset (csv.h): it is recorded
     * in its ig_out, so committing reports it, with the path and the OS
     * reason, and replaces nothing. */
    if (rc == IG_OK || e->code == IG_OK) {
        int crc = ig_out_commit_all(out, NTABLES, e);
        rc = rc == IG_OK ? crc : (e->code ? e->code : rc);
    }
out:
    for (int i = 0; i < NTABLES; i++)
        ig_out_abort(out[i]); /* NULL after commit_all */
    cmd_release_dir(lk, outdir, rc != IG_OK && made_dir);
    ig_free(paths);
    map_close(m);
    idx_close(r);
    for (int i = 0; i < 3; i++)
        lex_free(lx[i]);
    return rc;
}

/*
 * cmd_lint.c: `igmap lint LEXICON...`, the lexicon checker.
 *
 * Pipeline place: a front end to stages/lexicon.c, which owns the lexicon
 * format and every check; classify and map run the same checks before they
 * score anything, so a lexicon that lints clean loads in both.  `make test`
 * lints the shipped lexicons.
 *
 *   igmap lint LEXICON...
 *     Checks each file in turn (its kind is read from its header).  Every
 *     problem goes to standard error as
 *         igmap: lint: lexicons/positions.tsv:12:31: unterminated phrase
 *     sorted by line and column, none left out; then one summary line per
 *     file goes to standard output:
 *         lexicons/issues.tsv: ok, 312 entries (53 issues)
 *         lexicons/positions.tsv: 3 problems
 *     A file that cannot be read at all gets its error on standard error and
 *     "<path>: not checked" on standard output, and the others are still
 *     checked.
 *
 * Exit status: 0 when every file is clean; 1 when any file has a problem
 * (or is not a regular file, or is too large); 3 when a file could not be
 * read (missing, unreadable) or standard output failed; 2 for usage errors
 * (no file given, an option).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "lexicon.h"

#define STAGE "lint"

/* The part of the summary after "ok, N entries". */
static void describe(const lex_file *f, char *buf, size_t n)
{
    size_t count = lex_count(f);
    switch (lex_file_kind(f)) {
    case LEX_POSITIONS: {
        size_t ml = 0;
        for (size_t i = 0; i < count; i++)
            ml += lex_entry_pole(f, i) == LEX_MULTILATERAL;
        snprintf(buf, n, " (positions: %zu multilateral, %zu multistakeholder)", ml, count - ml);
        break;
    }
    case LEX_ISSUES:
        snprintf(buf, n, " (%zu issue%s)", lex_key_count(f), lex_key_count(f) == 1 ? "" : "s");
        break;
    case LEX_MECHANISMS:
        snprintf(buf, n, " (%zu mechanism%s)", lex_key_count(f),
                 lex_key_count(f) == 1 ? "" : "s");
        break;
    default:
        snprintf(buf, n, " (%s)", lex_kind_name(lex_file_kind(f)));
        break;
    }
}

/* Flush standard output, turning a failure into an error in e. */
static int flush_stdout(ig_err *e)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return IG_OK;
    if (errno == EPIPE)
        return ig_err_set(e, IG_ESYS, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "broken pipe");
    return ig_err_sys(e, STAGE, "standard output", "write error");
}

int cmd_lint(int argc, char **argv, ig_err *e)
{
    int first = 1;
    if (first < argc && strcmp(argv[first], "--") == 0)
        first++;
    else
        for (int i = 1; i < argc; i++)
            if (argv[i][0] == '-' && argv[i][1] != '\0')
                return cmd_usage(e, STAGE, "unknown option \"%s\"", argv[i]);
    if (first >= argc)
        return cmd_usage(e, STAGE, "no lexicon given: igmap lint LEXICON...");

    size_t nfiles = (size_t)(argc - first), with_problems = 0, unreadable = 0;
    int worst = IG_OK; /* code of the first file that could not be read */
    for (int i = first; i < argc; i++) {
        const char *path = argv[i];
        ig_msgs probs = { 0 };
        probs.cap = SIZE_MAX; /* lint lists every problem */
        ig_err fe;
        ig_err_clear(&fe);
        lex_file *f = NULL;
        int rc = lex_load(&f, path, LEX_ANY, STAGE, &probs, &fe);
        cmd_print_msgs(&probs);
        if (rc == IG_OK) {
            char more[128];
            describe(f, more, sizeof more);
            printf("%s: ok, %zu entr%s%s\n", path, lex_count(f),
                   lex_count(f) == 1 ? "y" : "ies", more);
        } else if (rc == IG_EDATA && ig_msgs_count(&probs) > 0) {
            size_t np = ig_msgs_count(&probs);
            printf("%s: %zu problem%s\n", path, np, np == 1 ? "" : "s");
            with_problems++;
        } else if (rc == IG_ENOMEM) {
            lex_free(f);
            ig_msgs_free(&probs);
            *e = fe;
            return rc;
        } else {
            char line[2400];
            ig_err_format(&fe, line, sizeof line);
            fprintf(stderr, "%s\n", line);
            printf("%s: not checked\n", path);
            unreadable++;
            if (worst == IG_OK || (worst != IG_ESYS && rc == IG_ESYS))
                worst = rc;
        }
        lex_free(f);
        ig_msgs_free(&probs);
        int frc = flush_stdout(e);
        if (frc != IG_OK)
            return frc;
    }
    if (unreadable)
        return ig_err_set(e, worst, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "%zu of %zu lexicon%s could not be read%s", unreadable, nfiles,
                          nfiles == 1 ? "" : "s",
                          with_problems ? "; others have problems" : "");
    if (with_problems)
        return ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "problems in %zu of %zu lexicon%s", with_problems, nfiles,
                          nfiles == 1 ? "" : "s");
    return IG_OK;
}

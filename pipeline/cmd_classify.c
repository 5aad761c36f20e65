/*
 * cmd_classify.c: `igmap classify`, where each submitter stands.
 *
 * Pipeline place: reads a finished index (stages/index.h) and the positions
 * and negators lexicons (stages/lexicon.h); stages/classify.h does the work
 * and documents every rule and every column; this file parses options,
 * reports lexicon problems, and writes the tables into the output directory
 * all together (out.h ig_out_commit_all: every file new, or none changed).
 *
 *   igmap classify INDEX --lexicon POSITIONS.tsv --negators NEGATORS.tsv
 *                  -o DIR [options]
 *
 * writes DIR/positions.csv, evidence.csv, position_groups.csv,
 * lexicon_coverage.csv, positions_summary.txt, positions_provenance.json and
 * prints the summary on standard output (not with --quiet).
 *
 * Options (defaults in classify.h):
 *   --negation flip|discount|ignore   --negation-factor X (0..1)
 *   --cross-overlap nearest|both      --quotes mention|use
 *   --focus-pattern PAT               --privative-pattern PAT ("" = off)
 *   --smoothing K (>= 0)
 *   --threshold T (0..1)              --min-cues N  --min-stance-cues N
 *   --bootstrap B (0 = no interval)   --seed N
 *   --threads N (default: 2 on a machine with two or more cores, else 1;
 *                the bytes out are the same at any count)
 *   --no-sections
 *   --context N (tokens; 0 = none)    --no-wordscores  --no-wordfish
 *   --scale-min-docs N                --scale-features N
 *   --wordfish-max-docs N             --wordfish-dir LOW_ID,HIGH_ID
 *   --wordfish-priors A,P,B,T (standard deviations; "inf" = flat)
 *   --wordfish-tol LP,PAR             --wordfish-max-iter N
 *   --quiet
 *
 * Exit status: 0 done; 1 a lexicon problem (every one listed as
 * file:line:col, nothing written), a damaged or foreign index, a bad
 * ref_position; 2 usage; 3 I/O (a missing file, a write error: no file in
 * DIR changed); 128+N on signal N.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "classify.h"
#include "cmd.h"
#include "csv.h"
#include "err.h"
#include "index.h"
#include "lexicon.h"
#include "lock.h"
#include "out.h"

#define STAGE "classify"

enum {
    OPT_LEXICON = 256, OPT_NEGATORS, OPT_NEGATION, OPT_NEGFACTOR, OPT_CROSS, OPT_SMOOTH,
    OPT_THRESHOLD, OPT_MINCUES, OPT_BOOT, OPT_SEED, OPT_THREADS, OPT_NOSECT, OPT_CONTEXT,
    OPT_NOWS, OPT_NOWF, OPT_MINDOCS, OPT_FEATURES, OPT_WFMAX, OPT_WFDIR, OPT_WFPRIORS,
    OPT_WFTOL, OPT_WFITER, OPT_QUIET, OPT_QUOTES, OPT_FOCUS, OPT_PRIV, OPT_MINSTANCE, OPT_EXCEL
};

static const struct option long_opts[] = {
    { "lexicon", required_argument, NULL, OPT_LEXICON },
    { "negators", required_argument, NULL, OPT_NEGATORS },
    { "output", required_argument, NULL, 'o' },
    { "negation", required_argument, NULL, OPT_NEGATION },
    { "negation-factor", required_argument, NULL, OPT_NEGFACTOR },
    { "cross-overlap", required_argument, NULL, OPT_CROSS },
    { "smoothing", required_argument, NULL, OPT_SMOOTH },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "min-cues", required_argument, NULL, OPT_MINCUES },
    { "min-stance-cues", required_argument, NULL, OPT_MINSTANCE },
    { "bootstrap", required_argument, NULL, OPT_BOOT },
    { "seed", required_argument, NULL, OPT_SEED },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "no-sections", no_argument, NULL, OPT_NOSECT },
    { "context", required_argument, NULL, OPT_CONTEXT },
    { "no-wordscores", no_argument, NULL, OPT_NOWS },
    { "no-wordfish", no_argument, NULL, OPT_NOWF },
    { "scale-min-docs", required_argument, NULL, OPT_MINDOCS },
    { "scale-features", required_argument, NULL, OPT_FEATURES },
    { "wordfish-max-docs", required_argument, NULL, OPT_WFMAX },
    { "wordfish-dir", required_argument, NULL, OPT_WFDIR },
    { "wordfish-priors", required_argument, NULL, OPT_WFPRIORS },
    { "wordfish-tol", required_argument, NULL, OPT_WFTOL },
    { "wordfish-max-iter", required_argument, NULL, OPT_WFITER },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "excel", no_argument, NULL, OPT_EXCEL },
    { "quotes", required_argument, NULL, OPT_QUOTES },
    { "focus-pattern", required_argument, NULL, OPT_FOCUS },
    { "privative-pattern", required_argument, NULL, OPT_PRIV },
    { NULL, 0, NULL, 0 }
};

/* An unsigned decimal option value in [lo, hi]. */
static int opt_uint(const char *name, const char *v, unsigned long long lo,
                    unsigned long long hi, unsigned long long *out, ig_err *e)
{
    char *end;
    errno = 0;
    if (v[0] < '0' || v[0] > '9')
        return cmd_usage(e, STAGE, "%s needs a whole number, not \"%s\"", name, v);
    unsigned long long x = strtoull(v, &end, 10);
    if (*end != '\0' || errno != 0 || x < lo || x > hi)
        return cmd_usage(e, STAGE, "%s needs a whole number from %llu to %llu, not \"%s\"",
                         name, lo, hi, v);
    *out = x;
    return IG_OK;
}

/* A decimal option value (C locale) in [lo, hi]. */
static int opt_double(const char *name, const char *v, double lo, double hi, double *out,
                      ig_err *e)
{
    double x;
    if (ig_parse_double(v, strlen(v), &x) != 0 || !(x >= lo && x <= hi))
        return cmd_usage(e, STAGE, "%s needs a number from %g to %g, not \"%s\"", name, lo, hi,
                         v);
    *out = x;
    return IG_OK;
}

/* "a,b" into two NUL-terminated parts of buf. */
static int split2(const char *name, const char *v, char *buf, size_t n, char **a, char **b,
                  ig_err *e)
{
    if (strlen(v) >= n)
        return cmd_usage(e, STAGE, "%s: value too long", name);
    snprintf(buf, n, "%s", v);
    char *comma = strchr(buf, ',');
    if (comma == NULL || comma == buf || comma[1] == '\0' || strchr(comma + 1, ','))
        return cmd_usage(e, STAGE, "%s needs two values separated by a comma, not \"%s\"", name,
                         v);
    *comma = '\0';
    *a = buf;
    *b = comma + 1;
    return IG_OK;
}

static int parse_priors(const char *v, double sd[4], ig_err *e)
{
    char buf[256];
    if (strlen(v) >= sizeof buf)
        return cmd_usage(e, STAGE, "--wordfish-priors: value too long");
    snprintf(buf, sizeof buf, "%s", v);
    char *p = buf;
    for (int k = 0; k < 4; k++) {
        char *c = strchr(p, ',');
        if ((k < 3) != (c != NULL))
            return cmd_usage(e, STAGE, "--wordfish-priors needs four standard deviations "
                                       "alpha,psi,beta,theta (\"inf\" for flat), not \"%s\"", v);
        if (c)
            *c = '\0';
        if (strcmp(p, "inf") == 0 || strcmp(p, "Inf") == 0)
            sd[k] = INFINITY;
        else if (ig_parse_double(p, strlen(p), &sd[k]) != 0 || !(sd[k] > 0))
            return cmd_usage(e, STAGE, "--wordfish-priors: \"%s\" is not a positive number or "
                                       "inf", p);
        p = c ? c + 1 : p;
    }
    return IG_OK;
}

/* Load both lexicons, listing every problem of both before failing. */
static int load_lexicons(const char *pos, const char *neg, lex_file **lp, lex_file **ln,
                         ig_err *e)
{
    ig_msgs probs = { 0 };
    probs.cap = SIZE_MAX;
    ig_err e1, e2;
    ig_err_clear(&e1);
    ig_err_clear(&e2);
    int r1 = lex_load(lp, pos, LEX_POSITIONS, STAGE, &probs, &e1);
    int r2 = lex_load(ln, neg, LEX_NEGATORS, STAGE, &probs, &e2);
    cmd_print_msgs(&probs);
    size_t np = ig_msgs_count(&probs);
    ig_msgs_free(&probs);
    if (r1 == IG_OK && r2 == IG_OK)
        return IG_OK;
    lex_free(*lp);
    lex_free(*ln);
    *lp = *ln = NULL;
    /* A file that could not be read at all is its own error (exit 3 for a
     * missing file); otherwise the count of listed problems. */
    if (r1 != IG_OK && !(r1 == IG_EDATA && np > 0)) {
        *e = e1;
        return r1;
    }
    if (r2 != IG_OK && !(r2 == IG_EDATA && np > 0)) {
        *e = e2;
        return r2;
    }
    if (r1 == IG_ENOMEM || r2 == IG_ENOMEM)
        return ig_err_nomem(e, STAGE);
    return ig_err_set(e, IG_EDATA, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      "%zu lexicon problem%s; nothing classified", np, np == 1 ? "" : "s");
}

enum { F_POSITIONS, F_EVIDENCE, F_GROUPS, F_COVERAGE, F_SUMMARY, F_PROVENANCE, F_COUNT };
static const char *const out_names[F_COUNT] = {
    "positions.csv", "evidence.csv", "position_groups.csv", "lexicon_coverage.csv",
    "positions_summary.txt", "positions_provenance.json"
};

int cmd_classify(int argc, char **argv, ig_err *e)
{
    cls_opts o;
    cls_opts_default(&o);
    const char *lexpath = NULL, *negpath = NULL, *outdir = NULL;
    int quiet = 0, threads_given = 0;
    char dirbuf[512], tolbuf[128];
    int rc = IG_OK, c;
    unsigned long long u;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_LEXICON: lexpath = optarg; break;
        case OPT_NEGATORS: negpath = optarg; break;
        case 'o': outdir = optarg; break;
        case OPT_NEGATION:
            if (strcmp(optarg, "flip") == 0)
                o.negation = CLS_NEG_FLIP;
            else if (strcmp(optarg, "discount") == 0)
                o.negation = CLS_NEG_DISCOUNT;
            else if (strcmp(optarg, "ignore") == 0)
                o.negation = CLS_NEG_IGNORE;
            else
                return cmd_usage(e, STAGE, "--negation is flip, discount or ignore, not \"%s\"",
                                 optarg);
            break;
        case OPT_NEGFACTOR:
            rc = opt_double("--negation-factor", optarg, 0, 1, &o.negation_factor, e);
            break;
        case OPT_CROSS:
            if (strcmp(optarg, "nearest") == 0)
                o.cross = CLS_CROSS_NEAREST;
            else if (strcmp(optarg, "both") == 0)
                o.cross = CLS_CROSS_BOTH;
            else
                return cmd_usage(e, STAGE, "--cross-overlap is nearest or both, not \"%s\"",
                                 optarg);
            break;
        case OPT_SMOOTH: rc = opt_double("--smoothing", optarg, 0, 1e9, &o.smoothing, e); break;
        case OPT_THRESHOLD:
            rc = opt_double("--threshold", optarg, 1e-9, 1 - 1e-9, &o.threshold, e);
            break;
        case OPT_MINCUES:
            rc = opt_uint("--min-cues", optarg, 0, 1000000, &u, e);
            o.min_cues = (unsigned)u;
            break;
        case OPT_MINSTANCE:
            rc = opt_uint("--min-stance-cues", optarg, 0, 1000000, &u, e);
            o.min_stance_cues = (unsigned)u;
            break;
        case OPT_BOOT:
            rc = opt_uint("--bootstrap", optarg, 0, CLS_MAX_BOOTSTRAP, &u, e);
            o.bootstrap = (unsigned)u;
            break;
        case OPT_SEED:
            rc = opt_uint("--seed", optarg, 0, UINT64_MAX, &u, e);
            o.seed = u;
            break;
        case OPT_THREADS:
            rc = opt_uint("--threads", optarg, 1, 64, &u, e);
            o.threads = (unsigned)u;
            threads_given = 1;
            break;
        case OPT_NOSECT: o.sections = 0; break;
        case OPT_CONTEXT:
            rc = opt_uint("--context", optarg, 0, CLS_MAX_CONTEXT, &u, e);
            o.context = (unsigned)u;
            break;
        case OPT_NOWS: o.wordscores = 0; break;
        case OPT_NOWF: o.wordfish = 0; break;
        case OPT_MINDOCS:
            rc = opt_uint("--scale-min-docs", optarg, 1, UINT32_MAX, &u, e);
            o.scale_min_docs = (unsigned)u;
            break;
        case OPT_FEATURES:
            rc = opt_uint("--scale-features", optarg, 2, UINT32_MAX, &u, e);
            o.scale_features = (unsigned)u;
            break;
        case OPT_WFMAX:
            rc = opt_uint("--wordfish-max-docs", optarg, 2, UINT32_MAX, &u, e);
            o.wordfish_max_docs = (uint32_t)u;
            break;
        case OPT_WFDIR: {
            char *a, *b;
            rc = split2("--wordfish-dir", optarg, dirbuf, sizeof dirbuf, &a, &b, e);
            o.wordfish_dir[0] = a;
            o.wordfish_dir[1] = b;
            if (rc == IG_OK && strcmp(a, b) == 0)
                return cmd_usage(e, STAGE, "--wordfish-dir needs two different ids");
            break;
        }
        case OPT_WFPRIORS: rc = parse_priors(optarg, o.wf.prior_sd, e); break;
        case OPT_WFTOL: {
            char *a, *b;
            rc = split2("--wordfish-tol", optarg, tolbuf, sizeof tolbuf, &a, &b, e);
            rc = rc ? rc : opt_double("--wordfish-tol", a, 1e-15, 1e3, &o.wf.tol_lp, e);
            rc = rc ? rc : opt_double("--wordfish-tol", b, 1e-15, 1e3, &o.wf.tol_par, e);
            break;
        }
        case OPT_WFITER:
            rc = opt_uint("--wordfish-max-iter", optarg, 1, 100000, &u, e);
            o.wf.max_iter = (unsigned)u;
            break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_EXCEL: o.excel = 1; break;
        case OPT_QUOTES:
            if (strcmp(optarg, "mention") == 0)
                o.quotes = CLS_QUOTES_MENTION;
            else if (strcmp(optarg, "use") == 0)
                o.quotes = CLS_QUOTES_USE;
            else
                return cmd_usage(e, STAGE, "--quotes is mention or use, not \"%s\"", optarg);
            break;
        case OPT_FOCUS: o.focus_pattern = optarg; break;
        case OPT_PRIV: o.privative_pattern = optarg; break;
        case ':':
            return cmd_usage(e, STAGE, "option %s needs a value", argv[optind - 1]);
        default:
            return cmd_usage(e, STAGE, "unknown option %s", argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind >= argc)
        return cmd_usage(e, STAGE, "no index given: igmap classify INDEX --lexicon FILE "
                                   "--negators FILE -o DIR");
    if (optind + 1 < argc)
        return cmd_usage(e, STAGE, "one index only (extra argument \"%s\")", argv[optind + 1]);
    if (lexpath == NULL || negpath == NULL || outdir == NULL)
        return cmd_usage(e, STAGE, "--lexicon, --negators and -o are all required");
    const char *index = argv[optind];
    if (!threads_given) {
        /* Both cores, as `igmap index` does: matching and scoring are
         * parallel, and the output is the same at any count. */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = cores > 1 ? 2 : 1;
    }
    /* The allocation fault injector counts calls without locking (alloc.c):
     * a sweep must run on one thread to fail the same call every time. */
    const char *fa = getenv("IG_FAIL_ALLOC");
    if (fa != NULL && *fa != '\0')
        o.threads = 1;
    /* The bootstrap's draw path, to compare them (classify.h boot_path). */
    const char *bp = getenv("IGMAP_BOOT_PATH");
    if (bp != NULL && *bp != '\0') {
        if (strcmp(bp, "auto") == 0)
            o.boot_path = CLS_BOOT_AUTO;
        else if (strcmp(bp, "scalar") == 0)
            o.boot_path = CLS_BOOT_SCALAR;
        else if (strcmp(bp, "avx512") == 0)
            o.boot_path = CLS_BOOT_AVX512;
        else if (strcmp(bp, "avx2") == 0)
            o.boot_path = CLS_BOOT_AVX2;
        else {
            char q[64];
            return cmd_usage(e, STAGE,
                             "IGMAP_BOOT_PATH wants auto, scalar, avx2 or avx512, not \"%s\"",
                             ig_quote(q, sizeof q, bp, strlen(bp)));
        }
        /* A forced path this CPU lacks would quietly run another one and
         * make a comparison prove nothing. */
        if (o.boot_path != CLS_BOOT_AUTO && cls_boot_path(o.boot_path) != o.boot_path)
            return cmd_usage(e, STAGE, "IGMAP_BOOT_PATH=%s: this CPU (or build) has no %s", bp,
                             o.boot_path == CLS_BOOT_AVX2 ? "AVX2" : "AVX-512 F, DQ and VL");
    }
    o.interrupted = &ig_interrupted;
    o.version = IGMAP_VERSION;
    o.index_path = index;

    lex_file *lp = NULL, *ln = NULL;
    idx_reader *r = NULL;
    cls_run *run = NULL;
    ig_out *out[F_COUNT] = { NULL };
    ig_out *so = NULL;
    ig_lock *lk = NULL;
    int made_dir = 0;
    /* 1. Lexicons first: every problem is listed before anything runs. */
    rc = load_lexicons(lexpath, negpath, &lp, &ln, e);
    if (rc)
        goto out;
    /* A crashed commit beside the index is finished first (out.h). */
    rc = cmd_settle(index, STAGE, e);
    if (rc)
        goto out;
    rc = idx_open(&r, index, e);
    if (rc)
        goto out;
    rc = cls_open(&run, r, lp, ln, &o, e);
    if (rc)
        goto out;
    struct stat dst;
    made_dir = stat(outdir, &dst) != 0;
    rc = ig_mkdirs(outdir, STAGE, e);
    if (rc)
        goto out;
    rc = cmd_claim_dir(outdir, STAGE, &lk, e);
    if (rc)
        goto out;
    for (int i = 0; i < F_COUNT; i++) {
        char path[4096];
        size_t dl = strlen(outdir);
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", outdir,
                             dl && outdir[dl - 1] == '/' ? "" : "/", out_names[i]) >= sizeof path) {
            rc = ig_err_data(e, STAGE, outdir, "output path too long");
            goto out;
        }
        rc = ig_out_open(&out[i], path, STAGE, e);
        if (rc)
            goto out;
    }
    /* 2. Scoring streams evidence.csv (past the page cache, as
     * positions.csv: the largest outputs, and nothing here reads them
     * back); a write error there is reported by the commit below, which
     * then changes nothing. */
    ig_out_stream(out[F_EVIDENCE]);
    ig_out_stream(out[F_POSITIONS]);
    rc = cls_score(run, out[F_EVIDENCE], e);
    if (rc == IG_ESYS && e->code == IG_OK) {
        rc = ig_out_commit_all(out, F_COUNT, e);
        if (rc == IG_OK) /* cannot happen: the handle recorded a failure */
            rc = ig_err_set(e, IG_ESYS, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "write error");
        goto out;
    }
    if (rc)
        goto out;
    rc = cls_scale(run, e);
    rc = rc ? rc : cls_write_positions(run, out[F_POSITIONS], e);
    rc = rc ? rc : cls_write_groups(run, out[F_GROUPS], e);
    rc = rc ? rc : cls_write_coverage(run, out[F_COVERAGE], e);
    rc = rc ? rc : cls_write_summary(run, out[F_SUMMARY], e);
    rc = rc ? rc : cls_write_provenance(run, out[F_PROVENANCE], e);
    if (rc != IG_OK && e->code == IG_OK) {
        /* a write error: the commit reports it and changes nothing */
        rc = ig_out_commit_all(out, F_COUNT, e);
        if (rc == IG_OK)
            rc = ig_err_set(e, IG_ESYS, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "write error");
        goto out;
    }
    if (rc)
        goto out;
    /* 3. All files together. */
    rc = ig_out_commit_all(out, F_COUNT, e);
    if (rc)
        goto out;
    if (!quiet) {
        rc = ig_out_open(&so, "-", STAGE, e);
        rc = rc ? rc : cls_write_summary(run, so, e);
        if (so) {
            int crc = ig_out_commit(so, e);
            so = NULL;
            rc = rc ? rc : crc;
        }
    }
out:
    for (int i = 0; i < F_COUNT; i++)
        ig_out_abort(out[i]);
    ig_out_abort(so);
    cmd_release_dir(lk, outdir, rc != IG_OK && made_dir);
    cls_free(run);
    idx_close(r);
    lex_free(lp);
    lex_free(ln);
    return rc;
}

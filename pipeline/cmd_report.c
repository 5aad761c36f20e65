/*
 * cmd_report.c: `igmap report`, the page (stages/report.h), and `igmap
 * provenance`, the record of what produced the tables.
 *
 *   igmap report DIR [-o FILE] [--mentions N] [--claims N] [--title TEXT]
 *                [--no-index]
 *       reads the tables in DIR (out/NAME) and writes one self-contained
 *       HTML page, by default DIR/report.html.
 *
 *   igmap provenance DIR [--corpus CORPUS] [--index FILE] [--lexicon FILE]...
 *                [--index-args S] [--classify-args S] [--map-args S] [-o FILE]
 *       writes provenance.json (by default DIR/provenance.json): hashes of
 *       the corpus, documents.csv, the lexicons and the tables, the index
 *       format and fingerprint, library versions, each stage's options.
 *       The *-args strings are the options the Makefile gave each stage,
 *       recorded as given (map's also read back into effective values).
 *
 * Both take the lock of the output's directory (lock.h) first, then read
 * everything and check it before creating the output, which is written
 * atomically (out.h): after any failure the previous file is unchanged.  Exit status: 0; 1 a missing or malformed input (located as
 * path:line); 2 usage; 3 I/O or memory; 128+N on a signal.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "fsutil.h"
#include "lock.h"
#include "out.h"
#include "report.h"

#define REP_PATH_MAX 4096

static int bad_option(ig_err *e, const char *stage, char **argv, int optc)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (optc == ':')
        return cmd_usage(e, stage, "option %s needs a value", arg);
    return cmd_usage(e, stage, "unknown option %s", arg);
}

static int parse_u32(const char *s, uint32_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* DIR/name into out, or the given path. */
static int default_path(char *out, size_t n, const char *given, const char *dir,
                        const char *name, const char *stage, ig_err *e)
{
    int k = given ? snprintf(out, n, "%s", given) : snprintf(out, n, "%s/%s", dir, name);
    if (k < 0 || (size_t)k + 64 >= n)
        return ig_err_data(e, stage, given ? given : dir, "output path too long");
    return IG_OK;
}

static int interrupted(const char *stage, ig_err *e)
{
    if (!ig_interrupted)
        return IG_OK;
    int rc = ig_err_set(e, IG_EINTR, stage, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        "interrupted");
    e->signo = ig_interrupted;
    return rc;
}

int cmd_report(int argc, char **argv, ig_err *e)
{
    enum { O_MENTIONS = 256, O_CLAIMS, O_TITLE, O_NOINDEX };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "mentions", required_argument, NULL, O_MENTIONS },
        { "claims", required_argument, NULL, O_CLAIMS },
        { "title", required_argument, NULL, O_TITLE },
        { "no-index", no_argument, NULL, O_NOINDEX },
        { NULL, 0, NULL, 0 },
    };
    rep_opts o;
    rep_opts_default(&o);
    const char *outpath = NULL;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': outpath = optarg; break;
        case O_MENTIONS:
            if (parse_u32(optarg, &o.mentions) != 0)
                return cmd_usage(e, "report", "--mentions needs a whole number, not \"%s\"",
                                 optarg);
            break;
        case O_CLAIMS:
            if (parse_u32(optarg, &o.claims) != 0)
                return cmd_usage(e, "report", "--claims needs a whole number, not \"%s\"",
                                 optarg);
            break;
        case O_TITLE: o.title = optarg; break;
        case O_NOINDEX: o.use_index = 0; break;
        default: return bad_option(e, "report", argv, c);
        }
    }
    if (argc - optind != 1)
        return cmd_usage(e, "report", "expected one DIR (the tables of igmap map), got %d "
                         "operands", argc - optind);
    const char *dir = argv[optind];
    if (*dir == '\0')
        return cmd_usage(e, "report", "DIR is empty");
    char path[REP_PATH_MAX];
    int rc = default_path(path, sizeof path, outpath, dir, "report.html", "report", e);
    if (rc)
        return rc;
    rep_doc *d = NULL;
    ig_out *out = NULL;
    ig_lock *lk = NULL;
    char odir[REP_PATH_MAX];
    /* The output's directory is locked before the tables are read, so
     * they are not replaced under us; they are all old or all new (out.h). */
    ig_path_dirname(path, odir, sizeof odir);
    rc = cmd_settle_dir(dir, "report", e);
    if (rc == IG_OK)
        rc = cmd_claim_dir(odir, "report", &lk, e);
    if (rc == IG_OK)
        rc = rep_open(&d, dir, &o, e);
    if (rc == IG_OK)
        rc = ig_out_open(&out, path, "report", e);
    if (rc == IG_OK)
        rc = rep_write(d, out, e);
    if (rc == IG_OK)
        rc = interrupted("report", e);
    /* A write failure returns its code with e unset: committing reports it
     * (path and OS reason) and leaves the target alone. */
    if (rc == IG_OK || (out && e->code == IG_OK)) {
        int crc = ig_out_commit(out, e);
        out = NULL;
        rc = rc == IG_OK ? crc : (e->code ? e->code : rc);
    }
    ig_out_abort(out);
    rep_close(d);
    ig_lock_release(lk);
    return rc;
}

int cmd_provenance(int argc, char **argv, ig_err *e)
{
    enum { O_CORPUS = 256, O_INDEX, O_LEXICON, O_IARGS, O_CARGS, O_MARGS };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "corpus", required_argument, NULL, O_CORPUS },
        { "index", required_argument, NULL, O_INDEX },
        { "lexicon", required_argument, NULL, O_LEXICON },
        { "index-args", required_argument, NULL, O_IARGS },
        { "classify-args", required_argument, NULL, O_CARGS },
        { "map-args", required_argument, NULL, O_MARGS },
        { NULL, 0, NULL, 0 },
    };
    rep_prov_opts po;
    memset(&po, 0, sizeof po);
    po.version = IGMAP_VERSION;
    const char *outpath = NULL;
    /* at most one lexicon per argument */
    const char **lex = ig_calloc((size_t)argc + 1, sizeof *lex);
    if (lex == NULL)
        return ig_err_nomem(e, "provenance");
    size_t nlex = 0;
    int c, rc = IG_OK;
    optind = 0;
    opterr = 0;
    while (rc == IG_OK && (c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': outpath = optarg; break;
        case O_CORPUS: po.corpus = optarg; break;
        case O_INDEX: po.index = optarg; break;
        case O_LEXICON: lex[nlex++] = optarg; break;
        case O_IARGS: po.index_args = optarg; break;
        case O_CARGS: po.classify_args = optarg; break;
        case O_MARGS: po.map_args = optarg; break;
        default: rc = bad_option(e, "provenance", argv, c); break;
        }
    }
    if (rc == IG_OK && argc - optind != 1)
        rc = cmd_usage(e, "provenance", "expected one DIR (out/NAME), got %d operands",
                       argc - optind);
    if (rc) {
        ig_free(lex);
        return rc;
    }
    po.dir = argv[optind];
    po.lexicons = lex;
    po.nlexicons = nlex;
    char path[REP_PATH_MAX];
    rep_json *doc = NULL;
    ig_buf text = IG_BUF_INIT;
    ig_out *out = NULL;
    ig_lock *lk = NULL;
    char odir[REP_PATH_MAX];
    rc = default_path(path, sizeof path, outpath, po.dir, "provenance.json", "provenance", e);
    if (rc == IG_OK) {
        ig_path_dirname(path, odir, sizeof odir);
        rc = cmd_settle_dir(po.dir, "provenance", e);
    }
    if (rc == IG_OK)
        rc = cmd_claim_dir(odir, "provenance", &lk, e);
    if (rc == IG_OK)
        rc = rep_provenance_build(&doc, &po, e);
    if (rc == IG_OK && rep_json_write(&text, doc, 2) != IG_OK)
        rc = ig_err_nomem(e, "provenance");
    if (rc == IG_OK)
        rc = ig_out_open(&out, path, "provenance", e);
    if (rc == IG_OK)
        rc = ig_out_write(out, text.data, text.len);
    if (rc == IG_OK)
        rc = interrupted("provenance", e);
    if (rc == IG_OK || (out && e->code == IG_OK)) {
        int crc = ig_out_commit(out, e);
        out = NULL;
        rc = rc == IG_OK ? crc : (e->code ? e->code : rc);
    }
    ig_out_abort(out);
    ig_buf_free(&text);
    rep_json_free(doc);
    ig_lock_release(lk);
    ig_free(lex);
    return rc;
}

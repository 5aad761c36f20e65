/*
 * cmd_index.c: the subcommands around the index file: `igmap index`
 * (corpus -> index.igx + documents.csv), `igmap info` (statistics) and
 * `igmap check` (verify every byte).
 *
 * Pipeline place: `index` is the fast path of DESIGN.md's data flow: the
 * manifest is validated whole (every problem listed) before any document
 * is read; documents are then read (input.c), tokenised, stemmed and
 * indexed (stages/index*.c) on worker threads, and both outputs are
 * written atomically and together (out.h ig_out_commit_all, its journal
 * covering a crash between the two renames), under the output
 * directory's lock (lock.h): on any error neither file is created or
 * changed and no temporary file is left.
 */
#include "cmd.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "err.h"
#include "fsutil.h"
#include "index.h"
#include "input.h"
#include "lock.h"
#include "manifest.h"
#include "out.h"
#include "sha256.h"
#include "stem.h"

/* Corpora larger than this get two threads by default: below it,
 * starting threads costs more than it saves. */
#define CMD_INDEX_THREAD_BYTES ((uint64_t)4 << 20)

struct index_ctx {
    const ig_corpus *c;
    ig_input_opts in;
    uint64_t total_bytes;       /* on disk, for progress */
    double t0;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* idx_source.read: one document through input.c (thread-safe). */
static int src_read(void *ctx, uint32_t doc, ig_buf *text, idx_doc_src *src, ig_err *e)
{
    struct index_ctx *x = ctx;
    const ig_doc *d = &x->c->docs[doc];
    ig_input_info info;
    memset(&info, 0, sizeof info);
    src->path = d->file;
    src->lang = d->lang;
    if (d->text) {
        /* A questionnaire respondent: its text was assembled from the
         * export, which input.c already checked (manifest.c). */
        ig_buf_reset(text);
        if (ig_buf_add(text, d->text, d->text_len) != IG_OK)
            return ig_err_nomem(e, "index");
        src->file_bytes = d->text_len;
        src->replaced = 0;
        src->gzip = 0;
        return IG_OK;
    }
    int rc = ig_input_read(d->file, &x->in, text, &info, e);
    if (rc != IG_OK)
        return rc;
    src->file_bytes = info.file_bytes;
    src->replaced = info.replaced;
    src->gzip = info.gzip;
    return IG_OK;
}

static const char *const *src_meta(void *ctx, uint32_t doc, const char **lang)
{
    struct index_ctx *x = ctx;
    *lang = x->c->docs[doc].lang;
    return (const char *const *)x->c->docs[doc].vals;
}

static void show_progress(void *ctx, uint32_t done, uint32_t total, uint64_t bytes)
{
    struct index_ctx *x = ctx;
    double dt = now_s() - x->t0;
    double mbs = dt > 0 ? (double)bytes / 1e6 / dt : 0;
    double left = bytes > 0 && x->total_bytes > bytes ? dt * (double)(x->total_bytes - bytes) / (double)bytes : 0;
    fprintf(stderr, "\rigmap: index: %u/%u documents, %.1f MB/s, %d:%02d left   ", done, total,
            mbs, (int)left / 60, (int)left % 60);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* documents.csv's rows into o: one per document, metadata then what
 * indexing found.  It reads the corpus and the writer's document table
 * only (idx_writer_doc_stats), so it may run while idx_writer_finish does.
 * A failure is recorded in o, which reports it when committed. */
static int documents_rows(ig_out *o, const ig_corpus *c, const idx_writer *w)
{
    int rc;
    ig_csv_writer cw;
    ig_csv_writer_init(&cw, o, 0);
    static const char *const extra[] = { "bytes", "file_bytes", "gzip", "tokens", "sentences",
                                         "paragraphs", "sections", "sha256", "replaced",
                                         "truncated", "status" };
    for (size_t j = 0; j < c->ncols; j++)
        ig_csv_str(&cw, c->cols[j]);
    for (size_t j = 0; j < sizeof extra / sizeof extra[0]; j++)
        ig_csv_str(&cw, extra[j]);
    rc = ig_csv_endrow(&cw);
    for (uint32_t i = 0; i < c->ndocs && rc == IG_OK; i++) {
        idx_doc_stats st;
        idx_writer_doc_stats(w, i, &st);
        char hex[65];
        ig_sha256_hex(st.sha256, hex);
        for (size_t j = 0; j < c->ncols; j++)
            ig_csv_str(&cw, c->docs[i].vals[j]);
        ig_csv_u64(&cw, st.bytes);
        ig_csv_u64(&cw, st.file_bytes);
        ig_csv_u64(&cw, (uint64_t)st.gzip);
        ig_csv_u64(&cw, st.positions);
        ig_csv_u64(&cw, st.sentences);
        ig_csv_u64(&cw, st.paragraphs);
        ig_csv_u64(&cw, st.sections);
        ig_csv_str(&cw, hex);
        ig_csv_u64(&cw, st.replaced);
        ig_csv_u64(&cw, st.truncated);
        ig_csv_str(&cw, st.replaced || st.truncated ? "repaired" : "ok");
        rc = ig_csv_endrow(&cw);
    }
    return rc;
}

struct docjob {
    ig_out *o;
    const ig_corpus *c;
    const idx_writer *w;
    int rc;
};

static void *docjob_main(void *arg)
{
    struct docjob *j = arg;
    j->rc = documents_rows(j->o, j->c, j->w);
    return NULL;
}

int cmd_index(int argc, char **argv, ig_err *e)
{
    enum { O_DOCS = 1000, O_THREADS, O_QUIET, O_SECTION, O_INVALID, O_LONG, O_NUL, O_MEM,
           O_TIMINGS };
    static const struct option lopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "documents", required_argument, NULL, O_DOCS },
        { "threads", required_argument, NULL, O_THREADS },
        { "quiet", no_argument, NULL, O_QUIET },
        { "section-pattern", required_argument, NULL, O_SECTION },
        { "on-invalid", required_argument, NULL, O_INVALID },
        { "on-long-token", required_argument, NULL, O_LONG },
        { "allow-nul", no_argument, NULL, O_NUL },
        { "memory", required_argument, NULL, O_MEM },
        { "timings", no_argument, NULL, O_TIMINGS },
        { NULL, 0, NULL, 0 }
    };
    const char *out_path = NULL, *docs_path = NULL;
    char docs_buf[4096], dir[4096];
    long threads = -1;
    int quiet = ig_quiet, timings = 0;
    idx_build_opts bo;
    memset(&bo, 0, sizeof bo);
    struct index_ctx x;
    memset(&x, 0, sizeof x);
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", lopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': out_path = optarg; break;
        case O_DOCS: docs_path = optarg; break;
        case O_THREADS:
            threads = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || threads < 1 || threads > 64)
                return cmd_usage(e, "index", "--threads wants a number from 1 to 64, not \"%s\"",
                                 optarg);
            break;
        case O_QUIET: quiet = 1; break;
        case O_TIMINGS: timings = 1; break;
        case O_SECTION: bo.section_pattern = optarg; break;
        case O_INVALID:
            if (strcmp(optarg, "replace") == 0)
                x.in.on_invalid_replace = 1;
            else if (strcmp(optarg, "strict") != 0)
                return cmd_usage(e, "index", "--on-invalid wants strict or replace, not \"%s\"",
                                 optarg);
            break;
        case O_LONG:
            if (strcmp(optarg, "truncate") == 0)
                bo.truncate_long = 1;
            else if (strcmp(optarg, "error") != 0)
                return cmd_usage(e, "index",
                                 "--on-long-token wants error or truncate, not \"%s\"", optarg);
            break;
        case O_NUL: bo.allow_nul = x.in.allow_nul = 1; break;
        case O_MEM: {
            unsigned long long mb = strtoull(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || mb < 1 || mb > 1u << 20)
                return cmd_usage(e, "index", "--memory wants megabytes (1 or more), not \"%s\"",
                                 optarg);
            bo.mem_budget = (size_t)mb << 20;
            break;
        }
        case ':':
            return cmd_usage(e, "index", "%s needs a value", argv[optind - 1]);
        default:
            return cmd_usage(e, "index", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage(e, "index", "expected one CORPUS directory, got %d operands",
                         argc - optind);
    if (out_path == NULL)
        return cmd_usage(e, "index", "-o INDEX.igx is required");
    const char *corpus_dir = argv[optind];
    int erc = ig_input_opts_from_env(&x.in, e);
    if (erc != IG_OK)
        return erc;
    ig_path_dirname(out_path, dir, sizeof dir);
    if (docs_path == NULL) {
        if ((size_t)snprintf(docs_buf, sizeof docs_buf, "%s/documents.csv", dir) >= sizeof docs_buf)
            return cmd_usage(e, "index", "output path too long");
        docs_path = docs_buf;
    }

    ig_corpus *corpus = NULL;
    ig_msgs problems;
    memset(&problems, 0, sizeof problems);
    idx_writer *w = NULL;
    ig_out *docs_out = NULL;
    ig_lock *lk = NULL;
    int made_dir = 0;
    double t_load = now_s();
    int rc = ig_corpus_load(&corpus, corpus_dir, stem_lang_supported, &problems, e);
    if (rc != IG_OK) {
        cmd_print_msgs(&problems);
        goto out;
    }
    x.c = corpus;
    /* The corpus size decides the thread count and feeds the progress
     * display's time estimate; past the thread threshold nothing else
     * needs it (without progress), so the stat calls stop there. */
    int need_total = !quiet || timings;
    for (size_t i = 0; i < corpus->ndocs; i++) {
        struct stat st;
        if (!need_total && x.total_bytes > CMD_INDEX_THREAD_BYTES)
            break;
        if (stat(corpus->docs[i].file, &st) == 0)
            x.total_bytes += (uint64_t)st.st_size;
    }
    if (threads < 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = x.total_bytes > CMD_INDEX_THREAD_BYTES && cores > 1 ? 2 : 1;
    }
    /* The allocation fault injector counts calls without locking (alloc.c):
     * a sweep must run on one thread to fail the same call every time. */
    const char *fa = getenv("IG_FAIL_ALLOC");
    if (fa != NULL && *fa != '\0')
        threads = 1;
    bo.threads = (unsigned)threads;
    bo.interrupted = &ig_interrupted;
    if (!quiet) {
        bo.progress = show_progress;
        bo.progress_ctx = &x;
    }
    struct stat dst;
    made_dir = stat(dir, &dst) != 0;
    if ((rc = ig_mkdirs(dir, "index", e)) != IG_OK ||
        (rc = cmd_claim_dir(dir, "index", &lk, e)) != IG_OK)
        goto out;
    x.t0 = now_s();
    if ((rc = idx_writer_open(&w, out_path, (const char *const *)corpus->cols, corpus->ncols,
                              &bo, e)) != IG_OK)
        goto out;
    idx_source src = { (uint32_t)corpus->ndocs, src_read, src_meta, &x };
    double t_build = now_s();
    if ((rc = idx_build(w, &src, e)) != IG_OK)
        goto out;
    double t_finish = now_s();
    if ((rc = ig_out_open(&docs_out, docs_path, "index", e)) != IG_OK)
        goto out;
    /* documents.csv is written on another thread while the index is
     * finished (sorting, postings, stems: the serial tail of a run), except
     * on one thread or under a write-fault sweep, which counts calls in
     * order. */
    struct docjob dj = { docs_out, corpus, w, IG_OK };
    pthread_t dth;
    int dstarted = bo.threads > 1 && !ig_out_fail_armed() &&
                   pthread_create(&dth, NULL, docjob_main, &dj) == 0;
    rc = idx_writer_finish(w, e);
    double t_docs = now_s();
    if (dstarted)
        pthread_join(dth, NULL);
    else if (rc == IG_OK)
        docjob_main(&dj);
    if (rc != IG_OK)
        goto out;
    if (dj.rc != IG_OK) {
        /* The handle knows what failed: committing reports it and cleans up. */
        ig_out *o = docs_out;
        docs_out = NULL;
        ig_out_commit(o, e);
        rc = dj.rc;
        goto out;
    }
    double t_commit = now_s();
    /* Both files are complete: they replace the old pair together, so an
     * index never sits beside a documents.csv of another run (P1). */
    rc = idx_writer_commit_with(w, docs_out, e);
    w = NULL;
    docs_out = NULL;
    if (rc == IG_OK && (!quiet || timings)) {
        double dt = now_s() - t_load;
        /* The phases, so that a slow run shows where its time went. */
        fprintf(stderr,
                "igmap: index: %zu documents, %.1f MB in %.2f s (%.1f MB/s) -> %s\n"
                "igmap: index: phases: load %.2f s, documents %.2f s, finish %.2f s, "
                "documents.csv %.2f s, commit %.2f s\n",
                corpus->ndocs, (double)x.total_bytes / 1e6, dt,
                dt > 0 ? (double)x.total_bytes / 1e6 / dt : 0.0, out_path, t_build - t_load,
                t_finish - t_build, t_docs - t_finish, t_commit - t_docs, now_s() - t_commit);
    }
out:
    ig_out_abort(docs_out);
    idx_writer_abort(w);
    cmd_release_dir(lk, dir, rc != IG_OK && made_dir);
    ig_corpus_free(corpus);
    ig_msgs_free(&problems);
    return rc;
}

/* Parse "CMD INDEX" with no options. */
static int one_index_arg(int argc, char **argv, const char *cmd, ig_err *e)
{
    if (argc != 2 || argv[1][0] == '-')
        return cmd_usage(e, cmd, "expected exactly one INDEX file");
    return IG_OK;
}

int cmd_info(int argc, char **argv, ig_err *e)
{
    int rc = one_index_arg(argc, argv, "info", e);
    if (rc != IG_OK)
        return rc;
    idx_reader *r = NULL;
    ig_buf b = IG_BUF_INIT;
    ig_out *o = NULL;
    if ((rc = cmd_settle(argv[1], "info", e)) != IG_OK ||
        (rc = idx_open(&r, argv[1], e)) != IG_OK)
        goto out;
    if (idx_info(r, &b) != IG_OK) {
        rc = ig_err_nomem(e, "info");
        goto out;
    }
    if ((rc = ig_out_open(&o, "-", "info", e)) != IG_OK)
        goto out;
    ig_out_write(o, b.data, b.len);
    rc = ig_out_commit(o, e);
    o = NULL;
out:
    ig_out_abort(o);
    ig_buf_free(&b);
    idx_close(r);
    return rc;
}

int cmd_check(int argc, char **argv, ig_err *e)
{
    int rc = one_index_arg(argc, argv, "check", e);
    if (rc != IG_OK)
        return rc;
    idx_reader *r = NULL;
    ig_out *o = NULL;
    if ((rc = cmd_settle(argv[1], "check", e)) != IG_OK ||
        (rc = idx_open(&r, argv[1], e)) != IG_OK || (rc = idx_check(r, e)) != IG_OK)
        goto out;
    uint64_t postings = 0;
    for (uint32_t t = 0; t < idx_term_count(r); t++)
        postings += idx_term_cf(r, t);
    if ((rc = ig_out_open(&o, "-", "check", e)) != IG_OK)
        goto out;
    ig_out_printf(o, "ok: %u documents, %u terms, %llu postings verified\n", idx_doc_count(r),
                  idx_term_count(r), (unsigned long long)postings);
    rc = ig_out_commit(o, e);
    o = NULL;
out:
    ig_out_abort(o);
    idx_close(r);
    return rc;
}

/*
 * classify_open.c: setting up a classify run (classify.h cls_open and
 * cls_free): the options checked, one entry per lexicon row and built-in
 * pattern of the negation rule, and every pattern resolved against the
 * index's vocabulary.
 *
 * Pipeline place: after the lexicons are read and linted, before
 * classify.c walks the postings; resolving is the serial set-up of a run,
 * so it is split over two threads (a regex runs over much of the
 * vocabulary: most of the set-up time on a 1 GB index).
 */
#include "classify.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "classify_int.h"

/* Resolving the patterns against the vocabulary, in the order the
 * built-in patterns first, then the lexicon entries; the k-th of that
 * order is entry res_entry(run, k). */
static size_t res_entry(const cls_run *run, size_t k)
{
    size_t nb = run->nent - run->nlex;
    return k < nb ? run->nlex + k : k - nb;
}

/* One thread's share: every k = from (mod step), with its own resolver
 * (stemmers, PCRE2 match data and JIT stack are per resolver).  Stops at
 * its first failure, recording k and the error. */
struct resjob {
    cls_run *run;
    size_t from, step;
    size_t failed;          /* k of the failure, SIZE_MAX if none */
    int rc;
    ig_err err;
};

static void *resolve_share(void *arg)
{
    struct resjob *j = arg;
    pat_resolver *rs = NULL;
    ig_err_clear(&j->err);
    j->failed = SIZE_MAX;
    j->rc = pat_resolver_open(&rs, j->run->r, &j->err);
    if (j->rc != IG_OK) /* not in the one-thread order: any pattern's error first */
        j->failed = SIZE_MAX - 1;
    for (size_t k = j->from; j->rc == IG_OK && k < j->run->nent; k += j->step) {
        j->rc = pat_resolve(j->run->ent[res_entry(j->run, k)].pat, rs, &j->err);
        if (j->rc != IG_OK)
            j->failed = k;
    }
    pat_resolver_close(rs);
    return NULL;
}

/* Resolve every entry, split over two threads when the run has them:
 * resolving a regex runs it over a large part of the vocabulary (most of
 * the set-up time on a 1 GB index).  The error reported is the one the
 * one-thread order meets first. */
static int resolve_all(cls_run *run, ig_err *e)
{
    struct resjob j[2] = { { run, 0, 1, SIZE_MAX, IG_OK, { 0 } },
                           { run, 1, 2, SIZE_MAX, IG_OK, { 0 } } };
    pthread_t th;
    int two = run->o.threads > 1 && run->nent > 1;
    if (two) {
        j[0].step = 2;
        if (pthread_create(&th, NULL, resolve_share, &j[1]) != 0) {
            two = 0;
            j[0].step = 1;
        }
    }
    resolve_share(&j[0]);
    if (two)
        pthread_join(th, NULL);
    struct resjob *first = &j[0];
    if (two && j[1].failed < j[0].failed)
        first = &j[1];
    if (first->rc != IG_OK)
        *e = first->err;
    return first->rc;
}

/* ---- opening -------------------------------------------------------------- */

static char *dup_opt(const char *s, int *fail)
{
    if (s == NULL)
        return NULL;
    char *d = ig_strdup(s);
    if (d == NULL)
        *fail = 1;
    return d;
}

static int check_opts(const cls_opts *o, ig_err *e)
{
    const char *bad = NULL;
    if (o->negation < CLS_NEG_FLIP || o->negation > CLS_NEG_IGNORE)
        bad = "negation mode";
    else if (!(o->negation_factor >= 0 && o->negation_factor <= 1))
        bad = "negation factor (0..1)";
    else if (o->cross != CLS_CROSS_NEAREST && o->cross != CLS_CROSS_BOTH)
        bad = "cross-overlap rule";
    else if (o->quotes != CLS_QUOTES_MENTION && o->quotes != CLS_QUOTES_USE)
        bad = "quotes rule";
    else if (!(o->smoothing >= 0) || !isfinite(o->smoothing))
        bad = "smoothing (>= 0)";
    else if (!(o->threshold > 0 && o->threshold < 1))
        bad = "threshold (between 0 and 1)";
    else if (o->bootstrap > CLS_MAX_BOOTSTRAP)
        bad = "bootstrap replicates";
    else if (o->context > CLS_MAX_CONTEXT)
        bad = "context";
    else if (o->threads > CLS_MAX_THREADS)
        bad = "threads";
    if (bad)
        return ig_err_set(e, IG_EUSAGE, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                          IG_ERR_NOPOS, "bad %s", bad);
    return IG_OK;
}

int cls_open(cls_run **out, const idx_reader *r, lex_file *positions, lex_file *negators,
             const cls_opts *o, ig_err *e)
{
    *out = NULL;
    int rc = check_opts(o, e);
    if (rc)
        return rc;
    if (lex_file_kind(positions) != LEX_POSITIONS)
        return ig_err_set(e, IG_EUSAGE, CLS_STAGE, lex_file_path(positions), IG_ERR_NOPOS,
                          IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "not a positions lexicon (its header says %s)",
                          lex_kind_name(lex_file_kind(positions)));
    if (lex_file_kind(negators) != LEX_NEGATORS)
        return ig_err_set(e, IG_EUSAGE, CLS_STAGE, lex_file_path(negators), IG_ERR_NOPOS,
                          IG_ERR_NOPOS, IG_ERR_NOPOS,
                          "not a negators lexicon (its header says %s)",
                          lex_kind_name(lex_file_kind(negators)));
    cls_run *run = ig_calloc(1, sizeof *run);
    if (run == NULL)
        return ig_err_nomem(e, CLS_STAGE);
    ig_buf desc = IG_BUF_INIT;
    run->r = r;
    run->lpos = positions;
    run->lneg = negators;
    run->o = *o;
    int fail = 0;
    run->strs[0] = dup_opt(o->wordfish_dir[0], &fail);
    run->strs[1] = dup_opt(o->wordfish_dir[1], &fail);
    run->strs[2] = dup_opt(o->version, &fail);
    run->strs[3] = dup_opt(o->index_path, &fail);
    run->strs[4] = dup_opt(o->focus_pattern ? o->focus_pattern : CLS_DEFAULT_FOCUS, &fail);
    run->strs[5] = dup_opt(o->privative_pattern ? o->privative_pattern : CLS_DEFAULT_PRIVATIVE,
                           &fail);
    run->o.wordfish_dir[0] = run->strs[0];
    run->o.wordfish_dir[1] = run->strs[1];
    run->o.version = run->strs[2];
    run->o.index_path = run->strs[3];
    run->o.focus_pattern = run->strs[4];
    run->o.privative_pattern = run->strs[5];
    run->focus = run->privative = SIZE_MAX;
    run->col_ref = idx_col_find(r, "ref_position");
    if (fail) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    for (int k = 0; k < 2; k++) {
        const char *id = run->o.wordfish_dir[k];
        if (id == NULL)
            continue;
        uint32_t d, nd = idx_doc_count(r);
        for (d = 0; d < nd && strcmp(idx_doc_id(r, d), id) != 0; d++)
            ;
        if (d == nd) {
            rc = ig_err_set(e, IG_EUSAGE, CLS_STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "--wordfish-dir: no document with id \"%s\"", id);
            goto out;
        }
    }
    run->npos = lex_count(positions);
    run->nlex = run->npos + lex_count(negators);
    run->nent = run->nlex;
    /* The built-in patterns of the negation rule. */
    for (int k = 0; k < 2; k++) {
        const char *t = k == 0 ? run->o.focus_pattern : run->o.privative_pattern;
        if (t[0] == '\0')
            continue;
        rc = pat_compile(&run->builtin[k], t, strlen(t), NULL, e);
        if (rc)
            goto out;
        if (k == 0)
            run->focus = run->nent++;
        else
            run->privative = run->nent++;
    }
    run->ent = ig_calloc(run->nent ? run->nent : 1, sizeof *run->ent);
    if (run->ent == NULL) {
        rc = ig_err_nomem(e, CLS_STAGE);
        goto out;
    }
    for (size_t i = run->nlex; i < run->nent; i++) {
        cls_entry *en = &run->ent[i];
        int focus = i == run->focus;
        en->pat = run->builtin[focus ? 0 : 1];
        en->text = focus ? run->o.focus_pattern : run->o.privative_pattern;
        en->kind = focus ? CLS_FOCUS : CLS_PRIVATIVE;
        en->pole = en->dim = -1;
        en->last_doc = UINT32_MAX;
    }
    for (size_t i = 0; i < run->nlex; i++) {
        cls_entry *en = &run->ent[i];
        int cue = i < run->npos;
        const lex_file *f = cue ? positions : negators;
        size_t j = cue ? i : i - run->npos;
        en->pat = lex_entry_pattern(f, j);
        en->text = lex_entry_text(f, j);
        en->line = lex_entry_line(f, j);
        en->kind = cue ? CLS_CUE : CLS_NEGATOR;
        en->pole = cue ? lex_entry_pole(f, j) : -1;
        en->dim = cue ? lex_entry_dimension(f, j) : -1;
        en->weight = cue ? lex_entry_weight(f, j) : 0;
        en->scope = cue ? 0 : lex_entry_scope(f, j);
        en->last_doc = UINT32_MAX;
        ig_buf_reset(&desc);
        if (pat_describe(en->pat, &desc)) {
            rc = ig_err_nomem(e, CLS_STAGE);
            goto out;
        }
        en->is_near = desc.len >= 5 && memcmp(desc.data, "(near", 5) == 0;
    }
    rc = resolve_all(run, e);
out:
    ig_buf_free(&desc);
    if (rc) {
        cls_free(run);
        return rc;
    }
    *out = run;
    return IG_OK;
}

void cls_free(cls_run *run)
{
    if (run == NULL)
        return;
    for (int k = 0; k < 6; k++)
        ig_free(run->strs[k]);
    pat_free(run->builtin[0]);
    pat_free(run->builtin[1]);
    ig_free(run->ent);
    ig_free(run->rows);
    ig_buf_free(&run->cells);
    ig_free(run);
}

/*
 * fuzz_manifest.c: libFuzzer target for the CSV reader and manifest
 * validation (issue 6; FAULTS.md F29-F32).
 *
 * The input is split at the first line "@@EXPORT@@": what comes before is
 * read twice, by ig_csv_next directly over the bytes (asserting record
 * invariants) and as the manifest.csv of a scratch corpus holding a.txt,
 * b.txt and sub/c.txt, through ig_corpus_load; what comes after, if any,
 * becomes that corpus's q.csv, so a manifest row with format
 * "questionnaire" pointing at it exercises the questionnaire export reader.
 * Every outcome must be a clean return: success, or an error code with a
 * message and, for validation failures, at least one listed problem.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"
#include "err.h"
#include "fuzz_common.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) FZ_CHECK("fuzz_manifest", c)

static const char SPLIT[] = "\n@@EXPORT@@\n";

static int lang_ok(const char *code)
{
    return strcmp(code, "en") == 0 || strcmp(code, "fr") == 0 || strcmp(code, "de") == 0;
}

static void csv_direct(const char *s, size_t n)
{
    ig_csv_reader r;
    ig_csv_reader_init(&r, s, n, "fuzz.csv", "manifest");
    ig_err e;
    ig_err_clear(&e);
    const char **f;
    const size_t *l;
    size_t nf;
    int rc;
    uint64_t last_line = 0;
    while ((rc = ig_csv_next(&r, &f, &l, &nf, &e)) == 1) {
        CHECK(nf >= 1);
        CHECK(r.rec_line >= 1 && r.rec_line > last_line);
        last_line = r.rec_line;
        for (size_t i = 0; i < nf; i++) {
            CHECK(f[i] != NULL && f[i][l[i]] == '\0');
            CHECK(l[i] <= n);
            CHECK(memchr(f[i], '\0', l[i]) == NULL); /* NUL is an error */
        }
    }
    if (rc < 0) {
        CHECK(e.code == rc && e.msg[0]);
        CHECK(e.line == IG_ERR_NOPOS || e.line >= 1);
    } else {
        CHECK(rc == 0 && r.pos <= n);
    }
    ig_csv_reader_free(&r);
}

static void corpus(const char *man, size_t mlen, const char *exp, size_t elen, int has_exp)
{
    char p[600];
    static int ready;
    if (!ready) {
        fz_put(p, sizeof p, "a.txt", "alpha words here\n", 17);
        fz_put(p, sizeof p, "b.txt", "beta\n", 5);
        snprintf(p, sizeof p, "%s/sub", fz_tmpdir());
        mkdir(p, 0777);
        fz_put(p, sizeof p, "sub/c.txt", "gamma\n", 6);
        ready = 1;
    }
    if (has_exp)
        fz_put(p, sizeof p, "q.csv", exp, elen);
    else
        fz_put(p, sizeof p, "q.csv", "id,q1\nr1,answer\n", 16);
    fz_put(p, sizeof p, "manifest.csv", man, mlen);

    ig_corpus *c = NULL;
    ig_msgs probs = {0};
    ig_err e;
    ig_err_clear(&e);
    int rc = ig_corpus_load(&c, fz_tmpdir(), lang_ok, &probs, &e);
    if (rc == 0) {
        CHECK(c != NULL);
        long idc = ig_corpus_col(c, "id"), pc = ig_corpus_col(c, "path");
        CHECK(idc >= 0 && pc >= 0);
        for (size_t i = 0; i < c->ndocs; i++) {
            const ig_doc *d = &c->docs[i];
            CHECK(d->id && d->id[0] && d->path && d->file && d->lang);
            CHECK(d->id == d->vals[idc]);
            for (size_t j = 0; j < c->ncols; j++)
                CHECK(d->vals[j] != NULL);
            CHECK(d->text == NULL || strlen(d->text) <= d->text_len);
        }
        ig_corpus_free(c);
    } else {
        CHECK(c == NULL && rc < 0 && e.code == rc && e.msg[0]);
        /* IG_EDATA lists its problems, or is one summary like "no documents" */
        CHECK(rc != IG_EDATA || ig_msgs_count(&probs) >= 1 || e.msg[0]);
    }
    ig_msgs_free(&probs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = calloc(1, size ? size : 1);
    if (!s)
        return 0;
    if (size)
        memcpy(s, data, size);
    size_t mlen = size;
    const char *exp = NULL;
    size_t elen = 0;
    for (size_t i = 0; i + sizeof SPLIT - 1 <= size; i++)
        if (memcmp(s + i, SPLIT, sizeof SPLIT - 1) == 0) {
            mlen = i + 1; /* keep the line end */
            exp = s + i + sizeof SPLIT - 1;
            elen = size - (i + sizeof SPLIT - 1);
            break;
        }
    csv_direct(s, mlen);
    corpus(s, mlen, exp, elen, exp != NULL);
    free(s);
    return 0;
}

/*
 * manifest.c: load and validate a corpus directory (see manifest.h).
 *
 * Everything is checked before anything is read: a researcher who adds fifty
 * rows and gets one path wrong should see every wrong row in one run, not
 * one per run.
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "fsutil.h"
#include "input.h"
#include "limits.h"

#define STAGE "manifest"

/* Record one problem; returns IG_ENOMEM only when the list cannot grow. */
static int problem(ig_msgs *problems, size_t *count, const char *path,
                   uint64_t line, uint64_t col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int problem(ig_msgs *problems, size_t *count, const char *path,
                   uint64_t line, uint64_t col, const char *fmt, ...)
{
    (*count)++;
    if (problems == NULL)
        return IG_OK;
    ig_err e;
    ig_err_clear(&e);
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ig_err_set(&e, IG_EDATA, STAGE, path, line, col, IG_ERR_NOPOS, "%s", msg);
    return ig_msgs_add(problems, &e);
}

void ig_corpus_free(ig_corpus *c)
{
    if (c == NULL)
        return;
    /* A corpus can be freed half-built after an allocation failure: ncols
     * is set before cols is allocated and a document is counted before its
     * vals are (t0904-manifest-read-oom-leak: IG_FAIL_ALLOC=10+ loaded
     * NULL here). */
    for (size_t i = 0; i < c->ndocs; i++) {
        for (size_t j = 0; c->docs[i].vals && j < c->ncols; j++)
            ig_free(c->docs[i].vals[j]);
        ig_free(c->docs[i].vals);
        ig_free(c->docs[i].file);
        ig_free(c->docs[i].text);
    }
    ig_free(c->docs);
    for (size_t j = 0; c->cols && j < c->ncols; j++)
        ig_free(c->cols[j]);
    ig_free(c->cols);
    ig_free(c->dir);
    ig_free(c->manifest);
    ig_free(c);
}

long ig_corpus_col(const ig_corpus *c, const char *name)
{
    for (size_t j = 0; j < c->ncols; j++)
        if (strcmp(c->cols[j], name) == 0)
            return (long)j;
    return -1;
}

/* Append one document with ncols empty-initialised values. */
static ig_doc *corpus_add_doc(ig_corpus *c, size_t *cap)
{
    if (c->ndocs == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        ig_doc *d = ig_reallocarray(c->docs, ncap, sizeof *d);
        if (d == NULL)
            return NULL;
        c->docs = d;
        *cap = ncap;
    }
    ig_doc *doc = &c->docs[c->ndocs];
    memset(doc, 0, sizeof *doc);
    doc->vals = ig_calloc(c->ncols, sizeof *doc->vals);
    if (doc->vals == NULL)
        return NULL;
    c->ndocs++;
    return doc;
}

/* Point the convenience fields of every document at its values. */
static void corpus_link(ig_corpus *c)
{
    long id = ig_corpus_col(c, "id"), path = ig_corpus_col(c, "path");
    long lang = ig_corpus_col(c, "language");
    for (size_t i = 0; i < c->ndocs; i++) {
        ig_doc *d = &c->docs[i];
        d->id = d->vals[id];
        d->path = d->vals[path];
        d->lang = (lang >= 0 && d->vals[lang][0]) ? d->vals[lang] : "en";
    }
}

/* ---- directory walk (no manifest) ---------------------------------------- */

typedef struct walk {
    char **paths;
    size_t n, cap;
} walk;

static int walk_add(walk *w, const char *rel)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 64;
        char **p = ig_reallocarray(w->paths, ncap, sizeof *p);
        if (p == NULL)
            return IG_ENOMEM;
        w->paths = p;
        w->cap = ncap;
    }
    if ((w->paths[w->n] = ig_strdup(rel)) == NULL)
        return IG_ENOMEM;
    w->n++;
    return IG_OK;
}

/* Recurse below root/rel.  Symlinked directories are not followed (loops);
 * symlinked files are, and are checked for containment later. */
static int walk_dir(walk *w, const char *root, const char *rel, int depth, ig_err *e)
{
    char dir[PATH_MAX];
    if (rel[0] ? ig_path_join(dir, sizeof dir, root, rel) != 0
               : (size_t)snprintf(dir, sizeof dir, "%s", root) >= sizeof dir)
        return ig_err_data(e, STAGE, rel, "path too long");
    if (depth > 64)
        return ig_err_data(e, STAGE, dir, "directories nested too deeply");
    DIR *d = opendir(dir);
    if (d == NULL)
        return ig_err_sys(e, STAGE, dir, "cannot read directory");
    int rc = IG_OK;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char sub[PATH_MAX], full[PATH_MAX];
        if ((rel[0] ? ig_path_join(sub, sizeof sub, rel, de->d_name)
                    : ((size_t)snprintf(sub, sizeof sub, "%s", de->d_name) >= sizeof sub)) ||
            ig_path_join(full, sizeof full, root, sub) != 0) {
            rc = ig_err_data(e, STAGE, de->d_name, "path too long");
            break;
        }
        /* The entry's type as readdir gives it, when the file system
         * does and it is one of the usual three (an lstat each was most of
         * walking a large directory); lstat otherwise. */
        int isdir = de->d_type == DT_DIR;
        if (de->d_type != DT_DIR && de->d_type != DT_REG && de->d_type != DT_LNK) {
            struct stat st;
            if (lstat(full, &st) != 0) {
                rc = ig_err_sys(e, STAGE, full, "cannot stat");
                break;
            }
            isdir = S_ISDIR(st.st_mode);
        }
        if (isdir) {
            if ((rc = walk_dir(w, root, sub, depth + 1, e)) != IG_OK)
                break;
        } else if (ig_has_suffix(sub, ".txt") || ig_has_suffix(sub, ".txt.gz")) {
            if (walk_add(w, sub) != IG_OK) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
        }
        errno = 0;
    }
    if (rc == IG_OK && errno != 0)
        rc = ig_err_sys(e, STAGE, dir, "cannot read directory");
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int corpus_walk(ig_corpus *c, ig_err *e)
{
    walk w = { 0 };
    size_t cap = 0;
    int rc = walk_dir(&w, c->dir, "", 0, e);
    if (rc != IG_OK)
        goto out;
    if (w.n > 1)
        qsort(w.paths, w.n, sizeof *w.paths, cmp_str);
    static const char *const cols[] = { "id", "path", "language" };
    c->ncols = 3;
    if ((c->cols = ig_calloc(3, sizeof *c->cols)) == NULL)
        goto nomem;
    for (size_t j = 0; j < 3; j++)
        if ((c->cols[j] = ig_strdup(cols[j])) == NULL)
            goto nomem;
    for (size_t i = 0; i < w.n; i++) {
        ig_doc *d = corpus_add_doc(c, &cap);
        if (d == NULL || (d->vals[0] = ig_strdup(w.paths[i])) == NULL ||
            (d->vals[1] = ig_strdup(w.paths[i])) == NULL ||
            (d->vals[2] = ig_strdup("en")) == NULL)
            goto nomem;
    }
    goto out;
nomem:
    rc = ig_err_nomem(e, STAGE);
out:
    for (size_t i = 0; i < w.n; i++)
        ig_free(w.paths[i]);
    ig_free(w.paths);
    return rc;
}

/* ---- manifest ------------------------------------------------------------ */

/* Next CSV record of a manifest or export: 1 with the fields, 0 at the end
 * or after a malformed record (recorded as a problem: the reader cannot
 * resynchronise after a quoting error), or IG_ENOMEM. */
static int next_record(ig_csv_reader *rd, const char ***f, const size_t **fl, size_t *n,
                       ig_msgs *problems, size_t *nprob)
{
    ig_err ce;
    ig_err_clear(&ce);
    int got = ig_csv_next(rd, f, fl, n, &ce);
    if (got >= 0)
        return got;
    if (ce.code == IG_ENOMEM)
        return IG_ENOMEM;
    (*nprob)++;
    if (problems && ig_msgs_add(problems, &ce) != IG_OK)
        return IG_ENOMEM;
    return 0;
}

static int valid_col_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Read and check the manifest's header and rows.  *rows_ok is set when the
 * header was usable, so the id and file checks can run on the rows that
 * parsed: every problem of every kind is listed in one run. */
static int corpus_read_manifest(ig_corpus *c, ig_lang_ok_fn lang_ok,
                                ig_msgs *problems, size_t *nprob, int *rows_ok,
                                ig_err *e)
{
    ig_buf data = IG_BUF_INIT;
    ig_csv_reader rd;
    int rc = ig_read_file(c->manifest, IG_MAX_LINE_BYTES * 64, &data, STAGE, e);
    if (rc != IG_OK) {
        /* ig_read_file may fail after growing data (IG_FAIL_ALLOC=5+ on
         * the query fixture leaked it: t0904-manifest-read-oom-leak). */
        ig_buf_free(&data);
        return rc;
    }
    ig_csv_reader_init(&rd, data.data, data.len, c->manifest, STAGE);
    const char **f;
    const size_t *fl;
    size_t n, cap = 0;
    size_t before = *nprob;
    int got = next_record(&rd, &f, &fl, &n, problems, nprob);
    if (got == IG_ENOMEM)
        goto nomem;
    if (got == 0) {
        if (*nprob == before)
            problem(problems, nprob, c->manifest, 1, IG_ERR_NOPOS,
                    "empty manifest (no header line)");
        goto out;
    }
    /* Header. */
    c->ncols = n;
    if ((c->cols = ig_calloc(n, sizeof *c->cols)) == NULL)
        goto nomem;
    for (size_t j = 0; j < n; j++) {
        if ((c->cols[j] = ig_strndup(f[j], fl[j])) == NULL)
            goto nomem;
        char q[128];
        if (!valid_col_name(c->cols[j]))
            problem(problems, nprob, c->manifest, 1, IG_ERR_NOPOS,
                    "bad column name \"%s\" (use lower-case letters, digits and _)",
                    ig_quote(q, sizeof q, f[j], fl[j]));
        for (size_t k = 0; k < j; k++)
            if (strcmp(c->cols[k], c->cols[j]) == 0)
                problem(problems, nprob, c->manifest, 1, IG_ERR_NOPOS,
                        "duplicate column \"%s\"", c->cols[j]);
    }
    long idc = ig_corpus_col(c, "id"), pathc = ig_corpus_col(c, "path");
    long langc = ig_corpus_col(c, "language"), refc = ig_corpus_col(c, "ref_position");
    if (idc < 0)
        problem(problems, nprob, c->manifest, 1, IG_ERR_NOPOS, "missing required column \"id\"");
    if (pathc < 0)
        problem(problems, nprob, c->manifest, 1, IG_ERR_NOPOS, "missing required column \"path\"");
    if (*nprob)
        goto out; /* rows cannot be checked against a broken header */
    *rows_ok = 1;
    /* Rows. */
    while ((got = next_record(&rd, &f, &fl, &n, problems, nprob)) == 1) {
        uint64_t line = rd.rec_line;
        if (n != c->ncols) {
            problem(problems, nprob, c->manifest, line, IG_ERR_NOPOS,
                    "expected %zu fields, got %zu", c->ncols, n);
            continue;
        }
        ig_doc *d = corpus_add_doc(c, &cap);
        if (d == NULL)
            goto nomem;
        d->line = line;
        for (size_t j = 0; j < n; j++)
            if ((d->vals[j] = ig_strndup(f[j], fl[j])) == NULL)
                goto nomem;
        char q[128];
        if (fl[idc] == 0)
            problem(problems, nprob, c->manifest, line, IG_ERR_NOPOS, "empty id");
        if (fl[pathc] == 0)
            problem(problems, nprob, c->manifest, line, IG_ERR_NOPOS, "empty path");
        if (langc >= 0 && fl[langc] > 0 && lang_ok && !lang_ok(f[langc]))
            problem(problems, nprob, c->manifest, line, IG_ERR_NOPOS,
                    "unknown or unsupported language \"%s\"",
                    ig_quote(q, sizeof q, f[langc], fl[langc]));
        double v;
        if (refc >= 0 && fl[refc] > 0 && ig_parse_double(f[refc], fl[refc], &v) != 0)
            problem(problems, nprob, c->manifest, line, IG_ERR_NOPOS,
                    "ref_position \"%s\" is not a number",
                    ig_quote(q, sizeof q, f[refc], fl[refc]));
        if (c->ndocs > IG_MAX_DOCS) {
            problem(problems, nprob, c->manifest, line, IG_ERR_NOPOS,
                    "more than %u documents", IG_MAX_DOCS);
            break;
        }
    }
    if (got == IG_ENOMEM)
        goto nomem;
    goto out;
nomem:
    rc = ig_err_nomem(e, STAGE);
out:
    ig_csv_reader_free(&rd);
    ig_buf_free(&data);
    return rc;
}

/* ---- checks common to both ways of listing documents ---------------------- */

typedef struct id_ref {
    const char *id;
    size_t doc;
} id_ref;

static int cmp_id_ci(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcasecmp(x->id, y->id);
    if (c)
        return c;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static int corpus_check_ids(ig_corpus *c, ig_msgs *problems, size_t *nprob, ig_err *e)
{
    if (c->ndocs < 2)
        return IG_OK;
    id_ref *refs = ig_reallocarray(NULL, c->ndocs, sizeof *refs);
    if (refs == NULL)
        return ig_err_nomem(e, STAGE);
    for (size_t i = 0; i < c->ndocs; i++)
        refs[i] = (id_ref){ c->docs[i].id, i };
    /* strcasecmp folds ASCII only, which is the documented rule: ids are
     * file-name-like, and "Doc1" next to "doc1" is almost always a typo. */
    qsort(refs, c->ndocs, sizeof *refs, cmp_id_ci);
    for (size_t i = 1; i < c->ndocs; i++) {
        if (!refs[i].id[0] || strcasecmp(refs[i - 1].id, refs[i].id) != 0)
            continue;
        const ig_doc *first = &c->docs[refs[i - 1].doc], *dup = &c->docs[refs[i].doc];
        char q[128], q2[128], where[PATH_MAX];
        /* A respondent of a questionnaire export is located in the export. */
        snprintf(where, sizeof where, "%s", dup->text ? dup->file : c->manifest);
        if (dup->text && strrchr(where, '#'))
            *strrchr(where, '#') = '\0';
        if (strcmp(first->id, dup->id) == 0)
            problem(problems, nprob, where, dup->line, IG_ERR_NOPOS,
                    "duplicate doc id \"%s\" (first at line %llu)",
                    ig_quote(q, sizeof q, dup->id, strlen(dup->id)),
                    (unsigned long long)first->line);
        else
            problem(problems, nprob, where, dup->line, IG_ERR_NOPOS,
                    "doc id \"%s\" differs only in case from \"%s\" (line %llu)",
                    ig_quote(q, sizeof q, dup->id, strlen(dup->id)),
                    ig_quote(q2, sizeof q2, first->id, strlen(first->id)),
                    (unsigned long long)first->line);
    }
    ig_free(refs);
    return IG_OK;
}

/* The regular files of one directory, from one reading of it (readdir's
 * d_type): a corpus of thousands of files in a few directories is checked
 * with a few getdents calls instead of an lstat per file, whose walk down
 * the path was most of loading it.  Only a name found here as a regular
 * file skips the lstat; anything else (a symbolic link, a file system
 * that gives no d_type, a name created since) takes the lstat as before,
 * which also words every error. */
struct dirlist {
    char *dir;              /* as written */
    uint32_t *slots;        /* name offset in names + 1, 0 = empty */
    size_t nslots;          /* power of two, at least twice the names */
    ig_buf names;           /* NUL-terminated */
};
/* Directories listed at most (beyond, files are checked with lstat). */
#define DIRLISTS_MAX 64

/* The resolved form of the directory resolve_file() met last, and the
 * listings of the directories it met. */
struct dircache {
    char dir[PATH_MAX];     /* as written (the part of the path before the name) */
    char real[PATH_MAX];    /* realpath() of it */
    int regular;            /* the last file resolved was a regular file (lstat) */
    struct dirlist lists[DIRLISTS_MAX];
    size_t nlists;
    size_t last;            /* the list used last */
};

static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static void dirlist_free(struct dirlist *l)
{
    ig_free(l->dir);
    ig_free(l->slots);
    ig_buf_free(&l->names);
    memset(l, 0, sizeof *l);
}

/* Read dir[0..dlen) into l; an unreadable directory gives an empty list. */
static int dirlist_read(struct dirlist *l, const char *dir, size_t dlen)
{
    memset(l, 0, sizeof *l);
    if ((l->dir = ig_strndup(dir, dlen)) == NULL)
        return IG_ENOMEM;
    DIR *d = opendir(l->dir);
    size_t count = 0;
    if (d != NULL) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_type != DT_REG)
                continue;
            if (l->names.len > UINT32_MAX - 1024 ||
                ig_buf_add(&l->names, de->d_name, strlen(de->d_name) + 1) != IG_OK) {
                closedir(d);
                return IG_ENOMEM;
            }
            count++;
        }
        closedir(d);
    }
    l->nslots = 16;
    while (l->nslots < 2 * count)
        l->nslots *= 2;
    if ((l->slots = ig_calloc(l->nslots, sizeof *l->slots)) == NULL)
        return IG_ENOMEM;
    for (size_t off = 0; off < l->names.len;) {
        const char *nm = l->names.data + off;
        size_t n = strlen(nm);
        size_t i = (size_t)name_hash(nm, n) & (l->nslots - 1);
        while (l->slots[i])
            i = (i + 1) & (l->nslots - 1);
        l->slots[i] = (uint32_t)off + 1;
        off += n + 1;
    }
    return IG_OK;
}

/* Whether name is a regular file in dir[0..dlen) by its listing (read
 * now if it is new and there is room). */
static int dirlist_regular(struct dircache *c, const char *dir, size_t dlen, const char *name)
{
    struct dirlist *l = NULL;
    if (c->last < c->nlists && strlen(c->lists[c->last].dir) == dlen &&
        memcmp(c->lists[c->last].dir, dir, dlen) == 0) {
        l = &c->lists[c->last];
    } else {
        for (size_t i = 0; i < c->nlists && l == NULL; i++)
            if (strlen(c->lists[i].dir) == dlen && memcmp(c->lists[i].dir, dir, dlen) == 0) {
                l = &c->lists[i];
                c->last = i;
            }
        if (l == NULL) {
            if (c->nlists == DIRLISTS_MAX)
                return 0;
            l = &c->lists[c->nlists];
            if (dirlist_read(l, dir, dlen) != IG_OK) {
                dirlist_free(l);
                return 0;
            }
            c->last = c->nlists++;
        }
    }
    size_t n = strlen(name);
    for (size_t i = (size_t)name_hash(name, n) & (l->nslots - 1); l->slots[i];
         i = (i + 1) & (l->nslots - 1))
        if (strcmp(l->names.data + l->slots[i] - 1, name) == 0)
            return 1;
    return 0;
}

/* realpath(full) into real[PATH_MAX], or NULL with errno.  realpath() reads
 * every component of every path (a readlink call each), which on a corpus
 * of thousands of files in a few directories cost more than the rest of
 * loading together.  When the last component is a plain name of a regular
 * file that is not a symbolic link, its real path is its directory's real
 * path plus the name, and the directory's is kept for the next file. */
static char *resolve_file(const char *full, char *real, struct dircache *c)
{
    c->regular = 0;
    const char *slash = strrchr(full, '/');
    const char *name = slash ? slash + 1 : full;
    size_t dlen = slash ? (size_t)(slash - full) : 0;
    struct stat st;
    if (slash == NULL || dlen == 0 || dlen >= PATH_MAX || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0 || name[0] == '\0' ||
        (!dirlist_regular(c, full, dlen, name) &&
         (lstat(full, &st) != 0 || !S_ISREG(st.st_mode))))
        return realpath(full, real);
    if (strlen(c->dir) != dlen || memcmp(c->dir, full, dlen) != 0) {
        char dir[PATH_MAX];
        memcpy(dir, full, dlen);
        dir[dlen] = '\0';
        if (realpath(dir, c->real) == NULL) {
            c->dir[0] = '\0';
            return realpath(full, real);
        }
        memcpy(c->dir, dir, dlen + 1);
    }
    size_t rl = strlen(c->real), nl = strlen(name);
    if (rl + 1 + nl >= PATH_MAX)
        return realpath(full, real);
    memcpy(real, c->real, rl);
    size_t k = rl;
    if (rl == 0 || c->real[rl - 1] != '/')
        real[k++] = '/';
    memcpy(real + k, name, nl + 1);
    c->regular = 1;
    return real;
}

/* Resolve every document's file, check it exists, is a regular file and
 * stays inside the corpus directory. */
static int corpus_check_files(ig_corpus *c, ig_msgs *problems, size_t *nprob, ig_err *e)
{
    char root[PATH_MAX];
    if (realpath(c->dir, root) == NULL)
        return ig_err_sys(e, STAGE, c->dir, "cannot resolve corpus directory");
    size_t rootlen = strlen(root);
    const char *where = c->manifest ? c->manifest : c->dir;
    struct dircache *cache = ig_calloc(1, sizeof *cache);
    if (cache == NULL)
        return ig_err_nomem(e, STAGE);
    int rc = IG_OK;
    for (size_t i = 0; i < c->ndocs; i++) {
        ig_doc *d = &c->docs[i];
        if (!d->path[0])
            continue;
        char full[PATH_MAX], real[PATH_MAX], q[128];
        ig_quote(q, sizeof q, d->path, strlen(d->path));
        if (d->path[0] == '/' || ig_path_join(full, sizeof full, c->dir, d->path) != 0) {
            problem(problems, nprob, where, d->line ? d->line : IG_ERR_NOPOS, IG_ERR_NOPOS,
                    "path \"%s\" must be relative to the corpus directory", q);
            continue;
        }
        if ((d->file = ig_strdup(full)) == NULL) {
            rc = ig_err_nomem(e, STAGE);
            break;
        }
        if (resolve_file(full, real, cache) == NULL) {
            int err = errno;
            problem(problems, nprob, where, d->line ? d->line : IG_ERR_NOPOS, IG_ERR_NOPOS,
                    "%s \"%s\": %s",
                    err == ENOENT ? "missing file" : "cannot resolve", q, strerror(err));
            continue;
        }
        if (strncmp(real, root, rootlen) != 0 || (real[rootlen] != '/' && rootlen > 1)) {
            problem(problems, nprob, where, d->line ? d->line : IG_ERR_NOPOS, IG_ERR_NOPOS,
                    "path \"%s\" leads outside the corpus directory (to %s)", q, real);
            continue;
        }
        struct stat st;
        if (!cache->regular && (stat(real, &st) != 0 || !S_ISREG(st.st_mode)))
            problem(problems, nprob, where, d->line ? d->line : IG_ERR_NOPOS, IG_ERR_NOPOS,
                    "\"%s\" is not a regular file", q);
    }
    for (size_t i = 0; i < cache->nlists; i++)
        dirlist_free(&cache->lists[i]);
    ig_free(cache);
    return rc;
}

/* ---- questionnaire exports ------------------------------------------------ */

/* Question number of a column name "q<N>", N in 1..999, or 0. */
static unsigned question_col(const char *name)
{
    if (name[0] != 'q' || name[1] < '1' || name[1] > '9')
        return 0;
    unsigned n = 0;
    for (const char *s = name + 1; *s; s++) {
        if (*s < '0' || *s > '9' || n > 99)
            return 0;
        n = n * 10 + (unsigned)(*s - '0');
    }
    return n;
}

/* Documents of one export, appended to out (cap *cap).  tmpl is the
 * manifest row the export came from. */
static int expand_export(const ig_corpus *c, const ig_doc *tmpl, ig_doc **out, size_t *nout,
                         size_t *cap, ig_msgs *problems, size_t *nprob, ig_err *e)
{
    ig_buf data = IG_BUF_INIT, text = IG_BUF_INIT;
    ig_csv_reader rd;
    const char *path = tmpl->file;
    int rc = ig_read_file(path, IG_MAX_DOC_BYTES, &data, STAGE, e);
    if (rc != IG_OK) {
        ig_buf_free(&data); /* grown before a failure: see corpus_read_manifest */
        return rc;
    }
    ig_csv_reader_init(&rd, data.data, data.len, path, STAGE);
    long *map = NULL;          /* export column -> manifest column, or -1 */
    unsigned *qnum = NULL;     /* export column -> question number, or 0 */
    long idcol = -1;
    ig_utf8_bad bad;
    if (!ig_utf8_check(data.data, data.len, &bad)) {
        problem(problems, nprob, path, bad.line, bad.col, "invalid UTF-8 (%s) (byte %llu)",
                bad.reason, (unsigned long long)bad.byte);
        goto out;
    }
    const char **f;
    const size_t *fl;
    size_t n, ncols, before = *nprob;
    int got = next_record(&rd, &f, &fl, &n, problems, nprob);
    if (got == IG_ENOMEM)
        goto nomem;
    if (got == 0) {
        if (*nprob == before)
            problem(problems, nprob, path, 1, IG_ERR_NOPOS, "empty questionnaire export");
        goto out;
    }
    ncols = n;
    map = ig_calloc(ncols, sizeof *map);
    qnum = ig_calloc(ncols, sizeof *qnum);
    if (map == NULL || qnum == NULL)
        goto nomem;
    size_t nq = 0;
    for (size_t j = 0; j < ncols; j++) {
        map[j] = -1;
        for (size_t k = 0; k < j; k++)
            if (strcmp(f[k], f[j]) == 0)
                problem(problems, nprob, path, 1, IG_ERR_NOPOS, "duplicate column \"%s\"", f[j]);
        if (strcmp(f[j], "id") == 0) {
            idcol = (long)j;
        } else if ((qnum[j] = question_col(f[j])) != 0) {
            nq++;
        } else if (strcmp(f[j], "path") == 0 || strcmp(f[j], "format") == 0 ||
                   (map[j] = ig_corpus_col(c, f[j])) < 0) {
            char q[128];
            problem(problems, nprob, path, 1, IG_ERR_NOPOS,
                    "column \"%s\" is neither id, a question (q1, q2, ...) nor a manifest column",
                    ig_quote(q, sizeof q, f[j], fl[j]));
        }
    }
    if (idcol < 0)
        problem(problems, nprob, path, 1, IG_ERR_NOPOS, "missing required column \"id\"");
    if (nq == 0)
        problem(problems, nprob, path, 1, IG_ERR_NOPOS, "no question columns (q1, q2, ...)");
    if (*nprob)
        goto out;
    long idc = ig_corpus_col(c, "id"), pathc = ig_corpus_col(c, "path");
    while ((got = next_record(&rd, &f, &fl, &n, problems, nprob)) == 1) {
        if (n != ncols) {
            problem(problems, nprob, path, rd.rec_line, IG_ERR_NOPOS,
                    "expected %zu fields, got %zu", ncols, n);
            continue;
        }
        if (fl[idcol] == 0) {
            problem(problems, nprob, path, rd.rec_line, IG_ERR_NOPOS, "empty id");
            continue;
        }
        ig_buf_reset(&text);
        for (size_t j = 0; j < ncols; j++)
            if (qnum[j] && fl[j] > 0 &&
                (ig_buf_addf(&text, "Question %u\n\n", qnum[j]) ||
                 ig_buf_add(&text, f[j], fl[j]) || ig_buf_adds(&text, "\n\n")))
                goto nomem;
        if (*nout == *cap) {
            size_t ncap = *cap ? *cap * 2 : 16;
            ig_doc *d = ig_reallocarray(*out, ncap, sizeof *d);
            if (d == NULL)
                goto nomem;
            *out = d;
            *cap = ncap;
        }
        ig_doc *d = &(*out)[*nout];
        memset(d, 0, sizeof *d);
        (*nout)++;
        d->line = rd.rec_line;
        if ((d->vals = ig_calloc(c->ncols, sizeof *d->vals)) == NULL)
            goto nomem;
        for (size_t k = 0; k < c->ncols; k++)
            if ((d->vals[k] = ig_strdup(tmpl->vals[k])) == NULL)
                goto nomem;
        for (size_t j = 0; j < ncols; j++) {
            if (map[j] < 0 || fl[j] == 0)
                continue;
            ig_free(d->vals[map[j]]);
            if ((d->vals[map[j]] = ig_strndup(f[j], fl[j])) == NULL)
                goto nomem;
        }
        ig_free(d->vals[idc]);
        if ((d->vals[idc] = ig_strndup(f[idcol], fl[idcol])) == NULL)
            goto nomem;
        ig_buf name = IG_BUF_INIT;
        if (ig_buf_addf(&name, "%s#%s", tmpl->path, f[idcol])) {
            ig_buf_free(&name);
            goto nomem;
        }
        ig_free(d->vals[pathc]);
        d->vals[pathc] = ig_buf_detach(&name, NULL);
        if ((d->file = ig_malloc(strlen(path) + fl[idcol] + 2)) == NULL)
            goto nomem;
        snprintf(d->file, strlen(path) + fl[idcol] + 2, "%s#%s", path, f[idcol]);
        d->text = ig_buf_detach(&text, &d->text_len);
        if (d->text == NULL && (d->text = ig_strdup("")) == NULL)
            goto nomem;
    }
    if (got == IG_ENOMEM)
        goto nomem;
    goto out;
nomem:
    rc = ig_err_nomem(e, STAGE);
out:
    ig_free(map);
    ig_free(qnum);
    ig_buf_free(&text);
    ig_csv_reader_free(&rd);
    ig_buf_free(&data);
    return rc;
}

/* Replace every `format=questionnaire` row by the documents of its export;
 * an unknown format is a problem of its row. */
static int corpus_expand(ig_corpus *c, ig_msgs *problems, size_t *nprob, ig_err *e)
{
    long fmt = ig_corpus_col(c, "format");
    if (fmt < 0)
        return IG_OK;
    int any = 0;
    for (size_t i = 0; i < c->ndocs; i++) {
        const char *v = c->docs[i].vals[fmt];
        if (strcmp(v, "questionnaire") == 0)
            any = 1;
        else if (v[0] && strcmp(v, "text") != 0) {
            char q[128];
            problem(problems, nprob, c->manifest, c->docs[i].line, IG_ERR_NOPOS,
                    "unknown format \"%s\" (use text or questionnaire)",
                    ig_quote(q, sizeof q, v, strlen(v)));
        }
    }
    if (!any || *nprob)
        return IG_OK;
    ig_doc *docs = NULL;
    size_t n = 0, cap = 0;
    int rc = IG_OK;
    for (size_t i = 0; i < c->ndocs && rc == IG_OK; i++) {
        ig_doc *d = &c->docs[i];
        if (strcmp(d->vals[fmt], "questionnaire") == 0) {
            rc = expand_export(c, d, &docs, &n, &cap, problems, nprob, e);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            ig_doc *g = ig_reallocarray(docs, ncap, sizeof *g);
            if (g == NULL) {
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            docs = g;
            cap = ncap;
        }
        docs[n++] = *d;
        memset(d, 0, sizeof *d); /* moved */
    }
    /* Free what was not moved (the export rows), then swap the lists, so
     * ig_corpus_free() releases everything on any path. */
    ig_corpus old = *c;
    c->docs = docs;
    c->ndocs = n;
    old.ncols = c->ncols;
    for (size_t i = 0; i < old.ndocs; i++) {
        if (old.docs[i].vals == NULL)
            continue;
        for (size_t j = 0; j < c->ncols; j++)
            ig_free(old.docs[i].vals[j]);
        ig_free(old.docs[i].vals);
        ig_free(old.docs[i].file);
        ig_free(old.docs[i].text);
    }
    ig_free(old.docs);
    if (rc == IG_OK && c->ndocs > IG_MAX_DOCS)
        rc = ig_err_set(e, IG_ELIMIT, STAGE, c->manifest, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        IG_ERR_NOPOS, "more than %u documents", IG_MAX_DOCS);
    /* After a failure an export row may be half-built (vals NULL or partly
     * filled): t0904-manifest-read-oom-leak, UBSan "load of null pointer"
     * in corpus_link with a questionnaire export. */
    if (rc == IG_OK)
        corpus_link(c);
    return rc;
}

int ig_corpus_load(ig_corpus **cp, const char *dir, ig_lang_ok_fn lang_ok,
                   ig_msgs *problems, ig_err *e)
{
    *cp = NULL;
    ig_corpus *c = ig_calloc(1, sizeof *c);
    if (c == NULL)
        return ig_err_nomem(e, STAGE);
    int rc = IG_OK, rows_ok = 0;
    size_t nprob = 0;
    struct stat st;
    if (stat(dir, &st) != 0) {
        rc = ig_err_sys(e, STAGE, dir, "cannot open corpus directory");
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = ig_err_data(e, STAGE, dir, "not a directory (a corpus is a directory)");
        goto out;
    }
    if ((c->dir = ig_strdup(dir)) == NULL)
        goto nomem;
    char mpath[PATH_MAX];
    if (ig_path_join(mpath, sizeof mpath, dir, "manifest.csv") != 0) {
        rc = ig_err_data(e, STAGE, dir, "path too long");
        goto out;
    }
    if (stat(mpath, &st) == 0) {
        if ((c->manifest = ig_strdup(mpath)) == NULL)
            goto nomem;
        rc = corpus_read_manifest(c, lang_ok, problems, &nprob, &rows_ok, e);
    } else if (errno == ENOENT) {
        rc = corpus_walk(c, e);
        rows_ok = 1;
    } else {
        rc = ig_err_sys(e, STAGE, mpath, "cannot stat");
    }
    if (rc != IG_OK)
        goto out;
    if (rows_ok) {
        corpus_link(c);
        size_t before = nprob;
        if ((rc = corpus_check_files(c, problems, &nprob, e)) != IG_OK)
            goto out;
        /* Exports are expanded only when every file was found, so their
         * respondents' ids join the duplicate check. */
        if (nprob == before && (rc = corpus_expand(c, problems, &nprob, e)) != IG_OK)
            goto out;
        if ((rc = corpus_check_ids(c, problems, &nprob, e)) != IG_OK)
            goto out;
    }
    if (nprob) {
        rc = ig_err_data(e, STAGE, c->manifest ? c->manifest : dir,
                         "%zu problem%s; nothing was indexed", nprob, nprob == 1 ? "" : "s");
        goto out;
    }
    if (c->ndocs == 0) {
        rc = ig_err_data(e, STAGE, c->manifest ? c->manifest : dir,
                         "no documents (no manifest rows, or no .txt/.txt.gz files)");
        goto out;
    }
    *cp = c;
    return IG_OK;
nomem:
    rc = ig_err_nomem(e, STAGE);
out:
    ig_corpus_free(c);
    return rc;
}

/*
 * provenance.c: what produced the tables of out/NAME/, gathered into the
 * tree that becomes provenance.json (report.h specifies every member).
 *
 * Pipeline place: `igmap provenance` runs it after index, classify and map
 * (the Makefile runs it last but one, before the report, which prints it as
 * the page's footer).  It reads; it changes nothing.  Facts come from the
 * files themselves (SHA-256 of the corpus listing, the manifest,
 * documents.csv, the lexicons and every table), from the index header
 * (idx_info: format version and fingerprint), from the libraries linked
 * into this binary, and from the stages' options: the argument strings the
 * Makefile passed to each stage, map's read back into effective values
 * against map.h's defaults, and classify's own positions_provenance.json.
 * Nothing depends on time, host or directory order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>
#include <zlib.h>

#include "alloc.h"
#include "csv.h"
#include "fsutil.h"
#include "index.h"
#include "map.h"
#include "report.h"
#include "report_int.h"
#include "sha256.h"
#include "stem.h"
#include "tokenise.h"

#define STAGE "provenance"

/* Deepest directory level walked below a corpus (symlinked directories
 * are not followed, so only a real tree this deep can hit it). */
#define PROV_MAX_DEPTH 64

/* Tables of DIR whose hashes are recorded, in the order written (bytewise). */
static const char *const output_names[] = {
    "documents.csv", "evidence.csv", "gaps.csv", "issue_mechanisms.csv", "issues.csv",
    "issues_by_group.csv", "issues_by_process.csv", "lexicon_coverage.csv",
    "map_evidence.csv", "position_groups.csv", "positions.csv", "positions_provenance.json",
    "positions_summary.txt",
};

static int path_in(char *out, size_t n, const char *dir, const char *name, ig_err *e)
{
    if (ig_path_join(out, n, dir, name) != 0)
        return ig_err_data(e, STAGE, dir, "path too long");
    return IG_OK;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* SHA-256 (hex) and size of a whole file, read in blocks. */
static int hash_file(const char *path, char hex[65], uint64_t *bytes, ig_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return ig_err_sys(e, STAGE, path, "cannot open");
    int rc = IG_OK;
    struct stat st;
    unsigned char *blk = NULL;
    if (fstat(fd, &st) != 0) {
        rc = ig_err_sys(e, STAGE, path, "cannot stat");
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ig_err_data(e, STAGE, path, "not a regular file");
        goto out;
    }
    blk = ig_malloc(1 << 16);
    if (blk == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    ig_sha256 c;
    ig_sha256_init(&c);
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, blk, 1 << 16);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = ig_err_sys(e, STAGE, path, "read error");
            goto out;
        }
        if (r == 0)
            break;
        ig_sha256_update(&c, blk, (size_t)r);
        total += (uint64_t)r;
    }
    unsigned char dig[32];
    ig_sha256_final(&c, dig);
    ig_sha256_hex(dig, hex);
    *bytes = total;
out:
    ig_free(blk);
    close(fd);
    return rc;
}

/* {path, sha256, bytes} of a file, added to parent under key; the new
 * object in *rec when rec is not NULL (NULL after an allocation failure,
 * which the tree records). */
static int file_record(rep_json *parent, const char *key, const char *path, rep_json **rec,
                       ig_err *e)
{
    char hex[65];
    uint64_t bytes = 0;
    int rc = hash_file(path, hex, &bytes, e);
    if (rc)
        return rc;
    rep_json *f = rep_jb_add(parent, key, REP_JSON_OBJECT);
    rep_jb_str(f, "path", path);
    rep_jb_str(f, "sha256", hex);
    rep_jb_u64(f, "bytes", bytes);
    if (rec)
        *rec = f;
    return IG_OK;
}

/* ---- the corpus listing ---------------------------------------------------------- */

typedef struct listing {
    char **paths;      /* relative paths */
    uint64_t *sizes;
    size_t n, cap;
} listing;

static void listing_free(listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        ig_free(l->paths[i]);
    ig_free(l->paths);
    ig_free(l->sizes);
}

static int listing_add(listing *l, const char *rel, uint64_t size)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char **p = ig_reallocarray(l->paths, nc, sizeof *p);
        if (p == NULL)
            return -1;
        l->paths = p;
        uint64_t *s = ig_reallocarray(l->sizes, nc, sizeof *s);
        if (s == NULL)
            return -1;
        l->sizes = s;
        l->cap = nc;
    }
    char *d = ig_strdup(rel);
    if (d == NULL)
        return -1;
    l->paths[l->n] = d;
    l->sizes[l->n++] = size;
    return 0;
}

/* Every regular file below root/rel (symlinks to files count; symlinked
 * directories are not entered). */
static int walk(listing *l, const char *root, const char *rel, int depth, ig_err *e)
{
    char path[4096];
    if (*rel ? snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path
             : snprintf(path, sizeof path, "%s", root) >= (int)sizeof path)
        return ig_err_data(e, STAGE, root, "path too long below the corpus");
    if (depth > PROV_MAX_DEPTH)
        return ig_err_data(e, STAGE, path, "corpus directories nested deeper than %d",
                           PROV_MAX_DEPTH);
    DIR *d = opendir(path);
    if (d == NULL)
        return ig_err_sys(e, STAGE, path, "cannot open directory");
    int rc = IG_OK;
    struct dirent *de;
    errno = 0;
    while (rc == IG_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char sub[4096], full[4096];
        if ((*rel ? snprintf(sub, sizeof sub, "%s/%s", rel, de->d_name)
                  : snprintf(sub, sizeof sub, "%s", de->d_name)) >= (int)sizeof sub ||
            snprintf(full, sizeof full, "%s/%s", root, sub) >= (int)sizeof full) {
            rc = ig_err_data(e, STAGE, path, "path too long below the corpus");
            break;
        }
        struct stat st;
        if (lstat(full, &st) != 0) {
            rc = ig_err_sys(e, STAGE, full, "cannot stat");
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk(l, root, sub, depth + 1, e);
        } else if (S_ISLNK(st.st_mode)) {
            if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
                listing_add(l, sub, (uint64_t)st.st_size) != 0)
                rc = ig_err_nomem(e, STAGE);
        } else if (S_ISREG(st.st_mode)) {
            if (listing_add(l, sub, (uint64_t)st.st_size) != 0)
                rc = ig_err_nomem(e, STAGE);
        }
        errno = 0;
    }
    if (rc == IG_OK && errno != 0)
        rc = ig_err_sys(e, STAGE, path, "cannot read directory");
    closedir(d);
    return rc;
}

typedef struct pathsize {
    const char *p;
    uint64_t s;
} pathsize;

static int pathsize_cmp(const void *a, const void *b)
{
    return strcmp(((const pathsize *)a)->p, ((const pathsize *)b)->p);
}

/* The corpus object, made in root and returned in *out. */
static int corpus_record(rep_json *root, const char *corpus, rep_json **out, ig_err *e)
{
    rep_json *c = rep_jb_add(root, "corpus", REP_JSON_OBJECT);
    *out = c;
    rep_jb_str(c, "path", corpus);
    char mpath[4096];
    int rc = path_in(mpath, sizeof mpath, corpus, "manifest.csv", e);
    if (rc)
        return rc;
    if (exists(mpath))
        rc = file_record(c, "manifest", mpath, NULL, e);
    else
        rep_jb_add(c, "manifest", REP_JSON_NULL);
    if (rc)
        return rc;
    listing l = { 0 };
    pathsize *ps = NULL;
    rc = walk(&l, corpus, "", 0, e);
    if (rc == IG_OK && l.n) {
        ps = ig_reallocarray(NULL, l.n, sizeof *ps);
        if (ps == NULL)
            rc = ig_err_nomem(e, STAGE);
    }
    if (rc == IG_OK) {
        for (size_t i = 0; i < l.n; i++)
            ps[i] = (pathsize){ l.paths[i], l.sizes[i] };
        if (l.n)
            qsort(ps, l.n, sizeof *ps, pathsize_cmp);
        ig_sha256 h;
        ig_sha256_init(&h);
        uint64_t total = 0;
        for (size_t i = 0; i < l.n; i++) {
            char num[32];
            int k = snprintf(num, sizeof num, "\t%llu\n", (unsigned long long)ps[i].s);
            ig_sha256_update(&h, ps[i].p, strlen(ps[i].p));
            ig_sha256_update(&h, num, (size_t)k);
            total += ps[i].s;
        }
        unsigned char dig[32];
        char hex[65];
        ig_sha256_final(&h, dig);
        ig_sha256_hex(dig, hex);
        rep_jb_u64(c, "files", l.n);
        rep_jb_u64(c, "bytes", total);
        rep_jb_str(c, "listing_sha256", hex);
    }
    ig_free(ps);
    listing_free(&l);
    return rc;
}

/* ---- documents.csv --------------------------------------------------------------- */

typedef struct count_kv {
    char *key;
    uint64_t n;
} count_kv;

static int documents_record(rep_json *corpus, const char *dir, ig_err *e)
{
    char path[4096];
    int rc = path_in(path, sizeof path, dir, "documents.csv", e);
    if (rc)
        return rc;
    if (!exists(path))
        return ig_err_data(e, STAGE, path, "missing: run igmap index first");
    rep_json *rec = NULL;
    rc = file_record(corpus, "documents_csv", path, &rec, e);
    if (rc)
        return rc;
    ig_buf data = IG_BUF_INIT;
    ig_csv_reader r;
    count_kv *kv = NULL;
    size_t nkv = 0;
    uint64_t rows = 0;
    long status_col = -1;
    rc = ig_read_file(path, REP_MAX_FILE, &data, STAGE, e);
    if (rc) {
        ig_buf_free(&data);
        return rc;
    }
    ig_csv_reader_init(&r, data.data ? data.data : "", data.len, path, STAGE);
    const char **f;
    const size_t *fl;
    size_t nf, ncols = 0;
    int got;
    while ((got = ig_csv_next(&r, &f, &fl, &nf, e)) == 1) {
        if (ncols == 0) {
            ncols = nf;
            for (size_t i = 0; i < nf; i++)
                if (strcmp(f[i], "status") == 0)
                    status_col = (long)i;
            continue;
        }
        if (nf != ncols) {
            rc = ig_err_set(e, IG_EDATA, STAGE, path, r.rec_line, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            "expected %zu fields, got %zu", ncols, nf);
            break;
        }
        rows++;
        if (status_col < 0)
            continue;
        const char *s = f[status_col];
        size_t k = 0;
        while (k < nkv && strcmp(kv[k].key, s) != 0)
            k++;
        if (k == nkv) {
            count_kv *nk = ig_reallocarray(kv, nkv + 1, sizeof *kv);
            if (nk == NULL || (nk[nkv].key = ig_strdup(s)) == NULL) {
                if (nk)
                    kv = nk;
                rc = ig_err_nomem(e, STAGE);
                break;
            }
            kv = nk;
            kv[nkv++].n = 0;
        }
        kv[k].n++;
    }
    if (got < 0 && rc == IG_OK)
        rc = e->code;
    if (rc == IG_OK && ncols == 0)
        rc = ig_err_data(e, STAGE, path, "empty file (no header)");
    if (rc == IG_OK) {
        rep_jb_u64(rec, "rows", rows);
        rep_json *st = rep_jb_add(corpus, "status", REP_JSON_OBJECT);
        for (size_t k = 0; k < nkv; k++)
            rep_jb_u64(st, kv[k].key, kv[k].n);
        rep_jb_u64(corpus, "documents", rows);
    }
    for (size_t k = 0; k < nkv; k++)
        ig_free(kv[k].key);
    ig_free(kv);
    ig_csv_reader_free(&r);
    ig_buf_free(&data);
    return rc;
}

/* ---- the index ---------------------------------------------------------------------- */

static int all_digits(const char *s)
{
    if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int index_record(rep_json *root, const char *path, const char *args, ig_err *e)
{
    idx_reader *r = NULL;
    ig_buf info = IG_BUF_INIT;
    int rc = idx_open(&r, path, e);
    if (rc)
        return rc;
    if (idx_info(r, &info) != 0) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    char hex[65];
    uint64_t bytes;
    rc = hash_file(path, hex, &bytes, e);
    if (rc)
        goto out;
    rep_json *ix = rep_jb_add(root, "index", REP_JSON_OBJECT);
    rep_jb_str(ix, "path", path);
    rep_jb_str(ix, "args", args);
    rep_jb_str(ix, "sha256", hex);
    rep_json *fp = rep_jb_add(ix, "fingerprint", REP_JSON_OBJECT);
    /* idx_info's "key: value" lines; file (the path, recorded above) and
     * the section offsets (layout, not meaning) are left out. */
    for (char *line = info.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *colon = strstr(line, ": ");
        if (colon) {
            *colon = '\0';
            const char *k = line, *v = colon + 2;
            if (strncmp(k, "fingerprint.", 12) == 0)
                rep_jb_str(fp, k + 12, v);
            else if (strcmp(k, "file") != 0 && strncmp(k, "section_", 8) != 0 &&
                     strcmp(k, "file_bytes") != 0 && rep_json_get(ix, k) == NULL)
                all_digits(v) ? rep_jb_num(ix, k, v) : rep_jb_str(ix, k, v);
        }
        line = nl ? nl + 1 : NULL;
    }
    rep_jb_u64(ix, "bytes", bytes);
out:
    ig_buf_free(&info);
    idx_close(r);
    return rc;
}

/* ---- map options -------------------------------------------------------------------- */

static int parse_u32(const char *s, uint32_t *out)
{
    if (!all_digits(s) && strcmp(s, "0") != 0)
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v > UINT32_MAX - 1)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Apply one of map's options (val NULL for flags) to mo, paths (issues,
 * mechanisms, gaps, positions) and excel: 1 when understood. */
static int map_opt_apply(const char *opt, const char *val, map_opts *mo, const char **paths,
                         int *excel)
{
    static const char *const path_opts[4] = { "--issues", "--mechanisms", "--gaps",
                                               "--positions" };
    for (int k = 0; k < 4; k++)
        if (strcmp(opt, path_opts[k]) == 0) {
            paths[k] = val;
            return 1;
        }
    if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0)
        return 1;
    if (strcmp(opt, "--unit") == 0)
        return map_unit_parse(val, mo) == 0;
    if (strcmp(opt, "--min-mentions") == 0)
        return parse_u32(val, &mo->min_mentions) == 0;
    if (strcmp(opt, "--link-min-cooccurrences") == 0)
        return parse_u32(val, &mo->link_min_cooc) == 0;
    if (strcmp(opt, "--link-min-documents") == 0)
        return parse_u32(val, &mo->link_min_docs) == 0;
    if (strcmp(opt, "--contested-min-n") == 0)
        return parse_u32(val, &mo->contested_min_n) == 0;
    if (strcmp(opt, "--lean") == 0)
        return ig_parse_double(val, strlen(val), &mo->lean) == 0;
    if (strcmp(opt, "--contested-share") == 0)
        return ig_parse_double(val, strlen(val), &mo->contested_share) == 0;
    if (strcmp(opt, "--no-carry-back") == 0) {
        mo->carry_back = 0;
        return 1;
    }
    if (strcmp(opt, "--excel") == 0) {
        *excel = 1;
        return 1;
    }
    return 0;
}

/* Read map's arguments back into effective options (map.h defaults plus
 * what args sets).  Words are separated by white space (no quoting: map's
 * options take no values with spaces); "--opt=value" works as in getopt.
 * Words this build does not know, or values it cannot read, are listed as
 * unrecognised rather than guessed at. */
static void map_record(rep_json *root, const char *args)
{
    rep_json *m = rep_jb_add(root, "map", REP_JSON_OBJECT);
    rep_jb_str(m, "args", args);
    if (args == NULL) {
        rep_jb_add(m, "options", REP_JSON_NULL);
        return;
    }
    map_opts mo;
    map_opts_default(&mo);
    const char *paths[4] = { NULL, NULL, NULL, NULL }; /* issues mechanisms gaps positions */
    int excel = 0;
    rep_json *unk = rep_jb_add(m, "unrecognised", REP_JSON_ARRAY);
    size_t al = strlen(args);
    char *buf = ig_strndup(args, al);
    char **w = ig_reallocarray(NULL, al / 2 + 2, sizeof *w);
    size_t nw = 0;
    if (buf == NULL || w == NULL) {
        rep_jb_fail(m);
        goto out;
    }
    for (char *s = buf; *s;) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            *s++ = '\0';
        if (*s == '\0')
            break;
        w[nw++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
            s++;
    }
    static const char *const valued[] = {
        "--issues", "--mechanisms", "--gaps", "--positions", "--unit", "--min-mentions",
        "--link-min-cooccurrences", "--link-min-documents", "--lean", "--contested-share",
        "--contested-min-n", "-o", "--output", NULL
    };
    for (size_t i = 0; i < nw; i++) {
        const char *word = w[i], *opt = w[i], *val = NULL, *valword = NULL;
        char name[64];
        const char *eq = strncmp(opt, "--", 2) == 0 ? strchr(opt, '=') : NULL;
        if (eq && (size_t)(eq - opt) < sizeof name) {
            memcpy(name, opt, (size_t)(eq - opt));
            name[eq - opt] = '\0';
            opt = name;
            val = eq + 1;
        }
        int takes = 0;
        for (size_t k = 0; valued[k]; k++)
            takes |= strcmp(opt, valued[k]) == 0;
        if (takes && val == NULL && i + 1 < nw)
            val = valword = w[++i];
        int ok = takes == (val != NULL) && map_opt_apply(opt, val, &mo, paths, &excel);
        if (!ok) {
            rep_jb_str(unk, NULL, word);
            if (valword)
                rep_jb_str(unk, NULL, valword);
        }
    }
    rep_json *o = rep_jb_add(m, "options", REP_JSON_OBJECT);
    char unit[32];
    rep_jb_str(o, "unit", map_unit_name(&mo, unit, sizeof unit));
    rep_jb_u64(o, "min_mentions", mo.min_mentions);
    rep_jb_u64(o, "link_min_cooccurrences", mo.link_min_cooc);
    rep_jb_u64(o, "link_min_documents", mo.link_min_docs);
    rep_jb_dbl(o, "lean", mo.lean, 6);
    rep_jb_dbl(o, "contested_share", mo.contested_share, 6);
    rep_jb_u64(o, "contested_min_n", mo.contested_min_n);
    rep_jb_bool(o, "carry_back", mo.carry_back);
    rep_jb_bool(o, "excel", excel);
    rep_jb_str(o, "issues", paths[0]);
    rep_jb_str(o, "mechanisms", paths[1]);
    rep_jb_str(o, "gaps", paths[2]);
    rep_jb_str(o, "positions", paths[3]);
out:
    ig_free(w);
    ig_free(buf);
}

/* ---- classify ---------------------------------------------------------------------- */

static int classify_record(rep_json *root, const char *dir, const char *args, ig_err *e)
{
    char path[4096];
    int rc = path_in(path, sizeof path, dir, "positions_provenance.json", e);
    if (rc)
        return rc;
    if (!exists(path)) {
        rep_jb_add(root, "classify", REP_JSON_NULL);
        rep_jb_add(root, "seed", REP_JSON_NULL);
        return IG_OK;
    }
    ig_buf data = IG_BUF_INIT;
    rep_json *cp = NULL;
    rc = ig_read_file(path, REP_MAX_FILE, &data, STAGE, e);
    if (rc == IG_OK)
        rc = rep_json_parse(&cp, data.data ? data.data : "", data.len, path, STAGE, e);
    if (rc == IG_OK) {
        rep_json *c = rep_jb_add(root, "classify", REP_JSON_OBJECT);
        rep_jb_str(c, "args", args);
        rep_jb_copy(c, "provenance", cp);
        const rep_json *seed = rep_json_get(rep_json_get(cp, "options"), "seed");
        if (rep_json_type(seed) == REP_JSON_NUMBER)
            rep_jb_copy(root, "seed", seed);
        else
            rep_jb_add(root, "seed", REP_JSON_NULL);
    }
    rep_json_free(cp);
    ig_buf_free(&data);
    return rc;
}

/* ---- versions ---------------------------------------------------------------------- */

static void versions_record(rep_json *root, const char *version)
{
    rep_json *v = rep_jb_add(root, "versions", REP_JSON_OBJECT);
    rep_jb_str(v, "igmap", version);
    rep_jb_str(v, "utf8proc", utf8proc_version());
    rep_jb_str(v, "unicode", utf8proc_unicode_version());
    char pv[64] = "";
    if (pcre2_config(PCRE2_CONFIG_VERSION, pv) < 0)
        pv[0] = '\0';
    rep_jb_str(v, "pcre2", pv);
    rep_jb_str(v, "zlib", zlibVersion());
    rep_jb_str(v, "libstemmer", stem_library_version());
    rep_jb_str(v, "tokeniser", tok_library_version());
}

/* ---- all --------------------------------------------------------------------------- */

int rep_provenance_build(rep_json **doc, const rep_prov_opts *o, ig_err *e)
{
    *doc = NULL;
    rep_json *root = rep_jb_new(REP_JSON_OBJECT);
    if (root == NULL)
        return ig_err_nomem(e, STAGE);
    int rc = IG_OK;
    char path[4096];
    rep_jb_str(root, "format", "igmap-provenance 1");
    versions_record(root, o->version ? o->version : "");

    /* corpus and documents.csv */
    rep_json *corpus;
    if (o->corpus) {
        rc = corpus_record(root, o->corpus, &corpus, e);
    } else {
        corpus = rep_jb_add(root, "corpus", REP_JSON_OBJECT);
        rep_jb_add(corpus, "path", REP_JSON_NULL);
    }
    if (rc == IG_OK)
        rc = documents_record(corpus, o->dir, e);

    /* lexicons, in the order given */
    rep_json *lx = rep_jb_add(root, "lexicons", REP_JSON_ARRAY);
    for (size_t i = 0; rc == IG_OK && i < o->nlexicons; i++)
        rc = file_record(lx, NULL, o->lexicons[i], NULL, e);

    /* index */
    if (rc == IG_OK && o->index == NULL)
        rc = path_in(path, sizeof path, o->dir, "index.igx", e);
    if (rc == IG_OK) {
        const char *ip = o->index ? o->index : path;
        if (!exists(ip))
            rc = ig_err_data(e, STAGE, ip, "missing: run igmap index first");
        else
            rc = index_record(root, ip, o->index_args, e);
    }

    /* stages */
    if (rc == IG_OK)
        rc = classify_record(root, o->dir, o->classify_args, e);
    if (rc == IG_OK)
        rc = path_in(path, sizeof path, o->dir, "gaps.csv", e);
    if (rc == IG_OK) {
        if (exists(path))
            map_record(root, o->map_args);
        else
            rep_jb_add(root, "map", REP_JSON_NULL);
    }

    /* outputs */
    rep_json *outs = rep_jb_add(root, "outputs", REP_JSON_ARRAY);
    for (size_t i = 0; rc == IG_OK && i < sizeof output_names / sizeof output_names[0]; i++) {
        rc = path_in(path, sizeof path, o->dir, output_names[i], e);
        if (rc == IG_OK && exists(path))
            rc = file_record(outs, NULL, path, NULL, e);
    }

    if (rc == IG_OK && rep_jb_failed(root))
        rc = ig_err_nomem(e, STAGE);
    if (rc) {
        rep_json_free(root);
        return rc;
    }
    *doc = root;
    return IG_OK;
}

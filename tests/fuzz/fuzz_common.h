/*
 * fuzz_common.h: helpers shared by the libFuzzer targets in tests/fuzz/
 * (issue 6): a scratch directory made once per process and removed at
 * exit, and writing the fuzz input to a file in it, for the readers that
 * take a path (manifest, lexicon, index).  Header-only, so each target
 * stays one translation unit for `make fuzz` and the replay driver.
 */
#ifndef IG_FUZZ_COMMON_H
#define IG_FUZZ_COMMON_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fz_dir[256];

static void fz_rm_tree(const char *path)
{
    /* Only what the targets create: regular files and one level of dirs. */
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char p[600];
            snprintf(p, sizeof p, "%s/%s", path, de->d_name);
            if (unlink(p) != 0)
                fz_rm_tree(p);
        }
        closedir(d);
        rmdir(path);
    }
}

static void fz_cleanup(void)
{
    if (fz_dir[0])
        fz_rm_tree(fz_dir);
}

/* The scratch directory, created on first use (abort if impossible: a
 * fuzz run without it would test nothing). */
static const char *fz_tmpdir(void)
{
    if (!fz_dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/igfuzz.XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(fz_dir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fz_cleanup);
    }
    return fz_dir;
}

/* Write data[0..n) to <tmpdir>/<rel>; its full path into out. */
static void fz_put(char *out, size_t outsz, const char *rel, const void *data, size_t n)
{
    snprintf(out, outsz, "%s/%s", fz_tmpdir(), rel);
    FILE *f = fopen(out, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(out);
        abort();
    }
}

#define FZ_CHECK(name, c)                                                  \
    do {                                                                   \
        if (!(c)) {                                                        \
            fprintf(stderr, "%s: invariant failed: %s (line %d)\n", name, #c, \
                    __LINE__);                                             \
            abort();                                                       \
        }                                                                  \
    } while (0)

#endif

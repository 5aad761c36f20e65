/*
 * replay.c: a plain main() around one libFuzzer target, so `make test` can
 * replay the seed and regression corpora (tests/fuzz/seeds/<target>/,
 * tests/fuzz/regressions/<target>/) with the normal sanitizer build and no
 * clang.  Usage: replay_<target> FILE...; each file is fed to
 * LLVMFuzzerTestOneInput once.  Exit 0 when all ran (a crash aborts under
 * the sanitizers), 2 when a file cannot be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        size_t cap = 4096, n = 0;
        unsigned char *buf = malloc(cap);
        size_t got;
        while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
            n += got;
            if (n == cap) {
                unsigned char *nb = realloc(buf, cap * 2);
                if (!nb) {
                    free(buf);
                    buf = NULL;
                    break;
                }
                buf = nb;
                cap *= 2;
            }
        }
        int bad = ferror(f);
        fclose(f);
        if (!buf || bad) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            free(buf);
            return 2;
        }
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    return 0;
}

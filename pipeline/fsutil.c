/*
 * fsutil.c: file-system helpers (see fsutil.h).
 */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ig_read_file(const char *path, size_t max, ig_buf *out, const char *stage, ig_err *e)
{
    ig_buf_reset(out);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return ig_err_sys(e, stage, path, "cannot open");
    int rc = IG_OK;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = ig_err_sys(e, stage, path, "cannot stat");
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ig_err_data(e, stage, path, "not a regular file");
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        rc = ig_err_set(e, IG_ELIMIT, stage, path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        IG_ERR_NOPOS, "file too large (%lld bytes, limit %zu)",
                        (long long)st.st_size, max);
        goto out;
    }
    if (ig_buf_reserve(out, (size_t)st.st_size) != IG_OK) {
        rc = ig_err_nomem(e, stage);
        goto out;
    }
    for (;;) {
        if (ig_buf_reserve(out, 65536) != IG_OK) {
            rc = ig_err_nomem(e, stage);
            goto out;
        }
        ssize_t r = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = ig_err_sys(e, stage, path, "read error");
            goto out;
        }
        if (r == 0)
            break;
        out->len += (size_t)r;
        out->data[out->len] = '\0';
        if (out->len > max) {
            rc = ig_err_set(e, IG_ELIMIT, stage, path, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "file grew past the limit of %zu bytes", max);
            goto out;
        }
    }
out:
    close(fd);
    if (rc != IG_OK)
        ig_buf_reset(out);
    return rc;
}

int ig_path_join(char *out, size_t n, const char *dir, const char *rel)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    int w = snprintf(out, n, "%.*s/%s", (int)dl, dir, rel);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

int ig_has_suffix(const char *path, const char *suffix)
{
    size_t pl = strlen(path), sl = strlen(suffix);
    return pl >= sl && memcmp(path + pl - sl, suffix, sl) == 0;
}

void ig_path_dirname(const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "%s", path);
    char *slash = strrchr(buf, '/');
    if (slash == NULL)
        snprintf(buf, n, ".");
    else if (slash == buf)
        buf[1] = '\0';
    else
        *slash = '\0';
}

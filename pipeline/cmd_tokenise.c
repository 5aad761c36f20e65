/*
 * cmd_tokenise.c: `igmap tokenise` and `igmap stem`, the two subcommands that
 * let a person look inside the chain (DESIGN.md "look between the joints").
 *
 *   igmap tokenise [--section-pattern RE] [--on-long-token=truncate]
 *                  [--on-invalid=replace] [--allow-nul] FILE...
 *   igmap stem [--language CODE] < tokenise-output
 *
 * Output format (both on standard output, LF line ends, UTF-8): a header
 * line, then one line per token, fields separated by TAB:
 *
 *   file pos span kind start end sentence paragraph section token
 *
 * file is the path as given; pos, span, start, end, sentence, paragraph and
 * section are the tok_token fields in decimal; kind is word, part or joined
 * (tokenise.h); token is the normalised form.  `igmap stem` copies each line
 * and adds a last field, stem.  In file, token and stem a TAB, LF, CR,
 * backslash or other control byte, and (in file) a byte that is not valid
 * UTF-8, is written as \t, \n, \r, \\ or \xNN, so every line has exactly
 * the header's fields; `igmap stem` undoes the escapes before stemming.
 *
 * Errors: a rejected file (missing, invalid UTF-8, NUL, over-long token...)
 * stops the run with the located message of input.c or tokenise.c; tokens
 * of earlier files have been printed.  `igmap stem` checks the header and
 * every line, and reports "<stdin>:LINE: ..." for the first malformed one.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "cmd.h"
#include "csv.h"
#include "err.h"
#include "input.h"
#include "limits.h"
#include "out.h"
#include "stem.h"
#include "tokenise.h"

#define TSV_HEADER "file\tpos\tspan\tkind\tstart\tend\tsentence\tparagraph\tsection\ttoken"
#define TSV_FIELDS 10
#define STDIN_NAME "<stdin>"

/* An unrecognised option or a missing value, as getopt_long saw it. */
static int bad_option(ig_err *e, const char *cmd, int c, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':')
        return cmd_usage(e, cmd, "option %s needs a value", arg);
    return cmd_usage(e, cmd, "unknown option %s", arg);
}

/* Append s[0..n) to b with the escapes of the output format. */
static int tsv_escape(ig_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && u[run] >= 0x20 && u[run] != 0x7F && u[run] != '\\' && u[run] < 0x80)
            run++;
        if (run > i && ig_buf_add(b, s + i, run - i))
            return IG_ENOMEM;
        i = run;
        if (i >= n)
            break;
        size_t k = u[i] >= 0x80 ? ig_utf8_seqlen(u + i, n - i) : 0;
        int rc;
        if (k > 0)
            rc = ig_buf_add(b, s + i, k);
        else if (u[i] == '\t')
            rc = ig_buf_adds(b, "\\t");
        else if (u[i] == '\n')
            rc = ig_buf_adds(b, "\\n");
        else if (u[i] == '\r')
            rc = ig_buf_adds(b, "\\r");
        else if (u[i] == '\\')
            rc = ig_buf_adds(b, "\\\\");
        else
            rc = ig_buf_addf(b, "\\x%02X", u[i]);
        if (rc)
            return IG_ENOMEM;
        i += k > 0 ? k : 1;
    }
    return 0;
}

/* Append v in decimal and a TAB. */
static int add_num(ig_buf *b, uint64_t v)
{
    char tmp[24], *p;
    tmp[sizeof tmp - 1] = '\t';
    p = ig_fmt_u64_end(tmp + sizeof tmp - 1, v);
    return ig_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

static int write_tokens(tok_stream *t, ig_out *o, const char *path, const char *text, size_t len,
                        ig_buf *line, ig_err *e)
{
    ig_buf file = IG_BUF_INIT;
    const tok_token *k;
    int rc = IG_ENOMEM;
    if (tsv_escape(&file, path, strlen(path)) || ig_buf_addc(&file, '\t'))
        goto out;
    tok_reset(t, text, len, path);
    while ((rc = tok_next(t, &k, e)) == 1) {
        ig_buf_reset(line);
        if (ig_buf_add(line, file.data, file.len) || add_num(line, k->pos) ||
            add_num(line, k->span) || ig_buf_adds(line, tok_kind_name(k->kind)) ||
            ig_buf_addc(line, '\t') || add_num(line, k->start) || add_num(line, k->end) ||
            add_num(line, k->sentence) || add_num(line, k->paragraph) ||
            add_num(line, k->section) || tsv_escape(line, k->norm, k->norm_len) ||
            ig_buf_addc(line, '\n')) {
            rc = IG_ENOMEM;
            goto out;
        }
        if ((rc = ig_out_write(o, line->data, line->len)) != 0)
            goto out; /* reported by ig_out_commit() */
    }
out:
    if (rc == IG_ENOMEM)
        ig_err_nomem(e, "tokenise");
    ig_buf_free(&file);
    return rc < 0 ? rc : 0;
}

int cmd_tokenise(int argc, char **argv, ig_err *e)
{
    static const struct option lopts[] = {
        {"section-pattern", required_argument, NULL, 's'},
        {"on-long-token", required_argument, NULL, 'l'},
        {"on-invalid", required_argument, NULL, 'i'},
        {"allow-nul", no_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    tok_opts topts;
    ig_input_opts iopts;
    memset(&topts, 0, sizeof topts);
    memset(&iopts, 0, sizeof iopts);
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", lopts, NULL)) != -1) {
        switch (c) {
        case 's':
            topts.section_pattern = optarg;
            break;
        case 'l':
            if (strcmp(optarg, "truncate") == 0)
                topts.truncate_long = 1;
            else if (strcmp(optarg, "error") == 0)
                topts.truncate_long = 0;
            else
                return cmd_usage(e, "tokenise", "--on-long-token must be error or truncate, not \"%s\"",
                                 optarg);
            break;
        case 'i':
            if (strcmp(optarg, "replace") == 0)
                iopts.on_invalid_replace = 1;
            else if (strcmp(optarg, "error") == 0)
                iopts.on_invalid_replace = 0;
            else
                return cmd_usage(e, "tokenise", "--on-invalid must be error or replace, not \"%s\"",
                                 optarg);
            break;
        case 'n':
            topts.allow_nul = iopts.allow_nul = 1;
            break;
        default:
            return bad_option(e, "tokenise", c, argv);
        }
    }
    if (optind >= argc)
        return cmd_usage(e, "tokenise", "expected at least one FILE");

    int rc = ig_input_opts_from_env(&iopts, e);
    if (rc != IG_OK)
        return rc;
    tok_stream *t = NULL;
    ig_out *o = NULL;
    ig_buf text = IG_BUF_INIT, line = IG_BUF_INIT;
    if ((rc = tok_open(&t, &topts, e)) != 0)
        goto out;
    if ((rc = ig_out_open(&o, "-", "tokenise", e)) != 0)
        goto out;
    if ((rc = ig_out_puts(o, TSV_HEADER "\n")) != 0)
        goto out;
    for (int i = optind; i < argc; i++) {
        ig_input_info info;
        if (ig_interrupted) {
            e->signo = ig_interrupted;
            rc = ig_err_set(e, IG_EINTR, "tokenise", NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                            IG_ERR_NOPOS, "interrupted");
            goto out;
        }
        if ((rc = ig_input_read(argv[i], &iopts, &text, &info, e)) != 0)
            goto out;
        if ((rc = write_tokens(t, o, argv[i], text.data ? text.data : "", text.len, &line, e)) != 0)
            goto out;
    }
    rc = ig_out_commit(o, e);
    o = NULL;
out:
    if (o != NULL) {
        ig_out_commit(o, e); /* stdout: flush what was printed; e keeps the first error */
    }
    tok_close(t);
    ig_buf_free(&text);
    ig_buf_free(&line);
    return rc;
}

/* ---- igmap stem ------------------------------------------------------------ */

static int line_error(ig_err *e, uint64_t lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int line_error(ig_err *e, uint64_t lineno, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ig_err_set(e, IG_EDATA, "stem", STDIN_NAME, lineno, IG_ERR_NOPOS, IG_ERR_NOPOS, "%s",
                      msg);
}

/* Parse a decimal field (no sign, no spaces) of at most max. */
static int parse_uint(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t r = 0;
    if (n == 0 || n > 20)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (r > (UINT64_MAX - d) / 10)
            return -1;
        r = r * 10 + d;
    }
    if (r > max)
        return -1;
    *v = r;
    return 0;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Undo tsv_escape: s[0..n) into out (reset first).  -1 on a bad escape. */
static int tsv_unescape(const char *s, size_t n, ig_buf *out, int *nomem)
{
    ig_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 >= n)
                return -1;
            char d = s[++i];
            if (d == 't') c = '\t';
            else if (d == 'n') c = '\n';
            else if (d == 'r') c = '\r';
            else if (d == '\\') c = '\\';
            else if (d == 'x' && i + 2 < n && hex_val(s[i + 1]) >= 0 && hex_val(s[i + 2]) >= 0) {
                c = (char)(hex_val(s[i + 1]) * 16 + hex_val(s[i + 2]));
                i += 2;
            } else
                return -1;
        }
        if (ig_buf_addc(out, c)) {
            *nomem = 1;
            return -1;
        }
    }
    if (out->data == NULL && ig_buf_reserve(out, 1)) {
        *nomem = 1;
        return -1;
    }
    return 0;
}

static const char *const field_names[TSV_FIELDS] = {
    "file", "pos", "span", "kind", "start", "end", "sentence", "paragraph", "section", "token",
};

/* Check one data line and write it with its stem. */
static int stem_line(stem_cache *sc, ig_out *o, const char *s, size_t n, uint64_t lineno,
                     ig_buf *word, ig_buf *outl, ig_err *e)
{
    const char *f[TSV_FIELDS];
    size_t fl[TSV_FIELDS];
    size_t nf = 0, start = 0;
    char q[96];
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '\t')
            continue;
        if (nf < TSV_FIELDS) {
            f[nf] = s + start;
            fl[nf] = i - start;
        }
        nf++;
        start = i + 1;
    }
    if (nf != TSV_FIELDS)
        return line_error(e, lineno, "expected %d tab-separated fields, got %zu", TSV_FIELDS, nf);
    if (fl[0] == 0)
        return line_error(e, lineno, "empty field \"file\"");
    uint64_t v[TSV_FIELDS];
    for (int k = 1; k <= 8; k++) {
        if (k == 3)
            continue;
        uint64_t max = (k == 4 || k == 5) ? UINT64_MAX : UINT32_MAX;
        if (parse_uint(f[k], fl[k], max, &v[k]) != 0)
            return line_error(e, lineno, "field \"%s\" is not a number: \"%s\"", field_names[k],
                              ig_quote(q, sizeof q, f[k], fl[k]));
    }
    static const char *const kinds[] = {"word", "part", "joined"};
    int kind_ok = 0;
    for (size_t k = 0; k < 3; k++)
        if (fl[3] == strlen(kinds[k]) && memcmp(f[3], kinds[k], fl[3]) == 0)
            kind_ok = 1;
    if (!kind_ok)
        return line_error(e, lineno, "unknown kind \"%s\" (expected word, part or joined)",
                          ig_quote(q, sizeof q, f[3], fl[3]));
    if (v[4] > v[5])
        return line_error(e, lineno, "start %llu is after end %llu", (unsigned long long)v[4],
                          (unsigned long long)v[5]);
    int nomem = 0;
    if (tsv_unescape(f[9], fl[9], word, &nomem) != 0)
        return nomem ? ig_err_nomem(e, "stem")
                     : line_error(e, lineno, "bad escape in token \"%s\"",
                                  ig_quote(q, sizeof q, f[9], fl[9]));
    if (word->len == 0)
        return line_error(e, lineno, "empty token");
    ig_utf8_bad bad;
    if (!ig_utf8_check(word->data, word->len, &bad))
        return line_error(e, lineno, "token is not valid UTF-8 (%s)", bad.reason);
    if (word->len > IG_MAX_TOKEN_BYTES)
        return line_error(e, lineno, "token exceeds IG_MAX_TOKEN_BYTES (%d)", IG_MAX_TOKEN_BYTES);
    const char *st;
    size_t stl;
    if (stem_word(sc, word->data, word->len, &st, &stl) != 0)
        return ig_err_nomem(e, "stem");
    ig_buf_reset(outl);
    if (ig_buf_add(outl, s, n) || ig_buf_addc(outl, '\t') || tsv_escape(outl, st, stl) ||
        ig_buf_addc(outl, '\n'))
        return ig_err_nomem(e, "stem");
    return ig_out_write(o, outl->data, outl->len);
}

int cmd_stem(int argc, char **argv, ig_err *e)
{
    static const struct option lopts[] = {
        {"language", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    const char *lang = "en";
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", lopts, NULL)) != -1) {
        if (c == 'l')
            lang = optarg;
        else
            return bad_option(e, "stem", c, argv);
    }
    if (optind < argc)
        return cmd_usage(e, "stem", "unexpected operand \"%s\" (stem reads standard input)",
                         argv[optind]);

    int rc;
    stem_cache *sc = NULL;
    ig_out *o = NULL;
    ig_buf in = IG_BUF_INIT, word = IG_BUF_INIT, outl = IG_BUF_INIT;
    uint64_t lineno = 0;
    size_t used = 0; /* bytes of `in` already processed */
    int eof = 0;
    if ((rc = stem_open(&sc, lang, e)) != 0)
        goto out;
    if ((rc = ig_out_open(&o, "-", "stem", e)) != 0)
        goto out;
    for (;;) {
        /* Find the next complete line; read more when there is none. */
        char *nl = in.len > used ? memchr(in.data + used, '\n', in.len - used) : NULL;
        if (nl == NULL && !eof) {
            if (used > 0) {
                memmove(in.data, in.data + used, in.len - used);
                in.len -= used;
                used = 0;
            }
            if (in.len > IG_MAX_LINE_BYTES) {
                rc = line_error(e, lineno + 1, "line exceeds IG_MAX_LINE_BYTES (%zu)",
                                (size_t)IG_MAX_LINE_BYTES);
                goto out;
            }
            if (ig_buf_reserve(&in, 65536)) {
                rc = ig_err_nomem(e, "stem");
                goto out;
            }
            ssize_t r = read(0, in.data + in.len, 65536);
            if (r < 0) {
                rc = ig_err_sys(e, "stem", STDIN_NAME, "read error");
                goto out;
            }
            if (r == 0)
                eof = 1;
            in.len += (size_t)r;
            continue;
        }
        size_t end = nl ? (size_t)(nl - in.data) : in.len;
        if (end == used && nl == NULL)
            break; /* end of input */
        const char *s = in.data + used;
        size_t n = end - used;
        used = nl ? end + 1 : end;
        lineno++;
        if (n > 0 && s[n - 1] == '\r') /* CRLF from a Windows pipe */
            n--;
        if (lineno == 1) {
            if (n != strlen(TSV_HEADER) || memcmp(s, TSV_HEADER, n) != 0) {
                rc = line_error(e, 1, "expected the header line of `igmap tokenise` output "
                                      "(file, pos, span, kind, start, end, sentence, paragraph, "
                                      "section, token separated by tabs)");
                goto out;
            }
            if ((rc = ig_out_puts(o, TSV_HEADER "\tstem\n")) != 0)
                goto out;
            continue;
        }
        if ((rc = stem_line(sc, o, s, n, lineno, &word, &outl, e)) != 0)
            goto out;
    }
    if (lineno == 0) {
        rc = ig_err_set(e, IG_EDATA, "stem", STDIN_NAME, IG_ERR_NOPOS, IG_ERR_NOPOS,
                        IG_ERR_NOPOS, "empty input (expected `igmap tokenise` output)");
        goto out;
    }
    rc = ig_out_commit(o, e);
    o = NULL;
out:
    if (o != NULL)
        ig_out_commit(o, e);
    stem_close(sc);
    ig_buf_free(&in);
    ig_buf_free(&word);
    ig_buf_free(&outl);
    return rc;
}

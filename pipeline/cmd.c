/*
 * cmd.c: helpers shared by the subcommands (see cmd.h).
 */
#include "cmd.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

volatile int ig_interrupted;
int ig_quiet;

int cmd_usage(ig_err *e, const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ig_err_set(e, IG_EUSAGE, cmd, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      IG_ERR_NOPOS, "%s (see igmap help)", msg);
}

void cmd_print_msgs(const ig_msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        fprintf(stderr, "%s\n", m->items[i]);
    if (m->dropped)
        fprintf(stderr, "igmap: and %zu more\n", m->dropped);
}


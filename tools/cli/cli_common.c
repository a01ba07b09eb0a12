/* cli_common.c — error reporting shared by the subcommands. */
#include "cli_common.h"

#include <stdarg.h>
#include <stdio.h>

int cli_fail(yoso_status status) {
    fprintf(stderr, "yoso: %s\n", yoso_last_error());
    return yoso_status_exit_code(status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "yoso %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, ": run 'yoso %s --help' for the options\n", cmd);
    va_end(ap);
    return 2;
}

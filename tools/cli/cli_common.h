/* cli_common.h — what every subcommand shares: error reporting and common options. */
#ifndef YOSO_CLI_COMMON_H
#define YOSO_CLI_COMMON_H

#include "clock.h"
#include "error.h"
#include "yoso.h"

/* Prints "yoso: <last error>" on stderr and returns the status's exit code. */
int cli_fail(yoso_status status);
/* Prints "yoso <cmd>: <message>: run 'yoso <cmd> --help'" and returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) YOSO_PRINTF(2, 3);

#endif

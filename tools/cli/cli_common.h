/* cli_common.h — what every subcommand shares: error reporting and checked standard streams. */
#ifndef YOSO_CLI_COMMON_H
#define YOSO_CLI_COMMON_H

#include "clock.h"
#include "error.h"
#include "yoso.h"

/* Prints "yoso: <last error>" on stderr and returns the status's exit code. */
int cli_fail(yoso_status status);
/* Prints "yoso <cmd>: <message>: run 'yoso <cmd> --help'" and returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) YOSO_PRINTF(2, 3);

/* Opens /dev/null on any of fds 0-2 that is closed, read-only for 1 and 2 and write-only for 0,
 * so writing a closed stdout still fails and no file we open ever becomes fd 1. */
void cli_guard_std_fds(void);
/* Flushes stdout; on a write error prints "yoso: cannot write stdout: …" once and returns 1,
 * else 0. Call after each answer line. */
int cli_flush_stdout(void);
/* The exit code after the command returned rc: 1 if stdout could not be written, else rc. */
int cli_finish_stdout(int rc);
/* 0, or prints "yoso: cannot read stdin: …" and returns 1 if reading stdin failed. */
int cli_check_stdin(void);

#endif

/* cli_common.c — error reporting and checked standard streams shared by the subcommands. */
#include "cli_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int g_stdout_failed; /* the write error was reported */

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

void cli_guard_std_fds(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (got >= 0 && got != fd) close(got); /* lower fds are open: open() took fd */
    }
}

int cli_flush_stdout(void) {
    if (g_stdout_failed) return 1;
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
    g_stdout_failed = 1;
    fprintf(stderr, "yoso: cannot write stdout: %s: the output is incomplete\n",
            strerror(errno ? errno : EIO));
    return 1;
}

int cli_finish_stdout(int rc) {
    if (cli_flush_stdout()) return rc ? rc : 1;
    return rc;
}

int cli_check_stdin(void) {
    if (!ferror(stdin)) return 0;
    fprintf(stderr, "yoso: cannot read stdin: %s\n", strerror(errno ? errno : EIO));
    return 1;
}

/* error.c — status names, exit codes and the thread-local last-error message. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char g_message[1024];

static const char *const k_status_names[YOSO_STATUS_COUNT] = {
    [YOSO_OK] = "YOSO_OK",
    [YOSO_ERR_USAGE] = "YOSO_ERR_USAGE",
    [YOSO_ERR_INPUT] = "YOSO_ERR_INPUT",
    [YOSO_ERR_UNSUPPORTED] = "YOSO_ERR_UNSUPPORTED",
    [YOSO_ERR_NOT_FOUND] = "YOSO_ERR_NOT_FOUND",
    [YOSO_ERR_IO] = "YOSO_ERR_IO",
    [YOSO_ERR_NO_MEMORY] = "YOSO_ERR_NO_MEMORY",
    [YOSO_ERR_OPENCL] = "YOSO_ERR_OPENCL",
    [YOSO_ERR_NO_DRIVER] = "YOSO_ERR_NO_DRIVER",
    [YOSO_ERR_INTERRUPTED] = "YOSO_ERR_INTERRUPTED",
};

/* Returns the enum constant's name for a status. */
const char *yoso_status_string(yoso_status status) {
    if ((unsigned)status >= YOSO_STATUS_COUNT) return "YOSO_ERR_UNKNOWN";
    return k_status_names[status];
}

/* Maps a status to the CLI contract's exit code. */
int yoso_status_exit_code(yoso_status status) {
    switch (status) {
    case YOSO_OK: return 0;
    case YOSO_ERR_USAGE:
    case YOSO_ERR_INPUT:
    case YOSO_ERR_UNSUPPORTED:
    case YOSO_ERR_NOT_FOUND: return 2;
    default: return 1;
    }
}

/* Returns the last failure's message on this thread. */
const char *yoso_last_error(void) {
    return g_message;
}

/* Formats and stores the message, then hands the status back. */
yoso_status yoso_error(yoso_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_message, sizeof g_message, fmt, ap);
    va_end(ap);
    return status;
}

/* Puts formatted context in front of the stored message. */
yoso_status yoso_error_prefix(yoso_status status, const char *fmt, ...) {
    char prefix[512], old[sizeof g_message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, g_message, sizeof old);
    size_t plen = strlen(prefix), olen = strnlen(old, sizeof old - 1);
    if (plen > sizeof g_message - 1) plen = sizeof g_message - 1;
    if (olen > sizeof g_message - 1 - plen) olen = sizeof g_message - 1 - plen;
    memcpy(g_message, prefix, plen);
    memcpy(g_message + plen, old, olen);
    g_message[plen + olen] = '\0';
    return status;
}

int yoso_error_take_input(int n) {
    int input = -1, used = 0;
    if (sscanf(g_message, "input %d: %n", &input, &used) < 1 || !used || input < 0 || input >= n)
        return -1;
    memmove(g_message, g_message + used, strlen(g_message + used) + 1);
    return input;
}

/* Empties the stored message. */
void yoso_error_clear(void) {
    g_message[0] = '\0';
}

/* Prints a one-line warning on stderr. */
void yoso_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("yoso: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The common out-of-memory failure. */
yoso_status yoso_error_oom(void) {
    return yoso_error(YOSO_ERR_NO_MEMORY,
                      "out of host memory: close other programs or use a shorter input");
}

/* error.h — the one error-reporting path: a status plus a thread-local one-line message. */
#ifndef YOSO_ERROR_H
#define YOSO_ERROR_H

#include "yoso.h"

#if defined(__GNUC__)
#define YOSO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define YOSO_PRINTF(a, b)
#endif

/* Records the message for yoso_last_error() and returns status, so callers write
 * `return yoso_error(YOSO_ERR_INPUT, "…: %s", what);`. */
yoso_status yoso_error(yoso_status status, const char *fmt, ...) YOSO_PRINTF(2, 3);

/* Prefixes the current message with context ("loading model.safetensors: "), returns status. */
yoso_status yoso_error_prefix(yoso_status status, const char *fmt, ...) YOSO_PRINTF(2, 3);

/* A batch call names its failing input by this prefix: yoso_error_prefix(st, YOSO_INPUT_PREFIX,
 * i). */
#define YOSO_INPUT_PREFIX "input %d: "
/* When the current message starts with YOSO_INPUT_PREFIX naming an input below n: removes that
 * prefix and returns the input; otherwise -1, the message unchanged. */
int yoso_error_take_input(int n);

/* Prints "yoso: warning: …" on stderr (the library's only direct output). */
void yoso_warn(const char *fmt, ...) YOSO_PRINTF(1, 2);

/* Records "out of host memory" and returns YOSO_ERR_NO_MEMORY. */
yoso_status yoso_error_oom(void);

/* Forgets the current message. */
void yoso_error_clear(void);

#endif

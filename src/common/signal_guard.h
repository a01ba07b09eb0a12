/* signal_guard.h — defers SIGINT, SIGTERM and SIGHUP while an output file is written and
 * renamed, so an interrupted run leaves either no file or a complete one, never a partial file
 * or a stray temp file. A signal mask would cover the calling thread only, and OpenCL drivers
 * and BLAS libraries run threads of their own that would take the signal and end the process
 * mid-write; a handler covers every thread. */
#ifndef YOSO_SIGNAL_GUARD_H
#define YOSO_SIGNAL_GUARD_H

#include <signal.h>

typedef struct yoso_signal_guard {
    struct sigaction old[3]; /* the dispositions of SIGINT, SIGTERM, SIGHUP before begin */
} yoso_signal_guard;

/* From now on those signals are only recorded (in any thread), not acted upon. */
void yoso_signal_guard_begin(yoso_signal_guard *guard);
/* Restores the previous dispositions, then re-raises a signal recorded meanwhile (which ends the
 * process under the default disposition, as it would have without the guard). */
void yoso_signal_guard_end(yoso_signal_guard *guard);

#endif

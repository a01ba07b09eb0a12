/* signal_guard.c — deferring termination signals around a file write (see signal_guard.h). */
#include "signal_guard.h"

#include <string.h>

static const int k_guarded[3] = {SIGINT, SIGTERM, SIGHUP};
static volatile sig_atomic_t g_pending; /* the signal that arrived while guarded, or 0 */

/* Records the signal; the guarded code carries on and the guard re-raises it at the end. */
static void signal_guard_record(int sig) {
    g_pending = sig;
}

/* Installs the recording handler for the guarded signals, keeping the old dispositions. */
void yoso_signal_guard_begin(yoso_signal_guard *guard) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = signal_guard_record;
    sa.sa_flags = SA_RESTART; /* the writer's read/write calls are not cut short */
    sigfillset(&sa.sa_mask);
    g_pending = 0;
    for (int i = 0; i < 3; i++) sigaction(k_guarded[i], &sa, &guard->old[i]);
}

/* Restores the old dispositions, then re-raises a signal recorded meanwhile. */
void yoso_signal_guard_end(yoso_signal_guard *guard) {
    for (int i = 0; i < 3; i++) sigaction(k_guarded[i], &guard->old[i], NULL);
    int sig = g_pending;
    g_pending = 0;
    if (sig) raise(sig);
}

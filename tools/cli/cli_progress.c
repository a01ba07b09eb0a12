/* cli_progress.c — a ticker thread that redraws one stderr line on a terminal. */
#include "cli_progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int running, stop;
    char what[256];
    double t0;
} g_progress = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* Redraws the line every half second until told to stop. */
static void *progress_loop(void *arg) {
    (void)arg;
    pthread_mutex_lock(&g_progress.lock);
    while (!g_progress.stop) {
        fprintf(stderr, "\ryoso: %s… %.0f s\033[K", g_progress.what, yoso_now() - g_progress.t0);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&g_progress.wake, &g_progress.lock, &until);
    }
    fprintf(stderr, "\r\033[K");
    pthread_mutex_unlock(&g_progress.lock);
    return NULL;
}

void cli_progress_start(const char *fmt, ...) {
    if (g_progress.running || !isatty(STDERR_FILENO)) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_progress.what, sizeof g_progress.what, fmt, ap);
    va_end(ap);
    g_progress.t0 = yoso_now();
    g_progress.stop = 0;
    g_progress.running = pthread_create(&g_progress.thread, NULL, progress_loop, NULL) == 0;
}

void cli_progress_stop(void) {
    if (!g_progress.running) return;
    pthread_mutex_lock(&g_progress.lock);
    g_progress.stop = 1;
    pthread_cond_signal(&g_progress.wake);
    pthread_mutex_unlock(&g_progress.lock);
    pthread_join(g_progress.thread, NULL);
    g_progress.running = 0;
}

/* serve_metrics.c — request counts by endpoint and status, latency, batch-size and batch-token
 * histograms, as Prometheus text exposition. */
#include "serve_metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SERIES 64
#define NBUCKETS 12

static const double k_latency_le[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,   0.25,   0.5,   1,    2.5,   10};
static const double k_size_le[NBUCKETS] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};
static const double k_tokens_le[NBUCKETS] = {16,   64,   256,   512,   1024,  2048,
                                             4096, 8192, 16384, 32768, 65536, 262144};

/* A Prometheus histogram: cumulative counts per upper bound, their sum and count. */
typedef struct histogram {
    unsigned long long bucket[NBUCKETS], count;
    double sum;
} histogram;

static struct {
    pthread_mutex_t lock;
    struct {
        char endpoint[32];
        int status;
        unsigned long long count;
    } series[MAX_SERIES];
    int nseries;
    histogram latency, batch_size, batch_tokens, batch_seconds;
} g = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Adds one observation to h. */
static void observe(histogram *h, const double *le, double v) {
    for (int b = 0; b < NBUCKETS; b++) h->bucket[b] += v <= le[b];
    h->count++;
    h->sum += v;
}

void serve_metrics_request(const char *endpoint, int status, double seconds) {
    pthread_mutex_lock(&g.lock);
    int i = 0;
    while (i < g.nseries &&
           !(g.series[i].status == status && !strcmp(g.series[i].endpoint, endpoint)))
        i++;
    if (i == g.nseries && i < MAX_SERIES) {
        snprintf(g.series[i].endpoint, sizeof g.series[i].endpoint, "%s", endpoint);
        g.series[i].status = status;
        g.nseries++;
    }
    if (i < MAX_SERIES) g.series[i].count++;
    observe(&g.latency, k_latency_le, seconds);
    pthread_mutex_unlock(&g.lock);
}

void serve_metrics_batch(int inputs, size_t tokens, double seconds) {
    pthread_mutex_lock(&g.lock);
    observe(&g.batch_size, k_size_le, inputs);
    observe(&g.batch_tokens, k_tokens_le, (double)tokens);
    observe(&g.batch_seconds, k_latency_le, seconds);
    pthread_mutex_unlock(&g.lock);
}

/* A growing text buffer. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

/* Appends printf output to t. */
static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = t->s ? vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? 2 * t->cap : 8192;
        char *s = realloc(t->s, cap);
        if (!s) return;
        t->s = s;
        t->cap = cap;
    }
}

/* Writes histogram h named name with help text. */
static void put_histogram(text *t, const char *name, const char *help, const histogram *h,
                          const double *le) {
    put(t, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (int b = 0; b < NBUCKETS; b++)
        put(t, "%s_bucket{le=\"%g\"} %llu\n", name, le[b], h->bucket[b]);
    put(t, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9g\n%s_count %llu\n", name, h->count, name,
        h->sum, name, h->count);
}

char *serve_metrics_text(int queued, int running, unsigned long long device_bytes) {
    text t = {0};
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        fclose(f);
    }
    pthread_mutex_lock(&g.lock);
    put(&t, "# HELP yoso_requests_total Requests answered, by endpoint and HTTP status.\n"
            "# TYPE yoso_requests_total counter\n");
    for (int i = 0; i < g.nseries; i++)
        put(&t, "yoso_requests_total{endpoint=\"%s\",status=\"%d\"} %llu\n", g.series[i].endpoint,
            g.series[i].status, g.series[i].count);
    put_histogram(&t, "yoso_request_duration_seconds", "Time from the full request to the answer.",
                  &g.latency, k_latency_le);
    put_histogram(&t, "yoso_batch_size", "Inputs per forward pass.", &g.batch_size, k_size_le);
    put_histogram(&t, "yoso_batch_tokens", "Padded tokens per forward pass.", &g.batch_tokens,
                  k_tokens_le);
    put_histogram(&t, "yoso_batch_duration_seconds", "Device time per forward pass.",
                  &g.batch_seconds, k_latency_le);
    pthread_mutex_unlock(&g.lock);
    put(&t,
        "# HELP yoso_queue_depth Requests waiting for the device.\n# TYPE yoso_queue_depth gauge\n"
        "yoso_queue_depth %d\n",
        queued);
    put(&t,
        "# HELP yoso_running_requests Requests in the forward pass now.\n"
        "# TYPE yoso_running_requests gauge\nyoso_running_requests %d\n",
        running);
    put(&t,
        "# HELP yoso_device_memory_bytes Global memory of the OpenCL device.\n"
        "# TYPE yoso_device_memory_bytes gauge\nyoso_device_memory_bytes %llu\n",
        device_bytes);
    put(&t,
        "# HELP yoso_process_resident_memory_bytes Resident memory of the server process.\n"
        "# TYPE yoso_process_resident_memory_bytes gauge\n"
        "yoso_process_resident_memory_bytes %lld\n",
        (long long)rss * sysconf(_SC_PAGESIZE));
    return t.s;
}

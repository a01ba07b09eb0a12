/* serve_metrics.h — Prometheus counters and histograms of the server (one process-wide set). */
#ifndef YOSO_SERVE_METRICS_H
#define YOSO_SERVE_METRICS_H

#include <stddef.h>

/* Counts one answered request of endpoint (a route path) with its status and duration. */
void serve_metrics_request(const char *endpoint, int status, double seconds);
/* Counts one forward pass of `inputs` inputs padded to `tokens` tokens in all. */
void serve_metrics_batch(int inputs, size_t tokens, double seconds);
/* The metrics as Prometheus text (malloc'ed), with the gauges given. */
char *serve_metrics_text(int queued, int running, unsigned long long device_bytes);

#endif

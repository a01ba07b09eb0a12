/* profile.c — timing the forward pass phase by phase (verbose mode only). */
#include "profile.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double yoso_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double yoso_process_age(void) {
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long start = 0;
    if (!p || sscanf(p + 2,
                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                     "%*d %*d %llu",
                     &start) != 1)
        return -1;
    double uptime = 0;
    f = fopen("/proc/uptime", "r");
    if (!f) return -1;
    int ok = fscanf(f, "%lf", &uptime) == 1;
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return ok && hz > 0 ? uptime - (double)start / hz : -1;
}

void yoso_profile_reset(yoso_profile *p, cl_command_queue queue) {
    memset(p->seconds, 0, sizeof p->seconds);
    if (!p->enabled) return;
    clFinish(queue);
    p->last = yoso_now();
}

void yoso_profile_mark(yoso_profile *p, cl_command_queue queue, yoso_phase phase) {
    if (!p->enabled) return;
    clFinish(queue);
    double t = yoso_now();
    p->seconds[phase] += t - p->last;
    p->last = t;
}

void yoso_profile_print(const yoso_profile *p, int batch, int seq, double dense_flops,
                        double attention_flops) {
    static const char *const names[YOSO_PHASE_COUNT] = {"embed",    "qkv", "attention",
                                                        "attn-out", "ffn", "head"};
    double total = 0;
    for (int i = 0; i < YOSO_PHASE_COUNT; i++) total += p->seconds[i];
    fprintf(stderr, "yoso: forward %d×%d:", batch, seq);
    for (int i = 0; i < YOSO_PHASE_COUNT; i++)
        fprintf(stderr, " %s %.3f s,", names[i], p->seconds[i]);
    double dense_s =
        p->seconds[YOSO_PHASE_QKV] + p->seconds[YOSO_PHASE_ATTN_OUT] + p->seconds[YOSO_PHASE_FFN];
    fprintf(stderr, " total %.3f s; dense %.1f GFLOP at %.1f GFLOP/s; attention %.1f GFLOP\n",
            total, dense_flops * 1e-9, dense_s > 0 ? dense_flops * 1e-9 / dense_s : 0.0,
            attention_flops * 1e-9);
}

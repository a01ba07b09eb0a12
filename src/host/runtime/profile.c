/* profile.c — timing the forward pass phase by phase (verbose mode only). */
#include "profile.h"
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

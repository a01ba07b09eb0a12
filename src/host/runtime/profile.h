/* profile.h — per-phase wall times of the forward pass, measured when the model is verbose. */
#ifndef YOSO_PROFILE_H
#define YOSO_PROFILE_H

#include <CL/cl.h>

#include "clock.h"

typedef enum yoso_phase {
    YOSO_PHASE_EMBED,     /* embeddings + LayerNorm */
    YOSO_PHASE_QKV,       /* the Q, K, V projection GEMM */
    YOSO_PHASE_ATTENTION, /* head split, attention, conv branch */
    YOSO_PHASE_ATTN_OUT,  /* output projection + residual LayerNorm */
    YOSO_PHASE_FFN,       /* the two FFN GEMMs, GELU, LayerNorm */
    YOSO_PHASE_HEAD,      /* the LM head at the requested positions, logits read back */
    YOSO_PHASE_COUNT
} yoso_phase;

typedef struct yoso_profile {
    int enabled;                      /* 1: wait for the queue at every mark and time phases */
    double last;                      /* monotonic seconds of the previous mark */
    double seconds[YOSO_PHASE_COUNT]; /* accumulated per phase since the last reset */
} yoso_profile;

/* Zeroes the phase times and starts the clock (waits for the queue first). */
void yoso_profile_reset(yoso_profile *p, cl_command_queue queue);
/* Waits for the queue and adds the time since the previous mark to `phase`. No-op if disabled. */
void yoso_profile_mark(yoso_profile *p, cl_command_queue queue, yoso_phase phase);
/* Prints "yoso: forward B×L: embed … s, …, total … s, … GFLOP/s" on stderr. */
void yoso_profile_print(const yoso_profile *p, int batch, int seq, double dense_flops,
                        double attention_flops);

#endif

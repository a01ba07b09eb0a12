/* attention.h — one layer's YOSO attention as one call (DESIGN §2–3): expectation (fused on
 * the host BLAS, blocked through the GEMM interface, or the tiled kernel) or sampled LSH. The
 * attention owns what it needs across calls — the score block, the LSH signs and tables — so the
 * model only hands it the layer's q, k, v, mask and output. */
#ifndef YOSO_ATTENTION_H
#define YOSO_ATTENTION_H

#include <stdint.h>

#include "runtime.h"

typedef struct yoso_attention_config {
    int num_layers;            /* LSH signs are drawn per layer */
    int heads, head_dim;       /* nh, d */
    int expectation;           /* 1: YOSO-E expectation; 0: LSH sampling */
    int tau;                   /* hash_code_len: the power of the collision probability */
    int num_hash;              /* LSH only: hash rounds m */
    uint64_t seed;             /* LSH only: the counter-based signs' seed */
    const char *lsh_dmat_path; /* LSH only: explicit ±1 signs instead of the seed, or NULL */
} yoso_attention_config;

typedef struct yoso_attention_state yoso_attention_state;

/* Creates the attention for a model; copies cfg (and the sign-file path). Nothing is uploaded
 * until the first forward. The expectation path is $YOSO_EXPECTATION's (ctx->env, read when the
 * context was created: fused, blocked or tiled), else blocked when the GEMMs run in the host
 * BLAS, else tiled. */
yoso_status yoso_attention_create(yoso_context *ctx, const yoso_attention_config *cfg,
                                  yoso_attention_state **out);
/* ctx_out [B, L, H] = normalized attention of q, k, v [B, nh, L, d] under mask [B, L] for
 * encoder layer `layer` (q, k unit rows for expectation, as attention_prepare leaves them). With
 * rows (host memory, nrows flat positions b·L + t), only those rows of ctx_out are needed: a path
 * may leave the others undefined (the fused expectation path computes only those queries). */
yoso_status yoso_attention_forward(yoso_attention_state *att, int layer, cl_mem q, cl_mem k,
                                   cl_mem v, cl_mem mask, cl_mem ctx_out, int batch, int seq,
                                   const int32_t *rows, int nrows);
/* The expectation path in use: "fused" (host BLAS, per head and cache-resident query tile),
 * "blocked" (device GEMM → weights kernel → GEMM per query block) or "tiled" (one kernel). */
const char *yoso_attention_expectation_path(const yoso_attention_state *att);
/* Device bytes the attention holds now (score block, LSH signs and tables). */
size_t yoso_attention_bytes(const yoso_attention_state *att);
/* Frees the per-input buffers (score block, LSH tables); they are re-created when needed. */
void yoso_attention_release_buffers(yoso_attention_state *att);
/* Frees the attention and everything it holds; accepts NULL. */
void yoso_attention_free(yoso_attention_state *att);

#endif

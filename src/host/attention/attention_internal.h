/* attention_internal.h — the attention's state, shared by its expectation and LSH paths. */
#ifndef YOSO_ATTENTION_INTERNAL_H
#define YOSO_ATTENTION_INTERNAL_H

#include "attention.h"
#include "lsh_internal.h"

/* LSH state: per-layer signs (made on first use) and the tables' scratch. */
typedef struct yoso_lsh_state {
    yoso_lsh_scratch scratch;
    yoso_lsh_shape shape; /* the geometry the signs were made for (batch and seq are 1) */
    int sign_rows;        /* heads (seeded signs) or the explicit file's rows */
    cl_mem *signs;        /* [num_layers] each [sign_rows, 3, num_part, dp] float ±1 */
} yoso_lsh_state;

/* How expectation attention runs: the tiled kernel, per query block as device GEMM → weights
 * kernel → GEMM, or fused on the host per head and cache-resident query tile (host BLAS only). */
typedef enum yoso_expectation_path {
    YOSO_EXPECTATION_TILED = 0,
    YOSO_EXPECTATION_BLOCKED,
    YOSO_EXPECTATION_FUSED
} yoso_expectation_path;

/* Default bytes of one fused score tile (query rows × all keys, cache-resident between its three
 * steps): 256 KiB made the value GEMM's few rows slow in OpenBLAS; 1 MiB measured best of 0.25,
 * 1, 2 and 4 MiB at 2048 tokens (bench_attention --paths fused@KiB, a loaded 2-core machine). */
#define YOSO_FUSED_TILE_BYTES (1u << 20)

struct yoso_attention_state {
    yoso_context *ctx;
    yoso_attention_config cfg; /* cfg.lsh_dmat_path points at lsh_dmat_path */
    char *lsh_dmat_path;       /* owned copy, or NULL */
    yoso_expectation_path path;
    cl_mem scores; /* blocked: [nh, block, round_up(L, 16)] one query block's weights */
    size_t scores_floats;
    float *host_scores; /* fused: [tile rows, round_up(L, 16)] one head's query tile (host) */
    size_t host_scores_floats;
    size_t tile_bytes;   /* fused: the budget of one score tile (YOSO_FUSED_TILE_BYTES) */
    double phase_s[3];   /* fused: seconds in the score GEMMs, the weights, the value GEMMs */
    yoso_lsh_state *lsh; /* NULL until the first LSH forward */
};

/* ctx_out [B, L, H] = normalized YOSO-E attention of unit q, k and v [B, nh, L, d] under mask
 * [B, L], per query block: GEMM, weights kernel, GEMM (attention_blocked.c). */
yoso_status yoso_attention_expectation_blocked(yoso_attention_state *att, cl_mem q, cl_mem k,
                                               cl_mem v, cl_mem mask, cl_mem ctx_out, int batch,
                                               int seq);
/* The same on the host: q, k, v, mask and ctx_out mapped once, then per batch row, head and
 * query tile S = Q̂·K̂ᵀ, weights in place, ctx = S·V, rows normalized (attention_fused.c); with
 * rows (nrows flat positions b·L + t), only those query rows, the others left undefined. Needs
 * the host-BLAS GEMM backend. */
yoso_status yoso_attention_expectation_fused(yoso_attention_state *att, cl_mem q, cl_mem k,
                                             cl_mem v, cl_mem mask, cl_mem ctx_out, int batch,
                                             int seq, const int32_t *rows, int nrows);
/* scores[r·ld + j] ← (1 − acos(clamp(s, −1, 1))/π)^τ where mask[j] ≠ 0, else 0, for r < rows,
 * j < seq (expectation_host.c). */
void yoso_expectation_weights_host(float *scores, size_t rows, size_t seq, size_t ld,
                                   const int32_t *mask, int tau);
/* ctx_out [B, L, H] = normalized LSH attention of layer `layer` (lsh_attention.c). */
yoso_status yoso_attention_lsh(yoso_attention_state *att, int layer, cl_mem q, cl_mem k, cl_mem v,
                               cl_mem mask, cl_mem ctx_out, int batch, int seq);
/* Device bytes of the LSH signs and tables. */
size_t yoso_lsh_state_bytes(const yoso_lsh_state *st, int num_layers);
/* Frees the LSH state; accepts NULL. */
void yoso_lsh_state_free(yoso_lsh_state *st, int num_layers);

#endif

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

struct yoso_attention_state {
    yoso_context *ctx;
    yoso_attention_config cfg; /* cfg.lsh_dmat_path points at lsh_dmat_path */
    char *lsh_dmat_path;       /* owned copy, or NULL */
    int blocked;               /* expectation through GEMMs (1) or the tiled kernel (0) */
    cl_mem scores;             /* blocked: [nh, block, round_up(L, 16)] one query block's weights */
    size_t scores_floats;
    yoso_lsh_state *lsh; /* NULL until the first LSH forward */
};

/* ctx_out [B, L, H] = normalized YOSO-E attention of unit q, k and v [B, nh, L, d] under mask
 * [B, L], per query block: GEMM, weights kernel, GEMM (attention_blocked.c). */
yoso_status yoso_attention_expectation_blocked(yoso_attention_state *att, cl_mem q, cl_mem k, cl_mem v,
                                               cl_mem mask, cl_mem ctx_out, int batch, int seq);
/* ctx_out [B, L, H] = normalized LSH attention of layer `layer` (lsh_attention.c). */
yoso_status yoso_attention_lsh(yoso_attention_state *att, int layer, cl_mem q, cl_mem k, cl_mem v,
                               cl_mem mask, cl_mem ctx_out, int batch, int seq);
/* Device bytes of the LSH signs and tables. */
size_t yoso_lsh_state_bytes(const yoso_lsh_state *st, int num_layers);
/* Frees the LSH state; accepts NULL. */
void yoso_lsh_state_free(yoso_lsh_state *st, int num_layers);

#endif

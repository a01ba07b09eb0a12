/* attention.c — the attention module's entry points: configuration, dispatch and ownership of
 * the buffers kept across calls. */
#include <stdlib.h>
#include <string.h>

#include "attention_internal.h"
#include "attention_kernels.h"
#include "gemm.h"

/* The expectation path: $YOSO_EXPECTATION = fused | blocked | tiled, as the context read it;
 * default: fused when the GEMM backend is the host BLAS (a CPU device: 1.16x blocked at 128
 * tokens, 1.28x at 512 in tools/bench/bench_attention), else tiled. fused needs the host BLAS and
 * falls back to blocked without it. */
static yoso_expectation_path attention_choose_path(const yoso_context *ctx) {
    const char *env = ctx->env.expectation;
    const int host = yoso_gemm_get_kind(ctx->gemm) == YOSO_GEMM_HOST_BLAS;
    if (env && !strcmp(env, "blocked")) return YOSO_EXPECTATION_BLOCKED;
    if (env && !strcmp(env, "tiled")) return YOSO_EXPECTATION_TILED;
    if (env && !strcmp(env, "fused"))
        return host ? YOSO_EXPECTATION_FUSED : YOSO_EXPECTATION_BLOCKED;
    return host ? YOSO_EXPECTATION_FUSED : YOSO_EXPECTATION_TILED;
}

yoso_status yoso_attention_create(yoso_context *ctx, const yoso_attention_config *cfg,
                                  yoso_attention_state **out) {
    *out = NULL;
    yoso_attention_state *att = calloc(1, sizeof *att);
    if (!att) return yoso_error_oom();
    att->ctx = ctx;
    att->cfg = *cfg;
    att->path = attention_choose_path(ctx);
    att->tile_bytes = YOSO_FUSED_TILE_BYTES;
    if (cfg->lsh_dmat_path) {
        if (!(att->lsh_dmat_path = strdup(cfg->lsh_dmat_path))) {
            free(att);
            return yoso_error_oom();
        }
        att->cfg.lsh_dmat_path = att->lsh_dmat_path;
    }
    yoso_lsh_shape shape; /* LSH: its kernels built while the caller loads the weights, if it can */
    if (!cfg->expectation && yoso_lsh_shape_init(&shape, 1, cfg->heads, 1, cfg->head_dim,
                                                 cfg->num_hash, cfg->tau) == YOSO_OK)
        yoso_prepare_more(ctx, yoso_lsh_prepare_kernels, shape.dp);
    yoso_error_clear();
    *out = att;
    return YOSO_OK;
}

yoso_status yoso_attention_forward(yoso_attention_state *att, int layer, cl_mem q, cl_mem k,
                                   cl_mem v, cl_mem mask, cl_mem ctx_out, int batch, int seq,
                                   const int32_t *rows, int nrows) {
    const yoso_attention_config *c = &att->cfg;
    if (!c->expectation) return yoso_attention_lsh(att, layer, q, k, v, mask, ctx_out, batch, seq);
    if (att->path == YOSO_EXPECTATION_FUSED)
        return yoso_attention_expectation_fused(att, q, k, v, mask, ctx_out, batch, seq, rows,
                                                nrows);
    if (att->path == YOSO_EXPECTATION_BLOCKED)
        return yoso_attention_expectation_blocked(att, q, k, v, mask, ctx_out, batch, seq);
    return yoso_launch_attention_expectation(att->ctx, q, k, v, mask, ctx_out, batch, seq, c->heads,
                                             c->head_dim, c->tau);
}

const char *yoso_attention_expectation_path(const yoso_attention_state *att) {
    static const char *const names[] = {"tiled", "blocked", "fused"};
    return names[att->path];
}

size_t yoso_attention_bytes(const yoso_attention_state *att) {
    if (!att) return 0;
    return (att->scores_floats + att->host_scores_floats) * sizeof(float) +
           yoso_lsh_state_bytes(att->lsh, att->cfg.num_layers);
}

void yoso_attention_release_buffers(yoso_attention_state *att) {
    if (!att) return;
    if (att->scores) clReleaseMemObject(att->scores);
    att->scores = NULL;
    att->scores_floats = 0;
    free(att->host_scores);
    att->host_scores = NULL;
    att->host_scores_floats = 0;
    if (att->lsh) yoso_lsh_scratch_release(&att->lsh->scratch);
}

void yoso_attention_free(yoso_attention_state *att) {
    if (!att) return;
    yoso_attention_release_buffers(att);
    yoso_lsh_state_free(att->lsh, att->cfg.num_layers);
    free(att->lsh_dmat_path);
    free(att);
}

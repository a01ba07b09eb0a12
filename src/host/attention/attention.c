/* attention.c — the attention module's entry points: configuration, dispatch and ownership of
 * the buffers kept across calls. */
#include <stdlib.h>
#include <string.h>

#include "attention_internal.h"
#include "attention_kernels.h"
#include "gemm.h"

/* 1 when expectation attention runs blocked through the GEMM interface ($YOSO_EXPECTATION =
 * blocked | tiled, as the context read it; default: blocked when the GEMM backend is the host
 * BLAS). */
static int attention_choose_blocked(const yoso_context *ctx) {
    const char *env = ctx->env.expectation;
    if (env && !strcmp(env, "blocked")) return 1;
    if (env && !strcmp(env, "tiled")) return 0;
    return yoso_gemm_get_kind(ctx->gemm) == YOSO_GEMM_HOST_BLAS;
}

yoso_status yoso_attention_create(yoso_context *ctx, const yoso_attention_config *cfg,
                                  yoso_attention_state **out) {
    *out = NULL;
    yoso_attention_state *att = calloc(1, sizeof *att);
    if (!att) return yoso_error_oom();
    att->ctx = ctx;
    att->cfg = *cfg;
    att->blocked = attention_choose_blocked(ctx);
    if (cfg->lsh_dmat_path) {
        if (!(att->lsh_dmat_path = strdup(cfg->lsh_dmat_path))) {
            free(att);
            return yoso_error_oom();
        }
        att->cfg.lsh_dmat_path = att->lsh_dmat_path;
    }
    *out = att;
    return YOSO_OK;
}

yoso_status yoso_attention_forward(yoso_attention_state *att, int layer, cl_mem q, cl_mem k,
                                   cl_mem v, cl_mem mask, cl_mem ctx_out, int batch, int seq) {
    const yoso_attention_config *c = &att->cfg;
    if (!c->expectation) return yoso_attention_lsh(att, layer, q, k, v, mask, ctx_out, batch, seq);
    if (att->blocked)
        return yoso_attention_expectation_blocked(att, q, k, v, mask, ctx_out, batch, seq);
    return yoso_launch_attention_expectation(att->ctx, q, k, v, mask, ctx_out, batch, seq, c->heads,
                                             c->head_dim, c->tau);
}

int yoso_attention_blocked(const yoso_attention_state *att) {
    return att->blocked;
}

size_t yoso_attention_bytes(const yoso_attention_state *att) {
    if (!att) return 0;
    return att->scores_floats * sizeof(float) + yoso_lsh_state_bytes(att->lsh, att->cfg.num_layers);
}

void yoso_attention_release_buffers(yoso_attention_state *att) {
    if (!att) return;
    if (att->scores) clReleaseMemObject(att->scores);
    att->scores = NULL;
    att->scores_floats = 0;
    if (att->lsh) yoso_lsh_scratch_release(&att->lsh->scratch);
}

void yoso_attention_free(yoso_attention_state *att) {
    if (!att) return;
    yoso_attention_release_buffers(att);
    yoso_lsh_state_free(att->lsh, att->cfg.num_layers);
    free(att->lsh_dmat_path);
    free(att);
}

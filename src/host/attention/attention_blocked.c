/* attention_blocked.c — YOSO-E attention per query block through the GEMM interface:
 * S = Q̂·K̂ᵀ (GEMM), E = (1 − acos(S)/π)^τ with padded keys zeroed (kernel), ctx = E·V (GEMM),
 * then each head normalized. Only one block of scores exists at a time: [nh, block, L]. */
#include <stdlib.h>
#include <string.h>

#include "attention_internal.h"
#include "attention_kernels.h"
#include "clock.h"
#include "gemm.h"

/* Upper bound of the score block in bytes (DESIGN §2: never all L×L weights at once). */
#define YOSO_SCORES_BYTES (32u << 20)

/* Makes sure the score buffer holds `floats` floats. */
static yoso_status blocked_reserve(yoso_attention_state *att, size_t floats) {
    yoso_status status = YOSO_OK;
    if (att->scores && att->scores_floats >= floats) return YOSO_OK;
    if (att->scores) clReleaseMemObject(att->scores);
    att->scores = NULL;
    att->scores_floats = 0;
    cl_int err;
    att->scores =
        clCreateBuffer(att->ctx->context, CL_MEM_READ_WRITE, floats * sizeof(float), NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(attention scores)");
    att->scores_floats = floats;
    return YOSO_OK;
fail:
    return status;
}

yoso_status yoso_attention_expectation_blocked(yoso_attention_state *att, cl_mem q, cl_mem k,
                                               cl_mem v, cl_mem mask, cl_mem ctx_out, int batch,
                                               int seq) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = att->ctx;
    const size_t heads = (size_t)att->cfg.heads, d = (size_t)att->cfg.head_dim, H = heads * d;
    const size_t L = (size_t)seq, ld = yoso_round_up(L, 16);
    size_t block = YOSO_SCORES_BYTES / sizeof(float) / (heads * ld);
    block = block >= L ? L : (block < 16 ? 16 : block / 16 * 16);
    const int host = yoso_gemm_get_kind(ctx->gemm) == YOSO_GEMM_HOST_BLAS;
    YOSO_TRY(blocked_reserve(att, heads * block * ld));
    for (int b = 0; b < batch; b++) {
        const size_t head0 = (size_t)b * heads * L * d; /* q, k, v [B, nh, L, d] */
        for (size_t q0 = 0; q0 < L; q0 += block) {
            const size_t nq = L - q0 < block ? L - q0 : block;
            /* S [nh, nq, L] = Q̂ [nh, nq, d] · K̂ᵀ per head; matrices {buffer, offset, ld, stride} */
            const yoso_gemm_matrix qm = {q, head0 + q0 * d, d, L * d}, km = {k, head0, d, L * d},
                                   vm = {v, head0, d, L * d}, sm = {att->scores, 0, ld, nq * ld};
            const yoso_gemm_args s = yoso_gemm_product(0, 1, nq, L, d, qm, km, sm, heads);
            const double t0 = yoso_now();
            YOSO_TRY(yoso_gemm_run(ctx->gemm, &s));
            const double t1 = yoso_now();
            YOSO_TRY(yoso_launch_expectation_weights(ctx, att->scores, mask, b * seq, seq, (int)ld,
                                                     (int)(heads * nq), att->cfg.tau));
            if (host) CL_CHECK(clFinish(ctx->queue)); /* the next host GEMM would wait anyway */
            const double t2 = yoso_now();
            /* ctx [B, L, nh·d] rows q0.. = E [nh, nq, L] · V [nh, L, d], head h at column h·d */
            const yoso_gemm_matrix om = {ctx_out, ((size_t)b * L + q0) * H, H, d};
            const yoso_gemm_args o = yoso_gemm_product(0, 0, nq, d, L, sm, vm, om, heads);
            YOSO_TRY(yoso_gemm_run(ctx->gemm, &o));
            att->phase_s[0] += t1 - t0; /* host BLAS: each phase's own time; else enqueue times */
            att->phase_s[1] += t2 - t1;
            att->phase_s[2] += yoso_now() - t2;
        }
    }
    YOSO_TRY(
        yoso_launch_attention_normalize_heads(ctx, ctx_out, mask, batch * seq, (int)heads, (int)d));
fail:
    return status;
}

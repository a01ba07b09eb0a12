/* attention_fused.c — YOSO-E attention on the host for host-BLAS devices, fused per head and
 * query tile: S = Q̂·K̂ᵀ (cblas), E = (1 − acos(S)/π)^τ in place with padded keys zeroed, ctx =
 * E·V (cblas), each row normalized. A tile holds a few query rows × all keys and stays in cache
 * between the three steps, so the weights pass costs little next to the two GEMMs, and nothing
 * is launched or mapped per tile (the blocked path's 32 MiB blocks go through memory). */
#include <math.h>
#include <stdlib.h>

#include "attention_internal.h"
#include "clock.h"
#include "gemm.h"

/* Makes sure the host tile holds `floats` floats (64-byte aligned). */
static yoso_status fused_reserve(yoso_attention_state *att, size_t floats) {
    if (att->host_scores && att->host_scores_floats >= floats) return YOSO_OK;
    free(att->host_scores);
    att->host_scores_floats = 0;
    att->host_scores = aligned_alloc(64, yoso_round_up(floats * sizeof(float), 64));
    if (!att->host_scores) return yoso_error_oom();
    att->host_scores_floats = floats;
    return YOSO_OK;
}

/* Maps `bytes` of buf for flags (blocking: earlier commands have finished). */
static yoso_status fused_map(yoso_context *ctx, cl_mem buf, size_t bytes, cl_map_flags flags,
                             void **out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clEnqueueMapBuffer(ctx->queue, buf, CL_TRUE, flags, 0, bytes, 0, NULL, NULL, &err);
    CL_CHECK_ERR(err, "clEnqueueMapBuffer(fused attention operand)");
    return YOSO_OK;
fail:
    *out = NULL;
    return status;
}

/* x [rows, ld] row r ← x / max(‖x‖, 1e-12) over d columns, or zeros where mask[r] is 0. */
static void fused_normalize(float *x, size_t rows, size_t d, size_t ld, const int32_t *mask) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * ld, ss = 0.0f;
        for (size_t c = 0; c < d; c++) ss += row[c] * row[c];
        const float scale = mask[r] ? 1.0f / fmaxf(sqrtf(ss), 1e-12f) : 0.0f;
        for (size_t c = 0; c < d; c++) row[c] *= scale;
    }
}

yoso_status yoso_attention_expectation_fused(yoso_attention_state *att, cl_mem q, cl_mem k,
                                             cl_mem v, cl_mem mask, cl_mem ctx_out, int batch,
                                             int seq) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = att->ctx;
    const yoso_cblas_sgemm_fn sgemm = yoso_gemm_host_sgemm(ctx->gemm);
    const size_t heads = (size_t)att->cfg.heads, d = (size_t)att->cfg.head_dim, H = heads * d;
    const size_t L = (size_t)seq, ld = yoso_round_up(L, 16), B = (size_t)batch;
    const size_t qkv_bytes = B * heads * L * d * sizeof(float);
    float *pq = NULL, *pk = NULL, *pv = NULL, *pout = NULL;
    int32_t *pmask = NULL;
    if (!sgemm)
        return yoso_error(YOSO_ERR_USAGE,
                          "fused expectation attention needs the host BLAS: set YOSO_GEMM=host");
    size_t tile = att->tile_bytes / sizeof(float) / ld;
    tile = tile >= L ? L : (tile < 8 ? 8 : tile / 8 * 8);
    YOSO_TRY(fused_reserve(att, tile * ld));
    float *S = att->host_scores; /* [tile, ld] */
    YOSO_TRY(fused_map(ctx, q, qkv_bytes, CL_MAP_READ, (void **)&pq));
    YOSO_TRY(fused_map(ctx, k, qkv_bytes, CL_MAP_READ, (void **)&pk));
    YOSO_TRY(fused_map(ctx, v, qkv_bytes, CL_MAP_READ, (void **)&pv));
    YOSO_TRY(fused_map(ctx, mask, B * L * sizeof(int32_t), CL_MAP_READ, (void **)&pmask));
    YOSO_TRY(fused_map(ctx, ctx_out, B * L * H * sizeof(float), CL_MAP_WRITE_INVALIDATE_REGION,
                       (void **)&pout));
    for (size_t b = 0; b < B; b++)
        for (size_t h = 0; h < heads; h++) {
            const size_t head0 = (b * heads + h) * L * d; /* q, k, v [B, nh, L, d] */
            const int32_t *m = pmask + b * L;
            for (size_t q0 = 0; q0 < L; q0 += tile) {
                const int nq = (int)(L - q0 < tile ? L - q0 : tile);
                float *out = pout + (b * L + q0) * H + h * d; /* ctx_out [B, L, H] */
                const double t0 = yoso_now();
                sgemm(101, 111, 112, nq, (int)L, (int)d, 1.0f, pq + head0 + q0 * d, (int)d,
                      pk + head0, (int)d, 0.0f, S, (int)ld);
                const double t1 = yoso_now();
                yoso_expectation_weights_host(S, (size_t)nq, L, ld, m, att->cfg.tau);
                const double t2 = yoso_now();
                sgemm(101, 111, 111, nq, (int)d, (int)L, 1.0f, S, (int)ld, pv + head0, (int)d, 0.0f,
                      out, (int)H);
                fused_normalize(out, (size_t)nq, d, H, m + q0);
                att->phase_s[0] += t1 - t0;
                att->phase_s[1] += t2 - t1;
                att->phase_s[2] += yoso_now() - t2;
            }
        }
fail:;
    void *maps[5] = {pq, pk, pv, pmask, pout};
    cl_mem bufs[5] = {q, k, v, mask, ctx_out};
    for (int i = 0; i < 5; i++)
        if (maps[i]) clEnqueueUnmapMemObject(ctx->queue, bufs[i], maps[i], 0, NULL, NULL);
    return status;
}

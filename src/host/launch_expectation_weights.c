/* launch_expectation_weights.c — host launchers of expectation_weights and
 * attention_normalize_heads (attention_expectation.cl). */
#include "kernels.h"

yoso_status yoso_launch_expectation_weights(yoso_context *ctx, cl_mem scores, cl_mem mask,
                                            int mask_offset, int seq, int ld, int rows, int tau) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, "expectation_weights", &k));
    size_t local = yoso_local_size(ctx, 64);
    CL_ARG(k, 0, scores);
    CL_ARG(k, 1, mask);
    CL_ARG(k, 2, mask_offset);
    CL_ARG(k, 3, seq);
    CL_ARG(k, 4, ld);
    CL_ARG(k, 5, tau);
    size_t global[2] = {yoso_round_up((size_t)ld / 8, local), (size_t)rows};
    size_t lsize[2] = {local, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, lsize, 0, NULL, NULL));
fail:
    return status;
}

yoso_status yoso_launch_attention_normalize_heads(yoso_context *ctx, cl_mem ctx_out, cl_mem mask,
                                                  int rows, int heads, int head_dim) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, "attention_normalize_heads", &k));
    size_t local = yoso_local_size(ctx, 64);
    CL_ARG(k, 0, ctx_out);
    CL_ARG(k, 1, mask);
    CL_ARG(k, 2, head_dim);
    CL_CHECK(clSetKernelArg(k, 3, local * sizeof(float), NULL));
    size_t global[3] = {local, (size_t)rows, (size_t)heads};
    size_t lsize[3] = {local, 1, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 3, NULL, global, lsize, 0, NULL, NULL));
fail:
    return status;
}

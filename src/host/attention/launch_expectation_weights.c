/* launch_expectation_weights.c — host launchers of expectation_weights and
 * attention_normalize_heads (attention_expectation.cl). */
#include "attention_kernels.h"

yoso_status yoso_launch_expectation_weights(yoso_context *ctx, cl_mem scores, cl_mem mask,
                                            int mask_offset, int seq, int ld, int rows, int tau) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, "expectation_weights", &k));
    const int per = 16; /* runs of 16 columns per work-item */
    CL_ARG(k, 0, scores);
    CL_ARG(k, 1, mask);
    CL_ARG(k, 2, mask_offset);
    CL_ARG(k, 3, seq);
    CL_ARG(k, 4, ld);
    CL_ARG(k, 5, tau);
    CL_ARG(k, 6, per);
    size_t runs = (size_t)ld / 16;
    size_t global[2] = {(runs + per - 1) / per, (size_t)rows};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

yoso_status yoso_launch_attention_normalize_heads(yoso_context *ctx, cl_mem ctx_out, cl_mem mask,
                                                  int rows, int heads, int head_dim) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, "attention_normalize_heads", &k));
    CL_ARG(k, 0, ctx_out);
    CL_ARG(k, 1, mask);
    CL_ARG(k, 2, head_dim);
    size_t global[2] = {(size_t)heads, (size_t)rows};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

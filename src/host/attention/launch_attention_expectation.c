/* launch_attention_expectation.c — host launcher of attention_expectation. */
#include "attention_kernels.h"

yoso_status yoso_launch_attention_expectation(yoso_context *ctx, cl_mem q, cl_mem k, cl_mem v,
                                              cl_mem mask, cl_mem ctx_out, int batch, int seq,
                                              int heads, int head_dim, int tau) {
    yoso_status status = YOSO_OK;
    cl_kernel kern;
    YOSO_TRY(yoso_kernel_get(ctx, "attention_expectation", &kern));
    size_t tile = yoso_local_size(ctx, 64);
    CL_ARG(kern, 0, q);
    CL_ARG(kern, 1, k);
    CL_ARG(kern, 2, v);
    CL_ARG(kern, 3, mask);
    CL_ARG(kern, 4, ctx_out);
    CL_ARG(kern, 5, seq);
    CL_ARG(kern, 6, heads);
    CL_ARG(kern, 7, head_dim);
    CL_ARG(kern, 8, tau);
    CL_CHECK(clSetKernelArg(kern, 9, tile * head_dim * sizeof(float), NULL));
    CL_CHECK(clSetKernelArg(kern, 10, tile * head_dim * sizeof(float), NULL));
    CL_CHECK(clSetKernelArg(kern, 11, tile * sizeof(int), NULL));
    size_t global[2] = {yoso_round_up((size_t)seq, tile), (size_t)batch * heads};
    size_t local[2] = {tile, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 2, NULL, global, local, 0, NULL, NULL));
fail:
    return status;
}

/* launch_bias_gelu.c — host launcher of bias_gelu (bias_act.cl). */
#include "ops.h"

yoso_status yoso_launch_bias_gelu(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    if (cols % 16 == 0) { /* runs of 16 columns, 16 runs per work-item */
        const int per = 16;
        YOSO_TRY(yoso_kernel_get(ctx, "bias_gelu16", &k));
        CL_ARG(k, 0, x);
        CL_ARG(k, 1, bias);
        CL_ARG(k, 2, cols);
        CL_ARG(k, 3, per);
        size_t global[2] = {(size_t)(cols / 16 + per - 1) / per, (size_t)rows};
        CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
        return YOSO_OK;
    }
    YOSO_TRY(yoso_kernel_get(ctx, "bias_gelu", &k));
    CL_ARG(k, 0, x);
    CL_ARG(k, 1, bias);
    CL_ARG(k, 2, cols);
    size_t global[2] = {(size_t)cols, (size_t)rows};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

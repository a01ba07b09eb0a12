/* launch_bias_add.c — host launcher of bias_add (bias_act.cl). */
#include "ops.h"

yoso_status yoso_launch_bias_add(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, "bias_add", &k));
    CL_ARG(k, 0, x);
    CL_ARG(k, 1, bias);
    CL_ARG(k, 2, cols);
    size_t global[2] = {(size_t)cols, (size_t)rows};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

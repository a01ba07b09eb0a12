/* launch_gather_rows.c — host launcher of gather_rows (bias_act.cl). */
#include "ops.h"

yoso_status yoso_launch_gather_rows(yoso_context *ctx, cl_mem x, cl_mem rows, cl_mem out, int n,
                                    int cols) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, "gather_rows", &k));
    CL_ARG(k, 0, x);
    CL_ARG(k, 1, rows);
    CL_ARG(k, 2, out);
    CL_ARG(k, 3, cols);
    size_t global[2] = {(size_t)cols, (size_t)n};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

/* launch_layernorm.c — host launcher of layernorm_fused / layernorm_rows (layernorm.cl). */
#include <string.h>

#include "ops.h"

yoso_status yoso_launch_layernorm(yoso_context *ctx, cl_mem x, cl_mem bias, cl_mem residual,
                                  cl_mem gamma, cl_mem beta, cl_mem out, int rows, int hidden,
                                  float eps) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    const int has_bias = bias != NULL, has_residual = residual != NULL;
    cl_mem bias_arg = has_bias ? bias : gamma, res_arg = has_residual ? residual : x;
    /* CPU devices: a row per work-item; others: a work-group per row with a tree reduction */
    const int per_row = !strcmp(ctx->info.type, "CPU");
    YOSO_TRY(yoso_kernel_get(ctx, per_row ? "layernorm_rows" : "layernorm_fused", &k));
    CL_ARG(k, 0, x);
    CL_ARG(k, 1, bias_arg);
    CL_ARG(k, 2, res_arg);
    CL_ARG(k, 3, gamma);
    CL_ARG(k, 4, beta);
    CL_ARG(k, 5, out);
    CL_ARG(k, 6, hidden);
    CL_ARG(k, 7, eps);
    CL_ARG(k, 8, has_bias);
    CL_ARG(k, 9, has_residual);
    if (per_row) {
        size_t global = (size_t)rows;
        CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL));
        return YOSO_OK;
    }
    size_t local = yoso_local_size(ctx, 128);
    CL_CHECK(clSetKernelArg(k, 10, local * sizeof(float), NULL));
    size_t global = local * (size_t)rows;
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 1, NULL, &global, &local, 0, NULL, NULL));
fail:
    return status;
}

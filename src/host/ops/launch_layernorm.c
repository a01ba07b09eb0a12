/* launch_layernorm.c — host launcher of layernorm_fused / layernorm_rows (layernorm.cl). */
#include "ops.h"

yoso_status yoso_launch_layernorm(yoso_context *ctx, cl_mem x, cl_mem bias, cl_mem residual,
                                  cl_mem gamma, cl_mem beta, cl_mem out, int rows, int hidden,
                                  float eps) {
    const int has_bias = bias != NULL, has_residual = residual != NULL;
    cl_mem bias_arg = has_bias ? bias : gamma, res_arg = has_residual ? residual : x;
    /* CPU devices: a row per work-item; others: a work-group per row with a tree reduction */
    const yoso_kernel *k =
        ctx->cpu_class ? &ctx->kernels.layernorm_rows : &ctx->kernels.layernorm_fused;
    const size_t local = ctx->cpu_class ? 1 : yoso_local_size(ctx, k, 128);
    size_t global = local * (size_t)rows;
#define LAYERNORM_ARGS                                                                             \
    YOSO_ARG(x), YOSO_ARG(bias_arg), YOSO_ARG(res_arg), YOSO_ARG(gamma), YOSO_ARG(beta),           \
        YOSO_ARG(out), YOSO_ARG(hidden), YOSO_ARG(eps), YOSO_ARG(has_bias), YOSO_ARG(has_residual)
    if (ctx->cpu_class) return YOSO_LAUNCH(ctx, k, 1, &global, NULL, LAYERNORM_ARGS);
    return YOSO_LAUNCH(ctx, k, 1, &global, &local, LAYERNORM_ARGS,
                       YOSO_LOCAL(local * sizeof(float)));
#undef LAYERNORM_ARGS
}

/* launch_bias_gelu.c — host launcher of bias_gelu / bias_gelu16 (bias_act.cl). */
#include "ops.h"

yoso_status yoso_launch_bias_gelu(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols) {
    if (cols % 16 == 0) { /* runs of 16 columns, 16 runs per work-item */
        const int per = 16;
        size_t global[2] = {(size_t)(cols / 16 + per - 1) / per, (size_t)rows};
        return YOSO_LAUNCH(ctx, &ctx->kernels.bias_gelu16, 2, global, NULL, YOSO_ARG(x),
                           YOSO_ARG(bias), YOSO_ARG(cols), YOSO_ARG(per));
    }
    size_t global[2] = {(size_t)cols, (size_t)rows};
    return YOSO_LAUNCH(ctx, &ctx->kernels.bias_gelu, 2, global, NULL, YOSO_ARG(x), YOSO_ARG(bias),
                       YOSO_ARG(cols));
}

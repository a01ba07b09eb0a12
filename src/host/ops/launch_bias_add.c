/* launch_bias_add.c — host launchers of bias_add and bias_relu (bias_act.cl). */
#include "ops.h"

yoso_status yoso_launch_bias_add(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols) {
    size_t global[2] = {(size_t)cols, (size_t)rows};
    return YOSO_LAUNCH(ctx, &ctx->kernels.bias_add, 2, global, NULL, YOSO_ARG(x), YOSO_ARG(bias),
                       YOSO_ARG(cols));
}

yoso_status yoso_launch_bias_relu(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols) {
    size_t global[2] = {(size_t)cols, (size_t)rows};
    return YOSO_LAUNCH(ctx, &ctx->kernels.bias_relu, 2, global, NULL, YOSO_ARG(x), YOSO_ARG(bias),
                       YOSO_ARG(cols));
}

/* launch_gather_rows.c — host launcher of gather_rows (bias_act.cl). */
#include "ops.h"

yoso_status yoso_launch_gather_rows(yoso_context *ctx, cl_mem x, cl_mem rows, cl_mem out, int n,
                                    int cols) {
    size_t global[2] = {(size_t)cols, (size_t)n};
    return YOSO_LAUNCH(ctx, &ctx->kernels.gather_rows, 2, global, NULL, YOSO_ARG(x), YOSO_ARG(rows),
                       YOSO_ARG(out), YOSO_ARG(cols));
}

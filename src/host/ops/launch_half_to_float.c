/* launch_half_to_float.c — host launcher of half_to_float (convert.cl). */
#include <limits.h>

#include "ops.h"

yoso_status yoso_launch_half_to_float(yoso_context *ctx, cl_mem src, size_t src_offset, cl_mem dst,
                                      size_t dst_offset, size_t n) {
    if (n + dst_offset > INT_MAX || n + src_offset > INT_MAX)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "a weight matrix of %zu values is too large for fp16 storage: load the model without --fp16",
            n);
    const yoso_kernel *k = &ctx->kernels.half_to_float;
    const int soff = (int)src_offset, doff = (int)dst_offset, count = (int)n;
    size_t local = yoso_local_size(ctx, k, 64), global = (n + 7) / 8;
    return YOSO_LAUNCH(ctx, k, 1, &global, &local, YOSO_ARG(src), YOSO_ARG(dst), YOSO_ARG(soff),
                       YOSO_ARG(doff), YOSO_ARG(count));
}

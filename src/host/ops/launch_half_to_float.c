/* launch_half_to_float.c — host launcher of half_to_float (convert.cl). */
#include <limits.h>

#include "ops.h"

yoso_status yoso_launch_half_to_float(yoso_context *ctx, cl_mem src, size_t src_offset, cl_mem dst,
                                      size_t dst_offset, size_t n) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    if (n + dst_offset > INT_MAX || n + src_offset > INT_MAX)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "a weight matrix of %zu values is too large for fp16 storage: load the model without --fp16",
            n);
    YOSO_TRY(yoso_kernel_get(ctx, "half_to_float", &k));
    const int soff = (int)src_offset, doff = (int)dst_offset, count = (int)n;
    size_t local = yoso_local_size(ctx, 64);
    CL_ARG(k, 0, src);
    CL_ARG(k, 1, dst);
    CL_ARG(k, 2, soff);
    CL_ARG(k, 3, doff);
    CL_ARG(k, 4, count);
    size_t global = yoso_round_up((n + 7) / 8, local);
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 1, NULL, &global, &local, 0, NULL, NULL));
fail:
    return status;
}

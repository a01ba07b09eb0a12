/* launch_lsh_normalize.c — host launcher of lsh_normalize (L2 normalize, merge heads). */
#include "attention_kernels.h"
#include "lsh_internal.h"

yoso_status yoso_launch_lsh_normalize(yoso_context *ctx, cl_mem acc, cl_mem mask, cl_mem ctx_out,
                                      const yoso_lsh_shape *s) {
    yoso_status status = YOSO_OK;
    cl_kernel kern;
    YOSO_TRY(yoso_kernel_get(ctx, "lsh_normalize", &kern));
    const size_t local = yoso_local_size(ctx, 64);
    CL_ARG(kern, 0, acc);
    CL_ARG(kern, 1, mask);
    CL_ARG(kern, 2, ctx_out);
    CL_ARG(kern, 3, s->seq);
    CL_ARG(kern, 4, s->heads);
    CL_ARG(kern, 5, s->head_dim);
    size_t global[2] = {yoso_round_up((size_t)s->seq, local), (size_t)s->batch * s->heads};
    size_t lsize[2] = {local, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 2, NULL, global, lsize, 0, NULL, NULL));
fail:
    return status;
}

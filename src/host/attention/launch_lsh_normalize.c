/* launch_lsh_normalize.c — host launcher of lsh_normalize (L2 normalize, merge heads). */
#include "attention_kernels.h"
#include "lsh_internal.h"

yoso_status yoso_launch_lsh_normalize(yoso_context *ctx, cl_mem acc, cl_mem mask, cl_mem ctx_out,
                                      const yoso_lsh_shape *s) {
    const yoso_kernel *k = &ctx->kernels.lsh_normalize;
    size_t global[2] = {(size_t)s->seq, (size_t)s->batch * s->heads};
    size_t local[2] = {yoso_local_size(ctx, k, 64), 1};
    return YOSO_LAUNCH(ctx, k, 2, global, local, YOSO_ARG(acc), YOSO_ARG(mask), YOSO_ARG(ctx_out),
                       YOSO_ARG(s->seq), YOSO_ARG(s->heads), YOSO_ARG(s->head_dim));
}

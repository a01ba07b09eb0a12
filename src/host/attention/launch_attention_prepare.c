/* launch_attention_prepare.c — host launcher of attention_prepare (attention_prepare.cl). */
#include "attention_kernels.h"

yoso_status yoso_launch_attention_prepare(yoso_context *ctx, cl_mem qkv, cl_mem bias, cl_mem q,
                                          cl_mem k, cl_mem v, int batch, int seq, int heads,
                                          int head_dim, int normalize_qk) {
    size_t global[2] = {(size_t)seq, (size_t)batch * heads};
    return YOSO_LAUNCH(ctx, &ctx->kernels.attention_prepare, 2, global, NULL, YOSO_ARG(qkv),
                       YOSO_ARG(bias), YOSO_ARG(q), YOSO_ARG(k), YOSO_ARG(v), YOSO_ARG(seq),
                       YOSO_ARG(heads), YOSO_ARG(head_dim), YOSO_ARG(normalize_qk));
}

/* launch_attention_conv.c — host launcher of attention_conv_add (attention_conv.cl). */
#include "attention_kernels.h"

yoso_status yoso_launch_attention_conv_add(yoso_context *ctx, cl_mem v, cl_mem mask, cl_mem weight,
                                           cl_mem ctx_out, int batch, int seq, int heads,
                                           int head_dim, int window) {
    size_t global[3] = {(size_t)head_dim, (size_t)seq, (size_t)batch * heads};
    return YOSO_LAUNCH(ctx, &ctx->kernels.attention_conv_add, 3, global, NULL, YOSO_ARG(v),
                       YOSO_ARG(mask), YOSO_ARG(weight), YOSO_ARG(ctx_out), YOSO_ARG(seq),
                       YOSO_ARG(heads), YOSO_ARG(head_dim), YOSO_ARG(window));
}

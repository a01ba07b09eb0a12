/* launch_expectation_weights.c — host launchers of expectation_weights and
 * attention_normalize_heads (attention_expectation.cl). */
#include "attention_kernels.h"

yoso_status yoso_launch_expectation_weights(yoso_context *ctx, cl_mem scores, cl_mem mask,
                                            int mask_offset, int seq, int ld, int rows, int tau) {
    const int per = 16; /* runs of 16 columns per work-item */
    size_t runs = (size_t)ld / 16;
    size_t global[2] = {(runs + per - 1) / per, (size_t)rows};
    return YOSO_LAUNCH(ctx, &ctx->kernels.expectation_weights, 2, global, NULL, YOSO_ARG(scores),
                       YOSO_ARG(mask), YOSO_ARG(mask_offset), YOSO_ARG(seq), YOSO_ARG(ld),
                       YOSO_ARG(tau), YOSO_ARG(per));
}

yoso_status yoso_launch_attention_normalize_heads(yoso_context *ctx, cl_mem ctx_out, cl_mem mask,
                                                  int rows, int heads, int head_dim) {
    size_t global[2] = {(size_t)heads, (size_t)rows};
    return YOSO_LAUNCH(ctx, &ctx->kernels.attention_normalize_heads, 2, global, NULL,
                       YOSO_ARG(ctx_out), YOSO_ARG(mask), YOSO_ARG(head_dim));
}

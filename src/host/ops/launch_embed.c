/* launch_embed.c — host launcher of embed_sum / embed_sum_half (embed.cl). */
#include "ops.h"

yoso_status yoso_launch_embed_sum(yoso_context *ctx, cl_mem ids, cl_mem word, cl_mem pos,
                                  cl_mem type, cl_mem out, int rows, int seq, int hidden,
                                  int word_half) {
    const yoso_kernel *k = word_half ? &ctx->kernels.embed_sum_half : &ctx->kernels.embed_sum;
    size_t global[2] = {(size_t)hidden, (size_t)rows};
    return YOSO_LAUNCH(ctx, k, 2, global, NULL, YOSO_ARG(ids), YOSO_ARG(word), YOSO_ARG(pos),
                       YOSO_ARG(type), YOSO_ARG(out), YOSO_ARG(seq), YOSO_ARG(hidden));
}

/* launch_embed.c — host launcher of embed_sum (embed.cl). */
#include "ops.h"

yoso_status yoso_launch_embed_sum(yoso_context *ctx, cl_mem ids, cl_mem word, cl_mem pos,
                                  cl_mem type, cl_mem out, int rows, int seq, int hidden,
                                  int word_half) {
    yoso_status status = YOSO_OK;
    cl_kernel k;
    YOSO_TRY(yoso_kernel_get(ctx, word_half ? "embed_sum_half" : "embed_sum", &k));
    CL_ARG(k, 0, ids);
    CL_ARG(k, 1, word);
    CL_ARG(k, 2, pos);
    CL_ARG(k, 3, type);
    CL_ARG(k, 4, out);
    CL_ARG(k, 5, seq);
    CL_ARG(k, 6, hidden);
    size_t global[2] = {(size_t)hidden, (size_t)rows};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, k, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

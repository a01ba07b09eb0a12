/* launch_attention_conv.c — host launcher of attention_conv_add (attention_conv.cl). */
#include "attention_kernels.h"

yoso_status yoso_launch_attention_conv_add(yoso_context *ctx, cl_mem v, cl_mem mask, cl_mem weight,
                                           cl_mem ctx_out, int batch, int seq, int heads,
                                           int head_dim, int window) {
    yoso_status status = YOSO_OK;
    cl_kernel kern;
    YOSO_TRY(yoso_kernel_get(ctx, "attention_conv_add", &kern));
    CL_ARG(kern, 0, v);
    CL_ARG(kern, 1, mask);
    CL_ARG(kern, 2, weight);
    CL_ARG(kern, 3, ctx_out);
    CL_ARG(kern, 4, seq);
    CL_ARG(kern, 5, heads);
    CL_ARG(kern, 6, head_dim);
    CL_ARG(kern, 7, window);
    size_t global[3] = {(size_t)head_dim, (size_t)seq, (size_t)batch * heads};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 3, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

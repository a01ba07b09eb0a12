/* launch_attention_prepare.c — host launcher of attention_prepare (attention_prepare.cl). */
#include "attention_kernels.h"

yoso_status yoso_launch_attention_prepare(yoso_context *ctx, cl_mem qkv, cl_mem bias, cl_mem q,
                                          cl_mem k, cl_mem v, int batch, int seq, int heads,
                                          int head_dim, int normalize_qk) {
    yoso_status status = YOSO_OK;
    cl_kernel kern;
    YOSO_TRY(yoso_kernel_get(ctx, "attention_prepare", &kern));
    CL_ARG(kern, 0, qkv);
    CL_ARG(kern, 1, bias);
    CL_ARG(kern, 2, q);
    CL_ARG(kern, 3, k);
    CL_ARG(kern, 4, v);
    CL_ARG(kern, 5, seq);
    CL_ARG(kern, 6, heads);
    CL_ARG(kern, 7, head_dim);
    CL_ARG(kern, 8, normalize_qk);
    size_t global[2] = {(size_t)seq, (size_t)batch * heads};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 2, NULL, global, NULL, 0, NULL, NULL));
fail:
    return status;
}

/* launch_attention_expectation.c — host launcher of attention_expectation: the key tile sized
 * to the device's local memory, the keys split over launches where the loop budget asks. */
#include "attention_kernels.h"

/* The key tile (work-group size): a power of two ≤ 64 whose k, v and mask tiles fit the local
 * memory next to the kernel's own; 0 when not even one key fits. */
static size_t expectation_tile(yoso_context *ctx, const yoso_kernel *k, int head_dim) {
    k = yoso_kernel_ready(ctx, k); /* its limits are known once it is built */
    const cl_ulong avail =
        ctx->limits.local_mem > k->static_local ? ctx->limits.local_mem - k->static_local : 0;
    const cl_ulong per_key = 2 * (cl_ulong)head_dim * sizeof(float) + sizeof(int);
    size_t tile = yoso_local_size(ctx, k, 64);
    while (tile > 1 && tile * per_key > avail) tile /= 2;
    return tile * per_key <= avail ? tile : 0;
}

yoso_status yoso_launch_attention_expectation(yoso_context *ctx, cl_mem q, cl_mem k, cl_mem v,
                                              cl_mem mask, cl_mem ctx_out, int batch, int seq,
                                              int heads, int head_dim, int tau) {
    yoso_status status = YOSO_OK;
    const yoso_kernel *kern = &ctx->kernels.attention_expectation;
    const size_t tile = expectation_tile(ctx, kern, head_dim);
    if (!tile)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "the tiled expectation kernel needs %zu bytes of local memory per key at head size %d, more than the device's %llu: run with YOSO_EXPECTATION=blocked or choose another device with -d",
            2 * (size_t)head_dim * sizeof(float) + sizeof(int), head_dim,
            (unsigned long long)ctx->limits.local_mem);
    /* A work-item's loops: ~2d + 8 per key, d + 2 per tile, 4d + 16 around them. */
    int keys = yoso_loop_chunk(ctx, 4LL * head_dim + 16, 3LL * head_dim + 12, seq);
    if (keys < seq) keys = keys < (int)tile ? (int)tile : keys / (int)tile * (int)tile;
    cl_mem partial = ctx_out; /* unused when one launch takes every key */
    if (keys < seq) {
        cl_int err;
        partial =
            clCreateBuffer(ctx->context, CL_MEM_READ_WRITE,
                           (size_t)batch * heads * seq * head_dim * sizeof(float), NULL, &err);
        CL_CHECK_ERR(err, "clCreateBuffer(expectation partial sums)");
    }
    size_t global[2] = {(size_t)seq, (size_t)batch * heads};
    size_t local[2] = {tile, 1};
    for (int j0 = 0; j0 < seq; j0 += keys) {
        const int j1 = seq - j0 < keys ? seq : j0 + keys;
        const int first = j0 == 0, last = j1 == seq;
        YOSO_TRY(YOSO_LAUNCH(
            ctx, kern, 2, global, local, YOSO_ARG(q), YOSO_ARG(k), YOSO_ARG(v), YOSO_ARG(mask),
            YOSO_ARG(ctx_out), YOSO_ARG(seq), YOSO_ARG(heads), YOSO_ARG(head_dim), YOSO_ARG(tau),
            YOSO_LOCAL(tile * head_dim * sizeof(float)),
            YOSO_LOCAL(tile * head_dim * sizeof(float)), YOSO_LOCAL(tile * sizeof(int)),
            YOSO_ARG(partial), YOSO_ARG(j0), YOSO_ARG(j1), YOSO_ARG(first), YOSO_ARG(last)));
    }
fail:
    if (partial != ctx_out && partial)
        clReleaseMemObject(partial); /* freed once the queue is done */
    return status;
}

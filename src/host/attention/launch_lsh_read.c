/* launch_lsh_read.c — host launcher of lsh_read / lsh_read_rows (queries read their buckets). */
#include "attention_kernels.h"
#include "lsh_internal.h"

/* Queries per work-group in the ITEMS layout (the second work-group dimension). */
#define LSH_READ_QUERIES 4
/* Queries per work-group in the ROWS layout. */
#define LSH_READ_ROWS 8

yoso_status yoso_launch_lsh_read(yoso_context *ctx, cl_mem q_codes, cl_mem tables, cl_mem acc,
                                 const yoso_lsh_shape *s, int bh0, int nbh, int h0, int nhc,
                                 int first, int last, yoso_lsh_layout layout) {
    yoso_status status = YOSO_OK;
    const int rows = yoso_lsh_layout_resolve(ctx, layout) == YOSO_LSH_LAYOUT_ROWS;
    cl_kernel kern;
    YOSO_TRY(yoso_kernel_get(ctx, rows ? "lsh_read_rows" : "lsh_read", &kern));
    const float inv_m = 1.0f / (float)s->num_hash;
    CL_ARG(kern, 0, q_codes);
    CL_ARG(kern, 1, tables);
    CL_ARG(kern, 2, acc);
    CL_ARG(kern, 3, s->seq);
    CL_ARG(kern, 4, s->head_dim);
    CL_ARG(kern, 5, s->num_hash);
    CL_ARG(kern, 6, s->tau);
    CL_ARG(kern, 7, bh0);
    CL_ARG(kern, 8, h0);
    CL_ARG(kern, 9, nhc);
    CL_ARG(kern, 10, first);
    CL_ARG(kern, 11, last);
    CL_ARG(kern, 12, inv_m);
    if (rows) {
        /* Small groups: each work-item holds a private row of up to 128 floats. */
        size_t global[2] = {yoso_round_up((size_t)s->seq, LSH_READ_ROWS), (size_t)nbh};
        size_t local[2] = {LSH_READ_ROWS, 1};
        CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 2, NULL, global, local, 0, NULL, NULL));
    } else {
        size_t kernel_max = 0;
        CL_CHECK(clGetKernelWorkGroupInfo(kern, ctx->device, CL_KERNEL_WORK_GROUP_SIZE,
                                          sizeof kernel_max, &kernel_max, NULL));
        size_t queries = LSH_READ_QUERIES;
        while (queries > 1 && queries * (size_t)s->head_dim > kernel_max) queries /= 2;
        size_t global[3] = {(size_t)s->head_dim, yoso_round_up((size_t)s->seq, queries),
                            (size_t)nbh};
        size_t local[3] = {(size_t)s->head_dim, queries, 1};
        CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 3, NULL, global, local, 0, NULL, NULL));
    }
fail:
    return status;
}

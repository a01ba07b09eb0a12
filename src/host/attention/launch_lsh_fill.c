/* launch_lsh_fill.c — host launcher of lsh_fill (bucket tables of one chunk). */
#include "attention_kernels.h"
#include "lsh_internal.h"

yoso_status yoso_launch_lsh_fill(yoso_context *ctx, cl_mem q_codes, cl_mem k_codes, cl_mem v,
                                 cl_mem tables, const yoso_lsh_shape *s, int bh0, int nbh, int h0,
                                 int nhc, int clear_all, yoso_lsh_layout layout) {
    yoso_status status = YOSO_OK;
    cl_kernel kern;
    YOSO_TRY(yoso_kernel_get(ctx, "lsh_fill", &kern));
    /* ROWS: a work-item owns whole table rows; ITEMS: one value dim. */
    const int rows = yoso_lsh_layout_resolve(ctx, layout) == YOSO_LSH_LAYOUT_ROWS;
    const int slice = rows ? s->head_dim : 1;
    CL_ARG(kern, 0, q_codes);
    CL_ARG(kern, 1, k_codes);
    CL_ARG(kern, 2, v);
    CL_ARG(kern, 3, tables);
    CL_ARG(kern, 4, s->seq);
    CL_ARG(kern, 5, s->head_dim);
    CL_ARG(kern, 6, s->num_hash);
    CL_ARG(kern, 7, s->tau);
    CL_ARG(kern, 8, bh0);
    CL_ARG(kern, 9, h0);
    CL_ARG(kern, 10, nhc);
    CL_ARG(kern, 11, clear_all);
    CL_ARG(kern, 12, slice);
    size_t global[3] = {(size_t)(s->head_dim / slice), (size_t)nhc, (size_t)nbh};
    size_t local[3] = {(size_t)(s->head_dim / slice), 1, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 3, NULL, global, local, 0, NULL, NULL));
fail:
    return status;
}

/* launch_lsh_hash.c — host launcher of lsh_hash_<dp> / lsh_hash_rows_<dp> (fast Hadamard hash). */
#include <stdio.h>
#include <string.h>

#include "attention_kernels.h"
#include "lsh_internal.h"

/* Rows of one work-group's tile in the ITEMS layout. */
#define LSH_HASH_TILE_ROWS 32

yoso_lsh_layout yoso_lsh_layout_resolve(const yoso_context *ctx, yoso_lsh_layout layout) {
    if (layout != YOSO_LSH_LAYOUT_AUTO) return layout;
    return strcmp(ctx->info.type, "CPU") ? YOSO_LSH_LAYOUT_ITEMS : YOSO_LSH_LAYOUT_ROWS;
}

/* The ROWS layout: 16 rows per work-item, one work-item per group (each holds ~20 KiB of private
 * arrays, which PoCL would otherwise replicate per work-item of a large group on its stack). */
static yoso_status hash_rows(yoso_context *ctx, cl_kernel kern, const yoso_lsh_shape *s) {
    yoso_status status = YOSO_OK;
    size_t global[2] = {((size_t)s->seq + 15) / 16, (size_t)s->batch * s->heads};
    size_t local[2] = {1, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 2, NULL, global, local, 0, NULL, NULL));
fail:
    return status;
}

/* The ITEMS layout: a work-group of (tile rows × parts) sharing a transposed tile. */
static yoso_status hash_items(yoso_context *ctx, cl_kernel kern, const yoso_lsh_shape *s) {
    yoso_status status = YOSO_OK;
    size_t kernel_max = 0;
    CL_CHECK(clGetKernelWorkGroupInfo(kern, ctx->device, CL_KERNEL_WORK_GROUP_SIZE,
                                      sizeof kernel_max, &kernel_max, NULL));
    const size_t limit = yoso_local_size(ctx, kernel_max);
    const size_t rows = limit < LSH_HASH_TILE_ROWS ? limit : LSH_HASH_TILE_ROWS;
    size_t parts = limit / rows;
    if (parts > 16) parts = 16;
    if (parts > (size_t)s->num_part) parts = (size_t)s->num_part;
    CL_CHECK(clSetKernelArg(kern, 11, (size_t)s->dp * rows * sizeof(float), NULL));
    size_t global[3] = {yoso_round_up((size_t)s->seq, rows),
                        yoso_round_up((size_t)s->num_part, parts), (size_t)s->batch * s->heads};
    size_t local[3] = {rows, parts, 1};
    CL_CHECK(clEnqueueNDRangeKernel(ctx->queue, kern, 3, NULL, global, local, 0, NULL, NULL));
fail:
    return status;
}

yoso_status yoso_launch_lsh_hash(yoso_context *ctx, cl_mem x, cl_mem mask, cl_mem signs,
                                 int sign_rows, cl_mem codes, const yoso_lsh_shape *s,
                                 yoso_lsh_layout layout) {
    yoso_status status = YOSO_OK;
    const int rows = yoso_lsh_layout_resolve(ctx, layout) == YOSO_LSH_LAYOUT_ROWS;
    cl_kernel kern;
    char name[32];
    snprintf(name, sizeof name, rows ? "lsh_hash_rows_%d" : "lsh_hash_%d", s->dp);
    YOSO_TRY(yoso_kernel_get(ctx, name, &kern));
    CL_ARG(kern, 0, x);
    CL_ARG(kern, 1, mask);
    CL_ARG(kern, 2, signs);
    CL_ARG(kern, 3, codes);
    CL_ARG(kern, 4, s->seq);
    CL_ARG(kern, 5, s->heads);
    CL_ARG(kern, 6, s->head_dim);
    CL_ARG(kern, 7, s->num_part);
    CL_ARG(kern, 8, s->num_hash);
    CL_ARG(kern, 9, s->tau);
    CL_ARG(kern, 10, sign_rows);
    YOSO_TRY(rows ? hash_rows(ctx, kern, s) : hash_items(ctx, kern, s));
fail:
    return status;
}

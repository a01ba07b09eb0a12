/* launch_lsh_hash.c — host launcher of lsh_hash_<dp> / lsh_hash_rows_<dp> (fast Hadamard hash). */
#include "attention_kernels.h"
#include "lsh_internal.h"

/* Rows of one work-group's tile in the ITEMS layout. */
#define LSH_HASH_TILE_ROWS 32

yoso_lsh_layout yoso_lsh_layout_resolve(const yoso_context *ctx, yoso_lsh_layout layout) {
    if (layout != YOSO_LSH_LAYOUT_AUTO) return layout;
    return ctx->cpu_class ? YOSO_LSH_LAYOUT_ROWS : YOSO_LSH_LAYOUT_ITEMS;
}

const yoso_kernel *yoso_lsh_hash_kernel(const yoso_context *ctx, yoso_lsh_layout layout, int dp) {
    const yoso_kernels *k = &ctx->kernels;
    if (yoso_lsh_layout_resolve(ctx, layout) == YOSO_LSH_LAYOUT_ROWS)
        return dp == 32   ? &k->lsh_hash_rows_32
               : dp == 64 ? &k->lsh_hash_rows_64
                          : &k->lsh_hash_rows_128;
    return dp == 32 ? &k->lsh_hash_32 : dp == 64 ? &k->lsh_hash_64 : &k->lsh_hash_128;
}

/* The arguments both layouts share, then the layout's own. */
#define LSH_HASH_ARGS                                                                              \
    YOSO_ARG(x), YOSO_ARG(mask), YOSO_ARG(signs), YOSO_ARG(codes), YOSO_ARG(s->seq),               \
        YOSO_ARG(s->heads), YOSO_ARG(s->head_dim), YOSO_ARG(s->num_part), YOSO_ARG(s->num_hash),   \
        YOSO_ARG(s->tau), YOSO_ARG(sign_rows)

yoso_status yoso_launch_lsh_hash(yoso_context *ctx, cl_mem x, cl_mem mask, cl_mem signs,
                                 int sign_rows, cl_mem codes, const yoso_lsh_shape *s,
                                 yoso_lsh_layout layout) {
    yoso_status status = YOSO_OK;
    const int rows = yoso_lsh_layout_resolve(ctx, layout) == YOSO_LSH_LAYOUT_ROWS;
    const yoso_kernel *kern = yoso_lsh_hash_kernel(ctx, layout, s->dp);
    if (rows) {
        /* 16 rows per work-item, one work-item per group (each holds ~20 KiB of private arrays,
         * which PoCL would otherwise replicate per work-item of a large group on its stack).
         * A work-item's loops: ~dp·(5 + 2·log2 dp) per part, 32·dp around them. */
        int log2_dp = 0;
        while ((1 << log2_dp) < s->dp) log2_dp++;
        const int step = yoso_loop_chunk(ctx, 32LL * s->dp + 64,
                                         (long long)s->dp * (5 + 2 * log2_dp) + 64, s->num_part);
        size_t global[2] = {((size_t)s->seq + 15) / 16, (size_t)s->batch * s->heads};
        size_t local[2] = {1, 1};
        for (int p0 = 0; p0 < s->num_part; p0 += step) {
            const int p1 = s->num_part - p0 < step ? s->num_part : p0 + step;
            YOSO_TRY(YOSO_LAUNCH(ctx, kern, 2, global, local, LSH_HASH_ARGS, YOSO_ARG(p0),
                                 YOSO_ARG(p1)));
        }
        return YOSO_OK;
    }
    /* ITEMS: a work-group of (tile rows × parts) sharing a transposed tile in local memory. */
    const size_t limit = yoso_local_size(ctx, kern, (size_t)-1);
    size_t tile_rows = limit < LSH_HASH_TILE_ROWS ? limit : LSH_HASH_TILE_ROWS;
    const cl_ulong avail = ctx->limits.local_mem - kern->static_local;
    while (tile_rows > 1 && (cl_ulong)s->dp * tile_rows * sizeof(float) > avail) tile_rows /= 2;
    size_t parts = limit / tile_rows;
    if (parts > 16) parts = 16;
    if (parts > (size_t)s->num_part) parts = (size_t)s->num_part;
    size_t global[3] = {(size_t)s->seq, (size_t)s->num_part, (size_t)s->batch * s->heads};
    size_t local[3] = {tile_rows, parts, 1};
    YOSO_TRY(YOSO_LAUNCH(ctx, kern, 3, global, local, LSH_HASH_ARGS,
                         YOSO_LOCAL((size_t)s->dp * tile_rows * sizeof(float))));
fail:
    return status;
}

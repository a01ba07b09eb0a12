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
    const yoso_kernel *kern = rows ? &ctx->kernels.lsh_read_rows : &ctx->kernels.lsh_read;
    const float inv_m = 1.0f / (float)s->num_hash;
    size_t global[3], local[3];
    if (rows) { /* small groups: each work-item holds a private row of up to 128 floats */
        global[0] = (size_t)s->seq;
        global[1] = (size_t)nbh;
        local[0] = yoso_local_size(ctx, kern, LSH_READ_ROWS);
        local[1] = 1;
    } else {
        /* a group of Q queries × all value dims, fewer where the kernel launches at less */
        const size_t max = yoso_local_size(ctx, kern, (size_t)-1);
        size_t queries = LSH_READ_QUERIES;
        while (queries > 1 && queries * (size_t)s->head_dim > max) queries /= 2;
        global[0] = (size_t)s->head_dim;
        local[0] = (size_t)s->head_dim <= max ? (size_t)s->head_dim : max;
        global[1] = (size_t)s->seq;
        global[2] = (size_t)nbh;
        local[1] = queries;
        local[2] = 1;
    }
    /* A work-item's loops: 1 (+ d in ROWS) per hash function, 3d around them. */
    const int step =
        yoso_loop_chunk(ctx, 3LL * s->head_dim + 16, rows ? (long long)s->head_dim + 2 : 2, nhc);
    for (int g0 = 0; g0 < nhc; g0 += step) {
        const int g1 = nhc - g0 < step ? nhc : g0 + step;
        const int f = first && g0 == 0, l = last && g1 == nhc;
        YOSO_TRY(YOSO_LAUNCH(ctx, kern, rows ? 2 : 3, global, local, YOSO_ARG(q_codes),
                             YOSO_ARG(tables), YOSO_ARG(acc), YOSO_ARG(s->seq),
                             YOSO_ARG(s->head_dim), YOSO_ARG(s->num_hash), YOSO_ARG(s->tau),
                             YOSO_ARG(bh0), YOSO_ARG(h0), YOSO_ARG(nhc), YOSO_ARG(f), YOSO_ARG(l),
                             YOSO_ARG(inv_m), YOSO_ARG(g0), YOSO_ARG(g1)));
    }
fail:
    return status;
}

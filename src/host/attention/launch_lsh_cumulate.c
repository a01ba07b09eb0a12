/* launch_lsh_cumulate.c — host launcher of lsh_cumulate_rows (the CPU layout's fill and read in
 * one kernel). */
#include "attention_kernels.h"
#include "lsh_internal.h"

/* Value dims per work-item (one float16). */
#define LSH_CUMULATE_SLICE 16
/* Tables per work-item, hash functions filled and read together, where 2^τ buckets are few
 * enough that they stay in cache (τ ≤ 10: 256 KiB); else 1. */
#define LSH_CUMULATE_TABLES 4
#define LSH_CUMULATE_TABLES_MAX_TAU 10

/* The tables of one work-item. */
static int cumulate_tables(const yoso_lsh_shape *s) {
    return s->tau <= LSH_CUMULATE_TABLES_MAX_TAU ? LSH_CUMULATE_TABLES : 1;
}

size_t yoso_lsh_cumulate_rows_bytes(const yoso_lsh_shape *s, int nbh) {
    const size_t slices = ((size_t)s->head_dim + LSH_CUMULATE_SLICE - 1) / LSH_CUMULATE_SLICE;
    return (size_t)nbh * slices * cumulate_tables(s) * ((size_t)1 << s->tau) * LSH_CUMULATE_SLICE *
           sizeof(float);
}

int yoso_lsh_cumulate_rows_step(const yoso_context *ctx, const yoso_lsh_shape *s) {
    /* A work-item's loops per hash function: three passes over the L keys or queries, each 1
     * per row (a float16, head_dim a multiple of 16) or one per dim (at most 16), plus its own. */
    const int per_row = s->head_dim % LSH_CUMULATE_SLICE ? 1 + LSH_CUMULATE_SLICE : 1;
    const long long per_hash = 3LL * s->seq * per_row + 1, fixed = 16;
    if (ctx->limits.loop_budget > 0 && fixed + per_hash > ctx->limits.loop_budget) return 0;
    const int step = yoso_loop_chunk(ctx, fixed, per_hash, s->num_hash);
    /* split: whole groups of the hash functions the kernel takes together, where it can */
    const int group = cumulate_tables(s);
    if (step >= s->num_hash || step <= group) return step;
    return step / group * group;
}

yoso_status yoso_launch_lsh_cumulate_rows(yoso_context *ctx, cl_mem q_codes, cl_mem k_codes,
                                          cl_mem v, cl_mem tables, cl_mem acc,
                                          const yoso_lsh_shape *s, int bh0, int nbh, int g0,
                                          int g1) {
    const float inv_m = 1.0f / (float)s->num_hash;
    const int ntables = cumulate_tables(s);
    size_t global[2] = {((size_t)s->head_dim + LSH_CUMULATE_SLICE - 1) / LSH_CUMULATE_SLICE,
                        (size_t)nbh};
    size_t local[2] = {1, 1};
    return YOSO_LAUNCH(ctx, &ctx->kernels.lsh_cumulate_rows, 2, global, local, YOSO_ARG(q_codes),
                       YOSO_ARG(k_codes), YOSO_ARG(v), YOSO_ARG(tables), YOSO_ARG(acc),
                       YOSO_ARG(s->seq), YOSO_ARG(s->head_dim), YOSO_ARG(s->num_hash),
                       YOSO_ARG(s->tau), YOSO_ARG(ntables), YOSO_ARG(bh0), YOSO_ARG(g0),
                       YOSO_ARG(g1), YOSO_ARG(inv_m));
}

/* launch_lsh_cumulate.c — host launcher of lsh_cumulate_rows (the CPU layout's fill and read in
 * one kernel, its bucket tables in local memory). */
#include "attention_kernels.h"
#include "lsh_internal.h"

/* Value dims per work-item (one float16). */
#define LSH_CUMULATE_SLICE 16
/* Tables per work-item, hash functions filled and read together, where 2^τ buckets are few
 * enough that they stay in cache (τ ≤ 10: 256 KiB) and local memory holds them; else 1. */
#define LSH_CUMULATE_TABLES 4
#define LSH_CUMULATE_TABLES_MAX_TAU 10

/* The bytes of local memory one table of a work-item takes ([2^τ, 16] floats). */
static size_t table_bytes(const yoso_lsh_shape *s) {
    return ((size_t)LSH_CUMULATE_SLICE * sizeof(float)) << s->tau;
}

/* The tables of one work-item: 4 where they fit, else 1, 0 when not even one fits. */
static int cumulate_tables(const yoso_context *ctx, const yoso_lsh_shape *s) {
    const cl_ulong local = ctx->limits.local_mem;
    if (s->tau <= LSH_CUMULATE_TABLES_MAX_TAU && LSH_CUMULATE_TABLES * table_bytes(s) <= local)
        return LSH_CUMULATE_TABLES;
    return table_bytes(s) <= local ? 1 : 0;
}

int yoso_lsh_cumulate_rows_step(const yoso_context *ctx, const yoso_lsh_shape *s) {
    const int group = cumulate_tables(ctx, s);
    if (!group) return 0;
    /* A work-item's loops per hash function: three passes over the L keys or queries, each 1
     * per row (a float16, head_dim a multiple of 16) or one per dim (at most 16), plus its own;
     * once per launch, the zeroing of its tables (a float16 row per step). */
    const int per_row = s->head_dim % LSH_CUMULATE_SLICE ? 1 + LSH_CUMULATE_SLICE : 1;
    const long long per_hash = 3LL * s->seq * per_row + 1,
                    fixed = 16 + ((long long)group << s->tau);
    if (ctx->limits.loop_budget > 0 && fixed + per_hash > ctx->limits.loop_budget) return 0;
    const int step = yoso_loop_chunk(ctx, fixed, per_hash, s->num_hash);
    /* split: whole groups of the hash functions the kernel takes together, where it can */
    if (step >= s->num_hash || step <= group) return step;
    return step / group * group;
}

yoso_status yoso_launch_lsh_cumulate_rows(yoso_context *ctx, cl_mem q_codes, cl_mem k_codes,
                                          cl_mem v, cl_mem acc, const yoso_lsh_shape *s, int g0,
                                          int g1) {
    const float inv_m = 1.0f / (float)s->num_hash;
    const int ntables = cumulate_tables(ctx, s);
    /* one work-item per group, so each has the local memory of its group to itself */
    size_t global[2] = {((size_t)s->head_dim + LSH_CUMULATE_SLICE - 1) / LSH_CUMULATE_SLICE,
                        (size_t)s->batch * s->heads};
    size_t local[2] = {1, 1};
    return YOSO_LAUNCH(ctx, &ctx->kernels.lsh_cumulate_rows, 2, global, local, YOSO_ARG(q_codes),
                       YOSO_ARG(k_codes), YOSO_ARG(v), YOSO_LOCAL(ntables * table_bytes(s)),
                       YOSO_ARG(acc), YOSO_ARG(s->seq), YOSO_ARG(s->head_dim),
                       YOSO_ARG(s->num_hash), YOSO_ARG(s->tau), YOSO_ARG(ntables), YOSO_ARG(g0),
                       YOSO_ARG(g1), YOSO_ARG(inv_m));
}

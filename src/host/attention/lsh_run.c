/* lsh_run.c — one LSH attention call: hash, chunked cumulation, normalize (DESIGN §3). */
#include "lsh_internal.h"

/* The default memory budget of one chunk of bucket tables. */
#define LSH_TABLE_BUDGET ((size_t)64 << 20)

/* Makes sure *buf holds at least `bytes` (its contents are not kept). */
static yoso_status scratch_grow(yoso_context *ctx, cl_mem *buf, size_t *cap, size_t bytes,
                                const char *what) {
    yoso_status status = YOSO_OK;
    if (*buf && *cap >= bytes) return YOSO_OK;
    if (*buf) clReleaseMemObject(*buf);
    *buf = NULL;
    *cap = 0;
    if (bytes > ctx->info.max_alloc_bytes)
        return yoso_error(
            YOSO_ERR_NO_MEMORY,
            "LSH %s need %zu MiB, more than the device's largest buffer (%llu MiB): use a shorter input or fewer hash functions",
            what, bytes >> 20, (unsigned long long)(ctx->info.max_alloc_bytes >> 20));
    cl_int err;
    *buf = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    CL_CHECK_ERR(err, what);
    *cap = bytes;
    return YOSO_OK;
fail:
    *buf = NULL;
    return status;
}

yoso_status yoso_lsh_scratch_reserve(yoso_context *ctx, yoso_lsh_scratch *sc,
                                     const yoso_lsh_shape *s) {
    yoso_status status = YOSO_OK;
    const size_t bh = (size_t)s->batch * s->heads;
    const size_t codes = bh * s->num_hash * s->seq * sizeof(int32_t);
    if (sc->codes_bytes < codes) {
        size_t qcap = 0, kcap = 0;
        sc->codes_bytes = 0;
        YOSO_TRY(scratch_grow(ctx, &sc->q_codes, &qcap, codes, "query codes"));
        YOSO_TRY(scratch_grow(ctx, &sc->k_codes, &kcap, codes, "key codes"));
        sc->codes_bytes = codes;
    }
    YOSO_TRY(scratch_grow(ctx, &sc->acc, &sc->acc_bytes, bh * s->seq * s->head_dim * sizeof(float),
                          "cumulation"));
fail:
    return status;
}

void yoso_lsh_scratch_release(yoso_lsh_scratch *sc) {
    cl_mem *all[] = {&sc->q_codes, &sc->k_codes, &sc->acc, &sc->tables};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (*all[i]) clReleaseMemObject(*all[i]);
        *all[i] = NULL;
    }
    sc->codes_bytes = sc->acc_bytes = sc->tables_bytes = 0;
}

/* The CPU layout's cumulation: lsh_cumulate_rows over ranges of `step` hash functions, its bucket
 * tables in local memory (no table buffer). */
static yoso_status cumulate_rows(yoso_context *ctx, yoso_lsh_scratch *sc, const yoso_lsh_shape *s,
                                 cl_mem v, int step) {
    yoso_status status = YOSO_OK;
    for (int g0 = 0; g0 < s->num_hash; g0 += step)
        YOSO_TRY(yoso_launch_lsh_cumulate_rows(ctx, sc->q_codes, sc->k_codes, v, sc->acc, s, g0,
                                               s->num_hash - g0 < step ? s->num_hash : g0 + step));
    sc->chunks = 1;
fail:
    return status;
}

yoso_status yoso_lsh_cumulate(yoso_context *ctx, yoso_lsh_scratch *sc, const yoso_lsh_shape *s,
                              cl_mem v) {
    yoso_status status = YOSO_OK;
    const int bh_total = s->batch * s->heads;
    const size_t pair_bytes = ((size_t)1 << s->tau) * s->head_dim * sizeof(float);
    size_t budget = sc->table_budget ? sc->table_budget : LSH_TABLE_BUDGET;
    if (budget > ctx->info.max_alloc_bytes) budget = ctx->info.max_alloc_bytes;
    const int rows = yoso_lsh_layout_resolve(ctx, sc->layout) == YOSO_LSH_LAYOUT_ROWS;
    const int step = rows ? yoso_lsh_cumulate_rows_step(ctx, s) : 0;
    if (step > 0) return cumulate_rows(ctx, sc, s, v, step);
    /* Otherwise separate fill and read kernels over chunks of (bh, h) tables. */
    size_t pairs = budget / pair_bytes;
    if (pairs < 1) pairs = 1;
    /* Chunks cover every bh for a range of hash functions; when even one hash function over all
     * bh is too big, a range of bh for one hash function. */
    int nhc, nbh;
    if (pairs >= (size_t)bh_total) {
        nbh = bh_total;
        nhc = pairs / bh_total > (size_t)s->num_hash ? s->num_hash : (int)(pairs / bh_total);
    } else {
        nbh = (int)pairs;
        nhc = 1;
    }
    YOSO_TRY(scratch_grow(ctx, &sc->tables, &sc->tables_bytes, (size_t)nbh * nhc * pair_bytes,
                          "bucket tables"));
    /* Clearing every bucket costs 2^τ rows, clearing the used ones 2·L: take the cheaper. */
    const int clear_all = ((size_t)1 << s->tau) <= 2 * (size_t)s->seq;
    sc->chunks = 0;
    for (int bh0 = 0; bh0 < bh_total; bh0 += nbh) {
        const int nb = bh_total - bh0 < nbh ? bh_total - bh0 : nbh;
        for (int h0 = 0; h0 < s->num_hash; h0 += nhc) {
            const int nh = s->num_hash - h0 < nhc ? s->num_hash - h0 : nhc;
            YOSO_TRY(yoso_launch_lsh_fill(ctx, sc->q_codes, sc->k_codes, v, sc->tables, s, bh0, nb,
                                          h0, nh, clear_all, sc->layout));
            YOSO_TRY(yoso_launch_lsh_read(ctx, sc->q_codes, sc->tables, sc->acc, s, bh0, nb, h0, nh,
                                          h0 == 0, h0 + nh == s->num_hash, sc->layout));
            sc->chunks++;
        }
    }
fail:
    return status;
}

void yoso_lsh_prepare_kernels(yoso_context *ctx, int dp) {
    const yoso_kernels *k = &ctx->kernels;
    const int rows = yoso_lsh_layout_resolve(ctx, YOSO_LSH_LAYOUT_AUTO) == YOSO_LSH_LAYOUT_ROWS;
    yoso_kernel_ready(ctx, yoso_lsh_hash_kernel(ctx, YOSO_LSH_LAYOUT_AUTO, dp));
    if (rows) {
        yoso_kernel_ready(ctx, &k->lsh_cumulate_rows);
    } else {
        yoso_kernel_ready(ctx, &k->lsh_fill);
        yoso_kernel_ready(ctx, &k->lsh_read);
    }
    yoso_kernel_ready(ctx, &k->lsh_normalize);
}

yoso_status yoso_lsh_run(yoso_context *ctx, yoso_lsh_scratch *sc, const yoso_lsh_shape *s,
                         cl_mem signs, int sign_rows, cl_mem q, cl_mem k, cl_mem v, cl_mem mask,
                         cl_mem ctx_out) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(yoso_lsh_scratch_reserve(ctx, sc, s));
    YOSO_TRY(yoso_launch_lsh_hash(ctx, q, mask, signs, sign_rows, sc->q_codes, s, sc->layout));
    YOSO_TRY(yoso_launch_lsh_hash(ctx, k, mask, signs, sign_rows, sc->k_codes, s, sc->layout));
    YOSO_TRY(yoso_lsh_cumulate(ctx, sc, s, v));
    YOSO_TRY(yoso_launch_lsh_normalize(ctx, sc->acc, mask, ctx_out, s));
fail:
    return status;
}

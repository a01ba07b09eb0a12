/* launch_lsh_fill.c — host launcher of lsh_fill (bucket tables of one chunk). */
#include "attention_kernels.h"
#include "lsh_internal.h"

/* The arguments of one chunk's lsh_fill launches. */
typedef struct {
    cl_mem q_codes, k_codes, v, tables;
    const yoso_lsh_shape *s;
    int bh0, h0, nhc, clear_all, slice;
    size_t global[3];
} lsh_fill_call;

/* One launch: clears [cb, ce) (buckets or keys' buckets), then adds the keys [ab, ae). */
static yoso_status fill_launch(yoso_context *ctx, const lsh_fill_call *f, int cb, int ce, int ab,
                               int ae) {
    const yoso_lsh_shape *s = f->s;
    return YOSO_LAUNCH(ctx, &ctx->kernels.lsh_fill, 3, f->global, NULL, YOSO_ARG(f->q_codes),
                       YOSO_ARG(f->k_codes), YOSO_ARG(f->v), YOSO_ARG(f->tables), YOSO_ARG(s->seq),
                       YOSO_ARG(s->head_dim), YOSO_ARG(s->num_hash), YOSO_ARG(s->tau),
                       YOSO_ARG(f->bh0), YOSO_ARG(f->h0), YOSO_ARG(f->nhc), YOSO_ARG(f->clear_all),
                       YOSO_ARG(f->slice), YOSO_ARG(cb), YOSO_ARG(ce), YOSO_ARG(ab), YOSO_ARG(ae));
}

yoso_status yoso_launch_lsh_fill(yoso_context *ctx, cl_mem q_codes, cl_mem k_codes, cl_mem v,
                                 cl_mem tables, const yoso_lsh_shape *s, int bh0, int nbh, int h0,
                                 int nhc, int clear_all, yoso_lsh_layout layout) {
    yoso_status status = YOSO_OK;
    /* ROWS: a work-item owns whole table rows; ITEMS: one value dim. */
    const int rows = yoso_lsh_layout_resolve(ctx, layout) == YOSO_LSH_LAYOUT_ROWS;
    const int slice = rows ? s->head_dim : 1;
    const size_t items = (size_t)(s->head_dim / slice);
    const lsh_fill_call f = {q_codes,
                             k_codes,
                             v,
                             tables,
                             s,
                             bh0,
                             h0,
                             nhc,
                             clear_all,
                             slice,
                             {items, (size_t)nhc, (size_t)nbh}};
    const int clear_n = clear_all ? 1 << s->tau : s->seq, add_n = s->seq;
    /* A work-item's loops: at most 2·slice + 2 per cleared key (or bucket), slice + 2 per added
     * key; one launch does everything when the loop budget allows. */
    const long long clear_cost = 2LL * slice + 2, add_cost = (long long)slice + 2;
    const long long all = 64 + clear_cost * clear_n + add_cost * add_n;
    if (ctx->limits.loop_budget <= 0 || all <= ctx->limits.loop_budget)
        return fill_launch(ctx, &f, 0, clear_n, 0, add_n);
    const int clear_step = yoso_loop_chunk(ctx, 64, clear_cost, clear_n);
    for (int i = 0; i < clear_n; i += clear_step)
        YOSO_TRY(
            fill_launch(ctx, &f, i, clear_n - i < clear_step ? clear_n : i + clear_step, 0, 0));
    const int add_step = yoso_loop_chunk(ctx, 64, add_cost, add_n);
    for (int i = 0; i < add_n; i += add_step)
        YOSO_TRY(fill_launch(ctx, &f, 0, 0, i, add_n - i < add_step ? add_n : i + add_step));
fail:
    return status;
}

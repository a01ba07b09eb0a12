/* gemm_portable.c — the GEMM interface on yoso's own portable kernel (gemm.cl): the fallback
 * where CLBlast cannot run (no database entry, work-group limits, a failed launch). */
#include "gemm_internal.h"

yoso_status yoso_gemm_portable_run(yoso_gemm *g, const yoso_gemm_args *a) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = g->ctx;
    const int m = (int)a->m, n = (int)a->n, k = (int)a->k, ta = a->trans_a, tb = a->trans_b;
    const cl_ulong lda = a->a.ld, ldb = a->b.ld, ldc = a->c.ld, coff = a->c.offset;
    const cl_ulong as = a->a.stride, bs = a->b.stride, cs = a->c.stride;
    size_t global[3] = {a->n, a->m, a->batch > 1 ? a->batch : 1};
    /* k split over launches where the device caps a work-item's loops (beta applies once). */
    const int step = yoso_loop_chunk(ctx, 16, 2, k);
    for (int p0 = 0; p0 < k || p0 == 0; p0 += step) {
        const int kc = k - p0 < step ? k - p0 : step;
        const cl_ulong aoff = a->a.offset + (ta ? (cl_ulong)p0 * a->a.ld : (cl_ulong)p0);
        const cl_ulong boff = a->b.offset + (tb ? (cl_ulong)p0 : (cl_ulong)p0 * a->b.ld);
        const float beta = p0 == 0 ? a->beta : 1.0f;
        YOSO_TRY(YOSO_LAUNCH(ctx, &ctx->kernels.gemm_portable, 3, global, NULL, YOSO_ARG(a->a.buf),
                             YOSO_ARG(aoff), YOSO_ARG(lda), YOSO_ARG(as), YOSO_ARG(ta),
                             YOSO_ARG(a->b.buf), YOSO_ARG(boff), YOSO_ARG(ldb), YOSO_ARG(bs),
                             YOSO_ARG(tb), YOSO_ARG(a->c.buf), YOSO_ARG(coff), YOSO_ARG(ldc),
                             YOSO_ARG(cs), YOSO_ARG(m), YOSO_ARG(n), YOSO_ARG(kc),
                             YOSO_ARG(a->alpha), YOSO_ARG(beta)));
        if (k == 0) break;
    }
fail:
    return status;
}

/* gemm_clblast.c — the GEMM interface on CLBlast, with a temp buffer kept between calls. */
#include <clblast_c.h>

#include "gemm_internal.h"

/* Makes sure the temp buffer holds at least `bytes`. */
static yoso_status gemm_reserve_temp(yoso_gemm *g, size_t bytes) {
    yoso_status status = YOSO_OK;
    if (bytes <= g->temp_bytes && g->temp) return YOSO_OK;
    if (g->temp) clReleaseMemObject(g->temp);
    g->temp = NULL;
    g->temp_bytes = 0;
    cl_int err;
    g->temp = clCreateBuffer(g->ctx->context, CL_MEM_READ_WRITE, bytes ? bytes : 4, NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(GEMM temp)");
    g->temp_bytes = bytes;
    return YOSO_OK;
fail:
    return status;
}

yoso_status yoso_gemm_clblast_run(yoso_gemm *g, const yoso_gemm_args *a) {
    yoso_status status = YOSO_OK;
    CLBlastTranspose ta = a->trans_a ? CLBlastTransposeYes : CLBlastTransposeNo;
    CLBlastTranspose tb = a->trans_b ? CLBlastTransposeYes : CLBlastTransposeNo;
    cl_command_queue q = g->ctx->queue;
    CLBlastStatusCode rc;
    if (g->ctx->env.clblast_fail) /* the test hook: as if the device had no database entry */
        return yoso_clblast_fail(CLBlastDatabaseError, "CLBlastSgemm ($YOSO_CLBLAST_FAIL)",
                                 __FILE__, __LINE__);
    if (a->batch > 1) {
        rc = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, ta, tb, a->m, a->n, a->k, a->alpha,
                                        a->a.buf, a->a.offset, a->a.ld, a->a.stride, a->b.buf,
                                        a->b.offset, a->b.ld, a->b.stride, a->beta, a->c.buf,
                                        a->c.offset, a->c.ld, a->c.stride, a->batch, &q, NULL);
        if (rc != CLBlastSuccess)
            return yoso_clblast_fail(rc, "CLBlastSgemmStridedBatched", __FILE__, __LINE__);
        return YOSO_OK;
    }
    size_t temp = 0;
    rc = CLBlastSGemmTempBufferSize(CLBlastLayoutRowMajor, ta, tb, a->m, a->n, a->k, a->a.offset,
                                    a->a.ld, a->b.offset, a->b.ld, a->c.offset, a->c.ld, &q, &temp);
    if (rc != CLBlastSuccess)
        return yoso_clblast_fail(rc, "CLBlastSGemmTempBufferSize", __FILE__, __LINE__);
    YOSO_TRY(gemm_reserve_temp(g, temp));
    rc = CLBlastSgemmWithTempBuffer(CLBlastLayoutRowMajor, ta, tb, a->m, a->n, a->k, a->alpha,
                                    a->a.buf, a->a.offset, a->a.ld, a->b.buf, a->b.offset, a->b.ld,
                                    a->beta, a->c.buf, a->c.offset, a->c.ld, &q, NULL, g->temp);
    if (rc != CLBlastSuccess)
        return yoso_clblast_fail(rc, "CLBlastSgemmWithTempBuffer", __FILE__, __LINE__);
    return YOSO_OK;
fail:
    return status;
}

void yoso_gemm_clblast_close(void) {
    CLBlastClearCache();
}

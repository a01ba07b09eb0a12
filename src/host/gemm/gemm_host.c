/* gemm_host.c — the GEMM interface on the host's BLAS (cblas_sgemm, loaded with dlopen), for CPU
 * devices: buffers are mapped (zero-copy where the device's memory is host memory), multiplied
 * in place and unmapped. */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "gemm_internal.h"

/* Fast BLAS libraries tried in order (the reference BLAS is slower than CLBlast: not listed). */
static const char *const k_blas_libraries[] = {
    "libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libmkl_rt.so.2", "libmkl_rt.so",
};

yoso_status yoso_gemm_host_open(yoso_gemm *g) {
    const char *env = g->ctx->env.host_blas;
    size_t count = sizeof k_blas_libraries / sizeof k_blas_libraries[0];
    for (size_t i = 0; i < (env && *env ? 1 : count); i++) {
        const char *lib = env && *env ? env : k_blas_libraries[i];
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
        if (!h) continue;
        void *sym = dlsym(h, "cblas_sgemm");
        if (!sym) {
            dlclose(h);
            continue;
        }
        g->blas_handle = h;
        *(void **)&g->sgemm = sym;
        snprintf(g->name, sizeof g->name, "host BLAS (%.100s)", lib);
        return YOSO_OK;
    }
    return yoso_error(
        YOSO_ERR_UNSUPPORTED,
        "no host BLAS with cblas_sgemm could be loaded (%s): install libopenblas0 or set YOSO_HOST_BLAS to a BLAS library",
        env && *env ? env : "tried libopenblas, libblis, libmkl_rt");
}

void yoso_gemm_host_close(yoso_gemm *g) {
    if (g->blas_handle) dlclose(g->blas_handle);
    g->blas_handle = NULL;
    g->sgemm = NULL;
}

/* Floats spanned by one stored matrix of `rows` rows of leading dimension ld, `cols` used. */
static size_t gemm_extent(size_t rows, size_t cols, size_t ld) {
    return (rows - 1) * ld + cols;
}

/* Maps floats [offset, offset + count) of buf; blocking, so earlier commands have finished. */
static yoso_status gemm_map(yoso_gemm *g, cl_mem buf, size_t offset, size_t count,
                            cl_map_flags flags, float **out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clEnqueueMapBuffer(g->ctx->queue, buf, CL_TRUE, flags, offset * sizeof(float),
                              count * sizeof(float), 0, NULL, NULL, &err);
    CL_CHECK_ERR(err, "clEnqueueMapBuffer(GEMM operand)");
    return YOSO_OK;
fail:
    *out = NULL;
    return status;
}

yoso_status yoso_gemm_host_run(yoso_gemm *g, const yoso_gemm_args *a) {
    yoso_status status = YOSO_OK;
    float *pa = NULL, *pb = NULL, *pc = NULL, *map_a = NULL; /* map_a: what to unmap for A */
    const size_t batch = a->batch > 1 ? a->batch : 1;
    if (a->m > INT_MAX || a->n > INT_MAX || a->k > INT_MAX || a->lda > INT_MAX ||
        a->ldb > INT_MAX || a->ldc > INT_MAX)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "GEMM of %zu×%zu×%zu is too large for the host BLAS: use YOSO_GEMM=clblast", a->m, a->n,
            a->k);
    if (a->c == a->a || a->c == a->b)
        return yoso_error(YOSO_ERR_USAGE,
                          "GEMM output buffer is also an input: use separate buffers");
    const size_t ea =
        a->trans_a ? gemm_extent(a->k, a->m, a->lda) : gemm_extent(a->m, a->k, a->lda);
    const size_t eb =
        a->trans_b ? gemm_extent(a->n, a->k, a->ldb) : gemm_extent(a->k, a->n, a->ldb);
    const size_t ec = gemm_extent(a->m, a->n, a->ldc);
    const size_t sa = batch > 1 ? a->a_stride : 0, sb = batch > 1 ? a->b_stride : 0;
    const size_t sc = batch > 1 ? a->c_stride : 0;
    const size_t na = (batch - 1) * sa + ea, nb = (batch - 1) * sb + eb;
    const float *bbase = NULL;
    if (a->k > 0 && a->b == a->a) { /* one mapping covering both operands */
        size_t lo = a->a_offset < a->b_offset ? a->a_offset : a->b_offset;
        size_t hi_a = a->a_offset + na, hi_b = a->b_offset + nb;
        YOSO_TRY(gemm_map(g, a->a, lo, (hi_a > hi_b ? hi_a : hi_b) - lo, CL_MAP_READ, &pa));
        bbase = pa + (a->b_offset - lo);
        map_a = pa;
        pa += a->a_offset - lo;
    } else if (a->k > 0) {
        YOSO_TRY(gemm_map(g, a->a, a->a_offset, na, CL_MAP_READ, &pa));
        map_a = pa;
        YOSO_TRY(gemm_map(g, a->b, a->b_offset, nb, CL_MAP_READ, &pb));
        bbase = pb;
    }
    YOSO_TRY(
        gemm_map(g, a->c, a->c_offset, (batch - 1) * sc + ec, CL_MAP_READ | CL_MAP_WRITE, &pc));
    for (size_t i = 0; i < batch; i++) {
        float *c = pc + i * sc;
        if (a->k == 0) {
            for (size_t r = 0; r < a->m; r++)
                for (size_t col = 0; col < a->n; col++)
                    c[r * a->ldc + col] = a->beta == 0.0f ? 0.0f : a->beta * c[r * a->ldc + col];
            continue;
        }
        g->sgemm(101, a->trans_a ? 112 : 111, a->trans_b ? 112 : 111, (int)a->m, (int)a->n,
                 (int)a->k, a->alpha, pa + i * sa, (int)a->lda, bbase + i * sb, (int)a->ldb,
                 a->beta, c, (int)a->ldc);
    }
fail:
    if (map_a) clEnqueueUnmapMemObject(g->ctx->queue, a->a, map_a, 0, NULL, NULL);
    if (pb) clEnqueueUnmapMemObject(g->ctx->queue, a->b, pb, 0, NULL, NULL);
    if (pc) clEnqueueUnmapMemObject(g->ctx->queue, a->c, pc, 0, NULL, NULL);
    return status;
}

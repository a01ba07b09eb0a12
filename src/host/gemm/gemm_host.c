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
        *(void **)&g->sgemv = dlsym(h, "cblas_sgemv");
        *(void **)&g->get_threads = dlsym(h, "openblas_get_num_threads");
        *(void **)&g->set_threads = dlsym(h, "openblas_set_num_threads");
        if (!g->get_threads || !g->set_threads) g->get_threads = NULL, g->set_threads = NULL;
        const char *(*corename)(void) = NULL;
        *(void **)&corename = dlsym(h, "openblas_get_corename"); /* OpenBLAS only */
        if (corename)
            snprintf(g->name, sizeof g->name, "host BLAS (%.80s, %.24s kernels)", lib, corename());
        else
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
    g->sgemv = NULL;
    g->get_threads = NULL;
    g->set_threads = NULL;
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
    if (a->m > INT_MAX || a->n > INT_MAX || a->k > INT_MAX || a->a.ld > INT_MAX ||
        a->b.ld > INT_MAX || a->c.ld > INT_MAX)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "GEMM of %zu×%zu×%zu is too large for the host BLAS: use YOSO_GEMM=clblast", a->m, a->n,
            a->k);
    if (a->c.buf == a->a.buf || a->c.buf == a->b.buf)
        return yoso_error(YOSO_ERR_USAGE,
                          "GEMM output buffer is also an input: use separate buffers");
    const size_t ea =
        a->trans_a ? gemm_extent(a->k, a->m, a->a.ld) : gemm_extent(a->m, a->k, a->a.ld);
    const size_t eb =
        a->trans_b ? gemm_extent(a->n, a->k, a->b.ld) : gemm_extent(a->k, a->n, a->b.ld);
    const size_t ec = gemm_extent(a->m, a->n, a->c.ld);
    const size_t sa = batch > 1 ? a->a.stride : 0, sb = batch > 1 ? a->b.stride : 0;
    const size_t sc = batch > 1 ? a->c.stride : 0;
    const size_t na = (batch - 1) * sa + ea, nb = (batch - 1) * sb + eb;
    const float *bbase = NULL;
    if (a->k > 0 && a->b.buf == a->a.buf) { /* one mapping covering both operands */
        size_t lo = a->a.offset < a->b.offset ? a->a.offset : a->b.offset;
        size_t hi_a = a->a.offset + na, hi_b = a->b.offset + nb;
        YOSO_TRY(gemm_map(g, a->a.buf, lo, (hi_a > hi_b ? hi_a : hi_b) - lo, CL_MAP_READ, &pa));
        bbase = pa + (a->b.offset - lo);
        map_a = pa;
        pa += a->a.offset - lo;
    } else if (a->k > 0) {
        YOSO_TRY(gemm_map(g, a->a.buf, a->a.offset, na, CL_MAP_READ, &pa));
        map_a = pa;
        YOSO_TRY(gemm_map(g, a->b.buf, a->b.offset, nb, CL_MAP_READ, &pb));
        bbase = pb;
    }
    YOSO_TRY(
        gemm_map(g, a->c.buf, a->c.offset, (batch - 1) * sc + ec, CL_MAP_READ | CL_MAP_WRITE, &pc));
    for (size_t i = 0; i < batch; i++) {
        float *c = pc + i * sc;
        if (a->k == 0) {
            for (size_t r = 0; r < a->m; r++)
                for (size_t col = 0; col < a->n; col++)
                    c[r * a->c.ld + col] = a->beta == 0.0f ? 0.0f : a->beta * c[r * a->c.ld + col];
            continue;
        }
        if (a->m == 1 && g->sgemv) { /* c [1, n] = a [1, k] · op(B): op(B)ᵀ · a as a GEMV */
            const int inc_a = a->trans_a ? (int)a->a.ld : 1;
            if (a->trans_b) /* B [n, k] */
                g->sgemv(101, 111, (int)a->n, (int)a->k, a->alpha, bbase + i * sb, (int)a->b.ld,
                         pa + i * sa, inc_a, a->beta, c, 1);
            else /* B [k, n] */
                g->sgemv(101, 112, (int)a->k, (int)a->n, a->alpha, bbase + i * sb, (int)a->b.ld,
                         pa + i * sa, inc_a, a->beta, c, 1);
            continue;
        }
        g->sgemm(101, a->trans_a ? 112 : 111, a->trans_b ? 112 : 111, (int)a->m, (int)a->n,
                 (int)a->k, a->alpha, pa + i * sa, (int)a->a.ld, bbase + i * sb, (int)a->b.ld,
                 a->beta, c, (int)a->c.ld);
    }
fail:
    if (map_a) clEnqueueUnmapMemObject(g->ctx->queue, a->a.buf, map_a, 0, NULL, NULL);
    if (pb) clEnqueueUnmapMemObject(g->ctx->queue, a->b.buf, pb, 0, NULL, NULL);
    if (pc) clEnqueueUnmapMemObject(g->ctx->queue, a->c.buf, pc, 0, NULL, NULL);
    return status;
}

/* gemm_reference.h — the GEMM tests' plain-C reference: any product yoso_gemm_run takes (offsets,
 * padded leading dimensions, strided batches, A and B in one buffer) run on random buffers and
 * compared with a double-precision loop. Header-only; include after test_support.h. */
#ifndef YOSO_GEMM_REFERENCE_H
#define YOSO_GEMM_REFERENCE_H

#include <math.h>
#include <stdlib.h>

#include "gemm.h"
#include "runtime.h"
#include "test_support.h"

/* C = alpha·op(A)·op(B) + beta·C for every batch entry of g, on host copies a, b, c. */
static inline void gemm_reference(const yoso_gemm_args *g, const float *a, const float *b,
                                  float *c) {
    size_t nb = g->batch > 1 ? g->batch : 1;
    for (size_t q = 0; q < nb; q++)
        for (size_t i = 0; i < g->m; i++)
            for (size_t j = 0; j < g->n; j++) {
                double s = 0;
                for (size_t p = 0; p < g->k; p++) {
                    size_t ai = g->a.offset + q * g->a.stride +
                                (g->trans_a ? p * g->a.ld + i : i * g->a.ld + p);
                    size_t bi = g->b.offset + q * g->b.stride +
                                (g->trans_b ? j * g->b.ld + p : p * g->b.ld + j);
                    s += (double)a[ai] * b[bi];
                }
                float *cv = &c[g->c.offset + q * g->c.stride + i * g->c.ld + j];
                *cv = (float)(g->alpha * s + g->beta * *cv);
            }
}

/* A buffer of n random floats in ctx; their host copy in *host (malloc'ed). */
static inline cl_mem gemm_random_buffer(yoso_context *ctx, size_t n, unsigned seed, float **host) {
    *host = malloc(n * sizeof(float));
    test_fill_uniform(*host, n, seed);
    cl_int err;
    cl_mem m = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                              n * sizeof(float), *host, &err);
    assert_int_equal(err, CL_SUCCESS);
    return m;
}

/* Runs g (its buffers made here: na, nb and nc random floats; shared: A and B in one buffer) on
 * gemm and compares every float of C, the untouched ones included, with gemm_reference: fails
 * the test beyond 1e-4·(1 + √k). */
static inline void gemm_check(yoso_context *ctx, yoso_gemm *gemm, yoso_gemm_args g, size_t na,
                              size_t nb, size_t nc, int shared) {
    float *ha, *hb = NULL, *hc;
    g.a.buf = gemm_random_buffer(ctx, shared ? (na > nb ? na : nb) : na, 11u + (unsigned)g.m, &ha);
    g.b.buf = shared ? g.a.buf : gemm_random_buffer(ctx, nb, 22u + (unsigned)g.n, &hb);
    if (shared) hb = ha;
    g.c.buf = gemm_random_buffer(ctx, nc, 33u + (unsigned)g.k, &hc);
    assert_int_equal(yoso_gemm_run(gemm, &g), YOSO_OK);
    float *out = malloc(nc * sizeof(float));
    assert_int_equal(clEnqueueReadBuffer(ctx->queue, g.c.buf, CL_TRUE, 0, nc * sizeof(float), out,
                                         0, NULL, NULL),
                     CL_SUCCESS);
    gemm_reference(&g, ha, hb, hc);
    double worst = 0;
    for (size_t i = 0; i < nc; i++) worst = fmax(worst, fabs((double)out[i] - hc[i]));
    if (worst > 1e-4 * (1 + sqrt((double)g.k)))
        fail_msg("%s: ta=%d tb=%d m=%zu n=%zu k=%zu batch=%zu: max error %g",
                 yoso_gemm_backend_name(gemm), g.trans_a, g.trans_b, g.m, g.n, g.k, g.batch, worst);
    clReleaseMemObject(g.a.buf);
    if (!shared) clReleaseMemObject(g.b.buf);
    clReleaseMemObject(g.c.buf);
    free(ha);
    if (!shared) free(hb);
    free(hc);
    free(out);
}

#endif

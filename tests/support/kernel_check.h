/* kernel_check.h — helpers for the direct kernel tests (tests/test_kernels*.c): device buffers
 * from host arrays, reading them back, and comparing a kernel's output with its plain-C `_cpu`
 * reference under a per-element error bound. Needs test_support.h and a test_ctx. */
#ifndef YOSO_KERNEL_CHECK_H
#define YOSO_KERNEL_CHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "test_support.h"

/* The unit roundoff of float32 (2^-24): one correctly rounded operation errs by ≤ KC_U·|result|. */
#define KC_U (0.5 * 1.1920928955078125e-07)

/* 1 when YOSO_TEST_TINY=1 asks for the smallest shapes (Oclgrind runs). */
static inline int kc_tiny(void) {
    const char *t = getenv("YOSO_TEST_TINY");
    return t && !strcmp(t, "1");
}

/* A device buffer holding a copy of bytes of host data (at least 1 byte). */
static inline cl_mem kc_upload(const void *data, size_t bytes) {
    cl_int err;
    cl_mem m = clCreateBuffer(test_ctx->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                              bytes ? bytes : 4, (void *)data, &err);
    assert_int_equal(err, CL_SUCCESS);
    return m;
}

/* Waits for the queue, then copies bytes of buf to host memory. */
static inline void kc_download(cl_mem buf, void *out, size_t bytes) {
    assert_int_equal(clFinish(test_ctx->queue), CL_SUCCESS);
    assert_int_equal(
        clEnqueueReadBuffer(test_ctx->queue, buf, CL_TRUE, 0, bytes, out, 0, NULL, NULL),
        CL_SUCCESS);
}

/* Fails naming the first element where |got − ref| exceeds its bound tol (NULL: exact, bit for
 * bit, as for copies and single correctly rounded adds). */
static inline void kc_expect_close(const char *what, const float *got, const double *ref,
                                   const double *tol, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const double err = fabs((double)got[i] - ref[i]);
        if (tol ? !(err <= tol[i]) : (got[i] != (float)ref[i]))
            fail_msg("%s: element %zu is %.9g, the reference %.9g (error %.3g, bound %.3g)", what,
                     i, got[i], ref[i], err, tol ? tol[i] : 0.0);
    }
}

/* n pseudo-random floats in [-scale, scale) (malloc'ed). */
static inline float *kc_random(size_t n, float scale, unsigned seed) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    assert_non_null(x);
    test_fill_uniform(x, n, seed);
    for (size_t i = 0; i < n; i++) x[i] *= scale;
    return x;
}

/* A zeroed array of n doubles (malloc'ed), for references and bounds. */
static inline double *kc_doubles(size_t n) {
    double *x = calloc(n ? n : 1, sizeof(double));
    assert_non_null(x);
    return x;
}

#endif

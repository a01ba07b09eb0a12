/* test_gemm.c — the GEMM interface against a plain C loop, on shapes that are not multiples of 8.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gemm.h"
#include "runtime.h"
#include "test_support.h"

/* Reference: C = alpha·op(A)·op(B) + beta·C, row-major, one batch entry. */
static void gemm_reference(int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                           const float *a, size_t lda, const float *b, size_t ldb, float beta,
                           float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++) {
                float av = ta ? a[p * lda + i] : a[i * lda + p];
                float bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                s += (double)av * bv;
            }
            c[i * ldc + j] = (float)(alpha * s + beta * c[i * ldc + j]);
        }
}

/* Uploads host floats into a new buffer. */
static cl_mem upload(const float *x, size_t n) {
    cl_int err;
    cl_mem m = clCreateBuffer(test_ctx->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                              n * sizeof(float), (void *)x, &err);
    assert_int_equal(err, CL_SUCCESS);
    return m;
}

/* Runs one shape through yoso_gemm_run and the reference and compares. */
static void check_shape(int ta, int tb, size_t m, size_t n, size_t k, size_t batch, float beta) {
    size_t nb = batch ? batch : 1;
    size_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
    size_t sa = m * k, sb = k * n, sc = m * n;
    float *a = malloc(sa * nb * sizeof(float)), *b = malloc(sb * nb * sizeof(float));
    float *c = malloc(sc * nb * sizeof(float)), *ref = malloc(sc * nb * sizeof(float));
    test_fill_uniform(a, sa * nb, 1u + (unsigned)(m * 7 + k));
    test_fill_uniform(b, sb * nb, 2u + (unsigned)(n * 5 + k));
    test_fill_uniform(c, sc * nb, 3u);
    for (size_t i = 0; i < sc * nb; i++) ref[i] = c[i];
    cl_mem da = upload(a, sa * nb), db = upload(b, sb * nb), dc = upload(c, sc * nb);
    yoso_gemm_args args = {.trans_a = ta,
                           .trans_b = tb,
                           .m = m,
                           .n = n,
                           .k = k,
                           .alpha = 0.75f,
                           .beta = beta,
                           .a.buf = da,
                           .a.ld = lda,
                           .a.stride = sa,
                           .b.buf = db,
                           .b.ld = ldb,
                           .b.stride = sb,
                           .c.buf = dc,
                           .c.ld = ldc,
                           .c.stride = sc,
                           .batch = batch};
    assert_int_equal(yoso_gemm_run(test_ctx->gemm, &args), YOSO_OK);
    assert_int_equal(clEnqueueReadBuffer(test_ctx->queue, dc, CL_TRUE, 0, sc * nb * sizeof(float),
                                         c, 0, NULL, NULL),
                     CL_SUCCESS);
    for (size_t q = 0; q < nb; q++)
        gemm_reference(ta, tb, m, n, k, 0.75f, a + q * sa, lda, b + q * sb, ldb, beta, ref + q * sc,
                       ldc);
    double worst = 0;
    for (size_t i = 0; i < sc * nb; i++) worst = fmax(worst, fabs((double)c[i] - ref[i]));
    if (worst > 1e-4 * (1 + sqrt((double)k)))
        fail_msg("gemm ta=%d tb=%d m=%zu n=%zu k=%zu batch=%zu: max error %g", ta, tb, m, n, k,
                 batch, worst);
    clReleaseMemObject(da);
    clReleaseMemObject(db);
    clReleaseMemObject(dc);
    free(a);
    free(b);
    free(c);
    free(ref);
}

static void test_gemm_odd_shapes(void **state) {
    const size_t shapes[][3] = {{1, 1, 1},    {7, 5, 3},     {13, 29, 17},
                                {33, 65, 31}, {64, 48, 100}, {5, 1000, 32}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                check_shape(ta, tb, shapes[s][0], shapes[s][1], shapes[s][2], 0, 0.0f);
}

static void test_gemm_accumulates_with_beta(void **state) {
    check_shape(0, 1, 23, 19, 11, 0, 1.0f);
    check_shape(1, 0, 9, 70, 45, 0, 0.5f);
}

static void test_gemm_strided_batched(void **state) {
    check_shape(0, 1, 17, 9, 16, 3, 0.0f);
    check_shape(0, 0, 31, 16, 7, 5, 0.0f);
    check_shape(1, 1, 6, 10, 12, 4, 1.0f);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_gemm_odd_shapes,
          test_gemm_accumulates_with_beta, test_gemm_strided_batched)

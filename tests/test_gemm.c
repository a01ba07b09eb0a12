/* test_gemm.c — the GEMM interface against a plain C loop, on shapes that are not multiples of 8.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_support.h"

#include "gemm_reference.h"

/* Runs one shape (alpha 0.75, tightly packed, strided batches) through the context's GEMM and
 * compares it with the reference. */
static void check_shape(int ta, int tb, size_t m, size_t n, size_t k, size_t batch, float beta) {
    const size_t nb = batch ? batch : 1, sa = m * k, sb = k * n, sc = m * n;
    const yoso_gemm_matrix a = {NULL, 0, ta ? m : k, sa}, b = {NULL, 0, tb ? k : n, sb},
                           c = {NULL, 0, n, sc};
    yoso_gemm_args g = yoso_gemm_product(ta, tb, m, n, k, a, b, c, batch);
    g.alpha = 0.75f;
    g.beta = beta;
    gemm_check(test_ctx, test_ctx->gemm, g, sa * nb, sb * nb, sc * nb, 0);
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

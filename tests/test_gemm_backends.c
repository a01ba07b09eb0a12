/* test_gemm_backends.c — each GEMM backend (CLBlast, host BLAS) against a plain C loop, with
 * offsets, padded leading dimensions, batches and A and B in one buffer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

#include "gemm_reference.h"

/* Runs args (buffers sized na, nb, nc floats; shared = A and B in one buffer) through backend
 * `kind` and compares every float of C, including the untouched ones, with the reference. */
static void check(yoso_gemm_kind kind, yoso_gemm_args g, size_t na, size_t nb, size_t nc,
                  int shared) {
    yoso_gemm *gemm = NULL;
    yoso_status st = yoso_gemm_create_kind(test_ctx, kind, &gemm);
    if (st == YOSO_ERR_UNSUPPORTED) {
        printf("[ skipped  ] no host BLAS: %s\n", yoso_last_error());
        return;
    }
    assert_int_equal(st, YOSO_OK);
    assert_int_equal(yoso_gemm_get_kind(gemm), kind);
    gemm_check(test_ctx, gemm, g, na, nb, nc, shared);
    if (kind == YOSO_GEMM_CLBLAST && test_ctx->env.clblast_fail)
        assert_int_not_equal(yoso_gemm_get_kind(gemm), YOSO_GEMM_CLBLAST);
    yoso_gemm_free(gemm);
}

/* Offsets and leading dimensions wider than the matrices, for one backend. */
static void offsets_and_padding(yoso_gemm_kind kind) {
    yoso_gemm_args g = {.trans_b = 1,
                        .m = 13,
                        .n = 21,
                        .k = 9,
                        .alpha = 1.5f,
                        .beta = 0.5f,
                        .a.offset = 5,
                        .a.ld = 12,
                        .b.offset = 3,
                        .b.ld = 11,
                        .c.offset = 7,
                        .c.ld = 30};
    check(kind, g, 5 + 13 * 12, 3 + 21 * 11, 7 + 13 * 30, 0);
    yoso_gemm_args t = {.trans_a = 1,
                        .m = 10,
                        .n = 6,
                        .k = 17,
                        .alpha = 1.0f,
                        .a.offset = 2,
                        .a.ld = 14,
                        .b.ld = 8,
                        .c.offset = 1,
                        .c.ld = 9};
    check(kind, t, 2 + 17 * 14, 17 * 8, 1 + 10 * 9, 0);
}

/* Strided batches whose C matrices interleave (c_stride < m·ldc), like heads merged in a row. */
static void interleaved_batch(yoso_gemm_kind kind) {
    const size_t heads = 3, d = 4, rows = 7, keys = 11;
    yoso_gemm_args g = {.m = rows,
                        .n = d,
                        .k = keys,
                        .alpha = 1.0f,
                        .a.ld = keys,
                        .a.stride = rows * keys,
                        .b.ld = d,
                        .b.stride = keys * d,
                        .c.offset = 2 * heads * d,
                        .c.ld = heads * d,
                        .c.stride = d,
                        .batch = heads};
    check(kind, g, heads * rows * keys, heads * keys * d, (rows + 2) * heads * d, 0);
}

/* A and B are two regions of one buffer (queries and keys of one tensor), B before A. */
static void shared_buffer(yoso_gemm_kind kind) {
    yoso_gemm_args g = {.trans_b = 1,
                        .m = 6,
                        .n = 8,
                        .k = 5,
                        .alpha = 1.0f,
                        .a.offset = 60,
                        .a.ld = 5,
                        .a.stride = 6 * 5,
                        .b.offset = 4,
                        .b.ld = 5,
                        .b.stride = 8 * 5,
                        .c.ld = 8,
                        .c.stride = 6 * 8,
                        .batch = 2};
    check(kind, g, 60 + 2 * 30, 4 + 2 * 40, 2 * 48, 1);
}

static void test_clblast(void **state) {
    offsets_and_padding(YOSO_GEMM_CLBLAST);
    interleaved_batch(YOSO_GEMM_CLBLAST);
    shared_buffer(YOSO_GEMM_CLBLAST);
}

static void test_host_blas(void **state) {
    offsets_and_padding(YOSO_GEMM_HOST_BLAS);
    interleaved_batch(YOSO_GEMM_HOST_BLAS);
    shared_buffer(YOSO_GEMM_HOST_BLAS);
}

static void test_portable(void **state) {
    offsets_and_padding(YOSO_GEMM_PORTABLE);
    interleaved_batch(YOSO_GEMM_PORTABLE);
    shared_buffer(YOSO_GEMM_PORTABLE);
}

/* The portable kernel with k split over launches, as on a driver that caps loops. */
static void test_portable_bounded_loops(void **state) {
    const long long saved = test_ctx->limits.loop_budget;
    test_ctx->limits.loop_budget = 40; /* k 17 → launches of 12 */
    offsets_and_padding(YOSO_GEMM_PORTABLE);
    shared_buffer(YOSO_GEMM_PORTABLE);
    test_ctx->limits.loop_budget = saved;
}

/* CLBlast failing (forced: $YOSO_CLBLAST_FAIL) falls back to a GEMM that works, same answers. */
static void test_clblast_failure_falls_back(void **state) {
    setenv("YOSO_CLBLAST_FAIL", "1", 1);
    yoso_context *ctx = NULL;
    assert_int_equal(yoso_context_create(&(yoso_context_options){.no_cache = 0}, &ctx), YOSO_OK);
    unsetenv("YOSO_CLBLAST_FAIL");
    yoso_context *saved = test_ctx;
    test_ctx = ctx;
    offsets_and_padding(YOSO_GEMM_CLBLAST);
    test_ctx = saved;
    yoso_context_free(ctx);
}

static void test_output_aliasing_an_input_is_refused(void **state) {
    yoso_gemm *gemm = NULL;
    if (yoso_gemm_create_kind(test_ctx, YOSO_GEMM_HOST_BLAS, &gemm) != YOSO_OK) return;
    float *h;
    cl_mem x = gemm_random_buffer(test_ctx, 64, 1u, &h);
    yoso_gemm_args g = {.m = 4,
                        .n = 4,
                        .k = 4,
                        .alpha = 1.0f,
                        .a.buf = x,
                        .a.ld = 4,
                        .b.buf = x,
                        .b.ld = 4,
                        .c.buf = x,
                        .c.offset = 32,
                        .c.ld = 4};
    assert_int_equal(yoso_gemm_run(gemm, &g), YOSO_ERR_USAGE);
    clReleaseMemObject(x);
    free(h);
    yoso_gemm_free(gemm);
}

/* With OpenBLAS, the backend's name says which of its kernel sets runs ($OPENBLAS_CORETYPE or its
 * CPU detection picks one), so a benchmark table can tell AVX2 from AVX-512 runs apart. */
static void test_openblas_names_its_kernels(void **state) {
    yoso_gemm *gemm = NULL;
    if (yoso_gemm_create_kind(test_ctx, YOSO_GEMM_HOST_BLAS, &gemm) != YOSO_OK) return;
    const char *name = yoso_gemm_backend_name(gemm);
    if (strstr(name, "openblas")) assert_non_null(strstr(name, " kernels)"));
    yoso_gemm_free(gemm);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_clblast, test_host_blas, test_portable,
          test_portable_bounded_loops, test_clblast_failure_falls_back,
          test_output_aliasing_an_input_is_refused, test_openblas_names_its_kernels)

/* test_gemm_backends.c — each GEMM backend (CLBlast, host BLAS) against a plain C loop, with
 * offsets, padded leading dimensions, batches and A and B in one buffer. */
#include <math.h>
#include <pthread.h>
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

/* One-row products (the host BLAS runs them as GEMVs): B [n, k] and [k, n], A a row or a
 * column (trans_a: stride a.ld), alpha and beta, padded leading dimensions, a batch. */
static void one_row(yoso_gemm_kind kind) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            yoso_gemm_args g = {.trans_a = ta,
                                .trans_b = tb,
                                .m = 1,
                                .n = 37,
                                .k = 19,
                                .alpha = 0.75f,
                                .beta = 0.5f,
                                .a.offset = 3,
                                .a.ld = ta ? 4 : 21,
                                .a.stride = 90,
                                .b.offset = 2,
                                .b.ld = tb ? 23 : 41,
                                .b.stride = 37 * 41,
                                .c.offset = 1,
                                .c.ld = 40,
                                .c.stride = 45,
                                .batch = 2};
            check(kind, g, 3 + 2 * 90, 2 + 2 * 37 * 41, 1 + 2 * 45, 0);
        }
}

static void test_clblast(void **state) {
    offsets_and_padding(YOSO_GEMM_CLBLAST);
    interleaved_batch(YOSO_GEMM_CLBLAST);
    shared_buffer(YOSO_GEMM_CLBLAST);
    one_row(YOSO_GEMM_CLBLAST);
}

static void test_host_blas(void **state) {
    offsets_and_padding(YOSO_GEMM_HOST_BLAS);
    interleaved_batch(YOSO_GEMM_HOST_BLAS);
    shared_buffer(YOSO_GEMM_HOST_BLAS);
    one_row(YOSO_GEMM_HOST_BLAS);
}

static void test_portable(void **state) {
    offsets_and_padding(YOSO_GEMM_PORTABLE);
    interleaved_batch(YOSO_GEMM_PORTABLE);
    shared_buffer(YOSO_GEMM_PORTABLE);
    one_row(YOSO_GEMM_PORTABLE);
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

/* The host BLAS backend with oneDNN packs nn.Linear weights (the build has its header and CI
 * installs it, so this does not skip there); NULL when this build or machine has no oneDNN. */
static yoso_gemm *packing_backend(void) {
    yoso_gemm *gemm = NULL;
    if (yoso_gemm_create_kind(test_ctx, YOSO_GEMM_HOST_BLAS, &gemm) != YOSO_OK) return NULL;
#ifdef YOSO_TEST_ONEDNN
    assert_true(yoso_gemm_packs_weights(gemm));
    assert_non_null(strstr(yoso_gemm_backend_name(gemm), "oneDNN"));
#endif
    if (!yoso_gemm_packs_weights(gemm)) {
        printf("[ skipped  ] this build has no oneDNN: weights are not packed\n");
        yoso_gemm_free(gemm);
        return NULL;
    }
    return gemm;
}

/* Packs W [n, k] and checks x · Wᵀ for each row count against the reference. */
static void check_packed(yoso_gemm *gemm, size_t n, size_t k, const size_t *rows, int counts) {
    float *hw, *hx, *hy;
    size_t bytes = 0, most = 0;
    for (int i = 0; i < counts; i++) most = rows[i] > most ? rows[i] : most;
    test_fill_uniform(hw = malloc(n * k * sizeof(float)), n * k, 5u + (unsigned)n);
    cl_mem x = gemm_random_buffer(test_ctx, most * k, 6u + (unsigned)k, &hx), w = NULL;
    cl_mem y = gemm_random_buffer(test_ctx, most * n, 7u, &hy);
    assert_int_equal(yoso_gemm_pack_weight(gemm, hw, n, k, &w, &bytes), YOSO_OK);
    assert_non_null(w);
    assert_true(bytes >= n * k * sizeof(float));
    float *out = malloc(most * n * sizeof(float)), *want = malloc(most * n * sizeof(float));
    for (int i = 0; i < counts; i++) {
        const size_t m = rows[i];
        assert_int_equal(yoso_gemm_run_linear(gemm, x, w, y, m, n, k), YOSO_OK);
        assert_int_equal(clEnqueueReadBuffer(test_ctx->queue, y, CL_TRUE, 0, m * n * sizeof(float),
                                             out, 0, NULL, NULL),
                         CL_SUCCESS);
        const yoso_gemm_args g = {
            .trans_b = 1, .m = m, .n = n, .k = k, .alpha = 1.0f, .a.ld = k, .b.ld = k, .c.ld = n};
        gemm_reference(&g, hx, hw, want);
        for (size_t j = 0; j < m * n; j++)
            if (fabsf(out[j] - want[j]) > 1e-4f * (1.0f + sqrtf((float)k)))
                fail_msg("%zu×%zu×%zu: y[%zu] = %g, want %g", m, n, k, j, out[j], want[j]);
    }
    free(out), free(want), free(hw), free(hx), free(hy);
    clReleaseMemObject(w), clReleaseMemObject(x), clReleaseMemObject(y);
}

/* Packed weights give x · Wᵀ for every row count, on layer-like and odd shapes (n not a
 * multiple of the layout's blocks, k odd, one row). */
static void test_packed_weights_match_the_reference(void **state) {
    yoso_gemm *gemm = packing_backend();
    if (!gemm) return;
    const size_t rows[] = {1, 3, 128, 129, 7};
    check_packed(gemm, 96, 64, rows, 5);
    check_packed(gemm, 2, 7, rows, 5);
    check_packed(gemm, 130, 33, rows, 5);
    check_packed(gemm, 768, 768, rows + 2, 1);
    yoso_gemm_free(gemm);
}

/* More product shapes than the backend keeps primitives for: the oldest are replaced and each
 * product is still right. */
static void test_packed_shapes_beyond_the_cache(void **state) {
    yoso_gemm *gemm = packing_backend();
    if (!gemm) return;
    size_t rows[80];
    for (int i = 0; i < 80; i++) rows[i] = 1 + (size_t)(i * 7) % 80;
    check_packed(gemm, 24, 16, rows, 80);
    yoso_gemm_free(gemm);
}

/* YOSO_ONEDNN=off: the backend packs nothing and refuses to, clearly. */
static void test_onednn_off_packs_nothing(void **state) {
    char *saved = test_ctx->env.onednn;
    test_ctx->env.onednn = "off";
    yoso_gemm *gemm = NULL;
    yoso_status st = yoso_gemm_create_kind(test_ctx, YOSO_GEMM_HOST_BLAS, &gemm);
    test_ctx->env.onednn = saved;
    if (st != YOSO_OK) return; /* no host BLAS: test_host_blas says so */
    assert_false(yoso_gemm_packs_weights(gemm));
    const float hw[16] = {0};
    cl_mem w = (cl_mem)&w;
    size_t bytes;
    assert_int_equal(yoso_gemm_pack_weight(gemm, hw, 4, 4, &w, &bytes), YOSO_ERR_USAGE);
    assert_null(w);
    assert_non_null(strstr(yoso_last_error(), "does not pack weights"));
    yoso_gemm_free(gemm);
}

/* One thread's share of test_host_products: C = A · op(B) into its own C, on its own thread. */
typedef struct {
    yoso_gemm *gemm;
    int trans_b, m, n, k, lda, ldb, ldc, one_thread;
    const float *a, *b;
    float *c;
} host_product_job;

/* Runs a host_product_job (a pthread body): a few times, as the fused attention's tiles do. */
static void *host_product_run(void *arg) {
    host_product_job *j = arg;
    const int was = j->one_thread ? yoso_gemm_host_caller_threads(j->gemm, 1) : 0;
    for (int r = 0; r < 8; r++)
        yoso_gemm_host_product(j->gemm, j->trans_b, j->m, j->n, j->k, j->a, j->lda, j->b, j->ldb,
                               j->c, j->ldc);
    if (was > 0) yoso_gemm_host_caller_threads(j->gemm, was);
    return NULL;
}

/* Host products (oneDNN where the backend has it, else the host BLAS) on the fused attention's
 * shapes, both layouts of B, padded leading dimensions, against the reference: alone, and
 * from two threads at once on one shape, each on its own thread (a primitive's own scratchpad
 * would be shared by both). */
static void test_host_products(void **state) {
    yoso_gemm *gemm = NULL;
    if (yoso_gemm_create_kind(test_ctx, YOSO_GEMM_HOST_BLAS, &gemm) != YOSO_OK) return;
    /* m, n, k, lda, ldb, ldc, trans_b: the fused attention's score and value products at 4096
     * keys (head dim 64, ctx rows of 768), then padded leading dimensions */
    const int shapes[][7] = {{64, 4096, 64, 64, 64, 4096, 1}, {64, 64, 4096, 4096, 64, 768, 0},
                             {7, 130, 33, 36, 38, 137, 1},    {7, 130, 33, 36, 135, 137, 0},
                             {1, 5, 3, 3, 3, 5, 1},           {1, 5, 3, 3, 5, 5, 0}};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int m = shapes[si][0], n = shapes[si][1], k = shapes[si][2];
        const int lda = shapes[si][3], ldb = shapes[si][4], ldc = shapes[si][5];
        const int trans_b = shapes[si][6];
        float *a = malloc((size_t)m * lda * sizeof(float));
        float *b = malloc((size_t)(trans_b ? n : k) * ldb * sizeof(float));
        float *want = calloc((size_t)m * ldc, sizeof(float));
        float *c[2] = {calloc((size_t)m * ldc, sizeof(float)),
                       calloc((size_t)m * ldc, sizeof(float))};
        test_fill_uniform(a, (size_t)m * lda, 40u + (unsigned)si);
        test_fill_uniform(b, (size_t)(trans_b ? n : k) * ldb, 50u + (unsigned)si);
        const yoso_gemm_args g = {.trans_b = trans_b,
                                  .m = (size_t)m,
                                  .n = (size_t)n,
                                  .k = (size_t)k,
                                  .alpha = 1.0f,
                                  .a.ld = (size_t)lda,
                                  .b.ld = (size_t)ldb,
                                  .c.ld = (size_t)ldc};
        gemm_reference(&g, a, b, want);
        for (int threads = 1; threads <= 2; threads++) {
            host_product_job jobs[2];
            pthread_t tid;
            for (int t = 0; t < threads; t++)
                jobs[t] = (host_product_job){gemm, trans_b, m,           n, k, lda,
                                             ldb,  ldc,     threads > 1, a, b, c[t]};
            if (threads > 1)
                assert_int_equal(pthread_create(&tid, NULL, host_product_run, &jobs[1]), 0);
            host_product_run(&jobs[0]);
            if (threads > 1) pthread_join(tid, NULL);
            yoso_gemm_host_products_end(gemm);
            for (int t = 0; t < threads; t++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        const float got = c[t][(size_t)i * ldc + j];
                        const float ref = want[(size_t)i * ldc + j];
                        if (fabsf(got - ref) > 1e-4f * (1.0f + sqrtf((float)k)))
                            fail_msg("%d×%d×%d trans_b %d, %d threads: c[%d][%d] = %g, want %g", m,
                                     n, k, trans_b, threads, i, j, got, ref);
                    }
        }
        free(a), free(b), free(want), free(c[0]), free(c[1]);
    }
    yoso_gemm_free(gemm);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_clblast, test_host_blas, test_portable,
          test_portable_bounded_loops, test_clblast_failure_falls_back,
          test_output_aliasing_an_input_is_refused, test_openblas_names_its_kernels,
          test_packed_weights_match_the_reference, test_packed_shapes_beyond_the_cache,
          test_onednn_off_packs_nothing, test_host_products)

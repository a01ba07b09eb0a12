/* test_gemm_tuning.c — CLBlast parameters per device: parsing, storing in the cache folder,
 * applying them at context creation, and correct products under overridden parameters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "gemm_tuning.h"
#include "runtime.h"
#include "test_support.h"

#include "gemm_reference.h"

/* A valid Xgemm configuration that is not CLBlast's default. */
static const char *k_line =
    "Xgemm GEMMK=0 KREG=1 KWG=16 KWI=2 MDIMA=8 MDIMC=8 MWG=32 NDIMB=8 NDIMC=8 NWG=64 SA=1 SB=1 STRM=0 STRN=0 VWM=2 VWN=4 PRECISION=32";

/* A context whose cache folder is dir. */
static yoso_context *context_in(const char *dir) {
    yoso_context_options opt = {.cache_dir = dir};
    yoso_context *ctx = NULL;
    if (yoso_context_create(&opt, &ctx) != YOSO_OK) fail_msg("%s", yoso_last_error());
    return ctx;
}

static void test_bad_lines_are_refused(void **state) {
    char *dir = test_make_temp_dir();
    yoso_context *ctx = context_in(dir);
    assert_int_equal(yoso_tuning_apply_line(ctx, "Xgemm MWG"), YOSO_ERR_INPUT);
    assert_int_equal(yoso_tuning_apply_line(ctx, "Xgemm MWG=abc"), YOSO_ERR_INPUT);
    assert_int_equal(yoso_tuning_apply_line(ctx, "NoSuchKernel MWG=64"), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "yoso tune"));
    assert_int_equal(yoso_tuning_apply_line(ctx, "# a comment"), YOSO_OK);
    yoso_context_free(ctx);
    test_remove_temp_dir(dir);
}

static void test_stored_parameters_are_applied_by_a_new_context(void **state) {
    char *dir = test_make_temp_dir(), path[4096];
    yoso_context *ctx = context_in(dir);
    const char *lines[1] = {k_line};
    assert_int_equal(yoso_tuning_store(ctx, lines, 1), YOSO_OK);
    yoso_tuning_path(ctx, path, sizeof path);
    char *text = test_read_file(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, k_line));
    free(text);
    yoso_context_free(ctx);

    ctx = context_in(dir);
    yoso_gemm *gemm = NULL;
    assert_int_equal(yoso_gemm_create_kind(ctx, YOSO_GEMM_CLBLAST, &gemm), YOSO_OK);
    assert_non_null(strstr(yoso_gemm_backend_name(gemm), "tuned"));
    yoso_gemm_free(gemm);
    yoso_context_free(ctx);
    test_remove_temp_dir(dir);
}

/* A product large enough for CLBlast's tiled Xgemm kernel, under the overridden parameters. */
static void test_products_stay_correct_under_overridden_parameters(void **state) {
    char *dir = test_make_temp_dir();
    yoso_context *ctx = context_in(dir);
    assert_int_equal(yoso_tuning_apply_line(ctx, k_line), YOSO_OK);
    const size_t m = 400, n = 420, k = 390;
    yoso_gemm *gemm = NULL;
    assert_int_equal(yoso_gemm_create_kind(ctx, YOSO_GEMM_CLBLAST, &gemm), YOSO_OK);
    const yoso_gemm_matrix a = {NULL, 0, k, 0}, b = {NULL, 0, k, 0}, c = {NULL, 0, n, 0};
    gemm_check(ctx, gemm, yoso_gemm_product(0, 1, m, n, k, a, b, c, 0), m * k, n * k, m * n, 0);
    yoso_gemm_free(gemm);
    yoso_context_free(ctx);
    test_remove_temp_dir(dir);
}

TEST_MAIN(NULL, NULL, test_bad_lines_are_refused,
          test_stored_parameters_are_applied_by_a_new_context,
          test_products_stay_correct_under_overridden_parameters)

/* test_convert.c — `yoso convert`: bin → safetensors keeps every value; --fp16 rounds correctly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp16.h"
#include "safetensors_write.h"
#include "tensor_file.h"
#include "test_support.h"

static void test_float_to_half(void **state) {
    assert_int_equal(yoso_float_to_half(1.0f), 0x3c00);
    assert_int_equal(yoso_float_to_half(-2.0f), 0xc000);
    assert_int_equal(yoso_float_to_half(65504.0f), 0x7bff);
    assert_int_equal(yoso_float_to_half(1e6f), 0x7c00);
    assert_int_equal(yoso_float_to_half(0.0f), 0x0000);
    assert_int_equal(yoso_float_to_half(5.960464477539063e-08f), 0x0001); /* smallest subnormal */
    assert_int_equal(yoso_float_to_half(1e-9f), 0x0000);
    assert_int_equal(yoso_float_to_half(1.0f + 1.0f / 2048), 0x3c00); /* tie → even */
    assert_int_equal(yoso_float_to_half(1.0f + 3.0f / 2048), 0x3c02); /* tie → even (up) */
    assert_int_equal(yoso_float_to_half(NAN) & 0x7c00, 0x7c00);
}

/* Converts the tiny-bin fixture with the CLI into dir/name and opens the result. */
static yoso_tensor_file *convert_tiny(const char *dir, const char *flags, char *out, size_t n) {
    snprintf(out, n, "%s/model.safetensors", dir);
    char cmd[4096], *err = NULL;
    snprintf(cmd, sizeof cmd, "%s convert %s %s %s", YOSO_CLI, flags,
             test_data_path("models/tiny-bin"), dir);
    int rc = test_run(cmd, NULL, &err);
    if (rc != 0) fail_msg("convert failed (%d): %s", rc, err);
    free(err);
    yoso_tensor_file *f = NULL;
    if (yoso_tensor_file_open(out, &f) != YOSO_OK) fail_msg("%s", yoso_last_error());
    return f;
}

static void test_bin_to_safetensors_is_exact(void **state) {
    char *dir = test_make_temp_dir(), out[4096];
    yoso_tensor_file *got = convert_tiny(dir, "", out, sizeof out), *src = NULL;
    char bin[4096];
    snprintf(bin, sizeof bin, "%s", test_data_path("models/tiny-bin/pytorch_model.bin"));
    assert_int_equal(yoso_tensor_file_open(bin, &src), YOSO_OK);
    assert_int_equal(yoso_tensor_file_count(got), yoso_tensor_file_count(src));
    for (size_t i = 0; i < yoso_tensor_file_count(src); i++) {
        const yoso_tensor_view *a = yoso_tensor_file_at(src, i),
                               *b = yoso_tensor_file_find(got, a->name);
        assert_non_null(b);
        assert_int_equal(a->dtype, b->dtype);
        assert_int_equal(a->nbytes, b->nbytes);
        assert_memory_equal(a->data, b->data, a->nbytes);
    }
    yoso_tensor_file_close(src);
    yoso_tensor_file_close(got);
    test_remove_temp_dir(dir);
}

static void test_fp16_conversion_rounds_each_value(void **state) {
    char *dir = test_make_temp_dir(), out[4096], bin[4096];
    yoso_tensor_file *got = convert_tiny(dir, "--fp16", out, sizeof out), *src = NULL;
    snprintf(bin, sizeof bin, "%s", test_data_path("models/tiny-bin/pytorch_model.bin"));
    assert_int_equal(yoso_tensor_file_open(bin, &src), YOSO_OK);
    for (size_t i = 0; i < yoso_tensor_file_count(src); i++) {
        const yoso_tensor_view *a = yoso_tensor_file_at(src, i),
                               *b = yoso_tensor_file_find(got, a->name);
        if (a->dtype != YOSO_DTYPE_F32) continue;
        assert_int_equal(b->dtype, YOSO_DTYPE_F16);
        size_t n = (size_t)yoso_tensor_numel(a);
        float *fa = malloc(n * sizeof(float));
        const uint16_t *hb = b->data;
        assert_int_equal(yoso_tensor_to_f32(a, fa), YOSO_OK);
        for (size_t j = 0; j < n; j++) assert_int_equal(hb[j], yoso_float_to_half(fa[j]));
        free(fa);
    }
    yoso_tensor_file_close(src);
    yoso_tensor_file_close(got);
    test_remove_temp_dir(dir);
}

static void test_convert_usage_errors(void **state) {
    char cmd[4096], *err = NULL;
    snprintf(cmd, sizeof cmd, "%s convert only-one-arg", YOSO_CLI);
    assert_int_equal(test_run(cmd, NULL, &err), 2);
    free(err);
    snprintf(cmd, sizeof cmd, "%s convert /nonexistent/pytorch_model.bin /tmp/x.safetensors",
             YOSO_CLI);
    assert_int_equal(test_run(cmd, NULL, &err), 2);
    assert_non_null(strstr(err, "/nonexistent"));
    free(err);
}

TEST_MAIN(NULL, NULL, test_float_to_half, test_bin_to_safetensors_is_exact,
          test_fp16_conversion_rounds_each_value, test_convert_usage_errors)

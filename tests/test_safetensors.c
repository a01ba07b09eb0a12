/* test_safetensors.c — safetensors reading: exact float32 values in F32/F16/BF16, the dtype
 * helpers, and every malformed file refused with a meaningful message and no crash. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_reference.h"
#include "tensor_file.h"

/* The hand-made two-tensor file: names, dtypes, shapes, values; __metadata__ is not a tensor. */
static void test_small_file(void **state) {
    (void)state;
    yoso_tensor_file *f = ref_open_fixture("small.safetensors");
    assert_int_equal(yoso_tensor_file_count(f), 2);
    const yoso_tensor_view *a = yoso_tensor_file_find(f, "a"), *b = yoso_tensor_file_find(f, "b");
    assert_non_null(a);
    assert_non_null(b);
    assert_null(yoso_tensor_file_find(f, "__metadata__"));
    assert_null(yoso_tensor_file_find(f, "c"));
    assert_null(yoso_tensor_file_at(f, 2));
    assert_string_equal(a->name, "a");
    assert_int_equal(a->dtype, YOSO_DTYPE_F32);
    assert_int_equal(a->ndim, 2);
    assert_int_equal(a->shape[0], 2);
    assert_int_equal(a->shape[1], 3);
    assert_int_equal(a->nbytes, 24);
    assert_int_equal(b->dtype, YOSO_DTYPE_F16);
    assert_int_equal(b->ndim, 1);
    assert_int_equal(b->shape[0], 4);
    assert_int_equal(yoso_tensor_numel(b), 4);
    float va[6], vb[4];
    assert_int_equal(yoso_tensor_to_f32(a, va), YOSO_OK);
    for (int i = 0; i < 6; i++) assert_true(va[i] == (float)i * 0.5f - 1.0f);
    assert_int_equal(yoso_tensor_to_f32(b, vb), YOSO_OK);
    assert_true(vb[0] == 1.0f && vb[1] == -2.0f && vb[2] == 0.5f && vb[3] == 65504.0f);
    /* b's data follows a's in the data area, right after the header. */
    assert_ptr_equal((const char *)a->data + 24, b->data);
    yoso_tensor_file_close(f);
}

/* The tiny model as save_pretrained wrote it, in each dtype: every value, bit for bit. */
static void check_model(const char *file, const char *ref_stem, yoso_dtype dtype) {
    ref_set r;
    ref_load(ref_stem, &r);
    yoso_tensor_file *f = ref_open_fixture(file);
    size_t expected = 0;
    for (size_t i = 0; i < r.count; i++) {
        const char *name = r.entries[i].name;
        if (strncmp(name, "cls.predictions.decoder.", 24) == 0) continue; /* tied: not saved */
        expected++;
        const yoso_tensor_view *t = yoso_tensor_file_find(f, name);
        if (!t) fail_msg("%s: no tensor %s", file, name);
        assert_int_equal(t->dtype, dtype);
        ref_check_tensor(&r, &r.entries[i], t);
    }
    assert_int_equal(yoso_tensor_file_count(f), expected);
    yoso_tensor_file_close(f);
    ref_release(&r);
}

static void test_tiny_f32(void **state) {
    (void)state;
    check_model("tiny_f32.safetensors", "reference_f32", YOSO_DTYPE_F32);
}

static void test_tiny_f16(void **state) {
    (void)state;
    check_model("tiny_f16.safetensors", "reference_f16", YOSO_DTYPE_F16);
}

static void test_tiny_bf16(void **state) {
    (void)state;
    check_model("tiny_bf16.safetensors", "reference_bf16", YOSO_DTYPE_BF16);
}

/* The base YosoModel's tensors have no "yoso." prefix and equal the MLM model's encoder. */
static void test_base_model(void **state) {
    (void)state;
    ref_set r;
    ref_load("reference_f32", &r);
    yoso_tensor_file *f = ref_open_fixture("base_f32.safetensors");
    size_t n = yoso_tensor_file_count(f);
    assert_int_equal(n, 21); /* embeddings 5 + one layer 16 */
    for (size_t i = 0; i < n; i++) {
        const yoso_tensor_view *t = yoso_tensor_file_at(f, i);
        char name[300];
        snprintf(name, sizeof name, "yoso.%s", t->name);
        const ref_entry *e = ref_find(&r, name);
        if (!e) fail_msg("unexpected tensor %s", t->name);
        ref_check_tensor(&r, e, t);
    }
    yoso_tensor_file_close(f);
    ref_release(&r);
}

/* Builds a view over bytes for the conversion tests. */
static yoso_tensor_view make_view(yoso_dtype dtype, const void *data, int64_t n) {
    yoso_tensor_view v;
    memset(&v, 0, sizeof v);
    v.name = "probe";
    v.dtype = dtype;
    v.ndim = 1;
    v.shape[0] = n;
    v.data = data;
    v.nbytes = (size_t)n * yoso_dtype_size(dtype);
    return v;
}

/* dtype sizes and names, half/bfloat16 conversion of edge values, NaN/Inf refused by name. */
static void test_dtype_conversions(void **state) {
    (void)state;
    assert_int_equal(yoso_dtype_size(YOSO_DTYPE_F32), 4);
    assert_int_equal(yoso_dtype_size(YOSO_DTYPE_F16), 2);
    assert_int_equal(yoso_dtype_size(YOSO_DTYPE_BF16), 2);
    assert_int_equal(yoso_dtype_size(YOSO_DTYPE_I64), 8);
    assert_int_equal(yoso_dtype_size(YOSO_DTYPE_I32), 4);
    assert_int_equal(yoso_dtype_size(YOSO_DTYPE_COUNT), 0);
    assert_string_equal(yoso_dtype_name(YOSO_DTYPE_BF16), "BF16");
    assert_string_equal(yoso_dtype_name(YOSO_DTYPE_I64), "I64");

    /* 2^-24 (smallest subnormal), largest subnormal, smallest normal, 65504, -0, 1, -2.5 */
    const uint16_t half[] = {0x0001, 0x03ff, 0x0400, 0x7bff, 0x8000, 0x3c00, 0xc100, 0x8001};
    const float want[] = {ldexpf(1, -24), ldexpf(1023, -24), ldexpf(1, -14), 65504.0f, -0.0f, 1.0f,
                          -2.5f,          -ldexpf(1, -24)};
    float got[8];
    yoso_tensor_view v = make_view(YOSO_DTYPE_F16, half, 8);
    assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_OK);
    for (int i = 0; i < 8; i++) assert_memory_equal(&got[i], &want[i], sizeof(float));

    const uint16_t bf[] = {0x3f80, 0xc020, 0x0001, 0x8000, 0x7f7f};
    v = make_view(YOSO_DTYPE_BF16, bf, 5);
    assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_OK);
    assert_true(got[0] == 1.0f && got[1] == -2.5f);
    assert_true(got[2] == ldexpf(1, -133)); /* a float32 subnormal */
    assert_true(got[3] == 0.0f && signbit(got[3]));
    assert_true(got[4] > 3.3e38f);

    static const struct {
        yoso_dtype dtype;
        uint32_t bits;
        const char *what;
    } bad[] = {
        {YOSO_DTYPE_F16, 0x7c00, "Inf"},      {YOSO_DTYPE_F16, 0xfe00, "NaN"},
        {YOSO_DTYPE_BF16, 0xff80, "Inf"},     {YOSO_DTYPE_BF16, 0x7fc1, "NaN"},
        {YOSO_DTYPE_F32, 0x7f800000u, "Inf"}, {YOSO_DTYPE_F32, 0xffc00000u, "NaN"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t bytes[12] = {0};
        size_t es = yoso_dtype_size(bad[i].dtype);
        memcpy(bytes + 2 * es, &bad[i].bits, es); /* little-endian host: low bytes first */
        v = make_view(bad[i].dtype, bytes, 3);
        assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_ERR_INPUT);
        ref_assert_contains(yoso_last_error(), "'probe'");
        ref_assert_contains(yoso_last_error(), bad[i].what);
        ref_assert_contains(yoso_last_error(), "flat index 2");
    }
    /* Integer tensors are not converted; unaligned float data is read safely. */
    int64_t ints[2] = {1, 2};
    v = make_view(YOSO_DTYPE_I64, ints, 2);
    assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "not a float type");
    uint8_t raw[13];
    float three[3] = {1.5f, -7.25f, 3e-40f};
    memcpy(raw + 1, three, sizeof three);
    v = make_view(YOSO_DTYPE_F32, raw + 1, 3);
    assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_OK);
    assert_memory_equal(got, three, sizeof three);
}

/* float32 is scanned in blocks of 4096: the first non-finite value is named wherever it falls
 * (first and last of a block, a later block, two in one tensor), and finite data is copied
 * exactly (largest finite, denormals, -0). */
static void test_non_finite_float32_blocks(void **state) {
    (void)state;
    enum { N = 3 * 4096 + 5 };
    uint32_t *src = malloc(N * sizeof *src);
    float *got = malloc(N * sizeof *got);
    assert_non_null(src);
    assert_non_null(got);
    static const struct {
        int64_t at, also; /* a non-finite value at `at` (and at `also` when ≥ 0) */
        uint32_t bits;
        const char *what;
    } cases[] = {{4095, -1, 0x7f800000u, "Inf at flat index 4095"},
                 {4096, -1, 0xff800001u, "NaN at flat index 4096"},
                 {9000, 9500, 0x7fc00000u, "NaN at flat index 9000"},
                 {N - 1, -1, 0xff800000u, "Inf at flat index 12292"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int64_t i = 0; i < N; i++)
            src[i] = i % 3 == 0 ? 0x7f7fffffu : i % 3 == 1 ? 0x00000001u : 0x80000000u;
        src[cases[c].at] = cases[c].bits;
        if (cases[c].also >= 0) src[cases[c].also] = 0x7f800000u;
        yoso_tensor_view v = make_view(YOSO_DTYPE_F32, src, N);
        assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_ERR_INPUT);
        ref_assert_contains(yoso_last_error(), cases[c].what);
        src[cases[c].at] = 0;
        if (cases[c].also >= 0) src[cases[c].also] = 0;
        assert_int_equal(yoso_tensor_to_f32(&v, got), YOSO_OK);
        assert_memory_equal(got, src, N * sizeof *src);
    }
    free(src);
    free(got);
}

/* NaN and Inf stored in a file: it opens, but converting names the tensor and the index. */
static void test_non_finite_in_file(void **state) {
    (void)state;
    float buf[6];
    yoso_tensor_file *f = ref_open_fixture("st_nan.safetensors");
    assert_int_equal(yoso_tensor_to_f32(yoso_tensor_file_find(f, "a"), buf), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "tensor 'a' holds NaN at flat index 4");
    assert_int_equal(yoso_tensor_to_f32(yoso_tensor_file_find(f, "b"), buf), YOSO_OK);
    yoso_tensor_file_close(f);
    f = ref_open_fixture("st_inf_f16.safetensors");
    assert_int_equal(yoso_tensor_to_f32(yoso_tensor_file_find(f, "b"), buf), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "tensor 'b' holds Inf at flat index 2");
    yoso_tensor_file_close(f);
}

static const bad_file k_bad[] = {
    {"st_empty.safetensors", YOSO_ERR_INPUT, "the file is empty"},
    {"st_tiny.safetensors", YOSO_ERR_INPUT, "too short"},
    {"st_truncated.safetensors", YOSO_ERR_INPUT, "tensor 'b' data_offsets [24, 32] lie outside"},
    {"st_header_too_big.safetensors", YOSO_ERR_INPUT, "header length 209715200 exceeds the"},
    {"st_header_past_end.safetensors", YOSO_ERR_INPUT, "exceeds the file size"},
    {"st_overlap.safetensors", YOSO_ERR_INPUT, "'a' and 'b' have overlapping data_offsets"},
    {"st_outside.safetensors", YOSO_ERR_INPUT, "data_offsets [24, 1000024] lie outside"},
    {"st_begin_after_end.safetensors", YOSO_ERR_INPUT, "begin 32 is after end 24"},
    {"st_bad_dtype.safetensors", YOSO_ERR_INPUT, "dtype 'F64'"},
    {"st_size_mismatch.safetensors", YOSO_ERR_INPUT, "shape [2, 2] of F32"},
    {"st_negative_shape.safetensors", YOSO_ERR_INPUT, "not a non-negative integer"},
    {"st_missing_offsets.safetensors", YOSO_ERR_INPUT, "tensor 'a' lacks"},
    {"st_entry_not_object.safetensors", YOSO_ERR_INPUT, "entry 'a' is not an object"},
    {"st_not_json.safetensors", YOSO_ERR_INPUT, "header is not a JSON object"},
    {"st_duplicate.safetensors", YOSO_ERR_INPUT, "tensor 'a' appears twice"},
    {"configs", YOSO_ERR_INPUT, "not a regular file"},
    {"does_not_exist.safetensors", YOSO_ERR_NOT_FOUND, "does_not_exist.safetensors"},
};

/* Every malformed file: the right status, the path and the problem in the message. */
static void test_bad_files(void **state) {
    (void)state;
    ref_check_bad_files(k_bad, sizeof k_bad / sizeof k_bad[0]);
    yoso_tensor_file_close(NULL);
}

/* Every prefix of a valid file is refused; the whole file is accepted. */
static void test_every_truncation(void **state) {
    (void)state;
    const char *files[] = {"small.safetensors", "tiny_bf16.safetensors"};
    for (size_t k = 0; k < 2; k++) {
        size_t size = 0;
        char rel[128];
        snprintf(rel, sizeof rel, "loader/%s", files[k]);
        uint8_t *bytes = (uint8_t *)test_read_file(test_data_path(rel), &size);
        assert_non_null(bytes);
        assert_int_equal(ref_open_exact(bytes, size, 1), YOSO_OK);
        for (size_t len = 0; len < size; len += (len < 4096 ? 1 : 61))
            if (ref_open_exact(bytes, len, 1) == YOSO_OK)
                fail_msg("%s cut to %zu bytes opened", rel, len);
        free(bytes);
    }
}

/* Every header byte of the small file replaced by bytes that matter to JSON and numbers:
 * whatever the outcome, nothing crashes or reads outside the buffer. */
static void test_header_mutations(void **state) {
    (void)state;
    size_t size = 0;
    uint8_t *bytes = (uint8_t *)test_read_file(test_data_path("loader/small.safetensors"), &size);
    assert_non_null(bytes);
    size_t hlen = bytes[0] | (bytes[1] << 8);
    static const uint8_t values[] = {0x00, 0xff, '"', '9', '-', '[', '{', '}', 'e', '1', ' '};
    size_t accepted = 0, total = 0;
    for (size_t pos = 0; pos < 8 + hlen; pos++)
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t saved = bytes[pos];
            if (saved == values[v]) continue;
            bytes[pos] = values[v];
            accepted += ref_open_exact(bytes, size, 1) == YOSO_OK;
            total++;
            bytes[pos] = saved;
        }
    assert_true(total > 1000);
    assert_true(accepted < total / 2); /* most single-byte corruptions must be caught */
    free(bytes);
}

/* Memory opens: NULL with size 0 is an empty file; the handle reads the caller's bytes. */
static void test_open_memory(void **state) {
    (void)state;
    yoso_tensor_file *f = NULL;
    assert_int_equal(yoso_tensor_file_open_memory(NULL, 0, &f), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "empty");
    assert_int_equal(yoso_tensor_file_open_memory(NULL, 5, &f), YOSO_ERR_USAGE);
    size_t size = 0;
    uint8_t *bytes = (uint8_t *)test_read_file(test_data_path("loader/small.safetensors"), &size);
    assert_non_null(bytes);
    assert_int_equal(yoso_tensor_file_open_memory(bytes, size, &f), YOSO_OK);
    const yoso_tensor_view *a = yoso_tensor_file_find(f, "a");
    assert_true((const uint8_t *)a->data > bytes && (const uint8_t *)a->data < bytes + size);
    yoso_tensor_file_close(f);
    free(bytes);
}

TEST_MAIN(NULL, NULL, test_non_finite_float32_blocks, test_small_file, test_tiny_f32, test_tiny_f16,
          test_tiny_bf16, test_base_model, test_dtype_conversions, test_non_finite_in_file,
          test_bad_files, test_every_truncation, test_header_mutations, test_open_memory)

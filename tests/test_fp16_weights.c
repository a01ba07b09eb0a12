/* test_fp16_weights.c — fp16 weight storage (--fp16): logits close to the float32 run and to
 * Hugging Face's, with the weights taking about half the device memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "npy.h"
#include "test_support.h"
#include "yoso.h"

/* Tolerance on logits, relative to their largest magnitude: weights rounded to half carry a
 * relative error ≤ 2^-11 each; through a few layers that stays well under 1 %. */
#define FP16_REL_TOL 5e-3

/* Tolerance on fp16 storage of a float16 checkpoint against float32 storage, relative to the
 * largest logit. Both runs multiply the same float32 values (half → float is exact), but not in
 * the same GEMM calls: the fp16 path expands the word embeddings into a scratch of the largest
 * layer matrix and decodes over vocabulary slices (tiny: 6 GEMMs of n ≤ 192 instead of one of
 * n = 1000). A BLAS may sum a dot product in another order for another n (OpenBLAS's AVX2 kernels
 * do: 1.9e-6 = 4 ulps at |logit| 7.5; AVX-512 ones happen not to). Reordering a length-H sum moves
 * it by at most about H·2^-24 relative (H = 64: 3.8e-6); 1e-5 covers that, while one wrongly
 * expanded weight moves logits by > 1e-3. */
#define FP16_SAME_VALUES_REL_TOL 1e-5

/* Loads fixture `name` with or without fp16 weights. */
static yoso_model *load(const char *name, int fp16) {
    char rel[256];
    snprintf(rel, sizeof rel, "models/%s", name);
    yoso_model_options opt = {.fp16_weights = fp16};
    yoso_model *m = NULL;
    if (yoso_model_load(test_ctx, test_data_path(rel), &opt, &m) != YOSO_OK)
        fail_msg("%s: %s", name, yoso_last_error());
    return m;
}

/* Reads models/<name>/<file>. */
static void read_npy(const char *name, const char *file, yoso_npy *out) {
    char rel[256];
    snprintf(rel, sizeof rel, "models/%s/%s", name, file);
    if (yoso_npy_read(test_data_path(rel), out) != YOSO_OK) fail_msg("%s", yoso_last_error());
}

/* Max |a − b| and max |b| over n floats. */
static double max_diff(const float *a, const float *b, size_t n, double *scale) {
    double worst = 0;
    *scale = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(a[i])) return INFINITY;
        worst = fmax(worst, fabs((double)a[i] - b[i]));
        *scale = fmax(*scale, fabs((double)b[i]));
    }
    return worst;
}

/* fp16 logits against the fp32 run and against HF's logits.npy; returns the two models' weight
 * bytes through the pointers. same_values: the checkpoint is float16, so both runs multiply the
 * same numbers (equal up to GEMM summation order); a second fp16 run must repeat every bit. */
static void compare(const char *name, int same_values, size_t *bytes32, size_t *bytes16) {
    yoso_model *m32 = load(name, 0), *m16 = load(name, 1);
    yoso_npy ids, mask, want;
    read_npy(name, "input_ids.npy", &ids);
    read_npy(name, "attention_mask.npy", &mask);
    read_npy(name, "logits.npy", &want);
    const int batch = (int)ids.shape[0], seq = (int)ids.shape[1];
    const size_t vocab = (size_t)want.shape[2], n = (size_t)batch * seq * vocab;
    float *l32 = malloc(n * sizeof(float)), *l16 = malloc(n * sizeof(float));
    float *at_hf = malloc(n * sizeof(float));
    assert_int_equal(yoso_model_logits(m32, batch, seq, ids.data, mask.data, l32), YOSO_OK);
    assert_int_equal(yoso_model_logits(m16, batch, seq, ids.data, mask.data, l16), YOSO_OK);
    double scale, vs32 = max_diff(l16, l32, n, &scale), scale_hf;
    /* HF's logits.npy: at logits_positions.npy's positions where the fixture keeps only those */
    memcpy(at_hf, l16, n * sizeof(float));
    const size_t kept = test_fixture_logits_select(name, batch, seq, vocab, at_hf);
    assert_int_equal(kept, yoso_npy_numel(&want));
    double vs_hf = max_diff(at_hf, want.data, kept, &scale_hf);
    free(at_hf);
    double tol = FP16_REL_TOL * fmax(1.0, scale);
    printf(
        "[ fp16     ] %-10s max |fp16 − fp32| %.3g, max |fp16 − HF| %.3g (scale %.3g, tolerance %.3g)\n",
        name, vs32, vs_hf, scale, tol);
    if (!(vs32 <= tol)) fail_msg("%s: fp16 logits differ from fp32 by %g > %g", name, vs32, tol);
    if (!(vs_hf <= tol)) fail_msg("%s: fp16 logits differ from HF by %g > %g", name, vs_hf, tol);
    /* float32 weights really are rounded to half; half weights are expanded exactly */
    if (same_values) {
        if (!(vs32 <= FP16_SAME_VALUES_REL_TOL * fmax(1.0, scale)))
            fail_msg("%s: fp16 storage of half weights differs from fp32 storage by %g", name,
                     vs32);
        float *again = malloc(n * sizeof(float));
        assert_int_equal(yoso_model_logits(m16, batch, seq, ids.data, mask.data, again), YOSO_OK);
        assert_memory_equal(again, l16, n * sizeof(float)); /* the same calls: the same bits */
        free(again);
    } else {
        assert_true(vs32 > 1e-4 * fmax(1.0, scale));
    }
    *bytes32 = m32->weight_bytes;
    *bytes16 = m16->weight_bytes;
    free(l32);
    free(l16);
    yoso_npy_release(&ids);
    yoso_npy_release(&mask);
    yoso_npy_release(&want);
    yoso_model_free(m32);
    yoso_model_free(m16);
}

static void test_tiny(void **state) {
    size_t a, b;
    compare("tiny", 0, &a, &b);
}

/* Padded rows and odd sizes. */
static void test_odd(void **state) {
    size_t a, b;
    compare("odd", 0, &a, &b);
}

/* The real 50265-word vocabulary: the decoder runs over several vocabulary slices, and the
 * weights (dominated by the word embeddings) take little more than half the fp32 bytes. The
 * checkpoint is stored as float16 (so both runs multiply the same values); tiny and odd check that
 * float32 weights really get rounded. */
static void test_realvocab_memory(void **state) {
    size_t b32, b16;
    compare("realvocab", 1, &b32, &b16);
    printf("[ fp16     ] weights: fp32 %.2f MiB, fp16 %.2f MiB (with the expansion scratch)\n",
           b32 / 1048576.0, b16 / 1048576.0);
    assert_true((double)b16 < 0.6 * (double)b32);
}

/* A checkpoint stored as float16: fp16 storage gives float32 storage's logits (up to GEMM
 * summation order), and repeats its own bits. */
static void test_f16_checkpoint(void **state) {
    size_t a, b;
    compare("f16", 1, &a, &b);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_tiny, test_odd, test_realvocab_memory,
          test_f16_checkpoint)

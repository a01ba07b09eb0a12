/* test_model_golden.c — our logits and hidden states against Hugging Face transformers' own. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"
#include "test_support.h"
#include "yoso.h"

static yoso_context *g_ctx;

static int setup(void **state) {
    yoso_context_options opt = {0};
    if (yoso_context_create(&opt, &g_ctx) != YOSO_OK) {
        fprintf(stderr, "%s\n", yoso_last_error());
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    yoso_context_free(g_ctx);
    return 0;
}

/* Reads tests/data/models/<name>/<file>, failing the test if it is missing. */
static void read_fixture(const char *name, const char *file, yoso_npy *out) {
    char rel[512];
    snprintf(rel, sizeof rel, "models/%s/%s", name, file);
    if (yoso_npy_read(test_data_path(rel), out) != YOSO_OK) fail_msg("%s", yoso_last_error());
}

/* 1 if the fixture folder has this file. */
static int fixture_has(const char *name, const char *file) {
    char rel[512];
    snprintf(rel, sizeof rel, "models/%s/%s", name, file);
    return access(test_data_path(rel), R_OK) == 0;
}

/* Max |a − b| over n floats, and the max |b| (the scale of the expected values). */
static double max_abs_diff(const float *a, const float *b, size_t n, double *scale) {
    double worst = 0;
    *scale = 0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, fabs((double)a[i] - b[i]));
        *scale = fmax(*scale, fabs((double)b[i]));
        if (isnan(a[i])) return INFINITY;
    }
    return worst;
}

/* Logits at some positions only (yoso_model_logits_at: the last layer's output projection and
 * FFN run on those rows alone) against HF's: the fixture's logits_positions in every batch row,
 * else every third position; want holds HF's logits as logits.npy lays them out. */
static void check_logits_at(const char *name, yoso_model *model, const yoso_npy *ids,
                            const yoso_npy *mask, const yoso_npy *want, size_t vocab) {
    const int batch = (int)ids->shape[0], seq = (int)ids->shape[1];
    yoso_npy pos = {0};
    const int has_pos = fixture_has(name, "logits_positions.npy");
    if (has_pos) read_fixture(name, "logits_positions.npy", &pos);
    const int per_row = has_pos ? (int)yoso_npy_numel(&pos) : (seq + 1) / 3;
    const int npos = batch * per_row;
    int32_t *at = malloc((size_t)npos * sizeof(int32_t));
    size_t *want_row = malloc((size_t)npos * sizeof(size_t));
    for (int b = 0; b < batch; b++)
        for (int i = 0; i < per_row; i++) {
            const int t = has_pos ? ((const int32_t *)pos.data)[i] : 3 * i;
            at[b * per_row + i] = b * seq + t;
            want_row[b * per_row + i] = has_pos ? (size_t)(b * per_row + i) : (size_t)(b * seq + t);
        }
    float *got = malloc((size_t)npos * vocab * sizeof(float));
    if (yoso_model_logits_at(model, batch, seq, ids->data, mask->data, at, npos, got) != YOSO_OK)
        fail_msg("%s: %s", name, yoso_last_error());
    double err = 0, scale = 0;
    const float *w = want->data;
    for (int r = 0; r < npos; r++) {
        double row_scale, row_err = max_abs_diff(got + (size_t)r * vocab, w + want_row[r] * vocab,
                                                 vocab, &row_scale);
        err = fmax(err, row_err), scale = fmax(scale, row_scale);
    }
    const double tol = 1e-4 * fmax(1.0, scale);
    printf("[ fixture  ] %-14s %-10s max |error| %.3g at %d positions (tolerance %.3g)\n", name,
           "logits_at", err, npos, tol);
    if (!(err <= tol)) fail_msg("%s logits_at: max error %g exceeds %g", name, err, tol);
    free(at), free(want_row), free(got);
    if (has_pos) yoso_npy_release(&pos);
}

/* Runs one fixture: logits (if the fixture has them), at all positions and at some, and hidden
 * states. */
static void check_fixture(const char *name) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", test_data_path("models"));
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/%s", name);
    yoso_model_options mopt = {0};
    yoso_model *model = NULL;
    if (yoso_model_load(g_ctx, dir, &mopt, &model) != YOSO_OK)
        fail_msg("%s: %s", name, yoso_last_error());
    yoso_npy ids, mask;
    read_fixture(name, "input_ids.npy", &ids);
    read_fixture(name, "attention_mask.npy", &mask);
    const int batch = (int)ids.shape[0], seq = (int)ids.shape[1];
    const char *outputs[2] = {"logits.npy", "hidden.npy"};
    for (int o = 0; o < 2; o++) {
        if (!fixture_has(name, outputs[o])) continue;
        yoso_npy want;
        read_fixture(name, outputs[o], &want);
        size_t n = (size_t)yoso_npy_numel(&want);
        const size_t width = (size_t)want.shape[want.ndim - 1];
        float *got = malloc((size_t)batch * seq * width * sizeof(float));
        yoso_status st = o == 0 ? yoso_model_logits(model, batch, seq, ids.data, mask.data, got)
                                : yoso_model_hidden(model, batch, seq, ids.data, mask.data, got);
        if (st != YOSO_OK) fail_msg("%s: %s", name, yoso_last_error());
        /* logits.npy may hold some positions only (logits_positions.npy); hidden.npy holds all */
        if (o == 0) assert_int_equal(test_fixture_logits_select(name, batch, seq, width, got), n);
        double scale, err = max_abs_diff(got, want.data, n, &scale);
        double tol = 1e-4 * fmax(1.0, scale);
        printf("[ fixture  ] %-14s %-10s max |error| %.3g (scale %.3g, tolerance %.3g)\n", name,
               outputs[o], err, scale, tol);
        if (!(err <= tol)) fail_msg("%s %s: max error %g exceeds %g", name, outputs[o], err, tol);
        if (o == 0) check_logits_at(name, model, &ids, &mask, &want, width);
        free(got);
        yoso_npy_release(&want);
    }
    yoso_npy_release(&ids);
    yoso_npy_release(&mask);
    yoso_model_free(model);
}

static void test_tiny(void **state) {
    check_fixture("tiny");
}
static void test_odd(void **state) {
    check_fixture("odd");
}
static void test_long4096(void **state) {
    check_fixture("long4096");
}
static void test_realvocab(void **state) {
    check_fixture("realvocab");
}
static void test_f16(void **state) {
    check_fixture("f16");
}
static void test_conv(void **state) {
    check_fixture("conv");
}
static void test_base(void **state) {
    check_fixture("base");
}
static void test_tiny_bin(void **state) {
    check_fixture("tiny-bin");
}
static void test_tiny_bin_f16(void **state) {
    check_fixture("tiny-bin-f16");
}
/* yoso-4096's attention geometry: head dim 64, τ 9, m 64 (hidden 128, 2 heads). */
static void test_hd64(void **state) {
    check_fixture("hd64");
}
/* The same past 512 tokens. */
static void test_hd64_long(void **state) {
    check_fixture("hd64-long");
}

TEST_MAIN(setup, teardown, test_tiny, test_odd, test_long4096, test_realvocab, test_f16, test_conv,
          test_base, test_tiny_bin, test_tiny_bin_f16, test_hd64, test_hd64_long)

/* test_model_paths.c — every GEMM backend × expectation-attention path gives Hugging Face's
 * logits: host BLAS or CLBlast ($YOSO_GEMM), fused on the host (host BLAS only), blocked GEMM or
 * tiled kernel ($YOSO_EXPECTATION). The default on a CPU is host BLAS + fused; GPUs take
 * CLBlast + tiled: all stay tested. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "model.h"
#include "npy.h"
#include "test_support.h"
#include "yoso.h"

/* Logits of fixture `name` under the given backend and path, checked against logits.npy with
 * the golden tests' tolerance, 1e-4 × max(1, |largest logit|). */
static void check(const char *name, const char *gemm, const char *path) {
    char rel[256];
    setenv("YOSO_GEMM", gemm, 1);
    setenv("YOSO_EXPECTATION", path, 1);
    yoso_context_options copt = {0};
    yoso_context *ctx = NULL;
    yoso_model *m = NULL;
    if (yoso_context_create(&copt, &ctx) != YOSO_OK) fail_msg("%s", yoso_last_error());
    yoso_gemm_kind want = !strcmp(gemm, "host") ? YOSO_GEMM_HOST_BLAS : YOSO_GEMM_CLBLAST;
    if (yoso_gemm_get_kind(ctx->gemm) != want) {
        printf("[ skipped  ] %s: backend %s unavailable\n", name, gemm);
        yoso_context_free(ctx);
        return;
    }
    snprintf(rel, sizeof rel, "models/%s", name);
    yoso_model_options mopt = {.attention = YOSO_ATTENTION_EXPECTATION};
    if (yoso_model_load(ctx, test_data_path(rel), &mopt, &m) != YOSO_OK)
        fail_msg("%s", yoso_last_error());
    assert_string_equal(yoso_attention_expectation_path(m->attention), path);
    yoso_npy ids, mask, want_logits;
    const char *files[3] = {"input_ids.npy", "attention_mask.npy", "logits.npy"};
    yoso_npy *outs[3] = {&ids, &mask, &want_logits};
    for (int i = 0; i < 3; i++) {
        snprintf(rel, sizeof rel, "models/%s/%s", name, files[i]);
        if (yoso_npy_read(test_data_path(rel), outs[i]) != YOSO_OK)
            fail_msg("%s", yoso_last_error());
    }
    size_t n = (size_t)yoso_npy_numel(&want_logits);
    float *got = malloc(n * sizeof(float));
    const float *ref = want_logits.data;
    assert_int_equal(
        yoso_model_logits(m, (int)ids.shape[0], (int)ids.shape[1], ids.data, mask.data, got),
        YOSO_OK);
    double worst = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, isnan(got[i]) ? INFINITY : fabs((double)got[i] - ref[i]));
        scale = fmax(scale, fabs((double)ref[i]));
    }
    double tol = 1e-4 * fmax(1.0, scale);
    printf("[ path     ] %-9s %-8s %-8s max |error| %.3g (tolerance %.3g)\n", name, gemm, path,
           worst, tol);
    if (!(worst <= tol))
        fail_msg("%s with %s + %s: max error %g > %g", name, gemm, path, worst, tol);
    free(got);
    for (int i = 0; i < 3; i++) yoso_npy_release(outs[i]);
    yoso_model_free(m);
    yoso_context_free(ctx);
}

/* A padded batch of three rows (odd sizes) under all five combinations. */
static void test_padded_batch_all_paths(void **state) {
    check("odd", "host", "fused");
    check("odd", "host", "blocked");
    check("odd", "host", "tiled");
    check("odd", "clblast", "blocked");
    check("odd", "clblast", "tiled");
}

/* 4096 tokens: the blocked path runs several query blocks, the fused one many query tiles. */
static void test_long_sequence_both_attention_paths(void **state) {
    check("long4096", "host", "fused");
    check("long4096", "host", "blocked");
    check("long4096", "host", "tiled");
}

/* Head dim 64 (yoso-4096's): the tiled kernel's key tiles hold 64-float rows, the blocked path
 * 64-deep GEMMs; 40 and 600 tokens, every combination. */
static void test_head_dim_64_all_paths(void **state) {
    const char *fixtures[2] = {"hd64", "hd64-long"};
    for (int f = 0; f < 2; f++) {
        check(fixtures[f], "host", "fused");
        check(fixtures[f], "host", "blocked");
        check(fixtures[f], "host", "tiled");
        check(fixtures[f], "clblast", "blocked");
        check(fixtures[f], "clblast", "tiled");
    }
}

TEST_MAIN(NULL, NULL, test_padded_batch_all_paths, test_long_sequence_both_attention_paths,
          test_head_dim_64_all_paths)

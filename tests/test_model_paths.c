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

/* Max |got − want| over n floats (infinite at a NaN) and max |want| through scale. */
static double max_error(const float *got, const float *want, size_t n, double *scale) {
    double worst = 0;
    *scale = 0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, isnan(got[i]) ? INFINITY : fabs((double)got[i] - want[i]));
        *scale = fmax(*scale, fabs((double)want[i]));
    }
    return worst;
}

/* Logits and hidden states of fixture `name` under the given backend and path, checked against
 * logits.npy (at logits_positions.npy's positions where the fixture keeps only those) and
 * hidden.npy (every position) with the golden tests' tolerance, 1e-4 × max(1, |largest value|). */
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
    yoso_npy ids, mask, want_logits, want_hidden;
    const char *files[4] = {"input_ids.npy", "attention_mask.npy", "logits.npy", "hidden.npy"};
    yoso_npy *outs[4] = {&ids, &mask, &want_logits, &want_hidden};
    for (int i = 0; i < 4; i++) {
        snprintf(rel, sizeof rel, "models/%s/%s", name, files[i]);
        if (yoso_npy_read(test_data_path(rel), outs[i]) != YOSO_OK)
            fail_msg("%s", yoso_last_error());
    }
    const int batch = (int)ids.shape[0], seq = (int)ids.shape[1];
    const size_t vocab = (size_t)want_logits.shape[2], hidden = (size_t)want_hidden.shape[2];
    float *got = malloc((size_t)batch * seq * (vocab > hidden ? vocab : hidden) * sizeof(float));
    for (int o = 0; o < 2; o++) {
        const yoso_npy *ref = o == 0 ? &want_logits : &want_hidden;
        size_t n = (size_t)yoso_npy_numel(ref);
        yoso_status st = o == 0 ? yoso_model_logits(m, batch, seq, ids.data, mask.data, got)
                                : yoso_model_hidden(m, batch, seq, ids.data, mask.data, got);
        if (st != YOSO_OK) fail_msg("%s: %s", name, yoso_last_error());
        if (o == 0) assert_int_equal(test_fixture_logits_select(name, batch, seq, vocab, got), n);
        double scale, worst = max_error(got, ref->data, n, &scale);
        double tol = 1e-4 * fmax(1.0, scale);
        printf("[ path     ] %-9s %-8s %-8s %-6s max |error| %.3g (tolerance %.3g)\n", name, gemm,
               path, o == 0 ? "logits" : "hidden", worst, tol);
        if (!(worst <= tol))
            fail_msg("%s with %s + %s: %s max error %g > %g", name, gemm, path,
                     o == 0 ? "logits" : "hidden", worst, tol);
    }
    free(got);
    for (int i = 0; i < 4; i++) yoso_npy_release(outs[i]);
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

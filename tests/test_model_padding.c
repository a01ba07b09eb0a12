/* test_model_padding.c — padding is masked for real: a padded row equals that row run alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "yoso.h"

static yoso_model *g_model;

static int setup(void **state) {
    if (test_context_setup(state)) return -1;
    return test_setup_model("models/tiny", YOSO_ATTENTION_CONFIG, &g_model);
}

static int teardown(void **state) {
    yoso_model_free(g_model);
    return test_context_teardown(state);
}

/* Runs rows of lengths lens[] as one right-padded batch and each alone; compares valid positions.
 */
static void check_padded_batch(const int *lens, int batch, int with_hidden) {
    yoso_model_info info;
    yoso_model_get_info(g_model, &info);
    int seq = 0;
    for (int b = 0; b < batch; b++) seq = lens[b] > seq ? lens[b] : seq;
    const int width = with_hidden ? info.hidden_size : info.vocab_size;
    int32_t *ids = calloc((size_t)batch * seq, sizeof *ids),
            *mask = calloc((size_t)batch * seq, sizeof *mask);
    unsigned s = 12345;
    for (int b = 0; b < batch; b++)
        for (int t = 0; t < seq; t++) {
            s = s * 1103515245u + 12345u;
            int valid = t < lens[b];
            ids[b * seq + t] = !valid   ? info.pad_token_id
                               : t == 0 ? info.bos_token_id
                               : t == lens[b] - 1
                                   ? info.eos_token_id
                                   : (int)(3 + (s >> 8) % (unsigned)(info.vocab_size - 3));
            mask[b * seq + t] = valid;
        }
    float *batched = malloc((size_t)batch * seq * width * sizeof(float));
    float *alone = malloc((size_t)seq * width * sizeof(float));
    yoso_status st = with_hidden ? yoso_model_hidden(g_model, batch, seq, ids, mask, batched)
                                 : yoso_model_logits(g_model, batch, seq, ids, mask, batched);
    assert_int_equal(st, YOSO_OK);
    for (int b = 0; b < batch; b++) {
        st = with_hidden ? yoso_model_hidden(g_model, 1, lens[b], ids + b * seq, NULL, alone)
                         : yoso_model_logits(g_model, 1, lens[b], ids + b * seq, NULL, alone);
        assert_int_equal(st, YOSO_OK);
        double worst = 0, scale = 0;
        for (int t = 0; t < lens[b]; t++)
            for (int c = 0; c < width; c++) {
                double x = batched[((size_t)b * seq + t) * width + c],
                       y = alone[(size_t)t * width + c];
                worst = fmax(worst, fabs(x - y));
                scale = fmax(scale, fabs(y));
            }
        printf("[ padding  ] row %d (length %d of %d): max |batched − alone| %.3g (scale %.3g)\n",
               b, lens[b], seq, worst, scale);
        if (!(worst <= 1e-5 * fmax(1.0, scale))) fail_msg("row %d differs by %g", b, worst);
    }
    free(ids);
    free(mask);
    free(batched);
    free(alone);
}

static void test_padded_logits_equal_single_rows(void **state) {
    const int lens[] = {16, 5, 11, 1};
    check_padded_batch(lens, 4, 0);
}

static void test_padded_hidden_equal_single_rows(void **state) {
    const int lens[] = {3, 40, 17};
    check_padded_batch(lens, 3, 1);
}

/* Without masking, padding would change the result: guard that the test can fail. */
static void test_padding_changes_unmasked_result(void **state) {
    yoso_model_info info;
    yoso_model_get_info(g_model, &info);
    int32_t ids[8] = {0, 10, 20, 30, 2, 1, 1, 1};
    int32_t mask[8] = {1, 1, 1, 1, 1, 0, 0, 0};
    float *masked = malloc(8 * (size_t)info.vocab_size * sizeof(float));
    float *unmasked = malloc(8 * (size_t)info.vocab_size * sizeof(float));
    assert_int_equal(yoso_model_logits(g_model, 1, 8, ids, mask, masked), YOSO_OK);
    assert_int_equal(yoso_model_logits(g_model, 1, 8, ids, NULL, unmasked), YOSO_OK);
    double diff = 0;
    for (int i = 0; i < 5 * info.vocab_size; i++) diff = fmax(diff, fabs(masked[i] - unmasked[i]));
    assert_true(diff > 1e-3);
    free(masked);
    free(unmasked);
}

static void test_bad_inputs_are_rejected(void **state) {
    yoso_model_info info;
    yoso_model_get_info(g_model, &info);
    float out[4096];
    int32_t ids[3] = {0, info.vocab_size, 2};
    assert_int_equal(yoso_model_hidden(g_model, 1, 3, ids, NULL, out), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "outside the vocabulary"));
    int32_t ok_ids[3] = {0, 5, 2}, bad_mask[3] = {1, 2, 1};
    assert_int_equal(yoso_model_hidden(g_model, 1, 3, ok_ids, bad_mask, out), YOSO_ERR_INPUT);
    int32_t *longer = calloc((size_t)info.max_tokens + 1, sizeof *longer);
    float *big = malloc(((size_t)info.max_tokens + 1) * info.hidden_size * sizeof(float));
    assert_int_equal(yoso_model_hidden(g_model, 1, info.max_tokens + 1, longer, NULL, big),
                     YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "at most"));
    free(longer);
    free(big);
}

TEST_MAIN(setup, teardown, test_padded_logits_equal_single_rows,
          test_padded_hidden_equal_single_rows, test_padding_changes_unmasked_result,
          test_bad_inputs_are_rejected)

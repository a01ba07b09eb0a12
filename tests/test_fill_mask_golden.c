/* test_fill_mask_golden.c — fill-mask against Hugging Face's pipeline("fill-mask") outputs. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "yoso.h"

static yoso_context *g_ctx;
static yoso_model *g_model;
static yoso_tokenizer *g_tok;
static cJSON *g_cases[64];
static int g_ncases;

static int setup(void **state) {
    yoso_context_options opt = {0};
    yoso_model_options mopt = {0};
    const char *dir = test_data_path("fillmask/model");
    if (yoso_context_create(&opt, &g_ctx) != YOSO_OK ||
        yoso_model_load(g_ctx, dir, &mopt, &g_model) != YOSO_OK ||
        yoso_tokenizer_load(test_data_path("fillmask/model"), &g_tok) != YOSO_OK) {
        fprintf(stderr, "setup: %s\n", yoso_last_error());
        return -1;
    }
    char *text = test_read_file(test_data_path("fillmask/cases.jsonl"), NULL);
    if (!text) return -1;
    for (char *line = strtok(text, "\n"); line && g_ncases < 64; line = strtok(NULL, "\n"))
        g_cases[g_ncases++] = cJSON_Parse(line);
    free(text);
    return g_ncases >= 20 ? 0 : -1;
}

static int teardown(void **state) {
    for (int i = 0; i < g_ncases; i++) cJSON_Delete(g_cases[i]);
    yoso_tokenizer_free(g_tok);
    yoso_model_free(g_model);
    yoso_context_free(g_ctx);
    return 0;
}

/* Builds the request of a case; targets point into the case's JSON. */
static yoso_fill_request case_request(const cJSON *c, const char **targets) {
    yoso_fill_request r = {0};
    r.text = cJSON_GetObjectItem(c, "text")->valuestring;
    r.top_k = cJSON_GetObjectItem(c, "top_k")->valueint;
    const cJSON *t = cJSON_GetObjectItem(c, "targets"), *w;
    if (cJSON_IsArray(t)) {
        cJSON_ArrayForEach(w, t) targets[r.num_targets++] = w->valuestring;
        r.targets = targets;
    }
    return r;
}

/* Compares one list of HF predictions with ours for mask m. */
static void compare_mask(const char *name, const cJSON *want, const yoso_fill_result *got, int m) {
    assert_int_equal(cJSON_GetArraySize(want), got->top_k);
    for (int i = 0; i < got->top_k; i++) {
        const cJSON *w = cJSON_GetArrayItem(want, i);
        const yoso_prediction *p = &got->predictions[(size_t)m * got->top_k + i];
        int token = cJSON_GetObjectItem(w, "token")->valueint;
        double score = cJSON_GetObjectItem(w, "score")->valuedouble;
        if (p->token != token)
            fail_msg("%s mask %d rank %d: token %d, HF %d", name, m, i, p->token, token);
        if (fabs(p->score - score) > 1e-5)
            fail_msg("%s mask %d rank %d: score %.8f, HF %.8f", name, m, i, p->score, score);
        assert_string_equal(p->token_str, cJSON_GetObjectItem(w, "token_str")->valuestring);
        assert_string_equal(p->sequence, cJSON_GetObjectItem(w, "sequence")->valuestring);
    }
}

/* Compares a whole result: one list for one mask, a list of lists for several. */
static void compare_case(const cJSON *c, const yoso_fill_result *got) {
    const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
    const cJSON *expected = cJSON_GetObjectItem(c, "expected");
    int masks = cJSON_GetArraySize(cJSON_GetObjectItem(c, "mask_positions"));
    assert_int_equal(got->num_masks, masks);
    if (masks == 1)
        compare_mask(name, expected, got, 0);
    else
        for (int m = 0; m < masks; m++) compare_mask(name, cJSON_GetArrayItem(expected, m), got, m);
}

static void test_each_case_alone(void **state) {
    for (int i = 0; i < g_ncases; i++) {
        const char *targets[16];
        yoso_fill_request r = case_request(g_cases[i], targets);
        yoso_fill_result res;
        if (yoso_fill_mask(g_model, g_tok, &r, 1, &res) != YOSO_OK)
            fail_msg("case %d: %s", i, yoso_last_error());
        compare_case(g_cases[i], &res);
        yoso_fill_result_release(&res);
    }
}

static void test_cases_as_padded_batches(void **state) {
    for (int start = 0; start < g_ncases; start += 7) {
        int n = g_ncases - start < 7 ? g_ncases - start : 7;
        const char *targets[7][16];
        yoso_fill_request reqs[7];
        yoso_fill_result res[7];
        for (int i = 0; i < n; i++) reqs[i] = case_request(g_cases[start + i], targets[i]);
        if (yoso_fill_mask(g_model, g_tok, reqs, n, res) != YOSO_OK)
            fail_msg("%s", yoso_last_error());
        for (int i = 0; i < n; i++) {
            compare_case(g_cases[start + i], &res[i]);
            yoso_fill_result_release(&res[i]);
        }
    }
}

/* Up to 16 cases of every length in one call, longest first: the call runs them as chunks of
 * like length (shortest first) and each result still lands at its own index. */
static void test_mixed_lengths_in_one_call(void **state) {
    enum { N = 16 };
    const char *targets[N][16];
    yoso_fill_request reqs[N] = {{0}};
    yoso_fill_result res[N];
    int n = g_ncases < N ? g_ncases : N;
    for (int i = 0; i < n; i++) reqs[i] = case_request(g_cases[g_ncases - 1 - i], targets[i]);
    if (yoso_fill_mask(g_model, g_tok, reqs, n, res) != YOSO_OK) fail_msg("%s", yoso_last_error());
    for (int i = 0; i < n; i++) {
        compare_case(g_cases[g_ncases - 1 - i], &res[i]);
        yoso_fill_result_release(&res[i]);
    }
}

static void test_cli_jsonl_matches_hf(void **state) {
    char *dir = test_make_temp_dir(), in[512], cmd[2048];
    snprintf(in, sizeof in, "%s/in.jsonl", dir);
    FILE *f = fopen(in, "w");
    for (int i = 0; i < g_ncases; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "text", cJSON_GetObjectItem(g_cases[i], "text")->valuestring);
        cJSON_AddNumberToObject(o, "top_k", cJSON_GetObjectItem(g_cases[i], "top_k")->valueint);
        cJSON_AddItemToObject(o, "targets",
                              cJSON_Duplicate(cJSON_GetObjectItem(g_cases[i], "targets"), 1));
        char *line = cJSON_PrintUnformatted(o);
        fprintf(f, "%s\n", line);
        free(line);
        cJSON_Delete(o);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s fill-mask --jsonl -m %s < %s", YOSO_CLI,
             test_data_path("fillmask/model"), in);
    char *out = NULL, *err = NULL;
    int rc = test_run(cmd, &out, &err);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    int i = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), i++) {
        cJSON *got = cJSON_Parse(line), *want = cJSON_GetObjectItem(g_cases[i], "expected");
        assert_non_null(got);
        assert_int_equal(cJSON_GetArraySize(got), cJSON_GetArraySize(want));
        /* Flatten both to rank lists and compare every field. */
        int multi = cJSON_IsArray(cJSON_GetArrayItem(want, 0));
        for (int m = 0; m < (multi ? cJSON_GetArraySize(want) : 1); m++) {
            cJSON *gl = multi ? cJSON_GetArrayItem(got, m) : got,
                  *wl = multi ? cJSON_GetArrayItem(want, m) : want;
            for (int r = 0; r < cJSON_GetArraySize(wl); r++) {
                cJSON *g = cJSON_GetArrayItem(gl, r), *w = cJSON_GetArrayItem(wl, r);
                assert_int_equal(cJSON_GetObjectItem(g, "token")->valueint,
                                 cJSON_GetObjectItem(w, "token")->valueint);
                assert_true(fabs(cJSON_GetObjectItem(g, "score")->valuedouble -
                                 cJSON_GetObjectItem(w, "score")->valuedouble) <= 1e-5);
                assert_string_equal(cJSON_GetObjectItem(g, "token_str")->valuestring,
                                    cJSON_GetObjectItem(w, "token_str")->valuestring);
                assert_string_equal(cJSON_GetObjectItem(g, "sequence")->valuestring,
                                    cJSON_GetObjectItem(w, "sequence")->valuestring);
            }
        }
        cJSON_Delete(got);
    }
    assert_int_equal(i, g_ncases);
    free(out);
    free(err);
    test_remove_temp_dir(dir);
}

static void test_cli_json_single_text(void **state) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s fill-mask --json -m %s 'Paris is the [MASK] of France.'",
             YOSO_CLI, test_data_path("fillmask/model"));
    char *out = NULL, *err = NULL;
    assert_int_equal(test_run(cmd, &out, &err), 0);
    cJSON *got = cJSON_Parse(out);
    assert_non_null(got);
    assert_int_equal(cJSON_GetArraySize(got), 5);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(got, 0), "sequence")->valuestring,
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(g_cases[0], "expected"), 0),
                            "sequence")
            ->valuestring);
    cJSON_Delete(got);
    free(out);
    free(err);
}

/* The API example program (tools/examples/example_fill_mask.c) prints HF's top prediction first. */
static void test_api_example_program(void **state) {
    char cmd[4096], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s/example_fill_mask %s 'Paris is the [MASK] of France.'",
             YOSO_BUILD_DIR, test_data_path("fillmask/model"));
    assert_int_equal(test_run(cmd, &out, &err), 0);
    const cJSON *best = cJSON_GetArrayItem(cJSON_GetObjectItem(g_cases[0], "expected"), 0);
    assert_non_null(strstr(out, cJSON_GetObjectItem(best, "sequence")->valuestring));
    free(out);
    free(err);
}

static void test_no_mask_and_bad_top_k_are_usage_errors(void **state) {
    yoso_fill_request r = {.text = "no mask here", .top_k = 5};
    yoso_fill_result res;
    assert_int_equal(yoso_fill_mask(g_model, g_tok, &r, 1, &res), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "no mask"));
    r.text = "a <mask>";
    r.top_k = 0;
    assert_int_equal(yoso_fill_mask(g_model, g_tok, &r, 1, &res), YOSO_ERR_USAGE);
    r.top_k = 50266;
    assert_int_equal(yoso_fill_mask(g_model, g_tok, &r, 1, &res), YOSO_ERR_USAGE);
}

TEST_MAIN(setup, teardown, test_each_case_alone, test_cases_as_padded_batches,
          test_mixed_lengths_in_one_call, test_cli_jsonl_matches_hf, test_cli_json_single_text,
          test_api_example_program, test_no_mask_and_bad_top_k_are_usage_errors)

/* test_task_json.c — the pipelines as JSON (yoso_task_run_json): Hugging Face inference requests
 * in, exactly the pipeline's JSON out (fill-mask against tests/data/fillmask), strict request
 * parsing, task names, and the head check that names what a checkpoint can run. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "yoso.h"

static yoso_model *g_mlm, *g_seqcls;
static yoso_tokenizer *g_tok;

/* Builds {"inputs": text, "parameters": {"top_k", "targets"}} for a fill-mask case. */
static char *fill_case_request(const cJSON *c) {
    cJSON *req = cJSON_CreateObject(), *params = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "inputs", cJSON_GetObjectItem(c, "text")->valuestring);
    cJSON_AddNumberToObject(params, "top_k", cJSON_GetObjectItem(c, "top_k")->valuedouble);
    const cJSON *t = cJSON_GetObjectItem(c, "targets");
    if (cJSON_IsArray(t)) cJSON_AddItemToObject(params, "targets", cJSON_Duplicate(t, 1));
    cJSON_AddItemToObject(req, "parameters", params);
    return test_json_take(req);
}

/* Every fill-mask golden case under 100 tokens as one batch of JSON requests: each response is
 * the pipeline's JSON within 1e-5. */
static void test_fill_mask_json_matches_pipeline(void **state) {
    (void)state;
    char *text = test_read_file(test_data_path("fillmask/cases.jsonl"), NULL);
    assert_non_null(text);
    cJSON *cases[64];
    char *requests[64], *responses[64];
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < 64; line = strtok(NULL, "\n")) {
        cJSON *c = cJSON_Parse(line);
        if (cJSON_GetArraySize(cJSON_GetObjectItem(c, "input_ids")) > 100) {
            cJSON_Delete(c);
            continue;
        }
        cases[n] = c;
        requests[n++] = fill_case_request(c);
    }
    free(text);
    assert_true(n >= 20);
    assert_int_equal(yoso_task_run_json(g_mlm, g_tok, YOSO_TASK_FILL_MASK,
                                        (const char *const *)requests, n, responses),
                     YOSO_OK);
    for (int i = 0; i < n; i++) {
        char *want = cJSON_PrintUnformatted(cJSON_GetObjectItem(cases[i], "expected")), why[512];
        if (!test_json_match(responses[i], want, 1e-5, why, sizeof why))
            fail_msg("%s: %s", cJSON_GetObjectItem(cases[i], "name")->valuestring, why);
        free(want);
        free(responses[i]);
        free(requests[i]);
        cJSON_Delete(cases[i]);
    }
}

/* Runs one request and expects failure with status st and a message containing part. */
static void expect_failure(yoso_model *m, yoso_task task, const char *request, yoso_status st,
                           const char *part) {
    char *out = (char *)0x1;
    const char *reqs[] = {request};
    yoso_status got = yoso_task_run_json(m, g_tok, task, reqs, 1, &out);
    if (got != st || !strstr(yoso_last_error(), part))
        fail_msg("%s: got %s \"%s\", want %s with \"%s\"", request, yoso_status_string(got),
                 yoso_last_error(), yoso_status_string(st), part);
}

/* Malformed requests are refused with one line naming the input and what to fix. */
static void test_requests_are_checked(void **state) {
    (void)state;
    const yoso_task F = YOSO_TASK_FILL_MASK;
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\"} x", YOSO_ERR_INPUT, "input 0: ");
    expect_failure(g_mlm, F, "\"a <mask>\"", YOSO_ERR_INPUT, "must be a JSON object");
    expect_failure(g_mlm, F, "{}", YOSO_ERR_INPUT, "no \"inputs\"");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"inputs\": \"b\"}", YOSO_ERR_INPUT,
                   "\"inputs\" is given twice");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"text\": \"b\"}", YOSO_ERR_INPUT,
                   "unknown key \"text\"");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"parameters\": {\"topk\": 2}}",
                   YOSO_ERR_INPUT, "unknown key \"topk\" in \"parameters\": the keys are top_k");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"parameters\": [1]}", YOSO_ERR_INPUT,
                   "\"parameters\" must be an object");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"parameters\": {\"top_k\": 2.5}}",
                   YOSO_ERR_INPUT, "\"top_k\" must be an integer");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"parameters\": {\"top_k\": 0}}",
                   YOSO_ERR_INPUT, "\"top_k\" must be an integer in 1..");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"parameters\": {\"targets\": [1]}}",
                   YOSO_ERR_INPUT, "\"targets\" must be a list of strings");
    expect_failure(g_mlm, F, "{\"inputs\": \"a <mask>\", \"parameters\": {\"targets\": []}}",
                   YOSO_ERR_INPUT, "empty list");
    expect_failure(g_mlm, F, "{\"inputs\": 7}", YOSO_ERR_INPUT, "\"inputs\" must be a string");
    expect_failure(g_mlm, F, "{\"inputs\": \"a\\u0000 <mask>\"}", YOSO_ERR_INPUT, "U+0000");
    expect_failure(g_mlm, F, "{\"inputs\": \"no mask here\"}", YOSO_ERR_INPUT, "has no mask");
    /* the failing input is named by its index in the batch; nothing is returned */
    const char *reqs[] = {"{\"inputs\": \"a <mask>\"}", "{\"inputs\": \"b\"}"};
    char *out[2] = {NULL, NULL};
    assert_int_equal(yoso_task_run_json(g_mlm, g_tok, F, reqs, 2, out), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "input 1: "));
    assert_null(out[0]);
    assert_null(out[1]);
    /* a null parameter is Python's None: the default */
    const char *dflt[] = {"{\"inputs\": \"a <mask>\", \"parameters\": {\"top_k\": null}}"};
    assert_int_equal(yoso_task_run_json(g_mlm, g_tok, F, dflt, 1, out), YOSO_OK);
    cJSON *list = cJSON_Parse(out[0]);
    assert_int_equal(cJSON_GetArraySize(list), 5);
    cJSON_Delete(list);
    free(out[0]);
}

/* A task the checkpoint has no head for names the checkpoint's class and what it can run. */
static void test_head_is_checked(void **state) {
    (void)state;
    assert_int_equal(yoso_task_check_model(g_mlm, YOSO_TASK_FILL_MASK), YOSO_OK);
    assert_int_equal(yoso_task_check_model(g_mlm, YOSO_TASK_FEATURE_EXTRACTION), YOSO_OK);
    assert_int_equal(yoso_task_check_model(g_seqcls, YOSO_TASK_FEATURE_EXTRACTION), YOSO_OK);
    assert_int_equal(yoso_task_check_model(g_seqcls, YOSO_TASK_FILL_MASK), YOSO_ERR_UNSUPPORTED);
    assert_string_equal(yoso_last_error(),
                        "this checkpoint is a YosoForSequenceClassification (config.json's "
                        "architectures), which has no fill-mask head: run `yoso "
                        "feature-extraction` or `yoso text-classification` on it, or give a "
                        "YosoForMaskedLM checkpoint");
    expect_failure(g_seqcls, YOSO_TASK_FILL_MASK, "{\"inputs\": \"a <mask>\"}",
                   YOSO_ERR_UNSUPPORTED, "has no fill-mask head");
    assert_int_equal(yoso_task_check_model(g_mlm, YOSO_TASK_QUESTION_ANSWERING),
                     YOSO_ERR_UNSUPPORTED);
    assert_int_equal(yoso_task_check_model(g_mlm, YOSO_TASK_COUNT), YOSO_ERR_USAGE);
}

/* HF's task names and aliases map to the tasks; anything else lists them. */
static void test_task_names(void **state) {
    (void)state;
    for (int t = 0; t < YOSO_TASK_COUNT; t++) {
        yoso_task found = YOSO_TASK_COUNT;
        assert_non_null(yoso_task_name((yoso_task)t));
        assert_int_equal(yoso_task_find(yoso_task_name((yoso_task)t), &found), YOSO_OK);
        assert_int_equal(found, t);
    }
    assert_null(yoso_task_name(YOSO_TASK_COUNT));
    yoso_task t;
    assert_int_equal(yoso_task_find("summarization", &t), YOSO_ERR_USAGE);
    assert_non_null(strstr(yoso_last_error(), "unknown task 'summarization': the tasks are"));
}

static int setup(void **state) {
    if (test_context_setup(state) ||
        test_setup_model("fillmask/model", YOSO_ATTENTION_EXPECTATION, &g_mlm) ||
        test_setup_model("tasks/seqcls", YOSO_ATTENTION_EXPECTATION, &g_seqcls))
        return -1;
    if (yoso_tokenizer_load(test_data_path("fillmask/model"), &g_tok) == YOSO_OK) return 0;
    fprintf(stderr, "setup: %s\n", yoso_last_error());
    return -1;
}

static int teardown(void **state) {
    yoso_tokenizer_free(g_tok);
    yoso_model_free(g_seqcls);
    yoso_model_free(g_mlm);
    return test_context_teardown(state);
}

TEST_MAIN(setup, teardown, test_fill_mask_json_matches_pipeline, test_requests_are_checked,
          test_head_is_checked, test_task_names)

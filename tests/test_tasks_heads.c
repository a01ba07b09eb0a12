/* test_tasks_heads.c — every YOSO task head against the real Hugging Face pipelines
 * (tests/data/tasks, tools/fixtures/gen_task_fixtures.py): logits of the sequence, token and
 * multiple-choice heads, the scores the pipelines derive from them, and the base model's hidden
 * states (head dim 64), in expectation mode. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "yoso.h"

#define MAX_CASES 64
#define TOL 1e-5

static yoso_tokenizer *g_tok;

/* Reads tests/data/tasks/<task>.jsonl into cases[]; returns how many. */
static int load_cases(const char *task, cJSON **cases) {
    char rel[128];
    snprintf(rel, sizeof rel, "tasks/%s.jsonl", task);
    char *text = test_read_file(test_data_path(rel), NULL);
    assert_non_null(text);
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < MAX_CASES; line = strtok(NULL, "\n"))
        assert_non_null(cases[n++] = cJSON_Parse(line));
    free(text);
    return n;
}

static void free_cases(cJSON **cases, int n) {
    for (int i = 0; i < n; i++) cJSON_Delete(cases[i]);
}

/* Encodes a case's input (a string, or {text, text_pair} as RoBERTa pairs: <s> a </s></s> b
 * </s>); *ids is malloc'ed. */
static size_t encode_input(const cJSON *input, int32_t **ids) {
    size_t n = 0;
    if (cJSON_IsString(input)) {
        assert_int_equal(yoso_tokenizer_encode(g_tok, input->valuestring,
                                               strlen(input->valuestring),
                                               YOSO_TOKENIZE_ADD_SPECIAL, 0, ids, &n),
                         YOSO_OK);
        return n;
    }
    const char *a = cJSON_GetObjectItem(input, "text")->valuestring;
    const char *b = cJSON_GetObjectItem(input, "text_pair")->valuestring;
    int32_t *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    assert_int_equal(
        yoso_tokenizer_encode(g_tok, a, strlen(a), YOSO_TOKENIZE_ADD_SPECIAL, 0, &x, &nx), YOSO_OK);
    assert_int_equal(
        yoso_tokenizer_encode(g_tok, b, strlen(b), YOSO_TOKENIZE_ADD_SPECIAL, 0, &y, &ny), YOSO_OK);
    *ids = malloc((nx + ny) * sizeof(int32_t)); /* <s> a </s> + <s>→</s> b </s> */
    memcpy(*ids, x, nx * sizeof(int32_t));
    memcpy(*ids + nx, y, ny * sizeof(int32_t));
    (*ids)[nx] = 2;
    free(x);
    free(y);
    return nx + ny;
}

/* The scores the text-classification pipeline derives from logits with `fn` ("softmax",
 * "sigmoid", "none"). */
static void apply_function(const char *fn, const float *logits, int n, double *scores) {
    double max = logits[0], sum = 0;
    for (int i = 0; i < n; i++) max = logits[i] > max ? logits[i] : max;
    for (int i = 0; i < n; i++) {
        if (strcmp(fn, "softmax") == 0)
            sum += scores[i] = exp(logits[i] - max);
        else if (strcmp(fn, "sigmoid") == 0)
            scores[i] = 1.0 / (1.0 + exp(-logits[i]));
        else
            scores[i] = logits[i];
    }
    for (int i = 0; sum > 0 && i < n; i++) scores[i] /= sum;
}

/* HF's default function_to_apply for the model (TextClassificationPipeline.postprocess). */
static const char *default_function(const yoso_model_info *info) {
    if (info->problem_type == YOSO_PROBLEM_REGRESSION) return "none";
    if (info->problem_type == YOSO_PROBLEM_MULTI_LABEL || info->num_labels == 1) return "sigmoid";
    return "softmax";
}

/* Every text-classification case: each expected {label, score} equals the head's logits under
 * the case's function (the order and top_k are the pipeline's sorting, checked by label). */
static void test_text_classification(void **state) {
    (void)state;
    cJSON *cases[MAX_CASES];
    int n = load_cases("text-classification", cases), checked = 0;
    for (int c = 0; c < n; c++) {
        const char *model_name = cJSON_GetObjectItem(cases[c], "model")->valuestring;
        yoso_model *m = test_load_task_model(model_name, YOSO_ATTENTION_EXPECTATION, 0, 0);
        yoso_model_info info;
        yoso_model_get_info(m, &info);
        assert_int_equal(info.architecture, YOSO_ARCHITECTURE_SEQUENCE_CLASSIFICATION);
        int32_t *ids = NULL;
        size_t len = encode_input(cJSON_GetObjectItem(cases[c], "inputs"), &ids);
        float logits[16];
        double scores[16];
        assert_true(info.num_labels <= 16);
        assert_int_equal(yoso_model_head_logits(m, 1, (int)len, ids, NULL, logits), YOSO_OK);
        const cJSON *fn =
            cJSON_GetObjectItem(cJSON_GetObjectItem(cases[c], "kwargs"), "function_to_apply");
        apply_function(fn ? fn->valuestring : default_function(&info), logits, info.num_labels,
                       scores);
        const cJSON *want = cJSON_GetObjectItem(cases[c], "expected"), *w, *items[16];
        int count = 0; /* a list of {label, score}, or one (top_k 1 without a list) */
        if (cJSON_IsArray(want)) {
            cJSON_ArrayForEach(w, want) if (count < 16) items[count++] = w;
        } else {
            items[count++] = want;
        }
        double prev = INFINITY;
        for (int i = 0; i < count; i++) {
            w = items[i];
            const char *label = cJSON_GetObjectItem(w, "label")->valuestring;
            int k = 0;
            while (k < info.num_labels && strcmp(yoso_model_label(m, k), label) != 0) k++;
            assert_true(k < info.num_labels);
            double score = cJSON_GetObjectItem(w, "score")->valuedouble;
            if (fabs(scores[k] - score) > TOL)
                fail_msg("%s: %s %.8f, HF %.8f", cJSON_GetObjectItem(cases[c], "name")->valuestring,
                         label, scores[k], score);
            assert_true(scores[k] <= prev); /* best first, as the pipeline sorts */
            prev = scores[k];
            checked++;
        }
        free(ids);
        yoso_model_free(m);
    }
    assert_true(checked >= 30);
    free_cases(cases, n);
}

/* Token classification without aggregation: each reported token's label is the argmax of its
 * logits and its score the softmax there. */
static void test_token_classification(void **state) {
    (void)state;
    cJSON *cases[MAX_CASES];
    int n = load_cases("token-classification", cases), checked = 0;
    yoso_model *m = test_load_task_model("tokcls", YOSO_ATTENTION_EXPECTATION, 0, 0);
    yoso_model_info info;
    yoso_model_get_info(m, &info);
    assert_int_equal(info.architecture, YOSO_ARCHITECTURE_TOKEN_CLASSIFICATION);
    assert_int_equal(info.num_labels, 9);
    assert_string_equal(yoso_model_label(m, 1), "B-PER");
    for (int c = 0; c < n; c++) {
        const cJSON *kw = cJSON_GetObjectItem(cases[c], "kwargs");
        const cJSON *agg = cJSON_GetObjectItem(kw, "aggregation_strategy");
        if (agg && strcmp(agg->valuestring, "none") != 0) continue;
        int32_t *ids = NULL;
        size_t len = encode_input(cJSON_GetObjectItem(cases[c], "inputs"), &ids);
        float *logits = malloc(len * 9 * sizeof(float));
        assert_int_equal(yoso_model_head_logits(m, 1, (int)len, ids, NULL, logits), YOSO_OK);
        const cJSON *w;
        cJSON_ArrayForEach(w, cJSON_GetObjectItem(cases[c], "expected")) {
            int index = cJSON_GetObjectItem(w, "index")->valueint, best = 0;
            assert_true(index > 0 && (size_t)index < len);
            double p[9];
            apply_function("softmax", logits + (size_t)index * 9, 9, p);
            for (int k = 1; k < 9; k++) best = p[k] > p[best] ? k : best;
            assert_string_equal(yoso_model_label(m, best),
                                cJSON_GetObjectItem(w, "entity")->valuestring);
            assert_true(fabs(p[best] - cJSON_GetObjectItem(w, "score")->valuedouble) <= TOL);
            checked++;
        }
        free(logits);
        free(ids);
    }
    assert_true(checked >= 50);
    yoso_model_free(m);
    free_cases(cases, n);
}

/* Multiple choice: the (prompt, choice) pairs, padded into one batch, give HF's logits. */
static void test_multiple_choice(void **state) {
    (void)state;
    cJSON *cases[MAX_CASES];
    int n = load_cases("multiple-choice", cases);
    yoso_model *m = test_load_task_model("mc", YOSO_ATTENTION_EXPECTATION, 0, 0);
    for (int c = 0; c < n; c++) {
        const cJSON *rows = cJSON_GetObjectItem(cases[c], "input_ids");
        int batch = cJSON_GetArraySize(rows), seq = 0;
        const cJSON *row;
        cJSON_ArrayForEach(row, rows) seq =
            cJSON_GetArraySize(row) > seq ? cJSON_GetArraySize(row) : seq;
        /* one padded batch [N, longest] (HF ran each pair alone: padding is masked for real) */
        int32_t *ids = malloc((size_t)batch * seq * sizeof(int32_t));
        int32_t *mask = malloc((size_t)batch * seq * sizeof(int32_t));
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seq; t++) {
                const cJSON *r = cJSON_GetArrayItem(rows, b);
                const int real = t < cJSON_GetArraySize(r);
                ids[b * seq + t] = real ? cJSON_GetArrayItem(r, t)->valueint : 1;
                mask[b * seq + t] = real;
            }
        float logits[8];
        assert_int_equal(yoso_model_head_logits(m, batch, seq, ids, mask, logits), YOSO_OK);
        const cJSON *want =
            cJSON_GetObjectItem(cJSON_GetObjectItem(cases[c], "expected"), "logits");
        for (int b = 0; b < batch; b++) {
            double hf = cJSON_GetArrayItem(want, b)->valuedouble;
            if (fabs(logits[b] - hf) > TOL)
                fail_msg("%s: choice %d logit %.8f, HF %.8f",
                         cJSON_GetObjectItem(cases[c], "name")->valuestring, b, logits[b], hf);
        }
        free(ids);
        free(mask);
    }
    yoso_model_free(m);
    free_cases(cases, n);
}

/* Feature extraction on the base YosoModel (no prefix, head dim 64): the pipeline's states. */
static void test_feature_extraction(void **state) {
    (void)state;
    cJSON *cases[MAX_CASES];
    int n = load_cases("feature-extraction", cases), checked = 0;
    yoso_model *m = test_load_task_model("base-hd64", YOSO_ATTENTION_EXPECTATION, 0, 0);
    yoso_model_info info;
    yoso_model_get_info(m, &info);
    assert_int_equal(info.architecture, YOSO_ARCHITECTURE_BASE);
    assert_int_equal(info.hidden_size / info.num_heads, 64);
    float dummy[4];
    int32_t one[2] = {0, 2};
    assert_int_equal(yoso_model_head_logits(m, 1, 2, one, NULL, dummy), YOSO_ERR_UNSUPPORTED);
    assert_non_null(strstr(yoso_last_error(), "YosoModel"));
    for (int c = 0; c < n; c++) {
        if (strcmp(cJSON_GetObjectItem(cases[c], "model")->valuestring, "base-hd64") != 0) continue;
        int32_t *ids = NULL;
        size_t len = encode_input(cJSON_GetObjectItem(cases[c], "inputs"), &ids);
        const cJSON *want = cJSON_GetArrayItem(cJSON_GetObjectItem(cases[c], "expected"), 0);
        assert_int_equal(cJSON_GetArraySize(want), (int)len);
        float *h = malloc(len * (size_t)info.hidden_size * sizeof(float));
        assert_int_equal(yoso_model_hidden(m, 1, (int)len, ids, NULL, h), YOSO_OK);
        double worst = 0;
        for (size_t t = 0; t < len; t++)
            for (int k = 0; k < info.hidden_size; k++) {
                double d =
                    fabs(h[t * info.hidden_size + k] -
                         cJSON_GetArrayItem(cJSON_GetArrayItem(want, (int)t), k)->valuedouble);
                worst = d > worst ? d : worst;
            }
        if (worst > TOL)
            fail_msg("%s: |diff| %.3g", cJSON_GetObjectItem(cases[c], "name")->valuestring, worst);
        checked++;
        free(h);
        free(ids);
    }
    assert_true(checked >= 8);
    yoso_model_free(m);
    free_cases(cases, n);
}

/* A question-answering checkpoint loads with its 2-label qa_outputs and gives [L, 2] logits. */
static void test_question_answering_loads(void **state) {
    (void)state;
    yoso_model *m = test_load_task_model("qa", YOSO_ATTENTION_EXPECTATION, 0, 0);
    yoso_model_info info;
    yoso_model_get_info(m, &info);
    assert_int_equal(info.architecture, YOSO_ARCHITECTURE_QUESTION_ANSWERING);
    assert_int_equal(info.num_labels, 2);
    int32_t ids[4] = {0, 31414, 232, 2};
    float logits[8];
    assert_int_equal(yoso_model_head_logits(m, 1, 4, ids, NULL, logits), YOSO_OK);
    for (int i = 0; i < 8; i++) assert_true(isfinite(logits[i]));
    yoso_model_free(m);
}

/* The JSON comparison the pipeline tests rely on finds each kind of difference. */
static void test_json_match_finds_differences(void **state) {
    (void)state;
    char why[256];
    const char *want = "[{\"label\": \"pos\", \"score\": 0.5, \"ok\": true}]";
    assert_true(test_json_match("[{\"label\":\"pos\",\"score\":0.500001,\"ok\":true}]", want, 1e-5,
                                why, sizeof why));
    assert_false(test_json_match("[{\"label\":\"pos\",\"score\":0.5001,\"ok\":true}]", want, 1e-5,
                                 why, sizeof why));
    assert_string_equal(why, "$[0].score: 0.5001 vs 0.5");
    assert_false(test_json_match("[{\"label\":\"neg\",\"score\":0.5,\"ok\":true}]", want, 1e-5, why,
                                 sizeof why));
    assert_false(test_json_match("[{\"score\":0.5,\"label\":\"pos\",\"ok\":true}]", want, 1e-5, why,
                                 sizeof why)); /* key order */
    assert_false(test_json_match("{\"label\":\"pos\",\"score\":0.5,\"ok\":true}", want, 1e-5, why,
                                 sizeof why)); /* nesting */
    assert_false(test_json_match("[{\"label\":\"pos\",\"score\":0.5,\"ok\":false}]", want, 1e-5,
                                 why, sizeof why));
    assert_false(test_json_match("[]", want, 1e-5, why, sizeof why));
    assert_false(test_json_match("[", want, 1e-5, why, sizeof why));
}

static int setup(void **state) {
    return test_task_setup(state, &g_tok);
}
static int teardown(void **state) {
    return test_task_teardown(state, g_tok);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_classification),
        cmocka_unit_test(test_token_classification),
        cmocka_unit_test(test_multiple_choice),
        cmocka_unit_test(test_feature_extraction),
        cmocka_unit_test(test_question_answering_loads),
        cmocka_unit_test(test_json_match_finds_differences),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_task_token_classification.c — the token-classification ("ner") pipeline against the real
 * Hugging Face TokenClassificationPipeline (tests/data/tasks/token-classification.jsonl): every
 * case through the typed API and through yoso_task_run_json in one call, a few through
 * `yoso token-classification --json`; LSH determinism and closeness; the errors. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "yoso.h"

#define MAX_CASES 256
#define TOL 1e-5
/* LSH (seed 7) against HF's expectation-mode answers on the LSH check's 100 tokens, measured on
 * PoCL and rusticl (the same): 1024 hashes keep 85% of the labels with a mean score change of
 * 0.094, 64 hashes 74% and 0.205; over seeds 1-10, 83-91% and 0.068-0.105 with 1024, 74-83% and
 * 0.156-0.205 with 64. Bounds with room for another device's rounding: */
#define LSH_FEW 64
#define LSH_MANY 1024
#define LSH_FEW_SHARE 0.65
#define LSH_FEW_CHANGE 0.25
#define LSH_MANY_SHARE 0.78
#define LSH_MANY_CHANGE 0.13

static yoso_tokenizer *g_tok;
static yoso_model *g_model; /* tokcls, expectation */
static cJSON *g_cases[MAX_CASES];
static int g_count;

/* Loads the tokenizer, the tokcls model (expectation) and the cases. */
static int setup(void **state) {
    if (test_task_setup(state, &g_tok)) return -1;
    if (test_setup_model("tasks/tokcls", YOSO_ATTENTION_EXPECTATION, &g_model)) return -1;
    int a = test_read_cases("tasks/token-classification.jsonl", g_cases, MAX_CASES);
    int b = a > 0 ? test_read_cases("tasks/token-classification-words.jsonl", g_cases + a,
                                    MAX_CASES - a)
                  : -1;
    g_count = a + (b > 0 ? b : 0);
    return a > 0 && b > 0 ? 0 : -1;
}

static int teardown(void **state) {
    test_free_cases(g_cases, g_count);
    yoso_model_free(g_model);
    return test_task_teardown(state, g_tok);
}

static const char *case_name(int c) {
    return cJSON_GetObjectItem(g_cases[c], "name")->valuestring;
}

/* The typed request of case c; *labels (free it) holds its ignore_labels. */
static yoso_ner_request case_request(int c, const char ***labels) {
    const cJSON *kw = cJSON_GetObjectItem(g_cases[c], "kwargs"), *item;
    yoso_ner_request r = {.text = cJSON_GetObjectItem(g_cases[c], "inputs")->valuestring};
    const cJSON *agg = cJSON_GetObjectItem(kw, "aggregation_strategy");
    if (agg) assert_int_equal(yoso_aggregation_find(agg->valuestring, &r.aggregation), YOSO_OK);
    const cJSON *ign = cJSON_GetObjectItem(kw, "ignore_labels");
    *labels = NULL;
    if (ign) {
        *labels = calloc((size_t)cJSON_GetArraySize(ign) + 1, sizeof **labels);
        cJSON_ArrayForEach(item, ign)(*labels)[r.num_ignore_labels++] = item->valuestring;
        r.ignore_labels = *labels;
    }
    return r;
}

/* The largest |score - HF's| over the entities of got and want (same length). */
static double max_score_error(const char *got, const char *want) {
    cJSON *g = cJSON_Parse(got), *w = cJSON_Parse(want);
    double worst = 0;
    for (int i = 0; i < cJSON_GetArraySize(g) && i < cJSON_GetArraySize(w); i++) {
        double a = cJSON_GetObjectItem(cJSON_GetArrayItem(g, i), "score")->valuedouble;
        double b = cJSON_GetObjectItem(cJSON_GetArrayItem(w, i), "score")->valuedouble;
        worst = fmax(worst, fabs(a - b));
    }
    cJSON_Delete(g);
    cJSON_Delete(w);
    return worst;
}

/* Checks response against case c's expected JSON at 1e-5; returns the largest score error. */
static double check_case(int c, const char *response, const char *how) {
    char *want = cJSON_PrintUnformatted(cJSON_GetObjectItem(g_cases[c], "expected")), why[512];
    if (!test_json_match(response, want, TOL, why, sizeof why))
        fail_msg("%s (%s): %s\n  got  %s\n  want %s", case_name(c), how, why, response, want);
    double err = max_score_error(response, want);
    free(want);
    return err;
}

/* Every case as one batch through yoso_token_classification: HF's JSON within 1e-5. */
static void test_typed_api_matches_pipeline(void **state) {
    (void)state;
    yoso_ner_request req[MAX_CASES];
    yoso_ner_result res[MAX_CASES];
    const char **labels[MAX_CASES];
    for (int c = 0; c < g_count; c++) req[c] = case_request(c, &labels[c]);
    assert_int_equal(yoso_token_classification(g_model, g_tok, req, g_count, res), YOSO_OK);
    double worst = 0;
    int entities = 0;
    for (int c = 0; c < g_count; c++) {
        char *json = NULL;
        assert_int_equal(yoso_ner_result_json(&res[c], &json), YOSO_OK);
        worst = fmax(worst, check_case(c, json, "typed, batch"));
        entities += res[c].count;
        free(json);
        yoso_ner_result_release(&res[c]);
        free(labels[c]);
    }
    assert_int_equal(g_count, 39 + 140);
    assert_true(entities >= 800);
    print_message("%d cases, %d entities, largest score error vs HF %.3g\n", g_count, entities,
                  worst);
}

/* A case alone (unpadded) gives the batch's answer. */
static void test_single_requests_match_pipeline(void **state) {
    (void)state;
    for (int c = 0; c < g_count; c += 5) {
        const char **labels;
        yoso_ner_request req = case_request(c, &labels);
        yoso_ner_result res;
        assert_int_equal(yoso_token_classification(g_model, g_tok, &req, 1, &res), YOSO_OK);
        char *json = NULL;
        assert_int_equal(yoso_ner_result_json(&res, &json), YOSO_OK);
        check_case(c, json, "typed, alone");
        free(json);
        yoso_ner_result_release(&res);
        free(labels);
    }
}

/* Every case as one batch of JSON requests (by HF's alias "ner"): the pipeline's JSON. */
static void test_task_json_matches_pipeline(void **state) {
    (void)state;
    char *requests[MAX_CASES], *responses[MAX_CASES];
    for (int c = 0; c < g_count; c++) requests[c] = test_case_request(g_cases[c]);
    yoso_task task;
    assert_int_equal(yoso_task_find("ner", &task), YOSO_OK);
    assert_int_equal(task, YOSO_TASK_TOKEN_CLASSIFICATION);
    assert_int_equal(
        yoso_task_run_json(g_model, g_tok, task, (const char *const *)requests, g_count, responses),
        YOSO_OK);
    for (int c = 0; c < g_count; c++) {
        check_case(c, responses[c], "yoso_task_run_json");
        free(responses[c]);
        free(requests[c]);
    }
}

/* Appends s to cmd (room n) in single quotes for the shell. */
static void shell_quote(char *cmd, size_t n, const char *s) {
    size_t at = strlen(cmd);
    at += (size_t)snprintf(cmd + at, n - at, " '");
    for (; *s && at + 5 < n; s++)
        at += (size_t)(*s == '\'' ? snprintf(cmd + at, n - at, "'\\''")
                                  : snprintf(cmd + at, n - at, "%c", *s));
    snprintf(cmd + at, n - at, "'");
}

#define CLI_MODEL                                                                                  \
    " -m '" YOSO_TEST_DATA "/tasks/tokcls' --tokenizer '" YOSO_TEST_DATA "/tasks/tokenizer'"

/* `yoso token-classification --json` on TEXT arguments with the flags of a case (the default
 * ignore_labels, '' for none, a list), and `yoso ner --jsonl` on every case's request: the
 * pipeline's JSON. The table names the entities. */
static void test_cli_matches_pipeline(void **state) {
    (void)state;
    static const struct {
        int c;
        const char *flags;
    } k_args[] = {{0, ""},
                  {8, " --aggregation-strategy none"},
                  {14, " -a simple"},
                  {22, " -a first"},
                  {27, " -a average"},
                  {33, " -a max"},
                  {36, " --ignore-labels ''"},
                  {37, " --ignore-labels O,B-MISC,I-MISC"},
                  {38, " -a simple --ignore-labels O,B-PER"}};
    for (size_t i = 0; i < sizeof k_args / sizeof k_args[0]; i++) {
        char cmd[4096], *out = NULL, *err = NULL;
        snprintf(cmd, sizeof cmd, "%s token-classification --json%s%s", YOSO_CLI, CLI_MODEL,
                 k_args[i].flags);
        shell_quote(cmd, sizeof cmd,
                    cJSON_GetObjectItem(g_cases[k_args[i].c], "inputs")->valuestring);
        if (test_run(cmd, &out, &err) != 0) fail_msg("%s: %s", cmd, err);
        out[strcspn(out, "\n")] = '\0';
        check_case(k_args[i].c, out, k_args[i].flags);
        free(out);
        free(err);
    }
    char *dir = test_make_temp_dir(), path[1024], cmd[4096], *out = NULL, *err = NULL;
    snprintf(path, sizeof path, "%s/requests.jsonl", dir);
    FILE *f = fopen(path, "w");
    for (int c = 0; c < g_count; c++) {
        char *req = test_case_request(g_cases[c]);
        fprintf(f, "%s\n", req);
        free(req);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s ner --jsonl%s < '%s'", YOSO_CLI, CLI_MODEL, path);
    if (test_run(cmd, &out, &err) != 0) fail_msg("%s: %s", cmd, err);
    int c = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
        check_case(c++, line, "yoso ner --jsonl");
    assert_int_equal(c, g_count);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "%s ner -a simple%s 'I live in Berlin with Sarah Connor.'", YOSO_CLI,
             CLI_MODEL);
    assert_int_equal(test_run(cmd, &out, &err), 0);
    assert_non_null(strstr(out, "I live in Berlin with Sarah Connor.\n  entity"));
    assert_non_null(strstr(out, " Sarah"));
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "%s ner -a best%s x", YOSO_CLI, CLI_MODEL);
    assert_int_equal(test_run(cmd, &out, &err), 2);
    assert_non_null(strstr(err, "argument 1: parameter \"aggregation_strategy\": unknown"));
    free(out);
    free(err);
    test_remove_temp_dir(dir);
}

/* tools/examples/example_token_classification on a folder holding tokcls and its tokenizer:
 * its JSON line is the pipeline's (aggregation simple). */
static void test_example(void **state) {
    (void)state;
    int c = 0;
    while (c < g_count && strcmp(case_name(c), "tokcls/names/simple")) c++;
    assert_true(c < g_count);
    char *dir = test_make_temp_dir(), cmd[4096], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "cp '%s'/tasks/tokcls/* '%s'/tasks/tokenizer/* '%s'", YOSO_TEST_DATA,
             YOSO_TEST_DATA, dir);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "'%s/example_token_classification' '%s'", YOSO_BUILD_DIR, dir);
    shell_quote(cmd, sizeof cmd, cJSON_GetObjectItem(g_cases[c], "inputs")->valuestring);
    if (test_run(cmd, &out, &err) != 0) fail_msg("%s: %s", cmd, err);
    const char *json = strstr(out, "[{");
    assert_non_null(json);
    check_case(c, json, "example_token_classification");
    free(out);
    free(err);
    test_remove_temp_dir(dir);
}

/* Runs one JSON request and expects status st with part in the message. */
static void expect_json_failure(yoso_model *m, const char *request, yoso_status st,
                                const char *part) {
    char *out = NULL;
    const char *reqs[] = {request};
    yoso_status got = yoso_task_run_json(m, g_tok, YOSO_TASK_TOKEN_CLASSIFICATION, reqs, 1, &out);
    if (got != st || !strstr(yoso_last_error(), part))
        fail_msg("%s: got %s \"%s\", want %s with \"%s\"", request, yoso_status_string(got),
                 yoso_last_error(), yoso_status_string(st), part);
    assert_null(out);
}

/* Runs one typed request and expects status st with part in the message. */
static void expect_typed_failure(yoso_model *m, const yoso_ner_request *r, yoso_status st,
                                 const char *part) {
    yoso_ner_result res;
    yoso_status got = yoso_token_classification(m, g_tok, r, 1, &res);
    if (got != st || !strstr(yoso_last_error(), part))
        fail_msg("'%.40s': got %s \"%s\", want %s with \"%s\"", r->text ? r->text : "(null)",
                 yoso_status_string(got), yoso_last_error(), yoso_status_string(st), part);
}

/* Bad strategies, unknown labels, a text longer than the model and another head are refused
 * with one line saying what to do; HF's case-insensitive strategy names are accepted. */
static void test_errors(void **state) {
    (void)state;
    expect_json_failure(g_model,
                        "{\"inputs\": \"a\", \"parameters\": {\"aggregation_strategy\": \"best\"}}",
                        YOSO_ERR_INPUT, "input 0: parameter \"aggregation_strategy\": unknown");
    expect_json_failure(g_model,
                        "{\"inputs\": \"a\", \"parameters\": {\"aggregation_strategy\": 3}}",
                        YOSO_ERR_INPUT, "must be a string");
    expect_json_failure(g_model, "{\"inputs\": \"a\", \"parameters\": {\"ignore_labels\": [1]}}",
                        YOSO_ERR_INPUT, "list of strings");
    expect_json_failure(g_model,
                        "{\"inputs\": \"a\", \"parameters\": {\"ignore_labels\": [\"X\"]}}",
                        YOSO_ERR_USAGE, "input 0: ignore_labels: 'X' is neither a label");
    expect_json_failure(g_model, "{\"inputs\": \"a\", \"parameters\": {\"top_k\": 3}}",
                        YOSO_ERR_INPUT, "unknown key \"top_k\"");
    expect_json_failure(g_model, "{\"inputs\": {\"text\": \"a\"}}", YOSO_ERR_INPUT,
                        "must be a string");
    char *out = NULL;
    const char *upper[] = {"{\"inputs\": \"Berlin\", \"parameters\": {\"aggregation_strategy\": "
                           "\"SIMPLE\", \"ignore_labels\": \"PER\"}}"};
    assert_int_equal(
        yoso_task_run_json(g_model, g_tok, YOSO_TASK_TOKEN_CLASSIFICATION, upper, 1, &out),
        YOSO_OK);
    assert_non_null(strstr(out, "\"entity_group\""));
    free(out);

    yoso_ner_request bad = {.text = "a", .aggregation = YOSO_AGGREGATION_COUNT};
    expect_typed_failure(g_model, &bad, YOSO_ERR_USAGE, "input 0: aggregation 5 is out of range");
    bad = (yoso_ner_request){.text = NULL};
    expect_typed_failure(g_model, &bad, YOSO_ERR_USAGE, "input 0: the request has no text");
    /* 1100 words and a space: more tokens than max_position_embeddings (1024) allows */
    size_t n = 1100 * 4;
    char *longtext = malloc(n + 1);
    for (size_t i = 0; i < n; i += 4) memcpy(longtext + i, "the ", 4);
    longtext[n] = '\0';
    yoso_ner_request two[2] = {{.text = "fine"}, {.text = longtext}};
    yoso_ner_result res[2];
    assert_int_equal(yoso_token_classification(g_model, g_tok, two, 2, res), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "input 1: the text is 1103 tokens long, more than "
                                              "the limit of 1024"));
    free(longtext);

    yoso_model *seqcls = test_load_task_model("seqcls", YOSO_ATTENTION_EXPECTATION, 0, 0);
    yoso_ner_request ok = {.text = "a"};
    expect_typed_failure(seqcls, &ok, YOSO_ERR_UNSUPPORTED, "YosoForSequenceClassification");
    expect_typed_failure(seqcls, &ok, YOSO_ERR_UNSUPPORTED, "`yoso text-classification`");
    expect_json_failure(seqcls, "{\"inputs\": \"a\"}", YOSO_ERR_UNSUPPORTED,
                        "YosoForTokenClassification");
    yoso_model_free(seqcls);
}

/* The statistics of the LSH check: the share of tokens keeping HF's label, and the mean
 * |score change| over those. */
enum { SHARE, CHANGE };

/* test_lsh_measure_fn: stats[SHARE] and stats[CHANGE] of got[] against HF's answers. */
static void lsh_measure(const cJSON **picked, cJSON **got, int n, double *stats) {
    double sum = 0;
    int tokens = 0, agree = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *want = cJSON_GetObjectItem(picked[i], "expected");
        assert_int_equal(cJSON_GetArraySize(got[i]), cJSON_GetArraySize(want));
        for (const cJSON *x = got[i]->child, *e = want->child; x && e; x = x->next, e = e->next) {
            tokens++;
            assert_int_equal(cJSON_GetObjectItem(x, "index")->valueint,
                             cJSON_GetObjectItem(e, "index")->valueint);
            if (strcmp(cJSON_GetObjectItem(x, "entity")->valuestring,
                       cJSON_GetObjectItem(e, "entity")->valuestring))
                continue;
            agree++;
            sum += fabs(cJSON_GetObjectItem(x, "score")->valuedouble -
                        cJSON_GetObjectItem(e, "score")->valuedouble);
        }
        cJSON_Delete(got[i]);
    }
    stats[SHARE] = (double)agree / tokens;
    stats[CHANGE] = sum / agree;
}

/* The cases of the LSH check: the words fixture's aggregation-none, nothing-ignored ones (every
 * token of 14 short texts, 100 in all, with HF's label and score). */
static int lsh_case(const cJSON *c) {
    return strstr(cJSON_GetObjectItem(c, "name")->valuestring, "/none/all") != NULL;
}

/* The LSH check on tokcls. */
static const char *const k_lsh_stats[2] = {"label share", "mean score change"};
static const test_lsh_check k_lsh = {
    "tokcls",   YOSO_TASK_TOKEN_CLASSIFICATION, lsh_case, LSH_FEW, LSH_MANY, lsh_measure,
    k_lsh_stats};

/* LSH attention: deterministic per seed (test_lsh_check_run), and with LSH_MANY hashes nearer
 * HF's expectation-mode answers than with LSH_FEW. This random model (weights of std 0.5)
 * amplifies the sampling noise. */
static void test_lsh_deterministic_and_close(void **state) {
    (void)state;
    double few[2], many[2];
    test_lsh_check_run(&k_lsh, g_cases, g_count, few, many);
    assert_true(many[CHANGE] < few[CHANGE]);
    assert_true(few[SHARE] >= LSH_FEW_SHARE && few[CHANGE] <= LSH_FEW_CHANGE);
    assert_true(many[SHARE] >= LSH_MANY_SHARE && many[CHANGE] <= LSH_MANY_CHANGE);
}

/* yoso_tokenizer_tokens_to_string joins as HF's convert_tokens_to_string (values printed by
 * transformers 5.24 for this tokenizer), including the aggregated words' second decoding. */
static void test_tokens_to_string(void **state) {
    (void)state;
    static const struct {
        const char *tokens[4];
        int n;
        const char *want;
    } k_cases[] = {
        {{"\u0120S", "\u00c3\u00a3", "o"}, 3, " S\u00e3o"},
        {{"Jos\u00e9"}, 1, "Jos\ufffd"},
        {{" S\u00e3o", "\u0120Z"}, 2, " S\u00e3o Z"},
        {{"\u0120", "\u00f0\u0141", "\u013a", "\u0122"}, 4, " \U0001F600"},
        {{"\u00f0\u0141"}, 1, "\ufffd"},
        {{NULL}, 0, ""},
    };
    for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        char *text = NULL;
        assert_int_equal(
            yoso_tokenizer_tokens_to_string(g_tok, k_cases[i].tokens, (size_t)k_cases[i].n, &text),
            YOSO_OK);
        assert_string_equal(text, k_cases[i].want);
        free(text);
    }
}

TEST_MAIN(setup, teardown, test_typed_api_matches_pipeline, test_single_requests_match_pipeline,
          test_task_json_matches_pipeline, test_cli_matches_pipeline, test_example, test_errors,
          test_lsh_deterministic_and_close, test_tokens_to_string)

/* test_task_feature_extraction.c — the feature-extraction pipeline against the real Hugging Face
 * pipeline (tests/data/tasks/feature-extraction.jsonl): per-token hidden states and the pooled
 * vectors (CLS, mean, L2-normalized) through the typed API, yoso_task_run_json and the CLI; .npy
 * output read back; text pairs, truncation, LSH determinism and closeness; refused inputs. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "test_support.h"
#include "yoso.h"

#define MAX_CASES 32
#define TOL 1e-5
/* LSH (seed 7) against HF's expectation-mode answers on the short base-model cases, measured on
 * PoCL and rusticl (the same): the relative L2 distance of the per-token states 0.112 with 1024
 * hashes, 0.346 with 64 (the sampling error's 1/sqrt(num_hash)); the normalized means' mean
 * cosine 0.99896 and 0.97767. Over seeds 1-10: 0.108-0.123 and 0.9971-0.9993 with 1024 hashes,
 * 0.323-0.378 and 0.965-0.979 with 64. Bounds with room for another device's rounding: */
#define LSH_FEW 64
#define LSH_MANY 1024
#define LSH_REL_BOUND 0.16
#define LSH_COS_BOUND 0.995

static yoso_model *g_base, *g_seqcls; /* expectation mode */
static yoso_tokenizer *g_tok;
static cJSON *g_cases[MAX_CASES];
static int g_ncases;

/* The pooled forms of the fixture, by the key of the case's "pooled". */
static const struct {
    const char *key;
    yoso_pooling pooling;
    int normalize;
} k_pooled[] = {{"cls", YOSO_POOLING_CLS, 0},
                {"mean", YOSO_POOLING_MEAN, 0},
                {"cls_normalized", YOSO_POOLING_CLS, 1},
                {"mean_normalized", YOSO_POOLING_MEAN, 1}};
#define NUM_POOLED 4

static const char *case_name(int c) {
    return cJSON_GetObjectItem(g_cases[c], "name")->valuestring;
}

static yoso_model *case_model(int c) {
    return strcmp(cJSON_GetObjectItem(g_cases[c], "model")->valuestring, "seqcls") ? g_base
                                                                                   : g_seqcls;
}

/* The JSON text of key in case c (malloc'ed); sub selects a key of "pooled" instead. */
static char *case_json(int c, const char *key, const char *sub) {
    const cJSON *v = cJSON_GetObjectItem(g_cases[c], key);
    if (sub) v = cJSON_GetObjectItem(v, sub);
    assert_non_null(v);
    return cJSON_PrintUnformatted(v);
}

/* The largest |difference| between two JSON texts of numbers of one nesting (test_json_match
 * checks the nesting; this measures how close they are). */
static double json_max_error(const cJSON *a, const cJSON *b) {
    if (cJSON_IsNumber(a)) return cJSON_IsNumber(b) ? fabs(a->valuedouble - b->valuedouble) : 1e9;
    double worst = 0;
    for (const cJSON *x = a ? a->child : NULL, *y = b ? b->child : NULL; x && y;
         x = x->next, y = y->next) {
        double e = json_max_error(x, y);
        worst = e > worst ? e : worst;
    }
    return worst;
}

/* Asserts got matches the case's want at TOL; returns the largest error. */
static double expect_match(int c, const char *what, const char *got, const char *want) {
    char why[512];
    if (!test_json_match(got, want, TOL, why, sizeof why))
        fail_msg("%s (%s): %s", case_name(c), what, why);
    cJSON *a = cJSON_Parse(got), *b = cJSON_Parse(want);
    double e = json_max_error(a, b);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return e;
}

/* Runs the cases of one model in one call with pooling p (and normalize) through the
 * typed API; compares each with the fixture. Returns the largest error. */
static double run_typed(yoso_model *m, yoso_pooling p, int normalize, const char *pooled_key) {
    yoso_feature_request req[MAX_CASES];
    yoso_feature_result res[MAX_CASES];
    int which[MAX_CASES], n = 0;
    for (int c = 0; c < g_ncases; c++) {
        if (case_model(c) != m) continue;
        const cJSON *in = cJSON_GetObjectItem(g_cases[c], "inputs");
        req[n] =
            (yoso_feature_request){.text = in->valuestring, .pooling = p, .normalize = normalize};
        which[n++] = c;
    }
    assert_true(n >= 1);
    if (yoso_feature_extraction(m, g_tok, req, n, res) != YOSO_OK)
        fail_msg("yoso_feature_extraction: %s", yoso_last_error());
    double worst = 0;
    for (int i = 0; i < n; i++) {
        char *got = NULL,
             *want = case_json(which[i], pooled_key ? "pooled" : "expected", pooled_key);
        assert_int_equal(yoso_feature_result_json(&res[i], &got), YOSO_OK);
        assert_int_equal(res[i].rows, p == YOSO_POOLING_NONE ? res[i].tokens : 1);
        double e = expect_match(which[i], pooled_key ? pooled_key : "none", got, want);
        worst = e > worst ? e : worst;
        free(got);
        free(want);
        yoso_feature_result_release(&res[i]);
    }
    return worst;
}

/* Every fixture case (long_700 among them) as one right-padded batch per model: the pipeline's
 * [1][tokens][H] and each pooled form, within 1e-5. */
static void test_typed_api_matches_pipeline(void **state) {
    (void)state;
    double none = fmax(run_typed(g_base, YOSO_POOLING_NONE, 0, NULL),
                       run_typed(g_seqcls, YOSO_POOLING_NONE, 0, NULL));
    printf("per-token states: max |error| vs HF %.3g\n", none);
    for (int k = 0; k < NUM_POOLED; k++) {
        double e =
            fmax(run_typed(g_base, k_pooled[k].pooling, k_pooled[k].normalize, k_pooled[k].key),
                 run_typed(g_seqcls, k_pooled[k].pooling, k_pooled[k].normalize, k_pooled[k].key));
        printf("%s: max |error| vs HF %.3g\n", k_pooled[k].key, e);
    }
}

/* The case's request as HF inference JSON: its inputs, its kwargs as parameters, plus pooling
 * and normalize when pooled_key names a pooled form (malloc'ed). */
static char *case_request(int c, int k) {
    cJSON *req = cJSON_CreateObject();
    cJSON_AddItemToObject(req, "inputs",
                          cJSON_Duplicate(cJSON_GetObjectItem(g_cases[c], "inputs"), 1));
    cJSON *params = cJSON_Duplicate(cJSON_GetObjectItem(g_cases[c], "kwargs"), 1);
    if (k >= 0) {
        cJSON_AddStringToObject(params, "pooling", yoso_pooling_name(k_pooled[k].pooling));
        cJSON_AddBoolToObject(params, "normalize", k_pooled[k].normalize);
    }
    cJSON_AddItemToObject(req, "parameters", params);
    return test_json_take(req);
}

/* Every case through yoso_task_run_json, one batch per model and form (kwargs as parameters). */
static void test_json_layer_matches_pipeline(void **state) {
    (void)state;
    yoso_model *models[2] = {g_base, g_seqcls};
    for (int k = -1; k < NUM_POOLED; k++)
        for (int mi = 0; mi < 2; mi++) {
            char *reqs[MAX_CASES], *out[MAX_CASES];
            int which[MAX_CASES], n = 0;
            for (int c = 0; c < g_ncases; c++)
                if (case_model(c) == models[mi]) which[n] = c, reqs[n++] = case_request(c, k);
            if (yoso_task_run_json(models[mi], g_tok, YOSO_TASK_FEATURE_EXTRACTION,
                                   (const char *const *)reqs, n, out) != YOSO_OK)
                fail_msg("yoso_task_run_json: %s", yoso_last_error());
            for (int i = 0; i < n; i++) {
                char *want = case_json(which[i], k < 0 ? "expected" : "pooled",
                                       k < 0 ? NULL : k_pooled[k].key);
                expect_match(which[i], k < 0 ? "json none" : k_pooled[k].key, out[i], want);
                free(want);
                free(out[i]);
                free(reqs[i]);
            }
        }
}

/* Reads a .npy back and checks its shape and that it holds exactly values. */
static void expect_npy(const char *path, int ndim, const int64_t *shape, const float *values) {
    yoso_npy npy;
    assert_int_equal(yoso_npy_read(path, &npy), YOSO_OK);
    assert_int_equal(npy.dtype, 'f');
    assert_int_equal(npy.ndim, ndim);
    for (int d = 0; d < ndim; d++) assert_int_equal(npy.shape[d], shape[d]);
    assert_memory_equal(npy.data, values, (size_t)yoso_npy_numel(&npy) * sizeof(float));
    yoso_npy_release(&npy);
}

/* .npy output: one unpooled input [tokens, H], one pooled [H], a pooled batch [N, H], an
 * unpooled batch of one length [N, tokens, H]; unpooled inputs of different lengths refused. */
static void test_npy_written_and_read_back(void **state) {
    (void)state;
    char *dir = test_make_temp_dir(), path[512];
    snprintf(path, sizeof path, "%s/f.npy", dir);
    yoso_feature_request req[3] = {
        {.text = "I love this movie!"}, {.text = "Hello"}, {.text = "I love this movie!"}};
    yoso_feature_result res[3];
    assert_int_equal(yoso_feature_extraction(g_base, g_tok, req, 3, res), YOSO_OK);
    const int h = res[0].dim, t = res[0].tokens;
    assert_int_equal(yoso_feature_results_npy(path, res, 1), YOSO_OK);
    expect_npy(path, 2, (int64_t[]){t, h}, res[0].values);
    assert_int_equal(yoso_feature_results_npy(path, res, 2), YOSO_ERR_USAGE);
    assert_non_null(strstr(yoso_last_error(), "pool them"));
    float *both = malloc(2 * (size_t)t * h * sizeof(float)); /* [2, t, h] */
    memcpy(both, res[0].values, (size_t)t * h * sizeof(float));
    memcpy(both + (size_t)t * h, res[2].values, (size_t)t * h * sizeof(float));
    yoso_feature_result same[2] = {res[0], res[2]};
    assert_int_equal(yoso_feature_results_npy(path, same, 2), YOSO_OK);
    expect_npy(path, 3, (int64_t[]){2, t, h}, both);
    for (int i = 0; i < 3; i++) yoso_feature_result_release(&res[i]);
    for (int i = 0; i < 3; i++) req[i].pooling = YOSO_POOLING_MEAN, req[i].normalize = 1;
    assert_int_equal(yoso_feature_extraction(g_base, g_tok, req, 3, res), YOSO_OK);
    assert_int_equal(yoso_feature_results_npy(path, res, 1), YOSO_OK);
    expect_npy(path, 1, (int64_t[]){h}, res[0].values);
    float *rows = malloc(3 * (size_t)h * sizeof(float)); /* [3, h] */
    for (int i = 0; i < 3; i++) memcpy(rows + i * h, res[i].values, (size_t)h * sizeof(float));
    assert_int_equal(yoso_feature_results_npy(path, res, 3), YOSO_OK);
    expect_npy(path, 2, (int64_t[]){3, h}, rows);
    for (int i = 0; i < 3; i++) yoso_feature_result_release(&res[i]);
    free(both);
    free(rows);
    test_remove_temp_dir(dir);
}

/* Runs one typed request; the caller releases *res. */
static void run_one(yoso_model *m, const yoso_feature_request *r, yoso_feature_result *res) {
    if (yoso_feature_extraction(m, g_tok, r, 1, res) != YOSO_OK)
        fail_msg("yoso_feature_extraction: %s", yoso_last_error());
}

/* A text pair is RoBERTa's <s> a </s></s> b </s> (the same states as those ids given directly);
 * ids in, the same as their text; truncation cuts a long input to the model's limit. */
static void test_pairs_ids_and_truncation(void **state) {
    (void)state;
    const char *a = "The cat sat.", *b = "It was happy.";
    int32_t *ia = NULL, *ib = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(
        yoso_tokenizer_encode(g_tok, a, strlen(a), YOSO_TOKENIZE_ADD_SPECIAL, 0, &ia, &na),
        YOSO_OK);
    assert_int_equal(
        yoso_tokenizer_encode(g_tok, b, strlen(b), YOSO_TOKENIZE_ADD_SPECIAL, 0, &ib, &nb),
        YOSO_OK);
    int32_t pair[64]; /* <s> a </s> </s> b </s>: b's <s> becomes </s> */
    memcpy(pair, ia, na * sizeof(int32_t));
    memcpy(pair + na, ib, nb * sizeof(int32_t));
    pair[na] = ia[na - 1];
    yoso_feature_result got, want, single;
    run_one(g_seqcls, &(yoso_feature_request){.text = a, .text_pair = b}, &got);
    run_one(g_seqcls, &(yoso_feature_request){.ids = pair, .num_ids = na + nb}, &want);
    run_one(g_seqcls, &(yoso_feature_request){.ids = ia, .num_ids = na}, &single);
    assert_int_equal(got.tokens, (int)(na + nb));
    assert_memory_equal(got.values, want.values, (size_t)got.rows * got.dim * sizeof(float));
    char *typed = NULL, *json = NULL; /* the JSON layer's {text, text_pair}: the same states */
    const char *req =
        "{\"inputs\": {\"text\": \"The cat sat.\", \"text_pair\": \"It was happy.\"}}";
    assert_int_equal(yoso_feature_result_json(&got, &typed), YOSO_OK);
    assert_int_equal(
        yoso_task_run_json(g_seqcls, g_tok, YOSO_TASK_FEATURE_EXTRACTION, &req, 1, &json), YOSO_OK);
    assert_string_equal(json, typed);
    free(typed);
    free(json);
    yoso_feature_result_release(&got);
    run_one(g_seqcls, &(yoso_feature_request){.text = a}, &got);
    assert_int_equal(got.tokens, (int)na);
    for (size_t k = 0; k < na * (size_t)got.dim; k++)
        assert_true(fabsf(got.values[k] - single.values[k]) <= 1e-6f);
    yoso_feature_result_release(&got);
    yoso_feature_result_release(&want);
    yoso_feature_result_release(&single);
    /* 1500 words are ~1500 tokens: too long for 1024 positions unless truncated, which cuts at
     * the tokenizer's model_max_length (512 here) as HF's truncation=True */
    yoso_model_info info;
    yoso_model_get_info(g_base, &info);
    assert_int_equal(yoso_tokenizer_model_max_length(g_tok), 512);
    char *text = malloc(1500 * 4 + 1);
    for (int i = 0; i < 1500; i++) memcpy(text + 4 * i, "cat ", 4);
    text[1500 * 4] = '\0';
    run_one(g_base, &(yoso_feature_request){.text = text, .truncation = 1, .pooling = 2}, &got);
    assert_int_equal(got.tokens, 512);
    yoso_feature_result_release(&got);
    /* pairs cut as HF's tokenizer(text, pair, truncation=True) does (measured there): 1500 + 1
     * tokens keep 507 + 1, 1500 + 301 keep 254 + 254, 1500 + 201 keep 307 + 201 */
    const struct {
        int words, tokens, keep_a, keep_b; /* the pair's "dog " words (0: "short"), tokens */
    } pairs[] = {{0, 1, 507, 1}, {300, 301, 254, 254}, {200, 201, 307, 201}};
    for (int p = 0; p < 3; p++) {
        char *pair_text = malloc(300 * 4 + 8);
        strcpy(pair_text, "short");
        for (int i = 0; i < pairs[p].words; i++) memcpy(pair_text + 4 * i, "dog ", 5);
        int32_t *x = NULL, *y = NULL, ids[512];
        size_t nx = 0, ny = 0;
        assert_int_equal(yoso_tokenizer_encode(g_tok, text, strlen(text), 0, 0, &x, &nx), YOSO_OK);
        assert_int_equal(yoso_tokenizer_encode(g_tok, pair_text, strlen(pair_text), 0, 0, &y, &ny),
                         YOSO_OK);
        assert_int_equal(ny, pairs[p].tokens);
        size_t at = 0; /* <s> a[:keep_a] </s></s> b[:keep_b] </s> */
        ids[at++] = ia[0];
        for (int i = 0; i < pairs[p].keep_a; i++) ids[at++] = x[i];
        ids[at++] = ia[na - 1];
        ids[at++] = ia[na - 1];
        for (int i = 0; i < pairs[p].keep_b; i++) ids[at++] = y[i];
        ids[at++] = ia[na - 1];
        assert_int_equal(at, 512);
        run_one(g_base,
                &(yoso_feature_request){.text = text, .text_pair = pair_text, .truncation = 1},
                &got);
        run_one(g_base, &(yoso_feature_request){.ids = ids, .num_ids = at}, &want);
        assert_int_equal(got.tokens, 512);
        assert_memory_equal(got.values, want.values, (size_t)512 * got.dim * sizeof(float));
        yoso_feature_result_release(&got);
        yoso_feature_result_release(&want);
        free(pair_text);
        free(x);
        free(y);
    }
    yoso_feature_request too_long = {.text = text};
    assert_int_equal(yoso_feature_extraction(g_base, g_tok, &too_long, 1, &got), YOSO_ERR_INPUT);
    char limit[64];
    snprintf(limit, sizeof limit, "more than the limit of %d", info.max_tokens);
    assert_non_null(strstr(yoso_last_error(), "input 0: the text is"));
    assert_non_null(strstr(yoso_last_error(), limit));
    free(text);
    free(ia);
    free(ib);
}

/* Adds Σ(a - b)² to *dd and Σb² to *bb over the numbers of two JSON values of one nesting. */
static void json_sums(const cJSON *a, const cJSON *b, double *dd, double *bb) {
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
        *dd += (a->valuedouble - b->valuedouble) * (a->valuedouble - b->valuedouble);
        *bb += b->valuedouble * b->valuedouble;
    }
    for (const cJSON *x = a->child, *y = b->child; x && y; x = x->next, y = y->next)
        json_sums(x, y, dd, bb);
}

/* The cosine of the mean over the tokens of states [1][tokens][hidden] with the unit vector want.
 */
static double mean_cosine(const cJSON *states, const cJSON *want) {
    double mean[1024] = {0}, norm = 0, dot = 0;
    const cJSON *token, *x;
    assert_true(cJSON_GetArraySize(want) <= 1024);
    cJSON_ArrayForEach(token, states->child) {
        int k = 0;
        cJSON_ArrayForEach(x, token) mean[k++] += x->valuedouble;
    }
    int k = 0;
    cJSON_ArrayForEach(x, want) {
        norm += mean[k] * mean[k];
        dot += mean[k++] * x->valuedouble;
    }
    return dot / sqrt(norm);
}

/* The statistics of the LSH check: the relative L2 distance ||a - e|| / ||e|| of all per-token
 * states from HF's, and the mean cosine of their normalized means with HF's. */
enum { REL, COS };

/* test_lsh_measure_fn: stats[REL] and stats[COS] of got[] against HF's answers. */
static void lsh_measure(const cJSON **picked, cJSON **got, int n, double *stats) {
    double dd = 0, ee = 0;
    stats[COS] = 0;
    for (int i = 0; i < n; i++) {
        json_sums(got[i], cJSON_GetObjectItem(picked[i], "expected"), &dd, &ee);
        const cJSON *pooled = cJSON_GetObjectItem(picked[i], "pooled");
        stats[COS] += mean_cosine(got[i], cJSON_GetObjectItem(pooled, "mean_normalized")) / n;
        cJSON_Delete(got[i]);
    }
    stats[REL] = sqrt(dd / ee);
}

/* The cases of the LSH check: the base model's but long_* (300 and 700 words). */
static int lsh_case(const cJSON *c) {
    return !strcmp(cJSON_GetObjectItem(c, "model")->valuestring, "base-hd64") &&
           !strstr(cJSON_GetObjectItem(c, "name")->valuestring, "/long_");
}

/* The LSH check on base-hd64. */
static const char *const k_lsh_stats[2] = {"relative L2 of the states", "mean cosine of the means"};
static const test_lsh_check k_lsh = {
    "base-hd64", YOSO_TASK_FEATURE_EXTRACTION, lsh_case, LSH_FEW, LSH_MANY, lsh_measure,
    k_lsh_stats};

/* LSH attention: deterministic per seed (test_lsh_check_run), and nearer HF's expectation-mode
 * states with LSH_MANY hashes than with LSH_FEW. */
static void test_lsh_deterministic_and_close(void **state) {
    (void)state;
    double few[2], many[2];
    test_lsh_check_run(&k_lsh, g_cases, g_ncases, few, many);
    assert_true(many[REL] < few[REL] && many[COS] > few[COS]);
    assert_true(many[REL] > 0 && many[REL] <= LSH_REL_BOUND);
    assert_true(many[COS] >= LSH_COS_BOUND);
}

/* Quotes s for a POSIX shell into a malloc'ed string ('...' with ' as '\''). */
static char *shell_quote(const char *s) {
    char *q = malloc(4 * strlen(s) + 3), *o = q;
    *o++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *s;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/* Runs `yoso feature-extraction` on the model of case c with extra options and the case's text;
 * returns the exit code, *out the stdout (malloc'ed). */
static int run_cli(int c, const char *options, char **out, char **err) {
    char *text = shell_quote(cJSON_GetObjectItem(g_cases[c], "inputs")->valuestring), cmd[8192];
    snprintf(cmd, sizeof cmd, "%s feature-extraction -m '%s/tasks/%s' --tokenizer '%s' %s %s",
             YOSO_CLI, YOSO_TEST_DATA, cJSON_GetObjectItem(g_cases[c], "model")->valuestring,
             test_data_path("tasks/tokenizer"), options, text);
    free(text);
    return test_run(cmd, out, err);
}

/* Runs the CLI on case c with options: it exits with code and prints what (NULL: nothing) on
 * stdout (code 0) or in its error (otherwise). */
static void expect_cli(int c, const char *options, int code, const char *what) {
    char *out = NULL, *err = NULL;
    const int got = run_cli(c, options, &out, &err);
    if (got != code) fail_msg("%s: exit %d, expected %d: %s", options, got, code, err);
    const char *where = code == 0 ? out : err;
    if (what ? !strstr(where, what) : where[0] != '\0')
        fail_msg("%s: printed '%s', expected %s", options, where, what ? what : "nothing");
    free(out);
    free(err);
}

/* The CLI: --json on a few cases (both models, each pooled form) equals the pipeline's JSON;
 * a table on a terminal shows the shape; --npy writes what --json prints; bad flags exit 2. */
static void test_cli(void **state) {
    (void)state;
    const char *names[] = {"base-hd64/short", "base-hd64/unicode", "seqcls/unicode"};
    for (int c = 0; c < g_ncases; c++) {
        int pick = 0;
        for (int i = 0; i < 3; i++) pick |= !strcmp(case_name(c), names[i]);
        if (!pick) continue;
        for (int k = -1; k < NUM_POOLED; k++) {
            char opts[128], *out = NULL, *err = NULL;
            snprintf(opts, sizeof opts, "--json %s%s%s", k < 0 ? "" : "--pooling ",
                     k < 0 ? "" : yoso_pooling_name(k_pooled[k].pooling),
                     k >= 0 && k_pooled[k].normalize ? " --normalize" : "");
            if (run_cli(c, opts, &out, &err) != 0) fail_msg("%s %s: %s", case_name(c), opts, err);
            char *want =
                case_json(c, k < 0 ? "expected" : "pooled", k < 0 ? NULL : k_pooled[k].key);
            out[strcspn(out, "\n")] = '\0';
            expect_match(c, opts, out, want);
            free(want);
            free(out);
            free(err);
        }
    }
    /* the table, the .npy (what --json printed) and errors, on base-hd64/short */
    int c = 0;
    while (strcmp(case_name(c), "base-hd64/short")) c++;
    expect_cli(c, "", 0, "hidden states [1, 7, 64]");
    expect_cli(c, "--pooling mean --normalize", 0, "vector [64], L2 norm 1.00000");
    char *dir = test_make_temp_dir(), opts[600];
    snprintf(opts, sizeof opts, "--pooling cls --npy '%s/v.npy'", dir);
    expect_cli(c, opts, 0, NULL);
    snprintf(opts, sizeof opts, "%s/v.npy", dir);
    yoso_npy npy;
    assert_int_equal(yoso_npy_read(opts, &npy), YOSO_OK);
    assert_int_equal(npy.ndim, 1);
    assert_int_equal(npy.shape[0], 64);
    const cJSON *want = cJSON_GetObjectItem(cJSON_GetObjectItem(g_cases[c], "pooled"), "cls");
    for (int k = 0; k < 64; k++)
        assert_true(fabs(((float *)npy.data)[k] - cJSON_GetArrayItem(want, k)->valuedouble) <= TOL);
    yoso_npy_release(&npy);
    test_remove_temp_dir(dir);
    expect_cli(c, "--pooling max", 2, "\"pooling\" is \"max\"");
    expect_cli(c, "--json --npy /dev/null", 2, "do not also give --json");
}

/* Runs one JSON request and expects failure with st and a message containing part. */
static void expect_json_failure(const char *request, yoso_status st, const char *part) {
    char *out = NULL;
    yoso_status got =
        yoso_task_run_json(g_base, g_tok, YOSO_TASK_FEATURE_EXTRACTION, &request, 1, &out);
    if (got != st || !strstr(yoso_last_error(), part))
        fail_msg("%s: got %s \"%s\", want %s with \"%s\"", request, yoso_status_string(got),
                 yoso_last_error(), yoso_status_string(st), part);
}

/* Bad requests are refused, named by their index, with what to do. */
static void test_bad_requests(void **state) {
    (void)state;
    yoso_feature_result res[2];
    yoso_feature_request bad[2] = {{.text = "fine"}, {.text = "x", .pooling = 7}};
    assert_int_equal(yoso_feature_extraction(g_base, g_tok, bad, 2, res), YOSO_ERR_USAGE);
    assert_non_null(strstr(yoso_last_error(), "input 1: pooling 7 is out of range"));
    bad[1] = (yoso_feature_request){0};
    assert_int_equal(yoso_feature_extraction(g_base, g_tok, bad, 2, res), YOSO_ERR_USAGE);
    assert_non_null(strstr(yoso_last_error(), "input 1: the request has no text"));
    int32_t out_of_vocab[3] = {0, 999999, 2};
    bad[1] = (yoso_feature_request){.ids = out_of_vocab, .num_ids = 3};
    assert_int_equal(yoso_feature_extraction(g_base, g_tok, bad, 2, res), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "input 1: id 999999 at 1 is outside"));
    yoso_pooling p;
    assert_int_equal(yoso_pooling_find("max", &p), YOSO_ERR_USAGE);
    assert_int_equal(yoso_pooling_find("mean", &p), YOSO_OK);
    assert_int_equal(p, YOSO_POOLING_MEAN);
    assert_null(yoso_pooling_name(YOSO_POOLING_COUNT));
    expect_json_failure("{\"inputs\": \"a\", \"parameters\": {\"pooling\": \"max\"}}",
                        YOSO_ERR_INPUT, "\"pooling\" is \"max\": use one of none, cls, mean");
    expect_json_failure("{\"inputs\": \"a\", \"parameters\": {\"normalize\": 1}}", YOSO_ERR_INPUT,
                        "\"normalize\" must be true or false");
    expect_json_failure("{\"inputs\": \"a\", \"parameters\": {\"truncation\": true, "
                        "\"tokenize_kwargs\": {\"truncation\": false}}}",
                        YOSO_ERR_INPUT, "truncation parameter defined twice");
    expect_json_failure("{\"inputs\": \"a\", \"parameters\": {\"tokenize_kwargs\": "
                        "{\"padding\": true}}}",
                        YOSO_ERR_INPUT, "may only hold \"truncation\"");
    expect_json_failure("{\"inputs\": {\"text_pair\": \"b\"}}", YOSO_ERR_INPUT,
                        "input 0: \"inputs\" needs a string \"text\"");
    expect_json_failure("{\"inputs\": {\"text\": \"a\", \"text_pair\": 3}}", YOSO_ERR_INPUT,
                        "\"text_pair\"");
    /* tokenize_kwargs' truncation works as truncation itself */
    const char *ok = "{\"inputs\": \"a\", \"parameters\": {\"tokenize_kwargs\": {\"truncation\": "
                     "true}, \"pooling\": \"cls\"}}";
    char *out = NULL;
    assert_int_equal(yoso_task_run_json(g_base, g_tok, YOSO_TASK_FEATURE_EXTRACTION, &ok, 1, &out),
                     YOSO_OK);
    cJSON *v = cJSON_Parse(out);
    assert_int_equal(cJSON_GetArraySize(v), 64);
    cJSON_Delete(v);
    free(out);
}

/* The server's pooling function on its own: CLS is row 0, mean the average, normalize unit
 * length, and a zero vector stays zero (F.normalize's eps). */
static void test_pool_function(void **state) {
    (void)state;
    const float h[3 * 2] = {3, 4, 1, 0, 2, 2}; /* [3, 2] */
    float out[6];
    assert_int_equal(yoso_feature_pool(h, 3, 2, YOSO_POOLING_CLS, 0, out), YOSO_OK);
    assert_true(out[0] == 3 && out[1] == 4);
    assert_int_equal(yoso_feature_pool(h, 3, 2, YOSO_POOLING_CLS, 1, out), YOSO_OK);
    assert_true(fabsf(out[0] - 0.6f) < 1e-7f && fabsf(out[1] - 0.8f) < 1e-7f);
    assert_int_equal(yoso_feature_pool(h, 3, 2, YOSO_POOLING_MEAN, 0, out), YOSO_OK);
    assert_true(out[0] == 2 && out[1] == 2);
    assert_int_equal(yoso_feature_pool(h, 3, 2, YOSO_POOLING_NONE, 1, out), YOSO_OK);
    assert_true(fabsf(out[2] - 1) < 1e-7f && out[3] == 0);
    const float zero[2] = {0, 0};
    assert_int_equal(yoso_feature_pool(zero, 1, 2, YOSO_POOLING_MEAN, 1, out), YOSO_OK);
    assert_true(out[0] == 0 && out[1] == 0);
    assert_int_equal(yoso_feature_pool(h, 0, 2, YOSO_POOLING_MEAN, 0, out), YOSO_ERR_USAGE);
    assert_int_equal(yoso_feature_pool(h, 3, 2, YOSO_POOLING_COUNT, 0, out), YOSO_ERR_USAGE);
}

static int setup(void **state) {
    if (test_task_setup(state, &g_tok)) return -1;
    if (test_setup_model("tasks/base-hd64", YOSO_ATTENTION_EXPECTATION, &g_base) ||
        test_setup_model("tasks/seqcls", YOSO_ATTENTION_EXPECTATION, &g_seqcls))
        return -1;
    g_ncases = test_read_cases("tasks/feature-extraction.jsonl", g_cases, MAX_CASES);
    return g_ncases >= 9 ? 0 : -1;
}

static int teardown(void **state) {
    test_free_cases(g_cases, g_ncases);
    yoso_model_free(g_seqcls);
    yoso_model_free(g_base);
    return test_task_teardown(state, g_tok);
}

TEST_MAIN(setup, teardown, test_typed_api_matches_pipeline, test_json_layer_matches_pipeline,
          test_npy_written_and_read_back, test_pairs_ids_and_truncation,
          test_lsh_deterministic_and_close, test_bad_requests, test_pool_function, test_cli)

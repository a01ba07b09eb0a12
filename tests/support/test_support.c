/* test_support.c — helpers shared by the CMocka tests. */
#include "test_support.h"

#include "npy.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Before main: $YOSO_TEST_FILTER / $YOSO_TEST_SKIP (cmocka patterns, '*' and '?') choose the
 * cases a program runs. Only the Oclgrind stage of .ci/run uses them, to leave out the large
 * shapes that the PoCL and rusticl stages run in full. */
__attribute__((constructor)) static void test_select_cases(void) {
    const char *only = getenv("YOSO_TEST_FILTER"), *skip = getenv("YOSO_TEST_SKIP");
    if (only && *only) cmocka_set_test_filter(only);
    if (skip && *skip) cmocka_set_skip_filter(skip);
}

const char *test_data_path(const char *relative) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", YOSO_TEST_DATA, relative);
    return buf;
}

size_t test_fixture_logits_select(const char *name, int batch, int seq, size_t vocab,
                                  float *logits) {
    char rel[512];
    snprintf(rel, sizeof rel, "models/%s/logits_positions.npy", name);
    if (access(test_data_path(rel), R_OK) != 0) return (size_t)batch * seq * vocab;
    yoso_npy pos;
    if (yoso_npy_read(test_data_path(rel), &pos) != YOSO_OK) fail_msg("%s", yoso_last_error());
    if (pos.dtype != 'i') fail_msg("%s: logits_positions.npy is not int32", name);
    const int32_t *p = pos.data;
    const size_t np = (size_t)yoso_npy_numel(&pos);
    for (size_t i = 0; i < np; i++)
        if (p[i] < 0 || p[i] >= seq || (i > 0 && p[i] <= p[i - 1]))
            fail_msg("%s: logits_positions.npy entry %zu (%d) is not an increasing position < %d",
                     name, i, (int)p[i], seq);
    /* rows move only towards the front (out index ≤ in index), so in place is safe */
    for (int b = 0; b < batch; b++)
        for (size_t i = 0; i < np; i++)
            memmove(logits + ((size_t)b * np + i) * vocab,
                    logits + ((size_t)b * seq + (size_t)p[i]) * vocab, vocab * sizeof(float));
    yoso_npy_release(&pos);
    return (size_t)batch * np * vocab;
}

char *test_make_temp_dir(void) {
    char tmpl[] = "/tmp/yoso-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    return dir ? strdup(dir) : NULL;
}

yoso_context *test_context_preparing(const char *dir) {
    yoso_context_options opt = {.cache_dir = dir, .background = 1};
    yoso_context *ctx = NULL;
    setenv("YOSO_TEST_CACHE_WRITE_DELAY", "0.5", 1); /* read when the context is created */
    const yoso_status st = yoso_context_create(&opt, &ctx);
    unsetenv("YOSO_TEST_CACHE_WRITE_DELAY");
    if (st != YOSO_OK) fprintf(stderr, "%s\n", yoso_last_error());
    assert_int_equal(st, YOSO_OK);
    return ctx;
}

void test_remove_tree(const char *path) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", path);
}

void test_remove_temp_dir(char *dir) {
    test_remove_tree(dir);
    free(dir);
}

char *test_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (size) *size = (size_t)n;
    }
    return buf;
}

int test_write_file(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, size, f);
    return (fclose(f) == 0 && w == size) ? 0 : -1;
}

int test_run(const char *command, char **out, char **err) {
    char *dir = test_make_temp_dir();
    if (!dir) return -1;
    char o[4200], e[4200], cmd[16384];
    snprintf(o, sizeof o, "%s/out", dir);
    snprintf(e, sizeof e, "%s/err", dir);
    snprintf(cmd, sizeof cmd, "( %s ) >'%s' 2>'%s' </dev/null", command, o, e);
    int rc = system(cmd);
    int code = (rc == -1) ? -1 : (WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc));
    if (out) *out = test_read_file(o, NULL);
    if (err) *err = test_read_file(e, NULL);
    test_remove_temp_dir(dir);
    return code;
}

yoso_context *test_ctx;

int test_context_setup(void **state) {
    yoso_context_options opt = {0};
    if (yoso_context_create(&opt, &test_ctx) == YOSO_OK) return 0;
    fprintf(stderr, "%s\n", yoso_last_error());
    return -1;
}

int test_context_teardown(void **state) {
    yoso_context_free(test_ctx);
    test_ctx = NULL;
    return 0;
}

int test_task_setup(void **state, yoso_tokenizer **tok) {
    if (test_context_setup(state)) return -1;
    if (yoso_tokenizer_load(test_data_path("tasks/tokenizer"), tok) == YOSO_OK) return 0;
    fprintf(stderr, "setup: %s\n", yoso_last_error());
    return -1;
}

int test_task_teardown(void **state, yoso_tokenizer *tok) {
    yoso_tokenizer_free(tok);
    return test_context_teardown(state);
}

void test_fill_uniform(float *x, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* Splits the stringified case list into names and runs the cases as one cmocka group. */
int test_run_cases(const CMUnitTestFunction *cases, size_t count, const char *names,
                   CMFixtureFunction setup, CMFixtureFunction teardown) {
    struct CMUnitTest *tests = calloc(count, sizeof *tests);
    char *list = strdup(names), *save = NULL;
    if (!tests || !list) return 1;
    char *name = strtok_r(list, ", \t\n", &save);
    for (size_t i = 0; i < count; i++, name = strtok_r(NULL, ", \t\n", &save)) {
        tests[i].name = name ? name : "?";
        tests[i].test_func = cases[i];
    }
    int failed = _cmocka_run_group_tests("tests", tests, count, setup, teardown);
    free(tests);
    free(list);
    return failed;
}

/* Walks a and b together; path[] names the node; returns 1 when they match. */
static int json_match_node(const cJSON *a, const cJSON *b, double tol, char *path, size_t plen,
                           char *why, size_t n) {
    size_t at = strlen(path);
    if ((a->type & 0xFF) != (b->type & 0xFF)) {
        snprintf(why, n, "%s: JSON types differ (%d vs %d)", path, a->type & 0xFF, b->type & 0xFF);
        return 0;
    }
    if (cJSON_IsNumber(a)) {
        if (fabs(a->valuedouble - b->valuedouble) <= tol) return 1;
        snprintf(why, n, "%s: %.9g vs %.9g", path, a->valuedouble, b->valuedouble);
        return 0;
    }
    if (cJSON_IsString(a)) {
        if (strcmp(a->valuestring, b->valuestring) == 0) return 1;
        snprintf(why, n, "%s: \"%s\" vs \"%s\"", path, a->valuestring, b->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(a) && !cJSON_IsObject(a)) return 1; /* true, false, null */
    int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
    if (na != nb) {
        snprintf(why, n, "%s: %d vs %d %s", path, na, nb, cJSON_IsArray(a) ? "items" : "keys");
        return 0;
    }
    const cJSON *x = a->child, *y = b->child;
    for (int i = 0; x && y; i++, x = x->next, y = y->next) {
        if (cJSON_IsObject(a)) {
            if (strcmp(x->string, y->string) != 0) {
                snprintf(why, n, "%s: key %d is \"%s\" vs \"%s\"", path, i, x->string, y->string);
                return 0;
            }
            snprintf(path + at, plen - at, ".%s", x->string);
        } else {
            snprintf(path + at, plen - at, "[%d]", i);
        }
        if (!json_match_node(x, y, tol, path, plen, why, n)) return 0;
        path[at] = '\0';
    }
    return 1;
}

int test_json_match(const char *got, const char *want, double tol, char *why, size_t n) {
    cJSON *a = cJSON_Parse(got), *b = cJSON_Parse(want);
    char path[512] = "$";
    int ok = 0;
    if (!a || !b)
        snprintf(why, n, "%s is not valid JSON", !a ? "the output" : "the expected value");
    else
        ok = json_match_node(a, b, tol, path, sizeof path, why, n);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return ok;
}

int test_read_cases(const char *relative, cJSON **cases, int max) {
    char *text = test_read_file(test_data_path(relative), NULL);
    if (!text) return -1;
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n"))
        if (!(cases[n++] = cJSON_Parse(line))) {
            test_free_cases(cases, n - 1);
            n = -1;
            break;
        }
    free(text);
    return n;
}

void test_free_cases(cJSON **cases, int n) {
    for (int i = 0; i < n; i++) cJSON_Delete(cases[i]);
}

char *test_json_take(cJSON *root) {
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

char *test_case_request(const cJSON *c) {
    cJSON *req = cJSON_CreateObject();
    cJSON_AddItemToObject(req, "inputs", cJSON_Duplicate(cJSON_GetObjectItem(c, "inputs"), 1));
    cJSON_AddItemToObject(req, "parameters", cJSON_Duplicate(cJSON_GetObjectItem(c, "kwargs"), 1));
    return test_json_take(req);
}

int test_setup_model(const char *relative, yoso_attention attention, yoso_model **out) {
    yoso_model_options opt = {.attention = attention};
    if (yoso_model_load(test_ctx, test_data_path(relative), &opt, out) == YOSO_OK) return 0;
    fprintf(stderr, "setup: %s: %s\n", relative, yoso_last_error());
    return -1;
}

yoso_model *test_load_task_model(const char *name, yoso_attention attention, int num_hash,
                                 uint64_t seed) {
    char rel[128];
    snprintf(rel, sizeof rel, "tasks/%s", name);
    yoso_model_options opt = {.attention = attention, .num_hash = num_hash, .seed = seed};
    yoso_model *m = NULL;
    if (yoso_model_load(test_ctx, test_data_path(rel), &opt, &m) != YOSO_OK)
        fail_msg("%s: %s", name, yoso_last_error());
    return m;
}

void test_free_strings(char **s, int n) {
    for (int i = 0; i < n; i++) free(s[i]);
}

/* The requests of an LSH check, and where they go. */
typedef struct lsh_batch {
    const test_lsh_check *check;
    const yoso_tokenizer *tok;
    char **requests;
    int n;
} lsh_batch;

/* Answers batch b with m into json[]; fails the running test when it cannot. */
static void lsh_run(yoso_model *m, const lsh_batch *b, char **json) {
    const test_lsh_check *c = b->check;
    if (yoso_task_run_json(m, b->tok, c->task, (const char *const *)b->requests, b->n, json))
        fail_msg("%s (LSH): %s", c->model, yoso_last_error());
}

/* Answers batch b with m and returns how many answers differ from want[] (freeing its own). */
static int answers_differ(yoso_model *m, const lsh_batch *b, char **want, char **again) {
    lsh_run(m, b, again);
    int differ = 0;
    for (int i = 0; i < b->n; i++) differ += strcmp(again[i], want[i]) != 0;
    test_free_strings(again, b->n);
    return differ;
}

/* Parses json[n] into got[], frees json[] and measures got[] against picked[] into stats[]. */
static void lsh_measure(const test_lsh_check *c, const cJSON **picked, char **json, int n,
                        double *stats) {
    cJSON **got = calloc((size_t)n, sizeof *got);
    assert_non_null(got);
    for (int i = 0; i < n; i++) assert_non_null(got[i] = cJSON_Parse(json[i]));
    test_free_strings(json, n);
    c->measure(picked, got, n, stats);
    free(got);
}

/* Prints check c's statistics with num_hash hashes (part of a line). */
static void lsh_print(const test_lsh_check *c, int num_hash, const double *stats, const char *end) {
    printf(" %d hashes:", num_hash);
    for (int k = 0; k < 2 && c->stats[k]; k++)
        printf("%s %s %.4g", k ? "," : "", c->stats[k], stats[k]);
    printf("%s", end);
}

void test_lsh_check_run(const test_lsh_check *c, cJSON *const *cases, int num_cases, double *few,
                        double *many) {
    const cJSON **picked = calloc((size_t)num_cases, sizeof *picked);
    char **req = calloc((size_t)num_cases, sizeof *req), **a = calloc((size_t)num_cases, sizeof *a),
         **b = calloc((size_t)num_cases, sizeof *b);
    assert_true(picked && req && a && b);
    int n = 0;
    for (int i = 0; i < num_cases; i++)
        if (c->pick(cases[i])) {
            picked[n] = cases[i];
            req[n++] = test_case_request(cases[i]);
        }
    assert_true(n > 0);
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load(test_data_path("tasks/tokenizer"), &tok), YOSO_OK);
    const lsh_batch batch = {c, tok, req, n};
    yoso_model *m = test_load_task_model(c->model, YOSO_ATTENTION_LSH, c->few, 7);
    lsh_run(m, &batch, a);
    if (answers_differ(m, &batch, a, b))
        fail_msg("%s: LSH answers otherwise a second time with the same model", c->model);
    yoso_model_free(m);
    m = test_load_task_model(c->model, YOSO_ATTENTION_LSH, c->few, 7);
    if (answers_differ(m, &batch, a, b))
        fail_msg("%s: a second load with LSH seed 7 answers otherwise", c->model);
    yoso_model_free(m);
    m = test_load_task_model(c->model, YOSO_ATTENTION_LSH, c->few, 8);
    if (!answers_differ(m, &batch, a, b)) fail_msg("%s: LSH seeds 7 and 8 answer alike", c->model);
    yoso_model_free(m);
    m = test_load_task_model(c->model, YOSO_ATTENTION_LSH, c->many, 7);
    lsh_run(m, &batch, b);
    yoso_model_free(m);
    yoso_tokenizer_free(tok);
    lsh_measure(c, picked, a, n, few);
    lsh_measure(c, picked, b, n, many);
    printf("LSH %s on %d cases vs HF's expectation:", c->model, n);
    lsh_print(c, c->few, few, ";");
    lsh_print(c, c->many, many, "\n");
    test_free_strings(req, n);
    free(picked);
    free(req);
    free(a);
    free(b);
}

/* test_cli_tokenize.c — `yoso tokenize` end to end: output format, stdin and --jsonl, the model
 * folder choice, length options, and exit codes with one-line errors. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "yoso.h"

static char g_dir[4096];   /* a scratch folder for inputs */
static char g_model[4096]; /* tests/data/roberta-bpe */

static int setup(void **state) {
    (void)state;
    char *dir = test_make_temp_dir();
    if (!dir) return -1;
    snprintf(g_dir, sizeof g_dir, "%s", dir);
    free(dir);
    snprintf(g_model, sizeof g_model, "%s/roberta-bpe", YOSO_TEST_DATA);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    test_remove_tree(g_dir);
    return 0;
}

/* Runs `yoso tokenize ARGS` (env prefix allowed, stdin from a file when given). */
static int run_tokenize(const char *env, const char *args, const char *stdin_text, char **out,
                        char **err) {
    char input[4200] = "/dev/null", cmd[16384];
    if (stdin_text) {
        snprintf(input, sizeof input, "%s/stdin.txt", g_dir);
        assert_int_equal(test_write_file(input, stdin_text, strlen(stdin_text)), 0);
    }
    snprintf(cmd, sizeof cmd, "( env %s '%s' tokenize %s < '%s' )", env ? env : "", YOSO_CLI, args,
             input);
    return test_run(cmd, out, err);
}

/* Asserts a failure: the exit code, stdout as given (the lines before the failing input), one
 * "yoso…" line on stderr with needle. */
static void expect_failure_after(int rc, int want_rc, const char *out, const char *want_out,
                                 const char *err, const char *needle) {
    if (rc != want_rc || !strstr(err, needle)) printf("rc %d, stderr: %s\n", rc, err);
    assert_int_equal(rc, want_rc);
    assert_string_equal(out, want_out);
    assert_memory_equal(err, "yoso", 4);
    assert_non_null(strchr(err, '\n'));
    assert_string_equal(strchr(err, '\n'), "\n"); /* exactly one line */
    assert_non_null(strstr(err, needle));
}

/* Asserts a failure with nothing on stdout. */
static void expect_failure(int rc, int want_rc, const char *out, const char *err,
                           const char *needle) {
    expect_failure_after(rc, want_rc, out, "", err, needle);
}

/* The ids the library gives for a text, as the CLI prints them. */
static void library_line(const char *text, char *line, size_t cap) {
    yoso_tokenizer *tok = NULL;
    int32_t *ids = NULL;
    size_t n = 0, used = 0;
    assert_int_equal(yoso_tokenizer_load(g_model, &tok), YOSO_OK);
    assert_int_equal(
        yoso_tokenizer_encode(tok, text, strlen(text), YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n),
        YOSO_OK);
    used += (size_t)snprintf(line + used, cap - used, "[");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(line + used, cap - used, i ? ", %d" : "%d", ids[i]);
    snprintf(line + used, cap - used, "]\n");
    free(ids);
    yoso_tokenizer_free(tok);
}

/* TEXT arguments: one JSON array per text, in order. */
static void test_arguments(void **state) {
    (void)state;
    char *out = NULL, *err = NULL, args[8192], want[4096], line[1024];
    snprintf(args, sizeof args, "-m '%s' 'Hello world' ' capital' 'Paris is the [MASK].'", g_model);
    assert_int_equal(run_tokenize(NULL, args, NULL, &out, &err), 0);
    want[0] = '\0';
    strcat(want, "[0, 31414, 232, 2]\n[0, 812, 2]\n");
    library_line("Paris is the <mask>.", line, sizeof line);
    strcat(want, line);
    assert_string_equal(out, want);
    assert_string_equal(err, "");
    free(out);
    free(err);
}

/* No TEXT: each stdin line is one input (CRLF endings too; a blank line is the empty text). */
static void test_stdin_lines(void **state) {
    (void)state;
    char *out = NULL, *err = NULL, args[4200];
    snprintf(args, sizeof args, "--model '%s'", g_model);
    assert_int_equal(run_tokenize(NULL, args, "Hello world\n\nHello world\r\n", &out, &err), 0);
    assert_string_equal(out, "[0, 31414, 232, 2]\n[0, 2]\n[0, 31414, 232, 2]\n");
    free(out);
    free(err);
    /* $YOSO_MODEL instead of -m */
    char env[4200];
    snprintf(env, sizeof env, "YOSO_MODEL='%s'", g_model);
    assert_int_equal(run_tokenize(env, "", "Hello world\n", &out, &err), 0);
    assert_string_equal(out, "[0, 31414, 232, 2]\n");
    free(out);
    free(err);
}

/* --jsonl: the whole golden corpus through the CLI gives HF's ids and tokens. */
static void test_jsonl_corpus(void **state) {
    (void)state;
    char *expected = test_read_file(test_data_path("tokenizer/expected.jsonl"), NULL);
    assert_non_null(expected);
    /* the inputs: every corpus text that JSON can carry through cJSON (no U+0000) */
    size_t cap = strlen(expected) + 1, used = 0, count = 0;
    char *input = malloc(cap);
    cJSON **rows = malloc(1000 * sizeof *rows);
    for (char *line = strtok(expected, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *row = cJSON_Parse(line);
        assert_non_null(row);
        if (cJSON_GetObjectItemCaseSensitive(row, "text_hex") || count == 1000) {
            cJSON_Delete(row);
            continue;
        }
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "text",
                                cJSON_GetObjectItemCaseSensitive(row, "text")->valuestring);
        char *json = cJSON_PrintUnformatted(in);
        used += (size_t)snprintf(input + used, cap - used, "%s\n", json);
        free(json);
        cJSON_Delete(in);
        rows[count++] = row;
    }
    assert_true(count >= 300);
    char *out = NULL, *err = NULL, args[4200];
    snprintf(args, sizeof args, "--jsonl --max-length 0 -m '%s'", g_model);
    assert_int_equal(run_tokenize(NULL, args, input, &out, &err), 0);
    size_t got = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), got++) {
        assert_true(got < count);
        cJSON *o = cJSON_Parse(line);
        assert_non_null(o);
        char *ids = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "ids"));
        char *want_ids = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(rows[got], "ids"));
        char *tokens = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "tokens"));
        char *want_tokens =
            cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(rows[got], "tokens"));
        assert_string_equal(ids, want_ids);
        assert_string_equal(tokens, want_tokens);
        free(ids);
        free(want_ids);
        free(tokens);
        free(want_tokens);
        cJSON_Delete(o);
    }
    assert_int_equal(got, count);
    for (size_t i = 0; i < count; i++) cJSON_Delete(rows[i]);
    free(rows);
    free(input);
    free(out);
    free(err);
    free(expected);
}

/* --max-length: an error by default, truncation (ending in </s>) with --truncate. */
static void test_length_options(void **state) {
    (void)state;
    char *out = NULL, *err = NULL, args[4200];
    int rc;
    snprintf(args, sizeof args, "-m '%s' --max-length 3 'Hello world'", g_model);
    rc = run_tokenize(NULL, args, NULL, &out, &err);
    expect_failure(rc, 2, out, err, "limit of 3");
    free(out);
    free(err);
    snprintf(args, sizeof args, "-m '%s' --max-length 3 --truncate 'Hello world'", g_model);
    assert_int_equal(run_tokenize(NULL, args, NULL, &out, &err), 0);
    assert_string_equal(out, "[0, 31414, 2]\n");
    free(out);
    free(err);
    /* the default limit is 4096 */
    size_t n = 5000;
    char *text = malloc(6 * n + 2);
    for (size_t i = 0; i < n; i++) memcpy(text + 6 * i, " word.", 6);
    memcpy(text + 6 * n, "\n", 2);
    snprintf(args, sizeof args, "-m '%s'", g_model);
    rc = run_tokenize(NULL, args, text, &out, &err);
    expect_failure(rc, 2, out, err, "4096");
    free(out);
    free(err);
    snprintf(args, sizeof args, "-m '%s' --truncate", g_model);
    assert_int_equal(run_tokenize(NULL, args, text, &out, &err), 0);
    size_t commas = 0;
    for (const char *p = out; *p; p++) commas += *p == ',';
    assert_int_equal(commas, 4095);
    assert_non_null(strstr(out, ", 2]\n"));
    free(out);
    free(err);
    free(text);
}

/* Bad usage and bad input: exit 2 with one line on stderr; --help: exit 0. */
static void test_errors(void **state) {
    (void)state;
    char *out = NULL, *err = NULL, args[4200];
    int rc;
    snprintf(args, sizeof args, "-m '%s' \"$(printf 'ab\\377cd')\"", g_model);
    rc = run_tokenize(NULL, args, NULL, &out, &err);
    expect_failure(rc, 2, out, err, "not valid UTF-8 at byte 2");
    free(out);
    free(err);
    snprintf(args, sizeof args, "-m '%s' --jsonl", g_model);
    rc = run_tokenize(NULL, args, "{\"text\": \"Hello world\"}\nnot json\n", &out, &err);
    /* the lines before the bad one are answered (output streams), then the error */
    expect_failure_after(
        rc, 2, out,
        "{\"ids\": [0, 31414, 232, 2], \"tokens\": [\"<s>\", \"Hello\", \"\xC4\xA0world\", \"</s>\"]}\n",
        err, "line 2");
    free(out);
    free(err);
    rc = run_tokenize(NULL, "--no-such-option x", NULL, &out, &err);
    expect_failure(rc, 2, out, err, "--no-such-option");
    free(out);
    free(err);
    rc = run_tokenize(NULL, "--max-length ten x", NULL, &out, &err);
    expect_failure(rc, 2, out, err, "ten");
    free(out);
    free(err);
    rc = run_tokenize(NULL, "-m /no/such/folder x", NULL, &out, &err);
    expect_failure(rc, 2, out, err, "/no/such/folder");
    free(out);
    free(err);
    /* neither -m nor $YOSO_MODEL: ~/.cache/yoso/yoso-4096, and the message says what to do */
    char env[4200];
    snprintf(env, sizeof env, "-u YOSO_MODEL HOME='%s'", g_dir);
    rc = run_tokenize(env, "x", NULL, &out, &err);
    expect_failure(rc, 2, out, err, "YOSO_MODEL");
    assert_non_null(strstr(err, "-m DIR"));
    assert_non_null(strstr(err, ".cache/yoso/yoso-4096"));
    free(out);
    free(err);
    assert_int_equal(run_tokenize(NULL, "--help", NULL, &out, &err), 0);
    assert_non_null(strstr(out, "usage: yoso tokenize"));
    free(out);
    free(err);
}

TEST_MAIN(setup, teardown, test_arguments, test_stdin_lines, test_jsonl_corpus, test_length_options,
          test_errors)

/* test_support.h — shared helpers for the CMocka tests: fixture paths, temp dirs, running the CLI.
 */
#ifndef YOSO_TEST_SUPPORT_H
#define YOSO_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "yoso.h"

/* The default device's context, shared by the cases of a program whose group setup is
 * test_context_setup (and teardown test_context_teardown). */
extern yoso_context *test_ctx;
int test_context_setup(void **state);
int test_context_teardown(void **state);
/* test_context_setup and the task fixtures' tokenizer (tests/data/tasks/tokenizer) into *tok;
 * test_task_teardown frees both. */
int test_task_setup(void **state, yoso_tokenizer **tok);
int test_task_teardown(void **state, yoso_tokenizer *tok);

/* Deterministic pseudo-random floats in [-1, 1) from a 32-bit LCG. */
void test_fill_uniform(float *x, size_t n, unsigned seed);

/* Joins YOSO_TEST_DATA and a relative path into a static buffer (valid until the next call). */
const char *test_data_path(const char *relative);
/* Keeps, of logits [batch, seq, vocab] computed for tests/data/models/<name>, the positions that
 * fixture's logits_positions.npy lists (its logits.npy holds HF's logits there only), packed in
 * logits.npy's [batch, P, vocab] layout at the front of logits; returns the floats kept
 * (batch·seq·vocab when the fixture has no such file). Fails the test on a bad file. */
size_t test_fixture_logits_select(const char *name, int batch, int seq, size_t vocab,
                                  float *logits);
/* Creates a fresh temporary directory and returns its path (malloc'ed). */
char *test_make_temp_dir(void);
/* Removes a directory tree (rm -rf). */
void test_remove_tree(const char *path);
/* Removes the tree test_make_temp_dir made and frees its path. */
void test_remove_temp_dir(char *dir);
/* A context on the default device, its cache in dir, that prepares its kernels on a thread of
 * its own (background) and holds its cache write 0.5 s, so that the thread is still at work
 * when the test asks it for more (yoso_prepare_more, a model load). Fails the test otherwise. */
yoso_context *test_context_preparing(const char *dir);
/* Runs a shell command line; captures stdout/stderr into malloc'ed strings (may be NULL); returns
 * the exit code (or -1 if it could not run). */
int test_run(const char *command, char **out, char **err);
/* Reads a whole file into a malloc'ed NUL-terminated buffer; NULL if it cannot be read. */
char *test_read_file(const char *path, size_t *size);
/* Writes bytes to a file; returns 0 on success. */
int test_write_file(const char *path, const void *data, size_t size);

/* Compares two JSON texts as a pipeline's output is compared with HF's: the same nesting, the same
 * keys in the same order, identical strings, booleans and nulls, numbers within tol (absolute).
 * Returns 1 when they match; otherwise 0 with the first difference (a path like
 * "[2].score: 0.51 vs 0.52") in why[n]. */
int test_json_match(const char *got, const char *want, double tol, char *why, size_t n);

struct cJSON;
/* JSON text of root on one line (malloc'ed); deletes root. */
char *test_json_take(struct cJSON *root);
/* Reads the JSON lines of tests/data/<relative> into cases[max] (cJSON_Delete each, or
 * test_free_cases); returns how many, or -1 when the file cannot be read or a line parsed. */
int test_read_cases(const char *relative, struct cJSON **cases, int max);
void test_free_cases(struct cJSON **cases, int n);
/* A task fixture case as an HF inference request, {"inputs": case.inputs, "parameters":
 * case.kwargs}; malloc'ed. */
char *test_case_request(const struct cJSON *c);
/* For a group setup: loads tests/data/<relative> on test_ctx with the attention mode into *out;
 * returns 0, or -1 after printing why. */
int test_setup_model(const char *relative, yoso_attention attention, yoso_model **out);
/* Loads tests/data/tasks/<name> with the attention mode (num_hash and seed for LSH; 0: the
 * config's); fails the running test when it cannot. */
yoso_model *test_load_task_model(const char *name, yoso_attention attention, int num_hash,
                                 uint64_t seed);

/* Measures LSH answers got[n] to the fixture cases picked[n] against their expected answers (HF's,
 * expectation mode) into stats[] (the check's own statistics); frees got[]. */
typedef void (*test_lsh_measure_fn)(const struct cJSON **picked, struct cJSON **got, int n,
                                    double *stats);
/* A convergence check of LSH attention: tests/data/tasks/<model> answers the fixture cases that
 * pick() accepts (test_case_request, yoso_task_run_json, one batch, the tasks' tokenizer) with
 * `few` and with `many` hashes, and measure() compares the answers with HF's: up to two
 * statistics, named in stats[] (NULL past the last). */
typedef struct test_lsh_check {
    const char *model;
    yoso_task task;
    int (*pick)(const struct cJSON *c);
    int few, many;
    test_lsh_measure_fn measure;
    const char *const *stats; /* [2] names of what measure gives (the second may be NULL) */
} test_lsh_check;
/* Runs check c on cases[num_cases] with LSH seed 7: with c->few hashes the model must answer byte
 * for byte alike a second time, as must a second load, and seed 8 otherwise. Prints the
 * statistics, c->few's into few[] and c->many's into many[]. The checks pick a few short cases:
 * rusticl's llvmpipe runs the GPU kernels (a work-item per value dim), where hashes × rows cost
 * ~100 times what they do on PoCL. */
void test_lsh_check_run(const test_lsh_check *c, struct cJSON *const *cases, int num_cases,
                        double *few, double *many);
/* Frees n malloc'ed strings. */
void test_free_strings(char **s, int n);

/* The program's main(): runs the named cases as one cmocka group, with group setup and teardown
 * (each may be NULL): TEST_MAIN(test_context_setup, test_context_teardown, test_a, test_b). */
#define TEST_MAIN(setup, teardown, ...)                                                            \
    int main(void) {                                                                               \
        static const CMUnitTestFunction cases[] = {__VA_ARGS__};                                   \
        return test_run_cases(cases, sizeof cases / sizeof cases[0], #__VA_ARGS__, setup,          \
                              teardown);                                                           \
    }
/* Runs count cases named by the comma-separated list names (TEST_MAIN's stringified list). */
int test_run_cases(const CMUnitTestFunction *cases, size_t count, const char *names,
                   CMFixtureFunction setup, CMFixtureFunction teardown);

#endif

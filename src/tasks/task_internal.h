/* task_internal.h — what each task pipeline gives the JSON task layer (src/tasks/task.c), and the
 * checked readers of a request's "inputs" and "parameters" they share. */
#ifndef YOSO_TASK_INTERNAL_H
#define YOSO_TASK_INTERNAL_H

#include <cjson/cJSON.h>

#include "yoso.h"

/* One pipeline, registered in task.c's table: its names and the typed API the JSON layer drives
 * (task.c parses each request with parse, runs them all as one batch with run, prints each result
 * with json, then releases the results and frees what parse left in *owned). */
typedef struct task_def {
    yoso_task task;
    const char *name;              /* Hugging Face's task name */
    int head;                      /* the yoso_architecture it needs, or TASK_ANY_HEAD */
    const char *const *aliases;    /* other names HF accepts, NULL-terminated; may be NULL */
    const char *const *input_keys; /* the keys an "inputs" object may hold; NULL: any */
    const char *const *parameters; /* the keys "parameters" may hold, NULL-terminated */
    size_t request_size;           /* bytes of one typed request */
    size_t result_size;            /* bytes of one typed result */
    /* Fills the zeroed request from one request's inputs and parameters (params may be NULL);
     * *owned may get one malloc'ed block (a list the request points into), freed at the end. */
    yoso_status (*parse)(const cJSON *inputs, const cJSON *params, void *request, void **owned);
    /* The typed batch call, e.g. yoso_text_classification. */
    yoso_status (*run)(yoso_model *model, const yoso_tokenizer *tok, const void *requests, int n,
                       void *results);
    /* One result as the pipeline's JSON. */
    yoso_status (*json)(const void *result, char **json);
    void (*release)(void *result);
} task_def;

/* The task_def adapters over a task's typed API: name##_run calls run_fn, name##_json calls
 * json_fn, name##_release calls release_fn. */
#define TASK_ADAPT_RUN(name, run_fn)                                                               \
    static yoso_status name##_run(yoso_model *model, const yoso_tokenizer *tok, const void *req,   \
                                  int n, void *res) {                                              \
        return run_fn(model, tok, req, n, res);                                                    \
    }
#define TASK_ADAPT_RELEASE(name, release_fn)                                                       \
    static void name##_release(void *result) {                                                     \
        release_fn(result);                                                                        \
    }
#define TASK_ADAPT(name, run_fn, json_fn, release_fn)                                              \
    TASK_ADAPT_RUN(name, run_fn)                                                                   \
    TASK_ADAPT_RELEASE(name, release_fn)                                                           \
    static yoso_status name##_json(const void *result, char **json) {                              \
        return json_fn(result, json);                                                              \
    }

#define TASK_ANY_HEAD (-1) /* any checkpoint: its hidden states */

/* Defines `const task_def var` for a task whose functions are prefix##_parse, _run, _json and
 * _release over requests of type req_t and results of type res_t. */
#define TASK_DEFINE(var, task_, name_, head_, aliases_, input_keys_, parameters_, prefix, req_t,   \
                    res_t)                                                                         \
    const task_def var = {task_,          name_,        head_,         aliases_,                   \
                          input_keys_,    parameters_,  sizeof(req_t), sizeof(res_t),              \
                          prefix##_parse, prefix##_run, prefix##_json, prefix##_release}

extern const task_def task_fill_mask_def;
extern const task_def task_feature_extraction_def;
extern const task_def task_token_classification_def;
extern const task_def task_text_classification_def;
extern const task_def task_multiple_choice_def;
extern const task_def task_question_answering_def;

/* The readers: each fails with YOSO_ERR_INPUT and a message naming the parameter and what it
 * must be. An absent or null value leaves *out unchanged (the caller's default); a task that
 * gives null its own meaning (HF's top_k=None) asks task_param_is_null first. */
int task_param_is_null(const cJSON *params, const char *key);
yoso_status task_param_int(const cJSON *params, const char *key, long lo, long hi, int *out);
yoso_status task_param_double(const cJSON *params, const char *key, double *out);
yoso_status task_param_bool(const cJSON *params, const char *key, int *out);
yoso_status task_param_string(const cJSON *params, const char *key, const char **out);
/* One of names (NULL-terminated), as its index. */
yoso_status task_param_enum(const cJSON *params, const char *key, const char *const *names,
                            int *out);
/* A string or a list of strings; *out is a malloc'ed array of pointers into params (free it),
 * NULL with *count 0 when absent or null. */
yoso_status task_param_strings(const cJSON *params, const char *key, const char ***out, int *count);
/* The text of inputs: inputs itself when it is a string, else inputs[key] of an object (key
 * NULL: only a string will do). *out is NULL when the key is absent and !required. */
yoso_status task_input_string(const cJSON *inputs, const char *key, int required, const char **out);

/* Prints root on one line into *out (malloc'ed) and deletes root; root NULL is out of memory. */
yoso_status task_json_print(cJSON *root, char **out);

#endif

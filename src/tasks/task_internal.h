/* task_internal.h — what each task pipeline gives the JSON task layer (src/tasks/task.c), and the
 * checked readers of a request's "inputs" and "parameters" they share. */
#ifndef YOSO_TASK_INTERNAL_H
#define YOSO_TASK_INTERNAL_H

#include <cjson/cJSON.h>

#include "yoso.h"

/* Runs n requests as one batch: inputs[i] is the request's "inputs", params[i] its "parameters"
 * object or NULL. Writes n malloc'ed one-line JSON texts into out (all or none). A bad request
 * fails with a message that starts "input I: ". */
typedef yoso_status (*task_run_fn)(yoso_model *model, const yoso_tokenizer *tok,
                                   const cJSON *const *inputs, const cJSON *const *params, int n,
                                   char **out);

/* One pipeline, registered in task.c's table. */
typedef struct task_def {
    yoso_task task;
    const char *name;              /* Hugging Face's task name */
    const char *const *aliases;    /* other names HF accepts, NULL-terminated; may be NULL */
    const char *const *parameters; /* the keys "parameters" may hold, NULL-terminated */
    task_run_fn run;
} task_def;

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

/* task.c — the pipeline tasks as JSON: one table of tasks, strict parsing of Hugging Face
 * inference requests, the head each task needs, and the shared parameter readers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_text.h"
#include "task_internal.h"

/* Every task with a pipeline, by yoso_task value. */
static const task_def *const k_tasks[YOSO_TASK_COUNT] = {
    [YOSO_TASK_FILL_MASK] = &task_fill_mask_def,
    [YOSO_TASK_FEATURE_EXTRACTION] = &task_feature_extraction_def,
    [YOSO_TASK_TOKEN_CLASSIFICATION] = &task_token_classification_def,
    [YOSO_TASK_TEXT_CLASSIFICATION] = &task_text_classification_def,
    [YOSO_TASK_MULTIPLE_CHOICE] = &task_multiple_choice_def,
    [YOSO_TASK_QUESTION_ANSWERING] = &task_question_answering_def,
};

const char *yoso_task_name(yoso_task task) {
    return task >= 0 && task < YOSO_TASK_COUNT ? k_tasks[task]->name : NULL;
}

/* Whether name is one of the NULL-terminated list. */
static int task_listed(const char *name, const char *const *list) {
    for (; list && *list; list++)
        if (!strcmp(name, *list)) return 1;
    return 0;
}

yoso_status yoso_task_find(const char *name, yoso_task *task) {
    char all[256] = "";
    for (int t = 0; t < YOSO_TASK_COUNT; t++) {
        if (name && (!strcmp(name, k_tasks[t]->name) || task_listed(name, k_tasks[t]->aliases))) {
            *task = (yoso_task)t;
            return YOSO_OK;
        }
        size_t at = strlen(all);
        snprintf(all + at, sizeof all - at, "%s%s",
                 !at                       ? ""
                 : t + 1 < YOSO_TASK_COUNT ? ", "
                                           : " and ",
                 k_tasks[t]->name);
    }
    return yoso_error(YOSO_ERR_USAGE, "unknown task '%s': the tasks are %s", name ? name : "(null)",
                      all);
}

/* Lists the tasks a checkpoint of architecture arch can run into buf ("fill-mask or
 * feature-extraction"). */
static void task_list_runnable(yoso_architecture arch, char *buf, size_t n) {
    buf[0] = '\0';
    for (int t = 0; t < YOSO_TASK_COUNT; t++) {
        if (k_tasks[t]->head != TASK_ANY_HEAD && k_tasks[t]->head != (int)arch) continue;
        size_t at = strlen(buf);
        snprintf(buf + at, n - at, "%s`yoso %s`", at ? " or " : "", k_tasks[t]->name);
    }
}

yoso_task yoso_task_for_model(const yoso_model *model) {
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    for (int t = 0; t < YOSO_TASK_COUNT; t++)
        if (k_tasks[t]->head == (int)info.architecture) return (yoso_task)t;
    return YOSO_TASK_FEATURE_EXTRACTION; /* a base model: hidden states only */
}

yoso_status yoso_task_check_model(const yoso_model *model, yoso_task task) {
    if (task < 0 || task >= YOSO_TASK_COUNT)
        return yoso_error(YOSO_ERR_USAGE, "task %d is out of range", (int)task);
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    const int need = k_tasks[task]->head;
    if (need == TASK_ANY_HEAD || need == (int)info.architecture) return YOSO_OK;
    char runnable[256];
    task_list_runnable(info.architecture, runnable, sizeof runnable);
    return yoso_error(
        YOSO_ERR_UNSUPPORTED,
        "this checkpoint is a %s (config.json's architectures), which has no %s head: run %s on it, or give a %s checkpoint",
        yoso_architecture_name(info.architecture), k_tasks[task]->name, runnable,
        yoso_architecture_name((yoso_architecture)need));
}

/* Checks that object holds no key twice and only keys of the list (NULL: any); what names the
 * object in messages. */
static yoso_status task_check_keys(const cJSON *object, const char *const *keys, const char *what) {
    for (const cJSON *a = object->child; a; a = a->next) {
        if (keys && !task_listed(a->string, keys)) {
            char known[512] = "";
            for (const char *const *k = keys; *k; k++) {
                size_t at = strlen(known);
                snprintf(known + at, sizeof known - at, "%s%s", at ? ", " : "", *k);
            }
            return yoso_error(YOSO_ERR_INPUT, "unknown key \"%s\" in %s: the keys are %s",
                              a->string, what, known[0] ? known : "none");
        }
        for (const cJSON *b = a->next; b; b = b->next)
            if (!strcmp(a->string, b->string))
                return yoso_error(YOSO_ERR_INPUT, "key \"%s\" is given twice in %s", a->string,
                                  what);
    }
    return YOSO_OK;
}

/* Parses one request into *root (owned by the caller) and points at its inputs and parameters. */
static yoso_status task_parse_request(const task_def *def, const char *text, cJSON **root,
                                      const cJSON **inputs, const cJSON **params) {
    if (!text) return yoso_error(YOSO_ERR_USAGE, "the request is NULL");
    const char *end = NULL;
    *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!*root)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the request is not one JSON value (error near byte %zu): write {\"inputs\": ..., \"parameters\": {...}}",
            end ? (size_t)(end - text) : 0);
    if (yoso_json_escapes_nul(text, strlen(text)))
        return yoso_error(YOSO_ERR_INPUT,
                          "the request holds U+0000, which the tokenizer cannot take: remove it");
    static const char *const k_keys[] = {"inputs", "parameters", NULL};
    if (!cJSON_IsObject(*root))
        return yoso_error(
            YOSO_ERR_INPUT,
            "the request must be a JSON object: write {\"inputs\": ..., \"parameters\": {...}}");
    yoso_status st = task_check_keys(*root, k_keys, "the request");
    if (st) return st;
    *inputs = cJSON_GetObjectItemCaseSensitive(*root, "inputs");
    *params = cJSON_GetObjectItemCaseSensitive(*root, "parameters");
    if (!*inputs)
        return yoso_error(YOSO_ERR_INPUT, "the request has no \"inputs\": write {\"inputs\": ...}");
    if (cJSON_IsNull(*params)) *params = NULL;
    if (*params && !cJSON_IsObject(*params))
        return yoso_error(YOSO_ERR_INPUT, "\"parameters\" must be an object");
    if (*params && (st = task_check_keys(*params, def->parameters, "\"parameters\""))) return st;
    if (cJSON_IsObject(*inputs) && (st = task_check_keys(*inputs, def->input_keys, "\"inputs\"")))
        return st;
    return YOSO_OK;
}

/* Runs n parsed requests through the task's typed API as one batch into n JSON answers (all or
 * none). */
static yoso_status task_run_typed(const task_def *def, yoso_model *model, const yoso_tokenizer *tok,
                                  const cJSON *const *inputs, const cJSON *const *params, int n,
                                  char **out) {
    char *req = calloc((size_t)n, def->request_size); /* [n] typed requests */
    char *res = calloc((size_t)n, def->result_size);  /* [n] typed results */
    void **owned = calloc((size_t)n, sizeof *owned);  /* [n] what each parse left */
    yoso_status st = req && res && owned ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < n; i++)
        if ((st = def->parse(inputs[i], params[i], req + i * def->request_size, &owned[i])))
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
    if (st == YOSO_OK) st = def->run(model, tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++)
        st = def->json(res + i * def->result_size, &out[i]);
    for (int i = 0; res && owned && i < n; i++) {
        if (st != YOSO_OK) free(out[i]), out[i] = NULL;
        def->release(res + i * def->result_size);
        free(owned[i]);
    }
    free(req);
    free(res);
    free(owned);
    return st;
}

yoso_status yoso_task_run_json(yoso_model *model, const yoso_tokenizer *tok, yoso_task task,
                               const char *const *requests, int count, char **responses) {
    if (task < 0 || task >= YOSO_TASK_COUNT)
        return yoso_error(YOSO_ERR_USAGE, "task %d is out of range", (int)task);
    const task_def *def = k_tasks[task];
    if (count < 1 || !requests || !responses)
        return yoso_error(YOSO_ERR_USAGE, "no request to run: give at least one");
    yoso_status st = yoso_task_check_model(model, task);
    if (st) return st;
    cJSON **roots = calloc((size_t)count, sizeof *roots);
    const cJSON **inputs = calloc((size_t)count, sizeof *inputs);
    const cJSON **params = calloc((size_t)count, sizeof *params);
    if (!roots || !inputs || !params) st = yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < count; i++)
        if ((st = task_parse_request(def, requests[i], &roots[i], &inputs[i], &params[i])))
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
    if (st == YOSO_OK) {
        memset(responses, 0, (size_t)count * sizeof *responses);
        st = task_run_typed(def, model, tok, inputs, params, count, responses);
    }
    for (int i = 0; roots && i < count; i++) cJSON_Delete(roots[i]);
    free(roots);
    free(inputs);
    free(params);
    return st;
}

/* ------------------------------------------------------------ readers ---- */

int task_param_is_null(const cJSON *params, const char *key) {
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(params, key));
}

/* The value of key, or NULL when absent or null. */
static const cJSON *task_param(const cJSON *params, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, key);
    return cJSON_IsNull(v) ? NULL : v;
}

yoso_status task_param_int(const cJSON *params, const char *key, long lo, long hi, int *out) {
    const cJSON *v = task_param(params, key);
    if (!v) return YOSO_OK;
    double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(x >= (double)lo && x <= (double)hi) || x != floor(x))
        return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" must be an integer in %ld..%ld", key,
                          lo, hi);
    *out = (int)x;
    return YOSO_OK;
}

yoso_status task_param_double(const cJSON *params, const char *key, double *out) {
    const cJSON *v = task_param(params, key);
    if (!v) return YOSO_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" must be a finite number", key);
    *out = v->valuedouble;
    return YOSO_OK;
}

yoso_status task_param_bool(const cJSON *params, const char *key, int *out) {
    const cJSON *v = task_param(params, key);
    if (!v) return YOSO_OK;
    if (!cJSON_IsBool(v))
        return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" must be true or false", key);
    *out = cJSON_IsTrue(v);
    return YOSO_OK;
}

yoso_status task_param_string(const cJSON *params, const char *key, const char **out) {
    const cJSON *v = task_param(params, key);
    if (!v) return YOSO_OK;
    if (!cJSON_IsString(v))
        return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" must be a string", key);
    *out = v->valuestring;
    return YOSO_OK;
}

yoso_status task_param_enum(const cJSON *params, const char *key, const char *const *names,
                            int *out) {
    const char *s = NULL;
    yoso_status st = task_param_string(params, key, &s);
    if (st || !s) return st;
    char known[256] = "";
    for (int i = 0; names[i]; i++) {
        if (!strcmp(s, names[i])) {
            *out = i;
            return YOSO_OK;
        }
        size_t at = strlen(known);
        snprintf(known + at, sizeof known - at, "%s%s", i ? ", " : "", names[i]);
    }
    return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" is \"%s\": use one of %s", key, s, known);
}

yoso_status task_param_strings(const cJSON *params, const char *key, const char ***out,
                               int *count) {
    *out = NULL;
    *count = 0;
    const cJSON *v = task_param(params, key), *item;
    if (!v) return YOSO_OK;
    if (!cJSON_IsString(v) && !cJSON_IsArray(v))
        return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" must be a string or a list of strings",
                          key);
    int n = cJSON_IsString(v) ? 1 : cJSON_GetArraySize(v);
    if (!(*out = calloc((size_t)n + 1, sizeof **out))) return yoso_error_oom();
    if (cJSON_IsString(v))
        (*out)[(*count)++] = v->valuestring;
    else {
        cJSON_ArrayForEach(item, v) {
            if (!cJSON_IsString(item)) {
                free(*out);
                *out = NULL;
                *count = 0;
                return yoso_error(YOSO_ERR_INPUT, "parameter \"%s\" must be a list of strings",
                                  key);
            }
            (*out)[(*count)++] = item->valuestring;
        }
    }
    return YOSO_OK;
}

yoso_status task_input_string(const cJSON *inputs, const char *key, int required,
                              const char **out) {
    *out = NULL;
    if (cJSON_IsString(inputs)) {
        *out = inputs->valuestring;
        return YOSO_OK;
    }
    const cJSON *v =
        key && cJSON_IsObject(inputs) ? cJSON_GetObjectItemCaseSensitive(inputs, key) : NULL;
    if (cJSON_IsString(v)) *out = v->valuestring;
    if (*out || (!v && !required && key && cJSON_IsObject(inputs))) return YOSO_OK;
    if (key && cJSON_IsObject(inputs))
        return yoso_error(YOSO_ERR_INPUT, "\"inputs\" needs a string \"%s\"", key);
    return yoso_error(YOSO_ERR_INPUT, "\"inputs\" must be a string%s%s%s",
                      key ? " or an object with a string \"" : "", key ? key : "", key ? "\"" : "");
}

yoso_status task_json_print(cJSON *root, char **out) {
    *out = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return *out ? YOSO_OK : yoso_error_oom();
}

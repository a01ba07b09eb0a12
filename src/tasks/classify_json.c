/* classify_json.c — text-classification and multiple-choice results in the JSON the pipeline
 * (or, for multiple choice, the fixture generator) prints. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_internal.h"
#include "yoso.h"

/* One {"label": ..., "score": ...} object. */
static cJSON *classify_json_label(const yoso_label_score *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "label", s->label);
    cJSON_AddNumberToObject(o, "score", s->score);
    return o;
}

yoso_status yoso_classify_result_json(const yoso_classify_result *r, char **json) {
    cJSON *root;
    if (r->legacy && r->pair && r->count == 1) {
        root = classify_json_label(&r->labels[0]); /* HF: a dict input answers one bare dict */
    } else {
        root = cJSON_CreateArray();
        for (int i = 0; root && i < r->count; i++)
            cJSON_AddItemToArray(root, classify_json_label(&r->labels[i]));
    }
    return task_json_print(root, json);
}

yoso_status yoso_choice_result_json(const yoso_choice_result *r, char **json) {
    cJSON *root = cJSON_CreateObject();
    if (root) {
        cJSON_AddItemToObject(root, "logits", cJSON_CreateDoubleArray(r->logits, r->num_choices));
        cJSON_AddItemToObject(root, "scores", cJSON_CreateDoubleArray(r->scores, r->num_choices));
    }
    return task_json_print(root, json);
}

/* Fails unless every key of the inputs object is one of keys (NULL-terminated). */
static yoso_status classify_input_keys(const cJSON *inputs, const char *const *keys,
                                       const char *want) {
    for (const cJSON *a = cJSON_IsObject(inputs) ? inputs->child : NULL; a; a = a->next) {
        int known = 0;
        for (const char *const *k = keys; *k; k++) known |= !strcmp(a->string, *k);
        if (!known)
            return yoso_error(YOSO_ERR_INPUT, "unknown key \"%s\" in \"inputs\": write %s",
                              a->string, want);
    }
    return YOSO_OK;
}

/* One text-classification request: inputs a string or {text, text_pair}; top_k (absent: the
 * legacy single answer, null: every label) and function_to_apply (any case, as HF). */
static yoso_status classify_task_parse(const cJSON *inputs, const cJSON *params,
                                       yoso_classify_request *r, int *dict) {
    static const char *const keys[] = {"text", "text_pair", NULL};
    const char *fn = NULL;
    yoso_status st;
    *dict = cJSON_IsObject(inputs);
    if ((st = classify_input_keys(inputs, keys, "{\"text\": ..., \"text_pair\": ...}")) ||
        (st = task_input_string(inputs, "text", 1, &r->text)) ||
        (*dict && (st = task_input_string(inputs, "text_pair", 0, &r->text_pair))) ||
        (st = task_param_int(params, "top_k", 1, 2147483647L, &r->top_k)) ||
        (st = task_param_string(params, "function_to_apply", &fn)))
        return st;
    if (task_param_is_null(params, "top_k")) r->top_k = YOSO_TOP_K_ALL;
    if (fn && yoso_class_function_parse(fn, &r->function_to_apply) != YOSO_OK)
        return yoso_error(YOSO_ERR_INPUT,
                          "parameter \"function_to_apply\" is \"%s\": use softmax, sigmoid or none",
                          fn);
    return YOSO_OK;
}

/* The text-classification pipeline's requests, as one batch. */
static yoso_status classify_task_run(yoso_model *model, const yoso_tokenizer *tok,
                                     const cJSON *const *inputs, const cJSON *const *params, int n,
                                     char **out) {
    yoso_classify_request *req = calloc((size_t)n, sizeof *req);
    yoso_classify_result *res = calloc((size_t)n, sizeof *res);
    int *dict = calloc((size_t)n, sizeof *dict); /* [n] the input was an object */
    yoso_status st = req && res && dict ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < n; i++)
        if ((st = classify_task_parse(inputs[i], params[i], &req[i], &dict[i])))
            yoso_error_prefix(st, "input %d: ", i);
    if (st == YOSO_OK) st = yoso_text_classification(model, tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++) {
        res[i].pair = dict[i];
        st = yoso_classify_result_json(&res[i], &out[i]);
    }
    if (st != YOSO_OK)
        for (int i = 0; i < n; i++) free(out[i]), out[i] = NULL;
    for (int i = 0; res && i < n; i++) yoso_classify_result_release(&res[i]);
    free(req);
    free(res);
    free(dict);
    return st;
}

static const char *const k_classify_aliases[] = {"sentiment-analysis", NULL};
static const char *const k_classify_parameters[] = {"top_k", "function_to_apply", NULL};

const task_def task_text_classification_def = {
    .task = YOSO_TASK_TEXT_CLASSIFICATION,
    .name = "text-classification",
    .aliases = k_classify_aliases,
    .parameters = k_classify_parameters,
    .run = classify_task_run,
};

/* One multiple-choice request: inputs {prompt, choices: [text, ...]}. *choices is malloc'ed. */
static yoso_status choice_task_parse(const cJSON *inputs, yoso_choice_request *r,
                                     const char ***choices) {
    static const char *const keys[] = {"prompt", "choices", NULL};
    const char *const want = "{\"prompt\": ..., \"choices\": [...]}";
    yoso_status st;
    if (!cJSON_IsObject(inputs))
        return yoso_error(YOSO_ERR_INPUT, "\"inputs\" must be an object: write %s", want);
    if ((st = classify_input_keys(inputs, keys, want)) ||
        (st = task_input_string(inputs, "prompt", 1, &r->prompt)))
        return st;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(inputs, "choices"), *item;
    const int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n == 0)
        return yoso_error(YOSO_ERR_INPUT,
                          "\"inputs\" needs \"choices\", a list of at least one "
                          "string: write %s",
                          want);
    if (!(*choices = calloc((size_t)n, sizeof **choices))) return yoso_error_oom();
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item))
            return yoso_error(YOSO_ERR_INPUT, "choice %d is not a string", r->num_choices);
        (*choices)[r->num_choices++] = item->valuestring;
    }
    r->choices = *choices;
    return YOSO_OK;
}

/* Multiple-choice requests, every choice of every request a row of one batch. */
static yoso_status choice_task_run(yoso_model *model, const yoso_tokenizer *tok,
                                   const cJSON *const *inputs, const cJSON *const *params, int n,
                                   char **out) {
    (void)params; /* no parameters: task.c refuses any key */
    yoso_choice_request *req = calloc((size_t)n, sizeof *req);
    yoso_choice_result *res = calloc((size_t)n, sizeof *res);
    const char ***choices = calloc((size_t)n, sizeof *choices);
    yoso_status st = req && res && choices ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < n; i++)
        if ((st = choice_task_parse(inputs[i], &req[i], &choices[i])))
            yoso_error_prefix(st, "input %d: ", i);
    if (st == YOSO_OK) st = yoso_multiple_choice(model, tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++) st = yoso_choice_result_json(&res[i], &out[i]);
    if (st != YOSO_OK)
        for (int i = 0; i < n; i++) free(out[i]), out[i] = NULL;
    for (int i = 0; res && choices && i < n; i++) {
        yoso_choice_result_release(&res[i]);
        free(choices[i]);
    }
    free(req);
    free(res);
    free(choices);
    return st;
}

static const char *const k_choice_parameters[] = {NULL};

const task_def task_multiple_choice_def = {
    .task = YOSO_TASK_MULTIPLE_CHOICE,
    .name = "multiple-choice",
    .parameters = k_choice_parameters,
    .run = choice_task_run,
};

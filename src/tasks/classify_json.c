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

/* One text-classification request: inputs a string or {text, text_pair} (a dict, which HF
 * answers bare); top_k (absent: the legacy single answer, null: every label) and
 * function_to_apply (any case, as HF). */
static yoso_status classify_task_parse(const cJSON *inputs, const cJSON *params, void *request,
                                       void **owned) {
    yoso_classify_request *r = request;
    const char *fn = NULL;
    yoso_status st;
    (void)owned;
    r->dict = cJSON_IsObject(inputs);
    if ((st = task_input_string(inputs, "text", 1, &r->text)) ||
        (r->dict && (st = task_input_string(inputs, "text_pair", 0, &r->text_pair))) ||
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

TASK_ADAPT(classify_task, yoso_text_classification, yoso_classify_result_json,
           yoso_classify_result_release)

static const char *const k_classify_aliases[] = {"sentiment-analysis", NULL};
static const char *const k_classify_inputs[] = {"text", "text_pair", NULL};
static const char *const k_classify_parameters[] = {"top_k", "function_to_apply", NULL};

TASK_DEFINE(task_text_classification_def, YOSO_TASK_TEXT_CLASSIFICATION, "text-classification",
            YOSO_ARCHITECTURE_SEQUENCE_CLASSIFICATION, k_classify_aliases, k_classify_inputs,
            k_classify_parameters, classify_task, yoso_classify_request, yoso_classify_result);

/* One multiple-choice request: inputs {prompt, choices: [text, ...]} (no parameters: task.c
 * refuses any key); *owned is the list of choices. */
static yoso_status choice_task_parse(const cJSON *inputs, const cJSON *params, void *request,
                                     void **owned) {
    yoso_choice_request *r = request;
    (void)params;
    const char *const want = "{\"prompt\": ..., \"choices\": [...]}";
    yoso_status st;
    if (!cJSON_IsObject(inputs))
        return yoso_error(YOSO_ERR_INPUT, "\"inputs\" must be an object: write %s", want);
    if ((st = task_input_string(inputs, "prompt", 1, &r->prompt))) return st;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(inputs, "choices"), *item;
    const int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n == 0)
        return yoso_error(YOSO_ERR_INPUT,
                          "\"inputs\" needs \"choices\", a list of at least one string: write %s",
                          want);
    const char **choices = calloc((size_t)n, sizeof *choices);
    if (!(*owned = (void *)choices)) return yoso_error_oom();
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item))
            return yoso_error(YOSO_ERR_INPUT, "choice %d is not a string", r->num_choices);
        choices[r->num_choices++] = item->valuestring;
    }
    r->choices = choices;
    return YOSO_OK;
}

TASK_ADAPT(choice_task, yoso_multiple_choice, yoso_choice_result_json, yoso_choice_result_release)

static const char *const k_choice_inputs[] = {"prompt", "choices", NULL};
static const char *const k_choice_parameters[] = {NULL};

TASK_DEFINE(task_multiple_choice_def, YOSO_TASK_MULTIPLE_CHOICE, "multiple-choice",
            YOSO_ARCHITECTURE_MULTIPLE_CHOICE, NULL, k_choice_inputs, k_choice_parameters,
            choice_task, yoso_choice_request, yoso_choice_result);

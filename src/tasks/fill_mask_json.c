/* fill_mask_json.c — a fill-mask result in Hugging Face's pipeline JSON (the CLI's --json and
 * the server's /fill-mask print exactly this). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "error.h"
#include "task_internal.h"
#include "yoso.h"

/* Builds the JSON list of predictions for mask m. */
static cJSON *fill_json_mask(const yoso_fill_result *r, int m) {
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; list && i < r->top_k; i++) {
        const yoso_prediction *p = &r->predictions[(size_t)m * r->top_k + i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "score", p->score);
        cJSON_AddNumberToObject(o, "token", p->token);
        cJSON_AddStringToObject(o, "token_str", p->token_str);
        cJSON_AddStringToObject(o, "sequence", p->sequence);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

yoso_status yoso_fill_result_json(const yoso_fill_result *r, char **json) {
    cJSON *root;
    if (r->num_masks == 1) {
        root = fill_json_mask(r, 0);
    } else {
        root = cJSON_CreateArray();
        for (int m = 0; root && m < r->num_masks; m++)
            cJSON_AddItemToArray(root, fill_json_mask(r, m));
    }
    return task_json_print(root, json);
}

/* One fill-mask request: inputs a string with masks; top_k (5) and targets (owned). */
static yoso_status fill_task_parse(const cJSON *inputs, const cJSON *params, void *request,
                                   void **owned) {
    yoso_fill_request *r = request;
    const char **targets = NULL;
    r->top_k = 5;
    yoso_status st;
    if ((st = task_input_string(inputs, NULL, 1, &r->text)) ||
        (st = task_param_int(params, "top_k", 1, 2147483647L, &r->top_k)) ||
        (st = task_param_strings(params, "targets", &targets, &r->num_targets)))
        return st;
    *owned = (void *)targets;
    r->targets = targets;
    if (targets && r->num_targets == 0)
        return yoso_error(YOSO_ERR_INPUT,
                          "\"targets\" is an empty list: give at least one word or leave it out");
    return YOSO_OK;
}

TASK_ADAPT(fill_task, yoso_fill_mask, yoso_fill_result_json, yoso_fill_result_release)

static const char *const k_fill_parameters[] = {"top_k", "targets", NULL};

TASK_DEFINE(task_fill_mask_def, YOSO_TASK_FILL_MASK, "fill-mask", YOSO_ARCHITECTURE_MASKED_LM, NULL,
            NULL, k_fill_parameters, fill_task, yoso_fill_request, yoso_fill_result);

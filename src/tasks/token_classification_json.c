/* token_classification_json.c — a token-classification result in Hugging Face's pipeline JSON,
 * and the pipeline's JSON requests (inputs a string; aggregation_strategy, ignore_labels). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "error.h"
#include "task_internal.h"
#include "yoso.h"

yoso_status yoso_ner_result_json(const yoso_ner_result *r, char **json) {
    cJSON *root = cJSON_CreateArray();
    const int grouped = r->aggregation != YOSO_AGGREGATION_NONE;
    for (int i = 0; root && i < r->count; i++) {
        const yoso_ner_entity *e = &r->entities[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, grouped ? "entity_group" : "entity", e->entity);
        cJSON_AddNumberToObject(o, "score", e->score);
        if (!grouped) cJSON_AddNumberToObject(o, "index", e->index);
        cJSON_AddStringToObject(o, "word", e->word);
        cJSON_AddNumberToObject(o, "start", (double)e->start);
        cJSON_AddNumberToObject(o, "end", (double)e->end);
        cJSON_AddItemToArray(root, o);
    }
    return task_json_print(root, json);
}

/* Reads one request: inputs a string; aggregation_strategy, ignore_labels (owned). */
static yoso_status ner_task_parse(const cJSON *inputs, const cJSON *params, void *request,
                                  void **owned) {
    yoso_ner_request *req = request;
    const char **labels = NULL;
    const char *strategy = NULL;
    yoso_status st = task_input_string(inputs, NULL, 1, &req->text);
    if (st == YOSO_OK) st = task_param_string(params, "aggregation_strategy", &strategy);
    if (st == YOSO_OK && strategy && (st = yoso_aggregation_find(strategy, &req->aggregation)))
        st = yoso_error_prefix(YOSO_ERR_INPUT, "parameter \"aggregation_strategy\": ");
    if (st == YOSO_OK)
        st = task_param_strings(params, "ignore_labels", &labels, &req->num_ignore_labels);
    req->ignore_labels = labels;
    *owned = (void *)labels;
    return st;
}

TASK_ADAPT(ner_task, yoso_token_classification, yoso_ner_result_json, yoso_ner_result_release)

static const char *const k_ner_aliases[] = {"ner", NULL};
static const char *const k_ner_parameters[] = {"aggregation_strategy", "ignore_labels", NULL};

TASK_DEFINE(task_token_classification_def, YOSO_TASK_TOKEN_CLASSIFICATION, "token-classification",
            YOSO_ARCHITECTURE_TOKEN_CLASSIFICATION, k_ner_aliases, NULL, k_ner_parameters, ner_task,
            yoso_ner_request, yoso_ner_result);

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

/* Reads one request's parameters into req; labels[0] owns the ignore_labels list. */
static yoso_status ner_task_request(const cJSON *inputs, const cJSON *params, yoso_ner_request *req,
                                    const char ***labels) {
    const char *strategy = NULL;
    yoso_status st = task_input_string(inputs, NULL, 1, &req->text);
    if (st == YOSO_OK) st = task_param_string(params, "aggregation_strategy", &strategy);
    if (st == YOSO_OK && strategy && (st = yoso_aggregation_find(strategy, &req->aggregation)))
        st = yoso_error_prefix(YOSO_ERR_INPUT, "parameter \"aggregation_strategy\": ");
    if (st == YOSO_OK)
        st = task_param_strings(params, "ignore_labels", labels, &req->num_ignore_labels);
    req->ignore_labels = *labels;
    return st;
}

/* The token-classification pipeline's requests. */
static yoso_status ner_task_run(yoso_model *model, const yoso_tokenizer *tok,
                                const cJSON *const *inputs, const cJSON *const *params, int n,
                                char **out) {
    yoso_ner_request *req = calloc((size_t)n, sizeof *req);
    yoso_ner_result *res = calloc((size_t)n, sizeof *res);
    const char ***labels = calloc((size_t)n, sizeof *labels);
    yoso_status st = req && res && labels ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < n; i++)
        if ((st = ner_task_request(inputs[i], params[i], &req[i], &labels[i])))
            yoso_error_prefix(st, "input %d: ", i);
    if (st == YOSO_OK) st = yoso_token_classification(model, tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++) st = yoso_ner_result_json(&res[i], &out[i]);
    if (st != YOSO_OK)
        for (int i = 0; out && i < n; i++) free(out[i]), out[i] = NULL;
    for (int i = 0; res && labels && i < n; i++) {
        yoso_ner_result_release(&res[i]);
        free(labels[i]);
    }
    free(req);
    free(res);
    free(labels);
    return st;
}

static const char *const k_ner_aliases[] = {"ner", NULL};
static const char *const k_ner_parameters[] = {"aggregation_strategy", "ignore_labels", NULL};

const task_def task_token_classification_def = {
    .task = YOSO_TASK_TOKEN_CLASSIFICATION,
    .name = "token-classification",
    .aliases = k_ner_aliases,
    .parameters = k_ner_parameters,
    .run = ner_task_run,
};

/* classify_json.c — text-classification and multiple-choice results in the JSON the pipeline
 * (or, for multiple choice, the fixture generator) prints. */
#include <cjson/cJSON.h>
#include <stdlib.h>

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

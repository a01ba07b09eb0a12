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
    *json = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return *json ? YOSO_OK : yoso_error_oom();
}

/* The fill-mask pipeline's requests: inputs a string with masks; top_k (5) and targets. */
static yoso_status fill_task_run(yoso_model *model, const yoso_tokenizer *tok,
                                 const cJSON *const *inputs, const cJSON *const *params, int n,
                                 char **out) {
    yoso_fill_request *req = calloc((size_t)n, sizeof *req);
    yoso_fill_result *res = calloc((size_t)n, sizeof *res);
    const char ***targets = calloc((size_t)n, sizeof *targets);
    yoso_status st = req && res && targets ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < n; i++) {
        req[i].top_k = 5;
        if ((st = task_input_string(inputs[i], NULL, 1, &req[i].text)) ||
            (st = task_param_int(params[i], "top_k", 1, 2147483647L, &req[i].top_k)) ||
            (st = task_param_strings(params[i], "targets", &targets[i], &req[i].num_targets)))
            yoso_error_prefix(st, "input %d: ", i);
        else
            req[i].targets = targets[i];
        if (st == YOSO_OK && targets[i] && req[i].num_targets == 0)
            st = yoso_error(YOSO_ERR_INPUT,
                            "input %d: \"targets\" is an empty list: give at "
                            "least one word or leave it out",
                            i);
    }
    if (st == YOSO_OK) st = yoso_fill_mask(model, tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++) st = yoso_fill_result_json(&res[i], &out[i]);
    if (st != YOSO_OK)
        for (int i = 0; out && i < n; i++) free(out[i]), out[i] = NULL;
    for (int i = 0; res && targets && i < n; i++) {
        yoso_fill_result_release(&res[i]);
        free(targets[i]);
    }
    free(req);
    free(res);
    free(targets);
    return st;
}

static const char *const k_fill_parameters[] = {"top_k", "targets", NULL};

const task_def task_fill_mask_def = {
    .task = YOSO_TASK_FILL_MASK,
    .name = "fill-mask",
    .parameters = k_fill_parameters,
    .run = fill_task_run,
};

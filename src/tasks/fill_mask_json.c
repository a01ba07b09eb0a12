/* fill_mask_json.c — a fill-mask result in Hugging Face's pipeline JSON (the CLI's --json and
 * the server's /fill-mask print exactly this). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "error.h"
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

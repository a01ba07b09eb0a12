/* fill_output.c — JSON (cJSON) and table output of fill-mask results. */
#include "fill_output.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

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

int fill_output_json(FILE *to, const yoso_fill_result *r) {
    cJSON *root;
    if (r->num_masks == 1) {
        root = fill_json_mask(r, 0);
    } else {
        root = cJSON_CreateArray();
        for (int m = 0; root && m < r->num_masks; m++)
            cJSON_AddItemToArray(root, fill_json_mask(r, m));
    }
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) return -1;
    fprintf(to, "%s\n", text);
    free(text);
    return 0;
}

void fill_output_table(FILE *to, const char *text, const yoso_fill_result *r) {
    fprintf(to, "%s\n", text);
    for (int m = 0; m < r->num_masks; m++) {
        if (r->num_masks > 1) fprintf(to, "  mask %d of %d\n", m + 1, r->num_masks);
        fprintf(to, "  %-4s %-8s %-7s %-16s %s\n", "rank", "score", "token", "token_str",
                "sequence");
        for (int i = 0; i < r->top_k; i++) {
            const yoso_prediction *p = &r->predictions[(size_t)m * r->top_k + i];
            fprintf(to, "  %-4d %-8.4f %-7d %-16s %s\n", i + 1, p->score, p->token, p->token_str,
                    p->sequence);
        }
    }
}

/* feature_extraction_json.c — feature-extraction results as Hugging Face's pipeline JSON and as
 * NumPy .npy files. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "error.h"
#include "npy.h"
#include "yoso.h"

/* A JSON list of n floats. */
static cJSON *feature_json_row(const float *v, int n) {
    cJSON *row = cJSON_CreateArray();
    for (int c = 0; row && c < n; c++) cJSON_AddItemToArray(row, cJSON_CreateNumber(v[c]));
    return row;
}

yoso_status yoso_feature_result_json(const yoso_feature_result *r, char **json) {
    cJSON *root;
    if (r->pooling != YOSO_POOLING_NONE) {
        root = feature_json_row(r->values, r->dim);
    } else { /* the pipeline's model_outputs[0].tolist(): [1][tokens][hidden] */
        root = cJSON_CreateArray();
        cJSON *rows = cJSON_CreateArray();
        cJSON_AddItemToArray(root, rows);
        for (int t = 0; rows && t < r->rows; t++)
            cJSON_AddItemToArray(rows, feature_json_row(r->values + (size_t)t * r->dim, r->dim));
    }
    *json = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return *json ? YOSO_OK : yoso_error_oom();
}

yoso_status yoso_feature_results_npy(const char *path, const yoso_feature_result *results,
                                     int count) {
    if (count < 1) return yoso_error(YOSO_ERR_USAGE, "no features to write to %s", path);
    for (int i = 1; i < count; i++)
        if (results[i].rows != results[0].rows || results[i].dim != results[0].dim)
            return yoso_error(YOSO_ERR_USAGE,
                              "%s: input %d has %d×%d values but input 0 %d×%d: one array "
                              "needs one shape, so pool them (mean or cls) or write one file each",
                              path, i, results[i].rows, results[i].dim, results[0].rows,
                              results[0].dim);
    const int pooled = results[0].pooling != YOSO_POOLING_NONE;
    const size_t each = (size_t)results[0].rows * results[0].dim;
    int64_t shape[3];
    int ndim = 0;
    if (count > 1) shape[ndim++] = count;
    if (!pooled) shape[ndim++] = results[0].rows;
    shape[ndim++] = results[0].dim;
    if (count == 1) return yoso_npy_write_f32(path, results[0].values, ndim, shape);
    float *all = malloc((size_t)count * each * sizeof(float)); /* [count, rows, dim] */
    if (!all) return yoso_error_oom();
    for (int i = 0; i < count; i++)
        for (size_t k = 0; k < each; k++) all[i * each + k] = results[i].values[k];
    yoso_status st = yoso_npy_write_f32(path, all, ndim, shape);
    free(all);
    return st;
}

/* feature_extraction_json.c — feature-extraction results as Hugging Face's pipeline JSON and as
 * NumPy .npy files. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "npy.h"
#include "task_internal.h"

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
    return task_json_print(root, json);
}

yoso_status yoso_feature_results_npy(const char *path, const yoso_feature_result *results,
                                     int count) {
    if (count < 1) return yoso_error(YOSO_ERR_USAGE, "no features to write to %s", path);
    for (int i = 1; i < count; i++)
        if (results[i].rows != results[0].rows || results[i].dim != results[0].dim)
            return yoso_error(
                YOSO_ERR_USAGE,
                "%s: input %d has %d×%d values but input 0 %d×%d: one array needs one shape, so pool them (mean or cls) or write one file each",
                path, i, results[i].rows, results[i].dim, results[0].rows, results[0].dim);
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

/* One request's parameters: HF's truncation (also inside tokenize_kwargs, but not both, as HF
 * refuses), and our pooling and normalize. */
static yoso_status feature_task_params(const cJSON *params, yoso_feature_request *r) {
    static const char *const k_poolings[] = {"none", "cls", "mean", NULL};
    const cJSON *kwargs = cJSON_GetObjectItemCaseSensitive(params, "tokenize_kwargs");
    int pooling = YOSO_POOLING_NONE;
    yoso_status st;
    if (kwargs && !cJSON_IsNull(kwargs)) {
        if (!cJSON_IsObject(kwargs) ||
            (kwargs->child && (kwargs->child->next || strcmp(kwargs->child->string, "truncation"))))
            return yoso_error(
                YOSO_ERR_INPUT,
                "parameter \"tokenize_kwargs\" may only hold \"truncation\" (true or false)");
        if (cJSON_GetObjectItemCaseSensitive(params, "truncation"))
            return yoso_error(
                YOSO_ERR_INPUT,
                "truncation parameter defined twice (given as \"truncation\" as well as in \"tokenize_kwargs\")");
        if ((st = task_param_bool(kwargs, "truncation", &r->truncation))) return st;
    }
    if ((st = task_param_bool(params, "truncation", &r->truncation)) ||
        (st = task_param_enum(params, "pooling", k_poolings, &pooling)) ||
        (st = task_param_bool(params, "normalize", &r->normalize)))
        return st;
    r->pooling = (yoso_pooling)pooling;
    return YOSO_OK;
}

/* One feature-extraction request: inputs a string or {text, text_pair}. */
static yoso_status feature_task_parse(const cJSON *inputs, const cJSON *params, void *request,
                                      void **owned) {
    yoso_feature_request *r = request;
    (void)owned;
    yoso_status st;
    if ((st = task_input_string(inputs, "text", 1, &r->text)) ||
        (!cJSON_IsString(inputs) &&
         (st = task_input_string(inputs, "text_pair", 0, &r->text_pair))))
        return st;
    return feature_task_params(params, r);
}

TASK_ADAPT(feature_task, yoso_feature_extraction, yoso_feature_result_json,
           yoso_feature_result_release)

static const char *const k_feature_aliases[] = {"embed", NULL};
static const char *const k_feature_parameters[] = {"truncation", "tokenize_kwargs", "pooling",
                                                   "normalize", NULL};

TASK_DEFINE(task_feature_extraction_def, YOSO_TASK_FEATURE_EXTRACTION, "feature-extraction",
            TASK_ANY_HEAD, k_feature_aliases, NULL, k_feature_parameters, feature_task,
            yoso_feature_request, yoso_feature_result);

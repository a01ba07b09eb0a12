/* lsh_dmat.c — explicit LSH signs from a safetensors file (layer.<i>.Dmat, DESIGN §3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsh_internal.h"
#include "tensor_file.h"

/* Checks one layer's tensor against the expected geometry; sets *rows from the first layer. */
static yoso_status dmat_check(const char *path, const yoso_tensor_view *t, const char *name,
                              const yoso_lsh_shape *s, int *rows) {
    if (!t)
        return yoso_error(YOSO_ERR_INPUT,
                          "%s has no tensor %s: the file needs one Dmat per encoder layer", path,
                          name);
    if (t->dtype != YOSO_DTYPE_I32)
        return yoso_error(YOSO_ERR_INPUT, "%s: %s is %s, not int32: save the signs as int32 ±1",
                          path, name, yoso_dtype_name(t->dtype));
    if (t->ndim != 4 || t->shape[1] != 3 || t->shape[2] != s->num_part || t->shape[3] != s->dp)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: %s must have shape [rows, 3, %d, %d] (num_part for num_hash %d and hash_code_len %d, head size padded to %d)",
            path, name, s->num_part, s->dp, s->num_hash, s->tau, s->dp);
    const int64_t r = t->shape[0];
    if (r < 1 || r % s->heads != 0 || r > (int64_t)s->heads * 65536)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: %s has %lld sign rows: use the number of heads (%d) or batch × heads", path, name,
            (long long)r, s->heads);
    if (*rows && r != *rows)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: %s has %lld sign rows but layer.0.Dmat has %d: every layer needs the same", path,
            name, (long long)r, *rows);
    *rows = (int)r;
    return YOSO_OK;
}

yoso_status yoso_lsh_dmat_read(const char *path, int num_layers, const yoso_lsh_shape *s,
                               yoso_lsh_dmat *out) {
    yoso_status status = YOSO_OK;
    yoso_tensor_file *file = NULL;
    memset(out, 0, sizeof *out);
    status = yoso_tensor_file_open(path, &file);
    if (status != YOSO_OK) return yoso_error_prefix(status, "reading LSH signs (--lsh-dmat): ");
    int rows = 0;
    char name[64];
    for (int i = 0; i < num_layers; i++) {
        snprintf(name, sizeof name, "layer.%d.Dmat", i);
        YOSO_TRY(dmat_check(path, yoso_tensor_file_find(file, name), name, s, &rows));
    }
    const size_t per_layer = (size_t)rows * 3 * s->num_part * s->dp;
    out->signs = malloc(per_layer * (size_t)num_layers * sizeof(float));
    if (!out->signs) {
        status = yoso_error_oom();
        goto fail;
    }
    for (int i = 0; i < num_layers; i++) {
        snprintf(name, sizeof name, "layer.%d.Dmat", i);
        const yoso_tensor_view *t = yoso_tensor_file_find(file, name);
        const unsigned char *bytes = t->data;
        float *dst = out->signs + per_layer * i;
        for (size_t j = 0; j < per_layer; j++) {
            int32_t value;
            memcpy(&value, bytes + 4 * j, 4);
            if (value != 1 && value != -1) {
                status = yoso_error(YOSO_ERR_INPUT,
                                    "%s: %s holds %d at flat index %zu: signs must be +1 or -1",
                                    path, name, value, j);
                goto fail;
            }
            dst[j] = (float)value;
        }
    }
    out->num_layers = num_layers;
    out->rows = rows;
    out->num_part = s->num_part;
    out->dp = s->dp;
    yoso_tensor_file_close(file);
    return YOSO_OK;
fail:
    yoso_tensor_file_close(file);
    yoso_lsh_dmat_release(out);
    return status;
}

void yoso_lsh_dmat_release(yoso_lsh_dmat *dmat) {
    free(dmat->signs);
    memset(dmat, 0, sizeof *dmat);
}

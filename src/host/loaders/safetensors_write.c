/* safetensors_write.c — the safetensors writer behind `yoso convert`. */
#include "safetensors_write.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "file_io.h"
#include "fp16.h"

/* The dtype a tensor is written as. */
static yoso_dtype write_dtype(const yoso_tensor_view *t, int to_f16) {
    if (to_f16 && (t->dtype == YOSO_DTYPE_F32 || t->dtype == YOSO_DTYPE_BF16))
        return YOSO_DTYPE_F16;
    return t->dtype;
}

/* Builds the JSON header: name → {dtype, shape, data_offsets}. */
static char *write_header(const yoso_tensor_file *file, int to_f16) {
    cJSON *root = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(root, "__metadata__");
    cJSON_AddStringToObject(meta, "format", "pt");
    size_t offset = 0;
    for (size_t i = 0; i < yoso_tensor_file_count(file); i++) {
        const yoso_tensor_view *t = yoso_tensor_file_at(file, i);
        yoso_dtype dt = write_dtype(t, to_f16);
        size_t bytes = (size_t)yoso_tensor_numel(t) * yoso_dtype_size(dt);
        cJSON *o = cJSON_AddObjectToObject(root, t->name),
              *shape = cJSON_AddArrayToObject(o, "shape");
        cJSON_AddStringToObject(o, "dtype", yoso_dtype_name(dt));
        for (int d = 0; d < t->ndim; d++)
            cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->shape[d]));
        cJSON *offs = cJSON_AddArrayToObject(o, "data_offsets");
        cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)offset));
        cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)(offset + bytes)));
        offset += bytes;
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

/* Writes one tensor's data, converting to half when asked. */
static yoso_status write_tensor(FILE *f, const yoso_tensor_view *t, int to_f16) {
    if (write_dtype(t, to_f16) == t->dtype) {
        fwrite(t->data, 1, t->nbytes, f); /* a short write leaves ferror(f) for the close */
        return YOSO_OK;
    }
    size_t n = (size_t)yoso_tensor_numel(t);
    float *f32 = malloc(n * sizeof(float));
    uint16_t *f16 = malloc(n * sizeof(uint16_t));
    yoso_status st = (f32 && f16) ? yoso_tensor_to_f32(t, f32) : yoso_error_oom();
    for (size_t i = 0; st == YOSO_OK && i < n; i++) {
        if (fabsf(f32[i]) > 65504.0f)
            st = yoso_error(YOSO_ERR_INPUT,
                            "%s holds %g, beyond the half-precision range: convert without --fp16",
                            t->name, f32[i]);
        f16[i] = yoso_float_to_half(f32[i]);
    }
    if (st == YOSO_OK) fwrite(f16, sizeof(uint16_t), n, f);
    free(f32);
    free(f16);
    return st;
}

yoso_status yoso_safetensors_write(const char *path, const yoso_tensor_file *file, int to_f16) {
    char *header = write_header(file, to_f16);
    if (!header) return yoso_error_oom();
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    yoso_atomic_file af;
    yoso_status st = yoso_atomic_file_open(&af, path, YOSO_FILE_GUARD_SIGNALS);
    if (st != YOSO_OK) goto done;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    fwrite(len8, 1, 8, af.f);
    fwrite(header, 1, hlen, af.f);
    for (size_t i = hlen; i < padded; i++) fputc(' ', af.f);
    for (size_t i = 0; st == YOSO_OK && !ferror(af.f) && i < yoso_tensor_file_count(file); i++)
        st = write_tensor(af.f, yoso_tensor_file_at(file, i), to_f16);
    st = yoso_atomic_file_close(&af, st);
done:
    free(header);
    return st;
}

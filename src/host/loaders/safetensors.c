/* safetensors.c — validates a safetensors header (JSON) and turns its entries into views. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "tensor_file_internal.h"

/* One entry's byte range in the data area, for the overlap check. */
typedef struct st_range {
    uint64_t begin, end;
    size_t view; /* index into file->views */
} st_range;

/* Maps a safetensors dtype string to ours; returns 0 if unknown. */
static int st_parse_dtype(const char *s, yoso_dtype *out) {
    static const struct {
        const char *name;
        yoso_dtype dtype;
    } k_map[] = {
        {"F32", YOSO_DTYPE_F32}, {"F16", YOSO_DTYPE_F16}, {"BF16", YOSO_DTYPE_BF16},
        {"I64", YOSO_DTYPE_I64}, {"I32", YOSO_DTYPE_I32},
    };
    for (size_t i = 0; i < sizeof k_map / sizeof k_map[0]; i++)
        if (strcmp(s, k_map[i].name) == 0) {
            *out = k_map[i].dtype;
            return 1;
        }
    return 0;
}

/* Reads a JSON number that must be a non-negative integer ≤ 2^53 (exact in a double). */
static int st_json_u64(const cJSON *item, uint64_t *out) {
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (!isfinite(d) || d < 0 || d > 9007199254740992.0 || d != floor(d)) return 0;
    *out = (uint64_t)d;
    return 1;
}

/* Orders ranges by begin, then end. */
static int st_cmp_range(const void *a, const void *b) {
    const st_range *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* Checks one header entry and appends its view; *range receives its byte range. */
static yoso_status st_read_entry(yoso_tensor_file *file, const cJSON *entry,
                                 const uint8_t *data_area, uint64_t data_size, st_range *range) {
    const char *name = entry->string, *label = file->label;
    if (!cJSON_IsObject(entry))
        return yoso_error(YOSO_ERR_INPUT,
                          "%s: header entry '%.200s' is not an object: the file is corrupt", label,
                          name);
    const cJSON *jdtype = cJSON_GetObjectItemCaseSensitive(entry, "dtype");
    const cJSON *jshape = cJSON_GetObjectItemCaseSensitive(entry, "shape");
    const cJSON *joffs = cJSON_GetObjectItemCaseSensitive(entry, "data_offsets");
    if (!cJSON_IsString(jdtype) || !cJSON_IsArray(jshape) || !cJSON_IsArray(joffs))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%.200s' lacks a string dtype, a shape array or a data_offsets array: the file is corrupt",
            label, name);
    yoso_dtype dtype;
    if (!st_parse_dtype(jdtype->valuestring, &dtype))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%.200s' has dtype '%.32s', which is not supported (F32, F16, BF16, I64, I32): convert the checkpoint to float32",
            label, name, jdtype->valuestring);
    int ndim = cJSON_GetArraySize(jshape);
    if (ndim > YOSO_TENSOR_MAX_DIMS)
        return yoso_error(YOSO_ERR_INPUT, "%s: tensor '%.200s' has %d dimensions, more than %d",
                          label, name, ndim, YOSO_TENSOR_MAX_DIMS);
    int64_t shape[YOSO_TENSOR_MAX_DIMS];
    int d = 0;
    for (const cJSON *it = jshape->child; it; it = it->next, d++) {
        uint64_t v;
        if (!st_json_u64(it, &v))
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: tensor '%.200s' has a shape entry that is not a non-negative integer: the file is corrupt",
                label, name);
        shape[d] = (int64_t)v;
    }
    uint64_t begin, end;
    if (cJSON_GetArraySize(joffs) != 2 || !st_json_u64(joffs->child, &begin) ||
        !st_json_u64(joffs->child->next, &end))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%.200s' data_offsets is not two non-negative integers: the file is corrupt",
            label, name);
    if (begin > end)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%.200s' data_offsets begin %llu is after end %llu: the file is corrupt",
            label, name, (unsigned long long)begin, (unsigned long long)end);
    if (end > data_size)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%.200s' data_offsets [%llu, %llu] lie outside the %llu-byte data area: the file is truncated or corrupt",
            label, name, (unsigned long long)begin, (unsigned long long)end,
            (unsigned long long)data_size);
    int64_t numel = yoso_shape_numel(ndim, shape);
    uint64_t es = yoso_dtype_size(dtype);
    if (numel < 0 || (uint64_t)numel > (end - begin) / es || (uint64_t)numel * es != end - begin) {
        char sbuf[160];
        yoso_shape_format(ndim, shape, sbuf, sizeof sbuf);
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%.200s' shape %s of %s needs a different size than its %llu data bytes: the file is corrupt",
            label, name, sbuf, yoso_dtype_name(dtype), (unsigned long long)(end - begin));
    }
    range->begin = begin;
    range->end = end;
    range->view = file->count;
    return yoso_tensor_file_add(file, name, strlen(name), dtype, ndim, shape, data_area + begin,
                                (size_t)(end - begin));
}

/* Parses the header, validates every entry and rejects overlapping byte ranges. */
yoso_status yoso_safetensors_read(yoso_tensor_file *file) {
    const char *label = file->label;
    if (file->size < 8)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: %zu bytes is too short for a safetensors file: the file is truncated", label,
            file->size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | file->base[i];
    if (hlen > YOSO_SAFETENSORS_MAX_HEADER)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: safetensors header length %llu exceeds the %u-byte limit: the file is corrupt",
            label, (unsigned long long)hlen, YOSO_SAFETENSORS_MAX_HEADER);
    if (hlen > file->size - 8)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: safetensors header length %llu exceeds the file size %zu: the file is truncated",
            label, (unsigned long long)hlen, file->size);
    if (hlen < 2)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: safetensors header of %llu bytes cannot hold a JSON object: the file is corrupt",
            label, (unsigned long long)hlen);
    /* A NUL-terminated copy keeps cJSON from ever looking past the header. */
    char *text = malloc((size_t)hlen + 1);
    if (!text) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", label);
    memcpy(text, file->base + 8, (size_t)hlen);
    text[hlen] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, (size_t)hlen);
    free(text);
    st_range *ranges = NULL;
    yoso_status st = YOSO_OK;
    if (!cJSON_IsObject(root)) {
        st = yoso_error(YOSO_ERR_INPUT,
                        "%s: the safetensors header is not a JSON object: the file is corrupt",
                        label);
        goto done;
    }
    const uint8_t *data_area = file->base + 8 + hlen;
    uint64_t data_size = file->size - 8 - hlen;
    size_t n = 0;
    for (const cJSON *e = root->child; e; e = e->next) n++;
    ranges = malloc((n ? n : 1) * sizeof *ranges);
    if (!ranges) {
        st = yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", label);
        goto done;
    }
    size_t nr = 0;
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!e->string) continue;
        if (strcmp(e->string, "__metadata__") == 0) continue;
        st = st_read_entry(file, e, data_area, data_size, &ranges[nr]);
        if (st != YOSO_OK) goto done;
        nr++;
    }
    qsort(ranges, nr, sizeof *ranges, st_cmp_range);
    uint64_t covered = 0;
    size_t last = 0;
    for (size_t i = 0; i < nr; i++) {
        if (ranges[i].begin == ranges[i].end) continue; /* empty tensors overlap nothing */
        if (ranges[i].begin < covered) {
            const char *prev = file->views[last].name, *cur = file->views[ranges[i].view].name;
            if (strcmp(prev, cur) == 0)
                st = yoso_error(YOSO_ERR_INPUT,
                                "%s: tensor '%.200s' appears twice: the file is corrupt", label,
                                cur);
            else
                st = yoso_error(
                    YOSO_ERR_INPUT,
                    "%s: tensors '%.200s' and '%.200s' have overlapping data_offsets: the file is corrupt",
                    label, prev, cur);
            goto done;
        }
        covered = ranges[i].end;
        last = ranges[i].view;
    }
done:
    free(ranges);
    cJSON_Delete(root);
    return st;
}

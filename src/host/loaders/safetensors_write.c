/* safetensors_write.c — the safetensors writer behind `yoso convert`. */
#include "safetensors_write.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "signal_guard.h"

uint16_t yoso_float_to_half(float value) {
    uint32_t x;
    memcpy(&x, &value, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xffu, mant = x & 0x7fffffu;
    if (exp == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        int shift = 14 - e;
        uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (mant >> 13), rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++;
    return (uint16_t)half;
}

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
    if (write_dtype(t, to_f16) == t->dtype)
        return fwrite(t->data, 1, t->nbytes, f) == t->nbytes ? YOSO_OK : YOSO_ERR_IO;
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
    if (st == YOSO_OK && fwrite(f16, sizeof(uint16_t), n, f) != n) st = YOSO_ERR_IO;
    free(f32);
    free(f16);
    return st;
}

yoso_status yoso_safetensors_write(const char *path, const yoso_tensor_file *file, int to_f16) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    char *header = write_header(file, to_f16);
    if (!header) return yoso_error_oom();
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    yoso_signal_guard guard; /* Ctrl-C waits until the file is complete and renamed */
    yoso_signal_guard_begin(&guard);
    yoso_status st = YOSO_OK;
    /* A device or pipe (/dev/null, a FIFO) is written in place: renaming the temp file over it
     * would replace the device node with a regular file. */
    struct stat sb;
    const int in_place = stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
    FILE *f = fopen(in_place ? path : tmp, "wb");
    if (!f) {
        st = yoso_error(YOSO_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    int ok = fwrite(len8, 1, 8, f) == 8 && fwrite(header, 1, hlen, f) == hlen;
    for (size_t i = hlen; ok && i < padded; i++) ok = fputc(' ', f) != EOF;
    for (size_t i = 0; ok && st == YOSO_OK && i < yoso_tensor_file_count(file); i++)
        st = write_tensor(f, yoso_tensor_file_at(file, i), to_f16);
    ok = (fclose(f) == 0) && ok;
    if (st == YOSO_ERR_IO || (st == YOSO_OK && !ok))
        st = yoso_error(YOSO_ERR_IO, "cannot write %s: %s (disk full?)", path, strerror(errno));
    if (st == YOSO_OK && !in_place && rename(tmp, path) != 0)
        st = yoso_error(YOSO_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (st != YOSO_OK && !in_place) unlink(tmp);
done:
    yoso_signal_guard_end(&guard);
    free(header);
    return st;
}

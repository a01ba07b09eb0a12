/* fuzz_common.h — checks shared by the fuzz targets (header-only: each target is one program). */
#ifndef YOSO_FUZZ_COMMON_H
#define YOSO_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensor_file.h"

/* Checks one accepted view: in bounds (safetensors and contiguous torch views point into the
 * input; strided torch views are copies the handle owns), findable by name, of a byte size that
 * matches its shape, and convertible to float32 when it is a float tensor. */
static inline void fuzz_check_view(const yoso_tensor_file *file, const yoso_tensor_view *v,
                                   const uint8_t *data, size_t size) {
    const uint8_t *p = v->data;
    int is_zip = size >= 2 && data[0] == 'P' && data[1] == 'K';
    if (!is_zip && v->nbytes && (p < data || p + v->nbytes > data + size)) abort();
    if (yoso_tensor_file_find(file, v->name) != v) abort();
    int64_t n = yoso_tensor_numel(v);
    if (n < 0 || (uint64_t)n * yoso_dtype_size(v->dtype) != v->nbytes) abort();
    if (v->dtype != YOSO_DTYPE_F32 && v->dtype != YOSO_DTYPE_F16 && v->dtype != YOSO_DTYPE_BF16)
        return;
    float *dst = malloc((size_t)(n ? n : 1) * sizeof(float)); /* [numel] */
    if (!dst) return;
    yoso_status st = yoso_tensor_to_f32(v, dst);
    if (st != YOSO_OK && st != YOSO_ERR_INPUT) abort(); /* NaN/Inf is INPUT, nothing else */
    free(dst);
}

/* Opens bytes as a checkpoint: a refusal hands out no handle; an acceptance only sane views. */
static inline void fuzz_check_tensor_file(const uint8_t *data, size_t size) {
    yoso_tensor_file *file = NULL;
    yoso_status st = yoso_tensor_file_open_memory(data, size, &file);
    if (st != YOSO_OK) {
        if (file || (yoso_status_exit_code(st) != 2 && st != YOSO_ERR_NO_MEMORY)) abort();
        if (!*yoso_last_error()) abort(); /* every refusal says why */
        return;
    }
    for (size_t i = 0; i < yoso_tensor_file_count(file); i++)
        fuzz_check_view(file, yoso_tensor_file_at(file, i), data, size);
    yoso_tensor_file_close(file);
}

/* 1 if s[0..n) is strict UTF-8 (RFC 3629: no overlongs, surrogates or code points past
 * U+10FFFF), written independently of the tokenizer's own validator. */
static inline int fuzz_utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += len;
    }
    return 1;
}

#endif

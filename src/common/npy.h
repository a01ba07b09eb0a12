/* npy.h — NumPy .npy files (version 1.0, little-endian, C order): float32 and int32/int64. */
#ifndef YOSO_NPY_H
#define YOSO_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "yoso.h"

typedef struct yoso_npy {
    char dtype; /* 'f' float32, 'i' int32 (int64 files are narrowed to int32 on read) */
    int ndim;
    int64_t shape[8];
    void *data; /* malloc'ed: float* or int32_t* */
} yoso_npy;

/* Reads a .npy file of dtype <f4, <i4 or <i8 (narrowed, failing if a value does not fit). */
yoso_status yoso_npy_read(const char *path, yoso_npy *out);
void yoso_npy_release(yoso_npy *npy);
int64_t yoso_npy_numel(const yoso_npy *npy);

/* Writes float32 data atomically: to "path.tmp.<pid>", then rename, so an interrupted or failed run
 * never leaves a partial file at path. */
yoso_status yoso_npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape);

#endif

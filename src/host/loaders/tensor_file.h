/* tensor_file.h — read-only view of a checkpoint's named tensors: safetensors or torch.save zip. */
#ifndef YOSO_TENSOR_FILE_H
#define YOSO_TENSOR_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "yoso.h"

typedef enum yoso_dtype {
    YOSO_DTYPE_F32,
    YOSO_DTYPE_F16,
    YOSO_DTYPE_BF16,
    YOSO_DTYPE_I64,
    YOSO_DTYPE_I32,
    YOSO_DTYPE_COUNT
} yoso_dtype;

#define YOSO_TENSOR_MAX_DIMS 8

typedef struct yoso_tensor_view {
    const char *name; /* e.g. "yoso.encoder.layer.0.attention.self.query.weight" */
    yoso_dtype dtype;
    int ndim;
    int64_t shape[YOSO_TENSOR_MAX_DIMS];
    const void *data; /* points into the mapped file; little-endian, C order */
    size_t nbytes;    /* == product(shape) * dtype size */
    int64_t first;    /* a 1-D slice's flat index in the named tensor (for messages), else 0 */
} yoso_tensor_view;

typedef struct yoso_tensor_file yoso_tensor_file;

/* Opens a checkpoint (mmap), detecting the format by content: safetensors header or zip magic.
 * Every structural problem (truncated, header too big, offsets outside the file or overlapping,
 * unknown dtype, shape/size mismatch, pickle naming a global that is not on the allow list) is
 * YOSO_ERR_INPUT with the path and the problem in the message. Nothing in the file is executed. */
yoso_status yoso_tensor_file_open(const char *path, yoso_tensor_file **out);
/* Same, from bytes in memory (not copied: they must outlive the handle). For tests and fuzzing. */
yoso_status yoso_tensor_file_open_memory(const void *data, size_t size, yoso_tensor_file **out);
void yoso_tensor_file_close(yoso_tensor_file *file);

size_t yoso_tensor_file_count(const yoso_tensor_file *file);
const yoso_tensor_view *yoso_tensor_file_at(const yoso_tensor_file *file, size_t index);
/* The tensor with this exact name, or NULL. */
const yoso_tensor_view *yoso_tensor_file_find(const yoso_tensor_file *file, const char *name);

size_t yoso_dtype_size(yoso_dtype dtype);
const char *yoso_dtype_name(yoso_dtype dtype);
/* Converts a float tensor (F32/F16/BF16) to float32 in dst (numel floats). Fails with
 * YOSO_ERR_INPUT naming the tensor if any value is NaN or Inf. */
yoso_status yoso_tensor_to_f32(const yoso_tensor_view *tensor, float *dst);
int64_t yoso_tensor_numel(const yoso_tensor_view *tensor);

#endif

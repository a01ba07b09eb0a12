/* safetensors_write.h — writing named tensors as a .safetensors file (atomically). */
#ifndef YOSO_SAFETENSORS_WRITE_H
#define YOSO_SAFETENSORS_WRITE_H

#include "tensor_file.h"

/* Writes every tensor of `file` to path in the safetensors format. With to_f16, F32 and BF16
 * tensors are stored as F16 (round to nearest even; values beyond the half range are an error);
 * other dtypes are copied unchanged. Written to a temporary file and renamed. */
yoso_status yoso_safetensors_write(const char *path, const yoso_tensor_file *file, int to_f16);

#endif

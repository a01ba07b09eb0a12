/* convert.c — checkpoint conversion to safetensors (`yoso convert`). */
#include "safetensors_write.h"
#include "tensor_file.h"

yoso_status yoso_checkpoint_convert(const char *in_path, const char *out_path, int fp16,
                                    size_t *tensors) {
    yoso_tensor_file *file = NULL;
    yoso_status st = yoso_tensor_file_open(in_path, &file);
    if (st == YOSO_OK) st = yoso_safetensors_write(out_path, file, fp16);
    if (tensors) *tensors = file ? yoso_tensor_file_count(file) : 0;
    yoso_tensor_file_close(file);
    return st;
}

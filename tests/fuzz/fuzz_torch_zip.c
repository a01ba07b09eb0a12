/* fuzz_torch_zip.c — libFuzzer target: arbitrary bytes as a torch.save zip (seeds: small
 * pytorch_model.bin files), through yoso_tensor_file_open_memory: the zip reader, then the
 * restricted unpickler. Same contract as fuzz_safetensors. */
#include "fuzz_common.h"

/* One libFuzzer execution: never crashes; abort() marks a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_check_tensor_file(data, size);
    return 0;
}

/* fuzz_safetensors.c — libFuzzer target: arbitrary bytes as a safetensors file (seeds: small
 * safetensors files), through yoso_tensor_file_open_memory. Every input must be accepted with
 * sane views or refused with a message and exit code 2, without a crash, leak or UB. */
#include "fuzz_common.h"

/* One libFuzzer execution: never crashes; abort() marks a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_check_tensor_file(data, size);
    return 0;
}

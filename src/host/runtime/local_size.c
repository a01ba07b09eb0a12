/* local_size.c — choosing work-group sizes the device accepts. */
#include "runtime.h"

size_t yoso_local_size(const yoso_context *ctx, size_t cap) {
    size_t max = 1;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max, &max, NULL);
    size_t n = 1;
    while (n * 2 <= max && n * 2 <= cap) n *= 2;
    return n;
}

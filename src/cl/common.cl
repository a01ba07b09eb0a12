/* common.cl — definitions shared by every kernel (this file is placed first in the program).
 * Each kernel is compiled only where its program defines YOSO_WANT_<name> (#ifdef round each):
 * runtime/program.c builds the kernels a device uses at once and any other on its first use. */

/* Clang-based compilers (PoCL, rusticl, Oclgrind) note on x86 targets without AVX-512 that a
 * float16/int16 argument "changes the ABI" (-Wpsabi) at every 16-wide vload/vstore/select/mad
 * call: 45 notes, and PoCL prints "45 warnings generated." on stderr. Kernels have no ABI boundary
 * (the calls are inlined builtins), so the note says nothing here. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wpsabi"
#endif

/* A deliberate compile error, to test the failed-build path (tests/test_errors_runtime.c):
 * YOSO_CL_OPTIONS=-DYOSO_FORCE_BUILD_ERROR. */
#ifdef YOSO_FORCE_BUILD_ERROR
#error "YOSO_FORCE_BUILD_ERROR is defined: this build fails on purpose"
#endif

/* The largest attention head dimension the attention kernels keep in private memory. */
#define YOSO_MAX_HEAD_DIM 128

/* Tree reduction of `value` over a work-group; `scratch` holds get_local_size(0) floats. Every
 * work-item gets the sum. The local size must be a power of two. */
inline float yoso_group_sum(float value, __local float *scratch) {
    const int lid = get_local_id(0), n = get_local_size(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = n / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

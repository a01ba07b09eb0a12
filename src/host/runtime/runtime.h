/* runtime.h — the OpenCL context behind yoso_context: device, queue, program and kernels. */
#ifndef YOSO_RUNTIME_H
#define YOSO_RUNTIME_H

#include <CL/cl.h>

#include "cl_check.h"
#include "yoso.h"

#define YOSO_MAX_KERNELS 64

typedef struct yoso_gemm yoso_gemm;

/* The environment knobs, read once by yoso_context_create (context.c) and copied, NULL when
 * unset; the modules read them here, not with getenv. */
typedef struct yoso_env {
    char *device;      /* $YOSO_DEVICE: the device when the caller names none */
    char *expectation; /* $YOSO_EXPECTATION: blocked | tiled expectation attention */
} yoso_env;

struct yoso_context {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    yoso_device_info info;
    yoso_env env;
    char cache_dir[2048]; /* "" when caching is off */
    int verbose;
    int cache_hits, cache_builds;
    cl_program program; /* every embedded .cl file, built once */
    int num_kernels;
    struct {
        char name[64];
        cl_kernel kernel;
    } kernels[YOSO_MAX_KERNELS];
    yoso_gemm *gemm;
    int clblast_tuning_applied; /* stored / built-in CLBlast parameters already applied */
};

/* Finds the device matching spec ("P:D" or a name substring; NULL = prefer a GPU). */
yoso_status yoso_device_select(const char *spec, cl_platform_id *platform, cl_device_id *device,
                               yoso_device_info *info);
/* Fills info for one device. */
void yoso_device_describe(cl_platform_id platform, cl_device_id device, int pi, int di,
                          yoso_device_info *info);

/* Builds (or loads from the disk cache) the program made of every embedded kernel source. */
yoso_status yoso_program_build(yoso_context *ctx);
/* The kernel of this name from the context's program, created on first use. */
yoso_status yoso_kernel_get(yoso_context *ctx, const char *name, cl_kernel *out);

/* The build options every program gets on this device (e.g. "-cl-std=CL1.2 -DYOSO_HAS_FP16=1"). */
const char *yoso_program_options(const yoso_context *ctx);

/* Sets kernel argument i from an lvalue; for use inside launchers with `status` and `fail:`. */
#define CL_ARG(kernel, i, value) CL_CHECK(clSetKernelArg((kernel), (i), sizeof(value), &(value)))

/* The largest power of two ≤ the device's max work-group size and ≤ cap. */
size_t yoso_local_size(const yoso_context *ctx, size_t cap);

/* Rounds n up to a multiple of m. */
static inline size_t yoso_round_up(size_t n, size_t m) {
    return (n + m - 1) / m * m;
}

#endif

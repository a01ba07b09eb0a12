/* kernel.h — the one checked kernel-launch path: kernels created once per context and kept in
 * named fields, arguments set from a list, sizes validated against the kernel and the device. */
#ifndef YOSO_KERNEL_H
#define YOSO_KERNEL_H

#include <CL/cl.h>
#include <stddef.h>

#include "error.h"

/* Where a kernel is built with the context: YOSO_ON_CPU / YOSO_ON_GPU mark the kernels that
 * class of device runs by default, and the self-check's (one program at context creation); any
 * other kernel (another layout or variant, fp16, LSH, conv) gets its own program at its first
 * use. Every program is cached (program.c). */
#define YOSO_ON_CPU 1
#define YOSO_ON_GPU 2

/* Every kernel of src/cl, by name, and where it is built: one field of yoso_kernels each. */
#define YOSO_KERNEL_LIST(X)                                                                        \
    X(half_to_float, 0)                                                                            \
    X(embed_sum, YOSO_ON_CPU | YOSO_ON_GPU)                                                        \
    X(embed_sum_half, 0)                                                                           \
    X(bias_gelu, 0)                                                                                \
    X(bias_gelu16, YOSO_ON_CPU | YOSO_ON_GPU)                                                      \
    X(bias_add, YOSO_ON_CPU | YOSO_ON_GPU)                                                         \
    X(bias_relu, 0)                                                                                \
    X(gather_rows, YOSO_ON_CPU | YOSO_ON_GPU)                                                      \
    X(layernorm_fused, YOSO_ON_GPU)                                                                \
    X(layernorm_rows, YOSO_ON_CPU)                                                                 \
    X(attention_prepare, YOSO_ON_CPU | YOSO_ON_GPU)                                                \
    X(attention_conv_add, 0)                                                                       \
    X(attention_expectation, YOSO_ON_CPU | YOSO_ON_GPU)                                            \
    X(expectation_weights, YOSO_ON_CPU)                                                            \
    X(attention_normalize_heads, YOSO_ON_CPU)                                                      \
    X(lsh_fill, 0)                                                                                 \
    X(lsh_read, 0)                                                                                 \
    X(lsh_read_rows, 0)                                                                            \
    X(lsh_normalize, 0)                                                                            \
    X(lsh_hash_32, 0)                                                                              \
    X(lsh_hash_64, YOSO_ON_GPU)                                                                    \
    X(lsh_hash_128, 0)                                                                             \
    X(lsh_hash_rows_32, 0)                                                                         \
    X(lsh_hash_rows_64, YOSO_ON_CPU)                                                               \
    X(lsh_hash_rows_128, 0)                                                                        \
    X(gemm_portable, 0)                                                                            \
    X(probe_loop, YOSO_ON_CPU | YOSO_ON_GPU)                                                       \
    X(probe_reduce, YOSO_ON_CPU | YOSO_ON_GPU)

/* One kernel and what the driver says about it (queried once, at creation). */
typedef struct yoso_kernel {
    cl_kernel kernel; /* NULL until built (see YOSO_KERNEL_LIST) */
    const char *name;
    int built_on;          /* YOSO_ON_CPU | YOSO_ON_GPU: the device classes that build it at once */
    yoso_status status;    /* why the kernel could not be built, YOSO_OK otherwise */
    size_t max_local;      /* CL_KERNEL_WORK_GROUP_SIZE: the largest work-group it launches at */
    cl_ulong static_local; /* CL_KERNEL_LOCAL_MEM_SIZE before any __local argument is set */
} yoso_kernel;

/* The context's kernels, one named field per kernel of YOSO_KERNEL_LIST. */
typedef struct yoso_kernels {
#define YOSO_KERNEL_FIELD(name, on) yoso_kernel name;
    YOSO_KERNEL_LIST(YOSO_KERNEL_FIELD)
#undef YOSO_KERNEL_FIELD
} yoso_kernels;

/* The device limits every launch is checked against (read once per context). */
typedef struct yoso_launch_limits {
    size_t max_group;      /* CL_DEVICE_MAX_WORK_GROUP_SIZE */
    size_t max_item[3];    /* CL_DEVICE_MAX_WORK_ITEM_SIZES */
    cl_ulong local_mem;    /* CL_DEVICE_LOCAL_MEM_SIZE */
    long long loop_budget; /* loop iterations a work-item may take in one launch; 0: no limit */
} yoso_launch_limits;

/* One kernel argument: a value of `size` bytes at `value`, or __local space when value is NULL. */
typedef struct yoso_arg {
    size_t size;
    const void *value;
} yoso_arg;

/* An argument from an lvalue, and `bytes` of __local memory. */
#define YOSO_ARG(x) ((yoso_arg){sizeof(x), &(x)})
#define YOSO_LOCAL(bytes) ((yoso_arg){(bytes), NULL})

/* Names every field and marks where it is built; no kernel is created yet. */
void yoso_kernels_init(yoso_kernels *out);
/* Creates one kernel of a built program and queries its limits. */
yoso_status yoso_kernel_create(cl_program program, cl_device_id device, yoso_kernel *k);
/* Releases every kernel (NULL fields are skipped). */
void yoso_kernels_release(yoso_kernels *ks);
/* Reads the device limits of launches. */
void yoso_launch_limits_query(cl_device_id device, yoso_launch_limits *out);

/* The largest power of two ≤ cap that kernel k launches at on this device (dimension 0). */
size_t yoso_kernel_local_size(const yoso_launch_limits *lim, const yoso_kernel *k, size_t cap);

/* Sets the arguments, rounds each global size up to the local size, checks the local size
 * against the kernel's CL_KERNEL_WORK_GROUP_SIZE and the device, the local memory against
 * CL_DEVICE_LOCAL_MEM_SIZE, and enqueues. local may be NULL (the driver chooses). */
yoso_status yoso_kernel_launch(cl_command_queue queue, const yoso_launch_limits *lim,
                               const yoso_kernel *k, const yoso_arg *args, int nargs, cl_uint dims,
                               const size_t *global, const size_t *local);

/* Launches kernel k (a const yoso_kernel * into ctx->kernels; built first when it is not yet,
 * see yoso_kernel_ready in runtime.h) on ctx's queue with the listed arguments. */
#define YOSO_LAUNCH(ctx, k, dims, global, local, ...)                                              \
    yoso_kernel_launch((ctx)->queue, &(ctx)->limits, yoso_kernel_ready((ctx), (k)),                \
                       (const yoso_arg[]){__VA_ARGS__},                                            \
                       (int)(sizeof((const yoso_arg[]){__VA_ARGS__}) / sizeof(yoso_arg)), (dims),  \
                       (global), (local))

#endif

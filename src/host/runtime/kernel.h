/* kernel.h — the one checked kernel-launch path: kernels created once per context and kept in
 * named fields, arguments set from a list, sizes validated against the kernel and the device. */
#ifndef YOSO_KERNEL_H
#define YOSO_KERNEL_H

#include <CL/cl.h>
#include <stddef.h>

#include "error.h"

/* The program a kernel is built in, per class of device (CPU, GPU): CONTEXT, at context creation
 * with the others that class runs by default and the self-check's; LSH, at the first use of one
 * LSH-attention kernel with the others of that path; ALONE, in its own at its first use (another
 * layout or variant, fp16, conv, the portable GEMM). Every program is cached (program.c). */
typedef enum { YOSO_BUILD_ALONE, YOSO_BUILD_CONTEXT, YOSO_BUILD_LSH } yoso_build_group;

/* Every kernel of src/cl, by name, and its program on a CPU and on a GPU: one field of
 * yoso_kernels each. */
#define YOSO_KERNEL_LIST(X)                                                                        \
    X(half_to_float, ALONE, ALONE)                                                                 \
    X(embed_sum, CONTEXT, CONTEXT)                                                                 \
    X(embed_sum_half, ALONE, ALONE)                                                                \
    X(bias_gelu, ALONE, ALONE)                                                                     \
    X(bias_gelu16, CONTEXT, CONTEXT)                                                               \
    X(bias_add, CONTEXT, CONTEXT)                                                                  \
    X(bias_relu, ALONE, ALONE)                                                                     \
    X(gather_rows, CONTEXT, CONTEXT)                                                               \
    X(layernorm_fused, ALONE, CONTEXT)                                                             \
    X(layernorm_rows, CONTEXT, ALONE)                                                              \
    X(attention_prepare, CONTEXT, CONTEXT)                                                         \
    X(attention_conv_add, ALONE, ALONE)                                                            \
    X(attention_expectation, ALONE, CONTEXT)                                                       \
    X(expectation_weights, ALONE, ALONE)                                                           \
    X(attention_normalize_heads, ALONE, ALONE)                                                     \
    X(lsh_fill, LSH, LSH)                                                                          \
    X(lsh_read, ALONE, LSH)                                                                        \
    X(lsh_read_rows, ALONE, ALONE)                                                                 \
    X(lsh_cumulate_rows, LSH, ALONE)                                                               \
    X(lsh_normalize, LSH, LSH)                                                                     \
    X(lsh_hash_32, ALONE, ALONE)                                                                   \
    X(lsh_hash_64, ALONE, CONTEXT)                                                                 \
    X(lsh_hash_128, ALONE, ALONE)                                                                  \
    X(lsh_hash_rows_32, ALONE, ALONE)                                                              \
    X(lsh_hash_rows_64, LSH, ALONE)                                                                \
    X(lsh_hash_rows_128, ALONE, ALONE)                                                             \
    X(gemm_portable, ALONE, ALONE)                                                                 \
    X(probe_loop, CONTEXT, CONTEXT)                                                                \
    X(probe_reduce, CONTEXT, CONTEXT)

/* One kernel and what the driver says about it (queried once, at creation). */
typedef struct yoso_kernel {
    cl_kernel kernel; /* NULL until built (see YOSO_KERNEL_LIST) */
    const char *name;
    yoso_build_group group; /* its program on this context's class of device */
    yoso_status status;     /* why the kernel could not be built or failed its check, or YOSO_OK */
    char error[512];        /* and the message that said so, for every launch of it to return */
    int checked;            /* 1: ctx->check_kernel has seen it */
    size_t max_local;       /* CL_KERNEL_WORK_GROUP_SIZE: the largest work-group it launches at */
    cl_ulong static_local;  /* CL_KERNEL_LOCAL_MEM_SIZE before any __local argument is set */
} yoso_kernel;

/* The context's kernels, one named field per kernel of YOSO_KERNEL_LIST. */
typedef struct yoso_kernels {
#define YOSO_KERNEL_FIELD(name, cpu, gpu) yoso_kernel name;
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

/* Names every field and sets its program for this class of device (cpu_class: 1 for a CPU); no
 * kernel is created yet. */
void yoso_kernels_init(yoso_kernels *out, int cpu_class);
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

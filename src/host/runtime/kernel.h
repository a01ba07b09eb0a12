/* kernel.h — the one checked kernel-launch path: kernels created once per context and kept in
 * named fields, arguments set from a list, sizes validated against the kernel and the device. */
#ifndef YOSO_KERNEL_H
#define YOSO_KERNEL_H

#include <CL/cl.h>
#include <stddef.h>

#include "error.h"

/* Every kernel of src/cl, by name: one field of yoso_kernels each. */
#define YOSO_KERNEL_LIST(X)                                                                        \
    X(half_to_float)                                                                               \
    X(embed_sum)                                                                                   \
    X(embed_sum_half)                                                                              \
    X(bias_gelu)                                                                                   \
    X(bias_gelu16)                                                                                 \
    X(bias_add)                                                                                    \
    X(bias_relu)                                                                                   \
    X(gather_rows)                                                                                 \
    X(layernorm_fused)                                                                             \
    X(layernorm_rows)                                                                              \
    X(attention_prepare)                                                                           \
    X(attention_conv_add)                                                                          \
    X(attention_expectation)                                                                       \
    X(expectation_weights)                                                                         \
    X(attention_normalize_heads)                                                                   \
    X(lsh_fill)                                                                                    \
    X(lsh_read)                                                                                    \
    X(lsh_read_rows)                                                                               \
    X(lsh_normalize)                                                                               \
    X(lsh_hash_32)                                                                                 \
    X(lsh_hash_64)                                                                                 \
    X(lsh_hash_128)                                                                                \
    X(lsh_hash_rows_32)                                                                            \
    X(lsh_hash_rows_64)                                                                            \
    X(lsh_hash_rows_128)                                                                           \
    X(gemm_portable)                                                                               \
    X(probe_loop)                                                                                  \
    X(probe_reduce)

/* One kernel and what the driver says about it (queried once, at creation). */
typedef struct yoso_kernel {
    cl_kernel kernel;
    const char *name;
    size_t max_local;      /* CL_KERNEL_WORK_GROUP_SIZE: the largest work-group it launches at */
    cl_ulong static_local; /* CL_KERNEL_LOCAL_MEM_SIZE before any __local argument is set */
} yoso_kernel;

/* The context's kernels, one named field per kernel of YOSO_KERNEL_LIST. */
typedef struct yoso_kernels {
#define YOSO_KERNEL_FIELD(name) yoso_kernel name;
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

/* Creates every kernel of the program and queries its limits; on failure frees what it made. */
yoso_status yoso_kernels_create(cl_program program, cl_device_id device, yoso_kernels *out);
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

/* Launches kernel k (a const yoso_kernel *) on ctx's queue with the listed arguments. */
#define YOSO_LAUNCH(ctx, k, dims, global, local, ...)                                              \
    yoso_kernel_launch((ctx)->queue, &(ctx)->limits, (k), (const yoso_arg[]){__VA_ARGS__},         \
                       (int)(sizeof((const yoso_arg[]){__VA_ARGS__}) / sizeof(yoso_arg)), (dims),  \
                       (global), (local))

#endif

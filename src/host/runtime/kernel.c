/* kernel.c — creating the context's kernels once and the one checked launch path. */
#include "kernel.h"

#include <stdio.h>
#include <string.h>

#include "cl_check.h"

yoso_status yoso_kernel_create(cl_program program, cl_device_id device, yoso_kernel *k) {
    yoso_status status = YOSO_OK;
    cl_int err;
    k->kernel = clCreateKernel(program, k->name, &err);
    CL_CHECK_ERR(err, k->name);
    CL_CHECK(clGetKernelWorkGroupInfo(k->kernel, device, CL_KERNEL_WORK_GROUP_SIZE,
                                      sizeof k->max_local, &k->max_local, NULL));
    CL_CHECK(clGetKernelWorkGroupInfo(k->kernel, device, CL_KERNEL_LOCAL_MEM_SIZE,
                                      sizeof k->static_local, &k->static_local, NULL));
    if (k->max_local == 0) k->max_local = 1;
    return YOSO_OK;
fail:
    if (k->kernel) clReleaseKernel(k->kernel);
    k->kernel = NULL;
    return status;
}

void yoso_kernels_init(yoso_kernels *out, int cpu_class) {
    memset(out, 0, sizeof *out);
#define YOSO_KERNEL_INIT(kname, cpu, gpu)                                                          \
    out->kname.name = #kname;                                                                      \
    out->kname.group = cpu_class ? YOSO_BUILD_##cpu : YOSO_BUILD_##gpu;
    YOSO_KERNEL_LIST(YOSO_KERNEL_INIT)
#undef YOSO_KERNEL_INIT
}

void yoso_kernels_release(yoso_kernels *ks) {
#define YOSO_KERNEL_RELEASE(name, cpu, gpu)                                                        \
    if (ks->name.kernel) clReleaseKernel(ks->name.kernel);                                         \
    ks->name.kernel = NULL;
    YOSO_KERNEL_LIST(YOSO_KERNEL_RELEASE)
#undef YOSO_KERNEL_RELEASE
}

void yoso_launch_limits_query(cl_device_id device, yoso_launch_limits *out) {
    memset(out, 0, sizeof *out);
    out->max_group = 1;
    out->max_item[0] = out->max_item[1] = out->max_item[2] = 1;
    clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof out->max_group, &out->max_group,
                    NULL);
    clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof out->max_item, out->max_item,
                    NULL);
    clGetDeviceInfo(device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof out->local_mem, &out->local_mem, NULL);
}

size_t yoso_kernel_local_size(const yoso_launch_limits *lim, const yoso_kernel *k, size_t cap) {
    size_t max = k->max_local < lim->max_group ? k->max_local : lim->max_group;
    if (lim->max_item[0] < max) max = lim->max_item[0];
    size_t n = 1;
    while (n * 2 <= max && n * 2 <= cap) n *= 2;
    return n;
}

/* Checks a local size against the kernel's and the device's work-group limits. */
static yoso_status launch_check_local(const yoso_launch_limits *lim, const yoso_kernel *k,
                                      cl_uint dims, const size_t *local) {
    size_t total = 1;
    for (cl_uint d = 0; d < dims; d++) total *= local[d];
    const size_t max = k->max_local < lim->max_group ? k->max_local : lim->max_group;
    if (total > max)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "kernel %s needs work-groups of %zu work-items, more than this device launches it at (CL_KERNEL_WORK_GROUP_SIZE %zu, device maximum %zu): choose another device with -d",
            k->name, total, k->max_local, lim->max_group);
    for (cl_uint d = 0; d < dims; d++)
        if (local[d] > lim->max_item[d])
            return yoso_error(
                YOSO_ERR_UNSUPPORTED,
                "kernel %s needs %zu work-items in dimension %u, more than the device's CL_DEVICE_MAX_WORK_ITEM_SIZES (%zu): choose another device with -d",
                k->name, local[d], d, lim->max_item[d]);
    return YOSO_OK;
}

yoso_status yoso_kernel_launch(cl_command_queue queue, const yoso_launch_limits *lim,
                               const yoso_kernel *k, const yoso_arg *args, int nargs, cl_uint dims,
                               const size_t *global, const size_t *local) {
    yoso_status status = YOSO_OK;
    if (!k->kernel) /* its build or its check failed (maybe on the preparing thread) */
        return k->status != YOSO_OK
                   ? yoso_error(k->status, "%s", k->error)
                   : yoso_error(YOSO_ERR_OPENCL, "kernel %s was launched before it was built",
                                k->name);
    cl_ulong local_bytes = k->static_local;
    for (int i = 0; i < nargs; i++) {
        if (!args[i].value) local_bytes += args[i].size;
        cl_int err = clSetKernelArg(k->kernel, (cl_uint)i, args[i].size, args[i].value);
        if (err != CL_SUCCESS) {
            char what[96];
            snprintf(what, sizeof what, "clSetKernelArg(%s, %d)", k->name, i);
            return yoso_cl_fail(err, what, __FILE__, __LINE__);
        }
    }
    if (lim->local_mem && local_bytes > lim->local_mem)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "kernel %s needs %llu bytes of local memory, more than the device's CL_DEVICE_LOCAL_MEM_SIZE (%llu): choose another device with -d",
            k->name, (unsigned long long)local_bytes, (unsigned long long)lim->local_mem);
    size_t rounded[3] = {1, 1, 1};
    for (cl_uint d = 0; d < dims; d++) {
        if (global[d] == 0) return YOSO_OK; /* nothing to do */
        rounded[d] = local ? (global[d] + local[d] - 1) / local[d] * local[d] : global[d];
    }
    if (local) YOSO_TRY(launch_check_local(lim, k, dims, local));
    cl_int err =
        clEnqueueNDRangeKernel(queue, k->kernel, dims, NULL, rounded, local, 0, NULL, NULL);
    if (err != CL_SUCCESS) {
        char what[96];
        snprintf(what, sizeof what, "clEnqueueNDRangeKernel(%s)", k->name);
        return yoso_cl_fail(err, what, __FILE__, __LINE__);
    }
fail:
    return status;
}

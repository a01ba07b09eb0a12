/* devices.c — enumerating OpenCL devices and choosing one from a user's spec. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

/* Copies a device's type bits as a short word. */
static void device_type_name(cl_device_type type, char *out, size_t n) {
    const char *s = (type & CL_DEVICE_TYPE_GPU)           ? "GPU"
                    : (type & CL_DEVICE_TYPE_CPU)         ? "CPU"
                    : (type & CL_DEVICE_TYPE_ACCELERATOR) ? "ACCELERATOR"
                                                          : "OTHER";
    snprintf(out, n, "%s", s);
}

void yoso_device_describe(cl_platform_id platform, cl_device_id device, int pi, int di,
                          yoso_device_info *info) {
    memset(info, 0, sizeof *info);
    info->platform_index = pi;
    info->device_index = di;
    cl_device_type type = 0;
    cl_uint cu = 0;
    cl_ulong mem = 0, alloc = 0;
    char ext[8192] = "";
    clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof info->name - 1, info->name, NULL);
    clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof info->platform_name - 1,
                      info->platform_name, NULL);
    clGetDeviceInfo(device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    clGetDeviceInfo(device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    clGetDeviceInfo(device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
    clGetDeviceInfo(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof alloc, &alloc, NULL);
    clGetDeviceInfo(device, CL_DEVICE_OPENCL_C_VERSION, sizeof info->opencl_c_version - 1,
                    info->opencl_c_version, NULL);
    clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, sizeof ext - 1, ext, NULL);
    clGetDeviceInfo(device, CL_DRIVER_VERSION, sizeof info->driver_version - 1,
                    info->driver_version, NULL);
    clGetPlatformInfo(platform, CL_PLATFORM_VERSION, sizeof info->platform_version - 1,
                      info->platform_version, NULL);
    device_type_name(type, info->type, sizeof info->type);
    info->compute_units = cu;
    info->global_mem_bytes = mem;
    info->max_alloc_bytes = alloc;
    info->has_fp16 = strstr(ext, "cl_khr_fp16") != NULL;
}

/* Collects every (platform, device) pair; returns YOSO_ERR_NO_DRIVER when there is no platform. */
static yoso_status devices_collect(cl_platform_id *plats, cl_device_id *devs, int *pidx, int *didx,
                                   int *count) {
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, plats, &np);
    if (err == -1001 || (err == CL_SUCCESS && np == 0))
        return yoso_cl_fail(-1001, "clGetPlatformIDs", __FILE__, __LINE__);
    if (err != CL_SUCCESS) return yoso_cl_fail(err, "clGetPlatformIDs", __FILE__, __LINE__);
    *count = 0;
    cl_platform_id all[MAX_PLATFORMS];
    memcpy(all, plats, sizeof all);
    for (cl_uint p = 0; p < np && p < MAX_PLATFORMS; p++) {
        cl_device_id d[MAX_DEVICES];
        cl_uint nd = 0;
        if (clGetDeviceIDs(all[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, d, &nd) != CL_SUCCESS) continue;
        for (cl_uint i = 0; i < nd && *count < MAX_DEVICES; i++) {
            plats[*count] = all[p];
            devs[*count] = d[i];
            pidx[*count] = (int)p;
            didx[*count] = (int)i;
            (*count)++;
        }
    }
    if (*count == 0)
        return yoso_error(
            YOSO_ERR_NO_DRIVER,
            "OpenCL platforms exist but expose no device: run 'clinfo -l' and check the driver installation");
    return YOSO_OK;
}

/* Index of the default device: the first GPU, else the first device. */
static int devices_default_index(cl_device_id *devs, int count) {
    for (int i = 0; i < count; i++) {
        cl_device_type t = 0;
        clGetDeviceInfo(devs[i], CL_DEVICE_TYPE, sizeof t, &t, NULL);
        if (t & CL_DEVICE_TYPE_GPU) return i;
    }
    return 0;
}

/* Case-insensitive substring search. */
static int contains_nocase(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n) return 1;
    }
    return n == 0;
}

yoso_status yoso_device_list(yoso_device_info **out, size_t *count) {
    cl_platform_id plats[MAX_DEVICES];
    cl_device_id devs[MAX_DEVICES];
    int pidx[MAX_DEVICES], didx[MAX_DEVICES], n = 0;
    *out = NULL;
    *count = 0;
    yoso_status st = devices_collect(plats, devs, pidx, didx, &n);
    if (st != YOSO_OK) return st;
    yoso_device_info *list = calloc((size_t)n, sizeof *list);
    if (!list) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory listing devices");
    int def = devices_default_index(devs, n);
    for (int i = 0; i < n; i++) {
        yoso_device_describe(plats[i], devs[i], pidx[i], didx[i], &list[i]);
        list[i].is_default = (i == def);
    }
    *out = list;
    *count = (size_t)n;
    return YOSO_OK;
}

yoso_status yoso_device_select(const char *spec, cl_platform_id *platform, cl_device_id *device,
                               yoso_device_info *info) {
    cl_platform_id plats[MAX_DEVICES];
    cl_device_id devs[MAX_DEVICES];
    int pidx[MAX_DEVICES], didx[MAX_DEVICES], n = 0;
    yoso_status st = devices_collect(plats, devs, pidx, didx, &n);
    if (st != YOSO_OK) return st;
    int chosen = -1;
    if (!spec || !*spec) {
        chosen = devices_default_index(devs, n);
    } else {
        int p = -1, d = -1;
        char tail = 0;
        if (sscanf(spec, "%d:%d%c", &p, &d, &tail) == 2) {
            for (int i = 0; i < n; i++)
                if (pidx[i] == p && didx[i] == d) chosen = i;
        } else {
            for (int i = 0; i < n && chosen < 0; i++) {
                yoso_device_info tmp;
                yoso_device_describe(plats[i], devs[i], pidx[i], didx[i], &tmp);
                if (contains_nocase(tmp.name, spec) || contains_nocase(tmp.platform_name, spec))
                    chosen = i;
            }
        }
    }
    if (chosen < 0)
        return yoso_error(
            YOSO_ERR_NOT_FOUND,
            "no OpenCL device matches '%s': give an index P:D or part of a name shown by 'yoso devices'",
            spec);
    *platform = plats[chosen];
    *device = devs[chosen];
    yoso_device_describe(plats[chosen], devs[chosen], pidx[chosen], didx[chosen], info);
    info->is_default = (chosen == devices_default_index(devs, n));
    return YOSO_OK;
}

yoso_status yoso_device_find(const char *spec, yoso_device_info *info) {
    cl_platform_id platform;
    cl_device_id device;
    if (!spec || !*spec) spec = getenv("YOSO_DEVICE"); /* as yoso_context_create does */
    return yoso_device_select(spec, &platform, &device, info);
}

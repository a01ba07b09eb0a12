/* program.c — building the embedded kernels into one program, through the disk cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program_cache.h"
#include "runtime.h"

typedef struct {
    const char *name;
    const char *source;
} yoso_embedded_kernel;
extern const yoso_embedded_kernel yoso_embedded_kernels[];

const char *yoso_program_options(const yoso_context *ctx) {
    static _Thread_local char opts[512];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 -DYOSO_HAS_FP16=%d %s", ctx->info.has_fp16,
             ctx->env.cl_options ? ctx->env.cl_options : "");
    return opts;
}

/* Orders the sources: common.cl first (helpers), then the rest in embedding order. */
static int program_collect_sources(const char **srcs, int max) {
    int n = 0;
    for (int i = 0; yoso_embedded_kernels[i].name && n < max; i++)
        if (!strcmp(yoso_embedded_kernels[i].name, "common.cl"))
            srcs[n++] = yoso_embedded_kernels[i].source;
    for (int i = 0; yoso_embedded_kernels[i].name && n < max; i++)
        if (strcmp(yoso_embedded_kernels[i].name, "common.cl"))
            srcs[n++] = yoso_embedded_kernels[i].source;
    return n;
}

/* Builds the text that identifies a compiled binary: sources, options, device, driver, platform. */
static void program_cache_key(const yoso_context *ctx, const char **srcs, int n, const char *opts,
                              char *key, size_t size) {
    uint64_t h = YOSO_FNV_OFFSET;
    for (int i = 0; i < n; i++) h = yoso_fnv1a(h, srcs[i], strlen(srcs[i]) + 1);
    char driver[256] = "", plat_ver[256] = "", dev_ver[256] = "";
    clGetDeviceInfo(ctx->device, CL_DRIVER_VERSION, sizeof driver - 1, driver, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_VERSION, sizeof dev_ver - 1, dev_ver, NULL);
    clGetPlatformInfo(ctx->platform, CL_PLATFORM_VERSION, sizeof plat_ver - 1, plat_ver, NULL);
    snprintf(key, size, "yoso-cl program v1|src=%016llx|opt=%s|dev=%s|devver=%s|drv=%s|plat=%s %s",
             (unsigned long long)h, opts, ctx->info.name, dev_ver, driver, ctx->info.platform_name,
             plat_ver);
}

/* Prints the compiler's log to stderr after a failed build. */
static void program_print_build_log(yoso_context *ctx, cl_program program) {
    size_t size = 0;
    clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size);
    char *log = malloc(size + 1);
    if (!log) return;
    clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, size, log, NULL);
    log[size] = '\0';
    fprintf(stderr, "--- OpenCL build log (%s) ---\n%s\n--- end of build log ---\n", ctx->info.name,
            log);
    free(log);
}

/* Tries to create and build the program from a cached binary; 1 on success. */
static int program_from_cache(yoso_context *ctx, const char *key, const char *opts) {
    unsigned char *bin = NULL;
    size_t size = 0;
    if (!yoso_cache_read(ctx->cache_dir, key, &bin, &size)) return 0;
    cl_int err, bin_status;
    const unsigned char *bins[1] = {bin};
    cl_program p =
        clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &size, bins, &bin_status, &err);
    free(bin);
    if (err != CL_SUCCESS || bin_status != CL_SUCCESS) {
        if (p) clReleaseProgram(p);
        return 0;
    }
    if (clBuildProgram(p, 1, &ctx->device, opts, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return 0;
    }
    ctx->program = p;
    return 1;
}

/* Saves the freshly built program's binary in the cache. */
static void program_store_binary(yoso_context *ctx, const char *key) {
    size_t size = 0;
    if (clGetProgramInfo(ctx->program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) !=
            CL_SUCCESS ||
        size == 0)
        return;
    unsigned char *bin = malloc(size);
    if (!bin) return;
    unsigned char *bins[1] = {bin};
    if (clGetProgramInfo(ctx->program, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS)
        yoso_cache_write(ctx->cache_dir, key, bin, size);
    free(bin);
}

/* 1 if the compiler rejects the build options themselves: an empty kernel fails to build with
 * them too. Drivers differ in how they say so: PoCL answers CL_INVALID_BUILD_OPTIONS, Mesa's
 * rusticl CL_BUILD_PROGRAM_FAILURE with the log "Couldn't create Clang invocation.". */
static int program_options_rejected(yoso_context *ctx, const char *opts) {
    const char *src = "__kernel void yoso_options_probe(void) {}\n";
    cl_int err;
    cl_program p = clCreateProgramWithSource(ctx->context, 1, &src, NULL, &err);
    if (err != CL_SUCCESS) return 0;
    err = clBuildProgram(p, 1, &ctx->device, opts, NULL, NULL);
    clReleaseProgram(p);
    return err == CL_INVALID_BUILD_OPTIONS || err == CL_BUILD_PROGRAM_FAILURE;
}

void yoso_program_key(yoso_context *ctx) {
    const char *srcs[YOSO_MAX_KERNELS];
    const int n = program_collect_sources(srcs, YOSO_MAX_KERNELS);
    program_cache_key(ctx, srcs, n, yoso_program_options(ctx), ctx->program_key,
                      sizeof ctx->program_key);
}

yoso_status yoso_program_build(yoso_context *ctx) {
    yoso_status status = YOSO_OK;
    const char *srcs[YOSO_MAX_KERNELS];
    int n = program_collect_sources(srcs, YOSO_MAX_KERNELS);
    char opts[512], key[2048];
    snprintf(opts, sizeof opts, "%s", yoso_program_options(ctx));
    yoso_program_key(ctx);
    snprintf(key, sizeof key, "%s", ctx->program_key);
    if (program_from_cache(ctx, key, opts)) {
        ctx->cache_hits++;
        if (ctx->verbose)
            fprintf(stderr, "yoso: kernels loaded from the cache in %s\n", ctx->cache_dir);
        return YOSO_OK;
    }
    if (ctx->verbose) fprintf(stderr, "yoso: compiling kernels for %s\n", ctx->info.name);
    cl_int err;
    ctx->program = clCreateProgramWithSource(ctx->context, (cl_uint)n, srcs, NULL, &err);
    CL_CHECK_ERR(err, "clCreateProgramWithSource");
    err = clBuildProgram(ctx->program, 1, &ctx->device, opts, NULL, NULL);
    if (err == CL_INVALID_BUILD_OPTIONS ||
        (err == CL_BUILD_PROGRAM_FAILURE && program_options_rejected(ctx, opts))) {
        int user = ctx->env.cl_options && *ctx->env.cl_options;
        return yoso_error(user ? YOSO_ERR_USAGE : YOSO_ERR_OPENCL,
                          "the OpenCL compiler of %s rejected the build options \"%s\"%s: %s",
                          ctx->info.name, opts, user ? " (YOSO_CL_OPTIONS adds some)" : "",
                          user ? "fix or unset YOSO_CL_OPTIONS"
                               : "update the driver or choose another device with -d");
    }
    if (err == CL_BUILD_PROGRAM_FAILURE) {
        program_print_build_log(ctx, ctx->program);
        return yoso_error(
            YOSO_ERR_OPENCL,
            "the OpenCL compiler of %s rejected yoso's kernels (build log above): update the driver or choose another device with -d",
            ctx->info.name);
    }
    CL_CHECK(err);
    ctx->cache_builds++;
    /* asking for the binary compiles every kernel on some drivers (PoCL): only for the cache */
    if (ctx->cache_dir[0]) program_store_binary(ctx, key);
    return YOSO_OK;
fail:
    return status;
}

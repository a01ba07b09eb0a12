/* context.c — creating and freeing a yoso_context: device, OpenCL context, queue, kernels, GEMM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "probe.h"
#include "program_cache.h"
#include "runtime.h"

/* Copies $name into *out (NULL when unset). */
static yoso_status context_env(const char *name, char **out) {
    const char *value = getenv(name);
    *out = NULL;
    if (value && !(*out = strdup(value)))
        return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory reading $%s", name);
    return YOSO_OK;
}

/* Reads every environment knob once into env. */
static yoso_status context_read_env(yoso_env *env) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(context_env("YOSO_DEVICE", &env->device));
    YOSO_TRY(context_env("YOSO_EXPECTATION", &env->expectation));
    YOSO_TRY(context_env("YOSO_GEMM", &env->gemm));
    YOSO_TRY(context_env("YOSO_HOST_BLAS", &env->host_blas));
    YOSO_TRY(context_env("YOSO_ONEDNN", &env->onednn));
    YOSO_TRY(context_env("YOSO_CL_OPTIONS", &env->cl_options));
    YOSO_TRY(context_env("YOSO_PROBE_FAIL", &env->probe_fail));
    YOSO_TRY(context_env("YOSO_CLBLAST_FAIL", &env->clblast_fail));
    const char *cap = getenv("YOSO_LOOP_CAP"), *delay = getenv("YOSO_TEST_CACHE_WRITE_DELAY");
    env->loop_cap = cap ? atoll(cap) : 0;
    env->cache_write_delay = delay ? atof(delay) : 0;
fail:
    return status;
}

/* On PoCL, every launch runs the generic work-group function that the program's build compiles
 * (and its cached binary holds) instead of a variant specialized to the launch's local size,
 * offset and grid, which PoCL compiles at a kernel's first launch of each shape: some local
 * sizes follow the sequence length, so each new length compiled kernels again, and the cached
 * binary never held them. Left as the caller set it when $POCL_WORK_GROUP_SPECIALIZATION is set. */
static void context_pocl_generic_work_groups(const yoso_context *ctx) {
    if (strstr(ctx->info.platform_name, "Portable Computing Language") &&
        !getenv("POCL_WORK_GROUP_SPECIALIZATION"))
        setenv("POCL_WORK_GROUP_SPECIALIZATION", "0", 0);
}

/* The first half of a context: the environment, the device and its limits, the cache folder
 * (no OpenCL context yet). *out is freed with yoso_context_free, also on failure. */
static yoso_status context_open_device(const yoso_context_options *options, yoso_context **out) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = *out = calloc(1, sizeof *ctx);
    if (!ctx) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory creating the context");
    pthread_mutex_init(&ctx->prep_lock, NULL);
    pthread_mutex_init(&ctx->more_lock, NULL);
    ctx->verbose = options->verbose;
    ctx->recheck = options->recheck;
    YOSO_TRY(context_read_env(&ctx->env));
    const char *spec = options->device_spec;
    if (!spec || !*spec) spec = ctx->env.device;
    YOSO_TRY(yoso_device_select(spec, &ctx->platform, &ctx->device, &ctx->info));
    cl_device_type type = 0;
    clGetDeviceInfo(ctx->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    ctx->cpu_class = (type & CL_DEVICE_TYPE_CPU) && !(type & CL_DEVICE_TYPE_GPU);
    context_pocl_generic_work_groups(ctx);
    yoso_launch_limits_query(ctx->device, &ctx->limits);
    if (ctx->env.loop_cap > 0) ctx->limits.loop_budget = ctx->env.loop_cap * 3 / 4;
    if (!options->no_cache)
        yoso_cache_dir_resolve(options->cache_dir, ctx->cache_dir, sizeof ctx->cache_dir);
fail:
    return status;
}

yoso_status yoso_device_cached_self_check(const yoso_context_options *options, char *verdict,
                                          size_t size) {
    yoso_status status = YOSO_OK;
    yoso_context_options defaults = {0};
    yoso_context *ctx = NULL;
    if (size) verdict[0] = '\0';
    YOSO_TRY(context_open_device(options ? options : &defaults, &ctx));
    if (ctx->cache_dir[0]) {
        yoso_program_key(ctx);
        yoso_probe_cached_verdict(ctx, verdict, size);
    }
fail:
    yoso_context_free(ctx);
    return status;
}

/* Builds (or reads) the program of the context's kernels and runs the device's self-check. */
static yoso_status context_prepare_kernels(yoso_context *ctx) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(yoso_program_build(ctx));
    ctx->check_kernel = yoso_probe_kernel;
    YOSO_TRY(yoso_probe_device(ctx));
fail:
    return status;
}

yoso_status yoso_context_create(const yoso_context_options *options, yoso_context **out) {
    yoso_status status = YOSO_OK;
    yoso_context_options defaults = {0};
    if (!options) options = &defaults;
    *out = NULL;
    yoso_context *ctx = NULL;
    YOSO_TRY(context_open_device(options, &ctx));
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ctx->platform, 0};
    ctx->context = clCreateContext(props, 1, &ctx->device, NULL, NULL, &err);
    CL_CHECK_ERR(err, "clCreateContext");
    ctx->queue = clCreateCommandQueue(ctx->context, ctx->device, 0, &err);
    CL_CHECK_ERR(err, "clCreateCommandQueue");
    YOSO_TRY(yoso_gemm_create(ctx, &ctx->gemm));
    if (options->background)
        YOSO_TRY(yoso_prepare_start(ctx, context_prepare_kernels));
    else
        YOSO_TRY(context_prepare_kernels(ctx));
    *out = ctx;
    return YOSO_OK;
fail:
    yoso_context_free(ctx);
    return status;
}

yoso_status yoso_context_wait(yoso_context *ctx) {
    return yoso_prepared(ctx);
}

void yoso_context_free(yoso_context *ctx) {
    if (!ctx) return;
    yoso_prepare_join(ctx); /* a preparing thread uses the context */
    pthread_mutex_destroy(&ctx->prep_lock);
    pthread_mutex_destroy(&ctx->more_lock);
    if (ctx->queue) clFinish(ctx->queue);
    yoso_gemm_free(ctx->gemm);
    yoso_program_release(ctx);
    if (ctx->queue) clReleaseCommandQueue(ctx->queue);
    if (ctx->context) clReleaseContext(ctx->context);
    char *knobs[] = {ctx->env.device,       ctx->env.expectation, ctx->env.gemm,
                     ctx->env.host_blas,    ctx->env.cl_options,  ctx->env.probe_fail,
                     ctx->env.clblast_fail, ctx->env.onednn};
    for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) free(knobs[i]);
    free(ctx);
}

const yoso_device_info *yoso_context_device(const yoso_context *ctx) {
    return &ctx->info;
}

void yoso_context_cache_stats(const yoso_context *ctx, int *hits, int *builds) {
    yoso_prepare_join((yoso_context *)ctx); /* a background preparation's counts, complete */
    if (hits) *hits = ctx->cache_hits;
    if (builds) *builds = ctx->cache_builds;
}

const char *yoso_context_self_check(const yoso_context *ctx) {
    yoso_prepare_join((yoso_context *)ctx);
    return ctx->self_check;
}

/* context.c — creating and freeing a yoso_context: device, OpenCL context, queue, kernels, GEMM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
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
fail:
    return status;
}

yoso_status yoso_context_create(const yoso_context_options *options, yoso_context **out) {
    yoso_status status = YOSO_OK;
    yoso_context_options defaults = {0};
    if (!options) options = &defaults;
    *out = NULL;
    yoso_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory creating the context");
    ctx->verbose = options->verbose;
    YOSO_TRY(context_read_env(&ctx->env));
    const char *spec = options->device_spec;
    if (!spec || !*spec) spec = ctx->env.device;
    YOSO_TRY(yoso_device_select(spec, &ctx->platform, &ctx->device, &ctx->info));
    if (!options->no_cache)
        yoso_cache_dir_resolve(options->cache_dir, ctx->cache_dir, sizeof ctx->cache_dir);
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ctx->platform, 0};
    ctx->context = clCreateContext(props, 1, &ctx->device, NULL, NULL, &err);
    CL_CHECK_ERR(err, "clCreateContext");
    ctx->queue = clCreateCommandQueue(ctx->context, ctx->device, 0, &err);
    CL_CHECK_ERR(err, "clCreateCommandQueue");
    YOSO_TRY(yoso_program_build(ctx));
    YOSO_TRY(yoso_gemm_create(ctx, &ctx->gemm));
    *out = ctx;
    return YOSO_OK;
fail:
    yoso_context_free(ctx);
    return status;
}

void yoso_context_free(yoso_context *ctx) {
    if (!ctx) return;
    if (ctx->queue) clFinish(ctx->queue);
    yoso_gemm_free(ctx->gemm);
    for (int i = 0; i < ctx->num_kernels; i++) clReleaseKernel(ctx->kernels[i].kernel);
    if (ctx->program) clReleaseProgram(ctx->program);
    if (ctx->queue) clReleaseCommandQueue(ctx->queue);
    if (ctx->context) clReleaseContext(ctx->context);
    free(ctx->env.device);
    free(ctx->env.expectation);
    free(ctx);
}

const yoso_device_info *yoso_context_device(const yoso_context *ctx) {
    return &ctx->info;
}

void yoso_context_cache_stats(const yoso_context *ctx, int *hits, int *builds) {
    if (hits) *hits = ctx->cache_hits;
    if (builds) *builds = ctx->cache_builds;
}

/* gemm_tuning.c — storing, finding and applying CLBlast parameters for the current device. */
#include "gemm_tuning.h"

#include <clblast_c.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_io.h"
#include "gemm.h"
#include "profile.h"
#include "program_cache.h"

#define TUNING_MAX_PARAMS 32

/* Parameters that ship with yoso for devices CLBlast's database does not know, matched by platform
 * name and device-name substring. PoCL's CPU device: the winner of `yoso tune` (12 configurations,
 * 512³) on a 2-core AVX-512 EPYC, 7.8 -> 11.6 GFLOP/s over CLBlast's defaults. CPUs normally run
 * the host BLAS instead; these matter only without one. */
static const struct {
    const char *platform, *device, *line;
} k_builtin[] = {
    {"Portable Computing Language", "pthread",
     "Xgemm GEMMK=0 KREG=1 KWG=16 KWI=2 MDIMA=8 MDIMC=8 MWG=32 NDIMB=8 NDIMC=8 NWG=128 SA=0 SB=0 STRM=0 STRN=0 VWM=4 VWN=1"},
    {NULL, NULL, NULL},
};

void yoso_tuning_path(const yoso_context *ctx, char *out, size_t n) {
    char driver[256] = "", key[1024];
    out[0] = '\0';
    if (!ctx->cache_dir[0]) return;
    clGetDeviceInfo(ctx->device, CL_DRIVER_VERSION, sizeof driver - 1, driver, NULL);
    snprintf(key, sizeof key, "%s|%s|%s", ctx->info.platform_name, ctx->info.name, driver);
    uint64_t h = yoso_fnv1a(YOSO_FNV_OFFSET, key, strlen(key));
    snprintf(out, n, "%s/clblast/%016llx.txt", ctx->cache_dir, (unsigned long long)h);
}

yoso_status yoso_tuning_store(const yoso_context *ctx, const char *const *lines, int count) {
    char path[4096], dir[4096];
    yoso_tuning_path(ctx, path, sizeof path);
    if (!path[0])
        return yoso_error(
            YOSO_ERR_USAGE,
            "caching is off: tuned parameters need a cache folder (drop --no-cache or set YOSO_CACHE_DIR)");
    snprintf(dir, sizeof dir, "%s/clblast", ctx->cache_dir);
    if (!yoso_make_dirs(dir))
        return yoso_error(YOSO_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    yoso_atomic_file af;
    yoso_status st = yoso_atomic_file_open(&af, path, 0);
    if (st != YOSO_OK) return st;
    fprintf(af.f, "# CLBlast parameters for %s (%s), written by yoso tune\n", ctx->info.name,
            ctx->info.platform_name);
    for (int i = 0; i < count; i++) fprintf(af.f, "%s\n", lines[i]);
    return yoso_atomic_file_close(&af, YOSO_OK);
}

yoso_status yoso_tuning_apply_line(const yoso_context *ctx, const char *line) {
    char kernel[64], buf[1024];
    char names[TUNING_MAX_PARAMS][32];
    const char *name_ptrs[TUNING_MAX_PARAMS];
    size_t values[TUNING_MAX_PARAMS];
    size_t count = 0;
    snprintf(buf, sizeof buf, "%s", line);
    char *save = NULL, *tok = strtok_r(buf, " \t\r\n", &save);
    if (!tok || tok[0] == '#') return YOSO_OK;
    snprintf(kernel, sizeof kernel, "%s", tok);
    while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
        char *eq = strchr(tok, '=');
        char *end;
        if (!eq || eq == tok || count == TUNING_MAX_PARAMS)
            return yoso_error(YOSO_ERR_INPUT, "bad CLBlast parameter '%s' for %s: rerun yoso tune",
                              tok, kernel);
        *eq = '\0';
        unsigned long v = strtoul(eq + 1, &end, 10);
        if (*end || end == eq + 1)
            return yoso_error(YOSO_ERR_INPUT,
                              "bad CLBlast parameter value '%s' for %s: rerun yoso tune", eq + 1,
                              kernel);
        if (!strcmp(tok, "PRECISION")) continue;
        snprintf(names[count], sizeof names[count], "%s", tok);
        name_ptrs[count] = names[count];
        values[count++] = v;
    }
    CLBlastStatusCode rc = CLBlastOverrideParameters(ctx->device, kernel, CLBlastPrecisionSingle,
                                                     count, name_ptrs, values);
    if (rc != CLBlastSuccess)
        return yoso_error(YOSO_ERR_INPUT,
                          "CLBlast refused the %s parameters (status %d): rerun yoso tune", kernel,
                          (int)rc);
    return YOSO_OK;
}

/* Applies every line of a tuning file; 0 when it does not exist. */
static int tuning_apply_file(const yoso_context *ctx, const char *path, yoso_status *status) {
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (!f) return 0;
    char line[1024];
    *status = YOSO_OK;
    while (*status == YOSO_OK && fgets(line, sizeof line, f))
        *status = yoso_tuning_apply_line(ctx, line);
    fclose(f);
    if (*status != YOSO_OK) yoso_error_prefix(*status, "%s: ", path);
    return 1;
}

yoso_status yoso_tuning_apply(const yoso_context *ctx, const char **source) {
    yoso_status status = YOSO_OK;
    char path[4096];
    *source = "CLBlast's database";
    yoso_tuning_path(ctx, path, sizeof path);
    if (tuning_apply_file(ctx, path, &status)) {
        *source = "tuned";
        return status;
    }
    for (size_t i = 0; k_builtin[i].line; i++) {
        if (strcmp(ctx->info.platform_name, k_builtin[i].platform) ||
            !strstr(ctx->info.name, k_builtin[i].device))
            continue;
        *source = "built-in";
        return yoso_tuning_apply_line(ctx, k_builtin[i].line);
    }
    return YOSO_OK;
}

yoso_status yoso_tuning_measure(yoso_context *ctx, size_t size, double *gflops) {
    yoso_status status = YOSO_OK;
    yoso_gemm *gemm = NULL;
    cl_mem buf[3] = {NULL, NULL, NULL};
    *gflops = 0;
    YOSO_TRY(yoso_gemm_create_kind(ctx, YOSO_GEMM_CLBLAST, &gemm));
    for (int i = 0; i < 3; i++) {
        cl_int err;
        buf[i] = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, size * size * sizeof(float), NULL,
                                &err);
        CL_CHECK_ERR(err, "clCreateBuffer(tuning operand)");
        float zero = 0.0f;
        CL_CHECK(clEnqueueFillBuffer(ctx->queue, buf[i], &zero, sizeof zero, 0,
                                     size * size * sizeof(float), 0, NULL, NULL));
    }
    yoso_gemm_args g = {.m = size,
                        .n = size,
                        .k = size,
                        .alpha = 1.0f,
                        .a.buf = buf[0],
                        .a.ld = size,
                        .b.buf = buf[1],
                        .b.ld = size,
                        .c.buf = buf[2],
                        .c.ld = size};
    for (int run = 0; run < 2; run++) {
        CL_CHECK(clFinish(ctx->queue));
        double t = yoso_now();
        YOSO_TRY(yoso_gemm_run(gemm, &g));
        CL_CHECK(clFinish(ctx->queue));
        *gflops = 2.0 * (double)size * size * size / (yoso_now() - t) * 1e-9;
    }
fail:
    for (int i = 0; i < 3; i++)
        if (buf[i]) clReleaseMemObject(buf[i]);
    yoso_gemm_free(gemm);
    return status;
}

/* 1 when an Xgemm parameter set satisfies CLBlast's constraints (GEMMK = 0 kernel). */
static int tuning_valid(int mwg, int nwg, int kwg, int mdimc, int ndimc, int mdima, int ndimb,
                        int kwi, int vwm, int vwn, size_t max_wg) {
    return (size_t)mdimc * ndimc <= max_wg && mwg % (mdimc * vwm) == 0 &&
           nwg % (ndimc * vwn) == 0 && mwg % (mdima * vwm) == 0 && nwg % (ndimb * vwn) == 0 &&
           kwg % kwi == 0 && kwg % ((mdimc * ndimc) / mdima) == 0 &&
           kwg % ((mdimc * ndimc) / ndimb) == 0;
}

yoso_status yoso_tuning_search(yoso_context *ctx, size_t size, int configs, char *best,
                               size_t best_len, double *gflops) {
    static const int wg[] = {32, 64, 128}, kw[] = {16, 32}, dim[] = {8, 16}, vw[] = {1, 2, 4, 8};
    size_t max_wg = 1;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_wg, &max_wg, NULL);
    char lines[1024][200];
    int n = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 2; c++)
                for (int dm = 0; dm < 2; dm++)
                    for (int dn = 0; dn < 2; dn++)
                        for (int v1 = 0; v1 < 4; v1++)
                            for (int v2 = 0; v2 < 4; v2++)
                                for (int sab = 0; sab < 2 && n < 1024; sab++) {
                                    if (!tuning_valid(wg[a], wg[b], kw[c], dim[dm], dim[dn],
                                                      dim[dm], dim[dn], 2, vw[v1], vw[v2], max_wg))
                                        continue;
                                    snprintf(
                                        lines[n++], sizeof lines[0],
                                        "Xgemm GEMMK=0 KREG=1 KWG=%d KWI=2 MDIMA=%d MDIMC=%d MWG=%d NDIMB=%d NDIMC=%d NWG=%d SA=%d SB=%d STRM=0 STRN=0 VWM=%d VWN=%d",
                                        kw[c], dim[dm], dim[dm], wg[a], dim[dn], dim[dn], wg[b],
                                        sab, sab, vw[v1], vw[v2]);
                                }
    if (n == 0)
        return yoso_error(YOSO_ERR_UNSUPPORTED,
                          "no CLBlast GEMM configuration fits %s's work-group limit of %zu",
                          ctx->info.name, max_wg);
    *gflops = 0;
    best[0] = '\0';
    int tries = configs < n ? configs : n;
    for (int t = 0; t < tries; t++) {
        const char *line = lines[(size_t)t * n / tries]; /* spread over the whole grid */
        double rate = 0;
        if (yoso_tuning_apply_line(ctx, line) != YOSO_OK ||
            yoso_tuning_measure(ctx, size, &rate) != YOSO_OK)
            continue; /* a configuration this device cannot build or run */
        if (ctx->verbose) fprintf(stderr, "yoso: %5.1f GFLOP/s  %s\n", rate, line + 6);
        if (rate > *gflops) {
            *gflops = rate;
            snprintf(best, best_len, "%s", line);
        }
    }
    if (!best[0])
        return yoso_error(
            YOSO_ERR_OPENCL,
            "none of %d CLBlast GEMM configurations ran on %s: check the device with yoso devices",
            tries, ctx->info.name);
    yoso_error_clear();
    return yoso_tuning_apply_line(ctx, best);
}

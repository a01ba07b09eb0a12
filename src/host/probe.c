/* probe.c — known-answer self-checks of a device: a long loop, a reduction, the tiled expectation
 * kernel and the LSH hash kernel on fixed inputs, run once per device + driver (the verdict is
 * cached beside the compiled kernels). A limit found steers the launches; a wrong answer refuses
 * the device. A kernel probe runs with the context when its kernel is in the context's program
 * (or on a recheck), else at the kernel's first use, with a cached verdict of its own. */
#include "probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_kernels.h"
#include "lsh_internal.h"
#include "program_cache.h"

/* Iterations the long-loop probe asks for (more than any known driver cap). */
#define PROBE_LOOP_N (1 << 20)
/* The fixed input of the expectation probe: L keys of head size D, the last PAD padded. */
#define PROBE_L 200
#define PROBE_D 16
#define PROBE_PAD 20
#define PROBE_TAU 8
/* The fixed input of the hash probe: yoso-4096's head dim, τ and m on HASH_L rows of two heads,
 * the last HASH_PAD padded; small integer entries, so every Hadamard sum is exact in float. */
#define HASH_HEADS 2
#define HASH_L 24
#define HASH_PAD 4
#define HASH_D 64
#define HASH_M 64
#define HASH_TAU 9
#define HASH_SEED 4096u

/* What the probes found. */
typedef struct {
    long long loop_cap; /* 0: loops run to the end */
    char problem[128];  /* "" when every answer was right */
} probe_result;

/* 1 when the test hook $YOSO_PROBE_FAIL names this probe. */
static int probe_forced(const yoso_context *ctx, const char *name) {
    return ctx->env.probe_fail && !strcmp(ctx->env.probe_fail, name);
}

/* Creates a buffer of `bytes` initialised from host (NULL: uninitialised). */
static cl_mem probe_buffer(yoso_context *ctx, size_t bytes, const void *host, cl_int *err) {
    return clCreateBuffer(ctx->context, CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0),
                          bytes, (void *)host, err);
}

/* Releases the n buffers of a probe (NULL entries skipped). */
static void probe_release(cl_mem *buf, int n) {
    for (int i = 0; i < n; i++)
        if (buf[i]) clReleaseMemObject(buf[i]);
}

/* The long loop: one work-item counts to PROBE_LOOP_N. */
static yoso_status probe_loop(yoso_context *ctx, probe_result *r) {
    yoso_status status = YOSO_OK;
    cl_int err, count = 0;
    const cl_int n = PROBE_LOOP_N;
    cl_mem out = probe_buffer(ctx, sizeof count, NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(probe)");
    size_t one = 1;
    YOSO_TRY(YOSO_LAUNCH(ctx, &ctx->kernels.probe_loop, 1, &one, &one, YOSO_ARG(out), YOSO_ARG(n)));
    CL_CHECK(clEnqueueReadBuffer(ctx->queue, out, CL_TRUE, 0, sizeof count, &count, 0, NULL, NULL));
    if (probe_forced(ctx, "loop")) count = 7;
    if (count >= 1024 && count < n) /* a cap: loops split into bounded launches steer round it */
        r->loop_cap = count;
    else if (count != n)
        snprintf(r->problem, sizeof r->problem, "a loop of %d iterations ran %d times", (int)n,
                 (int)count);
fail:
    if (out) clReleaseMemObject(out);
    return status;
}

/* The reduction: work-groups sum small integers (exact in float) through local memory. */
static yoso_status probe_reduce(yoso_context *ctx, probe_result *r) {
    yoso_status status = YOSO_OK;
    enum { GROUPS = 4 };
    const yoso_kernel *k = &ctx->kernels.probe_reduce;
    const size_t local = yoso_local_size(ctx, k, 64), global = GROUPS * local;
    float in[GROUPS * 64], sums[GROUPS], want[GROUPS] = {0};
    for (size_t i = 0; i < global; i++) {
        in[i] = (float)((i * 7) % 13);
        want[i / local] += in[i];
    }
    cl_int err;
    cl_mem din = probe_buffer(ctx, sizeof in, in, &err), dout = NULL;
    CL_CHECK_ERR(err, "clCreateBuffer(probe)");
    dout = probe_buffer(ctx, sizeof sums, NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(probe)");
    YOSO_TRY(YOSO_LAUNCH(ctx, k, 1, &global, &local, YOSO_ARG(din), YOSO_ARG(dout),
                         YOSO_LOCAL(local * sizeof(float))));
    CL_CHECK(clEnqueueReadBuffer(ctx->queue, dout, CL_TRUE, 0, sizeof sums, sums, 0, NULL, NULL));
    if (probe_forced(ctx, "reduce")) sums[1] += 1.0f;
    for (int g = 0; g < GROUPS && !r->problem[0]; g++)
        if (sums[g] != want[g])
            snprintf(r->problem, sizeof r->problem,
                     "a work-group reduction in local memory gave %g instead of %g",
                     (double)sums[g], (double)want[g]);
fail:
    if (din) clReleaseMemObject(din);
    if (dout) clReleaseMemObject(dout);
    return status;
}

/* The reference of the expectation probe, in double: out [L, D] as attention_expectation.cl. */
static void probe_expectation_reference(const float *q, const float *k, const float *v,
                                        const int *mask, double *out) {
    for (int i = 0; i < PROBE_L; i++) {
        double acc[PROBE_D] = {0}, norm = 0;
        for (int j = 0; j < PROBE_L; j++) {
            if (!mask[j]) continue;
            double dot = 0;
            for (int c = 0; c < PROBE_D; c++)
                dot += (double)q[i * PROBE_D + c] * k[j * PROBE_D + c];
            dot = dot < -1 ? -1 : dot > 1 ? 1 : dot;
            const double w = pow(1.0 - acos(dot) / M_PI, PROBE_TAU);
            for (int c = 0; c < PROBE_D; c++) acc[c] += w * v[j * PROBE_D + c];
        }
        for (int c = 0; c < PROBE_D; c++) norm += acc[c] * acc[c];
        const double scale = mask[i] ? 1.0 / fmax(sqrt(norm), 1e-12) : 0.0;
        for (int c = 0; c < PROBE_D; c++) out[i * PROBE_D + c] = acc[c] * scale;
    }
}

/* Fills x [L, D] with unit rows (normalize) or plain values from a fixed LCG. */
static void probe_fill(float *x, unsigned *seed, int normalize) {
    for (int i = 0; i < PROBE_L; i++) {
        double ss = 0;
        for (int c = 0; c < PROBE_D; c++) {
            *seed = *seed * 1664525u + 1013904223u;
            x[i * PROBE_D + c] = (float)((*seed >> 8) / 16777216.0 * 2.0 - 1.0);
            ss += (double)x[i * PROBE_D + c] * x[i * PROBE_D + c];
        }
        if (normalize)
            for (int c = 0; c < PROBE_D; c++)
                x[i * PROBE_D + c] = (float)(x[i * PROBE_D + c] / sqrt(ss));
    }
}

/* The tiled expectation kernel (through its launcher, so under the loop budget found above). */
static yoso_status probe_expectation(yoso_context *ctx, probe_result *r) {
    yoso_status status = YOSO_OK;
    const size_t n = (size_t)PROBE_L * PROBE_D;
    float *host = malloc(4 * n * sizeof(float));
    double *want = malloc(n * sizeof(double));
    int mask[PROBE_L];
    cl_mem buf[5] = {NULL};
    if (!host || !want) {
        status = yoso_error_oom();
        goto fail;
    }
    unsigned seed = 12345u;
    probe_fill(host, &seed, 1);
    probe_fill(host + n, &seed, 1);
    probe_fill(host + 2 * n, &seed, 0);
    for (int i = 0; i < PROBE_L; i++) mask[i] = i < PROBE_L - PROBE_PAD;
    probe_expectation_reference(host, host + n, host + 2 * n, mask, want);
    cl_int err;
    for (int i = 0; i < 5; i++) {
        buf[i] = probe_buffer(ctx, i == 3 ? sizeof mask : n * sizeof(float),
                              i < 3    ? (void *)(host + i * n)
                              : i == 3 ? (void *)mask
                                       : NULL,
                              &err);
        CL_CHECK_ERR(err, "clCreateBuffer(probe)");
    }
    YOSO_TRY(yoso_launch_attention_expectation(ctx, buf[0], buf[1], buf[2], buf[3], buf[4], 1,
                                               PROBE_L, 1, PROBE_D, PROBE_TAU));
    float *got = host + 3 * n;
    CL_CHECK(
        clEnqueueReadBuffer(ctx->queue, buf[4], CL_TRUE, 0, n * sizeof(float), got, 0, NULL, NULL));
    if (probe_forced(ctx, "expectation")) got[5] += 0.5f;
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(got[i] - want[i]));
    if (!(worst <= 1e-4))
        snprintf(r->problem, sizeof r->problem,
                 "the expectation kernel on a fixed input is off by %.3g", worst);
fail:
    probe_release(buf, 5);
    free(host);
    free(want);
    return status;
}

/* The hash codes of the probe's input, exactly, in integers: y = H·D3·H·D2·H·D1·x with the
 * Hadamard matrix written out ((−1)^popcount(i & j)), codes [nh, m, L] as lsh_hash.cl. */
static void probe_hash_reference(const int *x, const int *mask, const float *signs,
                                 const yoso_lsh_shape *s, int *codes) {
    for (int bh = 0; bh < s->heads; bh++)
        for (int t = 0; t < s->seq; t++)
            for (int p = 0; p < s->num_part; p++) {
                long long y[HASH_D], z[HASH_D];
                for (int c = 0; c < s->dp; c++) y[c] = x[(bh * s->seq + t) * s->head_dim + c];
                for (int r = 0; r < 3; r++) {
                    const float *d = signs + ((bh * 3 + r) * s->num_part + p) * s->dp;
                    for (int i = 0; i < s->dp; i++) {
                        z[i] = 0;
                        for (int j = 0; j < s->dp; j++)
                            z[i] += (__builtin_popcount(i & j) & 1 ? -1 : 1) * (d[j] > 0 ? 1 : -1) *
                                    y[j];
                    }
                    memcpy(y, z, sizeof y);
                }
                for (int j = 0; j < s->per_part && p * s->per_part + j < s->num_hash; j++) {
                    int code = 0;
                    for (int i = 0; i < s->tau; i++) code |= (y[j * s->tau + i] > 0) << i;
                    codes[(bh * s->num_hash + p * s->per_part + j) * s->seq + t] =
                        mask[t] ? code : -1;
                }
            }
}

/* The LSH hash kernel of the layout this device runs (through its launcher, so under the loop
 * budget found above) against the exact codes. */
static yoso_status probe_hash(yoso_context *ctx, probe_result *r) {
    yoso_status status = YOSO_OK;
    enum { NX = HASH_HEADS * HASH_L * HASH_D, NC = HASH_HEADS * HASH_M * HASH_L };
    cl_mem buf[4] = {NULL};
    int *xi = malloc((NX + HASH_L + 2 * NC) * sizeof(int)); /* x, mask, want, got */
    /* x, then signs [heads, 3, num_part, dp]: num_part ≤ m, dp = d */
    float *x = malloc((NX + (size_t)HASH_HEADS * 3 * HASH_M * HASH_D) * sizeof(float));
    if (!xi || !x) {
        status = yoso_error_oom();
        goto fail;
    }
    int *mask = xi + NX, *want = mask + HASH_L, *got = want + NC;
    float *signs = x + NX;
    yoso_lsh_shape s;
    YOSO_TRY(yoso_lsh_shape_init(&s, 1, HASH_HEADS, HASH_L, HASH_D, HASH_M, HASH_TAU));
    unsigned seed = HASH_SEED;
    for (int i = 0; i < NX; i++) {
        seed = seed * 1664525u + 1013904223u;
        xi[i] = (int)((seed >> 16) % 7) - 3;
        x[i] = (float)xi[i];
    }
    for (int t = 0; t < HASH_L; t++) mask[t] = t < HASH_L - HASH_PAD;
    yoso_lsh_signs_fill(HASH_SEED, 0, &s, signs);
    probe_hash_reference(xi, mask, signs, &s, want);
    const size_t bytes[4] = {NX * sizeof(float), HASH_L * sizeof(int),
                             (size_t)HASH_HEADS * 3 * s.num_part * s.dp * sizeof(float),
                             NC * sizeof(int)};
    const void *host[4] = {x, mask, signs, NULL};
    cl_int err;
    for (int i = 0; i < 4; i++) {
        buf[i] = probe_buffer(ctx, bytes[i], host[i], &err);
        CL_CHECK_ERR(err, "clCreateBuffer(probe)");
    }
    YOSO_TRY(yoso_launch_lsh_hash(ctx, buf[0], buf[1], buf[2], HASH_HEADS, buf[3], &s,
                                  YOSO_LSH_LAYOUT_AUTO));
    CL_CHECK(clEnqueueReadBuffer(ctx->queue, buf[3], CL_TRUE, 0, bytes[3], got, 0, NULL, NULL));
    if (probe_forced(ctx, "hash")) got[3] ^= 1;
    int wrong = 0;
    for (int i = 0; i < NC; i++) wrong += got[i] != want[i];
    if (wrong)
        snprintf(r->problem, sizeof r->problem,
                 "the LSH hash kernel on a fixed input gave %d of %d codes wrong", wrong, NC);
fail:
    probe_release(buf, 4);
    free(xi);
    free(x);
    return status;
}

/* The cache entry's key: the program's key (sources, options, device, driver) plus a version;
 * a kernel probe run on its own (name not NULL) adds its name. */
static void probe_cache_key(const yoso_context *ctx, const char *name, char *key, size_t size) {
    if (name)
        snprintf(key, size, "yoso-cl probes v2|%s|%s", name, ctx->program_key);
    else
        snprintf(key, size, "yoso-cl probes v2|%s", ctx->program_key);
}

/* The verdicts' folder: <cache>/self-check, beside the compiled programs' <cache>/programs. */
static void probe_cache_dir(const yoso_context *ctx, char *dir, size_t size) {
    snprintf(dir, size, "%.2000s/self-check", ctx->cache_dir);
}

/* Reads the cached verdict of the context's probes (name NULL) or of one kernel probe; 1 when
 * there is one. */
static int probe_cache_read(const yoso_context *ctx, const char *name, probe_result *r) {
    char key[2304], dir[2100];
    unsigned char *bin = NULL;
    size_t size = 0;
    probe_cache_key(ctx, name, key, sizeof key);
    probe_cache_dir(ctx, dir, sizeof dir);
    if (!yoso_cache_read(dir, key, &bin, &size)) return 0;
    char text[256] = "";
    memcpy(text, bin, size < sizeof text - 1 ? size : sizeof text - 1);
    free(bin);
    char *problem = strstr(text, "\nproblem=");
    if (sscanf(text, "loop_cap=%lld", &r->loop_cap) != 1 || !problem) return 0;
    snprintf(r->problem, sizeof r->problem, "%s", problem + 9);
    return 1;
}

/* Stores a verdict (name as for probe_cache_read) beside the compiled kernels. */
static void probe_cache_write(const yoso_context *ctx, const char *name, const probe_result *r) {
    char key[2304], text[256], dir[2100];
    probe_cache_key(ctx, name, key, sizeof key);
    probe_cache_dir(ctx, dir, sizeof dir);
    int n = snprintf(text, sizeof text, "loop_cap=%lld\nproblem=%s", r->loop_cap, r->problem);
    yoso_cache_write(dir, key, (const unsigned char *)text, (size_t)n);
}

/* The verdict text of r, as yoso_context_self_check gives it. */
static void probe_verdict(const probe_result *r, char *out, size_t size) {
    if (r->problem[0])
        snprintf(out, size, "FAILED: %s", r->problem);
    else if (r->loop_cap)
        snprintf(out, size,
                 "passed; the driver stops loops after %lld iterations: long loops split",
                 r->loop_cap);
    else
        snprintf(out, size, "passed");
}

void yoso_probe_cached_verdict(const yoso_context *ctx, char *out, size_t size) {
    probe_result r = {0};
    if (size) out[0] = '\0';
    if (probe_cache_read(ctx, NULL, &r)) probe_verdict(&r, out, size);
}

/* The kernel probes: each checks one kernel (the expectation probe the tiled kernel, the hash
 * probe the d = 64 hash kernel of the device's layout, which stands for the layout's others). */
typedef struct {
    const char *name;
    yoso_status (*run)(yoso_context *ctx, probe_result *r);
} kernel_probe;
static const kernel_probe k_kernel_probes[] = {{"expectation", probe_expectation},
                                               {"hash", probe_hash}};
enum { PROBE_KERNELS = sizeof k_kernel_probes / sizeof k_kernel_probes[0] };

/* The kernel probe that checks k (an index into k_kernel_probes), or -1. */
static int probe_of_kernel(const yoso_context *ctx, const yoso_kernel *k) {
    const yoso_kernels *ks = &ctx->kernels;
    if (k == &ks->attention_expectation) return 0;
    const yoso_kernel *hash[] = {&ks->lsh_hash_32,      &ks->lsh_hash_64,
                                 &ks->lsh_hash_128,     &ks->lsh_hash_rows_32,
                                 &ks->lsh_hash_rows_64, &ks->lsh_hash_rows_128};
    for (size_t i = 0; i < sizeof hash / sizeof hash[0]; i++)
        if (k == hash[i]) return 1;
    return -1;
}

/* The kernel a kernel probe launches on this device. */
static const yoso_kernel *probe_kernel(const yoso_context *ctx, int probe) {
    if (probe == 0) return &ctx->kernels.attention_expectation;
    return ctx->cpu_class ? &ctx->kernels.lsh_hash_rows_64 : &ctx->kernels.lsh_hash_64;
}

/* The one-line refusal of a device whose probe got a wrong answer. */
static yoso_status probe_refuse(const yoso_context *ctx, const char *problem) {
    return yoso_error(
        YOSO_ERR_OPENCL,
        "%s (driver %s) failed yoso's self-check: %s — a driver bug that would give wrong answers: update the driver or choose another device with -d (see 'yoso devices --check')",
        ctx->info.name, ctx->info.platform_name, problem);
}

/* 1 when a test hook bypasses the verdict cache. */
static int probe_hooked(const yoso_context *ctx) {
    return ctx->env.probe_fail || ctx->env.loop_cap > 0;
}

yoso_status yoso_probe_kernel(yoso_context *ctx, const yoso_kernel *k) {
    yoso_status status = YOSO_OK;
    const int probe = probe_of_kernel(ctx, k);
    if (probe < 0 || ctx->probes_run & (1u << probe)) return YOSO_OK;
    ctx->probes_run |= 1u << probe;
    const char *name = k_kernel_probes[probe].name;
    probe_result r = {0};
    const int use_cache = !probe_hooked(ctx) && ctx->cache_dir[0];
    if (!(use_cache && !ctx->recheck && probe_cache_read(ctx, name, &r))) {
        if (ctx->verbose) fprintf(stderr, "yoso: self-check of the %s kernel\n", name);
        YOSO_TRY(k_kernel_probes[probe].run(ctx, &r));
        if (use_cache) probe_cache_write(ctx, name, &r);
    }
    if (r.problem[0]) return probe_refuse(ctx, r.problem);
fail:
    return status;
}

yoso_status yoso_probe_device(yoso_context *ctx) {
    yoso_status status = YOSO_OK;
    probe_result r = {0};
    /* the test hooks bypass the cache both ways; a recheck only skips reading it */
    const int hooked = probe_hooked(ctx);
    const int cached =
        !hooked && !ctx->recheck && ctx->cache_dir[0] && probe_cache_read(ctx, NULL, &r);
    if (!cached) {
        YOSO_TRY(probe_loop(ctx, &r));
        if (!r.problem[0]) YOSO_TRY(probe_reduce(ctx, &r));
    }
    if (r.loop_cap && ctx->env.loop_cap <= 0) ctx->limits.loop_budget = r.loop_cap * 3 / 4;
    /* the kernel probes of kernels in the context's program (all of them on a recheck) */
    for (int i = 0; i < PROBE_KERNELS; i++) {
        if (!probe_kernel(ctx, i)->kernel && !ctx->recheck) continue; /* at its first use */
        ctx->probes_run |= 1u << i;
        if (!cached && !r.problem[0]) YOSO_TRY(k_kernel_probes[i].run(ctx, &r));
    }
    if (!hooked && !cached && ctx->cache_dir[0]) probe_cache_write(ctx, NULL, &r);
    probe_verdict(&r, ctx->self_check, sizeof ctx->self_check);
    if (r.problem[0]) return probe_refuse(ctx, r.problem);
    if (ctx->verbose)
        fprintf(stderr, "yoso: self-check of %s: %s%s\n", ctx->info.name, ctx->self_check,
                cached ? " (cached)" : "");
fail:
    return status;
}

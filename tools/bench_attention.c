/* bench_attention.c — attention-only times of YOSO-E (tiled expectation) and LSH attention at
 * several lengths (12 heads, d 64, m 64, τ 9 by default), plus optional whole-model times.
 *
 *   bench_attention [-d DEVICE] [--lengths 512,1024,2048,4096] [--repeat N] [--phases]
 *                   [--model DIR [--model-lengths 512,4096]]
 *
 * Prints a table on stdout; LSH must grow linearly (t(4096)/t(1024) ≤ 4.5) and beat the
 * expectation attention at 4096. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "lsh_internal.h"

#define MAX_LENGTHS 16

typedef struct bench_options {
    const char *device;
    int lengths[MAX_LENGTHS], num_lengths;
    int model_lengths[MAX_LENGTHS], num_model_lengths;
    int repeat, phases, heads, head_dim, num_hash, tau;
    const char *model_dir;
} bench_options;

/* Seconds on a monotonic clock. */
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Parses "512,1024,…" into out; returns the count or -1. */
static int parse_lengths(const char *text, int *out) {
    int n = 0;
    for (const char *p = text; *p && n < MAX_LENGTHS;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 1 << 20) return -1;
        out[n++] = (int)v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return n;
}

/* Fills x with uniform values in [-1, 1); unit rows of `dim` when normalize. */
static void random_rows(float *x, size_t rows, int dim, unsigned seed, int normalize) {
    for (size_t r = 0; r < rows; r++) {
        double norm = 0;
        for (int c = 0; c < dim; c++) {
            seed = seed * 1664525u + 1013904223u;
            x[r * dim + c] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
            norm += (double)x[r * dim + c] * x[r * dim + c];
        }
        if (normalize)
            for (int c = 0; c < dim; c++) x[r * dim + c] /= (float)sqrt(norm);
    }
}

/* A device buffer with a copy of host data. */
static yoso_status upload(yoso_context *ctx, const void *data, size_t bytes, cl_mem *out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes,
                          (void *)data, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(bench)");
fail:
    return status;
}

/* Per-phase LSH times (hash q + k, cumulation, normalize), each phase finished before the next. */
static yoso_status bench_lsh_phases(yoso_context *ctx, yoso_lsh_scratch *sc,
                                    const yoso_lsh_shape *s, cl_mem signs, cl_mem q, cl_mem k,
                                    cl_mem v, cl_mem mask, cl_mem out, double t[3]) {
    yoso_status status = YOSO_OK;
    double t0 = now();
    YOSO_TRY(yoso_lsh_scratch_reserve(ctx, sc, s));
    YOSO_TRY(yoso_launch_lsh_hash(ctx, q, mask, signs, s->heads, sc->q_codes, s, sc->layout));
    YOSO_TRY(yoso_launch_lsh_hash(ctx, k, mask, signs, s->heads, sc->k_codes, s, sc->layout));
    CL_CHECK(clFinish(ctx->queue));
    double t1 = now();
    YOSO_TRY(yoso_lsh_cumulate(ctx, sc, s, v));
    CL_CHECK(clFinish(ctx->queue));
    double t2 = now();
    YOSO_TRY(yoso_launch_lsh_normalize(ctx, sc->acc, mask, out, s));
    CL_CHECK(clFinish(ctx->queue));
    t[0] = t1 - t0;
    t[1] = t2 - t1;
    t[2] = now() - t2;
fail:
    return status;
}

/* Times both attentions at every length and prints the table. */
static yoso_status bench_attention(yoso_context *ctx, const bench_options *o) {
    yoso_status status = YOSO_OK;
    const int nh = o->heads, d = o->head_dim;
    double t_lsh[MAX_LENGTHS] = {0}, t_exp[MAX_LENGTHS] = {0};
    yoso_lsh_scratch sc = {0};
    printf("attention only: batch 1, %d heads, d %d, num_hash %d, tau %d, device %s\n", nh, d,
           o->num_hash, o->tau, ctx->info.name);
    printf("%8s %16s %12s %10s %12s\n", "L", "expectation ms", "lsh ms", "exp/lsh", "lsh growth");
    for (int li = 0; li < o->num_lengths; li++) {
        const int L = o->lengths[li];
        const size_t n = (size_t)nh * L * d;
        float *q = malloc(n * 4), *k = malloc(n * 4), *v = malloc(n * 4), *signs = NULL;
        int32_t *mask = malloc((size_t)L * 4);
        cl_mem dq = NULL, dk = NULL, dv = NULL, dm = NULL, dout = NULL, ds = NULL;
        yoso_lsh_shape s;
        if (!q || !k || !v || !mask) {
            status = yoso_error_oom();
            goto next;
        }
        random_rows(q, (size_t)nh * L, d, 1 + L, 1);
        random_rows(k, (size_t)nh * L, d, 2 + L, 1);
        random_rows(v, (size_t)nh * L, d, 3 + L, 0);
        for (int t = 0; t < L; t++) mask[t] = 1;
        YOSO_TRY(yoso_lsh_shape_init(&s, 1, nh, L, d, o->num_hash, o->tau));
        signs = malloc(sizeof(float) * nh * 3 * s.num_part * s.dp);
        if (!signs) {
            status = yoso_error_oom();
            goto next;
        }
        yoso_lsh_signs_fill(0, 0, &s, signs);
        if ((status = upload(ctx, q, n * 4, &dq)) || (status = upload(ctx, k, n * 4, &dk)) ||
            (status = upload(ctx, v, n * 4, &dv)) || (status = upload(ctx, mask, L * 4, &dm)) ||
            (status = upload(ctx, v, n * 4, &dout)) ||
            (status = upload(ctx, signs, sizeof(float) * nh * 3 * s.num_part * s.dp, &ds)))
            goto next;
        /* LSH: one warm-up, then the best of `repeat`. */
        t_lsh[li] = INFINITY;
        for (int r = 0; r <= o->repeat; r++) {
            double t0 = now();
            if ((status = yoso_lsh_run(ctx, &sc, &s, ds, nh, dq, dk, dv, dm, dout))) goto next;
            clFinish(ctx->queue);
            if (r > 0 && now() - t0 < t_lsh[li]) t_lsh[li] = now() - t0;
        }
        /* Expectation: one warm-up at short lengths only (it is quadratic), then the best. */
        t_exp[li] = INFINITY;
        for (int r = L > 1024 ? 1 : 0; r <= (L > 1024 ? 1 : o->repeat); r++) {
            double t0 = now();
            if ((status = yoso_launch_attention_expectation(ctx, dq, dk, dv, dm, dout, 1, L, nh, d,
                                                            o->tau)))
                goto next;
            clFinish(ctx->queue);
            if (r > 0 && now() - t0 < t_exp[li]) t_exp[li] = now() - t0;
        }
        char growth[32] = "";
        if (li > 0) snprintf(growth, sizeof growth, "%.2fx", t_lsh[li] / t_lsh[li - 1]);
        printf("%8d %16.1f %12.1f %9.1fx %12s\n", L, t_exp[li] * 1e3, t_lsh[li] * 1e3,
               t_exp[li] / t_lsh[li], growth);
        if (o->phases) {
            double t[3] = {0, 0, 0};
            if ((status = bench_lsh_phases(ctx, &sc, &s, ds, dq, dk, dv, dm, dout, t))) goto next;
            printf("%8s   phases: hash %.1f ms, cumulation %.1f ms (%d chunks), "
                   "normalize %.1f ms\n", "", t[0] * 1e3, t[1] * 1e3, sc.chunks, t[2] * 1e3);
        }
        fflush(stdout);
    next:
        free(q), free(k), free(v), free(mask), free(signs);
        cl_mem all[] = {dq, dk, dv, dm, dout, ds};
        for (int i = 0; i < 6; i++)
            if (all[i]) clReleaseMemObject(all[i]);
        if (status != YOSO_OK) break;
    }
    for (int a = 0; a < o->num_lengths && status == YOSO_OK; a++)
        for (int b = 0; b < o->num_lengths; b++)
            if (o->lengths[a] == 1024 && o->lengths[b] == 4096)
                printf("lsh t(4096)/t(1024) = %.2f (linear: 4)\n", t_lsh[b] / t_lsh[a]);
fail:
    yoso_lsh_scratch_release(&sc);
    return status;
}

/* Whole-model forward times (hidden states) at each length, expectation vs LSH. */
static yoso_status bench_model(yoso_context *ctx, const bench_options *o) {
    yoso_status status = YOSO_OK;
    yoso_model *models[2] = {NULL, NULL};
    float *out = NULL;
    int32_t *ids = NULL;
    for (int i = 0; i < 2; i++) {
        yoso_model_options mo = {.attention = i ? YOSO_ATTENTION_LSH : YOSO_ATTENTION_EXPECTATION};
        YOSO_TRY(yoso_model_load(ctx, o->model_dir, &mo, &models[i]));
    }
    yoso_model_info info;
    yoso_model_get_info(models[0], &info);
    printf("\nwhole model (%s, %d layers, hidden states): batch 1\n", o->model_dir,
           info.num_layers);
    printf("%8s %16s %12s %10s\n", "L", "expectation ms", "lsh ms", "exp/lsh");
    for (int li = 0; li < o->num_model_lengths; li++) {
        const int L = o->model_lengths[li];
        if (L > info.max_tokens) continue;
        free(ids);
        free(out);
        ids = malloc((size_t)L * 4);
        out = malloc((size_t)L * info.hidden_size * 4);
        if (!ids || !out) {
            status = yoso_error_oom();
            goto fail;
        }
        for (int t = 0; t < L; t++) ids[t] = 3 + (t * 7919) % (info.vocab_size - 3);
        double t[2];
        for (int i = 0; i < 2; i++) {
            YOSO_TRY(yoso_model_hidden(models[i], 1, L, ids, NULL, out)); /* warm-up */
            double t0 = now();
            YOSO_TRY(yoso_model_hidden(models[i], 1, L, ids, NULL, out));
            t[i] = now() - t0;
        }
        printf("%8d %16.1f %12.1f %9.1fx\n", L, t[0] * 1e3, t[1] * 1e3, t[0] / t[1]);
        fflush(stdout);
    }
fail:
    free(ids);
    free(out);
    yoso_model_free(models[0]);
    yoso_model_free(models[1]);
    return status;
}

int main(int argc, char **argv) {
    bench_options o = {.lengths = {512, 1024, 2048, 4096}, .num_lengths = 4,
                       .model_lengths = {512, 4096}, .num_model_lengths = 2, .repeat = 3,
                       .heads = 12, .head_dim = 64, .num_hash = 64, .tau = 9};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--phases")) o.phases = 1;
        else if ((!strcmp(a, "-d") || !strcmp(a, "--device")) && v) o.device = argv[++i];
        else if (!strcmp(a, "--lengths") && v) o.num_lengths = parse_lengths(argv[++i], o.lengths);
        else if (!strcmp(a, "--model-lengths") && v)
            o.num_model_lengths = parse_lengths(argv[++i], o.model_lengths);
        else if (!strcmp(a, "--repeat") && v) o.repeat = atoi(argv[++i]);
        else if (!strcmp(a, "--model") && v) o.model_dir = argv[++i];
        else if (!strcmp(a, "--num-hash") && v) o.num_hash = atoi(argv[++i]);
        else if (!strcmp(a, "--hash-code-len") && v) o.tau = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [-d DEVICE] [--lengths L1,L2,...] [--repeat N] [--phases] "
                    "[--num-hash N] [--hash-code-len N] [--model DIR [--model-lengths ...]]\n",
                    argv[0]);
            return 2;
        }
    }
    if (o.num_lengths < 1 || o.num_model_lengths < 1 || o.repeat < 1) {
        fprintf(stderr, "bench_attention: bad --lengths, --model-lengths or --repeat\n");
        return 2;
    }
    yoso_context_options co = {.device_spec = o.device};
    yoso_context *ctx = NULL;
    yoso_status st = yoso_context_create(&co, &ctx);
    if (st == YOSO_OK) st = bench_attention(ctx, &o);
    if (st == YOSO_OK && o.model_dir) st = bench_model(ctx, &o);
    if (st != YOSO_OK) fprintf(stderr, "bench_attention: %s\n", yoso_last_error());
    yoso_context_free(ctx);
    return yoso_status_exit_code(st);
}

/* bench_attention.c — attention-only times of YOSO-E expectation and LSH attention at several
 * lengths (12 heads, d 64, m 64, τ 9 by default), plus optional whole-model times.
 *
 *   bench_attention [-d DEVICE] [--lengths 512,1024,2048,4096] [--repeat N] [--phases]
 *                   [--paths fused,blocked,tiled,fused@1024] [--no-lsh]
 *                   [--num-hash N] [--hash-code-len N]
 *                   [--model DIR [--model-lengths 512,4096] [--model-exp-max 4096]]
 *
 * Expectation: each --paths entry (a path of attention.c, fused@KiB with that score-tile budget)
 * runs in interleaved rounds (one warm-up, then --repeat, the order rotating per round): medians,
 * the ratio to the first entry and the GEMMs' share; --phases adds the fused path's split into
 * score GEMM, weights pass and value GEMM (and
 * the blocked path's, on host-BLAS devices). Defaults: fused,blocked on host-BLAS devices, tiled
 * elsewhere. LSH: the best of --repeat runs (after a warm-up); --phases adds its split into hash,
 * cumulation and normalize, each phase's best of --repeat more. Prints tables on stdout; LSH must
 * grow linearly (t(4096)/t(1024) ≤ 4.5) and beat the expectation attention at 4096. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attention_internal.h"
#include "attention_kernels.h"
#include "clock.h"
#include "gemm.h"
#include "lsh_internal.h"

#define MAX_LENGTHS 16
#define MAX_PATHS 8

typedef struct bench_options {
    const char *device;
    int lengths[MAX_LENGTHS], num_lengths;
    int model_lengths[MAX_LENGTHS], num_model_lengths;
    int repeat, phases, heads, head_dim, num_hash, tau;
    int model_exp_max; /* longest whole-model expectation run (it is quadratic) */
    const char *model_dir;
    const char *paths[MAX_PATHS]; /* expectation paths: fused, blocked, tiled, fused@KiB */
    int num_paths, no_lsh;
} bench_options;

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
    double t0 = yoso_now();
    YOSO_TRY(yoso_lsh_scratch_reserve(ctx, sc, s));
    YOSO_TRY(yoso_launch_lsh_hash(ctx, q, mask, signs, s->heads, sc->q_codes, s, sc->layout));
    YOSO_TRY(yoso_launch_lsh_hash(ctx, k, mask, signs, s->heads, sc->k_codes, s, sc->layout));
    CL_CHECK(clFinish(ctx->queue));
    double t1 = yoso_now();
    YOSO_TRY(yoso_lsh_cumulate(ctx, sc, s, v));
    CL_CHECK(clFinish(ctx->queue));
    double t2 = yoso_now();
    YOSO_TRY(yoso_launch_lsh_normalize(ctx, sc->acc, mask, out, s));
    CL_CHECK(clFinish(ctx->queue));
    t[0] = t1 - t0;
    t[1] = t2 - t1;
    t[2] = yoso_now() - t2;
fail:
    return status;
}

/* One length's inputs on the device. */
typedef struct bench_case {
    int seq;
    yoso_lsh_shape shape;
    cl_mem q, k, v, mask, out, signs; /* [nh, L, d] ×3 (unit q, k rows), [L], [L, nh·d], signs */
    double lsh_wall, lsh_cpu, exp_wall;
} bench_case;

/* Process CPU time in seconds (all threads, PoCL's workers included). */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Uploads random inputs for one length. */
static yoso_status bench_case_init(yoso_context *ctx, const bench_options *o, int seq,
                                   bench_case *bc) {
    yoso_status status = YOSO_OK;
    const int nh = o->heads, d = o->head_dim;
    const size_t n = (size_t)nh * seq * d;
    float *q = malloc(n * 4), *k = malloc(n * 4), *v = malloc(n * 4), *signs = NULL;
    int32_t *mask = malloc((size_t)seq * 4);
    memset(bc, 0, sizeof *bc);
    bc->seq = seq;
    if (!q || !k || !v || !mask) {
        status = yoso_error_oom();
        goto fail;
    }
    random_rows(q, (size_t)nh * seq, d, 1 + seq, 1);
    random_rows(k, (size_t)nh * seq, d, 2 + seq, 1);
    random_rows(v, (size_t)nh * seq, d, 3 + seq, 0);
    for (int t = 0; t < seq; t++) mask[t] = 1;
    YOSO_TRY(yoso_lsh_shape_init(&bc->shape, 1, nh, seq, d, o->num_hash, o->tau));
    const size_t nsign = (size_t)nh * 3 * bc->shape.num_part * bc->shape.dp;
    signs = malloc(nsign * sizeof(float));
    if (!signs) {
        status = yoso_error_oom();
        goto fail;
    }
    yoso_lsh_signs_fill(0, 0, &bc->shape, signs);
    YOSO_TRY(upload(ctx, q, n * 4, &bc->q));
    YOSO_TRY(upload(ctx, k, n * 4, &bc->k));
    YOSO_TRY(upload(ctx, v, n * 4, &bc->v));
    YOSO_TRY(upload(ctx, mask, (size_t)seq * 4, &bc->mask));
    YOSO_TRY(upload(ctx, v, n * 4, &bc->out));
    YOSO_TRY(upload(ctx, signs, nsign * sizeof(float), &bc->signs));
fail:
    free(q), free(k), free(v), free(mask), free(signs);
    return status;
}

static void bench_case_release(bench_case *bc) {
    cl_mem all[] = {bc->q, bc->k, bc->v, bc->mask, bc->out, bc->signs};
    for (int i = 0; i < 6; i++)
        if (all[i]) clReleaseMemObject(all[i]);
}

/* One --paths entry: its attention state and what its timed rounds measured. */
typedef struct bench_path {
    const char *spec;
    yoso_attention_state *att;
    double t[64];    /* seconds of each timed round at the current length */
    double phase[3]; /* fused: score GEMM, weights, value GEMM seconds summed over the rounds */
    int n;
} bench_path;

/* The attention state of one path spec: fused, blocked or tiled, fused@KiB for a tile budget. */
static yoso_status bench_path_create(yoso_context *ctx, const bench_options *o, const char *spec,
                                     bench_path *bp) {
    yoso_status status = YOSO_OK;
    static const char *const names[] = {"tiled", "blocked", "fused"};
    const char *at = strchr(spec, '@');
    const size_t len = at ? (size_t)(at - spec) : strlen(spec);
    int path = -1;
    for (int i = 0; i < 3; i++)
        if (strlen(names[i]) == len && !strncmp(spec, names[i], len)) path = i;
    memset(bp, 0, sizeof *bp);
    bp->spec = spec;
    if (path < 0 || (at && path != YOSO_EXPECTATION_FUSED))
        return yoso_error(YOSO_ERR_USAGE,
                          "bad --paths entry '%s': use fused[@KiB], blocked or tiled", spec);
    if (path == YOSO_EXPECTATION_FUSED && !yoso_gemm_host_sgemm(ctx->gemm))
        return yoso_error(YOSO_ERR_UNSUPPORTED,
                          "--paths %s needs the host BLAS GEMM backend (a CPU device)", spec);
    yoso_attention_config cfg = {.num_layers = 1,
                                 .heads = o->heads,
                                 .head_dim = o->head_dim,
                                 .expectation = 1,
                                 .tau = o->tau};
    YOSO_TRY(yoso_attention_create(ctx, &cfg, &bp->att));
    bp->att->path = (yoso_expectation_path)path;
    if (at) bp->att->tile_bytes = (size_t)atoi(at + 1) << 10;
fail:
    return status;
}

/* Comparison for qsort of doubles. */
static int bench_cmp(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of t[0..n); *min_out ← the smallest. */
static double bench_median(const double *t, int n, double *min_out) {
    double s[64];
    memcpy(s, t, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, bench_cmp);
    if (min_out) *min_out = s[0];
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Expectation attention of every path at every length in interleaved rounds; prints a table and
 * leaves each case's exp_wall at the first path's median. */
static yoso_status bench_expectation(yoso_context *ctx, const bench_options *o, bench_case *cases) {
    yoso_status status = YOSO_OK;
    bench_path paths[MAX_PATHS];
    int made = 0;
    for (; made < o->num_paths; made++)
        YOSO_TRY(bench_path_create(ctx, o, o->paths[made], &paths[made]));
    printf("expectation attention: batch 1, %d heads, d %d, tau %d, device %s, GEMMs %s; "
           "interleaved rounds, medians\n",
           o->heads, o->head_dim, o->tau, ctx->info.name, yoso_gemm_backend_name(ctx->gemm));
    printf("%8s", "L");
    for (int p = 0; p < made; p++)
        printf(" %12s ms (min) %*s", paths[p].spec, p ? 14 : 9, p ? "ratio (of mins)" : "GFLOP/s");
    printf(" %9s\n", "rounds");
    for (int li = 0; li < o->num_lengths; li++) {
        bench_case *bc = &cases[li];
        const int L = bc->seq, rounds = L > 2048 && o->repeat > 5 ? 5 : o->repeat;
        for (int p = 0; p < made; p++) {
            paths[p].n = 0;
            memset(paths[p].phase, 0, sizeof paths[p].phase);
        }
        for (int r = 0; r <= rounds; r++) /* round 0 warms up (buffers, kernel builds) */
            for (int i = 0; i < made; i++) {
                bench_path *bp = &paths[(i + r) % made];
                memset(bp->att->phase_s, 0, sizeof bp->att->phase_s);
                const double w0 = yoso_now();
                YOSO_TRY(yoso_attention_forward(bp->att, 0, bc->q, bc->k, bc->v, bc->mask, bc->out,
                                                1, L, NULL, 0));
                CL_CHECK(clFinish(ctx->queue));
                if (r == 0) continue;
                bp->t[bp->n++] = yoso_now() - w0;
                for (int f = 0; f < 3; f++) bp->phase[f] += bp->att->phase_s[f];
            }
        const double flops = 4.0 * L * (double)L * o->heads * o->head_dim;
        double first_min, lo;
        const double first = bench_median(paths[0].t, paths[0].n, &first_min);
        bc->exp_wall = first;
        printf("%8d", L);
        for (int p = 0; p < made; p++) {
            const double med = bench_median(paths[p].t, paths[p].n, &lo);
            if (p)
                printf(" %8.1f (%6.1f) %5.2fx (%4.2fx)", med * 1e3, lo * 1e3, med / first,
                       lo / first_min);
            else
                printf(" %8.1f (%6.1f) %9.1f", med * 1e3, lo * 1e3, flops / med / 1e9);
        }
        printf(" %9d\n", rounds);
        for (int p = 0; o->phases && p < made; p++) {
            const double *ph = paths[p].phase, n = paths[p].n;
            if (paths[p].att->path == YOSO_EXPECTATION_TILED) continue;
            printf("%8s   %s: score GEMM %.1f ms (%.1f GFLOP/s), weights %.1f ms (%.0f %% of the "
                   "GEMMs), value GEMM %.1f ms (%.1f GFLOP/s)\n",
                   "", paths[p].spec, ph[0] / n * 1e3, flops / 2 / (ph[0] / n) / 1e9,
                   ph[1] / n * 1e3, 100 * ph[1] / (ph[0] + ph[2]), ph[2] / n * 1e3,
                   flops / 2 / (ph[2] / n) / 1e9);
        }
        fflush(stdout);
    }
fail:
    for (int p = 0; p < made; p++) yoso_attention_free(paths[p].att);
    return status;
}

/* Times both attentions at every length and prints the tables: expectation per path in
 * interleaved rounds, then LSH in rounds over all lengths (best of `repeat` rounds), so a busy
 * machine slows every length alike. */
static yoso_status bench_attention(yoso_context *ctx, const bench_options *o) {
    yoso_status status = YOSO_OK;
    bench_case cases[MAX_LENGTHS];
    yoso_lsh_scratch sc = {0};
    int ready = 0;
    for (; ready < o->num_lengths; ready++)
        YOSO_TRY(bench_case_init(ctx, o, o->lengths[ready], &cases[ready]));
    YOSO_TRY(bench_expectation(ctx, o, cases));
    if (o->no_lsh) goto fail;
    for (int li = 0; li < o->num_lengths; li++) cases[li].lsh_wall = cases[li].lsh_cpu = INFINITY;
    for (int r = 0; r <= o->repeat; r++) /* round 0 warms up (kernel builds, buffers) */
        for (int li = 0; li < o->num_lengths; li++) {
            bench_case *bc = &cases[li];
            const double w0 = yoso_now(), c0 = cpu_now();
            YOSO_TRY(yoso_lsh_run(ctx, &sc, &bc->shape, bc->signs, o->heads, bc->q, bc->k, bc->v,
                                  bc->mask, bc->out));
            CL_CHECK(clFinish(ctx->queue));
            if (r > 0 && yoso_now() - w0 < bc->lsh_wall) bc->lsh_wall = yoso_now() - w0;
            if (r > 0 && cpu_now() - c0 < bc->lsh_cpu) bc->lsh_cpu = cpu_now() - c0;
        }
    printf("\nLSH attention: batch 1, %d heads, d %d, num_hash %d, tau %d, device %s\n", o->heads,
           o->head_dim, o->num_hash, o->tau, ctx->info.name);
    printf("%8s %16s %12s %10s %12s %14s\n", "L", "expectation ms", "lsh ms", "exp/lsh",
           "lsh growth", "lsh cpu ms");
    for (int li = 0; li < o->num_lengths; li++) {
        bench_case *bc = &cases[li];
        char growth[32] = "";
        if (li > 0) snprintf(growth, sizeof growth, "%.2fx", bc->lsh_wall / cases[li - 1].lsh_wall);
        printf("%8d %16.1f %12.1f %9.1fx %12s %14.1f\n", bc->seq, bc->exp_wall * 1e3,
               bc->lsh_wall * 1e3, bc->exp_wall / bc->lsh_wall, growth, bc->lsh_cpu * 1e3);
        if (o->phases) { /* each phase's best of --repeat runs */
            double t[3] = {INFINITY, INFINITY, INFINITY};
            for (int r = 0; r < o->repeat; r++) {
                double tr[3];
                YOSO_TRY(bench_lsh_phases(ctx, &sc, &bc->shape, bc->signs, bc->q, bc->k, bc->v,
                                          bc->mask, bc->out, tr));
                for (int i = 0; i < 3; i++) t[i] = fmin(t[i], tr[i]);
            }
            printf(
                "%8s   phases: hash %.1f ms, cumulation %.1f ms (%d chunks), normalize %.1f ms\n",
                "", t[0] * 1e3, t[1] * 1e3, sc.chunks, t[2] * 1e3);
        }
        fflush(stdout);
    }
    for (int a = 0; a < o->num_lengths; a++)
        for (int b = 0; b < o->num_lengths; b++)
            if (o->lengths[a] == 1024 && o->lengths[b] == 4096)
                printf("lsh t(4096)/t(1024) = %.2f wall, %.2f cpu (linear: 4)\n",
                       cases[b].lsh_wall / cases[a].lsh_wall, cases[b].lsh_cpu / cases[a].lsh_cpu);
fail:
    for (int li = 0; li <= ready && li < o->num_lengths; li++) bench_case_release(&cases[li]);
    yoso_lsh_scratch_release(&sc);
    return status;
}

/* Whole-model forward times (hidden states) at each length, expectation vs LSH; one model in
 * memory at a time, a short warm-up run first, expectation skipped above --model-exp-max. */
static yoso_status bench_model(yoso_context *ctx, const bench_options *o) {
    yoso_status status = YOSO_OK;
    yoso_model *model = NULL;
    float *out = NULL;
    int32_t *ids = NULL;
    double times[2][MAX_LENGTHS];
    yoso_model_info info = {0};
    for (int mode = 0; mode < 2; mode++) {
        yoso_model_options mo = {.attention =
                                     mode ? YOSO_ATTENTION_LSH : YOSO_ATTENTION_EXPECTATION};
        YOSO_TRY(yoso_model_load(ctx, o->model_dir, &mo, &model));
        yoso_model_get_info(model, &info);
        for (int li = -1; li < o->num_model_lengths; li++) {
            const int L = li < 0 ? 16 : o->model_lengths[li]; /* li −1: warm-up */
            if (li >= 0) times[mode][li] = NAN;
            if (L > info.max_tokens || (!mode && L > o->model_exp_max)) continue;
            free(ids);
            free(out);
            ids = malloc((size_t)L * 4);
            out = malloc((size_t)L * info.hidden_size * 4);
            if (!ids || !out) {
                status = yoso_error_oom();
                goto fail;
            }
            for (int t = 0; t < L; t++) ids[t] = 3 + (t * 7919) % (info.vocab_size - 3);
            const double t0 = yoso_now();
            YOSO_TRY(yoso_model_hidden(model, 1, L, ids, NULL, out));
            if (li >= 0) times[mode][li] = yoso_now() - t0;
        }
        yoso_model_free(model);
        model = NULL;
    }
    printf("\nwhole model (%s, %d layers, hidden states): batch 1\n", o->model_dir,
           info.num_layers);
    printf("%8s %16s %12s %10s\n", "L", "expectation ms", "lsh ms", "exp/lsh");
    for (int li = 0; li < o->num_model_lengths; li++)
        printf("%8d %16.1f %12.1f %9.1fx\n", o->model_lengths[li], times[0][li] * 1e3,
               times[1][li] * 1e3, times[0][li] / times[1][li]);
fail:
    free(ids);
    free(out);
    yoso_model_free(model);
    return status;
}

int main(int argc, char **argv) {
    bench_options o = {.lengths = {512, 1024, 2048, 4096},
                       .num_lengths = 4,
                       .model_lengths = {512, 4096},
                       .num_model_lengths = 2,
                       .repeat = 5,
                       .model_exp_max = 4096,
                       .heads = 12,
                       .head_dim = 64,
                       .num_hash = 64,
                       .tau = 9};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--phases"))
            o.phases = 1;
        else if (!strcmp(a, "--no-lsh"))
            o.no_lsh = 1;
        else if (!strcmp(a, "--paths") && v) {
            o.num_paths = 0;
            for (char *tok = strtok(argv[++i], ","); tok && o.num_paths < MAX_PATHS;
                 tok = strtok(NULL, ","))
                o.paths[o.num_paths++] = tok;
        } else if ((!strcmp(a, "-d") || !strcmp(a, "--device")) && v)
            o.device = argv[++i];
        else if (!strcmp(a, "--lengths") && v)
            o.num_lengths = parse_lengths(argv[++i], o.lengths);
        else if (!strcmp(a, "--model-lengths") && v)
            o.num_model_lengths = parse_lengths(argv[++i], o.model_lengths);
        else if (!strcmp(a, "--repeat") && v)
            o.repeat = atoi(argv[++i]);
        else if (!strcmp(a, "--model-exp-max") && v)
            o.model_exp_max = atoi(argv[++i]);
        else if (!strcmp(a, "--model") && v)
            o.model_dir = argv[++i];
        else if (!strcmp(a, "--num-hash") && v)
            o.num_hash = atoi(argv[++i]);
        else if (!strcmp(a, "--hash-code-len") && v)
            o.tau = atoi(argv[++i]);
        else {
            fprintf(
                stderr,
                "usage: %s [-d DEVICE] [--lengths L1,L2,...] [--repeat N] [--phases] [--paths fused,blocked,tiled,fused@KiB] [--no-lsh] [--num-hash N] [--hash-code-len N] [--model DIR [--model-lengths ...] [--model-exp-max L]]\n",
                argv[0]);
            return 2;
        }
    }
    if (o.num_lengths < 1 || o.num_model_lengths < 1 || o.repeat < 1 || o.repeat > 64) {
        fprintf(stderr, "bench_attention: bad --lengths, --model-lengths or --repeat (1–64)\n");
        return 2;
    }
    yoso_context_options co = {.device_spec = o.device};
    yoso_context *ctx = NULL;
    yoso_status st = yoso_context_create(&co, &ctx);
    if (st == YOSO_OK && !o.num_paths) { /* default: the fused path against the blocked one */
        const int host = yoso_gemm_host_sgemm(ctx->gemm) != NULL;
        o.paths[0] = host ? "fused" : "tiled";
        o.paths[1] = "blocked";
        o.num_paths = host ? 2 : 1;
    }
    if (st == YOSO_OK) st = bench_attention(ctx, &o);
    if (st == YOSO_OK && o.model_dir) st = bench_model(ctx, &o);
    if (st != YOSO_OK) fprintf(stderr, "bench_attention: %s\n", yoso_last_error());
    yoso_context_free(ctx);
    return yoso_status_exit_code(st);
}

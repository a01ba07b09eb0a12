/* attention_fused.c — YOSO-E attention on the host for host-BLAS devices, fused per head and
 * query tile: S = Q̂·K̂ᵀ (cblas), E = (1 − acos(S)/π)^τ in place with padded keys zeroed, ctx =
 * E·V (cblas), each row normalized. A tile holds a few query rows × all keys and stays in cache
 * between the three steps, so the weights pass costs little next to the two GEMMs, and nothing
 * is launched or mapped per tile (the blocked path's 32 MiB blocks go through memory). With
 * OpenBLAS on several threads, each thread takes its own heads (one-thread products). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attention_internal.h"
#include "clock.h"
#include "gemm.h"

/* Keys from which the heads are split over threads (bench_attention at 128 keys: 2.5 ms on two
 * workers, 1.2 ms on one). */
#define FUSED_THREADS_MIN_KEYS 64

/* Makes sure the host tiles hold `floats` floats (64-byte aligned). */
static yoso_status fused_reserve(yoso_attention_state *att, size_t floats) {
    if (att->host_scores && att->host_scores_floats >= floats) return YOSO_OK;
    free(att->host_scores);
    att->host_scores_floats = 0;
    att->host_scores = aligned_alloc(64, yoso_round_up(floats * sizeof(float), 64));
    if (!att->host_scores) return yoso_error_oom();
    att->host_scores_floats = floats;
    return YOSO_OK;
}

/* Maps `bytes` of buf for flags (blocking: earlier commands have finished). */
static yoso_status fused_map(yoso_context *ctx, cl_mem buf, size_t bytes, cl_map_flags flags,
                             void **out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clEnqueueMapBuffer(ctx->queue, buf, CL_TRUE, flags, 0, bytes, 0, NULL, NULL, &err);
    CL_CHECK_ERR(err, "clEnqueueMapBuffer(fused attention operand)");
    return YOSO_OK;
fail:
    *out = NULL;
    return status;
}

/* x [rows, ld] row r ← x / max(‖x‖, 1e-12) over d columns, or zeros where mask[r] is 0. */
static void fused_normalize(float *x, size_t rows, size_t d, size_t ld, const int32_t *mask) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * ld, ss = 0.0f;
        for (size_t c = 0; c < d; c++) ss += row[c] * row[c];
        const float scale = mask[r] ? 1.0f / fmaxf(sqrtf(ss), 1e-12f) : 0.0f;
        for (size_t c = 0; c < d; c++) row[c] *= scale;
    }
}

/* The mapped operands and shapes of one call, shared by its workers. */
typedef struct {
    yoso_gemm *gemm;
    const float *q, *k, *v; /* [B, nh, L, d] */
    const int32_t *mask;    /* [B, L] */
    float *out;             /* [B, L, H] */
    size_t batch, heads, d, L, ld, tile;
    int tau;
    int one_thread;      /* each worker's products on its own thread alone (several workers) */
    const int32_t *keep; /* [nkeep] the flat query rows b·L + t whose output is needed, or NULL */
    size_t nkeep;
} fused_job;

/* One worker: heads first, first + stride, ... of all batch rows × heads, through its own score
 * tile S [tile, ld] (with keep: its own Q [tile, d], C [tile, d], rows and mask [tile] too);
 * phase[3] receives its seconds in the score GEMMs, weights, value GEMMs. */
typedef struct {
    const fused_job *job;
    size_t first, stride;
    float *S, *Q, *C;
    int32_t *rows, *mask;
    double phase[3];
} fused_worker;

/* Floats of one worker's tiles: S, and with keep Q, C, rows and mask. */
static size_t fused_worker_floats(size_t tile, size_t ld, size_t d, int keep) {
    return tile * ld + (keep ? tile * (2 * d + 2) : 0);
}

/* One query block: S = Q̂·K̂ᵀ (Q̂ [nq, d] at q), weights in place, C = S·V ([nq, d] at out, row
 * pitch ldo), rows normalized under qmask [nq]; head0 is the head's offset in k and v. */
static void fused_block(fused_worker *w, const float *q, int nq, size_t head0, const int32_t *m,
                        float *out, size_t ldo, const int32_t *qmask) {
    const fused_job *j = w->job;
    const double t0 = yoso_now();
    yoso_gemm_host_product(j->gemm, 1, nq, (int)j->L, (int)j->d, q, (int)j->d, j->k + head0,
                           (int)j->d, w->S, (int)j->ld);
    const double t1 = yoso_now();
    yoso_expectation_weights_host(w->S, (size_t)nq, j->L, j->ld, m, j->tau);
    const double t2 = yoso_now();
    yoso_gemm_host_product(j->gemm, 0, nq, (int)j->d, (int)j->L, w->S, (int)j->ld, j->v + head0,
                           (int)j->d, out, (int)ldo);
    fused_normalize(out, (size_t)nq, j->d, ldo, qmask);
    w->phase[0] += t1 - t0;
    w->phase[1] += t2 - t1;
    w->phase[2] += yoso_now() - t2;
}

/* Runs head bh over the kept query rows of its batch row only: up to `tile` of them at a time,
 * their Q̂ rows gathered into w->Q, their outputs computed in w->C and put at their rows. */
static void fused_run_kept(fused_worker *w, size_t bh) {
    const fused_job *j = w->job;
    const size_t H = j->heads * j->d, b = bh / j->heads, h = bh % j->heads;
    const size_t head0 = bh * j->L * j->d, row_bytes = j->d * sizeof(float);
    const int32_t *m = j->mask + b * j->L;
    for (size_t r = 0; r < j->nkeep;) {
        int nq = 0;
        for (; r < j->nkeep && (size_t)nq < j->tile; r++) {
            if ((size_t)j->keep[r] / j->L != b) continue;
            const size_t t = (size_t)j->keep[r] % j->L;
            memcpy(w->Q + (size_t)nq * j->d, j->q + head0 + t * j->d, row_bytes);
            w->rows[nq] = (int32_t)t, w->mask[nq] = m[t];
            nq++;
        }
        if (!nq) continue;
        fused_block(w, w->Q, nq, head0, m, w->C, j->d, w->mask);
        for (int i = 0; i < nq; i++)
            memcpy(j->out + (b * j->L + (size_t)w->rows[i]) * H + h * j->d, w->C + (size_t)i * j->d,
                   row_bytes);
    }
}

/* Runs a worker's heads: per query tile S = Q̂·K̂ᵀ, weights in place, ctx = S·V, rows normalized. */
static void *fused_run_worker(void *arg) {
    fused_worker *w = arg;
    const fused_job *j = w->job;
    const int was = j->one_thread ? yoso_gemm_host_caller_threads(j->gemm, 1) : 0;
    const size_t H = j->heads * j->d;
    for (size_t bh = w->first; bh < j->batch * j->heads; bh += w->stride) {
        if (j->keep) {
            fused_run_kept(w, bh);
            continue;
        }
        const size_t b = bh / j->heads, h = bh % j->heads;
        const size_t head0 = bh * j->L * j->d; /* q, k, v [B, nh, L, d] */
        const int32_t *m = j->mask + b * j->L;
        for (size_t q0 = 0; q0 < j->L; q0 += j->tile) {
            const int nq = (int)(j->L - q0 < j->tile ? j->L - q0 : j->tile);
            float *out = j->out + (b * j->L + q0) * H + h * j->d; /* ctx_out [B, L, H] */
            fused_block(w, j->q + head0 + q0 * j->d, nq, head0, m, out, H, m + q0);
        }
    }
    if (was > 0) yoso_gemm_host_caller_threads(j->gemm, was); /* the caller's thread, worker 0 */
    return NULL;
}

/* Runs the job on `threads` workers: with more than one, the host BLAS or oneDNN runs each
 * product on the worker's thread alone (their counts restored after) and the workers split the
 * heads, so the small per-tile products pay no thread hand-off and the weights pass uses every
 * core. */
static void fused_run(yoso_gemm *gemm, const fused_job *job, int threads, float *tiles,
                      double phase_s[3]) {
    enum { MAX_THREADS = 64 };
    fused_worker w[MAX_THREADS] = {{0}};
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads > 1) yoso_gemm_host_set_threads(gemm, 1);
    const size_t per = fused_worker_floats(job->tile, job->ld, job->d, job->keep != NULL);
    for (int i = 0; i < threads; i++) {
        float *S = tiles + i * per, *Q = S + job->tile * job->ld, *C = Q + job->tile * job->d;
        int32_t *rows = (int32_t *)(C + job->tile * job->d);
        w[i] =
            (fused_worker){job, (size_t)i, (size_t)threads, S, Q, C, rows, rows + job->tile, {0}};
    }
    for (int i = 1; i < threads; i++)
        started[i] = pthread_create(&tid[i], NULL, fused_run_worker, &w[i]) == 0;
    fused_run_worker(&w[0]);
    for (int i = 1; i < threads; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fused_run_worker(&w[i]); /* no thread: its heads run here */
    }
    if (threads > 1) yoso_gemm_host_set_threads(gemm, threads);
    yoso_gemm_host_products_end(gemm);
    for (int i = 0; i < threads; i++) /* per phase: the workers' mean, a share of the wall time */
        for (int p = 0; p < 3; p++) phase_s[p] += w[i].phase[p] / threads;
}

yoso_status yoso_attention_expectation_fused(yoso_attention_state *att, cl_mem q, cl_mem k,
                                             cl_mem v, cl_mem mask, cl_mem ctx_out, int batch,
                                             int seq, const int32_t *rows, int nrows) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = att->ctx;
    const yoso_cblas_sgemm_fn sgemm = yoso_gemm_host_sgemm(ctx->gemm);
    const size_t heads = (size_t)att->cfg.heads, d = (size_t)att->cfg.head_dim, H = heads * d;
    const size_t L = (size_t)seq, ld = yoso_round_up(L, 16), B = (size_t)batch;
    const size_t qkv_bytes = B * heads * L * d * sizeof(float);
    float *pq = NULL, *pk = NULL, *pv = NULL, *pout = NULL;
    int32_t *pmask = NULL;
    if (!sgemm)
        return yoso_error(YOSO_ERR_USAGE,
                          "fused expectation attention needs the host BLAS: set YOSO_GEMM=host");
    size_t tile = att->tile_bytes / sizeof(float) / ld;
    tile = tile >= L ? L : (tile < 8 ? 8 : tile / 8 * 8);
    /* one worker per host-BLAS thread (OpenBLAS), at most one per batch row × head; below
     * FUSED_THREADS_MIN_KEYS keys the products are too small to pay for the threads */
    int threads = L >= FUSED_THREADS_MIN_KEYS ? yoso_gemm_host_threads(ctx->gemm) : 1;
    if (threads < 1) threads = 1;
    if ((size_t)threads > B * heads) threads = (int)(B * heads);
    YOSO_TRY(fused_reserve(att, (size_t)threads * fused_worker_floats(tile, ld, d, rows != NULL)));
    YOSO_TRY(fused_map(ctx, q, qkv_bytes, CL_MAP_READ, (void **)&pq));
    YOSO_TRY(fused_map(ctx, k, qkv_bytes, CL_MAP_READ, (void **)&pk));
    YOSO_TRY(fused_map(ctx, v, qkv_bytes, CL_MAP_READ, (void **)&pv));
    YOSO_TRY(fused_map(ctx, mask, B * L * sizeof(int32_t), CL_MAP_READ, (void **)&pmask));
    YOSO_TRY(fused_map(ctx, ctx_out, B * L * H * sizeof(float), CL_MAP_WRITE_INVALIDATE_REGION,
                       (void **)&pout));
    const fused_job job = {
        ctx->gemm, pq, pk, pv,   pmask,        pout,        B,    heads,
        d,         L,  ld, tile, att->cfg.tau, threads > 1, rows, rows ? (size_t)nrows : 0};
    fused_run(ctx->gemm, &job, threads, att->host_scores, att->phase_s);
fail:;
    void *maps[5] = {pq, pk, pv, pmask, pout};
    cl_mem bufs[5] = {q, k, v, mask, ctx_out};
    for (int i = 0; i < 5; i++)
        if (maps[i]) clEnqueueUnmapMemObject(ctx->queue, bufs[i], maps[i], 0, NULL, NULL);
    return status;
}

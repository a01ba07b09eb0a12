/* gemm.c — choosing and dispatching the GEMM backend (CLBlast or the host BLAS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_internal.h"
#include "gemm_tuning.h"

/* 1 when the device is a CPU whose buffers are host memory, so mapping them costs nothing. */
static int gemm_device_shares_host_memory(const yoso_context *ctx) {
    cl_device_type type = 0;
    cl_bool unified = CL_FALSE;
    clGetDeviceInfo(ctx->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
    return (type & CL_DEVICE_TYPE_CPU) && unified;
}

/* Reads $YOSO_GEMM (as the context read it): "clblast", "host" or "auto"/unset. */
static yoso_status gemm_kind_from_env(const yoso_context *ctx, yoso_gemm_kind *kind) {
    const char *env = ctx->env.gemm;
    *kind = YOSO_GEMM_AUTO;
    if (!env || !*env || !strcmp(env, "auto")) return YOSO_OK;
    if (!strcmp(env, "clblast"))
        *kind = YOSO_GEMM_CLBLAST;
    else if (!strcmp(env, "host"))
        *kind = YOSO_GEMM_HOST_BLAS;
    else if (!strcmp(env, "portable"))
        *kind = YOSO_GEMM_PORTABLE;
    else
        return yoso_error(
            YOSO_ERR_USAGE,
            "YOSO_GEMM='%s' is not a GEMM backend: use clblast, host, portable or auto", env);
    return YOSO_OK;
}

yoso_status yoso_gemm_create(yoso_context *ctx, yoso_gemm **out) {
    yoso_gemm_kind kind;
    yoso_status status = gemm_kind_from_env(ctx, &kind);
    if (status != YOSO_OK) return status;
    return yoso_gemm_create_kind(ctx, kind, out);
}

yoso_status yoso_gemm_create_kind(yoso_context *ctx, yoso_gemm_kind kind, yoso_gemm **out) {
    *out = NULL;
    yoso_gemm *g = calloc(1, sizeof *g);
    if (!g) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory creating the GEMM backend");
    g->ctx = ctx;
    int want_host = kind == YOSO_GEMM_HOST_BLAS ||
                    (kind == YOSO_GEMM_AUTO && gemm_device_shares_host_memory(ctx));
    if (want_host) {
        yoso_status status = yoso_gemm_host_open(g);
        if (status == YOSO_OK) {
            g->kind = YOSO_GEMM_HOST_BLAS;
            if (yoso_gemm_onednn_open(g) != YOSO_OK && ctx->verbose)
                fprintf(stderr, "yoso: weights not packed: %s\n", yoso_last_error());
        } else if (kind == YOSO_GEMM_HOST_BLAS) {
            free(g);
            return status;
        }
    }
    if (kind == YOSO_GEMM_PORTABLE) {
        g->kind = YOSO_GEMM_PORTABLE;
        snprintf(g->name, sizeof g->name, "portable OpenCL GEMM");
    }
    if (g->kind != YOSO_GEMM_HOST_BLAS && g->kind != YOSO_GEMM_PORTABLE) {
        const char *source = "previously applied";
        if (!ctx->clblast_tuning_applied) { /* once per context: later overrides stay */
            yoso_status status = yoso_tuning_apply(ctx, &source);
            if (status != YOSO_OK) {
                free(g);
                return status;
            }
            ctx->clblast_tuning_applied = 1;
        }
        g->kind = YOSO_GEMM_CLBLAST;
        snprintf(g->name, sizeof g->name, "CLBlast (%s parameters)", source);
    }
    if (ctx->verbose) fprintf(stderr, "yoso: GEMM backend: %s\n", g->name);
    *out = g;
    return YOSO_OK;
}

void yoso_gemm_free(yoso_gemm *gemm) {
    if (!gemm) return;
    if (gemm->temp) clReleaseMemObject(gemm->temp);
    yoso_gemm_onednn_close(gemm);
    yoso_gemm_host_close(gemm);
    yoso_gemm_clblast_close(); /* before the caller releases the OpenCL context */
    free(gemm);
}

yoso_gemm_kind yoso_gemm_get_kind(const yoso_gemm *gemm) {
    return gemm->kind;
}

yoso_cblas_sgemm_fn yoso_gemm_host_sgemm(const yoso_gemm *gemm) {
    return gemm->kind == YOSO_GEMM_HOST_BLAS ? gemm->sgemm : NULL;
}

void yoso_gemm_host_product(yoso_gemm *gemm, int trans_b, int m, int n, int k, const float *a,
                            int lda, const float *b, int ldb, float *c, int ldc) {
    if (yoso_gemm_packs_weights(gemm) &&
        yoso_gemm_onednn_product(gemm, trans_b, m, n, k, a, lda, b, ldb, c, ldc) == YOSO_OK)
        return;
    gemm->sgemm(101, 111, trans_b ? 112 : 111, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}

void yoso_gemm_host_products_end(yoso_gemm *gemm) {
    if (yoso_gemm_packs_weights(gemm)) yoso_gemm_onednn_products_end(gemm);
}

int yoso_gemm_host_caller_threads(yoso_gemm *gemm, int n) {
    return yoso_gemm_packs_weights(gemm) ? yoso_gemm_onednn_caller_threads(gemm, n) : 0;
}

int yoso_gemm_host_threads(const yoso_gemm *gemm) {
    return gemm->kind == YOSO_GEMM_HOST_BLAS && gemm->get_threads ? gemm->get_threads() : 0;
}

void yoso_gemm_host_set_threads(yoso_gemm *gemm, int n) {
    if (gemm->kind == YOSO_GEMM_HOST_BLAS && gemm->set_threads) gemm->set_threads(n);
}

int yoso_gemm_packs_weights(const yoso_gemm *gemm) {
    return gemm->kind == YOSO_GEMM_HOST_BLAS && gemm->onednn;
}

/* The usage error of a packing call on a backend that does not pack. */
static yoso_status gemm_no_packing(const yoso_gemm *gemm) {
    return yoso_error(YOSO_ERR_USAGE, "the %s backend does not pack weights", gemm->name);
}

yoso_status yoso_gemm_pack_weight(yoso_gemm *gemm, const float *w, size_t n, size_t k, cl_mem *out,
                                  size_t *bytes) {
    *out = NULL;
    if (!yoso_gemm_packs_weights(gemm)) return gemm_no_packing(gemm);
    return yoso_gemm_onednn_pack(gemm, w, n, k, out, bytes);
}

yoso_status yoso_gemm_pack_weight_to(yoso_gemm *gemm, const float *w, size_t n, size_t k,
                                     void *dst) {
    if (!yoso_gemm_packs_weights(gemm)) return gemm_no_packing(gemm);
    return yoso_gemm_onednn_pack_to(gemm, w, n, k, dst);
}

yoso_status yoso_gemm_pack_layout(yoso_gemm *gemm, size_t n, size_t k, const void **desc,
                                  size_t *desc_bytes, size_t *bytes) {
    if (!yoso_gemm_packs_weights(gemm)) return gemm_no_packing(gemm);
    return yoso_gemm_onednn_pack_layout(gemm, n, k, desc, desc_bytes, bytes);
}

yoso_status yoso_gemm_run_linear(yoso_gemm *gemm, cl_mem x, cl_mem w, cl_mem y, size_t rows,
                                 size_t n, size_t k) {
    if (!yoso_gemm_packs_weights(gemm))
        return yoso_error(YOSO_ERR_USAGE, "the %s backend has no packed weights", gemm->name);
    if (rows == 0 || n == 0) return YOSO_OK;
    return yoso_gemm_onednn_linear(gemm, x, w, y, rows, n, k);
}

const char *yoso_gemm_backend_name(const yoso_gemm *gemm) {
    return gemm->name;
}

/* After CLBlast failed: warns once and switches to the host BLAS (buffers in host memory) or
 * the portable kernel for good. */
static void gemm_fall_back(yoso_gemm *g) {
    char why[512];
    snprintf(why, sizeof why, "%s", yoso_last_error());
    if (gemm_device_shares_host_memory(g->ctx) && yoso_gemm_host_open(g) == YOSO_OK) {
        g->kind = YOSO_GEMM_HOST_BLAS;
    } else {
        g->kind = YOSO_GEMM_PORTABLE;
        snprintf(g->name, sizeof g->name, "portable OpenCL GEMM (CLBlast failed)");
    }
    if (!g->ctx->clblast_failed)
        yoso_warn("CLBlast cannot run on %s (%s): using the %s for every matrix product instead",
                  g->ctx->info.name, why, g->name);
    g->ctx->clblast_failed = 1;
}

yoso_status yoso_gemm_run(yoso_gemm *gemm, const yoso_gemm_args *args) {
    if (args->m == 0 || args->n == 0) return YOSO_OK;
    if (gemm->kind == YOSO_GEMM_HOST_BLAS) return yoso_gemm_host_run(gemm, args);
    if (gemm->kind == YOSO_GEMM_PORTABLE) return yoso_gemm_portable_run(gemm, args);
    yoso_status status =
        gemm->ctx->clblast_failed ? YOSO_ERR_OPENCL : yoso_gemm_clblast_run(gemm, args);
    if (status != YOSO_ERR_OPENCL) return status; /* done, or out of memory: no fallback helps */
    gemm_fall_back(gemm);
    return yoso_gemm_run(gemm, args);
}

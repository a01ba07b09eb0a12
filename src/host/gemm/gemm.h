/* gemm.h — the one interface every dense matrix product goes through (row-major, float32). */
#ifndef YOSO_GEMM_H
#define YOSO_GEMM_H

#include <CL/cl.h>
#include <stddef.h>

#include "yoso.h"

typedef struct yoso_gemm yoso_gemm;

/* The backends behind the interface. AUTO picks the host BLAS for a CPU device whose buffers live
 * in host memory (when a fast BLAS can be loaded), else CLBlast. */
typedef enum yoso_gemm_kind {
    YOSO_GEMM_AUTO = 0,
    YOSO_GEMM_CLBLAST,   /* CLBlast kernels on the device (GPUs; CPUs without a host BLAS) */
    YOSO_GEMM_HOST_BLAS, /* cblas_sgemm of the host's BLAS on mapped (zero-copy) buffers */
    YOSO_GEMM_PORTABLE   /* yoso's own simple kernel: the fallback where CLBlast cannot run */
} yoso_gemm_kind;

/* cblas_sgemm with the enums as ints (CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112). */
typedef void (*yoso_cblas_sgemm_fn)(int layout, int trans_a, int trans_b, int m, int n, int k,
                                    float alpha, const float *a, int lda, const float *b, int ldb,
                                    float beta, float *c, int ldc);

/* One matrix of a product: its buffer, the offset of its first element, its leading dimension
 * (row pitch) and, for batches, the distance from one product's matrix to the next (elements). */
typedef struct yoso_gemm_matrix {
    cl_mem buf;
    size_t offset, ld, stride;
} yoso_gemm_matrix;

/* C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b] for b < batch, all row-major.
 * op(A) is [m, k], op(B) is [k, n], C is [m, n]. Offsets, leading dimensions and strides count
 * floats. trans_b = 1 with B stored [n, k] computes x·Wᵀ for nn.Linear weights. */
typedef struct yoso_gemm_args {
    int trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    yoso_gemm_matrix a, b, c;
    size_t batch; /* 0 or 1: a single product */
} yoso_gemm_args;

/* The product C = op(A) · op(B) of these matrices and shape, with alpha 1 and beta 0, as BLAS
 * orders a call's arguments; batch 0 or 1 is a single product. */
static inline yoso_gemm_args yoso_gemm_product(int trans_a, int trans_b, size_t m, size_t n,
                                               size_t k, yoso_gemm_matrix a, yoso_gemm_matrix b,
                                               yoso_gemm_matrix c, size_t batch) {
    const yoso_gemm_args g = {trans_a, trans_b, m, n, k, 1.0f, 0.0f, a, b, c, batch};
    return g;
}

/* Creates the GEMM backend for the context's device: $YOSO_GEMM (clblast, host, portable or
 * auto) or AUTO. When CLBlast fails to run a product (no database entry, work-group limits, a
 * failed launch), the backend warns once and runs that product and every later one on the host
 * BLAS (buffers in host memory) or the portable kernel. */
yoso_status yoso_gemm_create(yoso_context *ctx, yoso_gemm **out);
/* Creates a specific backend; HOST_BLAS fails with YOSO_ERR_UNSUPPORTED when no host BLAS loads. */
yoso_status yoso_gemm_create_kind(yoso_context *ctx, yoso_gemm_kind kind, yoso_gemm **out);
void yoso_gemm_free(yoso_gemm *gemm);
/* Enqueues one (batched) product on the context's queue. CLBlast does not wait for it; the host
 * BLAS backend waits for earlier commands, computes, and returns with the result in place. */
yoso_status yoso_gemm_run(yoso_gemm *gemm, const yoso_gemm_args *args);
/* 1 when the backend keeps nn.Linear weights in a layout of its own (the host BLAS backend with
 * oneDNN): yoso_gemm_pack_weight then packs each once and yoso_gemm_run_linear multiplies them.
 */
int yoso_gemm_packs_weights(const yoso_gemm *gemm);
/* Creates *out, a new device buffer holding the nn.Linear weight W [n, k] (float32, row-major,
 * host memory) in the backend's layout; *bytes: its size. Only where yoso_gemm_packs_weights. */
yoso_status yoso_gemm_pack_weight(yoso_gemm *gemm, const float *w, size_t n, size_t k, cl_mem *out,
                                  size_t *bytes);
/* yoso_gemm_pack_weight into host memory: dst [bytes of yoso_gemm_pack_layout] = W [n, k] in
 * the backend's layout, for a caller that makes the buffer over it. */
yoso_status yoso_gemm_pack_weight_to(yoso_gemm *gemm, const float *w, size_t n, size_t k,
                                     void *dst);
/* The layout yoso_gemm_pack_weight gives W [n, k]: *desc (desc_bytes, owned by gemm) describes
 * it, opaquely (equal bytes: the same layout), so that packed bytes kept on disk can be checked
 * against it; *bytes is its size. Only where yoso_gemm_packs_weights. */
yoso_status yoso_gemm_pack_layout(yoso_gemm *gemm, size_t n, size_t k, const void **desc,
                                  size_t *desc_bytes, size_t *bytes);
/* y [rows, n] = x [rows, k] · Wᵀ with W packed by yoso_gemm_pack_weight; waits for earlier
 * commands and returns with y in place, like the host BLAS. */
yoso_status yoso_gemm_run_linear(yoso_gemm *gemm, cl_mem x, cl_mem w, cl_mem y, size_t rows,
                                 size_t n, size_t k);
/* The backend in use (never AUTO). */
yoso_gemm_kind yoso_gemm_get_kind(const yoso_gemm *gemm);
/* The host BLAS's cblas_sgemm when the backend is HOST_BLAS, else NULL: for callers that
 * multiply host memory they mapped themselves (fused expectation attention). */
yoso_cblas_sgemm_fn yoso_gemm_host_sgemm(const yoso_gemm *gemm);
/* C [m, n] = A [m, k] · Bᵀ (trans_b: B [n, k]) or A · B (B [k, n]), row-major host memory the
 * caller mapped, leading dimensions lda, ldb, ldc: on oneDNN where the HOST_BLAS backend has it
 * (on the calling thread's team: yoso_gemm_host_caller_threads), else the host BLAS. Several
 * threads may run products at once until yoso_gemm_host_products_end. */
void yoso_gemm_host_product(yoso_gemm *gemm, int trans_b, int m, int n, int k, const float *a,
                            int lda, const float *b, int ldb, float *c, int ldc);
/* Ends a set of (concurrent) host products: what they cached is trimmed. */
void yoso_gemm_host_products_end(yoso_gemm *gemm);
/* Sets how many threads the calling thread's host products use on oneDNN; returns the previous
 * count, 0 when the backend has no oneDNN (the host BLAS's count: yoso_gemm_host_set_threads). */
int yoso_gemm_host_caller_threads(yoso_gemm *gemm, int n);
/* The host BLAS's thread count when it can be read and set (OpenBLAS), else 0. */
int yoso_gemm_host_threads(const yoso_gemm *gemm);
/* Sets the host BLAS's thread count (OpenBLAS only; a no-op elsewhere): 1 lets callers run
 * products on threads of their own. */
void yoso_gemm_host_set_threads(yoso_gemm *gemm, int n);
/* The backend's name, e.g. "CLBlast" or "host BLAS (libopenblas.so.0, SkylakeX kernels)". */
const char *yoso_gemm_backend_name(const yoso_gemm *gemm);

#endif

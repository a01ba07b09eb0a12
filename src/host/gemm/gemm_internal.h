/* gemm_internal.h — the state shared by the GEMM dispatcher and its backends. */
#ifndef YOSO_GEMM_INTERNAL_H
#define YOSO_GEMM_INTERNAL_H

#include "gemm.h"
#include "runtime.h"

typedef struct yoso_gemm_onednn yoso_gemm_onednn;

struct yoso_gemm {
    yoso_context *ctx;
    yoso_gemm_kind kind;
    char name[128];
    /* CLBlast */
    cl_mem temp; /* CLBlast's scratch space, grown on demand and reused */
    size_t temp_bytes;
    /* host BLAS */
    void *blas_handle; /* dlopen handle of the BLAS library */
    yoso_cblas_sgemm_fn sgemm;
    /* cblas_sgemv (enums as ints), for one-row products: OpenBLAS's sgemm would copy the whole
     * matrix into its packed layout first (the tied decoder at one masked position: 154 MB) */
    void (*sgemv)(int layout, int trans, int m, int n, float alpha, const float *a, int lda,
                  const float *x, int incx, float beta, float *y, int incy);
    int (*get_threads)(void); /* openblas_get_num_threads, or NULL (another BLAS) */
    void (*set_threads)(int); /* openblas_set_num_threads, or NULL */
    yoso_gemm_onednn *onednn; /* oneDNN for the packed nn.Linear weights, or NULL */
};

/* Drops CLBlast's process-wide cache of compiled programs, which would otherwise be released at
 * exit after their OpenCL context is gone (Oclgrind then frees it twice). */
void yoso_gemm_clblast_close(void);
/* Runs one product through CLBlast. */
yoso_status yoso_gemm_clblast_run(yoso_gemm *gemm, const yoso_gemm_args *args);
/* Runs one product through yoso's portable OpenCL kernel. */
yoso_status yoso_gemm_portable_run(yoso_gemm *gemm, const yoso_gemm_args *args);
/* Loads a host BLAS into gemm (sgemm, blas_handle, name); YOSO_ERR_UNSUPPORTED if none loads. */
yoso_status yoso_gemm_host_open(yoso_gemm *gemm);
/* Runs one product through the host BLAS on mapped buffers. */
yoso_status yoso_gemm_host_run(yoso_gemm *gemm, const yoso_gemm_args *args);
/* Closes the host BLAS library. */
void yoso_gemm_host_close(yoso_gemm *gemm);
/* Loads oneDNN into gemm->onednn (gemm_onednn.c); YOSO_ERR_UNSUPPORTED when it is off, not
 * installed or not in the build. */
yoso_status yoso_gemm_onednn_open(yoso_gemm *gemm);
/* Frees gemm->onednn's primitives and engine. */
void yoso_gemm_onednn_close(yoso_gemm *gemm);
/* Creates *out, a new buffer of *bytes holding W [n, k] (float32, host memory) in oneDNN's
 * layout. */
yoso_status yoso_gemm_onednn_pack(yoso_gemm *gemm, const float *w, size_t n, size_t k, cl_mem *out,
                                  size_t *bytes);
/* dst (host memory of the layout's size) = W [n, k] in oneDNN's layout. */
yoso_status yoso_gemm_onednn_pack_to(yoso_gemm *gemm, const float *w, size_t n, size_t k,
                                     void *dst);
/* oneDNN's layout of W [n, k]: its memory descriptor (owned by gemm) and size. */
yoso_status yoso_gemm_onednn_pack_layout(yoso_gemm *gemm, size_t n, size_t k, const void **desc,
                                         size_t *desc_bytes, size_t *bytes);
/* y [rows, n] = x [rows, k] · Wᵀ on oneDNN, W packed by yoso_gemm_onednn_pack. */
yoso_status yoso_gemm_onednn_linear(yoso_gemm *gemm, cl_mem x, cl_mem w, cl_mem y, size_t rows,
                                    size_t n, size_t k);

/* C [m, n] = A [m, k] · Bᵀ (trans_b: B [n, k]) or A · B (B [k, n]), row-major host memory, on
 * oneDNN with the calling thread's OpenMP team; several threads may call it at once. */
yoso_status yoso_gemm_onednn_product(yoso_gemm *gemm, int trans_b, int m, int n, int k,
                                     const float *a, int lda, const float *b, int ldb, float *c,
                                     int ldc);
/* Drops all but the newest host product shapes (no product may be running). */
void yoso_gemm_onednn_products_end(yoso_gemm *gemm);
/* Sets the calling thread's OpenMP team size for oneDNN; returns the old one (0: no oneDNN). */
int yoso_gemm_onednn_caller_threads(yoso_gemm *gemm, int n);

#endif

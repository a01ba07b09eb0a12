/* gemm.h — the one interface every dense matrix product goes through (row-major, float32). */
#ifndef YOSO_GEMM_H
#define YOSO_GEMM_H

#include <CL/cl.h>
#include <stddef.h>

#include "yoso.h"

typedef struct yoso_gemm yoso_gemm;

/* C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b] for b < batch, all row-major.
 * op(A) is [m, k], op(B) is [k, n], C is [m, n]. Offsets, leading dimensions and strides count
 * floats. trans_b = 1 with B stored [n, k] computes x·Wᵀ for nn.Linear weights. */
typedef struct yoso_gemm_args {
    int trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    cl_mem a; size_t a_offset, lda, a_stride;
    cl_mem b; size_t b_offset, ldb, b_stride;
    cl_mem c; size_t c_offset, ldc, c_stride;
    size_t batch; /* 0 or 1: a single product */
} yoso_gemm_args;

/* Creates the GEMM backend for the context's device (CLBlast, with reusable temp buffers). */
yoso_status yoso_gemm_create(yoso_context *ctx, yoso_gemm **out);
void yoso_gemm_free(yoso_gemm *gemm);
/* Enqueues one (batched) product on the context's queue; does not wait for it. */
yoso_status yoso_gemm_run(yoso_gemm *gemm, const yoso_gemm_args *args);
/* The backend's name, e.g. "CLBlast". */
const char *yoso_gemm_backend_name(const yoso_gemm *gemm);

#endif

/* gemm_internal.h — the state shared by the GEMM dispatcher and its backends. */
#ifndef YOSO_GEMM_INTERNAL_H
#define YOSO_GEMM_INTERNAL_H

#include "gemm.h"
#include "runtime.h"

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
    int (*get_threads)(void); /* openblas_get_num_threads, or NULL (another BLAS) */
    void (*set_threads)(int); /* openblas_set_num_threads, or NULL */
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

#endif

/* gemm.cl — the portable GEMM: what the GEMM interface falls back to where CLBlast cannot run. */

/* C[q] = alpha · op(A[q]) · op(B[q]) + beta · C[q] for q < batch, row-major, op(A) [m, k], op(B)
 * [k, n]; offsets, leading dimensions and strides count floats (B stored [n, k] when trans_b).
 * beta = 0 never reads C. One work-item per element of C: global (n, m, batch), any local size. */
#ifdef YOSO_WANT_gemm_portable
__kernel void gemm_portable(__global const float *a, const ulong a_off, const ulong lda,
                            const ulong a_stride, const int trans_a, __global const float *b,
                            const ulong b_off, const ulong ldb, const ulong b_stride,
                            const int trans_b, __global float *c, const ulong c_off,
                            const ulong ldc, const ulong c_stride, const int m, const int n,
                            const int k, const float alpha, const float beta) {
    const int j = get_global_id(0), i = get_global_id(1), q = get_global_id(2);
    if (i >= m || j >= n) return;
    __global const float *ap = a + a_off + q * a_stride + (trans_a ? (ulong)i : i * lda);
    __global const float *bp = b + b_off + q * b_stride + (trans_b ? j * ldb : (ulong)j);
    const ulong as = trans_a ? lda : 1, bs = trans_b ? 1 : ldb;
    float s = 0.0f;
    for (int p = 0; p < k; p++) s = mad(ap[p * as], bp[p * bs], s);
    __global float *cv = c + c_off + q * c_stride + i * ldc + j;
    *cv = beta == 0.0f ? alpha * s : alpha * s + beta * *cv;
}
#endif

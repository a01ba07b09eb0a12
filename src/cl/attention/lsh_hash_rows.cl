/* lsh_hash_rows.cl — the fast Hadamard hash of lsh_hash.cl, CPU layout: one work-item hashes 16
 * rows at once with float16 arithmetic (one SIMD lane per row), doing exactly the same float
 * operations in the same order, so the codes are identical bit for bit. PoCL's own vectorization
 * across work-items does not reach lsh_hash_<dp>'s unrolled transform; explicit vectors do
 * (PoCL, 2 cores, 12 heads × 1024 rows × 10 parts: 9 ms here, 125 ms with lsh_hash_64). */

/* y ← H·y for 16 rows at once: the butterflies of lsh_wht, strides dp/2 down to 1. */
static __attribute__((always_inline)) void lsh_wht16(float16 *y, const int dp, const int log2_dp) {
    for (int k = 1; k <= log2_dp; k++) {
        const int s = dp >> k;
        for (int i0 = 0; i0 < dp; i0 += 2 * s)
            for (int i = i0; i < i0 + s; i++) {
                const float16 a = y[i], b = y[i + s];
                y[i] = a + b;
                y[i + s] = a - b;
            }
    }
}

/* The body of the lsh_hash_rows_<dp> kernels; arguments as lsh_hash_64's. */
static __attribute__((always_inline)) void lsh_hash_rows_body(
        const int dp, const int log2_dp, __global const float *x, __global const int *mask,
        __global const float *signs, __global int *codes, const int seq, const int heads,
        const int head_dim, const int num_part, const int num_hash, const int tau,
        const int sign_rows, const int p_begin, const int p_end) {
    const int t0 = get_global_id(0) * 16, bh = get_global_id(1);
    if (t0 >= seq) return;
    const int rows = min(16, seq - t0);
    float xt[YOSO_MAX_HEAD_DIM * 16]; /* [dp, 16]: the rows transposed, zero-padded */
    int lane_valid[16];               /* −1 for a real token, 0 for padding or past seq */
    __global const float *src = x + ((size_t)bh * seq + t0) * head_dim;
    __global const int *mrow = mask + (size_t)(bh / heads) * seq + t0;
    for (int r = 0; r < 16; r++) {
        for (int c = 0; c < dp; c++)
            xt[c * 16 + r] = (r < rows && c < head_dim) ? src[r * head_dim + c] : 0.0f;
        lane_valid[r] = (r < rows && mrow[r] != 0) ? -1 : 0;
    }
    const int16 valid = vload16(0, lane_valid);
    const int per_part = dp / tau;
    __global const float *sg = signs + (size_t)(bh % sign_rows) * 3 * num_part * dp;
    for (int p = p_begin; p < p_end; p++) {
        float16 y[YOSO_MAX_HEAD_DIM];
        for (int c = 0; c < dp; c++) y[c] = vload16(c, xt);
        for (int round = 0; round < 3; round++) {
            __global const float *d = sg + ((size_t)round * num_part + p) * dp;
            for (int c = 0; c < dp; c++) y[c] *= d[c];
            lsh_wht16(y, dp, log2_dp);
        }
        for (int j = 0; j < per_part && p * per_part + j < num_hash; j++) {
            int16 code = 0;
            for (int i = 0; i < tau; i++)
                code |= (y[j * tau + i] > (float16)0.0f) & (int16)(1 << i);
            code = valid ? code : (int16)(-1); /* per lane: the sign bit of valid selects */
            __global int *dst = codes + ((size_t)bh * num_hash + p * per_part + j) * seq + t0;
            if (rows == 16) {
                vstore16(code, 0, dst);
            } else {
                int lanes[16];
                vstore16(code, 0, lanes);
                for (int r = 0; r < rows; r++) dst[r] = lanes[r];
            }
        }
    }
}

/* As lsh_hash_32, 16 rows per work-item, parts [p_begin, p_end) (the launcher splits the parts
 * over launches to bound a work-item's loops): global (ceil(L / 16), B·nh), any local size. */
#define LSH_HASH_ROWS_KERNEL(DP, LOG_DP)                                                          \
    __kernel void lsh_hash_rows_##DP(__global const float *x, __global const int *mask,           \
                                     __global const float *signs, __global int *codes,            \
                                     const int seq, const int heads, const int head_dim,          \
                                     const int num_part, const int num_hash, const int tau,       \
                                     const int sign_rows, const int p_begin, const int p_end) {   \
        lsh_hash_rows_body(DP, LOG_DP, x, mask, signs, codes, seq, heads, head_dim, num_part,     \
                           num_hash, tau, sign_rows, p_begin, p_end);                             \
    }
/* One kernel per part size dp = 32, 64, 128: lsh_hash_rows_32, _64, _128. */
#ifdef YOSO_WANT_lsh_hash_rows_32
LSH_HASH_ROWS_KERNEL(32, 5)
#endif
#ifdef YOSO_WANT_lsh_hash_rows_64
LSH_HASH_ROWS_KERNEL(64, 6)
#endif
#ifdef YOSO_WANT_lsh_hash_rows_128
LSH_HASH_ROWS_KERNEL(128, 7)
#endif

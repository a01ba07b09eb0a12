/* lsh_hash_rows.cl — the fast Hadamard hash of lsh_hash.cl, CPU layout: one work-item hashes 16
 * rows at once with float16 arithmetic (one SIMD lane per row), doing exactly the same float
 * operations in the same order, so the codes are identical bit for bit. PoCL's own vectorization
 * across work-items does not reach lsh_hash_<dp>'s unrolled transform; explicit vectors do
 * (PoCL, 2 cores, 12 heads × 1024 rows × 10 parts: 9 ms here, 125 ms with lsh_hash_64). */

/* One butterfly of lsh_wht on 16 rows at once: (a, b) ← (a + b, a − b). */
#define LSH_BFLY(a, b)                                                                             \
    do {                                                                                           \
        const float16 lsh_a_ = (a), lsh_b_ = (b);                                                  \
        (a) = lsh_a_ + lsh_b_;                                                                     \
        (b) = lsh_a_ - lsh_b_;                                                                     \
    } while (0)

/* Loads y[i] (× d[i] from src when mul, the round's ±1 signs applied first) into r. */
#define LSH_LOAD(r, i) ((r) = mul ? src[i] * d[i] : y[i])

/* Three consecutive stages of lsh_wht (strides 4·lo, 2·lo, lo) on the 8 entries
 * i0 + j·lo, j < 8, kept in registers: one load and one store each for three butterflies. */
static __attribute__((always_inline)) void lsh_wht16_radix8(float16 *y, const float16 *src,
                                                            __global const float *d, const int mul,
                                                            const int i0, const int lo) {
    float16 r0, r1, r2, r3, r4, r5, r6, r7;
    LSH_LOAD(r0, i0);
    LSH_LOAD(r1, i0 + lo);
    LSH_LOAD(r2, i0 + 2 * lo);
    LSH_LOAD(r3, i0 + 3 * lo);
    LSH_LOAD(r4, i0 + 4 * lo);
    LSH_LOAD(r5, i0 + 5 * lo);
    LSH_LOAD(r6, i0 + 6 * lo);
    LSH_LOAD(r7, i0 + 7 * lo);
    LSH_BFLY(r0, r4);
    LSH_BFLY(r1, r5);
    LSH_BFLY(r2, r6);
    LSH_BFLY(r3, r7);
    LSH_BFLY(r0, r2);
    LSH_BFLY(r1, r3);
    LSH_BFLY(r4, r6);
    LSH_BFLY(r5, r7);
    LSH_BFLY(r0, r1);
    LSH_BFLY(r2, r3);
    LSH_BFLY(r4, r5);
    LSH_BFLY(r6, r7);
    y[i0] = r0;
    y[i0 + lo] = r1;
    y[i0 + 2 * lo] = r2;
    y[i0 + 3 * lo] = r3;
    y[i0 + 4 * lo] = r4;
    y[i0 + 5 * lo] = r5;
    y[i0 + 6 * lo] = r6;
    y[i0 + 7 * lo] = r7;
}

/* Two stages (strides 2·lo, lo) on the 4 entries i0 + j·lo of y. */
static __attribute__((always_inline)) void lsh_wht16_radix4(float16 *y, const int i0,
                                                            const int lo) {
    float16 r0 = y[i0], r1 = y[i0 + lo], r2 = y[i0 + 2 * lo], r3 = y[i0 + 3 * lo];
    LSH_BFLY(r0, r2);
    LSH_BFLY(r1, r3);
    LSH_BFLY(r0, r1);
    LSH_BFLY(r2, r3);
    y[i0] = r0;
    y[i0 + lo] = r1;
    y[i0 + 2 * lo] = r2;
    y[i0 + 3 * lo] = r3;
}

/* y ← H·(D·src) for 16 rows at once (src may be y, d the round's ±1 signs): lsh_wht's butterflies,
 * strides dp/2 down to 1, three stages per pass over y (the signs applied as the first pass
 * loads; dp ≥ 32, so the first pass is a radix-8 one), the last pass two or one. Every butterfly
 * is lsh_wht's, on the same operands (a stage's butterflies are independent, and a pass's groups
 * are closed under its stages), so the result is the same bit for bit. */
static __attribute__((always_inline)) void lsh_wht16(float16 *y, const float16 *src,
                                                     __global const float *d, const int dp,
                                                     const int log2_dp) {
    int k0 = 0; /* stages done; stage k has stride dp >> (k + 1) */
    for (; k0 + 3 <= log2_dp; k0 += 3) {
        const int lo = dp >> (k0 + 3), block = dp >> k0;
        for (int hi = 0; hi < dp; hi += block)
            for (int l = 0; l < lo; l++) {
                if (k0 == 0)
                    lsh_wht16_radix8(y, src, d, 1, hi + l, lo);
                else
                    lsh_wht16_radix8(y, src, d, 0, hi + l, lo);
            }
    }
    if (log2_dp - k0 == 2) /* strides 2 and 1 */
        for (int i = 0; i < dp; i += 4) lsh_wht16_radix4(y, i, 1);
    else if (log2_dp - k0 == 1) /* stride 1 */
        for (int i = 0; i < dp; i += 2) LSH_BFLY(y[i], y[i + 1]);
}

/* out[j], lane r = row r's entry j of the 16 × 16 block whose row r is src[r·stride], in registers:
 * four rounds of unzipping pairs of rows, each a rotation of the (row, column) index bits by one,
 * so the four make the transpose (PoCL makes gathers or scalar moves of a plain loop). */
static __attribute__((always_inline)) void lsh_transpose16(__global const float16 *src,
                                                           const int stride, float16 *out) {
    float16 v[16], w[16];
    for (int r = 0; r < 16; r++) v[r] = src[r * stride];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
            w[i] = (float16)(v[2 * i].even, v[2 * i + 1].even);
            w[8 + i] = (float16)(v[2 * i].odd, v[2 * i + 1].odd);
        }
        for (int i = 0; i < 16; i++) v[i] = w[i];
    }
    for (int j = 0; j < 16; j++) out[j] = v[j];
}

/* The body of the lsh_hash_rows_<dp> kernels; arguments as lsh_hash_64's. */
static __attribute__((always_inline)) void
lsh_hash_rows_body(const int dp, const int log2_dp, __global const float *x,
                   __global const int *mask, __global const float *signs, __global int *codes,
                   const int seq, const int heads, const int head_dim, const int num_part,
                   const int num_hash, const int tau, const int sign_rows, const int p_begin,
                   const int p_end) {
    const int t0 = get_global_id(0) * 16, bh = get_global_id(1);
    if (t0 >= seq) return;
    const int rows = min(16, seq - t0);
    float16 xt[YOSO_MAX_HEAD_DIM]; /* [dp] × 16 lanes: the rows transposed, zero-padded */
    int lane_valid[16];            /* −1 for a real token, 0 for padding or past seq */
    __global const float *src = x + ((size_t)bh * seq + t0) * head_dim;
    __global const int *mrow = mask + (size_t)(bh / heads) * seq + t0;
    if (rows == 16 && head_dim == dp) { /* whole 16 × 16 blocks, 64-byte aligned */
        for (int c0 = 0; c0 < dp; c0 += 16)
            lsh_transpose16((__global const float16 *)(src + c0), head_dim / 16, xt + c0);
    } else {
        for (int c = 0; c < dp; c++) {
            float lanes[16];
            for (int r = 0; r < 16; r++)
                lanes[r] = (r < rows && c < head_dim) ? src[r * head_dim + c] : 0.0f;
            xt[c] = vload16(0, lanes);
        }
    }
    for (int r = 0; r < 16; r++) lane_valid[r] = (r < rows && mrow[r] != 0) ? -1 : 0;
    const int16 valid = vload16(0, lane_valid);
    const int per_part = dp / tau;
    __global const float *sg = signs + (size_t)(bh % sign_rows) * 3 * num_part * dp;
    for (int p = p_begin; p < p_end; p++) {
        float16 y[YOSO_MAX_HEAD_DIM];
        for (int round = 0; round < 3; round++)
            lsh_wht16(y, round == 0 ? xt : y, sg + ((size_t)round * num_part + p) * dp, dp,
                      log2_dp);
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
#define LSH_HASH_ROWS_KERNEL(DP, LOG_DP)                                                           \
    __kernel void lsh_hash_rows_##DP(__global const float *x, __global const int *mask,            \
                                     __global const float *signs, __global int *codes,             \
                                     const int seq, const int heads, const int head_dim,           \
                                     const int num_part, const int num_hash, const int tau,        \
                                     const int sign_rows, const int p_begin, const int p_end) {    \
        lsh_hash_rows_body(DP, LOG_DP, x, mask, signs, codes, seq, heads, head_dim, num_part,      \
                           num_hash, tau, sign_rows, p_begin, p_end);                              \
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

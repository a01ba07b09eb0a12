/* lsh_hash.cl — YOSO's fast Hadamard hash (HF use_fast_hash, DESIGN §3), GPU layout.
 *
 * Per (row, part p): y = H·D3·H·D2·H·D1·x over dp dims (x zero-padded from head_dim to dp, a
 * power of two ≥ 32), H the unnormalized Walsh–Hadamard transform in Sylvester order, D the ±1
 * signs of (row's sign group, round, part). Code j of part p (hash function p·⌊dp/τ⌋ + j, kept if
 * < num_hash) = Σ_{i<τ} [y[j·τ + i] > 0]·2^i. Padded rows get code −1.
 *
 * One work-item per (row, part), y in private memory with compile-time trip counts (dp is a
 * literal in each kernel), so GPUs keep it in registers. CPUs use lsh_hash_rows.cl, which does the
 * same float operations in the same order on 16 rows at once. */

/* y ← H·y over DP entries: butterflies (a + b, a − b), strides DP/2 down to 1 (HF's order, so the
 * float rounding of the sums is the same as the CUDA kernel's). */
static __attribute__((always_inline)) void lsh_wht(float *y, const int dp, const int log2_dp) {
    for (int k = 1; k <= log2_dp; k++) {
        const int s = dp >> k;
        for (int i = 0; i < dp; i++) {
            if (i & s) continue;
            const float a = y[i], b = y[i + s];
            y[i] = a + b;
            y[i + s] = a - b;
        }
    }
}

/* Bits [start, start + len) of the 128-bit word (lo, hi), len ≤ 16, start + len ≤ 128. */
static inline int lsh_bit_field(const ulong lo, const ulong hi, const int start, const int len) {
    ulong w;
    if (start >= 64) w = hi >> (start - 64);
    else if (start == 0) w = lo;
    else w = (lo >> start) | (hi << (64 - start));
    return (int)(w & (ulong)((1 << len) - 1));
}

/* The body shared by the lsh_hash_<dp> kernels; see lsh_hash_64 for the arguments. */
static __attribute__((always_inline)) void lsh_hash_body(
        const int dp, const int log2_dp, __global const float *x, __global const int *mask,
        __global const float *signs, __global int *codes, const int seq, const int heads,
        const int head_dim, const int num_part, const int num_hash, const int tau,
        const int sign_rows, __local float *tile) {
    const int lt = get_local_id(0), ly = get_local_id(1);
    const int tile_rows = get_local_size(0), ny = get_local_size(1);
    const int t0 = get_group_id(0) * tile_rows, t = t0 + lt;
    const int p = get_global_id(1), bh = get_global_id(2);
    const int rows = min(tile_rows, seq - t0);

    /* tile [dp, tile_rows]: this group's rows, transposed, zero beyond head_dim and seq. */
    __global const float *src = x + ((size_t)bh * seq + t0) * head_dim;
    for (int idx = ly * tile_rows + lt; idx < dp * tile_rows; idx += tile_rows * ny) {
        const int r = idx / dp, c = idx % dp;
        tile[c * tile_rows + r] = (r < rows && c < head_dim) ? src[r * head_dim + c] : 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    float y[YOSO_MAX_HEAD_DIM];
    for (int c = 0; c < dp; c++) y[c] = tile[c * tile_rows + lt];
    const int part = min(p, num_part - 1);
    __global const float *sg = signs + ((size_t)(bh % sign_rows) * 3 * num_part + part) * dp;
    for (int round = 0; round < 3; round++) {
        __global const float *d = sg + (size_t)round * num_part * dp;
        for (int c = 0; c < dp; c++) y[c] *= d[c];
        lsh_wht(y, dp, log2_dp);
    }
    ulong lo = 0, hi = 0;
    for (int c = 0; c < dp; c++) {
        const ulong bit = y[c] > 0.0f ? 1 : 0;
        if (c < 64) lo |= bit << c;
        else hi |= bit << (c - 64);
    }

    if (t >= seq || p >= num_part) return;
    const int valid = mask[(size_t)(bh / heads) * seq + t] != 0;
    const int per_part = dp / tau;
    for (int j = 0; j < per_part && p * per_part + j < num_hash; j++)
        codes[((size_t)bh * num_hash + p * per_part + j) * seq + t] =
            valid ? lsh_bit_field(lo, hi, j * tau, tau) : -1;
}

/* x [B·nh, L, head_dim] (queries or keys), mask [B, L], signs [sign_rows, 3, num_part, dp] ±1.0
 * (row bh uses signs row bh % sign_rows), codes [B·nh, num_hash, L] int, −1 for padded rows.
 * global (round_up(L, TR), round_up(num_part, PY), B·nh), local (TR, PY, 1); tile holds dp·TR
 * floats. */
#define LSH_HASH_KERNEL(DP, LOG_DP)                                                               \
    __kernel void lsh_hash_##DP(__global const float *x, __global const int *mask,                \
                                __global const float *signs, __global int *codes, const int seq,  \
                                const int heads, const int head_dim, const int num_part,          \
                                const int num_hash, const int tau, const int sign_rows,           \
                                __local float *tile) {                                            \
        lsh_hash_body(DP, LOG_DP, x, mask, signs, codes, seq, heads, head_dim, num_part,          \
                      num_hash, tau, sign_rows, tile);                                            \
    }
/* One kernel per part size dp = 32, 64, 128: lsh_hash_32, lsh_hash_64, lsh_hash_128. */
#ifdef YOSO_WANT_lsh_hash_32
LSH_HASH_KERNEL(32, 5)
#endif
#ifdef YOSO_WANT_lsh_hash_64
LSH_HASH_KERNEL(64, 6)
#endif
#ifdef YOSO_WANT_lsh_hash_128
LSH_HASH_KERNEL(128, 7)
#endif

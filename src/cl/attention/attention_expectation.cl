/* attention_expectation.cl — YOSO-E attention, tiled: no L×L matrix is ever stored.
 *
 * ctx_i = normalize( Σ_{j valid} (1 − acos(clamp(q̂_i·k̂_j, −1, 1))/π)^τ · v_j )
 * One work-item per query; the work-group streams key/value tiles through local memory. */

/* 1 − acos(x)/π for x in [−1, 1]: the polynomial of yoso_expectation_base16 below, one lane. */
inline float yoso_expectation_base(float x) {
    const float ax = fabs(x);
    float p = -0.0012624911f;
    p = mad(p, ax, 0.0066700901f);
    p = mad(p, ax, -0.0170881256f);
    p = mad(p, ax, 0.0308918810f);
    p = mad(p, ax, -0.0501743046f);
    p = mad(p, ax, 0.0889789874f);
    p = mad(p, ax, -0.2145988016f);
    p = mad(p, ax, 1.5707963050f);
    const float r = sqrt(1.0f - ax) * p * M_1_PI_F; /* acos(|x|)/π */
    return x >= 0.0f ? 1.0f - r : r;
}

/* q, k, v [B, nh, L, d] (q, k unit rows), mask [B, L] (0 = padding), ctx [B, L, nh·d].
 * global (round_up(L, TILE), B·nh), local (TILE, 1); k_tile, v_tile hold TILE·d floats,
 * m_tile TILE ints. Padded queries get zeros. This launch adds keys [j_begin, j_end) (a multiple
 * of TILE apart unless j_end = L) to the running sums: zeros when first, else partial [B, nh, L, d]
 * as the previous launch left it; it stores them back to partial unless last, when it writes ctx.
 * Splitting the keys over launches bounds the loop iterations of a work-item (watchdogs, drivers
 * that cap them) without changing the order of the additions. */
#ifdef YOSO_WANT_attention_expectation
__kernel void attention_expectation(__global const float *q, __global const float *k,
                                    __global const float *v, __global const int *mask,
                                    __global float *ctx, const int seq, const int heads,
                                    const int head_dim, const int tau, __local float *k_tile,
                                    __local float *v_tile, __local int *m_tile,
                                    __global float *partial, const int j_begin, const int j_end,
                                    const int first, const int last) {
    const int i = get_global_id(0), bh = get_global_id(1), lid = get_local_id(0);
    const int tile = get_local_size(0);
    const int b = bh / heads, h = bh % heads;
    const size_t base = (size_t)bh * seq * head_dim;
    float qi[YOSO_MAX_HEAD_DIM], acc[YOSO_MAX_HEAD_DIM];
    __global float *part = partial + base + (size_t)i * head_dim;
    for (int c = 0; c < head_dim; c++) {
        qi[c] = (i < seq) ? q[base + (size_t)i * head_dim + c] : 0.0f;
        acc[c] = (first || i >= seq) ? 0.0f : part[c];
    }
    for (int j0 = j_begin; j0 < j_end; j0 += tile) {
        const int count = min(tile, j_end - j0);
        for (int idx = lid; idx < count * head_dim; idx += tile) {
            k_tile[idx] = k[base + (size_t)j0 * head_dim + idx];
            v_tile[idx] = v[base + (size_t)j0 * head_dim + idx];
        }
        m_tile[lid] = (lid < count) ? mask[(size_t)b * seq + j0 + lid] : 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int jj = 0; jj < count; jj++) {
            if (!m_tile[jj]) continue;
            float dot = 0.0f;
            for (int c = 0; c < head_dim; c++) dot += qi[c] * k_tile[jj * head_dim + c];
            float b = yoso_expectation_base(clamp(dot, -1.0f, 1.0f)), w = 1.0f;
            for (int e = tau; e; e >>= 1) { /* base^τ by squaring */
                if (e & 1) w *= b;
                b *= b;
            }
            for (int c = 0; c < head_dim; c++) acc[c] += w * v_tile[jj * head_dim + c];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i >= seq) return;
    if (!last) {
        for (int c = 0; c < head_dim; c++) part[c] = acc[c];
        return;
    }
    const int valid = mask[(size_t)b * seq + i] != 0;
    float norm = 0.0f;
    for (int c = 0; c < head_dim; c++) norm += acc[c] * acc[c];
    const float scale = valid ? 1.0f / fmax(sqrt(norm), 1e-12f) : 0.0f;
    __global float *out = ctx + ((size_t)b * seq + i) * heads * head_dim + h * head_dim;
    for (int c = 0; c < head_dim; c++) out[c] = acc[c] * scale;
}
#endif

/* w = 1 − acos(x)/π for x in [−1, 1], 16 lanes, branch-free: acos(|x|) = sqrt(1 − |x|)·P(|x|)
 * with the Abramowitz–Stegun 4.4.46 polynomial (|error| ≤ 2e-8), and acos(−x) = π − acos(x). */
inline float16 yoso_expectation_base16(float16 x) {
    const float16 ax = fabs(x);
    float16 p = (float16)(-0.0012624911f);
    p = mad(p, ax, (float16)(0.0066700901f));
    p = mad(p, ax, (float16)(-0.0170881256f));
    p = mad(p, ax, (float16)(0.0308918810f));
    p = mad(p, ax, (float16)(-0.0501743046f));
    p = mad(p, ax, (float16)(0.0889789874f));
    p = mad(p, ax, (float16)(-0.2145988016f));
    p = mad(p, ax, (float16)(1.5707963050f));
    const float16 r = sqrt((float16)(1.0f) - ax) * p * M_1_PI_F; /* acos(|x|)/π */
    return select(r, (float16)(1.0f) - r, x >= (float16)(0.0f));
}

/* scores[row, j] ← (1 − acos(clamp(s, −1, 1))/π)^τ where key j is valid, else 0. Each work-item
 * does `per` runs of 16 columns (a loop per item keeps CPU devices' scheduling cost low).
 * scores [heads·rows, ld], ld a multiple of 16 (columns seq..ld−1 become 0); mask [B, L] read
 * from mask_offset = b·L on. global (ceil(ld / 16 / per), heads·rows). */
#ifdef YOSO_WANT_expectation_weights
__kernel void expectation_weights(__global float *scores, __global const int *mask,
                                  const int mask_offset, const int seq, const int ld,
                                  const int tau, const int per) {
    const int part = get_global_id(0), row = get_global_id(1);
    const int end = min((part + 1) * per, ld / 16);
    __global const int *m = mask + mask_offset;
    for (int j16 = part * per; j16 < end; j16++) {
        __global float *s = scores + (size_t)row * ld + (size_t)j16 * 16;
        float16 b = yoso_expectation_base16(clamp(vload16(0, s), -1.0f, 1.0f));
        float16 w = (float16)(1.0f);
        for (int e = tau; e; e >>= 1) { /* base^τ by squaring */
            if (e & 1) w *= b;
            b *= b;
        }
        const int j = j16 * 16;
        int16 valid;
        if (j + 16 <= seq) {
            valid = vload16(j16, m);
        } else {
            int v[16];
            for (int c = 0; c < 16; c++) v[c] = (j + c < seq) ? m[j + c] : 0;
            valid = vload16(0, v);
        }
        vstore16(select((float16)(0.0f), w, valid != (int16)(0)), 0, s);
    }
}
#endif

/* ctx[b, t, h·d : h·d + d] ← that slice / max(‖slice‖, 1e-12), or zeros for a padded query t.
 * ctx [B, L, nh·d], mask [B, L]; one work-item per (head, b·L + t): global (nh, B·L). */
#ifdef YOSO_WANT_attention_normalize_heads
__kernel void attention_normalize_heads(__global float *ctx, __global const int *mask,
                                        const int head_dim) {
    const int h = get_global_id(0), row = get_global_id(1), heads = get_global_size(0);
    __global float *x = ctx + ((size_t)row * heads + h) * head_dim;
    float ss = 0.0f;
    for (int c = 0; c < head_dim; c++) ss += x[c] * x[c];
    const float scale = mask[row] ? 1.0f / fmax(sqrt(ss), 1e-12f) : 0.0f;
    for (int c = 0; c < head_dim; c++) x[c] *= scale;
}
#endif

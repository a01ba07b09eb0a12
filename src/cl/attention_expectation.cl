/* attention_expectation.cl — YOSO-E attention, tiled: no L×L matrix is ever stored.
 *
 * ctx_i = normalize( Σ_{j valid} (1 − acos(clamp(q̂_i·k̂_j, −1, 1))/π)^τ · v_j )
 * One work-item per query; the work-group streams key/value tiles through local memory. */

/* q, k, v [B, nh, L, d] (q, k unit rows), mask [B, L] (0 = padding), ctx [B, L, nh·d].
 * global (round_up(L, TILE), B·nh), local (TILE, 1); k_tile, v_tile hold TILE·d floats,
 * m_tile TILE ints. Padded queries get zeros. */
__kernel void attention_expectation(__global const float *q, __global const float *k,
                                    __global const float *v, __global const int *mask,
                                    __global float *ctx, const int seq, const int heads,
                                    const int head_dim, const int tau, __local float *k_tile,
                                    __local float *v_tile, __local int *m_tile) {
    const int i = get_global_id(0), bh = get_global_id(1), lid = get_local_id(0);
    const int tile = get_local_size(0);
    const int b = bh / heads, h = bh % heads;
    const size_t base = (size_t)bh * seq * head_dim;
    float qi[YOSO_MAX_HEAD_DIM], acc[YOSO_MAX_HEAD_DIM];
    for (int c = 0; c < head_dim; c++) {
        qi[c] = (i < seq) ? q[base + (size_t)i * head_dim + c] : 0.0f;
        acc[c] = 0.0f;
    }
    for (int j0 = 0; j0 < seq; j0 += tile) {
        const int count = min(tile, seq - j0);
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
            dot = clamp(dot, -1.0f, 1.0f);
            const float w = pown(1.0f - acos(dot) * M_1_PI_F, tau);
            for (int c = 0; c < head_dim; c++) acc[c] += w * v_tile[jj * head_dim + c];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i >= seq) return;
    const int valid = mask[(size_t)b * seq + i] != 0;
    float norm = 0.0f;
    for (int c = 0; c < head_dim; c++) norm += acc[c] * acc[c];
    const float scale = valid ? 1.0f / fmax(sqrt(norm), 1e-12f) : 0.0f;
    __global float *out = ctx + ((size_t)b * seq + i) * heads * head_dim + h * head_dim;
    for (int c = 0; c < head_dim; c++) out[c] = acc[c] * scale;
}

/* w = 1 − acos(x)/π for x in [−1, 1], 8 lanes, branch-free: acos(|x|) = sqrt(1 − |x|)·P(|x|) with
 * the Abramowitz–Stegun 4.4.46 polynomial (|error| ≤ 2e-8), and acos(−x) = π − acos(x). */
inline float8 yoso_expectation_base8(float8 x) {
    const float8 ax = fabs(x);
    float8 p = (float8)(-0.0012624911f);
    p = mad(p, ax, (float8)(0.0066700901f));
    p = mad(p, ax, (float8)(-0.0170881256f));
    p = mad(p, ax, (float8)(0.0308918810f));
    p = mad(p, ax, (float8)(-0.0501743046f));
    p = mad(p, ax, (float8)(0.0889789874f));
    p = mad(p, ax, (float8)(-0.2145988016f));
    p = mad(p, ax, (float8)(1.5707963050f));
    const float8 r = sqrt((float8)(1.0f) - ax) * p * M_1_PI_F; /* acos(|x|)/π */
    return select(r, (float8)(1.0f) - r, x >= (float8)(0.0f));
}

/* scores[row, j] ← (1 − acos(clamp(s, −1, 1))/π)^τ where key j is valid, else 0, 8 columns per
 * work-item. scores [heads·rows, ld] with ld a multiple of 8 (columns seq..ld−1 become 0);
 * mask [B, L] read from mask_offset = b·L on. global (ld / 8, heads·rows). */
__kernel void expectation_weights(__global float *scores, __global const int *mask,
                                  const int mask_offset, const int seq, const int ld,
                                  const int tau) {
    const int j8 = get_global_id(0), row = get_global_id(1);
    if (j8 * 8 >= ld) return;
    __global float *s = scores + (size_t)row * ld + (size_t)j8 * 8;
    const float8 base = yoso_expectation_base8(clamp(vload8(0, s), -1.0f, 1.0f));
    float8 w = (float8)(1.0f), b = base;
    for (int e = tau; e; e >>= 1) { /* base^τ by squaring */
        if (e & 1) w *= b;
        b *= b;
    }
    int8 valid;
    const int j = j8 * 8;
    if (j + 8 <= seq) {
        valid = vload8(0, mask + mask_offset + j);
    } else {
        int m[8];
        for (int c = 0; c < 8; c++) m[c] = (j + c < seq) ? mask[mask_offset + j + c] : 0;
        valid = vload8(0, m);
    }
    vstore8(select((float8)(0.0f), w, valid != (int8)(0)), 0, s);
}

/* ctx[b, t, h·d : h·d + d] ← that slice / max(‖slice‖, 1e-12), or zeros for a padded query t.
 * ctx [B, L, nh·d], mask [B, L]; one work-group of `local` items per (b·L + t, h);
 * global (local, B·L, nh). scratch: local floats. */
__kernel void attention_normalize_heads(__global float *ctx, __global const int *mask,
                                        const int head_dim, __local float *scratch) {
    const int lid = get_local_id(0), n = get_local_size(0);
    const int row = get_global_id(1), h = get_global_id(2), heads = get_global_size(2);
    __global float *x = ctx + ((size_t)row * heads + h) * head_dim;
    float ss = 0.0f;
    for (int c = lid; c < head_dim; c += n) ss += x[c] * x[c];
    const float total = yoso_group_sum(ss, scratch);
    const float scale = mask[row] ? 1.0f / fmax(sqrt(total), 1e-12f) : 0.0f;
    for (int c = lid; c < head_dim; c += n) x[c] *= scale;
}

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

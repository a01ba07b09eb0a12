/* attention_prepare.cl — fused QKV bias add, head split and L2 normalization of queries and keys. */

/* qkv [B·L, 3H] holds x·[Wq; Wk; Wv]ᵀ without bias; bias [3H].
 * Writes q, k, v [B, nh, L, d]; q and k divided by max(‖·‖, 1e-12) when normalize_qk.
 * global (L, B·nh). */
#ifdef YOSO_WANT_attention_prepare
__kernel void attention_prepare(__global const float *qkv, __global const float *bias,
                                __global float *q, __global float *k, __global float *v,
                                const int seq, const int heads, const int head_dim,
                                const int normalize_qk) {
    const int t = get_global_id(0), bh = get_global_id(1);
    if (t >= seq) return;
    const int b = bh / heads, h = bh % heads;
    const int hidden = heads * head_dim;
    __global const float *row = qkv + ((size_t)b * seq + t) * 3 * hidden;
    const size_t dst = ((size_t)bh * seq + t) * head_dim;
    const int off = h * head_dim;
    float qn = 0.0f, kn = 0.0f;
    for (int c = 0; c < head_dim; c++) {
        const float qv = row[off + c] + bias[off + c];
        const float kv = row[hidden + off + c] + bias[hidden + off + c];
        q[dst + c] = qv;
        k[dst + c] = kv;
        v[dst + c] = row[2 * hidden + off + c] + bias[2 * hidden + off + c];
        qn += qv * qv;
        kn += kv * kv;
    }
    if (!normalize_qk) return;
    const float qs = 1.0f / fmax(sqrt(qn), 1e-12f), ks = 1.0f / fmax(sqrt(kn), 1e-12f);
    for (int c = 0; c < head_dim; c++) {
        q[dst + c] *= qs;
        k[dst + c] *= ks;
    }
}
#endif

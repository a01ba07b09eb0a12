/* attention_conv.cl — the optional depthwise convolution branch of YOSO attention. */

/* ctx[b, t, h·d + c] += Σ_w weight[h, w] · (v·mask)[b, h, t + w − W/2, c], zero-padded.
 * global (d, L, B·nh).   v [B, nh, L, d], mask [B, L], weight [nh, W], ctx [B, L, nh·d] */
#ifdef YOSO_WANT_attention_conv_add
__kernel void attention_conv_add(__global const float *v, __global const int *mask,
                                 __global const float *weight, __global float *ctx,
                                 const int seq, const int heads, const int head_dim,
                                 const int window) {
    const int c = get_global_id(0), t = get_global_id(1), bh = get_global_id(2);
    if (c >= head_dim || t >= seq) return;
    const int b = bh / heads, h = bh % heads, pad = window / 2;
    float s = 0.0f;
    for (int w = 0; w < window; w++) {
        const int j = t + w - pad;
        if (j < 0 || j >= seq || !mask[(size_t)b * seq + j]) continue;
        s += weight[h * window + w] * v[((size_t)bh * seq + j) * head_dim + c];
    }
    ctx[((size_t)b * seq + t) * heads * head_dim + h * head_dim + c] += s;
}
#endif

/* layernorm.cl — y = LayerNorm(x + bias + residual) per row, biased variance, fused adds. */

/* One work-group per row; local size a power of two.
 * x [rows, H] (in: the GEMM output or the embedding sum), bias [H] (used when has_bias),
 * residual [rows, H] (used when has_residual), gamma, beta [H], out [rows, H] (may alias x). */
#ifdef YOSO_WANT_layernorm_fused
__kernel void layernorm_fused(__global const float *x, __global const float *bias,
                              __global const float *residual, __global const float *gamma,
                              __global const float *beta, __global float *out, const int hidden,
                              const float eps, const int has_bias, const int has_residual,
                              __local float *scratch) {
    const int row = get_group_id(0), lid = get_local_id(0), n = get_local_size(0);
    __global const float *xr = x + (size_t)row * hidden;
    __global const float *rr = residual + (size_t)row * hidden;
    __global float *yr = out + (size_t)row * hidden;
    float s = 0.0f;
    for (int i = lid; i < hidden; i += n) {
        float v = xr[i] + (has_bias ? bias[i] : 0.0f) + (has_residual ? rr[i] : 0.0f);
        s += v;
    }
    const float mean = yoso_group_sum(s, scratch) / hidden;
    float ss = 0.0f;
    for (int i = lid; i < hidden; i += n) {
        float v = xr[i] + (has_bias ? bias[i] : 0.0f) + (has_residual ? rr[i] : 0.0f) - mean;
        ss += v * v;
    }
    const float inv = rsqrt(yoso_group_sum(ss, scratch) / hidden + eps);
    for (int i = lid; i < hidden; i += n) {
        float v = xr[i] + (has_bias ? bias[i] : 0.0f) + (has_residual ? rr[i] : 0.0f);
        yr[i] = (v - mean) * inv * gamma[i] + beta[i];
    }
}
#endif

/* The same with one work-item per row, for CPU devices (no work-group barriers; 16 lanes at a
 * time, then a scalar tail). out may alias x or residual. global (rows). */
#ifdef YOSO_WANT_layernorm_rows
__kernel void layernorm_rows(__global const float *x, __global const float *bias,
                             __global const float *residual, __global const float *gamma,
                             __global const float *beta, __global float *out, const int hidden,
                             const float eps, const int has_bias, const int has_residual) {
    const int row = get_global_id(0), n16 = hidden / 16;
    __global const float *xr = x + (size_t)row * hidden;
    __global const float *rr = residual + (size_t)row * hidden;
    __global float *yr = out + (size_t)row * hidden;
    float16 s16 = (float16)(0.0f);
    float s = 0.0f;
    for (int i = 0; i < n16; i++) { /* v = x + bias + residual, kept in out */
        float16 v = vload16(i, xr);
        if (has_bias) v += vload16(i, bias);
        if (has_residual) v += vload16(i, rr);
        vstore16(v, i, yr);
        s16 += v;
    }
    for (int i = n16 * 16; i < hidden; i++) {
        const float v = xr[i] + (has_bias ? bias[i] : 0.0f) + (has_residual ? rr[i] : 0.0f);
        yr[i] = v;
        s += v;
    }
    float8 s8 = s16.lo + s16.hi;
    float4 s4 = s8.lo + s8.hi;
    const float mean = (s + s4.x + s4.y + s4.z + s4.w) / hidden;
    float16 q16 = (float16)(0.0f);
    float q = 0.0f;
    for (int i = 0; i < n16; i++) {
        const float16 d = vload16(i, yr) - mean;
        q16 += d * d;
    }
    for (int i = n16 * 16; i < hidden; i++) q += (yr[i] - mean) * (yr[i] - mean);
    s8 = q16.lo + q16.hi;
    s4 = s8.lo + s8.hi;
    const float inv = rsqrt((q + s4.x + s4.y + s4.z + s4.w) / hidden + eps);
    for (int i = 0; i < n16; i++)
        vstore16((vload16(i, yr) - mean) * inv * vload16(i, gamma) + vload16(i, beta), i, yr);
    for (int i = n16 * 16; i < hidden; i++) yr[i] = (yr[i] - mean) * inv * gamma[i] + beta[i];
}
#endif

/* layernorm.cl — y = LayerNorm(x + bias + residual) per row, biased variance, fused adds. */

/* One work-group per row; local size a power of two.
 * x [rows, H] (in: the GEMM output or the embedding sum), bias [H] (used when has_bias),
 * residual [rows, H] (used when has_residual), gamma, beta [H], out [rows, H] (may alias x). */
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

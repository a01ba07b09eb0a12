/* bias_act.cl — bias adds with an optional exact-erf GELU, in place. */

/* x[r, c] = gelu(x[r, c] + bias[c]) with gelu(v) = v/2 · (1 + erf(v/√2)).
 * global (cols, rows).   x [rows, cols], bias [cols] */
__kernel void bias_gelu(__global float *x, __global const float *bias, const int cols) {
    const int c = get_global_id(0), r = get_global_id(1);
    if (c >= cols) return;
    const size_t i = (size_t)r * cols + c;
    const float v = x[i] + bias[c];
    x[i] = 0.5f * v * (1.0f + erf(v * 0.70710678118654752f));
}

/* x[r, c] += bias[c].   global (cols, rows).   x [rows, cols], bias [cols] */
__kernel void bias_add(__global float *x, __global const float *bias, const int cols) {
    const int c = get_global_id(0), r = get_global_id(1);
    if (c >= cols) return;
    x[(size_t)r * cols + c] += bias[c];
}

/* out[i, :] = x[rows[i], :]   global (cols, n).   x [*, cols], rows [n], out [n, cols] */
__kernel void gather_rows(__global const float *x, __global const int *rows,
                          __global float *out, const int cols) {
    const int c = get_global_id(0), i = get_global_id(1);
    if (c >= cols) return;
    out[(size_t)i * cols + c] = x[(size_t)rows[i] * cols + c];
}

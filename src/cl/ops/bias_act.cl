/* bias_act.cl — bias adds with an optional exact-erf GELU, in place. */

/* erf(x) as a rational function of x (odd/even polynomials on x clamped to [−4, 4], the form
 * Eigen and XLA use); |error| < 4e-7 against the exact erf. */
inline float16 yoso_erf16(float16 a) {
    const float16 x = clamp(a, -4.0f, 4.0f), x2 = x * x;
    float16 p = mad(x2, (float16)(-2.72614225801306e-10f), (float16)(2.77068142495902e-08f));
    p = mad(x2, p, (float16)(-2.10102402082508e-06f));
    p = mad(x2, p, (float16)(-5.69250639462346e-05f));
    p = mad(x2, p, (float16)(-7.34990630326855e-04f));
    p = mad(x2, p, (float16)(-2.95459980854025e-03f));
    p = mad(x2, p, (float16)(-1.60960333262415e-02f));
    float16 q = mad(x2, (float16)(-1.45660718464996e-05f), (float16)(-2.13374055278905e-04f));
    q = mad(x2, q, (float16)(-1.68282697438203e-03f));
    q = mad(x2, q, (float16)(-7.37332916720468e-03f));
    q = mad(x2, q, (float16)(-1.42647390514189e-02f));
    return x * p / q;
}

/* The same for one float (identical arithmetic, lane by lane). */
inline float yoso_erf(float a) {
    const float x = clamp(a, -4.0f, 4.0f), x2 = x * x;
    float p = mad(x2, -2.72614225801306e-10f, 2.77068142495902e-08f);
    p = mad(x2, p, -2.10102402082508e-06f);
    p = mad(x2, p, -5.69250639462346e-05f);
    p = mad(x2, p, -7.34990630326855e-04f);
    p = mad(x2, p, -2.95459980854025e-03f);
    p = mad(x2, p, -1.60960333262415e-02f);
    float q = mad(x2, -1.45660718464996e-05f, -2.13374055278905e-04f);
    q = mad(x2, q, -1.68282697438203e-03f);
    q = mad(x2, q, -7.37332916720468e-03f);
    q = mad(x2, q, -1.42647390514189e-02f);
    return x * p / q;
}

/* x[r, c] = gelu(x[r, c] + bias[c]) with gelu(v) = v/2 · (1 + erf(v/√2)).
 * global (cols, rows).   x [rows, cols], bias [cols] */
#ifdef YOSO_WANT_bias_gelu
__kernel void bias_gelu(__global float *x, __global const float *bias, const int cols) {
    const int c = get_global_id(0), r = get_global_id(1);
    if (c >= cols) return;
    const size_t i = (size_t)r * cols + c;
    const float v = x[i] + bias[c];
    x[i] = 0.5f * v * (1.0f + yoso_erf(v * 0.70710678118654752f));
}
#endif

/* The same, `per` runs of 16 columns per work-item (cols a multiple of 16; a loop per item keeps
 * CPU devices' scheduling cost low). global (ceil(cols / 16 / per), rows). */
#ifdef YOSO_WANT_bias_gelu16
__kernel void bias_gelu16(__global float *x, __global const float *bias, const int cols,
                          const int per) {
    const int part = get_global_id(0), r = get_global_id(1);
    const int end = min((part + 1) * per, cols / 16);
    for (int c16 = part * per; c16 < end; c16++) {
        __global float *p = x + (size_t)r * cols + (size_t)c16 * 16;
        const float16 v = vload16(0, p) + vload16(c16, bias);
        vstore16(0.5f * v * (1.0f + yoso_erf16(v * 0.70710678118654752f)), 0, p);
    }
}
#endif

/* x[r, c] += bias[c].   global (cols, rows).   x [rows, cols], bias [cols] */
#ifdef YOSO_WANT_bias_add
__kernel void bias_add(__global float *x, __global const float *bias, const int cols) {
    const int c = get_global_id(0), r = get_global_id(1);
    if (c >= cols) return;
    x[(size_t)r * cols + c] += bias[c];
}
#endif

/* x[r, c] = max(x[r, c] + bias[c], 0).   global (cols, rows).   x [rows, cols], bias [cols] */
#ifdef YOSO_WANT_bias_relu
__kernel void bias_relu(__global float *x, __global const float *bias, const int cols) {
    const int c = get_global_id(0), r = get_global_id(1);
    if (c >= cols) return;
    const size_t i = (size_t)r * cols + c;
    x[i] = fmax(x[i] + bias[c], 0.0f);
}
#endif

/* out[i, :] = x[rows[i], :]   global (cols, n).   x [*, cols], rows [n], out [n, cols] */
#ifdef YOSO_WANT_gather_rows
__kernel void gather_rows(__global const float *x, __global const int *rows,
                          __global float *out, const int cols) {
    const int c = get_global_id(0), i = get_global_id(1);
    if (c >= cols) return;
    out[(size_t)i * cols + c] = x[(size_t)rows[i] * cols + c];
}
#endif

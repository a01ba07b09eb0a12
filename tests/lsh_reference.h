/* lsh_reference.h — plain-C references of LSH attention for the tests (DESIGN §3), written from
 * the formulas, plus small device helpers. Header-only: each test_lsh_*.c includes it once. */
#ifndef YOSO_LSH_REFERENCE_H
#define YOSO_LSH_REFERENCE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lsh_internal.h"
#include "test_support.h"

/* Uniform floats in [-1, 1) from a 64-bit LCG (deterministic across platforms). */
static inline void ref_fill_random(float *x, size_t n, uint64_t seed) {
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(s >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
    }
}

/* y ← H·y: unnormalized Walsh–Hadamard transform, butterflies (a+b, a−b), strides dp/2 … 1. */
static inline void ref_wht(float *y, int dp) {
    for (int s = dp / 2; s >= 1; s /= 2)
        for (int i = 0; i < dp; i++)
            if (!(i & s)) {
                const float a = y[i], b = y[i + s];
                y[i] = a + b;
                y[i + s] = a - b;
            }
}

/* The Sylvester-order Hadamard entry H[i][j] = (−1)^popcount(i & j). */
static inline int ref_hadamard_entry(int i, int j) {
    int bits = i & j, parity = 0;
    while (bits) {
        parity ^= bits & 1;
        bits >>= 1;
    }
    return parity ? -1 : 1;
}

/* codes [BH, m, L] of x [BH, L, d] under mask [B, L] with signs [rows, 3, P, dp] (row bh % rows):
 * y = H·D3·H·D2·H·D1·x per part, code j of part p = Σ_i [y[jτ+i] > 0]·2^i, −1 when padded. */
static inline void ref_hash(const float *x, const int32_t *mask, const float *signs, int sign_rows,
                            const yoso_lsh_shape *s, int32_t *codes) {
    float y[128];
    const int bh_total = s->batch * s->heads;
    for (int bh = 0; bh < bh_total; bh++)
        for (int t = 0; t < s->seq; t++) {
            const int valid = mask[(bh / s->heads) * s->seq + t] != 0;
            for (int p = 0; p < s->num_part; p++) {
                for (int c = 0; c < s->dp; c++)
                    y[c] = c < s->head_dim ? x[((size_t)bh * s->seq + t) * s->head_dim + c] : 0.0f;
                for (int r = 0; r < 3; r++) {
                    const float *d =
                        signs + (((size_t)(bh % sign_rows) * 3 + r) * s->num_part + p) * s->dp;
                    for (int c = 0; c < s->dp; c++) y[c] *= d[c];
                    ref_wht(y, s->dp);
                }
                for (int j = 0; j < s->per_part; j++) {
                    const int h = p * s->per_part + j;
                    if (h >= s->num_hash) break;
                    int code = 0;
                    for (int i = 0; i < s->tau; i++) code |= (y[j * s->tau + i] > 0.0f) << i;
                    codes[((size_t)bh * s->num_hash + h) * s->seq + t] = valid ? code : -1;
                }
            }
        }
}

/* acc [BH, L, d] = (1/m) Σ_h Σ_{j: code_h(k_j) = code_h(q_i) ≥ 0} v_j, in double. */
static inline void ref_cumulate(const int32_t *qc, const int32_t *kc, const float *v,
                                const yoso_lsh_shape *s, double *acc) {
    const int L = s->seq, d = s->head_dim, bh_total = s->batch * s->heads;
    memset(acc, 0, sizeof(double) * bh_total * L * d);
    for (int bh = 0; bh < bh_total; bh++)
        for (int h = 0; h < s->num_hash; h++) {
            const int32_t *q = qc + ((size_t)bh * s->num_hash + h) * L;
            const int32_t *k = kc + ((size_t)bh * s->num_hash + h) * L;
            for (int i = 0; i < L; i++) {
                if (q[i] < 0) continue;
                double *a = acc + ((size_t)bh * L + i) * d;
                for (int j = 0; j < L; j++)
                    if (k[j] == q[i])
                        for (int c = 0; c < d; c++) a[c] += v[((size_t)bh * L + j) * d + c];
            }
        }
    for (size_t n = 0; n < (size_t)bh_total * L * d; n++) acc[n] /= s->num_hash;
}

/* out [B, L, nh·d] = acc / max(‖acc‖, 1e-12) per head, zeros at padded queries. */
static inline void ref_normalize(const double *acc, const int32_t *mask, const yoso_lsh_shape *s,
                                 float *out) {
    const int L = s->seq, d = s->head_dim;
    for (int bh = 0; bh < s->batch * s->heads; bh++) {
        const int b = bh / s->heads, h = bh % s->heads;
        for (int i = 0; i < L; i++) {
            const double *a = acc + ((size_t)bh * L + i) * d;
            double norm = 0;
            for (int c = 0; c < d; c++) norm += a[c] * a[c];
            const double scale = mask[b * L + i] ? 1.0 / fmax(sqrt(norm), 1e-12) : 0.0;
            for (int c = 0; c < d; c++)
                out[((size_t)b * L + i) * s->heads * d + h * d + c] = (float)(a[c] * scale);
        }
    }
}

/* out [BH, L, d] = Σ_{j valid} (1 − acos(q̂_i·k̂_j)/π)^τ v_j (YOSO-E before normalization). */
static inline void ref_expectation(const float *q, const float *k, const float *v,
                                   const int32_t *mask, const yoso_lsh_shape *s, double *out) {
    const int L = s->seq, d = s->head_dim;
    for (int bh = 0; bh < s->batch * s->heads; bh++)
        for (int i = 0; i < L; i++) {
            const float *qi = q + ((size_t)bh * L + i) * d;
            double *o = out + ((size_t)bh * L + i) * d;
            memset(o, 0, sizeof(double) * d);
            if (!mask[(bh / s->heads) * L + i]) continue;
            double qn = 0;
            for (int c = 0; c < d; c++) qn += (double)qi[c] * qi[c];
            for (int j = 0; j < L; j++) {
                if (!mask[(bh / s->heads) * L + j]) continue;
                const float *kj = k + ((size_t)bh * L + j) * d;
                double dot = 0, kn = 0;
                for (int c = 0; c < d; c++) {
                    dot += (double)qi[c] * kj[c];
                    kn += (double)kj[c] * kj[c];
                }
                double cosv = dot / (sqrt(qn) * sqrt(kn));
                cosv = cosv > 1 ? 1 : cosv < -1 ? -1 : cosv;
                const double w = pow(1.0 - acos(cosv) / M_PI, s->tau);
                for (int c = 0; c < d; c++) o[c] += w * v[((size_t)bh * L + j) * d + c];
            }
        }
}

/* A device buffer holding a copy of host data (bytes > 0). */
static inline cl_mem ref_upload(yoso_context *ctx, const void *data, size_t bytes) {
    cl_int err;
    cl_mem m = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes,
                              (void *)data, &err);
    assert_int_equal(err, CL_SUCCESS);
    return m;
}

/* An uninitialized device buffer of bytes. */
static inline cl_mem ref_device_buffer(yoso_context *ctx, size_t bytes) {
    cl_int err;
    cl_mem m = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    return m;
}

/* Reads bytes of a device buffer into host memory (blocking; waits for the queue). */
static inline void ref_download(yoso_context *ctx, cl_mem m, void *dst, size_t bytes) {
    assert_int_equal(clEnqueueReadBuffer(ctx->queue, m, CL_TRUE, 0, bytes, dst, 0, NULL, NULL),
                     CL_SUCCESS);
}

/* A mask [B, L] with row b valid for its first lens[b] positions (all when lens is NULL). */
static inline int32_t *ref_mask(int batch, int seq, const int *lens) {
    int32_t *mask = malloc(sizeof(int32_t) * batch * seq);
    for (int b = 0; b < batch; b++)
        for (int t = 0; t < seq; t++) mask[b * seq + t] = !lens || t < lens[b];
    return mask;
}

#endif

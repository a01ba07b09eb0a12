/* test_kernels_attention.c — each kernel of src/cl/attention beside its plain-C `_cpu` reference,
 * on odd shapes with masked keys, on the default device: attention prepare (normalize on and
 * off), the tiled expectation (head dims 16, 32, 64; L 1 … 70, across tiles), expectation
 * weights (kernel and the fused path's host loop), normalize heads and the convolution branch. The
 * references use libm's acos and exact powers in double; each bound is the float kernel's rounding
 * (KC_U per operation) plus the documented error of its acos polynomial. The LSH kernels are tested
 * in test_lsh_*.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_internal.h"
#include "attention_kernels.h"
#include "kernel_check.h"

/* |error| of the kernels' 1 − acos(x)/π: the polynomial's 2e-8 / π plus its float Horner bound
 * (8 fused steps over coefficients summing to < 2: 16 u · 2, times 1/π) and the sqrt and scale. */
#define KC_BASE_ERR 1e-6

/* The mask [B, L]: batch 0 drops its middle key, batch 1 its last two (padding); L 1 in batch 1
 * is padding alone. */
static int *make_mask(int batch, int seq) {
    int *mask = malloc((size_t)batch * seq * sizeof(int));
    for (int b = 0; b < batch; b++)
        for (int j = 0; j < seq; j++)
            mask[b * seq + j] = !((b == 0 && seq > 2 && j == seq / 2) || (b == 1 && j >= seq - 2));
    return mask;
}

/* Scales each row of x [rows, d] to unit length in float, as attention_prepare leaves q and k. */
static void normalize_rows(float *x, int rows, int d) {
    for (int r = 0; r < rows; r++) {
        float ss = 0.0f;
        for (int c = 0; c < d; c++) ss += x[(size_t)r * d + c] * x[(size_t)r * d + c];
        for (int c = 0; c < d; c++) x[(size_t)r * d + c] /= sqrtf(ss);
    }
}

/* ---- attention prepare ---------------------------------------------------------------------- */

/* q, k, v [B, nh, L, d] from qkv [B·L, 3H] + bias (one float add each, exact); q and k over
 * max(‖·‖, 1e-12) when normalize, with the bound of a d-term norm, sqrt, divide and scale. */
static void attention_prepare_cpu(const float *qkv, const float *bias, double *out[3],
                                  double *tol[3], int batch, int seq, int heads, int d,
                                  int normalize) {
    const int hidden = heads * d;
    for (int b = 0; b < batch; b++)
        for (int h = 0; h < heads; h++)
            for (int t = 0; t < seq; t++) {
                const float *row = qkv + ((size_t)b * seq + t) * 3 * hidden;
                const size_t dst = (((size_t)b * heads + h) * seq + t) * d;
                for (int part = 0; part < 3; part++) {
                    double ss = 0;
                    for (int c = 0; c < d; c++) {
                        const int col = part * hidden + h * d + c;
                        out[part][dst + c] = (double)(row[col] + bias[col]);
                        ss += out[part][dst + c] * out[part][dst + c];
                    }
                    const double scale = (normalize && part < 2) ? 1.0 / fmax(sqrt(ss), 1e-12) : 1;
                    for (int c = 0; c < d; c++) {
                        out[part][dst + c] *= scale;
                        tol[part][dst + c] =
                            scale == 1 ? 0 : (d + 8) * KC_U * fabs(out[part][dst + c]);
                    }
                }
            }
}

/* B 2 × L 5, 3 heads of d 7 (H 21): the head split and both normalize settings. */
static void test_attention_prepare(void **state) {
    const int batch = 2, seq = 5, heads = 3, d = 7, hidden = heads * d;
    const size_t n = (size_t)batch * seq * d * heads;
    float *qkv = kc_random(n * 3, 2.0f, 51u), *bias = kc_random(3 * hidden, 1.0f, 52u);
    float *got = malloc(n * sizeof(float));
    double *ref[3], *tol[3];
    cl_mem dqkv = kc_upload(qkv, n * 3 * 4), dbias = kc_upload(bias, 3 * hidden * 4), dout[3];
    for (int p = 0; p < 3; p++) {
        ref[p] = kc_doubles(n), tol[p] = kc_doubles(n);
        dout[p] = kc_upload(got, n * 4);
    }
    for (int normalize = 0; normalize < 2; normalize++) {
        assert_int_equal(yoso_launch_attention_prepare(test_ctx, dqkv, dbias, dout[0], dout[1],
                                                       dout[2], batch, seq, heads, d, normalize),
                         YOSO_OK);
        attention_prepare_cpu(qkv, bias, ref, tol, batch, seq, heads, d, normalize);
        for (int p = 0; p < 3; p++) {
            char what[64];
            snprintf(what, sizeof what, "attention_prepare %c, normalize %d", "qkv"[p], normalize);
            kc_download(dout[p], got, n * 4);
            kc_expect_close(what, got, ref[p], (normalize && p < 2) ? tol[p] : NULL, n);
        }
    }
    for (int p = 0; p < 3; p++) clReleaseMemObject(dout[p]), free(ref[p]), free(tol[p]);
    clReleaseMemObject(dqkv), clReleaseMemObject(dbias);
    free(qkv), free(bias), free(got);
}

/* ---- tiled expectation ---------------------------------------------------------------------- */

/* The bound on one weight w = b^τ, b = 1 − acos(x)/π, computed from x: the polynomial, the d-term
 * float dot's error δx moved through acos (slope 1/√(1 − x²), or √(2δx) near ±1, acos being
 * ½-Hölder), times dw/db = τ·b^(τ−1); plus the rounding of the power by squaring (2τ u). */
static double weight_bound(double x, double b, double w, int tau, double dx) {
    const double slope = sqrt(fmax(1 - x * x, 0));
    const double db = KC_BASE_ERR + fmin(slope > 0 ? dx / slope : INFINITY, sqrt(2 * dx)) / M_PI;
    return tau * pow(b, tau - 1) * db + 2 * tau * KC_U * w;
}

/* ctx [B, L, nh·d]: for a valid query, normalize(Σ_{valid j} (1 − acos(q̂·k̂)/π)^τ v_j) in double;
 * zeros for a padded one. The bound: each weight's (weight_bound), the L-term float sum, and
 * twice the relative error of acc after normalization. */
static void attention_expectation_cpu(const float *q, const float *k, const float *v,
                                      const int *mask, double *out, double *tol, int batch, int seq,
                                      int heads, int d, int tau) {
    double *acc = kc_doubles((size_t)d), *dacc = kc_doubles((size_t)d);
    for (int b = 0; b < batch; b++)
        for (int h = 0; h < heads; h++) {
            const size_t base = ((size_t)b * heads + h) * seq * d;
            for (int i = 0; i < seq; i++) {
                memset(acc, 0, d * sizeof(double)), memset(dacc, 0, d * sizeof(double));
                for (int j = 0; j < seq; j++) {
                    if (!mask[b * seq + j]) continue;
                    double x = 0;
                    for (int c = 0; c < d; c++)
                        x += (double)q[base + i * d + c] * k[base + j * d + c];
                    x = fmax(-1.0, fmin(1.0, x));
                    const double bb = 1 - acos(x) / M_PI, w = pow(bb, tau);
                    const double dw = weight_bound(x, bb, w, tau, (d + 2) * KC_U);
                    for (int c = 0; c < d; c++) {
                        const double vc = v[base + j * d + c];
                        acc[c] += w * vc;
                        dacc[c] += (dw + (seq + 2) * KC_U * w) * fabs(vc);
                    }
                }
                double norm = 0, err = 0;
                for (int c = 0; c < d; c++) norm += acc[c] * acc[c], err += dacc[c] * dacc[c];
                norm = sqrt(norm), err = sqrt(err);
                const int valid = mask[b * seq + i] != 0;
                double *o = out + ((size_t)b * seq + i) * heads * d + h * d;
                double *t = tol + ((size_t)b * seq + i) * heads * d + h * d;
                for (int c = 0; c < d; c++) {
                    o[c] = valid ? acc[c] / fmax(norm, 1e-12) : 0;
                    t[c] = valid ? 2 * err / fmax(norm, 1e-12) + (d + 8) * KC_U * fabs(o[c]) : 0;
                }
            }
        }
    free(acc), free(dacc);
}

/* The tiled kernel for one head dim over L 1, 7, 37 and 70 (70 > one 64-key tile), B 2 × nh 2
 * with masked keys and padded queries (tiny: L 1, 7 and 19). */
static void expectation_case(int d, int tau) {
    const int batch = 2, heads = 2, lens[] = {1, 7, 37, 70}, lens_tiny[] = {1, 7, 19};
    const int nl = kc_tiny() ? 3 : 4;
    for (int li = 0; li < nl; li++) {
        const int seq = kc_tiny() ? lens_tiny[li] : lens[li];
        const size_t n = (size_t)batch * heads * seq * d;
        float *q = kc_random(n, 1.0f, 61u + li), *k = kc_random(n, 1.0f, 62u + li);
        float *v = kc_random(n, 1.0f, 63u + li), *got = malloc(n * sizeof(float));
        normalize_rows(q, batch * heads * seq, d);
        normalize_rows(k, batch * heads * seq, d);
        int *mask = make_mask(batch, seq);
        double *ref = kc_doubles(n), *tol = kc_doubles(n);
        cl_mem dq = kc_upload(q, n * 4), dk = kc_upload(k, n * 4), dv = kc_upload(v, n * 4);
        cl_mem dmask = kc_upload(mask, (size_t)batch * seq * 4), dout = kc_upload(v, n * 4);
        assert_int_equal(yoso_launch_attention_expectation(test_ctx, dq, dk, dv, dmask, dout, batch,
                                                           seq, heads, d, tau),
                         YOSO_OK);
        kc_download(dout, got, n * 4);
        attention_expectation_cpu(q, k, v, mask, ref, tol, batch, seq, heads, d, tau);
        char what[80];
        snprintf(what, sizeof what, "attention_expectation d %d, L %d, tau %d", d, seq, tau);
        kc_expect_close(what, got, ref, tol, n);
        clReleaseMemObject(dq), clReleaseMemObject(dk), clReleaseMemObject(dv);
        clReleaseMemObject(dmask), clReleaseMemObject(dout);
        free(q), free(k), free(v), free(got), free(mask), free(ref), free(tol);
    }
}

/* Head dim 16 (yoso-4096's), τ 9. */
static void test_expectation_hd16(void **state) {
    expectation_case(16, 9);
}

/* Head dim 32, an even τ 8. */
static void test_expectation_hd32(void **state) {
    expectation_case(32, 8);
}

/* Head dim 64 (the hd64 fixtures'), τ 9. */
static void test_expectation_hd64(void **state) {
    expectation_case(64, 9);
}

/* ---- blocked path: expectation weights, normalize heads ------------------------------------- */

/* scores [rows, ld] → (1 − acos(clamp(s))/π)^τ where j < seq and the key is valid, else 0; the
 * bound of weight_bound with exact inputs. */
static void expectation_weights_cpu(const float *scores, const int *mask, double *out, double *tol,
                                    int rows, int seq, int ld, int tau) {
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < ld; j++) {
            const size_t i = (size_t)r * ld + j;
            const double x = fmax(-1.0, fmin(1.0, scores[i])), b = 1 - acos(x) / M_PI;
            const int valid = j < seq && mask[j];
            out[i] = valid ? pow(b, tau) : 0;
            tol[i] = valid ? weight_bound(x, b, out[i], tau, 0) : 0;
        }
}

/* One weights case (τ tau) of 3 rows over L seq in a row pitch of ld, the mask read from batch 1's
 * offset, scores beyond ±1 clamped: the kernel on the device, or (host) the fused path's host
 * loop (expectation_host.c), whose columns from L on are GEMM padding, never read, not compared. */
static void weights_case(int seq, int ld, unsigned seed, int host, int tau) {
    const int rows = 3;
    const size_t n = (size_t)rows * ld;
    float *s = kc_random(n, 1.2f, seed), *got = malloc(n * sizeof(float));
    int *mask = make_mask(2, seq);
    double *ref = kc_doubles(n), *tol = kc_doubles(n);
    if (host) {
        memcpy(got, s, n * sizeof(float));
        yoso_expectation_weights_host(got, (size_t)rows, (size_t)seq, (size_t)ld, mask + seq, tau);
        for (int r = 0; r < rows; r++)
            for (int j = seq; j < ld; j++) got[(size_t)r * ld + j] = 0.0f;
    } else {
        cl_mem ds = kc_upload(s, n * 4), dmask = kc_upload(mask, 2 * (size_t)seq * 4);
        assert_int_equal(
            yoso_launch_expectation_weights(test_ctx, ds, dmask, seq, seq, ld, rows, tau), YOSO_OK);
        kc_download(ds, got, n * 4);
        clReleaseMemObject(ds), clReleaseMemObject(dmask);
    }
    expectation_weights_cpu(s, mask + seq, ref, tol, rows, seq, ld, tau);
    kc_expect_close(host ? "expectation_weights_host" : "expectation_weights", got, ref, tol, n);
    free(s), free(got), free(mask), free(ref), free(tol);
}

/* The kernel: L 37 in a pitch of 48 and L 5 in 16. */
static void test_expectation_weights(void **state) {
    weights_case(37, 48, 71u, 0, 9);
    weights_case(5, 16, 72u, 0, 9);
    weights_case(37, 48, 73u, 0, 16);
}

/* The host loop: L 37 (one partial chunk of 64), 64 (one full) and 130 (two full and a tail);
 * τ 9, and τ 1, 6 and 16, which take the other bits of its power by squaring. */
static void test_expectation_weights_host(void **state) {
    weights_case(37, 48, 91u, 1, 9);
    weights_case(64, 64, 92u, 1, 9);
    weights_case(130, 144, 93u, 1, 9);
    weights_case(130, 144, 94u, 1, 1);
    weights_case(64, 64, 95u, 1, 6);
    weights_case(130, 144, 96u, 1, 16);
}

/* ctx [rows, nh·d]: each head's slice over max(‖slice‖, 1e-12), zeros where the mask is 0; the
 * bound of a d-term norm, sqrt, divide and scale. */
static void normalize_heads_cpu(const float *x, const int *mask, double *out, double *tol, int rows,
                                int heads, int d) {
    for (int r = 0; r < rows; r++)
        for (int h = 0; h < heads; h++) {
            const size_t at = ((size_t)r * heads + h) * d;
            double ss = 0;
            for (int c = 0; c < d; c++) ss += (double)x[at + c] * x[at + c];
            for (int c = 0; c < d; c++) {
                out[at + c] = mask[r] ? x[at + c] / fmax(sqrt(ss), 1e-12) : 0;
                tol[at + c] = (d + 8) * KC_U * fabs(out[at + c]);
            }
        }
}

/* B 2 × L 7 rows (3 padded) of 3 heads of d 5, one slice all zeros (the 1e-12 floor). */
static void test_normalize_heads(void **state) {
    const int seq = 7, rows = 2 * seq, heads = 3, d = 5;
    const size_t n = (size_t)rows * heads * d;
    float *x = kc_random(n, 3.0f, 81u), *got = malloc(n * sizeof(float));
    memset(x + 2 * d, 0, d * sizeof(float)); /* row 0, head 2 */
    int *mask = make_mask(2, seq);
    double *ref = kc_doubles(n), *tol = kc_doubles(n);
    cl_mem dx = kc_upload(x, n * 4), dmask = kc_upload(mask, (size_t)rows * 4);
    assert_int_equal(yoso_launch_attention_normalize_heads(test_ctx, dx, dmask, rows, heads, d),
                     YOSO_OK);
    kc_download(dx, got, n * 4);
    normalize_heads_cpu(x, mask, ref, tol, rows, heads, d);
    kc_expect_close("attention_normalize_heads", got, ref, tol, n);
    clReleaseMemObject(dx), clReleaseMemObject(dmask);
    free(x), free(got), free(mask), free(ref), free(tol);
}

/* ---- convolution branch --------------------------------------------------------------------- */

/* ctx[b, t, h·d + c] += Σ_w weight[h, w]·(v·mask)[b, h, t + w − W/2, c], zero-padded, in double;
 * the bound of a W-term float sum and the final add. */
static void attention_conv_cpu(const float *v, const int *mask, const float *weight,
                               const float *ctx0, double *out, double *tol, int batch, int seq,
                               int heads, int d, int window) {
    for (int b = 0; b < batch; b++)
        for (int h = 0; h < heads; h++)
            for (int t = 0; t < seq; t++)
                for (int c = 0; c < d; c++) {
                    double s = 0, mag = 0;
                    for (int w = 0; w < window; w++) {
                        const int j = t + w - window / 2;
                        if (j < 0 || j >= seq || !mask[b * seq + j]) continue;
                        const double term = (double)weight[h * window + w] *
                                            v[(((size_t)b * heads + h) * seq + j) * d + c];
                        s += term, mag += fabs(term);
                    }
                    const size_t at = ((size_t)b * seq + t) * heads * d + h * d + c;
                    out[at] = ctx0[at] + s;
                    tol[at] = (window + 2) * KC_U * (mag + fabs(ctx0[at]));
                }
}

/* B 2 × L 9, 2 heads of d 3, windows 3 and 5 (the edges zero-padded, masked keys skipped). */
static void test_attention_conv(void **state) {
    const int batch = 2, seq = 9, heads = 2, d = 3, windows[] = {3, 5};
    const size_t n = (size_t)batch * seq * heads * d;
    float *v = kc_random(n, 1.0f, 91u), *ctx0 = kc_random(n, 1.0f, 92u);
    float *got = malloc(n * sizeof(float));
    int *mask = make_mask(batch, seq);
    double *ref = kc_doubles(n), *tol = kc_doubles(n);
    for (int wi = 0; wi < 2; wi++) {
        const int window = windows[wi];
        float *weight = kc_random((size_t)heads * window, 1.0f, 93u + wi);
        cl_mem dv = kc_upload(v, n * 4), dmask = kc_upload(mask, (size_t)batch * seq * 4);
        cl_mem dw = kc_upload(weight, (size_t)heads * window * 4), dctx = kc_upload(ctx0, n * 4);
        assert_int_equal(yoso_launch_attention_conv_add(test_ctx, dv, dmask, dw, dctx, batch, seq,
                                                        heads, d, window),
                         YOSO_OK);
        kc_download(dctx, got, n * 4);
        attention_conv_cpu(v, mask, weight, ctx0, ref, tol, batch, seq, heads, d, window);
        kc_expect_close("attention_conv_add", got, ref, tol, n);
        clReleaseMemObject(dv), clReleaseMemObject(dmask), clReleaseMemObject(dw);
        clReleaseMemObject(dctx);
        free(weight);
    }
    free(v), free(ctx0), free(got), free(mask), free(ref), free(tol);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_attention_prepare, test_expectation_hd16,
          test_expectation_hd32, test_expectation_hd64, test_expectation_weights,
          test_expectation_weights_host, test_normalize_heads, test_attention_conv)

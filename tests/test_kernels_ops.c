/* test_kernels_ops.c — each kernel of src/cl/ops beside its plain-C `_cpu` reference, on odd
 * shapes, on the default device: layernorm (the per-row and the work-group variant, whatever the
 * device type), bias + GELU (scalar and 16-wide), bias add, gather rows, the embedding sum (fp32
 * and half word table) and half → float. Error bounds follow from each kernel's float arithmetic
 * (KC_U per rounding); copies and single adds must match bit for bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp16.h"
#include "kernel_check.h"
#include "ops.h"

/* ---- layernorm ------------------------------------------------------------------------------ */

/* y = LN(x + bias + residual) per row in double, with the float kernel's error bound per element:
 * the H-term sums of the mean and variance (H·u each), rsqrt (2 ulp), then the scale and shift. */
static void layernorm_cpu(const float *x, const float *bias, const float *res, const float *gamma,
                          const float *beta, double *y, double *tol, int rows, int hidden,
                          float eps) {
    for (int r = 0; r < rows; r++) {
        double mean = 0, var = 0, amax = 0, dmax = 0;
        double *v = kc_doubles((size_t)hidden);
        for (int i = 0; i < hidden; i++) {
            const size_t at = (size_t)r * hidden + i;
            v[i] = (double)x[at] + (bias ? bias[i] : 0) + (res ? res[at] : 0);
            mean += v[i];
            amax = fmax(amax, fabs(v[i]));
        }
        mean /= hidden;
        for (int i = 0; i < hidden; i++) {
            var += (v[i] - mean) * (v[i] - mean);
            dmax = fmax(dmax, fabs(v[i] - mean));
        }
        var /= hidden;
        const double inv = 1.0 / sqrt(var + eps);
        const double e_d = (hidden + 4) * KC_U * amax;                   /* of v − mean */
        const double e_var = (hidden + 2) * KC_U * var + 2 * dmax * e_d; /* of the variance */
        const double e_inv = e_var / (2 * (var + eps)) + 4 * KC_U;       /* relative, of rsqrt */
        for (int i = 0; i < hidden; i++) {
            const size_t at = (size_t)r * hidden + i;
            const double d = v[i] - mean, z = d * inv;
            y[at] = z * gamma[i] + beta[i];
            const double e_z = fabs(d) * inv * e_inv + inv * e_d + KC_U * fabs(z);
            tol[at] = fabs(gamma[i]) * e_z + 3 * KC_U * (fabs(z * gamma[i]) + fabs(beta[i]));
        }
        free(v);
    }
}

/* Both layernorm kernels through the launcher, which picks layernorm_rows (one work-item per row)
 * on a CPU-class device and layernorm_fused (a work-group per row) elsewhere: the test flips
 * ctx->cpu_class to run each on any device. With and without bias and residual, out aliasing x,
 * widths around the 16-lane runs (1, 13, 37, 48, 100) and one wider than the work-group (300). */
static void test_layernorm(void **state) {
    const int widths[] = {1, 13, 37, 48, 100, 300}, nw = kc_tiny() ? 3 : 6, rows = 5;
    const float eps = 1e-5f;
    const int cpu_class = test_ctx->cpu_class;
    for (int wi = 0; wi < nw; wi++) {
        const int hidden = widths[wi];
        const size_t n = (size_t)rows * hidden;
        float *x = kc_random(n, 1.0f, 11u + wi), *res = kc_random(n, 1.0f, 12u + wi);
        float *bias = kc_random((size_t)hidden, 0.5f, 13u), *gamma = kc_random(hidden, 1.5f, 14u);
        float *beta = kc_random((size_t)hidden, 0.5f, 15u), *got = malloc(n * sizeof(float));
        double *ref = kc_doubles(n), *tol = kc_doubles(n);
        cl_mem dbias = kc_upload(bias, hidden * sizeof(float));
        cl_mem dres = kc_upload(res, n * sizeof(float));
        cl_mem dgamma = kc_upload(gamma, hidden * sizeof(float));
        cl_mem dbeta = kc_upload(beta, hidden * sizeof(float));
        for (int per_row = 0; per_row < 2; per_row++) {
            for (int adds = 0; adds < 4; adds++) {
                const int has_bias = adds & 1, has_res = adds >> 1;
                cl_mem dx = kc_upload(x, n * sizeof(float)); /* also the output */
                test_ctx->cpu_class = per_row;
                const yoso_status st = yoso_launch_layernorm(test_ctx, dx, has_bias ? dbias : NULL,
                                                             has_res ? dres : NULL, dgamma, dbeta,
                                                             dx, rows, hidden, eps);
                test_ctx->cpu_class = cpu_class;
                assert_int_equal(st, YOSO_OK);
                kc_download(dx, got, n * sizeof(float));
                layernorm_cpu(x, has_bias ? bias : NULL, has_res ? res : NULL, gamma, beta, ref,
                              tol, rows, hidden, eps);
                char what[96];
                snprintf(what, sizeof what, "layernorm_%s H %d, bias %d, residual %d",
                         per_row ? "rows" : "fused", hidden, has_bias, has_res);
                kc_expect_close(what, got, ref, tol, n);
                clReleaseMemObject(dx);
            }
        }
        clReleaseMemObject(dbias);
        clReleaseMemObject(dres);
        clReleaseMemObject(dgamma);
        clReleaseMemObject(dbeta);
        free(x), free(res), free(bias), free(gamma), free(beta), free(got), free(ref), free(tol);
    }
}

/* ---- bias + GELU, bias add, gather rows ------------------------------------------------------ */

/* x = gelu(x + bias) with the exact erf, in double; the bound: the rational erf's 4e-7 and its
 * float Horner rounding (16 u) on v/2·erf, the rounding of v moved through gelu' ≤ 1.13, and the
 * last few operations on the result. */
static void bias_gelu_cpu(const float *x, const float *bias, double *y, double *tol, int rows,
                          int cols) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            const size_t i = (size_t)r * cols + c;
            const double v = (double)(x[i] + bias[c]); /* the kernel's float add, exactly */
            y[i] = 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
            tol[i] = fabs(v) * (0.5 * (4e-7 + 16 * KC_U) + 1.2 * KC_U) + 4 * KC_U * fabs(y[i]);
        }
}

/* The scalar kernel (odd widths) and the 16-wide one (widths a multiple of 16, here 16 and 272 =
 * 17 runs: one work-item's 16 runs plus one), on values past erf's clamp at ±4·√2. */
static void test_bias_gelu(void **state) {
    const int widths[] = {7, 16, 33, 272}, nw = kc_tiny() ? 3 : 4, rows = 3;
    for (int wi = 0; wi < nw; wi++) {
        const int cols = widths[wi];
        const size_t n = (size_t)rows * cols;
        float *x = kc_random(n, 8.0f, 21u + wi), *bias = kc_random(cols, 1.0f, 22u);
        float *got = malloc(n * sizeof(float));
        double *ref = kc_doubles(n), *tol = kc_doubles(n);
        cl_mem dx = kc_upload(x, n * sizeof(float)), db = kc_upload(bias, cols * sizeof(float));
        assert_int_equal(yoso_launch_bias_gelu(test_ctx, dx, db, rows, cols), YOSO_OK);
        kc_download(dx, got, n * sizeof(float));
        bias_gelu_cpu(x, bias, ref, tol, rows, cols);
        char what[64];
        snprintf(what, sizeof what, "bias_gelu cols %d", cols);
        kc_expect_close(what, got, ref, tol, n);
        clReleaseMemObject(dx);
        clReleaseMemObject(db);
        free(x), free(bias), free(got), free(ref), free(tol);
    }
}

/* x[r, c] + bias[c] as one float add (exact to compare). */
static void bias_add_cpu(const float *x, const float *bias, double *y, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            y[(size_t)r * cols + c] = (double)(x[(size_t)r * cols + c] + bias[c]);
}

/* out[i] = x[rows[i]] (a copy). */
static void gather_rows_cpu(const float *x, const int *rows, double *out, int n, int cols) {
    for (int i = 0; i < n; i++)
        for (int c = 0; c < cols; c++) out[(size_t)i * cols + c] = x[(size_t)rows[i] * cols + c];
}

/* bias add on odd widths, and gathering rows out of order, repeated and first/last, bit-exact. */
static void test_bias_add_gather_rows(void **state) {
    const int rows = 5, widths[] = {1, 7, 33};
    for (int wi = 0; wi < 3; wi++) {
        const int cols = widths[wi];
        const size_t n = (size_t)rows * cols;
        float *x = kc_random(n, 2.0f, 31u + wi), *bias = kc_random(cols, 2.0f, 32u);
        float *got = malloc(n * sizeof(float));
        double *ref = kc_doubles(n);
        cl_mem dx = kc_upload(x, n * sizeof(float)), db = kc_upload(bias, cols * sizeof(float));
        assert_int_equal(yoso_launch_bias_add(test_ctx, dx, db, rows, cols), YOSO_OK);
        kc_download(dx, got, n * sizeof(float));
        bias_add_cpu(x, bias, ref, rows, cols);
        kc_expect_close("bias_add", got, ref, NULL, n);

        const int pick[4] = {4, 0, 2, 2};
        cl_mem dsrc = kc_upload(x, n * sizeof(float)), dpick = kc_upload(pick, sizeof pick);
        cl_mem dout = kc_upload(got, 4 * cols * sizeof(float));
        assert_int_equal(yoso_launch_gather_rows(test_ctx, dsrc, dpick, dout, 4, cols), YOSO_OK);
        kc_download(dout, got, 4 * cols * sizeof(float));
        gather_rows_cpu(x, pick, ref, 4, cols);
        kc_expect_close("gather_rows", got, ref, NULL, 4 * (size_t)cols);
        clReleaseMemObject(dx), clReleaseMemObject(db), clReleaseMemObject(dsrc);
        clReleaseMemObject(dpick), clReleaseMemObject(dout);
        free(x), free(bias), free(got), free(ref);
    }
}

/* ---- embeddings, half → float -----------------------------------------------------------------
 */

/* out[b, t] = (word[ids[b, t]] + type[0]) + pos[t + 2] in the kernel's float order (exact);
 * word_half: the word table holds half bits. */
static void embed_sum_cpu(const int *ids, const float *word, const uint16_t *word_h,
                          const float *pos, const float *type, double *out, int rows, int seq,
                          int hidden) {
    for (int r = 0; r < rows; r++)
        for (int h = 0; h < hidden; h++) {
            const size_t w = (size_t)ids[r] * hidden + h;
            const float wv = word_h ? yoso_half_to_float(word_h[w]) : word[w];
            out[(size_t)r * hidden + h] =
                (double)((wv + type[h]) + pos[(size_t)(r % seq + 2) * hidden + h]);
        }
}

/* Both word-table precisions, B 2 × L 5, H 13, ids hitting the first and last vocabulary rows. */
static void test_embed(void **state) {
    const int batch = 2, seq = 5, hidden = 13, vocab = 11, rows = batch * seq;
    const int ids[10] = {0, 10, 3, 3, 7, 10, 1, 0, 9, 5};
    float *word = kc_random((size_t)vocab * hidden, 1.0f, 41u);
    float *pos = kc_random((size_t)(seq + 2) * hidden, 1.0f, 42u);
    float *type = kc_random((size_t)2 * hidden, 1.0f, 43u);
    uint16_t *word_h = malloc((size_t)vocab * hidden * sizeof(uint16_t));
    for (int i = 0; i < vocab * hidden; i++) word_h[i] = yoso_float_to_half(word[i]);
    float got[10 * 13];
    double ref[10 * 13];
    cl_mem dids = kc_upload(ids, sizeof ids), dpos = kc_upload(pos, (seq + 2) * hidden * 4);
    cl_mem dtype = kc_upload(type, 2 * hidden * 4), dout = kc_upload(got, sizeof got);
    for (int half = 0; half < 2; half++) {
        cl_mem dword = half ? kc_upload(word_h, (size_t)vocab * hidden * 2)
                            : kc_upload(word, (size_t)vocab * hidden * 4);
        assert_int_equal(yoso_launch_embed_sum(test_ctx, dids, dword, dpos, dtype, dout, rows, seq,
                                               hidden, half),
                         YOSO_OK);
        kc_download(dout, got, sizeof got);
        embed_sum_cpu(ids, word, half ? word_h : NULL, pos, type, ref, rows, seq, hidden);
        kc_expect_close(half ? "embed_sum_half" : "embed_sum", got, ref, NULL,
                        (size_t)rows * hidden);
        clReleaseMemObject(dword);
    }
    clReleaseMemObject(dids), clReleaseMemObject(dpos), clReleaseMemObject(dtype);
    clReleaseMemObject(dout);
    free(word), free(pos), free(type), free(word_h);
}

/* half → float of every class (normals, subnormals, ±0, ±Inf, NaN) at odd offsets and counts that
 * end inside and at a run of 8: bit-exact against yoso_half_to_float, NaN as NaN. */
static void test_half_to_float(void **state) {
    const size_t total = 300, counts[] = {1, 7, 8, 9, 203};
    uint16_t src[300];
    for (size_t i = 0; i < total; i++) src[i] = (uint16_t)(i * 2654435761u >> 16);
    const uint16_t special[] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x8001, 0x0400,
                                0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x3c00};
    memcpy(src + 3, special, sizeof special);
    cl_mem dsrc = kc_upload(src, sizeof src);
    float got[320], init[320];
    for (size_t i = 0; i < 320; i++) init[i] = -7.0f;
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
        const size_t n = counts[ci], soff = 3, doff = 5;
        cl_mem ddst = kc_upload(init, sizeof init);
        assert_int_equal(yoso_launch_half_to_float(test_ctx, dsrc, soff, ddst, doff, n), YOSO_OK);
        kc_download(ddst, got, sizeof got);
        for (size_t i = 0; i < 320; i++) {
            if (i < doff || i >= doff + n) { /* nothing outside [doff, doff + n) is touched */
                assert_true(got[i] == -7.0f);
                continue;
            }
            const float want = yoso_half_to_float(src[soff + i - doff]);
            if (isnan(want)) {
                assert_true(isnan(got[i]));
            } else if (memcmp(&want, &got[i], 4) != 0) {
                fail_msg("half_to_float n %zu: element %zu (half 0x%04x) is %.9g, not %.9g", n,
                         i - doff, src[soff + i - doff], got[i], want);
            }
        }
        clReleaseMemObject(ddst);
    }
    clReleaseMemObject(dsrc);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_layernorm, test_bias_gelu,
          test_bias_add_gather_rows, test_embed, test_half_to_float)

/* expectation_host.c — YOSO-E weights on the host, for the fused path on host-BLAS devices:
 * the expectation_weights kernel's polynomial (attention_expectation.cl) in C, vectorized by the
 * compiler (this file is built with GCC's vectorizer on, -fno-math-errno and -fno-trapping-math so
 * that sqrt and the selects vectorize, and, on x86-64, one clone per ISA level picked at load
 * time). */
#include <math.h>

#include "attention_internal.h"

/* GCC only: clang 14 emits the clones without the plain symbol a static libyoso.a needs. */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(__clang__)
#if __has_attribute(target_clones)
#define YOSO_ISA_CLONES                                                                            \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
#endif
#ifndef YOSO_ISA_CLONES
#define YOSO_ISA_CLONES
#endif

/* Columns per chunk: a chunk's bases and powers stay in registers or L1. */
#define EXPECTATION_CHUNK 64

/* x[c] ← (1 − acos(clamp(x[c], −1, 1))/π)^τ · (mask[c] ≠ 0) for c < EXPECTATION_CHUNK (a
 * constant trip count, so the loop vectorizes): acos(|x|) = sqrt(1 − |x|)·P(|x|)
 * (Abramowitz–Stegun 4.4.46, |error| ≤ 2e-8), acos(−x) = π − acos(x); base^τ (τ ≤ 31) by
 * squaring in registers, the products in the order of the kernel's loop over τ's bits. */
__attribute__((always_inline)) static inline void expectation_chunk(float *x, const int32_t *mask,
                                                                    int tau) {
    const int t1 = tau & 1, t2 = tau & 2, t4 = tau & 4, t8 = tau & 8, t16 = tau & 16;
    for (int c = 0; c < EXPECTATION_CHUNK; c++) {
        const float xc = x[c]; /* one unconditional load: the selects below if-convert */
        const float ax = fabsf(xc) > 1.0f ? 1.0f : fabsf(xc); /* |clamp(x, −1, 1)| */
        float p = -0.0012624911f;
        p = p * ax + 0.0066700901f;
        p = p * ax - 0.0170881256f;
        p = p * ax + 0.0308918810f;
        p = p * ax - 0.0501743046f;
        p = p * ax + 0.0889789874f;
        p = p * ax - 0.2145988016f;
        p = p * ax + 1.5707963050f;
        const float r = sqrtf(1.0f - ax) * p * 0.318309886183790671f; /* acos(|x|)/π */
        const float b1 = xc >= 0.0f ? 1.0f - r : r, b2 = b1 * b1, b4 = b2 * b2, b8 = b4 * b4;
        float w = t1 ? b1 : 1.0f;
        w = t2 ? w * b2 : w;
        w = t4 ? w * b4 : w;
        w = t8 ? w * b8 : w;
        w = t16 ? w * (b8 * b8) : w;
        x[c] = mask[c] ? w : 0.0f;
    }
}

YOSO_ISA_CLONES
void yoso_expectation_weights_host(float *scores, size_t rows, size_t seq, size_t ld,
                                   const int32_t *mask, int tau) {
    const size_t full = seq / EXPECTATION_CHUNK * EXPECTATION_CHUNK, rest = seq - full;
    float x[EXPECTATION_CHUNK];
    int32_t m[EXPECTATION_CHUNK] = {0};
    for (size_t c = 0; c < rest; c++) m[c] = mask[full + c];
    for (size_t r = 0; r < rows; r++) {
        float *s = scores + r * ld;
        for (size_t j0 = 0; j0 < full; j0 += EXPECTATION_CHUNK)
            expectation_chunk(s + j0, mask + j0, tau);
        if (!rest) continue;
        for (size_t c = 0; c < EXPECTATION_CHUNK; c++) x[c] = c < rest ? s[full + c] : 0.0f;
        expectation_chunk(x, m, tau); /* the last partial chunk, through a padded copy */
        for (size_t c = 0; c < rest; c++) s[full + c] = x[c];
    }
}

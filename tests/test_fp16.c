/* test_fp16.c — src/common/fp16: every half widens exactly and narrows back to itself; floats at,
 * beside and between half values round to nearest even (normals, subnormals, the overflow edge);
 * ±0, ±Inf and NaN keep their kind and sign. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fp16.h"
#include "test_support.h"

/* The float whose bits are `bits`. */
static float bits_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* The exact value of a finite half from its fields (ldexp, no bit tricks), the reference. */
static double half_value(uint16_t h) {
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double v = exp ? ldexp(1024 + mant, exp - 25) : ldexp(mant, -24);
    return (h & 0x8000) ? -v : v;
}

/* Every finite half widens to its exact value, and narrows back to the same bits. */
static void test_half_round_trip(void **state) {
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00) continue;
        float f = yoso_half_to_float((uint16_t)h);
        assert_true((double)f == half_value((uint16_t)h));
        assert_int_equal(yoso_float_to_half(f), h);
    }
}

/* The midpoint between two neighbouring halves goes to the even one; one float step either side
 * of it goes to the nearer one. Covers subnormals (0x0001..0x03ff), the subnormal/normal seam and
 * the top binade, in both signs. */
static void test_round_nearest_even(void **state) {
    for (uint32_t h = 0; h < 0x7bff; h++) {
        for (uint32_t sign = 0; sign <= 0x8000; sign += 0x8000) {
            double lo = half_value((uint16_t)h), hi = half_value((uint16_t)(h + 1));
            float mid = (float)((lo + hi) / 2); /* exact: 12 significant bits */
            assert_true((double)mid == (lo + hi) / 2);
            uint32_t even = (h & 1) ? h + 1 : h, mid_bits;
            memcpy(&mid_bits, &mid, 4);
            float below = bits_float(mid_bits - 1), above = bits_float(mid_bits + 1);
            if (sign) mid = -mid, below = -below, above = -above;
            assert_int_equal(yoso_float_to_half(mid), sign | even);
            assert_int_equal(yoso_float_to_half(below), sign | h);
            assert_int_equal(yoso_float_to_half(above), sign | (h + 1));
        }
    }
}

/* Below half the smallest subnormal (2^-25) is ±0, exactly half of it ties to ±0, just above
 * rounds up to the smallest subnormal. */
static void test_underflow(void **state) {
    const float quarter = ldexpf(1.0f, -26), half_min = ldexpf(1.0f, -25);
    assert_int_equal(yoso_float_to_half(0.0f), 0x0000);
    assert_int_equal(yoso_float_to_half(-0.0f), 0x8000);
    assert_int_equal(yoso_float_to_half(quarter), 0x0000);
    assert_int_equal(yoso_float_to_half(-quarter), 0x8000);
    assert_int_equal(yoso_float_to_half(half_min), 0x0000);
    assert_int_equal(yoso_float_to_half(nextafterf(half_min, 1.0f)), 0x0001);
    assert_int_equal(yoso_float_to_half(ldexpf(1.0f, -24)), 0x0001);
    assert_int_equal(yoso_float_to_half(1e-30f), 0x0000);
    assert_int_equal(yoso_float_to_half(bits_float(1)), 0x0000); /* float subnormal */
    assert_true(yoso_half_to_float(0x8000) == 0.0f && signbit(yoso_half_to_float(0x8000)));
}

/* 65504 is the largest half; from the midpoint to 65536 (65520) on, the value rounds to Inf. */
static void test_overflow_inf_nan(void **state) {
    assert_int_equal(yoso_float_to_half(65504.0f), 0x7bff);
    assert_int_equal(yoso_float_to_half(65519.996f), 0x7bff);
    assert_int_equal(yoso_float_to_half(65520.0f), 0x7c00);
    assert_int_equal(yoso_float_to_half(-65520.0f), 0xfc00);
    assert_int_equal(yoso_float_to_half(1e30f), 0x7c00);
    assert_int_equal(yoso_float_to_half(INFINITY), 0x7c00);
    assert_int_equal(yoso_float_to_half(-INFINITY), 0xfc00);
    uint16_t n = yoso_float_to_half(NAN), nn = yoso_float_to_half(-NAN);
    assert_int_equal(n & 0x7c00, 0x7c00);
    assert_true((n & 0x3ff) != 0);
    assert_int_equal(nn & 0xfc00, 0xfc00);
    assert_true((nn & 0x3ff) != 0);
    /* a NaN whose payload sits only in the low float bits stays a NaN */
    assert_true((yoso_float_to_half(bits_float(0x7f800001u)) & 0x3ff) != 0);
    assert_true(isinf(yoso_half_to_float(0x7c00)) && yoso_half_to_float(0x7c00) > 0);
    assert_true(isinf(yoso_half_to_float(0xfc00)) && yoso_half_to_float(0xfc00) < 0);
    assert_true(isnan(yoso_half_to_float(0x7e00)));
    assert_true(isnan(yoso_half_to_float(0xfc01)));
}

TEST_MAIN(NULL, NULL, test_half_round_trip, test_round_nearest_even, test_underflow,
          test_overflow_inf_nan)

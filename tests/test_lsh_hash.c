/* test_lsh_hash.c — the fast Hadamard hash: the transform's order, the counter-based signs, and
 * the device codes bit for bit against the plain-C reference (DESIGN §3). */
#include <stdio.h>

#include "lsh_reference.h"

/* The reference butterflies are the Sylvester-order Hadamard matrix, unnormalized. */
static void test_wht_is_sylvester_hadamard(void **state) {
    float x[128], y[128];
    for (int dp = 32; dp <= 128; dp *= 2) {
        ref_fill_random(x, dp, dp);
        memcpy(y, x, sizeof x);
        ref_wht(y, dp);
        for (int i = 0; i < dp; i++) {
            double expect = 0;
            for (int j = 0; j < dp; j++) expect += ref_hadamard_entry(i, j) * (double)x[j];
            assert_true(fabs(y[i] - expect) < 1e-4);
        }
    }
    /* H = [[1, 1], [1, −1]] ⊗ …: row 1 alternates, row dp/2 is + for the first half only. */
    assert_int_equal(ref_hadamard_entry(1, 2), 1);
    assert_int_equal(ref_hadamard_entry(1, 3), -1);
    assert_int_equal(ref_hadamard_entry(16, 15), 1);
    assert_int_equal(ref_hadamard_entry(16, 16), -1);
}

/* Signs are a pure function of their key, balanced, and differ between seeds and keys. */
static void test_signs_counter_based(void **state) {
    int plus = 0, n = 0, seed_diff = 0, layer_diff = 0, head_diff = 0;
    for (int l = 0; l < 4; l++)
        for (int h = 0; h < 12; h++)
            for (int r = 0; r < 3; r++)
                for (int p = 0; p < 10; p++)
                    for (int c = 0; c < 64; c++) {
                        const int s = yoso_lsh_sign(7, l, h, r, p, c);
                        assert_true(s == 1 || s == -1);
                        assert_int_equal(s, yoso_lsh_sign(7, l, h, r, p, c));
                        plus += s == 1;
                        n++;
                        seed_diff += s != yoso_lsh_sign(8, l, h, r, p, c);
                        layer_diff += s != yoso_lsh_sign(7, l + 1, h, r, p, c);
                        head_diff += s != yoso_lsh_sign(7, l, h + 1, r, p, c);
                    }
    /* 92160 fair coins: 5 standard deviations is 0.8 %. */
    assert_true(fabs((double)plus / n - 0.5) < 0.008);
    assert_true(fabs((double)seed_diff / n - 0.5) < 0.008);
    assert_true(fabs((double)layer_diff / n - 0.5) < 0.008);
    assert_true(fabs((double)head_diff / n - 0.5) < 0.008);

    yoso_lsh_shape s;
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 3, 1, 64, 64, 9), YOSO_OK);
    float *buf = malloc(sizeof(float) * 3 * 3 * s.num_part * s.dp);
    yoso_lsh_signs_fill(42, 5, &s, buf);
    for (int h = 0; h < 3; h++)
        for (int r = 0; r < 3; r++)
            for (int p = 0; p < s.num_part; p++)
                for (int c = 0; c < s.dp; c++)
                    assert_true(buf[((h * 3 + r) * s.num_part + p) * s.dp + c] ==
                                (float)yoso_lsh_sign(42, 5, h, r, p, c));
    free(buf);
}

/* The geometry follows HF: dp = head_dim padded to a power of two ≥ 32, ⌊dp/τ⌋ codes a part. */
static void test_shape(void **state) {
    yoso_lsh_shape s;
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 12, 4096, 64, 64, 9), YOSO_OK);
    assert_int_equal(s.dp, 64);
    assert_int_equal(s.per_part, 7);
    assert_int_equal(s.num_part, 10);
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 1, 1, 16, 64, 9), YOSO_OK);
    assert_int_equal(s.dp, 32);
    assert_int_equal(s.num_part, 22);
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 1, 1, 100, 5, 16), YOSO_OK);
    assert_int_equal(s.dp, 128);
    assert_int_equal(s.num_part, 1);
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 1, 1, 129, 64, 9), YOSO_ERR_UNSUPPORTED);
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 1, 1, 64, 64, 17), YOSO_ERR_USAGE);
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 1, 0, 64, 64, 9), YOSO_ERR_USAGE);
}

typedef struct hash_case {
    int batch, heads, seq, head_dim, num_hash, tau;
    int per_batch_signs; /* 1: sign rows = batch·heads (explicit Dmat layout), 0: heads */
    int lens[2];         /* valid lengths of rows 0 and 1 (0 = full) */
} hash_case;

/* Hashes random vectors on the device and compares every code with ref_hash. */
static void check_hash_case(const hash_case *hc, uint64_t seed) {
    yoso_lsh_shape s;
    assert_int_equal(
        yoso_lsh_shape_init(&s, hc->batch, hc->heads, hc->seq, hc->head_dim, hc->num_hash, hc->tau),
        YOSO_OK);
    const int bh = s.batch * s.heads;
    const int rows = hc->per_batch_signs ? bh : s.heads;
    const size_t nx = (size_t)bh * s.seq * s.head_dim;
    const size_t nsign = (size_t)rows * 3 * s.num_part * s.dp;
    const size_t ncode = (size_t)bh * s.num_hash * s.seq;
    float *x = malloc(nx * sizeof(float)), *signs = malloc(nsign * sizeof(float));
    int32_t *expect = malloc(ncode * sizeof(int32_t)), *got = malloc(ncode * sizeof(int32_t));
    int lens[2] = {hc->lens[0] ? hc->lens[0] : s.seq, hc->lens[1] ? hc->lens[1] : s.seq};
    int32_t *mask = ref_mask(s.batch, s.seq, lens);
    ref_fill_random(x, nx, seed);
    ref_fill_random(signs, nsign, seed + 1);
    for (size_t i = 0; i < nsign; i++) signs[i] = signs[i] >= 0 ? 1.0f : -1.0f;
    ref_hash(x, mask, signs, rows, &s, expect);

    cl_mem dx = ref_upload(test_ctx, x, nx * sizeof(float));
    cl_mem dmask = ref_upload(test_ctx, mask, sizeof(int32_t) * s.batch * s.seq);
    cl_mem dsigns = ref_upload(test_ctx, signs, nsign * sizeof(float));
    cl_mem dcodes = ref_device_buffer(test_ctx, ncode * sizeof(int32_t));
    size_t padded = 0;
    for (size_t i = 0; i < ncode; i++) {
        padded += expect[i] == -1;
        assert_true(expect[i] >= -1 && expect[i] < (1 << s.tau));
    }
    for (int layout = YOSO_LSH_LAYOUT_ITEMS; layout <= YOSO_LSH_LAYOUT_ROWS; layout++) {
        memset(got, 0x55, ncode * sizeof(int32_t));
        assert_int_equal(clEnqueueWriteBuffer(test_ctx->queue, dcodes, CL_TRUE, 0, ncode * 4, got,
                                              0, NULL, NULL),
                         CL_SUCCESS);
        assert_int_equal(yoso_launch_lsh_hash(test_ctx, dx, dmask, dsigns, rows, dcodes, &s,
                                              (yoso_lsh_layout)layout),
                         YOSO_OK);
        ref_download(test_ctx, dcodes, got, ncode * sizeof(int32_t));
        size_t mismatches = 0;
        for (size_t i = 0; i < ncode; i++) mismatches += got[i] != expect[i];
        if (mismatches)
            fprintf(stderr, "layout %d, B%d nh%d L%d d%d m%d tau%d: %zu of %zu codes differ\n",
                    layout, hc->batch, hc->heads, hc->seq, hc->head_dim, hc->num_hash, hc->tau,
                    mismatches, ncode);
        assert_int_equal(mismatches, 0);
    }
    size_t expect_padded = 0;
    for (int b = 0; b < s.batch; b++) expect_padded += (size_t)(s.seq - lens[b]) * s.heads;
    assert_int_equal(padded, expect_padded * s.num_hash);
    clReleaseMemObject(dx);
    clReleaseMemObject(dmask);
    clReleaseMemObject(dsigns);
    clReleaseMemObject(dcodes);
    free(x);
    free(signs);
    free(expect);
    free(got);
    free(mask);
}

/* Codes equal the reference, in both kernel layouts, for every padded size, τ that straddles
 * 64-bit words, many parts, row counts that are not multiples of 16 or 32. */
static void test_codes_match_reference(void **state) {
    static const hash_case cases[] = {
        {2, 3, 37, 64, 64, 9, 0, {37, 20}}, /* yoso-4096's geometry, a padded row */
        {1, 2, 5, 16, 7, 8, 1, {0, 0}},     /* d 16 → dp 32 (HF pads to the warp) */
        {2, 2, 33, 48, 30, 5, 1, {1, 33}},  /* d 48 → dp 64, a row of one token */
        {1, 1, 70, 100, 40, 16, 0, {0, 0}}, /* d 100 → dp 128, τ 16 */
        {1, 2, 10, 128, 18, 13, 0, {0, 0}}, /* codes across the 64-bit word boundary */
        {1, 2, 3, 128, 256, 1, 0, {0, 0}},  /* τ 1: 128 codes per part */
        {1, 1, 9, 32, 4096, 16, 0, {0, 0}}, /* 2048 parts */
        {2, 1, 1, 1, 3, 2, 0, {0, 0}},      /* one token of one dim */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_hash_case(&cases[i], 11 + i);
}

/* A vector and a (power-of-two) multiple of it hash alike: the hash needs no normalized inputs. */
static void test_codes_scale_invariant(void **state) {
    yoso_lsh_shape s;
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 1, 2, 64, 64, 9), YOSO_OK);
    float x[128], signs[3 * 10 * 64];
    ref_fill_random(x, 64, 5);
    for (int c = 0; c < 64; c++) x[64 + c] = x[c] * 32.0f; /* exact: same rounding, scaled */
    for (size_t i = 0; i < sizeof signs / sizeof signs[0]; i++) signs[i] = (i * 7919 % 3) ? 1 : -1;
    int32_t mask[2] = {1, 1}, codes[2 * 64];
    cl_mem dx = ref_upload(test_ctx, x, sizeof x), dm = ref_upload(test_ctx, mask, sizeof mask);
    cl_mem ds = ref_upload(test_ctx, signs, sizeof signs);
    cl_mem dc = ref_device_buffer(test_ctx, sizeof codes);
    assert_int_equal(yoso_launch_lsh_hash(test_ctx, dx, dm, ds, 1, dc, &s, YOSO_LSH_LAYOUT_AUTO),
                     YOSO_OK);
    ref_download(test_ctx, dc, codes, sizeof codes);
    for (int h = 0; h < 64; h++) assert_int_equal(codes[h * 2], codes[h * 2 + 1]);
    clReleaseMemObject(dx);
    clReleaseMemObject(dm);
    clReleaseMemObject(ds);
    clReleaseMemObject(dc);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_wht_is_sylvester_hadamard,
          test_signs_counter_based, test_shape, test_codes_match_reference,
          test_codes_scale_invariant)

/* test_lsh_cumulation.c — the bucket cumulation and whole LSH runs against plain-C references:
 * explicit signs bit for bit on the codes and within 1e-5 on the output, chunking that does not
 * change a bit, every length from 1 to 4096, padded rows excluded. */
#include <stdio.h>

#include "lsh_reference.h"

/* acc [BH, L, d] by bucket tables: the formula out_i = (1/m) Σ_h T_h[code_h(q_i)], in double. */
static void ref_cumulate_tables(const int32_t *qc, const int32_t *kc, const float *v,
                                const yoso_lsh_shape *s, double *acc) {
    const int L = s->seq, d = s->head_dim, buckets = 1 << s->tau;
    double *table = malloc(sizeof(double) * buckets * d);
    memset(acc, 0, sizeof(double) * s->batch * s->heads * L * d);
    for (int bh = 0; bh < s->batch * s->heads; bh++)
        for (int h = 0; h < s->num_hash; h++) {
            const int32_t *q = qc + ((size_t)bh * s->num_hash + h) * L;
            const int32_t *k = kc + ((size_t)bh * s->num_hash + h) * L;
            memset(table, 0, sizeof(double) * buckets * d);
            for (int j = 0; j < L; j++)
                if (k[j] >= 0)
                    for (int c = 0; c < d; c++)
                        table[k[j] * d + c] += v[((size_t)bh * L + j) * d + c];
            for (int i = 0; i < L; i++)
                if (q[i] >= 0)
                    for (int c = 0; c < d; c++)
                        acc[((size_t)bh * L + i) * d + c] += table[q[i] * d + c];
        }
    for (size_t n = 0; n < (size_t)s->batch * s->heads * L * d; n++) acc[n] /= s->num_hash;
    free(table);
}

/* Largest |got − expect| relative to max(1, max |expect|). */
static double max_rel_diff(const float *got, const double *expect, size_t n) {
    double worst = 0, scale = 1;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(expect[i]));
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(got[i] - expect[i]));
    return worst / scale;
}

/* Random codes (some −1 = padded) with few distinct buckets so collisions are frequent. */
static void random_codes(int32_t *codes, size_t n, int tau, uint64_t seed, int spread) {
    float *r = malloc(n * sizeof(float));
    ref_fill_random(r, n, seed);
    const int range = spread < (1 << tau) ? spread : (1 << tau);
    for (size_t i = 0; i < n; i++) {
        const float u = (r[i] + 1.0f) * 0.5f;
        codes[i] = u < 0.05f ? -1 : (int32_t)(u * range * 7919.0f) % range * ((1 << tau) / range);
    }
    free(r);
}

/* The pairwise reference and the table reference agree (the test's own sanity check). */
static void test_references_agree(void **state) {
    yoso_lsh_shape s;
    assert_int_equal(yoso_lsh_shape_init(&s, 1, 2, 23, 5, 6, 3), YOSO_OK);
    const size_t nc = (size_t)2 * 6 * 23, nv = (size_t)2 * 23 * 5;
    int32_t *qc = malloc(nc * 4), *kc = malloc(nc * 4);
    float *v = malloc(nv * 4);
    double *a = malloc(nv * 8), *b = malloc(nv * 8);
    random_codes(qc, nc, 3, 1, 8);
    random_codes(kc, nc, 3, 2, 8);
    ref_fill_random(v, nv, 3);
    ref_cumulate(qc, kc, v, &s, a);
    ref_cumulate_tables(qc, kc, v, &s, b);
    for (size_t i = 0; i < nv; i++) assert_true(fabs(a[i] - b[i]) < 1e-12);
    free(qc), free(kc), free(v), free(a), free(b);
}

/* Cumulates uploaded codes on scratch sc (kept, for the next call); returns acc [BH, L, d]
 * (malloc'ed). */
static float *scratch_cumulate(yoso_lsh_scratch *sc, const yoso_lsh_shape *s, const int32_t *qc,
                               const int32_t *kc, const float *v) {
    const size_t nc = (size_t)s->batch * s->heads * s->num_hash * s->seq;
    const size_t nv = (size_t)s->batch * s->heads * s->seq * s->head_dim;
    assert_int_equal(yoso_lsh_scratch_reserve(test_ctx, sc, s), YOSO_OK);
    assert_int_equal(
        clEnqueueWriteBuffer(test_ctx->queue, sc->q_codes, CL_TRUE, 0, nc * 4, qc, 0, NULL, NULL),
        CL_SUCCESS);
    assert_int_equal(
        clEnqueueWriteBuffer(test_ctx->queue, sc->k_codes, CL_TRUE, 0, nc * 4, kc, 0, NULL, NULL),
        CL_SUCCESS);
    cl_mem dv = ref_upload(test_ctx, v, nv * sizeof(float));
    assert_int_equal(yoso_lsh_cumulate(test_ctx, sc, s, dv), YOSO_OK);
    float *acc = malloc(nv * sizeof(float));
    ref_download(test_ctx, sc->acc, acc, nv * sizeof(float));
    clReleaseMemObject(dv);
    return acc;
}

/* Cumulates uploaded codes with the given table budget on a scratch of its own; returns acc
 * [BH, L, d] (malloc'ed). */
static float *device_cumulate(const yoso_lsh_shape *s, const int32_t *qc, const int32_t *kc,
                              const float *v, size_t budget, yoso_lsh_layout layout, int *chunks) {
    yoso_lsh_scratch sc = {.table_budget = budget, .layout = layout};
    float *acc = scratch_cumulate(&sc, s, qc, kc, v);
    *chunks = sc.chunks;
    yoso_lsh_scratch_release(&sc);
    return acc;
}

/* Sets the smallest loop budget under which lsh_cumulate_rows runs at all (so it takes the fewest
 * hash functions per launch); returns that step, or 0 (the budget restored) where its tables do
 * not fit local memory. */
static int rows_fewest_hashes(const yoso_lsh_shape *s, long long saved) {
    long long lo = 0, hi = 1;
    test_ctx->limits.loop_budget = hi;
    while (!yoso_lsh_cumulate_rows_step(test_ctx, s)) {
        if (hi > (1LL << 40)) {
            test_ctx->limits.loop_budget = saved;
            return 0;
        }
        lo = hi;
        test_ctx->limits.loop_budget = hi *= 2;
    }
    while (hi - lo > 1) { /* the step is 0 at lo, not at hi */
        const long long mid = lo + (hi - lo) / 2;
        test_ctx->limits.loop_budget = mid;
        if (yoso_lsh_cumulate_rows_step(test_ctx, s))
            hi = mid;
        else
            lo = mid;
    }
    test_ctx->limits.loop_budget = hi;
    return yoso_lsh_cumulate_rows_step(test_ctx, s);
}

/* Device cumulation = reference for odd head sizes, τ from 1 to 16 (both clearing strategies of
 * the ITEMS layout), and every chunking and both kernel layouts give the same bits: ITEMS (fill
 * and read) by hash function and by bh, ROWS (lsh_cumulate_rows, its tables in local memory) in
 * one launch and by the fewest hash functions a launch takes. */
static void test_cumulation_matches_reference(void **state) {
    static const struct {
        int batch, heads, seq, d, m, tau, spread;
    } cases[] = {
        {1, 2, 50, 64, 12, 9, 16},  /* 512 buckets > 2·50 keys: clear only the used ones */
        {2, 3, 300, 64, 20, 8, 64}, /* 256 buckets ≤ 600: clear all */
        {1, 1, 40, 1, 9, 1, 2},     /* one value dim, τ 1 */
        {1, 2, 33, 100, 7, 16, 40}, /* 65536 buckets */
        {2, 1, 17, 128, 5, 4, 16},  {1, 1, 1, 48, 3, 6, 4}, /* a single token */
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        yoso_lsh_shape s;
        assert_int_equal(yoso_lsh_shape_init(&s, cases[ci].batch, cases[ci].heads, cases[ci].seq,
                                             cases[ci].d, cases[ci].m, cases[ci].tau),
                         YOSO_OK);
        const size_t nc = (size_t)s.batch * s.heads * s.num_hash * s.seq;
        const size_t nv = (size_t)s.batch * s.heads * s.seq * s.head_dim;
        int32_t *qc = malloc(nc * 4), *kc = malloc(nc * 4);
        float *v = malloc(nv * 4);
        double *expect = malloc(nv * 8);
        random_codes(qc, nc, s.tau, 10 + ci, cases[ci].spread);
        random_codes(kc, nc, s.tau, 20 + ci, cases[ci].spread);
        ref_fill_random(v, nv, 30 + ci);
        ref_cumulate(qc, kc, v, &s, expect);
        const size_t pair = ((size_t)1 << s.tau) * s.head_dim * sizeof(float);
        const int bh = s.batch * s.heads;
        int chunks_one, chunks_h, chunks_bh, chunks_items, chunks_rows_g;
        float *one = device_cumulate(&s, qc, kc, v, 0, YOSO_LSH_LAYOUT_ROWS, &chunks_one);
        float *by_h =
            device_cumulate(&s, qc, kc, v, pair * bh * 2, YOSO_LSH_LAYOUT_ITEMS, &chunks_h);
        float *by_bh = device_cumulate(&s, qc, kc, v, pair, YOSO_LSH_LAYOUT_ITEMS, &chunks_bh);
        float *items =
            device_cumulate(&s, qc, kc, v, pair * 3, YOSO_LSH_LAYOUT_ITEMS, &chunks_items);
        const int rows = yoso_lsh_cumulate_rows_step(test_ctx, &s) > 0;
        const long long saved = test_ctx->limits.loop_budget;
        const int step = rows_fewest_hashes(&s, saved);
        float *rows_g = device_cumulate(&s, qc, kc, v, 0, YOSO_LSH_LAYOUT_ROWS, &chunks_rows_g);
        test_ctx->limits.loop_budget = saved;
        const double err = max_rel_diff(one, expect, nv);
        if (err > 1e-6) fprintf(stderr, "case %zu: relative error %.3g\n", ci, err);
        assert_true(err < 1e-6);
        assert_int_equal(chunks_bh, bh * s.num_hash);
        assert_int_equal(chunks_h, (s.num_hash + 1) / 2);
        if (rows) { /* else its tables do not fit local memory: fill and read ran instead */
            assert_int_equal(chunks_one, 1);
            assert_int_equal(chunks_rows_g, 1);
            assert_true(step >= 1 && step <= 4 && step < s.num_hash);
        }
        assert_memory_equal(one, by_h, nv * sizeof(float));
        assert_memory_equal(one, by_bh, nv * sizeof(float));
        assert_memory_equal(one, items, nv * sizeof(float));
        assert_memory_equal(one, rows_g, nv * sizeof(float));
        free(qc), free(kc), free(v), free(expect), free(one), free(by_h), free(by_bh), free(items);
        free(rows_g);
    }
}

/* One scratch kept across calls of other shapes and layouts (the attention keeps one for every
 * layer and call): its buffers grow and are reused in part, the ITEMS kernels' tables are left
 * dirty, lsh_cumulate_rows' local tables start undefined, and every call still equals a call on
 * a scratch of its own bit for bit. */
static void test_scratch_reuse(void **state) {
    static const struct {
        int batch, heads, seq, d, m, tau, layout;
    } calls[] = {
        {1, 2, 50, 64, 12, 9, YOSO_LSH_LAYOUT_ROWS},  {2, 3, 300, 64, 20, 9, YOSO_LSH_LAYOUT_ROWS},
        {1, 2, 50, 64, 12, 9, YOSO_LSH_LAYOUT_ROWS},  {1, 2, 70, 64, 5, 10, YOSO_LSH_LAYOUT_ROWS},
        {1, 2, 50, 64, 12, 9, YOSO_LSH_LAYOUT_ITEMS}, {1, 2, 50, 64, 12, 9, YOSO_LSH_LAYOUT_ROWS},
        {1, 3, 40, 20, 7, 6, YOSO_LSH_LAYOUT_ROWS},
    };
    yoso_lsh_scratch kept = {0};
    for (size_t ci = 0; ci < sizeof calls / sizeof calls[0]; ci++) {
        yoso_lsh_shape s;
        assert_int_equal(yoso_lsh_shape_init(&s, calls[ci].batch, calls[ci].heads, calls[ci].seq,
                                             calls[ci].d, calls[ci].m, calls[ci].tau),
                         YOSO_OK);
        const size_t nc = (size_t)s.batch * s.heads * s.num_hash * s.seq;
        const size_t nv = (size_t)s.batch * s.heads * s.seq * s.head_dim;
        int32_t *qc = malloc(nc * 4), *kc = malloc(nc * 4);
        float *v = malloc(nv * 4);
        random_codes(qc, nc, s.tau, 40 + ci, 1 << s.tau);
        random_codes(kc, nc, s.tau, 50 + ci, 1 << s.tau);
        ref_fill_random(v, nv, 60 + ci);
        kept.layout = (yoso_lsh_layout)calls[ci].layout;
        int chunks;
        float *got = scratch_cumulate(&kept, &s, qc, kc, v);
        float *alone = device_cumulate(&s, qc, kc, v, 0, kept.layout, &chunks);
        assert_memory_equal(got, alone, nv * sizeof(float));
        free(qc), free(kc), free(v), free(got), free(alone);
    }
    yoso_lsh_scratch_release(&kept);
}

/* Buffers of one whole run on the device. */
typedef struct run_result {
    int32_t *q_codes, *k_codes; /* [BH, m, L] */
    float *acc;                 /* [BH, L, d] */
    float *ctx;                 /* [B, L, nh·d] */
} run_result;

static void run_result_free(run_result *r) {
    free(r->q_codes), free(r->k_codes), free(r->acc), free(r->ctx);
}

/* yoso_lsh_run on host data; signs [rows, 3, P, dp]. */
static run_result device_run(const yoso_lsh_shape *s, const float *q, const float *k,
                             const float *v, const int32_t *mask, const float *signs, int rows,
                             yoso_lsh_layout layout) {
    const size_t bh = (size_t)s->batch * s->heads;
    const size_t nv = bh * s->seq * s->head_dim, nc = bh * s->num_hash * s->seq;
    const size_t nsign = (size_t)rows * 3 * s->num_part * s->dp;
    cl_mem dq = ref_upload(test_ctx, q, nv * 4), dk = ref_upload(test_ctx, k, nv * 4);
    cl_mem dv = ref_upload(test_ctx, v, nv * 4);
    cl_mem dm = ref_upload(test_ctx, mask, sizeof(int32_t) * s->batch * s->seq);
    cl_mem ds = ref_upload(test_ctx, signs, nsign * 4);
    cl_mem dctx = ref_device_buffer(test_ctx, nv * 4);
    yoso_lsh_scratch sc = {.layout = layout};
    assert_int_equal(yoso_lsh_run(test_ctx, &sc, s, ds, rows, dq, dk, dv, dm, dctx), YOSO_OK);
    run_result r = {malloc(nc * 4), malloc(nc * 4), malloc(nv * 4), malloc(nv * 4)};
    ref_download(test_ctx, sc.q_codes, r.q_codes, nc * 4);
    ref_download(test_ctx, sc.k_codes, r.k_codes, nc * 4);
    ref_download(test_ctx, sc.acc, r.acc, nv * 4);
    ref_download(test_ctx, dctx, r.ctx, nv * 4);
    yoso_lsh_scratch_release(&sc);
    cl_mem all[] = {dq, dk, dv, dm, ds, dctx};
    for (size_t i = 0; i < 6; i++) clReleaseMemObject(all[i]);
    return r;
}

/* Random ±1 signs [rows, 3, P, dp] (an explicit Dmat). */
static float *random_signs(const yoso_lsh_shape *s, int rows, uint64_t seed) {
    const size_t n = (size_t)rows * 3 * s->num_part * s->dp;
    float *signs = malloc(n * sizeof(float));
    ref_fill_random(signs, n, seed);
    for (size_t i = 0; i < n; i++) signs[i] = signs[i] >= 0 ? 1.0f : -1.0f;
    return signs;
}

/* A whole run with explicit signs: codes equal the reference bit for bit, the output is within
 * 1e-5 of the reference cumulation + normalization, both kernel layouts give the same bits.
 * Keys are near their queries so buckets are shared. Lengths 1, 7, 9, 4095 and 4096 (the tail HF's
 * CUDA drops), padded rows masked. */
static void check_explicit_run(int batch, int heads, int seq, int d, int m, int tau,
                               const int *lens) {
    yoso_lsh_shape s;
    assert_int_equal(yoso_lsh_shape_init(&s, batch, heads, seq, d, m, tau), YOSO_OK);
    const size_t bh = (size_t)batch * heads, nv = bh * seq * d, nc = bh * m * seq;
    float *q = malloc(nv * 4), *k = malloc(nv * 4), *v = malloc(nv * 4);
    ref_fill_random(q, nv, 100 + seq);
    ref_fill_random(k, nv, 200 + seq);
    ref_fill_random(v, nv, 300 + seq);
    for (size_t i = 0; i < nv; i++) k[i] = q[i] + 0.4f * k[i];
    int32_t *mask = ref_mask(batch, seq, lens);
    float *signs = random_signs(&s, (int)bh, seq);
    run_result r = device_run(&s, q, k, v, mask, signs, (int)bh, YOSO_LSH_LAYOUT_AUTO);
    run_result other =
        device_run(&s, q, k, v, mask, signs, (int)bh,
                   yoso_lsh_layout_resolve(test_ctx, YOSO_LSH_LAYOUT_AUTO) == YOSO_LSH_LAYOUT_ROWS
                       ? YOSO_LSH_LAYOUT_ITEMS
                       : YOSO_LSH_LAYOUT_ROWS);
    assert_memory_equal(r.q_codes, other.q_codes, nc * 4);
    assert_memory_equal(r.acc, other.acc, nv * 4);
    assert_memory_equal(r.ctx, other.ctx, nv * 4);
    run_result_free(&other);

    int32_t *qc = malloc(nc * 4), *kc = malloc(nc * 4);
    ref_hash(q, mask, signs, (int)bh, &s, qc);
    ref_hash(k, mask, signs, (int)bh, &s, kc);
    assert_memory_equal(r.q_codes, qc, nc * 4);
    assert_memory_equal(r.k_codes, kc, nc * 4);
    double *acc = malloc(nv * 8);
    if (seq <= 512)
        ref_cumulate(qc, kc, v, &s, acc);
    else
        ref_cumulate_tables(qc, kc, v, &s, acc);
    float *ctx = malloc(nv * 4);
    ref_normalize(acc, mask, &s, ctx);
    double worst_acc = 0, worst_ctx = 0, mass = 0;
    for (size_t i = 0; i < nv; i++) {
        worst_acc = fmax(worst_acc, fabs(r.acc[i] - acc[i]));
        worst_ctx = fmax(worst_ctx, fabs(r.ctx[i] - ctx[i]));
        mass += fabs(acc[i]);
    }
    if (worst_acc > 1e-5 || worst_ctx > 1e-5)
        fprintf(stderr, "L %d: acc error %.3g, ctx error %.3g\n", seq, worst_acc, worst_ctx);
    assert_true(worst_acc < 1e-5);
    assert_true(worst_ctx < 1e-5);
    assert_true(mass > 0.01 * nv); /* buckets were really shared: the output is not all zeros */
    for (int b = 0; b < batch; b++)
        for (int t = lens ? lens[b] : seq; t < seq; t++)
            for (int c = 0; c < heads * d; c++)
                assert_true(r.ctx[((size_t)b * seq + t) * heads * d + c] == 0.0f);
    run_result_free(&r);
    free(q), free(k), free(v), free(mask), free(signs), free(qc), free(kc), free(acc), free(ctx);
}

static void test_explicit_signs_short(void **state) {
    const int lens[2] = {7, 3};
    check_explicit_run(1, 2, 1, 64, 64, 9, NULL);
    check_explicit_run(1, 3, 7, 64, 64, 9, NULL);
    check_explicit_run(2, 2, 7, 64, 64, 9, lens);
    check_explicit_run(1, 2, 9, 48, 30, 6, NULL);
    check_explicit_run(2, 1, 9, 16, 64, 9, (const int[2]){9, 1});
}

static void test_explicit_signs_long(void **state) {
    check_explicit_run(1, 2, 4095, 64, 16, 9, NULL);
    check_explicit_run(1, 2, 4096, 64, 16, 9, NULL);
    check_explicit_run(2, 1, 4096, 32, 8, 8, (const int[2]){4096, 2049});
}

/* With the seeded signs (keyed by head, not batch row), row 1 of a padded batch equals that row
 * run alone bit for bit, and padded positions are zero. */
static void test_padded_row_equals_alone(void **state) {
    yoso_lsh_shape s2, s1;
    const int seq = 40, len1 = 23, heads = 3, d = 64;
    assert_int_equal(yoso_lsh_shape_init(&s2, 2, heads, seq, d, 64, 9), YOSO_OK);
    assert_int_equal(yoso_lsh_shape_init(&s1, 1, heads, len1, d, 64, 9), YOSO_OK);
    const size_t nv = (size_t)2 * heads * seq * d;
    float *q = malloc(nv * 4), *k = malloc(nv * 4), *v = malloc(nv * 4);
    ref_fill_random(q, nv, 1);
    ref_fill_random(k, nv, 2);
    ref_fill_random(v, nv, 3);
    for (size_t i = 0; i < nv; i++) k[i] = q[i] + 0.5f * k[i];
    /* Padded positions hold garbage that must not leak. */
    for (int h = 0; h < heads; h++)
        for (int t = len1; t < seq; t++)
            for (int c = 0; c < d; c++) v[(((size_t)heads + h) * seq + t) * d + c] = 1e6f;
    float *signs = malloc(sizeof(float) * heads * 3 * s2.num_part * s2.dp);
    yoso_lsh_signs_fill(99, 0, &s2, signs);
    const int lens[2] = {seq, len1};
    int32_t *mask2 = ref_mask(2, seq, lens), *mask1 = ref_mask(1, len1, NULL);
    run_result both = device_run(&s2, q, k, v, mask2, signs, heads, YOSO_LSH_LAYOUT_AUTO);

    /* Row 1 alone: [nh, len1, d] copied out of the batch. */
    const size_t n1 = (size_t)heads * len1 * d;
    float *q1 = malloc(n1 * 4), *k1 = malloc(n1 * 4), *v1 = malloc(n1 * 4);
    for (int h = 0; h < heads; h++) {
        const size_t src = ((size_t)heads + h) * seq * d, dst = (size_t)h * len1 * d;
        memcpy(q1 + dst, q + src, (size_t)len1 * d * 4);
        memcpy(k1 + dst, k + src, (size_t)len1 * d * 4);
        memcpy(v1 + dst, v + src, (size_t)len1 * d * 4);
    }
    run_result alone = device_run(&s1, q1, k1, v1, mask1, signs, heads, YOSO_LSH_LAYOUT_AUTO);
    for (int t = 0; t < seq; t++) {
        const float *row = both.ctx + ((size_t)seq + t) * heads * d;
        if (t < len1)
            assert_memory_equal(row, alone.ctx + (size_t)t * heads * d, (size_t)heads * d * 4);
        else
            for (int c = 0; c < heads * d; c++) assert_true(row[c] == 0.0f);
    }
    double mass = 0;
    for (size_t i = 0; i < n1; i++) mass += fabs(alone.ctx[i]);
    assert_true(mass > 0.1 * n1);
    run_result_free(&both);
    run_result_free(&alone);
    free(q), free(k), free(v), free(q1), free(k1), free(v1), free(signs), free(mask1), free(mask2);
}

TEST_MAIN(test_context_setup, test_context_teardown, test_references_agree,
          test_cumulation_matches_reference, test_scratch_reuse, test_explicit_signs_short,
          test_explicit_signs_long, test_padded_row_equals_alone)

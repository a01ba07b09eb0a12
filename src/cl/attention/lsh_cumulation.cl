/* lsh_cumulation.cl — YOSO's bucket cumulation without atomics, in a fixed summation order.
 *
 * For hash function h: table_h[c] = Σ_{keys j in order, code_h(k_j) = c} v_j (2^τ buckets of
 * head_dim floats), then acc_i += table_h[code_h(q_i)] for h in order; finally acc_i /= m
 * (lsh_normalize then writes acc_i / max(‖acc_i‖, 1e-12)). A chunk of (bh, h) pairs is processed at
 * a time so the tables stay within a memory budget; the running sum acc is carried across chunks
 * in memory, so the order of additions (and the bits) do not depend on the chunking, nor on the
 * layout: GPUs run one work-item per value dim (lsh_fill with slice 1, lsh_read), CPUs
 * lsh_cumulate_rows, one work-item per 16 value dims of a bh that fills and reads a few tables at
 * a time in local memory (or, where a driver's loop cap or local memory does not allow one hash
 * function per launch, one per table or query row: lsh_fill with slice head_dim, lsh_read_rows),
 * with the same additions.
 * On PoCL (2 cores, L 1024, 12 heads, m 64) the row layout's plain inner loops vectorize where
 * PoCL's work-item loops do not: fill 9 ms vs 67 ms, read 4 ms vs 100 ms; lsh_cumulate_rows keeps
 * its table in cache: 2.3 ms instead of 10 at L 128, 7 instead of 25 at L 512. Its tables in local
 * memory rather than a global buffer (PoCL gives each core's work-groups the same local memory, so
 * they stay in its cache from one work-item to the next): L 128 1.2 -> 0.7 ms, L 512 3.1 -> 2.6. */

/* Fills tables [nbh, nhc, 2^τ, head_dim] for pairs (bh0 + b, h0 + g) from key codes k_codes and
 * v [B·nh, L, head_dim] (codes [B·nh, num_hash, L], −1 = padded key, adds nothing). Work-item s
 * owns dims [s·slice, (s+1)·slice) of one table, adding keys in order. Only the buckets that will
 * be read are cleared first: every bucket when clear_all, else those of the keys' and the queries'
 * codes (q_codes, same layout). This launch clears the buckets [clear_begin, clear_end) (clear_all)
 * or those of the keys and queries [clear_begin, clear_end), then adds the keys
 * [add_begin, add_end); the launcher splits long ranges over launches, in order, so no work-item
 * loops too long. global (ceil(head_dim / slice), nhc, nbh), any local size. */
#ifdef YOSO_WANT_lsh_fill
__kernel void lsh_fill(__global const int *q_codes, __global const int *k_codes,
                       __global const float *v, __global float *tables, const int seq,
                       const int head_dim, const int num_hash, const int tau, const int bh0,
                       const int h0, const int nhc, const int clear_all, const int slice,
                       const int clear_begin, const int clear_end, const int add_begin,
                       const int add_end) {
    const int s = get_global_id(0), g = get_global_id(1), b = get_global_id(2);
    const int c0 = s * slice, c1 = min(head_dim, c0 + slice);
    const int bh = bh0 + b;
    __global float *table = tables + (((size_t)b * nhc + g) << tau) * head_dim;
    __global const int *kc = k_codes + ((size_t)bh * num_hash + h0 + g) * seq;
    __global const int *qc = q_codes + ((size_t)bh * num_hash + h0 + g) * seq;
    __global const float *vb = v + (size_t)bh * seq * head_dim;
    if (clear_all) {
        for (int code = clear_begin; code < clear_end; code++)
            for (int c = c0; c < c1; c++) table[(size_t)code * head_dim + c] = 0.0f;
    } else {
        for (int t = clear_begin; t < clear_end; t++) {
            const int kcode = kc[t], qcode = qc[t];
            if (kcode >= 0)
                for (int c = c0; c < c1; c++) table[(size_t)kcode * head_dim + c] = 0.0f;
            if (qcode >= 0)
                for (int c = c0; c < c1; c++) table[(size_t)qcode * head_dim + c] = 0.0f;
        }
    }
    for (int t = add_begin; t < add_end; t++) {
        const int code = kc[t];
        if (code < 0) continue;
        __global float *row = table + (size_t)code * head_dim;
        __global const float *src = vb + (size_t)t * head_dim;
        for (int c = c0; c < c1; c++) row[c] += src[c];
    }
}
#endif

/* acc [B·nh, L, head_dim] for bh in [bh0, bh0 + nbh): acc_i = (first ? 0 : acc_i)
 * + Σ_{g_begin ≤ g < g_end in order} table_{b,g}[code_{h0+g}(q_i)] (tables of nhc hash
 * functions), then × inv_m when last. Padded queries (code −1) add nothing. One work-item per
 * value dim: global (round_up(head_dim, D), round_up(L, Q), nbh), local (D, Q, 1), D ≤ head_dim. */
#ifdef YOSO_WANT_lsh_read
__kernel void lsh_read(__global const int *q_codes, __global const float *tables,
                       __global float *acc, const int seq, const int head_dim, const int num_hash,
                       const int tau, const int bh0, const int h0, const int nhc, const int first,
                       const int last, const float inv_m, const int g_begin, const int g_end) {
    const int c = get_global_id(0), i = get_global_id(1), b = get_global_id(2);
    if (i >= seq || c >= head_dim) return;
    const int bh = bh0 + b;
    __global float *out = acc + ((size_t)bh * seq + i) * head_dim + c;
    __global const int *qc = q_codes + ((size_t)bh * num_hash + h0) * seq + i;
    __global const float *tb = tables + ((size_t)b * nhc << tau) * head_dim + c;
    float sum = first ? 0.0f : *out;
    for (int g = g_begin; g < g_end; g++) {
        const int code = qc[(size_t)g * seq];
        if (code >= 0) sum += tb[(((size_t)g << tau) + code) * head_dim];
    }
    *out = last ? sum * inv_m : sum;
}
#endif

/* lsh_read with one work-item per query row (all head_dim dims): global (L, nbh). */
#ifdef YOSO_WANT_lsh_read_rows
__kernel void lsh_read_rows(__global const int *q_codes, __global const float *tables,
                            __global float *acc, const int seq, const int head_dim,
                            const int num_hash, const int tau, const int bh0, const int h0,
                            const int nhc, const int first, const int last, const float inv_m,
                            const int g_begin, const int g_end) {
    const int i = get_global_id(0), b = get_global_id(1);
    if (i >= seq) return;
    const int bh = bh0 + b;
    __global float *out = acc + ((size_t)bh * seq + i) * head_dim;
    __global const int *qc = q_codes + ((size_t)bh * num_hash + h0) * seq + i;
    __global const float *tb = tables + ((size_t)b * nhc << tau) * head_dim;
    float sum[YOSO_MAX_HEAD_DIM];
    for (int c = 0; c < head_dim; c++) sum[c] = first ? 0.0f : out[c];
    for (int g = g_begin; g < g_end; g++) {
        const int code = qc[(size_t)g * seq];
        if (code < 0) continue;
        __global const float *row = tb + (((size_t)g << tau) + code) * head_dim;
        for (int c = 0; c < head_dim; c++) sum[c] += row[c];
    }
    for (int c = 0; c < head_dim; c++) out[c] = last ? sum[c] * inv_m : sum[c];
}
#endif

/* Zeroes the n float16 rows of tb. */
static __attribute__((always_inline)) void lsh_clear16(__local float16 *tb, const size_t n) {
    for (size_t r = 0; r < n; r++) tb[r] = (float16)0.0f;
}

/* Hash functions g .. g + 3 of lsh_cumulate_rows at once (16 value dims, head_dim a multiple of
 * 16): tables tb + j·2^τ (j < 4, [2^τ] float16 rows each), key and query codes kc, qc + j·seq,
 * values vr and acc ar at rows of `stride` float16. The four tables' additions interleave, and a
 * query adds its four buckets in order g .. g + 3 before storing, the same sums as one at a time.
 * The tables are zero again on return: every bucket cleared where 2^τ ≤ L (cheaper, in order),
 * else those the keys wrote. */
static __attribute__((always_inline)) void
lsh_cumulate4(__local float16 *tb, const int tau, __global const int *kc, __global const int *qc,
              __global const float16 *vr, __global float16 *ar, const int seq, const int stride,
              const int first, const int last, const float inv_m) {
    const size_t n = (size_t)1 << tau;
    __local float16 *t0 = tb, *t1 = tb + n, *t2 = tb + 2 * n, *t3 = tb + 3 * n;
    for (int t = 0; t < seq; t++) {
        const float16 x = vr[(size_t)t * stride];
        const int c0 = kc[t], c1 = kc[seq + t], c2 = kc[2 * seq + t], c3 = kc[3 * seq + t];
        if (c0 >= 0) t0[c0] += x;
        if (c1 >= 0) t1[c1] += x;
        if (c2 >= 0) t2[c2] += x;
        if (c3 >= 0) t3[c3] += x;
    }
    for (int i = 0; i < seq; i++) {
        const int c0 = qc[i], c1 = qc[seq + i], c2 = qc[2 * seq + i], c3 = qc[3 * seq + i];
        float16 sum = first ? (float16)0.0f : ar[(size_t)i * stride];
        if (c0 >= 0) sum += t0[c0];
        if (c1 >= 0) sum += t1[c1];
        if (c2 >= 0) sum += t2[c2];
        if (c3 >= 0) sum += t3[c3];
        ar[(size_t)i * stride] = last ? sum * inv_m : sum;
    }
    if (n <= (size_t)seq) {
        lsh_clear16(tb, 4 * n);
        return;
    }
    for (int t = 0; t < seq; t++) {
        const int c0 = kc[t], c1 = kc[seq + t], c2 = kc[2 * seq + t], c3 = kc[3 * seq + t];
        if (c0 >= 0) t0[c0] = (float16)0.0f;
        if (c1 >= 0) t1[c1] = (float16)0.0f;
        if (c2 >= 0) t2[c2] = (float16)0.0f;
        if (c3 >= 0) t3[c3] = (float16)0.0f;
    }
}

/* Hash function g of lsh_cumulate_rows alone: lsh_cumulate4 with one table (tb). */
static __attribute__((always_inline)) void
lsh_cumulate1(__local float16 *tb, __global const int *kc, __global const int *qc,
              __global const float16 *vr, __global float16 *ar, const int seq, const int stride,
              const int first, const int last, const float inv_m) {
    for (int t = 0; t < seq; t++)
        if (kc[t] >= 0) tb[kc[t]] += vr[(size_t)t * stride];
    for (int i = 0; i < seq; i++) {
        float16 sum = first ? (float16)0.0f : ar[(size_t)i * stride];
        if (qc[i] >= 0) sum += tb[qc[i]];
        ar[(size_t)i * stride] = last ? sum * inv_m : sum;
    }
    for (int t = 0; t < seq; t++)
        if (kc[t] >= 0) tb[kc[t]] = (float16)0.0f;
}

/* Hash function g of lsh_cumulate_rows for w ≤ 16 dims at a time (any head_dim): table rows of
 * 16 floats, v and acc rows of head_dim. */
static __attribute__((always_inline)) void
lsh_cumulate1_dims(__local float *table, __global const int *kc, __global const int *qc,
                   __global const float *vb, __global float *ab, const int seq, const int head_dim,
                   const int w, const int first, const int last, const float inv_m) {
    for (int t = 0; t < seq; t++) {
        if (kc[t] < 0) continue;
        __local float *row = table + (size_t)kc[t] * 16;
        __global const float *src = vb + (size_t)t * head_dim;
        for (int c = 0; c < w; c++) row[c] += src[c];
    }
    for (int i = 0; i < seq; i++) {
        const int code = qc[i];
        __global float *out = ab + (size_t)i * head_dim;
        __local const float *row = table + (size_t)(code < 0 ? 0 : code) * 16;
        for (int c = 0; c < w; c++) {
            float sum = first ? 0.0f : out[c];
            if (code >= 0) sum += row[c];
            out[c] = last ? sum * inv_m : sum;
        }
    }
    for (int t = 0; t < seq; t++)
        if (kc[t] >= 0)
            for (int c = 0; c < w; c++) table[(size_t)kc[t] * 16 + c] = 0.0f;
}

/* The CPU layout's cumulation in one kernel, a few hash functions at a time: work-item (s, b) owns
 * value dims [16·s, 16·s + 16) of bh = b and `ntables` (4 or 1) tables of its own in local
 * memory, [2^τ, 16] floats each, at tables + (its index in the group)·ntables·2^τ, zeroed on entry
 * (local memory starts undefined). For the hash functions g in [g_begin, g_end), in order (four at
 * a time when ntables is 4 and head_dim a multiple of 16, else one), it adds the keys' v into their
 * buckets (lsh_fill's additions), adds each query's buckets to acc (lsh_read's: from 0 at g 0,
 * × inv_m after g = num_hash − 1), then zeroes the buckets again: the same additions in the same
 * order as lsh_fill + lsh_read, so the same bits, with tables that stay in cache (128 KiB at τ 9)
 * instead of a chunk of (bh, h) tables written to memory and read back. Codes −1 add nothing.
 * global (ceil(head_dim / 16), B·nh), any local size; tables: ntables·2^τ float16 rows per
 * work-item of a group. */
#ifdef YOSO_WANT_lsh_cumulate_rows
__kernel void lsh_cumulate_rows(__global const int *q_codes, __global const int *k_codes,
                                __global const float *v, __local float16 *tables,
                                __global float *acc, const int seq, const int head_dim,
                                const int num_hash, const int tau, const int ntables,
                                const int g_begin, const int g_end, const float inv_m) {
    const int s = get_global_id(0), b = get_global_id(1);
    const int slices = (head_dim + 15) / 16;
    if (s >= slices) return;
    const int c0 = 16 * s, bh = b;
    const size_t item = get_local_id(1) * get_local_size(0) + get_local_id(0);
    __local float16 *table = tables + ((item * ntables) << tau);
    lsh_clear16(table, (size_t)ntables << tau);
    __global const float *vb = v + (size_t)bh * seq * head_dim + c0;
    __global float *ab = acc + (size_t)bh * seq * head_dim + c0;
    const int stride = head_dim / 16; /* float16 rows of v and acc, when whole */
    for (int g = g_begin; g < g_end;) {
        __global const int *kc = k_codes + ((size_t)bh * num_hash + g) * seq;
        __global const int *qc = q_codes + ((size_t)bh * num_hash + g) * seq;
        if (head_dim % 16 == 0 && ntables == 4 && g + 4 <= g_end) { /* aligned float16 rows */
            lsh_cumulate4(table, tau, kc, qc, (__global const float16 *)vb, (__global float16 *)ab,
                          seq, stride, g == 0, g + 3 == num_hash - 1, inv_m);
            g += 4;
        } else if (head_dim % 16 == 0) {
            lsh_cumulate1(table, kc, qc, (__global const float16 *)vb, (__global float16 *)ab, seq,
                          stride, g == 0, g == num_hash - 1, inv_m);
            g++;
        } else {
            lsh_cumulate1_dims((__local float *)table, kc, qc, vb, ab, seq, head_dim,
                               min(16, head_dim - c0), g == 0, g == num_hash - 1, inv_m);
            g++;
        }
    }
}
#endif

/* ctx [B, L, nh·head_dim] (heads merged) = acc / max(‖acc‖, 1e-12) per (bh, query), zeros for
 * padded queries; acc [B·nh, L, head_dim], mask [B, L]. global (L, B·nh). */
#ifdef YOSO_WANT_lsh_normalize
__kernel void lsh_normalize(__global const float *acc, __global const int *mask,
                            __global float *ctx, const int seq, const int heads,
                            const int head_dim) {
    const int i = get_global_id(0), bh = get_global_id(1);
    if (i >= seq) return;
    const int b = bh / heads, h = bh % heads;
    __global const float *a = acc + ((size_t)bh * seq + i) * head_dim;
    float norm = 0.0f;
    for (int c = 0; c < head_dim; c++) norm += a[c] * a[c];
    const float scale = mask[(size_t)b * seq + i] ? 1.0f / fmax(sqrt(norm), 1e-12f) : 0.0f;
    __global float *out = ctx + ((size_t)b * seq + i) * heads * head_dim + h * head_dim;
    for (int c = 0; c < head_dim; c++) out[c] = a[c] * scale;
}
#endif

/* lsh_cumulation.cl — YOSO's bucket cumulation without atomics, in a fixed summation order.
 *
 * For hash function h: table_h[c] = Σ_{keys j in order, code_h(k_j) = c} v_j (2^τ buckets of
 * head_dim floats), then acc_i += table_h[code_h(q_i)] for h in order; finally acc_i /= m and
 * ctx_i = acc_i / max(‖acc_i‖, 1e-12). A chunk of (bh, h) pairs is processed at a time so the
 * tables stay within a memory budget; the running sum acc is carried across chunks in memory, so
 * the order of additions (and the bits) do not depend on the chunking.
 *
 * Work-item c of a group owns value dim c of its tables, so no two work-items ever write the same
 * float. The barriers inside the loops are not needed for correctness: they make PoCL put its
 * work-item loop innermost, so each key's row update is vectorized across dims. */

/* Fills tables [nbh, nhc, 2^τ, head_dim] for pairs (bh0 + b, h0 + g) from key codes k_codes and
 * v [B·nh, L, head_dim] (codes [B·nh, num_hash, L], −1 = padded key, adds nothing). Only the
 * buckets that will be read are cleared first: every bucket when clear_all, else the buckets of
 * the keys' and the queries' codes (q_codes, same layout).
 * global (head_dim, nhc, nbh), local (head_dim, 1, 1). */
__kernel void lsh_fill(__global const int *q_codes, __global const int *k_codes,
                       __global const float *v, __global float *tables, const int seq,
                       const int head_dim, const int num_hash, const int tau, const int bh0,
                       const int h0, const int nhc, const int clear_all) {
    const int c = get_global_id(0), g = get_global_id(1), b = get_global_id(2);
    const int bh = bh0 + b;
    __global float *table = tables + (((size_t)b * nhc + g) << tau) * head_dim + c;
    __global const int *kc = k_codes + ((size_t)bh * num_hash + h0 + g) * seq;
    __global const int *qc = q_codes + ((size_t)bh * num_hash + h0 + g) * seq;
    __global const float *vc = v + (size_t)bh * seq * head_dim + c;
    if (clear_all) {
        for (int code = 0; code < (1 << tau); code++) {
            table[(size_t)code * head_dim] = 0.0f;
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    } else {
        for (int t = 0; t < seq; t++) {
            const int kcode = kc[t], qcode = qc[t];
            if (kcode >= 0) table[(size_t)kcode * head_dim] = 0.0f;
            if (qcode >= 0) table[(size_t)qcode * head_dim] = 0.0f;
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
    for (int t = 0; t < seq; t++) {
        const int code = kc[t];
        if (code >= 0) table[(size_t)code * head_dim] += vc[(size_t)t * head_dim];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

/* acc [B·nh, L, head_dim] for bh in [bh0, bh0 + nbh): acc_i = (first ? 0 : acc_i)
 * + Σ_{g < nhc in order} table_{b,g}[code_{h0+g}(q_i)], then × inv_m when last. Padded queries
 * (code −1) add nothing. global (head_dim, round_up(L, Q), nbh), local (head_dim, Q, 1). */
__kernel void lsh_read(__global const int *q_codes, __global const float *tables,
                       __global float *acc, const int seq, const int head_dim, const int num_hash,
                       const int tau, const int bh0, const int h0, const int nhc, const int first,
                       const int last, const float inv_m) {
    const int c = get_global_id(0), i = get_global_id(1), b = get_global_id(2);
    const int bh = bh0 + b;
    const int row = min(i, seq - 1);
    __global float *out = acc + ((size_t)bh * seq + row) * head_dim + c;
    __global const int *qc = q_codes + ((size_t)bh * num_hash + h0) * seq + row;
    __global const float *tb = tables + ((size_t)b * nhc << tau) * head_dim + c;
    float sum = first ? 0.0f : *out;
    for (int g = 0; g < nhc; g++) {
        const int code = qc[(size_t)g * seq];
        if (code >= 0) sum += tb[(((size_t)g << tau) + code) * head_dim];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (last) sum *= inv_m;
    if (i < seq) *out = sum;
}

/* ctx [B, L, nh·head_dim] (heads merged) = acc / max(‖acc‖, 1e-12) per (bh, query), zeros for
 * padded queries; acc [B·nh, L, head_dim], mask [B, L]. global (L, B·nh). */
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

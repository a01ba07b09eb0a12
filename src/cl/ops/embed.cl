/* embed.cl — token + token-type + absolute position embeddings (LayerNorm is a separate pass). */

/* out[b, t, :] = word[ids[b, t]] + type[0] + pos[t + 2]   (HF's position ids start at 2)
 * global (H, B·L).   ids [B·L] int, word [V, H], pos [P + 2, H], type [T, H], out [B·L, H] */
__kernel void embed_sum(__global const int *ids, __global const float *word,
                        __global const float *pos, __global const float *type,
                        __global float *out, const int seq, const int hidden) {
    const int h = get_global_id(0), row = get_global_id(1);
    if (h >= hidden) return;
    const int t = row % seq;
    const int id = ids[row];
    out[(size_t)row * hidden + h] =
        word[(size_t)id * hidden + h] + type[h] + pos[(size_t)(t + 2) * hidden + h];
}

/* The same with the word table stored as half bits (fp16 weights): word [V, H] half. */
__kernel void embed_sum_half(__global const int *ids, __global const half *word,
                             __global const float *pos, __global const float *type,
                             __global float *out, const int seq, const int hidden) {
    const int h = get_global_id(0), row = get_global_id(1);
    if (h >= hidden) return;
    const int t = row % seq;
    const int id = ids[row];
    out[(size_t)row * hidden + h] =
        vload_half((size_t)id * hidden + h, word) + type[h] + pos[(size_t)(t + 2) * hidden + h];
}

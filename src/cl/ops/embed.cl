/* embed.cl — token + token-type + absolute position embeddings (LayerNorm is a separate pass). */

/* out[row, h] = word_value + type[0][h] + pos[t + 2][h]   (HF's position ids start at 2). */
inline void embed_store(float word_value, __global const float *pos, __global const float *type,
                        __global float *out, const int seq, const int hidden, int row, int h) {
    const int t = row % seq;
    out[(size_t)row * hidden + h] = word_value + type[h] + pos[(size_t)(t + 2) * hidden + h];
}

/* out[b, t, :] = word[ids[b, t]] + type[0] + pos[t + 2]
 * global (H, B·L).   ids [B·L] int, word [V, H], pos [P + 2, H], type [T, H], out [B·L, H] */
#ifdef YOSO_WANT_embed_sum
__kernel void embed_sum(__global const int *ids, __global const float *word,
                        __global const float *pos, __global const float *type,
                        __global float *out, const int seq, const int hidden) {
    const int h = get_global_id(0), row = get_global_id(1);
    if (h >= hidden) return;
    embed_store(word[(size_t)ids[row] * hidden + h], pos, type, out, seq, hidden, row, h);
}
#endif

/* The same with the word table stored as half bits (fp16 weights): word [V, H] half. */
#ifdef YOSO_WANT_embed_sum_half
__kernel void embed_sum_half(__global const int *ids, __global const half *word,
                             __global const float *pos, __global const float *type,
                             __global float *out, const int seq, const int hidden) {
    const int h = get_global_id(0), row = get_global_id(1);
    if (h >= hidden) return;
    embed_store(vload_half((size_t)ids[row] * hidden + h, word), pos, type, out, seq, hidden, row,
                h);
}
#endif

/* lsh_shape.c — the geometry of one LSH attention call (DESIGN §3). */
#include "lsh_internal.h"

yoso_status yoso_lsh_shape_init(yoso_lsh_shape *s, int batch, int heads, int seq, int head_dim,
                                int num_hash, int tau) {
    if (batch < 1 || heads < 1 || seq < 1)
        return yoso_error(YOSO_ERR_USAGE,
                          "LSH attention needs batch, heads and length ≥ 1, not %d, %d, %d", batch,
                          heads, seq);
    if (head_dim < 1 || head_dim > 128)
        return yoso_error(YOSO_ERR_UNSUPPORTED, "LSH attention supports head sizes 1..128, not %d",
                          head_dim);
    if (tau < 1 || tau > 16)
        return yoso_error(YOSO_ERR_USAGE, "hash_code_len %d is out of range: use 1..16", tau);
    if (num_hash < 1 || num_hash > 4096)
        return yoso_error(YOSO_ERR_USAGE, "num_hash %d is out of range: use 1..4096", num_hash);
    s->batch = batch;
    s->heads = heads;
    s->seq = seq;
    s->head_dim = head_dim;
    s->num_hash = num_hash;
    s->tau = tau;
    s->dp = 32;
    while (s->dp < head_dim) s->dp *= 2;
    s->per_part = s->dp / tau;
    s->num_part = (num_hash + s->per_part - 1) / s->per_part;
    return YOSO_OK;
}

/* lsh_attention.h — YOSO's sampled, linear-cost LSH attention (DESIGN §3). */
#ifndef YOSO_LSH_ATTENTION_H
#define YOSO_LSH_ATTENTION_H

#include "model.h"

/* ctx_out [B, L, H] = normalized LSH attention of q, k, v [B, nh, L, d] (q, k not normalized by
 * the caller; mask [B, L]) for encoder layer `layer`, using model->num_hash, hash_code_len,
 * opt.seed or opt.lsh_dmat_path. Deterministic for a given seed. */
yoso_status yoso_lsh_attention(yoso_model *model, int layer, cl_mem q, cl_mem k, cl_mem v,
                               cl_mem mask, cl_mem ctx_out, int batch, int seq);
/* Frees the LSH state held in model->lsh. */
void yoso_lsh_free(yoso_model *model);

#endif

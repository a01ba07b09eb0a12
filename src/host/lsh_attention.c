/* lsh_attention.c — the model's LSH attention: per-layer signs and scratch kept in model->lsh. */
#include <stdlib.h>

#include "lsh_attention.h"
#include "lsh_internal.h"

/* What model->lsh points to. */
typedef struct lsh_state {
    yoso_lsh_scratch scratch;
    yoso_lsh_shape shape; /* the geometry the signs were made for (batch and seq are 1) */
    int num_layers;
    int sign_rows; /* heads (seeded signs) or the explicit file's rows */
    cl_mem *signs; /* [num_layers] each [sign_rows, 3, num_part, dp] float ±1 */
} lsh_state;

/* Uploads every layer's signs: from opt.lsh_dmat_path if set, else from opt.seed. */
static yoso_status lsh_state_signs(yoso_model *m, lsh_state *st) {
    yoso_status status = YOSO_OK;
    const yoso_lsh_shape *s = &st->shape;
    float *host = NULL;
    yoso_lsh_dmat dmat = {0};
    size_t per_layer;
    if (m->opt.lsh_dmat_path) {
        YOSO_TRY(yoso_lsh_dmat_read(m->opt.lsh_dmat_path, st->num_layers, s, &dmat));
        st->sign_rows = dmat.rows;
        per_layer = (size_t)dmat.rows * 3 * s->num_part * s->dp;
    } else {
        st->sign_rows = s->heads;
        per_layer = (size_t)s->heads * 3 * s->num_part * s->dp;
        host = malloc(per_layer * sizeof(float));
        if (!host) {
            status = yoso_error_oom();
            goto fail;
        }
    }
    for (int i = 0; i < st->num_layers; i++) {
        const float *src = dmat.signs ? dmat.signs + per_layer * i : host;
        if (!dmat.signs) yoso_lsh_signs_fill(m->opt.seed, i, s, host);
        YOSO_TRY(yoso_lsh_signs_upload(m->ctx, src, per_layer, &st->signs[i]));
    }
fail:
    free(host);
    yoso_lsh_dmat_release(&dmat);
    return status;
}

/* Creates model->lsh on first use. */
static yoso_status lsh_state_get(yoso_model *m, lsh_state **out) {
    yoso_status status = YOSO_OK;
    if (m->lsh) {
        *out = m->lsh;
        return YOSO_OK;
    }
    lsh_state *st = calloc(1, sizeof *st);
    if (!st) return yoso_error_oom();
    m->lsh = st;
    st->num_layers = m->cfg.num_hidden_layers;
    st->signs = calloc((size_t)st->num_layers, sizeof *st->signs);
    if (!st->signs) {
        status = yoso_error_oom();
        goto fail;
    }
    const int heads = m->cfg.num_attention_heads;
    YOSO_TRY(yoso_lsh_shape_init(&st->shape, 1, heads, 1, m->cfg.hidden_size / heads, m->num_hash,
                                 m->hash_code_len));
    YOSO_TRY(lsh_state_signs(m, st));
    *out = st;
    return YOSO_OK;
fail:
    yoso_lsh_free(m);
    return status;
}

yoso_status yoso_lsh_attention(yoso_model *model, int layer, cl_mem q, cl_mem k, cl_mem v,
                               cl_mem mask, cl_mem ctx_out, int batch, int seq) {
    yoso_status status = YOSO_OK;
    lsh_state *st = NULL;
    YOSO_TRY(lsh_state_get(model, &st));
    yoso_lsh_shape s;
    YOSO_TRY(yoso_lsh_shape_init(&s, batch, st->shape.heads, seq, st->shape.head_dim,
                                 st->shape.num_hash, st->shape.tau));
    if (st->sign_rows != s.heads && st->sign_rows != batch * s.heads)
        return yoso_error(YOSO_ERR_INPUT,
                          "the LSH signs in %s have %d rows but this batch needs "
                          "%d (heads) or %d (batch × heads): make the file for this batch size",
                          model->opt.lsh_dmat_path, st->sign_rows, s.heads, batch * s.heads);
    if (layer < 0 || layer >= st->num_layers)
        return yoso_error(YOSO_ERR_USAGE, "LSH attention: layer %d out of range", layer);
    YOSO_TRY(yoso_lsh_run(model->ctx, &st->scratch, &s, st->signs[layer], st->sign_rows, q, k, v,
                          mask, ctx_out));
fail:
    return status;
}

void yoso_lsh_free(yoso_model *model) {
    lsh_state *st = model->lsh;
    if (!st) return;
    yoso_lsh_scratch_release(&st->scratch);
    for (int i = 0; st->signs && i < st->num_layers; i++)
        if (st->signs[i]) clReleaseMemObject(st->signs[i]);
    free(st->signs);
    free(st);
    model->lsh = NULL;
}

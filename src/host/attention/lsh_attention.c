/* lsh_attention.c — the attention's LSH path: per-layer signs (seeded or from a file) made on
 * first use, and the tables' scratch kept across calls. */
#include <stdlib.h>

#include "attention_internal.h"

/* Uploads every layer's signs: from cfg.lsh_dmat_path if set, else from cfg.seed. */
static yoso_status lsh_state_signs(yoso_attention_state *att, yoso_lsh_state *st) {
    yoso_status status = YOSO_OK;
    const yoso_attention_config *c = &att->cfg;
    const yoso_lsh_shape *s = &st->shape;
    float *host = NULL;
    yoso_lsh_dmat dmat = {0};
    size_t per_layer;
    if (c->lsh_dmat_path) {
        YOSO_TRY(yoso_lsh_dmat_read(c->lsh_dmat_path, c->num_layers, s, &dmat));
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
    for (int i = 0; i < c->num_layers; i++) {
        const float *src = dmat.signs ? dmat.signs + per_layer * i : host;
        if (!dmat.signs) yoso_lsh_signs_fill(c->seed, i, s, host);
        YOSO_TRY(yoso_lsh_signs_upload(att->ctx, src, per_layer, &st->signs[i]));
    }
fail:
    free(host);
    yoso_lsh_dmat_release(&dmat);
    return status;
}

/* Creates att->lsh on first use. */
static yoso_status lsh_state_get(yoso_attention_state *att, yoso_lsh_state **out) {
    yoso_status status = YOSO_OK;
    const yoso_attention_config *c = &att->cfg;
    if (att->lsh) {
        *out = att->lsh;
        return YOSO_OK;
    }
    yoso_lsh_state *st = calloc(1, sizeof *st);
    if (!st) return yoso_error_oom();
    att->lsh = st;
    st->signs = calloc((size_t)c->num_layers, sizeof *st->signs);
    if (!st->signs) {
        status = yoso_error_oom();
        goto fail;
    }
    YOSO_TRY(yoso_lsh_shape_init(&st->shape, 1, c->heads, 1, c->head_dim, c->num_hash, c->tau));
    YOSO_TRY(lsh_state_signs(att, st));
    *out = st;
    return YOSO_OK;
fail:
    yoso_lsh_state_free(st, c->num_layers);
    att->lsh = NULL;
    return status;
}

yoso_status yoso_attention_lsh(yoso_attention_state *att, int layer, cl_mem q, cl_mem k, cl_mem v,
                               cl_mem mask, cl_mem ctx_out, int batch, int seq) {
    yoso_status status = YOSO_OK;
    yoso_lsh_state *st = NULL;
    YOSO_TRY(lsh_state_get(att, &st));
    yoso_lsh_shape s;
    YOSO_TRY(yoso_lsh_shape_init(&s, batch, st->shape.heads, seq, st->shape.head_dim,
                                 st->shape.num_hash, st->shape.tau));
    if (st->sign_rows != s.heads && st->sign_rows != batch * s.heads)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the LSH signs in %s have %d rows but this batch needs %d (heads) or %d (batch × heads): make the file for this batch size",
            att->cfg.lsh_dmat_path, st->sign_rows, s.heads, batch * s.heads);
    if (layer < 0 || layer >= att->cfg.num_layers)
        return yoso_error(YOSO_ERR_USAGE, "LSH attention: layer %d out of range", layer);
    YOSO_TRY(yoso_lsh_run(att->ctx, &st->scratch, &s, st->signs[layer], st->sign_rows, q, k, v,
                          mask, ctx_out));
fail:
    return status;
}

size_t yoso_lsh_state_bytes(const yoso_lsh_state *st, int num_layers) {
    if (!st) return 0;
    const yoso_lsh_shape *s = &st->shape;
    const size_t signs = (size_t)st->sign_rows * 3 * s->num_part * s->dp * sizeof(float);
    const yoso_lsh_scratch *sc = &st->scratch;
    return signs * (size_t)num_layers + 2 * sc->codes_bytes + sc->acc_bytes + sc->tables_bytes;
}

void yoso_lsh_state_free(yoso_lsh_state *st, int num_layers) {
    if (!st) return;
    yoso_lsh_scratch_release(&st->scratch);
    for (int i = 0; st->signs && i < num_layers; i++)
        if (st->signs[i]) clReleaseMemObject(st->signs[i]);
    free(st->signs);
    free(st);
}

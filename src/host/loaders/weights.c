/* weights.c — finds each HF tensor of a YOSO checkpoint and checks its shape against the config. */
#include "weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tensor_file_internal.h"

#define WEIGHTS_NAME_MAX 128 /* a relative tensor name */
#define WEIGHTS_FULL_MAX 256 /* with prefix and suffix */

/* What binding needs to know while it looks tensors up. */
typedef struct weights_ctx {
    const yoso_tensor_file *file;
    const yoso_config *cfg;
    const char *prefix; /* "yoso." or "" for the encoder; the head never has it */
} weights_ctx;

/* Looks up prefix+name, checks dtype and shape; *out is the view (NULL if optional, absent). */
static yoso_status weights_get(const weights_ctx *ctx, const char *prefix, const char *name,
                               int optional, int ndim, const int64_t *shape,
                               const yoso_tensor_view **out) {
    char full[WEIGHTS_FULL_MAX];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    const yoso_tensor_view *t = yoso_tensor_file_find(ctx->file, full);
    *out = t;
    char want[160], got[160];
    yoso_shape_format(ndim, shape, want, sizeof want);
    if (!t) {
        if (optional) return YOSO_OK;
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s has no tensor '%s' (expected shape %s): check that config.json matches the checkpoint",
            ctx->file->label, full, want);
    }
    if (t->dtype != YOSO_DTYPE_F32 && t->dtype != YOSO_DTYPE_F16 && t->dtype != YOSO_DTYPE_BF16)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%s' has dtype %s, expected a float type (F32, F16 or BF16): the checkpoint is not a YOSO model",
            ctx->file->label, full, yoso_dtype_name(t->dtype));
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = t->shape[i] == shape[i];
    if (!same) {
        yoso_shape_format(t->ndim, t->shape, got, sizeof got);
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: tensor '%s' has shape %s, expected %s from config.json (hidden_size %d, intermediate_size %d, vocab_size %d): check that config.json matches the checkpoint",
            ctx->file->label, full, got, want, ctx->cfg->hidden_size, ctx->cfg->intermediate_size,
            ctx->cfg->vocab_size);
    }
    return YOSO_OK;
}

/* A linear layer's weight [out, in] and bias [out] under name ("….dense"). */
static yoso_status weights_linear(const weights_ctx *ctx, const char *prefix, const char *name,
                                  int64_t out_dim, int64_t in_dim, const yoso_tensor_view **w,
                                  const yoso_tensor_view **b) {
    char wn[WEIGHTS_FULL_MAX], bn[WEIGHTS_FULL_MAX];
    snprintf(wn, sizeof wn, "%s.weight", name);
    snprintf(bn, sizeof bn, "%s.bias", name);
    int64_t ws[2] = {out_dim, in_dim}, bs[1] = {out_dim};
    yoso_status st = weights_get(ctx, prefix, wn, 0, 2, ws, w);
    return st != YOSO_OK ? st : weights_get(ctx, prefix, bn, 0, 1, bs, b);
}

/* A LayerNorm's weight and bias [H] under name ("….LayerNorm"). */
static yoso_status weights_norm(const weights_ctx *ctx, const char *prefix, const char *name,
                                const yoso_tensor_view **w, const yoso_tensor_view **b) {
    char wn[WEIGHTS_FULL_MAX], bn[WEIGHTS_FULL_MAX];
    snprintf(wn, sizeof wn, "%s.weight", name);
    snprintf(bn, sizeof bn, "%s.bias", name);
    int64_t s[1] = {ctx->cfg->hidden_size};
    yoso_status st = weights_get(ctx, prefix, wn, 0, 1, s, w);
    return st != YOSO_OK ? st : weights_get(ctx, prefix, bn, 0, 1, s, b);
}

/* Binds one encoder layer's tensors. */
static yoso_status weights_layer(const weights_ctx *ctx, int i, yoso_layer_weights *l) {
    const yoso_config *c = ctx->cfg;
    int64_t H = c->hidden_size, I = c->intermediate_size;
    char base[32], n[WEIGHTS_NAME_MAX];
    const char *p = ctx->prefix;
    yoso_status st;
    snprintf(base, sizeof base, "encoder.layer.%d.", i);
#define LAYER_NAME(suffix) (snprintf(n, sizeof n, "%s%s", base, suffix), n)
    if ((st = weights_linear(ctx, p, LAYER_NAME("attention.self.query"), H, H, &l->q_w, &l->q_b)) ||
        (st = weights_linear(ctx, p, LAYER_NAME("attention.self.key"), H, H, &l->k_w, &l->k_b)) ||
        (st = weights_linear(ctx, p, LAYER_NAME("attention.self.value"), H, H, &l->v_w, &l->v_b)) ||
        (st = weights_linear(ctx, p, LAYER_NAME("attention.output.dense"), H, H, &l->attn_out_w,
                             &l->attn_out_b)) ||
        (st = weights_norm(ctx, p, LAYER_NAME("attention.output.LayerNorm"), &l->attn_ln_w,
                           &l->attn_ln_b)) ||
        (st = weights_linear(ctx, p, LAYER_NAME("intermediate.dense"), I, H, &l->ffn_in_w,
                             &l->ffn_in_b)) ||
        (st = weights_linear(ctx, p, LAYER_NAME("output.dense"), H, I, &l->ffn_out_w,
                             &l->ffn_out_b)) ||
        (st = weights_norm(ctx, p, LAYER_NAME("output.LayerNorm"), &l->ffn_ln_w, &l->ffn_ln_b)))
        return st;
    int64_t conv[4] = {c->num_attention_heads, 1, c->conv_window, 1};
    const char *conv_name = LAYER_NAME("attention.self.conv.weight");
#undef LAYER_NAME
    l->conv_w = NULL; /* a conv weight without conv_window is refused by weights_check_extra */
    if (c->conv_window > 0) return weights_get(ctx, p, conv_name, 0, 4, conv, &l->conv_w);
    return YOSO_OK;
}

/* True if name is one the binder knows to skip (buffers, the tied decoder). */
static int weights_ignored(const char *name) {
    static const char *const k_suffixes[] = {".position_ids", ".token_type_ids"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof k_suffixes / sizeof k_suffixes[0]; i++) {
        size_t k = strlen(k_suffixes[i]);
        if (n >= k && strcmp(name + n - k, k_suffixes[i]) == 0) return 1;
    }
    return strcmp(name, "cls.predictions.decoder.weight") == 0 ||
           strcmp(name, "cls.predictions.decoder.bias") == 0;
}

/* True if rest is in the NULL-terminated list. */
static int weights_in_list(const char *rest, const char *const *list) {
    for (; *list; list++)
        if (strcmp(rest, *list) == 0) return 1;
    return 0;
}

/* True if rest ("encoder.layer.N.…") names a tensor of a layer the config has. */
static int weights_known_layer_tensor(const char *rest, const yoso_config *cfg) {
    static const char *const k_layer[] = {
        "attention.self.query.weight",
        "attention.self.query.bias",
        "attention.self.key.weight",
        "attention.self.key.bias",
        "attention.self.value.weight",
        "attention.self.value.bias",
        "attention.output.dense.weight",
        "attention.output.dense.bias",
        "attention.output.LayerNorm.weight",
        "attention.output.LayerNorm.bias",
        "intermediate.dense.weight",
        "intermediate.dense.bias",
        "output.dense.weight",
        "output.dense.bias",
        "output.LayerNorm.weight",
        "output.LayerNorm.bias",
        NULL,
    };
    const char *digits = rest + strlen("encoder.layer.");
    size_t nd = strspn(digits, "0123456789");
    if (strncmp(rest, "encoder.layer.", 14) != 0 || nd == 0 || nd > 6 || digits[nd] != '.')
        return 0;
    int layer = atoi(digits);
    char canon[16];
    snprintf(canon, sizeof canon, "%d", layer);
    if (strlen(canon) != nd || strncmp(canon, digits, nd) != 0) return 0; /* "01" */
    if (layer >= cfg->num_hidden_layers) return 0;
    const char *tail = digits + nd + 1;
    if (cfg->conv_window > 0 && strcmp(tail, "attention.self.conv.weight") == 0) return 1;
    return weights_in_list(tail, k_layer);
}

/* Refuses model tensors the config does not account for (a 13th layer, a conv weight without
 * conv_window): a sign that config.json belongs to another checkpoint. Other heads' tensors
 * (classifier.*, …) are left alone. */
static yoso_status weights_check_extra(const weights_ctx *ctx, const yoso_weights *w) {
    static const char *const k_embeddings[] = {
        "embeddings.word_embeddings.weight",
        "embeddings.position_embeddings.weight",
        "embeddings.token_type_embeddings.weight",
        "embeddings.LayerNorm.weight",
        "embeddings.LayerNorm.bias",
        NULL,
    };
    static const char *const k_head[] = {
        "cls.predictions.transform.dense.weight",
        "cls.predictions.transform.dense.bias",
        "cls.predictions.transform.LayerNorm.weight",
        "cls.predictions.transform.LayerNorm.bias",
        "cls.predictions.bias",
        NULL,
    };
    size_t plen = strlen(ctx->prefix);
    for (size_t i = 0; i < yoso_tensor_file_count(ctx->file); i++) {
        const char *name = yoso_tensor_file_at(ctx->file, i)->name;
        if (weights_ignored(name)) continue;
        int known = 1;
        if (w->has_lm_head && strncmp(name, "cls.predictions.", 16) == 0) {
            known = weights_in_list(name, k_head);
        } else if (strncmp(name, ctx->prefix, plen) == 0) {
            const char *rest = name + plen;
            if (strncmp(rest, "embeddings.", 11) == 0)
                known = weights_in_list(rest, k_embeddings);
            else if (strncmp(rest, "encoder.", 8) == 0)
                known = weights_known_layer_tensor(rest, ctx->cfg);
        }
        if (!known)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s has tensor '%s', which config.json (num_hidden_layers %d, conv_window %d) does not account for: use the config.json that came with the checkpoint",
                ctx->file->label, name, ctx->cfg->num_hidden_layers, ctx->cfg->conv_window);
    }
    return YOSO_OK;
}

/* Binds the embeddings, every layer and (if present) the MLM head. */
yoso_status yoso_weights_bind(const yoso_tensor_file *file, const yoso_config *cfg,
                              yoso_weights *out) {
    memset(out, 0, sizeof *out);
    weights_ctx ctx = {file, cfg, ""};
    for (size_t i = 0; i < yoso_tensor_file_count(file); i++)
        if (strncmp(yoso_tensor_file_at(file, i)->name, "yoso.", 5) == 0) ctx.prefix = "yoso.";
    const char *p = ctx.prefix;
    int64_t H = cfg->hidden_size, V = cfg->vocab_size;
    int64_t word[2] = {V, H}, pos[2] = {(int64_t)cfg->max_position_embeddings + 2, H};
    int64_t type[2] = {cfg->type_vocab_size, H};
    yoso_status st;
    if ((st = weights_get(&ctx, p, "embeddings.word_embeddings.weight", 0, 2, word,
                          &out->word_emb)) ||
        (st = weights_get(&ctx, p, "embeddings.position_embeddings.weight", 0, 2, pos,
                          &out->pos_emb)) ||
        (st = weights_get(&ctx, p, "embeddings.token_type_embeddings.weight", 0, 2, type,
                          &out->type_emb)) ||
        (st = weights_norm(&ctx, p, "embeddings.LayerNorm", &out->emb_ln_w, &out->emb_ln_b)))
        goto fail;
    out->layers = calloc((size_t)cfg->num_hidden_layers, sizeof *out->layers);
    if (!out->layers) {
        st = yoso_error(YOSO_ERR_NO_MEMORY, "binding weights: out of memory");
        goto fail;
    }
    out->num_layers = cfg->num_hidden_layers;
    for (int i = 0; i < cfg->num_hidden_layers; i++)
        if ((st = weights_layer(&ctx, i, &out->layers[i]))) goto fail;
    /* The MLM head: present if any cls.predictions tensor is (the decoder weight is tied). */
    int64_t vs[1] = {V};
    out->has_lm_head = 0;
    for (size_t i = 0; i < yoso_tensor_file_count(file) && !out->has_lm_head; i++) {
        const char *name = yoso_tensor_file_at(file, i)->name;
        out->has_lm_head = strncmp(name, "cls.predictions.", 16) == 0 &&
                           strcmp(name, "cls.predictions.decoder.weight") != 0;
    }
    if (out->has_lm_head) {
        if ((st = weights_linear(&ctx, "", "cls.predictions.transform.dense", H, H,
                                 &out->head_dense_w, &out->head_dense_b)) ||
            (st = weights_norm(&ctx, "", "cls.predictions.transform.LayerNorm", &out->head_ln_w,
                               &out->head_ln_b)) ||
            (st = weights_get(&ctx, "", "cls.predictions.bias", 1, 1, vs, &out->head_bias)))
            goto fail;
        if (!out->head_bias && (st = weights_get(&ctx, "", "cls.predictions.decoder.bias", 0, 1, vs,
                                                 &out->head_bias))) {
            yoso_error_prefix(st, "no cls.predictions.bias, and ");
            goto fail;
        }
    }
    if ((st = weights_check_extra(&ctx, out))) goto fail;
    return YOSO_OK;
fail:
    yoso_weights_release(out);
    return st;
}

/* Frees the layer table; the views belong to the tensor file. */
void yoso_weights_release(yoso_weights *w) {
    if (!w) return;
    free(w->layers);
    memset(w, 0, sizeof *w);
}

/* weights.c — finds each HF tensor of a YOSO checkpoint (tensor_table.c) and checks its shape
 * against the config. */
#include "weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tensor_file_internal.h"
#include "tensor_table.h"

#define WEIGHTS_FULL_MAX 256 /* with prefix and suffix */

/* What binding needs to know while it looks tensors up. */
typedef struct weights_ctx {
    const yoso_tensor_file *file;
    const yoso_config *cfg;
    const char *prefix; /* "yoso." or "" for the encoder; the head never has it */
} weights_ctx;

/* Looks up full, checks dtype and shape; *out is the view (NULL if optional, absent). */
static yoso_status weights_get(const weights_ctx *ctx, const char *full, int optional, int ndim,
                               const int64_t *shape, const yoso_tensor_view **out) {
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

/* The full HF name of row s (layer rows: of encoder layer `layer`). */
static void weights_full_name(const weights_ctx *ctx, const yoso_tensor_spec *s, int layer,
                              char *out, size_t n) {
    if (s->scope == YOSO_SCOPE_LAYER)
        snprintf(out, n, "%sencoder.layer.%d.%s", ctx->prefix, layer, s->name);
    else
        snprintf(out, n, "%s%s", s->scope == YOSO_SCOPE_MODEL ? ctx->prefix : "", s->name);
}

/* Where row s's view goes in w (layer rows: in layer `layer`). */
static const yoso_tensor_view **weights_slot(const yoso_tensor_spec *s, yoso_weights *w,
                                             int layer) {
    return yoso_tensor_field(s, w, w->layers ? &w->layers[layer] : NULL, s->view);
}

/* Binds row s into its slot, checking its shape against the config. */
static yoso_status weights_get_row(const weights_ctx *ctx, const yoso_tensor_spec *s, int layer,
                                   int optional, yoso_weights *w) {
    char full[WEIGHTS_FULL_MAX];
    int64_t shape[YOSO_TENSOR_SHAPE_MAX];
    weights_full_name(ctx, s, layer, full, sizeof full);
    int ndim = yoso_tensor_shape(s, ctx->cfg, shape);
    return weights_get(ctx, full, optional, ndim, shape, weights_slot(s, w, layer));
}

/* Binds every row of `scope` and `arch` (layer rows: of layer `layer`), in table order; a row
 * followed by an ALT row binds that one when it is itself absent. */
static yoso_status weights_bind_rows(const weights_ctx *ctx, yoso_tensor_scope scope,
                                     yoso_arch arch, int layer, yoso_weights *w) {
    yoso_status st;
    for (size_t i = 0; i < yoso_tensor_table_count; i++) {
        const yoso_tensor_spec *s = &yoso_tensor_table[i];
        if (s->scope != scope || s->arch != arch ||
            (s->flags & (YOSO_TENSOR_ALT | YOSO_TENSOR_TIED)))
            continue;
        if (!yoso_tensor_in_config(s, ctx->cfg)) continue; /* refused by weights_check_extra */
        const yoso_tensor_spec *alt = NULL;
        if (i + 1 < yoso_tensor_table_count && (yoso_tensor_table[i + 1].flags & YOSO_TENSOR_ALT))
            alt = &yoso_tensor_table[i + 1];
        if ((st = weights_get_row(ctx, s, layer, alt != NULL, w))) return st;
        if (!alt || *weights_slot(s, w, layer)) continue;
        if ((st = weights_get_row(ctx, alt, layer, 0, w))) {
            char full[WEIGHTS_FULL_MAX];
            weights_full_name(ctx, s, layer, full, sizeof full);
            return yoso_error_prefix(st, "no %s, and ", full);
        }
    }
    return YOSO_OK;
}

/* True if name is a buffer HF saves beside the weights (position_ids, token_type_ids). */
static int weights_buffer_name(const char *name) {
    static const char *const k_suffixes[] = {".position_ids", ".token_type_ids"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof k_suffixes / sizeof k_suffixes[0]; i++) {
        size_t k = strlen(k_suffixes[i]);
        if (n >= k && strcmp(name + n - k, k_suffixes[i]) == 0) return 1;
    }
    return 0;
}

/* True if rest (after the scope's prefix) is the name of a row of `scope` (and `arch`, unless
 * 0) that this config has. */
static int weights_row_named(const char *rest, yoso_tensor_scope scope, unsigned arch,
                             const yoso_config *cfg) {
    for (size_t i = 0; i < yoso_tensor_table_count; i++) {
        const yoso_tensor_spec *s = &yoso_tensor_table[i];
        if (s->scope == scope && (!arch || s->arch == arch) && yoso_tensor_in_config(s, cfg) &&
            strcmp(rest, s->name) == 0)
            return 1;
    }
    return 0;
}

/* True if rest ("encoder.layer.N.…") names a tensor of a layer the config has. */
static int weights_known_layer_tensor(const char *rest, const yoso_config *cfg) {
    const char *digits = rest + strlen("encoder.layer.");
    size_t nd = strspn(digits, "0123456789");
    if (strncmp(rest, "encoder.layer.", 14) != 0 || nd == 0 || nd > 6 || digits[nd] != '.')
        return 0;
    int layer = atoi(digits);
    char canon[16];
    snprintf(canon, sizeof canon, "%d", layer);
    if (strlen(canon) != nd || strncmp(canon, digits, nd) != 0) return 0; /* "01" */
    if (layer >= cfg->num_hidden_layers) return 0;
    return weights_row_named(digits + nd + 1, YOSO_SCOPE_LAYER, 0, cfg);
}

/* True if the checkpoint tensor `name` is one the table and config account for; tensors outside
 * the model's and the known heads' families (classifier.*, pooler.*, …) are left alone. */
static int weights_known(const weights_ctx *ctx, const char *name) {
    if (weights_buffer_name(name)) return 1;
    int in_family = 0; /* heads share families: known if any head has the name */
    for (size_t h = 0; h < yoso_head_table_count; h++) {
        const yoso_head_spec *head = &yoso_head_table[h];
        if (strncmp(name, head->family, strlen(head->family)) != 0) continue;
        if (weights_row_named(name, YOSO_SCOPE_HEAD, head->arch, ctx->cfg)) return 1;
        in_family = 1;
    }
    if (in_family) return 0;
    size_t plen = strlen(ctx->prefix);
    if (strncmp(name, ctx->prefix, plen) != 0) return 1;
    const char *rest = name + plen;
    if (strncmp(rest, "embeddings.", 11) == 0)
        return weights_row_named(rest, YOSO_SCOPE_MODEL, 0, ctx->cfg);
    if (strncmp(rest, "encoder.", 8) == 0) return weights_known_layer_tensor(rest, ctx->cfg);
    return 1;
}

/* Refuses model tensors the config does not account for (a 13th layer, a conv weight without
 * conv_window): a sign that config.json belongs to another checkpoint. */
static yoso_status weights_check_extra(const weights_ctx *ctx) {
    for (size_t i = 0; i < yoso_tensor_file_count(ctx->file); i++) {
        const char *name = yoso_tensor_file_at(ctx->file, i)->name;
        if (!weights_known(ctx, name))
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s has tensor '%s', which config.json (num_hidden_layers %d, conv_window %d) does not account for: use the config.json that came with the checkpoint",
                ctx->file->label, name, ctx->cfg->num_hidden_layers, ctx->cfg->conv_window);
    }
    return YOSO_OK;
}

/* True if the checkpoint has a tensor of this head's family that is loaded (not a tied one). */
static int weights_head_present(const weights_ctx *ctx, const yoso_head_spec *head) {
    const size_t flen = strlen(head->family);
    for (size_t i = 0; i < yoso_tensor_file_count(ctx->file); i++) {
        const char *name = yoso_tensor_file_at(ctx->file, i)->name;
        if (strncmp(name, head->family, flen) != 0) continue;
        int tied = 0;
        for (size_t r = 0; r < yoso_tensor_table_count && !tied; r++) {
            const yoso_tensor_spec *s = &yoso_tensor_table[r];
            tied = (s->flags & YOSO_TENSOR_TIED) && s->arch == head->arch &&
                   strcmp(name, s->name) == 0;
        }
        if (!tied) return 1;
    }
    return 0;
}

/* Writes what the checkpoint's head tensors say it is into out ("a YosoForMaskedLM", "a base
 * YosoModel (no task head tensors)"): each head whose first row is present. */
static void weights_describe(const weights_ctx *ctx, char *out, size_t n) {
    size_t at = 0;
    out[0] = '\0';
    for (size_t h = 0; h < yoso_head_table_count; h++) {
        const yoso_head_spec *head = &yoso_head_table[h];
        for (size_t i = 0; i < yoso_tensor_table_count; i++) {
            const yoso_tensor_spec *s = &yoso_tensor_table[i];
            if (s->arch != head->arch) continue;
            if (yoso_tensor_file_find(ctx->file, s->name) && at < n)
                at += (size_t)snprintf(out + at, n - at, "%s%s (%s)", at ? ", " : "",
                                       head->hf_class, s->name);
            break;
        }
    }
    if (!at) snprintf(out, n, "a base YosoModel (no task head tensors)");
}

/* Binds the rows of the task head that config.json's architectures names (MLM excepted: it is
 * bound whenever present); its absence is an error that says what the checkpoint holds. */
static yoso_status weights_bind_named_head(const weights_ctx *ctx, yoso_weights *out) {
    for (size_t h = 0; h < yoso_head_table_count; h++) {
        const yoso_head_spec *head = &yoso_head_table[h];
        if (head->arch == YOSO_ARCH_MLM || strcmp(ctx->cfg->architecture, head->hf_class) != 0)
            continue;
        yoso_status st = weights_bind_rows(ctx, YOSO_SCOPE_HEAD, head->arch, 0, out);
        if (st != YOSO_OK) {
            char holds[512], why[512];
            snprintf(why, sizeof why, "%s", yoso_last_error());
            weights_describe(ctx, holds, sizeof holds);
            return yoso_error(
                YOSO_ERR_INPUT,
                "config.json names %s, but %s lacks its head (%s); the checkpoint holds %s: use the config.json that came with the checkpoint",
                head->hf_class, ctx->file->label, why, holds);
        }
        out->archs |= head->arch;
        out->arch = head->api;
    }
    return YOSO_OK;
}

/* Binds the embeddings, every layer and each head the checkpoint has. */
yoso_status yoso_weights_bind(const yoso_tensor_file *file, const yoso_config *cfg,
                              yoso_weights *out) {
    memset(out, 0, sizeof *out);
    weights_ctx ctx = {file, cfg, ""};
    for (size_t i = 0; i < yoso_tensor_file_count(file); i++)
        if (strncmp(yoso_tensor_file_at(file, i)->name, "yoso.", 5) == 0) ctx.prefix = "yoso.";
    yoso_status st;
    if ((st = weights_bind_rows(&ctx, YOSO_SCOPE_MODEL, YOSO_ARCH_BASE, 0, out))) goto fail;
    out->layers = calloc((size_t)cfg->num_hidden_layers, sizeof *out->layers);
    if (!out->layers) {
        st = yoso_error(YOSO_ERR_NO_MEMORY, "binding weights: out of memory");
        goto fail;
    }
    out->num_layers = cfg->num_hidden_layers;
    for (int i = 0; i < cfg->num_hidden_layers; i++)
        if ((st = weights_bind_rows(&ctx, YOSO_SCOPE_LAYER, YOSO_ARCH_BASE, i, out))) goto fail;
    out->archs = YOSO_ARCH_BASE;
    out->arch = YOSO_ARCHITECTURE_BASE;
    if (weights_head_present(&ctx, &yoso_head_table[0])) { /* the MLM head, whenever present */
        if ((st = weights_bind_rows(&ctx, YOSO_SCOPE_HEAD, YOSO_ARCH_MLM, 0, out))) goto fail;
        out->archs |= YOSO_ARCH_MLM;
        out->arch = YOSO_ARCHITECTURE_MASKED_LM;
    }
    if ((st = weights_bind_named_head(&ctx, out))) goto fail;
    out->has_lm_head = (out->archs & YOSO_ARCH_MLM) != 0;
    if ((st = weights_check_extra(&ctx))) goto fail;
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

/* tensor_table.c — every tensor of a YOSO checkpoint, once (HF modeling_yoso.py names). Adding a
 * task head is a row in yoso_head_table, its rows here, and its fields in yoso_weights and
 * yoso_model. */
#include "tensor_table.h"

#include <stddef.h>

#include "model.h"
#include "weights.h"

/* The table reads as columns. */
/* clang-format off */
/* A row of the model scope (embeddings), of an encoder layer, of the MLM head; a tied name. */
#define EMB(name, view, device, flags, ...) {name, YOSO_SCOPE_MODEL, YOSO_ARCH_BASE, flags, \
    offsetof(yoso_weights, view), offsetof(yoso_model, device), {__VA_ARGS__}}
#define LAYER(name, view, device, flags, ...) {name, YOSO_SCOPE_LAYER, YOSO_ARCH_BASE, flags, \
    offsetof(yoso_layer_weights, view), offsetof(yoso_layer_params, device), {__VA_ARGS__}}
#define MLM(name, view, device, flags, ...) {name, YOSO_SCOPE_HEAD, YOSO_ARCH_MLM, flags, \
    offsetof(yoso_weights, view), offsetof(yoso_model, device), {__VA_ARGS__}}
#define HEAD(arch, name, view, device, flags, ...) {name, YOSO_SCOPE_HEAD, arch, flags, \
    offsetof(yoso_weights, view), offsetof(yoso_model, device), {__VA_ARGS__}}
#define TIED(name, scope, arch) {name, scope, arch, YOSO_TENSOR_TIED, 0, 0, {YOSO_DIM_NONE}}
#define SEQ_HEAD(...) HEAD(YOSO_ARCH_SEQ, __VA_ARGS__)
#define TOK_HEAD(...) HEAD(YOSO_ARCH_TOK, __VA_ARGS__)
#define QA_HEAD(...) HEAD(YOSO_ARCH_QA, __VA_ARGS__)
#define MC_HEAD(...) HEAD(YOSO_ARCH_MC, __VA_ARGS__)
/* The two rows of a module through ROW: a Linear's weight [out, in] (MATRIX, LINEAR_W) and bias
 * [out]; a LayerNorm's weight and bias [H]. Fields are <view>_w / <view>_b, <device>_w /
 * <device>_b. */
#define LINEAR(ROW, name, view, device, out, in) \
    ROW(name ".weight", view##_w, device##_w, MATRIX | LINEAR_W, out, in), \
    ROW(name ".bias", view##_b, device##_b, VECTOR, out)
#define NORM(ROW, name, view, device) \
    ROW(name ".weight", view##_w, device##_w, VECTOR, H), \
    ROW(name ".bias", view##_b, device##_b, VECTOR, H)

#define ONE YOSO_DIM_ONE
#define H YOSO_DIM_H
#define I YOSO_DIM_I
#define V YOSO_DIM_V
#define P YOSO_DIM_POS
#define T YOSO_DIM_TYPES
#define NH YOSO_DIM_HEADS
#define W YOSO_DIM_CONV
#define NL YOSO_DIM_LABELS
#define CONV_SHAPE NH, ONE, W, ONE /* nn.Conv2d weight [nh, 1, W, 1] */
#define MATRIX YOSO_TENSOR_MATRIX
#define LINEAR_W YOSO_TENSOR_LINEAR
#define VECTOR YOSO_TENSOR_VECTOR
#define CONVW YOSO_TENSOR_CONV
#define ALT YOSO_TENSOR_ALT

/* Every row is required, except: CONVW rows exist only with a conv_window; an ALT row stands in for
 * the row above it when that one is absent; a TIED name is known but not loaded. MATRIX rows are
 * half on the device with fp16 weights, VECTOR rows float32. Rows with the same device buffer are
 * laid end to end in it: qkv_w = [Wq; Wk; Wv] [3H, H]. Binding checks rows in this order, so the
 * first problem reported is the first row's. */
const yoso_tensor_spec yoso_tensor_table[] = {
    /*   HF name after the prefix                      view          device        kind    shape */
    EMB(   "embeddings.word_embeddings.weight",          word_emb,     word_emb,     MATRIX, V, H),
    EMB(   "embeddings.position_embeddings.weight",      pos_emb,      pos_emb,      VECTOR, P, H),
    EMB(   "embeddings.token_type_embeddings.weight",    type_emb,     type_emb,     VECTOR, T, H),
    NORM(EMB,    "embeddings.LayerNorm",                 emb_ln,       emb_ln),

    /*     row    HF name of the module (.weight, .bias) view          device        shape [out, in] */
    LINEAR(LAYER, "attention.self.query",                q,            qkv,          H, H),
    LINEAR(LAYER, "attention.self.key",                  k,            qkv,          H, H),
    LINEAR(LAYER, "attention.self.value",                v,            qkv,          H, H),
    LINEAR(LAYER, "attention.output.dense",              attn_out,     attn_out,     H, H),
    NORM(LAYER,   "attention.output.LayerNorm",          attn_ln,      attn_ln),
    LINEAR(LAYER, "intermediate.dense",                  ffn_in,       ffn_in,       I, H),
    LINEAR(LAYER, "output.dense",                        ffn_out,      ffn_out,      H, I),
    NORM(LAYER,   "output.LayerNorm",                    ffn_ln,       ffn_ln),
    LAYER( "attention.self.conv.weight",                 conv_w,       conv_w,       CONVW,  CONV_SHAPE),

    LINEAR(MLM,   "cls.predictions.transform.dense",     head_dense,   head_dense,   H, H),
    NORM(MLM,     "cls.predictions.transform.LayerNorm", head_ln,      head_ln),
    MLM(   "cls.predictions.bias",                       head_bias,    head_bias,    VECTOR, V),
    MLM(   "cls.predictions.decoder.bias",               head_bias,    head_bias,    ALT,    V),
    TIED(  "cls.predictions.decoder.weight", YOSO_SCOPE_HEAD, YOSO_ARCH_MLM), /* = word_emb */

    /* The task heads (modeling_yoso.py): YosoClassificationHead, the token classifier,
     * qa_outputs (num_labels = 2: start, end) and the multiple-choice pre-classifier. */
    LINEAR(SEQ_HEAD, "classifier.dense",                 seq_dense,    cls_dense,    H, H),
    LINEAR(SEQ_HEAD, "classifier.out_proj",              seq_out,      cls_out,      NL, H),
    LINEAR(TOK_HEAD, "classifier",                       tok,          cls_out,      NL, H),
    LINEAR(QA_HEAD,  "qa_outputs",                       qa,           cls_out,      NL, H),
    LINEAR(MC_HEAD,  "pre_classifier",                   mc_pre,       cls_dense,    H, H),
    LINEAR(MC_HEAD,  "classifier",                       mc,           cls_out,      ONE, H),
};
/* clang-format on */
const size_t yoso_tensor_table_count = sizeof yoso_tensor_table / sizeof yoso_tensor_table[0];

const yoso_head_spec yoso_head_table[] = {
    {YOSO_ARCH_MLM, YOSO_ARCHITECTURE_MASKED_LM, "YosoForMaskedLM", "cls.predictions.", NULL},
    {YOSO_ARCH_SEQ, YOSO_ARCHITECTURE_SEQUENCE_CLASSIFICATION, "YosoForSequenceClassification",
     "classifier.", NULL},
    {YOSO_ARCH_TOK, YOSO_ARCHITECTURE_TOKEN_CLASSIFICATION, "YosoForTokenClassification",
     "classifier.", NULL},
    {YOSO_ARCH_QA, YOSO_ARCHITECTURE_QUESTION_ANSWERING, "YosoForQuestionAnswering", "qa_outputs.",
     NULL},
    {YOSO_ARCH_MC, YOSO_ARCHITECTURE_MULTIPLE_CHOICE, "YosoForMultipleChoice", "pre_classifier.",
     "classifier."},
};
const size_t yoso_head_table_count = sizeof yoso_head_table / sizeof yoso_head_table[0];

int64_t yoso_dim_value(const yoso_config *cfg, yoso_dim d) {
    switch (d) {
    case YOSO_DIM_NONE: return 0;
    case YOSO_DIM_ONE: return 1;
    case YOSO_DIM_H: return cfg->hidden_size;
    case YOSO_DIM_I: return cfg->intermediate_size;
    case YOSO_DIM_V: return cfg->vocab_size;
    case YOSO_DIM_POS: return (int64_t)cfg->max_position_embeddings + 2;
    case YOSO_DIM_TYPES: return cfg->type_vocab_size;
    case YOSO_DIM_HEADS: return cfg->num_attention_heads;
    case YOSO_DIM_CONV: return cfg->conv_window;
    case YOSO_DIM_LABELS: return cfg->num_labels;
    }
    return 0;
}

int yoso_tensor_shape(const yoso_tensor_spec *s, const yoso_config *cfg, int64_t *shape) {
    int n = 0;
    while (n < YOSO_TENSOR_SHAPE_MAX && s->shape[n] != YOSO_DIM_NONE) {
        shape[n] = yoso_dim_value(cfg, s->shape[n]);
        n++;
    }
    return n;
}

int yoso_tensor_in_config(const yoso_tensor_spec *s, const yoso_config *cfg) {
    return !(s->flags & YOSO_TENSOR_CONV) || cfg->conv_window > 0;
}

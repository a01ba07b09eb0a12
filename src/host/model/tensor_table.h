/* tensor_table.h — the one table of a YOSO checkpoint's tensors (tensor_table.c): HF name, where
 * each lives in the bound views and on the device, its shape from config.json, matrix or vector,
 * required or not, and which architecture has it. Binding, shape checks, upload, size accounting
 * and freeing all walk this table. */
#ifndef YOSO_TENSOR_TABLE_H
#define YOSO_TENSOR_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Where a tensor's HF name lives: its full name is scope prefix + name. */
typedef enum yoso_tensor_scope {
    YOSO_SCOPE_MODEL, /* under the model prefix ("yoso." or ""): "embeddings.…" */
    YOSO_SCOPE_LAYER, /* under the model prefix + "encoder.layer.<i>.", once per layer */
    YOSO_SCOPE_HEAD,  /* a task head's, never prefixed: "cls.predictions.…" */
} yoso_tensor_scope;

/* The architectures, as config.json's `architectures` names them; a bit mask. The base rows are
 * in every checkpoint; a head's rows only where its family prefix appears (yoso_head_table). */
typedef enum yoso_arch {
    YOSO_ARCH_BASE = 1 << 0, /* YosoModel: embeddings and encoder */
    YOSO_ARCH_MLM = 1 << 1,  /* YosoForMaskedLM: cls.predictions */
    YOSO_ARCH_SEQ = 1 << 2,  /* YosoForSequenceClassification: classifier.{dense,out_proj} */
    YOSO_ARCH_TOK = 1 << 3,  /* YosoForTokenClassification: classifier */
    YOSO_ARCH_QA = 1 << 4,   /* YosoForQuestionAnswering: qa_outputs */
    YOSO_ARCH_MC = 1 << 5,   /* YosoForMultipleChoice: pre_classifier, classifier */
} yoso_arch;

/* A dimension of an expected shape, read from the config. */
typedef enum yoso_dim {
    YOSO_DIM_NONE = 0, /* past the last dimension */
    YOSO_DIM_ONE,      /* 1 */
    YOSO_DIM_H,        /* hidden_size */
    YOSO_DIM_I,        /* intermediate_size */
    YOSO_DIM_V,        /* vocab_size */
    YOSO_DIM_POS,      /* max_position_embeddings + 2 */
    YOSO_DIM_TYPES,    /* type_vocab_size */
    YOSO_DIM_HEADS,    /* num_attention_heads */
    YOSO_DIM_CONV,     /* conv_window */
    YOSO_DIM_LABELS,   /* num_labels */
} yoso_dim;

enum {
    YOSO_TENSOR_VECTOR = 0,      /* kept float32 on the device (biases, norms, tables, conv) */
    YOSO_TENSOR_MATRIX = 1 << 0, /* a weight matrix: half on the device with fp16 weights */
    YOSO_TENSOR_CONV = 1 << 1,   /* required with conv_window > 0, refused without */
    YOSO_TENSOR_ALT = 1 << 2,    /* stands in for the row before it when that one is absent */
    YOSO_TENSOR_TIED = 1 << 3,   /* a known name that is not loaded (the tied decoder) */
    YOSO_TENSOR_LINEAR = 1 << 4, /* an nn.Linear weight: packed where the GEMM backend packs */
};

#define YOSO_TENSOR_SHAPE_MAX 4
#define YOSO_TENSOR_PARTS_MAX 3 /* the most rows laid end to end in one buffer (q, k, v) */

/* One row: a checkpoint tensor. Rows that share a device buffer are laid end to end in it, in
 * table order (q, k, v → qkv_w). */
typedef struct yoso_tensor_spec {
    const char *name;        /* HF name after the scope's prefix */
    yoso_tensor_scope scope; /* which prefix the name takes */
    yoso_arch arch;          /* the architecture that has it */
    int flags;               /* YOSO_TENSOR_* */
    size_t view;   /* offset of its view in yoso_weights (layer rows: yoso_layer_weights) */
    size_t device; /* offset of its buffer in yoso_model (layer rows: yoso_layer_params) */
    yoso_dim shape[YOSO_TENSOR_SHAPE_MAX]; /* expected shape, YOSO_DIM_NONE-terminated */
} yoso_tensor_spec;

/* A task head: the architecture, its class in HF and the prefix its tensors use (heads may
 * share one: "classifier." is the sequence, token and multiple-choice heads'). */
typedef struct yoso_head_spec {
    yoso_arch arch;
    yoso_architecture api; /* the public enum */
    const char *hf_class;  /* e.g. "YosoForMaskedLM" */
    const char *family;    /* e.g. "cls.predictions." */
    const char *family2;   /* a second prefix ("classifier." of multiple choice), or NULL */
} yoso_head_spec;

extern const yoso_tensor_spec yoso_tensor_table[];
extern const size_t yoso_tensor_table_count;
extern const yoso_head_spec yoso_head_table[];
extern const size_t yoso_head_table_count;

/* The size of dimension d under cfg. */
int64_t yoso_dim_value(const yoso_config *cfg, yoso_dim d);
/* The expected shape of row s under cfg into shape; returns the number of dimensions. */
int yoso_tensor_shape(const yoso_tensor_spec *s, const yoso_config *cfg, int64_t *shape);
/* The field at `offset` of row s's owner: `layer` (an encoder layer's struct) for a layer row,
 * else `top` (the whole model's). */
static inline void *yoso_tensor_field(const yoso_tensor_spec *s, void *top, void *layer,
                                      size_t offset) {
    return (char *)(s->scope == YOSO_SCOPE_LAYER ? layer : top) + offset;
}
/* 1 if row s exists in a checkpoint of this config (conv rows only with a conv_window). */
int yoso_tensor_in_config(const yoso_tensor_spec *s, const yoso_config *cfg);

#endif

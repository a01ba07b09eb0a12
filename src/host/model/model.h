/* model.h — the loaded YOSO model: device weights, activation buffers and the forward pass. */
#ifndef YOSO_MODEL_H
#define YOSO_MODEL_H

#include "attention.h"
#include "config.h"
#include "profile.h"
#include "runtime.h"

/* The device buffers the checkpoint's tensors are uploaded into (tensor_table.c says which tensor
 * goes where). With fp16 weights (opt.fp16_weights), the matrices marked "matrix" hold half bits
 * and are expanded into model->wscratch before use; everything else is float32. */
typedef struct yoso_layer_params {
    cl_mem qkv_w;                  /* matrix [3H, H]  rows: Wq, Wk, Wv (nn.Linear [out, in]) */
    cl_mem qkv_b;                  /* [3H] */
    cl_mem conv_w;                 /* [nh, W] or NULL */
    cl_mem attn_out_w, attn_out_b; /* matrix [H, H], [H] */
    cl_mem attn_ln_w, attn_ln_b;   /* [H], [H] */
    cl_mem ffn_in_w, ffn_in_b;     /* matrix [I, H], [I] */
    cl_mem ffn_out_w, ffn_out_b;   /* matrix [H, I], [H] */
    cl_mem ffn_ln_w, ffn_ln_b;     /* [H], [H] */
} yoso_layer_params;

/* Activation buffers, sized for `rows` = B·L tokens; grown on demand, reused across layers. */
typedef struct yoso_activations {
    size_t rows;
    cl_mem ids;     /* [rows] int */
    cl_mem mask;    /* [rows] int, 1 = token, 0 = padding */
    cl_mem h;       /* [rows, H] the residual stream */
    cl_mem a;       /* [rows, H] after attention + LayerNorm */
    cl_mem tmp;     /* [rows, H] GEMM outputs before bias + residual + LayerNorm */
    cl_mem ctx;     /* [rows, H] attention output, heads merged */
    cl_mem q, k, v; /* [B, nh, L, d] each */
    cl_mem big;     /* [rows, max(3H, I)] QKV projections, then the FFN's inner activations */
    size_t bytes;   /* device bytes held by these buffers and the LM head's */
} yoso_activations;

/* LM head buffers for up to `capacity` ≤ YOSO_HEAD_CHUNK positions, sized on first use. */
#define YOSO_HEAD_CHUNK 256
typedef struct yoso_head_buffers {
    int capacity;
    size_t bytes;  /* counted in act.bytes */
    cl_mem rows;   /* [capacity] int: flat positions b·L + t */
    cl_mem x;      /* [capacity, H] gathered hidden states, then the transformed ones */
    cl_mem t;      /* [capacity, H] dense output */
    cl_mem logits; /* [capacity, V] */
} yoso_head_buffers;

struct yoso_model {
    yoso_context *ctx;
    yoso_config cfg;
    yoso_model_options opt;
    int use_expectation; /* after applying options->attention */
    int num_hash, hash_code_len;
    cl_mem word_emb;           /* matrix [V, H] also the tied decoder */
    cl_mem pos_emb;            /* [P + 2, H] */
    cl_mem type_emb;           /* [T, H] */
    cl_mem emb_ln_w, emb_ln_b; /* [H], [H] */
    yoso_layer_params *layers; /* [num_hidden_layers] */
    int has_lm_head;
    cl_mem head_dense_w, head_dense_b; /* matrix [H, H], [H] */
    cl_mem head_ln_w, head_ln_b;       /* [H], [H] */
    cl_mem head_bias;                  /* [V] */
    yoso_architecture arch;            /* the checkpoint's class (weights.h) */
    char **labels;                     /* [num_labels] id2label (config.c's block) */
    cl_mem cls_dense_w, cls_dense_b;   /* matrix [H, H], [H]: classifier.dense / pre_classifier */
    cl_mem cls_out_w, cls_out_b;       /* matrix [NL, H], [NL]: out_proj, classifier, qa_outputs */
    size_t weight_bytes;               /* device bytes held by weights */
    int packed_weights; /* 1: the nn.Linear matrices (not the tied decoder) are in the GEMM
                           backend's layout (yoso_gemm_pack_weight) */
    struct yoso_weight_cache *wcache; /* the packed matrices' cache entry (they may point into
                                         its mapping), or NULL */
    cl_mem wscratch;                  /* fp16 only: [max(3H², HI)] the matrix in use, as float32 */
    size_t wscratch_floats;
    const struct yoso_tensor_file *load_file; /* the checkpoint, while loading */
    yoso_activations act;
    yoso_head_buffers head;
    yoso_attention_state *attention; /* every layer's attention and the buffers it keeps */
    int forwards;                    /* forward passes run so far */
    yoso_profile prof;               /* per-phase times of the last forward (verbose only) */
};

/* Frees the activation and LM-head buffers (they are re-created on the next forward). */
void yoso_model_release_buffers(yoso_model *model);

/* With fp16 weights, creates the float32 scratch each matrix expands into before its GEMM. */
yoso_status yoso_model_reserve_weight_scratch(yoso_model *model);

/* Makes sure the LM head buffers hold n ≤ YOSO_HEAD_CHUNK positions. */
yoso_status yoso_model_reserve_head(yoso_model *model, int n);

/* Makes sure the activation buffers hold `rows` = B·L tokens. */
yoso_status yoso_model_reserve(yoso_model *model, size_t rows);

/* Runs embeddings + all encoder layers; leaves the last hidden states in model->act.h: all
 * B·L rows, or, with keep (nkeep flat positions b·L + t, each in 0..B·L-1), only those rows, in
 * keep's order (h [nkeep, H]): the last layer's attention output projection and FFN, which act
 * on each row alone, then run on those rows only. */
yoso_status yoso_model_encode(yoso_model *model, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, const int32_t *keep, int nkeep);

/* Runs the MLM head on n ≤ model->head.capacity flat positions (b·L + t) of the last encode and
 * reads their [n, V] logits into out. */
yoso_status yoso_model_head_chunk(yoso_model *model, const int32_t *positions, int n, float *out);

/* Runs the task head on the last encode into out: [B, NL] (sequence classification), [B·L, NL]
 * (token classification, QA with NL = 2) or [B] (multiple choice). */
yoso_status yoso_model_task_head(yoso_model *model, int batch, int seq, float *out);

/* The rows of the task head's last matrix (cls_out_w): 1 for multiple choice, else num_labels. */
static inline size_t yoso_model_head_outputs(const yoso_model *model) {
    return model->arch == YOSO_ARCHITECTURE_MULTIPLE_CHOICE ? 1 : (size_t)model->cfg.num_labels;
}

#endif

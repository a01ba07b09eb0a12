/* weights.h — binds a checkpoint's HF tensors to the model's parts, checking every shape; the
 * tensors, their names and shapes are the rows of tensor_table.c, which point at these fields. */
#ifndef YOSO_WEIGHTS_H
#define YOSO_WEIGHTS_H

#include "config.h"
#include "tensor_file.h"

typedef struct yoso_layer_weights {
    const yoso_tensor_view *q_w, *q_b;               /* [H, H], [H]  (nn.Linear: [out, in]) */
    const yoso_tensor_view *k_w, *k_b;               /* [H, H], [H] */
    const yoso_tensor_view *v_w, *v_b;               /* [H, H], [H] */
    const yoso_tensor_view *conv_w;                  /* [nh, 1, W, 1] or NULL without conv_window */
    const yoso_tensor_view *attn_out_w, *attn_out_b; /* [H, H], [H]  attention.output.dense */
    const yoso_tensor_view *attn_ln_w, *attn_ln_b;   /* [H], [H]     attention.output.LayerNorm */
    const yoso_tensor_view *ffn_in_w, *ffn_in_b;     /* [I, H], [I]  intermediate.dense */
    const yoso_tensor_view *ffn_out_w, *ffn_out_b;   /* [H, I], [H]  output.dense */
    const yoso_tensor_view *ffn_ln_w, *ffn_ln_b;     /* [H], [H]     output.LayerNorm */
} yoso_layer_weights;

typedef struct yoso_weights {
    const yoso_tensor_view *word_emb;            /* [V, H] also the tied decoder */
    const yoso_tensor_view *pos_emb;             /* [P + 2, H] */
    const yoso_tensor_view *type_emb;            /* [T, H] */
    const yoso_tensor_view *emb_ln_w, *emb_ln_b; /* [H], [H] */
    int num_layers;
    yoso_layer_weights *layers; /* [num_layers], malloc'ed */
    unsigned archs;             /* yoso_arch bits: BASE, and each head the checkpoint has */
    /* MLM head; all NULL for a base YosoModel checkpoint (has_lm_head = 0) */
    int has_lm_head;
    const yoso_tensor_view *head_dense_w,
        *head_dense_b;                             /* [H, H], [H] cls.predictions.transform.dense */
    const yoso_tensor_view *head_ln_w, *head_ln_b; /* [H], [H] */
    const yoso_tensor_view *head_bias;             /* [V] cls.predictions.bias (or decoder.bias) */
    /* The task head config.json's architectures names (all NULL for other checkpoints) */
    yoso_architecture arch;                            /* what the checkpoint is */
    const yoso_tensor_view *seq_dense_w, *seq_dense_b; /* [H, H], [H] classifier.dense */
    const yoso_tensor_view *seq_out_w, *seq_out_b;     /* [NL, H], [NL] classifier.out_proj */
    const yoso_tensor_view *tok_w, *tok_b;             /* [NL, H], [NL] classifier */
    const yoso_tensor_view *qa_w, *qa_b;               /* [NL, H], [NL] qa_outputs */
    const yoso_tensor_view *mc_pre_w, *mc_pre_b;       /* [H, H], [H] pre_classifier */
    const yoso_tensor_view *mc_w, *mc_b;               /* [1, H], [1] classifier */
} yoso_weights;

/* Finds every tensor of the table under its HF name (with or without the "yoso." prefix), and
 * each head's when the checkpoint has one; ignores position_ids / token_type_ids buffers and
 * cls.predictions.decoder.weight (tied), and checks each shape against cfg. A missing tensor or
 * wrong shape is YOSO_ERR_INPUT naming the tensor, the expected and the found shape. Views point
 * into file, which must stay open. */
yoso_status yoso_weights_bind(const yoso_tensor_file *file, const yoso_config *cfg,
                              yoso_weights *out);
void yoso_weights_release(yoso_weights *w);

#endif

/* model_forward.c — the whole forward pass, end to end (llm.c gpt2_forward style): the
 * embeddings and each encoder layer (yoso_model_encode), then the MLM head on chosen positions
 * (yoso_model_head_chunk) or the task head (yoso_model_task_head). Every step is one call with the
 * shapes it works on. */
#include <stdio.h>
#include <stdlib.h>

#include "gemm.h"
#include "attention_kernels.h"
#include "ops.h"
#include "model.h"

/* y [rows, n] = x [rows, k] · Wᵀ with W [n, k] stored as loaded (no bias). With fp16 weights
 * W holds half bits and is expanded into model->wscratch right before its GEMM, in slices of as
 * many of its rows as the scratch holds (a layer's matrices fit whole; the tied decoder
 * [V, H] does not); each slice fills its columns of y. */
static yoso_status linear_plain(yoso_model *m, cl_mem x, cl_mem w, cl_mem y, size_t rows, size_t n,
                                size_t k) {
    yoso_status status = YOSO_OK;
    const size_t slice = m->opt.fp16_weights ? m->wscratch_floats / k : n;
    for (size_t n0 = 0; n0 < n; n0 += slice) {
        const size_t nn = n - n0 < slice ? n - n0 : slice;
        /* matrices: {buffer, offset, leading dimension, batch stride} */
        const yoso_gemm_matrix xm = {x, 0, k, 0}, wm = {w, n0 * k, k, 0}, ym = {y, n0, n, 0};
        yoso_gemm_args g = yoso_gemm_product(0, 1, rows, nn, k, xm, wm, ym, 0);
        if (m->opt.fp16_weights) {
            YOSO_TRY(yoso_launch_half_to_float(m->ctx, w, n0 * k, m->wscratch, 0, nn * k));
            g.b.buf = m->wscratch;
            g.b.offset = 0;
        }
        YOSO_TRY(yoso_gemm_run(m->ctx->gemm, &g));
    }
fail:
    return status;
}

/* y [rows, n] = x [rows, k] · Wᵀ with W [n, k] an nn.Linear weight (no bias), in the GEMM
 * backend's layout when the load packed it. */
static yoso_status linear(yoso_model *m, cl_mem x, cl_mem w, cl_mem y, size_t rows, size_t n,
                          size_t k) {
    if (m->packed_weights) return yoso_gemm_run_linear(m->ctx->gemm, x, w, y, rows, n, k);
    return linear_plain(m, x, w, y, rows, n, k);
}

/* Checks ids and mask against the model before anything runs. */
static yoso_status encode_validate(const yoso_model *m, int batch, int seq, const int32_t *ids,
                                   const int32_t *mask) {
    if (batch < 1 || seq < 1)
        return yoso_error(YOSO_ERR_INPUT, "empty input: batch %d × %d tokens", batch, seq);
    if (seq > m->cfg.max_position_embeddings)
        return yoso_error(YOSO_ERR_INPUT,
                          "the input has %d tokens but the model takes at most %d: shorten it", seq,
                          m->cfg.max_position_embeddings);
    for (long i = 0; i < (long)batch * seq; i++) {
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size)
            return yoso_error(
                YOSO_ERR_INPUT,
                "token id %d at row %ld, position %ld is outside the vocabulary (0..%d)", ids[i],
                i / seq, i % seq, m->cfg.vocab_size - 1);
        if (mask && mask[i] != 0 && mask[i] != 1)
            return yoso_error(YOSO_ERR_INPUT,
                              "attention mask value %d at row %ld, position %ld is not 0 or 1",
                              mask[i], i / seq, i % seq);
    }
    return YOSO_OK;
}

/* Copies ids and the mask (all ones when NULL) to the device. */
static yoso_status encode_upload_inputs(yoso_model *m, size_t rows, const int32_t *ids,
                                        const int32_t *mask) {
    yoso_status status = YOSO_OK;
    int32_t *ones = NULL;
    CL_CHECK(clEnqueueWriteBuffer(m->ctx->queue, m->act.ids, CL_TRUE, 0, rows * sizeof(int32_t),
                                  ids, 0, NULL, NULL));
    if (!mask) {
        ones = malloc(rows * sizeof(int32_t));
        if (!ones) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory");
        for (size_t i = 0; i < rows; i++) ones[i] = 1;
        mask = ones;
    }
    CL_CHECK(clEnqueueWriteBuffer(m->ctx->queue, m->act.mask, CL_TRUE, 0, rows * sizeof(int32_t),
                                  mask, 0, NULL, NULL));
fail:
    free(ones);
    return status;
}

/* One encoder layer (HF YosoLayer): a = LN(Attn(h)·Woᵀ + bo + h), then h = LN(FFN(a) + a);
 * with nkeep > 0, only the rows at the flat positions keep [nkeep] (a->ids holds them on the
 * device) from the attention's queries on, which h [nkeep, H] then holds in that order. */
static yoso_status encode_layer(yoso_model *m, int li, int batch, int seq, const int32_t *keep,
                                int nkeep) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = m->ctx;
    yoso_activations *a = &m->act;
    const yoso_layer_params *p = &m->layers[li];
    const size_t all = (size_t)batch * seq, H = (size_t)m->cfg.hidden_size;
    const size_t I = (size_t)m->cfg.intermediate_size;
    const int heads = m->cfg.num_attention_heads, d = (int)H / heads;
    const float eps = m->cfg.layer_norm_eps;
    yoso_profile *prof = &m->prof;
    /* big [all, 3H] = h [all, H] · [Wq; Wk; Wv]ᵀ */
    YOSO_TRY(linear(m, a->h, p->qkv_w, a->big, all, 3 * H, H));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_QKV);
    /* q, k, v [B, nh, L, d] = big + [bq; bk; bv], split into heads (q, k unit rows for
     * expectation) */
    YOSO_TRY(yoso_launch_attention_prepare(ctx, a->big, p->qkv_b, a->q, a->k, a->v, batch, seq,
                                           heads, d, m->use_expectation));
    /* ctx [B, L, H] = YOSO attention of q, k, v under mask [B, L], heads merged */
    YOSO_TRY(yoso_attention_forward(m->attention, li, a->q, a->k, a->v, a->mask, a->ctx, batch, seq,
                                    nkeep > 0 ? keep : NULL, nkeep));
    /* ctx [B, L, H] += conv_W(v) along the sequence, per head (conv_window only) */
    if (p->conv_w)
        YOSO_TRY(yoso_launch_attention_conv_add(ctx, a->v, a->mask, p->conv_w, a->ctx, batch, seq,
                                                heads, d, m->cfg.conv_window));
    cl_mem attn = a->ctx, resid = a->h; /* the rows the rest of the layer runs on */
    size_t rows = all;
    if (nkeep > 0) {
        /* q [nkeep, H] = ctx[ids], k [nkeep, H] = h[ids] (q and k are free after attention) */
        YOSO_TRY(yoso_launch_gather_rows(ctx, a->ctx, a->ids, a->q, nkeep, (int)H));
        YOSO_TRY(yoso_launch_gather_rows(ctx, a->h, a->ids, a->k, nkeep, (int)H));
        attn = a->q, resid = a->k, rows = (size_t)nkeep;
    }
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_ATTENTION);
    /* tmp [rows, H] = attn · Woᵀ; a [rows, H] = LN(tmp + bo + resid) */
    YOSO_TRY(linear(m, attn, p->attn_out_w, a->tmp, rows, H, H));
    YOSO_TRY(yoso_launch_layernorm(ctx, a->tmp, p->attn_out_b, resid, p->attn_ln_w, p->attn_ln_b,
                                   a->a, (int)rows, (int)H, eps));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_ATTN_OUT);
    /* big [rows, I] = gelu(a · Wiᵀ + bi) */
    YOSO_TRY(linear(m, a->a, p->ffn_in_w, a->big, rows, I, H));
    YOSO_TRY(yoso_launch_bias_gelu(ctx, a->big, p->ffn_in_b, (int)rows, (int)I));
    /* tmp [rows, H] = big · Wo2ᵀ; h [rows, H] = LN(tmp + bo2 + a) */
    YOSO_TRY(linear(m, a->big, p->ffn_out_w, a->tmp, rows, H, I));
    YOSO_TRY(yoso_launch_layernorm(ctx, a->tmp, p->ffn_out_b, a->a, p->ffn_ln_w, p->ffn_ln_b, a->h,
                                   (int)rows, (int)H, eps));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_FFN);
fail:
    return status;
}

yoso_status yoso_model_encode(yoso_model *m, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, const int32_t *keep, int nkeep) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(yoso_prepared(m->ctx)); /* kernels and the loop budget, if prepared aside */
    YOSO_TRY(encode_validate(m, batch, seq, ids, mask));
    const size_t rows = (size_t)batch * seq;
    const int H = m->cfg.hidden_size;
    YOSO_TRY(yoso_model_reserve(m, rows));
    m->prof.enabled = m->opt.verbose;
    yoso_profile_reset(&m->prof, m->ctx->queue);
    /* ids, mask [B, L] to the device */
    YOSO_TRY(encode_upload_inputs(m, rows, ids, mask));
    if (m->opt.verbose && m->forwards++ == 0)
        fprintf(stderr, "yoso: first kernel launch %.2f s after the process started\n",
                yoso_process_age());
    yoso_activations *a = &m->act;
    /* tmp [rows, H] = word_emb[ids] + type_emb[0] + pos_emb[t + 2]; h [rows, H] = LN(tmp) */
    YOSO_TRY(yoso_launch_embed_sum(m->ctx, a->ids, m->word_emb, m->pos_emb, m->type_emb, a->tmp,
                                   (int)rows, seq, H, m->opt.fp16_weights));
    YOSO_TRY(yoso_launch_layernorm(m->ctx, a->tmp, NULL, NULL, m->emb_ln_w, m->emb_ln_b, a->h,
                                   (int)rows, H, m->cfg.layer_norm_eps));
    yoso_profile_mark(&m->prof, m->ctx->queue, YOSO_PHASE_EMBED);
    /* ids [nkeep] = keep (the ids were read by the embedding, in queue order) */
    const int last = m->cfg.num_hidden_layers - 1;
    if (!keep || nkeep >= (int)rows) nkeep = 0; /* every row is kept anyway */
    if (nkeep > 0)
        CL_CHECK(clEnqueueWriteBuffer(m->ctx->queue, a->ids, CL_TRUE, 0,
                                      (size_t)nkeep * sizeof(int32_t), keep, 0, NULL, NULL));
    /* h [rows, H] = layer_i(h) for each encoder layer; the last one on the kept rows only */
    for (int li = 0; li <= last; li++)
        YOSO_TRY(encode_layer(m, li, batch, seq, keep, li == last ? nkeep : 0));
fail:
    return status;
}

yoso_status yoso_model_head_chunk(yoso_model *m, const int32_t *positions, int n, float *out) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = m->ctx;
    yoso_head_buffers *hb = &m->head;
    const size_t H = (size_t)m->cfg.hidden_size, V = (size_t)m->cfg.vocab_size;
    const float eps = m->cfg.layer_norm_eps;
    /* x [n, H] = h[positions] */
    CL_CHECK(clEnqueueWriteBuffer(ctx->queue, hb->rows, CL_FALSE, 0, (size_t)n * sizeof(int32_t),
                                  positions, 0, NULL, NULL));
    YOSO_TRY(yoso_launch_gather_rows(ctx, m->act.h, hb->rows, hb->x, n, (int)H));
    /* t [n, H] = gelu(x · Wtᵀ + bt); x [n, H] = LN(t) (cls.predictions.transform) */
    YOSO_TRY(linear(m, hb->x, m->head_dense_w, hb->t, (size_t)n, H, H));
    YOSO_TRY(yoso_launch_bias_gelu(ctx, hb->t, m->head_dense_b, n, (int)H));
    YOSO_TRY(yoso_launch_layernorm(ctx, hb->t, NULL, NULL, m->head_ln_w, m->head_ln_b, hb->x, n,
                                   (int)H, eps));
    /* logits [n, V] = x · word_embᵀ + bias (the decoder tied to the word embeddings) */
    YOSO_TRY(linear_plain(m, hb->x, m->word_emb, hb->logits, (size_t)n, V, H));
    YOSO_TRY(yoso_launch_bias_add(ctx, hb->logits, m->head_bias, n, (int)V));
    CL_CHECK(clEnqueueReadBuffer(ctx->queue, hb->logits, CL_TRUE, 0, (size_t)n * V * sizeof(float),
                                 out, 0, NULL, NULL));
fail:
    return status;
}

yoso_status yoso_model_task_head(yoso_model *m, int batch, int seq, float *out) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = m->ctx;
    yoso_activations *a = &m->act;
    const size_t rows = (size_t)batch * seq, H = (size_t)m->cfg.hidden_size;
    const int per_token = m->arch == YOSO_ARCHITECTURE_TOKEN_CLASSIFICATION ||
                          m->arch == YOSO_ARCHITECTURE_QUESTION_ANSWERING;
    const size_t n = per_token ? rows : (size_t)batch;
    const size_t labels = yoso_model_head_outputs(m);
    cl_mem x = a->h;
    int32_t *first = NULL;
    if (!per_token) {
        /* ids [B] = b·L, each row's <s> (the ids are not needed after the encode) */
        first = malloc((size_t)batch * sizeof(int32_t));
        if (!first) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory");
        for (int b = 0; b < batch; b++) first[b] = b * seq;
        CL_CHECK(clEnqueueWriteBuffer(ctx->queue, a->ids, CL_TRUE, 0,
                                      (size_t)batch * sizeof(int32_t), first, 0, NULL, NULL));
        /* a [B, H] = h[b·L] */
        YOSO_TRY(yoso_launch_gather_rows(ctx, a->h, a->ids, a->a, batch, (int)H));
        /* tmp [B, H] = act(a · Wdᵀ + bd): gelu (YosoClassificationHead) or ReLU (pre_classifier) */
        YOSO_TRY(linear(m, a->a, m->cls_dense_w, a->tmp, (size_t)batch, H, H));
        if (m->arch == YOSO_ARCHITECTURE_MULTIPLE_CHOICE)
            YOSO_TRY(yoso_launch_bias_relu(ctx, a->tmp, m->cls_dense_b, batch, (int)H));
        else
            YOSO_TRY(yoso_launch_bias_gelu(ctx, a->tmp, m->cls_dense_b, batch, (int)H));
        x = a->tmp;
    }
    /* big [n, labels] = x · Woᵀ + bo (out_proj, classifier or qa_outputs) */
    YOSO_TRY(linear(m, x, m->cls_out_w, a->big, n, labels, H));
    YOSO_TRY(yoso_launch_bias_add(ctx, a->big, m->cls_out_b, (int)n, (int)labels));
    CL_CHECK(clEnqueueReadBuffer(ctx->queue, a->big, CL_TRUE, 0, n * labels * sizeof(float), out, 0,
                                 NULL, NULL));
fail:
    free(first);
    return status;
}

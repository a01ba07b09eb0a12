/* model_forward.c — the encoder: embeddings, then each layer's attention and feed-forward. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "attention_kernels.h"
#include "ops.h"
#include "model.h"

/* A float32 weight matrix on the device: a buffer and the offset (floats) where it starts. */
typedef struct weight_ref {
    cl_mem buf;
    size_t offset;
} weight_ref;

/* y [rows, n] = x [rows, k] · Wᵀ with W [n, k] (an nn.Linear weight), no bias. */
static yoso_status linear(yoso_model *m, cl_mem x, weight_ref w, cl_mem y, size_t rows, size_t n,
                          size_t k) {
    yoso_gemm_args g = {.trans_b = 1,
                        .m = rows,
                        .n = n,
                        .k = k,
                        .alpha = 1.0f,
                        .beta = 0.0f,
                        .a = x,
                        .lda = k,
                        .b = w.buf,
                        .b_offset = w.offset,
                        .ldb = k,
                        .c = y,
                        .ldc = n};
    return yoso_gemm_run(m->ctx->gemm, &g);
}

/* Matrix i (0 Wqkv, 1 Wo, 2 Wi, 3 Wo2) of a layer as float32: the buffer itself, or (fp16
 * weights) its expansion into model->wscratch, reused by the next matrix after its GEMM. */
static yoso_status layer_matrix(yoso_model *m, const yoso_layer_params *p, int i, weight_ref *out) {
    const size_t H = (size_t)m->cfg.hidden_size, I = (size_t)m->cfg.intermediate_size;
    const cl_mem bufs[4] = {p->qkv_w, p->attn_out_w, p->ffn_in_w, p->ffn_out_w};
    const size_t sizes[4] = {3 * H * H, H * H, I * H, H * I};
    *out = (weight_ref){bufs[i], 0};
    if (!m->opt.fp16_weights) return YOSO_OK;
    *out = (weight_ref){m->wscratch, 0};
    return yoso_launch_half_to_float(m->ctx, bufs[i], 0, m->wscratch, 0, sizes[i]);
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

/* One encoder layer: h ← LN(FFN(a) + a) with a = LN(Attn(h)·Woᵀ + bo + h). */
static yoso_status encode_layer(yoso_model *m, int li, int batch, int seq) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = m->ctx;
    yoso_activations *a = &m->act;
    const yoso_layer_params *p = &m->layers[li];
    const size_t rows = (size_t)batch * seq, H = (size_t)m->cfg.hidden_size;
    const size_t I = (size_t)m->cfg.intermediate_size;
    const int heads = m->cfg.num_attention_heads, d = (int)H / heads;
    const float eps = m->cfg.layer_norm_eps;
    yoso_profile *prof = &m->prof;
    weight_ref w;
    YOSO_TRY(layer_matrix(m, p, 0, &w));
    YOSO_TRY(linear(m, a->h, w, a->big, rows, 3 * H, H));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_QKV);
    YOSO_TRY(yoso_launch_attention_prepare(ctx, a->big, p->qkv_b, a->q, a->k, a->v, batch, seq,
                                           heads, d, m->use_expectation));
    YOSO_TRY(
        yoso_attention_forward(m->attention, li, a->q, a->k, a->v, a->mask, a->ctx, batch, seq));
    if (p->conv_w)
        YOSO_TRY(yoso_launch_attention_conv_add(ctx, a->v, a->mask, p->conv_w, a->ctx, batch, seq,
                                                heads, d, m->cfg.conv_window));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_ATTENTION);
    YOSO_TRY(layer_matrix(m, p, 1, &w));
    YOSO_TRY(linear(m, a->ctx, w, a->tmp, rows, H, H));
    YOSO_TRY(yoso_launch_layernorm(ctx, a->tmp, p->attn_out_b, a->h, p->attn_ln_w, p->attn_ln_b,
                                   a->a, (int)rows, (int)H, eps));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_ATTN_OUT);
    YOSO_TRY(layer_matrix(m, p, 2, &w));
    YOSO_TRY(linear(m, a->a, w, a->big, rows, I, H));
    YOSO_TRY(yoso_launch_bias_gelu(ctx, a->big, p->ffn_in_b, (int)rows, (int)I));
    YOSO_TRY(layer_matrix(m, p, 3, &w));
    YOSO_TRY(linear(m, a->big, w, a->tmp, rows, H, I));
    YOSO_TRY(yoso_launch_layernorm(ctx, a->tmp, p->ffn_out_b, a->a, p->ffn_ln_w, p->ffn_ln_b, a->h,
                                   (int)rows, (int)H, eps));
    yoso_profile_mark(prof, ctx->queue, YOSO_PHASE_FFN);
fail:
    return status;
}

yoso_status yoso_model_encode(yoso_model *m, int batch, int seq, const int32_t *ids,
                              const int32_t *mask) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(encode_validate(m, batch, seq, ids, mask));
    const size_t rows = (size_t)batch * seq;
    const int H = m->cfg.hidden_size;
    YOSO_TRY(yoso_model_reserve(m, rows));
    m->prof.enabled = m->opt.verbose;
    yoso_profile_reset(&m->prof, m->ctx->queue);
    YOSO_TRY(encode_upload_inputs(m, rows, ids, mask));
    if (m->opt.verbose && m->forwards++ == 0)
        fprintf(stderr, "yoso: first kernel launch %.2f s after the process started\n",
                yoso_process_age());
    yoso_activations *a = &m->act;
    YOSO_TRY(yoso_launch_embed_sum(m->ctx, a->ids, m->word_emb, m->pos_emb, m->type_emb, a->tmp,
                                   (int)rows, seq, H, m->opt.fp16_weights));
    YOSO_TRY(yoso_launch_layernorm(m->ctx, a->tmp, NULL, NULL, m->emb_ln_w, m->emb_ln_b, a->h,
                                   (int)rows, H, m->cfg.layer_norm_eps));
    yoso_profile_mark(&m->prof, m->ctx->queue, YOSO_PHASE_EMBED);
    for (int li = 0; li < m->cfg.num_hidden_layers; li++) YOSO_TRY(encode_layer(m, li, batch, seq));
fail:
    return status;
}

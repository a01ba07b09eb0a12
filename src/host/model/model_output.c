/* model_output.c — the public forward calls: hidden states, all logits, logits at positions. */
#include <stdio.h>
#include <stdlib.h>

#include "gemm.h"
#include "attention_kernels.h"
#include "ops.h"
#include "model.h"

/* Runs the MLM head on `n` ≤ YOSO_HEAD_CHUNK flat positions and reads [n, V] logits into out. */
static yoso_status head_chunk(yoso_model *m, const int32_t *positions, int n, float *out) {
    yoso_status status = YOSO_OK;
    yoso_context *ctx = m->ctx;
    yoso_head_buffers *hb = &m->head;
    const size_t H = (size_t)m->cfg.hidden_size, V = (size_t)m->cfg.vocab_size;
    CL_CHECK(clEnqueueWriteBuffer(ctx->queue, hb->rows, CL_FALSE, 0, (size_t)n * sizeof(int32_t),
                                  positions, 0, NULL, NULL));
    YOSO_TRY(yoso_launch_gather_rows(ctx, m->act.h, hb->rows, hb->x, n, (int)H));
    cl_mem head_w = m->head_dense_w, word = m->word_emb;
    if (m->opt.fp16_weights) {
        YOSO_TRY(yoso_launch_half_to_float(ctx, m->head_dense_w, 0, m->wscratch, 0, H * H));
        head_w = m->wscratch;
    }
    yoso_gemm_args dense = {.trans_b = 1,
                            .m = (size_t)n,
                            .n = H,
                            .k = H,
                            .alpha = 1.0f,
                            .a = hb->x,
                            .lda = H,
                            .b = head_w,
                            .ldb = H,
                            .c = hb->t,
                            .ldc = H};
    YOSO_TRY(yoso_gemm_run(ctx->gemm, &dense));
    YOSO_TRY(yoso_launch_bias_gelu(ctx, hb->t, m->head_dense_b, n, (int)H));
    YOSO_TRY(yoso_launch_layernorm(ctx, hb->t, NULL, NULL, m->head_ln_w, m->head_ln_b, hb->x, n,
                                   (int)H, m->cfg.layer_norm_eps));
    /* logits = x · word_embᵀ, over vocabulary slices that fit the scratch with fp16 weights */
    const size_t slice = m->opt.fp16_weights ? m->wscratch_floats / H : V;
    for (size_t v0 = 0; v0 < V; v0 += slice) {
        const size_t nv = V - v0 < slice ? V - v0 : slice;
        size_t b_offset = v0 * H;
        if (m->opt.fp16_weights) {
            YOSO_TRY(yoso_launch_half_to_float(ctx, m->word_emb, v0 * H, m->wscratch, 0, nv * H));
            word = m->wscratch;
            b_offset = 0;
        }
        yoso_gemm_args decode = {.trans_b = 1,
                                 .m = (size_t)n,
                                 .n = nv,
                                 .k = H,
                                 .alpha = 1.0f,
                                 .a = hb->x,
                                 .lda = H,
                                 .b = word,
                                 .b_offset = b_offset,
                                 .ldb = H,
                                 .c = hb->logits,
                                 .c_offset = v0,
                                 .ldc = V};
        YOSO_TRY(yoso_gemm_run(ctx->gemm, &decode));
    }
    YOSO_TRY(yoso_launch_bias_add(ctx, hb->logits, m->head_bias, n, (int)V));
    CL_CHECK(clEnqueueReadBuffer(ctx->queue, hb->logits, CL_TRUE, 0, (size_t)n * V * sizeof(float),
                                 out, 0, NULL, NULL));
fail:
    return status;
}

/* Prints the phase times and achieved rates of the last forward (verbose only). */
static void output_report(const yoso_model *m, int batch, int seq) {
    if (!m->prof.enabled) return;
    const double H = m->cfg.hidden_size, I = m->cfg.intermediate_size;
    const double rows = (double)batch * seq, layers = m->cfg.num_hidden_layers;
    const double dense = 2.0 * rows * (4.0 * H * H + 2.0 * H * I) * layers;
    const double attention =
        m->use_expectation ? 4.0 * batch * (double)seq * seq * H * layers : 0.0;
    yoso_profile_print(&m->prof, batch, seq, dense, attention);
    fprintf(stderr, "yoso: device memory: weights %.1f MiB, activations %.1f MiB\n",
            m->weight_bytes / 1048576.0,
            (m->act.bytes + yoso_attention_bytes(m->attention)) / 1048576.0);
}

/* Runs the MLM head over a list of positions, chunk by chunk. */
static yoso_status head_positions(yoso_model *m, const int32_t *positions, int npos, float *out) {
    yoso_status status = YOSO_OK;
    const size_t V = (size_t)m->cfg.vocab_size;
    YOSO_TRY(yoso_model_reserve_head(m, npos < YOSO_HEAD_CHUNK ? npos : YOSO_HEAD_CHUNK));
    for (int i = 0; i < npos; i += YOSO_HEAD_CHUNK) {
        int n = npos - i < YOSO_HEAD_CHUNK ? npos - i : YOSO_HEAD_CHUNK;
        YOSO_TRY(head_chunk(m, positions + i, n, out + (size_t)i * V));
    }
fail:
    return status;
}

/* Fails unless the checkpoint has an MLM head. */
static yoso_status require_head(const yoso_model *m) {
    if (m->has_lm_head) return YOSO_OK;
    return yoso_error(
        YOSO_ERR_UNSUPPORTED,
        "this checkpoint is a base YosoModel without the masked-LM head: only hidden states (--hidden) can be computed");
}

yoso_status yoso_model_hidden(yoso_model *m, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, float *out) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(yoso_model_encode(m, batch, seq, ids, mask));
    size_t bytes = (size_t)batch * seq * m->cfg.hidden_size * sizeof(float);
    CL_CHECK(clEnqueueReadBuffer(m->ctx->queue, m->act.h, CL_TRUE, 0, bytes, out, 0, NULL, NULL));
    yoso_profile_mark(&m->prof, m->ctx->queue, YOSO_PHASE_HEAD);
    output_report(m, batch, seq);
fail:
    return status;
}

yoso_status yoso_model_logits_at(yoso_model *m, int batch, int seq, const int32_t *ids,
                                 const int32_t *mask, const int32_t *positions, int npos,
                                 float *out) {
    yoso_status status = YOSO_OK;
    YOSO_TRY(require_head(m));
    for (int i = 0; i < npos; i++)
        if (positions[i] < 0 || positions[i] >= batch * seq)
            return yoso_error(YOSO_ERR_USAGE, "position %d is outside the batch (0..%d)",
                              positions[i], batch * seq - 1);
    YOSO_TRY(yoso_model_encode(m, batch, seq, ids, mask));
    YOSO_TRY(head_positions(m, positions, npos, out));
    yoso_profile_mark(&m->prof, m->ctx->queue, YOSO_PHASE_HEAD);
    output_report(m, batch, seq);
fail:
    return status;
}

yoso_status yoso_model_logits(yoso_model *m, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, float *out) {
    yoso_status status = YOSO_OK;
    int npos = batch * seq;
    int32_t *positions = malloc((size_t)npos * sizeof(int32_t));
    if (!positions) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory");
    for (int i = 0; i < npos; i++) positions[i] = i;
    status = yoso_model_logits_at(m, batch, seq, ids, mask, positions, npos, out);
    free(positions);
    return status;
}

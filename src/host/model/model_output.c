/* model_output.c — the public forward calls: hidden states, all logits, logits at positions
 * (the pass itself is model_forward.c). */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

/* Prints the phase times and achieved rates of the last forward (verbose only), whose last layer
 * ran its output projection and FFN on `kept` rows. */
static void output_report(const yoso_model *m, int batch, int seq, int kept) {
    if (!m->prof.enabled) return;
    const double H = m->cfg.hidden_size, I = m->cfg.intermediate_size;
    const double rows = (double)batch * seq, layers = m->cfg.num_hidden_layers;
    const double dense = 2.0 * rows * (4.0 * H * H + 2.0 * H * I) * layers -
                         2.0 * (rows - kept) * (H * H + 2.0 * H * I);
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
        YOSO_TRY(yoso_model_head_chunk(m, positions + i, n, out + (size_t)i * V));
    }
fail:
    return status;
}

/* Fails unless the checkpoint has an MLM head. */
static yoso_status require_head(const yoso_model *m) {
    if (m->has_lm_head) return YOSO_OK;
    return yoso_error(
        YOSO_ERR_UNSUPPORTED,
        "this checkpoint is a %s without the masked-LM head: only hidden states (--hidden) or its own head's logits can be computed",
        yoso_architecture_name(m->arch));
}

/* What a forward pass returns: the last hidden states, MLM logits at positions, the task head's. */
typedef enum { OUTPUT_HIDDEN, OUTPUT_MLM, OUTPUT_TASK } output_kind;

/* Encodes the batch, writes the output of this kind into out, then times and reports the run. */
static yoso_status output_run(yoso_model *m, output_kind kind, int batch, int seq,
                              const int32_t *ids, const int32_t *mask, const int32_t *positions,
                              int npos, float *out) {
    yoso_status status = YOSO_OK;
    int32_t *kept = NULL; /* 0..npos-1: where the encode left the rows at positions */
    const int prune = kind == OUTPUT_MLM && npos < batch * seq;
    if (prune) {
        if (!(kept = malloc((size_t)npos * sizeof(int32_t))))
            return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory");
        for (int i = 0; i < npos; i++) kept[i] = i;
    }
    YOSO_TRY(yoso_model_encode(m, batch, seq, ids, mask, prune ? positions : NULL, npos));
    if (kind == OUTPUT_HIDDEN) {
        const size_t bytes = (size_t)batch * seq * m->cfg.hidden_size * sizeof(float);
        CL_CHECK(
            clEnqueueReadBuffer(m->ctx->queue, m->act.h, CL_TRUE, 0, bytes, out, 0, NULL, NULL));
    } else if (kind == OUTPUT_MLM) {
        YOSO_TRY(head_positions(m, prune ? kept : positions, npos, out));
    } else {
        YOSO_TRY(yoso_model_task_head(m, batch, seq, out));
    }
    yoso_profile_mark(&m->prof, m->ctx->queue, YOSO_PHASE_HEAD);
    output_report(m, batch, seq, prune ? npos : batch * seq);
fail:
    free(kept);
    return status;
}

yoso_status yoso_model_hidden(yoso_model *m, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, float *out) {
    return output_run(m, OUTPUT_HIDDEN, batch, seq, ids, mask, NULL, 0, out);
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
    return output_run(m, OUTPUT_MLM, batch, seq, ids, mask, positions, npos, out);
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

yoso_status yoso_model_head_logits(yoso_model *m, int batch, int seq, const int32_t *ids,
                                   const int32_t *mask, float *out) {
    if (m->arch == YOSO_ARCHITECTURE_BASE || m->arch == YOSO_ARCHITECTURE_MASKED_LM)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "this checkpoint is a %s, without a classification, token, QA or multiple-choice head: load a YosoFor…Classification / QuestionAnswering / MultipleChoice folder",
            yoso_architecture_name(m->arch));
    return output_run(m, OUTPUT_TASK, batch, seq, ids, mask, NULL, 0, out);
}

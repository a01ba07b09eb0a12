/* feature_extraction.c — Hugging Face's feature-extraction pipeline (the encoder's last hidden
 * states) and sentence-transformers' pooling (CLS or mean, L2 normalization) on top of it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_batch.h"

static const char *const pooling_names[YOSO_POOLING_COUNT] = {"none", "cls", "mean"};

const char *yoso_pooling_name(yoso_pooling pooling) {
    return pooling >= 0 && pooling < YOSO_POOLING_COUNT ? pooling_names[pooling] : NULL;
}

yoso_status yoso_pooling_find(const char *name, yoso_pooling *pooling) {
    for (int p = 0; name && p < YOSO_POOLING_COUNT; p++)
        if (strcmp(name, pooling_names[p]) == 0) {
            *pooling = (yoso_pooling)p;
            return YOSO_OK;
        }
    return yoso_error(YOSO_ERR_USAGE, "unknown pooling '%s': use none, cls or mean",
                      name ? name : "(null)");
}

/* Divides v[dim] by max(its L2 norm, 1e-12) (torch.nn.functional.normalize). */
static void feature_normalize(float *v, int dim) {
    double sq = 0;
    for (int c = 0; c < dim; c++) sq += (double)v[c] * v[c];
    double norm = fmax(sqrt(sq), 1e-12);
    for (int c = 0; c < dim; c++) v[c] = (float)(v[c] / norm);
}

yoso_status yoso_feature_pool(const float *hidden, int tokens, int dim, yoso_pooling pooling,
                              int normalize, float *out) {
    if (pooling < 0 || pooling >= YOSO_POOLING_COUNT)
        return yoso_error(YOSO_ERR_USAGE, "pooling %d is out of range: use none, cls or mean",
                          (int)pooling);
    if (tokens < 1 || dim < 1)
        return yoso_error(YOSO_ERR_USAGE, "nothing to pool: %d tokens of %d values", tokens, dim);
    if (pooling == YOSO_POOLING_NONE) {
        memcpy(out, hidden, (size_t)tokens * dim * sizeof(float));
        for (int t = 0; normalize && t < tokens; t++) feature_normalize(out + (size_t)t * dim, dim);
        return YOSO_OK;
    }
    const int rows = pooling == YOSO_POOLING_CLS ? 1 : tokens; /* states pooled */
    for (int c = 0; c < dim; c++) {
        double s = 0;
        for (int t = 0; t < rows; t++) s += hidden[(size_t)t * dim + c];
        out[c] = (float)(s / rows);
    }
    if (normalize) feature_normalize(out, dim);
    return YOSO_OK;
}

/* Tokenizes (or copies) one request and checks it; the message names no index. */
static yoso_status feature_prepare(const yoso_tokenizer *tok, const yoso_model_info *info,
                                   const yoso_feature_request *r, int32_t **ids, size_t *len) {
    if (r->pooling < 0 || r->pooling >= YOSO_POOLING_COUNT)
        return yoso_error(YOSO_ERR_USAGE, "pooling %d is out of range: use none, cls or mean",
                          (int)r->pooling);
    const size_t limit = (size_t)info->max_tokens, tok_limit = yoso_tokenizer_model_max_length(tok);
    const size_t cut = tok_limit && tok_limit < limit ? tok_limit : limit; /* HF's truncation */
    yoso_status st = YOSO_OK;
    if (!r->ids) {
        if (!r->text) return yoso_error(YOSO_ERR_USAGE, "the request has no text");
        st = task_encode_cut(tok, info->max_tokens, r->truncation ? cut : 0, r->text, r->text_pair,
                             ids, len);
        if (st != YOSO_OK) return st;
    } else {
        if (r->num_ids < 1) return yoso_error(YOSO_ERR_USAGE, "the request has no ids");
        if (!r->truncation && r->num_ids > limit)
            return yoso_error(
                YOSO_ERR_INPUT,
                "the input is %zu ids long, more than the limit of %zu of this model: shorten it",
                r->num_ids, limit);
        *len = r->truncation && r->num_ids > cut ? cut : r->num_ids;
        if (!(*ids = malloc(*len * sizeof(int32_t)))) return yoso_error_oom();
        memcpy(*ids, r->ids, *len * sizeof(int32_t));
    }
    /* a tokenizer larger than the model's vocabulary is only wrong where its ids show it */
    for (size_t t = 0; t < *len; t++)
        if ((*ids)[t] < 0 || (*ids)[t] >= info->vocab_size)
            return yoso_error(YOSO_ERR_INPUT, "id %d at %zu is outside the vocabulary 0..%d",
                              (int)(*ids)[t], t, info->vocab_size - 1);
    return YOSO_OK;
}

void yoso_feature_result_release(yoso_feature_result *r) {
    if (!r) return;
    free(r->values);
    memset(r, 0, sizeof *r);
}

/* Runs the prepared inputs as padded batches of like length and pools each row into its
 * result. */
static yoso_status feature_run(yoso_model *model, const yoso_tokenizer *tok, int dim,
                               const yoso_feature_request *requests, const task_rows *in,
                               yoso_feature_result *results) {
    const int count = in->count;
    int seq = 0; /* the longest input */
    for (int i = 0; i < count; i++) seq = (int)in->lens[i] > seq ? (int)in->lens[i] : seq;
    float *hidden = malloc((size_t)count * seq * dim * sizeof *hidden); /* [count, seq, dim] */
    if (!hidden) return yoso_error_oom();
    yoso_status st = task_rows_forward(model, tok, yoso_model_hidden, in, seq, (size_t)dim, hidden);
    for (int i = 0; i < count && st == YOSO_OK; i++) {
        yoso_feature_result *res = &results[i];
        res->tokens = (int)in->lens[i];
        res->rows = requests[i].pooling == YOSO_POOLING_NONE ? res->tokens : 1;
        res->dim = dim;
        res->pooling = requests[i].pooling;
        if (!(res->values = malloc((size_t)res->rows * dim * sizeof(float)))) {
            st = yoso_error_oom();
            break;
        }
        st = yoso_feature_pool(hidden + (size_t)i * seq * dim, res->tokens, dim, res->pooling,
                               requests[i].normalize, res->values);
    }
    free(hidden);
    return st;
}

yoso_status yoso_feature_extraction(yoso_model *model, const yoso_tokenizer *tok,
                                    const yoso_feature_request *requests, int count,
                                    yoso_feature_result *results) {
    if (count < 1) return yoso_error(YOSO_ERR_USAGE, "no input to extract features from");
    memset(results, 0, (size_t)count * sizeof *results);
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    task_rows in = {0}; /* the ids of each input */
    yoso_status st = task_rows_alloc(&in, count);
    for (int i = 0; i < count && st == YOSO_OK; i++)
        if ((st = feature_prepare(tok, &info, &requests[i], &in.ids[i], &in.lens[i])) != YOSO_OK)
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
    if (st == YOSO_OK) st = feature_run(model, tok, info.hidden_size, requests, &in, results);
    if (st != YOSO_OK)
        for (int i = 0; i < count; i++) yoso_feature_result_release(&results[i]);
    task_rows_free(&in);
    return st;
}

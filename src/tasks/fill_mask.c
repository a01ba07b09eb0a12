/* fill_mask.c — Hugging Face's fill-mask pipeline: tokenize, padded forwards of inputs of like
 * length, top-k per mask. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_batch.h"
#include "yoso.h"

/* One tokenized request and where its masks are. */
typedef struct fill_input {
    int32_t *ids; /* [len] */
    size_t len;
    int *masks; /* [num_masks] positions of the mask token */
    int num_masks;
    int32_t *target_ids; /* [num_targets] unique ids, or NULL */
    int num_targets;
    int top_k; /* predictions per mask, capped by the number of targets */
} fill_input;

/* Maps target words to ids as HF does: the word itself if it is a vocabulary entry, else the first
 * piece of its encoding (with a warning); duplicates collapse. */
static yoso_status fill_resolve_targets(const yoso_tokenizer *tok, const yoso_fill_request *r,
                                        fill_input *in) {
    if (!r->targets || r->num_targets <= 0) return YOSO_OK;
    in->target_ids = malloc((size_t)r->num_targets * sizeof(int32_t));
    if (!in->target_ids) return yoso_error_oom();
    for (int i = 0; i < r->num_targets; i++) {
        const char *word = r->targets[i];
        int32_t id = yoso_tokenizer_token_to_id(tok, word);
        if (id < 0) {
            int32_t *pieces = NULL;
            size_t n = 0;
            yoso_status st = yoso_tokenizer_encode(tok, word, strlen(word), 0, 0, &pieces, &n);
            if (st != YOSO_OK) return yoso_error_prefix(st, "target '%s': ", word);
            if (n == 0) {
                free(pieces);
                yoso_warn(
                    "target '%s' does not exist in the vocabulary and encodes to nothing: ignoring it",
                    word);
                continue;
            }
            id = pieces[0];
            free(pieces);
            yoso_warn("target '%s' does not exist in the vocabulary: using its first piece '%s'",
                      word, yoso_tokenizer_id_to_token(tok, id));
        }
        int seen = 0;
        for (int j = 0; j < in->num_targets; j++) seen |= in->target_ids[j] == id;
        if (!seen) in->target_ids[in->num_targets++] = id;
    }
    if (in->num_targets == 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "none of the targets maps to a token: give at least one word of the vocabulary");
    return YOSO_OK;
}

/* Tokenizes one request, finds its masks and checks top_k; the message names no index. */
static yoso_status fill_prepare(const yoso_tokenizer *tok, const yoso_model_info *info,
                                const yoso_fill_request *r, fill_input *in) {
    if (!r->text) return yoso_error(YOSO_ERR_USAGE, "the request has no text");
    yoso_status st = yoso_tokenizer_encode(tok, r->text, strlen(r->text), YOSO_TOKENIZE_ADD_SPECIAL,
                                           0, &in->ids, &in->len);
    if (st != YOSO_OK) return st;
    if (in->len > (size_t)info->max_tokens)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the text is %zu tokens long, more than the limit of %d of this model: shorten it",
            in->len, info->max_tokens);
    const int32_t mask_id = yoso_tokenizer_mask_id(tok);
    in->masks = malloc(in->len * sizeof(int));
    if (!in->masks) return yoso_error_oom();
    for (size_t t = 0; t < in->len; t++)
        if (in->ids[t] == mask_id) in->masks[in->num_masks++] = (int)t;
    if (in->num_masks == 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the text has no mask: write <mask> or [MASK] where a word should be predicted");
    if ((st = fill_resolve_targets(tok, r, in)) != YOSO_OK) return st;
    /* HF caps top_k at the number of targets; without targets it must fit the vocabulary */
    if (r->top_k < 1 || (!in->target_ids && r->top_k > info->vocab_size))
        return yoso_error(YOSO_ERR_USAGE, "top_k %d is out of range: use 1..%d", r->top_k,
                          info->vocab_size);
    in->top_k = in->target_ids && in->num_targets < r->top_k ? in->num_targets : r->top_k;
    return YOSO_OK;
}

/* Softmax over the vocabulary (in double), then the top k of the candidate ids (all, or targets).
 * Ties keep the lower id first. */
static void fill_top_k(const float *logits, int vocab, const int32_t *cands, int ncands, int k,
                       double *scores, int32_t *ids) {
    double mx = -INFINITY, sum = 0;
    for (int v = 0; v < vocab; v++) mx = fmax(mx, logits[v]);
    for (int v = 0; v < vocab; v++) sum += exp((double)logits[v] - mx);
    for (int i = 0; i < k; i++) scores[i] = -1, ids[i] = -1;
    int n = cands ? ncands : vocab;
    for (int c = 0; c < n; c++) {
        int32_t id = cands ? cands[c] : c;
        double p = exp((double)logits[id] - mx) / sum;
        if (p < scores[k - 1] || (p == scores[k - 1] && id > ids[k - 1])) continue;
        int at = k - 1;
        while (at > 0 && (p > scores[at - 1] || (p == scores[at - 1] && id < ids[at - 1]))) {
            scores[at] = scores[at - 1];
            ids[at] = ids[at - 1];
            at--;
        }
        scores[at] = p;
        ids[at] = id;
    }
}

/* Decodes the input with mask m replaced by id, padding dropped; special tokens are skipped only
 * when the input has a single mask (HF keeps them so the other masks stay visible). */
static yoso_status fill_sequence(const yoso_tokenizer *tok, const fill_input *in, int m, int32_t id,
                                 char **out) {
    int32_t *tokens = malloc(in->len * sizeof(int32_t));
    if (!tokens) return yoso_error_oom();
    size_t n = 0;
    const int32_t pad = yoso_tokenizer_pad_id(tok);
    for (size_t t = 0; t < in->len; t++) {
        int32_t v = ((int)t == in->masks[m]) ? id : in->ids[t];
        if (v != pad) tokens[n++] = v;
    }
    yoso_status st = yoso_tokenizer_decode(tok, tokens, n, in->num_masks == 1, out);
    free(tokens);
    return st;
}

/* Fills one result from the logits at its masks ([num_masks, V]). */
static yoso_status fill_result(const yoso_tokenizer *tok, const fill_input *in, const float *logits,
                               int vocab, yoso_fill_result *res) {
    int k = in->top_k;
    res->num_masks = in->num_masks;
    res->top_k = k;
    res->predictions = calloc((size_t)in->num_masks * k, sizeof *res->predictions);
    double *scores = malloc((size_t)k * sizeof(double));
    int32_t *ids = malloc((size_t)k * sizeof(int32_t));
    yoso_status st = YOSO_OK;
    if (!res->predictions || !scores || !ids) {
        st = yoso_error_oom();
        goto done;
    }
    for (int m = 0; m < in->num_masks; m++) {
        fill_top_k(logits + (size_t)m * vocab, vocab, in->target_ids, in->num_targets, k, scores,
                   ids);
        for (int i = 0; i < k; i++) {
            yoso_prediction *p = &res->predictions[(size_t)m * k + i];
            p->score = scores[i];
            p->token = ids[i];
            st = yoso_tokenizer_decode(tok, &ids[i], 1, 0, &p->token_str);
            if (st == YOSO_OK) st = fill_sequence(tok, in, m, ids[i], &p->sequence);
            if (st != YOSO_OK) goto done;
        }
    }
done:
    free(scores);
    free(ids);
    return st;
}

void yoso_fill_result_release(yoso_fill_result *r) {
    if (!r) return;
    for (int i = 0; r->predictions && i < r->num_masks * r->top_k; i++) {
        free(r->predictions[i].token_str);
        free(r->predictions[i].sequence);
    }
    free(r->predictions);
    memset(r, 0, sizeof *r);
}

/* A batch being collected: the prepared inputs, run together by yoso_fill_batch_run. */
struct yoso_fill_batch {
    yoso_model *model;
    const yoso_tokenizer *tok;
    yoso_model_info info;
    fill_input *in; /* [cap], the first count prepared */
    int count, cap;
};

/* Frees one prepared input's buffers. */
static void fill_input_release(fill_input *in) {
    free(in->ids);
    free(in->masks);
    free(in->target_ids);
    memset(in, 0, sizeof *in);
}

yoso_status yoso_fill_batch_create(yoso_model *model, const yoso_tokenizer *tok,
                                   yoso_fill_batch **out) {
    *out = NULL;
    yoso_fill_batch *b = calloc(1, sizeof *b);
    if (!b) return yoso_error_oom();
    b->model = model;
    b->tok = tok;
    yoso_model_get_info(model, &b->info);
    yoso_status st = task_check_vocab(tok, &b->info);
    if (st != YOSO_OK) {
        free(b);
        return st;
    }
    *out = b;
    return YOSO_OK;
}

yoso_status yoso_fill_batch_add(yoso_fill_batch *b, const yoso_fill_request *request) {
    if (b->count == b->cap) {
        int cap = b->cap ? 2 * b->cap : 8;
        fill_input *grown = realloc(b->in, (size_t)cap * sizeof *grown);
        if (!grown) return yoso_error_oom();
        b->in = grown;
        b->cap = cap;
    }
    fill_input *in = &b->in[b->count];
    memset(in, 0, sizeof *in);
    yoso_status st = fill_prepare(b->tok, &b->info, request, in);
    if (st != YOSO_OK) {
        fill_input_release(in);
        return st;
    }
    b->count++;
    return YOSO_OK;
}

int yoso_fill_batch_count(const yoso_fill_batch *b) {
    return b ? b->count : 0;
}

/* What yoso_fill_batch_run's chunks share: the batch, the inputs' ids and the results. */
typedef struct fill_chunks {
    yoso_fill_batch *b;
    task_rows rows; /* [count] each input's ids, borrowed */
    yoso_fill_result *results;
} fill_chunks;

/* Runs the inputs in[order[0..n)] as one padded forward pass into their results. */
static yoso_status fill_chunk_run(void *ctx, const int *order, int n) {
    fill_chunks *c = ctx;
    const fill_input *in = c->b->in;
    const int vocab = c->b->info.vocab_size;
    int32_t *ids = NULL, *mask = NULL, *positions = NULL; /* [n, seq], [n, seq], [npos] */
    float *logits = NULL;                                 /* [npos, vocab] */
    int seq = 0, npos = 0;
    for (int i = 0; i < n; i++) npos += in[order[i]].num_masks;
    yoso_status st = task_pad_rows(c->rows.ids, c->rows.lens, order, n,
                                   yoso_tokenizer_pad_id(c->b->tok), &ids, &mask, &seq);
    if (st == YOSO_OK && (!(positions = malloc((size_t)npos * sizeof *positions)) ||
                          !(logits = malloc((size_t)npos * vocab * sizeof *logits))))
        st = yoso_error_oom();
    for (int i = 0, at = 0; st == YOSO_OK && i < n; i++) /* the masks' flat positions b*seq + t */
        for (int m = 0; m < in[order[i]].num_masks; m++)
            positions[at++] = (int32_t)i * seq + in[order[i]].masks[m];
    if (st == YOSO_OK)
        st = yoso_model_logits_at(c->b->model, n, seq, ids, mask, positions, npos, logits);
    size_t at = 0;
    for (int i = 0; i < n && st == YOSO_OK; i++) {
        const fill_input *one = &in[order[i]];
        st = fill_result(c->b->tok, one, logits + at * vocab, vocab, &c->results[order[i]]);
        at += (size_t)one->num_masks;
    }
    free(ids);
    free(mask);
    free(positions);
    free(logits);
    return st;
}

yoso_status yoso_fill_batch_run(yoso_fill_batch *b, yoso_fill_result *results) {
    const int count = b->count;
    if (count < 1) return yoso_error(YOSO_ERR_USAGE, "no input to fill");
    memset(results, 0, (size_t)count * sizeof *results);
    fill_chunks c = {b, {0}, results};
    c.rows.ids = malloc((size_t)count * sizeof *c.rows.ids);
    c.rows.lens = malloc((size_t)count * sizeof *c.rows.lens);
    c.rows.count = count;
    yoso_status st = c.rows.ids && c.rows.lens ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < count; i++) {
        c.rows.ids[i] = b->in[i].ids;
        c.rows.lens[i] = b->in[i].len;
    }
    if (st == YOSO_OK) st = task_chunks_run(c.rows.lens, count, fill_chunk_run, &c);
    if (st != YOSO_OK)
        for (int i = 0; i < count; i++) yoso_fill_result_release(&results[i]);
    for (int i = 0; i < count; i++) fill_input_release(&b->in[i]);
    b->count = 0;
    free(c.rows.ids);
    free(c.rows.lens);
    return st;
}

void yoso_fill_batch_free(yoso_fill_batch *b) {
    if (!b) return;
    for (int i = 0; i < b->count; i++) fill_input_release(&b->in[i]);
    free(b->in);
    free(b);
}

yoso_status yoso_fill_mask(yoso_model *model, const yoso_tokenizer *tok,
                           const yoso_fill_request *requests, int count,
                           yoso_fill_result *results) {
    if (count < 1) return yoso_error(YOSO_ERR_USAGE, "no input to fill");
    yoso_fill_batch *b = NULL;
    yoso_status st = yoso_fill_batch_create(model, tok, &b);
    for (int i = 0; i < count && st == YOSO_OK; i++)
        if ((st = yoso_fill_batch_add(b, &requests[i])) != YOSO_OK)
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
    if (st == YOSO_OK) st = yoso_fill_batch_run(b, results);
    yoso_fill_batch_free(b);
    return st;
}

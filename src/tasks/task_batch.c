/* task_batch.c — what the batched task pipelines share: the call check, pair encoding, padded
 * batches of like-length chunks and class scores. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_batch.h"

yoso_status task_check_model(const yoso_model *model, const yoso_tokenizer *tok, yoso_task task,
                             const void *requests, int count, void *results, size_t result_size,
                             yoso_model_info *info) {
    if (!model || !tok || !requests || !results)
        return yoso_error(YOSO_ERR_USAGE, "%s: give a model, a tokenizer, requests and results",
                          yoso_task_name(task));
    if (count < 1) return yoso_error(YOSO_ERR_USAGE, "no input to run: give at least one");
    memset(results, 0, (size_t)count * result_size);
    yoso_model_get_info(model, info);
    yoso_status st = yoso_task_check_model(model, task);
    return st != YOSO_OK ? st : task_check_vocab(tok, info);
}

yoso_status task_check_vocab(const yoso_tokenizer *tok, const yoso_model_info *info) {
    if (yoso_tokenizer_vocab_size(tok) > (size_t)info->vocab_size)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the tokenizer has %zu tokens but the model only %d: they do not belong together",
            yoso_tokenizer_vocab_size(tok), info->vocab_size);
    return YOSO_OK;
}

void task_softmax_f64(double *p, size_t n) {
    double max = -INFINITY, sum = 0;
    for (size_t i = 0; i < n; i++) max = p[i] > max ? p[i] : max;
    for (size_t i = 0; i < n; i++) sum += (p[i] = exp(p[i] - max));
    for (size_t i = 0; i < n; i++) p[i] /= sum;
}

void task_class_scores(const float *logits, int n, yoso_class_function fn, float *scores) {
    float max = logits[0], sum = 0;
    for (int i = 1; i < n; i++) max = logits[i] > max ? logits[i] : max;
    for (int i = 0; i < n; i++) {
        if (fn == YOSO_FUNCTION_SOFTMAX)
            sum += scores[i] = expf(logits[i] - max);
        else if (fn == YOSO_FUNCTION_SIGMOID)
            scores[i] = 1.0f / (1.0f + expf(-logits[i]));
        else
            scores[i] = logits[i];
    }
    for (int i = 0; fn == YOSO_FUNCTION_SOFTMAX && i < n; i++) scores[i] /= sum;
}

/* Content budgets (specials excluded) of a pair cut to `room` tokens, as the Rust tokenizers'
 * longest_first. */
static void task_pair_budget(size_t *na, size_t *nb, size_t room) {
    const int swap = *na > *nb;
    size_t lo = swap ? *nb : *na, hi = swap ? *na : *nb;
    if (lo + hi <= room) return;
    hi = lo > room || lo > room - lo ? lo : room - lo;
    if (lo + hi > room) {
        lo = room / 2;
        hi = lo + room % 2;
    }
    const size_t a = swap ? hi : lo, b = swap ? lo : hi;
    *na = a < *na ? a : *na;
    *nb = b < *nb ? b : *nb;
}

yoso_status task_encode_cut(const yoso_tokenizer *tok, int max_tokens, size_t cut, const char *text,
                            const char *pair, int32_t **ids, size_t *len) {
    int32_t *a = NULL, *b = NULL; /* [na] <s> text </s>, [nb] <s> pair </s> */
    size_t na = 0, nb = 0;
    *ids = NULL;
    *len = 0;
    yoso_status st =
        yoso_tokenizer_encode(tok, text, strlen(text), YOSO_TOKENIZE_ADD_SPECIAL, 0, &a, &na);
    if (st == YOSO_OK && pair)
        st = yoso_tokenizer_encode(tok, pair, strlen(pair), YOSO_TOKENIZE_ADD_SPECIAL, 0, &b, &nb);
    if (st != YOSO_OK) goto done;
    if (cut && na + nb > cut) {
        const size_t specials = pair ? 4 : 2;
        if (cut < specials + 1) {
            st = yoso_error(YOSO_ERR_USAGE, "a length limit of %zu leaves no room for the text",
                            cut);
            goto done;
        }
        size_t ca = na - 2, cb = pair ? nb - 2 : 0; /* content kept of each segment */
        if (pair)
            task_pair_budget(&ca, &cb, cut - specials);
        else
            ca = cut - specials;
        a[ca + 1] = a[na - 1]; /* </s> after the kept head */
        na = ca + 2;
        if (pair) {
            b[cb + 1] = b[nb - 1];
            nb = cb + 2;
        }
    }
    if (na + nb > (size_t)max_tokens) {
        st = yoso_error(
            YOSO_ERR_INPUT,
            "the %s is %zu tokens long, more than the limit of %d of this model: shorten it",
            pair ? "text pair" : "text", na + nb, max_tokens);
        goto done;
    }
    if (pair) {
        int32_t *joined = malloc((na + nb) * sizeof(int32_t));
        if (!joined) {
            st = yoso_error_oom();
            goto done;
        }
        memcpy(joined, a, na * sizeof(int32_t));
        memcpy(joined + na, b, nb * sizeof(int32_t));
        joined[na] = a[na - 1]; /* the pair's <s> becomes a second </s> */
        free(a);
        a = joined;
    }
    *ids = a;
    *len = na + nb;
    a = NULL;
done:
    free(a);
    free(b);
    return st;
}

yoso_status task_encode(const yoso_tokenizer *tok, int max_tokens, const char *text,
                        const char *pair, int32_t **ids, size_t *len) {
    return task_encode_cut(tok, max_tokens, 0, text, pair, ids, len);
}

yoso_status task_pad_rows(int32_t *const *rows, const size_t *lens, const int *order, int n,
                          int32_t pad, int32_t **ids, int32_t **mask, int *seq) {
    size_t longest = 0;
    for (int i = 0; i < n; i++) longest = lens[order[i]] > longest ? lens[order[i]] : longest;
    *seq = (int)longest;
    *ids = malloc((size_t)n * longest * sizeof(int32_t));
    *mask = malloc((size_t)n * longest * sizeof(int32_t));
    if (!*ids || !*mask) {
        free(*ids);
        free(*mask);
        *ids = *mask = NULL;
        return yoso_error_oom();
    }
    for (int i = 0; i < n; i++)
        for (size_t t = 0; t < longest; t++) {
            const int real = t < lens[order[i]];
            (*ids)[(size_t)i * longest + t] = real ? rows[order[i]][t] : pad;
            (*mask)[(size_t)i * longest + t] = real;
        }
    return YOSO_OK;
}

/* At most this share of a chunk's tokens may be padding: inputs of very different lengths run
 * as separate forward passes rather than one padded to the longest. */
#define TASK_MAX_PADDING 0.25

yoso_status task_chunks_run(const size_t *lens, int count, task_chunk_fn run, void *ctx) {
    int *order = malloc((size_t)count * sizeof *order); /* [count] inputs, shortest first */
    if (!order) return yoso_error_oom();
    for (int i = 0; i < count; i++) { /* a stable insertion sort by length */
        int at = i;
        for (; at > 0 && lens[order[at - 1]] > lens[i]; at--) order[at] = order[at - 1];
        order[at] = i;
    }
    /* chunks of the sorted inputs: the next one joins while the padding stays under the share */
    yoso_status st = YOSO_OK;
    for (int start = 0; st == YOSO_OK && start < count;) {
        int n = 1;
        size_t tokens = lens[order[start]];
        while (start + n < count) {
            const size_t len = lens[order[start + n]]; /* the longest so far */
            if ((double)(n + 1) * len > (1.0 + TASK_MAX_PADDING) * (double)(tokens + len)) break;
            tokens += len;
            n++;
        }
        st = run(ctx, order + start, n);
        start += n;
    }
    free(order);
    return st;
}

yoso_status task_rows_alloc(task_rows *rows, int count) {
    rows->count = count;
    rows->ids = calloc((size_t)count, sizeof *rows->ids);
    rows->lens = calloc((size_t)count, sizeof *rows->lens);
    return rows->ids && rows->lens ? YOSO_OK : yoso_error_oom();
}

void task_rows_free(task_rows *rows) {
    for (int i = 0; rows->ids && i < rows->count; i++) free(rows->ids[i]);
    free(rows->ids);
    free(rows->lens);
    memset(rows, 0, sizeof *rows);
}

/* What task_rows_forward's chunks share. */
typedef struct rows_forward {
    yoso_model *model;
    task_forward_fn forward;
    const task_rows *rows;
    int32_t pad;
    int seq; /* of out's rows; 0: one output a row */
    size_t width;
    float *out;
} rows_forward;

/* Runs one chunk of task_rows_forward and puts each row's output in its place. */
static yoso_status rows_forward_chunk(void *ctx, const int *order, int n) {
    const rows_forward *f = ctx;
    int32_t *ids = NULL, *mask = NULL; /* [n, seq] */
    float *out = NULL;                 /* [n, seq or 1, width] */
    int seq = 0;
    yoso_status st =
        task_pad_rows(f->rows->ids, f->rows->lens, order, n, f->pad, &ids, &mask, &seq);
    const size_t row = (f->seq ? (size_t)seq : 1) * f->width,
                 stride = (f->seq ? (size_t)f->seq : 1) * f->width;
    if (st == YOSO_OK && !(out = malloc((size_t)n * row * sizeof *out))) st = yoso_error_oom();
    if (st == YOSO_OK) st = f->forward(f->model, n, seq, ids, mask, out);
    for (int i = 0; st == YOSO_OK && i < n; i++)
        memcpy(f->out + (size_t)order[i] * stride, out + (size_t)i * row, row * sizeof *out);
    free(ids);
    free(mask);
    free(out);
    return st;
}

yoso_status task_rows_forward(yoso_model *model, const yoso_tokenizer *tok, task_forward_fn forward,
                              const task_rows *rows, int seq, size_t width, float *out) {
    rows_forward f = {model, forward, rows, yoso_tokenizer_pad_id(tok), seq, width, out};
    return task_chunks_run(rows->lens, rows->count, rows_forward_chunk, &f);
}

/* task_batch.h — what the task pipelines share: the checkpoint check, RoBERTa (pair) encoding
 * under the model's length limit, and right-padded batches of inputs of like length. */
#ifndef YOSO_TASK_BATCH_H
#define YOSO_TASK_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "yoso.h"

/* The start of a typed task call: clears results[count] (result_size bytes each, so that a
 * failed call leaves them releasable) and fills *info. Fails with YOSO_ERR_USAGE for a missing
 * argument or count < 1, as yoso_task_check_model does when the model lacks the task's head, or
 * with YOSO_ERR_INPUT when the tokenizer's vocabulary exceeds the model's. */
yoso_status task_check_model(const yoso_model *model, const yoso_tokenizer *tok, yoso_task task,
                             const void *requests, int count, void *results, size_t result_size,
                             yoso_model_info *info);

/* YOSO_ERR_INPUT when the tokenizer's vocabulary exceeds the model's (info). */
yoso_status task_check_vocab(const yoso_tokenizer *tok, const yoso_model_info *info);

/* Softmax of p[n] in place, in double precision (HF's numpy softmax over float64). */
void task_softmax_f64(double *p, size_t n);

/* The scores of one row's logits [n] under fn, in float32 as numpy computes them. */
void task_class_scores(const float *logits, int n, yoso_class_function fn, float *scores);

/* Encodes text as <s> text </s>, or with pair (not NULL) as RoBERTa pairs: <s> text </s></s> pair
 * </s>; YOSO_ERR_INPUT naming the length when it exceeds max_tokens. *ids is malloc'ed [*len]. */
yoso_status task_encode(const yoso_tokenizer *tok, int max_tokens, const char *text,
                        const char *pair, int32_t **ids, size_t *len);
/* task_encode, but an encoding longer than cut (> 0) is cut to it as HF's truncation=True
 * (longest_first): a single text keeps its head and </s>; a pair's shorter segment keeps its
 * length when it fits in half the room, else both get half (the longer one the odd token). */
yoso_status task_encode_cut(const yoso_tokenizer *tok, int max_tokens, size_t cut, const char *text,
                            const char *pair, int32_t **ids, size_t *len);

/* Lays the rows rows[order[0..n)] (of lens[order[k]] ids) out as one right-padded batch: *ids
 * and *mask are malloc'ed [n, *seq] with *seq the longest of them; the mask is 1 on real
 * tokens. */
yoso_status task_pad_rows(int32_t *const *rows, const size_t *lens, const int *order, int n,
                          int32_t pad, int32_t **ids, int32_t **mask, int *seq);

/* Runs one chunk of inputs, order[0..n) their indices. */
typedef yoso_status (*task_chunk_fn)(void *ctx, const int *order, int n);
/* Splits inputs of lens[count] tokens into chunks of like length and runs each: the inputs
 * sorted shortest first (ties in their order), a chunk grows while at most a quarter of its
 * tokens, padded to its longest, would be padding. Stops at the first failing chunk. */
yoso_status task_chunks_run(const size_t *lens, int count, task_chunk_fn run, void *ctx);

/* Token rows collected for padded forward passes through the model. */
typedef struct task_rows {
    int32_t **ids; /* [count][lens[i]] */
    size_t *lens;  /* [count] */
    int count;
} task_rows;

/* Allocates count empty rows (task_encode fills each). */
yoso_status task_rows_alloc(task_rows *rows, int count);
void task_rows_free(task_rows *rows);

/* A forward pass over a padded batch: yoso_model_hidden or yoso_model_head_logits. */
typedef yoso_status (*task_forward_fn)(yoso_model *model, int batch, int seq, const int32_t *ids,
                                       const int32_t *mask, float *out);
/* Runs the rows through forward in chunks of like length (task_chunks_run), each padded to its
 * own longest row. Row i's output lands at out + i * (seq ? seq : 1) * width: with seq > 0
 * (at least every row's length) an output per token, [seq, width], of which its first lens[i]
 * tokens are written; with seq 0 one output of the row, [width]. */
yoso_status task_rows_forward(yoso_model *model, const yoso_tokenizer *tok, task_forward_fn forward,
                              const task_rows *rows, int seq, size_t width, float *out);

#endif

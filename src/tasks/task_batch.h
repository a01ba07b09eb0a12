/* task_batch.h — what the task pipelines share: the checkpoint check, RoBERTa (pair) encoding
 * under the model's length limit, and right-padded batches. */
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

/* Lays `count` rows (rows[i] of lens[i] ids) out as one right-padded batch: *ids and *mask are
 * malloc'ed [count, *seq] with *seq the longest row; the mask is 1 on real tokens. */
yoso_status task_pad_rows(int32_t *const *rows, const size_t *lens, int count, int32_t pad,
                          int32_t **ids, int32_t **mask, int *seq);

/* Token rows collected for one padded forward pass through the model's head. */
typedef struct task_rows {
    int32_t **ids; /* [count][lens[i]] */
    size_t *lens;  /* [count] */
    int count;
} task_rows;

/* Allocates count empty rows (task_encode fills each). */
yoso_status task_rows_alloc(task_rows *rows, int count);
void task_rows_free(task_rows *rows);
/* Pads the rows into one batch and runs yoso_model_head_logits into out ([count, ...]). */
yoso_status task_rows_head_logits(yoso_model *model, const yoso_tokenizer *tok,
                                  const task_rows *rows, float *out);

#endif

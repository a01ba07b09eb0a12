/* multiple_choice.c — YosoForMultipleChoice: every (prompt, choice) pair a row of padded
 * batches, a logit per row, softmax over each question's choices (float32, as torch). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_batch.h"
#include "yoso.h"

/* Checks one request; the message names no index. */
static yoso_status choice_check(const yoso_choice_request *r) {
    if (!r->prompt) return yoso_error(YOSO_ERR_USAGE, "the request has no prompt");
    if (r->num_choices < 1 || !r->choices)
        return yoso_error(YOSO_ERR_USAGE, "the request has no choices: give at least one");
    for (int c = 0; c < r->num_choices; c++)
        if (!r->choices[c]) return yoso_error(YOSO_ERR_USAGE, "choice %d is missing", c);
    return YOSO_OK;
}

/* Fills one result from its choices' logits [n]. */
static yoso_status choice_result(const float *logits, int n, yoso_choice_result *res) {
    res->logits = malloc((size_t)n * sizeof(double));
    res->scores = malloc((size_t)n * sizeof(double));
    float *scores = malloc((size_t)n * sizeof(float)); /* [n] softmax in float32 */
    if (!res->logits || !res->scores || !scores) {
        free(scores);
        return yoso_error_oom();
    }
    res->num_choices = n;
    task_class_scores(logits, n, YOSO_FUNCTION_SOFTMAX, scores);
    for (int c = 0; c < n; c++) {
        res->logits[c] = logits[c];
        res->scores[c] = scores[c];
    }
    free(scores);
    return YOSO_OK;
}

void yoso_choice_result_release(yoso_choice_result *r) {
    if (!r) return;
    free(r->logits);
    free(r->scores);
    memset(r, 0, sizeof *r);
}

/* Scores each question's choices as (prompt, choice) rows of padded batches of like length. */
yoso_status yoso_multiple_choice(yoso_model *model, const yoso_tokenizer *tok,
                                 const yoso_choice_request *requests, int count,
                                 yoso_choice_result *results) {
    yoso_model_info info;
    yoso_status st = task_check_model(model, tok, YOSO_TASK_MULTIPLE_CHOICE, requests, count,
                                      results, sizeof *results, &info);
    if (st != YOSO_OK) return st;
    int total = 0;
    for (int i = 0; i < count; i++) {
        if ((st = choice_check(&requests[i])) != YOSO_OK)
            return yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
        total += requests[i].num_choices;
    }
    task_rows rows = {0};
    float *logits = NULL; /* [total] */
    if ((st = task_rows_alloc(&rows, total)) != YOSO_OK ||
        !(logits = malloc((size_t)total * sizeof(float)))) {
        st = st ? st : yoso_error_oom();
        goto fail;
    }
    for (int i = 0, row = 0; i < count; i++)
        for (int c = 0; c < requests[i].num_choices; c++, row++) {
            st = task_encode(tok, info.max_tokens, requests[i].prompt, requests[i].choices[c],
                             &rows.ids[row], &rows.lens[row]);
            if (st != YOSO_OK) {
                yoso_error_prefix(st, "input %d: choice %d: ", i, c);
                goto fail;
            }
        }
    st = task_rows_forward(model, tok, yoso_model_head_logits, &rows, 0, 1, logits);
    for (int i = 0, at = 0; i < count && st == YOSO_OK; at += requests[i++].num_choices)
        st = choice_result(logits + at, requests[i].num_choices, &results[i]);
fail:
    if (st != YOSO_OK)
        for (int i = 0; i < count; i++) yoso_choice_result_release(&results[i]);
    task_rows_free(&rows);
    free(logits);
    return st;
}

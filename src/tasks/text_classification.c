/* text_classification.c — Hugging Face's text-classification pipeline: (pair) encoding, padded
 * forwards of inputs of like length through the sequence classifier, function_to_apply and top_k as
 * TextClassificationPipeline.postprocess does them (in float32, as its numpy arrays). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_batch.h"
#include "yoso.h"

static const char *const function_names[] = {"default", "softmax", "sigmoid", "none"};

const char *yoso_class_function_name(yoso_class_function fn) {
    return fn >= YOSO_FUNCTION_DEFAULT && fn <= YOSO_FUNCTION_NONE ? function_names[fn] : "unknown";
}

yoso_status yoso_class_function_parse(const char *name, yoso_class_function *fn) {
    for (int f = YOSO_FUNCTION_SOFTMAX; name && f <= YOSO_FUNCTION_NONE; f++) {
        size_t i = 0;
        while (name[i] && tolower((unsigned char)name[i]) == function_names[f][i]) i++;
        if (!name[i] && !function_names[f][i]) {
            *fn = (yoso_class_function)f;
            return YOSO_OK;
        }
    }
    return yoso_error(YOSO_ERR_USAGE,
                      "function_to_apply '%s' is not known: use softmax, sigmoid or none",
                      name ? name : "(null)");
}

/* HF's default function for the model (postprocess with function_to_apply None). */
static yoso_class_function classify_default_function(const yoso_model_info *info) {
    if (info->problem_type == YOSO_PROBLEM_REGRESSION) return YOSO_FUNCTION_NONE;
    if (info->problem_type == YOSO_PROBLEM_MULTI_LABEL || info->num_labels == 1)
        return YOSO_FUNCTION_SIGMOID;
    return YOSO_FUNCTION_SOFTMAX;
}

/* Checks a request's top_k and function; the message names no index. */
static yoso_status classify_check(const yoso_classify_request *r) {
    if (!r->text) return yoso_error(YOSO_ERR_USAGE, "the request has no text");
    if (r->top_k < 0 && r->top_k != YOSO_TOP_K_ALL)
        return yoso_error(YOSO_ERR_USAGE,
                          "top_k %d is out of range: use a count >= 1 or all labels", r->top_k);
    if (r->function_to_apply < YOSO_FUNCTION_DEFAULT || r->function_to_apply > YOSO_FUNCTION_NONE)
        return yoso_error(YOSO_ERR_USAGE,
                          "function_to_apply %d is not known: use softmax, sigmoid or none",
                          (int)r->function_to_apply);
    return YOSO_OK;
}

/* Fills one result from its row of scores [n]: every label sorted best first (a stable sort, as
 * Python's), cut to top_k; at the default top_k the argmax alone. */
static yoso_status classify_result(const yoso_model *model, const yoso_classify_request *r,
                                   const float *scores, int n, yoso_classify_result *res) {
    int *order = malloc((size_t)n * sizeof(int)); /* [n] label indices, best first */
    if (!order) return yoso_error_oom();
    for (int i = 0; i < n; i++) {
        int at = i;
        while (at > 0 && scores[i] > scores[order[at - 1]]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    res->legacy = r->top_k == 0;
    res->pair = r->text_pair != NULL || r->dict;
    res->count = r->top_k == YOSO_TOP_K_ALL || r->top_k > n ? n : r->top_k == 0 ? 1 : r->top_k;
    res->labels = calloc((size_t)res->count, sizeof *res->labels);
    yoso_status st = res->labels ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < res->count; i++) {
        res->labels[i].score = scores[order[i]];
        if (!(res->labels[i].label = strdup(yoso_model_label(model, order[i]))))
            st = yoso_error_oom();
    }
    free(order);
    return st;
}

void yoso_classify_result_release(yoso_classify_result *r) {
    if (!r) return;
    for (int i = 0; r->labels && i < r->count; i++) free(r->labels[i].label);
    free(r->labels);
    memset(r, 0, sizeof *r);
}

yoso_status yoso_text_classification(yoso_model *model, const yoso_tokenizer *tok,
                                     const yoso_classify_request *requests, int count,
                                     yoso_classify_result *results) {
    yoso_model_info info;
    yoso_status st = task_check_model(model, tok, YOSO_TASK_TEXT_CLASSIFICATION, requests, count,
                                      results, sizeof *results, &info);
    if (st != YOSO_OK) return st;
    const int n = info.num_labels;
    task_rows rows = {0};
    float *logits = NULL, *scores = NULL; /* [count, n], [n] */
    if ((st = task_rows_alloc(&rows, count)) != YOSO_OK) goto fail;
    for (int i = 0; i < count; i++) {
        const yoso_classify_request *r = &requests[i];
        if ((st = classify_check(r)) == YOSO_OK)
            st = task_encode(tok, info.max_tokens, r->text, r->text_pair, &rows.ids[i],
                             &rows.lens[i]);
        if (st != YOSO_OK) {
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
            goto fail;
        }
    }
    logits = malloc((size_t)count * n * sizeof(float));
    scores = malloc((size_t)n * sizeof(float));
    if (!logits || !scores) {
        st = yoso_error_oom();
        goto fail;
    }
    if ((st = task_rows_forward(model, tok, yoso_model_head_logits, &rows, 0, (size_t)n, logits)) !=
        YOSO_OK)
        goto fail;
    for (int i = 0; i < count && st == YOSO_OK; i++) {
        yoso_class_function fn = requests[i].function_to_apply;
        task_class_scores(logits + (size_t)i * n, n,
                          fn == YOSO_FUNCTION_DEFAULT ? classify_default_function(&info) : fn,
                          scores);
        st = classify_result(model, &requests[i], scores, n, &results[i]);
    }
fail:
    if (st != YOSO_OK)
        for (int i = 0; i < count; i++) yoso_classify_result_release(&results[i]);
    task_rows_free(&rows);
    free(logits);
    free(scores);
    return st;
}

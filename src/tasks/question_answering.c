/* question_answering.c — Hugging Face's question-answering pipeline (v4.57.6): question and
 * context as a RoBERTa pair, long contexts split into overlapping windows, padded forwards of
 * windows of like length, spans scored per window, widened to whole words and merged by text. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "task_batch.h"
#include "task_internal.h"
#include "unicode_lower.h"
#include "yoso.h"

#define QA_NULL_SCORE 1000000.0  /* HF's min_null_score before any window */
#define QA_MASKED_LOGIT -10000.0 /* the logit HF gives tokens that cannot be in an answer */
#define QA_SPECIALS 4            /* <s> question </s></s> context </s> */

/* One request, tokenized, with its parameters resolved. */
typedef struct qa_input {
    int32_t *q_ids;           /* [q_len] the question's tokens, no specials */
    yoso_token_span *q_spans; /* [q_len] */
    size_t q_len;
    int32_t *c_ids;           /* [c_len] the context's tokens, no specials */
    yoso_token_span *c_spans; /* [c_len] */
    size_t c_len;
    const char *context;
    size_t *char_bytes; /* [chars + 1] the byte where each context character starts */
    size_t chars;
    size_t room; /* context tokens per window */
    size_t step; /* where the next window's context starts: room − doc_stride */
    int windows, first_row;
    int top_k, max_answer_len, handle_impossible;
} qa_input;

/* A span (start, end token of a window row) and its score. */
typedef struct qa_candidate {
    double score;
    size_t flat; /* start · n + end: the cell of HF's n × n score matrix */
} qa_candidate;

/* Frees what qa_prepare allocated. */
static void qa_input_free(qa_input *in) {
    free(in->q_ids);
    free(in->q_spans);
    free(in->c_ids);
    free(in->c_spans);
    free(in->char_bytes);
}

/* Context tokens [*first, *last) of window w. */
static void qa_window_range(const qa_input *in, int w, size_t *first, size_t *last) {
    *first = (size_t)w * in->step;
    *last = *first + in->room < in->c_len ? *first + in->room : in->c_len;
}

/* Records where each character of the context starts (char_bytes[chars] = its length). */
static yoso_status qa_index_chars(qa_input *in) {
    const size_t len = strlen(in->context);
    in->char_bytes = malloc((len + 1) * sizeof *in->char_bytes);
    if (!in->char_bytes) return yoso_error_oom();
    in->chars = 0;
    for (size_t at = 0; at < len; at++)
        if (((unsigned char)in->context[at] & 0xC0) != 0x80) in->char_bytes[in->chars++] = at;
    in->char_bytes[in->chars] = len;
    return YOSO_OK;
}

/* Resolves HF's defaults and checks the parameters; max_tokens is the model's limit. */
static yoso_status qa_parameters(const yoso_qa_request *r, int max_tokens, qa_input *in,
                                 int *max_seq_len, int *doc_stride) {
    if (r->top_k < 0)
        return yoso_error(YOSO_ERR_INPUT, "top_k parameter should be >= 1 (got %d)", r->top_k);
    if (r->max_answer_len < 0)
        return yoso_error(YOSO_ERR_INPUT, "max_answer_len parameter should be >= 1 (got %d)",
                          r->max_answer_len);
    if (r->max_seq_len < 0 || r->max_question_len < 0)
        return yoso_error(YOSO_ERR_INPUT,
                          "max_seq_len and max_question_len must be >= 1 (got %d and %d)",
                          r->max_seq_len, r->max_question_len);
    if (r->doc_stride < YOSO_QA_NO_STRIDE)
        return yoso_error(YOSO_ERR_INPUT, "doc_stride must be >= 0 (got %d)", r->doc_stride);
    in->top_k = r->top_k ? r->top_k : 1;
    in->max_answer_len = r->max_answer_len ? r->max_answer_len : 15;
    in->handle_impossible = r->handle_impossible_answer != 0;
    int msl = r->max_seq_len ? r->max_seq_len : 384;
    if (msl > max_tokens) msl = max_tokens;
    int stride = r->doc_stride == YOSO_QA_NO_STRIDE ? 0
                 : r->doc_stride                    ? r->doc_stride
                 : msl / 2 < 128                    ? msl / 2
                                                    : 128;
    if (stride > msl)
        return yoso_error(YOSO_ERR_INPUT, "`doc_stride` (%d) is larger than `max_seq_len` (%d)",
                          stride, msl);
    if (stride + 2 > msl) /* the tokenizer's own check: max_length less its 2 specials */
        return yoso_error(
            YOSO_ERR_INPUT,
            "doc_stride %d must be at most max_seq_len %d minus 2 special tokens: lower doc_stride or raise max_seq_len",
            stride, msl);
    *max_seq_len = msl;
    *doc_stride = stride;
    return YOSO_OK;
}

/* Tokenizes one request and lays out its windows; the message names no index. */
static yoso_status qa_prepare(const yoso_tokenizer *tok, int max_tokens, const yoso_qa_request *r,
                              qa_input *in) {
    if (!r->question || !r->context)
        return yoso_error(YOSO_ERR_USAGE, "the request needs a question and a context");
    if (!r->question[0]) return yoso_error(YOSO_ERR_INPUT, "`question` cannot be empty");
    if (!r->context[0]) return yoso_error(YOSO_ERR_INPUT, "`context` cannot be empty");
    int msl = 0, stride = 0;
    yoso_status st = qa_parameters(r, max_tokens, in, &msl, &stride);
    if (st) return st;
    in->context = r->context;
    if ((st = yoso_tokenizer_encode_offsets(tok, r->question, strlen(r->question), 0, 0, &in->q_ids,
                                            &in->q_spans, &in->q_len)))
        return yoso_error_prefix(st, "question: ");
    if ((st = yoso_tokenizer_encode_offsets(tok, r->context, strlen(r->context), 0, 0, &in->c_ids,
                                            &in->c_spans, &in->c_len)))
        return yoso_error_prefix(st, "context: ");
    if ((st = qa_index_chars(in))) return st;
    in->windows = 1;
    in->room = in->c_len;
    in->step = 1;
    if (in->q_len + in->c_len + QA_SPECIALS <= (size_t)msl) return YOSO_OK;
    if (in->q_len + QA_SPECIALS >= (size_t)msl)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the question is %zu tokens long: with the 4 special tokens it leaves no room for the context in max_seq_len %d: shorten the question or raise max_seq_len",
            in->q_len, msl);
    in->room = (size_t)msl - in->q_len - QA_SPECIALS;
    if ((size_t)stride >= in->room)
        return yoso_error(
            YOSO_ERR_INPUT,
            "doc_stride %d must be less than the %zu context tokens a window holds (max_seq_len %d - %zu question tokens - 4 special tokens): lower doc_stride or raise max_seq_len",
            stride, in->room, msl, in->q_len);
    in->step = in->room - (size_t)stride;
    in->windows = 1 + (int)((in->c_len - in->room + in->step - 1) / in->step);
    return YOSO_OK;
}

/* The tokenizer's <s> and </s> (as the template wraps a text in them). */
static yoso_status qa_special_ids(const yoso_tokenizer *tok, int32_t special[2]) {
    int32_t *ids = NULL;
    size_t n = 0;
    yoso_status st = yoso_tokenizer_encode(tok, "", 0, YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n);
    if (st == YOSO_OK && n != 2)
        st = yoso_error(YOSO_ERR_UNSUPPORTED, "the tokenizer does not wrap a text in <s> ... </s>");
    if (st == YOSO_OK) special[0] = ids[0], special[1] = ids[1];
    free(ids);
    return st;
}

/* Writes window w as one row: <s> question </s></s> context[first, last) </s>; returns the
 * row's length. */
static size_t qa_fill_row(const int32_t special[2], const qa_input *in, int w, int32_t *ids) {
    size_t first, last, n = 0;
    const int32_t cls = special[0], sep = special[1];
    qa_window_range(in, w, &first, &last);
    ids[n++] = cls;
    memcpy(ids + n, in->q_ids, in->q_len * sizeof *ids);
    n += in->q_len;
    ids[n++] = sep;
    ids[n++] = sep;
    memcpy(ids + n, in->c_ids + first, (last - first) * sizeof *ids);
    n += last - first;
    ids[n++] = sep;
    return n;
}

/* The character span [start, end) of the token at row position t (HF's enc.offsets[t]): the
 * question's and the context's own offsets, (0, 0) for the template's specials. */
static void qa_token_chars(const qa_input *in, size_t first, size_t last, size_t t, size_t *start,
                           size_t *end) {
    const size_t ctx0 = in->q_len + 3;
    const yoso_token_span *s = NULL;
    if (t >= 1 && t <= in->q_len) s = &in->q_spans[t - 1];
    if (t >= ctx0 && t < ctx0 + (last - first)) s = &in->c_spans[first + t - ctx0];
    *start = s ? s->start : 0;
    *end = s ? s->end : 0;
}

/* HF's word_to_chars(word, sequence_index=1) within the window's context tokens [first, last):
 * the span from the word's first token there to its last; 0 when the word has none there. */
static int qa_word_chars(const qa_input *in, size_t first, size_t last, size_t word, size_t *start,
                         size_t *end) {
    int found = 0;
    for (size_t i = first; word != YOSO_NO_WORD && i < last; i++) {
        if (in->c_spans[i].word != word) continue;
        if (!found) *start = in->c_spans[i].start;
        *end = in->c_spans[i].end;
        found = 1;
    }
    return found;
}

/* HF's get_indices with align_to_words: the characters of the words holding tokens s and e,
 * falling back to the tokens' own offsets when either has no word in the context. */
static void qa_span_chars(const qa_input *in, size_t first, size_t last, size_t s, size_t e,
                          size_t *start, size_t *end) {
    const size_t ctx0 = in->q_len + 3, n_ctx = last - first;
    size_t ws = YOSO_NO_WORD, we = YOSO_NO_WORD, unused;
    if (s >= 1 && s <= in->q_len) ws = in->q_spans[s - 1].word;
    if (s >= ctx0 && s < ctx0 + n_ctx) ws = in->c_spans[first + s - ctx0].word;
    if (e >= 1 && e <= in->q_len) we = in->q_spans[e - 1].word;
    if (e >= ctx0 && e < ctx0 + n_ctx) we = in->c_spans[first + e - ctx0].word;
    if (qa_word_chars(in, first, last, ws, start, &unused) &&
        qa_word_chars(in, first, last, we, &unused, end))
        return;
    qa_token_chars(in, first, last, s, start, &unused);
    qa_token_chars(in, first, last, e, &unused, end);
}

/* Python's str.lower() of one code point (U+0130 is handled by the caller). */
static uint32_t qa_lower_cp(uint32_t cp) {
    size_t lo = 0, hi = sizeof k_unicode_lower / sizeof k_unicode_lower[0];
    while (lo < hi) { /* the last range starting at or before cp */
        size_t mid = (lo + hi) / 2;
        if (k_unicode_lower[mid].first <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return cp;
    const unicode_lower_range *r = &k_unicode_lower[lo - 1];
    const uint32_t off = cp - r->first;
    if (off % r->step || off / r->step >= r->count) return cp;
    return (uint32_t)((int32_t)cp + r->delta);
}

/* Decodes the code point at *p (valid UTF-8, as the tokenizer checked) and advances *p. */
static uint32_t qa_utf8_next(const unsigned char **p) {
    const unsigned char *s = *p;
    uint32_t cp;
    int n;
    if (s[0] < 0x80)
        cp = s[0], n = 1;
    else if (s[0] < 0xE0)
        cp = s[0] & 0x1F, n = 2;
    else if (s[0] < 0xF0)
        cp = s[0] & 0x0F, n = 3;
    else
        cp = s[0] & 0x07, n = 4;
    for (int i = 1; i < n && s[i]; i++) cp = (cp << 6) | (s[i] & 0x3F);
    *p = s + n;
    return cp;
}

/* Whether a.lower() == b.lower() in Python (U+0130 lowers to "i" U+0307). */
static int qa_same_lower(const char *a, const char *b) {
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    uint32_t pend_a = 0, pend_b = 0; /* the U+0307 a U+0130 still owes */
    for (;;) {
        uint32_t x = pend_a ? pend_a : *p ? qa_lower_cp(qa_utf8_next(&p)) : 0;
        uint32_t y = pend_b ? pend_b : *q ? qa_lower_cp(qa_utf8_next(&q)) : 0;
        if (!pend_a && x == 0x130)
            x = 'i', pend_a = 0x307;
        else
            pend_a = 0;
        if (!pend_b && y == 0x130)
            y = 'i', pend_b = 0x307;
        else
            pend_b = 0;
        if (x != y) return 0;
        if (!x) return 1;
    }
}

/* Appends answer a with a copy of text as a new answer of res (*cap entries allocated). */
static yoso_status qa_append(yoso_qa_result *res, int *cap, yoso_qa_answer a, const char *text) {
    if (res->count == *cap) {
        int grown_cap = *cap ? 2 * *cap : 16;
        yoso_qa_answer *grown = realloc(res->answers, (size_t)grown_cap * sizeof *grown);
        if (!grown) return yoso_error_oom();
        res->answers = grown;
        *cap = grown_cap;
    }
    if (!(a.answer = strdup(text))) return yoso_error_oom();
    res->answers[res->count++] = a;
    return YOSO_OK;
}

/* Adds one span's text to the answers as HF's postprocess does: a text equal to an answer's
 * (case-insensitive) adds its score there, else it is a new answer. */
static yoso_status qa_add_answer(const qa_input *in, yoso_qa_result *res, int *cap, double score,
                                 size_t start, size_t end) {
    const size_t cs = start < in->chars ? start : in->chars, ce = end < in->chars ? end : in->chars;
    const size_t b0 = in->char_bytes[cs], b1 = ce > cs ? in->char_bytes[ce] : b0;
    char *text = malloc(b1 - b0 + 1);
    if (!text) return yoso_error_oom();
    memcpy(text, in->context + b0, b1 - b0);
    text[b1 - b0] = '\0';
    for (int i = 0; i < res->count; i++) {
        if (!qa_same_lower(res->answers[i].answer, text)) continue;
        res->answers[i].score += score;
        free(text);
        return YOSO_OK;
    }
    yoso_status st = qa_append(res, cap, (yoso_qa_answer){score, start, end, NULL}, text);
    free(text);
    return st;
}

/* Orders candidates by score, best first; equal scores by their cell. */
static int qa_candidate_order(const void *a, const void *b) {
    const qa_candidate *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return (x->flat > y->flat) - (x->flat < y->flat);
}

/* HF's softmax over a window row of n tokens with the undesired ones at -10000. */
static void qa_softmax(const float *logits, const unsigned char *desired, size_t n, int which,
                       double *p) {
    for (size_t t = 0; t < n; t++)
        p[t] = desired[t] ? (double)logits[2 * t + which] : QA_MASKED_LOGIT;
    task_softmax_f64(p, n);
}

/* Scratch memory of one window: [n] bytes/doubles, candidates for the band and the fillers. */
typedef struct qa_scratch {
    unsigned char *desired;
    double *ps, *pe;
    qa_candidate *cand;
    size_t n_cap, cand_cap;
} qa_scratch;

/* Frees the scratch's buffers. */
static void qa_scratch_free(qa_scratch *s) {
    free(s->desired);
    free(s->ps);
    free(s->pe);
    free(s->cand);
}

/* Grows the scratch for a row of n tokens and `cands` candidates. */
static yoso_status qa_scratch_reserve(qa_scratch *s, size_t n, size_t cands) {
    if (n > s->n_cap) {
        free(s->desired), free(s->ps), free(s->pe);
        s->desired = malloc(n);
        s->ps = malloc(n * sizeof *s->ps);
        s->pe = malloc(n * sizeof *s->pe);
        s->n_cap = s->desired && s->ps && s->pe ? n : 0;
        if (!s->n_cap) return yoso_error_oom();
    }
    if (cands > s->cand_cap) {
        free(s->cand);
        s->cand = malloc(cands * sizeof *s->cand);
        s->cand_cap = s->cand ? cands : 0;
        if (!s->cand) return yoso_error_oom();
    }
    return YOSO_OK;
}

/* HF's select_starts_ends + decode_spans for window w (row ids [n], logits [n, 2]), adding
 * its answers to res and its <s>·<s> probability to *min_null. */
static yoso_status qa_window(const qa_input *in, int w, const int32_t *ids, int32_t cls,
                             const float *logits, size_t n, qa_scratch *s, double *min_null,
                             yoso_qa_result *res, int *cap) {
    size_t first, last;
    qa_window_range(in, w, &first, &last);
    const size_t ctx0 = in->q_len + 3, m = (size_t)in->max_answer_len;
    const size_t k = 2 * (size_t)in->top_k + 10; /* HF's pre_topk with align_to_words */
    const size_t band = n * (m < n ? m : n);
    yoso_status st = qa_scratch_reserve(s, n, band + (k < n * n ? k : n * n));
    if (st) return st;
    for (size_t t = 0; t < n; t++) /* p_mask 0: the context, and every <s> (cls) token */
        s->desired[t] = (t >= ctx0 && t < ctx0 + (last - first)) || ids[t] == cls;
    qa_softmax(logits, s->desired, n, 0, s->ps);
    qa_softmax(logits, s->desired, n, 1, s->pe);
    if (in->handle_impossible && s->ps[0] * s->pe[0] < *min_null) *min_null = s->ps[0] * s->pe[0];
    s->ps[0] = s->pe[0] = 0.0;
    /* the spans with a score (start <= end < start + max_answer_len), best first */
    size_t count = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t e = a; e < n && e < a + m; e++)
            if (s->ps[a] * s->pe[e] > 0)
                s->cand[count++] = (qa_candidate){s->ps[a] * s->pe[e], a * n + e};
    qsort(s->cand, count, sizeof *s->cand, qa_candidate_order);
    if (count > k) count = k;
    /* HF's top k may reach cells scored 0; numpy's argpartition picks which: take them in order */
    for (size_t flat = 0; count < k && flat < n * n; flat++) {
        const size_t a = flat / n, e = flat % n;
        if (!(e >= a && e < a + m && s->ps[a] * s->pe[e] > 0))
            s->cand[count++] = (qa_candidate){0.0, flat};
    }
    for (size_t i = 0; i < count; i++) {
        const size_t a = s->cand[i].flat / n, e = s->cand[i].flat % n;
        if (!s->desired[a] || !s->desired[e]) continue;
        size_t start = 0, end = 0; /* set by qa_span_chars (GCC -O3 cannot tell) */
        qa_span_chars(in, first, last, a, e, &start, &end);
        if ((st = qa_add_answer(in, res, cap, s->cand[i].score, start, end))) return st;
    }
    return YOSO_OK;
}

/* Orders answers by score, best first, keeping the earlier of equal scores first (Python's
 * stable sorted(reverse=True)). */
static void qa_sort_answers(yoso_qa_answer *a, int n) {
    for (int i = 1; i < n; i++) {
        yoso_qa_answer x = a[i];
        int j = i;
        for (; j > 0 && a[j - 1].score < x.score; j--) a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Collects the answers of every window of one request (rows [n_rows, seq] of the batch). */
static yoso_status qa_decode(const qa_input *in, const int32_t *ids, const size_t *row_len,
                             const float *logits, int seq, int32_t cls, qa_scratch *s,
                             yoso_qa_result *res) {
    int cap = 0;
    double min_null = QA_NULL_SCORE;
    yoso_status st = YOSO_OK;
    for (int w = 0; st == YOSO_OK && w < in->windows; w++) {
        const size_t row = (size_t)(in->first_row + w);
        st = qa_window(in, w, ids + row * (size_t)seq, cls, logits + row * (size_t)seq * 2,
                       row_len[row], s, &min_null, res, &cap);
    }
    if (st == YOSO_OK && in->handle_impossible) /* after the merge, as HF appends it */
        st = qa_append(res, &cap, (yoso_qa_answer){min_null, 0, 0, NULL}, "");
    if (st) return st;
    qa_sort_answers(res->answers, res->count);
    while (res->count > in->top_k) free(res->answers[--res->count].answer);
    return YOSO_OK;
}

yoso_status yoso_question_answering(yoso_model *model, const yoso_tokenizer *tok,
                                    const yoso_qa_request *requests, int count,
                                    yoso_qa_result *results) {
    if (!model || !tok || !requests || !results || count < 1)
        return yoso_error(
            YOSO_ERR_USAGE,
            "yoso_question_answering: model, tokenizer, requests and results must not be NULL, count at least 1");
    memset(results, 0, (size_t)count * sizeof *results);
    yoso_status st = yoso_task_check_model(model, YOSO_TASK_QUESTION_ANSWERING);
    if (st) return st;
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    qa_input *in = calloc((size_t)count, sizeof *in);
    int32_t *ids = NULL;
    task_rows batch = {0}; /* the rows of ids, of their lengths */
    float *logits = NULL;
    qa_scratch scratch = {0};
    int32_t special[2];
    if (!in) return yoso_error_oom();
    if ((st = qa_special_ids(tok, special))) goto fail;
    int rows = 0, seq = 0;
    for (int i = 0; i < count; i++) {
        if ((st = qa_prepare(tok, info.max_tokens, &requests[i], &in[i]))) {
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
            goto fail;
        }
        in[i].first_row = rows;
        rows += in[i].windows;
        size_t longest =
            in[i].q_len + QA_SPECIALS + (in[i].c_len < in[i].room ? in[i].c_len : in[i].room);
        if ((int)longest > seq) seq = (int)longest;
    }
    ids = malloc((size_t)rows * seq * sizeof *ids);           /* [rows, seq] */
    logits = malloc((size_t)rows * seq * 2 * sizeof *logits); /* [rows, seq, 2] */
    batch.ids = malloc((size_t)rows * sizeof *batch.ids);     /* [rows] into ids */
    batch.lens = malloc((size_t)rows * sizeof *batch.lens);   /* [rows] */
    batch.count = rows;
    if (!ids || !logits || !batch.ids || !batch.lens) {
        st = yoso_error_oom();
        goto fail;
    }
    for (int i = 0; i < count; i++)
        for (int w = 0; w < in[i].windows; w++) {
            const size_t row = (size_t)(in[i].first_row + w);
            batch.ids[row] = ids + row * seq;
            batch.lens[row] = qa_fill_row(special, &in[i], w, batch.ids[row]);
        }
    if ((st = task_rows_forward(model, tok, yoso_model_head_logits, &batch, seq, 2, logits)))
        goto fail;
    for (int i = 0; i < count; i++)
        if ((st = qa_decode(&in[i], ids, batch.lens, logits, seq, special[0], &scratch,
                            &results[i]))) {
            yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
            goto fail;
        }
fail:
    if (st)
        for (int i = 0; i < count; i++) yoso_qa_result_release(&results[i]);
    for (int i = 0; i < count; i++) qa_input_free(&in[i]);
    free(in);
    free(ids);
    free(batch.ids);
    free(batch.lens);
    free(logits);
    qa_scratch_free(&scratch);
    return st;
}

void yoso_qa_result_release(yoso_qa_result *result) {
    if (!result) return;
    for (int i = 0; i < result->count; i++) free(result->answers[i].answer);
    free(result->answers);
    result->answers = NULL;
    result->count = 0;
}

yoso_status yoso_qa_result_json(const yoso_qa_result *result, char **json) {
    cJSON *list = result->count == 1 ? NULL : cJSON_CreateArray(), *one = NULL;
    for (int i = 0; i < result->count; i++) {
        const yoso_qa_answer *a = &result->answers[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "score", a->score);
        cJSON_AddNumberToObject(o, "start", (double)a->start);
        cJSON_AddNumberToObject(o, "end", (double)a->end);
        cJSON_AddStringToObject(o, "answer", a->answer);
        if (list)
            cJSON_AddItemToArray(list, o);
        else
            one = o;
    }
    return task_json_print(list ? list : one, json);
}

/* Reads one request's inputs {question, context} and parameters: top_k (1), max_answer_len (15),
 * max_seq_len (384), doc_stride (128), max_question_len (64), handle_impossible_answer (false). */
static yoso_status qa_task_parse(const cJSON *inputs, const cJSON *params, void *request,
                                 void **owned) {
    yoso_qa_request *r = request;
    (void)owned;
    if (!cJSON_IsObject(inputs))
        return yoso_error(YOSO_ERR_INPUT,
                          "\"inputs\" must be an object {\"question\": ..., \"context\": ...}");
    int stride = -2; /* absent: HF's default */
    yoso_status st;
    if ((st = task_input_string(inputs, "question", 1, &r->question)) ||
        (st = task_input_string(inputs, "context", 1, &r->context)) ||
        (st = task_param_int(params, "top_k", 1, 2147483647L, &r->top_k)) ||
        (st = task_param_int(params, "max_answer_len", 1, 2147483647L, &r->max_answer_len)) ||
        (st = task_param_int(params, "max_seq_len", 1, 2147483647L, &r->max_seq_len)) ||
        (st = task_param_int(params, "doc_stride", 0, 2147483647L, &stride)) ||
        (st = task_param_int(params, "max_question_len", 1, 2147483647L, &r->max_question_len)) ||
        (st = task_param_bool(params, "handle_impossible_answer", &r->handle_impossible_answer)))
        return st;
    r->doc_stride = stride == -2 ? 0 : stride == 0 ? YOSO_QA_NO_STRIDE : stride;
    return YOSO_OK;
}

TASK_ADAPT(qa_task, yoso_question_answering, yoso_qa_result_json, yoso_qa_result_release)

static const char *const k_qa_parameters[] = {
    "top_k",      "max_answer_len",   "max_seq_len",
    "doc_stride", "max_question_len", "handle_impossible_answer",
    NULL};

TASK_DEFINE(task_question_answering_def, YOSO_TASK_QUESTION_ANSWERING, "question-answering",
            YOSO_ARCHITECTURE_QUESTION_ANSWERING, NULL, NULL, k_qa_parameters, qa_task,
            yoso_qa_request, yoso_qa_result);

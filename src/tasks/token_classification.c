/* token_classification.c — Hugging Face's token-classification ("ner") pipeline: tokenize with
 * offsets, padded forwards of inputs of like length through the token head, then
 * TokenClassificationPipeline's postprocess: softmax per token, words, B-/I- groups,
 * ignore_labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "task_batch.h"
#include "yoso.h"

static const char *const k_aggregation_names[YOSO_AGGREGATION_COUNT] = {"none", "simple", "first",
                                                                        "average", "max"};

const char *yoso_aggregation_name(yoso_aggregation a) {
    return a >= 0 && a < YOSO_AGGREGATION_COUNT ? k_aggregation_names[a] : NULL;
}

yoso_status yoso_aggregation_find(const char *name, yoso_aggregation *out) {
    for (int a = 0; name && a < YOSO_AGGREGATION_COUNT; a++) {
        if (!strcasecmp(name, k_aggregation_names[a])) {
            *out = (yoso_aggregation)a;
            return YOSO_OK;
        }
    }
    return yoso_error(YOSO_ERR_USAGE,
                      "unknown aggregation strategy '%s': use none, simple, first, average or max",
                      name ? name : "(null)");
}

/* One tokenized request. */
typedef struct ner_input {
    const char *text;
    int32_t *ids;           /* [len] with <s> … </s> */
    yoso_token_span *spans; /* [len] */
    size_t len;
} ner_input;

/* A token or a word on its way to an entity: its best label, that label's score, and the
 * token's scores over every label. */
typedef struct ner_item {
    int label;
    double score;
    int index;           /* the token's position; -1 for a word */
    const char *word;    /* a vocabulary token (not owned) … */
    char *owned;         /* … or a decoded text / the text's own characters (owned) */
    size_t start, end;   /* characters */
    int is_subword;      /* continues the previous token's word */
    const double *probs; /* [num_labels] the token's softmax (tokens only) */
} ner_item;

/* The item's word. */
static const char *ner_word(const ner_item *it) {
    return it->owned ? it->owned : it->word;
}

/* The entity group of a label: what follows its first '-' ("PER" of "B-PER"), else itself
 * (group_sub_entities' split("-", 1)[-1]). */
static const char *ner_group_name(const char *label) {
    const char *dash = strchr(label, '-');
    return dash ? dash + 1 : label;
}

/* HF's get_tag: "B-X" → (B, X), "I-X" → (I, X), anything else → (I, itself). */
static const char *ner_tag(const char *label, int *begins) {
    int prefixed = (label[0] == 'B' || label[0] == 'I') && label[1] == '-';
    *begins = prefixed && label[0] == 'B';
    return prefixed ? label + 2 : label;
}

/* The index of the largest of x[n], the first of equals (numpy's argmax). */
static int ner_argmax(const double *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) best = x[i] > x[best] ? i : best;
    return best;
}

/* Checks one request (names no index): text, strategy, ignore_labels known to the model. */
static yoso_status ner_check_request(const yoso_model *model, const yoso_model_info *info,
                                     const yoso_ner_request *r) {
    if (!r->text) return yoso_error(YOSO_ERR_USAGE, "the request has no text");
    if (!yoso_aggregation_name(r->aggregation))
        return yoso_error(YOSO_ERR_USAGE,
                          "aggregation %d is out of range: use a yoso_aggregation value",
                          (int)r->aggregation);
    if (r->num_ignore_labels < 0 || (r->num_ignore_labels > 0 && !r->ignore_labels))
        return yoso_error(YOSO_ERR_USAGE, "ignore_labels: %d names but no list",
                          r->num_ignore_labels);
    for (int i = 0; r->ignore_labels && i < r->num_ignore_labels; i++) {
        const char *name = r->ignore_labels[i];
        int known = 0;
        for (int k = 0; name && !known && k < info->num_labels; k++) {
            const char *label = yoso_model_label(model, k);
            known = !strcmp(name, label) || !strcmp(name, ner_group_name(label));
        }
        if (!known)
            return yoso_error(
                YOSO_ERR_USAGE,
                "ignore_labels: '%s' is neither a label of this model nor the entity group of one: use one of its id2label names (\"%s\", …) or their tags",
                name ? name : "(null)", yoso_model_label(model, 0));
    }
    return YOSO_OK;
}

/* Tokenizes one checked request with offsets; the message names no index. */
static yoso_status ner_prepare(const yoso_tokenizer *tok, const yoso_model_info *info,
                               const yoso_ner_request *r, ner_input *in) {
    in->text = r->text;
    yoso_status st =
        yoso_tokenizer_encode_offsets(tok, r->text, strlen(r->text), YOSO_TOKENIZE_ADD_SPECIAL, 0,
                                      &in->ids, &in->spans, &in->len);
    if (st != YOSO_OK) return st;
    if (in->len > (size_t)info->max_tokens)
        return yoso_error(
            YOSO_ERR_INPUT,
            "the text is %zu tokens long, more than the limit of %d of this model: shorten it or split it",
            in->len, info->max_tokens);
    return YOSO_OK;
}

/* Whether the byte continues a UTF-8 character. */
static int ner_continuation(char byte) {
    return ((unsigned char)byte & 0xC0) == 0x80;
}

/* gather_pre_entities: every token but <s> and </s> with its softmax (probs[len][L], written
 * here) and whether it continues a word. The tokenizer's BPE has no continuing_subword_prefix,
 * so HF's fallback applies: a token continues the word unless it starts the text or a space is
 * the character before or at its start (in characters: a token holding the second half of "Ä"
 * after a space starts a word, as the one holding its first half does). An <unk> token is its own
 * text and starts a word. */
static yoso_status ner_gather(const yoso_tokenizer *tok, const ner_input *in, const float *logits,
                              int nl, double *probs, ner_item *items, int *count) {
    const int32_t unk = yoso_tokenizer_unk_id(tok);
    *count = 0;
    for (size_t t = 1; t + 1 < in->len; t++) {
        const float *z = logits + t * nl;
        double *p = probs + t * nl;
        for (int k = 0; k < nl; k++) p[k] = z[k];
        task_softmax_f64(p, (size_t)nl);
        const yoso_token_span *s = &in->spans[t];
        ner_item *it = &items[(*count)++];
        memset(it, 0, sizeof *it);
        it->index = (int)t;
        it->word = yoso_tokenizer_id_to_token(tok, in->ids[t]);
        it->start = s->start;
        it->end = s->end;
        it->probs = p;
        /* the characters' bytes: a piece of a multi-byte character belongs to all of it */
        size_t a = s->byte_start, b = s->byte_end;
        while (a > 0 && ner_continuation(in->text[a])) a--;
        while (ner_continuation(in->text[b])) b++;
        it->is_subword = s->start > 0 && in->text[a - 1] != ' ' && in->text[a] != ' ';
        if (in->ids[t] == unk) {
            it->owned = strndup(in->text + a, b - a);
            if (!it->owned) return yoso_error_oom();
            it->is_subword = 0;
        }
    }
    return YOSO_OK;
}

/* aggregate_word: tokens[n] of one word as one item, by the strategy (FIRST, AVERAGE, MAX). */
static yoso_status ner_word_item(const yoso_tokenizer *tok, yoso_aggregation agg, int nl,
                                 const ner_item *tokens, int n, double *mean, ner_item *out) {
    memset(out, 0, sizeof *out);
    out->index = -1;
    out->start = tokens[0].start;
    out->end = tokens[n - 1].end;
    const double *p = tokens[0].probs;
    if (agg == YOSO_AGGREGATION_MAX) {
        int best = 0; /* the first token with the highest top score */
        for (int i = 1; i < n; i++)
            if (tokens[i].probs[ner_argmax(tokens[i].probs, nl)] >
                tokens[best].probs[ner_argmax(tokens[best].probs, nl)])
                best = i;
        p = tokens[best].probs;
    } else if (agg == YOSO_AGGREGATION_AVERAGE) {
        for (int k = 0; k < nl; k++) {
            mean[k] = 0;
            for (int i = 0; i < n; i++) mean[k] += tokens[i].probs[k];
            mean[k] /= n;
        }
        p = mean;
    }
    out->label = ner_argmax(p, nl);
    out->score = p[out->label];
    const char **words = malloc((size_t)n * sizeof *words);
    if (!words) return yoso_error_oom();
    for (int i = 0; i < n; i++) words[i] = ner_word(&tokens[i]);
    yoso_status st = yoso_tokenizer_tokens_to_string(tok, words, (size_t)n, &out->owned);
    free(words);
    return st;
}

/* aggregate_words: the tokens regrouped into words (a subword joins the word before it). */
static yoso_status ner_words(const yoso_tokenizer *tok, yoso_aggregation agg, int nl,
                             const ner_item *tokens, int n, ner_item *words, int *count) {
    double *mean = malloc((size_t)nl * sizeof *mean);
    yoso_status st = mean ? YOSO_OK : yoso_error_oom();
    *count = 0;
    for (int i = 0; st == YOSO_OK && i < n;) {
        int j = i + 1;
        while (j < n && tokens[j].is_subword) j++;
        st = ner_word_item(tok, agg, nl, tokens + i, j - i, mean, &words[(*count)++]);
        i = j;
    }
    free(mean);
    return st;
}

/* Whether the name is dropped by the request's ignore_labels (NULL: HF's ["O"]). */
static int ner_ignored(const yoso_ner_request *r, const char *name) {
    if (!r->ignore_labels) return !strcmp(name, "O");
    for (int i = 0; i < r->num_ignore_labels; i++)
        if (!strcmp(name, r->ignore_labels[i])) return 1;
    return 0;
}

/* Appends one entity to the result (copies the strings). */
static yoso_status ner_emit(yoso_ner_result *res, const char *entity, double score, int index,
                            const char *word, size_t start, size_t end) {
    yoso_ner_entity *e = &res->entities[res->count];
    e->entity = strdup(entity);
    e->word = strdup(word);
    e->score = score;
    e->index = index;
    e->start = start;
    e->end = end;
    res->count++; /* released with the result even when a copy failed */
    return e->entity && e->word ? YOSO_OK : yoso_error_oom();
}

/* group_sub_entities: items[n] of one group as an entity (mean score, decoded words). */
static yoso_status ner_emit_group(const yoso_model *model, const yoso_tokenizer *tok,
                                  const yoso_ner_request *r, const ner_item *items, int n,
                                  yoso_ner_result *res) {
    const char *group = ner_group_name(yoso_model_label(model, items[0].label));
    if (ner_ignored(r, group)) return YOSO_OK;
    double sum = 0;
    const char **words = malloc((size_t)n * sizeof *words);
    if (!words) return yoso_error_oom();
    for (int i = 0; i < n; i++) {
        sum += items[i].score;
        words[i] = ner_word(&items[i]);
    }
    char *text = NULL;
    yoso_status st = yoso_tokenizer_tokens_to_string(tok, words, (size_t)n, &text);
    if (st == YOSO_OK)
        st = ner_emit(res, group, sum / n, -1, text, items[0].start, items[n - 1].end);
    free(text);
    free(words);
    return st;
}

/* group_entities: runs of items with one tag, each run broken where a B- tag begins. */
static yoso_status ner_groups(const yoso_model *model, const yoso_tokenizer *tok,
                              const yoso_ner_request *r, const ner_item *items, int n,
                              yoso_ner_result *res) {
    yoso_status st = YOSO_OK;
    for (int i = 0; st == YOSO_OK && i < n;) {
        int j = i + 1, begins;
        while (j < n) {
            const char *tag = ner_tag(yoso_model_label(model, items[j].label), &begins);
            int last_begins;
            const char *last = ner_tag(yoso_model_label(model, items[j - 1].label), &last_begins);
            if (begins || strcmp(tag, last) != 0) break;
            j++;
        }
        st = ner_emit_group(model, tok, r, items + i, j - i, res);
        i = j;
    }
    return st;
}

/* Frees the items' owned words. */
static void ner_items_release(ner_item *items, int n) {
    for (int i = 0; items && i < n; i++) free(items[i].owned);
}

/* postprocess: one request's entities from its logits ([len, L]). */
static yoso_status ner_postprocess(const yoso_model *model, const yoso_tokenizer *tok,
                                   const yoso_ner_request *r, const ner_input *in,
                                   const float *logits, int nl, yoso_ner_result *res) {
    const yoso_aggregation agg = r->aggregation;
    res->aggregation = agg;
    double *probs = malloc(in->len * nl * sizeof *probs);   /* [len, L] */
    ner_item *tokens = calloc(in->len, sizeof *tokens);     /* [len - 2] */
    ner_item *words = calloc(in->len, sizeof *words);       /* [len - 2] */
    res->entities = calloc(in->len, sizeof *res->entities); /* at most one per token */
    int ntok = 0, nwords = 0;
    yoso_status st = probs && tokens && words && res->entities ? YOSO_OK : yoso_error_oom();
    if (st == YOSO_OK) st = ner_gather(tok, in, logits, nl, probs, tokens, &ntok);
    for (int i = 0; st == YOSO_OK && i < ntok; i++) {
        ner_item *it = &tokens[i];
        it->label = ner_argmax(it->probs, nl);
        it->score = it->probs[it->label];
        const char *label = yoso_model_label(model, it->label);
        if (agg == YOSO_AGGREGATION_NONE && !ner_ignored(r, label))
            st = ner_emit(res, label, it->score, it->index, ner_word(it), it->start, it->end);
    }
    if (st == YOSO_OK && agg == YOSO_AGGREGATION_SIMPLE)
        st = ner_groups(model, tok, r, tokens, ntok, res);
    if (st == YOSO_OK && agg >= YOSO_AGGREGATION_FIRST) {
        st = ner_words(tok, agg, nl, tokens, ntok, words, &nwords);
        if (st == YOSO_OK) st = ner_groups(model, tok, r, words, nwords, res);
    }
    ner_items_release(tokens, ntok);
    ner_items_release(words, nwords);
    free(tokens);
    free(words);
    free(probs);
    return st;
}

yoso_status yoso_token_classification(yoso_model *model, const yoso_tokenizer *tok,
                                      const yoso_ner_request *requests, int count,
                                      yoso_ner_result *results) {
    yoso_model_info info;
    yoso_status st = task_check_model(model, tok, YOSO_TASK_TOKEN_CLASSIFICATION, requests, count,
                                      results, sizeof *results, &info);
    if (st != YOSO_OK) return st;
    const int nl = info.num_labels;
    ner_input *in = calloc((size_t)count, sizeof *in);
    int32_t **rows = calloc((size_t)count, sizeof *rows); /* [count] in[i].ids */
    size_t *lens = calloc((size_t)count, sizeof *lens);   /* [count] in[i].len */
    float *logits = NULL;                                 /* [count, seq, L] */
    int seq = 0;                                          /* the longest input */
    if (!in || !rows || !lens) st = yoso_error_oom();
    for (int i = 0; i < count && st == YOSO_OK; i++) {
        st = ner_check_request(model, &info, &requests[i]);
        if (st == YOSO_OK) st = ner_prepare(tok, &info, &requests[i], &in[i]);
        if (st != YOSO_OK) yoso_error_prefix(st, YOSO_INPUT_PREFIX, i);
        rows[i] = in[i].ids;
        lens[i] = in[i].len;
        seq = (int)lens[i] > seq ? (int)lens[i] : seq;
    }
    const task_rows batch = {rows, lens, count};
    if (st == YOSO_OK && !(logits = malloc((size_t)count * seq * nl * sizeof(float))))
        st = yoso_error_oom();
    if (st == YOSO_OK)
        st = task_rows_forward(model, tok, yoso_model_head_logits, &batch, seq, (size_t)nl, logits);
    for (int i = 0; i < count && st == YOSO_OK; i++)
        st = ner_postprocess(model, tok, &requests[i], &in[i], logits + (size_t)i * seq * nl, nl,
                             &results[i]);
    if (st != YOSO_OK)
        for (int i = 0; i < count; i++) yoso_ner_result_release(&results[i]);
    for (int i = 0; in && i < count; i++) {
        free(in[i].ids);
        free(in[i].spans);
    }
    free(in);
    free(rows);
    free(lens);
    free(logits);
    return st;
}

void yoso_ner_result_release(yoso_ner_result *r) {
    if (!r) return;
    for (int i = 0; r->entities && i < r->count; i++) {
        free(r->entities[i].entity);
        free(r->entities[i].word);
    }
    free(r->entities);
    memset(r, 0, sizeof *r);
}

/* added_tokens.c — added/special tokens (<s>, <mask>, …): registry and the split of the raw text,
 * following HF tokenizers' AddedVocabulary (leftmost-longest matches, lstrip/rstrip/single_word,
 * non-normalized tokens first, then normalized ones on what is left). */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Returns the registered token with this content, or NULL. */
const tok_added *tok_added_find(const yoso_tokenizer *tok, const char *content, size_t len) {
    for (size_t i = 0; i < tok->added_count; i++)
        if (tok->added[i].len == len && !memcmp(tok->added[i].content, content, len))
            return &tok->added[i];
    return NULL;
}

/* Adds a token or upgrades a default registration with explicit flags. */
yoso_status tok_added_register(yoso_tokenizer *tok, const char *content, size_t len, int32_t id,
                               const tok_added *flags) {
    if (len == 0) return YOSO_OK; /* HF ignores empty added tokens */
    tok_added *old = (tok_added *)tok_added_find(tok, content, len);
    if (old) {
        if (flags->explicit_set && !old->explicit_set) {
            char *keep = old->content;
            *old = *flags;
            old->content = keep;
            old->len = len;
            old->id = id;
        }
        return YOSO_OK;
    }
    if (tok->added_count == tok->added_cap) {
        size_t cap = tok->added_cap ? tok->added_cap * 2 : 16;
        tok_added *grown = realloc(tok->added, cap * sizeof *grown);
        if (!grown) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
        tok->added = grown;
        tok->added_cap = cap;
    }
    tok_added *t = &tok->added[tok->added_count];
    *t = *flags;
    t->content = malloc(len + 1);
    if (!t->content) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    memcpy(t->content, content, len);
    t->content[len] = '\0';
    t->len = len;
    t->id = id;
    tok->added_count++;
    return YOSO_OK;
}

/* Grows the per-id arrays so that every added token's id has a slot. */
static yoso_status added_grow_ids(yoso_tokenizer *tok) {
    size_t need = tok->id_count;
    for (size_t i = 0; i < tok->added_count; i++)
        if ((size_t)tok->added[i].id + 1 > need) need = (size_t)tok->added[i].id + 1;
    if (need == tok->id_count) return YOSO_OK;
    char **tokens = realloc(tok->id_tokens, need * sizeof *tokens);
    if (tokens) tok->id_tokens = tokens;
    uint32_t *lens = realloc(tok->id_token_len, need * sizeof *lens);
    if (lens) tok->id_token_len = lens;
    if (!tokens || !lens) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    for (size_t id = tok->id_count; id < need; id++) {
        tok->id_tokens[id] = NULL;
        tok->id_token_len[id] = 0;
    }
    tok->id_count = need;
    return YOSO_OK;
}

/* Builds the first-byte table, the per-id flags and, if needed, the \w regex. */
yoso_status tok_added_finish(yoso_tokenizer *tok) {
    yoso_status st = added_grow_ids(tok);
    if (st) return st;
    free(tok->id_flags);
    tok->id_flags = calloc(tok->id_count, 1);
    if (!tok->id_flags) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    memset(tok->added_first, 0, sizeof tok->added_first);
    tok->has_single_word = 0;
    for (size_t i = 0; i < tok->added_count; i++) {
        tok_added *t = &tok->added[i];
        tok->added_first[(uint8_t)t->content[0]] = 1;
        tok->has_single_word |= t->single_word;
        if (tok->id_flags[t->id] & TOK_ID_ADDED) continue; /* an alias: the first one decodes */
        tok->id_flags[t->id] = (uint8_t)(TOK_ID_ADDED | (t->special ? TOK_ID_SPECIAL : 0));
        tok->id_tokens[t->id] = t->content; /* HF: the added content wins over the vocabulary */
        tok->id_token_len[t->id] = (uint32_t)t->len;
    }
    if (tok->has_single_word && !tok->word_re) {
        /* Rust regex's Unicode \w: Alphabetic, marks, decimal digits, connectors, joiners */
        static const char k_word[] = "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}]";
        int err;
        PCRE2_SIZE off;
        tok->word_re = pcre2_compile((PCRE2_SPTR)k_word, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &err, &off, NULL);
        if (!tok->word_re) /* an older PCRE2 without binary properties: its own \w */
            tok->word_re = pcre2_compile((PCRE2_SPTR) "\\w", PCRE2_ZERO_TERMINATED,
                                         PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &err, &off, NULL);
        if (!tok->word_re)
            return yoso_error(YOSO_ERR_UNSUPPORTED, "tokenizer: PCRE2 cannot compile \\w");
    }
    return YOSO_OK;
}

/* 1 if the character starting at text[at] is a word character (\w). */
static int added_is_word_at(const yoso_tokenizer *tok, const char *text, size_t len, size_t at) {
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md) return 0;
    int rc = pcre2_match(tok->word_re, (PCRE2_SPTR)text, len, at, PCRE2_NO_UTF_CHECK, md, NULL);
    pcre2_match_data_free(md);
    return rc > 0;
}

/* Offset of the character that ends at text[end] (valid UTF-8, end > 0). */
static size_t added_prev_char(const char *text, size_t end) {
    size_t i = end - 1;
    while (i > 0 && ((uint8_t)text[i] & 0xC0) == 0x80) i--;
    return i;
}

/* Appends one segment (empty text segments are dropped). */
static yoso_status added_push(tok_segments *out, size_t start, size_t end, int32_t id) {
    if (id < 0 && start == end) return YOSO_OK;
    if (out->len == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        tok_segment *grown = realloc(out->data, cap * sizeof *grown);
        if (!grown) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
        out->data = grown;
        out->cap = cap;
    }
    out->data[out->len++] = (tok_segment){start, end, id};
    return YOSO_OK;
}

/* The longest token of the pass (normalized or not) that matches at text[at], or NULL. */
static const tok_added *added_match_at(const yoso_tokenizer *tok, const char *text, size_t end,
                                       size_t at, int normalized) {
    const tok_added *best = NULL;
    for (size_t i = 0; i < tok->added_count; i++) {
        const tok_added *t = &tok->added[i];
        if (t->normalized != normalized || t->len > end - at || (best && t->len <= best->len))
            continue;
        if (!memcmp(text + at, t->content, t->len)) best = t;
    }
    return best;
}

/* HF find_matches on text[seg_start, seg_end) for one pass; appends segments to out. */
static yoso_status added_split_range(const yoso_tokenizer *tok, const char *text, size_t seg_start,
                                     size_t seg_end, int normalized, tok_segments *out) {
    size_t done = seg_start; /* start_offset: everything before it is already emitted */
    size_t at = seg_start;
    yoso_status st;
    while (at < seg_end) {
        if (!tok->added_first[(uint8_t)text[at]]) {
            at++;
            continue;
        }
        const tok_added *t = added_match_at(tok, text, seg_end, at, normalized);
        if (!t) {
            at++;
            continue;
        }
        size_t start = at, stop = at + t->len;
        at = stop;
        if (t->single_word) {
            int word_before = start > seg_start &&
                              added_is_word_at(tok, text, seg_end, added_prev_char(text, start));
            int word_after = stop < seg_end && added_is_word_at(tok, text, seg_end, stop);
            if (word_before || word_after) continue;
        }
        if (t->lstrip) {
            size_t s = start;
            while (s > done) {
                size_t p = added_prev_char(text, s), n;
                if (p < done) break;
                if (!tok_is_white_space(tok_utf8_decode((const uint8_t *)text + p, s - p, &n)))
                    break;
                s = p;
            }
            start = s;
        }
        if (t->rstrip) {
            while (stop < seg_end) {
                size_t n;
                uint32_t cp = tok_utf8_decode((const uint8_t *)text + stop, seg_end - stop, &n);
                if (!tok_is_white_space(cp)) break;
                stop += n;
            }
            at = stop;
        }
        if ((st = added_push(out, done, start, -1))) return st;
        if ((st = added_push(out, start, stop, t->id))) return st;
        done = stop;
    }
    return added_push(out, done, seg_end, -1);
}

/* Splits the text in HF's two passes: non-normalized tokens, then normalized ones. */
yoso_status tok_added_split(const yoso_tokenizer *tok, const char *text, size_t len,
                            tok_segments *out) {
    int has[2] = {0, 0};
    for (size_t i = 0; i < tok->added_count; i++) has[tok->added[i].normalized != 0] = 1;
    out->len = 0;
    if (!has[0] || !has[1]) /* one pass does it (RoBERTa: all specials are non-normalized) */
        return added_split_range(tok, text, 0, len, has[1], out);
    tok_segments first = {0};
    yoso_status st = added_split_range(tok, text, 0, len, 0, &first);
    for (size_t i = 0; !st && i < first.len; i++) {
        tok_segment s = first.data[i];
        st = s.id >= 0 ? added_push(out, s.start, s.end, s.id)
                       : added_split_range(tok, text, s.start, s.end, 1, out);
    }
    free(first.data);
    return st;
}

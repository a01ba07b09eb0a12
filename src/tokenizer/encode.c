/* encode.c — text → ids: UTF-8 check, added-token split, GPT-2 pre-tokenization, cached BPE,
 * <s> … </s>, and the length limit (error or truncation). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Allocates the per-call working memory. */
yoso_status tok_workspace_create(const yoso_tokenizer *tok, tok_workspace **out) {
    tok_workspace *ws = calloc(1, sizeof *ws);
    if (ws) ws->md = pcre2_match_data_create_from_pattern(tok->split_re, NULL);
    if (!ws || !ws->md) {
        tok_workspace_free(ws);
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory for a workspace");
    }
    *out = ws;
    return YOSO_OK;
}

/* Releases a workspace (NULL is fine). */
void tok_workspace_free(tok_workspace *ws) {
    if (!ws) return;
    pcre2_match_data_free(ws->md);
    tok_bpe_scratch_free(&ws->bpe);
    free(ws->segments.data);
    free(ws->prefixed);
    free(ws);
}

typedef struct encode_ctx {
    const yoso_tokenizer *tok;
    tok_workspace *ws;
    tok_bpe_cache *cache; /* NULL when another thread holds the shared cache */
    tok_ids *out;
    tok_ids *spans;        /* NULL, or [3 · out->len] byte start, end and word of each id */
    int32_t word;          /* the next word's index (HF's word_ids: a piece or an added token) */
    const uint8_t *pieces; /* the buffer the pre-tokenizer's pieces point into */
    long shift;            /* input offset of pieces[0] (−1 after an added prefix space) */
    long prefix_end;       /* after an added prefix space: where the segment's first character
                              ends (HF aligns the space with it); else −1 */
} encode_ctx;

/* Appends the byte span [start, end) and the word (−1: a template special) of one token; no-op
 * unless spans are asked for. */
static yoso_status encode_span(encode_ctx *c, long start, long end, int32_t word) {
    if (!c->spans) return YOSO_OK;
    const int32_t span[3] = {(int32_t)(start < 0 ? 0 : start), (int32_t)(end < 0 ? 0 : end), word};
    return tok_ids_append(c->spans, span, 3);
}

/* The byte span of an added token's match [start, end) without the white space its lstrip /
 * rstrip absorbed: HF's span is the token's content alone. */
static void encode_added_span(const uint8_t *text, size_t *start, size_t *end) {
    size_t n;
    while (*start < *end) {
        uint32_t cp = tok_utf8_decode(text + *start, *end - *start, &n);
        if (!tok_is_white_space(cp)) break;
        *start += n;
    }
    while (*end > *start) {
        size_t back = 1;
        while (back < *end - *start && (text[*end - back] & 0xC0) == 0x80) back++;
        uint32_t cp = tok_utf8_decode(text + *end - back, back, &n);
        if (!tok_is_white_space(cp)) break;
        *end -= back;
    }
}

/* Records the spans of the ids a piece at `piece` just appended from index `first` on: each
 * byte-level token covers as many input bytes as it decodes to; the piece is one word. */
static yoso_status encode_piece_spans(encode_ctx *c, const uint8_t *piece, size_t first) {
    const int32_t word = c->word++;
    if (!c->spans) return YOSO_OK;
    long at = (long)(piece - c->pieces) + c->shift;
    for (size_t i = first; i < c->out->len; i++) {
        const int32_t id = c->out->data[i];
        const long n = (long)(c->tok->dec_off[id + 1] - c->tok->dec_off[id]);
        long start = at, end = at + n;
        if (at == c->shift && c->prefix_end >= 0) { /* the token holding the added space */
            start = at + 1;
            if (end < c->prefix_end) end = c->prefix_end;
        }
        yoso_status st = encode_span(c, start, end, word);
        if (st) return st;
        at += n;
    }
    return YOSO_OK;
}

/* Appends the ids of one pre-tokenized piece, through the cache. */
static yoso_status encode_piece(void *ctx, const uint8_t *piece, size_t len) {
    encode_ctx *c = ctx;
    const size_t before = c->out->len;
    const int32_t *cached;
    size_t n;
    yoso_status st;
    if (len == 1)
        st = tok_ids_append(c->out, &c->tok->byte_ids[piece[0]], 1);
    else if (c->cache && tok_bpe_cache_get(c->cache, piece, len, &cached, &n))
        st = tok_ids_append(c->out, cached, n);
    else {
        st = tok_bpe_word(c->tok, &c->ws->bpe, piece, len, c->out);
        if (!st && c->cache)
            tok_bpe_cache_put(c->cache, piece, len, c->out->data + before, c->out->len - before);
    }
    return st ? st : encode_piece_spans(c, piece, before);
}

/* Pre-tokenizes and encodes one plain-text segment (with HF's prefix space if configured). */
static yoso_status encode_segment(encode_ctx *c, const uint8_t *text, size_t len, size_t at) {
    c->pieces = text;
    c->shift = (long)at;
    c->prefix_end = -1;
    if (c->tok->add_prefix_space && text[0] != ' ') {
        tok_workspace *ws = c->ws;
        if (ws->prefixed_cap < len + 1) {
            uint8_t *grown = realloc(ws->prefixed, len + 1);
            if (!grown) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
            ws->prefixed = grown;
            ws->prefixed_cap = len + 1;
        }
        ws->prefixed[0] = ' ';
        memcpy(ws->prefixed + 1, text, len);
        text = ws->prefixed;
        len++;
        c->pieces = text;
        c->shift = (long)at - 1;
        size_t first;
        tok_utf8_decode(text + 1, len - 1, &first);
        c->prefix_end = (long)(at + first);
    }
    return tok_pretok_split(c->tok, c->ws->md, text, len, encode_piece, c);
}

/* Reports invalid UTF-8 with the offset and the offending bytes. */
static yoso_status encode_bad_utf8(const uint8_t *text, size_t len, size_t at) {
    char hex[32] = "";
    size_t n = len - at < 4 ? len - at : 4, used = 0;
    for (size_t i = 0; i < n; i++)
        used +=
            (size_t)snprintf(hex + used, sizeof hex - used, "%s0x%02X", i ? " " : "", text[at + i]);
    return yoso_error(YOSO_ERR_INPUT,
                      "input is not valid UTF-8 at byte %zu (%s%s): pass UTF-8 text", at, hex,
                      len - at > 4 ? " …" : "");
}

/* Runs the whole pipeline into out (specials included when asked). */
static yoso_status encode_run(const yoso_tokenizer *tok, tok_workspace *ws, tok_bpe_cache *cache,
                              const uint8_t *text, size_t len, int flags, tok_ids *out,
                              tok_ids *spans) {
    encode_ctx c = {.tok = tok, .ws = ws, .cache = cache, .out = out, .spans = spans};
    yoso_status st;
    const int special = (flags & YOSO_TOKENIZE_ADD_SPECIAL) != 0;
    if (special &&
        ((st = tok_ids_append(out, &tok->cls_id, 1)) || (st = encode_span(&c, 0, 0, -1))))
        return st;
    if ((st = tok_added_split(tok, (const char *)text, len, &ws->segments))) return st;
    for (size_t i = 0; i < ws->segments.len; i++) {
        tok_segment s = ws->segments.data[i];
        if (s.id >= 0) {
            size_t start = s.start, end = s.end;
            if (spans) encode_added_span(text, &start, &end);
            st = tok_ids_append(out, &s.id, 1);
            if (!st) st = encode_span(&c, (long)start, (long)end, c.word++);
        } else
            st = encode_segment(&c, text + s.start, s.end - s.start, s.start);
        if (st) return st;
    }
    if (special &&
        ((st = tok_ids_append(out, &tok->sep_id, 1)) || (st = encode_span(&c, 0, 0, -1))))
        return st;
    return YOSO_OK;
}

/* Applies max_length: an error, or HF's truncation (keep the head, end with </s>). */
static yoso_status encode_limit(const yoso_tokenizer *tok, int flags, size_t max_length,
                                tok_ids *out, tok_ids *spans) {
    if (max_length == 0 || out->len <= max_length) return YOSO_OK;
    int special = (flags & YOSO_TOKENIZE_ADD_SPECIAL) != 0;
    if (!(flags & YOSO_TOKENIZE_TRUNCATE))
        return yoso_error(
            YOSO_ERR_INPUT,
            "the text is %zu tokens long, more than the limit of %zu: shorten it, or truncate it (--truncate)",
            out->len, max_length);
    if (special && max_length < 2)
        return yoso_error(YOSO_ERR_USAGE,
                          "max_length %zu leaves no room for <s> and </s>: use at least 2",
                          max_length);
    out->len = max_length;
    if (special) out->data[max_length - 1] = tok->sep_id;
    if (spans) {
        spans->len = 3 * max_length;
        if (special) {
            int32_t *last = spans->data + 3 * (max_length - 1);
            last[0] = last[1] = 0;
            last[2] = -1;
        }
    }
    return YOSO_OK;
}

/* Encodes text into out (and, when spans is not NULL, each id's byte span into spans). */
yoso_status tok_encode(const yoso_tokenizer *tok, const char *text, size_t len, int flags,
                       size_t max_length, tok_ids *out, tok_ids *spans) {
    if ((flags & YOSO_TOKENIZE_ADD_SPECIAL) && (tok->cls_id < 0 || tok->sep_id < 0))
        return yoso_error(YOSO_ERR_UNSUPPORTED,
                          "this tokenizer defines no <s>/</s> (cls/sep) tokens to add");
    size_t bad_at;
    if (!tok_utf8_validate((const uint8_t *)text, len, &bad_at))
        return encode_bad_utf8((const uint8_t *)text, len, bad_at);
    /* the shared workspace and cache go to whichever call gets the lock; others work alone */
    yoso_tokenizer *shared = (yoso_tokenizer *)tok; /* only the lock and what it guards */
    int locked = pthread_mutex_trylock(&shared->lock) == 0;
    tok_workspace *ws = locked ? tok->shared_ws : NULL;
    yoso_status st = locked ? YOSO_OK : tok_workspace_create(tok, &ws);
    if (!st)
        st = encode_run(tok, ws, locked ? tok->cache : NULL, (const uint8_t *)text, len, flags, out,
                        spans);
    if (locked)
        pthread_mutex_unlock(&shared->lock);
    else
        tok_workspace_free(ws);
    if (!st) st = encode_limit(tok, flags, max_length, out, spans);
    return st;
}

/* Encodes UTF-8 text into ids (see yoso.h). */
yoso_status yoso_tokenizer_encode(const yoso_tokenizer *tok, const char *text, size_t len,
                                  int flags, size_t max_length, int32_t **ids, size_t *count) {
    if (!tok || !ids || !count || (!text && len))
        return yoso_error(YOSO_ERR_USAGE,
                          "yoso_tokenizer_encode: tokenizer, text, ids and count must not be NULL");
    *ids = NULL;
    *count = 0;
    tok_ids out = {malloc(64 * sizeof(int32_t)), 0, 64}; /* never NULL on success */
    if (!out.data) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    yoso_status st = tok_encode(tok, text, len, flags, max_length, &out, NULL);
    if (st) {
        free(out.data);
        return st;
    }
    *ids = out.data;
    *count = out.len;
    return YOSO_OK;
}

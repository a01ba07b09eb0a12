/* offsets.c — where each token came from: byte spans from the encoder, trimmed of the spaces
 * byte-level tokens carry (HF's ByteLevel process_offsets), then counted in characters as
 * Hugging Face's offset_mapping is. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* How many "Ġ" (the byte-level space, U+0120) the vocabulary string s of n bytes starts with
 * (from_end 0) or ends with (from_end 1). */
static size_t offsets_spaces(const char *s, size_t n, int from_end) {
    size_t count = 0;
    while (n >= 2) {
        const char *p = from_end ? s + n - 2 : s + 2 * count;
        if ((unsigned char)p[0] != 0xC4 || (unsigned char)p[1] != 0xA0) break;
        count++;
        n -= 2;
    }
    return count;
}

/* HF's process_offsets: a token's leading / trailing spaces leave its span, except the one
 * space add_prefix_space put before the first token. `index` counts the text's tokens. */
static void offsets_trim(const yoso_tokenizer *tok, int32_t id, size_t index, int prefix_space,
                         size_t *start, size_t *end) {
    const char *s = tok->id_tokens[id];
    if (!s) return;
    const size_t n = tok->id_token_len[id];
    size_t lead = offsets_spaces(s, n, 0), trail = offsets_spaces(s, n, 1);
    if (lead > 0) {
        if ((index == 0 || *start == 0) && prefix_space && lead == 1) lead = 0;
        *start = *start + lead < *end ? *start + lead : *end;
    }
    if (trail > 0 && *end >= trail) *end = *end - trail > *start ? *end - trail : *start;
}

/* The character index of byte `at` of text: characters that start before it; a byte inside a
 * character belongs to that character (round_up 0) or counts it as covered (round_up 1). */
static size_t offsets_char_index(const uint8_t *text, size_t len, size_t at, int round_up,
                                 size_t *cursor_byte, size_t *cursor_char) {
    /* the cursor walks forward; spans arrive in nearly increasing order, so restart if needed */
    if (at < *cursor_byte) *cursor_byte = *cursor_char = 0;
    while (*cursor_byte < at && *cursor_byte < len) {
        if ((text[*cursor_byte] & 0xC0) != 0x80) (*cursor_char)++;
        (*cursor_byte)++;
    }
    size_t chars = *cursor_char; /* characters starting in [0, at) */
    const int inside = at < len && (text[at] & 0xC0) == 0x80;
    return inside && !round_up ? chars - 1 : chars;
}

yoso_status yoso_tokenizer_encode_offsets(const yoso_tokenizer *tok, const char *text, size_t len,
                                          int flags, size_t max_length, int32_t **ids,
                                          yoso_token_span **spans, size_t *count) {
    if (!tok || !ids || !spans || !count || (!text && len))
        return yoso_error(
            YOSO_ERR_USAGE,
            "yoso_tokenizer_encode_offsets: tokenizer, text, ids, spans and count must not be NULL");
    *ids = NULL;
    *spans = NULL;
    *count = 0;
    tok_ids out = {malloc(64 * sizeof(int32_t)), 0, 64};
    tok_ids bytes = {malloc(192 * sizeof(int32_t)), 0, 192};
    yoso_token_span *result = NULL;
    yoso_status st = YOSO_OK;
    if (!out.data || !bytes.data) {
        st = yoso_error_oom();
        goto fail;
    }
    st = tok_encode(tok, text, len, flags, max_length, &out, &bytes);
    if (st) goto fail;
    result = calloc(out.len ? out.len : 1, sizeof *result);
    if (!result) {
        st = yoso_error_oom();
        goto fail;
    }
    const int prefix_space =
        tok->post_prefix_space >= 0 ? tok->post_prefix_space : tok->add_prefix_space;
    const int special = (flags & YOSO_TOKENIZE_ADD_SPECIAL) != 0;
    size_t cursor_byte = 0, cursor_char = 0;
    for (size_t i = 0; i < out.len; i++) {
        yoso_token_span *r = &result[i];
        r->byte_start = (size_t)bytes.data[3 * i];
        r->byte_end = (size_t)bytes.data[3 * i + 1];
        r->word = bytes.data[3 * i + 2] < 0 ? YOSO_NO_WORD : (size_t)bytes.data[3 * i + 2];
        const int templ = special && (i == 0 || i + 1 == out.len); /* <s>, </s>: 0, 0 */
        if (templ) continue;
        if (!tok->keep_offsets)
            offsets_trim(tok, out.data[i], i - (size_t)special, prefix_space, &r->byte_start,
                         &r->byte_end);
        const uint8_t *t = (const uint8_t *)text;
        r->start = offsets_char_index(t, len, r->byte_start, 0, &cursor_byte, &cursor_char);
        r->end = offsets_char_index(t, len, r->byte_end, 1, &cursor_byte, &cursor_char);
    }
    *ids = out.data;
    *spans = result;
    *count = out.len;
    free(bytes.data);
    return YOSO_OK;
fail:
    free(out.data);
    free(bytes.data);
    free(result);
    return st;
}

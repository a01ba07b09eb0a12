/* decode.c — ids → text like HF: each token's characters back to bytes (ByteLevel decoder),
 * specials optionally skipped, then UTF-8 with each invalid stretch as U+FFFD (errors=replace). */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Bytes of one token string after the ByteLevel decoder: every character through the byte map,
 * or, if any character is outside it, the string's own UTF-8 bytes. Returns the length; writes
 * to out when out is not NULL. */
static size_t decode_token_bytes(const char *token, size_t len, uint8_t *out) {
    size_t n = 0, at = 0;
    int mapped = 1;
    while (at < len) {
        size_t step;
        uint32_t cp = tok_utf8_decode((const uint8_t *)token + at, len - at, &step);
        int b = tok_cp_to_byte(cp);
        if (b < 0) {
            mapped = 0;
            break;
        }
        if (out) out[n] = (uint8_t)b;
        n++;
        at += step;
    }
    if (mapped) return n;
    if (out) memcpy(out, token, len);
    return len;
}

/* Precomputes every id's decoded bytes into one arena. */
yoso_status tok_decode_prepare(yoso_tokenizer *tok) {
    tok->dec_off = malloc((tok->id_count + 1) * sizeof *tok->dec_off);
    if (!tok->dec_off) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    size_t total = 0;
    for (size_t id = 0; id < tok->id_count; id++) {
        tok->dec_off[id] = (uint32_t)total;
        if (tok->id_tokens[id])
            total += decode_token_bytes(tok->id_tokens[id], tok->id_token_len[id], NULL);
    }
    tok->dec_off[tok->id_count] = (uint32_t)total;
    tok->dec_bytes = malloc(total ? total : 1);
    if (!tok->dec_bytes) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    for (size_t id = 0; id < tok->id_count; id++)
        if (tok->id_tokens[id])
            decode_token_bytes(tok->id_tokens[id], tok->id_token_len[id],
                               tok->dec_bytes + tok->dec_off[id]);
    return YOSO_OK;
}

/* Replaces every `from` by the shorter-or-equal `to`, left to right, in place (Python's
 * str.replace); returns the new length. */
static size_t decode_replace_all(char *s, size_t len, const char *from, const char *to) {
    size_t from_len = strlen(from), to_len = strlen(to), r = 0, w = 0;
    while (r < len) {
        if (r + from_len <= len && !memcmp(s + r, from, from_len)) {
            memmove(s + w, to, to_len);
            w += to_len;
            r += from_len;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return w;
}

/* transformers' clean_up_tokenization: ten replacements, in this order. */
static void decode_clean_up(char *s, size_t len) {
    static const char *const k_pairs[][2] = {
        {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (size_t i = 0; i < sizeof k_pairs / sizeof k_pairs[0]; i++)
        len = decode_replace_all(s, len, k_pairs[i][0], k_pairs[i][1]);
}

/* Turns bytes[n] (malloc'ed, freed here) into malloc'ed UTF-8 *text, each invalid stretch as
 * U+FFFD (errors=replace), NUL-terminated; *len gets its length. */
static yoso_status decode_finish(uint8_t *bytes, size_t n, char **text, size_t *len) {
    char *out = malloc(3 * n + 1); /* ≤ 3 bytes per input byte */
    if (!out) {
        free(bytes);
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory decoding %zu bytes", n);
    }
    size_t w = 0;
    for (size_t r = 0; r < n;) {
        size_t bad = tok_utf8_invalid_run(bytes + r, n - r);
        if (bad) {
            memcpy(out + w, "\xEF\xBF\xBD", 3); /* U+FFFD */
            w += 3;
            r += bad;
        } else {
            size_t step;
            tok_utf8_decode(bytes + r, n - r, &step);
            memcpy(out + w, bytes + r, step);
            w += step;
            r += step;
        }
    }
    out[w] = '\0';
    free(bytes);
    *text = out;
    *len = w;
    return YOSO_OK;
}

/* Decodes ids with YOSO_DECODE_* flags. */
yoso_status yoso_tokenizer_decode_ex(const yoso_tokenizer *tok, const int32_t *ids, size_t count,
                                     int flags, char **text) {
    if (!tok || !text || (!ids && count))
        return yoso_error(YOSO_ERR_USAGE,
                          "yoso_tokenizer_decode: tokenizer, ids and text must not be NULL");
    *text = NULL;
    int skip = (flags & YOSO_DECODE_SKIP_SPECIAL) != 0;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        int32_t id = ids[i];
        if (id < 0 || (size_t)id >= tok->id_count || !tok->id_tokens[id])
            return yoso_error(YOSO_ERR_INPUT,
                              "id %d at position %zu is not in the vocabulary (ids are 0..%zu)", id,
                              i, tok->id_count - 1);
        if (!(skip && (tok->id_flags[id] & TOK_ID_SPECIAL)))
            total += tok->dec_off[id + 1] - tok->dec_off[id];
    }
    uint8_t *bytes = malloc(total ? total : 1); /* [total] the raw bytes */
    if (!bytes)
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory decoding %zu ids", count);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        int32_t id = ids[i];
        if (skip && (tok->id_flags[id] & TOK_ID_SPECIAL)) continue;
        uint32_t len = tok->dec_off[id + 1] - tok->dec_off[id];
        memcpy(bytes + n, tok->dec_bytes + tok->dec_off[id], len);
        n += len;
    }
    size_t w = 0;
    yoso_status st = decode_finish(bytes, n, text, &w);
    if (st == YOSO_OK && (flags & YOSO_DECODE_CLEANUP_SPACES)) decode_clean_up(*text, w);
    return st;
}

/* HF's convert_tokens_to_string (see yoso.h). */
yoso_status yoso_tokenizer_tokens_to_string(const yoso_tokenizer *tok, const char *const *tokens,
                                            size_t count, char **text) {
    if (!tok || !text || (!tokens && count))
        return yoso_error(
            YOSO_ERR_USAGE,
            "yoso_tokenizer_tokens_to_string: tokenizer, tokens and text must not be NULL");
    *text = NULL;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += strlen(tokens[i]);
    /* [total] the ByteLevel decoder's bytes (never more than the tokens' own) */
    uint8_t *bytes = malloc(total ? total : 1);
    if (!bytes)
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory joining %zu tokens", count);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += decode_token_bytes(tokens[i], strlen(tokens[i]), bytes + n);
    return decode_finish(bytes, n, text, &total);
}

/* Decodes ids (see yoso.h). */
yoso_status yoso_tokenizer_decode(const yoso_tokenizer *tok, const int32_t *ids, size_t count,
                                  int skip_special, char **text) {
    return yoso_tokenizer_decode_ex(tok, ids, count, skip_special ? YOSO_DECODE_SKIP_SPECIAL : 0,
                                    text);
}

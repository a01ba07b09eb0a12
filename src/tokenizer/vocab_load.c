/* vocab_load.c — the BPE model from vocab.json + merges.txt (or that data in tokenizer.json). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Fills id_tokens/vocab from a JSON object of "token": id pairs. */
yoso_status tok_vocab_from_json(yoso_tokenizer *tok, const cJSON *object, const char *what) {
    if (!cJSON_IsObject(object))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the vocabulary is not a JSON object of \"token\": id pairs: replace the file",
            what);
    size_t count = 0, bytes = 0;
    int64_t max_id = -1;
    for (const cJSON *e = object->child; e; e = e->next) {
        double v = e->valuedouble;
        if (!cJSON_IsNumber(e))
            return yoso_error(YOSO_ERR_INPUT,
                              "%s: token \"%.80s\" has no numeric id: replace the file", what,
                              e->string);
        if (v < 0 || v >= TOK_MAX_ID || v != floor(v))
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: token \"%.80s\" has id %g, not an integer in [0, %d): replace the file", what,
                e->string, v, TOK_MAX_ID);
        if ((int64_t)v > max_id) max_id = (int64_t)v;
        bytes += strlen(e->string) + 1;
        count++;
    }
    if (count == 0) return yoso_error(YOSO_ERR_INPUT, "%s: the vocabulary is empty", what);
    tok->id_count = (size_t)max_id + 1;
    tok->id_tokens = calloc(tok->id_count, sizeof *tok->id_tokens);
    tok->id_token_len = calloc(tok->id_count, sizeof *tok->id_token_len);
    tok->token_arena = malloc(bytes);
    yoso_status st = YOSO_ERR_NO_MEMORY;
    if (!tok->id_tokens || !tok->id_token_len || !tok->token_arena)
        return yoso_error(st, "%s: out of memory for %zu tokens", what, count);
    st = tok_str_map_init(&tok->vocab, count);
    if (st) return st;
    char *arena = tok->token_arena;
    for (const cJSON *e = object->child; e; e = e->next) {
        int32_t id = (int32_t)e->valuedouble;
        size_t len = strlen(e->string);
        if (tok->id_tokens[id])
            return yoso_error(YOSO_ERR_INPUT,
                              "%s: id %d is used by both \"%.80s\" and \"%.80s\": replace the file",
                              what, id, tok->id_tokens[id], e->string);
        if (tok_str_map_get(&tok->vocab, e->string, len) >= 0)
            return yoso_error(YOSO_ERR_INPUT, "%s: token \"%.80s\" appears twice", what, e->string);
        memcpy(arena, e->string, len + 1);
        tok->id_tokens[id] = arena;
        tok->id_token_len[id] = (uint32_t)len;
        st = tok_str_map_put(&tok->vocab, arena, len, id);
        if (st) return st;
        arena += len + 1;
    }
    /* the 256 one-byte symbols every byte-level BPE starts from */
    for (int b = 0; b < 256; b++) {
        uint8_t utf8[4];
        tok->byte_cp[b] = (uint16_t)tok_byte_to_cp((uint8_t)b);
        size_t n = tok_utf8_encode(tok->byte_cp[b], utf8);
        tok->byte_ids[b] = tok_str_map_get(&tok->vocab, (const char *)utf8, n);
        if (tok->byte_ids[b] < 0)
            return yoso_error(
                YOSO_ERR_UNSUPPORTED,
                "%s: the vocabulary lacks the byte-level symbol \"%.*s\" of byte 0x%02X, so it is not a GPT-2 style byte-level BPE",
                what, (int)n, utf8, b);
    }
    return YOSO_OK;
}

/* Adds one merge; both parts and their concatenation must be vocabulary tokens. */
yoso_status tok_merge_add(yoso_tokenizer *tok, const char *left, size_t left_len, const char *right,
                          size_t right_len, uint32_t rank, const char *what) {
    char buf[512];
    int32_t a = tok_str_map_get(&tok->vocab, left, left_len);
    int32_t b = tok_str_map_get(&tok->vocab, right, right_len);
    if (a < 0 || b < 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: merge %u \"%.*s %.*s\" uses a token that is not in the vocabulary: the vocabulary and merges do not belong together",
            what, rank + 1, (int)(left_len > 80 ? 80 : left_len), left,
            (int)(right_len > 80 ? 80 : right_len), right);
    if (left_len + right_len > sizeof buf)
        return yoso_error(YOSO_ERR_INPUT, "%s: merge %u is longer than %zu bytes", what, rank + 1,
                          sizeof buf);
    memcpy(buf, left, left_len);
    memcpy(buf + left_len, right, right_len);
    int32_t merged = tok_str_map_get(&tok->vocab, buf, left_len + right_len);
    if (merged < 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: merge %u gives \"%.*s\", which is not in the vocabulary: the vocabulary and merges do not belong together",
            what, rank + 1, (int)(left_len + right_len > 80 ? 80 : left_len + right_len), buf);
    return tok_pair_map_put(&tok->merges, a, b, rank, merged);
}

/* Parses merges.txt: optional "#version" line, then "left right" per line. */
yoso_status tok_merges_from_text(yoso_tokenizer *tok, const char *text, size_t size,
                                 const char *what) {
    size_t lines = 0;
    for (size_t i = 0; i < size; i++) lines += text[i] == '\n';
    yoso_status st = tok_pair_map_init(&tok->merges, lines + 1);
    if (st) return st;
    uint32_t rank = 0;
    size_t line_no = 0;
    const char *p = text, *end = text + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        line_no++;
        size_t n = (size_t)(eol - p);
        if (n && p[n - 1] == '\r') n--;
        if (line_no == 1 && n >= 8 && !memcmp(p, "#version", 8)) {
            p = eol + 1;
            continue;
        }
        if (n == 0) { /* a blank line (e.g. the end of the file) carries no merge */
            p = eol + 1;
            continue;
        }
        const char *space = memchr(p, ' ', n);
        if (!space || space == p || space == p + n - 1 ||
            memchr(space + 1, ' ', n - (size_t)(space + 1 - p)))
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: line %zu is \"%.*s\", not two tokens separated by one space: replace the file",
                what, line_no, (int)(n > 80 ? 80 : n), p);
        st = tok_merge_add(tok, p, (size_t)(space - p), space + 1, n - (size_t)(space + 1 - p),
                           rank, what);
        if (st) return st;
        rank++;
        p = eol + 1;
    }
    return YOSO_OK;
}

/* Loads vocab.json and merges.txt from a folder. */
yoso_status tok_load_vocab_merges(yoso_tokenizer *tok, const char *dir) {
    char *vocab_path = tok_path_join(dir, "vocab.json");
    char *merges_path = tok_path_join(dir, "merges.txt");
    char *text = NULL;
    size_t size = 0;
    cJSON *json = NULL;
    yoso_status st = YOSO_ERR_NO_MEMORY;
    if (!vocab_path || !merges_path) {
        yoso_error(st, "out of memory");
        goto fail;
    }
    st = tok_json_read(vocab_path, &json);
    if (st) goto fail;
    st = tok_vocab_from_json(tok, json, vocab_path);
    if (st) goto fail;
    st = tok_file_read(merges_path, &text, &size);
    if (st) goto fail;
    st = tok_merges_from_text(tok, text, size, merges_path);
fail:
    cJSON_Delete(json);
    free(text);
    free(vocab_path);
    free(merges_path);
    return st;
}

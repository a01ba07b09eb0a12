/* tokenizer.c — loading and freeing a tokenizer, and the small lookups of yoso.h. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tok_internal.h"

/* Frees everything a (possibly half-built) tokenizer owns. */
void yoso_tokenizer_free(yoso_tokenizer *tok) {
    if (!tok) return;
    free(tok->id_tokens);
    free(tok->id_token_len);
    free(tok->token_arena);
    tok_str_map_free(&tok->vocab);
    tok_pair_map_free(&tok->merges);
    for (size_t i = 0; i < tok->added_count; i++) free(tok->added[i].content);
    free(tok->added);
    free(tok->id_flags);
    pcre2_code_free(tok->word_re);
    free(tok->dec_bytes);
    free(tok->dec_off);
    pcre2_code_free(tok->split_re);
    tok_workspace_free(tok->shared_ws);
    tok_bpe_cache_free(tok->cache);
    pthread_mutex_destroy(&tok->lock);
    free(tok);
}

/* Loads the BPE model: tokenizer.json if present (as HF's fast tokenizers do), else
 * vocab.json + merges.txt. */
static yoso_status tokenizer_load_model(yoso_tokenizer *tok, const char *dir) {
    if (tok_file_exists(dir, "tokenizer.json")) return tok_load_tokenizer_json(tok, dir);
    if (tok_file_exists(dir, "vocab.json") || tok_file_exists(dir, "merges.txt")) {
        yoso_status st = tok_load_vocab_merges(tok, dir);
        if (st == YOSO_ERR_NOT_FOUND)
            yoso_error_prefix(
                st,
                "tokenizer folder %s is incomplete (it needs vocab.json and merges.txt, or tokenizer.json): ",
                dir);
        return st;
    }
    return yoso_error(
        YOSO_ERR_NOT_FOUND,
        "no tokenizer in %s: the folder needs vocab.json + merges.txt (or tokenizer.json)", dir);
}

/* Allocates an empty tokenizer: no vocabulary, no roles. */
static yoso_status tokenizer_alloc(yoso_tokenizer **out) {
    yoso_tokenizer *tok = calloc(1, sizeof *tok);
    if (!tok) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    if (pthread_mutex_init(&tok->lock, NULL) != 0) {
        free(tok);
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: cannot create a mutex");
    }
    for (int r = 0; r < TOK_ROLE_COUNT; r++) tok->role_ids[r] = -1;
    tok->cls_id = tok->sep_id = -1;
    tok->post_prefix_space = -1;
    *out = tok;
    return YOSO_OK;
}

/* After the BPE model: special tokens (dir's files, or RoBERTa's defaults when dir is NULL),
 * lookups, the split regex, decode tables, cache and workspace; frees tok on failure. */
static yoso_status tokenizer_finish(yoso_tokenizer *tok, const char *dir, yoso_status st,
                                    yoso_tokenizer **out) {
    if (!st) st = tok_load_special_tokens(tok, dir);
    if (!st) st = tok_added_finish(tok);
    if (!st) st = tok_pretok_compile(tok);
    if (!st) st = tok_decode_prepare(tok);
    if (!st) st = tok_bpe_cache_create(&tok->cache);
    if (!st) st = tok_workspace_create(tok, &tok->shared_ws);
    if (st) {
        yoso_tokenizer_free(tok);
        return st;
    }
    *out = tok;
    return YOSO_OK;
}

/* Loads a tokenizer folder (see yoso.h). */
yoso_status yoso_tokenizer_load(const char *dir, yoso_tokenizer **out) {
    if (!dir || !out)
        return yoso_error(YOSO_ERR_USAGE, "yoso_tokenizer_load: dir and out must not be NULL");
    *out = NULL;
    struct stat info;
    if (stat(dir, &info) != 0 || !S_ISDIR(info.st_mode))
        return yoso_error(
            YOSO_ERR_NOT_FOUND,
            "tokenizer folder %s does not exist: point at a folder with vocab.json + merges.txt (or tokenizer.json)",
            dir);
    yoso_tokenizer *tok = NULL;
    yoso_status st = tokenizer_alloc(&tok);
    if (st) return st;
    return tokenizer_finish(tok, dir, tokenizer_load_model(tok, dir), out);
}

/* Builds a tokenizer from vocab.json and merges.txt bytes (see tokenizer.h). */
yoso_status yoso_tokenizer_load_memory(const char *vocab_json, size_t vocab_len, const char *merges,
                                       size_t merges_len, yoso_tokenizer **out) {
    if (!out || (!vocab_json && vocab_len) || (!merges && merges_len))
        return yoso_error(YOSO_ERR_USAGE, "yoso_tokenizer_load_memory: NULL argument");
    *out = NULL;
    yoso_tokenizer *tok = NULL;
    yoso_status st = tokenizer_alloc(&tok);
    if (st) return st;
    cJSON *json = cJSON_ParseWithLength(vocab_json ? vocab_json : "", vocab_len);
    if (!json) st = yoso_error(YOSO_ERR_INPUT, "vocab.json is not valid JSON: replace it");
    if (!st) st = tok_vocab_from_json(tok, json, "vocab.json");
    cJSON_Delete(json);
    if (!st) st = tok_merges_from_text(tok, merges ? merges : "", merges_len, "merges.txt");
    return tokenizer_finish(tok, NULL, st, out);
}

/* The vocabulary string of an id (an added token's content for added ids). */
const char *yoso_tokenizer_id_to_token(const yoso_tokenizer *tok, int32_t id) {
    if (!tok || id < 0 || (size_t)id >= tok->id_count) return NULL;
    return tok->id_tokens[id];
}

/* The id of a token string: added tokens first, then the vocabulary (HF's order); the [MASK]
 * alias is not a token name, as in HF. */
int32_t yoso_tokenizer_token_to_id(const yoso_tokenizer *tok, const char *token) {
    if (!tok || !token) return -1;
    size_t len = strlen(token);
    const tok_added *a = tok_added_find(tok, token, len);
    if (a && !a->alias) return a->id;
    return tok_str_map_get(&tok->vocab, token, len);
}

/* Number of ids (vocabulary plus added tokens). */
size_t yoso_tokenizer_vocab_size(const yoso_tokenizer *tok) {
    return tok ? tok->id_count : 0;
}

/* The mask token's id, or -1. */
int32_t yoso_tokenizer_mask_id(const yoso_tokenizer *tok) {
    return tok ? tok->role_ids[TOK_ROLE_MASK] : -1;
}

/* The unknown token's id, or -1. */
int32_t yoso_tokenizer_unk_id(const yoso_tokenizer *tok) {
    return tok ? tok->role_ids[TOK_ROLE_UNK] : -1;
}

/* tokenizer_config.json's model_max_length, or 0. */
size_t yoso_tokenizer_model_max_length(const yoso_tokenizer *tok) {
    return tok ? tok->model_max_length : 0;
}

/* The padding token's id, or -1. */
int32_t yoso_tokenizer_pad_id(const yoso_tokenizer *tok) {
    return tok ? tok->role_ids[TOK_ROLE_PAD] : -1;
}

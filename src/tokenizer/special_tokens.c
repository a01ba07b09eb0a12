/* special_tokens.c — the special tokens (<s>, </s>, <unk>, <pad>, <mask>) from
 * special_tokens_map.json / tokenizer_config.json / added_tokens.json, with RoBERTa's defaults
 * when those files are absent, and the `[MASK]` alias of the mask token (plus
 * tokenizer_config.json's add_prefix_space, the one other setting RobertaTokenizer takes). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

static const char *const k_role_keys[TOK_ROLE_COUNT] = {
    "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"};
static const char *const k_role_defaults[TOK_ROLE_COUNT] = {"<s>",   "</s>", "<unk>", "</s>",
                                                            "<pad>", "<s>",  "<mask>"};

/* Reads dir/name if it exists; *json stays NULL when it does not (or dir is NULL). */
static yoso_status special_read_optional(const char *dir, const char *name, cJSON **json) {
    *json = NULL;
    if (!dir || !tok_file_exists(dir, name)) return YOSO_OK;
    char *path = tok_path_join(dir, name);
    if (!path) return yoso_error(YOSO_ERR_NO_MEMORY, "out of memory");
    yoso_status st = tok_json_read(path, json);
    if (!st && !cJSON_IsObject(*json))
        st = yoso_error(YOSO_ERR_INPUT, "%s is not a JSON object: replace the file", path);
    free(path);
    return st;
}

/* The id of a token's content: a registered added token's, else the vocabulary's, else -1. */
static int32_t special_id_of(const yoso_tokenizer *tok, const char *content) {
    const tok_added *a = tok_added_find(tok, content, strlen(content));
    return a ? a->id : tok_str_map_get(&tok->vocab, content, strlen(content));
}

/* Registers one special token written as "text" or {"content": …, "lstrip": …, …}; the mask
 * defaults to lstrip (RoBERTa's tokenizer_config); *id gets its id (-1 if unknown). */
static yoso_status special_register(yoso_tokenizer *tok, const cJSON *value, int is_mask,
                                    const char *source, int32_t *id) {
    tok_added flags = {.special = 1, .lstrip = (uint8_t)is_mask};
    const char *content = NULL;
    *id = -1;
    if (cJSON_IsString(value)) {
        content = value->valuestring;
    } else if (cJSON_IsObject(value)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(value, "content");
        if (!cJSON_IsString(c))
            return yoso_error(YOSO_ERR_INPUT, "%s: a special token object lacks \"content\"",
                              source);
        content = c->valuestring;
        flags.lstrip = (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(value, "lstrip"));
        flags.rstrip = (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(value, "rstrip"));
        flags.single_word =
            (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(value, "single_word"));
        flags.normalized =
            (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(value, "normalized"));
        const cJSON *special = cJSON_GetObjectItemCaseSensitive(value, "special");
        if (cJSON_IsBool(special)) flags.special = (uint8_t)cJSON_IsTrue(special);
        flags.explicit_set = 1;
    } else {
        return YOSO_OK; /* null: no such role */
    }
    *id = special_id_of(tok, content);
    if (*id < 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: special token \"%.80s\" is neither in the vocabulary nor an added token: fix the file or the vocabulary",
            source, content);
    return tok_added_register(tok, content, strlen(content), *id, &flags);
}

/* The id an added token gets: HF keeps the vocabulary's id of a string it already has, whatever
 * id the file asks for. */
static int32_t special_added_id(const yoso_tokenizer *tok, const char *content, int32_t asked) {
    int32_t id = tok_str_map_get(&tok->vocab, content, strlen(content));
    return id >= 0 ? id : asked;
}

/* Registers tokenizer_config.json's added_tokens_decoder ({"id": {content, flags}}). */
static yoso_status special_added_decoder(yoso_tokenizer *tok, const cJSON *config) {
    const cJSON *decoder = cJSON_GetObjectItemCaseSensitive(config, "added_tokens_decoder");
    for (const cJSON *e = cJSON_IsObject(decoder) ? decoder->child : NULL; e; e = e->next) {
        char *end;
        long id = strtol(e->string, &end, 10);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "content");
        if (*end || id < 0 || id >= TOK_MAX_ID || !cJSON_IsString(c))
            return yoso_error(
                YOSO_ERR_INPUT,
                "tokenizer_config.json: added_tokens_decoder entry \"%.40s\" is not an id with a \"content\"",
                e->string);
        tok_added flags = {
            .lstrip = (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "lstrip")),
            .rstrip = (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "rstrip")),
            .single_word =
                (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "single_word")),
            .normalized = (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "normalized")),
            .special = (uint8_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special")),
            .explicit_set = 1,
        };
        yoso_status st =
            tok_added_register(tok, c->valuestring, strlen(c->valuestring),
                               special_added_id(tok, c->valuestring, (int32_t)id), &flags);
        if (st) return st;
    }
    return YOSO_OK;
}

/* Registers added_tokens.json ({"token": id}, plain added tokens). */
static yoso_status special_added_tokens_file(yoso_tokenizer *tok, const cJSON *added) {
    for (const cJSON *e = added ? added->child : NULL; e; e = e->next) {
        if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble >= TOK_MAX_ID)
            return yoso_error(YOSO_ERR_INPUT, "added_tokens.json: \"%.40s\" has no valid id",
                              e->string);
        tok_added flags = {.normalized = 1};
        yoso_status st =
            tok_added_register(tok, e->string, strlen(e->string),
                               special_added_id(tok, e->string, (int32_t)e->valuedouble), &flags);
        if (st) return st;
    }
    return YOSO_OK;
}

/* Registers a list of extra special tokens (additional_special_tokens / extra_special_tokens). */
static yoso_status special_extra_list(yoso_tokenizer *tok, const cJSON *list, const char *source) {
    int32_t id;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e; e = e->next) {
        yoso_status st = special_register(tok, e, 0, source, &id);
        if (st) return st;
    }
    return YOSO_OK;
}

/* Adds "[MASK]" as a second spelling of the mask token, with the mask's flags. */
static yoso_status special_mask_alias(yoso_tokenizer *tok) {
    int32_t mask = tok->role_ids[TOK_ROLE_MASK];
    if (mask < 0 || tok_added_find(tok, "[MASK]", 6)) return YOSO_OK;
    const tok_added *primary = NULL;
    for (size_t i = 0; i < tok->added_count && !primary; i++)
        if (tok->added[i].id == mask) primary = &tok->added[i];
    tok_added flags = primary ? *primary : (tok_added){.special = 1, .lstrip = 1};
    flags.content = NULL;
    flags.alias = 1;
    return tok_added_register(tok, "[MASK]", 6, mask, &flags);
}

/* Reads the optional special-token files and registers every role. */
yoso_status tok_load_special_tokens(yoso_tokenizer *tok, const char *dir) {
    cJSON *config = NULL, *map = NULL, *added = NULL;
    yoso_status st = special_read_optional(dir, "tokenizer_config.json", &config);
    if (!st) st = special_read_optional(dir, "special_tokens_map.json", &map);
    if (!st) st = special_read_optional(dir, "added_tokens.json", &added);
    if (!st) st = special_added_decoder(tok, config);
    /* RobertaTokenizer(add_prefix_space=…) from tokenizer_config.json; tokenizer.json says its own
     */
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(config, "add_prefix_space");
    if (!tok->from_tokenizer_json && cJSON_IsBool(prefix))
        tok->add_prefix_space = cJSON_IsTrue(prefix);
    /* HF writes int(1e30) (VERY_LARGE_INTEGER) for "no limit" */
    const cJSON *max_len = cJSON_GetObjectItemCaseSensitive(config, "model_max_length");
    if (cJSON_IsNumber(max_len) && max_len->valuedouble >= 1 && max_len->valuedouble < 1e15)
        tok->model_max_length = (size_t)max_len->valuedouble;
    for (int r = 0; r < TOK_ROLE_COUNT && !st; r++) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(map, k_role_keys[r]);
        const char *source = "special_tokens_map.json";
        if (!value) {
            value = cJSON_GetObjectItemCaseSensitive(config, k_role_keys[r]);
            source = "tokenizer_config.json";
        }
        if (value) {
            st = special_register(tok, value, r == TOK_ROLE_MASK, source, &tok->role_ids[r]);
        } else if (special_id_of(tok, k_role_defaults[r]) >= 0) { /* RoBERTa's default */
            cJSON *def = cJSON_CreateString(k_role_defaults[r]);
            st = def ? special_register(tok, def, r == TOK_ROLE_MASK, "defaults", &tok->role_ids[r])
                     : yoso_error(YOSO_ERR_NO_MEMORY, "out of memory");
            cJSON_Delete(def);
        }
    }
    if (!st)
        st = special_extra_list(tok,
                                cJSON_GetObjectItemCaseSensitive(map, "additional_special_tokens"),
                                "special_tokens_map.json");
    if (!st)
        st = special_extra_list(
            tok, cJSON_GetObjectItemCaseSensitive(config, "additional_special_tokens"),
            "tokenizer_config.json");
    if (!st)
        st = special_extra_list(tok,
                                cJSON_GetObjectItemCaseSensitive(config, "extra_special_tokens"),
                                "tokenizer_config.json");
    if (!st) st = special_added_tokens_file(tok, added);
    if (!st && tok->cls_id < 0) tok->cls_id = tok->role_ids[TOK_ROLE_CLS];
    if (!st && tok->sep_id < 0) tok->sep_id = tok->role_ids[TOK_ROLE_SEP];
    if (!st) st = special_mask_alias(tok);
    cJSON_Delete(config);
    cJSON_Delete(map);
    cJSON_Delete(added);
    return st;
}

/* tokenizer_json.c — loading a Hugging Face tokenizer.json (byte-level BPE models only). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* The "type" string of a JSON object, or "" if it has none. */
static const char *json_type(const cJSON *object) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(object, "type");
    return cJSON_IsString(type) ? type->valuestring : "";
}

/* 1 if object[key] is JSON true (0 if false, null or absent). */
static int json_flag(const cJSON *object, const char *key) {
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(object, key));
}

/* 1 if object[key] is absent, null or "". */
static int json_empty_string(const cJSON *object, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, key);
    return !v || cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0');
}

/* Checks that the pre-tokenizer is ByteLevel (alone or in a Sequence) and reads its options. */
static yoso_status json_check_pre_tokenizer(yoso_tokenizer *tok, const cJSON *pre,
                                            const char *path) {
    if (!strcmp(json_type(pre), "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(pre, "pretokenizers");
        if (cJSON_GetArraySize(list) == 1) pre = cJSON_GetArrayItem(list, 0);
    }
    if (strcmp(json_type(pre), "ByteLevel") != 0)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: pre_tokenizer \"%s\" is not supported (only GPT-2 style ByteLevel): use a byte-level BPE tokenizer such as roberta-base's",
            path, pre ? json_type(pre) : "null");
    const cJSON *use_regex = cJSON_GetObjectItemCaseSensitive(pre, "use_regex");
    if (cJSON_IsFalse(use_regex))
        return yoso_error(YOSO_ERR_UNSUPPORTED,
                          "%s: ByteLevel with use_regex false is not supported", path);
    tok->add_prefix_space = json_flag(pre, "add_prefix_space");
    tok->from_tokenizer_json = 1;
    return YOSO_OK;
}

/* Checks the BPE model's options (no dropout, no prefixes/suffixes, no byte fallback). */
static yoso_status json_check_model(yoso_tokenizer *tok, const cJSON *model, const char *path) {
    const char *type = json_type(model);
    if (!cJSON_IsObject(model) || (type[0] && strcmp(type, "BPE") != 0))
        return yoso_error(YOSO_ERR_UNSUPPORTED, "%s: model type \"%s\" is not supported (only BPE)",
                          path, type);
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    if ((dropout && !cJSON_IsNull(dropout) &&
         !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0)) ||
        !json_empty_string(model, "continuing_subword_prefix") ||
        !json_empty_string(model, "end_of_word_suffix") || json_flag(model, "byte_fallback"))
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: BPE options dropout / continuing_subword_prefix / end_of_word_suffix / byte_fallback are not supported",
            path);
    tok->ignore_merges = json_flag(model, "ignore_merges");
    return YOSO_OK;
}

/* Reads model.merges: either "left right" strings or ["left", "right"] pairs. */
static yoso_status json_read_merges(yoso_tokenizer *tok, const cJSON *merges, const char *path) {
    if (!cJSON_IsArray(merges))
        return yoso_error(YOSO_ERR_INPUT, "%s: model.merges is not a list", path);
    yoso_status st = tok_pair_map_init(&tok->merges, (size_t)cJSON_GetArraySize(merges));
    if (st) return st;
    uint32_t rank = 0;
    for (const cJSON *m = merges->child; m; m = m->next, rank++) {
        if (cJSON_IsString(m)) {
            const char *s = m->valuestring, *space = strchr(s, ' ');
            if (!space || strchr(space + 1, ' '))
                return yoso_error(YOSO_ERR_INPUT,
                                  "%s: merge %u \"%.80s\" is not two tokens separated by one space",
                                  path, rank + 1, s);
            st = tok_merge_add(tok, s, (size_t)(space - s), space + 1, strlen(space + 1), rank,
                               path);
        } else if (cJSON_GetArraySize(m) == 2 && cJSON_IsString(cJSON_GetArrayItem(m, 0)) &&
                   cJSON_IsString(cJSON_GetArrayItem(m, 1))) {
            const char *a = cJSON_GetArrayItem(m, 0)->valuestring;
            const char *b = cJSON_GetArrayItem(m, 1)->valuestring;
            st = tok_merge_add(tok, a, strlen(a), b, strlen(b), rank, path);
        } else {
            return yoso_error(YOSO_ERR_INPUT, "%s: merge %u is neither \"a b\" nor [\"a\", \"b\"]",
                              path, rank + 1);
        }
        if (st) return st;
    }
    return YOSO_OK;
}

/* Registers tokenizer.json's added_tokens with their flags. */
static yoso_status json_read_added(yoso_tokenizer *tok, const cJSON *added, const char *path) {
    if (added && !cJSON_IsNull(added) && !cJSON_IsArray(added))
        return yoso_error(YOSO_ERR_INPUT, "%s: added_tokens is not a list", path);
    for (const cJSON *a = added ? added->child : NULL; a; a = a->next) {
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(a, "content");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
        if (!cJSON_IsString(content) || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
            id->valuedouble >= TOK_MAX_ID)
            return yoso_error(YOSO_ERR_INPUT,
                              "%s: an added token lacks \"content\" or a valid \"id\"", path);
        tok_added flags = {
            .lstrip = (uint8_t)json_flag(a, "lstrip"),
            .rstrip = (uint8_t)json_flag(a, "rstrip"),
            .single_word = (uint8_t)json_flag(a, "single_word"),
            .normalized = (uint8_t)json_flag(a, "normalized"),
            .special = (uint8_t)json_flag(a, "special"),
            .explicit_set = 1,
        };
        yoso_status st = tok_added_register(tok, content->valuestring, strlen(content->valuestring),
                                            (int32_t)id->valuedouble, &flags);
        if (st) return st;
    }
    return YOSO_OK;
}

/* Reads cls/sep from a RobertaProcessing or BertProcessing post-processor. */
static void json_read_post_processor(yoso_tokenizer *tok, const cJSON *post) {
    const char *type = json_type(post);
    if (strcmp(type, "RobertaProcessing") != 0 && strcmp(type, "BertProcessing") != 0) return;
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(post, "cls");
    const cJSON *sep = cJSON_GetObjectItemCaseSensitive(post, "sep");
    if (cJSON_IsNumber(cJSON_GetArrayItem(cls, 1)))
        tok->cls_id = (int32_t)cJSON_GetArrayItem(cls, 1)->valuedouble;
    if (cJSON_IsNumber(cJSON_GetArrayItem(sep, 1)))
        tok->sep_id = (int32_t)cJSON_GetArrayItem(sep, 1)->valuedouble;
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(post, "trim_offsets")))
        tok->keep_offsets = 1;
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(post, "add_prefix_space");
    if (cJSON_IsBool(prefix)) tok->post_prefix_space = cJSON_IsTrue(prefix);
}

/* Loads dir/tokenizer.json. */
yoso_status tok_load_tokenizer_json(yoso_tokenizer *tok, const char *dir) {
    char *path = tok_path_join(dir, "tokenizer.json");
    cJSON *json = NULL;
    yoso_status st = YOSO_ERR_NO_MEMORY;
    if (!path) {
        yoso_error(st, "out of memory");
        goto fail;
    }
    st = tok_json_read(path, &json);
    if (st) goto fail;
    const cJSON *normalizer = cJSON_GetObjectItemCaseSensitive(json, "normalizer");
    if (normalizer && !cJSON_IsNull(normalizer)) {
        st = yoso_error(YOSO_ERR_UNSUPPORTED,
                        "%s: normalizer \"%s\" is not supported (RoBERTa has none)", path,
                        json_type(normalizer));
        goto fail;
    }
    st = json_check_pre_tokenizer(tok, cJSON_GetObjectItemCaseSensitive(json, "pre_tokenizer"),
                                  path);
    if (st) goto fail;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(json, "model");
    st = json_check_model(tok, model, path);
    if (st) goto fail;
    st = tok_vocab_from_json(tok, cJSON_GetObjectItemCaseSensitive(model, "vocab"), path);
    if (st) goto fail;
    st = json_read_merges(tok, cJSON_GetObjectItemCaseSensitive(model, "merges"), path);
    if (st) goto fail;
    st = json_read_added(tok, cJSON_GetObjectItemCaseSensitive(json, "added_tokens"), path);
    if (st) goto fail;
    json_read_post_processor(tok, cJSON_GetObjectItemCaseSensitive(json, "post_processor"));
fail:
    cJSON_Delete(json);
    free(path);
    return st;
}

/* config.c — reads the YosoConfig fields of config.json that change the computation, refusing
 * unknown, unsupported, missing or absurd values with a message that names the field. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"

#define CONFIG_MAX_BYTES (16u * 1024u * 1024u) /* config.json is about 1 KB */

/* transformers' YosoConfig defaults (configuration_yoso.py), used for missing optional fields. */
static const yoso_config k_defaults = {
    .vocab_size = 50265,
    .hidden_size = 768,
    .num_hidden_layers = 12,
    .num_attention_heads = 12,
    .intermediate_size = 3072,
    .max_position_embeddings = 4096,
    .type_vocab_size = 1,
    .pad_token_id = 1,
    .bos_token_id = 0,
    .eos_token_id = 2,
    .layer_norm_eps = 1e-12f,
    .use_expectation = 1,
    .hash_code_len = 9,
    .num_hash = 64,
    .conv_window = 0,
    .use_fast_hash = 1,
    .architecture = "",
    .num_labels = 2,
    .problem_type = YOSO_PROBLEM_DEFAULT,
};

/* Reads an integer field in [lo, hi]; missing is an error when required, else keeps *out. */
static yoso_status config_int(const cJSON *root, const char *label, const char *key, int required,
                              long lo, long hi, int *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item) {
        if (!required) return YOSO_OK;
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: required field '%s' is missing: use the config.json that came with the checkpoint",
            label, key);
    }
    double d = item->valuedouble;
    if (!cJSON_IsNumber(item) || !isfinite(d) || d != floor(d))
        return yoso_error(YOSO_ERR_INPUT, "%s: field '%s' must be an integer: fix config.json",
                          label, key);
    if (d < (double)lo || d > (double)hi)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: field '%s' is %.17g, outside the sane range [%ld, %ld]: fix config.json", label,
            key, d, lo, hi);
    *out = (int)d;
    return YOSO_OK;
}

/* Reads an optional boolean field (JSON true/false only). */
static yoso_status config_bool(const cJSON *root, const char *label, const char *key, int *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item) return YOSO_OK;
    if (!cJSON_IsBool(item))
        return yoso_error(YOSO_ERR_INPUT, "%s: field '%s' must be true or false: fix config.json",
                          label, key);
    *out = cJSON_IsTrue(item) ? 1 : 0;
    return YOSO_OK;
}

/* Checks an optional string field against the one value we implement. */
static yoso_status config_expect_string(const cJSON *root, const char *label, const char *key,
                                        const char *want) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item) return YOSO_OK;
    if (!cJSON_IsString(item))
        return yoso_error(YOSO_ERR_INPUT, "%s: field '%s' must be a string: fix config.json", label,
                          key);
    if (strcmp(item->valuestring, want) != 0)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: field '%s' is \"%.64s\", but only \"%s\" is supported (it is what uw-madison/yoso-4096 uses)",
            label, key, item->valuestring, want);
    return YOSO_OK;
}

/* Reads a special-token id: an integer in [0, vocab), null (-1), or a list (its first item);
 * a missing field keeps YosoConfig's default, which must then lie inside the vocabulary too. */
static yoso_status config_token_id(const cJSON *root, const char *label, const char *key, int vocab,
                                   int *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item && *out >= vocab)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: field '%s' is missing and its default %d is not a token id of the %d-token vocabulary: add it (or null) to config.json",
            label, key, *out, vocab);
    if (!item) return YOSO_OK;
    if (cJSON_IsNull(item)) {
        *out = -1;
        return YOSO_OK;
    }
    if (cJSON_IsArray(item)) item = item->child; /* eos_token_id may be a list */
    double d = item ? item->valuedouble : -1;
    if (!item || !cJSON_IsNumber(item) || !isfinite(d) || d != floor(d) || d < 0 || d >= vocab)
        return yoso_error(YOSO_ERR_INPUT,
                          "%s: field '%s' must be null or a token id in [0, %d): fix config.json",
                          label, key, vocab);
    *out = (int)d;
    return YOSO_OK;
}

/* Orders key pointers by text, for the duplicate check. */
static int config_cmp_key(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refuses a key given twice (which value would win is a parser's accident). */
static yoso_status config_check_duplicates(const cJSON *root, const char *label) {
    size_t n = 0;
    for (const cJSON *it = root->child; it; it = it->next) n++;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", label);
    n = 0;
    for (const cJSON *it = root->child; it; it = it->next) keys[n++] = it->string ? it->string : "";
    qsort(keys, n, sizeof *keys, config_cmp_key);
    yoso_status st = YOSO_OK;
    for (size_t i = 1; i < n && st == YOSO_OK; i++)
        if (strcmp(keys[i - 1], keys[i]) == 0)
            st = yoso_error(YOSO_ERR_INPUT, "%s: field '%.64s' appears twice: fix config.json",
                            label, keys[i]);
    free(keys);
    return st;
}

/* Reads architectures[0], problem_type and the number of labels (id2label's size, else
 * num_labels, else 2). */
static yoso_status config_read_task(const cJSON *root, const char *label, yoso_config *cfg) {
    static const char *const k_problems[] = {"single_label_classification",
                                             "multi_label_classification", "regression"};
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architectures");
    const cJSON *first = cJSON_IsArray(arch) ? cJSON_GetArrayItem(arch, 0) : NULL;
    if (cJSON_IsString(first))
        snprintf(cfg->architecture, sizeof cfg->architecture, "%s", first->valuestring);
    const cJSON *problem = cJSON_GetObjectItemCaseSensitive(root, "problem_type");
    if (problem && !cJSON_IsNull(problem)) {
        int found = 0;
        for (int i = 0; i < 3 && cJSON_IsString(problem); i++)
            if (strcmp(problem->valuestring, k_problems[i]) == 0) {
                cfg->problem_type = YOSO_PROBLEM_SINGLE_LABEL + i;
                found = 1;
            }
        if (!found)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: field 'problem_type' must be single_label_classification, multi_label_classification or regression: fix config.json",
                label);
    }
    const cJSON *id2label = cJSON_GetObjectItemCaseSensitive(root, "id2label");
    if (cJSON_IsObject(id2label)) {
        cfg->num_labels = cJSON_GetArraySize(id2label);
        if (cfg->num_labels < 1 || cfg->num_labels > 1 << 16)
            return yoso_error(YOSO_ERR_INPUT, "%s: field 'id2label' has %d labels: fix config.json",
                              label, cfg->num_labels);
        return YOSO_OK;
    }
    return config_int(root, label, "num_labels", 0, 1, 1 << 16, &cfg->num_labels);
}

/* Validates every field of a parsed config.json object into cfg. */
static yoso_status config_read(const cJSON *root, const char *label, yoso_config *cfg) {
    yoso_status st;
    const cJSON *item;
    *cfg = k_defaults;
    if (!cJSON_IsObject(root))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: not a JSON object: use the config.json that came with the checkpoint", label);
    if ((st = config_check_duplicates(root, label)) != YOSO_OK) return st;
    if ((st = config_expect_string(root, label, "model_type", "yoso")) != YOSO_OK) return st;
    if ((st = config_int(root, label, "vocab_size", 1, 1, 1L << 24, &cfg->vocab_size)) ||
        (st = config_int(root, label, "hidden_size", 1, 1, 1L << 16, &cfg->hidden_size)) ||
        (st = config_int(root, label, "num_hidden_layers", 1, 1, 1024, &cfg->num_hidden_layers)) ||
        (st = config_int(root, label, "num_attention_heads", 1, 1, 1L << 16,
                         &cfg->num_attention_heads)) ||
        (st = config_int(root, label, "intermediate_size", 1, 1, 1L << 20,
                         &cfg->intermediate_size)) ||
        (st = config_int(root, label, "max_position_embeddings", 1, 1, 1L << 20,
                         &cfg->max_position_embeddings)) ||
        (st = config_int(root, label, "type_vocab_size", 0, 1, 1L << 16, &cfg->type_vocab_size)) ||
        (st = config_int(root, label, "hash_code_len", 0, 1, 16, &cfg->hash_code_len)) ||
        (st = config_int(root, label, "num_hash", 0, 1, 4096, &cfg->num_hash)))
        return st;
    if (cfg->hidden_size % cfg->num_attention_heads != 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: field 'num_attention_heads' (%d) does not divide 'hidden_size' (%d): fix config.json",
            label, cfg->num_attention_heads, cfg->hidden_size);
    if ((st = config_bool(root, label, "use_expectation", &cfg->use_expectation)) ||
        (st = config_bool(root, label, "use_fast_hash", &cfg->use_fast_hash)))
        return st;
    int tie = 1;
    if ((st = config_bool(root, label, "tie_word_embeddings", &tie))) return st;
    if (!tie)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: field 'tie_word_embeddings' is false, but the LM decoder is always tied to the word embeddings here",
            label);
    if ((st = config_expect_string(root, label, "hidden_act", "gelu")) ||
        (st = config_expect_string(root, label, "position_embedding_type", "absolute")))
        return st;
    item = cJSON_GetObjectItemCaseSensitive(root, "layer_norm_eps");
    if (item) {
        double eps = item->valuedouble;
        if (!cJSON_IsNumber(item) || !isfinite(eps) || eps <= 0 || eps >= 1 || (float)eps <= 0.0f)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: field 'layer_norm_eps' must be a number in (0, 1): fix config.json", label);
        cfg->layer_norm_eps = (float)eps;
    }
    item = cJSON_GetObjectItemCaseSensitive(root, "conv_window");
    if (item && !cJSON_IsNull(item)) {
        int w = 0;
        if ((st = config_int(root, label, "conv_window", 1, 1, 1025, &w))) return st;
        if (w % 2 == 0)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: field 'conv_window' is %d, but it must be odd (an even window changes the sequence length): fix config.json",
                label, w);
        cfg->conv_window = w;
    }
    if ((st = config_token_id(root, label, "pad_token_id", cfg->vocab_size, &cfg->pad_token_id)) ||
        (st = config_token_id(root, label, "bos_token_id", cfg->vocab_size, &cfg->bos_token_id)) ||
        (st = config_token_id(root, label, "eos_token_id", cfg->vocab_size, &cfg->eos_token_id)))
        return st;
    return config_read_task(root, label, cfg);
}

/* Parses text under a label used in messages. */
static yoso_status config_parse_labeled(const char *text, size_t len, const char *label,
                                        yoso_config *cfg) {
    if (len > CONFIG_MAX_BYTES)
        return yoso_error(YOSO_ERR_INPUT, "%s: %zu bytes is far too large for a config.json", label,
                          len);
    char *copy = malloc(len + 1); /* NUL-terminated, so cJSON never reads past the text */
    if (!copy) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", label);
    if (len) memcpy(copy, text, len);
    copy[len] = '\0';
    cJSON *root = cJSON_ParseWithLength(copy, len);
    free(copy);
    yoso_status st;
    if (!root)
        st = yoso_error(YOSO_ERR_INPUT,
                        "%s: not valid JSON: use the config.json that came with the checkpoint",
                        label);
    else
        st = config_read(root, label, cfg);
    cJSON_Delete(root);
    return st;
}

/* Parses config.json text held in memory. */
yoso_status yoso_config_parse(const char *text, size_t len, yoso_config *cfg) {
    if (!text && len) return yoso_error(YOSO_ERR_USAGE, "yoso_config_parse: NULL text");
    return config_parse_labeled(text ? text : "", len, "config.json", cfg);
}

/* Reads the whole file at path into *text (malloc'ed, *len bytes; at most one byte past
 * CONFIG_MAX_BYTES, so that parsing reports a file too large). */
static yoso_status config_read_file(const char *path, char **text, size_t *len) {
    FILE *f = fopen(path, "rb");
    *text = NULL;
    *len = 0;
    if (!f) {
        yoso_status st = (errno == ENOENT || errno == ENOTDIR) ? YOSO_ERR_NOT_FOUND : YOSO_ERR_IO;
        return yoso_error(st, "cannot open %s: %s", path, strerror(errno));
    }
    yoso_status st = YOSO_OK;
    size_t cap = 0;
    for (;;) {
        if (*len == cap) {
            if (cap >= CONFIG_MAX_BYTES + 1) break; /* too large: parse reports it */
            cap = cap ? cap * 2 : 4096;
            char *grown = realloc(*text, cap);
            if (!grown) {
                st = yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", path);
                goto done;
            }
            *text = grown;
        }
        size_t got = fread(*text + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) break;
    }
    if (ferror(f)) st = yoso_error(YOSO_ERR_IO, "cannot read %s: %s", path, strerror(errno));
done:
    fclose(f);
    if (st != YOSO_OK) {
        free(*text);
        *text = NULL;
    }
    return st;
}

/* Reads the file, then parses it. */
yoso_status yoso_config_load(const char *path, yoso_config *cfg) {
    char *text = NULL;
    size_t len = 0;
    yoso_status st = config_read_file(path, &text, &len);
    if (st == YOSO_OK) st = config_parse_labeled(text, len, path, cfg);
    free(text);
    return st;
}

/* Fills the label block: pointers [n], then each name (id2label's, or "LABEL_<i>"). */
static yoso_status config_fill_labels(const cJSON *id2label, const char *path, int n,
                                      char ***labels) {
    size_t bytes = (size_t)n * sizeof(char *);
    char key[16];
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%d", i);
        const cJSON *v = id2label ? cJSON_GetObjectItemCaseSensitive(id2label, key) : NULL;
        if (id2label && !cJSON_IsString(v))
            return yoso_error(YOSO_ERR_INPUT,
                              "%s: id2label has no name for label %d: fix config.json", path, i);
        bytes += (v ? strlen(v->valuestring) : strlen("LABEL_") + strlen(key)) + 1;
    }
    char **out = malloc(bytes);
    if (!out) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", path);
    char *at = (char *)(out + n);
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%d", i);
        const cJSON *v = id2label ? cJSON_GetObjectItemCaseSensitive(id2label, key) : NULL;
        out[i] = at;
        at += sprintf(at, "%s%s", v ? "" : "LABEL_", v ? v->valuestring : key) + 1;
    }
    *labels = out;
    return YOSO_OK;
}

yoso_status yoso_config_load_labels(const char *path, const yoso_config *cfg, char ***labels) {
    char *text = NULL;
    size_t len = 0;
    *labels = NULL;
    yoso_status st = config_read_file(path, &text, &len);
    if (st != YOSO_OK) return st;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) return yoso_error(YOSO_ERR_INPUT, "%s: not valid JSON: fix config.json", path);
    const cJSON *id2label = cJSON_GetObjectItemCaseSensitive(root, "id2label");
    st = config_fill_labels(cJSON_IsObject(id2label) ? id2label : NULL, path, cfg->num_labels,
                            labels);
    cJSON_Delete(root);
    return st;
}

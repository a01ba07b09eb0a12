/* cli_jsonl.c — one --jsonl line: a strict JSON object (known keys, each once, nothing after it).
 */
#include "cli_jsonl.h"

#include <ctype.h>
#include <string.h>

#include "error.h"
#include "json_text.h"

/* 1 if key is one of the NULL-terminated list. */
static int jsonl_listed(const char *key, const char *const *list) {
    for (; list && *list; list++)
        if (!strcmp(key, *list)) return 1;
    return 0;
}

/* Checks every key of object (at depth 0 the top level, else "parameters") against the lists and
 * against the keys seen so far (seen holds up to 16 names). */
static yoso_status jsonl_check_keys(const cJSON *object, long lineno, const char *const *keys,
                                    const char *const *parameter_keys, const char **seen,
                                    int *nseen, int depth) {
    const cJSON *item;
    cJSON_ArrayForEach(item, object) {
        const char *k = item->string;
        int is_params = depth == 0 && !strcmp(k, "parameters") && parameter_keys;
        if (!is_params && !jsonl_listed(k, depth ? parameter_keys : keys))
            return yoso_error(
                YOSO_ERR_INPUT,
                "stdin line %ld: unknown key \"%s\": the keys are text (or inputs)%s", lineno, k,
                parameter_keys ? ", top_k, targets (or parameters.top_k, parameters.targets)" : "");
        for (int i = 0; i < *nseen; i++)
            if (!strcmp(seen[i], k) || (!strcmp(k, "inputs") && !strcmp(seen[i], "text")) ||
                (!strcmp(k, "text") && !strcmp(seen[i], "inputs")))
                return yoso_error(YOSO_ERR_INPUT, "stdin line %ld: key \"%s\" is given twice%s",
                                  lineno, k,
                                  strcmp(k, seen[i]) ? " (as \"text\" and \"inputs\")" : "");
        if (*nseen < 16) seen[(*nseen)++] = k;
        if (is_params) {
            if (!cJSON_IsObject(item))
                return yoso_error(YOSO_ERR_INPUT,
                                  "stdin line %ld: \"parameters\" must be an object", lineno);
            yoso_status st =
                jsonl_check_keys(item, lineno, keys, parameter_keys, seen, nseen, depth + 1);
            if (st) return st;
        }
    }
    return YOSO_OK;
}

const cJSON *cli_jsonl_get(const cJSON *root, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (v) return v;
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "parameters"),
                                            key);
}

yoso_status cli_jsonl_parse(const char *line, size_t len, long lineno, const char *const *keys,
                            const char *const *parameter_keys, cJSON **root, const char **text) {
    *root = NULL;
    *text = NULL;
    if (memchr(line, '\0', len))
        return yoso_error(
            YOSO_ERR_INPUT,
            "stdin line %ld holds a NUL byte, which JSON cannot: write it as text or remove it",
            lineno);
    if (yoso_json_escapes_nul(line, len))
        return yoso_error(
            YOSO_ERR_INPUT,
            "stdin line %ld: the text contains U+0000, which --jsonl cannot carry: pass the text as a plain line instead",
            lineno);
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    const char *s = end;
    while (json && s && s < line + len && isspace((unsigned char)*s)) s++;
    if (json && s && s < line + len) {
        cJSON_Delete(json);
        return yoso_error(
            YOSO_ERR_INPUT,
            "stdin line %ld: unexpected text after the JSON object at byte %zu: write one object per line",
            lineno, (size_t)(s - line));
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(json, "text");
    if (!t) t = cJSON_GetObjectItemCaseSensitive(json, "inputs");
    if (!cJSON_IsObject(json) || !cJSON_IsString(t)) {
        cJSON_Delete(json);
        return yoso_error(
            YOSO_ERR_INPUT,
            "stdin line %ld is not a JSON object with a \"text\" string: write {\"text\": \"...\"}",
            lineno);
    }
    const char *seen[16];
    int nseen = 0;
    yoso_status st = jsonl_check_keys(json, lineno, keys, parameter_keys, seen, &nseen, 0);
    if (st) {
        cJSON_Delete(json);
        return st;
    }
    *root = json;
    *text = t->valuestring;
    return YOSO_OK;
}

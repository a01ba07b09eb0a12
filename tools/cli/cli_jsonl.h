/* cli_jsonl.h — strict parsing of one --jsonl input line (tokenize and fill-mask). */
#ifndef YOSO_CLI_JSONL_H
#define YOSO_CLI_JSONL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "yoso.h"

/* Parses a line of length len as one JSON object: nothing but spaces after it, every key listed
 * in `keys` (NULL-terminated; a key "parameters" must hold an object whose keys are listed in
 * `parameter_keys`), no key twice (a parameter counts as the key itself), no NUL byte in the line
 * and no U+0000 in its strings. The text is "text" or Hugging Face's "inputs" (one of them).
 * On success *root owns the object and *text points into it; on failure the message (naming
 * "stdin line N") is set and *root is NULL. */
yoso_status cli_jsonl_parse(const char *line, size_t len, long lineno, const char *const *keys,
                            const char *const *parameter_keys, cJSON **root, const char **text);
/* The value of key in root or in root's "parameters" object, or NULL. */
const cJSON *cli_jsonl_get(const cJSON *root, const char *key);

#endif

/* json_text.h — checks on JSON text before it is parsed, shared by the task layer, the CLI and
 * the server. */
#ifndef YOSO_JSON_TEXT_H
#define YOSO_JSON_TEXT_H

#include <stddef.h>

/* Whether the JSON text text[len] escapes U+0000 ("\u0000" whose backslash is not itself
 * escaped): cJSON would cut the string short there and the tokenizer cannot take it. */
int yoso_json_escapes_nul(const char *text, size_t len);

#endif

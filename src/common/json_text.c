/* json_text.c — checks on JSON text before it is parsed. */
#include "json_text.h"

#include <string.h>

int yoso_json_escapes_nul(const char *text, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] != '\\') continue;
        if (text[i + 1] == 'u' && i + 5 < len && !memcmp(text + i + 2, "0000", 4)) return 1;
        i++; /* an escaped character: "\\u0000" is a backslash and text */
    }
    return 0;
}

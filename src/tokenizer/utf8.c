/* utf8.c — strict UTF-8 validation, decoding, and the lossy "maximal subpart" rule. */
#include <string.h>

#include "tok_internal.h"

/* Length of the well-formed prefix of a sequence starting at bytes[0] (0 if the lead byte is
 * invalid), and the sequence's full length in *need; Unicode Table 3-7. */
static size_t utf8_valid_prefix(const uint8_t *b, size_t n, size_t *need) {
    uint8_t c = b[0];
    uint8_t lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *need = 1;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4) {
        *need = 1;
        return 0;
    }
    if (c < 0xE0)
        *need = 2;
    else if (c < 0xF0)
        *need = 3;
    else
        *need = 4;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    size_t k = 1;
    if (k < n && k < *need && b[k] >= lo && b[k] <= hi)
        k++;
    else
        return k;
    while (k < n && k < *need && b[k] >= 0x80 && b[k] <= 0xBF) k++;
    return k;
}

/* Returns 1 if the bytes are strict UTF-8, else 0 and the first bad offset. */
int tok_utf8_validate(const uint8_t *bytes, size_t n, size_t *bad_at) {
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path: 8 bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, bytes + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        if (bytes[i] < 0x80) {
            i++;
            continue;
        }
        size_t need, got = utf8_valid_prefix(bytes + i, n - i, &need);
        if (got != need) {
            if (bad_at) *bad_at = i;
            return 0;
        }
        i += need;
    }
    return 1;
}

/* Decodes one code point of valid UTF-8 (a byte that starts no complete sequence comes back as
 * itself, length 1, so that malformed input can never read past n). */
uint32_t tok_utf8_decode(const uint8_t *b, size_t n, size_t *len) {
    uint8_t c = b[0];
    if (c >= 0xC0 && c < 0xE0 && n >= 2) {
        *len = 2;
        return (uint32_t)(c & 0x1F) << 6 | (b[1] & 0x3F);
    }
    if (c >= 0xE0 && c < 0xF0 && n >= 3) {
        *len = 3;
        return (uint32_t)(c & 0x0F) << 12 | (uint32_t)(b[1] & 0x3F) << 6 | (b[2] & 0x3F);
    }
    if (c >= 0xF0 && n >= 4) {
        *len = 4;
        return (uint32_t)(c & 0x07) << 18 | (uint32_t)(b[1] & 0x3F) << 12 |
               (uint32_t)(b[2] & 0x3F) << 6 | (b[3] & 0x3F);
    }
    *len = 1;
    return c;
}

/* Encodes a code point as UTF-8. */
size_t tok_utf8_encode(uint32_t cp, uint8_t *out) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* How many bytes one U+FFFD replaces at this position (0 if the character is valid). */
size_t tok_utf8_invalid_run(const uint8_t *bytes, size_t n) {
    size_t need, got = utf8_valid_prefix(bytes, n, &need);
    if (got == need) return 0;
    return got ? got : 1;
}

/* The White_Space property (Rust regex `\s`, Python str.isspace minus the separators 1C..1F). */
int tok_is_white_space(uint32_t cp) {
    if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    if (cp < 0x85) return 0;
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return 1;
    default: return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* byte_map.c — GPT-2's bytes_to_unicode table: every byte as a printable code point. */
#include "tok_internal.h"

/* 1 if GPT-2 keeps this byte as its own code point ('!'..'~', '¡'..'¬', '®'..'ÿ'). */
static int byte_map_is_printable(unsigned b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

/* Maps a byte to its code point: printable bytes to themselves, the other 68 bytes, in byte
 * order, to U+0100, U+0101, … */
uint32_t tok_byte_to_cp(uint8_t byte) {
    if (byte_map_is_printable(byte)) return byte;
    unsigned n = 0;
    for (unsigned b = 0; b < byte; b++) n += !byte_map_is_printable(b);
    return 256 + n;
}

/* Maps a code point back to the byte it stands for, or -1. */
int tok_cp_to_byte(uint32_t cp) {
    if (cp < 256) return byte_map_is_printable(cp) ? (int)cp : -1;
    if (cp >= 256 + 68) return -1;
    unsigned n = cp - 256;
    for (unsigned b = 0; b < 256; b++) {
        if (byte_map_is_printable(b)) continue;
        if (n-- == 0) return (int)b;
    }
    return -1;
}

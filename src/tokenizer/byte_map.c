/* byte_map.c — GPT-2's bytes_to_unicode table: every byte as a printable code point. */
#include "tok_internal.h"

/* 1 if GPT-2 keeps this byte as its own code point ('!'..'~', '¡'..'¬', '®'..'ÿ'). */
static int byte_map_is_printable(unsigned b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

/* Maps a byte to its code point: printable bytes to themselves, the other 68 bytes, in byte
 * order, to U+0100, U+0101, …: 0x00..0x20 → U+0100..U+0120, 0x7F..0xA0 → U+0121..U+0142,
 * 0xAD → U+0143. */
uint32_t tok_byte_to_cp(uint8_t byte) {
    if (byte_map_is_printable(byte)) return byte;
    if (byte <= 0x20) return 256u + byte;
    if (byte <= 0xA0) return 256u + 33u + (byte - 0x7Fu);
    return 256u + 67u; /* 0xAD, the soft hyphen */
}

/* Maps a code point back to the byte it stands for, or -1. */
int tok_cp_to_byte(uint32_t cp) {
    if (cp < 256) return byte_map_is_printable(cp) ? (int)cp : -1;
    if (cp < 256 + 33) return (int)(cp - 256);
    if (cp < 256 + 67) return (int)(cp - 256 - 33 + 0x7F);
    if (cp == 256 + 67) return 0xAD;
    return -1;
}

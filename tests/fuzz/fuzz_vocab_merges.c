/* fuzz_vocab_merges.c — libFuzzer target: arbitrary vocab.json + merges.txt
 * (yoso_tokenizer_load_memory). The input is the vocab.json bytes, a NUL byte, then the
 * merges.txt bytes (no NUL: all vocab.json, empty merges).
 *
 * A refusal must say why (exit code 2); an accepted tokenizer must encode a few fixed texts and
 * decode them back byte for byte (byte-level BPE is lossless on text without added tokens), and
 * encode and decode the merges bytes themselves as text without a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "tokenizer.h"

/* Encodes text, checks the ids are in the vocabulary, and decodes them back. */
static void fuzz_round_trip(const yoso_tokenizer *tok, const char *text, size_t len,
                            int must_round_trip) {
    int32_t *ids = NULL;
    size_t n = 0;
    yoso_status st = yoso_tokenizer_encode(tok, text, len, 0, 0, &ids, &n);
    if (st != YOSO_OK) {
        if (fuzz_utf8_valid((const uint8_t *)text, len) && st != YOSO_ERR_NO_MEMORY) abort();
        return;
    }
    if (!fuzz_utf8_valid((const uint8_t *)text, len)) abort(); /* accepted invalid UTF-8 */
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= yoso_tokenizer_vocab_size(tok)) abort();
    char *back = NULL;
    st = yoso_tokenizer_decode(tok, ids, n, 0, &back);
    if (st != YOSO_OK) abort();
    if (must_round_trip && (memcmp(back, text, len) != 0 || back[len] != '\0')) abort();
    free(back);
    free(ids);
}

/* One libFuzzer execution: never crashes; abort() marks a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = memchr(data, 0, size);
    size_t vocab_len = nul ? (size_t)(nul - data) : size;
    const char *merges = nul ? (const char *)nul + 1 : "";
    size_t merges_len = nul ? size - vocab_len - 1 : 0;
    yoso_tokenizer *tok = NULL;
    yoso_status st =
        yoso_tokenizer_load_memory((const char *)data, vocab_len, merges, merges_len, &tok);
    if (st != YOSO_OK) {
        if (tok || (yoso_status_exit_code(st) != 2 && st != YOSO_ERR_NO_MEMORY)) abort();
        if (!*yoso_last_error()) abort();
        return 0;
    }
    static const char *const k_texts[] = {"Hello world", " low lower lowest",
                                          "caf\xc3\xa9 \xe2\x82\xac 12", "  tabs\tand\nnew lines  ",
                                          "'s 're 've"};
    for (size_t i = 0; i < sizeof k_texts / sizeof k_texts[0]; i++)
        fuzz_round_trip(tok, k_texts[i], strlen(k_texts[i]), 1);
    fuzz_round_trip(tok, merges, merges_len, 0);
    yoso_tokenizer_free(tok);
    return 0;
}

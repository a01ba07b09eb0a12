/* fuzz_tokenize.c — libFuzzer target: arbitrary text through the real RoBERTa tokenizer
 * (tests/data/roberta-bpe): yoso_tokenizer_encode (and _offsets), then yoso_tokenizer_decode.
 *
 * The first input byte picks the mode, the rest is the text (or ids):
 *   0  encode without specials: accepted exactly when the text is strict UTF-8 (checked by an
 *      independent validator); text without added tokens decodes back byte for byte;
 *   1  encode with <s> … </s>, truncated to 2..65 ids: at most that many, <s> first, </s> last;
 *   2  decode the bytes as int32 ids: out-of-range ids are refused, others give strict UTF-8;
 *   3  encode with specials, then decode skipping them: strict UTF-8 out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "tokenizer.h"

static yoso_tokenizer *g_tok;

/* Loads the real tokenizer once per fuzzing process. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    if (yoso_tokenizer_load(YOSO_TEST_DATA "/roberta-bpe", &g_tok) != YOSO_OK) {
        fprintf(stderr, "fuzz_tokenize: %s\n", yoso_last_error());
        abort();
    }
    return 0;
}

/* 1 if text holds one of the added tokens (specials, the mask, its [MASK] alias). */
static int fuzz_has_added_token(const char *text, size_t len) {
    static const char *const k_added[] = {"<s>", "</s>", "<pad>", "<unk>", "<mask>", "[MASK]"};
    for (size_t i = 0; i < sizeof k_added / sizeof k_added[0]; i++) {
        size_t n = strlen(k_added[i]);
        for (size_t at = 0; at + n <= len; at++)
            if (!memcmp(text + at, k_added[i], n)) return 1;
    }
    return 0;
}

/* Mode 0: validity agreement and the lossless round trip. */
static void fuzz_encode_plain(const char *text, size_t len) {
    int32_t *ids = NULL;
    size_t n = 0;
    int valid = fuzz_utf8_valid((const uint8_t *)text, len);
    yoso_status st = yoso_tokenizer_encode(g_tok, text, len, 0, 0, &ids, &n);
    if ((st == YOSO_OK) != valid) abort();
    if (st != YOSO_OK) {
        if (st != YOSO_ERR_INPUT || !strstr(yoso_last_error(), "UTF-8")) abort();
        return;
    }
    char *back = NULL;
    if (yoso_tokenizer_decode(g_tok, ids, n, 0, &back) != YOSO_OK) abort();
    if (!fuzz_has_added_token(text, len) && (memcmp(back, text, len) != 0 || back[len] != '\0'))
        abort();
    free(back);
    /* the offsets call gives the same ids, and spans inside the text that never go back */
    int32_t *ids2 = NULL;
    yoso_token_span *spans = NULL;
    size_t n2 = 0;
    if (yoso_tokenizer_encode_offsets(g_tok, text, len, 0, 0, &ids2, &spans, &n2) != YOSO_OK)
        abort();
    if (n2 != n || (n && memcmp(ids, ids2, n * sizeof *ids) != 0)) abort();
    for (size_t i = 0; i < n; i++) {
        const yoso_token_span *sp = &spans[i];
        if (sp->byte_start > sp->byte_end || sp->byte_end > len || sp->start > sp->end ||
            sp->end > len || (i && sp->byte_start < spans[i - 1].byte_start))
            abort();
    }
    free(spans);
    free(ids2);
    free(ids);
}

/* Mode 1: truncation keeps the frame. */
static void fuzz_encode_truncated(const char *text, size_t len, size_t max_length) {
    int32_t *ids = NULL;
    size_t n = 0;
    yoso_status st = yoso_tokenizer_encode(
        g_tok, text, len, YOSO_TOKENIZE_ADD_SPECIAL | YOSO_TOKENIZE_TRUNCATE, max_length, &ids, &n);
    if (st != YOSO_OK) {
        if (fuzz_utf8_valid((const uint8_t *)text, len)) abort();
        return;
    }
    if (n < 2 || n > max_length || ids[0] != 0 || ids[n - 1] != 2) abort();
    free(ids);
}

/* Mode 2: decoding arbitrary ids. */
static void fuzz_decode_ids(const uint8_t *bytes, size_t len) {
    size_t n = len / 4;
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids); /* [n] */
    if (!ids) return;
    int in_range = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, bytes + 4 * i, 4);
        /* mostly valid ids, sometimes a hostile one */
        ids[i] = (u >> 31) ? (int32_t)u : (int32_t)(u % (yoso_tokenizer_vocab_size(g_tok) + 8));
        in_range &= ids[i] >= 0 && (size_t)ids[i] < yoso_tokenizer_vocab_size(g_tok);
    }
    char *text = NULL;
    yoso_status st = yoso_tokenizer_decode(g_tok, ids, n, len & 1, &text);
    if ((st == YOSO_OK) != in_range) abort();
    if (st == YOSO_OK && !fuzz_utf8_valid((const uint8_t *)text, strlen(text))) abort();
    free(text);
    free(ids);
}

/* Mode 3: specials in, specials skipped out. */
static void fuzz_encode_decode_special(const char *text, size_t len) {
    int32_t *ids = NULL;
    size_t n = 0;
    if (yoso_tokenizer_encode(g_tok, text, len, YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n) != YOSO_OK)
        return;
    char *back = NULL;
    if (yoso_tokenizer_decode(g_tok, ids, n, 1, &back) != YOSO_OK) abort();
    if (!fuzz_utf8_valid((const uint8_t *)back, strlen(back))) abort();
    free(back);
    free(ids);
}

/* One libFuzzer execution: never crashes; abort() marks a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] & 3) {
    case 0: fuzz_encode_plain(text, len); break;
    case 1: fuzz_encode_truncated(text, len, 2 + (data[0] >> 2)); break;
    case 2: fuzz_decode_ids(data + 1, len); break;
    default: fuzz_encode_decode_special(text, len); break;
    }
    return 0;
}

/* tokenizer.h — tokenizer entry points beyond include/yoso.h (for the CLI, tools and tests). */
#ifndef YOSO_TOKENIZER_H
#define YOSO_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "yoso.h"

enum {
    YOSO_DECODE_SKIP_SPECIAL = 1, /* drop <s>, </s>, <pad>, <mask>… (skip_special_tokens=True) */
    /* transformers 4.x's clean_up_tokenization (" ." → ".", " n't" → "n't", …). The installed
     * transformers 5.x never applies it to BPE tokenizers, so plain decode does not either. */
    YOSO_DECODE_CLEANUP_SPACES = 2
};

/* yoso_tokenizer_decode with YOSO_DECODE_* flags; *text is malloc'ed and NUL-terminated. */
yoso_status yoso_tokenizer_decode_ex(const yoso_tokenizer *tok, const int32_t *ids, size_t count,
                                     int flags, char **text);

/* Builds a tokenizer from the bytes of vocab.json and merges.txt held in memory (not
 * NUL-terminated), with RoBERTa's default special tokens (no special-token files are read).
 * Malformed input is YOSO_ERR_INPUT / YOSO_ERR_UNSUPPORTED, as from files. For fuzzing. */
yoso_status yoso_tokenizer_load_memory(const char *vocab_json, size_t vocab_len, const char *merges,
                                       size_t merges_len, yoso_tokenizer **out);

#endif

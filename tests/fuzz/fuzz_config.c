/* fuzz_config.c — libFuzzer target: arbitrary bytes as config.json (yoso_config_parse).
 *
 * A refusal must say why and map to exit code 2; an acceptance must give a configuration the
 * model can be built from: positive sizes in their ranges, heads dividing the hidden size, an
 * odd or absent conv window, special-token ids inside the vocabulary or -1. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

/* One libFuzzer execution: never crashes; abort() marks a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    yoso_config cfg;
    yoso_status st = yoso_config_parse((const char *)data, size, &cfg);
    if (st != YOSO_OK) {
        if (yoso_status_exit_code(st) != 2 && st != YOSO_ERR_NO_MEMORY) abort();
        if (!*yoso_last_error()) abort();
        return 0;
    }
    if (cfg.vocab_size < 1 || cfg.hidden_size < 1 || cfg.num_hidden_layers < 1 ||
        cfg.num_attention_heads < 1 || cfg.intermediate_size < 1 ||
        cfg.max_position_embeddings < 1 || cfg.type_vocab_size < 1)
        abort();
    if (cfg.hidden_size % cfg.num_attention_heads != 0) abort();
    if (cfg.hash_code_len < 1 || cfg.hash_code_len > 16 || cfg.num_hash < 1) abort();
    if (cfg.conv_window < 0 || (cfg.conv_window > 0 && cfg.conv_window % 2 == 0)) abort();
    if (!(cfg.layer_norm_eps > 0.0f && cfg.layer_norm_eps < 1.0f)) abort();
    const int ids[3] = {cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id};
    for (int i = 0; i < 3; i++)
        if (ids[i] < -1 || ids[i] >= cfg.vocab_size) abort();
    return 0;
}

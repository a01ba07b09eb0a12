/* config.h — the YosoConfig fields that change the computation, read from config.json. */
#ifndef YOSO_CONFIG_H
#define YOSO_CONFIG_H

#include "yoso.h"

typedef struct yoso_config {
    int vocab_size;              /* 50265 for yoso-4096 */
    int hidden_size;             /* H, 768 */
    int num_hidden_layers;       /* 12 */
    int num_attention_heads;     /* nh, 12; H % nh == 0 */
    int intermediate_size;       /* FFN width, 3072 */
    int max_position_embeddings; /* 4096; the position table has this + 2 rows */
    int type_vocab_size;         /* 1 */
    int pad_token_id, bos_token_id, eos_token_id;
    float layer_norm_eps; /* 1e-12 */
    int use_expectation;  /* 1: YOSO-E, 0: LSH */
    int hash_code_len;    /* τ, 9 */
    int num_hash;         /* m, 64 */
    int conv_window;      /* 0: no conv branch */
    int use_fast_hash;    /* 1 */
    char
        architecture[64]; /* architectures[0], e.g. "YosoForSequenceClassification"; "" if absent */
    int num_labels;       /* len(id2label), else num_labels, else 2 (PretrainedConfig's default) */
    int problem_type;     /* yoso_problem_type; YOSO_PROBLEM_DEFAULT when absent or null */
} yoso_config;

/* Reads config.json's id2label at path into *labels: one malloc'ed block of cfg->num_labels
 * pointers followed by the strings (free(*labels) releases all). An absent id2label gives
 * HF's "LABEL_<i>" names; an id2label whose keys are not 0..num_labels-1 is YOSO_ERR_INPUT. */
yoso_status yoso_config_load_labels(const char *path, const yoso_config *cfg, char ***labels);

/* Parses config.json at path; unknown or unsupported values (hidden_act other than gelu,
 * position_embedding_type other than absolute, non-positive sizes…) are YOSO_ERR_UNSUPPORTED or
 * YOSO_ERR_INPUT with a message naming the field. Missing optional fields take YosoConfig's
 * defaults. */
yoso_status yoso_config_load(const char *path, yoso_config *cfg);

/* Parses config.json text held in memory (len bytes, not necessarily NUL-terminated). */
yoso_status yoso_config_parse(const char *text, size_t len, yoso_config *cfg);

#endif

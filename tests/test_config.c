/* test_config.c — config.json: every field read, defaults for optional ones, and every missing,
 * absurd, mistyped or unsupported value refused with its field named. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "loader_reference.h"

#define CONFIG_INT_FIELDS 15

/* Configs read whole, each field against the value it must take: the integer fields in
 * k_int_field_names' order, then layer_norm_eps. */
static const struct {
    const char *file, *what;
    int want[CONFIG_INT_FIELDS];
    float eps;
} k_whole[] = {
    {"loader/config.json",
     "the tiny fixture model's, as save_pretrained wrote it",
     {50, 16, 1, 2, 24, 32, 1, 1, 0, 2, 1, 9, 64, 0, 1},
     1e-12f},
    {"loader/configs/yoso4096.json",
     "uw-madison/yoso-4096's: YosoConfig defaults + transformers 4's position_embedding_type",
     {50265, 768, 12, 12, 3072, 4096, 1, 1, 0, 2, 1, 9, 64, 0, 1},
     1e-12f},
    {"loader/configs/minimal.json",
     "only the required sizes: the rest takes YosoConfig's defaults",
     {50, 16, 1, 2, 24, 32, 1, 1, 0, 2, 1, 9, 64, 0, 1},
     1e-12f},
};

static const char *const k_int_field_names[CONFIG_INT_FIELDS] = {
    "vocab_size",        "hidden_size",
    "num_hidden_layers", "num_attention_heads",
    "intermediate_size", "max_position_embeddings",
    "type_vocab_size",   "pad_token_id",
    "bos_token_id",      "eos_token_id",
    "use_expectation",   "hash_code_len",
    "num_hash",          "conv_window",
    "use_fast_hash"};

/* The integer fields of *c, in yoso_config's order, into f[CONFIG_INT_FIELDS]. */
static void config_int_fields(const yoso_config *c, int *f) {
    const int v[CONFIG_INT_FIELDS] = {c->vocab_size,        c->hidden_size,
                                      c->num_hidden_layers, c->num_attention_heads,
                                      c->intermediate_size, c->max_position_embeddings,
                                      c->type_vocab_size,   c->pad_token_id,
                                      c->bos_token_id,      c->eos_token_id,
                                      c->use_expectation,   c->hash_code_len,
                                      c->num_hash,          c->conv_window,
                                      c->use_fast_hash};
    memcpy(f, v, sizeof v);
}

/* Every field of each config in k_whole is read as it must be. */
static void test_whole_configs(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof k_whole / sizeof k_whole[0]; i++) {
        yoso_config c;
        print_message("%s (%s)\n", k_whole[i].file, k_whole[i].what);
        assert_int_equal(yoso_config_load(test_data_path(k_whole[i].file), &c), YOSO_OK);
        int got[CONFIG_INT_FIELDS];
        config_int_fields(&c, got);
        const int *want = k_whole[i].want;
        for (size_t f = 0; f < (size_t)CONFIG_INT_FIELDS; f++)
            if (got[f] != want[f])
                fail_msg("%s: %s is %d, expected %d", k_whole[i].file, k_int_field_names[f], got[f],
                         want[f]);
        assert_true(c.layer_norm_eps == k_whole[i].eps);
    }
}

/* conv_window, a list-valued eos_token_id and a null pad_token_id are all valid. */
static void test_optional_forms(void **state) {
    (void)state;
    yoso_config c;
    assert_int_equal(yoso_config_load(test_data_path("loader/conv/config.json"), &c), YOSO_OK);
    assert_int_equal(c.conv_window, 3);
    assert_int_equal(yoso_config_load(test_data_path("loader/configs/eos_list_pad_null.json"), &c),
                     YOSO_OK);
    assert_int_equal(c.eos_token_id, 2);
    assert_int_equal(c.pad_token_id, -1);
    const char *text =
        "{\"vocab_size\": 10, \"hidden_size\": 8, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 12, \"max_position_embeddings\": 64, \"use_expectation\": false, \"use_fast_hash\": false, \"hash_code_len\": 16, \"num_hash\": 8, \"layer_norm_eps\": 1e-5, \"type_vocab_size\": 2, \"bos_token_id\": 9, \"conv_window\": null}";
    assert_int_equal(yoso_config_parse(text, strlen(text), &c), YOSO_OK);
    assert_int_equal(c.use_expectation, 0);
    assert_int_equal(c.use_fast_hash, 0);
    assert_int_equal(c.hash_code_len, 16);
    assert_int_equal(c.num_hash, 8);
    assert_true(c.layer_norm_eps == 1e-5f);
    assert_int_equal(c.type_vocab_size, 2);
    assert_int_equal(c.bos_token_id, 9);
    assert_int_equal(c.conv_window, 0);
    assert_int_equal(c.num_hidden_layers, 2);
}

typedef struct bad_config {
    const char *file;
    yoso_status status;
    const char *fragment; /* the message must name this (usually the field) */
} bad_config;

static const bad_config k_bad[] = {
    {"missing_hidden_size.json", YOSO_ERR_INPUT, "'hidden_size' is missing"},
    {"hidden_size_zero.json", YOSO_ERR_INPUT, "'hidden_size' is 0"},
    {"hidden_size_string.json", YOSO_ERR_INPUT, "'hidden_size' must be an integer"},
    {"hidden_size_float.json", YOSO_ERR_INPUT, "'hidden_size' must be an integer"},
    {"heads_not_dividing.json", YOSO_ERR_INPUT, "'num_attention_heads' (3) does not divide"},
    {"hash_code_len_17.json", YOSO_ERR_INPUT, "'hash_code_len' is 17"},
    {"hash_code_len_0.json", YOSO_ERR_INPUT, "'hash_code_len' is 0"},
    {"vocab_negative.json", YOSO_ERR_INPUT, "'vocab_size' is -5"},
    {"vocab_huge.json", YOSO_ERR_INPUT, "'vocab_size' is 1000000000000"},
    {"layers_huge.json", YOSO_ERR_INPUT, "'num_hidden_layers' is 100000"},
    {"hidden_act_relu.json", YOSO_ERR_UNSUPPORTED, "'hidden_act' is \"relu\""},
    {"hidden_act_number.json", YOSO_ERR_INPUT, "'hidden_act' must be a string"},
    {"position_relative.json", YOSO_ERR_UNSUPPORTED,
     "'position_embedding_type' is \"relative_key\""},
    {"use_expectation_string.json", YOSO_ERR_INPUT, "'use_expectation' must be true or false"},
    {"conv_even.json", YOSO_ERR_INPUT, "'conv_window' is 4"},
    {"conv_string.json", YOSO_ERR_INPUT, "'conv_window' must be an integer"},
    {"tie_false.json", YOSO_ERR_UNSUPPORTED, "'tie_word_embeddings' is false"},
    {"model_type_bert.json", YOSO_ERR_UNSUPPORTED, "'model_type' is \"bert\""},
    {"eps_negative.json", YOSO_ERR_INPUT, "'layer_norm_eps'"},
    {"pad_out_of_range.json", YOSO_ERR_INPUT,
     "'pad_token_id' must be null or a token id in [0, 50)"},
    {"not_json.json", YOSO_ERR_INPUT, "not valid JSON"},
    {"not_object.json", YOSO_ERR_INPUT, "not a JSON object"},
    {"empty.json", YOSO_ERR_INPUT, "not valid JSON"},
};

/* Every bad config.json fixture: the right status, its path and the field in the message. */
static void test_bad_configs(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "loader/configs/%s", k_bad[i].file);
        yoso_config c;
        yoso_status st = yoso_config_load(test_data_path(rel), &c);
        if (st != k_bad[i].status)
            fail_msg("%s: status %s, expected %s (%s)", k_bad[i].file, yoso_status_string(st),
                     yoso_status_string(k_bad[i].status), yoso_last_error());
        ref_assert_contains(yoso_last_error(), k_bad[i].fragment);
        ref_assert_contains(yoso_last_error(), k_bad[i].file);
    }
}

/* Each required field, removed in turn from a valid config, is reported by name. */
static void test_each_required_field(void **state) {
    (void)state;
    static const char *const fields[] = {"vocab_size",        "hidden_size",
                                         "num_hidden_layers", "num_attention_heads",
                                         "intermediate_size", "max_position_embeddings"};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        char text[1024] = "{";
        for (size_t j = 0; j < sizeof fields / sizeof fields[0]; j++) {
            if (j == k) continue;
            char part[96];
            snprintf(part, sizeof part, "%s\"%s\": 8", strlen(text) > 1 ? ", " : "", fields[j]);
            strcat(text, part);
        }
        strcat(text, "}");
        yoso_config c;
        assert_int_equal(yoso_config_parse(text, strlen(text), &c), YOSO_ERR_INPUT);
        char want[96];
        snprintf(want, sizeof want, "'%s' is missing", fields[k]);
        ref_assert_contains(yoso_last_error(), want);
    }
}

/* Mistyped values of every kind of field. */
static void test_wrong_types_in_memory(void **state) {
    (void)state;
    static const struct {
        const char *extra, *fragment;
    } cases[] = {
        {"\"num_hash\": 1.5", "'num_hash' must be an integer"},
        {"\"num_hash\": 0", "'num_hash' is 0"},
        {"\"type_vocab_size\": [1]", "'type_vocab_size' must be an integer"},
        {"\"use_fast_hash\": 1", "'use_fast_hash' must be true or false"},
        {"\"layer_norm_eps\": \"1e-12\"", "'layer_norm_eps' must be a number"},
        {"\"layer_norm_eps\": 0", "'layer_norm_eps' must be a number"},
        {"\"conv_window\": -3", "'conv_window' is -3"},
        {"\"eos_token_id\": []", "'eos_token_id'"},
        {"\"bos_token_id\": \"0\"", "'bos_token_id'"},
        {"\"hidden_act\": \"gelu_new\"", "'hidden_act' is \"gelu_new\""},
        {"\"position_embedding_type\": null", "'position_embedding_type' must be a string"},
        {"\"num_hash\": 1e300", "'num_hash' is 1.0000000000000001e+300"},
        {"\"max_position_embeddings\": 64", "'max_position_embeddings' appears twice"},
        {"\"type_vocab_size\": true", "'type_vocab_size' must be an integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        yoso_config c;
        yoso_status st = ref_parse_tiny_config(
            &c, "\"vocab_size\": 50, \"max_position_embeddings\": 32, %s", cases[i].extra);
        if (st == YOSO_OK) fail_msg("accepted %s", cases[i].extra);
        ref_assert_contains(yoso_last_error(), cases[i].fragment);
    }
}

/* A missing file is NOT_FOUND; text is read only up to len; no prefix of a config parses. */
static void test_missing_file_and_prefixes(void **state) {
    (void)state;
    yoso_config c;
    assert_int_equal(yoso_config_load(test_data_path("loader/configs/nope.json"), &c),
                     YOSO_ERR_NOT_FOUND);
    ref_assert_contains(yoso_last_error(), "nope.json");
    assert_int_equal(yoso_config_parse(NULL, 0, &c), YOSO_ERR_INPUT);
    size_t size = 0;
    char *text = test_read_file(test_data_path("loader/config.json"), &size);
    assert_non_null(text);
    size_t end = size;
    while (end > 0 && text[end - 1] != '}') end--;
    assert_true(end > 0);
    /* Bytes after len must not be read: garbage there changes nothing. */
    char *copy = malloc(size + 8);
    assert_non_null(copy);
    memcpy(copy, text, end);
    memcpy(copy + end, "garbage", 7);
    assert_int_equal(yoso_config_parse(copy, end, &c), YOSO_OK);
    assert_int_equal(c.hidden_size, 16);
    for (size_t len = 0; len < end; len++) {
        char *prefix = malloc(len ? len : 1); /* exact size, so a read past len is caught */
        assert_non_null(prefix);
        memcpy(prefix, text, len);
        assert_int_not_equal(yoso_config_parse(prefix, len, &c), YOSO_OK);
        free(prefix);
    }
    free(copy);
    free(text);
}

TEST_MAIN(NULL, NULL, test_whole_configs, test_optional_forms, test_bad_configs,
          test_each_required_field, test_wrong_types_in_memory, test_missing_file_and_prefixes)

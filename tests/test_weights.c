/* test_weights.c — binding HF tensor names to the model's parts: MLM and base checkpoints in
 * both formats and all dtypes, the conv branch, and every mismatch with config.json refused. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_reference.h"
#include "model.h"
#include "tensor_table.h"
#include "weights.h"

/* Loads tests/data/loader/<rel> as config, asserting success. */
static yoso_config load_config(const char *rel) {
    char path[256];
    snprintf(path, sizeof path, "loader/%s", rel);
    yoso_config c;
    yoso_status st = yoso_config_load(test_data_path(path), &c);
    if (st != YOSO_OK) fail_msg("%s: %s", rel, yoso_last_error());
    return c;
}

/* Asserts that a bound view is exactly the file's tensor prefix+name with the given shape. */
static void expect_view(const yoso_tensor_file *f, const yoso_tensor_view *v, const char *prefix,
                        const char *name, int ndim, int64_t d0, int64_t d1) {
    char full[256];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    const yoso_tensor_view *t = yoso_tensor_file_find(f, full);
    if (!t) fail_msg("the file has no %s", full);
    if (v != t) fail_msg("%s is not bound to the file's tensor", full);
    assert_int_equal(v->ndim, ndim);
    assert_int_equal(v->shape[0], d0);
    if (ndim > 1) assert_int_equal(v->shape[1], d1);
}

/* Every part of the tiny model; prefix is "yoso." for YosoForMaskedLM, "" for YosoModel. */
static void check_bound(const yoso_tensor_file *f, const yoso_weights *w, const char *p, int head) {
    expect_view(f, w->word_emb, p, "embeddings.word_embeddings.weight", 2, 50, 16);
    expect_view(f, w->pos_emb, p, "embeddings.position_embeddings.weight", 2, 34, 16);
    expect_view(f, w->type_emb, p, "embeddings.token_type_embeddings.weight", 2, 1, 16);
    expect_view(f, w->emb_ln_w, p, "embeddings.LayerNorm.weight", 1, 16, 0);
    expect_view(f, w->emb_ln_b, p, "embeddings.LayerNorm.bias", 1, 16, 0);
    assert_int_equal(w->num_layers, 1);
    const yoso_layer_weights *l = &w->layers[0];
    const char *L = "encoder.layer.0.";
    char n[128];
#define NAME(s) (snprintf(n, sizeof n, "%s%s", L, s), n)
    expect_view(f, l->q_w, p, NAME("attention.self.query.weight"), 2, 16, 16);
    expect_view(f, l->q_b, p, NAME("attention.self.query.bias"), 1, 16, 0);
    expect_view(f, l->k_w, p, NAME("attention.self.key.weight"), 2, 16, 16);
    expect_view(f, l->k_b, p, NAME("attention.self.key.bias"), 1, 16, 0);
    expect_view(f, l->v_w, p, NAME("attention.self.value.weight"), 2, 16, 16);
    expect_view(f, l->v_b, p, NAME("attention.self.value.bias"), 1, 16, 0);
    expect_view(f, l->attn_out_w, p, NAME("attention.output.dense.weight"), 2, 16, 16);
    expect_view(f, l->attn_out_b, p, NAME("attention.output.dense.bias"), 1, 16, 0);
    expect_view(f, l->attn_ln_w, p, NAME("attention.output.LayerNorm.weight"), 1, 16, 0);
    expect_view(f, l->attn_ln_b, p, NAME("attention.output.LayerNorm.bias"), 1, 16, 0);
    expect_view(f, l->ffn_in_w, p, NAME("intermediate.dense.weight"), 2, 24, 16);
    expect_view(f, l->ffn_in_b, p, NAME("intermediate.dense.bias"), 1, 24, 0);
    expect_view(f, l->ffn_out_w, p, NAME("output.dense.weight"), 2, 16, 24);
    expect_view(f, l->ffn_out_b, p, NAME("output.dense.bias"), 1, 16, 0);
    expect_view(f, l->ffn_ln_w, p, NAME("output.LayerNorm.weight"), 1, 16, 0);
    expect_view(f, l->ffn_ln_b, p, NAME("output.LayerNorm.bias"), 1, 16, 0);
#undef NAME
    assert_null(l->conv_w);
    assert_int_equal(w->has_lm_head, head);
    if (head) {
        expect_view(f, w->head_dense_w, "", "cls.predictions.transform.dense.weight", 2, 16, 16);
        expect_view(f, w->head_dense_b, "", "cls.predictions.transform.dense.bias", 1, 16, 0);
        expect_view(f, w->head_ln_w, "", "cls.predictions.transform.LayerNorm.weight", 1, 16, 0);
        expect_view(f, w->head_ln_b, "", "cls.predictions.transform.LayerNorm.bias", 1, 16, 0);
        expect_view(f, w->head_bias, "", "cls.predictions.bias", 1, 50, 0);
    } else {
        assert_null(w->head_dense_w);
        assert_null(w->head_dense_b);
        assert_null(w->head_ln_w);
        assert_null(w->head_ln_b);
        assert_null(w->head_bias);
    }
}

/* The MLM checkpoint in both formats and all three dtypes binds completely; the bound query
 * weight converts to the reference's float32 values. */
static void test_bind_mlm(void **state) {
    (void)state;
    yoso_config c = load_config("config.json");
    static const struct {
        const char *file, *ref;
    } cases[] = {
        {"tiny_f32.safetensors", "reference_f32"},   {"tiny_f16.safetensors", "reference_f16"},
        {"tiny_bf16.safetensors", "reference_bf16"}, {"tiny_f32.bin", "reference_f32"},
        {"tiny_f16.bin", "reference_f16"},           {"tiny_bf16.bin", "reference_bf16"},
        {"tiny_f32_zip64.bin", "reference_f32"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        yoso_tensor_file *f = ref_open_fixture(cases[i].file);
        yoso_weights w;
        yoso_status st = yoso_weights_bind(f, &c, &w);
        if (st != YOSO_OK) fail_msg("%s: %s", cases[i].file, yoso_last_error());
        check_bound(f, &w, "yoso.", 1);
        ref_set r;
        ref_load(cases[i].ref, &r);
        ref_check_tensor(&r, ref_find(&r, "yoso.encoder.layer.0.attention.self.query.weight"),
                         w.layers[0].q_w);
        ref_check_tensor(&r, ref_find(&r, "cls.predictions.bias"), w.head_bias);
        ref_release(&r);
        yoso_weights_release(&w);
        assert_null(w.layers);
        yoso_tensor_file_close(f);
    }
}

/* A base YosoModel checkpoint: no prefix, no head, has_lm_head = 0. */
static void test_bind_base(void **state) {
    (void)state;
    yoso_config c = load_config("config.json");
    const char *files[] = {"base_f32.safetensors", "base_f32.bin"};
    for (size_t i = 0; i < 2; i++) {
        yoso_tensor_file *f = ref_open_fixture(files[i]);
        yoso_weights w;
        yoso_status st = yoso_weights_bind(f, &c, &w);
        if (st != YOSO_OK) fail_msg("%s: %s", files[i], yoso_last_error());
        check_bound(f, &w, "", 0);
        yoso_weights_release(&w);
        yoso_tensor_file_close(f);
    }
}

/* conv_window 3: the conv weight [heads, 1, 3, 1] is bound. */
static void test_bind_conv(void **state) {
    (void)state;
    yoso_config c = load_config("conv/config.json");
    assert_int_equal(c.conv_window, 3);
    yoso_tensor_file *f = ref_open_fixture("conv/model.safetensors");
    yoso_weights w;
    assert_int_equal(yoso_weights_bind(f, &c, &w), YOSO_OK);
    const yoso_tensor_view *conv = w.layers[0].conv_w;
    assert_ptr_equal(conv,
                     yoso_tensor_file_find(f, "yoso.encoder.layer.0.attention.self.conv.weight"));
    assert_int_equal(conv->ndim, 4);
    assert_int_equal(conv->shape[0], 2);
    assert_int_equal(conv->shape[1], 1);
    assert_int_equal(conv->shape[2], 3);
    assert_int_equal(conv->shape[3], 1);
    yoso_weights_release(&w);
    /* The same checkpoint with a config that has no conv_window: the weight is unexpected. */
    yoso_config plain = load_config("config.json");
    assert_int_equal(yoso_weights_bind(f, &plain, &w), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "'yoso.encoder.layer.0.attention.self.conv.weight'");
    assert_null(w.layers);
    yoso_tensor_file_close(f);
}

/* Only cls.predictions.decoder.bias present: it becomes the head bias. */
static void test_bind_decoder_bias(void **state) {
    (void)state;
    yoso_config c = load_config("config.json");
    yoso_tensor_file *f = ref_open_fixture("w_decoder_bias.safetensors");
    yoso_weights w;
    assert_int_equal(yoso_weights_bind(f, &c, &w), YOSO_OK);
    assert_null(yoso_tensor_file_find(f, "cls.predictions.bias"));
    assert_ptr_equal(w.head_bias, yoso_tensor_file_find(f, "cls.predictions.decoder.bias"));
    yoso_weights_release(&w);
    yoso_tensor_file_close(f);
}

typedef struct bad_bind {
    const char *file, *config;
    const char *fragments[3];
} bad_bind;

static const bad_bind k_bad[] = {
    {"w_wrong_shape.safetensors",
     "config.json",
     {"tensor 'yoso.encoder.layer.0.attention.self.query.weight' has shape [16, 8]",
      "expected [16, 16]", "hidden_size 16"}},
    {"w_missing.safetensors",
     "config.json",
     {"no tensor 'yoso.encoder.layer.0.output.dense.bias'", "expected shape [16]", NULL}},
    {"w_int_dtype.safetensors",
     "config.json",
     {"'yoso.encoder.layer.0.attention.self.query.bias' has dtype I64", "float type", NULL}},
    {"w_extra_layer.safetensors",
     "config.json",
     {"has tensor 'yoso.encoder.layer.1.", "(num_hidden_layers 1", NULL}},
    {"w_unexpected_conv.safetensors",
     "config.json",
     {"'yoso.encoder.layer.0.attention.self.conv.weight'", "conv_window 0", NULL}},
    {"tiny_f32.safetensors",
     "configs/two_layers.json",
     {"no tensor 'yoso.encoder.layer.1.attention.self.query.weight'", NULL, NULL}},
    {"tiny_f32.bin",
     "configs/yoso4096.json",
     {"'yoso.embeddings.word_embeddings.weight' has shape [50, 16], expected [50265, 768]", NULL,
      NULL}},
    {"views.bin", "config.json", {"no tensor 'embeddings.word_embeddings.weight'", NULL, NULL}},
};

/* Every mismatch between checkpoint and config: INPUT, the tensor and both shapes named. */
static void test_bind_mismatches(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        yoso_config c = load_config(k_bad[i].config);
        yoso_tensor_file *f = ref_open_fixture(k_bad[i].file);
        yoso_weights w;
        yoso_status st = yoso_weights_bind(f, &c, &w);
        if (st != YOSO_ERR_INPUT)
            fail_msg("%s with %s: status %s (%s)", k_bad[i].file, k_bad[i].config,
                     yoso_status_string(st), yoso_last_error());
        for (int k = 0; k < 3 && k_bad[i].fragments[k]; k++)
            ref_assert_contains(yoso_last_error(), k_bad[i].fragments[k]);
        ref_assert_contains(yoso_last_error(), k_bad[i].file); /* the checkpoint's path */
        assert_null(w.layers);
        assert_null(w.word_emb);
        yoso_tensor_file_close(f);
    }
}

/* A config whose vocab, positions or type vocab differ from the checkpoint's tables. */
static void test_bind_config_sizes(void **state) {
    (void)state;
    static const struct {
        const char *json, *fragment;
    } cases[] = {
        {"\"vocab_size\": 60, \"max_position_embeddings\": 32, \"type_vocab_size\": 1",
         "'yoso.embeddings.word_embeddings.weight' has shape [50, 16], expected [60, 16]"},
        {"\"vocab_size\": 50, \"max_position_embeddings\": 64, \"type_vocab_size\": 1",
         "'yoso.embeddings.position_embeddings.weight' has shape [34, 16], expected [66, 16]"},
        {"\"vocab_size\": 50, \"max_position_embeddings\": 32, \"type_vocab_size\": 2",
         "'yoso.embeddings.token_type_embeddings.weight' has shape [1, 16], expected [2, 16]"},
    };
    yoso_tensor_file *f = ref_open_fixture("tiny_f16.bin");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        yoso_config c;
        assert_int_equal(ref_parse_tiny_config(&c, "%s", cases[i].json), YOSO_OK);
        yoso_weights w;
        assert_int_equal(yoso_weights_bind(f, &c, &w), YOSO_ERR_INPUT);
        ref_assert_contains(yoso_last_error(), cases[i].fragment);
    }
    /* The FFN width is checked on both linear layers. */
    const char *ffn =
        "{\"vocab_size\": 50, \"hidden_size\": 16, \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 32, \"max_position_embeddings\": 32}";
    yoso_config c;
    assert_int_equal(yoso_config_parse(ffn, strlen(ffn), &c), YOSO_OK);
    yoso_weights w;
    assert_int_equal(yoso_weights_bind(f, &c, &w), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(),
                        "intermediate.dense.weight' has shape [24, 16], expected [32, 16]");
    yoso_tensor_file_close(f);
    yoso_weights_release(NULL);
}

/* 1 if some row of `scope` (other than tied ones) has its view (want_view) or device buffer at
 * offset. */
static int table_has_offset(yoso_tensor_scope scope, size_t offset, int want_view) {
    for (size_t i = 0; i < yoso_tensor_table_count; i++) {
        const yoso_tensor_spec *s = &yoso_tensor_table[i];
        if (s->scope == scope && !(s->flags & YOSO_TENSOR_TIED) &&
            (want_view ? s->view : s->device) == offset)
            return 1;
    }
    return 0;
}

/* The tensor table and the structs it points into agree: every view slot and every device
 * buffer of a layer is some row's, head rows carry their head's family prefix, and an ALT row
 * shares the view and buffer of the row above it. */
static void test_tensor_table(void **state) {
    (void)state;
    for (size_t o = 0; o < sizeof(yoso_layer_weights); o += sizeof(const yoso_tensor_view *))
        if (!table_has_offset(YOSO_SCOPE_LAYER, o, 1))
            fail_msg("yoso_layer_weights field at byte %zu has no row in tensor_table.c", o);
    for (size_t o = 0; o < sizeof(yoso_layer_params); o += sizeof(cl_mem))
        if (!table_has_offset(YOSO_SCOPE_LAYER, o, 0))
            fail_msg("yoso_layer_params buffer at byte %zu has no row in tensor_table.c", o);
    for (size_t i = 0; i < yoso_tensor_table_count; i++) {
        const yoso_tensor_spec *s = &yoso_tensor_table[i];
        assert_true(s->view < (s->scope == YOSO_SCOPE_LAYER ? sizeof(yoso_layer_weights)
                                                            : sizeof(yoso_weights)));
        assert_true(s->device < (s->scope == YOSO_SCOPE_LAYER ? sizeof(yoso_layer_params)
                                                              : sizeof(yoso_model)));
        if (s->flags & YOSO_TENSOR_ALT) {
            assert_true(i > 0);
            assert_int_equal(s->view, yoso_tensor_table[i - 1].view);
            assert_int_equal(s->device, yoso_tensor_table[i - 1].device);
        }
        if (s->scope != YOSO_SCOPE_HEAD) continue;
        int family = 0;
        for (size_t h = 0; h < yoso_head_table_count; h++) {
            const yoso_head_spec *hs = &yoso_head_table[h];
            family |= hs->arch == s->arch && !strncmp(s->name, hs->family, strlen(hs->family));
            family |= hs->arch == s->arch && hs->family2 &&
                      !strncmp(s->name, hs->family2, strlen(hs->family2));
        }
        if (!family) fail_msg("head row %s is outside its head's family", s->name);
    }
}

TEST_MAIN(NULL, NULL, test_bind_mlm, test_bind_base, test_bind_conv, test_bind_decoder_bias,
          test_bind_mismatches, test_bind_config_sizes, test_tensor_table)

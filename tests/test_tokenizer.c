/* test_tokenizer.c — unit tests of the tokenizer: DESIGN §4's ids, the mask spellings, invalid
 * UTF-8, the length limit, and broken tokenizer folders (errors, never crashes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "tokenizer.h"
#include "yoso.h"

static yoso_tokenizer *g_tok; /* tests/data/roberta-bpe, loaded once */

static int setup(void **state) {
    (void)state;
    return yoso_tokenizer_load(test_data_path("roberta-bpe"), &g_tok) == YOSO_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    yoso_tokenizer_free(g_tok);
    return 0;
}

/* Encodes a NUL-terminated text; returns the status, ids in *ids (free them). */
static yoso_status encode(const char *text, int flags, size_t max_length, int32_t **ids,
                          size_t *n) {
    return yoso_tokenizer_encode(g_tok, text, strlen(text), flags, max_length, ids, n);
}

/* Asserts that text encodes (with <s> … </s>) to exactly the given ids. */
static void expect_ids(const char *text, const int32_t *want, size_t nw) {
    int32_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(encode(text, YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n), YOSO_OK);
    assert_int_equal(n, nw);
    assert_memory_equal(ids, want, nw * sizeof *want);
    free(ids);
}

/* The vocabulary's shape and the special ids of roberta-base. */
static void test_vocab_and_specials(void **state) {
    (void)state;
    assert_int_equal(yoso_tokenizer_vocab_size(g_tok), 50265);
    assert_int_equal(yoso_tokenizer_mask_id(g_tok), 50264);
    assert_int_equal(yoso_tokenizer_pad_id(g_tok), 1);
    assert_string_equal(yoso_tokenizer_id_to_token(g_tok, 0), "<s>");
    assert_string_equal(yoso_tokenizer_id_to_token(g_tok, 2), "</s>");
    assert_string_equal(yoso_tokenizer_id_to_token(g_tok, 812), "\xC4\xA0"
                                                                "capital");
    assert_string_equal(yoso_tokenizer_id_to_token(g_tok, 50264), "<mask>");
    assert_null(yoso_tokenizer_id_to_token(g_tok, -1));
    assert_null(yoso_tokenizer_id_to_token(g_tok, 50265));
    assert_int_equal(yoso_tokenizer_token_to_id(g_tok, "\xC4\xA0Paris"), 2201);
    assert_int_equal(yoso_tokenizer_token_to_id(g_tok, "<mask>"), 50264);
    assert_int_equal(yoso_tokenizer_token_to_id(g_tok, "[MASK]"), -1); /* an alias, not a name */
    assert_int_equal(yoso_tokenizer_token_to_id(g_tok, "no such token"), -1);
}

/* DESIGN §4: "Hello world" and the five words of the fill-mask example. */
static void test_design_ids(void **state) {
    (void)state;
    expect_ids("Hello world", (const int32_t[]){0, 31414, 232, 2}, 4);
    const char *words[] = {" capital", " Republic", " French", " Paris", " President"};
    const int32_t want[] = {812, 3497, 1515, 2201, 270};
    for (int i = 0; i < 5; i++) {
        int32_t *ids = NULL;
        size_t n = 0;
        assert_int_equal(encode(words[i], 0, 0, &ids, &n), YOSO_OK);
        assert_int_equal(n, 1);
        assert_int_equal(ids[0], want[i]);
        free(ids);
    }
    expect_ids("", (const int32_t[]){0, 2}, 2);
}

/* `[MASK]` encodes exactly like `<mask>` (same id, same lstrip), wherever it stands. */
static void test_mask_spellings(void **state) {
    (void)state;
    const char *pairs[][2] = {
        {"Paris is the [MASK] of France.", "Paris is the <mask> of France."},
        {"a  \t[MASK]b", "a  \t<mask>b"},
        {"[MASK][MASK]", "<mask><mask>"},
        {"x [MASK] <mask> y", "x <mask> <mask> y"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int32_t *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        assert_int_equal(encode(pairs[i][0], YOSO_TOKENIZE_ADD_SPECIAL, 0, &a, &na), YOSO_OK);
        assert_int_equal(encode(pairs[i][1], YOSO_TOKENIZE_ADD_SPECIAL, 0, &b, &nb), YOSO_OK);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na * sizeof *a);
        free(a);
        free(b);
    }
    /* lstrip: the spaces before the mask vanish, so the mask follows the word directly */
    int32_t *spaced = NULL, *tight = NULL;
    size_t ns = 0, nt = 0;
    assert_int_equal(encode("Hello   <mask>", YOSO_TOKENIZE_ADD_SPECIAL, 0, &spaced, &ns), 0);
    assert_int_equal(encode("Hello<mask>", YOSO_TOKENIZE_ADD_SPECIAL, 0, &tight, &nt), 0);
    assert_int_equal(ns, nt);
    assert_memory_equal(spaced, tight, ns * sizeof *spaced);
    assert_int_equal(spaced[ns - 2], 50264);
    free(spaced);
    free(tight);
}

/* Decoding gives the text back (byte-level BPE loses nothing) and skips specials on request. */
static void test_round_trip(void **state) {
    (void)state;
    const char *texts[] = {"Hello world", "  two  spaces\tand a tab\n",
                           ("caf\xC3\xA9 \xE6\xBC\xA2\xE5\xAD\x97 \xF0\x9F\x98\x80"),
                           "The capital of France is <mask>."};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int32_t *ids = NULL;
        size_t n = 0;
        char *back = NULL;
        assert_int_equal(encode(texts[i], YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n), YOSO_OK);
        assert_int_equal(yoso_tokenizer_decode(g_tok, ids, n, 0, &back), YOSO_OK);
        assert_memory_equal(back, "<s>", 3);
        free(back);
        assert_int_equal(yoso_tokenizer_decode(g_tok, ids, n, 1, &back), YOSO_OK);
        if (strstr(texts[i], "<mask>")) /* the mask is special: skipped, its lstrip'ed space too */
            assert_string_equal(back, "The capital of France is.");
        else
            assert_string_equal(back, texts[i]);
        free(back);
        free(ids);
    }
    char *empty = NULL;
    assert_int_equal(yoso_tokenizer_decode(g_tok, NULL, 0, 0, &empty), YOSO_OK);
    assert_string_equal(empty, "");
    free(empty);
}

/* A lone UTF-8 lead byte decodes to U+FFFD, as HF's errors="replace" does. */
static void test_decode_replacement(void **state) {
    (void)state;
    int32_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(encode("\xE6\xBC\xA2", 0, 0, &ids, &n), YOSO_OK); /* 漢: several byte ids */
    assert_true(n >= 2);
    char *text = NULL;
    assert_int_equal(yoso_tokenizer_decode(g_tok, ids, 1, 0, &text), YOSO_OK);
    assert_string_equal(text, "\xEF\xBF\xBD");
    free(text);
    free(ids);
    int32_t bad[] = {31414, 50265};
    assert_int_equal(yoso_tokenizer_decode(g_tok, bad, 2, 0, &text), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "50265"));
    assert_null(text);
}

/* Invalid UTF-8 is YOSO_ERR_INPUT naming the byte offset; nothing is returned. */
static void test_invalid_utf8(void **state) {
    (void)state;
    static const struct {
        const char *text;
        size_t at;
    } cases[] = {
        {"\xFF", 0},                 /* never valid */
        {"abc\xC3", 3},              /* truncated 2-byte sequence */
        {"ok \xC0\xAF", 3},          /* overlong '/' */
        {"x\xED\xA0\x80y", 1},       /* a UTF-16 surrogate */
        {"\xF4\x90\x80\x80", 0},     /* past U+10FFFF */
        {"Hello \xE2\x82 world", 6}, /* truncated 3-byte sequence */
        {"caf\xC3\xA9\x80", 5},      /* stray continuation byte after a valid é */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t *ids = (int32_t *)1;
        size_t n = 99;
        char want[64];
        assert_int_equal(encode(cases[i].text, YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n),
                         YOSO_ERR_INPUT);
        snprintf(want, sizeof want, "not valid UTF-8 at byte %zu ", cases[i].at);
        if (!strstr(yoso_last_error(), want)) printf("message: %s\n", yoso_last_error());
        assert_non_null(strstr(yoso_last_error(), want));
        assert_null(ids);
        assert_int_equal(n, 0);
    }
    /* U+0000 is valid UTF-8 and encodes */
    int32_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(yoso_tokenizer_encode(g_tok, "a\0b", 3, 0, 0, &ids, &n), YOSO_OK);
    assert_int_equal(n, 3);
    free(ids);
}

/* More ids than max_length: an error naming both numbers, or HF's truncation. */
static void test_length_limit(void **state) {
    (void)state;
    size_t words = 5000;
    char *text = malloc(words * 6 + 1);
    for (size_t i = 0; i < words; i++) memcpy(text + 6 * i, " word.", 6);
    text[words * 6] = '\0';
    int32_t *full = NULL, *ids = NULL;
    size_t nfull = 0, n = 0;
    assert_int_equal(encode(text, YOSO_TOKENIZE_ADD_SPECIAL, 0, &full, &nfull), YOSO_OK);
    assert_int_equal(nfull, 2 * words + 2);

    assert_int_equal(encode(text, YOSO_TOKENIZE_ADD_SPECIAL, 4096, &ids, &n), YOSO_ERR_INPUT);
    assert_non_null(strstr(yoso_last_error(), "10002"));
    assert_non_null(strstr(yoso_last_error(), "4096"));
    assert_null(ids);

    assert_int_equal(
        encode(text, YOSO_TOKENIZE_ADD_SPECIAL | YOSO_TOKENIZE_TRUNCATE, 4096, &ids, &n), YOSO_OK);
    assert_int_equal(n, 4096);
    assert_memory_equal(ids, full, 4095 * sizeof *ids); /* <s> and the head */
    assert_int_equal(ids[4095], 2);                     /* </s> kept at the end */
    free(ids);

    assert_int_equal(encode(text, YOSO_TOKENIZE_TRUNCATE, 10, &ids, &n), YOSO_OK);
    assert_int_equal(n, 10);
    assert_memory_equal(ids, full + 1, 10 * sizeof *ids); /* no specials: just the head */
    free(ids);

    assert_int_equal(encode(text, YOSO_TOKENIZE_ADD_SPECIAL | YOSO_TOKENIZE_TRUNCATE, 1, &ids, &n),
                     YOSO_ERR_USAGE);
    assert_int_equal(encode("Hello world", YOSO_TOKENIZE_ADD_SPECIAL, 4, &ids, &n), YOSO_OK);
    free(ids);
    free(full);
    free(text);
}

/* NULL arguments are usage errors, and freeing NULL is fine. */
static void test_null_arguments(void **state) {
    (void)state;
    int32_t *ids;
    size_t n;
    char *text;
    assert_int_equal(yoso_tokenizer_encode(NULL, "x", 1, 0, 0, &ids, &n), YOSO_ERR_USAGE);
    assert_int_equal(yoso_tokenizer_encode(g_tok, NULL, 3, 0, 0, &ids, &n), YOSO_ERR_USAGE);
    assert_int_equal(yoso_tokenizer_decode(NULL, NULL, 0, 0, &text), YOSO_ERR_USAGE);
    assert_int_equal(yoso_tokenizer_load(NULL, NULL), YOSO_ERR_USAGE);
    yoso_tokenizer_free(NULL);
    assert_null(yoso_tokenizer_id_to_token(NULL, 0));
    assert_int_equal(yoso_tokenizer_token_to_id(NULL, "x"), -1);
}

/* A temporary folder with the given files ("name", "content" pairs; NULL content = a copy of
 * the real file of that name). */
static char *make_folder(const char *const *files, size_t nfiles) {
    char *dir = test_make_temp_dir();
    assert_non_null(dir);
    for (size_t i = 0; i < nfiles; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[2 * i]);
        if (files[2 * i + 1]) {
            assert_int_equal(test_write_file(path, files[2 * i + 1], strlen(files[2 * i + 1])), 0);
        } else {
            char src[4096];
            size_t size;
            snprintf(src, sizeof src, "%s/roberta-bpe/%s", YOSO_TEST_DATA, files[2 * i]);
            char *data = test_read_file(src, &size);
            assert_non_null(data);
            assert_int_equal(test_write_file(path, data, size), 0);
            free(data);
        }
    }
    return dir;
}

/* Loads a folder built from files and expects a status whose message contains `needle`. */
static void expect_load_failure(const char *const *files, size_t nfiles, yoso_status want,
                                const char *needle) {
    char *dir = make_folder(files, nfiles);
    yoso_tokenizer *tok = (yoso_tokenizer *)1;
    yoso_status st = yoso_tokenizer_load(dir, &tok);
    if (st != want || !strstr(yoso_last_error(), needle))
        printf("got %s: %s\n", yoso_status_string(st), yoso_last_error());
    assert_int_equal(st, want);
    assert_null(tok);
    assert_non_null(strstr(yoso_last_error(), needle));
    test_remove_temp_dir(dir);
}

/* Missing folders and files are YOSO_ERR_NOT_FOUND with a hint. */
static void test_missing_files(void **state) {
    (void)state;
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load("/no/such/folder", &tok), YOSO_ERR_NOT_FOUND);
    assert_non_null(strstr(yoso_last_error(), "vocab.json"));
    expect_load_failure(NULL, 0, YOSO_ERR_NOT_FOUND, "merges.txt");
    expect_load_failure((const char *const[]){"vocab.json", NULL}, 1, YOSO_ERR_NOT_FOUND,
                        "merges.txt");
    expect_load_failure((const char *const[]){"merges.txt", NULL}, 1, YOSO_ERR_NOT_FOUND,
                        "vocab.json");
}

/* Malformed files are YOSO_ERR_INPUT (or UNSUPPORTED for valid files of another kind). */
static void test_malformed_files(void **state) {
    (void)state;
    expect_load_failure((const char *const[]){"vocab.json", "{\"a\": 0,", "merges.txt", NULL}, 2,
                        YOSO_ERR_INPUT, "not valid JSON");
    expect_load_failure((const char *const[]){"vocab.json", "[1, 2]", "merges.txt", NULL}, 2,
                        YOSO_ERR_INPUT, "not a JSON object");
    expect_load_failure((const char *const[]){"vocab.json", "{\"a\": 1.5}", "merges.txt", NULL}, 2,
                        YOSO_ERR_INPUT, "\"a\"");
    expect_load_failure(
        (const char *const[]){"vocab.json", "{\"a\": 0, \"b\": 0}", "merges.txt", NULL}, 2,
        YOSO_ERR_INPUT, "id 0");
    expect_load_failure((const char *const[]){"vocab.json", "{\"a\": 0}", "merges.txt", NULL}, 2,
                        YOSO_ERR_UNSUPPORTED, "byte-level");
    expect_load_failure(
        (const char *const[]){"vocab.json", NULL, "merges.txt", "#version: 0.2\nh e\ni n r\n"}, 2,
        YOSO_ERR_INPUT, "line 3");
    expect_load_failure(
        (const char *const[]){"vocab.json", NULL, "merges.txt", "#version: 0.2\nnot_a_token e\n"},
        2, YOSO_ERR_INPUT, "not in the vocabulary");
    expect_load_failure((const char *const[]){"vocab.json", NULL, "merges.txt", NULL,
                                              "special_tokens_map.json", "{\"mask_token\": 3"},
                        3, YOSO_ERR_INPUT, "special_tokens_map.json");
    expect_load_failure((const char *const[]){"vocab.json", NULL, "merges.txt", NULL,
                                              "tokenizer_config.json",
                                              "{\"mask_token\": \"<nope>\"}"},
                        3, YOSO_ERR_INPUT, "<nope>");
    expect_load_failure((const char *const[]){"tokenizer.json", "{\"model\": "}, 1, YOSO_ERR_INPUT,
                        "tokenizer.json");
    expect_load_failure(
        (const char *const[]){
            "tokenizer.json",
            "{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"WordPiece\"}}"},
        1, YOSO_ERR_UNSUPPORTED, "WordPiece");
    expect_load_failure(
        (const char *const[]){"tokenizer.json", "{\"normalizer\": {\"type\": \"NFC\"}}"}, 1,
        YOSO_ERR_UNSUPPORTED, "NFC");
}

/* The same vocab + merges with RoBERTa's saved config files loads to the same tokenizer. */
static void test_config_files(void **state) {
    (void)state;
    const char *const files[] = {
        "vocab.json",
        NULL,
        "merges.txt",
        NULL,
        "special_tokens_map.json",
        "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"unk_token\": \"<unk>\", \"sep_token\": \"</s>\", \"pad_token\": \"<pad>\", \"cls_token\": \"<s>\", \"mask_token\": {\"content\": \"<mask>\", \"single_word\": false, \"lstrip\": true, \"rstrip\": false, \"normalized\": false}}",
        "tokenizer_config.json",
        "{\"model_max_length\": 512, \"add_prefix_space\": false}"};
    char *dir = make_folder(files, 4);
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load(dir, &tok), YOSO_OK);
    const char *text = "Hi  <mask>, [MASK]\t<s>x</s> <pad>";
    int32_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(
        yoso_tokenizer_encode(tok, text, strlen(text), YOSO_TOKENIZE_ADD_SPECIAL, 0, &a, &na),
        YOSO_OK);
    assert_int_equal(encode(text, YOSO_TOKENIZE_ADD_SPECIAL, 0, &b, &nb), YOSO_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    assert_int_equal(yoso_tokenizer_mask_id(tok), 50264);
    free(a);
    free(b);
    yoso_tokenizer_free(tok);
    test_remove_temp_dir(dir);
}

TEST_MAIN(setup, teardown, test_vocab_and_specials, test_design_ids, test_mask_spellings,
          test_round_trip, test_decode_replacement, test_invalid_utf8, test_length_limit,
          test_null_arguments, test_missing_files, test_malformed_files, test_config_files)

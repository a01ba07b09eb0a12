/* test_errors_input.c — bad text, options and tokenizer files through the CLI (docs/ERRORS.md):
 * text that is not UTF-8, empty text, no mask, too many tokens, top_k out of range, unknown or
 * empty targets, ids outside the vocabulary, bad matrices, malformed vocab.json / merges.txt and
 * a tokenizer that does not belong to the model. Each failure exits 2 with one stderr line that
 * names the problem and nothing on stdout. */
#include "test_errors_support.h"

/* The fill-mask model: random weights, the real RoBERTa tokenizer files. */
#define FILL_MODEL test_data_path("fillmask/model")

/* Runs `yoso fill-mask -m FILL_MODEL <args>` (args already shell-quoted). */
static err_result fill(const char *args) {
    return err_run("%s fill-mask -m '%s' %s", YOSO_CLI, FILL_MODEL, args);
}

/* Expects one fill-mask invocation to fail with exit 2 and the key words. */
static void expect_fill_failure(const char *args, const char *key1, const char *key2) {
    err_result r = fill(args);
    err_expect_failure(&r, 2, key1, key2, (const char *)NULL);
    err_result_free(&r);
}

/* Compiles the kernels once, so the driver's first-build chatter never reaches a checked run. */
static int setup(void **state) {
    err_result r = fill("'a <mask>'");
    if (r.rc != 0) err_dump(&r, "warm-up run failed");
    int rc = r.rc;
    err_result_free(&r);
    return rc;
}

/* ---- text ---- */

static void test_text_not_utf8(void **state) {
    /* sh has no $'\x..': printf's octal escapes make the bytes */
    expect_fill_failure("\"$(printf 'caf\\351 <mask>')\"", "not valid UTF-8 at byte 3", "0xE9");
    expect_fill_failure("\"$(printf 'a <mask> \\355\\240\\200')\"", "not valid UTF-8 at byte 9",
                        "0xED 0xA0 0x80"); /* a UTF-16 surrogate */
    err_result r = err_run("%s tokenize -m '%s' \"$(printf '\\377')\"", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "argument 1", "not valid UTF-8 at byte 0", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s logits -m '%s' --text \"$(printf 'ok \\303')\" --out /tmp/never.npy", YOSO_CLI,
                FILL_MODEL);
    err_expect_failure(&r, 2, "not valid UTF-8 at byte 3", "0xC3", (const char *)NULL);
    err_result_free(&r);
    /* on stdin, the failing line is named by its number, after the line before it was answered */
    r = err_run("printf 'a <mask>\\n\\300\\257 <mask>\\n' | %s fill-mask --json -m '%s'", YOSO_CLI,
                FILL_MODEL); /* an overlong '/' */
    err_expect_failure_after(&r, 2, 1, "stdin line 2: ", "not valid UTF-8 at byte 0",
                             (const char *)NULL);
    err_result_free(&r);
}

/* Empty text: no mask for fill-mask, <s> </s> for tokenize, nothing for empty stdin. */
static void test_text_empty(void **state) {
    expect_fill_failure("''", "argument 1: the text has no mask", "<mask> or [MASK]");
    /* tokenize: the empty text is <s> </s>, as in HF */
    err_result r = err_run("%s tokenize -m '%s' ''", YOSO_CLI, FILL_MODEL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "[0, 2]\n");
    assert_string_equal(r.err, "");
    err_result_free(&r);
    /* empty stdin: nothing to answer, nothing printed */
    r = err_run("%s fill-mask -m '%s' </dev/null", YOSO_CLI, FILL_MODEL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    err_result_free(&r);
}

/* A fill-mask input without <mask> or [MASK] is named by its index. */
static void test_text_without_mask(void **state) {
    expect_fill_failure("'Paris is the capital of France.'", "has no mask", "<mask> or [MASK]");
    err_result r = fill("--json 'a <mask>' 'no mask in the second'");
    err_expect_failure_after(&r, 2, 1, "argument 2: the text has no mask", "[MASK]",
                             (const char *)NULL);
    err_result_free(&r);
}

/* More tokens than the model has positions, from text and from ids. */
static void test_text_too_long(void **state) {
    /* "a" 5000 times: 5002 tokens with <s> and </s>; the model takes 4096 positions */
    err_result r = err_run("%s fill-mask -m '%s' \"$(printf 'a %%.0s' $(seq 5000))<mask>\"",
                           YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "5003 tokens long", "limit of 4096", (const char *)NULL);
    err_result_free(&r);
    /* ids past the position table: tiny takes 64 */
    char ids[1024] = "0";
    for (int i = 0; i < 64; i++) strcat(ids, ",5");
    r = err_run("%s logits -m '%s' --ids %s --out /tmp/never.npy", YOSO_CLI,
                test_data_path("models/tiny"), ids);
    err_expect_failure(&r, 2, "65 tokens but the model takes at most 64", "shorten it",
                       (const char *)NULL);
    err_result_free(&r);
}

/* ---- options ---- */

static void test_top_k_out_of_range(void **state) {
    expect_fill_failure("-k 0 'a <mask>'", "-k needs a positive integer", "--help");
    expect_fill_failure("-k -3 'a <mask>'", "-k needs a positive integer", "--help");
    expect_fill_failure("--top-k 5x 'a <mask>'", "--top-k needs a positive integer", "--help");
    expect_fill_failure("-k 50266 'a <mask>'", "top_k 50266 is out of range", "1..50265");
    /* --jsonl: per line */
    err_result r =
        err_run("echo '{\"text\": \"a <mask>\", \"top_k\": 0}' | %s fill-mask --jsonl -m '%s'",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "top_k 0 is out of range", "1..50265", (const char *)NULL);
    err_result_free(&r);
    r = err_run("echo '{\"text\": \"a <mask>\", \"top_k\": 1e10}' | %s fill-mask --jsonl -m '%s'",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "stdin line 1", "\"top_k\" must be an integer", (const char *)NULL);
    err_result_free(&r);
}

/* Unknown target words follow HF (first piece, warning); empty target lists are refused. */
static void test_targets(void **state) {
    /* a word that is not one token: HF's behaviour, its first piece with a warning */
    err_result r = fill("--json --targets zzzqqqxx 'a <mask>'");
    assert_int_equal(r.rc, 0);
    assert_int_equal(err_count_lines(r.err), 1);
    assert_non_null(strstr(
        r.err,
        "warning: target 'zzzqqqxx' does not exist in the vocabulary: using its first piece 'zz'"));
    assert_non_null(strstr(r.out, "\"token\":7399,\"token_str\":\"zz\""));
    err_result_free(&r);
    /* no word at all */
    expect_fill_failure("--targets , 'a <mask>'", "--targets needs a comma-separated word list",
                        "--help");
    r = err_run("echo '{\"text\": \"a <mask>\", \"targets\": []}' | %s fill-mask --jsonl -m '%s'",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "stdin line 1", "\"targets\" is an empty list", (const char *)NULL);
    err_result_free(&r);
    /* a target that encodes to nothing */
    r = err_run(
        "echo '{\"text\": \"a <mask>\", \"targets\": [\"\"]}' | %s fill-mask --jsonl -m '%s'",
        YOSO_CLI, FILL_MODEL);
    assert_int_equal(r.rc, 2);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "encodes to nothing"));
    assert_non_null(strstr(r.err, "none of the targets maps to a token"));
    err_result_free(&r);
}

/* Ids outside the vocabulary, malformed matrices and options: exit 2, no file. */
static void test_bad_ids_and_masks(void **state) {
    static const err_case k_cases[] = {
        /* options of yoso logits */
        {"--ids 0,50265,2", "token id 50265 at row 0, position 1", "outside the vocabulary"},
        {"--ids 0,-1,2", "token id -1", "outside the vocabulary"},
        {"--ids 0,5,x", "--ids: 'x' is not an integer", "--help"},
        {"--ids '0,5;0,5,6'", "row 1 has 3 values but row 0 has 2", "pad rows"},
        {"--ids 0,5,2 --attention-mask 1,1", "--attention-mask is 1×2 but the ids are 1×3",
         "--help"},
        {"--ids 0,5,2 --attention-mask 1,2,1", "attention mask value 2", "not 0 or 1"},
        {"--ids 0,5,2 --text hi", "exactly one of --ids and --text", "--help"},
        {"--ids 0,5,2 --attention sideways", "expectation or lsh", "sideways"},
        {"--ids 0,5,2 --num-hash 0", "--num-hash must be an integer", "'0'"},
        {"--ids 0,5,2 --bogus", "unknown option", "--bogus"},
    };
    char *dir = test_make_temp_dir();
    for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        err_result r = err_run("%s logits -m '%s' %s --out '%s/x.npy'", YOSO_CLI, FILL_MODEL,
                               k_cases[i].input, dir);
        err_expect_failure(&r, 2, k_cases[i].key1, k_cases[i].key2, (const char *)NULL);
        err_result_free(&r);
        assert_int_equal(err_count_entries(dir, NULL), 0); /* no output, no temp file */
    }
    test_remove_temp_dir(dir);
    err_result r = err_run("%s logits -m '%s' --ids 0,5,2", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "--out FILE.npy is required", "--help", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s frobnicate", YOSO_CLI);
    err_expect_failure(&r, 2, "unknown command 'frobnicate'", "--help", (const char *)NULL);
    err_result_free(&r);
}

/* A --jsonl line that is not an object with "text" is named by its number. */
static void test_jsonl_bad_line(void **state) {
    err_result r =
        err_run("printf '{\"text\": \"a <mask>\"}\\n[1, 2]\\n' | %s fill-mask --jsonl -m '%s'",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure_after(&r, 2, 1, "stdin line 2", "not a JSON object with a \"text\" string",
                             (const char *)NULL);
    err_result_free(&r);
}

/* ---- tokenizer files ---- */

/* A copy of the fill-mask model whose file name holds text, run through fill-mask. */
static void expect_tokenizer_failure(const char *name, const char *text, const char *key1,
                                     const char *key2) {
    char *dir = err_model_copy("fillmask/model");
    if (text)
        assert_int_equal(test_write_file(err_path(dir, name), text, strlen(text)), 0);
    else
        assert_int_equal(unlink(err_path(dir, name)), 0);
    err_result r = err_run("%s fill-mask -m '%s' 'a <mask>'", YOSO_CLI, dir);
    err_expect_failure(&r, 2, key1, key2, (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s tokenize -m '%s' 'a'", YOSO_CLI, dir); /* the same refusal */
    err_expect_failure(&r, 2, key1, key2, (const char *)NULL);
    err_result_free(&r);
    test_remove_temp_dir(dir);
}

/* Each kind of broken vocab.json, through fill-mask and tokenize. */
static void test_vocab_malformed(void **state) {
    expect_tokenizer_failure("vocab.json", "{\"a\": 1, \"b\": ", "vocab.json is not valid JSON",
                             "replace the file");
    expect_tokenizer_failure("vocab.json", "[\"a\", \"b\"]", "not a JSON object", "vocab.json");
    expect_tokenizer_failure("vocab.json", "{\"a\": 0, \"b\": \"1\"}", "token \"b\" has",
                             "vocab.json");
    expect_tokenizer_failure("vocab.json", "{\"a\": 0, \"b\": 0}", "id 0 is used by both",
                             "vocab.json");
    expect_tokenizer_failure("vocab.json", "{\"a\": 0, \"b\": 1}", "lacks the byte-level symbol",
                             "byte-level BPE");
    expect_tokenizer_failure("vocab.json", NULL, "incomplete", "vocab.json");
}

/* Each kind of broken merges.txt, through fill-mask and tokenize. */
static void test_merges_malformed(void **state) {
    expect_tokenizer_failure("merges.txt", "#version: 0.2\n\xc4\xa0 t\nthree tokens here\n",
                             "merges.txt: line 3 is \"three tokens here\"",
                             "not two tokens separated by one space");
    expect_tokenizer_failure("merges.txt", "#version: 0.2\nzzzz yyyy\n",
                             "merge 1 \"zzzz yyyy\" uses a token that is not in the vocabulary",
                             "do not belong together");
    expect_tokenizer_failure("merges.txt", NULL, "incomplete", "merges.txt");
}

/* A tokenizer with more tokens than the model has rows is refused. */
static void test_tokenizer_larger_than_model(void **state) {
    /* the real 50265-token tokenizer with the 1000-token tiny model */
    char *dir = err_model_copy("models/tiny");
    err_copy_dir(test_data_path("roberta-bpe"), dir);
    err_result r = err_run("%s fill-mask -m '%s' 'a <mask>'", YOSO_CLI, dir);
    err_expect_failure(&r, 2, "the tokenizer has 50265 tokens but the model only 1000",
                       "do not belong together", (const char *)NULL);
    err_result_free(&r);
    test_remove_temp_dir(dir);
}

TEST_MAIN(setup, NULL, test_text_not_utf8, test_text_empty, test_text_without_mask,
          test_text_too_long, test_top_k_out_of_range, test_targets, test_bad_ids_and_masks,
          test_jsonl_bad_line, test_vocab_malformed, test_merges_malformed,
          test_tokenizer_larger_than_model)

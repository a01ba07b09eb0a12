/* test_cli.c — the CLI as users meet it (issue 13): write and read errors for every command,
 * absolute input positions, option habits (getopt_long forms, repeats, --, help), --version,
 * streaming stdin, the Hugging Face cache, convert into a folder, strict --jsonl, HF's top_k
 * rules and the table output. Runs the real `yoso` binary. */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include <locale.h>
#include <wchar.h>

#include "test_errors_support.h"

#define FILL_MODEL test_data_path("fillmask/model")

/* Compiles the kernels once, so no first-build chatter reaches a checked run. */
static int setup(void **state) {
    err_result r = err_run("%s fill-mask -m '%s' 'a <mask>'", YOSO_CLI, FILL_MODEL);
    if (r.rc != 0) err_dump(&r, "warm-up run failed");
    int rc = r.rc;
    err_result_free(&r);
    return rc;
}

/* Expects exit 0 and returns the output (caller frees). */
static err_result expect_ok(err_result r) {
    if (r.rc != 0) err_dump(&r, "expected success");
    assert_int_equal(r.rc, 0);
    return r;
}

/* The number of JSON predictions in one --json answer line for a single mask. */
static int count_predictions(const char *line) {
    cJSON *a = cJSON_Parse(line);
    assert_true(cJSON_IsArray(a));
    int n = cJSON_GetArraySize(a);
    cJSON_Delete(a);
    return n;
}

/* ---- data loss: write and read errors ---- */

/* Every command that prints, with stdout on a full disk: exit 1, one line saying so. */
static void test_write_errors_every_command(void **state) {
    static const char *const k_commands[] = {
        "fill-mask --json -m '%s' 'a <mask>'",
        "fill-mask -m '%s' 'a <mask>'",
        "tokenize -m '%s' 'a b c'",
        "devices",
        "version",
        "--version",
        "--help",
        "help fill-mask",
        "fill-mask --help",
        "logits --help",
        "tokenize --help",
        "convert --help",
        "devices --help",
        "tune --help",
    };
    char cmd[4096];
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++) {
        snprintf(cmd, sizeof cmd, k_commands[i], FILL_MODEL);
        err_result r = err_run("%s %s >/dev/full", YOSO_CLI, cmd);
        printf("%s > /dev/full: ", cmd);
        err_expect_failure(&r, 1, "cannot write stdout", "No space left on device",
                           (const char *)NULL);
        err_result_free(&r);
        r = err_run("%s %s >&-", YOSO_CLI, cmd); /* a closed stdout */
        printf("%s >&-: ", cmd);
        err_expect_failure(&r, 1, "cannot write stdout", (const char *)NULL);
        err_result_free(&r);
    }
    /* logits writes its .npy itself: a full disk there fails too */
    err_result r = err_run("%s logits -m '%s' --ids 0,5,2 --out /dev/full", YOSO_CLI, FILL_MODEL);
    assert_int_equal(r.rc, 1);
    err_result_free(&r);
}

/* stdin that cannot be read (a directory): exit 1, not a silent empty run. */
static void test_read_errors(void **state) {
    err_result r = err_run("%s fill-mask --json -m '%s' </tmp", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 1, "cannot read stdin", "Is a directory", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s tokenize -m '%s' </tmp", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 1, "cannot read stdin", "Is a directory", (const char *)NULL);
    err_result_free(&r);
}

/* ---- positions ---- */

/* A bad input among many is named by its absolute position; everything before it is answered. */
static void test_absolute_positions(void **state) {
    /* stdin: line 10 of 11 has no mask (the second batch of 8 starts at line 9) */
    err_result r =
        err_run("for i in 1 2 3 4 5 6 7 8 9; do echo \"a <mask> $i\"; done | "
                "{ cat; echo 'no mask'; echo 'b <mask>'; } | %s fill-mask --json -m '%s'",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure_after(&r, 2, 9, "stdin line 10: the text has no mask", (const char *)NULL);
    err_result_free(&r);
    /* arguments: the 10th */
    char args[2048] = "";
    for (int i = 0; i < 9; i++) strcat(args, "'a <mask>' ");
    strcat(args, "'no mask'");
    r = err_run("%s fill-mask --json -m '%s' %s", YOSO_CLI, FILL_MODEL, args);
    err_expect_failure_after(&r, 2, 9, "argument 10: the text has no mask", (const char *)NULL);
    err_result_free(&r);
    /* an empty stdin line is the empty text, as in tokenize: answered in order, never skipped */
    r = err_run("printf 'a <mask>\\n\\nb <mask>\\n' | %s fill-mask --json -m '%s'", YOSO_CLI,
                FILL_MODEL);
    err_expect_failure_after(&r, 2, 1, "stdin line 2: the text has no mask", (const char *)NULL);
    err_result_free(&r);
    r = expect_ok(err_run("printf 'a\\n\\nb\\n' | %s tokenize -m '%s'", YOSO_CLI, FILL_MODEL));
    assert_int_equal(err_count_lines(r.out), 3);
    assert_non_null(strstr(r.out, "\n[0, 2]\n"));
    err_result_free(&r);
    /* --jsonl: blank lines separate nothing, but the numbers stay those of the file */
    r = err_run("printf '{\"text\": \"a <mask>\"}\\n\\n{\"text\": \"none\"}\\n' | %s fill-mask "
                "--jsonl -m '%s'",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure_after(&r, 2, 1, "stdin line 3: the text has no mask", (const char *)NULL);
    err_result_free(&r);
    /* too long: no hint at a --truncate that fill-mask does not have */
    r = err_run("%s fill-mask -m '%s' \"$(printf 'a %%.0s' $(seq 5000))<mask>\"", YOSO_CLI,
                FILL_MODEL);
    err_expect_failure(&r, 2, "argument 1: the text is 5003 tokens long", "shorten it",
                       (const char *)NULL);
    assert_null(strstr(r.err, "--truncate"));
    err_result_free(&r);
}

/* ---- option habits ---- */

/* --opt=value, -k2, bundling, --, options after TEXT, repeats, LSH options, help, -v. */
static void test_option_forms(void **state) {
    static const char *const k_top2[] = {"--top-k=2", "-k2",    "-k 2", "--top-k 2",
                                         "-vk2",      "--top=2" /* an unambiguous abbreviation */};
    for (size_t i = 0; i < sizeof k_top2 / sizeof k_top2[0]; i++) {
        err_result r = expect_ok(err_run("%s fill-mask --json %s --model='%s' 'a <mask>'", YOSO_CLI,
                                         k_top2[i], FILL_MODEL));
        assert_int_equal(count_predictions(r.out), 2);
        err_result_free(&r);
    }
    /* options after the TEXT (GNU permutation), and -- before a TEXT that starts with '-' */
    err_result r =
        expect_ok(err_run("%s tokenize 'Hello world' -m '%s' -- -hello", YOSO_CLI, FILL_MODEL));
    assert_int_equal(err_count_lines(r.out), 2);
    err_result_free(&r);
    /* a TEXT that looks like options is refused with the hint, never taken for -h */
    r = err_run("%s tokenize -m '%s' -hello", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "unknown option '-e'", "put -- before a TEXT", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s tokenize -m '%s' '-k is a flag'", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "unknown option '-k'", "put -- before a TEXT", (const char *)NULL);
    assert_null(strstr(r.err, FILL_MODEL));
    err_result_free(&r);
    /* a value option given twice */
    r = err_run("%s fill-mask -m '%s' --targets cat --targets dog 'a <mask>'", YOSO_CLI,
                FILL_MODEL);
    err_expect_failure(&r, 2, "option --targets is given twice", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s fill-mask -m '%s' -k 2 --top-k=3 'a <mask>'", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "option --top-k is given twice", (const char *)NULL);
    err_result_free(&r);
    /* LSH-only options without LSH attention */
    r = err_run("%s fill-mask -m '%s' --num-hash 4 'a <mask>'", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "--num-hash", "add --attention lsh", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s logits -m '%s' --ids 0,5,2 --attention expectation --seed 3 --out /tmp/n.npy",
                YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "add --attention lsh", (const char *)NULL);
    err_result_free(&r);
    /* missing values, values given to flags */
    r = err_run("%s fill-mask -m '%s' 'a <mask>' -k", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "option -k needs a value", (const char *)NULL);
    err_result_free(&r);
    r = err_run("%s fill-mask -m '%s' --json=yes 'a <mask>'", YOSO_CLI, FILL_MODEL);
    err_expect_failure(&r, 2, "'--json=yes' takes no value", (const char *)NULL);
    err_result_free(&r);
    /* -v everywhere the README promises it */
    r = expect_ok(err_run("%s tokenize -v -m '%s' hi", YOSO_CLI, FILL_MODEL));
    assert_non_null(strstr(r.err, "tokenizer"));
    err_result_free(&r);
    r = expect_ok(err_run("%s devices -v", YOSO_CLI));
    assert_non_null(strstr(r.out, "driver"));
    err_result_free(&r);
    /* help: yoso help CMD is CMD --help; a help request among bad options is still an error */
    r = expect_ok(err_run("%s help fill-mask", YOSO_CLI));
    assert_non_null(strstr(r.out, "usage: yoso fill-mask"));
    assert_non_null(strstr(r.out, "--top-k"));
    err_result_free(&r);
    r = err_run("%s help frobnicate", YOSO_CLI);
    err_expect_failure(&r, 2, "unknown command 'frobnicate'", (const char *)NULL);
    err_result_free(&r);
}

/* --version and `yoso version`: yoso, git, CLBlast, OpenCL platform and driver. */
static void test_version(void **state) {
    err_result a = expect_ok(err_run("%s --version", YOSO_CLI));
    err_result b = expect_ok(err_run("%s version", YOSO_CLI));
    assert_string_equal(a.out, b.out);
    assert_memory_equal(a.out, "yoso ", 5);
    assert_non_null(strstr(a.out, " (git "));
    assert_non_null(strstr(a.out, "\nCLBlast 1."));
    assert_non_null(strstr(a.out, "\nOpenCL platform 0: "));
    assert_non_null(strstr(a.out, ", driver "));
    printf("%s", a.out);
    err_result_free(&a);
    err_result_free(&b);
}

/* ---- streaming ---- */

/* The first line is answered before the second is written: the writer waits for the answer
 * (at most 60 s) before it sends line 2, so batching until EOF would time out. */
static void test_streaming(void **state) {
    char *dir = test_make_temp_dir();
    err_result r = err_run(
        "cd '%s' && mkfifo in && : >out || exit 9; "
        "( exec 3>in; echo 'a <mask>' >&3; i=0; "
        "  while [ \"$(wc -l <out)\" -lt 1 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
        "  echo \"waited $i\" >waited; echo 'b <mask>' >&3 ) & "
        "timeout 120 %s fill-mask --json -m '%s' <in >out; rc=$?; wait; cat waited; "
        "wc -l <out; exit $rc",
        dir, YOSO_CLI, FILL_MODEL);
    printf("%s", r.out);
    assert_int_equal(r.rc, 0);
    int waited = -1, lines = -1;
    assert_int_equal(sscanf(r.out, "waited %d\n%d", &waited, &lines), 2);
    assert_true(waited >= 0 && waited < 600); /* the first answer came while line 2 was unsent */
    assert_int_equal(lines, 2);
    err_result_free(&r);
    test_remove_temp_dir(dir);
}

/* ---- the Hugging Face cache ---- */

/* Builds root/models--uw-madison--yoso-4096 with refs/main → snapshots/<hash> (a copy of the
 * fill-mask model) and a stale snapshot that refs/main does not name. */
static void make_fake_hub(const char *root) {
    assert_true(strlen(root) < 3000);
    char snap[4096], stale[4096], refs[4096];
    snprintf(snap, sizeof snap, "%s/models--uw-madison--yoso-4096/snapshots/0123abcd", root);
    snprintf(stale, sizeof stale, "%s/models--uw-madison--yoso-4096/snapshots/ffff0000", root);
    snprintf(refs, sizeof refs, "%s/models--uw-madison--yoso-4096/refs", root);
    err_copy_dir(FILL_MODEL, snap);
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s' && printf 0123abcd >'%s/main'", stale, refs,
             refs);
    assert_int_equal(system(cmd), 0);
}

static void test_hf_cache(void **state) {
    char *dir = test_make_temp_dir(), hub[3000];
    snprintf(hub, sizeof hub, "%s/hf/hub", dir);
    make_fake_hub(hub);
    err_result want =
        expect_ok(err_run("%s fill-mask --json -m '%s' 'a <mask>'", YOSO_CLI, FILL_MODEL));
    /* $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub */
    const char *envs[3] = {"HF_HUB_CACHE='%s/hf/hub'", "HF_HOME='%s/hf'", "HOME='%s/home'"};
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/home/.cache/huggingface' && ln -s '%s' "
             "'%s/home/.cache/huggingface/hub'",
             dir, hub, dir);
    assert_int_equal(system(cmd), 0);
    for (int i = 0; i < 3; i++) {
        char env[4400];
        snprintf(env, sizeof env, envs[i], dir);
        err_result r = expect_ok(
            err_run("env -u HF_HUB_CACHE -u HF_HOME -u XDG_CACHE_HOME %s %s fill-mask --json "
                    "-m uw-madison/yoso-4096 'a <mask>'",
                    env, YOSO_CLI));
        assert_string_equal(r.out, want.out);
        err_result_free(&r);
    }
    /* the default model (no -m, no $YOSO_MODEL, no ~/.cache/yoso/yoso-4096) comes from the cache */
    err_result r = expect_ok(err_run("env -u YOSO_MODEL -u HF_HUB_CACHE -u HF_HOME -u "
                                     "XDG_CACHE_HOME HOME='%s/home' %s fill-mask --json 'a <mask>'",
                                     dir, YOSO_CLI));
    assert_string_equal(r.out, want.out);
    err_result_free(&r);
    /* tokenize and $YOSO_MODEL take repository ids too */
    r = expect_ok(
        err_run("HF_HUB_CACHE='%s' YOSO_MODEL=uw-madison/yoso-4096 %s tokenize hi", hub, YOSO_CLI));
    err_result_free(&r);
    /* a repository that is not in the cache */
    r = err_run("HF_HUB_CACHE='%s' %s fill-mask -m uw-madison/yoso-9999 'a <mask>'", hub, YOSO_CLI);
    err_expect_failure(&r, 2, "uw-madison/yoso-9999",
                       "neither a folder nor in the Hugging Face cache", (const char *)NULL);
    err_result_free(&r);
    err_result_free(&want);
    test_remove_temp_dir(dir);
}

/* ---- convert ---- */

static void test_convert_into_folder(void **state) {
    char *dir = test_make_temp_dir();
    const char *src = test_data_path("fillmask/model");
    err_result r = expect_ok(err_run("%s convert --fp16 '%s' '%s/out'", YOSO_CLI, src, dir));
    assert_true(err_exists(err_path(dir, "out/model.safetensors")));
    assert_true(err_exists(err_path(dir, "out/config.json")));
    assert_true(err_exists(err_path(dir, "out/vocab.json")));
    assert_true(err_exists(err_path(dir, "out/merges.txt")));
    err_result_free(&r);
    /* the folder is a complete model */
    r = expect_ok(err_run("%s fill-mask --json -m '%s/out' 'a <mask>'", YOSO_CLI, dir));
    err_result_free(&r);
    /* never replaced without --force */
    r = err_run("%s convert '%s' '%s/out'", YOSO_CLI, src, dir);
    err_expect_failure(&r, 2, "model.safetensors exists", "--force", (const char *)NULL);
    err_result_free(&r);
    r = expect_ok(err_run("%s convert --force '%s' '%s/out'", YOSO_CLI, src, dir));
    err_result_free(&r);
    /* a .safetensors OUTPUT is a file */
    r = expect_ok(err_run("%s convert '%s' '%s/one.safetensors'", YOSO_CLI, src, dir));
    assert_true(err_exists(err_path(dir, "one.safetensors")));
    err_result_free(&r);
    r = err_run("%s convert '%s' '%s/one.safetensors'", YOSO_CLI, src, dir);
    err_expect_failure(&r, 2, "exists", "--force", (const char *)NULL);
    err_result_free(&r);
    test_remove_temp_dir(dir);
}

/* ---- --jsonl ---- */

/* Runs fill-mask --jsonl on one line given as printf format text. */
static err_result jsonl(const char *line) {
    return err_run("printf '%s\\n' | %s fill-mask --jsonl -m '%s'", line, YOSO_CLI, FILL_MODEL);
}

static void test_jsonl_strict(void **state) {
    static const err_case k_bad[] = {
        /* a --jsonl line */
        {"{\"text\": \"a <mask>\", \"topk\": 2}", "stdin line 1: unknown key \"topk\"", "top_k"},
        {"{\"text\": \"a <mask>\", \"text\": \"b <mask>\"}", "key \"text\" is given twice", ""},
        {"{\"text\": \"a <mask>\", \"inputs\": \"b <mask>\"}", "given twice", "inputs"},
        {"{\"inputs\": \"a <mask>\", \"top_k\": 2, \"parameters\": {\"top_k\": 3}}",
         "key \"top_k\" is given twice", ""},
        {"{\"text\": \"a <mask>\"} x", "unexpected text after the JSON object at byte 21", ""},
        {"{\"text\": \"a <mask>\"}{}", "unexpected text after", ""},
        {"{\"text\": \"a \\\\u0000 <mask>\"}", "U+0000", ""},
        {"{\"text\": \"a <mask>\\000\"}", "NUL byte", ""},
        {"{\"inputs\": \"a <mask>\", \"parameters\": 3}", "\"parameters\" must be an object", ""},
    };
    for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        err_result r = jsonl(k_bad[i].input);
        err_expect_failure(&r, 2, k_bad[i].key1, k_bad[i].key2, (const char *)NULL);
        err_result_free(&r);
    }
    /* Hugging Face's request shape */
    err_result r = expect_ok(jsonl("{\"inputs\": \"a <mask>\", \"parameters\": {\"top_k\": 2, "
                                   "\"targets\": [\"cat\", \"dog\", \"the\"]}}"));
    assert_int_equal(count_predictions(r.out), 2);
    err_result_free(&r);
    /* tokenize --jsonl is as strict */
    r = err_run("printf '{\"text\": \"a\", \"txt\": 1}\\n' | %s tokenize --jsonl -m '%s'", YOSO_CLI,
                FILL_MODEL);
    err_expect_failure(&r, 2, "unknown key \"txt\"", (const char *)NULL);
    err_result_free(&r);
}

/* ---- HF's top_k rules ---- */

/* top_k above the number of targets is capped (HF), even above the vocabulary size. */
static void test_top_k_capped_by_targets(void **state) {
    err_result r = expect_ok(err_run("%s fill-mask --json -m '%s' -k 60000 --targets cat,dog "
                                     "'a <mask>'",
                                     YOSO_CLI, FILL_MODEL));
    assert_int_equal(count_predictions(r.out), 2);
    err_result_free(&r);
}

/* ---- table ---- */

static void test_table(void **state) {
    err_result r = expect_ok(err_run("%s fill-mask -m '%s' --targets cat,dog \"$(printf "
                                     "'a\\t<mask>')\"",
                                     YOSO_CLI, FILL_MODEL));
    printf("%s", r.out);
    /* the tab in the text is escaped; tiny scores keep their digits; token_str is quoted */
    assert_memory_equal(r.out, "a\\t<mask>\n", 10);
    assert_non_null(strstr(r.out, "e-11"));
    assert_null(strstr(r.out, "0.0000"));
    assert_non_null(strstr(r.out, "\"cat\""));
    /* the sequence column starts at the same place in the heading and in every row */
    const char *heading = strstr(r.out, "rank");
    assert_non_null(heading);
    const char *line = strchr(r.out, '\n') + 1;
    int at = (int)(strstr(line, "sequence") - line);
    for (int row = 0; row < 2; row++) {
        line = strchr(line, '\n') + 1;
        assert_true(line[at - 1] == ' ' && line[at] != ' ');
    }
    err_result_free(&r);
}

/* The terminal width (wcwidth, UTF-8) of the first n bytes of s. */
static int display_width(const char *s, size_t n) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int w = 0;
    for (size_t i = 0; i < n;) {
        wchar_t c;
        size_t len = mbrtowc(&c, s + i, n - i, &st);
        assert_true(len > 0 && len <= 4);
        int cw = wcwidth(c);
        w += cw < 0 ? 1 : cw;
        i += len;
    }
    return w;
}

/* CJK and emoji token_str keep the columns aligned by terminal width. */
static void test_table_wide_characters(void **state) {
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
    err_result r = expect_ok(
        err_run("%s fill-mask -m '%s' --targets '的,cat, 🙂' 'a <mask>'", YOSO_CLI, FILL_MODEL));
    printf("%s", r.out);
    const char *line = strchr(r.out, '\n') + 1; /* the heading */
    int want = display_width(line, (size_t)(strstr(line, "sequence") - line));
    for (int row = 0; row < 3; row++) {
        line = strchr(line, '\n') + 1;
        const char *seq = strstr(line, " a"); /* every sequence starts with "a" */
        assert_non_null(seq);
        assert_int_equal(display_width(line, (size_t)(seq + 1 - line)), want);
    }
    assert_non_null(strstr(r.out, "\"的\""));
    err_result_free(&r);
}

TEST_MAIN(setup, NULL, test_write_errors_every_command, test_read_errors, test_absolute_positions,
          test_option_forms, test_version, test_streaming, test_hf_cache, test_convert_into_folder,
          test_jsonl_strict, test_top_k_capped_by_targets, test_table, test_table_wide_characters)

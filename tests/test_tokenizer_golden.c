/* test_tokenizer_golden.c — the C tokenizer against Hugging Face's, on the fixtures written by
 * tools/fixtures/gen_tokenizer_fixtures.py: every id, token and decoding must be identical. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "tokenizer.h"
#include "yoso.h"

#define MAX_REPORTS 8 /* mismatches printed per check before only counting */

/* The parsed lines of a JSONL fixture. */
typedef struct rows {
    cJSON **items; /* [count] */
    size_t count;
} rows;

/* Reads tests/data/<name> as JSONL. */
static rows rows_read(const char *name) {
    rows r = {0};
    char *text = test_read_file(test_data_path(name), NULL);
    assert_non_null(text);
    size_t cap = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!*line) continue;
        if (r.count == cap) {
            cap = cap ? 2 * cap : 256;
            r.items = realloc(r.items, cap * sizeof *r.items);
            assert_non_null(r.items);
        }
        r.items[r.count] = cJSON_Parse(line);
        assert_non_null(r.items[r.count]);
        r.count++;
    }
    free(text);
    return r;
}

static void rows_free(rows *r) {
    for (size_t i = 0; i < r->count; i++) cJSON_Delete(r->items[i]);
    free(r->items);
}

/* A row's text as bytes: "text_hex" when present (texts with U+0000), else "text". */
static char *row_text(const cJSON *row, size_t *len) {
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(row, "text_hex");
    if (cJSON_IsString(hex)) {
        size_t n = strlen(hex->valuestring) / 2;
        char *out = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            unsigned v;
            sscanf(hex->valuestring + 2 * i, "%2x", &v);
            out[i] = (char)v;
        }
        out[n] = '\0';
        *len = n;
        return out;
    }
    const char *text = cJSON_GetObjectItemCaseSensitive(row, "text")->valuestring;
    *len = strlen(text);
    return strdup(text);
}

/* row[key] as an int32 array (malloc'ed). */
static int32_t *row_ids(const cJSON *row, const char *key, size_t *n) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(row, key);
    assert_true(cJSON_IsArray(arr));
    *n = (size_t)cJSON_GetArraySize(arr);
    int32_t *ids = malloc((*n + 1) * sizeof *ids);
    size_t i = 0;
    for (const cJSON *e = arr->child; e; e = e->next) ids[i++] = (int32_t)e->valuedouble;
    return ids;
}

/* Prints the first ids of both sides of a mismatch. */
static void report_ids(const char *what, const char *text, const int32_t *want, size_t nw,
                       const int32_t *got, size_t ng) {
    printf("MISMATCH %s for %.60s\n  want (%zu):", what, text, nw);
    for (size_t i = 0; i < nw && i < 24; i++) printf(" %d", want[i]);
    printf("\n  got  (%zu):", ng);
    for (size_t i = 0; i < ng && i < 24; i++) printf(" %d", got[i]);
    printf("\n");
}

/* Compares a decoding with the expected string; prints the first few differences. */
static int check_decode(const yoso_tokenizer *tok, const int32_t *ids, size_t n, int flags,
                        const cJSON *row, const char *key, int *reports) {
    char *text = NULL;
    assert_int_equal(yoso_tokenizer_decode_ex(tok, ids, n, flags, &text), YOSO_OK);
    const char *want = cJSON_GetObjectItemCaseSensitive(row, key)->valuestring;
    int bad = strcmp(text, want) != 0;
    if (bad && (*reports)++ < MAX_REPORTS)
        printf("MISMATCH %s:\n  want: %s\n  got:  %s\n", key, want, text);
    free(text);
    return bad;
}

/* Checks ids, tokens and all decodings of every corpus text against HF. */
static void check_corpus(const char *folder) {
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load(test_data_path(folder), &tok), YOSO_OK);
    rows r = rows_read("tokenizer/expected.jsonl");
    assert_true(r.count >= 300);
    int bad_ids = 0, bad_tokens = 0, bad_dec = 0, reports = 0;
    size_t total_ids = 0;
    for (size_t i = 0; i < r.count; i++) {
        const cJSON *row = r.items[i];
        size_t len, nw, ng;
        char *text = row_text(row, &len);
        int32_t *want = row_ids(row, "ids", &nw), *got = NULL;
        assert_int_equal(
            yoso_tokenizer_encode(tok, text, len, YOSO_TOKENIZE_ADD_SPECIAL, 0, &got, &ng),
            YOSO_OK);
        total_ids += nw;
        if (ng != nw || memcmp(got, want, nw * sizeof *want)) {
            if (bad_ids++ < MAX_REPORTS) report_ids(folder, text, want, nw, got, ng);
        }
        const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(row, "tokens");
        const cJSON *strs = cJSON_GetObjectItemCaseSensitive(row, "token_strs");
        for (size_t k = 0; k < nw; k++) {
            const char *name = yoso_tokenizer_id_to_token(tok, want[k]);
            bad_tokens += !name || strcmp(name, cJSON_GetArrayItem(tokens, (int)k)->valuestring);
            /* token_str: HF's decode([id]) */
            char *one = NULL;
            assert_int_equal(yoso_tokenizer_decode(tok, &want[k], 1, 0, &one), YOSO_OK);
            const char *one_want = cJSON_GetArrayItem(strs, (int)k)->valuestring;
            if (strcmp(one, one_want) && reports++ < MAX_REPORTS)
                printf("MISMATCH token_str of %d: want '%s' got '%s'\n", want[k], one_want, one);
            bad_dec += strcmp(one, one_want) != 0;
            free(one);
        }
        bad_dec += check_decode(tok, want, nw, 0, row, "decoded", &reports);
        bad_dec +=
            check_decode(tok, want, nw, YOSO_DECODE_SKIP_SPECIAL, row, "decoded_skip", &reports);
        bad_dec +=
            check_decode(tok, want, nw, YOSO_DECODE_SKIP_SPECIAL | YOSO_DECODE_CLEANUP_SPACES, row,
                         "decoded_cleanup", &reports);
        free(text);
        free(want);
        free(got);
    }
    printf("%s: %zu texts, %zu ids: %d id mismatches, %d token mismatches, %d decode mismatches\n",
           folder, r.count, total_ids, bad_ids, bad_tokens, bad_dec);
    assert_int_equal(bad_ids, 0);
    assert_int_equal(bad_tokens, 0);
    assert_int_equal(bad_dec, 0);
    rows_free(&r);
    yoso_tokenizer_free(tok);
}

/* vocab.json + merges.txt gives HF's ids for the whole corpus. */
static void test_corpus_vocab_merges(void **state) {
    (void)state;
    check_corpus("roberta-bpe");
}

/* tokenizer.json (saved by HF from the same tokenizer) gives the same ids. */
static void test_corpus_tokenizer_json(void **state) {
    (void)state;
    check_corpus("tokenizer/roberta-json");
}

/* Random id lists (byte tokens that split UTF-8 characters, specials) decode like HF. */
static void test_decode_cases(void **state) {
    (void)state;
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load(test_data_path("roberta-bpe"), &tok), YOSO_OK);
    rows r = rows_read("tokenizer/decode_cases.jsonl");
    assert_true(r.count >= 100);
    int bad = 0, reports = 0;
    for (size_t i = 0; i < r.count; i++) {
        size_t n;
        int32_t *ids = row_ids(r.items[i], "ids", &n);
        bad += check_decode(tok, ids, n, 0, r.items[i], "decoded", &reports);
        bad += check_decode(tok, ids, n, YOSO_DECODE_SKIP_SPECIAL, r.items[i], "decoded_skip",
                            &reports);
        bad += check_decode(tok, ids, n, YOSO_DECODE_SKIP_SPECIAL | YOSO_DECODE_CLEANUP_SPACES,
                            r.items[i], "decoded_cleanup", &reports);
        free(ids);
    }
    assert_int_equal(bad, 0);
    rows_free(&r);
    yoso_tokenizer_free(tok);
}

/* truncation=True, max_length=N gives HF's ids (the head, then </s>). */
static void test_truncation(void **state) {
    (void)state;
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load(test_data_path("roberta-bpe"), &tok), YOSO_OK);
    rows r = rows_read("tokenizer/truncation.jsonl");
    assert_true(r.count >= 20);
    int bad = 0;
    for (size_t i = 0; i < r.count; i++) {
        size_t len, nw, ng;
        char *text = row_text(r.items[i], &len);
        int32_t *want = row_ids(r.items[i], "ids", &nw), *got = NULL;
        size_t max_length =
            (size_t)cJSON_GetObjectItemCaseSensitive(r.items[i], "max_length")->valuedouble;
        assert_int_equal(yoso_tokenizer_encode(tok, text, len,
                                               YOSO_TOKENIZE_ADD_SPECIAL | YOSO_TOKENIZE_TRUNCATE,
                                               max_length, &got, &ng),
                         YOSO_OK);
        if (ng != nw || memcmp(got, want, nw * sizeof *want)) {
            if (bad++ < MAX_REPORTS) report_ids("truncation", text, want, nw, got, ng);
        }
        free(text);
        free(want);
        free(got);
    }
    assert_int_equal(bad, 0);
    rows_free(&r);
    yoso_tokenizer_free(tok);
}

/* Copies a file byte for byte. */
static void copy_file(const char *from, const char *to) {
    size_t size;
    char *data = test_read_file(from, &size);
    assert_non_null(data);
    assert_int_equal(test_write_file(to, data, size), 0);
    free(data);
}

/* Other special-token configurations (tokenizer_config.json, special_tokens_map.json). */
static void test_variants(void **state) {
    (void)state;
    char *json_text = test_read_file(test_data_path("tokenizer/variants.json"), NULL);
    assert_non_null(json_text);
    cJSON *variants = cJSON_Parse(json_text);
    assert_true(cJSON_GetArraySize(variants) >= 2);
    char path[4096], src[4096];
    for (const cJSON *v = variants->child; v; v = v->next) {
        char *dir = test_make_temp_dir();
        assert_non_null(dir);
        const char *names[] = {"vocab.json", "merges.txt"};
        for (int i = 0; i < 2; i++) {
            snprintf(src, sizeof src, "%s/roberta-bpe/%s", YOSO_TEST_DATA, names[i]);
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            copy_file(src, path);
        }
        for (const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "files")->child; f; f = f->next) {
            char *content = cJSON_PrintUnformatted(f);
            snprintf(path, sizeof path, "%s/%s", dir, f->string);
            assert_int_equal(test_write_file(path, content, strlen(content)), 0);
            free(content);
        }
        yoso_tokenizer *tok = NULL;
        assert_int_equal(yoso_tokenizer_load(dir, &tok), YOSO_OK);
        assert_int_equal(yoso_tokenizer_vocab_size(tok),
                         (size_t)cJSON_GetObjectItemCaseSensitive(v, "vocab_size")->valuedouble);
        int reports = 0, bad_dec = 0;
        for (const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "cases")->child; c; c = c->next) {
            size_t len, nw, ng;
            char *text = row_text(c, &len);
            int32_t *want = row_ids(c, "ids", &nw), *got = NULL;
            assert_int_equal(
                yoso_tokenizer_encode(tok, text, len, YOSO_TOKENIZE_ADD_SPECIAL, 0, &got, &ng),
                YOSO_OK);
            if (ng != nw || memcmp(got, want, nw * sizeof *want))
                report_ids(cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring, text, want, nw,
                           got, ng);
            assert_int_equal(ng, nw);
            assert_memory_equal(got, want, nw * sizeof *want);
            bad_dec += check_decode(tok, want, nw, 0, c, "decoded", &reports);
            bad_dec +=
                check_decode(tok, want, nw, YOSO_DECODE_SKIP_SPECIAL, c, "decoded_skip", &reports);
            free(text);
            free(want);
            free(got);
        }
        assert_int_equal(bad_dec, 0);
        yoso_tokenizer_free(tok);
        test_remove_temp_dir(dir);
    }
    cJSON_Delete(variants);
    free(json_text);
}

typedef struct thread_job {
    const yoso_tokenizer *tok;
    const rows *r;
    int mismatches; /* out */
} thread_job;

/* A temp tokenizer folder: roberta-base's vocab.json + merges.txt, and with add_prefix_space
 * the tokenizer_config.json HF's RobertaTokenizer(add_prefix_space=True) reads (test_variants). */
static char *offsets_folder(int add_prefix_space) {
    char *dir = test_make_temp_dir(), path[4096], src[4096];
    assert_non_null(dir);
    const char *names[] = {"vocab.json", "merges.txt"};
    for (int i = 0; i < 2; i++) {
        snprintf(src, sizeof src, "%s/roberta-bpe/%s", YOSO_TEST_DATA, names[i]);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        copy_file(src, path);
    }
    if (add_prefix_space) {
        static const char config[] =
            "{\"tokenizer_class\": \"RobertaTokenizer\", \"add_prefix_space\": true, \"mask_token\": {\"__type\": \"AddedToken\", \"content\": \"<mask>\", \"lstrip\": true, \"rstrip\": false, \"normalized\": false, \"single_word\": false, \"special\": true}}";
        snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
        assert_int_equal(test_write_file(path, config, sizeof config - 1), 0);
    }
    return dir;
}

/* Character offsets and words equal HF's offset_mapping and word_ids() (fast tokenizer,
 * trim_offsets) on every corpus text and the add_prefix_space texts; byte spans slice the same text
 * the characters do. */
static void test_offsets(void **state) {
    (void)state;
    rows r = rows_read("tokenizer/offsets.jsonl");
    assert_true(r.count >= 491);
    yoso_tokenizer *toks[2] = {NULL, NULL};
    for (int p = 0; p < 2; p++) {
        char *dir = offsets_folder(p);
        assert_int_equal(yoso_tokenizer_load(dir, &toks[p]), YOSO_OK);
        free(dir);
    }
    size_t mismatches = 0, tokens = 0;
    for (size_t i = 0; i < r.count; i++) {
        const cJSON *row = r.items[i];
        const int prefix = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "add_prefix_space"));
        size_t len, nw, n;
        char *text = row_text(row, &len);
        int32_t *want = row_ids(row, "ids", &nw), *ids = NULL;
        yoso_token_span *spans = NULL;
        assert_int_equal(yoso_tokenizer_encode_offsets(toks[prefix], text, len,
                                                       YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &spans,
                                                       &n),
                         YOSO_OK);
        assert_int_equal(n, nw);
        assert_memory_equal(ids, want, n * sizeof *ids);
        const cJSON *offs = cJSON_GetObjectItemCaseSensitive(row, "offsets");
        const cJSON *words = cJSON_GetObjectItemCaseSensitive(row, "words");
        assert_int_equal((size_t)cJSON_GetArraySize(offs), n);
        assert_int_equal((size_t)cJSON_GetArraySize(words), n);
        size_t k = 0;
        const cJSON *w = words->child;
        for (const cJSON *o = offs->child; o; o = o->next, w = w->next, k++) {
            const size_t ws = (size_t)cJSON_GetArrayItem(o, 0)->valuedouble;
            const size_t we = (size_t)cJSON_GetArrayItem(o, 1)->valuedouble;
            const size_t word = cJSON_IsNull(w) ? YOSO_NO_WORD : (size_t)w->valuedouble;
            tokens++;
            if (spans[k].start != ws || spans[k].end != we || spans[k].word != word) {
                if (mismatches++ < 10)
                    printf("offsets of %.60s token %zu (id %d): got [%zu, %zu) word %zu, HF [%zu, "
                           "%zu) word %zu\n",
                           text, k, ids[k], spans[k].start, spans[k].end, spans[k].word, ws, we,
                           word);
            }
            /* a byte span that starts on a character boundary starts on the character the
             * character span names (special tokens: both 0) */
            size_t chars = 0;
            for (size_t at = 0; at < spans[k].byte_start && at < len; at++)
                chars += ((unsigned char)text[at] & 0xC0) != 0x80;
            if (spans[k].byte_start >= len ||
                ((unsigned char)text[spans[k].byte_start] & 0xC0) != 0x80)
                assert_int_equal(chars, spans[k].start);
            assert_true(spans[k].byte_start <= spans[k].byte_end && spans[k].byte_end <= len);
        }
        free(text);
        free(want);
        free(ids);
        free(spans);
    }
    printf("[ offsets  ] %zu texts, %zu tokens, %zu offset mismatches with HF\n", r.count, tokens,
           mismatches);
    assert_int_equal(mismatches, 0);
    rows_free(&r);
    yoso_tokenizer_free(toks[0]);
    yoso_tokenizer_free(toks[1]);
}

/* Encodes the whole corpus three times and counts differences from the fixture. */
static void *thread_encode(void *arg) {
    thread_job *job = arg;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < job->r->count; i++) {
            size_t len, nw, ng;
            char *text = row_text(job->r->items[i], &len);
            int32_t *want = row_ids(job->r->items[i], "ids", &nw), *got = NULL;
            if (yoso_tokenizer_encode(job->tok, text, len, YOSO_TOKENIZE_ADD_SPECIAL, 0, &got,
                                      &ng) != YOSO_OK ||
                ng != nw || memcmp(got, want, nw * sizeof *want))
                job->mismatches++;
            free(text);
            free(want);
            free(got);
        }
    }
    return NULL;
}

/* One tokenizer used by four threads at once gives the same ids (shared cache + lock). */
static void test_threads(void **state) {
    (void)state;
    yoso_tokenizer *tok = NULL;
    assert_int_equal(yoso_tokenizer_load(test_data_path("roberta-bpe"), &tok), YOSO_OK);
    rows r = rows_read("tokenizer/expected.jsonl");
    pthread_t threads[4];
    thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job){tok, &r, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, thread_encode, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(jobs[i].mismatches, 0);
    }
    rows_free(&r);
    yoso_tokenizer_free(tok);
}

TEST_MAIN(NULL, NULL, test_corpus_vocab_merges, test_corpus_tokenizer_json, test_decode_cases,
          test_truncation, test_variants, test_offsets, test_threads)

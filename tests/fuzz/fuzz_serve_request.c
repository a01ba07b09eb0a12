/* fuzz_serve_request.c — libFuzzer target: arbitrary HTTP bodies through the server's request
 * layer (src/server/serve_request.c): JSON parsing for each route, then tokenization with the
 * real RoBERTa tokenizer (tests/data/roberta-bpe) and the length/mask checks.
 *
 * The first input byte picks the route, the rest is the body. Checked: a refused body has an
 * HTTP status in 400..501 and a message, and its TEI error JSON builds; an accepted one has
 * 1..8 inputs, each of 1..64 ids inside the vocabulary after tokenization. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_request.h"

static yoso_tokenizer *g_tok;

/* Loads the real tokenizer once per fuzzing process. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    if (yoso_tokenizer_load(YOSO_TEST_DATA "/roberta-bpe", &g_tok) != YOSO_OK) {
        fprintf(stderr, "fuzz_serve_request: %s\n", yoso_last_error());
        abort();
    }
    return 0;
}

/* Checks that a refusal is well formed. */
static void fuzz_check_error(const serve_error *e) {
    if (e->http < 400 || e->http > 501 || !e->type || !e->message[0]) abort();
    char *json = serve_error_json(e);
    if (!json) abort();
    free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    serve_route route = (serve_route)(data[0] % SERVE_ROUTE_COUNT);
    yoso_task task = (yoso_task)(data[0] / SERVE_ROUTE_COUNT % YOSO_TASK_COUNT);
    serve_request r;
    serve_error e = {0};
    if (serve_request_parse(route, task, (const char *)data + 1, size - 1, 8, &r, &e)) {
        fuzz_check_error(&e);
        return 0;
    }
    if (r.count < 1 || r.count > 8) abort();
    if (serve_request_tokenize(g_tok, 64, &r, &e)) {
        fuzz_check_error(&e);
    } else {
        for (int i = 0; i < r.count; i++) {
            if (r.lens[i] == 0 ||
                (route != SERVE_TOKENIZE && route != SERVE_DECODE && r.lens[i] > 64))
                abort();
            if (route == SERVE_TASK && !r.requests[i]) abort();
            if (r.texts[i]) /* ids the tokenizer made lie in the vocabulary */
                for (size_t t = 0; t < r.lens[i]; t++)
                    if (r.ids[i][t] < 0 || (size_t)r.ids[i][t] >= yoso_tokenizer_vocab_size(g_tok))
                        abort();
        }
    }
    serve_request_free(&r);
    return 0;
}

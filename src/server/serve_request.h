/* serve_request.h — parsing and validating one HTTP request body (pure: no device, no sockets;
 * tests/fuzz/fuzz_serve_request.c drives it directly). */
#ifndef YOSO_SERVE_REQUEST_H
#define YOSO_SERVE_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "yoso.h"

typedef enum serve_route {
    SERVE_FILL_MASK, /* POST /fill-mask (HF Inference API) */
    SERVE_EMBED,     /* POST /embed (TEI) */
    SERVE_FEATURES,  /* POST /feature-extraction (HF Inference API, pooled like /embed) */
    SERVE_OPENAI,    /* POST /v1/embeddings (OpenAI) */
    SERVE_TOKENIZE,  /* POST /tokenize (TEI) */
    SERVE_DECODE,    /* POST /decode (TEI) */
    SERVE_TASK,      /* POST /text-classification, /predict, …: a pipeline as JSON (req.task) */
    SERVE_ROUTE_COUNT
} serve_route;

/* An HTTP status, TEI's error_type and a one-line message. */
typedef struct serve_error {
    int http;
    const char *type; /* "validation", "tokenizer", "overloaded", "unhealthy", "backend", … */
    char message[256];
} serve_error;

/* One parsed request: `count` inputs, each text or ids. */
typedef struct serve_request {
    serve_route route;
    int is_list;    /* the answer is a list (inputs was a list) */
    int count;      /* inputs */
    char **texts;   /* [count] UTF-8, or NULL entries for inputs given as ids */
    int32_t **ids;  /* [count][lens[i]]: given ids, or the encoding after serve_request_tokenize */
    size_t *lens;   /* [count] */
    int top_k;      /* fill-mask */
    char **targets; /* [num_targets] fill-mask */
    int num_targets;
    int normalize, truncate, add_special, skip_special;
    yoso_task task;  /* SERVE_TASK: the pipeline (set before parsing) */
    char **requests; /* [count] SERVE_TASK: each input as one HF request {inputs, parameters} */
} serve_request;

/* Records an error and returns -1. */
int serve_fail(serve_error *e, int http, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error as TEI's JSON object {"error": …, "error_type": …}; malloc'ed. */
char *serve_error_json(const serve_error *e);

/* Parses body[len] (JSON) for route into r (for SERVE_TASK, task is the pipeline); at most
 * max_inputs inputs. 0, or -1 with e set. */
int serve_request_parse(serve_route route, yoso_task task, const char *body, size_t len,
                        int max_inputs, serve_request *r, serve_error *e);
/* Encodes every text input (with <s> … </s>) and checks each length against max_length: 413
 * unless truncate; fill-mask inputs must hold a mask. A pipeline request only gets its length
 * estimated for the batcher (its strings' tokens, at most max_length): the pipeline itself
 * checks it. 0, or -1 with e set. */
int serve_request_tokenize(const yoso_tokenizer *tok, size_t max_length, serve_request *r,
                           serve_error *e);
void serve_request_free(serve_request *r);

#endif

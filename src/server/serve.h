/* serve.h — `yoso serve`: the HTTP server (libmicrohttpd) in front of one device worker. */
#ifndef YOSO_SERVE_H
#define YOSO_SERVE_H

#include "yoso.h"

typedef enum serve_pooling { SERVE_POOL_MEAN = 0, SERVE_POOL_CLS } serve_pooling;

typedef struct serve_options {
    const char *host;          /* bind address, default 127.0.0.1 */
    int port;                  /* 0: any free port (printed on stderr) */
    const char *model_dir;     /* model folder */
    const char *tokenizer_dir; /* NULL: the model folder */
    const char *api_key;       /* NULL: no authorization */
    yoso_context_options context;
    yoso_model_options model;
    int max_batch_tokens;        /* padded tokens per forward pass */
    int max_batch_requests;      /* inputs per forward pass */
    int max_concurrent_requests; /* queued + running device requests; more get 429 */
    int max_client_batch_size;   /* inputs in one request's list */
    int max_input_length;        /* 0: the model's maximum */
    long max_body_bytes;         /* larger bodies get 413 */
    double request_timeout;      /* seconds a request may wait for the device (504 after) */
    double idle_timeout;         /* seconds a connection may stay silent (slow clients) */
    serve_pooling pooling;       /* /embed: mean over real tokens or the <s> (CLS) state */
} serve_options;

/* Fills the defaults above. */
void serve_options_init(serve_options *o);
/* Loads the model, serves until SIGTERM/SIGINT, drains in-flight requests; returns the exit
 * code (0 after a clean drain). */
int serve_run(const serve_options *o);

#endif

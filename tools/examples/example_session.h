/* example_session.h — what every example does first and last, through the public C API alone:
 * open the default device, load a checkpoint and its tokenizer, report a failure, free it all. */
#ifndef YOSO_EXAMPLE_SESSION_H
#define YOSO_EXAMPLE_SESSION_H

#include <stdio.h>

#include "yoso.h"

/* A device with one model and its tokenizer. */
typedef struct example_session {
    yoso_context *ctx;
    yoso_model *model;
    yoso_tokenizer *tok;
} example_session;

/* Opens the default device (and kernel cache) and loads the checkpoint in model_dir, attention
 * as its config.json says, with the tokenizer in tok_dir (NULL: model_dir). */
static inline yoso_status example_open(const char *model_dir, const char *tok_dir,
                                       example_session *s) {
    yoso_context_options copt = {0};
    yoso_model_options mopt = {0};
    yoso_status st = yoso_context_create(&copt, &s->ctx);
    if (st == YOSO_OK) st = yoso_model_load(s->ctx, model_dir, &mopt, &s->model);
    if (st == YOSO_OK) st = yoso_tokenizer_load(tok_dir ? tok_dir : model_dir, &s->tok);
    return st;
}

/* 1 when the command line has want words (the program's name included); else prints
 * "usage: <usage>" on stderr and returns 0. */
static inline int example_usage(int argc, int want, const char *usage) {
    if (argc == want) return 1;
    fprintf(stderr, "usage: %s\n", usage);
    return 0;
}

/* Prints "<program>: <the failing call's message>" and returns the status's exit code. */
static inline int example_report(const char *program, yoso_status status) {
    fprintf(stderr, "%s: %s\n", program, yoso_last_error());
    return yoso_status_exit_code(status);
}

/* Frees what example_open made (any part of it may be NULL). */
static inline void example_close(example_session *s) {
    yoso_tokenizer_free(s->tok);
    yoso_model_free(s->model);
    yoso_context_free(s->ctx);
}

#endif

/* cmd_serve.c — `yoso serve`: options into serve_options, then the server (src/server). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "paths.h"
#include "serve.h"

static void serve_usage(void) {
    printf(
        "usage: yoso serve [--host 127.0.0.1] [--port 8080] [-m DIR] [-d DEV] [options]\n\n"
        "An HTTP server: HF Inference API /fill-mask, TEI /embed /tokenize /decode, OpenAI\n"
        "/v1/embeddings, /health /info /metrics /openapi.json and a playground page at /.\n"
        "One device worker batches concurrent requests. SIGTERM or SIGINT drains and exits 0.\n\n"
        "  --host ADDR                  IPv4 address to bind (default 127.0.0.1)\n"
        "  --port N                     TCP port (default 8080; 0: any free port)\n"
        "  -m, --model DIR              model folder (default: $YOSO_MODEL, else ~/.cache/yoso/yoso-4096)\n"
        "  --tokenizer DIR              tokenizer folder (default: the model folder)\n"
        "  -d, --device SPEC            OpenCL device: P:D or part of its name\n"
        "  --api-key KEY                require 'Authorization: Bearer KEY' (all but /health and /)\n"
        "  --max-batch-tokens N         padded tokens per forward pass (default 16384)\n"
        "  --max-batch-requests N       inputs per forward pass (default 32)\n"
        "  --max-concurrent-requests N  queued + running requests; more get 429 (default 512)\n"
        "  --max-client-batch-size N    inputs in one request (default 32)\n"
        "  --max-input-length N         tokens per input (default: the model's maximum)\n"
        "  --max-body-bytes N           request body limit, 413 above (default 2097152)\n"
        "  --request-timeout S          seconds a request may take, 504 after (default 60)\n"
        "  --idle-timeout S             seconds a silent connection is kept (default 10)\n"
        "  --pooling mean|cls           /embed pooling (default mean over the real tokens)\n"
        "  --fp16                       half-precision weights on the device\n"
        "  --no-cache                   do not cache compiled kernels or packed weights on disk\n");
}

/* Parses a number option into [lo, hi]; 0 after printing a usage error. */
static int number(const char *name, const char *v, double lo, double hi, double *out) {
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d >= lo && d <= hi)) {
        cli_usage_error("serve", "%s must be a number in %g..%g, not '%s'", name, lo, hi, v);
        return 0;
    }
    *out = d;
    return 1;
}

/* An integer option: its name, range and where it goes. */
typedef struct int_option {
    const char *name;
    double lo, hi;
    void *dst;
    int as_long;
} int_option;

int cmd_serve(int argc, char **argv) {
    /* PORT..MBB: the integer options, in the order of ints[] below. */
    enum {
        HOST = 256,
        TOK,
        KEY,
        RTO,
        ITO,
        POOL,
        FP16,
        NOCACHE,
        PORT,
        MBT,
        MBR,
        MCR,
        MCB,
        MIL,
        MBB
    };
    static const struct option longs[] = {{"host", 1, 0, HOST},
                                          {"port", 1, 0, PORT},
                                          {"model", 1, 0, 'm'},
                                          {"device", 1, 0, 'd'},
                                          {"tokenizer", 1, 0, TOK},
                                          {"api-key", 1, 0, KEY},
                                          {"max-batch-tokens", 1, 0, MBT},
                                          {"max-batch-requests", 1, 0, MBR},
                                          {"max-concurrent-requests", 1, 0, MCR},
                                          {"max-client-batch-size", 1, 0, MCB},
                                          {"max-input-length", 1, 0, MIL},
                                          {"max-body-bytes", 1, 0, MBB},
                                          {"request-timeout", 1, 0, RTO},
                                          {"idle-timeout", 1, 0, ITO},
                                          {"pooling", 1, 0, POOL},
                                          {"fp16", 0, 0, FP16},
                                          {"no-cache", 0, 0, NOCACHE},
                                          {"help", 0, 0, 'h'},
                                          {0, 0, 0, 0}};
    serve_options o;
    serve_options_init(&o);
    o.model.attention = YOSO_ATTENTION_CONFIG;
    /* The integer options, in enum order from PORT to MBB. */
    const int_option ints[] = {
        {"--port", 0, 65535, &o.port, 0},
        {"--max-batch-tokens", 1, 1 << 24, &o.max_batch_tokens, 0},
        {"--max-batch-requests", 1, 4096, &o.max_batch_requests, 0},
        {"--max-concurrent-requests", 1, 65536, &o.max_concurrent_requests, 0},
        {"--max-client-batch-size", 1, 4096, &o.max_client_batch_size, 0},
        {"--max-input-length", 2, 1 << 20, &o.max_input_length, 0},
        {"--max-body-bytes", 64, 1 << 30, &o.max_body_bytes, 1}};
    double v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:d:h", longs, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'h': serve_usage(); return 0;
        case 'm': o.model_dir = optarg; break;
        case 'd': o.context.device_spec = optarg; break;
        case HOST: o.host = optarg; break;
        case TOK: o.tokenizer_dir = optarg; break;
        case KEY: o.api_key = optarg; break;
        case RTO: ok = number("--request-timeout", optarg, 0.01, 86400, &o.request_timeout); break;
        case ITO: ok = number("--idle-timeout", optarg, 1, 86400, &o.idle_timeout); break;
        case POOL:
            if (!strcmp(optarg, "mean") || !strcmp(optarg, "cls"))
                o.pooling = strcmp(optarg, "cls") ? SERVE_POOL_MEAN : SERVE_POOL_CLS;
            else
                return cli_usage_error("serve", "--pooling must be mean or cls, not '%s'", optarg);
            break;
        case FP16: o.model.fp16_weights = 1; break;
        case NOCACHE: o.context.no_cache = 1; break;
        case ':': return cli_usage_error("serve", "option %s needs a value", argv[optind - 1]);
        default:
            if (c < PORT || c > MBB)
                return cli_usage_error("serve", "unknown option '%s'", argv[optind - 1]);
            const int_option *io = &ints[c - PORT];
            ok = number(io->name, optarg, io->lo, io->hi, &v);
            if (ok && io->as_long) *(long *)io->dst = (long)v;
            if (ok && !io->as_long) *(int *)io->dst = (int)v;
        }
        if (!ok) return 2;
    }
    if (optind < argc) return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    if (!o.model_dir)
        o.model_dir = getenv("YOSO_MODEL") && *getenv("YOSO_MODEL") ? getenv("YOSO_MODEL")
                                                                    : yoso_default_model_dir();
    return serve_run(&o);
}

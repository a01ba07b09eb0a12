/* cli_options.c — parsing the model/device options shared by logits and fill-mask. */
#include "cli_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "paths.h"

const char *const cli_model_options_help =
    "  -m, --model DIR        model folder (default: $YOSO_MODEL, else ~/.cache/yoso/yoso-4096)\n"
    "  -d, --device SPEC      OpenCL device: P:D or part of its name (default: $YOSO_DEVICE, else a GPU)\n"
    "  --attention MODE       expectation or lsh (default: config.json's use_expectation)\n"
    "  --num-hash N           LSH hash functions (default: config.json's num_hash)\n"
    "  --hash-code-len N      LSH bits per hash code (default: config.json's hash_code_len)\n"
    "  --seed N               seed of the LSH random signs (default 0)\n"
    "  --lsh-dmat FILE        explicit LSH ±1 signs (safetensors, tensors layer.<i>.Dmat)\n"
    "  --fp16                 store the weights as half precision on the device (half the memory)\n"
    "  --no-cache             do not read or write compiled kernels on disk\n"
    "  -v, --verbose          timings and cache decisions on stderr\n";

void cli_model_options_init(cli_model_options *o) {
    memset(o, 0, sizeof *o);
    o->model.attention = YOSO_ATTENTION_CONFIG;
}

int cli_parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* Returns the value of an option that needs one, or NULL after a usage error. */
static const char *option_value(const char *cmd, int argc, char **argv, int *i) {
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int cli_model_options_parse(cli_model_options *o, const char *cmd, int argc, char **argv, int *i) {
    const char *a = argv[*i], *v;
    long n;
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) return o->verbose = o->model.verbose = 1, 1;
    if (!strcmp(a, "--no-cache")) return o->no_cache = 1, 1;
    if (!strcmp(a, "--fp16")) return o->model.fp16_weights = 1, 1;
    int takes_value = !strcmp(a, "-m") || !strcmp(a, "--model") || !strcmp(a, "-d") ||
                      !strcmp(a, "--device") || !strcmp(a, "--attention") ||
                      !strcmp(a, "--num-hash") || !strcmp(a, "--hash-code-len") ||
                      !strcmp(a, "--seed") || !strcmp(a, "--lsh-dmat");
    if (!takes_value) return 0;
    if (!(v = option_value(cmd, argc, argv, i))) return -1;
    if (!strcmp(a, "-m") || !strcmp(a, "--model"))
        o->model_dir = v;
    else if (!strcmp(a, "-d") || !strcmp(a, "--device"))
        o->device = v;
    else if (!strcmp(a, "--lsh-dmat"))
        o->model.lsh_dmat_path = v;
    else if (!strcmp(a, "--attention")) {
        if (!strcmp(v, "expectation"))
            o->model.attention = YOSO_ATTENTION_EXPECTATION;
        else if (!strcmp(v, "lsh"))
            o->model.attention = YOSO_ATTENTION_LSH;
        else
            return cli_usage_error(cmd, "--attention must be expectation or lsh, not '%s'", v), -1;
    } else if (!strcmp(a, "--num-hash")) {
        if (!cli_parse_int(v, 1, 4096, &n))
            return cli_usage_error(cmd, "--num-hash must be an integer in 1..4096, not '%s'", v),
                   -1;
        o->model.num_hash = (int)n;
    } else if (!strcmp(a, "--hash-code-len")) {
        if (!cli_parse_int(v, 1, 16, &n))
            return cli_usage_error(cmd, "--hash-code-len must be an integer in 1..16, not '%s'", v),
                   -1;
        o->model.hash_code_len = (int)n;
    } else if (!strcmp(a, "--seed")) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (errno || end == v || *end || v[0] == '-')
            return cli_usage_error(cmd, "--seed must be a non-negative integer, not '%s'", v), -1;
        o->model.seed = s;
    }
    return 1;
}

const char *cli_model_dir(const cli_model_options *o) {
    if (o->model_dir && *o->model_dir) return o->model_dir;
    const char *env = getenv("YOSO_MODEL");
    if (env && *env) return env;
    return yoso_default_model_dir();
}

int cli_open_model(const cli_model_options *o, yoso_context **ctx, yoso_model **model) {
    yoso_context_options copt = {
        .device_spec = o->device, .no_cache = o->no_cache, .verbose = o->verbose};
    *ctx = NULL;
    *model = NULL;
    const int progress = isatty(STDERR_FILENO);
    double t0 = yoso_now();
    if (progress)
        fprintf(stderr, "yoso: preparing the OpenCL device (compiles kernels on first use)…\r");
    yoso_status st = yoso_context_create(&copt, ctx);
    if (progress) fprintf(stderr, "\033[K");
    if (st != YOSO_OK) return cli_fail(st);
    double t1 = yoso_now();
    if (o->verbose) {
        int hits = 0, builds = 0;
        yoso_context_cache_stats(*ctx, &hits, &builds);
        fprintf(stderr, "yoso: device %s ready in %.2f s (%s)\n", yoso_context_device(*ctx)->name,
                t1 - t0, builds ? "kernels compiled" : "kernels from the cache");
    }
    if (progress) fprintf(stderr, "yoso: reading the weights in %s…\r", cli_model_dir(o));
    st = yoso_model_load(*ctx, cli_model_dir(o), &o->model, model);
    if (progress) fprintf(stderr, "\033[K");
    if (o->verbose && st == YOSO_OK)
        fprintf(stderr, "yoso: weights loaded in %.2f s\n", yoso_now() - t1);
    if (st != YOSO_OK) {
        int rc = cli_fail(st);
        yoso_context_free(*ctx);
        *ctx = NULL;
        return rc;
    }
    return 0;
}

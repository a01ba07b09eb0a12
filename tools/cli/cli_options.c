/* cli_options.c — getopt_long for every subcommand, the shared model/device options and opening
 * the model. */
#include "cli_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_progress.h"
#include "hf_cache.h"

/* The shared options' getopt values: above any command's own (256..). */
enum {
    OPT_ATTENTION = 0x1000,
    OPT_NUM_HASH,
    OPT_HASH_CODE_LEN,
    OPT_SEED,
    OPT_LSH_DMAT,
    OPT_FP16,
    OPT_NO_CACHE
};

/* One shared option: its getopt entry, the group that offers it and its help line. */
typedef struct shared_option {
    struct option opt;
    int group;
    const char *help;
} shared_option;

static const shared_option k_shared[] = {
    {{"model", required_argument, NULL, 'm'},
     CLI_SHARED_MODEL,
     "  -m, --model DIR        model folder or Hugging Face id (uw-madison/yoso-4096, found in\n"
     "                         $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub); default:\n"
     "                         $YOSO_MODEL, else ~/.cache/yoso/yoso-4096, else\n"
     "                         uw-madison/yoso-4096 in the HF cache\n"},
    {{"device", required_argument, NULL, 'd'},
     CLI_SHARED_DEVICE,
     "  -d, --device SPEC      OpenCL device: P:D or part of its name (default: $YOSO_DEVICE,\n"
     "                         else a GPU)\n"},
    {{"attention", required_argument, NULL, OPT_ATTENTION},
     CLI_SHARED_RUN,
     "      --attention MODE   expectation or lsh (default: config.json's use_expectation)\n"},
    {{"num-hash", required_argument, NULL, OPT_NUM_HASH},
     CLI_SHARED_RUN,
     "      --num-hash N       LSH hash functions (default: config.json's num_hash)\n"},
    {{"hash-code-len", required_argument, NULL, OPT_HASH_CODE_LEN},
     CLI_SHARED_RUN,
     "      --hash-code-len N  LSH bits per hash code (default: config.json's hash_code_len)\n"},
    {{"seed", required_argument, NULL, OPT_SEED},
     CLI_SHARED_RUN,
     "      --seed N           seed of the LSH random signs (default 0)\n"},
    {{"lsh-dmat", required_argument, NULL, OPT_LSH_DMAT},
     CLI_SHARED_RUN,
     "      --lsh-dmat FILE    explicit LSH ±1 signs (safetensors, tensors layer.<i>.Dmat)\n"
     "                         (the four LSH options need --attention lsh)\n"},
    {{"fp16", no_argument, NULL, OPT_FP16},
     CLI_SHARED_RUN,
     "      --fp16             store the weights as half precision on the device (half the "
     "memory)\n"},
    {{"no-cache", no_argument, NULL, OPT_NO_CACHE},
     CLI_SHARED_CACHE,
     "      --no-cache         do not read or write compiled kernels or packed weights on disk\n"},
    {{"verbose", no_argument, NULL, 'v'},
     CLI_SHARED_VERBOSE,
     "  -v, --verbose          timings and decisions on stderr\n"},
    {{"help", no_argument, NULL, 'h'}, 0, "  -h, --help             this help\n"},
};
#define NUM_SHARED (sizeof k_shared / sizeof k_shared[0])

const char *cli_options_help(int shared) {
    static char buf[4096];
    size_t used = 0;
    used += (size_t)snprintf(buf, sizeof buf,
                             "\nShared options (--opt=value and -k2 work too; "
                             "-- ends the options):\n");
    for (size_t i = 0; i < NUM_SHARED && used < sizeof buf; i++)
        if (!k_shared[i].group || (k_shared[i].group & shared))
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s", k_shared[i].help);
    return buf;
}

/* Sets the defaults (seed 0, attention from config.json). */
static void cli_model_options_init(cli_model_options *o) {
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

/* Appends one getopt entry and its short letter (if any) to the parser's tables. */
static void parser_add(cli_parser *p, const struct option *opt, int *n) {
    p->longs[(*n)++] = *opt;
    if (opt->val > 0 && opt->val < 128) {
        size_t len = strlen(p->shorts);
        p->shorts[len++] = (char)opt->val;
        if (opt->has_arg == required_argument) p->shorts[len++] = ':';
        p->shorts[len] = '\0';
    }
}

void cli_parser_init(cli_parser *p, const char *cmd, const struct option *own, int shared,
                     cli_model_options *o) {
    memset(p, 0, sizeof *p);
    cli_model_options_init(o);
    p->o = o;
    p->cmd = cmd;
    p->shared = shared;
    p->shorts[0] = ':'; /* report a missing value as ':' */
    int n = 0;
    for (int i = 0; own && own[i].name; i++) parser_add(p, &own[i], &n);
    for (size_t i = 0; i < NUM_SHARED; i++)
        if (!k_shared[i].group || (k_shared[i].group & shared)) parser_add(p, &k_shared[i].opt, &n);
    optind = 0; /* glibc: a full reset, permutation state included */
    opterr = 0;
}

/* The index in p->longs of the entry whose val is val, or -1. */
static int parser_find(const cli_parser *p, int val) {
    for (int i = 0; p->longs[i].name; i++)
        if (p->longs[i].val == val) return i;
    return -1;
}

/* Prints the usage error for what getopt_long refused ('?' or ':'). */
static int parser_refusal(const cli_parser *p, int c, char **argv) {
    const char *arg = argv[optind - 1];
    int at = parser_find(p, optopt);
    if (c == ':') {
        if (at >= 0 && !strncmp(arg, "--", 2))
            return cli_usage_error(p->cmd, "option --%s needs a value", p->longs[at].name), -2;
        return cli_usage_error(p->cmd, "option -%c needs a value", optopt), -2;
    }
    if (optopt && !strncmp(arg, "--", 2)) /* a flag given a value: --json=1 */
        return cli_usage_error(p->cmd, "option '%s' takes no value", arg), -2;
    if (optopt)
        return cli_usage_error(p->cmd,
                               "unknown option '-%c'; put -- before a TEXT that starts with '-'",
                               optopt),
               -2;
    return cli_usage_error(p->cmd, "unknown option '%s' (or an ambiguous abbreviation)", arg), -2;
}

/* Applies one shared option; returns 0, or -2 after a usage error. */
static int parser_shared(cli_parser *p, int c, cli_model_options *o) {
    const char *v = optarg;
    long n;
    switch (c) {
    case 'm': o->model_dir = v; break;
    case 'd': o->device = v; break;
    case 'v': o->verbose = o->model.verbose = 1; break;
    case OPT_NO_CACHE: o->no_cache = 1; break;
    case OPT_FP16: o->model.fp16_weights = 1; break;
    case OPT_LSH_DMAT: o->model.lsh_dmat_path = v, o->lsh_only = 1; break;
    case OPT_ATTENTION:
        if (!strcmp(v, "expectation"))
            o->model.attention = YOSO_ATTENTION_EXPECTATION;
        else if (!strcmp(v, "lsh"))
            o->model.attention = YOSO_ATTENTION_LSH;
        else
            return cli_usage_error(p->cmd, "--attention must be expectation or lsh, not '%s'", v),
                   -2;
        break;
    case OPT_NUM_HASH:
        if (!cli_parse_int(v, 1, 4096, &n))
            return cli_usage_error(p->cmd, "--num-hash must be an integer in 1..4096, not '%s'", v),
                   -2;
        o->model.num_hash = (int)n, o->lsh_only = 1;
        break;
    case OPT_HASH_CODE_LEN:
        if (!cli_parse_int(v, 1, 16, &n))
            return cli_usage_error(p->cmd, "--hash-code-len must be an integer in 1..16, not '%s'",
                                   v),
                   -2;
        o->model.hash_code_len = (int)n, o->lsh_only = 1;
        break;
    case OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (errno || end == v || *end || v[0] == '-')
            return cli_usage_error(p->cmd, "--seed must be a non-negative integer, not '%s'", v),
                   -2;
        o->model.seed = s, o->lsh_only = 1;
        break;
    }
    }
    return 0;
}

/* The checks that need every option: LSH options need LSH attention; the model id is resolved. */
static int parser_finish(cli_parser *p, cli_model_options *o) {
    if (p->help) return -1;
    if (o->lsh_only && o->model.attention != YOSO_ATTENTION_LSH)
        return cli_usage_error(
                   p->cmd,
                   "--num-hash, --hash-code-len, --seed and --lsh-dmat only apply to LSH attention: add --attention lsh"),
               -2;
    if ((p->shared & CLI_SHARED_MODEL) && hf_cache_resolve_model(o) != 0) return -2;
    return -1;
}

int cli_parser_next(cli_parser *p, int argc, char **argv) {
    cli_model_options *o = p->o;
    for (;;) {
        int li = -1;
        int c = getopt_long(argc, argv, p->shorts, p->longs, &li);
        if (c == -1) return parser_finish(p, o);
        if (c == '?' || c == ':') return parser_refusal(p, c, argv);
        int at = li >= 0 ? li : parser_find(p, c);
        if (at < 0) return cli_usage_error(p->cmd, "unknown option '-%c'", c), -2;
        if (li >= 0)
            snprintf(p->name, sizeof p->name, "--%s", p->longs[at].name);
        else
            snprintf(p->name, sizeof p->name, "-%c", c);
        if (p->seen[at]++ && p->longs[at].has_arg != no_argument)
            return cli_usage_error(p->cmd, "option --%s is given twice: give it once",
                                   p->longs[at].name),
                   -2;
        if (c == 'h') {
            p->help = 1;
            continue;
        }
        if (c < 0x1000 && c != 'm' && c != 'd' && c != 'v') return c;
        if (parser_shared(p, c, o)) return -2;
    }
}

const char *cli_model_dir(const cli_model_options *o) {
    return o->model_dir ? o->model_dir : hf_cache_default_dir();
}

int cli_open_model(const cli_model_options *o, yoso_context **ctx, yoso_model **model) {
    /* The kernels compile (or come from the cache) on a thread of their own while the weights
     * load: a cold start overlaps the two. */
    yoso_context_options copt = {
        .device_spec = o->device, .no_cache = o->no_cache, .verbose = o->verbose, .background = 1};
    *ctx = NULL;
    *model = NULL;
    double t0 = yoso_now();
    cli_progress_start("preparing the OpenCL device (compiles kernels on first use)");
    yoso_status st = yoso_context_create(&copt, ctx);
    cli_progress_stop();
    if (st != YOSO_OK) return cli_fail(st);
    double t1 = yoso_now();
    cli_progress_start("reading the weights in %s", cli_model_dir(o));
    st = yoso_model_load(*ctx, cli_model_dir(o), &o->model, model);
    const double t2 = yoso_now();
    if (o->verbose && st == YOSO_OK) fprintf(stderr, "yoso: weights loaded in %.2f s\n", t2 - t1);
    cli_progress_stop();
    cli_progress_start("preparing the OpenCL device (compiles kernels on first use)");
    const yoso_status ready = yoso_context_wait(*ctx); /* a device failure is reported first */
    cli_progress_stop();
    if (o->verbose && ready == YOSO_OK) {
        int hits = 0, builds = 0;
        yoso_context_cache_stats(*ctx, &hits, &builds);
        fprintf(stderr, "yoso: device %s ready in %.2f s (%s), %.2f s after the weights\n",
                yoso_context_device(*ctx)->name, yoso_now() - t0,
                builds ? "kernels compiled" : "kernels from the cache", yoso_now() - t2);
    }
    if (ready != YOSO_OK || st != YOSO_OK) {
        int rc = cli_fail(ready != YOSO_OK ? ready : st);
        yoso_model_free(*model);
        *model = NULL;
        yoso_context_free(*ctx);
        *ctx = NULL;
        return rc;
    }
    return 0;
}

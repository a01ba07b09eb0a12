/* cmd_tune.c — `yoso tune`: a short CLBlast GEMM tuning for the current device, stored in the
 * cache folder and applied automatically whenever CLBlast runs the GEMMs on that device. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "cli_options.h"
#include "commands.h"

typedef struct tune_options {
    const char *device;
    long size;       /* m = n = k of the tuned product */
    long configs;    /* configurations the short search tries */
    int full;        /* 1: CLBlast's own tuner (clblast_tuner_xgemm) instead */
    double fraction; /* --full: share of CLBlast's search space tried in its random phases */
    long runs;       /* --full: timed runs per configuration */
    int no_cache, verbose;
} tune_options;

static void tune_usage(void) {
    printf("usage: yoso tune [-d SPEC] [--size N] [--configs N] [--full [--fraction F] "
           "[--runs N]]\n\n"
           "Tunes CLBlast's GEMM kernel for the device and stores the fastest parameters in the\n"
           "cache folder ($YOSO_CACHE_DIR, else ~/.cache/yoso/clblast/); every later run that\n"
           "uses CLBlast on this device applies them. By default a short search times N\n"
           "configurations spread over CLBlast's search space (each compiles CLBlast's kernel:\n"
           "seconds on a GPU, ~10 s on PoCL); --full runs CLBlast's own tuner\n"
           "(clblast_tuner_xgemm, package clblast-utils: tens of minutes on a CPU).\n"
           "CPU devices normally use the host BLAS instead (YOSO_GEMM=clblast forces CLBlast).\n\n"
           "      --size N           m = n = k of the timed product (default 512)\n"
           "      --configs N        configurations the short search tries (default 12)\n"
           "      --full             use clblast_tuner_xgemm\n"
           "      --fraction F       --full: share of the random search space (default 0.02)\n"
           "      --runs N           --full: timed runs per configuration (default 1)\n%s",
           cli_options_help(CLI_SHARED_DEVICE | CLI_SHARED_CACHE | CLI_SHARED_VERBOSE));
}

/* Reads the tuner's clblast_xgemm*.json files in dir; writes the fastest configuration as an
 * "Xgemm NAME=VALUE ..." line into line. Returns 1 if one was found. */
static int tune_best_from_dir(const char *dir, char *line, size_t n, double *best_ms) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    *best_ms = 0;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "clblast_xgemm", 13) || !strstr(e->d_name, ".json")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        static char text[1 << 20];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        cJSON *root = cJSON_Parse(text);
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "best_parameters");
        const cJSON *time_ms = cJSON_GetObjectItemCaseSensitive(root, "best_time");
        double t = cJSON_IsNumber(time_ms)   ? time_ms->valuedouble
                   : cJSON_IsString(time_ms) ? atof(time_ms->valuestring)
                                             : 0;
        if (cJSON_IsString(params) && t > 0 && (!found || t < *best_ms)) {
            snprintf(line, n, "Xgemm %s", params->valuestring);
            *best_ms = t;
            found = 1;
        }
        cJSON_Delete(root);
    }
    if (d) closedir(d);
    return found;
}

/* Parses the options; returns -1 to go on, else an exit code. */
static int tune_parse(int argc, char **argv, tune_options *o) {
    enum { OPT_FULL = 256, OPT_CONFIGS, OPT_SIZE, OPT_RUNS, OPT_FRACTION };
    static const struct option k_own[] = {{"full", no_argument, NULL, OPT_FULL},
                                          {"configs", required_argument, NULL, OPT_CONFIGS},
                                          {"size", required_argument, NULL, OPT_SIZE},
                                          {"runs", required_argument, NULL, OPT_RUNS},
                                          {"fraction", required_argument, NULL, OPT_FRACTION},
                                          {NULL, 0, NULL, 0}};
    cli_model_options common;
    cli_parser p;
    *o = (tune_options){.size = 512, .configs = 12, .fraction = 0.02, .runs = 1};
    cli_parser_init(&p, "tune", k_own, CLI_SHARED_DEVICE | CLI_SHARED_CACHE | CLI_SHARED_VERBOSE,
                    &common);
    int c;
    while ((c = cli_parser_next(&p, argc, argv)) >= 0) {
        char *end;
        switch (c) {
        case OPT_FULL: o->full = 1; break;
        case OPT_CONFIGS:
            if (!cli_parse_int(optarg, 1, 1024, &o->configs))
                return cli_usage_error("tune", "--configs must be an integer in 1..1024");
            break;
        case OPT_SIZE:
            if (!cli_parse_int(optarg, 16, 8192, &o->size))
                return cli_usage_error("tune", "--size must be an integer in 16..8192");
            break;
        case OPT_RUNS:
            if (!cli_parse_int(optarg, 1, 100, &o->runs))
                return cli_usage_error("tune", "--runs must be an integer in 1..100");
            break;
        case OPT_FRACTION:
            o->fraction = strtod(optarg, &end);
            if (*end || !(o->fraction > 0 && o->fraction <= 1))
                return cli_usage_error("tune", "--fraction must be a number in (0, 1]");
            break;
        }
    }
    if (c == -2) return 2;
    if (p.help) return tune_usage(), 0;
    if (optind < argc) return cli_usage_error("tune", "unexpected argument '%s'", argv[optind]);
    o->device = common.device;
    o->no_cache = common.no_cache;
    o->verbose = common.verbose;
    return -1;
}

/* Runs clblast_tuner_xgemm in a temporary folder; writes the best "Xgemm …" line. 0 on success. */
static int tune_full(const yoso_device_info *dev, const tune_options *o, char *line, size_t n) {
    char dir[] = "/tmp/yoso-tune-XXXXXX", cmd[8192];
    if (!mkdtemp(dir)) {
        fprintf(stderr, "yoso: cannot create a temporary folder for the tuner\n");
        return 1;
    }
    fprintf(
        stderr,
        "yoso: running clblast_tuner_xgemm on %s (%ld³, fraction %.3g): this takes a long time\n",
        dev->name, o->size, o->fraction);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && clblast_tuner_xgemm -platform %d -device %d "
             "-precision 32 -m %ld -n %ld -k %ld -fraction %g -runs %ld > tuner.log 2>&1",
             dir, dev->platform_index, dev->device_index, o->size, o->size, o->size, o->fraction,
             o->runs);
    int sys = system(cmd);
    double best_ms;
    if (!tune_best_from_dir(dir, line, n, &best_ms)) {
        fprintf(
            stderr,
            "yoso: the CLBlast tuner produced no result (exit %d; log in %s/tuner.log): install clblast-utils and check that the device works\n",
            sys, dir);
        return 1;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "yoso: could not remove %s\n", dir);
    return 0;
}

int cmd_tune(int argc, char **argv) {
    tune_options o;
    int rc = tune_parse(argc, argv, &o);
    if (rc >= 0) return rc;
    yoso_context *ctx = NULL;
    yoso_context_options copt = {
        .device_spec = o.device, .no_cache = o.no_cache, .verbose = o.verbose};
    yoso_status st = yoso_context_create(&copt, &ctx);
    if (st != YOSO_OK) return cli_fail(st);
    char line[1024], path[4096];
    double before = 0, after = 0, t0 = yoso_now();
    st = yoso_tuning_measure(ctx, (size_t)o.size, &before);
    if (st == YOSO_OK && o.full) {
        if (tune_full(yoso_context_device(ctx), &o, line, sizeof line)) {
            yoso_context_free(ctx);
            return 1;
        }
        st = yoso_tuning_apply_line(ctx, line);
    } else if (st == YOSO_OK) {
        fprintf(stderr, "yoso: timing %ld CLBlast GEMM configurations on %s (%ld³)\n", o.configs,
                yoso_context_device(ctx)->name, o.size);
        st = yoso_tuning_search(ctx, (size_t)o.size, (int)o.configs, line, sizeof line, &after);
    }
    if (st == YOSO_OK) st = yoso_tuning_measure(ctx, (size_t)o.size, &after);
    if (st == YOSO_OK) {
        const char *lines[1] = {line};
        st = yoso_tuning_store(ctx, lines, 1);
    }
    if (st != YOSO_OK) {
        rc = cli_fail(st);
        yoso_context_free(ctx);
        return rc;
    }
    yoso_tuning_path(ctx, path, sizeof path);
    printf("%s\n", line);
    fprintf(stderr, "yoso: tuned in %.0f s; %ld³ SGEMM %.1f -> %.1f GFLOP/s; stored in %s\n",
            yoso_now() - t0, o.size, before, after, path);
    yoso_context_free(ctx);
    return 0;
}

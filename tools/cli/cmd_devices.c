/* cmd_devices.c — `yoso devices`: every OpenCL device, with the default marked and its self-check
 * verdict (the cached one, or with --check one run now). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_options.h"
#include "commands.h"

/* Prints one device as a block of aligned fields. */
static void devices_print_one(const yoso_device_info *d, int chosen, int verbose,
                              const char *verdict) {
    printf("%s %d:%d  %s\n", chosen ? "*" : " ", d->platform_index, d->device_index, d->name);
    printf("      platform        %s\n", d->platform_name);
    if (verbose) printf("      platform version %s\n", d->platform_version);
    printf("      type            %s\n", d->type);
    printf("      compute units   %u\n", d->compute_units);
    printf("      global memory   %.1f GiB\n", (double)d->global_mem_bytes / (1 << 30));
    printf("      max allocation  %.1f GiB\n", (double)d->max_alloc_bytes / (1 << 30));
    printf("      OpenCL C        %s\n", d->opencl_c_version);
    printf("      fp16            %s\n", d->has_fp16 ? "yes" : "no");
    if (verbose) printf("      driver          %s\n", d->driver_version);
    printf("      self-check      %s\n", verdict);
}

/* The device's self-check verdict: run now (check: a context with fresh probes; 0 when the device
 * cannot be used), else the cached one, which compiles nothing. Returns 1 when usable or unknown.
 */
static int devices_verdict(const yoso_device_info *d, int check, int verbose, char *out, size_t n) {
    char spec[32];
    snprintf(spec, sizeof spec, "%d:%d", d->platform_index, d->device_index);
    yoso_context_options co = {.device_spec = spec, .verbose = verbose, .recheck = 1};
    if (check) {
        yoso_context *ctx = NULL;
        yoso_status st = yoso_context_create(&co, &ctx);
        snprintf(out, n, "%s%s", st == YOSO_OK ? "" : "not usable: ",
                 st == YOSO_OK ? yoso_context_self_check(ctx) : yoso_last_error());
        yoso_context_free(ctx);
        return st == YOSO_OK;
    }
    if (yoso_device_cached_self_check(&co, out, n) != YOSO_OK)
        snprintf(out, n, "unknown: %s", yoso_last_error());
    else if (!out[0])
        snprintf(out, n, "not checked yet (runs with the first use; 'yoso devices --check' now)");
    return 1;
}

int cmd_devices(int argc, char **argv) {
    enum { OPT_CHECK = 256 };
    static const struct option k_own[] = {{"check", no_argument, NULL, OPT_CHECK},
                                          {NULL, 0, NULL, 0}};
    cli_model_options o;
    cli_parser op;
    cli_parser_init(&op, "devices", k_own, CLI_SHARED_VERBOSE | CLI_SHARED_DEVICE, &o);
    int c, check = 0;
    while ((c = cli_parser_next(&op, argc, argv)) >= 0)
        if (c == OPT_CHECK) check = 1;
    if (c == -2) return 2;
    if (op.help) {
        printf(
            "usage: yoso devices [--check] [-d SPEC] [-v]\n\nLists every OpenCL device; '*' marks "
            "the one yoso would use (-d/--device or YOSO_DEVICE: P:D or a name substring; "
            "default: a GPU if any). Each device shows its self-check verdict (known-answer "
            "probes of its driver, run on first use and cached); --check runs the probes on "
            "every device now and exits 1 if any device cannot be used. -v adds each device's "
            "driver version.\n      --check            run each device's self-check now\n%s",
            cli_options_help(CLI_SHARED_VERBOSE | CLI_SHARED_DEVICE));
        return 0;
    }
    if (optind < argc) return cli_usage_error("devices", "unexpected argument '%s'", argv[optind]);
    const char *spec = o.device ? o.device : getenv("YOSO_DEVICE");
    yoso_device_info *list = NULL;
    size_t n = 0;
    yoso_status st = yoso_device_list(&list, &n);
    if (st != YOSO_OK) return cli_fail(st);
    int chosen_p = -1, chosen_d = -1, unusable = 0;
    if (spec && *spec) {
        yoso_device_info info;
        st = yoso_device_find(spec, &info);
        if (st != YOSO_OK) {
            free(list);
            return cli_fail(st);
        }
        chosen_p = info.platform_index;
        chosen_d = info.device_index;
    }
    for (size_t i = 0; i < n; i++) {
        int chosen = (chosen_p >= 0)
                         ? (list[i].platform_index == chosen_p && list[i].device_index == chosen_d)
                         : list[i].is_default;
        char verdict[1024];
        unusable += !devices_verdict(&list[i], check, o.verbose, verdict, sizeof verdict);
        devices_print_one(&list[i], chosen, o.verbose, verdict);
    }
    free(list);
    return unusable ? 1 : 0;
}

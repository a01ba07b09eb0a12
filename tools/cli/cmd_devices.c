/* cmd_devices.c — `yoso devices`: every OpenCL device, with the default marked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_options.h"
#include "commands.h"

/* Prints one device as a block of aligned fields. */
static void devices_print_one(const yoso_device_info *d, int chosen, int verbose) {
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
}

int cmd_devices(int argc, char **argv) {
    cli_model_options o;
    cli_parser op;
    cli_parser_init(&op, "devices", NULL, CLI_SHARED_VERBOSE | CLI_SHARED_DEVICE, &o);
    int c = cli_parser_next(&op, argc, argv);
    if (c == -2) return 2;
    if (op.help) {
        printf("usage: yoso devices [-d SPEC] [-v]\n\nLists every OpenCL device; '*' marks the one "
               "yoso would use (-d/--device or YOSO_DEVICE: P:D or a name substring; default: a "
               "GPU if any). -v adds each device's driver version.\n%s",
               cli_options_help(CLI_SHARED_VERBOSE | CLI_SHARED_DEVICE));
        return 0;
    }
    if (optind < argc) return cli_usage_error("devices", "unexpected argument '%s'", argv[optind]);
    const char *spec = o.device ? o.device : getenv("YOSO_DEVICE");
    yoso_device_info *list = NULL;
    size_t n = 0;
    yoso_status st = yoso_device_list(&list, &n);
    if (st != YOSO_OK) return cli_fail(st);
    int chosen_p = -1, chosen_d = -1;
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
        devices_print_one(&list[i], chosen, o.verbose);
    }
    free(list);
    return 0;
}

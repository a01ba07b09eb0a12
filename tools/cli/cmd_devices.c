/* cmd_devices.c — `yoso devices`: every OpenCL device, with the default marked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"

/* Prints one device as a block of aligned fields. */
static void devices_print_one(const yoso_device_info *d, int chosen) {
    printf("%s %d:%d  %s\n", chosen ? "*" : " ", d->platform_index, d->device_index, d->name);
    printf("      platform        %s\n", d->platform_name);
    printf("      type            %s\n", d->type);
    printf("      compute units   %u\n", d->compute_units);
    printf("      global memory   %.1f GiB\n", (double)d->global_mem_bytes / (1 << 30));
    printf("      max allocation  %.1f GiB\n", (double)d->max_alloc_bytes / (1 << 30));
    printf("      OpenCL C        %s\n", d->opencl_c_version);
    printf("      fp16            %s\n", d->has_fp16 ? "yes" : "no");
}

int cmd_devices(int argc, char **argv) {
    const char *spec = getenv("YOSO_DEVICE");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--device")) {
            if (i + 1 >= argc)
                return cli_usage_error("devices", "%s needs a device: P:D or part of a name",
                                       argv[i]);
            spec = argv[++i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf(
                "usage: yoso devices [-d SPEC]\n\nLists every OpenCL device; '*' marks the one yoso would use (-d/--device or YOSO_DEVICE: P:D or a name substring; default: a GPU if any).\n");
            return 0;
        } else
            return cli_usage_error("devices", "unknown option '%s'", argv[i]);
    }
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
        devices_print_one(&list[i], chosen);
    }
    free(list);
    return 0;
}

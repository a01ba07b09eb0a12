/* cmd_version.c — `yoso version` / `yoso --version`: yoso, CLBlast and every OpenCL platform and
 * driver, for bug reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_options.h"
#include "commands.h"

/* Prints every OpenCL device with its platform and driver versions (or why there are none). */
static void version_print_opencl(void) {
    yoso_device_info *list = NULL;
    size_t n = 0;
    if (yoso_device_list(&list, &n) != YOSO_OK) {
        printf("OpenCL: %s\n", yoso_last_error());
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const yoso_device_info *d = &list[i];
        if (i == 0 || d->platform_index != list[i - 1].platform_index)
            printf("OpenCL platform %d: %s, %s\n", d->platform_index, d->platform_name,
                   d->platform_version);
        printf("  device %d:%d%s %s, driver %s\n", d->platform_index, d->device_index,
               d->is_default ? " (default)" : "", d->name, d->driver_version);
    }
    free(list);
}

int cmd_version(int argc, char **argv) {
    cli_model_options o;
    cli_parser p;
    cli_parser_init(&p, "version", NULL, 0, &o);
    int c = cli_parser_next(&p, argc, argv);
    if (c == -2) return 2;
    if (p.help) {
        printf("usage: yoso version (or yoso --version)\n\n"
               "Prints the versions of yoso (with its git revision), of the CLBlast library it "
               "runs\nwith and of every OpenCL platform and device driver: paste them into bug "
               "reports.\n%s",
               cli_options_help(0));
        return 0;
    }
    if (optind < argc) return cli_usage_error("version", "unexpected argument '%s'", argv[optind]);
    printf("yoso %s (git %s)\n", yoso_version(), yoso_git_revision());
    printf("CLBlast %s\n", yoso_clblast_version());
    version_print_opencl();
    return 0;
}

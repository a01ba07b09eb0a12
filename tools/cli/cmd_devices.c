/* cmd_devices.c — placeholder until the runtime lands. */
#include <stdio.h>

#include "commands.h"

int cmd_devices(int argc, char **argv) {
    fprintf(stderr, "yoso: %s is not built yet\n", argv[0]);
    return 1;
}

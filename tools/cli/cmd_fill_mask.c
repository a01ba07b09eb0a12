/* cmd_fill_mask.c — placeholder until the subcommand lands (owned by its issue). */
#include <stdio.h>

#include "commands.h"

int cmd_fill_mask(int argc, char **argv) {
    fprintf(stderr, "yoso: %s is not built yet\n", argv[0]);
    return 1;
}

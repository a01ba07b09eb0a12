/* main.c — the yoso command line: dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command k_commands[] = {
    {"fill-mask", cmd_fill_mask, "predict the <mask> / [MASK] tokens of each text"},
    {"logits", cmd_logits, "run the model on ids or text and write logits to a .npy file"},
    {"tokenize", cmd_tokenize, "print the token ids of each text"},
    {"convert", cmd_convert, "rewrite pytorch_model.bin as model.safetensors (optionally fp16)"},
    {"devices", cmd_devices, "list the OpenCL devices and mark the default"},
    {"tune", cmd_tune, "tune CLBlast's GEMM for the device and store the parameters"},
};

/* Prints the list of subcommands. */
static void print_usage(FILE *to) {
    fprintf(to, "usage: yoso <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        fprintf(to, "  %-10s %s\n", k_commands[i].name, k_commands[i].summary);
    fprintf(to, "\nRun 'yoso <command> --help' for the options of one command.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        print_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        if (!strcmp(argv[1], k_commands[i].name)) return k_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "yoso: unknown command '%s': run 'yoso --help' for the list\n", argv[1]);
    return 2;
}

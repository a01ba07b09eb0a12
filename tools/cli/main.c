/* main.c — the yoso command line: dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *alias; /* a short name, or NULL */
    const char *summary;
} command;

#define YOSO_COMMAND_ROW(name, function, alias, summary) {name, function, alias, summary},
static const command k_commands[] = {YOSO_COMMANDS(YOSO_COMMAND_ROW)};
#define NUM_COMMANDS (sizeof k_commands / sizeof k_commands[0])

/* Prints the list of subcommands. */
static void print_usage(FILE *to) {
    fprintf(to, "usage: yoso <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NUM_COMMANDS; i++) {
        fprintf(to, "  %-20s %s\n", k_commands[i].name, k_commands[i].summary);
        if (k_commands[i].alias)
            fprintf(to, "  %-20s = %s\n", k_commands[i].alias, k_commands[i].name);
    }
    fprintf(to, "\nRun 'yoso <command> --help' or 'yoso help <command>' for the options of one "
                "command.\n");
}

/* The command called name, or NULL. */
static const command *find_command(const char *name) {
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (!strcmp(name, k_commands[i].name) ||
            (k_commands[i].alias && !strcmp(name, k_commands[i].alias)))
            return &k_commands[i];
    return NULL;
}

/* Runs argv[1] with argv[2..]; `help CMD` is `CMD --help`. */
static int run_command(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "-V")) return cmd_version(argc - 1, argv + 1);
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        if (argc < 3 || !strcmp(name, "-h") || !strcmp(name, "--help")) {
            print_usage(stdout);
            return 0;
        }
        const command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "yoso: unknown command '%s': run 'yoso --help' for the list\n",
                    argv[2]);
            return 2;
        }
        char *help_argv[] = {argv[2], "--help", NULL};
        return c->run(2, help_argv);
    }
    const command *c = find_command(name);
    if (c) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "yoso: unknown command '%s': run 'yoso --help' for the list\n", name);
    return 2;
}

int main(int argc, char **argv) {
    cli_guard_std_fds();
    return cli_finish_stdout(run_command(argc, argv));
}

/* main.c — the yoso command line: dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command k_commands[] = {
    {"fill-mask", cmd_fill_mask, "predict the <mask> / [MASK] tokens of each text"},
    {"feature-extraction", cmd_feature_extraction,
     "hidden states per token, or pooled sentence vectors (alias embed)"},
    {"embed", cmd_feature_extraction, "= feature-extraction"},
    {"question-answering", cmd_question_answering,
     "answer a question from each context (alias qa)"},
    {"qa", cmd_question_answering, "= question-answering"},
    {"text-classification", cmd_text_classification,
     "labels and scores of each text or text pair (alias classify)"},
    {"classify", cmd_text_classification, "= text-classification"},
    {"multiple-choice", cmd_multiple_choice, "score the choices for each prompt (alias choice)"},
    {"choice", cmd_multiple_choice, "= multiple-choice"},
    {"token-classification", cmd_token_classification,
     "the entities of each text: per token or grouped (alias ner)"},
    {"ner", cmd_token_classification, "= token-classification"},
    {"logits", cmd_logits, "run the model on ids or text and write logits to a .npy file"},
    {"tokenize", cmd_tokenize, "print the token ids of each text"},
    {"convert", cmd_convert, "rewrite pytorch_model.bin as model.safetensors (optionally fp16)"},
    {"devices", cmd_devices, "list the OpenCL devices and mark the default"},
    {"tune", cmd_tune, "tune CLBlast's GEMM for the device and store the parameters"},
    {"version", cmd_version, "print the versions of yoso, OpenCL and CLBlast (also --version)"},
    {"serve", cmd_serve, "an HTTP server: fill-mask, embeddings, tokenize (src/server)"},
};
#define NUM_COMMANDS (sizeof k_commands / sizeof k_commands[0])

/* Prints the list of subcommands. */
static void print_usage(FILE *to) {
    fprintf(to, "usage: yoso <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(to, "  %-20s %s\n", k_commands[i].name, k_commands[i].summary);
    fprintf(to, "\nRun 'yoso <command> --help' or 'yoso help <command>' for the options of one "
                "command.\n");
}

/* The command called name, or NULL. */
static const command *find_command(const char *name) {
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (!strcmp(name, k_commands[i].name)) return &k_commands[i];
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

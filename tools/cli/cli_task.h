/* cli_task.h — the driver every pipeline command shares: its options become the request's
 * "parameters" (or "inputs" keys), TEXT arguments, stdin lines or --jsonl requests stream through
 * yoso_task_run_json in batches, and each answer prints as the pipeline's JSON or a table. */
#ifndef YOSO_CLI_TASK_H
#define YOSO_CLI_TASK_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "yoso.h"

/* What an option's argument is. */
typedef enum cli_value {
    CLI_VALUE_INT,    /* a whole number (or the null word) */
    CLI_VALUE_NUMBER, /* a finite number */
    CLI_VALUE_STRING, /* the text as given */
    CLI_VALUE_LIST,   /* words split at the separator (',' when 0) into a JSON list; '' is [] */
    CLI_VALUE_FLAG    /* no argument: true */
} cli_value;

/* One option of a pipeline command and where its value goes in the request. */
typedef struct cli_task_option {
    const char *name;      /* the long option, e.g. "top-k" */
    int short_name;        /* e.g. 'k', or 0 */
    cli_value kind;        /* its argument */
    const char *key;       /* the "parameters" key ("top_k"), or an "inputs" key with in_inputs */
    int in_inputs;         /* 1: the value goes into "inputs" (--question, --text-pair) */
    const char *null_word; /* an argument meaning JSON null / Python's None ("all"), or NULL */
    char separator;        /* CLI_VALUE_LIST: between the words (',' when 0) */
    const char *help;      /* its lines in the usage text, each ending in "\n" */
    /* Not NULL: an option of the command's own, not of the request: its argument is kept in
     * *store and, given, every answer goes to the spec's collect (--json refused with it). */
    const char **store;
} cli_task_option;

#define CLI_TASK_MAX_OPTIONS 16

/* --text-pair T, inputs["text_pair"], of the commands whose TEXT may have a second segment. */
#define CLI_TASK_TEXT_PAIR_OPTION                                                                  \
    {                                                                                              \
        .name = "text-pair", .kind = CLI_VALUE_STRING, .key = "text_pair", .in_inputs = 1,         \
        .help =                                                                                    \
            "      --text-pair T      a second segment for every TEXT: <s> TEXT </s></s> T </s>\n" \
    }

/* A spec's .options and .num_options from one array. */
#define CLI_TASK_OPTIONS(array)                                                                    \
    .options = (array), .num_options = (int)(sizeof(array) / sizeof((array)[0]))

/* A pipeline command. */
typedef struct cli_task_spec {
    yoso_task task;          /* its Hugging Face name is the command's */
    const char *synopsis;    /* the options part of the usage line, "[-k N] [--text-pair T]" */
    const char *description; /* the paragraph under the usage line, ending in "\n" */
    const char *text_key;    /* where each TEXT goes: NULL, "inputs" itself (inputs["text"] when
                              * an option fills inputs); else inputs[text_key] */
    const cli_task_option *options; /* [num_options] */
    int num_options;
    /* Prints one answer (the pipeline's JSON, parsed) for a person; text is the input's TEXT
     * (NULL for one made from options alone), inputs the request's "inputs" as the options and
     * TEXT made it. NULL: print the JSON. */
    void (*print_table)(FILE *out, const char *text, const cJSON *inputs, const cJSON *answer);
    /* Takes every answer (its JSON text) instead of printing it when an option with a store
     * was given: a command that writes its answers elsewhere (feature-extraction's --npy).
     * Returns an exit code. */
    int (*collect)(const char *answer);
} cli_task_spec;

/* Runs the command: parses argv (argv[0] is the command's name), opens the model and tokenizer,
 * streams the inputs through the pipeline (the lines already waiting run as one batch) and
 * prints each answer as soon as it is there. The first bad input stops the run with exit code
 * 2 after the inputs before it were answered; its message names the argument or stdin line.
 * Returns the exit code. */
int cli_task_run(const cli_task_spec *spec, int argc, char **argv);

#endif

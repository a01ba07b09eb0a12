/* cli_options.h — options shared by the commands that run the model. */
#ifndef YOSO_CLI_OPTIONS_H
#define YOSO_CLI_OPTIONS_H

#include "yoso.h"

typedef struct cli_model_options {
    const char *model_dir; /* -m/--model, else $YOSO_MODEL, else ~/.cache/yoso/yoso-4096 */
    const char *device;    /* -d/--device, else $YOSO_DEVICE */
    int no_cache;          /* --no-cache */
    int verbose;           /* -v/--verbose */
    yoso_model_options
        model; /* --attention, --num-hash, --hash-code-len, --seed, --lsh-dmat, --fp16 */
} cli_model_options;

/* Sets the defaults (seed 0, attention from config.json). */
void cli_model_options_init(cli_model_options *o);
/* If argv[*i] is a shared option, consumes it (and its value) and returns 1; returns 0 when it is
 * not one of ours; returns -1 after printing a usage error. */
int cli_model_options_parse(cli_model_options *o, const char *cmd, int argc, char **argv, int *i);
/* The model folder to use (static storage). */
const char *cli_model_dir(const cli_model_options *o);
/* The help text for the shared options. */
extern const char *const cli_model_options_help;

/* Creates the context and loads the model; prints the error and returns the exit code on failure
 * (0 on success). */
int cli_open_model(const cli_model_options *o, yoso_context **ctx, yoso_model **model);

/* Parses a whole decimal integer in [lo, hi]; 1 on success. */
int cli_parse_int(const char *s, long lo, long hi, long *out);

#endif

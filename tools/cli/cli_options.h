/* cli_options.h — the option parser every subcommand uses (getopt_long) and the options shared by
 * the commands that run the model. */
#ifndef YOSO_CLI_OPTIONS_H
#define YOSO_CLI_OPTIONS_H

#include <getopt.h>

#include "yoso.h"

typedef struct cli_model_options {
    const char *model_dir; /* -m/--model, else $YOSO_MODEL, else the default folders */
    const char *device;    /* -d/--device, else $YOSO_DEVICE */
    int no_cache;          /* --no-cache */
    int verbose;           /* -v/--verbose */
    int lsh_only;          /* an LSH-only option was given (--num-hash, --seed, …) */
    yoso_model_options
        model; /* --attention, --num-hash, --hash-code-len, --seed, --lsh-dmat, --fp16 */
} cli_model_options;

/* Which of the shared options a command takes (-h/--help always). */
enum {
    CLI_SHARED_MODEL = 1,  /* -m/--model */
    CLI_SHARED_DEVICE = 2, /* -d/--device */
    CLI_SHARED_RUN = 4, /* --attention, --num-hash, --hash-code-len, --seed, --lsh-dmat, --fp16 */
    CLI_SHARED_VERBOSE = 8, /* -v/--verbose */
    CLI_SHARED_CACHE = 16,  /* --no-cache */
    CLI_SHARED_ALL = 31
};

#define CLI_MAX_OPTIONS 40

/* getopt_long over a command's own options plus the shared ones it takes. */
typedef struct cli_parser {
    const char *cmd;                      /* "fill-mask", for messages */
    int shared;                           /* CLI_SHARED_* */
    struct option longs[CLI_MAX_OPTIONS]; /* own, then shared, then the terminator */
    unsigned char seen[CLI_MAX_OPTIONS];  /* times each entry of longs was given */
    char shorts[2 * CLI_MAX_OPTIONS + 2]; /* ":" then "k:v…" */
    int help;                             /* -h/--help was given */
    char name[64];                        /* the option just returned, as written ("-k") */
    cli_model_options *o;                 /* where the shared options go */
} cli_parser;

/* Sets o to the defaults and prepares a parse of own options (getopt_long entries; every option has
 * a long name, its val is its short letter or a number from 256 up) and the shared options in
 * `shared`. */
void cli_parser_init(cli_parser *p, const char *cmd, const struct option *own, int shared,
                     cli_model_options *o);
/* The next command-specific option: returns its val with its value in optarg; consumes shared
 * options and -h itself. Returns -1 at the end (the TEXT arguments are argv[optind..]) and -2
 * after printing a usage error. A value option given twice is an error. */
int cli_parser_next(cli_parser *p, int argc, char **argv);

/* The model folder to use (static storage): -m / $YOSO_MODEL (a folder, or a Hugging Face
 * repository id such as uw-madison/yoso-4096 found in the Hugging Face cache), else
 * ~/.cache/yoso/yoso-4096, else uw-madison/yoso-4096 in the Hugging Face cache. */
const char *cli_model_dir(const cli_model_options *o);
/* The help text for the shared options in `shared` (static storage). */
const char *cli_options_help(int shared);

/* Creates the context and loads the model; prints the error and returns the exit code on failure
 * (0 on success). */
int cli_open_model(const cli_model_options *o, yoso_context **ctx, yoso_model **model);

/* Parses a whole decimal integer in [lo, hi]; 1 on success. */
int cli_parse_int(const char *s, long lo, long hi, long *out);

#endif

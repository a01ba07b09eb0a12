/* cmd_tokenize.c — `yoso tokenize`: the token ids of each text, one JSON line per input. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_jsonl.h"
#include "cli_options.h"
#include "commands.h"
#include "line_reader.h"

typedef struct tokenize_options {
    cli_model_options common; /* -m, -v */
    int jsonl;                /* stdin lines are {"text": …}; output {"ids", "tokens"} */
    int truncate;
    size_t max_length;
} tokenize_options;

/* Prints the subcommand's help. */
static void tokenize_usage(FILE *to) {
    fprintf(to,
            "usage: yoso tokenize [--jsonl] [-m DIR] [--truncate] [--max-length N] [TEXT...]\n"
            "\n"
            "Prints the token ids of each TEXT (or of each stdin line, answered as soon as it is\n"
            "read) as a JSON array, one line per input, wrapped in <s> … </s>. `[MASK]` and\n"
            "`<mask>` both give the mask id. An empty line is the empty text ([0, 2]). Put --\n"
            "before a TEXT that starts with '-'. -m needs only the tokenizer files (vocab.json +\n"
            "merges.txt, or tokenizer.json).\n"
            "\n"
            "      --jsonl         stdin lines are {\"text\": ...} (or HF's {\"inputs\": ...});\n"
            "                      each output line is {\"ids\": [...], \"tokens\": [...]}\n"
            "      --max-length N  the most ids per input, <s> and </s> included (default 4096;\n"
            "                      0 = no limit); longer inputs are an error unless --truncate\n"
            "      --truncate      cut longer inputs to N ids, keeping </s> at the end\n%s",
            cli_options_help(CLI_SHARED_MODEL | CLI_SHARED_VERBOSE));
}

/* Writes s as a JSON string literal (the text is valid UTF-8, kept as is). */
static void tokenize_print_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* Prints ids as a JSON array. */
static void tokenize_print_ids(FILE *out, const int32_t *ids, size_t n) {
    fputc('[', out);
    for (size_t i = 0; i < n; i++) fprintf(out, i ? ", %d" : "%d", ids[i]);
    fputc(']', out);
}

/* Encodes one text and prints its line; returns a status (the message is set on failure). */
static yoso_status tokenize_one(const yoso_tokenizer *tok, const tokenize_options *opt,
                                const char *text, size_t len) {
    int32_t *ids = NULL;
    size_t n = 0;
    int flags = YOSO_TOKENIZE_ADD_SPECIAL | (opt->truncate ? YOSO_TOKENIZE_TRUNCATE : 0);
    yoso_status st = yoso_tokenizer_encode(tok, text, len, flags, opt->max_length, &ids, &n);
    if (st) return st;
    if (opt->jsonl) {
        fputs("{\"ids\": ", stdout);
        tokenize_print_ids(stdout, ids, n);
        fputs(", \"tokens\": [", stdout);
        for (size_t i = 0; i < n; i++) {
            if (i) fputs(", ", stdout);
            tokenize_print_json_string(stdout, yoso_tokenizer_id_to_token(tok, ids[i]));
        }
        fputs("]}\n", stdout);
    } else {
        tokenize_print_ids(stdout, ids, n);
        fputc('\n', stdout);
    }
    free(ids);
    return YOSO_OK;
}

/* Handles one stdin line (without its newline): plain text, or a JSON object with "text". */
static yoso_status tokenize_line(const yoso_tokenizer *tok, const tokenize_options *opt,
                                 const char *line, size_t len, long line_no) {
    if (!opt->jsonl) {
        yoso_status st = tokenize_one(tok, opt, line, len);
        if (st) yoso_error_prefix(st, "stdin line %ld: ", line_no);
        return st;
    }
    static const char *const k_keys[] = {"text", "inputs", NULL};
    cJSON *json = NULL;
    const char *text = NULL;
    yoso_status st = cli_jsonl_parse(line, len, line_no, k_keys, NULL, &json, &text);
    if (st) return st;
    st = tokenize_one(tok, opt, text, strlen(text));
    cJSON_Delete(json);
    if (st) yoso_error_prefix(st, "stdin line %ld: ", line_no);
    return st;
}

/* Reads stdin line by line; each answer is flushed as soon as it is printed. */
static int tokenize_stdin(const yoso_tokenizer *tok, const tokenize_options *opt) {
    line_reader lr;
    const char *line;
    size_t len;
    yoso_status st = YOSO_OK;
    int rc = 0;
    line_reader_init(&lr, STDIN_FILENO);
    while (!rc && (line = line_reader_next(&lr, &len))) {
        if (opt->jsonl && len == 0) continue; /* blank lines separate nothing in JSONL */
        if ((st = tokenize_line(tok, opt, line, len, lr.lineno))) rc = cli_fail(st);
        if (!rc) rc = cli_flush_stdout();
    }
    if (!rc && lr.error)
        rc = cli_fail(yoso_error(YOSO_ERR_IO, "cannot read stdin: %s", strerror(lr.error)));
    line_reader_release(&lr);
    return rc;
}

/* Parses the options; returns -1 to go on, else the exit code. */
static int tokenize_parse(int argc, char **argv, tokenize_options *opt) {
    enum { OPT_JSONL = 256, OPT_TRUNCATE, OPT_MAX_LENGTH };
    static const struct option k_own[] = {{"jsonl", no_argument, NULL, OPT_JSONL},
                                          {"truncate", no_argument, NULL, OPT_TRUNCATE},
                                          {"max-length", required_argument, NULL, OPT_MAX_LENGTH},
                                          {NULL, 0, NULL, 0}};
    cli_parser p;
    *opt = (tokenize_options){.max_length = 4096};
    cli_parser_init(&p, "tokenize", k_own, CLI_SHARED_MODEL | CLI_SHARED_VERBOSE, &opt->common);
    int c;
    while ((c = cli_parser_next(&p, argc, argv)) >= 0) {
        char *end;
        switch (c) {
        case OPT_JSONL: opt->jsonl = 1; break;
        case OPT_TRUNCATE: opt->truncate = 1; break;
        case OPT_MAX_LENGTH:
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*optarg == '-' || !*optarg || *end || errno)
                return cli_usage_error("tokenize", "--max-length wants a number, not '%s'", optarg);
            opt->max_length = (size_t)v;
            break;
        }
    }
    if (c == -2) return 2;
    if (p.help) return tokenize_usage(stdout), 0;
    if (opt->jsonl && optind < argc)
        return cli_usage_error("tokenize", "--jsonl reads stdin: give no TEXT arguments");
    return -1;
}

/* `yoso tokenize`: see tokenize_usage. */
int cmd_tokenize(int argc, char **argv) {
    tokenize_options opt;
    int rc = tokenize_parse(argc, argv, &opt);
    if (rc >= 0) return rc;
    const char *dir = cli_model_dir(&opt.common);
    double t0 = yoso_now();
    yoso_tokenizer *tok = NULL;
    yoso_status st = yoso_tokenizer_load(dir, &tok);
    if (st == YOSO_ERR_NOT_FOUND && !opt.common.model_dir)
        yoso_error(
            st,
            "no tokenizer in %s: pass -m DIR or set YOSO_MODEL to a folder with vocab.json + merges.txt (or tokenizer.json)",
            dir);
    if (st) return cli_fail(st);
    if (opt.common.verbose)
        fprintf(stderr, "yoso: tokenizer of %s (%zu tokens) loaded in %.3f s\n", dir,
                yoso_tokenizer_vocab_size(tok), yoso_now() - t0);
    if (optind < argc) {
        for (int i = optind; i < argc && !st; i++) {
            st = tokenize_one(tok, &opt, argv[i], strlen(argv[i]));
            if (st) yoso_error_prefix(st, "argument %d: ", i - optind + 1);
        }
        rc = st ? cli_fail(st) : 0;
    } else {
        if (isatty(STDIN_FILENO))
            fprintf(
                stderr,
                "yoso: no TEXT given: reading one text per line from the terminal (end with Ctrl-D)\n");
        rc = tokenize_stdin(tok, &opt);
    }
    yoso_tokenizer_free(tok);
    return rc;
}

/* cmd_tokenize.c — `yoso tokenize`: the token ids of each text, one JSON line per input. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "paths.h"

typedef struct tokenize_options {
    const char *model_dir; /* -m, else $YOSO_MODEL, else ~/.cache/yoso/yoso-4096 */
    int jsonl;             /* stdin lines are {"text": …}; output {"ids", "tokens"} */
    int truncate;
    size_t max_length;
} tokenize_options;

/* Prints the subcommand's help. */
static void tokenize_usage(FILE *to) {
    fprintf(to,
            "usage: yoso tokenize [--jsonl] [-m DIR] [--truncate] [--max-length N] [TEXT...]\n"
            "\n"
            "Prints the token ids of each TEXT (or of each stdin line) as a JSON array, one line\n"
            "per input, wrapped in <s> … </s>. `[MASK]` and `<mask>` both give the mask id.\n"
            "Put -- before a TEXT that starts with '-'.\n"
            "\n"
            "  -m, --model DIR     tokenizer folder: vocab.json + merges.txt, or tokenizer.json\n"
            "                      (default: $YOSO_MODEL, else %s)\n"
            "      --jsonl         stdin lines are {\"text\": ...}; each output line is\n"
            "                      {\"ids\": [...], \"tokens\": [...]}\n"
            "      --max-length N  the most ids per input, <s> and </s> included (default 4096;\n"
            "                      0 = no limit); longer inputs are an error unless --truncate\n"
            "      --truncate      cut longer inputs to N ids, keeping </s> at the end\n"
            "  -h, --help          this help\n",
            YOSO_DEFAULT_MODEL_DIR_SHOWN);
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

/* 1 if a JSON line escapes U+0000 (cJSON would silently cut the string there). */
static int tokenize_json_has_nul(const char *line, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (line[i] != '\\') continue;
        if (line[i + 1] == 'u' && i + 5 < len && !memcmp(line + i + 2, "0000", 4)) return 1;
        i++; /* skip the escaped character: an escaped backslash before u0000 is no NUL */
    }
    return 0;
}

/* Handles one stdin line (without its newline): plain text, or a JSON object with "text". */
static yoso_status tokenize_line(const yoso_tokenizer *tok, const tokenize_options *opt, char *line,
                                 size_t len, size_t line_no) {
    if (!opt->jsonl) return tokenize_one(tok, opt, line, len);
    if (tokenize_json_has_nul(line, len))
        return yoso_error(
            YOSO_ERR_INPUT,
            "stdin line %zu: the text contains U+0000, which --jsonl cannot carry: pass the text as a plain line instead",
            line_no);
    const cJSON *text;
    cJSON *json = cJSON_ParseWithLength(line, len);
    if (!json || !cJSON_IsString(text = cJSON_GetObjectItemCaseSensitive(json, "text"))) {
        cJSON_Delete(json);
        return yoso_error(
            YOSO_ERR_INPUT,
            "stdin line %zu is not a JSON object with a \"text\" string: write {\"text\": \"...\"}",
            line_no);
    }
    yoso_status st = tokenize_one(tok, opt, text->valuestring, strlen(text->valuestring));
    cJSON_Delete(json);
    if (st) yoso_error_prefix(st, "stdin line %zu: ", line_no);
    return st;
}

/* Reads stdin line by line. */
static yoso_status tokenize_stdin(const yoso_tokenizer *tok, const tokenize_options *opt) {
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t got;
    yoso_status st = YOSO_OK;
    while (!st && (got = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        line_no++;
        if (len && line[len - 1] == '\n') len--;
        if (len && line[len - 1] == '\r') len--;
        line[len] = '\0';
        if (opt->jsonl && len == 0) continue; /* blank lines separate nothing in JSONL */
        st = tokenize_line(tok, opt, line, len, line_no);
    }
    if (!st && ferror(stdin))
        st = yoso_error(YOSO_ERR_IO, "cannot read stdin: %s", strerror(errno));
    free(line);
    return st;
}

/* The tokenizer folder: -m, else $YOSO_MODEL, else the default model folder (malloc'ed). */
static char *tokenize_model_dir(const char *flag) {
    const char *env = getenv("YOSO_MODEL");
    if (flag && *flag) return strdup(flag);
    if (env && *env) return strdup(env);
    return strdup(yoso_default_model_dir());
}

/* Parses the options; returns -1 to go on, else the exit code. */
static int tokenize_parse(int argc, char **argv, tokenize_options *opt) {
    static const struct option k_long[] = {
        {"model", required_argument, NULL, 'm'}, {"jsonl", no_argument, NULL, 'j'},
        {"truncate", no_argument, NULL, 't'},    {"max-length", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    *opt = (tokenize_options){.max_length = 4096};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "m:h", k_long, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'm': opt->model_dir = optarg; break;
        case 'j': opt->jsonl = 1; break;
        case 't': opt->truncate = 1; break;
        case 'L':
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*optarg == '-' || !*optarg || *end || errno)
                return cli_usage_error("tokenize", "--max-length wants a number, not '%s'", optarg);
            opt->max_length = (size_t)v;
            break;
        case 'h': tokenize_usage(stdout); return 0;
        default:
            if (optopt && optopt != '?' && strchr("mL", optopt))
                return cli_usage_error("tokenize", "%s needs a value", argv[optind - 1]);
            return cli_usage_error("tokenize", "unknown option '%s'", argv[optind - 1]);
        }
    }
    return -1;
}

/* `yoso tokenize`: see tokenize_usage. */
int cmd_tokenize(int argc, char **argv) {
    tokenize_options opt;
    int rc = tokenize_parse(argc, argv, &opt);
    if (rc >= 0) return rc;
    if (opt.jsonl && optind < argc)
        return cli_usage_error("tokenize", "--jsonl reads stdin: give no TEXT arguments");
    char *dir = tokenize_model_dir(opt.model_dir);
    if (!dir) return cli_fail(yoso_error(YOSO_ERR_NO_MEMORY, "out of memory"));
    yoso_tokenizer *tok = NULL;
    yoso_status st = yoso_tokenizer_load(dir, &tok);
    if (st == YOSO_ERR_NOT_FOUND && !opt.model_dir && !getenv("YOSO_MODEL"))
        yoso_error(
            st,
            "no tokenizer in %s: pass -m DIR or set YOSO_MODEL to a folder with vocab.json + merges.txt (or tokenizer.json)",
            dir);
    free(dir);
    if (st) return cli_fail(st);
    if (optind < argc) {
        for (int i = optind; i < argc && !st; i++) {
            st = tokenize_one(tok, &opt, argv[i], strlen(argv[i]));
            if (st) yoso_error_prefix(st, "argument %d: ", i - optind + 1);
        }
    } else {
        st = tokenize_stdin(tok, &opt);
    }
    yoso_tokenizer_free(tok);
    if (!st && (fflush(stdout) != 0 || ferror(stdout)))
        st = yoso_error(YOSO_ERR_IO, "cannot write stdout: %s", strerror(errno));
    return st ? cli_fail(st) : 0;
}

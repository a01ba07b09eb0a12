/* cmd_fill_mask.c — `yoso fill-mask`: top-k predictions for each mask, HF pipeline compatible. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_options.h"
#include "commands.h"
#include "fill_output.h"
#include "line_reader.h"

#define FILL_BATCH 8 /* inputs run together as one padded batch */

typedef struct fill_options {
    cli_model_options common;
    int top_k;
    char *targets_csv; /* --targets "w1,w2" */
    int json, jsonl;
} fill_options;

/* One input line and what it asks for; owns its strings. */
typedef struct fill_item {
    char *text;
    int top_k;
    char **targets;
    int num_targets;
} fill_item;

static void fill_usage(void) {
    printf(
        "usage: yoso fill-mask [-k N] [--targets w1,w2] [--json | --jsonl] [options] [TEXT...]\n\n"
        "Predicts the word behind each <mask> or [MASK] of each TEXT (none: one input per stdin\n"
        "line), like Hugging Face's pipeline(\"fill-mask\").\n\n"
        "  -k, --top-k N          predictions per mask (default 5)\n"
        "  --targets w1,w2        score only these words (a word that is not one token uses its\n"
        "                         first piece, with a warning)\n"
        "  --json                 one JSON line per input, in Hugging Face's output schema\n"
        "  --jsonl                stdin lines are {\"text\", \"top_k\", \"targets\"} objects; one\n"
        "                         JSON answer line each; inputs are batched with padding\n%s",
        cli_model_options_help);
}

/* Splits "a,b,c" into a malloc'ed array of malloc'ed strings. */
static int split_targets(const char *csv, char ***out) {
    int n = 0;
    char *copy = strdup(csv), *save = NULL;
    char **list = calloc(strlen(csv) + 1, sizeof *list);
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        list[n++] = strdup(w);
    free(copy);
    *out = list;
    return n;
}

static void fill_item_release(fill_item *it) {
    free(it->text);
    for (int i = 0; i < it->num_targets; i++) free(it->targets[i]);
    free(it->targets);
    memset(it, 0, sizeof *it);
}

/* Parses one --jsonl line into an item; prints the problem and returns 2 on bad input. */
static int parse_jsonl(const char *line, long lineno, const fill_options *o, fill_item *it) {
    cJSON *root = cJSON_Parse(line);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "text");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "top_k");
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
    int rc = 0;
    if (!cJSON_IsObject(root) || !cJSON_IsString(text)) {
        fprintf(stderr, "yoso: stdin line %ld is not a JSON object with a \"text\" string\n",
                lineno);
        rc = 2;
        goto done;
    }
    it->text = strdup(text->valuestring);
    it->top_k = o->top_k;
    if (k && !cJSON_IsNull(k)) {
        double v = cJSON_IsNumber(k) ? k->valuedouble : 0.5; /* range first: (int)1e10 is UB */
        if (!cJSON_IsNumber(k) || !(v >= -2147483648.0 && v <= 2147483647.0) ||
            v != (double)(int)v) {
            fprintf(stderr, "yoso: stdin line %ld: \"top_k\" must be an integer\n", lineno);
            rc = 2;
            goto done;
        }
        it->top_k = k->valueint;
    }
    if (cJSON_IsString(targets)) {
        it->targets = calloc(1, sizeof(char *));
        it->targets[0] = strdup(targets->valuestring);
        it->num_targets = 1;
    } else if (cJSON_IsArray(targets)) {
        if (cJSON_GetArraySize(targets) == 0) {
            fprintf(
                stderr,
                "yoso: stdin line %ld: \"targets\" is an empty list: give at least one word or leave it out\n",
                lineno);
            rc = 2;
            goto done;
        }
        it->targets = calloc((size_t)cJSON_GetArraySize(targets) + 1, sizeof(char *));
        const cJSON *t;
        cJSON_ArrayForEach(t, targets) {
            if (!cJSON_IsString(t)) {
                fprintf(stderr, "yoso: stdin line %ld: \"targets\" must be strings\n", lineno);
                rc = 2;
                goto done;
            }
            it->targets[it->num_targets++] = strdup(t->valuestring);
        }
    } else if (targets && !cJSON_IsNull(targets)) {
        fprintf(stderr, "yoso: stdin line %ld: \"targets\" must be a string or a list\n", lineno);
        rc = 2;
    } else if (o->targets_csv) {
        it->num_targets = split_targets(o->targets_csv, &it->targets);
    }
done:
    cJSON_Delete(root);
    return rc;
}

/* Runs a batch of items and prints each answer; returns an exit code. */
static int fill_run_batch(yoso_model *model, const yoso_tokenizer *tok, const fill_options *o,
                          fill_item *items, int n) {
    yoso_fill_request req[FILL_BATCH] = {0};
    yoso_fill_result res[FILL_BATCH];
    for (int i = 0; i < n; i++)
        req[i] = (yoso_fill_request){.text = items[i].text,
                                     .top_k = items[i].top_k,
                                     .targets = (const char *const *)items[i].targets,
                                     .num_targets = items[i].num_targets};
    yoso_status st = yoso_fill_mask(model, tok, req, n, res);
    if (st != YOSO_OK) return cli_fail(st);
    for (int i = 0; i < n; i++) {
        if (o->json || o->jsonl)
            fill_output_json(stdout, &res[i]);
        else
            fill_output_table(stdout, items[i].text, &res[i]);
        yoso_fill_result_release(&res[i]);
    }
    fflush(stdout);
    return 0;
}

/* Parses the command line into o and the list of TEXT arguments; returns -1 to go on, else an
 * exit code. */
static int fill_parse_args(int argc, char **argv, fill_options *o, char ***texts, int *ntexts) {
    cli_model_options_init(&o->common);
    o->top_k = 5;
    *texts = calloc((size_t)argc, sizeof(char *));
    *ntexts = 0;
    for (int i = 1; i < argc; i++) {
        int used = cli_model_options_parse(&o->common, "fill-mask", argc, argv, &i);
        if (used < 0) return 2;
        if (used) continue;
        const char *a = argv[i];
        long k;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return fill_usage(), 0;
        if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--jsonl"))
            o->jsonl = 1;
        else if (!strcmp(a, "-k") || !strcmp(a, "--top-k")) {
            if (i + 1 >= argc || !cli_parse_int(argv[i + 1], 1, 1 << 30, &k))
                return cli_usage_error("fill-mask", "%s needs a positive integer", a);
            o->top_k = (int)k;
            i++;
        } else if (!strcmp(a, "--targets")) {
            if (i + 1 >= argc || strspn(argv[i + 1], ",") == strlen(argv[i + 1]))
                return cli_usage_error("fill-mask", "--targets needs a comma-separated word list");
            o->targets_csv = argv[++i];
        } else if (!strcmp(a, "--")) {
            while (++i < argc) (*texts)[(*ntexts)++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("fill-mask", "unknown option '%s'", a);
        } else {
            (*texts)[(*ntexts)++] = argv[i];
        }
    }
    if (o->jsonl && *ntexts)
        return cli_usage_error("fill-mask", "--jsonl reads stdin: do not also give TEXT arguments");
    return -1;
}

int cmd_fill_mask(int argc, char **argv) {
    fill_options o = {0};
    char **texts = NULL;
    int ntexts = 0, rc = fill_parse_args(argc, argv, &o, &texts, &ntexts);
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    yoso_tokenizer *tok = NULL;
    fill_item items[FILL_BATCH] = {0};
    int n = 0;
    line_reader lr = {0};
    if (rc >= 0) goto done;
    rc = 0;
    if ((rc = cli_open_model(&o.common, &ctx, &model))) goto done;
    yoso_status st = yoso_tokenizer_load(cli_model_dir(&o.common), &tok);
    if (st != YOSO_OK) {
        rc = cli_fail(st);
        goto done;
    }
    double t1 = yoso_now();
    line_reader_init(&lr, stdin);
    for (int arg = 0;;) {
        fill_item *it = &items[n];
        if (ntexts) {
            if (arg == ntexts) break;
            it->text = strdup(texts[arg++]);
            it->top_k = o.top_k;
            if (o.targets_csv) it->num_targets = split_targets(o.targets_csv, &it->targets);
        } else {
            const char *line = line_reader_next(&lr);
            if (!line) break;
            if (!*line) continue;
            if (o.jsonl) {
                if ((rc = parse_jsonl(line, lr.lineno, &o, it))) goto done;
            } else {
                it->text = strdup(line);
                it->top_k = o.top_k;
                if (o.targets_csv) it->num_targets = split_targets(o.targets_csv, &it->targets);
            }
        }
        if (++n == FILL_BATCH) {
            rc = fill_run_batch(model, tok, &o, items, n);
            for (int i = 0; i < n; i++) fill_item_release(&items[i]);
            n = 0;
            if (rc) goto done;
        }
    }
    if (n) rc = fill_run_batch(model, tok, &o, items, n);
    if (o.common.verbose)
        fprintf(stderr, "yoso: tokenize + forward + top-k in %.2f s\n", yoso_now() - t1);
done:
    for (int i = 0; i < FILL_BATCH; i++) fill_item_release(&items[i]);
    line_reader_release(&lr);
    yoso_model_free(model);
    yoso_tokenizer_free(tok);
    yoso_context_free(ctx);
    free(texts);
    return rc;
}

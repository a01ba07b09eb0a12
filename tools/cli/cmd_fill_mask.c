/* cmd_fill_mask.c — `yoso fill-mask`: top-k predictions for each mask, HF pipeline compatible.
 * Inputs stream: each stdin line is answered as soon as it can be, the lines already waiting
 * run together as one padded batch, and every answer line is flushed. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_jsonl.h"
#include "cli_options.h"
#include "cli_progress.h"
#include "commands.h"
#include "error.h"
#include "fill_output.h"
#include "line_reader.h"

#define FILL_BATCH 8 /* the most inputs run together as one padded batch */

typedef struct fill_options {
    cli_model_options common;
    int top_k;
    const char *targets_csv; /* --targets "w1,w2" */
    int json, jsonl;
} fill_options;

/* Where the inputs come from: the TEXT arguments, else stdin lines. */
typedef struct fill_source {
    char **texts; /* argv's TEXTs, or NULL */
    int ntexts, next;
    line_reader lr;
} fill_source;

/* The batch being collected and the texts of its inputs (for the table's headings). */
typedef struct fill_pending {
    yoso_fill_batch *batch;
    char *texts[FILL_BATCH];
    int count, batches, inputs;
} fill_pending;

static void fill_usage(void) {
    printf(
        "usage: yoso fill-mask [-k N] [--targets w1,w2] [--json | --jsonl] [options] [TEXT...]\n\n"
        "Predicts the word behind each <mask> or [MASK] of each TEXT (none: one input per stdin\n"
        "line, answered as soon as it is read; the lines already waiting run as one batch), like\n"
        "Hugging Face's pipeline(\"fill-mask\"). The first bad input stops the run with exit code\n"
        "2 after the inputs before it were answered; its error names the argument or stdin line.\n"
        "An empty line is the empty text (an error: it has no mask).\n\n"
        "  -k, --top-k N          predictions per mask (default 5); with --targets at most their\n"
        "                         number, as in HF\n"
        "      --targets w1,w2    score only these words (a word that is not one token uses its\n"
        "                         first piece, with a warning)\n"
        "      --json             one JSON line per input, in Hugging Face's output schema\n"
        "      --jsonl            stdin lines are {\"text\", \"top_k\", \"targets\"} objects (or "
        "HF's\n"
        "                         {\"inputs\", \"parameters\": {\"top_k\", \"targets\"}}); one "
        "JSON\n"
        "                         answer line each; unknown or repeated keys are errors\n%s",
        cli_options_help(CLI_SHARED_ALL));
}

/* Splits "a,b,c" into a malloc'ed array of malloc'ed strings; returns the count. */
static int split_targets(const char *csv, char ***out) {
    int n = 0;
    char *copy = strdup(csv), *save = NULL;
    char **list = calloc(strlen(csv) + 1, sizeof *list);
    for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w && list;
         w = strtok_r(NULL, ",", &save))
        list[n++] = strdup(w);
    free(copy);
    *out = list;
    return n;
}

/* Frees what split_targets made. */
static void free_targets(char **list, int n) {
    for (int i = 0; i < n; i++) free(list[i]);
    free(list);
}

/* Reads one --jsonl line's request fields into req (targets malloc'ed into *owned). */
static yoso_status fill_parse_jsonl(const char *line, size_t len, long lineno,
                                    const fill_options *o, cJSON **root, yoso_fill_request *req,
                                    char ***owned, int *nowned) {
    static const char *const k_keys[] = {"text", "inputs", "top_k", "targets", NULL};
    static const char *const k_params[] = {"top_k", "targets", NULL};
    const char *text;
    yoso_status st = cli_jsonl_parse(line, len, lineno, k_keys, k_params, root, &text);
    if (st) return st;
    req->text = text;
    const cJSON *k = cli_jsonl_get(*root, "top_k"), *targets = cli_jsonl_get(*root, "targets");
    if (k && !cJSON_IsNull(k)) {
        double v = cJSON_IsNumber(k) ? k->valuedouble : 0.5; /* range first: (int)1e10 is UB */
        if (!cJSON_IsNumber(k) || !(v >= -2147483648.0 && v <= 2147483647.0) || v != (double)(int)v)
            return yoso_error(YOSO_ERR_INPUT, "stdin line %ld: \"top_k\" must be an integer",
                              lineno);
        req->top_k = k->valueint;
    }
    if (cJSON_IsString(targets)) {
        *owned = calloc(1, sizeof(char *));
        if (!*owned || !((*owned)[0] = strdup(targets->valuestring))) return yoso_error_oom();
        *nowned = 1;
    } else if (cJSON_IsArray(targets)) {
        if (cJSON_GetArraySize(targets) == 0)
            return yoso_error(
                YOSO_ERR_INPUT,
                "stdin line %ld: \"targets\" is an empty list: give at least one word or leave it out",
                lineno);
        if (!(*owned = calloc((size_t)cJSON_GetArraySize(targets), sizeof(char *))))
            return yoso_error_oom();
        const cJSON *t;
        cJSON_ArrayForEach(t, targets) {
            if (!cJSON_IsString(t))
                return yoso_error(YOSO_ERR_INPUT, "stdin line %ld: \"targets\" must be strings",
                                  lineno);
            if (!((*owned)[(*nowned)++] = strdup(t->valuestring))) return yoso_error_oom();
        }
    } else if (targets && !cJSON_IsNull(targets)) {
        return yoso_error(YOSO_ERR_INPUT, "stdin line %ld: \"targets\" must be a string or a list",
                          lineno);
    }
    if (*nowned) {
        req->targets = (const char *const *)*owned;
        req->num_targets = *nowned;
    }
    return YOSO_OK;
}

/* Runs the pending batch and prints each answer, flushing stdout; returns an exit code. */
static int fill_run_pending(const fill_options *o, fill_pending *p) {
    if (!p->count) return 0;
    yoso_fill_result res[FILL_BATCH];
    int n = p->count, rc = 0;
    cli_progress_start("running %d input%s", n, n > 1 ? "s" : "");
    yoso_status st = yoso_fill_batch_run(p->batch, res);
    cli_progress_stop();
    p->count = 0;
    p->batches++;
    p->inputs += n;
    if (st != YOSO_OK) rc = cli_fail(st);
    for (int i = 0; i < n; i++) {
        if (!rc && (o->json || o->jsonl))
            rc = fill_output_json(stdout, &res[i]) ? cli_fail(yoso_error_oom()) : 0;
        else if (!rc)
            fill_output_table(stdout, p->texts[i], &res[i]);
        if (!rc) rc = cli_flush_stdout();
        if (st == YOSO_OK) yoso_fill_result_release(&res[i]);
        free(p->texts[i]);
        p->texts[i] = NULL;
    }
    return rc;
}

/* 1 if the next input can be read without waiting. */
static int fill_source_ready(fill_source *s) {
    return s->texts ? 1 : line_reader_ready(&s->lr);
}

/* Takes the next input and adds it to the batch. Returns 1 when one was added, 0 at the end, or
 * an exit code + 2 after printing the error (the pending inputs answered first). */
static int fill_next(const fill_options *o, fill_source *s, fill_pending *p) {
    yoso_fill_request req = {.top_k = o->top_k};
    char **targets = NULL, **owned = NULL;
    int ntargets = 0, nowned = 0;
    cJSON *root = NULL;
    char where[64];
    size_t len = 0;
    yoso_status st = YOSO_OK;
    const char *line = NULL;
    if (s->texts) {
        if (s->next == s->ntexts) return 0;
        snprintf(where, sizeof where, "argument %d: ", s->next + 1);
        req.text = s->texts[s->next++];
    } else {
        do line = line_reader_next(&s->lr, &len);
        while (line && o->jsonl && len == 0); /* blank lines separate nothing in JSONL */
        if (!line && s->lr.error) {
            int rc = fill_run_pending(o, p);
            return 2 + (rc ? rc
                           : cli_fail(yoso_error(YOSO_ERR_IO, "cannot read stdin: %s",
                                                 strerror(s->lr.error))));
        }
        if (!line) return 0;
        snprintf(where, sizeof where, "stdin line %ld: ", s->lr.lineno);
        if (o->jsonl)
            st = fill_parse_jsonl(line, len, s->lr.lineno, o, &root, &req, &owned, &nowned);
        else if (memchr(line, '\0', len))
            st = yoso_error(YOSO_ERR_INPUT,
                            "stdin line %ld holds a NUL byte: remove it (text cannot carry it)",
                            s->lr.lineno);
        else
            req.text = line;
    }
    if (!st && o->targets_csv && !req.targets) {
        ntargets = split_targets(o->targets_csv, &targets);
        req.targets = (const char *const *)targets;
        req.num_targets = ntargets;
    }
    if (!st && (st = yoso_fill_batch_add(p->batch, &req)) != YOSO_OK)
        yoso_error_prefix(st, "%s", where);
    if (!st && !(p->texts[p->count++] = strdup(req.text))) st = yoso_error_oom();
    cJSON_Delete(root);
    free_targets(targets, ntargets);
    free_targets(owned, nowned);
    if (st == YOSO_OK) return 1;
    char message[2048];
    snprintf(message, sizeof message, "%s", yoso_last_error());
    int rc = fill_run_pending(o, p); /* answer the inputs before the bad one */
    if (!rc) rc = cli_fail(yoso_error(st, "%s", message));
    return 2 + rc;
}

/* Parses the command line into o; the TEXT arguments are argv[optind..]. Returns -1 to go on,
 * else an exit code. */
static int fill_parse_args(int argc, char **argv, fill_options *o) {
    enum { OPT_JSON = 256, OPT_JSONL, OPT_TARGETS };
    static const struct option k_own[] = {{"top-k", required_argument, NULL, 'k'},
                                          {"targets", required_argument, NULL, OPT_TARGETS},
                                          {"json", no_argument, NULL, OPT_JSON},
                                          {"jsonl", no_argument, NULL, OPT_JSONL},
                                          {NULL, 0, NULL, 0}};
    cli_parser p;
    o->top_k = 5;
    cli_parser_init(&p, "fill-mask", k_own, CLI_SHARED_ALL, &o->common);
    int c;
    long k;
    while ((c = cli_parser_next(&p, argc, argv)) >= 0) {
        switch (c) {
        case OPT_JSON: o->json = 1; break;
        case OPT_JSONL: o->jsonl = 1; break;
        case 'k':
            if (!cli_parse_int(optarg, 1, 1 << 30, &k))
                return cli_usage_error("fill-mask", "%s needs a positive integer, not '%s'", p.name,
                                       optarg);
            o->top_k = (int)k;
            break;
        case OPT_TARGETS:
            if (strspn(optarg, ",") == strlen(optarg))
                return cli_usage_error("fill-mask", "--targets needs a comma-separated word list");
            o->targets_csv = optarg;
            break;
        }
    }
    if (c == -2) return 2;
    if (p.help) return fill_usage(), 0;
    if (o->jsonl && optind < argc)
        return cli_usage_error("fill-mask", "--jsonl reads stdin: do not also give TEXT arguments");
    return -1;
}

int cmd_fill_mask(int argc, char **argv) {
    fill_options o = {0};
    int rc = fill_parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    yoso_tokenizer *tok = NULL;
    fill_pending p = {0};
    fill_source s = {.texts = optind < argc ? argv + optind : NULL, .ntexts = argc - optind};
    line_reader_init(&s.lr, STDIN_FILENO);
    if ((rc = cli_open_model(&o.common, &ctx, &model))) goto done;
    yoso_status st = yoso_tokenizer_load(cli_model_dir(&o.common), &tok);
    if (st == YOSO_OK) st = yoso_fill_batch_create(model, tok, &p.batch);
    if (st != YOSO_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (!s.texts && isatty(STDIN_FILENO))
        fprintf(
            stderr,
            "yoso: no TEXT given: reading one text per line from the terminal (end with Ctrl-D)\n");
    double t1 = yoso_now();
    for (;;) {
        if (p.count && (p.count == FILL_BATCH || !fill_source_ready(&s))) {
            if ((rc = fill_run_pending(&o, &p))) goto done;
            continue;
        }
        int got = fill_next(&o, &s, &p);
        if (got == 0) break;
        if (got >= 2) {
            rc = got - 2;
            goto done;
        }
    }
    rc = fill_run_pending(&o, &p);
    if (o.common.verbose && !rc)
        fprintf(stderr, "yoso: %d input%s in %d batch%s: tokenize + forward + top-k in %.2f s\n",
                p.inputs, p.inputs == 1 ? "" : "s", p.batches, p.batches == 1 ? "" : "es",
                yoso_now() - t1);
done:
    for (int i = 0; i < FILL_BATCH; i++) free(p.texts[i]);
    yoso_fill_batch_free(p.batch);
    line_reader_release(&s.lr);
    yoso_model_free(model);
    yoso_tokenizer_free(tok);
    yoso_context_free(ctx);
    return rc;
}

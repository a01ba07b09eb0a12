/* cmd_task.c — the pipeline commands' shared driver (cli_task.h): options to a request, inputs
 * streamed in batches through yoso_task_run_json, answers as JSON lines or tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_options.h"
#include "cli_progress.h"
#include "cli_task.h"
#include "json_text.h"
#include "line_reader.h"

#define TASK_BATCH 8 /* the most inputs run together as one call */

/* The parsed command line. */
typedef struct task_options {
    cli_model_options common;
    int json, jsonl;
    const char *tokenizer_dir; /* --tokenizer, else the model folder */
    cJSON *inputs;             /* the "inputs" keys the options gave (an object, maybe empty) */
    cJSON *params;             /* the "parameters" the options gave (an object, maybe empty) */
    const cli_task_option *collect; /* the option with a store given: answers to spec->collect */
} task_options;

/* The inputs waiting to run: their requests, TEXTs and where they came from. */
typedef struct task_pending {
    char *requests[TASK_BATCH];
    char *texts[TASK_BATCH]; /* NULL for --jsonl and option-only requests */
    char labels[TASK_BATCH][32];
    int count, batches, inputs;
} task_pending;

/* Prints the usage of the command. */
static void task_usage(const cli_task_spec *spec) {
    printf("usage: yoso %s %s [--json | --jsonl] [options] [TEXT...]\n\n%s\n",
           yoso_task_name(spec->task), spec->synopsis, spec->description);
    for (int i = 0; i < spec->num_options; i++) fputs(spec->options[i].help, stdout);
    printf("      --json             one JSON line per input: exactly what Hugging Face's "
           "pipeline\n"
           "                         returns for it\n"
           "      --jsonl            stdin lines are Hugging Face inference requests,\n"
           "                         {\"inputs\": ..., \"parameters\": {...}} (the options above "
           "fill\n"
           "                         the parameters a line leaves out); one JSON answer line "
           "each\n"
           "      --tokenizer DIR    tokenizer folder (default: the model folder)\n%s",
           cli_options_help(CLI_SHARED_ALL));
}

/* Converts one option's argument into JSON; NULL after printing a usage error. */
static cJSON *task_option_value(const cli_task_spec *spec, const cli_task_option *opt,
                                const char *name, const char *arg) {
    if (opt->kind == CLI_VALUE_FLAG) return cJSON_CreateTrue();
    if (opt->null_word && !strcmp(arg, opt->null_word)) return cJSON_CreateNull();
    if (opt->kind == CLI_VALUE_STRING) return cJSON_CreateString(arg);
    if (opt->kind == CLI_VALUE_LIST) {
        cJSON *list = cJSON_CreateArray();
        const char sep[2] = {opt->separator ? opt->separator : ',', '\0'};
        for (const char *w = arg; list && *arg; w += strcspn(w, sep) + 1) {
            char *word = strndup(w, strcspn(w, sep));
            cJSON *item = word ? cJSON_CreateString(word) : NULL;
            free(word);
            if (!item) return cJSON_Delete(list), NULL;
            cJSON_AddItemToArray(list, item);
            if (!w[strcspn(w, sep)]) break;
        }
        return list;
    }
    long k;
    char *end = NULL;
    double x = strtod(arg, &end);
    if (opt->kind == CLI_VALUE_INT && cli_parse_int(arg, -2147483647L, 2147483647L, &k))
        return cJSON_CreateNumber((double)k);
    if (opt->kind == CLI_VALUE_NUMBER && *arg && end && !*end && isfinite(x))
        return cJSON_CreateNumber(x);
    cli_usage_error(yoso_task_name(spec->task), "%s needs %s%s%s, not '%s'", name,
                    opt->kind == CLI_VALUE_INT ? "a whole number" : "a number",
                    opt->null_word ? " or " : "", opt->null_word ? opt->null_word : "", arg);
    return NULL;
}

/* Parses argv into o; the TEXT arguments are argv[optind..]. Returns -1 to go on, else an exit
 * code. */
static int task_parse_args(const cli_task_spec *spec, int argc, char **argv, task_options *o) {
    enum { OPT_JSON = 256, OPT_JSONL, OPT_TOKENIZER, OPT_FIRST };
    struct option own[CLI_TASK_MAX_OPTIONS + 4] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"jsonl", no_argument, NULL, OPT_JSONL},
        {"tokenizer", required_argument, NULL, OPT_TOKENIZER}};
    for (int i = 0; i < spec->num_options && i < CLI_TASK_MAX_OPTIONS; i++) {
        const cli_task_option *t = &spec->options[i];
        own[3 + i] =
            (struct option){t->name, t->kind == CLI_VALUE_FLAG ? no_argument : required_argument,
                            NULL, t->short_name ? t->short_name : OPT_FIRST + i};
    }
    o->inputs = cJSON_CreateObject();
    o->params = cJSON_CreateObject();
    if (!o->inputs || !o->params) return cli_fail(yoso_error_oom());
    cli_parser p;
    cli_parser_init(&p, yoso_task_name(spec->task), own, CLI_SHARED_ALL, &o->common);
    int c;
    while ((c = cli_parser_next(&p, argc, argv)) >= 0) {
        if (c == OPT_TOKENIZER) {
            o->tokenizer_dir = optarg;
            continue;
        }
        if (c == OPT_JSON || c == OPT_JSONL) {
            *(c == OPT_JSON ? &o->json : &o->jsonl) = 1;
            continue;
        }
        int i = 0;
        while (i < spec->num_options &&
               (spec->options[i].short_name ? spec->options[i].short_name : OPT_FIRST + i) != c)
            i++;
        if (i == spec->num_options) continue;
        const cli_task_option *t = &spec->options[i];
        if (t->store) {
            *t->store = optarg;
            o->collect = t;
            continue;
        }
        cJSON *v = task_option_value(spec, t, p.name, optarg);
        if (!v) return 2;
        cJSON_AddItemToObject(t->in_inputs ? o->inputs : o->params, t->key, v);
    }
    if (c == -2) return 2;
    if (p.help) return task_usage(spec), 0;
    if (o->collect && o->json)
        return cli_usage_error(yoso_task_name(spec->task),
                               "--%s writes the answers to %s: do not also give --json",
                               o->collect->name, *o->collect->store);
    if (o->jsonl && optind < argc)
        return cli_usage_error(yoso_task_name(spec->task),
                               "--jsonl reads stdin: do not also give TEXT arguments");
    if (o->jsonl && o->inputs->child)
        return cli_usage_error(yoso_task_name(spec->task),
                               "--jsonl requests carry their own inputs: do not also give --%s",
                               o->inputs->child->string);
    return -1;
}

/* Makes the request for one TEXT (NULL: the options' inputs alone); malloc'ed. */
static char *task_text_request(const cli_task_spec *spec, const task_options *o, const char *text) {
    cJSON *req = cJSON_CreateObject(), *inputs;
    if (text && !spec->text_key && !o->inputs->child) {
        inputs = cJSON_CreateString(text);
    } else {
        inputs = cJSON_Duplicate(o->inputs, 1);
        if (text) cJSON_AddStringToObject(inputs, spec->text_key ? spec->text_key : "text", text);
    }
    cJSON_AddItemToObject(req, "inputs", inputs);
    if (o->params->child) cJSON_AddItemToObject(req, "parameters", cJSON_Duplicate(o->params, 1));
    char *s = req ? cJSON_PrintUnformatted(req) : NULL;
    cJSON_Delete(req);
    return s;
}

/* Makes the request for one --jsonl line: the line itself, with the options' parameters added
 * where it has none of its own (a line that is no JSON object goes as it is, to be refused
 * with the library's message); malloc'ed. */
static char *task_jsonl_request(const task_options *o, const char *line, size_t len) {
    cJSON *req = o->params->child ? cJSON_ParseWithLength(line, len) : NULL;
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        return strndup(line, len);
    }
    cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "parameters");
    if (!params || cJSON_IsNull(params)) {
        cJSON_DeleteItemFromObjectCaseSensitive(req, "parameters");
        cJSON_AddItemToObject(req, "parameters", params = cJSON_CreateObject());
    }
    for (const cJSON *p = o->params->child; cJSON_IsObject(params) && p; p = p->next)
        if (!cJSON_GetObjectItemCaseSensitive(params, p->string))
            cJSON_AddItemToObject(params, p->string, cJSON_Duplicate(p, 1));
    char *s = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    return s;
}

/* Prints one answer; returns an exit code. */
static int task_print(const cli_task_spec *spec, const task_options *o, const char *text,
                      const char *request, const char *answer) {
    if (o->collect) return spec->collect(answer);
    if (o->json || o->jsonl || !spec->print_table) {
        fputs(answer, stdout);
        fputc('\n', stdout);
        return cli_flush_stdout();
    }
    cJSON *parsed = cJSON_Parse(answer), *req = cJSON_Parse(request);
    if (parsed && req)
        spec->print_table(stdout, text, cJSON_GetObjectItemCaseSensitive(req, "inputs"), parsed);
    cJSON_Delete(parsed);
    cJSON_Delete(req);
    return parsed && req ? cli_flush_stdout() : cli_fail(yoso_error_oom());
}

/* Runs the first n pending inputs as one batch and prints their answers; a bad input is
 * reported by its label after the inputs before it were answered. Returns an exit code. */
static int task_run_batch(const cli_task_spec *spec, const task_options *o, yoso_model *model,
                          const yoso_tokenizer *tok, task_pending *p, int n) {
    char *answers[TASK_BATCH] = {NULL};
    cli_progress_start("running %d input%s", n, n > 1 ? "s" : "");
    yoso_status st =
        yoso_task_run_json(model, tok, spec->task, (const char *const *)p->requests, n, answers);
    cli_progress_stop();
    int rc = 0;
    if (st != YOSO_OK) {
        const int bad = yoso_error_take_input(n);
        if (bad < 0) return cli_fail(st);
        char message[2048]; /* kept while the inputs before it run */
        snprintf(message, sizeof message, "%s", yoso_last_error());
        if (bad > 0 && (rc = task_run_batch(spec, o, model, tok, p, bad))) return rc;
        return cli_fail(yoso_error(st, "%s: %s", p->labels[bad], message));
    }
    p->batches++;
    p->inputs += n;
    for (int i = 0; i < n; i++) {
        if (!rc) rc = task_print(spec, o, p->texts[i], p->requests[i], answers[i]);
        free(answers[i]);
    }
    return rc;
}

/* Runs what is pending and empties it; returns an exit code. */
static int task_flush(const cli_task_spec *spec, const task_options *o, yoso_model *model,
                      const yoso_tokenizer *tok, task_pending *p) {
    int rc = p->count ? task_run_batch(spec, o, model, tok, p, p->count) : 0;
    for (int i = 0; i < p->count; i++) {
        free(p->requests[i]);
        free(p->texts[i]);
        p->requests[i] = p->texts[i] = NULL;
    }
    p->count = 0;
    return rc;
}

/* Adds one input to the pending batch; text may be NULL. Returns an exit code. */
static int task_add(task_pending *p, char *request, const char *text, const char *label) {
    int i = p->count;
    p->requests[i] = request;
    p->texts[i] = text ? strdup(text) : NULL;
    snprintf(p->labels[i], sizeof p->labels[i], "%s", label);
    p->count++;
    return request && (!text || p->texts[i]) ? 0 : cli_fail(yoso_error_oom());
}

/* Streams the TEXT arguments, the options' own request or stdin through the pipeline. */
static int task_stream(const cli_task_spec *spec, const task_options *o, yoso_model *model,
                       const yoso_tokenizer *tok, char **texts, int ntexts) {
    task_pending p = {0};
    char label[32];
    int rc = 0;
    const char *own_key = spec->text_key ? spec->text_key : "text";
    double t0 = yoso_now();
    if (ntexts > 0 || cJSON_GetObjectItemCaseSensitive(o->inputs, own_key)) {
        for (int i = 0; !rc && i < (ntexts ? ntexts : 1); i++) {
            if (p.count == TASK_BATCH) rc = task_flush(spec, o, model, tok, &p);
            snprintf(label, sizeof label, "argument %d", i + 1);
            if (!rc)
                rc = task_add(&p, task_text_request(spec, o, ntexts ? texts[i] : NULL),
                              ntexts ? texts[i] : NULL, ntexts ? label : "the options");
        }
        if (!rc) rc = task_flush(spec, o, model, tok, &p);
        goto done;
    }
    if (isatty(STDIN_FILENO))
        fprintf(
            stderr,
            "yoso: no TEXT given: reading one %s per line from the terminal (end with Ctrl-D)\n",
            o->jsonl ? "request" : "text");
    line_reader lr;
    line_reader_init(&lr, STDIN_FILENO);
    for (;;) {
        if (p.count && (p.count == TASK_BATCH || !line_reader_ready(&lr))) {
            if ((rc = task_flush(spec, o, model, tok, &p))) break;
            continue;
        }
        size_t len = 0;
        const char *line;
        do line = line_reader_next(&lr, &len);
        while (line && o->jsonl && len == 0); /* blank lines separate nothing in JSONL */
        if (!line) {
            rc = task_flush(spec, o, model, tok, &p);
            if (!rc && lr.error)
                rc = cli_fail(yoso_error(YOSO_ERR_IO, "cannot read stdin: %s", strerror(lr.error)));
            break;
        }
        snprintf(label, sizeof label, "stdin line %ld", lr.lineno);
        if (memchr(line, '\0', len) || (o->jsonl && yoso_json_escapes_nul(line, len))) {
            if (!(rc = task_flush(spec, o, model, tok, &p)))
                rc = cli_fail(
                    yoso_error(YOSO_ERR_INPUT, "%s holds a NUL byte (U+0000): remove it", label));
            break;
        }
        if ((rc = task_add(
                 &p, o->jsonl ? task_jsonl_request(o, line, len) : task_text_request(spec, o, line),
                 o->jsonl ? NULL : line, label)))
            break;
    }
    line_reader_release(&lr);
done:
    for (int i = 0; i < p.count; i++) {
        free(p.requests[i]);
        free(p.texts[i]);
    }
    if (o->common.verbose && !rc)
        fprintf(stderr, "yoso: %d input%s in %d batch%s: tokenize + forward + %s in %.2f s\n",
                p.inputs, p.inputs == 1 ? "" : "s", p.batches, p.batches == 1 ? "" : "es",
                yoso_task_name(spec->task), yoso_now() - t0);
    return rc;
}

int cli_task_run(const cli_task_spec *spec, int argc, char **argv) {
    task_options o = {0};
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    yoso_tokenizer *tok = NULL;
    int rc = task_parse_args(spec, argc, argv, &o);
    if (rc >= 0) goto done;
    rc = 0;
    if ((rc = cli_open_model(&o.common, &ctx, &model))) goto done;
    yoso_status st = yoso_task_check_model(model, spec->task);
    if (st == YOSO_OK)
        st =
            yoso_tokenizer_load(o.tokenizer_dir ? o.tokenizer_dir : cli_model_dir(&o.common), &tok);
    if (st != YOSO_OK) {
        rc = cli_fail(st);
        goto done;
    }
    rc = task_stream(spec, &o, model, tok, argv + optind, argc - optind);
done:
    cJSON_Delete(o.inputs);
    cJSON_Delete(o.params);
    yoso_tokenizer_free(tok);
    yoso_model_free(model);
    yoso_context_free(ctx);
    return rc;
}

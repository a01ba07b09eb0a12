/* task_token_classification.c — `yoso token-classification` (alias `ner`): the entities of each
 * text as HF's token-classification pipeline returns them; --json lines or a table. */
#include <stdio.h>
#include <string.h>

#include "cli_task.h"
#include "commands.h"
#include "fill_output.h"

static const cli_task_option k_options[] = {
    {.name = "aggregation-strategy",
     .short_name = 'a',
     .kind = CLI_VALUE_STRING,
     .key = "aggregation_strategy",
     .help = "  -a, --aggregation-strategy none|simple|first|average|max\n"
             "                         none (default): one entity per token; simple: adjacent\n"
             "                         tokens of one tag grouped (B- starts a new group);\n"
             "                         first/average/max: words first, labelled by their first\n"
             "                         token / mean scores / most confident token\n"},
    {.name = "ignore-labels",
     .kind = CLI_VALUE_LIST,
     .key = "ignore_labels",
     .help = "      --ignore-labels L1,L2  drop entities of these labels (aggregated: entity\n"
             "                         groups such as PER); default O; '' keeps every token\n"},
};

/* The byte offset of character `chars` of UTF-8 text (its length when past the end). */
static size_t text_byte_at(const char *text, size_t chars) {
    size_t at = 0;
    for (size_t c = 0; text[at]; at++)
        if ((text[at] & 0xC0) != 0x80 && c++ == chars) break;
    return at;
}

/* Prints the text's characters [start, end) as a cell. */
static void print_span(FILE *out, const char *text, size_t start, size_t end) {
    size_t a = text_byte_at(text, start), b = text_byte_at(text, end);
    char cell[512];
    snprintf(cell, sizeof cell, "%.*s", (int)(b > a ? b - a : 0), text + a);
    cli_table_cell(out, cell);
}

/* The table: the text, then one row per entity (token rows also show the text they cover). */
static void print_entities(FILE *out, const char *text, const cJSON *inputs, const cJSON *answer) {
    (void)inputs;
    if (text) {
        cli_table_cell(out, text);
        fputc('\n', out);
    }
    const cJSON *e = cJSON_GetArrayItem(answer, 0);
    if (!e) {
        fprintf(out, "  (no entities)\n");
        return;
    }
    const int tokens = cJSON_GetObjectItemCaseSensitive(e, "index") != NULL;
    const char *key = tokens ? "entity" : "entity_group";
    int wide_entity = 6, wide_word = 4;
    cJSON_ArrayForEach(e, answer) {
        int we = cli_table_cell(NULL, cJSON_GetObjectItemCaseSensitive(e, key)->valuestring);
        int ww = cli_table_cell(NULL, cJSON_GetObjectItemCaseSensitive(e, "word")->valuestring);
        wide_entity = we > wide_entity ? we : wide_entity;
        wide_word = ww > wide_word ? ww : wide_word;
    }
    fputs(tokens ? "  index " : "  ", out);
    cli_table_padded(out, "entity", wide_entity);
    fprintf(out, " %-9s %-11s ", "score", "chars");
    if (tokens && text) {
        cli_table_padded(out, "token", wide_word);
        fputs(" text\n", out);
    } else {
        fputs(tokens ? "token\n" : "word\n", out);
    }
    cJSON_ArrayForEach(e, answer) {
        char score[32], span[32];
        size_t start = (size_t)cJSON_GetObjectItemCaseSensitive(e, "start")->valuedouble;
        size_t end = (size_t)cJSON_GetObjectItemCaseSensitive(e, "end")->valuedouble;
        cli_table_score(score, sizeof score,
                        cJSON_GetObjectItemCaseSensitive(e, "score")->valuedouble);
        snprintf(span, sizeof span, "%zu-%zu", start, end);
        if (tokens)
            fprintf(out, "  %-5d ", cJSON_GetObjectItemCaseSensitive(e, "index")->valueint);
        else
            fputs("  ", out);
        cli_table_padded(out, cJSON_GetObjectItemCaseSensitive(e, key)->valuestring, wide_entity);
        fprintf(out, " %-9s %-11s ", score, span);
        const char *word = cJSON_GetObjectItemCaseSensitive(e, "word")->valuestring;
        if (tokens && text) {
            cli_table_padded(out, word, wide_word);
            fputc(' ', out);
            print_span(out, text, start, end);
        } else {
            cli_table_cell(out, word);
        }
        fputc('\n', out);
    }
}

int cmd_token_classification(int argc, char **argv) {
    static const cli_task_spec spec = {
        .task = YOSO_TASK_TOKEN_CLASSIFICATION,
        .synopsis = "[-a STRATEGY] [--ignore-labels L1,L2]",
        .description = "The entities of each TEXT (a YosoForTokenClassification checkpoint), "
                       "exactly as Hugging Face's\ntoken-classification pipeline returns them: "
                       "label, score, token index, word and\ncharacter span. Alias: ner.\n",
        CLI_TASK_OPTIONS(k_options),
        .print_table = print_entities,
    };
    return cli_task_run(&spec, argc, argv);
}

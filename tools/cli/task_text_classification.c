/* task_text_classification.c — `yoso text-classification` (alias `classify`) and
 * `yoso multiple-choice` (alias `choice`): HF's text-classification pipeline (labels and scores,
 * best first) and YosoForMultipleChoice's scores per choice, as --json lines or a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_task.h"
#include "commands.h"

#define CHOICE_SEPARATOR '|'

static const cli_task_option k_classify_options[] = {
    {.name = "top-k",
     .short_name = 'k',
     .kind = CLI_VALUE_INT,
     .key = "top_k",
     .null_word = "all",
     .help = "  -k, --top-k N|all      the N best labels, or all of them, as a list (default: the\n"
             "                         best label alone, in HF's legacy form)\n"},
    {.name = "function-to-apply",
     .kind = CLI_VALUE_STRING,
     .key = "function_to_apply",
     .help = "      --function-to-apply softmax|sigmoid|none\n"
             "                         logits to scores (default: none for regression, sigmoid\n"
             "                         for multi-label or one label, softmax otherwise)\n"},
    CLI_TASK_TEXT_PAIR_OPTION,
};

/* Prints one {label, score} row. */
static void print_label(FILE *out, const cJSON *item) {
    fprintf(out, "  %-24s %10.6f\n", cJSON_GetObjectItem(item, "label")->valuestring,
            cJSON_GetObjectItem(item, "score")->valuedouble);
}

/* The table: the text, then a row per label, best first. */
static void print_labels(FILE *out, const char *text, const cJSON *inputs, const cJSON *answer) {
    (void)inputs;
    if (text) fprintf(out, "%s\n", text);
    const cJSON *item;
    if (cJSON_IsObject(answer)) {
        print_label(out, answer);
        return;
    }
    cJSON_ArrayForEach(item, answer) print_label(out, item);
}

int cmd_text_classification(int argc, char **argv) {
    const cli_task_spec spec = {
        .task = YOSO_TASK_TEXT_CLASSIFICATION,
        .synopsis = "[-k N|all] [--function-to-apply F] [--text-pair T]",
        .description = "The labels of a YosoForSequenceClassification checkpoint for each TEXT "
                       "(or text pair), with\nscores exactly as Hugging Face's "
                       "text-classification pipeline gives them. Alias: classify.\n",
        CLI_TASK_OPTIONS(k_classify_options),
        .print_table = print_labels,
    };
    return cli_task_run(&spec, argc, argv);
}

/* ------------------------------------------------------ multiple-choice ---- */

static const cli_task_option k_choice_options[] = {
    {.name = "choices",
     .short_name = 'c',
     .kind = CLI_VALUE_LIST,
     .key = "choices",
     .in_inputs = 1,
     .separator = CHOICE_SEPARATOR,
     .help = "  -c, --choices 'A|B|…'  the choices for every prompt, separated by '|'\n"},
    {.name = "prompt",
     .short_name = 'p',
     .kind = CLI_VALUE_STRING,
     .key = "prompt",
     .in_inputs = 1,
     .help = "  -p, --prompt P         the prompt, instead of TEXT arguments or stdin lines\n"},
};

/* The table: the prompt, then a row per choice (its score and logit), the best marked. */
static void print_choices(FILE *out, const char *text, const cJSON *inputs, const cJSON *answer) {
    if (text) fprintf(out, "%s\n", text);
    const cJSON *logits = cJSON_GetObjectItem(answer, "logits");
    const cJSON *scores = cJSON_GetObjectItem(answer, "scores");
    int n = cJSON_GetArraySize(scores), best = 0;
    for (int c = 1; c < n; c++)
        if (cJSON_GetArrayItem(scores, c)->valuedouble >
            cJSON_GetArrayItem(scores, best)->valuedouble)
            best = c;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(inputs, "choices");
    for (int c = 0; c < n; c++) {
        const cJSON *choice = cJSON_GetArrayItem(choices, c);
        fprintf(out, "%c %10.6f  (logit %9.5f)  %s\n", c == best ? '*' : ' ',
                cJSON_GetArrayItem(scores, c)->valuedouble,
                cJSON_GetArrayItem(logits, c)->valuedouble,
                cJSON_IsString(choice) ? choice->valuestring : "");
    }
}

int cmd_multiple_choice(int argc, char **argv) {
    const cli_task_spec spec = {
        .task = YOSO_TASK_MULTIPLE_CHOICE,
        .synopsis = "-c 'A|B|…' [-p PROMPT]",
        .description = "Scores the choices of a YosoForMultipleChoice checkpoint for each prompt "
                       "(TEXT, stdin line or\n--prompt): each (prompt, choice) pair a row <s> "
                       "prompt </s></s> choice </s>, the\nlogits and their softmax. Alias: "
                       "choice.\n",
        .text_key = "prompt",
        CLI_TASK_OPTIONS(k_choice_options),
        .print_table = print_choices,
    };
    return cli_task_run(&spec, argc, argv);
}

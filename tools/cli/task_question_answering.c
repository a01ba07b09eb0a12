/* task_question_answering.c — `yoso question-answering` (alias `qa`): a question and contexts
 * through the pipeline driver (cli_task.h); each answer as HF's JSON or a table. */
#include <stdio.h>
#include <string.h>

#include "cli_task.h"
#include "commands.h"

/* Prints one answer object as a table row: rank, score, character span and the text. */
static void qa_print_answer(FILE *out, int rank, const cJSON *a) {
    const cJSON *answer = cJSON_GetObjectItemCaseSensitive(a, "answer");
    fprintf(out, "  %2d  %8.5f  %6.0f-%-6.0f  %s\n", rank,
            cJSON_GetObjectItemCaseSensitive(a, "score")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(a, "start")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(a, "end")->valuedouble,
            cJSON_IsString(answer) && answer->valuestring[0] ? answer->valuestring : "(no answer)");
}

/* The table for one response: a single answer object or a list of them. */
static void qa_print_table(FILE *out, const char *text, const cJSON *inputs,
                           const cJSON *response) {
    (void)inputs;
    if (text) fprintf(out, "context: %.70s%s\n", text, strlen(text) > 70 ? "…" : "");
    fprintf(out, "  #      score  chars          answer\n");
    if (cJSON_IsObject(response)) {
        qa_print_answer(out, 1, response);
        return;
    }
    int rank = 1;
    const cJSON *a;
    cJSON_ArrayForEach(a, response) qa_print_answer(out, rank++, a);
    if (rank == 1) fprintf(out, "  (no answer)\n");
}

static const cli_task_option k_qa_options[] = {
    {"question", 'q', CLI_VALUE_STRING, "question", 1, NULL, 0,
     "  -q, --question Q         the question (required unless --jsonl)\n", NULL},
    {"context", 'c', CLI_VALUE_STRING, "context", 1, NULL, 0,
     "  -c, --context C          the text to answer from (or give contexts as TEXT arguments\n"
     "                           or stdin lines)\n",
     NULL},
    {"top-k", 'k', CLI_VALUE_INT, "top_k", 0, NULL, 0,
     "  -k, --top-k N            answers per question (default 1)\n", NULL},
    {"max-answer-len", 0, CLI_VALUE_INT, "max_answer_len", 0, NULL, 0,
     "      --max-answer-len N   the longest answer in tokens (default 15)\n", NULL},
    {"max-seq-len", 0, CLI_VALUE_INT, "max_seq_len", 0, NULL, 0,
     "      --max-seq-len N      tokens per window, question included (default 384, at most\n"
     "                           the model's maximum)\n",
     NULL},
    {"doc-stride", 0, CLI_VALUE_INT, "doc_stride", 0, NULL, 0,
     "      --doc-stride N       tokens two windows of a long context share (default\n"
     "                           min(128, max-seq-len / 2))\n",
     NULL},
    {"max-question-len", 0, CLI_VALUE_INT, "max_question_len", 0, NULL, 0,
     "      --max-question-len N accepted as HF does (default 64; the question is not cut)\n",
     NULL},
    {"handle-impossible-answer", 0, CLI_VALUE_FLAG, "handle_impossible_answer", 0, NULL, 0,
     "      --handle-impossible-answer\n"
     "                           the empty answer (start 0, end 0) competes too\n",
     NULL},
};

static const cli_task_spec k_qa_spec = {
    .task = YOSO_TASK_QUESTION_ANSWERING,
    .synopsis = "--question Q [--context C] [-k N] [--max-answer-len N] [--max-seq-len N] "
                "[--doc-stride N] [--handle-impossible-answer]",
    .description =
        "Answers the question from each context (a YosoForQuestionAnswering checkpoint):\n"
        "spans of the context with their scores, as Hugging Face's question-answering\n"
        "pipeline (v4) gives them; contexts longer than --max-seq-len are split into\n"
        "windows overlapping by --doc-stride tokens.\n",
    .text_key = "context",
    CLI_TASK_OPTIONS(k_qa_options),
    .print_table = qa_print_table,
};

int cmd_question_answering(int argc, char **argv) {
    return cli_task_run(&k_qa_spec, argc, argv);
}

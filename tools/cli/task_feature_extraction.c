/* task_feature_extraction.c — `yoso feature-extraction` (alias `embed`): the encoder's hidden
 * states per token as HF's pipeline returns them, or pooled sentence vectors; --json lines, a
 * short table on a terminal, or every answer into one .npy array (--npy FILE). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_task.h"
#include "commands.h"

#define SHOW_ROWS 4   /* token rows a table shows */
#define SHOW_VALUES 6 /* values a table row shows */

static const char *g_npy; /* --npy FILE, or NULL */

static const cli_task_option k_options[] = {
    {.name = "pooling",
     .kind = CLI_VALUE_STRING,
     .key = "pooling",
     .help = "      --pooling none|cls|mean  none (default): every token's state, HF's\n"
             "                         [1][tokens][hidden]; cls: the <s> state; mean: the mean\n"
             "                         over the tokens, <s> and </s> included (as\n"
             "                         sentence-transformers)\n"},
    {.name = "normalize",
     .kind = CLI_VALUE_FLAG,
     .key = "normalize",
     .help = "      --normalize        divide each vector by its L2 norm\n"},
    {.name = "truncation",
     .kind = CLI_VALUE_FLAG,
     .key = "truncation",
     .help = "      --truncation       cut inputs longer than the model takes (HF's "
             "truncation=True)\n"},
    CLI_TASK_TEXT_PAIR_OPTION,
    {.name = "npy",
     .kind = CLI_VALUE_STRING,
     .help = "      --npy FILE         write all answers as one float32 array to FILE instead:\n"
             "                         [tokens, hidden] or [hidden] for one input, [N, hidden]\n"
             "                         pooled, [N, tokens, hidden] unpooled of one length\n",
     .store = &g_npy},
};

/* Prints up to SHOW_VALUES numbers of a JSON list, and how many there are. */
static void print_values(FILE *out, const cJSON *list) {
    int n = cJSON_GetArraySize(list), i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, list) {
        if (i++ == SHOW_VALUES) break;
        fprintf(out, " %9.5f", v->valuedouble);
    }
    fprintf(out, "%s\n", n > SHOW_VALUES ? "  …" : "");
}

/* The table: the shape, then the first values of the first tokens (or of the vector). */
static void print_features(FILE *out, const char *text, const cJSON *inputs, const cJSON *answer) {
    (void)inputs;
    if (text) fprintf(out, "%s\n", text);
    const cJSON *rows = cJSON_GetArrayItem(answer, 0);
    if (cJSON_IsNumber(rows)) { /* pooled: one flat vector */
        double sq = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, answer) sq += v->valuedouble * v->valuedouble;
        fprintf(out, "  vector [%d], L2 norm %.5f:\n   ", cJSON_GetArraySize(answer), sqrt(sq));
        print_values(out, answer);
        return;
    }
    int tokens = cJSON_GetArraySize(rows), t = 0;
    fprintf(out, "  hidden states [1, %d, %d] (one row per token):\n", tokens,
            cJSON_GetArraySize(cJSON_GetArrayItem(rows, 0)));
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        if (t == SHOW_ROWS) break;
        fprintf(out, "  %5d", t++);
        print_values(out, row);
    }
    if (tokens > SHOW_ROWS) fprintf(out, "  … %d more tokens\n", tokens - SHOW_ROWS);
}

/* The answers --npy collects, as results. */
static yoso_feature_result *g_results;
static int g_count, g_cap;

/* Turns one answer back into a result (the JSON numbers print floats exactly). */
static int collect_answer(const char *answer) {
    cJSON *root = cJSON_Parse(answer);
    if (g_count == g_cap) {
        int cap = g_cap ? 2 * g_cap : 16;
        yoso_feature_result *grown = realloc(g_results, (size_t)cap * sizeof *grown);
        if (!grown) return cJSON_Delete(root), cli_fail(yoso_error_oom());
        g_results = grown;
        g_cap = cap;
    }
    const cJSON *rows = cJSON_GetArrayItem(root, 0);
    int pooled = cJSON_IsNumber(rows);
    yoso_feature_result r = {.pooling = pooled ? YOSO_POOLING_MEAN : YOSO_POOLING_NONE};
    r.rows = pooled ? 1 : cJSON_GetArraySize(rows);
    r.tokens = r.rows;
    r.dim = cJSON_GetArraySize(pooled ? root : cJSON_GetArrayItem(rows, 0));
    r.values = root && r.rows && r.dim ? malloc((size_t)r.rows * r.dim * sizeof(float)) : NULL;
    if (!r.values) return cJSON_Delete(root), cli_fail(yoso_error_oom());
    for (int t = 0; t < r.rows; t++) {
        const cJSON *row = pooled ? root : cJSON_GetArrayItem(rows, t), *v;
        int c = 0;
        cJSON_ArrayForEach(v, row) if (c < r.dim) r.values[(size_t)t * r.dim + c++] =
            (float)v->valuedouble;
    }
    g_results[g_count++] = r;
    cJSON_Delete(root);
    return 0;
}

int cmd_feature_extraction(int argc, char **argv) {
    cli_task_spec spec = {
        .task = YOSO_TASK_FEATURE_EXTRACTION,
        .synopsis = "[--pooling none|cls|mean] [--normalize] [--text-pair T] [--npy FILE]",
        .description = "The encoder's last hidden states for each TEXT (any YOSO checkpoint: the "
                       "base model, or the\nbody of a head model), exactly as Hugging Face's "
                       "feature-extraction pipeline\nreturns them, or pooled into one sentence "
                       "vector. Alias: embed.\n",
        CLI_TASK_OPTIONS(k_options),
        .print_table = print_features,
        .collect = collect_answer,
    };
    g_npy = NULL;
    int rc = cli_task_run(&spec, argc, argv);
    if (!rc && g_npy) {
        yoso_status st = yoso_feature_results_npy(g_npy, g_results, g_count);
        if (st != YOSO_OK)
            rc = cli_fail(st);
        else
            fprintf(stderr, "yoso: wrote %d answer%s to %s\n", g_count, g_count == 1 ? "" : "s",
                    g_npy);
    }
    for (int i = 0; i < g_count; i++) yoso_feature_result_release(&g_results[i]);
    free(g_results);
    g_results = NULL;
    g_count = g_cap = 0;
    return rc;
}

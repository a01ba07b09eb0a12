/* example_token_classification.c — named entities through the public C API alone (include/yoso.h):
 * a YosoForTokenClassification checkpoint, words grouped as HF's aggregation_strategy="simple".
 *
 *   example_token_classification MODEL_DIR "My name is Wolfgang and I live in Berlin."
 */
#include <stdio.h>
#include <stdlib.h>

#include "yoso.h"

/* Prints the failing call's message and returns its exit code. */
static int report(yoso_status status) {
    fprintf(stderr, "example_token_classification: %s\n", yoso_last_error());
    return yoso_status_exit_code(status);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: example_token_classification MODEL_DIR TEXT\n");
        return 2;
    }
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    yoso_tokenizer *tok = NULL;
    yoso_ner_result result = {0};
    yoso_context_options copt = {0}; /* default device, default kernel cache */
    yoso_model_options mopt = {0};   /* attention mode from config.json */
    /* ignore_labels NULL: HF's default, the "O" (outside) groups are dropped */
    yoso_ner_request request = {.text = argv[2], .aggregation = YOSO_AGGREGATION_SIMPLE};
    yoso_status st = yoso_context_create(&copt, &ctx);
    if (st == YOSO_OK) st = yoso_model_load(ctx, argv[1], &mopt, &model);
    if (st == YOSO_OK) st = yoso_tokenizer_load(argv[1], &tok);
    if (st == YOSO_OK) st = yoso_token_classification(model, tok, &request, 1, &result);
    int rc = st == YOSO_OK ? 0 : report(st);
    for (int i = 0; st == YOSO_OK && i < result.count; i++) {
        const yoso_ner_entity *e = &result.entities[i];
        printf("%-6s %.4f  %3zu-%-3zu %s\n", e->entity, e->score, e->start, e->end, e->word);
    }
    char *json = NULL; /* the same, exactly as HF's pipeline prints it */
    if (st == YOSO_OK && (st = yoso_ner_result_json(&result, &json)) == YOSO_OK)
        printf("%s\n", json);
    else if (rc == 0)
        rc = report(st);
    free(json);
    yoso_ner_result_release(&result);
    yoso_tokenizer_free(tok);
    yoso_model_free(model);
    yoso_context_free(ctx);
    return rc;
}

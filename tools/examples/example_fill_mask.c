/* example_fill_mask.c — fill-mask through the public C API alone (include/yoso.h).
 *
 *   example_fill_mask MODEL_DIR "Paris is the [MASK] of France."
 */
#include <stdio.h>
#include <stdlib.h>

#include "yoso.h"

/* Prints the failing call's message and returns its exit code. */
static int report(yoso_status status) {
    fprintf(stderr, "example_fill_mask: %s\n", yoso_last_error());
    return yoso_status_exit_code(status);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: example_fill_mask MODEL_DIR TEXT\n");
        return 2;
    }
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    yoso_tokenizer *tok = NULL;
    yoso_fill_result result = {0};
    yoso_context_options copt = {0}; /* default device, default kernel cache */
    yoso_model_options mopt = {0};   /* attention mode from config.json */
    yoso_fill_request request = {.text = argv[2], .top_k = 5};
    yoso_status st = yoso_context_create(&copt, &ctx);
    if (st == YOSO_OK) st = yoso_model_load(ctx, argv[1], &mopt, &model);
    if (st == YOSO_OK) st = yoso_tokenizer_load(argv[1], &tok);
    if (st == YOSO_OK) st = yoso_fill_mask(model, tok, &request, 1, &result);
    int rc = st == YOSO_OK ? 0 : report(st);
    for (int m = 0; st == YOSO_OK && m < result.num_masks; m++)
        for (int i = 0; i < result.top_k; i++) {
            const yoso_prediction *p = &result.predictions[m * result.top_k + i];
            printf("mask %d  %.4f  %-12s  %s\n", m + 1, p->score, p->token_str, p->sequence);
        }
    yoso_fill_result_release(&result);
    yoso_tokenizer_free(tok);
    yoso_model_free(model);
    yoso_context_free(ctx);
    return rc;
}

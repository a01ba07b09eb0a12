/* example_question_answering.c — extractive question answering through the public C API alone
 * (include/yoso.h), with a YosoForQuestionAnswering checkpoint.
 *
 *   example_question_answering MODEL_DIR "Who designed the tower?" "The Eiffel Tower ..."
 */
#include <stdio.h>
#include <stdlib.h>

#include "yoso.h"

/* Prints the failing call's message and returns its exit code. */
static int report(yoso_status status) {
    fprintf(stderr, "example_question_answering: %s\n", yoso_last_error());
    return yoso_status_exit_code(status);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: example_question_answering MODEL_DIR QUESTION CONTEXT\n");
        return 2;
    }
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    yoso_tokenizer *tok = NULL;
    yoso_qa_result result = {0};
    yoso_context_options copt = {0}; /* default device, default kernel cache */
    yoso_model_options mopt = {0};   /* attention mode from config.json */
    /* zero fields are HF's defaults: max_answer_len 15, max_seq_len 384, doc_stride 128 */
    yoso_qa_request request = {.question = argv[2], .context = argv[3], .top_k = 3};
    yoso_status st = yoso_context_create(&copt, &ctx);
    if (st == YOSO_OK) st = yoso_model_load(ctx, argv[1], &mopt, &model);
    if (st == YOSO_OK) st = yoso_tokenizer_load(argv[1], &tok);
    if (st == YOSO_OK) st = yoso_question_answering(model, tok, &request, 1, &result);
    int rc = st == YOSO_OK ? 0 : report(st);
    for (int i = 0; st == YOSO_OK && i < result.count; i++) {
        const yoso_qa_answer *a = &result.answers[i];
        printf("%d  %.4f  [%zu, %zu)  %s\n", i + 1, a->score, a->start, a->end, a->answer);
    }
    char *json = NULL; /* the same as HF's pipeline JSON */
    if (st == YOSO_OK && yoso_qa_result_json(&result, &json) == YOSO_OK) printf("%s\n", json);
    free(json);
    yoso_qa_result_release(&result);
    yoso_tokenizer_free(tok);
    yoso_model_free(model);
    yoso_context_free(ctx);
    return rc;
}

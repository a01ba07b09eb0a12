/* example_question_answering.c — extractive question answering through the public C API alone
 * (include/yoso.h), with a YosoForQuestionAnswering checkpoint.
 *
 *   example_question_answering MODEL_DIR "Who designed the tower?" "The Eiffel Tower ..."
 */
#include <stdio.h>
#include <stdlib.h>

#include "example_session.h"
#include "yoso.h"

int main(int argc, char **argv) {
    if (!example_usage(argc, 4, "example_question_answering MODEL_DIR QUESTION CONTEXT")) return 2;
    example_session es = {0};
    yoso_qa_result result = {0};
    /* zero fields are HF's defaults: max_answer_len 15, max_seq_len 384, doc_stride 128 */
    yoso_qa_request request = {.question = argv[2], .context = argv[3], .top_k = 3};
    yoso_status st = example_open(argv[1], NULL, &es);
    if (st == YOSO_OK) st = yoso_question_answering(es.model, es.tok, &request, 1, &result);
    int rc = st == YOSO_OK ? 0 : example_report("example_question_answering", st);
    for (int i = 0; st == YOSO_OK && i < result.count; i++) {
        const yoso_qa_answer *a = &result.answers[i];
        printf("%d  %.4f  [%zu, %zu)  %s\n", i + 1, a->score, a->start, a->end, a->answer);
    }
    char *json = NULL; /* the same as HF's pipeline JSON */
    if (st == YOSO_OK && yoso_qa_result_json(&result, &json) == YOSO_OK) printf("%s\n", json);
    free(json);
    yoso_qa_result_release(&result);
    example_close(&es);
    return rc;
}

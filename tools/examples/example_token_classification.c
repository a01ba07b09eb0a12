/* example_token_classification.c — named entities through the public C API alone (include/yoso.h):
 * a YosoForTokenClassification checkpoint, words grouped as HF's aggregation_strategy="simple".
 *
 *   example_token_classification MODEL_DIR "My name is Wolfgang and I live in Berlin."
 */
#include <stdio.h>
#include <stdlib.h>

#include "example_session.h"
#include "yoso.h"

int main(int argc, char **argv) {
    if (!example_usage(argc, 3, "example_token_classification MODEL_DIR TEXT")) return 2;
    example_session es = {0};
    yoso_ner_result result = {0};
    /* ignore_labels NULL: HF's default, the "O" (outside) groups are dropped */
    yoso_ner_request request = {.text = argv[2], .aggregation = YOSO_AGGREGATION_SIMPLE};
    yoso_status st = example_open(argv[1], NULL, &es);
    if (st == YOSO_OK) st = yoso_token_classification(es.model, es.tok, &request, 1, &result);
    int rc = st == YOSO_OK ? 0 : example_report("example_token_classification", st);
    for (int i = 0; st == YOSO_OK && i < result.count; i++) {
        const yoso_ner_entity *e = &result.entities[i];
        printf("%-6s %.4f  %3zu-%-3zu %s\n", e->entity, e->score, e->start, e->end, e->word);
    }
    char *json = NULL; /* the same, exactly as HF's pipeline prints it */
    if (st == YOSO_OK && (st = yoso_ner_result_json(&result, &json)) == YOSO_OK)
        printf("%s\n", json);
    else if (rc == 0)
        rc = example_report("example_token_classification", st);
    free(json);
    yoso_ner_result_release(&result);
    example_close(&es);
    return rc;
}

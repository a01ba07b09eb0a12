/* example_fill_mask.c — fill-mask through the public C API alone (include/yoso.h).
 *
 *   example_fill_mask MODEL_DIR "Paris is the [MASK] of France."
 */
#include <stdio.h>
#include <stdlib.h>

#include "example_session.h"
#include "yoso.h"

int main(int argc, char **argv) {
    if (!example_usage(argc, 3, "example_fill_mask MODEL_DIR TEXT")) return 2;
    example_session es = {0};
    yoso_fill_result result = {0};
    yoso_fill_request request = {.text = argv[2], .top_k = 5};
    yoso_status st = example_open(argv[1], NULL, &es);
    if (st == YOSO_OK) st = yoso_fill_mask(es.model, es.tok, &request, 1, &result);
    int rc = st == YOSO_OK ? 0 : example_report("example_fill_mask", st);
    for (int m = 0; st == YOSO_OK && m < result.num_masks; m++)
        for (int i = 0; i < result.top_k; i++) {
            const yoso_prediction *p = &result.predictions[m * result.top_k + i];
            printf("mask %d  %.4f  %-12s  %s\n", m + 1, p->score, p->token_str, p->sequence);
        }
    yoso_fill_result_release(&result);
    example_close(&es);
    return rc;
}

/* example_feature_extraction.c — sentence embeddings through the public C API alone
 * (include/yoso.h): mean-pooled, L2-normalized vectors of each text and their cosine
 * similarities.
 *
 *   example_feature_extraction [-t TOKENIZER_DIR] MODEL_DIR "first text" "second text" ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example_session.h"
#include "yoso.h"

/* The dot product of two unit vectors: their cosine similarity. */
static double cosine(const float *a, const float *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

int main(int argc, char **argv) {
    const char *tok_dir = NULL;
    int first = 1;
    if (argc > 2 && !strcmp(argv[1], "-t")) tok_dir = argv[2], first = 3;
    if (argc - first < 2) {
        fprintf(stderr, "usage: example_feature_extraction [-t TOKENIZER_DIR] MODEL_DIR TEXT...\n");
        return 2;
    }
    const char *model_dir = argv[first];
    const int n = argc - first - 1;
    example_session es = {0};
    yoso_feature_request *req = calloc((size_t)n, sizeof *req);
    yoso_feature_result *res = calloc((size_t)n, sizeof *res);
    if (!req || !res) return fprintf(stderr, "example_feature_extraction: out of memory\n"), 1;
    for (int i = 0; i < n; i++)
        req[i] = (yoso_feature_request){
            .text = argv[first + 1 + i], .pooling = YOSO_POOLING_MEAN, .normalize = 1};
    yoso_status st = example_open(model_dir, tok_dir, &es);
    if (st == YOSO_OK) st = yoso_feature_extraction(es.model, es.tok, req, n, res); /* one batch */
    int rc = st == YOSO_OK ? 0 : example_report("example_feature_extraction", st);
    for (int i = 0; st == YOSO_OK && i < n; i++) {
        printf("%d: %d tokens -> [%d]  %.4f %.4f %.4f ...  %s\n", i, res[i].tokens, res[i].dim,
               res[i].values[0], res[i].values[1], res[i].values[2], req[i].text);
        for (int j = 0; j < i; j++)
            printf("   cosine(%d, %d) = %.4f\n", j, i,
                   cosine(res[i].values, res[j].values, res[i].dim));
    }
    for (int i = 0; i < n; i++) yoso_feature_result_release(&res[i]);
    free(req);
    free(res);
    example_close(&es);
    return rc;
}

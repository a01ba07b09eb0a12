/* example_text_classification.c — text classification and multiple choice
 * through the public C API alone (include/yoso.h): every label of each text,
 * best first, as Hugging Face's text-classification pipeline scores them; or,
 * with -c, the softmax over the choices of a YosoForMultipleChoice checkpoint
 * for one prompt.
 *
 *   example_text_classification [-t TOKENIZER_DIR] MODEL_DIR "a text" "another
 * text" ... example_text_classification [-t TOKENIZER_DIR] -c MODEL_DIR
 * "prompt" "choice 1" "choice 2" ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example_session.h"
#include "yoso.h"

/* Classifies texts[n] as one batch and prints every label of each. */
static yoso_status classify(yoso_model *model, const yoso_tokenizer *tok, char **texts, int n) {
    yoso_classify_request *req = calloc((size_t)n, sizeof *req);
    yoso_classify_result *res = calloc((size_t)n, sizeof *res);
    if (!req || !res) {
        free(req);
        free(res);
        fprintf(stderr, "example_text_classification: out of memory\n");
        return YOSO_ERR_NO_MEMORY;
    }
    for (int i = 0; i < n; i++)
        req[i] = (yoso_classify_request){.text = texts[i], .top_k = YOSO_TOP_K_ALL};
    yoso_status st = yoso_text_classification(model, tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++) {
        printf("%s\n", texts[i]);
        for (int k = 0; k < res[i].count; k++)
            printf("  %-20s %.4f\n", res[i].labels[k].label, res[i].labels[k].score);
        yoso_classify_result_release(&res[i]);
    }
    free(req);
    free(res);
    return st;
}

/* Scores the choices[n] of one prompt and prints them, the best marked. */
static yoso_status choose(yoso_model *model, const yoso_tokenizer *tok, const char *prompt,
                          char **choices, int n) {
    yoso_choice_request req = {
        .prompt = prompt, .choices = (const char *const *)choices, .num_choices = n};
    yoso_choice_result res = {0};
    yoso_status st = yoso_multiple_choice(model, tok, &req, 1, &res);
    int best = 0;
    for (int c = 1; st == YOSO_OK && c < n; c++) best = res.scores[c] > res.scores[best] ? c : best;
    for (int c = 0; st == YOSO_OK && c < n; c++)
        printf("%c %.4f  %s\n", c == best ? '*' : ' ', res.scores[c], choices[c]);
    yoso_choice_result_release(&res);
    return st;
}

int main(int argc, char **argv) {
    const char *tok_dir = NULL;
    int first = 1, choice = 0;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "-t") && first + 1 < argc)
            tok_dir = argv[++first];
        else if (!strcmp(argv[first], "-c"))
            choice = 1;
        else
            break;
    }
    if (argc - first < (choice ? 3 : 2)) {
        fprintf(stderr, "usage: example_text_classification [-t TOKENIZER_DIR] MODEL_DIR TEXT...\n"
                        "       example_text_classification [-t TOKENIZER_DIR] -c MODEL_DIR "
                        "PROMPT CHOICE...\n");
        return 2;
    }
    example_session es = {0};
    yoso_status st = example_open(argv[first], tok_dir, &es);
    if (st == YOSO_OK && choice)
        st = choose(es.model, es.tok, argv[first + 1], argv + first + 2, argc - first - 2);
    else if (st == YOSO_OK)
        st = classify(es.model, es.tok, argv + first + 1, argc - first - 1);
    int rc = st == YOSO_OK ? 0 : example_report("example_text_classification", st);
    example_close(&es);
    return rc;
}

/* fill_output.h — printing fill-mask results: HF's JSON schema or a readable table. */
#ifndef YOSO_CLI_FILL_OUTPUT_H
#define YOSO_CLI_FILL_OUTPUT_H

#include <stdio.h>

#include "yoso.h"

/* Prints one result as one line of JSON, exactly the shape of HF's pipeline output: a list of
 * {score, token, token_str, sequence} for one mask, a list of such lists for several. */
int fill_output_json(FILE *to, const yoso_fill_result *r);
/* Prints one result as a table headed by the input text: token_str quoted, columns aligned by
 * terminal width (wcwidth), control characters escaped, tiny scores in scientific notation. */
void fill_output_table(FILE *to, const char *text, const yoso_fill_result *r);

#endif

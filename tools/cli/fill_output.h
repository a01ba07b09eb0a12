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

/* Table cells, shared by the pipeline commands' tables. Writes s with control characters
 * escaped (\t, \n, \r, \xNN) to out (only counts when out is NULL); returns its width in
 * terminal columns (wcwidth in a UTF-8 locale). */
int cli_table_cell(FILE *out, const char *s);
/* cli_table_cell padded with spaces to width columns. */
void cli_table_padded(FILE *out, const char *s, int width);
/* A score as it reads best: 4 decimals, or 3 significant digits in scientific notation below
 * 0.001. */
void cli_table_score(char *buf, size_t n, double score);

#endif

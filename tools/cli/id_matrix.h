/* id_matrix.h — parsing "0,5,6,2;0,7,2,1" into a [rows, cols] int32 matrix. */
#ifndef YOSO_CLI_ID_MATRIX_H
#define YOSO_CLI_ID_MATRIX_H

#include <stdint.h>

/* Parses rows separated by ';' of integers separated by ','. All rows must have the same length.
 * On success returns 1 with *values malloc'ed [rows, cols]; on failure returns 0 with a message
 * in err (size n). */
int id_matrix_parse(const char *text, int32_t **values, int *rows, int *cols, char *err, int n);

#endif

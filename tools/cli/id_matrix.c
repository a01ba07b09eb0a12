/* id_matrix.c — parsing semicolon/comma separated integer matrices from the command line. */
#include "id_matrix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int id_matrix_parse(const char *text, int32_t **values, int *rows, int *cols, char *err, int n) {
    size_t cap = 64, count = 0;
    int32_t *v = malloc(cap * sizeof *v);
    int r = 0, c = 0, width = -1;
    const char *p = text;
    *values = NULL;
    if (!v) return snprintf(err, (size_t)n, "out of memory"), 0;
    for (;;) {
        while (*p == ' ') p++;
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p || errno || x < INT32_MIN || x > INT32_MAX) {
            snprintf(err, (size_t)n, "'%.20s' is not an integer (row %d, column %d)", p, r, c);
            goto fail;
        }
        if (count == cap && !(v = realloc(v, (cap *= 2) * sizeof *v))) {
            snprintf(err, (size_t)n, "out of memory");
            goto fail;
        }
        v[count++] = (int32_t)x;
        c++;
        p = end;
        while (*p == ' ') p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != ';' && *p != '\0') {
            snprintf(err, (size_t)n,
                     "unexpected '%c' (row %d): use ',' between values and ';' between rows", *p,
                     r);
            goto fail;
        }
        if (width >= 0 && c != width) {
            snprintf(err, (size_t)n,
                     "row %d has %d values but row 0 has %d: pad rows to one length", r, c, width);
            goto fail;
        }
        width = c;
        c = 0;
        r++;
        if (*p == '\0') break;
        p++;
    }
    *values = v;
    *rows = r;
    *cols = width;
    return 1;
fail:
    free(v);
    return 0;
}

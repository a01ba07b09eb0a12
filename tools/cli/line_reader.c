/* line_reader.c — getline-based line reading shared by the commands that read stdin. */
#include "line_reader.h"

#include <stdlib.h>
#include <sys/types.h>

void line_reader_init(line_reader *lr, FILE *from) {
    lr->from = from;
    lr->buf = NULL;
    lr->cap = 0;
    lr->lineno = 0;
}

const char *line_reader_next(line_reader *lr) {
    ssize_t n = getline(&lr->buf, &lr->cap, lr->from);
    if (n < 0) return NULL;
    lr->lineno++;
    while (n > 0 && (lr->buf[n - 1] == '\n' || lr->buf[n - 1] == '\r')) lr->buf[--n] = '\0';
    return lr->buf;
}

void line_reader_release(line_reader *lr) {
    free(lr->buf);
    lr->buf = NULL;
    lr->cap = 0;
}

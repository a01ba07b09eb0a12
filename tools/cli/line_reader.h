/* line_reader.h — reading stdin line by line of any length, without the newline. */
#ifndef YOSO_CLI_LINE_READER_H
#define YOSO_CLI_LINE_READER_H

#include <stdio.h>

typedef struct line_reader {
    FILE *from;
    char *buf;
    size_t cap;
    long lineno; /* 1-based number of the line last returned */
} line_reader;

void line_reader_init(line_reader *lr, FILE *from);
/* The next line without its "\n" / "\r\n", or NULL at the end; valid until the next call. */
const char *line_reader_next(line_reader *lr);
void line_reader_release(line_reader *lr);

#endif

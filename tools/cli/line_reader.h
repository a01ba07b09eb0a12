/* line_reader.h — reading a file descriptor line by line, of any length, without the newline,
 * and telling whether the next line is already there (streaming: answer what is waiting). */
#ifndef YOSO_CLI_LINE_READER_H
#define YOSO_CLI_LINE_READER_H

#include <stddef.h>

typedef struct line_reader {
    int fd;
    char *buf; /* [cap] bytes read; the unread ones are [start, end) */
    size_t cap, start, end;
    int eof;     /* read() returned 0 */
    int error;   /* errno of a failed read(), else 0 */
    long lineno; /* 1-based number of the line last returned */
} line_reader;

void line_reader_init(line_reader *lr, int fd);
/* The next line without its "\n" / "\r\n" (NUL bytes kept; *len is its length), or NULL at the
 * end or on a read error (lr->error). Blocks until a whole line is there; valid until the next
 * call. */
const char *line_reader_next(line_reader *lr, size_t *len);
/* 1 if line_reader_next would not block: a whole line, the end of input or an error is there. */
int line_reader_ready(line_reader *lr);
void line_reader_release(line_reader *lr);

#endif

/* line_reader.c — read(2)-based line reading shared by the commands that read stdin. */
#include "line_reader.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void line_reader_init(line_reader *lr, int fd) {
    memset(lr, 0, sizeof *lr);
    lr->fd = fd;
}

/* Reads once more into the buffer (growing it); 0 on data, else sets eof or error and returns
 * -1. */
static int line_reader_fill(line_reader *lr) {
    if (lr->start > 0) { /* move the unread bytes to the front */
        memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
        lr->end -= lr->start;
        lr->start = 0;
    }
    if (lr->cap - lr->end < 4096) {
        size_t cap = lr->cap ? 2 * lr->cap : 65536;
        char *grown = realloc(lr->buf, cap + 1); /* + 1: room for the NUL of the last line */
        if (!grown) return lr->error = ENOMEM, -1;
        lr->buf = grown;
        lr->cap = cap;
    }
    for (;;) {
        ssize_t got = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
        if (got > 0) return lr->end += (size_t)got, 0;
        if (got == 0) return lr->eof = 1, -1;
        if (errno != EINTR) return lr->error = errno, -1;
    }
}

/* 1 if a newline lies in the unread bytes. */
static int line_reader_has_line(const line_reader *lr) {
    return lr->end > lr->start && memchr(lr->buf + lr->start, '\n', lr->end - lr->start);
}

const char *line_reader_next(line_reader *lr, size_t *len) {
    while (!line_reader_has_line(lr) && !lr->eof && !lr->error)
        if (line_reader_fill(lr) != 0) break;
    if (lr->error || lr->start == lr->end) return NULL;
    char *line = lr->buf + lr->start;
    char *nl = memchr(line, '\n', lr->end - lr->start);
    size_t n = nl ? (size_t)(nl - line) : lr->end - lr->start;
    lr->start += n + (nl != NULL);
    if (n && line[n - 1] == '\r') n--;
    line[n] = '\0'; /* over the '\n' or '\r', or into the spare byte after the last line */
    lr->lineno++;
    *len = n;
    return line;
}

int line_reader_ready(line_reader *lr) {
    while (!line_reader_has_line(lr) && !lr->eof && !lr->error) {
        struct pollfd p = {.fd = lr->fd, .events = POLLIN};
        if (poll(&p, 1, 0) <= 0) return 0; /* nothing waiting (or poll failed: do not wait) */
        line_reader_fill(lr);
    }
    return 1;
}

void line_reader_release(line_reader *lr) {
    free(lr->buf);
    memset(lr, 0, sizeof *lr);
}

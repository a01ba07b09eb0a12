/* file_io.h — writing a file whole or not at all, and creating a folder with its parents. */
#ifndef YOSO_FILE_IO_H
#define YOSO_FILE_IO_H

#include <stdio.h>

#include "signal_guard.h"
#include "yoso.h"

enum {
    /* Defer SIGINT, SIGTERM and SIGHUP from open to close (see signal_guard.h), for outputs the
     * user asked for; not for caches, which other threads of the process may write meanwhile. */
    YOSO_FILE_GUARD_SIGNALS = 1,
};

typedef struct yoso_atomic_file {
    FILE *f;          /* the stream to write to: the temp file, or path itself when in place */
    const char *path; /* the destination (the caller's string, kept until close) */
    char tmp[4200];   /* "<path>.tmp.<pid>.<n>", or "" when path is written in place */
    int flags;        /* YOSO_FILE_* */
    yoso_signal_guard guard;
} yoso_atomic_file;

/* Opens a temporary file beside path for writing; a path that names a device or pipe
 * (/dev/null, /dev/stdout, a FIFO) is opened in place instead, since renaming over it would
 * replace the node with a regular file. Fails with YOSO_ERR_IO ("cannot write PATH: why"). */
yoso_status yoso_atomic_file_open(yoso_atomic_file *af, const char *path, int flags);

/* Closes the stream; when status is YOSO_OK and every write and the close succeeded, renames the
 * temp file over path, otherwise removes it. Returns status if it was an error already, else
 * YOSO_OK or YOSO_ERR_IO ("cannot write PATH: why"), with errno kept from the failing call. */
yoso_status yoso_atomic_file_close(yoso_atomic_file *af, yoso_status status);

/* mkdir -p: creates path and its missing parents (mode 0755); 1 on success (also when it exists
 * already), 0 with errno set when a component cannot be created. */
int yoso_make_dirs(const char *path);

#endif

/* file_io.c — the one temp-file-plus-rename writer and the one mkdir -p (see file_io.h). */
#include "file_io.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

static atomic_uint g_tmp_serial; /* tells apart the temp files of one process's threads */

/* Opens path (in place) or a fresh temp file beside it for writing. */
yoso_status yoso_atomic_file_open(yoso_atomic_file *af, const char *path, int flags) {
    memset(af, 0, sizeof *af);
    af->path = path;
    af->flags = flags;
    struct stat sb;
    const int in_place = stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
    if (!in_place && snprintf(af->tmp, sizeof af->tmp, "%s.tmp.%ld.%u", path, (long)getpid(),
                              atomic_fetch_add(&g_tmp_serial, 1)) >= (int)sizeof af->tmp)
        return yoso_error(YOSO_ERR_USAGE, "output path too long: %s", path);
    /* Ctrl-C from here on waits until the file is complete and renamed (or removed). */
    if (flags & YOSO_FILE_GUARD_SIGNALS) yoso_signal_guard_begin(&af->guard);
    af->f = fopen(in_place ? path : af->tmp, "wb");
    if (!af->f) {
        int e = errno;
        if (flags & YOSO_FILE_GUARD_SIGNALS) yoso_signal_guard_end(&af->guard);
        yoso_status st = yoso_error(YOSO_ERR_IO, "cannot write %s: %s", path, strerror(e));
        errno = e;
        return st;
    }
    return YOSO_OK;
}

/* Closes the stream, then renames the temp file over path or removes it. */
yoso_status yoso_atomic_file_close(yoso_atomic_file *af, yoso_status status) {
    if (!af->f) return status;
    const int write_failed = ferror(af->f);
    int e = write_failed ? errno : 0;
    if (fclose(af->f) != 0 && !e) e = errno;
    af->f = NULL;
    if (status == YOSO_OK && (write_failed || e))
        status = yoso_error(YOSO_ERR_IO, "cannot write %s: %s", af->path, strerror(e ? e : EIO));
    if (status == YOSO_OK && af->tmp[0] && rename(af->tmp, af->path) != 0) {
        e = errno;
        status = yoso_error(YOSO_ERR_IO, "cannot write %s: %s", af->path, strerror(e));
    }
    if (status != YOSO_OK && af->tmp[0]) unlink(af->tmp);
    if (af->flags & YOSO_FILE_GUARD_SIGNALS) yoso_signal_guard_end(&af->guard);
    if (e) errno = e;
    return status;
}

/* Creates each missing component of path in turn. */
int yoso_make_dirs(const char *path) {
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return 0;
    }
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) return 0;
        *p = '/';
    }
    return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

/* file_util.c — reading the tokenizer's files: whole files, paths, JSON documents. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tok_internal.h"

/* Reads a whole file into memory (NUL-terminated). */
yoso_status tok_file_read(const char *path, char **data, size_t *size) {
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        yoso_status st = errno == ENOENT ? YOSO_ERR_NOT_FOUND : YOSO_ERR_IO;
        return yoso_error(st, "cannot open %s: %s", path, strerror(errno));
    }
    yoso_status st = YOSO_OK;
    char *buf = NULL;
    struct stat info;
    if (fstat(fileno(f), &info) != 0 || !S_ISREG(info.st_mode)) {
        st = yoso_error(YOSO_ERR_INPUT, "%s is not a regular file", path);
        goto fail;
    }
    size_t n = (size_t)info.st_size;
    buf = malloc(n + 1);
    if (!buf) {
        st = yoso_error(YOSO_ERR_NO_MEMORY, "out of memory reading %s (%zu bytes)", path, n);
        goto fail;
    }
    if (fread(buf, 1, n, f) != n) {
        st = yoso_error(YOSO_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    buf[n] = '\0';
    fclose(f);
    *data = buf;
    *size = n;
    return YOSO_OK;
fail:
    free(buf);
    fclose(f);
    return st;
}

/* Joins a folder and a file name. */
char *tok_path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *path = malloc(a + b + 2);
    if (!path) return NULL;
    memcpy(path, dir, a);
    path[a] = '/';
    memcpy(path + a + 1, name, b + 1);
    return path;
}

/* Tells whether dir/name is a regular file. */
int tok_file_exists(const char *dir, const char *name) {
    char *path = tok_path_join(dir, name);
    struct stat info;
    int ok = path && stat(path, &info) == 0 && S_ISREG(info.st_mode);
    free(path);
    return ok;
}

/* Reads a file and parses it as JSON. */
yoso_status tok_json_read(const char *path, cJSON **json) {
    char *text = NULL;
    size_t size = 0;
    *json = NULL;
    yoso_status st = tok_file_read(path, &text, &size);
    if (st) return st;
    const char *end = NULL;
    *json = cJSON_ParseWithLengthOpts(text, size, &end, 0);
    if (!*json) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        st = yoso_error(YOSO_ERR_INPUT, "%s is not valid JSON (near byte %zu): replace the file",
                        path, at);
    }
    free(text);
    return st;
}

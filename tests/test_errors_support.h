/* test_errors_support.h — helpers of the error-table tests (tests/test_errors_*.c, see
 * docs/ERRORS.md): run the CLI and check the contract of a failure (exit code, exactly one line
 * on stderr naming the problem, nothing on stdout), copy and damage model folders. Header-only:
 * each test_errors_*.c is its own program. */
#ifndef YOSO_TEST_ERRORS_SUPPORT_H
#define YOSO_TEST_ERRORS_SUPPORT_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "test_support.h"
#include "yoso.h"

/* What one CLI run left behind. */
/* A refused input and two fragments its one-line error must hold ("" for none). */
typedef struct err_case {
    const char *input, *key1, *key2;
} err_case;

typedef struct err_result {
    int rc;    /* exit code, or 128 + signal */
    char *out; /* stdout (malloc'ed, NUL-terminated) */
    char *err; /* stderr */
} err_result;

/* Runs a printf-formatted shell command line (stdin is /dev/null). */
static inline err_result err_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline err_result err_run(const char *fmt, ...) {
    char cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    err_result r = {0};
    r.rc = test_run(cmd, &r.out, &r.err);
    if (!r.out) r.out = strdup("");
    if (!r.err) r.err = strdup("");
    return r;
}

/* Frees the captured output. */
static inline void err_result_free(err_result *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* Number of lines in s (a last line without '\n' counts). */
static inline int err_count_lines(const char *s) {
    int n = 0;
    for (const char *p = s; *p; p++) n += *p == '\n';
    if (*s && s[strlen(s) - 1] != '\n') n++;
    return n;
}

/* Prints the run when an expectation fails, so the log shows what the CLI said. */
static inline void err_dump(const err_result *r, const char *what) {
    fprintf(stdout, "--- %s: exit %d\n--- stdout:\n%s\n--- stderr:\n%s\n---\n", what, r->rc, r->out,
            r->err);
}

/* Checks exit code rc, `lines` lines on stdout (the answers to the inputs before the bad one),
 * exactly one stderr line starting with "yoso" and holding every key word of ap. */
static inline void err_expect_failure_v(const err_result *r, int rc, int lines, va_list ap) {
    int ok = r->rc == rc && err_count_lines(r->out) == lines && err_count_lines(r->err) == 1 &&
             strncmp(r->err, "yoso", 4) == 0;
    for (const char *key; (key = va_arg(ap, const char *));) ok = ok && strstr(r->err, key);
    if (!ok)
        err_dump(r, "unexpected failure output");
    else
        printf("exit %d: %s", r->rc, r->err); /* the log documents what users see */
    assert_true(ok);
}

/* The failure contract: exit code rc, empty stdout, exactly one stderr line starting with
 * "yoso" and holding every key word (NULL-terminated list, case-sensitive). */
static inline void err_expect_failure(const err_result *r, int rc, ...) {
    va_list ap;
    va_start(ap, rc);
    err_expect_failure_v(r, rc, 0, ap);
    va_end(ap);
}

/* The same after `lines` answer lines: a bad input stops the run once the inputs before it were
 * answered. */
static inline void err_expect_failure_after(const err_result *r, int rc, int lines, ...) {
    va_list ap;
    va_start(ap, lines);
    err_expect_failure_v(r, rc, lines, ap);
    va_end(ap);
}

/* Copies every regular file of directory from into directory to (created if needed). */
static inline void err_copy_dir(const char *from, const char *to) {
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s'/* '%s'/", to, from, to);
    assert_int_equal(system(cmd), 0);
}

/* A fresh temporary model folder holding a copy of tests/data/<fixture>; malloc'ed path. */
static inline char *err_model_copy(const char *fixture) {
    char *dir = test_make_temp_dir();
    assert_non_null(dir);
    err_copy_dir(test_data_path(fixture), dir);
    return dir;
}

/* dir/name in a static buffer (valid until the next call). */
static inline const char *err_path(const char *dir, const char *name) {
    static char buf[4400];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* 1 if path exists. */
static inline int err_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries of dir whose name contains part (NULL: all but . and ..). */
static inline int err_count_entries(const char *dir, const char *part) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && (!part || strstr(e->d_name, part)))
            n++;
    closedir(d);
    return n;
}

/* ---- safetensors editing: header JSON + data area ---- */

typedef struct err_safetensors {
    cJSON *header; /* the parsed header object */
    uint8_t *data; /* [size] the data area after the header */
    size_t size;
} err_safetensors;

/* Reads a safetensors file into its header and data area. */
static inline err_safetensors err_st_read(const char *path) {
    size_t n = 0;
    char *bytes = test_read_file(path, &n);
    assert_non_null(bytes);
    assert_true(n >= 8);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | (uint8_t)bytes[i];
    assert_true(8 + hlen <= n);
    err_safetensors st;
    st.header = cJSON_ParseWithLength(bytes + 8, (size_t)hlen);
    assert_non_null(st.header);
    st.size = n - 8 - (size_t)hlen;
    st.data = malloc(st.size ? st.size : 1);
    memcpy(st.data, bytes + 8 + hlen, st.size);
    free(bytes);
    return st;
}

/* Writes header + data back as a safetensors file and frees them. */
static inline void err_st_write(const char *path, err_safetensors *st) {
    char *text = cJSON_PrintUnformatted(st->header);
    size_t hlen = strlen(text);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint8_t len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (uint8_t)((uint64_t)hlen >> (8 * i));
    assert_int_equal(fwrite(len8, 1, 8, f), 8);
    assert_int_equal(fwrite(text, 1, hlen, f), hlen);
    if (st->size) assert_int_equal(fwrite(st->data, 1, st->size, f), st->size);
    assert_int_equal(fclose(f), 0);
    free(text);
    cJSON_Delete(st->header);
    free(st->data);
    st->header = NULL;
    st->data = NULL;
}

/* The byte offset in the data area where tensor name begins. */
static inline size_t err_st_offset(const err_safetensors *st, const char *name) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(st->header, name);
    assert_non_null(t);
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    return (size_t)cJSON_GetArrayItem(offs, 0)->valuedouble;
}

/* Replaces an array field ("shape" or "data_offsets") of tensor name with two numbers. */
static inline void err_st_set_pair(err_safetensors *st, const char *name, const char *field,
                                   double a, double b) {
    cJSON *t = cJSON_GetObjectItemCaseSensitive(st->header, name);
    assert_non_null(t);
    double v[2] = {a, b};
    cJSON_ReplaceItemInObjectCaseSensitive(t, field, cJSON_CreateDoubleArray(v, 2));
}

/* ---- config.json editing ---- */

/* Reads dir/config.json, lets edit change it, writes it back. */
static inline void err_edit_config(const char *dir, void (*edit)(cJSON *config)) {
    char *text = test_read_file(err_path(dir, "config.json"), NULL);
    assert_non_null(text);
    cJSON *config = cJSON_Parse(text);
    free(text);
    assert_non_null(config);
    edit(config);
    text = cJSON_Print(config);
    assert_int_equal(test_write_file(err_path(dir, "config.json"), text, strlen(text)), 0);
    free(text);
    cJSON_Delete(config);
}

#endif

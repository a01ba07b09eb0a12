/* loader_reference.h — the loader tests' expected tensors: tests/data/loader/<stem>.npy (every
 * tensor's float32 values, concatenated) and <stem>.txt ("name offset ndim dims…" per line), as
 * written by tools/fixtures/gen_loader_fixtures.py. Header-only; include after test_support.h. */
#ifndef YOSO_LOADER_REFERENCE_H
#define YOSO_LOADER_REFERENCE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "npy.h"
#include "tensor_file.h"
#include "test_support.h"

/* Parses a config.json of the tiny fixture's layer sizes (hidden 16, 1 layer, 2 heads, FFN 24)
 * and the fields printf's fmt makes into *c. */
static inline yoso_status ref_parse_tiny_config(yoso_config *c, const char *fmt, ...) {
    char fields[768], text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fields, sizeof fields, fmt, ap);
    va_end(ap);
    snprintf(
        text, sizeof text,
        "{\"hidden_size\": 16, \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 24, %s}",
        fields);
    return yoso_config_parse(text, strlen(text), c);
}

typedef struct ref_entry {
    char name[256];
    int64_t offset; /* into ref_set.values */
    int ndim;
    int64_t shape[8];
} ref_entry;

typedef struct ref_set {
    ref_entry *entries; /* [count] */
    size_t count;
    yoso_npy npy; /* float32 [total] */
} ref_set;

/* Opens tests/data/loader/<name>, asserting success. */
static inline yoso_tensor_file *ref_open_fixture(const char *name) {
    char rel[256];
    snprintf(rel, sizeof rel, "loader/%s", name);
    yoso_tensor_file *f = NULL;
    yoso_status st = yoso_tensor_file_open(test_data_path(rel), &f);
    if (st != YOSO_OK) fail_msg("%s: %s", name, yoso_last_error());
    assert_non_null(f);
    return f;
}

/* Reads tests/data/loader/<stem>.npy and .txt; fails the test if they are missing or malformed. */
static inline void ref_load(const char *stem, ref_set *r) {
    char rel[256];
    memset(r, 0, sizeof *r);
    snprintf(rel, sizeof rel, "loader/%s.npy", stem);
    assert_int_equal(yoso_npy_read(test_data_path(rel), &r->npy), YOSO_OK);
    assert_int_equal(r->npy.dtype, 'f');
    snprintf(rel, sizeof rel, "loader/%s.txt", stem);
    FILE *f = fopen(test_data_path(rel), "r");
    assert_non_null(f);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        r->entries = realloc(r->entries, (r->count + 1) * sizeof *r->entries);
        assert_non_null(r->entries);
        ref_entry *e = &r->entries[r->count];
        memset(e, 0, sizeof *e);
        char *p = line;
        int used = 0;
        long long off;
        assert_int_equal(sscanf(p, "%255s %lld %d%n", e->name, &off, &e->ndim, &used), 3);
        e->offset = off;
        p += used;
        assert_true(e->ndim >= 0 && e->ndim <= 8);
        for (int i = 0; i < e->ndim; i++) {
            long long d;
            assert_int_equal(sscanf(p, "%lld%n", &d, &used), 1);
            e->shape[i] = d;
            p += used;
        }
        r->count++;
    }
    fclose(f);
    assert_true(r->count > 0);
}

static inline void ref_release(ref_set *r) {
    free(r->entries);
    yoso_npy_release(&r->npy);
    memset(r, 0, sizeof *r);
}

/* The entry with this name, or NULL. */
static inline const ref_entry *ref_find(const ref_set *r, const char *name) {
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->entries[i].name, name) == 0) return &r->entries[i];
    return NULL;
}

/* Asserts that tensor t has the entry's shape and, converted to float32, exactly (bit for bit)
 * its values; integer tensors are compared after conversion to float. */
static inline void ref_check_tensor(const ref_set *r, const ref_entry *e,
                                    const yoso_tensor_view *t) {
    if (t->ndim != e->ndim) fail_msg("%s: ndim %d, expected %d", t->name, t->ndim, e->ndim);
    for (int i = 0; i < e->ndim; i++)
        if (t->shape[i] != e->shape[i])
            fail_msg("%s: dim %d is %lld, expected %lld", t->name, i, (long long)t->shape[i],
                     (long long)e->shape[i]);
    int64_t n = yoso_tensor_numel(t);
    assert_true(n >= 0);
    assert_int_equal(t->nbytes, (size_t)n * yoso_dtype_size(t->dtype));
    assert_true(e->offset + n <= yoso_npy_numel(&r->npy));
    const float *want = (const float *)r->npy.data + e->offset;
    float *got = malloc((size_t)(n ? n : 1) * sizeof *got);
    assert_non_null(got);
    if (t->dtype == YOSO_DTYPE_I64 || t->dtype == YOSO_DTYPE_I32) {
        for (int64_t i = 0; i < n; i++) {
            if (t->dtype == YOSO_DTYPE_I64) {
                int64_t v;
                memcpy(&v, (const char *)t->data + 8 * i, 8);
                got[i] = (float)v;
            } else {
                int32_t v;
                memcpy(&v, (const char *)t->data + 4 * i, 4);
                got[i] = (float)v;
            }
        }
    } else {
        yoso_status st = yoso_tensor_to_f32(t, got);
        if (st != YOSO_OK) fail_msg("%s: %s", t->name, yoso_last_error());
    }
    for (int64_t i = 0; i < n; i++)
        if (memcmp(&got[i], &want[i], sizeof(float)) != 0)
            fail_msg("%s[%lld] = %.9g, expected %.9g", t->name, (long long)i, (double)got[i],
                     (double)want[i]);
    free(got);
}

/* Asserts that a message contains a fragment, printing both if not. */
static inline void ref_assert_contains(const char *message, const char *fragment) {
    if (!message || !strstr(message, fragment))
        fail_msg("message \"%s\" does not contain \"%s\"", message ? message : "(null)", fragment);
}

/* A malformed fixture under tests/data/loader and what opening it must report. */
typedef struct bad_file {
    const char *file;
    yoso_status status;
    const char *fragment; /* must appear in the message, as must the file name */
} bad_file;

/* Opens each bad fixture: the expected status, no handle, the path and the problem in the
 * message. */
static inline void ref_check_bad_files(const bad_file *bad, size_t count) {
    for (size_t i = 0; i < count; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "loader/%s", bad[i].file);
        yoso_tensor_file *f = (yoso_tensor_file *)(uintptr_t)1;
        yoso_status st = yoso_tensor_file_open(test_data_path(rel), &f);
        if (st != bad[i].status)
            fail_msg("%s: status %s, expected %s (%s)", bad[i].file, yoso_status_string(st),
                     yoso_status_string(bad[i].status), yoso_last_error());
        assert_null(f);
        ref_assert_contains(yoso_last_error(), bad[i].fragment);
        ref_assert_contains(yoso_last_error(), bad[i].file);
    }
}

/* Opens bytes from a heap copy of exactly len bytes, so any read past the end is caught by
 * valgrind/ASan; converts every float tensor if the open succeeds. With views_in_buffer, every
 * tensor's data must also lie inside the copy (safetensors; torch may own strided copies).
 * Returns the status. */
static inline yoso_status ref_open_exact(const uint8_t *bytes, size_t len, int views_in_buffer) {
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    yoso_tensor_file *f = NULL;
    yoso_status st = yoso_tensor_file_open_memory(copy, len, &f);
    if (st == YOSO_OK) {
        for (size_t i = 0; i < yoso_tensor_file_count(f); i++) {
            const yoso_tensor_view *t = yoso_tensor_file_at(f, i);
            int64_t n = yoso_tensor_numel(t);
            assert_true(n >= 0);
            assert_true(t->nbytes == (size_t)n * yoso_dtype_size(t->dtype));
            if (views_in_buffer)
                assert_true((const uint8_t *)t->data >= copy &&
                            (const uint8_t *)t->data + t->nbytes <= copy + len);
            if (t->dtype == YOSO_DTYPE_I64 || t->dtype == YOSO_DTYPE_I32) continue;
            float *dst = malloc((size_t)(n ? n : 1) * sizeof *dst);
            assert_non_null(dst);
            (void)yoso_tensor_to_f32(t, dst);
            free(dst);
        }
        yoso_tensor_file_close(f);
    } else {
        assert_null(f);
        assert_true(strlen(yoso_last_error()) > 0);
    }
    free(copy);
    return st;
}

#endif

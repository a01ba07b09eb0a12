/* npy.c — reading and atomically writing NumPy .npy arrays. */
#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "file_io.h"

/* Parses "(2, 3, )" style shape text into shape/ndim. */
static int npy_parse_shape(const char *p, int *ndim, int64_t *shape) {
    p = strchr(p, '(');
    if (!p) return 0;
    p++;
    *ndim = 0;
    while (*p && *p != ')') {
        while (*p == ' ' || *p == ',') p++;
        if (*p == ')') break;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || *ndim >= 8) return 0;
        shape[(*ndim)++] = v;
        p = end;
    }
    return *p == ')';
}

int64_t yoso_npy_numel(const yoso_npy *npy) {
    int64_t n = 1;
    for (int i = 0; i < npy->ndim; i++) n *= npy->shape[i];
    return n;
}

/* Reads the header and data of a .npy file into out. */
yoso_status yoso_npy_read(const char *path, yoso_npy *out) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return yoso_error(YOSO_ERR_NOT_FOUND, "cannot open %s: %s", path, strerror(errno));
    yoso_status st = YOSO_ERR_INPUT;
    char *header = NULL;
    unsigned char pre[10];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0 || pre[6] != 1) {
        yoso_error(st, "%s is not a version 1 .npy file", path);
        goto fail;
    }
    size_t hlen = pre[8] | (pre[9] << 8);
    header = calloc(hlen + 1, 1);
    if (!header || fread(header, 1, hlen, f) != hlen) {
        yoso_error(st, "%s: truncated .npy header", path);
        goto fail;
    }
    const char *descr = strstr(header, "'descr'");
    int width = 0;
    if (descr && strstr(descr, "'<f4'"))
        out->dtype = 'f', width = 4;
    else if (descr && strstr(descr, "'<i4'"))
        out->dtype = 'i', width = 4;
    else if (descr && strstr(descr, "'<i8'"))
        out->dtype = 'i', width = 8;
    if (!width || strstr(header, "'fortran_order': True") ||
        !npy_parse_shape(strstr(header, "'shape'") ? strstr(header, "'shape'") : "", &out->ndim,
                         out->shape)) {
        yoso_error(st, "%s: unsupported .npy header (need <f4, <i4 or <i8 in C order): %s", path,
                   header);
        goto fail;
    }
    int64_t n = yoso_npy_numel(out);
    void *raw = malloc((size_t)(n ? n : 1) * width);
    if (!raw) {
        st = yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", path);
        goto fail;
    }
    if (fread(raw, (size_t)width, (size_t)n, f) != (size_t)n) {
        free(raw);
        yoso_error(st, "%s: truncated .npy data", path);
        goto fail;
    }
    if (width == 8) {
        int32_t *narrow = (int32_t *)raw;
        const int64_t *wide = (const int64_t *)raw;
        for (int64_t i = 0; i < n; i++) {
            if (wide[i] < INT32_MIN || wide[i] > INT32_MAX) {
                yoso_error(st, "%s: value %lld does not fit int32", path, (long long)wide[i]);
                free(raw);
                goto fail;
            }
            narrow[i] = (int32_t)wide[i];
        }
    }
    out->data = raw;
    free(header);
    fclose(f);
    return YOSO_OK;
fail:
    free(header);
    fclose(f);
    return st;
}

void yoso_npy_release(yoso_npy *npy) {
    if (!npy) return;
    free(npy->data);
    npy->data = NULL;
}

/* Writes a float32 array to a temporary file and renames it over path. */
yoso_status yoso_npy_write_f32(const char *path, const float *data, int ndim,
                               const int64_t *shape) {
    char header[256], shape_text[160] = "";
    int64_t n = 1;
    size_t used = 0;
    for (int i = 0; i < ndim; i++) {
        n *= shape[i];
        used += (size_t)snprintf(shape_text + used, sizeof shape_text - used, "%lld,%s",
                                 (long long)shape[i], (i + 1 < ndim) ? " " : "");
    }
    int len = snprintf(header, sizeof header,
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", shape_text);
    int total = 10 + len + 1;
    int pad = (64 - total % 64) % 64;
    yoso_atomic_file af;
    yoso_status st = yoso_atomic_file_open(&af, path, YOSO_FILE_GUARD_SIGNALS);
    if (st != YOSO_OK) return st;
    unsigned short hlen = (unsigned short)(len + pad + 1);
    unsigned char pre[10] = {0x93,
                             'N',
                             'U',
                             'M',
                             'P',
                             'Y',
                             1,
                             0,
                             (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    fwrite(pre, 1, 10, af.f);
    fwrite(header, 1, (size_t)len, af.f);
    for (int i = 0; i < pad; i++) fputc(' ', af.f);
    fputc('\n', af.f);
    fwrite(data, sizeof(float), (size_t)n, af.f);
    return yoso_atomic_file_close(&af, YOSO_OK);
}

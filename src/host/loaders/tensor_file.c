/* tensor_file.c — opens a checkpoint (mmap or memory), dispatches on its format, and converts
 * float tensors to float32. The format readers live in safetensors.c and torch_pickle.c. */
#include "tensor_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fp16.h"
#include "tensor_file_internal.h"

static const size_t k_dtype_sizes[YOSO_DTYPE_COUNT] = {
    [YOSO_DTYPE_F32] = 4, [YOSO_DTYPE_F16] = 2, [YOSO_DTYPE_BF16] = 2,
    [YOSO_DTYPE_I64] = 8, [YOSO_DTYPE_I32] = 4,
};
static const char *const k_dtype_names[YOSO_DTYPE_COUNT] = {
    [YOSO_DTYPE_F32] = "F32", [YOSO_DTYPE_F16] = "F16", [YOSO_DTYPE_BF16] = "BF16",
    [YOSO_DTYPE_I64] = "I64", [YOSO_DTYPE_I32] = "I32",
};

/* Bytes per element of a dtype (0 for an invalid value). */
size_t yoso_dtype_size(yoso_dtype dtype) {
    return (unsigned)dtype < YOSO_DTYPE_COUNT ? k_dtype_sizes[dtype] : 0;
}

/* The safetensors spelling of a dtype ("F32"…), or "?" for an invalid value. */
const char *yoso_dtype_name(yoso_dtype dtype) {
    return (unsigned)dtype < YOSO_DTYPE_COUNT ? k_dtype_names[dtype] : "?";
}

/* Multiplies the dimensions, returning -1 on a negative dimension or int64 overflow. */
int64_t yoso_shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        if (shape[i] != 0 && n > INT64_MAX / shape[i]) return -1;
        n *= shape[i];
    }
    return n;
}

/* Formats a shape as "[a, b, c]" into buf, truncating safely. */
void yoso_shape_format(int ndim, const int64_t *shape, char *buf, size_t cap) {
    size_t used = 0;
    if (cap == 0) return;
    buf[0] = '\0';
    used += (size_t)snprintf(buf + used, cap - used, "[");
    for (int i = 0; i < ndim && used < cap; i++)
        used +=
            (size_t)snprintf(buf + used, cap - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (used < cap) snprintf(buf + used, cap - used, "]");
}

/* Element count of a view. */
int64_t yoso_tensor_numel(const yoso_tensor_view *tensor) {
    return yoso_shape_numel(tensor->ndim, tensor->shape);
}

/* Appends a view, copying its name; the readers call this once per tensor. */
yoso_status yoso_tensor_file_add(yoso_tensor_file *file, const char *name, size_t name_len,
                                 yoso_dtype dtype, int ndim, const int64_t *shape, const void *data,
                                 size_t nbytes) {
    if (name_len == 0 || name_len > YOSO_TENSOR_MAX_NAME || memchr(name, '\0', name_len))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: a tensor name is empty, longer than %d bytes or holds a NUL byte: the checkpoint is corrupt",
            file->label, YOSO_TENSOR_MAX_NAME);
    if (ndim < 0 || ndim > YOSO_TENSOR_MAX_DIMS)
        return yoso_error(YOSO_ERR_INPUT,
                          "%s: tensor '%.*s' has %d dimensions, more than the %d supported",
                          file->label, (int)name_len, name, ndim, YOSO_TENSOR_MAX_DIMS);
    if (file->count >= YOSO_TENSOR_MAX_COUNT ||
        file->name_bytes + name_len > YOSO_TENSOR_MAX_NAME_BYTES)
        return yoso_error(YOSO_ERR_INPUT,
                          "%s: more than %u tensors or %u bytes of names: not a model checkpoint",
                          file->label, YOSO_TENSOR_MAX_COUNT, YOSO_TENSOR_MAX_NAME_BYTES);
    if (file->count == file->cap) {
        size_t cap = file->cap ? file->cap * 2 : 64;
        yoso_tensor_view *views = realloc(file->views, cap * sizeof *views);
        if (!views) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", file->label);
        file->views = views;
        file->cap = cap;
    }
    char *copy = malloc(name_len + 1);
    if (!copy) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", file->label);
    memcpy(copy, name, name_len);
    copy[name_len] = '\0';
    file->name_bytes += name_len;
    yoso_tensor_view *v = &file->views[file->count++];
    memset(v, 0, sizeof *v);
    v->name = copy;
    v->dtype = dtype;
    v->ndim = ndim;
    for (int i = 0; i < ndim; i++) v->shape[i] = shape[i];
    v->data = data;
    v->nbytes = nbytes;
    return YOSO_OK;
}

/* Allocates a zeroed buffer owned by the handle, keeping the total under the file's size. */
yoso_status yoso_tensor_file_own(yoso_tensor_file *file, size_t nbytes, void **out) {
    *out = NULL;
    if (nbytes > file->size || file->owned_bytes > file->size - nbytes)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: strided tensor views would need %zu more bytes, more than the file holds: the checkpoint is corrupt",
            file->label, nbytes);
    if (file->owned_count == file->owned_cap) {
        size_t cap = file->owned_cap ? file->owned_cap * 2 : 16;
        void **owned = realloc(file->owned, cap * sizeof *owned);
        if (!owned) return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", file->label);
        file->owned = owned;
        file->owned_cap = cap;
    }
    void *buf = calloc(nbytes ? nbytes : 1, 1);
    if (!buf)
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory (%zu bytes)", file->label, nbytes);
    file->owned[file->owned_count++] = buf;
    file->owned_bytes += nbytes;
    *out = buf;
    return YOSO_OK;
}

/* A name and its view index, sorted with qsort (which has no context argument). */
typedef struct tensor_name_ref {
    const char *name;
    size_t index;
} tensor_name_ref;

/* Orders name references by name, then index (so the order is total). */
static int tensor_file_cmp_ref(const void *a, const void *b) {
    const tensor_name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Builds the sorted name index and rejects duplicate names. */
static yoso_status tensor_file_index(yoso_tensor_file *file) {
    size_t n = file->count;
    tensor_name_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    file->sorted = malloc((n ? n : 1) * sizeof *file->sorted);
    if (!refs || !file->sorted) {
        free(refs);
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", file->label);
    }
    for (size_t i = 0; i < n; i++) refs[i] = (tensor_name_ref){file->views[i].name, i};
    qsort(refs, n, sizeof *refs, tensor_file_cmp_ref);
    for (size_t i = 0; i < n; i++) file->sorted[i] = refs[i].index;
    free(refs);
    for (size_t i = 1; i < n; i++) {
        const char *a = file->views[file->sorted[i - 1]].name;
        if (strcmp(a, file->views[file->sorted[i]].name) == 0)
            return yoso_error(YOSO_ERR_INPUT,
                              "%s: tensor '%s' appears twice: the checkpoint is corrupt",
                              file->label, a);
    }
    return YOSO_OK;
}

/* Detects the format from the first bytes and runs the matching reader. */
static yoso_status tensor_file_parse(yoso_tensor_file *file) {
    const uint8_t *b = file->base;
    if (file->size == 0)
        return yoso_error(YOSO_ERR_INPUT, "%s: the file is empty: re-download the checkpoint",
                          file->label);
    if (file->size >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) return yoso_torch_zip_read(file);
    if (file->size >= 4 && (memcmp(b, "PK\x05\x06", 4) == 0))
        return yoso_error(YOSO_ERR_INPUT, "%s: an empty zip archive, not a checkpoint",
                          file->label);
    if (b[0] == 0x80 && file->size >= 2 && b[1] <= 5)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: a legacy (pre-1.6, non-zip) torch.save file is unsupported: re-save it with torch.save in a current PyTorch or convert it to safetensors",
            file->label);
    if (file->size >= 9 && b[8] == '{') return yoso_safetensors_read(file);
    if (file->size < 9)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: only %zu bytes, too short for a safetensors header or a zip: the file is truncated",
            file->label, file->size);
    return yoso_error(
        YOSO_ERR_INPUT,
        "%s: neither a safetensors file nor a torch.save zip (unrecognized first bytes): pass model.safetensors or pytorch_model.bin",
        file->label);
}

/* Allocates a handle around bytes, parses them, and hands it out or frees it. */
static yoso_status tensor_file_open_bytes(const uint8_t *base, size_t size, int mapped,
                                          const char *label, yoso_tensor_file **out) {
    yoso_tensor_file *file = calloc(1, sizeof *file);
    char *copy = strdup(label);
    if (!file || !copy) {
        free(file);
        free(copy);
        if (mapped) munmap((void *)base, size);
        return yoso_error(YOSO_ERR_NO_MEMORY, "opening %s: out of memory", label);
    }
    file->base = base;
    file->size = size;
    file->mapped = mapped;
    file->label = copy;
    yoso_status st = tensor_file_parse(file);
    if (st == YOSO_OK) st = tensor_file_index(file);
    if (st != YOSO_OK) {
        yoso_tensor_file_close(file);
        return st;
    }
    *out = file;
    return YOSO_OK;
}

/* Maps the file read-only and parses it. */
yoso_status yoso_tensor_file_open(const char *path, yoso_tensor_file **out) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        yoso_status st = (errno == ENOENT || errno == ENOTDIR) ? YOSO_ERR_NOT_FOUND : YOSO_ERR_IO;
        return yoso_error(st, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return yoso_error(YOSO_ERR_IO, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return yoso_error(YOSO_ERR_INPUT, "%s is not a regular file: pass the checkpoint file",
                          path);
    }
    if (sb.st_size == 0) {
        close(fd);
        return yoso_error(YOSO_ERR_INPUT, "%s: the file is empty: re-download the checkpoint",
                          path);
    }
    size_t size = (size_t)sb.st_size;
    void *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (base == MAP_FAILED)
        return yoso_error(YOSO_ERR_IO, "cannot map %s (%zu bytes): %s", path, size, strerror(e));
    return tensor_file_open_bytes(base, size, 1, path, out);
}

/* Parses caller-owned bytes in place. */
yoso_status yoso_tensor_file_open_memory(const void *data, size_t size, yoso_tensor_file **out) {
    *out = NULL;
    if (!data && size) return yoso_error(YOSO_ERR_USAGE, "open_memory: NULL data");
    static const uint8_t empty[1];
    return tensor_file_open_bytes(data ? data : empty, size, 0, "<memory>", out);
}

/* Frees names, owned buffers and the mapping. */
void yoso_tensor_file_close(yoso_tensor_file *file) {
    if (!file) return;
    for (size_t i = 0; i < file->count; i++) free((char *)file->views[i].name);
    for (size_t i = 0; i < file->owned_count; i++) free(file->owned[i]);
    free(file->owned);
    free(file->views);
    free(file->sorted);
    if (file->mapped) munmap((void *)file->base, file->size);
    free(file->label);
    free(file);
}

size_t yoso_tensor_file_count(const yoso_tensor_file *file) {
    return file ? file->count : 0;
}

/* The index-th view in file order, or NULL past the end. */
const yoso_tensor_view *yoso_tensor_file_at(const yoso_tensor_file *file, size_t index) {
    return (file && index < file->count) ? &file->views[index] : NULL;
}

/* Binary search over the sorted name index. */
const yoso_tensor_view *yoso_tensor_file_find(const yoso_tensor_file *file, const char *name) {
    if (!file || !name || !file->sorted) return NULL;
    size_t lo = 0, hi = file->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const yoso_tensor_view *v = &file->views[file->sorted[mid]];
        int c = strcmp(v->name, name);
        if (c == 0) return v;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Floats per block of the float32 non-finite scan. */
#define TENSOR_SCAN_BLOCK 4096

/* Reports the first non-finite value of a tensor. */
static yoso_status tensor_not_finite(const yoso_tensor_view *t, int64_t i, int is_nan) {
    return yoso_error(
        YOSO_ERR_INPUT,
        "tensor '%s' holds %s at flat index %lld: the checkpoint is corrupt or overflowed its %s precision; re-export it in float32",
        t->name ? t->name : "?", is_nan ? "NaN" : "Inf", (long long)(t->first + i),
        yoso_dtype_name(t->dtype));
}

/* Converts F32/F16/BF16 to float32, reading unaligned data safely and refusing NaN/Inf. */
yoso_status yoso_tensor_to_f32(const yoso_tensor_view *tensor, float *dst) {
    int64_t n = yoso_tensor_numel(tensor);
    size_t es = yoso_dtype_size(tensor->dtype);
    const char *name = tensor->name ? tensor->name : "?";
    if (n < 0 || es == 0 || (uint64_t)n > tensor->nbytes / es || (n > 0 && !tensor->data))
        return yoso_error(YOSO_ERR_INPUT, "tensor '%s': its shape does not match its %zu bytes",
                          name, tensor->nbytes);
    const uint8_t *src = tensor->data;
    switch (tensor->dtype) {
    case YOSO_DTYPE_F32:
        /* one copy, then a branch-free scan per block for an all-ones exponent (Inf or NaN),
         * which vectorizes; only a block that has one is searched again for the first */
        memcpy(dst, src, (size_t)n * 4);
        for (int64_t b = 0; b < n; b += TENSOR_SCAN_BLOCK) {
            const int64_t e = n - b < TENSOR_SCAN_BLOCK ? n : b + TENSOR_SCAN_BLOCK;
            uint32_t bad = 0;
            for (int64_t i = b; i < e; i++) {
                uint32_t bits;
                memcpy(&bits, &dst[i], 4);
                bad |= (~bits & 0x7f800000u) == 0;
            }
            for (int64_t i = b; bad && i < e; i++) {
                uint32_t bits;
                memcpy(&bits, &dst[i], 4);
                if ((~bits & 0x7f800000u) == 0)
                    return tensor_not_finite(tensor, i, (bits & 0x7fffffu) != 0);
            }
        }
        return YOSO_OK;
    case YOSO_DTYPE_F16:
    case YOSO_DTYPE_BF16: {
        /* the exponent (all ones: Inf or NaN) and mantissa bits of each 16-bit format */
        const int bf16 = tensor->dtype == YOSO_DTYPE_BF16;
        const uint16_t exponent = bf16 ? 0x7f80u : 0x7c00u, mantissa = bf16 ? 0x7fu : 0x3ffu;
        for (int64_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, src + 2 * i, 2);
            if ((h & exponent) == exponent)
                return tensor_not_finite(tensor, i, (h & mantissa) != 0);
            const uint32_t bits = (uint32_t)h << 16; /* bf16: the top half of a float32 */
            if (bf16)
                memcpy(&dst[i], &bits, 4);
            else
                dst[i] = yoso_half_to_float(h);
        }
        return YOSO_OK;
    }
    default:
        return yoso_error(
            YOSO_ERR_INPUT,
            "tensor '%s' has dtype %s, not a float type: the checkpoint does not match the model",
            name, yoso_dtype_name(tensor->dtype));
    }
}

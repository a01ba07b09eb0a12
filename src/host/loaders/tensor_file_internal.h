/* tensor_file_internal.h — what the checkpoint readers (safetensors, torch zip + pickle) share. */
#ifndef YOSO_TENSOR_FILE_INTERNAL_H
#define YOSO_TENSOR_FILE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tensor_file.h"

/* Hard limits that keep hostile files from making us allocate or loop without bound. */
#define YOSO_SAFETENSORS_MAX_HEADER (100u * 1024u * 1024u) /* bytes of JSON header */
#define YOSO_PICKLE_MAX_BYTES (64u * 1024u * 1024u)        /* bytes of data.pkl */
#define YOSO_TENSOR_MAX_COUNT (1u << 20)                   /* tensors in one file */
#define YOSO_TENSOR_MAX_NAME 4096                          /* bytes in one tensor name */
#define YOSO_TENSOR_MAX_NAME_BYTES (16u * 1024u * 1024u)   /* bytes in all names together */

struct yoso_tensor_file {
    const uint8_t *base; /* [size] the whole file: mapped, or the caller's memory */
    size_t size;
    int mapped;              /* 1: munmap(base, size) on close */
    char *label;             /* the path, or "<memory>", for messages */
    yoso_tensor_view *views; /* [count] in file order; names malloc'ed */
    size_t count, cap;
    size_t name_bytes; /* sum of name lengths, capped */
    size_t *sorted;    /* [count] indices of views sorted by name, for find */
    void **owned;      /* [owned_count] buffers of materialized (non-contiguous) tensors */
    size_t owned_count, owned_cap;
    size_t owned_bytes; /* sum of owned buffer sizes, capped at the file size */
};

/* Appends a view named by the first name_len bytes of name (copied); data/nbytes as given. */
yoso_status yoso_tensor_file_add(yoso_tensor_file *file, const char *name, size_t name_len,
                                 yoso_dtype dtype, int ndim, const int64_t *shape, const void *data,
                                 size_t nbytes);
/* Allocates a zeroed buffer of nbytes that the handle owns and frees on close. */
yoso_status yoso_tensor_file_own(yoso_tensor_file *file, size_t nbytes, void **out);

/* Element count of a shape, or -1 if the product overflows int64 or a dimension is negative. */
int64_t yoso_shape_numel(int ndim, const int64_t *shape);
/* Writes "[2, 3]" into buf (always NUL-terminated). */
void yoso_shape_format(int ndim, const int64_t *shape, char *buf, size_t cap);

/* Reads the views of a safetensors file held in file->base. */
yoso_status yoso_safetensors_read(yoso_tensor_file *file);
/* Reads the views of a torch.save zip held in file->base. */
yoso_status yoso_torch_zip_read(yoso_tensor_file *file);

/* ---- zip (stored entries only) ---- */

typedef struct yoso_zip_entry {
    const char *name; /* points into the file; not NUL-terminated */
    size_t name_len;
    const uint8_t *data; /* [size] the stored bytes, inside the file */
    uint64_t size;
} yoso_zip_entry;

typedef struct yoso_zip {
    yoso_zip_entry *entries; /* [count] in central-directory order */
    size_t *sorted;          /* [count] indices sorted by name, for find */
    size_t count;
} yoso_zip;

/* Parses the central directory of the zip in [base, base + size); label names it in messages. */
yoso_status yoso_zip_open(const uint8_t *base, size_t size, const char *label, yoso_zip *zip);
/* The entry named exactly name (len bytes), or NULL. */
const yoso_zip_entry *yoso_zip_find(const yoso_zip *zip, const char *name, size_t len);
void yoso_zip_release(yoso_zip *zip);

/* ---- torch pickle ---- */

/* Runs the restricted unpickler over data.pkl (pkl, len bytes), resolving storages as
 * "<prefix>/data/<key>" in zip, and adds one view per state-dict entry to file. */
yoso_status yoso_torch_pickle_read(yoso_tensor_file *file, const yoso_zip *zip, const char *prefix,
                                   const uint8_t *pkl, size_t len);

#endif

/* zip_reader.c — a minimal reader of the zip archives torch.save writes: the central directory,
 * stored (uncompressed) entries, zip64 records when present; every offset is bounds-checked. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tensor_file_internal.h"

#define ZIP_EOCD_SIG 0x06054b50u
#define ZIP64_LOCATOR_SIG 0x07064b50u
#define ZIP64_EOCD_SIG 0x06064b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_EOCD_SIZE 22u
#define ZIP_CENTRAL_SIZE 46u
#define ZIP_LOCAL_SIZE 30u

/* Little-endian loads; callers have checked the bounds. */
static uint16_t zip_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
static uint32_t zip_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t zip_u64(const uint8_t *p) {
    return (uint64_t)zip_u32(p) | ((uint64_t)zip_u32(p + 4) << 32);
}

/* True if [off, off + len) lies inside a buffer of size bytes (overflow-safe). */
static int zip_in_bounds(uint64_t off, uint64_t len, uint64_t size) {
    return off <= size && len <= size - off;
}

/* Where the central directory is, as the end records say. */
typedef struct zip_directory {
    uint64_t offset, size, count;
    uint64_t end; /* the central directory must end at or before this offset */
} zip_directory;

/* Finds the end-of-central-directory record (and zip64's, if present). */
static yoso_status zip_find_directory(const uint8_t *b, size_t size, const char *label,
                                      zip_directory *dir) {
    if (size < ZIP_EOCD_SIZE)
        return yoso_error(YOSO_ERR_INPUT,
                          "%s: %zu bytes is too short for a zip archive: the file is truncated",
                          label, size);
    size_t lowest = size - ZIP_EOCD_SIZE > 65535u ? size - ZIP_EOCD_SIZE - 65535u : 0;
    size_t pos = size - ZIP_EOCD_SIZE;
    for (;;) {
        if (zip_u32(b + pos) == ZIP_EOCD_SIG && pos + ZIP_EOCD_SIZE + zip_u16(b + pos + 20) <= size)
            break;
        if (pos == lowest)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: no zip end-of-central-directory record: the file is truncated or not a torch.save zip; re-download it",
                label);
        pos--;
    }
    const uint8_t *e = b + pos;
    if (zip_u16(e + 4) != 0 || zip_u16(e + 6) != 0)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: multi-disk zip archives are unsupported: re-save the checkpoint with torch.save",
            label);
    dir->count = zip_u16(e + 10);
    dir->size = zip_u32(e + 12);
    dir->offset = zip_u32(e + 16);
    dir->end = pos;
    /* zip64: a locator sits right before the classic record. */
    if (pos >= 20 && zip_u32(b + pos - 20) == ZIP64_LOCATOR_SIG) {
        const uint8_t *loc = b + pos - 20;
        uint64_t off64 = zip_u64(loc + 8);
        if (zip_u32(loc + 4) != 0 || zip_u32(loc + 16) > 1)
            return yoso_error(YOSO_ERR_UNSUPPORTED, "%s: multi-disk zip64 archives are unsupported",
                              label);
        if (!zip_in_bounds(off64, 56, pos - 20) || zip_u32(b + off64) != ZIP64_EOCD_SIG)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: the zip64 end record is missing or out of bounds: the file is corrupt", label);
        const uint8_t *z = b + off64;
        if (zip_u32(z + 16) != 0 || zip_u32(z + 20) != 0)
            return yoso_error(YOSO_ERR_UNSUPPORTED, "%s: multi-disk zip64 archives are unsupported",
                              label);
        dir->count = zip_u64(z + 32);
        dir->size = zip_u64(z + 40);
        dir->offset = zip_u64(z + 48);
        dir->end = off64;
    } else if (dir->count == 0xffffu || dir->size == 0xffffffffu || dir->offset == 0xffffffffu) {
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the zip needs zip64 records but has none: the file is truncated or corrupt",
            label);
    }
    if (!zip_in_bounds(dir->offset, dir->size, dir->end))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the zip central directory (offset %llu, %llu bytes) lies outside the file: the file is truncated or corrupt",
            label, (unsigned long long)dir->offset, (unsigned long long)dir->size);
    if (dir->count > dir->size / ZIP_CENTRAL_SIZE)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the zip claims %llu entries, more than its central directory can hold: the file is corrupt",
            label, (unsigned long long)dir->count);
    return YOSO_OK;
}

/* Applies a zip64 extended-information extra field to the values that were saturated. */
static int zip_apply_zip64_extra(const uint8_t *extra, size_t len, uint64_t *usize, uint64_t *csize,
                                 uint64_t *offset) {
    size_t p = 0;
    while (p + 4 <= len) {
        uint16_t id = zip_u16(extra + p), sz = zip_u16(extra + p + 2);
        if (sz > len - p - 4) return 0;
        if (id == 0x0001) {
            const uint8_t *f = extra + p + 4;
            size_t q = 0;
            uint64_t *fields[3] = {usize, csize, offset};
            for (int i = 0; i < 3; i++) {
                if (*fields[i] != 0xffffffffu) continue;
                if (q + 8 > sz) return 0;
                *fields[i] = zip_u64(f + q);
                q += 8;
            }
            return 1;
        }
        p += 4u + sz;
    }
    return 1;
}

/* Reads one central-directory record at *pos and resolves its local header and data. */
static yoso_status zip_read_entry(const uint8_t *b, size_t size, const char *label,
                                  const zip_directory *dir, uint64_t *pos, yoso_zip_entry *out) {
    uint64_t cd_end = dir->offset + dir->size;
    if (!zip_in_bounds(*pos, ZIP_CENTRAL_SIZE, cd_end) || zip_u32(b + *pos) != ZIP_CENTRAL_SIG)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: a zip central-directory record is missing or cut short: the file is corrupt",
            label);
    const uint8_t *c = b + *pos;
    uint16_t flags = zip_u16(c + 8), method = zip_u16(c + 10);
    uint64_t csize = zip_u32(c + 20), usize = zip_u32(c + 24);
    uint16_t nlen = zip_u16(c + 28), xlen = zip_u16(c + 30), clen = zip_u16(c + 32);
    uint64_t local = zip_u32(c + 42);
    if (!zip_in_bounds(*pos + ZIP_CENTRAL_SIZE, (uint64_t)nlen + xlen + clen, cd_end))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: a zip entry name runs past the central directory: the file is corrupt", label);
    const char *name = (const char *)c + ZIP_CENTRAL_SIZE;
    if (!zip_apply_zip64_extra(c + ZIP_CENTRAL_SIZE + nlen, xlen, &usize, &csize, &local))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: zip entry '%.*s' has a malformed zip64 extra field: the file is corrupt", label,
            (int)nlen, name);
    *pos += ZIP_CENTRAL_SIZE + (uint64_t)nlen + xlen + clen;
    if (flags & 0x41u)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: zip entry '%.*s' is encrypted, which is unsupported: re-save the checkpoint with torch.save",
            label, (int)nlen, name);
    if (method != 0)
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: zip entry '%.*s' is compressed (method %u), which is unsupported: torch.save writes stored entries; re-save the checkpoint with torch.save or convert it to safetensors",
            label, (int)nlen, name, method);
    if (csize != usize)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: stored zip entry '%.*s' has different compressed and uncompressed sizes: the file is corrupt",
            label, (int)nlen, name);
    if (!zip_in_bounds(local, ZIP_LOCAL_SIZE, dir->offset) || zip_u32(b + local) != ZIP_LOCAL_SIG)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: zip entry '%.*s' has no local header at offset %llu: the file is truncated or corrupt",
            label, (int)nlen, name, (unsigned long long)local);
    uint16_t lnlen = zip_u16(b + local + 26), lxlen = zip_u16(b + local + 28);
    uint64_t data = local + ZIP_LOCAL_SIZE + lnlen + lxlen;
    if (lnlen != nlen || !zip_in_bounds(local + ZIP_LOCAL_SIZE, lnlen, size) ||
        memcmp(b + local + ZIP_LOCAL_SIZE, name, nlen) != 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: zip entry '%.*s' has a local header with another name: the file is corrupt", label,
            (int)nlen, name);
    if (!zip_in_bounds(data, usize, dir->offset))
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: zip entry '%.*s' (%llu bytes) runs past the end of the data: the file is truncated or corrupt",
            label, (int)nlen, name, (unsigned long long)usize);
    out->name = name;
    out->name_len = nlen;
    out->data = b + data;
    out->size = usize;
    (void)size;
    return YOSO_OK;
}

/* Compares two names of given lengths like strcmp. */
static int zip_name_cmp(const char *a, size_t alen, const char *b, size_t blen) {
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return (alen > blen) - (alen < blen);
}

/* A name and its entry index, for qsort. */
typedef struct zip_name_ref {
    const char *name;
    size_t len, index;
} zip_name_ref;

/* Orders name references by name. */
static int zip_cmp_ref(const void *a, const void *b) {
    const zip_name_ref *x = a, *y = b;
    int c = zip_name_cmp(x->name, x->len, y->name, y->len);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Parses every central-directory entry and builds the sorted name index. */
yoso_status yoso_zip_open(const uint8_t *base, size_t size, const char *label, yoso_zip *zip) {
    memset(zip, 0, sizeof *zip);
    zip_directory dir = {0};
    yoso_status st = zip_find_directory(base, size, label, &dir);
    if (st != YOSO_OK) return st;
    size_t n = (size_t)dir.count;
    zip_name_ref *refs = NULL;
    zip->entries = calloc(n ? n : 1, sizeof *zip->entries);
    zip->sorted = calloc(n ? n : 1, sizeof *zip->sorted);
    refs = calloc(n ? n : 1, sizeof *refs);
    if (!zip->entries || !zip->sorted || !refs) {
        st = yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory", label);
        goto fail;
    }
    uint64_t pos = dir.offset;
    for (size_t i = 0; i < n; i++) {
        st = zip_read_entry(base, size, label, &dir, &pos, &zip->entries[i]);
        if (st != YOSO_OK) goto fail;
        refs[i] = (zip_name_ref){zip->entries[i].name, zip->entries[i].name_len, i};
    }
    zip->count = n;
    qsort(refs, n, sizeof *refs, zip_cmp_ref);
    for (size_t i = 0; i < n; i++) zip->sorted[i] = refs[i].index;
    for (size_t i = 1; i < n; i++)
        if (zip_name_cmp(refs[i - 1].name, refs[i - 1].len, refs[i].name, refs[i].len) == 0) {
            st = yoso_error(YOSO_ERR_INPUT,
                            "%s: zip entry '%.*s' appears twice: the file is corrupt", label,
                            (int)refs[i].len, refs[i].name);
            goto fail;
        }
    free(refs);
    return YOSO_OK;
fail:
    free(refs);
    yoso_zip_release(zip);
    return st;
}

/* Binary search over the sorted names. */
const yoso_zip_entry *yoso_zip_find(const yoso_zip *zip, const char *name, size_t len) {
    size_t lo = 0, hi = zip->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const yoso_zip_entry *e = &zip->entries[zip->sorted[mid]];
        int c = zip_name_cmp(e->name, e->name_len, name, len);
        if (c == 0) return e;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Frees the entry tables (the entries point into the file, which the caller owns). */
void yoso_zip_release(yoso_zip *zip) {
    free(zip->entries);
    free(zip->sorted);
    memset(zip, 0, sizeof *zip);
}

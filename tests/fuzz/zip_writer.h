/* zip_writer.h — builds a stored (uncompressed) zip in memory, the layout torch.save writes.
 * Header-only; used by the pickle fuzz target and by the error tests to wrap a data.pkl. */
#ifndef YOSO_ZIP_WRITER_H
#define YOSO_ZIP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct zw_entry {
    const char *name; /* e.g. "archive/data.pkl" */
    const void *data; /* [size] bytes, stored as they are */
    size_t size;
} zw_entry;

/* CRC-32 (IEEE, reflected) of n bytes, bit by bit: small inputs only. */
static inline uint32_t zw_crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* Appends a little-endian integer of `bytes` bytes at *at. */
static inline void zw_put(uint8_t *buf, size_t *at, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; i++) buf[(*at)++] = (uint8_t)(v >> (8 * i));
}

/* Writes one local (central = 0) or central-directory (central = 1) header. */
static inline void zw_header(uint8_t *buf, size_t *at, const zw_entry *e, uint32_t crc,
                             uint32_t offset, int central) {
    size_t nlen = strlen(e->name);
    zw_put(buf, at, central ? 0x02014b50u : 0x04034b50u, 4);
    if (central) zw_put(buf, at, 20, 2); /* version made by */
    zw_put(buf, at, 20, 2);              /* version needed */
    zw_put(buf, at, 0, 2);               /* flags */
    zw_put(buf, at, 0, 2);               /* method: stored */
    zw_put(buf, at, 0, 4);               /* time, date */
    zw_put(buf, at, crc, 4);
    zw_put(buf, at, (uint32_t)e->size, 4);
    zw_put(buf, at, (uint32_t)e->size, 4);
    zw_put(buf, at, (uint32_t)nlen, 2);
    zw_put(buf, at, 0, 2); /* extra length */
    if (central) {
        zw_put(buf, at, 0, 2); /* comment length */
        zw_put(buf, at, 0, 4); /* disk, internal attributes */
        zw_put(buf, at, 0, 4); /* external attributes */
        zw_put(buf, at, offset, 4);
    }
    memcpy(buf + *at, e->name, nlen);
    *at += nlen;
}

/* Returns a malloc'ed zip holding the n entries in order (*size bytes), or NULL. */
static inline uint8_t *zw_build(const zw_entry *entries, int n, size_t *size) {
    size_t cap = 22;
    for (int i = 0; i < n; i++) cap += 30 + 46 + 2 * strlen(entries[i].name) + entries[i].size;
    uint8_t *buf = malloc(cap);                          /* [cap] the archive */
    uint32_t *offsets = malloc((size_t)(n ? n : 1) * 4); /* [n] local header offsets */
    uint32_t *crcs = malloc((size_t)(n ? n : 1) * 4);    /* [n] */
    if (!buf || !offsets || !crcs) {
        free(buf);
        free(offsets);
        free(crcs);
        return NULL;
    }
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        offsets[i] = (uint32_t)at;
        crcs[i] = zw_crc32(entries[i].data, entries[i].size);
        zw_header(buf, &at, &entries[i], crcs[i], 0, 0);
        if (entries[i].size) memcpy(buf + at, entries[i].data, entries[i].size);
        at += entries[i].size;
    }
    size_t dir = at;
    for (int i = 0; i < n; i++) zw_header(buf, &at, &entries[i], crcs[i], offsets[i], 1);
    size_t dir_size = at - dir;
    zw_put(buf, &at, 0x06054b50u, 4);
    zw_put(buf, &at, 0, 4); /* disk numbers */
    zw_put(buf, &at, (uint32_t)n, 2);
    zw_put(buf, &at, (uint32_t)n, 2);
    zw_put(buf, &at, (uint32_t)dir_size, 4);
    zw_put(buf, &at, (uint32_t)dir, 4);
    zw_put(buf, &at, 0, 2); /* comment length */
    free(offsets);
    free(crcs);
    *size = at;
    return buf;
}

#endif

/* weight_cache.c — packed nn.Linear weights on disk (weight_cache.h). An entry's file:
 *   "YOSOPKW1", u64 key length, the key (text), u64 count,
 *   count × {u64 n, k, offset, bytes, descriptor length}, the descriptors (each padded to 8),
 *   u64 FNV-1a of everything before it, zeros to a multiple of 4096,
 *   then the matrices, each at a 4096-aligned offset.
 * Only the header is checked when the entry is opened (the matrices are not read until the first
 * forward touches them); a torn entry cannot exist, as entries are written whole and renamed. */
#include "weight_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "file_io.h"
#include "gemm.h"
#include "program_cache.h"

#define WCACHE_ALIGN ((size_t)4096)
#define WCACHE_FIELDS 5 /* u64 fields of one matrix record */

static const char k_wcache_magic[8] = {'Y', 'O', 'S', 'O', 'P', 'K', 'W', '1'};

/* One matrix of the model, in load order: taken from the entry or packed now. */
typedef struct wcache_record {
    cl_mem buf; /* the model's buffer (not owned) */
    size_t n, k, bytes;
} wcache_record;

struct yoso_weight_cache {
    yoso_context *ctx;
    char path[4200]; /* the entry's file */
    char *key;       /* what the entry must have been written for */
    unsigned char *map;
    size_t map_size;           /* the mapped entry (NULL: none, or not valid) */
    uint64_t count;            /* matrices in the mapped entry */
    const unsigned char *recs; /* [count][WCACHE_FIELDS] u64 */
    const unsigned char *desc; /* the next matrix's descriptor */
    size_t next;               /* matrices taken so far */
    int miss;                  /* a matrix was packed now: write a new entry */
    wcache_record *all;        /* [n_all] every matrix so far */
    size_t n_all, cap_all;
};

/* Rounds x up to a multiple of a (a power of two). */
static size_t wcache_round(size_t x, size_t a) {
    return (x + a - 1) & ~(a - 1);
}

/* u64 field f of matrix record i of the mapped entry. */
static uint64_t wcache_field(const yoso_weight_cache *c, size_t i, int f) {
    uint64_t v;
    memcpy(&v, c->recs + (i * WCACHE_FIELDS + (size_t)f) * 8, 8);
    return v;
}

/* Builds c->key and c->path from the checkpoint's identity, the device and the backend; 0 when
 * the checkpoint cannot be resolved. */
static int wcache_identify(yoso_weight_cache *c, const char *weights_path) {
    const yoso_context *ctx = c->ctx;
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(weights_path, real) || stat(real, &st) != 0) return 0;
    const char *fmt = "yoso packed weights\nweights %s\nsize %lld\nmtime %lld.%09ld\n"
                      "ctime %lld.%09ld\ninode %llu:%llu\ndevice %s\nplatform %s\ndriver %s\n"
                      "gemm %s\n";
#define WCACHE_KEY_ARGS                                                                            \
    real, (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,                 \
        (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, (unsigned long long)st.st_dev,           \
        (unsigned long long)st.st_ino, ctx->info.name, ctx->info.platform_version,                 \
        ctx->info.driver_version, yoso_gemm_backend_name(ctx->gemm)
    const int len = snprintf(NULL, 0, fmt, WCACHE_KEY_ARGS);
    if (len < 0 || !(c->key = malloc((size_t)len + 1))) return 0;
    snprintf(c->key, (size_t)len + 1, fmt, WCACHE_KEY_ARGS);
#undef WCACHE_KEY_ARGS
    /* One entry per checkpoint, device and backend: a changed checkpoint replaces its entry. */
    const char *tail = strstr(c->key, "\ndevice ");
    const uint64_t h =
        yoso_fnv1a(yoso_fnv1a(YOSO_FNV_OFFSET, real, strlen(real)), tail, strlen(tail));
    snprintf(c->path, sizeof c->path, "%s/weights/%016llx.bin", ctx->cache_dir,
             (unsigned long long)h);
    return 1;
}

/* 1 when the entry's bytes p [size] are a valid entry for key: magic, key, matrix records
 * inside the file and the header's checksum. *count and *recs: its matrices. */
static int wcache_valid(const unsigned char *p, size_t size, const char *key, uint64_t *count,
                        const unsigned char **recs) {
    const size_t key_len = strlen(key);
    uint64_t stored_len, n, sum;
    size_t at = 16;
    if (size < 32 || memcmp(p, k_wcache_magic, 8) != 0) return 0;
    memcpy(&stored_len, p + 8, 8);
    if (stored_len != key_len || size - at < key_len + 8 || memcmp(p + at, key, key_len)) return 0;
    at += key_len;
    memcpy(&n, p + at, 8);
    at += 8;
    if (n == 0 || n > (size - at) / (WCACHE_FIELDS * 8)) return 0;
    *recs = p + at;
    *count = n;
    at += n * WCACHE_FIELDS * 8;
    for (size_t i = 0; i < n; i++) {
        uint64_t rec[WCACHE_FIELDS];
        memcpy(rec, *recs + i * sizeof rec, sizeof rec);
        if (rec[2] % WCACHE_ALIGN || rec[2] > size || rec[3] > size - rec[2] || rec[4] > size - at)
            return 0;
        at += wcache_round(rec[4], 8);
    }
    if (at > size - 8) return 0;
    memcpy(&sum, p + at, 8);
    return yoso_fnv1a(YOSO_FNV_OFFSET, p, at) == sum;
}

/* Maps c->path when it is a valid entry for c->key (else leaves c->map NULL). Private and
 * writable, so that nothing a driver might write reaches the file or faults. */
static void wcache_map(yoso_weight_cache *c) {
    const int fd = open(c->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    void *base = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size > 32)
        base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return;
    if (!wcache_valid(base, (size_t)st.st_size, c->key, &c->count, &c->recs)) {
        munmap(base, (size_t)st.st_size);
        c->count = 0;
        return;
    }
    c->map = base;
    c->map_size = (size_t)st.st_size;
    c->desc = c->recs + c->count * WCACHE_FIELDS * 8;
}

yoso_status yoso_weight_cache_open(yoso_context *ctx, const char *weights_path,
                                   yoso_weight_cache **out) {
    *out = NULL;
    if (!ctx->cache_dir[0] || !yoso_gemm_packs_weights(ctx->gemm)) return YOSO_OK;
    yoso_weight_cache *c = calloc(1, sizeof *c);
    if (!c) return yoso_error_oom();
    c->ctx = ctx;
    if (!wcache_identify(c, weights_path)) {
        yoso_weight_cache_free(c);
        return YOSO_OK;
    }
    wcache_map(c);
    c->miss = c->map == NULL;
    *out = c;
    return YOSO_OK;
}

/* Appends a matrix to c->all. */
static yoso_status wcache_append(yoso_weight_cache *c, cl_mem buf, size_t n, size_t k,
                                 size_t bytes) {
    if (c->n_all == c->cap_all) {
        const size_t cap = c->cap_all ? 2 * c->cap_all : 64;
        wcache_record *grown = realloc(c->all, cap * sizeof *grown);
        if (!grown) return yoso_error_oom();
        c->all = grown;
        c->cap_all = cap;
    }
    c->all[c->n_all++] = (wcache_record){buf, n, k, bytes};
    return YOSO_OK;
}

int yoso_weight_cache_take(yoso_weight_cache *c, size_t n, size_t k, cl_mem *out, size_t *bytes) {
    *out = NULL;
    if (c->miss || c->next >= c->count) return c->miss = 1, 0;
    const size_t i = c->next;
    const void *want_desc = NULL;
    size_t want_len = 0, want_bytes = 0;
    const uint64_t dlen = wcache_field(c, i, 4), size = wcache_field(c, i, 3);
    if (wcache_field(c, i, 0) != n || wcache_field(c, i, 1) != k ||
        yoso_gemm_pack_layout(c->ctx->gemm, n, k, &want_desc, &want_len, &want_bytes) != YOSO_OK ||
        size != want_bytes || !yoso_gemm_pack_layout_equal(c->ctx->gemm, n, k, c->desc, dlen)) {
        yoso_error_clear();
        return c->miss = 1, 0;
    }
    cl_int err;
    cl_mem buf = clCreateBuffer(c->ctx->context, CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, size,
                                c->map + wcache_field(c, i, 2), &err);
    if (err != CL_SUCCESS || wcache_append(c, buf, n, k, size) != YOSO_OK) {
        if (buf) clReleaseMemObject(buf);
        yoso_error_clear();
        return c->miss = 1, 0;
    }
    c->desc += wcache_round(dlen, 8);
    c->next++;
    *out = buf;
    *bytes = size;
    return 1;
}

yoso_status yoso_weight_cache_add(yoso_weight_cache *c, cl_mem buf, size_t n, size_t k) {
    const void *desc = NULL;
    size_t desc_len = 0, bytes = 0;
    c->miss = 1;
    yoso_status status = yoso_gemm_pack_layout(c->ctx->gemm, n, k, &desc, &desc_len, &bytes);
    if (status == YOSO_OK) status = wcache_append(c, buf, n, k, bytes);
    return status;
}

int yoso_weight_cache_hit(const yoso_weight_cache *c) {
    return c && !c->miss && c->next == c->count;
}

/* Writes n zero bytes to f. */
static void wcache_zeros(FILE *f, size_t n) {
    static const unsigned char zeros[WCACHE_ALIGN];
    for (; n > 0; n -= n < WCACHE_ALIGN ? n : WCACHE_ALIGN)
        fwrite(zeros, 1, n < WCACHE_ALIGN ? n : WCACHE_ALIGN, f);
}

/* The header of an entry of c->all (matrices from its first 4096-aligned offset on), malloc'ed
 * into *out [*len]. */
static yoso_status wcache_header(yoso_weight_cache *c, unsigned char **out, size_t *len) {
    yoso_status status = YOSO_OK;
    const size_t key_len = strlen(c->key);
    const void *desc = NULL;
    size_t dlen = 0, bytes = 0, descs = 0;
    unsigned char *h = NULL;
    for (size_t i = 0; i < c->n_all; i++) {
        YOSO_TRY(
            yoso_gemm_pack_layout(c->ctx->gemm, c->all[i].n, c->all[i].k, &desc, &dlen, &bytes));
        descs += wcache_round(dlen, 8);
    }
    const size_t size = 8 + 8 + key_len + 8 + c->n_all * WCACHE_FIELDS * 8 + descs + 8;
    unsigned char *p = h = calloc(1, size);
    if (!h) return yoso_error_oom();
    const uint64_t klen = key_len, count = c->n_all;
    memcpy(p, k_wcache_magic, 8), p += 8;
    memcpy(p, &klen, 8), p += 8;
    memcpy(p, c->key, key_len), p += key_len;
    memcpy(p, &count, 8), p += 8;
    uint64_t offset = wcache_round(size, WCACHE_ALIGN);
    unsigned char *dp = p + c->n_all * WCACHE_FIELDS * 8;
    for (size_t i = 0; i < c->n_all; i++) {
        YOSO_TRY(
            yoso_gemm_pack_layout(c->ctx->gemm, c->all[i].n, c->all[i].k, &desc, &dlen, &bytes));
        const uint64_t rec[WCACHE_FIELDS] = {c->all[i].n, c->all[i].k, offset, c->all[i].bytes,
                                             dlen};
        memcpy(p, rec, sizeof rec), p += sizeof rec;
        memcpy(dp, desc, dlen), dp += wcache_round(dlen, 8);
        offset += wcache_round(c->all[i].bytes, WCACHE_ALIGN);
    }
    const uint64_t sum = yoso_fnv1a(YOSO_FNV_OFFSET, h, (size_t)(dp - h));
    memcpy(dp, &sum, 8);
    *out = h;
    *len = size;
    return YOSO_OK;
fail:
    free(h);
    return status;
}

/* Writes every matrix of c->all to a new entry at c->path. */
static yoso_status wcache_write(yoso_weight_cache *c) {
    yoso_status status = YOSO_OK;
    unsigned char *header = NULL;
    size_t header_len = 0;
    yoso_atomic_file af = {0};
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/weights", c->ctx->cache_dir);
    if (!yoso_make_dirs(dir))
        return yoso_error(YOSO_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    YOSO_TRY(wcache_header(c, &header, &header_len));
    YOSO_TRY(yoso_atomic_file_open(&af, c->path, 0));
    fwrite(header, 1, header_len, af.f);
    wcache_zeros(af.f, wcache_round(header_len, WCACHE_ALIGN) - header_len);
    for (size_t i = 0; i < c->n_all && status == YOSO_OK; i++) {
        const wcache_record *r = &c->all[i];
        cl_int err;
        void *p = clEnqueueMapBuffer(c->ctx->queue, r->buf, CL_TRUE, CL_MAP_READ, 0, r->bytes, 0,
                                     NULL, NULL, &err);
        if (err != CL_SUCCESS) {
            status = yoso_cl_fail(err, "clEnqueueMapBuffer(cached weights)", __FILE__, __LINE__);
            break;
        }
        fwrite(p, 1, r->bytes, af.f);
        clEnqueueUnmapMemObject(c->ctx->queue, r->buf, p, 0, NULL, NULL);
        wcache_zeros(af.f, wcache_round(r->bytes, WCACHE_ALIGN) - r->bytes);
    }
    status = yoso_atomic_file_close(&af, status);
fail:
    free(header);
    return status;
}

void yoso_weight_cache_finish(yoso_weight_cache *c) {
    if (!c || !c->miss || c->n_all == 0) return;
    const double t0 = yoso_now();
    errno = 0;
    if (wcache_write(c) != YOSO_OK) {
        const int e = errno;
        yoso_cache_warn_unwritable(c->ctx->cache_dir, e ? strerror(e) : yoso_last_error());
        yoso_error_clear();
        return;
    }
    if (c->ctx->verbose)
        fprintf(stderr, "yoso: packed weights kept in %s for the next start (%.2f s)\n", c->path,
                yoso_now() - t0);
}

void yoso_weight_cache_free(yoso_weight_cache *c) {
    if (!c) return;
    if (c->map) munmap(c->map, c->map_size);
    free(c->all);
    free(c->key);
    free(c);
}

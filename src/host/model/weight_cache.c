/* weight_cache.c — packed weights on disk (weight_cache.h). An entry's file:
 *   "YOSOPKW2", u64 key length, the key (text), u64 count,
 *   count × {u64 n, k, offset, bytes, descriptor length}, the descriptors (each padded to 8),
 *   zeros to a multiple of 4096, then the matrices, each at a 4096-aligned offset.
 * The header is a function of the key and the layouts alone, so an entry is valid when its
 * header is byte for byte the one this process would write and its size is the one that header
 * gives. A new entry is a temp file beside it, renamed into place once every matrix is in it:
 * an entry under the final name is never partly written. */
#include "weight_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

static const char k_wcache_magic[8] = {'Y', 'O', 'S', 'O', 'P', 'K', 'W', '2'};

struct yoso_weight_cache {
    yoso_context *ctx;
    char path[4200]; /* the entry */
    char tmp[4300];  /* a new entry being written ("" when none) */
    char *key;       /* what the entry must have been written for */
    size_t count;
    size_t *offset, *bytes; /* [count] each matrix's place in the file */
    unsigned char *header;  /* [header_len] the header this process would write */
    size_t header_len, size;
    unsigned char *map; /* [size] the entry, mapped privately (a new one as it is written) */
    int fd;             /* a new entry's temp file, until finished; else −1 */
    int hit;
    int failed;            /* a new entry could not be written: it is removed at the end */
    unsigned char *packed; /* [packed_cap] a new matrix, packed, before it is written */
    size_t packed_cap;
};

/* Rounds x up to a multiple of a (a power of two). */
static size_t wcache_round(size_t x, size_t a) {
    return (x + a - 1) & ~(a - 1);
}

/* Builds c->key and c->path from the checkpoint's identity, the device and the backend; 0 when
 * the checkpoint cannot be resolved or memory is short. */
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

/* Lays out the entry of shapes[count]: c->header, each matrix's offset and bytes, c->size. */
static yoso_status wcache_layout(yoso_weight_cache *c, const yoso_packed_shape *shapes) {
    yoso_status status = YOSO_OK;
    const size_t key_len = strlen(c->key);
    const void *desc = NULL;
    size_t dlen = 0, descs = 0;
    c->offset = calloc(c->count, sizeof *c->offset);
    c->bytes = calloc(c->count, sizeof *c->bytes);
    if (!c->offset || !c->bytes) return yoso_error_oom();
    for (size_t i = 0; i < c->count; i++) {
        YOSO_TRY(yoso_gemm_pack_layout(c->ctx->gemm, shapes[i].n, shapes[i].k, &desc, &dlen,
                                       &c->bytes[i]));
        descs += wcache_round(dlen, 8);
    }
    c->header_len = 8 + 8 + key_len + 8 + c->count * WCACHE_FIELDS * 8 + descs;
    unsigned char *p = c->header = calloc(1, c->header_len);
    if (!p) return yoso_error_oom();
    const uint64_t klen = key_len, count = c->count;
    memcpy(p, k_wcache_magic, 8), p += 8;
    memcpy(p, &klen, 8), p += 8;
    memcpy(p, c->key, key_len), p += key_len;
    memcpy(p, &count, 8), p += 8;
    unsigned char *dp = p + c->count * WCACHE_FIELDS * 8;
    size_t at = wcache_round(c->header_len, WCACHE_ALIGN);
    /* the layouts asked again: a descriptor lives only until the backend's next new layout */
    for (size_t i = 0; i < c->count; i++) {
        YOSO_TRY(yoso_gemm_pack_layout(c->ctx->gemm, shapes[i].n, shapes[i].k, &desc, &dlen,
                                       &c->bytes[i]));
        c->offset[i] = at;
        const uint64_t rec[WCACHE_FIELDS] = {shapes[i].n, shapes[i].k, at, c->bytes[i], dlen};
        memcpy(p, rec, sizeof rec), p += sizeof rec;
        memcpy(dp, desc, dlen), dp += wcache_round(dlen, 8);
        at += wcache_round(c->bytes[i], WCACHE_ALIGN);
    }
    c->size = at;
fail:
    return status;
}

/* Maps the entry's file fd [c->size] privately (nothing written through the mapping reaches
 * the file, and no driver store can fault); 0 when it cannot. */
static int wcache_map(yoso_weight_cache *c, int fd) {
    void *base = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED) return 0;
    c->map = base;
    return 1;
}

/* Maps c->path when it is a valid entry: 1 then. */
static int wcache_map_entry(yoso_weight_cache *c) {
    const int fd = open(c->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    const int mapped = fstat(fd, &st) == 0 && (size_t)st.st_size == c->size && wcache_map(c, fd);
    close(fd);
    if (mapped && memcmp(c->map, c->header, c->header_len) == 0) return 1;
    if (mapped) munmap(c->map, c->size);
    c->map = NULL;
    return 0;
}

/* Removes temp files of this entry left by processes that no longer run (killed while writing).
 */
static void wcache_remove_stale(const yoso_weight_cache *c, const char *dir) {
    const char *name = strrchr(c->path, '/') + 1;
    char prefix[64], path[4600];
    snprintf(prefix, sizeof prefix, "%s.tmp.", name);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        const long pid = strtol(e->d_name + strlen(prefix), NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
}

/* Writes all n bytes of p at offset off of fd; 0 with errno set when it cannot. */
static int wcache_write_all(int fd, const unsigned char *p, size_t n, off_t off) {
    while (n > 0) {
        const ssize_t w = pwrite(fd, p, n, off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w, n -= (size_t)w, off += w;
    }
    return 1;
}

/* Creates the temp file of a new entry, writes its header and maps the whole entry (the file
 * grows as yoso_weight_cache_buffer writes each matrix, before anything reads its pages); 0 with
 * errno set when it cannot. */
static int wcache_create_entry(yoso_weight_cache *c) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/weights", c->ctx->cache_dir);
    if (!yoso_make_dirs(dir)) return 0;
    wcache_remove_stale(c, dir);
    snprintf(c->tmp, sizeof c->tmp, "%s.tmp.%ld", c->path, (long)getpid());
    c->fd = open(c->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (c->fd < 0) {
        c->tmp[0] = '\0';
        return 0;
    }
    if (wcache_write_all(c->fd, c->header, c->header_len, 0) && wcache_map(c, c->fd)) return 1;
    const int e = errno;
    close(c->fd);
    c->fd = -1;
    unlink(c->tmp);
    c->tmp[0] = '\0';
    errno = e;
    return 0;
}

yoso_status yoso_weight_cache_open(yoso_context *ctx, const char *weights_path,
                                   const yoso_packed_shape *shapes, size_t count,
                                   yoso_weight_cache **out) {
    yoso_status status = YOSO_OK;
    *out = NULL;
    if (!ctx->cache_dir[0] || !yoso_gemm_packs_weights(ctx->gemm) || count == 0) return YOSO_OK;
    yoso_weight_cache *c = calloc(1, sizeof *c);
    if (!c) return yoso_error_oom();
    c->ctx = ctx;
    c->fd = -1;
    c->count = count;
    if (!wcache_identify(c, weights_path)) goto none;
    YOSO_TRY(wcache_layout(c, shapes));
    c->hit = wcache_map_entry(c);
    if (!c->hit && !wcache_create_entry(c)) {
        yoso_cache_warn_unwritable(ctx->cache_dir, strerror(errno));
        goto none;
    }
    *out = c;
    return YOSO_OK;
none:
    yoso_weight_cache_free(c);
    return YOSO_OK;
fail:
    yoso_weight_cache_free(c);
    return status;
}

int yoso_weight_cache_hit(const yoso_weight_cache *c) {
    return c && c->hit;
}

void *yoso_weight_cache_region(yoso_weight_cache *c, size_t i) {
    if (c->hit) return c->map + c->offset[i];
    if (c->packed_cap < c->bytes[i]) {
        free(c->packed);
        c->packed_cap = 0;
        if (!(c->packed = malloc(c->bytes[i]))) return NULL;
        c->packed_cap = c->bytes[i];
    }
    return c->packed;
}

yoso_status yoso_weight_cache_buffer(yoso_weight_cache *c, size_t i, cl_mem *out, size_t *bytes) {
    yoso_status status = YOSO_OK;
    cl_int err;
    void *host = c->map + c->offset[i];
    cl_mem_flags flags = CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR;
    if (!c->hit && !c->failed && !wcache_write_all(c->fd, c->packed, c->bytes[i], c->offset[i])) {
        c->failed = 1; /* this matrix and the rest: in memory, and no entry */
        yoso_cache_warn_unwritable(c->ctx->cache_dir, strerror(errno));
    }
    if (c->failed) {
        host = c->packed;
        flags = CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR;
    }
    *out = clCreateBuffer(c->ctx->context, flags, c->bytes[i], host, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(packed weights)");
    *bytes = c->bytes[i];
fail:
    return status;
}

void yoso_weight_cache_finish(yoso_weight_cache *c) {
    if (!c || c->hit || c->fd < 0) return;
    const double t0 = yoso_now();
    /* the last matrix's padding, so that the size is the one the header gives */
    const int ok =
        !c->failed && ftruncate(c->fd, (off_t)c->size) == 0 && rename(c->tmp, c->path) == 0;
    const int e = errno;
    close(c->fd);
    c->fd = -1;
    free(c->packed);
    c->packed = NULL;
    c->packed_cap = 0;
    if (!ok) {
        unlink(c->tmp); /* the matrices written to it stay mapped */
        c->tmp[0] = '\0';
        if (!c->failed) yoso_cache_warn_unwritable(c->ctx->cache_dir, strerror(e));
        return;
    }
    c->tmp[0] = '\0';
    if (c->ctx->verbose)
        fprintf(stderr, "yoso: packed weights kept in %s for the next start (%.2f s)\n", c->path,
                yoso_now() - t0);
}

void yoso_weight_cache_free(yoso_weight_cache *c) {
    if (!c) return;
    if (c->map) munmap(c->map, c->size);
    if (c->fd >= 0) close(c->fd);
    if (c->tmp[0]) unlink(c->tmp); /* a load that failed before finishing its new entry */
    free(c->packed);
    free(c->offset);
    free(c->bytes);
    free(c->header);
    free(c->key);
    free(c);
}

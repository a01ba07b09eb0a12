/* program_cache.c — an on-disk cache of program binaries with atomic writes and validation. */
#include "program_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "file_io.h"

static const char k_magic[8] = {'Y', 'O', 'S', 'O', 'C', 'L', 'B', '1'};
static int g_warned;

uint64_t yoso_fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void yoso_cache_dir_resolve(const char *explicit_dir, char *out, size_t n) {
    const char *env;
    out[0] = '\0';
    if (explicit_dir && *explicit_dir)
        snprintf(out, n, "%s", explicit_dir);
    else if ((env = getenv("YOSO_CACHE_DIR")) && *env)
        snprintf(out, n, "%s", env);
    else if ((env = getenv("XDG_CACHE_HOME")) && *env)
        snprintf(out, n, "%s/yoso", env);
    else if ((env = getenv("HOME")) && *env)
        snprintf(out, n, "%s/.cache/yoso", env);
}

/* The entry's file name: two independent 64-bit hashes of the key. */
static void cache_entry_path(const char *dir, const char *key, char *out, size_t n) {
    size_t len = strlen(key);
    uint64_t a = yoso_fnv1a(YOSO_FNV_OFFSET, key, len);
    uint64_t b = yoso_fnv1a(0x84222325cbf29ce4ULL, key, len);
    snprintf(out, n, "%s/programs/%016llx%016llx.bin", dir, (unsigned long long)a,
             (unsigned long long)b);
}

int yoso_cache_read(const char *dir, const char *key, unsigned char **binary, size_t *size) {
    char path[4096];
    *binary = NULL;
    *size = 0;
    if (!dir || !*dir) return 0;
    cache_entry_path(dir, key, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char *payload = NULL;
    char *stored_key = NULL;
    char magic[8];
    uint64_t key_len = 0, payload_len = 0, checksum = 0;
    size_t want = strlen(key);
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, k_magic, 8) != 0) goto corrupt;
    if (fread(&key_len, 8, 1, f) != 1 || key_len != want) goto corrupt;
    stored_key = malloc(want + 1);
    if (!stored_key || fread(stored_key, 1, want, f) != want || memcmp(stored_key, key, want) != 0)
        goto corrupt;
    if (fread(&payload_len, 8, 1, f) != 1 || fread(&checksum, 8, 1, f) != 1) goto corrupt;
    if (payload_len == 0 || payload_len > (1ULL << 31)) goto corrupt;
    payload = malloc(payload_len);
    if (!payload || fread(payload, 1, payload_len, f) != payload_len) goto corrupt;
    if (fgetc(f) != EOF) goto corrupt;
    if (yoso_fnv1a(YOSO_FNV_OFFSET, payload, payload_len) != checksum) goto corrupt;
    fclose(f);
    free(stored_key);
    *binary = payload;
    *size = payload_len;
    return 1;
corrupt:
    fclose(f);
    free(stored_key);
    free(payload);
    unlink(path); /* rebuilt and rewritten by the caller */
    return 0;
}

int yoso_cache_write(const char *dir, const char *key, const unsigned char *binary, size_t size) {
    char path[4096];
    yoso_atomic_file af;
    if (!dir || !*dir) return 0;
    snprintf(path, sizeof path, "%s/programs", dir);
    if (!yoso_make_dirs(path)) goto fail;
    cache_entry_path(dir, key, path, sizeof path);
    if (yoso_atomic_file_open(&af, path, 0) != YOSO_OK) goto fail;
    uint64_t key_len = strlen(key), payload_len = size;
    uint64_t checksum = yoso_fnv1a(YOSO_FNV_OFFSET, binary, size);
    fwrite(k_magic, 1, 8, af.f);
    fwrite(&key_len, 8, 1, af.f);
    fwrite(key, 1, key_len, af.f);
    fwrite(&payload_len, 8, 1, af.f);
    fwrite(&checksum, 8, 1, af.f);
    fwrite(binary, 1, size, af.f);
    if (yoso_atomic_file_close(&af, YOSO_OK) != YOSO_OK) goto fail;
    return 1;
fail:
    yoso_error_clear(); /* not the caller's failure: it carries on without the cache */
    yoso_cache_warn_unwritable(dir, strerror(errno));
    return 0;
}

void yoso_cache_warn_unwritable(const char *dir, const char *why) {
    if (g_warned) return;
    g_warned = 1;
    yoso_warn(
        "cannot write the cache in %s (%s): continuing without it; set YOSO_CACHE_DIR to a writable folder or pass --no-cache",
        dir, why);
}

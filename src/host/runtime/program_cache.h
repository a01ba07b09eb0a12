/* program_cache.h — compiled OpenCL program binaries on disk, keyed by everything that shapes them.
 */
#ifndef YOSO_PROGRAM_CACHE_H
#define YOSO_PROGRAM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "yoso.h"

/* 64-bit FNV-1a of bytes, continuing from h (start with YOSO_FNV_OFFSET). */
#define YOSO_FNV_OFFSET 14695981039346656037ULL
uint64_t yoso_fnv1a(uint64_t h, const void *data, size_t n);

/* Resolves the cache folder: explicit, else $YOSO_CACHE_DIR, else $XDG_CACHE_HOME/yoso, else
 * $HOME/.cache/yoso. Writes "" when none can be determined. */
void yoso_cache_dir_resolve(const char *explicit_dir, char *out, size_t n);

/* Reads the entry for key (a text that names source hash, options, device, driver and platform).
 * Returns 1 and a malloc'ed binary when a valid entry exists; 0 when there is none or it is
 * corrupt or foreign (a corrupt entry is removed so it gets rebuilt). */
int yoso_cache_read(const char *dir, const char *key, unsigned char **binary, size_t *size);

/* Writes the entry atomically (temp file + rename). On failure warns once per process and returns
 * 0; the caller carries on without the cache. */
int yoso_cache_write(const char *dir, const char *key, const unsigned char *binary, size_t size);

/* Warns that the cache in dir cannot be written (why: the reason), once per process whatever
 * the entry (kernels or packed weights): later calls are silent. */
void yoso_cache_warn_unwritable(const char *dir, const char *why);

#endif

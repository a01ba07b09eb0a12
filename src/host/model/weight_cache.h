/* weight_cache.h — the nn.Linear weights in the GEMM backend's packed layout, kept on disk
 * between runs: a warm start maps them instead of converting and reordering every matrix again.
 * An entry is keyed by the checkpoint (real path, size, modification and change times, inode),
 * the device and the GEMM backend; each stored matrix carries the backend's description of its
 * layout, which must equal the one the backend would pack now. */
#ifndef YOSO_WEIGHT_CACHE_H
#define YOSO_WEIGHT_CACHE_H

#include <stddef.h>

#include "runtime.h"

typedef struct yoso_weight_cache yoso_weight_cache;

/* Opens the entry of checkpoint weights_path under ctx->cache_dir (*out NULL when the context
 * has no cache folder, the backend does not pack weights or the checkpoint cannot be found); a
 * valid entry is mapped, anything else is a miss. Fails only when out of memory. */
yoso_status yoso_weight_cache_open(yoso_context *ctx, const char *weights_path,
                                   yoso_weight_cache **out);

/* On a hit, *out is a new read-only buffer over the next stored matrix, which must be W [n, k]
 * in the layout packing would give it (its bytes stay in the mapped entry: no copy on a CPU
 * device), and returns 1. Returns 0 otherwise (no entry, or it stored something else: a miss
 * from here on, and yoso_weight_cache_finish writes a new entry). */
int yoso_weight_cache_take(yoso_weight_cache *c, size_t n, size_t k, cl_mem *out, size_t *bytes);

/* Records buf, W [n, k] packed by yoso_gemm_pack_weight (the caller keeps it), as the entry's
 * next matrix. */
yoso_status yoso_weight_cache_add(yoso_weight_cache *c, cl_mem buf, size_t n, size_t k);

/* After the last matrix: unless every one came from the entry, writes a new entry of all of
 * them (temp file and rename; a failure warns once and the model carries on without it). */
void yoso_weight_cache_finish(yoso_weight_cache *c);

/* 1 when every matrix so far came from the entry. */
int yoso_weight_cache_hit(const yoso_weight_cache *c);

/* Unmaps the entry and frees c (accepts NULL); the buffers taken from it must be released
 * first. */
void yoso_weight_cache_free(yoso_weight_cache *c);

#endif

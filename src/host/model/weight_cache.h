/* weight_cache.h — the nn.Linear weights in the GEMM backend's packed layout, kept on disk
 * between runs: a warm start maps them instead of converting and reordering every matrix again.
 * An entry is keyed by the checkpoint (real path, size, modification and change times, inode),
 * the device and the GEMM backend, and stores the backend's description of each matrix's layout,
 * which must equal the one it would pack now. On a miss each matrix is packed into host scratch
 * and written to a new entry, whose mapping then backs its buffer (so it is not held twice). */
#ifndef YOSO_WEIGHT_CACHE_H
#define YOSO_WEIGHT_CACHE_H

#include <stddef.h>

#include "runtime.h"

typedef struct yoso_weight_cache yoso_weight_cache;

/* One packed matrix of a model: W [n, k]. */
typedef struct yoso_packed_shape {
    size_t n, k;
} yoso_packed_shape;

/* Opens the entry of checkpoint weights_path for the model's packed matrices shapes[count] (in
 * load order) under ctx->cache_dir. A valid entry of exactly these matrices in these layouts is
 * mapped (a hit); otherwise a new one is prepared for them to be packed into. *out is NULL when
 * nothing is cached: no cache folder, a backend that does not pack, a checkpoint that cannot be
 * found, or a new entry that cannot be made (warned once: the model packs into memory). Fails
 * only for want of host memory. */
yoso_status yoso_weight_cache_open(yoso_context *ctx, const char *weights_path,
                                   const yoso_packed_shape *shapes, size_t count,
                                   yoso_weight_cache **out);

/* 1 when the entry held the matrices (they need not be packed). */
int yoso_weight_cache_hit(const yoso_weight_cache *c);

/* Host memory of the size of matrix i's layout (yoso_gemm_pack_layout): on a hit it holds the
 * packed matrix; on a miss it is scratch (reused by the next matrix) for yoso_gemm_pack_weight_to
 * to fill before yoso_weight_cache_buffer. NULL when out of host memory. */
void *yoso_weight_cache_region(yoso_weight_cache *c, size_t i);

/* *out: a new read-only buffer of matrix i, over the mapped entry (no copy on a CPU device); on
 * a miss, matrix i is written to the new entry first (if that fails, warned once, it and the
 * rest are copied into buffers of their own and no entry is kept). *bytes: its size. */
yoso_status yoso_weight_cache_buffer(yoso_weight_cache *c, size_t i, cl_mem *out, size_t *bytes);

/* After every matrix, on a miss: puts the new entry in place (a failure warns once; the buffers
 * stay valid either way). */
void yoso_weight_cache_finish(yoso_weight_cache *c);

/* Unmaps the entry (a new one never finished is removed) and frees c; accepts NULL. The buffers
 * over it must be released first. */
void yoso_weight_cache_free(yoso_weight_cache *c);

#endif

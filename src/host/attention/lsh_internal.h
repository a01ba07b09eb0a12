/* lsh_internal.h — the pieces of LSH attention (DESIGN §3) that tests and tools call directly:
 * geometry, counter-based signs, explicit-sign files, kernel launchers and one whole run. */
#ifndef YOSO_LSH_INTERNAL_H
#define YOSO_LSH_INTERNAL_H

#include <stdint.h>

#include "runtime.h"

/* The geometry of one LSH attention call. */
typedef struct yoso_lsh_shape {
    int batch, heads, seq, head_dim; /* q, k, v are [batch·heads, seq, head_dim] */
    int num_hash, tau;               /* m hash functions of τ bits: 2^τ buckets each */
    int dp;                          /* head_dim zero-padded to a power of two ≥ 32 */
    int per_part;                    /* ⌊dp / τ⌋ codes from one transform */
    int num_part;                    /* ceil(num_hash / per_part) transforms per vector */
} yoso_lsh_shape;

/* Fills s and checks it: head_dim 1..128, τ 1..16, num_hash 1..4096, batch, heads, seq ≥ 1. */
yoso_status yoso_lsh_shape_init(yoso_lsh_shape *s, int batch, int heads, int seq, int head_dim,
                                int num_hash, int tau);

/* ------------------------------------------------------------------------- signs ---- */

/* The ±1 sign of (seed, layer, head, round, part, dim) from a counter-based generator
 * (splitmix64 of the packed counter, keyed by splitmix64(seed)). Not keyed by the batch row, so a
 * sequence gets the same signs wherever it sits in a batch. */
int yoso_lsh_sign(uint64_t seed, int layer, int head, int round, int part, int dim);

/* out [heads, 3, num_part, dp] = the signs of one layer, as ±1.0f. */
void yoso_lsh_signs_fill(uint64_t seed, int layer, const yoso_lsh_shape *s, float *out);

/* Uploads host signs [rows, 3, num_part, dp] (±1.0f) to a new device buffer. */
yoso_status yoso_lsh_signs_upload(yoso_context *ctx, const float *signs, size_t count, cl_mem *out);

/* Explicit signs read from a safetensors file: tensors layer.<i>.Dmat, int32 ±1,
 * [rows, 3, num_part, dp] with the same rows for every layer. */
typedef struct yoso_lsh_dmat {
    int num_layers, rows, num_part, dp;
    float *signs; /* [num_layers, rows, 3, num_part, dp] as ±1.0f, malloc'ed */
} yoso_lsh_dmat;

/* Reads and validates layers 0..num_layers-1 of path against s (num_part, dp); rows must be
 * s->heads or a multiple of it (B·nh for one batch size). Clear YOSO_ERR_INPUT messages. */
yoso_status yoso_lsh_dmat_read(const char *path, int num_layers, const yoso_lsh_shape *s,
                               yoso_lsh_dmat *out);
void yoso_lsh_dmat_release(yoso_lsh_dmat *dmat);

/* ---------------------------------------------------------------------- launchers ---- */

/* Which kernels run: one work-item per value dim / (row, part) (GPUs), or one per table row /
 * query / 16 rows with explicit vectors (CPUs, where PoCL does not vectorize the former well).
 * Both do the same float operations in the same order: identical bits. */
typedef enum yoso_lsh_layout {
    YOSO_LSH_LAYOUT_AUTO = 0, /* ROWS on CPU devices, ITEMS elsewhere */
    YOSO_LSH_LAYOUT_ITEMS,
    YOSO_LSH_LAYOUT_ROWS
} yoso_lsh_layout;

/* Resolves AUTO for this device; other values are returned unchanged. */
yoso_lsh_layout yoso_lsh_layout_resolve(const yoso_context *ctx, yoso_lsh_layout layout);

/* The hash kernel of this layout (AUTO: the device's) for padded dim dp (32, 64 or 128). */
const yoso_kernel *yoso_lsh_hash_kernel(const yoso_context *ctx, yoso_lsh_layout layout, int dp);

/* codes [B·nh, num_hash, L] int (−1 for padded rows) of x [B·nh, L, head_dim] under mask [B, L];
 * signs [sign_rows, 3, num_part, dp] float ±1, row bh uses bh % sign_rows. */
yoso_status yoso_launch_lsh_hash(yoso_context *ctx, cl_mem x, cl_mem mask, cl_mem signs,
                                 int sign_rows, cl_mem codes, const yoso_lsh_shape *s,
                                 yoso_lsh_layout layout);

/* tables [nbh, nhc, 2^τ, head_dim] = bucket sums of v for pairs (bh0.., h0..); only the buckets
 * that queries or keys use are cleared unless clear_all. */
yoso_status yoso_launch_lsh_fill(yoso_context *ctx, cl_mem q_codes, cl_mem k_codes, cl_mem v,
                                 cl_mem tables, const yoso_lsh_shape *s, int bh0, int nbh, int h0,
                                 int nhc, int clear_all, yoso_lsh_layout layout);

/* acc [B·nh, L, head_dim] (+)= Σ_{h in chunk} tables[code_h(q_i)] for bh0..bh0+nbh-1, starting
 * from 0 when first, scaled by 1/num_hash when last. */
yoso_status yoso_launch_lsh_read(yoso_context *ctx, cl_mem q_codes, cl_mem tables, cl_mem acc,
                                 const yoso_lsh_shape *s, int bh0, int nbh, int h0, int nhc,
                                 int first, int last, yoso_lsh_layout layout);

/* The hash functions one lsh_cumulate_rows launch may take under the device's loop budget (all
 * num_hash without one); 0 when not even one fits, nor one bucket table in local memory (then
 * fill and read run as separate kernels). */
int yoso_lsh_cumulate_rows_step(const yoso_context *ctx, const yoso_lsh_shape *s);

/* acc [B·nh, L, head_dim] by hash functions [g0, g1) (the CPU layout's fill and read in one
 * kernel, its bucket tables in local memory, see lsh_cumulation.cl): from 0 at hash function 0,
 * scaled by 1/num_hash after the last. */
yoso_status yoso_launch_lsh_cumulate_rows(yoso_context *ctx, cl_mem q_codes, cl_mem k_codes,
                                          cl_mem v, cl_mem acc, const yoso_lsh_shape *s, int g0,
                                          int g1);

/* ctx_out [B, L, nh·d] = acc / max(‖acc‖, 1e-12) per head, zeros at padded queries. */
yoso_status yoso_launch_lsh_normalize(yoso_context *ctx, cl_mem acc, cl_mem mask, cl_mem ctx_out,
                                      const yoso_lsh_shape *s);

/* ----------------------------------------------------------------------- one run ---- */

/* Device scratch of LSH attention, grown on demand and reused across calls. */
typedef struct yoso_lsh_scratch {
    size_t table_budget;     /* bytes lsh_fill's bucket tables may take (0: the default, 64 MiB) */
    yoso_lsh_layout layout;  /* kernels to run (AUTO: by device type) */
    size_t codes_bytes;      /* capacity of q_codes and k_codes */
    cl_mem q_codes, k_codes; /* [B·nh, num_hash, L] int */
    size_t acc_bytes;
    cl_mem acc; /* [B·nh, L, head_dim] the cumulation before normalization */
    size_t tables_bytes;
    cl_mem tables; /* [nbh, nhc, 2^τ, head_dim] one chunk of lsh_fill's bucket tables */
    int chunks;    /* how many table chunks ((bh, h) ranges) the last run used; 1 for
                    * lsh_cumulate_rows (its tables in local memory) */
} yoso_lsh_scratch;

/* Frees the scratch buffers (the struct itself is the caller's). */
void yoso_lsh_scratch_release(yoso_lsh_scratch *scratch);

/* Hashes q and k, cumulates v into scratch->acc and writes ctx_out [B, L, nh·d] normalized;
 * q, k, v [B·nh, L, d], mask [B, L] int. Afterwards scratch->q_codes / k_codes / acc hold the
 * codes and the pre-normalization output. Enqueues only; does not wait. */
/* Builds and checks the kernels yoso_lsh_run uses on this device for padded dim dp (a fill and
 * read pair kept for loop-capped devices is built at its first use), failures kept in each kernel
 * for its launch to report: what a preparing thread runs for a model with LSH attention. */
void yoso_lsh_prepare_kernels(yoso_context *ctx, int dp);

yoso_status yoso_lsh_run(yoso_context *ctx, yoso_lsh_scratch *scratch, const yoso_lsh_shape *s,
                         cl_mem signs, int sign_rows, cl_mem q, cl_mem k, cl_mem v, cl_mem mask,
                         cl_mem ctx_out);

/* The cumulation alone (codes already in scratch->q_codes / k_codes): fills scratch->acc. */
yoso_status yoso_lsh_cumulate(yoso_context *ctx, yoso_lsh_scratch *scratch, const yoso_lsh_shape *s,
                              cl_mem v);

/* Makes sure scratch holds codes and acc for s (tests upload codes into them directly). */
yoso_status yoso_lsh_scratch_reserve(yoso_context *ctx, yoso_lsh_scratch *scratch,
                                     const yoso_lsh_shape *s);

#endif

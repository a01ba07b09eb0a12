/* ops.h — host launchers of the elementwise and normalization kernels (src/cl/ops/); each
 * enqueues and does not wait. */
#ifndef YOSO_OPS_H
#define YOSO_OPS_H

#include "runtime.h"

/* out [rows, H] = word[ids] + type[0] + pos[t + 2], rows = B·L; word holds half bits when
 * word_half. */
yoso_status yoso_launch_embed_sum(yoso_context *ctx, cl_mem ids, cl_mem word, cl_mem pos,
                                  cl_mem type, cl_mem out, int rows, int seq, int hidden,
                                  int word_half);
/* dst[dst_offset + i] = float(src[src_offset + i]) for i < n; src holds half bits. */
yoso_status yoso_launch_half_to_float(yoso_context *ctx, cl_mem src, size_t src_offset, cl_mem dst,
                                      size_t dst_offset, size_t n);

/* out [rows, H] = LN(x + bias + residual); bias / residual may be NULL. out may alias x. */
yoso_status yoso_launch_layernorm(yoso_context *ctx, cl_mem x, cl_mem bias, cl_mem residual,
                                  cl_mem gamma, cl_mem beta, cl_mem out, int rows, int hidden,
                                  float eps);

/* x [rows, cols] = gelu(x + bias), in place. */
yoso_status yoso_launch_bias_gelu(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols);
/* x [rows, cols] += bias, in place. */
yoso_status yoso_launch_bias_add(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols);
/* x [rows, cols] = max(x + bias[cols], 0) in place. */
yoso_status yoso_launch_bias_relu(yoso_context *ctx, cl_mem x, cl_mem bias, int rows, int cols);
/* out [n, cols] = x[rows[i]]. */
yoso_status yoso_launch_gather_rows(yoso_context *ctx, cl_mem x, cl_mem rows, cl_mem out, int n,
                                    int cols);

#endif

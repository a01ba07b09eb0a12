/* kernels.h — host launchers, one per OpenCL kernel; each enqueues and does not wait. */
#ifndef YOSO_KERNELS_H
#define YOSO_KERNELS_H

#include "runtime.h"

/* Sets kernel argument i from an lvalue; for use inside launchers with `status` and `fail:`. */
#define CL_ARG(kernel, i, value) CL_CHECK(clSetKernelArg((kernel), (i), sizeof(value), &(value)))

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
/* out [n, cols] = x[rows[i]]. */
yoso_status yoso_launch_gather_rows(yoso_context *ctx, cl_mem x, cl_mem rows, cl_mem out, int n,
                                    int cols);

/* q, k, v [B, nh, L, d] from qkv [B·L, 3H] + bias [3H]; q, k L2-normalized if normalize_qk. */
yoso_status yoso_launch_attention_prepare(yoso_context *ctx, cl_mem qkv, cl_mem bias, cl_mem q,
                                          cl_mem k, cl_mem v, int batch, int seq, int heads,
                                          int head_dim, int normalize_qk);
/* ctx_out [B, L, H] = normalized YOSO-E attention of q, k, v under mask [B, L]. */
yoso_status yoso_launch_attention_expectation(yoso_context *ctx, cl_mem q, cl_mem k, cl_mem v,
                                              cl_mem mask, cl_mem ctx_out, int batch, int seq,
                                              int heads, int head_dim, int tau);
/* scores [rows, ld] ← (1 − acos(s)/π)^τ where mask[mask_offset + j], else 0 (also for j ≥ seq);
 * ld must be a multiple of 16. */
yoso_status yoso_launch_expectation_weights(yoso_context *ctx, cl_mem scores, cl_mem mask,
                                            int mask_offset, int seq, int ld, int rows, int tau);
/* ctx_out [rows, heads·d]: each head's slice L2-normalized; rows whose mask is 0 become zeros. */
yoso_status yoso_launch_attention_normalize_heads(yoso_context *ctx, cl_mem ctx_out, cl_mem mask,
                                                  int rows, int heads, int head_dim);
/* ctx_out [B, L, H] += depthwise conv (window W, weight [nh, W]) of v·mask along the sequence. */
yoso_status yoso_launch_attention_conv_add(yoso_context *ctx, cl_mem v, cl_mem mask, cl_mem weight,
                                           cl_mem ctx_out, int batch, int seq, int heads,
                                           int head_dim, int window);

/* The largest power of two ≤ the device's max work-group size and ≤ cap. */
size_t yoso_local_size(const yoso_context *ctx, size_t cap);

#endif

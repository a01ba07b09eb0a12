/* attention_kernels.h — host launchers of the attention kernels (src/cl/attention/); each
 * enqueues and does not wait. */
#ifndef YOSO_ATTENTION_KERNELS_H
#define YOSO_ATTENTION_KERNELS_H

#include "runtime.h"

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

#endif

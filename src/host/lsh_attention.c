/* lsh_attention.c — placeholder until the LSH kernels land (issue 6). */
#include "lsh_attention.h"

yoso_status yoso_lsh_attention(yoso_model *model, int layer, cl_mem q, cl_mem k, cl_mem v,
                               cl_mem mask, cl_mem ctx_out, int batch, int seq) {
    return yoso_error(YOSO_ERR_UNSUPPORTED,
                      "LSH attention is not available yet: use --attention expectation");
}

void yoso_lsh_free(yoso_model *model) {}

/* lsh_signs.c — the random ±1 diagonals of the fast hash, from a counter-based generator. */
#include "lsh_internal.h"

/* splitmix64's finalizer of x + golden ratio: a bijective, well-mixed hash of a counter. */
static uint64_t lsh_splitmix64(uint64_t x) {
    uint64_t z = x + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int yoso_lsh_sign(uint64_t seed, int layer, int head, int round, int part, int dim) {
    /* 16 + 16 + 2 + 12 + 8 bits: layer < 65536, head < 65536, part < 4096, dim < 256. */
    const uint64_t counter = ((((uint64_t)(layer & 0xffff) << 16 | (uint64_t)(head & 0xffff)) << 2 |
                               (uint64_t)(round & 3))
                                  << 12 |
                              (uint64_t)(part & 0xfff))
                                 << 8 |
                             (uint64_t)(dim & 0xff);
    return (lsh_splitmix64(lsh_splitmix64(seed) ^ counter) >> 63) ? -1 : 1;
}

void yoso_lsh_signs_fill(uint64_t seed, int layer, const yoso_lsh_shape *s, float *out) {
    for (int h = 0; h < s->heads; h++)
        for (int r = 0; r < 3; r++)
            for (int p = 0; p < s->num_part; p++)
                for (int c = 0; c < s->dp; c++)
                    *out++ = (float)yoso_lsh_sign(seed, layer, h, r, p, c);
}

yoso_status yoso_lsh_signs_upload(yoso_context *ctx, const float *signs, size_t count,
                                  cl_mem *out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clCreateBuffer(ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                          count * sizeof(float), (void *)signs, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(LSH signs)");
    return YOSO_OK;
fail:
    *out = NULL;
    return status;
}

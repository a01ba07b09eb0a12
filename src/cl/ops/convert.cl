/* convert.cl — expanding half-precision weights (fp16 storage) to float32 before their GEMMs. */

/* dst[dst_offset + i] = (float)src[src_offset + i] for i < n, 8 per work-item (vload_half: core
 * OpenCL 1.2). src half bits, dst float. global (round_up(ceil(n / 8), local)). */
#ifdef YOSO_WANT_half_to_float
__kernel void half_to_float(__global const half *src, __global float *dst, const int src_offset,
                            const int dst_offset, const int n) {
    const int i = get_global_id(0) * 8;
    if (i >= n) return;
    __global float *out = dst + dst_offset + i;
    src += src_offset;
    if (i + 8 <= n) {
        vstore8(vload_half8(0, src + i), 0, out);
        return;
    }
    for (int c = 0; i + c < n; c++) out[c] = vload_half(i + c, src);
}
#endif

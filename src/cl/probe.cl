/* probe.cl — tiny known-answer kernels run once per device + driver (runtime/probe.c). */

/* out[0] = the number of iterations a loop of n steps really takes (n on a correct driver;
 * Mesa 22.3's llvmpipe stops every loop of a work-item after 65,535 in total). One work-item. */
#ifdef YOSO_WANT_probe_loop
__kernel void probe_loop(__global int *out, const int n) {
    int count = 0;
    for (int i = 0; i < n; i++) count++;
    out[0] = count;
}
#endif

/* out[g] = Σ in[g·L + i] over the work-group (local size L, a power of two): a tree reduction in
 * local memory. global (G·L), local (L). */
#ifdef YOSO_WANT_probe_reduce
__kernel void probe_reduce(__global const float *in, __global float *out, __local float *tmp) {
    const int lid = get_local_id(0), n = get_local_size(0);
    tmp[lid] = in[get_global_id(0)];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = n / 2; s > 0; s >>= 1) {
        if (lid < s) tmp[lid] += tmp[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) out[get_group_id(0)] = tmp[0];
}
#endif

/* gemm_onednn.c — the nn.Linear products y = x · Wᵀ of the host BLAS backend on oneDNN's matmul
 * (loaded with dlopen, like the BLAS). Each weight is reordered once, at load, into the blocked
 * layout oneDNN's kernels read, so no product packs its weights again (OpenBLAS copies the whole
 * weight matrix into its own layout at every call: a quarter of its time at 128 rows), and each
 * product shape's primitive is created once and kept. Without oneDNN (not installed, not in the
 * build, or $YOSO_ONEDNN=off) the weights stay as they are and the host BLAS multiplies them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_internal.h"

#ifndef YOSO_HAVE_ONEDNN

yoso_status yoso_gemm_onednn_open(yoso_gemm *g) {
    (void)g;
    return yoso_error(YOSO_ERR_UNSUPPORTED, "this build has no oneDNN support (no dnnl.h)");
}
void yoso_gemm_onednn_close(yoso_gemm *g) {
    (void)g;
}
yoso_status yoso_gemm_onednn_pack(yoso_gemm *g, const float *w, size_t n, size_t k, cl_mem *out,
                                  size_t *bytes) {
    (void)g, (void)w, (void)n, (void)k, (void)out, (void)bytes;
    return yoso_error(YOSO_ERR_UNSUPPORTED, "this build has no oneDNN support");
}
yoso_status yoso_gemm_onednn_pack_to(yoso_gemm *g, const float *w, size_t n, size_t k, void *dst) {
    (void)g, (void)w, (void)n, (void)k, (void)dst;
    return yoso_error(YOSO_ERR_UNSUPPORTED, "this build has no oneDNN support");
}
yoso_status yoso_gemm_onednn_pack_layout(yoso_gemm *g, size_t n, size_t k, const void **desc,
                                         size_t *desc_bytes, size_t *bytes) {
    (void)g, (void)n, (void)k, (void)desc, (void)desc_bytes, (void)bytes;
    return yoso_error(YOSO_ERR_UNSUPPORTED, "this build has no oneDNN support");
}
yoso_status yoso_gemm_onednn_linear(yoso_gemm *g, cl_mem x, cl_mem w, cl_mem y, size_t rows,
                                    size_t n, size_t k) {
    (void)g, (void)x, (void)w, (void)y, (void)rows, (void)n, (void)k;
    return yoso_error(YOSO_ERR_UNSUPPORTED, "this build has no oneDNN support");
}

yoso_status yoso_gemm_onednn_product(yoso_gemm *g, int trans_b, int m, int n, int k, const float *a,
                                     int lda, const float *b, int ldb, float *c, int ldc) {
    (void)g, (void)trans_b, (void)m, (void)n, (void)k, (void)a, (void)lda, (void)b, (void)ldb;
    (void)c, (void)ldc;
    return yoso_error(YOSO_ERR_UNSUPPORTED, "this build has no oneDNN support");
}
void yoso_gemm_onednn_products_end(yoso_gemm *g) {
    (void)g;
}
int yoso_gemm_onednn_caller_threads(yoso_gemm *g, int n) {
    (void)g, (void)n;
    return 0;
}

#else

#include <dlfcn.h>
#include <pthread.h>
#include <oneapi/dnnl/dnnl.h>

#define ONEDNN_STR2(x) #x
#define ONEDNN_STR(x) ONEDNN_STR2(x)
/* The library of the ABI the header describes (oneDNN 2.x's C API: operation descriptors). */
#define ONEDNN_LIBRARY "libdnnl.so." ONEDNN_STR(DNNL_VERSION_MAJOR)
#if DNNL_VERSION_MAJOR != 2
#error "gemm_onednn.c is written for oneDNN 2.x's C API: configure with -DYOSO_ONEDNN=OFF"
#endif

/* Rows of the product whose weight layout every other product of that weight shape uses. */
#define ONEDNN_LAYOUT_ROWS 128
/* Product shapes whose primitives are kept; the oldest is replaced beyond this. */
#define ONEDNN_SHAPES_MAX 64
/* Host products' shapes kept after a set of them ends (yoso_gemm_onednn_products_end). */
#define ONEDNN_PRODUCTS_KEPT 32

/* Every oneDNN function used, loaded by name. */
#define ONEDNN_FUNCTIONS(X)                                                                        \
    X(dnnl_engine_create)                                                                          \
    X(dnnl_engine_destroy)                                                                         \
    X(dnnl_stream_create)                                                                          \
    X(dnnl_stream_destroy)                                                                         \
    X(dnnl_stream_wait)                                                                            \
    X(dnnl_memory_desc_init_by_tag)                                                                \
    X(dnnl_memory_desc_init_by_strides)                                                            \
    X(dnnl_primitive_attr_create)                                                                  \
    X(dnnl_primitive_attr_destroy)                                                                 \
    X(dnnl_primitive_attr_set_scratchpad_mode)                                                     \
    X(dnnl_memory_desc_get_size)                                                                   \
    X(dnnl_matmul_desc_init)                                                                       \
    X(dnnl_primitive_desc_create)                                                                  \
    X(dnnl_primitive_desc_destroy)                                                                 \
    X(dnnl_primitive_desc_query)                                                                   \
    X(dnnl_primitive_desc_query_md)                                                                \
    X(dnnl_reorder_primitive_desc_create)                                                          \
    X(dnnl_primitive_create)                                                                       \
    X(dnnl_primitive_destroy)                                                                      \
    X(dnnl_primitive_execute)                                                                      \
    X(dnnl_memory_create)                                                                          \
    X(dnnl_memory_destroy)                                                                         \
    X(dnnl_memory_set_data_handle)                                                                 \
    X(dnnl_version)

/* One weight shape [n, k] and the layout its packed weights have. */
typedef struct onednn_layout {
    size_t n, k;
    dnnl_memory_desc_t md; /* [k, n] in oneDNN's blocked layout for this machine */
} onednn_layout;

/* One product shape's primitive and the memory objects its calls point at their buffers. */
typedef struct onednn_shape {
    size_t m, n, k;
    dnnl_primitive_t prim;
    dnnl_memory_t src, weights, dst;
} onednn_shape;

/* One host product shape (yoso_gemm_onednn_product): its primitive and operand layouts. */
typedef struct onednn_product {
    int trans_b, m, n, k, lda, ldb, ldc;
    dnnl_primitive_t prim;
    dnnl_memory_desc_t a, b, c;
    dnnl_memory_desc_t scratch; /* the caller's scratchpad: a primitive's own one is shared by
                                   every thread that runs it at once */
    size_t scratch_bytes;
} onednn_product;

struct yoso_gemm_onednn {
    void *handle; /* dlopen handle of libdnnl */
    struct {
#define ONEDNN_FIELD(name) __typeof__(&name) name;
        ONEDNN_FUNCTIONS(ONEDNN_FIELD)
#undef ONEDNN_FIELD
    } f;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    onednn_layout *layouts; /* every weight shape packed so far */
    int layout_count;
    onednn_shape shapes[ONEDNN_SHAPES_MAX];
    int shape_count, next_evict;
    /* host products, looked up and added from several threads at once; removed only by
     * yoso_gemm_onednn_products_end, when none runs */
    pthread_mutex_t products_lock;
    onednn_product *products; /* oldest first */
    int product_count, product_cap;
    int products_off; /* a product failed: the host BLAS takes them all */
    /* libgomp's (a dependency of libdnnl): the calling thread's OpenMP team size, or NULL */
    void (*omp_set_num_threads)(int);
    int (*omp_get_max_threads)(void);
};

/* YOSO_OK for dnnl_success, else an error naming what failed and the way around it. */
static yoso_status onednn_check(dnnl_status_t s, const char *what, size_t m, size_t n, size_t k) {
    if (s == dnnl_success) return YOSO_OK;
    return yoso_error(s == dnnl_out_of_memory ? YOSO_ERR_NO_MEMORY : YOSO_ERR_UNSUPPORTED,
                      "oneDNN %s of %zu×%zu×%zu failed (dnnl status %d): set YOSO_ONEDNN=off to "
                      "multiply the weights with the host BLAS instead",
                      what, m, n, k, (int)s);
}

yoso_status yoso_gemm_onednn_open(yoso_gemm *g) {
    const char *env = g->ctx->env.onednn;
    if (env && (!strcmp(env, "off") || !strcmp(env, "0")))
        return yoso_error(YOSO_ERR_UNSUPPORTED, "oneDNN is off ($YOSO_ONEDNN=%s)", env);
    yoso_gemm_onednn *o = calloc(1, sizeof *o);
    if (!o) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory opening oneDNN");
    /* libdnnl runs on OpenMP, whose threads would otherwise spin for milliseconds after every
     * product, on the cores the PoCL kernels and the host BLAS run on next; libgomp reads this
     * once, when it loads, so it applies only when nothing loaded it before */
    void *gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (gomp)
        dlclose(gomp);
    else
        setenv("OMP_WAIT_POLICY", "passive", 0); /* the caller's setting stays */
    o->handle = dlopen(ONEDNN_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!o->handle) {
        free(o);
        return yoso_error(YOSO_ERR_UNSUPPORTED, "%s could not be loaded: install libdnnl2",
                          ONEDNN_LIBRARY);
    }
    const char *missing = NULL;
#define ONEDNN_LOAD(name)                                                                          \
    if (!(*(void **)&o->f.name = dlsym(o->handle, #name)) && !missing) missing = #name;
    ONEDNN_FUNCTIONS(ONEDNN_LOAD)
#undef ONEDNN_LOAD
    if (missing) {
        dlclose(o->handle);
        free(o);
        return yoso_error(YOSO_ERR_UNSUPPORTED, "%s has no %s", ONEDNN_LIBRARY, missing);
    }
    if (o->f.dnnl_engine_create(&o->engine, dnnl_cpu, 0) != dnnl_success ||
        o->f.dnnl_stream_create(&o->stream, o->engine, dnnl_stream_default_flags) != dnnl_success) {
        if (o->engine) o->f.dnnl_engine_destroy(o->engine);
        dlclose(o->handle);
        free(o);
        return yoso_error(YOSO_ERR_UNSUPPORTED, "oneDNN could not create its CPU engine");
    }
    /* without these, concurrent products could not each stay on their own thread */
    *(void **)&o->omp_set_num_threads = dlsym(o->handle, "omp_set_num_threads");
    *(void **)&o->omp_get_max_threads = dlsym(o->handle, "omp_get_max_threads");
    if (!o->omp_set_num_threads || !o->omp_get_max_threads) o->products_off = 1;
    pthread_mutex_init(&o->products_lock, NULL);
    const dnnl_version_t *v = o->f.dnnl_version();
    size_t used = strlen(g->name);
    snprintf(g->name + used, sizeof g->name - used, " + oneDNN %d.%d (weights packed)", v->major,
             v->minor);
    g->onednn = o;
    return YOSO_OK;
}

void yoso_gemm_onednn_close(yoso_gemm *g) {
    yoso_gemm_onednn *o = g->onednn;
    if (!o) return;
    for (int i = 0; i < o->shape_count; i++) {
        onednn_shape *s = &o->shapes[i];
        o->f.dnnl_primitive_destroy(s->prim);
        o->f.dnnl_memory_destroy(s->src);
        o->f.dnnl_memory_destroy(s->weights);
        o->f.dnnl_memory_destroy(s->dst);
    }
    for (int i = 0; i < o->product_count; i++) o->f.dnnl_primitive_destroy(o->products[i].prim);
    free(o->products);
    pthread_mutex_destroy(&o->products_lock);
    o->f.dnnl_stream_destroy(o->stream);
    o->f.dnnl_engine_destroy(o->engine);
    /* libdnnl stays loaded: its OpenMP threads may still be running down */
    free(o->layouts);
    free(o);
    g->onednn = NULL;
}

/* The row-major [rows, cols] descriptor with row pitch ld (col_major: element (r, c) at c·ld + r).
 */
static dnnl_status_t onednn_strided_md(yoso_gemm_onednn *o, dnnl_memory_desc_t *md, int rows,
                                       int cols, int ld, int col_major) {
    const dnnl_dims_t dims = {rows, cols};
    const dnnl_dims_t strides = {col_major ? 1 : ld, col_major ? ld : 1};
    return o->f.dnnl_memory_desc_init_by_strides(md, 2, dims, dnnl_f32, strides);
}

/* The row-major [rows, cols] float32 descriptor. */
static dnnl_status_t onednn_plain_md(yoso_gemm_onednn *o, dnnl_memory_desc_t *md, size_t rows,
                                     size_t cols) {
    return onednn_strided_md(o, md, (int)rows, (int)cols, (int)cols, 0);
}

/* The matmul primitive descriptor of x [m, k] · W [k, n] → y [m, n] with weights in layout wmd. */
static dnnl_status_t onednn_matmul_pd(yoso_gemm_onednn *o, size_t m, size_t n, size_t k,
                                      const dnnl_memory_desc_t *wmd, dnnl_primitive_desc_t *pd) {
    dnnl_memory_desc_t smd, dmd;
    dnnl_matmul_desc_t desc;
    dnnl_status_t s = onednn_plain_md(o, &smd, m, k);
    if (s == dnnl_success) s = onednn_plain_md(o, &dmd, m, n);
    if (s == dnnl_success) s = o->f.dnnl_matmul_desc_init(&desc, &smd, wmd, NULL, &dmd);
    if (s == dnnl_success) s = o->f.dnnl_primitive_desc_create(pd, &desc, NULL, o->engine, NULL);
    return s;
}

/* The packed layout of weights [n, k]: the one oneDNN picks for ONEDNN_LAYOUT_ROWS rows, which
 * every product of this weight shape then asks for explicitly. */
static yoso_status onednn_layout_of(yoso_gemm_onednn *o, size_t n, size_t k,
                                    const onednn_layout **out) {
    for (int i = 0; i < o->layout_count; i++)
        if (o->layouts[i].n == n && o->layouts[i].k == k) return *out = &o->layouts[i], YOSO_OK;
    onednn_layout *grown = realloc(o->layouts, (size_t)(o->layout_count + 1) * sizeof *grown);
    if (!grown) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory packing weights");
    o->layouts = grown;
    onednn_layout *l = &o->layouts[o->layout_count];
    dnnl_memory_desc_t any;
    const dnnl_dims_t dims = {(dnnl_dim_t)k, (dnnl_dim_t)n};
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s =
        o->f.dnnl_memory_desc_init_by_tag(&any, 2, dims, dnnl_f32, dnnl_format_tag_any);
    if (s == dnnl_success) s = onednn_matmul_pd(o, ONEDNN_LAYOUT_ROWS, n, k, &any, &pd);
    if (s != dnnl_success) return onednn_check(s, "matmul set-up", ONEDNN_LAYOUT_ROWS, n, k);
    l->n = n;
    l->k = k;
    l->md = *o->f.dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    o->f.dnnl_primitive_desc_destroy(pd);
    o->layout_count++;
    *out = l;
    return YOSO_OK;
}

yoso_status yoso_gemm_onednn_pack_layout(yoso_gemm *g, size_t n, size_t k, const void **desc,
                                         size_t *desc_bytes, size_t *bytes) {
    yoso_status status = YOSO_OK;
    const onednn_layout *l = NULL;
    YOSO_TRY(onednn_layout_of(g->onednn, n, k, &l));
    *desc = &l->md;
    *desc_bytes = sizeof l->md;
    *bytes = g->onednn->f.dnnl_memory_desc_get_size(&l->md);
fail:
    return status;
}

/* Maps bytes [0, bytes) of buf (blocking: earlier commands have finished). */
static yoso_status onednn_map(yoso_gemm *g, cl_mem buf, size_t bytes, cl_map_flags flags,
                              void **out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clEnqueueMapBuffer(g->ctx->queue, buf, CL_TRUE, flags, 0, bytes, 0, NULL, NULL, &err);
    CL_CHECK_ERR(err, "clEnqueueMapBuffer(oneDNN operand)");
fail:
    return status;
}

yoso_status yoso_gemm_onednn_pack_to(yoso_gemm *g, const float *w, size_t n, size_t k, void *dst) {
    yoso_status status = YOSO_OK;
    yoso_gemm_onednn *o = g->onednn;
    const onednn_layout *l = NULL;
    dnnl_memory_desc_t plain;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t reorder = NULL;
    dnnl_memory_t from = NULL, to = NULL;
    YOSO_TRY(onednn_layout_of(o, n, k, &l));
    /* W [n, k] row-major is the matmul's [k, n] weights in column-major order: tag "ba" */
    const dnnl_dims_t dims = {(dnnl_dim_t)k, (dnnl_dim_t)n};
    dnnl_status_t s = o->f.dnnl_memory_desc_init_by_tag(&plain, 2, dims, dnnl_f32, dnnl_ba);
    if (s == dnnl_success)
        s = o->f.dnnl_reorder_primitive_desc_create(&rpd, &plain, o->engine, &l->md, o->engine,
                                                    NULL);
    if (s == dnnl_success) s = o->f.dnnl_primitive_create(&reorder, rpd);
    if (s == dnnl_success) s = o->f.dnnl_memory_create(&from, &plain, o->engine, (void *)w);
    if (s == dnnl_success) s = o->f.dnnl_memory_create(&to, &l->md, o->engine, dst);
    if (s == dnnl_success) {
        const dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
        s = o->f.dnnl_primitive_execute(reorder, o->stream, 2, args);
    }
    if (s == dnnl_success) s = o->f.dnnl_stream_wait(o->stream);
    YOSO_TRY(onednn_check(s, "weight reorder", 0, n, k));
fail:
    if (from) o->f.dnnl_memory_destroy(from);
    if (to) o->f.dnnl_memory_destroy(to);
    if (reorder) o->f.dnnl_primitive_destroy(reorder);
    if (rpd) o->f.dnnl_primitive_desc_destroy(rpd);
    return status;
}

yoso_status yoso_gemm_onednn_pack(yoso_gemm *g, const float *w, size_t n, size_t k, cl_mem *out,
                                  size_t *bytes) {
    yoso_status status = YOSO_OK;
    const onednn_layout *l = NULL;
    void *dst = NULL;
    cl_mem packed = NULL;
    cl_int err;
    YOSO_TRY(onednn_layout_of(g->onednn, n, k, &l));
    *bytes = g->onednn->f.dnnl_memory_desc_get_size(&l->md);
    packed = clCreateBuffer(g->ctx->context, CL_MEM_READ_ONLY, *bytes, NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(packed weights)");
    YOSO_TRY(onednn_map(g, packed, *bytes, CL_MAP_WRITE_INVALIDATE_REGION, &dst));
    status = yoso_gemm_onednn_pack_to(g, w, n, k, dst);
fail:
    if (dst) clEnqueueUnmapMemObject(g->ctx->queue, packed, dst, 0, NULL, NULL);
    if (status == YOSO_OK)
        *out = packed;
    else if (packed)
        clReleaseMemObject(packed);
    return status;
}

/* The kept primitive of product shape (m, n, k), created (replacing the oldest) when new. */
static yoso_status onednn_shape_of(yoso_gemm_onednn *o, size_t m, size_t n, size_t k,
                                   onednn_shape **out) {
    for (int i = 0; i < o->shape_count; i++) {
        onednn_shape *s = &o->shapes[i];
        if (s->m == m && s->n == n && s->k == k) return *out = s, YOSO_OK;
    }
    const onednn_layout *l = NULL;
    yoso_status status = onednn_layout_of(o, n, k, &l);
    if (status != YOSO_OK) return status;
    onednn_shape fresh = {m, n, k, NULL, NULL, NULL, NULL};
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = onednn_matmul_pd(o, m, n, k, &l->md, &pd);
    if (s == dnnl_success) s = o->f.dnnl_primitive_create(&fresh.prim, pd);
    if (s == dnnl_success)
        s = o->f.dnnl_memory_create(&fresh.src,
                                    o->f.dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                                    o->engine, DNNL_MEMORY_NONE);
    if (s == dnnl_success)
        s = o->f.dnnl_memory_create(&fresh.weights, &l->md, o->engine, DNNL_MEMORY_NONE);
    if (s == dnnl_success)
        s = o->f.dnnl_memory_create(&fresh.dst,
                                    o->f.dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                    o->engine, DNNL_MEMORY_NONE);
    if (pd) o->f.dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) {
        if (fresh.prim) o->f.dnnl_primitive_destroy(fresh.prim);
        if (fresh.src) o->f.dnnl_memory_destroy(fresh.src);
        if (fresh.weights) o->f.dnnl_memory_destroy(fresh.weights);
        return onednn_check(s, "matmul set-up", m, n, k);
    }
    onednn_shape *slot;
    if (o->shape_count < ONEDNN_SHAPES_MAX) {
        slot = &o->shapes[o->shape_count++];
    } else { /* full: the oldest goes */
        slot = &o->shapes[o->next_evict];
        o->next_evict = (o->next_evict + 1) % ONEDNN_SHAPES_MAX;
        o->f.dnnl_primitive_destroy(slot->prim);
        o->f.dnnl_memory_destroy(slot->src);
        o->f.dnnl_memory_destroy(slot->weights);
        o->f.dnnl_memory_destroy(slot->dst);
    }
    *slot = fresh;
    *out = slot;
    return YOSO_OK;
}

yoso_status yoso_gemm_onednn_linear(yoso_gemm *g, cl_mem x, cl_mem w, cl_mem y, size_t rows,
                                    size_t n, size_t k) {
    yoso_status status = YOSO_OK;
    yoso_gemm_onednn *o = g->onednn;
    onednn_shape *sh = NULL;
    void *px = NULL, *pw = NULL, *py = NULL;
    YOSO_TRY(onednn_shape_of(o, rows, n, k, &sh));
    const onednn_layout *l = NULL;
    YOSO_TRY(onednn_layout_of(o, n, k, &l));
    YOSO_TRY(onednn_map(g, x, rows * k * sizeof(float), CL_MAP_READ, &px));
    YOSO_TRY(onednn_map(g, w, o->f.dnnl_memory_desc_get_size(&l->md), CL_MAP_READ, &pw));
    YOSO_TRY(onednn_map(g, y, rows * n * sizeof(float), CL_MAP_WRITE_INVALIDATE_REGION, &py));
    dnnl_status_t s = o->f.dnnl_memory_set_data_handle(sh->src, px);
    if (s == dnnl_success) s = o->f.dnnl_memory_set_data_handle(sh->weights, pw);
    if (s == dnnl_success) s = o->f.dnnl_memory_set_data_handle(sh->dst, py);
    if (s == dnnl_success) {
        const dnnl_exec_arg_t args[] = {
            {DNNL_ARG_SRC, sh->src}, {DNNL_ARG_WEIGHTS, sh->weights}, {DNNL_ARG_DST, sh->dst}};
        s = o->f.dnnl_primitive_execute(sh->prim, o->stream, 3, args);
    }
    if (s == dnnl_success) s = o->f.dnnl_stream_wait(o->stream);
    YOSO_TRY(onednn_check(s, "matmul", rows, n, k));
fail:
    if (px) clEnqueueUnmapMemObject(g->ctx->queue, x, px, 0, NULL, NULL);
    if (pw) clEnqueueUnmapMemObject(g->ctx->queue, w, pw, 0, NULL, NULL);
    if (py) clEnqueueUnmapMemObject(g->ctx->queue, y, py, 0, NULL, NULL);
    return status;
}

/* Sends every later host product to the host BLAS (after one failed). */
static void onednn_products_off(yoso_gemm_onednn *o) {
    pthread_mutex_lock(&o->products_lock);
    o->products_off = 1;
    pthread_mutex_unlock(&o->products_lock);
}

/* *out ← the kept host product of key's shape, created (and added) when new; 0 on failure or
 * once products are off. A copy: another thread may grow the array meanwhile. */
static int onednn_product_of(yoso_gemm_onednn *o, const onednn_product *key, onednn_product *out) {
    int found = 0;
    pthread_mutex_lock(&o->products_lock);
    for (int i = 0; i < o->product_count && !found && !o->products_off; i++) {
        const onednn_product *p = &o->products[i];
        if (p->trans_b == key->trans_b && p->m == key->m && p->n == key->n && p->k == key->k &&
            p->lda == key->lda && p->ldb == key->ldb && p->ldc == key->ldc)
            *out = *p, found = 1;
    }
    if (found || o->products_off) goto done;
    if (o->product_count == o->product_cap) {
        const int cap = o->product_cap ? 2 * o->product_cap : 16;
        onednn_product *grown = realloc(o->products, (size_t)cap * sizeof *grown);
        if (!grown) goto done;
        o->products = grown, o->product_cap = cap;
    }
    onednn_product p = *key;
    dnnl_matmul_desc_t desc;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = onednn_strided_md(o, &p.a, p.m, p.k, p.lda, 0);
    /* B: [n, k] row-major (Bᵀ) is [k, n] column-major */
    if (s == dnnl_success) s = onednn_strided_md(o, &p.b, p.k, p.n, p.ldb, p.trans_b);
    if (s == dnnl_success) s = onednn_strided_md(o, &p.c, p.m, p.n, p.ldc, 0);
    if (s == dnnl_success) s = o->f.dnnl_matmul_desc_init(&desc, &p.a, &p.b, NULL, &p.c);
    dnnl_primitive_attr_t attr = NULL;
    if (s == dnnl_success) s = o->f.dnnl_primitive_attr_create(&attr);
    if (s == dnnl_success)
        s = o->f.dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (s == dnnl_success) s = o->f.dnnl_primitive_desc_create(&pd, &desc, attr, o->engine, NULL);
    if (s == dnnl_success) {
        p.scratch = *o->f.dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        p.scratch_bytes = o->f.dnnl_memory_desc_get_size(&p.scratch);
        s = o->f.dnnl_primitive_create(&p.prim, pd);
    }
    if (pd) o->f.dnnl_primitive_desc_destroy(pd);
    if (attr) o->f.dnnl_primitive_attr_destroy(attr);
    if (s == dnnl_success) o->products[o->product_count++] = *out = p, found = 1;
done:
    pthread_mutex_unlock(&o->products_lock);
    return found;
}

yoso_status yoso_gemm_onednn_product(yoso_gemm *g, int trans_b, int m, int n, int k, const float *a,
                                     int lda, const float *b, int ldb, float *c, int ldc) {
    yoso_gemm_onednn *o = g->onednn;
    const onednn_product key = {trans_b, m, n, k, lda, ldb, ldc, NULL, {0}, {0}, {0}, {0}, 0};
    onednn_product kept;
    const onednn_product *p = &kept;
    if (!onednn_product_of(o, &key, &kept)) {
        onednn_products_off(o);
        return yoso_error(YOSO_ERR_UNSUPPORTED, "oneDNN has no %d×%d×%d product", m, n, k);
    }
    /* the memory objects and the stream are this call's own: other threads run products too */
    dnnl_stream_t stream = NULL;
    dnnl_memory_t ma = NULL, mb = NULL, mc = NULL, ms = NULL;
    void *scratch = p->scratch_bytes ? malloc(p->scratch_bytes) : NULL;
    if (p->scratch_bytes && !scratch) return yoso_error_oom();
    dnnl_status_t s = o->f.dnnl_stream_create(&stream, o->engine, dnnl_stream_default_flags);
    if (s == dnnl_success) s = o->f.dnnl_memory_create(&ma, &p->a, o->engine, (void *)a);
    if (s == dnnl_success) s = o->f.dnnl_memory_create(&mb, &p->b, o->engine, (void *)b);
    if (s == dnnl_success) s = o->f.dnnl_memory_create(&mc, &p->c, o->engine, c);
    if (s == dnnl_success) s = o->f.dnnl_memory_create(&ms, &p->scratch, o->engine, scratch);
    if (s == dnnl_success) {
        const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, ma},
                                        {DNNL_ARG_WEIGHTS, mb},
                                        {DNNL_ARG_DST, mc},
                                        {DNNL_ARG_SCRATCHPAD, ms}};
        s = o->f.dnnl_primitive_execute(p->prim, stream, 4, args);
    }
    if (s == dnnl_success) s = o->f.dnnl_stream_wait(stream);
    if (ma) o->f.dnnl_memory_destroy(ma);
    if (mb) o->f.dnnl_memory_destroy(mb);
    if (mc) o->f.dnnl_memory_destroy(mc);
    if (ms) o->f.dnnl_memory_destroy(ms);
    free(scratch);
    if (stream) o->f.dnnl_stream_destroy(stream);
    if (s != dnnl_success) onednn_products_off(o);
    return onednn_check(s, "host product", (size_t)m, (size_t)n, (size_t)k);
}

void yoso_gemm_onednn_products_end(yoso_gemm *g) {
    yoso_gemm_onednn *o = g->onednn;
    if (!o || o->product_count <= ONEDNN_PRODUCTS_KEPT) return;
    const int drop = o->product_count - ONEDNN_PRODUCTS_KEPT; /* the oldest */
    for (int i = 0; i < drop; i++) o->f.dnnl_primitive_destroy(o->products[i].prim);
    memmove(o->products, o->products + drop, (size_t)ONEDNN_PRODUCTS_KEPT * sizeof *o->products);
    o->product_count = ONEDNN_PRODUCTS_KEPT;
}

int yoso_gemm_onednn_caller_threads(yoso_gemm *g, int n) {
    yoso_gemm_onednn *o = g->onednn;
    if (!o || !o->omp_set_num_threads) return 0;
    const int was = o->omp_get_max_threads();
    o->omp_set_num_threads(n);
    return was;
}

#endif

/* model_load.c — reading a model folder and uploading its weights to the device once. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fp16.h"
#include "gemm.h"
#include "model.h"
#include "tensor_file.h"
#include "tensor_file_internal.h"
#include "tensor_table.h"
#include "weight_cache.h"
#include "weights.h"

/* 1 if path names an existing regular file. */
static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the weights file of a model folder: model.safetensors, else pytorch_model.bin. */
static yoso_status model_find_weights(const char *dir, char *out, size_t n) {
    snprintf(out, n, "%s/model.safetensors", dir);
    if (file_exists(out)) return YOSO_OK;
    snprintf(out, n, "%s/pytorch_model.bin", dir);
    if (file_exists(out)) return YOSO_OK;
    return yoso_error(
        YOSO_ERR_NOT_FOUND,
        "no model.safetensors or pytorch_model.bin in %s: point -m/--model or YOSO_MODEL at a Hugging Face model folder (tools/download-model.sh fetches uw-madison/yoso-4096)",
        dir);
}

/* Converts `count` floats to half bits; fails when one is outside the half range. */
static yoso_status model_floats_to_half(const float *src, size_t count, uint16_t *dst,
                                        const char *name) {
    for (size_t i = 0; i < count; i++) {
        if (fabsf(src[i]) > 65504.0f)
            return yoso_error(YOSO_ERR_UNSUPPORTED,
                              "%s holds %g, outside the fp16 range: load the model without --fp16",
                              name, src[i]);
        dst[i] = yoso_float_to_half(src[i]);
    }
    return YOSO_OK;
}

/* Gives the pages of a tensor's bytes in the mapped checkpoint back to the kernel once they are
 * on the device, so the file does not count twice in the resident memory. */
static void model_release_source(const yoso_model *m, const yoso_tensor_view *view) {
    const yoso_tensor_file *f = m->load_file;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t lo = (uintptr_t)view->data, hi = lo + view->nbytes;
    if (!f || !f->mapped || lo < (uintptr_t)f->base || hi > (uintptr_t)f->base + f->size) return;
    const uintptr_t first = (lo + page - 1) / page * page, last = hi / page * page;
    if (last > first) madvise((void *)first, last - first, MADV_DONTNEED);
}

/* The 1-D slice [at, at + n) of view v (same bytes, its flat offset kept for messages). */
static yoso_tensor_view model_slice_view(const yoso_tensor_view *v, size_t at, size_t n) {
    yoso_tensor_view part = *v;
    part.ndim = 1;
    part.shape[0] = (int64_t)n;
    part.data = (const char *)v->data + at * yoso_dtype_size(v->dtype);
    part.nbytes = n * yoso_dtype_size(v->dtype);
    part.first = v->first + (int64_t)at;
    return part;
}

/* Floats from which a float32 conversion runs on two threads. */
#define MODEL_CONVERT_SPLIT (1u << 20)

/* One half of a two-thread float32 conversion and what it returned. */
typedef struct {
    yoso_tensor_view part;
    float *dst;
    yoso_status status;
    char message[512]; /* the thread's error message (errors are thread-local) */
} model_convert_half;

/* Converts one half (a pthread body). */
static void *model_convert_run(void *arg) {
    model_convert_half *h = arg;
    h->status = yoso_tensor_to_f32(&h->part, h->dst);
    if (h->status != YOSO_OK) snprintf(h->message, sizeof h->message, "%s", yoso_last_error());
    return NULL;
}

/* Converts view v to float32 into dst; a large one in two halves side by side (the copy, the
 * scan and the destination's first-touch page faults of each half on its own core). The
 * lower half's error comes first, as a one-thread scan would report it. */
static yoso_status model_convert_f32(const yoso_tensor_view *v, float *dst) {
    const size_t count = (size_t)yoso_tensor_numel(v);
    if (count < MODEL_CONVERT_SPLIT || v->nbytes != count * yoso_dtype_size(v->dtype))
        return yoso_tensor_to_f32(v, dst);
    const size_t half = count / 2;
    model_convert_half upper = {model_slice_view(v, half, count - half), dst + half, YOSO_OK, ""};
    pthread_t tid;
    const int threaded = pthread_create(&tid, NULL, model_convert_run, &upper) == 0;
    if (!threaded) model_convert_run(&upper);
    const yoso_tensor_view lower = model_slice_view(v, 0, half);
    const yoso_status st = yoso_tensor_to_f32(&lower, dst);
    if (threaded) pthread_join(tid, NULL);
    if (st != YOSO_OK) return st;
    if (upper.status != YOSO_OK) return yoso_error(upper.status, "%s", upper.message);
    return YOSO_OK;
}

/* Elements of n views laid end to end. */
static size_t model_views_numel(const yoso_tensor_view *const *views, int n) {
    size_t total = 0;
    for (int i = 0; i < n; i++) total += (size_t)yoso_tensor_numel(views[i]);
    return total;
}

/* Converts views[i] into dst (float32, or half when as_half) in slices of at most `chunk`
 * elements through `tmp`, so no whole-tensor copy is made on the host. */
static yoso_status model_convert_view(const yoso_tensor_view *v, void *dst, int as_half, float *tmp,
                                      size_t chunk) {
    yoso_status status = YOSO_OK;
    const size_t count = (size_t)yoso_tensor_numel(v);
    if (!as_half) return model_convert_f32(v, dst);
    for (size_t at = 0; at < count; at += chunk) {
        size_t n = count - at < chunk ? count - at : chunk;
        const yoso_tensor_view part = model_slice_view(v, at, n);
        YOSO_TRY(yoso_tensor_to_f32(&part, tmp));
        YOSO_TRY(model_floats_to_half(tmp, n, (uint16_t *)dst + at, v->name));
    }
fail:
    return status;
}

/* Converts one or more tensors, laid end to end, straight into one new device buffer (mapped
 * for writing: no host copy on a CPU device), as float32 or, when as_half, half. */
static yoso_status model_upload_views(yoso_model *m, const yoso_tensor_view *const *views, int n,
                                      int as_half, cl_mem *out) {
    yoso_status status = YOSO_OK;
    enum { CHUNK = 1 << 16 };
    float *tmp = NULL;
    void *dst = NULL;
    const size_t esize = as_half ? sizeof(uint16_t) : sizeof(float);
    const size_t total = model_views_numel(views, n);
    const size_t bytes = (total ? total : 1) * esize;
    cl_int err;
    *out = clCreateBuffer(m->ctx->context, CL_MEM_READ_ONLY, bytes, NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(weights)");
    m->weight_bytes += bytes;
    if (as_half && !(tmp = malloc(CHUNK * sizeof(float))))
        return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory converting weights");
    dst = clEnqueueMapBuffer(m->ctx->queue, *out, CL_TRUE, CL_MAP_WRITE, 0, bytes, 0, NULL, NULL,
                             &err);
    CL_CHECK_ERR(err, "clEnqueueMapBuffer(weights)");
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        YOSO_TRY(model_convert_view(views[i], (char *)dst + at * esize, as_half, tmp, CHUNK));
        at += (size_t)yoso_tensor_numel(views[i]);
        model_release_source(m, views[i]);
    }
fail:
    if (dst) clEnqueueUnmapMemObject(m->ctx->queue, *out, dst, 0, NULL, NULL);
    free(tmp);
    return status;
}

/* True if table row i is the first of the rows uploaded into its device buffer. */
static int model_starts_buffer(size_t i) {
    const yoso_tensor_spec *s = &yoso_tensor_table[i];
    if (s->flags & (YOSO_TENSOR_ALT | YOSO_TENSOR_TIED)) return 0;
    for (size_t j = 0; j < i; j++)
        if (yoso_tensor_table[j].scope == s->scope && yoso_tensor_table[j].device == s->device)
            return 0;
    return 1;
}

/* A device buffer and the bound views laid end to end in it. */
typedef struct model_buffer {
    const yoso_tensor_spec *spec; /* the buffer's first row */
    cl_mem *dst;                  /* the field in the model */
    const yoso_tensor_view *views[YOSO_TENSOR_PARTS_MAX];
    int count;   /* views bound; 0 when the checkpoint has none (no conv, no head) */
    int as_half; /* a matrix, with fp16 weights */
} model_buffer;

/* Calls fn on every device buffer that the checkpoint's bound tensors fill, in table order:
 * the model's (embeddings), each layer's, then the heads'. */
static yoso_status model_each_buffer(yoso_model *m, const yoso_weights *w,
                                     yoso_status (*fn)(yoso_model *, const model_buffer *, void *),
                                     void *user) {
    yoso_status status = YOSO_OK;
    static const yoso_tensor_scope k_scopes[] = {YOSO_SCOPE_MODEL, YOSO_SCOPE_LAYER,
                                                 YOSO_SCOPE_HEAD};
    for (size_t sc = 0; sc < sizeof k_scopes / sizeof k_scopes[0]; sc++) {
        const int layers = k_scopes[sc] == YOSO_SCOPE_LAYER ? w->num_layers : 1;
        for (int li = 0; li < layers; li++)
            for (size_t i = 0; i < yoso_tensor_table_count; i++) {
                const yoso_tensor_spec *s = &yoso_tensor_table[i];
                if (s->scope != k_scopes[sc] || !model_starts_buffer(i)) continue;
                model_buffer b = {
                    s,
                    yoso_tensor_field(s, m, m->layers ? &m->layers[li] : NULL, s->device),
                    {NULL},
                    0,
                    (s->flags & YOSO_TENSOR_MATRIX) && m->opt.fp16_weights};
                for (size_t j = i; j < yoso_tensor_table_count; j++) {
                    const yoso_tensor_spec *t = &yoso_tensor_table[j];
                    if (t->scope != s->scope || t->device != s->device ||
                        (t->flags & YOSO_TENSOR_ALT))
                        continue;
                    const yoso_tensor_view *const *v =
                        yoso_tensor_field(t, (void *)w, w->layers ? &w->layers[li] : NULL, t->view);
                    if (!*v) continue;
                    if (b.count == YOSO_TENSOR_PARTS_MAX)
                        return yoso_error(
                            YOSO_ERR_UNSUPPORTED,
                            "tensor_table.c: more than %d tensors share the buffer of %s: raise YOSO_TENSOR_PARTS_MAX",
                            YOSO_TENSOR_PARTS_MAX, s->name);
                    b.views[b.count++] = *v;
                }
                if (b.count) YOSO_TRY(fn(m, &b, user));
            }
    }
fail:
    return status;
}

/* The largest buffer and the sum of all, in device bytes. */
typedef struct model_sizes {
    uint64_t largest, total;
} model_sizes;

/* Adds one buffer's bytes to the model_sizes in user. */
static yoso_status model_count_buffer(yoso_model *m, const model_buffer *b, void *user) {
    model_sizes *sz = user;
    const uint64_t bytes = (uint64_t)model_views_numel(b->views, b->count) * (b->as_half ? 2 : 4);
    if (bytes > sz->largest) sz->largest = bytes;
    sz->total += bytes;
    return YOSO_OK;
}

/* Checks that the weights fit the device: each buffer under the max allocation, all in memory. */
static yoso_status model_check_fits(yoso_model *m, const yoso_weights *w) {
    const yoso_device_info *dev = &m->ctx->info;
    model_sizes sz = {0, 0};
    yoso_status status = model_each_buffer(m, w, model_count_buffer, &sz);
    if (status != YOSO_OK) return status;
    if (sz.largest > dev->max_alloc_bytes)
        return yoso_error(
            YOSO_ERR_NO_MEMORY,
            "a weight matrix needs %.1f MiB but %s allows at most %.1f MiB per buffer: choose another device with -d",
            sz.largest / 1048576.0, dev->name, dev->max_alloc_bytes / 1048576.0);
    if (sz.total > dev->global_mem_bytes)
        return yoso_error(
            YOSO_ERR_NO_MEMORY,
            "the weights need %.1f MiB but %s has %.1f MiB of memory: choose another device with -d",
            sz.total / 1048576.0, dev->name, dev->global_mem_bytes / 1048576.0);
    return YOSO_OK;
}

/* Host memory an nn.Linear weight is converted into before it is packed, kept from one weight
 * to the next (the largest: yoso-4096's FFN matrices, 9 MiB). */
typedef struct model_pack_scratch {
    float *data; /* [floats] */
    size_t floats;
    yoso_weight_cache *cache; /* the packed matrices' cache entry, or NULL */
    size_t next;              /* packed matrices so far */
} model_pack_scratch;

/* Converts an nn.Linear weight's views (end to end: W [n, k]) to float32 in host scratch memory
 * and packs them from there in the GEMM backend's layout, into the weight cache's new entry or
 * into a new device buffer (the plain matrix never becomes a device buffer of its own); a
 * cache hit takes the packed matrix as it is. */
static yoso_status model_upload_packed(yoso_model *m, const model_buffer *b,
                                       model_pack_scratch *sc) {
    yoso_status status = YOSO_OK;
    const size_t total = model_views_numel(b->views, b->count);
    size_t at = 0, bytes = 0;
    const size_t k = (size_t)b->views[0]->shape[1], n = total / k; /* bound as [out, in] */
    const size_t index = sc->next++;
    if (yoso_weight_cache_hit(sc->cache)) goto buffer;
    if (total > sc->floats) {
        free(sc->data);
        sc->floats = 0;
        if (!(sc->data = malloc(total * sizeof(float))))
            return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory packing %s",
                              b->views[0]->name);
        sc->floats = total;
    }
    for (int i = 0; i < b->count; i++) {
        YOSO_TRY(model_convert_f32(b->views[i], sc->data + at));
        at += (size_t)yoso_tensor_numel(b->views[i]);
        model_release_source(m, b->views[i]);
    }
    if (!sc->cache) {
        YOSO_TRY(yoso_gemm_pack_weight(m->ctx->gemm, sc->data, n, k, b->dst, &bytes));
        m->weight_bytes += bytes;
        return YOSO_OK;
    }
    void *region = yoso_weight_cache_region(sc->cache, index);
    if (!region)
        return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory packing %s", b->views[0]->name);
    YOSO_TRY(yoso_gemm_pack_weight_to(m->ctx->gemm, sc->data, n, k, region));
buffer:
    YOSO_TRY(yoso_weight_cache_buffer(sc->cache, index, b->dst, &bytes));
    m->weight_bytes += bytes;
fail:
    return status;
}

/* 1 when buffer b is an nn.Linear weight in float32 that the GEMM backend packs. */
static int model_buffer_packs(const yoso_model *m, const model_buffer *b) {
    return m->packed_weights && (b->spec->flags & YOSO_TENSOR_LINEAR) && b->views[0]->ndim == 2 &&
           b->views[0]->shape[1] > 0;
}

/* Uploads one buffer's views into a new device buffer, packed where model_buffer_packs. */
static yoso_status model_upload_buffer(yoso_model *m, const model_buffer *b, void *user) {
    if (model_buffer_packs(m, b)) return model_upload_packed(m, b, user);
    return model_upload_views(m, b->views, b->count, b->as_half, b->dst);
}

/* The packed matrices' shapes, in load order. */
typedef struct model_shapes {
    yoso_packed_shape *at;
    size_t count, cap;
} model_shapes;

/* Adds buffer b's shape to the model_shapes in user when it is packed. */
static yoso_status model_collect_shape(yoso_model *m, const model_buffer *b, void *user) {
    model_shapes *sh = user;
    if (!model_buffer_packs(m, b)) return YOSO_OK;
    if (sh->count == sh->cap) {
        const size_t cap = sh->cap ? 2 * sh->cap : 64;
        yoso_packed_shape *grown = realloc(sh->at, cap * sizeof *grown);
        if (!grown) return yoso_error_oom();
        sh->at = grown;
        sh->cap = cap;
    }
    const size_t k = (size_t)b->views[0]->shape[1];
    sh->at[sh->count++] = (yoso_packed_shape){model_views_numel(b->views, b->count) / k, k};
    return YOSO_OK;
}

/* Opens the weight cache's entry for the checkpoint at weights_path when weights are packed. */
static yoso_status model_open_cache(yoso_model *m, const yoso_weights *w,
                                    const char *weights_path) {
    yoso_status status = YOSO_OK;
    model_shapes sh = {NULL, 0, 0};
    if (!m->packed_weights) return YOSO_OK;
    YOSO_TRY(model_each_buffer(m, w, model_collect_shape, &sh));
    YOSO_TRY(yoso_weight_cache_open(m->ctx, weights_path, sh.at, sh.count, &m->wcache));
    if (m->ctx->verbose && yoso_weight_cache_hit(m->wcache))
        fprintf(stderr, "yoso: packed weights mapped from the cache\n");
fail:
    free(sh.at);
    return status;
}

/* Uploads every weight of a bound checkpoint (read from weights_path); packed matrices come
 * from the weight cache when it holds them for this checkpoint, and go into it otherwise. */
static yoso_status model_upload_all(yoso_model *m, const yoso_weights *w,
                                    const char *weights_path) {
    yoso_status status = YOSO_OK;
    model_pack_scratch scratch = {NULL, 0, NULL, 0};
    m->layers = calloc((size_t)w->num_layers, sizeof *m->layers);
    if (!m->layers) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory");
    YOSO_TRY(model_check_fits(m, w));
    m->packed_weights = !m->opt.fp16_weights && yoso_gemm_packs_weights(m->ctx->gemm);
    YOSO_TRY(model_open_cache(m, w, weights_path));
    scratch.cache = m->wcache;
    YOSO_TRY(model_each_buffer(m, w, model_upload_buffer, &scratch));
    yoso_weight_cache_finish(m->wcache);
    m->has_lm_head = w->has_lm_head;
    m->arch = w->arch;
fail:
    free(scratch.data);
    return status;
}

/* Applies the caller's attention overrides on top of config.json. */
static yoso_status model_apply_options(yoso_model *m) {
    const yoso_model_options *o = &m->opt;
    m->use_expectation = m->cfg.use_expectation;
    if (o->attention == YOSO_ATTENTION_EXPECTATION) m->use_expectation = 1;
    if (o->attention == YOSO_ATTENTION_LSH) m->use_expectation = 0;
    m->num_hash = o->num_hash > 0 ? o->num_hash : m->cfg.num_hash;
    m->hash_code_len = o->hash_code_len > 0 ? o->hash_code_len : m->cfg.hash_code_len;
    if (m->num_hash < 1 || m->num_hash > 4096)
        return yoso_error(YOSO_ERR_USAGE, "num_hash %d is out of range: use 1..4096", m->num_hash);
    if (m->hash_code_len < 1 || m->hash_code_len > 16)
        return yoso_error(YOSO_ERR_USAGE, "hash_code_len %d is out of range: use 1..16",
                          m->hash_code_len);
    int head_dim = m->cfg.hidden_size / m->cfg.num_attention_heads;
    if (head_dim > 128)
        return yoso_error(YOSO_ERR_UNSUPPORTED,
                          "attention head size %d is larger than the supported 128", head_dim);
    if (m->cfg.conv_window > 0 && m->cfg.conv_window % 2 == 0)
        return yoso_error(YOSO_ERR_UNSUPPORTED,
                          "conv_window %d is even: only odd windows keep the sequence length",
                          m->cfg.conv_window);
    return YOSO_OK;
}

yoso_status yoso_model_load(yoso_context *ctx, const char *dir, const yoso_model_options *options,
                            yoso_model **out) {
    yoso_status status = YOSO_OK;
    yoso_tensor_file *file = NULL;
    yoso_weights w = {0};
    char path[4096];
    *out = NULL;
    yoso_model *m = calloc(1, sizeof *m);
    if (!m) return yoso_error(YOSO_ERR_NO_MEMORY, "out of host memory");
    m->ctx = ctx;
    if (options) m->opt = *options;
    if (m->opt.lsh_dmat_path && !file_exists(m->opt.lsh_dmat_path)) {
        status = yoso_error(
            YOSO_ERR_NOT_FOUND,
            "LSH sign file %s does not exist: give a safetensors file with layer.<i>.Dmat tensors",
            m->opt.lsh_dmat_path);
        goto fail;
    }
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (!file_exists(path)) {
        status = yoso_error(
            YOSO_ERR_NOT_FOUND,
            "no config.json in %s: point -m/--model or YOSO_MODEL at a Hugging Face model folder (tools/download-model.sh fetches uw-madison/yoso-4096)",
            dir);
        goto fail;
    }
    YOSO_TRY(yoso_config_load(path, &m->cfg));
    YOSO_TRY(model_apply_options(m));
    YOSO_TRY(yoso_config_load_labels(path, &m->cfg, &m->labels));
    if (m->cfg.num_labels > 3 * m->cfg.hidden_size) {
        status = yoso_error(YOSO_ERR_UNSUPPORTED,
                            "%s: %d labels is more than 3 × hidden_size (%d), the most supported",
                            path, m->cfg.num_labels, 3 * m->cfg.hidden_size);
        goto fail;
    }
    const yoso_attention_config acfg = {.num_layers = m->cfg.num_hidden_layers,
                                        .heads = m->cfg.num_attention_heads,
                                        .head_dim = m->cfg.hidden_size / m->cfg.num_attention_heads,
                                        .expectation = m->use_expectation,
                                        .tau = m->hash_code_len,
                                        .num_hash = m->num_hash,
                                        .seed = m->opt.seed,
                                        .lsh_dmat_path = m->opt.lsh_dmat_path};
    YOSO_TRY(yoso_attention_create(ctx, &acfg, &m->attention));
    m->opt.lsh_dmat_path = NULL; /* the caller's string; the attention keeps its own copy */
    YOSO_TRY(model_find_weights(dir, path, sizeof path));
    YOSO_TRY(yoso_tensor_file_open(path, &file));
    YOSO_TRY(yoso_weights_bind(file, &m->cfg, &w));
    m->load_file = file;
    status = model_upload_all(m, &w, path);
    m->load_file = NULL;
    if (status != YOSO_OK) goto fail;
    YOSO_TRY(yoso_model_reserve_weight_scratch(m));
    yoso_weights_release(&w);
    yoso_tensor_file_close(file);
    *out = m;
    return YOSO_OK;
fail:
    yoso_weights_release(&w);
    yoso_tensor_file_close(file);
    yoso_model_free(m);
    return status;
}

/* Releases a buffer if it exists. */
static void release(cl_mem *m) {
    if (*m) clReleaseMemObject(*m);
    *m = NULL;
}

/* Releases the activation and LM-head buffers. */
void yoso_model_release_buffers(yoso_model *m) {
    yoso_activations *a = &m->act;
    cl_mem *acts[] = {&a->ids,       &a->mask,   &a->h,      &a->a,          &a->tmp,
                      &a->ctx,       &a->q,      &a->k,      &a->v,          &a->big,
                      &m->head.rows, &m->head.x, &m->head.t, &m->head.logits};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) release(acts[i]);
    a->rows = 0;
    yoso_attention_release_buffers(m->attention);
    a->bytes = 0;
    m->head.capacity = 0;
    m->head.bytes = 0;
}

void yoso_model_free(yoso_model *m) {
    if (!m) return;
    if (m->ctx && m->ctx->queue) clFinish(m->ctx->queue);
    yoso_attention_free(m->attention);
    m->attention = NULL;
    yoso_model_release_buffers(m);
    for (size_t r = 0; r < yoso_tensor_table_count; r++) {
        const yoso_tensor_spec *s = &yoso_tensor_table[r];
        if (s->flags & YOSO_TENSOR_TIED) continue;
        const int layers = s->scope == YOSO_SCOPE_LAYER ? m->cfg.num_hidden_layers : 1;
        for (int i = 0; i < layers && (m->layers || s->scope != YOSO_SCOPE_LAYER); i++)
            release(yoso_tensor_field(s, m, m->layers ? &m->layers[i] : NULL, s->device));
    }
    free(m->layers);
    free(m->labels);
    release(&m->wscratch);
    yoso_weight_cache_free(m->wcache); /* after the buffers that point into it */
    free(m);
}

void yoso_model_get_info(const yoso_model *m, yoso_model_info *info) {
    info->vocab_size = m->cfg.vocab_size;
    info->hidden_size = m->cfg.hidden_size;
    info->num_layers = m->cfg.num_hidden_layers;
    info->num_heads = m->cfg.num_attention_heads;
    info->intermediate_size = m->cfg.intermediate_size;
    info->max_tokens = m->cfg.max_position_embeddings;
    info->pad_token_id = m->cfg.pad_token_id;
    info->bos_token_id = m->cfg.bos_token_id;
    info->eos_token_id = m->cfg.eos_token_id;
    info->architecture = m->arch;
    info->num_labels = m->cfg.num_labels;
    info->problem_type = (yoso_problem_type)m->cfg.problem_type;
}

const char *yoso_model_label(const yoso_model *m, int i) {
    return m && i >= 0 && i < m->cfg.num_labels ? m->labels[i] : NULL;
}

const char *yoso_architecture_name(yoso_architecture arch) {
    if (arch == YOSO_ARCHITECTURE_BASE) return "YosoModel";
    for (size_t h = 0; h < yoso_head_table_count; h++)
        if (yoso_head_table[h].api == arch) return yoso_head_table[h].hf_class;
    return "unknown";
}

/* model_buffers.c — activation buffers sized for the current batch, grown on demand. */
#include "model.h"

/* Creates one read-write device buffer of `bytes`, counted in m->act.bytes. */
static yoso_status buffer_create(yoso_model *m, size_t bytes, cl_mem *out) {
    yoso_status status = YOSO_OK;
    cl_int err;
    *out = clCreateBuffer(m->ctx->context, CL_MEM_READ_WRITE, bytes ? bytes : 4, NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(activations)");
    m->act.bytes += bytes;
    return YOSO_OK;
fail:
    return status;
}

/* Makes sure the activation buffers hold `rows` tokens (B·L). */
yoso_status yoso_model_reserve(yoso_model *m, size_t rows) {
    yoso_status status = YOSO_OK;
    yoso_activations *a = &m->act;
    if (rows <= a->rows) return YOSO_OK;
    yoso_model_release_buffers(m);
    const size_t H = (size_t)m->cfg.hidden_size, I = (size_t)m->cfg.intermediate_size;
    const size_t wide = (3 * H > I) ? 3 * H : I;
    const size_t f = sizeof(float);
    YOSO_TRY(buffer_create(m, rows * sizeof(int), &a->ids));
    YOSO_TRY(buffer_create(m, rows * sizeof(int), &a->mask));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->h));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->a));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->tmp));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->ctx));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->q));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->k));
    YOSO_TRY(buffer_create(m, rows * H * f, &a->v));
    YOSO_TRY(buffer_create(m, rows * wide * f, &a->big));
    a->rows = rows;
    return YOSO_OK;
fail:
    yoso_model_release_buffers(m);
    return status;
}

yoso_status yoso_model_reserve_weight_scratch(yoso_model *m) {
    yoso_status status = YOSO_OK;
    if (!m->opt.fp16_weights || m->wscratch) return YOSO_OK;
    const size_t H = (size_t)m->cfg.hidden_size, I = (size_t)m->cfg.intermediate_size;
    m->wscratch_floats = 3 * H * H > H * I ? 3 * H * H : H * I; /* the largest matrix */
    cl_int err;
    m->wscratch = clCreateBuffer(m->ctx->context, CL_MEM_READ_WRITE,
                                 m->wscratch_floats * sizeof(float), NULL, &err);
    CL_CHECK_ERR(err, "clCreateBuffer(fp16 weight scratch)");
    m->weight_bytes += m->wscratch_floats * sizeof(float);
    return YOSO_OK;
fail:
    m->wscratch_floats = 0;
    return status;
}

yoso_status yoso_model_reserve_head(yoso_model *m, int n) {
    yoso_status status = YOSO_OK;
    yoso_head_buffers *hb = &m->head;
    if (n <= hb->capacity) return YOSO_OK;
    cl_mem *bufs[] = {&hb->rows, &hb->x, &hb->t, &hb->logits};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        if (*bufs[i]) clReleaseMemObject(*bufs[i]);
        *bufs[i] = NULL;
    }
    m->act.bytes -= hb->bytes;
    hb->capacity = 0;
    hb->bytes = 0;
    const size_t H = (size_t)m->cfg.hidden_size, V = (size_t)m->cfg.vocab_size;
    const size_t rows = (size_t)n, before = m->act.bytes;
    YOSO_TRY(buffer_create(m, rows * sizeof(int), &hb->rows));
    YOSO_TRY(buffer_create(m, rows * H * sizeof(float), &hb->x));
    YOSO_TRY(buffer_create(m, rows * H * sizeof(float), &hb->t));
    YOSO_TRY(buffer_create(m, rows * V * sizeof(float), &hb->logits));
    hb->capacity = n;
    hb->bytes = m->act.bytes - before;
    return YOSO_OK;
fail:
    hb->bytes = m->act.bytes - before;
    return status;
}

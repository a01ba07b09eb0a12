/* prepare.c — a context's kernels prepared on a thread of their own (the program built or read
 * from the cache, the self-check run) while the caller goes on, loading a model, say: a cold start
 * compiles on one core while the weights load on the other. Whatever needs a kernel waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* What the preparing thread runs and returns. */
typedef struct {
    yoso_context *ctx;
    yoso_status (*fn)(yoso_context *ctx);
} prepare_job;

/* 1 on a preparing thread: what it runs needs no waiting for itself. */
static _Thread_local int t_preparing;

/* The thread's body: runs the job and keeps its status and message (errors are per thread). */
static void *prepare_run(void *arg) {
    prepare_job job = *(prepare_job *)arg;
    free(arg);
    t_preparing = 1;
    job.ctx->prep_status = job.fn(job.ctx);
    if (job.ctx->prep_status != YOSO_OK)
        snprintf(job.ctx->prep_message, sizeof job.ctx->prep_message, "%s", yoso_last_error());
    yoso_error_clear();
    return NULL;
}

yoso_status yoso_prepare_start(yoso_context *ctx, yoso_status (*fn)(yoso_context *ctx)) {
    prepare_job *job = malloc(sizeof *job);
    if (!job) return yoso_error_oom();
    *job = (prepare_job){ctx, fn};
    atomic_store(&ctx->preparing, 1);
    if (pthread_create(&ctx->prep_thread, NULL, prepare_run, job) == 0) return YOSO_OK;
    atomic_store(&ctx->preparing, 0); /* no thread: prepare here */
    free(job);
    return fn(ctx);
}

void yoso_prepare_join(yoso_context *ctx) {
    if (t_preparing || !atomic_load(&ctx->preparing)) return;
    pthread_mutex_lock(&ctx->prep_lock);
    if (atomic_load(&ctx->preparing)) {
        pthread_join(ctx->prep_thread, NULL);
        atomic_store(&ctx->preparing, 0);
    }
    pthread_mutex_unlock(&ctx->prep_lock);
}

yoso_status yoso_prepared(yoso_context *ctx) {
    if (t_preparing) return YOSO_OK;
    yoso_prepare_join(ctx);
    if (ctx->prep_status == YOSO_OK) return YOSO_OK;
    return yoso_error(ctx->prep_status, "%s", ctx->prep_message);
}

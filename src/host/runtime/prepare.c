/* prepare.c — a context's kernels prepared on a thread of their own (the program built or read
 * from the cache, the self-check run) while the caller goes on, loading a model, say: a cold start
 * compiles on one core while the weights load on the other. The model being loaded may queue the
 * kernels it will use beyond those (LSH attention's) for the same thread. Whatever needs a kernel
 * waits. */
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
    yoso_context *ctx = job.ctx;
    ctx->prep_status = job.fn(ctx);
    if (ctx->prep_status != YOSO_OK)
        snprintf(ctx->prep_message, sizeof ctx->prep_message, "%s", yoso_last_error());
    yoso_error_clear();
    pthread_mutex_lock(&ctx->more_lock);
    ctx->more_closed = 1; /* what is queued now is all this thread runs */
    pthread_mutex_unlock(&ctx->more_lock);
    for (int i = 0; i < ctx->more_count && ctx->prep_status == YOSO_OK; i++) {
        ctx->more[i].fn(ctx, ctx->more[i].arg);
        yoso_error_clear();
    }
    return NULL;
}

int yoso_prepare_more(yoso_context *ctx, void (*fn)(yoso_context *ctx, int arg), int arg) {
    int queued = 0;
    if (t_preparing || !atomic_load(&ctx->preparing)) return 0;
    pthread_mutex_lock(&ctx->more_lock);
    if (!ctx->more_closed && ctx->more_count < YOSO_PREPARE_MORE_MAX) {
        ctx->more[ctx->more_count].fn = fn;
        ctx->more[ctx->more_count].arg = arg;
        ctx->more_count++;
        queued = 1;
    }
    pthread_mutex_unlock(&ctx->more_lock);
    return queued;
}

yoso_status yoso_prepare_start(yoso_context *ctx, yoso_status (*fn)(yoso_context *ctx)) {
    prepare_job *job = malloc(sizeof *job);
    if (!job) return yoso_error_oom();
    *job = (prepare_job){ctx, fn};
    atomic_store(&ctx->preparing, 1);
    ctx->more_closed = 0;
    ctx->more_count = 0;
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

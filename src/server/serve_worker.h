/* serve_worker.h — the one device worker: a request queue and a token-budget dynamic batcher. */
#ifndef YOSO_SERVE_WORKER_H
#define YOSO_SERVE_WORKER_H

#include "serve.h"
#include "serve_request.h"

/* One queued device request and, once done, its answer. */
typedef struct serve_job {
    serve_request req;    /* parsed and tokenized */
    const char *model_id; /* for /v1/embeddings' "model" */
    char *answer;         /* the JSON answer (malloc'ed) once done without error */
    serve_error err;      /* the failure once done with error */
    int done, started, abandoned;
    yoso_fill_result *fill; /* [req.count] fill-mask results */
    float *vectors;         /* [req.count, hidden] pooled embeddings */
    char **answers;         /* [req.count] pipeline answers (SERVE_TASK), each one JSON line */
    size_t longest;         /* the longest input, tokens */
    struct serve_job *next;
} serve_job;

typedef struct serve_worker serve_worker;

/* Starts the worker thread over a loaded model and tokenizer. */
yoso_status serve_worker_start(yoso_model *model, const yoso_tokenizer *tok, const serve_options *o,
                               serve_worker **out);
/* Queues a job; -1 with a 429 in e when max_concurrent_requests are already queued or running. */
int serve_worker_submit(serve_worker *w, serve_job *job, serve_error *e);
/* Waits for the job until timeout seconds; 0 when done, -1 on timeout (504 in job->err): the
 * job then belongs to the worker, which frees it, and the caller must not touch it again. */
int serve_worker_wait(serve_worker *w, serve_job *job, double timeout);
/* Requests queued or running now. */
int serve_worker_depth(serve_worker *w, int *running);
/* Stops the thread after the queue is empty and frees the worker. */
void serve_worker_stop(serve_worker *w);
void serve_job_free(serve_job *job);

#endif

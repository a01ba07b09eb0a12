/* serve_worker.c — the device worker: batches queued jobs by a token budget, runs fill-mask and
 * pooled embeddings, turns the results into JSON. A request's answer never depends on what it is
 * batched with: padding carries a real attention mask (see README "Serving"). */
#include "serve_worker.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "serve_metrics.h"

struct serve_worker {
    yoso_model *model;
    const yoso_tokenizer *tok;
    serve_options opt;
    int hidden;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* the queue got a job, or stop */
    pthread_cond_t done; /* some job finished */
    serve_job *head, *tail;
    int queued, running, stop;
};

/* One input of one job inside a batch. */
typedef struct batch_item {
    serve_job *job;
    int index;
} batch_item;

void serve_job_free(serve_job *job) {
    if (!job) return;
    for (int i = 0; job->fill && i < job->req.count; i++) yoso_fill_result_release(&job->fill[i]);
    free(job->fill);
    free(job->vectors);
    for (int i = 0; job->answers && i < job->req.count; i++) free(job->answers[i]);
    free(job->answers);
    free(job->answer);
    serve_request_free(&job->req);
    free(job);
}

/* Whether a job runs the LM head (fill-mask) rather than pooling hidden states. */
static int job_is_fill(const serve_job *j) {
    return j->req.route == SERVE_FILL_MASK;
}

/* What a job runs, so that a batch holds one kind: 0 fill-mask, 1 pooling, 2 + the task of a
 * pipeline request. */
static int job_kind(const serve_job *j) {
    return j->req.route == SERVE_TASK ? 2 + (int)j->req.task : !job_is_fill(j);
}

/* Records a library failure as the job's error: bad input 422, anything else 500. */
static void job_fail(serve_job *j, yoso_status st) {
    int input = st == YOSO_ERR_INPUT || st == YOSO_ERR_USAGE || st == YOSO_ERR_UNSUPPORTED;
    serve_fail(&j->err, input ? 422 : 500, input ? "validation" : "backend", "%s",
               yoso_last_error());
}

/* Runs fill-mask on n items as one batch (padded chunks of like length). */
static yoso_status run_fill(serve_worker *w, const batch_item *items, int n) {
    yoso_fill_request *req = calloc((size_t)n, sizeof *req);
    yoso_fill_result *res = calloc((size_t)n, sizeof *res);
    yoso_status st = YOSO_ERR_NO_MEMORY;
    if (!req || !res) goto done;
    for (int i = 0; i < n; i++) {
        const serve_request *r = &items[i].job->req;
        req[i] = (yoso_fill_request){.text = r->texts[items[i].index],
                                     .top_k = r->top_k,
                                     .targets = (const char *const *)r->targets,
                                     .num_targets = r->num_targets};
    }
    st = yoso_fill_mask(w->model, w->tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++) {
        yoso_fill_result *slot = &items[i].job->fill[items[i].index];
        yoso_fill_result_release(slot); /* a result of an earlier, failed batch */
        *slot = res[i];
    }
done:
    free(req);
    free(res);
    return st;
}

/* Runs n pipeline requests (one task) as one batch; a failing input is named by its index in
 * its own request. */
static yoso_status run_task(serve_worker *w, const batch_item *items, int n) {
    const char **reqs = calloc((size_t)n, sizeof *reqs);
    char **out = calloc((size_t)n, sizeof *out);
    yoso_status st = reqs && out ? YOSO_OK : yoso_error_oom();
    for (int i = 0; st == YOSO_OK && i < n; i++)
        reqs[i] = items[i].job->req.requests[items[i].index];
    if (st == YOSO_OK)
        st = yoso_task_run_json(w->model, w->tok, items[0].job->req.task, reqs, n, out);
    const int bad = st != YOSO_OK ? yoso_error_take_input(n) : -1;
    if (bad >= 0) yoso_error_prefix(st, YOSO_INPUT_PREFIX, items[bad].index);
    for (int i = 0; st == YOSO_OK && i < n; i++) {
        char **slot = &items[i].job->answers[items[i].index];
        free(*slot); /* an answer of an earlier, failed batch */
        *slot = out[i];
    }
    free(reqs);
    free(out);
    return st;
}

/* Runs the encoder on n items as one batch (padded chunks of like length) and pools each
 * input's last hidden states (the library's feature-extraction task, pre-tokenized ids). */
static yoso_status run_embed(serve_worker *w, const batch_item *items, int n) {
    yoso_feature_request *req = calloc((size_t)n, sizeof *req);
    yoso_feature_result *res = calloc((size_t)n, sizeof *res);
    yoso_status st = YOSO_ERR_NO_MEMORY;
    if (!req || !res) goto done;
    for (int i = 0; i < n; i++) {
        const serve_request *r = &items[i].job->req;
        req[i] = (yoso_feature_request){
            .ids = r->ids[items[i].index],
            .num_ids = r->lens[items[i].index],
            .pooling = w->opt.pooling == SERVE_POOL_CLS ? YOSO_POOLING_CLS : YOSO_POOLING_MEAN,
            .normalize = r->normalize};
    }
    st = yoso_feature_extraction(w->model, w->tok, req, n, res);
    for (int i = 0; st == YOSO_OK && i < n; i++)
        memcpy(items[i].job->vectors + (size_t)items[i].index * w->hidden, res[i].values,
               (size_t)w->hidden * sizeof(float));
    for (int i = 0; i < n; i++) yoso_feature_result_release(&res[i]);
done:
    free(req);
    free(res);
    return st;
}

/* Runs items in chunks that fit the token budget and the request cap; the first failure
 * stops and is returned. */
static yoso_status run_items(serve_worker *w, const batch_item *items, int n) {
    for (int at = 0; at < n;) {
        int k = 0;
        size_t seq = 0;
        while (at + k < n && k < w->opt.max_batch_requests) {
            size_t len = items[at + k].job->req.lens[items[at + k].index];
            size_t longest = len > seq ? len : seq;
            if (k > 0 && (size_t)(k + 1) * longest > (size_t)w->opt.max_batch_tokens) break;
            seq = longest;
            k++;
        }
        double t0 = yoso_now();
        int kind = job_kind(items[at].job);
        yoso_status st = kind == 0   ? run_fill(w, items + at, k)
                         : kind == 1 ? run_embed(w, items + at, k)
                                     : run_task(w, items + at, k);
        if (st != YOSO_OK) return st;
        serve_metrics_batch(k, (size_t)k * seq, yoso_now() - t0);
        at += k;
    }
    return YOSO_OK;
}

/* Lists the inputs of jobs[0..n) as items; returns how many. */
static int list_items(serve_job **jobs, int n, batch_item *items) {
    int k = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < jobs[j]->req.count; i++) items[k++] = (batch_item){jobs[j], i};
    return k;
}

/* One fill-mask result as a cJSON tree, parsed back from the library's JSON text (the very
 * text `yoso fill-mask --json` prints, so the numbers print back identically). */
static cJSON *fill_json(const yoso_fill_result *r) {
    char *text = NULL;
    if (yoso_fill_result_json(r, &text) != YOSO_OK) return NULL;
    cJSON *tree = cJSON_Parse(text);
    free(text);
    return tree;
}

/* The vector of input i as a JSON list of numbers. */
static cJSON *vector_json(const serve_job *j, int i, int h) {
    cJSON *a = cJSON_CreateArray();
    for (int c = 0; c < h; c++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(j->vectors[(size_t)i * h + c]));
    return a;
}

/* Builds the job's answer in its route's schema. */
static void job_answer(serve_job *j, int h) {
    const serve_request *r = &j->req;
    cJSON *root = NULL;
    if (r->route == SERVE_TASK) { /* the pipeline's JSON as it is: what `yoso TASK --json` prints */
        size_t n = 3;
        for (int i = 0; i < r->count; i++) n += strlen(j->answers[i]) + 1;
        if ((j->answer = malloc(n))) {
            char *at = j->answer;
            if (r->is_list) *at++ = '[';
            for (int i = 0; i < r->count; i++)
                at += sprintf(at, "%s%s", i ? "," : "", j->answers[i]);
            if (r->is_list) *at++ = ']';
            *at = '\0';
        }
    } else if (r->route == SERVE_OPENAI) {
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "object", "list");
        cJSON *data = cJSON_AddArrayToObject(root, "data");
        size_t tokens = 0;
        for (int i = 0; i < r->count; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "object", "embedding");
            cJSON_AddItemToObject(o, "embedding", vector_json(j, i, h));
            cJSON_AddNumberToObject(o, "index", i);
            cJSON_AddItemToArray(data, o);
            tokens += r->lens[i];
        }
        cJSON_AddStringToObject(root, "model", j->model_id);
        cJSON *usage = cJSON_AddObjectToObject(root, "usage");
        cJSON_AddNumberToObject(usage, "prompt_tokens", (double)tokens);
        cJSON_AddNumberToObject(usage, "total_tokens", (double)tokens);
    } else if (!r->is_list && r->route != SERVE_EMBED) { /* one input: its answer alone */
        root = job_is_fill(j) ? fill_json(&j->fill[0]) : vector_json(j, 0, h);
    } else { /* TEI's /embed always answers a list */
        root = cJSON_CreateArray();
        for (int i = 0; i < r->count; i++)
            cJSON_AddItemToArray(root,
                                 job_is_fill(j) ? fill_json(&j->fill[i]) : vector_json(j, i, h));
    }
    if (root) j->answer = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!j->answer) serve_fail(&j->err, 500, "backend", "out of host memory building the answer");
}

/* Runs a batch of jobs of one kind; if the whole batch fails, runs each job alone so that only
 * the bad one gets the error. */
static void run_batch(serve_worker *w, serve_job **jobs, int n) {
    int total = 0;
    for (int j = 0; j < n; j++) total += jobs[j]->req.count;
    batch_item *items = malloc((size_t)total * sizeof *items);
    yoso_status st = items ? YOSO_OK : YOSO_ERR_NO_MEMORY;
    if (st == YOSO_OK) st = run_items(w, items, list_items(jobs, n, items));
    for (int j = 0; j < n; j++) {
        if (st != YOSO_OK && n > 1 && items) {
            yoso_status own = run_items(w, items, list_items(&jobs[j], 1, items));
            if (own != YOSO_OK) job_fail(jobs[j], own);
        } else if (st != YOSO_OK) {
            job_fail(jobs[j], st);
        }
        if (!jobs[j]->err.http) job_answer(jobs[j], w->hidden);
    }
    free(items);
}

/* Takes the head job and the following jobs of its kind that fit the budget off the queue. */
static int take_batch(serve_worker *w, serve_job **jobs) {
    int n = 0, inputs = 0;
    size_t seq = 0;
    serve_job **link = &w->head, *prev = NULL;
    int kind = job_kind(w->head);
    while (*link) {
        serve_job *j = *link;
        size_t longest = j->longest > seq ? j->longest : seq;
        int fits = inputs + j->req.count <= w->opt.max_batch_requests &&
                   (size_t)(inputs + j->req.count) * longest <= (size_t)w->opt.max_batch_tokens;
        if (n > 0 && !fits) break; /* FIFO: the head always goes, nothing overtakes a long job */
        if (job_kind(j) != kind) {
            prev = j;
            link = &j->next;
            continue;
        }
        *link = j->next;
        if (w->tail == j) w->tail = prev;
        j->next = NULL;
        j->started = 1;
        jobs[n++] = j;
        inputs += j->req.count;
        seq = longest;
        w->queued--;
        w->running++;
    }
    return n;
}

/* The worker thread: waits for jobs, runs them in batches, hands the answers back. */
static void *worker_main(void *arg) {
    serve_worker *w = arg;
    serve_job **jobs = malloc((size_t)w->opt.max_concurrent_requests * sizeof *jobs);
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop) pthread_cond_wait(&w->wake, &w->lock);
        if (!w->head) break;
        int n = take_batch(w, jobs);
        pthread_mutex_unlock(&w->lock);
        run_batch(w, jobs, n);
        pthread_mutex_lock(&w->lock);
        for (int j = 0; j < n; j++) {
            w->running--;
            if (jobs[j]->abandoned)
                serve_job_free(jobs[j]);
            else
                jobs[j]->done = 1;
        }
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->lock);
    free(jobs);
    return NULL;
}

yoso_status serve_worker_start(yoso_model *model, const yoso_tokenizer *tok, const serve_options *o,
                               serve_worker **out) {
    serve_worker *w = calloc(1, sizeof *w);
    if (!w) return yoso_error_oom();
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    *w = (serve_worker){.model = model, .tok = tok, .opt = *o, .hidden = info.hidden_size};
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->done, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
        free(w);
        return yoso_error(YOSO_ERR_NO_MEMORY, "cannot start the worker thread: %s",
                          strerror(errno));
    }
    *out = w;
    return YOSO_OK;
}

int serve_worker_submit(serve_worker *w, serve_job *job, serve_error *e) {
    int h = w->hidden;
    job->longest = 0;
    for (int i = 0; i < job->req.count; i++)
        if (job->req.lens[i] > job->longest) job->longest = job->req.lens[i];
    if (job->req.route == SERVE_TASK)
        job->answers = calloc((size_t)job->req.count, sizeof *job->answers);
    else if (job_is_fill(job))
        job->fill = calloc((size_t)job->req.count, sizeof *job->fill);
    else
        job->vectors = calloc((size_t)job->req.count * h, sizeof *job->vectors);
    if (!job->fill && !job->vectors && !job->answers)
        return serve_fail(e, 500, "backend", "out of host memory");
    pthread_mutex_lock(&w->lock);
    int busy = w->queued + w->running >= w->opt.max_concurrent_requests || w->stop;
    if (!busy) {
        if (w->tail)
            w->tail->next = job;
        else
            w->head = job;
        w->tail = job;
        w->queued++;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    if (busy)
        return serve_fail(
            e, 429, "overloaded",
            "model is overloaded: %d requests are queued or running (--max-concurrent-requests): retry later",
            w->opt.max_concurrent_requests);
    return 0;
}

int serve_worker_wait(serve_worker *w, serve_job *job, double timeout) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    double t = (double)until.tv_sec + until.tv_nsec * 1e-9 + timeout;
    until.tv_sec = (time_t)t;
    until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
    int rc = 0;
    pthread_mutex_lock(&w->lock);
    while (!job->done && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&w->done, &w->lock, &until);
    enum {
        DONE,
        UNQUEUED,
        ABANDONED
    } outcome = job->done      ? DONE
                : job->started ? ABANDONED
                               : UNQUEUED;
    if (outcome == UNQUEUED) { /* still queued: take it out, the caller frees it */
        serve_job **link = &w->head, *prev = NULL;
        while (*link != job) prev = *link, link = &(*link)->next;
        *link = job->next;
        if (w->tail == job) w->tail = prev;
        w->queued--;
    } else if (outcome == ABANDONED) {
        job->abandoned = 1; /* running: the worker frees it, the caller must not touch it */
    }
    pthread_mutex_unlock(&w->lock);
    if (outcome == ABANDONED) return -1;
    if (outcome == UNQUEUED)
        serve_fail(&job->err, 504, "timeout",
                   "the request waited more than %.1f s for the device (--request-timeout)",
                   timeout);
    return 0;
}

int serve_worker_depth(serve_worker *w, int *running) {
    pthread_mutex_lock(&w->lock);
    int q = w->queued;
    *running = w->running;
    pthread_mutex_unlock(&w->lock);
    return q;
}

void serve_worker_stop(serve_worker *w) {
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->done);
    free(w);
}

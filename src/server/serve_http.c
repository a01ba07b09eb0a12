/* serve_http.c — the HTTP side of `yoso serve` on GNU libmicrohttpd (a thread per connection):
 * routing, bodies and their limits, the API key, JSON errors, draining on SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "serve.h"
#include "serve_metrics.h"
#include "serve_request.h"
#include "serve_worker.h"

extern const char serve_static_index_html[]; /* src/server/static/, embedded at build time */
extern const char serve_static_openapi_json[];

/* The running server. */
typedef struct server {
    serve_options opt;
    yoso_context *ctx;
    yoso_model *model;
    yoso_tokenizer *tok;
    serve_worker *worker;
    yoso_model_info info;
    size_t max_input;    /* tokens */
    char model_id[256];  /* the model folder's name */
    atomic_int active;   /* requests between their full body and their answer */
    atomic_int draining; /* SIGTERM/SIGINT seen: refuse new work */
} server;

/* One connection's request: its body so far. */
typedef struct conn_state {
    char *body;
    size_t len, cap;
    int too_big;
} conn_state;

/* An answer: status, body (malloc'ed), content type, optional extra header. */
typedef struct answer {
    int status;
    char *body;
    const char *type;
    const char *header, *value;
} answer;

void serve_options_init(serve_options *o) {
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->max_batch_tokens = 16384;
    o->max_batch_requests = 32;
    o->max_concurrent_requests = 512;
    o->max_client_batch_size = 32;
    o->max_body_bytes = 2 * 1024 * 1024;
    o->request_timeout = 60;
    o->idle_timeout = 10;
}

/* An error answer in TEI's JSON shape. */
static answer error_answer(const serve_error *e) {
    return (answer){e->http, serve_error_json(e), "application/json", NULL, NULL};
}

/* A JSON answer from a cJSON tree (consumed). */
static answer json_answer(int status, cJSON *root) {
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return (answer){status, s, "application/json", NULL, NULL};
}

/* A copy of a static text. */
static answer text_answer(int status, const char *body, const char *type) {
    return (answer){status, strdup(body), type, NULL, NULL};
}

/* /info: model, device, limits, version (TEI's field names where they exist). */
static answer info_answer(server *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model_id", s->model_id);
    cJSON_AddStringToObject(o, "model_type", yoso_task_name(yoso_task_for_model(s->model)));
    cJSON *tasks = cJSON_AddArrayToObject(o, "tasks"); /* the POST routes this model answers */
    for (int t = 0; t < YOSO_TASK_COUNT; t++)
        if (yoso_task_check_model(s->model, (yoso_task)t) == YOSO_OK)
            cJSON_AddItemToArray(tasks, cJSON_CreateString(yoso_task_name((yoso_task)t)));
    cJSON_AddStringToObject(o, "model_dtype", s->opt.model.fp16_weights ? "float16" : "float32");
    cJSON_AddStringToObject(o, "pooling", s->opt.pooling == SERVE_POOL_CLS ? "cls" : "mean");
    cJSON_AddNumberToObject(o, "hidden_size", s->info.hidden_size);
    cJSON_AddNumberToObject(o, "vocab_size", s->info.vocab_size);
    cJSON_AddNumberToObject(o, "max_input_length", (double)s->max_input);
    cJSON_AddNumberToObject(o, "max_concurrent_requests", s->opt.max_concurrent_requests);
    cJSON_AddNumberToObject(o, "max_batch_tokens", s->opt.max_batch_tokens);
    cJSON_AddNumberToObject(o, "max_batch_requests", s->opt.max_batch_requests);
    cJSON_AddNumberToObject(o, "max_client_batch_size", s->opt.max_client_batch_size);
    cJSON_AddNumberToObject(o, "max_body_bytes", (double)s->opt.max_body_bytes);
    cJSON_AddNumberToObject(o, "request_timeout_s", s->opt.request_timeout);
    const yoso_device_info *d = yoso_context_device(s->ctx);
    cJSON *dev = cJSON_AddObjectToObject(o, "device");
    cJSON_AddStringToObject(dev, "name", d->name);
    cJSON_AddStringToObject(dev, "platform", d->platform_name);
    cJSON_AddStringToObject(dev, "type", d->type);
    cJSON_AddNumberToObject(dev, "global_mem_bytes", (double)d->global_mem_bytes);
    cJSON_AddStringToObject(o, "version", YOSO_SERVE_VERSION);
    return json_answer(200, o);
}

/* /tokenize: per input, TEI's list of {id, text, special, start, stop} (byte offsets: a
 * byte-level BPE piece covers as many input bytes as its vocabulary string has characters). */
static answer tokenize_answer(server *s, serve_request *r) {
    cJSON *all = cJSON_CreateArray();
    for (int i = 0; i < r->count; i++) {
        cJSON *list = cJSON_CreateArray();
        size_t at = 0;
        for (size_t t = 0; t < r->lens[i]; t++) {
            int32_t id = r->ids[i][t];
            const char *piece = yoso_tokenizer_id_to_token(s->tok, id);
            int special = piece && piece[0] == '<' && piece[strlen(piece) - 1] == '>' &&
                          strlen(piece) > 2 &&
                          (id == s->info.bos_token_id || id == s->info.eos_token_id ||
                           id == s->info.pad_token_id || id == yoso_tokenizer_mask_id(s->tok));
            size_t bytes = 0;
            for (const char *c = piece; !special && c && *c; c++)
                bytes += ((unsigned char)*c & 0xC0) != 0x80;
            char *txt = NULL;
            if (yoso_tokenizer_decode(s->tok, &id, 1, 0, &txt) != YOSO_OK) txt = NULL;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "id", id);
            cJSON_AddStringToObject(o, "text", txt ? txt : "");
            cJSON_AddBoolToObject(o, "special", special);
            cJSON_AddNumberToObject(o, "start", special ? 0 : (double)at);
            cJSON_AddNumberToObject(o, "stop", special ? 0 : (double)(at + bytes));
            cJSON_AddItemToArray(list, o);
            free(txt);
            at += bytes;
        }
        cJSON_AddItemToArray(all, list);
    }
    return json_answer(200, all);
}

/* /decode: a string per list of ids. */
static answer decode_answer(server *s, serve_request *r) {
    cJSON *all = cJSON_CreateArray();
    for (int i = 0; i < r->count; i++) {
        char *txt = NULL;
        for (size_t t = 0; t < r->lens[i]; t++)
            if (r->ids[i][t] >= (int32_t)yoso_tokenizer_vocab_size(s->tok)) {
                cJSON_Delete(all);
                serve_error e;
                serve_fail(&e, 422, "validation", "id %d is outside the vocabulary (0..%zu)",
                           r->ids[i][t], yoso_tokenizer_vocab_size(s->tok) - 1);
                return error_answer(&e);
            }
        if (yoso_tokenizer_decode(s->tok, r->ids[i], r->lens[i], r->skip_special, &txt) !=
            YOSO_OK) {
            cJSON_Delete(all);
            serve_error e;
            serve_fail(&e, 422, "tokenizer", "%s", yoso_last_error());
            return error_answer(&e);
        }
        cJSON_AddItemToArray(all, cJSON_CreateString(txt));
        free(txt);
    }
    if (r->is_list) return json_answer(200, all);
    cJSON *one = cJSON_DetachItemFromArray(all, 0);
    cJSON_Delete(all);
    return json_answer(200, one);
}

/* Runs a parsed request on the device worker and waits for its answer. */
static answer device_answer(server *s, serve_job *job) {
    serve_error e;
    job->model_id = s->model_id;
    if (serve_worker_submit(s->worker, job, &e)) {
        serve_job_free(job);
        answer a = error_answer(&e);
        a.header = "Retry-After", a.value = "1";
        return a;
    }
    if (serve_worker_wait(s->worker, job, s->opt.request_timeout)) {
        serve_fail(&e, 504, "timeout",
                   "the request ran more than %.1f s on the device (--request-timeout)",
                   s->opt.request_timeout);
        return error_answer(&e);
    }
    answer a = job->err.http ? error_answer(&job->err)
                             : (answer){200, job->answer, "application/json", NULL, NULL};
    job->answer = NULL;
    serve_job_free(job);
    return a;
}

/* The POST routes: path, route and the head it needs (SERVE_NO_TASK: none, any checkpoint);
 * /predict runs the model's own. */
#define SERVE_OWN_TASK YOSO_TASK_COUNT
#define SERVE_NO_TASK ((yoso_task)-1)
static const struct {
    const char *path;
    serve_route route;
    yoso_task task;
} k_posts[] = {
    {"/fill-mask", SERVE_FILL_MASK, YOSO_TASK_FILL_MASK},
    {"/embed", SERVE_EMBED, SERVE_NO_TASK},
    {"/feature-extraction", SERVE_FEATURES, SERVE_NO_TASK},
    {"/v1/embeddings", SERVE_OPENAI, SERVE_NO_TASK},
    {"/tokenize", SERVE_TOKENIZE, SERVE_NO_TASK},
    {"/decode", SERVE_DECODE, SERVE_NO_TASK},
    {"/predict", SERVE_TASK, SERVE_OWN_TASK},
    {"/text-classification", SERVE_TASK, YOSO_TASK_TEXT_CLASSIFICATION},
    {"/token-classification", SERVE_TASK, YOSO_TASK_TOKEN_CLASSIFICATION},
    {"/question-answering", SERVE_TASK, YOSO_TASK_QUESTION_ANSWERING},
    {"/multiple-choice", SERVE_TASK, YOSO_TASK_MULTIPLE_CHOICE},
};

/* Handles one POST route with its full body. */
static answer post_answer(server *s, serve_route route, yoso_task task, const conn_state *c) {
    serve_error e;
    if (task == SERVE_OWN_TASK) task = yoso_task_for_model(s->model);
    if (task != SERVE_NO_TASK && yoso_task_check_model(s->model, task) != YOSO_OK)
        return serve_fail(&e, 422, "validation", "%s", yoso_last_error()), error_answer(&e);
    serve_job *job = calloc(1, sizeof *job);
    if (!job) return serve_fail(&e, 500, "backend", "out of host memory"), error_answer(&e);
    serve_request *r = &job->req;
    if (serve_request_parse(route, task, c->body, c->len, s->opt.max_client_batch_size, r, &e) ||
        serve_request_tokenize(s->tok, s->max_input, r, &e)) {
        serve_job_free(job);
        return error_answer(&e);
    }
    if (route == SERVE_TOKENIZE || route == SERVE_DECODE) {
        answer a = route == SERVE_TOKENIZE ? tokenize_answer(s, r) : decode_answer(s, r);
        serve_job_free(job);
        return a;
    }
    return device_answer(s, job);
}

/* Whether url is one of our routes (metrics label only those, so clients cannot add series). */
static int known_path(const char *url) {
    static const char *const gets[] = {"/", "/health", "/info", "/metrics", "/openapi.json"};
    for (size_t i = 0; i < sizeof gets / sizeof gets[0]; i++)
        if (!strcmp(url, gets[i])) return 1;
    for (size_t i = 0; i < sizeof k_posts / sizeof k_posts[0]; i++)
        if (!strcmp(url, k_posts[i].path)) return 1;
    return 0;
}

/* Whether the request carries the API key (constant-time comparison). */
static int authorized(server *s, struct MHD_Connection *con) {
    if (!s->opt.api_key) return 1;
    const char *h = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7)) return 0;
    const char *k = s->opt.api_key, *g = h + 7;
    size_t kn = strlen(k), gn = strlen(g);
    unsigned diff = kn != gn;
    for (size_t i = 0; i < kn; i++)
        diff |= (unsigned char)k[i] ^ (unsigned char)(i < gn ? g[i] : 0);
    return diff == 0;
}

/* Routes one complete request. */
static answer route_answer(server *s, struct MHD_Connection *con, const char *method,
                           const char *url, const conn_state *c) {
    serve_error e;
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (c->too_big)
        return serve_fail(&e, 413, "validation",
                          "the body is larger than %ld bytes (--max-body-bytes)",
                          s->opt.max_body_bytes),
               error_answer(&e);
    if (!strcmp(url, "/health")) {
        if (atomic_load(&s->draining))
            return serve_fail(&e, 503, "unhealthy", "shutting down"), error_answer(&e);
        return text_answer(200, "", "text/plain");
    }
    if (!strcmp(url, "/") && get)
        return text_answer(200, serve_static_index_html, "text/html; charset=utf-8");
    if (!authorized(s, con)) {
        answer a = (serve_fail(&e, 401, "unauthorized",
                               "missing or wrong API key: send 'Authorization: Bearer KEY'"),
                    error_answer(&e));
        a.header = "WWW-Authenticate", a.value = "Bearer";
        return a;
    }
    if (get && !strcmp(url, "/info")) return info_answer(s);
    if (get && !strcmp(url, "/openapi.json"))
        return text_answer(200, serve_static_openapi_json, "application/json");
    if (get && !strcmp(url, "/metrics")) {
        int running, queued = serve_worker_depth(s->worker, &running);
        return (answer){
            200, serve_metrics_text(queued, running, yoso_context_device(s->ctx)->global_mem_bytes),
            "text/plain; version=0.0.4", NULL, NULL};
    }
    for (size_t i = 0; i < sizeof k_posts / sizeof k_posts[0]; i++) {
        if (strcmp(url, k_posts[i].path)) continue;
        if (!post) {
            answer a = (serve_fail(&e, 405, "validation", "%s takes POST with a JSON body", url),
                        error_answer(&e));
            a.header = "Allow", a.value = "POST";
            return a;
        }
        if (atomic_load(&s->draining))
            return serve_fail(&e, 503, "unhealthy",
                              "the server is shutting down: send the request to another replica"),
                   error_answer(&e);
        return post_answer(s, k_posts[i].route, k_posts[i].task, c);
    }
    if (!strcmp(url, "/info") || !strcmp(url, "/metrics") || !strcmp(url, "/openapi.json") ||
        !strcmp(url, "/")) {
        answer a = (serve_fail(&e, 405, "validation", "%s takes GET", url), error_answer(&e));
        a.header = "Allow", a.value = "GET";
        return a;
    }
    return serve_fail(&e, 404, "not_found", "no route %s %s: see /openapi.json", method, url),
           error_answer(&e);
}

/* libmicrohttpd's access handler: collects the body, then routes and answers. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    server *s = cls;
    conn_state *c = *con_cls;
    if (!c) {
        if (!(c = calloc(1, sizeof *c))) return MHD_NO;
        *con_cls = c;
        const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
        c->too_big = cl && strtoll(cl, NULL, 10) > s->opt.max_body_bytes;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!c->too_big && c->len + *upload_size > (size_t)s->opt.max_body_bytes) c->too_big = 1;
        if (!c->too_big && c->len + *upload_size + 1 > c->cap) {
            size_t cap = (c->len + *upload_size + 1) * 2;
            char *b = realloc(c->body, cap);
            if (!b) return MHD_NO;
            c->body = b, c->cap = cap;
        }
        if (!c->too_big) memcpy(c->body + c->len, upload, *upload_size), c->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    atomic_fetch_add(&s->active, 1);
    double t0 = yoso_now();
    answer a = route_answer(s, con, method, url, c);
    size_t n = a.body ? strlen(a.body) : 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        n, a.body ? a.body : "", a.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_NO;
    if (resp) {
        MHD_add_response_header(resp, "Content-Type", a.type);
        if (a.header) MHD_add_response_header(resp, a.header, a.value);
        rc = MHD_queue_response(con, (unsigned)a.status, resp);
        MHD_destroy_response(resp);
    } else {
        free(a.body);
    }
    serve_metrics_request(known_path(url) ? url : "other", a.status, yoso_now() - t0);
    atomic_fetch_sub(&s->active, 1);
    return rc;
}

/* Frees a connection's request state when the request ends, answered or not. */
static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
    conn_state *c = *con_cls;
    if (c) free(c->body);
    free(c);
    *con_cls = NULL;
}

/* libmicrohttpd's error log, as one line each with our prefix. */
static void on_log(void *cls, const char *fmt, va_list ap) {
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = 0;
    fprintf(stderr, "yoso serve: http: %s\n", line);
}

/* The model folder's last path component, for /info and OpenAI's "model". */
static void model_name(const char *dir, char *out, size_t n) {
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    size_t at = len;
    while (at > 0 && dir[at - 1] != '/') at--;
    snprintf(out, n, "%.*s", (int)(len - at), dir + at);
}

/* Loads everything and checks the device with one forward pass of finite output. */
static yoso_status server_load(server *s) {
    yoso_status st = yoso_context_create(&s->opt.context, &s->ctx);
    if (st == YOSO_OK) st = yoso_model_load(s->ctx, s->opt.model_dir, &s->opt.model, &s->model);
    if (st == YOSO_OK)
        st = yoso_tokenizer_load(s->opt.tokenizer_dir ? s->opt.tokenizer_dir : s->opt.model_dir,
                                 &s->tok);
    if (st != YOSO_OK) return st;
    yoso_model_get_info(s->model, &s->info);
    s->max_input = (size_t)s->info.max_tokens;
    if (s->opt.max_input_length > 0 && (size_t)s->opt.max_input_length < s->max_input)
        s->max_input = (size_t)s->opt.max_input_length;
    int32_t ids[2] = {s->info.bos_token_id, s->info.eos_token_id};
    float *out = malloc(2 * (size_t)s->info.hidden_size * sizeof *out);
    if (!out) return yoso_error_oom();
    st = yoso_model_hidden(s->model, 1, 2, ids, NULL, out);
    for (int i = 0; st == YOSO_OK && i < 2 * s->info.hidden_size; i++)
        if (!isfinite(out[i]))
            st = yoso_error(
                YOSO_ERR_OPENCL,
                "the device check gave a non-finite hidden state: try another device (-d)");
    free(out);
    if (st == YOSO_OK) st = serve_worker_start(s->model, s->tok, &s->opt, &s->worker);
    model_name(s->opt.model_dir, s->model_id, sizeof s->model_id);
    return st;
}

/* Starts libmicrohttpd on host:port. */
static struct MHD_Daemon *server_listen(server *s) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->opt.port)};
    if (inet_pton(AF_INET, s->opt.host, &addr.sin_addr) != 1) {
        yoso_error(YOSO_ERR_USAGE, "--host '%s' is not an IPv4 address: use e.g. 127.0.0.1",
                   s->opt.host);
        return NULL;
    }
    unsigned limit = (unsigned)s->opt.max_concurrent_requests + 64;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
            MHD_USE_ERROR_LOG | MHD_USE_POLL,
        0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)ceil(s->opt.idle_timeout), MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    if (!d)
        yoso_error(YOSO_ERR_IO, "cannot listen on %s:%d: is the port in use? try another --port",
                   s->opt.host, s->opt.port);
    return d;
}

int serve_run(const serve_options *o) {
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* before any thread: only sigwait below sees them */
    signal(SIGPIPE, SIG_IGN);
    server *s = calloc(1, sizeof *s);
    struct MHD_Daemon *d = NULL;
    int rc = 1;
    if (!s) return 1;
    s->opt = *o;
    yoso_status st = server_load(s);
    if (st != YOSO_OK) {
        fprintf(stderr, "yoso serve: %s\n", yoso_last_error());
        rc = yoso_status_exit_code(st);
        goto done;
    }
    if (!(d = server_listen(s))) {
        fprintf(stderr, "yoso serve: %s\n", yoso_last_error());
        goto done;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (strcmp(o->host, "127.0.0.1") && !o->api_key)
        fprintf(
            stderr,
            "yoso serve: warning: listening on %s without --api-key: anyone who reaches it can use it\n",
            o->host);
    fprintf(stderr, "yoso serve: listening on http://%s:%u (model %s, device %s)\n", o->host,
            di ? di->port : (unsigned)o->port, s->model_id, yoso_context_device(s->ctx)->name);
    int sig = 0;
    sigwait(&sigs, &sig);
    atomic_store(&s->draining, 1);
    fprintf(stderr, "yoso serve: %s: draining %d in-flight requests\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", atomic_load(&s->active));
    MHD_socket listen_fd = MHD_quiesce_daemon(d);
    if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);
    double until = yoso_now() + o->request_timeout + 1;
    while (atomic_load(&s->active) > 0 && yoso_now() < until) usleep(10000);
    rc = atomic_load(&s->active) > 0;
    fprintf(stderr, "yoso serve: %s\n",
            rc ? "drain timed out: exiting with requests unanswered" : "drained: bye");
done:
    if (d) MHD_stop_daemon(d);
    serve_worker_stop(s->worker);
    yoso_tokenizer_free(s->tok);
    yoso_model_free(s->model);
    yoso_context_free(s->ctx);
    free(s);
    return rc;
}

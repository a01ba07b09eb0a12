/* serve_request.c — JSON request bodies of the HF Inference API, TEI and OpenAI into one shape. */
#include "serve_request.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

int serve_fail(serve_error *e, int http, const char *type, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    e->http = http;
    e->type = type;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

char *serve_error_json(const serve_error *e) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", e->message);
    cJSON_AddStringToObject(o, "error_type", e->type);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

void serve_request_free(serve_request *r) {
    for (int i = 0; i < r->count; i++) {
        if (r->texts) free(r->texts[i]);
        if (r->ids) free(r->ids[i]);
        if (r->requests) free(r->requests[i]);
    }
    free(r->requests);
    for (int i = 0; i < r->num_targets; i++) free(r->targets[i]);
    free(r->texts);
    free(r->ids);
    free(r->lens);
    free(r->targets);
    memset(r, 0, sizeof *r);
}

/* Reads a JSON integer in [lo, hi] into *out; -1 with e set when it is anything else. */
static int json_int(const cJSON *v, const char *name, long lo, long hi, long *out, serve_error *e) {
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0.5;
    if (!cJSON_IsNumber(v) || !(d >= (double)lo && d <= (double)hi) || d != (double)(long)d)
        return serve_fail(e, 422, "validation", "\"%s\" must be an integer in %ld..%ld", name, lo,
                          hi);
    *out = (long)d;
    return 0;
}

/* Reads an optional boolean (default when absent or null). */
static int json_bool(const cJSON *obj, const char *name, int dflt, int *out, serve_error *e) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = dflt;
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsBool(v)) return serve_fail(e, 422, "validation", "\"%s\" must be a boolean", name);
    *out = cJSON_IsTrue(v);
    return 0;
}

/* Copies a list of ids (JSON integers in the int32 range) into r's input i. */
static int take_ids(const cJSON *list, serve_request *r, int i, serve_error *e) {
    int n = cJSON_GetArraySize(list);
    r->ids[i] = malloc(((size_t)n + 1) * sizeof(int32_t));
    if (!r->ids[i]) return serve_fail(e, 500, "backend", "out of host memory");
    const cJSON *v;
    long id = 0;
    cJSON_ArrayForEach(v, list) {
        if (json_int(v, "ids", 0, INT32_MAX, &id, e)) return -1;
        r->ids[i][r->lens[i]++] = (int32_t)id;
    }
    return 0;
}

/* Allocates the per-input arrays for n inputs. */
static int alloc_inputs(serve_request *r, int n, int max_inputs, serve_error *e) {
    if (n == 0) return serve_fail(e, 422, "empty", "the input list is empty");
    if (n > max_inputs)
        return serve_fail(e, 422, "validation",
                          "batch size %d > maximum allowed batch size %d (--max-client-batch-size)",
                          n, max_inputs);
    r->count = n;
    r->texts = calloc((size_t)n, sizeof *r->texts);
    r->ids = calloc((size_t)n, sizeof *r->ids);
    r->lens = calloc((size_t)n, sizeof *r->lens);
    if (!r->texts || !r->ids || !r->lens)
        return serve_fail(e, 500, "backend", "out of host memory");
    return 0;
}

/* Takes a JSON string as input i; NUL bytes (\u0000) are refused, since C strings stop there. */
static int take_text(const cJSON *v, serve_request *r, int i, serve_error *e) {
    size_t n = strlen(v->valuestring);
    if (n == 0) return serve_fail(e, 422, "empty", "input %d is an empty string", i);
    if (!(r->texts[i] = strdup(v->valuestring)))
        return serve_fail(e, 500, "backend", "out of host memory");
    return 0;
}

/* `inputs`: a string, a list of strings, a list of ids (one input, if ids_ok), or a list of lists
 * of ids. */
static int parse_inputs(const cJSON *in, int ids_ok, int max_inputs, serve_request *r,
                        serve_error *e) {
    if (cJSON_IsString(in)) return alloc_inputs(r, 1, max_inputs, e) || take_text(in, r, 0, e);
    if (!cJSON_IsArray(in))
        return serve_fail(e, 422, "validation",
                          ids_ok ? "\"inputs\" must be a string, a list of strings or of token ids"
                                 : "\"inputs\" must be a string or a list of strings");
    const cJSON *first = in->child;
    if (ids_ok && cJSON_IsNumber(first))
        return alloc_inputs(r, 1, max_inputs, e) || take_ids(in, r, 0, e);
    r->is_list = 1;
    if (alloc_inputs(r, cJSON_GetArraySize(in), max_inputs, e)) return -1;
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, in) {
        if (cJSON_IsString(v)) {
            if (take_text(v, r, i, e)) return -1;
        } else if (ids_ok && cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
            if (take_ids(v, r, i, e)) return -1;
        } else {
            return serve_fail(e, 422, "validation", "input %d must be %s", i,
                              ids_ok ? "a string or a non-empty list of token ids" : "a string");
        }
        i++;
    }
    return 0;
}

/* fill-mask's "parameters": top_k and targets. */
static int parse_fill_parameters(const cJSON *p, serve_request *r, serve_error *e) {
    r->top_k = 5;
    if (!p || cJSON_IsNull(p)) return 0;
    if (!cJSON_IsObject(p))
        return serve_fail(e, 422, "validation", "\"parameters\" must be an object");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "top_k");
    long top_k = 0;
    if (k && !cJSON_IsNull(k)) {
        if (json_int(k, "top_k", 1, 1000000, &top_k, e)) return -1;
        r->top_k = (int)top_k;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "targets");
    if (!t || cJSON_IsNull(t)) return 0;
    if (!cJSON_IsString(t) && !(cJSON_IsArray(t) && cJSON_GetArraySize(t) > 0))
        return serve_fail(e, 422, "validation",
                          "\"targets\" must be a string or a non-empty list of strings");
    int n = cJSON_IsString(t) ? 1 : cJSON_GetArraySize(t);
    if (!(r->targets = calloc((size_t)n, sizeof *r->targets)))
        return serve_fail(e, 500, "backend", "out of host memory");
    const cJSON *w;
    for (w = cJSON_IsString(t) ? t : t->child; w && r->num_targets < n; w = w->next) {
        if (!cJSON_IsString(w) || !*w->valuestring)
            return serve_fail(e, 422, "validation", "\"targets\" must be non-empty strings");
        if (!(r->targets[r->num_targets++] = strdup(w->valuestring)))
            return serve_fail(e, 500, "backend", "out of host memory");
    }
    return 0;
}

/* A pipeline's request: `inputs` one input (a string or the task's object) or a list of them,
 * each becoming one HF request with the shared "parameters"; the pipeline checks the rest. */
static int parse_task(const cJSON *root, const cJSON *in, int max_inputs, serve_request *r,
                      serve_error *e) {
    static const char *const k_keys[] = {"inputs", "parameters"};
    for (const cJSON *k = root->child; k; k = k->next)
        if (strcmp(k->string, k_keys[0]) && strcmp(k->string, k_keys[1]))
            return serve_fail(e, 422, "validation",
                              "unknown field \"%s\": send {\"inputs\": ..., \"parameters\": {...}}",
                              k->string);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "parameters");
    r->is_list = cJSON_IsArray(in);
    if (alloc_inputs(r, r->is_list ? cJSON_GetArraySize(in) : 1, max_inputs, e)) return -1;
    if (!(r->requests = calloc((size_t)r->count, sizeof *r->requests)))
        return serve_fail(e, 500, "backend", "out of host memory");
    const cJSON *item = r->is_list ? in->child : in;
    for (int i = 0; i < r->count; i++, item = item->next) {
        cJSON *one = cJSON_CreateObject();
        if (one) cJSON_AddItemToObject(one, "inputs", cJSON_Duplicate(item, 1));
        if (one && params) cJSON_AddItemToObject(one, "parameters", cJSON_Duplicate(params, 1));
        r->requests[i] = one ? cJSON_PrintUnformatted(one) : NULL;
        cJSON_Delete(one);
        if (!r->requests[i]) return serve_fail(e, 500, "backend", "out of host memory");
    }
    return 0;
}

/* The route-specific fields of one parsed JSON object. */
static int parse_object(serve_route route, const cJSON *root, int max_inputs, serve_request *r,
                        serve_error *e) {
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "parameters");
    const cJSON *opts = cJSON_IsObject(params) ? params : root; /* HF nests options, TEI does not */
    const char *key = route == SERVE_OPENAI ? "input" : route == SERVE_DECODE ? "ids" : "inputs";
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!in) return serve_fail(e, 422, "validation", "missing field \"%s\"", key);
    switch (route) {
    case SERVE_TASK: return parse_task(root, in, max_inputs, r, e);
    case SERVE_FILL_MASK:
        return parse_inputs(in, 0, max_inputs, r, e) || parse_fill_parameters(params, r, e);
    case SERVE_EMBED:
    case SERVE_FEATURES:
    case SERVE_OPENAI: {
        const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "encoding_format");
        if (route == SERVE_OPENAI && fmt &&
            !(cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "float")))
            return serve_fail(e, 422, "validation", "\"encoding_format\" must be \"float\"");
        return parse_inputs(in, 1, max_inputs, r, e) ||
               json_bool(opts, "normalize", 1, &r->normalize, e) ||
               json_bool(opts, "truncate", 0, &r->truncate, e);
    }
    case SERVE_TOKENIZE:
        return parse_inputs(in, 0, max_inputs, r, e) ||
               json_bool(root, "add_special_tokens", 1, &r->add_special, e);
    case SERVE_DECODE:
        if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) == 0 ||
            !(cJSON_IsNumber(in->child) || cJSON_IsArray(in->child)))
            return serve_fail(e, 422, "validation",
                              "\"ids\" must be a list of token ids or a list of such lists");
        if (parse_inputs(in, 1, max_inputs, r, e)) return -1;
        for (int i = 0; i < r->count; i++)
            if (r->texts[i]) return serve_fail(e, 422, "validation", "\"ids\" must hold token ids");
        return json_bool(root, "skip_special_tokens", 1, &r->skip_special, e);
    default: return serve_fail(e, 404, "validation", "no such route");
    }
}

int serve_request_parse(serve_route route, yoso_task task, const char *body, size_t len,
                        int max_inputs, serve_request *r, serve_error *e) {
    memset(r, 0, sizeof *r);
    r->route = route;
    r->task = task;
    if (len == 0) return serve_fail(e, 422, "validation", "the request has no body: send JSON");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!root)
        return serve_fail(e, 400, "validation", "the body is not valid JSON (near byte %ld)",
                          end ? (long)(end - body) : 0L);
    int rc = -1;
    if (!cJSON_IsObject(root))
        serve_fail(e, 422, "validation", "the body must be a JSON object");
    else if (yoso_json_escapes_nul(body, len))
        serve_fail(e, 422, "validation", "the body holds a NUL character (\\u0000)");
    else
        rc = parse_object(route, root, max_inputs, r, e);
    cJSON_Delete(root);
    if (rc) serve_request_free(r);
    return rc;
}

/* Adds the tokens of every string under v (without specials) to *n; -1 when one cannot be
 * encoded. */
static int count_tokens(const yoso_tokenizer *tok, const cJSON *v, size_t *n) {
    if (cJSON_IsString(v)) {
        int32_t *ids = NULL;
        size_t k = 0;
        if (yoso_tokenizer_encode(tok, v->valuestring, strlen(v->valuestring), 0, 0, &ids, &k))
            return -1;
        free(ids);
        *n += k;
    }
    for (const cJSON *c = cJSON_IsArray(v) || cJSON_IsObject(v) ? v->child : NULL; c; c = c->next)
        if (count_tokens(tok, c, n)) return -1;
    return 0;
}

/* Estimates each pipeline request's padded length for the batcher. */
static int estimate_task_lengths(const yoso_tokenizer *tok, size_t max_length, serve_request *r,
                                 serve_error *e) {
    for (int i = 0; i < r->count; i++) {
        cJSON *one = cJSON_Parse(r->requests[i]);
        size_t n = 4; /* <s> … </s></s> … </s> */
        int bad = !one || count_tokens(tok, cJSON_GetObjectItemCaseSensitive(one, "inputs"), &n);
        cJSON_Delete(one);
        if (bad) return serve_fail(e, 422, "tokenizer", "input %d: %s", i, yoso_last_error());
        r->lens[i] = n < max_length ? n : max_length;
    }
    return 0;
}

int serve_request_tokenize(const yoso_tokenizer *tok, size_t max_length, serve_request *r,
                           serve_error *e) {
    if (r->route == SERVE_TASK) return estimate_task_lengths(tok, max_length, r, e);
    int special = r->route != SERVE_TOKENIZE || r->add_special;
    for (int i = 0; i < r->count; i++) {
        if (r->texts[i]) {
            int flags = (special ? YOSO_TOKENIZE_ADD_SPECIAL : 0) |
                        (r->truncate ? YOSO_TOKENIZE_TRUNCATE : 0);
            size_t limit = r->truncate ? max_length : 0;
            if (yoso_tokenizer_encode(tok, r->texts[i], strlen(r->texts[i]), flags, limit,
                                      &r->ids[i], &r->lens[i]) != YOSO_OK)
                return serve_fail(e, 422, "tokenizer", "input %d: %s", i, yoso_last_error());
        }
        if (r->route != SERVE_TOKENIZE && r->route != SERVE_DECODE && r->lens[i] > max_length)
            return serve_fail(
                e, 413, "validation",
                "input %d is %zu tokens long, more than the maximum %zu: shorten it%s", i,
                r->lens[i], max_length,
                r->route == SERVE_FILL_MASK ? "" : " or send \"truncate\": true");
        if (r->route == SERVE_FILL_MASK) {
            int masks = 0;
            for (size_t t = 0; t < r->lens[i]; t++)
                masks += r->ids[i][t] == yoso_tokenizer_mask_id(tok);
            if (!masks)
                return serve_fail(
                    e, 422, "validation",
                    "input %d has no mask: write <mask> or [MASK] where a word should be predicted",
                    i);
        }
        if (r->lens[i] == 0) return serve_fail(e, 422, "empty", "input %d has no tokens", i);
    }
    return 0;
}

/* bench_tokenizer.c — tokenizer throughput: encodes every line of a file (like HF's
 * encode_batch over lines, <s> … </s> each) and prints MB/s, plus a count and checksum of the
 * ids so that tools/bench/bench_tokenizer.py can check they equal Hugging Face's.
 *
 * usage: bench_tokenizer -m DIR [--repeat N] [--threads N] FILE */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "tokenizer.h"
#include "yoso.h"

typedef struct bench_line {
    const char *text; /* into the file buffer */
    size_t len;
} bench_line;

typedef struct bench_job {
    const char *model_dir;
    const bench_line *lines; /* this thread's share */
    size_t count;
    int repeat;
    double first_s, best_s; /* out: the first pass (empty cache) and the fastest */
    size_t ids;             /* out: ids of one pass */
    uint64_t checksum;      /* out: FNV-1a of the ids (little-endian int32) of one pass */
    yoso_status status;     /* out */
} bench_job;

/* Folds ids into a 64-bit FNV-1a hash, byte by byte, little-endian. */
static uint64_t bench_fnv(uint64_t h, const int32_t *ids, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)ids[i];
        for (int b = 0; b < 4; b++) {
            h ^= (v >> (8 * b)) & 0xFF;
            h *= 0x100000001B3ull;
        }
    }
    return h;
}

/* Loads a tokenizer and encodes its lines `repeat` times. */
static void *bench_run(void *arg) {
    bench_job *job = arg;
    yoso_tokenizer *tok = NULL;
    job->status = yoso_tokenizer_load(job->model_dir, &tok);
    job->best_s = 1e30;
    for (int r = 0; r < job->repeat && !job->status; r++) {
        uint64_t h = 0xCBF29CE484222325ull;
        size_t total = 0;
        double t0 = yoso_now();
        for (size_t i = 0; i < job->count && !job->status; i++) {
            int32_t *ids = NULL;
            size_t n = 0;
            job->status = yoso_tokenizer_encode(tok, job->lines[i].text, job->lines[i].len,
                                                YOSO_TOKENIZE_ADD_SPECIAL, 0, &ids, &n);
            if (r == 0) h = bench_fnv(h, ids, n);
            total += n;
            free(ids);
        }
        double dt = yoso_now() - t0;
        if (r == 0) {
            job->first_s = dt;
            job->checksum = h;
            job->ids = total;
        }
        if (dt < job->best_s) job->best_s = dt;
    }
    yoso_tokenizer_free(tok);
    return NULL;
}

/* Reads a whole file. */
static char *bench_read(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) *size = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    const char *model = NULL, *path = NULL;
    int repeat = 5, threads = 1;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-m") || !strcmp(argv[i], "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: bench_tokenizer -m DIR [--repeat N] [--threads N] FILE\n");
            return 2;
        }
    }
    if (!model || !path || repeat < 1 || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: bench_tokenizer -m DIR [--repeat N] [--threads N] FILE\n");
        return 2;
    }
    size_t size = 0;
    char *data = bench_read(path, &size);
    if (!data) {
        fprintf(stderr, "bench_tokenizer: cannot read %s\n", path);
        return 1;
    }
    size_t count = 0, cap = 1024;
    bench_line *lines = malloc(cap * sizeof *lines);
    for (char *p = data, *end = data + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        if (count == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[count++] = (bench_line){p, (size_t)(nl - p)};
        p = nl + 1;
    }
    bench_job jobs[64];
    pthread_t tids[64];
    size_t per = (count + (size_t)threads - 1) / (size_t)threads;
    for (int t = 0; t < threads; t++) {
        size_t start = (size_t)t * per < count ? (size_t)t * per : count;
        size_t n = start + per <= count ? per : count - start;
        jobs[t] = (bench_job){model, lines + start, n, repeat, 0, 0, 0, 0, YOSO_OK};
        pthread_create(&tids[t], NULL, bench_run, &jobs[t]);
    }
    double first = 0, best = 0;
    size_t ids = 0;
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        if (jobs[t].status) {
            fprintf(stderr, "bench_tokenizer: %s\n", yoso_last_error());
            failed = 1;
        }
        if (jobs[t].first_s > first) first = jobs[t].first_s; /* the slowest thread decides */
        if (jobs[t].best_s > best) best = jobs[t].best_s;
        ids += jobs[t].ids;
    }
    /* the checksum of all lines in order (threads hold consecutive shares) */
    uint64_t checksum = jobs[0].checksum;
    if (threads > 1) checksum = 0; /* per-share hashes do not chain; compare with --threads 1 */
    if (!failed) {
        double mb = (double)size / 1e6;
        printf(
            "{\"bytes\": %zu, \"lines\": %zu, \"ids\": %zu, \"checksum\": \"%016llx\", \"threads\": %d, \"first_s\": %.4f, \"best_s\": %.4f, \"first_mb_s\": %.2f, \"best_mb_s\": %.2f}\n",
            size, count, ids, (unsigned long long)checksum, threads, first, best, mb / first,
            mb / best);
    }
    free(lines);
    free(data);
    return failed;
}

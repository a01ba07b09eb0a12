/* runtime.h — the OpenCL context behind yoso_context: device, queue, program and kernels. */
#ifndef YOSO_RUNTIME_H
#define YOSO_RUNTIME_H

#include <CL/cl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "cl_check.h"
#include "kernel.h"
#include "yoso.h"

#define YOSO_MAX_KERNELS 64
/* How many yoso_prepare_more requests one context queues. */
#define YOSO_PREPARE_MORE_MAX 4

typedef struct yoso_gemm yoso_gemm;

/* The environment knobs, read once by yoso_context_create (context.c) and copied, NULL when
 * unset; the modules read them here, not with getenv. */
typedef struct yoso_env {
    char *device;       /* $YOSO_DEVICE: the device when the caller names none */
    char *expectation;  /* $YOSO_EXPECTATION: blocked | tiled expectation attention */
    char *gemm;         /* $YOSO_GEMM: clblast | host | auto */
    char *host_blas;    /* $YOSO_HOST_BLAS: a BLAS library to dlopen */
    char *onednn;       /* $YOSO_ONEDNN: off keeps nn.Linear weights for the host BLAS */
    char *cl_options;   /* $YOSO_CL_OPTIONS: extra kernel build options */
    char *clblast_fail; /* $YOSO_CLBLAST_FAIL: every CLBlast call fails (tests of the fallback) */
    char *probe_fail;   /* $YOSO_PROBE_FAIL: loop | reduce | expectation | hash answers wrong
                           on purpose (tests of the self-check's refusal) */
    long long loop_cap; /* $YOSO_LOOP_CAP: treat the device as capping a work-item's loop
                           iterations at this many (tests of the bounded launches); 0: probe */
    double cache_write_delay; /* $YOSO_TEST_CACHE_WRITE_DELAY: seconds to wait between compiling
                                 and writing the cache entry (tests of two processes racing) */
} yoso_env;

struct yoso_context {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    yoso_device_info info;
    yoso_env env;
    char cache_dir[2048];   /* "" when caching is off */
    char program_key[2048]; /* what identifies the compiled program: sources, options, driver */
    char self_check[160];   /* the probes' verdict, e.g. "passed" (see probe.h) */
    int verbose;
    int recheck; /* 1: run the probes even when a verdict is cached */
    int cache_hits, cache_builds;
    cl_program program; /* the kernels of this class of device (YOSO_KERNEL_LIST), built once */
    cl_program lazy[YOSO_MAX_KERNELS]; /* one per other kernel, built at its first use */
    int lazy_count;
    int cpu_class;             /* 1: a CPU device (row-per-work-item kernel variants) */
    yoso_launch_limits limits; /* what every launch is checked against */
    yoso_kernels kernels;      /* created once with the program */
    /* Checks a kernel at its first use (probe.c's known-answer probes); NULL: none. */
    yoso_status (*check_kernel)(yoso_context *ctx, const yoso_kernel *k);
    unsigned probes_run; /* bit per kernel probe (probe.c) run or read from the cache */
    yoso_gemm *gemm;
    /* The program and the self-check prepared on a thread of their own (prepare.c), or not: */
    pthread_t prep_thread;
    atomic_int preparing;      /* 1 from yoso_prepare_start until the thread is joined */
    pthread_mutex_t prep_lock; /* held to join it */
    yoso_status prep_status;   /* what preparing returned, and its message */
    char prep_message[1024];
    /* More kernels a model asked for (yoso_prepare_more), prepared on that thread afterwards: */
    pthread_mutex_t more_lock; /* held to queue one or to close the queue */
    int more_closed;           /* 1: the thread takes no more (it has taken what is queued) */
    int more_count;
    struct {
        void (*fn)(yoso_context *ctx, int arg);
        int arg;
    } more[YOSO_PREPARE_MORE_MAX];
    int clblast_tuning_applied; /* stored / built-in CLBlast parameters already applied */
    int clblast_failed;         /* CLBlast could not run here: the GEMMs fell back (warned once) */
};

/* Finds the device matching spec ("P:D" or a name substring; NULL = prefer a GPU). */
yoso_status yoso_device_select(const char *spec, cl_platform_id *platform, cl_device_id *device,
                               yoso_device_info *info);
/* Fills info for one device. */
void yoso_device_describe(cl_platform_id platform, cl_device_id device, int pi, int di,
                          yoso_device_info *info);

/* Sets ctx->program_key: what identifies the program this device would build (sources, options,
 * device, driver), without building it. */
void yoso_program_key(yoso_context *ctx);
/* Builds (or loads from the disk cache) the program of the kernels this class of device runs and
 * the self-check's, and creates them into ctx->kernels. */
yoso_status yoso_program_build(yoso_context *ctx);
/* Returns k (a field of ctx->kernels) built: a kernel outside the context's program gets its own
 * program, from the cache or compiled, at its first use, and ctx->check_kernel sees each kernel
 * once, at its first use. On failure k->kernel is NULL and k->status says why (a launch returns
 * it). */
const yoso_kernel *yoso_kernel_ready(yoso_context *ctx, const yoso_kernel *k);
/* Runs fn(ctx) (building the program and running the self-check) on a thread of its own; the
 * first yoso_prepared call that needs it waits for it. */
yoso_status yoso_prepare_start(yoso_context *ctx, yoso_status (*fn)(yoso_context *ctx));
/* Queues fn(ctx, arg) to run on the preparing thread once fn of yoso_prepare_start returned OK:
 * the kernels a model will use beyond the context's (its LSH kernels, say), built while the
 * caller goes on. 1 if queued; 0 when no thread prepares or it has taken its queue (then the
 * kernels are built at their first use, as always). fn makes kernels ready with
 * yoso_kernel_ready, which keeps a failure in the kernel for its first launch to report. */
int yoso_prepare_more(yoso_context *ctx, void (*fn)(yoso_context *ctx, int arg), int arg);
/* Waits for what yoso_prepare_start runs, if it runs, and returns its status (its error again on
 * every call once it failed); YOSO_OK at once on that thread itself and when nothing was started.
 */
yoso_status yoso_prepared(yoso_context *ctx);
/* Waits for what yoso_prepare_start runs, leaving the calling thread's error as it is. */
void yoso_prepare_join(yoso_context *ctx);
/* Releases the context's programs and kernels. */
void yoso_program_release(yoso_context *ctx);

/* The build options every program gets on this device (e.g. "-cl-std=CL1.2 -DYOSO_HAS_FP16=1"). */
const char *yoso_program_options(const yoso_context *ctx);

/* The largest power of two ≤ cap that kernel k launches at on the context's device (k is built
 * first when it is not yet). */
static inline size_t yoso_local_size(yoso_context *ctx, const yoso_kernel *k, size_t cap) {
    return yoso_kernel_local_size(&ctx->limits, yoso_kernel_ready(ctx, k), cap);
}

/* How many items (keys, parts, hash functions) one launch may take so that a work-item's loop
 * iterations, fixed + items · per_item, stay within the device's loop budget (at least 1;
 * total when the device has no such limit). */
static inline int yoso_loop_chunk(const yoso_context *ctx, long long fixed, long long per_item,
                                  int total) {
    const long long budget = ctx->limits.loop_budget;
    if (budget <= 0 || fixed + per_item * total <= budget) return total < 1 ? 1 : total;
    const long long n = (budget - fixed) / per_item;
    return n < 1 ? 1 : (int)n;
}

/* Rounds n up to a multiple of m. */
static inline size_t yoso_round_up(size_t n, size_t m) {
    return (n + m - 1) / m * m;
}

#endif

/* test_probe.c — the device self-check: a passing verdict on the default device, cached per
 * device + driver (readable without compiling, replaced by a recheck), and a clear refusal when a
 * probe gets a wrong answer (forced by a test hook). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsh_internal.h"
#include "program_cache.h"
#include "runtime.h"
#include "test_support.h"

/* Creates a context with the cache in dir (NULL: no cache); returns its status. */
static yoso_status probe_context(const char *dir, yoso_context **ctx) {
    yoso_context_options opt = {.cache_dir = dir, .no_cache = dir == NULL};
    return yoso_context_create(&opt, ctx);
}

static void test_default_device_passes(void **state) {
    (void)state;
    yoso_context *ctx = NULL;
    assert_int_equal(probe_context(NULL, &ctx), YOSO_OK);
    assert_non_null(strstr(yoso_context_self_check(ctx), "passed"));
    yoso_context_free(ctx);
}

/* The verdict is cached per device + driver and can be read without building anything. */
static void test_verdict_is_cached(void **state) {
    (void)state;
    char dir[] = "/tmp/yoso-probe-XXXXXX";
    assert_non_null(mkdtemp(dir));
    yoso_context_options opt = {.cache_dir = dir};
    char before[256] = "x", after[256] = "";
    assert_int_equal(yoso_device_cached_self_check(&opt, before, sizeof before), YOSO_OK);
    assert_string_equal(before, ""); /* not checked yet */
    yoso_context *a = NULL, *b = NULL;
    assert_int_equal(probe_context(dir, &a), YOSO_OK);
    assert_int_equal(probe_context(dir, &b), YOSO_OK);
    assert_string_equal(yoso_context_self_check(a), yoso_context_self_check(b));
    assert_int_equal(a->limits.loop_budget, b->limits.loop_budget);
    assert_int_equal(yoso_device_cached_self_check(&opt, after, sizeof after), YOSO_OK);
    assert_string_equal(after, yoso_context_self_check(a));
    yoso_context_free(a);
    yoso_context_free(b);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Checks that msg is the one-line refusal naming what went wrong. */
static void expect_refusal_message(const char *msg, const char *what) {
    assert_non_null(strstr(msg, "failed yoso's self-check"));
    assert_non_null(strstr(msg, what));
    assert_non_null(strstr(msg, "choose another device with -d"));
    assert_null(strchr(msg, '\n'));
}

/* A wrong answer from the probe named by $YOSO_PROBE_FAIL refuses the device in one line: when
 * the context is created with a recheck (every probe runs, as `yoso devices --check` does). */
static void expect_refusal(const char *probe, const char *what) {
    setenv("YOSO_PROBE_FAIL", probe, 1);
    yoso_context *ctx = NULL;
    yoso_context_options opt = {.no_cache = 1, .recheck = 1};
    yoso_status st = yoso_context_create(&opt, &ctx);
    unsetenv("YOSO_PROBE_FAIL");
    assert_int_equal(st, YOSO_ERR_OPENCL);
    assert_null(ctx);
    expect_refusal_message(yoso_last_error(), what);
}

/* Each probe's wrong answer refuses the device, naming what went wrong. */
static void test_wrong_answers_refuse(void **state) {
    (void)state;
    static const char *const cases[][2] = {{"loop", "ran 7 times"},
                                           {"reduce", "reduction"},
                                           {"expectation", "expectation kernel"},
                                           {"hash", "LSH hash kernel on a fixed input gave 1 of"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_refusal(cases[i][0], cases[i][1]);
}

/* Without a recheck, a kernel probe runs with the context when its kernel is in the context's
 * program, else at the kernel's first use: a wrong answer then refuses that kernel (every launch
 * of it fails) in the same line, and the context's own verdict stays "passed". */
static void expect_refusal_at_first_use(const char *probe, const char *what, int which) {
    setenv("YOSO_PROBE_FAIL", probe, 1);
    yoso_context *ctx = NULL;
    yoso_status st = probe_context(NULL, &ctx);
    if (st != YOSO_OK) { /* probed with the context (a GPU-class device's default kernels) */
        unsetenv("YOSO_PROBE_FAIL");
        assert_int_equal(st, YOSO_ERR_OPENCL);
        expect_refusal_message(yoso_last_error(), what);
        return;
    }
    assert_non_null(strstr(yoso_context_self_check(ctx), "passed"));
    const yoso_kernels *ks = &ctx->kernels;
    const yoso_kernel *k = which == 0       ? &ks->attention_expectation
                           : ctx->cpu_class ? &ks->lsh_hash_rows_64
                                            : &ks->lsh_hash_64;
    assert_null(k->kernel); /* not built with the context */
    yoso_kernel_ready(ctx, k);
    unsetenv("YOSO_PROBE_FAIL");
    assert_int_equal(k->status, YOSO_ERR_OPENCL);
    assert_null(k->kernel);
    expect_refusal_message(yoso_last_error(), what);
    yoso_kernel_ready(ctx, k); /* refused for good, without probing again */
    assert_int_equal(k->status, YOSO_ERR_OPENCL);
    yoso_context_free(ctx);
}

static void test_kernel_probes_at_first_use(void **state) {
    (void)state;
    expect_refusal_at_first_use("expectation", "expectation kernel", 0);
    expect_refusal_at_first_use("hash", "LSH hash kernel on a fixed input gave 1 of", 1);
}

/* A kernel a model queued for the preparing thread (LSH attention's) is probed there: a wrong
 * answer refuses it, and its launches return that refusal, not a message of this thread. */
static void test_kernel_probe_on_preparing_thread(void **state) {
    (void)state;
    setenv("YOSO_PROBE_FAIL", "hash", 1);
    yoso_context_options opt = {.no_cache = 1, .background = 1};
    yoso_context *ctx = NULL;
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    yoso_prepare_more(ctx, yoso_lsh_prepare_kernels, 64);
    const yoso_status st = yoso_context_wait(ctx);
    unsetenv("YOSO_PROBE_FAIL");
    if (st != YOSO_OK) { /* a GPU-class device probes its hash kernel with the context */
        expect_refusal_message(yoso_last_error(), "LSH hash kernel");
        yoso_context_free(ctx);
        return;
    }
    const yoso_kernel *k = yoso_lsh_hash_kernel(ctx, YOSO_LSH_LAYOUT_AUTO, 64);
    assert_null(k->kernel);
    assert_int_equal(k->status, YOSO_ERR_OPENCL);
    assert_non_null(ctx->kernels.lsh_normalize.kernel); /* the others were built there too */
    yoso_error_clear();
    const size_t global[1] = {1};
    const int x = 0;
    assert_int_equal(YOSO_LAUNCH(ctx, k, 1, global, NULL, YOSO_ARG(x)), YOSO_ERR_OPENCL);
    expect_refusal_message(yoso_last_error(), "LSH hash kernel on a fixed input gave 1 of");
    yoso_context_free(ctx);
}

/* A kernel probe run at first use is cached on its own (twice: written, then read); one run with
 * the context has no entry of its own (the context's verdict holds it). */
static void test_kernel_probe_verdict_is_cached(void **state) {
    (void)state;
    char *dir = test_make_temp_dir();
    assert_non_null(dir);
    yoso_context *ctx = NULL;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(probe_context(dir, &ctx), YOSO_OK);
        const yoso_kernel *k = &ctx->kernels.attention_expectation;
        const int with_context = k->kernel != NULL;
        yoso_kernel_ready(ctx, k);
        assert_int_equal(k->status, YOSO_OK);
        assert_non_null(k->kernel);
        char probes_dir[4096], key[2304];
        snprintf(probes_dir, sizeof probes_dir, "%s/self-check", dir);
        snprintf(key, sizeof key, "yoso-cl probes v2|expectation|%s", ctx->program_key);
        unsigned char *bin = NULL;
        size_t size = 0;
        assert_int_equal(yoso_cache_read(probes_dir, key, &bin, &size), !with_context);
        if (!with_context) {
            assert_true(size >= 19);
            assert_memory_equal(bin, "loop_cap=0\nproblem=", 19);
        }
        free(bin);
        yoso_context_free(ctx);
    }
    test_remove_temp_dir(dir);
}

/* A cached verdict is believed until a recheck runs the probes again and replaces it: a device
 * whose cache says it failed is refused without probing, and passes once rechecked. */
static void test_recheck_replaces_cached_verdict(void **state) {
    (void)state;
    char *dir = test_make_temp_dir();
    assert_non_null(dir);
    yoso_context *ctx = NULL;
    assert_int_equal(probe_context(dir, &ctx), YOSO_OK);
    char probes_dir[4096], key[2304];
    snprintf(probes_dir, sizeof probes_dir, "%s/self-check", dir);
    snprintf(key, sizeof key, "yoso-cl probes v2|%s", ctx->program_key);
    yoso_context_free(ctx);
    const char *fake = "loop_cap=0\nproblem=a planted wrong answer";
    assert_int_equal(yoso_cache_write(probes_dir, key, (const unsigned char *)fake, strlen(fake)),
                     1);
    yoso_context_options opt = {.cache_dir = dir};
    char verdict[256];
    assert_int_equal(yoso_device_cached_self_check(&opt, verdict, sizeof verdict), YOSO_OK);
    assert_string_equal(verdict, "FAILED: a planted wrong answer");
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_ERR_OPENCL);
    assert_non_null(strstr(yoso_last_error(), "a planted wrong answer"));
    opt.recheck = 1;
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    assert_non_null(strstr(yoso_context_self_check(ctx), "passed"));
    yoso_context_free(ctx);
    assert_int_equal(yoso_device_cached_self_check(&opt, verdict, sizeof verdict), YOSO_OK);
    assert_non_null(strstr(verdict, "passed"));
    test_remove_temp_dir(dir);
}

/* A loop cap (forced) is a limit, not a failure: the device passes and launches are bounded. */
static void test_loop_cap_steers(void **state) {
    (void)state;
    setenv("YOSO_LOOP_CAP", "20000", 1);
    yoso_context *ctx = NULL;
    assert_int_equal(probe_context(NULL, &ctx), YOSO_OK);
    unsetenv("YOSO_LOOP_CAP");
    assert_int_equal(ctx->limits.loop_budget, 15000);
    assert_non_null(strstr(yoso_context_self_check(ctx), "passed"));
    yoso_context_free(ctx);
}

/* The checked launch refuses, in one line naming the limit, a work-group over the kernel's
 * CL_KERNEL_WORK_GROUP_SIZE and local memory over CL_DEVICE_LOCAL_MEM_SIZE. */
static void test_launch_limits_are_checked(void **state) {
    (void)state;
    yoso_context *ctx = NULL;
    assert_int_equal(probe_context(NULL, &ctx), YOSO_OK);
    const yoso_kernel *k = &ctx->kernels.probe_reduce;
    cl_int err;
    cl_mem buf = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, 1 << 20, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    size_t local = k->max_local * 2, global = local;
    assert_int_equal(YOSO_LAUNCH(ctx, k, 1, &global, &local, YOSO_ARG(buf), YOSO_ARG(buf),
                                 YOSO_LOCAL(4 * local)),
                     YOSO_ERR_UNSUPPORTED);
    assert_non_null(strstr(yoso_last_error(), "CL_KERNEL_WORK_GROUP_SIZE"));
    local = 1;
    assert_int_equal(YOSO_LAUNCH(ctx, k, 1, &global, &local, YOSO_ARG(buf), YOSO_ARG(buf),
                                 YOSO_LOCAL((size_t)ctx->limits.local_mem + 4)),
                     YOSO_ERR_UNSUPPORTED);
    assert_non_null(strstr(yoso_last_error(), "CL_DEVICE_LOCAL_MEM_SIZE"));
    assert_null(strchr(yoso_last_error(), '\n'));
    clReleaseMemObject(buf);
    yoso_context_free(ctx);
}

TEST_MAIN(NULL, NULL, test_default_device_passes, test_verdict_is_cached, test_wrong_answers_refuse,
          test_recheck_replaces_cached_verdict, test_kernel_probes_at_first_use,
          test_kernel_probe_on_preparing_thread, test_kernel_probe_verdict_is_cached,
          test_loop_cap_steers, test_launch_limits_are_checked)

/* test_runtime.c — device listing, selection errors, the program cache, and the no-driver path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "program_cache.h"
#include "runtime.h"
#include "test_support.h"

static void test_device_list_has_a_device(void **state) {
    yoso_device_info *list = NULL;
    size_t n = 0;
    assert_int_equal(yoso_device_list(&list, &n), YOSO_OK);
    assert_true(n >= 1);
    int defaults = 0;
    for (size_t i = 0; i < n; i++) {
        defaults += list[i].is_default;
        assert_true(strlen(list[i].name) > 0);
        assert_true(list[i].compute_units > 0);
        assert_true(list[i].max_alloc_bytes > 0);
    }
    assert_int_equal(defaults, 1);
    free(list);
}

static void test_unknown_device_is_not_found(void **state) {
    yoso_context_options opt = {.device_spec = "no-such-device-xyz", .no_cache = 1};
    yoso_context *ctx = NULL;
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_ERR_NOT_FOUND);
    assert_null(ctx);
    assert_non_null(strstr(yoso_last_error(), "no-such-device-xyz"));
    assert_int_equal(yoso_status_exit_code(YOSO_ERR_NOT_FOUND), 2);
}

/* Counts the entries in dir/programs. */
static int count_cache_entries(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/programs", dir);
    DIR *d = opendir(path);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".bin") && !strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

/* Returns the path of the single cache entry in dir/programs. */
static void first_cache_entry(const char *dir, char *out, size_t n) {
    char path[4200];
    snprintf(path, sizeof path, "%s/programs", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    out[0] = '\0';
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".bin") && strlen(path) + strlen(e->d_name) + 2 < n) {
            strcpy(out, path);
            strcat(out, "/");
            strcat(out, e->d_name);
        }
    if (d) closedir(d);
}

/* Checks a context's cache counts: programs loaded from the cache and compiled. */
static void assert_cache_stats(const yoso_context *ctx, int hits, int builds) {
    int h = -1, b = -1;
    yoso_context_cache_stats(ctx, &h, &b);
    assert_int_equal(h, hits);
    assert_int_equal(b, builds);
}

static void test_second_context_reuses_cache(void **state) {
    char *dir = test_make_temp_dir();
    yoso_context_options opt = {.cache_dir = dir};
    yoso_context *a = NULL, *b = NULL;
    assert_int_equal(yoso_context_create(&opt, &a), YOSO_OK);
    assert_cache_stats(a, 0, 1);
    assert_int_equal(count_cache_entries(dir), 1);
    assert_int_equal(yoso_context_create(&opt, &b), YOSO_OK);
    assert_cache_stats(b, 1, 0);
    yoso_context_free(a);
    yoso_context_free(b);
    test_remove_temp_dir(dir);
}

/* A kernel outside the context's program (bias_relu: ALONE on every class) is built at its first
 * use, and its program joins the context's one cache entry as a record: a second context loads
 * both from there. */
static void test_kernel_built_at_first_use_is_cached(void **state) {
    char *dir = test_make_temp_dir();
    yoso_context_options opt = {.cache_dir = dir};
    yoso_context *ctx[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(yoso_context_create(&opt, &ctx[i]), YOSO_OK);
        assert_null(ctx[i]->kernels.bias_relu.kernel);
        assert_non_null(ctx[i]->kernels.probe_reduce.kernel);
        const yoso_kernel *k = yoso_kernel_ready(ctx[i], &ctx[i]->kernels.bias_relu);
        assert_ptr_equal(k, &ctx[i]->kernels.bias_relu);
        assert_non_null(k->kernel);
        assert_true(k->max_local >= 1);
        assert_cache_stats(ctx[i], i ? 2 : 0, i ? 0 : 2);
        assert_int_equal(count_cache_entries(dir), 1);
    }
    for (int i = 0; i < 2; i++) yoso_context_free(ctx[i]);
    test_remove_tree(dir);
    free(dir);
}

/* Kernels prepared in the background (yoso_context_options.background): the context is usable
 * at once for what needs no kernel, yoso_context_wait returns the synchronous create's status, and
 * a kernel built at first use after it works as in the synchronous case; with a build option the
 * compiler rejects, the create succeeds, and the wait and every later launch return the error a
 * synchronous create gives, with the same message. */
static void test_background_preparation(void **state) {
    char *dir = test_make_temp_dir();
    yoso_context_options opt = {.cache_dir = dir, .background = 1};
    yoso_context *ctx = NULL;
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    cl_int err;
    cl_mem buf = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, 4096, NULL, &err);
    assert_int_equal(err, CL_SUCCESS); /* meanwhile, on this thread */
    clReleaseMemObject(buf);
    assert_int_equal(yoso_context_wait(ctx), YOSO_OK);
    assert_cache_stats(ctx, 0, 1);
    assert_non_null(ctx->kernels.probe_reduce.kernel);
    assert_string_not_equal(yoso_context_self_check(ctx), "");
    assert_non_null(yoso_kernel_ready(ctx, &ctx->kernels.bias_relu)->kernel);
    yoso_context_free(ctx);

    setenv("YOSO_CL_OPTIONS", "-no-such-option", 1);
    yoso_context_options sync = {.no_cache = 1};
    yoso_context_options async = {.no_cache = 1, .background = 1};
    const yoso_status want = yoso_context_create(&sync, &ctx);
    assert_int_not_equal(want, YOSO_OK);
    assert_null(ctx);
    char message[1024];
    snprintf(message, sizeof message, "%s", yoso_last_error());
    assert_non_null(strstr(message, "-no-such-option"));
    assert_int_equal(yoso_context_create(&async, &ctx), YOSO_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(yoso_context_wait(ctx), want);
        assert_string_equal(yoso_last_error(), message);
    }
    const yoso_kernel *k = yoso_kernel_ready(ctx, &ctx->kernels.bias_add);
    assert_null(k->kernel);
    assert_int_equal(k->status, want);
    unsetenv("YOSO_CL_OPTIONS");
    yoso_context_free(ctx);
    /* Freed while still preparing: it waits for the thread. */
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    yoso_context_free(ctx);
    test_remove_temp_dir(dir);
}

/* What a test queues on the preparing thread: kernel bias_relu (outside the context's program). */
static void ready_bias_relu(yoso_context *ctx, int arg) {
    assert_int_equal(arg, 7);
    yoso_kernel_ready(ctx, &ctx->kernels.bias_relu);
}

/* A model's extra kernels are queued for the preparing thread and built there (one more program
 * in the cache); once that thread has taken its queue, or with no thread, nothing is queued. */
static void test_background_prepares_more(void **state) {
    (void)state;
    char *dir = test_make_temp_dir();
    yoso_context *ctx = test_context_preparing(dir);
    assert_int_equal(yoso_prepare_more(ctx, ready_bias_relu, 7), 1);
    assert_int_equal(yoso_context_wait(ctx), YOSO_OK);
    assert_non_null(ctx->kernels.bias_relu.kernel); /* built by the thread, not at a first use */
    assert_cache_stats(ctx, 0, 2);
    assert_int_equal(yoso_prepare_more(ctx, ready_bias_relu, 7), 0);
    yoso_context_free(ctx);
    yoso_context_options sync = {.cache_dir = dir};
    assert_int_equal(yoso_context_create(&sync, &ctx), YOSO_OK);
    assert_int_equal(yoso_prepare_more(ctx, ready_bias_relu, 7), 0);
    assert_null(ctx->kernels.bias_relu.kernel);
    yoso_context_free(ctx);
    test_remove_temp_dir(dir);
}

static void test_corrupt_cache_entry_is_rebuilt(void **state) {
    char *dir = test_make_temp_dir();
    yoso_context_options opt = {.cache_dir = dir};
    yoso_context *ctx = NULL;
    int hits, builds;
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    yoso_context_free(ctx);
    char entry[4400];
    first_cache_entry(dir, entry, sizeof entry);
    size_t size = 0;
    char *bytes = test_read_file(entry, &size);
    assert_non_null(bytes);
    bytes[size - 10] ^= 0x5a; /* flip bits in the payload: the checksum must catch it */
    assert_int_equal(test_write_file(entry, bytes, size), 0);
    free(bytes);
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    yoso_context_cache_stats(ctx, &hits, &builds);
    assert_int_equal(hits, 0);
    assert_int_equal(builds, 1);
    yoso_context_free(ctx);
    assert_int_equal(count_cache_entries(dir), 1);
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    yoso_context_cache_stats(ctx, &hits, &builds);
    assert_int_equal(hits, 1);
    yoso_context_free(ctx);
    test_remove_temp_dir(dir);
}

static void test_foreign_cache_entry_is_ignored(void **state) {
    char *dir = test_make_temp_dir();
    assert_int_equal(yoso_cache_write(dir, "key-one", (const unsigned char *)"abc", 3), 1);
    unsigned char *bin = NULL;
    size_t size = 0;
    assert_int_equal(yoso_cache_read(dir, "key-one", &bin, &size), 1);
    assert_int_equal(size, 3);
    assert_memory_equal(bin, "abc", 3);
    free(bin);
    assert_int_equal(yoso_cache_read(dir, "key-two", &bin, &size), 0);
    assert_null(bin);
    test_remove_temp_dir(dir);
}

static void test_unwritable_cache_still_works(void **state) {
    yoso_context_options opt = {.cache_dir = "/proc/yoso-cannot-write-here"};
    yoso_context *ctx = NULL;
    assert_int_equal(yoso_context_create(&opt, &ctx), YOSO_OK);
    int hits, builds;
    yoso_context_cache_stats(ctx, &hits, &builds);
    assert_int_equal(builds, 1);
    yoso_context_free(ctx);
}

/* `devices` output without its "global memory" lines, in place (PoCL derives a CPU device's
 * global memory from the memory free when the process starts: two listings may differ there). */
static char *without_global_memory(char *out) {
    char *line;
    while ((line = strstr(out, "global memory"))) {
        char *next = strchr(line, '\n');
        if (!next) {
            *line = '\0';
            break;
        }
        memmove(line, next + 1, strlen(next + 1) + 1);
    }
    return out;
}

/* The self-check line of the device block that starts with `head` in `devices` output (static). */
static const char *devices_self_check(const char *out, const char *head) {
    static char line[1024];
    const char *block = strstr(out, head), *at = block ? strstr(block, "self-check") : NULL;
    assert_non_null(at);
    at += strlen("self-check");
    while (*at == ' ') at++;
    snprintf(line, sizeof line, "%.*s", (int)strcspn(at, "\n"), at);
    return line;
}

static void test_cli_devices(void **state) {
    char *out = NULL, *err = NULL, *dir = test_make_temp_dir(), cmd[4200];
    snprintf(cmd, sizeof cmd, "YOSO_CACHE_DIR=%s " YOSO_CLI " devices", dir);
    assert_int_equal(test_run(cmd, &out, &err), 0);
    /* the star marks the device the suite runs on ($YOSO_DEVICE, else the default), only it */
    yoso_device_info dev;
    assert_int_equal(yoso_device_find(NULL, &dev), YOSO_OK);
    char star[300];
    snprintf(star, sizeof star, "* %d:%d  %s", dev.platform_index, dev.device_index, dev.name);
    assert_non_null(strstr(out, star));
    assert_null(strchr(strchr(out, '*') + 1, '*'));
    assert_non_null(strstr(out, "OpenCL C"));
    /* an empty cache: no verdict yet, and listing compiled nothing */
    assert_string_equal(devices_self_check(out, star),
                        "not checked yet (runs with the first use; 'yoso devices --check' now)");
    free(out);
    free(err);
    /* --check runs the probes on every device; exit 1 only if one cannot be used */
    snprintf(cmd, sizeof cmd, "YOSO_CACHE_DIR=%s " YOSO_CLI " devices --check", dir);
    int rc = test_run(cmd, &out, &err);
    assert_int_equal(rc, strstr(out, "not usable: ") ? 1 : 0);
    char checked[1024];
    snprintf(checked, sizeof checked, "%s", devices_self_check(out, star));
    assert_memory_equal(checked, "passed", 6); /* the suite's own device passes */
    char *out_check = out;
    free(err);
    /* and a plain listing shows the cached verdicts */
    snprintf(cmd, sizeof cmd, "YOSO_CACHE_DIR=%s " YOSO_CLI " devices", dir);
    assert_int_equal(test_run(cmd, &out, &err), 0);
    if (rc == 0) assert_string_equal(without_global_memory(out), without_global_memory(out_check));
    assert_string_equal(devices_self_check(out, star), checked);
    free(out_check);
    free(out);
    free(err);
    /* a wrong answer (forced on every device) makes --check fail, naming the problem */
    snprintf(cmd, sizeof cmd, "YOSO_PROBE_FAIL=loop YOSO_CACHE_DIR=%s " YOSO_CLI " devices --check",
             dir);
    assert_int_equal(test_run(cmd, &out, &err), 1);
    assert_non_null(strstr(devices_self_check(out, star), "not usable: "));
    assert_non_null(strstr(devices_self_check(out, star), "failed yoso's self-check"));
    free(out);
    free(err);
    test_remove_temp_dir(dir);
    assert_int_equal(test_run("YOSO_DEVICE=nonexistent " YOSO_CLI " devices", &out, &err), 2);
    assert_non_null(strstr(err, "nonexistent"));
    assert_string_equal(out, "");
    free(out);
    free(err);
}

static void test_cli_without_driver_gives_hint(void **state) {
    char *dir = test_make_temp_dir();
    char cmd[8192];
    const char *subcommands[] = {"devices", "logits --ids 0,2 --out /tmp/x.npy",
                                 "fill-mask 'a <mask>'"};
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        char *out = NULL, *err = NULL;
        snprintf(cmd, sizeof cmd, "OCL_ICD_VENDORS=%s OCL_ICD_FILENAMES= YOSO_MODEL=%s %s %s", dir,
                 test_data_path("fillmask/model"), YOSO_CLI, subcommands[i]);
        int rc = test_run(cmd, &out, &err);
        assert_int_equal(rc, 1);
        assert_non_null(strstr(err, "no OpenCL driver found"));
        assert_non_null(strstr(err, "CL_PLATFORM_NOT_FOUND_KHR"));
        free(out);
        free(err);
    }
    test_remove_temp_dir(dir);
}

TEST_MAIN(NULL, NULL, test_device_list_has_a_device, test_unknown_device_is_not_found,
          test_second_context_reuses_cache, test_kernel_built_at_first_use_is_cached,
          test_background_preparation, test_background_prepares_more,
          test_corrupt_cache_entry_is_rebuilt, test_foreign_cache_entry_is_ignored,
          test_unwritable_cache_still_works, test_cli_devices, test_cli_without_driver_gives_hint)

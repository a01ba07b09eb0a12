/* test_errors_runtime.c — faults of the machine around a run, through the CLI (docs/ERRORS.md):
 * no OpenCL driver, an unknown device, kernels that fail to build, bad build options, an
 * unwritable or corrupt kernel cache, two processes filling the cache at once, an unwritable
 * output path, and SIGINT/SIGTERM during `yoso logits` (no partial .npy is ever left behind). */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test_errors_support.h"

#define FILL_MODEL test_data_path("fillmask/model")
#define TEXT "'Paris is the [MASK] of France.'"

/* The answer of a healthy run, to compare degraded runs with (static, set by setup). */
static char *g_expected;

/* Runs fill-mask --json on TEXT with extra environment settings and options. */
static err_result fill_with(const char *env, const char *opts) {
    return err_run("%s %s fill-mask --json -m '%s' %s " TEXT, env, YOSO_CLI, FILL_MODEL, opts);
}

/* Computes the healthy answer (and compiles the kernels, so the driver's first-build chatter
 * never reaches a checked run). */
static int setup(void **state) {
    err_result r = fill_with("", "");
    if (r.rc != 0) err_dump(&r, "warm-up run failed");
    g_expected = r.out;
    r.out = NULL;
    err_result_free(&r);
    return g_expected && *g_expected ? 0 : 1;
}

/* Frees the healthy answer. */
static int teardown(void **state) {
    free(g_expected);
    return 0;
}

/* Number of complete entries (not temp files) in dir/programs. */
static int cache_entries(const char *dir) {
    char path[4400];
    assert_true(snprintf(path, sizeof path, "%s/programs", dir) < (int)sizeof path);
    return err_count_entries(path, ".bin") - err_count_entries(path, ".tmp");
}

/* ---- driver and device ---- */

static void test_no_opencl_driver(void **state) {
    char *empty = test_make_temp_dir(); /* OCL_ICD_VENDORS: a folder without any .icd file */
    char *dir = test_make_temp_dir();
    static const char *const k_commands[] = {"devices", "fill-mask -m '%s' 'a <mask>'",
                                             "logits -m '%s' --ids 0,5,2 --out '%s/x.npy'"};
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++) {
        char sub[8400];
        snprintf(sub, sizeof sub, k_commands[i], FILL_MODEL, dir);
        err_result r =
            err_run("OCL_ICD_VENDORS='%s' OCL_ICD_FILENAMES= %s %s", empty, YOSO_CLI, sub);
        err_expect_failure(&r, 1, "no OpenCL driver found", "CL_PLATFORM_NOT_FOUND_KHR",
                           (const char *)NULL);
        err_result_free(&r);
    }
    assert_int_equal(err_count_entries(dir, NULL), 0);
    test_remove_tree(empty);
    test_remove_tree(dir);
    free(empty);
    free(dir);
}

/* Unknown devices by name, by index and through YOSO_DEVICE. */
static void test_unknown_device(void **state) {
    err_result r = fill_with("", "-d no-such-gpu");
    err_expect_failure(&r, 2, "no OpenCL device matches 'no-such-gpu'", "yoso devices",
                       (const char *)NULL);
    err_result_free(&r);
    r = fill_with("", "--device 7:7");
    err_expect_failure(&r, 2, "matches '7:7'", "P:D", (const char *)NULL);
    err_result_free(&r);
    r = fill_with("YOSO_DEVICE=no-such-gpu", "");
    err_expect_failure(&r, 2, "'no-such-gpu'", "yoso devices", (const char *)NULL);
    err_result_free(&r);
}

/* ---- kernel builds ---- */

static void test_kernel_build_failure(void **state) {
    char *cache = test_make_temp_dir();
    char env[4400];
    snprintf(env, sizeof env, "YOSO_CACHE_DIR='%s' YOSO_CL_OPTIONS=-DYOSO_FORCE_BUILD_ERROR",
             cache);
    err_result r = fill_with(env, "");
    int ok =
        r.rc == 1 && r.out[0] == '\0' && strstr(r.err, "--- OpenCL build log (") &&
        strstr(r.err, "YOSO_FORCE_BUILD_ERROR is defined: this build fails on purpose") &&
        strstr(r.err, "--- end of build log ---\n") &&
        strstr(r.err, "\nyoso: the OpenCL compiler of ") &&
        strstr(
            r.err,
            "rejected yoso's kernels (build log above): update the driver or choose another device with -d\n");
    /* the one error line is the only line of ours; the rest is the compiler's log */
    int ours = 0;
    for (const char *p = r.err; p; p = strchr(p, '\n')) {
        if (*p == '\n') p++;
        ours += strncmp(p, "yoso", 4) == 0;
    }
    if (!ok || ours != 1) err_dump(&r, "kernel build failure");
    assert_true(ok && ours == 1);
    assert_int_equal(cache_entries(cache), 0); /* nothing cached */
    err_result_free(&r);
    test_remove_temp_dir(cache);
}

/* A build option the OpenCL compiler rejects, from YOSO_CL_OPTIONS. */
static void test_invalid_build_option(void **state) {
    err_result r = fill_with("YOSO_CL_OPTIONS=-no-such-option", "");
    err_expect_failure(&r, 2, "rejected the build options", "-no-such-option",
                       "fix or unset YOSO_CL_OPTIONS", (const char *)NULL);
    err_result_free(&r);
}

/* ---- the kernel cache ---- */

static void test_cache_unwritable(void **state) {
    char *dir = test_make_temp_dir();
    char file[4400], env[4600];
    snprintf(file, sizeof file, "%s/a-file", dir); /* a file where the cache folder should be */
    assert_int_equal(test_write_file(file, "x", 1), 0);
    snprintf(env, sizeof env, "YOSO_CACHE_DIR='%s'", file);
    err_result r = fill_with(env, "");
    assert_int_equal(r.rc, 0);
    /* the right answer, and exactly one warning line */
    assert_string_equal(r.out, g_expected);
    if (err_count_lines(r.err) != 1) err_dump(&r, "unwritable cache");
    assert_int_equal(err_count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "yoso: warning: cannot write the cache in"));
    assert_non_null(strstr(r.err, "continuing without it"));
    err_result_free(&r);
    /* a cache folder under /proc cannot be created, even by root */
    r = fill_with("YOSO_CACHE_DIR=/proc/yoso-cache", "");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, g_expected);
    assert_int_equal(err_count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "warning: cannot write the cache in /proc/yoso-cache"));
    err_result_free(&r);
    test_remove_temp_dir(dir);
}

/* The path of the one entry in dir/programs. */
static void cache_entry_path(const char *dir, char *out, size_t n) {
    char programs[4400];
    assert_true(snprintf(programs, sizeof programs, "%s/programs", dir) < (int)sizeof programs);
    DIR *d = opendir(programs);
    assert_non_null(d);
    out[0] = '\0';
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".bin"))
            assert_true(snprintf(out, n, "%s/%s", programs, e->d_name) < (int)n);
    closedir(d);
    assert_true(out[0] != '\0');
}

/* Runs fill-mask -v with the cache in dir; checks the answer; 1 if the kernels were compiled,
 * 0 if they came from the cache. */
static int cached_run(const char *dir) {
    char env[4400];
    snprintf(env, sizeof env, "YOSO_CACHE_DIR='%s'", dir);
    err_result r = fill_with(env, "-v");
    if (r.rc != 0) err_dump(&r, "cached run");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, g_expected);
    int compiled = strstr(r.err, "(kernels compiled)") != NULL;
    assert_true(compiled || strstr(r.err, "(kernels from the cache)"));
    err_result_free(&r);
    return compiled;
}

/* Flipped, cut and emptied cache entries are rebuilt, then loaded. */
static void test_cache_corrupt_entry(void **state) {
    char *dir = test_make_temp_dir();
    char entry[4600];
    assert_int_equal(cached_run(dir), 1);
    assert_int_equal(cached_run(dir), 0);
    cache_entry_path(dir, entry, sizeof entry);
    size_t n = 0;
    char *bytes = test_read_file(entry, &n);
    assert_non_null(bytes);
    /* three kinds of damage: flipped payload bits, a cut, an empty file */
    for (int damage = 0; damage < 3; damage++) {
        if (damage == 0) bytes[n - 100] ^= 0x40;
        size_t len = damage == 0 ? n : damage == 1 ? n / 2 : 0;
        assert_int_equal(test_write_file(entry, bytes, len), 0);
        assert_int_equal(cached_run(dir), 1); /* detected and rebuilt */
        assert_int_equal(cached_run(dir), 0); /* and the rebuilt entry is good */
        assert_int_equal(cache_entries(dir), 1);
        if (damage == 0) bytes[n - 100] ^= 0x40;
    }
    free(bytes);
    test_remove_temp_dir(dir);
}

/* Starts two fill-mask processes at the same moment on the empty cache dir/cache; checks both
 * answers and the cache left behind; returns how many of them compiled the kernels. */
static int fill_cache_at_once(const char *dir) {
    char cache[4400], cmd[16384];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    /* both wait for the same start signal, then run with the same empty cache */
    snprintf(
        cmd, sizeof cmd,
        "cd '%s' && for i in 1 2; do ( until [ -e go ]; do sleep 0.01; done; YOSO_TEST_CACHE_WRITE_DELAY=2 YOSO_CACHE_DIR='%s' %s fill-mask --json -v -m '%s' " TEXT
        " >out$i 2>err$i; echo $? >rc$i ) & done; sleep 0.2; touch go; wait",
        dir, cache, YOSO_CLI, FILL_MODEL);
    assert_int_equal(system(cmd), 0);
    int compiled = 0;
    for (int i = 1; i <= 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "rc%d", i);
        char *rc = test_read_file(err_path(dir, name), NULL);
        snprintf(name, sizeof name, "out%d", i);
        char *out = test_read_file(err_path(dir, name), NULL);
        snprintf(name, sizeof name, "err%d", i);
        char *err = test_read_file(err_path(dir, name), NULL);
        if (!rc || strcmp(rc, "0\n") || !out || strcmp(out, g_expected))
            printf("process %d: rc %s\nstdout:\n%s\nstderr:\n%s\n", i, rc, out, err);
        assert_string_equal(rc, "0\n");
        assert_string_equal(out, g_expected);
        compiled += strstr(err, "(kernels compiled)") != NULL;
        free(rc);
        free(out);
        free(err);
    }
    assert_int_equal(cache_entries(cache), 1);
    char programs[4500];
    snprintf(programs, sizeof programs, "%s/programs", cache);
    assert_int_equal(err_count_entries(programs, ".tmp"), 0);
    assert_int_equal(cached_run(cache), 0); /* a third process loads it */
    return compiled;
}

/* Two processes filling an empty cache at once both succeed and leave one good entry. */
static void test_cache_two_processes_fill_at_once(void **state) {
    /* both must have compiled (and so both written the entry) for the race to be real: each
     * waits 2 s between compiling and writing (YOSO_TEST_CACHE_WRITE_DELAY), so a process that
     * starts late still finds no entry; on a very busy machine, try again */
    int both = 0;
    for (int attempt = 0; attempt < 4 && !both; attempt++) {
        char *dir = test_make_temp_dir();
        int compiled = fill_cache_at_once(dir);
        printf("attempt %d: %d of 2 processes compiled the kernels\n", attempt + 1, compiled);
        both = compiled == 2;
        test_remove_temp_dir(dir);
    }
    assert_true(both);
}

/* ---- the output file ---- */

static void test_output_unwritable(void **state) {
    char *dir = test_make_temp_dir();
    char file[4400];
    snprintf(file, sizeof file, "%s/a-file", dir);
    assert_int_equal(test_write_file(file, "x", 1), 0);
    static const char *const k_outs[] = {"%s/no-such-folder/x.npy", "%s/a-file/x.npy", "%s"};
    static const char *const k_why[] = {"No such file or directory", "Not a directory",
                                        "Is a directory"};
    for (int i = 0; i < 3; i++) {
        char out[4400];
        snprintf(out, sizeof out, k_outs[i], dir);
        err_result r =
            err_run("%s logits -m '%s' --ids 0,5,2 --out '%s'", YOSO_CLI, FILL_MODEL, out);
        err_expect_failure(&r, 1, "cannot write", k_why[i], (const char *)NULL);
        err_result_free(&r);
        assert_int_equal(err_count_entries(dir, NULL), 1); /* a-file alone: no temp file left */
    }
    test_remove_temp_dir(dir);
}

/* A FIFO as the output is written in place, not replaced by a file. */
static void test_output_to_a_fifo(void **state) {
    /* a FIFO (like /dev/null or /dev/stdout) is written in place, not replaced by a file */
    char *dir = test_make_temp_dir();
    char fifo[4400];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    err_result r = err_run(
        "cd '%s' && mkfifo fifo && (cat fifo >got &) && %s logits -m '%s' --ids 0,5,2 --out fifo && wait",
        dir, YOSO_CLI, test_data_path("models/tiny"));
    assert_int_equal(r.rc, 0);
    err_result_free(&r);
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    for (int i = 0; i < 100 && err_count_entries(dir, "got") == 1; i++) {
        assert_int_equal(stat(err_path(dir, "got"), &st), 0);
        if (st.st_size == 128 + 3 * 1000 * 4) break; /* header + [1, 3, 1000] floats */
        usleep(10000);
    }
    assert_int_equal(st.st_size, 128 + 3 * 1000 * 4);
    test_remove_temp_dir(dir);
}

/* ---- interrupted runs ---- */

/* Starts `yoso logits` on 300 tokens of the 50265-word model (a 60 MB .npy); returns its pid. */
static pid_t start_logits(const char *out) {
    static char ids[4096];
    strcpy(ids, "0");
    for (int i = 0; i < 300; i++) strcat(ids, ",5");
    strcat(ids, ",2");
    fflush(NULL); /* or the child would write the parent's buffered output again */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(YOSO_CLI, "yoso", "logits", "-m", FILL_MODEL, "--ids", ids, "--out", out,
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits for pid; returns the signal that ended it, or 0 if it exited (with code 0). */
static int reap(pid_t pid) {
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) return WTERMSIG(status);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    return 0;
}

/* Sleeps for ms milliseconds. */
static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* After an interrupted run: either no output at all, or the complete, right file; never a
 * temp file. Returns 1 if the file is there. */
static int check_no_partial_output(const char *dir, const char *out, const char *expected,
                                   size_t expected_size) {
    assert_int_equal(err_count_entries(dir, ".tmp"), 0);
    if (!err_exists(out)) return 0;
    size_t n = 0;
    char *got = test_read_file(out, &n);
    assert_non_null(got);
    assert_int_equal(n, expected_size);
    assert_memory_equal(got, expected, n);
    free(got);
    unlink(out);
    return 1;
}

/* SIGINT/SIGTERM during yoso logits never leave a partial .npy behind. */
static void test_interrupted_logits(void **state) {
    char *dir = test_make_temp_dir();
    char out[4400], ref[4400];
    snprintf(out, sizeof out, "%s/logits.npy", dir);
    snprintf(ref, sizeof ref, "%s/reference.npy", dir);
    assert_int_equal(reap(start_logits(ref)), 0);
    size_t ref_size = 0;
    char *expected = test_read_file(ref, &ref_size);
    assert_non_null(expected);
    assert_int_equal(ref_size, 128 + 302 * 50265 * 4);
    unlink(ref);
    static const int k_signals[] = {SIGINT, SIGTERM};
    /* 1. at several moments (start-up, forward pass, maybe the write): killed by the signal,
     * with no file, or with the whole file when the signal came during the write */
    for (int s = 0; s < 2; s++) {
        for (long delay = 20; delay <= 540; delay *= 3) {
            pid_t pid = start_logits(out);
            sleep_ms(delay);
            kill(pid, k_signals[s]);
            int sig = reap(pid);
            assert_true(sig == 0 || sig == k_signals[s]);
            int whole = check_no_partial_output(dir, out, expected, ref_size);
            printf("signal %d after %ld ms: %s, %s\n", k_signals[s], delay,
                   sig ? "killed" : "finished first", whole ? "whole file" : "no file");
        }
    }
    /* 2. while the .npy is being written (its temp file exists): the write completes, the file
     * is renamed into place, then the signal ends the run */
    for (int s = 0; s < 2; s++) {
        pid_t pid = start_logits(out);
        int seen = 0;
        for (int polls = 0; polls < 60000 && !seen; polls++) {
            seen = err_count_entries(dir, "logits.npy.tmp.") > 0;
            if (!seen) {
                if (waitpid(pid, NULL, WNOHANG) == pid) break; /* finished between two polls */
                sleep_ms(1);
            }
        }
        int sig = 0;
        if (seen) {
            kill(pid, k_signals[s]);
            sig = reap(pid); /* 0 if the write and rename won the race with kill */
            assert_true(sig == 0 || sig == k_signals[s]);
        }
        printf("signal %d %s the write\n", k_signals[s], sig ? "arrived during" : "missed");
        assert_int_equal(check_no_partial_output(dir, out, expected, ref_size), 1);
    }
    free(expected);
    test_remove_temp_dir(dir);
}

TEST_MAIN(setup, teardown, test_no_opencl_driver, test_unknown_device, test_kernel_build_failure,
          test_invalid_build_option, test_cache_unwritable, test_cache_corrupt_entry,
          test_cache_two_processes_fill_at_once, test_output_unwritable, test_output_to_a_fifo,
          test_interrupted_logits)

/* test_file_io.c — src/common/file_io: the atomic writer leaves either the complete new file or
 * the old one (never a partial or temp file), writes devices and FIFOs in place, and mkdir -p
 * creates missing parents. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_io.h"
#include "test_support.h"

/* Entries of dir whose name contains `part`. */
static int count_entries(const char *dir, const char *part) {
    DIR *d = opendir(dir);
    int n = 0;
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, part) != NULL;
    closedir(d);
    return n;
}

/* A committed write replaces the old file whole; a failed one keeps it and removes the temp. */
static void test_replace_or_keep(void **state) {
    char *dir = test_make_temp_dir(), path[4096];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    assert_int_equal(test_write_file(path, "old", 3), 0);
    yoso_atomic_file af;
    assert_int_equal(yoso_atomic_file_open(&af, path, YOSO_FILE_GUARD_SIGNALS), YOSO_OK);
    fputs("new contents", af.f);
    assert_int_equal(count_entries(dir, "out.txt.tmp."), 1);
    char *text = test_read_file(path, NULL);
    assert_string_equal(text, "old"); /* untouched until the rename */
    free(text);
    assert_int_equal(yoso_atomic_file_close(&af, YOSO_OK), YOSO_OK);
    text = test_read_file(path, NULL);
    assert_string_equal(text, "new contents");
    free(text);
    assert_int_equal(count_entries(dir, ".tmp"), 0);

    /* the caller's failure is passed through; the old file stays */
    assert_int_equal(yoso_atomic_file_open(&af, path, 0), YOSO_OK);
    fputs("partial", af.f);
    assert_int_equal(yoso_atomic_file_close(&af, YOSO_ERR_INPUT), YOSO_ERR_INPUT);
    text = test_read_file(path, NULL);
    assert_string_equal(text, "new contents");
    free(text);
    assert_int_equal(count_entries(dir, ".tmp"), 0);
    test_remove_temp_dir(dir);
}

/* A missing folder, a file as folder and a directory as the target fail with the reason and
 * leave nothing behind. */
static void test_unwritable(void **state) {
    char *dir = test_make_temp_dir(), path[4096];
    snprintf(path, sizeof path, "%s/file", dir);
    assert_int_equal(test_write_file(path, "x", 1), 0);
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    static const struct {
        const char *rel, *why;
    } k_cases[] = {{"no-such/x", "No such file or directory"},
                   {"file/x", "Not a directory"},
                   {"sub", "Is a directory"}};
    for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, k_cases[i].rel);
        yoso_atomic_file af;
        yoso_status st = yoso_atomic_file_open(&af, path, YOSO_FILE_GUARD_SIGNALS);
        if (st == YOSO_OK) { /* a directory: the temp file opens, the rename fails */
            st = yoso_atomic_file_close(&af, YOSO_OK);
        }
        assert_int_equal(st, YOSO_ERR_IO);
        assert_non_null(strstr(yoso_last_error(), "cannot write"));
        assert_non_null(strstr(yoso_last_error(), k_cases[i].why));
    }
    assert_int_equal(count_entries(dir, ".tmp"), 0);
    test_remove_temp_dir(dir);
}

/* /dev/full is a device: written in place (no temp file beside it, the node stays), and the
 * failed flush reports the reason. /dev/null takes the write. */
static void test_devices_in_place(void **state) {
    yoso_atomic_file af;
    assert_int_equal(yoso_atomic_file_open(&af, "/dev/null", 0), YOSO_OK);
    assert_string_equal(af.tmp, "");
    fputs("discarded", af.f);
    assert_int_equal(yoso_atomic_file_close(&af, YOSO_OK), YOSO_OK);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(yoso_atomic_file_open(&af, "/dev/full", 0), YOSO_OK);
        fputs("no room", af.f);
        assert_int_equal(yoso_atomic_file_close(&af, YOSO_OK), YOSO_ERR_IO);
        assert_non_null(strstr(yoso_last_error(), "No space left on device"));
    }
}

/* mkdir -p: missing parents are made, an existing tree is fine, a file in the way fails. */
static void test_make_dirs(void **state) {
    char *dir = test_make_temp_dir(), path[4096];
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(yoso_make_dirs(path), 1);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(yoso_make_dirs(path), 1);
    snprintf(path, sizeof path, "%s/a/file", dir);
    assert_int_equal(test_write_file(path, "x", 1), 0);
    snprintf(path, sizeof path, "%s/a/file/d", dir);
    errno = 0;
    assert_int_equal(yoso_make_dirs(path), 0);
    assert_int_equal(errno, ENOTDIR);
    test_remove_temp_dir(dir);
}

TEST_MAIN(NULL, NULL, test_replace_or_keep, test_unwritable, test_devices_in_place, test_make_dirs)

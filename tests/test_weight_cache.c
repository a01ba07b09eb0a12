/* test_weight_cache.c — packed weights kept on disk (src/host/model/weight_cache.c): a second
 * load maps them and gives the same logits bit for bit; a changed checkpoint, a damaged entry or
 * caching turned off never serve stale or broken matrices. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gemm.h"
#include "model.h"
#include "npy.h"
#include "test_support.h"
#include "weight_cache.h"
#include "yoso.h"

/* The golden model every case loads (head dim 64, two batch rows). */
#define WC_MODEL "models/hd64"

typedef struct wc_fixture {
    char *dir;        /* temp folder: cache/ and model/ */
    char cache[4200]; /* the cache folder */
    char model[4200]; /* a copy of WC_MODEL that cases may change */
    yoso_npy ids, mask;
} wc_fixture;

/* Copies file name of WC_MODEL into f->model. */
static void copy_model_file(wc_fixture *f, const char *name) {
    char rel[512], dst[4400];
    size_t size = 0;
    snprintf(rel, sizeof rel, "%s/%s", WC_MODEL, name);
    char *data = test_read_file(test_data_path(rel), &size);
    assert_non_null(data);
    snprintf(dst, sizeof dst, "%s/%s", f->model, name);
    assert_int_equal(test_write_file(dst, data, size), 0);
    free(data);
}

static int setup(void **state) {
    wc_fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->dir = test_make_temp_dir())) return -1;
    snprintf(f->cache, sizeof f->cache, "%s/cache", f->dir);
    snprintf(f->model, sizeof f->model, "%s/model", f->dir);
    if (mkdir(f->model, 0755) != 0) return -1;
    copy_model_file(f, "config.json");
    copy_model_file(f, "model.safetensors");
    if (yoso_npy_read(test_data_path(WC_MODEL "/input_ids.npy"), &f->ids) != YOSO_OK ||
        yoso_npy_read(test_data_path(WC_MODEL "/attention_mask.npy"), &f->mask) != YOSO_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    wc_fixture *f = *state;
    free(f->ids.data);
    free(f->mask.data);
    test_remove_temp_dir(f->dir);
    free(f);
    return 0;
}

/* What one load of f->model gave. */
typedef struct wc_run {
    float *logits; /* [batch, seq, vocab] */
    size_t count;
    int cached;  /* the model's packed matrices all came from the cache */
    int caching; /* the model had a cache entry open (packed weights, a cache folder) */
    int packs;   /* the context's GEMM backend packs weights */
} wc_run;

/* Loads f->model on a context caching in f->cache (or not at all) and computes its logits. */
static wc_run load_and_run(const wc_fixture *f, int no_cache) {
    wc_run r = {0};
    yoso_context_options co = {.cache_dir = f->cache, .no_cache = no_cache};
    yoso_context *ctx = NULL;
    yoso_model *m = NULL;
    if (yoso_context_create(&co, &ctx) != YOSO_OK) fail_msg("%s", yoso_last_error());
    if (yoso_model_load(ctx, f->model, NULL, &m) != YOSO_OK) fail_msg("%s", yoso_last_error());
    yoso_model_info info;
    yoso_model_get_info(m, &info);
    const int batch = (int)f->ids.shape[0], seq = (int)f->ids.shape[1];
    r.count = (size_t)batch * seq * info.vocab_size;
    r.logits = malloc(r.count * sizeof(float));
    assert_non_null(r.logits);
    if (yoso_model_logits(m, batch, seq, f->ids.data, f->mask.data, r.logits) != YOSO_OK)
        fail_msg("%s", yoso_last_error());
    r.cached = yoso_weight_cache_hit(m->wcache);
    r.caching = m->wcache != NULL;
    r.packs = yoso_gemm_packs_weights(ctx->gemm);
    yoso_model_free(m);
    yoso_context_free(ctx);
    return r;
}

/* Fails unless a and b computed the same logits, bit for bit. */
static void assert_same_logits(const wc_run *a, const wc_run *b) {
    assert_int_equal(a->count, b->count);
    assert_memory_equal(a->logits, b->logits, a->count * sizeof(float));
}

/* The path of the (one) entry in f->cache/weights, "" when there is none. */
static void entry_path(const wc_fixture *f, char *out, size_t n) {
    char dir[4300];
    out[0] = '\0';
    snprintf(dir, sizeof dir, "%s/weights", f->cache);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".bin")) {
            assert_string_equal(out, ""); /* one checkpoint, one device: one entry */
            snprintf(out, n, "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
}

/* Without a cache nothing is written; the first cached load packs and writes the entry, the
 * second maps it: the same logits all three times. */
static void test_second_load_maps_entry(void **state) {
    wc_fixture *f = *state;
    char entry[4400];
    wc_run plain = load_and_run(f, 1);
    assert_false(plain.caching);
    entry_path(f, entry, sizeof entry);
    assert_string_equal(entry, "");
    wc_run first = load_and_run(f, 0);
    wc_run second = load_and_run(f, 0);
    assert_same_logits(&plain, &first);
    assert_same_logits(&plain, &second);
    entry_path(f, entry, sizeof entry);
    if (!first.packs) { /* nothing to keep: no entry, no mapping */
        assert_false(first.caching);
        assert_string_equal(entry, "");
    } else {
        assert_true(first.caching);
        assert_false(first.cached);
        assert_true(second.cached);
        assert_string_not_equal(entry, "");
    }
    free(plain.logits);
    free(first.logits);
    free(second.logits);
}

/* A checkpoint rewritten with other weights (same size, same path) must not be served from the
 * entry of the old one: its logits equal an uncached load of the new file. */
static void test_changed_checkpoint_misses(void **state) {
    wc_fixture *f = *state;
    wc_run before = load_and_run(f, 0);
    if (!before.packs) {
        free(before.logits);
        return; /* test_second_load_maps_entry checks that nothing is cached then */
    }
    char path[4400];
    size_t size = 0;
    snprintf(path, sizeof path, "%s/model.safetensors", f->model);
    unsigned char *bytes = (unsigned char *)test_read_file(path, &size);
    assert_non_null(bytes);
    /* Scale every float of the data section's second half by two: the layers' matrices. */
    uint64_t header = 0;
    memcpy(&header, bytes, 8);
    for (size_t at = (8 + header + size) / 2 / 4 * 4; at + 4 <= size; at += 4) {
        float v;
        memcpy(&v, bytes + at, 4);
        v *= 2.0f;
        memcpy(bytes + at, &v, 4);
    }
    assert_int_equal(test_write_file(path, bytes, size), 0);
    free(bytes);
    wc_run after = load_and_run(f, 0);
    wc_run plain = load_and_run(f, 1);
    wc_run again = load_and_run(f, 0);
    assert_false(after.cached);
    assert_same_logits(&plain, &after);
    assert_true(again.cached);
    assert_same_logits(&plain, &again);
    assert_memory_not_equal(before.logits, after.logits, after.count * sizeof(float));
    free(before.logits);
    free(after.logits);
    free(plain.logits);
    free(again.logits);
}

/* A damaged entry (a flipped header byte, then a truncated file) is a miss that rewrites it,
 * and removes what a killed writer left. */
static void test_damaged_entry_is_rewritten(void **state) {
    wc_fixture *f = *state;
    wc_run good = load_and_run(f, 0);
    char entry[4400];
    entry_path(f, entry, sizeof entry);
    if (!good.packs) {
        assert_string_equal(entry, "");
        free(good.logits);
        return;
    }
    assert_string_not_equal(entry, "");
    /* A temp file a killed writer left (no such process): removed when the entry is rewritten. */
    char stale[4500];
    snprintf(stale, sizeof stale, "%s.tmp.999999999", entry);
    assert_int_equal(test_write_file(stale, "partial", 7), 0);
    for (int damage = 0; damage < 2; damage++) {
        size_t size = 0;
        unsigned char *bytes = (unsigned char *)test_read_file(entry, &size);
        assert_non_null(bytes);
        assert_true(size > 4096);
        if (damage == 0)
            bytes[40] ^= 0x5a; /* inside the key or the records: the checksum fails */
        else
            size -= 4096; /* the last matrix runs past the end */
        assert_int_equal(test_write_file(entry, bytes, size), 0);
        free(bytes);
        wc_run damaged = load_and_run(f, 0);
        wc_run repaired = load_and_run(f, 0);
        assert_false(damaged.cached);
        assert_true(repaired.cached);
        assert_same_logits(&good, &damaged);
        assert_same_logits(&good, &repaired);
        free(damaged.logits);
        free(repaired.logits);
    }
    assert_int_not_equal(access(stale, F_OK), 0);
    free(good.logits);
}

/* A cache folder that cannot be written (a file in its place): the model loads and computes
 * the same logits, without an entry. */
static void test_unwritable_cache_still_loads(void **state) {
    wc_fixture *f = *state;
    wc_run plain = load_and_run(f, 1);
    test_remove_tree(f->cache);
    assert_int_equal(test_write_file(f->cache, "not a folder", 12), 0);
    wc_run blocked = load_and_run(f, 0);
    assert_false(blocked.cached);
    assert_same_logits(&plain, &blocked);
    free(plain.logits);
    free(blocked.logits);
    remove(f->cache);
}

/* A new entry that cannot be written whole (the file size limit, RLIMIT_FSIZE, stops it half
 * way): the matrices written and the rest, kept in memory, give the same logits; no entry and no
 * temp file are left. */
static void test_entry_cut_short_keeps_matrices(void **state) {
    wc_fixture *f = *state;
    wc_run plain = load_and_run(f, 1);
    wc_run first = load_and_run(f, 0);
    char entry[4400];
    entry_path(f, entry, sizeof entry);
    assert_same_logits(&plain, &first);
    if (!first.packs) {
        assert_string_equal(entry, "");
    } else {
        struct stat st;
        assert_int_equal(stat(entry, &st), 0);
        assert_int_equal(unlink(entry), 0);
        struct rlimit saved, cut;
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
        cut = saved;
        cut.rlim_cur = (rlim_t)st.st_size / 2;
        void (*old)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of a signal */
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &cut), 0);
        wc_run cut_short = load_and_run(f, 0);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
        signal(SIGXFSZ, old);
        assert_false(cut_short.cached);
        assert_true(cut_short.caching);
        assert_same_logits(&plain, &cut_short);
        char cmd[4600], *out = NULL;
        snprintf(cmd, sizeof cmd, "ls -A %s/weights", f->cache);
        assert_int_equal(test_run(cmd, &out, NULL), 0);
        assert_string_equal(out, ""); /* neither an entry nor a temp file */
        free(out);
        free(cut_short.logits);
    }
    free(plain.logits);
    free(first.logits);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_second_load_maps_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_checkpoint_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_entry_is_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_cache_still_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_cut_short_keeps_matrices, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

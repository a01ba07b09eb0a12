/* test_torch_bin.c — torch.save zips: exact values in F32/F16/BF16 equal to the safetensors files,
 * strided views, zip64, and hostile zips and pickles refused without executing or crashing. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_reference.h"
#include "tensor_file.h"

/* ------------------------------------------------------------------ helpers ---- */

typedef struct zentry {
    const char *name;
    const void *data;
    size_t size;
} zentry;

/* Appends little-endian integers to a byte buffer. */
static void put16(uint8_t **p, uint32_t v) {
    (*p)[0] = (uint8_t)v;
    (*p)[1] = (uint8_t)(v >> 8);
    *p += 2;
}
static void put32(uint8_t **p, uint32_t v) {
    put16(p, v & 0xffff);
    put16(p, v >> 16);
}

/* A zip of stored entries (CRCs left zero: the reader does not check them). */
static uint8_t *build_zip(const zentry *e, size_t n, size_t *size) {
    size_t cap = 22;
    for (size_t i = 0; i < n; i++) cap += 30 + 46 + 2 * strlen(e[i].name) + e[i].size;
    uint8_t *buf = malloc(cap), *p = buf;
    assert_non_null(buf);
    uint32_t *offsets = calloc(n ? n : 1, sizeof *offsets);
    for (size_t i = 0; i < n; i++) {
        offsets[i] = (uint32_t)(p - buf);
        size_t nl = strlen(e[i].name);
        put32(&p, 0x04034b50);
        put16(&p, 20), put16(&p, 0), put16(&p, 0), put16(&p, 0), put16(&p, 0);
        put32(&p, 0), put32(&p, (uint32_t)e[i].size), put32(&p, (uint32_t)e[i].size);
        put16(&p, (uint32_t)nl), put16(&p, 0);
        memcpy(p, e[i].name, nl), p += nl;
        if (e[i].size) memcpy(p, e[i].data, e[i].size), p += e[i].size;
    }
    uint32_t cd = (uint32_t)(p - buf);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(e[i].name);
        put32(&p, 0x02014b50);
        put16(&p, 20), put16(&p, 20), put16(&p, 0), put16(&p, 0), put16(&p, 0), put16(&p, 0);
        put32(&p, 0), put32(&p, (uint32_t)e[i].size), put32(&p, (uint32_t)e[i].size);
        put16(&p, (uint32_t)nl), put16(&p, 0), put16(&p, 0), put16(&p, 0), put16(&p, 0);
        put32(&p, 0), put32(&p, offsets[i]);
        memcpy(p, e[i].name, nl), p += nl;
    }
    uint32_t cd_size = (uint32_t)(p - buf) - cd;
    put32(&p, 0x06054b50);
    put16(&p, 0), put16(&p, 0), put16(&p, (uint32_t)n), put16(&p, (uint32_t)n);
    put32(&p, cd_size), put32(&p, cd), put16(&p, 0);
    free(offsets);
    *size = (size_t)(p - buf);
    return buf;
}

/* A pickle being written opcode by opcode. */
typedef struct pbuf {
    uint8_t *b;
    size_t n, cap;
} pbuf;

static void p_raw(pbuf *p, const void *data, size_t n) {
    if (n == 0) return;
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2 + 64;
        p->b = realloc(p->b, p->cap);
        assert_non_null(p->b);
    }
    memcpy(p->b + p->n, data, n);
    p->n += n;
}
static void p_op(pbuf *p, uint8_t op) {
    p_raw(p, &op, 1);
}
static void p_str(pbuf *p, const char *s) {
    uint32_t n = (uint32_t)strlen(s);
    uint8_t h[5] = {'X', (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    p_raw(p, h, 5);
    p_raw(p, s, n);
}
/* BININT for 32-bit values, else LONG1 with 8 bytes. */
static void p_int(pbuf *p, int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) {
        uint32_t u = (uint32_t)(int32_t)v;
        uint8_t h[5] = {'J', (uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
        p_raw(p, h, 5);
    } else {
        uint8_t h[10] = {0x8a, 8};
        for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)((uint64_t)v >> (8 * i));
        p_raw(p, h, 10);
    }
}
static void p_global(pbuf *p, const char *module, const char *name) {
    p_op(p, 'c');
    p_raw(p, module, strlen(module));
    p_op(p, '\n');
    p_raw(p, name, strlen(name));
    p_op(p, '\n');
}
/* An empty OrderedDict: GLOBAL, EMPTY_TUPLE, REDUCE. */
static void p_ordered_dict(pbuf *p) {
    p_global(p, "collections", "OrderedDict");
    p_op(p, ')');
    p_op(p, 'R');
}

typedef struct tspec {
    const char *storage_type; /* "FloatStorage" … */
    const char *key;          /* storage key under archive/data/ */
    int64_t storage_numel, offset;
    int ndim;
    int64_t shape[4], stride[4];
    int nargs; /* 6 (default when 0) or 5/7 */
} tspec;

/* _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()). */
static void p_tensor(pbuf *p, const tspec *t) {
    p_global(p, "torch._utils", "_rebuild_tensor_v2");
    p_op(p, '(');
    p_op(p, '(');
    p_str(p, "storage");
    p_global(p, "torch", t->storage_type);
    p_str(p, t->key);
    p_str(p, "cpu");
    p_int(p, t->storage_numel);
    p_op(p, 't');
    p_op(p, 'Q');
    p_int(p, t->offset);
    p_op(p, '(');
    for (int i = 0; i < t->ndim; i++) p_int(p, t->shape[i]);
    p_op(p, 't');
    p_op(p, '(');
    for (int i = 0; i < t->ndim; i++) p_int(p, t->stride[i]);
    p_op(p, 't');
    int nargs = t->nargs ? t->nargs : 6;
    if (nargs >= 6) {
        p_op(p, 0x89);
        p_ordered_dict(p);
    } else {
        p_op(p, 0x89);
    }
    if (nargs == 7) p_op(p, 'N');
    p_op(p, 't');
    p_op(p, 'R');
}

/* PROTO 2, OrderedDict(), MARK, (name, tensor)…, SETITEMS, STOP. */
static void p_state_dict(pbuf *p, const char *const *names, const tspec *specs, size_t n) {
    p_raw(p, "\x80\x02", 2);
    p_ordered_dict(p);
    p_op(p, '(');
    for (size_t i = 0; i < n; i++) {
        p_str(p, names[i]);
        p_tensor(p, &specs[i]);
    }
    p_op(p, 'u');
    p_op(p, '.');
}

static float g_storage[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; /* archive/data/0 */

/* A handle opened from a zip built in memory, with the bytes it points into. */
typedef struct opened {
    yoso_tensor_file *file;
    uint8_t *zip;
} opened;

/* Zips a pickle with archive/data/0 = g_storage, checks it with ref_open_exact, and on success
 * opens it again for the caller (who calls close_opened). */
static yoso_status open_pickle(const pbuf *p, opened *o) {
    zentry e[] = {{"archive/data.pkl", p->b, p->n},
                  {"archive/byteorder", "little", 6},
                  {"archive/data/0", g_storage, sizeof g_storage}};
    size_t size;
    o->file = NULL;
    o->zip = build_zip(e, 3, &size);
    yoso_status st = ref_open_exact(o->zip, size, 0);
    if (st == YOSO_OK) {
        assert_int_equal(yoso_tensor_file_open_memory(o->zip, size, &o->file), YOSO_OK);
    } else {
        free(o->zip);
        o->zip = NULL;
    }
    return st;
}

static void close_opened(opened *o) {
    yoso_tensor_file_close(o->file);
    free(o->zip);
    o->file = NULL;
    o->zip = NULL;
}

/* Opens a state dict of one tensor "t" described by spec, expecting a status and a fragment. */
static opened expect_tensor(const tspec *spec, yoso_status want, const char *fragment) {
    pbuf p = {0};
    const char *names[] = {"t"};
    p_state_dict(&p, names, spec, 1);
    opened o;
    yoso_status st = open_pickle(&p, &o);
    free(p.b);
    if (st != want)
        fail_msg("status %s, expected %s (%s)", yoso_status_string(st), yoso_status_string(want),
                 yoso_last_error());
    if (fragment) ref_assert_contains(yoso_last_error(), fragment);
    return o;
}

/* ------------------------------------------------------------ fixture files ---- */

/* The tiny model's torch.save file in each dtype equals the reference (all 28 entries, including
 * the tied decoder weight, which shares word_embeddings' storage). */
static void check_bin(const char *file, const char *ref_stem, const char *prefix) {
    ref_set r;
    ref_load(ref_stem, &r);
    yoso_tensor_file *f = ref_open_fixture(file);
    assert_int_equal(yoso_tensor_file_count(f), r.count);
    for (size_t i = 0; i < r.count; i++) {
        char name[300];
        snprintf(name, sizeof name, "%s%s", prefix, r.entries[i].name);
        const yoso_tensor_view *t = yoso_tensor_file_find(f, name);
        if (!t) fail_msg("%s: no tensor %s", file, name);
        ref_check_tensor(&r, &r.entries[i], t);
    }
    const yoso_tensor_view *word =
        yoso_tensor_file_find(f, "yoso.embeddings.word_embeddings.weight");
    const yoso_tensor_view *dec = yoso_tensor_file_find(f, "cls.predictions.decoder.weight");
    assert_ptr_equal(word->data, dec->data);
    /* The state dict's order is kept. */
    assert_string_equal(yoso_tensor_file_at(f, 0)->name, "yoso.embeddings.word_embeddings.weight");
    yoso_tensor_file_close(f);
    ref_release(&r);
}

static void test_bin_f32(void **state) {
    (void)state;
    check_bin("tiny_f32.bin", "reference_f32", "");
}

static void test_bin_f16(void **state) {
    (void)state;
    check_bin("tiny_f16.bin", "reference_f16", "");
}

static void test_bin_bf16(void **state) {
    (void)state;
    check_bin("tiny_bf16.bin", "reference_bf16", "");
}

static void test_bin_zip64(void **state) {
    (void)state;
    check_bin("tiny_f32_zip64.bin", "reference_f32", "");
}

/* .bin and .safetensors of the same model: same names, dtypes, shapes, bytes and float32 values. */
static void check_same(const char *bin, const char *st) {
    yoso_tensor_file *a = ref_open_fixture(bin), *b = ref_open_fixture(st);
    size_t n = yoso_tensor_file_count(b);
    assert_int_equal(n + 2, yoso_tensor_file_count(a)); /* + the tied decoder weight and bias */
    for (size_t i = 0; i < n; i++) {
        const yoso_tensor_view *s = yoso_tensor_file_at(b, i);
        const yoso_tensor_view *t = yoso_tensor_file_find(a, s->name);
        if (!t) fail_msg("%s lacks %s", bin, s->name);
        assert_int_equal(t->dtype, s->dtype);
        assert_int_equal(t->ndim, s->ndim);
        for (int d = 0; d < s->ndim; d++) assert_int_equal(t->shape[d], s->shape[d]);
        assert_int_equal(t->nbytes, s->nbytes);
        assert_memory_equal(t->data, s->data, s->nbytes);
        int64_t numel = yoso_tensor_numel(s);
        float *x = malloc((size_t)numel * sizeof *x), *y = malloc((size_t)numel * sizeof *y);
        assert_int_equal(yoso_tensor_to_f32(t, x), YOSO_OK);
        assert_int_equal(yoso_tensor_to_f32(s, y), YOSO_OK);
        assert_memory_equal(x, y, (size_t)numel * sizeof *x);
        free(x);
        free(y);
    }
    yoso_tensor_file_close(a);
    yoso_tensor_file_close(b);
}

static void test_bin_equals_safetensors(void **state) {
    (void)state;
    check_same("tiny_f32.bin", "tiny_f32.safetensors");
    check_same("tiny_f16.bin", "tiny_f16.safetensors");
    check_same("tiny_bf16.bin", "tiny_bf16.safetensors");
}

/* A base YosoModel's state dict: no prefix, the MLM model's encoder values. */
static void test_base_bin(void **state) {
    (void)state;
    ref_set r;
    ref_load("reference_f32", &r);
    yoso_tensor_file *f = ref_open_fixture("base_f32.bin");
    assert_int_equal(yoso_tensor_file_count(f), 21);
    for (size_t i = 0; i < 21; i++) {
        const yoso_tensor_view *t = yoso_tensor_file_at(f, i);
        char name[300];
        snprintf(name, sizeof name, "yoso.%s", t->name);
        const ref_entry *e = ref_find(&r, name);
        if (!e) fail_msg("unexpected %s", t->name);
        ref_check_tensor(&r, e, t);
    }
    yoso_tensor_file_close(f);
    ref_release(&r);
}

/* Transposed, sliced, offset, scalar, empty, broadcast, half, int and Parameter entries. */
static void test_views(void **state) {
    (void)state;
    ref_set r;
    ref_load("views_reference", &r);
    yoso_tensor_file *f = ref_open_fixture("views.bin");
    assert_int_equal(yoso_tensor_file_count(f), r.count);
    for (size_t i = 0; i < r.count; i++) {
        const yoso_tensor_view *t = yoso_tensor_file_find(f, r.entries[i].name);
        if (!t) fail_msg("no tensor %s", r.entries[i].name);
        ref_check_tensor(&r, &r.entries[i], t);
    }
    assert_int_equal(yoso_tensor_file_find(f, "half_transposed")->dtype, YOSO_DTYPE_F16);
    assert_int_equal(yoso_tensor_file_find(f, "bf16_column")->dtype, YOSO_DTYPE_BF16);
    assert_int_equal(yoso_tensor_file_find(f, "int64")->dtype, YOSO_DTYPE_I64);
    assert_int_equal(yoso_tensor_file_find(f, "int32_t")->dtype, YOSO_DTYPE_I32);
    assert_int_equal(yoso_tensor_file_find(f, "scalar")->ndim, 0);
    assert_int_equal(yoso_tensor_file_find(f, "empty")->nbytes, 0);
    /* "row" is w[7]: a contiguous view 7 rows into the storage that "transposed" also uses. */
    yoso_tensor_file_close(f);
    ref_release(&r);
}

static const bad_file k_bad[] = {
    {"foreign_global.bin", YOSO_ERR_INPUT,
     "refusing to load " YOSO_TEST_DATA
     "/loader/foreign_global.bin: the pickle names the global 'os.system', which is not part of a PyTorch state dict"},
    {"foreign_global_in_state_dict.bin", YOSO_ERR_INPUT, "global 'builtins.eval'"},
    {"truncated.bin", YOSO_ERR_INPUT, "no zip end-of-central-directory record"},
    {"truncated_tail.bin", YOSO_ERR_INPUT, "no zip end-of-central-directory record"},
    {"compressed.bin", YOSO_ERR_UNSUPPORTED, "is compressed (method 8), which is unsupported"},
    {"missing_storage.bin", YOSO_ERR_INPUT, "storage 'tiny_f32/data/3', which the zip does not"},
    {"short_storage.bin", YOSO_ERR_INPUT, "storage 'tiny_f32/data/3' holds 60 bytes, not the 16"},
    {"legacy.bin", YOSO_ERR_UNSUPPORTED, "legacy"},
    {"not_state_dict.bin", YOSO_ERR_INPUT, "entry 'epoch' is a int, not a tensor"},
    {"float64.bin", YOSO_ERR_INPUT, "torch.DoubleStorage"},
};

/* Every bad .bin fixture: status, path and problem; the foreign global is refused by name. */
static void test_bad_files(void **state) {
    (void)state;
    ref_check_bad_files(k_bad, sizeof k_bad / sizeof k_bad[0]);
}

/* Every prefix of a torch.save file is refused, never crashes. */
static void test_every_truncation(void **state) {
    (void)state;
    size_t size = 0;
    uint8_t *bytes = (uint8_t *)test_read_file(test_data_path("loader/tiny_f16.bin"), &size);
    assert_non_null(bytes);
    assert_int_equal(ref_open_exact(bytes, size, 0), YOSO_OK);
    for (size_t len = 0; len < size; len += (len + 400 < size ? 13 : 1))
        if (ref_open_exact(bytes, len, 0) == YOSO_OK) fail_msg("cut to %zu bytes, it opened", len);
    free(bytes);
}

/* Single-byte corruptions of the central directory and end records, and of data.pkl: whatever
 * the outcome, nothing crashes or reads outside the buffer. */
static void test_mutations(void **state) {
    (void)state;
    size_t size = 0;
    uint8_t *bytes = (uint8_t *)test_read_file(test_data_path("loader/tiny_f16.bin"), &size);
    assert_non_null(bytes);
    static const uint8_t values[] = {0x00, 0xff, 0x7f, 0x01};
    size_t rejected = 0, total = 0;
    /* The zip structure: everything after the last storage's data. */
    size_t cd = size;
    for (size_t i = size - 22; i > 0; i--)
        if (memcmp(bytes + i, "PK\x01\x02", 4) == 0) cd = i;
    assert_true(cd < size);
    for (size_t pos = cd; pos < size; pos++)
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t saved = bytes[pos];
            if (saved == values[v]) continue;
            bytes[pos] = values[v];
            rejected += ref_open_exact(bytes, size, 0) != YOSO_OK;
            total++;
            bytes[pos] = saved;
        }
    assert_true(rejected > 0 && total > 1000);
    /* data.pkl: the first entry; its size from its central record, its data after the local
     * header. */
    assert_memory_equal(bytes, "PK\x03\x04", 4);
    assert_memory_equal(bytes + cd + 46, "tiny_f16/data.pkl", 17);
    size_t nlen = bytes[26] | (bytes[27] << 8), xlen = bytes[28] | (bytes[29] << 8);
    size_t plen = bytes[cd + 24] | (bytes[cd + 25] << 8) | ((size_t)bytes[cd + 26] << 16);
    size_t start = 30 + nlen + xlen;
    assert_true(plen > 1000 && start + plen < cd);
    rejected = total = 0;
    for (size_t pos = start; pos < start + plen; pos++)
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t saved = bytes[pos];
            if (saved == values[v]) continue;
            bytes[pos] = values[v];
            rejected += ref_open_exact(bytes, size, 0) != YOSO_OK;
            total++;
            bytes[pos] = saved;
        }
    assert_true(rejected > 0 && total > 3 * plen);
    free(bytes);
}

/* ------------------------------------------------------------ hand-made pickles ---- */

/* Well-formed one-tensor state dicts open; contiguous views point into the zip, strided ones
 * are gathered into buffers the handle owns. */
static void test_pickle_positive_controls(void **state) {
    (void)state;
    float v[12];
    tspec c = {"FloatStorage", "0", 12, 0, 2, {3, 4}, {4, 1}, 0};
    opened o = expect_tensor(&c, YOSO_OK, NULL);
    const yoso_tensor_view *t = yoso_tensor_file_find(o.file, "t");
    assert_int_equal(yoso_tensor_to_f32(t, v), YOSO_OK);
    assert_memory_equal(v, g_storage, sizeof v);
    assert_memory_equal(t->data, g_storage, sizeof g_storage);
    close_opened(&o);

    tspec tr = {"FloatStorage", "0", 12, 0, 2, {4, 3}, {1, 4}, 7}; /* transposed, 7 args */
    o = expect_tensor(&tr, YOSO_OK, NULL);
    assert_int_equal(yoso_tensor_to_f32(yoso_tensor_file_find(o.file, "t"), v), YOSO_OK);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) assert_true(v[i * 3 + j] == g_storage[j * 4 + i]);
    close_opened(&o);

    tspec off = {"FloatStorage", "0", 12, 3, 1, {5}, {2}, 0}; /* 3, 5, 7, 9, 11 */
    o = expect_tensor(&off, YOSO_OK, NULL);
    assert_int_equal(yoso_tensor_to_f32(yoso_tensor_file_find(o.file, "t"), v), YOSO_OK);
    for (int i = 0; i < 5; i++) assert_true(v[i] == 3.0f + 2.0f * (float)i);
    close_opened(&o);

    tspec row = {"FloatStorage", "0", 12, 8, 1, {4}, {1}, 0}; /* contiguous, offset 8 */
    o = expect_tensor(&row, YOSO_OK, NULL);
    assert_memory_equal(yoso_tensor_file_find(o.file, "t")->data, g_storage + 8, 16);
    close_opened(&o);

    tspec bcast = {"FloatStorage", "0", 12, 1, 2, {3, 2}, {0, 1}, 0}; /* [[1, 2]] * 3 */
    o = expect_tensor(&bcast, YOSO_OK, NULL);
    assert_int_equal(yoso_tensor_to_f32(yoso_tensor_file_find(o.file, "t"), v), YOSO_OK);
    for (int i = 0; i < 3; i++) assert_true(v[2 * i] == 1.0f && v[2 * i + 1] == 2.0f);
    close_opened(&o);

    tspec empty = {"FloatStorage", "0", 12, 500, 2, {0, 7}, {7, 1}, 0};
    o = expect_tensor(&empty, YOSO_OK, NULL);
    assert_int_equal(yoso_tensor_file_find(o.file, "t")->nbytes, 0);
    close_opened(&o);

    tspec as_int = {"IntStorage", "0", 12, 0, 1, {12}, {1}, 0};
    o = expect_tensor(&as_int, YOSO_OK, NULL);
    assert_int_equal(yoso_tensor_file_find(o.file, "t")->dtype, YOSO_DTYPE_I32);
    close_opened(&o);
}

/* Storage references and views that do not fit are refused by name. */
static void test_pickle_bad_views(void **state) {
    (void)state;
    static const struct {
        tspec spec;
        const char *fragment;
    } cases[] = {
        {{"FloatStorage", "0", 12, 4, 1, {5}, {2}, 0}, "reaches past the end of its storage"},
        {{"FloatStorage", "0", 12, 0, 2, {4, 4}, {4, 1}, 0}, "reaches past the end"},
        {{"FloatStorage", "0", 12, 0, 1, {3}, {-1}, 0}, "wrong types"},
        {{"FloatStorage", "0", 12, -1, 1, {3}, {1}, 0}, "wrong types"},
        {{"FloatStorage", "0", 12, 0, 1, {-3}, {1}, 0}, "wrong types"},
        {{"FloatStorage", "0", 12, 0, 1, {5}, {INT64_C(1) << 62}, 0}, "strides overflow"},
        {{"FloatStorage", "0", 12, 0, 2, {INT64_C(1) << 40, INT64_C(1) << 40}, {0, 0}, 0},
         "element count overflows"},
        {{"FloatStorage", "0", 12, 0, 2, {INT64_C(1) << 30, INT64_C(1) << 20}, {0, 0}, 0},
         "more than the file holds"},
        {{"FloatStorage", "0", 13, 0, 1, {3}, {1}, 0}, "holds 48 bytes, not the 13 elements"},
        {{"HalfStorage", "0", 12, 0, 1, {3}, {1}, 0}, "holds 48 bytes, not the 12 elements of F16"},
        {{"FloatStorage", "0", -12, 0, 1, {3}, {1}, 0}, "bad key, location or size"},
        {{"FloatStorage", "7", 12, 0, 1, {3}, {1}, 0}, "storage 'archive/data/7', which the zip"},
        {{"FloatStorage", "0", 12, 0, 1, {3}, {1}, 5}, "takes 6 or 7 arguments"},
        {{"DoubleStorage", "0", 6, 0, 1, {3}, {1}, 0}, "torch.DoubleStorage tensor"},
        {{"UntypedStorage", "0", 6, 0, 1, {3}, {1}, 0}, "torch.UntypedStorage tensor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_null(expect_tensor(&cases[i].spec, YOSO_ERR_INPUT, cases[i].fragment).file);
    /* A 9-dimensional tensor. */
    tspec nine = {"FloatStorage", "0", 12, 0, 4, {1, 1, 1, 1}, {1, 1, 1, 1}, 0};
    pbuf p = {0};
    p_raw(&p, "\x80\x02", 2);
    p_ordered_dict(&p);
    p_str(&p, "t");
    p_global(&p, "torch._utils", "_rebuild_tensor_v2");
    p_op(&p, '(');
    p_op(&p, '(');
    p_str(&p, "storage");
    p_global(&p, "torch", nine.storage_type);
    p_str(&p, "0");
    p_str(&p, "cpu");
    p_int(&p, 12);
    p_op(&p, 't');
    p_op(&p, 'Q');
    p_int(&p, 0);
    for (int k = 0; k < 2; k++) {
        p_op(&p, '(');
        for (int d = 0; d < 9; d++) p_int(&p, 1);
        p_op(&p, 't');
    }
    p_op(&p, 0x89);
    p_ordered_dict(&p);
    p_op(&p, 't');
    p_op(&p, 'R');
    p_op(&p, 's');
    p_op(&p, '.');
    opened o;
    assert_int_equal(open_pickle(&p, &o), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "wrong types");
    free(p.b);
}

/* Raw pickles: structure errors, foreign globals, resource bombs. */
static void test_pickle_structure(void **state) {
    (void)state;
    static const struct {
        const char *bytes; /* octal \002 where a hex escape would swallow the letter after it */
        size_t len;
        const char *fragment;
    } cases[] = {
        {"", 0, "ends without STOP"},
        {"\x80\x02.", 3, "stack underflow"},
        {"\x80\x06}.", 4, "unsupported pickle protocol"},
        {"\x80\x02h\x05.", 5, "never stored"},
        {"\x80\x02}q\x07.", 6, "skips ahead"},
        {"\x80\x02X\xff\xff\xff\xff", 7, "runs past the end"},
        {"\x80\x02X\x03\x00\x00\000ab", 9, "runs past the end"},
        {"\x80\x02I1\n.", 6, "opcode 0x49"},
        {"\x80\002cos", 5, "no end of line"},
        {"\x80\002cposix\nsystem\n.", 16, "'posix.system'"},
        {"\x80\x02\x8c\x02os\x8c\x06system\x93.", 16, "'os.system'"},
        {"\x80\002c__builtin__\ngetattr\n.", 23, "'__builtin__.getattr'"},
        {"\x80\002ctorch\nload\n.", 15, "'torch.load'"},
        {"\x80\002ccollections\nOrderedDict\n(K\x01tR.", 32, "built with arguments"},
        {"\x80\x02K\x05.", 5, "holds a int, not a state dict"},
        {"\x80\x02}K\x01K\x02s.", 9, "key is a int, not a string"},
        {"\x80\x02}X\x01\x00\x00\000aK\x02s.", 13, "entry 'a' is a int, not a tensor"},
        {"\x80\x02}(K\x01u.", 7, "odd number"},
        {"\x80\x02K\x00K\x01K\x02s.", 10, "SETITEM on something that is not a dict"},
        {"\x80\x02K\x01K\x02s.", 8, "stack underflow in SETITEMS"},
        {"\x80\x02}(}.", 6, "MARK still open"},
        {"\x80\x02}(.", 5, "stack underflow"},
        {"\x80\x02\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09.", 14, "wider than 64 bits"},
        {"\x80\x02}K\001b.", 7, "BUILD on something other"},
        {"\x80\x02K\x01R.", 6, "stack underflow"},
        {"\x80\x02K\x01)R.", 7, "REDUCE needs a global"},
        {"\x80\002ctorch\nFloatStorage\n)R.", 25, "called like a function"},
        {"\x80\x02(K\x01Q.", 7, "not a 5-tuple"},
        {"\x80\x02t.", 4, "none is open"},
        {"\x80\x02\x85.", 4, "stack underflow building a tuple"},
        {"\x80\x02]K\001a}b.", 9, "BUILD on something other"},
        {"\x80\x02}X\x01\x00\x00\000a}s}b.", 14, "entry 'a' is a dict"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pbuf p = {0};
        p_raw(&p, cases[i].bytes, cases[i].len);
        opened o;
        yoso_status st = open_pickle(&p, &o);
        if (st != YOSO_ERR_INPUT)
            fail_msg("case %zu: status %s (%s)", i, yoso_status_string(st), yoso_last_error());
        ref_assert_contains(yoso_last_error(), cases[i].fragment);
        free(p.b);
    }
}

/* A state dict with _metadata BUILD state, a Parameter, and a duplicate key. */
static void test_pickle_state_dict_forms(void **state) {
    (void)state;
    tspec t = {"FloatStorage", "0", 12, 0, 1, {12}, {1}, 0};
    pbuf p = {0};
    p_raw(&p, "\x80\x02", 2);
    p_ordered_dict(&p);
    p_op(&p, 'q'), p_op(&p, 0);
    p_str(&p, "w");
    p_global(&p, "torch._utils", "_rebuild_parameter");
    p_op(&p, '(');
    p_tensor(&p, &t);
    p_op(&p, 0x88);
    p_ordered_dict(&p);
    p_op(&p, 't');
    p_op(&p, 'R');
    p_op(&p, 's');
    p_op(&p, '}'); /* state: {'_metadata': OrderedDict({'': {'version': 1}})} */
    p_str(&p, "_metadata");
    p_ordered_dict(&p);
    p_str(&p, "");
    p_op(&p, '}');
    p_str(&p, "version");
    p_raw(&p, "K\x01", 2);
    p_op(&p, 's');
    p_op(&p, 's');
    p_op(&p, 's');
    p_op(&p, 'b');
    p_op(&p, '.');
    opened o;
    assert_int_equal(open_pickle(&p, &o), YOSO_OK);
    assert_int_equal(yoso_tensor_file_count(o.file), 1);
    assert_non_null(yoso_tensor_file_find(o.file, "w"));
    close_opened(&o);
    free(p.b);

    pbuf d = {0};
    const char *names[] = {"x", "x"};
    tspec two[] = {t, t};
    p_state_dict(&d, names, two, 2);
    assert_int_equal(open_pickle(&d, &o), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "tensor 'x' appears twice");
    free(d.b);
}

/* Nesting, object and memo bombs stop at their limits with a message, not at memory exhaustion. */
static void test_pickle_bombs(void **state) {
    (void)state;
    pbuf p = {0};
    p_raw(&p, "\x80\x02", 2);
    for (int i = 0; i < 100000; i++) p_op(&p, '(');
    p_op(&p, '.');
    opened o;
    assert_int_equal(open_pickle(&p, &o), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "MARKs nested too deeply");
    free(p.b);

    pbuf q = {0};
    p_raw(&q, "\x80\x02", 2);
    for (int i = 0; i < (1 << 21) + 8; i++) p_op(&q, '}');
    p_op(&q, '.');
    assert_int_equal(open_pickle(&q, &o), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "more objects than a state dict holds");
    free(q.b);

    pbuf r = {0};
    p_raw(&r, "\x80\x02N", 3);
    for (int i = 0; i < (1 << 23) / 4 + 8; i++) p_raw(&r, "\x94h\x00", 3); /* MEMOIZE, BINGET */
    p_op(&r, '.');
    assert_int_equal(open_pickle(&r, &o), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "more memo entries than a state dict needs");
    free(r.b);
}

/* Zip-level problems: no data.pkl, no archive folder, big-endian byte order. */
static void test_zip_layouts(void **state) {
    (void)state;
    size_t size;
    zentry no_pkl[] = {{"archive/version", "3\n", 2}};
    uint8_t *zip = build_zip(no_pkl, 1, &size);
    assert_int_equal(ref_open_exact(zip, size, 0), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "has no archive/data.pkl");
    free(zip);
    zentry flat[] = {{"data.pkl", "\x80\x02}.", 4}};
    zip = build_zip(flat, 1, &size);
    assert_int_equal(ref_open_exact(zip, size, 0), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "archive/ folder");
    free(zip);
    zentry big[] = {{"a/data.pkl", "\x80\x02}.", 4}, {"a/byteorder", "big", 3}};
    zip = build_zip(big, 2, &size);
    assert_int_equal(ref_open_exact(zip, size, 0), YOSO_ERR_UNSUPPORTED);
    ref_assert_contains(yoso_last_error(), "big-endian");
    free(zip);
    zentry ok[] = {{"a/data.pkl", "\x80\x02}.", 4}, {"a/byteorder", "little", 6}};
    zip = build_zip(ok, 2, &size);
    assert_int_equal(ref_open_exact(zip, size, 0), YOSO_OK); /* an empty state dict */
    free(zip);
    zentry twice[] = {{"a/data.pkl", "\x80\x02}.", 4}, {"a/data.pkl", "\x80\x02}.", 4}};
    zip = build_zip(twice, 2, &size);
    assert_int_equal(ref_open_exact(zip, size, 0), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "appears twice");
    free(zip);
    assert_int_equal(ref_open_exact((const uint8_t *)"PK\x05\x06", 4, 0), YOSO_ERR_INPUT);
    assert_int_equal(ref_open_exact((const uint8_t *)"PK\x03\x04", 4, 0), YOSO_ERR_INPUT);
    ref_assert_contains(yoso_last_error(), "too short for a zip");
}

TEST_MAIN(NULL, NULL, test_bin_f32, test_bin_f16, test_bin_bf16, test_bin_zip64,
          test_bin_equals_safetensors, test_base_bin, test_views, test_bad_files,
          test_every_truncation, test_mutations, test_pickle_positive_controls,
          test_pickle_bad_views, test_pickle_structure, test_pickle_state_dict_forms,
          test_pickle_bombs, test_zip_layouts)

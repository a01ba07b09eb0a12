/* torch_pickle.c — reads torch.save(state_dict) zips: a restricted unpickler that understands
 * exactly the opcodes and globals a PyTorch state dict uses, and never executes anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tensor_file_internal.h"

#define PK_MAX_MARKS 256          /* nested MARKs; torch.save needs 3 */
#define PK_MAX_OBJECTS (1u << 21) /* objects (and memo slots); a tensor costs about 12 */
#define PK_MAX_PUSHES (1u << 23)  /* stack pushes; bounds the stack, tuples, dicts and lists */
#define PK_MAX_GLOBAL_LINE 256
#define PK_MAX_STORAGE_KEY 256

typedef enum pk_kind {
    PK_NONE,
    PK_BOOL,
    PK_INT,
    PK_STR,
    PK_TUPLE,
    PK_LIST,
    PK_DICT,
    PK_GLOBAL,
    PK_STORAGE,
    PK_TENSOR
} pk_kind;

static const char *const k_kind_names[] = {
    "None", "bool", "int", "str", "tuple", "list", "dict", "global", "storage", "tensor",
};

typedef enum pk_global {
    PK_G_ORDERED_DICT,
    PK_G_REBUILD_TENSOR,
    PK_G_REBUILD_PARAMETER,
    PK_G_STORAGE
} pk_global;

/* One unpickled object. Objects are referenced by index so the table can grow. */
typedef struct pk_obj {
    uint8_t kind; /* pk_kind */
    uint8_t tag;  /* PK_GLOBAL: pk_global; PK_STORAGE and storage globals: yoso_dtype */
    uint32_t len; /* PK_STR: bytes; PK_TUPLE: items; PK_GLOBAL: pk_global */
    union {
        int64_t i;           /* PK_BOOL, PK_INT */
        const char *s;       /* PK_STR: points into the pickle */
        uint32_t first;      /* PK_TUPLE: first item in vm->refs */
        uint32_t seq;        /* PK_LIST, PK_DICT: index into vm->seqs */
        const uint8_t *data; /* PK_STORAGE: the zip entry's bytes */
        uint32_t tensor;     /* PK_TENSOR: index into vm->tensors */
    } u;
    uint64_t numel; /* PK_STORAGE: elements */
} pk_obj;

/* A mutable list or dict: dicts hold key, value pairs flattened. */
typedef struct pk_seq {
    uint32_t *items;
    size_t count, cap;
} pk_seq;

/* The machine's state; every array grows on demand and is bounded by the pickle's length. */
typedef struct pk_vm {
    yoso_tensor_file *file;
    const yoso_zip *zip;
    const char *prefix;
    const uint8_t *pkl;
    size_t len, pos, op_pos; /* op_pos: where the current opcode started, for messages */
    pk_obj *objs;
    size_t nobjs, objs_cap;
    uint32_t *stack;
    size_t depth, stack_cap, pushes;
    size_t marks[PK_MAX_MARKS];
    size_t nmarks;
    uint32_t *memo;
    size_t nmemo, memo_cap;
    uint32_t *refs; /* tuple items */
    size_t nrefs, refs_cap;
    pk_seq *seqs;
    size_t nseqs, seqs_cap;
    yoso_tensor_view *tensors; /* names unset until the final dict is walked */
    size_t ntensors, tensors_cap;
} pk_vm;

/* Reports a malformed pickle at the current opcode. */
static yoso_status pk_fail(pk_vm *vm, const char *what) {
    return yoso_error(
        YOSO_ERR_INPUT,
        "%s: data.pkl byte %zu: %s: the checkpoint is corrupt or not a torch.save(state_dict) file",
        vm->file->label, vm->op_pos, what);
}

/* Grows *ptr (elements of elem bytes) so that it holds at least need elements. */
static int pk_grow(void **ptr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 1;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem) return 0;
        n *= 2;
    }
    void *p = realloc(*ptr, n * elem);
    if (!p) return 0;
    *ptr = p;
    *cap = n;
    return 1;
}

/* Allocates a new object of a kind; returns its index in *out. */
static yoso_status pk_new(pk_vm *vm, pk_kind kind, uint32_t *out) {
    if (vm->nobjs >= PK_MAX_OBJECTS) return pk_fail(vm, "more objects than a state dict holds");
    if (!pk_grow((void **)&vm->objs, &vm->objs_cap, vm->nobjs + 1, sizeof *vm->objs))
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                          vm->file->label);
    memset(&vm->objs[vm->nobjs], 0, sizeof *vm->objs);
    vm->objs[vm->nobjs].kind = (uint8_t)kind;
    *out = (uint32_t)vm->nobjs++;
    return YOSO_OK;
}

/* Pushes an object index on the stack. */
static yoso_status pk_push(pk_vm *vm, uint32_t obj) {
    if (++vm->pushes > PK_MAX_PUSHES) return pk_fail(vm, "more work than a state dict needs");
    if (!pk_grow((void **)&vm->stack, &vm->stack_cap, vm->depth + 1, sizeof *vm->stack))
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                          vm->file->label);
    vm->stack[vm->depth++] = obj;
    return YOSO_OK;
}

/* Creates and pushes a new object; *out (may be NULL) receives it. */
static yoso_status pk_push_new(pk_vm *vm, pk_kind kind, pk_obj **out) {
    uint32_t idx = 0; /* set by pk_new on success (GCC -O3 cannot tell) */
    yoso_status st = pk_new(vm, kind, &idx);
    if (st == YOSO_OK) st = pk_push(vm, idx);
    if (out) *out = st == YOSO_OK ? &vm->objs[idx] : NULL;
    return st;
}

/* Pops the top object into *out, refusing to cross the innermost MARK. */
static yoso_status pk_pop(pk_vm *vm, uint32_t *out) {
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    if (vm->depth <= floor) return pk_fail(vm, "stack underflow");
    *out = vm->stack[--vm->depth];
    return YOSO_OK;
}

/* Pops the two topmost objects (*below, then *top: the last pushed), failing with `need` unless
 * they are of these kinds. */
static yoso_status pk_pop2(pk_vm *vm, pk_kind below_kind, pk_kind top_kind, const char *need,
                           const pk_obj **below, const pk_obj **top) {
    uint32_t a = 0, b = 0;
    yoso_status st = pk_pop(vm, &b);
    if (st == YOSO_OK) st = pk_pop(vm, &a);
    if (st != YOSO_OK) return st;
    *below = &vm->objs[a];
    *top = &vm->objs[b];
    if ((*below)->kind != below_kind || (*top)->kind != top_kind) return pk_fail(vm, need);
    return YOSO_OK;
}

/* Reads n bytes of operand, failing if the pickle ends first. */
static yoso_status pk_take(pk_vm *vm, size_t n, const uint8_t **out) {
    if (n > vm->len - vm->pos) return pk_fail(vm, "the pickle ends inside an opcode");
    *out = vm->pkl + vm->pos;
    vm->pos += n;
    return YOSO_OK;
}

/* Reads an unsigned little-endian integer of n ≤ 8 bytes. */
static yoso_status pk_take_uint(pk_vm *vm, size_t n, uint64_t *out) {
    const uint8_t *p = NULL;
    yoso_status st = pk_take(vm, n, &p);
    if (st != YOSO_OK) return st;
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    *out = v;
    return YOSO_OK;
}

/* Allocates a list or dict and pushes it. */
static yoso_status pk_push_seq(pk_vm *vm, pk_kind kind) {
    if (!pk_grow((void **)&vm->seqs, &vm->seqs_cap, vm->nseqs + 1, sizeof *vm->seqs))
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                          vm->file->label);
    pk_obj *o;
    yoso_status st = pk_push_new(vm, kind, &o);
    if (st != YOSO_OK) return st;
    memset(&vm->seqs[vm->nseqs], 0, sizeof *vm->seqs);
    o->u.seq = (uint32_t)vm->nseqs++;
    return YOSO_OK;
}

/* Appends count object indices to a list or dict. */
static yoso_status pk_seq_append(pk_vm *vm, uint32_t seq, const uint32_t *items, size_t count) {
    pk_seq *s = &vm->seqs[seq];
    if (count == 0) return YOSO_OK;
    if (!pk_grow((void **)&s->items, &s->cap, s->count + count, sizeof *s->items))
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                          vm->file->label);
    memcpy(s->items + s->count, items, count * sizeof *items);
    s->count += count;
    return YOSO_OK;
}

/* Builds a tuple from the top n stack items (n ≤ depth above the mark) and pushes it. */
static yoso_status pk_make_tuple(pk_vm *vm, size_t n) {
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    if (vm->depth - floor < n) return pk_fail(vm, "stack underflow building a tuple");
    if (!pk_grow((void **)&vm->refs, &vm->refs_cap, vm->nrefs + n, sizeof *vm->refs))
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                          vm->file->label);
    uint32_t first = (uint32_t)vm->nrefs;
    if (n) memcpy(vm->refs + vm->nrefs, vm->stack + vm->depth - n, n * sizeof *vm->refs);
    vm->nrefs += n;
    vm->depth -= n;
    pk_obj *o;
    yoso_status st = pk_push_new(vm, PK_TUPLE, &o);
    if (st != YOSO_OK) return st;
    o->u.first = first;
    o->len = (uint32_t)n;
    return YOSO_OK;
}

/* Pops the innermost MARK and returns how many items sit above it. */
static yoso_status pk_pop_mark(pk_vm *vm, size_t *count) {
    if (vm->nmarks == 0) return pk_fail(vm, "an opcode needs a MARK but none is open");
    size_t mark = vm->marks[--vm->nmarks];
    *count = vm->depth - mark;
    return YOSO_OK;
}

/* Copies text into buf for a message, replacing anything but printable ASCII with '?'. */
static void pk_printable(const char *s, size_t n, char *buf, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n > 0 && k + 4 >= cap && k < n) {
        buf[k++] = '.';
        buf[k++] = '.';
        buf[k++] = '.';
    }
    buf[k] = '\0';
}

/* Resolves module.name against the allow list and pushes the global, or refuses it. */
static yoso_status pk_push_global(pk_vm *vm, const char *mod, size_t mlen, const char *name,
                                  size_t nlen) {
    static const struct {
        const char *module, *name;
        pk_global global;
        yoso_dtype dtype;
    } k_allowed[] = {
        {"collections", "OrderedDict", PK_G_ORDERED_DICT, YOSO_DTYPE_F32},
        {"torch._utils", "_rebuild_tensor_v2", PK_G_REBUILD_TENSOR, YOSO_DTYPE_F32},
        {"torch._utils", "_rebuild_parameter", PK_G_REBUILD_PARAMETER, YOSO_DTYPE_F32},
        {"torch", "FloatStorage", PK_G_STORAGE, YOSO_DTYPE_F32},
        {"torch", "HalfStorage", PK_G_STORAGE, YOSO_DTYPE_F16},
        {"torch", "BFloat16Storage", PK_G_STORAGE, YOSO_DTYPE_BF16},
        {"torch", "LongStorage", PK_G_STORAGE, YOSO_DTYPE_I64},
        {"torch", "IntStorage", PK_G_STORAGE, YOSO_DTYPE_I32},
    };
    for (size_t i = 0; i < sizeof k_allowed / sizeof k_allowed[0]; i++) {
        if (strlen(k_allowed[i].module) != mlen || memcmp(k_allowed[i].module, mod, mlen) != 0 ||
            strlen(k_allowed[i].name) != nlen || memcmp(k_allowed[i].name, name, nlen) != 0)
            continue;
        pk_obj *o;
        yoso_status st = pk_push_new(vm, PK_GLOBAL, &o);
        if (st != YOSO_OK) return st;
        o->tag = (uint8_t)(k_allowed[i].global == PK_G_STORAGE ? k_allowed[i].dtype : 0);
        o->len = k_allowed[i].global;
        return YOSO_OK;
    }
    char m[128], n[128];
    pk_printable(mod, mlen, m, sizeof m);
    pk_printable(name, nlen, n, sizeof n);
    if (mlen == 5 && memcmp(mod, "torch", 5) == 0 && nlen > 7 &&
        memcmp(name + nlen - 7, "Storage", 7) == 0)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the checkpoint holds a torch.%s tensor, a dtype yoso-cl does not load (F32, F16, BF16, I64, I32): convert it to float32",
            vm->file->label, n);
    return yoso_error(
        YOSO_ERR_INPUT,
        "refusing to load %s: the pickle names the global '%s.%s', which is not part of a PyTorch state dict",
        vm->file->label, m, n);
}

/* GLOBAL: "module\nname\n" as text operands. */
static yoso_status pk_op_global(pk_vm *vm) {
    const char *line[2];
    size_t lens[2];
    for (int k = 0; k < 2; k++) {
        const uint8_t *start = vm->pkl + vm->pos;
        size_t avail = vm->len - vm->pos;
        if (avail > PK_MAX_GLOBAL_LINE) avail = PK_MAX_GLOBAL_LINE;
        const uint8_t *nl = memchr(start, '\n', avail);
        if (!nl) return pk_fail(vm, "a GLOBAL operand has no end of line");
        line[k] = (const char *)start;
        lens[k] = (size_t)(nl - start);
        vm->pos += lens[k] + 1;
    }
    return pk_push_global(vm, line[0], lens[0], line[1], lens[1]);
}

/* STACK_GLOBAL: module and name as the two topmost strings. */
static yoso_status pk_op_stack_global(pk_vm *vm) {
    const pk_obj *m = NULL, *n = NULL;
    yoso_status st = pk_pop2(vm, PK_STR, PK_STR, "STACK_GLOBAL needs two strings", &m, &n);
    if (st != YOSO_OK) return st;
    return pk_push_global(vm, m->u.s, m->len, n->u.s, n->len);
}

/* Pushes a string of n bytes read from the operand. */
static yoso_status pk_op_string(pk_vm *vm, uint64_t n) {
    const uint8_t *p = NULL;
    if (n > vm->len - vm->pos) return pk_fail(vm, "a string runs past the end of the pickle");
    yoso_status st = pk_take(vm, (size_t)n, &p);
    pk_obj *o;
    if (st == YOSO_OK) st = pk_push_new(vm, PK_STR, &o);
    if (st != YOSO_OK) return st;
    o->u.s = (const char *)p;
    o->len = (uint32_t)n;
    return YOSO_OK;
}

/* Pushes an integer. */
static yoso_status pk_push_int(pk_vm *vm, pk_kind kind, int64_t v) {
    pk_obj *o;
    yoso_status st = pk_push_new(vm, kind, &o);
    if (st == YOSO_OK) o->u.i = v;
    return st;
}

/* LONG1: a little-endian two's-complement integer of up to 8 bytes. */
static yoso_status pk_op_long1(pk_vm *vm) {
    uint64_t n = 0, v = 0;
    yoso_status st = pk_take_uint(vm, 1, &n);
    if (st != YOSO_OK) return st;
    if (n > 8) return pk_fail(vm, "an integer wider than 64 bits");
    if (n == 0) return pk_push_int(vm, PK_INT, 0);
    st = pk_take_uint(vm, (size_t)n, &v);
    if (st != YOSO_OK) return st;
    if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~(uint64_t)0 << (8 * n); /* sign-extend */
    return pk_push_int(vm, PK_INT, (int64_t)v);
}

/* The object at index i of a tuple. */
static const pk_obj *pk_item(const pk_vm *vm, const pk_obj *tuple, size_t i) {
    return &vm->objs[vm->refs[tuple->u.first + i]];
}

/* BINPERSID: ('storage', StorageType, key, location, numel) → the zip entry data/<key>. */
static yoso_status pk_op_persid(pk_vm *vm) {
    uint32_t pid = 0;
    yoso_status st = pk_pop(vm, &pid);
    if (st != YOSO_OK) return st;
    const pk_obj *t = &vm->objs[pid];
    if (t->kind != PK_TUPLE || t->len != 5) return pk_fail(vm, "a persistent id is not a 5-tuple");
    const pk_obj *tag = pk_item(vm, t, 0), *type = pk_item(vm, t, 1), *key = pk_item(vm, t, 2);
    const pk_obj *loc = pk_item(vm, t, 3), *numel = pk_item(vm, t, 4);
    if (tag->kind != PK_STR || tag->len != 7 || memcmp(tag->u.s, "storage", 7) != 0)
        return pk_fail(vm, "a persistent id is not a 'storage' reference");
    if (type->kind != PK_GLOBAL || type->len != PK_G_STORAGE)
        return pk_fail(vm, "a storage reference does not name a storage type");
    if (key->kind != PK_STR || key->len == 0 || key->len > PK_MAX_STORAGE_KEY ||
        loc->kind != PK_STR || numel->kind != PK_INT || numel->u.i < 0)
        return pk_fail(vm, "a storage reference has a bad key, location or size");
    char name[2 * PK_MAX_STORAGE_KEY + 64];
    size_t plen = strlen(vm->prefix);
    if (plen + 6 + key->len >= sizeof name) return pk_fail(vm, "a storage key is too long");
    memcpy(name, vm->prefix, plen);
    memcpy(name + plen, "/data/", 6);
    memcpy(name + plen + 6, key->u.s, key->len);
    size_t nlen = plen + 6 + key->len;
    const yoso_zip_entry *e = yoso_zip_find(vm->zip, name, nlen);
    char shown[PK_MAX_STORAGE_KEY + 8];
    pk_printable(name, nlen, shown, sizeof shown);
    if (!e)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the pickle refers to storage '%s', which the zip does not hold: the file is truncated or corrupt",
            vm->file->label, shown);
    yoso_dtype dtype = (yoso_dtype)type->tag;
    uint64_t es = yoso_dtype_size(dtype), n = (uint64_t)numel->u.i;
    if (n > e->size / es || n * es != e->size)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: storage '%s' holds %llu bytes, not the %llu elements of %s the pickle declares: the file is corrupt",
            vm->file->label, shown, (unsigned long long)e->size, (unsigned long long)n,
            yoso_dtype_name(dtype));
    pk_obj *o;
    st = pk_push_new(vm, PK_STORAGE, &o);
    if (st != YOSO_OK) return st;
    o->tag = (uint8_t)dtype;
    o->u.data = e->data;
    o->numel = n;
    return YOSO_OK;
}

/* Reads a tuple of non-negative ints (a size or a stride) into out. */
static int pk_int_tuple(const pk_vm *vm, const pk_obj *t, int64_t *out, int *n) {
    if (t->kind != PK_TUPLE || t->len > YOSO_TENSOR_MAX_DIMS) return 0;
    for (uint32_t i = 0; i < t->len; i++) {
        const pk_obj *v = pk_item(vm, t, i);
        if (v->kind != PK_INT || v->u.i < 0) return 0;
        out[i] = v->u.i;
    }
    *n = (int)t->len;
    return 1;
}

/* Copies a strided view element by element into dst (C order). */
static void pk_gather(const uint8_t *src, size_t es, int ndim, const int64_t *shape,
                      const int64_t *stride, int64_t numel, uint8_t *dst) {
    int64_t idx[YOSO_TENSOR_MAX_DIMS] = {0};
    for (int64_t k = 0; k < numel; k++) {
        int64_t off = 0;
        for (int d = 0; d < ndim; d++) off += idx[d] * stride[d];
        memcpy(dst + (size_t)k * es, src + (size_t)off * es, es);
        for (int d = ndim - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) break;
            idx[d] = 0;
        }
    }
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]). */
static yoso_status pk_rebuild_tensor(pk_vm *vm, const pk_obj *args) {
    if (args->len != 6 && args->len != 7)
        return pk_fail(vm, "_rebuild_tensor_v2 takes 6 or 7 arguments");
    const pk_obj *storage = pk_item(vm, args, 0), *offset = pk_item(vm, args, 1);
    const pk_obj *grad = pk_item(vm, args, 4), *hooks = pk_item(vm, args, 5);
    int64_t shape[YOSO_TENSOR_MAX_DIMS], stride[YOSO_TENSOR_MAX_DIMS];
    int ndim = 0, nstride = 0;
    if (storage->kind != PK_STORAGE || offset->kind != PK_INT || offset->u.i < 0 ||
        !pk_int_tuple(vm, pk_item(vm, args, 2), shape, &ndim) ||
        !pk_int_tuple(vm, pk_item(vm, args, 3), stride, &nstride) || ndim != nstride ||
        grad->kind != PK_BOOL || hooks->kind != PK_DICT ||
        (args->len == 7 && pk_item(vm, args, 6)->kind != PK_DICT &&
         pk_item(vm, args, 6)->kind != PK_NONE))
        return pk_fail(vm, "_rebuild_tensor_v2 has arguments of the wrong types");
    yoso_dtype dtype = (yoso_dtype)storage->tag;
    size_t es = yoso_dtype_size(dtype);
    int64_t numel = yoso_shape_numel(ndim, shape);
    if (numel < 0) return pk_fail(vm, "a tensor's element count overflows");
    const uint8_t *data = storage->u.data;
    size_t nbytes = 0;
    int contiguous = 1;
    if (numel > 0) {
        /* The last element's offset must lie inside the storage. */
        uint64_t last = (uint64_t)offset->u.i, expect = 1;
        for (int d = ndim - 1; d >= 0; d--) {
            uint64_t span = (uint64_t)(shape[d] - 1), st = (uint64_t)stride[d];
            if (st != 0 && span > (UINT64_MAX - last) / st)
                return pk_fail(vm, "a tensor's strides overflow");
            last += span * st;
            if (shape[d] != 1 && (uint64_t)stride[d] != expect) contiguous = 0;
            expect *= (uint64_t)shape[d]; /* ≤ numel, which fits */
        }
        if (last >= storage->numel)
            return pk_fail(vm, "a tensor view reaches past the end of its storage");
        if ((uint64_t)numel > SIZE_MAX / es) return pk_fail(vm, "a tensor is too large");
        nbytes = (size_t)numel * es;
        if (contiguous) {
            data += (size_t)offset->u.i * es;
        } else {
            void *buf;
            yoso_status st = yoso_tensor_file_own(vm->file, nbytes, &buf);
            if (st != YOSO_OK) return st;
            pk_gather(data + (size_t)offset->u.i * es, es, ndim, shape, stride, numel, buf);
            data = buf;
        }
    }
    if (!pk_grow((void **)&vm->tensors, &vm->tensors_cap, vm->ntensors + 1, sizeof *vm->tensors))
        return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                          vm->file->label);
    yoso_tensor_view *v = &vm->tensors[vm->ntensors];
    memset(v, 0, sizeof *v);
    v->dtype = dtype;
    v->ndim = ndim;
    memcpy(v->shape, shape, sizeof(int64_t) * (size_t)ndim);
    v->data = data;
    v->nbytes = nbytes;
    pk_obj *o;
    yoso_status st = pk_push_new(vm, PK_TENSOR, &o);
    if (st != YOSO_OK) return st;
    o->u.tensor = (uint32_t)vm->ntensors++;
    return YOSO_OK;
}

/* REDUCE: calls one of the allowed globals on an argument tuple. */
static yoso_status pk_op_reduce(pk_vm *vm) {
    const pk_obj *f = NULL, *a = NULL;
    yoso_status st =
        pk_pop2(vm, PK_GLOBAL, PK_TUPLE, "REDUCE needs a global and an argument tuple", &f, &a);
    if (st != YOSO_OK) return st;
    switch ((pk_global)f->len) {
    case PK_G_ORDERED_DICT:
        if (a->len != 0) return pk_fail(vm, "OrderedDict is built with arguments");
        return pk_push_seq(vm, PK_DICT);
    case PK_G_REBUILD_TENSOR: return pk_rebuild_tensor(vm, a);
    case PK_G_REBUILD_PARAMETER:
        if (a->len != 3 || pk_item(vm, a, 0)->kind != PK_TENSOR ||
            pk_item(vm, a, 1)->kind != PK_BOOL || pk_item(vm, a, 2)->kind != PK_DICT)
            return pk_fail(vm, "_rebuild_parameter has arguments of the wrong types");
        return pk_push(vm, vm->refs[a->u.first]);
    default: return pk_fail(vm, "a storage type is called like a function");
    }
}

/* SETITEM / SETITEMS: pairs into the dict below them. */
static yoso_status pk_op_setitems(pk_vm *vm, size_t count) {
    if (count % 2 != 0) return pk_fail(vm, "SETITEMS with an odd number of items");
    if (vm->depth < count + 1) return pk_fail(vm, "stack underflow in SETITEMS");
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    if (vm->depth - count - 1 < floor) return pk_fail(vm, "stack underflow in SETITEMS");
    const pk_obj *d = &vm->objs[vm->stack[vm->depth - count - 1]];
    if (d->kind != PK_DICT) return pk_fail(vm, "SETITEM on something that is not a dict");
    yoso_status st = pk_seq_append(vm, d->u.seq, vm->stack + vm->depth - count, count);
    vm->depth -= count;
    return st;
}

/* APPEND / APPENDS: items into the list below them. */
static yoso_status pk_op_appends(pk_vm *vm, size_t count) {
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    if (vm->depth < count + 1 || vm->depth - count - 1 < floor)
        return pk_fail(vm, "stack underflow in APPENDS");
    const pk_obj *l = &vm->objs[vm->stack[vm->depth - count - 1]];
    if (l->kind != PK_LIST) return pk_fail(vm, "APPEND on something that is not a list");
    yoso_status st = pk_seq_append(vm, l->u.seq, vm->stack + vm->depth - count, count);
    vm->depth -= count;
    return st;
}

/* BUILD: only a state dict's attributes (its `_metadata`) are expected; they are ignored. */
static yoso_status pk_op_build(pk_vm *vm) {
    uint32_t state = 0;
    yoso_status st = pk_pop(vm, &state);
    if (st != YOSO_OK) return st;
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    if (vm->depth <= floor) return pk_fail(vm, "BUILD with nothing to build");
    const pk_obj *target = &vm->objs[vm->stack[vm->depth - 1]];
    pk_kind sk = (pk_kind)vm->objs[state].kind;
    if (target->kind != PK_DICT || (sk != PK_DICT && sk != PK_NONE))
        return pk_fail(vm, "BUILD on something other than a dict's attributes");
    return YOSO_OK;
}

/* BINPUT / LONG_BINPUT / MEMOIZE: remembers the top of the stack; indices are sequential. */
static yoso_status pk_memo_put(pk_vm *vm, uint64_t index) {
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    if (vm->depth <= floor) return pk_fail(vm, "memoizing an empty stack");
    if (index > vm->nmemo) return pk_fail(vm, "a memo index skips ahead");
    if (index >= PK_MAX_OBJECTS) return pk_fail(vm, "more memo entries than a state dict needs");
    if (index == vm->nmemo) {
        if (!pk_grow((void **)&vm->memo, &vm->memo_cap, vm->nmemo + 1, sizeof *vm->memo))
            return yoso_error(YOSO_ERR_NO_MEMORY, "%s: out of memory reading data.pkl",
                              vm->file->label);
        vm->nmemo++;
    }
    vm->memo[index] = vm->stack[vm->depth - 1];
    return YOSO_OK;
}

/* BINGET / LONG_BINGET: pushes a remembered object. */
static yoso_status pk_memo_get(pk_vm *vm, uint64_t index) {
    if (index >= vm->nmemo) return pk_fail(vm, "a memo index that was never stored");
    return pk_push(vm, vm->memo[index]);
}

/* Runs one opcode; sets *done at STOP. */
static yoso_status pk_step(pk_vm *vm, int *done) {
    vm->op_pos = vm->pos;
    const uint8_t *opp = NULL;
    yoso_status st = pk_take(vm, 1, &opp);
    if (st != YOSO_OK) return pk_fail(vm, "the pickle ends without STOP");
    uint8_t op = *opp;
    uint64_t v = 0;
    size_t count = 0;
    switch (op) {
    case 0x80: /* PROTO */
        st = pk_take_uint(vm, 1, &v);
        if (st == YOSO_OK && (v < 2 || v > 5)) return pk_fail(vm, "unsupported pickle protocol");
        return st;
    case 0x95: /* FRAME: the length is only a hint */ return pk_take_uint(vm, 8, &v);
    case '.': /* STOP */ *done = 1; return YOSO_OK;
    case '(': /* MARK */
        if (vm->nmarks >= PK_MAX_MARKS) return pk_fail(vm, "MARKs nested too deeply");
        vm->marks[vm->nmarks++] = vm->depth;
        return YOSO_OK;
    case 'N': return pk_push(vm, 0);
    case 0x88: return pk_push(vm, 1); /* NEWTRUE */
    case 0x89: return pk_push(vm, 2); /* NEWFALSE */
    case '}': return pk_push_seq(vm, PK_DICT);
    case ']': return pk_push_seq(vm, PK_LIST);
    case ')': return pk_push(vm, 3); /* EMPTY_TUPLE: one shared, immutable object */
    case 0x85: return pk_make_tuple(vm, 1);
    case 0x86: return pk_make_tuple(vm, 2);
    case 0x87: return pk_make_tuple(vm, 3);
    case 't': st = pk_pop_mark(vm, &count); return st == YOSO_OK ? pk_make_tuple(vm, count) : st;
    case 'X': /* BINUNICODE */
        st = pk_take_uint(vm, 4, &v);
        return st == YOSO_OK ? pk_op_string(vm, v) : st;
    case 0x8c: /* SHORT_BINUNICODE */
        st = pk_take_uint(vm, 1, &v);
        return st == YOSO_OK ? pk_op_string(vm, v) : st;
    case 0x8d: /* BINUNICODE8 */
        st = pk_take_uint(vm, 8, &v);
        return st == YOSO_OK ? pk_op_string(vm, v) : st;
    case 'K': /* BININT1 */
        st = pk_take_uint(vm, 1, &v);
        return st == YOSO_OK ? pk_push_int(vm, PK_INT, (int64_t)v) : st;
    case 'M': /* BININT2 */
        st = pk_take_uint(vm, 2, &v);
        return st == YOSO_OK ? pk_push_int(vm, PK_INT, (int64_t)v) : st;
    case 'J': /* BININT: signed 32-bit */
        st = pk_take_uint(vm, 4, &v);
        return st == YOSO_OK ? pk_push_int(vm, PK_INT, (int64_t)(int32_t)(uint32_t)v) : st;
    case 0x8a: return pk_op_long1(vm);
    case 'c': return pk_op_global(vm);
    case 0x93: return pk_op_stack_global(vm);
    case 'Q': return pk_op_persid(vm);
    case 'R': return pk_op_reduce(vm);
    case 'b': return pk_op_build(vm);
    case 's': return pk_op_setitems(vm, 2);
    case 'u': st = pk_pop_mark(vm, &count); return st == YOSO_OK ? pk_op_setitems(vm, count) : st;
    case 'a': return pk_op_appends(vm, 1);
    case 'e': st = pk_pop_mark(vm, &count); return st == YOSO_OK ? pk_op_appends(vm, count) : st;
    case 'q': st = pk_take_uint(vm, 1, &v); return st == YOSO_OK ? pk_memo_put(vm, v) : st;
    case 'r': st = pk_take_uint(vm, 4, &v); return st == YOSO_OK ? pk_memo_put(vm, v) : st;
    case 0x94: return pk_memo_put(vm, vm->nmemo); /* MEMOIZE */
    case 'h': st = pk_take_uint(vm, 1, &v); return st == YOSO_OK ? pk_memo_get(vm, v) : st;
    case 'j': st = pk_take_uint(vm, 4, &v); return st == YOSO_OK ? pk_memo_get(vm, v) : st;
    default: {
        char what[96];
        snprintf(what, sizeof what, "opcode 0x%02x is not one torch.save(state_dict) writes", op);
        return pk_fail(vm, what);
    }
    }
}

/* Turns the final dict's (name, tensor) pairs into the file's views. */
static yoso_status pk_collect(pk_vm *vm, uint32_t result) {
    const pk_obj *r = &vm->objs[result];
    if (r->kind != PK_DICT)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: the pickle holds a %s, not a state dict: save model.state_dict() with torch.save",
            vm->file->label, k_kind_names[r->kind]);
    const pk_seq *s = &vm->seqs[r->u.seq];
    for (size_t i = 0; i + 1 < s->count; i += 2) {
        const pk_obj *k = &vm->objs[s->items[i]], *v = &vm->objs[s->items[i + 1]];
        if (k->kind != PK_STR)
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: a state dict key is a %s, not a string: save model.state_dict() with torch.save",
                vm->file->label, k_kind_names[k->kind]);
        if (v->kind != PK_TENSOR) {
            char name[128];
            pk_printable(k->u.s, k->len, name, sizeof name);
            return yoso_error(
                YOSO_ERR_INPUT,
                "%s: state dict entry '%s' is a %s, not a tensor: save model.state_dict() itself with torch.save",
                vm->file->label, name, k_kind_names[v->kind]);
        }
        const yoso_tensor_view *t = &vm->tensors[v->u.tensor];
        yoso_status st = yoso_tensor_file_add(vm->file, k->u.s, k->len, t->dtype, t->ndim, t->shape,
                                              t->data, t->nbytes);
        if (st != YOSO_OK) return st;
    }
    return YOSO_OK;
}

/* Runs the unpickler; frees everything it allocated whatever happens. */
yoso_status yoso_torch_pickle_read(yoso_tensor_file *file, const yoso_zip *zip, const char *prefix,
                                   const uint8_t *pkl, size_t len) {
    if (len > YOSO_PICKLE_MAX_BYTES)
        return yoso_error(
            YOSO_ERR_INPUT,
            "%s: data.pkl is %zu bytes, more than the %u-byte limit for a state dict: the file is corrupt",
            file->label, len, YOSO_PICKLE_MAX_BYTES);
    pk_vm vm = {.file = file, .zip = zip, .prefix = prefix, .pkl = pkl, .len = len};
    uint32_t idx;
    yoso_status st = pk_new(&vm, PK_NONE, &idx); /* 0: None, 1: True, 2: False, 3: () */
    if (st == YOSO_OK) st = pk_new(&vm, PK_BOOL, &idx);
    if (st == YOSO_OK) {
        vm.objs[idx].u.i = 1;
        st = pk_new(&vm, PK_BOOL, &idx);
    }
    if (st == YOSO_OK) st = pk_new(&vm, PK_TUPLE, &idx); /* len 0 */
    int done = 0;
    while (st == YOSO_OK && !done) st = pk_step(&vm, &done);
    if (st == YOSO_OK) {
        uint32_t result = 0;
        vm.op_pos = vm.pos;
        st = pk_pop(&vm, &result);
        if (st == YOSO_OK && vm.nmarks != 0) st = pk_fail(&vm, "STOP with a MARK still open");
        if (st == YOSO_OK) st = pk_collect(&vm, result);
    }
    for (size_t i = 0; i < vm.nseqs; i++) free(vm.seqs[i].items);
    free(vm.seqs);
    free(vm.objs);
    free(vm.stack);
    free(vm.memo);
    free(vm.refs);
    free(vm.tensors);
    return st;
}

/* Finds data.pkl under the archive's top folder, checks the byte order, and unpickles. */
yoso_status yoso_torch_zip_read(yoso_tensor_file *file) {
    yoso_zip zip;
    yoso_status st = yoso_zip_open(file->base, file->size, file->label, &zip);
    if (st != YOSO_OK) return st;
    char prefix[512], name[600];
    const yoso_zip_entry *first = zip.count ? &zip.entries[0] : NULL;
    const char *slash = first ? memchr(first->name, '/', first->name_len) : NULL;
    if (!slash || (size_t)(slash - first->name) >= sizeof prefix || slash == first->name) {
        st = yoso_error(
            YOSO_ERR_INPUT,
            "%s: a zip without the archive/ folder torch.save writes: not a PyTorch checkpoint",
            file->label);
        goto done;
    }
    size_t plen = (size_t)(slash - first->name);
    memcpy(prefix, first->name, plen);
    prefix[plen] = '\0';
    if (memchr(prefix, '\0', plen)) {
        st = yoso_error(YOSO_ERR_INPUT,
                        "%s: a zip entry name holds a NUL byte: the file is corrupt", file->label);
        goto done;
    }
    snprintf(name, sizeof name, "%s/byteorder", prefix);
    const yoso_zip_entry *order = yoso_zip_find(&zip, name, strlen(name));
    if (order && !(order->size == 6 && memcmp(order->data, "little", 6) == 0)) {
        st = yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "%s: the checkpoint was saved on a big-endian machine (byteorder is not 'little'), which is unsupported: re-save it on a little-endian one",
            file->label);
        goto done;
    }
    snprintf(name, sizeof name, "%s/data.pkl", prefix);
    const yoso_zip_entry *pkl = yoso_zip_find(&zip, name, strlen(name));
    if (!pkl) {
        st = yoso_error(YOSO_ERR_INPUT, "%s: the zip has no %s: not a torch.save checkpoint",
                        file->label, name);
        goto done;
    }
    st = yoso_torch_pickle_read(file, &zip, prefix, pkl->data, (size_t)pkl->size);
done:
    yoso_zip_release(&zip);
    return st;
}

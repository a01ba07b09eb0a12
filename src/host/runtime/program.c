/* program.c — building the embedded kernels through the disk cache: at context creation one
 * program of the kernels this class of device runs (and the self-check's), any other kernel in a
 * program of its own at its first use. A program compiles only the kernels its first source
 * string wants (#define YOSO_WANT_<name>; each kernel of src/cl sits in an #ifdef of it): on PoCL
 * asking for a program's binary compiles each of its kernels. The cache entry holds the
 * context's program and the others built since, as named records. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "program_cache.h"
#include "runtime.h"

typedef struct {
    const char *name;
    const char *source;
} yoso_embedded_kernel;
extern const yoso_embedded_kernel yoso_embedded_kernels[];

const char *yoso_program_options(const yoso_context *ctx) {
    static _Thread_local char opts[512];
    snprintf(opts, sizeof opts, "-cl-std=CL1.2 -DYOSO_HAS_FP16=%d %s", ctx->info.has_fp16,
             ctx->env.cl_options ? ctx->env.cl_options : "");
    return opts;
}

/* The cache entry's record of each group's program (an ALONE kernel's is its own name). */
static const char *const k_group_records[] = {"alone", "context", "lsh"};

/* The largest "#define YOSO_WANT_<name> 1" list: every kernel. */
#define PROGRAM_WANTS_MAX 2048

/* Writes the first source string of a program: a YOSO_WANT define for one kernel (name), or for
 * every kernel of a group on this class of device (name NULL). */
static void program_wants(const yoso_context *ctx, yoso_build_group group, const char *name,
                          char *out, size_t size) {
    size_t n = 0;
    out[0] = '\0';
#define PROGRAM_WANT(kname, cpu, gpu)                                                              \
    if (name ? !strcmp(name, #kname)                                                               \
             : (ctx->cpu_class ? YOSO_BUILD_##cpu : YOSO_BUILD_##gpu) == group)                    \
        n += (size_t)snprintf(out + n, n < size ? size - n : 0, "#define YOSO_WANT_%s 1\n", #kname);
    YOSO_KERNEL_LIST(PROGRAM_WANT)
#undef PROGRAM_WANT
}

/* Creates every kernel of group from program p (ctx->kernels fields still unbuilt). */
static yoso_status program_create_group(yoso_context *ctx, cl_program p, yoso_build_group group) {
    yoso_status status = YOSO_OK;
#define PROGRAM_CREATE(kname, cpu, gpu)                                                            \
    if (ctx->kernels.kname.group == group && !ctx->kernels.kname.kernel)                           \
        YOSO_TRY(yoso_kernel_create(p, ctx->device, &ctx->kernels.kname));
    YOSO_KERNEL_LIST(PROGRAM_CREATE)
#undef PROGRAM_CREATE
fail:
    return status;
}

/* Orders the sources after wants: common.cl first (helpers), then the rest in embedding order. */
static int program_collect_sources(const char *wants, const char **srcs, int max) {
    int n = 0;
    srcs[n++] = wants;
    for (int i = 0; yoso_embedded_kernels[i].name && n < max; i++)
        if (!strcmp(yoso_embedded_kernels[i].name, "common.cl"))
            srcs[n++] = yoso_embedded_kernels[i].source;
    for (int i = 0; yoso_embedded_kernels[i].name && n < max; i++)
        if (strcmp(yoso_embedded_kernels[i].name, "common.cl"))
            srcs[n++] = yoso_embedded_kernels[i].source;
    return n;
}

/* Builds the text that identifies the context's program: sources (with its wants), options,
 * device, driver, platform. The other kernels' programs differ only in their wants, named by
 * their record in the same entry. */
static void program_cache_key(const yoso_context *ctx, const char **srcs, int n, const char *opts,
                              char *key, size_t size) {
    uint64_t h = YOSO_FNV_OFFSET;
    for (int i = 0; i < n; i++) h = yoso_fnv1a(h, srcs[i], strlen(srcs[i]) + 1);
    char driver[256] = "", plat_ver[256] = "", dev_ver[256] = "";
    clGetDeviceInfo(ctx->device, CL_DRIVER_VERSION, sizeof driver - 1, driver, NULL);
    clGetDeviceInfo(ctx->device, CL_DEVICE_VERSION, sizeof dev_ver - 1, dev_ver, NULL);
    clGetPlatformInfo(ctx->platform, CL_PLATFORM_VERSION, sizeof plat_ver - 1, plat_ver, NULL);
    snprintf(key, size, "yoso-cl program v2|src=%016llx|opt=%s|dev=%s|devver=%s|drv=%s|plat=%s %s",
             (unsigned long long)h, opts, ctx->info.name, dev_ver, driver, ctx->info.platform_name,
             plat_ver);
}

/* Prints the compiler's log to stderr after a failed build. */
static void program_print_build_log(yoso_context *ctx, cl_program program) {
    size_t size = 0;
    clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size);
    char *log = malloc(size + 1);
    if (!log) return;
    clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, size, log, NULL);
    log[size] = '\0';
    fprintf(stderr, "--- OpenCL build log (%s) ---\n%s\n--- end of build log ---\n", ctx->info.name,
            log);
    free(log);
}

/* Finds the record `name` in a cache entry's payload (records: u32 name length, name, u64 size,
 * bytes); 1 and its bytes when present and the payload is well formed up to it. */
static int bundle_find(const unsigned char *p, size_t n, const char *name,
                       const unsigned char **bin, size_t *size) {
    const size_t want = strlen(name);
    size_t at = 0;
    while (n - at >= 4) {
        uint32_t len;
        uint64_t bytes;
        memcpy(&len, p + at, 4);
        if (n - at - 4 < (size_t)len + 8) return 0;
        memcpy(&bytes, p + at + 4 + len, 8);
        const size_t data = at + 4 + len + 8;
        if (bytes > n - data) return 0;
        if (len == want && !memcmp(p + at + 4, name, want)) {
            *bin = p + data;
            *size = (size_t)bytes;
            return 1;
        }
        at = data + (size_t)bytes;
    }
    return 0;
}

/* Appends the record `name` to the payload in *p (size *n); 0 when out of memory. */
static int bundle_append(unsigned char **p, size_t *n, const char *name, const unsigned char *bin,
                         size_t size) {
    const uint32_t len = (uint32_t)strlen(name);
    const uint64_t bytes = size;
    unsigned char *q = realloc(*p, *n + 12 + len + size);
    if (!q) return 0;
    memcpy(q + *n, &len, 4);
    memcpy(q + *n + 4, name, len);
    memcpy(q + *n + 4 + len, &bytes, 8);
    memcpy(q + *n + 12 + len, bin, size);
    *p = q;
    *n += 12 + len + size;
    return 1;
}

/* Creates and builds a program from a binary; NULL when the driver refuses it. */
static cl_program program_from_binary(yoso_context *ctx, const unsigned char *bin, size_t size,
                                      const char *opts) {
    cl_int err, bin_status;
    cl_program p =
        clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &size, &bin, &bin_status, &err);
    if (err != CL_SUCCESS || bin_status != CL_SUCCESS) {
        if (p) clReleaseProgram(p);
        return NULL;
    }
    if (clBuildProgram(p, 1, &ctx->device, opts, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return NULL;
    }
    return p;
}

/* Loads the record `name` of the context's cache entry as a program; NULL when there is none. */
static cl_program program_from_cache(yoso_context *ctx, const char *name, const char *opts) {
    unsigned char *payload = NULL;
    size_t size = 0, bin_size = 0;
    const unsigned char *bin = NULL;
    cl_program p = NULL;
    if (!yoso_cache_read(ctx->cache_dir, ctx->program_key, &payload, &size)) return NULL;
    if (bundle_find(payload, size, name, &bin, &bin_size))
        p = program_from_binary(ctx, bin, bin_size, opts);
    free(payload);
    return p;
}

/* Stores program p's binary as the record `name`: the context's program starts a new entry;
 * another joins the entry that holds it, if any (a concurrent writer may win: the record is
 * rebuilt then). */
static void program_store(yoso_context *ctx, cl_program p, const char *name) {
    size_t size = 0, n = 0, old_size = 0;
    unsigned char *bin = NULL, *payload = NULL;
    const unsigned char *old = NULL;
    /* asking for the binary compiles every kernel on some drivers (PoCL): only for the cache */
    if (!ctx->cache_dir[0] ||
        clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0 || !(bin = malloc(size)))
        goto done;
    unsigned char *bins[1] = {bin};
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) != CL_SUCCESS) goto done;
    const char *context = k_group_records[YOSO_BUILD_CONTEXT];
    if (strcmp(name, context) &&
        (!yoso_cache_read(ctx->cache_dir, ctx->program_key, &payload, &n) ||
         !bundle_find(payload, n, context, &old, &old_size) ||
         bundle_find(payload, n, name, &old, &old_size)))
        goto done;
    if (ctx->env.cache_write_delay > 0) { /* a test holding the race open */
        const double s = ctx->env.cache_write_delay;
        const struct timespec wait = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
        nanosleep(&wait, NULL);
    }
    if (bundle_append(&payload, &n, name, bin, size))
        yoso_cache_write(ctx->cache_dir, ctx->program_key, payload, n);
done:
    free(payload);
    free(bin);
}

/* 1 if the compiler rejects the build options themselves: an empty kernel fails to build with
 * them too. Drivers differ in how they say so: PoCL answers CL_INVALID_BUILD_OPTIONS, Mesa's
 * rusticl CL_BUILD_PROGRAM_FAILURE with the log "Couldn't create Clang invocation.". */
static int program_options_rejected(yoso_context *ctx, const char *opts) {
    const char *src = "__kernel void yoso_options_probe(void) {}\n";
    cl_int err;
    cl_program p = clCreateProgramWithSource(ctx->context, 1, &src, NULL, &err);
    if (err != CL_SUCCESS) return 0;
    err = clBuildProgram(p, 1, &ctx->device, opts, NULL, NULL);
    clReleaseProgram(p);
    return err == CL_INVALID_BUILD_OPTIONS || err == CL_BUILD_PROGRAM_FAILURE;
}

/* Compiles the program that wants defines; reports a rejection of the options or the sources. */
static yoso_status program_compile(yoso_context *ctx, const char *wants, const char *opts,
                                   cl_program *out) {
    yoso_status status = YOSO_OK;
    const char *srcs[YOSO_MAX_KERNELS];
    const int n = program_collect_sources(wants, srcs, YOSO_MAX_KERNELS);
    cl_int err;
    *out = clCreateProgramWithSource(ctx->context, (cl_uint)n, srcs, NULL, &err);
    CL_CHECK_ERR(err, "clCreateProgramWithSource");
    err = clBuildProgram(*out, 1, &ctx->device, opts, NULL, NULL);
    if (err == CL_INVALID_BUILD_OPTIONS ||
        (err == CL_BUILD_PROGRAM_FAILURE && program_options_rejected(ctx, opts))) {
        int user = ctx->env.cl_options && *ctx->env.cl_options;
        return yoso_error(user ? YOSO_ERR_USAGE : YOSO_ERR_OPENCL,
                          "the OpenCL compiler of %s rejected the build options \"%s\"%s: %s",
                          ctx->info.name, opts, user ? " (YOSO_CL_OPTIONS adds some)" : "",
                          user ? "fix or unset YOSO_CL_OPTIONS"
                               : "update the driver or choose another device with -d");
    }
    if (err == CL_BUILD_PROGRAM_FAILURE) {
        program_print_build_log(ctx, *out);
        return yoso_error(
            YOSO_ERR_OPENCL,
            "the OpenCL compiler of %s rejected yoso's kernels (build log above): update the driver or choose another device with -d",
            ctx->info.name);
    }
    CL_CHECK(err);
    ctx->cache_builds++;
fail:
    return status;
}

void yoso_program_key(yoso_context *ctx) {
    char wants[PROGRAM_WANTS_MAX];
    const char *srcs[YOSO_MAX_KERNELS];
    program_wants(ctx, YOSO_BUILD_CONTEXT, NULL, wants, sizeof wants);
    const int n = program_collect_sources(wants, srcs, YOSO_MAX_KERNELS);
    program_cache_key(ctx, srcs, n, yoso_program_options(ctx), ctx->program_key,
                      sizeof ctx->program_key);
}

/* The program of a group, or of the ALONE kernel name: its record of the context's cache entry
 * when there is one, else compiled from its wants and stored there. *out may be set on failure
 * too, for the caller to release. */
static yoso_status program_get(yoso_context *ctx, yoso_build_group group, const char *name,
                               cl_program *out) {
    char opts[512], wants[PROGRAM_WANTS_MAX];
    const char *record = name ? name : k_group_records[group];
    const int context = group == YOSO_BUILD_CONTEXT;
    snprintf(opts, sizeof opts, "%s", yoso_program_options(ctx));
    if ((*out = program_from_cache(ctx, record, opts))) {
        ctx->cache_hits++;
        if (ctx->verbose && context)
            fprintf(stderr, "yoso: kernels loaded from the cache in %s\n", ctx->cache_dir);
        return YOSO_OK;
    }
    if (ctx->verbose && context)
        fprintf(stderr, "yoso: compiling kernels for %s\n", ctx->info.name);
    else if (ctx->verbose)
        fprintf(stderr, "yoso: compiling %s %s for %s\n", name ? "kernel" : "the kernels", record,
                ctx->info.name);
    program_wants(ctx, group, name, wants, sizeof wants);
    yoso_status status = program_compile(ctx, wants, opts, out);
    if (status == YOSO_OK) program_store(ctx, *out, record);
    return status;
}

yoso_status yoso_program_build(yoso_context *ctx) {
    yoso_program_key(ctx);
    yoso_kernels_init(&ctx->kernels, ctx->cpu_class);
    yoso_status status = program_get(ctx, YOSO_BUILD_CONTEXT, NULL, &ctx->program);
    return status != YOSO_OK ? status : program_create_group(ctx, ctx->program, YOSO_BUILD_CONTEXT);
}

/* Builds kernel k's program at its first use: k alone, or its group (from the cache entry's
 * record when there is one), and creates the kernels it holds. */
static yoso_status program_build_kernel(yoso_context *ctx, yoso_kernel *k) {
    const int alone = k->group == YOSO_BUILD_ALONE;
    if (ctx->lazy_count == YOSO_MAX_KERNELS)
        return yoso_error(YOSO_ERR_OPENCL, "more than %d kernel programs: raise YOSO_MAX_KERNELS",
                          YOSO_MAX_KERNELS);
    cl_program p = NULL;
    yoso_status status = program_get(ctx, k->group, alone ? k->name : NULL, &p);
    if (p) ctx->lazy[ctx->lazy_count++] = p;
    if (status == YOSO_OK)
        status =
            alone ? yoso_kernel_create(p, ctx->device, k) : program_create_group(ctx, p, k->group);
    return status;
}

/* Keeps status as kernel k's failure, with the thread's current message. */
static void kernel_fail(yoso_kernel *k, yoso_status status) {
    k->status = status;
    snprintf(k->error, sizeof k->error, "%s", yoso_last_error());
}

const yoso_kernel *yoso_kernel_ready(yoso_context *ctx, const yoso_kernel *k) {
    yoso_kernel *field = (yoso_kernel *)k; /* a field of ctx->kernels, which is not const */
    const yoso_status prepared = yoso_prepared(ctx);
    if (prepared != YOSO_OK && field->status == YOSO_OK) kernel_fail(field, prepared);
    if (!field->kernel && field->status == YOSO_OK) {
        const yoso_status built = program_build_kernel(ctx, field);
        if (built != YOSO_OK) kernel_fail(field, built);
    }
    if (field->kernel && !field->checked && ctx->check_kernel) {
        field->checked = 1; /* first, so that the check's own launches of k do not recurse */
        const yoso_status checked = ctx->check_kernel(ctx, field);
        if (checked != YOSO_OK) {
            kernel_fail(field, checked);
            clReleaseKernel(field->kernel);
            field->kernel = NULL;
        }
    }
    return k;
}

void yoso_program_release(yoso_context *ctx) {
    yoso_kernels_release(&ctx->kernels);
    for (int i = 0; i < ctx->lazy_count; i++) clReleaseProgram(ctx->lazy[i]);
    ctx->lazy_count = 0;
    if (ctx->program) clReleaseProgram(ctx->program);
    ctx->program = NULL;
}

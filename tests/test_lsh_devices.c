/* test_lsh_devices.c — LSH attention with one seed gives the same logits on every device that
 * passes its self-check (issue 12): the head-dim-64 fixtures (tests/data/models/hd64: B 2 × L 40
 * padded, hd64-long: L 600; yoso-4096's d 64, τ 9, m 64) in LSH mode with seed 4096 on each device
 * of yoso_device_list(), each compared with the first within 1e-4 × max(1, max |logit|).
 * rusticl shows its llvmpipe device only with RUSTICL_ENABLE set before the ICD loader starts, so
 * main sets it when unset. Oclgrind is skipped (one forward pass takes minutes in the simulator),
 * as is a device that fails its self-check (the refusal is tested in test_probe); each skip is
 * printed with its reason. At least one device must run, and $YOSO_TEST_MIN_DEVICES when set
 * (CI: 2, PoCL and rusticl). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "test_support.h"

#define LSH_SEED 4096

/* The logits [B, L, V] of fixture `name` in LSH mode on device `spec` (malloc'ed, *n floats), or
 * NULL with the reason in why when the device cannot be used. */
static float *device_logits(const char *spec, const char *name, size_t *n, char *why,
                            size_t why_size) {
    yoso_context_options copt = {.device_spec = spec};
    yoso_context *ctx = NULL;
    if (yoso_context_create(&copt, &ctx) != YOSO_OK) {
        snprintf(why, why_size, "%s", yoso_last_error());
        return NULL;
    }
    char rel[256];
    snprintf(rel, sizeof rel, "models/%s", name);
    yoso_model_options mopt = {.attention = YOSO_ATTENTION_LSH, .seed = LSH_SEED};
    yoso_model *model = NULL;
    if (yoso_model_load(ctx, test_data_path(rel), &mopt, &model) != YOSO_OK)
        fail_msg("%s on %s: %s", name, spec, yoso_last_error());
    yoso_npy in[2]; /* input_ids, attention_mask [B, L] */
    const char *files[2] = {"input_ids.npy", "attention_mask.npy"};
    for (int i = 0; i < 2; i++) {
        snprintf(rel, sizeof rel, "models/%s/%s", name, files[i]);
        if (yoso_npy_read(test_data_path(rel), &in[i]) != YOSO_OK)
            fail_msg("%s", yoso_last_error());
    }
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    const int batch = (int)in[0].shape[0], seq = (int)in[0].shape[1];
    *n = (size_t)batch * seq * info.vocab_size;
    float *out = malloc(*n * sizeof(float));
    assert_non_null(out);
    if (yoso_model_logits(model, batch, seq, in[0].data, in[1].data, out) != YOSO_OK)
        fail_msg("%s on %s: %s", name, spec, yoso_last_error());
    yoso_npy_release(&in[0]);
    yoso_npy_release(&in[1]);
    yoso_model_free(model);
    yoso_context_free(ctx);
    return out;
}

/* Runs fixture `name` on every usable device and compares each with the first. */
static void check_devices(const char *name) {
    yoso_device_info *list = NULL;
    size_t count = 0;
    assert_int_equal(yoso_device_list(&list, &count), YOSO_OK);
    float *first = NULL;
    size_t n_first = 0;
    int ran = 0;
    char first_name[600] = "";
    for (size_t i = 0; i < count; i++) {
        const yoso_device_info *d = &list[i];
        char spec[32], why[1024];
        snprintf(spec, sizeof spec, "%d:%d", d->platform_index, d->device_index);
        if (strstr(d->platform_name, "Oclgrind")) {
            printf("[ skipped  ] %s %s on %s (%s): a forward pass takes minutes in the simulator\n",
                   name, spec, d->name, d->platform_name);
            continue;
        }
        size_t n = 0;
        float *got = device_logits(spec, name, &n, why, sizeof why);
        if (!got) {
            printf("[ skipped  ] %s %s: cannot be used: %s\n", name, spec, why);
            continue;
        }
        ran++;
        if (!first) {
            first = got, n_first = n;
            snprintf(first_name, sizeof first_name, "%s (%s)", d->name, d->platform_name);
            printf("[ device   ] %s %s %s (%s): the reference\n", name, spec, d->name,
                   d->platform_name);
            continue;
        }
        assert_int_equal(n, n_first);
        double worst = 0, scale = 0;
        for (size_t j = 0; j < n; j++) {
            worst = fmax(worst, isnan(got[j]) ? INFINITY : fabs((double)got[j] - first[j]));
            scale = fmax(scale, fabs((double)first[j]));
        }
        const double tol = 1e-4 * fmax(1.0, scale);
        printf("[ device   ] %s %s %s (%s): max |logit difference| from %s %.3g (scale %.3g, "
               "tolerance %.3g)\n",
               name, spec, d->name, d->platform_name, first_name, worst, scale, tol);
        if (!(worst <= tol))
            fail_msg("%s: LSH logits on %s differ from %s by %g > %g", name, d->name, first_name,
                     worst, tol);
        free(got);
    }
    free(first);
    free(list);
    const char *min_env = getenv("YOSO_TEST_MIN_DEVICES");
    const int min = min_env && atoi(min_env) > 0 ? atoi(min_env) : 1;
    printf("[ devices  ] %s: %d device(s) compared\n", name, ran);
    if (ran < min) fail_msg("%s: only %d device(s) ran, at least %d required", name, ran, min);
}

/* Both head-dim-64 fixtures: a padded batch, and 600 tokens (past llvmpipe's loop cap). */
static void test_same_logits_on_every_device(void **state) {
    (void)state;
    check_devices("hd64");
    check_devices("hd64-long");
}

/* Makes rusticl's llvmpipe device visible (before the first OpenCL call loads the ICDs). */
static int setup(void **state) {
    (void)state;
    setenv("RUSTICL_ENABLE", "llvmpipe", 0);
    return 0;
}

TEST_MAIN(setup, NULL, test_same_logits_on_every_device)

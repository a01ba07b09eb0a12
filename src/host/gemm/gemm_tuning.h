/* gemm_tuning.h — CLBlast kernel parameters per device: stored by `yoso tune` in the cache
 * folder, built-in defaults for devices CLBlast's database lacks, applied at context creation.
 * The tuning calls the CLI uses are public: include/yoso.h, "GEMM tuning". */
#ifndef YOSO_GEMM_TUNING_H
#define YOSO_GEMM_TUNING_H

#include <stddef.h>

#include "runtime.h"

/* Applies the device's stored parameters, else the built-in ones for its kind (PoCL CPUs), via
 * CLBlastOverrideParameters; *source says which ("tuned", "built-in" or "CLBlast's database"). */
yoso_status yoso_tuning_apply(const yoso_context *ctx, const char **source);

#endif

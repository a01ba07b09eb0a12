/* gemm_tuning.h — CLBlast kernel parameters per device: stored by `yoso tune` in the cache
 * folder, built-in defaults for devices CLBlast's database lacks, applied at context creation. */
#ifndef YOSO_GEMM_TUNING_H
#define YOSO_GEMM_TUNING_H

#include <stddef.h>

#include "runtime.h"

/* The file holding this device's tuned parameters: <cache>/clblast/<device hash>.txt ("" when
 * caching is off). Lines: "<kernel> NAME=VALUE NAME=VALUE ...", e.g. "Xgemm GEMMK=0 KWG=32 …". */
void yoso_tuning_path(const yoso_context *ctx, char *out, size_t n);
/* Writes the lines (one kernel each, as above) to this device's tuning file, atomically. */
yoso_status yoso_tuning_store(const yoso_context *ctx, const char *const *lines, int count);
/* Applies the device's stored parameters, else the built-in ones for its kind (PoCL CPUs), via
 * CLBlastOverrideParameters; *source says which ("tuned", "built-in" or "CLBlast's database"). */
yoso_status yoso_tuning_apply(const yoso_context *ctx, const char **source);
/* A short search: times `configs` valid Xgemm parameter sets (a fixed, spread-out sample of
 * CLBlast's search space) on a size³ SGEMM and leaves the fastest applied; writes it as an
 * "Xgemm …" line into best and its rate into *gflops. Each try compiles CLBlast's kernel. */
yoso_status yoso_tuning_search(yoso_context *ctx, size_t size, int configs, char *best,
                               size_t best_len, double *gflops);
/* GFLOP/s of one size³ SGEMM through CLBlast with the parameters now in force (the second of
 * two runs; the first compiles). */
yoso_status yoso_tuning_measure(yoso_context *ctx, size_t size, double *gflops);
/* Parses and applies one "<kernel> NAME=VALUE ..." line (PRECISION=… is skipped). */
yoso_status yoso_tuning_apply_line(const yoso_context *ctx, const char *line);

#endif

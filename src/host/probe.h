/* probe.h — known-answer self-checks of a device, run once per device + driver and cached. */
#ifndef YOSO_PROBE_H
#define YOSO_PROBE_H

#include "runtime.h"

/* Runs the probes on ctx's device (or reads their cached result): a driver limit found (a loop
 * cap) sets ctx->limits; a wrong answer fails with a message naming the driver problem. */
yoso_status yoso_probe_device(yoso_context *ctx);

/* ctx->check_kernel: runs the probe of kernel k (or reads its cached verdict) at the kernel's
 * first use when the context did not probe it; a wrong answer fails as yoso_probe_device does. */
yoso_status yoso_probe_kernel(yoso_context *ctx, const yoso_kernel *k);

/* The verdict cached for ctx's device (ctx->program_key set, no program needed) into out, or ""
 * when there is none. */
void yoso_probe_cached_verdict(const yoso_context *ctx, char *out, size_t size);

#endif

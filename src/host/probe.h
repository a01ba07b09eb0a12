/* probe.h — known-answer self-checks of a device, run once per device + driver and cached. */
#ifndef YOSO_PROBE_H
#define YOSO_PROBE_H

#include "runtime.h"

/* Runs the probes on ctx's device (or reads their cached result): a driver limit found (a loop
 * cap) sets ctx->limits; a wrong answer fails with a message naming the driver problem. */
yoso_status yoso_probe_device(yoso_context *ctx);

#endif

/* clock.h — wall-clock seconds for timings and progress reports. */
#ifndef YOSO_CLOCK_H
#define YOSO_CLOCK_H

/* Seconds on a monotonic clock. */
double yoso_now(void);
/* Seconds since this process started (Linux /proc; -1 where unknown). */
double yoso_process_age(void);

#endif

/* clock.c — the one monotonic clock, and the process's age for start-up reports. */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double yoso_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double yoso_process_age(void) {
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long start = 0;
    if (!p || sscanf(p + 2,
                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                     "%*d %*d %llu",
                     &start) != 1)
        return -1;
    double uptime = 0;
    f = fopen("/proc/uptime", "r");
    if (!f) return -1;
    int ok = fscanf(f, "%lf", &uptime) == 1;
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return ok && hz > 0 ? uptime - (double)start / hz : -1;
}

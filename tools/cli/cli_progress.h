/* cli_progress.h — a sign of life on a terminal during long work: "yoso: WHAT… 12 s" on stderr,
 * updated every half second and erased when the work ends; nothing when stderr is no terminal. */
#ifndef YOSO_CLI_PROGRESS_H
#define YOSO_CLI_PROGRESS_H

/* Starts showing what (a printf format) with the seconds elapsed, if stderr is a terminal. */
void cli_progress_start(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Stops and erases the line. */
void cli_progress_stop(void);

#endif

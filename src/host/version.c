/* version.c — the library's version, the git revision it was built from, and the CLBlast it runs
 * with (all for `yoso version` and bug reports). */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clblast_c.h>

#include "yoso.h"

#ifndef YOSO_VERSION_STRING
#define YOSO_VERSION_STRING "unknown" /* CMake sets it from project(VERSION) */
#endif
#ifndef YOSO_CLBLAST_VERSION
#define YOSO_CLBLAST_VERSION "unknown" /* CMake sets it from clblast.pc */
#endif
#if defined(__has_include)
#if __has_include("git_revision.h")
#include "git_revision.h" /* generated at every build: #define YOSO_GIT_REVISION "…" */
#endif
#endif
#ifndef YOSO_GIT_REVISION
#define YOSO_GIT_REVISION "unknown"
#endif

const char *yoso_version(void) {
    return YOSO_VERSION_STRING;
}

const char *yoso_git_revision(void) {
    return YOSO_GIT_REVISION;
}

const char *yoso_clblast_version(void) {
    static char text[PATH_MAX + 64];
    Dl_info info;
    char real[PATH_MAX];
    if (dladdr((void *)CLBlastSgemm, &info) && info.dli_fname && realpath(info.dli_fname, real) &&
        strstr(real, ".so")) {
        const char *so = strstr(real, ".so.");
        snprintf(text, sizeof text, "%s (%s)", so ? so + 4 : YOSO_CLBLAST_VERSION, real);
    } else {
        snprintf(text, sizeof text, "%s (linked statically)", YOSO_CLBLAST_VERSION);
    }
    return text;
}

/* paths.c — the user's home and the default model folder, decided in one place. */
#include "paths.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *yoso_home_dir(void) {
    const char *home = getenv("HOME");
    if (home && *home) return home;
    const struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : ".";
}

const char *yoso_default_model_dir(void) {
    static _Thread_local char buf[4096];
    snprintf(buf, sizeof buf, "%s/.cache/yoso/yoso-4096", yoso_home_dir());
    return buf;
}

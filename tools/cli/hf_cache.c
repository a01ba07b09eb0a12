/* hf_cache.c — model folders from paths or Hugging Face repository ids (the hub cache). */
#include "hf_cache.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "paths.h"

#define HF_DEFAULT_REPO "uw-madison/yoso-4096"

/* 1 if path is a directory. */
static int hf_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The value of an environment variable, or NULL when unset or empty. */
static const char *hf_env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void hf_cache_root(char *out, size_t n) {
    const char *v;
    if ((v = hf_env("HF_HUB_CACHE")))
        snprintf(out, n, "%s", v);
    else if ((v = hf_env("HF_HOME")))
        snprintf(out, n, "%s/hub", v);
    else if ((v = hf_env("XDG_CACHE_HOME")))
        snprintf(out, n, "%s/huggingface/hub", v);
    else
        snprintf(out, n, "%s/.cache/huggingface/hub", yoso_home_dir());
}

/* 1 if s is "owner/name" with letters, digits, '-', '_' and '.' (not leading) in each part. */
static int hf_is_repo_id(const char *s) {
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/')) return 0;
    if (s[0] == '.' || slash[1] == '.') return 0;
    for (const char *p = s; *p; p++)
        if (p != slash && !isalnum((unsigned char)*p) && !strchr("-_.", *p)) return 0;
    return 1;
}

/* Reads the commit hash in path (refs/main) into out; 1 on success. */
static int hf_read_ref(const char *path, char *out, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fgets(out, (int)n, f) != NULL;
    fclose(f);
    if (!ok) return 0;
    size_t len = strlen(out);
    while (len && isspace((unsigned char)out[len - 1])) out[--len] = '\0';
    return len > 0 && !strchr(out, '/');
}

/* The only entry of snapshots/ into out; 1 if there is exactly one. */
static int hf_only_snapshot(const char *snapshots, char *out, size_t n) {
    DIR *d = opendir(snapshots);
    int count = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.' && count++ == 0) snprintf(out, n, "%s", e->d_name);
    if (d) closedir(d);
    return count == 1;
}

int hf_cache_find(const char *repo, char *out, size_t n) {
    char root[2048], base[4096], ref[256], path[4400];
    if (!hf_is_repo_id(repo)) return 0;
    hf_cache_root(root, sizeof root);
    const char *slash = strchr(repo, '/');
    snprintf(base, sizeof base, "%s/models--%.*s--%s", root, (int)(slash - repo), repo, slash + 1);
    snprintf(path, sizeof path, "%s/refs/main", base);
    if (!hf_read_ref(path, ref, sizeof ref)) {
        snprintf(path, sizeof path, "%s/snapshots", base);
        if (!hf_only_snapshot(path, ref, sizeof ref)) return 0;
    }
    snprintf(path, sizeof path, "%s/snapshots/%s", base, ref);
    if (!hf_is_dir(path)) return 0;
    snprintf(out, n, "%s", path);
    return 1;
}

int hf_cache_resolve_model(cli_model_options *o) {
    static char found[4400];
    const char *spec = o->model_dir && *o->model_dir ? o->model_dir : hf_env("YOSO_MODEL");
    o->model_dir = spec;
    if (!spec || hf_is_dir(spec) || !hf_is_repo_id(spec)) return 0;
    if (hf_cache_find(spec, found, sizeof found)) {
        o->model_dir = found;
        return 0;
    }
    char root[2048];
    hf_cache_root(root, sizeof root);
    fprintf(
        stderr,
        "yoso: model '%s' is neither a folder nor in the Hugging Face cache (%s): download it (huggingface-cli download %s) or point -m at a model folder\n",
        spec, root, spec);
    return -2;
}

const char *hf_cache_default_dir(void) {
    static char found[4400];
    const char *dir = yoso_default_model_dir();
    if (!hf_is_dir(dir) && hf_cache_find(HF_DEFAULT_REPO, found, sizeof found)) return found;
    return dir;
}

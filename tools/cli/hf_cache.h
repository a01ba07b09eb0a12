/* hf_cache.h — finding a model folder: a path, or a Hugging Face repository id looked up in the
 * Hugging Face hub cache the way huggingface_hub lays it out. */
#ifndef YOSO_CLI_HF_CACHE_H
#define YOSO_CLI_HF_CACHE_H

#include <stddef.h>

#include "cli_options.h"

/* The hub cache folder: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub,
 * else ~/.cache/huggingface/hub. */
void hf_cache_root(char *out, size_t n);
/* Finds repo ("owner/name") in the hub cache: root/models--owner--name/snapshots/<refs/main>
 * (the only snapshot when refs/main is absent). Returns 1 with the folder in out, else 0. */
int hf_cache_find(const char *repo, char *out, size_t n);
/* Resolves -m / $YOSO_MODEL into o->model_dir (NULL when neither is given). A folder is used as
 * is; a repository id that is no folder is looked up in the hub cache. Returns 0, or -2 after
 * printing why a repository id was not found. */
int hf_cache_resolve_model(cli_model_options *o);
/* The default model folder: ~/.cache/yoso/yoso-4096 if it exists, else uw-madison/yoso-4096 in
 * the hub cache if it is there, else ~/.cache/yoso/yoso-4096 (static storage). */
const char *hf_cache_default_dir(void);

#endif

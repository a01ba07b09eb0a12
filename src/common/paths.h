/* paths.h — file-system helpers shared by the library, the tokenizer and the CLI. */
#ifndef YOSO_PATHS_H
#define YOSO_PATHS_H

#include <stddef.h>

/* The folder the CLI looks for a model in when neither -m nor $YOSO_MODEL is given:
 * $HOME/.cache/yoso/yoso-4096 (the password database's home when HOME is unset). */
const char *yoso_default_model_dir(void);
/* How help texts show that folder. */
#define YOSO_DEFAULT_MODEL_DIR_SHOWN "~/.cache/yoso/yoso-4096"
/* The user's home folder: $HOME, else the password database's entry, else "." */
const char *yoso_home_dir(void);

#endif

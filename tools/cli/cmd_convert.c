/* cmd_convert.c — `yoso convert`: pytorch_model.bin (or safetensors) → model.safetensors. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "commands.h"

static void convert_usage(void) {
    printf("usage: yoso convert [--fp16] INPUT OUTPUT\n\n"
           "Rewrites a checkpoint as safetensors without executing anything in it. INPUT is a\n"
           "pytorch_model.bin or .safetensors file, or a model folder holding one; OUTPUT is a\n"
           ".safetensors path, or a folder (OUTPUT/model.safetensors is written).\n\n"
           "  --fp16   store float tensors as half precision (half the size)\n");
}

/* 1 if path is a directory. */
static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Resolves a model folder to its weights file, preferring pytorch_model.bin. */
static void convert_input_path(const char *in, char *out, size_t n) {
    struct stat st;
    if (!is_dir(in)) {
        snprintf(out, n, "%s", in);
        return;
    }
    snprintf(out, n, "%s/pytorch_model.bin", in);
    if (stat(out, &st) == 0) return;
    snprintf(out, n, "%s/model.safetensors", in);
}

int cmd_convert(int argc, char **argv) {
    int fp16 = 0;
    const char *paths[2];
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return convert_usage(), 0;
        if (!strcmp(argv[i], "--fp16"))
            fp16 = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("convert", "unknown option '%s'", argv[i]);
        else if (npaths < 2)
            paths[npaths++] = argv[i];
        else
            return cli_usage_error("convert", "too many arguments");
    }
    if (npaths != 2) return cli_usage_error("convert", "give INPUT and OUTPUT");
    char in[4096], out[4096];
    convert_input_path(paths[0], in, sizeof in);
    if (is_dir(paths[1]))
        snprintf(out, sizeof out, "%s/model.safetensors", paths[1]);
    else
        snprintf(out, sizeof out, "%s", paths[1]);
    if (!strcmp(in, out)) return cli_usage_error("convert", "INPUT and OUTPUT are the same file");
    size_t count = 0;
    yoso_status st = yoso_checkpoint_convert(in, out, fp16, &count);
    if (st != YOSO_OK) return cli_fail(st);
    fprintf(stderr, "yoso: wrote %zu tensors to %s%s\n", count, out,
            fp16 ? " (float tensors as F16)" : "");
    return 0;
}

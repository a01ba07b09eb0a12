/* cmd_convert.c — `yoso convert`: pytorch_model.bin (or safetensors) → model.safetensors, into a
 * file or a model folder that also gets the config and tokenizer files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "cli_options.h"
#include "commands.h"

/* The files of a model folder that travel with the weights. */
static const char *const k_side_files[] = {"config.json",
                                           "vocab.json",
                                           "merges.txt",
                                           "tokenizer.json",
                                           "tokenizer_config.json",
                                           "special_tokens_map.json",
                                           "generation_config.json",
                                           NULL};

static void convert_usage(void) {
    printf("usage: yoso convert [--fp16] [--force] INPUT OUTPUT\n\n"
           "Rewrites a checkpoint as safetensors without executing anything in it. INPUT is a\n"
           "pytorch_model.bin or .safetensors file, or a model folder holding one. OUTPUT is a\n"
           "file when it ends in .safetensors; otherwise it is a folder (created if needed) that\n"
           "gets model.safetensors plus the config and tokenizer files of INPUT's folder\n"
           "(config.json, vocab.json, merges.txt, tokenizer*.json, special_tokens_map.json), so\n"
           "it is a complete model folder. Existing files are never replaced without --force.\n\n"
           "      --fp16             store float tensors as half precision (half the size)\n"
           "      --force            replace existing output files\n%s",
           cli_options_help(CLI_SHARED_VERBOSE));
}

/* 1 if path is a directory. */
static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* 1 if path exists. */
static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* 1 if a and b are the same file (one folder as INPUT and OUTPUT). */
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Resolves a model folder to its weights file, preferring pytorch_model.bin; folder gets the
 * folder the side files come from. */
static void convert_input_path(const char *in, char *out, size_t n, char *folder, size_t fn) {
    if (!is_dir(in)) {
        snprintf(out, n, "%s", in);
        snprintf(folder, fn, "%s", in);
        char *slash = strrchr(folder, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(folder, fn, ".");
        return;
    }
    snprintf(folder, fn, "%s", in);
    snprintf(out, n, "%s/pytorch_model.bin", in);
    if (exists(out)) return;
    snprintf(out, n, "%s/model.safetensors", in);
}

/* 1 if path ends in suffix. */
static int ends_with(const char *path, const char *suffix) {
    size_t a = strlen(path), b = strlen(suffix);
    return a >= b && !strcmp(path + a - b, suffix);
}

/* Copies the file from → to (replacing it); a status with the message on failure. */
static yoso_status convert_copy(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t got;
    int ok = in && out;
    while (ok && (got = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, got, out) == got;
    ok = ok && !ferror(in);
    int e = errno;
    if (in) fclose(in);
    if (out && fclose(out) != 0) ok = 0, e = errno;
    if (ok) return YOSO_OK;
    return yoso_error(YOSO_ERR_IO, "cannot copy %s to %s: %s", from, to, strerror(e));
}

int cmd_convert(int argc, char **argv) {
    enum { OPT_FP16 = 256, OPT_FORCE };
    static const struct option k_own[] = {{"fp16", no_argument, NULL, OPT_FP16},
                                          {"force", no_argument, NULL, OPT_FORCE},
                                          {NULL, 0, NULL, 0}};
    cli_model_options o;
    cli_parser p;
    cli_parser_init(&p, "convert", k_own, CLI_SHARED_VERBOSE, &o);
    int fp16 = 0, force = 0, c;
    while ((c = cli_parser_next(&p, argc, argv)) >= 0) {
        if (c == OPT_FP16) fp16 = 1;
        if (c == OPT_FORCE) force = 1;
    }
    if (c == -2) return 2;
    if (p.help) return convert_usage(), 0;
    if (argc - optind != 2)
        return cli_usage_error("convert",
                               argc - optind > 2 ? "too many arguments" : "give INPUT and OUTPUT");
    const char *target = argv[optind + 1];
    char in[4096], folder[4096], out[4200], side[4400], dest[4400];
    convert_input_path(argv[optind], in, sizeof in, folder, sizeof folder);
    const int to_folder = !ends_with(target, ".safetensors") || is_dir(target);
    if (to_folder)
        snprintf(out, sizeof out, "%s/model.safetensors", target);
    else
        snprintf(out, sizeof out, "%s", target);
    if (!strcmp(in, out)) return cli_usage_error("convert", "INPUT and OUTPUT are the same file");
    if (!exists(in)) /* the converter names the missing file */
        return cli_fail(yoso_checkpoint_convert(in, out, fp16, NULL));
    /* refuse before writing anything */
    const char *clash = !force && exists(out) ? out : NULL;
    for (int i = 0; to_folder && !force && !clash && k_side_files[i]; i++) {
        snprintf(side, sizeof side, "%s/%s", folder, k_side_files[i]);
        snprintf(dest, sizeof dest, "%s/%s", target, k_side_files[i]);
        if (exists(side) && exists(dest) && !same_file(side, dest)) clash = dest;
    }
    if (clash)
        return cli_fail(yoso_error(YOSO_ERR_USAGE, "%s exists: pass --force to replace it", clash));
    yoso_status st = YOSO_OK;
    size_t count = 0;
    if (to_folder && !is_dir(target) && mkdir(target, 0777) != 0)
        st = yoso_error(YOSO_ERR_IO, "cannot create the folder %s: %s", target, strerror(errno));
    if (st == YOSO_OK) st = yoso_checkpoint_convert(in, out, fp16, &count);
    int copied = 0;
    for (int i = 0; st == YOSO_OK && to_folder && k_side_files[i]; i++) {
        snprintf(side, sizeof side, "%s/%s", folder, k_side_files[i]);
        snprintf(dest, sizeof dest, "%s/%s", target, k_side_files[i]);
        if (!exists(side) || same_file(side, dest)) continue;
        if ((st = convert_copy(side, dest)) == YOSO_OK) copied++;
        if (o.verbose && st == YOSO_OK) fprintf(stderr, "yoso: copied %s\n", k_side_files[i]);
    }
    if (st != YOSO_OK) return cli_fail(st);
    fprintf(stderr, "yoso: wrote %zu tensors to %s%s", count, out,
            fp16 ? " (float tensors as F16)" : "");
    if (to_folder)
        fprintf(stderr, " and copied %d config/tokenizer file%s", copied, copied == 1 ? "" : "s");
    fprintf(stderr, "\n");
    return 0;
}

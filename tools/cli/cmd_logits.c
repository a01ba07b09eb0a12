/* cmd_logits.c — `yoso logits`: run the model on ids or text, write logits or hidden states .npy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_options.h"
#include "cli_progress.h"
#include "commands.h"
#include "id_matrix.h"
#include "npy.h"

static void logits_usage(void) {
    printf("usage: yoso logits (--ids IDS | --text TEXT) [--attention-mask MASK] [--hidden] --out "
           "FILE.npy [options]\n\n"
           "Runs the model and writes float32 [batch, seq, vocab] logits (or [batch, seq, hidden]\n"
           "with --hidden) to a NumPy .npy file.\n\n"
           "      --ids IDS          token ids: rows separated by ';', ids by ',' "
           "(\"0,5,6,2;0,7,2,1\")\n"
           "      --attention-mask MASK  0/1 per token, same shape as --ids (padding gets 0)\n"
           "      --text TEXT        tokenize TEXT with the model folder's tokenizer instead of "
           "--ids\n"
           "      --hidden           write the last hidden states instead of logits\n"
           "      --out FILE.npy     output file (written atomically)\n%s",
           cli_options_help(CLI_SHARED_ALL));
}

/* Tokenizes text with the model folder's tokenizer into one row of ids. */
static int logits_tokenize(const char *dir, const char *text, int32_t **ids, int *cols) {
    yoso_tokenizer *tok = NULL;
    size_t n = 0;
    yoso_status st = yoso_tokenizer_load(dir, &tok);
    if (st == YOSO_OK)
        st = yoso_tokenizer_encode(tok, text, strlen(text), YOSO_TOKENIZE_ADD_SPECIAL, 0, ids, &n);
    yoso_tokenizer_free(tok);
    if (st != YOSO_OK) return cli_fail(st);
    *cols = (int)n;
    return 0;
}

/* Fails early (before the forward pass) when the output file cannot be written, with the same
 * message the writer would give. */
static int logits_check_output(const char *path) {
    char dir[4096];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_fail(yoso_error(YOSO_ERR_IO, "cannot write %s: %s", path, strerror(EISDIR)));
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) != 0) {
        int e = stat(dir, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : EACCES;
        return cli_fail(yoso_error(YOSO_ERR_IO, "cannot write %s: %s", path, strerror(e)));
    }
    return 0;
}

int cmd_logits(int argc, char **argv) {
    enum { OPT_HIDDEN = 256, OPT_IDS, OPT_MASK, OPT_TEXT, OPT_OUT };
    static const struct option k_own[] = {{"hidden", no_argument, NULL, OPT_HIDDEN},
                                          {"ids", required_argument, NULL, OPT_IDS},
                                          {"attention-mask", required_argument, NULL, OPT_MASK},
                                          {"text", required_argument, NULL, OPT_TEXT},
                                          {"out", required_argument, NULL, OPT_OUT},
                                          {NULL, 0, NULL, 0}};
    cli_model_options o;
    cli_parser p;
    cli_parser_init(&p, "logits", k_own, CLI_SHARED_ALL, &o);
    const char *ids_text = NULL, *mask_text = NULL, *text = NULL, *out_path = NULL;
    int hidden = 0, rc = 0, c;
    while ((c = cli_parser_next(&p, argc, argv)) >= 0) {
        switch (c) {
        case OPT_HIDDEN: hidden = 1; break;
        case OPT_IDS: ids_text = optarg; break;
        case OPT_MASK: mask_text = optarg; break;
        case OPT_TEXT: text = optarg; break;
        case OPT_OUT: out_path = optarg; break;
        }
    }
    if (c == -2) return 2;
    if (p.help) return logits_usage(), 0;
    if (optind < argc)
        return cli_usage_error("logits", "unexpected argument '%s' (the text goes in --text)",
                               argv[optind]);
    if (!out_path) return cli_usage_error("logits", "--out FILE.npy is required");
    if (!ids_text == !text)
        return cli_usage_error("logits", "give exactly one of --ids and --text");
    int32_t *ids = NULL, *mask = NULL;
    float *out = NULL;
    int batch = 1, seq = 0, mrows = 0, mcols = 0;
    char err[256];
    yoso_context *ctx = NULL;
    yoso_model *model = NULL;
    if (ids_text && !id_matrix_parse(ids_text, &ids, &batch, &seq, err, sizeof err)) {
        rc = cli_usage_error("logits", "--ids: %s", err);
        goto done;
    }
    if (text && (rc = logits_tokenize(cli_model_dir(&o), text, &ids, &seq))) goto done;
    if (mask_text) {
        if (!id_matrix_parse(mask_text, &mask, &mrows, &mcols, err, sizeof err)) {
            rc = cli_usage_error("logits", "--attention-mask: %s", err);
            goto done;
        }
        if (mrows != batch || mcols != seq) {
            rc = cli_usage_error("logits", "--attention-mask is %d×%d but the ids are %d×%d", mrows,
                                 mcols, batch, seq);
            goto done;
        }
    }
    if ((rc = logits_check_output(out_path))) goto done;
    if ((rc = cli_open_model(&o, &ctx, &model))) goto done;
    yoso_model_info info;
    yoso_model_get_info(model, &info);
    int64_t width = hidden ? info.hidden_size : info.vocab_size;
    out = malloc((size_t)batch * seq * width * sizeof(float));
    if (!out) {
        rc = cli_fail(yoso_error_oom());
        goto done;
    }
    cli_progress_start("running the model on %d×%d tokens", batch, seq);
    double t0 = yoso_now();
    yoso_status st = hidden ? yoso_model_hidden(model, batch, seq, ids, mask, out)
                            : yoso_model_logits(model, batch, seq, ids, mask, out);
    cli_progress_stop();
    if (st == YOSO_OK && o.verbose)
        fprintf(stderr, "yoso: %d×%d tokens: forward in %.2f s\n", batch, seq, yoso_now() - t0);
    if (st == YOSO_OK) {
        int64_t shape[3] = {batch, seq, width};
        st = yoso_npy_write_f32(out_path, out, 3, shape);
    }
    if (st != YOSO_OK) rc = cli_fail(st);
done:
    yoso_model_free(model);
    yoso_context_free(ctx);
    free(ids);
    free(mask);
    free(out);
    return rc;
}

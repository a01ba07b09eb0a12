/* commands.h — the yoso subcommands; each lives in its own cmd_<name>.c. */
#ifndef YOSO_CLI_COMMANDS_H
#define YOSO_CLI_COMMANDS_H

/* Every subcommand: X(name, function, alias or NULL, one-line summary), in the order of
 * `yoso --help`. */
#define YOSO_COMMANDS(X)                                                                           \
    X("fill-mask", cmd_fill_mask, NULL, "predict the <mask> / [MASK] tokens of each text")         \
    X("feature-extraction", cmd_feature_extraction, "embed",                                       \
      "hidden states per token, or pooled sentence vectors (alias embed)")                         \
    X("question-answering", cmd_question_answering, "qa",                                          \
      "answer a question from each context (alias qa)")                                            \
    X("text-classification", cmd_text_classification, "classify",                                  \
      "labels and scores of each text or text pair (alias classify)")                              \
    X("multiple-choice", cmd_multiple_choice, "choice",                                            \
      "score the choices for each prompt (alias choice)")                                          \
    X("token-classification", cmd_token_classification, "ner",                                     \
      "the entities of each text: per token or grouped (alias ner)")                               \
    X("logits", cmd_logits, NULL, "run the model on ids or text and write logits to a .npy file")  \
    X("tokenize", cmd_tokenize, NULL, "print the token ids of each text")                          \
    X("convert", cmd_convert, NULL,                                                                \
      "rewrite pytorch_model.bin as model.safetensors (optionally fp16)")                          \
    X("devices", cmd_devices, NULL, "list the OpenCL devices and mark the default")                \
    X("tune", cmd_tune, NULL, "tune CLBlast's GEMM for the device and store the parameters")       \
    X("version", cmd_version, NULL,                                                                \
      "print the versions of yoso, OpenCL and CLBlast (also --version)")                           \
    X("serve", cmd_serve, NULL, "an HTTP server: every pipeline, embeddings, tokenize (src/server)")

/* Each returns the process exit code (0 ok, 2 bad usage/input, 1 runtime failure). argv[0] is the
 * subcommand's name. */
#define YOSO_COMMAND_DECLARE(name, function, alias, summary) int function(int argc, char **argv);
YOSO_COMMANDS(YOSO_COMMAND_DECLARE)

#endif

/* commands.h — the yoso subcommands; each lives in its own cmd_<name>.c. */
#ifndef YOSO_CLI_COMMANDS_H
#define YOSO_CLI_COMMANDS_H

/* Each returns the process exit code (0 ok, 2 bad usage/input, 1 runtime failure). argv[0] is the
 * subcommand's name. */
int cmd_devices(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_logits(int argc, char **argv);
int cmd_fill_mask(int argc, char **argv);
int cmd_feature_extraction(int argc, char **argv);
int cmd_text_classification(int argc, char **argv);
int cmd_multiple_choice(int argc, char **argv);
int cmd_token_classification(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_question_answering(int argc, char **argv);

#endif

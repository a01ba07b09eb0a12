/* yoso.h — public C API of yoso-cl: the YOSO masked language model on any OpenCL device.
 *
 * Every function returns a yoso_status. On failure, yoso_last_error() holds one line that says
 * what failed and what to do about it (thread-local, valid until the next failing call).
 * Objects are opaque; each *_create / *_load has a matching *_free that accepts NULL.
 */
#ifndef YOSO_H
#define YOSO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status ---- */

typedef enum yoso_status {
    YOSO_OK = 0,
    YOSO_ERR_USAGE,       /* a bad argument from the caller (exit code 2) */
    YOSO_ERR_INPUT,       /* bad input data: text, ids, a malformed file (exit code 2) */
    YOSO_ERR_UNSUPPORTED, /* a valid file asking for something we do not implement (exit 2) */
    YOSO_ERR_NOT_FOUND,   /* a file or device that does not exist (exit code 2) */
    YOSO_ERR_IO,          /* the file system failed: read, write, rename (exit code 1) */
    YOSO_ERR_NO_MEMORY,   /* host or device memory exhausted (exit code 1) */
    YOSO_ERR_OPENCL,      /* an OpenCL or CLBlast call failed (exit code 1) */
    YOSO_ERR_NO_DRIVER,   /* no OpenCL platform at all (exit code 1) */
    YOSO_ERR_INTERRUPTED, /* the user interrupted the run (exit code 1) */
    YOSO_STATUS_COUNT
} yoso_status;

/* The enum's name as text, e.g. "YOSO_ERR_INPUT". */
const char *yoso_status_string(yoso_status status);
/* The CLI exit code for a status: 0 ok, 2 bad usage or input, 1 runtime failure. */
int yoso_status_exit_code(yoso_status status);
/* The one-line message of the last failure on this thread ("" if none). */
const char *yoso_last_error(void);

/* --------------------------------------------------------------- devices ---- */

typedef struct yoso_device_info {
    int platform_index, device_index; /* "P:D" */
    char name[256];
    char platform_name[256];
    char type[16]; /* "GPU", "CPU", "ACCELERATOR", "OTHER" */
    unsigned compute_units;
    uint64_t global_mem_bytes;
    uint64_t max_alloc_bytes;
    char opencl_c_version[64];
    int has_fp16;
    int is_default;             /* the device a default selection would pick */
    char driver_version[128];   /* CL_DRIVER_VERSION */
    char platform_version[256]; /* CL_PLATFORM_VERSION, e.g. "OpenCL 3.0 PoCL 3.1 …" */
} yoso_device_info;

/* Lists every OpenCL device of every platform; *out is malloc'ed, free() it. */
yoso_status yoso_device_list(yoso_device_info **out, size_t *count);

/* Describes the device a context created with this spec would use ("P:D", a name substring,
 * or NULL: $YOSO_DEVICE, else prefer a GPU); YOSO_ERR_NOT_FOUND when nothing matches. */
yoso_status yoso_device_find(const char *spec, yoso_device_info *info);

/* A device with its context, queue and compiled kernels. */
typedef struct yoso_context yoso_context;

typedef struct yoso_context_options {
    const char *device_spec; /* "P:D", a name substring, or NULL: $YOSO_DEVICE, else prefer a GPU */
    const char
        *cache_dir; /* NULL: $YOSO_CACHE_DIR, else $XDG_CACHE_HOME/yoso, else ~/.cache/yoso */
    int no_cache;   /* 1: never read or write compiled programs or packed weights on disk */
    int verbose;    /* 1: timings and cache decisions on stderr */
    int recheck;    /* 1: run the device's self-check even when a verdict is cached */
    int background; /* 1: build the kernels and run the self-check on a thread of their own, so
                       that the caller can load a model meanwhile (a model loaded then has that
                       thread build the kernels it needs beyond those: LSH attention's); the
                       first use of a kernel, or yoso_context_wait, waits for them and returns
                       their failure */
} yoso_context_options;

yoso_status yoso_context_create(const yoso_context_options *options, yoso_context **out);
/* Waits until the context's kernels are ready (at once unless created with `background`), and
 * those a model loaded meanwhile asked for, and returns what preparing the context's returned:
 * the error a synchronous yoso_context_create would have (a model's kernel that failed reports
 * its error when the model first runs it). */
yoso_status yoso_context_wait(yoso_context *ctx);
void yoso_context_free(yoso_context *ctx);
/* The chosen device, as yoso_device_list describes it. */
const yoso_device_info *yoso_context_device(const yoso_context *ctx);
/* The device's self-check verdict (known-answer probes run once per device + driver), e.g.
 * "passed" or "passed; loops capped at 65535 iterations by the driver: long loops split". */
const char *yoso_context_self_check(const yoso_context *ctx);
/* The verdict a context on this device would read from its cache (options: device_spec and the
 * cache folder, as for yoso_context_create), without compiling kernels or running probes: copies
 * "passed…" or "FAILED: …" into verdict, or "" when this device + driver has not been checked yet
 * (creating a context on it runs the check). YOSO_ERR_NOT_FOUND when no device matches. */
yoso_status yoso_device_cached_self_check(const yoso_context_options *options, char *verdict,
                                          size_t size);
/* How many programs this context loaded from the disk cache / compiled from source. */
void yoso_context_cache_stats(const yoso_context *ctx, int *hits, int *builds);

/* ------------------------------------------------------------- tokenizer ---- */

typedef struct yoso_tokenizer yoso_tokenizer;

enum {
    YOSO_TOKENIZE_ADD_SPECIAL = 1, /* wrap the pieces in <s> … </s> */
    YOSO_TOKENIZE_TRUNCATE = 2     /* cut to max_length instead of failing */
};

/* Loads vocab.json + merges.txt, or tokenizer.json, and the special-token files from a folder. */
yoso_status yoso_tokenizer_load(const char *dir, yoso_tokenizer **out);
void yoso_tokenizer_free(yoso_tokenizer *tok);
/* Encodes UTF-8 text; *ids is malloc'ed. Fails on invalid UTF-8 or (without TRUNCATE) on more than
 * max_length ids (0 = no limit). `[MASK]` and `<mask>` both become the mask token. */
yoso_status yoso_tokenizer_encode(const yoso_tokenizer *tok, const char *text, size_t len,
                                  int flags, size_t max_length, int32_t **ids, size_t *count);
/* Where one token came from in the input text. start/end are in Unicode characters (code
 * points), exactly Hugging Face's offset_mapping (return_offsets_mapping=True, trim_offsets as the
 * tokenizer says: a token's leading "Ġ" space is not part of its span); byte_start/byte_end are
 * the same span in bytes of the UTF-8 text. <s>, </s> and other added specials of the template
 * get 0, 0. A token that covers part of a multi-byte character spans the whole character.
 * word is HF's word_ids(): the pre-tokenized word (one GPT-2 regex piece, or an added token)
 * the token belongs to, counted from 0 in this text; YOSO_NO_WORD for the template's <s>, </s>. */
typedef struct yoso_token_span {
    size_t start, end;
    size_t byte_start, byte_end;
    size_t word;
} yoso_token_span;
#define YOSO_NO_WORD ((size_t)-1)
/* yoso_tokenizer_encode, also returning each id's span in the text; *spans is malloc'ed,
 * [count] entries. */
yoso_status yoso_tokenizer_encode_offsets(const yoso_tokenizer *tok, const char *text, size_t len,
                                          int flags, size_t max_length, int32_t **ids,
                                          yoso_token_span **spans, size_t *count);
/* Decodes ids to UTF-8 (invalid bytes become U+FFFD); skip_special drops <s>, </s>, <pad>, <mask>…
 * *text is malloc'ed and NUL-terminated. */
yoso_status yoso_tokenizer_decode(const yoso_tokenizer *tok, const int32_t *ids, size_t count,
                                  int skip_special, char **text);
/* Joins vocabulary strings into text as Hugging Face's convert_tokens_to_string does with the
 * ByteLevel decoder: each token's characters back to bytes (a token with any character outside
 * the byte alphabet, such as an already decoded " São", keeps its own UTF-8 bytes), then UTF-8
 * with each invalid stretch as U+FFFD. *text is malloc'ed and NUL-terminated. */
yoso_status yoso_tokenizer_tokens_to_string(const yoso_tokenizer *tok, const char *const *tokens,
                                            size_t count, char **text);
/* The token's string as stored in the vocabulary (e.g. "Ġcapital"), or NULL if out of range. */
const char *yoso_tokenizer_id_to_token(const yoso_tokenizer *tok, int32_t id);
/* The id of a vocabulary string, or -1. */
int32_t yoso_tokenizer_token_to_id(const yoso_tokenizer *tok, const char *token);
size_t yoso_tokenizer_vocab_size(const yoso_tokenizer *tok);
int32_t yoso_tokenizer_mask_id(const yoso_tokenizer *tok);
int32_t yoso_tokenizer_pad_id(const yoso_tokenizer *tok);
int32_t yoso_tokenizer_unk_id(const yoso_tokenizer *tok);
/* tokenizer_config.json's model_max_length (where HF's truncation=True cuts), or 0 when it gives
 * none (or HF's "no limit", 1e30). */
size_t yoso_tokenizer_model_max_length(const yoso_tokenizer *tok);

/* ----------------------------------------------------------- GEMM tuning ---- */

/* The file holding this device's tuned CLBlast parameters: <cache>/clblast/<device hash>.txt
 * ("" when caching is off). Lines: "<kernel> NAME=VALUE NAME=VALUE ...", e.g. "Xgemm KWG=32 …". */
void yoso_tuning_path(const yoso_context *ctx, char *out, size_t n);
/* Writes the lines (one kernel each, as above) to this device's tuning file, atomically. */
yoso_status yoso_tuning_store(const yoso_context *ctx, const char *const *lines, int count);
/* A short search: times `configs` valid Xgemm parameter sets (a fixed, spread-out sample of
 * CLBlast's search space) on a size³ SGEMM and leaves the fastest applied; writes it as an
 * "Xgemm …" line into best and its rate into *gflops. Each try compiles CLBlast's kernel. */
yoso_status yoso_tuning_search(yoso_context *ctx, size_t size, int configs, char *best,
                               size_t best_len, double *gflops);
/* GFLOP/s of one size³ SGEMM through CLBlast with the parameters now in force (the second of
 * two runs; the first compiles). */
yoso_status yoso_tuning_measure(yoso_context *ctx, size_t size, double *gflops);
/* Parses and applies one "<kernel> NAME=VALUE ..." line (PRECISION=… is skipped). */
yoso_status yoso_tuning_apply_line(const yoso_context *ctx, const char *line);

/* ------------------------------------------------------------ checkpoints ---- */

/* Converts a checkpoint (pytorch_model.bin, a PyTorch zip or legacy pickle, or safetensors) into
 * a safetensors file at out_path, float tensors as F16 when fp16; *tensors (may be NULL) gets
 * how many were written. No pickle code is ever run; out_path is replaced atomically. */
yoso_status yoso_checkpoint_convert(const char *in_path, const char *out_path, int fp16,
                                    size_t *tensors);

/* ----------------------------------------------------------------- model ---- */

typedef struct yoso_model yoso_model;

typedef enum yoso_attention {
    YOSO_ATTENTION_CONFIG = 0,  /* whatever config.json's use_expectation says */
    YOSO_ATTENTION_EXPECTATION, /* YOSO-E: the exact expectation of the collision probability */
    YOSO_ATTENTION_LSH          /* the paper's sampled, linear-cost hashing */
} yoso_attention;

typedef struct yoso_model_options {
    yoso_attention attention;
    int num_hash;              /* 0: config.json's num_hash */
    int hash_code_len;         /* 0: config.json's hash_code_len */
    uint64_t seed;             /* LSH random signs */
    int fp16_weights;          /* 1: store weights as half on the device */
    const char *lsh_dmat_path; /* NULL, or a safetensors file of explicit ±1 signs (DESIGN §3) */
    int verbose;
} yoso_model_options;

/* Reads config.json and model.safetensors or pytorch_model.bin from dir and uploads the weights. */
yoso_status yoso_model_load(yoso_context *ctx, const char *dir, const yoso_model_options *options,
                            yoso_model **out);
void yoso_model_free(yoso_model *model);

/* What a checkpoint is, as config.json's `architectures` names it (and its tensors confirm). */
typedef enum yoso_architecture {
    YOSO_ARCHITECTURE_BASE = 0,                /* YosoModel: hidden states only */
    YOSO_ARCHITECTURE_MASKED_LM,               /* YosoForMaskedLM */
    YOSO_ARCHITECTURE_SEQUENCE_CLASSIFICATION, /* YosoForSequenceClassification */
    YOSO_ARCHITECTURE_TOKEN_CLASSIFICATION,    /* YosoForTokenClassification */
    YOSO_ARCHITECTURE_QUESTION_ANSWERING,      /* YosoForQuestionAnswering */
    YOSO_ARCHITECTURE_MULTIPLE_CHOICE          /* YosoForMultipleChoice */
} yoso_architecture;

/* config.json's problem_type (sequence classification). */
typedef enum yoso_problem_type {
    YOSO_PROBLEM_DEFAULT = 0, /* absent: HF picks by num_labels */
    YOSO_PROBLEM_SINGLE_LABEL,
    YOSO_PROBLEM_MULTI_LABEL,
    YOSO_PROBLEM_REGRESSION
} yoso_problem_type;

typedef struct yoso_model_info {
    int vocab_size, hidden_size, num_layers, num_heads, intermediate_size, max_tokens;
    int pad_token_id, bos_token_id, eos_token_id;
    yoso_architecture architecture;
    int num_labels; /* config.json's id2label size (2 when absent, as in HF) */
    yoso_problem_type problem_type;
} yoso_model_info;
void yoso_model_get_info(const yoso_model *model, yoso_model_info *info);
/* config.json's id2label[i] ("LABEL_<i>" when absent), or NULL outside 0..num_labels-1. */
const char *yoso_model_label(const yoso_model *model, int i);
/* The HF class name of an architecture ("YosoForSequenceClassification"). */
const char *yoso_architecture_name(yoso_architecture arch);

/* The forward pass. ids and mask are [batch, seq] row-major; mask may be NULL (all ones).
 * Output modes: all logits [batch, seq, vocab]; last hidden states [batch, seq, hidden];
 * or logits only at the `npos` flat positions (b*seq + t) listed in `positions`: [npos, vocab]. */
yoso_status yoso_model_logits(yoso_model *model, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, float *out);
yoso_status yoso_model_hidden(yoso_model *model, int batch, int seq, const int32_t *ids,
                              const int32_t *mask, float *out);
yoso_status yoso_model_logits_at(yoso_model *model, int batch, int seq, const int32_t *ids,
                                 const int32_t *mask, const int32_t *positions, int npos,
                                 float *out);
/* The task head's logits, as the HF class computes them (no softmax): sequence classification
 * [batch, num_labels] from each row's <s> (dense, gelu, out_proj); token classification
 * [batch, seq, num_labels]; question answering [batch, seq, 2] (start, end logit per token);
 * multiple choice [batch] (one logit per row: give each (prompt, choice) pair as a row, choices
 * of one question side by side). YOSO_ERR_UNSUPPORTED for a base or masked-LM checkpoint. */
yoso_status yoso_model_head_logits(yoso_model *model, int batch, int seq, const int32_t *ids,
                                   const int32_t *mask, float *out);

/* ------------------------------------------------------------- fill-mask ---- */

/* One input of the fill-mask pipeline (Hugging Face's `pipeline("fill-mask")` semantics). */
typedef struct yoso_fill_request {
    const char *text;           /* UTF-8, with one or more <mask> / [MASK] */
    int top_k;                  /* predictions per mask, 1..vocab (HF default 5) */
    const char *const *targets; /* NULL, or words to restrict the scores to */
    int num_targets;
} yoso_fill_request;

typedef struct yoso_prediction {
    double score;    /* softmax probability over the whole vocabulary */
    int32_t token;   /* the predicted id */
    char *token_str; /* tokenizer.decode([token]) */
    char *sequence;  /* the input with this prediction filled in, decoded */
} yoso_prediction;

typedef struct yoso_fill_result {
    int num_masks;                /* masks in the input, in order */
    int top_k;                    /* predictions per mask (capped by the number of targets) */
    yoso_prediction *predictions; /* [num_masks × top_k], best first within each mask */
} yoso_fill_result;

/* Runs `count` requests as padded batches (inputs of like length together, at most a quarter of
 * a forward pass's tokens padding), the LM head only at the masks.
 * results[count] are filled; release each with yoso_fill_result_release. A bad request fails
 * the call with a message that starts "input I: " (its index). top_k is capped at the number of
 * targets, as in HF; top_k < 1 is an error (HF returns an empty list for 0). */
yoso_status yoso_fill_mask(yoso_model *model, const yoso_tokenizer *tok,
                           const yoso_fill_request *requests, int count, yoso_fill_result *results);
void yoso_fill_result_release(yoso_fill_result *result);
/* One result as Hugging Face's pipeline JSON, on one line: a list of {score, token, token_str,
 * sequence} for one mask, a list of such lists for several. *json is malloc'ed. */
yoso_status yoso_fill_result_json(const yoso_fill_result *result, char **json);

/* A batch collected one request at a time (streaming: add what is waiting, then run it). */
typedef struct yoso_fill_batch yoso_fill_batch;

yoso_status yoso_fill_batch_create(yoso_model *model, const yoso_tokenizer *tok,
                                   yoso_fill_batch **out);
/* Tokenizes and checks one request (text, masks, top_k, targets); nothing of it needs to outlive
 * the call. A bad request is not added, and its message names no index. */
yoso_status yoso_fill_batch_add(yoso_fill_batch *batch, const yoso_fill_request *request);
/* The number of requests added since the last run. */
int yoso_fill_batch_count(const yoso_fill_batch *batch);
/* Runs the added requests as yoso_fill_mask does into results[count], in the order added;
 * the batch is empty afterwards, whatever the outcome. */
yoso_status yoso_fill_batch_run(yoso_fill_batch *batch, yoso_fill_result *results);
void yoso_fill_batch_free(yoso_fill_batch *batch);

/* ---------------------------------------------------- feature-extraction ---- */

/* How hidden states become one vector (sentence-transformers' pooling; HF's pipeline has none). */
typedef enum yoso_pooling {
    YOSO_POOLING_NONE = 0, /* every token's state, [tokens][hidden], as HF's pipeline returns */
    YOSO_POOLING_CLS,      /* the first token's (<s>) state */
    YOSO_POOLING_MEAN,     /* the mean over the input's tokens, <s> and </s> included */
    YOSO_POOLING_COUNT
} yoso_pooling;

/* One input of the feature-extraction pipeline (HF's `pipeline("feature-extraction")`: the last
 * hidden states of the encoder, the `yoso.` body of a head checkpoint included). */
typedef struct yoso_feature_request {
    const char *text;      /* UTF-8 */
    const char *text_pair; /* NULL, or a second segment, encoded as RoBERTa pairs:
                            * <s> text </s></s> text_pair </s> */
    const int32_t *ids;    /* NULL, or ids already tokenized (specials included): used instead
                            * of text and text_pair */
    size_t num_ids;
    yoso_pooling pooling; /* 0: none, HF's output */
    int normalize;        /* 1: divide each vector (each token's, unpooled) by its L2 norm */
    int truncation;       /* 1: as HF's truncation=True, cut to the tokenizer's model_max_length
                           * (or the model's limit, if smaller) instead of failing: a pair's
                           * longer segment first, as HF's fast tokenizer; ids keep their head */
} yoso_feature_request;

typedef struct yoso_feature_result {
    int tokens;           /* the input's length in tokens, specials included */
    int rows;             /* tokens when unpooled, else 1 */
    int dim;              /* the hidden size */
    yoso_pooling pooling; /* as requested */
    float *values;        /* [rows, dim] */
} yoso_feature_result;

/* Runs `count` requests as one right-padded batch (one forward pass) into results[count];
 * release each with yoso_feature_result_release. A bad request fails the call with a message that
 * starts "input I: "; an input longer than the model takes is YOSO_ERR_INPUT unless truncation. */
yoso_status yoso_feature_extraction(yoso_model *model, const yoso_tokenizer *tok,
                                    const yoso_feature_request *requests, int count,
                                    yoso_feature_result *results);
void yoso_feature_result_release(yoso_feature_result *result);
/* One result as JSON on one line: unpooled exactly HF's pipeline output, [[[h0...], ...]]
 * ([1][tokens][hidden]); pooled a flat list [hidden]. *json is malloc'ed. */
yoso_status yoso_feature_result_json(const yoso_feature_result *result, char **json);
/* Writes results[count] as one float32 .npy file (atomically): one unpooled result [tokens,
 * hidden], one pooled [hidden]; several pooled [count, hidden], several unpooled of one length
 * [count, tokens, hidden] (different lengths are YOSO_ERR_USAGE: pool them, or one file each). */
yoso_status yoso_feature_results_npy(const char *path, const yoso_feature_result *results,
                                     int count);
/* Pools one input's hidden states [tokens, dim] into out: [dim] (CLS or mean), or a copy of
 * [tokens, dim] for YOSO_POOLING_NONE; normalize divides each vector by max(L2 norm, 1e-12), as
 * torch's F.normalize. Sums run in double. */
yoso_status yoso_feature_pool(const float *hidden, int tokens, int dim, yoso_pooling pooling,
                              int normalize, float *out);
/* The pooling called name ("none", "cls", "mean"); YOSO_ERR_USAGE naming them otherwise. */
yoso_status yoso_pooling_find(const char *name, yoso_pooling *pooling);
/* The pooling's name, or NULL out of range. */
const char *yoso_pooling_name(yoso_pooling pooling);

/* -------------------------------------------------- token-classification ---- */

/* How the token-classification pipeline fuses tokens into entities (HF's aggregation_strategy). */
typedef enum yoso_aggregation {
    YOSO_AGGREGATION_NONE = 0, /* one entity per token (HF's default) */
    YOSO_AGGREGATION_SIMPLE,  /* adjacent tokens of one tag as a group; a B- tag starts a new one */
    YOSO_AGGREGATION_FIRST,   /* words first (a word takes its first token's label), then SIMPLE */
    YOSO_AGGREGATION_AVERAGE, /* words take the best label of their tokens' mean scores */
    YOSO_AGGREGATION_MAX,     /* words take the label of their most confident token */
    YOSO_AGGREGATION_COUNT
} yoso_aggregation;

/* The strategy's Hugging Face name ("average"), or NULL for a value out of range. */
const char *yoso_aggregation_name(yoso_aggregation aggregation);
/* The strategy called name, in any case as HF accepts it ("Simple"); YOSO_ERR_USAGE naming the
 * strategies when there is none. */
yoso_status yoso_aggregation_find(const char *name, yoso_aggregation *aggregation);

/* One input of the token-classification ("ner") pipeline. */
typedef struct yoso_ner_request {
    const char *text;             /* UTF-8 */
    yoso_aggregation aggregation; /* 0: none */
    /* Entities whose label (NONE) or entity group (the others) is listed are dropped. NULL: HF's
     * default ["O"]; otherwise num_ignore_labels names, 0 meaning keep every entity. Each must be
     * a label of the model or the tag of one ("PER" of "B-PER"). */
    const char *const *ignore_labels;
    int num_ignore_labels;
} yoso_ner_request;

/* One entity: a token (NONE) or a group of tokens (the other strategies). */
typedef struct yoso_ner_entity {
    char *entity;      /* the label, "B-PER"; aggregated: the entity group, "PER" */
    double score;      /* the softmax probability of the label; a group's mean */
    int index;         /* NONE: the token's position in the encoding (<s> is 0); else -1 */
    char *word;        /* NONE: the vocabulary token ("Ġand"); else the tokens' decoded text */
    size_t start, end; /* the span in the text, in Unicode characters (HF's offsets) */
} yoso_ner_entity;

typedef struct yoso_ner_result {
    yoso_aggregation aggregation;
    int count;                 /* entities, in text order */
    yoso_ner_entity *entities; /* [count] */
} yoso_ner_result;

/* Runs `count` requests as one right-padded batch through a YosoForTokenClassification and
 * reproduces HF's TokenClassificationPipeline: <s> and </s> skipped, softmax per token, words
 * (a token not touching a space continues the previous word), B-/I- grouping, ignore_labels
 * last. results[count] are filled; release each with yoso_ner_result_release. A bad request
 * fails the call with a message that starts "input I: "; another checkpoint class is
 * YOSO_ERR_UNSUPPORTED naming it; a text longer than the model takes is YOSO_ERR_INPUT. */
yoso_status yoso_token_classification(yoso_model *model, const yoso_tokenizer *tok,
                                      const yoso_ner_request *requests, int count,
                                      yoso_ner_result *results);
void yoso_ner_result_release(yoso_ner_result *result);
/* One result as the pipeline's JSON, on one line: a list of {entity, score, index, word, start,
 * end} (NONE) or of {entity_group, score, word, start, end}. *json is malloc'ed. */
yoso_status yoso_ner_result_json(const yoso_ner_result *result, char **json);

/* --------------------------------------------------------- tasks as JSON ---- */

/* The pipeline tasks, by their Hugging Face names. */
typedef enum yoso_task {
    YOSO_TASK_FILL_MASK = 0,        /* "fill-mask": a YosoForMaskedLM */
    YOSO_TASK_FEATURE_EXTRACTION,   /* "feature-extraction": hidden states of any checkpoint */
    YOSO_TASK_TEXT_CLASSIFICATION,  /* "text-classification" ("sentiment-analysis") */
    YOSO_TASK_TOKEN_CLASSIFICATION, /* "token-classification" ("ner") */
    YOSO_TASK_QUESTION_ANSWERING,   /* "question-answering" */
    YOSO_TASK_MULTIPLE_CHOICE,      /* "multiple-choice" (no HF pipeline: logits and softmax) */
    YOSO_TASK_COUNT
} yoso_task;

/* The task's Hugging Face name ("text-classification"), or NULL for a value out of range. */
const char *yoso_task_name(yoso_task task);
/* The task called name (HF's name or one of its aliases, e.g. "ner"); YOSO_ERR_USAGE naming the
 * known tasks when there is none. */
yoso_status yoso_task_find(const char *name, yoso_task *task);
/* YOSO_OK if the model has what the task needs (the head of its class; feature-extraction runs
 * on every checkpoint); else YOSO_ERR_UNSUPPORTED naming the checkpoint's class and the tasks
 * it can run. */
yoso_status yoso_task_check_model(const yoso_model *model, yoso_task task);
/* The task the checkpoint's class is made for: fill-mask for a YosoForMaskedLM,
 * feature-extraction for a base YosoModel, text-classification for a
 * YosoForSequenceClassification, and so on. */
yoso_task yoso_task_for_model(const yoso_model *model);
/* Runs `count` requests in Hugging Face's inference JSON, {"inputs": ..., "parameters": {...}}
 * (inputs a string, or the task's object such as {"text", "text_pair"}, {"question",
 * "context"}; parameters as the pipeline's keyword arguments, null meaning Python's None), as one
 * padded batch. responses[i] (malloc'ed, one line) is exactly the JSON the pipeline returns. A
 * bad request fails the whole call with a message that starts "input I: "; nothing is returned
 * then. */
yoso_status yoso_task_run_json(yoso_model *model, const yoso_tokenizer *tok, yoso_task task,
                               const char *const *requests, int count, char **responses);

/* --------------------------------------------------- text-classification ---- */

/* top_k meaning every label, sorted (HF's top_k=None). */
#define YOSO_TOP_K_ALL (-1)

/* The function turning a sequence classifier's logits into scores (HF's function_to_apply). */
typedef enum yoso_class_function {
    YOSO_FUNCTION_DEFAULT = 0, /* HF's choice: none for regression, sigmoid for multi-label or one
                                  label, softmax otherwise */
    YOSO_FUNCTION_SOFTMAX,
    YOSO_FUNCTION_SIGMOID,
    YOSO_FUNCTION_NONE
} yoso_class_function;

/* "softmax", "sigmoid", "none" ("default" for YOSO_FUNCTION_DEFAULT). */
const char *yoso_class_function_name(yoso_class_function fn);
/* Parses one of those names (any case, as HF's ClassificationFunction[name.upper()]);
 * YOSO_ERR_USAGE naming the choices otherwise. */
yoso_status yoso_class_function_parse(const char *name, yoso_class_function *fn);

/* One input of the text-classification pipeline (`pipeline("text-classification")`). */
typedef struct yoso_classify_request {
    const char *text;      /* UTF-8 */
    const char *text_pair; /* NULL, or the second segment: <s> text </s></s> text_pair </s> */
    int top_k;             /* 0: HF's default (the best label alone, legacy form); N >= 1: the N
                              best (at most num_labels); YOSO_TOP_K_ALL: every label */
    yoso_class_function function_to_apply;
    int dict; /* the input was HF's {text, text_pair} dict (even without text_pair): at the
                 default top_k the answer is one bare {label, score}, as for a pair */
} yoso_classify_request;

typedef struct yoso_label_score {
    char *label;  /* config.json's id2label */
    double score; /* the logit under function_to_apply, as HF computes it (float32) */
} yoso_label_score;

typedef struct yoso_classify_result {
    int count;                /* entries in labels */
    yoso_label_score *labels; /* best first; equal scores keep the label order */
    int legacy;               /* top_k was the default: HF answers the single best label bare */
    int pair; /* the request had a text_pair or was a dict: the legacy JSON is {..}, not [{..}] */
} yoso_classify_result;

/* Runs `count` requests as one padded batch through a YosoForSequenceClassification checkpoint
 * into results[count] (release each). A bad request fails the call with "input I: ...";
 * another architecture is YOSO_ERR_UNSUPPORTED naming it and the command that fits. */
yoso_status yoso_text_classification(yoso_model *model, const yoso_tokenizer *tok,
                                     const yoso_classify_request *requests, int count,
                                     yoso_classify_result *results);
void yoso_classify_result_release(yoso_classify_result *result);
/* One result as the pipeline's JSON on one line: [{label, score}] for a text at the default
 * top_k, {label, score} for a pair there, otherwise a list of top_k {label, score}. *json is
 * malloc'ed. */
yoso_status yoso_classify_result_json(const yoso_classify_result *result, char **json);

/* ------------------------------------------------------- multiple-choice ---- */

/* One question of YosoForMultipleChoice: each (prompt, choice) pair is a row
 * <s> prompt </s></s> choice </s>. */
typedef struct yoso_choice_request {
    const char *prompt;
    const char *const *choices; /* [num_choices] */
    int num_choices;            /* >= 1 */
} yoso_choice_request;

typedef struct yoso_choice_result {
    int num_choices;
    double *logits; /* [num_choices] the head's logit per choice */
    double *scores; /* [num_choices] their softmax (float32, as torch) */
} yoso_choice_result;

/* Runs every choice of `count` requests as rows of one padded batch through a
 * YosoForMultipleChoice checkpoint into results[count] (release each); errors as
 * yoso_text_classification's. */
yoso_status yoso_multiple_choice(yoso_model *model, const yoso_tokenizer *tok,
                                 const yoso_choice_request *requests, int count,
                                 yoso_choice_result *results);
void yoso_choice_result_release(yoso_choice_result *result);
/* {"logits": [...], "scores": [...]} on one line; *json is malloc'ed. */
yoso_status yoso_choice_result_json(const yoso_choice_result *result, char **json);

/* ---------------------------------------------------- question-answering ---- */

/* doc_stride for windows that do not overlap (HF's doc_stride=0; 0 here is HF's default). */
#define YOSO_QA_NO_STRIDE (-1)

/* One input of the question-answering pipeline (Hugging Face v4's QuestionAnsweringPipeline,
 * the last release that has it). Zero fields mean HF's defaults. */
typedef struct yoso_qa_request {
    const char *question;         /* UTF-8, not empty */
    const char *context;          /* UTF-8, not empty: the text the answers come from */
    int top_k;                    /* answers to return (0: 1); fewer when the context has fewer */
    int max_answer_len;           /* the longest answer in tokens (0: 15) */
    int max_seq_len;              /* tokens per window, question and specials included
                                     (0: 384); capped at the model's maximum */
    int doc_stride;               /* tokens two windows of a long context share (0: min(128,
                                     max_seq_len / 2); YOSO_QA_NO_STRIDE: none) */
    int max_question_len;         /* accepted as HF does (0: 64); like HF's fast tokenizers, the
                                     question is not truncated */
    int handle_impossible_answer; /* 1: the empty answer {start 0, end 0, ""} competes too */
} yoso_qa_request;

/* One answer: a span of the context. */
typedef struct yoso_qa_answer {
    double score;      /* start × end probability, summed over the spans giving this text */
    size_t start, end; /* the span in the context, in Unicode characters (HF's start, end) */
    char *answer;      /* context[start:end] (UTF-8; "" for the impossible answer) */
} yoso_qa_answer;

typedef struct yoso_qa_result {
    int count;               /* answers, best first (at most top_k) */
    yoso_qa_answer *answers; /* [count] */
} yoso_qa_result;

/* Runs `count` requests through a YosoForQuestionAnswering as HF's pipeline does: the pair
 * <s> question </s></s> context </s>, a context longer than max_seq_len split into windows that
 * overlap by doc_stride tokens (truncation="only_second", overflowing tokens), every window of
 * every request one row of one right-padded batch; per window softmax over the context tokens
 * and <s>, the top 2·top_k + 10 spans at most max_answer_len long, widened to whole words, equal
 * texts (case-insensitive) merged by adding their scores; the empty answer scored by the least
 * <s>·<s> probability when handle_impossible_answer. (A context with fewer than 2·top_k + 10
 * spans scoring above 0 fills HF's top list with 0-scored cells, taken here in (start, end)
 * order where numpy's argpartition picks its own: those 0-score answers may differ.)
 * results[count] are filled; release each
 * with yoso_qa_result_release. A bad request fails the call with a message that starts "input
 * I: "; another checkpoint class is YOSO_ERR_UNSUPPORTED naming it and the command that fits. */
yoso_status yoso_question_answering(yoso_model *model, const yoso_tokenizer *tok,
                                    const yoso_qa_request *requests, int count,
                                    yoso_qa_result *results);
void yoso_qa_result_release(yoso_qa_result *result);
/* One result as the pipeline's JSON on one line: {score, start, end, answer} for a single
 * answer, a list of them otherwise. *json is malloc'ed. */
yoso_status yoso_qa_result_json(const yoso_qa_result *result, char **json);

/* ---------------------------------------------------------------- version ---- */

/* The library's version ("0.1.0") and the git revision it was built from ("4596d26", with
 * "-dirty" for uncommitted changes; "unknown" outside a git checkout). */
const char *yoso_version(void);
const char *yoso_git_revision(void);
/* The CLBlast library in use: "1.5.3 (/usr/lib/x86_64-linux-gnu/libclblast.so.1.5.3)". */
const char *yoso_clblast_version(void);

#ifdef __cplusplus
}
#endif
#endif /* YOSO_H */

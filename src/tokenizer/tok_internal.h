/* tok_internal.h — the tokenizer's private data structures, shared by the files of src/tokenizer/.
 *
 * Pipeline (identical to Hugging Face `tokenizers` for RoBERTa / GPT-2):
 *   UTF-8 check → split out added/special tokens (lstrip/rstrip/single_word) → GPT-2 regex
 *   pre-tokenization (PCRE2) → byte-level BPE by merge rank (cached per piece) → <s> … </s>.
 */
#ifndef YOSO_TOK_INTERNAL_H
#define YOSO_TOK_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "error.h"
#include "tokenizer.h"
#include "yoso.h"

/* Ids must be below this (4 Mi: far above any real BPE vocabulary; bounds the per-id tables). */
#define TOK_MAX_ID (1 << 22)

/* ------------------------------------------------------------------------- utf8.c ---- */

/* Returns 1 if bytes[0..n) is strict UTF-8 (no overlongs, surrogates or values past U+10FFFF);
 * otherwise 0 with *bad_at = the offset of the first byte of the first invalid sequence. */
int tok_utf8_validate(const uint8_t *bytes, size_t n, size_t *bad_at);
/* Decodes the code point at bytes[0..n) of already-valid UTF-8; *len gets its byte length. */
uint32_t tok_utf8_decode(const uint8_t *bytes, size_t n, size_t *len);
/* Writes code point cp as UTF-8 into out (room for 4 bytes); returns the byte count. */
size_t tok_utf8_encode(uint32_t cp, uint8_t *out);
/* Length of the maximal invalid prefix at bytes[0..n) the way Rust's from_utf8_lossy and
 * Python's errors="replace" count it (1..3), or 0 if a valid character starts there. */
size_t tok_utf8_invalid_run(const uint8_t *bytes, size_t n);
/* 1 if cp has the Unicode White_Space property (what Rust's regex `\s` matches). */
int tok_is_white_space(uint32_t cp);

/* --------------------------------------------------------------------- byte_map.c ---- */

/* GPT-2's byte → printable code point table (bytes_to_unicode), e.g. ' ' → U+0120 'Ġ'. */
uint32_t tok_byte_to_cp(uint8_t byte);
/* The inverse: the byte a code point stands for, or -1 if cp is not in the table. */
int tok_cp_to_byte(uint32_t cp);

/* ----------------------------------------------------------------------- hash.c ---- */

/* A 64-bit hash of a byte string (fast, non-cryptographic). */
uint64_t tok_hash_bytes(const void *data, size_t n);

/* An open-addressing table of `slot`s (the two maps below): linear probing, grown at half full. */
#define TOK_OPEN_TABLE(slot)                                                                       \
    struct {                                                                                       \
        slot *slots;       /* [capacity] */                                                        \
        uint32_t capacity; /* a power of two */                                                    \
        uint32_t count;    /* slots in use */                                                      \
    }

/* A string → int32 map; keys are borrowed (they must outlive the map). */
typedef struct tok_str_slot {
    const char *key; /* borrowed bytes, NULL = empty slot */
    uint32_t len;    /* key length in bytes */
    uint32_t hash;   /* low 32 bits of tok_hash_bytes(key) */
    int32_t value;
} tok_str_slot;

typedef TOK_OPEN_TABLE(tok_str_slot) tok_str_map;

yoso_status tok_str_map_init(tok_str_map *map, size_t expected);
void tok_str_map_free(tok_str_map *map);
/* Inserts or replaces key → value; returns YOSO_ERR_NO_MEMORY if it cannot grow. */
yoso_status tok_str_map_put(tok_str_map *map, const char *key, size_t len, int32_t value);
/* The value of key, or -1. */
int32_t tok_str_map_get(const tok_str_map *map, const char *key, size_t len);

/* The merge table: (left id, right id) → (rank, merged id), open addressing on a 64-bit key. */
typedef struct tok_pair_slot {
    uint64_t key;   /* (uint64)left << 32 | right; UINT64_MAX = empty */
    uint32_t rank;  /* line index in merges.txt (lower merges first) */
    int32_t merged; /* id of left+right */
} tok_pair_slot;

typedef TOK_OPEN_TABLE(tok_pair_slot) tok_pair_map;

yoso_status tok_pair_map_init(tok_pair_map *map, size_t expected);
void tok_pair_map_free(tok_pair_map *map);
/* Inserts or replaces (left, right) → (rank, merged); a later duplicate wins, as in HF. */
yoso_status tok_pair_map_put(tok_pair_map *map, int32_t left, int32_t right, uint32_t rank,
                             int32_t merged);
/* Looks up (left, right); returns 1 and fills rank/merged if present, else 0. */
static inline int tok_pair_map_get(const tok_pair_map *map, int32_t left, int32_t right,
                                   uint32_t *rank, int32_t *merged) {
    uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
    uint32_t mask = map->capacity - 1;
    uint32_t i = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    for (;;) {
        const tok_pair_slot *s = &map->slots[i];
        if (s->key == key) {
            *rank = s->rank;
            *merged = s->merged;
            return 1;
        }
        if (s->key == UINT64_MAX) return 0;
        i = (i + 1) & mask;
    }
}

/* -------------------------------------------------------------------------- ids ---- */

/* A growable array of token ids. */
typedef struct tok_ids {
    int32_t *data; /* [cap] */
    size_t len, cap;
} tok_ids;

/* Appends n ids (src NULL: n slots for the caller to fill); YOSO_ERR_NO_MEMORY on failure. */
yoso_status tok_ids_append(tok_ids *ids, const int32_t *src, size_t n);

/* ------------------------------------------------------------------ added tokens ---- */

/* A token matched on the raw text before pre-tokenization (HF's AddedToken). */
typedef struct tok_added {
    char *content; /* UTF-8, owned */
    size_t len;    /* content length in bytes */
    int32_t id;
    uint8_t lstrip;       /* absorbs the white space before it */
    uint8_t rstrip;       /* absorbs the white space after it */
    uint8_t single_word;  /* only matches when not inside a word */
    uint8_t normalized;   /* matched in the second pass (HF: against the normalized text) */
    uint8_t special;      /* skipped by decode(skip_special) */
    uint8_t explicit_set; /* flags came from a file, not from a default */
    uint8_t alias;        /* a second spelling ([MASK]): matched, but not its id's name */
} tok_added;

/* A stretch of the input after the added-token split: an added token's id or plain text. */
typedef struct tok_segment {
    size_t start, end; /* byte range of the input */
    int32_t id;        /* the added token's id, or -1 for text to pre-tokenize */
} tok_segment;

typedef struct tok_segments {
    tok_segment *data; /* [cap] */
    size_t len, cap;
} tok_segments;

/* ------------------------------------------------------------------ the tokenizer ---- */

/* Per-call working memory of encode (PCRE2 match data, BPE scratch). */
typedef struct tok_workspace tok_workspace;
/* The cache of BPE results per piece (raw bytes → ids). */
typedef struct tok_bpe_cache tok_bpe_cache;

/* Role names of the special tokens, in the order of tok_role. */
typedef enum tok_role {
    TOK_ROLE_BOS,
    TOK_ROLE_EOS,
    TOK_ROLE_UNK,
    TOK_ROLE_SEP,
    TOK_ROLE_PAD,
    TOK_ROLE_CLS,
    TOK_ROLE_MASK,
    TOK_ROLE_COUNT
} tok_role;

struct yoso_tokenizer {
    /* vocabulary */
    size_t id_count;         /* 1 + the largest id of the vocabulary or the added tokens */
    char **id_tokens;        /* [id_count] vocabulary string of each id (NULL for holes) */
    uint32_t *id_token_len;  /* [id_count] byte length of id_tokens[id] */
    char *token_arena;       /* the bytes id_tokens point into (NUL-terminated strings) */
    tok_str_map vocab;       /* vocabulary string → id (the BPE model's vocabulary) */
    int32_t byte_ids[256];   /* id of the one-byte symbol of each byte */
    uint16_t byte_cp[256];   /* tok_byte_to_cp of each byte, precomputed */
    int ignore_merges;       /* HF BPE ignore_merges: a piece in the vocabulary is one token */
    int add_prefix_space;    /* ByteLevel add_prefix_space: " " before each text segment */
    int from_tokenizer_json; /* the model came from tokenizer.json (its settings win) */
    size_t model_max_length; /* tokenizer_config.json's model_max_length; 0: none given */

    /* merges */
    tok_pair_map merges;

    /* added tokens (specials first) and the [MASK] alias */
    tok_added *added; /* [added_count] */
    size_t added_count, added_cap;
    uint8_t added_first[256]; /* 1 if some added token starts with this byte */
    int has_single_word;      /* any added token has single_word */
    pcre2_code *word_re;      /* one \w character (Rust regex's definition), if has_single_word */
    uint8_t *id_flags;        /* [id_count] TOK_ID_ADDED | TOK_ID_SPECIAL */

    /* roles: ids of <s>, </s>, … and the post-processor's cls/sep */
    int32_t role_ids[TOK_ROLE_COUNT];
    int32_t cls_id, sep_id; /* what ADD_SPECIAL wraps the pieces in */
    int keep_offsets;       /* 1: the post-processor's trim_offsets is false (HF default: trim) */
    int post_prefix_space;  /* the post-processor's add_prefix_space; -1: as add_prefix_space */

    /* decoding: bytes of each id after the ByteLevel decoder */
    uint8_t *dec_bytes; /* arena */
    uint32_t *dec_off;  /* [id_count + 1] offsets into dec_bytes */

    /* pre-tokenizer */
    pcre2_code *split_re; /* the GPT-2 regex, JIT-compiled when possible */
    int split_jit;        /* 1 if split_re has JIT code */

    /* shared cache + workspace, used by whichever call gets the lock (others work alone) */
    pthread_mutex_t lock;
    tok_workspace *shared_ws;
    tok_bpe_cache *cache;
};

enum { TOK_ID_ADDED = 1, TOK_ID_SPECIAL = 2 };

/* ------------------------------------------------------------------- file_util.c ---- */

/* Reads a whole file into a malloc'ed NUL-terminated buffer; NOT_FOUND if it does not exist. */
yoso_status tok_file_read(const char *path, char **data, size_t *size);
/* 1 if dir/name exists as a regular file. */
int tok_file_exists(const char *dir, const char *name);
/* Joins dir and name into a malloc'ed path (NULL if out of memory). */
char *tok_path_join(const char *dir, const char *name);
/* Reads and parses a JSON file; *json is freed with cJSON_Delete. */
struct cJSON;
yoso_status tok_json_read(const char *path, struct cJSON **json);

/* ------------------------------------------------------------------ vocab_load.c ---- */

/* Fills the vocabulary from a JSON object of "token": id pairs (vocab.json or model.vocab). */
yoso_status tok_vocab_from_json(yoso_tokenizer *tok, const struct cJSON *object, const char *what);
/* Adds one merge "left right" with the given rank; `what` names the source in errors. */
yoso_status tok_merge_add(yoso_tokenizer *tok, const char *left, size_t left_len, const char *right,
                          size_t right_len, uint32_t rank, const char *what);
/* Parses merges.txt text (a "#version" header, then one "left right" pair per line). */
yoso_status tok_merges_from_text(yoso_tokenizer *tok, const char *text, size_t size,
                                 const char *what);
/* Loads dir/vocab.json and dir/merges.txt. */
yoso_status tok_load_vocab_merges(yoso_tokenizer *tok, const char *dir);

/* --------------------------------------------------------------- tokenizer_json.c ---- */

/* Loads the BPE model, added tokens and post-processor of dir/tokenizer.json. */
yoso_status tok_load_tokenizer_json(yoso_tokenizer *tok, const char *dir);

/* --------------------------------------------------------------- special_tokens.c ---- */

/* Reads special_tokens_map.json / tokenizer_config.json / added_tokens.json (all optional; none
 * when dir is NULL) and registers the role tokens with RoBERTa's defaults; then adds the `[MASK]`
 * alias. */
yoso_status tok_load_special_tokens(yoso_tokenizer *tok, const char *dir);

/* ----------------------------------------------------------------- added_tokens.c ---- */

/* Registers an added token. If content is already registered, explicit flags replace default
 * ones; otherwise the first registration wins. */
yoso_status tok_added_register(yoso_tokenizer *tok, const char *content, size_t len, int32_t id,
                               const tok_added *flags);
/* The registered added token with this content, or NULL. */
const tok_added *tok_added_find(const yoso_tokenizer *tok, const char *content, size_t len);
/* Builds the lookup helpers (first-byte table, \w regex) once all tokens are registered. */
yoso_status tok_added_finish(yoso_tokenizer *tok);
/* Splits text[0..len) into added-token and plain-text segments, HF's two passes. */
yoso_status tok_added_split(const yoso_tokenizer *tok, const char *text, size_t len,
                            tok_segments *out);

/* ------------------------------------------------------------------- pretokenize.c ---- */

/* Compiles the GPT-2 split regex (UTF + UCP, JIT when available). */
yoso_status tok_pretok_compile(yoso_tokenizer *tok);
/* Called for each piece [start, end) of the segment. */
typedef yoso_status (*tok_piece_fn)(void *ctx, const uint8_t *piece, size_t len);
/* Splits one plain-text segment the way HF's ByteLevel pre-tokenizer does (Isolated). */
yoso_status tok_pretok_split(const yoso_tokenizer *tok, pcre2_match_data *md, const uint8_t *text,
                             size_t len, tok_piece_fn fn, void *ctx);

/* -------------------------------------------------------------------------- bpe.c ---- */

/* Scratch memory of the BPE merge loop, grown on demand. */
typedef struct tok_bpe_scratch {
    struct tok_symbol *symbols; /* [cap] the word's symbols as a linked list */
    uint64_t *heap;             /* [cap] pending merges, rank << 32 | position */
    uint8_t *mapped;            /* [4 * cap] byte-mapped piece (ignore_merges lookups only) */
    size_t cap;
} tok_bpe_scratch;

void tok_bpe_scratch_free(tok_bpe_scratch *s);
/* Appends the BPE ids of one piece (raw bytes) to out. */
yoso_status tok_bpe_word(const yoso_tokenizer *tok, tok_bpe_scratch *s, const uint8_t *piece,
                         size_t len, tok_ids *out);

/* -------------------------------------------------------------------- bpe_cache.c ---- */

yoso_status tok_bpe_cache_create(tok_bpe_cache **out);
void tok_bpe_cache_free(tok_bpe_cache *cache);
/* Looks a piece up; returns 1 and points ids and count into the cache if present. */
int tok_bpe_cache_get(const tok_bpe_cache *cache, const uint8_t *piece, size_t len,
                      const int32_t **ids, size_t *count);
/* Stores a piece's ids (a full cache is emptied first; over-long pieces are not stored). */
void tok_bpe_cache_put(tok_bpe_cache *cache, const uint8_t *piece, size_t len, const int32_t *ids,
                       size_t count);

/* -------------------------------------------------------------------- workspace ---- */

/* Encodes text into out and, when spans is not NULL, each id's input byte span [start, end) and
 * word into spans (three entries per id; <s>, </s> get 0, 0, −1) — the engine behind yoso_tokenizer_encode and
 * yoso_tokenizer_encode_offsets (encode.c). */
yoso_status tok_encode(const yoso_tokenizer *tok, const char *text, size_t len, int flags,
                       size_t max_length, tok_ids *out, tok_ids *spans);

struct tok_workspace {
    pcre2_match_data *md; /* for split_re */
    tok_bpe_scratch bpe;
    tok_segments segments;
    uint8_t *prefixed; /* [prefixed_cap] " " + segment when add_prefix_space */
    size_t prefixed_cap;
};

yoso_status tok_workspace_create(const yoso_tokenizer *tok, tok_workspace **out);
void tok_workspace_free(tok_workspace *ws);

/* ----------------------------------------------------------------------- decode.c ---- */

/* Computes dec_bytes/dec_off: each id's bytes after HF's ByteLevel decoder. */
yoso_status tok_decode_prepare(yoso_tokenizer *tok);

#endif

/* bpe_cache.c — remembers the BPE ids of pieces already seen (most words repeat). Bounded: when
 * full it is emptied and refilled. Not thread-safe by itself; the tokenizer's lock guards it. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

#define CACHE_SLOTS (1u << 17)     /* hash slots (up to half are used) */
#define CACHE_KEY_BYTES (2u << 20) /* bytes of cached pieces longer than CACHE_INLINE_KEY */
#define CACHE_IDS (1u << 19)       /* ids of pieces with more than CACHE_INLINE_IDS ids */
#define CACHE_MAX_PIECE 255        /* longer pieces are not cached (HF does the same) */
#define CACHE_INLINE_KEY 14
#define CACHE_INLINE_IDS 2

/* One cache line holds most entries whole: short pieces and their one or two ids inline. */
typedef struct cache_slot {
    uint64_t hash; /* tok_hash_bytes of the piece; 0 = empty */
    uint8_t key_len, ids_len;
    uint8_t key[CACHE_INLINE_KEY]; /* the piece, or (longer pieces) its uint32 offset in keys */
    int32_t ids[CACHE_INLINE_IDS]; /* the ids, or (more ids) ids[0] = their offset in ids */
} cache_slot;

struct tok_bpe_cache {
    cache_slot *slots; /* [CACHE_SLOTS] */
    uint32_t used;     /* occupied slots */
    uint8_t *keys;     /* [CACHE_KEY_BYTES] long pieces */
    uint32_t keys_len;
    int32_t *ids; /* [CACHE_IDS] long id lists */
    uint32_t ids_len;
};

/* Allocates an empty cache. */
yoso_status tok_bpe_cache_create(tok_bpe_cache **out) {
    tok_bpe_cache *c = calloc(1, sizeof *c);
    if (c) {
        c->slots = calloc(CACHE_SLOTS, sizeof *c->slots);
        c->keys = malloc(CACHE_KEY_BYTES);
        c->ids = malloc(CACHE_IDS * sizeof *c->ids);
    }
    if (!c || !c->slots || !c->keys || !c->ids) {
        tok_bpe_cache_free(c);
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory for the word cache");
    }
    *out = c;
    return YOSO_OK;
}

/* Releases the cache (NULL is fine). */
void tok_bpe_cache_free(tok_bpe_cache *c) {
    if (!c) return;
    free(c->slots);
    free(c->keys);
    free(c->ids);
    free(c);
}

/* The piece's hash, never 0 (0 marks an empty slot). */
static inline uint64_t cache_hash(const uint8_t *piece, size_t len) {
    uint64_t h = tok_hash_bytes(piece, len);
    return h ? h : 1;
}

/* The piece bytes a slot holds. */
static inline const uint8_t *cache_key(const tok_bpe_cache *c, const cache_slot *s) {
    if (s->key_len <= CACHE_INLINE_KEY) return s->key;
    uint32_t off;
    memcpy(&off, s->key, sizeof off);
    return c->keys + off;
}

/* Finds the piece's slot or the empty slot where it belongs. */
static cache_slot *cache_slot_of(const tok_bpe_cache *c, const uint8_t *piece, size_t len,
                                 uint64_t h) {
    uint32_t mask = CACHE_SLOTS - 1, i = (uint32_t)(h >> 40) & mask;
    for (;;) {
        cache_slot *s = &c->slots[i];
        if (!s->hash) return s;
        if (s->hash == h && s->key_len == len && !memcmp(cache_key(c, s), piece, len)) return s;
        i = (i + 1) & mask;
    }
}

/* Looks up a piece. */
int tok_bpe_cache_get(const tok_bpe_cache *c, const uint8_t *piece, size_t len, const int32_t **ids,
                      size_t *count) {
    if (len > CACHE_MAX_PIECE) return 0;
    const cache_slot *s = cache_slot_of(c, piece, len, cache_hash(piece, len));
    if (!s->hash) return 0;
    *ids = s->ids_len <= CACHE_INLINE_IDS ? s->ids : c->ids + s->ids[0];
    *count = s->ids_len;
    return 1;
}

/* Stores a piece's ids, emptying the cache first when it is full. */
void tok_bpe_cache_put(tok_bpe_cache *c, const uint8_t *piece, size_t len, const int32_t *ids,
                       size_t count) {
    if (len > CACHE_MAX_PIECE || count > CACHE_MAX_PIECE) return;
    size_t key_extra = len > CACHE_INLINE_KEY ? len : 0;
    size_t ids_extra = count > CACHE_INLINE_IDS ? count : 0;
    if (c->used + 1 > CACHE_SLOTS / 2 || c->keys_len + key_extra > CACHE_KEY_BYTES ||
        c->ids_len + ids_extra > CACHE_IDS) {
        memset(c->slots, 0, CACHE_SLOTS * sizeof *c->slots);
        c->used = c->keys_len = c->ids_len = 0;
    }
    uint64_t h = cache_hash(piece, len);
    cache_slot *s = cache_slot_of(c, piece, len, h);
    if (s->hash) return; /* already there */
    s->hash = h;
    s->key_len = (uint8_t)len;
    s->ids_len = (uint8_t)count;
    if (key_extra) {
        memcpy(c->keys + c->keys_len, piece, len);
        memcpy(s->key, &c->keys_len, sizeof c->keys_len);
        c->keys_len += (uint32_t)len;
    } else {
        memcpy(s->key, piece, len);
    }
    if (ids_extra) {
        memcpy(c->ids + c->ids_len, ids, count * sizeof *ids);
        s->ids[0] = (int32_t)c->ids_len;
        c->ids_len += (uint32_t)count;
    } else {
        memcpy(s->ids, ids, count * sizeof *ids);
    }
    c->used++;
}

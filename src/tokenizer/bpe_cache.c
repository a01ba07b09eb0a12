/* bpe_cache.c — remembers the BPE ids of pieces already seen (most words repeat). Bounded: when
 * full it is emptied and refilled. Not thread-safe by itself; the tokenizer's lock guards it. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

#define CACHE_SLOTS (1u << 16)         /* hash slots (half may be used) */
#define CACHE_KEY_BYTES (1u << 20)     /* bytes of cached pieces */
#define CACHE_IDS (1u << 18)           /* cached ids */
#define CACHE_MAX_PIECE 256            /* longer pieces are not cached (HF does the same) */

typedef struct cache_slot {
    uint64_t hash;    /* tok_hash_bytes of the piece; 0 = empty */
    uint32_t key_off; /* piece bytes at keys + key_off */
    uint32_t key_len;
    uint32_t ids_off; /* ids at ids + ids_off */
    uint32_t ids_len;
} cache_slot;

struct tok_bpe_cache {
    cache_slot *slots; /* [CACHE_SLOTS] */
    uint32_t used;     /* occupied slots */
    uint8_t *keys;     /* [CACHE_KEY_BYTES] piece bytes */
    uint32_t keys_len;
    int32_t *ids;      /* [CACHE_IDS] */
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

/* Finds the piece's slot or the empty slot where it belongs. */
static cache_slot *cache_slot_of(const tok_bpe_cache *c, const uint8_t *piece, size_t len,
                                 uint64_t h) {
    uint32_t mask = CACHE_SLOTS - 1, i = (uint32_t)(h >> 40) & mask;
    for (;;) {
        cache_slot *s = &c->slots[i];
        if (!s->hash) return s;
        if (s->hash == h && s->key_len == len && !memcmp(c->keys + s->key_off, piece, len))
            return s;
        i = (i + 1) & mask;
    }
}

/* Looks up a piece. */
int tok_bpe_cache_get(const tok_bpe_cache *c, const uint8_t *piece, size_t len,
                      const int32_t **ids, size_t *count) {
    if (len > CACHE_MAX_PIECE) return 0;
    const cache_slot *s = cache_slot_of(c, piece, len, cache_hash(piece, len));
    if (!s->hash) return 0;
    *ids = c->ids + s->ids_off;
    *count = s->ids_len;
    return 1;
}

/* Stores a piece's ids, emptying the cache first when it is full. */
void tok_bpe_cache_put(tok_bpe_cache *c, const uint8_t *piece, size_t len, const int32_t *ids,
                       size_t count) {
    if (len > CACHE_MAX_PIECE || count > CACHE_MAX_PIECE) return;
    if (c->used + 1 > CACHE_SLOTS / 2 || c->keys_len + len > CACHE_KEY_BYTES ||
        c->ids_len + count > CACHE_IDS) {
        memset(c->slots, 0, CACHE_SLOTS * sizeof *c->slots);
        c->used = c->keys_len = c->ids_len = 0;
    }
    uint64_t h = cache_hash(piece, len);
    cache_slot *s = cache_slot_of(c, piece, len, h);
    if (s->hash) return; /* already there */
    memcpy(c->keys + c->keys_len, piece, len);
    memcpy(c->ids + c->ids_len, ids, count * sizeof *ids);
    *s = (cache_slot){h, c->keys_len, (uint32_t)len, c->ids_len, (uint32_t)count};
    c->keys_len += (uint32_t)len;
    c->ids_len += (uint32_t)count;
    c->used++;
}

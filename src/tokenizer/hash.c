/* hash.c — the tokenizer's hash tables (string → id, id pair → merge) and the id array. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* Mixes a 64-bit value (the murmur3 finalizer). */
static inline uint64_t hash_mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

/* Hashes bytes eight at a time. */
uint64_t tok_hash_bytes(const void *data, size_t n) {
    const uint8_t *p = data;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ hash_mix(w)) * 0x9E3779B97F4A7C15ull;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, n);
        h = (h ^ hash_mix(w)) * 0x9E3779B97F4A7C15ull;
    }
    return hash_mix(h);
}

/* Smallest power of two ≥ 2 × expected (load factor ≤ 1/2). */
static uint32_t hash_capacity(size_t expected) {
    uint32_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    return cap;
}

/* Allocates the zeroed slots of an empty table for `expected` keys (both maps' init). */
#define HASH_TABLE_INIT(map, expected)                                                             \
    ((map)->capacity = hash_capacity(expected), (map)->count = 0,                                  \
     (map)->slots = calloc((map)->capacity, sizeof *(map)->slots))

/* Allocates an empty string map sized for `expected` keys. */
yoso_status tok_str_map_init(tok_str_map *map, size_t expected) {
    if (!HASH_TABLE_INIT(map, expected))
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    return YOSO_OK;
}

/* Releases the map's slots (not the borrowed keys). */
void tok_str_map_free(tok_str_map *map) {
    free(map->slots);
    memset(map, 0, sizeof *map);
}

/* Finds the slot of key, or the empty slot where it would go. */
static tok_str_slot *str_map_slot(const tok_str_map *map, const char *key, size_t len,
                                  uint32_t hash) {
    uint32_t mask = map->capacity - 1, i = hash & mask;
    for (;;) {
        tok_str_slot *s = &map->slots[i];
        if (!s->key) return s;
        if (s->hash == hash && s->len == len && !memcmp(s->key, key, len)) return s;
        i = (i + 1) & mask;
    }
}

/* Doubles the table and reinserts every key. */
static yoso_status str_map_grow(tok_str_map *map) {
    tok_str_map bigger;
    yoso_status st = tok_str_map_init(&bigger, map->capacity); /* twice the capacity */
    if (st) return st;
    bigger.count = map->count;
    for (uint32_t i = 0; i < map->capacity; i++) {
        tok_str_slot *s = &map->slots[i];
        if (s->key) *str_map_slot(&bigger, s->key, s->len, s->hash) = *s;
    }
    free(map->slots);
    *map = bigger;
    return YOSO_OK;
}

/* Inserts or replaces key → value. */
yoso_status tok_str_map_put(tok_str_map *map, const char *key, size_t len, int32_t value) {
    if ((size_t)(map->count + 1) * 2 > map->capacity) {
        yoso_status st = str_map_grow(map);
        if (st) return st;
    }
    uint32_t hash = (uint32_t)tok_hash_bytes(key, len);
    tok_str_slot *s = str_map_slot(map, key, len, hash);
    if (!s->key) {
        *s = (tok_str_slot){key, (uint32_t)len, hash, value};
        map->count++;
    } else {
        s->value = value;
    }
    return YOSO_OK;
}

/* Looks a key up. */
int32_t tok_str_map_get(const tok_str_map *map, const char *key, size_t len) {
    if (!map->slots) return -1;
    tok_str_slot *s = str_map_slot(map, key, len, (uint32_t)tok_hash_bytes(key, len));
    return s->key ? s->value : -1;
}

/* Allocates an empty pair map sized for `expected` merges. */
yoso_status tok_pair_map_init(tok_pair_map *map, size_t expected) {
    if (!HASH_TABLE_INIT(map, expected))
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory");
    for (uint32_t i = 0; i < map->capacity; i++) map->slots[i].key = UINT64_MAX;
    return YOSO_OK;
}

/* Releases the pair map. */
void tok_pair_map_free(tok_pair_map *map) {
    free(map->slots);
    memset(map, 0, sizeof *map);
}

/* Finds the slot of key, or the empty slot where it would go. */
static tok_pair_slot *pair_map_slot(const tok_pair_map *map, uint64_t key) {
    uint32_t mask = map->capacity - 1;
    uint32_t i = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (map->slots[i].key != key && map->slots[i].key != UINT64_MAX) i = (i + 1) & mask;
    return &map->slots[i];
}

/* Inserts or replaces a merge. */
yoso_status tok_pair_map_put(tok_pair_map *map, int32_t left, int32_t right, uint32_t rank,
                             int32_t merged) {
    if ((size_t)(map->count + 1) * 2 > map->capacity) {
        tok_pair_map bigger;
        yoso_status st = tok_pair_map_init(&bigger, map->capacity);
        if (st) return st;
        for (uint32_t i = 0; i < map->capacity; i++)
            if (map->slots[i].key != UINT64_MAX)
                *pair_map_slot(&bigger, map->slots[i].key) = map->slots[i];
        bigger.count = map->count;
        free(map->slots);
        *map = bigger;
    }
    uint64_t key = (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
    tok_pair_slot *s = pair_map_slot(map, key);
    if (s->key == UINT64_MAX) map->count++;
    *s = (tok_pair_slot){key, rank, merged};
    return YOSO_OK;
}

/* Appends ids (or just reserves n slots when src is NULL), doubling the capacity. */
yoso_status tok_ids_append(tok_ids *ids, const int32_t *src, size_t n) {
    if (ids->len + n > ids->cap) {
        size_t cap = ids->cap ? ids->cap : 64;
        while (cap < ids->len + n) cap *= 2;
        int32_t *data = realloc(ids->data, cap * sizeof *data);
        if (!data) return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory for ids");
        ids->data = data;
        ids->cap = cap;
    }
    if (src) memcpy(ids->data + ids->len, src, n * sizeof *src); /* NULL: only reserve */
    ids->len += n;
    return YOSO_OK;
}

/* bpe.c — byte-level BPE of one piece: merge the lowest-ranked adjacent pair until none is left,
 * with a min-heap of pending merges (rank, then position) over a linked list of symbols, exactly
 * like HF tokenizers' Word::merge_all. */
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

typedef struct tok_symbol {
    int32_t id;         /* vocabulary id of this symbol */
    int32_t prev, next; /* neighbours in the list, -1 at the ends */
    uint32_t len;       /* bytes covered; 0 once merged into its left neighbour */
    uint32_t rank;      /* rank of the merge of this symbol and the next, UINT32_MAX if none */
    int32_t merged;     /* the id that merge gives */
} tok_symbol;

/* Releases the scratch buffers. */
void tok_bpe_scratch_free(tok_bpe_scratch *s) {
    free(s->symbols);
    free(s->heap);
    free(s->mapped);
    memset(s, 0, sizeof *s);
}

/* Makes room for a piece of n bytes. */
static yoso_status bpe_reserve(tok_bpe_scratch *s, size_t n) {
    if (n <= s->cap) return YOSO_OK;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < n) cap *= 2;
    tok_symbol *symbols = realloc(s->symbols, cap * sizeof *symbols);
    if (symbols) s->symbols = symbols;
    uint64_t *heap = realloc(s->heap, 2 * cap * sizeof *heap);
    if (heap) s->heap = heap;
    uint8_t *mapped = realloc(s->mapped, 2 * cap);
    if (mapped) s->mapped = mapped;
    if (!symbols || !heap || !mapped)
        return yoso_error(YOSO_ERR_NO_MEMORY, "tokenizer: out of memory for a %zu-byte word", n);
    s->cap = cap;
    return YOSO_OK;
}

/* Pushes a key onto the min-heap of n entries. */
static inline void heap_push(uint64_t *heap, size_t *n, uint64_t key) {
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (heap[parent] <= key) break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = key;
}

/* Pops the smallest key of the min-heap. */
static inline uint64_t heap_pop(uint64_t *heap, size_t *n) {
    uint64_t top = heap[0], last = heap[--(*n)];
    size_t i = 0, count = *n;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= count) break;
        if (child + 1 < count && heap[child + 1] < heap[child]) child++;
        if (heap[child] >= last) break;
        heap[i] = heap[child];
        i = child;
    }
    if (count) heap[i] = last;
    return top;
}

/* HF's ignore_merges: the whole piece is one token if the vocabulary has it. */
static int32_t bpe_whole_word(const yoso_tokenizer *tok, tok_bpe_scratch *s, const uint8_t *piece,
                              size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += tok_utf8_encode(tok->byte_cp[piece[i]], s->mapped + n);
    return tok_str_map_get(&tok->vocab, (const char *)s->mapped, n);
}

/* Looks up the merge of the symbol at pos with its right neighbour and queues it. */
static inline void bpe_queue_pair(const yoso_tokenizer *tok, tok_symbol *sym, int32_t pos,
                                  uint64_t *heap, size_t *heap_n) {
    tok_symbol *a = &sym[pos];
    a->rank = UINT32_MAX;
    if (a->next >= 0 &&
        tok_pair_map_get(&tok->merges, a->id, sym[a->next].id, &a->rank, &a->merged))
        heap_push(heap, heap_n, (uint64_t)a->rank << 32 | (uint32_t)pos);
}

/* Runs the merges on one piece and appends the resulting ids. */
yoso_status tok_bpe_word(const yoso_tokenizer *tok, tok_bpe_scratch *s, const uint8_t *piece,
                         size_t len, tok_ids *out) {
    if (len == 1) return tok_ids_append(out, &tok->byte_ids[piece[0]], 1);
    yoso_status st = bpe_reserve(s, len);
    if (st) return st;
    if (tok->ignore_merges) {
        int32_t id = bpe_whole_word(tok, s, piece, len);
        if (id >= 0) return tok_ids_append(out, &id, 1);
    }
    tok_symbol *sym = s->symbols;
    uint64_t *heap = s->heap;
    size_t heap_n = 0;
    for (size_t i = 0; i < len; i++)
        sym[i] = (tok_symbol){tok->byte_ids[piece[i]],
                              (int32_t)i - 1,
                              i + 1 < len ? (int32_t)i + 1 : -1,
                              1,
                              UINT32_MAX,
                              -1};
    for (size_t i = 0; i + 1 < len; i++) bpe_queue_pair(tok, sym, (int32_t)i, heap, &heap_n);
    while (heap_n) {
        uint64_t top = heap_pop(heap, &heap_n);
        int32_t pos = (int32_t)(uint32_t)top;
        tok_symbol *cur = &sym[pos];
        /* stale: merged away, or the pair at pos changed since it was queued (sym[].rank is
         * kept current, and a rank names one pair) */
        if (cur->len == 0 || cur->rank != (uint32_t)(top >> 32)) continue;
        tok_symbol *right = &sym[cur->next];
        cur->id = cur->merged;
        cur->len += right->len;
        right->len = 0;
        cur->next = right->next;
        if (cur->next >= 0) sym[cur->next].prev = pos;
        if (cur->prev >= 0) bpe_queue_pair(tok, sym, cur->prev, heap, &heap_n);
        bpe_queue_pair(tok, sym, pos, heap, &heap_n);
    }
    /* symbol 0 always survives (merges fold the right symbol into the left one) */
    size_t n = 0;
    for (int32_t i = 0; i >= 0; i = sym[i].next) n++;
    if ((st = tok_ids_append(out, NULL, n))) return st; /* reserves n slots */
    int32_t *dst = out->data + out->len - n;
    for (int32_t i = 0; i >= 0; i = sym[i].next) *dst++ = sym[i].id;
    return YOSO_OK;
}

/* pretokenize.c — GPT-2's pre-tokenizer: the split regex of HF's ByteLevel, through PCRE2. */
#include "tok_internal.h"

/* HF tokenizers' ByteLevel regex
 *     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * for PCRE2 (UTF + UCP). HF runs it through Oniguruma, whose \s is U+0009..U+000D, U+0085 and
 * the Z categories; PCRE2's UCP \s adds U+180E (MONGOLIAN VOWEL SEPARATOR, Cf since Unicode 6.3),
 * so \s is spelled out as that set (a sweep of every code point against HF found no other
 * difference). */
#define TOK_SPACE "\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}"
static const char k_gpt2_split[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" TOK_SPACE "\\p{L}\\p{N}]+|[" TOK_SPACE
    "]+(?![^" TOK_SPACE "])|[" TOK_SPACE "]+";

/* Compiles the split regex and JIT-compiles it when PCRE2 supports JIT here. */
yoso_status tok_pretok_compile(yoso_tokenizer *tok) {
    int err;
    PCRE2_SIZE off;
    tok->split_re = pcre2_compile((PCRE2_SPTR)k_gpt2_split, PCRE2_ZERO_TERMINATED,
                                  PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    if (!tok->split_re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        return yoso_error(
            YOSO_ERR_UNSUPPORTED,
            "tokenizer: PCRE2 cannot compile the GPT-2 split regex (%s at %zu): install a PCRE2 built with Unicode support",
            (const char *)msg, (size_t)off);
    }
    tok->split_jit = pcre2_jit_compile(tok->split_re, PCRE2_JIT_COMPLETE) == 0;
    return YOSO_OK;
}

/* The classes the split regex tells apart, for ASCII bytes. */
enum { PRETOK_OTHER, PRETOK_LETTER, PRETOK_DIGIT, PRETOK_SPACE };

/* \p{L}, \p{N}, \s (Oniguruma's: HT LF VT FF CR and space) or anything else, for ASCII. */
static inline int pretok_ascii_class(uint8_t c) {
    if ((uint8_t)((c | 0x20) - 'a') < 26) return PRETOK_LETTER;
    if ((uint8_t)(c - '0') < 10) return PRETOK_DIGIT;
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return PRETOK_SPACE;
    return PRETOK_OTHER;
}

/* The end of the regex's match at text[p], worked out by hand when every byte the match depends
 * on is ASCII; 0 when a non-ASCII byte matters (then PCRE2 decides). The alternatives in order:
 * contractions, ` ?` + a run of letters / digits / other, white space not followed by \S, white
 * space. */
static size_t pretok_ascii_match(const uint8_t *t, size_t len, size_t p) {
    uint8_t c = t[p];
    if (c >= 0x80) return 0;
    if (c == '\'' && p + 1 < len) {
        uint8_t d = t[p + 1], d2 = p + 2 < len ? t[p + 2] : 0;
        if (d == 's' || d == 't' || d == 'm' || d == 'd') return p + 2;
        if ((d == 'r' && d2 == 'e') || (d == 'v' && d2 == 'e') || (d == 'l' && d2 == 'l'))
            return p + 3;
    }
    size_t q = p, e;
    int cls = pretok_ascii_class(c);
    if (c == ' ' && p + 1 < len) { /* " " + a run of letters, digits or other */
        if (t[p + 1] >= 0x80) return 0;
        int next = pretok_ascii_class(t[p + 1]);
        if (next != PRETOK_SPACE) {
            q = p + 1;
            cls = next;
        }
    }
    if (cls != PRETOK_SPACE) {
        for (e = q + 1; e < len && t[e] < 0x80 && pretok_ascii_class(t[e]) == cls; e++) {
        }
        return e < len && t[e] >= 0x80 ? 0 : e; /* the run may go on with a non-ASCII char */
    }
    for (e = p + 1; e < len && t[e] < 0x80 && pretok_ascii_class(t[e]) == PRETOK_SPACE; e++) {
    }
    if (e == len) return e;        /* \s+ to the end */
    if (t[e] >= 0x80) return 0;    /* the run may go on with Unicode white space */
    return e - p >= 2 ? e - 1 : e; /* \s+(?!\S) leaves the last one to the next word; or \s+ */
}

/* Splits a segment into the regex's matches, plus any unmatched gaps as pieces of their own
 * (HF's SplitDelimiterBehavior::Isolated); the text is valid UTF-8. ASCII stretches are matched
 * by hand (pretok_ascii_match), the rest by PCRE2. */
yoso_status tok_pretok_split(const yoso_tokenizer *tok, pcre2_match_data *md, const uint8_t *text,
                             size_t len, tok_piece_fn fn, void *ctx) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t pos = 0;
    yoso_status st;
    while (pos < len) {
        size_t end = pretok_ascii_match(text, len, pos);
        if (end) {
            if ((st = fn(ctx, text + pos, end - pos))) return st;
            pos = end;
            continue;
        }
        int rc = tok->split_jit
                     ? pcre2_jit_match(tok->split_re, text, len, pos, 0, md, NULL)
                     : pcre2_match(tok->split_re, text, len, pos, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return yoso_error(YOSO_ERR_INPUT, "tokenizer: the split regex failed at byte %zu (%s)",
                              pos, (const char *)msg);
        }
        size_t start = ov[0];
        end = ov[1];
        if (end == start) { /* cannot happen with this regex; keep going one character on */
            size_t n;
            tok_utf8_decode(text + start, len - start, &n);
            end = start + n;
        }
        if (start > pos && (st = fn(ctx, text + pos, start - pos))) return st;
        if ((st = fn(ctx, text + start, end - start))) return st;
        pos = end;
    }
    if (pos < len && (st = fn(ctx, text + pos, len - pos))) return st;
    return YOSO_OK;
}

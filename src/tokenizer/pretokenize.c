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
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" TOK_SPACE "\\p{L}\\p{N}]+"
    "|[" TOK_SPACE "]+(?![^" TOK_SPACE "])|[" TOK_SPACE "]+";

/* Compiles the split regex and JIT-compiles it when PCRE2 supports JIT here. */
yoso_status tok_pretok_compile(yoso_tokenizer *tok) {
    int err;
    PCRE2_SIZE off;
    tok->split_re = pcre2_compile((PCRE2_SPTR)k_gpt2_split, PCRE2_ZERO_TERMINATED,
                                  PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    if (!tok->split_re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        return yoso_error(YOSO_ERR_UNSUPPORTED, "tokenizer: PCRE2 cannot compile the GPT-2 split "
                          "regex (%s at %zu): install a PCRE2 built with Unicode support",
                          (const char *)msg, (size_t)off);
    }
    tok->split_jit = pcre2_jit_compile(tok->split_re, PCRE2_JIT_COMPLETE) == 0;
    return YOSO_OK;
}

/* Splits a segment into the regex's matches, plus any unmatched gaps as pieces of their own
 * (HF's SplitDelimiterBehavior::Isolated); the text is valid UTF-8. */
yoso_status tok_pretok_split(const yoso_tokenizer *tok, pcre2_match_data *md, const uint8_t *text,
                             size_t len, tok_piece_fn fn, void *ctx) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t pos = 0;
    yoso_status st;
    while (pos < len) {
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
        size_t start = ov[0], end = ov[1];
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

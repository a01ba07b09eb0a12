/* fill_output.c — JSON (cJSON) and table output of fill-mask results. */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include "fill_output.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int fill_output_json(FILE *to, const yoso_fill_result *r) {
    char *text = NULL;
    if (yoso_fill_result_json(r, &text) != YOSO_OK) return -1;
    fprintf(to, "%s\n", text);
    free(text);
    return 0;
}

/* Decodes one UTF-8 character at s (n bytes left) into *c; returns its length (1 for a byte that
 * starts no valid character, which then counts as U+FFFD). */
static int utf8_next(const unsigned char *s, size_t n, unsigned *c) {
    int len = s[0] < 0x80         ? 1
              : (s[0] >> 5) == 6  ? 2
              : (s[0] >> 4) == 14 ? 3
              : (s[0] >> 3) == 30 ? 4
                                  : 0;
    if (!len || (size_t)len > n) return *c = 0xFFFD, 1;
    *c = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return *c = 0xFFFD, 1;
        *c = (*c << 6) | (s[i] & 0x3F);
    }
    return len;
}

/* Writes s with control characters escaped (\t, \n, \r, \xNN) into out (or only counts when out
 * is NULL); returns its width in terminal columns (wcwidth in a UTF-8 locale). */
int cli_table_cell(FILE *out, const char *s) {
    static locale_t utf8;
    if (!utf8) utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
    int width = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t n = strlen(s); n;) {
        unsigned c;
        int len = utf8_next(p, n, &c);
        char esc[8] = "";
        if (c == '\t' || c == '\n' || c == '\r')
            snprintf(esc, sizeof esc, "\\%c", c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
        else if (c < 0x20 || c == 0x7F)
            snprintf(esc, sizeof esc, "\\x%02X", c);
        if (*esc) {
            width += (int)strlen(esc);
            if (out) fputs(esc, out);
        } else {
            int w = utf8 ? wcwidth((wchar_t)c) : 1;
            width += w < 0 ? 1 : w;
            if (out) fwrite(p, 1, (size_t)len, out);
        }
        p += len;
        n -= (size_t)len;
    }
    if (utf8) uselocale(old);
    return width;
}

/* Writes s escaped and padded with spaces to width columns. */
void cli_table_padded(FILE *out, const char *s, int width) {
    int w = cli_table_cell(out, s);
    for (; w < width; w++) fputc(' ', out);
}

/* A score as it reads best: 4 decimals, or 3 significant digits in scientific notation below
 * 0.001 (so a tiny target score is not "0.0000"). */
void cli_table_score(char *buf, size_t n, double score) {
    snprintf(buf, n, score >= 1e-3 || score == 0 ? "%.4f" : "%.3e", score);
}

void fill_output_table(FILE *to, const char *text, const yoso_fill_result *r) {
    cli_table_cell(to, text);
    fputc('\n', to);
    for (int m = 0; m < r->num_masks; m++) {
        const yoso_prediction *rows = &r->predictions[(size_t)m * r->top_k];
        int wide = (int)strlen("token_str");
        char quoted[1024], score[32];
        for (int i = 0; i < r->top_k; i++) {
            snprintf(quoted, sizeof quoted, "\"%s\"", rows[i].token_str);
            int w = cli_table_cell(NULL, quoted);
            wide = w > wide ? w : wide;
        }
        if (r->num_masks > 1) fprintf(to, "  mask %d of %d\n", m + 1, r->num_masks);
        fprintf(to, "  %-4s %-9s %-7s ", "rank", "score", "token");
        cli_table_padded(to, "token_str", wide);
        fprintf(to, " sequence\n");
        for (int i = 0; i < r->top_k; i++) {
            cli_table_score(score, sizeof score, rows[i].score);
            snprintf(quoted, sizeof quoted, "\"%s\"", rows[i].token_str);
            fprintf(to, "  %-4d %-9s %-7d ", i + 1, score, rows[i].token);
            cli_table_padded(to, quoted, wide);
            fputc(' ', to);
            cli_table_cell(to, rows[i].sequence);
            fputc('\n', to);
        }
    }
}

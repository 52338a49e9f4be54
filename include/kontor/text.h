/* Text safety and display width: data from the database is shown, never obeyed.
 * Pure functions without ncurses, so they can be tested on their own; widths
 * use wcwidth() and so need an LC_CTYPE locale with UTF-8 (setlocale). */
#ifndef KONTOR_TEXT_H
#define KONTOR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum text_align {
    TEXT_ALIGN_LEFT,
    TEXT_ALIGN_RIGHT,
    TEXT_ALIGN_CENTER,
};

/* Decodes one UTF-8 character from s (at most len bytes). Returns its length
 * (1-4) and sets *cp, or 0 when the bytes there are not valid UTF-8 (overlong
 * forms, surrogates and values above U+10FFFF are invalid). */
size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* A copy of in (NULL is taken as "") in which nothing can drive the terminal:
 *   C0 controls and DEL   caret form: ESC "^[", TAB "^I", NEWLINE "^J", DEL "^?"
 *   C1 controls           "<80>" … "<9f>" (the code point in hex)
 *   invalid UTF-8 bytes   "<ff>" (the byte in hex), one per bad byte
 *   bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069)   "<U+202E>"
 * Everything else passes unchanged. The caller frees the result. */
char *text_sanitize(const char *in);
/* Copies src (NULL: "") into dst of size n, cut at a UTF-8 character
 * boundary; always terminated. */
void text_copy(char *dst, size_t n, const char *src);
/* text_copy without the white space around src (what people type). */
void text_copy_trim(char *dst, size_t n, const char *src);

/* Encodes code point cp as UTF-8 into out (1-4 bytes); returns the length. */
size_t text_utf8_encode(uint32_t cp, char out[4]);
/* Whether a typed code point may enter a text field: no control, C1, bidi
 * override or surrogate characters (and nothing at or above 0x110000, where
 * the key map puts function keys). */
bool text_is_typeable(int cp);

/* Display columns of the sanitized form of utf8: wide (CJK) characters count
 * 2, combining characters 0, characters wcwidth() does not know 1. */
int text_width(const char *utf8);

/* The sanitized text in exactly cols columns (an empty string if cols <= 0):
 * cut with a trailing "…" when too wide, never splitting a wide character or
 * an escape, nor leaving a combining character without its base (a space
 * fills a column a wide character cannot use); padded with spaces according
 * to align when narrower. The caller frees the result. */
char *text_fit(const char *utf8, int cols, enum text_align align);

/* Cents as en_US text: "38,211.40" with grouping, "38211.40" without,
 * "-3.10". The caller frees the result. */
char *text_money(long long cents, bool grouping);

/* Parses an amount typed by a person into cents, without floating point:
 * "12", "12.5", "12.50", "1,234.56", "-3.10", and German style "1.234,56" or
 * "12,5" (when the last separator is a comma followed by one or two digits).
 * Surrounding blanks are ignored. On failure returns false and sets *err (a
 * sentence naming the problem; caller frees). */
bool text_parse_money(const char *in, long long *cents, char **err);

#endif

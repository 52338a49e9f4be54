/* One-line UTF-8 editing: insert, delete, move by characters, clear. */
#include "kontor/lineedit.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/keymap.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

static size_t lineedit_prev(const struct lineedit *le, size_t pos)
{
    if (pos == 0)
        return 0;
    pos--;
    while (pos > 0 && ((unsigned char)le->buf[pos] & 0xC0) == 0x80)
        pos--;
    return pos;
}

static size_t lineedit_next(const struct lineedit *le, size_t pos)
{
    if (pos >= le->len)
        return le->len;
    pos++;
    while (pos < le->len && ((unsigned char)le->buf[pos] & 0xC0) == 0x80)
        pos++;
    return pos;
}

static size_t lineedit_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static void lineedit_delete(struct lineedit *le, size_t from, size_t to)
{
    memmove(le->buf + from, le->buf + to, le->len - to);
    le->len -= to - from;
    memset(le->buf + le->len, 0, to - from);
    le->buf[le->len] = '\0';
}

bool lineedit_key(struct lineedit *le, int key)
{
    if (key == 127) {
        size_t p = lineedit_prev(le, le->cursor);
        lineedit_delete(le, p, le->cursor);
        le->cursor = p;
    } else if (key == KEYMAP_FN(KEY_DC)) {
        lineedit_delete(le, le->cursor, lineedit_next(le, le->cursor));
    } else if (key == KEYMAP_FN(KEY_LEFT)) {
        le->cursor = lineedit_prev(le, le->cursor);
    } else if (key == KEYMAP_FN(KEY_RIGHT)) {
        le->cursor = lineedit_next(le, le->cursor);
    } else if (key == KEYMAP_FN(KEY_HOME) || key == 1) {
        le->cursor = 0;
    } else if (key == KEYMAP_FN(KEY_END) || key == 5) {
        le->cursor = le->len;
    } else if (key == 21) { /* Ctrl-U */
        lineedit_clear(le);
    } else if (key >= 32 && key != 127 && key < KEYMAP_FN_BASE && !(key >= 0x80 && key < 0xA0)) {
        char enc[4];
        size_t n = lineedit_encode((uint32_t)key, enc);
        if (le->len + n >= LINEEDIT_MAX)
            return true;
        memmove(le->buf + le->cursor + n, le->buf + le->cursor, le->len - le->cursor);
        memcpy(le->buf + le->cursor, enc, n);
        le->len += n;
        le->cursor += n;
        le->buf[le->len] = '\0';
    } else {
        return false;
    }
    return true;
}

void lineedit_set(struct lineedit *le, const char *text)
{
    lineedit_clear(le);
    size_t n = strlen(text);
    if (n >= LINEEDIT_MAX)
        n = LINEEDIT_MAX - 1;
    memcpy(le->buf, text, n);
    le->buf[n] = '\0';
    le->len = le->cursor = n;
}

void lineedit_clear(struct lineedit *le)
{
    explicit_bzero(le->buf, sizeof(le->buf));
    le->len = le->cursor = 0;
}

int lineedit_cursor_col(const struct lineedit *le)
{
    char *head = xstrndup(le->buf, le->cursor);
    int w = text_width(head);

    free(head);
    return w;
}

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
    } else if (text_is_typeable(key)) {
        char enc[4];
        size_t n = text_utf8_encode((uint32_t)key, enc);
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

/* A one-line UTF-8 editor with a cursor, for the command palette, prompts
 * and the sign-in fields. A secret line is never drawn and is wiped. */
#ifndef KONTOR_LINEEDIT_H
#define KONTOR_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX 256

struct lineedit {
    char buf[LINEEDIT_MAX];
    size_t len;
    size_t cursor; /* byte offset, always at a character boundary */
    bool secret;
};

/* Applies a key (keymap convention: characters are code points, special
 * keys KEYMAP_FN(...)). Returns true when the key was an editing key. */
bool lineedit_key(struct lineedit *le, int key);
void lineedit_set(struct lineedit *le, const char *text);
void lineedit_clear(struct lineedit *le); /* wipes the bytes */
/* Display columns before the cursor (for placing the terminal cursor). */
int lineedit_cursor_col(const struct lineedit *le);

#endif

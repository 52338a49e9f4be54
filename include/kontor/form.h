/* The form widget: labelled fields (text, password, integer, money, date,
 * choice, yes/no) edited in place, validated on save with a message next to
 * each field, and dirty tracking for "discard changes?". Money is cents,
 * never a float; passwords are never drawn and are wiped from memory. */
#ifndef KONTOR_FORM_H
#define KONTOR_FORM_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "kontor/keymap.h"

struct form;

enum form_kind {
    FORM_TEXT,
    FORM_PASSWORD, /* never drawn; only "(hidden)" shows where it is */
    FORM_INTEGER,  /* within min..max unless both are 0 */
    FORM_MONEY,    /* "12.50", "1,234.56" or "1.234,56"; read as cents */
    FORM_DATE,     /* YYYY-MM-DD or DD.MM.YYYY; read back as YYYY-MM-DD */
    FORM_CHOICE,   /* one of choices[]; Left/Right or Space cycle */
    FORM_YESNO,    /* Space toggles; read back as "true" / "false" */
};

struct form_field {
    const char *label;
    enum form_kind kind;
    int width;   /* input columns; 0 = 30 */
    bool required;
    int max_len; /* characters; 0 = 200 */
    long long min, max;             /* FORM_INTEGER bounds; both 0 = none */
    const char *const *choices;     /* FORM_CHOICE */
    size_t nchoices;
    /* Optional, called on save with the value as form_value() gives it when
     * the field is non-empty and valid for its kind. On false, sets *err to
     * a message allocated with malloc (the form frees it) or leaves NULL. */
    bool (*validate)(const char *value, char **err);
};

enum form_event {
    FORM_NONE,    /* the key is not the form's: the screen may use it */
    FORM_HANDLED, /* used (focus or cursor moved, or refused): redraw */
    FORM_CHANGED, /* a value changed */
    FORM_SAVE,    /* save asked and every field is valid */
    FORM_CANCEL,  /* leave: ask "discard changes?" when form_dirty() */
};

/* fields (and their strings) must outlive the form. */
struct form *form_new(const struct form_field *fields, size_t n);
/* Wipes passwords, then frees. */
void form_free(struct form *f);

/* The initial value (not dirty): text as for form_value(); for a choice its
 * text, for yes/no "true"/"t"/"yes"/"1" or anything else for no. */
void form_set(struct form *f, size_t i, const char *value);
/* A money field's initial value from cents. */
void form_set_money(struct form *f, size_t i, long long cents);

/* The value: the text; a valid integer or money field in canonical form
 * ("-12", "1234.50"); a valid date as YYYY-MM-DD; a choice's text; "true" or
 * "false". Valid until the field next changes. */
const char *form_value(struct form *f, size_t i);
bool form_int(const struct form *f, size_t i, long long *out);
bool form_money_cents(const struct form *f, size_t i, long long *cents);
bool form_bool(const struct form *f, size_t i);
int form_choice(const struct form *f, size_t i);

/* A message from elsewhere (e.g. a unique violation) shown next to field i
 * until it changes; focuses the first field with a message. */
void form_set_error(struct form *f, size_t i, const char *msg);
/* The message shown next to field i, NULL if none. */
const char *form_error(const struct form *f, size_t i);
/* Checks every field and sets or clears its message; true if all valid. */
bool form_validate(struct form *f);
bool form_dirty(const struct form *f);
size_t form_focus(const struct form *f);

/* Keys are keymap.h ints: code points, KEYMAP_FN(KEY_…) for function keys;
 * a is the action bound to key. Printable characters always go to the
 * field (so 'q' or 'j' type themselves); then Left/Right/Home/End,
 * Backspace (127), Delete, C-u; Tab/Down and BTab/Up (NEXT_FIELD, MOVE_DOWN,
 * PREV_FIELD, MOVE_UP) move between fields; Enter moves on, and on the last
 * field saves like ACTION_SAVE; BACK or CANCEL gives FORM_CANCEL. */
enum form_event form_key(struct form *f, int key, enum action a);

/* Draws the fields into the area at y, x of height lines and width columns
 * of w: a "▶" before the focused field, labels left, inputs in THEME_INPUT,
 * messages in THEME_ERROR after the input. */
void form_draw(struct form *f, WINDOW *w, int y, int x, int height, int width);
/* Where the terminal cursor belongs (w's coordinates, from the last draw). */
bool form_cursor(const struct form *f, int *y, int *x);

/* Wipes every password field (explicit_bzero) and leaves it empty. */
void form_clear_secrets(struct form *f);

#endif

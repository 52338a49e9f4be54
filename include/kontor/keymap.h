/* Actions and their key bindings. Every action is one line of ACTIONS, which
 * gives its enum, its name in [keys] and its help text at once; the default
 * bindings ship as [keys] text, parsed like the user's own section. */
#ifndef KONTOR_KEYMAP_H
#define KONTOR_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "kontor/config.h"

/* X(ENUM, "name", "help text") */
#define ACTIONS(X)                                                         \
    X(MOVE_UP, "move_up", "Move up one row")                               \
    X(MOVE_DOWN, "move_down", "Move down one row")                         \
    X(PAGE_UP, "page_up", "Move up one page")                              \
    X(PAGE_DOWN, "page_down", "Move down one page")                        \
    X(FIRST, "first", "Go to the first row")                               \
    X(LAST, "last", "Go to the last row")                                  \
    X(OPEN, "open", "Open the selected row")                               \
    X(BACK, "back", "Go back to the previous screen")                      \
    X(QUIT, "quit", "Quit Kontor")                                         \
    X(HELP, "help", "Show the keys of this screen")                        \
    X(COMMAND, "command", "Open the command palette")                      \
    X(FILTER, "filter", "Filter the list as you type")                     \
    X(MARK, "mark", "Mark or unmark the selected row")                     \
    X(SORT, "sort", "Change the sort order")                               \
    X(REFRESH, "refresh", "Reload and redraw the screen")                  \
    X(SAVE, "save", "Save the form")                                       \
    X(CANCEL, "cancel", "Cancel: leave without saving")                    \
    X(NEXT_FIELD, "next_field", "Go to the next field")                    \
    X(PREV_FIELD, "prev_field", "Go to the previous field")                \
    X(ACTIONS_MENU, "actions_menu", "Show the actions for the selection")

enum action {
    ACTION_NONE,
#define ACTION_ENUM(e, name, help) ACTION_##e,
    ACTIONS(ACTION_ENUM)
#undef ACTION_ENUM
    ACTION_COUNT
};

/* Keys are ints: a character is its Unicode code point (Esc 27, Tab 9,
 * Enter 10, Backspace 127, C-a 1 …); an ncurses function key is
 * KEYMAP_FN(KEY_UP) and so on, above every code point, because ncurses codes
 * (KEY_UP = 259) collide with characters such as U+0103 'ă'. */
#define KEYMAP_FN_BASE 0x110000
#define KEYMAP_FN(code) (KEYMAP_FN_BASE + (code))

#define KEYMAP_MAX_KEYS 8 /* keys per action */

struct keymap {
    int keys[ACTION_COUNT][KEYMAP_MAX_KEYS];
    int nkeys[ACTION_COUNT];
};

const char *action_name(enum action a);
const char *action_help(enum action a);
/* ACTION_NONE when name is not an action. */
enum action action_from_name(const char *name);

/* A key from wget_wch(): ret is its return value (OK or KEY_CODE_YES).
 * Enter, Backspace and their variants come out as 10 and 127. */
int keymap_key_from_wch(int ret, wint_t wch);
/* The same for a key from wgetch(). */
int keymap_key_from_getch(int ch);

/* Parses one key name ("j", "ö", "Down", "F2", "C-l", "Space"); false when
 * the name is unknown. */
bool keymap_parse_key(const char *name, int *key);
/* The name of key as a user would write it ("Down", "C-l", "j"). */
const char *keymap_key_name(int key, char *buf, size_t len);

/* Loads the default bindings, then the [keys] section of cfg (NULL: defaults
 * only), where a line replaces that action's keys ("move_down = j Down";
 * empty unbinds). On failure returns false and sets *err naming the file,
 * [keys] action and the bad key name (caller frees). */
bool keymap_load(struct keymap *km, const struct config *cfg, char **err);

/* The action bound to key, ACTION_NONE if none. When a key is bound to
 * several actions (Esc: back and cancel), the first in ACTIONS order wins. */
enum action keymap_lookup(const struct keymap *km, int key);
/* The same among a screen's own actions only: the first of allowed[0..n)
 * bound to key, so each screen gives its keys their meaning there. */
enum action keymap_lookup_in(const struct keymap *km, int key, const enum action *allowed,
                             size_t n);

/* The keys of action a for help screens, e.g. "j, Down" ("" if none);
 * written into buf (cut to fit), which is returned. */
const char *keymap_keys_text(const struct keymap *km, enum action a, char *buf, size_t len);

/* The default [keys] text, for documentation and `kontor --help keys`. */
const char *keymap_defaults_text(void);

#endif

/* Themes: named semantic colour slots, loaded from INI files in themes/ and
 * turned into ncurses attributes. Loading is free of ncurses calls (testable);
 * only theme_apply() and theme_attr() touch the terminal. */
#ifndef KONTOR_THEME_H
#define KONTOR_THEME_H

#include <curses.h>
#include <stdbool.h>

/* Every colour slot, once: X(ENUM, "name", "what it colours").
 * Without colour (monochrome terminal, NO_COLOR) the mono attributes are
 * used, so every state must read without colour: states are also words. */
#define THEME_SLOTS(X)                                                           \
    X(BODY, "body", "ordinary text")                                             \
    X(TITLE, "title", "the title line of a screen")                              \
    X(HEADER, "header", "column headings and section names")                     \
    X(SELECTED, "selected", "the selected row")                                  \
    X(STATUS, "status", "the status line at the bottom")                         \
    X(STATUS_OK, "status_ok", "good news: connected, saved, paid")               \
    X(STATUS_WARN, "status_warn", "needs attention: overdue, reconnecting")      \
    X(STATUS_ERROR, "status_error", "failed: disconnected, rejected")            \
    X(MONEY_NEGATIVE, "money_negative", "negative amounts")                      \
    X(WARNING, "warning", "warning messages")                                    \
    X(ERROR, "error", "error messages")                                          \
    X(DIM, "dim", "less important text")                                         \
    X(MARK, "mark", "marked rows")                                               \
    X(KEY_HINT, "key_hint", "key names in hints")                                \
    X(CHART, "chart", "bars and sparklines")                                     \
    X(INPUT, "input", "input fields")                                            \
    X(DIALOG, "dialog", "dialog boxes")                                          \
    X(DIALOG_TITLE, "dialog_title", "dialog titles")                             \
    X(BORDER, "border", "frames and separators")

enum theme_slot {
#define THEME_SLOT_ENUM(e, name, help) THEME_##e,
    THEME_SLOTS(THEME_SLOT_ENUM)
#undef THEME_SLOT_ENUM
    THEME_SLOT_COUNT
};

/* Colours: THEME_COLOR_DEFAULT is the terminal's own, 0-255 otherwise. */
#define THEME_COLOR_DEFAULT (-1)

enum theme_attr_flag {
    THEME_ATTR_BOLD = 1 << 0,
    THEME_ATTR_REVERSE = 1 << 1,
    THEME_ATTR_UNDERLINE = 1 << 2,
    THEME_ATTR_DIM = 1 << 3,
};

struct theme_style {
    short fg, bg;   /* THEME_COLOR_DEFAULT or 0-255 */
    unsigned attrs; /* enum theme_attr_flag bits */
};

struct theme {
    char name[64];
    struct theme_style style[THEME_SLOT_COUNT];
};

const char *theme_slot_name(enum theme_slot slot);
const char *theme_slot_help(enum theme_slot slot);

/* The built-in mono theme (attributes only), which needs no file. */
void theme_init_mono(struct theme *t);

/* Parses theme text in the INI form of themes/NAME.ini. Slots the text leaves
 * out keep the mono look. where names the source in error messages. */
bool theme_parse(struct theme *t, const char *text, const char *where, char **err);

/* Loads a theme by name (themes_dir/NAME.ini; themes_dir NULL or "" means
 * KONTOR_THEMEDIR) or by path (anything with a '/' or ending in ".ini").
 * The name "mono" falls back to the built-in theme when no file is found.
 * On failure returns false and sets *err (naming file, line, slot and value;
 * caller frees); the caller may then use theme_init_mono(). */
bool theme_load(struct theme *t, const char *name_or_path, const char *themes_dir, char **err);

/* Sets up colour pairs for t; call after initscr(). has_colors and ncolors
 * come from the terminal (has_colors(), COLORS after start_color()). Without
 * colours, or when NO_COLOR is set to anything non-empty, only attributes
 * are used: the theme's own if it has no colours at all, else the built-in
 * mono theme's. Colours above ncolors fall back to the nearest basic one. */
void theme_apply(const struct theme *t, bool has_colors, int ncolors);

/* The ncurses attributes (colour pair included) for a slot, as last set by
 * theme_apply(); A_NORMAL before that. */
attr_t theme_attr(enum theme_slot slot);

/* The nearest of the 8 basic colours to colour c (0-255). */
short theme_color_basic(short c);

#endif

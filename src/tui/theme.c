/* Themes: parses the [colors] section of a theme file into styles per slot
 * (no ncurses there, so it is testable), then maps styles to ncurses colour
 * pairs and attributes, falling back to attributes only without colour. */
#include "kontor/theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

#ifndef KONTOR_THEMEDIR
#define KONTOR_THEMEDIR "/usr/local/share/kontor/themes"
#endif

#define THEME_FILE_MAX (256 * 1024)

static const struct {
    const char *name, *help;
} theme_slots[] = {
#define THEME_SLOT_ROW(e, n, h) [THEME_##e] = { .name = n, .help = h },
    THEME_SLOTS(THEME_SLOT_ROW)
#undef THEME_SLOT_ROW
};

/* The fallback for a missing themes directory and for terminals without
 * colour; themes/mono.ini holds the same text (a test checks they agree). */
static const char theme_mono_text[] =
    "# Kontor theme \"mono\": attributes only, for terminals without colour\n"
    "# and for NO_COLOR. Every state stays readable: states are also words.\n"
    "[colors]\n"
    "body = default\n"
    "title = default bold\n"
    "header = default underline\n"
    "selected = default reverse\n"
    "status = default reverse\n"
    "status_ok = default\n"
    "status_warn = default bold\n"
    "status_error = default bold underline\n"
    "money_negative = default\n"
    "warning = default bold\n"
    "error = default bold\n"
    "dim = default dim\n"
    "mark = default bold\n"
    "key_hint = default bold\n"
    "chart = default\n"
    "input = default underline\n"
    "dialog = default\n"
    "dialog_title = default bold reverse\n"
    "border = default\n";

static const struct {
    const char *name;
    short color;
} theme_color_names[] = {
    { "default", THEME_COLOR_DEFAULT },
    { "black", 0 }, { "red", 1 }, { "green", 2 }, { "yellow", 3 },
    { "blue", 4 }, { "magenta", 5 }, { "cyan", 6 }, { "white", 7 },
};

static const struct {
    const char *name;
    unsigned flag;
} theme_attr_names[] = {
    { "normal", 0 },
    { "bold", THEME_ATTR_BOLD },
    { "reverse", THEME_ATTR_REVERSE },
    { "underline", THEME_ATTR_UNDERLINE },
    { "dim", THEME_ATTR_DIM },
};

#define THEME_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The ncurses side: one attribute per slot, set by theme_apply(). */
static attr_t theme_attrs[THEME_SLOT_COUNT];

const char *theme_slot_name(enum theme_slot slot)
{
    return slot < THEME_SLOT_COUNT ? theme_slots[slot].name : "?";
}

const char *theme_slot_help(enum theme_slot slot)
{
    return slot < THEME_SLOT_COUNT ? theme_slots[slot].help : "?";
}

static bool theme_find_slot(const char *name, enum theme_slot *slot)
{
    for (int i = 0; i < THEME_SLOT_COUNT; i++) {
        if (strcasecmp(theme_slots[i].name, name) == 0) {
            *slot = (enum theme_slot)i;
            return true;
        }
    }
    return false;
}

static bool theme_parse_color(const char *word, short *color)
{
    const char *digits = word + strlen("color");
    char *end;
    long n;

    for (size_t i = 0; i < THEME_COUNT(theme_color_names); i++) {
        if (strcasecmp(theme_color_names[i].name, word) == 0) {
            *color = theme_color_names[i].color;
            return true;
        }
    }
    if (strncasecmp(word, "color", strlen("color")) != 0 || *digits < '0' || *digits > '9')
        return false;
    errno = 0;
    n = strtol(digits, &end, 10);
    if (errno != 0 || *end != '\0' || n < 0 || n > 255)
        return false;
    *color = (short)n;
    return true;
}

static bool theme_parse_attr(const char *word, unsigned *attrs)
{
    for (size_t i = 0; i < THEME_COUNT(theme_attr_names); i++) {
        if (strcasecmp(theme_attr_names[i].name, word) == 0) {
            *attrs |= theme_attr_names[i].flag;
            return true;
        }
    }
    return false;
}

/* "FG [on BG] [ATTR...]" or "on BG ..." or just attributes. On failure
 * returns the reason and leaves the offending word in bad. */
static const char *theme_parse_style(char *value, struct theme_style *st, const char **bad)
{
    bool have_fg = false, have_bg = false, want_bg = false;
    char *save = NULL;

    if (value[0] == '\0') {
        *bad = "";
        return "no colour or attribute";
    }

    *st = (struct theme_style){ .fg = THEME_COLOR_DEFAULT, .bg = THEME_COLOR_DEFAULT };
    *bad = value;
    for (char *w = strtok_r(value, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
        short color;

        *bad = w;
        if (want_bg) {
            if (!theme_parse_color(w, &st->bg))
                return "unknown background colour";
            want_bg = false, have_bg = true;
        } else if (strcasecmp(w, "on") == 0) {
            if (have_bg)
                return "a second background";
            want_bg = true;
        } else if (theme_parse_color(w, &color)) {
            if (have_fg || have_bg)
                return "a second colour (write FG on BG)";
            st->fg = color, have_fg = true;
        } else if (!theme_parse_attr(w, &st->attrs)) {
            return "unknown colour or attribute";
        }
    }
    return want_bg ? "no colour after 'on'" : NULL;
}

static char *theme_trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

static char *theme_slot_list(void)
{
    struct strbuf sb = STRBUF_INIT;

    for (int i = 0; i < THEME_SLOT_COUNT; i++)
        strbuf_addf(&sb, "%s%s", i > 0 ? ", " : "", theme_slots[i].name);
    return strbuf_detach(&sb);
}

struct theme_parser {
    struct theme *t;
    const char *where;
    int line;
    bool in_colors;
    bool seen[THEME_SLOT_COUNT];
};

static bool theme_parse_section(struct theme_parser *tp, char *line, char **err)
{
    char *close = strchr(line, ']');

    if (close == NULL || close[1] != '\0') {
        *err = xasprintf("%s:%d: expected '[section]', got '%s'", tp->where, tp->line, line);
        return false;
    }
    *close = '\0';
    line = theme_trim(line + 1);
    if (strcasecmp(line, "colors") != 0) {
        *err = xasprintf("%s:%d: unknown section [%s]: a theme has only [colors]", tp->where,
                         tp->line, line);
        return false;
    }
    tp->in_colors = true;
    return true;
}

static bool theme_parse_entry(struct theme_parser *tp, char *line, char **err)
{
    char *eq = strchr(line, '='), *key, *value, *copy;
    const char *why, *bad;
    enum theme_slot slot;
    struct theme_style st;

    if (eq == NULL) {
        *err = xasprintf("%s:%d: expected 'slot = colours', got '%s'", tp->where, tp->line, line);
        return false;
    }
    *eq = '\0';
    key = theme_trim(line);
    value = theme_trim(eq + 1);
    if (!tp->in_colors) {
        *err = xasprintf("%s:%d: %s: outside the [colors] section", tp->where, tp->line, key);
        return false;
    }
    if (!theme_find_slot(key, &slot)) {
        char *slots = theme_slot_list();
        *err = xasprintf("%s:%d: [colors] %s: unknown slot (known: %s)", tp->where, tp->line,
                         key, slots);
        free(slots);
        return false;
    }
    if (tp->seen[slot]) {
        *err = xasprintf("%s:%d: [colors] %s: set twice", tp->where, tp->line, key);
        return false;
    }
    copy = xstrdup(value);
    why = theme_parse_style(copy, &st, &bad);
    if (why != NULL)
        *err = xasprintf("%s:%d: [colors] %s: %s '%s' in '%s'", tp->where, tp->line, key, why,
                         bad, value);
    free(copy);
    if (why != NULL)
        return false;
    tp->seen[slot] = true;
    tp->t->style[slot] = st;
    return true;
}

/* Fills t from text; slots left out keep what t holds already. */
static bool theme_parse_into(struct theme *t, const char *text, const char *where, char **err)
{
    struct theme_parser tp = { .t = t, .where = where };
    char *copy = xstrdup(text);
    bool ok = true;

    for (char *p = copy, *nl; ok && p != NULL; p = nl) {
        char *line;

        nl = strchr(p, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        tp.line++;
        line = theme_trim(p);
        if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
            continue;
        ok = line[0] == '[' ? theme_parse_section(&tp, line, err)
                            : theme_parse_entry(&tp, line, err);
    }
    free(copy);
    return ok;
}

void theme_init_mono(struct theme *t)
{
    char *err = NULL;

    memset(t, 0, sizeof(*t));
    for (int i = 0; i < THEME_SLOT_COUNT; i++)
        t->style[i] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
    if (!theme_parse_into(t, theme_mono_text, "(built-in mono theme)", &err))
        fatal("%s", err);
    snprintf(t->name, sizeof(t->name), "mono");
}

bool theme_parse(struct theme *t, const char *text, const char *where, char **err)
{
    struct theme tmp;

    theme_init_mono(&tmp);
    if (!theme_parse_into(&tmp, text, where, err))
        return false;
    snprintf(tmp.name, sizeof(tmp.name), "%s", where);
    *t = tmp;
    return true;
}

/* Reads a whole (small) file; NULL with *err set, errno kept, on failure. */
static char *theme_read_file(const char *path, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    FILE *f = fopen(path, "r");
    char buf[4096];
    size_t n;
    int saved;

    if (f == NULL) {
        saved = errno;
        *err = xasprintf("%s: cannot open theme: %s", path, strerror(saved));
        errno = saved;
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb.len <= THEME_FILE_MAX)
        strbuf_add(&sb, buf, n);
    if (ferror(f) || sb.len > THEME_FILE_MAX || memchr(strbuf_str(&sb), '\0', sb.len)) {
        *err = xasprintf("%s: cannot read theme: %s", path,
                         ferror(f) ? strerror(errno) : "not a text file of sensible size");
        fclose(f);
        strbuf_free(&sb);
        errno = EINVAL;
        return NULL;
    }
    fclose(f);
    return strbuf_detach(&sb);
}

/* A path names a file; anything else is a theme name in the themes dir. */
static bool theme_is_path(const char *s)
{
    size_t n = strlen(s);

    return strchr(s, '/') != NULL || (n > 4 && strcmp(s + n - 4, ".ini") == 0);
}

static void theme_set_name(struct theme *t, const char *name_or_path)
{
    const char *base = strrchr(name_or_path, '/');
    size_t n;

    base = base != NULL ? base + 1 : name_or_path;
    n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
        n -= 4;
    if (n >= sizeof(t->name))
        n = sizeof(t->name) - 1;
    memcpy(t->name, base, n);
    t->name[n] = '\0';
}

bool theme_load(struct theme *t, const char *name_or_path, const char *themes_dir, char **err)
{
    const char *dir = themes_dir != NULL && themes_dir[0] != '\0' ? themes_dir : KONTOR_THEMEDIR;
    char *path, *text;
    bool ok;

    if (name_or_path == NULL || name_or_path[0] == '\0') {
        *err = xstrdup("no theme named");
        return false;
    }
    path = theme_is_path(name_or_path) ? xstrdup(name_or_path)
                                       : xasprintf("%s/%s.ini", dir, name_or_path);
    text = theme_read_file(path, err);
    if (text == NULL) {
        bool builtin = errno == ENOENT && strcmp(name_or_path, "mono") == 0;

        free(path);
        if (!builtin)
            return false;
        free(*err);
        *err = NULL;
        theme_init_mono(t);
        return true;
    }
    ok = theme_parse(t, text, path, err);
    if (ok)
        theme_set_name(t, name_or_path);
    free(text);
    free(path);
    return ok;
}

short theme_color_basic(short c)
{
    int i = c - 16;

    if (c < 8)
        return c;
    if (c < 16)
        return (short)(c - 8);
    if (c >= 232)
        return c < 244 ? 0 : 7;
    /* 6x6x6 cube: a component counts when it is in the upper half. */
    return (short)((i / 36 >= 3 ? 1 : 0) | ((i / 6) % 6 >= 3 ? 2 : 0) | (i % 6 >= 3 ? 4 : 0));
}

static attr_t theme_flags_attr(unsigned flags)
{
    attr_t a = A_NORMAL;

    if (flags & THEME_ATTR_BOLD)
        a |= A_BOLD;
    if (flags & THEME_ATTR_REVERSE)
        a |= A_REVERSE;
    if (flags & THEME_ATTR_UNDERLINE)
        a |= A_UNDERLINE;
    if (flags & THEME_ATTR_DIM)
        a |= A_DIM;
    return a;
}

static bool theme_uses_color(const struct theme *t)
{
    for (int i = 0; i < THEME_SLOT_COUNT; i++)
        if (t->style[i].fg != THEME_COLOR_DEFAULT || t->style[i].bg != THEME_COLOR_DEFAULT)
            return true;
    return false;
}

static short theme_terminal_color(short c, int ncolors, bool default_ok, short fallback)
{
    if (c == THEME_COLOR_DEFAULT)
        return default_ok ? -1 : fallback;
    return c < ncolors ? c : theme_color_basic(c);
}

void theme_apply(const struct theme *t, bool has_colors, int ncolors)
{
    const char *no_color = getenv("NO_COLOR");
    bool color = has_colors && ncolors >= 8 && COLOR_PAIRS > THEME_SLOT_COUNT &&
                 (no_color == NULL || no_color[0] == '\0');
    bool default_ok;

    if (!color) {
        struct theme mono;
        const struct theme *use = t;

        if (theme_uses_color(t)) {
            theme_init_mono(&mono);
            use = &mono;
        }
        for (int i = 0; i < THEME_SLOT_COUNT; i++)
            theme_attrs[i] = theme_flags_attr(use->style[i].attrs);
        return;
    }
    default_ok = use_default_colors() == OK;
    for (int i = 0; i < THEME_SLOT_COUNT; i++) {
        const struct theme_style *st = &t->style[i];
        short fg = theme_terminal_color(st->fg, ncolors, default_ok, COLOR_WHITE);
        short bg = theme_terminal_color(st->bg, ncolors, default_ok, COLOR_BLACK);

        init_pair((short)(i + 1), fg, bg);
        theme_attrs[i] = COLOR_PAIR(i + 1) | theme_flags_attr(st->attrs);
    }
}

attr_t theme_attr(enum theme_slot slot)
{
    return slot < THEME_SLOT_COUNT ? theme_attrs[slot] : A_NORMAL;
}

/* Key bindings: key names to codes and back, the default [keys] text parsed
 * like the user's own section, and lookup of the action for a key, globally
 * or among the actions one screen offers. */
#include "kontor/keymap.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kontor/text.h"
#include "kontor/xalloc.h"

#define KEYMAP_ESC 27
#define KEYMAP_ENTER '\n'
#define KEYMAP_BACKSPACE 127
#define KEYMAP_F_MAX 12

static const struct {
    const char *name, *help;
} keymap_actions[] = {
    [ACTION_NONE] = { .name = "none", .help = "" },
#define ACTION_ROW(e, n, h) [ACTION_##e] = { .name = n, .help = h },
    ACTIONS(ACTION_ROW)
#undef ACTION_ROW
};

/* Shipped in the same form users write in their own [keys] section. */
static const char keymap_defaults[] =
    "[keys]\n"
    "move_up = k Up\n"
    "move_down = j Down\n"
    "page_up = PgUp C-b\n"
    "page_down = PgDn C-f\n"
    "first = g Home\n"
    "last = G End\n"
    "open = Enter\n"
    "back = q Esc F3\n"
    "quit = F10\n"
    "help = ? F1\n"
    "command = :\n"
    "filter = /\n"
    "mark = Space\n"
    "sort = s\n"
    "refresh = C-l\n"
    "save = F2\n"
    "cancel = Esc F3 F12\n"
    "next_field = Tab\n"
    "prev_field = BTab\n"
    "actions_menu = a\n";

/* Named keys; the first name of a key is the one help screens show. */
static const struct {
    const char *name;
    int key;
} keymap_names[] = {
    { "Up", KEYMAP_FN(KEY_UP) },
    { "Down", KEYMAP_FN(KEY_DOWN) },
    { "Left", KEYMAP_FN(KEY_LEFT) },
    { "Right", KEYMAP_FN(KEY_RIGHT) },
    { "PgUp", KEYMAP_FN(KEY_PPAGE) },
    { "PgDn", KEYMAP_FN(KEY_NPAGE) },
    { "Home", KEYMAP_FN(KEY_HOME) },
    { "End", KEYMAP_FN(KEY_END) },
    { "Enter", KEYMAP_ENTER },
    { "Esc", KEYMAP_ESC },
    { "Tab", '\t' },
    { "BTab", KEYMAP_FN(KEY_BTAB) },
    { "Backspace", KEYMAP_BACKSPACE },
    { "Delete", KEYMAP_FN(KEY_DC) },
    { "Insert", KEYMAP_FN(KEY_IC) },
    { "Space", ' ' },
    /* Aliases, and names for what an INI value cannot hold bare. */
    { "PageUp", KEYMAP_FN(KEY_PPAGE) },
    { "PageDown", KEYMAP_FN(KEY_NPAGE) },
    { "Return", KEYMAP_ENTER },
    { "Escape", KEYMAP_ESC },
    { "Del", KEYMAP_FN(KEY_DC) },
    { "Hash", '#' },
    { "Semicolon", ';' },
};

#define KEYMAP_COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *action_name(enum action a)
{
    return a < ACTION_COUNT ? keymap_actions[a].name : "?";
}

const char *action_help(enum action a)
{
    return a < ACTION_COUNT ? keymap_actions[a].help : "?";
}

enum action action_from_name(const char *name)
{
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
        if (strcasecmp(keymap_actions[a].name, name) == 0)
            return (enum action)a;
    return ACTION_NONE;
}

/* One code per key: the variants terminals send for Enter and Backspace. */
static int keymap_normalise(int key)
{
    if (key == '\r' || key == KEYMAP_FN(KEY_ENTER))
        return KEYMAP_ENTER;
    if (key == '\b' || key == KEYMAP_FN(KEY_BACKSPACE))
        return KEYMAP_BACKSPACE;
    return key;
}

int keymap_key_from_wch(int ret, wint_t wch)
{
    return keymap_normalise(ret == KEY_CODE_YES ? KEYMAP_FN((int)wch) : (int)wch);
}

int keymap_key_from_getch(int ch)
{
    return keymap_normalise(ch >= KEY_MIN ? KEYMAP_FN(ch) : ch);
}

static bool keymap_parse_special(const char *name, int *key)
{
    char *end;
    long n;

    for (size_t i = 0; i < KEYMAP_COUNT(keymap_names); i++) {
        if (strcasecmp(keymap_names[i].name, name) == 0) {
            *key = keymap_names[i].key;
            return true;
        }
    }
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        n = strtol(name + 1, &end, 10);
        if (*end != '\0' || n < 1 || n > KEYMAP_F_MAX)
            return false;
        *key = KEYMAP_FN(KEY_F((int)n));
        return true;
    }
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] != '\0' &&
        name[3] == '\0') {
        char c = name[2] >= 'A' && name[2] <= 'Z' ? (char)(name[2] - 'A' + 'a') : name[2];

        if (c < 'a' || c > 'z')
            return false;
        *key = keymap_normalise(c - 'a' + 1);
        return true;
    }
    return false;
}

bool keymap_parse_key(const char *name, int *key)
{
    size_t len = strlen(name);
    uint32_t cp;

    if (len == 0)
        return false;
    if (text_utf8_decode(name, len, &cp) != len)
        return keymap_parse_special(name, key);
    if (cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
        return false;
    *key = (int)cp;
    return true;
}

const char *keymap_key_name(int key, char *buf, size_t len)
{
    char tmp[32];

    if (len == 0)
        return "";
    for (size_t i = 0; i < KEYMAP_COUNT(keymap_names); i++) {
        if (keymap_names[i].key == key) {
            snprintf(buf, len, "%s", keymap_names[i].name);
            return buf;
        }
    }
    if (key >= KEYMAP_FN(KEY_F(1)) && key <= KEYMAP_FN(KEY_F(63)))
        snprintf(tmp, sizeof(tmp), "F%d", key - KEYMAP_FN(KEY_F(0)));
    else if (key >= KEYMAP_FN_BASE)
        snprintf(tmp, sizeof(tmp), "%s", keyname(key - KEYMAP_FN_BASE) != NULL
                                             ? keyname(key - KEYMAP_FN_BASE) : "?");
    else if (key >= 1 && key <= 26)
        snprintf(tmp, sizeof(tmp), "C-%c", 'a' + key - 1);
    else if (key > 0x20 && key < KEYMAP_FN_BASE && !(key >= 0x7f && key <= 0x9f) &&
             !(key >= 0xd800 && key <= 0xdfff))
        tmp[text_utf8_encode((uint32_t)key, tmp)] = '\0';
    else
        snprintf(tmp, sizeof(tmp), "<%02x>", (unsigned)key);
    snprintf(buf, len, "%s", tmp);
    return buf;
}

static void keymap_add_key(struct keymap *km, enum action a, int key)
{
    for (int i = 0; i < km->nkeys[a]; i++)
        if (km->keys[a][i] == key)
            return;
    km->keys[a][km->nkeys[a]++] = key;
}

/* Replaces the keys of one action with the names in value. */
static bool keymap_bind(struct keymap *km, const char *where, const char *action,
                        const char *value, char **err)
{
    enum action a = action_from_name(action);
    char *copy, *save = NULL;
    bool ok = true;

    if (a == ACTION_NONE) {
        char *clean = text_sanitize(action);
        *err = xasprintf("%s: [keys] %s: unknown action", where, clean);
        free(clean);
        return false;
    }
    km->nkeys[a] = 0;
    copy = xstrdup(value != NULL ? value : "");
    for (char *w = strtok_r(copy, " \t", &save); ok && w != NULL;
         w = strtok_r(NULL, " \t", &save)) {
        int key;

        if (!keymap_parse_key(w, &key)) {
            char *clean = text_sanitize(w);
            *err = xasprintf("%s: [keys] %s: unknown key name '%s' (write e.g. j, Down, "
                             "PgDn, Enter, Esc, Space, F2, C-l)", where, action, clean);
            free(clean);
            ok = false;
        } else if (km->nkeys[a] == KEYMAP_MAX_KEYS) {
            *err = xasprintf("%s: [keys] %s: more than %d keys", where, action,
                             KEYMAP_MAX_KEYS);
            ok = false;
        } else {
            keymap_add_key(km, a, key);
        }
    }
    free(copy);
    return ok;
}

static void keymap_load_defaults(struct keymap *km)
{
    char *copy = xstrdup(keymap_defaults), *err = NULL;

    for (char *p = copy, *nl; p != NULL && *p != '\0'; p = nl) {
        char *eq;

        nl = strchr(p, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        eq = strchr(p, '=');
        if (p[0] == '[' || eq == NULL)
            continue;
        *eq = '\0';
        p[strcspn(p, " ")] = '\0'; /* the defaults are written "name = keys" */
        if (!keymap_bind(km, "(default keys)", p, eq + 1, &err))
            fatal("%s", err);
    }
    free(copy);
}

bool keymap_load(struct keymap *km, const struct config *cfg, char **err)
{
    const char **names;
    const char *where;
    bool ok = true;

    memset(km, 0, sizeof(*km));
    keymap_load_defaults(km);
    if (cfg == NULL)
        return true;
    where = config_path(cfg) != NULL ? config_path(cfg) : "(configuration)";
    names = config_section_keys(cfg, "keys");
    for (size_t i = 0; ok && names[i] != NULL; i++)
        ok = keymap_bind(km, where, names[i], config_get(cfg, "keys", names[i]), err);
    free(names);
    return ok;
}

static bool keymap_has_key(const struct keymap *km, enum action a, int key)
{
    for (int i = 0; i < km->nkeys[a]; i++)
        if (km->keys[a][i] == key)
            return true;
    return false;
}

enum action keymap_lookup(const struct keymap *km, int key)
{
    key = keymap_normalise(key);
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
        if (keymap_has_key(km, (enum action)a, key))
            return (enum action)a;
    return ACTION_NONE;
}

enum action keymap_lookup_in(const struct keymap *km, int key, const enum action *allowed,
                             size_t n)
{
    key = keymap_normalise(key);
    for (size_t i = 0; i < n; i++)
        if (allowed[i] > ACTION_NONE && allowed[i] < ACTION_COUNT &&
            keymap_has_key(km, allowed[i], key))
            return allowed[i];
    return ACTION_NONE;
}

const char *keymap_keys_text(const struct keymap *km, enum action a, char *buf, size_t len)
{
    size_t used = 0;

    if (len == 0)
        return "";
    buf[0] = '\0';
    if (a <= ACTION_NONE || a >= ACTION_COUNT)
        return buf;
    for (int i = 0; i < km->nkeys[a] && used < len; i++) {
        char name[32];
        int n = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
                         keymap_key_name(km->keys[a][i], name, sizeof(name)));

        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

const char *keymap_defaults_text(void)
{
    return keymap_defaults;
}

/* Overlays above the screens: the help generated from the key tables, the
 * command palette that reads the screen list, and the dialogs (confirm,
 * prompt for a reason, message). The topmost overlay gets every key. */
#include "tui_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/form.h"
#include "kontor/lineedit.h"
#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

/* ---- help ------------------------------------------------------------- */

struct help_overlay {
    struct overlay base;
    char **lines;
    int nlines;
    int top;
};

static void help_add(struct help_overlay *h, const char *keys, const char *text)
{
    h->lines = xreallocarray(h->lines, (size_t)h->nlines + 1, sizeof(*h->lines));
    h->lines[h->nlines++] = keys != NULL ? xasprintf("  %-18s %s", keys, text) : xstrdup(text);
}

static void help_draw(struct overlay *o, struct tui *t)
{
    struct help_overlay *h = (struct help_overlay *)o;
    int height = LINES - 4, width = COLS - 8 < 90 ? COLS - 8 : 90;
    WINDOW *w = tui_box(height, width, "Keys · ? or Esc closes");

    getmaxyx(w, height, width);
    bool more = h->top + height - 2 < h->nlines;
    for (int i = 0; i < height - 2 - (more ? 1 : 0) && h->top + i < h->nlines; i++) {
        const char *line = h->lines[h->top + i];
        tui_print(w, 1 + i, 2, width - 4, line[0] == ' ' ? THEME_DIALOG : THEME_DIALOG_TITLE,
                  TEXT_ALIGN_LEFT, line);
    }
    if (more)
        tui_print(w, height - 2, 2, width - 4, THEME_DIM, TEXT_ALIGN_LEFT,
                  "  … more below: j / PgDn");
    wnoutrefresh(w);
    delwin(w);
}

static bool help_key(struct overlay *o, struct tui *t, int key)
{
    struct help_overlay *h = (struct help_overlay *)o;
    enum action a = keymap_lookup(&t->keymap, key);

    if (a == ACTION_MOVE_DOWN && h->top < h->nlines - 1)
        h->top++;
    else if (a == ACTION_MOVE_UP && h->top > 0)
        h->top--;
    else if (a == ACTION_PAGE_DOWN)
        h->top = h->top + 10 < h->nlines ? h->top + 10 : h->top;
    else if (a == ACTION_PAGE_UP)
        h->top = h->top > 10 ? h->top - 10 : 0;
    else if (a == ACTION_BACK || a == ACTION_HELP || a == ACTION_CANCEL || key == 'q')
        return false;
    return true;
}

static void help_free(struct overlay *o)
{
    struct help_overlay *h = (struct help_overlay *)o;

    for (int i = 0; i < h->nlines; i++)
        free(h->lines[i]);
    free(h->lines);
    free(h);
}

static const struct overlay_ops help_ops = {
    .draw = help_draw, .key = help_key, .free = help_free,
};

void tui_help_open(struct tui *t)
{
    struct help_overlay *h = xcalloc(1, sizeof(*h));
    struct screen *top = t->depth > 0 ? t->stack[t->depth - 1] : NULL;
    char keys[64];

    h->base.ops = &help_ops;
    if (top != NULL && top->ops->nkeys > 0) {
        char *title = xasprintf("This screen: %s", top->title);
        help_add(h, NULL, title);
        free(title);
        for (size_t i = 0; i < top->ops->nkeys; i++) {
            const struct screen_key *k = &top->ops->keys[i];
            if (!t->signed_in || perm_allows(t->id.session.role, k->perm))
                help_add(h, k->name, k->help);
        }
        help_add(h, NULL, "");
    }
    if (t->signed_in) {
        help_add(h, NULL, "Commands (type : then the name; Tab completes)");
        for (size_t i = 0; i < t->nscreens; i++) {
            const struct screen_ops *s = t->screens[i];
            if (!s->in_palette || !perm_allows(t->id.session.role, s->perm))
                continue;
            char *name = xasprintf(":%s %s", s->name, s->args ? s->args : "");
            help_add(h, name, s->help);
            free(name);
        }
        help_add(h, ":quit", "quit Kontor (also :q)");
        help_add(h, NULL, "");
    }
    help_add(h, NULL, "Everywhere");
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
        keymap_keys_text(&t->keymap, (enum action)a, keys, sizeof(keys));
        if (keys[0] != '\0')
            help_add(h, keys, action_help((enum action)a));
    }
    help_add(h, NULL, "");
    help_add(h, NULL, "Keys can be changed in the [keys] section of kontor.ini; see kontor(1).");
    tui_push_overlay(t, &h->base);
}

/* ---- command palette -------------------------------------------------- */

struct palette {
    struct overlay base;
    struct lineedit line;
    int history_pos;
};

/* The allowed palette screens whose name starts with the first word typed. */
static size_t palette_matches(const struct tui *t, const char *typed,
                              const struct screen_ops **out, size_t max)
{
    size_t wlen = strcspn(typed, " ");
    size_t n = 0;

    for (size_t i = 0; i < t->nscreens && n < max; i++) {
        const struct screen_ops *s = t->screens[i];
        if (!s->in_palette || !perm_allows(t->id.session.role, s->perm))
            continue;
        if (strncmp(s->name, typed, wlen) == 0)
            out[n++] = s;
    }
    return n;
}

static void palette_draw(struct overlay *o, struct tui *t)
{
    struct palette *p = (struct palette *)o;
    const struct screen_ops *m[8];
    size_t n = palette_matches(t, p->line.buf, m, 8);
    int rows = (int)n + 1, y0 = LINES - 1 - rows;
    WINDOW *w = newwin(rows, COLS, y0, 0);

    wbkgdset(w, ' ' | theme_attr(THEME_DIALOG));
    werase(w);
    for (size_t i = 0; i < n; i++) {
        char *line = xasprintf("  :%-12s %-16s %s", m[i]->name, m[i]->args ? m[i]->args : "",
                               m[i]->help);
        tui_print(w, (int)i, 0, COLS, i == 0 ? THEME_SELECTED : THEME_DIALOG, TEXT_ALIGN_LEFT,
                  line);
        free(line);
    }
    char *input = xasprintf(":%s", p->line.buf);
    tui_print(w, rows - 1, 0, COLS, THEME_INPUT, TEXT_ALIGN_LEFT, input);
    free(input);
    wmove(w, rows - 1, 1 + lineedit_cursor_col(&p->line));
    curs_set(1);
    wnoutrefresh(w);
    delwin(w);
}

static void palette_remember(struct tui *t, const char *cmd)
{
    if (t->nhistory > 0 && strcmp(t->history[t->nhistory - 1], cmd) == 0)
        return;
    if (t->nhistory == TUI_HISTORY) {
        free(t->history[0]);
        memmove(t->history, t->history + 1, sizeof(t->history[0]) * (TUI_HISTORY - 1));
        t->nhistory--;
    }
    t->history[t->nhistory++] = xstrdup(cmd);
}

static void palette_complete(struct palette *p, struct tui *t)
{
    const struct screen_ops *m[8];
    size_t n = palette_matches(t, p->line.buf, m, 8);

    if (n == 0 || strchr(p->line.buf, ' ') != NULL)
        return;
    char *text = xasprintf("%s ", m[0]->name);
    lineedit_set(&p->line, text);
    free(text);
}

static void palette_run(struct tui *t, const char *cmd)
{
    char name[64];
    size_t wlen = strcspn(cmd, " ");
    const char *args = cmd + wlen;

    while (*args == ' ')
        args++;
    if (wlen == 0)
        return;
    if (wlen >= sizeof(name))
        wlen = sizeof(name) - 1;
    memcpy(name, cmd, wlen);
    name[wlen] = '\0';
    palette_remember(t, cmd);
    if (strcmp(name, "quit") == 0 || strcmp(name, "q") == 0) {
        tui_quit(t);
        return;
    }
    const struct screen_ops *s = tui_find_screen(t, name);
    if (s == NULL || !s->in_palette) {
        tui_message(t, TUI_MSG_ERROR, "Unknown command ':%s' — press ? for the list.", name);
        return;
    }
    tui_open(t, name, args);
}

static bool palette_key(struct overlay *o, struct tui *t, int key)
{
    struct palette *p = (struct palette *)o;

    if (key == 27)
        return false;
    if (key == '\n') {
        char cmd[LINEEDIT_MAX];
        snprintf(cmd, sizeof(cmd), "%s", p->line.buf);
        t->noverlays--; /* close first: the command may open a dialog */
        palette_run(t, cmd);
        t->overlays[t->noverlays++] = o;
        return false;
    }
    if (key == '\t') {
        palette_complete(p, t);
    } else if (key == KEYMAP_FN(KEY_UP) && p->history_pos > 0) {
        lineedit_set(&p->line, t->history[--p->history_pos]);
    } else if (key == KEYMAP_FN(KEY_DOWN) && p->history_pos < t->nhistory) {
        p->history_pos++;
        lineedit_set(&p->line, p->history_pos < t->nhistory ? t->history[p->history_pos] : "");
    } else if (key == 127 && p->line.len == 0) {
        return false;
    } else {
        lineedit_key(&p->line, key);
    }
    return true;
}

static void palette_free(struct overlay *o)
{
    curs_set(0);
    free(o);
}

static const struct overlay_ops palette_ops = {
    .draw = palette_draw, .key = palette_key, .free = palette_free,
};

void tui_palette_open(struct tui *t)
{
    struct palette *p = xcalloc(1, sizeof(*p));

    p->base.ops = &palette_ops;
    p->history_pos = t->nhistory;
    tui_push_overlay(t, &p->base);
}

/* ---- dialogs ---------------------------------------------------------- */

struct dialog {
    struct overlay base;
    char *title;
    char *text;
    struct lineedit line;
    bool input;
    tui_confirm_fn confirm;
    tui_text_fn prompt;
    void *arg;
    bool answered;
};

static void dialog_draw(struct overlay *o, struct tui *t)
{
    struct dialog *d = (struct dialog *)o;
    int width = COLS - 10 < 70 ? COLS - 10 : 70;
    int tw = text_width(d->text);
    int lines = tw / (width - 4) + 1;
    int height = lines + (d->input ? 6 : 5);
    WINDOW *w = tui_box(height, width, d->title);
    const char *hint = d->input ? "Enter confirm · Esc cancel"
                       : d->confirm != NULL ? "y yes · n no" : "any key closes";

    /* The text, broken into lines of the box's width. */
    const char *p = d->text;
    for (int y = 0; y < lines && *p != '\0'; y++) {
        char line[512];
        size_t n = 0;
        while (p[n] != '\0' && n < sizeof(line) - 1) {
            line[n] = p[n];
            line[n + 1] = '\0';
            if (text_width(line) > width - 4)
                break;
            n++;
        }
        line[n] = '\0';
        tui_print(w, 2 + y, 2, width - 4, THEME_DIALOG, TEXT_ALIGN_LEFT, line);
        p += n;
    }
    if (d->input) {
        tui_print(w, height - 3, 2, width - 4, THEME_INPUT, TEXT_ALIGN_LEFT, d->line.buf);
    }
    tui_print(w, height - 2, 2, width - 4, THEME_KEY_HINT, TEXT_ALIGN_LEFT, hint);
    if (d->input) {
        wmove(w, height - 3, 2 + lineedit_cursor_col(&d->line));
        curs_set(1);
    }
    wnoutrefresh(w);
    delwin(w);
}

static bool dialog_answer_confirm(struct dialog *d, bool yes)
{
    d->answered = true;
    if (d->base.owner != NULL)
        d->confirm(d->base.owner, yes, d->arg);
    return false;
}

static bool dialog_key(struct overlay *o, struct tui *t, int key)
{
    struct dialog *d = (struct dialog *)o;

    if (d->confirm != NULL) {
        if (key == 'y' || key == 'Y')
            return dialog_answer_confirm(d, true);
        if (key == 'n' || key == 'N' || key == 27)
            return dialog_answer_confirm(d, false);
        return true;
    }
    if (d->prompt != NULL) {
        if (key == 27) {
            d->answered = true;
            if (d->base.owner != NULL)
                d->prompt(d->base.owner, NULL, d->arg);
            return false;
        }
        if (key == '\n') {
            if (d->line.len == 0) {
                tui_message(t, TUI_MSG_WARN, "Please give a reason (Esc cancels).");
                return true;
            }
            d->answered = true;
            if (d->base.owner != NULL)
                d->prompt(d->base.owner, d->line.buf, d->arg);
            return false;
        }
        lineedit_key(&d->line, key);
        return true;
    }
    return false;
}

static void dialog_free(struct overlay *o)
{
    struct dialog *d = (struct dialog *)o;

    curs_set(0);
    lineedit_clear(&d->line);
    free(d->title);
    free(d->text);
    free(d);
}

static const struct overlay_ops dialog_ops = {
    .draw = dialog_draw, .key = dialog_key, .free = dialog_free,
};

static struct dialog *dialog_new(struct screen *owner, const char *title, const char *text)
{
    struct dialog *d = xcalloc(1, sizeof(*d));

    d->base.ops = &dialog_ops;
    d->base.owner = owner;
    d->title = xstrdup(title);
    d->text = xstrdup(text);
    return d;
}

void tui_confirm(struct screen *s, const char *title, const char *question, tui_confirm_fn fn,
                 void *arg)
{
    struct dialog *d = dialog_new(s, title, question);

    d->confirm = fn;
    d->arg = arg;
    tui_push_overlay(s->tui, &d->base);
}

void tui_prompt(struct screen *s, const char *title, const char *label, tui_text_fn fn,
                void *arg)
{
    struct dialog *d = dialog_new(s, title, label);

    d->input = true;
    d->prompt = fn;
    d->arg = arg;
    tui_push_overlay(s->tui, &d->base);
}

void tui_alert(struct tui *t, const char *title, const char *text)
{
    tui_push_overlay(t, &dialog_new(NULL, title, text)->base);
}

static void tui_form_discard(struct screen *s, bool yes, void *arg)
{
    (void)arg;
    if (yes)
        tui_close(s);
}

enum form_event tui_form_key(struct screen *s, struct form *f, int key, enum action a,
                             const char *discard_question)
{
    enum form_event e = form_key(f, key, a);

    if (e == FORM_CANCEL) {
        if (form_dirty(f))
            tui_confirm(s, "Discard", discard_question, tui_form_discard, NULL);
        else
            tui_close(s);
    }
    return e;
}

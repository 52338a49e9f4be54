/* The pickup queue at a store: click & collect orders to pick, ready for
 * pickup (days waiting, OVERDUE as a word), collected today — live. The
 * counter field takes an order number, the pickup code a customer shows
 * (typed, or by a barcode scanner that types it and Enter) or a name, and
 * opens the order in one step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/lineedit.h"
#include "kontor/order.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { PICKUP_Q_LOAD = 1, PICKUP_Q_FIND };
enum { PICK_NUMBER, PICK_CHANNEL, PICK_CUSTOMER, PICK_ITEMS, PICK_SECTION, PICK_SINCE,
       PICK_DAYS, PICK_OVERDUE, PICK_ID };

struct pickups {
    char location[16];
    bool overdue_only;
    struct pickup_queue q;
    struct pickup_find find;
    PGresult *rows;   /* the queue, or the matches of a search */
    bool showing_matches;
    int sel;
    int top;
    struct lineedit input;
};

static const struct screen_key pickups_keys[] = {
    { .key = '\n', .name = "Enter", .help = "find what is typed, or open the selected order",
      .perm = PERM_PICKUPS, .hint = true },
    { .key = KEYMAP_FN(KEY_DOWN), .name = "Up/Down", .help = "select an order",
      .perm = PERM_PICKUPS, .hint = true },
    { .key = 27, .name = "Esc", .help = "clear the search; again: back", .perm = PERM_PICKUPS,
      .hint = true },
};

static const char *const section_titles[][2] = {
    { "pick", "To pick" },
    { "ready", "Ready for pickup" },
    { "collected", "Collected today" },
};

static void pickups_load(struct screen *s)
{
    struct pickups *p = s->state;

    tui_query(s, PICKUP_Q_LOAD, pickup_queue_stmt(&p->q, p->location), 1);
}

static bool pickups_open(struct screen *s, const char *args, char **err)
{
    struct pickups *p = s->state;
    const struct auth_identity *id = tui_identity(s->tui);
    char word[32] = "";

    /* ":pickups", ":pickups HH-01", ":pickups overdue" */
    while (*args != '\0') {
        size_t n = strcspn(args, " ");
        snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) - 1 ? n : sizeof(word) - 1),
                 args);
        if (strcmp(word, "overdue") == 0)
            p->overdue_only = true;
        else if (strlen(word) < sizeof(p->location))
            memcpy(p->location, word, strlen(word) + 1);
        else
            tui_message(s->tui, TUI_MSG_WARN, "'%s' is not a location code.", word);
        args += n;
        while (*args == ' ')
            args++;
    }
    if (p->location[0] == '\0')
        snprintf(p->location, sizeof(p->location), "%s", id->location_code);
    if (p->location[0] == '\0') {
        *err = xstrdup("Which store? You have no home location: try :pickups HB-01");
        return false;
    }
    snprintf(s->title, sizeof(s->title), "Pickups · %s%s", p->location,
             p->overdue_only ? " · overdue only" : "");
    pickups_load(s);
    return true;
}

static bool pickups_row_shown(const struct pickups *p, int r)
{
    if (p->showing_matches || !p->overdue_only)
        return true;
    return strcmp(db_value(p->rows, r, PICK_OVERDUE), "t") == 0;
}

static int pickups_count_shown(const struct pickups *p)
{
    int n = 0;

    for (int r = 0; p->rows != NULL && r < PQntuples(p->rows); r++)
        n += pickups_row_shown(p, r);
    return n;
}

/* The row index of the n-th shown row. */
static int pickups_nth(const struct pickups *p, int n)
{
    for (int r = 0; p->rows != NULL && r < PQntuples(p->rows); r++)
        if (pickups_row_shown(p, r) && n-- == 0)
            return r;
    return -1;
}

static void pickups_take(struct pickups *p, struct db_stmt *st, bool matches)
{
    PQclear(p->rows);
    p->rows = st->res;
    st->res = NULL;
    p->showing_matches = matches;
    int n = pickups_count_shown(p);
    if (p->sel >= n)
        p->sel = n > 0 ? n - 1 : 0;
}

static void pickups_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                           const struct db_error *err)
{
    struct pickups *p = s->state;

    if (err != NULL) {
        tui_db_error(s->tui, err);
        return;
    }
    if (tag == PICKUP_Q_LOAD) {
        if (!p->showing_matches)
            pickups_take(p, &stmts[0], false);
        return;
    }
    /* A search at the counter: one match opens at once. */
    int found = PQntuples(stmts[0].res);
    if (found == 1) {
        char number[32];
        snprintf(number, sizeof(number), "%s", db_value(stmts[0].res, 0, 0));
        lineedit_clear(&p->input);
        tui_open(s->tui, "order", number);
        return;
    }
    if (found == 0) {
        tui_message(s->tui, TUI_MSG_WARN, "Nothing here matches \"%s\".", p->input.buf);
        return;
    }
    p->sel = 0;
    pickups_take(p, &stmts[0], true);
}

static void pickups_open_selected(struct screen *s, struct pickups *p)
{
    int r = pickups_nth(p, p->sel);

    if (r >= 0)
        tui_open(s->tui, "order", db_value(p->rows, r, 0));
}

static bool pickups_key(struct screen *s, int key, enum action a)
{
    struct pickups *p = s->state;
    int n = pickups_count_shown(p);

    if (key == '\n') {
        if (p->input.len > 0)
            tui_query(s, PICKUP_Q_FIND, pickup_find_stmt(&p->find, p->location, p->input.buf), 1);
        else
            pickups_open_selected(s, p);
        return true;
    }
    if (key == 27) {
        if (p->input.len > 0 || p->showing_matches) {
            lineedit_clear(&p->input);
            p->showing_matches = false;
            pickups_load(s);
            return true;
        }
        return false;
    }
    if (key == KEYMAP_FN(KEY_DOWN) || key == KEYMAP_FN(KEY_NPAGE)) {
        int step = key == KEYMAP_FN(KEY_DOWN) ? 1 : 10;
        p->sel = p->sel + step < n ? p->sel + step : (n > 0 ? n - 1 : 0);
        return true;
    }
    if (key == KEYMAP_FN(KEY_UP) || key == KEYMAP_FN(KEY_PPAGE)) {
        int step = key == KEYMAP_FN(KEY_UP) ? 1 : 10;
        p->sel = p->sel > step ? p->sel - step : 0;
        return true;
    }
    if (lineedit_key(&p->input, key))
        return true;
    return a != ACTION_QUIT && a != ACTION_HELP && a != ACTION_REFRESH && a != ACTION_BACK &&
           a != ACTION_COMMAND && key != KEYMAP_FN(KEY_F(1));
}

static void pickups_draw_row(struct pickups *p, WINDOW *w, int y, int cols, int r, bool sel)
{
    char line[256], wait[64];
    const PGresult *res = p->rows;
    bool overdue = strcmp(db_value(res, r, PICK_OVERDUE), "t") == 0;
    const char *section = db_value(res, r, PICK_SECTION);
    long long items = db_value_ll(res, r, PICK_ITEMS);

    if (p->showing_matches)
        snprintf(wait, sizeof(wait), "%s", order_status_label(db_value(res, r, 2)));
    else if (strcmp(section, "ready") == 0)
        snprintf(wait, sizeof(wait), "waiting %s day%s%s", db_value(res, r, PICK_DAYS),
                 db_value_ll(res, r, PICK_DAYS) == 1 ? "" : "s", overdue ? "   OVERDUE" : "");
    else
        snprintf(wait, sizeof(wait), "%s %s", strcmp(section, "collected") == 0 ? "at" : "placed",
                 db_value(res, r, PICK_SINCE));
    if (p->showing_matches)
        snprintf(line, sizeof(line), "%s %-10s %-26s", sel ? "▶" : " ", db_value(res, r, 0),
                 db_value(res, r, 1));
    else
        snprintf(line, sizeof(line), "%s %-10s %-7s %-22s %3lld item%s", sel ? "▶" : " ",
                 db_value(res, r, PICK_NUMBER), db_value(res, r, PICK_CHANNEL),
                 db_value(res, r, PICK_CUSTOMER), items, items == 1 ? " " : "s");
    enum theme_slot slot = sel ? THEME_SELECTED : THEME_BODY;
    int lw = cols - 30;
    tui_print(w, y, 1, lw, slot, TEXT_ALIGN_LEFT, line);
    tui_print(w, y, 1 + lw, cols - lw - 2, sel ? THEME_SELECTED : overdue ? THEME_WARNING : THEME_DIM,
              TEXT_ALIGN_LEFT, wait);
}

static void pickups_draw(struct screen *s, WINDOW *w)
{
    struct pickups *p = s->state;
    int rows, cols, y = 2, shown = 0;

    getmaxyx(w, rows, cols);
    tui_print(w, 0, 1, 56, THEME_HEADER, TEXT_ALIGN_LEFT,
              "Scan or type a pickup code, order number or name:");
    tui_print(w, 0, 52, cols - 53, THEME_INPUT, TEXT_ALIGN_LEFT, p->input.buf);
    if (p->rows == NULL) {
        tui_print(w, 2, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading the queue…");
        return;
    }
    int n = pickups_count_shown(p);
    if (p->sel < p->top)
        p->top = p->sel;
    if (p->sel >= p->top + rows - 8)
        p->top = p->sel - (rows - 8) + 1;
    const char *last_section = "";
    for (int i = 0; i < n && y < rows; i++) {
        int r = pickups_nth(p, i);
        const char *section = p->showing_matches ? "matches" : db_value(p->rows, r, PICK_SECTION);
        if (strcmp(section, last_section) != 0) {
            char head[96];
            int count = 0;
            for (int k = 0; k < n; k++) {
                int rk = pickups_nth(p, k);
                const char *sk = p->showing_matches ? "matches"
                                                    : db_value(p->rows, rk, PICK_SECTION);
                count += strcmp(sk, section) == 0;
            }
            const char *title = "Matches";
            for (size_t t = 0; t < sizeof(section_titles) / sizeof(section_titles[0]); t++)
                if (strcmp(section_titles[t][0], section) == 0)
                    title = section_titles[t][1];
            snprintf(head, sizeof(head), "%s (%d)", title, count);
            if (y > 2)
                y++;
            if (y < rows)
                tui_print(w, y++, 1, cols - 2, THEME_HEADER, TEXT_ALIGN_LEFT, head);
            last_section = section;
        }
        if (i >= p->top && y < rows) {
            pickups_draw_row(p, w, y++, cols, r, i == p->sel);
            shown++;
        }
    }
    if (n == 0)
        tui_print(w, 2, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT,
                  p->overdue_only ? "No overdue pickups here." : "No click & collect orders here.");
    wmove(w, 0, 52 + lineedit_cursor_col(&p->input));
    curs_set(1);
}

static void pickups_notify(struct screen *s, const char *channel, const char *payload)
{
    if (strcmp(channel, "kontor_order") == 0)
        pickups_load(s);
}

static void pickups_close(struct screen *s)
{
    struct pickups *p = s->state;

    curs_set(0);
    PQclear(p->rows);
    lineedit_clear(&p->input);
}

const struct screen_ops screen_pickups = {
    .name = "pickups",
    .title = "Pickups",
    .help = "the click & collect queue at your store (or another: :pickups HH-01)",
    .args = "[location] [overdue]",
    .perm = PERM_PICKUPS,
    .in_palette = true,
    .state_size = sizeof(struct pickups),
    .keys = pickups_keys,
    .nkeys = sizeof(pickups_keys) / sizeof(pickups_keys[0]),
    .open = pickups_open,
    .draw = pickups_draw,
    .key = pickups_key,
    .result = pickups_result,
    .notify = pickups_notify,
    .resume = pickups_load,
    .close = pickups_close,
};

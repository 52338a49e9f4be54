/* Staff accounts for admins: the list (keyset paged, filterable), unlocking
 * an account locked after failed sign-ins, and the form for a new account
 * (scenario 7: a new clerk who must change the password at first sign-in). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/screens.h"
#include "kontor/staff.h"
#include "kontor/table.h"
#include "kontor/xalloc.h"

enum { STAFF_Q_ROWS = 10, STAFF_Q_UNLOCK = 1 };

struct staff_fetch {
    struct db_stmt st;
    char how[8];
    char filter[256];
    char key[80];
    char limit[16];
    const char *params[4];
};

struct staff_screen {
    struct screen *s;
    struct table *table;
    struct staff_fetch fetch[TABLE_FETCH_KINDS];
    struct db_stmt unlock;
    char unlock_user[80];
    const char *unlock_params[1];
};

static const struct table_column staff_columns[] = {
    { .title = "User", .width = 14, .priority = 1, .sortable = false },
    { .title = "Name", .width = 0, .min_width = 14, .priority = 1 },
    { .title = "Role", .width = 8, .priority = 2 },
    { .title = "Location", .width = 9, .priority = 3 },
    { .title = "State", .width = 21, .priority = 1 },
    { .title = "Failures", .width = 8, .priority = 4, .align = TEXT_ALIGN_RIGHT },
    { .title = "Last sign-in", .width = 13, .priority = 5 },
};

static const struct screen_key staff_keys[] = {
    { .key = 'n', .name = "n", .help = "new account", .perm = PERM_STAFF, .hint = true },
    { .key = 'u', .name = "u", .help = "unlock the selected account", .perm = PERM_STAFF,
      .hint = true },
    { .key = '/', .name = "/", .help = "filter by user or name", .perm = PERM_STAFF,
      .hint = true },
};

static const char *const how_names[TABLE_FETCH_KINDS] = {
    [TABLE_FETCH_FIRST] = "first", [TABLE_FETCH_LAST] = "last",
    [TABLE_FETCH_AFTER] = "after", [TABLE_FETCH_BEFORE] = "before",
    [TABLE_FETCH_FROM] = "from",
};

static void staff_fetch(void *ctx, enum table_fetch how, const char *const *key, int limit)
{
    struct staff_screen *ss = ctx;
    struct staff_fetch *f = &ss->fetch[how];
    const char *filter = table_filter(ss->table);

    snprintf(f->how, sizeof(f->how), "%s", how_names[how]);
    snprintf(f->filter, sizeof(f->filter), "%s", filter ? filter : "");
    snprintf(f->key, sizeof(f->key), "%s", key != NULL ? key[0] : "");
    snprintf(f->limit, sizeof(f->limit), "%d", limit);
    f->params[0] = f->how;
    f->params[1] = f->filter;
    f->params[2] = f->key;
    f->params[3] = f->limit;
    f->st = staff_page_stmt(f->params);
    tui_query(ss->s, STAFF_Q_ROWS + (int)how, &f->st, 1);
}

static void staff_changed(void *ctx)
{
    struct staff_screen *ss = ctx;
    const char *filter = table_filter(ss->table);

    if (filter != NULL && filter[0] != '\0')
        snprintf(ss->s->title, sizeof(ss->s->title), "Staff · matching \"%s\"", filter);
    else
        snprintf(ss->s->title, sizeof(ss->s->title), "Staff · all accounts");
}

static const struct table_source staff_source = {
    .fetch = staff_fetch,
    .changed = staff_changed,
};

static const char *staff_value(const void *data, int row, int col)
{
    return db_value(data, row, col);
}

static bool staff_open(struct screen *s, const char *args, char **err)
{
    struct staff_screen *ss = s->state;

    ss->s = s;
    ss->table = table_new(staff_columns, sizeof(staff_columns) / sizeof(staff_columns[0]), 1,
                          &staff_source, ss);
    if (args[0] != '\0')
        table_set_filter(ss->table, args);
    staff_changed(ss);
    table_reload(ss->table);
    return true;
}

static void staff_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                         const struct db_error *err)
{
    struct staff_screen *ss = s->state;

    if (tag >= STAFF_Q_ROWS) {
        enum table_fetch how = (enum table_fetch)(tag - STAFF_Q_ROWS);
        if (err != NULL) {
            table_fetch_failed(ss->table, how);
            tui_db_error(s->tui, err);
            return;
        }
        table_receive(ss->table, how, PQntuples(stmts[0].res), staff_value, stmts[0].res);
        return;
    }
    if (err != NULL) {
        tui_db_error(s->tui, err);
        return;
    }
    tui_message(s->tui, TUI_MSG_OK, "%s is unlocked.", ss->unlock_user);
    table_refresh(ss->table);
}

static void staff_unlock_confirmed(struct screen *s, bool yes, void *arg)
{
    struct staff_screen *ss = s->state;

    if (!yes)
        return;
    ss->unlock_params[0] = ss->unlock_user;
    ss->unlock = staff_unlock_stmt(ss->unlock_params);
    tui_query(s, STAFF_Q_UNLOCK, &ss->unlock, 1);
}

static bool staff_key(struct screen *s, int key, enum action a)
{
    struct staff_screen *ss = s->state;

    if (table_key(ss->table, key, a))
        return true;
    if (key == 'u') {
        const char *const *k = table_selected_key(ss->table);
        if (k == NULL)
            return true;
        snprintf(ss->unlock_user, sizeof(ss->unlock_user), "%s", k[0]);
        char *q = xasprintf("Unlock %s? Failed sign-ins are reset to 0.", k[0]);
        tui_confirm(s, "Unlock account", q, staff_unlock_confirmed, NULL);
        free(q);
        return true;
    }
    if (key == 'n') {
        tui_open(s->tui, "staff-add", "");
        return true;
    }
    return false;
}

static void staff_draw(struct screen *s, WINDOW *w)
{
    struct staff_screen *ss = s->state;

    table_draw_window(ss->table, w);
}

static void staff_resume(struct screen *s)
{
    struct staff_screen *ss = s->state;

    table_refresh(ss->table);
}

static void staff_close(struct screen *s)
{
    struct staff_screen *ss = s->state;

    table_free(ss->table);
}

const struct screen_ops screen_staff = {
    .name = "staff",
    .title = "Staff",
    .help = "staff accounts: new, unlock",
    .args = "[filter]",
    .perm = PERM_STAFF,
    .in_palette = true,
    .state_size = sizeof(struct staff_screen),
    .keys = staff_keys,
    .nkeys = sizeof(staff_keys) / sizeof(staff_keys[0]),
    .open = staff_open,
    .draw = staff_draw,
    .key = staff_key,
    .result = staff_result,
    .resume = staff_resume,
    .close = staff_close,
};

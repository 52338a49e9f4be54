/* The returns queue: every channel's returns in one keyset-paged list,
 * oldest first (longest in its status), the filter in the title, OVERDUE
 * as a word, and live: a state change elsewhere refreshes the page in
 * place. A clerk sees their own store unless another location is named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/returns.h"
#include "kontor/screens.h"
#include "kontor/table.h"

enum {
    RETURNS_Q_COUNT = 1,
    RETURNS_Q_ROWS = 10, /* + enum table_fetch */
};

struct returns {
    struct screen *s;
    struct table *table;
    struct return_filter filter;
    struct return_page page[TABLE_FETCH_KINDS];
    struct return_count count;
};

/* The waiting time says more than the moment: "since" is dropped first. */
static const struct table_column returns_columns[RET_COL_COUNT] = {
    [RET_COL_RMA] = { .title = "RMA", .width = 8, .priority = 1 },
    [RET_COL_STATUS] = { .title = "Status", .width = 10, .priority = 1 },
    [RET_COL_SINCE] = { .title = "Since", .width = 12, .priority = 6 },
    [RET_COL_WAITING] = { .title = "Waiting", .width = 8, .priority = 2 },
    [RET_COL_OVERDUE] = { .title = "Overdue", .width = 7, .priority = 1 },
    [RET_COL_ORDER] = { .title = "Order", .width = 8, .priority = 3 },
    [RET_COL_BOUGHT] = { .title = "Bought", .width = 12, .priority = 5 },
    [RET_COL_BACK] = { .title = "Back", .width = 12, .priority = 4 },
    [RET_COL_CUSTOMER] = { .title = "Customer", .width = 0, .min_width = 12, .priority = 2 },
    [RET_COL_ITEMS] = { .title = "Items", .width = 5, .priority = 6, .align = TEXT_ALIGN_RIGHT },
    [RET_COL_VALUE] = { .title = "Value €", .width = 10, .priority = 1, .money = true,
                        .align = TEXT_ALIGN_RIGHT },
    [RET_COL_APPROVAL] = { .title = "Approval", .width = 8, .priority = 3 },
};

static const struct screen_key returns_keys[] = {
    { .key = '\n', .name = "Enter", .help = "open the return", .perm = PERM_RETURNS_VIEW,
      .hint = true },
    { .key = '/', .name = "/", .help = "filter: a status, open, approval, all, a location code",
      .perm = PERM_RETURNS_VIEW, .hint = true },
    { .key = 'f', .name = "f", .help = "filter (the same as /)", .perm = PERM_RETURNS_VIEW },
};

static void returns_title(struct returns *r)
{
    char what[160], total[48];

    return_filter_describe(&r->filter, what, sizeof(what));
    table_total_text(r->table, total, sizeof(total));
    tui_set_title(r->s, "Returns · %s%s%s", what, total[0] ? " · " : "", total);
}

static void returns_fetch(void *ctx, enum table_fetch how, const char *const *key, int limit)
{
    struct returns *r = ctx;
    struct db_stmt *st = return_page_stmt(&r->page[how], &r->filter, (enum order_fetch)how, key,
                                          limit);

    tui_query(r->s, RETURNS_Q_ROWS + (int)how, st, 1);
}

static const struct table_source returns_source = {
    .fetch = returns_fetch,
};

/* Display values as the table shows them; the key columns (status_changed_at,
 * id) follow the display columns in the result, as the table expects. */
static const char *returns_value(const void *data, int row, int col)
{
    const PGresult *res = data;

    if (col == RET_COL_OVERDUE)
        return strcmp(db_value(res, row, col), "t") == 0 ? "OVERDUE" : "";
    return db_value(res, row, col);
}

static void returns_count(struct returns *r)
{
    tui_query(r->s, RETURNS_Q_COUNT, return_count_stmt(&r->count, &r->filter), 1);
}

static void returns_start(struct returns *r)
{
    table_set_total(r->table, -1, false);
    returns_title(r);
    returns_count(r);
    table_reload(r->table);
}

/* Parses args into *f; a clerk without a location named works at their
 * own store (the home screen's links rely on it). */
static bool returns_parse(struct returns *r, struct return_filter *f, const char *args, char **err)
{
    const struct auth_identity *id = tui_identity(r->s->tui);

    if (!return_filter_parse(f, args, err))
        return false;
    if (f->location[0] == '\0' && id->session.role == DB_ROLE_CLERK)
        snprintf(f->location, sizeof(f->location), "%s", id->location_code);
    return true;
}

static bool returns_open(struct screen *s, const char *args, char **err)
{
    struct returns *r = s->state;

    r->s = s;
    if (!returns_parse(r, &r->filter, args, err))
        return false;
    r->table = table_new(returns_columns, RET_COL_COUNT, RETURN_PAGE_KEYS, &returns_source, r);
    returns_start(r);
    return true;
}

static void returns_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                           const struct db_error *err)
{
    struct returns *r = s->state;

    if (tag >= RETURNS_Q_ROWS) {
        enum table_fetch how = (enum table_fetch)(tag - RETURNS_Q_ROWS);
        if (err != NULL) {
            table_fetch_failed(r->table, how);
            tui_db_error(s->tui, err);
        } else {
            table_receive(r->table, how, PQntuples(stmts[0].res), returns_value, stmts[0].res);
        }
        return;
    }
    if (err != NULL) {
        tui_db_error(s->tui, err);
        return;
    }
    if (tag == RETURNS_Q_COUNT && PQntuples(stmts[0].res) == 1) {
        table_set_total(r->table, db_value_ll(stmts[0].res, 0, 0), false);
        returns_title(r);
    }
}

/* A bad word leaves the filter as it was. */
static void returns_filter_given(struct screen *s, const char *text, void *arg)
{
    struct returns *r = s->state;
    struct return_filter f;
    char *why = NULL;

    if (text == NULL)
        return;
    if (!returns_parse(r, &f, text, &why)) {
        tui_message(s->tui, TUI_MSG_WARN, "%s", why ? why : "Not a filter.");
        free(why);
        return;
    }
    r->filter = f;
    returns_start(r);
}

static void returns_open_selected(struct screen *s, struct returns *r)
{
    const char *v = table_selected_value(r->table, RET_COL_RMA);
    char rma[24];

    if (v == NULL || v[0] == '\0')
        return;
    snprintf(rma, sizeof(rma), "%s", v);
    tui_open(s->tui, "return", rma);
}

static bool returns_key(struct screen *s, int key, enum action a)
{
    struct returns *r = s->state;

    if (key == 'f' || a == ACTION_FILTER) {
        tui_prompt(s, "Filter returns",
                   "Status, location or both (open, approval, received, inspected, all, HB-01):",
                   returns_filter_given, NULL);
        return true;
    }
    if (a == ACTION_OPEN) {
        returns_open_selected(s, r);
        return true;
    }
    if (a == ACTION_MARK)
        return true; /* nothing to do with marked returns */
    return table_key(r->table, key, a);
}

static void returns_draw(struct screen *s, WINDOW *w)
{
    struct returns *r = s->state;

    table_draw_window(r->table, w);
}

static void returns_notify(struct screen *s, const char *channel, const char *payload)
{
    struct returns *r = s->state;

    if (strcmp(channel, "kontor_return") != 0)
        return;
    table_refresh(r->table);
    returns_count(r);
}

static void returns_resume(struct screen *s)
{
    struct returns *r = s->state;

    table_refresh(r->table);
    returns_count(r);
}

static void returns_close(struct screen *s)
{
    struct returns *r = s->state;

    table_free(r->table);
}

const struct screen_ops screen_returns = {
    .name = "returns",
    .title = "Returns",
    .help = "returns of every channel, oldest first (open, approval, received … HB-01 …, all)",
    .args = "[status] [location]",
    .perm = PERM_RETURNS_VIEW,
    .in_palette = true,
    .state_size = sizeof(struct returns),
    .keys = returns_keys,
    .nkeys = sizeof(returns_keys) / sizeof(returns_keys[0]),
    .open = returns_open,
    .draw = returns_draw,
    .key = returns_key,
    .result = returns_result,
    .notify = returns_notify,
    .resume = returns_resume,
    .close = returns_close,
};

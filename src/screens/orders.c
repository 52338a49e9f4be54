/* The order list: every channel in one keyset-paged list, filters shown in
 * the title and remembered per staff member, live updates that keep the
 * cursor on the selected order, and bulk moves on marked rows (each order
 * in its own transaction, with a summary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/form.h"
#include "kontor/order.h"
#include "kontor/screens.h"
#include "kontor/table.h"
#include "kontor/xalloc.h"

#define ORDERS_PREF_KEY "orders.filter"
#define ORDERS_BULK_MAX 200

enum {
    ORDERS_Q_PREF = 1,
    ORDERS_Q_SAVE_PREF,
    ORDERS_Q_COUNT,
    ORDERS_Q_ROWS = 10,   /* + enum table_fetch */
    ORDERS_Q_BULK = 100,  /* + index of the marked order */
};

struct orders {
    struct screen *s;
    struct table *table;
    struct order_filter filter;
    struct order_page page[TABLE_FETCH_KINDS];
    struct order_count count;
    struct staff_pref pref_get, pref_set;
    bool filter_from_args;
    struct form *form; /* the filter form while it is open */
    /* bulk */
    struct order_move *bulk;
    char (*bulk_numbers)[24];
    size_t bulk_n, bulk_done, bulk_ok;
    char bulk_to[24];
    char bulk_why[1024]; /* why the refused orders were refused */
};

static const struct table_column order_columns[ORDER_COL_COUNT] = {
    [ORDER_COL_NUMBER] = { .title = "Number", .width = 10, .priority = 1 },
    [ORDER_COL_PLACED] = { .title = "Placed", .width = 13, .priority = 2, .sortable = true },
    [ORDER_COL_CHANNEL] = { .title = "Channel", .width = 11, .priority = 3 },
    [ORDER_COL_LOCATION] = { .title = "Location", .width = 10, .priority = 5 },
    [ORDER_COL_CUSTOMER] = { .title = "Customer", .width = 0, .min_width = 14, .priority = 1 },
    [ORDER_COL_FULFILMENT] = { .title = "Fulfil.", .width = 8, .priority = 6 },
    [ORDER_COL_STATUS] = { .title = "Status", .width = 17, .priority = 1 },
    [ORDER_COL_ITEMS] = { .title = "Items", .width = 5, .priority = 7, .align = TEXT_ALIGN_RIGHT },
    [ORDER_COL_TOTAL] = { .title = "Total €", .width = 11, .priority = 1, .money = true,
                          .align = TEXT_ALIGN_RIGHT, .sortable = true },
};

static const struct screen_key orders_keys[] = {
    { .key = '\n', .name = "Enter", .help = "open the order", .perm = PERM_ORDERS_VIEW,
      .hint = true },
    { .key = '/', .name = "/", .help = "filter by number, name or email", .perm = PERM_ORDERS_VIEW,
      .hint = true },
    { .key = 's', .name = "s", .help = "sort: newest, oldest, total", .perm = PERM_ORDERS_VIEW,
      .hint = true },
    { .key = ' ', .name = "Space", .help = "mark for a bulk action", .perm = PERM_ORDERS_FULFIL,
      .hint = true },
    { .key = 'P', .name = "P", .help = "marked orders: start picking", .perm = PERM_ORDERS_FULFIL,
      .hint = true },
    { .key = 'R', .name = "R", .help = "marked orders: ready for pickup",
      .perm = PERM_ORDERS_FULFIL, .hint = true },
    { .key = 'f', .name = "f", .help = "filters: channel, status, fulfilment, location, dates",
      .perm = PERM_ORDERS_VIEW, .hint = true },
    { .key = 'x', .name = "x", .help = "clear all filters", .perm = PERM_ORDERS_VIEW },
};

enum { FF_CHANNEL, FF_STATUS, FF_FULFILMENT, FF_LOCATION, FF_FROM, FF_TO, FF_COUNT };

static const char *const ff_channels[] = { "any", "web", "app", "store", "marketplace",
                                           "phone", "social", "print" };
static const char *const ff_statuses[] = { "any", "open", "placed", "paid", "picking",
                                           "ready_for_pickup", "collected", "shipped",
                                           "delivered", "completed", "cancelled",
                                           "partially_returned", "returned" };
static const char *const ff_fulfilments[] = { "any", "ship", "click_collect", "in_store" };

static const struct form_field ff_fields[FF_COUNT] = {
    [FF_CHANNEL] = { .label = "Channel", .kind = FORM_CHOICE, .choices = ff_channels,
                     .nchoices = sizeof(ff_channels) / sizeof(ff_channels[0]) },
    [FF_STATUS] = { .label = "Status", .kind = FORM_CHOICE, .choices = ff_statuses,
                    .nchoices = sizeof(ff_statuses) / sizeof(ff_statuses[0]) },
    [FF_FULFILMENT] = { .label = "Fulfilment", .kind = FORM_CHOICE, .choices = ff_fulfilments,
                        .nchoices = sizeof(ff_fulfilments) / sizeof(ff_fulfilments[0]) },
    [FF_LOCATION] = { .label = "Location code", .kind = FORM_TEXT, .width = 10, .max_len = 15 },
    [FF_FROM] = { .label = "Placed from", .kind = FORM_DATE },
    [FF_TO] = { .label = "Placed until", .kind = FORM_DATE },
};

static void orders_copy(char *dst, size_t len, const char *v)
{
    snprintf(dst, len, "%s", strcmp(v, "any") == 0 ? "" : v);
}

static enum order_sort orders_sort(struct orders *o)
{
    bool desc = true;
    int col = table_sort(o->table, &desc);

    if (col == ORDER_COL_TOTAL)
        return desc ? ORDER_SORT_TOTAL_DESC : ORDER_SORT_TOTAL_ASC;
    return desc ? ORDER_SORT_NEWEST : ORDER_SORT_OLDEST;
}

static void orders_title(struct orders *o)
{
    static const char *const sorts[] = {
        [ORDER_SORT_NEWEST] = "newest first", [ORDER_SORT_OLDEST] = "oldest first",
        [ORDER_SORT_TOTAL_DESC] = "largest first", [ORDER_SORT_TOTAL_ASC] = "smallest first",
    };
    char what[256], total[48];

    order_filter_describe(&o->filter, what, sizeof(what));
    table_total_text(o->table, total, sizeof(total));
    tui_set_title(o->s, "Orders · %s · %s%s%s", what,
             sorts[orders_sort(o)], total[0] ? "   " : "", total);
}

/* The table's keys are {id, sort value} (so marks carry the id); the
 * page query wants {sort value, id}. */
static void orders_fetch(void *ctx, enum table_fetch how, const char *const *key, int limit)
{
    struct orders *o = ctx;
    const char *k[2] = { key ? key[1] : NULL, key ? key[0] : NULL };
    struct db_stmt *st = order_page_stmt(&o->page[how], &o->filter, orders_sort(o),
                                         (enum order_fetch)how, key ? k : NULL, limit);

    tui_query(o->s, ORDERS_Q_ROWS + (int)how, st, 1);
}

static void orders_count(struct orders *o)
{
    tui_query(o->s, ORDERS_Q_COUNT, order_count_stmt(&o->count, &o->filter), 1);
}

static void orders_save_filter(struct orders *o)
{
    char line[512];

    order_filter_format(&o->filter, line, sizeof(line));
    tui_query(o->s, ORDERS_Q_SAVE_PREF, staff_pref_set_stmt(&o->pref_set, ORDERS_PREF_KEY, line), 1);
}

/* The table's own filter line is the free-text part of the order filter. */
static void orders_changed(void *ctx)
{
    struct orders *o = ctx;
    const char *text = table_filter(o->table);

    snprintf(o->filter.text, sizeof(o->filter.text), "%s", text ? text : "");
    orders_title(o);
    orders_count(o);
    orders_save_filter(o);
}

static const struct table_source orders_source = {
    .fetch = orders_fetch,
    .changed = orders_changed,
};

static const char *orders_value(const void *data, int row, int col)
{
    const PGresult *res = data;
    static char placed[16];

    if (col == ORDER_COL_STATUS)
        return order_status_label(db_value(res, row, col));
    if (col == ORDER_COL_PLACED) {
        /* "2026-11-23 10:41" → "23.11. 10:41", as on the sketches. */
        const char *v = db_value(res, row, col);
        if (strlen(v) == 16) {
            snprintf(placed, sizeof(placed), "%.2s.%.2s. %.5s", v + 8, v + 5, v + 11);
            return placed;
        }
        return v;
    }
    if (col == ORDER_COL_FULFILMENT)
        return order_fulfilment_label(db_value(res, row, col));
    if (col == ORDER_COL_COUNT) /* key 0: the id */
        return db_value(res, row, ORDER_COL_COUNT + 1);
    if (col == ORDER_COL_COUNT + 1) /* key 1: the sort value */
        return db_value(res, row, ORDER_COL_COUNT);
    return db_value(res, row, col);
}

static void orders_start(struct orders *o)
{
    table_set_filter(o->table, o->filter.text);
    orders_title(o);
    orders_count(o);
    table_reload(o->table);
}

static bool orders_open(struct screen *s, const char *args, char **err)
{
    struct orders *o = s->state;

    o->s = s;
    o->table = table_new(order_columns, ORDER_COL_COUNT, ORDER_PAGE_KEYS, &orders_source, o);
    table_set_sort(o->table, ORDER_COL_PLACED, true);
    if (args[0] != '\0') {
        if (!order_filter_parse(&o->filter, args, err))
            return false;
        o->filter_from_args = true;
        orders_start(o);
        orders_save_filter(o);
    } else {
        /* The filter this staff member used last time. */
        tui_query(s, ORDERS_Q_PREF, staff_pref_get_stmt(&o->pref_get, ORDERS_PREF_KEY), 1);
    }
    orders_title(o);
    return true;
}

static void orders_bulk_result(struct screen *s, struct orders *o, size_t i, struct db_stmt *stmts,
                               const struct db_error *err)
{
    struct order_move_outcome out;
    size_t used = strlen(o->bulk_why);
    char *why = NULL;

    if (err != NULL) {
        why = xasprintf("%s: %s", o->bulk_numbers[i], err->message ? err->message : "failed");
    } else {
        order_move_read(stmts, &out);
        if (out.number[0] != '\0')
            snprintf(o->bulk_numbers[i], sizeof(o->bulk_numbers[i]), "%s", out.number);
        if (out.result == ORDER_MOVED)
            o->bulk_ok++;
        else if (out.result == ORDER_REFUSED)
            why = xasprintf("%s: not at your location", o->bulk_numbers[i]);
        else if (out.result == ORDER_NOT_FOUND)
            why = xasprintf("%s: no longer exists", o->bulk_numbers[i]);
        else
            why = xasprintf("%s: changed meanwhile (now %s)", o->bulk_numbers[i],
                            order_status_label(out.status));
    }
    if (why != NULL && used + strlen(why) + 4 < sizeof(o->bulk_why)) {
        if (used > 0)
            strcat(o->bulk_why, " · ");
        strcat(o->bulk_why, why);
    }
    free(why);
    if (++o->bulk_done < o->bulk_n)
        return;
    char *summary = xasprintf("%zu of %zu orders moved to %s.%s%s", o->bulk_ok, o->bulk_n,
                              order_status_label(o->bulk_to), o->bulk_ok < o->bulk_n ? " Not moved: " : "",
                              o->bulk_ok < o->bulk_n ? o->bulk_why : "");
    tui_alert(s->tui, "Bulk action", summary);
    free(summary);
    free(o->bulk);
    free(o->bulk_numbers);
    o->bulk = NULL;
    o->bulk_numbers = NULL;
    o->bulk_n = 0;
    table_clear_marks(o->table);
    table_refresh(o->table);
}

static void orders_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                          const struct db_error *err)
{
    struct orders *o = s->state;

    if (tag >= ORDERS_Q_BULK) {
        orders_bulk_result(s, o, (size_t)(tag - ORDERS_Q_BULK), stmts, err);
        return;
    }
    if (tag >= ORDERS_Q_ROWS) {
        enum table_fetch how = (enum table_fetch)(tag - ORDERS_Q_ROWS);
        if (err != NULL) {
            table_fetch_failed(o->table, how);
            tui_db_error(s->tui, err);
        } else {
            table_receive(o->table, how, PQntuples(stmts[0].res), orders_value, stmts[0].res);
        }
        return;
    }
    if (err != NULL) {
        if (tag != ORDERS_Q_SAVE_PREF)
            tui_db_error(s->tui, err);
        if (tag == ORDERS_Q_PREF)
            orders_start(o);
        return;
    }
    if (tag == ORDERS_Q_PREF) {
        char *why = NULL;
        if (PQntuples(stmts[0].res) == 1 &&
            !order_filter_parse(&o->filter, db_value(stmts[0].res, 0, 0), &why)) {
            memset(&o->filter, 0, sizeof(o->filter));
            free(why);
        }
        orders_start(o);
    } else if (tag == ORDERS_Q_COUNT) {
        bool estimate = false;
        long long total = order_count_read(stmts[0].res, &estimate);
        table_set_total(o->table, total, estimate);
        orders_title(o);
    }
}

static void orders_bulk_confirmed(struct screen *s, bool yes, void *arg)
{
    struct orders *o = s->state;
    size_t count = 0;
    const char *const *keys;

    if (!yes)
        return;
    keys = table_marked_keys(o->table, &count);
    if (count > ORDERS_BULK_MAX)
        count = ORDERS_BULK_MAX;
    o->bulk = xcalloc(count, sizeof(*o->bulk));
    o->bulk_numbers = xcalloc(count, sizeof(*o->bulk_numbers));
    o->bulk_n = count;
    o->bulk_done = o->bulk_ok = 0;
    o->bulk_why[0] = '\0';
    /* Marks carry the first key, the order id. */
    for (size_t i = 0; i < count; i++) {
        size_t nst = 0;
        snprintf(o->bulk_numbers[i], sizeof(o->bulk_numbers[i]), "order %s", keys[i]);
        struct db_stmt *st = order_move_stmts(&o->bulk[i], strtoll(keys[i], NULL, 10), 0,
                                              o->bulk_to, "", &nst);
        tui_query(s, ORDERS_Q_BULK + (int)i, st, nst);
    }
}

static void orders_bulk(struct screen *s, struct orders *o, const char *to)
{
    size_t count = 0;

    if (o->bulk != NULL) {
        tui_message(s->tui, TUI_MSG_WARN, "A bulk action is still running.");
        return;
    }
    table_marked_keys(o->table, &count);
    if (count == 0) {
        tui_message(s->tui, TUI_MSG_WARN, "Mark orders with Space first.");
        return;
    }
    snprintf(o->bulk_to, sizeof(o->bulk_to), "%s", to);
    char *q = xasprintf("Move %zu marked order%s to %s? Each order is changed on its own; "
                        "the database refuses illegal moves.",
                        count, count == 1 ? "" : "s", order_status_label(to));
    tui_confirm(s, "Bulk action", q, orders_bulk_confirmed, NULL);
    free(q);
}

static void orders_start(struct orders *o);
static void orders_save_filter(struct orders *o);

static void orders_form_open(struct orders *o)
{
    const char *ch = o->filter.channel[0] ? o->filter.channel : "any";
    const char *st = o->filter.status[0] ? o->filter.status : "any";
    const char *fu = o->filter.fulfilment[0] ? o->filter.fulfilment : "any";

    o->form = form_new(ff_fields, FF_COUNT);
    form_set(o->form, FF_CHANNEL, ch);
    form_set(o->form, FF_STATUS, st);
    form_set(o->form, FF_FULFILMENT, fu);
    form_set(o->form, FF_LOCATION, o->filter.location);
    form_set(o->form, FF_FROM, o->filter.from);
    form_set(o->form, FF_TO, o->filter.to);
}

static void orders_form_close(struct orders *o)
{
    form_free(o->form);
    o->form = NULL;
    curs_set(0);
}

static void orders_form_apply(struct orders *o)
{
    struct order_filter *f = &o->filter;

    orders_copy(f->channel, sizeof(f->channel), form_value(o->form, FF_CHANNEL));
    orders_copy(f->status, sizeof(f->status), form_value(o->form, FF_STATUS));
    orders_copy(f->fulfilment, sizeof(f->fulfilment), form_value(o->form, FF_FULFILMENT));
    orders_copy(f->location, sizeof(f->location), form_value(o->form, FF_LOCATION));
    orders_copy(f->from, sizeof(f->from), form_value(o->form, FF_FROM));
    orders_copy(f->to, sizeof(f->to), form_value(o->form, FF_TO));
    orders_form_close(o);
    orders_start(o);
    orders_save_filter(o);
}

static bool orders_form_key(struct orders *o, int key, enum action a)
{
    switch (form_key(o->form, key, a)) {
    case FORM_SAVE:
        orders_form_apply(o);
        return true;
    case FORM_CANCEL:
        orders_form_close(o);
        return true;
    case FORM_NONE:
        return a != ACTION_QUIT && a != ACTION_HELP;
    default:
        return true;
    }
}

static bool orders_key(struct screen *s, int key, enum action a)
{
    struct orders *o = s->state;

    if (o->form != NULL)
        return orders_form_key(o, key, a);
    if (key == 'f' && !table_filter_editing(o->table)) {
        orders_form_open(o);
        return true;
    }

    if (!table_filter_editing(o->table) && a == ACTION_OPEN) {
        const char *number = table_selected_value(o->table, ORDER_COL_NUMBER);
        if (number != NULL)
            tui_open(s->tui, "order", number);
        return true;
    }
    if (table_key(o->table, key, a))
        return true;
    if ((key == 'P' || key == 'R') && tui_allowed(s->tui, PERM_ORDERS_FULFIL)) {
        orders_bulk(s, o, key == 'P' ? "picking" : "ready_for_pickup");
        return true;
    }
    if (key == 'x') {
        memset(&o->filter, 0, sizeof(o->filter));
        orders_start(o);
        orders_save_filter(o);
        return true;
    }
    return false;
}

static void orders_draw(struct screen *s, WINDOW *w)
{
    struct orders *o = s->state;
    int rows, cols, y, x;

    if (o->form == NULL) {
        table_draw_window(o->table, w);
        return;
    }
    getmaxyx(w, rows, cols);
    tui_print(w, 1, 2, cols - 4, THEME_HEADER, TEXT_ALIGN_LEFT,
              "Filters — F2 applies, Esc leaves them as they were");
    form_draw(o->form, w, 3, 2, rows - 4, cols - 4);
    if (form_cursor(o->form, &y, &x)) {
        wmove(w, y, x);
        curs_set(1);
    }
}

static void orders_notify(struct screen *s, const char *channel, const char *payload)
{
    struct orders *o = s->state;

    if (strcmp(channel, "kontor_order") == 0)
        table_refresh(o->table);
}

static void orders_resume(struct screen *s)
{
    struct orders *o = s->state;

    table_refresh(o->table);
    orders_count(o);
}

static void orders_close(struct screen *s)
{
    struct orders *o = s->state;

    if (o->form != NULL)
        form_free(o->form);
    table_free(o->table);
    free(o->bulk);
    free(o->bulk_numbers);
}

const struct screen_ops screen_orders = {
    .name = "orders",
    .title = "Orders",
    .help = "orders of every channel (filters: web app store … open paid … c&c ship … "
            "HB-01 … today, 2026-11-01..2026-11-23, text)",
    .args = "[filters]",
    .perm = PERM_ORDERS_VIEW,
    .in_palette = true,
    .state_size = sizeof(struct orders),
    .keys = orders_keys,
    .nkeys = sizeof(orders_keys) / sizeof(orders_keys[0]),
    .open = orders_open,
    .draw = orders_draw,
    .key = orders_key,
    .result = orders_result,
    .notify = orders_notify,
    .resume = orders_resume,
    .close = orders_close,
};

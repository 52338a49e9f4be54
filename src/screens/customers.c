/* Customer search: `:customer TEXT` and `/` find people the way staff hear
 * them — a name misspelt or without umlauts, a phone number in any format
 * or a piece of it, an e-mail, a loyalty card, an order or RMA number, a
 * customer id — ranked best first by the database, which also decides how
 * much contact data the role sees; each key typed searches again. An
 * unambiguous identifier (or `#17`) opens the customer at once when the
 * search is given; Enter opens the selected one. The list is
 * short (at most CUSTOMER_SEARCH_LIMIT rows), so the table's page requests
 * are answered from the one result instead of further queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/customer_search.h"
#include "kontor/screens.h"
#include "kontor/table.h"

/* Searches in flight get tags of their own (a ring), so an answer for a
 * text typed before the latest is recognised and dropped. */
#define CUSTOMERS_RING 8

enum { CUSTOMERS_Q_SEARCH = 1 };

enum customers_col {
    CC_NAME,
    CC_CITY,
    CC_CONTACT,
    CC_MATCH,
    CC_ORDERS,
    CC_COUNT
};

struct customers {
    struct screen *s;
    struct table *table;
    struct customer_search q[CUSTOMERS_RING];
    int slot;          /* the ring slot of the latest search */
    PGresult *res;     /* the latest answer (NULL while none) */
    char shown[CUSTOMER_SEARCH_TEXT]; /* the text res answers */
    int first_limit;   /* rows the table asked for with FIRST */
    bool waiting;      /* a FIRST is waiting for the database */
    bool open_direct;  /* open an unambiguous match when the answer comes */
};

/* Name, contact and what matched share the width; the city goes first,
 * then the order count, when the terminal is narrow. */
static const struct table_column customers_columns[CC_COUNT] = {
    [CC_NAME] = { .title = "Name", .width = 0, .min_width = 14, .priority = 1 },
    [CC_CITY] = { .title = "City", .width = 11, .priority = 4 },
    [CC_CONTACT] = { .title = "Contact", .width = 0, .min_width = 16, .priority = 2 },
    [CC_MATCH] = { .title = "Found by", .width = 0, .min_width = 12, .priority = 2 },
    [CC_ORDERS] = { .title = "Orders", .width = 6, .priority = 3, .align = TEXT_ALIGN_RIGHT },
};

static const struct screen_key customers_keys[] = {
    { .key = '\n', .name = "Enter", .help = "open the customer", .perm = PERM_CUSTOMERS_VIEW,
      .hint = true },
    { .key = '/', .name = "/", .help = "new search: name, phone, e-mail, card, order, #id",
      .perm = PERM_CUSTOMERS_VIEW, .hint = true },
};

/* A slice of the result as the table reads it: row i of the answer is row
 * start + i * step of res. */
struct customers_slice {
    const PGresult *res;
    int start, step;
    char buf[128];
};

static const char *customers_value(const void *data, int row, int col)
{
    struct customers_slice *sl = (struct customers_slice *)data;
    int r = sl->start + row * sl->step;

    switch (col) {
    case CC_MATCH:
        return customer_search_match_text(sl->res, r, sl->buf, sizeof(sl->buf));
    case CC_NAME:
        return db_value(sl->res, r, CUSTOMER_SEARCH_NAME);
    case CC_CITY:
        return db_value(sl->res, r, CUSTOMER_SEARCH_CITY);
    case CC_CONTACT:
        return db_value(sl->res, r, CUSTOMER_SEARCH_CONTACT);
    case CC_ORDERS:
        return db_value(sl->res, r, CUSTOMER_SEARCH_ORDERS);
    default: /* the key: the customer id */
        return db_value(sl->res, r, CUSTOMER_SEARCH_ID);
    }
}

static int customers_rows(const struct customers *c)
{
    return c->res != NULL ? PQntuples(c->res) : 0;
}

/* The row of the answer with this customer id, or -1. */
static int customers_find(const struct customers *c, const char *id)
{
    for (int r = 0; id != NULL && r < customers_rows(c); r++)
        if (strcmp(db_value(c->res, r, CUSTOMER_SEARCH_ID), id) == 0)
            return r;
    return -1;
}

/* Answers a table request from the result: n rows from start, forwards or
 * (LAST, BEFORE) backwards. */
static void customers_answer(struct customers *c, enum table_fetch how, int start, int n, int step)
{
    struct customers_slice sl = { .res = c->res, .start = start, .step = step };

    if (n < 0)
        n = 0;
    table_receive(c->table, how, n, customers_value, &sl);
}

static void customers_title(struct customers *c)
{
    const char *text = table_filter(c->table);
    int n = customers_rows(c);

    if (customer_search_blank(text))
        tui_set_title(c->s, "Customers · find by name, phone, e-mail, card, order");
    else if (c->waiting)
        tui_set_title(c->s, "Customers · “%s” · searching…", text);
    else
        tui_set_title(c->s, "Customers · “%s” · %s%d found", text,
                      n >= CUSTOMER_SEARCH_LIMIT ? "first " : "", n);
}

static void customers_search(struct customers *c, const char *text, int limit)
{
    c->slot = (c->slot + 1) % CUSTOMERS_RING;
    c->first_limit = limit;
    c->waiting = true;
    tui_query(c->s, CUSTOMERS_Q_SEARCH + c->slot,
              customer_search_stmt(&c->q[c->slot], text, CUSTOMER_SEARCH_LIMIT), 1);
}

static void customers_fetch(void *ctx, enum table_fetch how, const char *const *key, int limit)
{
    struct customers *c = ctx;
    int n = customers_rows(c), at = key != NULL ? customers_find(c, key[0]) : -1;

    switch (how) {
    case TABLE_FETCH_FIRST:
        if (customer_search_blank(table_filter(c->table))) {
            c->slot = (c->slot + 1) % CUSTOMERS_RING; /* whatever is on its way is stale */
            PQclear(c->res);
            c->res = NULL;
            c->waiting = false;
            c->shown[0] = '\0';
            customers_answer(c, how, 0, 0, 1);
        } else {
            customers_search(c, table_filter(c->table), limit);
        }
        customers_title(c);
        return;
    case TABLE_FETCH_LAST:
        customers_answer(c, how, n - 1, n < limit ? n : limit, -1);
        return;
    case TABLE_FETCH_AFTER:
        customers_answer(c, how, at + 1, at < 0 ? 0 : (n - at - 1 < limit ? n - at - 1 : limit), 1);
        return;
    case TABLE_FETCH_BEFORE:
        customers_answer(c, how, at - 1, at < 0 ? 0 : (at < limit ? at : limit), -1);
        return;
    case TABLE_FETCH_FROM:
        if (at < 0)
            customers_answer(c, how, 0, n < limit ? n : limit, 1);
        else
            customers_answer(c, how, at, n - at < limit ? n - at : limit, 1);
        return;
    }
}

static const struct table_source customers_source = {
    .fetch = customers_fetch,
};

static void customers_open_row(struct customers *c, int r)
{
    char id[24];

    if (r < 0 || r >= customers_rows(c))
        return;
    snprintf(id, sizeof(id), "%s", db_value(c->res, r, CUSTOMER_SEARCH_ID));
    tui_open(c->s->tui, "customer-view", id);
}

/* After an answer for the text on screen: an unambiguous match opens. */
static void customers_maybe_direct(struct customers *c)
{
    int r;

    if (!c->open_direct || c->waiting)
        return;
    c->open_direct = false;
    r = customer_search_direct(c->res);
    if (r >= 0)
        customers_open_row(c, r);
    else if (customers_rows(c) == 0 && !customer_search_blank(c->shown))
        tui_message(c->s->tui, TUI_MSG_WARN, "No customer matches \"%s\".", c->shown);
}

static bool customers_open(struct screen *s, const char *args, char **err)
{
    struct customers *c = s->state;

    c->s = s;
    c->slot = -1;
    c->table = table_new(customers_columns, CC_COUNT, 1, &customers_source, c);
    c->open_direct = !customer_search_blank(args);
    table_set_filter(c->table, args); /* searches (or shows the empty list) */
    if (!c->open_direct)
        table_key(c->table, '/', ACTION_FILTER); /* nothing given: type it */
    return true;
}

static void customers_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                             const struct db_error *err)
{
    struct customers *c = s->state;

    if (tag != CUSTOMERS_Q_SEARCH + c->slot)
        return; /* an answer for a text typed before the latest */
    c->waiting = false;
    if (err != NULL) {
        table_fetch_failed(c->table, TABLE_FETCH_FIRST);
        tui_db_error(s->tui, err);
        customers_title(c);
        return;
    }
    PQclear(c->res);
    c->res = stmts[0].res;
    stmts[0].res = NULL;
    snprintf(c->shown, sizeof(c->shown), "%s", c->q[c->slot].text);
    int rows = customers_rows(c);
    customers_answer(c, TABLE_FETCH_FIRST, 0, rows < c->first_limit ? rows : c->first_limit, 1);
    customers_title(c);
    customers_maybe_direct(c);
}

static bool customers_key(struct screen *s, int key, enum action a)
{
    struct customers *c = s->state;
    const char *id;

    if (table_filter_editing(c->table)) {
        bool done = key == '\n' || a == ACTION_OPEN;
        bool handled = table_key(c->table, key, a);
        if (done && !table_filter_editing(c->table)) {
            c->open_direct = true; /* Enter ends the search: open a sure match */
            customers_maybe_direct(c);
        }
        return handled;
    }
    if (a == ACTION_OPEN || key == '\n') {
        id = table_selected_value(c->table, CC_COUNT);
        if (id != NULL)
            tui_open(s->tui, "customer-view", id);
        return true;
    }
    if (a == ACTION_FILTER) {
        table_set_filter(c->table, ""); /* a new search, typed from the start */
        return table_key(c->table, key, a);
    }
    if (a == ACTION_MARK)
        return true; /* nothing to do with marked customers */
    return table_key(c->table, key, a);
}

static void customers_draw(struct screen *s, WINDOW *w)
{
    struct customers *c = s->state;
    int rows, cols;

    table_draw_window(c->table, w);
    getmaxyx(w, rows, cols);
    if (customers_rows(c) > 0 || c->waiting || rows < 3)
        return;
    if (customer_search_blank(table_filter(c->table)))
        tui_printf(w, 1, 2, cols - 4, THEME_DIM, "%s a name, phone number, e-mail, loyalty card, "
                   "order number or #id.",
                   table_filter_editing(c->table) ? "Type" : "Press / and type");
    else
        tui_printf(w, 1, 2, cols - 4, THEME_DIM, "Nobody found for “%s”. Fewer letters, or "
                   "another way to find them?", c->shown[0] ? c->shown : table_filter(c->table));
}

/* Back from a customer: names, merges or erasure may have changed. */
static void customers_resume(struct screen *s)
{
    struct customers *c = s->state;

    if (!customer_search_blank(table_filter(c->table)))
        table_reload(c->table);
}

static void customers_close(struct screen *s)
{
    struct customers *c = s->state;

    table_free(c->table);
    PQclear(c->res);
}

const struct screen_ops screen_customers = {
    .name = "customer",
    .title = "Customers",
    .help = "find a customer: name (misspelt too), phone, e-mail, card, order number, #id",
    .args = "TEXT|ID",
    .perm = PERM_CUSTOMERS_VIEW,
    .in_palette = true,
    .state_size = sizeof(struct customers),
    .keys = customers_keys,
    .nkeys = sizeof(customers_keys) / sizeof(customers_keys[0]),
    .open = customers_open,
    .draw = customers_draw,
    .key = customers_key,
    .result = customers_result,
    .resume = customers_resume,
    .close = customers_close,
};

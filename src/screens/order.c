/* One order: header, customer, attribution, lines with what was returned,
 * payments and refunds, status history, notes and returns — loaded in one
 * round trip. Only the legal next moves are offered; a move carries the row
 * version, and a conflicting change shows who changed it and when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/order.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { ORDER_Q_LOAD = 1, ORDER_Q_MOVE, ORDER_Q_NOTE };

/* The keys of the moves, one table: status → key and the permission. */
static const struct order_move_key {
    const char *to;
    int key;
    const char *name;
    enum perm perm;
} order_move_keys[] = {
    { "paid", 'y', "y", PERM_ORDERS_FULFIL },
    { "picking", 'p', "p", PERM_ORDERS_FULFIL },
    { "ready_for_pickup", 'r', "r", PERM_ORDERS_FULFIL },
    { "collected", 'c', "c", PERM_ORDERS_FULFIL },
    { "shipped", 's', "s", PERM_ORDERS_FULFIL },
    { "delivered", 'd', "d", PERM_ORDERS_FULFIL },
    { "completed", 'o', "o", PERM_ORDERS_FULFIL },
    { "cancelled", 'x', "x", PERM_ORDERS_CANCEL },
};

#define N_MOVE_KEYS (sizeof(order_move_keys) / sizeof(order_move_keys[0]))
#define ORDER_MAX_MOVES 8

struct order_screen {
    char key[64];
    struct order_detail q;
    struct order_move move;
    struct order_note note;
    PGresult *part[ORDER_PART_COUNT]; /* kept from the last load */
    struct order_header h;
    bool loaded, missing;
    char moves[ORDER_MAX_MOVES][24];
    bool move_needs_reason[ORDER_MAX_MOVES];
    int nmoves;
    int scroll;
    char pending_to[24];
    /* A change and the reloaded detail, sent as one transaction. */
    struct db_stmt combined[4 + ORDER_PART_COUNT];
    size_t nchange;
    bool busy;
    int pending_key; /* typed while busy: applied to the fresh state */
};

static const struct screen_key order_keys[] = {
    { .key = 'p', .name = "p", .help = "start picking", .perm = PERM_ORDERS_FULFIL, .hint = true },
    { .key = 'r', .name = "r", .help = "ready for pickup", .perm = PERM_ORDERS_FULFIL, .hint = true },
    { .key = 'c', .name = "c", .help = "collected (handed over)", .perm = PERM_ORDERS_FULFIL,
      .hint = true },
    { .key = 's', .name = "s", .help = "shipped", .perm = PERM_ORDERS_FULFIL, .hint = true },
    { .key = 'd', .name = "d", .help = "delivered", .perm = PERM_ORDERS_FULFIL },
    { .key = 'o', .name = "o", .help = "completed (in store)", .perm = PERM_ORDERS_FULFIL },
    { .key = 'y', .name = "y", .help = "paid", .perm = PERM_ORDERS_FULFIL },
    { .key = 'x', .name = "x", .help = "cancel (asks for a reason)", .perm = PERM_ORDERS_CANCEL,
      .hint = true },
    { .key = 'r', .name = "r", .help = "start a return (once delivered, collected or completed)",
      .perm = PERM_RETURNS_START },
    { .key = 'n', .name = "n", .help = "add a note", .perm = PERM_ORDERS_VIEW, .hint = true },
    { .key = '\n', .name = "Enter", .help = "open the customer", .perm = PERM_ORDERS_VIEW },
    { .key = 'j', .name = "j/k", .help = "scroll", .perm = PERM_ORDERS_VIEW },
};

static void order_forget(struct order_screen *os)
{
    for (int i = 0; i < ORDER_PART_COUNT; i++) {
        PQclear(os->part[i]);
        os->part[i] = NULL;
    }
}

static void order_load(struct screen *s)
{
    struct order_screen *os = s->state;
    size_t n = 0;
    struct db_stmt *st = order_detail_stmts(&os->q, os->key, &n);

    os->busy = true;
    tui_query(s, ORDER_Q_LOAD, st, n);
}

/* Runs a change followed by the detail as it is afterwards: one round trip,
 * and the screen never shows a state older than the change. */
static void order_change(struct screen *s, int tag, struct db_stmt *change, size_t nchange)
{
    struct order_screen *os = s->state;
    size_t n = 0;
    struct db_stmt *detail = order_detail_stmts(&os->q, os->key, &n);

    memcpy(os->combined, change, nchange * sizeof(*change));
    memcpy(os->combined + nchange, detail, n * sizeof(*detail));
    os->nchange = nchange;
    os->busy = true;
    tui_query(s, tag, os->combined, nchange + n);
}

static bool order_open(struct screen *s, const char *args, char **err)
{
    struct order_screen *os = s->state;

    if (args[0] == '\0') {
        *err = xstrdup("Which order? Give its number, e.g. :order K-100001");
        return false;
    }
    snprintf(os->key, sizeof(os->key), "%s", args);
    snprintf(s->title, sizeof(s->title), "Order %s", args);
    order_load(s);
    return true;
}

static const struct order_move_key *order_move_key_for(const char *to)
{
    for (size_t i = 0; i < N_MOVE_KEYS; i++)
        if (strcmp(order_move_keys[i].to, to) == 0)
            return &order_move_keys[i];
    return NULL;
}

static void order_take(struct screen *s, struct order_screen *os, struct db_stmt *stmts, size_t n)
{
    order_forget(os);
    for (size_t i = 0; i < n && i < ORDER_PART_COUNT; i++) {
        os->part[i] = stmts[i].res;
        stmts[i].res = NULL; /* kept beyond the callback */
    }
    os->loaded = true;
    os->missing = !order_header_read(os->part[ORDER_PART_HEADER], &os->h);
    if (os->missing) {
        snprintf(s->title, sizeof(s->title), "Order %s · not found", os->key);
        return;
    }
    snprintf(os->key, sizeof(os->key), "%s", os->h.number);
    tui_set_title(s, "Order %s · %s · %s%s%s · %s since %s   v%d",
             os->h.number, os->h.channel, order_fulfilment_label(os->h.fulfilment),
             os->h.location[0] ? " at " : "", os->h.location, order_status_label(os->h.status),
             os->h.status_since, os->h.version);
    os->nmoves = 0;
    const PGresult *mv = os->part[ORDER_PART_MOVES];
    for (int r = 0; mv != NULL && r < PQntuples(mv) && os->nmoves < ORDER_MAX_MOVES; r++) {
        snprintf(os->moves[os->nmoves], sizeof(os->moves[0]), "%s", db_value(mv, r, 0));
        os->move_needs_reason[os->nmoves] = strcmp(db_value(mv, r, 1), "t") == 0;
        os->nmoves++;
    }
}

static bool order_key(struct screen *s, int key, enum action a);

/* Goods that reached the customer can come back (the database decides too). */
static bool order_returnable(const char *status)
{
    static const char *const ok[] = { "shipped", "delivered", "collected", "completed",
                                      "partially_returned" };

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(status, ok[i]) == 0)
            return true;
    return false;
}

/* A key typed while the order was loading or saving, applied now. */
static void order_apply_pending(struct screen *s, struct order_screen *os)
{
    int key = os->pending_key;

    os->pending_key = 0;
    if (key != 0 && !os->busy)
        order_key(s, key, ACTION_NONE);
}

static void order_result_inner(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                               const struct db_error *err);

static void order_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                         const struct db_error *err)
{
    struct order_screen *os = s->state;

    order_result_inner(s, tag, stmts, n, err);
    if (!os->busy)
        order_apply_pending(s, os);
}

static void order_result_inner(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                               const struct db_error *err)
{
    struct order_screen *os = s->state;

    os->busy = false;
    if (err != NULL) {
        tui_db_error(s->tui, err);
        if (tag != ORDER_Q_LOAD)
            order_load(s);
        return;
    }
    if (tag == ORDER_Q_LOAD) {
        order_take(s, os, stmts, n);
        return;
    }
    order_take(s, os, stmts + os->nchange, n - os->nchange);
    if (tag == ORDER_Q_MOVE) {
        struct order_move_outcome out;
        order_move_read(stmts, &out);
        if (out.result == ORDER_MOVED) {
            tui_message(s->tui, TUI_MSG_OK, "%s is now %s.", os->h.number,
                        order_status_label(out.status));
        } else if (out.result == ORDER_REFUSED) {
            tui_message(s->tui, TUI_MSG_ERROR, "%s is not at your location: your role may "
                        "not change it.", os->h.number);
        } else if (out.result == ORDER_NOT_FOUND) {
            tui_message(s->tui, TUI_MSG_ERROR, "%s no longer exists.", os->h.number);
        } else {
            char *text = xasprintf("%s was changed by %s at %s while you looked at it: it is "
                                   "now %s (version %d). Your change was not saved; look "
                                   "again and decide.",
                                   os->h.number, out.by[0] ? out.by : "someone", out.at,
                                   order_status_label(out.status), out.version);
            tui_alert(s->tui, "Changed meanwhile", text);
            free(text);
        }
    } else if (tag == ORDER_Q_NOTE) {
        tui_message(s->tui, TUI_MSG_OK, "Note added.");
    }
}

static void order_move_to(struct screen *s, const char *to, const char *note)
{
    struct order_screen *os = s->state;
    size_t n = 0;
    struct db_stmt *st = order_move_stmts(&os->move, os->h.id, os->h.version, to,
                                          note ? note : "", &n);

    order_change(s, ORDER_Q_MOVE, st, n);
}

static void order_reason_given(struct screen *s, const char *text, void *arg)
{
    struct order_screen *os = s->state;

    if (text != NULL)
        order_move_to(s, os->pending_to, text);
}

static void order_note_given(struct screen *s, const char *text, void *arg)
{
    struct order_screen *os = s->state;

    if (text == NULL)
        return;
    order_change(s, ORDER_Q_NOTE, order_note_stmt(&os->note, os->h.id, text), 1);
}

/* A move key: only when the move is legal from here and the role may. */
static bool order_try_move(struct screen *s, struct order_screen *os, int key)
{
    for (int i = 0; i < os->nmoves; i++) {
        const struct order_move_key *mk = order_move_key_for(os->moves[i]);
        if (mk == NULL || mk->key != key)
            continue;
        if (!tui_allowed(s->tui, mk->perm)) {
            tui_message(s->tui, TUI_MSG_ERROR, "Your role may not do that.");
            return true;
        }
        if (os->move_needs_reason[i]) {
            snprintf(os->pending_to, sizeof(os->pending_to), "%s", mk->to);
            char *title = xasprintf("%s: %s", os->h.number, order_status_label(mk->to));
            tui_prompt(s, title, "Why? (the reason is kept in the order's history)",
                       order_reason_given, NULL);
            free(title);
        } else {
            order_move_to(s, mk->to, NULL);
        }
        return true;
    }
    for (size_t i = 0; i < N_MOVE_KEYS; i++) {
        if (order_move_keys[i].key == key) {
            tui_message(s->tui, TUI_MSG_WARN, "%s cannot move from %s to %s.", os->h.number,
                        order_status_label(os->h.status), order_status_label(order_move_keys[i].to));
            return true;
        }
    }
    return false;
}

static bool order_key(struct screen *s, int key, enum action a)
{
    struct order_screen *os = s->state;

    if (os->busy && key < KEYMAP_FN_BASE && key != 0 && strchr("yprcsdoxn", key) != NULL) {
        os->pending_key = key;
        return true;
    }
    if (!os->loaded || os->missing)
        return false;
    if (key == 'r' && order_returnable(os->h.status)) {
        if (tui_allowed(s->tui, PERM_RETURNS_START))
            tui_open(s->tui, "return-new", os->h.number);
        else
            tui_message(s->tui, TUI_MSG_ERROR, "Your role may not start returns.");
        return true;
    }
    if (order_try_move(s, os, key))
        return true;
    if (key == 'n') {
        tui_prompt(s, "Note", "Add a note to this order:", order_note_given, NULL);
        return true;
    }
    if (a == ACTION_MOVE_DOWN) {
        os->scroll++;
        return true;
    }
    if (a == ACTION_MOVE_UP) {
        if (os->scroll > 0)
            os->scroll--;
        return true;
    }
    if (a == ACTION_OPEN) {
        if (os->h.customer_id != 0) {
            char id[32];
            snprintf(id, sizeof(id), "%lld", os->h.customer_id);
            tui_open(s->tui, "customer", id);
        }
        return true;
    }
    if (a == ACTION_REFRESH) {
        order_load(s);
        return false;
    }
    return false;
}

/* ---- drawing ---------------------------------------------------------- */

struct order_canvas {
    WINDOW *w;
    int y, rows, cols, skip;
};

static bool canvas_line(struct order_canvas *c)
{
    if (c->skip > 0) {
        c->skip--;
        return false;
    }
    return c->y < c->rows;
}

static void canvas_text(struct order_canvas *c, int x, int width, enum theme_slot slot,
                        enum text_align align, const char *text)
{
    tui_print(c->w, c->y, x, width, slot, align, text);
}

static void order_draw_header(struct order_screen *os, struct order_canvas *c)
{
    char line[512];

    if (canvas_line(c)) {
        canvas_text(c, 1, 10, THEME_HEADER, TEXT_ALIGN_LEFT, "Customer");
        snprintf(line, sizeof(line), "%s%s%s", os->h.customer[0] ? os->h.customer : "guest",
                 os->h.customer_contact[0] ? " · " : "", os->h.customer_contact);
        canvas_text(c, 11, c->cols - 34, THEME_BODY, TEXT_ALIGN_LEFT, line);
        if (os->h.customer_id != 0)
            canvas_text(c, c->cols - 22, 21, THEME_DIM, TEXT_ALIGN_RIGHT, "Enter: open customer");
        c->y++;
    }
    if (canvas_line(c)) {
        canvas_text(c, 1, 10, THEME_HEADER, TEXT_ALIGN_LEFT, "Source");
        if (os->h.campaign[0] || os->h.touchpoint[0])
            snprintf(line, sizeof(line), "campaign %s · touchpoint %s",
                     os->h.campaign[0] ? os->h.campaign : "—",
                     os->h.touchpoint[0] ? os->h.touchpoint : "—");
        else
            snprintf(line, sizeof(line), "placed %s · no campaign attribution", os->h.placed_at);
        canvas_text(c, 11, c->cols - 12, THEME_BODY, TEXT_ALIGN_LEFT, line);
        c->y++;
    }
    if (os->h.pickup_code[0] && canvas_line(c)) {
        snprintf(line, sizeof(line), "pickup code %s · placed %s", os->h.pickup_code,
                 os->h.placed_at);
        canvas_text(c, 11, c->cols - 12, THEME_DIM, TEXT_ALIGN_LEFT, line);
        c->y++;
    }
}

static void order_draw_lines(struct order_screen *os, struct order_canvas *c)
{
    const PGresult *r = os->part[ORDER_PART_LINES];

    if (canvas_line(c)) {
        canvas_text(c, 1, 10, THEME_HEADER, TEXT_ALIGN_LEFT, "Lines");
        c->y++;
    }
    if (canvas_line(c)) {
        canvas_text(c, 3, 14, THEME_HEADER, TEXT_ALIGN_LEFT, "SKU");
        canvas_text(c, 18, c->cols - 58, THEME_HEADER, TEXT_ALIGN_LEFT, "Item");
        canvas_text(c, c->cols - 39, 6, THEME_HEADER, TEXT_ALIGN_LEFT, "Size");
        canvas_text(c, c->cols - 32, 5, THEME_HEADER, TEXT_ALIGN_RIGHT, "Qty");
        canvas_text(c, c->cols - 26, 9, THEME_HEADER, TEXT_ALIGN_RIGHT, "Returned");
        canvas_text(c, c->cols - 16, 12, THEME_HEADER, TEXT_ALIGN_RIGHT, "Price €");
        c->y++;
    }
    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        if (!canvas_line(c))
            continue;
        char *price = text_money(db_value_ll(r, i, 5), true);
        canvas_text(c, 3, 14, THEME_BODY, TEXT_ALIGN_LEFT, db_value(r, i, 0));
        canvas_text(c, 18, c->cols - 58, THEME_BODY, TEXT_ALIGN_LEFT, db_value(r, i, 1));
        canvas_text(c, c->cols - 39, 6, THEME_BODY, TEXT_ALIGN_LEFT, db_value(r, i, 2));
        canvas_text(c, c->cols - 32, 5, THEME_BODY, TEXT_ALIGN_RIGHT, db_value(r, i, 3));
        canvas_text(c, c->cols - 26, 9, THEME_BODY, TEXT_ALIGN_RIGHT, db_value(r, i, 4));
        canvas_text(c, c->cols - 16, 12, THEME_BODY, TEXT_ALIGN_RIGHT, price);
        free(price);
        c->y++;
    }
}

static void order_draw_payments(struct order_screen *os, struct order_canvas *c)
{
    const PGresult *r = os->part[ORDER_PART_PAYMENTS];

    if (canvas_line(c)) {
        canvas_text(c, 1, 30, THEME_HEADER, TEXT_ALIGN_LEFT, "Payments and refunds");
        c->y++;
    }
    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        if (!canvas_line(c))
            continue;
        bool refund = strcmp(db_value(r, i, 0), "refund") == 0;
        long long cents = db_value_ll(r, i, 3);
        char *amount = text_money(refund ? -cents : cents, true);
        char line[256];
        snprintf(line, sizeof(line), "%-8s %s %s", refund ? "refund" : db_value(r, i, 1),
                 db_value(r, i, 2), db_value(r, i, 4));
        canvas_text(c, 3, 40, THEME_BODY, TEXT_ALIGN_LEFT, line);
        canvas_text(c, 44, 12, refund ? THEME_MONEY_NEGATIVE : THEME_BODY, TEXT_ALIGN_RIGHT,
                    amount);
        canvas_text(c, 58, 14, THEME_DIM, TEXT_ALIGN_LEFT, db_value(r, i, 5));
        free(amount);
        c->y++;
    }
}

static void order_draw_rows(struct order_canvas *c, const PGresult *r, const char *title,
                            const int *cols, const int *widths, int ncols)
{
    if (r == NULL || PQntuples(r) == 0)
        return;
    if (canvas_line(c)) {
        canvas_text(c, 1, 30, THEME_HEADER, TEXT_ALIGN_LEFT, title);
        c->y++;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (!canvas_line(c))
            continue;
        int x = 3;
        for (int k = 0; k < ncols && x < c->cols - 1; k++) {
            int wdt = widths[k] > 0 ? widths[k] : c->cols - x - 1;
            const char *v = db_value(r, i, cols[k]);
            if (k > 0 && cols[k] == 2 && strcmp(title, "History") == 0)
                v = order_status_label(v);
            canvas_text(c, x, wdt, THEME_BODY, TEXT_ALIGN_LEFT, v);
            x += wdt + 2;
        }
        c->y++;
    }
}

static void order_draw(struct screen *s, WINDOW *w)
{
    struct order_screen *os = s->state;
    struct order_canvas c = { .w = w, .y = 0, .skip = os->scroll };

    getmaxyx(w, c.rows, c.cols);
    if (!os->loaded) {
        tui_print(w, 1, 1, c.cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    if (os->missing) {
        tui_print(w, 1, 1, c.cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT,
                  "No such order (or your role may not see it).");
        return;
    }
    order_draw_header(os, &c);
    order_draw_lines(os, &c);
    order_draw_payments(os, &c);
    static const int hist_cols[] = { 0, 2, 3, 4, 5 }, hist_w[] = { 12, 17, 22, 8, 0 };
    order_draw_rows(&c, os->part[ORDER_PART_HISTORY], "History", hist_cols, hist_w, 5);
    static const int note_cols[] = { 0, 1, 2 }, note_w[] = { 12, 18, 0 };
    order_draw_rows(&c, os->part[ORDER_PART_NOTES], "Notes", note_cols, note_w, 3);
    static const int ret_cols[] = { 0, 1, 2, 3, 4 }, ret_w[] = { 10, 12, 12, 14, 0 };
    order_draw_rows(&c, os->part[ORDER_PART_RETURNS], "Returns", ret_cols, ret_w, 5);
}

static void order_notify(struct screen *s, const char *channel, const char *payload)
{
    struct order_screen *os = s->state;
    char id[32];

    snprintf(id, sizeof(id), "%lld", os->h.id);
    if (os->loaded && strcmp(channel, "kontor_order") == 0 && strcmp(payload, id) == 0)
        order_load(s);
}

static void order_close(struct screen *s)
{
    order_forget(s->state);
}

const struct screen_ops screen_order = {
    .name = "order",
    .title = "Order",
    .help = "one order by number or pickup code",
    .args = "NUMBER",
    .perm = PERM_ORDERS_VIEW,
    .in_palette = true,
    .state_size = sizeof(struct order_screen),
    .keys = order_keys,
    .nkeys = sizeof(order_keys) / sizeof(order_keys[0]),
    .open = order_open,
    .draw = order_draw,
    .key = order_key,
    .result = order_result,
    .notify = order_notify,
    .resume = order_load,
    .close = order_close,
};

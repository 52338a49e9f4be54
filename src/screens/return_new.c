/* Starting a return, three short steps on one screen: which lines and how
 * many (never more than is still returnable) with a reason each, where the
 * goods come back (default: your location), and how the money goes back
 * (original payment, store credit, or an exchange for another SKU). F2
 * authorises — the RMA code comes from libsodium — or, outside the window
 * or over your refund limit, asks a manager with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/returns.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { NEW_Q_OFFER = 1, NEW_Q_START };

#define NEW_MAX_REASONS 32
#define NEW_MAX_LOCATIONS 32

static const char *const new_methods[] = { "original", "voucher", "exchange" };
#define N_METHODS 3

struct new_line {
    long long id;
    int qty, max;
    int reason;
    char sku[40];
};

struct return_new_screen {
    char key[64];
    struct return_offer q;
    struct return_start start;
    struct return_offer_header h;
    bool loaded, missing, busy;
    struct new_line lines[RETURN_MAX_LINES];
    int nlines;
    PGresult *lines_res;
    char reasons[NEW_MAX_REASONS][64];
    int nreasons;
    char loc_code[NEW_MAX_LOCATIONS][16], loc_name[NEW_MAX_LOCATIONS][64];
    bool loc_store[NEW_MAX_LOCATIONS];
    int nlocs, loc, method;
    int cursor; /* 0..nlines-1 lines, nlines location, nlines+1 refund method */
    int retries;
    char reason[512];
};

static const struct screen_key new_keys[] = {
    { .key = ' ', .name = "Space", .help = "return this line (all) / not", .perm = PERM_RETURNS_START,
      .hint = true },
    { .key = '+', .name = "+/-", .help = "more / fewer pieces", .perm = PERM_RETURNS_START,
      .hint = true },
    { .key = KEYMAP_FN(KEY_RIGHT), .name = "←/→", .help = "change the reason, location or refund method",
      .perm = PERM_RETURNS_START, .hint = true },
    { .key = 'e', .name = "e", .help = "the SKU given in exchange for this line",
      .perm = PERM_RETURNS_START },
    { .key = KEYMAP_FN(KEY_F(2)), .name = "F2", .help = "authorise (or ask a manager, with a reason)",
      .perm = PERM_RETURNS_START, .hint = true },
};

static bool new_open(struct screen *s, const char *args, char **err)
{
    struct return_new_screen *ns = s->state;
    size_t n = 0;

    if (args[0] == '\0') {
        *err = xstrdup("Which order? e.g. :return new K-100001 (or r on the order)");
        return false;
    }
    snprintf(ns->key, sizeof(ns->key), "%s", args);
    tui_set_title(s, "Return for %s", args);
    struct db_stmt *st = return_offer_stmts(&ns->q, ns->key, &n);
    ns->busy = true;
    tui_query(s, NEW_Q_OFFER, st, n);
    return true;
}

static void new_take_offer(struct screen *s, struct return_new_screen *ns, struct db_stmt *st)
{
    const struct auth_identity *id = tui_identity(s->tui);
    const PGresult *r;

    ns->loaded = true;
    ns->missing = !return_offer_header_read(st[RETURN_OFFER_HEADER].res, &ns->h);
    if (ns->missing)
        return;
    PQclear(ns->lines_res);
    ns->lines_res = st[RETURN_OFFER_LINES].res;
    st[RETURN_OFFER_LINES].res = NULL;
    r = ns->lines_res;
    ns->nlines = 0;
    for (int i = 0; i < PQntuples(r) && ns->nlines < RETURN_MAX_LINES; i++) {
        struct new_line *l = &ns->lines[ns->nlines++];
        memset(l, 0, sizeof(*l));
        l->id = db_value_ll(r, i, RO_COL_LINE_ID);
        l->max = (int)db_value_ll(r, i, RO_COL_RETURNABLE);
    }
    r = st[RETURN_OFFER_REASONS].res;
    ns->nreasons = 0;
    for (int i = 0; i < PQntuples(r) && ns->nreasons < NEW_MAX_REASONS; i++)
        snprintf(ns->reasons[ns->nreasons++], sizeof(ns->reasons[0]), "%s", db_value(r, i, 0));
    r = st[RETURN_OFFER_LOCATIONS].res;
    ns->nlocs = 0;
    ns->loc = -1;
    for (int i = 0; i < PQntuples(r) && ns->nlocs < NEW_MAX_LOCATIONS; i++) {
        snprintf(ns->loc_code[ns->nlocs], sizeof(ns->loc_code[0]), "%s", db_value(r, i, 0));
        snprintf(ns->loc_name[ns->nlocs], sizeof(ns->loc_name[0]), "%s", db_value(r, i, 1));
        ns->loc_store[ns->nlocs] = strcmp(db_value(r, i, 2), "store") == 0;
        if (id != NULL && strcmp(ns->loc_code[ns->nlocs], id->location_code) == 0)
            ns->loc = ns->nlocs;
        ns->nlocs++;
    }
    if (ns->loc < 0) /* no location of your own: by post to the warehouse */
        ns->loc = ns->nlocs > 0 ? ns->nlocs - 1 : 0;
    /* one line on the order: it is the one being returned */
    if (ns->nlines == 1 && ns->lines[0].max > 0)
        ns->lines[0].qty = ns->lines[0].max;
    tui_set_title(s, "Return for %s · %s%s%s · window %d d, %d left", ns->h.number,
                  ns->h.channel, ns->h.done_at[0] ? " " : "", ns->h.done_at,
                  ns->h.window_days, ns->h.window_days - ns->h.days);
}

/* The channel the goods come back through: a store's counter, else by post
 * through the channel the order came from (a store order sent back: web). */
static const char *new_channel(const struct return_new_screen *ns)
{
    if (ns->nlocs > 0 && ns->loc_store[ns->loc])
        return "store";
    return strcmp(ns->h.channel_code, "store") == 0 ? "web" : ns->h.channel_code;
}

static long long new_value(const struct return_new_screen *ns)
{
    long long v = 0;

    for (int i = 0; i < ns->nlines; i++)
        v += ns->lines[i].qty * db_value_ll(ns->lines_res, i, RO_COL_PRICE);
    return v;
}

static void new_send(struct screen *s)
{
    struct return_new_screen *ns = s->state;
    struct return_new in;

    memset(&in, 0, sizeof(in));
    snprintf(in.order, sizeof(in.order), "%s", ns->h.number);
    return_rma_new(in.rma, sizeof(in.rma));
    for (int i = 0; i < ns->nlines; i++) {
        const struct new_line *l = &ns->lines[i];
        if (l->qty <= 0)
            continue;
        struct return_new_line *o = &in.lines[in.nlines++];
        o->line_id = l->id;
        o->qty = l->qty;
        snprintf(o->reason, sizeof(o->reason), "%s", ns->nreasons ? ns->reasons[l->reason] : "");
        snprintf(o->exchange_sku, sizeof(o->exchange_sku), "%s", l->sku);
    }
    snprintf(in.channel, sizeof(in.channel), "%s", new_channel(ns));
    snprintf(in.location, sizeof(in.location), "%s", ns->nlocs ? ns->loc_code[ns->loc] : "");
    snprintf(in.method, sizeof(in.method), "%s", new_methods[ns->method]);
    snprintf(in.reason, sizeof(in.reason), "%s", ns->reason);
    in.authorise = true;
    ns->busy = true;
    tui_query(s, NEW_Q_START, return_start_stmt(&ns->start, &in), 1);
}

static void new_result(struct screen *s, int tag, struct db_stmt *st, size_t n,
                       const struct db_error *err)
{
    struct return_new_screen *ns = s->state;
    (void)n;

    ns->busy = false;
    if (err != NULL) {
        if (tag == NEW_Q_START && err->cls == DB_ERR_UNIQUE && ns->retries++ < 3) {
            new_send(s); /* two RMA codes met: draw another */
            return;
        }
        tui_db_error(s->tui, err);
        return;
    }
    if (tag == NEW_Q_OFFER) {
        new_take_offer(s, ns, st);
        return;
    }
    char rma[16];
    struct tui *t = s->tui;
    snprintf(rma, sizeof(rma), "%s", db_value(st[0].res, 0, 1));
    if (strcmp(db_value(st[0].res, 0, 3), "t") == 0)
        tui_message(t, TUI_MSG_WARN, "Return %s requested: it waits for a manager's approval "
                    "(:approvals).", rma);
    else
        tui_message(t, TUI_MSG_OK, "Return %s %s. Give the customer the code.", rma,
                    db_value(st[0].res, 0, 2));
    tui_close(s);
    tui_open(t, "return", rma);
}

static void new_reason_given(struct screen *s, const char *text, void *arg)
{
    struct return_new_screen *ns = s->state;
    (void)arg;

    if (text == NULL)
        return;
    snprintf(ns->reason, sizeof(ns->reason), "%s", text);
    new_send(s);
}

static void new_sku_given(struct screen *s, const char *text, void *arg)
{
    struct return_new_screen *ns = s->state;
    (void)arg;

    if (text != NULL && ns->cursor < ns->nlines)
        snprintf(ns->lines[ns->cursor].sku, sizeof(ns->lines[0].sku), "%s", text);
}

static void new_authorise(struct screen *s, struct return_new_screen *ns)
{
    int chosen = 0;
    long long value = new_value(ns);

    for (int i = 0; i < ns->nlines; i++) {
        if (ns->lines[i].qty > 0) {
            chosen++;
            if (ns->method == 2 && ns->lines[i].sku[0] == '\0') {
                ns->cursor = i;
                tui_message(s->tui, TUI_MSG_ERROR, "An exchange needs the SKU the customer gets "
                            "instead: press e on the line.");
                return;
            }
        }
    }
    if (chosen == 0) {
        tui_message(s->tui, TUI_MSG_ERROR, "Choose at least one line (Space).");
        return;
    }
    ns->reason[0] = '\0';
    if (ns->h.window_days > 0 && ns->h.days > ns->h.window_days) {
        char *label = xasprintf("%d days is outside the %d-day window. Why should a manager "
                                "allow it?", ns->h.days, ns->h.window_days);
        tui_prompt(s, "Request approval", label, new_reason_given, NULL);
        free(label);
    } else if (ns->h.limit_cents > 0 && value > ns->h.limit_cents && ns->method != 2) {
        char *v = text_money(value, true), *lim = text_money(ns->h.limit_cents, true);
        char *label = xasprintf("%s € is over your refund limit of %s €. Why should a manager "
                                "approve it?", v, lim);
        tui_prompt(s, "Request approval", label, new_reason_given, NULL);
        free(label);
        free(v);
        free(lim);
    } else {
        new_send(s);
    }
}

static void cycle(int *v, int n, int step)
{
    if (n > 0)
        *v = ((*v + step) % n + n) % n;
}

static bool new_key(struct screen *s, int key, enum action a)
{
    struct return_new_screen *ns = s->state;
    int rows = ns->nlines + 2;
    struct new_line *l = ns->cursor < ns->nlines ? &ns->lines[ns->cursor] : NULL;

    if (!ns->loaded || ns->missing || !ns->h.returnable)
        return false;
    if (ns->busy) {
        if (a != ACTION_BACK && a != ACTION_CANCEL)
            tui_message(s->tui, TUI_MSG_INFO, "One moment: saving.");
        return a != ACTION_BACK && a != ACTION_CANCEL;
    }
    if (a == ACTION_MOVE_DOWN || key == KEYMAP_FN(KEY_DOWN)) {
        ns->cursor = (ns->cursor + 1) % rows;
        return true;
    }
    if (a == ACTION_MOVE_UP || key == KEYMAP_FN(KEY_UP)) {
        ns->cursor = (ns->cursor + rows - 1) % rows;
        return true;
    }
    if (a == ACTION_SAVE || key == KEYMAP_FN(KEY_F(2))) {
        new_authorise(s, ns);
        return true;
    }
    if (key == ' ' || a == ACTION_MARK) {
        if (l != NULL)
            l->qty = l->qty > 0 ? 0 : l->max;
        if (l != NULL && l->max == 0)
            tui_message(s->tui, TUI_MSG_WARN, "Nothing of this line is left to return.");
        return true;
    }
    if (key == '+' || key == '-') {
        if (l != NULL && key == '+' && l->qty < l->max)
            l->qty++;
        else if (l != NULL && key == '-' && l->qty > 0)
            l->qty--;
        else if (l != NULL && key == '+')
            tui_message(s->tui, TUI_MSG_WARN, "Only %d of this line can still be returned.", l->max);
        return true;
    }
    if (key == KEYMAP_FN(KEY_RIGHT) || key == KEYMAP_FN(KEY_LEFT) || key == 'l' || key == 'h') {
        int step = key == KEYMAP_FN(KEY_RIGHT) || key == 'l' ? 1 : -1;
        if (l != NULL)
            cycle(&l->reason, ns->nreasons, step);
        else if (ns->cursor == ns->nlines)
            cycle(&ns->loc, ns->nlocs, step);
        else
            cycle(&ns->method, N_METHODS, step);
        return true;
    }
    if (key == 'e' && l != NULL) {
        tui_prompt(s, "Exchange", "SKU of the item the customer gets instead (e.g. another size):",
                   new_sku_given, NULL);
        return true;
    }
    return false;
}

static void new_draw(struct screen *s, WINDOW *w)
{
    struct return_new_screen *ns = s->state;
    int rows, cols, y = 0;
    char line[512];

    getmaxyx(w, rows, cols);
    if (!ns->loaded) {
        tui_print(w, 1, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    if (ns->missing) {
        tui_print(w, 1, 1, cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT, "No such order.");
        return;
    }
    if (!ns->h.returnable) {
        snprintf(line, sizeof(line), "%s is %s: only shipped, delivered, collected or completed "
                 "orders can be returned.", ns->h.number, order_status_label(ns->h.status));
        tui_print(w, 1, 1, cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT, line);
        return;
    }
    tui_print(w, y++, 1, 16, THEME_HEADER, TEXT_ALIGN_LEFT, "1 Lines");
    for (int i = 0; i < ns->nlines && y < rows - 4; i++, y++) {
        const struct new_line *l = &ns->lines[i];
        const PGresult *r = ns->lines_res;
        bool here = ns->cursor == i;
        enum theme_slot slot = l->max == 0 ? THEME_DIM : here ? THEME_SELECTED : THEME_BODY;
        tui_print(w, y, 1, 1, THEME_BODY, TEXT_ALIGN_LEFT, here ? "▶" : " ");
        snprintf(line, sizeof(line), "[%s] %-13s %s %s", l->qty > 0 ? "x" : " ",
                 db_value(r, i, RO_COL_SKU), db_value(r, i, RO_COL_ITEM), db_value(r, i, RO_COL_SIZE));
        tui_print(w, y, 3, cols - 52, slot, TEXT_ALIGN_LEFT, line);
        snprintf(line, sizeof(line), "qty %d/%d", l->qty, l->max);
        tui_print(w, y, cols - 48, 10, slot, TEXT_ALIGN_LEFT, line);
        if (l->qty > 0) {
            snprintf(line, sizeof(line), "reason: %s ▾%s%s", ns->nreasons ? ns->reasons[l->reason] : "",
                     ns->method == 2 ? "  for " : "", ns->method == 2 ? (l->sku[0] ? l->sku : "? (e)") : "");
            tui_print(w, y, cols - 37, 36, slot, TEXT_ALIGN_LEFT, line);
        }
    }
    y++;
    snprintf(line, sizeof(line), "%s · %s %s%s ▾", ns->loc_store[ns->loc] ? "Store" : "By post",
             ns->nlocs ? ns->loc_name[ns->loc] : "?", ns->nlocs ? ns->loc_code[ns->loc] : "",
             tui_identity(s->tui) != NULL
                     && strcmp(ns->nlocs ? ns->loc_code[ns->loc] : "", tui_identity(s->tui)->location_code) == 0
                 ? " (your location)" : "");
    tui_print(w, y, 1, 1, THEME_BODY, TEXT_ALIGN_LEFT, ns->cursor == ns->nlines ? "▶" : " ");
    tui_print(w, y, 3, 18, THEME_HEADER, TEXT_ALIGN_LEFT, "2 Comes back at");
    tui_print(w, y++, 21, cols - 22, ns->cursor == ns->nlines ? THEME_SELECTED : THEME_BODY,
              TEXT_ALIGN_LEFT, line);
    char *value = text_money(new_value(ns), true);
    snprintf(line, sizeof(line), "%s%s%s ▾     amount %s", return_method_label(new_methods[ns->method]),
             ns->method == 0 ? " · " : "", ns->method == 0 ? ns->h.payment : "", value);
    free(value);
    tui_print(w, y, 1, 1, THEME_BODY, TEXT_ALIGN_LEFT, ns->cursor == ns->nlines + 1 ? "▶" : " ");
    tui_print(w, y, 3, 18, THEME_HEADER, TEXT_ALIGN_LEFT, "3 Refund as");
    tui_print(w, y++, 21, cols - 22, ns->cursor == ns->nlines + 1 ? THEME_SELECTED : THEME_BODY,
              TEXT_ALIGN_LEFT, line);
    y++;
    if (ns->h.window_days > 0 && ns->h.days > ns->h.window_days)
        snprintf(line, sizeof(line), "Outside the return window (%d of %d days): F2 asks a manager "
                 "to allow it, with your reason.", ns->h.days, ns->h.window_days);
    else if (ns->h.limit_cents > 0 && new_value(ns) > ns->h.limit_cents && ns->method != 2)
        snprintf(line, sizeof(line), "Over your refund limit: F2 asks a manager, with your reason.");
    else
        snprintf(line, sizeof(line), "F2 authorise → an RMA code is issued for the customer.");
    if (y < rows)
        tui_print(w, y, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, line);
}

static void new_close(struct screen *s)
{
    struct return_new_screen *ns = s->state;

    PQclear(ns->lines_res);
    ns->lines_res = NULL;
}

const struct screen_ops screen_return_new = {
    .name = "return-new",
    .title = "New return",
    .help = "start a return of an order (lines, where it comes back, refund method)",
    .args = "ORDER",
    .perm = PERM_RETURNS_START,
    .in_palette = true,
    .state_size = sizeof(struct return_new_screen),
    .keys = new_keys,
    .nkeys = sizeof(new_keys) / sizeof(new_keys[0]),
    .open = new_open,
    .draw = new_draw,
    .key = new_key,
    .result = new_result,
    .close = new_close,
};

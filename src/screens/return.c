/* One return: where it was bought and where it comes back, its lines with
 * what was received and in which condition, refunds, approval and history —
 * loaded in one round trip. Each step (authorise, receive, inspect, refund,
 * approve, cancel, reject, close) travels with the row version and the
 * reloaded detail as one transaction; the rules are the database's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/returns.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { RET_Q_LOAD = 1, RET_Q_STEP };

struct return_screen {
    char key[64];
    struct return_detail q;
    struct return_step step;
    PGresult *part[RETURN_PART_COUNT];
    struct return_header h;
    bool loaded, missing, busy;
    int scroll;
    /* a step being put together over several prompts */
    enum return_step_kind kind;
    char to[24];
    bool approve;
    struct return_step_line lines[RETURN_MAX_LINES];
    int nlines, ask; /* lines asked so far */
};

static const struct screen_key return_keys[] = {
    { .key = 'a', .name = "a", .help = "authorise (an RMA code is issued)", .perm = PERM_RETURNS_START,
      .hint = true },
    { .key = 'v', .name = "v", .help = "goods received: everything expected, here",
      .perm = PERM_RETURNS_RECEIVE, .hint = true },
    { .key = 'V', .name = "V", .help = "goods received in part: asks per line",
      .perm = PERM_RETURNS_RECEIVE },
    { .key = 'i', .name = "i", .help = "inspect: condition per line (resellable goes back into stock)",
      .perm = PERM_RETURNS_RECEIVE, .hint = true },
    { .key = 'f', .name = "f", .help = "refund / credit / exchange (over your limit: asks a manager)",
      .perm = PERM_RETURNS_START, .hint = true },
    { .key = 'y', .name = "y", .help = "approve (manager, with a reason)", .perm = PERM_APPROVALS,
      .hint = true },
    { .key = 'n', .name = "n", .help = "reject the approval request (manager, with a reason)",
      .perm = PERM_APPROVALS },
    { .key = 'x', .name = "x", .help = "cancel the return", .perm = PERM_RETURNS_START },
    { .key = 'z', .name = "z", .help = "reject the return (asks for a reason)",
      .perm = PERM_RETURNS_RECEIVE },
    { .key = 'c', .name = "c", .help = "close", .perm = PERM_RETURNS_START },
    { .key = '\n', .name = "Enter", .help = "open the order", .perm = PERM_RETURNS_VIEW,
      .hint = true },
    { .key = 'j', .name = "j/k", .help = "scroll", .perm = PERM_RETURNS_VIEW },
};

static void ret_forget(struct return_screen *rs)
{
    for (int i = 0; i < RETURN_PART_COUNT; i++) {
        PQclear(rs->part[i]);
        rs->part[i] = NULL;
    }
}

static void ret_load(struct screen *s)
{
    struct return_screen *rs = s->state;
    size_t n = 0;
    struct db_stmt *st = return_detail_stmts(&rs->q, rs->key, &n);

    rs->busy = true;
    tui_query(s, RET_Q_LOAD, st, n);
}

static bool ret_open(struct screen *s, const char *args, char **err)
{
    struct return_screen *rs = s->state;

    if (args[0] == '\0') {
        *err = xstrdup("Which return? Give its RMA code, e.g. :return R-7K2Q9M");
        return false;
    }
    snprintf(rs->key, sizeof(rs->key), "%s", args);
    snprintf(s->title, sizeof(s->title), "Return %s", args);
    ret_load(s);
    return true;
}

static void ret_take(struct screen *s, struct return_screen *rs, struct db_stmt *stmts, size_t n)
{
    ret_forget(rs);
    for (size_t i = 0; i < n && i < RETURN_PART_COUNT; i++) {
        rs->part[i] = stmts[i].res;
        stmts[i].res = NULL;
    }
    rs->loaded = true;
    rs->missing = !return_header_read(rs->part[RETURN_PART_HEADER], &rs->h);
    if (rs->missing) {
        tui_set_title(s, "Return %s · not found", rs->key);
        return;
    }
    snprintf(rs->key, sizeof(rs->key), "%s", rs->h.rma);
    tui_set_title(s, "Return %s · %s · %s ago   v%d", rs->h.rma, rs->h.status, rs->h.status_since,
                  rs->h.version);
}

static void ret_step_outcome(struct screen *s, struct return_screen *rs, const PGresult *res)
{
    const char *outcome = db_value(res, 0, 0);
    char *money = text_money(db_value_ll(res, 0, 2), true);

    if (strcmp(outcome, "done") == 0)
        tui_message(s->tui, TUI_MSG_OK, "%s: %s %s €.", rs->h.rma,
                    return_status_label(db_value(res, 0, 1)), money);
    else if (strcmp(outcome, "already") == 0)
        tui_message(s->tui, TUI_MSG_INFO, "%s was already %s: nothing was done twice.", rs->h.rma,
                    return_status_label(db_value(res, 0, 1)));
    else if (strcmp(outcome, "approval") == 0)
        tui_message(s->tui, TUI_MSG_WARN, "%s € is over your limit: a manager's approval was "
                    "requested (:approvals).", money);
    else if (strcmp(outcome, "waiting") == 0)
        tui_message(s->tui, TUI_MSG_WARN, "%s still waits for a manager's approval.", rs->h.rma);
    else if (strcmp(outcome, "approved") == 0)
        tui_message(s->tui, TUI_MSG_OK, "%s approved: now %s.", rs->h.rma,
                    return_status_label(db_value(res, 0, 1)));
    else
        tui_message(s->tui, TUI_MSG_OK, "%s: approval %s.", rs->h.rma, outcome);
    free(money);
}

static void ret_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                       const struct db_error *err)
{
    struct return_screen *rs = s->state;

    rs->busy = false;
    if (err != NULL) {
        if (err->cls == DB_ERR_CONFLICT)
            tui_alert(s->tui, "Changed meanwhile",
                      err->message ? err->message : "The return changed while you looked at it.");
        else
            tui_db_error(s->tui, err);
        if (tag != RET_Q_LOAD)
            ret_load(s);
        return;
    }
    if (tag == RET_Q_LOAD) {
        ret_take(s, rs, stmts, n);
        return;
    }
    ret_take(s, rs, stmts + 1, n - 1);
    if (rs->kind == RETURN_STEP_REFUND || rs->kind == RETURN_STEP_APPROVE)
        ret_step_outcome(s, rs, stmts[0].res);
    else
        tui_message(s->tui, TUI_MSG_OK, "%s is now %s.", rs->h.rma,
                    return_status_label(rs->h.status));
}

/* Sends the step put together in rs (with the version shown). */
static void ret_send(struct screen *s, const char *note, const char *location)
{
    struct return_screen *rs = s->state;
    size_t n = 0;
    struct db_stmt *st = return_step_stmts(&rs->step, rs->kind, rs->h.id, rs->h.version, rs->to,
                                           note, location, rs->lines, rs->nlines, rs->approve, &n);

    rs->busy = true;
    tui_query(s, RET_Q_STEP, st, n);
}

static void ret_note_given(struct screen *s, const char *text, void *arg)
{
    (void)arg;
    if (text != NULL)
        ret_send(s, text, NULL);
}

static void ret_confirmed(struct screen *s, bool yes, void *arg)
{
    (void)arg;
    if (yes)
        ret_send(s, NULL, NULL);
}

/* ---- asking per line: quantities received, conditions ------------------ */

static int ret_nlines(const struct return_screen *rs)
{
    return rs->part[RETURN_PART_LINES] ? PQntuples(rs->part[RETURN_PART_LINES]) : 0;
}

static void ret_ask_next(struct screen *s);

static void ret_line_answer(struct screen *s, const char *text, void *arg)
{
    struct return_screen *rs = s->state;
    const PGresult *r = rs->part[RETURN_PART_LINES];
    int i = rs->ask;
    struct return_step_line *l;

    (void)arg;
    if (text == NULL) {
        tui_message(s->tui, TUI_MSG_INFO, "Nothing saved.");
        return;
    }
    l = &rs->lines[rs->nlines];
    memset(l, 0, sizeof(*l));
    l->line_id = db_value_ll(r, i, RL_COL_ID);
    if (rs->kind == RETURN_STEP_RECEIVE) {
        char *end;
        long q = strtol(text, &end, 10);
        if (end == text || *end != '\0' || q < 0 || q > 9999) {
            tui_message(s->tui, TUI_MSG_ERROR, "\"%s\" is not a quantity: type a whole number.",
                        text);
            ret_ask_next(s);
            return;
        }
        l->qty = (int)q;
    } else {
        static const char *const conds[] = { "resellable", "damaged", "defective" };
        const char *c = NULL;
        for (size_t k = 0; k < 3; k++)
            if ((text[0] | 0x20) == conds[k][0] || ((text[0] | 0x20) == 'f' && k == 2))
                c = conds[k];
        if (c == NULL) {
            tui_message(s->tui, TUI_MSG_ERROR, "Type r (resellable), d (damaged) or f (defective).");
            ret_ask_next(s);
            return;
        }
        snprintf(l->condition, sizeof(l->condition), "%s", c);
    }
    rs->nlines++;
    rs->ask++;
    ret_ask_next(s);
}

/* Asks about the next line that needs an answer, or sends the step. */
static void ret_ask_next(struct screen *s)
{
    struct return_screen *rs = s->state;
    const PGresult *r = rs->part[RETURN_PART_LINES];
    int n = ret_nlines(rs);

    while (rs->ask < n) {
        long long qty = db_value_ll(r, rs->ask, RL_COL_QTY);
        long long got = db_value_ll(r, rs->ask, RL_COL_RECEIVED);
        if (rs->kind == RETURN_STEP_RECEIVE ? got < qty : got > 0)
            break;
        rs->ask++;
    }
    if (rs->ask >= n) {
        ret_send(s, NULL, NULL);
        return;
    }
    char *title = xasprintf("%s · %s %s", rs->h.rma, db_value(r, rs->ask, RL_COL_SKU),
                            db_value(r, rs->ask, RL_COL_ITEM));
    char *label;
    if (rs->kind == RETURN_STEP_RECEIVE)
        label = xasprintf("How many came back? (%lld expected, %lld received so far)",
                          db_value_ll(r, rs->ask, RL_COL_QTY) - db_value_ll(r, rs->ask, RL_COL_RECEIVED),
                          db_value_ll(r, rs->ask, RL_COL_RECEIVED));
    else
        label = xasprintf("Condition of %lld piece(s): r resellable (back into stock), "
                          "d damaged, f defective",
                          db_value_ll(r, rs->ask, RL_COL_RECEIVED));
    tui_prompt(s, title, label, ret_line_answer, NULL);
    free(title);
    free(label);
}

static void ret_start_lines(struct screen *s, enum return_step_kind kind)
{
    struct return_screen *rs = s->state;

    rs->kind = kind;
    rs->nlines = 0;
    rs->ask = 0;
    ret_ask_next(s);
}

/* ---- keys ----------------------------------------------------------------- */

static bool ret_is(const struct return_screen *rs, const char *status)
{
    return strcmp(rs->h.status, status) == 0;
}

static void ret_refund(struct screen *s, struct return_screen *rs)
{
    char *money = text_money(rs->h.value_cents, true);
    bool over = rs->h.limit_cents >= 0 && rs->h.value_cents > rs->h.limit_cents
                && strcmp(rs->h.method, "exchange") != 0
                && strcmp(rs->h.approval_decision, "approved") != 0;

    rs->kind = RETURN_STEP_REFUND;
    rs->nlines = 0;
    if (rs->h.needs_approval && rs->h.approval_decision[0] == '\0') {
        tui_message(s->tui, TUI_MSG_WARN, "%s waits for a manager's approval (asked by %s).",
                    rs->h.rma, rs->h.asked_by);
    } else if (over) {
        char *limit = text_money(rs->h.limit_cents, true);
        char *label = xasprintf("%s € is over your limit of %s €. Why should a manager approve it?",
                                money, limit);
        tui_prompt(s, "Ask for approval", label, ret_note_given, NULL);
        free(label);
        free(limit);
    } else {
        char *q = xasprintf("%s: %s %s €?", rs->h.rma,
                            strcmp(rs->h.method, "voucher") == 0    ? "issue store credit of"
                            : strcmp(rs->h.method, "exchange") == 0 ? "hand out the exchange for"
                                                                    : "refund to the original payment",
                            money);
        tui_confirm(s, "Refund", q, ret_confirmed, NULL);
        free(q);
    }
    free(money);
}

static void ret_move(struct screen *s, struct return_screen *rs, const char *to, bool reason)
{
    rs->kind = RETURN_STEP_MOVE;
    rs->nlines = 0;
    snprintf(rs->to, sizeof(rs->to), "%s", to);
    if (reason) {
        char *title = xasprintf("%s: %s", rs->h.rma, return_status_label(to));
        tui_prompt(s, title, "Why? (kept in the return's history)", ret_note_given, NULL);
        free(title);
    } else {
        ret_send(s, NULL, NULL);
    }
}

static void ret_decide(struct screen *s, struct return_screen *rs, bool approve)
{
    rs->kind = RETURN_STEP_APPROVE;
    rs->approve = approve;
    rs->nlines = 0;
    tui_prompt(s, approve ? "Approve" : "Reject the request",
               approve ? "Your reason for approving (kept with the return):"
                       : "Why is it rejected? (kept with the return)",
               ret_note_given, NULL);
}

/* The step a key stands for, if the return is in a state for it. */
static bool ret_step_key(struct screen *s, struct return_screen *rs, int key)
{
    bool waiting = rs->h.needs_approval && rs->h.approval_decision[0] == '\0';

    switch (key) {
    case 'a':
        if (!ret_is(rs, "requested"))
            break;
        if (waiting)
            tui_message(s->tui, TUI_MSG_WARN, "%s needs a manager's approval first.", rs->h.rma);
        else
            ret_move(s, rs, "authorised", false);
        return true;
    case 'v':
    case 'V':
        if (!ret_is(rs, "authorised") && !ret_is(rs, "received"))
            break;
        if (key == 'v') {
            rs->kind = RETURN_STEP_RECEIVE;
            rs->nlines = 0;
            ret_send(s, NULL, NULL);
        } else {
            ret_start_lines(s, RETURN_STEP_RECEIVE);
        }
        return true;
    case 'i':
        if (!ret_is(rs, "received"))
            break;
        ret_start_lines(s, RETURN_STEP_INSPECT);
        return true;
    case 'f':
        if (!ret_is(rs, "inspected"))
            break;
        if (!tui_allowed(s->tui, PERM_RETURNS_REFUND) && strcmp(rs->h.method, "exchange") != 0) {
            tui_message(s->tui, TUI_MSG_ERROR, "Refunds are done by customer service; your role "
                        "completes exchanges.");
            return true;
        }
        ret_refund(s, rs);
        return true;
    case 'y':
    case 'n':
        if (!waiting)
            break;
        ret_decide(s, rs, key == 'y');
        return true;
    case 'x':
        if (!ret_is(rs, "requested") && !ret_is(rs, "authorised"))
            break;
        ret_move(s, rs, "cancelled", false);
        return true;
    case 'z':
        if (!ret_is(rs, "requested") && !ret_is(rs, "received") && !ret_is(rs, "inspected"))
            break;
        ret_move(s, rs, "rejected", true);
        return true;
    case 'c':
        if (!ret_is(rs, "refunded") && !ret_is(rs, "credited") && !ret_is(rs, "exchanged")
            && !ret_is(rs, "inspected"))
            break;
        ret_move(s, rs, "closed", ret_is(rs, "inspected"));
        return true;
    default:
        return false;
    }
    tui_message(s->tui, TUI_MSG_WARN, "Not possible while %s is %s.", rs->h.rma,
                return_status_label(rs->h.status));
    return true;
}

static bool ret_key(struct screen *s, int key, enum action a)
{
    struct return_screen *rs = s->state;

    if (!rs->loaded || rs->missing)
        return false;
    if (key > 0 && key < KEYMAP_FN_BASE && strchr("avVifynxzc", key) != NULL) {
        if (rs->busy) {
            tui_message(s->tui, TUI_MSG_INFO, "One moment: the last step is still saving.");
            return true;
        }
        for (size_t i = 0; i < sizeof(return_keys) / sizeof(return_keys[0]); i++)
            if (return_keys[i].key == key && !tui_allowed(s->tui, return_keys[i].perm)) {
                tui_message(s->tui, TUI_MSG_ERROR, "Your role may not do that.");
                return true;
            }
        return ret_step_key(s, rs, key);
    }
    if (a == ACTION_MOVE_DOWN) {
        rs->scroll++;
        return true;
    }
    if (a == ACTION_MOVE_UP) {
        if (rs->scroll > 0)
            rs->scroll--;
        return true;
    }
    if (a == ACTION_OPEN) {
        tui_open(s->tui, "order", rs->h.order_number);
        return true;
    }
    if (a == ACTION_REFRESH) {
        ret_load(s);
        return false;
    }
    return false;
}

/* ---- drawing ---------------------------------------------------------------- */

struct ret_canvas {
    WINDOW *w;
    int y, rows, cols, skip;
};

static bool line_ok(struct ret_canvas *c)
{
    if (c->skip > 0) {
        c->skip--;
        return false;
    }
    return c->y < c->rows;
}

static void field(struct ret_canvas *c, const char *name, enum theme_slot slot, const char *value)
{
    if (line_ok(c)) {
        tui_print(c->w, c->y, 1, 12, THEME_HEADER, TEXT_ALIGN_LEFT, name);
        tui_print(c->w, c->y, 14, c->cols - 15, slot, TEXT_ALIGN_LEFT, value);
    }
    c->y++;
}

static void ret_draw_header(struct return_screen *rs, struct ret_canvas *c)
{
    char line[1200];
    char *value = text_money(rs->h.value_cents, true);
    char *refunded = text_money(rs->h.refunded_cents, true);

    snprintf(line, sizeof(line), "%s · %s · %s", rs->h.order_number, rs->h.customer[0] ? rs->h.customer : "guest",
             order_status_label(rs->h.order_status));
    field(c, "Order", THEME_BODY, line);
    snprintf(line, sizeof(line), "bought via %s%s%s  →  returned via %s%s%s%s", rs->h.bought_channel,
             rs->h.bought_location[0] ? " · " : "", rs->h.bought_location, rs->h.back_channel,
             rs->h.back_location[0] ? " · " : "", rs->h.back_location,
             rs->h.back_location_code[0] ? "" : " (location not yet known)");
    field(c, "Channels", THEME_BODY, line);
    snprintf(line, sizeof(line), "%s%s%s%s%s · value %s € · refunded %s €",
             return_method_label(rs->h.method), rs->h.voucher[0] ? " " : "", rs->h.voucher,
             rs->h.exchange_order[0] ? " → order " : "", rs->h.exchange_order, value, refunded);
    field(c, "Refund as", THEME_BODY, line);
    snprintf(line, sizeof(line), "%d days after delivery/collection; window %d days%s",
             rs->h.days_since_delivery, rs->h.window_days,
             rs->h.outside_window ? " — OUTSIDE the window" : "");
    field(c, "Window", rs->h.outside_window ? THEME_WARNING : THEME_BODY, line);
    if (rs->h.needs_approval) {
        if (rs->h.approval_decision[0] == '\0')
            snprintf(line, sizeof(line), "WAITING · asked by %s %s · \"%s\"", rs->h.asked_by,
                     rs->h.asked_at, rs->h.approval_note);
        else
            snprintf(line, sizeof(line), "%s by %s · \"%s\" (asked by %s: \"%s\")",
                     rs->h.approval_decision, rs->h.approved_by, rs->h.approval_reason,
                     rs->h.asked_by, rs->h.approval_note);
        field(c, "Approval", rs->h.approval_decision[0] ? THEME_BODY : THEME_WARNING, line);
    }
    snprintf(line, sizeof(line), "%s by %s · changed %s by %s", rs->h.created_at,
             rs->h.created_by[0] ? rs->h.created_by : "the shop", rs->h.updated_at,
             rs->h.updated_by[0] ? rs->h.updated_by : "the shop");
    field(c, "Started", THEME_DIM, line);
    free(value);
    free(refunded);
}

static void ret_draw_lines(struct return_screen *rs, struct ret_canvas *c)
{
    const PGresult *r = rs->part[RETURN_PART_LINES];
    static const char *const heads[] = { "SKU", "Item", "Qty", "Got", "Reason", "Condition", "€" };
    int x[] = { 3, 17, c->cols - 57, c->cols - 52, c->cols - 47, c->cols - 30, c->cols - 11 };
    int wd[] = { 13, c->cols - 76 > 8 ? c->cols - 76 : 8, 4, 4, 16, 18, 10 };

    if (line_ok(c))
        tui_print(c->w, c->y, 1, 20, THEME_HEADER, TEXT_ALIGN_LEFT, "Lines");
    c->y++;
    if (line_ok(c))
        for (int k = 0; k < 7; k++)
            tui_print(c->w, c->y, x[k], wd[k], THEME_HEADER, k >= 2 && k <= 3 ? TEXT_ALIGN_RIGHT
                      : k == 6 ? TEXT_ALIGN_RIGHT : TEXT_ALIGN_LEFT, heads[k]);
    c->y++;
    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        if (line_ok(c)) {
            char item[160], cond[40];
            char *price = text_money(db_value_ll(r, i, RL_COL_PRICE), true);
            snprintf(item, sizeof(item), "%s %s%s%s", db_value(r, i, RL_COL_ITEM),
                     db_value(r, i, RL_COL_SIZE), db_value(r, i, RL_COL_EXCHANGE)[0] ? " → " : "",
                     db_value(r, i, RL_COL_EXCHANGE));
            snprintf(cond, sizeof(cond), "%s%s", db_value(r, i, RL_COL_CONDITION),
                     strcmp(db_value(r, i, RL_COL_RESTOCKED), "t") == 0 ? " +stock" : "");
            const char *vals[] = { db_value(r, i, RL_COL_SKU), item, db_value(r, i, RL_COL_QTY),
                                   db_value(r, i, RL_COL_RECEIVED), db_value(r, i, RL_COL_REASON),
                                   cond, price };
            for (int k = 0; k < 7; k++)
                tui_print(c->w, c->y, x[k], wd[k], THEME_BODY,
                          k >= 2 && k <= 3 ? TEXT_ALIGN_RIGHT : k == 6 ? TEXT_ALIGN_RIGHT
                                                                       : TEXT_ALIGN_LEFT,
                          vals[k]);
            free(price);
        }
        c->y++;
    }
}

static void ret_draw_part(struct ret_canvas *c, const PGresult *r, const char *title,
                          const int *cols, const int *widths, int ncols, bool money_col1)
{
    if (line_ok(c))
        tui_print(c->w, c->y, 1, 30, THEME_HEADER, TEXT_ALIGN_LEFT, title);
    c->y++;
    if (r == NULL || PQntuples(r) == 0) {
        if (line_ok(c))
            tui_print(c->w, c->y, 3, 10, THEME_DIM, TEXT_ALIGN_LEFT, "—");
        c->y++;
        return;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (line_ok(c)) {
            int x = 3;
            for (int k = 0; k < ncols && x < c->cols - 1; k++) {
                int wdt = widths[k] > 0 ? widths[k] : c->cols - x - 1;
                char *money = NULL;
                const char *v = db_value(r, i, cols[k]);
                if (money_col1 && cols[k] == 1)
                    v = money = text_money(db_value_ll(r, i, 1), true);
                else if (!money_col1 && (cols[k] == 1 || cols[k] == 2))
                    v = return_status_label(v);
                tui_print(c->w, c->y, x, wdt, THEME_BODY,
                          money_col1 && cols[k] == 1 ? TEXT_ALIGN_RIGHT : TEXT_ALIGN_LEFT, v);
                free(money);
                x += wdt + 2;
            }
        }
        c->y++;
    }
}

static void ret_draw(struct screen *s, WINDOW *w)
{
    struct return_screen *rs = s->state;
    struct ret_canvas c = { .w = w, .y = 0, .skip = rs->scroll };

    getmaxyx(w, c.rows, c.cols);
    if (!rs->loaded) {
        tui_print(w, 1, 1, c.cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    if (rs->missing) {
        tui_print(w, 1, 1, c.cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT,
                  "No such return. An RMA code looks like R-7K2Q9M.");
        return;
    }
    ret_draw_header(rs, &c);
    ret_draw_lines(rs, &c);
    static const int ref_cols[] = { 3, 1, 0, 5, 2, 4 }, ref_w[] = { 16, 10, 8, 10, 6, 0 };
    ret_draw_part(&c, rs->part[RETURN_PART_REFUNDS], "Refunds", ref_cols, ref_w, 6, true);
    static const int hist_cols[] = { 0, 2, 3, 4 }, hist_w[] = { 16, 26, 24, 0 };
    ret_draw_part(&c, rs->part[RETURN_PART_HISTORY], "History", hist_cols, hist_w, 4, false);
}

static void ret_notify(struct screen *s, const char *channel, const char *payload)
{
    struct return_screen *rs = s->state;
    char id[32];

    snprintf(id, sizeof(id), "%lld", rs->h.id);
    if (rs->loaded && !rs->busy && strcmp(channel, "kontor_return") == 0 && strcmp(payload, id) == 0)
        ret_load(s);
}

static void ret_close(struct screen *s)
{
    ret_forget(s->state);
}

const struct screen_ops screen_return = {
    .name = "return",
    .title = "Return",
    .help = "one return by RMA code; \"return new ORDER\" starts one",
    .args = "RMA | new ORDER",
    .perm = PERM_RETURNS_VIEW,
    .in_palette = true,
    .state_size = sizeof(struct return_screen),
    .keys = return_keys,
    .nkeys = sizeof(return_keys) / sizeof(return_keys[0]),
    .open = ret_open,
    .draw = ret_draw,
    .key = ret_key,
    .result = ret_result,
    .notify = ret_notify,
    .resume = ret_load,
    .close = ret_close,
};

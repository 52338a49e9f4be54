/* Duplicate customers: the pairs flagged by customer service (first) and
 * the ones the database suggests, best score first; Enter shows two records
 * side by side. Service flags a pair with `f`; a manager merges the right
 * record into the left with `m` (`s` swaps which one survives) or dismisses
 * the pair with `x`. Each step travels with the reloaded list and pair in
 * one transaction; the merge itself is one database function. With a
 * customer number only that customer's pairs are shown, and a merged
 * record's number leads to the record it was merged into. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/duplicate.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { DUP_Q_LIST = 1, DUP_Q_COMPARE, DUP_Q_STEP };

enum dup_mode { DUP_MODE_LIST, DUP_MODE_COMPARE };

struct duplicates {
    long long customer; /* the argument; 0: every pair */
    struct duplicate_list list;
    struct duplicate_compare cmp;
    struct duplicate_step step;
    PGresult *focus, *rows;
    PGresult *part[DUP_CMP_COUNT];
    bool loaded, busy;
    int sel, top, page;
    enum dup_mode mode;
    long long left, right; /* side by side: the left one survives a merge */
    int scroll;
    enum duplicate_step_kind pending; /* the step a prompt is asked for */
    long long told;                   /* the merged number the redirect was told for */
};

static const struct screen_key duplicates_keys[] = {
    { .key = '\n', .name = "Enter", .help = "side by side", .perm = PERM_CUSTOMERS_EDIT,
      .hint = true },
    { .key = 'f', .name = "f", .help = "flag for a manager", .perm = PERM_CUSTOMERS_EDIT,
      .hint = true },
    { .key = 'm', .name = "m", .help = "merge right into left", .perm = PERM_CUSTOMERS_MERGE,
      .hint = true },
    { .key = 's', .name = "s", .help = "swap sides (which survives)",
      .perm = PERM_CUSTOMERS_MERGE, .hint = true },
    { .key = 'x', .name = "x", .help = "dismiss: different people",
      .perm = PERM_CUSTOMERS_MERGE, .hint = true },
    { .key = 'o', .name = "o", .help = "open the left customer (O: the right)",
      .perm = PERM_CUSTOMERS_VIEW },
    { .key = 27, .name = "Esc", .help = "back", .perm = PERM_CUSTOMERS_EDIT },
};

static int dup_count(const struct duplicates *d)
{
    return d->rows != NULL ? PQntuples(d->rows) : 0;
}

static bool dup_focus_found(const struct duplicates *d)
{
    return d->focus != NULL && PQntuples(d->focus) > 0;
}

/* The record the list is about today (0: every pair). */
static long long dup_subject(const struct duplicates *d)
{
    return dup_focus_found(d) ? db_value_ll(d->focus, 0, DUP_FOCUS_SURVIVOR) : d->customer;
}

static void dup_title(struct screen *s, struct duplicates *d)
{
    int n = dup_count(d), flagged = 0;

    for (int r = 0; r < n; r++)
        flagged += db_value_ll(d->rows, r, DUP_COL_FLAG_ID) != 0;
    if (d->mode == DUP_MODE_COMPARE)
        tui_set_title(s, "Duplicates · #%lld / #%lld", d->left, d->right);
    else if (d->customer != 0)
        tui_set_title(s, "Duplicates · customer %lld · %d pair%s", dup_subject(d), n,
                      n == 1 ? "" : "s");
    else
        tui_set_title(s, "Duplicates: %d%s, %d flagged", n, n >= DUPLICATE_LIMIT ? "+" : "",
                      flagged);
}

static void dup_forget_pair(struct duplicates *d)
{
    for (int i = 0; i < DUP_CMP_COUNT; i++) {
        PQclear(d->part[i]);
        d->part[i] = NULL;
    }
}

static void dup_load(struct screen *s)
{
    struct duplicates *d = s->state;
    size_t n = 0;
    struct db_stmt *st = duplicate_list_stmts(&d->list, d->customer, DUPLICATE_LIMIT, &n);

    d->busy = true;
    tui_query(s, DUP_Q_LIST, st, n);
}

static void dup_load_pair(struct screen *s)
{
    struct duplicates *d = s->state;
    size_t n = 0;
    struct db_stmt *st = duplicate_compare_stmts(&d->cmp, d->left, d->right, &n);

    d->busy = true;
    tui_query(s, DUP_Q_COMPARE, st, n);
}

static void dup_resume(struct screen *s)
{
    struct duplicates *d = s->state;

    dup_load(s);
    if (d->mode == DUP_MODE_COMPARE)
        dup_load_pair(s);
}

static bool dup_open(struct screen *s, const char *args, char **err)
{
    struct duplicates *d = s->state;

    if (!duplicate_args_parse(args, &d->customer, err))
        return false;
    dup_title(s, d);
    dup_load(s);
    return true;
}

/* ---- results ------------------------------------------------------------------ */

/* Tells once that a merged record's number led to its survivor. */
static void dup_redirect_note(struct screen *s, struct duplicates *d)
{
    long long survivor;

    if (d->customer == 0)
        return;
    if (!dup_focus_found(d)) {
        tui_message(s->tui, TUI_MSG_WARN, "There is no customer %lld.", d->customer);
        return;
    }
    survivor = db_value_ll(d->focus, 0, DUP_FOCUS_SURVIVOR);
    if (survivor == d->customer || d->told == d->customer)
        return;
    d->told = d->customer;
    tui_message(s->tui, TUI_MSG_INFO, "#%lld was merged into #%lld %s on %s: showing #%lld.",
                d->customer, survivor, db_value(d->focus, 0, DUP_FOCUS_SURVIVOR_NAME),
                db_value(d->focus, 0, DUP_FOCUS_MERGED_AT), survivor);
}

/* The new list keeps the selection on the same pair while it is there. */
static void dup_take_list(struct screen *s, struct duplicates *d, struct db_stmt *st)
{
    long long a = 0, b = 0;

    if (dup_count(d) > 0) {
        a = db_value_ll(d->rows, d->sel, DUP_COL_A);
        b = db_value_ll(d->rows, d->sel, DUP_COL_B);
    }
    PQclear(d->focus);
    PQclear(d->rows);
    d->focus = st[DUP_LIST_FOCUS].res;
    d->rows = st[DUP_LIST_ROWS].res;
    st[DUP_LIST_FOCUS].res = st[DUP_LIST_ROWS].res = NULL;
    d->loaded = true;
    for (int r = 0; r < dup_count(d); r++)
        if (db_value_ll(d->rows, r, DUP_COL_A) == a && db_value_ll(d->rows, r, DUP_COL_B) == b) {
            d->sel = r;
            break;
        }
    if (d->sel >= dup_count(d))
        d->sel = dup_count(d) > 0 ? dup_count(d) - 1 : 0;
    dup_redirect_note(s, d);
}

static void dup_take_pair(struct duplicates *d, struct db_stmt *st)
{
    dup_forget_pair(d);
    for (int i = 0; i < DUP_CMP_COUNT; i++) {
        d->part[i] = st[i].res;
        st[i].res = NULL;
    }
}

/* "1 order", "3 orders". */
static const char *dup_n(char *buf, size_t len, const PGresult *res, int col, const char *one,
                         const char *many)
{
    long long n = db_value_ll(res, 0, col);

    snprintf(buf, len, "%lld %s", n, n == 1 ? one : many);
    return buf;
}

static void dup_step_done(struct screen *s, struct duplicates *d, const PGresult *res)
{
    char o[32], r[32], i[32], c[32], k[32];

    const char *outcome = res != NULL && PQntuples(res) > 0 ? db_value(res, 0, 1) : "";

    switch (d->step.kind) {
    case DUPLICATE_FLAG:
        if (strcmp(outcome, "already") == 0)
            tui_message(s->tui, TUI_MSG_INFO, "#%s and #%s were flagged already: nothing changed.",
                        d->step.a, d->step.b);
        else
            tui_message(s->tui, TUI_MSG_OK, "#%s and #%s flagged for a manager.", d->step.a,
                        d->step.b);
        break;
    case DUPLICATE_DISMISS:
        tui_message(s->tui, TUI_MSG_OK, "#%s and #%s are different people: not suggested again.",
                    d->step.a, d->step.b);
        d->mode = DUP_MODE_LIST;
        break;
    case DUPLICATE_MERGE:
        if (res != NULL && PQntuples(res) > 0)
            tui_message(
                s->tui, TUI_MSG_OK, "Merged #%s into #%s: %s, %s, %s, %s, %s moved.",
                db_value(res, 0, DM_COL_LOSER), db_value(res, 0, DM_COL_SURVIVOR),
                dup_n(o, sizeof(o), res, DM_COL_ORDERS, "order", "orders"),
                dup_n(r, sizeof(r), res, DM_COL_RETURNS, "return", "returns"),
                dup_n(i, sizeof(i), res, DM_COL_INTERACTIONS, "interaction", "interactions"),
                dup_n(c, sizeof(c), res, DM_COL_CONSENTS, "consent", "consents"),
                dup_n(k, sizeof(k), res, DM_COL_IDENTITIES, "identity", "identities"));
        d->mode = DUP_MODE_LIST;
        break;
    }
}

static void dup_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                       const struct db_error *err)
{
    struct duplicates *d = s->state;

    d->busy = false;
    if (err != NULL) {
        tui_db_error(s->tui, err);
        if (tag == DUP_Q_STEP) {
            d->told = d->customer; /* the error says more than the redirect */
            dup_resume(s);
        }
        return;
    }
    if (tag == DUP_Q_LIST && n >= DUP_LIST_COUNT) {
        dup_take_list(s, d, stmts);
    } else if (tag == DUP_Q_COMPARE && n >= DUP_CMP_COUNT) {
        dup_take_pair(d, stmts);
    } else if (tag == DUP_Q_STEP && n >= 1 + DUP_LIST_COUNT + DUP_CMP_COUNT) {
        dup_take_list(s, d, stmts + 1);
        dup_take_pair(d, stmts + 1 + DUP_LIST_COUNT);
        dup_step_done(s, d, stmts[0].res);
    }
    dup_title(s, d);
}

/* ---- steps ----------------------------------------------------------------------- */

static void dup_send(struct screen *s, enum duplicate_step_kind kind, const char *note)
{
    struct duplicates *d = s->state;
    size_t n = 0;
    struct db_stmt *st = duplicate_step_stmts(&d->step, kind, d->left, d->right, note, d->customer,
                                              DUPLICATE_LIMIT, &n);

    d->busy = true;
    tui_query(s, DUP_Q_STEP, st, n);
}

static void dup_note_given(struct screen *s, const char *text, void *arg)
{
    struct duplicates *d = s->state;

    (void)arg;
    if (text != NULL)
        dup_send(s, d->pending, text);
}

static void dup_merge_confirmed(struct screen *s, bool yes, void *arg)
{
    (void)arg;
    if (yes)
        dup_send(s, DUPLICATE_MERGE, NULL);
}

/* The pair a step is for: the one side by side, or the selected row (the
 * record with more orders on the left, as side by side). */
static bool dup_pick(struct duplicates *d)
{
    if (d->mode == DUP_MODE_COMPARE)
        return d->left != 0 && d->right != 0;
    if (dup_count(d) == 0)
        return false;
    d->left = db_value_ll(d->rows, d->sel, DUP_COL_A);
    d->right = db_value_ll(d->rows, d->sel, DUP_COL_B);
    return true;
}

static const char *dup_side_name(const struct duplicates *d, long long id)
{
    const PGresult *r = d->part[DUP_CMP_SIDES];

    for (int i = 0; r != NULL && i < PQntuples(r); i++)
        if (db_value_ll(r, i, DS_COL_ID) == id)
            return db_value(r, i, DS_COL_NAME);
    for (int i = 0; i < dup_count(d); i++) {
        if (db_value_ll(d->rows, i, DUP_COL_A) == id)
            return db_value(d->rows, i, DUP_COL_NAME_A);
        if (db_value_ll(d->rows, i, DUP_COL_B) == id)
            return db_value(d->rows, i, DUP_COL_NAME_B);
    }
    return "";
}

static void dup_ask(struct screen *s, struct duplicates *d, int key)
{
    char *title, *q;

    if (!dup_pick(d))
        return;
    title = xasprintf("#%lld %s and #%lld %s", d->left, dup_side_name(d, d->left), d->right,
                      dup_side_name(d, d->right));
    if (key == 'f') {
        d->pending = DUPLICATE_FLAG;
        tui_prompt(s, title, "Why are they the same person? (a note for the manager)",
                   dup_note_given, NULL);
    } else if (key == 'x') {
        d->pending = DUPLICATE_DISMISS;
        tui_prompt(s, title, "Why are they different people? (kept with the pair)", dup_note_given,
                   NULL);
    } else if (d->mode != DUP_MODE_COMPARE) {
        tui_message(s->tui, TUI_MSG_INFO, "Compare them first: Enter shows both side by side.");
    } else {
        q = xasprintf("Merge #%lld %s into #%lld %s? Its orders, returns, interactions, identities "
                      "and consents move to #%lld; #%lld will point to it. (s swaps sides)",
                      d->right, dup_side_name(d, d->right), d->left, dup_side_name(d, d->left),
                      d->left, d->right);
        tui_confirm(s, "Merge duplicates", q, dup_merge_confirmed, NULL);
        free(q);
    }
    free(title);
}

/* ---- keys ------------------------------------------------------------------------------ */

static void dup_compare_open(struct screen *s, struct duplicates *d)
{
    long long a, b;

    if (dup_count(d) == 0)
        return;
    a = db_value_ll(d->rows, d->sel, DUP_COL_A);
    b = db_value_ll(d->rows, d->sel, DUP_COL_B);
    /* the older record (the lower number) on the left: it survives unless swapped */
    d->left = a;
    d->right = b;
    d->mode = DUP_MODE_COMPARE;
    d->scroll = 0;
    dup_forget_pair(d);
    dup_load_pair(s);
    dup_title(s, d);
}

static bool dup_move(struct duplicates *d, enum action a)
{
    int n = dup_count(d), page = d->page > 1 ? d->page - 1 : 10;

    if (d->mode == DUP_MODE_COMPARE) {
        if (a == ACTION_MOVE_DOWN)
            d->scroll++;
        else if (a == ACTION_MOVE_UP && d->scroll > 0)
            d->scroll--;
        return a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP;
    }
    if (a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP)
        d->sel += a == ACTION_MOVE_DOWN ? 1 : -1;
    else if (a == ACTION_PAGE_DOWN || a == ACTION_PAGE_UP)
        d->sel += a == ACTION_PAGE_DOWN ? page : -page;
    else if (a == ACTION_FIRST || a == ACTION_LAST)
        d->sel = a == ACTION_FIRST ? 0 : n - 1;
    else
        return false;
    if (d->sel >= n)
        d->sel = n - 1;
    if (d->sel < 0)
        d->sel = 0;
    return true;
}

static bool dup_key_allowed(struct screen *s, int key)
{
    for (size_t i = 0; i < sizeof(duplicates_keys) / sizeof(duplicates_keys[0]); i++)
        if (duplicates_keys[i].key == key && !tui_allowed(s->tui, duplicates_keys[i].perm)) {
            tui_message(s->tui, TUI_MSG_ERROR, "Your role may not do that: a manager %s.",
                        key == 'm' ? "merges customers" : "decides about duplicates");
            return false;
        }
    return true;
}

static void dup_open_customer(struct screen *s, struct duplicates *d, bool right)
{
    char id[24];

    if (!dup_pick(d))
        return;
    snprintf(id, sizeof(id), "%lld", right ? d->right : d->left);
    tui_open(s->tui, "customer", id);
}

static bool dup_key(struct screen *s, int key, enum action a)
{
    struct duplicates *d = s->state;

    if (key == 'f' || key == 'm' || key == 'x' || key == 's') {
        if (!dup_key_allowed(s, key))
            return true;
        if (d->busy) {
            tui_message(s->tui, TUI_MSG_INFO, "One moment: still loading or saving.");
        } else if (key == 's') {
            if (d->mode == DUP_MODE_COMPARE) {
                long long t = d->left;
                d->left = d->right;
                d->right = t;
                dup_load_pair(s);
                dup_title(s, d);
            }
        } else {
            dup_ask(s, d, key);
        }
        return true;
    }
    if (key == 'o' || key == 'O') {
        dup_open_customer(s, d, key == 'O');
        return true;
    }
    if (a == ACTION_OPEN) {
        if (d->mode == DUP_MODE_LIST)
            dup_compare_open(s, d);
        return true;
    }
    if (a == ACTION_BACK && d->mode == DUP_MODE_COMPARE) {
        d->mode = DUP_MODE_LIST;
        dup_title(s, d);
        return true;
    }
    if (a == ACTION_REFRESH) {
        dup_resume(s);
        return false;
    }
    return dup_move(d, a);
}

/* ---- drawing: the list ------------------------------------------------------------------ */

static void dup_draw_row(struct duplicates *d, WINDOW *w, int y, int cols, int r, int side)
{
    bool flagged = db_value_ll(d->rows, r, DUP_COL_FLAG_ID) != 0;
    enum theme_slot slot = r == d->sel ? THEME_SELECTED : THEME_BODY;
    char cell[1200];
    int x = 3, rest;

    tui_print(w, y, 0, cols, slot, TEXT_ALIGN_LEFT, r == d->sel ? " ▶" : "");
    for (int k = 0; k < 2; k++) {
        const char *city = db_value(d->rows, r, k ? DUP_COL_PLACE_B : DUP_COL_PLACE_A);
        snprintf(cell, sizeof(cell), "#%s %s%s%s", db_value(d->rows, r, k ? DUP_COL_B : DUP_COL_A),
                 db_value(d->rows, r, k ? DUP_COL_NAME_B : DUP_COL_NAME_A), city[0] ? ", " : "",
                 city);
        tui_print(w, y, x, side, slot, TEXT_ALIGN_LEFT, cell);
        x += side + 1;
    }
    tui_print(w, y, x, 5, slot, TEXT_ALIGN_RIGHT, db_value(d->rows, r, DUP_COL_SCORE));
    x += 7;
    rest = cols - x - 1;
    if (rest <= 0)
        return;
    if (flagged) /* who flagged it and why: side by side */
        snprintf(cell, sizeof(cell), "flag: %s", db_value(d->rows, r, DUP_COL_REASONS));
    else
        snprintf(cell, sizeof(cell), "%s", db_value(d->rows, r, DUP_COL_REASONS));
    if (r != d->sel && flagged)
        slot = THEME_WARNING;
    tui_print(w, y, x, rest, slot, TEXT_ALIGN_LEFT, cell);
}

/* The two records take what the reasons leave them: 22 columns each at
 * 80, at most 24 (the reasons get the rest). */
static void dup_draw_list(struct duplicates *d, WINDOW *w, int rows, int cols)
{
    int side = (cols - 36) / 2, y0 = 1;

    if (side > 24)
        side = 24;
    if (side < 12)
        side = 12;
    if (dup_count(d) == 0) {
        tui_print(w, 0, 3, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT,
                  d->customer != 0 ? "No duplicate of this customer is flagged or suggested."
                                   : "No duplicates are flagged or suggested.");
        return;
    }
    tui_print(w, 0, 3, side, THEME_HEADER, TEXT_ALIGN_LEFT, "Customer");
    tui_print(w, 0, 3 + side + 1, side, THEME_HEADER, TEXT_ALIGN_LEFT, "Maybe the same as");
    tui_print(w, 0, 3 + 2 * side + 2, 5, THEME_HEADER, TEXT_ALIGN_RIGHT, "Score");
    tui_print(w, 0, 3 + 2 * side + 9, cols - 3 - 2 * side - 10, THEME_HEADER, TEXT_ALIGN_LEFT,
              "Why");
    rows -= y0;
    d->page = rows;
    if (d->sel < d->top)
        d->top = d->sel;
    if (d->sel >= d->top + rows)
        d->top = d->sel - rows + 1;
    for (int y = 0; y < rows && d->top + y < dup_count(d); y++)
        dup_draw_row(d, w, y0 + y, cols, d->top + y, side);
}

/* ---- drawing: side by side ------------------------------------------------------------------ */

struct dup_canvas {
    WINDOW *w;
    int y, rows, cols, skip, col; /* col: width of each side */
};

static bool dup_line_ok(struct dup_canvas *c)
{
    if (c->skip > 0) {
        c->skip--;
        return false;
    }
    return c->y < c->rows;
}

/* One line: a label and the two sides' values; same marks equal values. */
static void dup_pair_line(struct dup_canvas *c, const char *label, const char *l, const char *r,
                          bool same)
{
    if (dup_line_ok(c)) {
        enum theme_slot slot = same && l[0] != '\0' ? THEME_STATUS_OK : THEME_BODY;
        tui_print(c->w, c->y, 1, 13, THEME_HEADER, TEXT_ALIGN_LEFT, label);
        tui_print(c->w, c->y, 15, c->col, slot, TEXT_ALIGN_LEFT, l);
        tui_print(c->w, c->y, 16 + c->col, c->col, slot, TEXT_ALIGN_LEFT, r);
    }
    c->y++;
}

static void dup_field(struct dup_canvas *c, const PGresult *sides, const char *label, int col,
                      bool compare)
{
    const char *l = db_value(sides, 0, col), *r = db_value(sides, 1, col);

    dup_pair_line(c, label, l, r, compare && strcmp(l, r) == 0);
}

/* "5 (K-100001 · 23.11.2026)": a count and what explains it. */
static void dup_count_line(struct dup_canvas *c, const PGresult *sides, const char *label, int col,
                           int extra, const char *extra_label)
{
    char side[2][300];

    for (int i = 0; i < 2; i++) {
        const char *e = extra >= 0 ? db_value(sides, i, extra) : "";
        snprintf(side[i], sizeof(side[i]), "%s%s%s%s%s", db_value(sides, i, col), e[0] ? " (" : "",
                 e[0] ? extra_label : "", e, e[0] ? ")" : "");
    }
    dup_pair_line(c, label, side[0], side[1], false);
}

/* Identities of one side, as "e-mail  juergen.mueller@example.de =". */
static void dup_ident_text(const PGresult *r, int i, char *buf, size_t len)
{
    static const struct {
        const char *kind, *label;
    } labels[] = { { "email", "e-mail" },
                   { "phone", "phone" },
                   { "loyalty", "card" },
                   { "web_account", "web" },
                   { "marketplace_id", "market" } };
    const char *kind = db_value(r, i, DI_COL_KIND), *label = kind;

    for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
        if (strcmp(kind, labels[k].kind) == 0)
            label = labels[k].label;
    snprintf(buf, len, "%-6s %s%s", label, db_value(r, i, DI_COL_VALUE),
             strcmp(db_value(r, i, DI_COL_SHARED), "t") == 0 ? "  =" : "");
}

static void dup_draw_identities(struct duplicates *d, struct dup_canvas *c)
{
    const PGresult *r = d->part[DUP_CMP_IDENTITIES];
    int li[64], ri[64], nl = 0, nr = 0;
    char lt[600], rt[600];

    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        long long who = db_value_ll(r, i, DI_COL_CUSTOMER);
        if (who == d->left && nl < 64)
            li[nl++] = i;
        else if (who == d->right && nr < 64)
            ri[nr++] = i;
    }
    for (int k = 0; k < nl || k < nr || k == 0; k++) {
        lt[0] = rt[0] = '\0';
        if (k < nl)
            dup_ident_text(r, li[k], lt, sizeof(lt));
        if (k < nr)
            dup_ident_text(r, ri[k], rt, sizeof(rt));
        if (dup_line_ok(c)) {
            tui_print(c->w, c->y, 1, 13, THEME_HEADER, TEXT_ALIGN_LEFT, k == 0 ? "Identities" : "");
            tui_print(c->w, c->y, 15, c->col,
                      k < nl && strcmp(db_value(r, li[k], DI_COL_SHARED), "t") == 0
                          ? THEME_STATUS_OK
                          : THEME_BODY,
                      TEXT_ALIGN_LEFT, k < nl ? lt : (k == 0 ? "—" : ""));
            tui_print(c->w, c->y, 16 + c->col, c->col,
                      k < nr && strcmp(db_value(r, ri[k], DI_COL_SHARED), "t") == 0
                          ? THEME_STATUS_OK
                          : THEME_BODY,
                      TEXT_ALIGN_LEFT, k < nr ? rt : (k == 0 ? "—" : ""));
        }
        c->y++;
    }
}

static void dup_draw_verdict(struct duplicates *d, struct dup_canvas *c)
{
    const PGresult *p = d->part[DUP_CMP_PAIR];
    char line[1200];

    if (p == NULL || PQntuples(p) == 0)
        return;
    snprintf(line, sizeof(line), "Score %s · %s", db_value(p, 0, DP_COL_SCORE),
             db_value(p, 0, DP_COL_REASONS)[0] ? db_value(p, 0, DP_COL_REASONS)
                                               : "nothing in common");
    if (dup_line_ok(c))
        tui_print(c->w, c->y, 1, c->cols - 2, THEME_BODY, TEXT_ALIGN_LEFT, line);
    c->y++;
    if (db_value_ll(p, 0, DP_COL_FLAG_ID) != 0)
        snprintf(line, sizeof(line), "FLAGGED by %s %s: \"%s\"", db_value(p, 0, DP_COL_FLAGGED_BY),
                 db_value(p, 0, DP_COL_FLAGGED_AT), db_value(p, 0, DP_COL_FLAG_NOTE));
    else if (db_value(p, 0, DP_COL_DECIDED)[0] != '\0')
        snprintf(line, sizeof(line), "Not flagged; earlier: %s", db_value(p, 0, DP_COL_DECIDED));
    else
        snprintf(line, sizeof(line), "Not flagged");
    if (dup_line_ok(c))
        tui_print(c->w, c->y, 1, c->cols - 2,
                  db_value_ll(p, 0, DP_COL_FLAG_ID) != 0 ? THEME_WARNING : THEME_DIM,
                  TEXT_ALIGN_LEFT, line);
    c->y += 2;
}

static void dup_draw_compare(struct duplicates *d, WINDOW *w, int rows, int cols)
{
    const PGresult *sides = d->part[DUP_CMP_SIDES];
    struct dup_canvas c = { .w = w, .y = 0, .rows = rows, .cols = cols, .skip = d->scroll };
    char l[200], r[200];

    c.col = (cols - 17) / 2;
    if (sides == NULL) {
        tui_print(w, 1, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    if (PQntuples(sides) != 2 || db_value_ll(sides, 0, DS_COL_ID) != d->left) {
        tui_print(w, 1, 1, cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT,
                  "One of the two records is gone.");
        return;
    }
    dup_draw_verdict(d, &c);
    snprintf(l, sizeof(l), "#%lld · survives", d->left);
    snprintf(r, sizeof(r), "#%lld · merges into #%lld", d->right, d->left);
    if (db_value_ll(sides, 0, DS_COL_MERGED_INTO) != 0)
        snprintf(l, sizeof(l), "#%lld · merged into #%s", d->left,
                 db_value(sides, 0, DS_COL_MERGED_INTO));
    if (db_value_ll(sides, 1, DS_COL_MERGED_INTO) != 0)
        snprintf(r, sizeof(r), "#%lld · merged into #%s", d->right,
                 db_value(sides, 1, DS_COL_MERGED_INTO));
    if (dup_line_ok(&c)) {
        tui_print(w, c.y, 15, c.col, THEME_HEADER, TEXT_ALIGN_LEFT, l);
        tui_print(w, c.y, 16 + c.col, c.col, THEME_HEADER, TEXT_ALIGN_LEFT, r);
    }
    c.y++;
    dup_field(&c, sides, "Name", DS_COL_NAME, true);
    dup_field(&c, sides, "Born", DS_COL_BIRTHDATE, true);
    dup_field(&c, sides, "Street", DS_COL_STREET, true);
    dup_field(&c, sides, "Place", DS_COL_PLACE, true);
    snprintf(l, sizeof(l), "%s (%s)", db_value(sides, 0, DS_COL_SINCE),
             db_value(sides, 0, DS_COL_HOME));
    snprintf(r, sizeof(r), "%s (%s)", db_value(sides, 1, DS_COL_SINCE),
             db_value(sides, 1, DS_COL_HOME));
    dup_pair_line(&c, "Since", l, r, false);
    dup_count_line(&c, sides, "Orders", DS_COL_ORDERS, DS_COL_LAST_ORDER, "last ");
    dup_count_line(&c, sides, "Returns", DS_COL_RETURNS, -1, "");
    dup_count_line(&c, sides, "Interactions", DS_COL_INTERACTIONS, -1, "");
    dup_count_line(&c, sides, "Consents", DS_COL_CONSENTS, DS_COL_GRANTED, "given: ");
    dup_count_line(&c, sides, "Notes", DS_COL_NOTES, -1, "");
    dup_draw_identities(d, &c);
}

static void dup_draw(struct screen *s, WINDOW *w)
{
    struct duplicates *d = s->state;
    int rows, cols;

    getmaxyx(w, rows, cols);
    if (d->mode == DUP_MODE_COMPARE) {
        dup_draw_compare(d, w, rows, cols);
        return;
    }
    if (!d->loaded) {
        tui_print(w, 0, 3, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT, "Looking for duplicates…");
        return;
    }
    if (d->customer != 0 && !dup_focus_found(d)) {
        tui_print(w, 0, 3, cols - 4, THEME_WARNING, TEXT_ALIGN_LEFT, "No such customer.");
        return;
    }
    dup_draw_list(d, w, rows, cols);
}

static void dup_close(struct screen *s)
{
    struct duplicates *d = s->state;

    PQclear(d->focus);
    PQclear(d->rows);
    dup_forget_pair(d);
}

const struct screen_ops screen_duplicates = {
    .name = "duplicates",
    .title = "Duplicates",
    .help = "duplicate customers: flagged pairs and suggestions, side by side, merge",
    .args = "[CUSTOMER-ID]",
    .perm = PERM_CUSTOMERS_EDIT,
    .in_palette = true,
    .state_size = sizeof(struct duplicates),
    .keys = duplicates_keys,
    .nkeys = sizeof(duplicates_keys) / sizeof(duplicates_keys[0]),
    .open = dup_open,
    .draw = dup_draw,
    .key = dup_key,
    .result = dup_result,
    .resume = dup_resume,
    .close = dup_close,
};

/* The manager's approvals: refunds over a limit and returns outside the
 * window, oldest request first. `a` approves and `x` rejects with a reason;
 * the database decides once, so a second press only hears "already
 * decided". Live: a decision taken elsewhere drops the row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/returns.h"
#include "kontor/screens.h"

#define APPR_JOBS 4     /* decisions on their way at once */
#define APPR_LIMIT 500  /* the queue's LIMIT */
#define APPR_GAP 2
#define APPR_NOTE_MIN 10

enum {
    APPR_Q_LOAD = 1,
    APPR_Q_STEP = 10, /* + job slot */
};

/* Shown columns, in order. A row has either a "what" that explains itself
 * ("outside window (41 days)") or a short one with a "why" ("refund
 * 349.00 €" / "over service limit 200.00 €"), so a "what" without a "why"
 * runs on into the "why" column, as on the sketch. */
enum { LAY_RMA, LAY_WHAT, LAY_WHY, LAY_ASKED_BY, LAY_ASKED_AT, LAY_NOTE, LAY_COUNT };
static const struct {
    int col;
    int cap;      /* widest it grows; 0: takes the rest */
    int priority; /* higher numbers are dropped first */
} appr_layout[LAY_COUNT] = {
    [LAY_RMA] = { APPR_COL_RMA, 10, 1 },
    [LAY_WHAT] = { APPR_COL_WHAT, 26, 1 },
    [LAY_WHY] = { APPR_COL_WHY, 32, 4 },
    [LAY_ASKED_BY] = { APPR_COL_ASKED_BY, 30, 2 },
    [LAY_ASKED_AT] = { APPR_COL_ASKED_AT, 12, 3 },
    [LAY_NOTE] = { APPR_COL_NOTE, 0, 1 },
};

/* One decision on its way: the statement's storage lives here until the
 * result comes back. */
struct appr_job {
    bool busy;
    bool approve;
    char rma[16];
    struct return_step step;
};

struct approvals {
    struct approval_queue q;
    PGresult *rows;
    int sel, top, page; /* page: rows shown at the last draw */
    int natural[LAY_COUNT]; /* widest cell of each column, capped */
    int what_alone;         /* the widest "what" of all rows, when "why" is not shown */
    /* the decision the reason prompt is asked for */
    long long pending_id;
    char pending_rma[16];
    bool pending_approve;
    struct appr_job jobs[APPR_JOBS];
};

static const struct screen_key approvals_keys[] = {
    { .key = 'a', .name = "a", .help = "approve", .perm = PERM_APPROVALS, .hint = true },
    { .key = 'x', .name = "x", .help = "reject", .perm = PERM_APPROVALS, .hint = true },
    { .key = '\n', .name = "Enter", .help = "open return", .perm = PERM_APPROVALS,
      .hint = true },
    { .key = 27, .name = "Esc", .help = "back", .perm = PERM_APPROVALS, .hint = true },
};

static int appr_count(const struct approvals *p)
{
    return p->rows != NULL ? PQntuples(p->rows) : 0;
}

static void approvals_title(struct screen *s, struct approvals *p)
{
    int n = appr_count(p);

    if (p->rows == NULL)
        tui_set_title(s, "Approvals");
    else
        tui_set_title(s, "Approvals · %d%s waiting", n, n >= APPR_LIMIT ? "+" : "");
}

static void approvals_load(struct screen *s)
{
    struct approvals *p = s->state;

    tui_query(s, APPR_Q_LOAD, approval_queue_stmt(&p->q), 1);
}

static bool approvals_open(struct screen *s, const char *args, char **err)
{
    approvals_load(s);
    return true;
}

/* The text of one cell as shown. */
static void approvals_cell(const PGresult *res, int r, int col, char *buf, size_t len)
{
    const char *v = db_value(res, r, col);

    if (col == APPR_COL_ASKED_BY && v[0] != '\0')
        snprintf(buf, len, "asked by %s", v);
    else if (col == APPR_COL_NOTE && v[0] != '\0')
        snprintf(buf, len, "\"%s\"", v);
    else
        snprintf(buf, len, "%s", v);
}

static int approvals_cell_width(const struct approvals *p, int r, int lay)
{
    char cell[512];
    int w;

    approvals_cell(p->rows, r, appr_layout[lay].col, cell, sizeof(cell));
    w = text_width(cell);
    return w < appr_layout[lay].cap ? w : appr_layout[lay].cap;
}

static void approvals_measure(struct approvals *p)
{
    memset(p->natural, 0, sizeof(p->natural));
    p->what_alone = 0;
    for (int r = 0; r < appr_count(p); r++) {
        bool why = db_value(p->rows, r, APPR_COL_WHY)[0] != '\0';
        for (int i = 0; i < LAY_NOTE; i++) {
            int w = approvals_cell_width(p, r, i);
            if (i == LAY_WHAT && w > p->what_alone)
                p->what_alone = w;
            if ((i != LAY_WHAT || why) && w > p->natural[i])
                p->natural[i] = w;
        }
    }
    if (p->natural[LAY_WHY] == 0)
        p->natural[LAY_WHAT] = p->what_alone;
}

/* The new list keeps the selection on the same return while it is there. */
static void approvals_take(struct screen *s, struct approvals *p, struct db_stmt *st)
{
    char id[24] = "";

    if (appr_count(p) > 0)
        snprintf(id, sizeof(id), "%s", db_value(p->rows, p->sel, APPR_COL_ID));
    PQclear(p->rows);
    p->rows = st->res;
    st->res = NULL;
    for (int r = 0; id[0] != '\0' && r < appr_count(p); r++) {
        if (strcmp(db_value(p->rows, r, APPR_COL_ID), id) == 0) {
            p->sel = r;
            break;
        }
    }
    if (p->sel >= appr_count(p))
        p->sel = appr_count(p) > 0 ? appr_count(p) - 1 : 0;
    approvals_measure(p);
    approvals_title(s, p);
}

static void approvals_decided(struct screen *s, struct appr_job *job, const PGresult *res)
{
    const char *outcome, *status;
    char *money;

    if (res == NULL || PQntuples(res) < 1) {
        tui_message(s->tui, TUI_MSG_WARN, "%s: no answer from the database.", job->rma);
        return;
    }
    outcome = db_value(res, 0, 0);
    status = db_value(res, 0, 1);
    if (strcmp(outcome, "already") == 0) {
        tui_message(s->tui, TUI_MSG_WARN, "%s: already decided (now %s).", job->rma,
                    return_status_label(status));
    } else if (strcmp(outcome, "rejected") == 0) {
        tui_message(s->tui, TUI_MSG_INFO, "%s rejected.", job->rma);
    } else if (strcmp(status, "refunded") == 0 || strcmp(status, "credited") == 0) {
        money = text_money(db_value_ll(res, 0, 2), true);
        tui_message(s->tui, TUI_MSG_OK, "%s approved: %s %s €%s", job->rma, status, money,
                    status[0] == 'c' ? " as a voucher" : "");
        free(money);
    } else {
        tui_message(s->tui, TUI_MSG_OK, "%s approved: %s", job->rma, return_status_label(status));
    }
}

static void approvals_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                             const struct db_error *err)
{
    struct approvals *p = s->state;

    if (tag >= APPR_Q_STEP && tag < APPR_Q_STEP + APPR_JOBS) {
        struct appr_job *job = &p->jobs[tag - APPR_Q_STEP];
        job->busy = false;
        if (err != NULL)
            tui_db_error(s->tui, err);
        else
            approvals_decided(s, job, n > 0 ? stmts[0].res : NULL);
        approvals_load(s);
        return;
    }
    if (err != NULL) {
        tui_db_error(s->tui, err);
        return;
    }
    if (tag == APPR_Q_LOAD)
        approvals_take(s, p, &stmts[0]);
}

static void approvals_reason_given(struct screen *s, const char *text, void *arg)
{
    struct approvals *p = s->state;
    struct appr_job *job = NULL;
    struct db_stmt *st;
    size_t n = 0;
    int slot;

    if (text == NULL)
        return;
    for (slot = 0; slot < APPR_JOBS; slot++) {
        if (!p->jobs[slot].busy) {
            job = &p->jobs[slot];
            break;
        }
    }
    if (job == NULL) {
        tui_message(s->tui, TUI_MSG_WARN, "Still saving earlier decisions: try again in a moment.");
        return;
    }
    job->busy = true;
    job->approve = p->pending_approve;
    snprintf(job->rma, sizeof(job->rma), "%s", p->pending_rma);
    st = return_step_stmts(&job->step, RETURN_STEP_APPROVE, p->pending_id, 0, NULL, text, NULL,
                           NULL, 0, job->approve, &n);
    tui_query(s, APPR_Q_STEP + slot, st, n);
}

static void approvals_decide(struct screen *s, struct approvals *p, bool approve)
{
    char title[64];

    if (appr_count(p) == 0)
        return;
    p->pending_id = db_value_ll(p->rows, p->sel, APPR_COL_ID);
    p->pending_approve = approve;
    snprintf(p->pending_rma, sizeof(p->pending_rma), "%s", db_value(p->rows, p->sel, APPR_COL_RMA));
    snprintf(title, sizeof(title), "%s %s", approve ? "Approve" : "Reject", p->pending_rma);
    tui_prompt(s, title, approve ? "Why approve? (kept in the return's history)"
                                 : "Why reject? (kept in the return's history)",
               approvals_reason_given, NULL);
}

static bool approvals_move(struct approvals *p, enum action a)
{
    int n = appr_count(p), page = p->page > 1 ? p->page - 1 : 10;

    if (a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP)
        p->sel += a == ACTION_MOVE_DOWN ? 1 : -1;
    else if (a == ACTION_PAGE_DOWN || a == ACTION_PAGE_UP)
        p->sel += a == ACTION_PAGE_DOWN ? page : -page;
    else if (a == ACTION_FIRST || a == ACTION_LAST)
        p->sel = a == ACTION_FIRST ? 0 : n - 1;
    else
        return false;
    if (p->sel >= n)
        p->sel = n - 1;
    if (p->sel < 0)
        p->sel = 0;
    return true;
}

static bool approvals_key(struct screen *s, int key, enum action a)
{
    struct approvals *p = s->state;
    char rma[16];

    if (key == 'a' || key == 'x') {
        approvals_decide(s, p, key == 'a');
        return true;
    }
    if (a == ACTION_OPEN) {
        if (appr_count(p) > 0) {
            snprintf(rma, sizeof(rma), "%s", db_value(p->rows, p->sel, APPR_COL_RMA));
            tui_open(s->tui, "return", rma);
        }
        return true;
    }
    return approvals_move(p, a);
}

/* Widths fitted to what the rows hold; the least important columns go
 * until the note keeps some room. */
static void approvals_widths(const struct approvals *p, int avail, int *w)
{
    memcpy(w, p->natural, sizeof(p->natural));
    for (;;) {
        int need = APPR_NOTE_MIN, drop = -1;
        for (int i = 0; i < LAY_NOTE; i++)
            need += w[i] > 0 ? w[i] + APPR_GAP : 0;
        if (need <= avail)
            return;
        for (int i = 0; i < LAY_NOTE; i++)
            if (w[i] > 0 && appr_layout[i].priority > 1 &&
                (drop < 0 || appr_layout[i].priority >= appr_layout[drop].priority))
                drop = i;
        if (drop < 0)
            return; /* only essentials left: they are cut to fit */
        w[drop] = 0;
        if (drop == LAY_WHY)
            w[LAY_WHAT] = p->what_alone;
    }
}

static void approvals_draw_row(struct approvals *p, WINDOW *w, int y, int cols, int r,
                               const int *width)
{
    enum theme_slot slot = r == p->sel ? THEME_SELECTED : THEME_BODY;
    bool why = db_value(p->rows, r, APPR_COL_WHY)[0] != '\0';
    char cell[512];
    int x = 3;

    tui_print(w, y, 0, cols, slot, TEXT_ALIGN_LEFT, r == p->sel ? " ▶" : "");
    for (int i = 0; i < LAY_COUNT && x < cols; i++) {
        int cw = i == LAY_NOTE ? cols - x - 1 : width[i];
        bool span = i == LAY_WHAT && !why && width[LAY_WHY] > 0;
        if (cw <= 0)
            continue;
        if (span)
            cw += APPR_GAP + width[LAY_WHY];
        if (cw > cols - x)
            cw = cols - x;
        approvals_cell(p->rows, r, appr_layout[i].col, cell, sizeof(cell));
        tui_print(w, y, x, cw, slot, TEXT_ALIGN_LEFT, cell);
        x += cw + APPR_GAP;
        if (span)
            i = LAY_WHY; /* its room is used */
    }
}

static void approvals_draw(struct screen *s, WINDOW *w)
{
    struct approvals *p = s->state;
    int rows, cols, width[LAY_COUNT];

    getmaxyx(w, rows, cols);
    p->page = rows;
    if (p->rows == NULL) {
        tui_print(w, 0, 3, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    if (appr_count(p) == 0) {
        tui_print(w, 0, 3, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT, "Nothing waits for your approval.");
        return;
    }
    if (p->sel < p->top)
        p->top = p->sel;
    if (p->sel >= p->top + rows)
        p->top = p->sel - rows + 1;
    approvals_widths(p, cols - 4, width);
    for (int y = 0; y < rows && p->top + y < appr_count(p); y++)
        approvals_draw_row(p, w, y, cols, p->top + y, width);
}

static void approvals_notify(struct screen *s, const char *channel, const char *payload)
{
    if (strcmp(channel, "kontor_return") == 0)
        approvals_load(s);
}

static void approvals_close(struct screen *s)
{
    struct approvals *p = s->state;

    PQclear(p->rows);
}

const struct screen_ops screen_approvals = {
    .name = "approvals",
    .title = "Approvals",
    .help = "refunds and late returns waiting for a manager's decision",
    .args = "",
    .perm = PERM_APPROVALS,
    .in_palette = true,
    .state_size = sizeof(struct approvals),
    .keys = approvals_keys,
    .nkeys = sizeof(approvals_keys) / sizeof(approvals_keys[0]),
    .open = approvals_open,
    .draw = approvals_draw,
    .key = approvals_key,
    .result = approvals_result,
    .notify = approvals_notify,
    .resume = approvals_load,
    .close = approvals_close,
};

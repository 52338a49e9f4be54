/* The home screen: today's figures per channel beside the same weekday a
 * week before, and the signed-in role's open work; Enter on a work line
 * opens its list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/home.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { HOME_Q_LOAD = 1 };

struct home {
    struct db_stmt stmts[2];
    char location[32];
    const char *params[1];
    bool loaded;
    bool figures_shown;
    struct home_figures fig;
    char origin[160]; /* "from the replica", ...; "" without a replica */
    struct home_work work[HOME_MAX_WORK];
    int nwork;
    int sel;
};

static const struct screen_key home_keys[] = {
    { .key = '\n', .name = "Enter", .help = "open the selected list", .perm = PERM_HOME,
      .hint = true },
    { .key = 'r', .name = "r", .help = "reload the figures", .perm = PERM_HOME },
};

static void home_load(struct screen *s)
{
    struct home *h = s->state;
    const struct auth_identity *id = tui_identity(s->tui);
    size_t n = 0;

    snprintf(h->location, sizeof(h->location), "%lld", id->home_location_id);
    if (id->home_location_id == 0)
        h->location[0] = '\0';
    h->params[0] = h->location;
    h->figures_shown = home_role_sees_figures(id->session.role);
    if (h->figures_shown)
        h->stmts[n++] = home_figures_stmt();
    h->stmts[n++] = home_work_stmt(id->session.role, h->params);
    /* The figures are a report: a read replica may serve them (with the
     * open work, in the same round trip). */
    if (h->figures_shown)
        tui_report_query(s, HOME_Q_LOAD, h->stmts, n);
    else
        tui_query(s, HOME_Q_LOAD, h->stmts, n);
}

static bool home_open(struct screen *s, const char *args, char **err)
{
    snprintf(s->title, sizeof(s->title), "Home");
    home_load(s);
    return true;
}

static void home_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                        const struct db_error *err)
{
    struct home *h = s->state;

    if (err != NULL) {
        tui_db_error(s->tui, err);
        return;
    }
    size_t i = 0;
    const char *origin = tui_report_origin(s->tui);
    snprintf(h->origin, sizeof(h->origin), "%s", origin ? origin : "");
    if (h->figures_shown)
        home_figures_read(stmts[i++].res, &h->fig);
    h->nwork = home_work_read(stmts[i].res, h->work, HOME_MAX_WORK);
    if (h->sel >= h->nwork)
        h->sel = 0;
    h->loaded = true;
    tui_dirty(s->tui);
}

/* "+6.2%", "-3.1%", "new" or "—": integer arithmetic, no floats. */
static void home_delta(long long now, long long before, char *buf, size_t len)
{
    if (before == 0) {
        snprintf(buf, len, "%s", now > 0 ? "new" : "—");
        return;
    }
    long long permille = (now - before) * 1000 / before;
    long long a = permille < 0 ? -permille : permille;
    snprintf(buf, len, "%c%lld.%lld%%", permille < 0 ? '-' : '+', a / 10, a % 10);
}

static void home_rate(long long part, long long whole, char *buf, size_t len)
{
    if (whole == 0) {
        snprintf(buf, len, "—");
        return;
    }
    long long permille = part * 1000 / whole;
    snprintf(buf, len, "%lld.%lld%%", permille / 10, permille % 10);
}

static void home_count(long long n, char *buf, size_t len)
{
    char *m = text_money(n * 100, true);
    /* Grouped like money, without the cents. */
    snprintf(buf, len, "%.*s", (int)(strlen(m) - 3), m);
    free(m);
}

static void home_draw_channel(WINDOW *w, int y, const struct home_channel *c, bool total)
{
    char orders[48], delta[48], returns[48], rate[48], cc[48];
    char *revenue = text_money(c->revenue_cents, true);
    enum theme_slot slot = total ? THEME_HEADER : THEME_BODY;

    home_count(c->orders, orders, sizeof(orders));
    home_delta(c->revenue_cents, c->revenue_lw_cents, delta, sizeof(delta));
    home_count(c->returns, returns, sizeof(returns));
    home_rate(c->returns, c->orders, rate, sizeof(rate));
    if (c->cc_waiting > 0)
        home_count(c->cc_waiting, cc, sizeof(cc));
    else
        snprintf(cc, sizeof(cc), "—");
    tui_print(w, y, 1, 13, slot, TEXT_ALIGN_LEFT, c->name);
    tui_print(w, y, 14, 8, slot, TEXT_ALIGN_RIGHT, orders);
    tui_print(w, y, 23, 13, slot, TEXT_ALIGN_RIGHT, revenue);
    tui_print(w, y, 37, 8, slot, TEXT_ALIGN_RIGHT, delta);
    tui_print(w, y, 46, 8, slot, TEXT_ALIGN_RIGHT, returns);
    tui_print(w, y, 55, 12, slot, TEXT_ALIGN_RIGHT, rate);
    tui_print(w, y, 68, 11, slot, TEXT_ALIGN_RIGHT, cc);
    free(revenue);
}

static int home_draw_figures(struct home *h, WINDOW *w, int y)
{
    char head[96];

    snprintf(head, sizeof(head), "Today, %s", h->fig.day);
    tui_print(w, y, 1, 36, THEME_HEADER, TEXT_ALIGN_LEFT, head);
    snprintf(head, sizeof(head), "Δ vs %s, same time", h->fig.compare);
    tui_print(w, y, 37, 30, THEME_DIM, TEXT_ALIGN_LEFT, head);
    y++;
    static const struct {
        int x, w;
        const char *t;
        enum text_align a;
    } cols[] = {
        { 1, 13, "Channel", TEXT_ALIGN_LEFT },  { 14, 8, "Orders", TEXT_ALIGN_RIGHT },
        { 23, 13, "Revenue €", TEXT_ALIGN_RIGHT }, { 37, 8, "Δ", TEXT_ALIGN_RIGHT },
        { 46, 8, "Returns", TEXT_ALIGN_RIGHT }, { 55, 12, "Return rate", TEXT_ALIGN_RIGHT },
        { 68, 11, "C&C waiting", TEXT_ALIGN_RIGHT },
    };
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        tui_print(w, y, cols[i].x, cols[i].w, THEME_HEADER, cols[i].a, cols[i].t);
    y++;
    for (int i = 0; i < h->fig.n; i++)
        home_draw_channel(w, y++, &h->fig.ch[i], false);
    home_draw_channel(w, y++, &h->fig.all, true);
    if (h->origin[0] != '\0')
        tui_print(w, y, 1, 78, THEME_DIM, TEXT_ALIGN_RIGHT, h->origin);
    return y + 1;
}

static void home_draw(struct screen *s, WINDOW *w)
{
    struct home *h = s->state;
    int rows, cols, y = 1;

    getmaxyx(w, rows, cols);
    if (!h->loaded) {
        tui_print(w, 1, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading today's figures…");
        return;
    }
    if (h->figures_shown)
        y = home_draw_figures(h, w, y);
    tui_print(w, y++, 1, cols - 2, THEME_HEADER, TEXT_ALIGN_LEFT, "Waiting for you");
    for (int i = 0; i < h->nwork && y < rows; i++, y++) {
        char line[192], cmd[80];
        snprintf(line, sizeof(line), "%s %lld %s", i == h->sel ? "▶" : " ", h->work[i].count,
                 h->work[i].text);
        snprintf(cmd, sizeof(cmd), ":%s", h->work[i].command);
        enum theme_slot slot = i == h->sel ? THEME_SELECTED : THEME_BODY;
        tui_print(w, y, 1, cols - 24, slot, TEXT_ALIGN_LEFT, line);
        tui_print(w, y, cols - 23, 22, i == h->sel ? THEME_SELECTED : THEME_DIM,
                  TEXT_ALIGN_RIGHT, cmd);
    }
}

static void home_open_work(struct screen *s, const struct home_work *work)
{
    char name[64];
    size_t wlen = strcspn(work->command, " ");
    const char *args = work->command + wlen;

    snprintf(name, sizeof(name), "%.*s", (int)wlen, work->command);
    while (*args == ' ')
        args++;
    if (!tui_allowed(s->tui, PERM_HOME))
        return;
    tui_open(s->tui, name, args);
}

static bool home_key(struct screen *s, int key, enum action a)
{
    struct home *h = s->state;

    if (a == ACTION_MOVE_DOWN && h->sel < h->nwork - 1) {
        h->sel++;
        return true;
    }
    if (a == ACTION_MOVE_UP && h->sel > 0) {
        h->sel--;
        return true;
    }
    if (a == ACTION_OPEN && h->nwork > 0) {
        home_open_work(s, &h->work[h->sel]);
        return true;
    }
    if (key == 'r' || a == ACTION_REFRESH) {
        home_load(s);
        return a != ACTION_REFRESH;
    }
    if (a == ACTION_BACK)
        return true; /* home is the bottom of the stack */
    return false;
}

static void home_notify(struct screen *s, const char *channel, const char *payload)
{
    home_load(s);
}

const struct screen_ops screen_home = {
    .name = "home",
    .title = "Home",
    .help = "today's figures and your open work",
    .args = "",
    .perm = PERM_HOME,
    .in_palette = true,
    .state_size = sizeof(struct home),
    .keys = home_keys,
    .nkeys = sizeof(home_keys) / sizeof(home_keys[0]),
    .open = home_open,
    .draw = home_draw,
    .key = home_key,
    .result = home_result,
    .notify = home_notify,
    .resume = home_load,
};

/* The manager's daily channel report (:report [DATE]): per channel the
 * day's orders, revenue, average order, returns, return rate, click &
 * collect share and new customers beside the same weekday a week before,
 * with a bar chart of revenue; Enter drills into a channel (by hour, by
 * location, top sources), [ and ] move the day, x writes what is shown as
 * CSV (made by PostgreSQL) to a file only its owner can read. Reports run on
 * the read replica when one is configured. */
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/report.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { REPORT_Q_LOAD = 1, REPORT_Q_EXPORT };

enum report_view { REPORT_VIEW_CHANNELS, REPORT_VIEW_CHANNEL };

#define REPORT_PRIO_MAX 4
#define REPORT_CHART_VALUE 9 /* "1,120,000" */

/* Which columns give way first on a narrow terminal (higher: sooner). */
static const signed char report_daily_prio[REPORT_COL_COUNT] = {
    [REPORT_COL_AVG] = 1, [REPORT_COL_RETURNS] = 1, [REPORT_COL_RATE] = 1, [REPORT_COL_CC] = 1,
    [REPORT_COL_NEW] = 1, [REPORT_COL_REVENUE_WB] = 2, [REPORT_COL_ORDERS_WB] = 3,
    [REPORT_COL_RETURNS_WB] = 3, [REPORT_COL_NEW_WB] = 3, [REPORT_COL_AVG_WB] = 4,
    [REPORT_COL_RATE_WB] = 4, [REPORT_COL_CC_WB] = 4,
};
static const signed char report_detail_prio[REPORT_COL_COUNT] = {
    [REPORT_COL_REVENUE_WB] = 1, [REPORT_COL_RETURNS] = 1, [REPORT_COL_RETURNS_WB] = 2,
    [REPORT_COL_CC] = 3,
};

/* The columns shown at the last draw and where. */
struct report_layout {
    size_t n;
    enum report_col col[REPORT_COL_COUNT];
    int x[REPORT_COL_COUNT], w[REPORT_COL_COUNT];
};

struct report_screen {
    struct report_day day; /* asked for; absolute once the database named it */
    enum report_view view;
    char channel[16];      /* the channel drilled into (its code, "all") */
    struct db_stmt stmts[2];
    struct report_query q, dq, xq;
    struct report rep, det;
    bool loaded, det_loaded;
    char origin[160];      /* "from the replica", ...; "" without a replica */
    int sel;               /* the selected channel */
    int top, page;         /* the drill-down's first line shown, lines shown */
    /* export: the file, the overwrite answer, the CSV while "replace?" is asked */
    char path[1024];
    bool overwrite;
    char *csv;
};

static const struct screen_key report_keys[] = {
    { .key = '\n', .name = "Enter", .help = "open channel", .perm = PERM_REPORTS, .hint = true },
    { .key = '[', .name = "[ ]", .help = "day before/after", .perm = PERM_REPORTS, .hint = true },
    { .key = 'd', .name = "d", .help = "date", .perm = PERM_REPORTS, .hint = true },
    { .key = 'x', .name = "x", .help = "export CSV", .perm = PERM_REPORTS, .hint = true },
    { .key = 'r', .name = "r", .help = "reload", .perm = PERM_REPORTS },
    { .key = 'j', .name = "j/k", .help = "choose a channel; in a channel: scroll",
      .perm = PERM_REPORTS },
    { .key = 27, .name = "q/Esc", .help = "from a channel back to all channels",
      .perm = PERM_REPORTS },
};

/* "Tue 10 Mar 2020" for an ISO day of the report ("" when there is none). */
static void report_label_of(const char *iso, char *buf, size_t len)
{
    struct report_day d;

    buf[0] = '\0';
    if (report_day_from_iso(iso, &d))
        report_day_label(&d, buf, len);
}

/* The name of the channel drilled into ("Web"; its code until loaded). */
static const char *report_channel_name(const struct report_screen *rs)
{
    for (int i = 0; i < rs->rep.n; i++)
        if (strcmp(rs->rep.rows[i].code, rs->channel) == 0)
            return rs->rep.rows[i].label;
    return rs->channel;
}

/* "Report · Sun 22 Nov": short, for the title bar of an 80-column
 * terminal; the heading in the body names the day in full. */
static void report_title(struct screen *s, struct report_screen *rs)
{
    char day[32];

    if (rs->loaded)
        report_label_of(rs->rep.day, day, sizeof(day));
    else
        report_day_label(&rs->day, day, sizeof(day));
    if (rs->loaded && strlen(day) > 10)
        day[10] = '\0'; /* without the year */
    if (rs->view == REPORT_VIEW_CHANNEL)
        tui_set_title(s, "Report · %s · %s", report_channel_name(rs), day);
    else
        tui_set_title(s, "Report · %s", day);
}

static void report_load(struct screen *s)
{
    struct report_screen *rs = s->state;
    size_t n = 0;

    rs->stmts[n++] = *report_daily_stmt(&rs->q, &rs->day, EXPORT_TEXT);
    if (rs->view == REPORT_VIEW_CHANNEL)
        rs->stmts[n++] = *report_detail_stmt(&rs->dq, &rs->day, rs->channel, EXPORT_TEXT);
    report_title(s, rs);
    tui_report_query(s, REPORT_Q_LOAD, rs->stmts, n);
}

static bool report_open(struct screen *s, const char *args, char **err)
{
    struct report_screen *rs = s->state;

    if (!report_day_parse(args, &rs->day, err))
        return false;
    report_load(s);
    return true;
}

static void report_close(struct screen *s)
{
    struct report_screen *rs = s->state;

    free(rs->csv);
    rs->csv = NULL;
}

/* ---- export ---------------------------------------------------------------- */

static void report_export_write(struct screen *s, struct report_screen *rs);

static void report_export_replace(struct screen *s, bool yes, void *arg)
{
    struct report_screen *rs = s->state;

    if (!yes) {
        free(rs->csv);
        rs->csv = NULL;
        tui_message(s->tui, TUI_MSG_INFO, "Nothing was written.");
        return;
    }
    rs->overwrite = true;
    report_export_write(s, rs);
}

static void report_export_write(struct screen *s, struct report_screen *rs)
{
    char *err = NULL;
    enum export_write_result r = export_file_write(rs->path, rs->csv, rs->overwrite, &err);

    if (r == EXPORT_WRITE_EXISTS) {
        char *q = xasprintf("%s exists now. Replace it with the report?", rs->path);
        tui_confirm(s, "Replace the file?", q, report_export_replace, NULL);
        free(q);
        return;
    }
    if (r == EXPORT_WRITE_OK)
        tui_message(s->tui, TUI_MSG_OK, "Report written to %s (readable by you alone).",
                    rs->path);
    else
        tui_message(s->tui, TUI_MSG_ERROR, "Not exported: %s.", err);
    free(err);
    free(rs->csv);
    rs->csv = NULL;
}

/* The CSV of what is shown: the channels, or the channel drilled into. */
static void report_export_fetch(struct screen *s, struct report_screen *rs)
{
    struct report_day day;

    if (!report_day_from_iso(rs->rep.day, &day))
        return;
    if (rs->view == REPORT_VIEW_CHANNEL)
        report_detail_stmt(&rs->xq, &day, rs->channel, EXPORT_CSV);
    else
        report_daily_stmt(&rs->xq, &day, EXPORT_CSV);
    tui_report_query(s, REPORT_Q_EXPORT, &rs->xq.st, 1);
}

static void report_export_replace_asked(struct screen *s, bool yes, void *arg)
{
    struct report_screen *rs = s->state;

    if (!yes) {
        tui_message(s->tui, TUI_MSG_INFO, "Nothing was exported.");
        return;
    }
    rs->overwrite = true;
    report_export_fetch(s, rs);
}

static void report_export_to(struct screen *s, struct report_screen *rs, const char *path)
{
    snprintf(rs->path, sizeof(rs->path), "%s", path);
    rs->overwrite = false;
    if (export_file_exists(rs->path)) {
        char *q = xasprintf("%s exists. Replace it with the report?", rs->path);
        tui_confirm(s, "Replace the file?", q, report_export_replace_asked, NULL);
        free(q);
        return;
    }
    report_export_fetch(s, rs);
}

static void report_export_named(struct screen *s, const char *text, void *arg)
{
    char path[1024];

    if (text == NULL)
        return;
    text_copy_trim(path, sizeof(path), text);
    report_export_to(s, s->state, path);
}

/* ~/kontor-report-2020-03-10.csv, or ...-2020-03-10-web.csv in a channel. */
static void report_export_default(const struct report_screen *rs, char *buf, size_t len)
{
    if (rs->view == REPORT_VIEW_CHANNEL)
        snprintf(buf, len, "~/kontor-report-%s-%s.csv", rs->rep.day, rs->channel);
    else
        snprintf(buf, len, "~/kontor-report-%s.csv", rs->rep.day);
}

static void report_export_default_asked(struct screen *s, bool yes, void *arg)
{
    struct report_screen *rs = s->state;
    char path[1024];

    if (yes) {
        report_export_default(rs, path, sizeof(path));
        report_export_to(s, rs, path);
        return;
    }
    tui_prompt(s, "Export as CSV",
               "File name (written readable by you alone; ~/ is your home directory):",
               report_export_named, NULL);
}

static void report_export(struct screen *s, struct report_screen *rs)
{
    char path[1024], day[32];

    if (!rs->loaded || rs->csv != NULL)
        return;
    report_export_default(rs, path, sizeof(path));
    report_label_of(rs->rep.day, day, sizeof(day));
    char *q = xasprintf("Write the report of %s%s%s as CSV to %s (readable by you alone)? "
                        "n: choose another file name.",
                        day, rs->view == REPORT_VIEW_CHANNEL ? ", channel " : "",
                        rs->view == REPORT_VIEW_CHANNEL ? rs->channel : "", path);
    tui_confirm(s, "Export as CSV", q, report_export_default_asked, NULL);
    free(q);
}

/* ---- results ---------------------------------------------------------------- */

static void report_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                          const struct db_error *err)
{
    struct report_screen *rs = s->state;

    if (err != NULL) {
        tui_db_error(s->tui, err);
        return;
    }
    if (tag == REPORT_Q_EXPORT) {
        rs->csv = xstrdup(db_value(stmts[0].res, 0, 0));
        report_export_write(s, rs);
        return;
    }
    const char *origin = tui_report_origin(s->tui);
    snprintf(rs->origin, sizeof(rs->origin), "%s", origin ? origin : "");
    rs->loaded = report_daily_read(stmts[0].res, &rs->rep);
    /* "yesterday" becomes the day it was, so [ and ] move from there. */
    if (rs->day.relative)
        report_day_from_iso(rs->rep.day, &rs->day);
    if (rs->sel >= rs->rep.n)
        rs->sel = rs->rep.n > 0 ? rs->rep.n - 1 : 0;
    if (n > 1) {
        rs->det_loaded = report_detail_read(stmts[1].res, &rs->det);
        if (!rs->det_loaded)
            rs->view = REPORT_VIEW_CHANNELS;
        report_drop_quiet_hours(&rs->det);
    }
    report_title(s, rs);
    tui_dirty(s->tui);
}

/* ---- drawing ----------------------------------------------------------------- */

/* Fits the columns of the highest priority level that fits width; the label
 * takes what is left, between label_min and label_max. */
static void report_layout(struct report_layout *l, const enum report_col *cols, size_t ncols,
                          const signed char *prio, int width, int label_min, int label_max)
{
    int level = 0, used = 0;

    for (int p = 0; p <= REPORT_PRIO_MAX; p++) {
        int need = -1;
        for (size_t i = 0; i < ncols; i++)
            if (prio[cols[i]] <= p)
                need += 1 + (cols[i] == REPORT_COL_LABEL ? label_min
                                                         : report_column(cols[i])->width);
        if (need > width && p > 0)
            break;
        level = p;
        used = need;
    }
    int label = label_min + (width - used);
    label = label > label_max ? label_max : label < label_min ? label_min : label;
    l->n = 0;
    for (size_t i = 0, x = 1; i < ncols; i++) {
        if (prio[cols[i]] > level)
            continue;
        l->col[l->n] = cols[i];
        l->w[l->n] = cols[i] == REPORT_COL_LABEL ? label : report_column(cols[i])->width;
        l->x[l->n] = (int)x;
        x += (size_t)l->w[l->n] + 1;
        l->n++;
    }
}

static void report_draw_header(WINDOW *w, int y, const struct report_layout *l, const char *label)
{
    for (size_t i = 0; i < l->n; i++)
        tui_print(w, y, l->x[i], l->w[i], THEME_HEADER, report_column(l->col[i])->align,
                  l->col[i] == REPORT_COL_LABEL ? label : report_column(l->col[i])->title);
}

static void report_draw_row(WINDOW *w, int y, const struct report_layout *l,
                            const struct report_row *r, enum theme_slot slot)
{
    char cell[200];

    for (size_t i = 0; i < l->n; i++) {
        report_cell(r, l->col[i], cell, sizeof(cell));
        tui_print(w, y, l->x[i], l->w[i], slot, report_column(l->col[i])->align, cell);
    }
}

static void report_draw_heading(WINDOW *w, int y, int cols, const struct report *r,
                                const char *what)
{
    char day[32], compare[32], line[160];

    report_label_of(r->day, day, sizeof(day));
    report_label_of(r->compare, compare, sizeof(compare));
    snprintf(line, sizeof(line), "%s%s%s", what, what[0] ? " · " : "", day);
    tui_print(w, y, 1, text_width(line), THEME_HEADER, TEXT_ALIGN_LEFT, line);
    snprintf(line, sizeof(line), " · Δ and -7d: %s", compare);
    int x = 1 + text_width(what) + (what[0] ? 3 : 0) + text_width(day);
    tui_print(w, y, x, cols - x - 1, THEME_DIM, TEXT_ALIGN_LEFT, line);
}

/* Block characters where the terminal shows them (a UTF-8 locale on a
 * colour terminal without NO_COLOR), else '#' and '=' — as plain as the
 * terminals that have no colour tend to be. */
static bool report_blocks(void)
{
    const char *no_color = getenv("NO_COLOR");

    return has_colors() && (no_color == NULL || no_color[0] == '\0')
           && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* A bar of value against max in width columns, to eighths of a column
 * with block characters; anything above zero shows. */
static void report_bar(char *buf, size_t len, long long value, long long max, int width,
                       bool blocks, char ascii)
{
    static const char *const eighth[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
    long long e = max > 0 && value > 0 ? value * width * 8 / max : 0;
    size_t used = 0;

    if (value > 0 && e == 0)
        e = 1;
    buf[0] = '\0';
    if (!blocks) {
        long long cells = (e + 4) / 8 > 0 ? (e + 4) / 8 : (value > 0);
        for (long long i = 0; i < cells && used + 1 < len; i++)
            buf[used++] = ascii;
        buf[used] = '\0';
        return;
    }
    for (long long i = 0; i < e / 8 && used + 4 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "█");
    snprintf(buf + used, len - used, "%s", eighth[e % 8]);
}

/* Revenue per channel, the day on the left, the week before on the right,
 * on one scale. Returns the next free line. */
static int report_draw_chart(struct report_screen *rs, WINDOW *w, int y, int rows, int cols)
{
    int bar = (cols - 37) / 2, x1 = 14, x2 = x1 + bar + REPORT_CHART_VALUE + 3;
    long long max = 0;
    bool blocks = report_blocks();
    char day[32], compare[32], text[512];

    if (bar < 4 || y + 2 >= rows)
        return y;
    for (int i = 0; i < rs->rep.n; i++)
        for (int k = 0; k < 2; k++)
            if (strcmp(rs->rep.rows[i].code, "all") != 0 && rs->rep.rows[i].revenue_cents[k] > max)
                max = rs->rep.rows[i].revenue_cents[k];
    report_label_of(rs->rep.day, day, sizeof(day));
    report_label_of(rs->rep.compare, compare, sizeof(compare));
    tui_print(w, y, 1, 12, THEME_HEADER, TEXT_ALIGN_LEFT, "Revenue €");
    tui_print(w, y, x1, bar + REPORT_CHART_VALUE + 1, THEME_HEADER, TEXT_ALIGN_LEFT, day);
    tui_print(w, y, x2, bar + REPORT_CHART_VALUE + 1, THEME_DIM, TEXT_ALIGN_LEFT, compare);
    y++;
    for (int i = 0; i < rs->rep.n && y < rows; i++) {
        const struct report_row *r = &rs->rep.rows[i];
        if (strcmp(r->code, "all") == 0)
            continue;
        tui_print(w, y, 1, 12, THEME_BODY, TEXT_ALIGN_LEFT, r->label);
        for (int k = 0; k < 2; k++) {
            int x = k == 0 ? x1 : x2;
            report_bar(text, sizeof(text), r->revenue_cents[k], max, bar, blocks, k ? '=' : '#');
            tui_print(w, y, x, bar, k ? THEME_DIM : THEME_CHART, TEXT_ALIGN_LEFT, text);
            report_euros(r->revenue_cents[k], text, sizeof(text));
            tui_print(w, y, x + bar + 1, REPORT_CHART_VALUE, k ? THEME_DIM : THEME_BODY,
                      TEXT_ALIGN_RIGHT, text);
        }
        y++;
    }
    return y;
}

static void report_draw_channels(struct report_screen *rs, WINDOW *w, int rows, int cols)
{
    struct report_layout l;
    int y = 0;

    report_layout(&l, report_daily_cols, report_daily_ncols, report_daily_prio, cols - 2, 12, 16);
    report_draw_heading(w, y++, cols, &rs->rep, "");
    report_draw_header(w, y++, &l, "Channel");
    for (int i = 0; i < rs->rep.n && y < rows; i++, y++) {
        bool total = strcmp(rs->rep.rows[i].code, "all") == 0;
        tui_print(w, y, 0, 1, THEME_SELECTED, TEXT_ALIGN_LEFT, i == rs->sel ? "▶" : " ");
        report_draw_row(w, y, &l, &rs->rep.rows[i], total ? THEME_HEADER : THEME_BODY);
    }
    if (rs->origin[0] != '\0' && y < rows)
        tui_print(w, y, 1, cols - 2, THEME_DIM, TEXT_ALIGN_RIGHT, rs->origin);
    report_draw_chart(rs, w, y + 1, rows, cols);
}

/* The drill-down as lines: a part's heading, its rows, a blank line. The
 * line's row index, or -1 for a heading (*part set) or blank. */
static int report_detail_line(const struct report *d, int line, const char **part)
{
    int n = 0;

    *part = NULL;
    for (int i = 0; i < d->n; i++) {
        if (i == 0 || strcmp(d->rows[i].part, d->rows[i - 1].part) != 0) {
            if (i > 0 && n++ == line)
                return -1;
            if (n++ == line) {
                *part = d->rows[i].part;
                return -1;
            }
        }
        if (n++ == line)
            return i;
    }
    return -2; /* past the end */
}

static int report_detail_lines(const struct report *d)
{
    const char *part;
    int n = 0;

    while (report_detail_line(d, n, &part) != -2)
        n++;
    return n;
}

static void report_draw_channel(struct report_screen *rs, WINDOW *w, int rows, int cols)
{
    struct report_layout l;
    const char *part;

    report_layout(&l, report_detail_cols, report_detail_ncols, report_detail_prio, cols - 2, 14,
                  48);
    report_draw_heading(w, 0, cols, &rs->det, report_channel_name(rs));
    if (!rs->det_loaded) {
        tui_print(w, 2, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading the channel…");
        return;
    }
    if (rs->det.n == 0)
        tui_print(w, 2, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT,
                  "No orders and no returns on either day.");
    rs->page = rows - 1;
    for (int y = 1; y < rows; y++) {
        int r = report_detail_line(&rs->det, rs->top + y - 1, &part);
        if (r >= 0)
            report_draw_row(w, y, &l, &rs->det.rows[r], THEME_BODY);
        else if (part != NULL)
            report_draw_header(w, y, &l, report_part_title(part));
        else if (r == -2)
            break;
    }
}

static void report_draw(struct screen *s, WINDOW *w)
{
    struct report_screen *rs = s->state;
    int rows, cols;

    getmaxyx(w, rows, cols);
    if (!rs->loaded) {
        tui_print(w, 1, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading the report…");
        return;
    }
    if (rs->view == REPORT_VIEW_CHANNEL)
        report_draw_channel(rs, w, rows, cols);
    else
        report_draw_channels(rs, w, rows, cols);
}

/* ---- keys --------------------------------------------------------------------- */

static void report_day_asked(struct screen *s, const char *text, void *arg)
{
    struct report_screen *rs = s->state;
    struct report_day day;
    char *err = NULL;

    if (text == NULL)
        return;
    if (!report_day_parse(text, &day, &err)) {
        tui_message(s->tui, TUI_MSG_ERROR, "%s.", err);
        free(err);
        return;
    }
    rs->day = day;
    report_load(s);
}

static void report_drill(struct screen *s, struct report_screen *rs)
{
    if (rs->sel >= rs->rep.n)
        return;
    snprintf(rs->channel, sizeof(rs->channel), "%s", rs->rep.rows[rs->sel].code);
    rs->view = REPORT_VIEW_CHANNEL;
    rs->det_loaded = false;
    rs->top = 0;
    report_load(s);
}

/* Scrolls the drill-down; true when the action was a move. */
static bool report_scroll(struct report_screen *rs, enum action a)
{
    int last = report_detail_lines(&rs->det) - rs->page;
    int page = rs->page > 1 ? rs->page - 1 : 1;

    if (a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP)
        rs->top += a == ACTION_MOVE_DOWN ? 1 : -1;
    else if (a == ACTION_PAGE_DOWN || a == ACTION_PAGE_UP)
        rs->top += a == ACTION_PAGE_DOWN ? page : -page;
    else if (a == ACTION_FIRST || a == ACTION_LAST)
        rs->top = a == ACTION_FIRST ? 0 : last;
    else
        return false;
    rs->top = rs->top > last ? last : rs->top;
    rs->top = rs->top < 0 ? 0 : rs->top;
    return true;
}

static bool report_move(struct report_screen *rs, enum action a)
{
    if (rs->view == REPORT_VIEW_CHANNEL)
        return report_scroll(rs, a);
    if (a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP)
        rs->sel += a == ACTION_MOVE_DOWN ? 1 : -1;
    else if (a == ACTION_FIRST || a == ACTION_LAST)
        rs->sel = a == ACTION_FIRST ? 0 : rs->rep.n - 1;
    else
        return false;
    rs->sel = rs->sel >= rs->rep.n ? rs->rep.n - 1 : rs->sel;
    rs->sel = rs->sel < 0 ? 0 : rs->sel;
    return true;
}

static bool report_key(struct screen *s, int key, enum action a)
{
    struct report_screen *rs = s->state;

    if (report_move(rs, a))
        return true;
    if (key == '[' || key == ']') {
        report_day_shift(&rs->day, key == '[' ? -1 : 1);
        report_load(s);
        return true;
    }
    if (key == 'd') {
        tui_prompt(s, "Go to a day", "Day: yesterday, today, YYYY-MM-DD, DD.MM.YYYY or -N "
                   "(N days back):", report_day_asked, NULL);
        return true;
    }
    if (key == 'x') {
        report_export(s, rs);
        return true;
    }
    if (key == 'r' || a == ACTION_REFRESH) {
        report_load(s);
        return a != ACTION_REFRESH;
    }
    if (a == ACTION_OPEN && rs->view == REPORT_VIEW_CHANNELS && rs->loaded) {
        report_drill(s, rs);
        return true;
    }
    if (a == ACTION_BACK && rs->view == REPORT_VIEW_CHANNEL) {
        rs->view = REPORT_VIEW_CHANNELS;
        report_title(s, rs);
        return true;
    }
    return false;
}

const struct screen_ops screen_report = {
    .name = "report",
    .title = "Daily channel report",
    .help = "the daily channel report: yesterday, or a day",
    .args = "[yesterday|today|YYYY-MM-DD|DD.MM.YYYY|-N]",
    .perm = PERM_REPORTS,
    .in_palette = true,
    .state_size = sizeof(struct report_screen),
    .keys = report_keys,
    .nkeys = sizeof(report_keys) / sizeof(report_keys[0]),
    .open = report_open,
    .draw = report_draw,
    .key = report_key,
    .result = report_result,
    .close = report_close,
};

/* The daily channel report: days as people type them, the statements of
 * the SQL functions of migration 0013 (rows, or CSV and JSON made by
 * PostgreSQL), reading their rows and formatting their cells. Calendar
 * arithmetic is done here on civil dates (no time zone is involved: the
 * database turns a business day into times). */
#include "kontor/report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kontor/xalloc.h"

#define REPORT_MAX_DAYS_BACK 3660

/* ---- calendar ------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), and back. */
static long report_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void report_civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool report_date_valid(int y, int m, int d)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Exactly n digits at s (no sign, no blanks); -1 otherwise. */
static int report_digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The numbers of "YYYY-MM-DD" or "DD.MM.YYYY" (shape only, not the
 * calendar). */
static bool report_date_numbers(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) != 10)
        return false;
    if (s[4] == '-' && s[7] == '-') {
        *y = report_digits(s, 4), *m = report_digits(s + 5, 2), *d = report_digits(s + 8, 2);
    } else if (s[2] == '.' && s[5] == '.') {
        *y = report_digits(s + 6, 4), *m = report_digits(s + 3, 2), *d = report_digits(s, 2);
    } else {
        return false;
    }
    return *y >= 0 && *m >= 0 && *d >= 0;
}

static void report_day_relative(struct report_day *d, int days_back)
{
    memset(d, 0, sizeof(*d));
    d->relative = true;
    d->days_back = days_back;
}

static void report_day_absolute(struct report_day *d, int y, int m, int dd)
{
    memset(d, 0, sizeof(*d));
    d->year = y;
    d->month = m;
    d->day = dd;
}

bool report_day_from_iso(const char *iso, struct report_day *d)
{
    int y, m, dd;

    if (iso == NULL || !report_date_numbers(iso, &y, &m, &dd) || iso[4] != '-'
        || !report_date_valid(y, m, dd))
        return false;
    report_day_absolute(d, y, m, dd);
    return true;
}

/* "-N", "-Nd", "-N day", "-N days" (blanks allowed before the unit). */
static bool report_day_from_back(const char *s, struct report_day *d, char **err)
{
    char *end;
    long n;

    if (s[0] != '-' || !isdigit((unsigned char)s[1]))
        return false;
    n = strtol(s + 1, &end, 10);
    while (*end == ' ')
        end++;
    if (*end != '\0' && strcasecmp(end, "d") != 0 && strcasecmp(end, "day") != 0
        && strcasecmp(end, "days") != 0)
        return false;
    if (n > REPORT_MAX_DAYS_BACK) {
        *err = xasprintf("%s goes back too far: at most %d days", s, REPORT_MAX_DAYS_BACK);
        return true;
    }
    report_day_relative(d, (int)n);
    return true;
}

bool report_day_parse(const char *text, struct report_day *d, char **err)
{
    char s[32];

    *err = NULL;
    text_copy_trim(s, sizeof(s), text);
    if (s[0] == '\0' || strcasecmp(s, "yesterday") == 0 || strcasecmp(s, "today") == 0) {
        report_day_relative(d, strcasecmp(s, "today") == 0 ? 0 : 1);
        return true;
    }
    if (report_day_from_back(s, d, err))
        return *err == NULL;
    int y, m, dd;
    char *safe = text_sanitize(s);
    if (!report_date_numbers(s, &y, &m, &dd))
        *err = xasprintf("'%s' is not a day: give yesterday, today, YYYY-MM-DD, DD.MM.YYYY "
                         "or -N (N days back)", safe);
    else if (!report_date_valid(y, m, dd))
        *err = xasprintf("%s is not a day of the calendar (years 1900 to 9999)", safe);
    free(safe);
    if (*err != NULL)
        return false;
    report_day_absolute(d, y, m, dd);
    return true;
}

void report_day_shift(struct report_day *d, int n)
{
    if (d->relative) {
        d->days_back -= n;
        return;
    }
    report_civil_from_days(report_days_from_civil(d->year, d->month, d->day) + n, &d->year,
                           &d->month, &d->day);
}

void report_day_iso(const struct report_day *d, char *buf, size_t len)
{
    if (d->relative)
        snprintf(buf, len, "%s", "");
    else
        snprintf(buf, len, "%04d-%02d-%02d", d->year, d->month, d->day);
}

void report_day_label(const struct report_day *d, char *buf, size_t len)
{
    static const char *const wday[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
    static const char *const month[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

    if (d->relative) {
        if (d->days_back == 0 || d->days_back == 1)
            snprintf(buf, len, "%s", d->days_back == 0 ? "today" : "yesterday");
        else if (d->days_back > 1)
            snprintf(buf, len, "%d days ago", d->days_back);
        else
            snprintf(buf, len, "in %d days", -d->days_back);
        return;
    }
    long days = report_days_from_civil(d->year, d->month, d->day);
    long w = days % 7;
    snprintf(buf, len, "%s %02d %s %04d", wday[w < 0 ? w + 7 : w], d->day, month[d->month - 1],
             d->year);
}

/* ---- statements ---------------------------------------------------------- */

/* $1 the day ('' for relative), $2 days back, $3 the channel. */
#define REPORT_DAILY_SQL "SELECT * FROM kontor.report_daily(nullif($1, '')::date, $2::int)"
#define REPORT_DETAIL_SQL \
    "SELECT * FROM kontor.report_daily_detail(nullif($1, '')::date, $2::int, nullif($3, ''))"
#define REPORT_JSON(q) "SELECT coalesce(json_agg(q), '[]'::json) FROM (" q ") q"
/* The header is the rows' keys (json keeps the columns' order). */
#define REPORT_CSV(q)                                                                     \
    "WITH j AS (SELECT json_agg(q) AS rows FROM (" q ") q) "                              \
    "SELECT coalesce(kontor.csv_from_json(j.rows, VARIADIC ARRAY(SELECT json_object_keys(" \
    "j.rows -> 0))), '') FROM j"

static struct db_stmt *report_stmt(struct report_query *q, const struct report_day *d,
                                   const char *channel, const char *sql)
{
    report_day_iso(d, q->day, sizeof(q->day));
    snprintf(q->back, sizeof(q->back), "%d", d->relative ? d->days_back : 0);
    text_copy(q->channel, sizeof(q->channel), channel);
    q->params[0] = q->day;
    q->params[1] = q->back;
    q->params[2] = q->channel;
    q->st = (struct db_stmt)DB_STMT(sql, channel != NULL ? 3 : 2, q->params);
    return &q->st;
}

struct db_stmt *report_daily_stmt(struct report_query *q, const struct report_day *d,
                                  enum export_format fmt)
{
    static const char *const sql[] = {
        [EXPORT_TEXT] = REPORT_DAILY_SQL,
        [EXPORT_CSV] = REPORT_CSV(REPORT_DAILY_SQL),
        [EXPORT_JSON] = REPORT_JSON(REPORT_DAILY_SQL),
    };
    return report_stmt(q, d, NULL, sql[fmt]);
}

struct db_stmt *report_detail_stmt(struct report_query *q, const struct report_day *d,
                                   const char *channel, enum export_format fmt)
{
    static const char *const sql[] = {
        [EXPORT_TEXT] = REPORT_DETAIL_SQL,
        [EXPORT_CSV] = REPORT_CSV(REPORT_DETAIL_SQL),
        [EXPORT_JSON] = REPORT_JSON(REPORT_DETAIL_SQL),
    };
    return report_stmt(q, d, channel != NULL ? channel : "", sql[fmt]);
}

/* ---- rows ------------------------------------------------------------------ */

/* Where each figure stands in the result of kontor.report_daily and of
 * kontor.report_daily_detail: [0] the day, [1] the week before; -1 where
 * that report has none. Both begin with day, compare_day, channel. */
struct report_map {
    int part, label, change;
    int orders[2], revenue[2], avg[2], returns[2], new_customers[2], rate[2], cc_share[2];
};

static const struct report_map report_daily_map = {
    .part = -1, .label = 3, .change = 8, .orders = { 4, 5 }, .revenue = { 6, 7 },
    .avg = { 9, 10 }, .returns = { 11, 12 }, .rate = { 13, 14 }, .cc_share = { 17, 18 },
    .new_customers = { 19, 20 },
};

static const struct report_map report_detail_map = {
    .part = 3, .label = 4, .change = 9, .orders = { 5, 6 }, .revenue = { 7, 8 },
    .avg = { -1, -1 }, .returns = { 10, 11 }, .rate = { -1, -1 }, .cc_share = { 12, -1 },
    .new_customers = { -1, -1 },
};

/* A number, or missing (no such column, or NULL). */
static long long report_ll(const PGresult *res, int row, int col, long long missing)
{
    return col < 0 || db_is_null(res, row, col) ? missing : db_value_ll(res, row, col);
}

static void report_text(char *dst, size_t len, const PGresult *res, int row, int col)
{
    text_copy(dst, len, col < 0 ? "" : db_value(res, row, col));
}

static bool report_read(const PGresult *res, struct report *r, const struct report_map *m)
{
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < PQntuples(res) && r->n < REPORT_MAX_ROWS; i++) {
        struct report_row *w = &r->rows[r->n++];
        report_text(r->day, sizeof(r->day), res, i, 0);
        report_text(r->compare, sizeof(r->compare), res, i, 1);
        report_text(r->channel, sizeof(r->channel), res, i, 2);
        report_text(w->code, sizeof(w->code), res, i, 2);
        report_text(w->part, sizeof(w->part), res, i, m->part);
        report_text(w->label, sizeof(w->label), res, i, m->label);
        report_text(w->change, sizeof(w->change), res, i, m->change);
        for (int k = 0; k < 2; k++) {
            w->orders[k] = report_ll(res, i, m->orders[k], 0);
            w->revenue_cents[k] = report_ll(res, i, m->revenue[k], 0);
            w->avg_cents[k] = report_ll(res, i, m->avg[k], -1);
            w->returns[k] = report_ll(res, i, m->returns[k], 0);
            w->new_customers[k] = report_ll(res, i, m->new_customers[k], 0);
            report_text(w->rate[k], sizeof(w->rate[k]), res, i, m->rate[k]);
            report_text(w->cc_share[k], sizeof(w->cc_share[k]), res, i, m->cc_share[k]);
        }
        w->has_returns = report_ll(res, i, m->returns[0], -1) >= 0;
    }
    return r->n > 0;
}

bool report_daily_read(const PGresult *res, struct report *r)
{
    return report_read(res, r, &report_daily_map);
}

bool report_detail_read(const PGresult *res, struct report *r)
{
    return report_read(res, r, &report_detail_map);
}

void report_drop_quiet_hours(struct report *r)
{
    int n = 0;

    for (int i = 0; i < r->n; i++) {
        const struct report_row *w = &r->rows[i];
        if (strcmp(w->part, "hour") == 0 && w->orders[0] == 0 && w->orders[1] == 0
            && w->returns[0] == 0 && w->returns[1] == 0)
            continue;
        r->rows[n++] = *w;
    }
    r->n = n;
}

/* ---- cells ---------------------------------------------------------------- */

/* What a column shows: a figure, of the day or of the week before. */
enum report_figure {
    FIG_LABEL, FIG_ORDERS, FIG_REVENUE, FIG_CHANGE, FIG_AVG, FIG_RETURNS, FIG_RATE, FIG_CC,
    FIG_NEW
};

static const struct {
    struct report_column col;
    enum report_figure figure;
    int k; /* 0: the day, 1: the week before */
} report_columns[REPORT_COL_COUNT] = {
    [REPORT_COL_LABEL] = { { "Channel", 12, TEXT_ALIGN_LEFT }, FIG_LABEL, 0 },
    [REPORT_COL_ORDERS] = { { "Orders", 7, TEXT_ALIGN_RIGHT }, FIG_ORDERS, 0 },
    [REPORT_COL_ORDERS_WB] = { { "-7d", 7, TEXT_ALIGN_RIGHT }, FIG_ORDERS, 1 },
    [REPORT_COL_REVENUE] = { { "Revenue €", 12, TEXT_ALIGN_RIGHT }, FIG_REVENUE, 0 },
    [REPORT_COL_REVENUE_WB] = { { "-7d", 12, TEXT_ALIGN_RIGHT }, FIG_REVENUE, 1 },
    [REPORT_COL_CHANGE] = { { "Δ", 7, TEXT_ALIGN_RIGHT }, FIG_CHANGE, 0 },
    [REPORT_COL_AVG] = { { "Avg €", 8, TEXT_ALIGN_RIGHT }, FIG_AVG, 0 },
    [REPORT_COL_AVG_WB] = { { "-7d", 8, TEXT_ALIGN_RIGHT }, FIG_AVG, 1 },
    [REPORT_COL_RETURNS] = { { "Returns", 7, TEXT_ALIGN_RIGHT }, FIG_RETURNS, 0 },
    [REPORT_COL_RETURNS_WB] = { { "-7d", 7, TEXT_ALIGN_RIGHT }, FIG_RETURNS, 1 },
    [REPORT_COL_RATE] = { { "Rate", 6, TEXT_ALIGN_RIGHT }, FIG_RATE, 0 },
    [REPORT_COL_RATE_WB] = { { "-7d", 6, TEXT_ALIGN_RIGHT }, FIG_RATE, 1 },
    [REPORT_COL_CC] = { { "C&C", 6, TEXT_ALIGN_RIGHT }, FIG_CC, 0 },
    [REPORT_COL_CC_WB] = { { "-7d", 6, TEXT_ALIGN_RIGHT }, FIG_CC, 1 },
    [REPORT_COL_NEW] = { { "New", 5, TEXT_ALIGN_RIGHT }, FIG_NEW, 0 },
    [REPORT_COL_NEW_WB] = { { "-7d", 5, TEXT_ALIGN_RIGHT }, FIG_NEW, 1 },
};

const enum report_col report_daily_cols[] = {
    REPORT_COL_LABEL, REPORT_COL_ORDERS, REPORT_COL_ORDERS_WB, REPORT_COL_REVENUE,
    REPORT_COL_REVENUE_WB, REPORT_COL_CHANGE, REPORT_COL_AVG, REPORT_COL_AVG_WB,
    REPORT_COL_RETURNS, REPORT_COL_RETURNS_WB, REPORT_COL_RATE, REPORT_COL_RATE_WB,
    REPORT_COL_CC, REPORT_COL_CC_WB, REPORT_COL_NEW, REPORT_COL_NEW_WB,
};
const size_t report_daily_ncols = sizeof(report_daily_cols) / sizeof(report_daily_cols[0]);

const enum report_col report_detail_cols[] = {
    REPORT_COL_LABEL, REPORT_COL_ORDERS, REPORT_COL_ORDERS_WB, REPORT_COL_REVENUE,
    REPORT_COL_REVENUE_WB, REPORT_COL_CHANGE, REPORT_COL_RETURNS, REPORT_COL_RETURNS_WB,
    REPORT_COL_CC,
};
const size_t report_detail_ncols = sizeof(report_detail_cols) / sizeof(report_detail_cols[0]);

const struct report_column *report_column(enum report_col c)
{
    return &report_columns[c < REPORT_COL_COUNT ? c : REPORT_COL_LABEL].col;
}

/* A count grouped like money, without the cents: "1,388". */
static void report_count(long long n, char *buf, size_t len)
{
    char *m = text_money(n * 100, true);

    snprintf(buf, len, "%.*s", (int)(strlen(m) - 3), m);
    free(m);
}

void report_euros(long long cents, char *buf, size_t len)
{
    report_count((cents + (cents < 0 ? -50 : 50)) / 100, buf, len);
}

static void report_money(long long cents, char *buf, size_t len)
{
    char *m = text_money(cents, true);

    snprintf(buf, len, "%s", m);
    free(m);
}

static void report_pct(const char *pct, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", pct[0] ? pct : "—", pct[0] ? "%" : "");
}

/* Revenue against the week before: "+6.2%", "-3.1%", "new" (nothing a week
 * before), "—" (nothing either day). */
static void report_change(const struct report_row *r, char *buf, size_t len)
{
    if (r->change[0] == '\0')
        snprintf(buf, len, "%s", r->revenue_cents[0] > 0 ? "new" : "—");
    else
        snprintf(buf, len, "%s%s%%", r->change[0] == '-' ? "" : "+", r->change);
}

void report_cell(const struct report_row *r, enum report_col c, char *buf, size_t len)
{
    c = c < REPORT_COL_COUNT ? c : REPORT_COL_LABEL;
    int k = report_columns[c].k;

    switch (report_columns[c].figure) {
    case FIG_ORDERS:
        report_count(r->orders[k], buf, len);
        break;
    case FIG_REVENUE:
        report_money(r->revenue_cents[k], buf, len);
        break;
    case FIG_CHANGE:
        report_change(r, buf, len);
        break;
    case FIG_AVG:
        if (r->avg_cents[k] < 0)
            snprintf(buf, len, "—");
        else
            report_money(r->avg_cents[k], buf, len);
        break;
    case FIG_RETURNS:
        if (r->has_returns)
            report_count(r->returns[k], buf, len);
        else
            snprintf(buf, len, "—");
        break;
    case FIG_RATE:
        report_pct(r->rate[k], buf, len);
        break;
    case FIG_CC:
        report_pct(r->cc_share[k], buf, len);
        break;
    case FIG_NEW:
        report_count(r->new_customers[k], buf, len);
        break;
    case FIG_LABEL:
        snprintf(buf, len, "%s", r->label);
        break;
    }
}

const char *report_part_title(const char *part)
{
    static const struct {
        const char *part, *title;
    } titles[] = { { "hour", "Hour" }, { "location", "Location" }, { "source", "Source" } };

    for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if (strcmp(part, titles[i].part) == 0)
            return titles[i].title;
    return "Channel";
}

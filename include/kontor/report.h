/* The manager's daily channel report: per channel orders, revenue, average
 * order, returns and return rate, click & collect share and new customers
 * for one business day beside the same weekday a week before, and the
 * drill-down into one channel (by hour, by location, top sources). The SQL
 * functions of migration 0013 compute every figure (the database grants
 * them to managers alone); this module builds their statements — rows for
 * the screen and text, CSV and JSON made by PostgreSQL — reads the rows,
 * and formats cells, so the screen and `kontor report daily` show the same. */
#ifndef KONTOR_REPORT_H
#define KONTOR_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"
#include "kontor/export.h"
#include "kontor/text.h"

/* ---- the day ------------------------------------------------------------ */

/* A day as asked for: a calendar date, or a number of days before today's
 * business day (the database knows the business time zone, so "today" is
 * resolved there). */
struct report_day {
    bool relative;
    int days_back;        /* relative: 0 today, 1 yesterday */
    int year, month, day; /* absolute */
};

/* Parses "yesterday" (also ""), "today", "YYYY-MM-DD", "DD.MM.YYYY", or
 * "-N" / "-N days" (N days back, at most 3660). On failure returns false
 * with *err (a sentence; caller frees). */
bool report_day_parse(const char *text, struct report_day *d, char **err);
/* An absolute day from "YYYY-MM-DD" (as the report returns it). */
bool report_day_from_iso(const char *iso, struct report_day *d);
/* Moves an absolute day by n days (negative: back). */
void report_day_shift(struct report_day *d, int n);
/* "2020-03-10" ("" for a relative day). */
void report_day_iso(const struct report_day *d, char *buf, size_t len);
/* "Tue 10 Mar 2020"; relative days as "yesterday", "today", "3 days ago". */
void report_day_label(const struct report_day *d, char *buf, size_t len);

/* ---- statements ----------------------------------------------------------- */

/* Owns the parameters of one statement: keep it until the result is read. */
struct report_query {
    char day[16], back[16], channel[64];
    const char *params[3];
    struct db_stmt st;
};

/* The daily report for d: with EXPORT_TEXT the rows (read them with
 * report_read), with EXPORT_CSV one CSV text (header and one line per
 * channel, then "all"), with EXPORT_JSON one JSON array. */
struct db_stmt *report_daily_stmt(struct report_query *q, const struct report_day *d,
                                  enum export_format fmt);
/* The drill-down into channel (its code or name; "all" or "": every
 * channel), in the same three forms. No rows (CSV and JSON: an empty
 * text, "[]") for an unknown channel. */
struct db_stmt *report_detail_stmt(struct report_query *q, const struct report_day *d,
                                   const char *channel, enum export_format fmt);

/* ---- rows ------------------------------------------------------------------- */

#define REPORT_MAX_ROWS 128

/* One row of either report; [0] is the day, [1] the week before. */
struct report_row {
    char code[16];   /* daily: the channel code, "all" for the total */
    char part[12];   /* detail: "hour", "location" or "source" */
    char label[160]; /* "Web", "All"; detail: "09:00", a store, "campaign · touchpoint" */
    long long orders[2], revenue_cents[2], returns[2], new_customers[2];
    long long avg_cents[2]; /* -1: no orders that were not cancelled */
    bool has_returns;       /* false for the sources of the detail */
    /* Percentages as PostgreSQL rounded them ("5.6", "-3.1"); "" where the
     * base was zero. */
    char change[16], rate[2][16], cc_share[2][16];
};

struct report {
    char day[11], compare[11]; /* "2020-03-10", "2020-03-03" */
    char channel[16];          /* detail: the channel's code, "all" */
    int n;
    struct report_row rows[REPORT_MAX_ROWS];
};

/* Read the rows of report_daily_stmt / report_detail_stmt (EXPORT_TEXT).
 * False when there are none (detail: an unknown channel). */
bool report_daily_read(const PGresult *res, struct report *r);
bool report_detail_read(const PGresult *res, struct report *r);

/* Leaves out the hours of a detail without orders or returns on either
 * day (the night, and a store's closed hours). */
void report_drop_quiet_hours(struct report *r);

/* ---- cells ------------------------------------------------------------------ */

/* Every column either report can show; a view picks some (WB: the week
 * before). */
enum report_col {
    REPORT_COL_LABEL,
    REPORT_COL_ORDERS, REPORT_COL_ORDERS_WB,
    REPORT_COL_REVENUE, REPORT_COL_REVENUE_WB,
    REPORT_COL_CHANGE, /* revenue against the week before */
    REPORT_COL_AVG, REPORT_COL_AVG_WB,
    REPORT_COL_RETURNS, REPORT_COL_RETURNS_WB,
    REPORT_COL_RATE, REPORT_COL_RATE_WB,
    REPORT_COL_CC, REPORT_COL_CC_WB,
    REPORT_COL_NEW, REPORT_COL_NEW_WB,
    REPORT_COL_COUNT
};

struct report_column {
    const char *title; /* "Orders", "-7d" */
    int width;         /* display columns it needs */
    enum text_align align;
};

/* The columns of the daily report and of the drill-down, in order. */
extern const enum report_col report_daily_cols[];
extern const size_t report_daily_ncols;
extern const enum report_col report_detail_cols[];
extern const size_t report_detail_ncols;

const struct report_column *report_column(enum report_col c);
/* The cell as shown: "1,388", "38,211.40", "+6.2%", "new", "5.4%", "—". */
void report_cell(const struct report_row *r, enum report_col c, char *buf, size_t len);
/* Whole euros, rounded and grouped: "38,211". */
void report_euros(long long cents, char *buf, size_t len);
/* "Hour", "Location", "Source" for a part of the detail. */
const char *report_part_title(const char *part);

#endif

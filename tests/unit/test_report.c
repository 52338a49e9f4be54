/* The daily report without a database: days as people type them (and the
 * clear refusals), calendar steps across months, leap days and years, the
 * labels, the statements' parameters, and how cells read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kontor/report.h"

static void day_ok(const char *text, bool relative, int back, const char *iso)
{
    struct report_day d;
    char *err = NULL, buf[16];

    if (!report_day_parse(text, &d, &err))
        fail_msg("'%s' refused: %s", text, err);
    assert_int_equal(d.relative, relative);
    if (relative) {
        assert_int_equal(d.days_back, back);
    } else {
        report_day_iso(&d, buf, sizeof(buf));
        assert_string_equal(buf, iso);
    }
}

static void day_refused(const char *text, const char *why)
{
    struct report_day d;
    char *err = NULL;

    if (report_day_parse(text, &d, &err))
        fail_msg("'%s' accepted", text);
    assert_non_null(err);
    if (strstr(err, why) == NULL)
        fail_msg("'%s': expected \"%s\" in \"%s\"", text, why, err);
    free(err);
}

static void test_day_parse(void **state)
{
    (void)state;
    day_ok("", true, 1, NULL);
    day_ok("yesterday", true, 1, NULL);
    day_ok(" Yesterday\n", true, 1, NULL);
    day_ok("TODAY", true, 0, NULL);
    day_ok("-0", true, 0, NULL);
    day_ok("-7", true, 7, NULL);
    day_ok("-7 days", true, 7, NULL);
    day_ok("-1 day", true, 1, NULL);
    day_ok("-14d", true, 14, NULL);
    day_ok("-3660", true, 3660, NULL);
    day_ok("2020-03-10", false, 0, "2020-03-10");
    day_ok("10.03.2020", false, 0, "2020-03-10");
    day_ok("2020-02-29", false, 0, "2020-02-29");
    day_ok("29.02.2000", false, 0, "2000-02-29");
    day_ok("1900-01-01", false, 0, "1900-01-01");

    day_refused("2019-02-29", "2019-02-29 is not a day of the calendar");
    day_refused("29.02.1900", "not a day of the calendar"); /* 1900 was no leap year */
    day_refused("2020-13-01", "not a day of the calendar");
    day_refused("31.04.2020", "not a day of the calendar");
    day_refused("2020-04-00", "not a day of the calendar");
    day_refused("1899-12-31", "years 1900 to 9999");
    day_refused("-3661", "goes back too far");
    day_refused("-99999999999999999999", "goes back too far");
    day_refused("tomorrow", "'tomorrow' is not a day: give yesterday, today, YYYY-MM-DD");
    day_refused("2020-3-10", "is not a day: give");
    day_refused("2020/03/10", "is not a day: give");
    day_refused("+1", "is not a day: give");
    day_refused("-", "is not a day: give");
    day_refused("-5 weeks", "is not a day: give");
    day_refused("- 5", "is not a day: give");
    day_refused("10.03.20", "is not a day: give");
    day_refused("\x1b[31m", "'^[[31m' is not a day"); /* shown, never obeyed */
}

static void shifted(const char *iso, int n, const char *want)
{
    struct report_day d;
    char buf[16];

    assert_true(report_day_from_iso(iso, &d));
    report_day_shift(&d, n);
    report_day_iso(&d, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_day_shift(void **state)
{
    struct report_day d;

    (void)state;
    shifted("2020-02-28", 1, "2020-02-29");
    shifted("2020-02-29", 1, "2020-03-01");
    shifted("2020-03-01", -1, "2020-02-29");
    shifted("2100-02-28", 1, "2100-03-01");
    shifted("2000-02-28", 1, "2000-02-29");
    shifted("2020-12-31", 1, "2021-01-01");
    shifted("2021-01-01", -1, "2020-12-31");
    shifted("2020-03-10", -7, "2020-03-03");
    shifted("2020-03-10", -36525, "1920-03-10");
    shifted("1969-12-31", 1, "1970-01-01");
    assert_false(report_day_from_iso("2020-02-30", &d));
    assert_false(report_day_from_iso("10.03.2020", &d)); /* ISO only */
    assert_false(report_day_from_iso("", &d));
    assert_false(report_day_from_iso(NULL, &d));
    /* A relative day moves in days back. */
    assert_true(report_day_parse("yesterday", &d, &(char *){ NULL }));
    report_day_shift(&d, -1);
    assert_true(d.relative);
    assert_int_equal(d.days_back, 2);
}

static void labelled(const char *text, const char *want)
{
    struct report_day d;
    char *err = NULL, buf[32];

    assert_true(report_day_parse(text, &d, &err));
    report_day_label(&d, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_day_label(void **state)
{
    struct report_day d;
    char buf[32];

    (void)state;
    labelled("2020-03-10", "Tue 10 Mar 2020");
    labelled("1970-01-01", "Thu 01 Jan 1970");
    labelled("1900-01-01", "Mon 01 Jan 1900");
    labelled("2026-11-23", "Mon 23 Nov 2026");
    labelled("2024-02-29", "Thu 29 Feb 2024");
    labelled("31.12.1999", "Fri 31 Dec 1999");
    labelled("yesterday", "yesterday");
    labelled("today", "today");
    labelled("-3", "3 days ago");
    assert_true(report_day_parse("today", &d, &(char *){ NULL }));
    report_day_shift(&d, 2);
    report_day_label(&d, buf, sizeof(buf));
    assert_string_equal(buf, "in 2 days");
    report_day_iso(&d, buf, sizeof(buf));
    assert_string_equal(buf, ""); /* the database resolves it */
}

static void test_statements(void **state)
{
    struct report_query q;
    struct report_day d;
    struct db_stmt *st;

    (void)state;
    assert_true(report_day_parse("-2", &d, &(char *){ NULL }));
    st = report_daily_stmt(&q, &d, EXPORT_TEXT);
    assert_int_equal(st->nparams, 2);
    assert_string_equal(st->params[0], "");
    assert_string_equal(st->params[1], "2");
    assert_non_null(strstr(st->sql, "kontor.report_daily("));
    assert_true(report_day_parse("10.03.2020", &d, &(char *){ NULL }));
    st = report_daily_stmt(&q, &d, EXPORT_CSV);
    assert_string_equal(st->params[0], "2020-03-10");
    assert_string_equal(st->params[1], "0");
    assert_non_null(strstr(st->sql, "kontor.csv_from_json("));
    st = report_detail_stmt(&q, &d, "Stores", EXPORT_JSON);
    assert_int_equal(st->nparams, 3);
    assert_string_equal(st->params[2], "Stores");
    assert_non_null(strstr(st->sql, "json_agg"));
    assert_non_null(strstr(st->sql, "kontor.report_daily_detail("));
    st = report_detail_stmt(&q, &d, NULL, EXPORT_TEXT);
    assert_string_equal(st->params[2], "");
    /* The values travel as parameters, never in the SQL text. */
    assert_null(strstr(st->sql, "2020"));
}

static void cell(const struct report_row *r, enum report_col c, const char *want)
{
    char buf[64];

    report_cell(r, c, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_cells(void **state)
{
    struct report_row r = { .code = "web", .label = "Web", .has_returns = true };
    char buf[32];

    (void)state;
    r.orders[0] = 1388, r.orders[1] = 7;
    r.revenue_cents[0] = 11763675, r.revenue_cents[1] = 0;
    r.avg_cents[0] = 8475, r.avg_cents[1] = -1;
    r.returns[0] = 75;
    r.new_customers[1] = 12;
    strcpy(r.change, "6.2");
    strcpy(r.rate[0], "5.4");
    strcpy(r.cc_share[0], "100.0");
    cell(&r, REPORT_COL_LABEL, "Web");
    cell(&r, REPORT_COL_ORDERS, "1,388");
    cell(&r, REPORT_COL_ORDERS_WB, "7");
    cell(&r, REPORT_COL_REVENUE, "117,636.75");
    cell(&r, REPORT_COL_REVENUE_WB, "0.00");
    cell(&r, REPORT_COL_CHANGE, "+6.2%");
    cell(&r, REPORT_COL_AVG, "84.75");
    cell(&r, REPORT_COL_AVG_WB, "—");
    cell(&r, REPORT_COL_RETURNS, "75");
    cell(&r, REPORT_COL_RATE, "5.4%");
    cell(&r, REPORT_COL_RATE_WB, "—");
    cell(&r, REPORT_COL_CC, "100.0%");
    cell(&r, REPORT_COL_NEW, "0");
    cell(&r, REPORT_COL_NEW_WB, "12");
    strcpy(r.change, "-3.1");
    cell(&r, REPORT_COL_CHANGE, "-3.1%");
    r.change[0] = '\0';
    cell(&r, REPORT_COL_CHANGE, "new");
    r.revenue_cents[0] = 0;
    cell(&r, REPORT_COL_CHANGE, "—");
    r.has_returns = false;
    cell(&r, REPORT_COL_RETURNS, "—");
    cell(&r, REPORT_COL_RETURNS_WB, "—");

    report_euros(3821140, buf, sizeof(buf));
    assert_string_equal(buf, "38,211");
    report_euros(3821150, buf, sizeof(buf));
    assert_string_equal(buf, "38,212");
    report_euros(112000000, buf, sizeof(buf));
    assert_string_equal(buf, "1,120,000");
    report_euros(0, buf, sizeof(buf));
    assert_string_equal(buf, "0");
    assert_string_equal(report_part_title("location"), "Location");
    assert_string_equal(report_column(REPORT_COL_REVENUE)->title, "Revenue €");
}

static void test_quiet_hours(void **state)
{
    static struct report r;

    (void)state;
    r.n = 4;
    strcpy(r.rows[0].part, "hour"); /* nothing either day: dropped */
    strcpy(r.rows[1].part, "hour");
    r.rows[1].orders[1] = 1;        /* an order a week before: kept */
    strcpy(r.rows[2].part, "hour");
    r.rows[2].returns[0] = 1;       /* a return: kept */
    strcpy(r.rows[3].part, "location"); /* never dropped */
    report_drop_quiet_hours(&r);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.rows[0].orders[1], 1);
    assert_int_equal(r.rows[1].returns[0], 1);
    assert_string_equal(r.rows[2].part, "location");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_parse),
        cmocka_unit_test(test_day_shift),
        cmocka_unit_test(test_day_label),
        cmocka_unit_test(test_statements),
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_quiet_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

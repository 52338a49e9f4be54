/* The daily channel report against the real database: orders placed on two
 * days long before the demo data (Tue 10 Mar 2020 and the Tuesday before,
 * in the business time zone, with orders just outside the day, a
 * cancelled order, a cancelled return, a merged customer and one without a
 * home channel) give figures that must equal an independent count, per
 * channel and for "All", for the day and for the week before; a day
 * without orders; the drill-down; the refusal for clerks and service (the
 * database's: 42501); and `kontor report daily` through the real binary. */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/report.h"
#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

#define DAY "2020-03-10"
#define WEEK_BEFORE "2020-03-03"

/* Helpers ---------------------------------------------------------------------- */

static const char fixture[] =
    "DO $$ "
    "DECLARE "
    "    web bigint := (SELECT id FROM kontor.channel WHERE code = 'web'); "
    "    app bigint := (SELECT id FROM kontor.channel WHERE code = 'app'); "
    "    store bigint := (SELECT id FROM kontor.channel WHERE code = 'store'); "
    "    hb bigint := (SELECT id FROM kontor.location WHERE code = 'HB-01'); "
    "    tp bigint; cp bigint; o1 bigint; c1 bigint; "
    "BEGIN "
    "    SELECT ct.touchpoint_id, ct.campaign_id INTO tp, cp FROM kontor.campaign_touchpoint ct "
    "     ORDER BY ct.campaign_id, ct.touchpoint_id LIMIT 1; "
    "    INSERT INTO kontor.sales_order (channel_id, location_id, fulfilment, status, "
    "                                    subtotal_cents, total_cents, placed_at, campaign_id, "
    "                                    touchpoint_id) VALUES "
    "     (web, NULL, 'ship', 'paid', 10000, 10000, '2020-03-10 09:15 Europe/Berlin', NULL, NULL), "
    "     (web, hb, 'click_collect', 'paid', 5000, 5000, '2020-03-10 14:30 Europe/Berlin', NULL, "
    "      NULL), "
    "     (web, NULL, 'ship', 'cancelled', 7000, 7000, '2020-03-10 23:30 Europe/Berlin', NULL, "
    "      NULL), "
    "     (web, NULL, 'ship', 'paid', 999, 999, '2020-03-09 23:59:59 Europe/Berlin', NULL, NULL), "
    "     (web, NULL, 'ship', 'paid', 998, 998, '2020-03-11 00:00 Europe/Berlin', NULL, NULL), "
    "     (store, hb, 'in_store', 'completed', 2000, 2000, '2020-03-10 11:00 Europe/Berlin', NULL, "
    "      NULL), "
    "     (store, hb, 'in_store', 'completed', 3000, 3000, '2020-03-10 16:45 Europe/Berlin', NULL, "
    "      NULL), "
    "     (app, hb, 'click_collect', 'paid', 4000, 4000, '2020-03-10 20:05 Europe/Berlin', cp, "
    "      tp), "
    "     (web, NULL, 'ship', 'delivered', 8000, 8000, '2020-03-03 10:00 Europe/Berlin', NULL, "
    "      NULL), "
    "     (store, hb, 'in_store', 'completed', 1000, 1000, '2020-03-03 12:00 Europe/Berlin', NULL, "
    "      NULL); "
    "    SELECT id INTO o1 FROM kontor.sales_order "
    "     WHERE placed_at = '2020-03-10 09:15 Europe/Berlin'; "
    "    INSERT INTO kontor.return_order (order_id, channel_id, location_id, status, created_at) "
    "    VALUES (o1, store, hb, 'requested', '2020-03-10 12:00 Europe/Berlin'), "
    "           (o1, store, hb, 'cancelled', '2020-03-10 12:30 Europe/Berlin'), "
    "           (o1, web, NULL, 'requested', '2020-03-03 18:00 Europe/Berlin'); "
    "    INSERT INTO kontor.customer (first_name, last_name, home_channel_id, created_at) "
    "    VALUES ('Report', 'Web One', web, '2020-03-10 08:00 Europe/Berlin') RETURNING id INTO c1; "
    "    INSERT INTO kontor.customer (first_name, last_name, home_channel_id, created_at, "
    "                                 merged_into) "
    "    VALUES ('Report', 'Web Two', web, '2020-03-10 21:00 Europe/Berlin', NULL), "
    "           ('Report', 'No Home', NULL, '2020-03-10 10:00 Europe/Berlin', NULL), "
    "           ('Report', 'Merged', web, '2020-03-10 11:00 Europe/Berlin', c1), "
    "           ('Report', 'App', app, '2020-03-03 10:00 Europe/Berlin', NULL); "
    "END $$";

/* The figures of a day counted another way than migration 0013 does (a
 * subquery per figure and channel), one line per channel, then "all":
 * "web o=3 r=15000 ret=0 new=2 rate=0.0 cc=33.3". $1: the day. */
static const char sql_independent[] =
    "WITH d AS (SELECT $1::date::timestamp AT TIME ZONE 'Europe/Berlin' AS a, "
    "                  ($1::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin' AS b), "
    "ch AS (SELECT id, code, sort_order FROM kontor.channel "
    "       UNION ALL SELECT NULL, 'all', 2147483647), "
    "x AS (SELECT ch.code, ch.sort_order, "
    "  (SELECT count(*) FROM kontor.sales_order o, d WHERE o.placed_at >= d.a "
    "     AND o.placed_at < d.b AND (ch.id IS NULL OR o.channel_id = ch.id)) AS o, "
    "  (SELECT coalesce(sum(o.total_cents), 0) FROM kontor.sales_order o, d "
    "    WHERE o.placed_at >= d.a AND o.placed_at < d.b AND o.status <> 'cancelled' "
    "      AND (ch.id IS NULL OR o.channel_id = ch.id)) AS rev, "
    "  (SELECT count(*) FROM kontor.sales_order o, d WHERE o.placed_at >= d.a "
    "     AND o.placed_at < d.b AND o.fulfilment = 'click_collect' "
    "     AND (ch.id IS NULL OR o.channel_id = ch.id)) AS cc, "
    "  (SELECT count(*) FROM kontor.return_order r, d WHERE r.created_at >= d.a "
    "     AND r.created_at < d.b AND r.status <> 'cancelled' "
    "     AND (ch.id IS NULL OR r.channel_id = ch.id)) AS ret, "
    "  (SELECT count(*) FROM kontor.customer c, d WHERE c.created_at >= d.a "
    "     AND c.created_at < d.b AND c.merged_into IS NULL "
    "     AND (ch.id IS NULL OR c.home_channel_id = ch.id)) AS nw "
    "  FROM ch) "
    "SELECT string_agg(format('%s o=%s r=%s ret=%s new=%s rate=%s cc=%s', code, o, rev, ret, nw, "
    "         coalesce(round(100.0 * ret / nullif(o, 0), 1)::text, '-'), "
    "         coalesce(round(100.0 * cc / nullif(o, 0), 1)::text, '-')), E'\\n' "
    "       ORDER BY sort_order, code) FROM x";

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL) {
        fprintf(stderr, "expected \"%s\" in:\n%s\n", part, text);
        fail();
    }
}

static void assert_same(const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
    assert_string_equal(got, want);
}

static struct dbtest *with_fixture(void **state)
{
    struct dbtest *t = *state;

    dbtest_ok(t->owner, fixture);
    return t;
}

/* The report for day as a staff member, read into r (caller frees). */
static struct report *report_as(struct dbtest *t, const char *user, const struct report_day *day)
{
    struct dbtest_actor a;
    struct report_query q;
    struct report *r = xcalloc(1, sizeof(*r));
    struct db_stmt *st = report_daily_stmt(&q, day, EXPORT_TEXT);

    dbtest_actor_open(t, user, &a);
    PGresult *res = dbtest_step(&a, st->sql, st->nparams, st->params);
    report_daily_read(res, r);
    PQclear(res);
    return r;
}

static struct report *detail_as_manager(struct dbtest *t, const char *day, const char *channel)
{
    struct dbtest_actor a;
    struct report_query q;
    struct report_day d;
    struct report *r = xcalloc(1, sizeof(*r));

    assert_true(report_day_from_iso(day, &d));
    struct db_stmt *st = report_detail_stmt(&q, &d, channel, EXPORT_TEXT);
    dbtest_actor_open(t, "manager", &a);
    PGresult *res = dbtest_step(&a, st->sql, st->nparams, st->params);
    report_detail_read(res, r);
    PQclear(res);
    return r;
}

static struct report *daily_as_manager(struct dbtest *t, const char *day)
{
    struct report_day d;

    assert_true(report_day_from_iso(day, &d));
    return report_as(t, "manager", &d);
}

/* The report's figures of day k (0: the day, 1: the week before) in the
 * form of sql_independent (caller frees). */
static char *figures(const struct report *r, int k)
{
    struct strbuf sb = STRBUF_INIT;

    for (int i = 0; i < r->n; i++) {
        const struct report_row *w = &r->rows[i];
        strbuf_addf(&sb, "%s%s o=%lld r=%lld ret=%lld new=%lld rate=%s cc=%s", i ? "\n" : "",
                    w->code, w->orders[k], w->revenue_cents[k], w->returns[k],
                    w->new_customers[k], w->rate[k][0] ? w->rate[k] : "-",
                    w->cc_share[k][0] ? w->cc_share[k] : "-");
    }
    char *s = xstrdup(strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

static char *independent(struct dbtest *t, const char *day)
{
    const char *p[1] = { day };
    char *v = dbtest_scalar(t->owner, sql_independent, 1, p);

    assert_non_null(v);
    return v;
}

static const struct report_row *row(const struct report *r, const char *code)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->rows[i].code, code) == 0 || strcmp(r->rows[i].label, code) == 0)
            return &r->rows[i];
    fail_msg("no row %s", code);
    return NULL;
}

static void assert_cell(const struct report_row *w, enum report_col c, const char *want)
{
    char cell[200];

    report_cell(w, c, cell, sizeof(cell));
    assert_string_equal(cell, want);
}

/* Tests ---------------------------------------------------------------------- */

static void test_figures_equal_an_independent_count(void **state)
{
    struct dbtest *t = with_fixture(state);
    struct report *r = daily_as_manager(t, DAY);
    char *got = figures(r, 0), *want = independent(t, DAY);

    assert_string_equal(r->day, DAY);
    assert_string_equal(r->compare, WEEK_BEFORE);
    assert_same(got, want);
    /* Channels in sort_order, then All. */
    assert_string_equal(r->rows[0].code, "web");
    assert_string_equal(r->rows[r->n - 1].code, "all");
    assert_string_equal(r->rows[r->n - 1].label, "All");
    /* What the fixture was made to give: the cancelled order counts as an
     * order but not as revenue, the orders just outside the day not at
     * all; the store return of a web order counts for Stores. */
    const struct report_row *web = row(r, "web"), *store = row(r, "store"), *all = row(r, "all");
    assert_int_equal(web->orders[0], 3);
    assert_int_equal(web->revenue_cents[0], 15000);
    assert_int_equal(web->avg_cents[0], 7500); /* revenue / the two not cancelled */
    assert_string_equal(web->cc_share[0], "33.3");
    assert_int_equal(web->new_customers[0], 2); /* not the merged record */
    assert_int_equal(store->returns[0], 1);     /* not the cancelled return */
    assert_string_equal(store->rate[0], "50.0");
    assert_int_equal(all->orders[0], 6);
    assert_int_equal(all->revenue_cents[0], 24000);
    assert_int_equal(all->avg_cents[0], 4800);
    assert_int_equal(all->new_customers[0], 3); /* with the customer without a home channel */
    assert_string_equal(all->rate[0], "16.7");
    assert_string_equal(all->cc_share[0], "33.3");
    assert_cell(store, REPORT_COL_RATE, "50.0%");
    assert_cell(all, REPORT_COL_REVENUE, "240.00");
    free(got);
    free(want);
    free(r);
}

static void test_week_before_column(void **state)
{
    struct dbtest *t = with_fixture(state);
    struct report *r = daily_as_manager(t, DAY);
    char *got = figures(r, 1), *want = independent(t, WEEK_BEFORE);

    assert_same(got, want);
    const struct report_row *web = row(r, "web"), *app = row(r, "app"), *store = row(r, "store");
    assert_int_equal(web->orders[1], 1);
    assert_int_equal(web->revenue_cents[1], 8000);
    assert_int_equal(web->returns[1], 1);
    assert_string_equal(web->change, "87.5"); /* 15000 against 8000 */
    assert_cell(web, REPORT_COL_CHANGE, "+87.5%");
    assert_cell(app, REPORT_COL_CHANGE, "new");
    assert_cell(store, REPORT_COL_CHANGE, "+400.0%");
    assert_int_equal(app->new_customers[1], 1);
    free(got);
    free(want);
    free(r);
}

static void test_day_without_orders(void **state)
{
    struct dbtest *t = with_fixture(state);
    struct report *r = daily_as_manager(t, "2019-06-04");
    long long channels = dbtest_count(t->owner, "SELECT count(*) FROM kontor.channel", 0, NULL);
    char *got = figures(r, 0), *want = independent(t, "2019-06-04");

    assert_same(got, want);
    assert_int_equal(r->n, channels + 1);
    for (int i = 0; i < r->n; i++) {
        const struct report_row *w = &r->rows[i];
        assert_int_equal(w->orders[0] + w->orders[1] + w->revenue_cents[0] + w->returns[0], 0);
        assert_int_equal(w->avg_cents[0], -1);
        assert_cell(w, REPORT_COL_CHANGE, "—");
        assert_cell(w, REPORT_COL_RATE, "—");
        assert_cell(w, REPORT_COL_AVG, "—");
    }
    free(got);
    free(want);
    free(r);
}

static void test_yesterday_is_a_business_day(void **state)
{
    struct dbtest *t = *state;
    struct report_day d;
    char *err = NULL;

    assert_true(report_day_parse("yesterday", &d, &err));
    struct report *r = report_as(t, "manager", &d);
    char *want = dbtest_scalar(t->owner,
                               "SELECT ((now() AT TIME ZONE (SELECT value #>> '{}' FROM "
                               "kontor.setting WHERE key = 'business_timezone' AND scope = ''))"
                               "::date - 1)::text", 0, NULL);
    assert_string_equal(r->day, want);
    char *got = figures(r, 0), *count = independent(t, want);
    assert_same(got, count);
    free(got);
    free(count);
    free(want);
    free(r);
}

static void test_clerk_and_service_are_refused(void **state)
{
    struct dbtest *t = with_fixture(state);
    const char *users[] = { "clerk", "service", "admin" };
    struct report_query q, dq;
    struct report_day d;

    assert_true(report_day_from_iso(DAY, &d));
    struct db_stmt *st = report_daily_stmt(&q, &d, EXPORT_TEXT);
    struct db_stmt *dst = report_detail_stmt(&dq, &d, "web", EXPORT_CSV);
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        struct dbtest_actor a;
        dbtest_actor_open(t, users[i], &a);
        dbtest_step_fails(&a, st->sql, st->nparams, st->params, "42501", NULL);
        dbtest_step_fails(&a, dst->sql, dst->nparams, dst->params, "42501", NULL);
        dbtest_step_fails(&a, "SELECT * FROM kontor.report_bounds(NULL, 1)", 0, NULL, "42501",
                          NULL);
    }
}

static void test_detail_by_hour_location_and_source(void **state)
{
    struct dbtest *t = with_fixture(state);
    struct report *r = detail_as_manager(t, DAY, "web");
    int hours = 0;

    assert_string_equal(r->channel, "web");
    for (int i = 0; i < r->n; i++)
        hours += strcmp(r->rows[i].part, "hour") == 0;
    assert_int_equal(hours, 24);
    const struct report_row *h9 = row(r, "09:00"), *h14 = row(r, "14:00"), *h23 = row(r, "23:00");
    assert_int_equal(h9->orders[0], 1);
    assert_int_equal(h9->revenue_cents[0], 10000);
    assert_int_equal(h14->orders[0], 1);
    assert_string_equal(h14->cc_share[0], "100.0");
    assert_int_equal(h23->orders[0], 1);        /* cancelled: an order without revenue */
    assert_int_equal(h23->revenue_cents[0], 0);
    assert_int_equal(row(r, "10:00")->orders[1], 1); /* the week before */
    const struct report_row *bremen = row(r, "Bremen"), *none = row(r, "(no location)");
    assert_string_equal(bremen->part, "location");
    assert_int_equal(bremen->orders[0], 1);
    assert_int_equal(none->orders[0], 2);
    assert_int_equal(none->orders[1], 1);
    assert_int_equal(none->returns[1], 1); /* the web return of the week before, no location */
    const struct report_row *src = row(r, "(not attributed)");
    assert_false(src->has_returns);
    assert_cell(src, REPORT_COL_RETURNS, "—");
    assert_int_equal(src->orders[0], 3);
    report_drop_quiet_hours(r);
    assert_int_equal(strcmp(r->rows[0].label, "09:00"), 0);
    free(r);

    /* The app order came from a campaign touchpoint; a channel by name. */
    r = detail_as_manager(t, DAY, "App");
    char *label = dbtest_scalar(t->owner,
                                "SELECT concat_ws(' · ', cp.name, tp.name) "
                                "FROM kontor.sales_order o JOIN kontor.campaign cp "
                                "ON cp.id = o.campaign_id JOIN kontor.touchpoint tp "
                                "ON tp.id = o.touchpoint_id "
                                "WHERE o.placed_at = '2020-03-10 20:05 Europe/Berlin'", 0, NULL);
    assert_int_equal(row(r, label)->revenue_cents[0], 4000);
    assert_string_equal(row(r, label)->part, "source");
    free(label);
    free(r);

    /* Every channel; and no rows for a channel that does not exist. */
    r = detail_as_manager(t, DAY, "all");
    long long orders = 0;
    for (int i = 0; i < r->n; i++)
        orders += strcmp(r->rows[i].part, "hour") == 0 ? r->rows[i].orders[0] : 0;
    assert_int_equal(orders, 6);
    assert_string_equal(r->channel, "all");
    free(r);
    r = detail_as_manager(t, DAY, "nosuchchannel");
    assert_int_equal(r->n, 0);
    free(r);
}

static int lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_batch_command(void **state)
{
    struct dbtest *t = with_fixture(state);
    long long channels = dbtest_count(t->owner, "SELECT count(*) FROM kontor.channel", 0, NULL);
    char *out, *err;

    assert_int_equal(dbtest_run_kontor(t, "manager", "demo\n",
                                       "report daily --date " DAY " --format csv", &out, NULL), 0);
    static const char header[] = "day,compare_day,channel,name,orders,orders_week_before,"
                                 "revenue_cents,revenue_week_before_cents,revenue_change_pct,";
    assert_true(strncmp(out, header, strlen(header)) == 0);
    assert_int_equal(lines(out), 1 + channels + 1); /* the header, each channel, All */
    assert_contains(out, "\r\n2020-03-10,2020-03-03,web,Web,3,1,15000,8000,87.5,7500,8000,"
                         "0,1,0.0,100.0,1,0,33.3,0.0,2,0\r\n");
    assert_contains(out, "\r\n2020-03-10,2020-03-03,all,All,6,2,24000,9000,");
    free(out);

    assert_int_equal(dbtest_run_kontor(t, "manager", "demo\n", "report daily --date 10.03.2020",
                                       &out, NULL), 0);
    assert_contains(out, "Daily channel report · Tue 10 Mar 2020 · -7d: Tue 03 Mar 2020");
    assert_contains(out, "Stores");
    free(out);

    assert_int_equal(dbtest_run_kontor(t, "manager", "demo\n",
                                       "report daily --date " DAY " --channel web --format json",
                                       &out, NULL), 0);
    const char *p[1] = { out };
    char *v = dbtest_scalar(t->owner,
                            "SELECT (SELECT count(*) FROM json_array_elements($1::json) e "
                            "        WHERE e ->> 'part' = 'hour') || ' ' || "
                            "       ($1::json -> 9 ->> 'orders')", 1, p);
    assert_string_equal(v, "24 1"); /* 09:00 */
    free(v);
    free(out);

    assert_int_equal(dbtest_run_kontor(t, "manager", "demo\n", "report daily --format json",
                                       &out, NULL), 0); /* yesterday */
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "manager", "demo\n",
                                       "report daily --channel nosuch", &out, &err), 1);
    assert_contains(err, "no channel 'nosuch'");
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "manager", "demo\n", "report daily --date 2020-02-30",
                                       &out, &err), 2);
    assert_contains(err, "2020-02-30 is not a day of the calendar");
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", "report daily --format csv", &out,
                                       &err), 1);
    assert_contains(err, "for managers");
    assert_string_equal(out, "");
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_figures_equal_an_independent_count),
        DBTEST(test_week_before_column),
        DBTEST(test_day_without_orders),
        DBTEST(test_yesterday_is_a_business_day),
        DBTEST(test_clerk_and_service_are_refused),
        DBTEST(test_detail_by_hour_location_and_source),
        DBTEST(test_batch_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The report route against a real streaming replica (tests/replica.sh,
 * started by tests/db/run.sh): the home figures come from the replica and
 * writes go to the primary; the route falls back to the primary, saying
 * why, when the replica lags, has not replayed the sign-in, does not answer
 * or is down, and comes back once it is well. Every test leaves the replica
 * running and replaying: the others share it. */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kontor/config.h"
#include "kontor/db.h"
#include "kontor/db_reports.h"
#include "kontor/home.h"
#include "kontor/order.h"
#include "kontor/xalloc.h"

/* The console's configuration with [database] reports, and a manager
 * signed in on the primary. */
struct route {
    struct config *cfg;
    struct db *primary;
    struct db_reports *reports;
    struct db_session s;
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* A function of tests/replica.sh on the shared replica. */
static void replica_sh(const char *what)
{
    char *cmd = xasprintf(". \"$KONTOR_TOP/sql/pglib.sh\" && . \"$KONTOR_TOP/tests/replica.sh\" "
                          "&& REPLICA_DIR=\"$KONTOR_TEST_REPLICA_DIR\" "
                          "&& REPLICA_HOST=\"$KONTOR_TEST_REPLICA_HOST\" "
                          "&& REPLICA_PORT=\"$KONTOR_TEST_REPLICA_PORT\" && %s",
                          what);
    int st = system(cmd);

    if (st != 0)
        fail_msg("%s: exit status %d", what, st);
    free(cmd);
}

/* Whatever a failed test left behind: the replica running and replaying. */
static int replica_teardown(void **state)
{
    replica_sh("{ pg_running \"$REPLICA_DIR/data\" || replica_start \"$REPLICA_DIR\"; } "
               "&& replica_resume");
    return dbtest_teardown(state);
}

#define REPLICA_TEST(fn) cmocka_unit_test_setup_teardown(fn, dbtest_setup, replica_teardown)

/* The replica as its superuser: a count from the database postgres. */
static long long replica_count(const char *sql, const char *param)
{
    const char *keys[] = { "host", "port", "dbname", NULL };
    const char *vals[] = { getenv("KONTOR_TEST_REPLICA_HOST"), getenv("KONTOR_TEST_REPLICA_PORT"),
                           "postgres", NULL };
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    const char *p[1] = { param };
    long long n;

    assert_int_equal(PQstatus(c), CONNECTION_OK);
    n = dbtest_count(c, sql, param ? 1 : 0, p);
    PQfinish(c);
    return n;
}

static char *replica_conninfo(const struct dbtest *t)
{
    return xasprintf("host=%s port=%s dbname=%s", getenv("KONTOR_TEST_REPLICA_HOST"),
                     getenv("KONTOR_TEST_REPLICA_PORT"), t->dbname);
}

/* reports NULL: the replica. Signs user in on the primary. */
static void route_open(struct dbtest *t, struct route *r, const char *reports, long max_lag_ms,
                       const char *appname)
{
    char *rep = reports ? xstrdup(reports) : replica_conninfo(t);
    char lag[24], *err = NULL;
    char *token = dbtest_session_token(t, "manager");
    const char *p[1] = { "manager" };

    memset(r, 0, sizeof(*r));
    snprintf(lag, sizeof(lag), "%ld", max_lag_ms);
    r->cfg = config_empty();
    config_set(r->cfg, "database", "conninfo", t->conninfo);
    config_set(r->cfg, "database", "reports", rep);
    config_set(r->cfg, "database", "reports_max_lag_ms", lag);
    config_set(r->cfg, "database", "application_name", appname);
    r->primary = db_open(r->cfg, DB_TARGET_CONSOLE, &err);
    if (r->primary == NULL)
        fail_msg("primary: %s", err);
    r->reports = db_reports_open(r->cfg, &err);
    if (r->reports == NULL)
        fail_msg("reports: %s", err ? err : "unset");
    r->s.role = DB_ROLE_MANAGER;
    snprintf(r->s.token, sizeof(r->s.token), "%s", token);
    r->s.staff_id = dbtest_count(t->owner, "SELECT id FROM kontor.staff WHERE username = $1", 1, p);
    free(token);
    free(rep);
}

static void route_close(struct route *r)
{
    db_reports_close(r->reports);
    db_close(r->primary);
    config_free(r->cfg);
}

/* The home screen's pipeline through the route: today's orders, all
 * channels. Fails the test when it fails. */
static long long figures(struct route *r, struct db_report_origin *o)
{
    const char *params[1] = { "" };
    struct db_stmt st[2] = { home_figures_stmt(), home_work_stmt(DB_ROLE_MANAGER, params) };
    struct db_error e = { 0 };
    struct home_figures f;
    struct home_work w[HOME_MAX_WORK];

    if (!db_reports_run(r->reports, r->primary, &r->s, st, 2, o, &e))
        fail_msg("figures: %s", e.message);
    assert_true(home_figures_read(st[0].res, &f));
    assert_int_equal(home_work_read(st[1].res, w, HOME_MAX_WORK), 3);
    db_stmts_clear(st, 2);
    return f.all.orders;
}

/* The same on the primary alone. */
static long long figures_primary(struct route *r)
{
    struct db_stmt st[1] = { home_figures_stmt() };
    struct home_figures f;

    assert_true(db_run_tx(r->primary, &r->s, st, 1, NULL));
    assert_true(home_figures_read(st[0].res, &f));
    db_stmts_clear(st, 1);
    return f.all.orders;
}

/* An order placed now in the web shop (the shop integration: the owner). */
static void new_order(struct dbtest *t)
{
    dbtest_ok(t->owner, "INSERT INTO kontor.sales_order "
                        "(channel_id, fulfilment, status, total_cents, subtotal_cents) "
                        "SELECT id, 'ship', 'paid', 12345, 12345 FROM kontor.channel "
                        "WHERE code = 'web'");
}

static void assert_from_replica(const struct db_report_origin *o)
{
    if (!o->replica || o->why[0] != '\0')
        fail_msg("expected the replica, got the primary: '%s'", o->why);
}

static void assert_from_primary(const struct db_report_origin *o, const char *why)
{
    if (o->replica || strstr(o->why, why) == NULL)
        fail_msg("expected the primary because '%s', got %s '%s'", why,
                 o->replica ? "the replica" : "the primary", o->why);
}

/* The figures from the replica; then replay paused and an order placed on
 * the primary, which the replica has received but not replayed. Returns
 * the orders before. */
static long long paused_after_new_order(struct dbtest *t, struct route *r)
{
    struct db_report_origin o;
    long long before;

    replica_sh("replica_wait_caught_up");
    before = figures(r, &o);
    assert_from_replica(&o);
    replica_sh("replica_pause");
    new_order(t);
    replica_sh("replica_wait_received");
    return before;
}

/* Replay resumed: the replica serves the figures again, orders included. */
static void resumed_serves(struct route *r, long long orders)
{
    struct db_report_origin o;

    replica_sh("replica_resume && replica_wait_caught_up");
    assert_int_equal(figures(r, &o), orders);
    assert_from_replica(&o);
    route_close(r);
}

/* (a) A row written while replay is paused is not in the figures yet: they
 * come from the replica, not the primary. */
static void test_figures_come_from_the_replica(void **state)
{
    struct dbtest *t = *state;
    struct db_report_origin o;
    struct route r;
    long long before;

    route_open(t, &r, NULL, 3600000, "kontor-test");
    before = paused_after_new_order(t, &r);
    assert_int_equal(figures(&r, &o), before);
    assert_from_replica(&o);
    assert_int_equal(figures_primary(&r), before + 1);
    resumed_serves(&r, before + 1);
}

/* (b) Writes with the same configuration go to the primary, and the
 * reports connection is not even made for them; report statements are read
 * only wherever they run. */
static void test_writes_go_to_the_primary(void **state)
{
    struct dbtest *t = *state;
    struct db_report_origin o;
    struct db_error e = { 0 };
    struct staff_pref q;
    struct route r, direct;
    struct db_stmt *st;
    const char *app[1] = { "kontor-test-writes" };

    route_open(t, &r, NULL, 3600000, app[0]);
    replica_sh("replica_wait_caught_up");
    st = staff_pref_set_stmt(&q, "orders.filter", "web open");
    assert_true(db_run_tx(r.primary, &r.s, st, 1, NULL));
    db_stmts_clear(st, 1);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.staff_preference "
                                            "WHERE value = 'web open'", 0, NULL), 1);
    assert_int_equal(replica_count("SELECT count(*) FROM pg_stat_activity "
                                   "WHERE application_name = $1", app[0]), 0);
    figures(&r, &o);
    assert_from_replica(&o);
    assert_int_equal(replica_count("SELECT count(*) FROM pg_stat_activity "
                                   "WHERE application_name = $1", app[0]), 1);
    /* Through the route a write is refused, on the replica... */
    st = staff_pref_set_stmt(&q, "orders.filter", "app");
    assert_false(db_reports_run(r.reports, r.primary, &r.s, st, 1, &o, &e));
    assert_string_equal(e.sqlstate, "25006");
    db_error_clear(&e);
    /* ...and on a primary reached as [database] reports: READ ONLY. */
    route_open(t, &direct, t->conninfo, 3600000, "kontor-test");
    assert_false(db_reports_run(direct.reports, direct.primary, &direct.s, st, 1, &o, &e));
    assert_string_equal(e.sqlstate, "25006");
    db_error_clear(&e);
    figures(&direct, &o);
    assert_false(o.replica);
    assert_string_equal(o.why, ""); /* nothing went wrong: no message */
    route_close(&direct);
    route_close(&r);
}

/* (c) Replay paused, an order on the primary, and waiting past the lag
 * limit: the figures come from the primary, with the new order and why. */
static void test_lagging_replica_falls_back(void **state)
{
    struct dbtest *t = *state;
    struct db_report_origin o;
    struct route r;
    long long before;

    route_open(t, &r, NULL, 300, "kontor-test");
    before = paused_after_new_order(t, &r);
    sleep_ms(400);
    assert_int_equal(figures(&r, &o), before + 1);
    assert_from_primary(&o, "the replica is ");
    assert_non_null(strstr(o.why, " s behind"));
    resumed_serves(&r, before + 1);
}

/* (e) A sign-in the replica has not replayed: the primary answers, and the
 * session goes on (not signed out). */
static void test_unreplayed_sign_in_falls_back(void **state)
{
    struct dbtest *t = *state;
    struct db_report_origin o;
    struct staff_pref q;
    struct db_stmt *st;
    struct route r;
    long long before;

    replica_sh("replica_wait_caught_up"); /* the test database is there */
    replica_sh("replica_pause");
    route_open(t, &r, NULL, 3600000, "kontor-test");
    before = figures(&r, &o);
    assert_from_primary(&o, "has not yet seen your sign-in");
    assert_int_equal(before, figures_primary(&r));
    st = staff_pref_set_stmt(&q, "orders.filter", "web");
    assert_true(db_run_tx(r.primary, &r.s, st, 1, NULL));
    db_stmts_clear(st, 1);
    resumed_serves(&r, before);
}

/* A replica that takes the connection but never answers: given up after
 * connect_timeout, then left alone for DB_REPORTS_RETRY_MS. */
static void test_silent_replica_gives_up_after_connect_timeout(void **state)
{
    struct dbtest *t = *state;
    char dir[] = "/tmp/kontor-silent-XXXXXX";
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct db_report_origin o;
    struct route r;
    long long t0, ms;
    char *reports;
    int fd;

    assert_non_null(mkdtemp(dir));
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGSQL.5999", dir);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(fd, 8), 0); /* connects queue up; nobody reads */
    reports = xasprintf("host=%s port=5999 connect_timeout=2 dbname=%s", dir, t->dbname);
    route_open(t, &r, reports, 3600000, "kontor-test");
    t0 = now_ms();
    figures(&r, &o);
    ms = now_ms() - t0;
    assert_from_primary(&o, "the replica cannot be reached");
    if (ms < 1900 || ms > 3500)
        fail_msg("gave up after %lld ms, expected about 2000", ms);
    t0 = now_ms();
    figures(&r, &o);
    assert_from_primary(&o, "the replica cannot be reached");
    assert_true(now_ms() - t0 < 1000); /* not asked again so soon */
    route_close(&r);
    close(fd);
    unlink(addr.sun_path);
    rmdir(dir);
    free(reports);
}

/* (d) The replica stopped: the primary answers at once; started again:
 * back to the replica after the retry pause. */
static void test_stopped_replica_falls_back_and_returns(void **state)
{
    struct dbtest *t = *state;
    struct db_report_origin o;
    struct route r;
    long long before, t0;

    route_open(t, &r, NULL, 3600000, "kontor-test");
    replica_sh("replica_wait_caught_up");
    before = figures(&r, &o);
    assert_from_replica(&o);
    replica_sh("replica_stop");
    t0 = now_ms();
    assert_int_equal(figures(&r, &o), before);
    assert_from_primary(&o, "the replica cannot be reached");
    assert_true(now_ms() - t0 < DB_REPORTS_CONNECT_MS);
    replica_sh("replica_start \"$REPLICA_DIR\" && replica_wait_caught_up");
    while (now_ms() - t0 < DB_REPORTS_RETRY_MS + 100)
        sleep_ms(100);
    assert_int_equal(figures(&r, &o), before);
    assert_from_replica(&o);
    route_close(&r);
}

/* [database] reports_max_lag_ms is checked like statement_timeout_ms, and
 * a malformed reports string is refused before anything connects. */
static void test_settings_are_checked(void **state)
{
    struct config *cfg = config_empty();
    char *err = NULL;

    assert_null(db_reports_open(cfg, &err)); /* unset: no route, no error */
    assert_null(err);
    config_set(cfg, "database", "reports_max_lag_ms", "soon");
    assert_null(db_reports_open(cfg, &err));
    assert_non_null(strstr(err, "[database] reports_max_lag_ms: expected a whole number"));
    free(err);
    err = NULL;
    config_set(cfg, "database", "reports_max_lag_ms", "500");
    config_set(cfg, "database", "reports", "host");
    assert_null(db_reports_open(cfg, &err));
    assert_non_null(strstr(err, "[database] reports: bad connection string"));
    free(err);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_are_checked),
        REPLICA_TEST(test_figures_come_from_the_replica),
        REPLICA_TEST(test_writes_go_to_the_primary),
        REPLICA_TEST(test_lagging_replica_falls_back),
        REPLICA_TEST(test_unreplayed_sign_in_falls_back),
        REPLICA_TEST(test_silent_replica_gives_up_after_connect_timeout),
        REPLICA_TEST(test_stopped_replica_falls_back_and_returns),
    };
    const char *host = getenv("KONTOR_TEST_REPLICA_HOST");

    if (host == NULL || host[0] == '\0') {
        printf("replica: skipped: no replica (run through tests/db/run.sh)\n");
        return 0;
    }
    return cmocka_run_group_tests_name("replica", tests, NULL, NULL);
}

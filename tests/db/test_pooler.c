/* Kontor through PgBouncer in transaction-pooling mode (tests/pooler.sh,
 * started by tests/db/run.sh): staff transactions leave nothing on the
 * shared server connections, a cancel request reaches the running query,
 * LISTEN and db migrate refuse a pooled connection, and a batch command
 * signs in and reads through the pooler. Skipped without PgBouncer. */
#include "dbtest.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/db.h"
#include "kontor/db_async.h"
#include "kontor/db_listen.h"
#include "kontor/migrate.h"
#include "kontor/xalloc.h"

/* The test database through the pooler (caller frees). */
static char *pooled(const struct dbtest *t)
{
    return xasprintf("host=127.0.0.1 port=%s dbname=%s", getenv("KONTOR_TEST_POOLER_PORT"),
                     t->dbname);
}

static struct db *open_pooled(struct dbtest *t, const char *user, long timeout_ms)
{
    char *conninfo = pooled(t);
    char *err = NULL;
    struct db *db = db_open_conninfo(conninfo, user, "kontor-test", timeout_ms, &err);

    if (db == NULL)
        fail_msg("through the pooler: %s", err);
    free(conninfo);
    return db;
}

static void clerk_session(struct dbtest *t, struct db_session *s)
{
    char *token = dbtest_session_token(t, "clerk");

    memset(s, 0, sizeof(*s));
    s->role = DB_ROLE_CLERK;
    snprintf(s->token, sizeof(s->token), "%s", token);
    free(token);
}

/* What a server connection carries between transactions: nothing of ours
 * (asked with a bare PQexec: db_exec would bring a timeout of its own). */
static void assert_clean(struct db *db)
{
    PGresult *r = PQexec(db_conn(db), "SELECT current_user, current_setting('role'), "
                                      "coalesce(current_setting('kontor.staff_id', true), ''), "
                                      "current_setting('statement_timeout')");

    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "kontor_login");
    assert_string_equal(PQgetvalue(r, 0, 1), "none");
    assert_string_equal(PQgetvalue(r, 0, 2), "");
    assert_string_equal(PQgetvalue(r, 0, 3), "0");
    PQclear(r);
}

/* Transactions committed and failed as a staff member, then the same and
 * another client: no role, staff id or timeout stays behind. */
static void test_pooler_transactions_leave_no_session_state(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_pooled(t, "kontor_login", 5000);
    struct db *other = open_pooled(t, "kontor_login", 0);
    struct db_session s;
    struct db_error e = { 0 };
    struct db_stmt who[] = { DB_STMT("SELECT current_user, current_setting('kontor.staff_id'), "
                                     "current_setting('statement_timeout')", 0, NULL) };
    struct db_stmt bad[] = { DB_STMT("SELECT 1/0", 0, NULL) };
    PGresult *r = db_exec(db, "SELECT pg_backend_pid()", 0, NULL, &e);

    assert_non_null(r);
    assert_false(db_backend_direct(db_conn(db), db_value(r, 0, 0))); /* really pooled */
    PQclear(r);
    clerk_session(t, &s);
    if (!db_run_tx(db, &s, who, 1, &e))
        fail_msg("%s", e.message);
    assert_string_equal(db_value(who[0].res, 0, 0), "kontor_clerk");
    assert_true(db_value_ll(who[0].res, 0, 1) > 0);
    assert_string_equal(db_value(who[0].res, 0, 2), "5s");
    db_stmts_clear(who, 1);
    assert_clean(other);
    assert_clean(db);

    assert_false(db_run_tx(db, &s, bad, 1, &e));
    assert_int_equal(e.cls, DB_ERR_INPUT);
    assert_int_equal(PQtransactionStatus(db_conn(db)), PQTRANS_IDLE);
    assert_clean(other);
    assert_clean(db);
    db_error_clear(&e);
    db_close(other);
    db_close(db);
}

/* Esc in the console: PgBouncer forwards the cancel request to the server
 * connection running the query; the transaction is rolled back. */
static void test_pooler_cancel_reaches_the_query(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_pooled(t, "kontor_login", 60000);
    struct db_session s;
    struct db_stmt st[] = { DB_STMT("SELECT pg_sleep(5)", 0, NULL) };
    struct db_error e = { 0 };
    struct db_async *a;

    clerk_session(t, &s);
    a = db_async_start(db, &s, st, 1, &e);
    assert_non_null(a);
    while (db_async_step(a, &e) == DB_ASYNC_BUSY && db_async_elapsed_ms(a) < 200)
        poll(NULL, 0, 10);
    db_async_cancel(a);
    assert_false(db_async_wait(a, &e));
    assert_int_equal(e.cls, DB_ERR_CANCELED);
    assert_true(db_async_elapsed_ms(a) < 2000);
    db_async_free(a);
    assert_int_equal(PQtransactionStatus(db_conn(db)), PQTRANS_IDLE);
    assert_clean(db);
    db_error_clear(&e);
    db_close(db);
}

/* A LISTEN through the pooler would stay behind on a server connection lent
 * to others: refused, before it listens, with a pointer to [database] listen. */
static void test_pooler_listen_needs_a_direct_connection(void **state)
{
    struct dbtest *t = *state;
    const char *channels[] = { "kontor_order" };
    char *conninfo = pooled(t);
    char *err = NULL;
    struct db_listen *l = db_listen_open_conninfo(conninfo, "kontor_login", channels, 1, &err);
    struct db *db = open_pooled(t, "kontor_login", 0);
    PGresult *r = PQexec(db_conn(db), "SELECT count(*) FROM pg_listening_channels()");

    assert_null(l);
    assert_non_null(strstr(err, "[database] listen"));
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    db_close(db);
    free(err);
    err = NULL;
    l = db_listen_open_conninfo(t->conninfo, "kontor_login", channels, 1, &err);
    assert_non_null(l);
    assert_int_equal(db_listen_state(l), DB_LISTEN_CONNECTED);
    db_listen_close(l);
    free(conninfo);
}

/* db migrate holds a session advisory lock: only over a direct connection. */
static void test_pooler_migrate_needs_a_direct_connection(void **state)
{
    struct dbtest *t = *state;
    char *dir = xasprintf("%s/sql/migrations", getenv("KONTOR_TOP"));
    struct db *db = open_pooled(t, NULL, 0);
    struct migrate_report rep;
    char *err = NULL;

    assert_false(migrate_run(db, dir, NULL, &rep, &err));
    assert_non_null(strstr(err, "direct connection"));
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM pg_locks "
                                            "WHERE locktype = 'advisory'", 0, NULL), 0);
    free(err);
    err = NULL;
    db_close(db);
    db = db_open_conninfo(t->conninfo, NULL, "kontor-test", 0, &err);
    assert_non_null(db);
    if (!migrate_run(db, dir, NULL, &rep, &err))
        fail_msg("%s", err);
    assert_int_equal(rep.applied, 0);
    assert_true(rep.present > 0);
    db_close(db);
    free(dir);
}

/* Transactions PgBouncer has carried for the test database. */
static long long pooler_xacts(const struct dbtest *t)
{
    char *conninfo = xasprintf("host=127.0.0.1 port=%s dbname=pgbouncer",
                               getenv("KONTOR_TEST_POOLER_PORT"));
    PGconn *c = PQconnectdb(conninfo);
    PGresult *r = PQexec(c, "SHOW STATS_TOTALS"); /* the admin console: simple queries */
    long long n = 0;

    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, PQfnumber(r, "database")), t->dbname) == 0)
            n = strtoll(PQgetvalue(r, i, PQfnumber(r, "xact_count")), NULL, 10);
    PQclear(r);
    PQfinish(c);
    free(conninfo);
    return n;
}

/* A batch command configured with the pooler's conninfo, as cron runs it. */
static void test_pooler_batch_order_show(void **state)
{
    struct dbtest *t = *state;
    char direct[sizeof(t->conninfo)];
    char *conninfo = pooled(t);
    long long before = pooler_xacts(t);
    char *out, *err;
    int st;

    memcpy(direct, t->conninfo, sizeof(direct));
    snprintf(t->conninfo, sizeof(t->conninfo), "%s", conninfo);
    st = dbtest_run_kontor(t, "clerk", "demo\n", "order show K-100001", &out, &err);
    memcpy(t->conninfo, direct, sizeof(direct));
    if (st != 0)
        fail_msg("exit %d: %s", st, err);
    assert_non_null(strstr(out, "K-100001"));
    assert_non_null(strstr(out, "JM4242"));
    /* sign-in (two statements), the session's location, the order */
    assert_true(pooler_xacts(t) >= before + 4);
    free(out);
    free(err);
    free(conninfo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_pooler_transactions_leave_no_session_state),
        DBTEST(test_pooler_cancel_reaches_the_query),
        DBTEST(test_pooler_listen_needs_a_direct_connection),
        DBTEST(test_pooler_migrate_needs_a_direct_connection),
        DBTEST(test_pooler_batch_order_show),
    };
    const char *port = getenv("KONTOR_TEST_POOLER_PORT");

    if (port == NULL || port[0] == '\0') {
        printf("pooler: skipped: PgBouncer not installed\n");
        return 0;
    }
    return cmocka_run_group_tests_name("pooler", tests, NULL, NULL);
}

/* The database layer against a real server: parameters, all-or-nothing
 * transactions, error classes, retries, timeouts, the non-blocking engine,
 * LISTEN/NOTIFY, and reconnecting after the backend was terminated. */
#include "dbtest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/db.h"
#include "kontor/db_async.h"
#include "kontor/db_listen.h"
#include "kontor/xalloc.h"

static struct db *open_as(struct dbtest *t, const char *user, long timeout_ms)
{
    char *err = NULL;
    struct db *db = db_open_conninfo(t->conninfo, user, "kontor-test", timeout_ms, &err);

    if (db == NULL)
        fprintf(stderr, "open_as: %s\n", err);
    assert_non_null(db);
    return db;
}

/* Several statements as the owner (dbtest_ok takes one). */
static void owner_script(struct dbtest *t, const char *sql)
{
    PGresult *r = PQexec(t->owner, sql);

    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s", PQresultErrorMessage(r));
    PQclear(r);
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The staff member exists (demo data, or made here as the owner). */
static char *session_token(struct dbtest *t, const char *user)
{
    const char *p[1] = { user };

    PQclear(dbtest_query(t->owner,
                         "SELECT kontor.staff_add($1, initcap($1), $1, NULL,"
                         " '$argon2id$v=19$x', false) "
                         "WHERE NOT EXISTS (SELECT 1 FROM kontor.staff WHERE username = $1)",
                         1, p));
    return dbtest_session_token(t, user);
}

static void make_session(struct dbtest *t, const char *user, struct db_session *s)
{
    char *token = session_token(t, user);

    memset(s, 0, sizeof(*s));
    assert_true(db_role_parse(user, &s->role));
    snprintf(s->token, sizeof(s->token), "%s", token);
    free(token);
}

/* Waits until the backend process has exited (it leaves pg_stat_activity
 * a little before it closes its socket). */
static void terminate_backend(struct dbtest *t, const char *pid)
{
    const char *p[1] = { pid };

    PQclear(dbtest_query(t->owner, "SELECT pg_terminate_backend($1::int)", 1, p));
    for (int i = 0; i < 500; i++) {
        if (kill((pid_t)atoi(pid), 0) != 0 && errno == ESRCH)
            return;
        usleep(10000);
    }
    fail_msg("backend %s did not go away", pid);
}

static char *backend_pid(struct db *db)
{
    struct db_error e = { 0 };
    PGresult *r = db_exec(db, "SELECT pg_backend_pid()", 0, NULL, &e);
    char *pid;

    if (r == NULL)
        fail_msg("backend_pid: %d %s", e.cls, e.message);
    pid = xstrdup(db_value(r, 0, 0));
    PQclear(r);
    return pid;
}

/* ---- statements -------------------------------------------------------- */

static void test_exec_hostile_parameter_verbatim(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 5000);
    static const char hostile[] = "'); DROP TABLE kontor.staff; --";
    const char *p[1] = { hostile };
    struct db_error e = { 0 };
    PGresult *r;

    dbtest_ok(t->owner, "CREATE TABLE public.note (id int GENERATED ALWAYS AS IDENTITY, "
                        "body text)");
    r = db_exec(db, "INSERT INTO public.note (body) VALUES ($1) RETURNING id, body", 1, p, &e);
    assert_non_null(r);
    assert_string_equal(db_value(r, 0, 1), hostile);
    PQclear(r);
    r = db_exec(db, "SELECT body, length(body) FROM public.note WHERE body = $1", 1, p, &e);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), 1);
    assert_string_equal(db_value(r, 0, 0), hostile);
    assert_int_equal(db_value_ll(r, 0, 1), (long long)strlen(hostile));
    PQclear(r);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.staff WHERE false", 0,
                                  NULL), 0); /* the table is still there */
    r = db_exec(db, "SELECT NULL::text, 7::bigint", 0, NULL, &e);
    assert_true(db_is_null(r, 0, 0));
    assert_string_equal(db_value(r, 0, 0), "");
    assert_int_equal(db_value_ll(r, 0, 1), 7);
    PQclear(r);
    db_close(db);
}

static void test_exec_error_and_timeout_not_session_state(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 300);
    struct db_error e = { 0 };
    PGresult *r;
    long long t0;

    r = db_exec(db, "SELECT current_setting('statement_timeout')", 0, NULL, &e);
    assert_non_null(r);
    assert_string_equal(db_value(r, 0, 0), "300ms");
    PQclear(r);
    t0 = now_ms();
    assert_null(db_exec(db, "SELECT pg_sleep(3)", 0, NULL, &e));
    assert_int_equal(e.cls, DB_ERR_TIMEOUT);
    assert_string_equal(e.sqlstate, "57014");
    assert_true(now_ms() - t0 < 2000);
    /* The connection's session still has the server default: nothing leaks
     * to a pooler's next client. */
    r = PQexec(db_conn(db), "SHOW statement_timeout");
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    assert_null(db_exec(db, "SELECT 1/0", 0, NULL, &e));
    assert_int_equal(e.cls, DB_ERR_INPUT);
    r = db_exec(db, "SELECT 1", 0, NULL, &e);
    assert_non_null(r);
    PQclear(r);
    db_error_clear(&e);
    db_close(db);
}

/* ---- transactions ------------------------------------------------------ */

static void test_run_tx_all_or_nothing(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 5000);
    struct db_error e = { 0 };
    const char *one[1] = { "1" }, *two[1] = { "2" };
    struct db_stmt bad[] = {
        DB_STMT("INSERT INTO public.t (x) VALUES ($1::int)", 1, one),
        DB_STMT("INSERT INTO public.t (x) VALUES ($1::int)", 1, one),
        DB_STMT("SELECT 1", 0, NULL),
    };
    struct db_stmt good[] = {
        DB_STMT("INSERT INTO public.t (x) VALUES ($1::int)", 1, one),
        DB_STMT("INSERT INTO public.t (x) VALUES ($1::int) RETURNING x * 10", 1, two),
    };

    dbtest_ok(t->owner, "CREATE TABLE public.t (x int PRIMARY KEY)");
    assert_false(db_run_tx(db, NULL, bad, 3, &e));
    assert_int_equal(e.cls, DB_ERR_UNIQUE);
    assert_string_equal(e.sqlstate, "23505");
    assert_null(bad[0].res);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM public.t", 0, NULL), 0);
    assert_int_equal(PQtransactionStatus(db_conn(db)), PQTRANS_IDLE);
    assert_true(db_run_tx(db, NULL, good, 2, &e));
    assert_string_equal(db_value(good[1].res, 0, 0), "20");
    db_stmts_clear(good, 2);
    assert_null(good[1].res);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM public.t", 0, NULL), 2);
    db_error_clear(&e);
    db_close(db);
}

static enum db_error_class tx_error(struct db *db, const struct db_session *s, const char *sql)
{
    struct db_stmt st[] = { DB_STMT(sql, 0, NULL) };
    struct db_error e = { 0 };
    enum db_error_class cls;

    assert_false(db_run_tx(db, s, st, 1, &e));
    assert_non_null(e.message);
    cls = e.cls;
    db_error_clear(&e);
    return cls;
}

static void test_error_classes_from_real_violations(void **state)
{
    struct dbtest *t = *state;
    struct db *owner = open_as(t, NULL, 5000);
    struct db *login = open_as(t, "kontor_login", 5000);
    struct db_session clerk;
    struct db_stmt st[] = { DB_STMT("SELECT current_user, current_setting('statement_timeout'), "
                                    "kontor.current_staff_id() IS NOT NULL, "
                                    "current_setting('jit'), "
                                    "current_setting('max_parallel_workers_per_gather')",
                                    0, NULL) };
    struct db_error e = { 0 };

    owner_script(t, "CREATE TABLE public.p (id int PRIMARY KEY);"
                        "CREATE TABLE public.c (id int PRIMARY KEY CHECK (id > 0),"
                        " p int NOT NULL REFERENCES public.p)");
    owner_script(t, "INSERT INTO public.p VALUES (1); INSERT INTO public.c VALUES (1, 1)");
    assert_int_equal(tx_error(owner, NULL, "INSERT INTO public.c VALUES (1, 1)"), DB_ERR_UNIQUE);
    assert_int_equal(tx_error(owner, NULL, "INSERT INTO public.c VALUES (-1, 1)"), DB_ERR_CHECK);
    assert_int_equal(tx_error(owner, NULL, "INSERT INTO public.c VALUES (2, 9)"),
                     DB_ERR_FOREIGN_KEY);
    assert_int_equal(tx_error(owner, NULL, "INSERT INTO public.c VALUES (3, NULL)"),
                     DB_ERR_NOT_NULL);
    assert_int_equal(tx_error(owner, NULL, "SELECT 'x'::int"), DB_ERR_INPUT);

    make_session(t, "clerk", &clerk);
    assert_true(db_run_tx(login, &clerk, st, 1, &e));
    assert_string_equal(db_value(st[0].res, 0, 0), "kontor_clerk");
    assert_string_equal(db_value(st[0].res, 0, 1), "5s");
    assert_string_equal(db_value(st[0].res, 0, 2), "t");
    /* small index-bound actions: no JIT, no parallel workers (design note 15) ... */
    assert_string_equal(db_value(st[0].res, 0, 3), "off");
    assert_string_equal(db_value(st[0].res, 0, 4), "0");
    db_stmts_clear(st, 1);
    /* ... for the transaction only: the connection keeps the server's settings */
    PGresult *after = db_exec(login, "SELECT current_setting('jit'), "
                                     "current_setting('max_parallel_workers_per_gather')",
                              0, NULL, &e);
    PGresult *server = db_exec(owner, "SELECT current_setting('jit'), "
                                      "current_setting('max_parallel_workers_per_gather')",
                               0, NULL, &e);
    assert_non_null(after);
    assert_non_null(server);
    assert_string_equal(db_value(after, 0, 0), db_value(server, 0, 0));
    assert_string_equal(db_value(after, 0, 1), db_value(server, 0, 1));
    assert_string_not_equal(db_value(server, 0, 1), "0");
    PQclear(after);
    PQclear(server);
    assert_int_equal(tx_error(login, &clerk, "SELECT * FROM kontor.staff"), DB_ERR_PERMISSION);
    assert_int_equal(tx_error(login, &clerk,
                              "INSERT INTO kontor.staff (username, display_name, role) "
                              "VALUES ('x', 'x', 'admin')"),
                     DB_ERR_PERMISSION);
    /* A session used with another role's rights is refused. */
    clerk.role = DB_ROLE_ADMIN;
    assert_int_equal(tx_error(login, &clerk, "SELECT 1"), DB_ERR_AUTH);
    memset(clerk.token, 'f', 64);
    clerk.role = DB_ROLE_CLERK;
    assert_int_equal(tx_error(login, &clerk, "SELECT 1"), DB_ERR_AUTH);
    assert_int_equal(PQtransactionStatus(db_conn(login)), PQTRANS_IDLE);
    db_close(login);
    db_close(owner);
}

static void test_run_tx_retries_serialization_failure(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 5000);
    struct db_error e = { 0 };
    struct db_stmt st[] = {
        DB_STMT("INSERT INTO public.runs VALUES (1)", 0, NULL),
        DB_STMT("SELECT public.flaky()", 0, NULL),
    };
    struct db_stmt always[] = { DB_STMT("SELECT public.always_conflicts()", 0, NULL) };

    /* A sequence is not rolled back: it counts the attempts. */
    owner_script(t,
              "CREATE TABLE public.runs (n int); CREATE SEQUENCE public.tries;"
              "CREATE FUNCTION public.flaky() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
              " IF nextval('public.tries') = 1 THEN"
              "  RAISE EXCEPTION 'simulated conflict' USING ERRCODE = '40001'; END IF;"
              " RETURN 42; END $$;"
              "CREATE SEQUENCE public.tries2;"
              "CREATE FUNCTION public.always_conflicts() RETURNS int LANGUAGE plpgsql AS $$"
              " BEGIN PERFORM nextval('public.tries2');"
              " RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$");
    assert_true(db_run_tx(db, NULL, st, 2, &e));
    assert_string_equal(db_value(st[1].res, 0, 0), "42");
    assert_int_equal(dbtest_count(t->owner, "SELECT last_value FROM public.tries", 0, NULL), 2);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM public.runs", 0, NULL), 1);
    db_stmts_clear(st, 2);

    assert_false(db_run_tx(db, NULL, always, 1, &e));
    assert_int_equal(e.cls, DB_ERR_RETRY);
    assert_int_equal(dbtest_count(t->owner, "SELECT last_value FROM public.tries2", 0, NULL), 4);
    db_error_clear(&e);
    db_close(db);
}

/* ---- the non-blocking engine ------------------------------------------- */

/* Drives a as the console's loop would, for at most max_ms. */
static enum db_async_status drive(struct db_async *a, long max_ms, long cancel_after_ms,
                                  struct db_error *err)
{
    long long end = now_ms() + max_ms;
    enum db_async_status st;

    while ((st = db_async_step(a, err)) == DB_ASYNC_BUSY && now_ms() < end) {
        struct pollfd p = { .fd = db_async_fd(a), .events = POLLIN };

        if (db_async_want_write(a))
            p.events |= POLLOUT;
        if (cancel_after_ms >= 0 && db_async_elapsed_ms(a) >= cancel_after_ms) {
            db_async_cancel(a);
            cancel_after_ms = -1;
        }
        poll(&p, 1, 20);
    }
    return st;
}

static void test_async_cancel(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 60000);
    struct db_stmt st[] = { DB_STMT("SELECT pg_sleep(5)", 0, NULL) };
    struct db_error e = { 0 };
    struct db_async *a = db_async_start(db, NULL, st, 1, &e);
    long long t0 = now_ms();
    PGresult *r;

    assert_non_null(a);
    assert_true(db_async_fd(a) >= 0);
    assert_int_equal(drive(a, 3000, 100, &e), DB_ASYNC_FAILED);
    assert_true(now_ms() - t0 < 1500);
    assert_true(db_async_elapsed_ms(a) >= 100);
    assert_int_equal(e.cls, DB_ERR_CANCELED);
    assert_null(st[0].res);
    db_async_free(a);
    assert_int_equal(PQtransactionStatus(db_conn(db)), PQTRANS_IDLE);
    r = db_exec(db, "SELECT 'still usable'", 0, NULL, &e);
    assert_non_null(r);
    PQclear(r);
    db_error_clear(&e);
    db_close(db);
}

static void test_async_equals_sync(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 5000);
    static const char sql[] = "SELECT g, md5(g::text), repeat('x', $1::int) "
                              "FROM generate_series(1, 2000) g";
    const char *p[1] = { "100" };
    struct db_stmt st[] = { DB_STMT(sql, 1, p) };
    struct db_error e = { 0 };
    PGresult *sync = db_exec(db, sql, 1, p, &e);
    struct db_async *a;

    assert_non_null(sync);
    a = db_async_start(db, NULL, st, 1, &e);
    assert_non_null(a);
    assert_int_equal(drive(a, 5000, -1, &e), DB_ASYNC_DONE);
    assert_int_equal(db_async_step(a, &e), DB_ASYNC_DONE); /* final */
    db_async_free(a);
    assert_int_equal(PQntuples(st[0].res), PQntuples(sync));
    assert_int_equal(PQnfields(st[0].res), PQnfields(sync));
    for (int i = 0; i < PQntuples(sync); i++)
        for (int j = 0; j < PQnfields(sync); j++)
            assert_string_equal(db_value(st[0].res, i, j), db_value(sync, i, j));
    PQclear(sync);
    db_stmts_clear(st, 1);

    /* The single-statement variant, and an error through the engine. */
    st[0] = (struct db_stmt)DB_STMT("SELECT 1/0", 0, NULL);
    a = db_async_start_exec(db, &st[0], &e);
    assert_non_null(a);
    assert_int_equal(drive(a, 5000, -1, &e), DB_ASYNC_FAILED);
    assert_int_equal(e.cls, DB_ERR_INPUT);
    db_async_free(a);
    db_error_clear(&e);
    db_close(db);
}

/* ---- reconnecting ------------------------------------------------------ */

static void test_exec_reconnects_after_terminate(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, "kontor_login", 5000);
    struct db_error e = { 0 };
    char *pid = backend_pid(db);
    char *pid2;

    terminate_backend(t, pid);
    pid2 = backend_pid(db);
    assert_string_not_equal(pid, pid2);
    assert_true(db_ok(db));
    free(pid);

    /* The same before a transaction, and for the non-blocking engine. */
    terminate_backend(t, pid2);
    free(pid2);
    struct db_stmt st[] = { DB_STMT("SELECT 'back'", 0, NULL) };
    if (!db_run_tx(db, NULL, st, 1, &e))
        fail_msg("%d %s %s", e.cls, e.sqlstate, e.message);
    assert_string_equal(db_value(st[0].res, 0, 0), "back");
    db_stmts_clear(st, 1);
    pid = backend_pid(db);
    terminate_backend(t, pid);
    free(pid);
    struct db_async *a = db_async_start(db, NULL, st, 1, &e);
    assert_non_null(a);
    assert_int_equal(drive(a, 5000, -1, &e), DB_ASYNC_DONE);
    assert_string_equal(db_value(st[0].res, 0, 0), "back");
    db_async_free(a);
    db_stmts_clear(st, 1);
    db_close(db);
}

static void test_lost_after_commit_sent_is_not_retried(void **state)
{
    struct dbtest *t = *state;
    struct db *db = open_as(t, NULL, 5000);
    struct db_error e = { 0 };
    struct db_stmt st[] = {
        DB_STMT("INSERT INTO public.t VALUES (nextval('public.s'))", 0, NULL),
        DB_STMT("SELECT pg_terminate_backend(pg_backend_pid())", 0, NULL),
    };
    PGresult *r;

    owner_script(t, "CREATE TABLE public.t (x int); CREATE SEQUENCE public.s");
    assert_false(db_run_tx(db, NULL, st, 2, &e));
    assert_int_equal(e.cls, DB_ERR_CONNECTION);
    assert_non_null(strstr(e.message, "may or may not"));
    assert_int_equal(dbtest_count(t->owner, "SELECT last_value FROM public.s", 0, NULL), 1);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM public.t", 0, NULL), 0);
    /* The next call reconnects. */
    r = db_exec(db, "SELECT 1", 0, NULL, &e);
    assert_non_null(r);
    PQclear(r);

    /* A transaction the caller opened is not silently continued outside. */
    r = db_exec(db, "BEGIN", 0, NULL, &e);
    PQclear(r);
    char *pid = backend_pid(db);
    terminate_backend(t, pid);
    free(pid);
    assert_null(db_exec(db, "INSERT INTO public.t VALUES (7)", 0, NULL, &e));
    assert_int_equal(e.cls, DB_ERR_CONNECTION);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM public.t", 0, NULL), 0);
    r = db_exec(db, "SELECT 1", 0, NULL, &e);
    assert_non_null(r);
    PQclear(r);
    db_error_clear(&e);
    db_close(db);
}

/* ---- LISTEN/NOTIFY ----------------------------------------------------- */

struct heard {
    int count;
    char channel[64];
    char payload[64];
};

static void on_notify(void *arg, const char *channel, const char *payload)
{
    struct heard *h = arg;

    h->count++;
    snprintf(h->channel, sizeof(h->channel), "%s", channel);
    snprintf(h->payload, sizeof(h->payload), "%s", payload);
}

/* Polls and drains like the console until cond holds or max_ms passed. */
static bool listen_until(struct db_listen *l, struct heard *h, int want_count, long max_ms)
{
    long long end = now_ms() + max_ms;

    while (now_ms() < end) {
        struct pollfd p = { .fd = db_listen_fd(l), .events = POLLIN };
        int timeout = db_listen_timeout_ms(l);

        if (db_listen_want_write(l))
            p.events |= POLLOUT;
        if (timeout < 0 || timeout > 50)
            timeout = 50;
        poll(&p, 1, timeout);
        db_listen_drain(l, on_notify, h);
        if (want_count < 0 ? db_listen_state(l) == DB_LISTEN_CONNECTED : h->count >= want_count)
            return true;
    }
    return false;
}

static void test_listen_notify_and_reconnect(void **state)
{
    struct dbtest *t = *state;
    static const char *const channels[] = { "order_changed", "odd \"name\"; DROP" };
    struct heard h = { 0 };
    char *err = NULL;
    struct db_listen *l =
        db_listen_open_conninfo(t->conninfo, "kontor_login", channels, 2, &err);
    char *pid;

    if (l == NULL)
        fprintf(stderr, "listen: %s\n", err);
    assert_non_null(l);
    assert_int_equal(db_listen_state(l), DB_LISTEN_CONNECTED);
    assert_true(db_listen_fd(l) >= 0);
    assert_int_equal(db_listen_timeout_ms(l), -1);
    dbtest_ok(t->owner, "SELECT pg_notify('order_changed', '10023')");
    assert_true(listen_until(l, &h, 1, 3000));
    assert_string_equal(h.channel, "order_changed");
    assert_string_equal(h.payload, "10023");
    dbtest_ok(t->owner, "NOTIFY \"odd \"\"name\"\"; DROP\", 'quoted'");
    assert_true(listen_until(l, &h, 2, 3000));
    assert_string_equal(h.channel, "odd \"name\"; DROP");
    assert_string_equal(h.payload, "quoted");
    assert_false(db_listen_resumed(l));

    pid = dbtest_scalar(t->owner, "SELECT pid FROM pg_stat_activity "
                                  "WHERE application_name = 'kontor-listen' "
                                  "AND datname = current_database()",
                        0, NULL);
    assert_non_null(pid);
    terminate_backend(t, pid);
    free(pid);
    listen_until(l, &h, 3, 300); /* notices the loss */
    assert_true(listen_until(l, &h, -1, 5000));
    assert_true(db_listen_resumed(l));
    assert_false(db_listen_resumed(l));
    dbtest_ok(t->owner, "SELECT pg_notify('order_changed', '10024')");
    assert_true(listen_until(l, &h, 3, 3000));
    assert_string_equal(h.payload, "10024");

    /* While the database refuses us, retries wait DB_LISTEN_RETRY_MS. */
    owner_script(t, "DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I "
                    "FROM PUBLIC, kontor_login', current_database()); END $$");
    pid = dbtest_scalar(t->owner, "SELECT pid FROM pg_stat_activity "
                                  "WHERE application_name = 'kontor-listen' "
                                  "AND datname = current_database()",
                        0, NULL);
    terminate_backend(t, pid);
    free(pid);
    listen_until(l, &h, 99, 500);
    assert_int_equal(db_listen_state(l), DB_LISTEN_RECONNECTING);
    assert_int_equal(db_listen_fd(l), -1);
    assert_true(db_listen_timeout_ms(l) > 0 && db_listen_timeout_ms(l) <= DB_LISTEN_RETRY_MS);
    owner_script(t, "DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I "
                    "TO PUBLIC, kontor_login', current_database()); END $$");
    long long t0 = now_ms();
    assert_true(listen_until(l, &h, -1, 5000));
    assert_true(now_ms() - t0 <= DB_LISTEN_RETRY_MS + 500);
    assert_true(db_listen_resumed(l));
    db_listen_close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_exec_hostile_parameter_verbatim),
        DBTEST(test_exec_error_and_timeout_not_session_state),
        DBTEST(test_run_tx_all_or_nothing),
        DBTEST(test_error_classes_from_real_violations),
        DBTEST(test_run_tx_retries_serialization_failure),
        DBTEST(test_async_cancel),
        DBTEST(test_async_equals_sync),
        DBTEST(test_exec_reconnects_after_terminate),
        DBTEST(test_lost_after_commit_sent_is_not_retried),
        DBTEST(test_listen_notify_and_reconnect),
    };

    return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}

/* The report route: report statements on the [database] reports connection
 * with a lag probe in the same round trip, and the decision to fall back to
 * the primary (unreachable, too far behind, session not replayed yet). The
 * first connection is made here with PQconnectPoll; afterwards db_async
 * drives it like the primary's, re-establishing it without blocking. */
#include "kontor/db_reports.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/config.h"
#include "kontor/db_async.h"
#include "kontor/xalloc.h"

struct db_reports {
    struct db *db;        /* read only; connected by the first report */
    long max_lag_ms;      /* 0: however far behind */
    long connect_ms;      /* give up connecting after this */
    long long down_until; /* unreachable: the primary until then (monotonic ms) */
};

struct db_report {
    struct db_reports *r;
    struct db_session session;
    struct db_async *a;     /* NULL while the first connection is being made */
    struct db_stmt *caller; /* results move there when the replica will do */
    size_t n;
    struct db_stmt *all;    /* the probe, then the caller's statements */
    enum db_report_status status;
    struct db_report_origin origin;
    bool want_write;        /* connecting: PQconnectPoll asked to write */
    bool timed_out;         /* gave up connecting */
    long long start;
    struct db_error err;    /* FAILED: why */
};

/* In recovery, and how far behind in ms. All received WAL replayed counts
 * as current: an idle primary sends nothing, however old the last replayed
 * commit is. Otherwise the age of the last replayed commit (NULL when none
 * was replayed since the replica started: behind by an unknown amount). */
static const char sql_probe[] =
    "SELECT pg_is_in_recovery(), "
    "       CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "            WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0 "
    "            ELSE greatest(0, (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) "
    "                              * 1000)::bigint) END";

static const char why_unreachable[] = "the replica cannot be reached";

static long long db_reports_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq leaves connect_timeout to callers that connect without blocking. */
static long db_reports_connect_ms(const char *conninfo)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    long ms = DB_REPORTS_CONNECT_MS;

    for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++) {
        if (strcmp(o->keyword, "connect_timeout") == 0 && o->val != NULL && atol(o->val) > 0)
            ms = (atol(o->val) < 2 ? 2 : atol(o->val)) * 1000; /* libpq's minimum */
    }
    PQconninfoFree(opts);
    return ms;
}

struct db_reports *db_reports_open(const struct config *cfg, char **err)
{
    const char *conninfo = config_get(cfg, "database", "reports");
    struct db_reports *r;
    char *e = NULL;
    long lag = 30000;

    if (!config_get_int(cfg, "database", "reports_max_lag_ms", 0, 3600000, &lag, err))
        return NULL;
    if (conninfo == NULL || conninfo[0] == '\0')
        return NULL;
    r = xcalloc(1, sizeof(*r));
    r->max_lag_ms = lag;
    r->connect_ms = db_reports_connect_ms(conninfo);
    r->db = db_open(cfg, DB_TARGET_REPORTS, &e);
    if (r->db == NULL) {
        *err = xasprintf("[database] reports: %s", e);
        free(e);
        free(r);
        return NULL;
    }
    return r;
}

void db_reports_close(struct db_reports *r)
{
    if (r == NULL)
        return;
    db_close(r->db);
    free(r);
}

/* "0.8 s", "42 s", "5 min", "3 h" */
static void db_reports_duration(long long ms, char *buf, size_t len)
{
    if (ms < 10000)
        snprintf(buf, len, "%lld.%lld s", ms / 1000, ms % 1000 / 100);
    else if (ms < 120000)
        snprintf(buf, len, "%lld s", ms / 1000);
    else if (ms < 7200000)
        snprintf(buf, len, "%lld min", ms / 60000);
    else
        snprintf(buf, len, "%lld h", ms / 3600000);
}

static void db_reports_unreachable(struct db_reports *r, struct db_report_origin *origin)
{
    r->down_until = db_reports_now() + DB_REPORTS_RETRY_MS;
    snprintf(origin->why, sizeof(origin->why), "%s", why_unreachable);
}

/* Sends the probe and the statements over a connection that is made (or
 * lost: db_async re-establishes it). False when not even that starts. */
static bool db_report_send(struct db_report *p)
{
    struct db_error err = { 0 };

    p->a = db_async_start(p->r->db, &p->session, p->all, p->n + 1, &err);
    db_error_clear(&err);
    return p->a != NULL;
}

struct db_report *db_report_start(struct db_reports *r, const struct db_session *session,
                                  struct db_stmt *stmts, size_t n,
                                  struct db_report_origin *origin)
{
    struct db_report *p;
    bool started;

    memset(origin, 0, sizeof(*origin));
    if (db_reports_now() < r->down_until) {
        snprintf(origin->why, sizeof(origin->why), "%s", why_unreachable);
        return NULL;
    }
    p = xcalloc(1, sizeof(*p));
    p->r = r;
    p->session = *session;
    p->caller = stmts;
    p->n = n;
    p->all = xcalloc(n + 1, sizeof(*p->all));
    p->all[0] = (struct db_stmt)DB_STMT(sql_probe, 0, NULL);
    for (size_t i = 0; i < n; i++)
        p->all[i + 1] = (struct db_stmt)DB_STMT(stmts[i].sql, stmts[i].nparams, stmts[i].params);
    p->status = DB_REPORT_BUSY;
    p->start = db_reports_now();
    if (db_conn(r->db) == NULL) {
        started = db_connect_start(r->db, NULL);
        p->want_write = true; /* as if PGRES_POLLING_WRITING */
    } else {
        started = db_report_send(p);
    }
    if (!started) {
        db_reports_unreachable(r, origin);
        db_report_free(p);
        return NULL;
    }
    return p;
}

int db_report_fd(const struct db_report *p)
{
    if (p->status != DB_REPORT_BUSY)
        return -1;
    return p->a != NULL ? db_async_fd(p->a) : PQsocket(db_conn(p->r->db));
}

bool db_report_want_write(const struct db_report *p)
{
    if (p->status != DB_REPORT_BUSY)
        return false;
    return p->a != NULL ? db_async_want_write(p->a) : p->want_write;
}

long db_report_elapsed_ms(const struct db_report *p)
{
    return (long)(db_reports_now() - p->start);
}

/* The replica answered: keep its results unless it is too far behind. */
static enum db_report_status db_report_done(struct db_report *p)
{
    const PGresult *probe = p->all[0].res;
    bool recovery = strcmp(db_value(probe, 0, 0), "t") == 0;
    char lag[32];

    if (recovery && db_is_null(probe, 0, 1)) {
        snprintf(p->origin.why, sizeof(p->origin.why),
                 "the replica is behind by an unknown amount");
    } else if (recovery && p->r->max_lag_ms > 0 && db_value_ll(probe, 0, 1) > p->r->max_lag_ms) {
        db_reports_duration(db_value_ll(probe, 0, 1), lag, sizeof(lag));
        snprintf(p->origin.why, sizeof(p->origin.why), "the replica is %s behind", lag);
    } else {
        for (size_t i = 0; i < p->n; i++) {
            PQclear(p->caller[i].res);
            p->caller[i].res = p->all[i + 1].res;
            p->all[i + 1].res = NULL;
        }
        p->origin.replica = recovery;
        return DB_REPORT_DONE;
    }
    db_stmts_clear(p->all, p->n + 1);
    return DB_REPORT_PRIMARY;
}

/* The replica failed: the primary takes over what the replica cannot do
 * (a lost or refused connection, a session it has not replayed, a query
 * cancelled by a conflict with recovery); anything else (e, taken over) is
 * the caller's to show. */
static enum db_report_status db_report_failed(struct db_report *p, struct db_error *e)
{
    if (p->timed_out || e->cls == DB_ERR_CONNECTION) {
        db_reports_unreachable(p->r, &p->origin);
    } else if (e->cls == DB_ERR_AUTH) {
        snprintf(p->origin.why, sizeof(p->origin.why),
                 "the replica has not yet seen your sign-in");
    } else if (e->cls == DB_ERR_RETRY) {
        snprintf(p->origin.why, sizeof(p->origin.why),
                 "the replica cancelled the query (a conflict with recovery)");
    } else {
        p->err = *e;
        memset(e, 0, sizeof(*e));
        return DB_REPORT_FAILED;
    }
    return DB_REPORT_PRIMARY;
}

static bool db_report_connect_late(struct db_report *p)
{
    ConnStatusType st = PQstatus(db_conn(p->r->db));

    return st != CONNECTION_OK && st != CONNECTION_BAD &&
           db_report_elapsed_ms(p) >= p->r->connect_ms;
}

/* The first connection: PQconnectPoll until it is made, then send. */
static void db_report_step_connect(struct db_report *p)
{
    struct db_error e = { 0 };

    switch (PQconnectPoll(db_conn(p->r->db))) {
    case PGRES_POLLING_OK:
        if (!db_report_send(p))
            p->timed_out = true; /* nothing to tell but "unreachable" */
        break;
    case PGRES_POLLING_FAILED:
        db_error_set(&e, DB_ERR_CONNECTION, "Cannot reach the database.");
        break;
    case PGRES_POLLING_WRITING:
        p->want_write = true;
        break;
    default:
        p->want_write = false;
        break;
    }
    /* libpq leaves connect_timeout to whoever polls. */
    if (p->a == NULL && db_report_connect_late(p))
        p->timed_out = true;
    if (p->timed_out || e.cls != DB_ERR_NONE)
        p->status = db_report_failed(p, &e);
    db_error_clear(&e);
}

/* Over a connection that was made before: db_async does the work, also
 * re-establishing it when lost; a re-connect nobody answers is given up. */
static void db_report_step_async(struct db_report *p)
{
    struct db_error e = { 0 };
    enum db_async_status st = db_async_step(p->a, &e);

    if (st == DB_ASYNC_BUSY && !p->timed_out && db_report_connect_late(p)) {
        p->timed_out = true;
        db_async_cancel(p->a); /* nothing was sent yet: fails at once */
        st = db_async_step(p->a, &e);
    }
    if (st == DB_ASYNC_DONE)
        p->status = db_report_done(p);
    else if (st == DB_ASYNC_FAILED)
        p->status = db_report_failed(p, &e);
    db_error_clear(&e);
}

enum db_report_status db_report_step(struct db_report *p, struct db_report_origin *origin,
                                     struct db_error *err)
{
    if (p->status == DB_REPORT_BUSY && p->a == NULL)
        db_report_step_connect(p);
    else if (p->status == DB_REPORT_BUSY)
        db_report_step_async(p);
    if (p->status == DB_REPORT_DONE || p->status == DB_REPORT_PRIMARY)
        *origin = p->origin;
    if (p->status == DB_REPORT_FAILED && err != NULL) {
        db_error_clear(err);
        db_error_set(err, p->err.cls, "%s", p->err.message ? p->err.message : "");
        memcpy(err->sqlstate, p->err.sqlstate, sizeof(err->sqlstate));
        free(err->detail);
        err->detail = xstrdup(p->err.detail ? p->err.detail : "");
    }
    return p->status;
}

/* Nothing was sent while connecting: a cancel gives up at once. */
void db_report_cancel(struct db_report *p)
{
    struct db_error e = { 0 };

    if (p->status != DB_REPORT_BUSY)
        return;
    if (p->a != NULL) {
        db_async_cancel(p->a);
        return;
    }
    db_error_set(&e, DB_ERR_CANCELED, "Cancelled.");
    p->status = db_report_failed(p, &e);
    db_error_clear(&e);
}

void db_report_free(struct db_report *p)
{
    if (p == NULL)
        return;
    db_async_free(p->a);
    db_stmts_clear(p->all, p->n + 1);
    free(p->all);
    db_error_clear(&p->err);
    explicit_bzero(&p->session, sizeof(p->session));
    free(p);
}

/* Steps a report to its end, blocking in poll() (100 ms at most, for the
 * connect deadline). */
static enum db_report_status db_report_wait(struct db_report *p, struct db_report_origin *origin,
                                            struct db_error *err)
{
    enum db_report_status st;

    while ((st = db_report_step(p, origin, err)) == DB_REPORT_BUSY) {
        struct pollfd pfd = {
            .fd = db_report_fd(p),
            .events = (short)(POLLIN | (db_report_want_write(p) ? POLLOUT : 0)),
        };
        poll(&pfd, pfd.fd >= 0 ? 1 : 0, 100);
    }
    return st;
}

bool db_reports_run(struct db_reports *r, struct db *primary, const struct db_session *session,
                    struct db_stmt *stmts, size_t n, struct db_report_origin *origin,
                    struct db_error *err)
{
    struct db_report_origin o = { 0 };
    struct db_report *p = r != NULL ? db_report_start(r, session, stmts, n, &o) : NULL;
    enum db_report_status st = DB_REPORT_PRIMARY;

    if (p != NULL) {
        st = db_report_wait(p, &o, err);
        db_report_free(p);
    }
    if (origin != NULL)
        *origin = o;
    if (st != DB_REPORT_PRIMARY)
        return st == DB_REPORT_DONE;
    return db_run_tx(primary, session, stmts, n, err);
}

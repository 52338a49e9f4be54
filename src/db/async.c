/* The pipeline engine behind db_run_tx, db_exec and the console's
 * non-blocking queries: sends a transaction in one round trip, collects its
 * results step by step, rolls back, retries, cancels and reconnects. */
#include "kontor/db_async.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/xalloc.h"

enum db_async_phase {
    PHASE_RESET,    /* re-establishing a lost connection (PQresetPoll) */
    PHASE_PIPELINE, /* the pipeline is out; collecting up to the sync */
    PHASE_ROLLBACK, /* a failed transaction block is being closed */
    PHASE_END,
};

#define DB_ASYNC_TRIES 4 /* serialization failures and deadlocks: 3 retries */

struct db_async {
    struct db *db;
    PGconn *conn;
    bool tx; /* BEGIN ... COMMIT around the statements (else as db_exec) */
    bool has_session;
    struct db_session session;
    struct db_stmt *stmts;
    size_t n;

    enum db_async_phase phase;
    enum db_async_status status;
    bool want_write;
    size_t nqueued;  /* queries sent in this attempt (results to expect) */
    size_t npre;     /* queries before stmts[0] */
    size_t query;    /* the query whose results come next */
    bool may_commit; /* all sent incl. COMMIT/sync: a lost connection may have committed */
    bool failed;     /* this attempt failed; err holds why */
    bool canceled;
    int attempts;
    int resets;
    struct db_error err;
    struct timespec start;
};

/* A staff transaction's actions are small and index-bound: starting
 * parallel workers costs more (~10 ms of process start-up on two cores) than
 * the query they would share, and compiling a query with JIT costs ~30 ms
 * each time the planner's estimate for a big table passes jit_above_cost
 * (the home report took 39 ms at 10,000,000 orders with JIT, 6 without). So
 * a staff transaction runs without either. */
static const char sql_tx_session[] = "SELECT set_config('role', $1, true), "
                                     "set_config('statement_timeout', $2, true), "
                                     "set_config('max_parallel_workers_per_gather', '0', true), "
                                     "set_config('jit', 'off', true)";
static const char sql_timeout[] = "SELECT set_config('statement_timeout', $1, true)";
static const char sql_session[] = "SELECT kontor.session_begin($1)";

/* An error libpq found before the server saw anything (bad parameters). */
static void db_async_local_error(struct db_async *a)
{
    if (PQstatus(a->conn) != CONNECTION_OK) {
        db_error_from_result(&a->err, NULL, a->conn);
    } else {
        char *m = xstrdup(PQerrorMessage(a->conn));
        m[strcspn(m, "\n")] = '\0';
        db_error_set(&a->err, DB_ERR_OTHER, "%s", m[0] ? m : "The request could not be sent.");
        free(m);
    }
    a->failed = true;
}

static bool db_async_queue(struct db_async *a, const char *sql, int nparams,
                           const char *const *params)
{
    if (!PQsendQueryParams(a->conn, sql, nparams, NULL, params, NULL, NULL, 0))
        return false;
    a->nqueued++;
    return true;
}

/* Queues the whole transaction and the sync. A query that cannot be queued
 * ends the list early: the server still gets a sync (and no COMMIT), so what
 * was queued runs and is rolled back. Returns false when the connection is
 * gone before anything was queued. */
static bool db_async_send(struct db_async *a)
{
    char timeout[32];
    long ms = db_statement_timeout(a->db);
    const char *p2[2] = { db_role_pg_name(a->session.role), timeout };
    const char *p1[1] = { timeout };
    const char *ps[1] = { a->session.token };
    bool ok = true;

    snprintf(timeout, sizeof(timeout), "%ld", ms);
    a->nqueued = 0;
    a->query = 0;
    a->may_commit = false;
    a->want_write = false;
    if (PQpipelineStatus(a->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(a->conn))
        return false;
    if (a->tx)
        ok = db_async_queue(a, db_read_only(a->db) ? "BEGIN READ ONLY" : "BEGIN", 0, NULL);
    if (ok && a->has_session) {
        ok = db_async_queue(a, sql_tx_session, 2, p2) && db_async_queue(a, sql_session, 1, ps);
    } else if (ok && ms > 0) {
        ok = db_async_queue(a, sql_timeout, 1, p1);
    }
    if (!ok && a->nqueued == 0 && PQstatus(a->conn) != CONNECTION_OK)
        return false;
    a->npre = a->nqueued;
    for (size_t i = 0; ok && i < a->n; i++)
        ok = db_async_queue(a, a->stmts[i].sql, a->stmts[i].nparams, a->stmts[i].params);
    if (ok && a->tx)
        ok = db_async_queue(a, "COMMIT", 0, NULL);
    if (!ok)
        db_async_local_error(a);
    a->may_commit = ok;
    if (!PQpipelineSync(a->conn) && !a->failed)
        db_async_local_error(a);
    a->want_write = PQflush(a->conn) == 1;
    a->phase = PHASE_PIPELINE;
    return true;
}

static void db_async_finish(struct db_async *a, enum db_async_status status)
{
    a->phase = PHASE_END;
    a->status = status;
    a->want_write = false;
    if (status == DB_ASYNC_FAILED) {
        db_stmts_clear(a->stmts, a->n);
        if (a->canceled && a->err.cls != DB_ERR_CONNECTION) {
            a->err.cls = DB_ERR_CANCELED;
            free(a->err.message);
            a->err.message = xstrdup("Cancelled.");
        }
    }
    if (a->conn != NULL && PQstatus(a->conn) == CONNECTION_OK)
        PQsetnonblocking(a->conn, 0);
}

/* The connection broke while results were outstanding. */
static void db_async_lost(struct db_async *a)
{
    if (a->failed && a->err.cls != DB_ERR_CONNECTION) {
        /* The transaction had already failed: the server rolled it back. */
    } else if (a->may_commit) {
        db_error_set(&a->err, DB_ERR_CONNECTION,
                     "The connection to the database was lost; the change may or may not "
                     "have been saved.");
    } else {
        db_error_set(&a->err, DB_ERR_CONNECTION,
                     "The connection to the database was lost; nothing was saved.");
    }
    a->failed = true;
    db_async_finish(a, DB_ASYNC_FAILED);
}

static void db_async_begin_reset(struct db_async *a)
{
    a->resets++;
    a->phase = PHASE_RESET;
    a->want_write = true; /* PQresetStart leaves us as if POLLING_WRITING */
    if (!PQresetStart(a->conn)) {
        db_error_set(&a->err, DB_ERR_CONNECTION, "Cannot reach the database.");
        a->failed = true;
        db_async_finish(a, DB_ASYNC_FAILED);
    }
}

/* Sends (again) over a working connection; a connection found dead before
 * anything was sent is re-established once, then sent to. */
static void db_async_launch(struct db_async *a)
{
    db_error_clear(&a->err);
    a->failed = false;
    if (!db_check(a->db) || !db_async_send(a)) {
        if (a->resets == 0) {
            db_async_begin_reset(a);
            return;
        }
        db_error_set(&a->err, DB_ERR_CONNECTION, "Cannot reach the database.");
        a->failed = true;
        db_async_finish(a, DB_ASYNC_FAILED);
        return;
    }
    a->attempts++;
    PQsetnonblocking(a->conn, 1);
    a->want_write = PQflush(a->conn) == 1;
}

static struct db_async *db_async_new(struct db *db, const struct db_session *session,
                                     struct db_stmt *stmts, size_t n, bool tx)
{
    struct db_async *a = xcalloc(1, sizeof(*a));

    a->db = db;
    a->conn = db_conn(db);
    a->tx = tx;
    if (session != NULL) {
        a->has_session = true;
        a->session = *session;
    }
    a->stmts = stmts;
    a->n = n;
    a->status = DB_ASYNC_BUSY;
    clock_gettime(CLOCK_MONOTONIC, &a->start);
    db_stmts_clear(stmts, n);
    return a;
}

static struct db_async *db_async_run(struct db_async *a, struct db_error *err)
{
    if (a->conn == NULL) {
        db_error_set(err, DB_ERR_CONNECTION, "Not connected to the database.");
        db_async_free(a);
        return NULL;
    }
    /* Sends straight away: a send is blocking only until the kernel takes it. */
    PQsetnonblocking(a->conn, 1);
    db_async_launch(a);
    if (a->status == DB_ASYNC_FAILED) {
        if (err != NULL) {
            *err = a->err;
            memset(&a->err, 0, sizeof(a->err));
        }
        db_async_free(a);
        return NULL;
    }
    return a;
}

struct db_async *db_async_start(struct db *db, const struct db_session *session,
                                struct db_stmt *stmts, size_t n, struct db_error *err)
{
    return db_async_run(db_async_new(db, session, stmts, n, true), err);
}

struct db_async *db_async_start_exec(struct db *db, struct db_stmt *stmt, struct db_error *err)
{
    return db_async_run(db_async_new(db, NULL, stmt, 1, false), err);
}

int db_async_fd(const struct db_async *a)
{
    return a->phase == PHASE_END || a->conn == NULL ? -1 : PQsocket(a->conn);
}

bool db_async_want_write(const struct db_async *a)
{
    return a->want_write;
}

long db_async_elapsed_ms(const struct db_async *a)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - a->start.tv_sec) * 1000 +
           (now.tv_nsec - a->start.tv_nsec) / 1000000;
}

static void db_async_step_reset(struct db_async *a)
{
    switch (PQresetPoll(a->conn)) {
    case PGRES_POLLING_OK:
        a->want_write = false;
        db_async_launch(a);
        break;
    case PGRES_POLLING_FAILED:
        db_error_set(&a->err, DB_ERR_CONNECTION, "Cannot reach the database.");
        a->failed = true;
        db_async_finish(a, DB_ASYNC_FAILED);
        break;
    case PGRES_POLLING_WRITING:
        a->want_write = true;
        break;
    default:
        a->want_write = false;
        break;
    }
}

/* Keeps the results of the caller's statements and the first error. */
static void db_async_take(struct db_async *a, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    size_t q = a->query;

    if (st == PGRES_FATAL_ERROR && !a->failed) {
        db_error_from_result(&a->err, res, a->conn);
        a->failed = true;
    }
    if (!a->failed && st != PGRES_PIPELINE_ABORTED && q >= a->npre && q < a->npre + a->n) {
        PQclear(a->stmts[q - a->npre].res);
        a->stmts[q - a->npre].res = res;
        return;
    }
    PQclear(res);
}

/* The transaction is over on the server: done, retried, or failed. */
static void db_async_decide(struct db_async *a)
{
    if (!a->failed) {
        db_async_finish(a, DB_ASYNC_DONE);
    } else if (a->tx && a->err.cls == DB_ERR_RETRY && !a->canceled &&
               a->attempts < DB_ASYNC_TRIES) {
        db_stmts_clear(a->stmts, a->n);
        db_async_launch(a);
    } else {
        db_async_finish(a, DB_ASYNC_FAILED);
    }
}

/* The pipeline is through: close a transaction block left open by an
 * error (the sync does not end an explicit block), then decide. */
static void db_async_after_sync(struct db_async *a)
{
    PQexitPipelineMode(a->conn);
    if (a->tx && PQtransactionStatus(a->conn) != PQTRANS_IDLE) {
        if (!a->failed) {
            db_error_set(&a->err, DB_ERR_OTHER, "The transaction did not commit.");
            a->failed = true;
        }
        if (PQsendQuery(a->conn, "ROLLBACK")) {
            a->phase = PHASE_ROLLBACK;
            a->want_write = PQflush(a->conn) == 1;
            return;
        }
    }
    db_async_decide(a);
}

static void db_async_step_pipeline(struct db_async *a)
{
    while (a->phase == PHASE_PIPELINE && !PQisBusy(a->conn)) {
        PGresult *res = PQgetResult(a->conn);

        if (res == NULL) {
            if (PQstatus(a->conn) != CONNECTION_OK) {
                db_async_lost(a);
                return;
            }
            a->query++; /* the end of one query's results */
            continue;
        }
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            db_async_after_sync(a);
            return;
        }
        db_async_take(a, res);
    }
}

static void db_async_step_rollback(struct db_async *a)
{
    while (!PQisBusy(a->conn)) {
        PGresult *res = PQgetResult(a->conn);

        if (res == NULL) {
            if (PQstatus(a->conn) != CONNECTION_OK) {
                db_async_lost(a);
                return;
            }
            db_async_decide(a);
            return;
        }
        PQclear(res);
    }
}

static void db_async_discard_notifies(PGconn *conn)
{
    PGnotify *n;

    while ((n = PQnotifies(conn)) != NULL)
        PQfreemem(n);
}

enum db_async_status db_async_step(struct db_async *a, struct db_error *err)
{
    if (a->phase == PHASE_RESET)
        db_async_step_reset(a);
    if (a->phase == PHASE_PIPELINE || a->phase == PHASE_ROLLBACK) {
        if (a->want_write) {
            int r = PQflush(a->conn);
            if (r < 0) {
                db_async_lost(a);
                goto out;
            }
            a->want_write = r == 1;
        }
        if (!PQconsumeInput(a->conn)) {
            db_async_lost(a);
            goto out;
        }
        db_async_discard_notifies(a->conn);
        if (a->phase == PHASE_PIPELINE)
            db_async_step_pipeline(a);
        else
            db_async_step_rollback(a);
    }
out:
    if (a->status == DB_ASYNC_FAILED && err != NULL && err != &a->err) {
        db_error_clear(err);
        err->cls = a->err.cls;
        memcpy(err->sqlstate, a->err.sqlstate, sizeof(err->sqlstate));
        err->message = xstrdup(a->err.message ? a->err.message : "");
        err->detail = xstrdup(a->err.detail ? a->err.detail : "");
    }
    return a->status;
}

void db_async_cancel(struct db_async *a)
{
    char buf[256];
    PGcancel *c;

    if (a->phase == PHASE_END || a->canceled)
        return;
    a->canceled = true;
    if (a->phase == PHASE_RESET) {
        /* Nothing was sent: give up; the next use reconnects again. */
        db_error_set(&a->err, DB_ERR_CANCELED, "Cancelled.");
        a->failed = true;
        db_async_finish(a, DB_ASYNC_FAILED);
        return;
    }
    c = PQgetCancel(a->conn);
    if (c != NULL) {
        PQcancel(c, buf, sizeof(buf));
        PQfreeCancel(c);
    }
}

bool db_async_wait(struct db_async *a, struct db_error *err)
{
    for (;;) {
        enum db_async_status st = db_async_step(a, err);
        struct pollfd p;

        if (st != DB_ASYNC_BUSY)
            return st == DB_ASYNC_DONE;
        p.fd = db_async_fd(a);
        p.events = (short)(POLLIN | (a->want_write ? POLLOUT : 0));
        p.revents = 0;
        if (p.fd < 0)
            continue;
        if (poll(&p, 1, -1) < 0 && errno != EINTR) {
            db_error_set(&a->err, DB_ERR_OTHER, "poll: %s", strerror(errno));
            a->failed = true;
            db_async_finish(a, DB_ASYNC_FAILED);
        }
    }
}

void db_async_free(struct db_async *a)
{
    if (a == NULL)
        return;
    if (a->phase != PHASE_END) {
        db_async_cancel(a);
        db_async_wait(a, NULL);
    }
    explicit_bzero(&a->session, sizeof(a->session));
    db_error_clear(&a->err);
    free(a);
}

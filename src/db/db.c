/* libpq connections, statements with parameters, SQLSTATE to message, and
 * staff transactions pipelined into one round trip. Sending and collecting
 * live in async.c; the blocking calls here wait on that same engine. */
#include "kontor/db.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/config.h"
#include "kontor/db_async.h"
#include "kontor/xalloc.h"

struct db {
    PGconn *conn;
    char *conninfo;
    char *user;
    char *appname;
    long timeout_ms;
    bool caller_tx; /* the caller left a transaction block open (BEGIN via db_exec*) */
    bool read_only; /* DB_TARGET_REPORTS: transactions begin READ ONLY */
};

static const char *const role_names[DB_ROLE_COUNT] = {
    [DB_ROLE_CLERK] = "clerk",
    [DB_ROLE_SERVICE] = "service",
    [DB_ROLE_MANAGER] = "manager",
    [DB_ROLE_ADMIN] = "admin",
};

static const char *const role_pg_names[DB_ROLE_COUNT] = {
    [DB_ROLE_CLERK] = "kontor_clerk",
    [DB_ROLE_SERVICE] = "kontor_service",
    [DB_ROLE_MANAGER] = "kontor_manager",
    [DB_ROLE_ADMIN] = "kontor_admin",
};

const char *db_role_name(enum db_role role)
{
    return role < DB_ROLE_COUNT ? role_names[role] : "?";
}

const char *db_role_pg_name(enum db_role role)
{
    return role < DB_ROLE_COUNT ? role_pg_names[role] : "";
}

bool db_role_parse(const char *name, enum db_role *out)
{
    for (int r = 0; r < DB_ROLE_COUNT; r++) {
        if (strcmp(name, role_names[r]) == 0) {
            *out = (enum db_role)r;
            return true;
        }
    }
    return false;
}

/* ---- errors ---------------------------------------------------------- */

void db_error_clear(struct db_error *err)
{
    if (err == NULL)
        return;
    free(err->message);
    free(err->detail);
    memset(err, 0, sizeof(*err));
}

void db_error_set(struct db_error *err, enum db_error_class cls, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    db_error_clear(err);
    err->cls = cls;
    va_start(ap, fmt);
    err->message = xvasprintf(fmt, ap);
    va_end(ap);
    err->detail = xstrdup("");
}

enum db_error_class db_error_classify(const char *sqlstate, const char *message)
{
    static const struct {
        const char *prefix;
        enum db_error_class cls;
    } map[] = {
        { "23505", DB_ERR_UNIQUE },     { "23503", DB_ERR_FOREIGN_KEY },
        { "23502", DB_ERR_NOT_NULL },   { "23", DB_ERR_CHECK },
        { "42501", DB_ERR_PERMISSION }, { "28", DB_ERR_AUTH },
        { "40001", DB_ERR_RETRY },      { "40P01", DB_ERR_RETRY },
        { "08", DB_ERR_CONNECTION },    { "57P01", DB_ERR_CONNECTION },
        { "57P02", DB_ERR_CONNECTION }, { "57P03", DB_ERR_CONNECTION },
        { "22", DB_ERR_INPUT },         { "P0002", DB_ERR_NOT_FOUND },
        { "KX409", DB_ERR_CONFLICT },   { "KX404", DB_ERR_NOT_FOUND },
    };

    if (sqlstate == NULL || sqlstate[0] == '\0')
        return DB_ERR_CONNECTION;
    if (strcmp(sqlstate, "57014") == 0)
        return message != NULL && strstr(message, "statement timeout") ? DB_ERR_TIMEOUT
                                                                       : DB_ERR_CANCELED;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strncmp(sqlstate, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].cls;
    return DB_ERR_OTHER;
}

/* The server's own text is kept for integrity rules (our triggers write
 * messages for people); the rest get a sentence of ours. */
static char *db_error_sentence(enum db_error_class cls, const char *server_msg)
{
    switch (cls) {
    case DB_ERR_CONNECTION:
        return xstrdup("The connection to the database was lost.");
    case DB_ERR_UNIQUE:
        return xasprintf("That already exists: %s.", server_msg);
    case DB_ERR_PERMISSION:
        return xstrdup("Your role is not allowed to do that.");
    case DB_ERR_RETRY:
        return xstrdup("The database was busy with a conflicting change; please try again.");
    case DB_ERR_CANCELED:
        return xstrdup("Cancelled.");
    case DB_ERR_TIMEOUT:
        return xstrdup("The database took too long and the request was stopped.");
    default:
        return xstrdup(server_msg);
    }
}

void db_error_from_result(struct db_error *err, const PGresult *res, const PGconn *conn)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    char msg[512];

    if (err == NULL)
        return;
    db_error_clear(err);
    if (primary == NULL) {
        const char *m = res ? PQresultErrorMessage(res) : "";
        if ((m == NULL || m[0] == '\0') && conn != NULL)
            m = PQerrorMessage(conn);
        snprintf(msg, sizeof(msg), "%s", m && m[0] ? m : "unknown database error");
        msg[strcspn(msg, "\n")] = '\0';
        primary = msg;
    }
    if (conn != NULL && PQstatus(conn) == CONNECTION_BAD)
        state = NULL;
    err->cls = db_error_classify(state, primary);
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state ? state : "");
    err->message = db_error_sentence(err->cls, primary);
    if (detail != NULL && hint != NULL)
        err->detail = xasprintf("%s %s", detail, hint);
    else
        err->detail = xstrdup(detail ? detail : hint ? hint : "");
}

/* ---- connections ----------------------------------------------------- */

/* libpq prints notices (and a terminated backend's farewell) to stderr,
 * which would scribble over the console's screen. Errors reach callers as
 * results; notices are not shown. */
static void db_notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* wait false: only starts connecting (PQconnectStartParams, see
 * db_connect_start). */
static bool db_connect(struct db *db, bool wait, char **err)
{
    const char *keys[] = { "user", "dbname", "application_name", "connect_timeout", NULL };
    const char *vals[] = { db->user, db->conninfo, db->appname, "10", NULL };

    if (db->user == NULL) {
        keys[0] = "dbname";
        vals[0] = db->conninfo;
        keys[1] = "application_name";
        vals[1] = db->appname;
        keys[2] = "connect_timeout";
        vals[2] = "10";
        keys[3] = NULL;
    }
    db->conn = wait ? PQconnectdbParams(keys, vals, 1) : PQconnectStartParams(keys, vals, 1);
    if (db->conn == NULL)
        fatal("out of memory connecting to the database");
    PQsetNoticeProcessor(db->conn, db_notice_ignore, NULL);
    if (wait ? PQstatus(db->conn) != CONNECTION_OK : PQstatus(db->conn) == CONNECTION_BAD) {
        char *m = xstrdup(PQerrorMessage(db->conn));
        m[strcspn(m, "\n")] = '\0';
        if (err != NULL)
            *err = xasprintf("cannot connect to the database: %s", m);
        free(m);
        PQfinish(db->conn);
        db->conn = NULL;
        return false;
    }
    return true;
}

static struct db *db_new(const char *conninfo, const char *user, const char *appname,
                         long statement_timeout_ms)
{
    struct db *db = xcalloc(1, sizeof(*db));

    db->conninfo = xstrdup(conninfo ? conninfo : "");
    db->user = user && user[0] ? xstrdup(user) : NULL;
    db->appname = xstrdup(appname ? appname : "kontor");
    db->timeout_ms = statement_timeout_ms;
    return db;
}

struct db *db_open_conninfo(const char *conninfo, const char *user, const char *appname,
                            long statement_timeout_ms, char **err)
{
    struct db *db = db_new(conninfo, user, appname, statement_timeout_ms);

    if (!db_connect(db, true, err)) {
        db_close(db);
        return NULL;
    }
    return db;
}

/* Nothing is connected yet (db_connect_start does it): a replica that is
 * down must not hold up the console. */
static struct db *db_open_reports(const char *conninfo, const char *user, const char *appname,
                                  long statement_timeout_ms, char **err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
    struct db *db;

    if (opts == NULL) {
        char *m = xstrdup(msg ? msg : "out of memory");
        m[strcspn(m, "\n")] = '\0';
        *err = xasprintf("bad connection string: %s", m);
        free(m);
        PQfreemem(msg);
        return NULL;
    }
    PQconninfoFree(opts);
    db = db_new(conninfo, user, appname, statement_timeout_ms);
    db->read_only = true;
    return db;
}

bool db_connect_start(struct db *db, char **err)
{
    if (db->conn != NULL)
        PQfinish(db->conn);
    db->conn = NULL;
    return db_connect(db, false, err);
}

struct db *db_open(const struct config *cfg, enum db_target target, char **err)
{
    const char *conninfo = config_get(cfg, "database", "conninfo");
    const char *user = config_get(cfg, "database", "login_user");
    const char *app = config_get(cfg, "database", "application_name");
    long timeout = 15000;

    if (!config_get_int(cfg, "database", "statement_timeout_ms", 0, 3600000, &timeout, err))
        return NULL;
    if (target == DB_TARGET_OWNER) {
        conninfo = config_get(cfg, "database", "owner");
        user = NULL;
    } else if (target == DB_TARGET_REPORTS) {
        const char *rep = config_get(cfg, "database", "reports");
        if (rep != NULL && rep[0] != '\0')
            conninfo = rep;
        return db_open_reports(conninfo, user, app, timeout, err);
    }
    return db_open_conninfo(conninfo, user, app, timeout, err);
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    if (db->conn != NULL)
        PQfinish(db->conn);
    free(db->conninfo);
    free(db->user);
    free(db->appname);
    free(db);
}

PGconn *db_conn(struct db *db)
{
    return db->conn;
}

bool db_ok(const struct db *db)
{
    return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

bool db_reconnect(struct db *db)
{
    db->caller_tx = false;
    if (db->conn != NULL) {
        PQreset(db->conn);
        if (PQstatus(db->conn) != CONNECTION_OK)
            return false;
        PQsetnonblocking(db->conn, 0); /* a lost async operation may have left it on */
        return true;
    }
    return db_connect(db, true, NULL);
}

bool db_check(struct db *db)
{
    struct pollfd p;
    PGnotify *n;

    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
        return false;
    /* An idle connection has nothing to say unless the server closed it
     * (a terminated backend sends its FATAL error, then the end of the
     * stream: two reads) or sent a notification, which is not wanted here. */
    for (int i = 0; i < 8; i++) {
        p.fd = PQsocket(db->conn);
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 0) <= 0)
            break;
        if (!PQconsumeInput(db->conn))
            return false;
        while ((n = PQnotifies(db->conn)) != NULL)
            PQfreemem(n);
    }
    return PQstatus(db->conn) == CONNECTION_OK;
}

long db_statement_timeout(const struct db *db)
{
    return db->timeout_ms;
}

bool db_read_only(const struct db *db)
{
    return db->read_only;
}

bool db_backend_direct(PGconn *conn, const char *pid)
{
    return pid != NULL && PQbackendPID(conn) != 0 && strtol(pid, NULL, 10) == PQbackendPID(conn);
}

/* ---- statements ------------------------------------------------------ */

static bool db_result_ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/* Remembers whether the caller keeps a transaction open; a lost connection
 * (status unknown) keeps what was known, so db_ensure can refuse once. */
static void db_note_caller_tx(struct db *db)
{
    PGTransactionStatusType st = db->conn ? PQtransactionStatus(db->conn) : PQTRANS_UNKNOWN;

    if (st != PQTRANS_UNKNOWN)
        db->caller_tx = st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

static const char msg_lost_in_tx[] = "The connection to the database was lost in the middle "
                                     "of a transaction; none of it was saved.";

/* A dead connection is re-established once before anything is sent; but
 * not when the caller had a transaction open on it: that transaction is
 * gone, and running the next statement outside it would be wrong. */
static bool db_ensure(struct db *db, struct db_error *err)
{
    if (db_check(db))
        return true;
    if (db->caller_tx) {
        db->caller_tx = false;
        db_error_set(err, DB_ERR_CONNECTION, "%s", msg_lost_in_tx);
        return false;
    }
    if (!db_reconnect(db)) {
        db_error_set(err, DB_ERR_CONNECTION, "Cannot reach the database.");
        return false;
    }
    return true;
}

/* The statement timeout travels with each statement as a transaction-local
 * set_config in the same pipeline (one round trip), not as a session SET or
 * a startup option: a transaction-pooling PgBouncer rejects the "options"
 * startup parameter (or drops it when told to ignore it) and would leak a
 * session SET to whichever client gets the server connection next. */
PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params,
                  struct db_error *err)
{
    struct db_stmt stmt = DB_STMT(sql, nparams, params);
    struct db_async *a;
    bool ok;

    if (!db_ensure(db, err))
        return NULL;
    a = db_async_start_exec(db, &stmt, err);
    if (a == NULL)
        return NULL;
    ok = db_async_wait(a, err);
    db_async_free(a);
    if (!ok && db->caller_tx && !db_ok(db)) {
        db->caller_tx = false; /* the next call may reconnect: the caller knows */
        db_error_set(err, DB_ERR_CONNECTION, "%s", msg_lost_in_tx);
    }
    db_note_caller_tx(db);
    if (!ok) {
        PQclear(stmt.res);
        return NULL;
    }
    return stmt.res;
}

/* No timeout here: scripts are migrations run by the owner from the
 * command line, and a big table may legitimately take long. */
bool db_exec_script(struct db *db, const char *sql, struct db_error *err)
{
    PGresult *res;
    bool ok;

    if (db->conn == NULL) {
        db_error_set(err, DB_ERR_CONNECTION, "Not connected to the database.");
        return false;
    }
    res = PQexec(db->conn, sql);
    ok = db_result_ok(res);
    if (!ok)
        db_error_from_result(err, res, db->conn);
    PQclear(res);
    db_note_caller_tx(db);
    return ok;
}

void db_stmts_clear(struct db_stmt *stmts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PQclear(stmts[i].res);
        stmts[i].res = NULL;
    }
}

bool db_run_tx(struct db *db, const struct db_session *session, struct db_stmt *stmts,
               size_t n, struct db_error *err)
{
    struct db_async *a;
    bool ok;

    if (!db_ensure(db, err))
        return false;
    a = db_async_start(db, session, stmts, n, err);
    if (a == NULL)
        return false;
    ok = db_async_wait(a, err);
    db_async_free(a);
    return ok;
}

/* ---- results ----------------------------------------------------------- */

const char *db_value(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col);
}

bool db_is_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) != 0;
}

long long db_value_ll(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

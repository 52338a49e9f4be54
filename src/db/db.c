/* libpq connections, statements with parameters, SQLSTATE to message, and
 * staff transactions pipelined into one round trip. The console's
 * non-blocking variants live in async.c and share the statement list. */
#include "kontor/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/config.h"
#include "kontor/xalloc.h"

struct db {
    PGconn *conn;
    char *conninfo;
    char *user;
    char *appname;
    long timeout_ms;
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

static bool db_connect(struct db *db, char **err)
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
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (db->conn == NULL)
        fatal("out of memory connecting to the database");
    if (PQstatus(db->conn) != CONNECTION_OK) {
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

struct db *db_open_conninfo(const char *conninfo, const char *user, const char *appname,
                            long statement_timeout_ms, char **err)
{
    struct db *db = xcalloc(1, sizeof(*db));

    db->conninfo = xstrdup(conninfo ? conninfo : "");
    db->user = user && user[0] ? xstrdup(user) : NULL;
    db->appname = xstrdup(appname ? appname : "kontor");
    db->timeout_ms = statement_timeout_ms;
    if (!db_connect(db, err)) {
        db_close(db);
        return NULL;
    }
    return db;
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
    if (db->conn != NULL) {
        PQreset(db->conn);
        return PQstatus(db->conn) == CONNECTION_OK;
    }
    return db_connect(db, NULL);
}

/* ---- statements ------------------------------------------------------ */

static bool db_result_ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params,
                  struct db_error *err)
{
    PGresult *res;

    if (!db_ok(db) && !db_reconnect(db)) {
        db_error_set(err, DB_ERR_CONNECTION, "The connection to the database was lost.");
        return NULL;
    }
    res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!db_result_ok(res)) {
        db_error_from_result(err, res, db->conn);
        PQclear(res);
        return NULL;
    }
    return res;
}

bool db_exec_script(struct db *db, const char *sql, struct db_error *err)
{
    PGresult *res = PQexec(db->conn, sql);
    bool ok = db_result_ok(res);

    if (!ok)
        db_error_from_result(err, res, db->conn);
    PQclear(res);
    return ok;
}

void db_stmts_clear(struct db_stmt *stmts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PQclear(stmts[i].res);
        stmts[i].res = NULL;
    }
}

/* Sends the whole transaction as one pipeline. Returns false only when the
 * pipeline could not be sent (connection). */
static bool db_tx_send(struct db *db, const struct db_session *session, struct db_stmt *stmts,
                       size_t n)
{
    char timeout[32];
    const char *setp[2] = { NULL, timeout };
    const char *sessp[1] = { NULL };

    snprintf(timeout, sizeof(timeout), "%ld", db->timeout_ms);
    if (!PQenterPipelineMode(db->conn))
        return false;
    PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    if (session != NULL) {
        setp[0] = db_role_pg_name(session->role);
        sessp[0] = session->token;
        PQsendQueryParams(db->conn,
                          "SELECT set_config('role', $1, true), "
                          "set_config('statement_timeout', $2, true)",
                          2, NULL, setp, NULL, NULL, 0);
        PQsendQueryParams(db->conn, "SELECT kontor.session_begin($1)", 1, NULL, sessp, NULL,
                          NULL, 0);
    }
    for (size_t i = 0; i < n; i++)
        PQsendQueryParams(db->conn, stmts[i].sql, stmts[i].nparams, NULL, stmts[i].params,
                          NULL, NULL, 0);
    PQsendQueryParams(db->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
    return PQpipelineSync(db->conn) == 1;
}

/* Collects the results of one query of the pipeline: the last non-NULL
 * result, or NULL when the connection broke. */
static PGresult *db_tx_next(struct db *db)
{
    PGresult *last = NULL, *res;

    while ((res = PQgetResult(db->conn)) != NULL) {
        PQclear(last);
        last = res;
    }
    return last;
}

static bool db_tx_collect(struct db *db, const struct db_session *session, struct db_stmt *stmts,
                          size_t n, struct db_error *err)
{
    size_t pre = session != NULL ? 3 : 1;
    size_t total = pre + n + 1;
    bool failed = false;

    for (size_t i = 0; i < total; i++) {
        PGresult *res = db_tx_next(db);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

        if (res == NULL && PQstatus(db->conn) == CONNECTION_BAD) {
            db_error_from_result(err, NULL, db->conn);
            return false;
        }
        if (st == PGRES_FATAL_ERROR && !failed) {
            db_error_from_result(err, res, db->conn);
            failed = true;
        }
        if (!failed && i >= pre && i < pre + n)
            stmts[i - pre].res = res;
        else
            PQclear(res);
    }
    /* The sync marker. */
    PGresult *sync = PQgetResult(db->conn);
    PQclear(sync);
    PQexitPipelineMode(db->conn);
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        PGresult *rb = PQexec(db->conn, "ROLLBACK");
        PQclear(rb);
    }
    if (failed)
        db_stmts_clear(stmts, n);
    return !failed;
}

bool db_run_tx(struct db *db, const struct db_session *session, struct db_stmt *stmts,
               size_t n, struct db_error *err)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        struct db_error e = { 0 };

        if (!db_ok(db) && !db_reconnect(db)) {
            db_error_set(err, DB_ERR_CONNECTION, "The connection to the database was lost.");
            return false;
        }
        if (!db_tx_send(db, session, stmts, n)) {
            db_error_from_result(err, NULL, db->conn);
            if (PQpipelineStatus(db->conn) != PQ_PIPELINE_OFF)
                PQexitPipelineMode(db->conn);
            return false;
        }
        if (db_tx_collect(db, session, stmts, n, &e)) {
            db_error_clear(&e);
            return true;
        }
        if (e.cls != DB_ERR_RETRY || attempt == 3) {
            if (err != NULL)
                *err = e;
            else
                db_error_clear(&e);
            return false;
        }
        db_error_clear(&e);
    }
    return false;
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

/* The database layer: connections, statements with parameters only, one
 * place that turns results and SQLSTATEs into messages people understand,
 * transactions run as a signed-in staff member, and (db_async.h) the
 * non-blocking variants the console's poll() loop drives. */
#ifndef KONTOR_DB_H
#define KONTOR_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct config;

enum db_target {
    DB_TARGET_CONSOLE, /* [database] conninfo as [database] login_user (kontor_login) */
    DB_TARGET_OWNER,   /* [database] owner: the database owner, for db migrate */
    DB_TARGET_REPORTS, /* [database] reports, falling back to CONSOLE when unset;
                          read only, and not connected yet (db_connect_start) */
};

enum db_error_class {
    DB_ERR_NONE = 0,
    DB_ERR_CONNECTION, /* connection lost or refused */
    DB_ERR_UNIQUE,     /* 23505 */
    DB_ERR_CHECK,      /* 23514 and other integrity rules held by the database */
    DB_ERR_FOREIGN_KEY,
    DB_ERR_NOT_NULL,
    DB_ERR_PERMISSION, /* 42501 */
    DB_ERR_AUTH,       /* 28000, 28P01: session or sign-in refused */
    DB_ERR_RETRY,      /* 40001, 40P01: serialization failure or deadlock */
    DB_ERR_CANCELED,   /* 57014 from a cancel request */
    DB_ERR_TIMEOUT,    /* 57014 from statement_timeout */
    DB_ERR_CONFLICT,   /* optimistic-lock conflict (row version moved) */
    DB_ERR_NOT_FOUND,
    DB_ERR_INPUT,      /* 22xxx: invalid input */
    DB_ERR_OTHER,
};

/* An error for people: message is one readable sentence; detail is
 * the server's detail or hint (may be empty). Owned by the struct. */
struct db_error {
    enum db_error_class cls;
    char sqlstate[6];
    char *message;
    char *detail;
};

void db_error_clear(struct db_error *err);
void db_error_set(struct db_error *err, enum db_error_class cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fills err from a failed result (res may be NULL: then from the connection). */
void db_error_from_result(struct db_error *err, const PGresult *res, const PGconn *conn);
/* The class of a SQLSTATE (exposed for tests). */
enum db_error_class db_error_classify(const char *sqlstate, const char *message);

struct db;

/* Opens a connection; NULL with *err (caller frees) on failure. Sets
 * application_name; statement_timeout (0: none) is applied per transaction
 * by db_exec and db_run_tx (never as session state: see db_exec).
 * DB_TARGET_REPORTS checks the connection string but does not connect:
 * db_connect_start does that without blocking (the blocking calls connect
 * on first use, as after a lost connection). */
struct db *db_open(const struct config *cfg, enum db_target target, char **err);
/* Starts a new connection without waiting (PQconnectStartParams), dropping
 * any old one: poll db_conn(db) with PQconnectPoll until it is made. False
 * with *err (caller frees; err may be NULL) when it cannot even start. */
bool db_connect_start(struct db *db, char **err);
/* Opens from an explicit conninfo (tests, tools). user may be NULL. */
struct db *db_open_conninfo(const char *conninfo, const char *user, const char *appname,
                            long statement_timeout_ms, char **err);
void db_close(struct db *db);
PGconn *db_conn(struct db *db);
bool db_ok(const struct db *db);
/* Re-establishes a lost connection (blocking PQreset); true when connected. */
bool db_reconnect(struct db *db);
/* Without a round trip: reads whatever the server already sent and says
 * whether the connection is still usable (a terminated backend has closed
 * it). Notifications on this connection are discarded. */
bool db_check(struct db *db);
long db_statement_timeout(const struct db *db);
/* True for a DB_TARGET_REPORTS connection: its transactions begin READ ONLY. */
bool db_read_only(const struct db *db);
/* True when conn reaches a PostgreSQL backend directly: pid (the text of
 * SELECT pg_backend_pid() run on conn) is the process id the server gave at
 * connect. A pooler such as PgBouncer hands out ids of its own and moves a
 * client between server connections, so what lives in a session (LISTEN,
 * session advisory locks, SET) must not go through it. */
bool db_backend_direct(PGconn *conn, const char *pid);

/* One statement with text parameters (never pasted into SQL), under the
 * statement timeout, in one round trip. Returns the result (caller
 * PQclear()s) or NULL with err filled. A connection found dead before
 * sending is reset once (not when the caller had a transaction open on it);
 * a connection lost after sending is not retried: DB_ERR_CONNECTION. */
PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params,
                  struct db_error *err);
/* Runs SQL text with no parameters (migration files): many statements
 * allowed; no statement timeout, no reconnect. */
bool db_exec_script(struct db *db, const char *sql, struct db_error *err);

/* A signed-in staff member's database identity: every transaction runs as
 * SET LOCAL ROLE kontor_<role> plus kontor.session_begin(token). */
enum db_role { DB_ROLE_CLERK, DB_ROLE_SERVICE, DB_ROLE_MANAGER, DB_ROLE_ADMIN, DB_ROLE_COUNT };

struct db_session {
    enum db_role role;
    char token[65]; /* hex; wiped on sign-out */
    long long staff_id;
};

const char *db_role_name(enum db_role role);          /* "clerk" */
const char *db_role_pg_name(enum db_role role);       /* "kontor_clerk" */
bool db_role_parse(const char *name, enum db_role *out);

/* A statement of a transaction: in sql/params, out res (caller PQclear()s
 * via db_stmts_clear). */
struct db_stmt {
    const char *sql;
    int nparams;
    const char *const *params;
    PGresult *res;
};

#define DB_STMT(s, n, p) { .sql = (s), .nparams = (n), .params = (p), .res = NULL }

/* Runs stmts in one transaction as the session's staff member, pipelined in
 * one round trip: BEGIN; SET LOCAL ROLE and statement_timeout;
 * session_begin; stmts...; COMMIT. session may be NULL (owner/tools: no
 * role switch, timeout only). Serialization failures and deadlocks are
 * retried up to three times. A connection found dead before sending is
 * reset once; one lost after the COMMIT went out is never retried
 * (DB_ERR_CONNECTION: the change may or may not have been saved). On
 * failure nothing is kept and err says why; results are in stmts[i].res.
 * The blocking twin of db_async_start (db_async.h). */
bool db_run_tx(struct db *db, const struct db_session *session, struct db_stmt *stmts,
               size_t n, struct db_error *err);
void db_stmts_clear(struct db_stmt *stmts, size_t n);

/* Helpers for results. */
const char *db_value(const PGresult *res, int row, int col); /* "" for NULL */
bool db_is_null(const PGresult *res, int row, int col);
long long db_value_ll(const PGresult *res, int row, int col);

#endif

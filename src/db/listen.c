/* LISTEN/NOTIFY on its own connection: notifications are drained after
 * every PQconsumeInput, and a lost connection is re-made without blocking
 * (PQconnectStartParams/PQconnectPoll), at most every DB_LISTEN_RETRY_MS. */
#include "kontor/db_listen.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/config.h"
#include "kontor/db.h"
#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

#define DB_LISTEN_CONNECT_MS 10000 /* give up a connect attempt after this */

enum db_listen_phase {
    LISTEN_UP,         /* listening */
    LISTEN_WAIT,       /* no connection; next attempt at retry_at */
    LISTEN_CONNECTING, /* PQconnectPoll in progress */
    LISTEN_SUBSCRIBE,  /* connected; the LISTEN commands are out */
};

struct db_listen {
    PGconn *conn;
    char *conninfo;
    char *user;
    char **channels;
    size_t n;
    enum db_listen_phase phase;
    bool want_write;
    bool resumed;
    long long attempt_at; /* when the last connect attempt started (ms) */
    long long deadline;   /* connecting or subscribing must be done by then */
};

static long long db_listen_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void db_listen_notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The backend's id tells a pooler apart (db_backend_direct): a LISTEN
 * through it would stay behind on a server connection it lends to others. */
static const char sql_backend[] = "SELECT pg_backend_pid()";

/* "LISTEN a; LISTEN b; SELECT pg_backend_pid()" with every channel quoted
 * as an identifier. */
static char *db_listen_sql(struct db_listen *l)
{
    struct strbuf sb = STRBUF_INIT;

    for (size_t i = 0; i < l->n; i++) {
        char *id = PQescapeIdentifier(l->conn, l->channels[i], strlen(l->channels[i]));
        if (id == NULL) {
            strbuf_free(&sb);
            return NULL;
        }
        strbuf_addf(&sb, "LISTEN %s;", id);
        PQfreemem(id);
    }
    strbuf_addf(&sb, "%s", sql_backend);
    return strbuf_detach(&sb);
}

static PGconn *db_listen_connect_start(struct db_listen *l, bool blocking)
{
    /* The same order as db.c, so both connections sign in as the same user. */
    const char *keys[] = { "user", "dbname", "application_name", "connect_timeout", NULL };
    const char *vals[] = { l->user, l->conninfo, "kontor-listen", "10", NULL };
    const int skip = l->user == NULL ? 1 : 0;
    PGconn *c;

    c = blocking ? PQconnectdbParams(keys + skip, vals + skip, 1)
                 : PQconnectStartParams(keys + skip, vals + skip, 1);
    if (c == NULL)
        fatal("out of memory connecting to the database");
    PQsetNoticeProcessor(c, db_listen_notice_ignore, NULL);
    return c;
}

static void db_listen_drop(struct db_listen *l)
{
    if (l->conn != NULL)
        PQfinish(l->conn);
    l->conn = NULL;
    l->phase = LISTEN_WAIT;
    l->want_write = false;
}

/* Starts a connect attempt when the last one is long enough ago. */
static void db_listen_try(struct db_listen *l)
{
    long long now = db_listen_now();

    if (now - l->attempt_at < DB_LISTEN_RETRY_MS)
        return;
    l->attempt_at = now;
    l->deadline = now + DB_LISTEN_CONNECT_MS;
    l->conn = db_listen_connect_start(l, false);
    if (PQstatus(l->conn) == CONNECTION_BAD) {
        db_listen_drop(l);
        return;
    }
    l->phase = LISTEN_CONNECTING;
    l->want_write = true; /* as if PGRES_POLLING_WRITING */
}

static void db_listen_lost(struct db_listen *l)
{
    db_listen_drop(l);
    db_listen_try(l);
}

static void db_listen_subscribe(struct db_listen *l)
{
    char *sql = db_listen_sql(l);

    if (sql == NULL || PQsetnonblocking(l->conn, 1) != 0 || !PQsendQuery(l->conn, sql)) {
        free(sql);
        db_listen_lost(l);
        return;
    }
    free(sql);
    l->phase = LISTEN_SUBSCRIBE;
    l->want_write = PQflush(l->conn) == 1;
}

static void db_listen_step_connect(struct db_listen *l)
{
    switch (PQconnectPoll(l->conn)) {
    case PGRES_POLLING_OK:
        db_listen_subscribe(l);
        break;
    case PGRES_POLLING_FAILED:
        db_listen_lost(l);
        break;
    case PGRES_POLLING_WRITING:
        l->want_write = true;
        break;
    default:
        l->want_write = false;
        break;
    }
}

static int db_listen_deliver(struct db_listen *l, db_listen_fn fn, void *arg)
{
    PGnotify *nt;
    int count = 0;

    while ((nt = PQnotifies(l->conn)) != NULL) {
        if (fn != NULL)
            fn(arg, nt->relname, nt->extra);
        PQfreemem(nt);
        count++;
    }
    return count;
}

/* Reads what is there; false when the connection is gone. */
static bool db_listen_read(struct db_listen *l)
{
    if (l->want_write) {
        int r = PQflush(l->conn);
        if (r < 0)
            return false;
        l->want_write = r == 1;
    }
    return PQconsumeInput(l->conn) && PQstatus(l->conn) == CONNECTION_OK;
}

/* A LISTEN's result, or the backend's id from the last statement. */
static bool db_listen_result_ok(struct db_listen *l, const PGresult *res)
{
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return PQntuples(res) == 1 && db_backend_direct(l->conn, PQgetvalue(res, 0, 0));
    return PQresultStatus(res) == PGRES_COMMAND_OK;
}

/* Runs sql (ending in sql_backend) on the new connection, blocking; false
 * with *err (caller frees) when it fails or the connection is pooled. */
static bool db_listen_exec(struct db_listen *l, const char *sql, char **err)
{
    PGresult *res = PQexec(l->conn, sql);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;

    if (!ok) {
        char *m = xstrdup(PQresultErrorMessage(res));
        m[strcspn(m, "\n")] = '\0';
        *err = xasprintf("cannot listen for notifications: %s", m);
        free(m);
    } else if (!db_listen_result_ok(l, res)) {
        *err = xstrdup("notifications need a direct connection to PostgreSQL, not one "
                       "through a connection pooler: set [database] listen");
        ok = false;
    }
    PQclear(res);
    return ok;
}

static void db_listen_step_subscribe(struct db_listen *l)
{
    while (!PQisBusy(l->conn)) {
        PGresult *res = PQgetResult(l->conn);

        if (res == NULL) {
            l->phase = LISTEN_UP;
            l->resumed = true;
            return;
        }
        if (!db_listen_result_ok(l, res)) {
            PQclear(res);
            db_listen_lost(l);
            return;
        }
        PQclear(res);
    }
}

int db_listen_drain(struct db_listen *l, db_listen_fn fn, void *arg)
{
    int count = 0;

    if ((l->phase == LISTEN_CONNECTING || l->phase == LISTEN_SUBSCRIBE) &&
        db_listen_now() >= l->deadline) {
        db_listen_lost(l);
        return 0;
    }
    switch (l->phase) {
    case LISTEN_WAIT:
        db_listen_try(l);
        break;
    case LISTEN_CONNECTING:
        db_listen_step_connect(l);
        break;
    case LISTEN_SUBSCRIBE:
        if (!db_listen_read(l)) {
            db_listen_lost(l);
            break;
        }
        db_listen_step_subscribe(l);
        if (l->conn != NULL)
            count = db_listen_deliver(l, fn, arg);
        break;
    case LISTEN_UP:
        if (!db_listen_read(l)) {
            /* What arrived before the end still counts. */
            count = db_listen_deliver(l, fn, arg);
            db_listen_lost(l);
            break;
        }
        count = db_listen_deliver(l, fn, arg);
        break;
    }
    return count;
}

struct db_listen *db_listen_open_conninfo(const char *conninfo, const char *user,
                                          const char *const *channels, size_t n, char **err)
{
    struct db_listen *l = xcalloc(1, sizeof(*l));
    char *sql;
    bool ok;

    l->conninfo = xstrdup(conninfo ? conninfo : "");
    l->user = user && user[0] ? xstrdup(user) : NULL;
    l->channels = xcalloc(n ? n : 1, sizeof(*l->channels));
    for (size_t i = 0; i < n; i++)
        l->channels[i] = xstrdup(channels[i]);
    l->n = n;
    l->attempt_at = db_listen_now();
    l->conn = db_listen_connect_start(l, true);
    if (PQstatus(l->conn) != CONNECTION_OK) {
        char *m = xstrdup(PQerrorMessage(l->conn));
        m[strcspn(m, "\n")] = '\0';
        *err = xasprintf("cannot connect to the database for notifications: %s", m);
        free(m);
        db_listen_close(l);
        return NULL;
    }
    /* Whether it is direct before anything is LISTENed to (on reconnect,
     * the same conninfo is trusted and checked only after). */
    sql = db_listen_sql(l);
    ok = db_listen_exec(l, sql_backend, err) && db_listen_exec(l, sql ? sql : "", err);
    free(sql);
    if (!ok) {
        db_listen_close(l);
        return NULL;
    }
    PQsetnonblocking(l->conn, 1);
    l->phase = LISTEN_UP;
    return l;
}

struct db_listen *db_listen_open(const struct config *cfg, const char *const *channels,
                                 size_t n, char **err)
{
    const char *conninfo = config_get(cfg, "database", "listen");

    if (conninfo == NULL || conninfo[0] == '\0')
        conninfo = config_get(cfg, "database", "conninfo");
    return db_listen_open_conninfo(conninfo, config_get(cfg, "database", "login_user"),
                                   channels, n, err);
}

void db_listen_close(struct db_listen *l)
{
    if (l == NULL)
        return;
    if (l->conn != NULL)
        PQfinish(l->conn);
    for (size_t i = 0; i < l->n; i++)
        free(l->channels[i]);
    free(l->channels);
    free(l->conninfo);
    free(l->user);
    free(l);
}

int db_listen_fd(const struct db_listen *l)
{
    return l->conn != NULL ? PQsocket(l->conn) : -1;
}

bool db_listen_want_write(const struct db_listen *l)
{
    return l->conn != NULL && l->want_write;
}

int db_listen_timeout_ms(const struct db_listen *l)
{
    long long left;

    switch (l->phase) {
    case LISTEN_UP:
        return -1;
    case LISTEN_WAIT:
        left = l->attempt_at + DB_LISTEN_RETRY_MS - db_listen_now();
        break;
    default:
        left = l->deadline - db_listen_now();
        break;
    }
    return left < 0 ? 0 : (int)left;
}

enum db_listen_state db_listen_state(const struct db_listen *l)
{
    return l->phase == LISTEN_UP ? DB_LISTEN_CONNECTED : DB_LISTEN_RECONNECTING;
}

bool db_listen_resumed(struct db_listen *l)
{
    bool r = l->resumed;

    l->resumed = false;
    return r;
}

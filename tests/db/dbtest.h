/* Database test support: each test gets a fresh copy of the migrated
 * template database in the throwaway cluster that tests/db/run.sh made. */
#ifndef KONTOR_DBTEST_H
#define KONTOR_DBTEST_H

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct dbtest {
    char dbname[64];
    char conninfo[512]; /* dbname=... (host and port from PGHOST/PGPORT) */
    PGconn *owner;      /* the database owner (superuser of the test cluster) */
    PGconn *login;      /* mints the actors' sessions (dbtest_actor_open) */
    PGconn *extra[16];  /* connections closed at teardown */
    int nextra;
};

int dbtest_setup(void **state);
int dbtest_teardown(void **state);

/* A new connection to the test database as user (NULL: the owner). */
PGconn *dbtest_connect(struct dbtest *t, const char *user);
/* Runs sql and asserts success; returns the result (caller PQclear()s). */
PGresult *dbtest_query(PGconn *c, const char *sql, int n, const char *const *params);
void dbtest_ok(PGconn *c, const char *sql);
/* The first value of the first row, or NULL for SQL NULL (caller frees). */
char *dbtest_scalar(PGconn *c, const char *sql, int n, const char *const *params);
long long dbtest_count(PGconn *c, const char *sql, int n, const char *const *params);
/* Asserts that sql fails with a SQLSTATE starting with state. */
void dbtest_fails(PGconn *c, const char *sql, int n, const char *const *params, const char *state);
/* Returns the SQLSTATE sql fails with ("" on success); caller frees. */
char *dbtest_try(PGconn *c, const char *sql, int n, const char *const *params);

/* Signs a staff member in (as kontor_login, through auth_finish, as the
 * console does after verifying the password) and returns the token. */
char *dbtest_session_token(struct dbtest *t, const char *username);
/* A kontor_login connection with an open transaction running as the staff
 * member's role and session: BEGIN; SET LOCAL ROLE; session_begin. */
PGconn *dbtest_begin_as(struct dbtest *t, const char *username, const char *role);

/* A staff member signed in on a kontor_login connection of their own, acting
 * in one transaction per step as the console does (SET LOCAL ROLE through
 * set_config, then session_begin). */
struct dbtest_actor {
    PGconn *c;
    char username[32];
    char token[80];
    char role[32];  /* kontor_clerk ... */
    char id[24];    /* staff id */
    char name[128]; /* display name */
    char pid[16];   /* backend pid of c */
};

/* Signs username in (auth_finish, through the test's login connection) and
 * gives it a connection of its own. */
void dbtest_actor_open(struct dbtest *t, const char *username, struct dbtest_actor *a);
/* Opens a's transaction with begin (NULL: "BEGIN") as a's role and session;
 * the caller commits or rolls back. */
void dbtest_actor_begin(struct dbtest_actor *a, const char *begin);
bool dbtest_res_ok(const PGresult *r);
/* One statement as a in its own transaction; it must succeed. Returns the
 * result (caller PQclear()s); dbtest_step_ok clears it. */
PGresult *dbtest_step(struct dbtest_actor *a, const char *sql, int n, const char *const *params);
void dbtest_step_ok(struct dbtest_actor *a, const char *sql, int n, const char *const *params);
/* One statement as a that must fail with exactly SQLSTATE state and, unless
 * constraint is NULL, that constraint name; rolled back. Returns the error's
 * primary message (caller frees); dbtest_step_fails frees it. */
char *dbtest_step_refused(struct dbtest_actor *a, const char *sql, int n, const char *const *params,
                          const char *state, const char *constraint);
void dbtest_step_fails(struct dbtest_actor *a, const char *sql, int n, const char *const *params,
                       const char *state, const char *constraint);

/* The batch commands through the real binary ($KONTOR_BIN). */
/* A private temporary file holding text with mode; the caller unlinks and
 * frees the path. */
char *dbtest_write_file(const char *text, unsigned mode);
/* A whole file's content (caller frees). */
char *dbtest_read_file(const char *path);
/* Runs kontor ARGS signed in through a [batch] configuration as user with
 * password, as cron would; returns the exit status. *out and *err (either
 * may be NULL) get standard output and error (caller frees). */
int dbtest_run_kontor(struct dbtest *t, const char *user, const char *password, const char *args,
                      char **out, char **err);

#define DBTEST(fn) cmocka_unit_test_setup_teardown(fn, dbtest_setup, dbtest_teardown)

#endif

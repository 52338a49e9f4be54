/* Database test support (see dbtest.h): CREATE DATABASE ... TEMPLATE per
 * test, connections, assertions on results and SQLSTATEs, and staff members
 * acting one transaction per step (struct dbtest_actor). */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kontor/xalloc.h"

static int dbtest_counter;

static PGconn *dbtest_raw_connect(const char *dbname, const char *user)
{
    const char *keys[] = { "dbname", user ? "user" : NULL, NULL };
    const char *vals[] = { dbname, user, NULL };
    PGconn *c = PQconnectdbParams(keys, vals, 0);

    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "dbtest: cannot connect to %s: %s", dbname, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PGresult *r = PQexec(c, "SET client_min_messages = warning");
    PQclear(r);
    return c;
}

int dbtest_setup(void **state)
{
    struct dbtest *t = xcalloc(1, sizeof(*t));
    const char *tmpl = getenv("KONTOR_TEST_TEMPLATE");
    char sql[256];
    PGconn *admin;
    PGresult *r;

    if (tmpl == NULL) {
        fprintf(stderr, "dbtest: KONTOR_TEST_TEMPLATE unset: run through tests/db/run.sh\n");
        free(t);
        return -1;
    }
    snprintf(t->dbname, sizeof(t->dbname), "t_%ld_%d", (long)getpid(), ++dbtest_counter);
    admin = dbtest_raw_connect("postgres", NULL);
    if (admin == NULL) {
        free(t);
        return -1;
    }
    snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" TEMPLATE \"%s\"", t->dbname, tmpl);
    r = PQexec(admin, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "dbtest: %s", PQerrorMessage(admin));
        PQclear(r);
        PQfinish(admin);
        free(t);
        return -1;
    }
    PQclear(r);
    PQfinish(admin);
    snprintf(t->conninfo, sizeof(t->conninfo), "dbname=%s", t->dbname);
    t->owner = dbtest_raw_connect(t->dbname, NULL);
    if (t->owner == NULL) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

int dbtest_teardown(void **state)
{
    struct dbtest *t = *state;
    char sql[128];
    PGconn *admin;
    PGresult *r;

    for (int i = 0; i < t->nextra; i++)
        PQfinish(t->extra[i]);
    PQfinish(t->owner);
    admin = dbtest_raw_connect("postgres", NULL);
    if (admin != NULL) {
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", t->dbname);
        r = PQexec(admin, sql);
        PQclear(r);
        PQfinish(admin);
    }
    free(t);
    return 0;
}

PGconn *dbtest_connect(struct dbtest *t, const char *user)
{
    PGconn *c = dbtest_raw_connect(t->dbname, user);

    assert_non_null(c);
    assert_true(t->nextra < (int)(sizeof(t->extra) / sizeof(t->extra[0])));
    t->extra[t->nextra++] = c;
    return c;
}

PGresult *dbtest_query(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);

    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fprintf(stderr, "dbtest: query failed: %s\n  %s\n", PQresultErrorMessage(r), sql);
        PQclear(r);
        fail();
    }
    return r;
}

void dbtest_ok(PGconn *c, const char *sql)
{
    PQclear(dbtest_query(c, sql, 0, NULL));
}

char *dbtest_scalar(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = dbtest_query(c, sql, n, params);
    char *v = NULL;

    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

long long dbtest_count(PGconn *c, const char *sql, int n, const char *const *params)
{
    char *v = dbtest_scalar(c, sql, n, params);
    long long x;

    assert_non_null(v);
    x = strtoll(v, NULL, 10);
    free(v);
    return x;
}

char *dbtest_try(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    char *state;

    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        state = xstrdup("");
    else {
        const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        state = xstrdup(s ? s : "?????");
    }
    PQclear(r);
    return state;
}

void dbtest_fails(PGconn *c, const char *sql, int n, const char *const *params, const char *state)
{
    char *got = dbtest_try(c, sql, n, params);

    if (strncmp(got, state, strlen(state)) != 0 || got[0] == '\0') {
        fprintf(stderr, "dbtest: expected SQLSTATE %s, got '%s' for: %s\n", state, got, sql);
        free(got);
        fail();
    }
    free(got);
}

char *dbtest_session_token(struct dbtest *t, const char *username)
{
    PGconn *login = dbtest_connect(t, "kontor_login");
    const char *p[1] = { username };
    PGresult *r = dbtest_query(login,
                               "SELECT result, token FROM kontor.auth_finish($1, true, 'test')",
                               1, p);
    char *token;

    assert_int_equal(PQntuples(r), 1);
    assert_string_equal(PQgetvalue(r, 0, 0), "ok");
    token = xstrdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    return token;
}

PGconn *dbtest_begin_as(struct dbtest *t, const char *username, const char *role)
{
    char *token = dbtest_session_token(t, username);
    PGconn *c = dbtest_connect(t, "kontor_login");
    char pgrole[64];
    const char *p1[1] = { pgrole };
    const char *p2[1] = { token };

    snprintf(pgrole, sizeof(pgrole), "kontor_%s", role);
    dbtest_ok(c, "BEGIN");
    PQclear(dbtest_query(c, "SELECT set_config('role', $1, true)", 1, p1));
    PQclear(dbtest_query(c, "SELECT kontor.session_begin($1)", 1, p2));
    free(token);
    return c;
}

void dbtest_actor_open(struct dbtest *t, const char *username, struct dbtest_actor *a)
{
    const char *p[1] = { username };
    PGresult *r;
    char *pid;

    if (t->login == NULL)
        t->login = dbtest_connect(t, "kontor_login");
    r = dbtest_query(t->login, "SELECT result, token, staff_id, role, display_name "
                               "FROM kontor.auth_finish($1, true, 'dbtest')", 1, p);
    memset(a, 0, sizeof(*a));
    assert_int_equal(PQntuples(r), 1);
    assert_string_equal(PQgetvalue(r, 0, 0), "ok");
    snprintf(a->username, sizeof(a->username), "%s", username);
    snprintf(a->token, sizeof(a->token), "%s", PQgetvalue(r, 0, 1));
    snprintf(a->id, sizeof(a->id), "%s", PQgetvalue(r, 0, 2));
    snprintf(a->role, sizeof(a->role), "kontor_%s", PQgetvalue(r, 0, 3));
    snprintf(a->name, sizeof(a->name), "%s", PQgetvalue(r, 0, 4));
    PQclear(r);
    a->c = dbtest_connect(t, "kontor_login");
    pid = dbtest_scalar(a->c, "SELECT pg_backend_pid()", 0, NULL);
    assert_non_null(pid);
    snprintf(a->pid, sizeof(a->pid), "%s", pid);
    free(pid);
}

void dbtest_actor_begin(struct dbtest_actor *a, const char *begin)
{
    const char *p1[1] = { a->role };
    const char *p2[1] = { a->token };

    dbtest_ok(a->c, begin != NULL ? begin : "BEGIN");
    PQclear(dbtest_query(a->c, "SELECT set_config('role', $1, true)", 1, p1));
    PQclear(dbtest_query(a->c, "SELECT kontor.session_begin($1)", 1, p2));
}

bool dbtest_res_ok(const PGresult *r)
{
    return PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
}

PGresult *dbtest_step(struct dbtest_actor *a, const char *sql, int n, const char *const *params)
{
    PGresult *r;

    dbtest_actor_begin(a, NULL);
    r = PQexecParams(a->c, sql, n, NULL, params, NULL, NULL, 0);
    if (!dbtest_res_ok(r)) {
        fprintf(stderr, "step as %s failed: %s %s  for: %s\n", a->username,
                PQresultErrorField(r, PG_DIAG_SQLSTATE), PQresultErrorMessage(r), sql);
        PQclear(r);
        dbtest_ok(a->c, "ROLLBACK");
        fail();
    }
    dbtest_ok(a->c, "COMMIT");
    return r;
}

void dbtest_step_ok(struct dbtest_actor *a, const char *sql, int n, const char *const *params)
{
    PQclear(dbtest_step(a, sql, n, params));
}

char *dbtest_step_refused(struct dbtest_actor *a, const char *sql, int n, const char *const *params,
                          const char *state, const char *constraint)
{
    PGresult *r;
    const char *got, *con, *msg;
    char *text;
    bool ok;

    dbtest_actor_begin(a, NULL);
    r = PQexecParams(a->c, sql, n, NULL, params, NULL, NULL, 0);
    got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    con = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    ok = !dbtest_res_ok(r) && got != NULL && strcmp(got, state) == 0
         && (constraint == NULL || (con != NULL && strcmp(con, constraint) == 0));
    if (!ok)
        fprintf(stderr, "as %s expected %s (%s) but got %s (%s): %s  for: %s\n", a->username,
                state, constraint ? constraint : "any constraint",
                dbtest_res_ok(r) ? "success" : got ? got : "?", con ? con : "no constraint",
                dbtest_res_ok(r) ? PQcmdStatus(r) : PQresultErrorMessage(r), sql);
    text = xstrdup(msg ? msg : "");
    PQclear(r);
    dbtest_ok(a->c, "ROLLBACK");
    if (!ok) {
        free(text);
        fail();
    }
    return text;
}

void dbtest_step_fails(struct dbtest_actor *a, const char *sql, int n, const char *const *params,
                       const char *state, const char *constraint)
{
    free(dbtest_step_refused(a, sql, n, params, state, constraint));
}

/* ---- the batch commands ----------------------------------------------------- */

char *dbtest_write_file(const char *text, unsigned mode)
{
    char *path = xstrdup("/tmp/kontor-dbtest-XXXXXX");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, (mode_t)mode), 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

char *dbtest_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t cap = 4096, len = 0, got;
    char *buf = xmalloc(cap);

    assert_non_null(f);
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2)
            buf = xrealloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

int dbtest_run_kontor(struct dbtest *t, const char *user, const char *password, const char *args,
                      char **out, char **err)
{
    char *pwfile = dbtest_write_file(password, 0600);
    char *ini = xasprintf("[database]\nconninfo = %s\n[batch]\nuser = %s\npassword_file = %s\n",
                          t->conninfo, user, pwfile);
    char *cfg = dbtest_write_file(ini, 0600);
    char *outfile = dbtest_write_file("", 0600);
    char *errfile = dbtest_write_file("", 0600);
    char *cmd = xasprintf("%s --config %s %s >%s 2>%s", getenv("KONTOR_BIN"), cfg, args,
                          outfile, errfile);
    int st = system(cmd);

    if (out != NULL)
        *out = dbtest_read_file(outfile);
    if (err != NULL)
        *err = dbtest_read_file(errfile);
    const char *files[] = { pwfile, cfg, outfile, errfile };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(files[i]);
    free(pwfile);
    free(cfg);
    free(outfile);
    free(errfile);
    free(ini);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

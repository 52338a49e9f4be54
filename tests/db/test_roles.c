/* The role matrix: for every role and every table, view and function in
 * schema kontor, the database allows exactly what doc/roles.md says and
 * refuses the rest — checked twice: by the catalog (has_*_privilege) and by
 * really trying each operation as that role (permission denied, 42501, or
 * not), inside a transaction that is rolled back. */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

static const char *const roles[] = { "clerk", "service", "manager", "admin" };
#define N_ROLES 4

struct grant {
    char object[256];
    char kind[16];
    char cell[N_ROLES][16];
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '`')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '`' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Reads the machine-readable table of doc/roles.md. */
static struct grant *roles_parse(size_t *count)
{
    char path[1024];
    const char *top = getenv("KONTOR_TOP");
    FILE *f;
    char line[1024];
    struct grant *g = NULL;
    size_t n = 0;
    bool in_table = false;

    snprintf(path, sizeof(path), "%s/doc/roles.md", top ? top : ".");
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *cols[8];
        int nc = 0;
        if (line[0] != '|') {
            in_table = false;
            continue;
        }
        for (char *p = strtok(line + 1, "|"); p != NULL && nc < 8; p = strtok(NULL, "|"))
            cols[nc++] = trim(p);
        if (nc >= 6 && strcmp(cols[0], "object") == 0 && strcmp(cols[1], "kind") == 0) {
            in_table = true;
            continue;
        }
        if (!in_table || nc < 6 || cols[0][0] == '-' || cols[0][0] == ':')
            continue;
        g = xreallocarray(g, n + 1, sizeof(*g));
        snprintf(g[n].object, sizeof(g[n].object), "%s", cols[0]);
        snprintf(g[n].kind, sizeof(g[n].kind), "%s", cols[1]);
        for (int r = 0; r < N_ROLES; r++)
            snprintf(g[n].cell[r], sizeof(g[n].cell[r]), "%s", cols[2 + r]);
        n++;
    }
    fclose(f);
    assert_true(n > 0);
    *count = n;
    return g;
}

static bool cell_has(const char *cell, char letter)
{
    return strchr(cell, letter) != NULL;
}

static bool cell_column_only(const char *cell, char letter)
{
    const char *p = strchr(cell, letter);
    return p != NULL && p[1] == '*';
}

/* Every object in schema kontor appears in the matrix, and nothing else. */
static void test_matrix_complete(void **state)
{
    struct dbtest *t = *state;
    size_t n;
    struct grant *g = roles_parse(&n);
    PGresult *r = dbtest_query(
        t->owner,
        "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END "
        "FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
        "WHERE s.nspname = 'kontor' AND c.relkind IN ('r','v','p','m') "
        "UNION ALL "
        "SELECT regexp_replace(p.oid::regprocedure::text, '^kontor\\.', ''), 'function' "
        "FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace "
        "WHERE s.nspname = 'kontor' AND p.prokind IN ('f','p') "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
        0, NULL);
    int missing = 0;

    for (int i = 0; i < PQntuples(r); i++) {
        const char *obj = PQgetvalue(r, i, 0);
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            found = strcmp(g[k].object, obj) == 0;
        if (!found) {
            fprintf(stderr, "roles.md lacks %s %s\n", PQgetvalue(r, i, 1), obj);
            missing++;
        }
    }
    for (size_t k = 0; k < n; k++) {
        bool found = false;
        for (int i = 0; i < PQntuples(r) && !found; i++)
            found = strcmp(g[k].object, PQgetvalue(r, i, 0)) == 0;
        if (!found) {
            fprintf(stderr, "roles.md names %s, which the database does not have\n",
                    g[k].object);
            missing++;
        }
    }
    PQclear(r);
    free(g);
    assert_int_equal(missing, 0);
}

/* The catalog agrees with every cell. */
static void test_matrix_catalog(void **state)
{
    struct dbtest *t = *state;
    size_t n;
    struct grant *g = roles_parse(&n);
    static const struct {
        char letter;
        const char *priv;
    } privs[] = { { 'S', "SELECT" }, { 'I', "INSERT" }, { 'U', "UPDATE" }, { 'D', "DELETE" } };
    int wrong = 0;

    for (size_t k = 0; k < n; k++) {
        for (int ro = 0; ro < N_ROLES; ro++) {
            char role[32], obj[300];
            snprintf(role, sizeof(role), "kontor_%s", roles[ro]);
            snprintf(obj, sizeof(obj), "kontor.%s", g[k].object);
            if (strcmp(g[k].kind, "function") == 0) {
                const char *p[2] = { role, obj };
                char *v = dbtest_scalar(t->owner,
                                        "SELECT has_function_privilege($1, $2::regprocedure, "
                                        "'EXECUTE')", 2, p);
                bool want = cell_has(g[k].cell[ro], 'X');
                if ((strcmp(v, "t") == 0) != want) {
                    fprintf(stderr, "%s EXECUTE %s: roles.md says %s, database %s\n", role,
                            obj, want ? "yes" : "no", v);
                    wrong++;
                }
                free(v);
                continue;
            }
            for (size_t pi = 0; pi < 4; pi++) {
                const char *p[3] = { role, obj, privs[pi].priv };
                bool want = cell_has(g[k].cell[ro], privs[pi].letter);
                bool col = cell_column_only(g[k].cell[ro], privs[pi].letter);
                /* Column privileges exist for SELECT, INSERT, UPDATE only. */
                const char *sql = privs[pi].letter != 'D' && (col || !want)
                    ? "SELECT has_any_column_privilege($1, $2::regclass, $3)"
                    : "SELECT has_table_privilege($1, $2::regclass, $3)";
                char *v = dbtest_scalar(t->owner, sql, 3, p);
                if ((strcmp(v, "t") == 0) != want) {
                    fprintf(stderr, "%s %s %s: roles.md says %s, database %s\n", role,
                            privs[pi].priv, obj, want ? "yes" : "no", v);
                    wrong++;
                }
                free(v);
            }
        }
    }
    free(g);
    assert_int_equal(wrong, 0);
}

/* Tries sql as the role; true when the database let the role past the
 * privilege check. Refused: permission denied (42501, but not a row-level
 * security WITH CHECK, which comes after the privilege check), or a write to
 * a view that cannot be written at all (55000, 0A000). */
static bool role_may(PGconn *c, const char *sql)
{
    PGresult *r;
    bool allowed = true;

    PQclear(dbtest_query(c, "SAVEPOINT try", 0, NULL));
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        if (state != NULL && strcmp(state, "42501") == 0)
            allowed = msg != NULL && strstr(msg, "row-level security") != NULL;
        else if (state != NULL && (strcmp(state, "55000") == 0 || strcmp(state, "0A000") == 0))
            allowed = false;
    }
    PQclear(r);
    PQclear(dbtest_query(c, "ROLLBACK TO SAVEPOINT try", 0, NULL));
    return allowed;
}

static char *first_column(PGconn *owner, const char *table, bool updatable_by_role,
                          const char *role)
{
    const char *p[2] = { table, role };
    return dbtest_scalar(owner,
                         updatable_by_role
                             ? "SELECT attname FROM pg_attribute WHERE attrelid = "
                               "('kontor.' || $1)::regclass AND attnum > 0 AND NOT attisdropped AND attidentity = '' AND attgenerated = '' AND attname <> 'id' "
                               "AND has_column_privilege($2, attrelid, attnum, 'UPDATE') "
                               "ORDER BY attnum LIMIT 1"
                             : "SELECT attname FROM pg_attribute WHERE attrelid = "
                               "('kontor.' || $1)::regclass AND attnum > 0 AND NOT attisdropped AND attidentity = '' AND attgenerated = '' AND attname <> 'id' "
                               "AND $2::text IS NOT NULL ORDER BY attnum LIMIT 1",
                         2, p);
}

/* Really trying each table operation as each role, inside a session. */
static void test_matrix_behaviour(void **state)
{
    struct dbtest *t = *state;
    size_t n;
    struct grant *g = roles_parse(&n);
    int wrong = 0;

    for (int ro = 0; ro < N_ROLES; ro++) {
        PGconn *c = dbtest_begin_as(t, roles[ro], roles[ro]);
        char role[32];
        snprintf(role, sizeof(role), "kontor_%s", roles[ro]);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(g[k].kind, "function") == 0)
                continue;
            const char *obj = g[k].object;
            const char *cell = g[k].cell[ro];
            bool want_upd = cell_has(cell, 'U');
            char *col = first_column(t->owner, obj, want_upd, role);
            char *sel = xasprintf("SELECT 1 FROM kontor.%s LIMIT 0", obj);
            char *ins = xasprintf("INSERT INTO kontor.%s DEFAULT VALUES", obj);
            char *upd = xasprintf("UPDATE kontor.%s SET %s = %s WHERE false", obj,
                                  col ? col : "x", col ? col : "x");
            char *del = xasprintf("DELETE FROM kontor.%s WHERE false", obj);
            const struct {
                char letter;
                const char *sql;
            } tries[] = { { 'S', sel }, { 'I', ins }, { 'U', upd }, { 'D', del } };
            for (size_t i = 0; i < 4; i++) {
                bool want = cell_has(cell, tries[i].letter);
                if (tries[i].letter == 'I' && cell_column_only(cell, 'I'))
                    continue; /* DEFAULT VALUES needs every column; the catalog test covers it */
                if (role_may(c, tries[i].sql) != want) {
                    fprintf(stderr, "%s: %s was %s, roles.md says %s\n", role, tries[i].sql,
                            want ? "refused" : "allowed", cell);
                    wrong++;
                }
            }
            free(col);
            free(sel);
            free(ins);
            free(upd);
            free(del);
        }
        dbtest_ok(c, "ROLLBACK");
    }
    free(g);
    assert_int_equal(wrong, 0);
}

/* kontor_login can do nothing but sign in: no table is readable. */
static void test_login_role_reads_nothing(void **state)
{
    struct dbtest *t = *state;
    PGconn *login = dbtest_connect(t, "kontor_login");

    dbtest_fails(login, "SELECT * FROM kontor.staff", 0, NULL, "42501");
    dbtest_fails(login, "SELECT * FROM kontor.customer", 0, NULL, "42501");
    dbtest_fails(login, "SELECT * FROM kontor.sales_order", 0, NULL, "42501");
    dbtest_fails(login, "SELECT * FROM kontor.audit_event", 0, NULL, "42501");
    /* Without SET ROLE, membership gives nothing (NOINHERIT). */
    dbtest_fails(login, "SELECT count(*) FROM kontor.product", 0, NULL, "42501");
}

/* A role switch without a valid session cannot write. */
static void test_role_without_session_cannot_write(void **state)
{
    struct dbtest *t = *state;
    PGconn *login = dbtest_connect(t, "kontor_login");

    dbtest_ok(login, "BEGIN");
    dbtest_ok(login, "SET LOCAL ROLE kontor_admin");
    char *st = dbtest_try(login,
                          "UPDATE kontor.staff SET display_name = display_name "
                          "WHERE username = 'clerk'", 0, NULL);
    assert_string_not_equal(st, "");
    free(st);
    dbtest_ok(login, "ROLLBACK");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_matrix_complete),
        DBTEST(test_matrix_catalog),
        DBTEST(test_matrix_behaviour),
        DBTEST(test_login_role_reads_nothing),
        DBTEST(test_role_without_session_cannot_write),
    };
    return cmocka_run_group_tests_name("roles", tests, NULL, NULL);
}

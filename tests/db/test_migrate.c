/* kontor db migrate: applies in order, once; a failing migration is rolled
 * back whole; an applied file that changed stops everything. */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/db.h"
#include "kontor/migrate.h"
#include "kontor/xalloc.h"

struct migtest {
    char dir[64];
    char dbname[64];
    struct db *db;
};

static void put_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static PGconn *admin_connect(void)
{
    const char *k[] = { "dbname", NULL };
    const char *v[] = { "postgres", NULL };
    PGconn *c = PQconnectdbParams(k, v, 0);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    return c;
}

static int mig_setup(void **state)
{
    struct migtest *m = xcalloc(1, sizeof(*m));
    static int counter;
    char *err = NULL;
    char sql[128];

    snprintf(m->dir, sizeof(m->dir), "/tmp/kontor-migtest-XXXXXX");
    if (mkdtemp(m->dir) == NULL)
        return -1;
    snprintf(m->dbname, sizeof(m->dbname), "mig_%ld_%d", (long)getpid(), ++counter);
    PGconn *admin = admin_connect();
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0", m->dbname);
    PQclear(dbtest_query(admin, sql, 0, NULL));
    PQfinish(admin);
    char *conninfo = xasprintf("dbname=%s", m->dbname);
    m->db = db_open_conninfo(conninfo, NULL, "kontor-test", 10000, &err);
    free(conninfo);
    if (m->db == NULL)
        return -1;
    *state = m;
    return 0;
}

static int mig_teardown(void **state)
{
    struct migtest *m = *state;
    char sql[128], cmd[128];

    db_close(m->db);
    PGconn *admin = admin_connect();
    snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", m->dbname);
    PQclear(dbtest_query(admin, sql, 0, NULL));
    PQfinish(admin);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", m->dir);
    assert_int_equal(system(cmd), 0);
    free(m);
    return 0;
}

static long long count(struct db *db, const char *sql)
{
    PGresult *r = db_exec(db, sql, 0, NULL, NULL);
    long long n;

    assert_non_null(r);
    n = db_value_ll(r, 0, 0);
    PQclear(r);
    return n;
}

static void test_applies_in_order_once(void **state)
{
    struct migtest *m = *state;
    struct migrate_report rep;
    char *err = NULL;

    put_file(m->dir, "0002_b.sql", "INSERT INTO kontor.t VALUES (2);");
    put_file(m->dir, "0001_a.sql", "CREATE TABLE kontor.t (x int); INSERT INTO kontor.t VALUES (1);");
    put_file(m->dir, "README", "not a migration");
    assert_true(migrate_run(m->db, m->dir, NULL, &rep, &err));
    assert_int_equal(rep.applied, 2);
    assert_int_equal(count(m->db, "SELECT count(*) FROM kontor.t"), 2);
    assert_int_equal(count(m->db, "SELECT count(*) FROM kontor.schema_migration"), 2);

    assert_true(migrate_run(m->db, m->dir, NULL, &rep, &err));
    assert_int_equal(rep.applied, 0);
    assert_int_equal(rep.present, 2);
    assert_int_equal(count(m->db, "SELECT count(*) FROM kontor.t"), 2);

    put_file(m->dir, "0003_c.sql", "INSERT INTO kontor.t VALUES (3);");
    assert_true(migrate_run(m->db, m->dir, NULL, &rep, &err));
    assert_int_equal(rep.applied, 1);
    assert_int_equal(count(m->db, "SELECT max(x) FROM kontor.t"), 3);
}

static void test_failed_migration_rolled_back(void **state)
{
    struct migtest *m = *state;
    struct migrate_report rep;
    char *err = NULL;

    put_file(m->dir, "0001_a.sql", "CREATE TABLE kontor.t (x int);");
    put_file(m->dir, "0002_bad.sql",
             "INSERT INTO kontor.t VALUES (1); CREATE TABLE kontor.u (y int); SELECT 1/0;");
    assert_false(migrate_run(m->db, m->dir, NULL, &rep, &err));
    assert_non_null(strstr(err, "0002_bad.sql"));
    assert_non_null(strstr(err, "rolled back"));
    free(err);
    assert_int_equal(rep.applied, 1);
    assert_int_equal(count(m->db, "SELECT count(*) FROM kontor.t"), 0);
    assert_int_equal(count(m->db, "SELECT count(*) FROM pg_tables WHERE tablename = 'u'"), 0);
    assert_int_equal(count(m->db, "SELECT count(*) FROM kontor.schema_migration"), 1);
}

static void test_changed_file_refused(void **state)
{
    struct migtest *m = *state;
    struct migrate_report rep;
    char *err = NULL;

    put_file(m->dir, "0001_a.sql", "CREATE TABLE kontor.t (x int);");
    assert_true(migrate_run(m->db, m->dir, NULL, &rep, &err));
    put_file(m->dir, "0001_a.sql", "CREATE TABLE kontor.t (x bigint);");
    put_file(m->dir, "0002_b.sql", "INSERT INTO kontor.t VALUES (1);");
    assert_false(migrate_run(m->db, m->dir, NULL, &rep, &err));
    assert_non_null(strstr(err, "0001_a.sql has changed"));
    free(err);
    assert_int_equal(count(m->db, "SELECT count(*) FROM kontor.t"), 0);
}

static void test_duplicate_numbers_refused(void **state)
{
    struct migtest *m = *state;
    struct migrate_report rep;
    char *err = NULL;

    put_file(m->dir, "0001_a.sql", "SELECT 1;");
    put_file(m->dir, "0001_b.sql", "SELECT 2;");
    assert_false(migrate_run(m->db, m->dir, NULL, &rep, &err));
    assert_non_null(strstr(err, "share number 0001"));
    free(err);
}

static void test_checksum_known_value(void **state)
{
    char sum[65];

    migrate_checksum("abc", 3, sum);
    assert_string_equal(sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_applies_in_order_once, mig_setup, mig_teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_rolled_back, mig_setup,
                                        mig_teardown),
        cmocka_unit_test_setup_teardown(test_changed_file_refused, mig_setup, mig_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_numbers_refused, mig_setup, mig_teardown),
        cmocka_unit_test(test_checksum_known_value),
    };
    return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}

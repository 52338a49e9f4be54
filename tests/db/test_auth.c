/* Sign-in against the real database: each demo role, wrong passwords,
 * lockout after five failures and unlocking, forced password change,
 * rehashing, sessions the database checks, and the staff batch commands
 * driven through the real binary. */
#include "dbtest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kontor/audit.h"
#include "kontor/auth.h"
#include "kontor/db.h"
#include "kontor/xalloc.h"

static struct db *login_db(struct dbtest *t)
{
    char *err = NULL;
    struct db *db = db_open_conninfo(t->conninfo, "kontor_login", "kontor-test", 10000, &err);

    if (db == NULL)
        fprintf(stderr, "%s\n", err);
    assert_non_null(db);
    return db;
}

static enum auth_result try_sign_in(struct db *db, const char *user, const char *pw,
                                    struct auth_identity *id)
{
    char *copy = xstrdup(pw);
    struct db_error err = { 0 };
    enum auth_result r = auth_sign_in(db, user, copy, "test", id, &err);

    if (r == AUTH_ERROR)
        fprintf(stderr, "sign-in error: %s\n", err.message);
    db_error_clear(&err);
    free(copy);
    return r;
}

static void test_each_demo_role_signs_in(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    static const struct {
        const char *user;
        enum db_role role;
    } demo[] = { { "admin", DB_ROLE_ADMIN },
                 { "manager", DB_ROLE_MANAGER },
                 { "service", DB_ROLE_SERVICE },
                 { "clerk", DB_ROLE_CLERK } };

    for (size_t i = 0; i < 4; i++) {
        struct auth_identity id;
        assert_int_equal(try_sign_in(db, demo[i].user, "demo", &id), AUTH_OK);
        assert_int_equal(id.session.role, demo[i].role);
        assert_int_equal(strlen(id.session.token), 64);
        assert_false(id.must_change_password);
        /* The session works for a transaction in that role. */
        struct db_stmt st = DB_STMT("SELECT current_setting('role'), kontor.current_staff_id()",
                                    0, NULL);
        assert_true(db_run_tx(db, &id.session, &st, 1, NULL));
        assert_string_equal(db_value(st.res, 0, 0), db_role_pg_name(demo[i].role));
        assert_int_equal(db_value_ll(st.res, 0, 1), id.session.staff_id);
        db_stmts_clear(&st, 1);
        auth_sign_out(db, &id);
    }
    db_close(db);
}

static void test_password_wiped(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;
    struct db_error err = { 0 };
    char pw[] = "demo";

    assert_int_equal(auth_sign_in(db, "clerk", pw, "test", &id, &err), AUTH_OK);
    assert_memory_equal(pw, "\0\0\0\0", 4);
    char wrong[] = "nope";
    assert_int_equal(auth_sign_in(db, "clerk", wrong, "test", &id, &err), AUTH_WRONG);
    assert_memory_equal(wrong, "\0\0\0\0", 4);
    db_close(db);
}

static void test_wrong_and_unknown_look_alike(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;

    assert_int_equal(try_sign_in(db, "clerk", "wrong", &id), AUTH_WRONG);
    assert_int_equal(try_sign_in(db, "nobody-here", "demo", &id), AUTH_WRONG);
    assert_int_equal(dbtest_count(t->owner,
                                  "SELECT failed_attempts FROM kontor.staff "
                                  "WHERE username = 'clerk'", 0, NULL), 1);
    assert_true(dbtest_count(t->owner,
                             "SELECT count(*) FROM kontor.audit_event "
                             "WHERE action = 'auth.failure'", 0, NULL) >= 1);
    db_close(db);
}

static void test_lockout_after_five_and_unlock(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;

    for (int i = 0; i < 4; i++)
        assert_int_equal(try_sign_in(db, "service", "wrong", &id), AUTH_WRONG);
    assert_int_equal(try_sign_in(db, "service", "wrong", &id), AUTH_LOCKED);
    /* Locked: even the right password is refused. */
    assert_int_equal(try_sign_in(db, "service", "demo", &id), AUTH_LOCKED);
    assert_true(dbtest_count(t->owner,
                             "SELECT count(*) FROM kontor.staff WHERE username = 'service' "
                             "AND locked_until > now() + interval '14 minutes'", 0, NULL) == 1);

    /* An admin unlocks it through the staff function. */
    struct auth_identity admin;
    assert_int_equal(try_sign_in(db, "admin", "demo", &admin), AUTH_OK);
    struct db_stmt st = DB_STMT("SELECT kontor.staff_unlock('service')", 0, NULL);
    assert_true(db_run_tx(db, &admin.session, &st, 1, NULL));
    db_stmts_clear(&st, 1);
    assert_int_equal(try_sign_in(db, "service", "demo", &id), AUTH_OK);
    db_close(db);
}

static void test_session_checked_by_database(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;
    struct db_error err = { 0 };

    assert_int_equal(try_sign_in(db, "clerk", "demo", &id), AUTH_OK);
    /* A forged token. */
    struct db_session forged = id.session;
    memset(forged.token, 'a', 64);
    struct db_stmt st = DB_STMT("SELECT 1", 0, NULL);
    assert_false(db_run_tx(db, &forged, &st, 1, &err));
    assert_int_equal(err.cls, DB_ERR_AUTH);
    db_error_clear(&err);
    /* The clerk's token with the manager's role. */
    struct db_session wrong_role = id.session;
    wrong_role.role = DB_ROLE_MANAGER;
    assert_false(db_run_tx(db, &wrong_role, &st, 1, &err));
    assert_int_equal(err.cls, DB_ERR_AUTH);
    db_error_clear(&err);
    /* After sign-out the token is dead. */
    struct db_session old = id.session;
    auth_sign_out(db, &id);
    assert_false(db_run_tx(db, &old, &st, 1, &err));
    assert_int_equal(err.cls, DB_ERR_AUTH);
    db_error_clear(&err);
    db_close(db);
}

static void test_forced_password_change(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;
    struct db_error err = { 0 };

    dbtest_ok(t->owner, "UPDATE kontor.staff SET must_change_password = true "
                        "WHERE username = 'clerk'");
    assert_int_equal(try_sign_in(db, "clerk", "demo", &id), AUTH_OK);
    assert_true(id.must_change_password);
    char shortpw[] = "short";
    assert_false(auth_change_password(db, &id, shortpw, &err));
    assert_int_equal(err.cls, DB_ERR_INPUT);
    db_error_clear(&err);
    char newpw[] = "Kontor-2026!";
    assert_true(auth_change_password(db, &id, newpw, &err));
    assert_false(id.must_change_password);
    assert_int_equal(try_sign_in(db, "clerk", "demo", &id), AUTH_WRONG);
    assert_int_equal(try_sign_in(db, "clerk", "Kontor-2026!", &id), AUTH_OK);
    assert_false(id.must_change_password);
    assert_true(dbtest_count(t->owner,
                             "SELECT count(*) FROM kontor.audit_event "
                             "WHERE action = 'staff.password_changed'", 0, NULL) >= 1);
    db_close(db);
}

static void test_rehash_on_weaker_parameters(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;
    char weak[crypto_pwhash_STRBYTES];

    assert_true(sodium_init() >= 0);
    assert_int_equal(crypto_pwhash_str(weak, "demo", 4, crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN), 0);
    const char *p[1] = { weak };
    PQclear(dbtest_query(t->owner,
                         "UPDATE kontor.staff SET password_hash = $1 WHERE username = 'manager'",
                         1, p));
    assert_int_equal(try_sign_in(db, "manager", "demo", &id), AUTH_OK);
    char *now = dbtest_scalar(t->owner,
                              "SELECT password_hash FROM kontor.staff WHERE username = 'manager'",
                              0, NULL);
    assert_string_not_equal(now, weak);
    assert_int_equal(crypto_pwhash_str_needs_rehash(now, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
    free(now);
    assert_int_equal(try_sign_in(db, "manager", "demo", &id), AUTH_OK);
    db_close(db);
}

static void test_audit_chain_verifies_and_detects_tampering(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;
    struct audit_verify_result r;
    struct db_error err = { 0 };

    assert_int_equal(try_sign_in(db, "clerk", "wrong", &id), AUTH_WRONG);
    assert_int_equal(try_sign_in(db, "admin", "demo", &id), AUTH_OK);
    assert_true(audit_verify(db, &id.session, &r, &err));
    assert_true(r.ok);
    assert_true(r.checked >= 2);
    /* The owner edits history behind the triggers' back. */
    dbtest_ok(t->owner, "ALTER TABLE kontor.audit_event DISABLE TRIGGER USER");
    dbtest_ok(t->owner, "UPDATE kontor.audit_event SET action = 'auth.success' "
                        "WHERE action = 'auth.failure'");
    dbtest_ok(t->owner, "ALTER TABLE kontor.audit_event ENABLE TRIGGER USER");
    assert_true(audit_verify(db, &id.session, &r, &err));
    assert_false(r.ok);
    assert_true(r.first_bad_id > 0);
    db_close(db);
}

/* ---- the batch commands, through the real binary ---------------------- */

static void test_staff_commands(void **state)
{
    struct dbtest *t = *state;
    struct db *db = login_db(t);
    struct auth_identity id;
    char *newpw = dbtest_write_file("Hamburg-Start-1\n", 0600);
    char *args = xasprintf("staff add lena --role clerk --name 'Lena Vogt' --location HH-01 "
                           "--password-file %s", newpw);

    /* A clerk may not create accounts; the database would refuse anyway. */
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo", args, NULL, NULL), 1);
    assert_int_equal(dbtest_run_kontor(t, "admin", "demo", args, NULL, NULL), 0);
    assert_int_equal(dbtest_run_kontor(t, "admin", "demo",
                                       args, NULL, NULL), 1); /* exists already */
    assert_int_equal(try_sign_in(db, "lena", "Hamburg-Start-1", &id), AUTH_OK);
    assert_true(id.must_change_password);
    for (int i = 0; i < 5; i++)
        try_sign_in(db, "lena", "guess", &id);
    assert_int_equal(try_sign_in(db, "lena", "Hamburg-Start-1", &id), AUTH_LOCKED);
    assert_int_equal(dbtest_run_kontor(t, "admin", "demo", "staff unlock lena", NULL, NULL), 0);
    assert_int_equal(try_sign_in(db, "lena", "Hamburg-Start-1", &id), AUTH_OK);
    assert_int_equal(dbtest_run_kontor(t, "admin", "demo",
                                       "staff list --format csv", NULL, NULL), 0);
    assert_int_equal(dbtest_run_kontor(t, "admin", "wrong", "staff list", NULL, NULL), 3);
    assert_true(dbtest_count(t->owner,
                             "SELECT count(*) FROM kontor.audit_event a JOIN kontor.staff s "
                             "ON s.id = a.staff_id WHERE s.username = 'admin' "
                             "AND a.action LIKE 'staff.%'", 0, NULL) >= 2);
    unlink(newpw);
    free(newpw);
    free(args);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_each_demo_role_signs_in),
        DBTEST(test_password_wiped),
        DBTEST(test_wrong_and_unknown_look_alike),
        DBTEST(test_lockout_after_five_and_unlock),
        DBTEST(test_session_checked_by_database),
        DBTEST(test_forced_password_change),
        DBTEST(test_rehash_on_weaker_parameters),
        DBTEST(test_audit_chain_verifies_and_detects_tampering),
        DBTEST(test_staff_commands),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}

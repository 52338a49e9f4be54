/* Unit tests for the database layer's pure parts: SQLSTATE classes and the
 * messages made from them, and the staff role names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kontor/db.h"

static void test_classify_integrity(void **state)
{
    (void)state;
    assert_int_equal(db_error_classify("23505", "duplicate key"), DB_ERR_UNIQUE);
    assert_int_equal(db_error_classify("23503", "violates foreign key"), DB_ERR_FOREIGN_KEY);
    assert_int_equal(db_error_classify("23502", "null value"), DB_ERR_NOT_NULL);
    assert_int_equal(db_error_classify("23514", "violates check"), DB_ERR_CHECK);
    assert_int_equal(db_error_classify("23P01", "exclusion"), DB_ERR_CHECK);
}

static void test_classify_timeout_cancel(void **state)
{
    (void)state;
    assert_int_equal(db_error_classify("57014", "canceling statement due to statement timeout"),
                     DB_ERR_TIMEOUT);
    assert_int_equal(db_error_classify("57014", "canceling statement due to user request"),
                     DB_ERR_CANCELED);
    assert_int_equal(db_error_classify("57014", NULL), DB_ERR_CANCELED);
}

static void test_classify_retry_auth_permission(void **state)
{
    (void)state;
    assert_int_equal(db_error_classify("40001", "could not serialize"), DB_ERR_RETRY);
    assert_int_equal(db_error_classify("40P01", "deadlock detected"), DB_ERR_RETRY);
    assert_int_equal(db_error_classify("40002", "integrity constraint"), DB_ERR_OTHER);
    assert_int_equal(db_error_classify("28000", "unknown session"), DB_ERR_AUTH);
    assert_int_equal(db_error_classify("28P01", "password failed"), DB_ERR_AUTH);
    assert_int_equal(db_error_classify("42501", "permission denied"), DB_ERR_PERMISSION);
}

static void test_classify_connection(void **state)
{
    (void)state;
    assert_int_equal(db_error_classify("08006", "connection failure"), DB_ERR_CONNECTION);
    assert_int_equal(db_error_classify("08001", "cannot connect"), DB_ERR_CONNECTION);
    assert_int_equal(db_error_classify("57P01", "terminating connection"), DB_ERR_CONNECTION);
    assert_int_equal(db_error_classify(NULL, "no state"), DB_ERR_CONNECTION);
    assert_int_equal(db_error_classify("", "no state"), DB_ERR_CONNECTION);
}

static void test_classify_rest(void **state)
{
    (void)state;
    assert_int_equal(db_error_classify("22P02", "invalid input syntax"), DB_ERR_INPUT);
    assert_int_equal(db_error_classify("22001", "value too long"), DB_ERR_INPUT);
    assert_int_equal(db_error_classify("P0002", "no data found"), DB_ERR_NOT_FOUND);
    assert_int_equal(db_error_classify("KX404", "no such order"), DB_ERR_NOT_FOUND);
    assert_int_equal(db_error_classify("KX409", "changed meanwhile"), DB_ERR_CONFLICT);
    assert_int_equal(db_error_classify("42P01", "relation does not exist"), DB_ERR_OTHER);
    assert_int_equal(db_error_classify("XX000", "internal"), DB_ERR_OTHER);
}

static void test_error_set_clear(void **state)
{
    struct db_error e = { 0 };

    (void)state;
    db_error_set(&e, DB_ERR_CONFLICT, "order %d changed", 10023);
    assert_int_equal(e.cls, DB_ERR_CONFLICT);
    assert_string_equal(e.message, "order 10023 changed");
    assert_string_equal(e.detail, "");
    db_error_set(&e, DB_ERR_OTHER, "again"); /* replaces without leaking */
    assert_string_equal(e.message, "again");
    db_error_clear(&e);
    assert_null(e.message);
    assert_int_equal(e.cls, DB_ERR_NONE);
    db_error_clear(&e);
    db_error_clear(NULL);
    db_error_set(NULL, DB_ERR_OTHER, "ignored");
}

static void test_roles(void **state)
{
    static const char *const names[] = { "clerk", "service", "manager", "admin" };
    enum db_role r;

    (void)state;
    for (int i = 0; i < DB_ROLE_COUNT; i++) {
        char pg[32];
        assert_true(db_role_parse(names[i], &r));
        assert_int_equal(r, i);
        assert_string_equal(db_role_name(r), names[i]);
        strcpy(pg, "kontor_");
        strcat(pg, names[i]);
        assert_string_equal(db_role_pg_name(r), pg);
    }
    assert_false(db_role_parse("Clerk", &r));
    assert_false(db_role_parse("kontor_clerk", &r));
    assert_false(db_role_parse("", &r));
    assert_false(db_role_parse("superuser", &r));
    assert_string_equal(db_role_name(DB_ROLE_COUNT), "?");
    assert_string_equal(db_role_pg_name(DB_ROLE_COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_integrity),
        cmocka_unit_test(test_classify_timeout_cancel),
        cmocka_unit_test(test_classify_retry_auth_permission),
        cmocka_unit_test(test_classify_connection),
        cmocka_unit_test(test_classify_rest),
        cmocka_unit_test(test_error_set_clear),
        cmocka_unit_test(test_roles),
    };

    return cmocka_run_group_tests_name("db_error", tests, NULL, NULL);
}

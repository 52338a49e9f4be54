/* `kontor return show` through the real binary against the test database,
 * with a [batch] configuration as cron would use it: the text and the JSON
 * form of the demo returns (SCENARIOS.md: R-7K2Q9M, the coat; R-9HX3TD,
 * waiting for a manager), the ways to name a return, and the refusals. */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kontor/xalloc.h"

static char *order_of(struct dbtest *t, const char *rma)
{
    const char *p[1] = { rma };

    return dbtest_scalar(t->owner,
                         "SELECT so.number FROM kontor.return_order r "
                         "JOIN kontor.sales_order so ON so.id = r.order_id WHERE r.rma = $1",
                         1, p);
}

/* One value from the JSON document doc, read by PostgreSQL (caller frees). */
static char *json_get(struct dbtest *t, const char *doc, const char *expr)
{
    const char *p[1] = { doc };
    char *sql = xasprintf("SELECT %s FROM (SELECT $1::jsonb AS j) d", expr);
    char *v = dbtest_scalar(t->owner, sql, 1, p);

    free(sql);
    return v;
}

static void test_show_text(void **state)
{
    struct dbtest *t = *state;
    char *out, *err;
    char *number = order_of(t, "R-7K2Q9M");

    assert_non_null(number);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "return show R-7K2Q9M", &out, &err), 0);
    assert_non_null(strstr(out, "R-7K2Q9M"));
    assert_non_null(strstr(out, number));
    assert_non_null(strstr(out, "Returned via"));
    assert_non_null(strstr(out, "inspected, awaiting refund"));
    assert_non_null(strstr(out, "349.00 €"));
    assert_non_null(strstr(out, "\nLines\n"));
    assert_non_null(strstr(out, "\nRefunds\n"));
    assert_non_null(strstr(out, "\nHistory\n"));
    assert_null(strstr(out, "Approval")); /* no manager needed */
    assert_string_equal(err, "");
    free(out);
    free(err);
    free(number);

    /* waiting for a manager: the approval and who asked */
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n",
                                       "return show r-9hx3td", &out, &err), 0);
    assert_non_null(strstr(out, "R-9HX3TD"));
    assert_non_null(strstr(out, "Approval     waiting for a manager"));
    assert_non_null(strstr(out, "boots, sole came loose"));
    free(out);
    free(err);
}

static void test_show_json(void **state)
{
    struct dbtest *t = *state;
    char *out, *err, *v;
    char *number = order_of(t, "R-7K2Q9M");
    char *want = xasprintf("R-7K2Q9M %s 1 inspected", number);

    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n",
                                       "return show R-7K2Q9M --format json", &out, &err),
                     0);
    v = json_get(t, out, "(j -> 'return' ->> 'rma') || ' ' || (j -> 'return' ->> 'order_number') "
                         "|| ' ' || jsonb_array_length(j -> 'lines') || ' ' || "
                         "(j -> 'return' ->> 'status')");
    assert_string_equal(v, want);
    free(v);
    v = json_get(t, out, "jsonb_typeof(j -> 'refunds') || ' ' || jsonb_typeof(j -> 'history')");
    assert_string_equal(v, "array array");
    free(v);
    free(out);
    free(err);

    /* the same return named without "R-", in lower case, and by its id */
    const char *p[1] = { "R-7K2Q9M" };
    char *id = dbtest_scalar(t->owner, "SELECT id FROM kontor.return_order WHERE rma = $1", 1, p);
    char *args[2] = { xstrdup("return show 7k2q9m --format json"),
                      xasprintf("return show %s --format json", id) };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", args[i], &out, &err), 0);
        v = json_get(t, out, "j -> 'return' ->> 'rma'");
        assert_string_equal(v, "R-7K2Q9M");
        free(v);
        free(out);
        free(err);
        free(args[i]);
    }
    free(id);
    free(want);
    free(number);
}

static void test_show_refusals(void **state)
{
    struct dbtest *t = *state;
    char *out, *err;

    /* an unknown return: a message, nothing on standard output */
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "return show R-ZZZZZZ", &out, &err), 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "no return R-ZZZZZZ"));
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n",
                                       "return show R-ZZZZZZ --format json", &out, &err),
                     1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "no return R-ZZZZZZ"));
    free(out);
    free(err);
    /* CSV is not offered; the RMA is required */
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "return show R-7K2Q9M --format csv", &out, &err), 2);
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", "return show", &out, &err), 2);
    assert_non_null(strstr(err, "usage: kontor return show"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_show_text),
        DBTEST(test_show_json),
        DBTEST(test_show_refusals),
    };
    return cmocka_run_group_tests_name("return cli", tests, NULL, NULL);
}

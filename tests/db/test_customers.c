/* The customer view and its edits against the real database, each step as
 * the staff role that does it, in its own transaction as the console runs
 * it: the view's parts (the statements of src/domain/customer.c) give
 * service the journey across channels and a clerk the masked view and
 * nothing more; masking is the database's (42501 for a clerk on the
 * tables); concurrent edits of the profile, a phone number and a consent —
 * the second is refused naming who and when, nothing is overwritten;
 * consent changes keep who, when and the source; validation; the export
 * holds everything and lands in an owner-only file; an erasure leaves no
 * personal text in any column of any table (merged records included) and
 * an erased customer stays erased. Customer 1 is Jürgen Müller of
 * SCENARIOS.md (gen_scenario.sql), customer 2 his second record. */
#include "dbtest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/customer.h"
#include "kontor/export.h"
#include "kontor/xalloc.h"

/* Helpers ----------------------------------------------------------------------- */

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL) {
        fprintf(stderr, "expected \"%s\" in: %s\n", part, text);
        fail();
    }
}

/* A value read by the owner; caller frees. */
static char *sval(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    char *v = dbtest_scalar(t->owner, sql, p1 ? 1 : 0, p);

    if (v == NULL)
        fail_msg("no value from: %s", sql);
    return v;
}

static long long nval(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    return dbtest_count(t->owner, sql, p1 ? 1 : 0, p);
}

static void assert_val(struct dbtest *t, const char *sql, const char *p1, const char *want)
{
    char *got = sval(t, sql, p1);

    if (strcmp(got, want) != 0)
        fprintf(stderr, "got  '%s'\nwant '%s'\n  for: %s\n", got, want, sql);
    assert_string_equal(got, want);
    free(got);
}

/* The view's statements (src/domain/customer.c) as a, in one transaction
 * as the console sends them; results in v->st[i].res (caller clears). */
static void view_as(struct dbtest_actor *a, struct customer_view *v, long long id, bool full)
{
    size_t n;
    struct db_stmt *st = customer_view_stmts(v, id, full, &n);

    dbtest_actor_begin(a, NULL);
    for (size_t i = 0; i < n; i++) {
        st[i].res = PQexecParams(a->c, st[i].sql, st[i].nparams, NULL, st[i].params, NULL, NULL, 0);
        if (!dbtest_res_ok(st[i].res)) {
            fprintf(stderr, "view part %zu as %s: %s\n", i, a->username,
                    PQresultErrorMessage(st[i].res));
            dbtest_ok(a->c, "ROLLBACK");
            fail();
        }
    }
    dbtest_ok(a->c, "COMMIT");
}

/* The SQLSTATE one view statement of the other role's set fails with as a. */
static char *view_part_state(struct dbtest_actor *a, long long id, bool full,
                             enum customer_part part)
{
    struct customer_view v;
    size_t n;
    struct db_stmt *st = customer_view_stmts(&v, id, full, &n);
    char *state;

    dbtest_actor_begin(a, NULL);
    state = dbtest_try(a->c, st[part].sql, st[part].nparams, st[part].params);
    dbtest_ok(a->c, "ROLLBACK");
    return state;
}

/* Rows of part whose column col equals value. */
static int rows_with(const PGresult *r, int col, const char *value)
{
    int k = 0;

    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, col), value) == 0)
            k++;
    return k;
}

static bool row_with(const PGresult *r, int col1, const char *v1, int col2, const char *v2)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, col1), v1) == 0 && strcmp(PQgetvalue(r, i, col2), v2) == 0)
            return true;
    return false;
}

#define UPDATE_PROFILE                                                                       \
    "SELECT kontor.customer_update($1::bigint, $2::int, $3, $4, nullif($5, '')::date, $6, $7, $8, $9)"
#define SAVE_IDENTITY                                                                        \
    "SELECT kontor.customer_identity_save($1::bigint, nullif($2, '')::bigint, $3::int, "     \
    "nullif($4, ''), $5, nullif($6, ''), $7::boolean)"
#define SET_CONSENT                                                                          \
    "SELECT kontor.consent_set($1::bigint, $2, $3, $4::boolean, $5, nullif($6, '')::bigint)"

static char *phone_of(struct dbtest *t, const char *customer, const char *col)
{
    char sql[256];

    snprintf(sql, sizeof(sql), "SELECT %s FROM kontor.customer_identity WHERE customer_id = $1::bigint "
             "AND kind = 'phone' AND retired_at IS NULL ORDER BY id LIMIT 1", col);
    return sval(t, sql, customer);
}

/* A second customer-service agent (the demo has one active). */
static void second_agent(struct dbtest *t, struct dbtest_actor *a)
{
    dbtest_ok(t->owner, "UPDATE kontor.staff SET active = true WHERE username = 'carla.dietz'");
    dbtest_actor_open(t, "carla.dietz", a);
}

/* The view ---------------------------------------------------------------------------- */

static void test_view_service_sees_the_journey(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc;
    struct customer_view v;
    struct customer_header h;
    struct customer_counts k;
    const PGresult *tl;
    char prev[64] = "9999";

    dbtest_actor_open(t, "service", &svc);
    view_as(&svc, &v, 1, true);
    assert_true(customer_header_read(v.st[CUSTOMER_PART_HEADER].res, &h));
    assert_string_equal(h.first_name, "Jürgen");
    assert_string_equal(h.last_name, "Müller");
    assert_string_equal(h.street, "Schwachhauser Heerstraße 41");
    assert_string_equal(h.postcode, "28209");
    assert_true(h.full);
    assert_true(h.version >= 1);
    /* identities across channels, with their source */
    const PGresult *ids = v.st[CUSTOMER_PART_IDENTITIES].res;
    assert_int_equal(PQntuples(ids), 4);
    assert_true(row_with(ids, CI_COL_KIND, "email", CI_COL_VALUE, "juergen.mueller@example.de"));
    assert_true(row_with(ids, CI_COL_KIND, "phone", CI_COL_VALUE, "+49 421 1234567"));
    assert_true(row_with(ids, CI_COL_KIND, "loyalty", CI_COL_SOURCE, "store"));
    assert_true(row_with(ids, CI_COL_KIND, "web_account", CI_COL_VALUE, "jm1977"));
    /* consents per purpose and channel, with source and time */
    const PGresult *cons = v.st[CUSTOMER_PART_CONSENTS].res;
    assert_int_equal(PQntuples(cons), 5);
    assert_true(row_with(cons, CC_COL_PURPOSE, "newsletter", CC_COL_SOURCE, "web signup form"));
    assert_true(row_with(cons, CC_COL_PURPOSE, "post", CC_COL_BY, "Anna Kruse"));
    assert_true(row_with(cons, CC_COL_PURPOSE, "sms", CC_COL_GRANTED, "f"));
    for (int i = 0; i < PQntuples(cons); i++)
        assert_int_equal(strlen(PQgetvalue(cons, i, CC_COL_AT)), 10);
    /* counters */
    customer_counts_read(v.st[CUSTOMER_PART_COUNTS].res, &k);
    assert_int_equal(k.orders, nval(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 1", NULL));
    assert_int_equal(k.returns, 1);
    assert_int_equal(k.revenue_cents, nval(t, "SELECT sum(total_cents) FROM kontor.sales_order "
                                              "WHERE customer_id = 1 AND status <> 'cancelled'", NULL));
    assert_int_equal(k.return_rate_pct, (100 * k.returns + k.kept_orders / 2) / k.kept_orders);
    assert_non_null(strstr(k.by_channel, "Web 2"));
    /* the journey: every channel, newest first, each entry opening its record */
    tl = v.st[CUSTOMER_PART_TIMELINE].res;
    assert_int_equal(PQntuples(tl), k.entries);
    assert_int_equal(rows_with(tl, CT_COL_KIND, "order"), k.orders);
    assert_int_equal(rows_with(tl, CT_COL_KIND, "return"), 1);
    assert_int_equal(rows_with(tl, CT_COL_KIND, "refund"), 1);
    assert_int_equal(rows_with(tl, CT_COL_KIND, "interaction"),
                     nval(t, "SELECT count(*) FROM kontor.interaction WHERE customer_id = 1", NULL));
    assert_true(row_with(tl, CT_COL_KIND, "order", CT_COL_OPEN, "order K-100001"));
    assert_true(row_with(tl, CT_COL_KIND, "order", CT_COL_VIA, "App"));
    assert_true(row_with(tl, CT_COL_KIND, "order", CT_COL_VIA, "Stores"));
    assert_true(row_with(tl, CT_COL_KIND, "return", CT_COL_OPEN, "return R-4TQ8ZP"));
    assert_true(row_with(tl, CT_COL_KIND, "refund", CT_COL_OPEN, "return R-4TQ8ZP"));
    assert_true(row_with(tl, CT_COL_KIND, "interaction", CT_COL_VIA, "Newsletter"));
    assert_true(row_with(tl, CT_COL_KIND, "interaction", CT_COL_OPEN, ""));
    for (int i = 0; i < PQntuples(tl); i++) {
        const char *at = PQgetvalue(tl, i, CT_COL_AT);
        assert_true(strcmp(at, prev) <= 0);
        snprintf(prev, sizeof(prev), "%s", at);
    }
    assert_string_equal(PQgetvalue(tl, 0, CT_COL_OPEN), "order K-100001"); /* placed 40 min ago */
    assert_string_equal(customer_timeline_status_label("order", PQgetvalue(tl, 0, CT_COL_STATUS)),
                        "paid");
    db_stmts_clear(v.st, CUSTOMER_PART_COUNT);
    /* a note appears in the journey */
    const char *p[1] = { "called about the return; sent the label" };
    dbtest_step_ok(&svc, "INSERT INTO kontor.customer_note (customer_id, body) VALUES (1, $1)", 1,
                   p);
    view_as(&svc, &v, 1, true);
    tl = v.st[CUSTOMER_PART_TIMELINE].res;
    assert_string_equal(PQgetvalue(tl, 0, CT_COL_KIND), "note");
    assert_string_equal(PQgetvalue(tl, 0, CT_COL_WHAT),
                        "Ben Scholz: called about the return; sent the label");
    db_stmts_clear(v.st, CUSTOMER_PART_COUNT);
    /* a return's value in the journey is kontor.return_value's, for every return */
    assert_true(nval(t, "SELECT count(*) FROM kontor.return_order r", NULL) > 20);
    assert_int_equal(nval(t, "SELECT count(*) FROM (SELECT DISTINCT so.customer_id FROM kontor.return_order r "
                             "JOIN kontor.sales_order so ON so.id = r.order_id WHERE so.customer_id IS NOT NULL) c "
                             "CROSS JOIN LATERAL kontor.customer_timeline(c.customer_id, 200, true) tl "
                             "JOIN kontor.return_order r ON tl.kind = 'return' AND r.id = tl.id "
                             "WHERE tl.cents IS DISTINCT FROM kontor.return_value(r.id)", NULL), 0);
    assert_true(nval(t, "SELECT count(*) FROM (SELECT DISTINCT so.customer_id FROM kontor.return_order r "
                        "JOIN kontor.sales_order so ON so.id = r.order_id WHERE so.customer_id IS NOT NULL) c "
                        "CROSS JOIN LATERAL kontor.customer_timeline(c.customer_id, 200, true) tl "
                        "WHERE tl.kind = 'return'", NULL) > 20);
    /* the JSON form (kontor customer show --format json) */
    struct customer_view vj;
    struct db_stmt *js = customer_view_json_stmt(&vj, 1, true);
    dbtest_actor_begin(&svc, NULL);
    char *doc = dbtest_scalar(svc.c, js->sql, js->nparams, js->params);
    dbtest_ok(svc.c, "COMMIT");
    assert_non_null(doc);
    assert_contains(doc, "\"identities\"");
    assert_contains(doc, "juergen.mueller@example.de");
    assert_contains(doc, "order K-100001");
    free(doc);
}

static void test_view_clerk_gets_the_masked_view(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk;
    struct customer_view v;
    struct customer_header h;
    const PGresult *r;

    dbtest_actor_open(t, "clerk", &clerk);
    view_as(&clerk, &v, 1, false);
    assert_true(customer_header_read(v.st[CUSTOMER_PART_HEADER].res, &h));
    assert_false(h.full);
    assert_string_equal(h.first_name, "Jürgen");
    assert_string_equal(h.city, "Bremen");
    assert_string_equal(h.street, "");
    assert_string_equal(h.birthdate, "");
    assert_string_equal(h.email_masked, "j***@example.de");
    assert_string_equal(h.phone_masked, "***567");
    /* identities: the masked e-mail and phone, nothing else */
    r = v.st[CUSTOMER_PART_IDENTITIES].res;
    assert_int_equal(PQntuples(r), 2);
    assert_true(row_with(r, CI_COL_KIND, "phone", CI_COL_VALUE, "***567"));
    assert_true(row_with(r, CI_COL_KIND, "email", CI_COL_VALUE, "j***@example.de"));
    /* no consents, no touchpoints, no notes */
    assert_int_equal(PQntuples(v.st[CUSTOMER_PART_CONSENTS].res), 0);
    r = v.st[CUSTOMER_PART_TIMELINE].res;
    assert_true(PQntuples(r) > 0);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *kind = PQgetvalue(r, i, CT_COL_KIND);
        assert_true(strcmp(kind, "order") == 0 || strcmp(kind, "return") == 0
                    || strcmp(kind, "refund") == 0);
        assert_null(strstr(PQgetvalue(r, i, CT_COL_WHAT), "@"));
    }
    /* every personal text the clerk's parts return */
    for (int part = 0; part < CUSTOMER_PART_COUNT; part++)
        for (int i = 0; i < PQntuples(v.st[part].res); i++)
            for (int c = 0; c < PQnfields(v.st[part].res); c++) {
                const char *val = PQgetvalue(v.st[part].res, i, c);
                assert_null(strstr(val, "juergen.mueller"));
                assert_null(strstr(val, "1234567"));
                assert_null(strstr(val, "Schwachhauser"));
                assert_null(strstr(val, "jm1977"));
                assert_null(strstr(val, "4000 1234"));
            }
    db_stmts_clear(v.st, CUSTOMER_PART_COUNT);
    /* the full statements are refused to a clerk by the database */
    static const enum customer_part refused_parts[] = {
        CUSTOMER_PART_HEADER, CUSTOMER_PART_IDENTITIES, CUSTOMER_PART_CONSENTS,
        CUSTOMER_PART_COUNTS, CUSTOMER_PART_TIMELINE,
    };
    for (size_t i = 0; i < sizeof(refused_parts) / sizeof(refused_parts[0]); i++) {
        char *st = view_part_state(&clerk, 1, true, refused_parts[i]);
        if (strcmp(st, "42501") != 0)
            fprintf(stderr, "full part %d as clerk: '%s'\n", refused_parts[i], st);
        assert_string_equal(st, "42501");
        free(st);
    }
}

static void test_masking_held_by_the_database(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, svc;
    PGresult *r;
    static const char *const closed[] = {
        "SELECT first_name FROM kontor.customer LIMIT 1",
        "SELECT street FROM kontor.customer LIMIT 1",
        "SELECT value FROM kontor.customer_identity LIMIT 1",
        "SELECT count(*) FROM kontor.customer_identity",
        "SELECT source FROM kontor.consent LIMIT 1",
        "SELECT * FROM kontor.consent_current LIMIT 1",
        "SELECT body FROM kontor.customer_note LIMIT 1",
        "SELECT visitor_id FROM kontor.interaction LIMIT 1",
        "SELECT kontor.customer_export(1)",
        "SELECT kontor.customer_update(1, 0, 'A', 'B', NULL, NULL, NULL, NULL, NULL)",
        "SELECT kontor.customer_identity_save(1, NULL, 0, 'email', 'x@example.org', NULL, false)",
        "SELECT kontor.consent_set(1, 'sms', 'phone', true, 'call', NULL)",
        "SELECT kontor.customer_erase(1, 'test')",
    };

    dbtest_actor_open(t, "clerk", &clerk);
    for (size_t i = 0; i < sizeof(closed) / sizeof(closed[0]); i++)
        dbtest_step_fails(&clerk, closed[i], 0, NULL, "42501", NULL);
    r = dbtest_step(&clerk,
                    "SELECT first_name, last_name, city, email_masked, phone_masked "
                    "FROM kontor.customer_masked WHERE id = 1",
                    0, NULL);
    assert_string_equal(PQgetvalue(r, 0, 0), "Jürgen");
    assert_string_equal(PQgetvalue(r, 0, 2), "Bremen");
    assert_string_equal(PQgetvalue(r, 0, 3), "j***@example.de");
    assert_string_equal(PQgetvalue(r, 0, 4), "***567");
    PQclear(r);
    /* service reads everything */
    dbtest_actor_open(t, "service", &svc);
    r = dbtest_step(
        &svc,
        "SELECT c.street, i.value FROM kontor.customer c JOIN kontor.customer_identity i "
        "ON i.customer_id = c.id AND i.kind = 'email' WHERE c.id = 1",
        0, NULL);
    assert_string_equal(PQgetvalue(r, 0, 0), "Schwachhauser Heerstraße 41");
    assert_string_equal(PQgetvalue(r, 0, 1), "juergen.mueller@example.de");
    PQclear(r);
    /* but not the erasure */
    dbtest_step_fails(&svc, "SELECT kontor.customer_erase(1, 'asked')", 0, NULL, "42501", NULL);
}

static void test_timeline_shows_the_newest_200(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc;
    struct customer_view v;
    struct customer_counts k;
    const PGresult *tl;

    /* 300 touchpoint interactions on top of the customer's records */
    dbtest_ok(t->owner, "INSERT INTO kontor.interaction (touchpoint_id, customer_id, kind, at) "
                        "SELECT (SELECT min(id) FROM kontor.touchpoint), 1, 'viewed', "
                        "now() - g * interval '1 hour' FROM generate_series(1, 300) g");
    dbtest_actor_open(t, "service", &svc);
    view_as(&svc, &v, 1, true);
    customer_counts_read(v.st[CUSTOMER_PART_COUNTS].res, &k);
    tl = v.st[CUSTOMER_PART_TIMELINE].res;
    assert_int_equal(PQntuples(tl), CUSTOMER_TIMELINE_MAX);
    assert_true(k.entries > CUSTOMER_TIMELINE_MAX + 100);
    /* the newest: K-100001 (40 minutes ago) first, then the hourly views */
    assert_string_equal(PQgetvalue(tl, 0, CT_COL_OPEN), "order K-100001");
    assert_string_equal(PQgetvalue(tl, 1, CT_COL_KIND), "interaction");
    db_stmts_clear(v.st, CUSTOMER_PART_COUNT);
}

/* Edits ------------------------------------------------------------------------------------ */

static void test_concurrent_profile_edit(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor a, b;
    char *v1 = sval(t, "SELECT version FROM kontor.customer WHERE id = 1", NULL);
    const char *pa[9] = { "1", v1, "Jürgen", "Müller", "1977-05-14", "Schwachhauser Heerstraße 43",
                          "28209", "Bremen", "DE" };
    const char *pb[9] = { "1", v1, "Jürgen", "Müller", "1977-05-14", "Am Wall 1", "28195", "Bremen",
                          "DE" };
    char *msg;

    dbtest_actor_open(t, "service", &a);
    second_agent(t, &b);
    /* both saw version v1; the first save wins */
    PGresult *r = dbtest_step(&a, UPDATE_PROFILE, 9, pa);
    assert_int_equal(atoi(PQgetvalue(r, 0, 0)), atoi(v1) + 1);
    PQclear(r);
    /* the second is told who changed it and when; nothing is overwritten */
    msg = dbtest_step_refused(&b, UPDATE_PROFILE, 9, pb, "KX409", NULL);
    assert_contains(msg, "changed by Ben Scholz at ");
    assert_contains(msg, "not saved");
    free(msg);
    assert_val(t, "SELECT street FROM kontor.customer WHERE id = 1", NULL, "Schwachhauser Heerstraße 43");
    assert_val(t, "SELECT s.username FROM kontor.customer c JOIN kontor.staff s ON s.id = c.updated_by "
                  "WHERE c.id = 1", NULL, "service");
    /* the view shows who changed it */
    struct customer_view v;
    struct customer_header h;
    view_as(&b, &v, 1, true);
    customer_header_read(v.st[CUSTOMER_PART_HEADER].res, &h);
    assert_string_equal(h.updated_by, "Ben Scholz");
    assert_string_equal(h.street, "Schwachhauser Heerstraße 43");
    db_stmts_clear(v.st, CUSTOMER_PART_COUNT);
    /* saving again with the version now shown works */
    char v2[16];
    snprintf(v2, sizeof(v2), "%d", h.version);
    pb[1] = v2;
    dbtest_step_ok(&b, UPDATE_PROFILE, 9, pb);
    assert_val(t, "SELECT street FROM kontor.customer WHERE id = 1", NULL, "Am Wall 1");
    /* audited as who did it, personal values redacted */
    assert_true(nval(t, "SELECT count(*) FROM kontor.audit_event a JOIN kontor.staff s ON s.id = a.staff_id "
                        "WHERE a.action = 'customer.update' AND a.entity_id = '1' "
                        "AND s.username = 'carla.dietz' AND a.after ->> 'street' = '[redacted]'", NULL) == 1);
    free(v1);
}

/* Both transactions open at once: the second waits for the first and is
 * then refused (not overwriting what was just committed). */
static void test_concurrent_phone_edit_blocked(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor a, b;
    char *id = phone_of(t, "1", "id::text"), *ver = phone_of(t, "1", "version::text");
    const char *pa[7] = { "1", id, ver, "", "+49 421 7654321", "", "false" };
    const char *pb[7] = { "1", id, ver, "", "0421 555 000", "", "false" };
    PGresult *r;

    dbtest_actor_open(t, "service", &a);
    second_agent(t, &b);
    dbtest_actor_begin(&a, NULL);
    PQclear(dbtest_query(a.c, SAVE_IDENTITY, 7, pa));
    dbtest_actor_begin(&b, NULL);
    assert_int_equal(PQsendQueryParams(b.c, SAVE_IDENTITY, 7, NULL, pb, NULL, NULL, 0), 1);
    usleep(200 * 1000);
    PQconsumeInput(b.c);
    assert_int_equal(PQisBusy(b.c), 1); /* waiting for a's row lock */
    dbtest_ok(a.c, "COMMIT");
    r = PQgetResult(b.c);
    assert_false(dbtest_res_ok(r));
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "KX409");
    assert_contains(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY),
                    "the phone number of customer 1 was changed by Ben Scholz at ");
    assert_contains(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY), "\"+49 421 7654321\"");
    PQclear(r);
    while ((r = PQgetResult(b.c)) != NULL)
        PQclear(r);
    dbtest_ok(b.c, "ROLLBACK");
    free(id);
    id = phone_of(t, "1", "value");
    assert_string_equal(id, "+49 421 7654321");
    free(id);
    free(ver);
}

static void test_identities_add_and_correct(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc;
    char *id = phone_of(t, "1", "id::text"), *ver = phone_of(t, "1", "version::text");
    const char *fix[7] = { "1", id, ver, "", "+49 421 1234568", "", "false" };
    const char *add[7] = { "1", "", "0", "email", "jm@example.org", "phone", "false" };
    const char *bad[7] = { "1", "", "0", "email", "jm at example", "phone", "false" };
    const char *twice[7] = { "1", "", "0", "email", "JM@example.org", "phone", "false" };
    const char *taken[7] = { "1", "", "0", "web_account", "kathi_hh", "web", "false" };
    const char *shared[7] = { "1", "", "0", "phone", "040 7654321", "phone", "false" };
    char *msg;

    dbtest_actor_open(t, "service", &svc);
    dbtest_step_ok(&svc, SAVE_IDENTITY, 7, fix);
    assert_val(t, "SELECT value || ' ' || verified || ' ' || version FROM kontor.customer_identity "
                  "WHERE id = $1::bigint", id, "+49 421 1234568 false 2");
    dbtest_step_ok(&svc, SAVE_IDENTITY, 7, add);
    assert_val(t, "SELECT source || ' ' || s.username FROM kontor.customer_identity i "
                  "JOIN kontor.audit_event a ON a.entity = 'customer_identity' AND a.entity_id = i.id::text "
                  "JOIN kontor.staff s ON s.id = a.staff_id "
                  "WHERE i.customer_id = 1 AND i.value = 'jm@example.org'", NULL, "phone service");
    dbtest_step_fails(&svc, SAVE_IDENTITY, 7, bad, "23514", "customer_identity");
    msg = dbtest_step_refused(&svc, SAVE_IDENTITY, 7, twice, "23505", NULL);
    assert_contains(msg, "has the e-mail address");
    free(msg);
    msg = dbtest_step_refused(&svc, SAVE_IDENTITY, 7, taken, "23505", NULL);
    assert_contains(msg, "belongs to customer 3");
    free(msg);
    /* a household's phone may be shared (0011): a duplicate signal, not an error */
    dbtest_step_ok(&svc, SAVE_IDENTITY, 7, shared);
    free(id);
    free(ver);
}

static void test_profile_validation(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc;
    static const struct {
        const char *p[9];
        const char *constraint;
    } cases[] = {
        { { "1", "0", "", "", "", "", "", "", "" }, "customer_last_name" },
        { { "1", "0", "Jürgen", "Müller", "2999-01-01", "", "", "", "DE" }, "customer_birthdate" },
        { { "1", "0", "Jürgen", "Müller", "", "", "2820", "Bremen", "DE" }, "customer_postcode" },
        { { "1", "0", "Jürgen", "Müller", "", "", "", "", "Deutschland" }, "customer_country" },
        { { "1", "0", "Jürgen\x1b[2J", "Müller", "", "", "", "", "DE" }, "customer_first_name" },
    };

    dbtest_actor_open(t, "service", &svc);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        dbtest_step_fails(&svc, UPDATE_PROFILE, 9, cases[i].p, "23514", cases[i].constraint);
    /* a Dutch postcode is fine outside Germany; nothing changed keeps the version */
    const char *nl[9] = { "1", "0", "Jürgen", "Müller", "1977-05-14", "Keizersgracht 1",
                          "1015 CJ", "Amsterdam", "nl" };
    dbtest_step_ok(&svc, UPDATE_PROFILE, 9, nl);
    assert_val(t, "SELECT postcode || ' ' || country FROM kontor.customer WHERE id = 1", NULL, "1015 CJ NL");
    char *v = sval(t, "SELECT version FROM kontor.customer WHERE id = 1", NULL);
    dbtest_step_ok(&svc, UPDATE_PROFILE, 9, nl);
    assert_val(t, "SELECT version FROM kontor.customer WHERE id = 1", NULL, v);
    free(v);
    /* a merged record is not edited */
    const char *merged[9] = { "2", "0", "Juergen", "Mueller", "", "", "", "", "DE" };
    dbtest_ok(t->owner, "UPDATE kontor.customer SET merged_into = 1 WHERE id = 2");
    dbtest_step_fails(&svc, UPDATE_PROFILE, 9, merged, "23514", "customer_merged");
}

static void test_consent_change_recorded(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc, other;
    char *seen = sval(t, "SELECT id FROM kontor.consent_current WHERE customer_id = 1 "
                         "AND purpose = 'newsletter'", NULL);
    const char *withdraw[6] = { "1", "newsletter", "web", "false", "phone call", seen };
    const char *stale[6] = { "1", "newsletter", "web", "true", "phone call", seen };
    const char *grant[6] = { "1", "sms", "phone", "true", "phone call", "" };
    const char *nosource[6] = { "1", "phone", "phone", "true", "  ", "" };
    char *msg;

    dbtest_actor_open(t, "service", &svc);
    second_agent(t, &other);
    dbtest_step_ok(&svc, SET_CONSENT, 6, withdraw);
    /* appended: who, when, the source and the channel; the old record stays */
    assert_val(t, "SELECT c.granted || ' ' || c.source || ' ' || s.username || ' ' || ch.code || ' ' "
                  "|| (c.at > now() - interval '1 minute') FROM kontor.consent_current c "
                  "JOIN kontor.staff s ON s.id = c.recorded_by JOIN kontor.channel ch ON ch.id = c.channel_id "
                  "WHERE c.customer_id = 1 AND c.purpose = 'newsletter'", NULL,
               "false phone call service web true");
    assert_true(nval(t, "SELECT count(*) FROM kontor.consent WHERE customer_id = 1 AND purpose = 'newsletter'",
                     NULL) == 2);
    assert_true(nval(t, "SELECT count(*) FROM kontor.audit_event a JOIN kontor.staff s ON s.id = a.staff_id "
                        "WHERE a.action = 'consent.insert' AND s.username = 'service' "
                        "AND a.after ->> 'source' = 'phone call'", NULL) == 1);
    /* the other agent saw the old record: told who changed it and to what */
    msg = dbtest_step_refused(&other, SET_CONSENT, 6, stale, "KX409", NULL);
    assert_contains(msg, "the newsletter consent via web was changed by Ben Scholz at ");
    assert_contains(msg, "it is now withdrawn (phone call)");
    free(msg);
    /* a new consent for a purpose and channel never recorded */
    dbtest_step_ok(&svc, SET_CONSENT, 6, grant);
    assert_val(t, "SELECT granted::text FROM kontor.consent_current c JOIN kontor.channel ch "
                  "ON ch.id = c.channel_id WHERE customer_id = 1 AND purpose = 'sms' AND ch.code = 'phone'",
               NULL, "true");
    dbtest_step_fails(&svc, SET_CONSENT, 6, nosource, "23514", "customer_consent_source");
    free(seen);
}

/* Privacy ------------------------------------------------------------------------------------ */

static void test_export_holds_everything(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc;
    struct customer_export q;
    struct db_stmt *st = customer_export_stmt(&q, 1);
    char path[256], *err = NULL, *doc;
    struct stat sb;
    PGresult *r;

    dbtest_actor_open(t, "service", &svc);
    r = dbtest_step(&svc, st->sql, st->nparams, st->params);
    doc = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    /* checked by PostgreSQL: the parts of a privacy request */
    const char *p[1] = { doc };
    PGresult *c = dbtest_query(t->owner,
        "SELECT d -> 'customer' ->> 'first_name', d -> 'customer' ->> 'street', "
        "(SELECT count(*) FROM jsonb_array_elements(d -> 'identities') i WHERE i ->> 'value' = 'juergen.mueller@example.de'), "
        "jsonb_array_length(d -> 'identities'), jsonb_array_length(d -> 'consents'), "
        "jsonb_array_length(d -> 'orders'), jsonb_array_length(d -> 'returns'), "
        "jsonb_array_length(d -> 'interactions'), d -> 'returns' -> 0 ->> 'rma', "
        "jsonb_array_length(d -> 'orders' -> 0 -> 'lines') > 0, "
        "jsonb_array_length(d -> 'orders' -> 0 -> 'payments') > 0, "
        "(SELECT count(*) FROM jsonb_array_elements(d -> 'interactions') i WHERE i ? 'touchpoint') "
        "FROM (SELECT $1::jsonb AS d) x", 1, p);
    assert_string_equal(PQgetvalue(c, 0, 0), "Jürgen");
    assert_string_equal(PQgetvalue(c, 0, 1), "Schwachhauser Heerstraße 41");
    assert_string_equal(PQgetvalue(c, 0, 2), "1");
    assert_string_equal(PQgetvalue(c, 0, 3), "4");
    assert_int_equal(atoll(PQgetvalue(c, 0, 4)),
                     nval(t, "SELECT count(*) FROM kontor.consent WHERE customer_id = 1", NULL));
    assert_int_equal(atoll(PQgetvalue(c, 0, 5)),
                     nval(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 1", NULL));
    assert_string_equal(PQgetvalue(c, 0, 6), "1");
    assert_int_equal(atoll(PQgetvalue(c, 0, 7)),
                     nval(t, "SELECT count(*) FROM kontor.interaction WHERE customer_id = 1", NULL));
    assert_string_equal(PQgetvalue(c, 0, 8), "R-4TQ8ZP");
    assert_string_equal(PQgetvalue(c, 0, 9), "t");
    assert_string_equal(PQgetvalue(c, 0, 10), "t");
    assert_string_equal(PQgetvalue(c, 0, 7), PQgetvalue(c, 0, 11));
    PQclear(c);
    /* audited as who asked for it */
    assert_true(nval(t, "SELECT count(*) FROM kontor.audit_event a JOIN kontor.staff s ON s.id = a.staff_id "
                        "WHERE a.action = 'customer.exported' AND a.entity_id = '1' AND s.username = 'service'",
                     NULL) == 1);
    /* the file: owner-only, never overwritten unless asked, never through a link */
    snprintf(path, sizeof(path), "/tmp/kontor-test-export-%ld.json", (long)getpid());
    unlink(path);
    assert_int_equal(export_file_write(path, doc, false, &err), EXPORT_WRITE_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal((long long)sb.st_size, (long long)strlen(doc) + 1);
    assert_true(export_file_exists(path));
    assert_int_equal(export_file_write(path, "{}", false, &err), EXPORT_WRITE_EXISTS);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((long long)sb.st_size, (long long)strlen(doc) + 1);
    chmod(path, 0644);
    assert_int_equal(export_file_write(path, "{}", true, &err), EXPORT_WRITE_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal((long long)sb.st_size, 3);
    char link[300];
    snprintf(link, sizeof(link), "%s.link", path);
    unlink(link);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(export_file_write(link, "{}", true, &err), EXPORT_WRITE_FAILED);
    assert_contains(err, "symbolic link");
    free(err);
    unlink(link);
    /* a text that ends in a newline (a CSV's CR LF) gets none added */
    assert_int_equal(export_file_write(path, "a,b\r\n", true, &err), EXPORT_WRITE_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((long long)sb.st_size, 5);
    unlink(path);
    free(doc);
}

/* Every text-like column of every table of the schema, searched for the
 * given texts (case-insensitive). Returns the number of hits (and, with
 * report, prints where they are). */
static long long scan_for(struct dbtest *t, const char *const *needles, size_t n, bool report)
{
    PGresult *cols = dbtest_query(t->owner,
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables tb ON tb.table_schema = c.table_schema "
        " AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE' "
        "WHERE c.table_schema = 'kontor' AND (c.data_type IN ('text', 'character varying', "
        " 'character', 'json', 'jsonb') OR c.udt_name IN ('_text', '_varchar')) "
        "ORDER BY 1, 2", 0, NULL);
    long long hits = 0;

    assert_true(PQntuples(cols) > 40);
    for (int i = 0; i < PQntuples(cols); i++) {
        for (size_t k = 0; k < n; k++) {
            char sql[512];
            const char *p[1] = { needles[k] };
            snprintf(sql, sizeof(sql), "SELECT count(*) FROM kontor.\"%s\" WHERE \"%s\"::text ILIKE "
                     "'%%' || $1 || '%%'", PQgetvalue(cols, i, 0), PQgetvalue(cols, i, 1));
            long long c = dbtest_count(t->owner, sql, 1, p);
            if (c > 0 && report)
                fprintf(stderr, "  still there: \"%s\" in %s.%s (%lld rows)\n", needles[k],
                        PQgetvalue(cols, i, 0), PQgetvalue(cols, i, 1), c);
            hits += c;
        }
    }
    PQclear(cols);
    return hits;
}

/* Quirinella Zabriskie: a customer with data in every place a person's data
 * can be, and a second record of her merged into the first. */
static void make_quirinella(struct dbtest *t, struct dbtest_actor *svc, struct dbtest_actor *mgr,
                            char *id, size_t len)
{
    char *c1, *c2, *order;
    const char *p[2];

    c1 = sval(t, "INSERT INTO kontor.customer (first_name, last_name, birthdate, street, postcode, city, "
                 "home_channel_id) VALUES ('Quirinella', 'Zabriskie', '1981-02-03', 'Zauberweg 99', "
                 "'28199', 'Quakenbrück', (SELECT id FROM kontor.channel WHERE code = 'web')) "
                 "RETURNING id", NULL);
    c2 = sval(t, "INSERT INTO kontor.customer (first_name, last_name, street, postcode, city) "
                 "VALUES ('Q.', 'ZABRISKIE', 'Zauberweg 99a', '28199', 'Quakenbrück') RETURNING id", NULL);
    snprintf(id, len, "%s", c1);
    p[0] = c1;
    /* identities, consents, a note — as customer service */
    const char *e[7] = { c1, "", "0", "email", "quirinella.zabriskie@example.org", "web", "true" };
    const char *ph[7] = { c1, "", "0", "phone", "+49 421 9876543", "web", "false" };
    const char *lo[7] = { c2, "", "0", "loyalty", "4000 9876 5432", "store", "false" };
    const char *ph2[7] = { c2, "", "0", "phone", "0421 9876543", "store", "false" };
    dbtest_step_ok(svc, SAVE_IDENTITY, 7, e);
    dbtest_step_ok(svc, SAVE_IDENTITY, 7, ph);
    dbtest_step_ok(svc, SAVE_IDENTITY, 7, lo);
    dbtest_step_ok(svc, SAVE_IDENTITY, 7, ph2);
    const char *cn[6] = { c1, "newsletter", "web", "true", "web signup form", "" };
    const char *cs[6] = { c1, "sms", "phone", "true", "phone call", "" };
    dbtest_step_ok(svc, SET_CONSENT, 6, cn);
    dbtest_step_ok(svc, SET_CONSENT, 6, cs);
    dbtest_step_ok(svc,
                   "INSERT INTO kontor.customer_note (customer_id, body) VALUES ($1::bigint, "
                   "'Quirinella Zabriskie called from +49 421 9876543 about Zauberweg 99')",
                   1, p);
    /* an order of hers with a note naming her, a queued message with her address */
    order = sval(t, "INSERT INTO kontor.sales_order (channel_id, customer_id, fulfilment, status, "
                    "subtotal_cents, total_cents) VALUES ((SELECT id FROM kontor.channel WHERE code = 'web'), "
                    "$1::bigint, 'ship', 'paid', 5000, 5000) RETURNING id", c1);
    p[1] = order;
    dbtest_step_ok(svc,
                   "INSERT INTO kontor.order_note (order_id, body) VALUES ($1::bigint, "
                   "'Quirinella asks to ring twice at Zauberweg 99')",
                   1, p + 1);
    PQclear(dbtest_query(t->owner,
        "INSERT INTO kontor.notification_outbox (order_id, customer_id, channel, kind, payload) "
        "VALUES ($2::bigint, $1::bigint, 'email', 'shipped', "
        "'{\"to\": \"quirinella.zabriskie@example.org\", \"name\": \"Quirinella\"}')", 2, p));
    PQclear(dbtest_query(t->owner,
        "INSERT INTO kontor.interaction (touchpoint_id, customer_id, visitor_id, kind) "
        "SELECT min(id), $1::bigint, 'v-quirinella-zabriskie', 'clicked' FROM kontor.touchpoint", 1, p));
    /* a duplicate flag whose note names her, then the manager merges */
    const char *fl[3] = { c1, c2, "Quirinella Zabriskie twice (Zauberweg 99a)" };
    dbtest_step_ok(svc,
                   "INSERT INTO kontor.customer_duplicate (customer_a, customer_b, note) "
                   "VALUES ($1::bigint, $2::bigint, $3)",
                   3, fl);
    const char *mg[2] = { c2, c1 };
    dbtest_step_ok(mgr, "SELECT kontor.customer_merge($1::bigint, $2::bigint, 'same person')", 2,
                   mg);
    free(c1);
    free(c2);
    free(order);
}

static const char *const quirinella[] = {
    "Quirinella", "Zabriskie", "quirinella", "9876543", "9876 5432", "98765432", "Zauberweg",
    "Quakenbr", "1981-02-03", "v-quirinella",
};

static void test_erasure_leaves_no_personal_data(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc, mgr;
    char id[24];
    const char *p[2] = { id, "customer's request by e-mail" };
    const size_t nq = sizeof(quirinella) / sizeof(quirinella[0]);

    dbtest_actor_open(t, "service", &svc);
    dbtest_actor_open(t, "manager", &mgr);
    make_quirinella(t, &svc, &mgr, id, sizeof(id));
    assert_true(scan_for(t, quirinella, nq, false) > 10); /* the scan finds what is there */
    /* erasing the merged record is refused: the person lives on in the survivor */
    const char *loser[2] = { "", "request" };
    char *lid = sval(t, "SELECT id FROM kontor.customer WHERE merged_into = $1::bigint", id);
    loser[0] = lid;
    char *msg = dbtest_step_refused(&mgr, "SELECT kontor.customer_erase($1::bigint, $2)", 2, loser,
                                    "23514", NULL);
    assert_contains(msg, "erase that record");
    free(msg);
    long long orders = nval(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = $1::bigint", id);
    dbtest_step_ok(&mgr, "SELECT kontor.customer_erase($1::bigint, $2)", 2, p);
    assert_int_equal(scan_for(t, quirinella, nq, true), 0);
    /* orders stay for the accounts; both records are marked erased */
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = $1::bigint", id),
                     orders);
    assert_val(t, "SELECT count(*) FILTER (WHERE erased_at IS NOT NULL) || '/' || count(*) "
                  "FROM kontor.customer WHERE id = $1::bigint OR merged_into = $1::bigint", id, "2/2");
    /* consents withdrawn, by the erasure */
    assert_val(t, "SELECT string_agg(purpose || ':' || granted || ':' || source, ',' ORDER BY purpose) "
                  "FROM kontor.consent_current WHERE customer_id = $1::bigint", id,
               "newsletter:false:erasure,sms:false:erasure");
    assert_val(t, "SELECT count(*) FROM kontor.customer_identity WHERE customer_id IN "
                  "(SELECT id FROM kontor.customer WHERE id = $1::bigint OR merged_into = $1::bigint)", id, "0");
    /* audited, with the reason */
    assert_val(t, "SELECT s.username || ' ' || (a.after ->> 'reason') FROM kontor.audit_event a "
                  "JOIN kontor.staff s ON s.id = a.staff_id WHERE a.action = 'customer.erased' "
                  "AND a.entity_id = $1", id, "manager customer's request by e-mail");
    /* and the view says so */
    struct customer_view v;
    struct customer_header h;
    view_as(&svc, &v, atoll(id), true);
    customer_header_read(v.st[CUSTOMER_PART_HEADER].res, &h);
    assert_true(h.erased_at[0] != '\0');
    assert_string_equal(h.last_name, "(erased)");
    assert_int_equal(PQntuples(v.st[CUSTOMER_PART_IDENTITIES].res), 0);
    assert_true(PQntuples(v.st[CUSTOMER_PART_TIMELINE].res) >= 1); /* the order */
    db_stmts_clear(v.st, CUSTOMER_PART_COUNT);
    free(lid);
}

static void test_erased_stays_erased(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor svc, mgr;
    const char *p[2] = { "16", "asked to be forgotten" };

    dbtest_actor_open(t, "service", &svc);
    dbtest_actor_open(t, "manager", &mgr);
    dbtest_step_ok(&mgr, "SELECT kontor.customer_erase($1::bigint, $2)", 2, p);
    dbtest_step_fails(&mgr, "SELECT kontor.customer_erase($1::bigint, $2)", 2, p, "23514", NULL);
    /* through the edit functions */
    const char *prof[9] = { "16", "0", "Malte", "Brinkmann", "", "", "", "", "DE" };
    dbtest_step_fails(&svc, UPDATE_PROFILE, 9, prof, "23514", "customer_erased");
    const char *idn[7] = { "16", "", "0", "email", "malte@example.de", "phone", "false" };
    dbtest_step_fails(&svc, SAVE_IDENTITY, 7, idn, "23514", "customer_erased");
    const char *grant[6] = { "16", "newsletter", "web", "true", "phone call", "" };
    dbtest_step_fails(&svc, SET_CONSENT, 6, grant, "23514", "customer_erased");
    /* and around them: the tables themselves */
    dbtest_step_fails(&svc, "UPDATE kontor.customer SET first_name = 'Malte' WHERE id = 16", 0,
                      NULL, "23514", "customer_erased");
    dbtest_step_fails(&svc,
                      "INSERT INTO kontor.customer_identity (customer_id, kind, value) "
                      "VALUES (16, 'phone', '0421 5550116')",
                      0, NULL, "23514", "customer_erased");
    dbtest_step_fails(
        &svc, "INSERT INTO kontor.customer_note (customer_id, body) VALUES (16, 'Malte called')", 0,
        NULL, "23514", "customer_erased");
    dbtest_step_fails(
        &svc,
        "INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source) "
        "VALUES (16, 'sms', 1, true, 'call')",
        0, NULL, "23514", "customer_erased");
    /* withdrawing stays possible */
    dbtest_step_ok(&svc,
                   "INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source) "
                   "VALUES (16, 'sms', 1, false, 'call')",
                   0, NULL);
    /* merges: neither way */
    const char *m1[2] = { "16", "5" }, *m2[2] = { "5", "16" };
    dbtest_step_fails(&mgr, "SELECT kontor.customer_merge($1::bigint, $2::bigint)", 2, m1, "23514",
                      NULL);
    dbtest_step_fails(&mgr, "SELECT kontor.customer_merge($1::bigint, $2::bigint)", 2, m2, "23514",
                      NULL);
    assert_val(t, "SELECT first_name || '|' || last_name || '|' || coalesce(street, '-') "
                  "FROM kontor.customer WHERE id = 16", NULL, "|(erased)|-");
}

/* kontor customer show|export through the real binary: a clerk gets the
 * masked view and may not export; service gets everything, as one JSON
 * document made by PostgreSQL, in a file only its owner can read. */
static void test_batch_show_and_export(void **state)
{
    struct dbtest *t = *state;
    char *out, *err, *v;

    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", "customer show 1", &out, &err), 0);
    assert_non_null(strstr(out, "Jürgen Müller"));
    assert_non_null(strstr(out, "j***@example.de"));
    assert_null(strstr(out, "juergen.mueller@example.de"));
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n", "customer show 1 --format json",
                                       &out, &err), 0);
    const char *p[1] = { out };
    v = dbtest_scalar(t->owner, "SELECT $1::jsonb -> 'customer' ->> 'id'", 1, p);
    assert_string_equal(v, "1");
    free(v);
    assert_non_null(strstr(out, "juergen.mueller@example.de"));
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n", "customer show 999999", &out, &err), 1);
    assert_non_null(strstr(err, "no customer 999999"));
    free(out);
    free(err);

    char *file = dbtest_write_file("", 0600);
    unlink(file);
    char *args = xasprintf("customer export 1 --output %s", file);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", args, &out, &err), 1);
    assert_int_equal(access(file, F_OK), -1); /* nothing written */
    free(out);
    free(err);
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n", args, &out, &err), 0);
    free(out);
    free(err);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *doc = dbtest_read_file(file);
    p[0] = doc;
    v = dbtest_scalar(t->owner, "SELECT ($1::jsonb -> 'customer' ->> 'id') || ' ' || "
                                "jsonb_array_length($1::jsonb -> 'orders')", 1, p);
    assert_string_equal(v, "1 5");
    free(v);
    free(doc);
    /* an existing file is replaced only with --force */
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n", args, &out, &err), 1);
    assert_non_null(strstr(err, "--force"));
    free(out);
    free(err);
    unlink(file);
    free(args);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_view_service_sees_the_journey),
        DBTEST(test_view_clerk_gets_the_masked_view),
        DBTEST(test_masking_held_by_the_database),
        DBTEST(test_timeline_shows_the_newest_200),
        DBTEST(test_concurrent_profile_edit),
        DBTEST(test_concurrent_phone_edit_blocked),
        DBTEST(test_identities_add_and_correct),
        DBTEST(test_profile_validation),
        DBTEST(test_consent_change_recorded),
        DBTEST(test_export_holds_everything),
        DBTEST(test_erasure_leaves_no_personal_data),
        DBTEST(test_erased_stays_erased),
        DBTEST(test_batch_show_and_export),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

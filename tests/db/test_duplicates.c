/* Duplicate customers against the real database (migration 0011), each
 * step as the staff role that takes it, in its own transaction as the
 * console runs it: the suggestions find the demo's second Jürgen Müller
 * (customer 2: the same phone typed another way, name, address, birthdate)
 * and rank it, strangers and spouses are not suggested, a dismissed pair
 * is not suggested again; service flags, only a manager dismisses and
 * merges; the merge moves everything (checked against every foreign key
 * that references kontor.customer), retires identities without breaking
 * the unique indexes, leaves the loser pointing at the survivor, resolves
 * the flag and is audited; concurrent merges of one pair leave one merge
 * and a clear refusal; an erased record is never merged and stays erased
 * when the record it went into is erased. Also the domain statements the
 * screen runs (duplicate.h). */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/duplicate.h"
#include "kontor/xalloc.h"

#define SUGGEST                                                                                    \
    "SELECT customer_a, customer_b, score, reasons, coalesce(flag_id, 0), "                        \
    "coalesce(flagged_by, '') FROM kontor.duplicate_suggestions($1::integer, $2::bigint)"
#define MERGE "SELECT kontor.customer_merge($1::bigint, $2::bigint, $3)"
#define FLAG "SELECT id, outcome FROM kontor.duplicate_flag($1::bigint, $2::bigint, $3)"
#define DISMISS "SELECT id, outcome FROM kontor.duplicate_dismiss($1::bigint, $2::bigint, $3)"

/* ---- helpers ------------------------------------------------------------------- */

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static long long owner_count(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    return dbtest_count(t->owner, sql, p1 != NULL ? 1 : 0, p);
}

static char *owner_text(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    char *v = dbtest_scalar(t->owner, sql, p1 != NULL ? 1 : 0, p);

    return v != NULL ? v : xstrdup("(null)");
}

/* A customer made by the owner, with one identity (kind may be NULL). */
static char *new_customer(struct dbtest *t, const char *first, const char *last, const char *birth,
                          const char *street, const char *postcode, const char *kind,
                          const char *value)
{
    const char *p[5] = { first, last, birth, street, postcode };
    char *id =
        dbtest_scalar(t->owner,
                      "INSERT INTO kontor.customer (first_name, last_name, birthdate, street, "
                      "postcode, city) VALUES ($1, $2, $3::date, $4, $5, 'Bremen') RETURNING id",
                      5, p);
    if (kind != NULL) {
        const char *q[3] = { id, kind, value };
        PQclear(dbtest_query(t->owner,
                             "INSERT INTO kontor.customer_identity (customer_id, kind, value) "
                             "VALUES ($1::bigint, $2, $3)",
                             3, q));
    }
    return id;
}

/* The suggestion for a pair as "score reasons flagged_by", or "" when the
 * pair is not in the list (ids in either order). */
static char *suggestion(struct dbtest_actor *a, const char *customer, const char *x, const char *y)
{
    const char *p[2] = { "1000", customer };
    PGresult *r = dbtest_step(a, SUGGEST, 2, p);
    long long lo = strtoll(x, NULL, 10), hi = strtoll(y, NULL, 10);
    char *out = xstrdup("");

    if (lo > hi) {
        long long s = lo;
        lo = hi;
        hi = s;
    }
    for (int i = 0; i < PQntuples(r); i++)
        if (strtoll(PQgetvalue(r, i, 0), NULL, 10) == lo &&
            strtoll(PQgetvalue(r, i, 1), NULL, 10) == hi) {
            free(out);
            out = xasprintf("%s %s%s%s", PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                            PQgetvalue(r, i, 5)[0] ? " | " : "", PQgetvalue(r, i, 5));
        }
    PQclear(r);
    return out;
}

/* ---- suggestions ------------------------------------------------------------------ */

static void test_suggestions_find_the_demo_pair(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service;
    const char *p[2] = { "1000", NULL };
    PGresult *r;
    bool flagged_part = true;
    int prev = 1 << 30, demo = -1, first_suggestion = -1;

    dbtest_actor_open(t, "service", &service);
    r = dbtest_step(&service, SUGGEST, 2, p);
    for (int i = 0; i < PQntuples(r); i++) {
        bool flagged = strcmp(PQgetvalue(r, i, 4), "0") != 0;
        int score = atoi(PQgetvalue(r, i, 2));
        /* open flags first, then the suggestions, best first */
        if (!flagged && flagged_part) {
            flagged_part = false;
            prev = 1 << 30;
            first_suggestion = i;
        }
        assert_true(flagged == flagged_part);
        assert_true(score <= prev);
        prev = score;
        assert_true(strtoll(PQgetvalue(r, i, 0), NULL, 10) <
                    strtoll(PQgetvalue(r, i, 1), NULL, 10));
        if (strcmp(PQgetvalue(r, i, 0), "1") == 0 && strcmp(PQgetvalue(r, i, 1), "2") == 0)
            demo = i;
    }
    /* the demo pair: the best suggestion, for the phone and the person */
    assert_true(demo >= 0);
    assert_int_equal(demo, first_suggestion);
    assert_string_equal(PQgetvalue(r, demo, 2), "115");
    assert_string_equal(PQgetvalue(r, demo, 3), "phone, name, address, birthdate");
    /* every open flag of the demo data is listed */
    assert_int_equal(
        first_suggestion,
        owner_count(t, "SELECT count(*) FROM kontor.customer_duplicate WHERE status = 'open'",
                    NULL));
    PQclear(r);

    /* one customer's pairs: found through the indexes, the same score */
    char *s = suggestion(&service, "2", "1", "2");
    assert_string_equal(s, "115 phone, name, address, birthdate");
    free(s);
    const char *p2[2] = { "100", "1" };
    r = dbtest_step(&service, SUGGEST, 2, p2);
    assert_int_equal(PQntuples(r), 1);
    PQclear(r);
    /* the score of a pair on its own (side by side) agrees */
    const char *pp[2] = { "2", "1" };
    r = dbtest_step(&service,
                    "SELECT score, reasons FROM kontor.duplicate_pair($1::bigint, $2::bigint)", 2,
                    pp);
    assert_string_equal(PQgetvalue(r, 0, 0), "115");
    PQclear(r);
}

/* Each signal on its own terms: a shared e-mail (also with a "+tag"), a
 * shared loyalty card, a name at the same birthdate; and what is not a
 * duplicate: namesakes in one postcode, spouses sharing phone and address,
 * the same name and address with another birthdate. */
static void test_suggestion_signals(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service;
    char *s;

    dbtest_actor_open(t, "service", &service);
    char *e1 = new_customer(t, "Wiebke", "Oltmanns", NULL, "Am Markt 1", "28195", "email",
                            "wiebke.oltmanns@example.org");
    char *e2 = new_customer(t, "Wiebke", "Oltmanns", NULL, NULL, NULL, "email",
                            " Wiebke.Oltmanns+Laden@EXAMPLE.org");
    s = suggestion(&service, NULL, e1, e2);
    assert_string_equal(s, "70 e-mail, name");
    free(s);

    /* a loyalty card typed with other spaces: the card, the name */
    char *l1 = new_customer(t, "Jürgen", "Mueller", NULL, NULL, NULL, "loyalty", "4000-1111-2222");
    s = suggestion(&service, "2", "2", l1);
    assert_string_equal(s, "80 loyalty card, name");
    free(s);

    char *b1 = new_customer(t, "Hauke", "Janßen", "1966-02-03", NULL, NULL, NULL, NULL);
    char *b2 = new_customer(t, "H.", "Janssen", "1966-02-03", "Weg 2", "26121", NULL, NULL);
    s = suggestion(&service, b2, b1, b2);
    assert_string_equal(s, "50 name, birthdate");
    free(s);

    /* namesakes, nothing else in common: 40 < 45 */
    char *n1 = new_customer(t, "Thomas", "Meyerhoff", NULL, "Lindenweg 3", "28357", NULL, NULL);
    char *n2 = new_customer(t, "Thomas", "Meierhof", NULL, "Birkenweg 9", "28357", NULL, NULL);
    s = suggestion(&service, NULL, n1, n2);
    assert_string_equal(s, "");
    free(s);
    const char *pp[2] = { n1, n2 };
    PGresult *r = dbtest_step(
        &service, "SELECT score, reasons FROM kontor.duplicate_pair($1::bigint, $2::bigint)", 2,
        pp);
    assert_string_equal(PQgetvalue(r, 0, 0), "40");
    assert_string_equal(PQgetvalue(r, 0, 1), "name, postcode");
    PQclear(r);

    /* spouses: one phone, one address, other first names */
    char *h1 =
        new_customer(t, "Anke", "Tammen", "1970-01-01", "Deich 4", "28199", "phone", "0421 998877");
    char *h2 = new_customer(t, "Gerd", "Tammen", "1968-05-05", "Deich 4", "28199", "phone",
                            "+49 421 998877");
    s = suggestion(&service, NULL, h1, h2);
    assert_string_equal(s, "");
    free(s);

    /* father and son of one name at one address */
    char *f1 = new_customer(t, "Klaas", "Ahlers", "1950-03-03", "Hafenstr. 7", "26789", NULL, NULL);
    char *f2 =
        new_customer(t, "Klaas", "Ahlers", "1979-08-08", "Hafenstraße 7", "26789", NULL, NULL);
    s = suggestion(&service, NULL, f1, f2);
    assert_string_equal(s, "");
    free(s);

    /* a merged or erased record is never suggested */
    free(e1);
    free(e2);
    free(l1);
    free(b1);
    free(b2);
    free(n1);
    free(n2);
    free(h1);
    free(h2);
    free(f1);
    free(f2);
}

/* Phone, e-mail and loyalty card may be shared between customers; account
 * keys may not, and no customer holds the same value twice. */
static void test_which_identities_may_be_shared(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service;
    const char *ins = "INSERT INTO kontor.customer_identity (customer_id, kind, value) "
                      "VALUES ($1::bigint, $2, $3)";

    dbtest_actor_open(t, "service", &service);
    const char *p1[3] = { "3", "phone", "+49 421 123 45 67" };
    PQclear(dbtest_step(&service, ins, 3, p1));
    const char *p2[3] = { "3", "email", "JUERGEN.MUELLER@example.de" };
    PQclear(dbtest_step(&service, ins, 3, p2));
    const char *p3[3] = { "3", "loyalty", "4000 1234 5678" };
    PQclear(dbtest_step(&service, ins, 3, p3));
    const char *p4[3] = { "3", "web_account", "JM1977" };
    dbtest_step_fails(&service, ins, 3, p4, "23505", NULL);
    const char *p5[3] = { "1", "phone", "0421-1234567" };
    dbtest_step_fails(&service, ins, 3, p5, "23505", NULL);
}

static void test_dismissed_pair_not_suggested_again(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    PGresult *r;
    char *s, *msg;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    const char *p[3] = { "2", "1", "different people after all" };
    /* service cannot dismiss; a reason is needed */
    dbtest_step_fails(&service, DISMISS, 3, p, "42501", NULL);
    const char *blank[3] = { "2", "1", "  " };
    msg = dbtest_step_refused(&manager, DISMISS, 3, blank, "23514", NULL);
    assert_contains(msg, "needs a reason");
    free(msg);

    r = dbtest_step(&manager, DISMISS, 3, p);
    assert_string_equal(PQgetvalue(r, 0, 1), "dismissed");
    PQclear(r);
    s = suggestion(&service, NULL, "1", "2");
    assert_string_equal(s, "");
    free(s);
    s = suggestion(&service, "2", "1", "2");
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer_duplicate WHERE customer_a = 1 "
                    "AND customer_b = 2 AND status = 'dismissed' AND resolved_by = $1::bigint",
                    manager.id),
        1);

    /* a flag brings it back (as flagged); dismissing that closes the flag */
    const char *f[3] = { "1", "2", "same phone after all" };
    PQclear(dbtest_step(&service, FLAG, 3, f));
    s = suggestion(&service, NULL, "1", "2");
    assert_string_equal(s, "115 phone, name, address, birthdate | Ben Scholz");
    free(s);
    PQclear(dbtest_step(&manager, DISMISS, 3, p));
    s = suggestion(&service, NULL, "1", "2");
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(
        owner_count(
            t,
            "SELECT count(*) FROM kontor.customer_duplicate "
            "WHERE least(customer_a, customer_b) = 1 AND greatest(customer_a, customer_b) = 2 "
            "AND status = 'open'",
            NULL),
        0);
}

/* ---- flags -------------------------------------------------------------------------- */

static void test_service_flags_a_pair_once(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, clerk, manager;
    PGresult *r;
    char *flag;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "manager", &manager);
    const char *p[3] = { "2", "1", "loyalty card from Hamburg, same phone" };
    const char *q[2] = { "10", NULL };
    /* clerks neither flag nor read the suggestions */
    dbtest_step_fails(&clerk, FLAG, 3, p, "42501", NULL);
    dbtest_step_fails(&clerk, SUGGEST, 2, q, "42501", NULL);

    r = dbtest_step(&service, FLAG, 3, p);
    assert_string_equal(PQgetvalue(r, 0, 1), "flagged");
    flag = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    /* stored as the lower number first, by service, open */
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer_duplicate WHERE id = $1::bigint "
                    "AND customer_a = 1 AND customer_b = 2 AND status = 'open' "
                    "AND flagged_by = (SELECT id FROM kontor.staff WHERE username = 'service') "
                    "AND note = 'loyalty card from Hamburg, same phone'",
                    flag),
        1);
    /* again, by anyone: nothing new */
    const char *again[3] = { "1", "2", NULL };
    r = dbtest_step(&manager, FLAG, 3, again);
    assert_string_equal(PQgetvalue(r, 0, 0), flag);
    assert_string_equal(PQgetvalue(r, 0, 1), "already");
    PQclear(r);
    assert_int_equal(owner_count(t,
                                 "SELECT count(*) FROM kontor.customer_duplicate "
                                 "WHERE customer_a = 1 AND customer_b = 2",
                                 NULL),
                     1);
    /* the flag leads the list */
    const char *all[2] = { "10", "2" };
    r = dbtest_step(&manager, SUGGEST, 2, all);
    assert_int_equal(PQntuples(r), 1);
    assert_string_equal(PQgetvalue(r, 0, 4), flag);
    assert_string_equal(PQgetvalue(r, 0, 5), "Ben Scholz");
    PQclear(r);
    /* a record with itself, a missing one */
    const char *self[3] = { "2", "2", NULL };
    dbtest_step_fails(&service, FLAG, 3, self, "23514", NULL);
    const char *none[3] = { "2", "999999", NULL };
    dbtest_step_fails(&service, FLAG, 3, none, "P0002", NULL);
    free(flag);
}

/* ---- merge --------------------------------------------------------------------------- */

/* Rows of every column that references kontor.customer holding id,
 * outside the history (customer.merged_into, customer_duplicate). The
 * columns are read from pg_constraint, so a table added later is checked
 * too. */
static long long rows_naming(struct dbtest *t, const char *id, char *which, size_t len)
{
    PGresult *fk = dbtest_query(
        t->owner,
        "SELECT format('SELECT count(*) FROM %s WHERE %I = $1::bigint', c.conrelid::regclass, "
        "              a.attname), "
        "       c.conrelid::regclass::text || '.' || a.attname "
        "FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = 'kontor.customer'::regclass "
        "  AND cardinality(c.conkey) = 1 "
        "  AND NOT (c.conrelid = 'kontor.customer'::regclass AND a.attname = 'merged_into') "
        "  AND c.conrelid <> 'kontor.customer_duplicate'::regclass "
        "ORDER BY 2",
        0, NULL);
    long long total = 0;

    which[0] = '\0';
    /* the list must know the tables the merge moves */
    assert_true(PQntuples(fk) >= 6);
    for (int i = 0; i < PQntuples(fk); i++) {
        long long n = owner_count(t, PQgetvalue(fk, i, 0), id);
        if (n > 0)
            snprintf(which + strlen(which), len - strlen(which), "%s=%lld ", PQgetvalue(fk, i, 1),
                     n);
        total += n;
    }
    PQclear(fk);
    return total;
}

/* Scenario 2: a manager merges the store's second record into Jürgen's. */
static void test_merge_moves_everything(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    PGresult *r;
    char which[1024];

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    /* customer 2 gets a return, an interaction, a message and a flag */
    PQclear(dbtest_step(
        &service,
        "SELECT kontor.return_start('K-100006', NULL, (SELECT jsonb_agg(jsonb_build_object("
        "'line', id, 'qty', 1, 'reason', 'too small')) FROM kontor.order_line "
        "WHERE order_id = 6 AND line_no = 1), 'store', 'HH-01', 'original', 'late', false)",
        0, NULL));
    dbtest_ok(
        t->owner,
        "INSERT INTO kontor.interaction (touchpoint_id, customer_id, kind) "
        "VALUES (2, 2, 'scanned')");
    dbtest_ok(
        t->owner,
        "INSERT INTO kontor.notification_outbox (customer_id, channel, kind) "
        "VALUES (2, 'sms', 'test')");
    const char *f[3] = { "2", "1", "same person" };
    PQclear(dbtest_step(&service, FLAG, 3, f));

    long long orders1 =
        owner_count(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 1", NULL);
    long long returns1 =
        owner_count(t,
                    "SELECT count(*) FROM kontor.return_order r JOIN kontor.sales_order o "
                    "ON o.id = r.order_id WHERE o.customer_id = 1",
                    NULL);
    long long inter1 =
        owner_count(t, "SELECT count(*) FROM kontor.interaction WHERE customer_id = 1", NULL);
    long long cons1 =
        owner_count(t, "SELECT count(*) FROM kontor.consent WHERE customer_id = 1", NULL);
    long long ids1 =
        owner_count(t, "SELECT count(*) FROM kontor.customer_identity WHERE customer_id = 1", NULL);
    long long audit0 = owner_count(
        t, "SELECT count(*) FROM kontor.audit_event WHERE action = 'customer.merged'", NULL);
    assert_true(rows_naming(t, "2", which, sizeof(which)) >= 6);

    const char *m[3] = { "2", "1", "loyalty card and phone match" };
    r = dbtest_step(
        &manager,
        "SELECT r ->> 'orders', r ->> 'returns', r ->> 'interactions', r ->> 'consents', "
        "r ->> 'identities_moved', r ->> 'identities_retired' "
        "FROM kontor.customer_merge($1::bigint, $2::bigint, $3) r",
        3, m);
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    assert_string_equal(PQgetvalue(r, 0, 1), "1");
    assert_string_equal(PQgetvalue(r, 0, 2), "1");
    assert_string_equal(PQgetvalue(r, 0, 3), "1");
    assert_string_equal(PQgetvalue(r, 0, 4), "3");
    assert_string_equal(PQgetvalue(r, 0, 5), "1");
    PQclear(r);

    /* nothing but the history names the old record */
    long long left = rows_naming(t, "2", which, sizeof(which));
    if (left != 0)
        fail_msg("still pointing at customer 2: %s", which);
    /* the survivor has it all: K-100006 and its return, the scan, the consent */
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 1", NULL),
        orders1 + 1);
    assert_int_equal(owner_count(t,
                                 "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 1 "
                                 "AND number = 'K-100006'",
                                 NULL),
                     1);
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.return_order r JOIN kontor.sales_order o "
                    "ON o.id = r.order_id WHERE o.customer_id = 1",
                    NULL),
        returns1 + 1);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.interaction WHERE customer_id = 1", NULL),
        inter1 + 1);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.consent WHERE customer_id = 1", NULL),
        cons1 + 1);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.customer_identity WHERE customer_id = 1", NULL),
        ids1 + 3);
    /* identities: the shared phone is kept, retired; the card and e-mail are live */
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer_identity WHERE customer_id = 1 "
                    "AND kind = 'phone' AND retired_at IS NOT NULL AND value = '0421 / 123 45 67'",
                    NULL),
        1);
    assert_int_equal(
        owner_count(
            t,
            "SELECT count(*) FROM kontor.customer_identity WHERE customer_id = 1 "
            "AND retired_at IS NULL AND value IN ('4000 1111 2222', 'juergen.mueller@example.com')",
            NULL),
        2);
    assert_int_equal(
        owner_count(
            t,
            "SELECT count(*) FROM (SELECT customer_id, kind, value_norm "
            "FROM kontor.customer_identity "
            "WHERE retired_at IS NULL GROUP BY 1, 2, 3 HAVING count(*) > 1) x",
            NULL),
        0);
    /* the loser points to the survivor; opening it leads there, for every role */
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer WHERE id = 2 AND merged_into = 1 "
                    "AND merged_at IS NOT NULL AND last_name = 'Mueller'",
                    NULL),
        1);
    const char *two[1] = { "2" };
    struct dbtest_actor clerk;
    dbtest_actor_open(t, "clerk", &clerk);
    r = dbtest_step(&clerk, "SELECT kontor.customer_survivor($1::bigint)", 1, two);
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    /* the flag is resolved by the manager */
    assert_int_equal(
        owner_count(
            t,
            "SELECT count(*) FROM kontor.customer_duplicate "
            "WHERE customer_a = 1 AND customer_b = 2 "
            "AND status = 'merged' AND resolved_by = $1::bigint AND resolved_at IS NOT NULL",
            manager.id),
        1);
    /* audited once, by the manager, with what moved and why */
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.audit_event WHERE action = 'customer.merged'",
                    NULL),
        audit0 + 1);
    char *who = owner_text(
        t,
        "SELECT staff_id || ' ' || entity_id || ' ' || (after ->> 'survivor') || ' ' "
        "|| (after ->> 'orders') || ' ' || (after ->> 'note') "
        "FROM kontor.audit_event WHERE action = 'customer.merged' ORDER BY id DESC LIMIT 1",
        NULL);
    char *want = xasprintf("%s 2 1 1 loyalty card and phone match", manager.id);
    assert_string_equal(who, want);
    free(who);
    free(want);
    /* and the pair is no longer a suggestion */
    char *s = suggestion(&manager, NULL, "1", "2");
    assert_string_equal(s, "");
    free(s);
    /* the audit chain still verifies */
    char *ok = owner_text(t, "SELECT ok::text FROM kontor.audit_verify()", NULL);
    assert_string_equal(ok, "true");
    free(ok);
}

static void test_only_a_manager_merges(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, clerk, admin;
    const char *m[3] = { "2", "1", NULL };

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "admin", &admin);
    dbtest_step_fails(&service, MERGE, 3, m, "42501", NULL);
    dbtest_step_fails(&clerk, MERGE, 3, m, "42501", NULL);
    dbtest_step_fails(&admin, MERGE, 3, m, "42501", NULL);
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer WHERE merged_into IS NOT NULL AND id = 2",
                    NULL),
        0);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 2", NULL), 1);
}

/* Chains: a record merged into one that is merged later still leads to
 * the survivor; a merged record is neither merged again nor merged into;
 * the loser's other open flags follow it. */
static void test_merge_chains_and_flags_follow(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    char *msg;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    char *n = new_customer(t, "Jürgen", "Müller", "1977-05-14", NULL, "28209", "email",
                           "jm@example.net");
    char *x = new_customer(t, "Juergen", "Muller", NULL, NULL, NULL, NULL, NULL);
    const char *f[3] = { "2", x, "another one?" };
    PQclear(dbtest_step(&service, FLAG, 3, f));
    const char *m1[3] = { n, "2", NULL };
    PQclear(dbtest_step(&manager, MERGE, 3, m1));
    const char *m2[3] = { "2", "1", NULL };
    PQclear(dbtest_step(&manager, MERGE, 3, m2));
    const char *pn[1] = { n };
    struct dbtest_actor clerk;
    dbtest_actor_open(t, "clerk", &clerk);
    PGresult *r = dbtest_step(&clerk, "SELECT kontor.customer_survivor($1::bigint)", 1, pn);
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    /* everything of n reached 1 through 2 */
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer_identity WHERE customer_id = 1 "
                    "AND value = 'jm@example.net'",
                    NULL),
        1);
    /* the flag 2/x is now 1/x */
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.customer_duplicate WHERE status = 'open' "
                    "AND customer_a = 1 AND customer_b = $1::bigint",
                    x),
        1);
    /* merged records are not merged again, nor merged into */
    msg = dbtest_step_refused(&manager, MERGE, 3, m2, "23514", NULL);
    assert_contains(msg, "customer 2 was already merged into customer 1");
    free(msg);
    const char *into[3] = { x, "2", NULL };
    msg = dbtest_step_refused(&manager, MERGE, 3, into, "23514", NULL);
    assert_contains(msg, "customer 2 was already merged into customer 1");
    free(msg);
    const char *self[3] = { "1", "1", NULL };
    dbtest_step_fails(&manager, MERGE, 3, self, "23514", NULL);
    free(n);
    free(x);
}

/* Two managers merge the same pair at once (and one the other way round):
 * the second waits for the first and is told the record was merged. */
static void race(struct dbtest *t, const char *second_loser, const char *second_survivor)
{
    struct dbtest_actor a, b;
    PGresult *r;
    const char *m1[3] = { "2", "1", "first" };
    const char *m2[3] = { second_loser, second_survivor, "second" };
    bool waited = false;

    dbtest_actor_open(t, "manager", &a);
    dbtest_actor_open(t, "manager", &b); /* a second session (henrik.olsen is inactive) */
    dbtest_actor_begin(&a, NULL);
    PQclear(dbtest_query(a.c, MERGE, 3, m1));
    dbtest_actor_begin(&b, NULL);
    assert_int_equal(PQsendQueryParams(b.c, MERGE, 3, NULL, m2, NULL, NULL, 0), 1);
    for (int i = 0; i < 1000 && !waited; i++) { /* up to 10 s */
        const char *pid[1] = { b.pid };
        waited = dbtest_count(t->owner,
                              "SELECT count(*) FROM pg_stat_activity "
                              "WHERE pid = $1::int AND wait_event_type = 'Lock'",
                              1, pid) == 1;
        if (!waited)
            usleep(10000);
    }
    assert_true(waited);
    dbtest_ok(a.c, "COMMIT");
    r = PQgetResult(b.c);
    assert_false(dbtest_res_ok(r));
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23514");
    assert_contains(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY),
                    "customer 2 was already merged into customer 1");
    PQclear(r);
    while ((r = PQgetResult(b.c)) != NULL)
        PQclear(r);
    dbtest_ok(b.c, "ROLLBACK");
    /* one merge: one event, everything once on 1 */
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.audit_event WHERE action = 'customer.merged'",
                    NULL),
        1);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.customer WHERE id = 2 AND merged_into = 1",
                    NULL),
        1);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.customer WHERE id = 1 AND merged_into IS NULL",
                    NULL),
        1);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.sales_order WHERE customer_id = 2", NULL), 0);
    assert_int_equal(
        owner_count(
            t,
            "SELECT count(*) FROM kontor.customer_duplicate "
            "WHERE least(customer_a, customer_b) = 1 AND greatest(customer_a, customer_b) = 2",
            NULL),
        1);
}

static void test_concurrent_merges_same_direction(void **state)
{
    race(*state, "2", "1");
}

static void test_concurrent_merges_other_direction(void **state)
{
    race(*state, "1", "2");
}

/* An erased record is never merged, either way; a merged record stays
 * erased with the record it went into (0012's erasure reaches it). */
static void test_erased_stays_erased_through_merges(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor manager;
    char *msg;

    dbtest_actor_open(t, "manager", &manager);
    char *e = new_customer(t, "Juergen", "Mueller", "1977-05-14", "Schwachhauser Heerstr. 41",
                           "28209", "phone", "0421 1234567");
    const char *er[2] = { e, "asked to be forgotten" };
    PQclear(dbtest_step(&manager, "SELECT kontor.customer_erase($1::bigint, $2)", 2, er));
    const char *m1[3] = { e, "1", NULL };
    msg = dbtest_step_refused(&manager, MERGE, 3, m1, "23514", NULL);
    assert_contains(msg, "is erased");
    free(msg);
    const char *m2[3] = { "1", e, NULL };
    dbtest_step_fails(&manager, MERGE, 3, m2, "23514", NULL);
    /* flagging or suggesting it: no */
    dbtest_step_fails(&manager, FLAG, 3, m2, "23514", NULL);
    char *s = suggestion(&manager, NULL, "1", e);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(owner_count(t,
                                 "SELECT count(*) FROM kontor.customer WHERE id = $1::bigint "
                                 "AND erased_at IS NOT NULL AND first_name = '' AND street IS NULL "
                                 "AND merged_into IS NULL",
                                 e),
                     1);

    /* merged, then the survivor erased: the merged record is erased too */
    const char *m3[3] = { "2", "1", NULL };
    PQclear(dbtest_step(&manager, MERGE, 3, m3));
    const char *er1[2] = { "1", "asked to be forgotten" };
    PQclear(dbtest_step(&manager, "SELECT kontor.customer_erase($1::bigint, $2)", 2, er1));
    assert_int_equal(owner_count(t,
                                 "SELECT count(*) FROM kontor.customer WHERE id IN (1, 2) "
                                 "AND erased_at IS NOT NULL AND first_name = '' AND street IS NULL "
                                 "AND birthdate IS NULL",
                                 NULL),
                     2);
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.customer_identity WHERE customer_id IN (1, 2)",
                    NULL),
        0);
    /* and cannot be brought back by merging a live record in */
    char *l = new_customer(t, "Jürgen", "Müller", NULL, NULL, NULL, NULL, NULL);
    const char *m4[3] = { l, "1", NULL };
    dbtest_step_fails(&manager, MERGE, 3, m4, "23514", NULL);
    free(l);
    free(e);
}

/* The candidates kept by the triggers are what a full scan finds, after
 * every kind of change; a bulk load marks them stale and the next reader
 * rebuilds them. */
static long long candidates_differ(struct dbtest *t)
{
    return owner_count(
        t,
        "SELECT count(*) FROM ("
        "(SELECT customer_a, customer_b, score, reasons FROM kontor.duplicate_candidate "
        " EXCEPT SELECT * FROM kontor._duplicate_pairs_all()) "
        "UNION ALL "
        "(SELECT * FROM kontor._duplicate_pairs_all() "
        " EXCEPT SELECT customer_a, customer_b, score, reasons FROM kontor.duplicate_candidate)) x",
        NULL);
}

static void test_candidates_follow_changes(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    const char *p[2] = { "5", NULL };
    char *s;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    /* the template was loaded in bulk: stale until the first reader */
    assert_int_equal(owner_count(t, "SELECT count(*) FROM kontor.duplicate_scan WHERE stale", NULL),
                     1);
    PQclear(dbtest_step(&service, SUGGEST, 2, p));
    assert_int_equal(
        owner_count(t, "SELECT count(*) FROM kontor.duplicate_scan WHERE NOT stale", NULL), 1);
    assert_int_equal(candidates_differ(t), 0);

    /* a new record with an initial, a shared e-mail, an edited address */
    char *n = new_customer(t, "K.", "Schroeder", NULL, "Eppendorfer Weg 112", "20259", "email",
                           "k.schroeder+shop@example.de");
    s = suggestion(&service, "3", "3", n);
    assert_string_equal(s, "95 e-mail, name, address");
    free(s);
    const char *mv[1] = { n };
    PQclear(dbtest_step(&service,
                        "UPDATE kontor.customer SET street = 'Lehmweg 7', postcode = '20251' "
                        "WHERE id = $1::bigint",
                        1, mv));
    s = suggestion(&service, "3", "3", n);
    assert_string_equal(s, "70 e-mail, name");
    free(s);
    assert_int_equal(candidates_differ(t), 0);
    /* an identity corrected, one removed */
    PQclear(dbtest_step(&service,
                        "UPDATE kontor.customer_identity SET value = 'ks@example.org' "
                        "WHERE customer_id = $1::bigint",
                        1, mv));
    s = suggestion(&service, "3", "3", n);
    assert_string_equal(s, "");
    free(s);
    PQclear(dbtest_step(
        &service, "DELETE FROM kontor.customer_identity WHERE customer_id = 2 AND kind = 'phone'",
        0, NULL));
    s = suggestion(&service, "2", "1", "2");
    assert_string_equal(s, "75 name, address, birthdate");
    free(s);
    assert_int_equal(candidates_differ(t), 0);
    /* a merge and an erasure take their records out */
    const char *m[3] = { "405", "217", NULL };
    PQclear(dbtest_step(&manager, MERGE, 3, m));
    const char *er[2] = { "401", "asked to be forgotten" };
    PQclear(dbtest_step(&manager, "SELECT kontor.customer_erase($1::bigint, $2)", 2, er));
    assert_int_equal(
        owner_count(t,
                    "SELECT count(*) FROM kontor.duplicate_candidate "
                    "WHERE 405 IN (customer_a, customer_b) OR 401 IN (customer_a, customer_b)",
                    NULL),
        0);
    assert_int_equal(candidates_differ(t), 0);

    /* a bulk load marks them stale; the next reader rebuilds */
    dbtest_ok(t->owner, "BEGIN");
    dbtest_ok(t->owner, "SET LOCAL kontor.bulk = 'on'");
    dbtest_ok(t->owner, "SET LOCAL session_replication_role = replica");
    dbtest_ok(t->owner, "INSERT INTO kontor.customer (first_name, last_name, birthdate) "
                        "VALUES ('Jürgen', 'Müller', '1977-05-14')");
    dbtest_ok(t->owner, "COMMIT");
    assert_int_equal(owner_count(t, "SELECT count(*) FROM kontor.duplicate_scan WHERE stale", NULL),
                     1);
    s = suggestion(&service, NULL, "1", "2");
    assert_string_equal(s, "75 name, address, birthdate");
    free(s);
    assert_int_equal(owner_count(t,
                                 "SELECT count(*) FROM kontor.duplicate_candidate c "
                                 "JOIN kontor.customer x ON x.id = c.customer_b "
                                 "WHERE c.customer_a = 1 AND x.first_name = 'Jürgen'",
                                 NULL),
                     1);
    assert_int_equal(candidates_differ(t), 0);
    free(n);
}

/* ---- the domain statements the screen runs ---------------------------------------------- */

static PGresult **run_stmts(struct dbtest_actor *a, struct db_stmt *st, size_t n)
{
    PGresult **res = xcalloc(n, sizeof(*res));

    dbtest_actor_begin(a, NULL);
    for (size_t i = 0; i < n; i++) {
        res[i] = PQexecParams(a->c, st[i].sql, st[i].nparams, NULL, st[i].params, NULL, NULL, 0);
        if (!dbtest_res_ok(res[i]))
            fail_msg("statement %zu failed: %s", i, PQresultErrorMessage(res[i]));
    }
    dbtest_ok(a->c, "COMMIT");
    return res;
}

static void free_results(PGresult **res, size_t n)
{
    for (size_t i = 0; i < n; i++)
        PQclear(res[i]);
    free(res);
}

static void test_screen_statements(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    struct duplicate_list list;
    struct duplicate_compare cmp;
    struct duplicate_step stp;
    struct db_stmt *st;
    PGresult **res;
    size_t n;
    long long id;
    char *err = NULL;

    assert_true(duplicate_args_parse("", &id, NULL) && id == 0);
    assert_true(duplicate_args_parse(" 2", &id, NULL) && id == 2);
    assert_true(duplicate_args_parse("id:17", &id, NULL) && id == 17);
    assert_false(duplicate_args_parse("mueller", &id, &err));
    assert_non_null(err);
    free(err);

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    st = duplicate_list_stmts(&list, 0, DUPLICATE_LIMIT, &n);
    res = run_stmts(&service, st, n);
    assert_int_equal(PQntuples(res[DUP_LIST_FOCUS]), 0);
    assert_true(PQntuples(res[DUP_LIST_ROWS]) >= 4);
    assert_int_equal(PQnfields(res[DUP_LIST_ROWS]), DUP_COL_COUNT);
    free_results(res, n);

    st = duplicate_list_stmts(&list, 2, DUPLICATE_LIMIT, &n);
    res = run_stmts(&service, st, n);
    assert_int_equal(PQnfields(res[DUP_LIST_FOCUS]), DUP_FOCUS_COUNT);
    assert_string_equal(PQgetvalue(res[DUP_LIST_FOCUS], 0, DUP_FOCUS_SURVIVOR), "2");
    assert_int_equal(PQntuples(res[DUP_LIST_ROWS]), 1);
    assert_string_equal(PQgetvalue(res[DUP_LIST_ROWS], 0, DUP_COL_NAME_A), "Jürgen Müller");
    assert_string_equal(PQgetvalue(res[DUP_LIST_ROWS], 0, DUP_COL_NAME_B), "Juergen Mueller");
    assert_string_equal(PQgetvalue(res[DUP_LIST_ROWS], 0, DUP_COL_PLACE_B), "Bremen");
    free_results(res, n);

    /* no such customer: nothing, not every pair */
    st = duplicate_list_stmts(&list, 999999, DUPLICATE_LIMIT, &n);
    res = run_stmts(&service, st, n);
    assert_int_equal(PQntuples(res[DUP_LIST_FOCUS]), 0);
    assert_int_equal(PQntuples(res[DUP_LIST_ROWS]), 0);
    free_results(res, n);

    st = duplicate_compare_stmts(&cmp, 1, 2, &n);
    res = run_stmts(&service, st, n);
    assert_int_equal(PQntuples(res[DUP_CMP_SIDES]), 2);
    assert_int_equal(PQnfields(res[DUP_CMP_SIDES]), DS_COL_COUNT);
    assert_string_equal(PQgetvalue(res[DUP_CMP_SIDES], 0, DS_COL_ID), "1");
    assert_string_equal(PQgetvalue(res[DUP_CMP_SIDES], 1, DS_COL_STREET),
                        "Schwachhauser Heerstr. 41");
    assert_string_equal(PQgetvalue(res[DUP_CMP_SIDES], 1, DS_COL_ORDERS), "1");
    assert_string_equal(PQgetvalue(res[DUP_CMP_SIDES], 1, DS_COL_BIRTHDATE), "14.05.1977");
    assert_int_equal(PQnfields(res[DUP_CMP_IDENTITIES]), DI_COL_COUNT);
    int shared = 0;
    for (int i = 0; i < PQntuples(res[DUP_CMP_IDENTITIES]); i++)
        shared += strcmp(PQgetvalue(res[DUP_CMP_IDENTITIES], i, DI_COL_SHARED), "t") == 0;
    assert_int_equal(shared, 2); /* the phone, on both sides */
    assert_string_equal(PQgetvalue(res[DUP_CMP_IDENTITIES], 0, DI_COL_CUSTOMER), "1");
    assert_int_equal(PQnfields(res[DUP_CMP_PAIR]), DP_COL_COUNT);
    assert_string_equal(PQgetvalue(res[DUP_CMP_PAIR], 0, DP_COL_SCORE), "115");
    assert_string_equal(PQgetvalue(res[DUP_CMP_PAIR], 0, DP_COL_FLAG_ID), "0");
    free_results(res, n);

    /* flag, then merge (the right into the left), each with the reloads */
    st = duplicate_step_stmts(&stp, DUPLICATE_FLAG, 1, 2, " same phone ", 2, DUPLICATE_LIMIT, &n);
    assert_int_equal(n, 1 + DUP_LIST_COUNT + DUP_CMP_COUNT);
    res = run_stmts(&service, st, n);
    assert_string_equal(PQgetvalue(res[0], 0, 1), "flagged");
    assert_string_equal(PQgetvalue(res[1 + DUP_LIST_ROWS], 0, DUP_COL_FLAGGED_BY), "Ben Scholz");
    assert_string_equal(PQgetvalue(res[1 + DUP_LIST_ROWS], 0, DUP_COL_FLAG_NOTE), "same phone");
    assert_string_equal(PQgetvalue(res[1 + DUP_LIST_COUNT + DUP_CMP_PAIR], 0, DP_COL_FLAGGED_BY),
                        "Ben Scholz");
    free_results(res, n);

    st = duplicate_step_stmts(&stp, DUPLICATE_MERGE, 1, 2, "", 2, DUPLICATE_LIMIT, &n);
    res = run_stmts(&manager, st, n);
    assert_string_equal(PQgetvalue(res[0], 0, DM_COL_LOSER), "2");
    assert_string_equal(PQgetvalue(res[0], 0, DM_COL_SURVIVOR), "1");
    assert_string_equal(PQgetvalue(res[0], 0, DM_COL_ORDERS), "1");
    /* the list of customer 2 is now the survivor's */
    assert_string_equal(PQgetvalue(res[1 + DUP_LIST_FOCUS], 0, DUP_FOCUS_SURVIVOR), "1");
    assert_string_equal(PQgetvalue(res[1 + DUP_LIST_FOCUS], 0, DUP_FOCUS_SURVIVOR_NAME),
                        "Jürgen Müller");
    assert_int_equal(PQntuples(res[1 + DUP_LIST_ROWS]), 0);
    assert_string_equal(PQgetvalue(res[1 + DUP_LIST_COUNT + DUP_CMP_SIDES], 1, DS_COL_MERGED_INTO),
                        "1");
    assert_int_equal(strncmp(PQgetvalue(res[1 + DUP_LIST_COUNT + DUP_CMP_PAIR], 0, DP_COL_DECIDED),
                             "merged by Maren Jensen ", 23),
                     0);
    free_results(res, n);

    /* dismissing a suggestion nobody flagged */
    st = duplicate_step_stmts(&stp, DUPLICATE_DISMISS, 130, 402, "twins", 0, DUPLICATE_LIMIT, &n);
    res = run_stmts(&manager, st, n);
    assert_string_equal(PQgetvalue(res[0], 0, 1), "dismissed");
    free_results(res, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_suggestions_find_the_demo_pair),
        DBTEST(test_suggestion_signals),
        DBTEST(test_which_identities_may_be_shared),
        DBTEST(test_dismissed_pair_not_suggested_again),
        DBTEST(test_service_flags_a_pair_once),
        DBTEST(test_merge_moves_everything),
        DBTEST(test_only_a_manager_merges),
        DBTEST(test_merge_chains_and_flags_follow),
        DBTEST(test_concurrent_merges_same_direction),
        DBTEST(test_concurrent_merges_other_direction),
        DBTEST(test_erased_stays_erased_through_merges),
        DBTEST(test_candidates_follow_changes),
        DBTEST(test_screen_statements),
    };
    return cmocka_run_group_tests_name("duplicates", tests, NULL, NULL);
}

/* The invariants of DESIGN.md "Data model", held by the database itself so
 * that no client can break them:
 *   1. a line is never returned more often than it was sold;
 *   2. refunds of an order never exceed what was captured;
 *   3. stock never goes negative (nor is more reserved than is on hand);
 *   4. an order's status only moves along its fulfilment's lifecycle;
 *   5. every change by a staff member writes an audit event in the same
 *      transaction, and a staff role without a session cannot write;
 *   6. the audit log is append-only.
 * Each refusal is checked for its exact SQLSTATE and constraint name, and the
 * rows involved are re-read afterwards to show that nothing changed. The
 * tests make their own business rows as the owner; from the template they
 * need only the staff accounts admin, manager, service and clerk (the clerk
 * with a home location). */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/xalloc.h"

/* Helpers ------------------------------------------------------------------- */

/* Asserts that sql is refused with SQLSTATE state and, unless constraint is
 * NULL, that constraint name (PG_DIAG_CONSTRAINT_NAME); with msg, that the
 * message contains it. Inside a transaction the attempt runs under a
 * savepoint, so the transaction stays usable for re-reading. */
static void refused_msg(PGconn *c, const char *sql, int n, const char *const *p,
                        const char *state, const char *constraint, const char *msg)
{
    bool in_tx = PQtransactionStatus(c) == PQTRANS_INTRANS;
    PGresult *r;
    ExecStatusType st;
    const char *got, *con, *text;
    bool ok;

    if (in_tx)
        dbtest_ok(c, "SAVEPOINT refused");
    r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
    st = PQresultStatus(r);
    got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    con = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    text = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    ok = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && got != NULL && strcmp(got, state) == 0
         && (constraint == NULL || (con != NULL && strcmp(con, constraint) == 0))
         && (msg == NULL || (text != NULL && strstr(text, msg) != NULL));
    if (!ok) {
        bool done = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        fprintf(stderr, "expected %s (%s) but got %s (%s) %s\n  for: %s\n", state,
                constraint ? constraint : "any constraint",
                done ? "success" : got ? got : "?", con ? con : "no constraint",
                done ? PQcmdStatus(r) : PQresultErrorMessage(r), sql);
    }
    PQclear(r);
    if (in_tx)
        dbtest_ok(c, "ROLLBACK TO SAVEPOINT refused");
    assert_true(ok);
}

static void refused(PGconn *c, const char *sql, int n, const char *const *p, const char *state,
                    const char *constraint)
{
    refused_msg(c, sql, n, p, state, constraint, NULL);
}

/* Runs sql (which must succeed) and returns how many rows it affected. */
static long affected(PGconn *c, const char *sql, int n, const char *const *p)
{
    PGresult *r = dbtest_query(c, sql, n, p);
    long k = strtol(PQcmdTuples(r), NULL, 10);

    PQclear(r);
    return k;
}

/* The text of a one-value query that must return a value (caller frees). */
static char *value(PGconn *c, const char *sql, int n, const char *const *p)
{
    char *v = dbtest_scalar(c, sql, n, p);

    if (v == NULL)
        fail_msg("no value from: %s", sql);
    return v;
}

/* Snapshots of the rows a test guards: every column, as JSON, in key order. */
#define SNAP_ORDER "SELECT to_jsonb(o)::text FROM kontor.sales_order o WHERE id = $1"
#define SNAP_ORDER_EVENTS                                                                  \
    "SELECT count(*) || ':' || coalesce(string_agg(to_jsonb(e)::text, ',' ORDER BY id), '') " \
    "FROM kontor.order_event e WHERE order_id = $1"
#define SNAP_RETURN_LINES                                                                  \
    "SELECT count(*) || ':' || coalesce(string_agg(to_jsonb(x)::text, ',' ORDER BY id), '') " \
    "FROM kontor.return_line x WHERE order_line_id = $1"
#define SNAP_ORDER_LINE "SELECT to_jsonb(x)::text FROM kontor.order_line x WHERE id = $1"
#define SNAP_REFUNDS                                                                       \
    "SELECT count(*) || ':' || coalesce(string_agg(to_jsonb(x)::text, ',' ORDER BY id), '') " \
    "FROM kontor.refund x WHERE order_id = $1"
#define SNAP_PAYMENTS                                                                      \
    "SELECT count(*) || ':' || coalesce(string_agg(to_jsonb(x)::text, ',' ORDER BY id), '') " \
    "FROM kontor.payment x WHERE order_id = $1"
#define SNAP_STOCK                                                                         \
    "SELECT count(*) || ':' || coalesce(string_agg(to_jsonb(x)::text, ',' ORDER BY location_id), '') " \
    "FROM kontor.stock x WHERE product_id = $1"
#define SNAP_AUDIT                                                                         \
    "SELECT count(*) || ':' || coalesce(md5(string_agg(to_jsonb(a)::text, ',' ORDER BY id)), '') " \
    "FROM kontor.audit_event a"

static void assert_same(PGconn *c, const char *sql, const char *id, const char *before)
{
    const char *p[1] = { id };
    char *now = value(c, sql, 1, p);

    if (strcmp(now, before) != 0)
        fprintf(stderr, "rows changed:\n  before %s\n  after  %s\n", before, now);
    assert_string_equal(now, before);
    free(now);
}

static char *snap(PGconn *c, const char *sql, const char *id)
{
    const char *p[1] = { id };
    return value(c, sql, 1, p);
}

static char *staff_id(struct dbtest *t, const char *username)
{
    const char *p[1] = { username };
    return value(t->owner, "SELECT id FROM kontor.staff WHERE username = $1", 1, p);
}

static char *clerk_location(struct dbtest *t)
{
    return value(t->owner, "SELECT home_location_id FROM kontor.staff WHERE username = 'clerk'",
                 0, NULL);
}

/* An order made by the owner, directly in the given status, with one line of
 * qty units (1000 cents each) of a product of its own, and a captured card
 * payment of captured cents (none when 0). location: NULL for none. */
struct order_fx {
    char id[24];
    char line[24];
    char product[24];
};

static void make_order(struct dbtest *t, const char *fulfilment, const char *status,
                       const char *location, int qty, long long captured, struct order_fx *o)
{
    char q[16], cents[24];
    char *v;

    snprintf(q, sizeof(q), "%d", qty);
    snprintf(cents, sizeof(cents), "%lld", captured);
    v = value(t->owner,
              "INSERT INTO kontor.product (sku, name, price_cents) "
              "VALUES ('INV-' || kontor.random_code(12), 'Invariant test item', 1000) RETURNING id",
              0, NULL);
    snprintf(o->product, sizeof(o->product), "%s", v);
    free(v);
    {
        const char *p[4] = { location, fulfilment, status, q };
        v = value(t->owner,
                  "INSERT INTO kontor.sales_order (channel_id, location_id, fulfilment, status, "
                  "subtotal_cents, total_cents) "
                  "VALUES ((SELECT id FROM kontor.channel WHERE code = 'web'), $1, $2, $3, "
                  "1000 * $4::int, 1000 * $4::int) RETURNING id",
                  4, p);
        snprintf(o->id, sizeof(o->id), "%s", v);
        free(v);
    }
    {
        const char *p[3] = { o->id, q, o->product };
        v = value(t->owner,
                  "INSERT INTO kontor.order_line (order_id, line_no, product_id, sku, name, qty, "
                  "unit_price_cents) SELECT $1, 1, id, sku, name, $2::int, price_cents "
                  "FROM kontor.product WHERE id = $3 RETURNING id",
                  3, p);
        snprintf(o->line, sizeof(o->line), "%s", v);
        free(v);
    }
    if (captured > 0) {
        const char *p[2] = { o->id, cents };
        PQclear(dbtest_query(t->owner,
                             "INSERT INTO kontor.payment (order_id, method, amount_cents, status) "
                             "VALUES ($1, 'card', $2, 'captured')",
                             2, p));
    }
}

/* A return of the order, taken in at location, made by the owner. */
static char *make_return(struct dbtest *t, const char *order, const char *location)
{
    const char *p[2] = { order, location };
    return value(t->owner,
                 "INSERT INTO kontor.return_order (order_id, channel_id, location_id) "
                 "VALUES ($1, (SELECT id FROM kontor.channel WHERE code = 'store'), $2) "
                 "RETURNING id",
                 2, p);
}

#define INSERT_RETURN_LINE \
    "INSERT INTO kontor.return_line (return_id, order_line_id, qty) VALUES ($1, $2, $3::int)"
#define QTY_RETURNED "SELECT qty_returned FROM kontor.order_line_status WHERE id = $1"

static void return_line_ok(PGconn *c, const char *ret, const char *line, const char *qty)
{
    const char *p[3] = { ret, line, qty };
    assert_int_equal(affected(c, INSERT_RETURN_LINE, 3, p), 1);
}

static void return_line_refused(PGconn *c, const char *ret, const char *line, const char *qty)
{
    const char *p[3] = { ret, line, qty };
    char *before = snap(c, SNAP_RETURN_LINES, line);

    refused(c, INSERT_RETURN_LINE, 3, p, "23514", "return_qty_le_sold");
    assert_same(c, SNAP_RETURN_LINES, line, before);
    free(before);
}

#define INSERT_REFUND                                                                  \
    "INSERT INTO kontor.refund (order_id, amount_cents, method, idempotency_key) "     \
    "VALUES ($1, $2::bigint, 'card', $3)"

static void refund_ok(PGconn *c, const char *order, const char *cents, const char *key)
{
    const char *p[3] = { order, cents, key };
    assert_int_equal(affected(c, INSERT_REFUND, 3, p), 1);
}

static void refund_refused(PGconn *c, const char *order, const char *cents, const char *key)
{
    const char *p[3] = { order, cents, key };
    char *before = snap(c, SNAP_REFUNDS, order);

    refused(c, INSERT_REFUND, 3, p, "23514", "refund_le_captured");
    assert_same(c, SNAP_REFUNDS, order, before);
    free(before);
}

static long long refunded(PGconn *c, const char *order)
{
    const char *p[1] = { order };
    return dbtest_count(c,
                        "SELECT coalesce(sum(amount_cents), 0) FROM kontor.refund "
                        "WHERE order_id = $1 AND status <> 'failed'",
                        1, p);
}

/* Two owner connections race: a runs sql_a in an open transaction; b then
 * runs sql_b, which (where the guard serialises) waits for a's lock; a
 * commits; b commits if its statement succeeded. begin sets the isolation
 * level. Reports whether b waited and how its statement ended. */
struct race_outcome {
    bool waited;
    char state[8];       /* "" when b's statement succeeded */
    char constraint[64];
};

static void race(struct dbtest *t, const char *begin, const char *sql_a, int na,
                 const char *const *pa, const char *sql_b, int nb, const char *const *pb,
                 struct race_outcome *out)
{
    PGconn *a = dbtest_connect(t, NULL);
    PGconn *b = dbtest_connect(t, NULL);
    char *bpid = value(b, "SELECT pg_backend_pid()", 0, NULL);
    const char *pp[1] = { bpid };
    PGresult *r, *last = NULL;

    memset(out, 0, sizeof(*out));
    dbtest_ok(a, begin);
    dbtest_ok(b, begin);
    dbtest_ok(b, "SELECT 1"); /* b's snapshot (REPEATABLE READ) predates a's commit */
    PQclear(dbtest_query(a, sql_a, na, pa));
    assert_int_equal(PQsendQueryParams(b, sql_b, nb, NULL, pb, NULL, NULL, 0), 1);
    for (int i = 0; i < 1000 && !out->waited; i++) { /* up to 10 s */
        assert_int_equal(PQconsumeInput(b), 1);
        if (!PQisBusy(b))
            break;
        out->waited = dbtest_count(t->owner,
                                   "SELECT count(*) FROM pg_stat_activity "
                                   "WHERE pid = $1::int AND wait_event_type = 'Lock'",
                                   1, pp) == 1;
        if (!out->waited)
            usleep(10000);
    }
    dbtest_ok(a, "COMMIT");
    while ((r = PQgetResult(b)) != NULL) {
        PQclear(last);
        last = r;
    }
    assert_non_null(last);
    if (PQresultStatus(last) != PGRES_COMMAND_OK && PQresultStatus(last) != PGRES_TUPLES_OK) {
        const char *s = PQresultErrorField(last, PG_DIAG_SQLSTATE);
        const char *c = PQresultErrorField(last, PG_DIAG_CONSTRAINT_NAME);
        snprintf(out->state, sizeof(out->state), "%s", s ? s : "?????");
        snprintf(out->constraint, sizeof(out->constraint), "%s", c ? c : "");
    }
    PQclear(last);
    dbtest_ok(b, out->state[0] == '\0' ? "COMMIT" : "ROLLBACK");
    free(bpid);
}

/* 1. Returns ------------------------------------------------------------------ */

static void test_return_never_exceeds_sold(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    struct order_fx o;

    make_order(t, "ship", "delivered", NULL, 3, 3000, &o);
    char *r1 = make_return(t, o.id, loc);
    char *r2 = make_return(t, o.id, loc);
    char *r3 = make_return(t, o.id, loc);
    char *r4 = make_return(t, o.id, loc);
    const char *pl[1] = { o.line };

    /* one return line above what was sold */
    return_line_refused(t->owner, r1, o.line, "4");
    /* across two returns: 2 + 2 > 3 refused, 2 + 1 = 3 accepted */
    return_line_ok(t->owner, r1, o.line, "2");
    return_line_refused(t->owner, r2, o.line, "2");
    return_line_ok(t->owner, r2, o.line, "1");
    assert_int_equal(dbtest_count(t->owner, QTY_RETURNED, 1, pl), 3);
    return_line_refused(t->owner, r3, o.line, "1");
    /* several lines in one statement are checked one after the other */
    {
        struct order_fx o2;
        make_order(t, "ship", "delivered", NULL, 3, 3000, &o2);
        char *a = make_return(t, o2.id, loc);
        char *b = make_return(t, o2.id, loc);
        const char *p[4] = { a, b, o2.line, "2" };
        char *before = snap(t->owner, SNAP_RETURN_LINES, o2.line);
        refused(t->owner, "INSERT INTO kontor.return_line (return_id, order_line_id, qty) "
                          "VALUES ($1, $3, $4::int), ($2, $3, $4::int)",
                4, p, "23514", "return_qty_le_sold");
        assert_same(t->owner, SNAP_RETURN_LINES, o2.line, before);
        free(before);
        free(a);
        free(b);
    }
    /* raising a line's quantity is checked too */
    {
        char *before = snap(t->owner, SNAP_RETURN_LINES, o.line);
        const char *p[1] = { r1 };
        refused(t->owner, "UPDATE kontor.return_line SET qty = qty + 1 WHERE return_id = $1", 1,
                p, "23514", "return_qty_le_sold");
        assert_same(t->owner, SNAP_RETURN_LINES, o.line, before);
        free(before);
    }
    /* a cancelled return's lines no longer count ... */
    {
        const char *p[1] = { r2 };
        assert_int_equal(affected(t->owner, "UPDATE kontor.return_order SET status = 'cancelled' "
                                            "WHERE id = $1", 1, p), 1);
        assert_int_equal(dbtest_count(t->owner, QTY_RETURNED, 1, pl), 2);
        return_line_ok(t->owner, r3, o.line, "1");
        return_line_refused(t->owner, r4, o.line, "1");
        /* ... and the cancelled return cannot come back to life */
        char *before = snap(t->owner, "SELECT to_jsonb(r)::text FROM kontor.return_order r "
                                      "WHERE id = $1", r2);
        refused(t->owner, "UPDATE kontor.return_order SET status = 'requested' WHERE id = $1", 1,
                p, "23514", "return_transition");
        refused(t->owner, "UPDATE kontor.return_order SET status = 'authorised' WHERE id = $1", 1,
                p, "23514", "return_transition");
        assert_same(t->owner, "SELECT to_jsonb(r)::text FROM kontor.return_order r WHERE id = $1",
                    r2, before);
        free(before);
    }
    /* nor do a rejected return's */
    {
        const char *p[1] = { r1 };
        assert_int_equal(affected(t->owner, "UPDATE kontor.return_order SET status = 'rejected', "
                                            "status_note = 'not ours' WHERE id = $1", 1, p), 1);
        return_line_ok(t->owner, r4, o.line, "2");
        assert_int_equal(dbtest_count(t->owner, QTY_RETURNED, 1, pl), 3);
    }
    /* the sold quantity cannot shrink below what is being returned */
    {
        char *before = snap(t->owner, SNAP_ORDER_LINE, o.line);
        refused(t->owner, "UPDATE kontor.order_line SET qty = 2 WHERE id = $1", 1, pl, "23514",
                "return_qty_le_sold");
        assert_same(t->owner, SNAP_ORDER_LINE, o.line, before);
        free(before);
    }
    free(r1);
    free(r2);
    free(r3);
    free(r4);
    free(loc);
}

/* The same rule for a clerk taking returns in at the counter. */
static void test_return_never_exceeds_sold_as_clerk(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    struct order_fx o;
    const char *pr[1] = { NULL };

    make_order(t, "click_collect", "collected", loc, 1, 1000, &o);
    PGconn *c = dbtest_begin_as(t, "clerk", "clerk");
    const char *po[2] = { o.id, loc };
    const char *ins_return = "INSERT INTO kontor.return_order (order_id, channel_id, location_id) "
                             "VALUES ($1, (SELECT id FROM kontor.channel WHERE code = 'store'), $2) "
                             "RETURNING id";
    char *r1 = value(c, ins_return, 2, po);
    char *r2 = value(c, ins_return, 2, po);

    return_line_refused(c, r1, o.line, "2");
    return_line_ok(c, r1, o.line, "1");
    return_line_refused(c, r2, o.line, "1");
    dbtest_ok(c, "COMMIT");
    pr[0] = o.line;
    assert_int_equal(dbtest_count(t->owner, QTY_RETURNED, 1, pr), 1);
    free(r1);
    free(r2);
    free(loc);
}

/* Two returns of the last units at the same moment: the second waits for the
 * first and is refused. */
static void race_returns(void **state, const char *begin)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    struct order_fx o;
    struct race_outcome out;

    make_order(t, "ship", "delivered", NULL, 3, 3000, &o);
    char *r1 = make_return(t, o.id, loc);
    char *r2 = make_return(t, o.id, loc);
    const char *pa[3] = { r1, o.line, "2" };
    const char *pb[3] = { r2, o.line, "2" };
    const char *pl[1] = { o.line };

    race(t, begin, INSERT_RETURN_LINE, 3, pa, INSERT_RETURN_LINE, 3, pb, &out);
    long long back = dbtest_count(t->owner, QTY_RETURNED, 1, pl);
    if (back > 3)
        fprintf(stderr, "%s: two concurrent returns of 2 units of a line sold 3 times "
                        "both committed (%lld returned)\n", begin, back);
    assert_true(back <= 3);
    assert_true(out.waited);
    if (strcmp(out.state, "40001") != 0) { /* a serialization failure is a refusal too */
        assert_string_equal(out.state, "23514");
        assert_string_equal(out.constraint, "return_qty_le_sold");
    }
    assert_int_equal(back, 2);
    free(r1);
    free(r2);
    free(loc);
}

static void test_return_race_read_committed(void **state)
{
    race_returns(state, "BEGIN ISOLATION LEVEL READ COMMITTED");
}

static void test_return_race_serializable(void **state)
{
    race_returns(state, "BEGIN ISOLATION LEVEL SERIALIZABLE");
}

static void test_return_race_repeatable_read(void **state)
{
    race_returns(state, "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/* 2. Refunds ------------------------------------------------------------------ */

static void test_refunds_never_exceed_captured(void **state)
{
    struct dbtest *t = *state;
    struct order_fx o;

    make_order(t, "ship", "delivered", NULL, 10, 10000, &o);
    const char *po[1] = { o.id };
    /* payments that were not captured do not count */
    PQclear(dbtest_query(t->owner,
                         "INSERT INTO kontor.payment (order_id, method, amount_cents, status) "
                         "VALUES ($1, 'card', 5000, 'authorised'), ($1, 'paypal', 7000, 'failed'), "
                         "($1, 'card', 2000, 'voided')",
                         1, po));

    refund_refused(t->owner, o.id, "10001", "k0");
    {
        const char *p[1] = { o.id };
        char *before = snap(t->owner, SNAP_REFUNDS, o.id);
        refused(t->owner, "INSERT INTO kontor.refund (order_id, amount_cents, method, "
                          "idempotency_key) VALUES ($1, 6000, 'card', 'm1'), "
                          "($1, 6000, 'card', 'm2')", 1, p, "23514", "refund_le_captured");
        assert_same(t->owner, SNAP_REFUNDS, o.id, before);
        free(before);
    }
    refund_ok(t->owner, o.id, "4000", "k1");
    refund_ok(t->owner, o.id, "4000", "k2");
    refund_refused(t->owner, o.id, "2001", "k3");   /* 10001 in all */
    refund_ok(t->owner, o.id, "2000", "k3");        /* exactly what was captured */
    assert_int_equal(refunded(t->owner, o.id), 10000);
    refund_refused(t->owner, o.id, "1", "k4");

    /* a failed refund does not count, and cannot be revived above the cap */
    {
        const char *p[1] = { o.id };
        assert_int_equal(affected(t->owner,
                                  "INSERT INTO kontor.refund (order_id, amount_cents, method, "
                                  "idempotency_key, status) VALUES ($1, 5000, 'card', 'k5', 'failed')",
                                  1, p), 1);
        char *before = snap(t->owner, SNAP_REFUNDS, o.id);
        refused(t->owner, "UPDATE kontor.refund SET status = 'done' WHERE order_id = $1 "
                          "AND idempotency_key = 'k5'", 1, p, "23514", "refund_le_captured");
        refused(t->owner, "UPDATE kontor.refund SET amount_cents = amount_cents + 1 "
                          "WHERE order_id = $1 AND idempotency_key = 'k1'",
                1, p, "23514", "refund_le_captured");
        assert_same(t->owner, SNAP_REFUNDS, o.id, before);
        free(before);
    }
    /* the captured money cannot be taken away from under the refunds */
    {
        char *before = snap(t->owner, SNAP_PAYMENTS, o.id);
        refused(t->owner, "UPDATE kontor.payment SET status = 'voided' "
                          "WHERE order_id = $1 AND status = 'captured'",
                1, po, "23514", "refund_le_captured");
        refused(t->owner, "UPDATE kontor.payment SET amount_cents = amount_cents - 1 "
                          "WHERE order_id = $1 AND status = 'captured'",
                1, po, "23514", "refund_le_captured");
        refused(t->owner, "DELETE FROM kontor.payment WHERE order_id = $1 AND status = 'captured'",
                1, po, "23514", "refund_le_captured");
        assert_same(t->owner, SNAP_PAYMENTS, o.id, before);
        free(before);
    }
    /* a repeated idempotency key: refused by the unique index, or ignored
     * with ON CONFLICT DO NOTHING; exactly one refund carries the key */
    {
        const char *p[3] = { o.id, "1", "k1" };
        char *before = snap(t->owner, SNAP_REFUNDS, o.id);
        refused(t->owner, INSERT_REFUND, 3, p, "23505", "refund_idempotency_key_key");
        assert_int_equal(affected(t->owner, INSERT_REFUND " ON CONFLICT (idempotency_key) DO NOTHING",
                                  3, p), 0);
        const char *p4[3] = { o.id, "4000", "k1" };
        assert_int_equal(affected(t->owner, INSERT_REFUND " ON CONFLICT (idempotency_key) DO NOTHING",
                                  3, p4), 0);
        assert_same(t->owner, SNAP_REFUNDS, o.id, before);
        assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.refund "
                                                "WHERE idempotency_key = 'k1'", 0, NULL), 1);
        free(before);
    }
    assert_int_equal(refunded(t->owner, o.id), 10000);
}

/* The same rule for customer service, below its approval limit. */
static void test_refunds_never_exceed_captured_as_service(void **state)
{
    struct dbtest *t = *state;
    struct order_fx o;

    make_order(t, "ship", "delivered", NULL, 1, 1500, &o);
    PGconn *c = dbtest_begin_as(t, "service", "service");
    refund_ok(c, o.id, "1000", "s1");
    refund_refused(c, o.id, "600", "s2");
    refund_ok(c, o.id, "500", "s2");
    refund_refused(c, o.id, "1", "s3");
    {
        const char *p[3] = { o.id, "500", "s2" };
        assert_int_equal(affected(c, INSERT_REFUND " ON CONFLICT (idempotency_key) DO NOTHING",
                                  3, p), 0);
        refused(c, INSERT_REFUND, 3, p, "23505", "refund_idempotency_key_key");
    }
    dbtest_ok(c, "COMMIT");
    assert_int_equal(refunded(t->owner, o.id), 1500);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.refund "
                                            "WHERE idempotency_key = 's2'", 0, NULL), 1);
}

static void race_refunds(void **state, const char *begin)
{
    struct dbtest *t = *state;
    struct order_fx o;
    struct race_outcome out;

    make_order(t, "ship", "delivered", NULL, 10, 10000, &o);
    const char *pa[3] = { o.id, "6000", "race-a" };
    const char *pb[3] = { o.id, "6000", "race-b" };

    race(t, begin, INSERT_REFUND, 3, pa, INSERT_REFUND, 3, pb, &out);
    long long total = refunded(t->owner, o.id);
    if (total > 10000)
        fprintf(stderr, "%s: two concurrent refunds of 6000 against 10000 captured both "
                        "committed (%lld refunded)\n", begin, total);
    assert_true(total <= 10000);
    assert_true(out.waited);
    if (strcmp(out.state, "40001") != 0) {
        assert_string_equal(out.state, "23514");
        assert_string_equal(out.constraint, "refund_le_captured");
    }
    assert_int_equal(total, 6000);
}

static void test_refund_race_read_committed(void **state)
{
    race_refunds(state, "BEGIN ISOLATION LEVEL READ COMMITTED");
}

static void test_refund_race_serializable(void **state)
{
    race_refunds(state, "BEGIN ISOLATION LEVEL SERIALIZABLE");
}

static void test_refund_race_repeatable_read(void **state)
{
    race_refunds(state, "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/* 3. Stock -------------------------------------------------------------------- */

static char *make_stock(struct dbtest *t, const char *location, const char *on_hand)
{
    char *product = value(t->owner,
                          "INSERT INTO kontor.product (sku, name, price_cents) "
                          "VALUES ('INV-' || kontor.random_code(12), 'Stock test item', 500) "
                          "RETURNING id",
                          0, NULL);
    const char *p[3] = { product, location, on_hand };
    PQclear(dbtest_query(t->owner,
                         "INSERT INTO kontor.stock (product_id, location_id, on_hand) "
                         "VALUES ($1, $2, $3::int)",
                         3, p));
    return product;
}

static void stock_refused(PGconn *c, const char *sql, const char *product, const char *constraint)
{
    const char *p[1] = { product };
    char *before = snap(c, SNAP_STOCK, product);

    refused(c, sql, 1, p, "23514", constraint);
    assert_same(c, SNAP_STOCK, product, before);
    free(before);
}

static void test_stock_never_negative(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    char *product = make_stock(t, loc, "1");
    const char *pp[1] = { product };

    stock_refused(t->owner, "UPDATE kontor.stock SET on_hand = -1 WHERE product_id = $1",
                  product, "stock_on_hand_nonneg");
    stock_refused(t->owner, "UPDATE kontor.stock SET on_hand = on_hand - 2 WHERE product_id = $1",
                  product, "stock_on_hand_nonneg");
    stock_refused(t->owner, "UPDATE kontor.stock SET reserved = 2 WHERE product_id = $1",
                  product, "stock_reserved_le_on_hand");
    stock_refused(t->owner, "UPDATE kontor.stock SET reserved = -1 WHERE product_id = $1",
                  product, "stock_reserved_nonneg");
    dbtest_ok(t->owner, "INSERT INTO kontor.location (code, name, city, kind) "
                        "VALUES ('INV-' || kontor.random_code(8), 'Invariant test warehouse', "
                        "'Achim', 'warehouse')");
    stock_refused(t->owner,
                  "INSERT INTO kontor.stock (product_id, location_id, on_hand) "
                  "SELECT $1, id, -1 FROM kontor.location WHERE id NOT IN "
                  "(SELECT location_id FROM kontor.stock WHERE product_id = $1) LIMIT 1",
                  product, "stock_on_hand_nonneg");
    stock_refused(t->owner,
                  "INSERT INTO kontor.stock (product_id, location_id, on_hand, reserved) "
                  "SELECT $1, id, 1, 2 FROM kontor.location WHERE id NOT IN "
                  "(SELECT location_id FROM kontor.stock WHERE product_id = $1) LIMIT 1",
                  product, "stock_reserved_le_on_hand");
    /* reserved stock cannot be sold away */
    assert_int_equal(affected(t->owner, "UPDATE kontor.stock SET reserved = 1 WHERE product_id = $1",
                              1, pp), 1);
    stock_refused(t->owner, "UPDATE kontor.stock SET on_hand = 0 WHERE product_id = $1",
                  product, "stock_reserved_le_on_hand");
    assert_int_equal(affected(t->owner, "UPDATE kontor.stock SET reserved = 0 WHERE product_id = $1",
                              1, pp), 1);

    /* a clerk at the store */
    PGconn *c = dbtest_begin_as(t, "clerk", "clerk");
    stock_refused(c, "UPDATE kontor.stock SET on_hand = on_hand - 5 WHERE product_id = $1",
                  product, "stock_on_hand_nonneg");
    stock_refused(c, "UPDATE kontor.stock SET reserved = on_hand + 1 WHERE product_id = $1",
                  product, "stock_reserved_le_on_hand");
    assert_int_equal(affected(c, "UPDATE kontor.stock SET on_hand = on_hand - 1 "
                                 "WHERE product_id = $1", 1, pp), 1);
    dbtest_ok(c, "COMMIT");
    assert_int_equal(dbtest_count(t->owner, "SELECT on_hand FROM kontor.stock WHERE product_id = $1",
                                  1, pp), 0);
    free(product);
    free(loc);
}

/* Restocking a returned item and taking it back out again goes through the
 * same rule: an un-restock that would leave the shelf negative is refused. */
static void test_unrestock_cannot_make_stock_negative(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    struct order_fx o;

    make_order(t, "in_store", "completed", loc, 1, 1000, &o);
    const char *ps[2] = { o.product, loc };
    PQclear(dbtest_query(t->owner, "INSERT INTO kontor.stock (product_id, location_id, on_hand) "
                                   "VALUES ($1, $2, 0)", 2, ps));
    char *ret = make_return(t, o.id, loc);
    return_line_ok(t->owner, ret, o.line, "1");
    const char *pr[1] = { ret };
    dbtest_ok(t->owner, "BEGIN");
    PQclear(dbtest_query(t->owner, "UPDATE kontor.return_order SET status = 'authorised' "
                                   "WHERE id = $1", 1, pr));
    PQclear(dbtest_query(t->owner, "UPDATE kontor.return_order SET status = 'received' "
                                   "WHERE id = $1", 1, pr));
    PQclear(dbtest_query(t->owner, "UPDATE kontor.return_order SET status = 'inspected' "
                                   "WHERE id = $1", 1, pr));
    PQclear(dbtest_query(t->owner, "UPDATE kontor.return_line SET condition = 'resellable', "
                                   "restocked = true WHERE return_id = $1", 1, pr));
    dbtest_ok(t->owner, "COMMIT");
    const char *pp[1] = { o.product };
    assert_int_equal(dbtest_count(t->owner, "SELECT on_hand FROM kontor.stock WHERE product_id = $1",
                                  1, pp), 1);
    /* the restocked unit is sold again */
    PQclear(dbtest_query(t->owner, "UPDATE kontor.stock SET on_hand = 0 WHERE product_id = $1",
                         1, pp));
    char *lines = snap(t->owner, SNAP_RETURN_LINES, o.line);
    char *stock = snap(t->owner, SNAP_STOCK, o.product);
    refused(t->owner, "UPDATE kontor.return_line SET restocked = false WHERE return_id = $1", 1, pr,
            "23514", "stock_on_hand_nonneg");
    assert_same(t->owner, SNAP_RETURN_LINES, o.line, lines);
    assert_same(t->owner, SNAP_STOCK, o.product, stock);
    free(lines);
    free(stock);
    free(ret);
    free(loc);
}

/* Two connections each take the last unit: exactly one succeeds. */
static void race_last_unit(void **state, const char *begin, const char *want_state,
                           const char *want_constraint)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    char *product = make_stock(t, loc, "1");
    const char *pp[1] = { product };
    const char *take = "UPDATE kontor.stock SET on_hand = on_hand - 1 WHERE product_id = $1";
    struct race_outcome out;

    race(t, begin, take, 1, pp, take, 1, pp, &out);
    assert_true(out.waited);
    assert_string_equal(out.state, want_state);
    assert_string_equal(out.constraint, want_constraint);
    assert_int_equal(dbtest_count(t->owner, "SELECT on_hand FROM kontor.stock WHERE product_id = $1",
                                  1, pp), 0);
    free(product);
    free(loc);
}

static void test_stock_race_read_committed(void **state)
{
    race_last_unit(state, "BEGIN ISOLATION LEVEL READ COMMITTED", "23514", "stock_on_hand_nonneg");
}

static void test_stock_race_repeatable_read(void **state)
{
    race_last_unit(state, "BEGIN ISOLATION LEVEL REPEATABLE READ", "40001", "");
}

/* 4. Order lifecycle --------------------------------------------------------- */

static const char *const order_statuses[] = {
    "placed", "paid", "picking", "shipped", "delivered", "ready_for_pickup", "collected",
    "completed", "cancelled", "partially_returned", "returned",
};
#define N_STATUSES (sizeof(order_statuses) / sizeof(order_statuses[0]))
static const char *const fulfilments[] = { "ship", "click_collect", "in_store" };

#define SET_STATUS "UPDATE kontor.sales_order SET status = $1, status_note = $2 WHERE id = $3"

/* Every move in kontor.order_transition succeeds, from a fresh order in the
 * from-status, and is recorded in order_event. */
static void test_every_legal_move_succeeds(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    PGresult *moves = dbtest_query(t->owner,
                                   "SELECT fulfilment, from_status, to_status, needs_reason "
                                   "FROM kontor.order_transition "
                                   "ORDER BY fulfilment, from_status, to_status",
                                   0, NULL);
    int per[3] = { 0, 0, 0 };

    assert_true(PQntuples(moves) > 0);
    for (int i = 0; i < PQntuples(moves); i++) {
        const char *fulfilment = PQgetvalue(moves, i, 0);
        const char *from = PQgetvalue(moves, i, 1);
        const char *to = PQgetvalue(moves, i, 2);
        bool reason = strcmp(PQgetvalue(moves, i, 3), "t") == 0;
        struct order_fx o;

        make_order(t, fulfilment, from, loc, 1, 0, &o);
        const char *p[3] = { to, reason ? "test reason" : NULL, o.id };
        PGresult *r = dbtest_query(t->owner, SET_STATUS " RETURNING status, version", 3, p);
        if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), to) != 0)
            fail_msg("%s %s -> %s did not happen", fulfilment, from, to);
        assert_string_equal(PQgetvalue(r, 0, 1), "2");
        PQclear(r);
        const char *pe[3] = { o.id, from, to };
        assert_int_equal(dbtest_count(t->owner,
                                      "SELECT count(*) FROM kontor.order_event WHERE order_id = $1 "
                                      "AND from_status = $2 AND to_status = $3",
                                      3, pe), 1);
        for (int f = 0; f < 3; f++)
            per[f] += strcmp(fulfilment, fulfilments[f]) == 0;
    }
    PQclear(moves);
    for (int f = 0; f < 3; f++)
        assert_true(per[f] > 0);
    free(loc);
}

/* Every other move, for each fulfilment and from-status, is refused with
 * order_transition even with a reason given, and leaves the order as it was. */
static void test_every_other_move_refused(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    int tried = 0;

    for (size_t f = 0; f < 3; f++) {
        for (size_t i = 0; i < N_STATUSES; i++) {
            struct order_fx o;
            make_order(t, fulfilments[f], order_statuses[i], loc, 1, 0, &o);
            char *order = snap(t->owner, SNAP_ORDER, o.id);
            char *events = snap(t->owner, SNAP_ORDER_EVENTS, o.id);
            for (size_t j = 0; j < N_STATUSES; j++) {
                const char *pm[3] = { fulfilments[f], order_statuses[i], order_statuses[j] };
                if (i == j || dbtest_count(t->owner,
                                           "SELECT count(*) FROM kontor.order_transition "
                                           "WHERE fulfilment = $1 AND from_status = $2 "
                                           "AND to_status = $3", 3, pm) > 0)
                    continue;
                const char *p[3] = { order_statuses[j], "test reason", o.id };
                refused(t->owner, SET_STATUS, 3, p, "23514", "order_transition");
                tried++;
            }
            assert_same(t->owner, SNAP_ORDER, o.id, order);
            assert_same(t->owner, SNAP_ORDER_EVENTS, o.id, events);
            free(order);
            free(events);
        }
    }
    /* 3 × 11 × 10 moves, less the legal ones */
    assert_int_equal(tried, 3 * (int)N_STATUSES * ((int)N_STATUSES - 1)
                                - (int)dbtest_count(t->owner, "SELECT count(*) FROM "
                                                              "kontor.order_transition", 0, NULL));
    /* a lifecycle cannot be swapped for another in the same move */
    {
        struct order_fx o;
        make_order(t, "ship", "picking", loc, 1, 0, &o);
        const char *p[1] = { o.id };
        char *order = snap(t->owner, SNAP_ORDER, o.id);
        refused(t->owner, "UPDATE kontor.sales_order SET fulfilment = 'click_collect', "
                          "status = 'ready_for_pickup' WHERE id = $1", 1, p, "23514", NULL);
        assert_same(t->owner, SNAP_ORDER, o.id, order);
        free(order);
    }
    free(loc);
}

/* The sample of the brief, tried by the staff who would make these moves. */
static void test_illegal_moves_refused_for_staff(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    static const struct {
        const char *fulfilment, *from, *to;
    } bad[] = {
        { "ship", "placed", "shipped" },
        { "ship", "picking", "ready_for_pickup" },   /* a ship order is never picked up */
        { "ship", "delivered", "collected" },
        { "ship", "cancelled", "paid" },
        { "click_collect", "picking", "collected" }, /* not before it was ready */
        { "click_collect", "collected", "paid" },
        { "click_collect", "cancelled", "paid" },
        { "click_collect", "ready_for_pickup", "shipped" },
        { "click_collect", "returned", "collected" },
        { "in_store", "paid", "picking" },
        { "in_store", "cancelled", "paid" },
        { "in_store", "completed", "cancelled" },
    };
    const size_t n = sizeof(bad) / sizeof(bad[0]);
    struct order_fx o[sizeof(bad) / sizeof(bad[0])];

    for (size_t i = 0; i < n; i++)
        make_order(t, bad[i].fulfilment, bad[i].from, loc, 1, 0, &o[i]);
    static const char *const who[] = { "clerk", "service" };
    for (size_t w = 0; w < 2; w++) {
        PGconn *c = dbtest_begin_as(t, who[w], who[w]);
        for (size_t i = 0; i < n; i++) {
            char *order = snap(c, SNAP_ORDER, o[i].id);
            char *events = snap(c, SNAP_ORDER_EVENTS, o[i].id);
            const char *p[3] = { bad[i].to, "test reason", o[i].id };
            /* Service may only cancel: other moves are refused before the
             * lifecycle is even asked (42501, migration 0007). */
            if (w == 1 && strcmp(bad[i].to, "cancelled") != 0)
                refused(c, SET_STATUS, 3, p, "42501", NULL);
            else
                refused(c, SET_STATUS, 3, p, "23514", "order_transition");
            assert_same(c, SNAP_ORDER, o[i].id, order);
            assert_same(c, SNAP_ORDER_EVENTS, o[i].id, events);
            free(order);
            free(events);
        }
        dbtest_ok(c, "ROLLBACK");
    }
    for (size_t i = 0; i < n; i++) {
        const char *p[1] = { o[i].id };
        char *v = value(t->owner, "SELECT status || ' ' || version FROM kontor.sales_order "
                                  "WHERE id = $1", 1, p);
        char want[64];
        snprintf(want, sizeof(want), "%s 1", bad[i].from);
        assert_string_equal(v, want);
        free(v);
    }
    free(loc);
}

/* A cancellation needs a reason, given with that very move. */
static void test_cancel_needs_reason(void **state)
{
    struct dbtest *t = *state;
    struct order_fx o;
    char *service = staff_id(t, "service");

    make_order(t, "ship", "placed", NULL, 1, 0, &o);
    {
        const char *p[3] = { "paid", "paid by card", o.id };
        assert_int_equal(affected(t->owner, SET_STATUS, 3, p), 1);
    }
    PGconn *c = dbtest_begin_as(t, "service", "service");
    char *order = snap(c, SNAP_ORDER, o.id);
    char *events = snap(c, SNAP_ORDER_EVENTS, o.id);
    const char *pid[1] = { o.id };
    const char *none[3] = { "cancelled", NULL, o.id };
    const char *empty[3] = { "cancelled", "", o.id };
    const char *blank[3] = { "cancelled", "   ", o.id };

    refused(c, SET_STATUS, 3, none, "23514", "order_transition_reason");
    refused(c, SET_STATUS, 3, empty, "23514", "order_transition_reason");
    refused(c, SET_STATUS, 3, blank, "23514", "order_transition_reason");
    /* the note of the previous move does not count for this one */
    refused(c, "UPDATE kontor.sales_order SET status = 'cancelled' WHERE id = $1", 1, pid, "23514",
            "order_transition_reason");
    assert_same(c, SNAP_ORDER, o.id, order);
    assert_same(c, SNAP_ORDER_EVENTS, o.id, events);
    const char *ok[3] = { "cancelled", "customer called", o.id };
    assert_int_equal(affected(c, SET_STATUS, 3, ok), 1);
    dbtest_ok(c, "COMMIT");
    const char *pe[2] = { o.id, service };
    assert_int_equal(dbtest_count(t->owner,
                                  "SELECT count(*) FROM kontor.order_event WHERE order_id = $1 "
                                  "AND from_status = 'paid' AND to_status = 'cancelled' "
                                  "AND note = 'customer called' AND staff_id = $2::bigint",
                                  2, pe), 1);
    free(order);
    free(events);
    free(service);
}

/* A reason of only tabs or line breaks is no reason either. Known hole:
 * the lifecycle triggers test btrim(note) = '', and btrim strips spaces
 * only, so E'\t' or E'\n' passes as a reason (run on request). */
static void test_cancel_reason_not_only_whitespace(void **state)
{
    struct dbtest *t = *state;
    static const char *const notes[] = { "\t", "\n", " \t\r\n " };

    for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
        struct order_fx o;
        make_order(t, "ship", "paid", NULL, 1, 0, &o);
        char *order = snap(t->owner, SNAP_ORDER, o.id);
        const char *p[3] = { "cancelled", notes[i], o.id };
        refused(t->owner, SET_STATUS, 3, p, "23514", "order_transition_reason");
        assert_same(t->owner, SNAP_ORDER, o.id, order);
        free(order);
    }
}

/* 5. Audit -------------------------------------------------------------------- */

#define AUDIT_OF_ORDER \
    "SELECT count(*) FROM kontor.audit_event WHERE entity = 'sales_order' AND entity_id = $1"
#define XID_NOW "SELECT (pg_current_xact_id()::text::numeric % 4294967296)::text"

static void test_staff_change_audited_in_same_transaction(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    char *clerk = staff_id(t, "clerk");
    struct order_fx o;
    const char *po[1] = { o.id };

    make_order(t, "click_collect", "paid", loc, 1, 1000, &o);
    const char *ps[2] = { o.product, loc };
    PQclear(dbtest_query(t->owner, "INSERT INTO kontor.stock (product_id, location_id, on_hand) "
                                   "VALUES ($1, $2, 5)", 2, ps));
    /* the owner's writes are not audited */
    assert_int_equal(dbtest_count(t->owner, AUDIT_OF_ORDER, 1, po), 0);
    char *order = snap(t->owner, SNAP_ORDER, o.id);
    char *events = snap(t->owner, SNAP_ORDER_EVENTS, o.id);
    long long n_events = dbtest_count(t->owner, "SELECT count(*) FROM kontor.order_event "
                                                "WHERE order_id = $1", 1, po);
    const char *picking[3] = { "picking", NULL, o.id };
    const char *pe[2] = { o.id, clerk };
    const char *by_clerk = "SELECT count(*) FROM kontor.order_event WHERE order_id = $1 "
                           "AND from_status = 'paid' AND to_status = 'picking' "
                           "AND staff_id = $2::bigint AND source = 'console'";

    /* a change rolled back takes its audit event and history with it */
    PGconn *c = dbtest_begin_as(t, "clerk", "clerk");
    assert_int_equal(affected(c, SET_STATUS, 3, picking), 1);
    assert_int_equal(dbtest_count(c, by_clerk, 2, pe), 1);
    char *xid = value(c, XID_NOW, 0, NULL);
    dbtest_ok(c, "ROLLBACK");
    const char *px[1] = { xid };
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.audit_event "
                                            "WHERE xmin::text = $1", 1, px), 0);
    assert_int_equal(dbtest_count(t->owner, AUDIT_OF_ORDER, 1, po), 0);
    assert_same(t->owner, SNAP_ORDER, o.id, order);
    assert_same(t->owner, SNAP_ORDER_EVENTS, o.id, events);

    /* committed: exactly one event per change, written by that transaction */
    c = dbtest_begin_as(t, "clerk", "clerk");
    assert_int_equal(affected(c, SET_STATUS, 3, picking), 1);
    {
        const char *p[1] = { o.product };
        assert_int_equal(affected(c, "UPDATE kontor.stock SET reserved = 1 WHERE product_id = $1",
                                  1, p), 1);
        assert_int_equal(affected(c, "INSERT INTO kontor.order_note (order_id, body) "
                                     "VALUES ($1, 'on the shelf')", 1, po), 1);
    }
    char *xid2 = value(c, XID_NOW, 0, NULL);
    dbtest_ok(c, "COMMIT");
    const char *px2[2] = { xid2, clerk };
    assert_int_equal(dbtest_count(t->owner, AUDIT_OF_ORDER, 1, po), 1);
    assert_int_equal(dbtest_count(t->owner,
                                  "SELECT count(*) FROM kontor.audit_event WHERE xmin::text = $1",
                                  1, px2), 3);
    char *actions = value(t->owner,
                          "SELECT string_agg(action, ',' ORDER BY action) FROM kontor.audit_event "
                          "WHERE xmin::text = $1 AND staff_id = $2::bigint",
                          2, px2);
    assert_string_equal(actions, "order_note.insert,sales_order.update,stock.update");
    const char *pa[3] = { xid2, clerk, o.id };
    assert_int_equal(dbtest_count(t->owner,
                                  "SELECT count(*) FROM kontor.audit_event WHERE xmin::text = $1 "
                                  "AND staff_id = $2::bigint AND entity = 'sales_order' "
                                  "AND entity_id = $3 AND before ->> 'status' = 'paid' "
                                  "AND after ->> 'status' = 'picking'",
                                  3, pa), 1);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.order_event "
                                            "WHERE order_id = $1", 1, po), n_events + 1);
    assert_int_equal(dbtest_count(t->owner, by_clerk, 2, pe), 1);
    assert_int_equal(dbtest_count(t->owner,
                                  "SELECT count(*) FROM kontor.order_event "
                                  "WHERE xmin::text = $1 AND staff_id = $2::bigint",
                                  2, px2), 1);
    char *ok = value(t->owner, "SELECT ok FROM kontor.audit_verify()", 0, NULL);
    assert_string_equal(ok, "t");
    free(ok);
    free(actions);
    free(xid);
    free(xid2);
    free(order);
    free(events);
    free(clerk);
    free(loc);
}

/* Every table a staff role may write carries the audit trigger for each
 * operation it may do. */
static void test_every_staff_write_has_audit_trigger(void **state)
{
    struct dbtest *t = *state;
    PGresult *r = dbtest_query(
        t->owner,
        "SELECT c.relname || ' ' || ops.op FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN (VALUES ('INSERT', 4), ('UPDATE', 16), ('DELETE', 8)) AS ops(op, bit) "
        "WHERE n.nspname = 'kontor' AND c.relkind IN ('r', 'p') "
        "AND EXISTS (SELECT 1 FROM unnest(ARRAY['kontor_clerk', 'kontor_service', "
        "'kontor_manager', 'kontor_admin']) AS ro(name) "
        "WHERE CASE WHEN ops.op = 'DELETE' THEN has_table_privilege(ro.name, c.oid, ops.op) "
        "ELSE has_any_column_privilege(ro.name, c.oid, ops.op) END) "
        "AND NOT EXISTS (SELECT 1 FROM pg_trigger tg WHERE tg.tgrelid = c.oid "
        "AND tg.tgenabled <> 'D' AND tg.tgfoid = 'kontor.audit_row()'::regprocedure "
        "AND (tg.tgtype & 1) = 1 AND (tg.tgtype & ops.bit) <> 0) "
        "ORDER BY 1",
        0, NULL);

    for (int i = 0; i < PQntuples(r); i++)
        fprintf(stderr, "staff may write without an audit event: %s\n", PQgetvalue(r, i, 0));
    assert_int_equal(PQntuples(r), 0);
    PQclear(r);
    /* the check sees the staff writes at all */
    assert_true(dbtest_count(t->owner,
                             "SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_audit'", 0,
                             NULL) >= 20);
}

/* A staff role without a session cannot write, not even with a forged
 * staff id. */
static void test_write_without_session_refused(void **state)
{
    struct dbtest *t = *state;
    char *loc = clerk_location(t);
    char *clerk = staff_id(t, "clerk");
    struct order_fx o, at_store;

    make_order(t, "ship", "paid", NULL, 1, 1000, &o);    /* no location: visible to clerks */
    make_order(t, "click_collect", "paid", loc, 1, 1000, &at_store);
    char *order = snap(t->owner, SNAP_ORDER, o.id);
    char *events = snap(t->owner, SNAP_ORDER_EVENTS, o.id);
    PGconn *c = dbtest_connect(t, "kontor_login");
    const char *picking[3] = { "picking", NULL, o.id };
    const char *pn[1] = { at_store.id };
    const char *pc[1] = { clerk };

    dbtest_ok(c, "BEGIN");
    dbtest_ok(c, "SET LOCAL ROLE kontor_clerk");
    refused(c, SET_STATUS, 3, picking, "28000", NULL);
    refused(c, "INSERT INTO kontor.order_note (order_id, body) VALUES ($1, 'anonymous')", 1, pn,
            "28000", NULL);
    PQclear(dbtest_query(c, "SELECT set_config('kontor.staff_id', $1, true)", 1, pc));
    refused(c, SET_STATUS, 3, picking, "28000", NULL);
    dbtest_ok(c, "ROLLBACK");

    assert_same(t->owner, SNAP_ORDER, o.id, order);
    assert_same(t->owner, SNAP_ORDER_EVENTS, o.id, events);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.order_note "
                                            "WHERE order_id = $1", 1, pn), 0);
    const char *po[1] = { o.id };
    assert_int_equal(dbtest_count(t->owner, AUDIT_OF_ORDER, 1, po), 0);
    free(order);
    free(events);
    free(clerk);
    free(loc);
}

/* 6. The audit log is append-only ---------------------------------------------- */

static void test_audit_append_only(void **state)
{
    struct dbtest *t = *state;
    PGconn *c = dbtest_begin_as(t, "admin", "admin");
    char *id = value(c, "SELECT kontor.audit_append('test.invariants', 'test', '1', NULL, "
                        "'{\"x\": 1}')", 0, NULL);
    dbtest_ok(c, "COMMIT");
    const char *pid[1] = { id };

    c = dbtest_begin_as(t, "admin", "admin");
    char *before = value(t->owner, SNAP_AUDIT, 0, NULL);
    /* an administrator reads the log but cannot change it */
    assert_int_equal(dbtest_count(c, "SELECT count(*) FROM kontor.audit_event WHERE id = $1", 1,
                                  pid), 1);
    refused(c, "UPDATE kontor.audit_event SET action = 'tampered' WHERE id = $1", 1, pid, "42501",
            NULL);
    refused(c, "DELETE FROM kontor.audit_event WHERE id = $1", 1, pid, "42501", NULL);
    refused(c, "DELETE FROM kontor.audit_event", 0, NULL, "42501", NULL);
    refused(c, "TRUNCATE kontor.audit_event", 0, NULL, "42501", NULL);
    refused(c, "INSERT INTO kontor.audit_event (actor, action, hash) VALUES ('x', 'x', '\\x00')",
            0, NULL, "42501", NULL);
    refused(c, "SELECT kontor._audit_write(NULL, 'x', 'x', NULL, NULL, NULL, NULL)", 0, NULL,
            "42501", NULL);
    refused(c, "UPDATE kontor.audit_head SET last_hash = NULL", 0, NULL, "42501", NULL);
    dbtest_ok(c, "ROLLBACK");
    /* not even the owner (a superuser here): the trigger refuses */
    refused_msg(t->owner, "UPDATE kontor.audit_event SET action = 'tampered' WHERE id = $1", 1,
                pid, "42501", NULL, "cannot be changed");
    refused_msg(t->owner, "DELETE FROM kontor.audit_event WHERE id = $1", 1, pid, "42501", NULL,
                "cannot be changed");
    refused_msg(t->owner, "TRUNCATE kontor.audit_event", 0, NULL, "42501", NULL,
                "cannot be changed");
    char *after = value(t->owner, SNAP_AUDIT, 0, NULL);
    assert_string_equal(after, before);
    char *ok = value(t->owner, "SELECT ok FROM kontor.audit_verify()", 0, NULL);
    assert_string_equal(ok, "t");
    free(ok);
    free(before);
    free(after);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_return_never_exceeds_sold),
        DBTEST(test_return_never_exceeds_sold_as_clerk),
        DBTEST(test_return_race_read_committed),
        DBTEST(test_return_race_serializable),
        DBTEST(test_return_race_repeatable_read),
        DBTEST(test_refunds_never_exceed_captured),
        DBTEST(test_refunds_never_exceed_captured_as_service),
        DBTEST(test_refund_race_read_committed),
        DBTEST(test_refund_race_serializable),
        DBTEST(test_refund_race_repeatable_read),
        DBTEST(test_stock_never_negative),
        DBTEST(test_unrestock_cannot_make_stock_negative),
        DBTEST(test_stock_race_read_committed),
        DBTEST(test_stock_race_repeatable_read),
        DBTEST(test_every_legal_move_succeeds),
        DBTEST(test_every_other_move_refused),
        DBTEST(test_illegal_moves_refused_for_staff),
        DBTEST(test_cancel_needs_reason),
        DBTEST(test_cancel_reason_not_only_whitespace),
        DBTEST(test_staff_change_audited_in_same_transaction),
        DBTEST(test_every_staff_write_has_audit_trigger),
        DBTEST(test_write_without_session_refused),
        DBTEST(test_audit_append_only),
    };
    return cmocka_run_group_tests_name("invariants", tests, NULL, NULL);
}

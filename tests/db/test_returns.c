/* Returns against the real database, step by step through the functions of
 * migration 0008 (return_start, return_move, return_receive, return_inspect,
 * return_refund, return_approve), each as the staff role that does it, in
 * its own transaction as the console runs it: the guards (returned <= sold,
 * refunded <= captured, the transitions, the return window, the refund
 * limit, the clerk's location), the money and stock they move, the history
 * they write, one refund however often and however concurrently it is asked
 * for, and the version conflict. Orders are found by query in the demo data
 * (scale "test"); R-7K2Q9M, R-2M8WQX and R-9HX3TD are the scenario returns. */
#include "dbtest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/xalloc.h"

/* Statements ------------------------------------------------------------------ */

#define RETURN_START                                                                        \
    "SELECT id, rma, status, needs_approval, outside_window, days, value_cents "            \
    "FROM kontor.return_start($1, $2, $3::jsonb, $4, $5, $6, $7, $8::boolean)"
#define RETURN_MOVE "SELECT kontor.return_move($1::bigint, $2::int, $3, $4)"
#define RETURN_RECEIVE "SELECT kontor.return_receive($1::bigint, $2::int, $3, $4::jsonb)"
#define RETURN_INSPECT "SELECT kontor.return_inspect($1::bigint, $2::int, $3::jsonb)"
#define RETURN_REFUND                                                                       \
    "SELECT outcome, status, amount_cents FROM kontor.return_refund($1::bigint, $2::int, $3)"
#define RETURN_APPROVE                                                                      \
    "SELECT outcome, status, amount_cents FROM kontor.return_approve($1::bigint, $2::boolean, $3)"
#define INSERT_REFUND                                                                       \
    "INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, "    \
    "idempotency_key, status) VALUES ($1, $2, $3, $4::bigint, 'card', $5, 'done')"

/* Orders to return: not returned or refunded yet, no discount, one payment
 * (captured), a product on every line chosen. Columns: number, order id,
 * line id, product id, unit price, quantity. */
#define PICK                                                                                \
    "SELECT so.number, so.id, ol.id, ol.product_id, ol.unit_price_cents, ol.qty "           \
    "FROM kontor.sales_order so "                                                           \
    "JOIN kontor.order_line ol ON ol.order_id = so.id "                                     \
    "JOIN kontor.channel c ON c.id = so.channel_id "                                        \
    "LEFT JOIN kontor.location l ON l.id = so.location_id "                                 \
    "WHERE NOT EXISTS (SELECT 1 FROM kontor.return_order r WHERE r.order_id = so.id) "      \
    "AND NOT EXISTS (SELECT 1 FROM kontor.refund f WHERE f.order_id = so.id) "              \
    "AND ol.product_id IS NOT NULL AND so.discount_cents = 0 "                              \
    "AND (SELECT count(*) FROM kontor.payment py WHERE py.order_id = so.id "                \
    "     AND py.status = 'captured') = 1 "                                                 \
    "AND (SELECT count(*) FROM kontor.payment py WHERE py.order_id = so.id) = 1 "
/* When the goods reached the customer (what the return window counts from). */
#define DONE_AT                                                                             \
    "(SELECT max(e.at) FROM kontor.order_event e WHERE e.order_id = so.id "                 \
    "AND e.to_status IN ('delivered', 'collected', 'completed'))"
/* Within every channel's window (marketplace: 14 days). */
#define RECENT                                                                              \
    "AND so.status IN ('delivered', 'collected', 'completed') "                             \
    "AND " DONE_AT " > now() - interval '10 days' "
#define ONE_LINE "AND (SELECT count(*) FROM kontor.order_line x WHERE x.order_id = so.id) = 1 "
#define FIRST "ORDER BY so.id, ol.line_no LIMIT 1"

/* Helpers --------------------------------------------------------------------- */

static char *must(PGconn *c, const char *sql, int n, const char *const *p)
{
    char *v = dbtest_scalar(c, sql, n, p);

    if (v == NULL)
        fail_msg("no value from: %s", sql);
    return v;
}

/* A value read by the owner (one parameter or none); caller frees. */
static char *sval(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    return must(t->owner, sql, p1 ? 1 : 0, p);
}

static long long nval(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    return dbtest_count(t->owner, sql, p1 ? 1 : 0, p);
}

static long long nval2(struct dbtest *t, const char *sql, const char *p1, const char *p2)
{
    const char *p[2] = { p1, p2 };
    return dbtest_count(t->owner, sql, 2, p);
}

static void assert_val(struct dbtest *t, const char *sql, const char *p1, const char *want)
{
    char *got = sval(t, sql, p1);

    if (strcmp(got, want) != 0)
        fprintf(stderr, "got  '%s'\nwant '%s'\n  for: %s\n", got, want, sql);
    assert_string_equal(got, want);
    free(got);
}

/* The same with the expected text formatted. */
static void assert_valf(struct dbtest *t, const char *sql, const char *p1, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void assert_valf(struct dbtest *t, const char *sql, const char *p1, const char *fmt, ...)
{
    char want[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    assert_val(t, sql, p1, want);
}

/* An order line picked by one of the PICK queries. */
struct pick {
    char number[24];
    char order[24];
    char line[24];
    char product[24];
    long long price;
    int qty;
    char extra[64]; /* a seventh column, if the query has one */
};

static void pick(struct dbtest *t, const char *sql, int n, const char *const *p, struct pick *o)
{
    PGresult *r = dbtest_query(t->owner, sql, n, p);

    if (PQntuples(r) < 1)
        fail_msg("the demo data has no order for: %s", sql);
    memset(o, 0, sizeof(*o));
    snprintf(o->number, sizeof(o->number), "%s", PQgetvalue(r, 0, 0));
    snprintf(o->order, sizeof(o->order), "%s", PQgetvalue(r, 0, 1));
    snprintf(o->line, sizeof(o->line), "%s", PQgetvalue(r, 0, 2));
    snprintf(o->product, sizeof(o->product), "%s", PQgetvalue(r, 0, 3));
    o->price = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    o->qty = atoi(PQgetvalue(r, 0, 5));
    if (PQnfields(r) > 6)
        snprintf(o->extra, sizeof(o->extra), "%s", PQgetvalue(r, 0, 6));
    PQclear(r);
}

/* What return_start answered. */
struct ret {
    char id[24];
    char rma[16];
    char status[24];
    bool needs_approval;
    bool outside_window;
    int days;
    long long value;
};

static char *lines_json(const char *line, int qty, const char *reason)
{
    return xasprintf("[{\"line\": %s, \"qty\": %d, \"reason\": \"%s\"}]", line, qty, reason);
}

static void start(struct dbtest_actor *a, const char *order, const char *rma, const char *lines,
                  const char *channel, const char *location, const char *method, const char *reason,
                  bool authorise, struct ret *out)
{
    const char *p[8] = { order, rma, lines, channel, location, method, reason,
                         authorise ? "true" : "false" };
    PGresult *r = dbtest_step(a, RETURN_START, 8, p);

    assert_int_equal(PQntuples(r), 1);
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(r, 0, 0));
    snprintf(out->rma, sizeof(out->rma), "%s", PQgetvalue(r, 0, 1));
    snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(r, 0, 2));
    out->needs_approval = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
    out->outside_window = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
    out->days = PQgetisnull(r, 0, 5) ? -1 : atoi(PQgetvalue(r, 0, 5));
    out->value = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
    PQclear(r);
}

/* Starts a return of qty of one line; the order is given by number. */
static void start1(struct dbtest_actor *a, const struct pick *o, int qty, const char *location,
                   const char *method, bool authorise, struct ret *out)
{
    char *lines = lines_json(o->line, qty, "too small");

    start(a, o->number, NULL, lines, "store", location, method, NULL, authorise, out);
    free(lines);
}

static void start1_refused(struct dbtest_actor *a, const struct pick *o, int qty,
                           const char *location, const char *reason, const char *state,
                           const char *constraint)
{
    char *lines = lines_json(o->line, qty, "too small");
    const char *p[8] = { o->number, NULL, lines, "store", location, "original", reason, "true" };

    dbtest_step_fails(a, RETURN_START, 8, p, state, constraint);
    free(lines);
}

/* The return's current version, as text for a parameter. */
struct ver {
    char s[16];
};

static struct ver version(struct dbtest *t, const char *id)
{
    struct ver v;

    snprintf(v.s, sizeof(v.s), "%lld",
             nval(t, "SELECT version FROM kontor.return_order WHERE id = $1", id));
    return v;
}

static void assert_status(struct dbtest *t, const char *id, const char *want)
{
    assert_val(t, "SELECT status FROM kontor.return_order WHERE id = $1", id, want);
}

static void assert_order_status(struct dbtest *t, const char *order, const char *want)
{
    assert_val(t, "SELECT status FROM kontor.sales_order WHERE id = $1", order, want);
}

static char *first_line(struct dbtest *t, const char *ret)
{
    return sval(t, "SELECT id FROM kontor.return_line WHERE return_id = $1 ORDER BY id LIMIT 1",
                ret);
}

/* The step functions, each as a with the version it was shown; they return
 * the new version. */
static int move(struct dbtest_actor *a, const char *id, const char *v, const char *to,
                const char *note)
{
    const char *p[4] = { id, v, to, note };
    PGresult *r = dbtest_step(a, RETURN_MOVE, 4, p);
    int nv = atoi(PQgetvalue(r, 0, 0));

    PQclear(r);
    return nv;
}

static int receive(struct dbtest_actor *a, const char *id, const char *v, const char *location,
                   const char *lines)
{
    const char *p[4] = { id, v, location, lines };
    PGresult *r = dbtest_step(a, RETURN_RECEIVE, 4, p);
    int nv = atoi(PQgetvalue(r, 0, 0));

    PQclear(r);
    return nv;
}

/* Receives qty of the return's (first) line. */
static int receive_n(struct dbtest *t, struct dbtest_actor *a, const char *id, int qty)
{
    char *rl = first_line(t, id);
    char *lines = xasprintf("[{\"line\": %s, \"qty\": %d}]", rl, qty);
    int nv = receive(a, id, version(t, id).s, NULL, lines);

    free(lines);
    free(rl);
    return nv;
}

static int inspect(struct dbtest *t, struct dbtest_actor *a, const char *id, const char *condition)
{
    char *rl = first_line(t, id);
    char *lines = xasprintf("[{\"line\": %s, \"condition\": \"%s\"}]", rl, condition);
    struct ver v = version(t, id);
    const char *p[3] = { id, v.s, lines };
    PGresult *r = dbtest_step(a, RETURN_INSPECT, 3, p);
    int nv = atoi(PQgetvalue(r, 0, 0));

    PQclear(r);
    free(lines);
    free(rl);
    return nv;
}

struct outcome {
    char outcome[16];
    char status[24];
    long long amount;
};

static void read_outcome(const PGresult *r, struct outcome *o)
{
    assert_int_equal(PQntuples(r), 1);
    snprintf(o->outcome, sizeof(o->outcome), "%s", PQgetvalue(r, 0, 0));
    snprintf(o->status, sizeof(o->status), "%s", PQgetvalue(r, 0, 1));
    o->amount = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
}

static void refund(struct dbtest *t, struct dbtest_actor *a, const char *id, const char *note,
                   struct outcome *o)
{
    struct ver v = version(t, id);
    const char *p[3] = { id, v.s, note };
    PGresult *r = dbtest_step(a, RETURN_REFUND, 3, p);

    read_outcome(r, o);
    PQclear(r);
}

static void approve(struct dbtest_actor *a, const char *id, bool yes, const char *reason,
                    struct outcome *o)
{
    const char *p[3] = { id, yes ? "true" : "false", reason };
    PGresult *r = dbtest_step(a, RETURN_APPROVE, 3, p);

    read_outcome(r, o);
    PQclear(r);
}

/* Stock on hand of a product at a location (0 without a stock row). */
static long long on_hand(struct dbtest *t, const char *product, const char *location)
{
    return nval2(t,
                 "SELECT coalesce((SELECT s.on_hand FROM kontor.stock s "
                 "JOIN kontor.location l ON l.id = s.location_id "
                 "WHERE s.product_id = $1 AND l.code = $2), 0)",
                 product, location);
}

static long long refunds_of_return(struct dbtest *t, const char *ret)
{
    return nval(t, "SELECT count(*) FROM kontor.refund WHERE return_id = $1", ret);
}

static long long refunded_for_return(struct dbtest *t, const char *ret)
{
    return nval(t, "SELECT coalesce(sum(amount_cents), 0) FROM kontor.refund "
                   "WHERE return_id = $1 AND status <> 'failed'", ret);
}

static long long refunded_for_order(struct dbtest *t, const char *order)
{
    return nval(t, "SELECT coalesce(sum(amount_cents), 0) FROM kontor.refund "
                   "WHERE order_id = $1 AND status <> 'failed'", order);
}

static long long returns_of_order(struct dbtest *t, const char *order)
{
    return nval(t, "SELECT count(*) FROM kontor.return_order WHERE order_id = $1", order);
}

static long long qty_returned(struct dbtest *t, const char *line)
{
    return nval(t, "SELECT qty_returned FROM kontor.order_line_status WHERE id = $1", line);
}

/* The return's history as "from>to:username" rows. */
#define HISTORY                                                                             \
    "SELECT string_agg(coalesce(e.from_status, '') || '>' || e.to_status || ':' || "        \
    "coalesce(s.username, '?'), ',' ORDER BY e.id) "                                        \
    "FROM kontor.return_event e LEFT JOIN kontor.staff s ON s.id = e.staff_id "             \
    "WHERE e.return_id = $1"

static bool matches(struct dbtest *t, const char *s, const char *re)
{
    const char *p[2] = { s, re };
    char *v = must(t->owner, "SELECT $1 ~ $2", 2, p);
    bool m = strcmp(v, "t") == 0;

    free(v);
    return m;
}

/* A fresh order line at HB-01 within the window, sold once, not yet
 * returned; skip: an order id not to pick (or "0"). */
static void pick_hb(struct dbtest *t, const char *skip, struct pick *o)
{
    const char *p[1] = { skip };

    pick(t, PICK RECENT "AND l.code = 'HB-01' AND ol.qty = 1 AND so.id <> $1::bigint "
                        "AND ol.unit_price_cents <= 20000 " FIRST, 1, p, o);
}

/* A return of o's line, received and inspected by the clerk at HB-01. */
static void make_inspected(struct dbtest *t, struct dbtest_actor *clerk, const struct pick *o,
                           const char *method, const char *condition, struct ret *r)
{
    start1(clerk, o, 1, "HB-01", method, true, r);
    assert_string_equal(r->status, "authorised");
    receive(clerk, r->id, version(t, r->id).s, NULL, NULL);
    inspect(t, clerk, r->id, condition);
    assert_status(t, r->id, "inspected");
}

/* 1. Scenario 1 ------------------------------------------------------------------ */

/* Bought in the app, collected in Bremen, brought back to the Bremen
 * counter: the clerk takes it in, inspects it as resellable (back into
 * Bremen's stock), customer service refunds it to the original payment. */
static void test_scenario_app_order_returned_in_store(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o;
    struct ret r;
    struct outcome out;

    pick(t, PICK "AND c.code = 'app' AND so.fulfilment = 'click_collect' "
                 "AND so.status = 'collected' AND l.code = 'HB-01' "
                 "AND so.placed_at > now() - interval '10 days' " ONE_LINE
                 "AND ol.qty = 1 AND ol.unit_price_cents <= 20000 "
                 "AND (SELECT py.method FROM kontor.payment py WHERE py.order_id = so.id) "
                 "    IN ('card', 'paypal') " FIRST, 0, NULL, &o);
    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    long long stock0 = on_hand(t, o.product, "HB-01");

    /* the clerk starts it, authorised at once */
    start1(&clerk, &o, 1, "HB-01", "original", true, &r);
    assert_string_equal(r.status, "authorised");
    assert_false(r.needs_approval);
    assert_false(r.outside_window);
    assert_true(r.days >= 0 && r.days <= 10);
    assert_int_equal(r.value, o.price);
    assert_true(matches(t, r.rma, "^R-[2-9A-HJKMNP-Z]{6}$"));
    assert_valf(t, "SELECT r.rma || ' ' || c.code || ' ' || l.code || ' ' || r.refund_method "
                  "|| ' ' || s.username || ' ' || r.reason FROM kontor.return_order r "
                  "JOIN kontor.channel c ON c.id = r.channel_id "
                  "JOIN kontor.location l ON l.id = r.location_id "
                  "JOIN kontor.staff s ON s.id = r.created_by WHERE r.id = $1",
                r.id, "%s store HB-01 original clerk too small", r.rma);
    assert_int_equal(on_hand(t, o.product, "HB-01"), stock0);

    /* takes the goods in: the order is returned (its only line is back) */
    struct ver v = version(t, r.id);
    int v2 = receive(&clerk, r.id, v.s, NULL, NULL);
    assert_true(v2 > atoi(v.s));
    assert_int_equal(v2, atoi(version(t, r.id).s));
    assert_status(t, r.id, "received");
    assert_order_status(t, o.order, "returned");
    assert_int_equal(nval(t, "SELECT sum(qty_received) FROM kontor.return_line "
                             "WHERE return_id = $1", r.id), 1);
    assert_int_equal(on_hand(t, o.product, "HB-01"), stock0); /* not before inspection */

    /* inspects it as resellable: back into Bremen's stock */
    inspect(t, &clerk, r.id, "resellable");
    assert_status(t, r.id, "inspected");
    assert_int_equal(on_hand(t, o.product, "HB-01"), stock0 + 1);
    assert_val(t, "SELECT condition || ' ' || restocked FROM kontor.return_line "
                  "WHERE return_id = $1", r.id, "resellable true");
    assert_int_equal(refunds_of_return(t, r.id), 0);

    /* customer service refunds it to the original payment */
    refund(t, &service, r.id, NULL, &out);
    assert_string_equal(out.outcome, "done");
    assert_string_equal(out.status, "refunded");
    assert_int_equal(out.amount, o.price);
    assert_status(t, r.id, "refunded");
    assert_int_equal(refunds_of_return(t, r.id), 1);
    {
        char price[24];
        snprintf(price, sizeof(price), "%lld", o.price);
        const char *p[3] = { r.id, price, service.id };
        assert_int_equal(dbtest_count(t->owner,
                                      "SELECT count(*) FROM kontor.refund f "
                                      "JOIN kontor.payment py ON py.id = f.payment_id "
                                      "WHERE f.return_id = $1 AND f.order_id = py.order_id "
                                      "AND f.method = py.method AND f.amount_cents = $2::bigint "
                                      "AND f.payment_id = py.id AND f.status = 'done' "
                                      "AND f.created_by = $3::bigint",
                                      3, p), 1);
    }
    assert_int_equal(refunded_for_order(t, o.order), o.price);
    assert_int_equal(on_hand(t, o.product, "HB-01"), stock0 + 1); /* restocked once */

    /* the history, with who did each step */
    assert_val(t, HISTORY, r.id,
               ">requested:clerk,requested>authorised:clerk,authorised>received:clerk,"
               "received>inspected:clerk,inspected>refunded:service");

    /* an RMA code made by the client is used as it is; malformed ones are refused */
    struct pick o2;
    struct ret r2;
    pick_hb(t, o.order, &o2);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_order WHERE rma = $1",
                          "R-ABCDEF"), 0);
    char *lines = lines_json(o2.line, 1, "too large");
    start(&clerk, o2.number, "R-ABCDEF", lines, "store", "HB-01", "original", NULL, false, &r2);
    assert_string_equal(r2.rma, "R-ABCDEF");
    assert_string_equal(r2.status, "requested");
    assert_val(t, "SELECT rma FROM kontor.return_order WHERE id = $1", r2.id, "R-ABCDEF");
    {
        struct pick o3;
        pick_hb(t, o2.order, &o3);
        char *l3 = lines_json(o3.line, 1, "too large");
        static const char *const bad[] = { "R-ABCDEI", "r-abcdef", "R-ABCDE", "RABCDEFG" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            const char *p[8] = { o3.number, bad[i], l3, "store", "HB-01", "original", NULL,
                                 "true" };
            dbtest_step_fails(&clerk, RETURN_START, 8, p, "22023", NULL);
        }
        /* a code already in use: the unique RMA */
        const char *p[8] = { o3.number, "R-ABCDEF", l3, "store", "HB-01", "original", NULL,
                             "true" };
        dbtest_step_fails(&clerk, RETURN_START, 8, p, "23505", NULL);
        assert_int_equal(returns_of_order(t, o3.order), 0);
        free(l3);
    }
    free(lines);
}

/* 2. Returned <= sold ---------------------------------------------------------------- */

static void test_over_return_refused(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk;
    struct pick o;
    struct ret a, b, c;

    pick(t, PICK RECENT "AND ol.qty = 2 AND ol.unit_price_cents <= 10000 " FIRST, 0, NULL, &o);
    dbtest_actor_open(t, "clerk", &clerk);

    /* more than was sold, in one return: refused, nothing left behind */
    start1_refused(&clerk, &o, 3, "HB-01", NULL, "23514", "return_qty_le_sold");
    assert_int_equal(returns_of_order(t, o.order), 0);
    /* the same line twice in one return counts twice: 1 + 2 > 2 */
    {
        char *lines = xasprintf("[{\"line\": %s, \"qty\": 1, \"reason\": \"too small\"}, "
                                "{\"line\": %s, \"qty\": 2, \"reason\": \"too large\"}]",
                                o.line, o.line);
        const char *p[8] = { o.number, NULL, lines, "store", "HB-01", "original", NULL, "true" };
        dbtest_step_fails(&clerk, RETURN_START, 8, p, "23514", "return_qty_le_sold");
        free(lines);
    }
    assert_int_equal(returns_of_order(t, o.order), 0);
    /* across two returns: 1 + 2 > 2 refused, 1 + 1 accepted */
    start1(&clerk, &o, 1, "HB-01", "original", false, &a);
    assert_string_equal(a.status, "requested");
    start1_refused(&clerk, &o, 2, "HB-01", NULL, "23514", "return_qty_le_sold");
    start1(&clerk, &o, 1, "HB-01", "original", true, &b);
    assert_string_equal(b.status, "authorised");
    assert_int_equal(qty_returned(t, o.line), 2);
    start1_refused(&clerk, &o, 1, "HB-01", NULL, "23514", "return_qty_le_sold");
    assert_int_equal(returns_of_order(t, o.order), 2);
    /* a cancelled return frees its quantity ... */
    move(&clerk, a.id, version(t, a.id).s, "cancelled", NULL);
    assert_status(t, a.id, "cancelled");
    assert_int_equal(qty_returned(t, o.line), 1);
    start1(&clerk, &o, 1, "HB-01", "original", true, &c);
    assert_int_equal(qty_returned(t, o.line), 2);
    start1_refused(&clerk, &o, 1, "HB-01", NULL, "23514", "return_qty_le_sold");
    /* ... and cannot come back to life */
    {
        struct ver v = version(t, a.id);
        const char *p[4] = { a.id, v.s, "authorised", NULL };
        dbtest_step_fails(&clerk, RETURN_MOVE, 4, p, "23514", "return_transition");
        assert_status(t, a.id, "cancelled");
        assert_int_equal(qty_returned(t, o.line), 2);
    }
    assert_int_equal(returns_of_order(t, o.order), 3);
}

/* 3. Refunded <= captured ------------------------------------------------------------ */

/* Whatever the functions do, a refund written directly never exceeds what
 * the order captured: customer service below its limit, a manager without. */
static void test_over_refund_refused_by_database(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    struct pick o;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    pick(t, PICK "AND (SELECT py.amount_cents FROM kontor.payment py WHERE py.order_id = so.id) "
                 "BETWEEN 1000 AND 19000 " FIRST, 0, NULL, &o);
    long long captured = nval(t, "SELECT amount_cents FROM kontor.payment WHERE order_id = $1",
                              o.order);
    char over[24], most[24], rest[24], rest1[24];
    snprintf(over, sizeof(over), "%lld", captured + 1);
    snprintf(most, sizeof(most), "%lld", captured - 100);
    snprintf(rest, sizeof(rest), "%s", "100");
    snprintf(rest1, sizeof(rest1), "%s", "101");
    {
        const char *p[5] = { o.order, NULL, NULL, over, "test-over" };
        dbtest_step_fails(&service, INSERT_REFUND, 5, p, "23514", "refund_le_captured");
    }
    assert_int_equal(refunded_for_order(t, o.order), 0);
    {
        const char *p[5] = { o.order, NULL, NULL, most, "test-most" };
        PQclear(dbtest_step(&service, INSERT_REFUND, 5, p));
    }
    {
        const char *p[5] = { o.order, NULL, NULL, rest1, "test-rest1" };
        dbtest_step_fails(&service, INSERT_REFUND, 5, p, "23514", "refund_le_captured");
    }
    {
        const char *p[5] = { o.order, NULL, NULL, rest, "test-rest" };
        PQclear(dbtest_step(&service, INSERT_REFUND, 5, p));
    }
    assert_int_equal(refunded_for_order(t, o.order), captured);
    {
        const char *p[5] = { o.order, NULL, NULL, "1", "test-one" };
        dbtest_step_fails(&service, INSERT_REFUND, 5, p, "23514", "refund_le_captured");
        dbtest_step_fails(&manager, INSERT_REFUND, 5, p, "23514", "refund_le_captured");
    }
    assert_int_equal(refunded_for_order(t, o.order), captured);

    /* the manager (no limit) and the coat of R-7K2Q9M: 349.01 of 349.00 */
    char *id = sval(t, "SELECT id FROM kontor.return_order WHERE rma = $1", "R-7K2Q9M");
    char *order = sval(t, "SELECT order_id FROM kontor.return_order WHERE rma = $1", "R-7K2Q9M");
    char *pay = sval(t, "SELECT id FROM kontor.payment WHERE order_id = $1 "
                        "AND status = 'captured'", order);
    long long cap = nval(t, "SELECT sum(amount_cents) FROM kontor.payment WHERE order_id = $1 "
                            "AND status = 'captured'", order);
    char coat1[24];
    snprintf(coat1, sizeof(coat1), "%lld", cap + 1);
    {
        const char *p[5] = { order, id, pay, coat1, "test-coat" };
        dbtest_step_fails(&manager, INSERT_REFUND, 5, p, "23514", "refund_le_captured");
    }
    assert_int_equal(refunded_for_order(t, order), 0);
    assert_status(t, id, "inspected");
    free(id);
    free(order);
    free(pay);
}

/* 4. Transitions --------------------------------------------------------------------- */

static void test_illegal_moves_refused(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, clerk;
    struct pick o;
    struct ret r;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "clerk", &clerk);
    pick(t, PICK RECENT "AND ol.qty = 1 AND ol.unit_price_cents <= 20000 " FIRST, 0, NULL, &o);
    start1(&service, &o, 1, "HB-01", "original", false, &r);
    assert_string_equal(r.status, "requested");
    struct ver v = version(t, r.id);
    char *rl = first_line(t, r.id);
    char *insp = xasprintf("[{\"line\": %s, \"condition\": \"resellable\"}]", rl);

    /* from requested: not closed, not received or inspected by a move, no
     * goods taken in, nothing inspected or refunded */
    static const char *const moves[] = { "closed", "received", "inspected", "refunded",
                                         "requested", "exchanged" };
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        const char *p[4] = { r.id, v.s, moves[i], "a note" };
        dbtest_step_fails(&service, RETURN_MOVE, 4, p, "23514", "return_transition");
    }
    {
        const char *p[4] = { r.id, v.s, NULL, NULL };
        dbtest_step_fails(&service, RETURN_RECEIVE, 4, p, "23514", "return_transition");
        const char *pi[3] = { r.id, v.s, insp };
        dbtest_step_fails(&service, RETURN_INSPECT, 3, pi, "23514", "return_transition");
        const char *pr[3] = { r.id, v.s, NULL };
        dbtest_step_fails(&service, RETURN_REFUND, 3, pr, "23514", "return_transition");
    }
    /* rejecting needs a reason, and white space is none */
    {
        const char *p1[4] = { r.id, v.s, "rejected", NULL };
        const char *p2[4] = { r.id, v.s, "rejected", " \t " };
        dbtest_step_fails(&service, RETURN_MOVE, 4, p1, "23514", "return_transition_reason");
        dbtest_step_fails(&service, RETURN_MOVE, 4, p2, "23514", "return_transition_reason");
    }
    assert_status(t, r.id, "requested");
    assert_string_equal(version(t, r.id).s, v.s);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_event WHERE return_id = $1",
                          r.id), 1);

    /* authorised: still nothing to inspect, nothing to close */
    move(&service, r.id, v.s, "authorised", NULL);
    v = version(t, r.id);
    {
        const char *pi[3] = { r.id, v.s, insp };
        dbtest_step_fails(&service, RETURN_INSPECT, 3, pi, "23514", "return_transition");
        const char *pc[4] = { r.id, v.s, "closed", "done" };
        dbtest_step_fails(&service, RETURN_MOVE, 4, pc, "23514", "return_transition");
        const char *pj[4] = { r.id, v.s, "rejected", "no" }; /* authorised -> rejected: no */
        dbtest_step_fails(&service, RETURN_MOVE, 4, pj, "23514", "return_transition");
    }
    /* received (by the clerk at the counter): not back to authorised, not
     * cancelled; rejected only with a reason */
    receive(&clerk, r.id, v.s, NULL, NULL);
    v = version(t, r.id);
    {
        const char *pa[4] = { r.id, v.s, "authorised", NULL };
        dbtest_step_fails(&service, RETURN_MOVE, 4, pa, "23514", "return_transition");
        const char *pc[4] = { r.id, v.s, "cancelled", "customer changed mind" };
        dbtest_step_fails(&service, RETURN_MOVE, 4, pc, "23514", "return_transition");
        const char *pr[3] = { r.id, v.s, NULL };
        dbtest_step_fails(&service, RETURN_REFUND, 3, pr, "23514", "return_transition");
        const char *pj[4] = { r.id, v.s, "rejected", "" };
        dbtest_step_fails(&service, RETURN_MOVE, 4, pj, "23514", "return_transition_reason");
    }
    assert_status(t, r.id, "received");
    move(&service, r.id, v.s, "rejected", "worn, not resellable");
    assert_status(t, r.id, "rejected");
    v = version(t, r.id);
    {
        const char *pc[4] = { r.id, v.s, "cancelled", NULL };
        dbtest_step_fails(&service, RETURN_MOVE, 4, pc, "23514", "return_transition");
        const char *pr[4] = { r.id, v.s, NULL, NULL };
        dbtest_step_fails(&service, RETURN_RECEIVE, 4, pr, "23514", "return_transition");
    }
    assert_val(t, "SELECT note FROM kontor.return_event WHERE return_id = $1 "
                  "AND to_status = 'rejected'", r.id, "worn, not resellable");
    assert_int_equal(refunds_of_return(t, r.id), 0);
    /* a rejected return holds nothing of the line */
    assert_int_equal(qty_returned(t, o.line), 0);
    free(rl);
    free(insp);
}

/* 5. The return window ----------------------------------------------------------------- */

static void test_outside_window_needs_manager(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, clerk, manager;
    struct pick o;
    struct ret r;
    struct outcome out;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "manager", &manager);
    pick(t, PICK "AND c.code <> 'marketplace' AND so.status IN ('delivered', 'completed', "
                 "'collected') AND " DONE_AT " < now() - interval '35 days' "
                 "AND ol.qty = 1 AND ol.unit_price_cents <= 20000 " FIRST, 0, NULL, &o);
    long long days = nval(t, "SELECT floor(extract(epoch FROM now() - "
                             "(SELECT max(e.at) FROM kontor.order_event e WHERE e.order_id = $1 "
                             "AND e.to_status IN ('delivered', 'collected', 'completed'))) "
                             "/ 86400)",
                          o.order);
    assert_true(days > 30);

    /* without a reason: refused, nothing left behind */
    start1_refused(&service, &o, 1, "WH-01", NULL, "23514", "return_approval_reason");
    start1_refused(&service, &o, 1, "WH-01", "   ", "23514", "return_approval_reason");
    assert_int_equal(returns_of_order(t, o.order), 0);
    /* with one: waits for a manager, even though authorising was asked for */
    {
        char *lines = lines_json(o.line, 1, "does not fit");
        start(&service, o.number, NULL, lines, "web", "WH-01", "original",
              "customer was abroad", true, &r);
        free(lines);
    }
    assert_string_equal(r.status, "requested");
    assert_true(r.needs_approval);
    assert_true(r.outside_window);
    assert_true(r.days == days || r.days == days + 1);
    assert_val(t, "SELECT r.approval_note || ' ' || s.username || ' ' "
                  "|| (r.approval_decision IS NULL) FROM kontor.return_order r "
                  "JOIN kontor.staff s ON s.id = r.approval_requested_by WHERE r.id = $1",
               r.id, "customer was abroad service true");
    /* nobody authorises it past the manager */
    struct ver v = version(t, r.id);
    {
        const char *p[4] = { r.id, v.s, "authorised", NULL };
        dbtest_step_fails(&service, RETURN_MOVE, 4, p, "KX001", NULL);
        dbtest_step_fails(&manager, RETURN_MOVE, 4, p, "KX001", NULL);
        const char *pa[3] = { r.id, "true", "looks fine" };
        dbtest_step_fails(&service, RETURN_APPROVE, 3, pa, "42501", NULL);
        dbtest_step_fails(&clerk, RETURN_APPROVE, 3, pa, "42501", NULL);
        const char *pn[3] = { r.id, "true", " " }; /* a decision needs a reason */
        dbtest_step_fails(&manager, RETURN_APPROVE, 3, pn, "23514", NULL);
    }
    assert_status(t, r.id, "requested");
    assert_string_equal(version(t, r.id).s, v.s);
    /* the manager approves with a reason: authorised */
    approve(&manager, r.id, true, "regular customer", &out);
    assert_string_equal(out.outcome, "approved");
    assert_string_equal(out.status, "authorised");
    assert_int_equal(out.amount, o.price);
    assert_status(t, r.id, "authorised");
    assert_val(t, "SELECT r.approval_decision || ' ' || s.username || ' ' || r.approval_reason "
                  "FROM kontor.return_order r JOIN kontor.staff s ON s.id = r.approved_by "
                  "WHERE r.id = $1", r.id, "approved manager regular customer");
    approve(&manager, r.id, true, "again", &out); /* a second press changes nothing */
    assert_string_equal(out.outcome, "already");
    assert_string_equal(out.status, "authorised");
    assert_val(t, "SELECT approval_reason FROM kontor.return_order WHERE id = $1", r.id,
               "regular customer");
    assert_val(t, HISTORY, r.id,
               ">requested:service,requested>requested:service,requested>requested:manager,"
               "requested>authorised:manager");
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_event WHERE return_id = $1 "
                             "AND note LIKE 'approval requested (outside the window: %' "
                             "AND note LIKE '%customer was abroad'", r.id), 1);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_event WHERE return_id = $1 "
                             "AND note = 'approved: regular customer'", r.id), 1);

    /* R-2M8WQX (41 days after the store purchase) waits too; the manager
     * rejects it, with a reason */
    char *zoe = sval(t, "SELECT id FROM kontor.return_order WHERE rma = $1", "R-2M8WQX");
    assert_status(t, zoe, "requested");
    {
        struct ver vz = version(t, zoe);
        const char *p[4] = { zoe, vz.s, "authorised", NULL };
        dbtest_step_fails(&service, RETURN_MOVE, 4, p, "KX001", NULL);
    }
    approve(&manager, zoe, false, "receipt far too late", &out);
    assert_string_equal(out.outcome, "rejected");
    assert_string_equal(out.status, "rejected");
    assert_status(t, zoe, "rejected");
    free(zoe);

    /* the marketplace's window is 14 days, the web's 30 */
    struct pick mp, web;
    pick(t, PICK "AND c.code = 'marketplace' AND so.status = 'delivered' AND " DONE_AT
                 " BETWEEN now() - interval '28 days' AND now() - interval '16 days' "
                 "AND ol.qty = 1 AND ol.unit_price_cents <= 20000 " FIRST, 0, NULL, &mp);
    start1_refused(&service, &mp, 1, "WH-01", NULL, "23514", "return_approval_reason");
    pick(t, PICK "AND c.code = 'web' AND so.status = 'delivered' AND " DONE_AT
                 " BETWEEN now() - interval '28 days' AND now() - interval '16 days' "
                 "AND ol.qty = 1 AND ol.unit_price_cents <= 20000 " FIRST, 0, NULL, &web);
    start1(&service, &web, 1, "WH-01", "original", true, &r);
    assert_false(r.outside_window);
    assert_false(r.needs_approval);
    assert_string_equal(r.status, "authorised");
}

/* 6. The refund limit ------------------------------------------------------------------- */

/* R-7K2Q9M: the wool coat (349.00) is over customer service's 200.00. */
static void test_over_limit_needs_manager(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service, manager;
    struct outcome out;

    dbtest_actor_open(t, "service", &service);
    dbtest_actor_open(t, "manager", &manager);
    char *id = sval(t, "SELECT id FROM kontor.return_order WHERE rma = $1", "R-7K2Q9M");
    char *order = sval(t, "SELECT order_id FROM kontor.return_order WHERE id = $1", id);
    assert_status(t, id, "inspected");
    assert_val(t, "SELECT needs_approval::text FROM kontor.return_order WHERE id = $1", id,
               "false");
    long long value = nval(t, "SELECT kontor.return_value($1)", id);
    assert_int_equal(value, 34900);
    assert_int_equal(refunded_for_order(t, order), 0);
    long long events0 = nval(t, "SELECT coalesce(max(id), 0) FROM kontor.return_event", NULL);

    /* without a note: refused; nothing asked, nothing paid */
    {
        struct ver v = version(t, id);
        const char *p[3] = { id, v.s, "  " };
        dbtest_step_fails(&service, RETURN_REFUND, 3, p, "23514", "return_approval_reason");
        const char *pn[3] = { id, v.s, NULL };
        dbtest_step_fails(&service, RETURN_REFUND, 3, pn, "23514", "return_approval_reason");
    }
    assert_val(t, "SELECT needs_approval::text FROM kontor.return_order WHERE id = $1", id,
               "false");
    /* with a note: a manager is asked, no refund */
    refund(t, &service, id, "loyal customer, seam defect", &out);
    assert_string_equal(out.outcome, "approval");
    assert_string_equal(out.status, "inspected");
    assert_int_equal(out.amount, value);
    assert_int_equal(refunds_of_return(t, id), 0);
    assert_val(t, "SELECT r.needs_approval || ' ' || r.approval_note || ' ' || s.username "
                  "FROM kontor.return_order r JOIN kontor.staff s "
                  "ON s.id = r.approval_requested_by WHERE r.id = $1",
               id, "true loyal customer, seam defect service");
    /* asking again: it waits */
    refund(t, &service, id, "please", &out);
    assert_string_equal(out.outcome, "waiting");
    assert_string_equal(out.status, "inspected");
    assert_int_equal(refunds_of_return(t, id), 0);
    assert_val(t, "SELECT approval_note FROM kontor.return_order WHERE id = $1", id,
               "loyal customer, seam defect");
    /* the manager approves: refunded, once */
    approve(&manager, id, true, "long-standing customer", &out);
    assert_string_equal(out.outcome, "approved");
    assert_string_equal(out.status, "refunded");
    assert_int_equal(out.amount, value);
    assert_status(t, id, "refunded");
    assert_int_equal(refunds_of_return(t, id), 1);
    assert_int_equal(refunded_for_return(t, id), value);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.refund f "
                             "JOIN kontor.payment py ON py.id = f.payment_id "
                             "JOIN kontor.staff s ON s.id = f.created_by "
                             "WHERE f.return_id = $1 AND f.method = py.method "
                             "AND f.status = 'done' AND s.username = 'manager'", id), 1);
    /* pressing again, by either of them, refunds nothing more */
    approve(&manager, id, true, "long-standing customer", &out);
    assert_string_equal(out.outcome, "already");
    assert_string_equal(out.status, "refunded");
    refund(t, &service, id, "loyal customer, seam defect", &out);
    assert_string_equal(out.outcome, "already");
    assert_string_equal(out.status, "refunded");
    {
        const char *p[3] = { id, "1", NULL }; /* an old version: still only "already" */
        PGresult *r = dbtest_step(&service, RETURN_REFUND, 3, p);
        assert_string_equal(PQgetvalue(r, 0, 0), "already");
        PQclear(r);
    }
    assert_int_equal(refunds_of_return(t, id), 1);
    assert_int_equal(refunded_for_order(t, order), value);
    {
        char since[24];
        snprintf(since, sizeof(since), "%lld", events0);
        const char *p[2] = { id, since };
        char *h = must(t->owner, HISTORY " AND e.id > $2::bigint", 2, p);
        assert_string_equal(h, "inspected>inspected:service,inspected>inspected:manager,"
                               "inspected>refunded:manager");
        free(h);
    }

    /* R-9HX3TD waits for a decision already: service is told so */
    char *boots = sval(t, "SELECT id FROM kontor.return_order WHERE rma = $1", "R-9HX3TD");
    refund(t, &service, boots, NULL, &out);
    assert_string_equal(out.outcome, "waiting");
    assert_int_equal(refunds_of_return(t, boots), 0);
    free(boots);
    free(id);
    free(order);
}

/* 7. Once, however concurrently ------------------------------------------------------- */

#define RACERS 8

/* RACERS customer service agents, each with their own session, press
 * "refund" on the same return at the same moment: the owner holds the
 * return until all of them wait for it, then lets go; each transaction is
 * committed as soon as its call returns. */
static void refund_race(void **state, const char *begin)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, svc[RACERS];
    struct pick o;
    struct ret r;
    bool done[RACERS] = { false };
    int n_done = 0, n_already = 0, n_conflict = 0, left = RACERS;
    char pids[RACERS * 16 + 4] = "{";

    dbtest_actor_open(t, "clerk", &clerk);
    pick_hb(t, "0", &o);
    make_inspected(t, &clerk, &o, "original", "damaged", &r);
    long long before = refunded_for_order(t, o.order);
    struct ver v = version(t, r.id);
    for (int i = 0; i < RACERS; i++) {
        dbtest_actor_open(t, "service", &svc[i]);
        strcat(pids, svc[i].pid);
        strcat(pids, i + 1 < RACERS ? "," : "}");
    }
    PGconn *gate = dbtest_connect(t, NULL);
    const char *pg[1] = { r.id };
    dbtest_ok(gate, "BEGIN");
    PQclear(dbtest_query(gate, "SELECT 1 FROM kontor.return_order WHERE id = $1 FOR UPDATE",
                         1, pg));
    const char *p[3] = { r.id, v.s, NULL };
    for (int i = 0; i < RACERS; i++) {
        dbtest_actor_begin(&svc[i], begin);
        assert_int_equal(PQsendQueryParams(svc[i].c, RETURN_REFUND, 3, NULL, p, NULL, NULL, 0), 1);
    }
    const char *pp[1] = { pids };
    long long waiting = 0;
    for (int i = 0; i < 1000 && waiting < RACERS; i++) { /* up to 10 s */
        waiting = dbtest_count(t->owner, "SELECT count(*) FROM pg_stat_activity "
                                         "WHERE pid = ANY ($1::int[]) AND wait_event_type = 'Lock'",
                               1, pp);
        if (waiting < RACERS)
            usleep(10000);
    }
    assert_int_equal(waiting, RACERS);
    dbtest_ok(gate, "ROLLBACK");

    for (int round = 0; left > 0 && round < 30000; round++) { /* up to 30 s */
        bool progress = false;
        for (int i = 0; i < RACERS; i++) {
            if (done[i])
                continue;
            assert_int_equal(PQconsumeInput(svc[i].c), 1);
            if (PQisBusy(svc[i].c))
                continue;
            PGresult *res, *last = NULL;
            while ((res = PQgetResult(svc[i].c)) != NULL) {
                PQclear(last);
                last = res;
            }
            assert_non_null(last);
            if (dbtest_res_ok(last)) {
                const char *oc = PQgetvalue(last, 0, 0);
                if (strcmp(oc, "done") == 0) {
                    n_done++;
                    assert_string_equal(PQgetvalue(last, 0, 1), "refunded");
                    assert_int_equal(strtoll(PQgetvalue(last, 0, 2), NULL, 10), r.value);
                } else if (strcmp(oc, "already") == 0) {
                    n_already++;
                } else {
                    fail_msg("racer %d: outcome %s", i, oc);
                }
                dbtest_ok(svc[i].c, "COMMIT");
            } else {
                const char *s = PQresultErrorField(last, PG_DIAG_SQLSTATE);
                if (s == NULL || (strcmp(s, "KX409") != 0 && strcmp(s, "40001") != 0))
                    fail_msg("racer %d: %s", i, PQresultErrorMessage(last));
                n_conflict++;
                dbtest_ok(svc[i].c, "ROLLBACK");
            }
            PQclear(last);
            done[i] = true;
            left--;
            progress = true;
        }
        if (!progress)
            usleep(1000);
    }
    assert_int_equal(left, 0);
    assert_int_equal(n_done, 1);
    assert_int_equal(n_done + n_already + n_conflict, RACERS);
    assert_int_equal(refunds_of_return(t, r.id), 1);
    assert_int_equal(refunded_for_return(t, r.id), r.value);
    assert_int_equal(refunded_for_order(t, o.order), before + r.value);
    assert_status(t, r.id, "refunded");
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_event WHERE return_id = $1 "
                             "AND to_status = 'refunded'", r.id), 1);
}

static void test_refund_once_concurrently_read_committed(void **state)
{
    refund_race(state, "BEGIN ISOLATION LEVEL READ COMMITTED");
}

static void test_refund_once_concurrently_repeatable_read(void **state)
{
    refund_race(state, "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/* 8. What a clerk may not do ------------------------------------------------------------ */

static void test_clerk_restrictions(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o, o2;
    struct ret hh, hb, vo;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    pick_hb(t, "0", &o);
    /* a return taken in at Hamburg: the Bremen clerk neither receives ... */
    start1(&service, &o, 1, "HH-01", "original", true, &hh);
    struct ver v = version(t, hh.id);
    {
        const char *p[4] = { hh.id, v.s, NULL, NULL };
        dbtest_step_fails(&clerk, RETURN_RECEIVE, 4, p, "42501", NULL);
        const char *p2[4] = { hh.id, v.s, "HB-01", NULL };
        dbtest_step_fails(&clerk, RETURN_RECEIVE, 4, p2, "42501", NULL);
        const char *p3[4] = { hh.id, v.s, "cancelled", NULL };
        dbtest_step_fails(&clerk, RETURN_MOVE, 4, p3, "42501", NULL);
    }
    assert_status(t, hh.id, "authorised");
    assert_string_equal(version(t, hh.id).s, v.s);
    assert_int_equal(nval(t, "SELECT sum(qty_received) FROM kontor.return_line "
                             "WHERE return_id = $1", hh.id), 0);
    /* ... nor inspects it (the manager takes it in for Hamburg) */
    struct dbtest_actor manager;
    dbtest_actor_open(t, "manager", &manager);
    receive(&manager, hh.id, v.s, NULL, NULL);
    v = version(t, hh.id);
    {
        char *rl = first_line(t, hh.id);
        char *insp = xasprintf("[{\"line\": %s, \"condition\": \"resellable\"}]", rl);
        const char *p[3] = { hh.id, v.s, insp };
        long long stock0 = on_hand(t, o.product, "HH-01");
        dbtest_step_fails(&clerk, RETURN_INSPECT, 3, p, "42501", NULL);
        assert_status(t, hh.id, "received");
        assert_int_equal(on_hand(t, o.product, "HH-01"), stock0);
        free(insp);
        free(rl);
    }
    /* and takes in returns only at Bremen */
    pick_hb(t, o.order, &o2);
    start1_refused(&clerk, &o2, 1, "HH-01", NULL, "42501", NULL);
    assert_int_equal(returns_of_order(t, o2.order), 0);

    /* money goes back through customer service, even for a Bremen return */
    make_inspected(t, &clerk, &o2, "original", "resellable", &hb);
    {
        struct ver vb = version(t, hb.id);
        const char *p[3] = { hb.id, vb.s, "please" };
        dbtest_step_fails(&clerk, RETURN_REFUND, 3, p, "42501", NULL);
    }
    struct pick o3;
    pick(t, PICK RECENT "AND l.code = 'HB-01' AND ol.qty = 1 AND so.id NOT IN ($1, $2) "
                        "AND ol.unit_price_cents <= 20000 " FIRST,
         2, (const char *const[]){ o.order, o2.order }, &o3);
    make_inspected(t, &clerk, &o3, "voucher", "resellable", &vo);
    {
        struct ver vv = version(t, vo.id);
        const char *p[3] = { vo.id, vv.s, NULL };
        dbtest_step_fails(&clerk, RETURN_REFUND, 3, p, "42501", NULL);
    }
    assert_status(t, hb.id, "inspected");
    assert_status(t, vo.id, "inspected");
    /* nor may a clerk write a refund, or decide an approval */
    {
        char amount[24];
        snprintf(amount, sizeof(amount), "%lld", hb.value);
        const char *p[5] = { o2.order, hb.id, NULL, amount, "test-clerk" };
        dbtest_step_fails(&clerk, INSERT_REFUND, 5, p, "42501", NULL);
        const char *pa[3] = { hb.id, "true", "fine" };
        dbtest_step_fails(&clerk, RETURN_APPROVE, 3, pa, "42501", NULL);
    }
    assert_int_equal(refunds_of_return(t, hb.id) + refunds_of_return(t, vo.id), 0);
    assert_int_equal(refunded_for_order(t, o2.order), 0);
}

/* 9. Partial receipt ---------------------------------------------------------------------- */

static void test_partial_receipt(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o, o2;
    struct ret r, a, b;
    struct outcome out;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    pick(t, PICK RECENT "AND ol.qty = 2 AND ol.unit_price_cents <= 10000 " FIRST, 0, NULL, &o);
    long long lines = nval(t, "SELECT count(*) FROM kontor.order_line WHERE order_id = $1",
                           o.order);
    start1(&clerk, &o, 2, "HB-01", "original", true, &r);
    assert_int_equal(r.value, 2 * o.price);
    char *rl = first_line(t, r.id);

    /* the first parcel holds one of two */
    receive_n(t, &clerk, r.id, 1);
    assert_status(t, r.id, "received");
    assert_int_equal(nval(t, "SELECT qty_received FROM kontor.return_line WHERE id = $1", rl), 1);
    assert_order_status(t, o.order, "partially_returned");
    /* the second the other */
    receive_n(t, &clerk, r.id, 1);
    assert_status(t, r.id, "received");
    assert_int_equal(nval(t, "SELECT qty_received FROM kontor.return_line WHERE id = $1", rl), 2);
    assert_order_status(t, o.order, lines == 1 ? "returned" : "partially_returned");
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_event WHERE return_id = $1 "
                             "AND to_status = 'received'", r.id), 2);
    /* a third is one too many; nothing more is expected */
    {
        struct ver v = version(t, r.id);
        char *one = xasprintf("[{\"line\": %s, \"qty\": 1}]", rl);
        char *neg = xasprintf("[{\"line\": %s, \"qty\": -1}]", rl);
        const char *p[4] = { r.id, v.s, NULL, one };
        dbtest_step_fails(&clerk, RETURN_RECEIVE, 4, p, "23514", "return_line_received_le_qty");
        const char *pn[4] = { r.id, v.s, NULL, neg };
        dbtest_step_fails(&clerk, RETURN_RECEIVE, 4, pn, "23514", "return_line_received_le_qty");
        const char *pa[4] = { r.id, v.s, NULL, NULL };
        dbtest_step_fails(&clerk, RETURN_RECEIVE, 4, pa, "23514", "return_receive_nothing");
        /* nor directly, past the function */
        const char *pd[1] = { rl };
        dbtest_step_fails(&clerk,
                          "UPDATE kontor.return_line SET qty_received = qty_received + 1 "
                          "WHERE id = $1",
                          1, pd, "23514", "return_line_received_le_qty");
        free(one);
        free(neg);
    }
    assert_int_equal(nval(t, "SELECT qty_received FROM kontor.return_line WHERE id = $1", rl), 2);
    free(rl);

    /* one of two came back and was inspected: the line now holds only that
     * one, so the other may be returned later */
    pick(t, PICK RECENT "AND ol.qty = 2 AND ol.unit_price_cents <= 10000 "
                        "AND so.id <> $1::bigint " FIRST, 1, (const char *const[]){ o.order }, &o2);
    long long stock0 = on_hand(t, o2.product, "HB-01");
    start1(&clerk, &o2, 2, "HB-01", "original", true, &a);
    receive_n(t, &clerk, a.id, 1);
    start1_refused(&clerk, &o2, 1, "HB-01", NULL, "23514", "return_qty_le_sold");
    assert_int_equal(qty_returned(t, o2.line), 2);
    inspect(t, &clerk, a.id, "resellable");
    assert_status(t, a.id, "inspected");
    assert_int_equal(on_hand(t, o2.product, "HB-01"), stock0 + 1); /* what came back */
    assert_int_equal(qty_returned(t, o2.line), 1);
    assert_int_equal(nval(t, "SELECT kontor.return_value($1)", a.id), o2.price);
    start1(&clerk, &o2, 1, "HB-01", "original", false, &b);
    assert_string_equal(b.status, "requested");
    assert_int_equal(qty_returned(t, o2.line), 2);
    start1_refused(&clerk, &o2, 1, "HB-01", NULL, "23514", "return_qty_le_sold");
    /* and the refund pays what came back */
    refund(t, &service, a.id, NULL, &out);
    assert_string_equal(out.outcome, "done");
    assert_int_equal(out.amount, o2.price);
    assert_int_equal(refunded_for_return(t, a.id), o2.price);
}

/* 10. Store credit and exchange ---------------------------------------------------------- */

static void test_store_credit(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o;
    struct ret r;
    struct outcome out;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    pick_hb(t, "0", &o);
    long long stock0 = on_hand(t, o.product, "HB-01");
    make_inspected(t, &clerk, &o, "voucher", "damaged", &r);
    assert_int_equal(on_hand(t, o.product, "HB-01"), stock0); /* damaged: not restocked */
    refund(t, &service, r.id, NULL, &out);
    assert_string_equal(out.outcome, "done");
    assert_string_equal(out.status, "credited");
    assert_int_equal(out.amount, o.price);
    assert_status(t, r.id, "credited");
    char *code = sval(t, "SELECT voucher_code FROM kontor.return_order WHERE id = $1", r.id);
    assert_true(matches(t, code, "^V-[2-9A-HJKMNP-Z]{10}$"));
    assert_int_equal(refunds_of_return(t, r.id), 1);
    {
        char price[24];
        snprintf(price, sizeof(price), "%lld", o.price);
        assert_int_equal(nval2(t, "SELECT count(*) FROM kontor.refund WHERE return_id = $1 "
                                  "AND method = 'voucher' AND payment_id IS NULL "
                                  "AND status = 'done' AND amount_cents = $2::bigint",
                               r.id, price), 1);
    }
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_event WHERE return_id = $1 "
                             "AND to_status = 'credited' AND note LIKE '%' || "
                             "(SELECT voucher_code FROM kontor.return_order WHERE id = $1)",
                          r.id), 1);
    refund(t, &service, r.id, NULL, &out);
    assert_string_equal(out.outcome, "already");
    assert_int_equal(refunds_of_return(t, r.id), 1);
    free(code);
}

/* Another size of the same model, same price, in stock at Bremen. */
static void test_exchange_at_the_counter(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk;
    struct pick o;
    struct ret r;
    struct outcome out;

    dbtest_actor_open(t, "clerk", &clerk);
    pick(t, "SELECT so.number, so.id, ol.id, ol.product_id, ol.unit_price_cents, ol.qty, x.sku "
            "FROM kontor.sales_order so "
            "JOIN kontor.order_line ol ON ol.order_id = so.id "
            "JOIN kontor.location l ON l.id = so.location_id "
            "JOIN kontor.product p ON p.id = ol.product_id "
            "JOIN kontor.product x ON x.name = p.name AND x.id <> p.id AND x.active "
            "     AND x.price_cents = ol.unit_price_cents "
            "JOIN kontor.stock s ON s.product_id = x.id AND s.location_id = l.id "
            "     AND s.on_hand - s.reserved >= 1 "
            "WHERE l.code = 'HB-01' AND ol.qty = 1 AND so.discount_cents = 0 "
            "AND NOT EXISTS (SELECT 1 FROM kontor.return_order r WHERE r.order_id = so.id) "
            "AND (SELECT count(*) FROM kontor.payment py WHERE py.order_id = so.id "
            "     AND py.status = 'captured') = 1 " RECENT
            "ORDER BY so.id, ol.line_no, x.sku LIMIT 1", 0, NULL, &o);
    char *newp = sval(t, "SELECT id FROM kontor.product WHERE sku = $1", o.extra);
    long long back0 = on_hand(t, o.product, "HB-01");
    long long out0 = on_hand(t, newp, "HB-01");
    long long orders0 = nval(t, "SELECT count(*) FROM kontor.sales_order", NULL);

    char *lines = xasprintf("[{\"line\": %s, \"qty\": 1, \"reason\": \"too small\", "
                            "\"exchange_sku\": \"%s\"}]", o.line, o.extra);
    start(&clerk, o.number, NULL, lines, "store", "HB-01", "exchange", NULL, true, &r);
    free(lines);
    assert_string_equal(r.status, "authorised");
    assert_val(t, "SELECT p.sku FROM kontor.return_line rl "
                  "JOIN kontor.product p ON p.id = rl.exchange_product_id WHERE rl.return_id = $1",
               r.id, o.extra);
    receive(&clerk, r.id, version(t, r.id).s, NULL, NULL);
    inspect(t, &clerk, r.id, "resellable");
    /* the clerk hands the other size over at the counter */
    refund(t, &clerk, r.id, NULL, &out);
    assert_string_equal(out.outcome, "done");
    assert_string_equal(out.status, "exchanged");
    assert_status(t, r.id, "exchanged");
    char *xo = sval(t, "SELECT exchange_order_id FROM kontor.return_order WHERE id = $1", r.id);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.sales_order", NULL), orders0 + 1);
    assert_valf(t, "SELECT so.fulfilment || ' ' || so.status || ' ' || l.code || ' ' || c.code "
                  "|| ' ' || so.total_cents || ' ' || (so.customer_id IS NOT DISTINCT FROM "
                  "(SELECT customer_id FROM kontor.sales_order WHERE id = "
                  "(SELECT order_id FROM kontor.return_order WHERE exchange_order_id = so.id))) "
                  "FROM kontor.sales_order so JOIN kontor.location l ON l.id = so.location_id "
                  "JOIN kontor.channel c ON c.id = so.channel_id WHERE so.id = $1",
                xo, "in_store completed HB-01 store %lld true", o.price);
    assert_valf(t, "SELECT string_agg(sku || ' x' || qty || ' ' || unit_price_cents, ',') "
                  "FROM kontor.order_line WHERE order_id = $1",
                xo, "%s x1 %lld", o.extra, o.price);
    /* even: paid with the returned goods, nothing refunded */
    assert_valf(t, "SELECT string_agg(method || ' ' || status || ' ' || amount_cents, ',') "
                   "FROM kontor.payment WHERE order_id = $1",
                xo, "voucher captured %lld", o.price);
    assert_int_equal(refunds_of_return(t, r.id), 0);
    /* stock: the returned size back in, the new size out */
    assert_int_equal(on_hand(t, o.product, "HB-01"), back0 + 1);
    assert_int_equal(on_hand(t, newp, "HB-01"), out0 - 1);
    /* pressing again changes nothing */
    refund(t, &clerk, r.id, NULL, &out);
    assert_string_equal(out.outcome, "already");
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.sales_order", NULL), orders0 + 1);
    assert_int_equal(on_hand(t, newp, "HB-01"), out0 - 1);
    free(xo);
    free(newp);
}

/* 11. Two people, one return --------------------------------------------------------------- */

static void test_version_conflict_names_who(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o;
    struct ret r;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    pick_hb(t, "0", &o);
    start1(&clerk, &o, 1, "HB-01", "original", true, &r);

    /* both are shown version v */
    const char *pid[1] = { r.id };
    dbtest_actor_begin(&clerk, NULL);
    dbtest_actor_begin(&service, NULL);
    char *vc = must(clerk.c, "SELECT version FROM kontor.return_order WHERE id = $1", 1, pid);
    char *vs = must(service.c, "SELECT version FROM kontor.return_order WHERE id = $1", 1, pid);
    assert_string_equal(vc, vs);
    /* the clerk receives; service's receive waits for it, then is told who */
    const char *p[4] = { r.id, vc, NULL, NULL };
    PQclear(dbtest_query(clerk.c, RETURN_RECEIVE, 4, p));
    const char *ps[4] = { r.id, vs, "WH-01", NULL };
    assert_int_equal(PQsendQueryParams(service.c, RETURN_RECEIVE, 4, NULL, ps, NULL, NULL, 0), 1);
    const char *pp[1] = { service.pid };
    bool waited = false;
    for (int i = 0; i < 1000 && !waited; i++) {
        assert_int_equal(PQconsumeInput(service.c), 1);
        if (!PQisBusy(service.c))
            break;
        waited = dbtest_count(t->owner, "SELECT count(*) FROM pg_stat_activity "
                                        "WHERE pid = $1::int AND wait_event_type = 'Lock'",
                              1, pp) == 1;
        if (!waited)
            usleep(10000);
    }
    assert_true(waited);
    dbtest_ok(clerk.c, "COMMIT");
    PGresult *res, *last = NULL;
    while ((res = PQgetResult(service.c)) != NULL) {
        PQclear(last);
        last = res;
    }
    assert_non_null(last);
    assert_false(dbtest_res_ok(last));
    assert_string_equal(PQresultErrorField(last, PG_DIAG_SQLSTATE), "KX409");
    const char *msg = PQresultErrorField(last, PG_DIAG_MESSAGE_PRIMARY);
    if (strstr(msg, clerk.name) == NULL || strstr(msg, r.rma) == NULL
        || strstr(msg, "received") == NULL)
        fprintf(stderr, "KX409 message: %s\n", msg);
    assert_non_null(strstr(msg, clerk.name));
    assert_non_null(strstr(msg, r.rma));
    assert_non_null(strstr(msg, "received"));
    PQclear(last);
    dbtest_ok(service.c, "ROLLBACK");

    /* the clerk's receipt stands, once, at Bremen */
    assert_status(t, r.id, "received");
    assert_val(t, "SELECT l.code FROM kontor.return_order r JOIN kontor.location l "
                  "ON l.id = r.location_id WHERE r.id = $1", r.id, "HB-01");
    assert_int_equal(nval(t, "SELECT sum(qty_received) FROM kontor.return_line "
                             "WHERE return_id = $1", r.id), 1);
    assert_int_equal(atoi(version(t, r.id).s), atoi(vc) + 1);
    /* a later step with the old version is refused the same way */
    {
        char *rl = first_line(t, r.id);
        char *insp = xasprintf("[{\"line\": %s, \"condition\": \"resellable\"}]", rl);
        const char *pi[3] = { r.id, vs, insp };
        char *m = dbtest_step_refused(&service, RETURN_INSPECT, 3, pi, "KX409", NULL);
        assert_non_null(strstr(m, clerk.name));
        free(m);
        free(insp);
        free(rl);
    }
    assert_status(t, r.id, "received");
    free(vc);
    free(vs);
}

/* 12. Bookkeeping ------------------------------------------------------------------------------ */

/* Bought via web or app for pickup elsewhere, returned at the Bremen store:
 * the return keeps both sides. */
static void test_bookkeeping_both_channels(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o, o2;
    struct ret r, p;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    pick(t, PICK RECENT "AND c.code IN ('web', 'app') AND so.fulfilment = 'click_collect' "
                        "AND l.code <> 'HB-01' AND ol.qty = 1 AND ol.unit_price_cents <= 20000 "
                        FIRST, 0, NULL, &o);
    start1(&clerk, &o, 1, "HB-01", "original", true, &r);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_order r "
                             "JOIN kontor.sales_order so ON so.id = r.order_id "
                             "WHERE r.id = $1 "
                             "AND r.order_channel_id = so.channel_id "
                             "AND r.order_location_id = so.location_id "
                             "AND r.channel_id = "
                             "    (SELECT id FROM kontor.channel WHERE code = 'store') "
                             "AND r.location_id = "
                             "    (SELECT id FROM kontor.location WHERE code = 'HB-01') "
                             "AND r.order_channel_id <> r.channel_id "
                             "AND r.order_location_id <> r.location_id", r.id), 1);
    /* they travel with the return and cannot be rewritten */
    {
        const char *pr[1] = { r.id };
        PQclear(dbtest_query(t->owner,
                             "UPDATE kontor.return_order SET order_channel_id = channel_id, "
                             "order_location_id = location_id WHERE id = $1", 1, pr));
        assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_order r "
                                 "JOIN kontor.sales_order so ON so.id = r.order_id "
                                 "WHERE r.id = $1 AND r.order_channel_id = so.channel_id "
                                 "AND r.order_location_id = so.location_id", r.id), 1);
        char *st = dbtest_try(t->owner, "UPDATE kontor.return_order SET order_id = order_id + 1 "
                                        "WHERE id = $1", 1, pr);
        assert_string_equal(st, "23514");
        free(st);
    }
    /* a return sent by post without a location: the clerk who takes it in
     * at the counter makes it Bremen's */
    pick(t, PICK RECENT "AND c.code = 'web' AND so.fulfilment = 'ship' AND ol.qty = 1 "
                        "AND ol.unit_price_cents <= 20000 " FIRST, 0, NULL, &o2);
    start1(&service, &o2, 1, NULL, "original", true, &p);
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.return_order r "
                             "JOIN kontor.sales_order so ON so.id = r.order_id "
                             "WHERE r.id = $1 AND r.location_id IS NULL "
                             "AND r.order_channel_id = so.channel_id "
                             "AND r.order_location_id IS NOT DISTINCT FROM so.location_id", p.id),
                     1);
    receive(&clerk, p.id, version(t, p.id).s, NULL, NULL);
    assert_val(t, "SELECT r.status || ' ' || l.code FROM kontor.return_order r "
                  "JOIN kontor.location l ON l.id = r.location_id WHERE r.id = $1",
               p.id, "received HB-01");
    assert_val(t, "SELECT c.code FROM kontor.return_order r "
                  "JOIN kontor.channel c ON c.id = r.order_channel_id WHERE r.id = $1",
               p.id, "web");
}

/* 13. Found while writing these tests ---------------------------------------------------- */

/* Customer service may run return_receive (0008 grants it to the three staff
 * roles; doc/roles.md's matrix says so): a parcel taken in at the warehouse
 * moves the order to returned as a consequence of the return, which 0007's
 * guard (service may only cancel orders) must not refuse. Service still
 * cannot move an order itself. */
static void test_service_receives_parcel_at_warehouse(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor service;
    struct pick o, o2;
    struct ret r;
    struct outcome out;

    dbtest_actor_open(t, "service", &service);
    pick(t, PICK RECENT "AND so.fulfilment = 'ship' AND so.status = 'delivered' " ONE_LINE
                        "AND ol.qty = 1 AND ol.unit_price_cents <= 20000 " FIRST, 0, NULL, &o);
    long long stock0 = on_hand(t, o.product, "WH-01");
    start1(&service, &o, 1, "WH-01", "original", true, &r);
    assert_string_equal(r.status, "authorised");
    receive(&service, r.id, version(t, r.id).s, NULL, NULL);
    assert_status(t, r.id, "received");
    assert_order_status(t, o.order, "returned");
    inspect(t, &service, r.id, "resellable");
    assert_int_equal(on_hand(t, o.product, "WH-01"), stock0 + 1);
    refund(t, &service, r.id, NULL, &out);
    assert_string_equal(out.outcome, "done");
    assert_int_equal(refunded_for_return(t, r.id), o.price);
    /* the order itself: still only cancelled by service */
    pick(t, PICK RECENT "AND so.fulfilment = 'ship' AND so.status = 'delivered' "
                        "AND so.id <> $1::bigint " FIRST, 1, (const char *const[]){ o.order }, &o2);
    const char *p[1] = { o2.order };
    dbtest_step_fails(&service,
                      "UPDATE kontor.sales_order SET status = 'returned', status_note = 'x' "
                      "WHERE id = $1",
                      1, p, "42501", NULL);
    assert_order_status(t, o2.order, "delivered");
}

/* An exchange for a cheaper item leaves a difference to pay back, over the
 * clerk's refund limit (0): like every refund over the caller's limit
 * (return_refund's rule) it becomes an approval request, and the manager's
 * approval completes the exchange and refunds the difference once. Not a
 * KX001 "a manager must approve" with nothing for the manager to approve. */
static void test_exchange_for_cheaper_item_needs_manager(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, manager;
    struct pick o;
    struct ret r;
    struct outcome out;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "manager", &manager);
    pick(t, "SELECT so.number, so.id, ol.id, ol.product_id, ol.unit_price_cents, ol.qty, x.sku "
            "FROM kontor.sales_order so "
            "JOIN kontor.order_line ol ON ol.order_id = so.id "
            "JOIN kontor.location l ON l.id = so.location_id "
            "JOIN kontor.stock s ON s.location_id = l.id AND s.on_hand - s.reserved >= 1 "
            "JOIN kontor.product x ON x.id = s.product_id AND x.active "
            "     AND x.price_cents BETWEEN 1 AND ol.unit_price_cents - 1 "
            "WHERE l.code = 'HB-01' AND ol.qty = 1 AND so.discount_cents = 0 "
            "AND NOT EXISTS (SELECT 1 FROM kontor.return_order r WHERE r.order_id = so.id) "
            "AND NOT EXISTS (SELECT 1 FROM kontor.refund f WHERE f.order_id = so.id) "
            "AND (SELECT count(*) FROM kontor.payment py WHERE py.order_id = so.id "
            "     AND py.status = 'captured') = 1 " RECENT
            "ORDER BY so.id, ol.line_no, x.price_cents DESC, x.sku LIMIT 1", 0, NULL, &o);
    char *newp = sval(t, "SELECT id FROM kontor.product WHERE sku = $1", o.extra);
    long long newprice = nval(t, "SELECT price_cents FROM kontor.product WHERE sku = $1", o.extra);
    long long out0 = on_hand(t, newp, "HB-01");
    long long orders0 = nval(t, "SELECT count(*) FROM kontor.sales_order", NULL);
    char *lines = xasprintf("[{\"line\": %s, \"qty\": 1, \"reason\": \"does not fit\", "
                            "\"exchange_sku\": \"%s\"}]", o.line, o.extra);
    start(&clerk, o.number, NULL, lines, "store", "HB-01", "exchange", NULL, true, &r);
    free(lines);
    receive(&clerk, r.id, version(t, r.id).s, NULL, NULL);
    inspect(t, &clerk, r.id, "resellable");

    /* the clerk: over the limit, so a reason is asked for, then a manager */
    {
        struct ver v = version(t, r.id);
        const char *p[3] = { r.id, v.s, NULL };
        dbtest_step_fails(&clerk, RETURN_REFUND, 3, p, "23514", "return_approval_reason");
    }
    refund(t, &clerk, r.id, "customer prefers the cheaper item", &out);
    assert_string_equal(out.outcome, "approval");
    assert_string_equal(out.status, "inspected");
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.sales_order", NULL), orders0);
    assert_int_equal(on_hand(t, newp, "HB-01"), out0);
    assert_int_equal(refunds_of_return(t, r.id), 0);
    /* the manager approves: the exchange is completed, the difference refunded */
    approve(&manager, r.id, true, "fine", &out);
    assert_string_equal(out.outcome, "approved");
    assert_string_equal(out.status, "exchanged");
    assert_int_equal(nval(t, "SELECT count(*) FROM kontor.sales_order", NULL), orders0 + 1);
    assert_int_equal(on_hand(t, newp, "HB-01"), out0 - 1);
    assert_int_equal(refunds_of_return(t, r.id), 1);
    assert_int_equal(refunded_for_return(t, r.id), o.price - newprice);
    free(newp);
}

/* What came back is settled by the inspection (and the refund is paid on
 * it): afterwards nobody raises a line's received quantity, neither the
 * clerk (who has the column grant for return_receive) nor service. */
static void test_received_quantity_fixed_after_inspection(void **state)
{
    struct dbtest *t = *state;
    struct dbtest_actor clerk, service;
    struct pick o;
    struct ret r;
    struct outcome out;

    dbtest_actor_open(t, "clerk", &clerk);
    dbtest_actor_open(t, "service", &service);
    pick(t, PICK RECENT "AND ol.qty = 2 AND ol.unit_price_cents <= 10000 " FIRST, 0, NULL, &o);
    start1(&clerk, &o, 2, "HB-01", "original", true, &r);
    receive_n(t, &clerk, r.id, 1);
    inspect(t, &clerk, r.id, "damaged");
    char *rl = first_line(t, r.id);
    const char *p[1] = { rl };
    dbtest_step_fails(&clerk, "UPDATE kontor.return_line SET qty_received = 2 WHERE id = $1", 1, p,
                      "23514", NULL);
    dbtest_step_fails(&service, "UPDATE kontor.return_line SET qty_received = 2 WHERE id = $1", 1,
                      p, "23514", NULL);
    assert_int_equal(nval(t, "SELECT qty_received FROM kontor.return_line WHERE id = $1", rl), 1);
    assert_int_equal(nval(t, "SELECT kontor.return_value($1)", r.id), o.price);
    refund(t, &service, r.id, NULL, &out);
    assert_string_equal(out.outcome, "done");
    assert_int_equal(refunded_for_return(t, r.id), o.price);
    free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_scenario_app_order_returned_in_store),
        DBTEST(test_over_return_refused),
        DBTEST(test_over_refund_refused_by_database),
        DBTEST(test_illegal_moves_refused),
        DBTEST(test_outside_window_needs_manager),
        DBTEST(test_over_limit_needs_manager),
        DBTEST(test_refund_once_concurrently_read_committed),
        DBTEST(test_refund_once_concurrently_repeatable_read),
        DBTEST(test_clerk_restrictions),
        DBTEST(test_partial_receipt),
        DBTEST(test_store_credit),
        DBTEST(test_exchange_at_the_counter),
        DBTEST(test_version_conflict_names_who),
        DBTEST(test_bookkeeping_both_channels),
        DBTEST(test_service_receives_parcel_at_warehouse),
        DBTEST(test_exchange_for_cheaper_item_needs_manager),
        DBTEST(test_received_quantity_fixed_after_inspection),
    };
    return cmocka_run_group_tests_name("returns", tests, NULL, NULL);
}

/* Orders against the real database: every lifecycle move of
 * order_transition through order_move_stmts as the role that does it, and
 * the refusals; stock reserved, released and taken out by the database; one
 * outbox row per "ready for pickup"; two people moving one order; the list
 * (keyset pages, each filter, the count); the detail; the pickup queue and
 * counter search; staff preferences; and `kontor order show|list` through
 * the real binary. Uses the demo records of SCENARIOS.md (K-100001 ...). */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kontor/db.h"
#include "kontor/order.h"
#include "kontor/xalloc.h"

/* Helpers -------------------------------------------------------------------- */

struct who {
    struct db *db;
    struct db_session s;
};

/* A console-like connection signed in as username (session minted through
 * auth_finish, as the console does after checking the password). */
static struct who sign_in(struct dbtest *t, const char *username)
{
    struct who w;
    char *err = NULL;
    char *token = dbtest_session_token(t, username);
    const char *p[1] = { username };
    char *role = dbtest_scalar(t->owner, "SELECT role FROM kontor.staff WHERE username = $1", 1, p);

    memset(&w, 0, sizeof(w));
    w.db = db_open_conninfo(t->conninfo, "kontor_login", "kontor-test", 10000, &err);
    if (w.db == NULL)
        fprintf(stderr, "%s\n", err);
    assert_non_null(w.db);
    assert_true(db_role_parse(role, &w.s.role));
    snprintf(w.s.token, sizeof(w.s.token), "%s", token);
    w.s.staff_id = dbtest_count(t->owner, "SELECT id FROM kontor.staff WHERE username = $1", 1, p);
    free(token);
    free(role);
    return w;
}

static void sign_out(struct who *w)
{
    db_close(w->db);
}

static char *scalar(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };
    char *v = dbtest_scalar(t->owner, sql, p1 ? 1 : 0, p);

    return v != NULL ? v : xstrdup("");
}

static long long count1(struct dbtest *t, const char *sql, const char *p1)
{
    const char *p[1] = { p1 };

    return dbtest_count(t->owner, sql, p1 ? 1 : 0, p);
}

static long long order_id(struct dbtest *t, const char *number)
{
    return count1(t, "SELECT id FROM kontor.sales_order WHERE number = $1", number);
}

static int order_version(struct dbtest *t, long long id)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%lld", id);
    return (int)count1(t, "SELECT version FROM kontor.sales_order WHERE id = $1", buf);
}

static char *order_status(struct dbtest *t, long long id)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%lld", id);
    return scalar(t, "SELECT status FROM kontor.sales_order WHERE id = $1", buf);
}

/* Moves an order as w; returns true when the transaction committed (outcome
 * in *out), false with the error's class and SQLSTATE in *err. */
static bool move(struct who *w, long long id, int version, const char *to, const char *note,
                 struct order_move_outcome *out, struct db_error *err)
{
    struct order_move q;
    size_t n;
    struct db_stmt *st = order_move_stmts(&q, id, version, to, note, &n);
    bool ok = db_run_tx(w->db, &w->s, st, n, err);

    if (ok)
        order_move_read(st, out);
    db_stmts_clear(st, n);
    return ok;
}

/* A new order made by the shop integration (the owner), in a status. */
static long long new_order(struct dbtest *t, const char *fulfilment, const char *location,
                           const char *status)
{
    const char *p[3] = { fulfilment, location, status };

    return dbtest_count(t->owner,
                        "INSERT INTO kontor.sales_order (channel_id, location_id, customer_id, "
                        "fulfilment, status, total_cents) VALUES ((SELECT id FROM kontor.channel "
                        "WHERE code = 'web'), (SELECT id FROM kontor.location WHERE code = $2), 1, "
                        "$1, $3, 1000) RETURNING id",
                        3, p);
}

static void add_line(struct dbtest *t, long long id, const char *sku, int qty)
{
    char ids[24], q[12];
    const char *p[3] = { ids, sku, q };

    snprintf(ids, sizeof(ids), "%lld", id);
    snprintf(q, sizeof(q), "%d", qty);
    PQclear(dbtest_query(t->owner,
                         "INSERT INTO kontor.order_line (order_id, line_no, product_id, sku, name, "
                         "qty, unit_price_cents) SELECT $1::bigint, coalesce((SELECT max(line_no) "
                         "FROM kontor.order_line WHERE order_id = $1::bigint), 0) + 1, p.id, p.sku, "
                         "p.name, $3::int, p.price_cents FROM kontor.product p WHERE p.sku = $2",
                         3, p));
}

/* "on_hand/reserved" of a SKU at a location. */
static char *stock_of(struct dbtest *t, const char *sku, const char *loc)
{
    const char *p[2] = { sku, loc };
    char *v = dbtest_scalar(t->owner,
                            "SELECT s.on_hand || '/' || s.reserved FROM kontor.stock s "
                            "JOIN kontor.product p ON p.id = s.product_id "
                            "JOIN kontor.location l ON l.id = s.location_id "
                            "WHERE p.sku = $1 AND l.code = $2",
                            2, p);
    return v != NULL ? v : xstrdup("none");
}

static int stock_num(const char *s, int which)
{
    const char *slash = strchr(s, '/');

    return which == 0 ? atoi(s) : atoi(slash ? slash + 1 : "0");
}

/* Lifecycle ------------------------------------------------------------------ */

/* Every move of order_transition, as the role that does it: cancels (with
 * their reason) by service, the rest by the clerk at the order's location. */
static void test_every_lifecycle_move(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk"), service = sign_in(t, "service");
    PGresult *r = dbtest_query(t->owner,
                               "SELECT fulfilment, from_status, to_status, needs_reason "
                               "FROM kontor.order_transition ORDER BY 1, 2, 3",
                               0, NULL);

    assert_true(PQntuples(r) >= 28);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *ful = PQgetvalue(r, i, 0), *from = PQgetvalue(r, i, 1);
        const char *to = PQgetvalue(r, i, 2);
        bool reason = strcmp(PQgetvalue(r, i, 3), "t") == 0;
        long long id = new_order(t, ful, strcmp(ful, "ship") == 0 ? NULL : "HB-01", from);
        int v = order_version(t, id);
        struct who *w = reason ? &service : &clerk;
        struct order_move_outcome out;
        struct db_error err = { 0 };

        if (reason) { /* refused without a reason, then done with one */
            assert_false(move(w, id, v, to, "  ", &out, &err));
            assert_int_equal(err.cls, DB_ERR_CHECK);
            assert_string_equal(err.sqlstate, "23514");
            db_error_clear(&err);
        }
        if (!move(w, id, v, to, reason ? "customer asked" : "", &out, &err))
            fail_msg("%s %s -> %s: %s", ful, from, to, err.message);
        assert_int_equal(out.result, ORDER_MOVED);
        assert_string_equal(out.status, to);
        assert_int_equal(out.version, v + 1);
        assert_true(out.by[0] != '\0');
        char *now = order_status(t, id);
        assert_string_equal(now, to);
        free(now);
    }
    PQclear(r);
    sign_out(&clerk);
    sign_out(&service);
}

/* Customer service cancels orders but never picks or hands them over: the
 * database refuses it, whatever the console offers. */
static void test_service_may_cancel_but_not_fulfil(void **state)
{
    struct dbtest *t = *state;
    struct who service = sign_in(t, "service");
    struct order_move_outcome out;
    struct db_error err = { 0 };
    long long id = order_id(t, "K-100001"); /* paid, C&C at HB-01 */
    int v = order_version(t, id);
    static const char *const fulfil[] = { "picking", "ready_for_pickup", "collected" };

    for (size_t i = 0; i < sizeof(fulfil) / sizeof(fulfil[0]); i++) {
        assert_false(move(&service, id, v, fulfil[i], "", &out, &err));
        assert_string_equal(err.sqlstate, "42501");
        assert_int_equal(err.cls, DB_ERR_PERMISSION);
        db_error_clear(&err);
        char *now = order_status(t, id);
        assert_string_equal(now, "paid");
        free(now);
        assert_int_equal(order_version(t, id), v);
    }
    assert_true(move(&service, id, v, "cancelled", "customer called to cancel", &out, &err));
    assert_int_equal(out.result, ORDER_MOVED);
    assert_string_equal(out.status, "cancelled");
    sign_out(&service);
}

static void test_move_refusals(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk");
    struct order_move_outcome out;
    struct db_error err = { 0 };
    long long id = order_id(t, "K-100001"); /* paid, C&C at HB-01 */
    int v = order_version(t, id);

    /* not along the lifecycle: 23514 */
    assert_false(move(&clerk, id, v, "collected", "", &out, &err));
    assert_string_equal(err.sqlstate, "23514");
    assert_int_equal(err.cls, DB_ERR_CHECK);
    db_error_clear(&err);
    /* cancel without a reason */
    assert_false(move(&clerk, id, v, "cancelled", "", &out, &err));
    assert_string_equal(err.sqlstate, "23514");
    db_error_clear(&err);
    assert_int_equal(order_version(t, id), v);

    /* the Bremen clerk and a Hamburg order: refused, nothing changed */
    long long hh = order_id(t, "K-100022"); /* ready for pickup at HH-01 */
    int hv = order_version(t, hh);
    assert_true(move(&clerk, hh, hv, "collected", "", &out, &err));
    assert_int_equal(out.result, ORDER_REFUSED);
    assert_string_equal(out.status, "ready_for_pickup");
    assert_int_equal(order_version(t, hh), hv);
    /* the detail says so too */
    struct order_detail d;
    size_t n;
    struct db_stmt *st = order_detail_stmts(&d, "K-100022", &n);
    assert_true(db_run_tx(clerk.db, &clerk.s, st, n, NULL));
    assert_true(PQntuples(st[ORDER_PART_MOVES].res) >= 1);
    assert_string_equal(db_value(st[ORDER_PART_MOVES].res, 0, 2), "f");
    db_stmts_clear(st, n);
    sign_out(&clerk);
}

/* Two people read version v; the first move wins, the second is told who
 * moved it, when, and what it is now; nothing is overwritten. */
static void test_concurrent_moves(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk"), service = sign_in(t, "service");
    struct order_move_outcome a, b;
    struct db_error err = { 0 };
    long long id = order_id(t, "K-100001");
    int v = order_version(t, id);

    assert_true(move(&clerk, id, v, "picking", "", &a, &err));
    assert_int_equal(a.result, ORDER_MOVED);
    assert_true(move(&service, id, v, "cancelled", "customer called", &b, &err));
    assert_int_equal(b.result, ORDER_CONFLICT);
    assert_int_equal(b.version, v + 1);
    assert_string_equal(b.status, "picking");
    assert_string_equal(b.number, "K-100001");
    char *name = scalar(t, "SELECT display_name FROM kontor.staff WHERE username = $1", "clerk");
    assert_string_equal(b.by, name);
    assert_true(strlen(b.at) >= 16);
    free(name);
    char *now = order_status(t, id);
    assert_string_equal(now, "picking");
    free(now);
    assert_int_equal(count1(t, "SELECT count(*) FROM kontor.order_event WHERE order_id = $1 "
                               "AND to_status = 'cancelled'", "1"), 0);
    /* version 0: whatever it is now (bulk moves) */
    assert_true(move(&service, id, 0, "cancelled", "customer called", &b, &err));
    assert_int_equal(b.result, ORDER_MOVED);
    sign_out(&clerk);
    sign_out(&service);
}

/* Stock ------------------------------------------------------------------------ */

static void test_stock_reserved_released_taken_out(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk"), service = sign_in(t, "service");
    struct order_move_outcome out;
    struct db_error err = { 0 };
    char *s0 = stock_of(t, "SNK-2041-42", "HB-01");
    int on0 = stock_num(s0, 0), res0 = stock_num(s0, 1);
    char *s;

    /* a line of an open C&C order reserves at the store */
    long long a = new_order(t, "click_collect", "HB-01", "paid");
    add_line(t, a, "SNK-2041-42", 1);
    s = stock_of(t, "SNK-2041-42", "HB-01");
    assert_int_equal(stock_num(s, 0), on0);
    assert_int_equal(stock_num(s, 1), res0 + 1);
    free(s);
    /* cancelling releases */
    assert_true(move(&service, a, order_version(t, a), "cancelled", "out of stock", &out, &err));
    assert_int_equal(out.result, ORDER_MOVED);
    s = stock_of(t, "SNK-2041-42", "HB-01");
    assert_int_equal(stock_num(s, 0), on0);
    assert_int_equal(stock_num(s, 1), res0);
    free(s);
    /* handing over takes it out */
    long long b = new_order(t, "click_collect", "HB-01", "ready_for_pickup");
    add_line(t, b, "SNK-2041-42", 1);
    assert_true(move(&clerk, b, order_version(t, b), "collected", "", &out, &err));
    assert_int_equal(out.result, ORDER_MOVED);
    s = stock_of(t, "SNK-2041-42", "HB-01");
    assert_int_equal(stock_num(s, 0), on0 - 1);
    assert_int_equal(stock_num(s, 1), res0);
    free(s);
    /* shipping orders reserve at the ship-from warehouse and ship from it */
    char *w0 = stock_of(t, "SNK-2041-42", "WH-01");
    long long c = new_order(t, "ship", NULL, "picking");
    add_line(t, c, "SNK-2041-42", 2);
    s = stock_of(t, "SNK-2041-42", "WH-01");
    assert_int_equal(stock_num(s, 1), stock_num(w0, 1) + 2);
    free(s);
    assert_true(move(&clerk, c, order_version(t, c), "shipped", "", &out, &err));
    s = stock_of(t, "SNK-2041-42", "WH-01");
    assert_int_equal(stock_num(s, 0), stock_num(w0, 0) - 2);
    assert_int_equal(stock_num(s, 1), stock_num(w0, 1));
    free(s);
    free(w0);
    /* more than is free: refused with a clear message, nothing reserved */
    s = stock_of(t, "SNK-2041-42", "HB-01");
    long long d = new_order(t, "click_collect", "HB-01", "paid");
    char ids[24], qty[12];
    snprintf(ids, sizeof(ids), "%lld", d);
    snprintf(qty, sizeof(qty), "%d", stock_num(s, 0) - stock_num(s, 1) + 1);
    const char *p[2] = { ids, qty };
    PGresult *r = PQexecParams(t->owner,
                               "INSERT INTO kontor.order_line (order_id, line_no, product_id, sku, "
                               "name, qty, unit_price_cents) SELECT $1::bigint, 1, id, sku, name, "
                               "$2::int, price_cents FROM kontor.product WHERE sku = 'SNK-2041-42'",
                               2, NULL, p, NULL, NULL, 0);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "23514");
    assert_non_null(strstr(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY), "not enough"));
    PQclear(r);
    char *s2 = stock_of(t, "SNK-2041-42", "HB-01");
    assert_string_equal(s2, s);
    free(s2);
    free(s);
    free(s0);
    /* the demo data's reservations are what the rules would hold */
    assert_int_equal(dbtest_count(t->owner,
        "SELECT count(*) FROM kontor.stock st LEFT JOIN ("
        " SELECT ol.product_id, kontor.order_stock_location(so.fulfilment, so.location_id) AS loc, "
        "        sum(ol.qty) AS qty FROM kontor.sales_order so "
        " JOIN kontor.order_line ol ON ol.order_id = so.id "
        " WHERE kontor.order_status_is_reserving(so.status) "
        "   AND kontor.order_stock_location(so.fulfilment, so.location_id) IS NOT NULL "
        " GROUP BY 1, 2) x ON x.product_id = st.product_id AND x.loc = st.location_id "
        "WHERE coalesce(st.reserved, 0) <> coalesce(x.qty, 0)", 0, NULL), 0);
    sign_out(&clerk);
    sign_out(&service);
}

static void test_ready_writes_one_notification(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk");
    struct order_move_outcome out;
    struct db_error err = { 0 };
    long long id = order_id(t, "K-100011"); /* picking at HB-01 */
    char ids[24];

    snprintf(ids, sizeof(ids), "%lld", id);
    long long before = count1(t, "SELECT count(*) FROM kontor.notification_outbox "
                                 "WHERE order_id = $1", ids);
    assert_true(move(&clerk, id, order_version(t, id), "ready_for_pickup", "", &out, &err));
    assert_int_equal(out.result, ORDER_MOVED);
    assert_int_equal(count1(t, "SELECT count(*) FROM kontor.notification_outbox "
                               "WHERE order_id = $1", ids), before + 1);
    assert_int_equal(count1(t, "SELECT count(*) FROM kontor.notification_outbox "
                               "WHERE order_id = $1 AND kind = 'pickup_ready' "
                               "AND payload ->> 'pickup_code' IS NOT NULL", ids), 1);
    sign_out(&clerk);
}

/* The list ------------------------------------------------------------------------ */

static PGresult *page(struct who *w, const struct order_filter *f, enum order_sort sort,
                      enum order_fetch how, const char *k1, const char *k2, int limit)
{
    struct order_page q;
    const char *key[2] = { k1, k2 };
    struct db_stmt *st = order_page_stmt(&q, f, sort, how, k1 ? key : NULL, limit);
    struct db_error err = { 0 };

    if (!db_run_tx(w->db, &w->s, st, 1, &err))
        fail_msg("page: %s", err.message);
    PGresult *r = st->res;
    st->res = NULL;
    return r;
}

static void check_keyset(struct dbtest *t, struct who *w, enum order_sort sort, const char *order)
{
    struct order_filter f = { 0 };
    PGresult *p1 = page(w, &f, sort, ORDER_FETCH_FIRST, NULL, NULL, 50);
    char *sql = xasprintf("SELECT number FROM kontor.sales_order ORDER BY %s LIMIT 100", order);
    PGresult *all = dbtest_query(t->owner, sql, 0, NULL);
    const int K1 = ORDER_COL_COUNT, ID = ORDER_COL_COUNT + 1;

    assert_int_equal(PQntuples(p1), 50);
    assert_int_equal(PQnfields(p1), ORDER_COL_COUNT + ORDER_PAGE_KEYS);
    PGresult *p2 = page(w, &f, sort, ORDER_FETCH_AFTER, PQgetvalue(p1, 49, K1),
                        PQgetvalue(p1, 49, ID), 50);
    assert_int_equal(PQntuples(p2), 50);
    for (int i = 0; i < 50; i++) {
        assert_string_equal(PQgetvalue(p1, i, ORDER_COL_NUMBER), PQgetvalue(all, i, 0));
        assert_string_equal(PQgetvalue(p2, i, ORDER_COL_NUMBER), PQgetvalue(all, 50 + i, 0));
    }
    /* BEFORE the first row of page 2: page 1, nearest first */
    PGresult *back = page(w, &f, sort, ORDER_FETCH_BEFORE, PQgetvalue(p2, 0, K1),
                          PQgetvalue(p2, 0, ID), 50);
    assert_int_equal(PQntuples(back), 50);
    for (int i = 0; i < 50; i++)
        assert_string_equal(PQgetvalue(back, i, ORDER_COL_NUMBER), PQgetvalue(all, 49 - i, 0));
    /* FROM a row includes it */
    PGresult *from = page(w, &f, sort, ORDER_FETCH_FROM, PQgetvalue(p2, 0, K1),
                          PQgetvalue(p2, 0, ID), 5);
    assert_string_equal(PQgetvalue(from, 0, ORDER_COL_NUMBER), PQgetvalue(all, 50, 0));
    PQclear(from);
    PQclear(back);
    PQclear(p2);
    PQclear(p1);
    PQclear(all);
    free(sql);
}

static void test_list_keyset_pages(void **state)
{
    struct dbtest *t = *state;
    struct who w = sign_in(t, "service");

    check_keyset(t, &w, ORDER_SORT_NEWEST, "placed_at DESC, id DESC");
    check_keyset(t, &w, ORDER_SORT_OLDEST, "placed_at, id");
    check_keyset(t, &w, ORDER_SORT_TOTAL_DESC, "total_cents DESC, id DESC");
    check_keyset(t, &w, ORDER_SORT_TOTAL_ASC, "total_cents, id");
    /* LAST: the oldest, nearest (oldest) first */
    struct order_filter f = { 0 };
    PGresult *last = page(&w, &f, ORDER_SORT_NEWEST, ORDER_FETCH_LAST, NULL, NULL, 3);
    char *oldest = scalar(t, "SELECT number FROM kontor.sales_order ORDER BY placed_at, id LIMIT 1",
                          NULL);
    assert_string_equal(PQgetvalue(last, 0, ORDER_COL_NUMBER), oldest);
    free(oldest);
    PQclear(last);
    sign_out(&w);
}

/* The filter's rows and count agree with a plain SQL count of where. */
static void check_filter(struct dbtest *t, struct who *w, const char *words, const char *where,
                         const char *must_contain)
{
    struct order_filter f;
    char *err = NULL;
    struct order_count cq;
    bool estimate;

    if (!order_filter_parse(&f, words, &err))
        fail_msg("parse %s: %s", words, err);
    char *sql = xasprintf("SELECT count(*) FROM kontor.sales_order so WHERE %s", where);
    long long want = dbtest_count(t->owner, sql, 0, NULL);
    PGresult *r = page(w, &f, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST, NULL, NULL, 10000);
    if (PQntuples(r) != want)
        fail_msg("filter '%s': %d rows, want %lld", words, PQntuples(r), want);
    struct db_stmt *st = order_count_stmt(&cq, &f);
    assert_true(db_run_tx(w->db, &w->s, st, 1, NULL));
    assert_int_equal(order_count_read(st->res, &estimate), want);
    assert_false(estimate);
    db_stmts_clear(st, 1);
    if (must_contain != NULL) {
        bool found = false;
        for (int i = 0; i < PQntuples(r); i++)
            found = found || strcmp(PQgetvalue(r, i, ORDER_COL_NUMBER), must_contain) == 0;
        assert_true(found);
    }
    PQclear(r);
    free(sql);
}

static void test_list_filters(void **state)
{
    struct dbtest *t = *state;
    struct who service = sign_in(t, "service"), clerk = sign_in(t, "clerk");

    check_filter(t, &clerk, "", "true", NULL);
    check_filter(t, &clerk, "app", "channel_id = (SELECT id FROM kontor.channel WHERE code = 'app')",
                 "K-100001");
    check_filter(t, &clerk, "open", "status NOT IN ('collected', 'completed', 'delivered', "
                                    "'cancelled', 'returned')", "K-100001");
    check_filter(t, &clerk, "ready_for_pickup", "status = 'ready_for_pickup'", "K-100013");
    check_filter(t, &clerk, "c&c", "fulfilment = 'click_collect'", "K-100001");
    check_filter(t, &clerk, "HB-01",
                 "location_id = (SELECT id FROM kontor.location WHERE code = 'HB-01')", "K-100001");
    check_filter(t, &clerk, "app c&c HB-01 open",
                 "channel_id = (SELECT id FROM kontor.channel WHERE code = 'app') AND "
                 "fulfilment = 'click_collect' AND location_id = (SELECT id FROM kontor.location "
                 "WHERE code = 'HB-01') AND status NOT IN ('collected', 'completed', 'delivered', "
                 "'cancelled', 'returned')", "K-100001");
    check_filter(t, &clerk, "today",
                 "(placed_at AT TIME ZONE 'Europe/Berlin')::date = "
                 "(now() AT TIME ZONE 'Europe/Berlin')::date", NULL);
    char *d = scalar(t, "SELECT to_char((now() AT TIME ZONE 'Europe/Berlin')::date - 30, "
                        "'YYYY-MM-DD') || '..' || to_char((now() AT TIME ZONE "
                        "'Europe/Berlin')::date - 10, 'YYYY-MM-DD')", NULL);
    check_filter(t, &clerk, d,
                 "(placed_at AT TIME ZONE 'Europe/Berlin')::date BETWEEN "
                 "(now() AT TIME ZONE 'Europe/Berlin')::date - 30 AND "
                 "(now() AT TIME ZONE 'Europe/Berlin')::date - 10", NULL);
    free(d);
    check_filter(t, &clerk, "K-100001", "number LIKE 'K-100001%'", "K-100001");
    check_filter(t, &clerk, "JM4242", "pickup_code = 'JM4242'", "K-100001");
    check_filter(t, &clerk, "müller",
                 "customer_id IN (SELECT id FROM kontor.customer WHERE name_norm LIKE '%muller%')",
                 "K-100001");
    check_filter(t, &service, "juergen.mueller@example.de", "customer_id = 1", "K-100001");
    /* a clerk may not search by e-mail address */
    check_filter(t, &clerk, "juergen.mueller@example.de", "false", NULL);
    /* filter words round trip, malformed dates refused */
    struct order_filter f, g;
    char line[256], desc[256], *err = NULL;
    assert_true(order_filter_parse(&f, "web open c&c HB-01 2026-11-01..2026-11-23 jürgen müller",
                                   &err));
    assert_string_equal(f.channel, "web");
    assert_string_equal(f.status, "open");
    assert_string_equal(f.fulfilment, "click_collect");
    assert_string_equal(f.location, "HB-01");
    assert_string_equal(f.from, "2026-11-01");
    assert_string_equal(f.to, "2026-11-23");
    assert_string_equal(f.text, "jürgen müller");
    order_filter_format(&f, line, sizeof(line));
    assert_true(order_filter_parse(&g, line, &err));
    assert_memory_equal(&f, &g, sizeof(f));
    order_filter_describe(&f, desc, sizeof(desc));
    assert_non_null(strstr(desc, "open"));
    assert_false(order_filter_parse(&f, "2026-13-01", &err));
    free(err);
    err = NULL;
    assert_false(order_filter_parse(&f, "2026-11-20..2026-11-01", &err));
    free(err);
    sign_out(&service);
    sign_out(&clerk);
}

/* The detail ---------------------------------------------------------------------- */

static void test_detail_parts(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk"), service = sign_in(t, "service");
    static const char *const keys[] = { "K-100001", "100001", "1", "JM4242", "jm4242" };
    struct order_detail d;
    struct order_header h;
    size_t n;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct db_stmt *st = order_detail_stmts(&d, keys[i], &n);
        assert_int_equal(n, ORDER_PART_COUNT);
        assert_true(db_run_tx(clerk.db, &clerk.s, st, n, NULL));
        assert_true(order_header_read(st[ORDER_PART_HEADER].res, &h));
        assert_string_equal(h.number, "K-100001");
        assert_string_equal(h.fulfilment, "click_collect");
        assert_string_equal(h.location_code, "HB-01");
        assert_string_equal(h.pickup_code, "JM4242");
        assert_string_equal(h.customer, "Jürgen Müller");
        assert_string_equal(h.customer_contact, "j***@example.de · ***567"); /* masked */
        assert_string_equal(h.campaign, "Spring Sneakers 2026");
        assert_int_equal(h.total_cents, 10195);
        assert_int_equal(PQntuples(st[ORDER_PART_LINES].res), 2);
        assert_int_equal(PQntuples(st[ORDER_PART_PAYMENTS].res), 1);
        assert_int_equal(PQntuples(st[ORDER_PART_HISTORY].res), 2);
        /* from paid (C&C): picking, or cancelled with a reason */
        const PGresult *mv = st[ORDER_PART_MOVES].res;
        assert_int_equal(PQntuples(mv), 2);
        assert_string_equal(db_value(mv, 0, 0), "picking");
        assert_string_equal(db_value(mv, 0, 1), "f");
        assert_string_equal(db_value(mv, 1, 0), "cancelled");
        assert_string_equal(db_value(mv, 1, 1), "t");
        db_stmts_clear(st, n);
    }
    /* service sees the contact in full; notes and who changed it last */
    struct order_note note;
    struct db_stmt *ns = order_note_stmt(&note, 1, "shelf B3");
    assert_true(db_run_tx(clerk.db, &clerk.s, ns, 1, NULL));
    db_stmts_clear(ns, 1);
    struct order_move_outcome out;
    assert_true(move(&clerk, 1, order_version(t, 1), "picking", "", &out, NULL));
    struct db_stmt *st = order_detail_stmts(&d, "K-100001", &n);
    assert_true(db_run_tx(service.db, &service.s, st, n, NULL));
    assert_true(order_header_read(st[ORDER_PART_HEADER].res, &h));
    assert_string_equal(h.customer_contact, "juergen.mueller@example.de · +49 421 1234567");
    char *name = scalar(t, "SELECT display_name FROM kontor.staff WHERE username = $1", "clerk");
    assert_string_equal(h.updated_by, name);
    free(name);
    assert_int_equal(PQntuples(st[ORDER_PART_NOTES].res), 1);
    assert_string_equal(db_value(st[ORDER_PART_NOTES].res, 0, 2), "shelf B3");
    assert_int_equal(PQntuples(st[ORDER_PART_HISTORY].res), 3);
    db_stmts_clear(st, n);
    /* no such order */
    st = order_detail_stmts(&d, "K-999999", &n);
    assert_true(db_run_tx(service.db, &service.s, st, n, NULL));
    assert_false(order_header_read(st[ORDER_PART_HEADER].res, &h));
    db_stmts_clear(st, n);
    sign_out(&clerk);
    sign_out(&service);
}

/* Pickups ------------------------------------------------------------------------- */

static const char *section_of(const PGresult *r, const char *number, int *row)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), number) == 0) {
            if (row != NULL)
                *row = i;
            return PQgetvalue(r, i, 4);
        }
    return "";
}

static PGresult *queue(struct who *w, const char *loc)
{
    struct pickup_queue q;
    struct db_stmt *st = pickup_queue_stmt(&q, loc);

    assert_true(db_run_tx(w->db, &w->s, st, 1, NULL));
    assert_int_equal(PQnfields(st->res), PICKUP_COLUMNS);
    PGresult *r = st->res;
    st->res = NULL;
    return r;
}

static void test_pickup_queue_and_find(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk");
    struct order_move_outcome out;
    int row;

    PGresult *r = queue(&clerk, "HB-01");
    assert_string_equal(section_of(r, "K-100001", NULL), "pick");
    assert_string_equal(section_of(r, "K-100010", NULL), "pick");
    assert_string_equal(section_of(r, "K-100011", NULL), "pick");
    assert_string_equal(section_of(r, "K-100012", &row), "ready");
    assert_string_equal(PQgetvalue(r, row, 7), "f");
    assert_string_equal(section_of(r, "K-100013", &row), "ready");
    assert_string_equal(PQgetvalue(r, row, 7), "t"); /* 6 days > pickup_overdue_days 5 */
    assert_string_equal(section_of(r, "K-100015", NULL), "");   /* cancelled */
    assert_string_equal(section_of(r, "K-100022", NULL), "");   /* Hamburg */
    /* sections in order, oldest first within */
    for (int i = 1; i < PQntuples(r); i++) {
        const char *a = PQgetvalue(r, i - 1, 4), *b = PQgetvalue(r, i, 4);
        int ra = a[0] == 'p' ? 0 : a[0] == 'r' ? 1 : 2, rb = b[0] == 'p' ? 0 : b[0] == 'r' ? 1 : 2;
        assert_true(ra <= rb);
    }
    PQclear(r);
    /* handed over today: collected today */
    long long id = order_id(t, "K-100012");
    assert_true(move(&clerk, id, order_version(t, id), "collected", "", &out, NULL));
    assert_int_equal(out.result, ORDER_MOVED);
    r = queue(&clerk, "HB-01");
    assert_string_equal(section_of(r, "K-100012", NULL), "collected");
    PQclear(r);
    r = queue(&clerk, "HH-01");
    assert_string_equal(section_of(r, "K-100022", &row), "ready");
    assert_string_equal(PQgetvalue(r, row, 7), "t");
    PQclear(r);

    /* the counter search */
    static const char *const finds[] = { "K-100001", "100001", "JM4242", "jm4242", "Müller",
                                         "muller" };
    for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
        struct pickup_find f;
        struct db_stmt *st = pickup_find_stmt(&f, "HB-01", finds[i]);
        assert_true(db_run_tx(clerk.db, &clerk.s, st, 1, NULL));
        assert_true(PQntuples(st->res) >= 1);
        assert_int_equal(PQnfields(st->res), 4);
        if (i < 4) {
            assert_string_equal(db_value(st->res, 0, 0), "K-100001");
        } else {
            bool found = false;
            for (int k = 0; k < PQntuples(st->res); k++)
                found = found || strcmp(db_value(st->res, k, 0), "K-100001") == 0;
            assert_true(found);
        }
        db_stmts_clear(st, 1);
    }
    /* K-100012 was handed over above: its number still finds it, the
     * customer's name only finds what is still waiting at the store. */
    char *name = scalar(t, "SELECT c.last_name FROM kontor.sales_order so "
                           "JOIN kontor.customer c ON c.id = so.customer_id WHERE so.number = $1",
                        "K-100012");
    assert_non_null(name);
    const char *const collected[] = { "K-100012", name };
    for (int i = 0; i < 2; i++) {
        struct pickup_find f;
        struct db_stmt *st = pickup_find_stmt(&f, "HB-01", collected[i]);
        assert_true(db_run_tx(clerk.db, &clerk.s, st, 1, NULL));
        bool found = false;
        for (int k = 0; k < PQntuples(st->res); k++) {
            found = found || strcmp(db_value(st->res, k, 0), "K-100012") == 0;
            if (i == 1)
                assert_string_not_equal(db_value(st->res, k, 2), "collected");
        }
        assert_true(i == 0 ? found : !found);
        db_stmts_clear(st, 1);
    }
    free(name);
    sign_out(&clerk);
}

/* Preferences ---------------------------------------------------------------------- */

static void test_preferences_are_private(void **state)
{
    struct dbtest *t = *state;
    struct who clerk = sign_in(t, "clerk"), manager = sign_in(t, "manager");
    struct staff_pref q;
    struct db_stmt *st;

    st = staff_pref_set_stmt(&q, "orders.filter", "app open HB-01");
    assert_true(db_run_tx(clerk.db, &clerk.s, st, 1, NULL));
    db_stmts_clear(st, 1);
    st = staff_pref_set_stmt(&q, "orders.filter", "web");
    assert_true(db_run_tx(clerk.db, &clerk.s, st, 1, NULL)); /* second write updates */
    db_stmts_clear(st, 1);
    st = staff_pref_set_stmt(&q, "orders.filter", "\"manager secret\"");
    assert_true(db_run_tx(manager.db, &manager.s, st, 1, NULL));
    db_stmts_clear(st, 1);
    st = staff_pref_get_stmt(&q, "orders.filter");
    assert_true(db_run_tx(clerk.db, &clerk.s, st, 1, NULL));
    assert_int_equal(PQntuples(st->res), 1);
    assert_string_equal(db_value(st->res, 0, 0), "web");
    db_stmts_clear(st, 1);
    /* the clerk cannot read or change the manager's row, even asking for it */
    struct db_stmt raw = DB_STMT("SELECT count(*) FROM kontor.staff_preference", 0, NULL);
    assert_true(db_run_tx(clerk.db, &clerk.s, &raw, 1, NULL));
    assert_string_equal(db_value(raw.res, 0, 0), "1");
    db_stmts_clear(&raw, 1);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", manager.s.staff_id);
    const char *p[1] = { sid };
    struct db_stmt upd = DB_STMT("UPDATE kontor.staff_preference SET value = 'x' "
                                 "WHERE staff_id = $1::bigint", 1, p);
    assert_true(db_run_tx(clerk.db, &clerk.s, &upd, 1, NULL));
    assert_string_equal(PQcmdTuples(upd.res), "0");
    db_stmts_clear(&upd, 1);
    struct db_stmt ins = DB_STMT("INSERT INTO kontor.staff_preference (staff_id, key, value) "
                                 "VALUES ($1::bigint, 'x', 'y')", 1, p);
    struct db_error err = { 0 };
    assert_false(db_run_tx(clerk.db, &clerk.s, &ins, 1, &err));
    assert_string_equal(err.sqlstate, "42501");
    db_error_clear(&err);
    db_stmts_clear(&ins, 1);
    assert_int_equal(count1(t, "SELECT count(*) FROM kontor.staff_preference WHERE value = $1",
                            "\"manager secret\""), 1);
    sign_out(&clerk);
    sign_out(&manager);
}

/* The batch commands ---------------------------------------------------------------- */

static void assert_json(struct dbtest *t, const char *doc)
{
    const char *p[1] = { doc };
    char *v = dbtest_try(t->owner, "SELECT $1::json", 1, p);

    if (v[0] != '\0')
        fprintf(stderr, "not JSON (%s): %.300s\n", v, doc);
    assert_string_equal(v, "");
    free(v);
}

static void test_order_commands(void **state)
{
    struct dbtest *t = *state;
    char *out;

    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", "order show K-100001", &out, NULL), 0);
    assert_non_null(strstr(out, "K-100001"));
    assert_non_null(strstr(out, "SNK-2041-42"));
    assert_non_null(strstr(out, "j***@example.de")); /* masked for a clerk */
    assert_non_null(strstr(out, "History"));
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n",
                                       "order show JM4242 --format json", &out, NULL), 0);
    assert_json(t, out);
    const char *p[1] = { out };
    char *v = dbtest_scalar(t->owner,
                            "SELECT ($1::json -> 'order' ->> 'number') || ' ' || "
                            "json_array_length($1::json -> 'lines') || ' ' || "
                            "($1::json -> 'order' ->> 'customer_contact')", 1, p);
    assert_string_equal(v, "K-100001 2 juergen.mueller@example.de · +49 421 1234567");
    free(v);
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n", "order show K-999999", &out, NULL), 1);
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "admin", "demo\n",
                                       "order show K-100001", &out, NULL), 1); /* no orders */
    free(out);

    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "order list --channel app --status open "
                                       "--location HB-01 --limit 5 --format json", &out, NULL), 0);
    assert_json(t, out);
    p[0] = out;
    v = dbtest_scalar(t->owner, "SELECT json_array_length($1::json) BETWEEN 1 AND 5 "
                                "AND bool_and(e ->> 'channel' = 'App') "
                                "FROM json_array_elements($1::json) e", 1, p);
    assert_string_equal(v, "t");
    free(v);
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "service", "demo\n",
                                       "order list --text müller --format csv", &out, NULL), 0);
    assert_true(strncmp(out, "number,placed,channel,location,customer,fulfilment,status,items,"
                             "total_cents\r\n", 75) == 0);
    assert_non_null(strstr(out, "K-100001,"));
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "order list --limit 3", &out, NULL), 0);
    assert_non_null(strstr(out, "number"));
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "order list --from 2026-02-30", &out, NULL), 2);
    free(out);
    assert_int_equal(dbtest_run_kontor(t, "clerk", "demo\n",
                                       "order list --limit 0", &out, NULL), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_every_lifecycle_move),
        DBTEST(test_move_refusals),
        DBTEST(test_service_may_cancel_but_not_fulfil),
        DBTEST(test_concurrent_moves),
        DBTEST(test_stock_reserved_released_taken_out),
        DBTEST(test_ready_writes_one_notification),
        DBTEST(test_list_keyset_pages),
        DBTEST(test_list_filters),
        DBTEST(test_detail_parts),
        DBTEST(test_pickup_queue_and_find),
        DBTEST(test_preferences_are_private),
        DBTEST(test_order_commands),
    };
    return cmocka_run_group_tests_name("orders", tests, NULL, NULL);
}

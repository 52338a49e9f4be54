/* Order, return and customer-search benchmarks on a named data scale: the
 * time from request to rows ready for each interactive action of the order
 * and return screens, measured through the same pipelined staff
 * transactions the console sends, beside the naive query a hand-built back
 * office would use (OFFSET paging, ILIKE); each step of a return from start
 * to refund, on fresh returns in transactions that are rolled back, so the
 * data set stays as it was; and customer search as the role that runs it.
 * Prints a table and one JSON line per figure.
 * The home screen's channel report beside a report that scans every order,
 * and the pickup, duplicate and staff lists.
 * Usage: bench_orders SCALE [RUNS [orders|returns|customers|screens]] (default: all) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/auth.h"
#include "kontor/customer.h"
#include "kontor/customer_search.h"
#include "kontor/db.h"
#include "kontor/duplicate.h"
#include "kontor/home.h"
#include "kontor/order.h"
#include "kontor/report.h"
#include "kontor/returns.h"
#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

#define PAGE 50
#define DEEP 100000

struct figure {
    const char *name;
    double median_ms, p95_ms;
    int round_trips;
    bool timed_out; /* a naive peer stopped by the statement timeout: the
                       times are that timeout, a lower bound */
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sorts the times t; returns the median and sets *p95. */
static double ms_median(double *t, int runs, double *p95)
{
    qsort(t, (size_t)runs, sizeof(*t), cmp_double);
    *p95 = t[(runs * 95) / 100 < runs ? (runs * 95) / 100 : runs - 1];
    return t[runs / 2];
}

/* Runs stmts as one staff transaction runs times after three warm-ups;
 * fills median and p95. A statement that takes over a second (the naive
 * peers at L) is warmed up once and timed three times: the ratio is plain
 * at that size, and ten runs of a minute-long scan would tell nothing more. */
static void measure(struct db *db, const struct db_session *s, struct db_stmt *stmts, size_t n,
                    int runs, struct figure *f)
{
    double *t = xcalloc((size_t)runs, sizeof(*t));
    struct db_error err = { 0 };

    for (int i = -3; i < runs; i++) {
        double t0 = now_ms();
        if (!db_run_tx(db, s, stmts, n, &err)) {
            if (err.cls == DB_ERR_TIMEOUT && strncmp(f->name, "  peer", 6) == 0) {
                /* The naive peer did not finish within the statement
                 * timeout: report the timeout as a lower bound. */
                f->median_ms = f->p95_ms = (double)db_statement_timeout(db);
                f->round_trips = 1;
                f->timed_out = true;
                db_stmts_clear(stmts, n);
                db_error_clear(&err);
                free(t);
                return;
            }
            fprintf(stderr, "bench: %s failed: %s\n", f->name, err.message);
            exit(1);
        }
        double dt = now_ms() - t0;
        db_stmts_clear(stmts, n);
        if (i < 0 && dt > 1000.0) {
            i = -1;
            runs = runs < 3 ? runs : 3;
        }
        if (i >= 0)
            t[i] = dt;
    }
    f->median_ms = ms_median(t, runs, &f->p95_ms);
    f->round_trips = 1;
    free(t);
}

/* A figure's name inside a JSON string: quotes and backslashes escaped
 * (the names are ours: no control characters). */
static void json_escape(char *out, size_t len, const char *name)
{
    size_t at = 0;

    for (; *name != '\0' && at + 3 < len; name++) {
        if (*name == '"' || *name == '\\')
            out[at++] = '\\';
        out[at++] = *name;
    }
    out[at] = '\0';
}

static const char sql_offset_deep[] =
    "SELECT so.number, so.placed_at, so.total_cents FROM kontor.sales_order so "
    "ORDER BY so.placed_at DESC, so.id DESC OFFSET $1 LIMIT $2";

static const char sql_deep_key[] =
    "SELECT to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id::text "
    "FROM kontor.sales_order ORDER BY placed_at DESC, id DESC OFFSET $1 LIMIT 1";

static const char sql_naive_search[] =
    "SELECT so.number FROM kontor.sales_order so JOIN kontor.customer_masked m "
    "ON m.id = so.customer_id WHERE (m.first_name || ' ' || m.last_name) ILIKE '%' || $1 || '%' "
    "ORDER BY so.placed_at DESC LIMIT 50";

/* ---- returns ----------------------------------------------------------------------- */

#define RETURN_STEP_RUNS_MAX 30

static struct auth_identity bench_sign_in(struct db *db, const char *username)
{
    struct auth_identity id;
    struct db_error err = { 0 };
    char password[] = "demo";

    if (auth_sign_in(db, username, password, "bench", &id, &err) != AUTH_OK) {
        fprintf(stderr, "bench: cannot sign in as %s: %s\n", username,
                err.message ? err.message : "");
        exit(1);
    }
    return id;
}

/* Runs stmts as one staff transaction once and keeps the results (setup,
 * not timed). */
static void run_once(struct db *db, const struct db_session *s, struct db_stmt *st, size_t n,
                     const char *what)
{
    struct db_error err = { 0 };

    if (!db_run_tx(db, s, st, n, &err)) {
        fprintf(stderr, "bench: %s failed: %s\n", what, err.message);
        exit(1);
    }
}

/* Statements as one pipeline inside the transaction the caller keeps open
 * on c (the sync does not end it); waits for the sync. Results go to
 * st[i].res; any error ends the benchmark. */
static void pipe_run(PGconn *c, struct db_stmt *st, size_t n, const char *what)
{
    size_t got = 0;
    bool failed = false;

    PQsetnonblocking(c, 0);
    if (PQpipelineStatus(c) == PQ_PIPELINE_OFF && !PQenterPipelineMode(c))
        goto broken;
    for (size_t i = 0; i < n; i++)
        if (!PQsendQueryParams(c, st[i].sql, st[i].nparams, NULL, st[i].params, NULL, NULL, 0))
            goto broken;
    if (!PQpipelineSync(c))
        goto broken;
    for (;;) {
        PGresult *r = PQgetResult(c);
        if (r == NULL && PQstatus(c) != CONNECTION_OK)
            goto broken;
        if (r == NULL)
            continue; /* the end of one statement's results */
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
            if (!failed && rs != PGRES_PIPELINE_ABORTED)
                fprintf(stderr, "bench: %s: %s", what, PQresultErrorMessage(r));
            failed = true;
        }
        if (got < n && !failed)
            st[got].res = r;
        else
            PQclear(r);
        got++;
    }
    PQexitPipelineMode(c);
    if (!failed)
        return;
    exit(1);
broken:
    fprintf(stderr, "bench: %s: %s", what, PQerrorMessage(c));
    exit(1);
}

/* What db_run_tx sends after BEGIN: the staff member's role, the
 * statement timeout, and the session. st gets two statements. */
struct as_staff {
    char timeout[24];
    const char *p2[2], *p1[1];
};

static void as_staff(struct as_staff *a, struct db_stmt *st, struct db *db,
                     const struct db_session *s)
{
    snprintf(a->timeout, sizeof(a->timeout), "%ld", db_statement_timeout(db));
    a->p2[0] = db_role_pg_name(s->role);
    a->p2[1] = a->timeout;
    a->p1[0] = s->token;
    st[0] = (struct db_stmt)DB_STMT("SELECT set_config('role', $1, true), "
                                    "set_config('statement_timeout', $2, true)", 2, a->p2);
    st[1] = (struct db_stmt)DB_STMT("SELECT kontor.session_begin($1)", 1, a->p1);
}

/* The return's order and line, found once: a collected or completed order
 * at HB-01, recent (inside the window), with a line still returnable whose
 * price stays under the service refund limit, paid by a captured payment. */
static const char sql_returnable[] =
    "SELECT so.number, ol.id::text FROM kontor.sales_order so "
    "JOIN kontor.order_line_status ol ON ol.order_id = so.id "
    "WHERE so.location_id = (SELECT id FROM kontor.location WHERE code = 'HB-01') "
    "AND so.status IN ('collected', 'completed') AND so.placed_at > now() - interval '20 days' "
    "AND ol.qty > ol.qty_returned AND ol.unit_price_cents BETWEEN 100 AND 15000 "
    "AND EXISTS (SELECT 1 FROM kontor.payment p WHERE p.order_id = so.id "
    "            AND p.status = 'captured' AND p.amount_cents >= so.total_cents) "
    "ORDER BY so.placed_at DESC LIMIT 1";

struct return_bench {
    struct db *db;
    PGconn *conn;
    struct auth_identity *clerk, *service;
    char order[24];
    long long line_id;
};

/* A fresh return in the open transaction, as far as one step before kind:
 * started (authorised) by the clerk, then received and inspected. */
struct fresh {
    long long id;
    int version;
    struct return_step_line lines[RETURN_MAX_LINES];
    int nlines;
};

/* RMA codes nobody holds yet, drawn before the steps: at L 1.5 million
 * codes are taken, so one draw in ~600 collides, and the console's answer
 * (draw again) cannot run inside the transaction a step keeps open. */
#define RMA_POOL 1024
static char rma_pool[RMA_POOL][16];
static int rma_pool_n, rma_pool_at;

static void rma_pool_fill(struct db *db, const struct db_session *s)
{
    static const char sql_taken[] =
        "SELECT c FROM unnest(string_to_array($1, ',')) c "
        "WHERE NOT EXISTS (SELECT 1 FROM kontor.return_order WHERE rma = c)";
    struct strbuf sb = STRBUF_INIT;

    for (int i = 0; i < RMA_POOL; i++) {
        char rma[16];
        return_rma_new(rma, sizeof(rma));
        strbuf_addf(&sb, "%s%s", i ? "," : "", rma);
    }
    const char *p[1] = { sb.buf };
    struct db_stmt st = DB_STMT(sql_taken, 1, p);
    run_once(db, s, &st, 1, "drawing free RMA codes");
    for (int r = 0; r < PQntuples(st.res) && rma_pool_n < RMA_POOL; r++)
        snprintf(rma_pool[rma_pool_n++], sizeof(rma_pool[0]), "%s", db_value(st.res, r, 0));
    db_stmts_clear(&st, 1);
    strbuf_free(&sb);
}

static void fresh_new(const struct return_bench *b, struct return_new *in)
{
    memset(in, 0, sizeof(*in));
    snprintf(in->order, sizeof(in->order), "%s", b->order);
    if (rma_pool_at >= rma_pool_n) {
        fprintf(stderr, "bench: out of free RMA codes\n");
        exit(1);
    }
    snprintf(in->rma, sizeof(in->rma), "%s", rma_pool[rma_pool_at++]);
    in->lines[0].line_id = b->line_id;
    in->lines[0].qty = 1;
    snprintf(in->lines[0].reason, sizeof(in->lines[0].reason), "too small");
    in->nlines = 1;
    snprintf(in->channel, sizeof(in->channel), "store");
    snprintf(in->location, sizeof(in->location), "HB-01");
    snprintf(in->method, sizeof(in->method), "original");
    in->authorise = true;
}

/* Reads the detail a step returned: version and lines. */
static void fresh_read(struct fresh *f, struct db_stmt *st, const char *want_status)
{
    struct return_header h;
    const PGresult *lines = st[1 + RETURN_PART_LINES].res;

    if (!return_header_read(st[1 + RETURN_PART_HEADER].res, &h) ||
        strcmp(h.status, want_status) != 0) {
        fprintf(stderr, "bench: the return is \"%s\", not %s\n", h.status, want_status);
        exit(1);
    }
    f->version = h.version;
    f->nlines = PQntuples(lines) < RETURN_MAX_LINES ? PQntuples(lines) : RETURN_MAX_LINES;
    for (int i = 0; i < f->nlines; i++) {
        f->lines[i].line_id = db_value_ll(lines, i, RL_COL_ID);
        f->lines[i].qty = (int)db_value_ll(lines, i, RL_COL_QTY);
        snprintf(f->lines[i].condition, sizeof(f->lines[i].condition), "resellable");
    }
}

/* One step as the clerk, untimed (preparing the next). */
static void fresh_step(const struct return_bench *b, struct fresh *f, enum return_step_kind kind,
                       const char *want_status)
{
    struct as_staff a;
    struct return_step q;
    struct db_stmt st[2 + 1 + RETURN_PART_COUNT];
    size_t n;

    as_staff(&a, st, b->db, &b->clerk->session);
    struct db_stmt *ss = return_step_stmts(&q, kind, f->id, f->version, "", "", "", f->lines,
                                           f->nlines, false, &n);
    memcpy(st + 2, ss, n * sizeof(*ss));
    pipe_run(b->conn, st, 2 + n, "a step before the measured one");
    fresh_read(f, st + 2, want_status);
    db_stmts_clear(st, 2 + n);
}

/* BEGIN as the clerk; for every step after the start, a return brought to
 * the state the step needs. */
static void fresh_prepare(const struct return_bench *b, struct fresh *f, int upto)
{
    static const char sql_version[] = "SELECT version FROM kontor.return_order WHERE rma = $1";
    struct as_staff a;
    struct return_new in;
    struct return_start q;
    struct db_stmt st[5];

    st[0] = (struct db_stmt)DB_STMT("BEGIN", 0, NULL);
    as_staff(&a, st + 1, b->db, &b->clerk->session);
    if (upto == 0) {
        pipe_run(b->conn, st, 3, "BEGIN");
        db_stmts_clear(st, 3);
        return;
    }
    fresh_new(b, &in);
    st[3] = *return_start_stmt(&q, &in);
    const char *vp[1] = { in.rma };
    st[4] = (struct db_stmt)DB_STMT(sql_version, 1, vp);
    pipe_run(b->conn, st, 5, "return_start before the measured step");
    f->id = db_value_ll(st[3].res, 0, 0);
    f->version = (int)db_value_ll(st[4].res, 0, 0);
    f->nlines = 0; /* receive: everything expected */
    db_stmts_clear(st, 5);
    if (upto > 1)
        fresh_step(b, f, RETURN_STEP_RECEIVE, "received");
    if (upto > 2)
        fresh_step(b, f, RETURN_STEP_INSPECT, "inspected");
}

static const struct {
    const char *name;
    const char *want;           /* the status after the step */
    enum return_step_kind kind; /* unused for the start */
    bool service;               /* done by customer service, else the HB-01 clerk */
} return_steps[] = {
    { "return step: start (authorised at once)", "authorised", RETURN_STEP_MOVE, false },
    { "return step: receive (all lines, HB-01)", "received", RETURN_STEP_RECEIVE, false },
    { "return step: inspect (resellable, restock)", "inspected", RETURN_STEP_INSPECT, false },
    { "return step: refund (original payment)", "refunded", RETURN_STEP_REFUND, true },
};

/* One timed round trip: role, session, the step (and the detail after it). */
static double step_once(const struct return_bench *b, int which)
{
    struct fresh f = { 0 };
    struct as_staff a;
    struct return_new in;
    struct return_start qs;
    struct return_step q;
    struct db_stmt st[2 + 1 + RETURN_PART_COUNT];
    size_t n = 1;
    const struct auth_identity *who = return_steps[which].service ? b->service : b->clerk;

    fresh_prepare(b, &f, which);
    as_staff(&a, st, b->db, &who->session);
    if (which == 0) {
        fresh_new(b, &in);
        st[2] = *return_start_stmt(&qs, &in);
    } else {
        struct db_stmt *ss = return_step_stmts(&q, return_steps[which].kind, f.id, f.version, "",
                                               "", "", f.lines, f.nlines, false, &n);
        memcpy(st + 2, ss, n * sizeof(*ss));
    }
    double t0 = now_ms();
    pipe_run(b->conn, st, 2 + n, return_steps[which].name);
    double dt = now_ms() - t0;
    const char *status = which == 0 ? db_value(st[2].res, 0, 2)
                         : n > 1    ? db_value(st[2 + 1 + RETURN_PART_HEADER].res, 0, 3)
                                    : "";
    if (strcmp(status, return_steps[which].want) != 0 ||
        (return_steps[which].kind == RETURN_STEP_REFUND &&
         strcmp(db_value(st[2].res, 0, 0), "done") != 0)) {
        fprintf(stderr, "bench: %s ended \"%s\", not %s\n", return_steps[which].name, status,
                return_steps[which].want);
        exit(1);
    }
    db_stmts_clear(st, 2 + n);
    struct db_stmt rb = DB_STMT("ROLLBACK", 0, NULL);
    pipe_run(b->conn, &rb, 1, "ROLLBACK");
    db_stmts_clear(&rb, 1);
    return dt;
}

static void measure_step(const struct return_bench *b, int which, int runs, struct figure *f)
{
    double t[RETURN_STEP_RUNS_MAX];

    if (runs > RETURN_STEP_RUNS_MAX)
        runs = RETURN_STEP_RUNS_MAX;
    for (int i = -3; i < runs; i++) {
        double dt = step_once(b, which);
        if (i >= 0)
            t[i] = dt;
    }
    f->name = return_steps[which].name;
    f->median_ms = ms_median(t, runs, &f->p95_ms);
    f->round_trips = 1;
}

/* The key of the row depth rows into the whole queue (oldest first). */
static const char sql_return_key[] =
    "SELECT to_char(status_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "id::text FROM kontor.return_order ORDER BY status_changed_at, id OFFSET $1 LIMIT 1";

/* The queue pages, the approvals and the detail. Returns the figures
 * added; *deep and *offset are the indexes of the deep page and its peer. */
static int bench_return_lists(struct db *db, const struct db_session *service,
                              const struct db_session *manager, int runs, struct figure *figs,
                              int *deep_at, int *offset_at)
{
    struct return_filter open, hb, all;
    struct return_page page;
    int nf = 0;

    return_filter_parse(&open, "open", NULL);
    return_filter_parse(&hb, "open HB-01", NULL);
    return_filter_parse(&all, "all", NULL);
    figs[nf].name = "returns queue, first page (open, oldest first)";
    measure(db, service, return_page_stmt(&page, &open, ORDER_FETCH_FIRST, NULL, PAGE), 1, runs,
            &figs[nf++]);
    figs[nf].name = "returns queue, page at a location (open, HB-01)";
    measure(db, service, return_page_stmt(&page, &hb, ORDER_FETCH_FIRST, NULL, PAGE), 1, runs,
            &figs[nf++]);
    struct return_filter approval = { 0 };
    return_filter_parse(&approval, "approval", NULL);
    figs[nf].name = "returns queue, waiting for approval (migration 0014)";
    measure(db, service, return_page_stmt(&page, &approval, ORDER_FETCH_FIRST, NULL, PAGE), 1,
            runs, &figs[nf++]);

    /* deep: the last page of the whole queue, by key and by OFFSET */
    struct return_count cq;
    struct db_stmt *cs = return_count_stmt(&cq, &all);
    run_once(db, service, cs, 1, "return count");
    long long total = db_value_ll(cs->res, 0, 0);
    db_stmts_clear(cs, 1);
    long long depth = total > PAGE + 1 ? total - PAGE - 1 : 0;
    char off[24], k1[64], k2[32];
    snprintf(off, sizeof(off), "%lld", depth);
    const char *kp[1] = { off };
    struct db_stmt k = DB_STMT(sql_return_key, 1, kp);
    run_once(db, service, &k, 1, "the deep key");
    snprintf(k1, sizeof(k1), "%s", db_value(k.res, 0, 0));
    snprintf(k2, sizeof(k2), "%s", db_value(k.res, 0, 1));
    db_stmts_clear(&k, 1);
    const char *key[2] = { k1, k2 };
    static char deep_name[96], peer_name[96];
    snprintf(deep_name, sizeof(deep_name), "returns queue, page %lld deep (keyset, all)", depth);
    figs[nf].name = deep_name;
    measure(db, service, return_page_stmt(&page, &all, ORDER_FETCH_AFTER, key, PAGE), 1, runs,
            &figs[nf++]);
    *deep_at = nf - 1;

    /* the peer: the same statement's first page, paged with OFFSET */
    struct return_page first;
    return_page_stmt(&first, &all, ORDER_FETCH_FIRST, NULL, PAGE);
    const char *lim = strstr(first.sql, "LIMIT $3::int");
    char *sql = xasprintf("%.*sOFFSET $4::bigint LIMIT $3::int", (int)(lim - first.sql),
                          first.sql);
    snprintf(off, sizeof(off), "%lld", depth + 1);
    const char *op[4] = { first.params[0], first.params[1], first.params[2], off };
    struct db_stmt peer = DB_STMT(sql, 4, op);
    snprintf(peer_name, sizeof(peer_name), "  peer: the same page with OFFSET %lld", depth + 1);
    figs[nf].name = peer_name;
    measure(db, service, &peer, 1, runs < 5 ? runs : 5, &figs[nf++]);
    *offset_at = nf - 1;
    free(sql);

    struct approval_queue aq;
    figs[nf].name = "approvals queue (manager)";
    measure(db, manager, approval_queue_stmt(&aq), 1, runs, &figs[nf++]);

    /* the detail of the demo's coat return, or else the newest */
    static const char sql_some[] =
        "SELECT rma FROM (SELECT rma, 0 AS p FROM kontor.return_order WHERE rma = 'R-7K2Q9M' "
        "UNION ALL (SELECT rma, 1 FROM kontor.return_order ORDER BY id DESC LIMIT 1)) x "
        "ORDER BY p LIMIT 1";
    struct db_stmt some = DB_STMT(sql_some, 0, NULL);
    char rma[16];
    run_once(db, service, &some, 1, "a return to show");
    snprintf(rma, sizeof(rma), "%s", db_value(some.res, 0, 0));
    db_stmts_clear(&some, 1);
    struct return_detail d;
    size_t nd = 0;
    struct db_stmt *ds = return_detail_stmts(&d, rma, &nd);
    figs[nf].name = "return detail (4 parts, one round trip)";
    measure(db, service, ds, nd, runs, &figs[nf++]);
    return nf;
}

/* Start, receive, inspect, refund: each on fresh returns, rolled back. */
static int bench_return_steps(struct db *db, struct auth_identity *clerk,
                              struct auth_identity *service, int runs, struct figure *figs)
{
    struct return_bench b = { .db = db, .conn = db_conn(db), .clerk = clerk,
                              .service = service };
    struct db_stmt st = DB_STMT(sql_returnable, 0, NULL);
    static const char sql_count[] =
        "SELECT count(*) || ' ' || coalesce(max(id), 0) FROM kontor.return_order";
    struct db_stmt c0 = DB_STMT(sql_count, 0, NULL), c1 = DB_STMT(sql_count, 0, NULL);
    int nf = 0;

    run_once(db, &clerk->session, &st, 1, "finding a returnable order");
    if (PQntuples(st.res) != 1) {
        fprintf(stderr, "bench: no collected or completed order at HB-01 to return\n");
        exit(1);
    }
    snprintf(b.order, sizeof(b.order), "%s", db_value(st.res, 0, 0));
    b.line_id = db_value_ll(st.res, 0, 1);
    db_stmts_clear(&st, 1);
    run_once(db, &service->session, &c0, 1, "counting returns");
    rma_pool_fill(db, &service->session);
    for (int i = 0; i < (int)(sizeof(return_steps) / sizeof(return_steps[0])); i++)
        measure_step(&b, i, runs, &figs[nf++]);
    run_once(db, &service->session, &c1, 1, "counting returns");
    if (strcmp(db_value(c0.res, 0, 0), db_value(c1.res, 0, 0)) != 0) {
        fprintf(stderr, "bench: the returns changed (%s, now %s): not rolled back\n",
                db_value(c0.res, 0, 0), db_value(c1.res, 0, 0));
        exit(1);
    }
    db_stmts_clear(&c0, 1);
    db_stmts_clear(&c1, 1);
    return nf;
}

/* ---- customer search ---------------------------------------------------------------- */

/* The search a hand-built back office would run: ILIKE on the names and on
 * every identity value as stored, sorted by name. No index serves it, and
 * it finds neither a misspelt name nor a number written another way. */
static const char sql_search_ilike[] =
    "SELECT c.id, c.first_name, c.last_name, c.city FROM kontor.customer c "
    "WHERE (c.first_name || ' ' || c.last_name) ILIKE '%' || $1 || '%' "
    "OR c.id IN (SELECT i.customer_id FROM kontor.customer_identity i "
    "            WHERE i.value ILIKE '%' || $1 || '%') "
    "ORDER BY c.last_name, c.first_name, c.id LIMIT 50";

/* Ranking names by trigram similarity alone (what the issue measured at
 * about 200 ms): the GIN index finds the candidates, all of them are
 * ranked. */
static const char sql_search_trgm[] =
    "SELECT id FROM kontor.customer WHERE name_norm % kontor.search_norm($1) "
    "ORDER BY similarity(name_norm, kontor.search_norm($1)) DESC, id LIMIT 50";

static const struct {
    const char *name, *text;
    bool clerk;       /* as the clerk (masked contact), else as service */
    bool ilike, trgm; /* measure the peers on the same text */
} search_cases[] = {
    { "customer search: misspelt name \"Jürgen Müler\"", "Jürgen Müler", false, true, true },
    { "customer search: surname of thousands \"Muller\"", "Muller", false, false, false },
    { "customer search: phone fragment \"1234567\"", "1234567", false, true, false },
    { "customer search: phone as \"0421/1234567\"", "0421/1234567", false, false, false },
    { "customer search: e-mail in capitals", "JUERGEN.MUELLER@EXAMPLE.DE", false, true, false },
    { "customer search as clerk: misspelt name", "Jürgen Müler", true, false, false },
};

struct search_ratio {
    const char *what;
    int ours, peer;
    int found; /* rows the peer found */
};

/* Each search as the role that runs it, checked once (customer 1, Jürgen
 * Müller, must be found), then timed; the peers on the same text. */
static int bench_customer_search(struct db *db, const struct db_session *service,
                                 const struct db_session *clerk, int runs, struct figure *figs,
                                 struct search_ratio *ratios, int *nratios)
{
    static char peer_names[2 * sizeof(search_cases) / sizeof(search_cases[0])][96];
    int nf = 0, np = 0;

    *nratios = 0;
    for (size_t i = 0; i < sizeof(search_cases) / sizeof(search_cases[0]); i++) {
        const struct db_session *who = search_cases[i].clerk ? clerk : service;
        struct customer_search q;
        struct db_stmt *st = customer_search_stmt(&q, search_cases[i].text, 0);

        run_once(db, who, st, 1, search_cases[i].name);
        /* A sanity check, not the search-quality test (tests/db does that):
         * at L a 7-digit fragment also lies inside other people's numbers,
         * so Jürgen must be found, not necessarily first. */
        bool has_jurgen = false;
        for (int r = 0; r < PQntuples(st->res); r++)
            has_jurgen = has_jurgen || db_value_ll(st->res, r, CUSTOMER_SEARCH_ID) == 1;
        if (!has_jurgen) {
            fprintf(stderr, "bench: %s: customer 1 is not found\n", search_cases[i].name);
            exit(1);
        }
        db_stmts_clear(st, 1);
        figs[nf].name = search_cases[i].name;
        measure(db, who, st, 1, runs, &figs[nf++]);
        int ours = nf - 1;
        const char *p[1] = { search_cases[i].text };
        if (search_cases[i].ilike) {
            struct db_stmt peer = DB_STMT(sql_search_ilike, 1, p);
            run_once(db, who, &peer, 1, "the ILIKE peer");
            int found = PQntuples(peer.res);
            db_stmts_clear(&peer, 1);
            snprintf(peer_names[np], sizeof(peer_names[np]), "  peer: unindexed ILIKE (finds %d)",
                     found);
            figs[nf].name = peer_names[np++];
            measure(db, who, &peer, 1, runs < 10 ? runs : 10, &figs[nf++]);
            ratios[(*nratios)++] = (struct search_ratio){ search_cases[i].text, ours, nf - 1,
                                                          found };
        }
        if (search_cases[i].trgm) {
            struct db_stmt peer = DB_STMT(sql_search_trgm, 1, p);
            snprintf(peer_names[np], sizeof(peer_names[np]),
                     "  peer: names ranked by trigram similarity");
            figs[nf].name = peer_names[np++];
            measure(db, who, &peer, 1, runs < 10 ? runs : 10, &figs[nf++]);
            ratios[(*nratios)++] = (struct search_ratio){ search_cases[i].text, ours, nf - 1, -1 };
        }
    }
    return nf;
}

/* The customer view (profile, identities, consents, counters, the newest
 * 200 journey entries: one pipeline) of Jürgen Müller and of the customer
 * with the most orders, as service, and the masked view as the clerk. */
static int bench_customer_view(struct db *db, const struct db_session *service,
                               const struct db_session *clerk, int runs, struct figure *figs)
{
    static char names[3][96];
    static const char sql_heaviest[] =
        "SELECT customer_id, count(*) FROM kontor.sales_order WHERE customer_id IS NOT NULL "
        "GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1";
    struct db_stmt top = DB_STMT(sql_heaviest, 0, NULL);
    long long heavy, heavy_orders;
    int nf = 0;

    run_once(db, service, &top, 1, "the customer with the most orders");
    heavy = db_value_ll(top.res, 0, 0);
    heavy_orders = db_value_ll(top.res, 0, 1);
    db_stmts_clear(&top, 1);
    const struct {
        long long id;
        const struct db_session *who;
        bool full;
    } cases[] = { { 1, service, true }, { heavy, service, true }, { heavy, clerk, false } };
    snprintf(names[0], sizeof(names[0]), "customer view: Jürgen Müller (5 orders)");
    snprintf(names[1], sizeof(names[1]), "customer view: the most orders (%lld)", heavy_orders);
    snprintf(names[2], sizeof(names[2]), "customer view as clerk: the most orders");
    for (int i = 0; i < 3; i++) {
        struct customer_view q;
        size_t n = 0;
        struct db_stmt *st = customer_view_stmts(&q, cases[i].id, cases[i].full, &n);

        run_once(db, cases[i].who, st, n, names[i]);
        if (PQntuples(st[0].res) != 1) {
            fprintf(stderr, "bench: %s: no such customer\n", names[i]);
            exit(1);
        }
        db_stmts_clear(st, n);
        figs[nf].name = names[i];
        measure(db, cases[i].who, st, n, runs, &figs[nf++]);
    }
    return nf;
}

/* ---- the home report and the remaining screens -------------------------------------- */

/* The hand-built back office's daily report: today's and last week's
 * figures per channel by the business day of each order, computed from
 * every order (the day is an expression no index serves). */
static const char sql_report_scan[] =
    "WITH d AS (SELECT (now() AT TIME ZONE 'Europe/Berlin')::date AS today) "
    "SELECT c.name, "
    "  count(*) FILTER (WHERE (o.placed_at AT TIME ZONE 'Europe/Berlin')::date = d.today), "
    "  sum(o.total_cents) FILTER (WHERE (o.placed_at AT TIME ZONE 'Europe/Berlin')::date = d.today "
    "      AND o.status <> 'cancelled'), "
    "  sum(o.total_cents) FILTER (WHERE (o.placed_at AT TIME ZONE 'Europe/Berlin')::date = d.today - 7 "
    "      AND (o.placed_at AT TIME ZONE 'Europe/Berlin')::time <= (now() AT TIME ZONE 'Europe/Berlin')::time "
    "      AND o.status <> 'cancelled') "
    "FROM kontor.sales_order o JOIN kontor.channel c ON c.id = o.channel_id CROSS JOIN d "
    "GROUP BY c.name, c.sort_order ORDER BY c.sort_order";

/* The home screen (the channel report and each role's open work), the
 * pickup queue and counter search, the duplicate list and the staff list.
 * *report and *peer get the indexes of the report and its scanning peer. */
static int bench_screens(struct db *db, const struct auth_identity *manager,
                         const struct auth_identity *clerk, int runs, struct figure *figs,
                         int *report, int *peer)
{
    const char *no_location[1] = { "" };
    struct db_stmt st[2];
    int nf = 0;

    st[0] = home_figures_stmt();
    figs[nf].name = "report: home channel figures (today vs a week ago)";
    measure(db, &manager->session, st, 1, runs, &figs[nf++]);
    *report = nf - 1;
    st[0] = (struct db_stmt)DB_STMT(sql_report_scan, 0, NULL);
    figs[nf].name = "  peer: the same report scanning every order";
    measure(db, &manager->session, st, 1, runs < 5 ? runs : 5, &figs[nf++]);
    *peer = nf - 1;
    /* The manager's daily channel report (:report), yesterday beside the
     * same weekday a week before, and its drill-down into one channel. */
    struct report_day yesterday = { .relative = true, .days_back = 1 };
    struct report_query rq;
    figs[nf].name = "daily channel report, yesterday (:report)";
    measure(db, &manager->session, report_daily_stmt(&rq, &yesterday, EXPORT_TEXT), 1, runs,
            &figs[nf++]);
    figs[nf].name = "daily channel report, drill into Web";
    measure(db, &manager->session, report_detail_stmt(&rq, &yesterday, "web", EXPORT_TEXT), 1,
            runs, &figs[nf++]);
    figs[nf].name = "daily channel report as CSV (kontor report daily)";
    measure(db, &manager->session, report_daily_stmt(&rq, &yesterday, EXPORT_CSV), 1, runs,
            &figs[nf++]);

    st[0] = home_figures_stmt();
    st[1] = home_work_stmt(DB_ROLE_MANAGER, no_location);
    figs[nf].name = "home screen as manager (report + open work)";
    measure(db, &manager->session, st, 2, runs, &figs[nf++]);

    char location[24];
    snprintf(location, sizeof(location), "%lld", clerk->home_location_id);
    const char *clerk_location[1] = { location };
    st[0] = home_work_stmt(DB_ROLE_CLERK, clerk_location);
    figs[nf].name = "home screen as clerk (open work here)";
    measure(db, &clerk->session, st, 1, runs, &figs[nf++]);

    struct pickup_queue pq;
    figs[nf].name = "pickups queue at the clerk's store";
    measure(db, &clerk->session, pickup_queue_stmt(&pq, clerk->location_code), 1, runs,
            &figs[nf++]);
    struct pickup_find pf;
    figs[nf].name = "pickups counter: a customer's name";
    measure(db, &clerk->session, pickup_find_stmt(&pf, clerk->location_code, "müller"), 1, runs,
            &figs[nf++]);

    struct duplicate_list dl;
    size_t nd = 0;
    struct db_stmt *ds = duplicate_list_stmts(&dl, 0, PAGE, &nd);
    figs[nf].name = "duplicates, first page (manager)";
    measure(db, &manager->session, ds, nd, runs, &figs[nf++]);
    return nf;
}

static bool section(const char *only, const char *name)
{
    return only == NULL || strcmp(only, name) == 0;
}

/* The order screens: list pages, the deep page and its OFFSET peer, the
 * filters, free text and its ILIKE peer, the detail. idx gets the indexes
 * of keyset deep, OFFSET deep, free text, ILIKE. */
static int bench_order_lists(struct db *db, const struct db_session *service, const char *scale,
                             int runs, struct figure *figs, int idx[4])
{
    struct db_error err = { 0 };
    struct order_filter none = { 0 };
    struct order_page page;
    int nf = 0;

    figs[nf].name = "order list, first page";
    measure(db, service, order_page_stmt(&page, &none, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                         NULL, PAGE), 1, runs, &figs[nf++]);

    /* The key of the row 100,000 deep (half the orders on a smaller data
     * set such as S), found once. */
    static char deep_name[80], offset_name[80];
    struct db_stmt est = DB_STMT("SELECT reltuples::bigint FROM pg_catalog.pg_class "
                                 "WHERE oid = 'kontor.sales_order'::regclass", 0, NULL);
    run_once(db, service, &est, 1, "the number of orders");
    long long depth = db_value_ll(est.res, 0, 0) / 2;
    db_stmts_clear(&est, 1);
    if (depth > DEEP || depth < 1)
        depth = DEEP;
    char deep[24], lim[16];
    snprintf(deep, sizeof(deep), "%lld", depth);
    snprintf(lim, sizeof(lim), "%d", PAGE);
    const char *dp[1] = { deep };
    struct db_stmt k = DB_STMT(sql_deep_key, 1, dp);
    if (!db_run_tx(db, service, &k, 1, &err) || PQntuples(k.res) != 1) {
        fprintf(stderr, "bench: fewer than %lld orders at scale %s\n", depth, scale);
        exit(1);
    }
    char k1[64], k2[32];
    snprintf(k1, sizeof(k1), "%s", db_value(k.res, 0, 0));
    snprintf(k2, sizeof(k2), "%s", db_value(k.res, 0, 1));
    db_stmts_clear(&k, 1);
    const char *key[2] = { k1, k2 };
    if (depth == DEEP)
        snprintf(deep_name, sizeof(deep_name), "order list, page 100,000 rows deep (keyset)");
    else
        snprintf(deep_name, sizeof(deep_name), "order list, page %lld rows deep (keyset)", depth);
    snprintf(offset_name, sizeof(offset_name), "  peer: the same page with OFFSET %lld", depth);
    figs[nf].name = deep_name;
    measure(db, service, order_page_stmt(&page, &none, ORDER_SORT_NEWEST, ORDER_FETCH_AFTER,
                                         key, PAGE), 1, runs, &figs[nf++]);
    idx[0] = nf - 1;
    const char *op[2] = { deep, lim };
    struct db_stmt off = DB_STMT(sql_offset_deep, 2, op);
    figs[nf].name = offset_name;
    measure(db, service, &off, 1, runs < 10 ? runs : 10, &figs[nf++]);
    idx[1] = nf - 1;

    struct order_filter f = { 0 };
    snprintf(f.channel, sizeof(f.channel), "app");
    snprintf(f.fulfilment, sizeof(f.fulfilment), "click_collect");
    snprintf(f.status, sizeof(f.status), "open");
    figs[nf].name = "order list, filtered (app, C&C, open)";
    measure(db, service, order_page_stmt(&page, &f, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                         NULL, PAGE), 1, runs, &figs[nf++]);

    /* The count the list shows beside every page (exact to 10,000, then
     * an estimate from a fixed-size sample). */
    struct order_count cnt;
    figs[nf].name = "order list, count of all orders (estimate)";
    measure(db, service, order_count_stmt(&cnt, &none), 1, runs, &figs[nf++]);
    struct order_filter open = { 0 };
    snprintf(open.status, sizeof(open.status), "open");
    figs[nf].name = "order list, count of open orders";
    measure(db, service, order_count_stmt(&cnt, &open), 1, runs, &figs[nf++]);

    /* A store's open ship orders: few or none (migration 0016), and their
     * count, which then cannot stop early at 10,000. */
    struct order_filter ship = { 0 };
    snprintf(ship.status, sizeof(ship.status), "open");
    snprintf(ship.fulfilment, sizeof(ship.fulfilment), "ship");
    snprintf(ship.location, sizeof(ship.location), "HB-01");
    figs[nf].name = "order list, open ship orders at HB-01";
    measure(db, service, order_page_stmt(&page, &ship, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                         NULL, PAGE), 1, runs, &figs[nf++]);
    figs[nf].name = "order list, count of open ship orders at HB-01";
    measure(db, service, order_count_stmt(&cnt, &ship), 1, runs, &figs[nf++]);

    struct order_filter text = { 0 };
    snprintf(text.text, sizeof(text.text), "müller");
    figs[nf].name = "order list, free text \"müller\"";
    measure(db, service, order_page_stmt(&page, &text, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                         NULL, PAGE), 1, runs, &figs[nf++]);
    idx[2] = nf - 1;
    const char *sp[1] = { "müller" };
    struct db_stmt naive = DB_STMT(sql_naive_search, 1, sp);
    figs[nf].name = "  peer: unindexed ILIKE on names";
    measure(db, service, &naive, 1, runs < 10 ? runs : 10, &figs[nf++]);
    idx[3] = nf - 1;

    struct order_detail d;
    size_t nd = 0;
    struct db_stmt *ds = order_detail_stmts(&d, "K-100001", &nd);
    figs[nf].name = "order detail (all parts, one pipeline)";
    measure(db, service, ds, nd, runs, &figs[nf++]);
    return nf;
}

/* "12.3×", or "more than 12.3×" when the peer timed out. */
static const char *ratio(char *buf, size_t len, const struct figure *peer,
                         const struct figure *ours)
{
    snprintf(buf, len, "%s%.1f×", peer->timed_out ? "more than " : "",
             peer->median_ms / ours->median_ms);
    return buf;
}

int main(int argc, char **argv)
{
    const char *scale = argc > 1 ? argv[1] : "S";
    int runs = argc > 2 ? atoi(argv[2]) : 30;
    const char *only = argc > 3 ? argv[3] : NULL;
    char *msg = NULL;
    struct db_error err = { 0 };
    struct auth_identity id;
    char password[] = "demo";
    struct db *db = db_open_conninfo("", "kontor_login", "kontor-bench", 60000, &msg);
    struct figure figs[96];
    int nf = 0;

    if (runs < 1)
        runs = 30;
    if (only != NULL && !section(only, "orders") && !section(only, "returns") &&
        !section(only, "customers") && !section(only, "screens")) {
        fprintf(stderr, "bench: the section is orders, returns, customers or screens, not %s\n",
                only);
        return 2;
    }
    if (db == NULL) {
        fprintf(stderr, "bench: %s\n", msg);
        return 1;
    }
    if (auth_sign_in(db, "service", password, "bench", &id, &err) != AUTH_OK) {
        fprintf(stderr, "bench: cannot sign in as service: %s\n", err.message ? err.message : "");
        return 1;
    }
    struct db_stmt one = DB_STMT("SELECT 1", 0, NULL);
    figs[nf].name = "SELECT 1 (staff transaction)";
    measure(db, &id.session, &one, 1, runs, &figs[nf++]);
    double base = figs[0].median_ms;

    int order_idx[4] = { -1, -1, -1, -1 };
    if (section(only, "orders")) {
        int first = nf;
        nf += bench_order_lists(db, &id.session, scale, runs, &figs[nf], order_idx);
        for (int i = 0; i < 4; i++)
            order_idx[i] += first;
    }

    /* returns: the queue, approvals and detail, then every step */
    struct auth_identity clerk = bench_sign_in(db, "clerk");
    struct auth_identity manager = bench_sign_in(db, "manager");
    int first_return = -1, return_deep = -1, return_offset = -1;
    if (section(only, "returns")) {
        first_return = nf;
        nf += bench_return_lists(db, &id.session, &manager.session, runs, &figs[nf],
                                 &return_deep, &return_offset);
        return_deep += first_return;
        return_offset += first_return;
        nf += bench_return_steps(db, &clerk, &id, runs, &figs[nf]);
    }

    /* customer search, as service and as the clerk */
    int first_search = -1, nratios = 0;
    struct search_ratio ratios[8];
    if (section(only, "customers")) {
        first_search = nf;
        nf += bench_customer_search(db, &id.session, &clerk.session, runs, &figs[nf], ratios,
                                    &nratios);
        for (int i = 0; i < nratios; i++) {
            ratios[i].ours += first_search;
            ratios[i].peer += first_search;
        }
        nf += bench_customer_view(db, &id.session, &clerk.session, runs, &figs[nf]);
    }

    /* the home report, pickups, duplicates */
    int first_screen = -1, report = -1, report_peer = -1;
    if (section(only, "screens")) {
        first_screen = nf;
        nf += bench_screens(db, &manager, &clerk, runs, &figs[nf], &report, &report_peer);
        report += first_screen;
        report_peer += first_screen;
    }

    printf("Order, return and customer benchmarks at scale %s (%d runs each; one round "
           "trip per action)\n", scale, runs);
    printf("%-50s %10s %10s %10s %6s\n", "action", "median ms", "p95 ms", "× SELECT 1", "trips");
    char r1[48], r2[48];
    for (int i = 0; i < nf; i++) {
        char median[24];
        snprintf(median, sizeof(median), "%s%.2f", figs[i].timed_out ? ">" : "",
                 figs[i].median_ms);
        printf("%s%-50s %10s %10.2f %10.1f %6d\n",
               i == first_return || i == first_search || i == first_screen ? "\n" : "", figs[i].name,
               median, figs[i].p95_ms, figs[i].median_ms / base, figs[i].round_trips);
    }
    if (order_idx[0] >= 0)
        printf("deep page: OFFSET takes %s the keyset page; free text: ILIKE takes %s ours\n",
               ratio(r1, sizeof(r1), &figs[order_idx[1]], &figs[order_idx[0]]),
               ratio(r2, sizeof(r2), &figs[order_idx[3]], &figs[order_idx[2]]));
    if (first_return >= 0)
        printf("returns deep page: OFFSET takes %s the keyset page\n",
               ratio(r1, sizeof(r1), &figs[return_offset], &figs[return_deep]));
    if (first_screen >= 0)
        printf("report: scanning every order takes %s the home report\n",
               ratio(r1, sizeof(r1), &figs[report_peer], &figs[report]));
    for (int i = 0; i < nratios; i++)
        printf("customer search \"%s\": %s takes %s ours%s\n", ratios[i].what,
               ratios[i].found < 0 ? "ranking by trigram similarity" : "unindexed ILIKE",
               ratio(r1, sizeof(r1), &figs[ratios[i].peer], &figs[ratios[i].ours]),
               ratios[i].found == 0 ? " and finds nobody" : "");
    for (int i = 0; i < nf; i++) {
        char name[128];
        json_escape(name, sizeof(name), figs[i].name);
        fprintf(stderr, "{\"scale\":\"%s\",\"action\":\"%s\",\"median_ms\":%.3f,\"p95_ms\":%.3f,"
                "\"x_select1\":%.2f,\"round_trips\":%d%s}\n", scale, name,
                figs[i].median_ms, figs[i].p95_ms, figs[i].median_ms / base, figs[i].round_trips,
                figs[i].timed_out ? ",\"timed_out\":true" : "");
    }
    auth_sign_out(db, &manager);
    auth_sign_out(db, &clerk);
    auth_sign_out(db, &id);
    db_close(db);
    return 0;
}

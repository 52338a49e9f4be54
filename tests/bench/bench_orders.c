/* Order benchmarks on a named data scale: the time from request to rows
 * ready for each interactive action of the order screens, measured through
 * the same pipelined staff transactions the console sends, beside the naive
 * query a hand-built back office would use (OFFSET paging). Prints a table
 * and one JSON line per figure. Usage: bench_orders SCALE [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/auth.h"
#include "kontor/db.h"
#include "kontor/order.h"
#include "kontor/xalloc.h"

#define PAGE 50
#define DEEP 100000

struct figure {
    const char *name;
    double median_ms, p95_ms;
    int round_trips;
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

/* Runs stmts as one staff transaction runs times; fills median and p95. */
static void measure(struct db *db, const struct db_session *s, struct db_stmt *stmts, size_t n,
                    int runs, struct figure *f)
{
    double *t = xcalloc((size_t)runs, sizeof(*t));
    struct db_error err = { 0 };

    for (int i = -3; i < runs; i++) {
        double t0 = now_ms();
        if (!db_run_tx(db, s, stmts, n, &err)) {
            fprintf(stderr, "bench: %s failed: %s\n", f->name, err.message);
            exit(1);
        }
        double dt = now_ms() - t0;
        db_stmts_clear(stmts, n);
        if (i >= 0)
            t[i] = dt;
    }
    qsort(t, (size_t)runs, sizeof(*t), cmp_double);
    f->median_ms = t[runs / 2];
    f->p95_ms = t[(runs * 95) / 100 < runs ? (runs * 95) / 100 : runs - 1];
    f->round_trips = 1;
    free(t);
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

int main(int argc, char **argv)
{
    const char *scale = argc > 1 ? argv[1] : "S";
    int runs = argc > 2 ? atoi(argv[2]) : 30;
    char *msg = NULL;
    struct db_error err = { 0 };
    struct auth_identity id;
    char password[] = "demo";
    struct db *db = db_open_conninfo("", "kontor_login", "kontor-bench", 60000, &msg);
    struct figure figs[16];
    int nf = 0;

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

    struct order_filter none = { 0 };
    struct order_page page;
    figs[nf].name = "order list, first page";
    measure(db, &id.session, order_page_stmt(&page, &none, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                             NULL, PAGE), 1, runs, &figs[nf++]);

    /* The key of the row 100,000 deep, found once. */
    char deep[16], lim[16];
    snprintf(deep, sizeof(deep), "%d", DEEP);
    snprintf(lim, sizeof(lim), "%d", PAGE);
    const char *dp[1] = { deep };
    struct db_stmt k = DB_STMT(sql_deep_key, 1, dp);
    if (!db_run_tx(db, &id.session, &k, 1, &err) || PQntuples(k.res) != 1) {
        fprintf(stderr, "bench: fewer than %d orders at scale %s\n", DEEP, scale);
        return 1;
    }
    char k1[64], k2[32];
    snprintf(k1, sizeof(k1), "%s", db_value(k.res, 0, 0));
    snprintf(k2, sizeof(k2), "%s", db_value(k.res, 0, 1));
    db_stmts_clear(&k, 1);
    const char *key[2] = { k1, k2 };
    figs[nf].name = "order list, page 100,000 rows deep (keyset)";
    measure(db, &id.session, order_page_stmt(&page, &none, ORDER_SORT_NEWEST, ORDER_FETCH_AFTER,
                                             key, PAGE), 1, runs, &figs[nf++]);
    int keyset_deep = nf - 1;
    const char *op[2] = { deep, lim };
    struct db_stmt off = DB_STMT(sql_offset_deep, 2, op);
    figs[nf].name = "  peer: the same page with OFFSET 100000";
    measure(db, &id.session, &off, 1, runs < 10 ? runs : 10, &figs[nf++]);
    int offset_deep = nf - 1;

    struct order_filter f = { 0 };
    snprintf(f.channel, sizeof(f.channel), "app");
    snprintf(f.fulfilment, sizeof(f.fulfilment), "click_collect");
    snprintf(f.status, sizeof(f.status), "open");
    figs[nf].name = "order list, filtered (app, C&C, open)";
    measure(db, &id.session, order_page_stmt(&page, &f, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                             NULL, PAGE), 1, runs, &figs[nf++]);

    struct order_filter text = { 0 };
    snprintf(text.text, sizeof(text.text), "müller");
    figs[nf].name = "order list, free text \"müller\"";
    measure(db, &id.session, order_page_stmt(&page, &text, ORDER_SORT_NEWEST, ORDER_FETCH_FIRST,
                                             NULL, PAGE), 1, runs, &figs[nf++]);
    int search = nf - 1;
    const char *sp[1] = { "müller" };
    struct db_stmt naive = DB_STMT(sql_naive_search, 1, sp);
    figs[nf].name = "  peer: unindexed ILIKE on names";
    measure(db, &id.session, &naive, 1, runs < 10 ? runs : 10, &figs[nf++]);
    int naive_search = nf - 1;

    struct order_detail d;
    size_t nd = 0;
    struct db_stmt *ds = order_detail_stmts(&d, "K-100001", &nd);
    figs[nf].name = "order detail (all parts, one pipeline)";
    measure(db, &id.session, ds, nd, runs, &figs[nf++]);

    printf("Order benchmarks at scale %s (%d runs each; one round trip per action)\n", scale, runs);
    printf("%-46s %10s %10s %10s\n", "action", "median ms", "p95 ms", "× SELECT 1");
    for (int i = 0; i < nf; i++)
        printf("%-46s %10.2f %10.2f %10.1f\n", figs[i].name, figs[i].median_ms, figs[i].p95_ms,
               figs[i].median_ms / base);
    printf("deep page: OFFSET takes %.1f× the keyset page; free text: ILIKE takes %.1f× ours\n",
           figs[offset_deep].median_ms / figs[keyset_deep].median_ms,
           figs[naive_search].median_ms / figs[search].median_ms);
    for (int i = 0; i < nf; i++)
        fprintf(stderr, "{\"scale\":\"%s\",\"action\":\"%s\",\"median_ms\":%.3f,\"p95_ms\":%.3f,"
                "\"x_select1\":%.2f,\"round_trips\":%d}\n", scale, figs[i].name,
                figs[i].median_ms, figs[i].p95_ms, figs[i].median_ms / base, figs[i].round_trips);
    auth_sign_out(db, &id);
    db_close(db);
    return 0;
}

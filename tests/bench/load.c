/* The load driver: N simulated consoles, each a thread with its own
 * connection to the pooler, doing the console's own actions (the domain
 * layer's statements, one staff transaction each, run with db_run_tx) with
 * think times between them for a bounded time; then the throughput and the
 * time from request to rows ready per kind of action.
 * Usage: kontor_load --conninfo STR [--consoles N] [--duration S] ... (--help) */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/auth.h"
#include "kontor/customer.h"
#include "kontor/customer_search.h"
#include "kontor/db.h"
#include "kontor/order.h"
#include "kontor/returns.h"
#include "kontor/xalloc.h"

#define PAGE 50            /* rows of a list page, as the benchmark reads */
#define SAMPLE 3000        /* targets of each kind drawn at start-up */
#define TIMEOUT_MS 15000   /* the console's default statement timeout */
#define ERRORS_SHOWN 10    /* error messages printed while running */

/* ---- options -------------------------------------------------------------------- */

struct options {
    const char *conninfo, *json, *scale;
    long consoles, duration_s, think_ms, seed, ramp_s, pool_size;
};

static const char usage_text[] =
    "usage: kontor_load --conninfo STR [options]\n"
    "Runs N simulated consoles against Kontor's database (through a pooler)\n"
    "and reports throughput and the time from request to rows ready.\n"
    "\n"
    "  --conninfo STR       libpq connection string of the pooler (required);\n"
    "                       every console connects as kontor_login\n"
    "  --consoles N         simulated consoles, each its own thread and connection\n"
    "                       (default 500)\n"
    "  --duration SECONDS   how long to measure (default 60)\n"
    "  --think-ms MS        mean think time between a console's actions, drawn from\n"
    "                       an exponential distribution (default 2000: a busy staff\n"
    "                       member reads the screen and types for about two seconds\n"
    "                       between actions; exponential, so that the consoles act\n"
    "                       independently, like people, not in lock-step); 0: none\n"
    "  --ramp-seconds S     spread the connection set-up over S seconds (default 5);\n"
    "                       not counted in the figures\n"
    "  --seed N             the same seed draws the same targets and choices\n"
    "                       (default 1)\n"
    "  --json FILE          append the figures as JSON, one object per line\n"
    "  --pool-size N        the pooler's pool size, for the report only\n"
    "  --scale NAME         the data set's name, for the report only\n"
    "  --help               this text\n"
    "Exit status: 0 when every action succeeded (conflicts with a concurrent\n"
    "edit are expected and not errors), 1 on errors, 2 on wrong usage.\n";

/* A whole number in [lo, hi] from an option's argument; exits 2 otherwise. */
static long option_number(const char *name, const char *arg, long lo, long hi)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "kontor_load: --%s wants a whole number from %ld to %ld, not \"%s\"\n",
                name, lo, hi, arg);
        exit(2);
    }
    return v;
}

static void options_parse(struct options *o, int argc, char **argv)
{
    static const struct option longs[] = {
        { "conninfo", required_argument, NULL, 'c' },
        { "consoles", required_argument, NULL, 'n' },
        { "duration", required_argument, NULL, 'd' },
        { "think-ms", required_argument, NULL, 't' },
        { "seed", required_argument, NULL, 's' },
        { "json", required_argument, NULL, 'j' },
        { "ramp-seconds", required_argument, NULL, 'r' },
        { "pool-size", required_argument, NULL, 'p' },
        { "scale", required_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch, at = 0;

    *o = (struct options){ .consoles = 500, .duration_s = 60, .think_ms = 2000, .seed = 1,
                           .ramp_s = 5, .scale = "" };
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", longs, &at)) != -1) {
        switch (ch) {
        case 'c': o->conninfo = optarg; break;
        case 'n': o->consoles = option_number("consoles", optarg, 1, 10000); break;
        case 'd': o->duration_s = option_number("duration", optarg, 1, 86400); break;
        case 't': o->think_ms = option_number("think-ms", optarg, 0, 3600000); break;
        case 's': o->seed = option_number("seed", optarg, 0, LONG_MAX); break;
        case 'j': o->json = optarg; break;
        case 'r': o->ramp_s = option_number("ramp-seconds", optarg, 0, 3600); break;
        case 'p': o->pool_size = option_number("pool-size", optarg, 1, 100000); break;
        case 'S': o->scale = optarg; break;
        case 'h': fputs(usage_text, stdout); exit(0);
        default:
            fprintf(stderr, "kontor_load: the option \"%s\" is unknown or needs a value\n%s",
                    argv[optind - 1], usage_text);
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kontor_load: unexpected argument \"%s\"\n%s", argv[optind], usage_text);
        exit(2);
    }
    if (o->conninfo == NULL) {
        fprintf(stderr, "kontor_load: --conninfo is required (the pooler's connection string)\n%s",
                usage_text);
        exit(2);
    }
}

/* ---- clocks and chance ------------------------------------------------------------- */

static double clock_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The monotonic clock's time ms milliseconds from now, for timed waits. */
static struct timespec clock_after(double ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ns = (long long)ts.tv_nsec + (long long)(ms * 1e6);
    ts.tv_sec += (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    return ts;
}

/* splitmix64: each console's own generator, so threads never share one. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return n > 0 ? (size_t)(rng_next(s) % n) : 0;
}

/* ---- what a console does ------------------------------------------------------------ */

enum role { ROLE_CLERK, ROLE_SERVICE, ROLE_MANAGER, ROLE_COUNT };

/* The demo accounts signed in once each; share: per cent of the consoles. */
static const struct {
    const char *username;
    int share;
} accounts[ROLE_COUNT] = {
    [ROLE_CLERK] = { "clerk", 50 },
    [ROLE_SERVICE] = { "service", 35 },
    [ROLE_MANAGER] = { "manager", 15 },
};

enum act {
    ACT_ORDERS_FIRST, ACT_ORDERS_NEXT, ACT_ORDERS_FILTER, ACT_ORDERS_COUNT, ACT_PREF_SAVE,
    ACT_ORDER_DETAIL, ACT_ORDER_NOTE, ACT_PICKUPS, ACT_RETURNS, ACT_RETURNS_COUNT,
    ACT_RETURN_DETAIL, ACT_SEARCH_NAME, ACT_SEARCH_TYPO, ACT_SEARCH_PHONE, ACT_CUSTOMER,
    ACT_EDIT_FORM, ACT_SAVE_PROFILE, ACT_SAVE_PHONE,
    ACT_COUNT
};

struct console;
typedef void act_fn(struct console *c);

/* weight: how often a role chooses the action (relative; 0: never by
 * choice). The counts and the remembered filter follow a list at once,
 * as the console sends them; a save follows the edit form after a think. */
struct action {
    const char *name;
    act_fn *run;
    int weight[ROLE_COUNT];
};

/* ---- targets: drawn once from the whole data set ------------------------------------------ */

struct order_target {
    long long id;
    char number[24];
};

struct customer_target {
    long long id;
    char surname[128];
    char phone[24]; /* the digits of a phone number, "" when none */
};

struct targets {
    struct order_target *orders;
    struct customer_target *customers;
    char (*rmas)[16];
    size_t *with_phone; /* indexes into customers */
    size_t norders, ncustomers, nrmas, nphones;
};

/* Random ids between the smallest and the largest (the generator's ids are
 * dense), so the mix touches the whole data set rather than one hot row.
 * The scenario's own records (doc/SCENARIOS.md: orders 1-23, customers
 * 1-17, returns 1-6) are left alone: notes and edits do not land on them. */
#define SAMPLE_IDS(table, first)                                                              \
    "WITH b AS (SELECT min(id) AS lo, max(id) AS hi FROM kontor." table " WHERE id >= " first \
    "), r AS MATERIALIZED (SELECT DISTINCT b.lo + floor(random() * (b.hi - b.lo + 1))::bigint " \
    "AS id FROM b, generate_series(1, $1::int)) "

static const char sql_seed[] = "SELECT setseed($1::float8)";
static const char sql_sample_orders[] =
    SAMPLE_IDS("sales_order", "24")
    "SELECT so.id, so.number FROM r JOIN kontor.sales_order so ON so.id = r.id";
static const char sql_sample_customers[] =
    SAMPLE_IDS("customer", "18")
    "SELECT c.id, c.last_name, coalesce((SELECT regexp_replace(i.value_norm, '[^0-9]', '', 'g') "
    "  FROM kontor.customer_identity i WHERE i.customer_id = c.id AND i.kind = 'phone' "
    "  AND i.retired_at IS NULL ORDER BY i.id LIMIT 1), '') "
    "FROM r JOIN kontor.customer c ON c.id = r.id "
    "WHERE c.merged_into IS NULL AND c.erased_at IS NULL AND c.last_name <> ''";
static const char sql_sample_returns[] =
    SAMPLE_IDS("return_order", "7")
    "SELECT ro.rma FROM r JOIN kontor.return_order ro ON ro.id = r.id";

/* Draws the targets as customer service (who may read all of them). */
static bool targets_draw(struct targets *t, struct db *db, const struct db_session *s,
                         long seed)
{
    char seed_text[32], n_text[16];
    const char *p_seed[1] = { seed_text }, *p_n[1] = { n_text };
    struct db_stmt st[4] = {
        DB_STMT(sql_seed, 1, p_seed),
        DB_STMT(sql_sample_orders, 1, p_n),
        DB_STMT(sql_sample_customers, 1, p_n),
        DB_STMT(sql_sample_returns, 1, p_n),
    };
    struct db_error err = { 0 };

    /* setseed wants a number in [-1, 1]: the seed's last six digits. */
    snprintf(seed_text, sizeof(seed_text), "%.6f", (double)(seed % 1000000) / 1e6);
    snprintf(n_text, sizeof(n_text), "%d", SAMPLE);
    if (!db_run_tx(db, s, st, 4, &err)) {
        fprintf(stderr, "kontor_load: drawing targets failed: %s\n", err.message);
        db_error_clear(&err);
        return false;
    }
    t->norders = (size_t)PQntuples(st[1].res);
    t->orders = xcalloc(t->norders + 1, sizeof(*t->orders));
    for (size_t i = 0; i < t->norders; i++) {
        t->orders[i].id = db_value_ll(st[1].res, (int)i, 0);
        snprintf(t->orders[i].number, sizeof(t->orders[i].number), "%s",
                 db_value(st[1].res, (int)i, 1));
    }
    t->ncustomers = (size_t)PQntuples(st[2].res);
    t->customers = xcalloc(t->ncustomers + 1, sizeof(*t->customers));
    t->with_phone = xcalloc(t->ncustomers + 1, sizeof(*t->with_phone));
    for (size_t i = 0; i < t->ncustomers; i++) {
        struct customer_target *c = &t->customers[i];
        const char *digits = db_value(st[2].res, (int)i, 2);
        size_t nd = strlen(digits);
        c->id = db_value_ll(st[2].res, (int)i, 0);
        snprintf(c->surname, sizeof(c->surname), "%s", db_value(st[2].res, (int)i, 1));
        /* a fragment as staff type it: the last seven digits */
        snprintf(c->phone, sizeof(c->phone), "%s", nd > 7 ? digits + nd - 7 : digits);
        if (nd >= 7)
            t->with_phone[t->nphones++] = i;
    }
    t->nrmas = (size_t)PQntuples(st[3].res);
    t->rmas = xcalloc(t->nrmas + 1, sizeof(*t->rmas));
    for (size_t i = 0; i < t->nrmas; i++)
        snprintf(t->rmas[i], sizeof(t->rmas[i]), "%s", db_value(st[3].res, (int)i, 0));
    db_stmts_clear(st, 4);
    if (t->norders == 0 || t->ncustomers == 0 || t->nrmas == 0) {
        fprintf(stderr, "kontor_load: the data set has no orders, customers or returns to "
                "work on (%zu, %zu, %zu)\n", t->norders, t->ncustomers, t->nrmas);
        return false;
    }
    return true;
}

static void targets_free(struct targets *t)
{
    free(t->orders);
    free(t->customers);
    free(t->with_phone);
    free(t->rmas);
}

/* ---- the run, shared by every console -------------------------------------------------- */

struct run {
    const struct options *opt;
    struct targets targets;
    struct auth_identity ids[ROLE_COUNT];
    int per_role[ROLE_COUNT];
    pthread_mutex_t lock;
    pthread_cond_t wake; /* broadcast at the start and at the stop */
    int connected, failed, errors_shown;
    bool started, stop;
    double ramp_from_ms;
};

/* Waits until the monotonic time until or until the run stops; false
 * when it stopped. */
static bool run_wait_until(struct run *r, const struct timespec *until)
{
    bool go;

    pthread_mutex_lock(&r->lock);
    while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, until) != ETIMEDOUT)
        ;
    go = !r->stop;
    pthread_mutex_unlock(&r->lock);
    return go;
}

/* ---- one console ------------------------------------------------------------------------ */

/* Every time of one kind of action: ms of the answered ones (conflicts
 * included: the console shows them as an answer), errors apart. */
struct tally {
    double *ms;
    size_t n, cap;
    long errors, conflicts;
};

/* The statement builders, one at a time (they own their parameters). */
union console_query {
    struct order_page page;
    struct order_count count;
    struct order_detail detail;
    struct staff_pref pref;
    struct pickup_queue pickups;
    struct return_page returns;
    struct return_count return_count;
    struct return_detail return_detail;
    struct customer_search search;
    struct customer_view view;
    struct customer_save save;
    struct {
        struct order_note note;
        struct order_detail detail;
        struct db_stmt st[1 + ORDER_PART_COUNT];
    } note;
};

struct console {
    int index;
    enum role role;
    struct run *run;
    const struct auth_identity *who;
    struct db *db;
    uint64_t rng;
    union console_query *q;
    /* the order list on screen: its filter and the key of its last row */
    struct order_filter filter;
    char key[ORDER_PAGE_KEYS][40];
    bool have_key;
    char pref_key[48];
    /* the customer in the edit form, as it was loaded */
    struct customer_header edit;
    long long phone_id;
    int phone_version;
    char phone[208];
    enum act due; /* the save that follows the edit form, or ACT_COUNT */
    struct tally tally[ACT_COUNT];
};

static void tally_add(struct tally *t, double ms)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->ms = xreallocarray(t->ms, t->cap, sizeof(*t->ms));
    }
    t->ms[t->n++] = ms;
}

static const struct action actions[ACT_COUNT];

/* Runs one action's statements as the console's staff member, timed from
 * sending to the last row read; records the time, an error or a conflict.
 * The results stay in st for the caller, who clears them. */
static bool console_run(struct console *c, enum act a, struct db_stmt *st, size_t n)
{
    struct db_error err = { 0 };
    struct run *r = c->run;
    double t0 = clock_ms();
    bool ok = db_run_tx(c->db, &c->who->session, st, n, &err);
    double ms = clock_ms() - t0;
    struct tally *t = &c->tally[a];

    if (ok || err.cls == DB_ERR_CONFLICT)
        tally_add(t, ms);
    if (!ok && err.cls == DB_ERR_CONFLICT) {
        t->conflicts++;
    } else if (!ok) {
        t->errors++;
        pthread_mutex_lock(&r->lock);
        if (r->errors_shown++ < ERRORS_SHOWN)
            fprintf(stderr, "kontor_load: console %d (%s), %s: %s%s%s\n", c->index,
                    accounts[c->role].username, actions[a].name,
                    err.message ? err.message : "failed", err.detail && err.detail[0] ? ": " : "",
                    err.detail ? err.detail : "");
        pthread_mutex_unlock(&r->lock);
    }
    db_error_clear(&err);
    return ok;
}

static const struct order_target *pick_order(struct console *c)
{
    const struct targets *t = &c->run->targets;

    return &t->orders[rng_below(&c->rng, t->norders)];
}

static const struct customer_target *pick_customer(struct console *c)
{
    const struct targets *t = &c->run->targets;

    return &t->customers[rng_below(&c->rng, t->ncustomers)];
}

/* A customer with a phone number; NULL when the sample has none. */
static const struct customer_target *pick_phone_customer(struct console *c)
{
    const struct targets *t = &c->run->targets;

    return t->nphones > 0 ? &t->customers[t->with_phone[rng_below(&c->rng, t->nphones)]] : NULL;
}

/* ---- orders ------------------------------------------------------------------------------ */

/* Filters as staff of each role set them: a clerk's at their location. */
#define ORDER_FILTERS 6
static const struct {
    const char *words;
    bool at_home; /* the clerk's location code added */
} order_filters[ROLE_COUNT][ORDER_FILTERS] = {
    [ROLE_CLERK] = { { "open", true }, { "ready", true }, { "c&c", true }, { "today", true },
                     { "in_store yesterday", true }, { "ship open", true } },
    [ROLE_SERVICE] = { { "app c&c open", false }, { "web open", false },
                       { "marketplace ship", false }, { "phone today", false },
                       { "social", false }, { "web yesterday", false } },
    [ROLE_MANAGER] = { { "open", false }, { "store yesterday", false }, { "web today", false },
                       { "app c&c open", false }, { "marketplace open", false },
                       { "print", false } },
};

/* The page's last row gives the key of the next page; a short page is
 * the end of the list. */
static void orders_keep_key(struct console *c, const PGresult *res)
{
    int rows = PQntuples(res);

    c->have_key = rows == PAGE;
    for (int k = 0; c->have_key && k < ORDER_PAGE_KEYS; k++)
        snprintf(c->key[k], sizeof(c->key[k]), "%s", db_value(res, rows - 1, ORDER_COL_COUNT + k));
}

/* A page of the list under the console's filter, then its count, as the
 * console asks for both when a list opens or its filter changes. */
static void orders_page(struct console *c, enum act a, enum order_fetch how)
{
    const char *key[ORDER_PAGE_KEYS] = { c->key[0], c->key[1] };
    struct db_stmt *st = order_page_stmt(&c->q->page, &c->filter, ORDER_SORT_NEWEST, how,
                                         how == ORDER_FETCH_AFTER ? key : NULL, PAGE);

    if (!console_run(c, a, st, 1)) {
        c->have_key = false;
        return;
    }
    orders_keep_key(c, st->res);
    db_stmts_clear(st, 1);
    if (how == ORDER_FETCH_AFTER)
        return;
    st = order_count_stmt(&c->q->count, &c->filter);
    if (console_run(c, ACT_ORDERS_COUNT, st, 1))
        db_stmts_clear(st, 1);
}

static void act_orders_first(struct console *c)
{
    memset(&c->filter, 0, sizeof(c->filter));
    orders_page(c, ACT_ORDERS_FIRST, ORDER_FETCH_FIRST);
}

/* Scrolling on: the next page after the last row seen; a console with no
 * list open (or at its end) opens the list instead. */
static void act_orders_next(struct console *c)
{
    if (!c->have_key)
        act_orders_first(c);
    else
        orders_page(c, ACT_ORDERS_NEXT, ORDER_FETCH_AFTER);
}

/* A filter set (a service agent sometimes types a surname), the page and
 * the count, and the filter remembered for this staff member. Each console
 * keeps its own preference row: the consoles of a role share one sign-in,
 * and staff members never write each other's. */
static void act_orders_filter(struct console *c)
{
    size_t i = rng_below(&c->rng, ORDER_FILTERS);
    char words[160], line[512];
    char *err = NULL;

    if (c->role == ROLE_SERVICE && rng_below(&c->rng, 4) == 0)
        snprintf(words, sizeof(words), "\"%s\"", pick_customer(c)->surname);
    else
        snprintf(words, sizeof(words), "%s%s%s", order_filters[c->role][i].words,
                 order_filters[c->role][i].at_home ? " " : "",
                 order_filters[c->role][i].at_home ? c->who->location_code : "");
    if (!order_filter_parse(&c->filter, words, &err)) {
        fprintf(stderr, "kontor_load: the filter \"%s\": %s\n", words, err);
        free(err);
        exit(1);
    }
    orders_page(c, ACT_ORDERS_FILTER, ORDER_FETCH_FIRST);
    order_filter_format(&c->filter, line, sizeof(line));
    struct db_stmt *st = staff_pref_set_stmt(&c->q->pref, c->pref_key, line);
    if (console_run(c, ACT_PREF_SAVE, st, 1))
        db_stmts_clear(st, 1);
}

static void act_order_detail(struct console *c)
{
    size_t n = 0;
    struct db_stmt *st = order_detail_stmts(&c->q->detail, pick_order(c)->number, &n);

    if (console_run(c, ACT_ORDER_DETAIL, st, n))
        db_stmts_clear(st, n);
}

/* A note on an order and the detail as it is afterwards, in one
 * transaction, as the order screen sends them. */
static void act_order_note(struct console *c)
{
    const struct order_target *o = pick_order(c);
    char body[96];
    size_t n = 0;

    snprintf(body, sizeof(body), "kontor_load: note by console %d", c->index);
    c->q->note.st[0] = *order_note_stmt(&c->q->note.note, o->id, body);
    struct db_stmt *d = order_detail_stmts(&c->q->note.detail, o->number, &n);
    memcpy(c->q->note.st + 1, d, n * sizeof(*d));
    if (console_run(c, ACT_ORDER_NOTE, c->q->note.st, 1 + n))
        db_stmts_clear(c->q->note.st, 1 + n);
}

static void act_pickups(struct console *c)
{
    struct db_stmt *st = pickup_queue_stmt(&c->q->pickups, c->who->location_code);

    if (console_run(c, ACT_PICKUPS, st, 1))
        db_stmts_clear(st, 1);
}

/* ---- returns ----------------------------------------------------------------------------- */

/* The queue as each role opens it, then its count. */
static void act_returns(struct console *c)
{
    struct return_filter f;
    char words[64];
    char *err = NULL;

    if (c->role == ROLE_CLERK)
        snprintf(words, sizeof(words), "open %s", c->who->location_code);
    else if (c->role == ROLE_MANAGER && rng_below(&c->rng, 2) == 0)
        snprintf(words, sizeof(words), "approval");
    else
        snprintf(words, sizeof(words), "open");
    if (!return_filter_parse(&f, words, &err)) {
        fprintf(stderr, "kontor_load: the returns filter \"%s\": %s\n", words, err);
        free(err);
        exit(1);
    }
    struct db_stmt *st = return_page_stmt(&c->q->returns, &f, ORDER_FETCH_FIRST, NULL, PAGE);
    if (!console_run(c, ACT_RETURNS, st, 1))
        return;
    db_stmts_clear(st, 1);
    st = return_count_stmt(&c->q->return_count, &f);
    if (console_run(c, ACT_RETURNS_COUNT, st, 1))
        db_stmts_clear(st, 1);
}

static void act_return_detail(struct console *c)
{
    const struct targets *t = &c->run->targets;
    size_t n = 0;
    struct db_stmt *st = return_detail_stmts(&c->q->return_detail,
                                             t->rmas[rng_below(&c->rng, t->nrmas)], &n);

    if (console_run(c, ACT_RETURN_DETAIL, st, n))
        db_stmts_clear(st, n);
}

/* ---- customers ---------------------------------------------------------------------------- */

static void customer_search(struct console *c, enum act a, const char *text)
{
    struct db_stmt *st = customer_search_stmt(&c->q->search, text, CUSTOMER_SEARCH_LIMIT);

    if (console_run(c, a, st, 1))
        db_stmts_clear(st, 1);
}

static void act_search_name(struct console *c)
{
    customer_search(c, ACT_SEARCH_NAME, pick_customer(c)->surname);
}

/* A surname as people mistype it: a letter dropped, doubled, or two
 * swapped (ASCII letters only, so UTF-8 stays whole). */
static void act_search_typo(struct console *c)
{
    char name[sizeof(((struct customer_target *)0)->surname) + 1];
    size_t len, at;

    snprintf(name, sizeof(name), "%s", pick_customer(c)->surname);
    len = strlen(name);
    at = len > 3 ? 1 + rng_below(&c->rng, len - 2) : 0;
    if (len > 3 && (name[at] & 0x80) == 0 && (name[at + 1] & 0x80) == 0) {
        switch (rng_below(&c->rng, 3)) {
        case 0: memmove(name + at, name + at + 1, len - at); break;
        case 1: memmove(name + at + 1, name + at, len - at + 1); break;
        default: {
            char ch = name[at];
            name[at] = name[at + 1];
            name[at + 1] = ch;
        }
        }
    }
    customer_search(c, ACT_SEARCH_TYPO, name);
}

static void act_search_phone(struct console *c)
{
    const struct customer_target *who = pick_phone_customer(c);

    customer_search(c, ACT_SEARCH_PHONE, who != NULL ? who->phone : pick_customer(c)->surname);
}

static void act_customer(struct console *c)
{
    size_t n = 0;
    struct db_stmt *st = customer_view_stmts(&c->q->view, pick_customer(c)->id,
                                             customer_role_full(c->who->session.role), &n);

    if (console_run(c, ACT_CUSTOMER, st, n))
        db_stmts_clear(st, n);
}

/* The edit form: the profile, identities and consents as they are; the
 * save follows after the console's think time (typing). Half of the edits
 * are of a phone number, on customers who have one. */
static void act_edit_form(struct console *c)
{
    const struct customer_target *who = rng_below(&c->rng, 2) == 0 ? pick_phone_customer(c) : NULL;
    bool phone = who != NULL;
    size_t n = 0;
    struct db_stmt *st = customer_edit_load_stmts(&c->q->view,
                                                  phone ? who->id : pick_customer(c)->id, &n);

    if (!console_run(c, ACT_EDIT_FORM, st, n))
        return;
    if (customer_header_read(st[CUSTOMER_PART_HEADER].res, &c->edit) && c->edit.merged_into == 0
        && c->edit.erased_at[0] == '\0') {
        const PGresult *ids = st[CUSTOMER_PART_IDENTITIES].res;
        c->phone_id = 0;
        for (int i = 0; i < PQntuples(ids) && c->phone_id == 0; i++)
            if (strcmp(db_value(ids, i, CI_COL_KIND), "phone") == 0) {
                c->phone_id = db_value_ll(ids, i, CI_COL_ID);
                c->phone_version = (int)db_value_ll(ids, i, CI_COL_VERSION);
                snprintf(c->phone, sizeof(c->phone), "%s", db_value(ids, i, CI_COL_VALUE));
            }
        c->due = phone && c->phone_id != 0 ? ACT_SAVE_PHONE : ACT_SAVE_PROFILE;
    }
    db_stmts_clear(st, n);
}

/* Replaces the first from in s (of size len) by to, when it fits. */
static bool replace_first(char *s, size_t len, const char *from, const char *to)
{
    char *at = strstr(s, from);
    size_t fl = strlen(from), tl = strlen(to), rest;

    if (at == NULL || strlen(s) - fl + tl >= len)
        return false;
    rest = strlen(at + fl);
    memmove(at + tl, at + fl, rest + 1);
    memcpy(at, to, tl);
    return true;
}

/* What staff fix all day and can fix again and again: the street's
 * "straße" written "str." and back; the data set keeps its shape. */
static void act_save_profile(struct console *c)
{
    const struct customer_header *h = &c->edit;
    struct customer_profile p;
    size_t n = 0;

    snprintf(p.first_name, sizeof(p.first_name), "%s", h->first_name);
    snprintf(p.last_name, sizeof(p.last_name), "%s", h->last_name);
    snprintf(p.birthdate, sizeof(p.birthdate), "%s", h->birthdate);
    snprintf(p.street, sizeof(p.street), "%s", h->street);
    snprintf(p.postcode, sizeof(p.postcode), "%s", h->postcode);
    snprintf(p.city, sizeof(p.city), "%s", h->city);
    snprintf(p.country, sizeof(p.country), "%s", h->country);
    if (!replace_first(p.street, sizeof(p.street), "straße", "str."))
        replace_first(p.street, sizeof(p.street), "str.", "straße");
    customer_save_begin(&c->q->save, h->id);
    customer_save_profile(&c->q->save, h->version, &p);
    struct db_stmt *st = customer_save_stmts(&c->q->save, &n);
    if (console_run(c, ACT_SAVE_PROFILE, st, n))
        db_stmts_clear(st, n);
}

/* The phone number written another way ("0421 1234567" and
 * "0421-1234567"; a number written without either gets a space before its
 * last four digits): the same number to search and to match. */
static void act_save_phone(struct console *c)
{
    char v[sizeof(c->phone) + 1];
    size_t n = 0, len = strlen(c->phone);
    char from = strchr(c->phone, '-') != NULL ? '-' : ' ', to = from == '-' ? ' ' : '-';

    snprintf(v, sizeof(v), "%s", c->phone);
    if (strpbrk(v, " -") == NULL && len > 6) {
        memmove(v + len - 3, v + len - 4, 5);
        v[len - 4] = ' ';
    }
    for (char *p = v; *p != '\0'; p++)
        if (*p == from)
            *p = to;
    customer_save_begin(&c->q->save, c->edit.id);
    customer_save_identity(&c->q->save, c->phone_id, c->phone_version, "phone", v, "", false);
    struct db_stmt *st = customer_save_stmts(&c->q->save, &n);
    if (console_run(c, ACT_SAVE_PHONE, st, n))
        db_stmts_clear(st, n);
}

static const struct action actions[ACT_COUNT] = {
    [ACT_ORDERS_FIRST] = { "order list, first page", act_orders_first, { 8, 6, 10 } },
    [ACT_ORDERS_NEXT] = { "order list, next page", act_orders_next, { 10, 8, 10 } },
    [ACT_ORDERS_FILTER] = { "order list, filtered", act_orders_filter, { 8, 8, 12 } },
    [ACT_ORDERS_COUNT] = { "order list, count", NULL, { 0, 0, 0 } },
    [ACT_PREF_SAVE] = { "edit: remember list filter", NULL, { 0, 0, 0 } },
    [ACT_ORDER_DETAIL] = { "order detail", act_order_detail, { 20, 16, 12 } },
    [ACT_ORDER_NOTE] = { "edit: order note + detail", act_order_note, { 3, 4, 1 } },
    [ACT_PICKUPS] = { "pickup queue", act_pickups, { 20, 0, 0 } },
    [ACT_RETURNS] = { "returns queue", act_returns, { 8, 6, 10 } },
    [ACT_RETURNS_COUNT] = { "returns queue, count", NULL, { 0, 0, 0 } },
    [ACT_RETURN_DETAIL] = { "return detail", act_return_detail, { 10, 8, 8 } },
    [ACT_SEARCH_NAME] = { "customer search: surname", act_search_name, { 6, 10, 6 } },
    [ACT_SEARCH_TYPO] = { "customer search: misspelt", act_search_typo, { 3, 6, 3 } },
    [ACT_SEARCH_PHONE] = { "customer search: phone fragment", act_search_phone, { 0, 8, 2 } },
    [ACT_CUSTOMER] = { "customer view", act_customer, { 4, 14, 10 } },
    [ACT_EDIT_FORM] = { "customer edit form", act_edit_form, { 0, 6, 2 } },
    [ACT_SAVE_PROFILE] = { "edit: customer profile", act_save_profile, { 0, 0, 0 } },
    [ACT_SAVE_PHONE] = { "edit: customer phone", act_save_phone, { 0, 0, 0 } },
};

/* The next action: the save due after an edit form, else one drawn by the
 * role's weights. */
static enum act console_choose(struct console *c)
{
    int total = 0, x;

    if (c->due != ACT_COUNT) {
        enum act a = c->due;
        c->due = ACT_COUNT;
        return a;
    }
    for (int a = 0; a < ACT_COUNT; a++)
        total += actions[a].weight[c->role];
    x = (int)rng_below(&c->rng, (size_t)total);
    for (int a = 0; a < ACT_COUNT; a++) {
        x -= actions[a].weight[c->role];
        if (x < 0)
            return (enum act)a;
    }
    return ACT_ORDER_DETAIL;
}

/* Connects at its place in the ramp, waits for the start, then thinks and
 * acts until the run stops. */
static void *console_main(void *arg)
{
    struct console *c = arg;
    struct run *r = c->run;
    const struct options *o = r->opt;
    struct timespec at = clock_after(r->ramp_from_ms + (double)o->ramp_s * 1e3 * c->index /
                                     (double)o->consoles - clock_ms());
    char *msg = NULL;

    if (!run_wait_until(r, &at))
        return NULL;
    c->db = db_open_conninfo(o->conninfo, "kontor_login", "kontor-load", TIMEOUT_MS, &msg);
    pthread_mutex_lock(&r->lock);
    if (c->db == NULL) {
        r->failed++;
        if (r->errors_shown++ < ERRORS_SHOWN)
            fprintf(stderr, "kontor_load: console %d: %s\n", c->index, msg);
    } else {
        r->connected++;
    }
    while (c->db != NULL && !r->started && !r->stop)
        pthread_cond_wait(&r->wake, &r->lock);
    pthread_mutex_unlock(&r->lock);
    free(msg);
    if (c->db == NULL)
        return NULL;
    for (;;) {
        double think = -(double)o->think_ms * log(1.0 - rng_unit(&c->rng));
        struct timespec until = clock_after(think);
        if (!run_wait_until(r, &until))
            break;
        enum act a = console_choose(c);
        actions[a].run(c);
    }
    return NULL;
}

/* ---- the report ---------------------------------------------------------------------------- */

struct figures {
    long count, errors, conflicts;
    double median, p95, p99, max;
};

static int ms_order(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted times. */
static double percentile(const double *ms, size_t n, int pct)
{
    size_t rank = (n * (size_t)pct + 99) / 100;

    return n == 0 ? 0.0 : ms[rank > 0 ? rank - 1 : 0];
}

static void figures_of(struct figures *f, double *ms, size_t n)
{
    qsort(ms, n, sizeof(*ms), ms_order);
    f->median = percentile(ms, n, 50);
    f->p95 = percentile(ms, n, 95);
    f->p99 = percentile(ms, n, 99);
    f->max = n > 0 ? ms[n - 1] : 0.0;
}

struct report {
    struct figures kind[ACT_COUNT], all;
    double seconds, connect_s;
    int connected, failed;
    bool interrupted;
    char at[32]; /* when the run started, UTC */
};

/* Gathers every console's times per kind and over all actions. */
static void report_gather(struct report *rep, struct console *cs, long n)
{
    size_t total = 0, at = 0;

    for (long i = 0; i < n; i++)
        for (int a = 0; a < ACT_COUNT; a++)
            total += cs[i].tally[a].n;
    double *all = xcalloc(total + 1, sizeof(*all));
    for (int a = 0; a < ACT_COUNT; a++) {
        size_t m = 0, from = at;
        struct figures *f = &rep->kind[a];
        for (long i = 0; i < n; i++) {
            const struct tally *t = &cs[i].tally[a];
            if (t->n > 0)
                memcpy(all + at, t->ms, t->n * sizeof(*t->ms));
            at += t->n;
            m += t->n;
            f->errors += t->errors;
            f->conflicts += t->conflicts;
        }
        f->count = (long)m + f->errors;
        figures_of(f, all + from, m);
        rep->all.count += f->count;
        rep->all.errors += f->errors;
        rep->all.conflicts += f->conflicts;
    }
    figures_of(&rep->all, all, total);
    free(all);
}

static void report_row(FILE *out, const char *name, const struct figures *f)
{
    fprintf(out, "%-34s %7ld %6ld %9ld %8.2f %8.2f %8.2f %8.2f\n", name, f->count, f->errors,
            f->conflicts, f->median, f->p95, f->p99, f->max);
}

static void report_print(const struct report *rep, const struct run *r)
{
    const struct options *o = r->opt;
    char pool[32] = "not given";

    if (o->pool_size > 0)
        snprintf(pool, sizeof(pool), "%ld", o->pool_size);
    printf("\nKontor load: %ld simulated consoles%s%s, %.1f s measured%s\n", o->consoles,
           o->scale[0] ? " on data set " : "", o->scale, rep->seconds,
           rep->interrupted ? " (stopped early)" : "");
    printf("think time %ld ms mean (exponential); pooler pool size %s; connected %d of %ld "
           "in %.1f s (ramp, not counted)\n", o->think_ms, pool, rep->connected, o->consoles,
           rep->connect_s);
    printf("sign-ins: one per demo account, its session shared by that role's consoles:");
    for (int i = 0; i < ROLE_COUNT; i++)
        printf("%s %s %d", i ? "," : "", accounts[i].username, r->per_role[i]);
    printf("\n\n%-34s %7s %6s %9s %8s %8s %8s %8s\n", "action (ms from request to rows ready)",
           "count", "errors", "conflicts", "median", "p95", "p99", "max");
    for (int a = 0; a < ACT_COUNT; a++)
        report_row(stdout, actions[a].name, &rep->kind[a]);
    report_row(stdout, "all actions", &rep->all);
    printf("\nthroughput %.1f actions/s; overall p95 %.2f ms; %ld errors, %ld conflicts "
           "(a concurrent edit: not errors)\n",
           rep->seconds > 0 ? (double)rep->all.count / rep->seconds : 0.0, rep->all.p95,
           rep->all.errors + rep->failed, rep->all.conflicts);
}

static void report_json_line(FILE *out, const struct report *rep, const struct run *r,
                             const char *name, const struct figures *f)
{
    const struct options *o = r->opt;

    fprintf(out, "{\"at\":\"%s\",\"scale\":\"%s\",\"consoles\":%ld,\"duration_s\":%.1f,"
            "\"think_ms\":%ld,\"pool_size\":%ld,\"action\":\"%s\",\"count\":%ld,\"errors\":%ld,"
            "\"conflicts\":%ld,\"median_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f",
            rep->at, o->scale, o->consoles, rep->seconds, o->think_ms, o->pool_size, name,
            f->count, f->errors, f->conflicts, f->median, f->p95, f->p99, f->max);
}

/* One object per kind, then the whole run ("action":"all actions" with
 * the throughput); appended, so that runs accumulate. Names are ours:
 * nothing to escape. */
static bool report_json(const struct report *rep, const struct run *r, const char *path)
{
    FILE *out = fopen(path, "a");

    if (out == NULL) {
        fprintf(stderr, "kontor_load: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    for (int a = 0; a < ACT_COUNT; a++) {
        report_json_line(out, rep, r, actions[a].name, &rep->kind[a]);
        fputs("}\n", out);
    }
    report_json_line(out, rep, r, "all actions", &rep->all);
    fprintf(out, ",\"actions_per_s\":%.2f,\"connected\":%d,\"interrupted\":%s}\n",
            rep->seconds > 0 ? (double)rep->all.count / rep->seconds : 0.0, rep->connected,
            rep->interrupted ? "true" : "false");
    if (fclose(out) != 0) {
        fprintf(stderr, "kontor_load: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

/* ---- main ------------------------------------------------------------------------------------- */

/* Signs every demo account in once (argon2id: ~64 MiB and ~100 ms each)
 * and draws the targets; the consoles share the sessions. */
static bool run_prepare(struct run *r)
{
    char *msg = NULL;
    struct db *db = db_open_conninfo(r->opt->conninfo, "kontor_login", "kontor-load",
                                     TIMEOUT_MS, &msg);
    bool ok = true;

    if (db == NULL) {
        fprintf(stderr, "kontor_load: %s\n", msg);
        free(msg);
        return false;
    }
    for (int i = 0; i < ROLE_COUNT && ok; i++) {
        struct db_error err = { 0 };
        char password[] = "demo";
        if (auth_sign_in(db, accounts[i].username, password, "kontor-load", &r->ids[i], &err)
            != AUTH_OK) {
            fprintf(stderr, "kontor_load: cannot sign in as %s (password \"demo\"): %s\n",
                    accounts[i].username, err.message ? err.message : "refused");
            ok = false;
        }
        db_error_clear(&err);
    }
    if (ok && r->ids[ROLE_CLERK].location_code[0] == '\0') {
        fprintf(stderr, "kontor_load: the clerk account has no home location\n");
        ok = false;
    }
    ok = ok && targets_draw(&r->targets, db, &r->ids[ROLE_SERVICE].session, r->opt->seed);
    db_close(db);
    return ok;
}

static void run_sign_out(struct run *r)
{
    char *msg = NULL;
    struct db *db = db_open_conninfo(r->opt->conninfo, "kontor_login", "kontor-load",
                                     TIMEOUT_MS, &msg);

    for (int i = 0; i < ROLE_COUNT; i++)
        if (db != NULL && r->ids[i].session.token[0] != '\0')
            auth_sign_out(db, &r->ids[i]);
    db_close(db);
    free(msg);
}

static void run_stop(struct run *r)
{
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

/* Waits up to ms for SIGINT or SIGTERM (blocked in every thread); true
 * when one came. */
static bool signal_within(const sigset_t *sigs, double ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1e3),
                           .tv_nsec = (long)(fmod(ms, 1e3) * 1e6) };

    return sigtimedwait(sigs, NULL, &ts) > 0;
}

/* The consoles of each role: shares of N, the rest to the clerks. */
static enum role role_of(const struct run *r, long i)
{
    long upto = 0;

    for (int k = ROLE_COUNT - 1; k > 0; k--) {
        upto += r->per_role[k];
        if (i >= r->opt->consoles - upto)
            return (enum role)k;
    }
    return ROLE_CLERK;
}

/* Starts the consoles, lets them connect along the ramp, measures for the
 * duration (or until Ctrl-C), and waits for them to finish. */
static void run_consoles(struct run *r, struct console *cs, struct report *rep)
{
    const struct options *o = r->opt;
    pthread_t *th = xcalloc((size_t)o->consoles, sizeof(*th));
    pthread_attr_t attr;
    sigset_t sigs;
    double t0, ready;
    time_t wall;

    /* Blocked in every thread and taken by sigtimedwait here; even when
     * started in the background of a script, which ignores SIGINT. */
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    pthread_attr_init(&attr);
#ifdef __SANITIZE_ADDRESS__
    pthread_attr_setstacksize(&attr, 2u << 20);
#else
    pthread_attr_setstacksize(&attr, 256u << 10); /* libpq's needs; queries live on the heap */
#endif
    r->ramp_from_ms = clock_ms();
    for (long i = 0; i < o->consoles; i++) {
        cs[i].index = (int)i;
        cs[i].run = r;
        cs[i].role = role_of(r, i);
        cs[i].who = &r->ids[cs[i].role];
        cs[i].rng = (uint64_t)o->seed * 1000003u + (uint64_t)i;
        cs[i].q = xmalloc(sizeof(*cs[i].q));
        cs[i].due = ACT_COUNT;
        snprintf(cs[i].pref_key, sizeof(cs[i].pref_key), "orders.filter.load-%ld", i);
        int e = pthread_create(&th[i], &attr, console_main, &cs[i]);
        if (e != 0)
            fatal("cannot start console %ld: %s", i, strerror(e));
    }
    pthread_attr_destroy(&attr);
    for (;;) {
        if (signal_within(&sigs, 100)) {
            rep->interrupted = true;
            break;
        }
        pthread_mutex_lock(&r->lock);
        bool all = r->connected + r->failed == o->consoles;
        pthread_mutex_unlock(&r->lock);
        if (all)
            break;
    }
    ready = clock_ms();
    rep->connect_s = (ready - r->ramp_from_ms) / 1e3;
    pthread_mutex_lock(&r->lock);
    rep->connected = r->connected;
    pthread_mutex_unlock(&r->lock);
    fprintf(stderr, "kontor_load: %d consoles connected in %.1f s; measuring for %ld s\n",
            rep->connected, rep->connect_s, o->duration_s);
    wall = time(NULL);
    strftime(rep->at, sizeof(rep->at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
    pthread_mutex_lock(&r->lock);
    r->started = true;
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    t0 = clock_ms();
    while (!rep->interrupted) {
        double left = t0 + (double)o->duration_s * 1e3 - clock_ms();
        if (left <= 0)
            break;
        if (signal_within(&sigs, left < 1000 ? left : 1000))
            rep->interrupted = true;
    }
    rep->seconds = (clock_ms() - t0) / 1e3;
    run_stop(r);
    if (rep->interrupted)
        fprintf(stderr, "kontor_load: interrupted: finishing the actions under way\n");
    for (long i = 0; i < o->consoles; i++)
        pthread_join(th[i], NULL);
    rep->connected = r->connected;
    rep->failed = r->failed;
    free(th);
}

static void consoles_free(struct console *cs, long n)
{
    for (long i = 0; i < n; i++) {
        db_close(cs[i].db);
        free(cs[i].q);
        for (int a = 0; a < ACT_COUNT; a++)
            free(cs[i].tally[a].ms);
    }
    free(cs);
}

int main(int argc, char **argv)
{
    struct options o;
    struct run r = { .opt = &o };
    struct report rep = { 0 };
    pthread_condattr_t ca;
    long given = 0;

    options_parse(&o, argc, argv);
    for (int k = 1; k < ROLE_COUNT; k++) {
        r.per_role[k] = (int)(o.consoles * accounts[k].share / 100);
        given += r.per_role[k];
    }
    r.per_role[ROLE_CLERK] = (int)(o.consoles - given);
    pthread_mutex_init(&r.lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r.wake, &ca);
    pthread_condattr_destroy(&ca);
    if (!run_prepare(&r)) {
        run_sign_out(&r);
        targets_free(&r.targets);
        return 1;
    }
    fprintf(stderr, "kontor_load: signed in as %s, %s and %s (shared by their consoles); "
            "%zu orders, %zu customers, %zu returns drawn as targets\n", accounts[0].username,
            accounts[1].username, accounts[2].username, r.targets.norders, r.targets.ncustomers,
            r.targets.nrmas);
    struct console *cs = xcalloc((size_t)o.consoles, sizeof(*cs));
    run_consoles(&r, cs, &rep);
    report_gather(&rep, cs, o.consoles);
    consoles_free(cs, o.consoles);
    run_sign_out(&r);
    targets_free(&r.targets);
    report_print(&rep, &r);
    bool ok = o.json == NULL || report_json(&rep, &r, o.json);
    if (o.json != NULL && ok)
        printf("figures appended to %s\n", o.json);
    pthread_cond_destroy(&r.wake);
    pthread_mutex_destroy(&r.lock);
    return ok && rep.all.errors == 0 && rep.failed == 0 ? 0 : 1;
}

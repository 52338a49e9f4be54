/* Orders across every channel: the filtered, keyset-paged list, the detail
 * (one round trip), lifecycle moves with row versions, notes, the pickup
 * queue and the counter search. Screens run these statements with
 * tui_query(); batch commands with db_run_tx(); both read the results with
 * the same functions. Every struct that builds a statement owns the storage
 * its parameters point into, so it must live until the result is read. */
#ifndef KONTOR_ORDER_H
#define KONTOR_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

/* ---- filters ------------------------------------------------------------ */

struct order_filter {
    char channel[16];    /* channel code ("web") or "" */
    char status[24];     /* a status, "open" (not finished), or "" */
    char fulfilment[16]; /* ship | click_collect | in_store | "" */
    char location[16];   /* location code ("HB-01") or "" */
    char from[11];       /* YYYY-MM-DD, "today" or "yesterday" (business days), inclusive, or "" */
    char to[11];         /* same as from */
    char text[128];      /* order number, customer name or email fragment */
};

/* Parses palette arguments such as "web open", "app c&c HB-01 today",
 * "ready_for_pickup 2026-11-01..2026-11-23", "müller": known words fill
 * their field, the rest becomes text. Returns false with *err (caller frees)
 * for a malformed date range. */
bool order_filter_parse(struct order_filter *f, const char *args, char **err);
/* "all channels · open · newest first"-style title fragment. */
void order_filter_describe(const struct order_filter *f, char *buf, size_t len);
/* Serialises the filter as one line (remembered per staff member) that
 * order_filter_parse reads back; the free text is written in double quotes. */
void order_filter_format(const struct order_filter *f, char *buf, size_t len);

enum order_sort { ORDER_SORT_NEWEST, ORDER_SORT_OLDEST, ORDER_SORT_TOTAL_DESC, ORDER_SORT_TOTAL_ASC };

/* ---- the list ----------------------------------------------------------- */

/* Result columns of a page, in this order, then the two key columns. */
enum order_col {
    ORDER_COL_NUMBER, ORDER_COL_PLACED, ORDER_COL_CHANNEL, ORDER_COL_LOCATION,
    ORDER_COL_CUSTOMER, ORDER_COL_FULFILMENT, ORDER_COL_STATUS, ORDER_COL_ITEMS,
    ORDER_COL_TOTAL, /* cents */
    ORDER_COL_COUNT
};
#define ORDER_PAGE_KEYS 2 /* sort value, id */

enum order_fetch { ORDER_FETCH_FIRST, ORDER_FETCH_LAST, ORDER_FETCH_AFTER, ORDER_FETCH_BEFORE,
                   ORDER_FETCH_FROM };

/* The filter travels as ORDER_FILTER_PARAMS parameters ($1..$10); a page
 * adds the limit ($11) and, for AFTER/BEFORE/FROM, the key ($12, $13). */
#define ORDER_FILTER_PARAMS 10
struct order_page {
    char how[8], text[130], k1[40], k2[24], limit[12], sort[8];
    char fparams[ORDER_FILTER_PARAMS][130];
    const char *params[16];
    struct order_filter filter;
    struct db_stmt st;
};
/* Builds the statement for a page: key = {sort value, id} of the boundary row
 * (NULL for FIRST/LAST); BEFORE and LAST return rows nearest first. The sort
 * value column is placed_at as UTC ISO text with microseconds, or total_cents. */
struct db_stmt *order_page_stmt(struct order_page *q, const struct order_filter *f,
                                enum order_sort sort, enum order_fetch how,
                                const char *const *key, int limit);

/* A cheap total: exact for small results, the planner's estimate otherwise. */
struct order_count {
    char params_storage[ORDER_FILTER_PARAMS][130];
    const char *params[ORDER_FILTER_PARAMS];
    struct db_stmt st;
};
struct db_stmt *order_count_stmt(struct order_count *q, const struct order_filter *f);
/* The first page of a sort for batch output (filter params + limit): the
 * columns of enum order_col without the keys; total in euros ("101.95") or,
 * with cents, total_cents. Run through export_query. */
const char *order_list_sql(enum order_sort sort, bool cents);
/* Reads the count: *estimate true when it is the planner's estimate. */
long long order_count_read(const PGresult *res, bool *estimate);

/* ---- the detail --------------------------------------------------------- */

enum order_detail_part {
    ORDER_PART_HEADER,   /* one row: see order_header */
    ORDER_PART_LINES,    /* sku, item, size, qty, returned, price cents */
    ORDER_PART_PAYMENTS, /* kind ('payment'|'refund'), method, reference, amount cents, status, at */
    ORDER_PART_HISTORY,  /* at, from, to, who, source, note */
    ORDER_PART_NOTES,    /* at, who, body */
    ORDER_PART_RETURNS,  /* rma, status, returned via channel, location, created */
    ORDER_PART_MOVES,    /* to_status, needs_reason, allowed ('f' when this role may not
                            move this order: a clerk and another location's order) */
    ORDER_PART_COUNT
};

struct order_header {
    long long id;
    int version;
    char number[24], channel[32], channel_code[16], location[64], location_code[16];
    char fulfilment[16], status[24], status_since[32], placed_at[32], pickup_code[16];
    long long customer_id;
    char customer[128], customer_contact[192];
    char campaign[128], touchpoint[128];
    long long total_cents;
    char currency[4];
    char updated_by[128], updated_at[32];
};

struct order_detail {
    char key[130];
    const char *params[1];
    struct db_stmt st[ORDER_PART_COUNT];
};
/* key: an order number ("K-100001"), an id, or a pickup code. */
struct db_stmt *order_detail_stmts(struct order_detail *q, const char *key, size_t *n);
/* The same parts as one JSON document made by PostgreSQL (one row, one
 * column; NULL when there is no such order): {order, lines, payments,
 * history, notes, returns, moves}. */
struct db_stmt *order_detail_json_stmt(struct order_detail *q, const char *key);
/* False when the order does not exist (or the role may not see it).
 * status_since is relative ("2 days", "5 hours"); placed_at and updated_at
 * are "YYYY-MM-DD HH:MM" in the business time zone. */
bool order_header_read(const PGresult *res, struct order_header *h);

/* ---- lifecycle moves and notes ------------------------------------------ */

/* Moves an order (one transaction): UPDATE ... WHERE id AND version, then the
 * row as it is now. Conflict when the first statement changed no row.
 * version <= 0 means "whatever it is now": bulk actions on marked rows of a
 * list, where the database's lifecycle rules still refuse illegal moves. */
struct order_move {
    char id[24], version[16], to[24], note[512];
    const char *params[4];
    const char *cur_params[1];
    struct db_stmt st[2];
};
struct db_stmt *order_move_stmts(struct order_move *q, long long id, int version,
                                 const char *to_status, const char *note, size_t *n);

/* REFUSED: the role may not move this order (a clerk and an order of another
 * location: row-level security hides it from the UPDATE). NOT_FOUND: no
 * such order. Illegal moves and a missing reason are errors of the
 * transaction (23514, DB_ERR_CHECK), not outcomes. */
enum order_move_result { ORDER_MOVED, ORDER_CONFLICT, ORDER_REFUSED, ORDER_NOT_FOUND };
struct order_move_outcome {
    enum order_move_result result;
    char number[24];    /* the order's number */
    int version;        /* the version now */
    char status[24];    /* the status now */
    char by[128];       /* who changed it last */
    char at[32];        /* when */
};
void order_move_read(struct db_stmt *st, struct order_move_outcome *out);

/* Human name of a status ("ready for pickup") and of a fulfilment ("C&C"). */
const char *order_status_label(const char *status);
const char *order_fulfilment_label(const char *fulfilment);

struct order_note {
    char id[24], body[1024];
    const char *params[2];
    struct db_stmt st;
};
struct db_stmt *order_note_stmt(struct order_note *q, long long id, const char *body);

/* ---- pickups ------------------------------------------------------------ */

/* The pickup queue at a location (code): columns number, channel, customer,
 * items, section ('pick'|'ready'|'collected'), since (placed, ready or
 * collected at: "HH:MM" today, else "DD.MM. HH:MM"), days waiting, overdue
 * ('t'/'f'), id. Ordered by section, then oldest first. */
#define PICKUP_COLUMNS 9
struct pickup_queue {
    char location[16];
    const char *params[1];
    struct db_stmt st;
};
struct db_stmt *pickup_queue_stmt(struct pickup_queue *q, const char *location_code);

/* The counter search at a location: an order number or a pickup code (any
 * state), or a customer's name (orders still to pick or ready); columns
 * number, customer, status, id; best first. */
struct pickup_find {
    char location[16], text[130];
    const char *params[2];
    struct db_stmt st;
};
struct db_stmt *pickup_find_stmt(struct pickup_find *q, const char *location_code,
                                 const char *text);

/* ---- preferences (filters remembered per staff member) ------------------ */

struct staff_pref {
    char key[64], value[512];
    const char *params[2];
    struct db_stmt st;
};
struct db_stmt *staff_pref_get_stmt(struct staff_pref *q, const char *key);
struct db_stmt *staff_pref_set_stmt(struct staff_pref *q, const char *key, const char *value);

/* ---- batch -------------------------------------------------------------- */

/* kontor order show NUMBER [--format text|json]; kontor order list [filters]
 * [--format text|csv|json]: the same statements, printed. */

#endif

/* Returns across channels: the queue, the approvals, the detail, and every
 * step from start to refund. The steps are database functions (migration
 * 0008): the rules live there, these builders only pass what staff chose.
 * Like order.h, every struct that builds a statement owns the storage its
 * parameters point into, so it must live until the result is read. */
#ifndef KONTOR_RETURNS_H
#define KONTOR_RETURNS_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"
#include "kontor/order.h"

/* ---- codes, labels ------------------------------------------------------- */

/* A new RMA code "R-" + 6 characters from an alphabet without look-alikes
 * (no 0 O 1 I L), from libsodium's random generator. buf >= 9 bytes. */
void return_rma_new(char *buf, size_t len);
/* True for a well-formed RMA ("R-7K2Q9M", case-insensitive, "R" optional:
 * "7k2q9m"); writes the canonical form to out (>= 9 bytes). */
bool return_rma_parse(const char *s, char *out, size_t len);
/* "awaiting receipt"-style human name of a return status. */
const char *return_status_label(const char *status);
/* "original payment", "store credit", "exchange". */
const char *return_method_label(const char *method);

/* ---- the queue ----------------------------------------------------------- */

struct return_filter {
    char status[24];   /* a status, "open" (requested..inspected), "approval" (waiting
                          for a manager), or "" for all */
    char location[16]; /* receiving location code or "" */
};

/* Palette arguments: "open", "received HB-01", "approval", "all", a
 * status, a location code. false with *err (caller frees) for an unknown
 * word. */
bool return_filter_parse(struct return_filter *f, const char *args, char **err);
/* "open · Bremen HB-01 · oldest first" */
void return_filter_describe(const struct return_filter *f, char *buf, size_t len);

/* Columns of a queue page, then the two key columns (status_changed_at as
 * UTC text, id). */
enum return_col {
    RET_COL_RMA,
    RET_COL_STATUS,
    RET_COL_SINCE,    /* in this status since: "HH:MM" today, else "DD.MM. HH:MM" */
    RET_COL_WAITING,  /* "3 days", "5 hours" */
    RET_COL_OVERDUE,  /* 't' / 'f' (setting return_overdue_days per status) */
    RET_COL_ORDER,    /* order number */
    RET_COL_BOUGHT,   /* "App" or "Store HB-01": where it was bought */
    RET_COL_BACK,     /* "Store HB-01", "Web WH-01", "Web": where it comes back */
    RET_COL_CUSTOMER, /* name (masked data only) */
    RET_COL_ITEMS,    /* pieces */
    RET_COL_VALUE,    /* cents */
    RET_COL_APPROVAL, /* "waiting", "approved", "rejected" or "" */
    RET_COL_COUNT
};
#define RETURN_PAGE_KEYS 2

/* Oldest first (longest in its status). Fetch kinds as for orders. */
struct return_page {
    char sql[4096];
    char status[24], location[16], limit[12], k1[40], k2[24];
    const char *params[5];
    struct db_stmt st;
};
struct db_stmt *return_page_stmt(struct return_page *q, const struct return_filter *f,
                                 enum order_fetch how, const char *const *key, int limit);

/* Number of returns the filter matches (exact). */
struct return_count {
    char sql[1024];
    char status[24], location[16];
    const char *params[2];
    struct db_stmt st;
};
struct db_stmt *return_count_stmt(struct return_count *q, const struct return_filter *f);

/* ---- approvals ------------------------------------------------------------ */

/* Returns waiting for a manager, oldest request first. */
enum approval_col {
    APPR_COL_RMA,
    APPR_COL_WHAT,    /* "refund 349.00 €" or "outside window (41 days)" */
    APPR_COL_WHY,     /* "over service limit 200.00 €" or "" */
    APPR_COL_ASKED_BY,
    APPR_COL_ASKED_AT, /* "HH:MM" today, else "DD.MM. HH:MM" */
    APPR_COL_NOTE,     /* the asker's reason */
    APPR_COL_ORDER,
    APPR_COL_STATUS,
    APPR_COL_VALUE,    /* cents */
    APPR_COL_ID,
    APPR_COL_COUNT
};
struct approval_queue {
    struct db_stmt st;
};
struct db_stmt *approval_queue_stmt(struct approval_queue *q);

/* ---- the detail ------------------------------------------------------------ */

enum return_part {
    RETURN_PART_HEADER,  /* one row: see return_header */
    RETURN_PART_LINES,   /* see enum return_line_col */
    RETURN_PART_REFUNDS, /* method, amount cents, status, at, by, reference */
    RETURN_PART_HISTORY, /* at, from, to, who, note */
    RETURN_PART_COUNT
};

enum return_line_col {
    RL_COL_ID, RL_COL_SKU, RL_COL_ITEM, RL_COL_SIZE, RL_COL_QTY, RL_COL_RECEIVED,
    RL_COL_REASON, RL_COL_CONDITION, RL_COL_RESTOCKED, RL_COL_PRICE, RL_COL_EXCHANGE,
    RL_COL_COUNT
};

struct return_header {
    long long id, order_id, exchange_order_id;
    int version;
    char rma[16], status[24], status_since[32], reason[128];
    char order_number[24], order_status[24];
    char bought_channel[32], bought_location[64];   /* the order's */
    char back_channel[32], back_channel_code[16];   /* the return's */
    char back_location[64], back_location_code[16];
    char customer[128];
    char method[16], voucher[24], exchange_order[24];
    bool needs_approval, outside_window;
    char approval_decision[16], approval_note[256], asked_by[128], asked_at[32];
    char approval_reason[256], approved_by[128];
    int days_since_delivery, window_days;
    long long value_cents, refunded_cents, limit_cents; /* limit: the caller's, -1 none */
    char created_by[128], created_at[32], updated_by[128], updated_at[32];
};

struct return_detail {
    char key[64];
    const char *params[1];
    struct db_stmt st[RETURN_PART_COUNT];
};
/* key: an RMA ("R-7K2Q9M" or "7K2Q9M"), an id ("id:42" only as an id;
 * plain digits are tried as an RMA first: "234567" may be R-234567). */
struct db_stmt *return_detail_stmts(struct return_detail *q, const char *key, size_t *n);
/* The same as one JSON document made by PostgreSQL ({return, lines,
 * refunds, history}; NULL when there is no such return). */
struct db_stmt *return_detail_json_stmt(struct return_detail *q, const char *key);
bool return_header_read(const PGresult *res, struct return_header *h);

/* ---- starting a return ------------------------------------------------------ */

/* What an order offers for a return: its lines with what is still
 * returnable, the window, defaults. */
enum return_offer_col {
    RO_COL_LINE_ID, RO_COL_SKU, RO_COL_ITEM, RO_COL_SIZE, RO_COL_QTY, RO_COL_RETURNABLE,
    RO_COL_PRICE, RO_COL_COUNT
};
struct return_offer_header {
    long long order_id;
    char number[24], status[24], channel[32], channel_code[16], location[64];
    char fulfilment[16], done_at[32]; /* delivered / collected / completed: "DD.MM." */
    int days, window_days;            /* since done (or placed); window for the channel */
    char payment[64];                 /* "Card ****4242" */
    long long limit_cents;            /* caller's refund limit, -1 none */
    bool returnable;                  /* the order's status allows a return */
};
/* REASONS: one column, the configured reasons. LOCATIONS: code, name, kind
 * (stores and warehouses where goods can come back), stores first. */
enum return_offer_part { RETURN_OFFER_HEADER, RETURN_OFFER_LINES, RETURN_OFFER_REASONS,
                         RETURN_OFFER_LOCATIONS, RETURN_OFFER_COUNT };
struct return_offer {
    char key[64];
    const char *params[1];
    struct db_stmt st[RETURN_OFFER_COUNT];
};
struct db_stmt *return_offer_stmts(struct return_offer *q, const char *order_key, size_t *n);
bool return_offer_header_read(const PGresult *res, struct return_offer_header *h);

#define RETURN_MAX_LINES 64
struct return_new_line {
    long long line_id;
    int qty;
    char reason[64];
    char exchange_sku[40];
};
struct return_new {
    char order[64];
    char rma[16];
    struct return_new_line lines[RETURN_MAX_LINES];
    int nlines;
    char channel[16], location[16], method[16], reason[512];
    bool authorise;
};
/* One statement: kontor.return_start; result columns id, rma, status,
 * needs_approval, outside_window, days, value_cents. */
struct return_start {
    char ids[RETURN_MAX_LINES * 21], qtys[RETURN_MAX_LINES * 8];
    char reasons[RETURN_MAX_LINES * 65], skus[RETURN_MAX_LINES * 41];
    char authorise[2];
    struct return_new in;
    const char *params[11];
    struct db_stmt st;
};
struct db_stmt *return_start_stmt(struct return_start *q, const struct return_new *in);

/* ---- steps on an existing return --------------------------------------------- */

enum return_step_kind {
    RETURN_STEP_MOVE,    /* authorise / cancel / reject / close: to, note */
    RETURN_STEP_RECEIVE, /* location (may be ""), lines: return line id + qty (none: all) */
    RETURN_STEP_INSPECT, /* lines: return line id + condition */
    RETURN_STEP_REFUND,  /* note: the reason when approval must be asked */
    RETURN_STEP_APPROVE, /* manager: approve (true) or reject, note: reason */
};

struct return_step_line {
    long long line_id;
    int qty;
    char condition[16];
};

/* Runs the step and then the detail, in one transaction: statement 0 is
 * the step, 1.. the detail parts (see return_detail). A moved-on return is
 * a KX409 error (DB_ERR_CONFLICT) naming who and when. REFUND and APPROVE
 * return outcome, status, amount_cents (outcome: done, already, approval,
 * waiting; approved, rejected). */
struct return_step {
    enum return_step_kind kind;
    char id[24], version[16], to[24], note[512], location[16], approve[2];
    char ids[RETURN_MAX_LINES * 21], vals[RETURN_MAX_LINES * 17];
    const char *params[6];
    struct return_detail detail;
    struct db_stmt st[1 + RETURN_PART_COUNT];
};
struct db_stmt *return_step_stmts(struct return_step *q, enum return_step_kind kind, long long id,
                                  int version, const char *to, const char *note,
                                  const char *location, const struct return_step_line *lines,
                                  int nlines, bool approve, size_t *n);

#endif

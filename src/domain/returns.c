/* Returns: RMA codes, the queue (keyset pages, oldest first), the manager's
 * approvals, the detail in four parts, what an order offers for a return,
 * and the statements of every step. The steps are database functions
 * (migration 0008); lists of lines travel as newline-separated parameters
 * that PostgreSQL turns into JSON, so nothing is escaped by hand. */
#include "kontor/returns.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/text.h"
#include "kontor/xalloc.h"


/* ---- codes, labels ----------------------------------------------------------- */

static const char rma_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void return_rma_new(char *buf, size_t len)
{
    if (len < 9) {
        if (len > 0)
            buf[0] = '\0';
        return;
    }
    buf[0] = 'R';
    buf[1] = '-';
    for (int i = 0; i < 6; i++)
        buf[2 + i] = rma_alphabet[randombytes_uniform(sizeof(rma_alphabet) - 1)];
    buf[8] = '\0';
}

bool return_rma_parse(const char *s, char *out, size_t len)
{
    char code[7];
    size_t n = 0;

    if (s == NULL || len < 9)
        return false;
    s += strspn(s, " \t");
    if ((s[0] == 'R' || s[0] == 'r') && s[1] == '-')
        s += 2;
    for (; *s != '\0' && !isspace((unsigned char)*s); s++) {
        char c = (char)toupper((unsigned char)*s);
        if (n == 6 || strchr(rma_alphabet, c) == NULL || c == '\0')
            return false;
        code[n++] = c;
    }
    if (n != 6 || s[strspn(s, " \t")] != '\0')
        return false;
    code[6] = '\0';
    snprintf(out, len, "R-%s", code);
    return true;
}

static const struct {
    const char *status, *label;
} status_labels[] = {
    { "requested", "requested" },     { "authorised", "authorised, awaiting goods" },
    { "received", "received" },       { "inspected", "inspected, awaiting refund" },
    { "refunded", "refunded" },       { "credited", "credited (voucher)" },
    { "exchanged", "exchanged" },     { "closed", "closed" },
    { "rejected", "rejected" },       { "cancelled", "cancelled" },
};

const char *return_status_label(const char *status)
{
    for (size_t i = 0; i < sizeof(status_labels) / sizeof(status_labels[0]); i++)
        if (status != NULL && strcmp(status, status_labels[i].status) == 0)
            return status_labels[i].label;
    return status != NULL ? status : "";
}

const char *return_method_label(const char *method)
{
    if (method == NULL)
        return "";
    if (strcmp(method, "original") == 0)
        return "original payment";
    if (strcmp(method, "voucher") == 0)
        return "store credit (voucher)";
    if (strcmp(method, "exchange") == 0)
        return "exchange";
    return method;
}

/* ---- filter ---------------------------------------------------------------------- */

static const char *const return_statuses[] = { "requested", "authorised", "received", "inspected",
                                               "refunded",  "credited",   "exchanged", "closed",
                                               "rejected",  "cancelled" };

static bool is_location_code(const char *w)
{
    /* "HB-01": letters, a dash, digits */
    size_t i = 0;

    while (isalpha((unsigned char)w[i]))
        i++;
    if (i < 1 || i > 4 || w[i] != '-')
        return false;
    i++;
    if (!isdigit((unsigned char)w[i]))
        return false;
    while (isdigit((unsigned char)w[i]))
        i++;
    return w[i] == '\0' && i < 12;
}

bool return_filter_parse(struct return_filter *f, const char *args, char **err)
{
    char buf[256], *save = NULL;

    memset(f, 0, sizeof(*f));
    text_copy(f->status, sizeof(f->status), "open");
    text_copy(buf, sizeof(buf), args);
    for (char *w = strtok_r(buf, " \t,", &save); w != NULL; w = strtok_r(NULL, " \t,", &save)) {
        char low[64];
        bool known = false;

        text_copy(low, sizeof(low), w);
        for (char *p = low; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (strcmp(low, "all") == 0) {
            f->status[0] = '\0';
            continue;
        }
        if (strcmp(low, "open") == 0 || strcmp(low, "approval") == 0 || strcmp(low, "approvals") == 0) {
            text_copy(f->status, sizeof(f->status), low[0] == 'o' ? "open" : "approval");
            continue;
        }
        for (size_t i = 0; i < sizeof(return_statuses) / sizeof(return_statuses[0]); i++)
            if (strcmp(low, return_statuses[i]) == 0) {
                text_copy(f->status, sizeof(f->status), low);
                known = true;
            }
        if (known)
            continue;
        if (is_location_code(w)) {
            text_copy(f->location, sizeof(f->location), w);
            for (char *p = f->location; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            continue;
        }
        if (err != NULL)
            *err = xasprintf("\"%s\" is not a return status or location (try: open, approval, "
                             "received, inspected, all, HB-01)", w);
        return false;
    }
    return true;
}

void return_filter_describe(const struct return_filter *f, char *buf, size_t len)
{
    const char *st = f->status[0] == '\0'            ? "all"
                     : strcmp(f->status, "open") == 0 ? "open"
                     : strcmp(f->status, "approval") == 0 ? "waiting for approval"
                                                           : return_status_label(f->status);

    snprintf(buf, len, "%s%s%s · oldest first", st, f->location[0] ? " · " : "", f->location);
}

/* ---- the queue --------------------------------------------------------------------- */

#define RET_TZ "(SELECT kontor.setting_value('business_timezone') #>> '{}')"
#define RET_WHEN(x)                                                                      \
    "CASE WHEN (" x " AT TIME ZONE " RET_TZ ")::date = (now() AT TIME ZONE " RET_TZ ")::date " \
    "THEN to_char(" x " AT TIME ZONE " RET_TZ ", 'HH24:MI') "                             \
    "ELSE to_char(" x " AT TIME ZONE " RET_TZ ", 'DD.MM. HH24:MI') END"
#define RET_AGO(x)                                                                       \
    "(SELECT CASE WHEN d >= 86400 THEN floor(d / 86400)::int || CASE WHEN d < 172800 THEN ' day' ELSE ' days' END " \
    " WHEN d >= 3600 THEN floor(d / 3600)::int || CASE WHEN d < 7200 THEN ' hour' ELSE ' hours' END " \
    " ELSE greatest(floor(d / 60), 0)::int || ' min' END "                                \
    " FROM (SELECT extract(epoch FROM now() - (" x ")) AS d) a)"
#define RET_OPEN "r.status IN ('requested', 'authorised', 'received', 'inspected')"

#define RET_PAGE_SELECT                                                                  \
    "SELECT r.rma, r.status, " RET_WHEN("r.status_changed_at") " AS since, "             \
    RET_AGO("r.status_changed_at") " AS waiting, "                                        \
    "coalesce(now() - r.status_changed_at > make_interval(days => "                      \
    " (kontor.setting_value('return_overdue_days') ->> r.status)::int), false) AS overdue, " \
    "so.number AS order_number, "                                                        \
    "oc.name || coalesce(' ' || ol.code, '') AS bought, "                                 \
    "rc.name || coalesce(' ' || rl.code, '') AS back, "                                   \
    "coalesce(btrim(m.first_name || ' ' || m.last_name), '') AS customer, "              \
    "(SELECT coalesce(sum(x.qty), 0) FROM kontor.return_line x WHERE x.return_id = r.id) AS items, " \
    "kontor.return_value(r.id) AS value_cents, "                                          \
    "CASE WHEN r.needs_approval THEN coalesce(r.approval_decision, 'waiting') ELSE '' END AS approval, " \
    "to_char(r.status_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS k1, r.id " \
    "FROM kontor.return_order r "                                                        \
    "JOIN kontor.sales_order so ON so.id = r.order_id "                                  \
    "JOIN kontor.channel rc ON rc.id = r.channel_id "                                    \
    "LEFT JOIN kontor.channel oc ON oc.id = r.order_channel_id "                         \
    "LEFT JOIN kontor.location ol ON ol.id = r.order_location_id "                       \
    "LEFT JOIN kontor.location rl ON rl.id = r.location_id "                             \
    "LEFT JOIN kontor.customer_masked m ON m.id = so.customer_id "

/* The WHERE clause: the status and location conditions are written out as
 * literals where a partial index must match them. $1 status, $2 location. */
static void queue_where(char *buf, size_t len, const struct return_filter *f)
{
    const char *st;

    if (f->status[0] == '\0')
        st = "($1 = '' OR true)";
    else if (strcmp(f->status, "open") == 0)
        st = "($1 = 'open' AND " RET_OPEN ")";
    else if (strcmp(f->status, "approval") == 0)
        st = "($1 = 'approval' AND r.needs_approval AND r.approval_decision IS NULL "
             "AND r.status NOT IN ('rejected', 'cancelled', 'closed'))";
    else
        st = "r.status = $1";
    snprintf(buf, len, "WHERE %s AND %s ", st,
             f->location[0] ? "r.location_id = (SELECT id FROM kontor.location WHERE code = $2)"
                            : "($2 = '' OR true)");
}

struct db_stmt *return_page_stmt(struct return_page *q, const struct return_filter *f,
                                 enum order_fetch how, const char *const *key, int limit)
{
    char where[512];
    bool keyed = how == ORDER_FETCH_AFTER || how == ORDER_FETCH_BEFORE || how == ORDER_FETCH_FROM;
    bool up = how == ORDER_FETCH_LAST || how == ORDER_FETCH_BEFORE;
    const char *cmp = "";

    if (keyed && (key == NULL || key[0] == NULL || key[1] == NULL)) {
        how = ORDER_FETCH_FIRST;
        keyed = up = false;
    }
    if (how == ORDER_FETCH_AFTER)
        cmp = "AND (r.status_changed_at, r.id) > ($4::timestamptz, $5::bigint) ";
    else if (how == ORDER_FETCH_BEFORE)
        cmp = "AND (r.status_changed_at, r.id) < ($4::timestamptz, $5::bigint) ";
    else if (how == ORDER_FETCH_FROM)
        cmp = "AND (r.status_changed_at, r.id) >= ($4::timestamptz, $5::bigint) ";
    text_copy(q->status, sizeof(q->status), f->status);
    text_copy(q->location, sizeof(q->location), f->location);
    snprintf(q->limit, sizeof(q->limit), "%d", limit > 0 ? limit : 50);
    queue_where(where, sizeof(where), f);
    snprintf(q->sql, sizeof(q->sql), "%s%s%sORDER BY r.status_changed_at %s, r.id %s LIMIT $3::int",
             RET_PAGE_SELECT, where, cmp, up ? "DESC" : "", up ? "DESC" : "");
    q->params[0] = q->status;
    q->params[1] = q->location;
    q->params[2] = q->limit;
    if (keyed) {
        text_copy(q->k1, sizeof(q->k1), key[0]);
        text_copy(q->k2, sizeof(q->k2), key[1]);
        q->params[3] = q->k1;
        q->params[4] = q->k2;
    }
    q->st = (struct db_stmt)DB_STMT(q->sql, keyed ? 5 : 3, q->params);
    return &q->st;
}

struct db_stmt *return_count_stmt(struct return_count *q, const struct return_filter *f)
{
    char where[512];

    text_copy(q->status, sizeof(q->status), f->status);
    text_copy(q->location, sizeof(q->location), f->location);
    queue_where(where, sizeof(where), f);
    snprintf(q->sql, sizeof(q->sql), "SELECT count(*) FROM kontor.return_order r %s", where);
    q->params[0] = q->status;
    q->params[1] = q->location;
    q->st = (struct db_stmt)DB_STMT(q->sql, 2, q->params);
    return &q->st;
}

/* ---- approvals ------------------------------------------------------------------------ */

#define EUR(x) "to_char((" x ") / 100.0, 'FM999G999G990D00') || ' €'"

static const char sql_approvals[] =
    "SELECT r.rma, "
    "CASE WHEN r.outside_window THEN 'outside window (' || r.days_since_delivery || ' days)' "
    "     ELSE 'refund ' || " EUR("kontor.return_value(r.id)") " END AS what, "
    "CASE WHEN r.outside_window THEN '' ELSE coalesce('over ' || ask.role || ' limit ' || "
    EUR("(kontor.setting_value('refund_limit_cents', ask.role) #>> '{}')::bigint") ", '') END AS why, "
    "coalesce(ask.display_name, '') AS asked_by, " RET_WHEN("r.approval_requested_at") " AS asked_at, "
    "coalesce(r.approval_note, '') AS note, so.number AS order_number, r.status, "
    "kontor.return_value(r.id) AS value_cents, r.id "
    "FROM kontor.return_order r JOIN kontor.sales_order so ON so.id = r.order_id "
    "LEFT JOIN kontor.staff ask ON ask.id = r.approval_requested_by "
    "WHERE r.needs_approval AND r.approval_decision IS NULL "
    "AND r.status NOT IN ('rejected', 'cancelled', 'closed') "
    "ORDER BY r.approval_requested_at, r.id LIMIT 500";

struct db_stmt *approval_queue_stmt(struct approval_queue *q)
{
    q->st = (struct db_stmt)DB_STMT(sql_approvals, 0, NULL);
    return &q->st;
}

/* ---- the detail ------------------------------------------------------------------------- */

/* The return a key names: an RMA (with or without "R-"), or an id ("id:42"
 * is an id only; plain digits are tried as an RMA first). */
#define RETURN_KEY                                                                       \
    "WITH k AS (SELECT id FROM ("                                                        \
    " SELECT id, 1 AS p FROM kontor.return_order WHERE rma = upper($1) OR rma = 'R-' || upper($1) " \
    " UNION ALL SELECT id, 2 FROM kontor.return_order "                                  \
    "   WHERE id = CASE WHEN $1 ~ '^(id:)?[0-9]{1,18}$' THEN ltrim($1, 'id:')::bigint END" \
    ") x ORDER BY p LIMIT 1) "
#define RET_TIME(x) "to_char((" x ") AT TIME ZONE " RET_TZ ", 'YYYY-MM-DD HH24:MI')"

#define SQL_R_HEADER                                                                     \
    RETURN_KEY                                                                           \
    "SELECT r.id, r.version, r.rma, r.status, " RET_AGO("r.status_changed_at") " AS status_since, " \
    "coalesce(r.reason, '') AS reason, so.id AS order_id, so.number AS order_number, "   \
    "so.status AS order_status, oc.name AS bought_channel, "                              \
    "coalesce(ol.name || ' ' || ol.code, '') AS bought_location, "                        \
    "rc.name AS back_channel, rc.code AS back_channel_code, "                            \
    "coalesce(rl.name, '') AS back_location, coalesce(rl.code, '') AS back_location_code, " \
    "coalesce(btrim(m.first_name || ' ' || m.last_name), '') AS customer, "              \
    "coalesce(r.refund_method, 'original') AS method, coalesce(r.voucher_code, '') AS voucher, " \
    "coalesce(r.exchange_order_id, 0) AS exchange_order_id, coalesce(xo.number, '') AS exchange_order, " \
    "r.needs_approval, r.outside_window, coalesce(r.approval_decision, '') AS approval_decision, " \
    "coalesce(r.approval_note, '') AS approval_note, coalesce(ask.display_name, '') AS asked_by, " \
    "coalesce(" RET_TIME("r.approval_requested_at") ", '') AS asked_at, "               \
    "coalesce(r.approval_reason, '') AS approval_reason, coalesce(dec.display_name, '') AS approved_by, " \
    "coalesce(r.days_since_delivery, 0) AS days_since_delivery, "                        \
    "coalesce((kontor.setting_value('return_window_days', oc.code) #>> '{}')::int, 0) AS window_days, " \
    "kontor.return_value(r.id) AS value_cents, "                                          \
    "(SELECT coalesce(sum(f.amount_cents), 0) FROM kontor.refund f "                     \
    " WHERE f.return_id = r.id AND f.status <> 'failed') AS refunded_cents, "             \
    "coalesce(kontor.refund_limit(), -1) AS limit_cents, "                                \
    "coalesce(cr.display_name, '') AS created_by, " RET_TIME("r.created_at") " AS created_at, " \
    "coalesce(up.display_name, '') AS updated_by, " RET_TIME("r.updated_at") " AS updated_at " \
    "FROM k JOIN kontor.return_order r ON r.id = k.id "                                  \
    "JOIN kontor.sales_order so ON so.id = r.order_id "                                  \
    "JOIN kontor.channel rc ON rc.id = r.channel_id "                                    \
    "LEFT JOIN kontor.channel oc ON oc.id = r.order_channel_id "                         \
    "LEFT JOIN kontor.location ol ON ol.id = r.order_location_id "                       \
    "LEFT JOIN kontor.location rl ON rl.id = r.location_id "                             \
    "LEFT JOIN kontor.customer_masked m ON m.id = so.customer_id "                       \
    "LEFT JOIN kontor.sales_order xo ON xo.id = r.exchange_order_id "                    \
    "LEFT JOIN kontor.staff ask ON ask.id = r.approval_requested_by "                    \
    "LEFT JOIN kontor.staff dec ON dec.id = r.approved_by "                              \
    "LEFT JOIN kontor.staff cr ON cr.id = r.created_by "                                 \
    "LEFT JOIN kontor.staff up ON up.id = r.updated_by"

enum {
    H_ID, H_VERSION, H_RMA, H_STATUS, H_SINCE, H_REASON, H_ORDER_ID, H_ORDER, H_ORDER_STATUS,
    H_BOUGHT_CH, H_BOUGHT_LOC, H_BACK_CH, H_BACK_CH_CODE, H_BACK_LOC, H_BACK_LOC_CODE, H_CUSTOMER,
    H_METHOD, H_VOUCHER, H_XO_ID, H_XO, H_NEEDS, H_OUTSIDE, H_DECISION, H_APPR_NOTE, H_ASKED_BY,
    H_ASKED_AT, H_APPR_REASON, H_APPROVED_BY, H_DAYS, H_WINDOW, H_VALUE, H_REFUNDED, H_LIMIT,
    H_CREATED_BY, H_CREATED_AT, H_UPDATED_BY, H_UPDATED_AT, H_COUNT
};

#define SQL_R_LINES                                                                      \
    RETURN_KEY                                                                           \
    "SELECT rl.id, ol.sku, ol.name AS item, coalesce(ol.size, '') AS size, rl.qty, "     \
    "rl.qty_received AS received, coalesce(rl.reason, '') AS reason, "                   \
    "coalesce(rl.condition, '') AS condition, rl.restocked, ol.unit_price_cents AS price_cents, " \
    "coalesce(p.sku, '') AS exchange_sku "                                               \
    "FROM k JOIN kontor.return_line rl ON rl.return_id = k.id "                          \
    "JOIN kontor.order_line ol ON ol.id = rl.order_line_id "                             \
    "LEFT JOIN kontor.product p ON p.id = rl.exchange_product_id ORDER BY ol.line_no"

#define SQL_R_REFUNDS                                                                    \
    RETURN_KEY                                                                           \
    "SELECT f.method, f.amount_cents, f.status, " RET_TIME("f.at") " AS at, "            \
    "coalesce(s.display_name, '') AS by, coalesce(p.reference, '') AS reference "        \
    "FROM k JOIN kontor.refund f ON f.return_id = k.id "                                 \
    "LEFT JOIN kontor.payment p ON p.id = f.payment_id "                                 \
    "LEFT JOIN kontor.staff s ON s.id = f.created_by ORDER BY f.at, f.id"

#define SQL_R_HISTORY                                                                    \
    RETURN_KEY                                                                           \
    "SELECT " RET_TIME("e.at") " AS at, coalesce(e.from_status, '') AS from_status, "   \
    "e.to_status, coalesce(s.display_name || ' (' || s.role || ')', '') AS who, "        \
    "coalesce(e.note, '') AS note "                                                      \
    "FROM k JOIN kontor.return_event e ON e.return_id = k.id "                           \
    "LEFT JOIN kontor.staff s ON s.id = e.staff_id ORDER BY e.at, e.id"

static const char *const sql_r_detail[RETURN_PART_COUNT] = {
    [RETURN_PART_HEADER] = SQL_R_HEADER,
    [RETURN_PART_LINES] = SQL_R_LINES,
    [RETURN_PART_REFUNDS] = SQL_R_REFUNDS,
    [RETURN_PART_HISTORY] = SQL_R_HISTORY,
};

static const char sql_r_json[] =
    "SELECT CASE WHEN h.id IS NULL THEN NULL ELSE json_build_object("
    "'return', to_json(h), "
    "'lines', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_R_LINES ") x), "
    "'refunds', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_R_REFUNDS ") x), "
    "'history', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_R_HISTORY ") x)) END "
    "FROM (SELECT 1) one LEFT JOIN (" SQL_R_HEADER ") h ON true";

static void detail_key(struct return_detail *q, const char *key)
{
    char rma[16];

    text_copy_trim(q->key, sizeof(q->key), key);
    if (strncmp(q->key, "id:", 3) != 0 && return_rma_parse(q->key, rma, sizeof(rma)))
        text_copy(q->key, sizeof(q->key), rma);
    q->params[0] = q->key;
}

struct db_stmt *return_detail_stmts(struct return_detail *q, const char *key, size_t *n)
{
    detail_key(q, key);
    for (int i = 0; i < RETURN_PART_COUNT; i++)
        q->st[i] = (struct db_stmt)DB_STMT(sql_r_detail[i], 1, q->params);
    *n = RETURN_PART_COUNT;
    return q->st;
}

struct db_stmt *return_detail_json_stmt(struct return_detail *q, const char *key)
{
    detail_key(q, key);
    q->st[0] = (struct db_stmt)DB_STMT(sql_r_json, 1, q->params);
    return &q->st[0];
}

static bool is_true(const PGresult *res, int col)
{
    return strcmp(db_value(res, 0, col), "t") == 0;
}

bool return_header_read(const PGresult *res, struct return_header *h)
{
    memset(h, 0, sizeof(*h));
    if (res == NULL || PQntuples(res) < 1 || PQnfields(res) < H_COUNT)
        return false;
    h->id = db_value_ll(res, 0, H_ID);
    h->version = (int)db_value_ll(res, 0, H_VERSION);
    text_copy(h->rma, sizeof(h->rma), db_value(res, 0, H_RMA));
    text_copy(h->status, sizeof(h->status), db_value(res, 0, H_STATUS));
    text_copy(h->status_since, sizeof(h->status_since), db_value(res, 0, H_SINCE));
    text_copy(h->reason, sizeof(h->reason), db_value(res, 0, H_REASON));
    h->order_id = db_value_ll(res, 0, H_ORDER_ID);
    text_copy(h->order_number, sizeof(h->order_number), db_value(res, 0, H_ORDER));
    text_copy(h->order_status, sizeof(h->order_status), db_value(res, 0, H_ORDER_STATUS));
    text_copy(h->bought_channel, sizeof(h->bought_channel), db_value(res, 0, H_BOUGHT_CH));
    text_copy(h->bought_location, sizeof(h->bought_location), db_value(res, 0, H_BOUGHT_LOC));
    text_copy(h->back_channel, sizeof(h->back_channel), db_value(res, 0, H_BACK_CH));
    text_copy(h->back_channel_code, sizeof(h->back_channel_code), db_value(res, 0, H_BACK_CH_CODE));
    text_copy(h->back_location, sizeof(h->back_location), db_value(res, 0, H_BACK_LOC));
    text_copy(h->back_location_code, sizeof(h->back_location_code), db_value(res, 0, H_BACK_LOC_CODE));
    text_copy(h->customer, sizeof(h->customer), db_value(res, 0, H_CUSTOMER));
    text_copy(h->method, sizeof(h->method), db_value(res, 0, H_METHOD));
    text_copy(h->voucher, sizeof(h->voucher), db_value(res, 0, H_VOUCHER));
    h->exchange_order_id = db_value_ll(res, 0, H_XO_ID);
    text_copy(h->exchange_order, sizeof(h->exchange_order), db_value(res, 0, H_XO));
    h->needs_approval = is_true(res, H_NEEDS);
    h->outside_window = is_true(res, H_OUTSIDE);
    text_copy(h->approval_decision, sizeof(h->approval_decision), db_value(res, 0, H_DECISION));
    text_copy(h->approval_note, sizeof(h->approval_note), db_value(res, 0, H_APPR_NOTE));
    text_copy(h->asked_by, sizeof(h->asked_by), db_value(res, 0, H_ASKED_BY));
    text_copy(h->asked_at, sizeof(h->asked_at), db_value(res, 0, H_ASKED_AT));
    text_copy(h->approval_reason, sizeof(h->approval_reason), db_value(res, 0, H_APPR_REASON));
    text_copy(h->approved_by, sizeof(h->approved_by), db_value(res, 0, H_APPROVED_BY));
    h->days_since_delivery = (int)db_value_ll(res, 0, H_DAYS);
    h->window_days = (int)db_value_ll(res, 0, H_WINDOW);
    h->value_cents = db_value_ll(res, 0, H_VALUE);
    h->refunded_cents = db_value_ll(res, 0, H_REFUNDED);
    h->limit_cents = db_value_ll(res, 0, H_LIMIT);
    text_copy(h->created_by, sizeof(h->created_by), db_value(res, 0, H_CREATED_BY));
    text_copy(h->created_at, sizeof(h->created_at), db_value(res, 0, H_CREATED_AT));
    text_copy(h->updated_by, sizeof(h->updated_by), db_value(res, 0, H_UPDATED_BY));
    text_copy(h->updated_at, sizeof(h->updated_at), db_value(res, 0, H_UPDATED_AT));
    return true;
}

/* ---- what an order offers for a return ------------------------------------------------- */

#define OFFER_KEY                                                                        \
    "WITH o AS (SELECT id FROM kontor.sales_order "                                      \
    " WHERE number = upper($1) OR number = 'K-' || $1 "                                  \
    "    OR id = CASE WHEN $1 ~ '^[0-9]{1,18}$' THEN $1::bigint END "                     \
    " ORDER BY number = upper($1) DESC LIMIT 1) "

static const char *const sql_offer[RETURN_OFFER_COUNT] = {
    [RETURN_OFFER_HEADER] =
        OFFER_KEY
        "SELECT so.id, so.number, so.status, c.name AS channel, c.code AS channel_code, "
        "coalesce(l.name || ' ' || l.code, '') AS location, so.fulfilment, "
        "coalesce(to_char(d.at AT TIME ZONE " RET_TZ ", 'DD.MM.'), '') AS done_at, "
        "floor(extract(epoch FROM now() - coalesce(d.at, so.placed_at)) / 86400)::int AS days, "
        "coalesce((kontor.setting_value('return_window_days', c.code) #>> '{}')::int, 0) AS window_days, "
        "coalesce((SELECT initcap(p.method) || coalesce(' ' || p.reference, '') FROM kontor.payment p "
        "          WHERE p.order_id = so.id AND p.status = 'captured' "
        "          ORDER BY p.amount_cents DESC, p.id LIMIT 1), 'no captured payment') AS payment, "
        "coalesce(kontor.refund_limit(), -1) AS limit_cents, "
        "so.status IN ('shipped', 'delivered', 'collected', 'completed', 'partially_returned') AS returnable "
        "FROM o JOIN kontor.sales_order so ON so.id = o.id "
        "JOIN kontor.channel c ON c.id = so.channel_id "
        "LEFT JOIN kontor.location l ON l.id = so.location_id "
        "LEFT JOIN LATERAL (SELECT max(e.at) AS at FROM kontor.order_event e WHERE e.order_id = so.id "
        "                   AND e.to_status IN ('delivered', 'collected', 'completed')) d ON true",
    [RETURN_OFFER_LINES] =
        OFFER_KEY
        "SELECT ol.id, ol.sku, ol.name, coalesce(ol.size, '') AS size, ol.qty, "
        "ol.qty - ol.qty_returned AS returnable, ol.unit_price_cents "
        "FROM o JOIN kontor.order_line_status ol ON ol.order_id = o.id ORDER BY ol.line_no",
    [RETURN_OFFER_REASONS] =
        "SELECT jsonb_array_elements_text(kontor.setting_value('return_reasons')) AS reason",
    [RETURN_OFFER_LOCATIONS] =
        "SELECT code, name, kind FROM kontor.location WHERE active AND kind IN ('store', 'warehouse') "
        "ORDER BY kind = 'warehouse', code",
};

enum {
    OH_ID, OH_NUMBER, OH_STATUS, OH_CHANNEL, OH_CHANNEL_CODE, OH_LOCATION, OH_FULFILMENT,
    OH_DONE, OH_DAYS, OH_WINDOW, OH_PAYMENT, OH_LIMIT, OH_RETURNABLE, OH_COUNT
};

struct db_stmt *return_offer_stmts(struct return_offer *q, const char *order_key, size_t *n)
{
    text_copy_trim(q->key, sizeof(q->key), order_key);
    q->params[0] = q->key;
    for (int i = 0; i < RETURN_OFFER_COUNT; i++)
        q->st[i] = (struct db_stmt)DB_STMT(sql_offer[i], i >= RETURN_OFFER_REASONS ? 0 : 1,
                                           i >= RETURN_OFFER_REASONS ? NULL : q->params);
    *n = RETURN_OFFER_COUNT;
    return q->st;
}

bool return_offer_header_read(const PGresult *res, struct return_offer_header *h)
{
    memset(h, 0, sizeof(*h));
    if (res == NULL || PQntuples(res) < 1 || PQnfields(res) < OH_COUNT)
        return false;
    h->order_id = db_value_ll(res, 0, OH_ID);
    text_copy(h->number, sizeof(h->number), db_value(res, 0, OH_NUMBER));
    text_copy(h->status, sizeof(h->status), db_value(res, 0, OH_STATUS));
    text_copy(h->channel, sizeof(h->channel), db_value(res, 0, OH_CHANNEL));
    text_copy(h->channel_code, sizeof(h->channel_code), db_value(res, 0, OH_CHANNEL_CODE));
    text_copy(h->location, sizeof(h->location), db_value(res, 0, OH_LOCATION));
    text_copy(h->fulfilment, sizeof(h->fulfilment), db_value(res, 0, OH_FULFILMENT));
    text_copy(h->done_at, sizeof(h->done_at), db_value(res, 0, OH_DONE));
    h->days = (int)db_value_ll(res, 0, OH_DAYS);
    h->window_days = (int)db_value_ll(res, 0, OH_WINDOW);
    text_copy(h->payment, sizeof(h->payment), db_value(res, 0, OH_PAYMENT));
    h->limit_cents = db_value_ll(res, 0, OH_LIMIT);
    h->returnable = is_true(res, OH_RETURNABLE);
    return true;
}

/* ---- starting a return -------------------------------------------------------------------- */

/* Appends one line's value to a newline-separated list; values are cut at
 * the first control character (a list separator cannot be smuggled in). */
static void list_add(char *buf, size_t len, int index, const char *value)
{
    size_t at = strlen(buf);
    size_t n = 0;

    if (index > 0 && at + 1 < len)
        buf[at++] = '\n';
    while (value[n] != '\0' && (unsigned char)value[n] >= 0x20 && at + 1 < len)
        buf[at++] = value[n++];
    buf[at] = '\0';
}

static const char sql_start[] =
    "SELECT * FROM kontor.return_start($1, nullif($2, ''), "
    "(SELECT jsonb_agg(jsonb_build_object('line', u.i::bigint, 'qty', u.q::int, 'reason', u.r, "
    "                                     'exchange_sku', nullif(u.x, ''))) "
    " FROM unnest(string_to_array($3, E'\\n'), string_to_array($4, E'\\n'), "
    "             string_to_array($5, E'\\n'), string_to_array($6, E'\\n')) AS u(i, q, r, x)), "
    "$7, nullif($8, ''), $9, nullif($10, ''), $11::boolean)";

struct db_stmt *return_start_stmt(struct return_start *q, const struct return_new *in)
{
    char num[24];

    q->in = *in;
    q->ids[0] = q->qtys[0] = q->reasons[0] = q->skus[0] = '\0';
    for (int i = 0; i < in->nlines && i < RETURN_MAX_LINES; i++) {
        snprintf(num, sizeof(num), "%lld", in->lines[i].line_id);
        list_add(q->ids, sizeof(q->ids), i, num);
        snprintf(num, sizeof(num), "%d", in->lines[i].qty);
        list_add(q->qtys, sizeof(q->qtys), i, num);
        list_add(q->reasons, sizeof(q->reasons), i, in->lines[i].reason);
        list_add(q->skus, sizeof(q->skus), i, in->lines[i].exchange_sku);
    }
    text_copy(q->authorise, sizeof(q->authorise), in->authorise ? "t" : "f");
    q->params[0] = q->in.order;
    q->params[1] = q->in.rma;
    q->params[2] = q->ids;
    q->params[3] = q->qtys;
    q->params[4] = q->reasons;
    q->params[5] = q->skus;
    q->params[6] = q->in.channel;
    q->params[7] = q->in.location;
    q->params[8] = q->in.method;
    q->params[9] = q->in.reason;
    q->params[10] = q->authorise;
    q->st = (struct db_stmt)DB_STMT(sql_start, 11, q->params);
    return &q->st;
}

/* ---- steps ----------------------------------------------------------------------------------- */

static const char sql_step_move[] =
    "SELECT kontor.return_move($1::bigint, $2::int, $3, nullif($4, ''))";
static const char sql_step_receive[] =
    "SELECT kontor.return_receive($1::bigint, $2::int, nullif($3, ''), "
    "(SELECT jsonb_agg(jsonb_build_object('line', u.i::bigint, 'qty', u.q::int)) "
    " FROM unnest(string_to_array(nullif($4, ''), E'\\n'), string_to_array(nullif($5, ''), E'\\n')) AS u(i, q)))";
static const char sql_step_inspect[] =
    "SELECT kontor.return_inspect($1::bigint, $2::int, "
    "(SELECT jsonb_agg(jsonb_build_object('line', u.i::bigint, 'condition', u.c)) "
    " FROM unnest(string_to_array($3, E'\\n'), string_to_array($4, E'\\n')) AS u(i, c)))";
static const char sql_step_refund[] =
    "SELECT * FROM kontor.return_refund($1::bigint, $2::int, nullif($3, ''))";
static const char sql_step_approve[] =
    "SELECT * FROM kontor.return_approve($1::bigint, $2::boolean, $3)";

struct db_stmt *return_step_stmts(struct return_step *q, enum return_step_kind kind, long long id,
                                  int version, const char *to, const char *note,
                                  const char *location, const struct return_step_line *lines,
                                  int nlines, bool approve, size_t *n)
{
    char num[24];
    size_t nd;

    q->kind = kind;
    snprintf(q->id, sizeof(q->id), "%lld", id);
    snprintf(q->version, sizeof(q->version), "%d", version);
    text_copy(q->to, sizeof(q->to), to);
    text_copy_trim(q->note, sizeof(q->note), note);
    text_copy_trim(q->location, sizeof(q->location), location);
    text_copy(q->approve, sizeof(q->approve), approve ? "t" : "f");
    q->ids[0] = q->vals[0] = '\0';
    for (int i = 0; lines != NULL && i < nlines && i < RETURN_MAX_LINES; i++) {
        snprintf(num, sizeof(num), "%lld", lines[i].line_id);
        list_add(q->ids, sizeof(q->ids), i, num);
        if (kind == RETURN_STEP_INSPECT) {
            list_add(q->vals, sizeof(q->vals), i, lines[i].condition);
        } else {
            snprintf(num, sizeof(num), "%d", lines[i].qty);
            list_add(q->vals, sizeof(q->vals), i, num);
        }
    }
    q->params[0] = q->id;
    q->params[1] = q->version;
    switch (kind) {
    case RETURN_STEP_MOVE:
        q->params[2] = q->to;
        q->params[3] = q->note;
        q->st[0] = (struct db_stmt)DB_STMT(sql_step_move, 4, q->params);
        break;
    case RETURN_STEP_RECEIVE:
        q->params[2] = q->location;
        q->params[3] = q->ids;
        q->params[4] = q->vals;
        q->st[0] = (struct db_stmt)DB_STMT(sql_step_receive, 5, q->params);
        break;
    case RETURN_STEP_INSPECT:
        q->params[2] = q->ids;
        q->params[3] = q->vals;
        q->st[0] = (struct db_stmt)DB_STMT(sql_step_inspect, 4, q->params);
        break;
    case RETURN_STEP_REFUND:
        q->params[2] = q->note;
        q->st[0] = (struct db_stmt)DB_STMT(sql_step_refund, 3, q->params);
        break;
    case RETURN_STEP_APPROVE:
        q->params[1] = q->approve;
        q->params[2] = q->note;
        q->st[0] = (struct db_stmt)DB_STMT(sql_step_approve, 3, q->params);
        break;
    }
    snprintf(num, sizeof(num), "id:%lld", id);
    return_detail_stmts(&q->detail, num, &nd);
    for (size_t i = 0; i < nd; i++)
        q->st[1 + i] = q->detail.st[i];
    *n = 1 + nd;
    return q->st;
}

/* Customers: the view in five parts (one round trip), the edits through
 * the version-checking functions of migration 0012, the export to a file
 * only its owner can read, and the erasure. Two sets of view statements:
 * service and managers read the tables; a clerk's read the masked view
 * only and leave out what the role may not read, which the database
 * refuses anyway. */
#include "kontor/customer.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/order.h"
#include "kontor/returns.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

/* ---- small things ------------------------------------------------------------ */

bool customer_id_parse(const char *s, long long *id)
{
    char *end;
    long long v;

    if (s == NULL)
        return false;
    s += strspn(s, " \t");
    if (strncmp(s, "id:", 3) == 0)
        s += 3;
    if (!isdigit((unsigned char)*s) || strspn(s, "0123456789") > 18)
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || v <= 0 || end[strspn(end, " \t")] != '\0')
        return false;
    *id = v;
    return true;
}

bool customer_role_full(enum db_role role)
{
    return role == DB_ROLE_SERVICE || role == DB_ROLE_MANAGER;
}

const char *customer_identity_kind_label(const char *kind)
{
    static const struct {
        const char *kind, *label;
    } labels[] = {
        { "email", "e-mail" },        { "phone", "phone" },
        { "loyalty", "loyalty card" }, { "web_account", "web account" },
        { "marketplace_id", "marketplace id" },
    };

    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (kind != NULL && strcmp(kind, labels[i].kind) == 0)
            return labels[i].label;
    return kind != NULL ? kind : "";
}

const char *customer_timeline_status_label(const char *kind, const char *status)
{
    if (kind == NULL || status == NULL || status[0] == '\0')
        return "";
    if (strcmp(kind, "order") == 0)
        return order_status_label(status);
    if (strcmp(kind, "return") == 0)
        return return_status_label(status);
    if (strcmp(kind, "refund") == 0)
        return strcmp(status, "done") == 0        ? "refunded"
               : strcmp(status, "requested") == 0 ? "refund requested"
                                                  : "refund failed";
    return status;
}

static void set_id(char *buf, size_t len, long long id)
{
    snprintf(buf, len, "%lld", id);
}

/* ---- the view ------------------------------------------------------------------ */

/* The business time zone, read from the table (setting_value() is a call
 * with its own search_path per use: measurable in a view of five parts). */
#define CUS_TZ                                                                           \
    "(SELECT s.value #>> '{}' FROM kontor.setting s "                                   \
    " WHERE s.key = 'business_timezone' AND s.scope = '')"
#define CUS_DAY(x) "to_char((" x ") AT TIME ZONE " CUS_TZ ", 'YYYY-MM-DD')"
#define CUS_TIME(x) "to_char((" x ") AT TIME ZONE " CUS_TZ ", 'YYYY-MM-DD HH24:MI')"

#define SQL_C_HEADER_FULL                                                                \
    "SELECT c.id, c.version, c.first_name, c.last_name, "                               \
    "coalesce(to_char(c.birthdate, 'YYYY-MM-DD'), '') AS birthdate, "                   \
    "coalesce(c.street, '') AS street, coalesce(c.postcode, '') AS postcode, "          \
    "coalesce(c.city, '') AS city, coalesce(c.country, '') AS country, "                \
    "coalesce(hc.name, '') AS home_channel, " CUS_DAY("c.created_at") " AS since, "      \
    "coalesce(c.merged_into, 0) AS merged_into, "                                       \
    "coalesce(" CUS_DAY("c.merged_at") ", '') AS merged_at, "                            \
    "coalesce(" CUS_TIME("c.erased_at") ", '') AS erased_at, "                           \
    "coalesce(s.display_name, '') AS updated_by, " CUS_TIME("c.updated_at") " AS updated_at, " \
    "'' AS email_masked, '' AS phone_masked, true AS full "                              \
    "FROM kontor.customer c "                                                            \
    "LEFT JOIN kontor.channel hc ON hc.id = c.home_channel_id "                          \
    "LEFT JOIN kontor.staff s ON s.id = c.updated_by "                                   \
    "WHERE c.id = $1::bigint"

#define SQL_C_HEADER_MASKED                                                              \
    "SELECT m.id, 0 AS version, m.first_name, m.last_name, '' AS birthdate, '' AS street, " \
    "'' AS postcode, coalesce(m.city, '') AS city, '' AS country, '' AS home_channel, "  \
    CUS_DAY("m.created_at") " AS since, coalesce(m.merged_into, 0) AS merged_into, "      \
    "'' AS merged_at, coalesce(" CUS_TIME("m.erased_at") ", '') AS erased_at, "          \
    "'' AS updated_by, '' AS updated_at, coalesce(m.email_masked, '') AS email_masked, "  \
    "coalesce(m.phone_masked, '') AS phone_masked, false AS full "                       \
    "FROM kontor.customer_masked m WHERE m.id = $1::bigint"

enum {
    H_ID, H_VERSION, H_FIRST, H_LAST, H_BIRTHDATE, H_STREET, H_POSTCODE, H_CITY, H_COUNTRY,
    H_HOME, H_SINCE, H_MERGED_INTO, H_MERGED_AT, H_ERASED_AT, H_UPDATED_BY, H_UPDATED_AT,
    H_EMAIL_MASKED, H_PHONE_MASKED, H_FULL, H_COUNT
};

#define SQL_C_IDENTITIES_FULL                                                            \
    "SELECT i.id, i.version, i.kind, i.value, coalesce(i.source, '') AS source, i.verified, " \
    CUS_DAY("i.created_at") " AS since "                                                 \
    "FROM kontor.customer_identity i "                                                   \
    "WHERE i.customer_id = $1::bigint AND i.retired_at IS NULL "                         \
    "ORDER BY array_position(ARRAY['web_account', 'loyalty', 'phone', 'email', "        \
    "'marketplace_id'], i.kind), i.created_at, i.id"

#define SQL_C_IDENTITIES_MASKED                                                          \
    "SELECT 0::bigint AS id, 0 AS version, x.kind, x.value, '' AS source, false AS verified, " \
    "'' AS since FROM kontor.customer_masked m "                                         \
    "CROSS JOIN LATERAL (VALUES (1, 'phone', m.phone_masked), (2, 'email', m.email_masked)) " \
    "AS x(n, kind, value) WHERE m.id = $1::bigint AND x.value IS NOT NULL ORDER BY x.n"

#define SQL_C_CONSENTS_FULL                                                              \
    "SELECT cc.id, cc.purpose, coalesce(ch.name, '') AS channel, "                      \
    "coalesce(ch.code, '') AS channel_code, "                                            \
    "cc.granted, cc.source, " CUS_DAY("cc.at") " AS at, coalesce(s.display_name, '') AS by " \
    "FROM kontor.consent_current cc "                                                    \
    "LEFT JOIN kontor.channel ch ON ch.id = cc.channel_id "                              \
    "LEFT JOIN kontor.staff s ON s.id = cc.recorded_by "                                 \
    "WHERE cc.customer_id = $1::bigint "                                                 \
    "ORDER BY array_position(ARRAY['newsletter', 'sms', 'post', 'phone', 'profiling', "  \
    "'app_push'], cc.purpose), ch.sort_order, cc.id"

/* A clerk reads no consents: the same columns, no rows, no table. */
#define SQL_C_CONSENTS_MASKED                                                            \
    "SELECT 0::bigint AS id, '' AS purpose, '' AS channel, '' AS channel_code, false AS granted, " \
    "'' AS source, '' AS at, '' AS by WHERE $1::bigint IS NULL"

/* Counters and the journey: functions of migration 0012 (their plans are
 * kept for the session). The journey's sources come each with their newest
 * $2 entries; merged here, newest first. */
#define SQL_C_COUNTS_FULL "SELECT * FROM kontor.customer_counts($1::bigint, true)"
#define SQL_C_COUNTS_MASKED "SELECT * FROM kontor.customer_counts($1::bigint, false)"
#define SQL_C_TIMELINE(FULL)                                                             \
    "SELECT * FROM kontor.customer_timeline($1::bigint, $2::int, " FULL ") t "            \
    "ORDER BY t.at DESC, t.id DESC LIMIT $2::int"
#define SQL_C_TIMELINE_FULL SQL_C_TIMELINE("true")
#define SQL_C_TIMELINE_MASKED SQL_C_TIMELINE("false")

enum {
    K_ORDERS, K_KEPT, K_REVENUE, K_RETURNS, K_RATE, K_ENTRIES, K_DUPLICATES, K_BY_CHANNEL, K_COUNT
};

static const char *const sql_view[2][CUSTOMER_PART_COUNT] = {
    {
        [CUSTOMER_PART_HEADER] = SQL_C_HEADER_MASKED,
        [CUSTOMER_PART_IDENTITIES] = SQL_C_IDENTITIES_MASKED,
        [CUSTOMER_PART_CONSENTS] = SQL_C_CONSENTS_MASKED,
        [CUSTOMER_PART_COUNTS] = SQL_C_COUNTS_MASKED,
        [CUSTOMER_PART_TIMELINE] = SQL_C_TIMELINE_MASKED,
    },
    {
        [CUSTOMER_PART_HEADER] = SQL_C_HEADER_FULL,
        [CUSTOMER_PART_IDENTITIES] = SQL_C_IDENTITIES_FULL,
        [CUSTOMER_PART_CONSENTS] = SQL_C_CONSENTS_FULL,
        [CUSTOMER_PART_COUNTS] = SQL_C_COUNTS_FULL,
        [CUSTOMER_PART_TIMELINE] = SQL_C_TIMELINE_FULL,
    },
};

#define SQL_C_JSON(HEADER, IDENTITIES, CONSENTS, COUNTS, TIMELINE)                        \
    "SELECT CASE WHEN h.id IS NULL THEN NULL ELSE json_build_object("                     \
    "'customer', to_json(h), "                                                            \
    "'identities', (SELECT coalesce(json_agg(x), '[]') FROM (" IDENTITIES ") x), "        \
    "'consents', (SELECT coalesce(json_agg(x), '[]') FROM (" CONSENTS ") x), "            \
    "'counts', (SELECT to_json(x) FROM (" COUNTS ") x), "                                 \
    "'timeline', (SELECT coalesce(json_agg(x ORDER BY x.at DESC, x.id DESC), '[]') "      \
    "             FROM (" TIMELINE ") x)) END "                                           \
    "FROM (SELECT 1) one LEFT JOIN (" HEADER ") h ON true"

static const char *const sql_view_json[2] = {
    SQL_C_JSON(SQL_C_HEADER_MASKED, SQL_C_IDENTITIES_MASKED, SQL_C_CONSENTS_MASKED,
               SQL_C_COUNTS_MASKED, SQL_C_TIMELINE_MASKED),
    SQL_C_JSON(SQL_C_HEADER_FULL, SQL_C_IDENTITIES_FULL, SQL_C_CONSENTS_FULL,
               SQL_C_COUNTS_FULL, SQL_C_TIMELINE_FULL),
};

static void view_params(struct customer_view *q, long long id)
{
    set_id(q->id, sizeof(q->id), id);
    snprintf(q->limit, sizeof(q->limit), "%d", CUSTOMER_TIMELINE_MAX);
    q->params[0] = q->id;
    q->params[1] = q->limit;
}

struct db_stmt *customer_view_stmts(struct customer_view *q, long long id, bool full, size_t *n)
{
    view_params(q, id);
    for (int i = 0; i < CUSTOMER_PART_COUNT; i++)
        q->st[i] = (struct db_stmt)DB_STMT(sql_view[full][i], i == CUSTOMER_PART_TIMELINE ? 2 : 1,
                                           q->params);
    *n = CUSTOMER_PART_COUNT;
    return q->st;
}

struct db_stmt *customer_view_json_stmt(struct customer_view *q, long long id, bool full)
{
    view_params(q, id);
    q->st[0] = (struct db_stmt)DB_STMT(sql_view_json[full], 2, q->params);
    return &q->st[0];
}

struct db_stmt *customer_edit_load_stmts(struct customer_view *q, long long id, size_t *n)
{
    customer_view_stmts(q, id, true, n);
    *n = CUSTOMER_PART_CONSENTS + 1;
    return q->st;
}

static bool is_true(const PGresult *res, int col)
{
    return strcmp(db_value(res, 0, col), "t") == 0;
}

bool customer_header_read(const PGresult *res, struct customer_header *h)
{
    memset(h, 0, sizeof(*h));
    if (res == NULL || PQntuples(res) < 1 || PQnfields(res) < H_COUNT)
        return false;
    h->id = db_value_ll(res, 0, H_ID);
    h->version = (int)db_value_ll(res, 0, H_VERSION);
    text_copy(h->first_name, sizeof(h->first_name), db_value(res, 0, H_FIRST));
    text_copy(h->last_name, sizeof(h->last_name), db_value(res, 0, H_LAST));
    text_copy(h->birthdate, sizeof(h->birthdate), db_value(res, 0, H_BIRTHDATE));
    text_copy(h->street, sizeof(h->street), db_value(res, 0, H_STREET));
    text_copy(h->postcode, sizeof(h->postcode), db_value(res, 0, H_POSTCODE));
    text_copy(h->city, sizeof(h->city), db_value(res, 0, H_CITY));
    text_copy(h->country, sizeof(h->country), db_value(res, 0, H_COUNTRY));
    text_copy(h->home_channel, sizeof(h->home_channel), db_value(res, 0, H_HOME));
    text_copy(h->since, sizeof(h->since), db_value(res, 0, H_SINCE));
    h->merged_into = db_value_ll(res, 0, H_MERGED_INTO);
    text_copy(h->merged_at, sizeof(h->merged_at), db_value(res, 0, H_MERGED_AT));
    text_copy(h->erased_at, sizeof(h->erased_at), db_value(res, 0, H_ERASED_AT));
    text_copy(h->updated_by, sizeof(h->updated_by), db_value(res, 0, H_UPDATED_BY));
    text_copy(h->updated_at, sizeof(h->updated_at), db_value(res, 0, H_UPDATED_AT));
    text_copy(h->email_masked, sizeof(h->email_masked), db_value(res, 0, H_EMAIL_MASKED));
    text_copy(h->phone_masked, sizeof(h->phone_masked), db_value(res, 0, H_PHONE_MASKED));
    h->full = is_true(res, H_FULL);
    return true;
}

void customer_counts_read(const PGresult *res, struct customer_counts *c)
{
    memset(c, 0, sizeof(*c));
    c->return_rate_pct = -1;
    if (res == NULL || PQntuples(res) < 1 || PQnfields(res) < K_COUNT)
        return;
    c->orders = db_value_ll(res, 0, K_ORDERS);
    c->kept_orders = db_value_ll(res, 0, K_KEPT);
    c->revenue_cents = db_value_ll(res, 0, K_REVENUE);
    c->returns = db_value_ll(res, 0, K_RETURNS);
    c->return_rate_pct = db_value_ll(res, 0, K_RATE);
    c->entries = db_value_ll(res, 0, K_ENTRIES);
    c->duplicates = db_value_ll(res, 0, K_DUPLICATES);
    text_copy(c->by_channel, sizeof(c->by_channel), db_value(res, 0, K_BY_CHANNEL));
}

/* ---- edits ------------------------------------------------------------------------ */

static const char sql_save_profile[] =
    "SELECT kontor.customer_update($1::bigint, $2::int, $3, $4, nullif($5, '')::date, $6, $7, "
    "$8, $9)";
static const char sql_save_identity[] =
    "SELECT kontor.customer_identity_save($1::bigint, nullif($2, '0')::bigint, $3::int, "
    "nullif($4, ''), $5, nullif($6, ''), $7::boolean)";
static const char sql_save_consent[] =
    "SELECT kontor.consent_set($1::bigint, $2, $3, $4::boolean, $5, nullif($6, '0')::bigint)";

void customer_save_begin(struct customer_save *q, long long customer_id)
{
    set_id(q->id, sizeof(q->id), customer_id);
    q->n = 0;
}

/* The next statement's parameter slots, the customer id first; NULL when full. */
static char (*save_slot(struct customer_save *q))[520]
{
    if (q->n >= CUSTOMER_SAVE_MAX)
        return NULL;
    text_copy(q->v[q->n][0], sizeof(q->v[q->n][0]), q->id);
    for (int i = 0; i < CUSTOMER_SAVE_PARAMS; i++)
        q->params[q->n][i] = q->v[q->n][i];
    return q->v[q->n];
}

static void save_add(struct customer_save *q, const char *sql, int nparams)
{
    q->st[q->n] = (struct db_stmt)DB_STMT(sql, nparams, q->params[q->n]);
    q->n++;
}

bool customer_save_profile(struct customer_save *q, int version, const struct customer_profile *p)
{
    char (*v)[520] = save_slot(q);

    if (v == NULL)
        return false;
    snprintf(v[1], sizeof(v[1]), "%d", version);
    text_copy(v[2], sizeof(v[2]), p->first_name);
    text_copy(v[3], sizeof(v[3]), p->last_name);
    text_copy(v[4], sizeof(v[4]), p->birthdate);
    text_copy(v[5], sizeof(v[5]), p->street);
    text_copy(v[6], sizeof(v[6]), p->postcode);
    text_copy(v[7], sizeof(v[7]), p->city);
    text_copy(v[8], sizeof(v[8]), p->country);
    save_add(q, sql_save_profile, 9);
    return true;
}

bool customer_save_identity(struct customer_save *q, long long identity_id, int version,
                            const char *kind, const char *value, const char *source,
                            bool verified)
{
    char (*v)[520] = save_slot(q);

    if (v == NULL)
        return false;
    set_id(v[1], sizeof(v[1]), identity_id > 0 ? identity_id : 0);
    snprintf(v[2], sizeof(v[2]), "%d", version);
    text_copy(v[3], sizeof(v[3]), identity_id > 0 ? "" : kind);
    text_copy(v[4], sizeof(v[4]), value);
    text_copy(v[5], sizeof(v[5]), source);
    text_copy(v[6], sizeof(v[6]), verified ? "true" : "false");
    save_add(q, sql_save_identity, 7);
    return true;
}

bool customer_save_consent(struct customer_save *q, const char *purpose, const char *channel,
                           bool granted, const char *source, long long seen)
{
    char (*v)[520] = save_slot(q);

    if (v == NULL)
        return false;
    text_copy(v[1], sizeof(v[1]), purpose);
    text_copy(v[2], sizeof(v[2]), channel);
    text_copy(v[3], sizeof(v[3]), granted ? "true" : "false");
    text_copy(v[4], sizeof(v[4]), source);
    set_id(v[5], sizeof(v[5]), seen > 0 ? seen : 0);
    save_add(q, sql_save_consent, 6);
    return true;
}

struct db_stmt *customer_save_stmts(struct customer_save *q, size_t *n)
{
    *n = q->n;
    return q->st;
}

/* ---- export ---------------------------------------------------------------------------- */

static const char sql_export[] = "SELECT jsonb_pretty(kontor.customer_export($1::bigint))";

struct db_stmt *customer_export_stmt(struct customer_export *q, long long id)
{
    set_id(q->id, sizeof(q->id), id);
    q->params[0] = q->id;
    q->st = (struct db_stmt)DB_STMT(sql_export, 1, q->params);
    return &q->st;
}

/* ---- erasure ---------------------------------------------------------------------------- */

static const char sql_erase[] = "SELECT kontor.customer_erase($1::bigint, $2)";

struct db_stmt *customer_erase_stmts(struct customer_erase *q, long long id, const char *reason,
                                     bool full, size_t *n)
{
    size_t nv;
    struct db_stmt *view;

    set_id(q->id, sizeof(q->id), id);
    text_copy(q->reason, sizeof(q->reason), reason);
    q->params[0] = q->id;
    q->params[1] = q->reason;
    q->st[0] = (struct db_stmt)DB_STMT(sql_erase, 2, q->params);
    view = customer_view_stmts(&q->view, id, full, &nv);
    for (size_t i = 0; i < nv; i++)
        q->st[1 + i] = view[i];
    *n = 1 + nv;
    return q->st;
}

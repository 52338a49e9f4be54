/* Duplicate customers: the list (kontor.duplicate_suggestions with the
 * names of both records), two records side by side in three parts, and the
 * steps (duplicate_flag, duplicate_dismiss, customer_merge of migration
 * 0011), each pipelined with the reloaded list and pair in one transaction. */
#include "kontor/duplicate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kontor/customer.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

#define DUP_TZ "(SELECT kontor.setting_value('business_timezone') #>> '{}')"

bool duplicate_args_parse(const char *args, long long *customer, char **err)
{
    const char *s = args != NULL ? args : "";

    s += strspn(s, " \t");
    *customer = 0;
    if (*s == '\0')
        return true;
    if (customer_id_parse(s, customer))
        return true;
    if (err != NULL)
        *err = xasprintf("\"%s\" is not a customer number (try :duplicates or :duplicates 2)", s);
    return false;
}

/* ---- the list ------------------------------------------------------------------------- */

/* $1 the customer ('0': every pair). */
static const char sql_focus[] =
    "SELECT c.id, s.id AS survivor, "
    "coalesce(to_char(c.merged_at AT TIME ZONE " DUP_TZ ", 'DD.MM.YYYY HH24:MI'), '') "
    "  AS merged_at, "
    "c.erased_at IS NOT NULL AS erased, btrim(c.first_name || ' ' || c.last_name) AS name, "
    "btrim(s.first_name || ' ' || s.last_name) AS survivor_name "
    "FROM kontor.customer c "
    "JOIN kontor.customer s ON s.id = kontor.customer_survivor(c.id) "
    "WHERE c.id = nullif($1, '0')::bigint";

/* $1 the customer ('0': every pair), $2 the limit. A customer that does not
 * exist gives no rows (not every pair). */
static const char sql_rows[] =
    "SELECT s.customer_a, s.customer_b, "
    "btrim(a.first_name || ' ' || a.last_name), btrim(b.first_name || ' ' || b.last_name), "
    "coalesce(a.city, ''), coalesce(b.city, ''), "
    "s.score, s.reasons, coalesce(s.flag_id, 0), coalesce(s.flagged_by, ''), "
    "coalesce(to_char(s.flagged_at AT TIME ZONE " DUP_TZ ", 'DD.MM.YYYY'), ''), "
    "coalesce(s.flag_note, '') "
    "FROM (SELECT CASE WHEN $1 = '0' THEN NULL "
    "             ELSE kontor.customer_survivor($1::bigint) END AS c) f "
    "CROSS JOIN LATERAL (SELECT * FROM kontor.duplicate_suggestions($2::integer, f.c) "
    "                    WITH ORDINALITY WHERE $1 = '0' OR f.c IS NOT NULL) s "
    "JOIN kontor.customer a ON a.id = s.customer_a "
    "JOIN kontor.customer b ON b.id = s.customer_b "
    "ORDER BY s.ordinality";

struct db_stmt *duplicate_list_stmts(struct duplicate_list *q, long long customer, int limit,
                                     size_t *n)
{
    snprintf(q->customer, sizeof(q->customer), "%lld", customer > 0 ? customer : 0);
    snprintf(q->limit, sizeof(q->limit), "%d", limit > 0 ? limit : DUPLICATE_LIMIT);
    q->params[0] = q->customer;
    q->params[1] = q->limit;
    q->st[DUP_LIST_FOCUS] = (struct db_stmt)DB_STMT(sql_focus, 1, q->params);
    q->st[DUP_LIST_ROWS] = (struct db_stmt)DB_STMT(sql_rows, 2, q->params);
    *n = DUP_LIST_COUNT;
    return q->st;
}

/* ---- side by side ------------------------------------------------------------------------ */

static const char sql_sides[] =
    "SELECT c.id, btrim(c.first_name || ' ' || c.last_name) AS name, "
    "coalesce(to_char(c.birthdate, 'DD.MM.YYYY'), '') AS birthdate, "
    "coalesce(c.street, '') AS street, "
    "concat_ws(' ', nullif(c.postcode, ''), nullif(c.city, '')) AS place, "
    "to_char(c.created_at AT TIME ZONE " DUP_TZ ", 'DD.MM.YYYY') AS since, "
    "coalesce(ch.name, '') AS home, "
    "(SELECT count(*) FROM kontor.sales_order o WHERE o.customer_id = c.id) AS orders, "
    "coalesce((SELECT o.number || ' · ' "
    "                 || to_char(o.placed_at AT TIME ZONE " DUP_TZ ", 'DD.MM.YYYY') "
    "          FROM kontor.sales_order o WHERE o.customer_id = c.id "
    "          ORDER BY o.placed_at DESC, o.id DESC LIMIT 1), '') AS last_order, "
    "(SELECT count(*) FROM kontor.return_order r JOIN kontor.sales_order o ON o.id = r.order_id "
    " WHERE o.customer_id = c.id) AS returns, "
    "(SELECT count(*) FROM kontor.interaction i WHERE i.customer_id = c.id) AS interactions, "
    "(SELECT count(*) FROM kontor.consent x WHERE x.customer_id = c.id) AS consents, "
    "coalesce((SELECT string_agg(DISTINCT x.purpose, ', ') FROM kontor.consent_current x "
    "          WHERE x.customer_id = c.id AND x.granted), '') AS granted, "
    "(SELECT count(*) FROM kontor.customer_note n WHERE n.customer_id = c.id) AS notes, "
    "coalesce(c.merged_into, 0) AS merged_into, c.erased_at IS NOT NULL AS erased "
    "FROM unnest(ARRAY[$1::bigint, $2::bigint]) WITH ORDINALITY AS k(id, n) "
    "JOIN kontor.customer c ON c.id = k.id "
    "LEFT JOIN kontor.channel ch ON ch.id = c.home_channel_id "
    "ORDER BY k.n";

static const char sql_identities[] =
    "SELECT i.customer_id, i.kind, i.value, coalesce(i.source, ''), "
    "EXISTS (SELECT 1 FROM kontor.customer_identity o "
    "        WHERE o.customer_id = CASE WHEN i.customer_id = $1::bigint THEN $2::bigint "
    "                                   ELSE $1::bigint END "
    "          AND o.retired_at IS NULL AND o.kind = i.kind "
    "          AND kontor.identity_match_key(o.kind, o.value_norm) "
    "              = kontor.identity_match_key(i.kind, i.value_norm)) AS shared "
    "FROM kontor.customer_identity i "
    "WHERE i.customer_id IN ($1::bigint, $2::bigint) AND i.retired_at IS NULL "
    "ORDER BY i.customer_id = $1::bigint DESC, "
    "array_position(ARRAY['email', 'phone', 'loyalty', 'web_account', 'marketplace_id'], i.kind), "
    "i.id";

#define DUP_SAME_PAIR(d)                                                                  \
    "least(" d ".customer_a, " d ".customer_b) = least($1::bigint, $2::bigint) "             \
    "AND greatest(" d ".customer_a, " d ".customer_b) = greatest($1::bigint, $2::bigint)"

static const char sql_pair[] =
    "SELECT p.score, p.reasons, coalesce(f.id, 0), coalesce(st.display_name, ''), "
    "coalesce(to_char(f.flagged_at AT TIME ZONE " DUP_TZ ", 'DD.MM.YYYY'), ''), "
    "coalesce(f.note, ''), "
    "coalesce((SELECT d.status || coalesce(' by ' || ds.display_name, '') || ' ' "
    "                 || to_char(d.resolved_at AT TIME ZONE " DUP_TZ ", 'DD.MM.YYYY') "
    "          FROM kontor.customer_duplicate d LEFT JOIN kontor.staff ds ON ds.id = d.resolved_by "
    "          WHERE d.status <> 'open' AND " DUP_SAME_PAIR("d") " "
    "          ORDER BY d.resolved_at DESC, d.id DESC LIMIT 1), '') "
    "FROM kontor.duplicate_pair($1::bigint, $2::bigint) p "
    "LEFT JOIN kontor.customer_duplicate f ON f.status = 'open' AND " DUP_SAME_PAIR("f") " "
    "LEFT JOIN kontor.staff st ON st.id = f.flagged_by";

struct db_stmt *duplicate_compare_stmts(struct duplicate_compare *q, long long a, long long b,
                                        size_t *n)
{
    snprintf(q->a, sizeof(q->a), "%lld", a);
    snprintf(q->b, sizeof(q->b), "%lld", b);
    q->params[0] = q->a;
    q->params[1] = q->b;
    q->st[DUP_CMP_SIDES] = (struct db_stmt)DB_STMT(sql_sides, 2, q->params);
    q->st[DUP_CMP_IDENTITIES] = (struct db_stmt)DB_STMT(sql_identities, 2, q->params);
    q->st[DUP_CMP_PAIR] = (struct db_stmt)DB_STMT(sql_pair, 2, q->params);
    *n = DUP_CMP_COUNT;
    return q->st;
}

/* ---- steps --------------------------------------------------------------------------------- */

static const char sql_flag[] =
    "SELECT id, outcome FROM kontor.duplicate_flag($1::bigint, $2::bigint, nullif($3, ''))";
static const char sql_dismiss[] =
    "SELECT id, outcome FROM kontor.duplicate_dismiss($1::bigint, $2::bigint, $3)";
/* b (the right side) merges into a (the left). */
static const char sql_merge[] =
    "SELECT (r ->> 'loser')::bigint, (r ->> 'survivor')::bigint, (r ->> 'orders')::integer, "
    "(r ->> 'returns')::integer, (r ->> 'interactions')::integer, (r ->> 'consents')::integer, "
    "(r ->> 'identities_moved')::integer, (r ->> 'identities_retired')::integer "
    "FROM kontor.customer_merge($2::bigint, $1::bigint, nullif($3, '')) AS r";

struct db_stmt *duplicate_step_stmts(struct duplicate_step *q, enum duplicate_step_kind kind,
                                     long long a, long long b, const char *note,
                                     long long list_customer, int limit, size_t *n)
{
    static const char *const sql[] = {
        [DUPLICATE_FLAG] = sql_flag,
        [DUPLICATE_DISMISS] = sql_dismiss,
        [DUPLICATE_MERGE] = sql_merge,
    };
    struct db_stmt *st;
    size_t k = 1, m;

    q->kind = kind;
    snprintf(q->a, sizeof(q->a), "%lld", a);
    snprintf(q->b, sizeof(q->b), "%lld", b);
    text_copy_trim(q->note, sizeof(q->note), note);
    q->params[0] = q->a;
    q->params[1] = q->b;
    q->params[2] = q->note;
    q->st[0] = (struct db_stmt)DB_STMT(sql[kind], 3, q->params);
    st = duplicate_list_stmts(&q->list, list_customer, limit, &m);
    for (size_t i = 0; i < m; i++)
        q->st[k++] = st[i];
    st = duplicate_compare_stmts(&q->compare, a, b, &m);
    for (size_t i = 0; i < m; i++)
        q->st[k++] = st[i];
    *n = k;
    return q->st;
}

/* The home screen's figures: orders, revenue, returns and waiting pickups
 * per channel for today's business day so far, beside the same weekday a
 * week before up to the same time of day, and the open work of each role. */
#include "kontor/home.h"

#include <stdio.h>
#include <string.h>

static const char sql_figures[] =
    "WITH z AS (SELECT coalesce((SELECT value #>> '{}' FROM kontor.setting "
    "            WHERE key = 'business_timezone' AND scope = ''), 'Europe/Berlin') AS tz), "
    "d AS (SELECT tz, (now() AT TIME ZONE tz)::date AS today FROM z), "
    "r AS (SELECT today, (today::timestamp AT TIME ZONE tz) AS t0, "
    "      ((today + 1)::timestamp AT TIME ZONE tz) AS t1, "
    "      ((today - 7)::timestamp AT TIME ZONE tz) AS w0, "
    "      least(now() - interval '7 days', ((today - 6)::timestamp AT TIME ZONE tz)) AS w1 "
    "      FROM d), "
    "o AS (SELECT o.channel_id, "
    "      count(*) FILTER (WHERE o.placed_at >= r.t0) AS orders, "
    "      coalesce(sum(o.total_cents) FILTER (WHERE o.placed_at >= r.t0 "
    "               AND o.status <> 'cancelled'), 0) AS revenue, "
    "      coalesce(sum(o.total_cents) FILTER (WHERE o.placed_at < r.w1 "
    "               AND o.status <> 'cancelled'), 0) AS revenue_lw "
    "      FROM kontor.sales_order o, r "
    "      WHERE (o.placed_at >= r.t0 AND o.placed_at < r.t1) "
    "         OR (o.placed_at >= r.w0 AND o.placed_at < r.w1) "
    "      GROUP BY o.channel_id), "
    "rt AS (SELECT ro.channel_id, count(*) AS n FROM kontor.return_order ro, r "
    "       WHERE ro.created_at >= r.t0 AND ro.created_at < r.t1 AND ro.status <> 'cancelled' "
    "       GROUP BY ro.channel_id), "
    "cc AS (SELECT channel_id, count(*) AS n FROM kontor.sales_order "
    "       WHERE status = 'ready_for_pickup' GROUP BY channel_id) "
    "SELECT c.name, coalesce(o.orders, 0), coalesce(o.revenue, 0), coalesce(o.revenue_lw, 0), "
    "       coalesce(rt.n, 0), coalesce(cc.n, 0), "
    "       to_char(r.today, 'Dy DD Mon'), to_char(r.today - 7, 'Dy DD Mon') "
    "FROM kontor.channel c CROSS JOIN r "
    "LEFT JOIN o ON o.channel_id = c.id LEFT JOIN rt ON rt.channel_id = c.id "
    "LEFT JOIN cc ON cc.channel_id = c.id "
    "ORDER BY c.sort_order, c.id";

/* Each role's open work: (text, command, count); $1 the home location. */
static const char sql_work_manager[] =
    "SELECT 'refunds await your approval', 'approvals', count(*) FROM kontor.return_order "
    " WHERE needs_approval AND approval_decision IS NULL "
    "   AND status NOT IN ('rejected', 'cancelled', 'closed') AND $1::text IS NOT NULL "
    "UNION ALL "
    "SELECT format('pickups ready for more than %s days', kontor.setting_value('pickup_overdue_days')), "
    "       'pickups overdue', count(*) FROM kontor.sales_order "
    " WHERE status = 'ready_for_pickup' AND status_changed_at < now() - "
    "       make_interval(days => (SELECT kontor.setting_value('pickup_overdue_days'))::text::int) "
    "UNION ALL "
    "SELECT 'returns received, not inspected', 'returns received', count(*) "
    "  FROM kontor.return_order WHERE status = 'received'";

static const char sql_work_service[] =
    "SELECT 'returns inspected, awaiting refund', 'returns inspected', count(*) "
    "  FROM kontor.return_order WHERE status = 'inspected' AND $1::text IS NOT NULL "
    "UNION ALL "
    "SELECT 'returns requested, awaiting authorisation', 'returns requested', count(*) "
    "  FROM kontor.return_order WHERE status = 'requested' "
    "UNION ALL "
    "SELECT 'approvals you asked for, still open', 'returns approval', count(*) "
    "  FROM kontor.return_order WHERE needs_approval AND approval_decision IS NULL "
    "   AND approval_requested_by = kontor.current_staff_id()";

static const char sql_work_clerk[] =
    "SELECT 'click & collect orders to pick here', 'pickups', count(*) FROM kontor.sales_order "
    " WHERE fulfilment = 'click_collect' AND status IN ('paid', 'picking') "
    "   AND location_id = nullif($1, '')::bigint "
    "UNION ALL "
    "SELECT format('pickups ready for more than %s days here', "
    "       kontor.setting_value('pickup_overdue_days')), 'pickups overdue', count(*) "
    "  FROM kontor.sales_order WHERE fulfilment = 'click_collect' AND status = 'ready_for_pickup' "
    "   AND location_id = nullif($1, '')::bigint AND status_changed_at < now() - "
    "       make_interval(days => (SELECT kontor.setting_value('pickup_overdue_days'))::text::int) "
    "UNION ALL "
    "SELECT 'returns received here, not inspected', 'returns received', count(*) "
    "  FROM kontor.return_order WHERE status = 'received' "
    "   AND location_id = nullif($1, '')::bigint";

static const char sql_work_admin[] =
    "SELECT 'accounts locked after failed sign-ins', 'staff', count(*) FROM kontor.staff "
    " WHERE locked_until > now() AND $1::text IS NOT NULL "
    "UNION ALL "
    "SELECT 'failed sign-ins in the last 24 hours', 'audit', count(*) FROM kontor.audit_event "
    " WHERE action = 'auth.failure' AND at > now() - interval '24 hours' "
    "UNION ALL "
    "SELECT 'accounts that must change their password', 'staff', count(*) FROM kontor.staff "
    " WHERE must_change_password AND active";

bool home_role_sees_figures(enum db_role role)
{
    return role != DB_ROLE_ADMIN;
}

struct db_stmt home_figures_stmt(void)
{
    struct db_stmt st = DB_STMT(sql_figures, 0, NULL);
    return st;
}

bool home_figures_read(const PGresult *res, struct home_figures *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->all.name, sizeof(f->all.name), "All");
    for (int r = 0; r < PQntuples(res) && f->n < HOME_MAX_CHANNELS; r++) {
        struct home_channel *c = &f->ch[f->n++];
        snprintf(c->name, sizeof(c->name), "%s", db_value(res, r, 0));
        c->orders = db_value_ll(res, r, 1);
        c->revenue_cents = db_value_ll(res, r, 2);
        c->revenue_lw_cents = db_value_ll(res, r, 3);
        c->returns = db_value_ll(res, r, 4);
        c->cc_waiting = db_value_ll(res, r, 5);
        f->all.orders += c->orders;
        f->all.revenue_cents += c->revenue_cents;
        f->all.revenue_lw_cents += c->revenue_lw_cents;
        f->all.returns += c->returns;
        f->all.cc_waiting += c->cc_waiting;
        snprintf(f->day, sizeof(f->day), "%s", db_value(res, r, 6));
        snprintf(f->compare, sizeof(f->compare), "%s", db_value(res, r, 7));
    }
    return f->n > 0;
}

struct db_stmt home_work_stmt(enum db_role role, const char *const *params)
{
    static const char *const sql[DB_ROLE_COUNT] = {
        [DB_ROLE_CLERK] = sql_work_clerk,
        [DB_ROLE_SERVICE] = sql_work_service,
        [DB_ROLE_MANAGER] = sql_work_manager,
        [DB_ROLE_ADMIN] = sql_work_admin,
    };
    struct db_stmt st = DB_STMT(sql[role < DB_ROLE_COUNT ? role : DB_ROLE_CLERK], 1, params);
    return st;
}

int home_work_read(const PGresult *res, struct home_work *w, int max)
{
    int n = 0;

    for (int r = 0; r < PQntuples(res) && n < max; r++) {
        snprintf(w[n].text, sizeof(w[n].text), "%s", db_value(res, r, 0));
        snprintf(w[n].command, sizeof(w[n].command), "%s", db_value(res, r, 1));
        w[n].count = db_value_ll(res, r, 2);
        n++;
    }
    return n;
}

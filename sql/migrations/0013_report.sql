-- 0013 report: the manager's daily channel report (scenario 6) and its
-- drill-down into one channel, as SQL functions granted to managers alone,
-- so the database refuses the report to other roles as the console does.
-- They run with the caller's rights (SECURITY INVOKER, reading only what a
-- manager may read anyway) and are plain enough for the planner to inline:
-- each report is one statement whose scans are bounded by the two days it
-- covers — orders by placed_at (sales_order_placed_idx, or
-- sales_order_channel_placed_idx for one channel), returns by created_at
-- (return_order_created_idx), customers by created_at
-- (customer_created_idx). No new index: a day's orders lie together on the
-- heap (inserted in placed_at order), so the bitmap scan reads a few hundred
-- pages, and a covering index would rarely serve an index-only scan for
-- recent days, whose rows are still being updated (status changes). The
-- day ranges are written as scalar subqueries of the bounds: the planner
-- then sees one parameter range per day (estimated as a small slice, so the
-- bitmap index scan is never in doubt) instead of a join with the bounds
-- row, which it would estimate as a third of the table.
--
-- Definitions (doc/kontor.1 says the same to managers):
--   a day           a business day in the time zone of the setting
--                   business_timezone; compared with the same weekday a
--                   week before (the whole day);
--   orders          orders placed that day, cancelled ones included;
--   revenue         total_cents of those orders, cancelled ones excluded;
--   average order   revenue / orders not cancelled;
--   returns         return orders created that day, not cancelled, counted
--                   for the channel they came back through (a web order
--                   returned in a store counts for Stores), as on the home
--                   screen;
--   return rate     returns / orders of the same day and channel: a flow
--                   ratio (that day's returns mostly belong to earlier
--                   orders), not the share of the day's orders returned;
--   C&C share       click & collect orders / orders;
--   new customers   customer records created that day and not merged into
--                   another record (a duplicate is nobody new), counted for
--                   their home channel (where first seen); records without
--                   a home channel count in "All" only.

SET LOCAL search_path = kontor, public;

-- The business day (p_day, or p_days_back days before today's business day
-- when p_day is NULL) and the same weekday a week before, as half-open
-- ranges [t0, t1) and [w0, w1) of timestamptz, and the zone they are in.
CREATE FUNCTION kontor.report_bounds(p_day date, p_days_back integer)
RETURNS TABLE (tz text, day date, t0 timestamptz, t1 timestamptz, w0 timestamptz,
               w1 timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT z.tz, d.day,
           d.day::timestamp AT TIME ZONE z.tz AS t0, (d.day + 1)::timestamp AT TIME ZONE z.tz AS t1,
           (d.day - 7)::timestamp AT TIME ZONE z.tz AS w0,
           (d.day - 6)::timestamp AT TIME ZONE z.tz AS w1
    FROM (SELECT coalesce(kontor.setting_value('business_timezone') #>> '{}',
                          'Europe/Berlin') AS tz) z
    CROSS JOIN LATERAL (SELECT coalesce(p_day, (now() AT TIME ZONE z.tz)::date
                                               - coalesce(p_days_back, 0)) AS day) d
$$;

-- The report for a day (as report_bounds takes it): one row per channel
-- (in sort_order), then "All" (channel 'all').
-- Percentages are rounded to one decimal; NULL where the base is zero.
CREATE FUNCTION kontor.report_daily(p_day date, p_days_back integer)
RETURNS TABLE (day date, compare_day date, channel text, name text,
               orders bigint, orders_week_before bigint,
               revenue_cents bigint, revenue_week_before_cents bigint,
               revenue_change_pct numeric,
               avg_order_cents bigint, avg_order_week_before_cents bigint,
               returns bigint, returns_week_before bigint,
               return_rate_pct numeric, return_rate_week_before_pct numeric,
               cc_orders bigint, cc_orders_week_before bigint,
               cc_share_pct numeric, cc_share_week_before_pct numeric,
               new_customers bigint, new_customers_week_before bigint)
LANGUAGE sql STABLE
AS $$
WITH r AS (SELECT * FROM kontor.report_bounds(p_day, p_days_back)),
o AS (
    SELECT o.channel_id AS ch,
           count(*) FILTER (WHERE o.placed_at >= r.t0) AS orders,
           count(*) FILTER (WHERE o.placed_at < r.w1) AS orders_wb,
           count(*) FILTER (WHERE o.placed_at >= r.t0 AND o.status <> 'cancelled') AS kept,
           count(*) FILTER (WHERE o.placed_at < r.w1 AND o.status <> 'cancelled') AS kept_wb,
           coalesce(sum(o.total_cents) FILTER (WHERE o.placed_at >= r.t0
                                                 AND o.status <> 'cancelled'), 0) AS revenue,
           coalesce(sum(o.total_cents) FILTER (WHERE o.placed_at < r.w1
                                                 AND o.status <> 'cancelled'), 0) AS revenue_wb,
           count(*) FILTER (WHERE o.placed_at >= r.t0 AND o.fulfilment = 'click_collect') AS cc,
           count(*) FILTER (WHERE o.placed_at < r.w1 AND o.fulfilment = 'click_collect') AS cc_wb
    FROM kontor.sales_order o, r
    WHERE (o.placed_at >= (SELECT t0 FROM r) AND o.placed_at < (SELECT t1 FROM r))
       OR (o.placed_at >= (SELECT w0 FROM r) AND o.placed_at < (SELECT w1 FROM r))
    GROUP BY o.channel_id),
-- returns and new customers: the same count of rows created on either day
ev AS (
    SELECT e.kind, e.ch, count(*) FILTER (WHERE e.at >= r.t0) AS n,
           count(*) FILTER (WHERE e.at < r.w1) AS n_wb
    FROM (SELECT 'return' AS kind, ro.channel_id AS ch, ro.created_at AS at
          FROM kontor.return_order ro
          WHERE ((ro.created_at >= (SELECT t0 FROM r) AND ro.created_at < (SELECT t1 FROM r))
                 OR (ro.created_at >= (SELECT w0 FROM r) AND ro.created_at < (SELECT w1 FROM r)))
            AND ro.status <> 'cancelled'
          UNION ALL
          SELECT 'customer', cu.home_channel_id, cu.created_at
          FROM kontor.customer cu
          WHERE ((cu.created_at >= (SELECT t0 FROM r) AND cu.created_at < (SELECT t1 FROM r))
                 OR (cu.created_at >= (SELECT w0 FROM r) AND cu.created_at < (SELECT w1 FROM r)))
            AND cu.merged_into IS NULL) e, r
    GROUP BY e.kind, e.ch),
rt AS (SELECT ch, n, n_wb FROM ev WHERE kind = 'return'),
nc AS (SELECT ch, n, n_wb FROM ev WHERE kind = 'customer'),
per AS (
    SELECT 0 AS grp, c.sort_order, c.id, c.code, c.name,
           coalesce(o.orders, 0) AS orders, coalesce(o.orders_wb, 0) AS orders_wb,
           coalesce(o.kept, 0) AS kept, coalesce(o.kept_wb, 0) AS kept_wb,
           coalesce(o.revenue, 0)::bigint AS revenue,
           coalesce(o.revenue_wb, 0)::bigint AS revenue_wb,
           coalesce(o.cc, 0) AS cc, coalesce(o.cc_wb, 0) AS cc_wb,
           coalesce(rt.n, 0) AS ret, coalesce(rt.n_wb, 0) AS ret_wb,
           coalesce(nc.n, 0) AS new, coalesce(nc.n_wb, 0) AS new_wb
    FROM kontor.channel c
    LEFT JOIN o ON o.ch = c.id LEFT JOIN rt ON rt.ch = c.id LEFT JOIN nc ON nc.ch = c.id
    UNION ALL
    SELECT 1, 0, 0, 'all', 'All', a.*, b.*, n.*
    FROM (SELECT coalesce(sum(orders), 0)::bigint, coalesce(sum(orders_wb), 0)::bigint,
                 coalesce(sum(kept), 0)::bigint, coalesce(sum(kept_wb), 0)::bigint,
                 coalesce(sum(revenue), 0)::bigint, coalesce(sum(revenue_wb), 0)::bigint,
                 coalesce(sum(cc), 0)::bigint, coalesce(sum(cc_wb), 0)::bigint FROM o) a,
         (SELECT coalesce(sum(rt.n), 0)::bigint, coalesce(sum(rt.n_wb), 0)::bigint FROM rt) b,
         (SELECT coalesce(sum(nc.n), 0)::bigint, coalesce(sum(nc.n_wb), 0)::bigint FROM nc) n)
SELECT r.day, r.day - 7, p.code, p.name,
       p.orders, p.orders_wb, p.revenue, p.revenue_wb,
       round(100.0 * (p.revenue - p.revenue_wb) / nullif(p.revenue_wb, 0), 1),
       round(p.revenue::numeric / nullif(p.kept, 0))::bigint,
       round(p.revenue_wb::numeric / nullif(p.kept_wb, 0))::bigint,
       p.ret, p.ret_wb,
       round(100.0 * p.ret / nullif(p.orders, 0), 1),
       round(100.0 * p.ret_wb / nullif(p.orders_wb, 0), 1),
       p.cc, p.cc_wb,
       round(100.0 * p.cc / nullif(p.orders, 0), 1),
       round(100.0 * p.cc_wb / nullif(p.orders_wb, 0), 1),
       p.new, p.new_wb
FROM per p, r
ORDER BY p.grp, p.sort_order, p.id
$$;

-- One channel (its code or name, any case; NULL or 'all': every channel)
-- in three parts, each beside the same weekday a week before: 'hour' (the
-- 24 hours of the business day), 'location' (where orders were placed or
-- are collected, and where returns came back; "(no location)" for shipped
-- orders), 'source' (the five campaign touchpoints with the most revenue
-- that day, then "(not attributed)"; no returns there). No rows for an
-- unknown channel.
CREATE FUNCTION kontor.report_daily_detail(p_day date, p_days_back integer, p_channel text)
RETURNS TABLE (day date, compare_day date, channel text, part text, label text,
               orders bigint, orders_week_before bigint,
               revenue_cents bigint, revenue_week_before_cents bigint,
               revenue_change_pct numeric,
               returns bigint, returns_week_before bigint, cc_share_pct numeric)
LANGUAGE sql STABLE
AS $$
WITH r AS (SELECT * FROM kontor.report_bounds(p_day, p_days_back)),
k AS (
    SELECT c.id, c.name FROM kontor.channel c
    WHERE c.code = lower(p_channel) OR lower(c.name) = lower(p_channel)
    UNION ALL
    SELECT NULL, 'All' WHERE p_channel IS NULL OR lower(p_channel) = 'all'
    LIMIT 1),
g AS (
    SELECT CASE WHEN GROUPING(b.h) = 0 THEN 'hour'
                WHEN GROUPING(b.location_id) = 0 THEN 'location' ELSE 'source' END AS part,
           b.h, b.location_id, b.campaign_id, b.touchpoint_id,
           count(*) FILTER (WHERE b.cur) AS orders, count(*) FILTER (WHERE NOT b.cur) AS orders_wb,
           coalesce(sum(b.total_cents) FILTER (WHERE b.cur AND b.kept), 0)::bigint AS revenue,
           coalesce(sum(b.total_cents) FILTER (WHERE NOT b.cur AND b.kept), 0)::bigint
               AS revenue_wb,
           count(*) FILTER (WHERE b.cur AND b.cc) AS cc
    FROM (SELECT o.placed_at >= r.t0 AS cur,
                 extract(hour FROM o.placed_at AT TIME ZONE r.tz)::int AS h,
                 o.location_id, o.campaign_id, o.touchpoint_id, o.total_cents,
                 o.status <> 'cancelled' AS kept, o.fulfilment = 'click_collect' AS cc
          FROM kontor.sales_order o, r
          WHERE ((o.placed_at >= (SELECT t0 FROM r) AND o.placed_at < (SELECT t1 FROM r))
                 OR (o.placed_at >= (SELECT w0 FROM r) AND o.placed_at < (SELECT w1 FROM r)))
            AND (p_channel IS NULL OR lower(p_channel) = 'all'
                 OR o.channel_id = (SELECT k.id FROM k))) b
    GROUP BY GROUPING SETS ((b.h), (b.location_id), (b.campaign_id, b.touchpoint_id))),
rg AS (
    SELECT CASE WHEN GROUPING(x.h) = 0 THEN 'hour' ELSE 'location' END AS part,
           x.h, x.location_id,
           count(*) FILTER (WHERE x.cur) AS n, count(*) FILTER (WHERE NOT x.cur) AS n_wb
    FROM (SELECT ro.created_at >= r.t0 AS cur,
                 extract(hour FROM ro.created_at AT TIME ZONE r.tz)::int AS h, ro.location_id
          FROM kontor.return_order ro, r
          WHERE ((ro.created_at >= (SELECT t0 FROM r) AND ro.created_at < (SELECT t1 FROM r))
                 OR (ro.created_at >= (SELECT w0 FROM r) AND ro.created_at < (SELECT w1 FROM r)))
            AND ro.status <> 'cancelled'
            AND (p_channel IS NULL OR lower(p_channel) = 'all'
                 OR ro.channel_id = (SELECT k.id FROM k))) x
    GROUP BY GROUPING SETS ((x.h), (x.location_id))),
hours AS (
    SELECT 1 AS pn, hh.h AS pos, 'hour' AS part, to_char(hh.h, 'FM00') || ':00' AS label,
           coalesce(g.orders, 0) AS orders, coalesce(g.orders_wb, 0) AS orders_wb,
           coalesce(g.revenue, 0) AS revenue, coalesce(g.revenue_wb, 0) AS revenue_wb,
           coalesce(g.cc, 0) AS cc, coalesce(rg.n, 0) AS ret, coalesce(rg.n_wb, 0) AS ret_wb
    FROM k CROSS JOIN generate_series(0, 23) AS hh(h)
    LEFT JOIN g ON g.part = 'hour' AND g.h = hh.h
    LEFT JOIN rg ON rg.part = 'hour' AND rg.h = hh.h),
locs AS (
    SELECT 2 AS pn,
           row_number() OVER (ORDER BY coalesce(g.orders, 0) DESC, coalesce(g.revenue, 0) DESC,
                              coalesce(rg.n, 0) DESC, l.name)::int AS pos,
           'location' AS part, coalesce(l.name, '(no location)') AS label,
           coalesce(g.orders, 0), coalesce(g.orders_wb, 0),
           coalesce(g.revenue, 0), coalesce(g.revenue_wb, 0), coalesce(g.cc, 0),
           coalesce(rg.n, 0), coalesce(rg.n_wb, 0)
    FROM (SELECT * FROM g WHERE g.part = 'location') g
    FULL JOIN (SELECT * FROM rg WHERE rg.part = 'location') rg
           ON coalesce(rg.location_id, 0) = coalesce(g.location_id, 0)
    LEFT JOIN kontor.location l ON l.id = coalesce(g.location_id, rg.location_id)),
srcs AS (
    SELECT 3 AS pn,
           CASE WHEN s.campaign_id IS NULL AND s.touchpoint_id IS NULL THEN 99
                ELSE row_number() OVER (PARTITION BY s.campaign_id IS NULL
                                                     AND s.touchpoint_id IS NULL
                                        ORDER BY s.revenue DESC, s.orders DESC, s.orders_wb DESC,
                                                 cp.name, tp.name)::int END AS pos,
           'source' AS part,
           CASE WHEN s.campaign_id IS NULL AND s.touchpoint_id IS NULL THEN '(not attributed)'
                ELSE concat_ws(' · ', cp.name, tp.name) END AS label,
           s.orders, s.orders_wb, s.revenue, s.revenue_wb, s.cc,
           NULL::bigint, NULL::bigint
    FROM g s
    LEFT JOIN kontor.campaign cp ON cp.id = s.campaign_id
    LEFT JOIN kontor.touchpoint tp ON tp.id = s.touchpoint_id
    WHERE s.part = 'source'),
parts AS (
    SELECT * FROM hours UNION ALL SELECT * FROM locs
    UNION ALL SELECT * FROM srcs WHERE srcs.pos <= 5 OR srcs.pos = 99)
SELECT r.day, r.day - 7, coalesce(c.code, 'all'), p.part, p.label,
       p.orders, p.orders_wb, p.revenue, p.revenue_wb,
       round(100.0 * (p.revenue - p.revenue_wb) / nullif(p.revenue_wb, 0), 1),
       p.ret, p.ret_wb, round(100.0 * p.cc / nullif(p.orders, 0), 1)
FROM parts p CROSS JOIN r CROSS JOIN k LEFT JOIN kontor.channel c ON c.id = k.id
ORDER BY p.pn, p.pos
$$;

REVOKE ALL ON FUNCTION kontor.report_bounds(date, integer),
                       kontor.report_daily(date, integer),
                       kontor.report_daily_detail(date, integer, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kontor.report_bounds(date, integer),
                          kontor.report_daily(date, integer),
                          kontor.report_daily_detail(date, integer, text)
    TO kontor_manager;

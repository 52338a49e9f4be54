-- Orders: when (busy and quiet hours, days and seasons per channel), where,
-- who, what, and how far each has come by now. Order ids 1..100 are kept
-- for the scenario orders; generated orders are 101 .. 100+N, numbered in
-- the order they were placed (K-100101 ...).

-- Hour slots of the history, Europe/Berlin local time, up to now ------------------
CREATE TABLE kontor_gen.prof (ch integer, hours float8[], dows float8[]);
INSERT INTO kontor_gen.prof VALUES
    (1, '{1.2,0.6,0.3,0.2,0.2,0.3,0.8,1.8,2.8,3.2,3.5,3.6,3.8,3.6,3.4,3.4,3.6,4.0,4.6,5.4,6.2,6.0,4.6,2.6}',
        '{1.08,0.97,0.95,0.98,0.92,0.88,1.25}'),
    (2, '{1.0,0.5,0.2,0.1,0.1,0.3,1.2,2.6,2.8,2.4,2.4,2.8,3.4,3.0,2.6,2.6,3.0,3.6,4.4,5.6,6.8,7.0,5.4,2.4}',
        '{1.0,0.95,0.95,1.0,1.0,1.12,1.35}'),
    (3, '{0,0,0,0,0,0,0,0,0,0,3.0,4.5,5.5,5.8,5.2,5.4,6.2,6.8,6.0,4.0,0,0,0,0}',
        '{0.85,0.85,0.9,0.95,1.1,1.65,0}'),
    (4, '{1.5,0.8,0.4,0.3,0.3,0.5,1.0,2.0,2.8,3.2,3.4,3.5,3.6,3.5,3.4,3.4,3.5,3.8,4.2,4.8,5.2,5.0,4.0,2.6}',
        '{1.05,1,1,1,0.95,0.95,1.15}'),
    (5, '{0,0,0,0,0,0,0,0,3,5,6,6,5,5,5,5,4,3,0,0,0,0,0,0}', '{1.2,1.05,1,1,0.95,0.5,0}'),
    (6, '{1.5,0.8,0.3,0.2,0.2,0.3,0.8,1.5,2,2,2.2,2.5,3,2.6,2.4,2.5,3,3.6,4.4,5.6,6.6,6.8,5.2,2.8}',
        '{0.95,0.95,0.95,1,1.05,1.1,1.25}'),
    (7, '{0,0,0,0,0,0,0,0,2,4,5,5,4,4,4,4,3,2,1,0,0,0,0,0}', '{1.2,1.1,1,1,0.9,0.5,0}');

CREATE TABLE kontor_gen.slot AS
WITH p AS (SELECT *, (date_trunc('day', now() AT TIME ZONE 'Europe/Berlin')
                      - make_interval(days => days - 1)) AT TIME ZONE 'Europe/Berlin' AS ws
           FROM kontor_gen.param),
h AS (
    SELECT hno, p.ws + hno * interval '1 hour' AS start, p.days, p.ws
    FROM p, generate_series(0, ceil(extract(epoch FROM now() - p.ws) / 3600)::integer - 1) AS hno
), hl AS (
    SELECT h.*, least(interval '1 hour', now() - h.start) AS len,
           (h.start AT TIME ZONE 'Europe/Berlin') AS lt,
           ((h.start AT TIME ZONE 'Europe/Berlin')::date - (h.ws AT TIME ZONE 'Europe/Berlin')::date) AS dayno,
           (h.start AT TIME ZONE 'Europe/Berlin')::date AS day
    FROM h
), w AS (
    SELECT hl.hno, hl.start, hl.len, ch.idx AS ch, ch.share,
           pr.hours[extract(hour FROM hl.lt)::integer + 1] * pr.dows[extract(isodow FROM hl.lt)::integer]
           * (0.88 + 0.24 * kontor_gen.u(30, hl.dayno)) * (0.93 + 0.14 * kontor_gen.u(31, hl.dayno * 8 + ch.idx))
           * (0.9 + 0.2 * hl.dayno / hl.days)
           * (ARRAY[0.85, 0.8, 0.95, 1.0, 1.0, 0.95, 0.9, 0.9, 1.0, 1.05, 1.15, 1.35])[extract(month FROM hl.lt)::integer]
           * CASE WHEN hl.day = current_date - 22 AND ch.idx IN (1, 2) THEN 1.45      -- November Edit newsletter
                  WHEN hl.day = current_date - 21 AND ch.idx IN (1, 2) THEN 1.15
                  WHEN hl.day = current_date - 35 AND ch.idx IN (2, 6) THEN 1.35      -- Runner launch
                  WHEN hl.day BETWEEN current_date - 2 AND current_date AND ch.idx = 3 THEN 1.05
                  ELSE 1 END
           * (extract(epoch FROM hl.len) / 3600) AS w
    FROM hl CROSS JOIN kontor_gen.ch JOIN kontor_gen.prof pr ON pr.ch = ch.idx
), wn AS (
    SELECT hno, start, len, ch, share * w / nullif(sum(w) OVER (PARTITION BY ch), 0) AS w FROM w
), s AS (
    SELECT hno, start, len, sum(coalesce(w, 0)) AS w,
           array_agg(coalesce(w, 0) ORDER BY ch) AS ws
    FROM wn GROUP BY hno, start, len
)
SELECT hno, start, len, w,
       coalesce(sum(w) OVER (ORDER BY hno ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) / sum(w) OVER () AS lo,
       CASE WHEN hno = max(hno) OVER () THEN 1.0
            ELSE sum(w) OVER (ORDER BY hno) / sum(w) OVER () END AS hi,
       ARRAY(SELECT coalesce(sum(x) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    / nullif(w, 0)
             FROM unnest(ws) WITH ORDINALITY AS t(x, i) ORDER BY i) AS ch_cum
FROM s;

CREATE TABLE kontor_gen.loc_cum AS
SELECT array_agg(id ORDER BY idx) AS ids,
       array_agg(store_lo ORDER BY idx) AS store_cum,
       array_agg(cc_lo ORDER BY idx) AS cc_cum,
       (SELECT id FROM kontor_gen.loc WHERE code = 'WH-01') AS warehouse,
       (SELECT id FROM kontor_gen.loc WHERE code = 'PP-01') AS pickup_point,
       (SELECT id FROM kontor_gen.loc WHERE code = 'HB-01') AS bremen
FROM (SELECT idx, id,
             coalesce(sum(w_store) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                 / sum(w_store) OVER () AS store_lo,
             coalesce(sum(w_cc) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                 / sum(w_cc) OVER () AS cc_lo
      FROM kontor_gen.loc) x;

-- Orders ---------------------------------------------------------------------------
CREATE UNLOGGED TABLE kontor_gen.o AS
WITH p AS (SELECT * FROM kontor_gen.param),
dc AS (SELECT count(*)::bigint AS n FROM kontor_gen.dup),
a AS (   -- g-th order of N falls into the slot that holds quantile g/N
    SELECT g, 100 + g AS id,
           s.start + s.len * ((g - s.g_lo + kontor_gen.u(50, g)) / (s.g_hi - s.g_lo + 1)) AS t0,
           kontor_gen.pick(kontor_gen.u(51, g), s.ch_cum) AS ch
    FROM (SELECT slot.*, floor(p.orders * lo)::bigint + 1 AS g_lo, floor(p.orders * hi)::bigint AS g_hi
          FROM kontor_gen.slot, p) s,
         generate_series(s.g_lo, s.g_hi) AS g
    WHERE s.g_hi >= s.g_lo
), b AS (
    SELECT a.*,
           CASE a.ch WHEN 3 THEN 'in_store'
                     WHEN 1 THEN CASE WHEN kontor_gen.u(52, g) < 0.22 THEN 'click_collect' ELSE 'ship' END
                     WHEN 2 THEN CASE WHEN kontor_gen.u(52, g) < 0.35 THEN 'click_collect' ELSE 'ship' END
                     WHEN 5 THEN CASE WHEN kontor_gen.u(52, g) < 0.15 THEN 'click_collect' ELSE 'ship' END
                     WHEN 6 THEN CASE WHEN kontor_gen.u(52, g) < 0.10 THEN 'click_collect' ELSE 'ship' END
                     ELSE 'ship' END AS ful,
           kontor_gen.pick(kontor_gen.u(58, g), '{0,0.55,0.83,0.95,0.99}') AS nl,
           CASE a.ch
               WHEN 1 THEN (ARRAY['card', 'paypal', 'invoice'])[kontor_gen.pick(kontor_gen.u(59, g), '{0,0.35,0.8}')]
               WHEN 2 THEN (ARRAY['card', 'paypal', 'invoice'])[kontor_gen.pick(kontor_gen.u(59, g), '{0,0.4,0.95}')]
               WHEN 3 THEN CASE WHEN kontor_gen.u(59, g) < 0.65 THEN 'card' ELSE 'cash' END
               WHEN 4 THEN 'marketplace'
               WHEN 5 THEN CASE WHEN kontor_gen.u(59, g) < 0.6 THEN 'invoice' ELSE 'card' END
               WHEN 6 THEN CASE WHEN kontor_gen.u(59, g) < 0.6 THEN 'paypal' ELSE 'card' END
               ELSE CASE WHEN kontor_gen.u(59, g) < 0.8 THEN 'invoice' ELSE 'card' END END AS pm,
           -- customer: walk-in store sales are often anonymous; a few customers
           -- buy very often (a log-uniform head: the best customer has ~150
           -- orders at S, ~500 at M, ~1,000 at L), the rest mildly skewed
           CASE WHEN a.ch = 3 AND kontor_gen.u(53, g) < 0.5 THEN NULL
                WHEN a.ch = 3 AND kontor_gen.u(56, g) < 0.03 THEN
                    (SELECT CASE WHEN j % 10 = 0 THEN 101 + ((j - 1) * 104729) % p.customers
                                 ELSE 100 + p.customers + j END
                     FROM (SELECT 1 + floor(kontor_gen.u(57, g) * dc.n)::bigint AS j) jj)
                ELSE 101 + ((CASE WHEN kontor_gen.u(54, g) < least(0.12, 150 * power(p.orders / 20000.0, 0.3)
                                                                * ln(p.customers) / (0.59 * p.orders))
                                  THEN least(p.customers, floor(power(p.customers, kontor_gen.u(55, g)))::bigint)
                                  ELSE 1 + floor(p.customers * power(kontor_gen.u(55, g), 1.3))::bigint END - 1)
                            * 7919) % p.customers END AS cust,
           kontor_gen.u(60, g) < (ARRAY[0.12, 0.18, 0.04, 0, 0.10, 0.35, 0.40])[a.ch] AS attributed
    FROM a, p, dc
), c AS MATERIALIZED (
    SELECT b.*,
           CASE b.ful WHEN 'in_store' THEN lc.ids[kontor_gen.pick(kontor_gen.u(61, g), lc.store_cum)]
                      WHEN 'click_collect' THEN lc.ids[kontor_gen.pick(kontor_gen.u(61, g), lc.cc_cum)] END AS loc,
           b.t0 + CASE WHEN b.ch = 3 THEN kontor_gen.mins(62, g, 0.25, 2)
                       WHEN kontor_gen.u(63, g) < 0.85 THEN kontor_gen.mins(62, g, 0.3, 3)
                       WHEN kontor_gen.u(63, g) < 0.97 THEN kontor_gen.mins(62, g, 5, 120)
                       ELSE kontor_gen.mins(62, g, 120, 2880) END AS t1,
           CASE WHEN b.ful = 'click_collect' THEN
               CASE WHEN kontor_gen.u(68, g) < 0.5 THEN kontor_gen.mins(69, g, 60, 1440)
                    WHEN kontor_gen.u(68, g) < 0.8 THEN kontor_gen.mins(69, g, 1440, 4320)
                    WHEN kontor_gen.u(68, g) < 0.94 THEN kontor_gen.mins(69, g, 4320, 11520) END END AS collect_after
    FROM b, kontor_gen.loc_cum lc
), d AS (
    SELECT c.*,
           CASE c.ful
               WHEN 'ship' THEN kontor_gen.open_time(c.t1 + kontor_gen.mins(64, g, 60, 1200), kontor_gen.u(65, g), 6, 22)
               WHEN 'click_collect' THEN kontor_gen.open_time(c.t1 + kontor_gen.mins(64, g, 10, 360), kontor_gen.u(65, g), 10, 20)
               ELSE c.t1 + kontor_gen.mins(64, g, 0.05, 0.5) END AS t2
    FROM c
), e AS MATERIALIZED (
    SELECT d.*,
           CASE d.ful
               WHEN 'ship' THEN kontor_gen.open_time(d.t2 + kontor_gen.mins(66, g, 60, 360), kontor_gen.u(67, g), 6, 22)
               WHEN 'click_collect' THEN d.t2 + kontor_gen.mins(66, g, 8, 45) END AS t3
    FROM d
), f AS (
    SELECT e.*,
           CASE e.ful
               WHEN 'ship' THEN kontor_gen.open_time(e.t3 + kontor_gen.mins(70, g, 840, 3600), kontor_gen.u(71, g), 8, 20)
               WHEN 'click_collect' THEN kontor_gen.open_time(e.t3 + e.collect_after, kontor_gen.u(71, g), 10, 20) END AS t4,
           kontor_gen.u(72, g) AS rc
    FROM e
), gg AS MATERIALIZED (   -- cancellations: ck = the step cancelled from (1 placed .. 4 ready)
    SELECT f.*,
           CASE WHEN f.ful = 'in_store' THEN CASE WHEN rc < 0.005 THEN 1 END
                WHEN rc < 0.012 THEN 1 WHEN rc < 0.025 THEN 2 WHEN rc < 0.030 THEN 3
                WHEN f.ful = 'click_collect' AND f.collect_after IS NULL THEN 4 END AS ck
    FROM f
)
SELECT g, id, ch, t0, ful, loc, cust, nl, pm, attributed,
       t1, t2, t3, CASE WHEN ck IS NULL THEN t4 END AS t4, ck,
       CASE ck WHEN 1 THEN t0 + CASE WHEN ful = 'in_store' THEN kontor_gen.mins(73, g, 0.5, 2)
                                     ELSE kontor_gen.mins(73, g, 5, 60) END
               WHEN 2 THEN t1 + kontor_gen.mins(73, g, 10, 480)
               WHEN 3 THEN t2 + kontor_gen.mins(73, g, 20, 120)
               WHEN 4 THEN kontor_gen.open_time(t3 + interval '14 days', kontor_gen.u(73, g), 10, 20) END AS tc,
       -- a return: how long after delivery / collection / purchase it was asked for
       CASE WHEN ck IS NULL
             AND kontor_gen.u(74, g) < CASE WHEN ful = 'click_collect' THEN 0.12
                                            ELSE (ARRAY[0.26, 0.20, 0.07, 0.20, 0.12, 0.22, 0.12])[ch] END
            THEN CASE WHEN kontor_gen.u(75, g) < 0.6 THEN kontor_gen.mins(76, g, 1440, 14400)
                      WHEN kontor_gen.u(75, g) < 0.9 THEN kontor_gen.mins(76, g, 14400, 31680)
                      WHEN kontor_gen.u(75, g) < 0.96 THEN kontor_gen.mins(76, g, 31680, 42480)
                      ELSE kontor_gen.mins(76, g, 44640, 72000) END END AS return_after
FROM gg;

-- Attribution to a campaign touchpoint live when the order was placed.
CREATE UNLOGGED TABLE kontor_gen.oattr AS
SELECT o.id AS order_id, x.campaign_id, x.touchpoint_id, x.kind
FROM kontor_gen.o o
CROSS JOIN LATERAL (
    SELECT a.campaign_id, a.touchpoint_id, a.kind FROM kontor_gen.attr a
    WHERE a.ch = o.ch AND o.t0 >= a.live_from AND o.t0 < a.live_to
    ORDER BY -ln(1 - kontor_gen.u(77, o.id * 32 + a.touchpoint_id)) / a.w LIMIT 1) x
WHERE o.attributed;
CREATE UNIQUE INDEX ON kontor_gen.oattr (order_id);

-- Lines: popular products more often; a campaign for the Runner sells Runners.
CREATE TABLE kontor_gen.runner AS
SELECT min(lo) AS lo, (SELECT min(lo) FROM kontor_gen.prod WHERE sku > 'SNK-2041-99') AS hi
FROM kontor_gen.prod WHERE sku LIKE 'SNK-2041-%';

INSERT INTO kontor.order_line (id, order_id, line_no, product_id, sku, name, size, qty, unit_price_cents)
OVERRIDING SYSTEM VALUE
SELECT x.id * 8 + x.l, x.id, x.l, pr.id, pr.sku, pr.name, pr.size,
       CASE WHEN pr.sku LIKE 'SCK-%' OR pr.sku LIKE 'ACC-%'
            THEN 1 + (kontor_gen.u(81, x.id * 8 + x.l) < 0.25)::integer + (kontor_gen.u(82, x.id * 8 + x.l) < 0.08)::integer
            ELSE 1 + (kontor_gen.u(81, x.id * 8 + x.l) < 0.04)::integer END,
       pr.price_cents
FROM (SELECT o.id, l,
             kontor_gen.pick(CASE WHEN l = 1 AND a.campaign_id = (SELECT id FROM kontor.campaign WHERE name = 'Spring Sneakers 2026')
                                  THEN r.lo + kontor_gen.u(80, o.id * 8 + l) * (r.hi - r.lo)
                                  ELSE kontor_gen.u(80, o.id * 8 + l) END, pc.cum) AS pidx
      FROM kontor_gen.o o
      LEFT JOIN kontor_gen.oattr a ON a.order_id = o.id
      CROSS JOIN kontor_gen.runner r CROSS JOIN kontor_gen.prod_cum pc
      CROSS JOIN LATERAL generate_series(1, o.nl) AS l) x
JOIN kontor_gen.prod gp ON gp.idx = x.pidx
JOIN kontor.product pr ON pr.id = gp.id;

-- Totals: a 10 % voucher on some orders (often with the November Edit),
-- shipping 4.95 below 50.00 (catalogue orders 5.95), marketplace ships free.
CREATE UNLOGGED TABLE kontor_gen.ot AS
SELECT l.order_id, l.subtotal, x.discount,
       CASE WHEN o.ful <> 'ship' OR o.ch = 4 THEN 0
            WHEN o.ch = 7 THEN 595
            WHEN l.subtotal - x.discount < 5000 THEN 495 ELSE 0 END AS shipping
FROM (SELECT order_id, sum(qty * unit_price_cents) AS subtotal FROM kontor.order_line
      WHERE order_id > 100 GROUP BY order_id) l
JOIN kontor_gen.o o ON o.id = l.order_id
LEFT JOIN kontor_gen.oattr a ON a.order_id = o.id
CROSS JOIN LATERAL (SELECT CASE WHEN o.ch <> 3 AND (kontor_gen.u(83, o.id) < 0.06
                                     OR (a.campaign_id = (SELECT id FROM kontor.campaign WHERE name = 'November Edit')
                                         AND kontor_gen.u(83, o.id) < 0.5))
                                THEN round(l.subtotal * 0.1)::bigint ELSE 0 END AS discount) x;
CREATE UNIQUE INDEX ON kontor_gen.ot (order_id);

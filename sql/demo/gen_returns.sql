-- Returns of generated orders: asked for some days after delivery,
-- collection or purchase; by post to the warehouse or at a store (also for
-- orders bought online: "buy online, return in store"); every state from
-- requested to closed, approvals for refunds over the service limit and for
-- returns outside the window. Return ids 1..100 are kept for the scenarios;
-- a generated return line has the id of the order line it returns.

CREATE UNLOGGED TABLE kontor_gen.r0 AS
SELECT 100 + row_number() OVER (ORDER BY x.order_id) AS id, x.*
FROM (
    SELECT o.id AS order_id, o.g, o.ch, o.ful, o.loc, o.pm, o.nl, o.cust, f.tfin, s.at_store,
           CASE WHEN s.at_store THEN kontor_gen.open_time(f.tfin + o.return_after, kontor_gen.u(111, o.id), 10, 20)
                ELSE f.tfin + o.return_after END AS tr0,
           CASE WHEN NOT s.at_store THEN lc.warehouse
                WHEN o.ful = 'in_store' AND kontor_gen.u(112, o.id) < 0.85 THEN o.loc
                WHEN o.ful = 'click_collect' AND kontor_gen.u(112, o.id) < 0.85 THEN
                    CASE WHEN o.loc = lc.pickup_point THEN lc.bremen ELSE o.loc END
                ELSE lc.ids[kontor_gen.pick(kontor_gen.u(113, o.id), lc.store_cum)] END AS rloc
    FROM kontor_gen.o o
    CROSS JOIN kontor_gen.loc_cum lc
    CROSS JOIN LATERAL (SELECT CASE o.ful WHEN 'in_store' THEN o.t2 ELSE o.t4 END AS tfin) f
    CROSS JOIN LATERAL (SELECT CASE WHEN o.ful = 'in_store' THEN true
                                    WHEN o.ful = 'click_collect' THEN kontor_gen.u(110, o.id) < 0.65
                                    WHEN o.ch IN (1, 2, 5, 6) THEN kontor_gen.u(110, o.id) < 0.2
                                    ELSE false END AS at_store) s
    WHERE o.return_after IS NOT NULL AND f.tfin IS NOT NULL
) x
WHERE x.tr0 <= now();

-- Which lines come back, how many.
CREATE UNLOGGED TABLE kontor_gen.rl AS
SELECT r.id AS return_id, ol.id AS order_line_id, ol.unit_price_cents AS price, ol.qty AS sold,
       CASE WHEN ol.qty > 1 AND kontor_gen.u(116, ol.id) < 0.5 THEN 1 ELSE ol.qty END AS qty
FROM kontor_gen.r0 r
JOIN kontor.order_line ol ON ol.order_id = r.order_id
WHERE kontor_gen.u(114, ol.id) < 0.55 OR ol.line_no = 1 + floor(kontor_gen.u(115, r.id) * r.nl)::integer;

CREATE UNLOGGED TABLE kontor_gen.r AS
WITH b AS (
    SELECT r0.*, s.value, s.all_back AND s.n = r0.nl AS full_return,
           round(s.value * (ot.subtotal - ot.discount)::numeric / ot.subtotal)::bigint AS amount,
           floor(extract(epoch FROM r0.tr0 - r0.tfin) / 86400)::integer AS days,
           CASE WHEN r0.ch = 4 THEN 14 ELSE 30 END AS win,
           kontor_gen.u(120, r0.id) AS v
    FROM kontor_gen.r0
    JOIN (SELECT return_id, sum(qty * price) AS value, bool_and(qty = sold) AS all_back, count(*) AS n
          FROM kontor_gen.rl GROUP BY return_id) s ON s.return_id = r0.id
    JOIN kontor_gen.ot ON ot.order_id = r0.order_id
), c AS (
    SELECT b.*, b.days > b.win AS ow,
           CASE WHEN NOT b.at_store AND b.v < 0.04 THEN 'cancel' WHEN b.v < 0.07 THEN 'reject'
                WHEN b.v < 0.13 THEN 'exchange' WHEN b.v < 0.20 THEN 'credit' ELSE 'refund' END AS variant
    FROM b
), d AS MATERIALIZED (   -- outside the window: a manager decides before the return is authorised
    SELECT c.*,
           CASE WHEN c.ow THEN kontor_gen.open_time(c.tr0 + kontor_gen.mins(121, c.id, 60, 1800),
                                                    kontor_gen.u(122, c.id), 8, 18) END AS ow_dec,
           kontor_gen.u(123, c.id) < 0.85 AS ow_ok
    FROM c
), e AS (
    SELECT d.*,
           CASE WHEN d.ow AND NOT d.ow_ok THEN NULL
                WHEN d.ow THEN d.ow_dec + kontor_gen.mins(124, d.id, 10, 120)
                WHEN d.at_store THEN d.tr0 + kontor_gen.mins(124, d.id, 0.5, 2)
                ELSE d.tr0 + kontor_gen.mins(124, d.id, 1, 30) END AS t_auth
    FROM d
), f AS MATERIALIZED (
    SELECT e.*,
           CASE WHEN e.t_auth IS NULL OR e.variant = 'cancel' THEN NULL
                WHEN e.at_store THEN e.t_auth + kontor_gen.mins(125, e.id, 0.5, 2)
                ELSE kontor_gen.open_time(e.t_auth + kontor_gen.mins(125, e.id, 2880, 8640),
                                          kontor_gen.u(126, e.id), 6, 22) END AS t_recv
    FROM e
), g AS (
    SELECT f.*,
           CASE WHEN f.t_recv IS NULL THEN NULL
                WHEN f.at_store THEN f.t_recv + kontor_gen.mins(127, f.id, 2, 20)
                ELSE kontor_gen.open_time(f.t_recv + kontor_gen.mins(127, f.id, 180, 4320),
                                          kontor_gen.u(128, f.id), 6, 22) END AS t_insp,
           f.amount > 20000 AND f.variant IN ('refund', 'credit') AND NOT f.ow AS over_limit
    FROM f
), h AS MATERIALIZED (   -- over the service limit: service asks, a manager decides
    SELECT g.*,
           CASE WHEN g.over_limit AND g.t_insp IS NOT NULL THEN g.t_insp + kontor_gen.mins(130, g.id, 60, 1200) END AS lim_req,
           kontor_gen.u(133, g.id) < 0.9 AS lim_ok
    FROM g
), i AS (
    SELECT h.*,
           CASE WHEN h.lim_req IS NOT NULL THEN kontor_gen.open_time(h.lim_req + kontor_gen.mins(131, h.id, 120, 1800),
                                                                     kontor_gen.u(132, h.id), 8, 18) END AS lim_dec
    FROM h
), j AS MATERIALIZED (
    SELECT i.*,
           CASE WHEN i.variant = 'cancel' AND i.t_auth IS NOT NULL THEN i.t_auth + interval '14 days' END AS t_canc,
           coalesce(CASE WHEN i.ow AND NOT i.ow_ok THEN i.ow_dec END,
                    CASE WHEN i.variant = 'reject' THEN i.t_insp + kontor_gen.mins(129, i.id, 1, 30) END,
                    CASE WHEN i.lim_dec IS NOT NULL AND NOT i.lim_ok THEN i.lim_dec END) AS t_rej,
           CASE WHEN i.t_insp IS NULL OR i.variant IN ('reject', 'cancel') THEN NULL
                WHEN i.over_limit AND NOT i.lim_ok THEN NULL
                WHEN i.over_limit THEN i.lim_dec + kontor_gen.mins(134, i.id, 30, 600)
                WHEN i.variant = 'exchange' THEN i.t_insp + kontor_gen.mins(134, i.id, 30, 600)
                ELSE i.t_insp + kontor_gen.mins(134, i.id, 60, 1800) END AS t_done
    FROM i
), k AS (
    SELECT j.*,
           CASE WHEN j.t_done IS NOT NULL AND kontor_gen.u(135, j.id) < 0.6
                THEN j.t_done + kontor_gen.mins(136, j.id, 7200, 20160) END AS t_closed
    FROM j
)
SELECT k.*,
       CASE WHEN k.t_closed <= now() THEN 'closed'
            WHEN k.t_done <= now() THEN CASE k.variant WHEN 'credit' THEN 'credited'
                                                       WHEN 'exchange' THEN 'exchanged' ELSE 'refunded' END
            WHEN k.t_rej <= now() THEN 'rejected'
            WHEN k.t_canc <= now() THEN 'cancelled'
            WHEN k.t_insp <= now() THEN 'inspected'
            WHEN k.t_recv <= now() THEN 'received'
            WHEN k.t_auth <= now() THEN 'authorised'
            ELSE 'requested' END AS status,
       (SELECT max(t) FILTER (WHERE t <= now()) FROM unnest(ARRAY[k.tr0, k.t_auth, k.t_recv, k.t_insp, k.t_done,
            k.t_closed, k.t_rej, k.t_canc, k.lim_req, coalesce(k.ow_dec, k.lim_dec)]) AS t) AS last_at,
       (SELECT count(*) FROM unnest(ARRAY[k.tr0, k.t_auth, k.t_recv, k.t_insp, k.t_done,
            k.t_closed, k.t_rej, k.t_canc, k.lim_req, coalesce(k.ow_dec, k.lim_dec)]) AS t WHERE t <= now())::integer AS steps,
       ls.ids[1 + floor(kontor_gen.u(137, k.id) * cardinality(ls.ids))::integer] AS clerk,
       tm.service[1 + floor(kontor_gen.u(138, k.id) * cardinality(tm.service))::integer] AS agent,
       tm.manager[1 + floor(kontor_gen.u(139, k.id) * cardinality(tm.manager))::integer] AS boss
FROM k
LEFT JOIN kontor_gen.loc_staff ls ON ls.location_id = k.rloc
CROSS JOIN kontor_gen.team tm;
CREATE UNIQUE INDEX ON kontor_gen.r (order_id);

INSERT INTO kontor.return_order (id, rma, order_id, channel_id, location_id, status, status_note, reason,
    refund_method, outside_window, days_since_delivery, needs_approval, approval_note,
    approval_requested_by, approval_requested_at, approval_decision, approved_by, approved_at,
    approval_reason, created_by, created_at, version, updated_at, updated_by)
OVERRIDING SYSTEM VALUE
SELECT r.id, 'R-' || kontor_gen.code31((r.id * 387420489 + 12345) % 887503681, 6), r.order_id,
       (SELECT id FROM kontor_gen.ch WHERE idx = CASE WHEN r.at_store THEN 3 WHEN r.ch IN (2, 4) THEN r.ch ELSE 1 END),
       r.rloc, r.status,
       CASE WHEN r.status = 'rejected' THEN
                CASE WHEN r.variant = 'reject' THEN 'worn, not resellable'
                     ELSE 'refund not approved by manager' END END,
       (ARRAY['too small', 'too large', 'does not fit', 'colour differs from photo', 'changed my mind',
              'defective', 'quality not as expected', 'ordered several sizes', 'arrived too late'])
           [kontor_gen.pick(kontor_gen.u(140, r.id), '{0,0.22,0.38,0.52,0.60,0.70,0.76,0.84,0.96}')],
       CASE r.variant WHEN 'credit' THEN 'voucher' WHEN 'exchange' THEN 'exchange'
                      ELSE CASE WHEN r.pm = 'cash' THEN 'cash' ELSE 'original' END END,
       r.ow, r.days,
       r.ow OR coalesce(r.lim_req <= now(), false),
       CASE WHEN r.ow THEN (ARRAY['gift, receipt late', 'customer was abroad', 'parcel delayed by carrier',
                                  'long-standing customer, goodwill'])[1 + floor(kontor_gen.u(141, r.id) * 4)::integer]
            WHEN r.lim_req <= now() THEN (ARRAY['refund over service limit', 'unworn, original packaging',
                                               'several items, one parcel'])[1 + floor(kontor_gen.u(141, r.id) * 3)::integer] END,
       CASE WHEN r.ow THEN CASE WHEN r.at_store THEN r.clerk ELSE r.agent END
            WHEN r.lim_req <= now() THEN r.agent END,
       CASE WHEN r.ow THEN r.tr0 WHEN r.lim_req <= now() THEN r.lim_req END,
       CASE WHEN coalesce(r.ow_dec, r.lim_dec) <= now() THEN
                CASE WHEN (r.ow AND r.ow_ok) OR (NOT r.ow AND r.lim_ok) THEN 'approved' ELSE 'rejected' END END,
       CASE WHEN coalesce(r.ow_dec, r.lim_dec) <= now() THEN r.boss END,
       CASE WHEN coalesce(r.ow_dec, r.lim_dec) <= now() THEN coalesce(r.ow_dec, r.lim_dec) END,
       CASE WHEN coalesce(r.ow_dec, r.lim_dec) <= now() THEN
                CASE WHEN (r.ow AND r.ow_ok) OR (NOT r.ow AND r.lim_ok) THEN 'goods as new, goodwill'
                     ELSE 'visibly worn' END END,
       CASE WHEN r.at_store THEN r.clerk WHEN r.ow THEN r.agent END,
       r.tr0, r.steps, r.last_at,
       CASE WHEN r.status IN ('refunded', 'credited', 'exchanged', 'closed') THEN r.agent
            WHEN r.status IN ('received', 'inspected') AND r.at_store THEN r.clerk END
FROM kontor_gen.r r;

INSERT INTO kontor.return_line (id, return_id, order_line_id, qty, reason, condition, restocked, version, updated_at)
OVERRIDING SYSTEM VALUE
SELECT l.order_line_id, l.return_id, l.order_line_id, l.qty, NULL, c.condition,
       coalesce(c.condition = 'resellable' AND r.status <> 'rejected' AND r.rloc IS NOT NULL, false),
       CASE WHEN c.condition IS NULL THEN 1 ELSE 2 END, CASE WHEN r.t_insp <= now() THEN r.t_insp ELSE r.tr0 END
FROM kontor_gen.rl l
JOIN kontor_gen.r r ON r.id = l.return_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.t_insp IS NULL OR r.t_insp > now() THEN NULL
                WHEN r.variant = 'reject' THEN 'damaged'
                WHEN kontor_gen.u(142, l.order_line_id) < 0.82 THEN 'resellable'
                WHEN kontor_gen.u(142, l.order_line_id) < 0.92 THEN 'damaged'
                ELSE 'defective' END AS condition) c;

-- Refunds of returns (to the original payment; a credit is a voucher).
INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, idempotency_key, status,
                           created_by, at, updated_at)
SELECT r.order_id, r.id, r.order_id, r.amount,
       CASE WHEN r.variant = 'credit' THEN 'voucher' ELSE r.pm END,
       'demo-return-' || r.id, 'done', r.agent, r.t_done, r.t_done
FROM kontor_gen.r r
WHERE r.variant IN ('refund', 'credit') AND r.t_done <= now()
ORDER BY r.t_done;

-- Generated orders themselves, their status history, payments, refunds of
-- cancelled paid orders, shelf notes and a few sent notifications. The
-- status of an order is the last step of its history (order_steps), so
-- the two cannot disagree.

-- The history of an order: the steps of its lifecycle reached by now.
CREATE FUNCTION kontor_gen.order_steps(
    p_ful text, p_ch integer, p_pp boolean, p_ck integer,
    t0 timestamptz, t1 timestamptz, t2 timestamptz, t3 timestamptz, t4 timestamptz, tc timestamptz,
    t_ret timestamptz, p_full boolean, p_rma text, p_ret_staff bigint,
    p_clerk1 bigint, p_clerk2 bigint, p_agent bigint)
RETURNS TABLE(step integer, from_status text, to_status text, at timestamptz, source text,
              staff_id bigint, note text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT * FROM (VALUES
    (1, NULL::text, 'placed'::text, t0,
        (ARRAY['web', 'app', 'pos', 'marketplace', 'phone', 'social', 'print'])[p_ch], NULL::bigint, NULL::text),
    (2, 'placed', 'paid', t1, CASE p_ch WHEN 3 THEN 'pos' WHEN 4 THEN 'marketplace' ELSE 'psp' END, NULL, NULL),
    (3, 'paid', CASE p_ful WHEN 'in_store' THEN 'completed' ELSE 'picking' END, t2,
        CASE WHEN p_ful = 'in_store' THEN 'pos' WHEN p_ful = 'ship' OR p_pp THEN 'wms' ELSE 'console' END,
        CASE WHEN p_ful = 'click_collect' AND NOT p_pp THEN p_clerk1 END, NULL),
    (4, 'picking', CASE p_ful WHEN 'ship' THEN 'shipped' ELSE 'ready_for_pickup' END, t3,
        CASE WHEN p_ful = 'ship' THEN 'wms' WHEN p_pp THEN 'locker' ELSE 'console' END,
        CASE WHEN p_ful = 'click_collect' AND NOT p_pp THEN p_clerk1 END, NULL),
    (5, CASE p_ful WHEN 'ship' THEN 'shipped' ELSE 'ready_for_pickup' END,
        CASE p_ful WHEN 'ship' THEN 'delivered' ELSE 'collected' END, t4,
        CASE WHEN p_ful = 'ship' THEN 'carrier' WHEN p_pp THEN 'locker' ELSE 'console' END,
        CASE WHEN p_ful = 'click_collect' AND NOT p_pp THEN p_clerk2 END, NULL),
    (6, (ARRAY['placed', 'paid', 'picking', 'ready_for_pickup'])[p_ck], 'cancelled', tc,
        CASE WHEN p_ck = 1 THEN CASE WHEN p_ful = 'in_store' THEN 'pos' ELSE 'psp' END
             WHEN p_ck = 2 THEN 'console'
             WHEN p_ful = 'ship' OR p_pp THEN 'wms' ELSE 'console' END,
        CASE WHEN p_ck = 2 THEN p_agent WHEN p_ck IN (3, 4) AND p_ful = 'click_collect' AND NOT p_pp THEN p_clerk2 END,
        CASE p_ck WHEN 1 THEN CASE WHEN p_ful = 'in_store' THEN 'card declined' ELSE 'payment failed' END
                  WHEN 2 THEN 'cancelled at the customer''s request'
                  WHEN 3 THEN 'item out of stock'
                  WHEN 4 THEN 'not collected within 14 days' END),
    (7, CASE p_ful WHEN 'ship' THEN 'delivered' WHEN 'click_collect' THEN 'collected' ELSE 'completed' END,
        CASE WHEN p_full THEN 'returned' ELSE 'partially_returned' END, t_ret,
        CASE WHEN p_ret_staff IS NOT NULL THEN 'console' ELSE 'wms' END, p_ret_staff, 'return ' || p_rma)
) AS v(step, from_status, to_status, at, source, staff_id, note)
WHERE v.at <= now()
  AND ((v.step <= 5 AND (p_ck IS NULL OR v.step <= p_ck)) OR (v.step = 6 AND p_ck IS NOT NULL) OR v.step = 7)
$$;

CREATE VIEW kontor_gen.ostep AS
SELECT o.*, ot.subtotal, ot.discount, ot.shipping, ot.subtotal - ot.discount + ot.shipping AS total,
       a.campaign_id, a.touchpoint_id, ch.id AS channel_id,
       r.t_recv, r.full_return, r.at_store AS ret_at_store,
       CASE WHEN r.id IS NOT NULL THEN 'R-' || kontor_gen.code31((r.id * 387420489 + 12345) % 887503681, 6) END AS rma,
       CASE WHEN r.at_store THEN r.clerk END AS ret_staff,
       o.loc IS NOT NULL AND o.loc = lc.pickup_point AS pp,
       ls.ids[1 + floor(kontor_gen.u(143, o.id) * cardinality(ls.ids))::integer] AS clerk1,
       ls.ids[1 + floor(kontor_gen.u(144, o.id) * cardinality(ls.ids))::integer] AS clerk2,
       tm.service[1 + floor(kontor_gen.u(145, o.id) * cardinality(tm.service))::integer] AS agent
FROM kontor_gen.o o
JOIN kontor_gen.ot ot ON ot.order_id = o.id
JOIN kontor_gen.ch ch ON ch.idx = o.ch
LEFT JOIN kontor_gen.oattr a ON a.order_id = o.id
LEFT JOIN kontor_gen.r r ON r.order_id = o.id AND r.t_recv <= now()
LEFT JOIN kontor_gen.loc_staff ls ON ls.location_id = o.loc
CROSS JOIN kontor_gen.loc_cum lc
CROSS JOIN kontor_gen.team tm;

INSERT INTO kontor.sales_order (id, number, channel_id, location_id, customer_id, fulfilment, status,
    status_note, status_changed_at, subtotal_cents, shipping_cents, discount_cents, total_cents,
    campaign_id, touchpoint_id, pickup_code, placed_at, version, updated_at, updated_by)
OVERRIDING SYSTEM VALUE
SELECT x.id, 'K-' || (100000 + x.id), x.channel_id, x.loc, x.cust, x.ful, h.status, h.note, h.at,
       x.subtotal, x.shipping, x.discount, x.total, x.campaign_id, x.touchpoint_id,
       CASE WHEN x.ful = 'click_collect' THEN kontor_gen.code31((x.id * 594823321 + 777) % 887503681, 6) END,
       x.t0, h.n, h.at, h.staff_id
FROM kontor_gen.ostep x
CROSS JOIN LATERAL (
    SELECT (array_agg(s.to_status ORDER BY s.step DESC))[1] AS status,
           (array_agg(s.note ORDER BY s.step DESC))[1] AS note,
           (array_agg(s.staff_id ORDER BY s.step DESC))[1] AS staff_id,
           max(s.at) AS at, count(*)::integer AS n
    FROM kontor_gen.order_steps(x.ful, x.ch, x.pp, x.ck, x.t0, x.t1, x.t2, x.t3, x.t4, x.tc, x.t_recv,
                                x.full_return, x.rma, x.ret_staff, x.clerk1, x.clerk2, x.agent) s) h;

INSERT INTO kontor.order_event (order_id, at, from_status, to_status, staff_id, source, note)
SELECT x.id, s.at, s.from_status, s.to_status, s.staff_id, s.source, s.note
FROM kontor_gen.ostep x
CROSS JOIN LATERAL kontor_gen.order_steps(x.ful, x.ch, x.pp, x.ck, x.t0, x.t1, x.t2, x.t3, x.t4, x.tc,
                                          x.t_recv, x.full_return, x.rma, x.ret_staff, x.clerk1, x.clerk2,
                                          x.agent) s;

-- One payment per order (id = order id): captured once paid, declined when
-- the order was cancelled for that, else authorised and waiting.
INSERT INTO kontor.payment (id, order_id, method, amount_cents, status, reference, at, version, updated_at)
OVERRIDING SYSTEM VALUE
SELECT o.id, o.id, m.method, ot.subtotal - ot.discount + ot.shipping, s.status,
       CASE m.method WHEN 'card' THEN '****' || lpad(kontor_gen.ri(146, o.id, 0, 9999)::text, 4, '0')
                     WHEN 'paypal' THEN 'PAYID-' || kontor_gen.code31((o.id * 594823321 + 4242) % 887503681, 6)
                     WHEN 'invoice' THEN 'INV-' || (100000 + o.id)
                     WHEN 'marketplace' THEN 'MKT-' || (3000000000 + (o.id * 48271) % 900000000) END,
       s.at, CASE WHEN s.status = 'authorised' THEN 1 ELSE 2 END, s.at
FROM kontor_gen.o o
JOIN kontor_gen.ot ot ON ot.order_id = o.id
CROSS JOIN LATERAL (SELECT CASE WHEN o.ck = 1 AND o.ful = 'in_store' THEN 'card' ELSE o.pm END AS method) m
CROSS JOIN LATERAL (
    SELECT CASE WHEN o.t1 <= now() AND (o.ck IS NULL OR o.ck >= 2) THEN 'captured'
                WHEN o.ck = 1 AND o.tc <= now() THEN 'failed' ELSE 'authorised' END AS status,
           CASE WHEN o.t1 <= now() AND (o.ck IS NULL OR o.ck >= 2) THEN o.t1
                WHEN o.ck = 1 AND o.tc <= now() THEN o.tc ELSE least(o.t0 + interval '5 seconds', now()) END AS at) s;

-- A paid order that is cancelled is refunded in full.
INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, idempotency_key, status,
                           created_by, at, updated_at)
SELECT x.id, NULL, x.id, x.total, x.pm, 'demo-cancel-' || x.id, 'done',
       CASE WHEN x.ck = 2 THEN x.agent WHEN x.ful = 'click_collect' AND NOT x.pp THEN x.clerk2 END, x.tc, x.tc
FROM kontor_gen.ostep x
WHERE x.ck >= 2 AND x.tc <= now();

-- Where a click & collect order waits in the store.
INSERT INTO kontor.order_note (order_id, body, created_at, created_by)
SELECT x.id, 'shelf ' || substr('ABCDE', 1 + floor(kontor_gen.u(147, x.id) * 5)::integer, 1)
             || (1 + floor(kontor_gen.u(148, x.id) * 6))::integer,
       x.t3 + interval '1 minute', x.clerk1
FROM kontor_gen.ostep x
WHERE x.ful = 'click_collect' AND NOT x.pp AND x.t3 + interval '1 minute' <= now()
  AND (x.ck IS NULL OR x.ck >= 4) AND kontor_gen.u(149, x.id) < 0.6;

-- Notifications of the last three days (what the triggers would have queued).
INSERT INTO kontor.notification_outbox (order_id, customer_id, channel, kind, payload, created_at, created_by, sent_at)
SELECT e.order_id, so.customer_id, 'email',
       CASE e.to_status WHEN 'ready_for_pickup' THEN 'pickup_ready' ELSE e.to_status END,
       jsonb_build_object('number', so.number, 'status', e.to_status, 'pickup_code', so.pickup_code,
                          'location_id', so.location_id),
       e.at, e.staff_id,
       CASE WHEN e.at + interval '2 minutes' <= now() THEN e.at + interval '2 minutes' END
FROM kontor.order_event e
JOIN kontor.sales_order so ON so.id = e.order_id
WHERE e.to_status IN ('ready_for_pickup', 'shipped', 'cancelled') AND e.at > now() - interval '3 days'
  AND so.customer_id IS NOT NULL
ORDER BY e.at;

-- Stock, sequences, indexes; then the invariants are checked (the load ran
-- without triggers) and the generator's schema is dropped.

-- Stock per product at every store and the warehouse: what open orders
-- reserve (click & collect at the pickup store, shipping at the warehouse)
-- plus what is free on the shelf.
INSERT INTO kontor.stock (product_id, location_id, on_hand, reserved, updated_at)
SELECT p.id, l.id,
       coalesce(r.qty, 0) + CASE
           WHEN l.kind = 'warehouse' THEN 20 + floor(kontor_gen.u(200, p.id * 100 + l.id) * 300 * gp.w)::integer
           WHEN NOT p.active THEN 0
           ELSE floor(power(kontor_gen.u(200, p.id * 100 + l.id), 1.6) * (4 + 5 * gp.w))::integer END
           + CASE WHEN p.sku = 'SNK-2041-42' AND l.code IN ('HB-01', 'HH-01') THEN 3 ELSE 0 END,
       coalesce(r.qty, 0),
       now() - kontor_gen.u(201, p.id * 100 + l.id) * interval '3 days'
FROM kontor.product p
JOIN kontor_gen.prod gp ON gp.id = p.id
CROSS JOIN kontor.location l
LEFT JOIN (SELECT ol.product_id, coalesce(so.location_id, (SELECT warehouse FROM kontor_gen.loc_cum)) AS location_id,
                  sum(ol.qty)::integer AS qty
           FROM kontor.sales_order so JOIN kontor.order_line ol ON ol.order_id = so.id
           WHERE (so.fulfilment = 'click_collect' AND so.status IN ('placed', 'paid', 'picking', 'ready_for_pickup')
                  AND so.location_id <> (SELECT pickup_point FROM kontor_gen.loc_cum))
              OR (so.fulfilment = 'ship' AND so.status IN ('placed', 'paid', 'picking'))
           GROUP BY 1, 2) r ON r.product_id = p.id AND r.location_id = l.id
WHERE l.kind IN ('store', 'warehouse')
ORDER BY l.id, p.id;

-- Returns: the order's channel and location next to the return's (0008),
-- what came back, and each return's history from its timestamps.
UPDATE kontor.return_order r
SET order_channel_id = so.channel_id, order_location_id = so.location_id, status_changed_at = r.updated_at
FROM kontor.sales_order so WHERE so.id = r.order_id;
UPDATE kontor.return_line rl SET qty_received = rl.qty
FROM kontor.return_order r
WHERE r.id = rl.return_id
  AND (r.status IN ('received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed')
       OR (r.status = 'rejected' AND rl.condition IS NOT NULL));
INSERT INTO kontor.return_event (return_id, at, from_status, to_status, staff_id, note)
SELECT e.* FROM (
    SELECT id, created_at, NULL::text, 'requested', created_by, reason FROM kontor.return_order
    UNION ALL
    SELECT id, approval_requested_at, CASE WHEN outside_window THEN 'requested' ELSE 'inspected' END,
           CASE WHEN outside_window THEN 'requested' ELSE 'inspected' END, approval_requested_by,
           'approval requested' || CASE WHEN outside_window THEN format(' (outside the window: %s days)', days_since_delivery)
                                        ELSE ' (over the refund limit)' END || coalesce(': ' || approval_note, '')
    FROM kontor.return_order WHERE needs_approval AND approval_requested_at IS NOT NULL
    UNION ALL
    SELECT id, approved_at, CASE WHEN outside_window THEN 'requested' ELSE 'inspected' END,
           CASE WHEN outside_window THEN 'requested' ELSE 'inspected' END, approved_by,
           approval_decision || coalesce(': ' || approval_reason, '')
    FROM kontor.return_order WHERE approval_decision IS NOT NULL
    UNION ALL
    SELECT id, updated_at, NULL, status, updated_by, status_note
    FROM kontor.return_order WHERE status <> 'requested'
) e ORDER BY 2;

-- Sequences continue after the loaded rows.
SELECT setval('kontor.order_number_seq', (SELECT 100000 + coalesce(max(id), 0) FROM kontor.sales_order) + 1, false);
DO $$
DECLARE r record; v bigint;
BEGIN
    FOR r IN SELECT c.relname, a.attname, pg_get_serial_sequence(format('kontor.%I', c.relname), a.attname) AS seq
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'kontor' AND a.attidentity <> '' AND c.relkind = 'r' LOOP
        EXECUTE format('SELECT max(%I) FROM kontor.%I', r.attname, r.relname) INTO v;
        PERFORM setval(r.seq, coalesce(v, 0) + 1, false);
    END LOOP;
END $$;

-- Indexes back (the unique ones verify identities and the like).
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT def FROM kontor_gen.saved_index ORDER BY name LOOP
        EXECUTE r.def;
    END LOOP;
END $$;

\if :{?nocheck}
\else
\ir check.sql
\endif

DROP SCHEMA kontor_gen CASCADE;

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

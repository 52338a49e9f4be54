-- Checks a database loaded with sql/demo/load.sql (any scale):
--   psql -X -q -v ON_ERROR_STOP=1 -d DB -f tests/db/check_demo.sql
-- The invariants (also run by the loader), then the scenario records of
-- doc SCENARIOS.md that end-to-end tests rely on. Each failure raises.

\ir ../../sql/demo/check.sql

DO $$
DECLARE
    n bigint;
    o record;
BEGIN
    -- Scenario 1: Jürgen's app order, click & collect at Bremen, paid, from the poster
    SELECT so.*, c.first_name, c.last_name, l.code AS loc, ch.code AS channel, cp.name AS campaign, tp.name AS tp
      INTO o
    FROM kontor.sales_order so
    JOIN kontor.customer c ON c.id = so.customer_id
    JOIN kontor.location l ON l.id = so.location_id
    JOIN kontor.channel ch ON ch.id = so.channel_id
    LEFT JOIN kontor.campaign cp ON cp.id = so.campaign_id
    LEFT JOIN kontor.touchpoint tp ON tp.id = so.touchpoint_id
    WHERE so.number = 'K-100001';
    IF o.id IS NULL OR o.first_name <> 'Jürgen' OR o.last_name <> 'Müller' OR o.loc <> 'HB-01'
       OR o.channel <> 'app' OR o.fulfilment <> 'click_collect' OR o.status <> 'paid'
       OR o.total_cents <> 10195 OR o.pickup_code <> 'JM4242'
       OR o.campaign <> 'Spring Sneakers 2026' OR o.tp <> 'Poster Bremen Hbf (QR)' THEN
        RAISE EXCEPTION 'check_demo: K-100001 is not Jürgen''s paid click & collect order at Bremen';
    END IF;
    SELECT count(*) INTO n FROM kontor.order_line
    WHERE order_id = o.id AND ((sku = 'SNK-2041-42' AND unit_price_cents = 8995 AND size = '42')
                               OR (sku = 'SCK-0003' AND unit_price_cents = 1200));
    IF n <> 2 THEN RAISE EXCEPTION 'check_demo: K-100001 lines'; END IF;
    SELECT count(*) INTO n FROM kontor.interaction i JOIN kontor.touchpoint t ON t.id = i.touchpoint_id
    WHERE i.customer_id = o.customer_id AND t.name = 'Poster Bremen Hbf (QR)' AND i.kind = 'scanned'
      AND i.at < o.placed_at;
    IF n = 0 THEN RAISE EXCEPTION 'check_demo: no poster scan before Jürgen''s order'; END IF;

    -- Scenario 2: identities, the duplicate, the journey
    SELECT count(*) INTO n FROM kontor.customer_identity
    WHERE customer_id = 1 AND retired_at IS NULL
      AND (kind, value_norm) IN (('email', 'juergen.mueller@example.de'), ('phone', '+494211234567'),
                                 ('loyalty', '400012345678'), ('web_account', 'jm1977'));
    IF n <> 4 THEN RAISE EXCEPTION 'check_demo: Jürgen''s identities'; END IF;
    SELECT count(*) INTO n FROM kontor.customer c JOIN kontor.location l ON l.code = 'HH-01'
    WHERE c.id = 2 AND c.first_name = 'Juergen' AND c.last_name = 'Mueller' AND c.merged_into IS NULL
      AND EXISTS (SELECT 1 FROM kontor.sales_order so WHERE so.customer_id = 2 AND so.location_id = l.id);
    IF n <> 1 THEN RAISE EXCEPTION 'check_demo: the duplicate Juergen Mueller'; END IF;
    IF NOT EXISTS (SELECT 1 FROM kontor.return_order WHERE rma = 'R-4TQ8ZP' AND status = 'refunded') THEN
        RAISE EXCEPTION 'check_demo: Jürgen''s return R-4TQ8ZP';
    END IF;

    -- Scenario 3: the coat, inspected, no refund yet, over the service limit
    SELECT count(*) INTO n FROM kontor.return_order r
    JOIN kontor.return_line rl ON rl.return_id = r.id
    JOIN kontor.order_line ol ON ol.id = rl.order_line_id
    WHERE r.rma = 'R-7K2Q9M' AND r.status = 'inspected' AND NOT r.needs_approval
      AND ol.unit_price_cents > 20000 AND NOT EXISTS (SELECT 1 FROM kontor.refund f WHERE f.return_id = r.id);
    IF n <> 1 THEN RAISE EXCEPTION 'check_demo: the coat return R-7K2Q9M'; END IF;

    -- Scenario 7 and the accounts
    IF NOT EXISTS (SELECT 1 FROM kontor.location WHERE code = 'HH-01' AND kind = 'store') THEN
        RAISE EXCEPTION 'check_demo: no Hamburg store HH-01';
    END IF;
    SELECT count(*) INTO n FROM kontor.staff s LEFT JOIN kontor.location l ON l.id = s.home_location_id
    WHERE (s.username, s.role, coalesce(l.code, '-')) IN (('admin', 'admin', '-'), ('manager', 'manager', 'HB-01'),
                                                          ('service', 'service', 'HH-01'), ('clerk', 'clerk', 'HB-01'));
    IF n <> 4 THEN RAISE EXCEPTION 'check_demo: demo accounts and their homes'; END IF;

    -- Returns in every state
    SELECT count(*) INTO n FROM unnest(ARRAY['requested', 'authorised', 'received', 'inspected', 'refunded',
                                             'credited', 'exchanged', 'closed', 'rejected', 'cancelled']) s
    WHERE NOT EXISTS (SELECT 1 FROM kontor.return_order WHERE status = s);
    IF n > 0 THEN RAISE EXCEPTION 'check_demo: returns missing in % states', n; END IF;
END $$;

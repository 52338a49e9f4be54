-- Smoke test of the schema: run against a freshly migrated database as a
-- superuser/owner:  psql -X -v ON_ERROR_STOP=1 -d kontor -f sql/test/smoke.sql
-- Uses psql meta-commands (\c, \gset); expected failures are caught in DO
-- blocks that assert the SQLSTATE. Ends with "SMOKE OK".
\set QUIET on
\pset footer off
\set hash '''$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$ZmFrZWhhc2hmYWtlaGFzaA'''
\set owner :USER

-- Setup as the owner (no session, no audit rows for row changes)
INSERT INTO kontor.location (code, name, city, kind) VALUES
  ('HB-01', 'Bremen Obernstraße', 'Bremen', 'store'),
  ('HH-01', 'Hamburg Mönckebergstraße', 'Hamburg', 'store'),
  ('WH-01', 'Lager Achim', 'Achim', 'warehouse');
SELECT kontor.staff_add('Admin', 'Ada Admin', 'admin', NULL, :hash, false) AS admin_id \gset
SELECT kontor.staff_add('clerk', 'Anna Kruse', 'clerk', 'HB-01', :hash, false) AS clerk_id \gset
SELECT kontor.staff_add('service', 'Ben Scholz', 'service', 'HH-01', :hash, false) AS service_id \gset
SELECT kontor.staff_add('manager', 'Mia Manager', 'manager', 'HB-01', :hash, false) AS manager_id \gset

INSERT INTO kontor.product (sku, name, size, price_cents) VALUES
  ('SNK-2041-42', 'Nordhafen Runner, white', '42', 8995), ('COAT-77-M', 'Wool coat', 'M', 34900);
INSERT INTO kontor.stock (product_id, location_id, on_hand)
  SELECT p.id, l.id, 3 FROM kontor.product p, kontor.location l;
INSERT INTO kontor.customer (first_name, last_name, city) VALUES ('Jürgen', 'Müller', 'Bremen') RETURNING id AS cust_id \gset
INSERT INTO kontor.customer_identity (customer_id, kind, value) VALUES
  (:cust_id, 'email', 'Juergen.Mueller@Example.de'), (:cust_id, 'phone', '0421 / 123 45 67');
INSERT INTO kontor.sales_order (channel_id, location_id, customer_id, fulfilment, subtotal_cents, total_cents)
  SELECT id, (SELECT id FROM kontor.location WHERE code = 'HB-01'), :cust_id, 'click_collect', 8995, 8995
  FROM kontor.channel WHERE code = 'app' RETURNING id AS order_id, number AS order_no, pickup_code \gset
INSERT INTO kontor.order_line (order_id, line_no, product_id, sku, name, size, qty, unit_price_cents)
  SELECT :order_id, 1, id, sku, name, size, 1, price_cents FROM kontor.product WHERE sku = 'SNK-2041-42'
  RETURNING id AS line_id \gset
INSERT INTO kontor.payment (order_id, method, amount_cents, status, reference)
  VALUES (:order_id, 'card', 8995, 'captured', '****4242');
UPDATE kontor.sales_order SET status = 'paid' WHERE id = :order_id;
-- a shipped coat order, delivered
INSERT INTO kontor.sales_order (channel_id, customer_id, fulfilment, subtotal_cents, total_cents)
  SELECT id, :cust_id, 'ship', 34900, 34900 FROM kontor.channel WHERE code = 'web'
  RETURNING id AS order2_id, number AS order2_no \gset
INSERT INTO kontor.order_line (order_id, line_no, product_id, sku, name, size, qty, unit_price_cents)
  SELECT :order2_id, 1, id, sku, name, size, 1, price_cents FROM kontor.product WHERE sku = 'COAT-77-M'
  RETURNING id AS line2_id \gset
INSERT INTO kontor.payment (order_id, method, amount_cents, status) VALUES (:order2_id, 'paypal', 34900, 'captured');
UPDATE kontor.sales_order SET status = 'paid' WHERE id = :order2_id;
UPDATE kontor.sales_order SET status = 'picking' WHERE id = :order2_id;
UPDATE kontor.sales_order SET status = 'shipped' WHERE id = :order2_id;
UPDATE kontor.sales_order SET status = 'delivered' WHERE id = :order2_id;
\echo setup: order :order_no pickup code :pickup_code, order :order2_no

-- Search helpers
DO $$ BEGIN
  ASSERT kontor.koelner_phonetik('Müller') = '657', kontor.koelner_phonetik('Müller');
  ASSERT kontor.koelner_phonetik('Muller') = '657';
  ASSERT kontor.koelner_phonetik('Mueller') = '657';
  ASSERT kontor.koelner_phonetik('Wikipedia') = '3412', kontor.koelner_phonetik('Wikipedia');
  ASSERT kontor.koelner_phonetik('Müller-Lüdenscheidt') = '657 52682', kontor.koelner_phonetik('Müller-Lüdenscheidt');
  ASSERT kontor.identity_norm('phone', '0421 / 123 45 67') = '+494211234567';
  ASSERT kontor.identity_norm('phone', '+49 (0)421 1234567') = '+494211234567';
  ASSERT kontor.identity_norm('phone', '0049 421 1234567') = '+494211234567';
  ASSERT kontor.identity_norm('loyalty', '4000 1234-5678') = '400012345678';
  ASSERT (SELECT name_norm FROM kontor.customer LIMIT 1) = 'juergen mueller jurgen muller';
  RAISE NOTICE 'ok: phonetics and normalisation';
END $$;

-- Sign-in as the console's login role --------------------------------------
\c - kontor_login
\set QUIET on
SELECT count(*) = 0 AS unknown_has_no_row FROM kontor.auth_begin('nobody') \gset
\if :unknown_has_no_row
\else
  \echo FAIL auth_begin unknown
  SELECT 1/0;
\endif
SELECT result FROM kontor.auth_finish('nobody', false, 'smoke');
SELECT result AS r1 FROM kontor.auth_finish('CLERK', false, 'smoke') \gset
SELECT result AS r2 FROM kontor.auth_finish('clerk', false, 'smoke') \gset
SELECT result AS r3 FROM kontor.auth_finish('clerk', false, 'smoke') \gset
SELECT result AS r4 FROM kontor.auth_finish('clerk', false, 'smoke') \gset
SELECT result AS r5 FROM kontor.auth_finish('clerk', false, 'smoke') \gset
\set results :r1,:r2,:r3,:r4,:r5
\echo five wrong passwords: :results
SELECT result AS r FROM kontor.auth_finish('clerk', true, 'smoke') \gset
\echo correct password while locked: :r
SELECT (password_hash IS NULL AND locked_until > now()) AS locked_ok FROM kontor.auth_begin('clerk') \gset
\echo auth_begin hides hash of locked account: :locked_ok
DO $$ BEGIN
  PERFORM * FROM kontor.staff;
  RAISE EXCEPTION 'FAIL: kontor_login can read staff';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'ok: kontor_login cannot read tables';
END $$;

\c - :owner
\set QUIET on
SELECT kontor.staff_unlock('clerk');
\c - kontor_login
\set QUIET on
SELECT token AS clerk_token FROM kontor.auth_finish('clerk', true, 'smoke') \gset
SELECT token AS service_token FROM kontor.auth_finish('service', true, 'smoke') \gset
SELECT token AS manager_token FROM kontor.auth_finish('manager', true, 'smoke') \gset
SELECT token AS admin_token, result FROM kontor.auth_finish('admin', true, 'smoke') \gset
-- settings the DO blocks read; :reload re-creates them after each \c
SELECT format('SELECT set_config(%L, %L, false), set_config(%L, %L, false), set_config(%L, %L, false), '
              'set_config(%L, %L, false), set_config(%L, %L, false), set_config(%L, %L, false), '
              'set_config(%L, %L, false), set_config(%L, %L, false) \gset',
              'test.clerk', :'clerk_token', 'test.service', :'service_token',
              'test.manager', :'manager_token', 'test.admin', :'admin_token',
              'test.order', :'order_id', 'test.line', :'line_id',
              'test.order2', :'order2_id', 'test.line2', :'line2_id') AS reload \gset
:reload

-- Session checks
DO $$ BEGIN
  SET LOCAL ROLE kontor_service;
  PERFORM kontor.session_begin(current_setting('test.clerk'));
  RAISE EXCEPTION 'FAIL: clerk token accepted as kontor_service';
EXCEPTION WHEN SQLSTATE '28000' THEN RAISE NOTICE 'ok: role mismatch refused: %', SQLERRM;
END $$;
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM kontor.session_begin(repeat('ab', 32));
  RAISE EXCEPTION 'FAIL: unknown token accepted';
EXCEPTION WHEN SQLSTATE '28000' THEN RAISE NOTICE 'ok: unknown token refused: %', SQLERRM;
END $$;
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM set_config('kontor.staff_id', '2', true);
  ASSERT kontor.current_staff_id() IS NULL, 'forged staff id accepted';
  INSERT INTO kontor.order_note (order_id, body) VALUES (current_setting('test.order')::bigint, 'anonymous');
  RAISE EXCEPTION 'FAIL: anonymous write as kontor_clerk';
EXCEPTION WHEN SQLSTATE '28000' THEN RAISE NOTICE 'ok: write without session refused: %', SQLERRM;
END $$;

-- Legal move as clerk, in a session: order_event + audit_event
BEGIN;
SET LOCAL ROLE kontor_clerk;
SELECT kontor.session_begin(:'clerk_token') = :clerk_id AS session_ok \gset
UPDATE kontor.sales_order SET status = 'picking' WHERE id = :order_id AND version = 2 RETURNING version;
COMMIT;
\c - :owner
\set QUIET on
SELECT (SELECT count(*) FROM kontor.order_event WHERE order_id = :order_id AND to_status = 'picking'
          AND staff_id = :clerk_id AND source = 'console') AS events,
       (SELECT count(*) FROM kontor.audit_event WHERE action = 'sales_order.update' AND staff_id = :clerk_id
          AND entity_id = :'order_id' AND after ->> 'status' = 'picking') AS audits \gset
\echo legal move by clerk: order_event rows :events, audit_event rows :audits
\c - kontor_login
\set QUIET on
:reload

-- Illegal moves
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM kontor.session_begin(current_setting('test.clerk'));
  UPDATE kontor.sales_order SET status = 'collected' WHERE id = current_setting('test.order')::bigint;
  RAISE EXCEPTION 'FAIL: picking -> collected accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'ok: illegal status move refused: %', SQLERRM;
END $$;
DO $$ BEGIN
  SET LOCAL ROLE kontor_service;
  PERFORM kontor.session_begin(current_setting('test.service'));
  UPDATE kontor.sales_order SET status = 'cancelled' WHERE id = current_setting('test.order')::bigint;
  RAISE EXCEPTION 'FAIL: cancel without reason accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'ok: cancel without reason refused: %', SQLERRM;
END $$;

-- Clerk: ready, collected, return at the counter, inspect, restock
BEGIN;
SET LOCAL ROLE kontor_clerk;
SELECT kontor.session_begin(:'clerk_token') IS NOT NULL AS s \gset
UPDATE kontor.sales_order SET status = 'ready_for_pickup', status_note = 'shelf B3' WHERE id = :order_id;
UPDATE kontor.sales_order SET status = 'collected' WHERE id = :order_id;
INSERT INTO kontor.return_order (order_id, channel_id, location_id, reason)
  SELECT :order_id, c.id, l.id, 'too small' FROM kontor.channel c, kontor.location l
  WHERE c.code = 'store' AND l.code = 'HB-01' RETURNING id AS ret_id, rma \gset
INSERT INTO kontor.return_line (return_id, order_line_id, qty, reason) VALUES (:ret_id, :line_id, 1, 'too small');
COMMIT;
-- Invariant 1: over-return
DO $$ DECLARE v_ret bigint; BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM kontor.session_begin(current_setting('test.clerk'));
  INSERT INTO kontor.return_order (order_id, channel_id, location_id)
    SELECT current_setting('test.order')::bigint, c.id, l.id FROM kontor.channel c, kontor.location l
    WHERE c.code = 'store' AND l.code = 'HB-01' RETURNING id INTO v_ret;
  INSERT INTO kontor.return_line (return_id, order_line_id, qty) VALUES (v_ret, current_setting('test.line')::bigint, 1);
  RAISE EXCEPTION 'FAIL: over-return accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'ok: over-return refused: %', SQLERRM;
END $$;
-- RLS: clerk of Bremen cannot take a return in for Hamburg
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM kontor.session_begin(current_setting('test.clerk'));
  INSERT INTO kontor.return_order (order_id, channel_id, location_id)
    SELECT current_setting('test.order')::bigint, c.id, l.id FROM kontor.channel c, kontor.location l
    WHERE c.code = 'store' AND l.code = 'HH-01';
  RAISE EXCEPTION 'FAIL: clerk wrote a return at another location';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'ok: RLS: %', SQLERRM;
END $$;
BEGIN;
SET LOCAL ROLE kontor_clerk;
SELECT kontor.session_begin(:'clerk_token') IS NOT NULL AS s \gset
UPDATE kontor.return_order SET status = 'authorised' WHERE id = :ret_id;
UPDATE kontor.return_order SET status = 'received' WHERE id = :ret_id;
UPDATE kontor.return_order SET status = 'inspected' WHERE id = :ret_id;
UPDATE kontor.return_line SET condition = 'resellable', restocked = true WHERE return_id = :ret_id;
COMMIT;
SELECT set_config('test.ret', :'ret_id', false) \gset
\c - :owner
\set QUIET on
SELECT status AS order_status FROM kontor.sales_order WHERE id = :order_id \gset
SELECT on_hand AS bremen_stock FROM kontor.stock s JOIN kontor.location l ON l.id = s.location_id
  JOIN kontor.product p ON p.id = s.product_id WHERE l.code = 'HB-01' AND p.sku = 'SNK-2041-42' \gset
\echo return :rma received: order now :order_status, Bremen stock of SNK-2041-42 now :bremen_stock (was 3)
\c - kontor_login
\set QUIET on
:reload
SELECT set_config('test.ret', :'ret_id', false) \gset

-- Invariant 3: stock
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM kontor.session_begin(current_setting('test.clerk'));
  UPDATE kontor.stock SET on_hand = -1 WHERE location_id = kontor.current_staff_location();
  RAISE EXCEPTION 'FAIL: negative stock accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'ok: negative stock refused: %', SQLERRM;
END $$;
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM kontor.session_begin(current_setting('test.clerk'));
  UPDATE kontor.stock SET reserved = on_hand + 1 WHERE location_id = kontor.current_staff_location();
  RAISE EXCEPTION 'FAIL: reserved > on_hand accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'ok: reserved > on_hand refused: %', SQLERRM;
END $$;
-- clerk has no access to identities
DO $$ BEGIN
  SET LOCAL ROLE kontor_clerk;
  PERFORM * FROM kontor.customer_identity;
  RAISE EXCEPTION 'FAIL: clerk reads identities';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'ok: clerk cannot read customer_identity';
END $$;
BEGIN;
SET LOCAL ROLE kontor_clerk;
SELECT kontor.session_begin(:'clerk_token') IS NOT NULL AS s \gset
SELECT first_name, last_name, email_masked, phone_masked FROM kontor.customer_masked
  WHERE name_norm LIKE '%' || kontor.search_norm('Muller') || '%';
COMMIT;

-- Invariant 2: over-refund, refund limit and approval (service, manager)
BEGIN;
SET LOCAL ROLE kontor_service;
SELECT kontor.session_begin(:'service_token') IS NOT NULL AS s \gset
-- a service agent finds the customer by a differently written phone number
SELECT c.id = :cust_id AS found_by_phone FROM kontor.customer_identity i JOIN kontor.customer c ON c.id = i.customer_id
  WHERE i.kind = 'phone' AND i.value_norm = kontor.identity_norm('phone', '+49 421 1234567');
INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, idempotency_key)
  SELECT :order_id, :ret_id, p.id, 8995, 'card', 'ret-' || :ret_id FROM kontor.payment p WHERE p.order_id = :order_id;
UPDATE kontor.return_order SET status = 'refunded' WHERE id = :ret_id;
COMMIT;
DO $$ BEGIN
  SET LOCAL ROLE kontor_service;
  PERFORM kontor.session_begin(current_setting('test.service'));
  INSERT INTO kontor.refund (order_id, amount_cents, method, idempotency_key)
    VALUES (current_setting('test.order')::bigint, 1, 'voucher', 'goodwill-1');
  RAISE EXCEPTION 'FAIL: over-refund accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'ok: over-refund refused: %', SQLERRM;
END $$;
DO $$ BEGIN
  SET LOCAL ROLE kontor_service;
  PERFORM kontor.session_begin(current_setting('test.service'));
  INSERT INTO kontor.refund (order_id, amount_cents, method, idempotency_key)
    VALUES (current_setting('test.order')::bigint, 1, 'voucher', 'ret-' || current_setting('test.ret'));
  RAISE EXCEPTION 'FAIL: second refund with same key accepted';
EXCEPTION WHEN unique_violation OR check_violation THEN RAISE NOTICE 'ok: refund key used twice refused: %', SQLERRM;
END $$;
-- coat: service starts the return, refund over the limit needs approval
BEGIN;
SET LOCAL ROLE kontor_service;
SELECT kontor.session_begin(:'service_token') IS NOT NULL AS s \gset
INSERT INTO kontor.return_order (order_id, channel_id, location_id, reason)
  SELECT :order2_id, c.id, l.id, 'seam torn' FROM kontor.channel c, kontor.location l
  WHERE c.code = 'web' AND l.code = 'WH-01' RETURNING id AS ret2_id \gset
INSERT INTO kontor.return_line (return_id, order_line_id, qty) VALUES (:ret2_id, :line2_id, 1);
UPDATE kontor.return_order SET status = 'authorised' WHERE id = :ret2_id;
UPDATE kontor.return_order SET status = 'received' WHERE id = :ret2_id;
UPDATE kontor.return_order SET status = 'inspected' WHERE id = :ret2_id;
COMMIT;
SELECT set_config('test.ret2', :'ret2_id', false) \gset
DO $$ BEGIN
  SET LOCAL ROLE kontor_service;
  PERFORM kontor.session_begin(current_setting('test.service'));
  INSERT INTO kontor.refund (order_id, return_id, amount_cents, method, idempotency_key)
    VALUES (current_setting('test.order2')::bigint, current_setting('test.ret2')::bigint, 34900, 'paypal', 'ret2');
  RAISE EXCEPTION 'FAIL: refund over limit accepted';
EXCEPTION WHEN SQLSTATE 'KX001' THEN RAISE NOTICE 'ok: refund over limit needs approval: %', SQLERRM;
END $$;
BEGIN;
SET LOCAL ROLE kontor_service;
SELECT kontor.session_begin(:'service_token') IS NOT NULL AS s \gset
UPDATE kontor.return_order SET needs_approval = true, approval_note = 'coat, seam torn' WHERE id = :ret2_id;
COMMIT;
BEGIN;
SET LOCAL ROLE kontor_manager;
SELECT kontor.session_begin(:'manager_token') IS NOT NULL AS s \gset
SELECT kontor.return_decide(:ret2_id, true, 'quality defect, customer of long standing');
COMMIT;
BEGIN;
SET LOCAL ROLE kontor_service;
SELECT kontor.session_begin(:'service_token') IS NOT NULL AS s \gset
INSERT INTO kontor.refund (order_id, return_id, amount_cents, method, idempotency_key)
  VALUES (:order2_id, :ret2_id, 34900, 'paypal', 'ret2')
  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id AS refund_id \gset
INSERT INTO kontor.refund (order_id, return_id, amount_cents, method, idempotency_key)
  VALUES (:order2_id, :ret2_id, 34900, 'paypal', 'ret2')
  ON CONFLICT (idempotency_key) DO NOTHING;
UPDATE kontor.return_order SET status = 'refunded' WHERE id = :ret2_id;
COMMIT;
\echo approved refund executed once: refund id :refund_id

-- Service creates a duplicate record; manager merges, exports, erases
BEGIN;
SET LOCAL ROLE kontor_service;
SELECT kontor.session_begin(:'service_token') IS NOT NULL AS s \gset
INSERT INTO kontor.customer (first_name, last_name) VALUES ('Jurgen', 'Mueller') RETURNING id AS dup_id \gset
INSERT INTO kontor.customer_identity (customer_id, kind, value) VALUES
  (:dup_id, 'loyalty', '4000 1234 5678'), (:dup_id, 'email', 'jm1977@example.org');
INSERT INTO kontor.consent (customer_id, purpose, granted, source) VALUES (:dup_id, 'newsletter', true, 'store counter');
INSERT INTO kontor.customer_duplicate (customer_a, customer_b, note) VALUES (:cust_id, :dup_id, 'same name, same street');
SELECT id, name_norm, name_phon FROM kontor.customer WHERE name_phon = kontor.koelner_phonetik('Muller') ORDER BY id;
COMMIT;
BEGIN;
SET LOCAL ROLE kontor_manager;
SELECT kontor.session_begin(:'manager_token') IS NOT NULL AS s \gset
SELECT kontor.customer_merge(:dup_id, :cust_id, 'same person');
SELECT jsonb_array_length(kontor.customer_export(:cust_id) -> 'identities') AS exported_identities;
SELECT kontor.customer_erase(:cust_id, 'customer asked to be forgotten');
SELECT last_name, erased_at IS NOT NULL AS erased FROM kontor.customer WHERE id = :cust_id;
SELECT purpose, granted, source FROM kontor.consent_current WHERE customer_id = :cust_id;
COMMIT;
-- admin creates a clerk in a session
BEGIN;
SET LOCAL ROLE kontor_admin;
SELECT kontor.session_begin(:'admin_token') IS NOT NULL AS s \gset
SELECT kontor.staff_add('new.clerk', 'Nina Neu', 'clerk', 'HH-01', :hash, true) > 0 AS staff_added;
COMMIT;

-- Admin: audit is append-only and verifies
DO $$ BEGIN
  SET LOCAL ROLE kontor_admin;
  PERFORM kontor.session_begin(current_setting('test.admin'));
  DELETE FROM kontor.audit_event;
  RAISE EXCEPTION 'FAIL: admin deleted audit';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'ok: admin cannot delete audit events';
END $$;
BEGIN;
SET LOCAL ROLE kontor_admin;
SELECT kontor.session_begin(:'admin_token') IS NOT NULL AS s \gset
SELECT * FROM kontor.audit_verify();
SELECT action, count(*) FROM kontor.audit_event GROUP BY action ORDER BY action;
COMMIT;

\c - :owner
\set QUIET on
DO $$ BEGIN
  UPDATE kontor.audit_event SET action = 'x' WHERE id = 1;
  RAISE EXCEPTION 'FAIL: owner updated audit';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'ok: audit update refused even for the owner';
END $$;
-- tampering (triggers disabled by a superuser) is detected; rolled back
BEGIN;
ALTER TABLE kontor.audit_event DISABLE TRIGGER audit_event_no_update;
UPDATE kontor.audit_event SET after = '{"tampered":true}' WHERE id = 3;
SELECT ok AS tampered_ok, first_bad_id FROM kontor.audit_verify() \gset
ROLLBACK;
\echo after tampering with event 3: ok=:tampered_ok first_bad_id=:first_bad_id
SELECT ok AS final_ok, checked FROM kontor.audit_verify() \gset
SELECT status AS order2_status FROM kontor.sales_order WHERE id = :order2_id \gset
\echo coat order now :order2_status; audit chain ok=:final_ok over :checked events
\if :final_ok
\echo SMOKE OK
\else
\echo SMOKE FAILED
\endif

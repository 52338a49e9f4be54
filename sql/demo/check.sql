-- Consistency checks of the data (the demo load runs them at the end, since
-- it skips triggers and foreign keys; they also run on their own:
-- psql -X -v ON_ERROR_STOP=1 -d DB -f sql/demo/check.sql). Each failure raises.

DO $$
DECLARE
    fk record;
    n bigint;
    v_sql text;
BEGIN
    -- every foreign key holds (the bulk load ran with triggers off)
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS child, c.confrelid::regclass AS parent,
               (SELECT string_agg(format('c.%I', a.attname), ', ' ORDER BY k.n)
                FROM unnest(c.conkey) WITH ORDINALITY k(att, n)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att) AS ccols,
               (SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ' ORDER BY k.n)
                FROM unnest(c.conkey) WITH ORDINALITY k(att, n)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att) AS notnull,
               (SELECT string_agg(format('p.%I', a.attname), ', ' ORDER BY k.n)
                FROM unnest(c.confkey) WITH ORDINALITY k(att, n)
                JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.att) AS pcols
        FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
        WHERE c.contype = 'f' AND ns.nspname = 'kontor'
    LOOP
        v_sql := format('SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE (%s) = (%s))',
                        fk.child, fk.notnull, fk.parent, fk.pcols, fk.ccols);
        EXECUTE v_sql INTO n;
        IF n > 0 THEN
            RAISE EXCEPTION 'check: % rows of % break foreign key %', n, fk.child, fk.conname;
        END IF;
    END LOOP;

    -- a line is never returned more often than it was sold
    SELECT count(*) INTO n FROM (
        SELECT ol.id FROM kontor.order_line ol
        JOIN kontor.return_line rl ON rl.order_line_id = ol.id
        JOIN kontor.return_order ro ON ro.id = rl.return_id
        WHERE ro.status NOT IN ('rejected', 'cancelled')
        GROUP BY ol.id, ol.qty HAVING sum(rl.qty) > ol.qty) x;
    IF n > 0 THEN RAISE EXCEPTION 'check: % order lines returned more often than sold', n; END IF;
    SELECT count(*) INTO n FROM kontor.return_line rl
    JOIN kontor.return_order ro ON ro.id = rl.return_id
    JOIN kontor.order_line ol ON ol.id = rl.order_line_id
    WHERE ol.order_id <> ro.order_id;
    IF n > 0 THEN RAISE EXCEPTION 'check: % return lines of another order', n; END IF;

    -- refunds never exceed what was captured
    SELECT count(*) INTO n FROM (
        SELECT rf.order_id FROM kontor.refund rf WHERE rf.status <> 'failed'
        GROUP BY rf.order_id
        HAVING sum(rf.amount_cents) > (SELECT coalesce(sum(p.amount_cents), 0) FROM kontor.payment p
                                       WHERE p.order_id = rf.order_id AND p.status = 'captured')) x;
    IF n > 0 THEN RAISE EXCEPTION 'check: % orders refunded more than captured', n; END IF;
    SELECT count(*) INTO n FROM kontor.refund rf JOIN kontor.payment p ON p.id = rf.payment_id
    WHERE p.order_id <> rf.order_id;
    IF n > 0 THEN RAISE EXCEPTION 'check: % refunds against another order''s payment', n; END IF;

    -- paid orders: what was captured is the order total
    SELECT count(*) INTO n FROM kontor.sales_order so
    WHERE so.status NOT IN ('placed')
      AND NOT (so.status = 'cancelled' AND NOT EXISTS (SELECT 1 FROM kontor.order_event e
                                                       WHERE e.order_id = so.id AND e.to_status = 'paid'))
      AND so.total_cents <> (SELECT coalesce(sum(p.amount_cents), 0) FROM kontor.payment p
                             WHERE p.order_id = so.id AND p.status = 'captured');
    IF n > 0 THEN RAISE EXCEPTION 'check: % paid orders whose captured payments differ from the total', n; END IF;
    SELECT count(*) INTO n FROM kontor.sales_order so
    WHERE so.total_cents <> so.subtotal_cents - so.discount_cents + so.shipping_cents
       OR so.subtotal_cents <> (SELECT coalesce(sum(qty * unit_price_cents), 0) FROM kontor.order_line ol
                                WHERE ol.order_id = so.id);
    IF n > 0 THEN RAISE EXCEPTION 'check: % orders whose totals do not add up', n; END IF;

    -- stock never negative, reservations within what is on hand
    SELECT count(*) INTO n FROM kontor.stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand;
    IF n > 0 THEN RAISE EXCEPTION 'check: % stock rows negative or over-reserved', n; END IF;

    -- history: starts with placed, each step follows the lifecycle, ends in the order's status
    SELECT count(*) INTO n FROM (
        SELECT e.order_id, e.from_status, e.to_status,
               lag(e.to_status) OVER (PARTITION BY e.order_id ORDER BY e.at, e.id) AS prev,
               row_number() OVER (PARTITION BY e.order_id ORDER BY e.at, e.id) AS k, so.fulfilment
        FROM kontor.order_event e JOIN kontor.sales_order so ON so.id = e.order_id) x
    WHERE (k = 1 AND (from_status IS NOT NULL OR to_status <> 'placed'))
       OR (k > 1 AND (from_status IS DISTINCT FROM prev
                      OR NOT EXISTS (SELECT 1 FROM kontor.order_transition t
                                     WHERE t.fulfilment = x.fulfilment AND t.from_status = x.from_status
                                       AND t.to_status = x.to_status)));
    IF n > 0 THEN RAISE EXCEPTION 'check: % order events break the lifecycle', n; END IF;
    SELECT count(*) INTO n FROM kontor.sales_order so
    LEFT JOIN LATERAL (SELECT e.to_status, e.at FROM kontor.order_event e WHERE e.order_id = so.id
                       ORDER BY e.at DESC, e.id DESC LIMIT 1) last ON true
    WHERE last.to_status IS DISTINCT FROM so.status OR last.at IS DISTINCT FROM so.status_changed_at;
    IF n > 0 THEN RAISE EXCEPTION 'check: % orders whose status is not their last event', n; END IF;

    -- returned orders have received returns; click & collect orders have pickup codes
    SELECT count(*) INTO n FROM kontor.sales_order so
    WHERE so.status IN ('returned', 'partially_returned')
      AND NOT EXISTS (SELECT 1 FROM kontor.return_order r WHERE r.order_id = so.id
                      AND r.status IN ('received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed', 'rejected'));
    IF n > 0 THEN RAISE EXCEPTION 'check: % returned orders without a received return', n; END IF;
    SELECT count(*) INTO n FROM kontor.sales_order
    WHERE (fulfilment = 'click_collect') <> (pickup_code IS NOT NULL);
    IF n > 0 THEN RAISE EXCEPTION 'check: % orders with a wrong pickup code', n; END IF;
    SELECT count(*) INTO n FROM kontor.return_order
    WHERE (needs_approval AND approval_requested_at IS NULL) OR (approval_decision IS NOT NULL AND NOT needs_approval)
       OR (status IN ('refunded', 'credited', 'exchanged', 'authorised') AND needs_approval
           AND approval_decision IS DISTINCT FROM 'approved');
    IF n > 0 THEN RAISE EXCEPTION 'check: % returns with inconsistent approvals', n; END IF;

    -- nothing in the future
    SELECT (SELECT count(*) FROM kontor.sales_order WHERE placed_at > now() OR status_changed_at > now())
         + (SELECT count(*) FROM kontor.order_event WHERE at > now())
         + (SELECT count(*) FROM kontor.payment WHERE at > now())
         + (SELECT count(*) FROM kontor.refund WHERE at > now())
         + (SELECT count(*) FROM kontor.return_order WHERE created_at > now() OR updated_at > now())
         + (SELECT count(*) FROM kontor.interaction WHERE at > now())
         + (SELECT count(*) FROM kontor.consent WHERE at > now())
         + (SELECT count(*) FROM kontor.customer WHERE created_at > now())
    INTO n;
    IF n > 0 THEN RAISE EXCEPTION 'check: % rows dated in the future', n; END IF;

    -- the demo accounts
    SELECT count(*) INTO n FROM kontor.staff
    WHERE username IN ('admin', 'manager', 'service', 'clerk') AND active AND NOT must_change_password
      AND password_hash LIKE '$argon2id$%';
    IF n <> 4 THEN RAISE EXCEPTION 'check: the four demo accounts are not all there'; END IF;
    SELECT count(*) INTO n FROM kontor.staff
    WHERE password_hash IS NOT NULL AND username NOT IN ('admin', 'manager', 'service', 'clerk');
    IF n > 0 THEN RAISE EXCEPTION 'check: % other accounts have a password', n; END IF;

    -- click & collect in every state
    SELECT count(*) INTO n FROM unnest(ARRAY['placed', 'paid', 'picking', 'ready_for_pickup', 'collected',
                                             'cancelled', 'returned', 'partially_returned']) s
    WHERE NOT EXISTS (SELECT 1 FROM kontor.sales_order WHERE fulfilment = 'click_collect' AND status = s);
    IF n > 0 THEN RAISE EXCEPTION 'check: click & collect orders missing in % states', n; END IF;
END $$;

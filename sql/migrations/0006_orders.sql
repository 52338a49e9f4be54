-- 0006 orders: stock reservation and release held by the database, staff
-- preferences (remembered filters), the total-sort index, and what the order
-- screens need to read (contact for the detail header, e-mail search).

SET LOCAL search_path = kontor, public;

INSERT INTO kontor.setting (key, scope, value, description) VALUES
    ('ship_from_location', '', '"WH-01"', 'location code shipping orders are reserved at and sent from');

-- Stock reservation -----------------------------------------------------------
-- An open order holds its lines' quantities as reserved at the location that
-- fulfils it; cancelling before dispatch releases them, handing over or
-- dispatching takes them out of stock (on_hand and reserved both drop).
-- The demo/bulk loader computes the same numbers without triggers, so the
-- rules below must match it exactly: pickup points hold no stock (nothing
-- is reserved for them), shipping reserves at the ship-from warehouse.

-- Statuses in which an order's lines are reserved.
CREATE FUNCTION kontor.order_status_is_reserving(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p_status IN ('placed', 'paid', 'picking', 'ready_for_pickup') $$;

-- The location whose stock an order reserves, or NULL (no stock kept there).
CREATE FUNCTION kontor.order_stock_location(p_fulfilment text, p_location_id bigint) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
SELECT CASE
    WHEN p_fulfilment = 'ship' THEN
        coalesce(p_location_id,
                 (SELECT id FROM kontor.location
                  WHERE code = kontor.setting_value('ship_from_location') #>> '{}'))
    ELSE (SELECT id FROM kontor.location WHERE id = p_location_id AND kind IN ('store', 'warehouse'))
END
$$;

-- Changes stock of a product at a location: reserved += p_reserve, on_hand
-- += p_on_hand, with a message people understand when that is impossible.
-- Stock is tracked where a stock row exists: a product without one at the
-- location (a voucher, a newly listed item) reserves and takes out nothing.
-- (A stock row created while an order for it is open would be released
-- without having been reserved; create stock rows before selling there.)
CREATE FUNCTION kontor._stock_change(p_order text, p_product bigint, p_location bigint,
                                     p_reserve integer, p_on_hand integer) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    s kontor.stock%ROWTYPE;
    v_sku text;
    v_loc text;
BEGIN
    SELECT * INTO s FROM kontor.stock WHERE product_id = p_product AND location_id = p_location FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;                         -- not stocked here (no stock row): not tracked
    END IF;
    IF s.reserved + p_reserve > s.on_hand + p_on_hand OR s.reserved + p_reserve < 0
       OR s.on_hand + p_on_hand < 0 THEN
        SELECT sku INTO v_sku FROM kontor.product WHERE id = p_product;
        SELECT code INTO v_loc FROM kontor.location WHERE id = p_location;
        IF p_reserve > 0 THEN
            RAISE EXCEPTION 'order %: not enough % at % (% on hand, % reserved, % wanted)',
                p_order, v_sku, v_loc, s.on_hand, s.reserved, p_reserve
                USING ERRCODE = 'check_violation', CONSTRAINT = 'stock_reserved_le_on_hand';
        END IF;
        RAISE EXCEPTION 'order %: stock of % at % does not hold the order''s % (% on hand, % reserved)',
            p_order, v_sku, v_loc, -p_reserve, s.on_hand, s.reserved
            USING ERRCODE = 'check_violation', CONSTRAINT = 'stock_reserved_nonneg';
    END IF;
    UPDATE kontor.stock SET reserved = reserved + p_reserve, on_hand = on_hand + p_on_hand
    WHERE product_id = p_product AND location_id = p_location;
END $$;

-- Order lines: a line of an open order reserves; removing it (or changing
-- its quantity or product) gives back what it held.
CREATE FUNCTION kontor.order_line_after_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    o record;
    v_loc bigint;
BEGIN
    SELECT id, number, status, fulfilment, location_id INTO o
    FROM kontor.sales_order WHERE id = coalesce(NEW.order_id, OLD.order_id);
    IF NOT FOUND OR NOT kontor.order_status_is_reserving(o.status) THEN
        RETURN NULL;
    END IF;
    v_loc := kontor.order_stock_location(o.fulfilment, o.location_id);
    IF v_loc IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.qty = OLD.qty AND NEW.product_id IS NOT DISTINCT FROM OLD.product_id
       AND NEW.order_id = OLD.order_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.product_id IS NOT NULL THEN
        PERFORM kontor._stock_change(o.number, OLD.product_id, v_loc, -OLD.qty, 0);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.product_id IS NOT NULL THEN
        PERFORM kontor._stock_change(o.number, NEW.product_id, v_loc, NEW.qty, 0);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER order_line_30_reserve AFTER INSERT OR DELETE OR UPDATE OF qty, product_id, order_id
    ON kontor.order_line FOR EACH ROW EXECUTE FUNCTION kontor.order_line_after_change();

-- Orders: leaving the reserving statuses releases (cancelled) or takes out
-- (collected, shipped, completed: the goods left the building).
CREATE FUNCTION kontor.sales_order_after_status() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_loc bigint;
    v_out boolean;
    l record;
BEGIN
    IF NEW.status IS NOT DISTINCT FROM OLD.status
       OR NOT kontor.order_status_is_reserving(OLD.status)
       OR kontor.order_status_is_reserving(NEW.status) THEN
        RETURN NULL;
    END IF;
    v_loc := kontor.order_stock_location(OLD.fulfilment, OLD.location_id);
    IF v_loc IS NULL THEN
        RETURN NULL;
    END IF;
    v_out := NEW.status IN ('collected', 'shipped', 'completed', 'delivered');
    FOR l IN SELECT product_id, sum(qty)::integer AS qty FROM kontor.order_line
             WHERE order_id = NEW.id AND product_id IS NOT NULL
             GROUP BY product_id ORDER BY product_id LOOP
        PERFORM kontor._stock_change(NEW.number, l.product_id, v_loc, -l.qty,
                                     CASE WHEN v_out THEN -l.qty ELSE 0 END);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER sales_order_30_stock AFTER UPDATE OF status ON kontor.sales_order
    FOR EACH ROW EXECUTE FUNCTION kontor.sales_order_after_status();

-- List sorted by total ----------------------------------------------------------
CREATE INDEX sales_order_total_idx ON kontor.sales_order (total_cents DESC, id DESC);

-- Customer contact for the order detail and e-mail search ------------------------
-- Full e-mail and phone for roles that may read identities, the masked form
-- (customer_masked) for the others: one call, same column, every role.
CREATE FUNCTION kontor.customer_contact(p_customer_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
SELECT CASE
    WHEN has_table_privilege(kontor.caller_role(), 'kontor.customer_identity', 'SELECT') THEN
        (SELECT concat_ws(' · ',
            (SELECT value FROM kontor.customer_identity
             WHERE customer_id = p_customer_id AND kind = 'email' AND retired_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT 1),
            (SELECT value FROM kontor.customer_identity
             WHERE customer_id = p_customer_id AND kind = 'phone' AND retired_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT 1)))
    WHEN has_table_privilege(kontor.caller_role(), 'kontor.customer_masked', 'SELECT') THEN
        (SELECT concat_ws(' · ', email_masked, phone_masked) FROM kontor.customer_masked
         WHERE id = p_customer_id)
END
$$;

-- Customers with this e-mail address, for roles that may read identities
-- (nothing for the others, so a clerk cannot probe addresses).
CREATE FUNCTION kontor.customer_ids_by_email(p_email text) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER ROWS 2
SET search_path = kontor, public, pg_temp
AS $$
SELECT customer_id FROM kontor.customer_identity
WHERE kind = 'email' AND value_norm = kontor.identity_norm('email', p_email)
  AND has_table_privilege(kontor.caller_role(), 'kontor.customer_identity', 'SELECT')
$$;

-- Staff preferences -------------------------------------------------------------
-- Per staff member, e.g. the remembered order filter; row-level security
-- keeps each member to their own rows. Not business data, but audited like
-- every staff write (the invariant "every change by a staff member writes an
-- audit event"); the value is redacted (a filter may hold a customer name).
CREATE TABLE kontor.staff_preference (
    staff_id    bigint NOT NULL DEFAULT kontor.current_staff_id() REFERENCES kontor.staff,
    key         text NOT NULL CHECK (key ~ '^[a-z0-9_.:-]{1,64}$'),
    value       text NOT NULL CHECK (length(value) <= 4000),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (staff_id, key)
);
CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON kontor.staff_preference
    FOR EACH ROW EXECUTE FUNCTION kontor.audit_row('staff_id,key', 'value', 'updated_at');
ALTER TABLE kontor.staff_preference ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_preference_own ON kontor.staff_preference FOR ALL
    TO kontor_clerk, kontor_service, kontor_manager, kontor_admin
    USING (staff_id = (SELECT kontor.current_staff_id()))
    WITH CHECK (staff_id = (SELECT kontor.current_staff_id()));
CREATE POLICY staff_preference_other ON kontor.staff_preference FOR ALL TO PUBLIC
    USING (current_user NOT IN ('kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'));

-- Grants --------------------------------------------------------------------------
REVOKE ALL ON kontor.staff_preference FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON kontor.staff_preference
    TO kontor_clerk, kontor_service, kontor_manager, kontor_admin;
-- the order detail names the campaign and touchpoint an order came from
GRANT SELECT (id, name) ON kontor.campaign TO kontor_clerk;
GRANT SELECT (id, name, kind) ON kontor.touchpoint TO kontor_clerk;

REVOKE ALL ON FUNCTION kontor.order_status_is_reserving(text), kontor.order_stock_location(text, bigint),
                       kontor._stock_change(text, bigint, bigint, integer, integer),
                       kontor.order_line_after_change(), kontor.sales_order_after_status(),
                       kontor.customer_contact(bigint), kontor.customer_ids_by_email(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kontor.customer_contact(bigint), kontor.customer_ids_by_email(text)
    TO kontor_clerk, kontor_service, kontor_manager;

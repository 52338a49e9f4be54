-- 0004 business rules held by the database: lifecycles, the invariants on
-- returns, refunds and stock, generated codes, order history, live
-- notifications, approvals, and the customer merge / erase / export
-- operations.

SET LOCAL search_path = kontor, public;

-- Helpers -------------------------------------------------------------------

-- Guards for the invariants that sum over many rows (returned <= sold,
-- refunded <= captured). Locking the parent row is not enough: under
-- REPEATABLE READ a lock conflicts with nothing and the snapshot misses the
-- other transaction's rows. Updating a guard row is a real write, so a
-- concurrent REPEATABLE READ/SERIALIZABLE transaction fails with 40001 and a
-- READ COMMITTED one waits and then sums with a fresh snapshot.
CREATE TABLE kontor.invariant_guard (
    kind text NOT NULL,
    id   bigint NOT NULL,
    n    bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (kind, id)
);

CREATE FUNCTION kontor._guard(p_kind text, p_id bigint) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
    INSERT INTO kontor.invariant_guard (kind, id) VALUES (p_kind, p_id)
    ON CONFLICT (kind, id) DO UPDATE SET n = kontor.invariant_guard.n + 1
$$;

-- True for NULL, empty, or only white space of any kind (a reason must say something).
CREATE FUNCTION kontor.is_blank(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(p, '') ~ '^[[:space:]]*$'
$$;

-- A setting for a scope (channel code, role name), else the default ('').
CREATE FUNCTION kontor.setting_value(p_key text, p_scope text DEFAULT '') RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
SELECT value FROM kontor.setting
WHERE key = p_key AND scope IN (coalesce(p_scope, ''), '')
ORDER BY scope = '' LIMIT 1
$$;

-- Raises unless the caller acts as one of p_roles with a valid session, or
-- is the database owner without SET ROLE. Returns the staff id (or NULL).
CREATE FUNCTION kontor._require_role(VARIADIC p_roles text[]) RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE v_sid bigint;
BEGIN
    IF kontor.caller_is_staff_role() THEN
        IF NOT substr(kontor.caller_role(), 8) = ANY (p_roles) THEN
            RAISE EXCEPTION 'role % may not do this', substr(kontor.caller_role(), 8)
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        v_sid := kontor.current_staff_id();
        IF v_sid IS NULL THEN
            RAISE EXCEPTION 'no valid Kontor session' USING ERRCODE = '28000';
        END IF;
        RETURN v_sid;
    ELSIF kontor.caller_role() = session_user::text AND kontor._session_is_owner() THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'not allowed' USING ERRCODE = 'insufficient_privilege';
END $$;

-- BEFORE INSERT: stamp the creating staff member into column TG_ARGV[0].
CREATE FUNCTION kontor.stamp_creator() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF kontor.caller_is_staff_role() THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], kontor.current_staff_id()));
    END IF;
    RETURN NEW;
END $$;

-- AFTER INSERT/UPDATE: NOTIFY channel TG_ARGV[0] with the row id, unless a
-- bulk loader SET LOCAL kontor.bulk = 'on'.
CREATE FUNCTION kontor.notify_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    IF coalesce(current_setting('kontor.bulk', true), '') <> 'on' THEN
        PERFORM pg_notify(TG_ARGV[0], NEW.id::text);
    END IF;
    RETURN NULL;
END $$;

-- Where a status change came from, for order_event.source.
CREATE FUNCTION kontor._change_source(p_staff_id bigint) RETURNS text
LANGUAGE sql STABLE
AS $$
SELECT CASE WHEN p_staff_id IS NOT NULL THEN 'console'
            ELSE coalesce(nullif(current_setting('kontor.source', true), ''), session_user::text) END
$$;

-- Orders --------------------------------------------------------------------

CREATE FUNCTION kontor.sales_order_before_insert() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF NEW.number IS NULL THEN
        NEW.number := 'K-' || nextval('kontor.order_number_seq');
    END IF;
    IF NEW.fulfilment = 'click_collect' AND NEW.pickup_code IS NULL THEN
        LOOP
            NEW.pickup_code := kontor.random_code(6);
            EXIT WHEN NOT EXISTS (SELECT 1 FROM kontor.sales_order WHERE pickup_code = NEW.pickup_code);
        END LOOP;
    END IF;
    NEW.status_changed_at := coalesce(NEW.status_changed_at, NEW.placed_at);
    RETURN NEW;
END $$;

CREATE FUNCTION kontor.sales_order_before_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_reason boolean;
BEGIN
    IF NEW.status_note IS NOT DISTINCT FROM OLD.status_note THEN
        NEW.status_note := NULL;        -- a note belongs to the transition that set it
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NEW.fulfilment IS DISTINCT FROM OLD.fulfilment THEN
            RAISE EXCEPTION 'order %: fulfilment and status cannot change together', OLD.number
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT needs_reason INTO v_reason FROM kontor.order_transition
        WHERE fulfilment = OLD.fulfilment AND from_status = OLD.status AND to_status = NEW.status;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order %: status cannot move from % to % (%)',
                OLD.number, OLD.status, NEW.status, OLD.fulfilment
                USING ERRCODE = 'check_violation', CONSTRAINT = 'order_transition';
        END IF;
        IF v_reason AND kontor.is_blank(NEW.status_note) THEN
            RAISE EXCEPTION 'order %: a reason is required to move from % to %',
                OLD.number, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'order_transition_reason';
        END IF;
        NEW.status_changed_at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION kontor.sales_order_after_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint;
    v_kind text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NULL;
    END IF;
    v_sid := kontor.current_staff_id();
    INSERT INTO kontor.order_event (order_id, from_status, to_status, staff_id, source, note)
    VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status, v_sid,
            kontor._change_source(v_sid), NEW.status_note);
    v_kind := CASE NEW.status WHEN 'ready_for_pickup' THEN 'pickup_ready'
                              WHEN 'shipped' THEN 'shipped'
                              WHEN 'cancelled' THEN 'cancelled' END;
    IF TG_OP = 'UPDATE' AND v_kind IS NOT NULL AND NEW.customer_id IS NOT NULL THEN
        INSERT INTO kontor.notification_outbox (order_id, customer_id, channel, kind, payload, created_by)
        VALUES (NEW.id, NEW.customer_id, 'email', v_kind,
                jsonb_build_object('number', NEW.number, 'status', NEW.status,
                                   'pickup_code', NEW.pickup_code, 'location_id', NEW.location_id),
                v_sid);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sales_order_10_before_insert BEFORE INSERT ON kontor.sales_order
    FOR EACH ROW EXECUTE FUNCTION kontor.sales_order_before_insert();
CREATE TRIGGER sales_order_10_before_update BEFORE UPDATE ON kontor.sales_order
    FOR EACH ROW EXECUTE FUNCTION kontor.sales_order_before_update();
CREATE TRIGGER sales_order_20_after_change AFTER INSERT OR UPDATE ON kontor.sales_order
    FOR EACH ROW EXECUTE FUNCTION kontor.sales_order_after_change();
CREATE TRIGGER sales_order_90_notify AFTER INSERT OR UPDATE ON kontor.sales_order
    FOR EACH ROW EXECUTE FUNCTION kontor.notify_change('kontor_order');

-- Order lines may not shrink below what has been returned.
CREATE FUNCTION kontor.order_line_before_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_returned integer;
BEGIN
    IF NEW.qty < OLD.qty OR NEW.order_id <> OLD.order_id THEN
        SELECT coalesce(sum(rl.qty), 0) INTO v_returned
        FROM kontor.return_line rl JOIN kontor.return_order r ON r.id = rl.return_id
        WHERE rl.order_line_id = OLD.id AND r.status NOT IN ('rejected', 'cancelled');
        IF v_returned > NEW.qty OR (v_returned > 0 AND NEW.order_id <> OLD.order_id) THEN
            RAISE EXCEPTION 'order line %: % returned, quantity cannot become %', OLD.id, v_returned, NEW.qty
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_qty_le_sold';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER order_line_10_before_update BEFORE UPDATE ON kontor.order_line
    FOR EACH ROW EXECUTE FUNCTION kontor.order_line_before_update();

-- Returns -------------------------------------------------------------------

CREATE FUNCTION kontor.return_order_before_insert() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    o record;
    v_done timestamptz;
    v_window integer;
BEGIN
    IF NEW.rma IS NULL THEN
        LOOP
            NEW.rma := 'R-' || kontor.random_code(6);
            EXIT WHEN NOT EXISTS (SELECT 1 FROM kontor.return_order WHERE rma = NEW.rma);
        END LOOP;
    END IF;
    SELECT so.number, so.status, so.placed_at, c.code AS channel INTO o
    FROM kontor.sales_order so JOIN kontor.channel c ON c.id = so.channel_id
    WHERE so.id = NEW.order_id;
    IF kontor.caller_is_staff_role() THEN
        NEW.created_by := kontor.current_staff_id();
        NEW.approval_decision := NULL;
        NEW.approved_by := NULL;
        NEW.approved_at := NULL;
        NEW.approval_reason := NULL;
        NEW.approval_requested_at := NULL;
        IF NEW.status <> 'requested' THEN
            RAISE EXCEPTION 'a new return starts as requested' USING ERRCODE = 'check_violation';
        END IF;
        IF o.status NOT IN ('shipped', 'delivered', 'collected', 'completed', 'partially_returned') THEN
            RAISE EXCEPTION 'order % cannot be returned in status %', o.number, o.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_order_returnable';
        END IF;
    END IF;
    SELECT max(at) INTO v_done FROM kontor.order_event
    WHERE order_id = NEW.order_id AND to_status IN ('delivered', 'collected', 'completed');
    NEW.days_since_delivery := floor(extract(epoch FROM NEW.created_at - coalesce(v_done, o.placed_at)) / 86400);
    v_window := (kontor.setting_value('return_window_days', o.channel) #>> '{}')::integer;
    NEW.outside_window := v_window IS NOT NULL AND NEW.days_since_delivery > v_window;
    IF NEW.outside_window THEN
        NEW.needs_approval := true;
    END IF;
    IF NEW.needs_approval AND NEW.approval_requested_at IS NULL THEN
        NEW.approval_requested_at := now();
        NEW.approval_requested_by := NEW.created_by;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION kontor.return_order_before_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_reason boolean;
BEGIN
    IF NEW.status_note IS NOT DISTINCT FROM OLD.status_note THEN
        NEW.status_note := NULL;
    END IF;
    IF OLD.needs_approval AND NOT NEW.needs_approval THEN
        RAISE EXCEPTION 'return %: an approval request cannot be withdrawn', OLD.rma
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.needs_approval AND NOT OLD.needs_approval THEN
        NEW.approval_requested_at := now();
        NEW.approval_requested_by := kontor.current_staff_id();
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        SELECT needs_reason INTO v_reason FROM kontor.return_transition
        WHERE from_status = OLD.status AND to_status = NEW.status;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'return %: status cannot move from % to %', OLD.rma, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_transition';
        END IF;
        IF v_reason AND kontor.is_blank(NEW.status_note) THEN
            RAISE EXCEPTION 'return %: a reason is required to move from % to %', OLD.rma, OLD.status, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_transition_reason';
        END IF;
        IF NEW.status IN ('authorised', 'refunded', 'credited', 'exchanged') AND NEW.needs_approval
           AND NEW.approval_decision IS DISTINCT FROM 'approved' THEN
            RAISE EXCEPTION 'return % needs a manager''s approval%', OLD.rma,
                CASE WHEN NEW.outside_window THEN ' (outside the return window)' ELSE '' END
                USING ERRCODE = 'KX001';
        END IF;
    END IF;
    RETURN NEW;
END $$;

-- When goods come back, the order becomes partially_returned / returned
-- (only where its lifecycle allows that move).
CREATE FUNCTION kontor.return_order_after_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_counted text[] := ARRAY['received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed'];
    v_all boolean;
    v_any boolean;
    v_target text;
    o record;
BEGIN
    IF (NEW.status = ANY (v_counted)) = (OLD.status = ANY (v_counted)) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO o FROM kontor.sales_order WHERE id = NEW.order_id FOR UPDATE;
    SELECT bool_and(coalesce(x.returned, 0) >= ol.qty), bool_or(coalesce(x.returned, 0) > 0)
      INTO v_all, v_any
    FROM kontor.order_line ol
    LEFT JOIN (SELECT rl.order_line_id, sum(rl.qty) AS returned
               FROM kontor.return_line rl JOIN kontor.return_order r ON r.id = rl.return_id
               WHERE r.order_id = NEW.order_id AND r.status = ANY (v_counted)
               GROUP BY rl.order_line_id) x ON x.order_line_id = ol.id
    WHERE ol.order_id = NEW.order_id;
    v_target := CASE WHEN v_all THEN 'returned' WHEN v_any THEN 'partially_returned' END;
    IF v_target IS NOT NULL AND v_target <> o.status AND EXISTS (
           SELECT 1 FROM kontor.order_transition
           WHERE fulfilment = o.fulfilment AND from_status = o.status AND to_status = v_target) THEN
        UPDATE kontor.sales_order SET status = v_target, status_note = 'return ' || NEW.rma
        WHERE id = NEW.order_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER return_order_10_before_insert BEFORE INSERT ON kontor.return_order
    FOR EACH ROW EXECUTE FUNCTION kontor.return_order_before_insert();
CREATE TRIGGER return_order_10_before_update BEFORE UPDATE ON kontor.return_order
    FOR EACH ROW EXECUTE FUNCTION kontor.return_order_before_update();
CREATE TRIGGER return_order_20_after_update AFTER UPDATE ON kontor.return_order
    FOR EACH ROW EXECUTE FUNCTION kontor.return_order_after_update();
CREATE TRIGGER return_order_90_notify AFTER INSERT OR UPDATE ON kontor.return_order
    FOR EACH ROW EXECUTE FUNCTION kontor.notify_change('kontor_return');

-- Invariant 1: a line is never returned more often than it was sold.
CREATE FUNCTION kontor.return_line_before_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r record;
    ol record;
    v_other integer;
BEGIN
    SELECT id, order_id, rma, status, location_id INTO r FROM kontor.return_order WHERE id = NEW.return_id;
    -- lock the sold line: concurrent returns of it are checked one after the other
    PERFORM kontor._guard('order_line.returned', NEW.order_line_id);
    SELECT id, order_id, qty, product_id INTO ol FROM kontor.order_line WHERE id = NEW.order_line_id FOR UPDATE;
    IF ol.order_id <> r.order_id THEN
        RAISE EXCEPTION 'return %: order line % belongs to another order', r.rma, ol.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_line_same_order';
    END IF;
    IF r.status NOT IN ('rejected', 'cancelled') THEN
        SELECT coalesce(sum(rl.qty), 0) INTO v_other
        FROM kontor.return_line rl JOIN kontor.return_order ro ON ro.id = rl.return_id
        WHERE rl.order_line_id = NEW.order_line_id AND rl.id <> NEW.id
          AND ro.status NOT IN ('rejected', 'cancelled');
        IF v_other + NEW.qty > ol.qty THEN
            RAISE EXCEPTION 'return %: line sold % times, % already returned, % more is too many',
                r.rma, ol.qty, v_other, NEW.qty
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_qty_le_sold';
        END IF;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.restocked AND kontor.caller_is_staff_role() THEN
        RAISE EXCEPTION 'return %: restock a line by updating restocked after inspection', r.rma
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.restocked AND NOT OLD.restocked THEN
        IF NEW.condition IS DISTINCT FROM 'resellable' THEN
            RAISE EXCEPTION 'return %: only resellable goods go back into stock', r.rma
                USING ERRCODE = 'check_violation';
        END IF;
        IF r.location_id IS NULL OR ol.product_id IS NULL THEN
            RAISE EXCEPTION 'return %: no location or product to restock', r.rma
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

-- Restocking: restocked false→true puts the quantity back at the return's
-- location; true→false takes it out again.
CREATE FUNCTION kontor.return_line_after_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_loc bigint;
    v_product bigint;
    v_delta integer;
BEGIN
    IF NEW.restocked = OLD.restocked THEN
        RETURN NULL;
    END IF;
    v_delta := CASE WHEN NEW.restocked THEN NEW.qty ELSE -OLD.qty END;
    SELECT location_id INTO v_loc FROM kontor.return_order WHERE id = NEW.return_id;
    SELECT product_id INTO v_product FROM kontor.order_line WHERE id = NEW.order_line_id;
    INSERT INTO kontor.stock AS s (product_id, location_id, on_hand) VALUES (v_product, v_loc, v_delta)
    ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = s.on_hand + excluded.on_hand;
    RETURN NULL;
END $$;

CREATE TRIGGER return_line_10_before_change BEFORE INSERT OR UPDATE ON kontor.return_line
    FOR EACH ROW EXECUTE FUNCTION kontor.return_line_before_change();
CREATE TRIGGER return_line_20_after_update AFTER UPDATE ON kontor.return_line
    FOR EACH ROW EXECUTE FUNCTION kontor.return_line_after_update();

-- Manager's decision on a return that needs approval.
CREATE FUNCTION kontor.return_decide(p_return_id bigint, p_approve boolean, p_reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('manager');
    r kontor.return_order%ROWTYPE;
BEGIN
    IF kontor.is_blank(p_reason) THEN
        RAISE EXCEPTION 'a decision needs a reason' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO r FROM kontor.return_order WHERE id = p_return_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no return %', p_return_id USING ERRCODE = 'no_data_found';
    ELSIF NOT r.needs_approval OR r.approval_decision IS NOT NULL THEN
        RAISE EXCEPTION 'return % does not wait for approval', r.rma USING ERRCODE = 'check_violation';
    END IF;
    UPDATE kontor.return_order
    SET approval_decision = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END,
        approved_by = v_sid, approved_at = now(), approval_reason = btrim(p_reason),
        status = CASE WHEN NOT p_approve AND EXISTS (SELECT 1 FROM kontor.return_transition
                                                     WHERE from_status = r.status AND to_status = 'rejected')
                      THEN 'rejected' ELSE status END,
        status_note = CASE WHEN p_approve THEN status_note ELSE btrim(p_reason) END
    WHERE id = p_return_id;
END $$;

-- Refunds -------------------------------------------------------------------

-- Invariant 2: refunds of an order never exceed what was captured; refunds
-- above the caller role's limit need an approved return.
CREATE FUNCTION kontor.refund_before_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    o record;
    r kontor.return_order%ROWTYPE;
    v_captured bigint;
    v_refunded bigint;
    v_limit jsonb;
    v_sum bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.order_id <> OLD.order_id THEN
        RAISE EXCEPTION 'a refund cannot move to another order' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM kontor._guard('order.refunded', NEW.order_id);
    SELECT id, number INTO o FROM kontor.sales_order WHERE id = NEW.order_id FOR UPDATE;
    -- a repeated idempotency key is left to the unique index (ON CONFLICT DO NOTHING)
    IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM kontor.refund WHERE idempotency_key = NEW.idempotency_key) THEN
        RETURN NEW;
    END IF;
    IF NEW.return_id IS NOT NULL THEN
        SELECT * INTO r FROM kontor.return_order WHERE id = NEW.return_id;
        IF r.order_id <> NEW.order_id THEN
            RAISE EXCEPTION 'return % belongs to another order', r.rma USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.payment_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM kontor.payment WHERE id = NEW.payment_id AND order_id = NEW.order_id) THEN
        RAISE EXCEPTION 'payment % belongs to another order', NEW.payment_id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'INSERT' AND kontor.caller_is_staff_role() THEN
        NEW.created_by := kontor.current_staff_id();
        IF r.id IS NOT NULL AND r.status IN ('rejected', 'cancelled', 'requested') THEN
            RAISE EXCEPTION 'return % is % and cannot be refunded', r.rma, r.status
                USING ERRCODE = 'check_violation';
        END IF;
        IF r.id IS NOT NULL AND r.needs_approval AND r.approval_decision IS DISTINCT FROM 'approved' THEN
            RAISE EXCEPTION 'return % needs a manager''s approval before a refund', r.rma USING ERRCODE = 'KX001';
        END IF;
        v_limit := kontor.setting_value('refund_limit_cents', substr(kontor.caller_role(), 8));
        IF v_limit IS NOT NULL AND jsonb_typeof(v_limit) = 'number' THEN
            SELECT coalesce(sum(amount_cents), 0) + NEW.amount_cents INTO v_sum
            FROM kontor.refund
            WHERE status <> 'failed' AND order_id = NEW.order_id
              AND return_id IS NOT DISTINCT FROM NEW.return_id;
            IF v_sum > (v_limit #>> '{}')::bigint
               AND (r.id IS NULL OR r.approval_decision IS DISTINCT FROM 'approved') THEN
                RAISE EXCEPTION 'refund of % cents is over your limit of % cents: a manager must approve',
                    v_sum, v_limit USING ERRCODE = 'KX001';
            END IF;
        END IF;
    END IF;
    IF NEW.status <> 'failed' THEN
        SELECT coalesce(sum(amount_cents), 0) INTO v_captured
        FROM kontor.payment WHERE order_id = NEW.order_id AND status = 'captured';
        SELECT coalesce(sum(amount_cents), 0) INTO v_refunded
        FROM kontor.refund WHERE order_id = NEW.order_id AND status <> 'failed' AND id <> NEW.id;
        IF v_refunded + NEW.amount_cents > v_captured THEN
            RAISE EXCEPTION 'order %: refunds would total % cents, more than the % cents captured',
                o.number, v_refunded + NEW.amount_cents, v_captured
                USING ERRCODE = 'check_violation', CONSTRAINT = 'refund_le_captured';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refund_10_before_change BEFORE INSERT OR UPDATE ON kontor.refund
    FOR EACH ROW EXECUTE FUNCTION kontor.refund_before_change();

-- A payment that stops being captured may not leave refunds uncovered.
CREATE FUNCTION kontor.payment_after_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_order bigint := OLD.order_id;
    v_captured bigint;
    v_refunded bigint;
BEGIN
    PERFORM kontor._guard('order.refunded', v_order);
    PERFORM 1 FROM kontor.sales_order WHERE id = v_order FOR UPDATE;
    SELECT coalesce(sum(amount_cents), 0) INTO v_captured
    FROM kontor.payment WHERE order_id = v_order AND status = 'captured';
    SELECT coalesce(sum(amount_cents), 0) INTO v_refunded
    FROM kontor.refund WHERE order_id = v_order AND status <> 'failed';
    IF v_refunded > v_captured THEN
        RAISE EXCEPTION 'order %: % cents refunded but only % cents would remain captured',
            v_order, v_refunded, v_captured
            USING ERRCODE = 'check_violation', CONSTRAINT = 'refund_le_captured';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_20_after_change AFTER UPDATE OR DELETE ON kontor.payment
    FOR EACH ROW EXECUTE FUNCTION kontor.payment_after_change();

-- Creators ------------------------------------------------------------------

CREATE TRIGGER order_note_05_creator BEFORE INSERT ON kontor.order_note
    FOR EACH ROW EXECUTE FUNCTION kontor.stamp_creator('created_by');
CREATE TRIGGER customer_note_05_creator BEFORE INSERT ON kontor.customer_note
    FOR EACH ROW EXECUTE FUNCTION kontor.stamp_creator('created_by');
CREATE TRIGGER consent_05_creator BEFORE INSERT ON kontor.consent
    FOR EACH ROW EXECUTE FUNCTION kontor.stamp_creator('recorded_by');
CREATE TRIGGER customer_duplicate_05_creator BEFORE INSERT ON kontor.customer_duplicate
    FOR EACH ROW EXECUTE FUNCTION kontor.stamp_creator('flagged_by');
CREATE TRIGGER campaign_05_creator BEFORE INSERT ON kontor.campaign
    FOR EACH ROW EXECUTE FUNCTION kontor.stamp_creator('created_by');
CREATE TRIGGER notification_outbox_05_creator BEFORE INSERT ON kontor.notification_outbox
    FOR EACH ROW EXECUTE FUNCTION kontor.stamp_creator('created_by');

CREATE FUNCTION kontor.customer_duplicate_before_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status <> 'open' THEN
            RAISE EXCEPTION 'duplicate flag % is already %', OLD.id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        NEW.resolved_at := now();
        NEW.resolved_by := coalesce(kontor.current_staff_id(), NEW.resolved_by);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER customer_duplicate_10_before_update BEFORE UPDATE ON kontor.customer_duplicate
    FOR EACH ROW EXECUTE FUNCTION kontor.customer_duplicate_before_update();

-- Versions (optimistic locking) ----------------------------------------------

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['location', 'staff', 'setting', 'customer', 'customer_identity',
                             'customer_duplicate', 'product', 'stock', 'campaign', 'touchpoint',
                             'sales_order', 'payment', 'return_order', 'return_line', 'refund'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON kontor.%I FOR EACH ROW EXECUTE FUNCTION kontor.touch_row()',
                       t || '_00_touch', t);
    END LOOP;
END $$;

-- Customers: merge, erase, export ---------------------------------------------

CREATE FUNCTION kontor.customer_merge(p_loser bigint, p_survivor bigint, p_note text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('manager');
    l kontor.customer%ROWTYPE;
    s kontor.customer%ROWTYPE;
    v_orders integer; v_inter integer; v_consents integer; v_notes integer;
    v_ids integer; v_retired integer;
    v_res jsonb;
BEGIN
    IF p_loser = p_survivor THEN
        RAISE EXCEPTION 'a customer cannot be merged into itself' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM 1 FROM kontor.customer WHERE id IN (p_loser, p_survivor) ORDER BY id FOR UPDATE;
    SELECT * INTO l FROM kontor.customer WHERE id = p_loser;
    SELECT * INTO s FROM kontor.customer WHERE id = p_survivor;
    IF l.id IS NULL OR s.id IS NULL THEN
        RAISE EXCEPTION 'no such customer' USING ERRCODE = 'no_data_found';
    ELSIF l.merged_into IS NOT NULL OR s.merged_into IS NOT NULL OR l.erased_at IS NOT NULL
          OR s.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'merged or erased customers cannot be merged' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE kontor.sales_order SET customer_id = p_survivor WHERE customer_id = p_loser;
    GET DIAGNOSTICS v_orders = ROW_COUNT;
    UPDATE kontor.interaction SET customer_id = p_survivor WHERE customer_id = p_loser;
    GET DIAGNOSTICS v_inter = ROW_COUNT;
    UPDATE kontor.consent SET customer_id = p_survivor WHERE customer_id = p_loser;
    GET DIAGNOSTICS v_consents = ROW_COUNT;
    UPDATE kontor.customer_note SET customer_id = p_survivor WHERE customer_id = p_loser;
    GET DIAGNOSTICS v_notes = ROW_COUNT;
    UPDATE kontor.notification_outbox SET customer_id = p_survivor WHERE customer_id = p_loser;
    UPDATE kontor.customer_identity li SET retired_at = now()
    WHERE li.customer_id = p_loser AND li.retired_at IS NULL
      AND EXISTS (SELECT 1 FROM kontor.customer_identity si
                  WHERE si.customer_id = p_survivor AND si.retired_at IS NULL
                    AND si.kind = li.kind AND si.value_norm = li.value_norm);
    GET DIAGNOSTICS v_retired = ROW_COUNT;
    UPDATE kontor.customer_identity SET customer_id = p_survivor
    WHERE customer_id = p_loser AND retired_at IS NULL;
    GET DIAGNOSTICS v_ids = ROW_COUNT;
    UPDATE kontor.customer_duplicate SET status = 'merged', resolved_by = v_sid, resolved_at = now()
    WHERE status = 'open' AND least(customer_a, customer_b) = least(p_loser, p_survivor)
      AND greatest(customer_a, customer_b) = greatest(p_loser, p_survivor);
    UPDATE kontor.customer SET merged_into = p_survivor, merged_at = now() WHERE id = p_loser;
    v_res := jsonb_build_object('loser', p_loser, 'survivor', p_survivor, 'orders', v_orders,
                                'interactions', v_inter, 'consents', v_consents, 'notes', v_notes,
                                'identities_moved', v_ids, 'identities_retired', v_retired,
                                'note', p_note);
    PERFORM kontor._audit_write(v_sid, NULL, 'customer.merged', 'customer', p_loser::text, NULL, v_res);
    RETURN v_res;
END $$;

CREATE FUNCTION kontor.customer_erase(p_customer_id bigint, p_reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('manager');
    c kontor.customer%ROWTYPE;
    v_consents integer;
    v_ids integer;
BEGIN
    IF kontor.is_blank(p_reason) THEN
        RAISE EXCEPTION 'an erasure needs a reason' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO c FROM kontor.customer WHERE id = p_customer_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no customer %', p_customer_id USING ERRCODE = 'no_data_found';
    ELSIF c.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'customer % is already erased', p_customer_id USING ERRCODE = 'check_violation';
    END IF;
    -- withdraw every consent that is currently granted
    INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source, recorded_by)
    SELECT p_customer_id, purpose, channel_id, false, 'erasure', v_sid
    FROM (SELECT DISTINCT ON (purpose, channel_id) purpose, channel_id, granted
          FROM kontor.consent WHERE customer_id = p_customer_id
          ORDER BY purpose, channel_id, at DESC, id DESC) cur
    WHERE granted;
    GET DIAGNOSTICS v_consents = ROW_COUNT;
    DELETE FROM kontor.customer_identity WHERE customer_id = p_customer_id;
    GET DIAGNOSTICS v_ids = ROW_COUNT;
    DELETE FROM kontor.customer_note WHERE customer_id = p_customer_id;
    UPDATE kontor.notification_outbox SET payload = '{}' WHERE customer_id = p_customer_id;
    UPDATE kontor.interaction SET visitor_id = NULL WHERE customer_id = p_customer_id;
    UPDATE kontor.customer
    SET first_name = '', last_name = '(erased)', birthdate = NULL, street = NULL, postcode = NULL,
        city = NULL, country = NULL, erased_at = now()
    WHERE id = p_customer_id;
    PERFORM kontor._audit_write(v_sid, NULL, 'customer.erased', 'customer', p_customer_id::text, NULL,
        jsonb_build_object('reason', btrim(p_reason), 'consents_withdrawn', v_consents,
                           'identities_deleted', v_ids));
END $$;

-- Everything held about a customer, as one JSON document (privacy request).
CREATE FUNCTION kontor.customer_export(p_customer_id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('service', 'manager');
    v_doc jsonb;
BEGIN
    SELECT jsonb_build_object(
        'exported_at', now(),
        'customer', to_jsonb(c) - 'name_norm' - 'name_phon' - 'first_phon',
        'identities', (SELECT coalesce(jsonb_agg(to_jsonb(i) - 'value_norm' ORDER BY i.id), '[]')
                       FROM kontor.customer_identity i WHERE i.customer_id = c.id),
        'consents', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.at), '[]')
                     FROM kontor.consent x WHERE x.customer_id = c.id),
        'orders', (SELECT coalesce(jsonb_agg(to_jsonb(o) || jsonb_build_object('lines',
                       (SELECT jsonb_agg(to_jsonb(ol) ORDER BY ol.line_no)
                        FROM kontor.order_line ol WHERE ol.order_id = o.id)) ORDER BY o.placed_at), '[]')
                   FROM kontor.sales_order o WHERE o.customer_id = c.id),
        'returns', (SELECT coalesce(jsonb_agg(to_jsonb(r) || jsonb_build_object('lines',
                        (SELECT jsonb_agg(to_jsonb(rl)) FROM kontor.return_line rl WHERE rl.return_id = r.id))
                        ORDER BY r.created_at), '[]')
                    FROM kontor.return_order r JOIN kontor.sales_order o ON o.id = r.order_id
                    WHERE o.customer_id = c.id),
        'interactions', (SELECT coalesce(jsonb_agg(to_jsonb(it) ORDER BY it.at), '[]')
                         FROM kontor.interaction it WHERE it.customer_id = c.id),
        'notes', (SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.created_at), '[]')
                  FROM kontor.customer_note n WHERE n.customer_id = c.id))
    INTO v_doc
    FROM kontor.customer c WHERE c.id = p_customer_id;
    IF v_doc IS NULL THEN
        RAISE EXCEPTION 'no customer %', p_customer_id USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM kontor._audit_write(v_sid, NULL, 'customer.exported', 'customer', p_customer_id::text, NULL, NULL);
    RETURN v_doc;
END $$;

-- 0008 returns: every step of a return as one database function (start,
-- receive, inspect, refund / credit / exchange, approve, cancel, reject,
-- close), the return's history, cross-channel bookkeeping (the order's
-- channel and location next to the return's), partial receipt, store
-- credit and exchanges. The rules of 0004 (returned <= sold, refunded <=
-- captured, the transitions, the approval gate) stay where they are; this
-- file adds what the screens and the batch commands call.
--
-- Conflicts: a step names the row version it was shown; when the return
-- moved on meanwhile it raises KX409 with who changed it and when.

SET LOCAL search_path = kontor, public;

-- Settings -------------------------------------------------------------------

INSERT INTO kontor.setting (key, scope, value, description) VALUES
    ('return_reasons', '', '["too small", "too large", "does not fit", "colour differs from photo",
      "changed my mind", "defective", "damaged in transit", "quality not as expected",
      "ordered several sizes", "arrived too late", "wrong item sent", "other"]',
     'reasons offered for a returned line'),
    ('return_overdue_days', '', '{"requested": 14, "authorised": 14, "received": 2, "inspected": 2}',
     'days a return may wait in a state before the queue marks it overdue');

-- Columns --------------------------------------------------------------------

ALTER TABLE kontor.return_order
    ADD COLUMN order_channel_id bigint REFERENCES kontor.channel,    -- where it was bought
    ADD COLUMN order_location_id bigint REFERENCES kontor.location,  -- store / pickup of the order
    ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN voucher_code text UNIQUE,                             -- store credit issued
    ADD COLUMN exchange_order_id bigint REFERENCES kontor.sales_order;
ALTER TABLE kontor.return_line
    ADD COLUMN qty_received integer NOT NULL DEFAULT 0 CHECK (qty_received >= 0),
    ADD COLUMN exchange_product_id bigint REFERENCES kontor.product,
    ADD CONSTRAINT return_line_received_le_qty CHECK (qty_received <= qty);

-- existing rows (a database migrated before this file): fill the new columns
ALTER TABLE kontor.return_order DISABLE TRIGGER USER;
ALTER TABLE kontor.return_line DISABLE TRIGGER USER;
UPDATE kontor.return_order r
SET order_channel_id = so.channel_id, order_location_id = so.location_id, status_changed_at = r.updated_at
FROM kontor.sales_order so WHERE so.id = r.order_id;
UPDATE kontor.return_line rl SET qty_received = rl.qty
FROM kontor.return_order r
WHERE r.id = rl.return_id
  AND (r.status IN ('received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed')
       OR (r.status = 'rejected' AND rl.condition IS NOT NULL));
ALTER TABLE kontor.return_order ENABLE TRIGGER USER;
ALTER TABLE kontor.return_line ENABLE TRIGGER USER;

-- The queue, oldest first: by status, by location and status, and the open
-- ones (requested .. inspected) with and without a location.
CREATE INDEX return_order_queue_idx ON kontor.return_order (status, status_changed_at, id);
CREATE INDEX return_order_queue_loc_idx ON kontor.return_order (location_id, status, status_changed_at, id);
CREATE INDEX return_order_changed_idx ON kontor.return_order (status_changed_at, id);
CREATE INDEX return_order_open_idx ON kontor.return_order (status_changed_at, id)
    WHERE status IN ('requested', 'authorised', 'received', 'inspected');
CREATE INDEX return_order_open_loc_idx ON kontor.return_order (location_id, status_changed_at, id)
    WHERE status IN ('requested', 'authorised', 'received', 'inspected');

-- History ----------------------------------------------------------------------

CREATE TABLE kontor.return_event (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id    bigint NOT NULL REFERENCES kontor.return_order,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    from_status  text,
    to_status    text NOT NULL,
    staff_id     bigint REFERENCES kontor.staff,
    note         text
);
CREATE INDEX return_event_return_idx ON kontor.return_event (return_id, at, id);

-- How many of a return line count as returned: what is expected until the
-- goods have been inspected, then what actually came back.
CREATE FUNCTION kontor.return_line_held(p_status text, p_qty integer, p_received integer) RETURNS integer
LANGUAGE sql IMMUTABLE
AS $$
SELECT CASE WHEN p_status IN ('rejected', 'cancelled') THEN 0
            WHEN p_status IN ('requested', 'authorised', 'received') THEN p_qty
            ELSE p_received END
$$;

-- Status changes, approval requests and decisions, and notes of steps that
-- keep the status (a second parcel received) become history rows.
CREATE FUNCTION kontor.return_order_history() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := CASE WHEN kontor.caller_is_staff_role() THEN kontor.current_staff_id() END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO kontor.return_event (return_id, from_status, to_status, staff_id, note)
        VALUES (NEW.id, NULL, NEW.status, v_sid, NEW.reason);
    END IF;
    -- an approval request is logged once it carries its reason
    IF NEW.needs_approval AND NEW.approval_note IS NOT NULL
       AND (TG_OP = 'INSERT' OR NOT OLD.needs_approval OR NEW.approval_note IS DISTINCT FROM OLD.approval_note) THEN
        INSERT INTO kontor.return_event (return_id, from_status, to_status, staff_id, note)
        VALUES (NEW.id, NEW.status, NEW.status, v_sid,
                'approval requested' || CASE WHEN NEW.outside_window
                    THEN format(' (outside the window: %s days)', NEW.days_since_delivery) ELSE ' (over the refund limit)' END
                || ': ' || NEW.approval_note);
    END IF;
    IF TG_OP = 'INSERT' THEN
        RETURN NULL;
    END IF;
    IF NEW.approval_decision IS DISTINCT FROM OLD.approval_decision THEN
        INSERT INTO kontor.return_event (return_id, from_status, to_status, staff_id, note)
        VALUES (NEW.id, OLD.status, OLD.status, v_sid,
                NEW.approval_decision || coalesce(': ' || NEW.approval_reason, ''));
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status OR NEW.status_note IS NOT NULL THEN
        INSERT INTO kontor.return_event (return_id, from_status, to_status, staff_id, note)
        VALUES (NEW.id, OLD.status, NEW.status, v_sid, NEW.status_note);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER return_order_30_history AFTER INSERT OR UPDATE ON kontor.return_order
    FOR EACH ROW EXECUTE FUNCTION kontor.return_order_history();

-- Bookkeeping: the order's channel and location travel with the return
-- ("bought via app, returned in store"); the time of the last status change
-- orders the queue.
CREATE FUNCTION kontor.return_order_bookkeeping() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT so.channel_id, so.location_id INTO NEW.order_channel_id, NEW.order_location_id
        FROM kontor.sales_order so WHERE so.id = NEW.order_id;
        NEW.status_changed_at := NEW.created_at;
    ELSE
        IF NEW.order_id <> OLD.order_id THEN
            RAISE EXCEPTION 'return %: the order of a return cannot change', OLD.rma
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.order_channel_id := OLD.order_channel_id;
        NEW.order_location_id := OLD.order_location_id;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            NEW.status_changed_at := now();
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER return_order_15_bookkeeping BEFORE INSERT OR UPDATE ON kontor.return_order
    FOR EACH ROW EXECUTE FUNCTION kontor.return_order_bookkeeping();

-- Invariant 1 again, now with partial receipt: a line counts with what it
-- holds (return_line_held). Replaces 0004's function of the same name.
CREATE OR REPLACE FUNCTION kontor.return_line_before_change() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r record;
    ol record;
    v_other integer;
BEGIN
    SELECT id, order_id, rma, status, location_id INTO r FROM kontor.return_order WHERE id = NEW.return_id;
    PERFORM kontor._guard('order_line.returned', NEW.order_line_id);
    SELECT id, order_id, qty, product_id INTO ol FROM kontor.order_line WHERE id = NEW.order_line_id FOR UPDATE;
    IF ol.order_id <> r.order_id THEN
        RAISE EXCEPTION 'return %: order line % belongs to another order', r.rma, ol.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_line_same_order';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.return_id <> OLD.return_id OR NEW.order_line_id <> OLD.order_line_id) THEN
        RAISE EXCEPTION 'return %: a line cannot move to another return or order line', r.rma
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.qty <> OLD.qty AND r.status NOT IN ('requested', 'authorised') THEN
        RAISE EXCEPTION 'return %: quantities are fixed once goods have been received', r.rma
            USING ERRCODE = 'check_violation';
    END IF;
    IF kontor.return_line_held(r.status, NEW.qty, NEW.qty_received) > 0 THEN
        SELECT coalesce(sum(kontor.return_line_held(ro.status, rl.qty, rl.qty_received)), 0) INTO v_other
        FROM kontor.return_line rl JOIN kontor.return_order ro ON ro.id = rl.return_id
        WHERE rl.order_line_id = NEW.order_line_id AND rl.id <> NEW.id;
        IF v_other + kontor.return_line_held(r.status, NEW.qty, NEW.qty_received) > ol.qty THEN
            RAISE EXCEPTION 'return %: line sold % times, % already returned, % more is too many',
                r.rma, ol.qty, v_other, kontor.return_line_held(r.status, NEW.qty, NEW.qty_received)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_qty_le_sold';
        END IF;
    END IF;
    IF TG_OP = 'INSERT' AND kontor.caller_is_staff_role() AND (NEW.restocked OR NEW.qty_received > 0) THEN
        RAISE EXCEPTION 'return %: goods are received and restocked by the later steps', r.rma
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.restocked AND NOT OLD.restocked THEN
        IF NEW.condition IS DISTINCT FROM 'resellable' THEN
            RAISE EXCEPTION 'return %: only resellable goods go back into stock', r.rma
                USING ERRCODE = 'check_violation';
        END IF;
        IF r.location_id IS NULL OR ol.product_id IS NULL OR NEW.qty_received = 0 THEN
            RAISE EXCEPTION 'return %: nothing received at a location to restock', r.rma
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.qty_received <> OLD.qty_received AND r.status NOT IN ('authorised', 'received') THEN
        RAISE EXCEPTION 'return % is %: what came back was settled by the inspection', r.rma, r.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_received_fixed';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.restocked AND NEW.restocked AND NEW.qty_received <> OLD.qty_received THEN
        RAISE EXCEPTION 'return %: a restocked line cannot change its received quantity', r.rma
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

-- Restocking puts what was received back at the return's location.
CREATE OR REPLACE FUNCTION kontor.return_line_after_update() RETURNS trigger
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
    v_delta := CASE WHEN NEW.restocked THEN NEW.qty_received ELSE -OLD.qty_received END;
    SELECT location_id INTO v_loc FROM kontor.return_order WHERE id = NEW.return_id;
    SELECT product_id INTO v_product FROM kontor.order_line WHERE id = NEW.order_line_id;
    INSERT INTO kontor.stock AS s (product_id, location_id, on_hand) VALUES (v_product, v_loc, v_delta)
    ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = s.on_hand + excluded.on_hand;
    RETURN NULL;
END $$;

-- The order becomes partially_returned / returned by what came back.
CREATE OR REPLACE FUNCTION kontor.return_order_after_update() RETURNS trigger
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
    -- a return moved to received by a plain status update (not
    -- return_receive: a shop integration, an older client) received
    -- everything it expected
    IF NEW.status = 'received' AND OLD.status = 'authorised'
       AND NOT EXISTS (SELECT 1 FROM kontor.return_line WHERE return_id = NEW.id AND qty_received > 0) THEN
        UPDATE kontor.return_line SET qty_received = qty WHERE return_id = NEW.id;
    END IF;
    IF (NEW.status = ANY (v_counted)) = (OLD.status = ANY (v_counted)) AND NEW.status <> 'received' THEN
        RETURN NULL;
    END IF;
    SELECT * INTO o FROM kontor.sales_order WHERE id = NEW.order_id FOR UPDATE;
    SELECT bool_and(coalesce(x.back, 0) >= ol.qty), bool_or(coalesce(x.back, 0) > 0)
      INTO v_all, v_any
    FROM kontor.order_line ol
    LEFT JOIN (SELECT rl.order_line_id, sum(rl.qty_received) AS back
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
-- receiving a second parcel keeps the status but changes the lines: the
-- line trigger below asks the order to be recounted
CREATE FUNCTION kontor.return_line_recount() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF NEW.qty_received <> OLD.qty_received THEN
        UPDATE kontor.return_order SET status = status WHERE id = NEW.return_id AND status = 'received';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER return_line_30_recount AFTER UPDATE OF qty_received ON kontor.return_line
    FOR EACH ROW EXECUTE FUNCTION kontor.return_line_recount();

-- What a line counts as returned, for the order detail.
CREATE OR REPLACE VIEW kontor.order_line_status AS
SELECT ol.*,
       coalesce((SELECT sum(kontor.return_line_held(r.status, rl.qty, rl.qty_received))
                 FROM kontor.return_line rl JOIN kontor.return_order r ON r.id = rl.return_id
                 WHERE rl.order_line_id = ol.id), 0)::integer AS qty_returned,
       coalesce((SELECT sum(rl.qty_received) FROM kontor.return_line rl JOIN kontor.return_order r ON r.id = rl.return_id
                 WHERE rl.order_line_id = ol.id
                   AND r.status IN ('received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed')), 0)::integer
           AS qty_received
FROM kontor.order_line ol;

-- A clerk may also take in a return whose location is not yet known (sent
-- by post, brought to the counter); it then becomes theirs.
DROP POLICY return_order_update_clerk ON kontor.return_order;
CREATE POLICY return_order_update_clerk ON kontor.return_order FOR UPDATE TO kontor_clerk
    USING (location_id IS NULL OR location_id = (SELECT kontor.current_staff_location()))
    WITH CHECK (location_id = (SELECT kontor.current_staff_location()));

-- Helpers ------------------------------------------------------------------------

-- The value of a return: what came back (or, before that, what is
-- expected) at the price paid, the order's discount shared out pro rata.
CREATE FUNCTION kontor.return_value(p_return_id bigint) RETURNS bigint
LANGUAGE sql STABLE
SET search_path = kontor, public, pg_temp
AS $$
SELECT coalesce(round(sum(CASE WHEN r.status IN ('requested', 'authorised') THEN rl.qty ELSE rl.qty_received END
                          * ol.unit_price_cents)
                      * max(so.subtotal_cents - so.discount_cents)::numeric
                      / nullif(max(so.subtotal_cents), 0))::bigint, 0)
FROM kontor.return_order r
JOIN kontor.sales_order so ON so.id = r.order_id
JOIN kontor.return_line rl ON rl.return_id = r.id
JOIN kontor.order_line ol ON ol.id = rl.order_line_id
WHERE r.id = p_return_id
$$;

-- The refund limit of the caller's role in cents (NULL: no limit).
CREATE FUNCTION kontor.refund_limit() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN (v #>> '{}')::bigint END
FROM (SELECT kontor.setting_value('refund_limit_cents', substr(kontor.caller_role(), 8)) AS v) s
$$;

-- Locks a return and checks the version the caller was shown.
CREATE FUNCTION kontor.return_lock(p_id bigint, p_version integer) RETURNS kontor.return_order
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r kontor.return_order%ROWTYPE;
    v_by text;
BEGIN
    SELECT * INTO r FROM kontor.return_order WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM kontor.return_order WHERE id = p_id) THEN
            RAISE EXCEPTION 'return % is taken in at another location', p_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RAISE EXCEPTION 'no return %', p_id USING ERRCODE = 'KX404';
    END IF;
    IF p_version IS NOT NULL AND p_version > 0 AND r.version <> p_version THEN
        SELECT display_name INTO v_by FROM kontor.staff WHERE id = r.updated_by;
        RAISE EXCEPTION 'return % was changed by % at % (now %)', r.rma, coalesce(v_by, 'another system'),
            to_char(r.updated_at AT TIME ZONE 'Europe/Berlin', 'DD.MM. HH24:MI'), r.status
            USING ERRCODE = 'KX409';
    END IF;
    RETURN r;
END $$;

CREATE FUNCTION kontor.location_by_code(p_code text) RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_id bigint;
BEGIN
    IF kontor.is_blank(p_code) THEN
        RETURN NULL;
    END IF;
    SELECT id INTO v_id FROM kontor.location WHERE code = upper(btrim(p_code)) AND active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no location "%"', p_code USING ERRCODE = 'check_violation',
            CONSTRAINT = 'return_location';
    END IF;
    RETURN v_id;
END $$;

-- Steps --------------------------------------------------------------------------

-- Starts a return of an order (number or id). p_lines: [{"line": order line
-- id, "qty": n, "reason": "too small", "exchange_sku": "SNK-2041-43"}].
-- p_method: original | voucher | exchange. p_rma: a code made by the client
-- (libsodium) or NULL. p_reason: why approval is asked for, needed when the
-- return is outside the window or over the caller's refund limit. With
-- p_authorise the return is authorised at once unless it needs approval.
CREATE FUNCTION kontor.return_start(p_order text, p_rma text, p_lines jsonb, p_channel text,
                                    p_location text, p_method text, p_reason text, p_authorise boolean)
RETURNS TABLE(id bigint, rma text, status text, needs_approval boolean, outside_window boolean,
              days integer, value_cents bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    o kontor.sales_order%ROWTYPE;
    r kontor.return_order%ROWTYPE;
    v_ch bigint;
    v_loc bigint;
    v_reasons jsonb := kontor.setting_value('return_reasons');
    l jsonb;
    v_ex bigint;
    v_value bigint;
    v_limit bigint := kontor.refund_limit();
    v_first text;
BEGIN
    SELECT * INTO o FROM kontor.sales_order so
    WHERE so.number = upper(btrim(p_order)) OR (btrim(p_order) ~ '^[0-9]{1,18}$' AND so.id = btrim(p_order)::bigint);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no order "%"', p_order USING ERRCODE = 'KX404';
    END IF;
    IF p_rma IS NOT NULL AND p_rma !~ '^R-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$' THEN
        RAISE EXCEPTION 'an RMA code looks like R-7K2Q9M' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.id INTO v_ch FROM kontor.channel c WHERE c.code = lower(btrim(p_channel));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no channel "%"', p_channel USING ERRCODE = 'check_violation',
            CONSTRAINT = 'return_channel';
    END IF;
    v_loc := kontor.location_by_code(p_location);
    IF p_method IS NULL OR p_method NOT IN ('original', 'voucher', 'exchange') THEN
        RAISE EXCEPTION 'refund as original payment, voucher or exchange, not "%"', p_method
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_method';
    END IF;
    IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) = 0 THEN
        RAISE EXCEPTION 'choose at least one line to return' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'return_lines';
    END IF;
    v_first := p_lines -> 0 ->> 'reason';
    INSERT INTO kontor.return_order AS ro (rma, order_id, channel_id, location_id, reason, refund_method)
    VALUES (p_rma, o.id, v_ch, v_loc, v_first, p_method)
    RETURNING * INTO r;
    FOR l IN SELECT * FROM jsonb_array_elements(p_lines) LOOP
        IF kontor.is_blank(l ->> 'reason')
           OR (jsonb_typeof(v_reasons) = 'array' AND NOT v_reasons ? (l ->> 'reason')) THEN
            RAISE EXCEPTION 'a returned line needs one of the reasons: %',
                (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(v_reasons) x)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_reason';
        END IF;
        IF coalesce(l ->> 'qty', '') !~ '^[0-9]{1,6}$' OR (l ->> 'qty')::integer < 1 THEN
            RAISE EXCEPTION 'a returned quantity is a whole number of at least 1' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'return_qty';
        END IF;
        v_ex := NULL;
        IF p_method = 'exchange' THEN
            SELECT p.id INTO v_ex FROM kontor.product p WHERE p.sku = upper(btrim(l ->> 'exchange_sku')) AND p.active;
            IF v_ex IS NULL THEN
                RAISE EXCEPTION 'an exchange needs the SKU of the item the customer gets instead ("%" is not one)',
                    coalesce(l ->> 'exchange_sku', '') USING ERRCODE = 'check_violation',
                    CONSTRAINT = 'return_exchange_sku';
            END IF;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM kontor.order_line ol WHERE ol.id = (l ->> 'line')::bigint
                       AND ol.order_id = o.id) THEN
            RAISE EXCEPTION 'order % has no line %', o.number, l ->> 'line' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'return_line_same_order';
        END IF;
        INSERT INTO kontor.return_line (return_id, order_line_id, qty, reason, exchange_product_id)
        VALUES (r.id, (l ->> 'line')::bigint, (l ->> 'qty')::integer, l ->> 'reason', v_ex);
    END LOOP;
    v_value := kontor.return_value(r.id);
    IF NOT r.needs_approval AND p_method <> 'exchange' AND v_limit IS NOT NULL AND v_limit > 0
       AND v_value > v_limit THEN
        r.needs_approval := true;
    END IF;
    IF r.needs_approval THEN
        IF kontor.is_blank(p_reason) THEN
            RAISE EXCEPTION '%: a manager must approve this return; give a reason',
                CASE WHEN r.outside_window THEN format('outside the return window (%s days)', r.days_since_delivery)
                     ELSE format('%s over your refund limit of %s', to_char(v_value / 100.0, 'FM999G990D00'),
                                 to_char(v_limit / 100.0, 'FM999G990D00')) END
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_approval_reason';
        END IF;
        UPDATE kontor.return_order ro SET needs_approval = true, approval_note = btrim(p_reason)
        WHERE ro.id = r.id;
    ELSIF p_authorise THEN
        UPDATE kontor.return_order ro SET status = 'authorised' WHERE ro.id = r.id;
    END IF;
    RETURN QUERY SELECT ro.id, ro.rma, ro.status, ro.needs_approval, ro.outside_window,
                        ro.days_since_delivery, v_value
                 FROM kontor.return_order ro WHERE ro.id = r.id;
END $$;

-- Moves a return along without goods or money: authorise, cancel, reject,
-- close (the reason is required where return_transition says so).
CREATE FUNCTION kontor.return_move(p_id bigint, p_version integer, p_to text, p_note text)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r kontor.return_order%ROWTYPE := kontor.return_lock(p_id, p_version);
    v_version integer;
BEGIN
    IF p_to NOT IN ('authorised', 'cancelled', 'rejected', 'closed') THEN
        RAISE EXCEPTION 'return %: % is reached by its own step, not a move', r.rma, p_to
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_transition';
    END IF;
    UPDATE kontor.return_order SET status = p_to, status_note = nullif(btrim(coalesce(p_note, '')), '')
    WHERE id = p_id RETURNING version INTO v_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'return % is not at your location', r.rma USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_version;
END $$;

-- Goods arrive (all or part): p_lines [{"line": return line id, "qty": n}]
-- or NULL for everything still expected; p_location: where (default the
-- return's location, else the caller's). A second parcel may follow while
-- the return is 'received'.
CREATE FUNCTION kontor.return_receive(p_id bigint, p_version integer, p_location text, p_lines jsonb)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r kontor.return_order%ROWTYPE := kontor.return_lock(p_id, p_version);
    v_loc bigint;
    l record;
    v_note text := '';
    v_n integer := 0;
    v_version integer;
BEGIN
    IF r.status NOT IN ('authorised', 'received') THEN
        RAISE EXCEPTION 'return % is %: goods are received once it is authorised', r.rma, r.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_transition';
    END IF;
    v_loc := coalesce(kontor.location_by_code(p_location), r.location_id, kontor.current_staff_location());
    IF v_loc IS NULL THEN
        RAISE EXCEPTION 'return %: say where the goods came back', r.rma USING ERRCODE = 'check_violation',
            CONSTRAINT = 'return_location';
    END IF;
    IF r.status = 'received' AND r.location_id IS DISTINCT FROM v_loc THEN
        RAISE EXCEPTION 'return %: the first parcel came back at another location', r.rma
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_location';
    END IF;
    FOR l IN
        SELECT rl.id, rl.qty, rl.qty_received, ol.sku,
               CASE WHEN p_lines IS NULL THEN rl.qty - rl.qty_received
                    ELSE (SELECT (x ->> 'qty')::integer FROM jsonb_array_elements(p_lines) x
                          WHERE (x ->> 'line')::bigint = rl.id LIMIT 1) END AS n
        FROM kontor.return_line rl JOIN kontor.order_line ol ON ol.id = rl.order_line_id
        WHERE rl.return_id = p_id ORDER BY ol.line_no
    LOOP
        CONTINUE WHEN l.n IS NULL OR l.n = 0;
        IF l.n < 0 OR l.qty_received + l.n > l.qty THEN
            RAISE EXCEPTION 'return %: % expected %, received % so far; % more is too many',
                r.rma, l.sku, l.qty, l.qty_received, l.n
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_line_received_le_qty';
        END IF;
        UPDATE kontor.return_line SET qty_received = qty_received + l.n WHERE id = l.id;
        v_note := v_note || CASE WHEN v_n > 0 THEN ', ' ELSE '' END || l.n || ' × ' || l.sku;
        v_n := v_n + 1;
    END LOOP;
    IF v_n = 0 THEN
        RAISE EXCEPTION 'return %: nothing received (all lines 0)', r.rma USING ERRCODE = 'check_violation',
            CONSTRAINT = 'return_receive_nothing';
    END IF;
    UPDATE kontor.return_order
    SET status = 'received', location_id = v_loc,
        status_note = 'received ' || v_note || ' at ' || (SELECT code FROM kontor.location WHERE id = v_loc)
    WHERE id = p_id RETURNING version INTO v_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'return % is not at your location', r.rma USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_version;
END $$;

-- Inspection: p_lines [{"line": return line id, "condition": resellable |
-- damaged | defective}] for every line with goods received. Resellable
-- goods go back into the receiving location's stock; whatever was expected
-- but never came is released.
CREATE FUNCTION kontor.return_inspect(p_id bigint, p_version integer, p_lines jsonb)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r kontor.return_order%ROWTYPE := kontor.return_lock(p_id, p_version);
    l record;
    v_note text := '';
    v_version integer;
BEGIN
    IF r.status <> 'received' THEN
        RAISE EXCEPTION 'return % is %: goods are inspected after they are received', r.rma, r.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_transition';
    END IF;
    FOR l IN
        SELECT rl.id, rl.qty, rl.qty_received, ol.sku,
               (SELECT x ->> 'condition' FROM jsonb_array_elements(coalesce(p_lines, '[]')) x
                WHERE (x ->> 'line')::bigint = rl.id LIMIT 1) AS cond
        FROM kontor.return_line rl JOIN kontor.order_line ol ON ol.id = rl.order_line_id
        WHERE rl.return_id = p_id ORDER BY ol.line_no
    LOOP
        CONTINUE WHEN l.qty_received = 0;
        IF l.cond IS NULL OR l.cond NOT IN ('resellable', 'damaged', 'defective') THEN
            RAISE EXCEPTION 'return %: say whether % is resellable, damaged or defective', r.rma, l.sku
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_condition';
        END IF;
        UPDATE kontor.return_line SET condition = l.cond WHERE id = l.id;
        v_note := v_note || CASE WHEN v_note <> '' THEN ', ' ELSE '' END || l.sku || ' ' || l.cond
                  || CASE WHEN l.qty_received < l.qty
                          THEN format(' (%s of %s came back)', l.qty_received, l.qty) ELSE '' END;
    END LOOP;
    -- the status first: from now on a line holds only what came back
    UPDATE kontor.return_order SET status = 'inspected', status_note = v_note
    WHERE id = p_id RETURNING version INTO v_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'return % is not at your location', r.rma USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE kontor.return_line SET restocked = true
    WHERE return_id = p_id AND condition = 'resellable' AND qty_received > 0 AND NOT restocked;
    RETURN (SELECT version FROM kontor.return_order WHERE id = p_id);
END $$;

-- Pays the return out, once: refunds to the order's captured payments,
-- issues a voucher, or creates the exchange order. Idempotency keys are
-- derived from the return, so a second call (a repeated key press, a retry
-- after a lost connection, another agent) finds the refund already there.
CREATE FUNCTION kontor._return_pay(p_id bigint) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r kontor.return_order%ROWTYPE;
    o kontor.sales_order%ROWTYPE;
    v_value bigint := kontor.return_value(p_id);
    v_left bigint;
    p record;
    v_part bigint;
    v_code text;
    v_new kontor.sales_order%ROWTYPE;
    v_total bigint;
    v_loc record;
    v_to text;
    v_note text;
BEGIN
    SELECT * INTO r FROM kontor.return_order WHERE id = p_id FOR UPDATE;
    SELECT * INTO o FROM kontor.sales_order WHERE id = r.order_id;
    IF r.refund_method = 'voucher' THEN
        IF v_value > 0 THEN
            LOOP
                v_code := 'V-' || kontor.random_code(10);
                EXIT WHEN NOT EXISTS (SELECT 1 FROM kontor.return_order WHERE voucher_code = v_code);
            END LOOP;
            INSERT INTO kontor.refund (order_id, return_id, amount_cents, method, idempotency_key, status)
            VALUES (o.id, r.id, v_value, 'voucher', 'return:' || r.rma || ':voucher', 'done')
            ON CONFLICT (idempotency_key) DO NOTHING;
        END IF;
        v_to := 'credited';
        v_note := format('store credit %s, voucher %s', to_char(v_value / 100.0, 'FM999G990D00'), v_code);
        UPDATE kontor.return_order SET voucher_code = v_code WHERE id = p_id;
    ELSIF r.refund_method = 'exchange' THEN
        SELECT l.kind, l.id INTO v_loc FROM kontor.location l WHERE l.id = r.location_id;
        SELECT coalesce(sum(rl.qty_received * p2.price_cents), 0) INTO v_total
        FROM kontor.return_line rl JOIN kontor.product p2 ON p2.id = rl.exchange_product_id
        WHERE rl.return_id = p_id AND rl.qty_received > 0 AND rl.condition IS NOT NULL;
        IF v_total > 0 THEN
            -- at a store the customer takes the new item with them: the order is
            -- completed at once and its stock taken out here (a completed order
            -- reserves nothing); sent by post, the warehouse picks a paid order
            INSERT INTO kontor.sales_order (channel_id, location_id, customer_id, fulfilment, status, currency,
                                            subtotal_cents, total_cents, placed_at, status_note)
            VALUES (r.channel_id, CASE WHEN v_loc.kind = 'store' THEN r.location_id END, o.customer_id,
                    CASE WHEN v_loc.kind = 'store' THEN 'in_store' ELSE 'ship' END,
                    CASE WHEN v_loc.kind = 'store' THEN 'completed' ELSE 'paid' END, o.currency,
                    v_total, v_total, now(), 'exchange ' || r.rma)
            RETURNING * INTO v_new;
            INSERT INTO kontor.order_line (order_id, line_no, product_id, sku, name, size, qty, unit_price_cents)
            SELECT v_new.id, row_number() OVER (ORDER BY rl.id), p2.id, p2.sku, p2.name, p2.size,
                   rl.qty_received, p2.price_cents
            FROM kontor.return_line rl JOIN kontor.product p2 ON p2.id = rl.exchange_product_id
            WHERE rl.return_id = p_id AND rl.qty_received > 0;
            INSERT INTO kontor.payment (order_id, method, amount_cents, currency, status, reference)
            VALUES (v_new.id, 'voucher', least(v_value, v_total), o.currency, 'captured', 'exchange ' || r.rma);
            IF v_total > v_value THEN
                INSERT INTO kontor.payment (order_id, method, amount_cents, currency, status, reference)
                VALUES (v_new.id, CASE WHEN v_loc.kind = 'store' THEN 'cash' ELSE 'invoice' END,
                        v_total - v_value, o.currency, 'authorised', 'difference to pay');
            END IF;
            IF v_new.fulfilment = 'in_store' THEN
                PERFORM kontor._stock_change(v_new.number, rl.exchange_product_id, r.location_id, 0, -rl.qty_received)
                FROM kontor.return_line rl WHERE rl.return_id = p_id AND rl.qty_received > 0;
            END IF;
            UPDATE kontor.return_order SET exchange_order_id = v_new.id WHERE id = p_id;
        END IF;
        v_to := 'exchanged';
        v_note := format('exchange order %s: %s', coalesce(v_new.number, '(none)'),
                         CASE WHEN v_total > v_value THEN 'customer pays ' || to_char((v_total - v_value) / 100.0, 'FM999G990D00')
                              WHEN v_total < v_value THEN 'difference refunded ' || to_char((v_value - v_total) / 100.0, 'FM999G990D00')
                              ELSE 'even' END);
        v_value := greatest(v_value - v_total, 0);   -- what goes back to the original payment
    ELSE
        v_to := 'refunded';
        v_note := 'refunded ' || to_char(v_value / 100.0, 'FM999G990D00');
    END IF;
    IF r.refund_method IN ('original', 'exchange') AND v_value > 0 THEN
        v_left := v_value;
        FOR p IN
            SELECT py.id, py.method,
                   py.amount_cents - coalesce((SELECT sum(f.amount_cents) FROM kontor.refund f
                                               WHERE f.payment_id = py.id AND f.status <> 'failed'), 0) AS open
            FROM kontor.payment py
            WHERE py.order_id = o.id AND py.status = 'captured'
            ORDER BY py.amount_cents DESC, py.id
        LOOP
            EXIT WHEN v_left = 0;
            CONTINUE WHEN p.open <= 0;
            v_part := least(v_left, p.open);
            INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, idempotency_key, status)
            VALUES (o.id, r.id, p.id, v_part, CASE WHEN p.method = 'invoice' THEN 'bank_transfer' ELSE p.method END,
                    'return:' || r.rma || ':' || p.id, 'done')
            ON CONFLICT (idempotency_key) DO NOTHING;
            v_left := v_left - v_part;
        END LOOP;
        IF v_left > 0 THEN
            RAISE EXCEPTION 'order %: % of the refund is not covered by a captured payment', o.number,
                to_char(v_left / 100.0, 'FM999G990D00')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'refund_le_captured';
        END IF;
    END IF;
    UPDATE kontor.return_order SET status = v_to, status_note = v_note WHERE id = p_id;
    RETURN v_to;
END $$;

-- Refunds (credits, exchanges) an inspected return. Outcome: 'done' (paid
-- out now), 'already' (it had been: nothing happens twice), 'approval'
-- (over the caller's limit: an approval request is recorded, p_note its
-- reason), 'waiting' (already waits for a manager).
CREATE FUNCTION kontor.return_refund(p_id bigint, p_version integer, p_note text)
RETURNS TABLE(outcome text, status text, amount_cents bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('clerk', 'service', 'manager');
    r kontor.return_order%ROWTYPE;
    v_value bigint;
    v_money bigint;
    v_limit bigint := kontor.refund_limit();
BEGIN
    SELECT * INTO r FROM kontor.return_order WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no return %', p_id USING ERRCODE = 'KX404';
    END IF;
    -- clerks hand out exchanges at their own location; money goes back
    -- through customer service
    IF kontor.caller_role() = 'kontor_clerk' AND (r.refund_method IS DISTINCT FROM 'exchange'
       OR r.location_id IS DISTINCT FROM kontor.current_staff_location()) THEN
        RAISE EXCEPTION 'return %: clerks complete exchanges at their location; refunds and credits are done by customer service',
            r.rma USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_value := kontor.return_value(p_id);
    IF r.status IN ('refunded', 'credited', 'exchanged', 'closed') THEN
        RETURN QUERY SELECT 'already'::text, r.status, v_value;
        RETURN;
    END IF;
    PERFORM kontor.return_lock(p_id, p_version);
    IF r.status <> 'inspected' THEN
        RAISE EXCEPTION 'return % is %: it is refunded after inspection', r.rma, r.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'return_transition';
    END IF;
    IF r.needs_approval AND r.approval_decision IS NULL THEN
        RETURN QUERY SELECT 'waiting'::text, r.status, v_value;
        RETURN;
    ELSIF r.approval_decision = 'rejected' THEN
        RAISE EXCEPTION 'return %: a manager rejected it (%)', r.rma, r.approval_reason
            USING ERRCODE = 'KX001';
    END IF;
    -- the limit is on money going back: for an exchange only the difference
    -- to a cheaper item
    v_money := v_value;
    IF r.refund_method = 'exchange' THEN
        SELECT greatest(v_value - coalesce(sum(rl.qty_received * p2.price_cents), 0), 0) INTO v_money
        FROM kontor.return_line rl JOIN kontor.product p2 ON p2.id = rl.exchange_product_id
        WHERE rl.return_id = p_id AND rl.qty_received > 0 AND rl.condition IS NOT NULL;
    END IF;
    IF v_limit IS NOT NULL AND v_money > v_limit AND r.approval_decision IS DISTINCT FROM 'approved' THEN
        IF kontor.is_blank(p_note) THEN
            RAISE EXCEPTION '% is over your refund limit of %: give a reason to ask a manager',
                to_char(v_money / 100.0, 'FM999G990D00'), to_char(v_limit / 100.0, 'FM999G990D00')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'return_approval_reason';
        END IF;
        UPDATE kontor.return_order SET needs_approval = true, approval_note = btrim(p_note) WHERE id = p_id;
        RETURN QUERY SELECT 'approval'::text, r.status, v_money;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'done'::text, kontor._return_pay(p_id), v_value;
END $$;

-- A manager decides a waiting approval (reason required). Approving moves
-- the return on: a requested return is authorised, an inspected one is
-- paid out, once.
CREATE FUNCTION kontor.return_approve(p_id bigint, p_approve boolean, p_reason text)
RETURNS TABLE(outcome text, status text, amount_cents bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('manager');
    r kontor.return_order%ROWTYPE;
BEGIN
    SELECT * INTO r FROM kontor.return_order WHERE id = p_id FOR UPDATE;
    IF FOUND AND r.approval_decision IS NOT NULL THEN   -- a second press: report, change nothing
        RETURN QUERY SELECT 'already'::text, r.status, kontor.return_value(p_id);
        RETURN;
    END IF;
    PERFORM kontor.return_decide(p_id, p_approve, p_reason);
    SELECT * INTO r FROM kontor.return_order WHERE id = p_id;
    IF p_approve AND r.status = 'requested' THEN
        UPDATE kontor.return_order SET status = 'authorised' WHERE id = p_id;
        r.status := 'authorised';
    ELSIF p_approve AND r.status = 'inspected' THEN
        r.status := kontor._return_pay(p_id);
    END IF;
    RETURN QUERY SELECT CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END, r.status,
                        kontor.return_value(p_id);
END $$;

-- Access ---------------------------------------------------------------------------

REVOKE ALL ON kontor.return_event FROM PUBLIC;
GRANT SELECT ON kontor.return_event TO kontor_clerk, kontor_service, kontor_manager;
GRANT UPDATE (qty_received) ON kontor.return_line TO kontor_clerk, kontor_service, kontor_manager;
GRANT UPDATE (location_id, needs_approval, approval_note) ON kontor.return_order TO kontor_clerk;

-- Lines of a return follow their return: a clerk changes only lines of
-- returns at their location (or not yet located).
ALTER TABLE kontor.return_line ENABLE ROW LEVEL SECURITY;
CREATE POLICY return_line_read ON kontor.return_line FOR SELECT
    TO kontor_clerk, kontor_service, kontor_manager USING (true);
CREATE POLICY return_line_insert_clerk ON kontor.return_line FOR INSERT TO kontor_clerk
    WITH CHECK (EXISTS (SELECT 1 FROM kontor.return_order r WHERE r.id = return_id
                        AND r.location_id = (SELECT kontor.current_staff_location())));
CREATE POLICY return_line_update_clerk ON kontor.return_line FOR UPDATE TO kontor_clerk
    USING (EXISTS (SELECT 1 FROM kontor.return_order r WHERE r.id = return_id
                   AND (r.location_id IS NULL OR r.location_id = (SELECT kontor.current_staff_location()))));
CREATE POLICY return_line_write_office ON kontor.return_line FOR ALL
    TO kontor_service, kontor_manager USING (true);
CREATE POLICY return_line_other ON kontor.return_line FOR ALL TO PUBLIC
    USING (current_user NOT IN ('kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'));

REVOKE ALL ON FUNCTION kontor.return_line_held(text, integer, integer), kontor.return_order_history(),
                       kontor.return_order_bookkeeping(), kontor.return_line_recount(),
                       kontor.return_value(bigint), kontor.refund_limit(),
                       kontor.return_lock(bigint, integer), kontor.location_by_code(text),
                       kontor.return_start(text, text, jsonb, text, text, text, text, boolean),
                       kontor.return_move(bigint, integer, text, text),
                       kontor.return_receive(bigint, integer, text, jsonb),
                       kontor.return_inspect(bigint, integer, jsonb), kontor._return_pay(bigint),
                       kontor.return_refund(bigint, integer, text), kontor.return_approve(bigint, boolean, text)
    FROM PUBLIC;
-- The steps that run with the caller's rights (so that grants and the
-- clerk's location policies apply) are executable by the three staff roles
-- only; is_blank is the pure helper they share with 0004.
GRANT EXECUTE ON FUNCTION kontor.is_blank(text) TO kontor_clerk, kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.return_line_held(text, integer, integer), kontor.return_value(bigint),
                          kontor.refund_limit(), kontor.return_lock(bigint, integer), kontor.location_by_code(text),
                          kontor.return_start(text, text, jsonb, text, text, text, text, boolean),
                          kontor.return_move(bigint, integer, text, text),
                          kontor.return_receive(bigint, integer, text, jsonb),
                          kontor.return_inspect(bigint, integer, jsonb)
    TO kontor_clerk, kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.return_refund(bigint, integer, text)
    TO kontor_clerk, kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.return_approve(bigint, boolean, text) TO kontor_manager;

-- Receiving a return moves its order to partially_returned / returned from
-- a trigger; 0007's guard is for what service does to orders directly.
CREATE OR REPLACE FUNCTION kontor.sales_order_fulfilment_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND kontor.caller_role() = 'kontor_service'
       AND NEW.status NOT IN ('cancelled')
       AND pg_trigger_depth() = 1 THEN
        RAISE EXCEPTION 'order %: customer service may cancel an order, not move it to %',
            OLD.number, NEW.status
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Picking, handing over and shipping are done by clerks or managers.';
    END IF;
    RETURN NEW;
END $$;

-- 0009 returns, measured at 1,000,000 orders (doc/performance.md): the
-- refund step looked up what each payment had already refunded by scanning
-- every refund, and the queue paid for a search_path switch on every row's
-- value. Also: the conflict message uses the business time zone setting.

SET LOCAL search_path = kontor, public;

CREATE INDEX refund_payment_idx ON kontor.refund (payment_id) WHERE payment_id IS NOT NULL;

-- Same as 0008 without SET search_path (every name is qualified): a
-- function with a SET clause saves and restores the setting on each call,
-- once per row in the queue and the approvals.
CREATE OR REPLACE FUNCTION kontor.return_value(p_return_id bigint) RETURNS bigint
LANGUAGE sql STABLE
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

CREATE OR REPLACE FUNCTION kontor.return_lock(p_id bigint, p_version integer) RETURNS kontor.return_order
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
            to_char(r.updated_at AT TIME ZONE (kontor.setting_value('business_timezone') #>> '{}'),
                    'DD.MM. HH24:MI'), r.status
            USING ERRCODE = 'KX409';
    END IF;
    RETURN r;
END $$;

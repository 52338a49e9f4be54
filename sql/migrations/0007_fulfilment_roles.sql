-- 0007 who moves orders along: customer service cancels orders but does not
-- pick, pack, hand over or ship them — that is the clerks' (and managers')
-- work at the store or warehouse. Held here, not only on screen.
CREATE FUNCTION kontor.sales_order_fulfilment_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND kontor.caller_role() = 'kontor_service'
       AND NEW.status NOT IN ('cancelled') THEN
        RAISE EXCEPTION 'order %: customer service may cancel an order, not move it to %',
            OLD.number, NEW.status
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Picking, handing over and shipping are done by clerks or managers.';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER sales_order_05_fulfilment_guard BEFORE UPDATE OF status ON kontor.sales_order
    FOR EACH ROW EXECUTE FUNCTION kontor.sales_order_fulfilment_guard();

-- 0005 access: views for masked and derived data, the audit triggers on
-- every table staff can change, GRANTs per role and row-level security.
-- doc/roles.md is the human-readable form of this file and must match it.

SET LOCAL search_path = kontor, public;

-- Views ---------------------------------------------------------------------

-- Customers as a clerk sees them: names, city, masked contact data.
CREATE VIEW kontor.customer_masked AS
SELECT c.id, c.first_name, c.last_name, c.name_norm, c.name_phon, c.first_phon, c.city,
       c.created_at, c.merged_into, c.erased_at,
       (SELECT left(split_part(i.value_norm, '@', 1), 1) || '***@' || split_part(i.value_norm, '@', 2)
        FROM kontor.customer_identity i
        WHERE i.customer_id = c.id AND i.kind = 'email' AND i.retired_at IS NULL
        ORDER BY i.created_at DESC, i.id DESC LIMIT 1) AS email_masked,
       (SELECT '***' || right(i.value_norm, 3)
        FROM kontor.customer_identity i
        WHERE i.customer_id = c.id AND i.kind = 'phone' AND i.retired_at IS NULL
        ORDER BY i.created_at DESC, i.id DESC LIMIT 1) AS phone_masked
FROM kontor.customer c;

-- The consent in force per customer, purpose and channel (latest record).
CREATE VIEW kontor.consent_current AS
SELECT DISTINCT ON (customer_id, purpose, channel_id)
       id, customer_id, purpose, channel_id, granted, source, at, recorded_by
FROM kontor.consent
ORDER BY customer_id, purpose, channel_id, at DESC, id DESC;

-- Order lines with what has been returned (returns not rejected/cancelled)
-- and what has actually come back (received or later).
CREATE VIEW kontor.order_line_status AS
SELECT ol.*,
       coalesce((SELECT sum(rl.qty) FROM kontor.return_line rl JOIN kontor.return_order r ON r.id = rl.return_id
                 WHERE rl.order_line_id = ol.id AND r.status NOT IN ('rejected', 'cancelled')), 0)::integer
           AS qty_returned,
       coalesce((SELECT sum(rl.qty) FROM kontor.return_line rl JOIN kontor.return_order r ON r.id = rl.return_id
                 WHERE rl.order_line_id = ol.id
                   AND r.status IN ('received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed')), 0)::integer
           AS qty_received
FROM kontor.order_line ol;

-- Audit triggers ----------------------------------------------------------------
-- audit_row(key columns, redacted columns, columns whose change alone is not audited)

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('location', 'id', '', ''),
        ('setting', 'key,scope', '', ''),
        ('customer', 'id', 'first_name,last_name,name_norm,name_phon,first_phon,birthdate,street,postcode,city', ''),
        ('customer_identity', 'id', 'value,value_norm', ''),
        ('consent', 'id', '', ''),
        ('customer_note', 'id', 'body', ''),
        ('customer_duplicate', 'id', '', ''),
        ('product', 'id', '', ''),
        ('stock', 'product_id,location_id', '', ''),
        ('campaign', 'id', '', ''),
        ('touchpoint', 'id', '', ''),
        ('campaign_touchpoint', 'campaign_id,touchpoint_id', '', ''),
        ('interaction', 'id', '', ''),
        ('sales_order', 'id', '', ''),
        ('order_line', 'id', '', ''),
        ('payment', 'id', '', ''),
        ('refund', 'id', '', ''),
        ('return_order', 'id', '', ''),
        ('return_line', 'id', '', ''),
        ('order_note', 'id', '', ''),
        ('notification_outbox', 'id', 'payload', '')) AS v(tbl, keys, redact, ign)
    LOOP
        EXECUTE format('CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON kontor.%I '
                       'FOR EACH ROW EXECUTE FUNCTION kontor.audit_row(%L, %L, %L)',
                       t.tbl, t.keys, t.redact, t.ign);
    END LOOP;
END $$;
-- staff rows are created by staff_add and their sign-in fields changed by the
-- auth functions, which write their own events.
CREATE TRIGGER zz_audit AFTER UPDATE OR DELETE ON kontor.staff
    FOR EACH ROW EXECUTE FUNCTION kontor.audit_row('id', 'password_hash',
        'password_hash,must_change_password,failed_attempts,locked_until,last_login_at,active');

-- Grants ------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA kontor FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA kontor FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA kontor FROM PUBLIC;

-- reference data
GRANT SELECT ON kontor.channel, kontor.location, kontor.setting, kontor.order_transition,
                kontor.return_transition
    TO kontor_clerk, kontor_service, kontor_manager, kontor_admin;
GRANT INSERT, UPDATE ON kontor.location TO kontor_admin;
GRANT INSERT, UPDATE, DELETE ON kontor.setting TO kontor_admin;

-- staff: names for everyone, the account fields for admins (never the hash)
GRANT SELECT (id, username, display_name, role, home_location_id, active)
    ON kontor.staff TO kontor_clerk, kontor_service, kontor_manager;
GRANT SELECT (id, username, display_name, role, home_location_id, must_change_password,
              failed_attempts, locked_until, active, created_at, last_login_at, version,
              updated_at, updated_by)
    ON kontor.staff TO kontor_admin;
GRANT UPDATE (display_name, role, home_location_id) ON kontor.staff TO kontor_admin;
GRANT SELECT ON kontor.audit_event TO kontor_admin;

-- customers
GRANT SELECT ON kontor.customer_masked TO kontor_clerk, kontor_service, kontor_manager;
GRANT SELECT, INSERT ON kontor.customer, kontor.customer_identity, kontor.consent,
                        kontor.customer_note, kontor.customer_duplicate
    TO kontor_service, kontor_manager;
GRANT UPDATE (first_name, last_name, birthdate, street, postcode, city, country, home_channel_id)
    ON kontor.customer TO kontor_service, kontor_manager;
GRANT UPDATE (value, source, verified) ON kontor.customer_identity TO kontor_service, kontor_manager;
GRANT DELETE ON kontor.customer_identity TO kontor_service, kontor_manager;
GRANT UPDATE (status, note) ON kontor.customer_duplicate TO kontor_manager;
GRANT SELECT ON kontor.consent_current, kontor.interaction TO kontor_service, kontor_manager;

-- products and stock
GRANT SELECT ON kontor.product, kontor.stock TO kontor_clerk, kontor_service, kontor_manager;
GRANT UPDATE (on_hand, reserved) ON kontor.stock TO kontor_clerk, kontor_manager;

-- campaigns
GRANT SELECT ON kontor.campaign, kontor.touchpoint, kontor.campaign_touchpoint
    TO kontor_service, kontor_manager;
GRANT INSERT ON kontor.campaign, kontor.touchpoint, kontor.campaign_touchpoint TO kontor_manager;
GRANT UPDATE (name, status, starts_on, ends_on, budget_cents, currency, target)
    ON kontor.campaign TO kontor_manager;
GRANT UPDATE (kind, name, channel_id, location_id, tracking_code) ON kontor.touchpoint TO kontor_manager;
GRANT DELETE ON kontor.campaign_touchpoint TO kontor_manager;

-- orders
GRANT SELECT ON kontor.sales_order, kontor.order_line, kontor.order_line_status, kontor.payment,
                kontor.refund, kontor.order_event, kontor.order_note, kontor.notification_outbox,
                kontor.return_order, kontor.return_line
    TO kontor_clerk, kontor_service, kontor_manager;
GRANT UPDATE (status, status_note) ON kontor.sales_order TO kontor_clerk, kontor_service, kontor_manager;
GRANT INSERT ON kontor.order_note TO kontor_clerk, kontor_service, kontor_manager;
GRANT INSERT ON kontor.notification_outbox TO kontor_service, kontor_manager;
GRANT INSERT ON kontor.refund TO kontor_service, kontor_manager;

-- returns
GRANT INSERT ON kontor.return_order, kontor.return_line TO kontor_clerk, kontor_service, kontor_manager;
GRANT UPDATE (status, status_note, reason, refund_method) ON kontor.return_order TO kontor_clerk;
GRANT UPDATE (status, status_note, reason, refund_method, channel_id, location_id, needs_approval,
              approval_note)
    ON kontor.return_order TO kontor_service, kontor_manager;
GRANT UPDATE (qty, reason, condition, restocked) ON kontor.return_line
    TO kontor_clerk, kontor_service, kontor_manager;

-- functions
GRANT EXECUTE ON FUNCTION kontor.auth_begin(text), kontor.auth_finish(text, boolean, text)
    TO kontor_login;
GRANT EXECUTE ON FUNCTION kontor.session_end(text) TO kontor_login;
GRANT EXECUTE ON FUNCTION kontor.session_begin(text), kontor.session_end(text),
                          kontor.current_staff_id(), kontor.current_staff_location(),
                          kontor.staff_set_own_password(text), kontor.staff_rehash_own(text),
                          kontor.audit_append(text, text, text, jsonb, jsonb),
                          kontor.setting_value(text, text)
    TO kontor_clerk, kontor_service, kontor_manager, kontor_admin;
GRANT EXECUTE ON FUNCTION kontor.search_norm(text), kontor.norm_de(text), kontor.norm_plain(text),
                          kontor.name_norm(text, text), kontor.koelner_phonetik(text),
                          kontor.koelner_phonetik_word(text), kontor.identity_norm(text, text)
    TO kontor_clerk, kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.customer_export(bigint) TO kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.customer_merge(bigint, bigint, text), kontor.customer_erase(bigint, text),
                          kontor.return_decide(bigint, boolean, text)
    TO kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.staff_add(text, text, text, text, text, boolean),
                          kontor.staff_set_password(text, text, boolean), kontor.staff_unlock(text),
                          kontor.staff_deactivate(text), kontor.staff_activate(text),
                          kontor.audit_verify()
    TO kontor_admin;

-- Row-level security ------------------------------------------------------------
-- Only where it restricts writes by location; reads stay unrestricted (USING
-- true) so search keeps its indexes. Roles other than the four staff roles
-- (owner, loaders, shop integration) pass through the *_other policies.

ALTER TABLE kontor.sales_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY sales_order_read ON kontor.sales_order FOR SELECT
    TO kontor_clerk, kontor_service, kontor_manager USING (true);
CREATE POLICY sales_order_update_clerk ON kontor.sales_order FOR UPDATE TO kontor_clerk
    USING (location_id IS NULL OR location_id = (SELECT kontor.current_staff_location()));
CREATE POLICY sales_order_update_office ON kontor.sales_order FOR UPDATE
    TO kontor_service, kontor_manager USING (true);
CREATE POLICY sales_order_other ON kontor.sales_order FOR ALL TO PUBLIC
    USING (current_user NOT IN ('kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'));

ALTER TABLE kontor.return_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY return_order_read ON kontor.return_order FOR SELECT
    TO kontor_clerk, kontor_service, kontor_manager USING (true);
CREATE POLICY return_order_insert_clerk ON kontor.return_order FOR INSERT TO kontor_clerk
    WITH CHECK (location_id = (SELECT kontor.current_staff_location()));
CREATE POLICY return_order_update_clerk ON kontor.return_order FOR UPDATE TO kontor_clerk
    USING (location_id = (SELECT kontor.current_staff_location()));
CREATE POLICY return_order_insert_office ON kontor.return_order FOR INSERT
    TO kontor_service, kontor_manager WITH CHECK (true);
CREATE POLICY return_order_update_office ON kontor.return_order FOR UPDATE
    TO kontor_service, kontor_manager USING (true);
CREATE POLICY return_order_other ON kontor.return_order FOR ALL TO PUBLIC
    USING (current_user NOT IN ('kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'));

ALTER TABLE kontor.stock ENABLE ROW LEVEL SECURITY;
CREATE POLICY stock_read ON kontor.stock FOR SELECT
    TO kontor_clerk, kontor_service, kontor_manager USING (true);
CREATE POLICY stock_update_clerk ON kontor.stock FOR UPDATE TO kontor_clerk
    USING (location_id = (SELECT kontor.current_staff_location()));
CREATE POLICY stock_update_manager ON kontor.stock FOR UPDATE TO kontor_manager USING (true);
CREATE POLICY stock_other ON kontor.stock FOR ALL TO PUBLIC
    USING (current_user NOT IN ('kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'));
